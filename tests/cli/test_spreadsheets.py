"""Facts from CSV and XLSX: the template's layout read back, and every mistake named by sheet, row and column."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import pytest

from conftest import CSV_FACTS, TINY, TINY_FACTS, run

Maker = Callable[..., Path]


def _json(*args: Any) -> dict[str, Any]:
    result = run("score", TINY, *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["units"]


def _same(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert set(a) == set(b)
    for unit in a:
        assert Decimal(a[unit]["total"]) == Decimal(b[unit]["total"]), unit
        assert a[unit]["rank"] == b[unit]["rank"]


def test_filled_xlsx_template_scores_like_the_yaml(filled_xlsx: Maker) -> None:
    _same(_json(filled_xlsx()), _json(TINY_FACTS))


def test_csv_with_sections_scores_like_the_yaml(csv_facts: Maker) -> None:
    _same(_json(csv_facts()), _json(TINY_FACTS))


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_encodings(csv_facts: Maker, encoding: str) -> None:
    _same(_json(csv_facts(encoding=encoding)), _json(TINY_FACTS))


def test_csv_unit_ids_keep_leading_zeros(csv_facts: Maker) -> None:
    assert "007" in _json(csv_facts())


def _fails(*args: Any) -> list[str]:
    result = run("score", TINY, *args)
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    return result.stderr.splitlines()


def _has(lines: list[str], *parts: str) -> None:
    assert any(all(p in line for p in parts) for line in lines), "\n".join(lines)


# --- XLSX mistakes -------------------------------------------------------------------------------

def test_xlsx_misspelled_column(filled_xlsx: Maker) -> None:
    path = filled_xlsx(lambda b: setattr(b["towns"]["D1"], "value", "工作得分 [wrok]"))
    _has(_fails(path), "sheet 'towns', row 1, column D", "unknown-column", "did you mean 'work'")


def test_xlsx_column_by_label_or_id_alone(filled_xlsx: Maker) -> None:
    def change(book: Any) -> None:
        book["towns"]["C1"].value = "党建得分"
        book["towns"]["D1"].value = "work"
    _same(_json(filled_xlsx(change)), _json(TINY_FACTS))


def test_xlsx_extra_unit_not_in_the_roster(filled_xlsx: Maker) -> None:
    def change(book: Any) -> None:
        for c, v in enumerate(["北镇", "north", 40, 30, 0.9, "中", 1], start=1):
            book["towns"].cell(5, c, v)
    _has(_fails(filled_xlsx(change)), "sheet 'towns', row 5, column A", "unknown-unit", "北镇")


def test_xlsx_missing_unit(filled_xlsx: Maker) -> None:
    path = filled_xlsx(lambda b: b["towns"].delete_rows(3))
    _has(_fails(path), "sheet 'towns'", "missing-unit", "西镇")
    assert run("score", TINY, path, "--partial").exit_code == 0


def test_xlsx_blank_cell(filled_xlsx: Maker) -> None:
    path = filled_xlsx(lambda b: setattr(b["towns"]["C3"], "value", None))
    _has(_fails(path), "sheet 'towns', row 3, column C (党建得分 [party])", "blank-cell", "西镇")


def test_xlsx_blank_optional_cell_is_the_default(filled_xlsx: Maker) -> None:
    data = _json(filled_xlsx(lambda b: setattr(b["towns"]["H4"], "value", None)))
    assert data["南镇"]["rank"] is not None  # veto left blank: its default (false)


def test_xlsx_number_stored_as_text(filled_xlsx: Maker) -> None:
    path = filled_xlsx(lambda b: setattr(b["towns"]["D2"], "value", "36.5"))
    _has(_fails(path), "sheet 'towns', row 2, column D", "number-as-text", "'36.5'")


def test_xlsx_value_with_its_unit(filled_xlsx: Maker) -> None:
    # 工作得分 [work] is declared in 分: "12分" is 12 (东镇's 36.5 becomes 12, its total 24.5 lower); 12万元 is refused
    before = _json(filled_xlsx(lambda b: None))["东镇"]["total"]
    after = _json(filled_xlsx(lambda b: setattr(b["towns"]["D2"], "value", "12分")))["东镇"]["total"]
    assert Decimal(before) - Decimal(after) == Decimal("24.5")
    path = filled_xlsx(lambda b: setattr(b["towns"]["D2"], "value", "12万元"))
    _has(_fails(path), "sheet 'towns', row 2, column D (工作得分(分) [work]): wrong-unit: '12万元': 万元 (人民币) does "
         "not convert into the fact's unit 分")


def test_xlsx_merged_header_cell(filled_xlsx: Maker) -> None:
    path = filled_xlsx(lambda b: b["depts"].merge_cells("B1:C1"))
    _has(_fails(path), "sheet 'depts', row 1, column B", "merged-cells", "B1:C1", "header")


def test_xlsx_unit_id_as_a_number(filled_xlsx: Maker) -> None:
    path = filled_xlsx(lambda b: setattr(b["depts"]["A2"], "value", 7))
    _has(_fails(path), "sheet 'depts', row 2, column A", "unit-as-number", "leading zeros")


def test_xlsx_value_out_of_range_named_by_cell(filled_xlsx: Maker) -> None:
    path = filled_xlsx(lambda b: setattr(b["towns"]["C2"], "value", 60))
    _has(_fails(path), "sheet 'towns', row 2, column C", "out-of-range")


def test_xlsx_unknown_enum_value(filled_xlsx: Maker) -> None:
    path = filled_xlsx(lambda b: setattr(b["towns"]["F2"], "value", "优"))
    _has(_fails(path), "sheet 'towns', row 2, column F", "unknown-value")


def test_xlsx_event_for_an_unknown_unit_and_a_bad_date(filled_xlsx: Maker) -> None:
    def change(book: Any) -> None:
        book["awards"].append(["东镇街", "市级", "环保", "2021-07-01"])
        book["awards"].append(["西镇", "市级", "环保", "七月"])
    lines = _fails(filled_xlsx(change))
    _has(lines, "sheet 'awards', row 3, column A", "unknown-unit", "did you mean '东镇'")
    _has(lines, "sheet 'awards', row 4, column D", "wrong-type")


def test_xlsx_events_are_read(filled_xlsx: Maker) -> None:
    def change(book: Any) -> None:
        book["awards"].append(["西镇", "市级", "环保", "2021/7/1"])
    assert Decimal(_json(filled_xlsx(change))["西镇"]["values"]["award"]) == 1


def test_xlsx_formula_without_a_value(filled_xlsx: Maker) -> None:
    path = filled_xlsx(lambda b: setattr(b["towns"]["C2"], "value", "=40+5"))
    _has(_fails(path), "sheet 'towns', row 2, column C", "formula-without-value")


def test_xlsx_fact_the_group_does_not_use(filled_xlsx: Maker) -> None:
    path = filled_xlsx(lambda b: setattr(b["depts"]["D1"], "value", "任务完成率 [done]"))
    _has(_fails(path), "sheet 'depts', row 1, column D", "unknown-column")


def test_xlsx_duplicate_unit(filled_xlsx: Maker) -> None:
    def change(book: Any) -> None:
        book["depts"].append(["财政局", 40, 30])
    _has(_fails(filled_xlsx(change)), "sheet 'depts', row 4, column A", "duplicate-unit", "row 3")


def test_xlsx_unknown_sheet_with_units_is_read_with_a_group_column(filled_xlsx: Maker) -> None:
    def change(book: Any) -> None:
        ws = book.create_sheet("新增")
        ws.append(["单位 [unit]", "组别", "党建得分 [party]", "工作得分 [work]"])
        ws.append(["审计局", "部门", 40, 30])
    assert Decimal(_json(filled_xlsx(change))["审计局"]["total"]) == 70


def test_xlsx_sheet_without_a_unit_column(filled_xlsx: Maker) -> None:
    def change(book: Any) -> None:
        book.create_sheet("备注").append(["这里写备注"])
    _has(_fails(filled_xlsx(change)), "sheet '备注', row 1", "no-unit-column")


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "facts.xlsx"
    path.write_text("not a zip", encoding="utf-8")
    _has(_fails(path), str(path), "bad-xlsx")


# --- CSV mistakes --------------------------------------------------------------------------------

def test_csv_value_with_its_unit(csv_facts: Maker) -> None:
    path = csv_facts(CSV_FACTS.replace("东镇,north,45,", "东镇,north,45分,"))  # 党建得分 declares no unit
    _has(_fails(path), "section [towns], row 3, column C (党建得分 [party]): wrong-unit: '45分': the fact declares "
         "no unit, so a value in 分 cannot be read; give the number alone")


def test_csv_misspelled_column_and_blank_cell(csv_facts: Maker) -> None:
    text = CSV_FACTS.replace("工作得分 [work]", "工作得分 [wrk]").replace("西镇,north,40,", "西镇,north,,")
    lines = _fails(csv_facts(text))
    _has(lines, "section [towns], row 2, column D", "unknown-column", "did you mean 'work'")
    _has(lines, "section [towns], row 4, column C", "blank-cell", "西镇")


def test_csv_without_sections_is_one_unit_sheet(csv_facts: Maker) -> None:
    text = ("单位,组别,党建得分,工作得分\n"
            "007,depts,44,35\n")
    path = csv_facts(text)
    result = run("score", TINY, path, "--partial")
    assert result.exit_code == 0, result.stderr
    assert "007" in result.stdout and "东镇" in result.stderr  # the roster units are listed as not given


def test_csv_missing_units_are_named(csv_facts: Maker) -> None:
    text = "单位,组别,党建得分,工作得分\n007,depts,44,35\n"
    _has(_fails(csv_facts(text)), "missing-unit", "东镇")


def test_csv_unknown_section(csv_facts: Maker) -> None:
    text = CSV_FACTS + "\n[prizes]\n单位 [unit],级别\n东镇,省级\n"
    lines = _fails(csv_facts(text))
    _has(lines, "section [prizes], row 17, column B (级别)", "unknown-column")
    _has(lines, "section [prizes], row 18, column A", "duplicate-unit", "section [towns], row 3")
