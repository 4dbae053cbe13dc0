"""Validate and convert units' facts before anything is computed."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from array import array
from collections import Counter
import math
from dataclasses import dataclass, field
from functools import partial
from decimal import Decimal, InvalidOperation, getcontext
from itertools import accumulate, chain, compress, count, repeat
from operator import attrgetter, eq, is_, is_not, itemgetter, methodcaller, mul, ne, sub
from typing import Any, Iterator, Mapping, Sequence, overload

import numpy as np

from . import deferred as deferral
from .decimals import BOUNDS, CONTEXT, MAX_MAGNITUDE, MAX_PLACES, places_within, shown, within_bounds
from .errors import FactError, FactIssue, aside, suggestion
from .i18n import N_, _
from .evaluate.fixed import Fixed, Numbers
from .expressions import Expression, Runner
from .scheme.model import CARRIED_FROM, Block, Fact, Leaf, SchemeDefinition, Section
from .units import WrongUnit, converted, split

#: Keys a unit may give besides facts, when the scheme's rosters do not say.
PLACEMENT_KEYS = ("group", "sequence")
#: Names with a meaning of their own in expressions; no fact may take them.
RESERVED_NAMES = PLACEMENT_KEYS + ("total", "rank", "rank_from_bottom", "scope_size", "sections", "adjustments")
_MAX_FLOAT_DIGITS = 15  # a float carries 15 significant digits faithfully, no more
_TRUE = {"true": True, "yes": True, "是": True, "false": False, "no": False, "否": False}
#: the one type a fact's converted values have (what ``convert`` returns unchanged)
_CANONICAL: dict[str, type] = {"number": Decimal, "count": Decimal, "rate": Decimal, "boolean": bool,
                               "enum": str, "text": str, "date": dt.date}
_NUMBERS = ("number", "count", "rate")
_ABSENT: Any = object()  # a fact a unit does not give (``None`` is a value it may give)
_BLOCK = 256  # units validated together: column passes over a block find its values in cache
_PERCENT = methodcaller("endswith", "%")
_LIMIT = int(MAX_MAGNITUDE)
#: a comma in a number only ever separates thousands, ASCII digits grouped by three: "1,5" is not 15 (nor 1.5)
_GROUPED = re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?")
#: the most units an outside ranking can tie at one place: the cost of averaging their places grows with it
MAX_TIED = 10_000
_DIGITS = attrgetter("digits")
#: the roles a fact may play for a rank table or a movement, as a message names them (``check_role``)
_ROLES = (N_("rank"), N_("tie count"), N_("place"))
#: the small whole numbers facts are mostly given as (counts, people, ranks), made once and shared:
#: an int given is looked up here rather than made into a new Decimal each time
_SMALL_DECIMALS = {i: Decimal(i) for i in range(-1000, 1001)}


@dataclass(frozen=True)
class UnitFacts:
    """One unit's facts, converted, with its place in the scheme."""

    unit: str
    group: int
    sequence: str | None
    values: dict[str, Any]
    #: fact → the marker (转入下年度) of each value the office deferred to the next period
    deferred: dict[str, str] = field(default_factory=dict)


class BadValue(Exception):
    """A value that does not fit its fact's type (``convert`` raises it; callers add unit and fact)."""

    def __init__(self, code: str, message: str):
        self.code, self.message = code, message


def placements(scheme: SchemeDefinition) -> dict[str, tuple[int, str | None]]:
    """Unit → (group index, sequence id) from the rosters."""
    placed: dict[str, tuple[int, str | None]] = {}
    for gi, group in enumerate(scheme.groups):
        for unit in group.units or ():
            placed[unit] = (gi, None)
        for seq in group.sequences:
            for unit in seq.units or ():
                placed[unit] = (gi, seq.id)
    return placed


def validate_facts(scheme: SchemeDefinition, used: list[frozenset[str]], facts: Mapping[Any, Any],
                   required_when: Mapping[str, Expression] | None = None) -> list[UnitFacts]:
    """Check every unit's facts against the scheme; raise ``FactError`` listing every problem."""
    if not isinstance(facts, Mapping):
        raise FactError([FactIssue("not-a-mapping", "", "", _("facts are a mapping of unit name to its facts"))])
    placed = placements(scheme)
    group_ids = {g.id: i for i, g in enumerate(scheme.groups)}
    roles = rank_roles(scheme)
    issues: list[FactIssue] = []
    units: list[UnitFacts] = []
    for unit, given in facts.items():
        if not isinstance(unit, str) or not unit.strip():
            issues.append(FactIssue("bad-unit", unit if isinstance(unit, str) else shown(unit), "",
                                    _("a unit is named by a non-empty string")))
            continue
        if not isinstance(given, Mapping):
            issues.append(FactIssue("not-a-mapping", unit, "", _("facts of a unit are a mapping, got {value}",
                                                                 value=shown(given))))
            continue
        place = _place(scheme, unit, given, placed, group_ids, issues)
        if place is None:
            continue
        gi, seq = place
        values: dict[str, Any] = {}
        deferred: dict[str, str] = {}
        for name, value in given.items():
            if name in PLACEMENT_KEYS:
                continue
            fact = scheme.facts.get(name) if isinstance(name, str) else None
            if fact is None:
                label = name if isinstance(name, str) else shown(name)
                issues.append(FactIssue("unknown-fact", unit, label, _("the scheme declares no such fact")
                                        + suggestion(label, scheme.facts)))
            elif name not in used[gi]:
                issues.append(FactIssue("fact-not-used", unit, name,
                                        _("group {group!r} does not use this fact", group=scheme.groups[gi].id)))
            else:
                try:
                    values[name] = convert(fact, value, roles.get(name))
                    if fact.deferred is not None and (marker := deferral.said(value)):  # counted as declared,
                        deferred[name] = marker                                              # and listed
                except BadValue as bad:
                    issues.append(FactIssue(bad.code, unit, name, bad.message))
        for name in sorted(used[gi]):
            if name in values or name in given:
                continue
            fact = scheme.facts[name]
            if fact.default is not None:
                values[name] = convert(fact, fact.default)
            elif fact.required:
                issues.append(FactIssue("missing-fact", unit, name, _("required fact is missing")))
            else:
                values[name] = [] if fact.type == "events" else None
        for key, condition in (required_when or {}).items():
            name, field = key.partition(".")[::2]
            if name not in used[gi]:
                continue
            if not field and values.get(name) in (None, []) and holds(condition, values):
                issues.append(FactIssue("missing-fact", unit, name, _("required when {condition}",
                                                                      condition=condition.text)))
            for n, event in enumerate(values.get(name) or [] if field else [], 1):
                if event.get(field) is None and holds(condition, event):
                    issues.append(FactIssue("missing-field", unit, name,
                                            _("event {n} lacks field {field!r}, required when {condition}",
                                              n=n, field=field, condition=condition.text)))
        units.append(UnitFacts(unit, gi, seq, values, deferred))
    if issues:
        raise FactError(issues)
    return units


@dataclass
class GroupFacts:
    """One group's units and their converted facts, column by column.

    A value given already converted stays the caller's object, as in ``validate_facts`` (a Decimal) and,
    here only, an event list whose events all give exactly the declared fields: read them, never change them.
    Such events are kept as given even where a field needs converting (an ``int``, say): the converted
    fields are in ``events``, and ``FlatEvents.of`` converts them again from the declared fields.
    """

    index: int  # the group's index in scheme.groups
    units: list[str]  # sorted by name: results never depend on the order facts were given in
    sequences: list[str | None]  # each unit's sequence id (None when the group has none)
    #: fact → one converted value per unit (events: see above), aligned with ``units``; every fact the group
    #: uses has one
    columns: dict[str, list[Any]]  # or a number fact's ``Numbers``, where a table gave it as integers
    #: events fact → the same events laid flat, where validation laid them (the scorer lays the others);
    #: for scoring only: the engine hands them to the scorer, which drops each after its last rule
    events: dict[str, FlatEvents] = field(default_factory=dict)
    #: unit → fact → marker, for the values the office deferred to the next period (only validation's slow
    #: path converts a marker, so the fast paths leave this empty)
    deferred: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass(eq=False)
class FlatEvents:
    """Every unit's events of one fact, laid end to end: the owner and number of each, and its fields."""

    #: positions are kept as machine integers (``array``): a list would hold an int object for each
    owners: array[int] = field(default_factory=partial(array, "q"))
    #: the events as the unit lists give them
    events: list[dict[str, Any]] = field(default_factory=list)
    #: field → its converted value in each event (validated events carry every declared field)
    fields: dict[str, Sequence[Any]] = field(default_factory=dict)
    units: int = 0  # the units laid so far: the next one's position
    #: the events fact, when some field of ``events`` is as given, not converted (``event`` converts)
    declared: Fact | None = None
    _periods: dict[tuple[str, dt.date, dt.date], Period] = field(default_factory=dict)
    _numbers: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, column: Sequence[Sequence[dict[str, Any]]], declared: Fact | None = None) -> FlatEvents:
        """``column``'s events laid flat; with the ``declared`` events fact, each field converted (the events
        of validated facts, which validation may have left as given)."""
        flat = cls()
        events = list(chain.from_iterable(column))
        names = list(events[0]) if events else []
        values = _each(events, names) or []
        if declared is not None:
            fields = declared.fields or {}
            converted = [_column(fields[name], given) for name, given in zip(names, values)]
            flat.declared = declared if any(map(is_not, converted, values)) else None
            values = converted
        flat.extend(column, events, names, values)
        return flat

    def extend(self, column: Sequence[Sequence[Any]], events: list[dict[str, Any]], names: Sequence[str],
               values: Sequence[Sequence[Any]]) -> None:
        """Lay the next units' event lists (``column``): ``events`` end to end, and field ``names``' ``values``."""
        lengths = list(map(len, column))
        owners = compress(range(self.units, self.units + len(column)), lengths)  # most units have no events
        self.owners.extend(chain.from_iterable(map(repeat, owners, filter(None, lengths))))
        self.events += events
        for name, given in zip(names, values):
            laid = self.fields.setdefault(name, [])
            assert isinstance(laid, list)  # laid from lists (events given as arrays are laid at once)
            laid.extend(given)
        self.units += len(column)

    @property
    def n(self) -> int:
        return len(self.events)

    def given(self, ks: Sequence[int]) -> Sequence[dict[str, Any]]:
        """Events ``ks`` as given, each made when read (most events carried over are never read; events laid
        flat from columns stay columns)."""
        return _Taken(self.events, ks)

    def event(self, k: int) -> dict[str, Any]:
        """Event ``k`` with its fields converted."""
        return self.events[k] if self.declared is None else converted_event(self.declared, self.events[k])

    @property
    def numbers(self) -> list[int]:
        """The 1-based number of each event within its unit's list (for notes: rarely asked, so made then)."""
        if len(self._numbers) != self.n:  # position + 1 - where the owner's run starts, in C
            owners = self.owners
            starts = accumulate(map(mul, map(ne, owners, [None, *owners[:-1]]), count()), max)
            self._numbers = list(map(sub, count(1), starts))
        return self._numbers

    def in_period(self, dated_by: str, start: dt.date, end: dt.date) -> Period:
        """The events counted in ``start``..``end`` and those outside it, found once per period (the rules
        over one events fact share them)."""
        key = (dated_by, start, end)
        if key not in self._periods:
            dates = self.fields.get(dated_by, [])  # no events, no fields
            if isinstance(dates, EventField) and dates.kind == "days":  # compared as days, in numpy
                days = dates.data.astype(np.int64)
                places = np.where(days < (start - _EPOCH).days, 1, np.where(days > (end - _EPOCH).days, 2, 0))
                places = places.astype(np.int8)
                if dates.nulls is not None:
                    places[dates.nulls] = 0
            else:
                # each distinct date is placed once; an event is then found by one lookup, in C
                # (events share few dates). An undated event counts in every period.
                place = {when: 0 if when is None or start <= when <= end else 1 if when < start else 2
                         for when in set(dates)}  # 0 within (or undated), 1 before, 2 after
                places = np.fromiter(map(place.__getitem__, dates), np.int8, len(dates))
            before = np.flatnonzero(places == 1)
            sources = self.fields.get(CARRIED_FROM)
            if len(before) and sources is not None:  # carried in from an earlier period: counted here
                if isinstance(sources, EventField):  # given where not empty
                    carried = np.ones(len(before), bool) if sources.nulls is None else ~sources.nulls[before]
                else:
                    carried = np.fromiter(map(is_not, map(sources.__getitem__, before.tolist()), repeat(None)), bool,
                                          len(before))
                places[before[carried]] = 0
                before = before[~carried]
            within, after = np.flatnonzero(places == 0), np.flatnonzero(places == 2)
            self._periods[key] = Period(within, before, after, np.frombuffer(self.owners, np.int64)[after]
                                        if len(after) else np.zeros(0, np.int64))
        return self._periods[key]


@dataclass(frozen=True)
class Period:
    """Events (positions, ascending) by where their dates fall: those that count in the period (dated within
    it, undated, or carried into it from an earlier one), those before it that counted in theirs, those after
    it (carried over to the next), and the units of the last."""

    counted: np.ndarray[Any, Any]
    before: np.ndarray[Any, Any]
    after: np.ndarray[Any, Any]
    after_owners: np.ndarray[Any, Any]


class _Taken(Sequence[dict[str, Any]]):
    """Some of a sequence of events, ``ks``, each read from it when asked for."""

    __slots__ = ("events", "ks")

    def __init__(self, events: Sequence[dict[str, Any]], ks: Sequence[int]):
        self.events, self.ks = events, ks

    def __len__(self) -> int:
        return len(self.ks)

    @overload
    def __getitem__(self, j: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, j: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, j: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(j, slice):
            return list(map(self.events.__getitem__, self.ks[j]))
        return self.events[self.ks[j]]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return map(self.events.__getitem__, self.ks)


class EventLists(Sequence[Any]):
    """A column of event lists given flat, as Arrow holds a ``list<struct>`` column: every event end to end,
    a column per field, and each unit's run of events by ``offsets`` (unit ``i`` owns events
    ``offsets[i]:offsets[i + 1]``). Validation lays it onto ``FlatEvents`` without a dict per event
    (``_flat_events``); read as a sequence, it is the per-unit lists of dicts Arrow's ``to_pylist`` gives,
    made on first reading (errors, explanations and the unit-by-unit fallback ask for them).
    """

    __slots__ = ("offsets", "names", "fields", "nulls", "_lists")

    def __init__(self, offsets: np.ndarray[Any, Any], names: list[str], fields: Sequence[Sequence[Any]],
                 nulls: np.ndarray[Any, Any] | None):
        self.offsets = offsets  # int64, n + 1 values, from 0; a null list owns no events
        self.names = names  # the struct's field names, in its order
        self.fields = fields  # per name, its value in each event (Arrow's Python values, not converted)
        self.nulls = nulls  # where the list itself is null (an empty cell), None: nowhere
        self._lists: list[Any] | None = None

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def lists(self) -> list[Any]:
        if self._lists is None:
            events = [dict(zip(self.names, row)) for row in zip(*self.fields)] if self.fields else \
                [{} for _ in range(int(self.offsets[-1]))]
            bounds = self.offsets.tolist()
            lists: list[Any] = [events[a:b] for a, b in zip(bounds, bounds[1:])]
            for i in [] if self.nulls is None else np.flatnonzero(self.nulls).tolist():
                lists[i] = None
            self._lists = lists
        return self._lists

    def __getitem__(self, i: Any) -> Any:
        return self.lists()[i]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.lists())

    def take(self, rows: Sequence[int]) -> EventLists:
        """The lists of units ``rows``, in their order."""
        picked = np.asarray(rows, np.int64)
        starts, lengths = self.offsets[picked], np.diff(self.offsets)[picked]
        offsets = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)
        # each taken event's position: its unit's start, plus its place in the unit's run
        ks = (np.repeat(starts - offsets[:-1], lengths) + np.arange(offsets[-1])).tolist()
        fields = [values.take(ks) if isinstance(values, EventField) else list(map(values.__getitem__, ks))
                  for values in self.fields]
        return EventLists(offsets, self.names, fields, None if self.nulls is None else self.nulls[picked])


_EPOCH = dt.date(1970, 1, 1)  # Arrow's date32 counts days from it


class EventField(Sequence[Any]):
    """One field of events given flat by Arrow, kept as arrays (no Python value per event): ``kind`` "codes" (text,
    a code per event into ``distinct``, -1 where empty), "days" (``date32``: days since 1970-01-01), "fixed"
    (``decimal128``: integers at ``scale``) or "ints" (``int64``). Read as a sequence, it is the values Arrow's
    ``to_pylist`` gives, made on first reading (errors, explanations and carried-over events ask for them);
    ``nulls`` marks the empty ones (None: none)."""

    __slots__ = ("kind", "data", "scale", "distinct", "nulls", "_values")

    def __init__(self, kind: str, data: np.ndarray[Any, Any], nulls: np.ndarray[Any, Any] | None = None,
                 scale: int = 0, distinct: list[Any] | None = None):
        self.kind, self.data, self.nulls, self.scale = kind, data, nulls, scale
        self.distinct = distinct or []
        self._values: list[Any] | None = None

    def __len__(self) -> int:
        return len(self.data)

    def values(self) -> list[Any]:
        if self._values is None:
            if self.kind == "codes":  # code -1 (empty) reads the last item: None
                values = list(map([*self.distinct, None].__getitem__, self.data.tolist()))
            elif self.kind == "days":  # each distinct date made once and shared (immutable)
                days, where = np.unique(self.data, return_inverse=True)
                made = [_EPOCH + dt.timedelta(days=d) for d in days.tolist()]
                values = list(map(made.__getitem__, where.ravel().tolist()))
            elif self.kind == "fixed":
                values = Fixed(self.data, self.scale).decimals()
            else:
                values = self.data.tolist()
            for i in [] if self.nulls is None else np.flatnonzero(self.nulls).tolist():
                values[i] = None
            self._values = values
        return self._values

    def __getitem__(self, i: Any) -> Any:
        return self.values()[i]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.values())

    def take(self, ks: Sequence[int]) -> EventField:
        picked = np.asarray(ks, np.int64)
        return EventField(self.kind, self.data[picked], None if self.nulls is None else self.nulls[picked],
                          self.scale, self.distinct)

    def present(self) -> np.ndarray[Any, Any]:
        """The values given (not empty), as held."""
        return self.data if self.nulls is None else self.data[~self.nulls]


def _canonical_field(fact: Fact, values: Sequence[Any]) -> Sequence[Any] | None:
    """An events field given as arrays (``EventField``) converted, checked on the arrays (each distinct text
    once): itself where ``convert`` would return every value as it is, decimals (``EventField`` "fixed") for
    integers that fit; None where ``_canonical`` and ``_converted`` must decide (and word any error)."""
    if not isinstance(values, EventField) or fact.required and values.nulls is not None:
        return None
    kind = values.kind
    if kind == "codes" and fact.type in ("text", "enum"):
        used = {values.distinct[c] for c in np.unique(values.present()).tolist()}
        return values if fact.type == "text" or used <= set(fact.enum_values) else None
    if kind == "days":
        return values if fact.type == "date" else None
    if kind in ("fixed", "ints") and fact.type in _NUMBERS and values.data.dtype == np.int64 and \
            _fixed_within(fact, values.present(), values.scale):
        return values if kind == "fixed" else EventField("fixed", values.data, values.nulls)
    return None


class _Doubt(Exception):
    """Something the fast pass does not vouch for: ``validate_facts`` decides, and words any error."""


def validate_population(scheme: SchemeDefinition, used: list[frozenset[str]], facts: Mapping[Any, Any],
                        required_when: Mapping[str, Expression] | None = None) -> list[GroupFacts]:
    """``validate_facts``, column by column: one ``GroupFacts`` per group with units, in group order.

    A fast pass checks and converts whole columns; at the first doubt ``validate_facts`` does the
    work again, so the values and every ``FactError`` are exactly its own.
    """
    try:
        return _population(scheme, used, facts, required_when or {})
    except (_Doubt, BadValue, ArithmeticError):  # ArithmeticError: a decimal signal, raised again below
        pass
    return _grouped(validate_facts(scheme, used, facts, required_when), used)


def _grouped(units: list[UnitFacts], used: list[frozenset[str]]) -> list[GroupFacts]:
    members: dict[int, list[UnitFacts]] = {}
    for unit in sorted(units, key=lambda u: u.unit):
        members.setdefault(unit.group, []).append(unit)
    return [GroupFacts(gi, [u.unit for u in group], [u.sequence for u in group],
                       {name: [u.values[name] for u in group] for name in sorted(used[gi])},
                       deferred={u.unit: u.deferred for u in group if u.deferred})
            for gi, group in sorted(members.items())]


def _population(scheme: SchemeDefinition, used: list[frozenset[str]], facts: Mapping[Any, Any],
                required_when: Mapping[str, Expression]) -> list[GroupFacts]:
    if not isinstance(facts, Mapping) or not set(map(type, facts)) <= {str}:
        raise _Doubt
    place = _Placer(scheme)
    roles = rank_roles(scheme)
    allowed = [u.union(PLACEMENT_KEYS) for u in used]
    declared = [[(name, _declared(scheme, name)) for name in sorted(u)] for u in used]
    found: dict[int, GroupFacts] = {}
    ordered: list[str] = sorted(facts)
    for start in range(0, len(ordered), _BLOCK):  # block by block: a block's values stay in cache
        units = ordered[start:start + _BLOCK]
        given_block = list(map(facts.__getitem__, units))
        if set(map(type, given_block)) != {dict} or not all(map(str.strip, units)):
            raise _Doubt
        gis, sequences = place.all(units, list(map(dict.get, given_block, repeat("group"), repeat(_ABSENT))),
                                   list(map(dict.get, given_block, repeat("sequence"), repeat(_ABSENT))))
        present = set(gis)
        for gi in sorted(present):
            ks = range(len(units)) if len(present) == 1 else [k for k, g in enumerate(gis) if g == gi]
            givens = list(map(given_block.__getitem__, ks))
            if gi not in found:
                found[gi] = GroupFacts(gi, [], [], {name: [] for name, _ in declared[gi]})
            group = found[gi]
            group.units += map(units.__getitem__, ks)
            group.sequences += map(sequences.__getitem__, ks)
            names = list(group.columns)
            values = _each(givens, names)
            if values is not None:  # every unit gives every fact: any other key is one too many
                placing = sum(map(dict.__contains__, givens, repeat("group"))) + \
                    sum(map(dict.__contains__, givens, repeat("sequence")))
                if sum(map(len, givens)) != len(givens) * len(names) + placing:
                    raise _Doubt  # an unknown fact, or one the group does not use
            else:  # some unit leaves a fact out
                if not all(map(allowed[gi].issuperset, givens)):
                    raise _Doubt
                values = [_given(fact, name, givens) for name, fact in declared[gi]]
            for (name, fact), column in zip(declared[gi], values):
                if fact.type == "events":
                    group.columns[name] += _events(fact, column, group.events.setdefault(name, FlatEvents()))
                else:
                    group.columns[name] += _column(fact, column, roles.get(name))
    runner = Runner()
    for group in found.values():
        _required_when(required_when, group.columns, group.events, runner)
    return [found[gi] for gi in sorted(found)]


class _Placer:
    """The decisions of ``_place`` without the words: a unit's group and sequence, or a doubt."""

    def __init__(self, scheme: SchemeDefinition):
        self.groups = scheme.groups
        self.placed = placements(scheme)
        self.open_groups = {g.id: i for i, g in enumerate(self.groups) if g.units is None}  # joined by naming them
        self.sequences = [frozenset(s.id for s in g.sequences) for g in self.groups]
        self.unsequenced = frozenset(g for g, gi in self.open_groups.items() if not self.sequences[gi])

    def all(self, units: list[str], groups: list[Any], sequences: list[Any]) -> tuple[list[int], list[str | None]]:
        """Each unit's group and sequence; in C when the units name open groups without sequences."""
        if set(map(type, groups)) == {str} and set(groups) <= self.unsequenced and \
                set(map(id, sequences)) <= {id(_ABSENT), id(None)} and \
                self.placed.keys().isdisjoint(units):
            return list(map(self.open_groups.__getitem__, groups)), [None] * len(units)
        places = list(map(self, units, groups, sequences))
        return [p[0] for p in places], [p[1] for p in places]

    def __call__(self, unit: str, group: Any, sequence: Any) -> tuple[int, str | None]:
        """``group`` and ``sequence`` as the unit's facts give them, ``_ABSENT`` where they say nothing."""
        place = self.placed.get(unit)
        if place is None:
            gi = self.open_groups.get(group) if type(group) is str else None
            if gi is None:
                raise _Doubt
            seq = None
        else:
            gi, seq = place
            if group is not _ABSENT and group != self.groups[gi].id:
                raise _Doubt
        if seq is None:
            if self.sequences[gi]:
                if type(sequence) is not str or sequence not in self.sequences[gi]:
                    raise _Doubt
                seq = sequence
            elif sequence is not _ABSENT and sequence is not None:
                raise _Doubt
        elif sequence is not _ABSENT and sequence != seq:
            raise _Doubt
        return gi, seq


def _declared(scheme: SchemeDefinition, name: str) -> Fact:
    fact = scheme.facts.get(name)
    if fact is None:
        raise _Doubt
    return fact


def _each(mappings: list[dict[str, Any]], names: list[str]) -> list[Sequence[Any]] | None:
    """Per name, its value in each mapping; None when a mapping lacks one. Each mapping is read once."""
    try:
        if len(names) == 1:
            return [list(map(itemgetter(names[0]), mappings))]
        if not mappings or not names:
            return [[] for _ in names]
        return list(zip(*map(itemgetter(*names), mappings)))
    except KeyError:
        return None


def _given(fact: Fact, name: str, givens: list[dict[str, Any]]) -> list[Any]:
    """One fact of every unit, where some leave it out: its default, None or [] stand in."""
    column = list(map(dict.get, givens, repeat(name), repeat(_ABSENT)))
    return _filled(fact, column) if any(map(is_, column, repeat(_ABSENT))) else column


def _column(fact: Fact, column: Sequence[Any], role: str | None = None) -> Sequence[Any]:
    """One fact (not events) of every unit, converted as ``convert`` would (a doubt where a value does not fit
    the fact's ``role`` as a rank or tie count)."""
    converted = column if _canonical(fact, column) else _converted(fact, column)
    if role is not None and fact.type in _NUMBERS and not _roles_hold(role, converted):
        raise _Doubt
    return converted


def _converted(fact: Fact, column: Sequence[Any]) -> list[Any]:
    """Every value through ``convert`` (``BadValue`` when one does not fit), numbers a column at once."""
    return _numbers(fact, column) if fact.type in _NUMBERS else [convert(fact, v) for v in column]


def _filled(fact: Fact, column: Sequence[Any]) -> list[Any]:
    if fact.default is not None:
        if fact.type == "events":  # a list per unit, never one shared
            return [convert(fact, fact.default) if v is _ABSENT else v for v in column]
        value = convert(fact, fact.default)  # converted once: it is immutable
    elif fact.required:
        raise _Doubt
    elif fact.type == "events":
        return [[] if v is _ABSENT else v for v in column]
    else:
        value = None
    return [value if v is _ABSENT else v for v in column]


def _canonical(fact: Fact, column: Sequence[Any], whole: bool = False) -> bool:
    """Whether ``convert`` would return every value as it is; whole-column checks that run in C. ``whole``: the
    numbers are known to have no decimal places (made from integers)."""
    kinds = set(map(type, column))
    present = column
    if type(None) in kinds:
        if fact.required:
            return False
        kinds.discard(type(None))
        present = [v for v in column if v is not None]
    if not kinds <= {_CANONICAL[fact.type]}:
        return False
    if fact.type == "enum":
        return set(present) <= set(fact.enum_values)  # the values themselves, not their names
    if fact.type not in _NUMBERS or not present:
        return True
    # the bounds (decimals.BOUNDS) fail an infinity, and ordering a NaN raises where InvalidOperation is trapped
    guarded = getcontext().traps[InvalidOperation]
    if not guarded and not all(map(Decimal.is_finite, present)):
        return False
    low, high = min(present), max(present)
    if not (-MAX_MAGNITUDE < low and high < MAX_MAGNITUDE) or not (whole or places_within(present)):
        return False
    if fact.type == "count" and not all(map(eq, present, map(Decimal.to_integral_value, present))):
        return False
    if fact.type in ("count", "rate") and low < 0:
        return False
    return (fact.min is None or low >= fact.min) and (fact.max is None or high <= fact.max)


def _canonical_integers(fact: Fact, column: Any) -> bool:
    """``_canonical`` of a number column given as integers (``Numbers``, from a ``decimal128`` column without
    empty cells), checked on the integers: its values are then the fact's as they are."""
    if not isinstance(column, Numbers) or fact.type not in _NUMBERS or column.fixed.wide:
        return False
    return _fixed_within(fact, column.fixed.ints, column.fixed.scale)


def _fixed_within(fact: Fact, ints: np.ndarray[Any, Any], scale: int) -> bool:
    """Whether number ``fact``'s values, ``ints`` (int64) at ``scale``, are its own as they are."""
    if not len(ints):
        return True
    if scale > MAX_PLACES or fact.type == "count" and scale and np.any(ints % 10 ** scale):
        return False  # more places than the bounds allow, or a count with a fraction: the slow pass words it
    low, high = (Decimal(int(x)).scaleb(-scale, CONTEXT) for x in (ints.min(), ints.max()))
    if not (-MAX_MAGNITUDE < low and high < MAX_MAGNITUDE) or fact.type in ("count", "rate") and low < 0:
        return False
    return (fact.min is None or low >= fact.min) and (fact.max is None or high <= fact.max)


def _numbers(fact: Fact, column: Sequence[Any]) -> list[Any]:
    """``convert`` of a number column: ``to_decimal``, then its checks, which ``_canonical`` makes."""
    percent = fact.type == "rate"
    kinds = set(map(type, column))
    numbers: list[Any] | None = None
    whole = False
    if kinds == {int}:
        if not -_LIMIT < min(column) and max(column) < _LIMIT:
            raise _Doubt  # to_decimal words it, before any huge integer is converted
        numbers = list(map(_SMALL_DECIMALS.get, column))  # to_decimal of an int, in C
        if any(map(is_, numbers, repeat(None))):  # beyond the shared ones
            numbers = [Decimal(v) if d is None else d for d, v in zip(numbers, column)]
        whole = True
    elif kinds == {float}:  # to_decimal's rule for floats: the repr, if it has no more digits than a float holds
        texts = list(map(repr, column))
        numbers = list(map(Decimal, texts))
        if max(map(len, texts)) > _MAX_FLOAT_DIGITS and \
                max(map(len, map(_DIGITS, map(Decimal.as_tuple, numbers)))) > _MAX_FLOAT_DIGITS:
            raise _Doubt  # (a text of 15 characters has no more than 15 digits)
    elif kinds == {str}:  # to_decimal's rule for text, in C; separators and percentages value by value
        texts = list(map(str.strip, column))
        joined = "".join(texts)
        if "," not in joined and "_" not in joined and "，" not in joined and not (percent and "%" in joined):
            numbers = list(map(Decimal, texts))
    if numbers is None:
        numbers = [v if v is None or type(v) is Decimal else to_decimal(v, percent) for v in column]
    if not _canonical(fact, numbers, whole):
        raise _Doubt
    return numbers


def _events(fact: Fact, column: Sequence[Any], flat: FlatEvents) -> Sequence[Any]:
    """Lists of events, also laid onto ``flat``; when every event gives exactly the declared fields,
    checked field by field as columns."""
    fields = fact.fields or {}
    names = list(fields)
    if set(map(type, column)) == {list}:
        events = list(chain.from_iterable(column))
        values = None
        if set(map(type, events)) <= {dict} and set(map(len, events)) <= {len(fields)}:
            values = _each(events, names)  # all declared fields and no more: what _event checks
        if values is not None:
            odd = [k for k, (field, given) in enumerate(zip(fields.values(), values)) if not _canonical(field, given)]
            if not odd:  # _event would rebuild each list and dict as it is: keep them, as a Decimal is kept
                flat.extend(column, events, names, values)
                return column
            # the events as given, their fields converted apart (no copy of each event: FlatEvents.event)
            values = list(values)
            for k in odd:
                values[k] = _converted(fields[names[k]], values[k])
            flat.extend(column, events, names, values)
            flat.declared = fact
            return column
    result = [convert(fact, v) for v in column]  # odd shapes: _event, event by event
    events = list(chain.from_iterable(result))
    flat.extend(result, events, names, _each(events, names) or [])
    return result


def _flat_events(fact: Fact, lists: EventLists, flat: FlatEvents) -> EventLists | None:
    """``_events`` for event lists given flat: the same checks and conversions, field by field as columns,
    laid onto the empty ``flat``; None where the lists need ``_events`` (their fields are not exactly the
    declared ones, or an empty cell takes the fact's default)."""
    fields = fact.fields or {}
    left_out = [name for name in fields if name not in lists.names]
    if len(set(lists.names)) < len(lists.names) or not set(lists.names) <= set(fields) or \
            any(fields[name].required and fields[name].default is None for name in left_out):
        return None  # an unknown field, or a required one left out: event by event, whose errors say which
    if lists.nulls is not None and lists.nulls.any():
        if fact.default is not None:
            return None
        if fact.required:
            raise _Doubt
    n = int(lists.offsets[-1])
    given = dict(zip(lists.names, lists.fields))
    for name in left_out:  # as ``_event`` fills them: the field's default, or empty
        default = fields[name].default
        given[name] = [None if default is None else convert(fields[name], default)] * n
    converted: dict[str, Sequence[Any]] = {}
    for name, values in given.items():  # what the arrays do not settle, value by value (the errors as ever)
        fast = _canonical_field(fields[name], values)
        converted[name] = fast if fast is not None else values if _canonical(fields[name], values) else \
            _converted(fields[name], values)
    lengths = np.diff(lists.offsets)
    flat.owners = array("q", np.repeat(np.arange(len(lists), dtype=np.int64), lengths).tobytes())
    flat.fields = {name: converted[name] for name in fields}
    flat.units = len(lists)
    if left_out:  # ``_event`` rebuilds each event, every field converted, in the order given then the rest
        names = [*lists.names, *left_out]
        values = [converted[name] for name in names]
        flat.events = _EventRows(names, values, n)  # type: ignore[assignment]
        return EventLists(lists.offsets, names, values, None)
    flat.events = _EventRows(lists.names, lists.fields, n)  # type: ignore[assignment]
    if any(converted[name] is not given[name] for name in fields):
        flat.declared = fact  # some field as given, not converted: ``FlatEvents.event`` converts
    return EventLists(lists.offsets, lists.names, lists.fields, None)  # an empty cell: no events


class _EventRows(Sequence[dict[str, Any]]):
    """Events given flat, each a dict of its fields as given when asked for (an error, a carried event)."""

    __slots__ = ("names", "fields", "n")

    def __init__(self, names: list[str], fields: Sequence[Sequence[Any]], n: int):
        self.names, self.fields, self.n = names, fields, n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, k: Any) -> Any:
        if isinstance(k, slice):
            return [self[j] for j in range(*k.indices(len(self)))]
        return {name: values[k] for name, values in zip(self.names, self.fields)}

    def __iter__(self) -> Iterator[dict[str, Any]]:  # by count: indexing past the end need not fail
        return map(self.__getitem__, range(self.n))

    def take(self, ks: Sequence[int]) -> _EventRows:
        return _EventRows(self.names, [list(map(values.__getitem__, ks)) for values in self.fields], len(ks))


def _required_when(required_when: Mapping[str, Expression], columns: dict[str, list[Any]],
                   events: Mapping[str, FlatEvents], runner: Runner) -> None:
    """Doubt when a condition makes an empty fact or event field required; only empty ones are read."""
    for key, condition in required_when.items():
        name, field = key.partition(".")[::2]
        column = columns.get(name)
        if column is None:
            continue
        if field:
            flat = events[name]
            empty = compress(range(flat.n), map(is_, flat.fields.get(field, ()), repeat(None)))
            if any(holds(condition, flat.event(k), runner) for k in empty):
                raise _Doubt
        elif any(v is None or (type(v) is list and not v) for v in column):  # no == on Decimals: slow
            for i, value in enumerate(column):
                if value in (None, []) and holds(condition, {n: c[i] for n, c in columns.items()}, runner):
                    raise _Doubt


def holds(condition: Expression, values: Mapping[str, Any], runner: Runner | None = None) -> bool:
    """Whether ``condition`` holds over a unit's facts (false when it reads a fact the unit left empty)."""
    try:
        return bool((runner or Runner()).run(condition, values))
    except (ValueError, KeyError):
        return False


def _place(scheme: SchemeDefinition, unit: str, given: Mapping[str, Any],
           placed: dict[str, tuple[int, str | None]], group_ids: dict[str, int],
           issues: list[FactIssue]) -> tuple[int, str | None] | None:
    if unit in placed:
        gi, seq = placed[unit]
        if "group" in given and given["group"] != scheme.groups[gi].id:
            issues.append(FactIssue("wrong-group", unit, "group", _("the roster puts this unit in group "
                                    "{group!r}, the facts say {given}", group=scheme.groups[gi].id,
                                    given=shown(given['group']))))
            return None
    else:
        group = given.get("group")
        if group is not None and not isinstance(group, str):
            issues.append(FactIssue("wrong-type", unit, "group", _("a group is named by its id, got {value}",
                                                                   value=shown(group))))
            return None
        if group is None:
            issues.append(FactIssue("unknown-unit", unit, "", _("the unit is in no group's roster and its facts "
                                    "name no `group`") + suggestion(unit, placed)))
            return None
        if group not in group_ids:
            issues.append(FactIssue("unknown-group", unit, "group", _("no group {group!r}",
                                                                      group=group) + suggestion(str(group),
                                                                                             group_ids)))
            return None
        gi, seq = group_ids[group], None
        if scheme.groups[gi].units is not None:
            issues.append(FactIssue("unknown-unit", unit, "", _("the unit is not in the roster of group {group!r}",
                                                                group=group)
                                    + suggestion(unit, scheme.groups[gi].units or ())))
            return None
    sequences = {s.id for s in scheme.groups[gi].sequences}
    if seq is not None and "sequence" in given and given["sequence"] != seq:
        issues.append(FactIssue("wrong-sequence", unit, "sequence", _("the roster puts this unit in sequence "
                                "{sequence!r}, the facts say {given}", sequence=seq, given=shown(given['sequence']))))
        return None
    if seq is None and sequences:
        seq = given.get("sequence")
        if not isinstance(seq, str) or seq not in sequences:
            issues.append(FactIssue("unknown-sequence", unit, "sequence",
                                    _("the unit needs a `sequence`, one of {sequences}, got {value}",
                                      sequences=sorted(sequences), value=shown(seq))))
            return None
    elif not sequences and given.get("sequence") is not None:  # said, and meaning nothing: not dropped
        issues.append(FactIssue("unknown-sequence", unit, "sequence", _("group {group!r} has no "
                                "sequences, got {value}", group=scheme.groups[gi].id, value=shown(given['sequence']))))
        return None
    return gi, seq


def convert(fact: Fact, value: Any, role: str | None = None) -> Any:
    """One value in, converted to its declared type; ``BadValue`` if it does not fit (or, as a rank or tie count
    of a rank table, the fact's ``role``, does not fit that)."""
    kind = fact.type
    if kind == "events":
        if value is None and not fact.required:
            return []
        if not isinstance(value, (list, tuple)):
            raise BadValue("wrong-type", _("expected a list of events, got {value}", value=shown(value)))
        return [_event(fact, i, event) for i, event in enumerate(value)]
    if value is None and not fact.required:
        return None
    if kind in ("number", "count", "rate"):
        if deferral.said(value):
            return _deferred(fact, value)
        number = quantity(fact, value)
        if kind == "count" and (number != number.to_integral_value() or number < 0):
            raise BadValue("bad-count", _("a count is a whole number of at least 0, got {value}", value=shown(value)))
        if kind == "rate" and number < 0:
            raise BadValue("out-of-range", _("a rate is at least 0, got {value}", value=shown(value)))
        unit = fact.unit or ""  # the bound in the unit the fact counts in: 100%, 50分
        if fact.min is not None and number < fact.min:
            raise BadValue("out-of-range", _("{value} is below the minimum {min}{unit}",
                                             value=shown(value), min=fact.min, unit=unit))
        if fact.max is not None and number > fact.max:
            raise BadValue("out-of-range", _("{value} is above the maximum {max}{unit}",
                                             value=shown(value), max=fact.max, unit=unit))
        if role is not None:
            check_role(role, number, value)
        return number
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE:
            return _TRUE[value.strip().lower()]
        raise BadValue("wrong-type", _("expected true or false, got {value}", value=shown(value)))
    if kind == "enum":
        named = fact.value_names.get(value) if isinstance(value, str) else None  # the value, or one of its names
        if named is not None:
            return named
        hint = value_hint(value, fact) if isinstance(value, str) and len(value) <= 100 else None
        raise BadValue("unknown-value", _("{value} is not one of {choices}", value=shown(value), choices=choices(fact))
                       + (aside(hint)))
    if kind == "text":
        if isinstance(value, str):
            return value
        raise BadValue("wrong-type", _("expected text, got {value}", value=shown(value)))
    if kind == "date":
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            if not isinstance(value, str):  # str() of a huge integer fails, and no other type is a date
                raise ValueError
            return dt.date.fromisoformat(value)
        except ValueError:
            raise BadValue("wrong-type", _("expected a date like 2021-06-30, got {value}",
                                           value=shown(value))) from None
    raise AssertionError(kind)


def _deferred(fact: Fact, value: str) -> Any:
    """What a value the office deferred to the next period (转入下年度) counts as in this one, as the fact declares."""
    if fact.deferred is None:
        raise BadValue("cannot-defer", _("{marker!r} defers the value to the next period, but the scheme does "
                       "not say what this fact counts as in this one; give the value (a scheme lets a fact be "
                       "deferred with `deferred:`)", marker=value.strip()))
    if fact.deferred == "empty":
        return None if fact.default is None else convert(fact, fact.default)
    return fact.deferred


def quantity(fact: Fact, value: Any) -> Decimal:
    """``to_decimal`` of a number fact's value; a number given with its unit (``"6.2亿元"``) in the fact's unit."""
    try:
        return to_decimal(value, percent=fact.type == "rate")
    except BadValue as bad:
        parts = split(value) if isinstance(value, str) and bad.code in ("wrong-type", "bad-number") else None
        if parts is None:
            raise
    number, given = parts
    try:
        return to_decimal(converted(to_decimal(number), given, fact.unit))
    except WrongUnit as wrong:
        raise BadValue("wrong-unit", f"{shown(value)}: {wrong}") from None


def choices(fact: Fact) -> str:
    """An enum's values as a message lists them, each with its label: ['general' (一般), 'major' (重大)]."""
    labels = [(value, fact.value_label(value)) for value in fact.enum_values]
    return "[" + ", ".join(f"{value!r} ({label})" if label else repr(value) for value, label in labels) + "]"


def value_hint(text: str, fact: Fact) -> str | None:
    """A did-you-mean for an enum value, by meaning first: the value whose label the text holds (较大事故 → 较大;
    特别重大事故 → 特别重大, not 重大) or, failing that, the one label that holds the text (牵头 → 牵头单位); then by
    spelling, among values and names. The value comes with its label, so the hint shows what it means."""
    names = {name: value for name, value in fact.value_names.items() if name != value}  # the labels and other names
    held = [name for name in names if name in text]
    held = [name for name in held if not any(name != other and name in other for other in held)]
    meant = {names[name] for name in held} or {value for name, value in names.items() if text and text in name}
    if len(meant) != 1:
        close = difflib.get_close_matches(text, sorted(fact.value_names), n=1)
        meant = {fact.value_names[close[0]]} if close else set()
    if not meant:
        return None
    value = meant.pop()
    label = fact.value_label(value)
    return _("did you mean {value!r} ({label})?", value=value, label=label) if label else \
        _("did you mean {name!r}?", name=value)


def check_default(fact: Fact, role: str | None = None) -> str | None:
    """What is wrong with a fact's declared default (as a rank or tie count: its ``role``), if anything."""
    if fact.default is None:
        return None
    try:
        convert(fact, fact.default, role)
    except BadValue as bad:
        return bad.message
    return None


def to_decimal(value: Any, percent: bool = False) -> Decimal:
    """A number from its text: never ``Decimal(float)``; floats only where no digit is lost; within the bounds
    apprule takes (``decimals.BOUNDS``), so no later arithmetic overflows or hangs on a hostile exponent."""
    if isinstance(value, bool):
        raise BadValue("wrong-type", _("expected a number, got {value}", value=repr(value)))
    scaled = False
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        if not -_LIMIT < value < _LIMIT:  # before Decimal(): converting a huge integer costs time
            raise BadValue("out-of-range", _("{value} is too large: {bounds}", value=shown(value), bounds=_(BOUNDS)))
        number = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise BadValue("not-finite", _("{value} is not a finite number", value=repr(value)))
        text = repr(value)
        digits = len(Decimal(text).as_tuple().digits)
        if digits > _MAX_FLOAT_DIGITS:
            raise BadValue("inexact-float", _("the float {value} carries more digits than a float holds exactly; "
                       "pass it as a string or a Decimal", value=text))
        number = Decimal(text)
    elif isinstance(value, str):
        text = value.strip()
        if percent and text.endswith("%"):
            text, scaled = text[:-1].strip(), True
        text = _ungrouped(value, text)
        try:
            number = Decimal(text)  # exact: no context rounds it
        except InvalidOperation:
            raise BadValue("wrong-type", _("expected a number, got {value}", value=shown(value))) from None
    else:
        raise BadValue("wrong-type", _("expected a number, got {value}", value=shown(value)))
    if not number.is_finite():
        raise BadValue("not-finite", _("{value} is not a finite number", value=shown(value)))
    kept = within_bounds(number)
    if scaled and not isinstance(kept, str):  # bounded first: then a hundredth of it is exact
        kept = within_bounds(kept.scaleb(-2, CONTEXT))
    if isinstance(kept, str):
        raise BadValue("out-of-range", _("{value} {reason}: {bounds}",
                                         value=shown(value), reason=_(kept), bounds=_(BOUNDS)))
    return kept


def _ungrouped(value: str, text: str) -> str:
    """``text`` without its thousands separators; ``BadValue`` when a separator is out of place. Python's
    ``Decimal`` reads "1_0" as 10; the full-width comma (，) separates list items in Chinese, never thousands."""
    if "_" in text:
        raise BadValue("bad-number", _("{value}: a number is written without underscores", value=shown(value)))
    if "，" in text:
        raise BadValue("bad-number", _("{value}: the full-width comma (，) is not a thousands separator; "
                       "write 1234 or 1,234", value=shown(value)))
    if "," not in text:
        return text
    if not _GROUPED.fullmatch(text):
        raise BadValue("bad-number", _("{value}: a comma may only separate groups of three digits, "
                       "as in 1,234,567.89", value=shown(value)))
    return text.replace(",", "")


def rank_roles(scheme: SchemeDefinition) -> dict[str, str]:
    """Fact → ``rank`` or ``tie count``, for the facts a rank table reads as the outside rank or tie count, and
    those a `movement` reads as places given.

    Only a bare fact name is known here; a rank that is a formula is checked where the table is scored.
    """
    from .evaluate.shapes import SHAPES  # the shapes read facts

    roles: dict[str, str] = {}

    def visit(node: Section | Block | Leaf) -> None:
        if isinstance(node, Section):
            for child in node.items:
                visit(child)
        elif isinstance(node, Block):
            for child in node.rules:
                visit(child)
        else:
            ranks = SHAPES[node.shape].ranks
            for role, expr in ranks(node.spec) if ranks is not None else ():
                name = (expr or "").strip()
                if name in scheme.facts:
                    roles[name] = role
    for group in scheme.groups:
        for node in [*group.sections, *group.derived, *([group.adjustments] if group.adjustments else [])]:
            visit(node)
    return roles


def check_role(role: str, number: Decimal, value: Any) -> None:
    """``BadValue`` when ``number`` (converted from ``value``) is not a rank, or a tie count, as ``role`` says.

    A rank of 1.9 must not be read as 1, nor 0 or -1 take a table's ``otherwise``; averaging the places of
    tied units costs as many steps as they are: ``MAX_TIED`` bounds it."""
    if number != number.to_integral_value() or number < 1:
        raise BadValue("bad-rank", _("a {role} is a whole number of at least 1, got {value}",
                                     role=_(role), value=shown(value)))
    if role == "tie count" and number > MAX_TIED:
        raise BadValue("out-of-range", _("a tie count is at most {most} (no outside ranking holds more "
                       "units), got {value}", most=MAX_TIED, value=shown(value)))


def _roles_hold(role: str, column: Sequence[Any]) -> bool:
    """Whether every value of a converted ``column`` (None: not given) fits the fact's ``role``."""
    try:
        for number in column:
            if number is not None:
                check_role(role, number, number)
    except BadValue:
        return False
    return True


def converted_event(fact: Fact, event: Any) -> dict[str, Any]:
    """A valid event of events ``fact``, converted."""
    return _event(fact, 0, event)


def _event(fact: Fact, index: int, event: Any) -> dict[str, Any]:
    fields = fact.fields or {}
    if not isinstance(event, Mapping):
        raise BadValue("wrong-type", _("event {n} is not a mapping: {value}", n=index + 1, value=shown(event)))
    result: dict[str, Any] = {}
    for name, value in event.items():
        if name not in fields:
            named = name if isinstance(name, str) else shown(name)
            raise BadValue("unknown-field", _("event {n} has no field {name}", n=index + 1, name=shown(name))
                           + suggestion(named, fields))
        try:
            result[name] = convert(fields[name], value)
        except BadValue as bad:
            raise BadValue(bad.code, _("event {n}, field {field!r}: {problem}",
                                       n=index + 1, field=name, problem=bad.message)) from None
    for name, declared in fields.items():
        if name not in result:
            if declared.default is not None:
                result[name] = convert(declared, declared.default)
            elif declared.required:
                why = _(" (the date that places it in the period)") if name == fact.dated_by else ""
                raise BadValue("missing-field", _("event {n} lacks field {field!r}", n=index + 1, field=name) + why)
            else:
                result[name] = None
    return result


def validate_columns(scheme: SchemeDefinition, used: list[frozenset[str]], table: Mapping[str, Any],
                     required_when: Mapping[str, Expression] | None = None) -> list[GroupFacts]:
    """``validate_population`` for facts given as a table: a ``unit`` column, ``group`` and
    ``sequence`` columns where the rosters do not say, and one column per fact.

    An empty cell (None) is a fact the unit does not give. The values and every ``FactError``
    are exactly those of the same facts given unit by unit.
    """
    n = _table_rows(table)
    try:
        return _table(scheme, used, table, n, required_when or {})
    except (_Doubt, BadValue, ArithmeticError):
        pass
    rows = {unit: {name: column[k] for name, column in table.items() if name != "unit" and column[k] is not None}
            for k, unit in enumerate(table["unit"])}
    return _grouped(validate_facts(scheme, used, rows, required_when), used)  # the fast pass already doubted


def _table_rows(table: Any) -> int:
    """The number of rows of a well-formed table; ``FactError`` when it is not one."""
    def bad(code: str, message: str, fact: str = "") -> FactError:
        return FactError([FactIssue(code, "", fact, message)])
    if not isinstance(table, Mapping) or "unit" not in table:
        raise bad("not-a-table", _("a table of facts is a mapping of column name to its values, with a `unit` column"))
    for name, column in table.items():
        if not isinstance(column, Sequence) or isinstance(column, str):
            raise bad("not-a-table", _("column {name!r} is not a sequence of values", name=name), str(name))
    n = len(table["unit"])
    for name, column in table.items():
        if len(column) != n:
            raise bad("not-a-table", _("column {name!r} has {count} values, the `unit` column {n}",
                                                  name=name, count=len(column), n=n), str(name))
    counts = Counter(map(str, table["unit"]))
    if len(counts) < n:
        raise FactError([FactIssue("duplicate-unit", unit, "", _("the table names this unit {count} times",
                                                                 count=count))
                         for unit, count in sorted(counts.items()) if count > 1])
    return n


def _table(scheme: SchemeDefinition, used: list[frozenset[str]], table: Mapping[str, Sequence[Any]], n: int,
           required_when: Mapping[str, Expression]) -> list[GroupFacts]:
    units = table["unit"]
    if not set(map(type, units)) <= {str} or not all(map(str.strip, units)):
        raise _Doubt
    def given(name: str) -> list[Any]:  # an empty cell says nothing
        column = table.get(name)
        return [_ABSENT] * n if column is None else [_ABSENT if v is None else v for v in column]
    gis, sequence_of = _Placer(scheme).all(list(units), given("group"), given("sequence"))
    members: list[list[int]] = [[] for _ in scheme.groups]
    for k, gi in enumerate(gis):
        members[gi].append(k)
    facts = [name for name in table if name not in ("unit", *PLACEMENT_KEYS)]
    if not set(facts) <= set(scheme.facts):
        raise _Doubt
    roles = rank_roles(scheme)
    found = []
    runner = Runner()
    for gi, rows in enumerate(members):
        if not rows:
            continue
        rows.sort(key=units.__getitem__)
        whole = len(rows) == n and all(map(eq, rows, range(n)))  # the table is this group, in name order
        for name in facts:  # a fact the group does not use must be left empty
            if name not in used[gi] and any(table[name][k] is not None for k in rows):
                raise _Doubt
        names = sorted(used[gi])
        columns: dict[str, Any] = {name: [] for name in names}
        events = {name: FlatEvents() for name in names if scheme.facts[name].type == "events"}
        exact = [name for name in names if name not in roles and _canonical_integers(scheme.facts[name], table.get(name))]
        for name in exact:  # given as integers that need no conversion: kept so, for the kernels that read them
            numbers = table[name]
            assert isinstance(numbers, Numbers)
            columns[name] = Numbers(numbers.fixed) if whole else numbers.take(rows)  # read as decimals
        rest = [name for name in names if name not in exact]
        for name in [name for name in rest if name in events and isinstance(table.get(name), EventLists)]:
            lists = table[name]
            assert isinstance(lists, EventLists)
            laid = _flat_events(scheme.facts[name], lists if whole else lists.take(rows), events[name])
            if laid is not None:  # laid flat as Arrow gave them: no dict per event
                columns[name] = laid
                rest.remove(name)
        for start in range(0, len(rows), _BLOCK):  # block by block, every fact: a block's values stay in cache
            block: Sequence[int] = range(start, min(start + _BLOCK, n)) if whole else rows[start:start + _BLOCK]
            for name in rest:
                fact = scheme.facts[name]
                cells = table.get(name)
                column = [None] * len(block) if cells is None else \
                    list(cells[start:start + _BLOCK]) if whole else list(map(cells.__getitem__, block))
                if any(map(is_, column, repeat(None))):
                    column = _filled(fact, [_ABSENT if v is None else v for v in column])
                columns[name] += _events(fact, column, events[name]) if name in events else \
                    _column(fact, column, roles.get(name))
        _required_when(required_when, columns, events, runner)
        found.append(GroupFacts(gi, [units[k] for k in rows], [sequence_of[k] for k in rows], columns, events))
    return found
