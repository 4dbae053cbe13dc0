"""`per` on facts given as integers (an Arrow ``decimal128`` column) is computed in fixed point: the counts by
integer floor division, the points as scaled integers, the cap on integers. Every value handed out is the
decimal path's digit for digit (its places too: 40 is not 4E+1, 0.0 is not 0), at the scale edges."""

from __future__ import annotations

import sys
from decimal import Decimal as D
from pathlib import Path

from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from apprule.decimals import CONTEXT, whole_steps
from apprule.evaluate.fixed import Fixed, per

sys.path.insert(0, str(Path(__file__).parent))
from schemekit import scheme, units  # noqa: E402

WHOLES = ("floor", "ceil", "nearest")


def decimal_path(xs: list[D], size: D, points: D, whole: str) -> list[str]:
    """What `per`'s decimal kernel computes, as text (so 8E+1 and 80 differ)."""
    with_context = [CONTEXT.divide(x, size) for x in xs]
    return [str(CONTEXT.multiply(c, points)) for c in whole_steps(with_context, whole)]  # type: ignore[arg-type]


def test_counts_and_points_by_hand() -> None:
    # 12.50 / 5 = 2.5 → floor 2, ceil 3, nearest 3; -12.50 / 5 = -2.5 → floor -3, ceil -2, nearest (away) -3
    x = Fixed.of([D("12.50"), D("-12.50"), D("4.99"), D("0.00")], 2)
    got = {w: per(x, D(5), D("-0.5"), w) for w in WHOLES}
    assert got["floor"] is None  # 0.00 / 5 counts 0, and 0 × -0.5 is -0.0 in decimals: theirs
    x = Fixed.of([D("12.50"), D("-12.50"), D("4.99"), D("5.00")], 2)
    assert [str(v) for v in per(x, D(5), D("0.5"), "floor").decimals()] == ["1.0", "-1.5", "0.0", "0.5"]  # type: ignore[union-attr]
    assert [str(v) for v in per(x, D(5), D("0.5"), "ceil").decimals()] == ["1.5", "-1.0", "0.5", "0.5"]  # type: ignore[union-attr]
    assert [str(v) for v in per(x, D(5), D("0.5"), "nearest").decimals()] == ["1.5", "-1.5", "0.5", "0.5"]  # type: ignore[union-attr]


def test_the_decimal_path_is_kept_where_its_digits_differ() -> None:
    x = Fixed.of([D(40)], 0)
    assert per(x, D("0.5"), D(1), "floor") is None  # 40 / 0.5 is 8E+1 in decimals
    assert per(x, D(1), D("1E+1"), "floor") is None  # 40 × 1E+1 is 4.0E+2
    assert per(x, D(1), D(1), "pro_rata") is None
    assert per(Fixed.of([D(-0.5)], 1), D(1), D(2), "ceil") is None  # ceil(-0.5) is -0 in decimals


@settings(max_examples=400, deadline=None)
@given(ints=st.lists(st.integers(-(2 ** 63) + 1, 2 ** 63 - 1) | st.sampled_from([5, -5, 50, -50, 0, 1, -1]),
                     min_size=1, max_size=8),
       scale=st.integers(0, 18), size=st.sampled_from(["1", "0.5", "0.01", "3", "1E+1", "7.5", "0.000000000000000001"]),
       points=st.sampled_from(["10", "-0.1", "0.005", "-0.005", "3", "0", "2.50", "-7"]), whole=st.sampled_from(WHOLES))
@example(ints=[5, -5, 15, -15], scale=3, size="0.01", points="0.005", whole="nearest")  # half cents either sign
@example(ints=[2 ** 63 - 1, -(2 ** 63) + 1], scale=18, size="0.000000000000000001", points="3", whole="floor")
def test_fixed_per_is_the_decimal_path_digit_for_digit(ints: list[int], scale: int, size: str, points: str,
                                                       whole: str) -> None:
    x = Fixed(np.array(ints, np.int64), scale)
    got = per(x, D(size), D(points), whole)
    if got is not None:
        assert [str(v) for v in got.decimals()] == decimal_path(x.decimals(), D(size), D(points), whole)


def test_most_values_take_the_fixed_path() -> None:
    """Points for counts of a fact with 2 places: no fallback for an ordinary column (else the tests above
    prove nothing)."""
    x = Fixed.of([D("1.25"), D("-3.00"), D("250.50")], 2)
    for whole in WHOLES:
        assert per(x, D("0.25"), D("2.5"), whole) is not None


PER = scheme("x: {type: number, min: -999999999999999.999999999999999999, max: 999999999999999.999999999999999999}\n",
             "- {id: p, label: 每0.25加2.5分最多40分, per: {of: x, points: 2.5, size: 0.25}, max: 40.0}\n"
             "- {id: q, label: 每个减0.005分, per: {of: x, points: -0.005, whole: ceil}, min: -5}\n"
             "- {id: r, label: 每个加1分最多30分, per: {of: x, points: 1}, max: 30}\n",
             group="total: {label: 总分, round: {places: 2}}\n")


def _both(values: list[D], scale: int) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    names = [f"u{k}" for k in range(len(values))]
    by_dicts = PER.evaluate(units(**{n: {"x": v} for n, v in zip(names, values)}))
    table = pa.table({"unit": names, "group": ["g"] * len(names),
                      "x": pa.array(values, pa.decimal128(34, scale))})
    by_columns = PER.evaluate_columns(table)
    return ({n: [str(by_dicts[n].values[k]) for k in ("p", "q", "r")] + [str(by_dicts[n].total)] for n in names},
            {n: [str(by_columns[n].values[k]) for k in ("p", "q", "r")] + [str(by_columns[n].total)] for n in names})


def test_a_scheme_by_hand(monkeypatch: pytest.MonkeyPatch) -> None:
    import apprule.evaluate.shapes.per as shape

    taken: list[bool] = []

    def counting(*args: Any) -> Fixed | None:
        taken.append((out := per(*args)) is not None)
        return out

    monkeypatch.setattr(shape, "per", counting)
    dicts, columns = _both([D("3.10"), D("-0.01"), D("1000.00")], 2)
    assert dicts == columns
    assert taken == [True, True, True]  # the Arrow column's three rules, each in fixed point
    # 3.10: p 12 × 2.5 = 30.0; q ceil(3.10) = 4 × -0.005 = -0.020; r 3; total 32.98
    # 1000.00: p capped at 40.0; q -5 (the floor, as written); r capped at 30
    assert columns["u0"] == ["30.0", "-0.020", "3", "32.98"]
    assert columns["u2"] == ["40.0", "-5.000", "30", "65.00"]  # the decimal path's -5.000: capped there


@settings(max_examples=60, deadline=None)
@given(scale=st.integers(0, 18), data=st.data())
def test_arrow_columns_score_as_the_dicts_do(scale: int, data: st.DataObject) -> None:
    bound = 10 ** 15 * 10 ** scale - 1  # the largest declared bound, at the column's places
    ints = data.draw(st.lists(st.integers(-bound, bound) | st.sampled_from([5, -5, 0, bound, -bound]),
                              min_size=1, max_size=6))
    dicts, columns = _both([D(i).scaleb(-scale, CONTEXT) for i in ints], scale)
    assert dicts == columns
