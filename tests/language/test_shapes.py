"""Every rule shape at its boundaries; expected values worked out by hand from the phrases quoted."""

from __future__ import annotations

import datetime as dt
from typing import Any
from decimal import Decimal as D

import pytest

from schemekit import scheme, units, value

import apprule
from apprule import i18n

STEPS = scheme("""\
    gdp: {type: number}
    target: {type: number}
    """, """\
    - id: r
      label: 每超额完成5%加5分, 距目标每差5%减5分
      steps: {of: gdp, target: target, over: {size: 0.05, points: 5}, under: {size: 0.05, points: -5}}
    """)


@pytest.mark.parametrize(("gdp", "expected"), [
    ("115", "15"),        # 115/100 - 1 = 0.15 = exactly three 5% steps
    ("114.99", "10"),     # 0.1499 → 2 whole steps
    ("105", "5"),         # exactly one step
    ("104.999", "0"),     # just below the first step
    ("100", "0"),
    ("95", "-5"),         # 5% short: one step under
    ("95.01", "0"),       # 4.99% short: no whole step
    ("89", "-10"),        # 11% short: two whole steps
])
def test_steps_count_whole_steps_exactly(gdp: str, expected: str) -> None:
    assert value(STEPS, "r", gdp=gdp, target=100) == D(expected)


def test_steps_explained() -> None:
    def notes(gdp: str) -> tuple[str, ...]:
        result = STEPS.evaluate(units(u={"gdp": gdp, "target": 100}))["u"]
        return tuple(map(str, next(t for t in result.trace.walk() if t.id == "r").notes))
    assert notes("115") == ("115 ÷ 100 = 115.00%, 15.00% over the target: 3 steps of 5% × 5 = 15",)
    assert notes("100") == ("100 ÷ 100 = 100.00%, exactly on the target: no step applies",)
    assert notes("89") == ("89 ÷ 100 = 89.00%, 11.00% short of the target: 2 steps of 5% × -5 = -10",)
    assert notes("104.999") == ("104.999 ÷ 100 = 104.999%, 4.999% over the target, less than 5%: no points added",)
    with i18n.using("zh"):  # the document's words: 每超额完成5%加5分
        assert notes("101.666") == ("101.666 ÷ 100 = 101.67%,超额完成1.67%,不足5%,不加分",)
        assert notes("110") == ("110 ÷ 100 = 110.00%,超额完成10.00%,每5%一档,计2档:2 × 5 = 10",)
        assert notes("96.19") == ("96.19 ÷ 100 = 96.19%,距目标差3.81%,不足5%,不减分",)


def test_steps_pro_rata_and_difference() -> None:
    s = scheme("""\
        x: {type: number}
        """, """\
        - id: r
          label: 差额
          steps: {of: x, target: "10", measure: difference, over: {size: 2, points: 1, whole: pro_rata}}
        """)
    assert value(s, "r", x=13) == D("1.5")  # (13 - 10) / 2 = 1.5 steps × 1


def test_steps_ratio_to_a_zero_target_is_an_evaluation_error() -> None:
    with pytest.raises(apprule.EvaluationError, match="unit 'u', rule 'r': the target is 0"):
        value(STEPS, "r", gdp=1, target=0)


BANDS = scheme("""\
    size: {type: count}
    """, """\
    - id: r
      label: 赴京集访
      bands:
        of: size
        bands:
          - {below: 10, points: -10}             # 10 人以下
          - {from: 10, below: 20, points: -20}   # 10 人(含)以上、20 人以下
          - {from: 20, points: -30}              # 20 人(含)以上
    """)


@pytest.mark.parametrize(("size", "expected"), [(0, -10), (9, -10), (10, -20), (19, -20), (20, -30), (500, -30)])
def test_bands_inclusive_and_exclusive_bounds(size: int, expected: int) -> None:
    assert value(BANDS, "r", size=size) == expected


def test_bands_first_match_for_nested_thresholds() -> None:
    s = scheme("""\
        tax: {type: number, unit: 万元}
        """, """\
        - id: r
          label: 纳税总额超过500万元加50分,超过300万元的企业加20分
          bands:
            of: tax
            match: first
            bands: [{above: 500, points: 50}, {above: 300, points: 20}]
        """)
    assert value(s, "r", tax=500) == 20   # 超过 500 is > 500: exactly 500 is not
    assert value(s, "r", tax="500.01") == 50
    assert value(s, "r", tax=300) == 0    # in no band: otherwise 0
    assert value(s, "r", tax=301) == 20


def test_per_count_and_per_amount() -> None:
    s = scheme("""\
        late: {type: count}
        funds: {type: number, unit: 万元}
        """, """\
        - {id: late_r, label: 每迟报一次减0.1分, per: {of: late, points: -0.1}}
        - {id: funds_r, label: "每1000万元加1分,最高加10分", max: 10, per: {of: funds, size: 1000, points: 1}}
        """)
    ev = s.evaluate(units(u={"late": 3, "funds": 2999}, v={"late": 0, "funds": 15000}))
    assert ev["u"].values["late_r"] == D("-0.3")
    assert ev["u"].values["funds_r"] == 2        # 2999 / 1000 → 2 whole
    assert ev["v"].values["funds_r"] == 10       # 15 capped at 10
    assert "15 capped at 10" in ev["v"].explain()


def test_table_with_honours_and_highest_level_per_matter() -> None:
    s = scheme("""\
        awards:
          type: events
          dated_by: date
          fields:
            level: {type: enum, values: [national, provincial, city, district]}
            matter: {type: text}
            date: {type: date}
        """, """\
        - id: r
          label: 表彰奖励
          for_each:
            events: awards
            key: matter
            combine: highest_level
            value:
              table:
                of: level
                map: {national: {honours: [突出贡献奖]}, provincial: {honours: [嘉奖]}, city: 10, district: 5}
        """)
    ev = s.evaluate(units(u={"awards": [
        {"level": "city", "matter": "a", "date": "2021-03-01"},
        {"level": "provincial", "matter": "a", "date": "2021-04-01"},  # 以最高级别表彰为准: 嘉奖, not 10
        {"level": "district", "matter": "b", "date": "2021-05-01"},
        {"level": "city", "matter": "b", "date": "2020-12-31"},        # before the period
        {"level": "national", "matter": "c", "date": "2022-01-01"},    # after: carried over
    ]}))
    r = ev["u"]
    assert r.values["r"] == 5
    assert r.honours == ("嘉奖",)
    text = r.explain()
    assert "carried over to the next" in text and "before the period" in text
    # given as text, the date is converted in what is carried over, as validation converts it
    # and it names this period as where it comes from, for the next period to take it in (issue 16)
    assert r.carried_over == (("awards", {"level": "national", "matter": "c", "date": dt.date(2022, 1, 1),
                                          "carried_from": "t 2021-01-01..2021-12-31"}),)


def test_combine_max_abs_counts_only_the_heaviest_criticism() -> None:
    s = scheme("""\
        criticisms:
          type: events
          fields:
            level: {type: enum, values: [beipiao, chaoyang]}
            matter: {type: text}
        """, """\
        - id: r
          label: 同一问题受到不同级别批评的,只计最高一次减分
          for_each:
            events: criticisms
            key: matter
            combine: max_abs
            value: {table: {of: level, map: {beipiao: -2, chaoyang: -3}}}
        """)
    crit = [{"level": "beipiao", "matter": "x"}, {"level": "chaoyang", "matter": "x"}, {"level": "beipiao",
                                                                                         "matter": "y"}]
    assert value(s, "r", criticisms=crit) == -5   # x: -3 (not -2 - 3), y: -2


def test_block_caps_bonuses_but_not_deductions() -> None:
    s = scheme("""\
        a: {type: count}
        b: {type: count}
        """, """\
        - id: inner
          label: 加分之和不超过5分
          bonus_cap: 5
          rules:
            - {id: new, label: 新建项目每个加2分, per: {of: a, points: 2}}
            - {id: cont, label: 续建项目每个加0.5分, per: {of: a, points: 0.5}}
        - {id: bad, label: 每次扣10分, per: {of: b, points: -10}}
        """, group="total: {}\n")
    ev = s.evaluate(units(u={"a": 3, "b": 4}))
    # inner: 3×2 + 3×0.5 = 7.5 → capped at 5; deductions 4×-10 = -40 unbounded
    assert ev["u"].values["inner"] == 5
    assert ev["u"].values["adj"] == -35
    assert ev["u"].total == -35


def test_a_sum_shows_the_digits_of_an_addition_when_a_number_is_written_with_an_exponent() -> None:
    # a lone event's points and a net with one side 0 are shared rather than added to 0: not when
    # 0 + x would write x otherwise (1E+1 + 0 is 10)
    s = scheme("""\
        n: {type: count}
        awards:
          type: events
          fields: {level: {type: text}}
        """, group="""\
        adjustments:
          id: adj
          label: 加减分
          bonus_cap: 1E+1
          rules:
            - {id: plus, label: 每次加8分, per: {of: n, points: 8}}
            - {id: award, label: 每次加10分, for_each: {events: awards, value: {points: 1E+1}}}
        """)
    r = s.evaluate(units(u={"n": 2, "awards": [{"level": "a"}]}))["u"]
    assert (str(r.values["award"]), str(r.values["adj"])) == ("10", "10")  # 16 + 10 capped at 1E+1


def test_bonus_cap_for_all_bonuses_and_deduction_cap() -> None:
    s = scheme("""\
        n: {type: count}
        m: {type: count}
        """, """\
        - {id: plus, label: 每次加8分, per: {of: n, points: 8}}
        - {id: minus, label: 每次扣3分, per: {of: m, points: -3}}
        """)
    text = s.definition.model_dump()
    assert text["groups"][0]["adjustments"]["bonus_cap"] is None
    capped = scheme("""\
        n: {type: count}
        m: {type: count}
        """, group="""\
        adjustments:
          id: adj
          label: 加减分
          bonus_cap: 20
          deduction_cap: 5
          rules:
            - {id: plus, label: 每次加8分, per: {of: n, points: 8}}
            - {id: minus, label: 每次扣3分, per: {of: m, points: -3}}
        """)
    ev = capped.evaluate(units(u={"n": 3, "m": 2}))
    assert ev["u"].values["adj"] == 15  # 24 → 20, -6 → -5
    assert "bonuses 24 capped at 20" in ev["u"].explain()


def test_rule_floor_each_item_at_most_minus_two() -> None:
    s = scheme("""\
        d: {type: number}
        """, """\
        - {id: r, label: 每项最高减2分, min: -2, formula: "-d"}
        """)
    assert value(s, "r", d="3.5") == -2
    assert value(s, "r", d="1.5") == D("-1.5")


@pytest.mark.parametrize(("mode", "expected"), [("half_up", "2.35"), ("half_even", "2.34"), ("down", "2.34")])
def test_rounding_modes(mode: str, expected: str) -> None:
    s = scheme("""\
        x: {type: number}
        """, f"""\
        - {{id: r, label: 保留两位小数, formula: x, round: {{places: 2, mode: {mode}}}}}
        """)
    assert value(s, "r", x="2.345") == D(expected)


def test_weight_transfer_rescales_the_receiving_item() -> None:
    s = scheme("""\
        has_investment: {type: boolean}
        has_funds: {type: boolean}
        investment: {type: number}
        funds: {type: number}
        main: {type: number}
        """, sections="""\
        - {id: inv, label: 招商引资, max: 20, score: investment, applies: has_investment, transfer_to: main_work}
        - {id: fund, label: 向上争取资金, max: 20, score: funds, applies: has_funds, transfer_to: main_work}
        - {id: main_work, label: 主要职能工作, max: 20, score: main}
        """)
    ev = s.evaluate(units(
        a={"has_investment": False, "has_funds": True, "investment": 0, "funds": 15, "main": 18},
        b={"has_investment": False, "has_funds": False, "investment": 0, "funds": 0, "main": 18},
        c={"has_investment": True, "has_funds": True, "investment": 20, "funds": 20, "main": 20},
    ))
    assert ev["a"].values["main_work"] == 36   # 18 × (20 + 20) / 20
    assert ev["a"].total == 51                 # 0 + 15 + 36
    assert ev["b"].values["main_work"] == 54   # 18 × 60 / 20
    assert ev["c"].total == 60
    assert [line.max for line in ev["b"].sections] == [0, 0, 60]


def test_formula_and_when_with_honour() -> None:
    s = scheme("""\
        invest: {type: number, unit: 亿元}
        started: {type: boolean}
        """, """\
        - id: r
          label: 招商引进1个固定资产投资10亿元以上…当年开工建设的对单位和个人记功
          when: {test: "invest >= 10 and started", honours: [记功]}
        """)
    ev = s.evaluate(units(u={"invest": 10, "started": True}, v={"invest": "9.99", "started": True}))
    assert ev["u"].honours == ("记功",) and ev["u"].values["r"] == 0
    assert ev["v"].honours == ()


def test_an_empty_optional_fact_is_named_when_arithmetic_needs_it() -> None:
    s = scheme("""\
        x: {type: number, required: false}
        y: {type: number, required: false}
        """, """\
        - {id: r, label: 公式, formula: "x + 1 if present(y) else 0"}
        """)
    assert value(s, "r", x=None, y=None) == 0
    assert value(s, "r", x=2, y=1) == 3
    with pytest.raises(apprule.EvaluationError, match="rule 'r': needs x, which the unit left empty"):
        value(s, "r", y=1)


def test_each_item_deducts_at_most_two_points() -> None:
    # 重要信息报送、保密工作…等工作实行减分制,…每项最高减2分
    s = scheme("""\
        lapses:
          type: events
          fields:
            item: {type: text}
            points: {type: number}
        """, """\
        - id: r
          label: 每项最高减2分
          for_each: {events: lapses, key: item, value: {formula: "-points"}, key_min: -2}
        """)
    lapses = [{"item": "保密", "points": "1.5"}, {"item": "保密", "points": 1}, {"item": "防汛", "points": "0.5"}]
    assert value(s, "r", lapses=lapses) == D("-2.5")   # 保密 -2.5 → -2, 防汛 -0.5


@pytest.mark.parametrize(("bounds", "x", "expected", "note"), [
    ("min: 0, max: 20", "15", "10", "15 clamped to 10"),   # over_max: clamp, the fact may exceed the rule's 10
    ("max: 10", "-3", "0", "-3 clamped to 0"),             # no lower bound on the fact: a score is at least 0
    ("min: 0, max: 10", "7", "7", None),                   # the fact's bounds fit: read as it is
])
def test_score_is_clamped_to_its_rule_unless_the_fact_bounds_fit(bounds: str, x: str, expected: str,
                                                                  note: str | None) -> None:
    s = scheme(f"x: {{type: number, {bounds}}}\n", sections="""\
        - {id: sec, label: 专项, max: 10, items: [{id: s, label: 得分, max: 10, score: x, over_max: clamp}]}
        """)
    result = s.evaluate(units(u={"x": x}))["u"]
    assert result.values["s"] == D(expected)
    assert (note in result.explain()) if note else "clamped" not in result.explain()


def test_rule_minimum_above_the_fact_minimum_still_floors_a_score() -> None:
    s = scheme("x: {type: number, min: 0, max: 10}\n", sections="""\
        - {id: sec, label: 专项, max: 10, items: [{id: s, label: 得分, max: 10, min: 2, score: x}]}
        """)
    assert s.evaluate(units(u={"x": "1"}))["u"].values["s"] == 2


@pytest.mark.parametrize(("declared", "score", "given", "message"), [
    ("", "x", {"x": 1200}, "the fact 'x' is 1200, above the rule's maximum 12"),   # 1200 typed for 12.00
    ("over_max: refuse, ", "x", {"x": "12.01"}, "the fact 'x' is 12.01, above the rule's maximum 12"),
    ("", "x + y", {"x": 7, "y": 6}, "the score is 13, above the rule's maximum 12"),
])
def test_a_score_above_its_maximum_is_refused_by_default(declared: str, score: str, given: dict[str, Any],
                                                         message: str) -> None:
    s = scheme("x: {type: number, min: 0}\ny: {type: number, min: 0, default: 0}\n", sections=f"""\
        - {{id: sec, label: 专项, max: 12, items: [{{id: s, label: 得分, max: 12, {declared}score: "{score}"}}]}}
        """)
    with pytest.raises(apprule.EvaluationError) as caught:
        s.evaluate(units(u=given))
    assert caught.value.code == "over-max"
    assert str(caught.value) == (f"unit 'u', rule 's': {message}; a value beyond the maximum is refused, not cut "
                                 "to it (a rule whose document caps the value says over_max: clamp)")
    assert s.evaluate(units(u={**given, "x": 12} | ({"y": 0} if "y" in given else {})))["u"].values["s"] == D(12)  # the maximum itself scores


def test_over_max_belongs_to_score_rules() -> None:
    with pytest.raises(apprule.SchemeError, match="`over_max` belongs to `score` rules"):
        scheme("x: {type: count}\n", sections="""\
            - {id: sec, label: 专项, max: 10, items: [{id: s, label: 得分, max: 10, per: {of: x, points: 1},
               over_max: clamp}]}
            """)
