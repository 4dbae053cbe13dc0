"""Every worked example under tests/ (files named cases*.yaml) runs as its own test."""

from __future__ import annotations

from pathlib import Path

import pytest

from apprule.cases import load_cases, run_case

HERE = Path(__file__).parent
FILES = sorted(HERE.rglob("cases*.yaml"))


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
