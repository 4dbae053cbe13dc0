"""Headers as an office's own sheet has them: a fact's label with its unit and no ``[key]`` (地区生产总值(亿元)).

The unit in the header is checked against the fact's: the same unit reads the column as it is, another unit of
the same kind converts each bare number (万元 → 亿元, exactly), any other unit — and a label two facts share, or
a label no fact has — is an error naming the file, sheet (CSV section) and column.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import run

SCHEME = """\
dsl: 1
id: money
title: 经济指标
issuer: 测试考评办
date: 2021-01-05
period: {kind: year, start: 2021-01-01, end: 2021-12-31}
facts:
  gdp: {type: number, label: 地区生产总值, unit: 亿元, min: 0}
  tax: {type: number, label: 税收收入, unit: 万元, min: 0}
  people: {type: count, label: 新增就业, unit: 人}
  note_a: {type: number, label: 其他, required: false}
  note_b: {type: number, label: 其他, required: false}
  projects:
    type: events
    required: false
    fields: {scale: {type: number, label: 投资规模, unit: 万元, min: 0}}
groups:
  - id: towns
    label: 乡镇
    units: [东镇, 西镇]
    sections:
      - {id: g, label: 生产总值, formula: gdp}
      - {id: t, label: 税收, formula: tax}
      - {id: p, label: 就业, formula: people}
      - {id: o, label: 其他, formula: "(note_a if present(note_a) else 0) + (note_b if present(note_b) else 0)"}
      - {id: e, label: 项目, for_each: {events: projects, value: {formula: scale}}}
"""


@pytest.fixture
def scheme(tmp_path: Path) -> Path:
    path = tmp_path / "money.yaml"
    path.write_text(SCHEME, encoding="utf-8")
    return path


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "facts.csv"
    path.write_text(text, encoding="utf-8")
    return path


def _values(scheme: Path, facts: Path) -> dict[str, dict[str, Decimal]]:
    result = run("score", scheme, facts, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return {u: {k: Decimal(v) for k, v in data["values"].items()} for u, data in json.loads(result.stdout)["units"].items()}


def _errors(scheme: Path, facts: Path) -> list[str]:
    result = run("score", scheme, facts)
    assert result.exit_code == 1 and result.stdout == "", result.output
    return result.stderr.splitlines()


def test_a_label_with_its_own_unit_names_the_fact(scheme: Path, tmp_path: Path) -> None:
    facts = _csv(tmp_path, "[towns]\n单位,地区生产总值(亿元),税收收入（万元）,新增就业(人)\n东镇,6.2,1500,12\n西镇,3,800,0\n"
                           "\n[projects]\n单位,投资规模(万元)\n东镇,700\n")
    values = _values(scheme, facts)
    assert values["东镇"] == {"g": Decimal("6.2"), "t": 1500, "p": 12, "o": 0, "e": 700}
    assert values["西镇"]["g"] == 3 and values["西镇"]["e"] == 0


def test_a_header_in_another_unit_of_the_same_kind_converts_every_bare_number(scheme: Path, tmp_path: Path) -> None:
    """地区生产总值 counts in 亿元: a column headed (万元) holds 62000 for 6.2; a value typed with its own unit keeps
    it (0.5亿元 stays 0.5); an event field likewise (投资规模 in 万元 from a column in 亿元)."""
    facts = _csv(tmp_path, "[towns]\n单位,地区生产总值(万元),税收收入(亿元),新增就业(人)\n东镇,62000,0.15,12\n"
                           "西镇,0.5亿元,2,0\n\n[projects]\n单位,投资规模(亿元)\n东镇,0.8\n")
    values = _values(scheme, facts)
    assert (values["东镇"]["g"], values["东镇"]["t"], values["东镇"]["e"]) == (Decimal("6.2"), 1500, 8000)
    assert (values["西镇"]["g"], values["西镇"]["t"]) == (Decimal("0.5"), 20000)


def test_a_keyed_header_with_another_unit_converts_too(scheme: Path, tmp_path: Path) -> None:
    facts = _csv(tmp_path, "单位 [unit],地区生产总值(万元) [gdp],税收收入(万元) [tax],新增就业(人) [people]\n"
                           "东镇,62000,1500,12\n西镇,30000,800,0\n")
    assert _values(scheme, facts)["西镇"]["g"] == 3


def test_xlsx_header_by_label_and_unit(scheme: Path, tmp_path: Path) -> None:
    import openpyxl
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "towns"
    for row in (["单位", "地区生产总值(万元)", "税收收入(万元)", "新增就业(人)"], ["东镇", 62000, 1500, 12],
                ["西镇", 30000.5, 800, 0]):
        sheet.append(row)
    path = tmp_path / "facts.xlsx"
    book.save(path)
    values = _values(scheme, path)
    assert values["东镇"]["g"] == Decimal("6.2") and values["西镇"]["g"] == Decimal("3.00005")  # 30000.5万元, exactly


def test_wrong_unknown_and_ambiguous_headers_are_named_by_file_section_and_column(scheme: Path, tmp_path: Path) -> None:
    facts = _csv(tmp_path, "[towns]\n单位,地区生产总值(人),税收收入(斤),新增就业(万元),其他,产值(亿元)\n东镇,1,2,3,4,5\n"
                           "西镇,1,2,3,4,5\n")
    assert _errors(scheme, facts) == [
        f"{facts}: section [towns], row 2, column B (地区生产总值(人)): wrong-unit: the header '地区生产总值(人)' gives 人 "
        "(人数), which does not convert into 亿元, the unit 'gdp' (地区生产总值) counts in",
        f"{facts}: section [towns], row 2, column C (税收收入(斤)): wrong-unit: the header '税收收入(斤)' gives 斤, "
        "which is not a unit apprule knows; 'tax' (税收收入) counts in 万元",
        f"{facts}: section [towns], row 2, column D (新增就业(万元)): wrong-unit: the header '新增就业(万元)' gives 万元 "
        "(人民币), which does not convert into 人, the unit 'people' (新增就业) counts in",
        f"{facts}: section [towns], row 2, column E (其他): ambiguous-column: '其他' names 2 columns: note_a, note_b; "
        "head the column 'label [key]' with the key meant",
        f"{facts}: section [towns], row 2, column F (产值(亿元)): unknown-column: no fact of group 'towns' is called "
        "'产值(亿元)'; the columns are unit, group, sequence, gdp, tax, people, note_a, note_b"]


def test_a_unit_on_a_fact_without_one_is_refused(scheme: Path, tmp_path: Path) -> None:
    text = "单位,地区生产总值(亿元),税收收入(万元),新增就业(人),其他(万元) [note_a]\n东镇,1,2,3,4\n西镇,1,2,3,4\n"
    lines = _errors(scheme, _csv(tmp_path, text))
    assert lines == [f"{tmp_path / 'facts.csv'}: row 1, column E (其他(万元) [note_a]): wrong-unit: the header "
                     "'其他(万元) [note_a]' gives the unit 万元, but 'note_a' (其他) declares no unit; head the column "
                     "without one"]
