"""Scheme mistakes as data (scheme_errors.yaml): each is reported with its code at its line and column."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import apprule
from apprule.scheme.yamlsource import read_yaml

FILE = Path(__file__).with_name("scheme_errors.yaml")
CASES: list[dict[str, Any]] = read_yaml(FILE.read_text(encoding="utf-8"), str(FILE)).data


@pytest.mark.parametrize("case", CASES, ids=[c["description"] for c in CASES])
def test_scheme_error_is_located(case: dict[str, Any]) -> None:
    with pytest.raises(apprule.SchemeError) as info:
        apprule.load_scheme(case["scheme"], name="case.yaml")
    expected = case["expect_error"]
    found = [{"code": p.code, "line": p.location.line if p.location else None,
              "column": p.location.column if p.location else None} for p in info.value.problems]
    assert any(all(f[k] == v for k, v in expected.items()) for f in found), f"{expected} not in {found}"
