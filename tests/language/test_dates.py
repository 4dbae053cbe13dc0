"""Dates only where the period logic reads them (issue 16): an event's date is asked for when it places the event."""

from __future__ import annotations

import datetime as dt

import pytest

import apprule

from schemekit import scheme, units

FACTS = """\
awards:
  type: events
  required: false
  dated_by: {dated_by}
  fields:
    level: {{type: enum, values: [province, city]}}
    date: {{type: date{required}}}
    noted: {{type: date}}
"""
RULE = """\
- {id: r, label: 表彰, for_each: {events: awards, value: {table: {of: level, map: {province: 2, city: 1}}}}}
"""


def test_the_dated_by_field_is_asked_for_and_another_date_is_not() -> None:
    s = scheme(FACTS.format(dated_by="date", required=""), RULE)
    fields = s.definition.facts["awards"].fields or {}
    assert fields["date"].required and not fields["noted"].required
    with pytest.raises(apprule.FactError) as caught:
        s.evaluate(units(u={"awards": [{"level": "city"}]}))
    assert [str(i) for i in caught.value.issues] == [
        "unit 'u', fact 'awards': missing-field: event 1 lacks field 'date' (the date that places it in the period)"]
    assert s.evaluate(units(u={"awards": [{"level": "city", "date": "2021-05-01"}]}))["u"].values["r"] == 1


def test_an_undated_event_counts_where_its_date_is_optional() -> None:
    s = scheme(FACTS.format(dated_by="date", required=", required: false"), RULE)
    r = s.evaluate(units(u={"awards": [{"level": "city"}, {"level": "province", "date": dt.date(2020, 5, 1)},
                                       {"level": "province", "date": dt.date(2021, 5, 1)}]}))["u"]
    assert r.values["r"] == 3  # undated 1 + the 2021 one 2; the 2020 one is last year's
    assert [(o.fact, o.number, o.date, o.when) for o in r.outside_period] == \
        [("awards", 2, dt.date(2020, 5, 1), "before")]


def test_a_date_field_the_scheme_marks_required_stays_required() -> None:
    s = scheme(FACTS.format(dated_by="noted", required=", required: true"), RULE)
    fields = s.definition.facts["awards"].fields or {}
    assert fields["date"].required and fields["noted"].required


def test_carried_over_round_trip_into_the_next_period() -> None:
    """北票 一(三)8 转入下年度, 赫山 计入下年度加分: what a year carries over, the next takes in and counts."""
    this = scheme(FACTS.format(dated_by="date", required=""), RULE)
    late = this.evaluate(units(u={"awards": [{"level": "province", "date": "2022-01-03"}]}))["u"]
    assert late.values["r"] == 0
    (fact, event), = late.carried_over
    assert (fact, event) == ("awards", {"level": "province", "date": dt.date(2022, 1, 3), "noted": None,
                                        "carried_from": "t 2021-01-01..2021-12-31"})
    # a 2021 scheme takes in what 2020 carried over: before the period, yet counted
    back = this.evaluate(units(u={"awards": [
        {"level": "city", "date": "2021-03-01"},
        {"level": "province", "date": "2020-12-28", "carried_from": "t 2020-01-01..2020-12-31"},
        {"level": "province", "date": "2020-06-01"}]}))["u"]
    assert back.values["r"] == 3  # 1 + the carried-in 2; the 2020 one not carried in is last year's
    assert [(o.number, o.when) for o in back.outside_period] == [(3, "before")]
    assert "event #2 dated 2020-12-28: carried in from t 2020-01-01..2020-12-31, counted in this period" \
        in back.explain()
