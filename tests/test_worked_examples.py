"""Every worked example under tests/ (files named cases*.yaml) runs as its own test."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

from apprule.cases import load_cases as _load_cases
from apprule.cases import run_case

HERE = Path(__file__).parent
FILES = sorted(HERE.rglob("cases*.yaml"))
load_cases = lru_cache(maxsize=None)(_load_cases)  # a scheme is loaded once for all its cases


def _params() -> list[object]:
    params = []
    for path in FILES:
        _, cases = load_cases(path)
        for i, case in enumerate(cases):
            name = f"{path.parent.relative_to(HERE)}/{path.stem}#{i + 1}: {case.get('description', '')}"
            params.append(pytest.param(path, i, id=name))
    return params


@pytest.mark.parametrize(("path", "index"), _params())
def test_worked_example(path: Path, index: int) -> None:
    scheme, cases = load_cases(path)
    outcome = run_case(scheme, cases[index], str(path), index)
    assert outcome.passed, "\n".join(outcome.differences)
