"""Issue 14, output: what apprule writes is safe to open and to print, the same every run, and never a traceback.

The scheme is the command-line tests' tiny one (tests/cli/data/tiny.yaml); hostile names reach the
writers through the library (the facts-file readers refuse them) or through a scheme's roster.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from apprule import load_scheme
from apprule.cli import main
from apprule.io import write_results
from apprule.io.write import _json

DATA = Path(__file__).parents[1] / "cli" / "data"
TINY = DATA / "tiny.yaml"
TINY_FACTS = DATA / "tiny.facts.yaml"
FACTS: dict[str, Any] = {
    "东镇": {"party": 45, "work": 36.5, "done": "0.95", "grade_in": "好", "projects": 2},
    "西镇": {"party": 40, "work": 30, "done": "90%", "grade_in": "中", "projects": 5},
    "南镇": {"party": 42, "work": 33, "done": 1, "grade_in": "差", "projects": 0, "veto": True},
}
#: every character a terminal or a spreadsheet may act on
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def scheme_with(tmp_path: Path, old: str, new: str) -> Path:
    """tiny.yaml with every ``old`` (a roster name or a label) written as ``new`` (a YAML double-quoted string)."""
    text = TINY.read_text(encoding="utf-8").replace(old, json.dumps(new))
    tmp_path.mkdir(exist_ok=True)
    path = tmp_path / "scheme.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def evaluate(extra: dict[str, Any]) -> tuple[Any, Any]:
    scheme = load_scheme(TINY)
    return scheme, scheme.evaluate({**FACTS, **extra})


# --- formulas in CSV ------------------------------------------------------------------------------

def test_the_csv_template_escapes_formulas_and_reads_back(tmp_path: Path) -> None:
    scheme = scheme_with(tmp_path, "东镇", "=1+1")
    scheme.write_text(scheme.read_text(encoding="utf-8").replace("label: 党建得分", 'label: "@SUM(A1)"'),
                      encoding="utf-8")
    template = tmp_path / "template.csv"
    assert run("facts", scheme, "--format", "csv", "-o", template).exit_code == 0
    rows = list(csv.reader(io.StringIO(template.read_bytes().decode("utf-8-sig"))))
    assert ["'=1+1", "north", "", "", "", "", "", ""] in rows
    assert "'@SUM(A1) [party]" in rows[1]
    fill_csv(template, rows, {"'=1+1": [45, 36.5, 0.95, "好", 2], "西镇": [40, 30, 0.9, "中", 5],
                              "南镇": [42, 33, 1, "差", 0, "是"]})
    result = run("score", scheme, template, "--format", "json", "--partial")
    assert result.exit_code == 0, result.stderr
    assert Decimal(json.loads(result.stdout)["units"]["=1+1"]["total"]) == evaluate({})[1]["东镇"].total


def fill_csv(path: Path, rows: list[list[str]], values: dict[str, list[Any]]) -> None:
    """The CSV template's rows with each named unit's values from the third column on, written to ``path``."""
    for row in rows:
        if row and row[0] in values:
            row[2:2 + len(values[row[0]])] = map(str, values[row[0]])
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


@pytest.mark.parametrize("name", ["=HYPERLINK(\"x\")", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1"])
def test_the_results_csv_escapes_every_formula_start(name: str) -> None:
    scheme, evaluation = evaluate({name: {"group": "depts", "party": 1, "work": 1}})
    text = write_results(evaluation, scheme, "csv")
    assert isinstance(text, bytes)
    units = [row[3] for row in csv.reader(io.StringIO(text.decode("utf-8-sig")))]
    assert "'" + name in units


def test_the_results_csv_keeps_negative_numbers() -> None:
    scheme, evaluation = evaluate({"审计局": {"group": "depts", "party": 0, "work": 0}})
    text = write_results(evaluation, scheme, "csv")
    assert isinstance(text, bytes)
    assert ",'-" not in text.decode("utf-8-sig")


# --- control characters and the terminal -------------------------------------------------------------

OSC = "\x1b]0;owned\x07东镇\x9b31m\u202e"


def test_an_escape_sequence_in_a_unit_name_never_reaches_the_terminal(tmp_path: Path) -> None:
    scheme = scheme_with(tmp_path, "东镇", OSC)
    facts = tmp_path / "facts.yaml"
    facts.write_text(TINY_FACTS.read_text(encoding="utf-8").replace("东镇", json.dumps(OSC)), encoding="utf-8")
    labelled = scheme_with(tmp_path / "labelled", "党建得分", OSC)
    titled = scheme_with(tmp_path / "titled", "小型考评方案", OSC)
    for args in (["score", scheme, facts], ["explain", scheme, facts, OSC], ["facts", labelled], ["check", titled]):
        result = run(*args)
        assert "Traceback" not in result.stderr
        assert not CONTROLS.search(result.stdout + result.stderr), (args, result.stdout, result.stderr)
        assert "\\x1b]0;owned\\x07" in result.stdout + result.stderr, (args, result.stdout, result.stderr)


def test_an_escape_sequence_in_an_error_is_shown_escaped(tmp_path: Path) -> None:
    facts = tmp_path / "facts\x1b[2J.yaml"  # a file name, in every error about the file
    facts.write_text(TINY_FACTS.read_text(encoding="utf-8").replace("party: 45", "party: 60"), encoding="utf-8")
    result = run("score", TINY, facts)
    assert result.exit_code == 1
    assert not CONTROLS.search(result.stderr), result.stderr
    assert "facts\\x1b[2J.yaml:1:13: out-of-range: unit '东镇', fact 'party'" in result.stderr


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_control_characters_and_lone_surrogates_are_written_escaped(fmt: str) -> None:
    scheme, evaluation = evaluate({"a\x00b": {"group": "depts", "party": 1, "work": 1},
                                   "c\ud800d": {"group": "depts", "party": 2, "work": 2},
                                   "e\x1b]0;x\x07f": {"group": "depts", "party": 3, "work": 3}})
    data = write_results(evaluation, scheme, fmt)
    if fmt == "json":
        assert isinstance(data, str)
        assert not CONTROLS.search(data)
        assert {"a\x00b", "c\ud800d", "e\x1b]0;x\x07f"} <= set(json.loads(data)["units"])
        return
    assert isinstance(data, bytes)
    if fmt == "csv":
        units = {row[3] for row in csv.reader(io.StringIO(data.decode("utf-8-sig")))}
    else:
        import openpyxl
        book = openpyxl.load_workbook(io.BytesIO(data))
        units = {row[3] for row in book["部门"].iter_rows(values_only=True)}
    assert {"a\\x00b", "c\\ud800d", "e\\x1b]0;x\\x07f"} <= units


def test_a_huge_integer_in_the_json_writer_is_a_string() -> None:
    assert _json(10 ** 5000) == "1" + "0" * 5000  # never int-to-text (limited to 4,300 digits)
    assert _json(2 ** 53 - 1) == 2 ** 53 - 1
    assert _json(Decimal("1e5000")) == "1" + "0" * 5000


# --- writing the file ------------------------------------------------------------------------------

def test_output_into_a_missing_folder(tmp_path: Path) -> None:
    target = tmp_path / "nonexistent" / "x.csv"
    result = run("score", TINY, TINY_FACTS, "-o", target)
    assert result.exit_code == 1
    assert result.stderr == f"{target}: cannot-write: [Errno 2] No such file or directory\n"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
def test_output_to_a_full_disk() -> None:
    result = run("score", TINY, TINY_FACTS, "--format", "csv", "-o", "/dev/full")
    assert result.exit_code == 1
    assert result.stderr == "/dev/full: cannot-write: [Errno 28] No space left on device\n"


@pytest.mark.parametrize("which", ["facts", "scheme", "link"])
def test_output_never_overwrites_an_input(tmp_path: Path, which: str) -> None:
    scheme, facts = tmp_path / "s.yaml", tmp_path / "f.yaml"
    scheme.write_bytes(TINY.read_bytes())
    facts.write_bytes(TINY_FACTS.read_bytes())
    target = {"facts": tmp_path / "." / "f.yaml", "scheme": scheme, "link": tmp_path / "link.yaml"}[which]
    if which == "link":
        os.link(facts, target)
    result = run("score", scheme, facts, "-o", target, "--format", "json")
    assert result.exit_code == 2
    name = "SCHEME" if which == "scheme" else "FACTS"
    assert f"Invalid value for '--output' / '-o': {str(target)!r} is the {name} file" in result.stderr
    assert facts.read_bytes() == TINY_FACTS.read_bytes() and scheme.read_bytes() == TINY.read_bytes()


def test_the_facts_template_never_overwrites_the_scheme(tmp_path: Path) -> None:
    scheme = tmp_path / "s.yaml"
    scheme.write_bytes(TINY.read_bytes())
    result = run("facts", scheme, "--format", "yaml", "-o", scheme)
    assert result.exit_code == 2
    assert f"{str(scheme)!r} is the SCHEME file" in result.stderr
    assert scheme.read_bytes() == TINY.read_bytes()


# --- round trips -----------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_roster_names_with_surrounding_spaces_round_trip(tmp_path: Path, fmt: str) -> None:
    scheme = scheme_with(tmp_path, "东镇", " 东镇 ")
    template = tmp_path / f"template.{fmt}"
    assert run("facts", scheme, "--format", fmt, "-o", template).exit_code == 0
    values = {" 东镇 ": [45, 36.5, 0.95, "好", 2], "西镇": [40, 30, 0.9, "中", 5],
              "南镇": [42, 33, 1, "差", 0, "是"]}
    if fmt == "xlsx":
        import openpyxl
        book = openpyxl.load_workbook(template)
        for row in book["towns"].iter_rows(min_row=2):
            for cell, value in zip(row[2:], values[str(row[0].value)]):
                cell.value = value
        book.save(template)
    else:
        fill_csv(template, list(csv.reader(io.StringIO(template.read_bytes().decode("utf-8-sig")))), values)
    result = run("score", scheme, template, "--format", "json", "--partial")
    assert result.exit_code == 0, result.stderr
    assert Decimal(json.loads(result.stdout)["units"][" 东镇 "]["total"]) == evaluate({})[1]["东镇"].total


# --- the same bytes every time ----------------------------------------------------------------------

def test_a_results_workbook_is_the_same_bytes_every_run(tmp_path: Path) -> None:
    import time
    first = run("score", TINY, TINY_FACTS, "-o", tmp_path / "a.xlsx")
    time.sleep(2.1)  # zip entry times have a resolution of two seconds
    second = run("score", TINY, TINY_FACTS, "-o", tmp_path / "b.xlsx")
    assert first.exit_code == second.exit_code == 0
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


def test_a_template_workbook_is_the_same_bytes_every_run(tmp_path: Path) -> None:
    import time
    assert run("facts", TINY, "-o", tmp_path / "a.xlsx").exit_code == 0
    time.sleep(2.1)
    assert run("facts", TINY, "-o", tmp_path / "b.xlsx").exit_code == 0
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


# --- case files ------------------------------------------------------------------------------------

@pytest.mark.parametrize("expect, message", [
    ("{甲: [1, 2]}", "5:17: bad-case-file: an expectation is a mapping such as {total: 80, rank: 1} "
                    "(at cases[0].expect.甲)"),
    ("{东镇: {values: [1]}}",
     "5:27: bad-case-file: a mapping of rule ids to numbers (at cases[0].expect.东镇.values)"),
    ("{东镇: {honours: 5}}", "5:28: bad-case-file: a list (at cases[0].expect.东镇.honours)"),
    ("[1]", "5:13: bad-case-file: a mapping of units to their expectations (at cases[0].expect)"),
])
def test_a_malformed_expectation_is_a_located_error(tmp_path: Path, expect: str, message: str) -> None:
    cases = tmp_path / "cases.yaml"
    cases.write_text(f"scheme: {TINY}\ncases:\n  - description: x\n    units: {{}}\n    expect: {expect}\n",
                     encoding="utf-8")
    result = run("test", cases)
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    assert f"{cases}:{message}" in result.stderr, result.stderr
