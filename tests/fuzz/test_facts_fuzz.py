"""Fuzz fact validation: wrong types, huge and odd numbers, unicode, odd unit names and shapes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import apprule
from fuzzkit import HEAD, evaluate_or_apprule_error

ROOT = Path(__file__).parents[2]
MINI = apprule.load_scheme(ROOT / "tests" / "language" / "mini.yaml")
SCHEMES = [MINI] + [apprule.load_scheme(p) for p in sorted((ROOT / "src" / "apprule" / "schemes").glob("*.yaml"))
                    if p.read_text(encoding="utf-8").startswith(("dsl:", "#"))][:4]

odd = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**40), 10**40), st.floats(), st.text(max_size=10),
    st.decimals(allow_nan=True, allow_infinity=True).filter(lambda d: not d.is_finite() or abs(d) < Decimal("1e100")),
    st.sampled_from(["1e99", "-1e99", "NaN", "sNaN", "Infinity", "1,000", "50%", "一百", "", " 3 ", "0x10",
                     "2021-13-01", "true", "是", "\u0660", "1_000", "½"]),
    st.dates(), st.datetimes(), st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=3),
    st.lists(st.dictionaries(st.sampled_from(["level", "matter", "date", "people", "kind", "x"]),
                             st.one_of(st.text(max_size=5), st.integers(), st.dates(), st.none()), max_size=4),
             max_size=3),
)


@st.composite
def unit_facts(draw: st.DrawFn, scheme: apprule.Scheme) -> dict[Any, Any]:
    group = draw(st.sampled_from(scheme.definition.groups))
    names = sorted(scheme.facts_used(group.id)) + ["group", "sequence", "unknown_fact", "海河"]
    facts: dict[Any, Any] = {"group": group.id}
    for name in draw(st.lists(st.sampled_from(names), max_size=8)):
        value = draw(odd)
        if name == "group" and isinstance(value, (list, dict)):
            continue  # pinned by test_an_unhashable_group_is_a_fact_error
        facts[name] = value
    return facts


@settings(max_examples=60)
@given(st.data())
def test_odd_facts_give_a_result_or_an_apprule_error(data: st.DataObject) -> None:
    scheme = data.draw(st.sampled_from(SCHEMES))
    names = [u for g in scheme.definition.groups for u in (g.units or ())] or ["u"]
    units = data.draw(st.dictionaries(st.one_of(st.sampled_from(names), st.text(max_size=6), st.integers(),
                                                st.none()), unit_facts(scheme), max_size=4))
    evaluate_or_apprule_error(scheme, units)


@pytest.mark.parametrize("facts", [None, [], "facts", 3, [("u", {})], {"u": None}, {"u": []}, {None: {}},
                                   {"": {"group": "streets"}}, {("a",): {}}])
def test_wrong_shapes(facts: Any) -> None:
    evaluate_or_apprule_error(MINI, facts)


OVERFLOW = apprule.load_scheme(HEAD + """\
facts:
  x: {type: number}
groups:
  - id: g
    label: 组
    adjustments:
      id: adj
      label: 加减分
      rules:
        - {id: a, label: 甲, formula: x}
        - {id: b, label: 乙, formula: x}
""", name="overflow.yaml")


def test_sums_that_overflow_are_evaluation_errors() -> None:
    evaluate_or_apprule_error(OVERFLOW, {"u": {"group": "g", "x": "9e999999"}})


@pytest.mark.parametrize("group", [[], {}, ["streets"]])
def test_an_unhashable_group_is_a_fact_error(group: Any) -> None:
    evaluate_or_apprule_error(MINI, {"u": {"group": group}})


def test_dates_far_away_are_fine() -> None:
    evaluate_or_apprule_error(MINI, {"海河街道办事处": {"party": 1, "econ": 1, "gdp": 1, "gdp_target": 1, "high_tech": 0,
                                                 "awards": [{"level": "city", "matter": "m",
                                                             "date": dt.date(1, 1, 1)},
                                                            {"level": "city", "matter": "m",
                                                             "date": dt.date(9999, 12, 31)}]}})
