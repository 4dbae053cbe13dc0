"""Ranks, tie policies, peer averages, rank movement, quotas, grades and vetoes, computed by hand."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from schemekit import HEAD, scheme, units, value

import apprule

SCORE = """\
    - {id: s, label: 得分, max: 100, score: x}
    """


def test_competition_and_dense_ranks_with_tie_breaker() -> None:
    facts = "x: {type: number}\ny: {type: number}\n"
    xs = units(a={"x": 90}, b={"x": 80}, c={"x": 80}, d={"x": 70})
    ev = scheme("x: {type: number}\n", sections=SCORE, group="ranking: {}\n").evaluate(xs)
    assert [ev[u].rank for u in "abcd"] == [1, 2, 2, 4]
    ev = scheme("x: {type: number}\n", sections=SCORE, group="ranking: {ties: dense}\n").evaluate(xs)
    assert [ev[u].rank for u in "abcd"] == [1, 2, 2, 3]
    broken = scheme(facts, sections=SCORE, group="ranking: {tie_breakers: [y]}\n")
    ev = broken.evaluate(units(a={"x": 90, "y": 1}, b={"x": 80, "y": 2}, c={"x": 80, "y": 3}, d={"x": 70, "y": 4}))
    assert [ev[u].rank for u in "abcd"] == [1, 3, 2, 4]


def test_rank_table_split_on_positive_and_negative_ranks() -> None:
    # 综合考评在朝阳取得第1名加5分,第2名加2分,第3名记0分,第4名减2分,第5名减3分。
    # 出现并列时,加分=按名次应加分数÷并列个数(保留两位小数)
    s = scheme("""\
        cy_rank: {type: count}
        cy_tied: {type: count, default: 1}
        """, """\
        - id: r
          label: 承担朝阳市考核任务指标
          rank_table:
            rank: cy_rank
            tie_count: cy_tied
            map: {1: 5, 2: 2, 3: 0, 4: -2, 5: -3}
            ties: split
            split_round: 2
        """)
    ev = s.evaluate(units(a={"cy_rank": 1, "cy_tied": 2}, b={"cy_rank": 4, "cy_tied": 3}, c={"cy_rank": 2},
                          d={"cy_rank": 7}))
    assert ev["a"].values["r"] == D("2.5")     # 5 ÷ 2
    assert ev["b"].values["r"] == D("-0.67")   # -2 ÷ 3 = -0.666… → -0.67 (half up on the magnitude)
    assert ev["c"].values["r"] == 2
    assert ev["d"].values["r"] == 0            # beyond the table


@pytest.mark.parametrize(("ties", "expected"), [("average", "3.5"), ("best", "5"), ("worst", "2"),
                                                 ("split", "2.5"), ("none", "5")])
def test_rank_table_tie_policies_among_the_units(ties: str, expected: str) -> None:
    s = scheme("x: {type: number}\n", f"""\
        - id: r
          label: 名次加分
          rank_table: {{by: x, map: {{1: 5, 2: 2}}, ties: {ties}}}
        """)
    ev = s.evaluate(units(a={"x": 9}, b={"x": 9}, c={"x": 1}))
    assert ev["a"].values["r"] == ev["b"].values["r"] == D(expected)
    assert ev["c"].values["r"] == 0          # rank 3: not in the table


def test_peer_average_fill_and_no_peer() -> None:
    # 排名位于第一、第二名的,分别加10分、5分。不涉及通报排名的单位,按平均值加分
    rules = """\
        - id: r
          label: 市对区平时考评
          rank_table: {rank: city_rank, map: {1: 10, 2: 5}}
          fill: {}
          round: 2
        """
    s = scheme("city_rank: {type: count, required: false}\n", rules)
    ev = s.evaluate(units(a={"city_rank": 1}, b={"city_rank": 2}, c={"city_rank": 5}, d={}))
    assert ev["d"].values["r"] == 5   # (10 + 5 + 0) / 3
    lonely = s.evaluate(units(d={}))
    assert lonely["d"].values["r"] == 0
    assert "no peer has a value" in lonely["d"].explain()


def test_rank_movement_with_cap_and_holding_first() -> None:
    # 排位每前移1位的,每项加0.5分,最高加分不超过3分;保持全区第一位的,每项加1.5分
    s = scheme("now: {type: number}\nbefore: {type: number}\n", """\
        - id: r
          label: 主要指标增长率排位
          movement: {now: now, before: before, per_place: 0.5, hold_first: 1.5, max: 3}
        """)
    # before ranks: a1 b2 c3 ... h8; now: a1, h2 (up 6 → 3 capped at 3), b3 (down), ...
    before = {u: 10 - i for i, u in enumerate("abcdefgh")}
    now = {"a": 100, "h": 90, "g": 85, "b": 80, "c": 70, "d": 60, "e": 50, "f": 40}
    ev = s.evaluate(units(**{u: {"now": now[u], "before": before[u]} for u in "abcdefgh"}))
    assert ev["a"].values["r"] == D("1.5")   # held first
    assert ev["h"].values["r"] == 3          # 8 → 2: 6 places × 0.5 = 3, at the cap
    assert ev["g"].values["r"] == D("2")     # 7 → 3: 4 places × 0.5
    assert ev["b"].values["r"] == 0          # 2 → 4: moving back gives nothing
    notes = {u: [t for t in ev[u].trace.walk() if t.id == "r"][0].notes for u in "ahb"}
    notes = {u: tuple(map(str, found)) for u, found in notes.items()}
    assert notes == {"a": ("held first place: 1.5",), "h": ("rank 8 → 2: 6 places up × 0.5 = 3.0",),
                     "b": ("rank 2 → 4: no gain",)}
    now["h"] = 200                           # 8 → 1: 7 places × 0.5 = 3.5, over the cap
    ev = s.evaluate(units(**{u: {"now": now[u], "before": before[u]} for u in "abcdefgh"}))
    r = [t for t in ev["h"].trace.walk() if t.id == "r"][0]
    assert (r.value, tuple(map(str, r.notes))) == (3, ("rank 8 → 1: 7 places up × 0.5 = 3.5, capped at 3",))
    assert dict(r.inputs)["rank before"] == 8 and dict(r.inputs)["rank now"] == 1


GRADES = """\
    ranking: {{}}
    grades:
      levels: [好, 较好, 一般, 较差]
      rounding: {rounding}
      quota_counts: {counts}
      rules:
        - {{grade: 好, when: "total >= 95", quota: {{share: 0.30}}}}
        - {{grade: 较好, quota: {{share: 0.50}}}}
        - {{grade: 一般, quota: {{share: 0.15}}}}
        - {{grade: 较差}}
    """


def _grades(rounding: str = "floor", counts: str = "each", n: int = 29) -> dict[str, str | None]:
    s = scheme("x: {type: number}\n", sections=SCORE, group=GRADES.format(rounding=rounding, counts=counts))
    ev = s.evaluate(units(**{f"u{i:02d}": {"x": 100 - i} for i in range(n)}))
    return {u: r.grade for u, r in ev.items()}


def test_quota_30_percent_of_29_floor() -> None:
    grades = _grades()
    # 29 × 30% = 8.7 → 8 好 (all ≥ 95? u00..u05 are 100..95: only 6 reach 95); 较好 14.5 → 14; 一般 4.35 → 4
    counts = {g: list(grades.values()).count(g) for g in ("好", "较好", "一般", "较差")}
    assert counts == {"好": 6, "较好": 14, "一般": 4, "较差": 5}
    assert grades["u05"] == "好" and grades["u06"] == "较好"   # 95分以上 includes 95


def test_quota_rounding_choices() -> None:
    def count(grades: dict[str, str | None]) -> list[int]:
        return [list(grades.values()).count(g) for g in ("好", "较好", "一般", "较差")]
    # n = 20: 30% = 6 (only 6 units ≥ 95 anyway); 50% = 10; 15% = 3; rest 1
    assert count(_grades(n=20)) == [6, 10, 3, 1]
    # n = 29, half_up: 8.7 → 9 好 places but only 6 reach 95; 14.5 → 15; 4.35 → 4
    assert count(_grades("half_up", n=29)) == [6, 15, 4, 4]
    # largest remainder over 29: floors 8, 14, 4 (= 26); the shares sum to 95% → 27.55 → 27 with floor,
    # one place left goes to the largest remainder (.7 of 好)
    assert count(_grades("floor", "largest_remainder", n=29)) == [6, 14, 4, 5]


def test_quarter_of_seven_and_ties_at_the_quota_boundary() -> None:
    group = """\
        ranking: {{}}
        grades:
          levels: [优秀, 达标]
          rounding: {rounding}
          boundary_ties: {ties}
          rules:
            - {{grade: 优秀, quota: {{share: 0.25}}}}
            - {{grade: 达标}}
        """

    def best(rounding: str, ties: str, xs: list[int]) -> list[str]:
        s = scheme("x: {type: number}\n", sections=SCORE, group=group.format(rounding=rounding, ties=ties))
        ev = s.evaluate(units(**{f"u{i}": {"x": x} for i, x in enumerate(xs)}))
        return sorted(u for u, r in ev.items() if r.grade == "优秀")

    xs = [90, 80, 80, 70, 60, 50, 40]
    assert best("floor", "exclude", xs) == ["u0"]                # 7 × 25% = 1.75 → 1
    assert best("ceil", "exclude", xs) == ["u0"]                 # 2 places, but u1 and u2 tie for the 2nd
    assert best("ceil", "include", xs) == ["u0", "u1", "u2"]     # the tie straddling the boundary: all in


VETO_GROUP = """\
    ranking: {}
    grades:
      levels: [优秀, 达标, 基本达标, 不达标]
      rules:
        - {grade: 优秀, quota: {count: 1}}
        - {grade: 达标, when: "total >= 70"}
        - {grade: 基本达标, when: "total >= 60"}
        - {grade: 不达标}
      grants:
        - {grade: 优秀, from: [达标], when: national, label: 受到党中央、国务院表彰}
    vetoes:
      - {id: fraud, label: 弄虚作假, when: fraud, effects: {unrank: true}}
      - {id: bar, label: 被一票否决, when: veto, effects: {bar: [优秀]}}
      - {id: two, label: 两种以上情形, when: "count(veto, criticized) >= 2", effects: {force: 不达标}}
      - {id: down, label: 降一等次, when: demote, effects: {demote: 1}}
    """
VETO_FACTS = """\
    x: {type: number}
    fraud: {type: boolean, default: false}
    veto: {type: boolean, default: false}
    criticized: {type: boolean, default: false}
    demote: {type: boolean, default: false}
    national: {type: boolean, default: false}
    """


def test_vetoes_grants_and_demotion() -> None:
    s = scheme(VETO_FACTS, sections=SCORE, group=VETO_GROUP)
    ev = s.evaluate(units(
        a={"x": 95, "veto": True},               # best total, barred from 优秀 → 达标; the place passes to b
        b={"x": 90},                             # 优秀
        c={"x": 85, "fraud": True},              # removed from the ranking: no rank, no grade
        d={"x": 80, "national": True},           # 达标 promoted to 优秀 outside the quota
        e={"x": 75, "veto": True, "criticized": True},   # two conditions: forced 不达标
        f={"x": 72, "demote": True},             # 达标 → 基本达标, at its bottom
        g={"x": 65},                             # 基本达标
    ))
    assert {u: (r.rank, r.grade) for u, r in ev.items()} == {
        "a": (1, "达标"), "b": (2, "优秀"), "c": (None, None), "d": (3, "优秀"), "e": (4, "不达标"),
        "f": (5, "基本达标"), "g": (6, "基本达标")}
    assert ev["c"].would_be_rank == 3 and ev["c"].would_be_grade == "达标"
    assert ev["a"].would_be_grade == "优秀"
    assert ev["c"].flags == ("弄虚作假",)
    assert "removed from the ranking: 弄虚作假" in ev["c"].explain()
    group = [r.unit for r in ev.group("g")]
    assert group.index("c") == len(group) - 1     # unranked units come last
    # published order: 优秀 b d, 达标 a, 基本达标 g then the demoted f at the bottom, 不达标 e
    assert sorted("abdefg", key=lambda u: ev[u].position) == list("bdagfe")
    # every step of the grading, in the order it was taken, is in the explanation (and only there)
    head = "scope of 6 units; quotas: 优秀: 1 → 1 (rounded down); rank "
    notes = {u: tuple(map(str, ev[u].trace.children[-1].notes)) for u in "adef"}
    assert notes == {
        "a": ("被一票否决: not eligible for 优秀", head + "1", "达标: condition met"),
        "d": (head + "3", "优秀: outside the 1-place quota", "达标: condition met",
              "受到党中央、国务院表彰: 达标 → 优秀 outside the quota"),
        "e": ("被一票否决: not eligible for 优秀", head + "4", "达标: condition met", "两种以上情形: grade forced to 不达标"),
        "f": (head + "5", "优秀: outside the 1-place quota", "达标: condition met",
              "降一等次: demoted 达标 → 基本达标, placed at its bottom")}


def test_cap_grade_not_above() -> None:
    s = scheme("x: {type: number}\nbad: {type: boolean}\n", sections=SCORE, group="""\
        ranking: {}
        grades:
          levels: [好, 较好, 一般, 较差]
          rules: [{grade: 好, quota: {count: 1}}, {grade: 较好, quota: {count: 1}}, {grade: 一般}]
        vetoes:
          - {id: cap, label: 党建工作不达标, when: bad, effects: {cap: 一般}}
        """)
    ev = s.evaluate(units(a={"x": 99, "bad": True}, b={"x": 90, "bad": False}, c={"x": 80, "bad": False}))
    assert [ev[u].grade for u in "abc"] == ["一般", "好", "较好"]


def test_results_do_not_depend_on_the_order_of_units_or_keys() -> None:
    s = scheme("x: {type: number}\ny: {type: number}\n", sections=SCORE, group="ranking: {tie_breakers: [y]}\n")
    facts = units(a={"x": 1, "y": 2}, b={"x": 3, "y": 1}, c={"x": 3, "y": 0})
    reverse = {u: dict(reversed(list(f.items()))) for u, f in reversed(list(facts.items()))}
    one, two = s.evaluate(facts), s.evaluate(reverse)
    assert list(one) == list(two)
    assert [one[u].explain() for u in one] == [two[u].explain() for u in two]


def test_monthly_results_weighted_into_the_year() -> None:
    # 月度评比结果…按权重核分,计入考评对象年度总成绩; 弄虚作假…直接取消单位当月评比资格
    yearly = apprule.load_scheme(HEAD + """\
aggregate: {label: 按权重核分, weights: {'05': 1, '06': 2}, unranked: zero, round: 2}
facts:
  x: {type: number}
  fraud: {type: boolean, default: false}
groups:
  - id: g
    label: 组
    sections:
      - {id: s, label: 得分, max: 100, score: x}
    ranking: {}
    vetoes: [{id: fraud, label: 弄虚作假, when: fraud, effects: {unrank: true}}]
""", name="y.yaml")
    may = yearly.evaluate(units(a={"x": 90}, b={"x": 80}))
    june = yearly.evaluate(units(a={"x": 70, "fraud": True}, b={"x": 85}))
    year = yearly.aggregate({"05": may, "06": june})
    assert year["a"].total == 30               # (90 × 1 + 0 × 2) / 3: June does not count
    assert year["b"].total == D("83.33")       # (80 + 85 × 2) / 3 = 83.333… → 83.33
    assert (year["b"].rank, year["a"].rank) == (1, 2)
    with pytest.raises(apprule.PeriodError, match="no weight for period"):
        yearly.aggregate({"07": may})


def test_rank_table_honours_and_the_last_place() -> None:
    # 高质量招商项目专项评比第一名的单位做典型发言; 排名靠后的1个…在会议上做表态发言
    s = scheme("x: {type: number}\ninvest: {type: number}\n", sections=SCORE, group="""\
        adjustments:
          id: adj
          label: 加减分
          rules:
            - id: first
              label: 评比第一名的单位做典型发言
              rank_table: {by: invest, map: {1: {points: 0, honours: [典型发言]}}}
        ranking: {}
        grades:
          levels: [正常, 表态发言]
          rules:
            - {grade: 表态发言, when: "rank_from_bottom == 1 and scope_size > 1"}
            - {grade: 正常}
        """)
    ev = s.evaluate(units(a={"x": 90, "invest": 5}, b={"x": 80, "invest": 9}, c={"x": 70, "invest": 1},
                          d={"x": 70, "invest": 2}))
    assert ev["b"].honours == ("典型发言",) and ev["a"].honours == ()
    assert {u: r.grade for u, r in ev.items()} == {"a": "正常", "b": "正常", "c": "表态发言", "d": "表态发言"}


def test_post_scoring_conditions_name_the_unit_and_force_survives_unranking() -> None:
    s = scheme("x: {type: number}\ny: {type: number, required: false}\nfraud: {type: boolean}\n", sections=SCORE,
               group="""\
        ranking: {}
        grades:
          levels: [达标, 不达标]
          rules: [{grade: 达标, when: "total >= 60"}, {grade: 不达标}]
        vetoes:
          - {id: fraud, label: 弄虚作假, when: fraud, effects: {unrank: true, force: 不达标}}
          - {id: y, label: 条件, when: "y > 3"}
        """)
    ev = s.evaluate(units(a={"x": 90, "y": 1, "fraud": True}, b={"x": 50, "y": 1, "fraud": False}))
    assert (ev["a"].rank, ev["a"].grade, ev["a"].would_be_grade) == (None, "不达标", "达标")
    with pytest.raises(apprule.EvaluationError, match="unit 'b', rule 'veto y': needs y, which the unit left empty"):
        s.evaluate(units(b={"x": 50, "fraud": False}))


@pytest.mark.parametrize(("policy", "best"), [("pass_down", ["b", "c"]), ("forfeit", ["b"])])
def test_a_barred_units_place_passes_down_or_is_forfeited(policy: str, best: list[str]) -> None:
    s = scheme("x: {type: number}\nbad: {type: boolean}\n", sections=SCORE, group=f"""\
        ranking: {{}}
        grades:
          levels: [好, 一般]
          barred_places: {policy}
          rules: [{{grade: 好, quota: {{count: 2}}}}, {{grade: 一般}}]
        vetoes: [{{id: v, label: 一票否决, when: bad, effects: {{bar: [好]}}}}]
        """)
    ev = s.evaluate(units(a={"x": 99, "bad": True}, b={"x": 90, "bad": False}, c={"x": 80, "bad": False},
                          d={"x": 70, "bad": False}))
    assert sorted(u for u, r in ev.items() if r.grade == "好") == best


def test_a_rank_from_a_formula_is_a_whole_number_of_at_least_1() -> None:
    s = scheme("place: {type: number}\n", """\
        - id: r
          label: 名次加分
          rank_table: {rank: place + 0, map: {1: 10, 2: 8}}
        """)
    for bad, shown in (("1.9", "1.9"), ("0", "0"), ("-1", "-1")):
        with pytest.raises(apprule.EvaluationError) as info:
            s.evaluate(units(a={"place": bad}))
        assert str(info.value) == f"unit 'a', rule 'r': a rank is a whole number of at least 1, got {shown}"


def test_an_average_over_a_billion_tied_places_is_the_table_and_otherwise() -> None:
    # 出现并列时取名次平均: places 2..10^9+1 — 8 points for place 2, `otherwise` (1) for all the others
    s = scheme("place: {type: number}\nshared: {type: number}\n", """\
        - id: r
          label: 名次加分
          rank_table: {rank: place, tie_count: shared + 0, ties: average, map: {1: 10, 2: 8}, otherwise: {points: 1}}
        """)
    k = 10 ** 9
    assert value(s, "r", place=2, shared=k) == (D(8) + D(k - 1)) / k


def test_movement_from_places_the_office_was_given() -> None:
    # 赫山 三(七)1: 和上年度相比在全区排位每前移1位的,每项加0.5分,最高加分不超过3分;保持全区第一位的,每项加1.5分.
    # The 区绩效办 receives the district-wide positions (排位) as a list: they are not ranked again among
    # the units given, so one town alone is scored exactly as among all of them.
    s = scheme("now: {type: count}\nbefore: {type: count}\n", """\
        - id: r
          label: 主要指标增长率排位
          movement: {now: now, before: before, places: given, per_place: 0.5, hold_first: 1.5, max: 3}
        """)
    places = {"a": (1, 1), "b": (4, 9), "c": (2, 3), "d": (2, 2), "e": (5, 2), "f": (1, 12)}
    ev = s.evaluate(units(**{u: {"now": n, "before": b} for u, (n, b) in places.items()}))
    # a held first: 1.5; b 9 → 4: 5 × 0.5 = 2.5; c 3 → 2 (tied second with d): 0.5; d stayed: 0;
    # e fell: 0; f 12 → 1: 11 × 0.5 = 5.5, capped at 3
    assert {u: ev[u].values["r"] for u in places} == \
        {"a": D("1.5"), "b": D("2.5"), "c": D("0.5"), "d": 0, "e": 0, "f": 3}
    alone = s.evaluate(units(a={"now": 1, "before": 1}))
    assert alone["a"].values["r"] == D("1.5")
    assert s.ranking("g").unit_local
    with pytest.raises(apprule.FactError) as info:  # a place is a whole number from 1
        s.evaluate(units(a={"now": 0, "before": 1}))
    assert str(info.value) == "unit 'a', fact 'now': bad-rank: a rank is a whole number of at least 1, got 0"
