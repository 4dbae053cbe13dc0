"""Text that is not text: control characters and lone surrogates, found on the way in, escaped on the way out.

A unit name or a label may come from anywhere (a scheme, a facts file, a caller of the library).
On the way in, a facts file whose text holds a control character or half of a surrogate pair is
refused (``not_text``). On the way out nothing is refused, everything is escaped:

- ``visible``: for a terminal or a text file meant to be read. Every C0 and C1 control character
  but tab and newline, DEL, a lone surrogate and the bidirectional overrides are written as
  ``\\x1b``, ``\\u009b`` or ``\\u202e``, so an escape sequence in a name (OSC, CSI) shows as text instead of
  retitling the window or rewriting the screen, and no line of output can pretend to be another.
- ``cell_text``: for CSV and XLSX cells. XML cannot hold C0 controls, UTF-8 cannot hold a lone
  surrogate; both are written as ``\\x00`` or ``\\ud800`` (C1 controls as ``\\u009b``). Tab,
  newline and carriage return stay (a label may span lines).
- ``json_text``: JSON escapes C0 itself; C1, DEL, lone surrogates and the bidirectional overrides
  become ``\\u009b``-style escapes, which read back as the same string.

A CSV cell that a spreadsheet would run as a formula gets a leading apostrophe (``inert``).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from ..i18n import N_

#: what a terminal may act on, or what no encoding can write
_CONTROL = "\x00-\x08\x0b-\x1f\x7f-\x9f"
_SURROGATE = "\ud800-\udfff"
_BIDI = "\u202a-\u202e\u2066-\u2069"
_NOT_VISIBLE = re.compile(f"[{_CONTROL}{_SURROGATE}{_BIDI}]")
_NOT_IN_A_CELL = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_SURROGATE}]")
_NOT_IN_JSON = re.compile(f"[\x7f-\x9f{_SURROGATE}{_BIDI}]")
#: a facts file's text may hold tab, newline and carriage return, nothing else below a space
_NOT_TEXT = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_SURROGATE}]")


def _escape(found: re.Match[str]) -> str:
    """``\\x1b`` below a space, else ``\\u009b``: both as Python, YAML and (above a space) JSON write them, so
    escaping JSON or YAML text leaves it valid, meaning the same string."""
    code = ord(found.group())
    return f"\\x{code:02x}" if code < 0x20 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with every character a terminal would act on written as an escape (tab and newline kept)."""
    return _NOT_VISIBLE.sub(_escape, text)


def cell_text(text: str) -> str:
    """``text`` as a CSV or XLSX cell can hold it: control characters and lone surrogates escaped."""
    return _NOT_IN_A_CELL.sub(_escape, text)


def json_text(text: str) -> str:
    """JSON text (from ``json.dumps``, which escapes C0 itself) with C1 controls, DEL, lone surrogates and
    bidi overrides as ``\\u009b``."""
    return _NOT_IN_JSON.sub(_escape, text)


def not_text(text: str) -> str | None:
    """The first character of ``text`` that is no text (a control character or a lone surrogate), escaped."""
    found = _NOT_TEXT.search(text)
    return _escape(found) if found else None


#: said through ``_`` where it is used
NOT_TEXT = N_("which is not text (a control character or half of a surrogate pair)")


#: what makes a spreadsheet take a cell for a formula: = + - @, and a tab or carriage return before them
#: (Excel drops the leading blank and runs the rest)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(value: str) -> str:
    """A CSV cell that no spreadsheet runs as a formula: a leading apostrophe where it would; numbers stay.

    The reader undoes it for a unit named exactly so (``apprule.io.sheets``).
    """
    if not value.startswith(FORMULA_STARTS):
        return value
    try:
        return value if Decimal(value).is_finite() else "'" + value
    except InvalidOperation:
        return "'" + value
