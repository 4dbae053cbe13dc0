"""Last period's carried-over items, taken into this one (``--carried-in LAST.json``).

A period's results (``apprule score --format json``) list per unit what it carries over to the next period:
events dated after the period and values the office deferred (转入下年度), each naming its period in
``carried_from``. Given to the next period's run, each carried-over event joins its unit's list, where it counts
though dated before the period (and the explanation says where it came from). A deferred value is reported: it
was last period's, and this period's facts give this period's value, so it is never added to them unsaid.

Every problem names the file, the unit and the item's number in the unit's ``carried_over`` list.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from ..deferred import DEFERRED
from ..engine import Scheme
from ..errors import joined, suggestion
from ..facts import BadValue, convert
from ..scheme.model import CARRIED_FROM
from .problems import FactsFileError, FileIssue
from ..i18n import _


@dataclass(frozen=True)
class Deferred:
    """A value deferred to this period by the last (转入下年度): its unit, fact, marker and period."""

    unit: str
    fact: str
    marker: str
    source: str


@dataclass
class CarriedIn:
    """What a carried-in file brings: unit → events fact → events, and the deferred values to report."""

    events: dict[str, dict[str, list[dict[str, Any]]]]
    deferred: list[Deferred]

    @property
    def count(self) -> int:
        return sum(len(e) for facts in self.events.values() for e in facts.values())


def read_carried_in(path: str | Path, scheme: Scheme, units: Mapping[str, Any] | None = None) -> CarriedIn:
    """The carried-over items of the results file ``path``, checked against ``scheme`` (and, given this period's
    ``units`` with their facts, against them); ``FactsFileError`` naming every problem."""
    with scheme.speaking():  # its problems in the scheme's language, as the facts file's
        return _read_carried_in(path, scheme, units)


def _read_carried_in(path: str | Path, scheme: Scheme, units: Mapping[str, Any] | None) -> CarriedIn:
    from .read import _json  # the facts reader's JSON: decimals kept, depth bounded, located syntax errors

    display = str(path)
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FactsFileError([FileIssue("bad-encoding", _("a JSON file is UTF-8 ({reason})",
                                                          reason=exc.reason), display)]) from None
    except OSError as exc:
        raise FactsFileError([FileIssue("bad-carried-in", _("cannot read the file ({value})",
                                                            value=exc.strerror or exc),
                                        display)]) from None
    data = _json(text, display)[0]
    results = data.get("units")
    if not isinstance(results, dict):
        raise FactsFileError([FileIssue("bad-carried-in", _("not the results of `apprule score --format json` (no "
                                                            "`units`): carried-in items are last "
                                                            "period's results as written"),
                                        display)])
    return _Taker(scheme, units, display).take(results)


class _Taker:
    def __init__(self, scheme: Scheme, units: Mapping[str, Any] | None, display: str):
        self.scheme, self.units, self.display = scheme, units, display
        self.facts = scheme.definition.facts
        self.issues: list[FileIssue] = []
        self.found = CarriedIn({}, [])

    def problem(self, unit: str, n: int | None, code: str, message: str) -> None:
        where = _("unit {unit!r}", unit=unit)
        if n is not None:
            where = joined(where, _("carried_over item {n}", n=n))
        where = f"{self.display}: {where}"
        self.issues.append(FileIssue(code, message, where, order=(0, len(self.issues), 0)))

    def take(self, results: dict[str, Any]) -> CarriedIn:
        for unit, result in results.items():
            items = result.get("carried_over") if isinstance(result, dict) else None
            if not isinstance(items, list):
                self.problem(unit, None, "bad-carried-in", _("no `carried_over` list: not a unit of a results file"))
                continue
            if not items:
                continue
            if self.units is not None and unit not in self.units:
                self.problem(unit, None, "unknown-unit", _("{count} item(s) carried in for a unit that is not in this "
                                                           "period's facts",
                                                           count=len(items)) + suggestion(unit, self.units))
                continue
            for n, item in enumerate(items, 1):
                self.item(unit, n, item)
        if self.issues:
            raise FactsFileError(self.issues)
        return self.found

    def item(self, unit: str, n: int, item: Any) -> None:
        if not isinstance(item, dict) or not isinstance(item.get("fact"), str) or \
                not isinstance(item.get("event"), dict):
            self.problem(unit, n, "bad-carried-in", _("an item is {fact, event}, as `carried_over` lists it"))
            return
        name, event = item["fact"], item["event"]
        fact = self.facts.get(name)
        if fact is None:
            self.problem(unit, n, "unknown-fact", _("this scheme declares no fact {name!r}",
                                                    name=name) + suggestion(name, self.facts))
            return
        group = self._group(unit)
        if group is not None and name not in self.scheme.facts_used(group):
            self.problem(unit, n, "fact-not-used", _("group {group!r} does not use {name!r}", group=group, name=name))
            return
        source = event.get(CARRIED_FROM)
        if not isinstance(source, str) or not source.strip():
            self.problem(unit, n, "bad-carried-in", _("the item names no period it comes from (`{key}`)",
                                                      key=CARRIED_FROM))
            return
        if DEFERRED in event:
            self.found.deferred.append(Deferred(unit, name, str(event[DEFERRED]), source))
            return
        if fact.type != "events" or fact.dated_by is None:
            self.problem(unit, n, "bad-carried-in", _("{name!r} is no list of dated events: an event is carried into a "
                                                      "fact whose `dated_by` places it in a period", name=name))
            return
        try:
            [taken] = convert(fact, [event])
        except BadValue as bad:
            self.problem(unit, n, bad.code, f"fact {name!r}: {bad.message}")
            return
        facts = self.units.get(unit) if self.units is not None else None
        given = facts.get(name) if isinstance(facts, dict) else None
        if isinstance(given, list) and any(_same(fact, other, taken) for other in given):
            self.problem(unit, n, "carried-twice", _("the {name!r} event is in this period's facts already; give it in "
                                                     "one place, or it would count twice", name=name))
            return
        self.found.events.setdefault(unit, {}).setdefault(name, []).append(event)

    def _group(self, unit: str) -> str | None:
        """The unit's group: from the roster, or as this period's facts name it."""
        for group in self.scheme.groups:
            if unit in (group.units or ()) or any(unit in (s.units or ()) for s in group.sequences):
                return group.id
        given = self.units.get(unit) if self.units is not None else None
        named = given.get("group") if isinstance(given, dict) else None
        return named if isinstance(named, str) and named in {g.id for g in self.scheme.groups} else None


def _same(fact: Any, given: Any, taken: dict[str, Any]) -> bool:
    try:
        return bool(convert(fact, [given]) == [taken])
    except BadValue:
        return False  # the facts' own problem: validation names it


def with_carried_in(facts: dict[str, Any], carried: CarriedIn) -> dict[str, Any]:
    """This period's facts with the carried-in events added to their units' lists (the facts are not changed)."""
    if not carried.events:
        return facts
    joined = dict(facts)
    for unit, lists in carried.events.items():
        if not isinstance(joined[unit], dict):
            continue  # not a unit's facts: validation names it
        given = joined[unit] = dict(joined[unit])
        for name, events in lists.items():
            given[name] = [*(given.get(name) or []), *events]
    return joined
