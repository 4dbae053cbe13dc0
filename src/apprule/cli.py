"""The `apprule` command: the only place that prints and picks exit codes.

Exit codes: 0 success, 1 facts or evaluation problems (or failing cases), 2 scheme or usage errors.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Any, NoReturn

import click

from . import cases as case_files
from .decimals import plain
from .engine import Scheme, load_scheme
from .errors import AppruleError, SchemeError
from .explain import trace_data
from .results import Evaluation
from .scheme.yamlsource import read_yaml


def _fail(exc: AppruleError, code: int) -> NoReturn:
    click.echo(str(exc), err=True)
    sys.exit(code)


def _scheme(path: str) -> Scheme:
    try:
        return load_scheme(Path(path))
    except SchemeError as exc:
        _fail(exc, 2)


def read_facts(path: str) -> Any:
    """Unit facts from YAML or JSON; numbers keep every digit (JSON numbers are read as decimals)."""
    file = Path(path)
    text = file.read_text(encoding="utf-8-sig")
    if file.suffix.lower() == ".json":
        return json.loads(text, parse_float=Decimal, parse_int=Decimal)
    return read_yaml(text, str(file)).data


def _evaluate(scheme: Scheme, facts_path: str) -> Evaluation:
    try:
        return scheme.evaluate(read_facts(facts_path))
    except SchemeError as exc:
        _fail(exc, 1)
    except AppruleError as exc:
        _fail(exc, 1)


@click.group()
@click.version_option(package_name="apprule")
def main() -> None:
    """Score organisational units under assessment schemes written in YAML."""


@main.command()
@click.argument("schemes", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
def check(schemes: tuple[str, ...]) -> None:
    """Load and check schemes; print every error with its location."""
    failed = False
    for path in schemes:
        try:
            scheme = load_scheme(Path(path))
            click.echo(f"{path}: ok ({scheme.title}, {len(scheme.groups)} group(s))")
        except SchemeError as exc:
            click.echo(str(exc), err=True)
            failed = True
    sys.exit(2 if failed else 0)


@main.command()
@click.argument("scheme", type=click.Path(exists=True, dir_okay=False))
@click.argument("facts", type=click.Path(exists=True, dir_okay=False))
@click.option("--group", "group_id", help="Only this group (its id).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def score(scheme: str, facts: str, group_id: str | None, fmt: str) -> None:
    """Score every unit and print the ranked table per group."""
    loaded = _scheme(scheme)
    evaluation = _evaluate(loaded, facts)
    results = [r for r in evaluation.values() if group_id is None or r.group == group_id]
    if group_id is not None and not any(g.id == group_id for g in loaded.groups):
        click.echo(f"no group {group_id!r}; groups: {', '.join(g.id for g in loaded.groups)}", err=True)
        sys.exit(2)
    if fmt == "json":
        data = {r.unit: {"group": r.group, "sequence": r.sequence, "total": plain(r.total), "rank": r.rank,
                         "grade": r.grade, "honours": list(r.honours), "flags": list(r.flags),
                         "values": {k: plain(v) for k, v in sorted(r.values.items())}} for r in results}
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True))
        return
    for group in loaded.groups:
        rows = [r for r in results if r.group == group.id]
        if not rows:
            continue
        click.echo(f"\n{group.label} ({group.id})")
        header = ["排名", "单位", "序列", "总分", "等次", "荣誉", "标记"]
        body = [[str(r.rank) if r.rank is not None else "—", r.unit, r.sequence or "", plain(r.total),
                 r.grade or "", "、".join(r.honours), "、".join(r.flags)] for r in rows]
        click.echo(_table(header, body))
    if evaluation.missing:
        click.echo(f"\nnot in the facts: {', '.join(evaluation.missing)}", err=True)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(_width(row[i]) for row in [header, *rows]) for i in range(len(header))]
    right = {0, 3}

    def line(row: list[str]) -> str:
        cells = []
        for i, cell in enumerate(row):
            pad = " " * (widths[i] - _width(cell))
            cells.append(pad + cell if i in right else cell + pad)
        return "  ".join(cells).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


@main.command()
@click.argument("scheme", type=click.Path(exists=True, dir_okay=False))
@click.argument("facts", type=click.Path(exists=True, dir_okay=False))
@click.argument("unit")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def explain(scheme: str, facts: str, unit: str, fmt: str) -> None:
    """Explain one unit: every section, rule, cap, rounding, rank and grade with its clause."""
    evaluation = _evaluate(_scheme(scheme), facts)
    if unit not in evaluation:
        click.echo(f"no unit {unit!r} in {facts}", err=True)
        sys.exit(1)
    result = evaluation[unit]
    if fmt == "json":
        click.echo(json.dumps(trace_data(result.trace), ensure_ascii=False, indent=2, sort_keys=True))
    else:
        click.echo(result.explain())


@main.command("test")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
def test_cases(paths: tuple[str, ...]) -> None:
    """Run worked-example case files and report each case."""
    files: list[Path] = []
    for path in map(Path, paths):
        files += sorted(path.rglob("cases*.yaml")) if path.is_dir() else [path]
    passed = failed = 0
    for file in files:
        try:
            outcomes = case_files.run_case_file(file)
        except SchemeError as exc:
            _fail(exc, 2)
        for outcome in outcomes:
            mark = "PASS" if outcome.passed else "FAIL"
            click.echo(f"{mark} {file}#{outcome.index + 1}: {outcome.description}")
            for diff in outcome.differences:
                click.echo(f"     {diff}")
            passed += outcome.passed
            failed += not outcome.passed
    click.echo(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


@main.command()
def schema() -> None:
    """Print the JSON Schema of the scheme language (for editors)."""
    from .scheme.model import SchemeDefinition
    click.echo(json.dumps(SchemeDefinition.model_json_schema(), ensure_ascii=False, indent=2))
