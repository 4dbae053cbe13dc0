"""Invariants of `apprule diff` over generated populations: 鹤壁's streets under indicator_measure points/ratio."""

from __future__ import annotations

from hypothesis import assume, given
from hypothesis import strategies as st

from apprule import EvaluationError, load_scheme
from apprule.diff import diff_evaluations
from apprule.testing import populations

POINTS = load_scheme("hebi_2021")
RATIO = load_scheme("hebi_2021", readings={"indicator_measure": "ratio"})


@given(populations(POINTS, "streets"), st.booleans())
def test_a_diff_lists_exactly_the_units_that_change_both_ways(population: dict[str, dict[str, object]],
                                                             swap: bool) -> None:
    try:
        before, after = POINTS.evaluate(population, partial=True), RATIO.evaluate(population, partial=True)
    except EvaluationError:  # a rate target of 0 has no ratio: the reading's documented limit
        assume(False)
        raise
    (a, sa), (b, sb) = ((after, RATIO), (before, POINTS)) if swap else ((before, POINTS), (after, RATIO))
    assert diff_evaluations(a, a, sa, sa).units == ()
    forth, back = diff_evaluations(a, b, sa, sb), diff_evaluations(b, a, sb, sa)
    assert [c.unit for c in forth.units] == sorted((c.unit for c in back.units), key=[*a].index)
    listed = {c.unit: c for c in forth.units}
    for unit in a:
        if unit not in listed:
            assert (a[unit].total, a[unit].rank, a[unit].grade) == (b[unit].total, b[unit].rank, b[unit].grade)
            continue
        change = listed[unit]
        assert (change.base["total"], change.new["total"]) == (a[unit].total, b[unit].total)
        if "total" in change.changed:  # a total moves only through its rules
            assert change.nodes
        # only the two rate indicators (and the blocks above them) differ between the two readings
        assert {n.id for n in change.nodes} <= {"budget_revenue_growth_steps", "tax_share_steps", "indicators",
                                                "adjust"}
