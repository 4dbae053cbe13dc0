"""apprule's words in its reader's language: standard gettext catalogues, read from ``.po`` files.

Every sentence apprule says is written in English in the code and passes ``_`` (or ``ngettext``): the
English text is the message id, and ``locale/<language>/LC_MESSAGES/apprule.po`` holds its translation.
The ``.po`` files are read through Babel and compiled in memory on first use, so there is no build step
and the package ships only text. English needs no catalogue and never loads Babel.

Which language: the one chosen for this run (``apprule --lang``, or ``using`` in a program), else the
one the scheme declares (``language: zh``), else the environment's locale (``LANGUAGE``, ``LC_ALL``,
``LC_MESSAGES``, ``LANG``, in gettext's order), else English. A choice made for a run beats the scheme's:
``apprule --lang en explain hebi_2021 …`` is how an English reader reads a Chinese scheme.

Placeholders are named (``_("no unit {unit!r}", unit=name)``): a translation may put them in its own
order. ``tests/test_catalogue.py --write`` extracts the messages into ``apprule.pot`` and merges them into
every catalogue; the test fails while one has no translation.
"""

from __future__ import annotations

import contextlib
import functools
import gettext
import os
from contextvars import ContextVar
from typing import Any, Iterator, Literal, get_args

Language = Literal["en", "zh"]
LANGUAGES: tuple[Language, ...] = get_args(Language)
DOMAIN = "apprule"

_chosen: ContextVar[Language | None] = ContextVar("apprule_language_chosen", default=None)
_scheme: ContextVar[Language | None] = ContextVar("apprule_language_of_scheme", default=None)


def _(message: str, /, **values: Any) -> str:
    """``message`` in the current language, its ``{named}`` placeholders filled from ``values``."""
    text = translations(language()).gettext(message)
    return text.format(**values) if values else text


def ngettext(singular: str, plural: str, n: int, /, **values: Any) -> str:
    """The form of ``singular``/``plural`` the current language uses for ``n``; ``{n}`` and ``values`` filled."""
    return translations(language()).ngettext(singular, plural, n).format(n=n, **values)


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue where it is written, to be translated (``_``) where it is said."""
    return message


def Nn_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a message whose form changes with a count (said elsewhere through ``ngettext``) for the catalogue."""
    return singular, plural


def language() -> Language:
    """The language apprule speaks now: chosen, else the scheme's, else the environment's, else English."""
    return _chosen.get() or _scheme.get() or from_environment() or "en"


def known(name: str | None) -> Language | None:
    """``zh`` for ``zh``, ``zh_CN.UTF-8`` or ``zh-Hans``; None for a language apprule does not speak."""
    if not name:
        return None
    base = name.replace("-", "_").split(".")[0].split("@")[0].split("_")[0].lower()
    return base if base in LANGUAGES else None


def from_environment() -> Language | None:
    """The locale's language, read as gettext reads it: the first of the variables that is set decides."""
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable)
        if value:
            return next(filter(None, map(known, value.split(":"))), None)  # C, POSIX or a language apprule does not speak: English
    return None


def choose(name: str | None) -> None:
    """Speak ``name`` for the rest of this run (``--lang``), whatever a scheme declares."""
    if name is not None:
        _chosen.set(known(name) or "en")


def prefer(name: str | None) -> None:
    """The language of the scheme being worked on: used when none was chosen for the run."""
    if name is not None:
        _scheme.set(known(name) or "en")


@contextlib.contextmanager
def using(name: str | None = None, scheme: str | None = None) -> Iterator[None]:
    """Within the block, speak ``name`` (as ``choose``) or the ``scheme``'s language (as ``prefer``); restored after."""
    chosen, preferred = _chosen.set(_chosen.get()), _scheme.set(_scheme.get())
    try:
        choose(name)
        prefer(scheme)
        yield
    finally:
        _chosen.reset(chosen)
        _scheme.reset(preferred)


@functools.cache
def translations(name: Language) -> gettext.NullTranslations:
    """The catalogue of ``name``, compiled from its ``.po`` file in memory; English is the message ids."""
    if name == "en":
        return gettext.NullTranslations()
    from importlib.resources import files
    from io import BytesIO

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with (files("apprule") / "locale" / name / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as po:
        catalog = read_po(po, locale=name, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog)  # fuzzy entries are left out: an unreviewed translation is not used
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)
