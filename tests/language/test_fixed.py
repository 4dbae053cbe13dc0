"""The fixed-point numbers module against plain Decimal, digit for digit, at the scale edges."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apprule.decimals import CONTEXT, MAX_PLACES, _MODES, clamp, round_to
from apprule.evaluate.fixed import INT64_MAX, Fixed, total

D = Decimal
MODES = sorted(_MODES)


def column(*texts: str, scale: int = 2) -> Fixed:
    return Fixed.of([D(t) for t in texts], scale)


def test_values_in_and_out_keep_their_scale() -> None:
    col = column("12.5", "-0.05", "0", "7")
    assert col.ints.tolist() == [1250, -5, 0, 700]
    assert [str(d) for d in col.decimals()] == ["12.50", "-0.05", "0.00", "7.00"]


def test_a_value_with_more_places_than_the_scale_is_refused() -> None:
    with pytest.raises(ValueError, match="more than 2 decimal places"):
        column("0.125")


def test_half_up_rounds_ties_away_from_zero() -> None:
    col = column("0.125", "-0.125", "0.124", "-0.126", "2.5", scale=3)
    assert [str(d) for d in col.rounded(2).decimals()] == ["0.13", "-0.13", "0.12", "-0.13", "2.50"]
    assert [str(d) for d in col.rounded(2, "half_even").decimals()] == ["0.12", "-0.12", "0.12", "-0.13", "2.50"]


def test_a_sum_past_int64_is_exact_in_python_integers() -> None:
    big = Fixed(np.array([INT64_MAX, -INT64_MAX, 1], np.int64), 0)
    summed = big + Fixed(np.array([1, -2, 1], np.int64), 0)
    assert summed.wide and summed.ints.tolist() == [INT64_MAX + 1, -INT64_MAX - 2, 2]


def test_the_bounds_widest_values_are_python_integers() -> None:
    widest = D("999999999999999.999999999999999999")  # below 10^15, 18 places: 33 digits
    col = Fixed.of([widest, CONTEXT.minus(widest)], MAX_PLACES)
    assert col.wide and col.decimals() == [widest, CONTEXT.minus(widest)]
    assert col.rounded(2).decimals() == [D("1000000000000000.00"), D("-1000000000000000.00")]
    assert not col.rounded(2).wide  # narrowed again once it fits


def test_arrow_decimal128_in_and_out_without_python_values() -> None:
    array = pa.array([D("1.25"), None, D("-3.50"), D("0.00")], pa.decimal128(5, 2))
    col, nulls = Fixed.from_arrow(array)
    assert col.ints.tolist() == [125, 0, -350, 0] and col.scale == 2
    assert nulls is not None and nulls.tolist() == [False, True, False, False]
    out = col.to_arrow(nulls)
    assert out.type == pa.decimal128(3, 2)
    assert out.to_pylist() == [D("1.25"), None, D("-3.50"), D("0.00")]
    sliced, _ = Fixed.from_arrow(array.slice(2))
    assert sliced.ints.tolist() == [-350, 0]


def test_arrow_values_past_int64() -> None:
    values = [D("12345678901234567890.12"), D("-12345678901234567890.12"), D("1.00")]
    col, nulls = Fixed.from_arrow(pa.array(values, pa.decimal128(30, 2)))
    assert nulls is None and col.wide and col.decimals() == values
    assert col.to_arrow().to_pylist() == values


def test_a_clamp_to_a_bound_with_more_places_keeps_both_exact() -> None:
    col = column("3", "0.5", "-1")
    assert col.clamped(D("0"), D("2.125")).decimals() == [D("2.125"), D("0.5"), D("0")]
    assert col.clamped(D("0"), D("2.125")).scale == 3


def test_the_sum_of_no_column_is_zero() -> None:
    assert total([], 3).decimals() == [D(0)] * 3


# the scale edges: the most places a fact allows, half cents, negative half cents, the largest bounds
places = st.integers(0, MAX_PLACES)
edge = st.one_of(
    st.sampled_from([D("0.005"), D("-0.005"), D("0.015"), D("-0.015"), D("0.5"), D("-0.5"), D(0),
                     D("999999999999999.999999999999999999"), D("-999999999999999.999999999999999999"),
                     D("9223372036854775.807"), D("-9223372036854775.808"), D("1E-18"), D("-1E-18")]),
    st.decimals(min_value=D("-999999999999999"), max_value=D("999999999999999"), allow_nan=False,
                allow_infinity=False, places=2),
    st.builds(lambda i, p: D(i).scaleb(-p, CONTEXT), st.integers(-10 ** 15 + 1, 10 ** 15 - 1), places),
    st.builds(lambda i, p: D(i).scaleb(-p, CONTEXT), st.integers(-10 ** 33 + 1, 10 ** 33 - 1), st.just(MAX_PLACES)),
)
values = st.lists(edge, min_size=1, max_size=12)


def places_of(xs: list[Decimal]) -> int:
    return max(max(-x.as_tuple().exponent, 0) for x in xs)  # type: ignore[operator]


@settings(max_examples=300)
@given(values, st.integers(0, 12), st.sampled_from(MODES))
def test_rounding_agrees_with_decimal(xs: list[Decimal], to: int, mode: str) -> None:
    col = Fixed.of(xs, places_of(xs))
    assert col.decimals() == xs
    rounded = col.rounded(to, mode)
    assert rounded.scale == to
    assert [str(d) for d in rounded.decimals()] == [str(CONTEXT.add(round_to(x, to, mode), 0)) for x in xs]


@settings(max_examples=300)
@given(values, values)
def test_sums_agree_with_decimal(xs: list[Decimal], ys: list[Decimal]) -> None:
    n = min(len(xs), len(ys))
    xs, ys = xs[:n], ys[:n]
    summed = Fixed.of(xs, places_of(xs)) + Fixed.of(ys, places_of(ys))
    assert summed.decimals() == [CONTEXT.add(x, y) for x, y in zip(xs, ys)]


@settings(max_examples=300)
@given(values, st.one_of(st.none(), edge), st.one_of(st.none(), edge))
def test_clamps_and_comparisons_agree_with_decimal(xs: list[Decimal], low: Decimal | None,
                                                   high: Decimal | None) -> None:
    col = Fixed.of(xs, places_of(xs))
    assert col.clamped(low, high).decimals() == [clamp(x, low, high) for x in xs]
    if high is not None:
        below, above = col.compare(high)
        assert below.tolist() == [x < high for x in xs] and above.tolist() == [x > high for x in xs]


@settings(max_examples=200)
@given(values)
def test_arrow_round_trip_agrees_with_decimal(xs: list[Decimal]) -> None:
    col = Fixed.of(xs, places_of(xs))
    out = col.to_arrow()
    assert out.to_pylist() == xs
    back, _ = Fixed.from_arrow(out)
    assert back.decimals() == xs


def test_a_value_too_large_for_exact_arithmetic_is_refused_not_made() -> None:
    from apprule.evaluate.fixed import TooLarge

    with pytest.raises(TooLarge, match="more than 76 digits"):
        Fixed.read([D("-1E+999999"), D(1)])
    with pytest.raises(TooLarge):
        Fixed.read([D("1E-999999"), D(1)])
