"""`apprule diff`: one set of facts scored two ways; every unit that changes, with the rules that moved it."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl

from apprule import load_scheme
from apprule.diff import diff_evaluations, outcomes
from conftest import TINY, TINY_FACTS, run
from test_readings import switch  # noqa: F401  (the fixture)

TEN = ("--reading", "project_points=ten", "--against-reading", "project_points=one")


def test_two_choices_of_a_reading_as_a_table(switch: Path) -> None:  # noqa: F811
    result = run("diff", switch, TINY_FACTS, *TEN)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:2] == ["base: tiny (每个加1分最高3分 [project_points=one])",
                         "new:  tiny (每个加10分最高50分 [project_points=ten])"]
    assert lines[3].split() == ["Unit", "Group", "Total", "Rank", "Grade", "Honours/flags/vetoes", "Rules", "changed"]
    assert lines[-1] == "2 units changed"
    east = next(line for line in lines if line.lstrip().startswith("东镇"))
    # 东镇 97 → 115, rank 1 → 2; 新引进项目 2个: 2 → 20; 加减分 2 + 2 + 2 = 6 → 2 + 20 + 2 = 24
    assert east.split() == ["东镇", "towns", "97.00", "→", "115.00", "1", "→", "2", "—", "—",
                            "新引进项目", "[proj]", "2", "→", "20;", "加减分", "[adj]", "6", "→", "24"]


def test_the_same_as_json_lists_parts_and_nodes(switch: Path) -> None:  # noqa: F811
    data = json.loads(run("diff", switch, TINY_FACTS, *TEN, "--format", "json").stdout)
    assert data["base"] == {"scheme": "tiny", "title": "小型考评方案", "readings": {"project_points": "one"}}
    assert data["new"]["readings"] == {"project_points": "ten"}
    west = next(u for u in data["units"] if u["unit"] == "西镇")
    # 西镇 5个项目: one 最高3分, ten 50分; 79 + 3 = 82 → 79 + 50 = 129, rank 2 → 1
    assert west["changed"] == ["total", "rank"]
    assert (west["base"]["total"], west["new"]["total"], west["base"]["rank"], west["new"]["rank"]) == (
        "82.00", "129.00", 2, 1)
    assert [(n["id"], n["base"], n["new"]) for n in west["nodes"]] == [("proj", "3", "50"), ("adj", "3", "50")]
    assert [u["unit"] for u in data["units"]] == ["东镇", "西镇"]  # 南镇 has no project: unchanged
    assert data["only_base"] == data["only_new"] == []


def test_the_same_as_a_workbook(switch: Path, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "diff.xlsx"
    assert run("diff", switch, TINY_FACTS, *TEN, "-o", out).exit_code == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Changes", "Rules", "About"]  # the tiny scheme says no language: English
    nodes = list(book["Rules"].iter_rows(values_only=True))
    assert nodes[0] == ("Unit", "Group", "Rule id", "Rule", "Clause", "Base", "New")
    assert nodes[1][:3] == ("东镇", "towns", "proj") and nodes[1][5:] == (2, 20)
    about = list(book["About"].iter_rows(values_only=True))
    assert about[-1] == ("Reading [project_points]", "one", "ten")


def test_two_scheme_files(switch: Path, tmp_path: Path) -> None:  # noqa: F811
    """This year's revision against last year's: the base is --against."""
    last_year = tmp_path / "last.yaml"
    last_year.write_text(TINY.read_text(encoding="utf-8").replace("好: 2, 中: 0, 差: -2", "好: 1, 中: 0, 差: -1"),
                         encoding="utf-8")
    data = json.loads(run("diff", TINY, TINY_FACTS, "--against", last_year, "--format", "json").stdout)
    # 上级评价 好 1 → 2 (东镇), 差 −1 → −2 (南镇); 西镇 中 0 either way. The totals are summed in fixed point,
    # one scale for the whole column: 东镇's 任务完成 0.95 × 10 = 9.50 carries two places, so every total does
    # (南镇's 84 is 84.00: the same number, no longer shown at the places of its own terms alone)
    assert [(u["unit"], u["base"]["total"], u["new"]["total"]) for u in data["units"]] == [
        ("东镇", "96.00", "97.00"), ("南镇", "84.00", "83.00")]
    assert [n["id"] for n in data["units"][0]["nodes"]] == ["eval", "adj"]


def test_nothing_changes(switch: Path) -> None:  # noqa: F811
    result = run("diff", switch, TINY_FACTS, "--against-reading", "project_points=one")
    assert result.exit_code == 0
    assert result.stdout == ("base: tiny (每个加1分最高3分 [project_points=one])\n"
                             "new:  tiny (每个加1分最高3分 [project_points=one])\n0 units changed\n")


def test_a_diff_needs_another_way(switch: Path) -> None:  # noqa: F811
    result = run("diff", switch, TINY_FACTS, "--reading", "project_points=ten")
    assert result.exit_code == 2
    assert "name the other way to score: --against SCHEME, or --against-reading ID=CHOICE" in result.stderr


def test_an_unknown_choice_on_the_against_side(switch: Path) -> None:  # noqa: F811
    result = run("diff", switch, TINY_FACTS, "--against-reading", "project_points=two")
    assert result.exit_code == 2
    assert "unknown-choice: reading 'project_points' has no choice 'two' (choices: one, ten)" in result.stderr


def test_outcomes_changes_are_listed(switch: Path) -> None:  # noqa: F811
    """A change only in the outcomes (a veto lifted) lists the unit, though its total stays."""
    facts = {"南镇": {"party": 42, "work": 33, "done": 1, "grade_in": "差", "projects": 0, "veto": True}}
    base = load_scheme(TINY)
    new = load_scheme(TINY.read_text(encoding="utf-8").replace("when: veto,", "when: veto and projects > 100,"), name="new.yaml")
    found = diff_evaluations(base.evaluate(facts, partial=True), new.evaluate(facts, partial=True), base, new)
    [change] = found.units
    assert change.changed == ("rank", "outcomes") and change.nodes == ()
    assert change.base["outcomes"] == ("veto [v]: 一票否决",) and change.new["outcomes"] == ()
    assert outcomes(new.evaluate(facts, partial=True)["南镇"]) == ()


def test_a_chinese_schemes_diff_speaks_chinese(tmp_path: Path) -> None:
    """鹤壁 under both choices of indicator_measure: the lines, the headers and the workbook in Chinese; 金山园区
    340.50 → 410.50, 海河街道办事处 326.00 → 346.00, 龙岗街道办事处 156.50 → 141.50 (the JSON below)."""
    ways = ("--reading", "indicator_measure=ratio", "--against-reading", "indicator_measure=points")
    lines = run("diff", "hebi_2021", "example", *ways).stdout.splitlines()
    assert lines[:2] == ["基准:hebi_2021(两项比率指标按百分点, 七项总量指标按完成比例 [indicator_measure=points])",
                         "对比:hebi_2021(九项指标一律按完成比例 [indicator_measure=ratio])"]
    assert lines[3].split() == ["单位", "组别", "总分", "排名", "等次", "荣誉/标记/否决", "变化的规则"]
    assert lines[-1] == "3个单位有变化"
    data = json.loads(run("diff", "hebi_2021", "example", *ways, "--format", "json").stdout)
    assert [(u["unit"], u["base"]["total"], u["new"]["total"]) for u in data["units"]] == [
        ("金山园区", "340.50", "410.50"), ("海河街道办事处", "326.00", "346.00"), ("龙岗街道办事处", "156.50", "141.50")]
    assert data["units"][0]["base"]["outcomes"] == ["荣誉 [记功]: 记功"]
    out = tmp_path / "对比.xlsx"
    assert run("diff", "hebi_2021", "example", *ways, "-o", out).exit_code == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["变化", "规则", "说明"]
    assert next(book["规则"].iter_rows(values_only=True)) == ("单位", "组别", "规则编号", "项目", "依据", "基准", "对比")
    assert list(book["说明"].iter_rows(values_only=True))[-1] == ("解读 [indicator_measure]", "points", "ratio")
