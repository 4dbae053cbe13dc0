"""`for_each`: each event of a list in the period scored, then combined per matter (每次/每起/每人次;
同一项目只计最高一次)."""

from __future__ import annotations

import ast
from array import array
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Callable, Iterator, Literal, Sequence, cast

import numpy as np
from pydantic import Field, model_validator

from ...decimals import CONTEXT, ONE, ZERO, clamp
from ...errors import EvaluationError, Path
from ...expressions import RowError, brief, evaluate_column
from ...facts import EventField, FlatEvents, Period
from ...results import Note
from ...scheme.model import CARRIED_FROM, Award, Expr, Id, Model, exactly_one
from ..fixed import INT64_MAX, Parts, totals_handed_out, parts_of, places_of, unit_totals
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
    """The unit's events in the period, each worth points, combined and limited per key: in fixed point (each
    event's value an integer, combined per unit by grouped reductions) unless an explanation, honours or flags
    ask for each event, or a value is not a number or too large for ``int64`` (then as decimals, exactly)."""
    spec = cast(ForEach, node.leaf.spec)
    flat = pop.events(spec.events)
    ks = _counted(pop, node, rows, col, flat)
    if not col.explains and not _may_award(spec.value):
        totals = _in_fixed_point(pop, node, flat, ks)
        if totals is not None:
            col.values = totals_handed_out(totals)
            return
    _in_full(pop, node, rows, col, flat, ks.tolist())


def _counted(pop: Population, node: GraphNode, rows: list[int], col: NodeColumn, flat: FlatEvents
             ) -> np.ndarray[Any, Any]:
    """The events that count (positions, ascending): in the period or carried into it, of the units ``rows``,
    meeting `where`. Records the events outside the period, and the units with none to `fill`."""
    spec = cast(ForEach, node.leaf.spec)
    owners = np.frombuffer(flat.owners, np.int64) if flat.n else np.zeros(0, np.int64)
    ks = np.arange(flat.n)
    if node.dated_by:
        period = flat.in_period(node.dated_by, pop.period.start, pop.period.end)
        ks = period.counted
        sources = flat.fields.get(CARRIED_FROM)
        if col.explains and sources is not None:
            for k in ks.tolist():
                if sources[k] is not None:
                    col.note(flat.owners[k], "carried_in", number=flat.numbers[k],
                             date=flat.fields[node.dated_by][k], source=sources[k])
        if len(period.before) or len(period.after):
            _outside_the_period(flat, period, flat.fields[node.dated_by], col)
    if len(rows) < pop.n:
        wanted = np.zeros(pop.n, bool)
        wanted[rows] = True
        ks = ks[wanted[owners[ks]]]
    if node.leaf.fill is not None:  # with `fill`, a unit with no event in the period is filled from its peers
        listed = np.zeros(pop.n, bool)
        listed[owners[ks]] = True
        for i in rows:
            if not listed[i]:
                col.missing.add(i)
                col.note(i, "empty", names=(spec.events,))
    if "where" in node.event_exprs and len(ks):
        mask = _array_test(node.event_exprs["where"].tree, flat.fields, ks)
        if mask is None:
            kept = _event_column(pop, node, "where", flat, ks.tolist())
            mask = np.fromiter(map(bool, kept), bool, len(kept))
        ks = ks[mask]
    return ks


def _in_fixed_point(pop: Population, node: GraphNode, flat: FlatEvents, ks: np.ndarray[Any, Any]) -> Parts | None:
    """Each unit's total as integers with the places the decimal path would show; None where that path
    must decide (a value not a number, or too large)."""
    spec = cast(ForEach, node.leaf.spec)
    found = _event_parts(pop, node, flat, ks)
    if found is None:
        return None
    values, rank = found
    owners = np.frombuffer(flat.owners, np.int64)[ks] if len(ks) else np.zeros(0, np.int64)
    matters = None
    if spec.key is not None and len(ks) and (spec.combine != "sum" or spec.key_min is not None
                                             or spec.key_max is not None):
        try:
            matters = _matters(flat.fields[spec.key], ks)
        except TypeError:  # a key that is no dictionary key: the decimal path says what it makes of it
            return None
    if spec.combine in ("max", "min", "max_abs"):
        rank = {"max": -values.ints, "min": values.ints, "max_abs": -np.abs(values.ints)}[spec.combine]
    return unit_totals(owners, values, pop.n, spec.combine, matters, rank, spec.key_min, spec.key_max)


def _matters(keys: Sequence[Any], ks: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """A code for each event's matter (equal keys, equal codes); an event with an empty key stands alone."""
    if isinstance(keys, EventField) and keys.kind == "codes":  # equal texts have equal codes already
        given = keys.data[ks]
        return np.where(given < 0, -1 - np.arange(len(ks)), given)
    codes: dict[Any, int] = {}
    return np.array([-1 - j if key is None else codes.setdefault(key, len(codes))
                     for j, key in enumerate(map(keys.__getitem__, ks.tolist()))], np.int64)


def _event_parts(pop: Population, node: GraphNode, flat: FlatEvents, ks: np.ndarray[Any, Any]
                 ) -> tuple[Parts, np.ndarray[Any, Any] | None] | None:
    """Each event's value as an integer (and its places as written), and for `highest_level` the place of its
    level in the table (0 the highest); None where the decimal path must decide."""
    value = cast(ForEach, node.leaf.spec).value
    m = len(ks)
    if value.formula is not None:
        return _formula_parts(_event_column(pop, node, "formula", flat, ks.tolist()) if m else [])
    scale = places_of([a.points for a in _awards(value)] if value.points is None else [value.points])
    if value.points is not None:
        one = parts_of([value.points], scale)
        if one is None:
            return None
        return Parts(np.full(m, one[0][0], np.int64), np.full(m, one[1][0], np.int64), scale), None
    found = _keys(pop, node, flat, ks)
    if found is None:
        return None
    distinct, where, first = found
    points: list[Decimal] = []
    ranks: list[int] = []
    if value.table is not None:
        levels = list(value.table.map)
        for key in distinct:
            try:  # as `_event_values`: `table_award` decides (`otherwise`, or an error)
                level, award, _why = table_award(value.table, key, False)
            except ValueError as exc:  # the first event with that key
                raise EvaluationError(pop.units[flat.owners[first[len(points)]]], node.id, str(exc)) from None
            points.append(award.points)
            ranks.append(levels.index(level) if level in levels else len(levels))
    else:
        assert value.bands is not None
        if not set(map(type, distinct)) <= {Decimal}:
            return None  # true, false or anything else: `_event_values` decides
        points = [band_award(value.bands, x, False)[0] for x in distinct]
    made = parts_of(points, scale)
    if made is None:
        return None
    ints, places = np.array(made[0], np.int64), np.array(made[1], np.int64)
    rank = np.array(ranks, np.int64)[where] if ranks else None
    return Parts(ints[where], places[where], scale), rank


def _keys(pop: Population, node: GraphNode, flat: FlatEvents, ks: np.ndarray[Any, Any]
          ) -> tuple[list[Any], np.ndarray[Any, Any], list[int]] | None:
    """The distinct keys (the value's `of`) of the events ``ks``, in the order met (events share few keys: each is
    decided once), where each event's key is among them, and the first event with each; None where a key is no
    dictionary key. A text field given as codes is read on its codes."""
    field = flat.fields.get(node.event_exprs["of"].bare_name or "")
    if isinstance(field, EventField) and field.kind == "codes":
        codes, firsts, where = np.unique(field.data[ks], return_index=True, return_inverse=True)
        order = np.argsort(firsts)  # the codes in the order met
        place = np.empty(len(order), np.int64)
        place[order] = np.arange(len(order))
        named = [*field.distinct, None]  # code -1: empty
        return [named[c] for c in codes[order].tolist()], place[where.ravel()], ks[firsts[order]].tolist()
    keys = _event_column(pop, node, "of", flat, ks.tolist()) if len(ks) else []
    try:
        distinct = list(dict.fromkeys(keys))
    except TypeError:
        return None
    at = {key: j for j, key in enumerate(distinct)}
    where = np.fromiter(map(at.__getitem__, keys), np.int64, len(keys))
    first = np.unique(where, return_index=True)[1]  # each key's first event (every key 0.. is met)
    return distinct, where, ks[first].tolist()


def _formula_parts(xs: list[Any]) -> tuple[Parts, None] | None:
    """A formula's results as integers: each distinct one converted once where all are whole numbers (the
    places of each counted apart only where some are not)."""
    if not set(map(type, xs)) <= {Decimal} or not all(map(Decimal.is_finite, set(xs))):
        return None
    scale = places_of(xs)
    if scale:
        made = parts_of(xs, scale)
        if made is None:
            return None
        return Parts(np.array(made[0], np.int64), np.array(made[1], np.int64), scale), None
    distinct = set(xs)
    if any(not -INT64_MAX <= x <= INT64_MAX for x in distinct):
        return None
    ints_of = {x: int(x) for x in distinct}
    return Parts(np.array(list(map(ints_of.__getitem__, xs)), np.int64), np.zeros(len(xs), np.int64), 0), None


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


def _outside_the_period(flat: FlatEvents, period: Period, dates: Sequence[Any], col: NodeColumn) -> None:
    """Events after the period are carried over to the next; those before it were counted in theirs."""
    before, after, owners = period.before, period.after, period.after_owners
    if col.inapplicable:
        applies = np.ones(flat.units, bool)
        applies[list(col.inapplicable)] = False
        owners_of = np.frombuffer(flat.owners, np.int64)
        before, after = before[applies[owners_of[before]]], after[applies[owners_of[after]]]
        owners = owners_of[after]
    col.carried_owners = array("q", owners.tobytes())
    col.carried_events = flat.given(after.tolist())  # type: ignore[assignment]
    col.carried_declared = flat.declared  # their fields converted when asked for (they rarely are)
    if col.explains:
        late = set(after.tolist())
        for k in sorted([*before.tolist(), *after.tolist()]):
            col.note(flat.owners[k], "outside_period", number=flat.numbers[k], date=dates[k], after=k in late)


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
    # a field given as arrays (``EventField``) is read as its values, a list: one lookup per event, in C
    fields = {name: flat.fields[name] for name in expr.names if name in flat.fields}
    bare = fields.get(expr.bare_name or "")
    if isinstance(bare, EventField):
        return bare.take(rows).values()  # only the events asked for are made
    columns = {name: values.values() if isinstance(values, EventField) else values for name, values in fields.items()}
    try:
        return evaluate_column(expr, columns, flat.n, rows)
    except RowError as exc:
        raise EvaluationError(pop.units[flat.owners[exc.row]], node.id, str(exc.error)) from None


def _array_test(tree: ast.expr, fields: dict[str, Any], ks: np.ndarray[Any, Any]) -> np.ndarray[Any, Any] | None:
    """`where` over fields given as arrays (``EventField``), on the arrays, for the events ``ks``: a text field
    ``== "text"`` or ``!=`` (on its codes), a number field compared with a number (on its integers), and ``and``
    / ``or`` of such tests; None for any other expression, or a field with empty values (the expression's own
    path says what an empty value means)."""
    if isinstance(tree, ast.BoolOp):
        found = [_array_test(part, fields, ks) for part in tree.values]
        parts = [part for part in found if part is not None]
        if len(parts) < len(found):
            return None
        joined = np.logical_and if isinstance(tree.op, ast.And) else np.logical_or
        return cast("np.ndarray[Any, Any]", joined.reduce(parts))
    if not (isinstance(tree, ast.Compare) and len(tree.ops) == 1 and type(tree.ops[0]) in _FLIPPED):
        return None
    name, text, how = tree.left, tree.comparators[0], type(tree.ops[0])
    if not isinstance(name, ast.Name):
        name, text, how = text, name, _FLIPPED[how]  # 3 <= x: x >= 3
    field = fields.get(name.id) if isinstance(name, ast.Name) else None
    if not isinstance(field, EventField) or field.nulls is not None:
        return None
    if field.kind == "fixed" and field.data.dtype == np.int64:
        number = _number(text)
        return None if number is None else _compared(field.data[ks], field.scale, how, number)
    if field.kind != "codes" or how not in (ast.Eq, ast.NotEq) or not (isinstance(text, ast.Constant)
                                                                      and type(text.value) is str):
        return None
    code = field.distinct.index(text.value) if text.value in field.distinct else -2  # -2: no event has it
    equal: np.ndarray[Any, Any] = field.data[ks] == code
    return equal if how is ast.Eq else ~equal


#: each comparison, and the same with its sides swapped
_FLIPPED: dict[type, type] = {ast.Eq: ast.Eq, ast.NotEq: ast.NotEq, ast.Lt: ast.Gt, ast.Gt: ast.Lt, ast.LtE: ast.GtE,
                              ast.GtE: ast.LtE}


def _number(node: ast.expr) -> Decimal | None:
    """A number literal's value as the expression reads it (from its text), or None."""
    sign = 1
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        sign, node = (-1 if isinstance(node.op, ast.USub) else 1), node.operand
    value = getattr(node, "decimal", None) if isinstance(node, ast.Constant) else None
    return None if value is None else value if sign > 0 else -value


def _compared(ints: np.ndarray[Any, Any], scale: int, how: type, number: Decimal) -> np.ndarray[Any, Any] | None:
    """``x <how> number`` for the values ``ints`` at ``scale``, on the integers: the number at the same scale,
    exactly; where it has more places, ``x`` (a whole number of steps) lies strictly between its floor and
    ceiling. None where the number does not fit ``int64`` at that scale."""
    scaled = number.scaleb(scale, CONTEXT)
    low = scaled.to_integral_value(ROUND_FLOOR)
    if not scaled.is_finite() or len(scaled.as_tuple().digits) > 18 or not -INT64_MAX <= low < INT64_MAX:
        return None
    floor, whole = int(low), low == scaled
    if how is ast.Eq or how is ast.NotEq:
        equal = ints == floor if whole else np.zeros(len(ints), bool)
        return equal if how is ast.Eq else ~equal
    if how is ast.Lt:
        return ints < floor if whole else ints <= floor
    if how is ast.LtE:
        return ints <= floor
    if how is ast.Gt:
        return ints > floor
    return ints >= floor if whole else ints > floor  # GtE


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
