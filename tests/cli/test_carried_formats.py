"""What `--carried-in` takes: last period's JSON results, and nothing else; every problem of the file is named
exactly, by file, unit and item number (io/carried.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import TINY, TINY_FACTS, run

#: tiny's 新引进项目 may be deferred (转入下年度), counting 0 in its own period
DEFERRABLE = TINY.read_text(encoding="utf-8").replace(
    "projects: {type: count, label: 新引进项目}", "projects: {type: count, label: 新引进项目, deferred: 0}")
PERIOD = "tiny 2021-01-01..2021-12-31"
AWARD = {"level": "市级", "matter": "敬老", "date": "2022-01-15", "carried_from": PERIOD}


@pytest.fixture
def scheme(tmp_path: Path) -> Path:
    """2022's tiny, whose projects may be deferred."""
    path = tmp_path / "tiny22.yaml"
    path.write_text(DEFERRABLE.replace("2021", "2022"), encoding="utf-8")
    return path


def carried(scheme: Path, path: Path, *more: str | Path) -> list[str]:
    """The problems `apprule score` names for the carried-in file ``path`` (exit 1, nothing scored), the file's
    directory written as ``DIR``."""
    result = run("score", scheme, TINY_FACTS, "--carried-in", path, *more)
    assert result.exit_code == 1 and result.stdout == "", result.output
    return result.stderr.replace(str(path.parent), "DIR").splitlines()


# --- JSON only ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, what", [("r21.csv", "a .csv file"), ("r21.xlsx", "a .xlsx file"),
                                        ("r21.YAML", "a .yaml file"), ("r21", "a file without an ending")])
def test_results_that_are_not_json_are_refused(scheme: Path, tmp_path: Path, name: str, what: str) -> None:
    """A CSV or XLSX of results is written for people: it does not list what a unit carries over, with its period."""
    written = run("score", TINY, TINY_FACTS, "-o", tmp_path / "r21.csv")
    assert written.exit_code == 0
    path = tmp_path / name
    if name != "r21.csv":
        path.write_bytes((tmp_path / "r21.csv").read_bytes())
    assert carried(scheme, path) == [
        f"DIR/{name}: carried-in-not-json: --carried-in reads last period's results as JSON, and this is {what}; "
        "give the file last period's `apprule score --format json` wrote"]


def test_the_check_command_refuses_it_too(scheme: Path, tmp_path: Path) -> None:
    path = tmp_path / "r21.xlsx"
    path.write_bytes(b"PK")
    result = run("check", scheme, "--carried-in", path)
    assert result.exit_code == 1 and result.stderr == (
        f"{path}: carried-in-not-json: --carried-in reads last period's results as JSON, and this is a .xlsx file; "
        "give the file last period's `apprule score --format json` wrote\n")


def test_in_chinese(tmp_path: Path) -> None:
    path = tmp_path / "r21.csv"
    path.write_text("单位,总分\n", encoding="utf-8")
    result = run("--lang", "zh", "score", TINY, TINY_FACTS, "--carried-in", path)
    assert result.exit_code == 1 and result.stderr == (
        f"{path}: carried-in-not-json: --carried-in 读取上期结果的 JSON 文件,而这是扩展名为 .csv 的文件;请给出上期 "
        "`apprule score --format json` 写出的文件\n")
