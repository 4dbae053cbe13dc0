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
