"""Issue 18, one number format and headers that tell the truth: every score to the places its scheme declares,
in the table, CSV, JSON and XLSX (read back with openpyxl); group labels where people read; an unknown
output ending refused."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from rich.cells import cell_len

from apprule import i18n, load_scheme
from apprule.shown import GroupShown, fixed

from conftest import TINY, TINY_FACTS, run

#: one group, one section, no rounding anywhere: what the facts say is what is scored
TIE = """
dsl: 1
id: tie
title: 并列
issuer: 考评办
language: zh
date: 2021-01-05
period: {kind: year, start: 2021-01-01, end: 2021-12-31}
DISPLAY
facts:
  a: {type: number, label: 得分}
groups:
  - id: towns
    label: 乡镇
    units: [甲镇, 乙镇, 丙镇]
    max: 100
    sections:
      - {id: work, label: 工作, max: 100, score: a}
    ranking: {}
"""


def tie_scheme(tmp_path: Path, display: str = "") -> tuple[Path, Path]:
    scheme = tmp_path / "tie.yaml"
    scheme.write_text(TIE.replace("DISPLAY", display), encoding="utf-8")
    facts = tmp_path / "tie.facts.yaml"
    facts.write_text('甲镇: {a: "92"}\n乙镇: {a: "92.00"}\n丙镇: {a: "91.5"}\n', encoding="utf-8")
    return scheme, facts


@pytest.mark.parametrize(("value", "places", "shown"), [
    ("92", 2, "92.00"), ("92.0000", 2, "92.00"), ("91.5", 2, "91.50"), ("-0", 2, "0.00"), ("-2.5", 2, "-2.50"),
    ("1E+1", 2, "10.00"), ("92.5", 0, "92.5"),  # never rounded for show: the digits it carries stay
    ("34.999999999999999999", 2, "34.999999999999999999"), ("0.12500", 2, "0.125"), ("7", 0, "7")])
def test_a_score_shows_its_places_and_never_loses_a_digit(value: str, places: int, shown: str) -> None:
    assert fixed(Decimal(value), places) == shown


def test_a_tied_pair_looks_the_same_everywhere(tmp_path: Path) -> None:
    """92 and 92.00 are one number: the same text in the table, CSV and JSON, the same cell in XLSX."""
    scheme, facts = tie_scheme(tmp_path)
    table = run("score", scheme, facts).stdout.splitlines()
    rows = [line.split() for line in table if "镇" in line and "乡镇" not in line]
    assert rows == [["1", "乙镇", "92.00"], ["1", "甲镇", "92.00"], ["3", "丙镇", "91.50"]]
    assert table[0] == "乡镇  满分 100"  # no adjustments: the total cannot pass the maximum
    data = json.loads(run("score", scheme, facts, "--format", "json").stdout)
    assert [data["units"][u]["total"] for u in ("甲镇", "乙镇", "丙镇")] == ["92.00", "92.00", "91.50"]
    assert [data["units"][u]["values"]["work"] for u in ("甲镇", "乙镇")] == ["92.00", "92.00"]
    assert data["units"]["甲镇"]["sections"][0]["value"] == "92.00"
    rows = list(csv.reader(io.StringIO(run("score", scheme, facts, "--format", "csv").stdout_bytes.decode("utf-8-sig"))))
    assert [(r[3], r[4], r[12]) for r in rows[1:]] == [("乙镇", "92.00", "92.00"), ("甲镇", "92.00", "92.00"),
                                                        ("丙镇", "91.50", "91.50")]
    out = tmp_path / "r.xlsx"
    assert run("score", scheme, facts, "-o", out).exit_code == 0
    sheet = openpyxl.load_workbook(out)["乡镇"]
    assert [(c.value, c.number_format) for c in sheet["E"][1:]] == [(92, "0.00"), (92, "0.00"), (91.5, "0.00")]


def test_the_scheme_declares_its_default_places_and_a_round_beats_it(tmp_path: Path) -> None:
    scheme, facts = tie_scheme(tmp_path, "display_places: 1")
    assert load_scheme(scheme).definition.display_places == 1
    assert [line.split()[2] for line in run("score", scheme, facts).stdout.splitlines()[4:7]] == \
        ["92.0", "92.0", "91.5"]
    text = scheme.read_text(encoding="utf-8").replace("ranking: {}", "total: {round: 0}\n    ranking: {}")
    scheme.write_text(text, encoding="utf-8")
    data = json.loads(run("score", scheme, facts, "--format", "json").stdout)
    assert data["units"]["丙镇"]["total"] == "92" and data["units"]["丙镇"]["values"]["work"] == "91.5"
    assert load_scheme(TINY).definition.display_places == 2  # the default: 保留两位小数


def test_points_line_up_in_the_table_even_where_a_value_carries_more_digits(tmp_path: Path) -> None:
    """A value no rule rounds keeps every digit; the others are padded so that the points stay in one column."""
    facts = tmp_path / "facts.yaml"
    facts.write_text(TINY_FACTS.read_text(encoding="utf-8").replace("work: 35", "work: 34.999999999999999999"),
                     encoding="utf-8")
    out = run("score", TINY, facts, "--group", "depts")
    rows = [line for line in out.stdout.splitlines() if "财政局" in line or "007" in line]
    assert [r.split()[2] for r in rows] == ["79.50", "78.999999999999999999"]
    assert len({cell_len(r[:r.index(".")]) for r in rows}) == 1


def test_the_heading_says_what_the_total_may_reach(tmp_path: Path) -> None:
    base = TIE.replace("DISPLAY", "")
    adjusted = base.replace("    ranking: {}", """    adjustments:
      id: adj
      label: 加减分
      BLOCK
      rules:
        - {id: bonus, label: 加分, per: {of: a, points: 1}}
        - {id: minus, label: 减分, per: {of: a, points: -1}}
    ranking: {}""")

    def heading(text: str) -> str | None:
        scheme = load_scheme(text)
        return GroupShown(scheme.definition, scheme.groups[0]).maximum()

    with i18n.using("zh"):
        assert heading(base) == "满分 100"
        assert heading(adjusted.replace("BLOCK", "")) == "满分 100(加减分另计)"
        assert heading(adjusted.replace("BLOCK", "bonus_cap: 5")) == "满分 100(总分最高 105)"
        assert heading(adjusted.replace("BLOCK", "bonus_cap: 5\n      deduction_cap: 10")) == \
            "满分 100(总分 -10 至 105)"
        assert heading(base.replace("    max: 100\n", "")) == "总分 0 至 100"
        formula = base.replace("    ranking: {}", "    total: {formula: sections * a}\n    ranking: {}")
        assert heading(formula) == "满分 100(总分可超过满分)"
    with i18n.using("en"):
        assert heading(adjusted.replace("BLOCK", "")) == "max 100 (adjustments extra)"
        assert heading(adjusted.replace("BLOCK", "bonus_cap: 5")) == "max 100 (total up to 105)"


def test_xlsx_cells_read_back(tmp_path: Path) -> None:
    """Numbers with their formats, Chinese headers, group labels, and each rule's kind in words."""
    out = tmp_path / "r.xlsx"
    assert run("--lang", "zh", "score", TINY, TINY_FACTS, "-o", out).exit_code == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["乡镇", "部门", "明细", "结果运用"]
    towns = book["乡镇"]
    assert [c.value for c in towns[1]][:11] == [
        "组别 [group]", "序列 [sequence]", "排名 [rank]", "单位 [unit]", "总分 [total]", "等次 [grade]",
        "荣誉 [honours]", "标记 [flags]", "否决事项 [vetoes]", "否决前排名 [would_be_rank]", "否决前等次 [would_be_grade]"]
    east = {head.value: cell for head, cell in zip(towns[1], towns[2])}
    assert east["组别 [group]"].value == "乡镇" and east["序列 [sequence]"].value == "北片"
    assert (east["排名 [rank]"].value, east["排名 [rank]"].number_format) == (1, "0")
    assert (east["总分 [total]"].value, east["总分 [total]"].number_format) == (97, "0.00")
    assert (east["任务完成 [done_s]"].value, east["任务完成 [done_s]"].number_format) == (9.5, "0.00")
    breakdown = book["明细"]
    assert [c.value for c in breakdown[1]] == ["单位", "组别", "层级", "编号", "项目", "类型", "依据", "得分", "满分",
                                               "数据", "说明", "荣誉", "标记"]
    rows = {(r[0].value, r[3].value): r for r in breakdown.iter_rows(min_row=2)}
    kinds = {node: rows[("东镇", node)][5].value for node in ("东镇", "total", "party_s", "done_s", "adj", "eval",
                                                                "proj", "award", "rank")}
    assert kinds == {"东镇": "单位", "total": "总分", "party_s": "直接得分 (不超过满分)", "done_s": "完成率计分",
                     "adj": "加减分", "eval": "对照表计分", "proj": "按个数计分 (每…加/减…分)", "award": "逐个事件计分",
                     "rank": "名次"}
    assert {rows[(u, u)][1].value for u in ("东镇", "007")} == {"乡镇", "部门"}
    award = rows[("东镇", "award")]
    assert (award[7].value, award[7].number_format, award[8].value) == (2, "0.00", None)
    party = rows[("东镇", "party_s")]
    assert (party[7].value, party[8].value, party[8].number_format) == (45, 50, "0.00")
    assert (rows[("东镇", "rank")][7].value, rows[("东镇", "rank")][7].number_format) == (1, "0")


def test_the_breakdown_says_what_the_explanation_says(tmp_path: Path) -> None:
    """明细's 数据 and 说明 are the explanation's words for each rule: labels with units, ratios to the places
    compared (鹤壁 五(一)1: 31.5 ÷ 30 = 105.00%, one whole 5% step), never a quotient's 34 digits."""
    out = tmp_path / "r.xlsx"
    assert run("score", "hebi_2021", "example", "-o", out).exit_code == 0
    rows = list(openpyxl.load_workbook(out)["明细"].iter_rows(values_only=True))
    assert rows[0][6] == "依据" and rows[0][9:11] == ("数据", "说明")
    by_rule = {row[3]: row for row in rows[1:] if row[0] == "海河街道办事处"}
    assert by_rule["domestic_capital_steps"][6:11] == (
        "五(一)1、五(二)1", 5, None, "实际引进省外资金完成值 31.5亿元;实际引进省外资金目标值 30亿元",
        "31.5 ÷ 30 = 105.00%,超额完成5.00%,每5%一档,计1档:1 × 5 = 5")
    assert by_rule["retail_sales_steps"][10] == "10.1 ÷ 10.5 = 96.19%,距目标差3.81%,不足5%,不减分"
    assert by_rule["total"][10] == "考核得分93.00 + 加减分233.00"
    explained = run("explain", "hebi_2021", "example", "海河街道办事处").stdout
    for node in ("domestic_capital_steps", "retail_sales_steps", "awards_r", "new_taxpayers_r"):
        notes, inputs = by_rule[node][10], by_rule[node][9]
        assert f"数据:{inputs}" in explained and all(f"· {note}" in explained for note in notes.split(";"))
    assert not [row[10] for row in rows[1:] if row[10] and re.search(r"\d\.\d{6}", row[10])]


def test_xlsx_in_english(tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    assert run("--lang", "en", "score", TINY, TINY_FACTS, "-o", out).exit_code == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["乡镇", "部门", "Breakdown", "Outcomes"]  # sheets per group take the group's label
    assert book["乡镇"]["A1"].value == "Group [group]" and book["乡镇"]["A2"].value == "乡镇"
    kinds = [row[5] for row in book["Breakdown"].iter_rows(min_row=2, values_only=True) if row[0] == "东镇"]
    assert kinds[:4] == ["assessed unit", "total", "score", "score"] and "for_each" in kinds and "adjustments" in kinds


def test_an_unknown_output_ending_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "结果.pdf"
    result = run("--lang", "zh", "score", TINY, TINY_FACTS, "-o", out)
    assert result.exit_code == 2 and not out.exists() and result.stdout == ""
    assert result.stderr.splitlines()[-1] == (
        f"错误:'--output' / '-o' 的值无效:{str(out)!r}: apprule 不能写 .pdf 文件;请用它能写的后缀"
        "(.txt, .json, .csv, .xlsx)或 --format")  # click's own words in the catalogue too
    result = run("--lang", "en", "score", TINY, TINY_FACTS, "-o", out)
    assert result.exit_code == 2 and result.stderr.splitlines()[-1] == (
        f"Error: Invalid value for '--output' / '-o': {str(out)!r}: apprule cannot write a .pdf file; give an "
        "ending it writes (.txt, .json, .csv, .xlsx) or --format")
    assert run("facts", TINY, "-o", tmp_path / "t.json").exit_code == 2
    assert run("score", TINY, TINY_FACTS, "--format", "csv", "-o", out).exit_code == 0  # asked for: written
    assert run("--lang", "zh", "score", TINY, TINY_FACTS, "-o", tmp_path / "结果").exit_code == 0  # the table
    assert (tmp_path / "结果").read_text(encoding="utf-8").startswith("乡镇  满分 100(加减分另计)\n")


def test_the_library_writes_in_the_schemes_language_unless_one_is_chosen(tmp_path: Path) -> None:
    from apprule.io import read_facts, write_results

    chinese = tmp_path / "tiny.yaml"
    chinese.write_text(TINY.read_text(encoding="utf-8").replace("\ndate:", "\nlanguage: zh\ndate:"), encoding="utf-8")
    scheme = load_scheme(chinese)
    evaluation = scheme.evaluate(read_facts(TINY_FACTS, scheme).facts)
    book = openpyxl.load_workbook(io.BytesIO(write_results(evaluation, scheme, "xlsx")))
    assert book.sheetnames[-2:] == ["明细", "结果运用"] and book["乡镇"]["A1"].value == "组别 [group]"
    with i18n.using("en"):
        book = openpyxl.load_workbook(io.BytesIO(write_results(evaluation, scheme, "xlsx")))
    assert book.sheetnames[-2:] == ["Breakdown", "Outcomes"] and book["乡镇"]["A1"].value == "Group [group]"
    assert json.loads(write_results(evaluation, scheme, "json"))["groups"]["towns"]["maximum"] == "满分 100(加减分另计)"


def test_the_templates_notes_sheet_says_how_to_fill_it_in_in_chinese(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    assert run("--lang", "zh", "facts", TINY, "-o", out).exit_code == 0
    notes = openpyxl.load_workbook(out)["说明"]
    assert str(notes.cell(notes.max_row, 1).value).startswith("填写说明:每个单位在其组别的工作表中填一行")
