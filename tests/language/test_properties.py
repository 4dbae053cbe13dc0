"""Invariants of scoring, checked with hypothesis on random facts and populations."""

from __future__ import annotations

import random
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from schemekit import scheme, units

S = scheme("""\
    x: {type: number, min: 0, max: 100}
    good: {type: count, better: higher}
    bad: {type: count, better: lower}
    gdp: {type: number, min: 1}
    """, sections="""\
    - {id: s, label: 得分, max: 100, score: x}
    """, group="""\
    adjustments:
      id: adj
      label: 加减分
      bonus_cap: 20
      rules:
        - {id: plus, label: "每项加3分,最高加10分", max: 10, per: {of: good, points: 3}}
        - {id: minus, label: 每次减0.1分, per: {of: bad, points: -0.1}}
        - id: growth
          label: 每超额完成5%加5分
          steps: {of: gdp, target: "100", over: {size: 0.05, points: 5}, under: {size: 0.05, points: -5}}
    ranking: {}
    grades:
      levels: [优秀, 达标, 不达标]
      rules:
        - {grade: 优秀, quota: {share: 0.25}}
        - {grade: 达标, when: "total >= 60"}
        - {grade: 不达标}
    """)

decimals = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)
unit_facts = st.fixed_dictionaries({"x": decimals, "good": st.integers(0, 10), "bad": st.integers(0, 300),
                                    "gdp": st.decimals(min_value=1, max_value=300, places=2)})


@settings(max_examples=60, deadline=None)
@given(unit_facts)
def test_caps_hold_and_parts_reconcile_with_the_total(facts: dict[str, object]) -> None:
    r = S.evaluate(units(u=facts))["u"]
    assert 0 <= r.values["plus"] <= 10
    assert r.values["adj"] <= 20
    assert r.total == sum((line.value for line in r.sections), D(0)) + r.values["adj"]
    trace = r.trace.find("total")
    assert trace.value == r.total


@settings(max_examples=60, deadline=None)
@given(unit_facts, st.integers(1, 50))
def test_more_violations_never_raise_the_score(facts: dict[str, object], more: int) -> None:
    worse = {**facts, "bad": int(facts["bad"]) + more}  # type: ignore[call-overload]
    ev = S.evaluate(units(a=facts, b=worse))
    assert ev["b"].total <= ev["a"].total


@settings(max_examples=40, deadline=None)
@given(st.lists(unit_facts, min_size=1, max_size=12), st.randoms(use_true_random=False))
def test_permuting_units_changes_no_total_rank_or_grade(population: list[dict[str, object]],
                                                        rng: random.Random) -> None:
    facts = units(**{f"u{i}": f for i, f in enumerate(population)})
    shuffled = list(facts.items())
    rng.shuffle(shuffled)
    one, two = S.evaluate(facts), S.evaluate(dict(shuffled))
    assert {u: (r.total, r.rank, r.grade) for u, r in one.items()} == \
        {u: (r.total, r.rank, r.grade) for u, r in two.items()}
    # tied totals share a rank; a better total never has a worse rank or grade
    levels = ["优秀", "达标", "不达标"]
    for a in one.values():
        for b in one.values():
            if a.total == b.total:
                assert a.rank == b.rank
            if a.total > b.total:
                assert a.rank is not None and b.rank is not None and a.rank < b.rank
                assert levels.index(a.grade) <= levels.index(b.grade)  # type: ignore[arg-type]
    best = sum(1 for r in one.values() if r.grade == "优秀")
    assert best <= len(population) // 4


@given(st.integers(0, 40))
def test_whole_percentage_steps_are_exact(k: int) -> None:
    r = S.evaluate(units(u={"x": 0, "good": 0, "bad": 0, "gdp": 100 + 5 * k}))["u"]
    assert r.values["growth"] == 5 * k   # 115% of target is exactly three 5% steps, never 2.9999…
