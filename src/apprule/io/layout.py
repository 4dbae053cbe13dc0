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
from typing import Iterable

from ..scheme.model import Fact
from ..units import labelled
from .text import cell_text

#: columns that are not facts: key → Chinese header
RESERVED = {"unit": "单位", "group": "组别", "sequence": "序列"}
#: the sheet listing the declared facts; never read as data
NOTES_SHEET = "说明"
#: Excel's limit on a sheet name
SHEET_NAME_MAX = 31

_BRACKETED = re.compile(r"^(.*?)\s*\[\s*([A-Za-z_][A-Za-z0-9_]*)\s*\]\s*$")
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


def parse_header(text: str, labels: dict[str, str | None]) -> str | None:
    """The key a header cell names: ``anything [key]``, the key itself, or a label (unique); else None."""
    text = " ".join(text.split())
    found = _BRACKETED.match(text)
    if found:
        key = found.group(2)
        return key if key in labels else None
    if text in labels:
        return text
    by_label = [key for key, label in labels.items() if label and " ".join(label.split()) == text]
    return by_label[0] if len(by_label) == 1 else None


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
