"""The package type-checks under mypy --strict (configured in pyproject.toml), as `py.typed` promises."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

api = pytest.importorskip("mypy.api")


def test_mypy_strict_is_clean() -> None:
    root = Path(__file__).parents[1]
    here = os.getcwd()
    os.chdir(root)  # mypy reads [tool.mypy] from the project's pyproject.toml
    try:
        out, err, status = api.run(["--no-error-summary"])
    finally:
        os.chdir(here)
    assert status == 0, out + err
