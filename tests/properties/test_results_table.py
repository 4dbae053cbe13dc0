"""``Evaluation.to_arrow()`` is laid out from the groups' columns (codes, offsets, fixed point), while ``ev[unit]``
builds one unit's ``Result``: for random populations of every shipped scheme, each row of the table says exactly
what that unit's result says (total, sections and adjustments digit for digit, ranks, grades, position, honours,
flags, vetoes, outcomes in order), in the order the evaluation publishes its units."""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import apprule
from apprule.results import Result
from apprule.testing.invariants import Unscorable, scorable
from apprule.testing.strategies import populations

ROOT = Path(__file__).parents[2]
SCHEMES = sorted((ROOT / "src" / "apprule" / "schemes").glob("*.yaml")) + [ROOT / "tests" / "language" / "mini.yaml"]


def _same_number(cell: Decimal | None, value: Decimal) -> bool:
    return cell is not None and cell == value  # the cell may carry more places (the column's scale)


def _row_of(result: Result) -> dict[str, Any]:
    """The row ``to_arrow`` should hold for ``result`` (its numbers compared apart)."""
    return {"unit": result.unit, "group": result.group, "sequence": result.sequence, "rank": result.rank,
            "grade": result.grade, "would_be_rank": result.would_be_rank, "would_be_grade": result.would_be_grade,
            "position": result.position, "honours": list(result.honours), "flags": list(result.flags),
            "vetoes": [o.id for o in result.outcomes if o.kind == "veto"],
            "outcomes": [o.as_dict() for o in result.outcomes]}


def _struct(cell: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in cell.items() if v is not None}  # Arrow's struct gives every field, None when empty


@pytest.mark.parametrize("path", SCHEMES, ids=[p.stem for p in SCHEMES])
def test_to_arrow_rows_are_the_results(path: Path) -> None:
    scheme = apprule.load_scheme(path)
    blocks = {g.id: g.adjustments.id for g in scheme.groups if g.adjustments is not None}  # the adjustments' own

    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
    @given(populations(scheme, min_size=1, max_size=12))
    def check(population: dict[str, Any]) -> None:
        try:
            population, _ = scorable(scheme, population)
        except Unscorable:
            return
        evaluation = scheme.evaluate(copy.deepcopy(population), partial=True)
        rows = evaluation.to_arrow().to_pylist()
        assert [row["unit"] for row in rows] == list(evaluation)
        for row in rows:
            result = evaluation[row["unit"]]
            expected = _row_of(result)
            got = {name: row[name] for name in expected}
            got["outcomes"] = [_struct(o) for o in got["outcomes"]]
            assert got == expected
            assert _same_number(row["total"], result.total)
            block = blocks.get(result.group)
            for line in (*result.sections, *result.adjustments):
                assert _same_number(row[line.id], line.value), line.id
            if block is not None:
                assert _same_number(row[block], result.values[block]), block
        parts = {line.id for r in evaluation.values() for line in (*r.sections, *r.adjustments)}
        parts |= {blocks[r.group] for r in evaluation.values() if r.group in blocks}
        assert set(rows[0]) == {*_row_of(evaluation[rows[0]["unit"]]), "total", *parts}  # nothing else

    check()



def test_a_looked_up_result_has_every_field() -> None:
    """``Result._made`` skips the dataclass's ``__init__``: the group gives every field, and the result equals the
    one ``__init__`` makes from them."""
    import dataclasses

    scheme = apprule.load_scheme(ROOT / "tests" / "language" / "mini.yaml")
    facts = {"海河街道办事处": {"party": 40, "econ": 30, "gdp": 105, "gdp_target": 100, "high_tech": 1, "awards": []}}
    result = scheme.evaluate(facts, partial=True)["海河街道办事处"]
    names = {f.name for f in dataclasses.fields(Result)}
    assert set(vars(result)) == names
    assert result == Result(**{name: getattr(result, name) for name in names})
    assert (result.total, result.rank, result.vetoes) == (Decimal("85"), 1, ())  # 40 + 30 + 5 (one step) + 10
