"""Blocks defined once and used by several groups (参照乡镇(街道)加减分办法), with overrides."""

from __future__ import annotations

import pytest

from schemekit import HEAD

import apprule

TEXT = HEAD + """\
facts:
  x: {type: number}
  awards: {type: count}
blocks:
  township_adjustments:
    id: adj
    label: 加减分事项
    bonus_cap: 20
    rules:
      - {id: award, label: 每次加8分, per: {of: awards, points: 8}}
groups:
  - id: towns
    label: 乡镇(街道)
    sections: [{id: s, label: 专项工作, max: 200, score: x}]
    adjustments: {use: township_adjustments}
  - id: parks
    label: 产业集聚(园)区
    sections: [{id: s, label: 专项工作, max: 80, score: x}]
    adjustments:
      use: township_adjustments
      label: 加减分事项(参照乡镇)
      overrides: {award: {max: 10}}
"""


def test_a_block_serves_two_groups_with_an_override() -> None:
    s = apprule.load_scheme(TEXT, name="reuse.yaml")
    ev = s.evaluate({"t": {"group": "towns", "x": 100, "awards": 3}, "p": {"group": "parks", "x": 50, "awards": 3}})
    assert ev["t"].values["adj"] == 20     # 24 capped by the block's 加分满分为20分
    assert ev["p"].values["award"] == 10   # the parks' override: at most 10
    assert ev["p"].trace.find("adj").label == "加减分事项(参照乡镇)"


def test_unknown_and_unused_blocks_are_errors() -> None:
    with pytest.raises(apprule.SchemeError) as info:
        apprule.load_scheme(TEXT.replace("{use: township_adjustments}", "{use: township_adjustment}"), name="r.yaml")
    codes = [(p.code, p.hint) for p in info.value.problems]
    assert ("unknown-block", "did you mean 'township_adjustments'?") in codes
    with pytest.raises(apprule.SchemeError) as info:
        apprule.load_scheme(TEXT.replace("overrides: {award:", "overrides: {awrd:"), name="r.yaml")
    assert [p.code for p in info.value.problems] == ["unknown-node"]
