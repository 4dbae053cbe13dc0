"""Two phases: scoring each unit by its own rules, then ranking and grading the units together.

A unit-local group's units can be scored in batches (on other workers, pickled back) and ranked
together, with exactly the results of one call; a group whose rules read other units refuses.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

import apprule
from apprule.testing import populations

from schemekit import scheme as mini_scheme

ROOT = Path(__file__).parents[2]
AWARDS = mini_scheme("x: {type: number, min: 0, max: 10}\n", """\
    - {id: good, label: 优秀, when: {test: x > 5, points: 1, honours: [嘉奖], flags: [表扬]}}
    - id: band
      label: 档次
      bands: {of: x, match: first, bands: [{from: 8, points: 2, honours: [记功]}], otherwise: {points: 0}}
    """, sections="- {id: s, label: 得分, max: 10, score: x}\n", group="ranking: {}\n")
XINGYANG = apprule.load_scheme(ROOT / "src" / "apprule" / "schemes" / "xingyang_2021.yaml")
BEIPIAO = apprule.load_scheme(ROOT / "src" / "apprule" / "schemes" / "beipiao_2017.yaml")
HEBI = apprule.load_scheme(ROOT / "src" / "apprule" / "schemes" / "hebi_2021.yaml")


def outcome(evaluation: apprule.Evaluation) -> list[tuple[Any, ...]]:
    """Everything a unit's result says, in the published order."""
    return [(u, r.total, r.rank, r.grade, r.would_be_rank, r.would_be_grade, r.position, r.honours, r.flags,
             r.vetoes, r.values, r.carried_over, r.explain())
            for u, r in evaluation.items()]


@pytest.mark.parametrize("scheme, group", [(XINGYANG, "towns"), (BEIPIAO, "towns"), (AWARDS, "g")],
                         ids=["xingyang", "beipiao", "honours"])
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_batches_scored_apart_rank_as_one_call(scheme: apprule.Scheme, group: str, data: st.DataObject) -> None:
    facts = data.draw(populations(scheme, group, min_size=2, max_size=10))
    units = sorted(facts)
    first = set(data.draw(st.lists(st.sampled_from(units), min_size=1, max_size=len(units) - 1, unique=True)))
    batches = [{u: f for u, f in facts.items() if u in first}, {u: f for u, f in facts.items() if u not in first}]
    # a drawn population is usually part of a roster: its quotas count the units drawn (a partial run)
    scored = [pickle.loads(pickle.dumps(scheme.score_units(batch, partial=True))) for batch in batches]  # a worker's
    assert outcome(scheme.rank_and_grade(scored, partial=True)) == outcome(scheme.evaluate(facts, partial=True))


@pytest.mark.usefixtures("english")
def test_a_group_whose_rules_read_other_units_is_scored_in_one_call() -> None:
    facts = _example("hebi_2021")
    streets = [u for u, r in HEBI.evaluate(facts).items() if r.group == "streets"]
    batches = [{u: facts[u] for u in streets[:2]}, {u: facts[u] for u in streets[2:]}]
    with pytest.raises(apprule.ScopeError) as info:
        HEBI.rank_and_grade([HEBI.score_units(b, partial=True) for b in batches], partial=True)
    assert str(info.value) == ("group 'streets' is not unit-local: rule 'city_rank_bonus' reads other units' "
                               "values before the ranking, so its units are scored in one call")


@pytest.mark.usefixtures("english")
def test_a_unit_in_two_batches_is_refused() -> None:
    facts = _example("xingyang_2021")
    unit = next(u for u, r in XINGYANG.evaluate(facts).items() if r.group == "towns")
    with pytest.raises(apprule.ScopeError) as info:
        XINGYANG.rank_and_grade([XINGYANG.score_units({unit: facts[unit]})] * 2)
    assert str(info.value) == f"unit {unit!r} of group 'towns' was scored in two batches"


def test_the_ranking_is_data() -> None:
    towns = XINGYANG.ranking("towns")
    assert (towns.ranking.by, towns.ranking.order, towns.ranking.scope, towns.ranking.ties) == \
        ("total", "desc", "group", "competition")
    assert towns.unranking_vetoes == ("falsification_veto",)  # 弄虚作假: 取消当月评比资格
    assert (towns.unit_local, towns.peer_rules) == (True, ())
    streets = HEBI.ranking("streets")  # 不涉及通报排名的单位, 按平均值加分: a peer average
    assert (streets.unit_local, streets.peer_rules) == (False, ("city_rank_bonus",))
    assert BEIPIAO.ranking("parks").ranking is None  # 园区 are graded from the 朝阳 rank, not ranked
    with pytest.raises(KeyError):
        XINGYANG.ranking("nowhere")


def _example(name: str) -> dict[str, Any]:
    from apprule.io.read import read_facts
    scheme = apprule.load_scheme(ROOT / "src" / "apprule" / "schemes" / f"{name}.yaml")
    return dict(read_facts(ROOT / "src" / "apprule" / "examples" / f"{name}.facts.yaml", scheme).facts)


@pytest.mark.usefixtures("english")
def test_fewer_units_than_the_roster_where_a_step_reads_them_all() -> None:
    facts = _example("hebi_2021")
    streets = [u for u, r in HEBI.evaluate(facts).items() if r.group == "streets"]
    some = {u: facts[u] for u in facts if u != streets[-1]}
    # 鹤壁 五(一)2: 不涉及通报排名的单位,按平均值加分 — the average is over every street
    with pytest.raises(apprule.ScopeError) as info:
        HEBI.evaluate(some)
    roster = HEBI.groups[1].units or []
    assert str(info.value) == (
        f"group 'streets' has {len(roster) - 1} of the {len(roster)} units of its roster (missing: {streets[-1]}), "
        "and rule 'city_rank_bonus' reads other units' values: give every unit, or allow a partial run "
        "(partial=True; apprule score --partial) to compute it among the units given")
    partial = HEBI.evaluate(some, partial=True)
    result = partial[streets[0]]
    assert result.partial and partial.missing == (streets[-1],)
    rank = result.trace.find("rank")
    assert str(rank.notes[-1]) == \
        f"a partial run: ranked among the {len(roster) - 1} units given of the {len(roster)} on the roster"
    assert not HEBI.evaluate(facts)[streets[0]].partial


@pytest.mark.usefixtures("english")
def test_a_quota_needs_the_whole_roster() -> None:
    # 北票 三(二): 好等次 30%, 较好 50%…: a share of the towns of the roster, not of those given
    facts = _example("beipiao_2017")
    town = next(u for u, r in BEIPIAO.evaluate(facts).items() if r.group == "towns")
    with pytest.raises(apprule.ScopeError, match=r"group 'towns' has 1 of the \d+ units of its roster .*"
                       r"and grade '好' has a quota"):
        BEIPIAO.evaluate({town: facts[town]})
    assert BEIPIAO.evaluate({town: facts[town]}, partial=True)[town].partial


@pytest.mark.usefixtures("english")
def test_a_case_is_a_partial_run_unless_it_says_otherwise() -> None:
    from apprule.cases import run_case
    facts = _example("beipiao_2017")
    town = next(u for u, r in BEIPIAO.evaluate(facts).items() if r.group == "towns")
    one = {town: facts[town]}
    assert run_case(BEIPIAO, {"units": one, "expect": {}}).passed
    whole = run_case(BEIPIAO, {"units": one, "partial": False, "expect_error": {"code": "scope-error"}})
    assert whole.passed, whole.differences
    assert run_case(BEIPIAO, {"units": one, "partial": False, "expect": {}}).differences[0].startswith(
        "unexpected error: group 'towns' has 1 of the")
