"""`apprule facts`: the declared facts, and templates that read back as facts once filled in."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl

from apprule.scheme.yamlsource import read_yaml

from conftest import ROOT, TINY, run


def test_the_declared_facts_as_a_table() -> None:
    result = run("facts", TINY)
    assert result.exit_code == 0
    for text in ("party", "党建得分", "number", "≥ 0", "≤ 50", "awards", "list of events", "level", "省级 | 市级", "乡镇"):
        assert text in result.stdout, text
    chinese = run("--lang", "zh", "facts", TINY).stdout
    for text in ("事实", "名称", "数值", "事件清单", "(文本)", "非负整数", "乡镇"):
        assert text in chinese, text


def test_xlsx_template_layout(template_xlsx: Path) -> None:
    book = openpyxl.load_workbook(template_xlsx)
    assert book.sheetnames == ["towns", "depts", "awards", "说明"]
    towns = list(book["towns"].iter_rows(values_only=True))
    assert towns[0][:3] == ("单位 [unit]", "序列 [sequence]", "党建得分 [party]")
    assert [row[:2] for row in towns[1:]] == [("东镇", "north"), ("西镇", "north"), ("南镇", "south")]
    assert all(v is None for row in towns[1:] for v in row[2:])  # blank to fill in
    assert [c.value for c in book["depts"][1]] == ["单位 [unit]", "党建得分 [party]", "工作得分(分) [work]"]
    assert book["depts"].max_row == 1  # no roster: the office adds its units
    # an event carried in from the last period names it (转入自)
    assert [c.value for c in book["awards"][1]] == ["单位 [unit]", "级别 [level]", "事项 [matter]", "日期 [date]",
                                                  "转入自 [carried_from]"]
    assert book["towns"]["A2"].number_format == "@"  # unit ids are text
    lists = [dv.formula1 for dv in book["towns"].data_validations.dataValidation]
    assert '"好,中,差"' in lists and '"是,否"' in lists


def test_blank_xlsx_template_names_every_blank_cell(template_xlsx: Path) -> None:
    result = run("score", TINY, template_xlsx)
    assert result.exit_code == 1
    assert result.stderr.count("blank-cell") == 3 * 5  # three towns, five required facts each


def test_csv_template_sections() -> None:
    result = run("facts", TINY, "--format", "csv")
    assert result.stdout_bytes.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(result.stdout_bytes.decode("utf-8-sig"))))
    assert rows[0] == ["[towns]"] and rows[2][:2] == ["东镇", "north"]
    assert ["[awards]"] in rows and ["[depts]"] in rows


def test_yaml_template_filled_in_scores(tmp_path: Path) -> None:
    result = run("facts", TINY, "--format", "yaml")
    text = result.stdout
    assert "东镇:" in text and "# veto:" in text and "awards: []" in text and "group: depts" in text
    filled = (text.replace("party:", "party: 40").replace("work:", "work: 30").replace("done:", "done: 1")
              .replace("grade_in:", "grade_in: 好").replace("projects:", "projects: 0"))
    path = tmp_path / "filled.yaml"
    path.write_text(filled, encoding="utf-8")
    data = read_yaml(filled, "filled").data
    assert set(data) == {"东镇", "西镇", "南镇"}
    assert run("score", TINY, path).exit_code == 0


def test_template_output_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "template.csv"
    result = run("facts", TINY, "-o", out)
    assert result.exit_code == 0 and out.read_bytes().startswith(b"\xef\xbb\xbf")


def test_templates_of_every_shipped_scheme(tmp_path: Path) -> None:
    for scheme in sorted((ROOT / "src" / "apprule" / "schemes").glob("*.yaml")):
        out = tmp_path / f"{scheme.stem}.xlsx"
        assert run("facts", scheme, "-o", out).exit_code == 0, scheme
        assert "说明" in openpyxl.load_workbook(out).sheetnames
        assert run("facts", scheme, "--format", "yaml").exit_code == 0


def test_the_date_hint_is_a_date_of_the_schemes_own_period() -> None:
    """赫山 2013 and 北票 2017 are not 2021 schemes: their date fields hint a date their own year holds."""
    for scheme, hint in (("heshan_2013", "(2013-12-31)"), ("beipiao_2017", "(2017-12-31)"),
                         ("xingyang_2021", "(2021-05-31)")):
        table = run("facts", ROOT / "src" / "apprule" / "schemes" / f"{scheme}.yaml")
        template = run("facts", ROOT / "src" / "apprule" / "schemes" / f"{scheme}.yaml", "--format", "yaml")
        for shown in (table.stdout, template.stdout):
            assert hint in shown and "2021-06-30" not in shown, scheme
