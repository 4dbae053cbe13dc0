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


# --- every problem of a carried-in file, exactly --------------------------------------------------------

def results_file(tmp_path: Path, data: Any, name: str = "r21.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


NOT_RESULTS = ("DIR/r21.json: bad-carried-in: not the results of `apprule score --format json` ({why}): carried-in "
               "items are last period's results as written")


@pytest.mark.parametrize("data, why", [
    ([{"units": {}}], "not a JSON object"),
    ('"r21"', "not a JSON object"),
    ({"东镇": {"carried_over": []}}, "no `units`"),
    ({"units": ["东镇"]}, "`units` is not an object of unit → result")])
def test_a_file_that_is_no_results_file(scheme: Path, tmp_path: Path, data: Any, why: str) -> None:
    assert carried(scheme, results_file(tmp_path, data)) == [NOT_RESULTS.format(why=why)]


def test_a_file_that_is_not_utf8(scheme: Path, tmp_path: Path) -> None:
    path = tmp_path / "r21.json"
    path.write_bytes('{"units": {"东镇": {}}}'.encode("gb18030"))
    assert carried(scheme, path) == [
        "DIR/r21.json: bad-encoding: a JSON file is UTF-8 (invalid start byte)"]


def test_every_item_problem_is_named_by_unit_and_item_number(scheme: Path, tmp_path: Path) -> None:
    """All at once, in the file's order: the unit, then the item's number in its `carried_over` list."""
    path = results_file(tmp_path, {"units": {
        "东镇": {"carried_over": [
            "awards",                                                            # 1: not an object
            {"event": AWARD},                                                    # 2: no fact
            {"fact": "awards"},                                                  # 3: no event
            {"fact": "award", "event": AWARD},                                   # 4: unknown fact
            {"fact": "awards", "event": {**AWARD, "carried_from": " "}},         # 5: no period
            {"fact": "awards", "event": {**AWARD, "date": "2022-13-45"}},        # 6: a bad date
            {"fact": "awards", "event": {**AWARD, "level": "县级"}},             # 7: an unknown value
            {"fact": "party", "event": {"deferred": "转入下年度", "counted": "0",  # 8: not deferrable here
                                        "carried_from": PERIOD}},
            {"fact": "party", "event": {"level": "省级", "carried_from": PERIOD}},  # 9: no dated events
            {"fact": "projects", "event": {"deferred": "转入下年度", "counted": "0",  # 10: fine
                                           "carried_from": PERIOD}}]},
        "西镇": {"total": "70.00"},
        "南镇": {"carried_over": {"fact": "awards", "event": AWARD}},
        "北镇": {"carried_over": [{"fact": "awards", "event": AWARD}]},
        "财政局": {"carried_over": [{"fact": "awards", "event": AWARD}]}}})
    item = "DIR/r21.json: unit '东镇', carried_over item"
    assert carried(scheme, path) == [
        f"{item} 1: bad-carried-in: an item is an object with a `fact` and an `event`, as `carried_over` lists it",
        f"{item} 2: bad-carried-in: the item names no fact (`fact`)",
        f"{item} 3: bad-carried-in: the item holds no `event` object for 'awards'",
        f"{item} 4: unknown-fact: this scheme declares no fact 'award' (did you mean 'awards'?)",
        f"{item} 5: bad-carried-in: the item names no period it comes from (`carried_from`)",
        f"{item} 6: wrong-type: fact 'awards': event 1, field 'date': expected a date like 2021-06-30, got "
        "'2022-13-45'",
        f"{item} 7: unknown-value: fact 'awards': event 1, field 'level': '县级' is not one of ['省级', '市级']",
        f"{item} 8: bad-carried-in: 'party' was deferred (转入下年度), but this scheme does not let it be deferred "
        "(no `deferred:`): not an item of this scheme's period before",
        f"{item} 9: bad-carried-in: 'party' is no list of dated events: an event is carried into a fact whose "
        "`dated_by` places it in a period",
        "DIR/r21.json: unit '西镇': bad-carried-in: no `carried_over` list: not a unit of a results file",
        "DIR/r21.json: unit '南镇': bad-carried-in: `carried_over` is not a list of items",
        "DIR/r21.json: unit '北镇': unknown-unit: 1 item(s) carried in for a unit that is not in this period's facts",
        "DIR/r21.json: unit '财政局', carried_over item 1: fact-not-used: group 'depts' does not use 'awards'"]


def test_an_event_given_twice(scheme: Path, tmp_path: Path) -> None:
    facts = tmp_path / "f22.yaml"
    facts.write_text(TINY_FACTS.read_text(encoding="utf-8").replace(
        "date: 2021-06-30}", "date: 2021-06-30}, {level: 市级, matter: 敬老, date: 2022-01-15}"), encoding="utf-8")
    path = results_file(tmp_path, {"units": {"东镇": {"carried_over": [{"fact": "awards", "event": AWARD}]}}})
    result = run("score", scheme, facts, "--carried-in", path)
    assert result.exit_code == 1 and result.stderr == (
        f"{path}: unit '东镇', carried_over item 1: carried-twice: the 'awards' event is in this period's facts "
        "already; give it in one place, or it would count twice\n")


def test_the_messages_in_chinese(scheme: Path, tmp_path: Path) -> None:
    path = results_file(tmp_path, {"units": {"东镇": {"carried_over": [{"fact": "award", "event": AWARD}, "x"]},
                                             "北镇": {"carried_over": ["x"]}}})
    assert carried(scheme, path, "--lang", "zh") == [
        "DIR/r21.json: unit '东镇', carried_over item 1: unknown-fact: 本方案没有声明事实 'award' (did you mean 'awards'?)",
        "DIR/r21.json: unit '东镇', carried_over item 2: bad-carried-in: 每一项是含 `fact` 和 `event` 的对象,与 "
        "`carried_over` 所列一致",
        "DIR/r21.json: unit '北镇': unknown-unit: 为本期事实中没有的单位转入了 1 项"]
