"""The public surface is pinned, and the examples of docs/api.md run as written."""

from __future__ import annotations

import os
import re
from pathlib import Path

import apprule

ROOT = Path(__file__).parents[2]


def test_the_public_surface() -> None:
    assert sorted(apprule.__all__) == [
        "AppruleError", "Evaluation", "EvaluationError", "FactError", "FactIssue", "FactsFile", "FactsFileError",
        "FileIssue", "Line", "Location", "Note", "Outcome", "OutsidePeriod", "PeriodError", "PeriodPart", "PeriodTotal", "Problem", "RankingSpec",
        "Result", "Scheme", "SchemeError", "ScopeError", "Scores", "Trace", "__version__", "check", "load_scheme",
        "read_facts", "results_data", "scheme_ids", "write_results"]


def test_every_public_name_is_there_and_import_stays_light() -> None:
    import subprocess
    import sys
    code = ("import sys, apprule; names = [getattr(apprule, n) for n in apprule.__all__]; "
            "print(sorted(m for m in ('apprule.io', 'openpyxl') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['apprule.io']"  # io once asked for; openpyxl only when a workbook is read or written


def test_the_api_page_examples_run(capsys: object) -> None:
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) == 10
    here = os.getcwd()
    os.chdir(ROOT)
    try:
        namespace: dict[str, object] = {}
        for block in blocks:  # one namespace, as a reader goes down the page
            exec(compile(block, "docs/api.md", "exec"), namespace)
    finally:
        os.chdir(here)
