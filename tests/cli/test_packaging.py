"""`import apprule` stays light; the CLI is a console script; the schema ships in the package."""

from __future__ import annotations

import subprocess
import sys

from conftest import run


def test_import_apprule_loads_no_cli_or_spreadsheet_library() -> None:
    code = ("import sys, apprule; heavy = {'click', 'rich', 'openpyxl', 'jsonschema', 'pyarrow', 'pandas', "
            "'apprule.io', 'apprule.cli'}; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy or m in heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_help_and_version() -> None:
    result = run("--help")
    assert result.exit_code == 0
    for command in ("check", "score", "explain", "facts", "test", "schema"):
        assert command in result.stdout
    assert run("--version").exit_code == 0


def test_an_unknown_command_is_a_usage_error() -> None:
    assert run("scroe").exit_code == 2


def test_package_data_lists_the_schema() -> None:
    from pathlib import Path
    text = (Path(__file__).parents[2] / "pyproject.toml").read_text(encoding="utf-8")
    assert "apprule.schema.json" in text
