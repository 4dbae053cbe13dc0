"""Render explanation trees: readable text for the unit that appeals, JSON for machines."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from .decimals import plain
from .results import Result, Trace


def render(result: Result, fmt: str = "text") -> str:
    """The explanation of ``result`` as ``text`` or ``json``."""
    if fmt == "json":
        return json.dumps(trace_data(result.trace), ensure_ascii=False, indent=2, sort_keys=True)
    if fmt != "text":
        raise ValueError(f"unknown format {fmt!r}: use 'text' or 'json'")
    lines = [f"{result.unit} ({result.group_label}" + (f" / {result.sequence}" if result.sequence else "") + ")"]
    for child in result.trace.children:
        _text(child, 1, lines)
    if result.honours:
        lines.append("荣誉 honours: " + ", ".join(result.honours))
    if result.flags:
        lines.append("标记 flags: " + ", ".join(result.flags))
    return "\n".join(lines)


def _value(value: Any) -> str:
    if isinstance(value, Decimal):
        return plain(value)
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
        lines.append(f"{pad}  · {note}")
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
        "inputs": {k: _json(v) for k, v in trace.inputs}, "notes": list(trace.notes),
        "honours": list(trace.honours), "flags": list(trace.flags),
        "children": [trace_data(c) for c in trace.children],
    }


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    return str(value)
