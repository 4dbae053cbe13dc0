"""Enum values by the document's words: a value's label and other names are taken wherever the value is."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest

import apprule
from schemekit import scheme, units

FACTS = """\
role: {type: enum, values: {lead: [牵头单位, 牵头], support: [配合单位, 配合]}}
accidents:
  type: events
  required: false
  fields:
    level: {type: enum, values: {especially_major: 特别重大, major: 重大, relatively_major: 较大, general: 一般}}
"""
RULES = """\
- {id: r, label: 牵头或配合, table: {of: role, map: {lead: 10, support: 5}}}
- id: a
  label: 事故
  for_each: {events: accidents, value: {table: {of: level, map: {especially_major: -20, major: -15, relatively_major: -10, general: -5}}}}
"""


def _values(**facts: Any) -> dict[str, D]:
    return dict(scheme(FACTS, RULES).evaluate(units(u=facts))["u"].values)


@pytest.mark.parametrize(("role", "points"), [("lead", 10), ("牵头单位", 10), ("牵头", 10), ("配合", 5)])
def test_a_value_is_taken_by_its_id_its_label_or_another_name(role: str, points: int) -> None:
    assert _values(role=role)["r"] == points


def test_event_fields_take_the_documents_words() -> None:
    levels = ["特别重大", "重大", "较大", "一般", "relatively_major"]
    assert _values(role="lead", accidents=[{"level": v} for v in levels])["a"] == D(-60)


@pytest.mark.parametrize(("given", "hint"), [
    ("较大事故", "did you mean 'relatively_major' (较大)?"),        # the label it holds
    ("特别重大事故", "did you mean 'especially_major' (特别重大)?"),  # the longest: not 重大
    ("relatively major", "did you mean 'relatively_major' (较大)?"),  # spelling, shown with its meaning
    ("moderate", None),                                              # nothing close: no guess
])
def test_the_hint_goes_by_meaning_and_shows_it(given: str, hint: str | None) -> None:
    with pytest.raises(apprule.FactError) as caught:
        _values(role="lead", accidents=[{"level": given}])
    expected = (f"event 1, field 'level': {given!r} is not one of ['especially_major' (特别重大), 'major' (重大), "
                "'relatively_major' (较大), 'general' (一般)]" + (f" ({hint})" if hint else ""))
    assert [i.message for i in caught.value.issues] == [expected]


def test_a_name_may_stand_for_one_value_only() -> None:
    with pytest.raises(apprule.SchemeError, match="'牵头' names two values, 'lead' and 'support'"):
        scheme("role: {type: enum, values: {lead: [牵头单位, 牵头], support: [配合单位, 牵头]}}\n",
               "- {id: r, label: R, table: {of: role, map: {lead: 1, support: 0}}}\n")


def test_a_table_key_by_the_documents_word_is_hinted_to_its_value() -> None:
    with pytest.raises(apprule.SchemeError) as caught:
        scheme(FACTS, RULES.replace("relatively_major: -10", "较大: -10"))
    assert [(p.code, p.hint) for p in caught.value.problems] == \
        [("unknown-value", "did you mean 'relatively_major' (较大)?")]
