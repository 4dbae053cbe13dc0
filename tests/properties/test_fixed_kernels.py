"""`steps`, `rate`, `bands` and `score` on facts given as integers (Arrow ``decimal128``) are computed in fixed point
(evaluate/fixed.py: ``step_counts``, ``rate_points``, ``looked_up``). Every value they hand out must be the decimal
path's digit for digit (``str``: 0 is not 0.0, -0 is not 0, 2E+1 is not 20), at every scale edge: the most places
allowed, half cents either sign, the largest declared bounds, zero targets."""

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
from apprule.errors import EvaluationError
from apprule.evaluate.fixed import Fixed, step_counts

sys.path.insert(0, str(Path(__file__).parent.parent / "language"))
from schemekit import scheme, units  # noqa: E402

BOUND = "999999999999999.999999999999999999"
FACTS = "".join(f"{n}: {{type: number, min: -{BOUND}, max: {BOUND}}}\n" for n in ("x", "t", "r"))
RULES = """\
- {id: ratio, label: 每超额完成5%加5分、每差5%减5分, steps: {of: x, target: t, measure: ratio,
   over: {size: 0.05, points: 5}, under: {size: 0.05, points: -5}}}
- {id: near, label: 每超0.5加0.5分(不足0.5按0.5)、每差5四舍五入减2.5分, steps: {of: x, target: t, measure: difference,
   over: {size: 0.5, points: 0.5, whole: ceil}, under: {size: 5, points: -2.5, whole: nearest}}}
- {id: cents, label: 每超0.01加0.001分, steps: {of: x, target: t, measure: ratio, over: {size: 0.01, points: 0.001}}}
- {id: points, label: 每差1加1分, steps: {of: x, target: t, measure: difference, under: {size: 1, points: 1}}}
- {id: rated, label: 完成率计分, rate: r, max: 12.5}
- {id: banded, label: 分段, bands: {of: x, match: first, gaps: allowed, otherwise: {points: -1.5},
   bands: [{below: 0, points: -3}, {from: 0, to: 0.005, points: 0.5, flags: [半分]}, {above: 0.005, below: 100, points: 2},
           {from: 100, points: 10, honours: [优]}]}}
- {id: summed, label: 叠加, bands: {of: r, match: all, bands: [{from: 0, points: 1}, {above: 1, points: 2.0}]}}
- {id: scored, label: 直接计分, score: r, max: 1, over_max: clamp}
"""
KERNELS = scheme(FACTS, RULES)
NODES = ("ratio", "near", "cents", "points", "rated", "banded", "summed", "scored")


def _both(s: Any, facts: dict[str, list[D]], scales: dict[str, int]) -> tuple[Any, Any]:
    """Each unit's values (as text), honours and flags: from dictionaries (the decimal path) and from an Arrow
    table of ``decimal128`` columns (the fixed point); an error's text where one is raised."""
    names = [f"u{k}" for k in range(len(next(iter(facts.values()))))]
    results = []
    for evaluate in (lambda: s.evaluate(units(**{n: {f: v[k] for f, v in facts.items()} for k, n in enumerate(names)})),
                     lambda: s.evaluate_columns(pa.table({
                         "unit": names, "group": ["g"] * len(names),
                         **{f: pa.array(v, pa.decimal128(38, scales[f])) for f, v in facts.items()}}))):
        try:
            ev = evaluate()
        except EvaluationError as exc:
            results.append(str(exc))
            continue
        results.append({n: ([str(ev[n].values[k]) for k in NODES], str(ev[n].total), ev[n].honours, ev[n].flags)
                        for n in names})
    return results[0], results[1]


def _column(scale: int) -> st.SearchStrategy[list[int]]:
    bound = 10 ** (15 + scale) - 1  # the largest declared bound, at the column's places
    one = 10 ** scale
    edges = [0, 1, -1, 5, -5, bound, -bound, one, -one, 2 * one, one + 1, one - 1]
    if scale >= 3:
        edges += [5 * 10 ** (scale - 3), -5 * 10 ** (scale - 3)]  # half cents
    return st.lists(st.integers(-bound, bound) | st.sampled_from(edges), min_size=1, max_size=6)


@settings(max_examples=120, deadline=None)
@given(sx=st.integers(0, 18), st_=st.integers(0, 18), sr=st.integers(0, 18), data=st.data())
def test_arrow_columns_score_as_the_dicts_do(sx: int, st_: int, sr: int, data: st.DataObject) -> None:
    xs = data.draw(_column(sx))
    n = len(xs)
    ts = data.draw(st.lists(st.integers(-10 ** (15 + st_) + 1, 10 ** (15 + st_) - 1) |
                            st.sampled_from([1, -1, 10 ** st_, 0]), min_size=n, max_size=n))
    rs = data.draw(st.lists(st.integers(-2 * 10 ** sr, 2 * 10 ** sr) | st.sampled_from([0, 10 ** sr, 10 ** sr + 1]),
                            min_size=n, max_size=n))
    facts = {"x": [D(i).scaleb(-sx, CONTEXT) for i in xs], "t": [D(i).scaleb(-st_, CONTEXT) for i in ts],
             "r": [D(i).scaleb(-sr, CONTEXT) for i in rs]}
    dicts, columns = _both(KERNELS, facts, {"x": sx, "t": st_, "r": sr})
    assert dicts == columns


def _decimal_counts(xs: list[D], ts: list[D], ratio: bool, size: D, whole: str, over: bool) -> list[str | None]:
    """`steps`' decimal kernel for one side: each unit's count as text, None where the side does not apply."""
    out: list[str | None] = []
    for x, t in zip(xs, ts):
        distance = CONTEXT.subtract(CONTEXT.divide(x, t), 1) if ratio else CONTEXT.subtract(x, t)
        if (distance > 0) if over else (distance < 0):
            out.append(str(whole_steps([CONTEXT.divide(abs(distance), size)], whole)[0]))  # type: ignore[arg-type]
        else:
            out.append(None)
    return out


@settings(max_examples=500, deadline=None)
@given(ints=st.lists(st.tuples(st.integers(-(2 ** 63) + 1, 2 ** 63 - 1) | st.sampled_from([5, -5, 50, 0, 1, -1, 20]),
                               st.integers(-(2 ** 63) + 1, 2 ** 63 - 1) | st.sampled_from([5, -5, 10, 1, -1, 100])),
                     min_size=1, max_size=8),
       sx=st.integers(0, 18), st_=st.integers(0, 18), ratio=st.booleans(),
       size=st.sampled_from(["0.05", "5", "0.5", "1", "0.01", "1E+1", "0.000001", "7.5", "0.000000000001"]),
       whole=st.sampled_from(["floor", "ceil", "nearest"]), over=st.booleans())
@example(ints=[(115, 100), (85, 100), (200, 100), (-5, 10)], sx=2, st_=2, ratio=True, size="0.05", whole="floor",
         over=True)  # 超额15% is 3 steps exactly; 200% is 2E+1 steps in the decimals (doubtful)
@example(ints=[(2 ** 63 - 1, 1), (-(2 ** 63) + 1, 1)], sx=18, st_=0, ratio=False, size="0.000000000001",
         whole="nearest", over=False)
def test_step_counts_are_the_decimal_counts(ints: list[tuple[int, int]], sx: int, st_: int, ratio: bool, size: str,
                                            whole: str, over: bool) -> None:
    x = Fixed(np.array([a for a, _ in ints], np.int64), sx)
    t = Fixed(np.array([b for _, b in ints], np.int64), st_)
    found = step_counts(x, t, ratio, D(size), whole, over)
    if found is None:
        return
    beyond, counts, doubt = found
    expected = _decimal_counts(x.decimals(), t.decimals(), ratio, D(size), whole, over)
    assert list(beyond) == [e is not None for e in expected]
    for k, e in enumerate(expected):
        if e is not None and not doubt[k]:
            assert str(counts[k]) == e


def test_step_counts_mostly_fit() -> None:
    """Facts with two places and a 5% step: no fallback (else the properties above prove little)."""
    x = Fixed.of([D("115.00"), D("84.99"), D("-3.10")], 2)
    t = Fixed.of([D("100.00"), D("100.00"), D("7.25")], 2)
    for whole in ("floor", "ceil", "nearest"):
        for ratio in (True, False):
            assert step_counts(x, t, ratio, D("0.05"), whole, True) is not None
    assert step_counts(x, t, True, D("0.05"), "pro_rata", True) is None  # pro rata: the decimals'
    assert step_counts(x, Fixed.of([D(0)] * 3, 0), True, D("0.05"), "floor", True) is None  # a zero target: their error


HEBI = scheme("gdp: {type: number, min: 0}\ngdp_target: {type: number, min: 0}\n",
              "- {id: gdp_steps, label: 地区生产总值 每超额完成5%加5分、每差5%减5分, steps: {of: gdp, target: gdp_target, "
              "measure: ratio, over: {size: 0.05, points: 5}, under: {size: 0.05, points: -5}}}\n")


def test_hebi_five_percent_steps_by_hand(monkeypatch: pytest.MonkeyPatch) -> None:
    """鹤壁 2021 五(一)1: 每超额完成5%加5分, 每差5%减5分, whole steps only (the scheme's reading
    indicator_whole_steps). Target 100.00 亿元: 115.00 is 超额15% (3 steps, 15); 109.99 超额9.99% (1 step, 5);
    95.01 差4.99% (no step: 0 steps × -5 is -0 in the decimals); 90.00 差10% (2 steps, -10); 100.00 on target (0);
    200.00 超额100%, 20 steps (100), which the decimals write 2E+1 × 5 = 1.0E+2."""
    import apprule.evaluate.shapes.steps as shape

    decimal_rows: list[list[int]] = []
    kernel = shape._decimal
    monkeypatch.setattr(shape, "_decimal", lambda pop, node, rows, col: (decimal_rows.append(rows),
                                                                         kernel(pop, node, rows, col)))
    gdp = [D(v) for v in ("115.00", "109.99", "95.01", "90.00", "100.00", "200.00")]
    names = [f"u{k}" for k in range(len(gdp))]
    table = pa.table({"unit": names, "group": ["g"] * len(names), "gdp": pa.array(gdp, pa.decimal128(10, 2)),
                      "gdp_target": pa.array([D("100.00")] * len(gdp), pa.decimal128(10, 2))})
    got = HEBI.evaluate_columns(table)
    assert [str(got[n].values["gdp_steps"]) for n in names] == ["15", "5", "-0", "-10", "0", "1.0E+2"]
    assert decimal_rows == [[5]]  # the decimal kernel ran for the 20 steps only
    by_dicts = HEBI.evaluate(units(**{n: {"gdp": v, "gdp_target": D("100.00")} for n, v in zip(names, gdp)}))
    assert [str(by_dicts[n].values["gdp_steps"]) for n in names] == ["15", "5", "-0", "-10", "0", "1.0E+2"]


def test_rate_bands_and_score_by_hand() -> None:
    """rate 0.80 × 12.5 = 10.000; 1.20 is cut to 1 (1 × 12.5 = 12.5); -0.10 to 0 (0 × 12.5 = 0.0).
    bands on x: 0.005 fits the half-cent band (flag 半分); 100 the top one (honour 优); -0.001 the first."""
    facts = {"x": [D("0.005"), D("100.000"), D("-0.001")], "t": [D(1)] * 3, "r": [D("0.80"), D("1.20"), D("-0.10")]}
    dicts, columns = _both(KERNELS, facts, {"x": 3, "t": 0, "r": 2})
    assert dicts == columns
    assert [columns[u][0][NODES.index("rated")] for u in ("u0", "u1", "u2")] == ["10.000", "12.5", "0.0"]
    assert [columns[u][0][NODES.index("banded")] for u in ("u0", "u1", "u2")] == ["0.5", "10", "-3"]
    assert columns["u0"][3] == ("半分",) and columns["u1"][2] == ("优",)


def test_zero_target_is_the_same_error() -> None:
    facts = {"x": [D("1.00"), D("2.00")], "t": [D("1.00"), D("0.00")], "r": [D(0), D(0)]}
    dicts, columns = _both(KERNELS, facts, {"x": 2, "t": 2, "r": 0})
    assert isinstance(dicts, str) and dicts == columns and "u1" in dicts


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_int64_columns_score_as_the_dicts_do(data: st.DataObject) -> None:
    """Integer Arrow columns are kept as integers (scale 0) for number facts: the same values as Python ints."""
    bound = 10 ** 15 - 1
    ints = st.integers(-bound, bound) | st.sampled_from([0, 1, -1, 2, bound, -bound, 20, 100])
    n = data.draw(st.integers(1, 6))
    facts = {f: data.draw(st.lists(ints, min_size=n, max_size=n)) for f in ("x", "t", "r")}
    names = [f"u{k}" for k in range(n)]
    results = []
    for table in (units(**{u: {f: v[k] for f, v in facts.items()} for k, u in enumerate(names)}),
                  pa.table({"unit": names, "group": ["g"] * n, **{f: pa.array(v, pa.int64()) for f, v in facts.items()}})):
        try:
            ev = KERNELS.evaluate(table) if isinstance(table, dict) else KERNELS.evaluate_columns(table)
            results.append({u: ([str(ev[u].values[k]) for k in NODES], str(ev[u].total)) for u in names})
        except EvaluationError as exc:
            results.append(str(exc))
    assert results[0] == results[1]


def test_int64_columns_are_read_as_integers(monkeypatch: pytest.MonkeyPatch) -> None:
    """An int64 column reaches the kernels as integers (no Decimal per value), and still reads as the ints
    Arrow holds until validation finds it a number fact's."""
    import apprule.evaluate.shapes.steps as shape
    from apprule.arrow import columns_of

    columns = columns_of(pa.table({"unit": ["a", "b"], "n": pa.array([3, -4], pa.int64())}))
    assert list(columns["n"]) == [3, -4] and all(type(v) is int for v in columns["n"])
    called: list[list[int]] = []
    monkeypatch.setattr(shape, "_decimal", lambda pop, node, rows, col: called.append(rows))
    got = HEBI.evaluate_columns(pa.table({"unit": ["a", "b"], "group": ["g", "g"],
                                          "gdp": pa.array([110, 94], pa.int64()),
                                          "gdp_target": pa.array([100, 100], pa.int64())}))
    assert called == []  # the fixed-point kernel did all
    assert [str(got[u].values["gdp_steps"]) for u in "ab"] == ["10", "-5"]  # 超额10%: 2 steps; 差6%: 1 step


def test_a_column_of_zeros_with_places_sums_as_the_decimals_do() -> None:
    """每个加2.5分 on 0.50 counts 0 steps: 0 × 2.5 is 0.0, whose sum with 1 is 1 in the decimal path (a column's
    scale comes from its values that are not 0), not 1.0: the kernels hand such a column out as decimals."""
    s = scheme("x: {type: number}\ny: {type: number}\n",
               "- {id: p, label: 每个加2.5分, per: {of: x, points: 2.5}}\n- {id: q, label: 每个加1分, per: {of: y, points: 1}}\n")
    by_dicts = s.evaluate(units(u={"x": D("0.50"), "y": D(1)}))
    by_columns = s.evaluate_columns(pa.table({"unit": ["u"], "group": ["g"], "x": pa.array([D("0.50")], pa.decimal128(5, 2)),
                                              "y": pa.array([D(1)], pa.decimal128(5, 0))}))
    assert [str(by_dicts["u"].values["p"]), str(by_dicts["u"].total)] == ["0.0", "1"]
    assert [str(by_columns["u"].values["p"]), str(by_columns["u"].total)] == ["0.0", "1"]


def test_explanations_read_the_same_values() -> None:
    """An explanation is made by the decimal kernels (notes need each unit's steps): from Arrow columns it reads
    as from dictionaries, and its values are those the fixed point handed out."""
    facts = {"x": [D("115.000"), D("95.010"), D("0.005")], "t": [D("100.00"), D("100.00"), D("1.00")],
             "r": [D("0.80"), D("1.20"), D("0.00")]}
    names = ["u0", "u1", "u2"]
    ev_dicts = KERNELS.evaluate(units(**{n: {f: v[k] for f, v in facts.items()} for k, n in enumerate(names)}))
    ev_columns = KERNELS.evaluate_columns(pa.table({"unit": names, "group": ["g"] * 3,
                                                    **{f: pa.array(v, pa.decimal128(20, 3 if f == "x" else 2))
                                                       for f, v in facts.items()}}))
    for n in names:
        assert ev_columns[n].explain() == ev_dicts[n].explain()
    assert "3" in ev_columns["u0"].explain() and str(ev_columns["u0"].values["ratio"]) == "15"
