"""Rule shapes: how one leaf turns its units' names into points, a whole column at a time."""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from itertools import compress, repeat
from operator import attrgetter, gt, is_, lt, mul, sub, truediv
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable, Sequence

from ..decimals import ONE, ZERO, adds_as_itself, clamp, clamped, plain, whole_steps
from ..errors import EvaluationError
from ..expressions import RowError, empty_names, evaluate_column
from ..facts import FlatEvents, converted_event
from ..scheme.model import Award, Band, Bands, EventValue, Fact, Table
from .graph import GraphNode
from .population import Population

Names = tuple[str, ...]
_POINTS = attrgetter("points")
_NUMBER = attrgetter("number")


@dataclass(slots=True, eq=False)
class NodeColumn:
    """What one node yields for every unit: the values, and side tables that are usually empty."""

    values: list[Decimal]
    max: Decimal | None
    #: a unit's own maximum, where a weight transfer raised it (or 0 where the rule does not apply)
    maxes: dict[int, Decimal] = field(default_factory=dict)
    inapplicable: set[int] = field(default_factory=set)
    #: units whose input is empty, waiting for `fill`
    missing: set[int] = field(default_factory=set)
    honours: dict[int, Names] = field(default_factory=dict)
    flags: dict[int, Names] = field(default_factory=dict)
    #: events dated after the period, with their units (ascending): they count in the next one
    carried_owners: Sequence[int] = ()
    carried_events: list[dict[str, Any]] = field(default_factory=list)
    #: the events fact, when ``carried_events`` are as given and their fields still to convert
    carried_declared: Fact | None = None
    #: the explanation (notes and inputs per unit), kept only when one is asked for
    notes: dict[int, list[str]] | None = None
    inputs: dict[int, dict[str, Any]] | None = None

    def note(self, i: int, text: str) -> None:
        if self.notes is not None:
            self.notes.setdefault(i, []).append(text)

    def award(self, i: int, honours: Sequence[str], flags: Sequence[str]) -> None:
        if honours:
            self.honours[i] = self.honours.get(i, ()) + tuple(honours)
        if flags:
            self.flags[i] = self.flags.get(i, ()) + tuple(flags)

    def carried(self, i: int) -> list[dict[str, Any]]:
        events = self.carried_events[bisect_left(self.carried_owners, i):bisect_right(self.carried_owners, i)]
        declared = self.carried_declared
        return events if declared is None else [converted_event(declared, e) for e in events]

    def take(self, i: int, award: Award, why: str) -> None:
        self.values[i] = award.points
        self.award(i, award.honours, award.flags)
        self.note(i, why)


def new_column(pop: Population, max: Decimal | None) -> NodeColumn:
    col = NodeColumn([ZERO] * pop.n, max)
    if pop.explain:
        col.notes, col.inputs = {}, {}
    return col


def read(pop: Population, node: GraphNode, role: str, rows: list[int], col: NodeColumn | None,
         fillable: bool = False, shared: bool = False) -> tuple[list[int], list[Any]]:
    """Expression ``role`` of ``node`` at ``rows``: the rows it has a value for, and the values
    (a fact's own column, when ``shared``: see ``evaluate_column``).

    A unit whose input is empty is an error, or, when the rule is ``fillable``, set aside as
    missing (to be filled from its peers). ``col`` records the inputs of an explanation.
    """
    expr = node.exprs[role]
    try:
        values = evaluate_column(expr, pop.names, pop.n, None if len(rows) == pop.n else rows, shared)
        failed = any(map(is_, values, repeat(None)))  # not `None in values`: == on a Decimal is slow
    except RowError:
        failed = True
    if failed:
        rows, values = _row_by_row(pop, node, role, rows, col, fillable)
    if col is not None and col.inputs is not None:
        key = expr.bare_name or expr.text
        for i, v in zip(rows, values):
            col.inputs.setdefault(i, {})[key] = v
    return rows, values


def _row_by_row(pop: Population, node: GraphNode, role: str, rows: list[int], col: NodeColumn | None,
                fillable: bool) -> tuple[list[int], list[Any]]:
    expr = node.exprs[role]
    kept: list[int] = []
    values: list[Any] = []
    for i in rows:
        row = pop.row(i)
        try:
            value = expr.row(row)
            empty = [] if value is not None else empty_names(expr, row) or [expr.text]
        except ValueError as exc:
            empty = empty_names(expr, row)  # an empty optional fact met arithmetic or a comparison
            if not empty:
                raise EvaluationError(pop.units[i], node.id, str(exc)) from None
        if not empty:
            kept.append(i)
            values.append(value)
        elif fillable and col is not None:
            col.missing.add(i)
            col.note(i, f"{', '.join(empty)} empty")
        else:
            raise EvaluationError(pop.units[i], node.id, f"needs {', '.join(empty)}, which the unit left empty")
    return kept, values


def read_numbers(pop: Population, node: GraphNode, role: str, rows: list[int], col: NodeColumn, what: str
                 ) -> tuple[list[int], list[Decimal]]:
    rows, values = read(pop, node, role, rows, col, fillable=node.leaf.fill is not None)
    return rows, pop.numbers(values, rows, what, node.id)


def unit_shape(pop: Population, node: GraphNode, rows: list[int], col: NodeColumn) -> None:
    """The raw values of a per-unit shape at ``rows``, before transfers, caps and rounding."""
    leaf = node.leaf
    shape = leaf.shape
    explain = col.notes is not None
    if shape in ("score", "rate", "formula"):
        what = {"score": "the score", "rate": "the rate", "formula": "the formula's result"}[shape]
        if node.within:  # numbers, and within bounds: validation has seen to it; nothing changes them
            # but a weight transfer (`_cap` passes them by), so the fact's own column serves
            rows, xs = read(pop, node, "of", rows, col, fillable=leaf.fill is not None, shared=not node.donors)
        else:
            rows, xs = read_numbers(pop, node, "of", rows, col, what)
        ys = xs if shape == "formula" or node.within else clamped(xs, ZERO, leaf.max if shape == "score" else ONE)
        if explain and ys is not xs:
            for i, x, y in zip(rows, xs, ys):
                if shape == "score" and y != x:
                    col.note(i, f"{plain(x)} clamped to {plain(y)}")
                elif shape == "rate" and x > ONE:
                    col.note(i, f"rate {plain(x)} counted as 1")
        if shape == "rate":
            ys = list(map(mul, ys, repeat(leaf.max or ZERO)))
        _scatter(col, rows, ys)
    elif shape == "per":
        spec = leaf.per
        assert spec is not None
        rows, xs = read_numbers(pop, node, "of", rows, col, "the count")
        counted = whole_steps(map(truediv, xs, repeat(spec.size)), spec.whole)
        _scatter(col, rows, list(map(mul, counted, repeat(spec.points))))
        every = f" (every {plain(spec.size)})" if spec.size != ONE else ""
        for i, steps in zip(rows, counted) if explain else ():
            col.note(i, f"{plain(steps)} × {plain(spec.points)}{every}")
    elif shape == "steps":
        _steps(pop, node, rows, col)
    elif shape == "bands":
        assert leaf.bands is not None
        rows, xs = read_numbers(pop, node, "of", rows, col, "the banded value")
        for i, x in zip(rows, xs):
            points, honours, flags, why = band_award(leaf.bands, x, explain)
            col.values[i] = points
            col.award(i, honours, flags)
            if explain:
                col.note(i, why)
    elif shape == "table":
        assert leaf.table is not None
        rows, keys = read(pop, node, "of", rows, col, fillable=leaf.fill is not None)
        for i, key in zip(rows, keys):
            try:
                key, award, why = table_award(leaf.table, key, explain)
            except ValueError as exc:
                raise EvaluationError(pop.units[i], node.id, str(exc)) from None
            col.take(i, award, why)
    elif shape == "when":
        condition = leaf.when
        assert condition is not None
        rows, tests = read(pop, node, "test", rows, col, fillable=leaf.fill is not None)
        award = Award(points=condition.points, honours=condition.honours, flags=condition.flags)
        for i in compress(rows, tests):  # the units it holds for (found in C)
            col.take(i, award, "condition holds")
        for i, holds in zip(rows, tests) if explain else ():
            if not holds:
                col.note(i, "condition does not hold")
    elif shape == "for_each":
        _for_each(pop, node, rows, col)
    else:  # cross-unit shapes are computed over the whole scope by the caller
        raise AssertionError(shape)


def _scatter(col: NodeColumn, rows: list[int], values: list[Decimal]) -> None:
    """``values`` (a list of their own) as the column's values at ``rows``."""
    if len(rows) == len(col.values):
        col.values = values
        return
    for i, value in zip(rows, values):
        col.values[i] = value


def _steps(pop: Population, node: GraphNode, rows: list[int], col: NodeColumn) -> None:
    spec = node.leaf.steps
    assert spec is not None
    rows, actuals = read_numbers(pop, node, "of", rows, col, "the actual value")
    rows_t, targets = read_numbers(pop, node, "target", rows, col, "the target")
    if len(rows_t) != len(rows):  # some targets were empty (and will be filled): keep the rows with both
        by_row = dict(zip(rows, actuals))
        rows, actuals = rows_t, [by_row[i] for i in rows_t]
    ratio = spec.measure == "ratio"
    if ratio and not all(targets):  # a Decimal zero is false
        i = rows[targets.index(ZERO)]
        raise EvaluationError(pop.units[i], node.id, "the target is 0, so no ratio can be formed")
    distances = list(map(sub, map(truediv, actuals, targets), repeat(ONE))) if ratio else \
        list(map(sub, actuals, targets))
    explain = col.notes is not None
    counted: dict[int, Decimal] = {}  # for the notes: the units a step applies to (positions in rows) → whole steps
    for step, beyond in ((spec.over, gt), (spec.under, lt)):  # over at or above the target, under below
        if step is not None:
            ks = list(compress(range(len(rows)), map(beyond, distances, repeat(ZERO))))
            counts = whole_steps(map(truediv, map(abs, map(distances.__getitem__, ks)), repeat(step.size)), step.whole)
            for i, points in zip(map(rows.__getitem__, ks), map(mul, counts, repeat(step.points))):
                col.values[i] = points
            if explain:
                counted.update(zip(ks, counts))
    for k, (i, actual, target, distance) in enumerate(zip(rows, actuals, targets, distances)) if explain else ():
        shown = f"{plain(actual)} / {plain(target)} - 1 = {plain(distance)}" if ratio else \
            f"{plain(actual)} - {plain(target)} = {plain(distance)}"
        step = spec.over if distance >= ZERO else spec.under
        col.note(i, f"{shown}: {plain(counted[k])} step(s) of {plain(step.size)} × {plain(step.points)}"
                 if step is not None and k in counted else f"{shown}: no step applies")


def band_matches(band: Band, x: Decimal) -> bool:
    if band.from_ is not None and x < band.from_:
        return False
    if band.above is not None and x <= band.above:
        return False
    if band.to is not None and x > band.to:
        return False
    return band.below is None or x < band.below


def describe_band(band: Band) -> str:
    parts = []
    if band.from_ is not None:
        parts.append(f"≥ {plain(band.from_)}")
    if band.above is not None:
        parts.append(f"> {plain(band.above)}")
    if band.to is not None:
        parts.append(f"≤ {plain(band.to)}")
    if band.below is not None:
        parts.append(f"< {plain(band.below)}")
    return band.label or (" and ".join(parts) or "any value")


def band_award(bands: Bands, x: Decimal, explain: bool = True) -> tuple[Decimal, Names, Names, str]:
    """The points, honours and flags ``x`` earns under ``bands``, and why (when ``explain``)."""
    matched = [b for b in bands.bands if band_matches(b, x)]
    if not matched:
        other = bands.otherwise
        return other.points, tuple(other.honours), tuple(other.flags), \
            f"{plain(x)} is in no band" if explain else ""
    if bands.match == "all":
        return (sum((b.points for b in matched), ZERO), tuple(h for b in matched for h in b.honours),
                tuple(f for b in matched for f in b.flags),
                f"{plain(x)} in bands " + "; ".join(describe_band(b) for b in matched) if explain else "")
    first = matched[0]
    return first.points, tuple(first.honours), tuple(first.flags), \
        f"{plain(x)} in band {describe_band(matched[0])}" if explain else ""


def table_award(table: Table, key: Any, explain: bool = True) -> tuple[Any, Award, str]:
    """The table's key for ``key``, its award, and why (when ``explain``).

    ``ValueError`` when neither the key nor `otherwise` is in the table.
    """
    if isinstance(key, Decimal):  # YAML keys are whole numbers or text
        key = int(key) if key == key.to_integral_value() else plain(key)
    award = table.map.get(key)
    if award is not None:
        return key, award, f"{key!r} in the table" if explain else ""
    if table.otherwise is None:
        raise ValueError(f"{key!r} is not in the table and the table has no `otherwise`")
    return key, table.otherwise, f"{key!r} not in the table: otherwise" if explain else ""


@dataclass(slots=True)
class _Counted:
    """One event that counts: its number in the unit's list, value, key, and what it earned."""

    number: int
    value: Decimal
    key: Any = None
    level: Any = None
    honours: Names = ()
    flags: Names = ()
    why: str | None = None


def _for_each(pop: Population, node: GraphNode, rows: list[int], col: NodeColumn) -> None:
    """每次/每起/每人次: the unit's events in the period, each worth points, combined and limited per key."""
    spec = node.leaf.for_each
    assert spec is not None
    flat = pop.events(spec.events)
    ks: Sequence[int] = range(flat.n)
    if node.dated_by:
        ks, before, after = flat.in_period(node.dated_by, pop.period.start, pop.period.end)
        if before or after:
            _outside_the_period(flat, before, after, flat.fields[node.dated_by], col)
    if len(rows) < pop.n:
        wanted = set(rows)
        ks = [k for k in ks if flat.owners[k] in wanted]
    if "where" in node.event_exprs and ks:
        ks = list(compress(ks, _event_column(pop, node, "where", flat, ks)))
    if col.notes is None and spec.combine == "sum" and spec.key_min is None and spec.key_max is None \
            and not _may_award(spec.value):  # the usual case: only the sum per unit matters
        values, owners = col.values, flat.owners
        alone = _points_alone_are_their_sum(spec.value)  # most units have one event: keep its points object
        for i, p in zip(map(owners.__getitem__, ks), _event_points(pop, node, flat, ks)):
            values[i] = p if alone and values[i] is ZERO else values[i] + p
        return
    _for_each_in_full(pop, node, rows, col, flat, ks)


def _outside_the_period(flat: FlatEvents, before: Sequence[int], after: Sequence[int], dates: list[Any],
                        col: NodeColumn) -> None:
    """Events after the period are carried over to the next; those before it were counted in theirs."""
    if col.inapplicable:
        before, after = ([k for k in ks if flat.owners[k] not in col.inapplicable] for ks in (before, after))
    col.carried_owners = array("q", map(flat.owners.__getitem__, after))
    col.carried_events = list(map(flat.events.__getitem__, after))
    col.carried_declared = flat.declared  # their fields converted when asked for (they rarely are)
    if col.notes is not None:
        late = set(after)
        for k in sorted([*before, *after]):
            col.note(flat.owners[k], f"event #{flat.numbers[k]} dated {dates[k]} is " + (
                "after the period: carried over to the next" if k in late else "before the period: not counted"))


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
    spec = node.leaf.for_each
    assert spec is not None
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


def _for_each_in_full(pop: Population, node: GraphNode, rows: list[int], col: NodeColumn, flat: FlatEvents,
                      ks: Sequence[int]) -> None:
    """Events with everything they bring: honours, flags, per-key limits, and the notes of an explanation."""
    spec = node.leaf.for_each
    assert spec is not None
    by_unit: dict[int, list[_Counted]] = {}
    for k, one in zip(ks, _event_values(pop, node, flat, ks)):
        by_unit.setdefault(flat.owners[k], []).append(one)
    if col.inputs is not None:
        for i in rows:
            col.inputs.setdefault(i, {})[spec.events] = \
                f"{len(pop.names[spec.events][i])} event(s), {len(by_unit.get(i, ()))} counted"
    levels = list(spec.value.table.map) if spec.value.table is not None else []
    for i, items in by_unit.items():
        chosen = _combine_by_key(spec.key, spec.combine, spec.key_min, spec.key_max, levels, items, col, i)
        for one in chosen:  # in event order
            col.award(i, one.honours, one.flags)
            if col.notes is not None:
                col.note(i, f"event #{one.number}: {plain(one.value)}" + (f" ({one.why})" if one.why else ""))
        if col.notes is not None and len(chosen) < len(items):
            col.note(i, f"{len(items) - len(chosen)} event(s) not counted: `combine: {spec.combine}`"
                     + (f" per {spec.key}" if spec.key else ""))


def _event_column(pop: Population, node: GraphNode, role: str, flat: FlatEvents, rows: Sequence[int]
                  ) -> list[Any]:
    expr = node.event_exprs[role]
    try:
        return evaluate_column(expr, flat.fields, flat.n, rows)
    except RowError as exc:
        raise EvaluationError(pop.units[flat.owners[exc.row]], node.id, str(exc.error)) from None


def _event_values(pop: Population, node: GraphNode, flat: FlatEvents, rows: Sequence[int]) -> list[_Counted]:
    spec = node.leaf.for_each
    assert spec is not None
    value = spec.value
    if not rows:
        return []
    numbers = list(map(flat.numbers.__getitem__, rows))
    keys = flat.fields[spec.key] if spec.key else None
    if value.points is not None:
        return [_Counted(n, value.points, keys[k] if keys else None) for n, k in zip(numbers, rows)]
    role = "formula" if value.table is None and value.bands is None else "of"
    what = "the banded field" if value.bands is not None else "the formula's result"
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
                raise ValueError(f"{what} is {x!r}, not a number")
            x = (ONE if x else ZERO) if isinstance(x, bool) else x
        except ValueError as exc:
            raise EvaluationError(pop.units[flat.owners[k]], node.id, str(exc)) from None
        if value.bands is not None:
            points, honours, flags, why = band_award(value.bands, x, explain)
            out.append(_Counted(n, points, key, None, honours, flags, why))
        else:
            out.append(_Counted(n, x, key))
    return out


def _combine_by_key(key: str | None, how: str, low: Decimal | None, high: Decimal | None, levels: list[Any],
                    items: list[_Counted], col: NodeColumn, i: int) -> list[_Counted]:
    """Events grouped by their key (one matter), combined, each key's subtotal limited; the chosen events."""
    groups: dict[Any, list[_Counted]] = {}
    for one in items:
        groups.setdefault(one.key, []).append(one)
    total = ZERO
    chosen: list[_Counted] = []
    for k, group in groups.items():
        picked = _combine(group, how, levels)
        subtotal = sum((one.value for one in picked), ZERO)
        bounded = clamp(subtotal, low, high)
        if bounded != subtotal:
            col.note(i, f"{key} {k!r}: {plain(subtotal)} limited to {plain(bounded)}")
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
