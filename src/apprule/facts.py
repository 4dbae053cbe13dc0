"""Validate and convert units' facts before anything is computed."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Mapping

from .errors import FactError, FactIssue, did_you_mean
from .expressions import Expression, Runner
from .scheme.model import Fact, SchemeDefinition

#: Keys a unit may give besides facts, when the scheme's rosters do not say.
PLACEMENT_KEYS = ("group", "sequence")
#: Names with a meaning of their own in expressions; no fact may take them.
RESERVED_NAMES = PLACEMENT_KEYS + ("total", "rank", "rank_from_bottom", "scope_size", "sections", "adjustments")
_MAX_FLOAT_DIGITS = 15  # a float carries 15 significant digits faithfully, no more
_TRUE = {"true": True, "yes": True, "是": True, "false": False, "no": False, "否": False}


@dataclass(frozen=True)
class UnitFacts:
    """One unit's facts, converted, with its place in the scheme."""

    unit: str
    group: int
    sequence: str | None
    values: dict[str, Any]


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
        raise FactError([FactIssue("not-a-mapping", "", "", "facts are a mapping of unit name to its facts")])
    placed = placements(scheme)
    group_ids = {g.id: i for i, g in enumerate(scheme.groups)}
    issues: list[FactIssue] = []
    units: list[UnitFacts] = []
    for unit, given in facts.items():
        if not isinstance(unit, str) or not unit.strip():
            issues.append(FactIssue("bad-unit", str(unit), "", "a unit is named by a non-empty string"))
            continue
        if not isinstance(given, Mapping):
            issues.append(FactIssue("not-a-mapping", unit, "", f"facts of a unit are a mapping, got {given!r}"))
            continue
        place = _place(scheme, unit, given, placed, group_ids, issues)
        if place is None:
            continue
        gi, seq = place
        values: dict[str, Any] = {}
        for name, value in given.items():
            if name in PLACEMENT_KEYS:
                continue
            fact = scheme.facts.get(name) if isinstance(name, str) else None
            if fact is None:
                issues.append(FactIssue("unknown-fact", unit, str(name), "the scheme declares no such fact"
                                        + _hint(str(name), scheme.facts)))
            elif name not in used[gi]:
                issues.append(FactIssue("fact-not-used", unit, name,
                                        f"group {scheme.groups[gi].id!r} does not use this fact"))
            else:
                try:
                    values[name] = convert(fact, value)
                except BadValue as bad:
                    issues.append(FactIssue(bad.code, unit, name, bad.message))
        for name in sorted(used[gi]):
            if name in values or name in given:
                continue
            fact = scheme.facts[name]
            if fact.default is not None:
                values[name] = convert(fact, fact.default)
            elif fact.required:
                issues.append(FactIssue("missing-fact", unit, name, "required fact is missing"))
            else:
                values[name] = [] if fact.type == "events" else None
        for key, condition in (required_when or {}).items():
            name, _, field = key.partition(".")
            if name not in used[gi]:
                continue
            if not field and values.get(name) in (None, []) and holds(condition, values):
                issues.append(FactIssue("missing-fact", unit, name, f"required when {condition.text}"))
            for n, event in enumerate(values.get(name) or [] if field else [], 1):
                if event.get(field) is None and holds(condition, event):
                    issues.append(FactIssue("missing-field", unit, name,
                                            f"event {n} lacks field {field!r}, required when {condition.text}"))
        units.append(UnitFacts(unit, gi, seq, values))
    if issues:
        raise FactError(issues)
    return units


def holds(condition: Expression, values: Mapping[str, Any]) -> bool:
    """Whether ``condition`` holds over a unit's facts (false when it reads a fact the unit left empty)."""
    try:
        return bool(Runner().run(condition, values))
    except (ValueError, KeyError):
        return False


def _place(scheme: SchemeDefinition, unit: str, given: Mapping[str, Any],
           placed: dict[str, tuple[int, str | None]], group_ids: dict[str, int],
           issues: list[FactIssue]) -> tuple[int, str | None] | None:
    if unit in placed:
        gi, seq = placed[unit]
        if "group" in given and given["group"] != scheme.groups[gi].id:
            issues.append(FactIssue("wrong-group", unit, "group", f"the roster puts this unit in group "
                                    f"{scheme.groups[gi].id!r}, the facts say {given['group']!r}"))
            return None
    else:
        group = given.get("group")
        if group is not None and not isinstance(group, str):
            issues.append(FactIssue("wrong-type", unit, "group", f"a group is named by its id, got {group!r}"))
            return None
        if group is None:
            issues.append(FactIssue("unknown-unit", unit, "", "the unit is in no group's roster and its facts "
                                    "name no `group`" + _hint(unit, placed)))
            return None
        if group not in group_ids:
            issues.append(FactIssue("unknown-group", unit, "group", f"no group {group!r}" + _hint(str(group),
                                                                                             group_ids)))
            return None
        gi, seq = group_ids[group], None
        if scheme.groups[gi].units is not None:
            issues.append(FactIssue("unknown-unit", unit, "", f"the unit is not in the roster of group {group!r}"
                                    + _hint(unit, scheme.groups[gi].units or ())))
            return None
    sequences = {s.id for s in scheme.groups[gi].sequences}
    if seq is not None and "sequence" in given and given["sequence"] != seq:
        issues.append(FactIssue("wrong-sequence", unit, "sequence", f"the roster puts this unit in sequence "
                                f"{seq!r}, the facts say {given['sequence']!r}"))
        return None
    if seq is None and sequences:
        seq = given.get("sequence")
        if not isinstance(seq, str) or seq not in sequences:
            issues.append(FactIssue("unknown-sequence", unit, "sequence",
                                    f"the unit needs a `sequence`, one of {sorted(sequences)}, got {seq!r}"))
            return None
    return gi, seq


def _hint(name: str, choices: Any) -> str:
    hint = did_you_mean(name, choices)
    return f" ({hint})" if hint else ""


def convert(fact: Fact, value: Any) -> Any:
    """One value in, converted to its declared type; ``BadValue`` if it does not fit."""
    kind = fact.type
    if kind == "events":
        if value is None and not fact.required:
            return []
        if not isinstance(value, (list, tuple)):
            raise BadValue("wrong-type", f"expected a list of events, got {value!r}")
        return [_event(fact, i, event) for i, event in enumerate(value)]
    if value is None and not fact.required:
        return None
    if kind in ("number", "count", "rate"):
        number = to_decimal(value, percent=kind == "rate")
        if kind == "count" and (number != number.to_integral_value() or number < 0):
            raise BadValue("bad-count", f"a count is a whole number of at least 0, got {value!r}")
        if kind == "rate" and number < 0:
            raise BadValue("out-of-range", f"a rate is at least 0, got {value!r}")
        if fact.min is not None and number < fact.min:
            raise BadValue("out-of-range", f"{value!r} is below the minimum {fact.min}")
        if fact.max is not None and number > fact.max:
            raise BadValue("out-of-range", f"{value!r} is above the maximum {fact.max}")
        return number
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE:
            return _TRUE[value.strip().lower()]
        raise BadValue("wrong-type", f"expected true or false, got {value!r}")
    if kind == "enum":
        values = fact.values or []
        if isinstance(value, str) and value in values:
            return value
        if isinstance(values, dict) and isinstance(value, str):
            for key, label in values.items():
                if label == value:
                    return key
        raise BadValue("unknown-value", f"{value!r} is not one of {list(values)}" + _hint(str(value), values))
    if kind == "text":
        if isinstance(value, str):
            return value
        raise BadValue("wrong-type", f"expected text, got {value!r}")
    if kind == "date":
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise BadValue("wrong-type", f"expected a date like 2021-06-30, got {value!r}") from None
    raise AssertionError(kind)


def check_default(fact: Fact) -> str | None:
    """What is wrong with a fact's declared default, if anything."""
    if fact.default is None:
        return None
    try:
        convert(fact, fact.default)
    except BadValue as bad:
        return bad.message
    return None


def to_decimal(value: Any, percent: bool = False) -> Decimal:
    """A number from its text: never ``Decimal(float)``; floats only where no digit is lost."""
    if isinstance(value, bool):
        raise BadValue("wrong-type", f"expected a number, got {value!r}")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise BadValue("not-finite", f"{value!r} is not a finite number")
        text = repr(value)
        digits = len(Decimal(text).as_tuple().digits)
        if digits > _MAX_FLOAT_DIGITS:
            raise BadValue("inexact-float", f"the float {text} carries more digits than a float holds exactly; "
                       "pass it as a string or a Decimal")
        number = Decimal(text)
    elif isinstance(value, str):
        text = value.strip().replace(",", "")
        scale = Decimal(1)
        if percent and text.endswith("%"):
            text, scale = text[:-1].strip(), Decimal("0.01")
        try:
            number = Decimal(text) * scale
        except InvalidOperation:
            raise BadValue("wrong-type", f"expected a number, got {value!r}") from None
    else:
        raise BadValue("wrong-type", f"expected a number, got {value!r}")
    if not number.is_finite():
        raise BadValue("not-finite", f"{value!r} is not a finite number")
    return number


def _event(fact: Fact, index: int, event: Any) -> dict[str, Any]:
    fields = fact.fields or {}
    if not isinstance(event, Mapping):
        raise BadValue("wrong-type", f"event {index + 1} is not a mapping: {event!r}")
    result: dict[str, Any] = {}
    for name, value in event.items():
        if name not in fields:
            raise BadValue("unknown-field", f"event {index + 1} has no field {name!r}" + _hint(str(name), fields))
        try:
            result[name] = convert(fields[name], value)
        except BadValue as bad:
            raise BadValue(bad.code, f"event {index + 1}, field {name!r}: {bad.message}") from None
    for name, field in fields.items():
        if name not in result:
            if field.default is not None:
                result[name] = convert(field, field.default)
            elif field.required:
                raise BadValue("missing-field", f"event {index + 1} lacks field {name!r}")
            else:
                result[name] = None
    return result
