"""Readings as switches: `apprule readings`, `--reading` on score/explain/check/test, and the errors."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from apprule import SchemeError, load_scheme
from conftest import TINY, TINY_FACTS, run

#: a reading of tiny.yaml's 四(二) with two choices; `ten` changes the rule `proj`
READING = """readings:
  - id: project_points
    clause: 四(二)
    question: 新引进项目每个加几分?
    choices:
      one: {label: 每个加1分最高3分, default: true}
      ten:
        label: 每个加10分最高50分
        overrides: {proj: {per: {of: projects, points: 10}, max: 50}}
  - id: stated
    question: 一个只有一种理解的问题
    choice: 唯一的理解
"""


@pytest.fixture
def switch(tmp_path: Path) -> Path:
    """tiny.yaml with the reading `project_points` (and one reading without choices)."""
    path = tmp_path / "switch.yaml"
    path.write_text(TINY.read_text(encoding="utf-8").replace("facts:\n", READING + "facts:\n", 1), encoding="utf-8")
    return path


def test_readings_lists_questions_clauses_and_choices(switch: Path) -> None:
    result = run("readings", switch)
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "project_points  〔四(二)〕\n"
        "  新引进项目每个加几分?\n"
        "  * one: 每个加1分最高3分 (default)\n"
        "    ten: 每个加10分最高50分\n"
        "\n"
        "stated\n"
        "  一个只有一种理解的问题\n"
        "  = 唯一的理解\n"
        "\n"
        "2 readings, 1 with choices (apprule score --reading ID=CHOICE)\n")
    marked = run("readings", switch, "--reading", "project_points=ten").stdout
    assert "    one: 每个加1分最高3分 (default)\n  * ten: 每个加10分最高50分\n" in marked
    data = json.loads(run("readings", switch, "--format", "json").stdout)
    assert data[0]["in_force"] == "one" and data[0]["choices"]["ten"]["default"] is False
    assert data[1] == {"id": "stated", "clause": None, "question": "一个只有一种理解的问题", "choice": "唯一的理解",
                       "in_force": None, "choices": {}}


def test_a_choice_changes_the_scores_and_the_ranks(switch: Path) -> None:
    # 东镇: 45 + 36.5 + 9.5 + 评价2 + 表彰2 = 95, 项目2个; 西镇: 40 + 30 + 9 + 0 = 79, 项目5个
    # one: 东镇 95 + 2 = 97, 西镇 79 + 3 (最高3分) = 82;  ten: 东镇 95 + 20 = 115, 西镇 79 + 50 = 129
    default = json.loads(run("score", switch, TINY_FACTS, "--format", "json").stdout)
    chosen = json.loads(run("score", switch, TINY_FACTS, "--format", "json", "--reading", "project_points=ten").stdout)
    assert default["scheme"]["readings"] == {"project_points": "one"}
    assert chosen["scheme"]["readings"] == {"project_points": "ten"}
    def scores(data: dict[str, Any]) -> list[tuple[Decimal, int]]:
        return [(Decimal(data["units"][u]["total"]), data["units"][u]["rank"]) for u in ("东镇", "西镇")]

    assert scores(default) == [(97, 1), (82, 2)]
    assert scores(chosen) == [(115, 2), (129, 1)]


def test_the_api_takes_readings(switch: Path) -> None:
    scheme = load_scheme(switch, readings={"project_points": "ten"})
    assert scheme.readings == {"project_points": "ten"}
    result = scheme.evaluate({"西镇": {"party": 40, "work": 30, "done": 0.9, "grade_in": "中", "projects": 5}},
                             partial=True)["西镇"]
    assert result.total == 129 and result.readings == {"project_points": "ten"}
    assert load_scheme(TINY).readings == {}  # no switchable reading: nothing to say


def test_an_unknown_reading_or_choice_names_the_file_the_reading_and_the_choices(switch: Path) -> None:
    result = run("score", switch, TINY_FACTS, "--reading", "project=ten")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{switch}:10:1: unknown-reading: 'project' is no reading of the scheme "
                                    "(readings with choices: project_points) (at readings)\n")
    result = run("score", switch, TINY_FACTS, "--reading", "stated=other")
    assert result.stderr.startswith(f"{switch}:10:1: unknown-reading: 'stated' states one choice and has none to "
                                    "switch to (readings with choices: project_points) (at readings)\n")
    result = run("score", switch, TINY_FACTS, "--reading", "project_points=five")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{switch}:11:5: unknown-choice: reading 'project_points' has no choice 'five' "
                                    "(choices: one, ten) (at readings[0])\n")


@pytest.mark.parametrize("given", ["project_points", "=ten", "project_points="])
def test_a_reading_option_is_id_equals_choice(switch: Path, given: str) -> None:
    result = run("score", switch, TINY_FACTS, "--reading", given)
    assert result.exit_code == 2
    assert (f"Invalid value for '--reading': {given!r} is not ID=CHOICE (e.g. indicator_measure=ratio; "
            "apprule readings SCHEME lists them)") in result.stderr


def test_a_reading_chosen_two_ways_is_refused(switch: Path) -> None:
    result = run("score", switch, TINY_FACTS, "--reading", "project_points=one", "--reading", "project_points=ten")
    assert result.exit_code == 2
    assert "reading 'project_points' is chosen twice (one, ten)" in result.stderr


def test_every_output_says_which_readings_were_in_force(switch: Path, tmp_path: Path) -> None:
    table = run("score", switch, TINY_FACTS, "--reading", "project_points=ten").stdout
    assert table.endswith("readings in force: 每个加10分最高50分 [project_points=ten]\n")  # the choice's label
    raw = run("score", switch, TINY_FACTS, "--format", "csv").stdout_bytes.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(raw)))
    assert {row["Readings [readings]"] for row in rows} == {"project_points=one"}
    out = tmp_path / "r.xlsx"
    assert run("score", switch, TINY_FACTS, "-o", out, "--reading", "project_points=ten").exit_code == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["乡镇", "部门", "Breakdown", "Outcomes", "Readings in force"]  # an English scheme
    assert list(book["Readings in force"].iter_rows(values_only=True))[1] == ("project_points", "四(二)", "新引进项目每个加几分?",
                                                                "ten", "每个加10分最高50分")
    text = run("explain", switch, TINY_FACTS, "西镇", "--reading", "project_points=ten").stdout
    assert text.endswith("readings in force: 每个加10分最高50分 [project_points=ten]\n")
    data = json.loads(run("explain", switch, TINY_FACTS, "西镇", "--format", "json").stdout)
    assert data["readings"] == {"project_points": "one"}
    # a scheme without switchable readings: the outputs are as they were
    assert "readings" not in run("score", TINY, TINY_FACTS).stdout


def test_check_loads_every_choice(switch: Path) -> None:
    result = run("check", switch)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.endswith("(2 groups, 7 facts, 1 other choice of its readings)\n")
    broken = switch.read_text(encoding="utf-8").replace("points: 10}, max: 50", "points: 10}, max: many")
    switch.write_text(broken, encoding="utf-8")
    result = run("check", switch)
    assert result.exit_code == 2
    # the problem points at the override that brought the bad value in, and names the choice
    assert result.stderr.startswith(f"{switch}:18:66: wrong-type: expected a number (got 'many') "
                                    "(under reading project_points=ten) (at groups[0].adjustments.rules[1].max)\n")
    # the default reading loads: only the choice is broken
    assert load_scheme(switch).readings == {"project_points": "one"}


def test_an_override_naming_no_node_is_found_at_load_even_unchosen(switch: Path) -> None:
    switch.write_text(switch.read_text(encoding="utf-8").replace("overrides: {proj:", "overrides: {prj:"),
                      encoding="utf-8")
    with pytest.raises(SchemeError) as caught:
        load_scheme(switch)
    assert [(p.code, p.message) for p in caught.value.problems] == [
        ("unknown-node", "no rule, section or group 'prj' in the scheme")]
    assert caught.value.problems[0].path == ("readings", 0, "choices", "ten", "overrides", "prj")


@pytest.mark.parametrize(("change", "message"), [
    ("one: {label: 每个加1分最高3分, default: true}", "one: {label: 每个加1分最高3分}"),
    ("ten:\n        label:", "ten:\n        default: true\n        label:"),
])
def test_exactly_one_choice_is_the_default(switch: Path, change: str, message: str) -> None:
    switch.write_text(switch.read_text(encoding="utf-8").replace(change, message), encoding="utf-8")
    with pytest.raises(SchemeError) as caught:
        load_scheme(switch)
    found = "none" if "default" not in message else "one, ten"
    assert caught.value.problems[0].message == (f"reading 'project_points' needs exactly one choice with "
                                                f"`default: true` (found {found})")


def test_a_reading_with_both_choice_and_choices_is_refused(switch: Path) -> None:
    switch.write_text(switch.read_text(encoding="utf-8").replace("    choices:\n", "    choice: 两者\n    choices:\n"),
                      encoding="utf-8")
    with pytest.raises(SchemeError) as caught:
        load_scheme(switch)
    assert caught.value.problems[0].message == ("reading 'project_points' needs exactly one of choice, choices "
                                                "(found choice, choices)")


def test_apprule_test_runs_cases_under_a_reading(switch: Path, tmp_path: Path) -> None:
    cases = tmp_path / "cases.yaml"
    cases.write_text(f"""scheme: {switch.name}
cases:
  - description: 默认理解
    units: {{西镇: {{party: 40, work: 30, done: 0.9, grade_in: 中, projects: 5}}}}
    expect: {{西镇: {{total: 82}}}}
  - description: 每个加10分
    readings: {{project_points: ten}}
    units: {{西镇: {{party: 40, work: 30, done: 0.9, grade_in: 中, projects: 5}}}}
    expect: {{西镇: {{total: 129}}}}
""", encoding="utf-8")
    result = run("test", cases)
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("2 passed, 0 failed\n")
    # the whole file under `ten`: the first case now fails, the second names its own reading
    result = run("test", cases, "--reading", "project_points=ten")
    assert result.exit_code == 1
    assert "FAIL" in result.stdout and "西镇.total: 82" in result.stdout
    assert result.stdout.endswith("1 passed, 1 failed\n")


def test_a_dotted_override_key_changes_one_key_inside_the_node(switch: Path) -> None:
    text = switch.read_text(encoding="utf-8")
    # `per.points: 2` keeps `per`'s `of: projects` and the rule's max 3: one project earns 2
    switch.write_text(text.replace("overrides: {proj: {per: {of: projects, points: 10}, max: 50}}",
                                   "overrides: {proj: {per.points: 2}}"), encoding="utf-8")
    facts = {"西镇": {"party": 40, "work": 30, "done": 0.9, "grade_in": "中", "projects": 1}}
    assert load_scheme(switch, readings={"project_points": "ten"}).evaluate(facts, partial=True)["西镇"].values[
        "proj"] == 2
    switch.write_text(text.replace("overrides: {proj: {per: {of: projects, points: 10}, max: 50}}",
                                   "overrides: {proj: {pre.points: 2}}"), encoding="utf-8")
    with pytest.raises(SchemeError) as caught:
        load_scheme(switch)
    assert [(p.code, p.message, p.path) for p in caught.value.problems] == [
        ("unknown-key", "'proj' has no mapping 'pre' to change",
         ("readings", 0, "choices", "ten", "overrides", "proj", "pre.points"))]


def test_a_chinese_schemes_readings_in_chinese() -> None:
    """赫山's 23 readings, 2 of them switches (quota_floor, quota_passes_down): apprule's own words in Chinese."""
    lines = run("readings", "heshan_2013").stdout.splitlines()
    assert "  * floor: 向下取整(默认)" in lines and "    half_up: 四舍五入" in lines
    assert lines[-1] == "23项解读,其中2项可选(计分时以 --reading 解读编号=选项编号 选用)"
    english = run("readings", "heshan_2013", "--lang", "en").stdout.splitlines()
    assert "  * floor: 向下取整 (default)" in english
    assert english[-1] == "23 readings, 2 with choices (apprule score --reading ID=CHOICE)"
