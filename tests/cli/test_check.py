"""`apprule check`: every error located, with the source line and a caret; exit 2 on any error."""

from __future__ import annotations

from pathlib import Path

from rich.cells import cell_len

from conftest import ROOT, TINY, run


def test_a_sound_scheme_is_ok() -> None:
    result = run("check", TINY)
    assert result.exit_code == 0
    assert "tiny.yaml: ok" in result.stdout and result.stderr == ""


def test_every_error_is_located_with_its_line_and_a_caret(tmp_path: Path) -> None:
    text = TINY.read_text(encoding="utf-8")
    text = text.replace("score: party, clause: 三(一)}", "scor: party, clause: 三(一)}")
    text = text.replace("ranking: {scope: sequence}", "ranking: {scope: sequnce}")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    result = run("check", bad, TINY)
    assert result.exit_code == 2
    assert "tiny.yaml: ok" in result.stdout  # the sound scheme is still checked
    errors = [line for line in result.stderr.splitlines() if line.startswith(str(bad))]
    assert len(errors) >= 2
    first = result.stderr.splitlines()
    line, col = (int(n) for n in errors[0].split(":")[1:3])
    assert errors[0].split(": ")[1] in ("unknown-key", "invalid-value", "missing-key", "invalid-choice")
    source_line = text.splitlines()[line - 1]
    i = first.index(errors[0])
    assert source_line.strip() in first[i + 1 + (1 if "hint:" in first[i + 1] else 0)]
    caret = first[i + 2 + (1 if "hint:" in first[i + 1] else 0)]
    assert caret.strip() == "^" and caret.index("^") - 2 == cell_len(source_line[: col - 1])  # wide characters count 2


def test_yaml_syntax_error(tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text("dsl: 1\nid: [unclosed\n", encoding="utf-8")
    result = run("check", bad)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{bad}:") and "yaml-syntax" in result.stderr


def test_a_folder_checks_every_shipped_scheme() -> None:
    result = run("check", ROOT / "src" / "apprule" / "schemes")
    shipped = sorted((ROOT / "src" / "apprule" / "schemes").glob("*.yaml"))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count(":通过 — ") == len(shipped) >= 1  # each in its scheme's language


def test_a_missing_file_is_a_usage_error() -> None:
    result = run("check", "no/such/scheme.yaml")
    assert result.exit_code == 2 and "does not exist" in result.stderr
