"""Exact fixed point on columns: a column of numbers as integers counting ``10^-scale``.

A ``Fixed`` is an ``int64`` numpy array and a scale: ``Fixed([1234, -5], 2)`` holds 12.34 and -0.05.
Where a value does not fit ``int64`` at its scale (the bounds allow facts below 10^15 with up to 18
places, which needs 10^33) the array holds Python integers (numpy ``object``): exact, slower, and the
same code. Nothing here ever wraps: an ``int64`` operation that would overflow is done again in
Python integers. Nothing here is a binary float.

``Decimal`` is for the edges only: ``of`` reads decimals in, ``decimals`` hands them out, and
``from_arrow``/``to_arrow`` move between Arrow's ``decimal128`` (itself a scaled integer) and
``int64`` with no Python object per value. Rounding is integer arithmetic, with the modes of
``apprule.decimals`` (四舍五入 is ``half_up``: ties away from zero).
"""

from __future__ import annotations

from dataclasses import dataclass
import decimal
from decimal import Decimal
from itertools import compress, repeat
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Sequence, overload

import numpy as np

from ..decimals import CONTEXT, shown
from ..i18n import _

if TYPE_CHECKING:
    import pyarrow as pa

INT64_MAX = 2 ** 63 - 1
#: the most digits a scaled integer may have (what Arrow's decimal256 holds; facts within the bounds need 33)
MAX_DIGITS = 76


class TooLarge(ArithmeticError):
    """A value too large (or with too many places) to keep as a scaled integer."""
_OBJECT = np.dtype(object)
_INT64 = np.dtype(np.int64)


@dataclass(frozen=True, slots=True, eq=False)
class Fixed:
    """A column of exact numbers: ``ints[i] / 10^scale`` is the i-th."""

    ints: np.ndarray[Any, Any]  # int64, or object holding Python ints
    scale: int

    def __len__(self) -> int:
        return len(self.ints)

    @property
    def wide(self) -> bool:
        """Whether the integers are Python's (some value does not fit ``int64``)."""
        return bool(self.ints.dtype == _OBJECT)

    @classmethod
    def of(cls, values: Sequence[Decimal], scale: int) -> Fixed:
        """``values`` (finite decimals) at ``scale``; ``ValueError`` when one has more places than that."""
        scaled = list(map(Decimal.scaleb, values, repeat(scale), repeat(CONTEXT)))
        ints = list(map(int, scaled))
        if any(map(Decimal.__ne__, scaled, ints)):  # int() dropped places
            raise ValueError(_("a value has more than {scale} decimal places", scale=scale))
        return cls(_array(ints), scale)

    @classmethod
    def read(cls, values: Sequence[Decimal]) -> Fixed:
        """``values`` (decimals within the bounds) at the scale of the one with the most places.

        Each distinct value is converted once; where most values are 0 (a column of points earned
        by few units) only the others are looked at, found in C.
        """
        n = len(values)
        rows: list[int] | None = list(compress(range(n), values))
        if len(rows) * 2 > n:  # type: ignore[arg-type]
            rows, picked = None, values
        else:
            picked = list(map(values.__getitem__, rows))  # type: ignore[arg-type]
        distinct = set(picked)
        scale = places_of(distinct)
        if distinct:  # a formula's result may lie far outside the facts' bounds (1e999999): refused, not made
            biggest = max(max(distinct), -min(distinct))
            if biggest.adjusted() + 1 + scale > MAX_DIGITS:
                raise TooLarge(_("{value} needs more than {digits} digits at {scale} decimal places, more than exact "
                                 "arithmetic keeps", value=shown(biggest) if biggest.adjusted() < 40 else _("a value"),
                                 digits=MAX_DIGITS, scale=scale))
        ints_of = {d: int(d.scaleb(scale, CONTEXT)) for d in distinct}
        found = list(map(ints_of.__getitem__, picked))
        if rows is None:
            return cls(_array(found), scale)
        ints = np.zeros(n, np.int64)
        try:
            ints[rows] = found
        except OverflowError:
            ints = ints.astype(object)
            ints[rows] = found
        return cls(ints, scale)

    @classmethod
    def zeros(cls, n: int, scale: int = 0) -> Fixed:
        return cls(np.zeros(n, np.int64), scale)

    def decimals(self) -> list[Decimal]:
        """The values as decimals with exactly ``scale`` places (12.50 at scale 2). Each distinct value is made
        once: a column of scores repeats few values, and a decimal costs far more than a lookup."""
        if not len(self.ints):
            return []
        if self.wide:
            return [Decimal(v).scaleb(-self.scale, CONTEXT) for v in self.ints.tolist()]
        distinct, where = np.unique(self.ints, return_inverse=True)
        made = [Decimal(v).scaleb(-self.scale, CONTEXT) for v in distinct.tolist()]
        return list(map(made.__getitem__, where.ravel().tolist()))

    def at(self, i: int) -> Decimal:
        return Decimal(int(self.ints[i])).scaleb(-self.scale, CONTEXT)

    def rescaled(self, scale: int) -> Fixed:
        """The same values at a ``scale`` no smaller (the extra places are zeros); see ``rounded`` for fewer."""
        if scale == self.scale:
            return self
        if scale < self.scale:
            raise ValueError(_("rescaling from {scale} to {scale2} places would round: use rounded()",
                               scale=self.scale, scale2=scale))
        return Fixed(_times(self.ints, 10 ** (scale - self.scale)), scale)

    def __add__(self, other: Fixed) -> Fixed:
        a, b = _aligned(self, other)
        return Fixed(_plus(a.ints, b.ints), a.scale)

    def __neg__(self) -> Fixed:
        ints = self.ints
        if not self.wide and len(ints) and ints.min() == -INT64_MAX - 1:
            ints = ints.astype(object)
        return Fixed(-ints, self.scale)

    def where(self, mask: np.ndarray[Any, Any], other: Fixed) -> Fixed:
        """This column's values where ``mask`` holds, ``other``'s elsewhere."""
        a, b = _aligned(self, other)
        if a.ints.dtype != b.ints.dtype:
            return Fixed(np.where(mask, a.ints.astype(object), b.ints.astype(object)), a.scale)
        return Fixed(np.where(mask, a.ints, b.ints), a.scale)

    def masked(self, keep: np.ndarray[Any, Any]) -> Fixed:
        """The values where ``keep`` holds, 0 elsewhere."""
        return Fixed(np.where(keep, self.ints, 0), self.scale)

    def differs(self, other: Fixed) -> np.ndarray[Any, Any]:
        """Where the values of two columns differ (whatever their scales)."""
        a, b = _aligned(self, other)
        return np.asarray(a.ints != b.ints, bool)

    def compare(self, other: Decimal) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        """Where the values are below, and above, the number ``other`` (exactly, whatever its places)."""
        places = _places(other)
        a = self.rescaled(max(self.scale, places))
        bound = int(other.scaleb(a.scale, CONTEXT))
        if not a.wide and not -INT64_MAX - 1 <= bound <= INT64_MAX:  # beyond every int64: all on one side
            below = np.full(len(a), bound > 0)
            return below, ~below
        return a.ints < bound, a.ints > bound

    def clamped(self, low: Decimal | None, high: Decimal | None) -> Fixed:
        """Each value limited to [low, high] (the upper bound first, as ``decimals.clamp``), at a scale that
        holds the bounds too."""
        bounds = [(b, side) for b, side in ((high, 1), (low, 0)) if b is not None]
        out = self.rescaled(max([self.scale] + [_places(b) for b, _ in bounds]))
        for bound, side in bounds:
            outside = out.compare(bound)[side]
            if outside.any():
                out = Fixed.of([bound], out.scale).broadcast(len(out)).where(outside, out)
        return out

    def take(self, rows: np.ndarray[Any, Any]) -> Fixed:
        """The values at ``rows``, in their order."""
        return Fixed(self.ints[rows], self.scale)

    @classmethod
    def joined(cls, parts: Sequence[Fixed | int]) -> tuple[Fixed, np.ndarray[Any, Any] | None]:
        """Columns end to end, at the largest of their scales; an ``int`` is that many empty cells (nulls)."""
        scale = max((p.scale for p in parts if isinstance(p, Fixed)), default=0)
        arrays = [p.rescaled(scale).ints if isinstance(p, Fixed) else np.zeros(p, np.int64) for p in parts]
        if any(a.dtype == _OBJECT for a in arrays):
            arrays = [a.astype(object) for a in arrays]
        empty = [np.full(len(p), False) if isinstance(p, Fixed) else np.full(p, True) for p in parts]
        nulls = np.concatenate(empty) if empty else np.zeros(0, bool)
        ints = np.concatenate(arrays) if arrays else np.zeros(0, np.int64)
        return cls(ints, scale), nulls if nulls.any() else None

    def broadcast(self, n: int) -> Fixed:
        """A one-value column as ``n`` values."""
        return Fixed(np.repeat(self.ints, n), self.scale)

    def rounded(self, places: int, mode: str = "half_up") -> Fixed:
        """Each value rounded to ``places`` decimals (the modes of ``decimals.round_to``), at scale ``places``."""
        if places >= self.scale:
            return self.rescaled(places)
        step = 10 ** (self.scale - places)
        x = self.ints if step <= INT64_MAX or self.wide else self.ints.astype(object)
        q, r = x // step, x % step  # floor division: 0 <= r < step (np.divmod takes no Python integers)
        if mode == "floor":
            up = np.zeros(len(x), bool)
        elif mode == "ceiling":
            up = r > 0
        elif mode == "down":  # toward zero: up from the floor only below zero
            up = (r > 0) & (x < 0)
        elif mode == "up":  # away from zero
            up = (r > 0) & (x > 0)
        else:
            twice = r * 2  # below 2 × 10^18: no overflow
            tie = twice == step
            if mode == "half_up":  # ties away from zero
                tie_up = x > 0
            elif mode == "half_down":
                tie_up = x < 0
            elif mode == "half_even":
                tie_up = (q % 2) == 1
            else:
                raise ValueError(_("unknown rounding mode {mode!r}", mode=mode))
            up = (twice > step) | (tie & tie_up)
        return Fixed(_narrowed(q + up), places)

    @classmethod
    def from_arrow(cls, array: pa.Array | pa.ChunkedArray) -> tuple[Fixed, np.ndarray[Any, Any] | None]:
        """A ``decimal128`` column as integers at its scale, and where it is null (None: nowhere)."""
        import pyarrow as pa

        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks() if array.num_chunks != 1 else array.chunk(0)
        kind = array.type
        assert pa.types.is_decimal128(kind), kind
        n = len(array)
        words = np.frombuffer(array.buffers()[1], np.int64, 2 * n, 16 * array.offset)
        low, high = words[0::2], words[1::2]
        nulls = None if array.null_count == 0 else array.is_null().to_numpy(zero_copy_only=False)
        if nulls is not None:  # a null's bytes are anything
            low, high = np.where(nulls, 0, low), np.where(nulls, 0, high)
        if np.array_equal(high, low >> 63):  # every value fits int64
            return cls(low.copy(), kind.scale), nulls
        ints = [(h << 64) + (lo & 0xFFFF_FFFF_FFFF_FFFF) for lo, h in zip(low.tolist(), high.tolist())]
        return cls(np.array(ints, object), kind.scale), nulls

    def to_arrow(self, nulls: np.ndarray[Any, Any] | None = None) -> pa.Array:
        """The column as Arrow ``decimal128(p, scale)`` (``decimal256`` past 38 digits), ``p`` as narrow as the
        values allow with one whole digit at least; ``nulls`` marks empty cells."""
        import pyarrow as pa

        n = len(self.ints)
        valid = None if nulls is None or not nulls.any() else pa.py_buffer(np.packbits(~nulls, bitorder="little"))
        live = self.ints if nulls is None else self.ints[~nulls]
        biggest = int(max(abs(int(live.max())), abs(int(live.min())))) if len(live) else 0
        precision = max(len(str(biggest)) - self.scale, 1) + self.scale
        if precision > 76:
            raise ValueError(_("a value needs {precision} digits, more than an Arrow decimal holds (76)",
                               precision=precision))
        if self.wide or precision > 38:
            values: list[Decimal | None] = list(self.decimals())
            for i in [] if nulls is None else np.flatnonzero(nulls).tolist():
                values[i] = None
            kind = pa.decimal128(precision, self.scale) if precision <= 38 else pa.decimal256(precision, self.scale)
            return pa.array(values, type=kind)
        words = np.empty(2 * n, np.int64)
        words[0::2] = self.ints
        words[1::2] = self.ints >> 63  # the high word: the sign, extended
        return pa.Array.from_buffers(pa.decimal128(precision, self.scale), n, [valid, pa.py_buffer(words)])


class Numbers(Sequence[Decimal]):
    """A column of exact numbers given as integers (an Arrow ``decimal128`` column) that reads as decimals,
    made on first reading, each distinct value once. Validation checks it as integers and the kernels that
    can read ``fixed`` never make the decimals at all."""

    __slots__ = ("fixed", "_decimals")

    def __init__(self, fixed: Fixed):
        self.fixed = fixed
        self._decimals: list[Decimal] | None = None

    def decimals(self) -> list[Decimal]:
        if self._decimals is None:
            self._decimals = self.fixed.decimals()
        return self._decimals

    @overload
    def __getitem__(self, i: int) -> Decimal: ...

    @overload
    def __getitem__(self, i: slice) -> list[Decimal]: ...

    def __getitem__(self, i: int | slice) -> Decimal | list[Decimal]:
        if isinstance(i, int) and self._decimals is None:  # one value (a few rows a kernel leaves to decimals)
            return self.fixed.at(i)
        return self.decimals()[i]

    def __len__(self) -> int:
        return len(self.fixed)

    def __iter__(self) -> Iterator[Decimal]:
        return iter(self.decimals())

    def take(self, rows: Sequence[int]) -> Numbers:
        return Numbers(self.fixed.take(np.asarray(rows, np.int64)))


def places_of(values: Iterable[Decimal]) -> int:
    """The most decimal places any of ``values`` (finite) carries, found in C: an exact sum's exponent is the
    least of its terms'."""
    try:
        with decimal.localcontext(_SUMMING):
            return _places(sum(values, Decimal(0)))
    except decimal.Rounded:  # sizes too far apart to add exactly: value by value
        return max(map(_places, values), default=0)


#: adds exactly (or raises Rounded) values within the bounds, or any two results: 34 digits, sizes within 10^66
_SUMMING = decimal.Context(prec=100, traps=[decimal.Rounded, decimal.InvalidOperation, decimal.Overflow])


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    return max(-exponent, 0)


def _array(ints: list[int]) -> np.ndarray[Any, Any]:
    try:
        return np.array(ints, np.int64)
    except OverflowError:
        return np.array(ints, object)


def _narrowed(ints: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Python integers back in ``int64`` when every one fits (after rounding away places, say)."""
    if ints.dtype == _OBJECT and (not len(ints) or -INT64_MAX <= min(ints) and max(ints) <= INT64_MAX):
        return ints.astype(np.int64)
    return ints


def _aligned(a: Fixed, b: Fixed) -> tuple[Fixed, Fixed]:
    scale = max(a.scale, b.scale)
    return a.rescaled(scale), b.rescaled(scale)


def _times(ints: np.ndarray[Any, Any], factor: int) -> np.ndarray[Any, Any]:
    """``ints × factor``, in Python integers where ``int64`` would overflow."""
    if ints.dtype != _OBJECT and len(ints) and (
            factor > INT64_MAX or max(-int(ints.min()), int(ints.max())) > INT64_MAX // factor):
        ints = ints.astype(object)
    out: np.ndarray[Any, Any] = ints * factor
    return out


def _plus(a: np.ndarray[Any, Any], b: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """``a + b``, in Python integers where ``int64`` would overflow (detected from the signs: an overflowing
    sum has the sign of neither term)."""
    if a.dtype == _OBJECT or b.dtype == _OBJECT:
        return _narrowed(a.astype(object) + b.astype(object))
    total: np.ndarray[Any, Any] = a + b
    if ((a ^ total) & (b ^ total)).min(initial=0) < 0:
        total = a.astype(object) + b.astype(object)
    return total


def per(x: Fixed, size: Decimal, points: Decimal, whole: str) -> Fixed | None:
    """``points`` for each whole ``size`` in each value (``whole``: "floor", "ceil" or "nearest", half up), as
    ``per``'s decimal path computes it (``whole_steps(x / size) × points``) digit for digit, by integer floor
    division: exact. None where the decimals could differ, and the caller takes their path: a count the
    decimal division (34 digits) might round across a whole step, a count or points whose places would vary
    from unit to unit (40 / 0.5 is 8E+1 there), pro rata counts, a zero that carries a sign there (-0).
    """
    size_places, points_exponent = _places(size), points.as_tuple().exponent
    if x.wide or whole not in ("floor", "ceil", "nearest") or size_places > x.scale or \
            not isinstance(points_exponent, int) or points_exponent > 0 or not len(x):
        return None
    # x / size = ints / divisor; rounded to 34 digits the quotient (below 10^19) moves by 0.5 × 10^-15 at
    # most, less than its distance to any whole or half step (1 / (2 × divisor)) while divisor < 10^15
    divisor = int(size.scaleb(x.scale, CONTEXT))
    if divisor >= 10 ** 15:
        return None
    ints = x.ints
    counts, left = ints // divisor, ints % divisor  # floor division: 0 <= left < divisor
    if whole == "ceil":
        counts = counts + (left > 0)
    elif whole == "nearest":  # half up: a tie goes up above zero, down below it
        twice = left * 2
        counts = counts + ((twice > divisor) | ((twice == divisor) & (ints > 0)))
    negative = ints < 0  # the count's sign in the decimal path (-0 where a negative value counts 0 steps)
    factor = int(points.scaleb(-points_exponent, CONTEXT))
    if ((negative != points.is_signed()) & ((counts == 0) | (factor == 0))).any():
        return None  # a -0 there: kept as the decimals say
    if factor and max(-int(counts.min()), int(counts.max())) > INT64_MAX // abs(factor):
        counts = counts.astype(object)
    return Fixed(_narrowed(counts * factor), -points_exponent)


def total(columns: Sequence[Fixed], n: int) -> Fixed:
    """Each unit's sum over ``columns`` (0 for every unit when there are none)."""
    out = Fixed.zeros(n)
    for column in columns:
        out = out + column
    return out


# --- Events (the `for_each` kernel): each event's value at a scale, combined per unit by grouped reductions ---
#
# A decimal sum shows the most places of its terms (0 + 2.5 + 1 is 3.5, 0 + 2.50 is 2.50), so beside each
# integer goes the places its decimal carries as written: a unit's value is handed out with the places the
# decimal path would give it, digit for digit.


@dataclass(frozen=True, slots=True)
class Parts:
    """Exact numbers as integers at ``scale`` (``int64``), and the decimal places each carries as written."""

    ints: np.ndarray[Any, Any]
    places: np.ndarray[Any, Any]
    scale: int


def parts_of(values: Sequence[Decimal], scale: int) -> tuple[list[int], list[int]] | None:
    """``values`` (finite decimals) as integers at ``scale`` and the places of each (0 for a whole number,
    1E+1 included); None where one has more places than ``scale`` or does not fit ``int64`` there."""
    ints, places = [], []
    for value in values:
        exponent = value.as_tuple().exponent
        if not isinstance(exponent, int) or -exponent > scale:
            return None
        scaled = int(value.scaleb(scale, CONTEXT))
        if not -INT64_MAX <= scaled <= INT64_MAX:
            return None
        ints.append(scaled)
        places.append(max(-exponent, 0))
    return ints, places


def unit_totals(owners: np.ndarray[Any, Any], values: Parts, n: int, how: str = "sum",
                matters: np.ndarray[Any, Any] | None = None, rank: np.ndarray[Any, Any] | None = None,
                low: Decimal | None = None, high: Decimal | None = None) -> Parts | None:
    """Each of ``n`` units' total over its events (``owners``: each event's unit, ascending; ``values``: each
    event's value), as ``for_each``'s decimal path makes it: the events of one matter (same ``matters`` code
    within a unit) combined (``how``: all summed, or the one ``rank`` puts first, the earliest among equals),
    each matter's subtotal limited to [low, high] (the upper bound first), the subtotals summed. A unit with
    no event is 0. None where an ``int64`` sum could overflow (the caller keeps the decimals: exact)."""
    scale = max([values.scale] + [_places(b) for b in (low, high) if b is not None])
    if scale != values.scale:
        values = Parts(_times(values.ints, 10 ** (scale - values.scale)), values.places, scale)
    if not len(owners):
        return Parts(np.zeros(n, np.int64), np.zeros(n, np.int64), scale)
    bounds = [int(b.scaleb(scale, CONTEXT)) for b in (low, high) if b is not None]
    per_unit = np.diff(np.flatnonzero(np.r_[True, owners[1:] != owners[:-1], True]))
    biggest = max([int(np.abs(values.ints).max())] + [abs(b) for b in bounds])
    if biggest > INT64_MAX // (int(per_unit.max()) + 1):  # a sum of the largest values, one per event and bound
        return None
    ints, places = values.ints, values.places
    if how != "sum" or bounds:  # else a unit's matters need not be told apart: their sum is the unit's
        ints, places, owners = _by_matter(owners, ints, places, how, matters, rank, low, high, scale)
    starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
    out = Parts(np.zeros(n, np.int64), np.zeros(n, np.int64), scale)
    out.ints[owners[starts]] = np.add.reduceat(ints, starts)
    out.places[owners[starts]] = np.maximum.reduceat(places, starts)
    return out


def _by_matter(owners: np.ndarray[Any, Any], ints: np.ndarray[Any, Any], places: np.ndarray[Any, Any], how: str,
               matters: np.ndarray[Any, Any] | None, rank: np.ndarray[Any, Any] | None, low: Decimal | None,
               high: Decimal | None, scale: int) -> tuple[np.ndarray[Any, Any], ...]:
    """Each matter's subtotal, its places, and its unit (ascending): the events of a matter ordered by ``rank``
    (then by their order) and the first kept unless ``how`` sums them, the subtotal then limited."""
    matters = np.zeros(len(owners), np.int64) if matters is None else matters
    position = np.arange(len(owners))
    if how == "sum":
        order = np.lexsort((position, matters, owners))
    else:
        assert rank is not None
        order = np.lexsort((position, rank, matters, owners))
    owners, matters, ints, places = owners[order], matters[order], ints[order], places[order]
    starts = np.flatnonzero(np.r_[True, (owners[1:] != owners[:-1]) | (matters[1:] != matters[:-1])])
    if how == "sum":
        ints, places = np.add.reduceat(ints, starts), np.maximum.reduceat(places, starts)
    else:
        ints, places = ints[starts], places[starts]
    for bound, beyond in ((high, np.greater), (low, np.less)):  # as `decimals.clamp`: the upper bound first
        if bound is not None:
            at = int(bound.scaleb(scale, CONTEXT))
            outside = beyond(ints, at)
            ints = np.where(outside, at, ints)
            places = np.where(outside, _places(bound), places)  # the bound itself takes the subtotal's place
    return ints, places, owners[starts]


def totals_handed_out(totals: Parts) -> Fixed | list[Decimal]:
    """Units' totals as the decimal path shows them: one fixed-point column where every value carries the same
    places (and ``Fixed.read`` of its decimals would find that scale), else decimals, each with its own."""
    places = totals.places
    most = int(places.max()) if len(places) else 0
    ints = totals.ints
    if (places == most).all() and (most == 0 or ints.any()):
        return Fixed(ints // 10 ** (totals.scale - most), most)  # exact: no value has more places
    made: dict[tuple[int, int], Decimal] = {}
    out = []
    shift = totals.scale
    for value, place in zip(ints.tolist(), places.tolist()):
        d = made.get((value, place))
        if d is None:
            d = made[(value, place)] = Decimal(value // 10 ** (shift - place)).scaleb(-place, CONTEXT)
        out.append(d)
    return out


# --- steps, rate and bands in fixed point (issue 15) ---------------------------------------------------------------
#
# Each function computes what its shape's decimal kernel computes, on the integers of facts given as ``Fixed``, and
# says None (or marks the rows) where the decimals could write a different digit: the caller then takes their path.


def looked_up(made: Sequence[Decimal], where: np.ndarray[Any, Any]) -> Fixed | list[Decimal]:
    """``made[where[i]]`` for each unit: as fixed point where every value used has the same places (and none is
    -0), so that the decimals read back from it are these digit for digit; else as the decimals themselves, each
    distinct one made once and shared."""
    used = np.unique(where).tolist()
    exponents = {made[k].as_tuple().exponent for k in used}
    if len(exponents) == 1 and not any(made[k].is_signed() and not made[k] for k in used):
        exponent = exponents.pop()
        if isinstance(exponent, int) and exponent <= 0:
            table = [0] * len(made)
            for k in used:
                table[k] = int(made[k].scaleb(-exponent, CONTEXT))
            return Fixed(_array(table)[where], -exponent)
    return list(map(made.__getitem__, where.tolist()))


def step_counts(x: Fixed, target: Fixed, ratio: bool, size: Decimal, whole: str, over: bool
                ) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]] | None:
    """`steps`' whole steps on one side (``over``: the distance above 0, else below it): where the side applies,
    the counts there, and the units whose count the decimal path may write with a positive exponent (2E+1, when
    an exact quotient ends in 0 and the size has more places than the distance): the caller takes theirs.

    The distance is ``x - target`` or ``x / target - 1``; the count ``whole(|distance| / size)``, here
    ``num // den`` on integers: ``|X - T| × 10^p // (10^s × size × 10^p)`` for a difference (X, T the values at
    their common scale s, p the size's places), ``|X - T| × 10^p // (|T| × size × 10^p)`` for a ratio, which
    divides nothing until the count (cross-multiplied). The decimal path rounds each of its divisions to 34
    digits (a ratio: x / t, then - 1, then / size). None where that rounding could move a count across a whole
    (or, for ``nearest``, a half) step, and for pro rata counts and a zero ratio target (the decimals' error):

    - a difference: the quotient ``num / den`` moves by at most half a unit in its 34th digit, ``num × 10^-33 /
      (2 den)``, less than the distance ``1 / (2 den)`` of any other fraction of denominator ``den`` to a whole or
      half step while ``num < 10^33``;
    - a ratio: each rounding is relative, below 5 × 10^-34, and the three move the count by less than
      ``3 × (|x / t| + 1) / size × 5 × 10^-34``, less than ``1 / (2 den)`` while ``(|X| + |T|) × 10^p < 10^31``
      (with a factor 10 to spare); the sign is the true one then too (``|x / t - 1| >= 1 / |T|``, far above the
      rounding), and a count that is exactly whole (or half) is exact in the decimals too, having few digits.

    With values in ``int64`` these hold for any size with fewer than 12 places: the 34-digit rounding cannot
    change a count of facts within their bounds, and the kernels take the decimal path only for the rare counts
    written with an exponent.
    """
    if x.wide or target.wide or whole not in ("floor", "ceil", "nearest") or not len(x):
        return None
    a, t = _aligned(x, target)
    if a.wide or t.wide or (ratio and not t.ints.all()):
        return None
    size_exponent = size.as_tuple().exponent
    assert isinstance(size_exponent, int)
    places = max(-size_exponent, 0)
    size_int = int(size.scaleb(places, CONTEXT))
    big = max(_magnitude(a.ints), _magnitude(t.ints))
    most = 2 * big * 10 ** places  # the largest numerator
    if ratio:
        if most >= 10 ** 31:
            return None
        den_most = big * size_int
    else:
        if most >= 10 ** 33:
            return None
        den_most = size_int * 10 ** a.scale
    wide = max(most, 2 * den_most) > INT64_MAX
    xs, ts = (a.ints.astype(object), t.ints.astype(object)) if wide else (a.ints, t.ints)
    diff = xs - ts
    above = (diff > 0) == (ts > 0) if ratio else diff > 0  # the sign of the distance, where it is not 0
    beyond = (diff != 0) & (above if over else ~above)
    num = np.abs(diff) * 10 ** places
    den: Any = np.abs(ts) * size_int if ratio else size_int * 10 ** a.scale
    counts, left = num // den, num % den
    if whole == "ceil":
        counts = counts + (left > 0)
    elif whole == "nearest":  # the quotient is positive: a half goes up
        counts = counts + (left * 2 >= den)
    # the decimal quotient's exponent is at most (the distance's, 0 or below) - (the size's): positive only there
    ideal = -size_exponent - (0 if ratio else a.scale)
    doubt = beyond & (left == 0) & (counts % 10 == 0) & (counts > 0) if ideal > 0 else np.zeros(len(x), bool)
    return beyond, _narrowed(counts) if wide else counts, np.asarray(doubt, bool)


def rate_points(x: Fixed, weight: Decimal) -> Fixed | list[Decimal] | None:
    """`rate`'s points: each value limited to [0, 1] then times ``weight``, as the decimal path writes them (a
    value cut to 0 or 1 is the integer there, so its product has the weight's places, not the value's). None
    where the decimals could differ: a weight with a positive exponent or a sign (0 × -5 is -0 there), or a
    product beyond their 34 digits."""
    exponent = weight.as_tuple().exponent
    if x.wide or not isinstance(exponent, int) or exponent > 0 or weight.is_signed() or not len(x):
        return None
    factor = int(weight.scaleb(-exponent, CONTEXT))
    one = 10 ** x.scale
    if one * factor >= 10 ** 34:
        return None
    ints = np.clip(x.ints, 0, one)
    out = Fixed(_times(ints, factor) if factor else np.zeros(len(ints), np.int64), x.scale - exponent)
    cut = np.flatnonzero((x.ints < 0) | (x.ints > one))
    if not len(cut) or x.scale == 0:
        return out
    values = out.decimals()
    made = {0: CONTEXT.multiply(Decimal(0), weight), one: CONTEXT.multiply(Decimal(1), weight)}
    for i in cut.tolist():
        values[i] = made[int(ints[i])]
    return values


def _magnitude(ints: np.ndarray[Any, Any]) -> int:
    """The largest size of the values (a Python integer: ``-int64.min`` does not fit)."""
    return max(-int(ints.min()), int(ints.max())) if len(ints) else 0
