"""Fixtures for the command-line tests: a runner, the tiny scheme, and filled-in spreadsheets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Callable

import pytest
from click.testing import CliRunner, Result

from apprule.cli import main

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parents[2]
TINY = DATA / "tiny.yaml"
TINY_FACTS = DATA / "tiny.facts.yaml"

#: the facts of tiny.facts.yaml, as a spreadsheet holds them (sheet → rows after the header)
ROWS: dict[str, list[list[Any]]] = {
    "towns": [["东镇", "north", 45, 36.5, 0.95, "好", 2, None],
              ["西镇", "north", 40, 30, 0.9, "中", 5, None],
              ["南镇", "south", 42, 33, 1, "差", 0, True]],
    "depts": [["007", 44, 35], ["财政局", 41.5, 38]],
    "awards": [["东镇", "省级", "招商", dt.datetime(2021, 6, 30)]],
}


def run(*args: str | Path) -> Result:
    """``apprule ARGS`` through click's runner; stdout and stderr kept apart."""
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def template_xlsx(tmp_path: Path) -> Path:
    path = tmp_path / "template.xlsx"
    result = run("facts", TINY, "--format", "xlsx", "--output", path)
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def filled_xlsx(template_xlsx: Path) -> Callable[..., Path]:
    """The template filled in with the example facts; ``change(workbook)`` edits it before saving."""
    import openpyxl

    def make(change: Callable[[Any], None] | None = None, name: str = "facts.xlsx") -> Path:
        book = openpyxl.load_workbook(template_xlsx)
        for sheet, rows in ROWS.items():
            ws = book[sheet]
            for r, row in enumerate(rows, start=2):
                for c, value in enumerate(row, start=1):
                    ws.cell(r, c, value)
        if change is not None:
            change(book)
        path = template_xlsx.with_name(name)
        book.save(path)
        return path

    return make


@pytest.fixture
def csv_facts(tmp_path: Path) -> Callable[..., Path]:
    """A CSV facts file in the template's layout; ``text`` replaces the whole body when given."""

    def make(text: str | None = None, encoding: str = "utf-8-sig", name: str = "facts.csv") -> Path:
        body = text if text is not None else CSV_FACTS
        path = tmp_path / name
        path.write_bytes(body.encode(encoding))
        return path

    return make


CSV_FACTS = """[towns]
单位 [unit],序列 [sequence],党建得分 [party],工作得分 [work],任务完成率 [done],上级评价 [grade_in],新引进项目 [projects],一票否决 [veto]
东镇,north,45,36.5,95%,好,2,
西镇,north,40,30,0.9,中,5,否
南镇,south,42,33,1,差,0,是

[depts]
单位 [unit],党建得分 [party],工作得分 [work]
007,44,35
财政局,41.5,38

[awards]
单位 [unit],级别 [level],事项 [matter],日期 [date]
东镇,省级,招商,2021/6/30
"""
