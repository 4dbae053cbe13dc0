"""Issue 14, YAML facts: unit names as written, located misreads, and limits of their own sized for a large office."""

from __future__ import annotations

import dataclasses
import json
import os
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import apprule
from apprule.io.problems import FactsFileError
from apprule.io.read import read_facts
from apprule.scheme import yamlsource
from apprule.scheme.yamlsource import FACTS_LIMITS, SCHEME_LIMITS, read_yaml

ROOT = Path(__file__).parents[2]
MINI = ROOT / "tests" / "language" / "mini.yaml"
NO_ROSTER = apprule.load_scheme("""\
dsl: 1
id: t
title: T
issuer: I
date: 2021-01-01
period: {kind: year, start: 2021-01-01, end: 2021-12-31}
facts:
  x: {type: number}
groups:
  - id: g
    label: G
    sections: [{id: a, label: A, max: 10, score: x}]
""", name="s.yaml")


def capped(seconds: int = 300, memory: int = 3 << 30) -> dict[str, Any]:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return {"preexec_fn": limit, "timeout": seconds, "capture_output": True, "text": True, "env": env}


def issues(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "f.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FactsFileError) as raised:
        read_facts(path, NO_ROSTER)
    return [str(i).replace(str(tmp_path) + "/", "") for i in raised.value.issues]


def test_unit_names_are_text_as_written(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_text("true: {group: g, x: 1}\n~: {group: g, x: 2}\n1e2: {group: g, x: 3}\nno: {group: g, x: 4}\n",
                    encoding="utf-8")
    facts = read_facts(path, NO_ROSTER)
    assert list(facts.facts) == ["true", "~", "1e2", "no"]
    assert sorted(NO_ROSTER.evaluate(facts.facts)) == ["1e2", "no", "true", "~"]


@pytest.mark.parametrize("value, code, message", [
    ("!!bool yes", "bad-boolean", "'yes' is not a YAML boolean; write true or false"),
    ("0x10", "bad-number", "'0x10' is not a number in decimal digits; write it so, or quote it if it is text"),
    ("1_0", "bad-number", "'1_0' is not a number in decimal digits; write it so, or quote it if it is text"),
])
def test_misreads_are_located_problems(tmp_path: Path, value: str, code: str, message: str) -> None:
    found = issues(tmp_path, f"u:\n  x: {value}\n")
    assert len(found) == 1 and found[0].startswith(f"f.yaml:2:6: {code}: {message}")


def test_a_lone_surrogate_in_a_unit_name_is_located(tmp_path: Path) -> None:
    found = issues(tmp_path, 'u: {x: 1}\n"\\ud800": {x: 2}\n')
    assert len(found) == 1 and found[0].startswith(
        "f.yaml:2:1: bad-character: \\ud800 is half of a surrogate pair, not a character")


def test_facts_have_limits_of_their_own_sized_for_a_large_office() -> None:
    # 100 000 units with 50 events each: an event of three fields is 7 nodes and about 45 bytes
    units, events = 100_000, 50
    assert FACTS_LIMITS.max_nodes >= units * events * 7 + units * 20
    assert FACTS_LIMITS.max_bytes >= units * events * 45 + units * 200
    assert FACTS_LIMITS.max_nodes > SCHEME_LIMITS.max_nodes and FACTS_LIMITS.max_bytes > SCHEME_LIMITS.max_bytes
    small = dataclasses.replace(FACTS_LIMITS, max_bytes=10, max_nodes=3, max_depth=2)
    with pytest.raises(apprule.SchemeError) as raised:
        read_yaml("u: {x: 12345678}\n", "f.yaml", small)
    assert raised.value.problems[0].render() == "f.yaml:1:1: file-too-large: a facts file may hold at most 10 bytes"
    with pytest.raises(apprule.SchemeError) as raised:
        read_yaml("u: {x: 1}\n", "f.yaml", small)
    assert raised.value.problems[0].render().splitlines()[0] == (
        "f.yaml:1:5: too-large: a facts file may hold at most 3 YAML nodes (at u)")
    with pytest.raises(apprule.SchemeError) as raised:
        read_yaml("u: {x: [1]}\n", "f.yaml", dataclasses.replace(small, max_nodes=100, max_bytes=100))
    assert raised.value.problems[0].render().splitlines()[0] == "f.yaml:1:8: too-deep: nesting deeper than 2 levels"
    assert yamlsource.SCHEME_LIMITS.kind == "a scheme file"


def test_forty_thousand_events_are_read_and_scored(tmp_path: Path) -> None:
    # 2.4 MB and 280 000 nodes: past a scheme's limits, well within a facts file's
    units = ["海河街道办事处", "龙岗街道办事处", "金山园区"]
    lines = []
    for unit in units:
        lines.append(f"{unit}:\n  party: 40\n  econ: 45\n  gdp: 110\n  gdp_target: 100\n  high_tech: 2\n  awards:\n")
        lines += [f"    - {{level: city, matter: matter{k:05d}, date: 2021-05-01}}\n" for k in range(13_334)]
    path = tmp_path / "f.yaml"
    path.write_text("".join(lines), encoding="utf-8")
    assert path.stat().st_size > SCHEME_LIMITS.max_bytes
    code = "import sys; from apprule.cli import main; sys.argv[0] = 'apprule'; main()"
    done = subprocess.run([sys.executable, "-c", code, "score", str(MINI), str(path), "--format", "json"],
                          **capped())
    assert done.returncode == 0, done.stderr
    scored = json.loads(done.stdout)
    assert sorted(scored["groups"]["streets"]["order"]) == sorted(units)
