"""转入下年度: a value the office cannot give this period, typed as deferred in any number fact.

The fact says what it counts as this period (a number, or `empty`: as if not given); the unit's result lists it
in `carried_over` with the period; a fact that says nothing refuses the marker. Never a silent 0.
"""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import apprule
from apprule.deferred import MARKERS
from schemekit import scheme, units

FACTS = """\
money: {type: number, label: 完成融资, unit: 亿元, min: 0, deferred: 0}
place: {type: count, label: 名次, min: 1, required: false, deferred: empty}
backup: {type: number, required: false, default: 3, deferred: empty}
plain: {type: number, required: false}
word: {type: text, required: false}
"""
RULES = """\
- {id: m, label: 融资, formula: money * 2}
- {id: p, label: 名次, formula: "(6 - place) if present(place) else 0"}
- {id: b, label: 备用, formula: backup}
- {id: q, label: 其他, formula: "plain if present(plain) else 0"}
- {id: w, label: 说明, formula: "1 if present(word) else 0"}
"""
PERIOD = "t 2021-01-01..2021-12-31"


def _scheme() -> apprule.Scheme:
    return scheme(FACTS, RULES)


@pytest.mark.parametrize("marker", MARKERS)
def test_each_marker_counts_as_the_fact_declares_and_is_carried_over(marker: str) -> None:
    result = _scheme().evaluate(units(u={"money": marker, "place": f" {marker} ", "backup": marker}))["u"]
    # money counts as 0, place as not given (6 - place does not apply), backup as its default 3
    assert dict(result.values) == {"m": 0, "p": 0, "b": 3, "q": 0, "w": 0, "adj": 3}
    assert result.carried_over == (
        ("money", {"deferred": marker, "counted": D(0), "carried_from": PERIOD}),
        ("place", {"deferred": marker, "counted": None, "carried_from": PERIOD}),
        ("backup", {"deferred": marker, "counted": D(3), "carried_from": PERIOD}))


def test_values_given_are_not_carried_and_a_text_fact_keeps_the_words() -> None:
    result = _scheme().evaluate(units(u={"money": "6.2亿元", "place": 2, "word": "转入下年度"}))["u"]
    assert (result.values["m"], result.values["p"], result.values["w"], result.carried_over) == (D("12.4"), 4, 1, ())


def test_a_fact_that_declares_no_deferred_value_refuses_the_marker() -> None:
    with pytest.raises(apprule.FactError) as caught:
        _scheme().evaluate(units(u={"money": 1, "plain": "转入下年度"}))
    assert str(caught.value) == (
        "unit 'u', fact 'plain': cannot-defer: '转入下年度' defers the value to the next period, but the scheme does "
        "not say what this fact counts as in this one; give the value (a scheme lets a fact be deferred with "
        "`deferred:`)")


def test_columns_and_batches_carry_the_same() -> None:
    s = _scheme()
    table = {"unit": ["u", "v"], "group": ["g", "g"], "money": ["转入下年度", 2], "place": [None, "下年度"]}
    by_columns = s.evaluate_columns(table)
    by_units = s.evaluate(units(u={"money": "转入下年度"}, v={"money": 2, "place": "下年度"}))
    batches = s.rank_and_grade([s.score_units(units(u={"money": "转入下年度"})),
                                s.score_units(units(v={"money": 2, "place": "下年度"}))])
    for evaluation in (by_columns, by_units, batches):
        assert [f for f, _ in evaluation["u"].carried_over] == ["money"]
        assert [f for f, _ in evaluation["v"].carried_over] == ["place"]
        assert evaluation["v"].total == 4 + 3


@given(st.lists(st.sampled_from([*MARKERS, 1, "2", D("0.5")]), min_size=1, max_size=6))
def test_a_deferred_value_counts_as_the_declared_one_and_is_always_listed(given_money: list[Any]) -> None:
    """Invariant: each unit's total equals the one with the declared 0 typed instead, and exactly the units that
    typed a marker list money in carried_over."""
    s = _scheme()
    facts = units(**{f"u{i}": {"money": m} for i, m in enumerate(given_money)})
    zeroed = units(**{f"u{i}": {"money": 0 if m in MARKERS else m} for i, m in enumerate(given_money)})
    deferred, plain = s.evaluate(facts), s.evaluate(zeroed)
    for i, m in enumerate(given_money):
        assert deferred[f"u{i}"].total == plain[f"u{i}"].total
        assert [f for f, _ in deferred[f"u{i}"].carried_over] == (["money"] if m in MARKERS else [])


@pytest.mark.parametrize(("fact", "message"), [
    ("{type: text, deferred: 0}", "`deferred` belongs to number, count and rate facts"),
    ("{type: number, deferred: empty}", "`deferred: empty` counts a deferred value as not given: the fact must be "
     "optional (`required: false`, or a `default`)"),
    ("{type: events, fields: {n: {type: number, deferred: 0}}}", "`deferred` goes on a unit's fact, not on an "
     "event's field (an event dated after the period is carried over by its date)"),
])
def test_a_deferred_declaration_that_cannot_hold_is_refused_at_load(fact: str, message: str) -> None:
    with pytest.raises(apprule.SchemeError) as caught:
        scheme(f"x: {fact}\n", "- {id: r, label: r, formula: 0}\n")
    assert message in str(caught.value)


def test_a_deferred_number_the_fact_would_refuse_is_refused_at_load() -> None:
    with pytest.raises(apprule.SchemeError) as caught:
        scheme("x: {type: count, min: 1, deferred: 0}\n", "- {id: r, label: r, formula: x}\n")
    assert "invalid-value: the deferred value of fact 'x': '0' is below the minimum 1 (at facts.x.deferred)" \
        in str(caught.value)
