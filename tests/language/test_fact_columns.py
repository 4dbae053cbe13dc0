"""validate_population: validate_facts' values column by column, and exactly its FactError when facts are wrong."""

from __future__ import annotations

import copy
import datetime as dt
import decimal
import gc
import operator
import sys
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterator
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import apprule
from apprule import facts as facts_module
from apprule.decimals import CONTEXT
from apprule.errors import FactError
from apprule.facts import FlatEvents, GroupFacts, validate_facts, validate_population
from apprule.io import read_facts
from apprule.testing.strategies import populations
from schemekit import scheme

ROOT = Path(__file__).parents[2]
sys.path.insert(0, str(ROOT / "bench"))
from run import population, without_rosters  # noqa: E402

SCHEMES = {path.stem: apprule.load_scheme(path) for path in sorted((ROOT / "src" / "apprule" / "schemes").glob("*.yaml"))}
ALL = [apprule.load_scheme(ROOT / "tests" / "language" / "mini.yaml"), *SCHEMES.values()]
TOWNS = without_rosters(SCHEMES["xingyang_2021"])  # the benchmark's population: group 0, no rosters
MINI = without_rosters(ALL[0])


def _run(scheme: apprule.Scheme, facts: Any, validate: Callable[..., Any]) -> Any:
    return validate(scheme.definition, [g.facts for g in scheme._graphs], facts, scheme.required_when)


def _shape(value: Any) -> Any:
    """A value with its type, down to event fields (and their order), so 1 and Decimal('1.0') differ."""
    if isinstance(value, dict):
        return "dict", tuple((k, _shape(v)) for k, v in value.items())
    if isinstance(value, list):
        return "list", tuple(_shape(v) for v in value)
    return type(value).__name__, repr(value)


def _expected(scheme: apprule.Scheme, facts: Any) -> list[GroupFacts]:
    """validate_facts' units, grouped and sorted by name the way validate_population lays them out."""
    units = sorted(_run(scheme, facts, validate_facts), key=lambda u: u.unit)
    used = [g.facts for g in scheme._graphs]
    return [GroupFacts(gi, [u.unit for u in units if u.group == gi], [u.sequence for u in units if u.group == gi],
                       {name: [u.values[name] for u in units if u.group == gi] for name in sorted(used[gi])})
            for gi in sorted({u.group for u in units})]


def _outcome(validate: Callable[[], list[GroupFacts]]) -> Any:
    try:
        groups = validate()
    except FactError as exc:
        return "FactError", exc.issues
    except Exception as exc:  # a decimal signal validate_facts lets through must come through alike
        return type(exc).__name__, str(exc)
    return "ok", [(g.index, g.units, g.sequences, {name: _shape(_as_read(g, name)) for name in g.columns})
                  for g in groups]


def _as_read(group: GroupFacts, name: str) -> list[Any]:
    """A column as the scorer reads it: events with their fields converted (validation may keep them as given)."""
    column, flat = group.columns[name], group.events.get(name)
    if flat is None:
        return column
    events = map(flat.event, range(flat.n))
    return [[next(events) for _ in unit] for unit in column]


def assert_same(scheme: apprule.Scheme, facts: Any) -> None:
    assert _outcome(lambda: _run(scheme, facts, validate_population)) == \
        _outcome(lambda: _expected(scheme, facts))
    try:
        groups = _run(scheme, facts, validate_population)
    except (FactError, ArithmeticError):
        return
    for group in groups:
        for name, flat in group.events.items():
            assert_laid_flat(flat, group.columns[name], scheme.definition.facts[name])


def assert_laid_flat(flat: FlatEvents, column: list[Any], declared: Any) -> None:
    """The events validation laid flat are the column's events, laid end to end, their fields converted."""
    expected = FlatEvents.of(column, declared)
    assert (flat.units, flat.owners, flat.numbers) == (len(column), expected.owners, expected.numbers)
    assert [_shape(e) for e in flat.events] == [_shape(e) for e in expected.events]
    assert all(_shape(flat.fields[f]) == _shape(values) for f, values in expected.fields.items())
    assert all(len(values) == flat.n for values in flat.fields.values())


@contextmanager
def fast_only() -> Iterator[None]:
    """validate_population may not hand the facts to validate_facts: the fast pass must vouch for them."""
    with mock.patch.object(facts_module, "validate_facts", side_effect=AssertionError("validate_facts was used")):
        yield


def strings(value: Any) -> Any:
    """Every number as its text, in events too."""
    if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, list):
        return [strings(v) for v in value]
    if isinstance(value, dict):
        return {k: strings(v) for k, v in value.items()}
    return value


# --- valid facts: the fast pass, and validate_facts' very values ------------------------------

@pytest.mark.parametrize("stem", sorted(SCHEMES))
def test_the_examples_give_validate_facts_values(stem: str) -> None:
    scheme = SCHEMES[stem]
    facts = read_facts(ROOT / "src" / "apprule" / "examples" / f"{stem}.facts.yaml", scheme, partial=True).facts
    with fast_only():
        groups = _run(scheme, facts, validate_population)
    assert groups and [g.index for g in groups] == sorted(g.index for g in groups)
    assert_same(scheme, facts)


@pytest.mark.parametrize("variant", ["as drawn", "canonical", "strings", "reversed"])
def test_the_benchmark_population_gives_validate_facts_values(variant: str) -> None:
    facts: dict[str, Any] = population(TOWNS, 0, 300, seed=7)  # counts in events come as int
    if variant == "canonical":
        facts = {u.unit: {"group": "towns", **u.values} for u in _run(TOWNS, facts, validate_facts)}
    elif variant == "strings":
        facts = strings(facts)
    elif variant == "reversed":  # results never depend on the order units are given in
        facts = dict(reversed(list(facts.items())))
    with decimal.localcontext(CONTEXT), fast_only():
        (group,) = _run(TOWNS, facts, validate_population)
    assert group.index == 0 and group.units == sorted(facts) and group.sequences == [None] * 300
    assert set(group.columns) == TOWNS.facts_used("towns")
    assert all(len(column) == 300 for column in group.columns.values())
    with decimal.localcontext(CONTEXT):
        assert_same(TOWNS, facts)


def test_given_decimals_are_kept_as_they_are() -> None:
    facts = population(TOWNS, 0, 50, seed=3)
    (group,) = _run(TOWNS, facts, validate_population)
    assert all(value is facts[unit]["inspection"] for unit, value in zip(group.units, group.columns["inspection"]))


@settings(max_examples=60)
@given(st.data())
def test_valid_populations_take_the_fast_pass(data: st.DataObject) -> None:
    scheme = data.draw(st.sampled_from(ALL))
    facts = data.draw(populations(scheme, max_size=6))
    with fast_only():
        _run(scheme, facts, validate_population)
    assert_same(scheme, facts)


VALID_VARIANTS: list[tuple[str, Callable[[dict[str, Any]], None]]] = [
    ("int", lambda u: u.update(s_economy=12)),
    ("text", lambda u: u.update(s_economy=" 12.50 ")),  # "1,2.50" was read as 12.50: now a bad-number
    ("float", lambda u: u.update(s_economy=12.25)),
    ("mixed", lambda u: u.update(s_economy=Decimal("12"), s_rail="3")),
    ("tuple of events", lambda u: u.update(awards=tuple(u["awards"]))),
    ("no events", lambda u: u.update(awards=None)),
    ("events left out", lambda u: u.pop("awards")),
    ("optional field left out", lambda u: u.update(awards=[{"level": "national", "date": dt.date(2021, 5, 1)}])),
    ("enum by its label", lambda u: u.update(awards=[{"level": "国家级", "kind": "表彰奖励",
                                                      "date": dt.date(2021, 5, 1), "matter": None}])),
    ("date as text", lambda u: u.update(circulars=[{"level": "national", "date": "2021-05-01"}])),
    ("datetime", lambda u: u.update(circulars=[{"level": "national", "date": dt.datetime(2021, 5, 1, 8)}])),
    ("count as text", lambda u: u.update(petitions=[{"kind": "beijing_group", "people": "3",
                                                      "date": dt.date(2021, 5, 1)}])),
    ("boolean as text", lambda u: u.update(falsification="否")),
]


@pytest.mark.parametrize("change", [c for _, c in VALID_VARIANTS], ids=[name for name, _ in VALID_VARIANTS])
def test_valid_values_to_convert_take_the_fast_pass(change: Callable[[dict[str, Any]], None]) -> None:
    facts = population(TOWNS, 0, 20, seed=5)
    for unit in list(facts)[::3]:
        change(facts[unit])
    with fast_only():
        _run(TOWNS, facts, validate_population)
    assert_same(TOWNS, facts)


def test_only_groups_with_units_in_group_order() -> None:
    scheme = SCHEMES["heshan_2013"]
    facts = read_facts(ROOT / "src" / "apprule" / "examples" / "heshan_2013.facts.yaml", scheme, partial=True).facts
    groups = _run(scheme, dict(reversed(list(facts.items()))), validate_population)
    assert [g.index for g in groups] == sorted({g.index for g in groups})
    for group in groups:
        assert group.units == sorted(group.units)
        assert None not in group.sequences or not scheme.definition.groups[group.index].sequences
    assert _run(scheme, {}, validate_population) == []


def test_the_collector_is_left_as_found() -> None:
    facts = population(TOWNS, 0, 10, seed=1)  # the engine pauses it while it validates and scores
    assert gc.isenabled()
    TOWNS.evaluate(facts)
    assert gc.isenabled()
    gc.disable()
    try:
        TOWNS.evaluate(facts)
        assert not gc.isenabled()
    finally:
        gc.enable()


# --- wrong facts: exactly validate_facts' FactError ------------------------------------------

odd = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**30), 10**30), st.floats(), st.text(max_size=6),
    st.decimals(allow_nan=True, allow_infinity=True).filter(lambda d: not d.is_finite() or abs(d) < 10**50),
    st.sampled_from(["1e99", "NaN", "sNaN", "Infinity", "1,000", "50%", "一百", "", " 3 ", "2021-13-01",
                     "2021-05-01", "true", "是", "9e999999", "1e9999999", "national", "国家级", "1_000"]),
    st.dates(), st.datetimes(), st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


def _numbers(scheme: apprule.Scheme, unit: dict[str, Any]) -> list[str]:
    facts = scheme.definition.facts
    return [k for k, v in unit.items() if k in facts and facts[k].type in ("number", "count", "rate")
            and isinstance(v, Decimal) and v.is_finite()]  # an earlier mutation may have made it Infinity


def _mutate(data: st.DataObject, scheme: apprule.Scheme, facts: dict[Any, Any]) -> None:
    """One change to one unit (or to the facts), valid or not."""
    definition = scheme.definition
    units = sorted(u for u, v in facts.items() if isinstance(u, str) and isinstance(v, dict))
    if not units:
        return
    unit = data.draw(st.sampled_from(units))
    given: dict[Any, Any] = facts[unit]
    used = sorted(k for k in given if k in definition.facts)
    events = [k for k in used if definition.facts[k].type == "events" and isinstance(given[k], list) and given[k]
              and all(isinstance(e, dict) for e in given[k])]
    kind = data.draw(st.sampled_from(["drop", "unknown", "odd", "range", "retype", "event", "group", "sequence",
                                      "unit", "not a mapping"]))
    if kind == "drop" and used:
        del given[data.draw(st.sampled_from(used))]
    elif kind == "unknown":
        other = sorted(set(definition.facts) - set(used)) or ["x"]
        given[data.draw(st.sampled_from(["unknown_fact", "海河", 1, *other]))] = data.draw(odd)
    elif kind == "odd" and used:
        given[data.draw(st.sampled_from(used))] = data.draw(odd)
    elif kind == "range" and _numbers(scheme, given):
        name = data.draw(st.sampled_from(_numbers(scheme, given)))
        fact = definition.facts[name]
        given[name] = data.draw(st.sampled_from([b for b in (
            fact.max + Decimal("0.01") if fact.max is not None else None,
            fact.min - Decimal("0.01") if fact.min is not None else None,
            Decimal("-1"), Decimal("0.5"), Decimal("1E+3")) if b is not None]))
    elif kind == "retype" and _numbers(scheme, given):
        name = data.draw(st.sampled_from(_numbers(scheme, given)))
        value: Decimal = given[name]
        given[name] = data.draw(st.sampled_from([
            int(value) if value == value.to_integral_value() else str(value), str(value), f" {value:,} ",
            float(value), f"{value}%", Decimal(float(value))]))
    elif kind == "event" and events:
        name = data.draw(st.sampled_from(events))
        listed = given[name]
        i = data.draw(st.integers(0, len(listed) - 1))
        event = listed[i]
        how = data.draw(st.sampled_from(["drop", "unknown", "odd", "not a mapping", "tuple", "none"]))
        if how == "drop" and event:
            del event[data.draw(st.sampled_from(list(event)))]
        elif how == "unknown":
            event[data.draw(st.sampled_from(["x", "Date", 3]))] = data.draw(odd)
        elif how == "odd" and event:
            event[data.draw(st.sampled_from(list(event)))] = data.draw(odd)
        elif how == "not a mapping":
            listed[i] = data.draw(odd)
        elif how == "tuple":
            given[name] = tuple(listed)
        else:
            given[name] = None
    elif kind == "group":
        ids = [g.id for g in definition.groups]
        choice = data.draw(st.sampled_from([*ids, "no_such_group", 3, None, "drop"]))
        if choice == "drop":
            given.pop("group", None)
        else:
            given["group"] = choice
    elif kind == "sequence":
        sequences = [s.id for g in definition.groups for s in g.sequences]
        given["sequence"] = data.draw(st.sampled_from([*sequences, "no_such_sequence", 4, None]))
    elif kind == "unit":
        facts[data.draw(st.sampled_from(["", " ", 7, None, unit + "x"]))] = facts.pop(unit)
    elif kind == "not a mapping":
        facts[unit] = data.draw(st.sampled_from([None, [], "facts", 3]))


@settings(max_examples=300)
@given(st.data())
def test_mutated_populations_give_validate_facts_outcome(data: st.DataObject) -> None:
    scheme = data.draw(st.sampled_from(ALL))
    facts: dict[Any, Any] = copy.deepcopy(data.draw(populations(scheme, min_size=1, max_size=5)))
    for _ in range(data.draw(st.integers(1, 3))):
        _mutate(data, scheme, facts)
    with decimal.localcontext(CONTEXT) if data.draw(st.booleans()) else decimal.localcontext():
        assert_same(scheme, facts)


@settings(max_examples=100)
@given(st.data())
def test_mutated_benchmark_units_give_validate_facts_outcome(data: st.DataObject) -> None:
    facts: dict[Any, Any] = population(TOWNS, 0, data.draw(st.integers(1, 40)), seed=data.draw(st.integers(0, 99)))
    for _ in range(data.draw(st.integers(1, 4))):
        _mutate(data, TOWNS, facts)
    with decimal.localcontext(CONTEXT):
        assert_same(TOWNS, facts)


NUMBERS = scheme("""\
    r: {type: rate, max: 2}
    c: {type: count, min: 1, max: 50}
    x: {type: number}
    y: {type: number, min: -5, max: 5, required: false}
    """, """\
    - {id: a, label: 甲, formula: r + c + x + y}
    """)

odd_numbers: dict[type, st.SearchStrategy[Any]] = {
    int: st.integers(-(10**40), 10**40),
    float: st.one_of(st.floats(), st.sampled_from([0.1 + 0.2, 1 / 3, 1e-7, -0.0, 1e300])),
    str: st.one_of(st.from_regex(r"\A ?-?[0-9,]{0,4}(\.[0-9_]{0,3})?(e-?[0-9])?%? ?\Z"),
                   st.sampled_from(["NaN", "sNaN", "Infinity", "1e999999999", "١٢", "1_0", "0x10",
                                    "3.0000000000000000000000000000000000001"])),
}


def fitting(name: str, kind: type) -> st.SearchStrategy[Any]:
    """Values of fact ``name`` of NUMBERS that fit it, as ``kind``."""
    low, high = {"r": (0, 2), "c": (1, 50), "x": (-1000, 1000), "y": (-5, 5)}[name]
    whole = st.integers(low, high)
    if kind is int:
        return whole
    cents = st.integers(low * 100, high * 100).map(lambda i: Decimal(i) / 100)
    number = whole.map(Decimal) if name == "c" else cents
    if kind is float:
        return number.map(float)
    texts = [number.map(str), number.map(lambda d: f" {d:,} ")]
    return st.one_of(*texts, number.map(lambda d: f"{d * 100}%")) if name == "r" else st.one_of(*texts)


@settings(max_examples=200)
@given(st.data())
def test_whole_columns_of_numbers_to_convert(data: st.DataObject) -> None:
    """One kind per column: int, float and text columns convert all at once."""
    kinds = {name: data.draw(st.sampled_from([int, float, str])) for name in "rcxy"}
    odd = data.draw(st.booleans())

    def value(name: str) -> Any:
        if odd and data.draw(st.integers(0, 4)) == 0:
            return data.draw(odd_numbers[kinds[name]])
        return data.draw(fitting(name, kinds[name]))
    n = data.draw(st.integers(1, 6))
    facts = {f"u{i}": {"group": "g", **{name: value(name) for name in kinds}} for i in range(n)}
    with decimal.localcontext(CONTEXT) if data.draw(st.booleans()) else decimal.localcontext():
        if not odd:
            with fast_only():
                _run(NUMBERS, facts, validate_population)
        assert_same(NUMBERS, facts)


@pytest.mark.parametrize("trapped", [True, False], ids=["NaN traps", "NaN quiet"])
@pytest.mark.parametrize("fact", ["s_economy", "party", "econ", "high_tech"])  # bounded both ways, below, not
@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("-sNaN"), Decimal("Infinity"), Decimal("-Infinity"),
                                   "NaN", "-Infinity", float("nan"), float("inf")])
def test_numbers_that_are_not_finite(trapped: bool, fact: str, value: Any) -> None:
    scheme = TOWNS if fact == "s_economy" else MINI
    facts = population(scheme, 0, 5, seed=2)
    facts[sorted(facts)[2]][fact] = value
    context = decimal.Context(traps=[decimal.InvalidOperation] if trapped else [])
    with decimal.localcontext(context):
        assert_same(scheme, facts)


@pytest.mark.parametrize("facts", [None, [], "facts", 3, [("u", {})], {"u": None}, {"u": []}, {None: {}},
                                   {"": {"group": "towns"}}, {("a",): {}}, {"u": {"group": ["towns"]}},
                                   {"u": {"group": "towns", "s_economy": 1}}])
def test_wrong_shapes(facts: Any) -> None:
    assert_same(TOWNS, facts)


def test_events_to_convert_are_kept_as_given_and_laid_flat_converted() -> None:
    facts = population(TOWNS, 0, 200, seed=5)  # the people of a petition come as int
    with decimal.localcontext(CONTEXT), fast_only():
        (group,) = _run(TOWNS, facts, validate_population)
    given = [facts[unit]["petitions"] for unit in group.units]
    assert all(map(operator.is_, group.columns["petitions"], given))  # the caller's lists, not copies
    people = [e["people"] for unit in given for e in unit]
    assert people and set(map(type, people)) == {int}  # left as given
    flat = group.events["petitions"]
    assert flat.fields["people"] == people and set(map(type, flat.fields["people"])) == {Decimal}
    converted = [flat.event(k) for k in range(flat.n)]
    assert converted == [dict(e, people=Decimal(e["people"])) for unit in given for e in unit]
    assert all(type(e["people"]) is Decimal for e in converted)


def test_events_laid_flat_are_numbered_within_their_unit() -> None:
    flat = FlatEvents.of([[{"a": 1}, {"a": 2}], [], [{"a": 3}], [{"a": 4}, {"a": 5}, {"a": 6}]])
    assert (list(flat.owners), flat.numbers, flat.fields["a"]) == \
        ([0, 0, 2, 3, 3, 3], [1, 2, 1, 1, 2, 3], [1, 2, 3, 4, 5, 6])
    assert FlatEvents.of([[], []]).numbers == []
