"""Exact decimal arithmetic: one pinned context, conversion at the boundary, rounding."""

from __future__ import annotations

import decimal
from decimal import Decimal
from functools import cache
from itertools import repeat
from typing import Iterable, Literal

#: Every computation runs in this context: 34 digits, errors trapped, never silent.
CONTEXT = decimal.Context(
    prec=34, rounding=decimal.ROUND_HALF_EVEN, Emax=999_999, Emin=-999_999,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)

ZERO = Decimal(0)
ONE = Decimal(1)

_MODES = {
    "half_up": decimal.ROUND_HALF_UP, "half_even": decimal.ROUND_HALF_EVEN,
    "half_down": decimal.ROUND_HALF_DOWN, "down": decimal.ROUND_DOWN, "up": decimal.ROUND_UP,
    "floor": decimal.ROUND_FLOOR, "ceiling": decimal.ROUND_CEILING,
}


@cache
def _unit(places: int) -> Decimal:
    """One unit in the last of ``places`` decimals (0.01 for 2): what ``quantize`` rounds to."""
    return Decimal(1).scaleb(-places)


def round_to(value: Decimal, places: int, mode: str = "half_up") -> Decimal:
    """Round ``value`` to ``places`` decimals (四舍五入 is ``half_up``)."""
    return value.quantize(_unit(places), rounding=_MODES[mode], context=CONTEXT)


def rounded(values: Iterable[Decimal], places: int, mode: str = "half_up") -> list[Decimal]:
    """``round_to`` of each value, in C."""
    return list(map(Decimal.quantize, values, repeat(_unit(places)), repeat(_MODES[mode]), repeat(CONTEXT)))


_WHOLE = {"floor": decimal.ROUND_FLOOR, "ceil": decimal.ROUND_CEILING, "nearest": decimal.ROUND_HALF_UP}


def whole_steps(steps: Iterable[Decimal], whole: Literal["floor", "ceil", "nearest", "pro_rata"]) -> list[Decimal]:
    """How many steps count, of each: whole ones rounded down, up, to nearest (half up), or pro rata."""
    if whole == "pro_rata":
        return list(steps)
    return list(map(Decimal.to_integral_value, steps, repeat(_WHOLE[whole]), repeat(CONTEXT)))


def clamp(value: Decimal, low: Decimal | None, high: Decimal | None) -> Decimal:
    if high is not None and value > high:
        value = high
    if low is not None and value < low:
        value = low
    return value


def clamped(values: list[Decimal], low: Decimal | None, high: Decimal | None) -> list[Decimal]:
    """``clamp`` of every value; ``values`` itself when none lies outside (checked in C)."""
    if not values or ((high is None or max(values) <= high) and (low is None or min(values) >= low)):
        return values
    if high is not None:  # as `clamp`: the upper bound first
        values = [high if value > high else value for value in values]
    return values if low is None else [low if value < low else value for value in values]


def adds_as_itself(value: Decimal) -> bool:
    """Whether ``0 + value`` is ``value`` digit for digit (not so for -0, or 1E+1, which becomes 10): then
    a sum of ``value`` alone can be ``value`` itself, with no new object."""
    return (ZERO + value).as_tuple() == value.as_tuple()


def plain(value: Decimal) -> str:
    """A decimal as people write it: no exponent, no trailing zeros beyond what it carries."""
    return format(value.copy_abs() if value.is_zero() else value, "f")
