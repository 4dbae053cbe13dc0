"""Hostile numbers (issue 14): one careless or hostile number never crashes, hangs or silently changes a result.

Each test states the error code, the message and where it is (unit and fact; file:line:col for schemes).
Resource cases run in a subprocess with a time and memory cap and assert the error, never a timing.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import textwrap
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest

import apprule
from apprule.errors import FactIssue

ROOT = Path(__file__).parents[2]
HEAD = """\
dsl: 1
id: t
title: 测试方案
issuer: 测试
date: 2021-01-01
period: {kind: year, start: 2021-01-01, end: 2021-12-31}
"""
CLI = [sys.executable, "-c", "from apprule.cli import main; main()"]
BOUNDS = "apprule takes numbers below 10^15 in size with at most 18 decimal places"


def scheme(body: str) -> apprule.Scheme:
    return apprule.load_scheme(HEAD + textwrap.dedent(body), name="t.yaml")


def problems(body: str) -> list[str]:
    """Every problem of the scheme ``HEAD + body`` (file t.yaml), rendered on one line each."""
    return [p.render().splitlines()[0] for p in apprule.check(HEAD + textwrap.dedent(body), name="t.yaml")]


def issues(s: apprule.Scheme, facts: dict[str, dict[str, Any]]) -> list[FactIssue]:
    with pytest.raises(apprule.FactError) as caught:
        s.evaluate(facts)
    return list(caught.value.issues)


def column_issues(s: apprule.Scheme, facts: dict[str, dict[str, Any]]) -> list[FactIssue]:
    """The issues of the same facts given as a table (the fast column path)."""
    names = sorted({k for f in facts.values() for k in f})
    table: dict[str, list[Any]] = {"unit": list(facts)}
    table.update({n: [f.get(n) for f in facts.values()] for n in names})
    with pytest.raises(apprule.FactError) as caught:
        s.evaluate_columns(table)
    return list(caught.value.issues)


def both_paths(s: apprule.Scheme, facts: dict[str, dict[str, Any]]) -> list[FactIssue]:
    """The issues of ``facts``, which the dictionary and the column paths must give alike."""
    found = issues(s, facts)
    assert column_issues(s, facts) == found
    return found


def capped(seconds: float = 60, memory: int = 2 << 30) -> dict[str, Any]:
    """subprocess.run arguments: a fresh interpreter with this tree first, under a time and memory cap."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return {"preexec_fn": limit, "timeout": seconds, "capture_output": True, "text": True, "env": env, "cwd": ROOT}


NUMBERS = scheme("""\
    facts:
      x: {type: number}
      n: {type: count, required: false}
      r: {type: rate, required: false}
      ev: {type: events, required: false, fields: {v: {type: number}}}
    groups:
      - id: g
        label: 组
        sections: [{id: a, label: 甲, max: 100, score: x}]
        adjustments:
          id: adj
          label: 加减分
          rules:
            - {id: c, label: 乙, formula: "n + r"}
            - {id: e, label: 丙, for_each: {events: ev, value: {formula: v}}}
    """)


def unit(**facts: Any) -> dict[str, dict[str, Any]]:
    """Three units; the last, 'u', gives ``facts`` (x defaults to 1)."""
    return {"a": {"group": "g", "x": 1}, "b": {"group": "g", "x": 2}, "u": {"group": "g", "x": 1, **facts}}


# --- 1. bounds on magnitude and exponent --------------------------------------------------------------------

@pytest.mark.parametrize(("value", "shown"), [
    ("1e1000000", "'1e1000000'"), ("1e999999", "'1e999999'"), ("1e5000", "'1e5000'"), ("-1e16", "'-1e16'"),
    ("1000000000000000", "'1000000000000000'"), (D("1E+1000000"), "Decimal('1E+1000000')"),
    (10**15, "1000000000000000"), pytest.param(-(10**5000), "an integer of 5001 digits", id="huge-int"), (1e300, "1e+300"),
    pytest.param("9" * 100_000, "'99999999999999999999…' (100000 characters)", id="long-text"),
])
def test_a_number_too_large_is_out_of_range_in_both_paths(value: Any, shown: str) -> None:
    found = both_paths(NUMBERS, unit(x=value))
    assert found == [FactIssue("out-of-range", "u", "x", f"{shown} is too large: {BOUNDS}")]


@pytest.mark.parametrize(("value", "shown"), [
    ("1e-1000000", "'1e-1000000'"), ("0.0000000000000000001", "'0.0000000000000000001'"),
    (D("1E-19"), "Decimal('1E-19')"), (1e-300, "1e-300"), ("1.5%", None),
])
def test_a_number_with_too_many_places_is_out_of_range_in_both_paths(value: Any, shown: str | None) -> None:
    if shown is None:  # a rate of 0.000000000000000015% is 1.5e-19: too many places once divided by 100
        found = both_paths(NUMBERS, unit(r="0.000000000000000015%"))
        assert found == [FactIssue("out-of-range", "u", "r", f"'0.000000000000000015%' has more than 18 decimal "
                                   f"places: {BOUNDS}")]
        return
    found = both_paths(NUMBERS, unit(x=value))
    assert found == [FactIssue("out-of-range", "u", "x", f"{shown} has more than 18 decimal places: {BOUNDS}")]


def test_an_event_field_too_large_is_out_of_range() -> None:
    found = both_paths(NUMBERS, unit(ev=[{"v": 1}, {"v": "1e400"}]))
    assert found == [FactIssue("out-of-range", "u", "ev", f"event 2, field 'v': '1e400' is too large: {BOUNDS}")]


@pytest.mark.parametrize(("value", "kept"), [
    ("999999999999999.999999999999999999", "999999999999999.999999999999999999"),
    ("-999999999999999", "-999999999999999"), ("0.000000000000000001", "1E-18"),
    ("1.000000000000000000000000", "1.000000000000000000"),  # zeros past 18 places change no value: dropped
    ("0e1000000", "0E+1000000"), ("-0", "-0"), ("0E-1000000", "0E-18"), (D("1E+14"), "1E+14"),
])
def test_numbers_within_the_bounds_are_kept_exactly(value: Any, kept: str) -> None:
    s = scheme("""\
        facts:
          x: {type: number}
        groups:
          - id: g
            label: 组
            adjustments: {id: adj, label: 加减分, rules: [{id: f, label: 原值, formula: x}]}
        """)
    facts = {"a": {"group": "g", "x": 1}, "u": {"group": "g", "x": value}}
    by_dicts = s.evaluate(facts)["u"].values["f"]
    by_columns = s.evaluate_columns({"unit": ["a", "u"], "group": ["g", "g"], "x": [1, value]})["u"].values["f"]
    assert str(by_dicts) == str(by_columns) == kept


def test_many_units_one_bad_value_gives_the_same_error_in_both_paths() -> None:
    facts = {f"u{k:04}": {"group": "g", "x": D(k)} for k in range(600)}
    facts["u0599"]["x"] = D("1E-19")  # past the first block of 256 units: the fast path must doubt it
    assert both_paths(NUMBERS, facts) == [
        FactIssue("out-of-range", "u0599", "x", f"Decimal('1E-19') has more than 18 decimal places: {BOUNDS}")]
    facts["u0599"]["x"] = "1e20"
    assert both_paths(NUMBERS, facts) == [FactIssue("out-of-range", "u0599", "x", f"'1e20' is too large: {BOUNDS}")]


HEBI_UNIT = "龙岗街道办事处"


def _hebi_facts(tmp_path: Path, value: str) -> Path:
    text = (ROOT / "src" / "apprule" / "examples" / "hebi_2021.facts.yaml").read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    first = "    - {notice: 6月月度评价, place: 1, ranked: 8, date: 2021-07-08}\n"
    assert lines[39] == first  # the first 市对区 notice of the first unit giving city_rankings
    lines[39] = first.replace("place: 1,", f'place: "{value}",')
    path = tmp_path / "hebi.facts.yaml"
    path.write_text("".join(lines), encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["table", "json"])
@pytest.mark.parametrize("value", ["1e1000000", "1e999999", "1e5000"])
def test_apprule_score_with_a_huge_city_rank_is_a_located_out_of_range(tmp_path: Path, value: str,
                                                                       fmt: str) -> None:
    facts = _hebi_facts(tmp_path, value)
    unit_name = _first_city_rank_unit(facts)
    done = subprocess.run([*CLI, "--lang", "en", "score", "hebi_2021", str(facts),
                           "--format", fmt], **capped())
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert f"{facts}:40:" in done.stderr
    assert (f"out-of-range: unit {unit_name!r}, fact 'city_rankings': event 1, field 'place': '{value}' is too large: "
            f"{BOUNDS}") in done.stderr


def _first_city_rank_unit(path: Path) -> str:
    name = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith((" ", "#")):
            name = line.rstrip(":")
        if line.startswith("  city_rankings:"):
            return name
    raise AssertionError("no city_rankings")


# --- 3. a huge tie count --------------------------------------------------------------------------------------

TIES = """\
    facts:
      r: {type: number, required: false}
      k: {type: count, required: false}
    groups:
      - id: g
        label: 组
        sections:
          - {id: s, label: 名次, max: 10, rank_table: {rank: r, tie_count: k, map: {1: 10, 2: 5}, ties: average}}
    """


def test_a_tie_count_of_a_billion_is_refused_quickly() -> None:
    code = ("import apprule, textwrap\n"
            f"s = apprule.load_scheme({HEAD + textwrap.dedent(TIES)!r}, name='t.yaml')\n"
            "try:\n"
            "    s.evaluate({'u': {'group': 'g', 'r': 1, 'k': 10**9}})\n"
            "except apprule.FactError as exc:\n"
            "    print(exc)\n")
    done = subprocess.run([sys.executable, "-c", code], **capped(seconds=30))
    assert done.returncode == 0, done.stderr
    assert done.stdout == ("unit 'u', fact 'k': out-of-range: a tie count is at most 10000 (no outside ranking "
                           "holds more units), got 1000000000\n")


def test_tie_counts_are_whole_numbers_from_1_to_the_limit() -> None:
    s = scheme(TIES)
    assert both_paths(s, {"u": {"group": "g", "r": 1, "k": 0}}) == [
        FactIssue("bad-rank", "u", "k", "a tie count is a whole number of at least 1, got 0")]
    assert both_paths(s, {"u": {"group": "g", "r": 1, "k": 10_001}}) == [
        FactIssue("out-of-range", "u", "k", "a tie count is at most 10000 (no outside ranking holds more units), "
                  "got 10001")]
    ev = s.evaluate({"u": {"group": "g", "r": 1, "k": 10_000}, "v": {"group": "g", "r": 1, "k": 3}})
    assert ev["u"].values["s"] == D("0.0015")  # (10 + 5) / 10000
    assert ev["v"].values["s"] == 5  # (10 + 5 + 0) / 3


# --- 4. thousands separators and underscores ------------------------------------------------------------------

@pytest.mark.parametrize(("text", "message"), [
    ("1,5", "'1,5': a comma may only separate groups of three digits, as in 1,234,567.89"),
    ("9,9", "'9,9': a comma may only separate groups of three digits, as in 1,234,567.89"),
    ("1,2345", "'1,2345': a comma may only separate groups of three digits, as in 1,234,567.89"),
    (",123", "',123': a comma may only separate groups of three digits, as in 1,234,567.89"),
    ("1,234.5,6", "'1,234.5,6': a comma may only separate groups of three digits, as in 1,234,567.89"),
    ("1_0", "'1_0': a number is written without underscores"),
    ("1，234", "'1，234': the full-width comma (，) is not a thousands separator; write 1234 or 1,234"),
])
def test_a_misplaced_separator_is_refused_in_both_paths(text: str, message: str) -> None:
    assert both_paths(NUMBERS, unit(x=text)) == [FactIssue("bad-number", "u", "x", message)]
    many = {f"u{k:03}": {"group": "g", "x": str(k)} for k in range(300)}
    many["u299"]["x"] = text  # a column of text, past the first block
    assert both_paths(NUMBERS, many) == [FactIssue("bad-number", "u299", "x", message.replace("'u'", "'u299'"))]


@pytest.mark.parametrize(("text", "number"), [("1,234,567.89", "1234567.89"), ("-1,234", "-1234"),
                                              ("+12,345", "12345"), ("1,000.", "1000"), ("999", "999")])
def test_properly_grouped_numbers_are_read(text: str, number: str) -> None:
    s = scheme("""\
        facts:
          x: {type: number}
        groups:
          - id: g
            label: 组
            adjustments: {id: adj, label: 加减分, rules: [{id: f, label: 原值, formula: x}]}
        """)
    assert s.evaluate({"u": {"group": "g", "x": text}})["u"].values["f"] == D(number)
    assert NUMBERS.evaluate({"u": {"group": "g", "x": 1, "n": 0, "r": "1,234.5%"}})["u"].values["c"] == D("12.345")


# --- 5. ranks ------------------------------------------------------------------------------------------------

RANKS = """\
    facts:
      r: {type: number, required: false}
      c: {type: count, required: false}
    groups:
      - id: g
        label: 组
        sections:
          - {id: s, label: 名次, max: 10, rank_table: {rank: r, map: {1: 10, 2: 5}, otherwise: 1}}
          - {id: t, label: 名次, max: 10, rank_table: {rank: c, map: {1: 10, 2: 5}, otherwise: 1}}
    """


@pytest.mark.parametrize(("fact", "value", "shown"), [("r", "1.9", "'1.9'"), ("r", 0, "0"), ("r", -1, "-1"),
                                                      ("r", D("2.5"), "Decimal('2.5')"), ("c", 0, "0")])
def test_a_rank_is_a_whole_number_of_at_least_1(fact: str, value: Any, shown: str) -> None:
    s = scheme(RANKS)
    assert both_paths(s, {"u": {"group": "g", fact: value}}) == [
        FactIssue("bad-rank", "u", fact, f"a rank is a whole number of at least 1, got {shown}")]


def test_good_ranks_still_score() -> None:
    ev = scheme(RANKS).evaluate({"u": {"group": "g", "r": 2, "c": 7}, "v": {"group": "g", "r": "1", "c": 1}})
    assert (ev["u"].values["s"], ev["u"].values["t"], ev["v"].values["s"], ev["v"].values["t"]) == (5, 1, 10, 10)


def test_a_rank_default_below_1_is_a_scheme_problem() -> None:
    assert problems(RANKS.replace("r: {type: number, required: false}", "r: {type: number, default: 0}")) == [
        "t.yaml:8:21: invalid-value: the default of fact 'r': a rank is a whole number of at least 1, got 0 "
        "(at facts.r.default)"]


# --- 6. aggregate weights --------------------------------------------------------------------------------------

AGGREGATE = """\
    facts:
      x: {type: number}
    groups:
      - id: g
        label: 组
        sections: [{id: a, label: 甲, max: 100, score: x}]
    aggregate:
      label: 年度
      weights: WEIGHTS
    """


@pytest.mark.parametrize(("weights", "found"), [
    ("{a: 1, b: -1}", ["t.yaml:15:3: invalid-value: the weights add up to 0; at least one must be above 0 "
                       "(at aggregate.weights)",
                       "t.yaml:15:19: invalid-value: a weight is at least 0, got -1 (at aggregate.weights.b)"]),
    ("{a: 2, b: -1}", "t.yaml:15:19: invalid-value: a weight is at least 0, got -1 (at aggregate.weights.b)"),
    ("{a: 0, b: 0}", "t.yaml:15:3: invalid-value: the weights add up to 0; at least one must be above 0 "
                     "(at aggregate.weights)"),
    ("{a: 1, b: 1e999999}", f"t.yaml:15:19: out-of-range: 1E+999999 is too large: {BOUNDS} "
                            "(at aggregate.weights.b)"),
])
def test_aggregate_weights_are_refused_at_load(weights: str, found: str | list[str]) -> None:
    assert problems(AGGREGATE.replace("WEIGHTS", weights)) == (found if isinstance(found, list) else [found])


def test_aggregate_with_the_largest_weights_gives_a_result() -> None:
    s = scheme(AGGREGATE.replace("WEIGHTS", "{a: 999999999999999, b: 0.000000000000000001}"))
    ev = s.evaluate({"u": {"group": "g", "x": 100}})
    totals = s.aggregate({"a": ev, "b": ev})
    assert totals["u"].total == 100


# --- 7. exact sums of maxima ----------------------------------------------------------------------------------

def test_maxima_that_miss_by_one_part_in_10_to_32_are_unbalanced() -> None:
    body = """\
        facts:
          x: {type: number}
        groups:
          - id: g
            label: 组
            max: 100000000000000
            sections:
              - id: s
                label: 甲
                max: 100000000000000
                items:
                  - {id: a, label: 子甲, max: 99999999999999.999999999999999999, score: x}
                  - {id: b, label: 子乙, max: 0.000000000000000002, score: x}
        """
    assert problems(body) == [
        "t.yaml:16:9: unbalanced-max: the items of 's' add up to 100000000000000.000000000000000001, not its max "
        "100000000000000; fix one or state why under `unbalanced` (at groups[0].sections[0].max)"]
    top = body.replace("            sections:\n              - id: s", "            sections:\n              - id: s"
                       ).replace("max: 100000000000000\n            sections", "max: 100000000000000.000000000000000001"
                                 "\n            sections")
    assert problems(top) == [
        "t.yaml:16:9: unbalanced-max: the items of 's' add up to 100000000000000.000000000000000001, not its max "
        "100000000000000; fix one or state why under `unbalanced` (at groups[0].sections[0].max)",
        "t.yaml:12:5: unbalanced-max: the sections' maxima add up to 100000000000000, not the group's max "
        "100000000000000.000000000000000001; fix one or state why under `unbalanced` (at groups[0].max)"][::-1]


# --- 8. huge numbers in a scheme --------------------------------------------------------------------------------

def test_apprule_check_with_huge_section_maxima_is_located() -> None:
    body = """\
        facts:
          x: {type: number}
        groups:
          - id: g
            label: 组
            max: 100
            sections:
              - {id: a, label: 甲, max: 9e999999, score: x}
              - {id: b, label: 乙, max: 9e999999, score: x}
        """
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"huge-maxima-{os.getpid()}.yaml"
    path.write_text(HEAD + textwrap.dedent(body), encoding="utf-8")
    try:
        done = subprocess.run([*CLI, "check", str(path)], **capped())
    finally:
        path.unlink()
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    out = done.stdout + done.stderr
    for line in (14, 15):
        assert f"{path}:{line}:27: out-of-range: 9E+999999 is too large: {BOUNDS} (at groups[0].sections[{line - 14}]" \
               ".max)" in out


@pytest.mark.parametrize(("fragment", "found"), [
    ("quota: {count: 1e5000}", f"t.yaml:17:30: out-of-range: an integer of 5001 digits is too large: {BOUNDS} "
                               "(at groups[0].grades.rules[0].quota.count)"),
    ("quota: {count: 1000000000000000}", f"t.yaml:17:30: out-of-range: 1000000000000000 is too large: {BOUNDS} "
                                         "(at groups[0].grades.rules[0].quota.count)"),
    ("when: 'x > 1', quota: {count: 3}", None),
])
def test_a_huge_quota_count_is_located(fragment: str, found: str | None) -> None:
    body = f"""\
        facts:
          x: {{type: number}}
        groups:
          - id: g
            label: 组
            sections: [{{id: a, label: 甲, max: 100, score: x}}]
            ranking: {{}}
            grades:
              levels: [好, 差]
              rules:
                - {{grade: 好, {fragment}}}
                - {{grade: 差}}
        """
    assert problems(body) == ([found] if found else [])


@pytest.mark.parametrize(("fragment", "where"), [
    ("{id: a, label: 甲, max: 100, bands: {of: x, bands: [{from: 0, points: 1e999999}]}}",
     "groups[0].sections[0].bands.bands[0].points"),
    ("{id: a, label: 甲, max: 100, per: {of: x, points: 1, size: 0.0000000000000000001}}",
     "groups[0].sections[0].per.size"),
    ("{id: a, label: 甲, max: 100, rank_table: {by: x, map: {1: 1e999999}}}",
     "groups[0].sections[0].rank_table.map[1].points"),
    ("{id: a, label: 甲, max: 100, min: -1e999999, score: x}", "groups[0].sections[0].min"),
])
def test_huge_scheme_numbers_anywhere_are_located(fragment: str, where: str) -> None:
    body = f"""\
        facts:
          x: {{type: number}}
        groups:
          - id: g
            label: 组
            sections:
              - {fragment}
        """
    found = problems(body)
    assert len(found) == 1 and found[0].startswith("t.yaml:13:") and " out-of-range: " in found[0]
    assert found[0].endswith(f": {BOUNDS} (at {where})")


def test_a_fact_bound_out_of_range_is_located() -> None:
    assert problems("""\
        facts:
          x: {type: number, max: 1e16}
        groups:
          - id: g
            label: 组
            sections: [{id: a, label: 甲, max: 100, score: x}]
        """) == [f"t.yaml:8:21: out-of-range: 1E+16 is too large: {BOUNDS} (at facts.x.max)"]


def test_a_weighted_total_that_overflows_is_a_period_error() -> None:
    from types import SimpleNamespace

    from apprule.decimals import CONTEXT
    from apprule.evaluate.periods import aggregate_periods
    from apprule.scheme.model import Aggregate

    spec = Aggregate(label="年度", method="weighted_sum", weights={"a": D(10)})
    huge = SimpleNamespace(group="g", total=D("9E+999999"), group_ranked=False, rank=None)
    with pytest.raises(apprule.PeriodError) as caught:
        import decimal
        with decimal.localcontext(CONTEXT):
            aggregate_periods(spec, {"a": {"u": huge}})  # type: ignore[dict-item]
    assert str(caught.value) == "unit 'u': its weighted total over the periods cannot be computed (Overflow)"
