"""Issue 14, facts files: a careless or hostile file never crashes, hangs or silently changes a result.

Resource cases run `apprule` in a subprocess under a memory and a time cap and assert the error it
reports, never a timing. The scheme is the command-line tests' tiny one (tests/cli/data/tiny.yaml).
"""

from __future__ import annotations

import io
import json
import os
import re
import resource
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import pytest
from click.testing import CliRunner, Result

import apprule
from apprule.cli import main

DATA = Path(__file__).parents[1] / "cli" / "data"
TINY = DATA / "tiny.yaml"
TINY_FACTS = DATA / "tiny.facts.yaml"
SRC = Path(apprule.__file__).parents[1]

#: the facts of tiny.facts.yaml as the template's sheets hold them (rows after the header)
ROWS: dict[str, list[list[Any]]] = {
    "towns": [["东镇", "north", 45, 36.5, 0.95, "好", 2, None],
              ["西镇", "north", 40, 30, 0.9, "中", 5, None],
              ["南镇", "south", 42, 33, 1, "差", 0, True]],
    "depts": [["007", 44, 35], ["财政局", 41.5, 38]],
    "awards": [["东镇", "省级", "招商", "2021-06-30"]],
}

CSV_FACTS = """[towns]
单位 [unit],序列 [sequence],党建得分 [party],工作得分 [work],任务完成率 [done],上级评价 [grade_in],新引进项目 [projects],一票否决 [veto]
东镇,north,45,36.5,95%,好,2,
西镇,north,40,30,0.9,中,5,否
南镇,south,42,33,1,差,0,是

[depts]
单位 [unit],党建得分 [party],工作得分 [work]
007,44,35
财政局,41.5,38
"""


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def capped(*args: str | Path, memory: int = 1_500_000_000, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    """``apprule ARGS`` in a child process that may use at most ``memory`` bytes and ``timeout`` seconds."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.run([sys.executable, "-c", "from apprule.cli import main; main()", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, preexec_fn=limit, env=env)


def errors(result: Result | subprocess.CompletedProcess[str]) -> list[str]:
    code = result.exit_code if isinstance(result, Result) else result.returncode
    assert code == 1, (code, result.stdout[:2000], result.stderr[:2000])
    assert "Traceback" not in result.stderr
    return result.stderr.splitlines()


def has(lines: list[str], *parts: str) -> None:
    assert any(all(p in line for p in parts) for line in lines), "\n".join(lines)[:3000]


def totals(*args: str | Path) -> dict[str, Decimal]:
    result = run("score", TINY, *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return {u: Decimal(r["total"]) for u, r in json.loads(result.stdout)["units"].items()}


# --- workbooks -----------------------------------------------------------------------------------

@pytest.fixture
def workbook(tmp_path: Path) -> Callable[..., Path]:
    """The tiny template filled in; ``change(book)`` edits it before saving."""
    import openpyxl

    template = tmp_path / "template.xlsx"
    assert run("facts", TINY, "--format", "xlsx", "-o", template).exit_code == 0

    def make(change: Callable[[Any], None] | None = None, name: str = "facts.xlsx") -> Path:
        book = openpyxl.load_workbook(template)
        for sheet, rows in ROWS.items():
            for r, row in enumerate(rows, start=2):
                for c, value in enumerate(row, start=1):
                    book[sheet].cell(r, c, value)
        if change is not None:
            change(book)
        path = tmp_path / name
        book.save(path)
        return path

    return make


def with_rows(path: Path, rows_xml: str, sheet: str = "xl/worksheets/sheet1.xml") -> Path:
    """The workbook with raw ``<row>`` elements added at the end of a sheet (the first: 'towns')."""
    source = zipfile.ZipFile(path)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == sheet:
                text = data.decode("utf-8")
                text = re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:XFD1048576"/>', text)
                data = text.replace("</sheetData>", rows_xml + "</sheetData>").encode("utf-8")
            target.writestr(item, data)
    hostile = path.with_name("hostile.xlsx")
    hostile.write_bytes(out.getvalue())
    return hostile


def test_a_formatted_empty_cell_far_down_is_ignored(workbook: Callable[..., Path]) -> None:
    path = with_rows(workbook(), '<row r="200000"><c r="Z200000" s="1"/></row>')
    result = capped("score", TINY, path, "--format", "json")
    assert result.returncode == 0, result.stderr[:2000]
    assert Decimal(json.loads(result.stdout)["units"]["东镇"]["total"]) == totals(TINY_FACTS)["东镇"]


def test_a_formatted_empty_cell_at_the_last_cell_of_a_sheet_is_ignored(workbook: Callable[..., Path]) -> None:
    path = with_rows(workbook(), '<row r="1048576"><c r="XFD1048576" s="1"/></row>')
    result = capped("score", TINY, path)
    assert result.returncode == 0, result.stderr[:2000]


def test_a_value_past_the_last_row_read(workbook: Callable[..., Path]) -> None:
    path = with_rows(workbook(), '<row r="1048576"><c r="A1048576"><v>1</v></c></row>')
    has(errors(capped("score", TINY, path)), f"{path}: sheet 'towns', row 1048576, column A: bad-xlsx: "
        "apprule reads at most 200000 rows of a sheet; this cell lies beyond them")


def test_a_value_past_the_last_column_read(workbook: Callable[..., Path]) -> None:
    path = with_rows(workbook(), '<row r="5"><c r="XFD5" t="inlineStr"><is><t>x</t></is></c></row>')
    has(errors(capped("score", TINY, path)), f"{path}: sheet 'towns', row 5, column XFD: bad-xlsx: "
        "apprule reads at most 1000 columns (A to ALL) of a sheet; this cell lies beyond them")


def test_a_million_rows_stop_at_the_row_limit(workbook: Callable[..., Path]) -> None:
    rows = "".join(f'<row r="{r}"><c r="I{r}"><v>1</v></c></row>' for r in range(5, 1_000_001))
    path = with_rows(workbook(), rows)
    has(errors(capped("score", TINY, path)), f"{path}: sheet 'towns', row 200001, column I: bad-xlsx: "
        "apprule reads at most 200000 rows")


def test_millions_of_formatted_empty_cells_stop_at_the_cell_limit(workbook: Callable[..., Path]) -> None:
    rows = "".join(f'<row r="{r}">' + "".join(f'<c r="{c}{r}" s="1"/>' for c in "BCDEFGHIJK") + "</row>"
                   for r in range(5, 200_005))
    path = with_rows(workbook(), rows)
    has(errors(capped("score", TINY, path)), f"{path}: sheet 'towns', row 200002: bad-xlsx: the workbook "
        "lists more than 2000000 cells (formatted empty ones included)")


def test_a_workbook_that_unpacks_too_large(workbook: Callable[..., Path]) -> None:
    source = workbook()
    out = source.with_name("bomb.xlsx")
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            new.writestr(item, old.read(item))
        new.writestr("xl/padding.bin", b"\0" * 300_000_000)
    has(errors(capped("score", TINY, out)), f"{out}: bad-xlsx: the workbook unpacks to 300", "more than the "
        "268435456 bytes apprule reads")


# --- a cell that makes the number-with-a-unit pattern backtrack --------------------------------------

def test_a_huge_csv_cell_is_refused_quickly(tmp_path: Path) -> None:
    path = tmp_path / "facts.csv"
    path.write_text(CSV_FACTS.replace("东镇,north,45,", "东镇,north," + "1" * 60_000 + " x y,"), encoding="utf-8")
    has(errors(capped("score", TINY, path)), "section [towns], row 3, column C (党建得分 [party]): not-a-number: "
        "expected a number, got '11111111111111111111…' (60004 characters)")


def test_a_32000_character_xlsx_cell_is_refused_quickly(workbook: Callable[..., Path]) -> None:
    path = workbook(lambda b: setattr(b["towns"]["D2"], "value", "9" * 32_000 + " 分 分"))
    has(errors(capped("score", TINY, path)), "sheet 'towns', row 2, column D (工作得分(分) [work]): not-a-number: "
        "expected a number, got '99999999999999999999…' (32004 characters)")


@pytest.mark.parametrize("text, code, hint", [
    ("1,500分", "out-of-range", "'1,500分' is above the maximum 40分"),   # in the fact's unit, and too large
    ("1,500元", "wrong-unit", "'1,500元': 元 (人民币) does not convert into the fact's unit 分"),
    ("12.5 斤", "wrong-unit", "'12.5 斤': 斤 is not a unit apprule knows; give the number in 分")])
def test_a_number_with_its_unit_is_named(workbook: Callable[..., Path], text: str, code: str, hint: str) -> None:
    path = workbook(lambda b: setattr(b["towns"]["D2"], "value", text))
    has(errors(run("score", TINY, path)), "sheet 'towns', row 2, column D", code, hint)


def test_a_misplaced_thousands_separator_is_no_number_with_a_unit(workbook: Callable[..., Path]) -> None:
    path = workbook(lambda b: setattr(b["towns"]["D2"], "value", "1,5分"))
    has(errors(run("score", TINY, path)), "sheet 'towns', row 2, column D (工作得分(分) [work]): bad-number: "
        "'1,5分': a comma may only separate groups of three digits")


# --- what nobody can see -------------------------------------------------------------------------

@pytest.mark.parametrize("state", ["veryHidden", "hidden"])
def test_a_hidden_sheet_holding_units_is_refused(workbook: Callable[..., Path], state: str) -> None:
    def change(book: Any) -> None:
        ws = book.create_sheet("extra")
        ws.append(["单位 [unit]", "组别", "党建得分 [party]", "工作得分 [work]"])
        ws.append(["审计局", "depts", 40, 30])
        ws.sheet_state = state
    has(errors(run("score", TINY, workbook(change))), "sheet 'extra': hidden-sheet: the sheet is hidden "
        f"({state}), so nobody reading the workbook sees what it holds; unhide it or delete it")


def test_an_empty_hidden_sheet_and_a_hidden_notes_sheet_are_ignored(workbook: Callable[..., Path]) -> None:
    def change(book: Any) -> None:
        book.create_sheet("empty").sheet_state = "veryHidden"
        book["说明"].sheet_state = "hidden"
    assert totals(workbook(change)) == totals(TINY_FACTS)


# --- percentages -----------------------------------------------------------------------------------

def test_a_percent_cell_is_the_rate_it_shows(workbook: Callable[..., Path]) -> None:
    def change(book: Any) -> None:
        book["towns"]["E2"].value = 0.95
        book["towns"]["E2"].number_format = "0%"
    assert totals(workbook(change)) == totals(TINY_FACTS)


def test_a_percent_cell_for_a_number_fact_is_refused(workbook: Callable[..., Path]) -> None:
    def change(book: Any) -> None:
        book["towns"]["C2"].value = 0.5
        book["towns"]["C2"].number_format = "0.0%"
    has(errors(run("score", TINY, workbook(change))), "sheet 'towns', row 2, column C (党建得分 [party]): "
        "percent-cell: the cell shows 50% (a percentage format) but 'party' is a number, not a rate; "
        "type the number itself in a cell formatted as General or Number")


def test_dates_and_plain_numbers_keep_their_meaning(workbook: Callable[..., Path]) -> None:
    import datetime as dt

    def change(book: Any) -> None:
        book["awards"]["D2"].value = dt.datetime(2021, 6, 30)
        book["towns"]["D2"].number_format = "0.00"
    assert totals(workbook(change)) == totals(TINY_FACTS)


# --- JSON facts ----------------------------------------------------------------------------------

def write_json(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "facts.json"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_json_integer_of_more_than_4300_digits(tmp_path: Path) -> None:
    path = write_json(tmp_path, '{"007": {"group": "depts", "party": ' + "9" * 5000 + ', "work": 1}}')
    has(errors(run("score", TINY, path, "--partial")), f"{path}: out-of-range: unit '007', fact 'party': ")


def test_json_nested_100k_deep(tmp_path: Path) -> None:
    path = write_json(tmp_path, '{"007": ' + "[" * 100_000 + "]" * 100_000 + "}")
    has(errors(capped("score", TINY, path)), f"{path}:1:40: too-deep: the JSON nests deeper than 32 levels "
        "(a facts file needs 4: unit, fact, event, field)")


def test_json_nested_deeper_than_facts_need(tmp_path: Path) -> None:
    path = write_json(tmp_path, '{"007": {"party": ' + "[" * 40 + "]" * 40 + "}}")
    has(errors(run("score", TINY, path)), f"{path}:1:49: too-deep: the JSON nests deeper than 32 levels")


@pytest.mark.parametrize("name, shown", [("\\ud800", "\\ud800"), ("a\\u0000b", "\\x00"),
                                         ("x\\u001b]0;owned\\u0007", "\\x1b")])
def test_json_unit_names_that_are_no_text(tmp_path: Path, name: str, shown: str) -> None:
    path = write_json(tmp_path, '{"' + name + '": {"group": "depts", "party": 1, "work": 1}}')
    lines = errors(run("score", TINY, path, "--partial"))
    has(lines, f"{path}: bad-character: the unit name", f"holds {shown}, which is not text",
        "(a control character or half of a surrogate pair)")
    assert not any(ch in result_text for result_text in lines for ch in "\x00\x1b\x07")


def test_json_label_that_is_no_text(tmp_path: Path) -> None:
    path = write_json(tmp_path, '{"东镇": {"awards": [{"matter": "a\\udfffb"}]}}')
    has(errors(run("score", TINY, path, "--partial")), f"{path}: bad-character: unit '东镇', fact 'awards', "
        "event 1, field 'matter': the text holds \\udfff, which is not text")


# --- CSV and XLSX text -----------------------------------------------------------------------------

def test_csv_unit_name_with_an_escape_sequence(tmp_path: Path) -> None:
    path = tmp_path / "facts.csv"
    path.write_text(CSV_FACTS.replace("财政局,", "财\x1b]0;owned\x07局,"), encoding="utf-8")
    lines = errors(run("score", TINY, path))
    has(lines, "section [depts], row 10, column A (unit): bad-character: the text holds \\x1b, which is not text")
    assert not any("\x1b" in line for line in lines)


def test_xlsx_text_with_a_control_character(workbook: Callable[..., Path]) -> None:
    path = workbook(lambda b: setattr(b["awards"]["C2"], "value", "招\x9b31m商"))  # XML allows C1 controls
    has(errors(run("score", TINY, path)), "sheet 'awards', row 2, column C (事项 [matter]): bad-character: "
        "the text holds \\u009b, which is not text")


def test_a_csv_value_past_the_last_column_read(tmp_path: Path) -> None:
    path = tmp_path / "facts.csv"
    path.write_text(CSV_FACTS.replace("007,44,35", "007,44,35" + "," * 998 + "x"), encoding="utf-8")
    has(errors(run("score", TINY, path)), f"{path}: row 9, column ALM: bad-csv: apprule reads at most 1000 "
        "columns (A to ALL) of a sheet; this cell lies beyond them")


# --- hidden rows and columns -------------------------------------------------------------------------

def test_hidden_rows_holding_values_are_refused(workbook: Callable[..., Path]) -> None:
    """A unit's row hidden (or filtered out) would be scored though nobody reading the sheet sees it."""
    def change(book: Any) -> None:
        book["towns"].row_dimensions[3].hidden = True
        book["towns"].row_dimensions[4].hidden = True
        book["awards"].row_dimensions[2].hidden = True
        book["towns"].row_dimensions[9].hidden = True  # hidden, but empty: nothing unseen
    path = workbook(change)
    assert errors(run("score", TINY, path)) == [
        f"{path}: sheet 'towns', row 3: hidden-cells: hidden rows hold values (A3:H4): nobody reading the sheet "
        "sees them; unhide the rows (or clear the filter that hides them), or delete them",
        f"{path}: sheet 'awards', row 2: hidden-cells: hidden rows hold values (A2:D2): nobody reading the sheet "
        "sees them; unhide the rows (or clear the filter that hides them), or delete them"]


def test_hidden_columns_holding_values_are_refused(workbook: Callable[..., Path]) -> None:
    def change(book: Any) -> None:
        book["towns"].column_dimensions.group("C", "D", hidden=True)
        book["depts"].column_dimensions["C"].hidden = True
        book["depts"].column_dimensions["F"].hidden = True  # hidden, but empty
    path = workbook(change)
    assert errors(run("score", TINY, path)) == [
        f"{path}: sheet 'towns', row 1, column C: hidden-cells: hidden columns hold values (C1:D4): nobody reading "
        "the sheet sees them; unhide the columns, or delete them",
        f"{path}: sheet 'depts', row 1, column C: hidden-cells: hidden columns hold values (C1:C3): nobody reading "
        "the sheet sees them; unhide the columns, or delete them"]


def test_a_hidden_empty_row_or_column_is_ignored(workbook: Callable[..., Path]) -> None:
    def change(book: Any) -> None:
        book["towns"].row_dimensions[7].hidden = True
        book["towns"].column_dimensions["K"].hidden = True
    assert totals(workbook(change)) == totals(TINY_FACTS)
