"""Exact decimal arithmetic: one pinned context, conversion at the boundary, rounding."""

from __future__ import annotations

import decimal
from decimal import Decimal
from functools import cache
from itertools import repeat
from typing import Iterable, Literal

from .i18n import N_, _

#: Every computation runs in this context: 34 digits, errors trapped, never silent.
CONTEXT = decimal.Context(
    prec=34, rounding=decimal.ROUND_HALF_EVEN, Emax=999_999, Emin=-999_999,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)

ZERO = Decimal(0)
ONE = Decimal(1)

#: The numbers apprule takes, in a fact or in a scheme: less than 10^15 in size, at most 18 decimal places.
#: 10^15 holds any amount a unit reports (in yuan, China's GDP is about 1.3 × 10^14), any count and any score;
#: 18 places hold every number a spreadsheet cell shows (15 significant digits) down to 0.001, and any rate
#: written by hand. Such a number has at most 33 digits, so the 34-digit ``CONTEXT`` holds it exactly, and the
#: fixed-point core can keep every one as an integer count of 10^-18 below 10^33 (a 128-bit integer holds the
#: sum of 100,000 of them). The bounds keep a hostile exponent (1e1000000) from reaching any arithmetic.
MAX_MAGNITUDE = Decimal(10) ** 15
MAX_PLACES = 18
#: said through ``_`` where it is used, as are the reasons ``within_bounds`` gives
BOUNDS = N_("apprule takes numbers below 10^15 in size with at most 18 decimal places")
_LAST_PLACE = Decimal(1).scaleb(-MAX_PLACES)
#: quantizing to 18 places, exactly or not at all (15 + 18 digits fit its precision)
_EXACT = decimal.Context(prec=34, traps=[decimal.Inexact, decimal.InvalidOperation, decimal.Overflow])


def within_bounds(number: Decimal) -> Decimal | str:
    """``number`` as apprule keeps it, or why it lies outside the bounds (``BOUNDS``).

    Zeros past the 18th decimal place change no value: they are dropped. Only the comparisons run
    before the size is known, and they cost nothing whatever the exponent.
    """
    if not number.is_finite():
        return N_("is not a finite number")
    if not -MAX_MAGNITUDE < number < MAX_MAGNITUDE:
        return N_("is too large")
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)  # a finite number's
    if exponent >= -MAX_PLACES:
        return number
    try:
        return number.quantize(_LAST_PLACE, context=_EXACT)
    except decimal.Inexact:
        return N_("has more than 18 decimal places")  # MAX_PLACES


#: an exact sum of numbers within the bounds (magnitude below 10^15) needs at most 33 + 27 digits for 10^27 terms
_SUMMING = decimal.Context(prec=60, traps=[decimal.Rounded, decimal.InvalidOperation, decimal.Overflow])


def places_within(numbers: Iterable[Decimal]) -> bool:
    """Whether every one of ``numbers`` (finite, each below 10^15 in size) has at most ``MAX_PLACES`` decimal
    places as written. In C: the exponent of an exact sum is the least of its terms' (and a sum that would need
    rounding has a term with far too many places)."""
    try:
        with decimal.localcontext(_SUMMING):
            total = sum(numbers, ZERO)
    except ArithmeticError:
        return False
    exponent = total.as_tuple().exponent
    return isinstance(exponent, int) and exponent >= -MAX_PLACES


def shown(value: object) -> str:
    """``repr(value)`` for a message, kept short: a hostile value must not make a huge message (or fail to
    print, as an integer of more than 4,300 digits does)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10 ** 40:
        return _("an integer of {n} digits", n=_digits(value))
    if isinstance(value, str) and len(value) > 40:
        return _("{start!r} ({n} characters)", start=value[:20] + "…", n=len(value))
    try:
        text = repr(value)
    except ValueError:  # it holds an integer of more than 4,300 digits
        return _("a {type} holding a huge integer", type=type(value).__name__)
    return text if len(text) <= 200 else text[:100] + "… " + _("({n} characters)", n=len(text))


def _digits(value: int) -> int:
    """How many decimal digits ``value`` has, without converting it to text."""
    n = abs(value)
    digits = max(int(n.bit_length() * 0.30102999566398120) - 1, 1)  # log10(2): within one of the count
    while 10 ** digits <= n:
        digits += 1
    return digits

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


def plain(value: Decimal) -> str:
    """A decimal as people write it: no exponent, no trailing zeros beyond what it carries."""
    return format(value.copy_abs() if value.is_zero() else value, "f")
