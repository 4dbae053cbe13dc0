"""Hypothesis strategies for the facts of a scheme's units: one unit (`facts_for`) or a roster (`populations`)."""

from __future__ import annotations

import datetime as dt
import weakref
from decimal import Decimal
from typing import Any, Callable

from hypothesis import assume
from hypothesis import strategies as st

from ..engine import Scheme
from ..expressions import Expression
from ..expressions import parse
from ..factchecks import passes
from ..facts import MAX_TIED, convert, converted_event, holds, rank_roles
from ..scheme.model import Fact, Group, SchemeDefinition
from .edges import Edges, StepEdge, Target, collect_edges, score_caps

Facts = dict[str, Any]
Population = dict[str, Facts]

#: Texts used for text facts and event fields: few, so events share keys (同一项目) and units tie.
_TEXTS = ("甲", "乙", "项目A", "project-b", "")
_FREE_NAMES = ("单位", "乡镇", "部门", "unit", "Ünit", "街道")
_SPAN = Decimal(1000)
#: Strategies built per scheme and group once: building them is slower than drawing from them.
_CACHE: weakref.WeakKeyDictionary[Scheme, dict[tuple[str, tuple[str, ...]], st.SearchStrategy[Facts]]] = \
    weakref.WeakKeyDictionary()  # how far an unbounded number strays from the values the scheme names


def _group(scheme: Scheme, group: str | None) -> Group:
    for g in scheme.definition.groups:
        if g.id == group:
            return g
    raise KeyError(f"scheme {scheme.id!r} has no group {group!r}; groups: {[g.id for g in scheme.groups]}")


def roster(group: Group) -> tuple[str, ...] | None:
    """The units a group names, or None when its units are free (their facts say `group:`)."""
    if group.units is not None:
        return tuple(group.units)
    if group.sequences and all(s.units is not None for s in group.sequences):
        return tuple(u for s in group.sequences for u in s.units or ())
    return None


def number_strategy(fact: Fact, edges: list[Decimal], *, places: int = 2) -> st.SearchStrategy[Decimal]:
    """Decimals within the fact's bounds: its edges (on boundaries, at caps, zero, maximal) or anything between."""
    low = fact.min
    high = fact.max
    if fact.type in ("count", "rate") and (low is None or low < 0):
        low = Decimal(0)
    known = [e for e in edges if (low is None or e >= low) and (high is None or e <= high)]
    if fact.type == "count":
        known = [e for e in known if e == e.to_integral_value()]
    reach = max([abs(e) for e in edges] + [Decimal(1)]) * 2 + (_SPAN if fact.type != "rate" else Decimal(1))
    lo = low if low is not None else -reach
    hi = high if high is not None else (lo if lo > 0 else Decimal(0)) + reach
    if fact.type == "count":
        free: st.SearchStrategy[Decimal] = st.integers(int(lo.to_integral_value("ROUND_CEILING")),
                                                      int(hi.to_integral_value("ROUND_FLOOR"))).map(Decimal)
    else:
        free = st.decimals(min_value=lo, max_value=hi, places=places, allow_nan=False, allow_infinity=False)
    small = [v for v in (Decimal(0), Decimal(1)) if lo <= v <= hi]
    extremes = [v for v in (low, high) if v is not None]
    known = sorted(set(known + small + extremes))
    return st.one_of(st.sampled_from(known), free) if known else free


def _dates(scheme: SchemeDefinition) -> st.SearchStrategy[dt.date]:
    """Dates inside the period, on its ends, just outside it and far away."""
    start, end = scheme.period.start, scheme.period.end
    day = dt.timedelta(days=1)
    return st.one_of(
        st.sampled_from([start, end, start - day, end + day]),
        st.dates(start, end),
        st.dates(start - dt.timedelta(days=400), end + dt.timedelta(days=400)),
    )


def value_strategy(scheme: SchemeDefinition, fact: Fact, target: Target, edges: Edges) -> st.SearchStrategy[Any]:
    """Valid values of one fact (or event field)."""
    kind = fact.type
    if kind in ("number", "count", "rate"):
        role = rank_roles(scheme).get(target[0]) if target[1] is None else None
        if role is not None:  # a rank (or tie count) of a rank table: a whole number from 1 (to MAX_TIED)
            fact = fact.model_copy(update={"type": "count", "min": max(fact.min or Decimal(1), Decimal(1)),
                                           "max": min(fact.max or Decimal(MAX_TIED), Decimal(MAX_TIED)) if role ==
                                           "tie count" else fact.max})
        cap = score_caps(scheme).get(target[0]) if target[1] is None else None
        if cap is not None and (fact.max is None or fact.max > cap):  # more is refused (over_max)
            fact = fact.model_copy(update={"max": cap})
        return number_strategy(fact, edges.of(target))
    if kind == "boolean":
        return st.booleans()
    if kind == "enum":
        return st.sampled_from(fact.enum_values)
    if kind == "text":
        return st.one_of(st.sampled_from(_TEXTS), st.text(max_size=8))
    if kind == "date":
        return _dates(scheme)
    assert kind == "events"
    fields = fact.fields or {}
    # a field required under a condition (`required_when`) is always given: the event stays valid
    parts = {name: value_strategy(scheme, sub, (target[0], name), edges) if sub.required_when else
             _maybe_absent(sub, value_strategy(scheme, sub, (target[0], name), edges))
             for name, sub in fields.items()}
    must = {n: s for n, s in parts.items()
            if (fields[n].required and fields[n].default is None) or fields[n].required_when}
    may = {n: s for n, s in parts.items() if n not in must}
    event = st.fixed_dictionaries(must, optional=may)
    if fact.checks:  # an event that fails the fact's `checks` is not valid: draw another
        tests = [parse(c.test, fields) for c in fact.checks]
        event = event.filter(lambda e: all(passes(t, converted_event(fact, e)) for t in tests))
    return st.lists(event, max_size=5)


def _maybe_absent(fact: Fact, strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    if not fact.required and fact.default is None and fact.type != "events":
        return st.one_of(strategy, st.none())
    return strategy


def _on_step(edge: StepEdge) -> st.SearchStrategy[tuple[int, Decimal]]:
    return st.tuples(st.integers(-4, 4), st.sampled_from(edge.sizes))


@st.composite
def _unit_facts(draw: st.DrawFn, definition: SchemeDefinition, parts: tuple[tuple[str, Fact, Any], ...],
                steps: tuple[StepEdge, ...], conditions: dict[str, Expression]) -> Facts:
    facts: Facts = {}
    for name, fact, strategy in parts:
        if fact.optional and draw(st.integers(0, 4)) == 0:
            continue  # left out: the default (or nothing) applies
        facts[name] = draw(strategy)
    _together(draw, {n: (f, s) for n, f, s in parts}, facts, conditions)
    for edge in steps:  # land exactly on a step boundary now and then
        if edge.of in facts and edge.target in facts and draw(st.integers(0, 2)) == 0:
            target = facts[edge.target]
            if isinstance(target, Decimal):
                k, size = draw(_on_step(edge))
                value = target * (1 + k * size) if edge.ratio else target + k * size
                fact = definition.facts[edge.of]
                if (fact.min is None or value >= fact.min) and (fact.max is None or value <= fact.max) and \
                        (fact.type != "count" or (value >= 0 and value == value.to_integral_value())):
                    facts[edge.of] = value
    return facts


def _together(draw: st.DrawFn, parts: dict[str, tuple[Fact, st.SearchStrategy[Any]]], facts: Facts,
              conditions: dict[str, Expression]) -> None:
    """Make a unit's drawn ``facts`` belong together (``mended``); a unit that cannot be mended is not drawn."""
    declared = {name: fact for name, (fact, _) in parts.items()}
    assume(mended(declared, facts, conditions,
                  lambda name: draw(parts[name][1].filter(lambda v: v is not None))))


def mended(declared: dict[str, Fact], facts: Facts, conditions: dict[str, Expression],
           value_of: Callable[[str], Any]) -> bool:
    """Make a unit's ``facts`` (of the ``declared`` ones) belong together, as validation judges them: a fact its
    condition requires (`required_when`) is given ``value_of`` it, and where a check on the unit's facts fails
    (赫山: a place given, or its rate, not both) an optional value the check reads that nothing requires is left
    out. Whether that made them valid (bench/run.py draws its populations through this too)."""
    checks = [parse(c.test, declared) for f in declared.values() if f.type != "events" for c in f.checks]
    for _ in range(2 * len(declared) + 1):
        values = _values(declared, facts)
        missing = [n for n in declared if n in conditions and facts.get(n) is None and holds(conditions[n], values)]
        for name in missing:
            facts[name] = value_of(name)
        if missing:
            continue
        failing = [t for t in checks if not passes(t, values)]
        if not failing:
            return True
        spare = [n for t in failing for n in sorted(t.names) if facts.get(n) is not None and declared[n].optional
                 and not (n in conditions and holds(conditions[n], values))]
        if not spare:
            return False
        del facts[spare[0]]
    return False


def _values(declared: dict[str, Fact], facts: Facts) -> Facts:
    """The unit's values as validation gives them to conditions and checks: converted, defaults filled in."""
    values: Facts = {}
    for name, fact in declared.items():
        given = facts.get(name)
        if given is None:
            given = fact.default
        values[name] = ([] if fact.type == "events" else None) if given is None else \
            given if fact.type == "events" else convert(fact, given)
    return values


def facts_for(scheme: Scheme, group: str | None = None) -> st.SearchStrategy[Facts]:
    """Valid facts of one unit of ``group`` (any group when None), with its `group` (and `sequence`) keys.

    Values keep to the declared types and bounds and favour the values the scheme's rules single out:
    band bounds and their neighbours, exact step boundaries, the points where a cap starts to bite,
    zero and the declared extremes. Event lists carry dates inside, on the edge of and outside the period.
    """
    groups = [_group(scheme, group)] if group is not None else list(scheme.definition.groups)
    edges = collect_edges(scheme.definition, tuple(g.id for g in groups))
    return st.sampled_from(groups).flatmap(lambda g: _placed(scheme, g, edges))


def _placed(scheme: Scheme, group: Group, edges: Edges) -> st.SearchStrategy[Facts]:
    """Facts of one unit of ``group`` with its placement keys; built once per group and reused."""
    cache = _CACHE.setdefault(scheme, {})
    key = (group.id, edges.key)
    if key in cache:
        return cache[key]
    definition = scheme.definition
    parts = tuple((name, definition.facts[name],
                   _maybe_absent(definition.facts[name],
                                 value_strategy(definition, definition.facts[name], (name, None), edges)))
                  for name in sorted(scheme.facts_used(group.id)))
    free = [s.id for s in group.sequences if s.units is None]
    placement: dict[str, st.SearchStrategy[Any]] = {"group": st.just(group.id)}
    if free:  # sequences that list their units place them; the others need the unit to say
        placement["sequence"] = st.sampled_from(free)
    steps = tuple(e for e in edges.steps if e.of in scheme.facts_used(group.id))
    strategy = st.tuples(st.fixed_dictionaries(placement),
                         _unit_facts(definition, parts, steps, scheme.required_when)).map(
        lambda pair: {**pair[0], **pair[1]})
    cache[key] = strategy
    return strategy


@st.composite
def _population(draw: st.DrawFn, scheme: Scheme, groups: list[Group], edges: Edges, min_size: int,
                max_size: int) -> Population:
    population: Population = {}
    names_by_group: dict[str, list[str]] = {}
    wanted = draw(st.integers(min_size, max_size))
    for _ in range(wanted * 3):
        if len(population) >= wanted:
            break
        group = draw(st.sampled_from(groups))
        members = roster(group)
        if members is not None:
            left = [u for u in members if u not in population]
            if not left:
                continue
            name = draw(st.sampled_from(left))
        else:
            name = f"{draw(st.sampled_from(_FREE_NAMES))}{len(population) + 1:02d}"
        peers = names_by_group.setdefault(group.id, [])
        if peers and draw(st.integers(0, 3)) == 0:  # a tie: the same facts as a peer
            facts = dict(population[draw(st.sampled_from(peers))])
        else:
            facts = draw(_placed(scheme, group, edges))
        sequence = _roster_sequence(group, name)
        if sequence is not None:
            facts["sequence"] = sequence
        peers.append(name)
        population[name] = facts
    return population


def _roster_sequence(group: Group, unit: str) -> str | None:
    return next((s.id for s in group.sequences if unit in (s.units or ())), None)


def populations(scheme: Scheme, group: str | None = None, *, min_size: int = 1, max_size: int = 8
                ) -> st.SearchStrategy[Population]:
    """Whole populations (unit name → facts) of ``group`` (any groups when None).

    Units come from the group's roster when it has one (up to the roster's size), else get made-up
    names; about one unit in four copies a peer's facts, so ties are common.
    """
    groups = [_group(scheme, group)] if group is not None else list(scheme.definition.groups)
    edges = collect_edges(scheme.definition, tuple(g.id for g in groups))
    sizes = [len(roster(g) or ()) for g in groups]
    if all(sizes):
        max_size = min(max_size, sum(sizes))
        min_size = min(min_size, max_size)
    return _population(scheme, groups, edges, min_size, max_size)
