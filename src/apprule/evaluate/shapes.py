"""Rule shapes: how one leaf turns a unit's names into points (plus honours and flags)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable, Sequence

from ..decimals import ONE, ZERO, clamp, plain, whole_steps
from ..expressions import Runner, empty_names
from ..scheme.model import Award, Band, Bands, Leaf, Period, Table
from .graph import GraphNode


class Missing(Exception):
    """An input the rule reads is absent for this unit (an optional fact with no value)."""

    def __init__(self, names: Sequence[str]):
        super().__init__(", ".join(names))
        self.names = tuple(names)


@dataclass(slots=True)
class Outcome:
    """What one node yields for one unit, and how."""

    value: Decimal = ZERO
    max: Decimal | None = None
    inputs: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    honours: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    missing: bool = False
    applicable: bool = True
    carried: tuple[tuple[str, dict[str, Any]], ...] = ()

    def take(self, award: Award, why: str | None = None) -> None:
        self.value = award.points
        self.honours += tuple(award.honours)
        self.flags += tuple(award.flags)
        if why:
            self.notes.append(why)


def number(value: Any, what: str) -> Decimal:
    if isinstance(value, bool):
        return ONE if value else ZERO
    if isinstance(value, Decimal):
        return value
    raise ValueError(f"{what} is {value!r}, not a number")


def read(runner: Runner, node: GraphNode, role: str, env: dict[str, Any], out: Outcome) -> Any:
    """Evaluate expression ``role`` of ``node``; record it as an input; ``Missing`` if it reads an absent fact."""
    expr = node.exprs[role]
    try:
        value = runner.run(expr, env)
    except ValueError:
        absent = empty_names(expr, env)
        if absent:  # an empty optional fact met arithmetic or a comparison
            raise Missing(absent) from None
        raise
    if value is None:
        raise Missing(empty_names(expr, env) or [expr.text])
    out.inputs[expr.bare_name or expr.text] = value
    return value


def unit_shape(runner: Runner, node: GraphNode, env: dict[str, Any], period: Period) -> Outcome:
    """The raw value of a per-unit shape, before transfers, caps and rounding."""
    leaf = node.spec
    assert isinstance(leaf, Leaf)
    out = Outcome(max=leaf.max)
    shape = leaf.shape
    if shape == "score":
        raw = number(read(runner, node, "of", env, out), "the score")
        out.value = _clamped(raw, ZERO, leaf.max, out)
    elif shape == "rate":
        rate = number(read(runner, node, "of", env, out), "the rate")
        if rate > ONE:
            out.notes.append(f"rate {plain(rate)} counted as 1")
        out.value = clamp(rate, ZERO, ONE) * (leaf.max or ZERO)
    elif shape == "per":
        spec = leaf.per
        assert spec is not None
        x = number(read(runner, node, "of", env, out), "the count")
        steps = whole_steps(x / spec.size, spec.whole)
        out.value = steps * spec.points
        out.notes.append(f"{plain(steps)} × {plain(spec.points)}" + (
            f" (every {plain(spec.size)})" if spec.size != ONE else ""))
    elif shape == "steps":
        _steps(runner, node, env, out)
    elif shape == "bands":
        assert leaf.bands is not None
        x = number(read(runner, node, "of", env, out), "the banded value")
        _band(leaf.bands, x, out)
    elif shape == "table":
        assert leaf.table is not None
        _lookup(leaf.table, read(runner, node, "of", env, out), out)
    elif shape == "when":
        condition = leaf.when
        assert condition is not None
        if read(runner, node, "test", env, out):
            out.take(Award(points=condition.points, honours=condition.honours, flags=condition.flags),
                     "condition holds")
        else:
            out.notes.append("condition does not hold")
    elif shape == "formula":
        out.value = number(read(runner, node, "of", env, out), "the formula's result")
    elif shape == "for_each":
        _for_each(runner, node, env, period, out)
    else:  # cross-unit shapes are computed over the whole scope by the caller
        raise AssertionError(shape)
    return out


def _clamped(value: Decimal, low: Decimal | None, high: Decimal | None, out: Outcome) -> Decimal:
    result = clamp(value, low, high)
    if result != value:
        out.notes.append(f"{plain(value)} clamped to {plain(result)}")
    return result


def _steps(runner: Runner, node: GraphNode, env: dict[str, Any], out: Outcome) -> None:
    spec = node.leaf.steps
    assert spec is not None
    actual = number(read(runner, node, "of", env, out), "the actual value")
    target = number(read(runner, node, "target", env, out), "the target")
    if spec.measure == "ratio":
        if target == ZERO:
            raise ValueError("the target is 0, so no ratio can be formed")
        distance = actual / target - ONE
        shown = f"{plain(actual)} / {plain(target)} - 1 = {plain(distance)}"
    else:
        distance = actual - target
        shown = f"{plain(actual)} - {plain(target)} = {plain(distance)}"
    step = spec.over if distance >= ZERO else spec.under
    if step is None or distance == ZERO:
        out.notes.append(f"{shown}: no step applies")
        return
    count = whole_steps(abs(distance) / step.size, step.whole)
    out.value = count * step.points
    out.notes.append(f"{shown}: {plain(count)} step(s) of {plain(step.size)} × {plain(step.points)}")


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


def _band(bands: Bands, x: Decimal, out: Outcome) -> None:
    matched = [b for b in bands.bands if band_matches(b, x)]
    if not matched:
        out.take(bands.otherwise, f"{plain(x)} is in no band")
        return
    if bands.match == "all":
        out.value = sum((b.points for b in matched), ZERO)
        for b in matched:
            out.honours += tuple(b.honours)
            out.flags += tuple(b.flags)
        out.notes.append(f"{plain(x)} in bands " + "; ".join(describe_band(b) for b in matched))
        return
    out.take(matched[0].award, f"{plain(x)} in band {describe_band(matched[0])}")


def _lookup(table: Table, key: Any, out: Outcome) -> None:
    if isinstance(key, Decimal):  # YAML keys are whole numbers or text
        key = int(key) if key == key.to_integral_value() else plain(key)
    award = table.map.get(key)
    out.inputs["key"] = key
    if award is None:
        if table.otherwise is None:
            raise ValueError(f"{key!r} is not in the table and the table has no `otherwise`")
        out.take(table.otherwise, f"{key!r} not in the table: otherwise")
    else:
        out.take(award, f"{key!r} in the table")


def _for_each(runner: Runner, node: GraphNode, env: dict[str, Any], period: Period, out: Outcome) -> None:
    spec = node.leaf.for_each
    assert spec is not None
    events: list[dict[str, Any]] = env[spec.events]
    counted: list[tuple[int, Outcome]] = []
    for i, event in enumerate(events, 1):
        when = event.get(node.dated_by) if node.dated_by else None
        if isinstance(when, dt.date) and when > period.end:
            out.notes.append(f"event #{i} dated {when} is after the period: carried over to the next")
            out.carried += ((spec.events, event),)
            continue
        if isinstance(when, dt.date) and when < period.start:
            out.notes.append(f"event #{i} dated {when} is before the period: not counted")
            continue
        if "where" in node.event_exprs and not runner.run(node.event_exprs["where"], event):
            continue
        one = Outcome()
        value = spec.value
        if value.points is not None:
            one.value = value.points
        elif value.table is not None:
            _lookup(value.table, runner.run(node.event_exprs["of"], event), one)
        elif value.bands is not None:
            _band(value.bands, number(runner.run(node.event_exprs["of"], event), "the banded field"), one)
        else:
            one.value = number(runner.run(node.event_exprs["formula"], event), "the formula's result")
        counted.append((i, one))
    out.inputs[spec.events] = f"{len(events)} event(s), {len(counted)} counted"
    groups: dict[Any, list[tuple[int, Outcome]]] = {}
    for i, one in counted:
        groups.setdefault(events[i - 1].get(spec.key) if spec.key else None, []).append((i, one))
    levels = list(spec.value.table.map) if spec.value.table is not None else []
    chosen: list[tuple[int, Outcome]] = []
    out.value = ZERO
    for key, items in groups.items():
        picked = _combine(items, spec.combine, levels)
        subtotal = sum((one.value for _, one in picked), ZERO)
        bounded = clamp(subtotal, spec.key_min, spec.key_max)
        if bounded != subtotal:
            out.notes.append(f"{spec.key} {key!r}: {plain(subtotal)} limited to {plain(bounded)}")
        out.value += bounded
        chosen += picked
    for i, one in sorted(chosen, key=lambda item: item[0]):
        out.honours += one.honours
        out.flags += one.flags
        out.notes.append(f"event #{i}: {plain(one.value)}" + (f" ({'; '.join(one.notes)})" if one.notes else ""))
    if len(chosen) < len(counted):
        out.notes.append(f"{len(counted) - len(chosen)} event(s) not counted: `combine: {spec.combine}`"
                         + (f" per {spec.key}" if spec.key else ""))


def _combine(items: list[tuple[int, Outcome]], how: str, levels: list[Any]) -> list[tuple[int, Outcome]]:
    """Which events of one matter count; among equals the earliest event wins."""
    if how == "sum" or not items:
        return items
    pick: Callable[[tuple[int, Outcome]], Any]
    if how == "max":
        pick = lambda item: item[1].value  # noqa: E731
    elif how == "min":
        pick = lambda item: -item[1].value  # noqa: E731
    elif how == "max_abs":
        pick = lambda item: abs(item[1].value)  # noqa: E731
    else:  # highest_level: the table lists its levels highest first
        pick = lambda item: -_rank_in(levels, item[1].inputs.get("key"))  # noqa: E731
    return [max(items, key=pick)]


def _rank_in(levels: list[Any], key: Any) -> int:
    return levels.index(key) if key in levels else len(levels)
