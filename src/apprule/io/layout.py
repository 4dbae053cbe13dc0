"""The spreadsheet layout of facts, shared by the template writer and the reader.

A workbook (or a CSV file split into sections) holds:

- a **unit sheet** per group, named after the group's id: row 1 is the header,
  then one row per unit. Columns: ``单位 [unit]``, ``序列 [sequence]`` (groups
  with sequences), then one column per fact the group uses, headed
  ``label [fact_id]`` (or just the id, or just the label);
- an **events sheet** per list-type fact, named after the fact's id: columns
  ``单位 [unit]`` and one per field of an event, one row per event; a unit with no
  row has no events;
- optionally a sheet ``说明`` (the declared facts), which is not read.

A sheet with another name that has a ``单位 [unit]`` column is a unit sheet for
units of any group: the roster places each unit, or a ``组别 [group]`` column does.
In a CSV file a row holding only ``[name]`` in its first cell starts the section
``name`` (a sheet); rows before the first such row form a unit sheet.
"""

from __future__ import annotations

import re
from typing import Iterable, Mapping

from ..scheme.model import Fact
from ..units import UNITS, labelled
from .text import cell_text
from ..i18n import _

#: columns that are not facts: key → Chinese header
RESERVED = {"unit": "单位", "group": "组别", "sequence": "序列"}
#: the sheet listing the declared facts; never read as data
NOTES_SHEET = "说明"
#: Excel's limit on a sheet name
SHEET_NAME_MAX = 31

_BRACKETED = re.compile(r"^(.*?)\s*\[\s*([A-Za-z_][A-Za-z0-9_]*)\s*\]\s*$")
#: a label followed by the unit its column counts in: 地区生产总值(亿元), 完成融资（万元）
_WITH_UNIT = re.compile(r"^(.*?)\s*[(（]\s*([^()（）]+?)\s*[)）]$")
_SECTION = re.compile(r"^\[\s*([A-Za-z_][A-Za-z0-9_]*)\s*\]$")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def header(key: str, label: str | None) -> str:
    """The header cell of a column: ``label [key]``, or the key alone when there is no label."""
    return f"{label} [{key}]" if label else key


def fact_header(key: str, fact: Fact) -> str:
    """``label(unit) [key]``: the unit the column counts in is on the form (a value given with another unit is
    converted or refused)."""
    return header(key, labelled(fact.label, fact.unit))


def reserved_header(key: str) -> str:
    return header(key, RESERVED[key])


class HeaderProblem(Exception):
    """A header that names no column unambiguously, or in a unit its fact does not count in (code, message), and
    the ``keys`` it may have meant (no missing column is reported for them as well)."""

    def __init__(self, code: str, message: str, keys: list[str]):
        self.code, self.message, self.keys = code, message, keys


def parse_header(text: str, labels: dict[str, str | None],
                 units: Mapping[str, str | None] | None = None) -> tuple[str, str | None] | None:
    """The key a header cell names, with the unit its values are in when the header names one other than the
    fact's (in ``units``); None when it names no key.

    A header is ``anything [key]``, the key itself, a label, or a label with its unit (``地区生产总值(亿元)``).
    A label two keys share is ``ambiguous-column``; a unit that does not convert into the fact's ``wrong-unit``.
    """
    text = " ".join(text.split())
    units = units or {}
    found = _BRACKETED.match(text)
    if found:
        key = found.group(2)
        if key not in labels:
            return None
        part = _WITH_UNIT.match(found.group(1))  # the form's label(unit) before [key]: the unit is checked too
        named = part is not None and part.group(2) in UNITS and part.group(1) == _spaced(labels[key])
        return key, _unit(text, key, labels, part.group(2), units) if part is not None and named else None
    if text in labels:
        return text, None
    keys = _labelled(text, labels)
    if keys:
        return _one(text, keys), None
    part = _WITH_UNIT.match(text)
    if part is None:
        return None
    base, unit = part.groups()
    keys = [base] if base in labels else _labelled(base, labels)
    if not keys:
        return None
    key = _one(text, keys)
    return key, _unit(text, key, labels, unit, units)


def _spaced(label: str | None) -> str:
    return " ".join((label or "").split())


def _labelled(text: str, labels: dict[str, str | None]) -> list[str]:
    return [key for key, label in labels.items() if label and _spaced(label) == text]


def _one(text: str, keys: list[str]) -> str:
    if len(keys) > 1:
        raise HeaderProblem("ambiguous-column", _("{text!r} names {count} columns: ",
                                                  text=text, count=len(keys)) + ", ".join(keys)
                            + _("; head the column 'label [key]' with the key meant"), keys)
    return keys[0]


def _unit(text: str, key: str, labels: dict[str, str | None], unit: str, units: Mapping[str, str | None]) -> str | None:
    """The header's ``unit`` for ``key``: None when it is the fact's own; a unit that converts into it, kept for
    the column's values; any other, a ``HeaderProblem``."""
    declared = units.get(key)
    if unit == declared:
        return None
    have, into = UNITS.get(unit), UNITS.get(declared or "")
    what = f"{key!r}" + (f" ({labels[key]})" if labels.get(key) else "")
    if declared is None:
        raise HeaderProblem("wrong-unit", _("the header {text!r} gives the unit {unit}, but {what} declares no unit; "
                                            "head the column without one", text=text, unit=unit, what=what), [key])
    if have is None:
        raise HeaderProblem("wrong-unit", _("the header {text!r} gives {unit}, which is not a unit apprule knows; "
                                            "{what} counts in {declared}",
                                            text=text, unit=unit, what=what, declared=declared), [key])
    if into is None or have[0] != into[0]:
        raise HeaderProblem("wrong-unit", _("the header {text!r} gives {unit} ({have}), which does not convert into "
                                            "{declared}, the unit {what} counts in",
                                            text=text, unit=unit, have=have[0], declared=declared, what=what), [key])
    return unit


def section_name(first_cell: str, rest: Iterable[str]) -> str | None:
    """The section a CSV row starts (``[name]`` alone in the row), or None."""
    found = _SECTION.match(first_cell.strip())
    if found and not any(cell.strip() for cell in rest):
        return found.group(1)
    return None


def sheet_name(key: str) -> str:
    """The sheet of a group or an events fact: its id, cut to Excel's 31 characters."""
    return key[:SHEET_NAME_MAX]


def title_sheet_name(text: str, taken: set[str]) -> str:
    """A readable, unique, valid sheet name from a label (results workbooks)."""
    name = _BAD_SHEET_CHARS.sub("_", cell_text(text)).strip("'")[:SHEET_NAME_MAX] or "sheet"
    candidate, n = name, 2
    while candidate in taken:
        suffix = f" ({n})"
        candidate, n = name[:SHEET_NAME_MAX - len(suffix)] + suffix, n + 1
    taken.add(candidate)
    return candidate


def column_letter(index: int) -> str:
    """Excel's letters for a 1-based column number: 1 → A, 27 → AA."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
