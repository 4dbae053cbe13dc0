"""apprule against a hand-written Decimal evaluation of the 荥阳 township group, on random populations."""

from __future__ import annotations

import sys
from pathlib import Path

from hypothesis import given, settings

import apprule
from apprule.testing import populations

ROOT = Path(__file__).parents[2]
sys.path.insert(0, str(ROOT / "bench"))
from reference import xingyang_towns  # noqa: E402

XINGYANG = apprule.load_scheme(ROOT / "src" / "apprule" / "schemes" / "xingyang_2021.yaml")


@settings(max_examples=60, deadline=None)
@given(populations(XINGYANG, "towns", min_size=1, max_size=12))
def test_totals_and_ranks_equal_the_hand_written_reference(population: dict[str, dict[str, object]]) -> None:
    evaluation = XINGYANG.evaluate(population)
    expected = xingyang_towns(population)  # type: ignore[arg-type]
    assert {u: (r.total, r.rank) for u, r in evaluation.items()} == expected
