"""Last period's carried-over items, taken into this one (``--carried-in LAST.json``).

A period's results (``apprule score --format json``) list per unit what it carries over to the next period:
events dated after the period and values the office deferred (转入下年度), each naming its period in
``carried_from``. Given to the next period's run, each carried-over event joins its unit's list, where it counts
though dated before the period (and the explanation says where it came from).

A deferred value is given back where the scheme says how (北票 一(三)8 「如当年汇总时未能计入,转入下年度」): a fact
that declares ``given_back: X`` holds, this period, the value of X the last period deferred. Once the value is
known the office writes it either as that fact in this period's facts, or as the item's ``value`` in last
period's results, which fills the fact; both is ``carried-twice``. Where no fact gives X back, the deferred value is
reported and never added to this period's facts unsaid.

Every problem names the file, the unit and the item's number in the unit's ``carried_over`` list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from ..deferred import DEFERRED
from ..engine import Scheme
from ..errors import did_you_mean
from ..facts import BadValue, convert
from ..i18n import _
from ..scheme.model import CARRIED_FROM
from .problems import FactsFileError, FileIssue

#: the key of a deferred item where the office writes the value once it is known (a place published late)
VALUE = "value"


@dataclass(frozen=True)
class Deferred:
    """A value deferred to this period by the last (转入下年度): its unit, fact, marker and period; the fact that
    gives it back here (``given_back``), if the scheme has one, and the value given back, and where: ``carried``
    (the item's ``value``), ``facts`` (this period's facts) or None (not yet known)."""

    unit: str
    fact: str
    marker: str
    source: str
    late: str | None = None
    value: Any = None
    given_in: str | None = None


@dataclass
class CarriedIn:
    """What a carried-in file brings: unit → events fact → events, unit → late fact → value given back, and the
    deferred values."""

    events: dict[str, dict[str, list[dict[str, Any]]]]
    deferred: list[Deferred]
    given_back: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(len(e) for facts in self.events.values() for e in facts.values())


def read_carried_in(path: str | Path, scheme: Scheme, units: Mapping[str, Any] | None = None) -> CarriedIn:
    """The carried-over items of the results file ``path``, checked against ``scheme`` (and, given this period's
    ``units`` with their facts, against them); ``FactsFileError`` naming every problem."""
    from .read import _json, refuse_too_large  # the facts reader's JSON: decimals kept, depth bounded, located

    display = str(path)
    refuse_not_json(Path(path), display)
    refuse_too_large(Path(path), display)
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FactsFileError([FileIssue("bad-encoding", _("a JSON file is UTF-8 ({reason})", reason=exc.reason),
                                        display)]) from None
    except OSError as exc:
        raise FactsFileError([FileIssue("bad-carried-in", _("cannot read the file ({reason})",
                                                            reason=exc.strerror or exc), display)]) from None
    try:
        data, _where = _json(text, display)
    except FactsFileError as exc:
        if [i.code for i in exc.issues] != ["not-a-mapping"]:  # syntax, depth: located by the JSON reader
            raise
        data = None  # a top-level array, number or text: the facts reader's words would speak of facts
    results = data.get("units") if isinstance(data, dict) else None
    if not isinstance(results, dict):
        why = _("not a JSON object") if not isinstance(data, dict) else _("no `units`") if results is None else \
            _("`units` is not an object of unit → result")
        raise FactsFileError([FileIssue("bad-carried-in", _(
            "not the results of `apprule score --format json` ({why}): carried-in items are last period's results "
            "as written", why=why), display)])
    return _Taker(scheme, units, display).take(results)


def refuse_not_json(path: Path, display: str) -> None:
    """``carried-in-not-json`` for a file not ending in ``.json``: only last period's JSON results list what a unit
    carries over with its period (a CSV or XLSX of results shows it to people, and is not read back)."""
    if path.suffix.lower() == ".json":
        return
    what = _("a .{suffix} file", suffix=path.suffix.lower().lstrip(".")) if path.suffix else \
        _("a file without an ending")
    raise FactsFileError([FileIssue("carried-in-not-json", _(
        "--carried-in reads last period's results as JSON, and this is {what}; give the file last period's "
        "`apprule score --format json` wrote", what=what), display)])


class _Taker:
    def __init__(self, scheme: Scheme, units: Mapping[str, Any] | None, display: str):
        self.scheme, self.units, self.display = scheme, units, display
        self.facts = scheme.definition.facts
        self.issues: list[FileIssue] = []
        self.found = CarriedIn({}, [])

    def problem(self, unit: str, n: int | None, code: str, message: str) -> None:
        where = f"{self.display}: unit {unit!r}" + (f", carried_over item {n}" if n is not None else "")
        self.issues.append(FileIssue(code, message, where, order=(0, len(self.issues), 0)))

    def take(self, results: dict[str, Any]) -> CarriedIn:
        for unit, result in results.items():
            items = result.get("carried_over") if isinstance(result, dict) else None
            if not isinstance(items, list):
                self.problem(unit, None, "bad-carried-in", _("no `carried_over` list: not a unit of a results file")
                             if items is None else _("`carried_over` is not a list of items"))
                continue
            if not items:
                continue
            if self.units is not None and unit not in self.units:
                self.problem(unit, None, "unknown-unit", _(
                    "{n} item(s) carried in for a unit that is not in this period's facts", n=len(items))
                    + _hint(unit, self.units))
                continue
            for n, item in enumerate(items, 1):
                self.item(unit, n, item)
        if self.issues:
            raise FactsFileError(self.issues)
        return self.found

    def item(self, unit: str, n: int, item: Any) -> None:
        if not isinstance(item, dict):
            self.problem(unit, n, "bad-carried-in", _("an item is an object with a `fact` and an `event`, as "
                                                      "`carried_over` lists it"))
            return
        name, event = item.get("fact"), item.get("event")
        if not isinstance(name, str) or not name:
            self.problem(unit, n, "bad-carried-in", _("the item names no fact (`fact`)"))
            return
        if not isinstance(event, dict):
            self.problem(unit, n, "bad-carried-in", _("the item holds no `event` object for {fact!r}", fact=name))
            return
        fact = self.facts.get(name)
        if fact is None:
            self.problem(unit, n, "unknown-fact", _("this scheme declares no fact {fact!r}", fact=name)
                         + _hint(name, self.facts))
            return
        group = self._group(unit)
        if group is not None and name not in self.scheme.facts_used(group):
            self.problem(unit, n, "fact-not-used", _("group {group!r} does not use {fact!r}", group=group, fact=name))
            return
        source = event.get(CARRIED_FROM)
        if not isinstance(source, str) or not source.strip():
            self.problem(unit, n, "bad-carried-in", _("the item names no period it comes from (`{key}`)",
                                                      key=CARRIED_FROM))
            return
        if DEFERRED in event:
            if fact.deferred is None:
                self.problem(unit, n, "bad-carried-in", _(
                    "{fact!r} was deferred ({marker}), but this scheme does not let it be deferred (no `deferred:`): "
                    "not an item of this scheme's period before", fact=name, marker=event[DEFERRED]))
                return
            self.deferred(unit, n, name, event, source)
            return
        if fact.type != "events" or fact.dated_by is None:
            self.problem(unit, n, "bad-carried-in", _(
                "{fact!r} is no list of dated events: an event is carried into a fact whose `dated_by` places it in "
                "a period", fact=name))
            return
        try:
            [taken] = convert(fact, [event])
        except BadValue as bad:
            self.problem(unit, n, bad.code, _("fact {fact!r}: {problem}", fact=name, problem=bad.message))
            return
        facts = self.units.get(unit) if self.units is not None else None
        given = facts.get(name) if isinstance(facts, dict) else None
        if isinstance(given, list) and any(_same(fact, other, taken) for other in given):
            self.problem(unit, n, "carried-twice", _(
                "the {fact!r} event is in this period's facts already; give it in one place, or it would count "
                "twice", fact=name))
            return
        self.found.events.setdefault(unit, {}).setdefault(name, []).append(event)

    def deferred(self, unit: str, n: int, name: str, event: dict[str, Any], source: str) -> None:
        """A value last period deferred: given back through the fact that declares ``given_back: name`` (from the
        item's ``value`` or this period's facts), else only reported."""
        marker, value = str(event[DEFERRED]), event.get(VALUE)
        group = self._group(unit)
        late = next((fid for fid, f in self.facts.items() if f.given_back == name
                     and (group is None or fid in self.scheme.facts_used(group))), None)
        if late is None:
            if value is not None:
                self.problem(unit, n, "bad-carried-in", _(
                    "the item gives {fact!r} a value, but this scheme takes no deferred {fact!r} back (no fact "
                    "declares `given_back: {fact}`)", fact=name))
                return
            self.found.deferred.append(Deferred(unit, name, marker, source))
            return
        facts = self.units.get(unit) if self.units is not None else None
        given = facts.get(late) if isinstance(facts, dict) else None
        if value is not None and given is not None:
            self.problem(unit, n, "carried-twice", _(
                "{fact!r} is given back twice: as the item's `value` ({value}) and as {late!r} ({given}) in this "
                "period's facts; give it in one place", fact=name, value=value, late=late, given=given))
            return
        if value is not None:
            try:
                convert(self.facts[late], value)
            except BadValue as bad:
                self.problem(unit, n, bad.code, _("the `value` given back as {late!r}: {problem}", late=late,
                                                  problem=bad.message))
                return
            self.found.given_back.setdefault(unit, {})[late] = value
        self.found.deferred.append(Deferred(unit, name, marker, source, late, value if value is not None else given,
                                            "carried" if value is not None else "facts" if given is not None
                                            else None))

    def _group(self, unit: str) -> str | None:
        """The unit's group: from the roster, or as this period's facts name it."""
        for group in self.scheme.groups:
            if unit in (group.units or ()) or any(unit in (s.units or ()) for s in group.sequences):
                return group.id
        given = self.units.get(unit) if self.units is not None else None
        named = given.get("group") if isinstance(given, dict) else None
        return named if isinstance(named, str) and named in {g.id for g in self.scheme.groups} else None


def _same(fact: Any, given: Any, taken: dict[str, Any]) -> bool:
    """Whether an event of this period's facts is the carried-in one: the same fields, whether or not the copy
    pasted in says where it came from."""
    try:
        [mine] = convert(fact, [given])
    except (BadValue, ValueError):
        return False  # the facts' own problem: validation names it
    return bool(_without_source(mine) == _without_source(taken))


def _without_source(event: Any) -> Any:
    return {k: v for k, v in event.items() if k != CARRIED_FROM} if isinstance(event, dict) else event


def _hint(name: str, choices: Any) -> str:
    hint = did_you_mean(name, choices)
    return f" ({hint})" if hint else ""


def with_carried_in(facts: dict[str, Any], carried: CarriedIn) -> dict[str, Any]:
    """This period's facts with the carried-in events added to their units' lists and the deferred values given
    back filling their late facts (the facts are not changed)."""
    if not carried.events and not carried.given_back:
        return facts
    joined = dict(facts)
    for unit in {*carried.events, *carried.given_back}:
        if not isinstance(joined.get(unit), dict):
            continue  # not a unit's facts: validation names it
        given = joined[unit] = dict(joined[unit])
        for name, events in carried.events.get(unit, {}).items():
            given[name] = [*(given.get(name) or []), *events]
        given.update(carried.given_back.get(unit, {}))
    return joined


def carried_notes(carried: CarriedIn) -> list[str]:
    """What a run says of each deferred value carried in: given back and scored (from where), still owed, or not
    taken back by this scheme."""
    notes = []
    for d in carried.deferred:
        if d.late is None:  # last period's value: this period's facts give their own
            notes.append(_("{unit}: {fact} was deferred to this period ({marker}) by {source}; it is not scored here: "
                           "count it where the document says, this period's facts give this period's value",
                           unit=d.unit, fact=d.fact, marker=d.marker, source=d.source))
        elif d.given_in is None:
            notes.append(_("{unit}: {fact} was deferred to this period ({marker}) by {source}; it is not known yet: "
                           "give it as {late} in this period's facts (or as the item's `value`) to score it",
                           unit=d.unit, fact=d.fact, marker=d.marker, source=d.source, late=d.late))
        else:
            where = _("from the carried-in item") if d.given_in == "carried" else _("from this period's facts")
            notes.append(_("{unit}: {fact} deferred by {source} ({marker}) is given back as {late} = {value} "
                           "({where}) and scored here", unit=d.unit, fact=d.fact, source=d.source, marker=d.marker,
                           late=d.late, value=d.value, where=where))
    return notes
