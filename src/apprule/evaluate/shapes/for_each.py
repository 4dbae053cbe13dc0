"""`for_each`: each event of a list in the period scored, then combined per matter (每次/每起/每人次;
同一项目只计最高一次)."""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from decimal import Decimal
from itertools import compress, repeat
from operator import attrgetter, is_
from typing import TYPE_CHECKING, Any, Callable, Iterator, Literal, Sequence, cast

from pydantic import Field, model_validator

from ...decimals import ONE, ZERO, adds_as_itself, clamp
from ...errors import EvaluationError, Path
from ...expressions import RowError, brief, evaluate_column
from ...facts import FlatEvents
from ...results import Note
from ...scheme.model import CARRIED_FROM, Award, Expr, Id, Model, exactly_one
from . import NodeColumn, Role, Shape, register
from .bands import Bands, band_award, band_edges, check as check_bands
from .table import Table, key_edges, table_award
from ...i18n import N_, _

if TYPE_CHECKING:
    from ...scheme.check import Found
    from ...scheme.model import Leaf, SchemeDefinition
    from ...testing.edges import Edges
    from ..graph import GraphNode, _Builder
    from ..population import Population

Names = tuple[str, ...]
_POINTS = attrgetter("points")
_NUMBER = attrgetter("number")


class EventValue(Model):
    """What one event is worth: fixed `points`, a `table`, `bands` or a `formula` over its fields."""

    points: Decimal | None = None
    table: Table | None = None
    bands: Bands | None = None
    formula: Expr | None = None

    @model_validator(mode="after")
    def _one(self) -> EventValue:
        exactly_one(self, ("points", "table", "bands", "formula"), N_("an event value"))
        return self


class ForEach(Model):
    """Each event of a list scored by `value`, then combined (per `key` first, when given)."""

    events: Id
    value: EventValue
    where: Expr | None = None
    key: Id | None = Field(None, description="同一项目: combine per value of this field, then sum")
    combine: Literal["sum", "max", "min", "max_abs", "highest_level"] = "sum"
    key_max: Decimal | None = Field(None, description="cap on each key's combined points")
    key_min: Decimal | None = Field(None, description="floor on each key's combined points (每项最高减2分: -2)")


def roles(spec: ForEach) -> list[Role]:
    return []  # its expressions read the fields of events, not the unit's names: see `compile`


def compile(builder: _Builder, node: GraphNode) -> None:
    """The events fact, and the expressions over its fields (`where`, the value's `of` or `formula`)."""
    spec = cast(ForEach, node.leaf.spec)
    path = node.path + ("for_each",)
    fact = builder.scheme.facts.get(spec.events)
    if fact is None or fact.type != "events":
        hint = builder.close(spec.events, [k for k, f in builder.scheme.facts.items() if f.type == "events"])
        builder.problem("unknown-name", _("{events!r} is not an events fact",
                                          events=spec.events), path + ("events",), hint)
        return
    node.reads.add(spec.events)
    node.dated_by = fact.dated_by
    fields = fact.fields or {}
    if spec.key is not None and spec.key not in fields:
        builder.problem("unknown-name", _("event field {key!r} does not exist", key=spec.key), path + ("key",),
                        builder.close(spec.key, fields))
    value = spec.value
    items: list[tuple[str, str | None, tuple[str, ...]]] = [
        ("where", spec.where, ("where",)), ("formula", value.formula, ("value", "formula"))]
    if value.table is not None:
        items.append(("of", value.table.of, ("value", "table", "of")))
    if value.bands is not None:
        items.append(("of", value.bands.of, ("value", "bands", "of")))
    for role, text, rel in items:
        if text is not None:
            expr = builder.expression(text, path + rel, set(fields))
            if expr is not None:
                node.event_exprs[role] = expr
    if value.table is not None and "of" in node.event_exprs:
        builder.check_table_keys(value.table.map, node.event_exprs["of"], fields, path + ("value", "table", "map"))
    if spec.combine == "highest_level" and value.table is None:
        builder.problem("invalid-value", _("`combine: highest_level` ranks events by the order of a `table`"),
                        path + ("combine",))


def kernel(pop: Population, node: GraphNode, rows: list[int], col: NodeColumn) -> None:
    """The unit's events in the period, each worth points, combined and limited per key."""
    spec = cast(ForEach, node.leaf.spec)
    flat = pop.events(spec.events)
    ks: Sequence[int] = range(flat.n)
    if node.dated_by:
        ks, before, after = flat.in_period(node.dated_by, pop.period.start, pop.period.end)
        sources = flat.fields.get(CARRIED_FROM)
        if before and sources is not None and any(sources[k] is not None for k in before):
            ks = sorted([*ks, *(k for k in before if sources[k] is not None)])  # carried in: counted here
            before = array("q", [k for k in before if sources[k] is None])
        if col.explains and sources is not None:
            for k in ks:
                if sources[k] is not None:
                    col.note(flat.owners[k], "carried_in", number=flat.numbers[k],
                             date=flat.fields[node.dated_by][k], source=sources[k])
        if before or after:
            _outside_the_period(flat, before, after, flat.fields[node.dated_by], col)
    if len(rows) < pop.n:
        wanted = set(rows)
        ks = [k for k in ks if flat.owners[k] in wanted]
    if node.leaf.fill is not None:  # with `fill`, a unit with no event in the period is filled from its peers
        listed = set(map(flat.owners.__getitem__, ks))
        for i in rows:
            if i not in listed:
                col.missing.add(i)
                col.note(i, "empty", names=(spec.events,))
    if "where" in node.event_exprs and ks:
        ks = list(compress(ks, _event_column(pop, node, "where", flat, ks)))
    if not col.explains and spec.combine == "sum" and spec.key_min is None and spec.key_max is None \
            and not _may_award(spec.value):  # the usual case: only the sum per unit matters
        values, owners = col.values, flat.owners
        alone = _points_alone_are_their_sum(spec.value)  # most units have one event: keep its points object
        for i, p in zip(map(owners.__getitem__, ks), _event_points(pop, node, flat, ks)):
            values[i] = p if alone and values[i] is ZERO else values[i] + p
        return
    _in_full(pop, node, rows, col, flat, ks)


@dataclass(slots=True)
class _Counted:
    """One event that counts: its number in the unit's list, value, key, and what it earned."""

    number: int
    value: Decimal
    key: Any = None
    level: Any = None
    honours: Names = ()
    flags: Names = ()
    why: Note | None = None


def _outside_the_period(flat: FlatEvents, before: Sequence[int], after: Sequence[int], dates: list[Any],
                        col: NodeColumn) -> None:
    """Events after the period are carried over to the next; those before it were counted in theirs."""
    if col.inapplicable:
        before, after = ([k for k in ks if flat.owners[k] not in col.inapplicable] for ks in (before, after))
    col.carried_owners = array("q", map(flat.owners.__getitem__, after))
    col.carried_events = flat.given(after)  # type: ignore[assignment]
    col.carried_declared = flat.declared  # their fields converted when asked for (they rarely are)
    if col.explains:
        late = set(after)
        for k in sorted([*before, *after]):
            col.note(flat.owners[k], "outside_period", number=flat.numbers[k], date=dates[k], after=k in late)


def _points_alone_are_their_sum(value: EventValue) -> bool:
    """Whether every points value an event can bring is, digit for digit, 0 plus itself (not -0, not 1E+1)."""
    if value.formula is not None:
        return False  # any number: not worth checking each
    points = [value.points] if value.points is not None else [a.points for a in _awards(value)]
    return all(adds_as_itself(p) for p in points if p is not None)


def _awards(value: EventValue) -> list[Award]:
    """Every award a table or bands value can give."""
    if value.table is not None:
        return list(value.table.map.values()) + ([value.table.otherwise] if value.table.otherwise else [])
    if value.bands is not None:
        return [b.award for b in value.bands.bands] + [value.bands.otherwise]
    return []


def _may_award(value: EventValue) -> bool:
    """Whether an event can bring honours or flags (otherwise only its points matter)."""
    return any(a.honours or a.flags for a in _awards(value))


def _event_points(pop: Population, node: GraphNode, flat: FlatEvents, ks: Sequence[int]) -> list[Decimal]:
    """The points of each event ``ks``, when nothing else about them matters."""
    spec = cast(ForEach, node.leaf.spec)
    value = spec.value
    if value.points is not None or not ks:
        return [value.points or ZERO] * len(ks)
    if value.table is not None:
        keys = _event_column(pop, node, "of", flat, ks)
        # a text key, or a whole number equal to an int key, finds what `table_award` would find
        found: list[Award | None] = list(map(value.table.map.get, keys))
        unfound = [j for j, award in enumerate(found) if award is None] if any(map(is_, found, repeat(None))) else []
        decided: dict[Any, Award] = {}  # events share few keys: each is decided once
        for j in unfound:
            if keys[j] not in decided:
                try:  # not found as it is: `table_award` decides (`otherwise`, or an error)
                    decided[keys[j]] = table_award(value.table, keys[j], False)[1]
                except ValueError as exc:
                    raise EvaluationError(pop.units[flat.owners[ks[j]]], node.id, str(exc)) from None
            found[j] = decided[keys[j]]
        return list(map(_POINTS, found))
    xs = _event_column(pop, node, "of" if value.bands is not None else "formula", flat, ks)
    if set(map(type, xs)) <= {Decimal}:  # numbers as they are (anything else: `_event_values` decides)
        if value.bands is None:
            return xs
        points = {x: band_award(value.bands, x, False)[0] for x in set(xs)}  # each distinct value once
        return list(map(points.__getitem__, xs))
    return [one.value for one in _event_values(pop, node, flat, ks)]


def _in_full(pop: Population, node: GraphNode, rows: list[int], col: NodeColumn, flat: FlatEvents,
             ks: Sequence[int]) -> None:
    """Events with everything they bring: honours, flags, per-key limits, and the notes of an explanation."""
    spec = cast(ForEach, node.leaf.spec)
    by_unit: dict[int, list[_Counted]] = {}
    for k, one in zip(ks, _event_values(pop, node, flat, ks)):
        by_unit.setdefault(flat.owners[k], []).append(one)
    if col.inputs is not None:
        for i in rows:
            col.inputs.setdefault(i, {})[spec.events] = \
                Note("events_counted", {"given": len(pop.names[spec.events][i]), "counted": len(by_unit.get(i, ()))})
    levels = list(spec.value.table.map) if spec.value.table is not None else []
    for i, items in by_unit.items():
        chosen = _combine_by_key(spec.key, spec.combine, spec.key_min, spec.key_max, levels, items, col, i)
        for one in chosen:  # in event order
            key = one.key  # the matter it is for; an event without one is known by its number
            col.award(i, one.honours, one.flags, None if key is None or isinstance(key, _Unnamed) else str(key),
                      one.number)
            col.note(i, "event", number=one.number, value=one.value, why=one.why)
        if len(chosen) < len(items):
            col.note(i, "events_not_counted", count=len(items) - len(chosen), combine=spec.combine, key=spec.key)


def _event_column(pop: Population, node: GraphNode, role: str, flat: FlatEvents, rows: Sequence[int]
                  ) -> list[Any]:
    expr = node.event_exprs[role]
    try:
        return evaluate_column(expr, flat.fields, flat.n, rows)
    except RowError as exc:
        raise EvaluationError(pop.units[flat.owners[exc.row]], node.id, str(exc.error)) from None


def _event_values(pop: Population, node: GraphNode, flat: FlatEvents, rows: Sequence[int]) -> list[_Counted]:
    spec = cast(ForEach, node.leaf.spec)
    value = spec.value
    if not rows:
        return []
    numbers = list(map(flat.numbers.__getitem__, rows))
    keys = flat.fields[spec.key] if spec.key else None
    if value.points is not None:
        return [_Counted(n, value.points, keys[k] if keys else None) for n, k in zip(numbers, rows)]
    role = "formula" if value.table is None and value.bands is None else "of"
    what = N_("the banded field") if value.bands is not None else N_("the formula's result")
    explain = pop.explain
    xs = _event_column(pop, node, role, flat, rows)
    out = []
    for n, k, x in zip(numbers, rows, xs):
        key = keys[k] if keys else None
        try:
            if value.table is not None:
                level, award, why = table_award(value.table, x, explain)
                out.append(_Counted(n, award.points, key, level, tuple(award.honours), tuple(award.flags), why))
                continue
            if not isinstance(x, (Decimal, bool)):
                raise ValueError(_("{what} is {x}, not a number", what=_(what), x=brief(x)))
            x = (ONE if x else ZERO) if isinstance(x, bool) else x
        except ValueError as exc:
            raise EvaluationError(pop.units[flat.owners[k]], node.id, str(exc)) from None
        if value.bands is not None:
            points, honours, flags, band_why = band_award(value.bands, x, explain)
            out.append(_Counted(n, points, key, None, honours, flags, band_why))
        else:
            out.append(_Counted(n, x, key))
    return out


@dataclass(frozen=True)
class _Unnamed:
    """The key of an event that leaves its key field empty: its own number, so it stands alone."""

    number: int

    def __str__(self) -> str:
        return f"(event {self.number}, unnamed)"


def _combine_by_key(key: str | None, how: str, low: Decimal | None, high: Decimal | None, levels: list[Any],
                    items: list[_Counted], col: NodeColumn, i: int) -> list[_Counted]:
    """Events grouped by their key (one matter), combined, each key's subtotal limited; the chosen events."""
    groups: dict[Any, list[_Counted]] = {}
    for one in items:  # an event whose key field is empty is a matter (a person) of its own: never merged
        groups.setdefault(one.key if one.key is not None or key is None else _Unnamed(one.number), []).append(one)
    total = ZERO
    chosen: list[_Counted] = []
    for k, group in groups.items():
        picked = _combine(group, how, levels)
        subtotal = sum((one.value for one in picked), ZERO)
        bounded = clamp(subtotal, low, high)
        if bounded != subtotal:
            col.note(i, "key_limited", field=key, key=k, value=subtotal, to=bounded)
        total += bounded
        chosen += picked
    col.values[i] = total
    return sorted(chosen, key=_NUMBER) if len(groups) > 1 else chosen  # one group keeps its events' order


def _combine(items: list[_Counted], how: str, levels: list[Any]) -> list[_Counted]:
    """Which events of one matter count; among equals the earliest event wins."""
    if how == "sum" or len(items) < 2:
        return items
    pick: Callable[[_Counted], Any]
    if how == "max":
        pick = lambda one: one.value  # noqa: E731
    elif how == "min":
        pick = lambda one: -one.value  # noqa: E731
    elif how == "max_abs":
        pick = lambda one: abs(one.value)  # noqa: E731
    else:  # highest_level: the table lists its levels highest first
        pick = lambda one: -(levels.index(one.level) if one.level in levels else len(levels))  # noqa: E731
    return [max(items, key=pick)]


def check(spec: ForEach, path: Path) -> Iterator[Found]:
    """An event's bands are checked as a rule's."""
    if spec.value.bands is not None:
        yield from check_bands(spec.value.bands, path + ("value", "bands"))


def edges_of(scheme: SchemeDefinition, leaf: Leaf, edges: Edges) -> None:
    """The bounds of an event's bands, or the keys of its table, on the field they read."""
    from ...testing.edges import bare

    spec = cast(ForEach, leaf.spec)
    value = spec.value
    if value.bands is not None and bare(value.bands.of):
        band_edges(scheme, value.bands, (spec.events, bare(value.bands.of)), edges)
    if value.table is not None and bare(value.table.of):
        key_edges(value.table, (spec.events, bare(value.table.of)), edges)


register(Shape("for_each", roles, kernel, compile=compile, model=ForEach, description="逐个事件计分", check=check,
               edges=edges_of))
