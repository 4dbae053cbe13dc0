"""Units of measure (计量单位): a number given with its unit is converted into its fact's unit, or refused.

A fact declares the unit it counts in (`unit: 万元`). A value given as a bare number is taken in that unit;
a value given with a unit (`6.2亿元`) is converted when the two units measure the same thing (money, people,
points …) and refused otherwise (`wrong-unit`), never read as a bare number. Every factor is a power of ten,
so a conversion only moves the decimal point: it is exact.
"""

from __future__ import annotations

import re
from decimal import Decimal

from .decimals import CONTEXT
from .i18n import _

#: unit → (what it measures, the power of ten it is of that dimension's smallest unit here)
UNITS: dict[str, tuple[str, int]] = {
    "元": ("人民币", 0), "万元": ("人民币", 4), "亿元": ("人民币", 8),
    "美元": ("美元", 0), "万美元": ("美元", 4), "亿美元": ("美元", 8),
    "%": ("百分比", 0),
    "人": ("人数", 0), "万人": ("人数", 4),
    "人次": ("人次", 0),
    "次": ("次数", 0),
    "个": ("个数", 0),
    "项": ("项数", 0),
    "家": ("家数", 0),
    "起": ("起数", 0),
    "分": ("分值", 0),
    "名": ("名次", 0), "位": ("名次", 0),
}

#: a number with its unit ("12分", "1,500 元", "6.2亿元"): thousands separators only between groups of three, as
#: the library reads them, and a unit that starts with no digit, sign or separator ("1,5分", "1_0" and "1，234" are
#: no numbers with a unit). Every quantifier is possessive, so a long text is matched in one pass (a 60,000-digit
#: cell once took the backtracking pattern 30 seconds).
NUMBER_WITH_UNIT = re.compile(
    r"\s*+([-+]?+(?:\d{1,3}+(?:,\d{3})++|\d++)(?:\.\d++)?+)\s*+([^\s\d,.，_+-]\S*+)\s*+")


class WrongUnit(Exception):
    """A unit that does not convert into the fact's (the caller words the issue with unit and fact)."""


def split(text: str) -> tuple[str, str] | None:
    """The number and the unit of ``text``, when it is a number followed by a unit."""
    found = NUMBER_WITH_UNIT.fullmatch(text)
    return (found.group(1), found.group(2)) if found else None


def converted(number: Decimal, given: str, declared: str | None) -> Decimal:
    """``number`` ``given`` in one unit, in the ``declared`` unit of its fact; ``WrongUnit`` when it is not one."""
    if declared is None:
        raise WrongUnit(_("the fact declares no unit, so a value in {given} cannot be read; give the number alone",
                          given=given))
    if given == declared:
        return number
    into, have = UNITS.get(declared), UNITS.get(given)
    if have is None:
        raise WrongUnit(_("{given} is not a unit apprule knows; give the number in {declared}", given=given,
                          declared=declared))
    if into is None or into[0] != have[0]:
        raise WrongUnit(_("{given} ({kind}) does not convert into the fact's unit {declared}", given=given,
                          kind=have[0], declared=declared))
    # exact: a bounded number has fewer digits than CONTEXT; 6.2E+4 is written 62000
    moved = number.scaleb(have[1] - into[1], CONTEXT)
    return moved.quantize(Decimal(1), context=CONTEXT) if moved.as_tuple().exponent > 0 else moved  # type: ignore[operator]


def labelled(label: str | None, unit: str | None) -> str | None:
    """A fact's label with the unit it counts in, as a form shows it: 完成融资(亿元)."""
    return f"{label}({unit})" if label and unit else label
