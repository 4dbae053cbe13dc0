"""`apprule facts` shows what the scheme checks of each fact, and what may be deferred, where offices read it:
the listing, the YAML template's comments and the XLSX template's 说明 sheet."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from apprule import load_scheme
from apprule.io.template import facts_table

from conftest import run

# the test in words, by the fields' labels (place <= ranked), then the scheme's message
HEBI_CHECK = "名次 ≤ 该次通报参与排名的单位数(名次不能大于该次通报参与排名的单位数)"


def test_the_listing_has_a_checks_column() -> None:
    rows = facts_table(load_scheme("hebi_2021"))
    assert rows[0] == ["事实", "名称", "类型", "计量单位", "取值", "校验", "必填", "使用的组别"]
    checks = {row[0]: row[5] for row in rows[1:]}
    assert checks["city_rankings"] == HEBI_CHECK
    assert {fact for fact, text in checks.items() if text} == {"city_rankings"}
    assert "校验" in run("facts", "hebi_2021").stdout


def test_a_deferrable_fact_says_so_in_what_it_accepts() -> None:
    accepts = {row[0]: row[4] for row in facts_table(load_scheme("beipiao_2017"))[1:]}
    assert accepts["chaoyang_rank"] == "非负整数、≥ 1、或填“转入下年度”(本年度按未填计,结转下年度)"


def test_the_yaml_template_comments_each_facts_checks() -> None:
    text = run("facts", "xingyang_2021", "--format", "yaml").stdout
    lines = [line for line in text.splitlines() if "zhengzhou_rankings:" in line]
    assert lines and all(line.endswith(";校验:我市名次 ≤ 参加排名的单位数(我市名次不能大于参加排名的单位数),选填")
                         for line in lines)


def test_the_xlsx_template_lists_the_checks_on_its_notes_sheet(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    assert run("facts", "hebi_2021", "-o", path).exit_code == 0
    rows = list(openpyxl.load_workbook(path)["说明"].iter_rows(values_only=True))
    assert rows[0][5] == "校验"
    assert [row[5] for row in rows if row[0] == "city_rankings"] == [HEBI_CHECK]
