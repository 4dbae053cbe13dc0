"""Every shipped example, written into the XLSX template and read back, scores exactly as its YAML."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from apprule import load_scheme
from apprule.facts import placements, to_decimal
from apprule.io.layout import sheet_name
from apprule.scheme.yamlsource import read_yaml

from conftest import ROOT, run

EXAMPLES = sorted((ROOT / "src" / "apprule" / "examples").glob("*.facts.yaml"))


def _cell(fact: Any, value: Any) -> Any:
    if fact.type in ("number", "count", "rate") and isinstance(value, (str, int, Decimal)):
        return to_decimal(value, percent=fact.type == "rate")
    if fact.type == "date" and isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


def _key(header: str) -> str:
    """``label [id]`` → id; a header without a label is the id itself."""
    return header.rsplit("[", 1)[1].rstrip("]") if header.endswith("]") else header


def _to_xlsx(scheme_path: Path, facts_path: Path, out: Path) -> None:
    scheme = load_scheme(scheme_path)
    assert run("facts", scheme_path, "-o", out).exit_code == 0
    book = openpyxl.load_workbook(out)
    placed = placements(scheme.definition)
    facts = read_yaml(facts_path.read_text(encoding="utf-8"), str(facts_path)).data
    declared = scheme.definition.facts
    for unit, values in facts.items():
        group = values.get("group") or scheme.groups[placed[unit][0]].id
        ws = book[sheet_name(group)]
        keys = [_key(c.value) for c in ws[1]]
        row = next((r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == unit), None)
        if row is None:
            row = ws.max_row + 1
            ws.cell(row, 1, unit)
        for key, value in values.items():
            if key == "group" or value is None:
                continue
            fact = declared.get(key)
            if fact is not None and fact.type == "events":
                events = book[sheet_name(key)]
                heads = [_key(c.value) for c in events[1]]
                for event in value:
                    events.append([unit] + [None if event.get(h) is None else _cell(fact.fields[h], event[h])
                                            for h in heads[1:]])
                continue
            ws.cell(row, keys.index(key) + 1, value if key == "sequence" else _cell(fact, value))
    book.save(out)


@pytest.mark.parametrize("facts", EXAMPLES, ids=lambda p: p.name)
def test_example_through_xlsx(facts: Path, tmp_path: Path) -> None:
    scheme = ROOT / "src" / "apprule" / "schemes" / facts.name.replace(".facts.yaml", ".yaml")
    out = tmp_path / "facts.xlsx"
    _to_xlsx(scheme, facts, out)
    from_yaml = run("score", scheme, facts, "--format", "json")
    from_xlsx = run("score", scheme, out, "--format", "json")
    assert from_xlsx.exit_code == 0, from_xlsx.stderr[:3000]
    a, b = json.loads(from_yaml.stdout)["units"], json.loads(from_xlsx.stdout)["units"]
    assert set(a) == set(b)
    for unit in a:
        assert Decimal(a[unit]["total"]) == Decimal(b[unit]["total"]), unit
        assert (a[unit]["rank"], a[unit]["grade"], a[unit]["flags"]) == (b[unit]["rank"], b[unit]["grade"],
                                                                          b[unit]["flags"]), unit
