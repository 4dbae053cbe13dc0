"""The public surface is pinned, and the examples of docs/api.md run as written."""

from __future__ import annotations

import os
import re
from pathlib import Path

import apprule

ROOT = Path(__file__).parents[2]


def test_the_public_surface() -> None:
    assert sorted(apprule.__all__) == [
        "AppruleError", "Evaluation", "EvaluationError", "FactError", "FactIssue", "Line", "Location",
        "Note", "OutsidePeriod", "PeriodError", "PeriodPart", "PeriodTotal", "Problem", "RankingSpec", "Result",
        "Scheme", "SchemeError", "ScopeError", "Scores", "Trace", "check", "load_scheme"]


def test_the_api_page_examples_run(capsys: object) -> None:
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) == 7
    here = os.getcwd()
    os.chdir(ROOT)
    try:
        namespace: dict[str, object] = {}
        for block in blocks:  # one namespace, as a reader goes down the page
            exec(compile(block, "docs/api.md", "exec"), namespace)
    finally:
        os.chdir(here)
