"""Outcomes as records: vetoes, grants and demotions, and the consequences a group declares (issue 17)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemekit import scheme, units
from test_across_units import SCORE, VETO_FACTS, VETO_GROUP

import apprule
from apprule.io.write import to_csv, to_json


def _records(result: apprule.Result) -> list[tuple[object, ...]]:
    return [(o.kind, o.id, o.before, o.grade, o.in_quota) for o in result.outcomes]


def test_vetoes_grants_and_demotions_are_records_with_ids() -> None:
    ev = scheme(VETO_FACTS, sections=SCORE, group=VETO_GROUP).evaluate(units(
        a={"x": 95, "veto": True}, b={"x": 90}, c={"x": 85, "fraud": True}, d={"x": 80, "national": True},
        e={"x": 75, "veto": True, "criticized": True}, f={"x": 72, "demote": True}, g={"x": 65}))
    assert _records(ev["a"]) == [("veto", "bar", None, None, None)]
    assert _records(ev["b"]) == []
    assert _records(ev["c"]) == [("veto", "fraud", None, None, None)]
    # a grant without an id is grant1 (the first of the grants); 达标 → 优秀, outside the 1-place quota
    assert _records(ev["d"]) == [("grant", "grant1", "达标", "优秀", False)]
    assert ev["d"].grants == ev["d"].outcomes and ev["d"].grants[0].label == "受到党中央、国务院表彰"
    # forced 不达标 from the 达标 it had; the vetoes in the group's order
    assert _records(ev["e"]) == [("demotion", "two", "达标", "不达标", None), ("veto", "bar", None, None, None),
                                 ("veto", "two", None, None, None)]
    assert _records(ev["f"]) == [("demotion", "down", "达标", "基本达标", None), ("veto", "down", None, None, None)]
    assert ev["e"].vetoes == ("被一票否决", "两种以上情形")  # the labels, as before
    assert ev["a"].grants == ()


SPEECH_GROUP = """\
    sequences:
      - {id: s1, label: 一类, units: [a, b, c, d]}
      - {id: s2, label: 二类, units: [e, f]}
    ranking: {scope: sequence}
    grades:
      levels: [好, 差]
      rules:
        - {grade: 好, when: "total >= 80"}
        - {grade: 差}
    vetoes:
      - {id: fraud, label: 弄虚作假, when: fraud, effects: {unrank: true}}
    outcomes:
      - {id: last, kind: speech, label: 排名靠后的1个做表态发言, clause: 八(一), matter: 常务会议, last: 1}
      - {id: top_y, kind: speech, label: 专项第一名做典型发言, first: 1, by: "y"}
      - {id: poor, kind: criticism, label: 评为差等次的通报批评, grades: [差]}
      - {id: bottom_two, kind: interview, label: 倒数两名约谈, when: "rank_from_bottom <= 2 and scope_size > 2"}
      - {id: fraud_speech, kind: speech, label: 弄虚作假的表态发言, when: fraud}
    """
SPEECH_FACTS = """\
    x: {type: number}
    y: {type: number, default: 0}
    fraud: {type: boolean, default: false}
    """


def test_declared_outcomes_by_place_grade_and_condition_in_each_scope() -> None:
    s = scheme(SPEECH_FACTS, sections=SCORE, group=SPEECH_GROUP)
    ev = s.evaluate(units(
        a={"x": 90, "y": 5}, b={"x": 70, "y": 9}, c={"x": 70, "y": 9}, d={"x": 10, "y": 99, "fraud": True},
        e={"x": 85, "y": 1}, f={"x": 95, "y": 0}))
    ids = {u: [o.id for o in r.outcomes] for u, r in ev.items()}
    # 一类: a 90 (1), b and c 70 (2, 2) share the last place; d is out of the ranking (its 99 takes no place)
    #   last: b, c; first by y: b and c tied at 9; 差: b, c (70 < 80); 倒数两名 of 3: b, c (from the bottom 1)
    #   and a (from the bottom 3: no)
    # 二类: f 95 (1), e 85 (2): e is last; first by y: e (1 > 0); both 好; scope of 2 → no 约谈
    assert ids == {
        "a": [], "b": ["last", "top_y", "poor", "bottom_two"], "c": ["last", "top_y", "poor", "bottom_two"],
        "d": ["fraud", "fraud_speech"], "e": ["last", "top_y"], "f": []}
    speech = ev["b"].outcomes[0]
    assert (speech.kind, speech.label, speech.clause, speech.matter, speech.rule) == \
        ("speech", "排名靠后的1个做表态发言", "八(一)", "常务会议", "last")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 100), min_size=1, max_size=8))
def test_the_last_places_are_the_lowest_totals_and_outcomes_change_no_number(xs: list[int]) -> None:
    group = "ranking: {}\noutcomes:\n  - {id: last, kind: speech, label: 末位发言, last: 1}\n" \
            "  - {id: first, kind: honour, label: 第一名, first: 1}\n"
    plain = scheme("x: {type: number}\n", sections=SCORE, group="ranking: {}\n")
    declared = scheme("x: {type: number}\n", sections=SCORE, group=group)
    facts = units(**{f"u{i}": {"x": x} for i, x in enumerate(xs)})
    with_outcomes, without = declared.evaluate(facts), plain.evaluate(facts)
    for unit, r in with_outcomes.items():
        assert (r.total, r.rank, r.grade, r.honours) == (without[unit].total, without[unit].rank,
                                                          without[unit].grade, without[unit].honours)
        ids = [o.id for o in r.outcomes]
        assert ("last" in ids) == (xs[int(unit[1:])] == min(xs))
        assert ("first" in ids) == (xs[int(unit[1:])] == max(xs))


@pytest.mark.parametrize(("outcome", "code", "message"), [
    ("{id: o, kind: bar, label: 不得评优, grades: [优秀]}", "unknown-grade", "'优秀' is not one of the levels ['好', '差']"),
    ("{id: fraud, kind: speech, label: 发言, when: fraud}", "duplicate-id", "outcome id 'fraud' is used twice in group 'g'"),
    ("{id: o, kind: speech, label: 发言, first: 1, last: 1}", "invalid-value",
     "an outcome takes `first` or `last`, not both"),
    ("{id: o, kind: speech, label: 发言, by: x}", "invalid-value", "`by` belongs with `first` or `last`"),
    ("{id: o, kind: praise, label: 表扬}", "invalid-choice",
     "expected 'honour', 'flag', 'bar', 'speech', 'criticism', 'commendation', 'notice', 'interview', "
     "'report', 'proposal' or 'pay' (got 'praise')"),
    ("{id: o, kind: speech, label: 发言, when: nonesuch}", "unknown-name", "unknown name 'nonesuch'"),
])
def test_a_declared_outcome_is_checked_at_load(outcome: str, code: str, message: str) -> None:
    group = ("grades: {levels: [好, 差], rules: [{grade: 好, when: 'total >= 80'}, {grade: 差}]}\n"
             "vetoes: [{id: fraud, label: 弄虚作假, when: fraud}]\n"
             f"outcomes:\n  - {outcome}\n")
    with pytest.raises(apprule.SchemeError) as caught:
        scheme(SPEECH_FACTS, sections=SCORE, group=group)
    problem = caught.value.problems[0]
    assert (problem.code, problem.message) == (code, message)


def test_places_need_a_ranking() -> None:
    with pytest.raises(apprule.SchemeError) as caught:
        scheme(SPEECH_FACTS, sections=SCORE, group="outcomes:\n  - {id: o, kind: speech, label: 发言, last: 1}\n")
    problem = caught.value.problems[0]
    assert (problem.code, problem.message) == (
        "invalid-value", "`first` and `last` count places among the units a group ranks, but the group has no `ranking`")


def test_outputs_carry_the_records() -> None:
    s = scheme(SPEECH_FACTS, sections=SCORE, group=SPEECH_GROUP)
    ev = s.evaluate(units(a={"x": 90}, b={"x": 70}, e={"x": 85}, f={"x": 95}))
    table = ev.to_arrow().to_pylist()
    b = next(row for row in table if row["unit"] == "b")
    assert [(o["kind"], o["id"], o["matter"], o["event"]) for o in b["outcomes"]] == [
        ("speech", "last", "常务会议", None), ("speech", "top_y", None, None), ("criticism", "poor", None, None)]
    data = json.loads(to_json(ev, s))
    assert data["units"]["b"]["outcomes"][0] == {"kind": "speech", "id": "last", "label": "排名靠后的1个做表态发言",
                                                  "clause": "八(一)", "rule": "last", "matter": "常务会议"}
    rows = list(csv.DictReader(io.StringIO(to_csv(ev, s).decode("utf-8-sig"))))
    cell = next(row for row in rows if row["Unit [unit]"] == "b")["Outcomes [outcomes]"]  # an English scheme
    assert cell == "排名靠后的1个做表态发言[常务会议], 专项第一名做典型发言, 评为差等次的通报批评"
    assert "outcome, speech at the meeting: 排名靠后的1个做表态发言〔八(一)〕 — 常务会议" in ev["b"].explain()
    assert json.loads(ev["b"].explain("json"))["outcomes"][2] == {
        "kind": "criticism", "id": "poor", "label": "评为差等次的通报批评", "rule": "poor"}
