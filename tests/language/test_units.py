"""Units of measure: a value given with its unit is converted into its fact's unit, or refused (wrong-unit)."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import apprule
from apprule.units import UNITS, converted
from schemekit import scheme, units

FACTS = """\
money: {type: number, label: 完成融资, unit: 亿元, min: 0}
share: {type: number, label: 税收占比, unit: "%", required: false}
plain: {type: number, required: false}
done: {type: rate, required: false}
projects:
  type: events
  required: false
  fields: {scale: {type: number, label: 投资规模, unit: 万元, min: 0}}
"""
RULES = """\
- {id: m, label: 融资, formula: money}
- {id: s, label: 占比, formula: "share if present(share) else 0"}
- {id: p, label: 其他, formula: "plain if present(plain) else 0"}
- {id: d, label: 完成率, formula: "done if present(done) else 0"}
- {id: e, label: 项目, for_each: {events: projects, value: {formula: scale}}}
"""


def _values(**facts: Any) -> dict[str, D]:
    return dict(scheme(FACTS, RULES).evaluate(units(u=facts))["u"].values)


@pytest.mark.parametrize(("given", "expected"), [
    (6.2, "6.2"),                 # a bare number is in the fact's unit
    ("6.2亿元", "6.2"),
    ("62000万元", "6.2"),          # 62000 × 10^4 元 = 6.2 × 10^8 元
    ("1,500 万元", "0.15"),
    ("1元", "0.00000001"),
])
def test_a_value_with_its_unit_is_converted_into_the_facts_unit(given: Any, expected: str) -> None:
    assert _values(money=given)["m"] == D(expected)


def test_percent_and_event_fields_convert_too() -> None:
    values = _values(money=1, share="74.9%", done="95%", projects=[{"scale": "0.8亿元"}, {"scale": 700}])
    assert (values["s"], values["d"], values["e"]) == (D("74.9"), D("0.95"), D(8700))  # 8000万元 + 700万元


@pytest.mark.parametrize(("facts", "fact", "message"), [
    ({"money": "12分"}, "money", "'12分': 分 (分值) does not convert into the fact's unit 亿元"),
    ({"money": "3斤"}, "money", "'3斤': 斤 is not a unit apprule knows; give the number in 亿元"),
    ({"money": 1, "plain": "12分"}, "plain",
     "'12分': the fact declares no unit, so a value in 分 cannot be read; give the number alone"),
    ({"money": 1, "share": "5人"}, "share", "'5人': 人 (人数) does not convert into the fact's unit %"),
    ({"money": 1, "projects": [{"scale": "5人"}]}, "projects",
     "event 1, field 'scale': '5人': 人 (人数) does not convert into the fact's unit 万元"),
])
def test_a_unit_that_does_not_convert_is_refused_naming_unit_and_fact(facts: dict[str, Any], fact: str,
                                                                      message: str) -> None:
    with pytest.raises(apprule.FactError) as caught:
        _values(**facts)
    assert [(i.code, i.unit, i.fact, i.message) for i in caught.value.issues] == [("wrong-unit", "u", fact, message)]


def test_bounds_are_shown_in_the_facts_unit() -> None:
    with pytest.raises(apprule.FactError, match=r"'-5万元' is below the minimum 0亿元"):
        _values(money="-5万元")


@given(st.sampled_from(sorted(UNITS)), st.sampled_from(sorted(UNITS)),
       st.decimals(min_value=0, max_value=10**6, places=4))
def test_a_conversion_there_and_back_is_exact(a: str, b: str, number: D) -> None:
    if UNITS[a][0] != UNITS[b][0]:
        return
    assert converted(converted(number, a, b), b, a) == number


def test_many_units_convert_alike_in_both_paths() -> None:
    """A column given with units takes the slow path; its values are those of the same numbers given bare."""
    s = scheme(FACTS, RULES)
    with_units = {f"u{i}": {"group": "g", "money": f"{i}0000万元"} for i in range(300)}
    bare = {f"u{i}": {"group": "g", "money": i} for i in range(300)}
    assert [r.values["m"] for r in s.evaluate(with_units).values()] == \
        [r.values["m"] for r in s.evaluate(bare).values()]
