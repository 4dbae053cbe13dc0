"""The benchmark script runs, and its comparison with the hand-written reference holds (no timing is asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_benchmark_runs_and_agrees_with_the_reference() -> None:
    out = subprocess.run([sys.executable, "bench/run.py", "--sizes", "40", "80", "--repeat", "1",
                          "--schemes", "xingyang_2021"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in out.splitlines()]
    towns = [row for row in rows if row[:3] == ["xingyang_2021", "/", "towns"]]
    assert [row[3] for row in towns] == ["40", "80"]
    assert len(towns[1]) == 7  # units/s, peak bytes per unit, and the growth of time from 40 to 80 units
    verdicts = [row[-1] for row in rows if row[-1] in ("same", "DIFFERENT")]
    assert verdicts == ["same"] * 6  # columns, an Arrow table and the reference agree with apprule, at both sizes
    assert len([line for line in out.splitlines() if "apprule time ÷ reference time" in line]) == 2
    assert len([line for line in out.splitlines() if "reference time ÷ Arrow time" in line]) == 2
    assert {row[2] for row in rows if row[:1] == ["xingyang_2021"]} == {"towns", "departments", "parks"}


def test_every_shipped_group_is_benchmarked() -> None:
    """The generated facts are valid for every shipped scheme, so no group's run stops: a value a `score` rule
    would refuse (`OverMax`, above its maximum) is not drawn, and a unit's facts pass the scheme's `checks`
    (鹤山: a place or a growth rate, not both) and give what a condition requires."""
    out = subprocess.run([sys.executable, "bench/run.py", "--sizes", "30", "--repeat", "1",
                          "--schemes", "hebi_2021", "beipiao_2017", "heshan_2013"],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    benched = {(row[0], row[2]) for line in out.splitlines() if len(row := line.split()) == 6 and row[1] == "/"}
    assert benched == {("hebi_2021", g) for g in ("company", "streets", "departments", "stationed")} | {
        ("beipiao_2017", g) for g in ("towns", "districts", "dept1", "dept2", "dept3", "dept4", "parks")} | {
        ("heshan_2013", g) for g in ("towns", "district_departments", "resident_units", "reference_units",
                                     "longling_park")}
