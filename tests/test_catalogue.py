"""The message catalogues (issue 18): every sentence in the code has a translation in every language.

``src/apprule/locale/apprule.pot`` is extracted from the source by Babel's own extractor, here; the test
fails while it differs from the source or while a catalogue lacks a translation. After changing a
message, run ``python tests/test_catalogue.py --write``: it rewrites the template and merges it into each
``.po`` (a new message arrives untranslated, a changed one fuzzy: translate it, and drop the fuzzy mark).
"""

from __future__ import annotations

import sys
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from apprule.i18n import DOMAIN, LANGUAGES

ROOT = Path(__file__).parents[1]
PACKAGE = ROOT / "src" / "apprule"
LOCALE = PACKAGE / "locale"
TEMPLATE = LOCALE / f"{DOMAIN}.pot"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "Nn_": (1, 2)}


def catalogue_file(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def extracted() -> Catalog:
    """Every message of the source, with the places it is said (relative to the package)."""
    catalog = Catalog(domain=DOMAIN, project="apprule", charset="utf-8")
    for path, line, message, comments, _context in extract_from_dir(
            PACKAGE, [("**.py", "python")], keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)):
        catalog.add(message, locations=[(path, line)], auto_comments=comments,
                    flags=("python-brace-format",) if "{" in str(message) else ())
    return catalog


def text(catalog: Catalog, **options: bool) -> str:
    buffer = BytesIO()
    write_po(buffer, catalog, omit_header=True, width=120, **options)
    return buffer.getvalue().decode("utf-8")


def read(path: Path, language: str | None = None) -> Catalog:
    with path.open("rb") as file:
        return read_po(file, locale=language, domain=DOMAIN)


def test_the_template_is_up_to_date_with_the_source() -> None:
    assert TEMPLATE.read_text(encoding="utf-8") == text(extracted()), \
        "src/apprule/locale/apprule.pot is out of date: run python tests/test_catalogue.py --write"


def test_every_message_has_a_translation_in_every_language() -> None:
    ids = {message.id for message in read(TEMPLATE) if message.id}
    for language in LANGUAGES:
        if language == "en":  # the message ids are English
            continue
        catalog = read(catalogue_file(language), language)
        missing = [message.id for message in catalog if message.id and message.id in ids and (
            message.fuzzy or not (all(message.string) if isinstance(message.string, tuple) else message.string))]
        absent = sorted(str(i) for i in ids if i not in catalog)
        assert (missing, absent) == ([], []), f"{language}: untranslated or fuzzy {missing}, absent {absent}"


def test_a_translation_keeps_the_placeholders_of_its_message() -> None:
    import string
    for language in LANGUAGES[1:]:
        for message in read(catalogue_file(language), language):
            if not message.id or not message.string:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            want = {name for name in (f[1] for f in string.Formatter().parse(str(ids[-1]))) if name}
            for translated in strings:
                got = {name for name in (f[1] for f in string.Formatter().parse(str(translated))) if name}
                assert got <= want | {"n"}, f"{language}: {message.id!r} → {translated!r}"


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    template = extracted()
    TEMPLATE.parent.mkdir(parents=True, exist_ok=True)
    TEMPLATE.write_text(text(template), encoding="utf-8")
    for language in LANGUAGES[1:]:
        path = catalogue_file(language)
        path.parent.mkdir(parents=True, exist_ok=True)
        catalog = read(path, language) if path.exists() else Catalog(locale=language, domain=DOMAIN)
        catalog.update(read(TEMPLATE), update_header_comment=False)
        path.write_text(text(catalog, ignore_obsolete=True, include_previous=False), encoding="utf-8")
    print(f"wrote {TEMPLATE.relative_to(ROOT)} and the catalogues of {', '.join(LANGUAGES[1:])}")
