"""Render explanation trees: readable text for the unit that appeals, JSON for machines."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from .decimals import plain
from .results import Note, Result, Trace
from .evaluate.shapes import SHAPES
from .evaluate.shapes.bands import Band


def render(result: Result, fmt: str = "text") -> str:
    """The explanation of ``result`` as ``text`` or ``json``."""
    if fmt == "json":
        data = trace_data(result.trace)
        if result.readings:
            data["readings"] = dict(result.readings)
        return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
    if fmt != "text":
        raise ValueError(f"unknown format {fmt!r}: use 'text' or 'json'")
    lines = [f"{result.unit} ({result.group_label}" + (f" / {result.sequence}" if result.sequence else "") + ")"]
    for child in result.trace.children:
        _text(child, 1, lines)
    if result.honours:
        lines.append("荣誉 honours: " + ", ".join(result.honours))
    if result.flags:
        lines.append("标记 flags: " + ", ".join(result.flags))
    for o in result.outcomes:  # honours, flags and vetoes are said above
        if o.kind not in ("honour", "flag", "veto"):
            moved = f" ({o.before or '—'} → {o.grade})" if o.kind in ("grant", "demotion") else ""
            lines.append(f"结果运用 {o.kind}: {o.label}{moved}" + (f"〔{o.clause}〕" if o.clause else "")
                         + (f" — {o.matter}" if o.matter else ""))
    if result.readings:
        lines.append("解读 readings: " + ", ".join(f"{k}={v}" for k, v in result.readings.items()))
    return "\n".join(lines)


def _value(value: Any) -> str:
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, Note):
        return note_text(value)
    return "—" if value is None else str(value)


def _text(trace: Trace, depth: int, lines: list[str]) -> None:
    pad = "  " * depth
    head = f"{pad}{trace.label} [{trace.id}]: {_value(trace.value)}"
    if trace.max is not None and trace.kind not in ("veto",):
        head += f" / {plain(trace.max)}"
    if trace.clause:
        head += f"  〔{trace.clause}〕"
    lines.append(head)
    if trace.inputs:
        lines.append(f"{pad}  inputs: " + ", ".join(f"{k} = {_value(v)}" for k, v in trace.inputs))
    for note in trace.notes:
        lines.append(f"{pad}  · {note_text(note)}")
    if trace.honours:
        lines.append(f"{pad}  honours: " + ", ".join(trace.honours))
    if trace.flags:
        lines.append(f"{pad}  flags: " + ", ".join(trace.flags))
    for child in trace.children:
        _text(child, depth + 1, lines)


def trace_data(trace: Trace) -> dict[str, Any]:
    """A trace as plain JSON-ready data; decimals as strings so no digit is lost."""
    return {
        "id": trace.id, "label": trace.label, "kind": trace.kind, "value": _json(trace.value),
        "clause": trace.clause, "max": _json(trace.max),
        "inputs": {k: _json(v) for k, v in trace.inputs}, "notes": [note_data(n) for n in trace.notes],
        "honours": list(trace.honours), "flags": list(trace.flags),
        "children": [trace_data(c) for c in trace.children],
        **({"outcomes": [o.as_dict() for o in trace.outcomes]} if trace.outcomes else {}),
    }


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, Note):
        return note_text(value)
    if isinstance(value, Band):
        return describe_band(value)
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    return str(value)


def note_data(note: Note) -> dict[str, Any]:
    """A note as JSON-ready data: its kind, its values (decimals as strings) and its sentence."""
    values = {k: [note_data(x) if isinstance(x, Note) else _json(x) for x in v] if isinstance(v, tuple) else _json(v)
              for k, v in note.values.items()}
    return {"kind": note.kind, **values, "text": note_text(note)}


def note_text(note: Note) -> str:
    """The sentence an explanation shows for ``note``."""
    v = {k: _value(x) for k, x in note.values.items()}
    match note.kind:
        case "empty":
            return f"{', '.join(note['names'])} empty"
        case "clamped":
            return f"{v['value']} clamped to {v['to']}"
        case "rate_over_one":
            return f"rate {v['value']} counted as 1"
        case "per":
            every = f" (every {v['size']})" if note["size"] is not None else ""
            return f"{v['count']} × {v['points']}{every}"
        case "condition":
            return "condition holds" if note["holds"] else "condition does not hold"
        case "steps":
            shown = f"{v['actual']} / {v['target']} - 1 = {v['distance']}" if note["ratio"] else \
                f"{v['actual']} - {v['target']} = {v['distance']}"
            if note["count"] is None:
                return f"{shown}: no step applies"
            return f"{shown}: {v['count']} step(s) of {v['size']} × {v['points']}"
        case "band":
            bands = note["bands"]
            if not bands:
                return f"{v['value']} is in no band"
            return f"{v['value']} in band{'s' if len(bands) > 1 else ''} " + "; ".join(map(describe_band, bands))
        case "table":
            return f"{note['key']!r} in the table" if note["found"] else f"{note['key']!r} not in the table: otherwise"
        case "outside_period":
            where = "after the period: carried over to the next" if note["after"] else \
                "before the period: not counted"
            return f"event #{v['number']} dated {v['date']} is {where}"
        case "carried_in":
            return f"event #{v['number']} dated {v['date']}: carried in from {v['source']}, counted in this period"
        case "event":
            return f"event #{v['number']}: {v['value']}" + (f" ({v['why']})" if note["why"] is not None else "")
        case "events_not_counted":
            return f"{v['count']} event(s) not counted: `combine: {v['combine']}`" + \
                (f" per {v['key']}" if note["key"] else "")
        case "events_counted":
            return f"{v['given']} event(s), {v['counted']} counted"
        case "key_limited":
            return f"{v['field']} {note['key']!r}: {v['value']} limited to {v['to']}"
        case "rank_points":
            rank, tied, ties = note["rank"], note["tied"], note["ties"]
            how = {"split": f"{v['points']} ÷ {tied} = {v['value']}",
                   "average": f"average of places {rank}-{rank + tied - 1} = {v['value']}",
                   "worst": f"the worst tied place's points {v['value']}"}.get(ties, v["value"])
            return f"rank {rank}" + (f", tied with {tied - 1} other(s)" if tied > 1 else "") + f": {how}"
        case "held_first":
            return f"held first place: {v['value']}"
        case "movement":
            text = f"rank {v['before']} → {v['now']}: " + (
                f"{v['places']} place(s) up × {v['per_place']} = {v['gained']}" if note["places"] > 0 else "no gain")
            return text + (f", capped at {v['capped']}" if note["capped"] is not None else "")
        case "inapplicable":
            moves = f"; its weight {v['weight']} moves to {note['to']!r}" if note["to"] else ""
            return f"not applicable: the unit has no such item{moves}"
        case "transfer":
            how = f": {v['before']} × {v['new_max']} / {v['max']} = {v['value']}" if note["how"] == "rescale" \
                else " and credited in full"
            return f"weight {v['weight']} of {', '.join(note['donors'])} moved here{how}"
        case "capped":
            return f"{v['value']} {'capped at' if note['to'] < note['value'] else 'floored at'} {v['to']}"
        case "rounded":
            return f"{v['value']} rounded ({v['mode']}, {v['places']} places) to {v['to']}"
        case "filled":
            return f"filled with the average of {v['peers']} peer(s): {v['value']}"
        case "no_peer":
            return f"no peer has a value: {v['value']}"
        case "bonuses_capped":
            return f"bonuses {v['value']} capped at {v['to']}"
        case "deductions_limited":
            return f"deductions {v['value']} limited to {v['to']}"
        case "net_limited":
            return f"net {v['value']} limited to {v['to']}"
        case "total_sum":
            return f"sections {v['sections']} + adjustments {v['adjustments']}"
        case "total_formula":
            return f"formula {v['formula']}"
        case "veto":
            return f"condition {v['when']}"
        case "rank":
            return f"rank {v['rank']} of {v['of']} in {v['scope']}"
        case "unranked_veto":
            return "removed from the ranking: " + ", ".join(note["vetoes"])
        case "unranked_excluded":
            return "scored but not ranked (listed under ranking.exclude)"
        case "partial":
            return f"a partial run: ranked among the {v['given']} units given of the {v['roster']} on the roster"
        case "not_graded":
            return "not graded: the unit is not ranked"
        case "forced_unranked":
            return f"not ranked; {v['veto']}: grade forced to {v['grade']}"
        case "barred":
            return f"{v['veto']}: not eligible for {', '.join(note['grades'])}"
        case "grade_scope":
            quotas = "; quotas: " + "; ".join(map(note_text, note["quotas"])) if note["quotas"] else ""
            return f"scope of {v['units']} unit(s){quotas}; " + \
                (f"rank {v['rank']}" if note["rank"] is not None else "unranked")
        case "quota_count":
            what = f"{v['percent']}% of {v['n']} = {v['exact']}" if note["percent"] is not None else v["count"]
            return f"{v['grade']}: {what} → {v['places']} ({v['rounding']})"
        case "quota_cumulative":
            return f"{v['grade']}: cumulative {v['cumulative']} → {v['reach']}, so {v['places']} ({v['rounding']})"
        case "quota_largest_remainder":
            return f"{v['grade']}: {v['exact']} → {v['places']} (largest remainder)"
        case "granted":
            return f"{v['grant']}: granted {v['grade']}" + (", using a quota place" if note["place"] else "")
        case "condition_not_met":
            return f"{v['grade']}: condition {v['when']} not met"
        case "condition_met":
            return f"{v['grade']}: condition met"
        case "every_unit_left":
            return f"{v['grade']}: every unit left"
        case "place_forfeited":
            return f"{v['grade']}: barred; its place within the quota is forfeited"
        case "boundary_tie":
            return f"{v['grade']}: {v['tied']} units tied at rank {note['rank']} straddle the {v['places']}-place " \
                f"quota: all {v['policy']}d"
        case "quota_place":
            return f"{v['grade']}: place {v['place']} of {v['places']}"
        case "outside_quota":
            return f"{v['grade']}: outside the {v['places']}-place quota"
        case "promoted":
            return f"{v['grant']}: {v['before']} → {v['grade']} outside the quota"
        case "forced":
            return f"{v['veto']}: grade forced to {v['grade']}"
        case "demoted":
            return f"{v['veto']}: demoted {v['before']} → {v['grade']}, placed at its bottom"
        case "no_grade":
            return "no grade: barred from every grade it could take"
        case _:  # a shape from outside apprule, with words of its own (or none yet)
            for shape in SHAPES.values():
                if note.kind in shape.notes:
                    return shape.notes[note.kind](note)
            return note.kind + (" " + ", ".join(f"{k} = {x}" for k, x in v.items()) if v else "")


def describe_band(band: Band) -> str:
    """A band as its label, or its bounds (≥ 10 and < 20)."""
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
