"""Events from an Arrow ``list<struct>`` column are laid flat as Arrow holds them (a column per field, offsets
per unit), never as a dict per event; scoring them gives digit for digit what the same events give as lists of
dicts, errors included: empty lists, null lists, undated events, values with the most places a fact allows
(18), the largest the bounds allow, and tables in any unit order (a group's rows taken from the table)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

import apprule
from apprule.arrow import columns_of
from apprule.facts import EventField, EventLists

SCHEME = apprule.load_scheme("""\
dsl: 1
id: t
title: 测试方案
issuer: 测试
date: 2021-01-01
period: {kind: month, start: 2021-05-01, end: 2021-05-31}
facts:
  items:
    type: events
    label: 事项
    required: false
    dated_by: date
    fields:
      points: {type: number, label: 分值}
      kind: {type: enum, label: 类别, values: [a, b]}
      matter: {type: text, label: 事项, required: false}
      date: {type: date, label: 日期, required: false}
groups:
  - id: g
    label: 组
    adjustments:
      id: adj
      label: 加减分
      rules:
        - {id: summed, label: 逐项相加, for_each: {events: items, value: {formula: points}}}
        - id: keyed
          label: 同一事项取高
          for_each: {events: items, key: matter, combine: max, value: {table: {of: kind, map: {a: 1.5, b: -0.25}}}}
        - id: only_a
          label: 只计a或乙
          for_each: {events: items, where: kind == "a" or matter == "乙", value: {formula: points}}
        - id: not_b
          label: 不计b
          for_each: {events: items, where: '"b" != kind and kind != "c"', value: {table: {of: kind, map: {a: 2, b: 3}}}}
        - id: big
          label: 大额
          for_each: {events: items, where: points >= 0.005 or -1 > points, value: {formula: points}}
        - id: between
          label: 区间
          for_each: {events: items, where: 0.5 < points and points <= 2 and points != 1.50, value: {points: 1}}
""", name="t.yaml")

EVENT = pa.struct([("points", pa.decimal128(38, 18)), ("kind", pa.string()), ("matter", pa.string()),
                   ("date", pa.date32())])
LARGEST = Decimal(10) ** 15 - Decimal(1).scaleb(-18)  # the bounds' largest, at the most places (18)

points = st.one_of(
    st.sampled_from([Decimal(0), Decimal("0.005"), Decimal("-0.005"), Decimal("1E-18"), Decimal("-1E-18"),
                     LARGEST, -LARGEST]),
    st.integers(-10 ** 6, 10 ** 6).map(lambda cents: Decimal(cents).scaleb(-2)),
    st.integers(-10 ** 33 + 1, 10 ** 33 - 1).map(lambda ints: Decimal(ints).scaleb(-18)))
#: the same events with every declared field (carried_from too) and whole points as int64: kept as given,
#: each field converted apart (an event read back, as a carried-over one is, is converted then)
WHOLE = pa.struct([("points", pa.int64()), ("kind", pa.string()), ("matter", pa.string()), ("date", pa.date32()),
                   ("carried_from", pa.string())])


def events_of(points: st.SearchStrategy[Any], more: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({
        "points": points,
        "kind": st.sampled_from(["a", "b"] * 6 + ["z", None]),  # z, None (rarely): errors, the same in both paths
        "matter": st.one_of(st.none(), st.sampled_from(["甲", "乙"])),
        "date": st.one_of(st.none(), st.integers(-5, 40).map(lambda d: dt.date(2021, 4, 28) + dt.timedelta(days=d))),
        **more})


#: text as Arrow dictionaries (codes), as a pandas categorical or a polars enum arrives
CODED = pa.struct([("points", pa.decimal128(20, 2)), ("kind", pa.dictionary(pa.int32(), pa.string())),
                   ("matter", pa.dictionary(pa.int8(), pa.string())), ("date", pa.date32())])

layouts = st.one_of(
    st.tuples(st.just(CODED), st.lists(st.one_of(st.none(), st.lists(events_of(
        st.integers(-10 ** 6, 10 ** 6).map(lambda cents: Decimal(cents).scaleb(-2)), {}), max_size=4)),
        min_size=1, max_size=12)),
    st.tuples(st.just(EVENT), st.lists(st.one_of(st.none(), st.lists(events_of(points, {}), max_size=4)),
                                       min_size=1, max_size=12)),
    st.tuples(st.just(WHOLE), st.lists(st.one_of(st.none(), st.lists(events_of(
        st.integers(-10 ** 15 + 1, 10 ** 15 - 1), {"carried_from": st.sampled_from([None, "2021-04"])}),
        max_size=4)), min_size=1, max_size=12)))


def outcome(scheme: apprule.Scheme, facts: Any, columns: bool) -> Any:
    """What scoring gives, every value as its digits (``repr``), or the error's issues."""
    try:
        evaluation = scheme.evaluate_columns(facts) if columns else scheme.evaluate(facts)
    except apprule.FactError as error:
        return sorted((i.code, i.unit, i.fact, i.message) for i in error.issues)
    return {u: (repr(r.total), r.rank, {k: repr(v) for k, v in r.values.items()}, repr(r.carried_over))
            for u, r in evaluation.items()}


@settings(max_examples=150, deadline=None)
@given(layouts, st.randoms(use_true_random=False))
def test_flat_events_score_as_lists_of_dicts(layout: tuple[pa.DataType, list[Any]], rng: Any) -> None:
    event, given_lists = layout
    units = [f"u{i:02d}" for i in range(len(given_lists))]
    rng.shuffle(units)  # a table in any order: the group's rows are taken from it
    table = pa.table({"unit": units, "group": ["g"] * len(units), "items": pa.array(given_lists, pa.list_(event))})
    read = columns_of(table)["items"]
    assert isinstance(read, EventLists)  # laid flat, not read as dicts
    assert list(read) == table.column("items").to_pylist()  # and read as a sequence, Arrow's own values

    by_dicts = {u: {"group": "g", **({} if v is None else {"items": v})}
                for u, v in zip(units, table.column("items").to_pylist())}
    expected = outcome(SCHEME, by_dicts, columns=False)
    assert outcome(SCHEME, table, columns=True) == expected
    assert outcome(SCHEME, table.to_pydict(), columns=True) == expected  # the same table as Python lists
    if not isinstance(expected, list) and len(units) > 1:  # scored in two batches, ranked together
        half = len(units) // 2
        batches = [SCHEME.score_columns(table.slice(0, half)), SCHEME.score_columns(table.slice(half))]
        together = SCHEME.rank_and_grade(batches)
        whole = SCHEME.evaluate(by_dicts)
        # the same numbers; a sum's places are its column's, so a batch's may show fewer (0 beside 0.0)
        assert {u: (r.total, r.values, repr(r.carried_over)) for u, r in together.items()} == \
            {u: (r.total, r.values, repr(r.carried_over)) for u, r in whole.items()}


def test_a_unit_with_no_events_null_or_empty_scores_nothing_and_the_others_keep_their_digits() -> None:
    items = [None, [], [{"points": Decimal("0.005"), "kind": "a", "matter": "甲", "date": dt.date(2021, 5, 3)},
                        {"points": Decimal("-1E-18"), "kind": "b", "matter": "甲", "date": None}]]
    table = pa.table({"unit": ["n", "e", "x"], "group": ["g"] * 3, "items": pa.array(items, pa.list_(EVENT))})
    evaluation = SCHEME.evaluate_columns(table)
    assert evaluation["n"].values["summed"] == evaluation["e"].values["summed"] == 0
    # the sum keeps every place: 0.005 - 0.000000000000000001, both read at Arrow's 18 places
    assert repr(evaluation["x"].values["summed"]) == "Decimal('0.004999999999999999')"
    assert evaluation["x"].values["keyed"] == Decimal("1.5")  # one matter (甲): the higher of 1.5 and -0.25


def test_events_at_the_period_edges_tested_on_their_codes_score_by_hand() -> None:
    """Dates on the period's first and last days count, the days either side do not; `where` is read on the text
    fields' codes (they hold no empty value), and nothing is made per event."""
    day = dt.date
    items = [[{"points": Decimal("1.00"), "kind": "a", "matter": "甲", "date": day(2021, 5, 1)},
              {"points": Decimal("2.00"), "kind": "b", "matter": "乙", "date": day(2021, 5, 31)},
              {"points": Decimal("4.00"), "kind": "a", "matter": "甲", "date": day(2021, 4, 30)},
              {"points": Decimal("8.00"), "kind": "b", "matter": "甲", "date": day(2021, 6, 1)}]]
    table = pa.table({"unit": ["x"], "group": ["g"], "items": pa.array(items, pa.list_(CODED))})
    read = columns_of(table)["items"]
    assert isinstance(read, EventLists) and all(isinstance(f, EventField) for f in read.fields)
    values = SCHEME.evaluate_columns(table)["x"].values
    assert values["summed"] == Decimal("3.00")  # 1.00 + 2.00: 4.00 came before the period, 8.00 after it
    assert values["only_a"] == Decimal("3.00")  # a (1.00) and 乙 (2.00)
    assert values["not_b"] == 2  # the one a in the period
    assert values["keyed"] == Decimal("1.25")  # 甲: 1.5, 乙: -0.25
    assert values["big"] == Decimal("3.00")  # 1.00 and 2.00 are at least 0.005
    assert values["between"] == 2  # both in (0.5, 2], neither 1.50
    (fact, event), = SCHEME.evaluate_columns(table)["x"].carried_over  # made as Python values only now
    assert (fact, event["points"], event["date"]) == ("items", Decimal("8.00"), day(2021, 6, 1))


def test_an_undeclared_enum_value_in_codes_is_the_same_error_as_in_dicts() -> None:
    items = [[{"points": Decimal("1.00"), "kind": "z", "matter": None, "date": None}]]
    table = pa.table({"unit": ["x"], "group": ["g"], "items": pa.array(items, pa.list_(CODED))})
    expected = outcome(SCHEME, {"x": {"group": "g", "items": items[0]}}, columns=False)
    assert expected == [("unknown-value", "x", "items", "event 1, field 'kind': 'z' is not one of ['a', 'b']")]
    assert outcome(SCHEME, table, columns=True) == expected
