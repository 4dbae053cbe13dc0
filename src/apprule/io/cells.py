"""One spreadsheet cell to one fact value: what a cell may hold, and what it may not.

Nothing is guessed: a number stored as text in a workbook, a value with a unit its
fact does not convert ("12分" for 万元), a number where text belongs, a formula never
computed, an Excel error value, a percentage shown for a fact that is no rate, a
control character — each is a problem with its own code. Conversion itself is the library's
(``apprule.facts.convert``); this module only decides what a cell means.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..decimals import plain, shown
from ..deferred import said
from ..facts import BadValue, convert, to_decimal
from ..scheme.model import Fact
from ..units import split
from .text import NOT_TEXT, not_text
from ..i18n import _

#: Excel keeps 15 significant digits; a number cell is read as Excel shows it.
EXCEL_DIGITS = 15
_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


class FormulaWithoutValue:
    """A formula cell whose value was never computed (the file was not saved by a spreadsheet program)."""

    def __init__(self, formula: str):
        self.formula = formula


class ExcelErrorValue(str):
    """An error value such as ``#DIV/0!`` or ``#N/A``."""


class PercentCell(float):
    """A number cell with a percentage format: Excel shows 0.5 as 50%."""


@dataclass(frozen=True)
class CellProblem(Exception):
    code: str
    message: str


def blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not isinstance(raw, ExcelErrorValue) and not raw.strip())


def unit_id(raw: Any) -> str:
    """A unit's id from its cell: text only, so ids keep their leading zeros."""
    _special(raw)
    if isinstance(raw, str):
        _text(raw)
        return raw.strip()
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        raise CellProblem("unit-as-number", _("the unit id {raw!r} is a number cell; format the unit column as Text "
                                              "(文本) so ids keep their leading zeros, then type the "
                                              "ids again", raw=raw))
    raise CellProblem("bad-unit", _("a unit id is text, got {raw!r}", raw=raw))


def fact_value(fact: Fact, raw: Any, *, text_only: bool, name: str, unit: str | None = None) -> Any:
    """The value of a non-blank cell for ``fact`` (called ``name``), checked by the library's own conversion;
    a bare number in a column whose header gives another ``unit`` (地区生产总值(万元)) is read in that unit."""
    _special(raw)
    kind = fact.type
    value: Any = raw
    if isinstance(raw, str):
        _text(raw)
        value = raw.strip()
    if isinstance(raw, PercentCell) and kind != "rate":
        shown = plain((excel_number(raw) * 100).normalize())
        raise CellProblem("percent-cell", _("the cell shows {shown}% (a percentage format) but {name!r} is a {kind}, "
                                            "not a rate; type the number itself in a cell formatted "
                                            "as General or Number", shown=shown, name=name, kind=kind))
    if kind in ("number", "count", "rate"):
        value = _number(value, text_only)
        if unit is not None and (isinstance(value, Decimal) or split(value) is None and not said(value)):
            value = f"{plain(value) if isinstance(value, Decimal) else value.strip()}{unit}"  # converted as 62000万元 is
    elif kind == "boolean":
        if not isinstance(value, (bool, str)):
            raise CellProblem("wrong-type", _("expected 是/否 (true/false), got {value}", value=_show(raw)))
    elif kind in ("enum", "text"):
        if not isinstance(value, str):
            raise CellProblem("number-for-text" if isinstance(value, (int, float)) else "wrong-type",
                              _("expected text, the cell holds {value}; format the column as Text (文本)",
                                value=_show(raw)))
    elif kind == "date":
        value = _date(value)
    try:
        convert(fact, value)
    except BadValue as exc:
        raise CellProblem(exc.code, exc.message) from None
    return value


def _text(raw: str) -> None:
    bad = not_text(raw)
    if bad:
        raise CellProblem("bad-character", _("the text holds {bad}, {not_text}", bad=bad, not_text=_(NOT_TEXT)))


def _special(raw: Any) -> None:
    if isinstance(raw, FormulaWithoutValue):
        raise CellProblem("formula-without-value", _("the formula {formula} has no computed value; open the file in a "
                                                     "spreadsheet program and save it, or type the "
                                                     "value", formula=raw.formula))
    if isinstance(raw, ExcelErrorValue):
        raise CellProblem("excel-error", _("the cell holds the error value {raw}", raw=raw))


def _number(value: Any, text_only: bool) -> Decimal | str:
    if isinstance(value, bool):
        raise CellProblem("wrong-type", _("expected a number, got {value!r}", value=value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return excel_number(value)
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        raise CellProblem("wrong-type", _("expected a number, the cell holds the date {value}", value=value))
    text = str(value)
    if said(text):  # 转入下年度: the fact counts it as its scheme declares, or refuses it (cannot-defer)
        return text.strip()
    try:
        to_decimal(text, percent=True)  # the library's reading: "1,5" and "1_0" are no numbers
    except BadValue as bad:
        if bad.code not in ("out-of-range", "not-finite"):  # still numbers (if stored as text): named below
            if split(text):  # a number with its unit ("6.2亿元"): text by nature; the fact converts or refuses it
                return text
            if bad.code == "bad-number":
                raise CellProblem(bad.code, bad.message) from None
            # a cell may hold 32,767 characters: ``shown`` cuts it short
            raise CellProblem("not-a-number", _("expected a number, got {text}", text=shown(text))) from None
    if not text_only:
        raise CellProblem("number-as-text", _("the number {text} is stored as text; store it as a number (Excel: 转换为数字 "
                                              "/ Convert to Number)", text=shown(text)))
    return text


def excel_number(value: float) -> Decimal:
    """A number cell as Excel shows it (15 significant digits), never ``Decimal(float)``."""
    if value != value or value in (float("inf"), float("-inf")):
        raise CellProblem("not-finite", _("{value!r} is not a finite number", value=value))
    text = repr(value)
    if len(Decimal(text).as_tuple().digits) > EXCEL_DIGITS:
        text = format(value, f".{EXCEL_DIGITS}g")
    number = Decimal(text)
    return number.quantize(Decimal(1)) if number == number.to_integral_value() and abs(number) < 10**15 else number


def _date(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.time() != dt.time():
            raise CellProblem("wrong-type", _("expected a date, the cell holds a date and time {value}", value=value))
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        found = _DATE.match(value)
        if found:
            try:
                return dt.date(*map(int, found.groups()))
            except ValueError:
                raise CellProblem("wrong-type", _("{value!r} is not a date of the calendar", value=value)) from None
        return value
    raise CellProblem("wrong-type", _("expected a date like 2021-06-30, the cell holds {value}; format the column as a "
                                      "date", value=_show(value)))


def _show(raw: Any) -> str:
    if isinstance(raw, float):
        return _("the number {number}", number=excel_number(raw))
    if isinstance(raw, int) and not isinstance(raw, bool):
        return _("the number {number}", number=raw)
    return repr(raw)
