"""Mistakes found in review, each pinned by the smallest scheme that showed it."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from schemekit import HEAD, scheme, units, value

import apprule

SCORE = "- {id: s, label: 得分, max: 100, score: x}\n"


def codes(text: str) -> list[str]:
    with pytest.raises(apprule.SchemeError) as info:
        apprule.load_scheme(text, name="r.yaml")
    return [p.code for p in info.value.problems]


def test_grants_that_use_every_quota_place_leave_none() -> None:
    s = scheme("x: {type: number}\nstar: {type: boolean}\n", sections=SCORE, group="""\
        ranking: {}
        grades:
          levels: [好, 一般]
          rules: [{grade: 好, quota: {count: 1}}, {grade: 一般}]
          grants: [{grade: 好, when: star, uses_quota: true, label: 突出贡献}]
        """)
    ev = s.evaluate(units(a={"x": 10, "star": True}, b={"x": 20, "star": True}, c={"x": 90, "star": False},
                          d={"x": 80, "star": False}))
    assert {u: r.grade for u, r in ev.items()} == {"a": "好", "b": "好", "c": "一般", "d": "一般"}


def test_fill_averages_only_peers_the_rule_applies_to() -> None:
    s = scheme("r: {type: count, required: false}\nhas: {type: boolean}\n", """\
        - {id: p, label: 名次, applies: has, rank_table: {rank: r, map: {1: 10}}, fill: {}}
        """)
    ev = s.evaluate(units(a={"r": 1, "has": True}, b={"has": True}, c={"has": False}))
    assert ev["b"].values["p"] == 10   # c has no such item: not a peer with 0


def test_decimal_table_keys_and_integer_literals_of_any_base() -> None:
    s = scheme("k: {type: number}\n", """\
        - {id: t, label: 表, table: {of: k, map: {1.5: 3, 2: 4}, otherwise: 0}}
        - {id: h, label: 十六进制, formula: "k + 0x10"}
        """)
    assert value(s, "t", k="1.5") == 3 and value(s, "t", k=2) == 4
    assert value(s, "h", k=1) == 17


def test_bare_numbers_and_booleans_are_expressions() -> None:
    s = scheme("x: {type: number}\n", """\
        - id: r
          label: 每超额完成5%加5分
          applies: true
          steps: {of: x, target: 100, over: {size: 0.05, points: 5}}
        """)
    assert value(s, "r", x=110) == 10


def test_folded_yaml_text_joins_lines() -> None:
    s = scheme("a: {type: number}\nb: {type: number}\n", """\
        - id: r
          label: 较大值
          formula: >-
            max(a,
            b)
        """)
    assert value(s, "r", a=1, b=2) == 2


def test_an_optional_events_fact_may_be_null() -> None:
    s = scheme("e: {type: events, required: false, fields: {n: {type: count}}}\n", """\
        - {id: r, label: 事件, for_each: {events: e, value: {points: 1}}}
        """)
    assert value(s, "r", e=None) == 0


def test_a_contradicting_sequence_is_an_error() -> None:
    s = apprule.load_scheme(HEAD + """\
facts: {x: {type: number}}
groups:
  - id: g
    label: 组
    units: [a, b]
    sequences: [{id: s1, label: 一, units: [a]}, {id: s2, label: 二, units: [b]}]
    sections: [{id: s, label: 得分, max: 100, score: x}]
""")
    with pytest.raises(apprule.FactError, match="wrong-sequence"):
        s.evaluate({"a": {"x": 1, "sequence": "s2"}})


def test_load_time_checks_found_in_review() -> None:
    base = HEAD + "facts:\n  x: {type: number}\n{extra}groups:\n  - id: g\n    label: 组\n" \
        "    sections: [{id: s, label: 得分, max: 100, score: x}]\n"
    assert codes(base.replace("{extra}", "  total: {type: number}\n")) == ["reserved-name"]
    assert codes(base.replace("{extra}", "  ok: {type: boolean, default: maybe}\n")) == ["invalid-value"]
    vetoed = base.replace("{extra}", "  v: {type: boolean}\n") + \
        "    vetoes: [{id: v, label: 否决, when: v, effects: {cap: 一般}}]\n"
    assert codes(vetoed) == ["invalid-value"]
    quota = base.replace("{extra}", "") + \
        "    grades: {levels: [好, 差], rules: [{grade: 好, quota: {count: 1}}, {grade: 差}]}\n"
    assert codes(quota) == ["invalid-value"]


def test_negative_zero_prints_as_zero() -> None:
    from apprule.decimals import plain
    assert plain(D("-0.00")) == "0.00" and plain(D("-0")) == "0"


def test_grade_conditions_on_facts_need_no_ranking_and_grades_bring_honours() -> None:
    s = scheme("place: {type: count, min: 1}\n", sections="- {id: s, label: 名次, formula: place}\n", group="""\
        grades:
          levels: [好, 较好, 一般]
          honours: {好: [红旗单位]}
          rules: [{grade: 好, when: "place <= 2"}, {grade: 较好, when: "place <= 4"}, {grade: 一般}]
        """)
    ev = s.evaluate(units(a={"place": 2}, b={"place": 3}, c={"place": 5}))
    assert [(ev[u].grade, ev[u].honours) for u in "abc"] == [("好", ("红旗单位",)), ("较好", ()), ("一般", ())]
    ranked = HEAD + "facts: {x: {type: number}}\ngroups:\n  - id: g\n    label: 组\n" \
        "    sections: [{id: s, label: 得分, max: 100, score: x}]\n" \
        "    grades: {levels: [好, 差], rules: [{grade: 好, when: 'rank <= 1'}, {grade: 差}]}\n"
    assert codes(ranked) == ["invalid-value"]


def test_a_fact_required_when_another_holds() -> None:
    # 没有招商引资任务的单位…: the score is given only by units with the task, and then it must be
    s = scheme("""\
        has_task: {type: boolean}
        score: {type: number, required: false, required_when: has_task}
        """, sections="- {id: s, label: 招商引资, max: 20, score: score, applies: has_task}\n")
    assert s.evaluate(units(a={"has_task": False}))["a"].total == 0
    with pytest.raises(apprule.FactError, match="unit 'b', fact 'score': missing-fact: required when has_task"):
        s.evaluate(units(b={"has_task": True}))
    assert codes(HEAD + "facts:\n  t: {type: boolean}\n  x: {type: number, required_when: tt}\n"
                 "groups: [{id: g, label: 组}]\n") == ["unknown-name"]


def test_an_event_field_required_when_another_holds() -> None:
    s = scheme("""\
        works:
          type: events
          fields:
            done: {type: boolean}
            points: {type: number, required: false, required_when: done}
        """, """\
        - {id: r, label: 完成一项加0.5-1分, for_each: {events: works, where: done, value: {formula: "points"}}}
        """)
    assert value(s, "r", works=[{"done": True, "points": 1}, {"done": False}]) == 1
    with pytest.raises(apprule.FactError, match="event 2 lacks field 'points', required when done"):
        value(s, "r", works=[{"done": False}, {"done": True}])
