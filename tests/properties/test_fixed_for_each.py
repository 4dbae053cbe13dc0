"""`for_each` in fixed point is the decimal path digit for digit (issue 15).

Each event's value is an integer at the scale of the rule's most places, combined per unit (and per matter)
by grouped reductions. The decimal path (`_in_full`, what explanations read) is the oracle: the same
populations scored with the fixed-point kernel switched off must give every rule value, section and total
as the same text (``str``: 2.50 is not 2.5, 0 is not 0.0), or the same error.
"""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal as D
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import apprule
import apprule.evaluate.shapes.for_each as for_each
from apprule.evaluate.fixed import Parts, unit_totals

sys.path.insert(0, str(Path(__file__).parent.parent / "language"))
from schemekit import scheme, units  # noqa: E402

BIG = "999999999999999.999999999999999999"  # the largest value a fact may take
FACTS = f"""\
ev:
  type: events
  required: false
  dated_by: d
  fields:
    d: {{type: date, required: false}}
    k: {{type: text, required: false}}
    v: {{type: number, min: -{BIG}, max: {BIG}}}
    lvl: {{type: enum, values: [a, b, c, z]}}
"""
#: rules over one events fact: every value kind and combination, places mixed, limits per matter
RULES = """\
- {id: pts, label: 每次加2.5分, for_each: {events: ev, value: {points: 2.5}}}
- {id: whole, label: 每次扣3分, for_each: {events: ev, value: {points: -3}}}
- {id: tiny, label: 每次加0.000000000000000001分, for_each: {events: ev, value: {points: 0.000000000000000001}}}
- {id: tab, label: 按级别, for_each: {events: ev, value: {table: {of: lvl, map: {a: 10, b: 2.5, c: -0.05}, otherwise: 0.00}}}}
- {id: tab_max, label: 同一项目只计最高一次, for_each: {events: ev, key: k, combine: max, value: {table: {of: lvl, map: {a: 10, b: 2.5, c: -0.05}, otherwise: 1.0}}}}
- {id: tab_min, label: 同一项目只计最低一次, for_each: {events: ev, key: k, combine: min, value: {table: {of: lvl, map: {a: 10, b: 2.50, c: -1}, otherwise: -1.0}}}}
- {id: tab_abs, label: 同一问题只计最重一次, for_each: {events: ev, key: k, combine: max_abs, value: {table: {of: lvl, map: {a: 3, b: -3, c: 3.0}, otherwise: -3.00}}}}
- {id: level, label: 同一事项按最高级别, for_each: {events: ev, key: k, combine: highest_level, value: {table: {of: lvl, map: {a: 5, b: 5.0, c: 1}, otherwise: 0.5}}}}
- {id: level_unkeyed, label: 只计最高级别一次, for_each: {events: ev, where: 'lvl != "z"', combine: highest_level, value: {table: {of: lvl, map: {a: 5, b: 3, c: 1}}}}}
- {id: capped, label: 每项最多加5分, for_each: {events: ev, key: k, value: {table: {of: lvl, map: {a: 4, b: 2.5, c: 1}}}, key_max: 5}}
- {id: floored, label: 每项最高减2分, for_each: {events: ev, key: k, value: {formula: "-v"}, key_min: -2.0, key_max: 1E+1}}
- {id: unit_limited, label: 每单位最多3.5分最少扣1分, for_each: {events: ev, value: {formula: v}, key_max: 3.5, key_min: -1}}
- {id: unkeyed_max, label: 只计最高一次, for_each: {events: ev, combine: max, value: {formula: v}}}
- {id: formula, label: 按金额, for_each: {events: ev, where: 'lvl != "z"', value: {formula: "v * 2"}}}
- {id: banded, label: 分档, for_each: {events: ev, value: {bands: {of: v, bands: [{below: 0, points: -1.5}, {from: 0, below: 10, points: 0}, {from: 10, points: 2}]}}}}
- {id: rounded, label: 四舍五入, for_each: {events: ev, value: {formula: "v / 3"}}, round: {places: 2}}
- {id: capped_rule, label: 最多加10分, for_each: {events: ev, value: {table: {of: lvl, map: {a: 4, b: 2.5, c: 1}}}}, max: 10.0, min: -1}
"""
RULE_IDS = [line.split(",")[0].split(": ")[1] for line in RULES.splitlines()]
EVENTS = scheme(FACTS, RULES)
PERIOD_EDGES = [dt.date(2020, 12, 31), dt.date(2021, 1, 1), dt.date(2021, 6, 30), dt.date(2021, 12, 31),
                dt.date(2022, 1, 1)]


def _decimal_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(for_each, "_in_fixed_point", lambda *args: None)


def _scored(s: apprule.Scheme, facts: dict[str, Any], columns: bool = False) -> Any:
    """Every unit's rule values and total as text, or the error's text."""
    try:
        evaluation = s.evaluate_columns(pa.Table.from_pylist(
            [{"unit": u, **f} for u, f in facts.items()])) if columns else s.evaluate(facts)
    except apprule.EvaluationError as exc:
        return ("error", str(exc))
    return {u: {k: str(v) for k, v in evaluation[u].values.items()} | {"total": str(evaluation[u].total)}
            for u in facts}


def both(s: apprule.Scheme, facts: dict[str, Any], monkeypatch: pytest.MonkeyPatch, columns: bool = False
         ) -> tuple[Any, Any]:
    fixed = _scored(s, facts, columns)
    with monkeypatch.context() as m:
        _decimal_path(m)
        return fixed, _scored(s, facts, columns)


VALUES = st.sampled_from(["0", "0.005", "-0.005", "0.5", "-0.5", "2.50", "-2.5", "10", "-10", "3", "1.000",
                          "0.000000000000000001", "-0.000000000000000001", "999999.999999999999999999",
                          BIG, "-" + BIG, "123456789012345", "-7.25"]) | \
    st.decimals(min_value=D("-1E+6"), max_value=D("1E+6"), places=3).map(str)
EVENT = st.fixed_dictionaries({
    "d": st.sampled_from(PERIOD_EDGES) | st.none(),
    "k": st.sampled_from(["x", "y", "同一项目"]) | st.none(),  # few keys: duplicates are the rule
    "v": VALUES,
    "lvl": st.sampled_from(["a", "b", "c", "z"]),
}, optional={"carried_from": st.just("2020年")})
POPULATION = st.dictionaries(st.sampled_from([f"u{j}" for j in range(6)]),
                             st.fixed_dictionaries({"group": st.just("g"),
                                                    "ev": st.lists(EVENT, max_size=5) | st.none()}),
                             min_size=1, max_size=6)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(facts=POPULATION)
@example(facts={"u0": {"group": "g", "ev": []}, "u1": {"group": "g", "ev": None}})  # empty lists
@example(facts={"u0": {"group": "g", "ev": [{"d": dt.date(2020, 12, 31), "k": "x", "v": "1.5", "lvl": "b"}]},
                "u1": {"group": "g", "ev": [{"d": dt.date(2022, 1, 1), "k": "x", "v": "2", "lvl": "a"}]}})  # all outside
@example(facts={"u0": {"group": "g", "ev": [{"d": None, "k": "x", "v": "0.005", "lvl": "c"},
                                            {"d": None, "k": "x", "v": "-0.005", "lvl": "c"}]}})  # half cents
@example(facts={"u0": {"group": "g", "ev": [{"d": None, "k": "x", "v": BIG, "lvl": "a"}] * 5}})  # beyond int64
def test_the_fixed_point_kernel_is_the_decimal_path_digit_for_digit(facts: dict[str, Any],
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    fixed, decimal = both(EVENTS, facts, monkeypatch)
    assert fixed == decimal


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(facts=POPULATION)
def test_arrow_events_too(facts: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    facts = {u: {**f, "ev": [{"carried_from": None, **e} for e in f["ev"] or []]} for u, f in facts.items()}
    for f in facts.values():
        for e in f["ev"]:
            e["v"] = D(e["v"])
    fixed, decimal = both(EVENTS, facts, monkeypatch, columns=True)
    assert fixed == decimal  # (not the dictionaries' digits: an Arrow column gives every value its places)


def test_most_populations_take_the_fixed_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every rule of an ordinary population is scored in fixed point (else the test above proves nothing)."""
    taken: list[str] = []
    real = for_each._in_fixed_point

    def counting(pop: Any, node: Any, *args: Any) -> Any:
        out = real(pop, node, *args)
        if out is not None:
            taken.append(node.id)
        return out

    monkeypatch.setattr(for_each, "_in_fixed_point", counting)
    EVENTS.evaluate(units(u={"ev": [{"d": "2021-03-01", "k": "x", "v": "12.5", "lvl": "a"},
                                    {"d": "2021-03-02", "k": "x", "v": "-3", "lvl": "b"}]}, w={}))
    # all but `rounded`: 12.5 / 3 is 4.166666666666666666666666666666667, 33 places, more than int64 holds
    assert taken == [r for r in RULE_IDS if r != "rounded"]


# --- hand-computed, on the shipped schemes' rules ---------------------------------------------------------------

HIGHEST = scheme("""\
    awards:
      type: events
      required: false
      fields:
        matter: {type: text, required: false}
        level: {type: enum, values: [national, provincial, bureau, xingyang]}
    """, """\
    - id: r
      label: 同一项目只计最高一次
      for_each:
        events: awards
        key: matter
        combine: max
        value: {table: {of: level, map: {national: 10, provincial: 8, bureau: 6, xingyang: 2}}}
    """)


def test_the_same_matter_counts_once_at_its_highest(monkeypatch: pytest.MonkeyPatch) -> None:
    """荥阳 五(三)3(1) 同一项目只计最高一次: 项目甲 at 省级 8 and 国家级 10 counts 10; 项目乙 6; an award naming no
    project counts alone (2 and 2): 10 + 6 + 2 + 2 = 20."""
    awards = [{"matter": "甲", "level": "provincial"}, {"matter": "甲", "level": "national"},
              {"matter": "乙", "level": "bureau"}, {"level": "xingyang"}, {"level": "xingyang"},
              {"matter": "乙", "level": "xingyang"}]
    facts = units(u={"awards": awards}, v={"awards": []}, w={})
    fixed, decimal = both(HIGHEST, facts, monkeypatch)
    assert fixed == decimal
    assert {u: fixed[u]["r"] for u in facts} == {"u": "20", "v": "0", "w": "0"}


def test_the_xingyang_scheme_scores_as_its_decimal_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every 荥阳 towns rule (tables, bands, formulas over petitions, rankings by place from the bottom) on its
    example facts."""
    import yaml

    root = Path(apprule.__file__).parent
    s = apprule.load_scheme(root / "schemes" / "xingyang_2021.yaml")
    facts = yaml.safe_load((root / "examples" / "xingyang_2021.facts.yaml").read_text(encoding="utf-8"))
    fixed, decimal = both(s, facts, monkeypatch)
    assert fixed == decimal


def test_petitions_by_hand() -> None:
    """荥阳 五(三)3(4): 赴京个访 2 人次 -5 × 2 = -10; a 赴京集访 of 12 people -20 (10人(含)以上、20人以下) and one of
    25 -30; a 省集访 of 30 -10 (30人(含)以上50人以下)."""
    s = scheme("""\
        petitions:
          type: events
          required: false
          fields:
            kind: {type: enum, values: [beijing_individual, beijing_group, province_group]}
            people: {type: count}
        """, """\
        - {id: individual, label: 赴京个访每人次扣5分, for_each: {events: petitions, where: 'kind == "beijing_individual"', value: {formula: "-5 * people"}}}
        - id: bj_group
          label: 赴京集访
          for_each:
            events: petitions
            where: kind == "beijing_group"
            value: {bands: {of: people, bands: [{below: 10, points: -10}, {from: 10, below: 20, points: -20}, {from: 20, points: -30}]}}
        - id: province
          label: 省集访
          for_each:
            events: petitions
            where: kind == "province_group"
            value: {bands: {of: people, bands: [{below: 30, points: -5}, {from: 30, below: 50, points: -10}, {from: 50, points: -15}]}}
        """)
    r = s.evaluate(units(u={"petitions": [{"kind": "beijing_individual", "people": 2},
                                          {"kind": "beijing_group", "people": 12},
                                          {"kind": "beijing_group", "people": 25},
                                          {"kind": "province_group", "people": 30}]}))["u"]
    assert {k: str(v) for k, v in r.values.items()} == {"individual": "-10", "bj_group": "-50", "province": "-10",
                                                        "adj": "-70"}


def test_places_follow_each_unit_as_the_decimals_do() -> None:
    """A sum shows the most places of its terms: 10 + 2.5 is 12.5, 10 + 10 is 20, none is 0 (not 0.0)."""
    s = scheme(FACTS, "- {id: r, label: 按级别, for_each: {events: ev, value: {table: {of: lvl, map: {a: 10, b: 2.5}, "
                      "otherwise: 0}}}}\n")
    r = s.evaluate(units(u={"ev": [{"v": 0, "lvl": "a"}, {"v": 0, "lvl": "b"}]},
                         v={"ev": [{"v": 0, "lvl": "a"}, {"v": 0, "lvl": "a"}]}, w={}))
    assert [str(r[u].values["r"]) for u in "uvw"] == ["12.5", "20", "0"]


def test_a_key_not_in_the_table_names_the_unit_and_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first event (in unit order) whose level the table lacks: unit v's, in either path."""
    s = scheme(FACTS, "- {id: r, label: 按级别, for_each: {events: ev, value: {table: {of: lvl, map: {a: 1}}}}}\n")
    facts = units(u={"ev": [{"v": 0, "lvl": "a"}]}, v={"ev": [{"v": 0, "lvl": "a"}, {"v": 0, "lvl": "c"}]},
                  w={"ev": [{"v": 0, "lvl": "b"}]})
    fixed, decimal = both(s, facts, monkeypatch)
    assert fixed == decimal == ("error", "unit 'v', rule 'r': 'c' is not in the table and the table has no "
                                         "`otherwise`")


# --- the integers, and what cannot be one ----------------------------------------------------------------------

def test_grouped_reductions_by_hand() -> None:
    """Units 0 and 2 have events (unit 1 none): per matter the highest, each matter limited to 5.00."""
    owners = np.array([0, 0, 0, 2, 2])
    values = Parts(np.array([300, 450, 700, -25, 5]), np.array([0, 2, 2, 2, 2]), 2)  # 3, 4.50, 7.00, -0.25, 0.05
    matters = np.array([0, 0, 1, 0, 1])
    totals = unit_totals(owners, values, 3, "max", matters, -values.ints, None, D("5.00"))
    assert totals is not None
    assert totals.ints.tolist() == [450 + 500, 0, -25 + 5] and totals.places.tolist() == [2, 0, 2]


def test_a_sum_beyond_int64_is_left_to_the_decimals() -> None:
    values = Parts(np.array([2 ** 62, 2 ** 62], np.int64), np.array([0, 0]), 0)
    assert unit_totals(np.array([0, 0]), values, 1) is None


def test_values_beyond_int64_fall_back_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    """Five events of 999999999999999.999999999999999999 (10^33 at 18 places: no int64 holds it): the decimal
    path scores them, exactly (its 34 digits hold the sum), and so does the rule."""
    taken: list[bool] = []
    real = for_each._in_fixed_point
    monkeypatch.setattr(for_each, "_in_fixed_point", lambda *a: taken.append(x := real(*a)) or x)
    s = scheme(FACTS, "- {id: r, label: 按金额, for_each: {events: ev, value: {formula: v}}}\n")
    r = s.evaluate(units(u={"ev": [{"v": BIG, "lvl": "a"}] * 5}))["u"]
    assert taken == [None]
    assert str(r.values["r"]) == "4999999999999999.999999999999999995"


# --- `table`: each distinct key looked up once, the points laid out as integers ---------------------------------

TABLES = scheme("""\
    lvl: {type: enum, values: [a, b, c, z]}
    n: {type: count}
    """, """\
    - {id: t1, label: 按级别, table: {of: lvl, map: {a: 10, b: 2.5, c: -0.05}, otherwise: 0.00}}
    - {id: t2, label: 按个数, table: {of: n, map: {0: 0, 1: 1.0, 2: 3}, otherwise: -1}}
    - {id: t3, label: 适用时, applies: 'lvl != "c"', table: {of: lvl, map: {a: 1, b: 2}, otherwise: 0.5}}
    - {id: t4, label: 封顶, table: {of: n, map: {0: 0, 1: 7.25, 2: 20}, otherwise: 0}, max: 10, round: {places: 1}}
    - {id: t5, label: 写法, table: {of: lvl, map: {a: -0, b: 1E+1}, otherwise: 0}}
    """)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(facts=st.dictionaries(st.sampled_from([f"u{j}" for j in range(6)]),
                             st.fixed_dictionaries({"group": st.just("g"), "lvl": st.sampled_from("abcz"),
                                                    "n": st.integers(0, 3)}), min_size=1, max_size=6))
def test_table_lookups_are_the_loop_digit_for_digit(facts: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    import apprule.evaluate.shapes.table as table

    fixed = _scored(TABLES, facts)
    with monkeypatch.context() as m:
        m.setattr(table, "lookup", lambda *args: None)
        assert fixed == _scored(TABLES, facts)


def test_table_by_hand() -> None:
    """u (a, 1): 10, 1.0, 1, 7.25 rounded half up to 7.3, 0 (YAML's -0); v (c, 3): -0.05, otherwise -1, t3 does
    not apply (0), 0 to 0.0, otherwise 0; w (b, 2): 2.5, 3, 2, 20 capped at 10 to 10.0, 1E+1 as written."""
    r = TABLES.evaluate(units(u={"lvl": "a", "n": 1}, v={"lvl": "c", "n": 3}, w={"lvl": "b", "n": 2}))
    assert [str(r["u"].values[t]) for t in ("t1", "t2", "t3", "t4", "t5")] == ["10", "1.0", "1", "7.3", "0"]
    assert [str(r["v"].values[t]) for t in ("t1", "t2", "t3", "t4", "t5")] == ["-0.05", "-1", "0", "0.0", "0"]
    assert [str(r["w"].values[t]) for t in ("t1", "t2", "t3", "t4", "t5")] == ["2.5", "3", "2", "10.0", "1E+1"]
