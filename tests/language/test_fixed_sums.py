"""Sections, the 加减分 block and the total are summed in fixed point (scaled integers), whatever the facts
came as: exact at the bounds' widest values (past int64 they are Python integers, never wrapped), and rounded
half up on integers (a half cent away from zero, either sign)."""

from __future__ import annotations

import sys
from decimal import Decimal as D
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from schemekit import scheme, units  # noqa: E402

#: the largest number the bounds allow, at the most places (18): 33 digits, far past int64 as an integer
WIDEST = D("999999999999999.999999999999999999")
LOWEST = D("-999999999999999.999999999999999999")  # written out: -WIDEST would round to Python's 28 digits

SUMMED = scheme("x: {type: number}\ny: {type: number}\nz: {type: number}\n",
                "- {id: b, label: 加分, formula: z}\n",
                sections="- {id: s, label: 两项, formula: x}\n- {id: t, label: 另一项, formula: y}\n",
                group="total: {label: 总分, round: {places: 2}}\n")


def test_sums_at_the_widest_bounds_are_exact() -> None:
    evaluation = SUMMED.evaluate(units(a={"x": WIDEST, "y": WIDEST, "z": LOWEST},
                                       b={"x": LOWEST, "y": D("1E-18"), "z": D(0)}))
    # a: 2 × WIDEST − WIDEST = WIDEST, rounded half up to 2 places: 1000000000000000.00
    assert evaluation["a"].total == D("1000000000000000.00")
    # b: −WIDEST + 10^−18 = −999999999999999.999999999999999998, half up: −1000000000000000.00
    assert evaluation["b"].total == D("-1000000000000000.00")


def test_half_cents_round_away_from_zero_on_integers() -> None:
    evaluation = SUMMED.evaluate(units(up={"x": D("0.002"), "y": D("0.003"), "z": D(0)},
                                       down={"x": D("-0.002"), "y": D("-0.003"), "z": D(0)},
                                       under={"x": D("0.004"), "y": D("0.000999999999999999"), "z": D(0)},
                                       mixed={"x": D("10.125"), "y": D("-0.12"), "z": D("0.000")}))
    assert {u: r.total for u, r in evaluation.items()} == {
        "up": D("0.01"), "down": D("-0.01"),  # ±0.005: half a cent, away from zero
        "under": D("0.00"),  # 0.004999999999999999: below the half, down
        "mixed": D("10.01")}  # 10.005: up
    assert str(evaluation["down"].total) == "-0.01"


def test_a_column_of_totals_has_one_scale() -> None:
    """Every unit's unrounded total carries the most places any unit's does (an exact sum's own places
    would differ from unit to unit: 84 beside 96.00)."""
    plain = scheme("x: {type: number}\n", sections="- {id: s, label: 一项, formula: x}\n")
    evaluation = plain.evaluate(units(a={"x": D("96.00")}, b={"x": D(84)}))
    assert [str(evaluation[u].total) for u in ("a", "b")] == ["96.00", "84.00"]


def test_a_weight_moved_onto_a_column_given_as_integers_is_summed() -> None:
    """A score fact given as an Arrow decimal column is the rule's column itself (fixed point); a weight
    transfer then changes its decimals in place, and the section must add the changed values, not the
    integers it started from (it added 18.00 here, beside a main_work of 36.00)."""
    import pyarrow as pa

    moved = scheme("has_funds: {type: boolean}\nfunds: {type: number, min: 0, max: 20}\n"
                   "main: {type: number, min: 0, max: 20}\n",
                   sections="- {id: fund, label: 向上争取资金, max: 20, score: funds, applies: has_funds, "
                            "transfer_to: main_work}\n- {id: main_work, label: 主要职能工作, max: 20, score: main}\n")
    table = pa.table({"unit": ["a", "b"], "group": ["g", "g"], "has_funds": [False, True],
                      "funds": pa.array([D("0.00"), D("15.00")], pa.decimal128(5, 2)),
                      "main": pa.array([D("18.00"), D("18.00")], pa.decimal128(5, 2))})
    evaluation = moved.evaluate_columns(table)
    # a lacks funds: main_work 18.00 × (20 + 20) / 20 = 36.00, the total 0 + 36.00; b: 15.00 + 18.00
    assert [str(evaluation["a"].values["main_work"]), str(evaluation["a"].total)] == ["36.00", "36.00"]
    assert str(evaluation["b"].total) == "33.00"
