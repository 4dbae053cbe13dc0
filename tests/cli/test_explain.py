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
    assert result.exit_code == 2 and "no unit '东真'" in result.stderr


def test_explain_reads_spreadsheets(filled_xlsx) -> None:  # type: ignore[no-untyped-def]
    result = run("explain", TINY, filled_xlsx(), "007")
    assert result.exit_code == 0 and "部门" in result.stdout
