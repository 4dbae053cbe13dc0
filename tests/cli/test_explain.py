"""`apprule explain`: one unit's every number with its clause."""

from __future__ import annotations

import json

from conftest import TINY, TINY_FACTS, run


def test_explain_a_unit() -> None:
    result = run("explain", TINY, TINY_FACTS, "东镇")
    assert result.exit_code == 0
    for text in ("东镇", "党建工作", "〔三(一)〕", "表彰奖励", "〔四(三)〕", "排名"):
        assert text in result.stdout, text


def test_explain_as_json() -> None:
    result = run("explain", TINY, TINY_FACTS, "南镇", "--format", "json")
    data = json.loads(result.stdout)
    assert data["id"] == "南镇" and "一票否决" in data["flags"]


def test_explain_an_unknown_unit() -> None:
    result = run("explain", TINY, TINY_FACTS, "东真")
    assert result.exit_code == 2 and result.stderr.splitlines()[-1] == (
        f"Error: Invalid value for UNIT: no unit '东真' in {TINY_FACTS}")


def test_explain_reads_spreadsheets(filled_xlsx) -> None:  # type: ignore[no-untyped-def]
    result = run("explain", TINY, filled_xlsx(), "007")
    assert result.exit_code == 0 and "部门" in result.stdout


def test_steps_in_the_documents_words() -> None:
    """鹤壁 五(一)1 每超额完成5%加5分 (tests/schemes/hebi_2021/cases.yaml's first case, by hand): a ratio to the places
    compared, a difference of two rates in percentage points, the steps counted or why none is."""
    from apprule import load_scheme
    from apprule.scheme.yamlsource import read_yaml

    from conftest import DATA

    units = read_yaml((DATA / "zh.hebi-cases.yaml").read_text(encoding="utf-8"), "cases").data["cases"][0]["units"]
    text = load_scheme("hebi_2021").evaluate(units, partial=True)["海河街道办事处"].explain()
    for line in ("· 115 ÷ 100 = 115.00%,超额完成15.00%,每5%一档,计3档:3 × 5 = 15",  # 0.15 / 0.05 = 3 steps
                 "· 104.99 ÷ 100 = 104.99%,超额完成4.99%,不足5%,不加分",  # 0.998 of a step
                 "· 13% - 8% = 5个百分点,超额完成5个百分点,每5个百分点一档,计1档:1 × 5 = 5",
                 "· 74.9% - 70% = 4.9个百分点,超额完成4.9个百分点,不足5个百分点,不加分",
                 "· 89 ÷ 100 = 89.00%,距目标差11.00%,每5%一档,计2档:2 × -5 = -10"):  # 0.11 / 0.05 = 2.2
        assert line in text, line
