"""The README's tour runs as written: its commands, its tiny scheme and its cases."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from conftest import ROOT, run

README = (ROOT / "README.md").read_text(encoding="utf-8")
FILES = dict(re.findall(r"`(mine/[^`]+)`:\n\n```yaml\n(.*?)```", README, re.S))
COMMANDS = [line for block in re.findall(r"```sh\n(.*?)```", README, re.S)
            for line in block.splitlines() if line.startswith("apprule ")]


def test_the_tour_has_files_and_commands() -> None:
    assert set(FILES) == {"mine/first.yaml", "mine/cases.yaml"}
    assert any(c.startswith("apprule test") for c in COMMANDS)


def test_the_set_up_commands_come_first() -> None:
    head = README.split("## As a library")[0]
    setup = re.findall(r"^    (python3 -m venv .*)$", head, re.M)
    assert setup[0].endswith("apprule score hebi_2021 example")
    assert setup[1].endswith("pip install -e '.[test]' && pytest")


@pytest.mark.parametrize("command", COMMANDS)
def test_every_tour_command_runs(command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("docs",):
        (tmp_path / name).symlink_to(ROOT / name)
    for name, text in FILES.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run(*shlex.split(command)[1:])
    assert result.exit_code == 0, f"{command}\n{result.output}"


def test_the_tour_scheme_satisfies_the_editor_schema() -> None:
    import jsonschema

    from apprule.io.schema import editor_schema
    from apprule.scheme.yamlsource import read_yaml

    from test_schema import _as_editor_reads

    data = _as_editor_reads(read_yaml(FILES["mine/first.yaml"], "first.yaml").data)
    assert jsonschema.exceptions.best_match(jsonschema.Draft7Validator(editor_schema()).iter_errors(data)) is None
