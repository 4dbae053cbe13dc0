"""`apprule test`: case files pass or fail with a diff; exit 1 on failure, 2 on a broken scheme."""

from __future__ import annotations

from pathlib import Path

from conftest import DATA, run


def test_passing_cases() -> None:
    result = run("test", DATA / "cases_tiny.yaml")
    assert result.exit_code == 0
    assert result.stdout.count("PASS") == 2 and "2 passed, 0 failed" in result.stdout


def test_a_folder_runs_every_cases_file() -> None:
    result = run("test", DATA)
    assert result.exit_code == 0 and "cases_tiny.yaml#1" in result.stdout
    assert "failing" not in result.stdout  # only files named cases*.yaml


def test_a_failing_case_shows_a_diff() -> None:
    result = run("test", DATA / "failing.tiny-cases.yaml")
    assert result.exit_code == 1
    lines = [line.strip() for line in result.stdout.splitlines()]
    assert "FAIL" in result.stdout and "1 passed, 2 failed" in result.stdout
    assert "--- expected" in lines and "+++ actual" in lines
    assert "-东镇.total: 96.5" in lines and "+东镇.total: 95" in lines
    assert not any(line.startswith(("-东镇.rank", "+东镇.rank")) for line in lines)  # equal keys are not shown
    # outcomes in any order, each by the fields the case names
    assert "-东镇.outcomes: [{'kind': 'veto', 'id': 'fraud'}]" in lines
    assert "+东镇.outcomes: [{'kind': 'veto', 'id': 'v'}]" in lines


def test_quiet_shows_failures_only() -> None:
    result = run("test", "-q", DATA / "failing.tiny-cases.yaml")
    assert "PASS" not in result.stdout and "FAIL" in result.stdout


def test_a_case_file_naming_a_broken_scheme_exits_2(tmp_path: Path) -> None:
    (tmp_path / "cases.yaml").write_text("scheme: missing.yaml\ncases: []\n", encoding="utf-8")
    result = run("test", tmp_path / "cases.yaml")
    assert result.exit_code == 2 and "unreadable-file" in result.stderr


def test_a_folder_without_cases_is_a_usage_error(tmp_path: Path) -> None:
    result = run("test", tmp_path)
    assert result.exit_code == 2 and "no case files" in result.stderr


def test_shipped_worked_examples_pass() -> None:
    root = Path(__file__).parents[1] / "schemes"
    if any(root.rglob("cases*.yaml")):
        result = run("test", "-q", root)
        assert "0个未通过" in result.stdout or result.exit_code == 1  # the library's own suite owns their outcome


def test_properties_of_a_scheme() -> None:
    mini = Path(__file__).parents[1] / "language" / "mini.yaml"
    result = run("test", "--properties", "--examples", "3", "--seed", "1", "--invariant", "caps", mini)
    assert result.exit_code == 0
    assert "1/1 invariants hold" in result.stdout and "PASSED  caps" in result.stdout


def test_properties_find_a_broken_scheme_and_reject_unknown_invariants() -> None:
    broken = Path(__file__).parents[2] / "docs" / "examples" / "broken_bonus.yaml"
    result = run("test", "--properties", "--examples", "30", "--seed", "1", "--invariant", "total_range", broken)
    assert result.exit_code == 1 and "FAILED" in result.stdout
    assert run("test", "--properties", "--invariant", "nope", broken).exit_code == 2


def test_verdicts_and_differences_in_the_schemes_language() -> None:
    """A shipped scheme says `language: zh`: 通过/未通过, the diff's 预期/实际 and the count are Chinese."""
    cases = DATA / "zh.hebi-cases.yaml"
    result = run("test", cases)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"通过 {cases}#1:五(一)1 超额台阶",
        f"未通过 {cases}#2:预期写错的总分",
        "     --- 预期", "     +++ 实际",
        "     -海河街道办事处.total: 100", "     +海河街道办事处.total: 99",
        "     -海河街道办事处.values.gdp_steps: 10", "     +海河街道办事处.values.gdp_steps: 15",
        "1个通过,1个未通过"]  # a rule's value is said once, in the diff
    english = run("--lang", "en", "test", cases).stdout.splitlines()
    assert english[1] == f"FAIL {cases}#2: 预期写错的总分" and english[-1] == "1 passed, 1 failed"
    assert "     --- expected" in english and "     +++ actual" in english


def test_the_property_report_in_the_schemes_language() -> None:
    result = run("test", "--properties", "--examples", "2", "--seed", "1", "--invariant", "caps", "hebi_2021")
    assert result.exit_code == 0
    head, caps = result.stdout.splitlines()
    assert head.startswith("方案 hebi_2021(") and head.endswith("):1/1条不变式成立")
    assert caps.startswith("通过    caps — 每条规则、每个部分和每个加减分块都不超出其 max、min、bonus_cap 和 "
                           "deduction_cap (2个案例、")  # the status padded to 7 columns as a terminal shows them
