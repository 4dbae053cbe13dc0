"""English words in text meant for a Chinese reader (issue 18: no English word reaches zh output).

A word here is a run of ASCII letters (with digits, ``_``, ``-`` or ``'`` inside it). What is not English though
it is ASCII is left out before looking:

- ids: whatever a scheme names (facts, fields, enum values, rules, groups, sequences, units, readings and their
  choices, blocks), the scheme's own id, the keys of a facts file (``group:``), and anything in square brackets
  (``[total]``, ``单位 [unit]``: the ids a program needs, shown beside their labels);
- codes: the stable error codes (``not-a-number``), and command-line options (``--format``);
- numbers (``1e3`` is no word either: a word starts with a letter and holds one);
- file names and paths (``hebi_2021.facts.yaml``, ``/tmp/结果.xlsx``);
- units: the ones a scheme declares for its facts.

``english_words(text, allowed)`` lists what is left; a test asserts that it is empty.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterable

from pydantic import BaseModel

from apprule.engine import Scheme
from apprule.io.layout import RESERVED

ROOT = Path(__file__).parents[2]

#: a word: letters first, then letters, digits, ``_``; parts joined by ``-`` or ``'`` (``not-a-number``, ``don't``)
WORD = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z][A-Za-z0-9_]*(?:['-][A-Za-z0-9_]+)*")
#: what is stripped before looking for words: bracketed ids, options, file names and paths
_NOT_WORDS = re.compile(r"\[[^\]\n]*\]"  # [total], [unit]
                        r"|(?<![\w-])--?[A-Za-z][\w-]*"  # --format, -o
                        r"|(?<![\w/])(?:~|\.{1,2})?/[\w./~-]+"  # an absolute or relative path: /tmp/x, ./out
                        r"|[\w./\\-]+\.(?:ya?ml|json|csv|xlsx|txt|pdf)\b")  # a file name: tests/x/cases.yaml
#: the model fields whose text values are names a scheme gives (its dicts' keys always are)
_NAMING_FIELDS = {"id", "values", "units", "use", "sequence", "group"}
#: error codes, as docs/errors.md lists them
CODES = set(re.findall(r"`([a-z]+(?:-[a-z0-9]+)+)`", (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")))
#: the program's own name, and the keys of a facts file's own (``unit``, ``group``, ``sequence``)
ALWAYS = {"apprule", *RESERVED}


def scheme_names(scheme: Scheme) -> set[str]:
    """Every id ``scheme`` declares, its own id and the words of the units its facts count in."""
    found: set[str] = {scheme.id, *scheme.readings, *scheme.readings.values()}

    def walk(value: Any, field: str | None = None) -> None:
        if isinstance(value, BaseModel):
            for name in type(value).model_fields:
                walk(getattr(value, name), name)
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str):
                    found.add(key)
                walk(item, field)
        elif isinstance(value, (list, tuple, set, frozenset)):
            for item in value:
                walk(item, field)
        elif isinstance(value, str) and (field in _NAMING_FIELDS or field == "unit"):
            found.update(WORD.findall(value) if field == "unit" else [value])

    walk(scheme.definition)
    return found


def english_words(text: str, allowed: Iterable[str] = ()) -> list[str]:
    """The English words of ``text``: every ASCII word that is no id, code, number, file name or unit."""
    known = set(allowed) | CODES | ALWAYS
    return [word for word in WORD.findall(_NOT_WORDS.sub(" ", text)) if word not in known]


def cells_text(rows: Iterable[Iterable[Any]]) -> str:
    """A sheet's text cells (numbers are numbers), a line per row, for ``english_words``."""
    return "\n".join(" ".join(str(cell) for cell in row if isinstance(cell, str)) for row in rows)
