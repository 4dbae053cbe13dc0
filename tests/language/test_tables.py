"""Results as a table: one Arrow row per unit, exact decimals, nothing lost or renamed."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pyarrow as pa
import pytest

from schemekit import scheme, units

import apprule
from apprule.io.read import read_facts

ROOT = Path(__file__).parents[2]
HEBI = apprule.load_scheme(ROOT / "src" / "apprule" / "schemes" / "hebi_2021.yaml")
HEBI_EVALUATION = HEBI.evaluate(read_facts(ROOT / "src" / "apprule" / "examples" / "hebi_2021.facts.yaml", HEBI).facts)


def test_every_row_says_what_the_result_says() -> None:
    table = HEBI_EVALUATION.to_arrow()
    rows = table.to_pylist()
    assert [row["unit"] for row in rows] == list(HEBI_EVALUATION)  # the published order
    for row in rows:
        r = HEBI_EVALUATION[row["unit"]]
        assert (row["group"], row["sequence"], row["total"], row["rank"], row["grade"], row["would_be_rank"],
                row["would_be_grade"], row["position"]) == \
            (r.group, r.sequence, r.total, r.rank, r.grade, r.would_be_rank, r.would_be_grade, r.position)
        assert (tuple(row["honours"]), tuple(row["flags"])) == (r.honours, r.flags)
        assert [row[line.id] for line in (*r.sections, *r.adjustments)] == [line.value for line in (*r.sections,
                                                                                                     *r.adjustments)]
    # 金山园区: 340.50, first of the streets (the example's worked result, docs/schemes/hebi_2021.md)
    first = next(row for row in rows if row["unit"] == "金山园区")
    assert (first["total"], first["rank"]) == (D("340.50"), 1)


def test_scores_are_exact_decimals_with_the_declared_places() -> None:
    schema = HEBI_EVALUATION.to_arrow().schema
    assert schema.field("total").type == pa.decimal128(5, 2)  # 总分保留两位小数
    assert schema.field("rank").type == pa.int64()
    assert schema.field("honours").type == pa.list_(pa.string())
    # a section of another group is null for a company row, not 0
    company = next(row for row in HEBI_EVALUATION.to_arrow().to_pylist() if row["group"] == "company")
    assert company["economy_s"] is None


def test_an_unrounded_quotient_keeps_every_digit() -> None:
    s = scheme("x: {type: number}\n", "- {id: third, label: 三分之一, formula: x / 3}\n")
    evaluation = s.evaluate(units(a={"x": 10}))
    [row] = evaluation.to_arrow().to_pylist()
    assert row["third"] == evaluation["a"].values["third"] == D("3." + "3" * 33)  # 34 digits, as computed
    assert evaluation.to_arrow().schema.field("third").type == pa.decimal128(34, 33)


def test_vetoes_are_ids_and_pandas_ranks_are_integers() -> None:
    s = scheme("x: {type: number}\nfake: {type: boolean}\n", sections="- {id: s, label: 得分, max: 10, score: x}\n",
               group="ranking: {}\nvetoes:\n  - {id: fake_veto, label: 弄虚作假, when: fake, effects: {unrank: true}}\n")
    evaluation = s.evaluate(units(a={"x": 5, "fake": True}, b={"x": 3, "fake": False}))
    frame = evaluation.to_pandas()
    assert list(frame["unit"]) == ["b", "a"]
    assert str(frame["rank"].dtype) == "Int64" and frame["rank"][0] == 1 and frame["rank"].isna()[1]
    assert list(frame["vetoes"][1]) == ["fake_veto"] and list(frame["flags"][1]) == ["弄虚作假"]
    assert frame["total"][1] == D(5)


def test_a_rule_may_not_take_the_name_of_an_outcome_column() -> None:
    with pytest.raises(apprule.SchemeError) as info:
        scheme("x: {type: number}\n", "- {id: flags, label: 标记, formula: x}\n")
    [problem] = info.value.problems
    assert (problem.code, problem.message) == ("duplicate-id", "id 'flags' is reserved")
