"""apprule.testing itself: its strategies make valid facts, and its invariants catch planted bugs."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import find, given, settings

import apprule
from apprule.testing import check_scheme_properties, facts_for, populations, run_invariant

ROOT = Path(__file__).parents[2]
BROKEN = ROOT / "docs" / "examples" / "broken_bonus.yaml"
MINI = apprule.load_scheme(ROOT / "tests" / "language" / "mini.yaml")

BANDS = apprule.load_scheme(textwrap.dedent("""\
    dsl: 1
    id: bands
    title: 分档
    issuer: 测试
    date: 2021-01-01
    period: {kind: year, start: 2021-01-01, end: 2021-12-31}
    facts:
      petitions:
        type: events
        dated_by: date
        fields:
          people: {type: count, min: 1}
          date: {type: date}
      gdp: {type: number, min: 1}
      target: {type: number, min: 1}
    groups:
      - id: g
        label: 组
        adjustments:
          id: adj
          label: 加减分
          rules:
            - id: group_petitions
              label: 集访
              for_each:
                events: petitions
                value:
                  bands:
                    of: people
                    bands:
                      - {below: 10, points: -10}
                      - {from: 10, below: 20, points: -20}
                      - {from: 20, points: -30}
            - id: growth
              label: 每超额完成5%加5分
              steps: {of: gdp, target: target, over: {size: 0.05, points: 5}}
    """), name="bands.yaml")


@settings(max_examples=30)
@given(facts_for(MINI))
def test_facts_for_makes_facts_the_scheme_accepts(facts: dict[str, object]) -> None:
    try:
        MINI.evaluate({"海河街道办事处": facts}, partial=True)  # one street of three
    except apprule.EvaluationError:
        pass  # valid facts the scheme cannot score: the `evaluates` invariant's business


@settings(max_examples=20)
@given(populations(MINI, "streets", min_size=2, max_size=3))
def test_populations_use_the_roster(population: dict[str, dict[str, object]]) -> None:
    assert 2 <= len(population) <= 3
    assert set(population) <= {"海河街道办事处", "龙岗街道办事处", "金山园区"}


def test_band_boundaries_and_dates_outside_the_period_are_generated() -> None:
    strategy = facts_for(BANDS)
    on_boundary = find(strategy, lambda f: any(e.get("people") == 10 for e in f["petitions"]))
    assert any(e["people"] == 10 for e in on_boundary["petitions"])
    late = find(strategy, lambda f: any(e.get("date") and e["date"].year > 2021 for e in f["petitions"]))
    assert late["petitions"]


def test_step_boundaries_are_hit_exactly() -> None:
    facts = find(facts_for(BANDS), lambda f: f["target"] > 1 and f["gdp"] == f["target"] * Decimal("1.05"))
    assert facts["gdp"] / facts["target"] == Decimal("1.05")


def test_the_broken_example_scheme_is_caught() -> None:
    report = check_scheme_properties(BROKEN, max_examples=60, seed=1)
    failed = {o.invariant: o.violation for o in report.failures}
    assert set(failed) == {"monotonicity", "total_range"}, report.render()
    assert failed["monotonicity"] is not None and failed["monotonicity"].rule == "late_penalty"
    assert failed["monotonicity"].clause == "三(二)2"
    assert failed["total_range"] is not None and "100" in failed["total_range"].message
    assert report.to_dict()["ok"] is False


def test_a_sound_scheme_passes_everything() -> None:
    fixed = BROKEN.read_text(encoding="utf-8").replace("points: 0.5}", "points: -0.5}").replace(
        "# bonus_cap: 5 ", "bonus_cap: 5 #")
    report = check_scheme_properties(fixed, max_examples=30, seed=2)
    assert report.ok, report.render()


def test_unknown_invariants_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown invariant"):
        check_scheme_properties(MINI, invariants=["nope"])


def test_an_invariant_runs_alone() -> None:
    outcome = run_invariant(MINI, "determinism", max_examples=5)
    assert outcome.status in ("passed", "skipped")


def test_the_pytest_plugin_collects_a_scheme_file() -> None:
    run = subprocess.run([sys.executable, "-m", "pytest", "-p", "apprule.testing.pytest_plugin",
                          "--apprule-properties", "-p", "no:cacheprovider", "-q", "--rootdir", str(BROKEN.parent),
                          str(BROKEN)], capture_output=True, text=True, cwd=BROKEN.parent, timeout=120)
    assert "2 failed, 7 passed" in run.stdout, run.stdout + run.stderr
    assert "late_penalty" in run.stdout
