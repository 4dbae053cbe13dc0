"""Issue 14, hostile schemes: `use:` bombs, repeated text, huge schemes, misreads and misplaced errors.

Resource cases run in a subprocess with a time and memory cap and assert the error, never a timing.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import apprule
from apprule.expressions import ExpressionProblem, parse

ROOT = Path(__file__).parents[2]
HEAD = """\
dsl: 1
id: t
title: T
issuer: I
date: 2021-01-01
period: {kind: year, start: 2021-01-01, end: 2021-12-31}
"""


def capped(seconds: int = 60, memory: int = 1 << 30) -> dict[str, Any]:
    """subprocess.run arguments: a fresh interpreter with this tree first, under a time and memory cap."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return {"preexec_fn": limit, "timeout": seconds, "capture_output": True, "text": True, "env": env}


def load_in_subprocess(text: str, tmp_path: Path) -> str:
    """The first problem of loading ``text`` as s.yaml, rendered, from a capped interpreter."""
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    code = textwrap.dedent(f"""\
        import apprule
        try:
            apprule.load_scheme({str(path)!r}, name="s.yaml")
        except apprule.SchemeError as exc:
            print(exc.problems[0].render())
        """)
    done = subprocess.run([sys.executable, "-c", code], **capped())
    assert done.returncode == 0, done.stderr
    return done.stdout


def problems(text: str) -> list[apprule.Problem]:
    with pytest.raises(apprule.SchemeError) as raised:
        apprule.load_scheme(text, name="s.yaml")
    return list(raised.value.problems)


def test_use_blocks_that_double_stop_at_the_node_bound(tmp_path: Path) -> None:
    lines = ["facts:", "  x: {type: number}", "blocks:", "  b0: {id: a, label: A, max: 1, score: x}"]
    lines += [f"  b{i}: {{id: s{i}, label: S, max: 2, items: [{{use: b{i - 1}}}, {{use: b{i - 1}}}]}}"
              for i in range(1, 30)]  # 2**29 rules, in about 2 KB
    text = HEAD + "\n".join(lines) + "\ngroups:\n  - id: g\n    label: G\n    sections: [{use: b29}]\n"
    assert load_in_subprocess(text, tmp_path) == (
        "s.yaml:43:17: too-large: `use:` expands the scheme past 50000 nodes (blocks that use blocks, each more "
        "than once) (at groups[0].sections[0].use)\n"
        "      sections: [{use: b29}]\n"
        "                  ^\n")


def test_a_huge_scheme_is_refused_at_its_node_bound(tmp_path: Path) -> None:
    text = "x: [" + ",".join(["1"] * 190_000) + "]\n"  # 380 KB, 190 000 nodes
    # the root, the key and the list are three nodes: the 49 998th item is the 50 001st
    column = len("x: [") + 2 * (50_000 - 3) + 1
    out = load_in_subprocess(text, tmp_path)
    assert out.splitlines()[0] == (f"s.yaml:1:{column}: too-large: a scheme file may hold at most 50000 YAML nodes "
                                   f"(at x[49997])")


def test_text_is_never_multiplied() -> None:
    for text, offset in [("'x' * 3", 0), ("3 * 'ab'", 4), ("[1] * 3", 0), ("a * (1, 2)", 4)]:
        with pytest.raises(ExpressionProblem) as raised:
            parse(text)
        assert (raised.value.code, raised.value.message, raised.value.offset) == (
            "expression-forbidden", "text or a list cannot be multiplied", offset)
    found = problems(HEAD + "facts:\n  x: {type: number}\ngroups:\n  - id: g\n    label: G\n"
                     "    sections: [{id: s, label: S, max: 10, formula: \"x + 'x' * 3\"}]\n")
    assert [p.render() for p in found] == [
        "s.yaml:12:57: expression-forbidden: text or a list cannot be multiplied (at groups[0].sections[0].formula)\n"
        "      sections: [{id: s, label: S, max: 10, formula: \"x + 'x' * 3\"}]\n"
        "                                                          ^"]


def test_text_repeated_through_a_name_is_refused_when_evaluated() -> None:
    # True + True is 2 in Python: t * 2**30 would be 3 GB; the names' types show only now
    twos = " * ".join(["(True + True)"] * 30)
    text = HEAD + f"""\
facts:
  x: {{type: number}}
  t: {{type: text}}
groups:
  - id: g
    label: G
    units: [u]
    sections: [{{id: s, label: S, max: 10, formula: "t * {twos}"}}]
"""
    code = textwrap.dedent(f"""\
        import apprule
        scheme = apprule.load_scheme({text!r}, name="s.yaml")  # loads: the types of names show only now
        try:
            scheme.evaluate({{"u": {{"t": "abc"}}}})
        except apprule.AppruleError as exc:
            print(type(exc).__name__, exc)
        """)
    done = subprocess.run([sys.executable, "-c", code], **capped())
    assert done.returncode == 0, done.stderr
    assert done.stdout == (f"EvaluationError unit 'u', rule 's': in 't * {twos}': "
                           "TypeError: text or a list cannot be multiplied\n")


def test_values_quoted_in_messages_are_cut_short() -> None:
    long = "x" * 5000
    found = problems(HEAD + f"facts:\n  x: {{type: number, max: {long}}}\n")
    message = next(p.message for p in found if p.path == ("facts", "x", "max"))
    assert message == f"expected a number (got '{'x' * 60}'… (5000 characters))"
    from apprule.expressions import Runner
    with pytest.raises(apprule.EvaluationError) as raised:
        Runner().run_for(parse("max(t, 1)"), {"t": long}, "u", "r")
    assert str(raised.value) == f"unit 'u', rule 'r': in 'max(t, 1)': TypeError: max() takes numbers, got '{'x' * 60}'… (5000 characters)"


RANKS = HEAD + """\
facts:
  r: {type: count}
groups:
  - id: g
    label: G
    sections:
      - {id: s, label: S, max: 10, rank_table: {rank: r, map: %s}}
"""


@pytest.mark.parametrize("keys, column, message", [
    ("{1: 10, '1': 5}", 71, "rank 1 is given twice, as 1 and as '1'"),
    ("{1: 10, 1.0: 5}", 71, "rank 1 is given twice, as 1 and as '1.0'"),
    ("{'01': 10, 1: 5}", 74, "rank 1 is given twice, as '01' and as 1"),
])
def test_a_rank_given_twice_is_a_duplicate_key(keys: str, column: int, message: str) -> None:
    found = problems(RANKS % keys)
    assert [(p.code, p.message, str(p.location)) for p in found] == [
        ("duplicate-key", message, f"s.yaml:13:{column}")]


def test_a_rank_key_is_a_whole_number_in_decimal_digits() -> None:
    found = problems(RANKS % "{1: 10, '1_0': 5}")
    assert [(p.code, p.message, str(p.location)) for p in found] == [
        ("wrong-type", "'1_0' is not a rank (a whole number)", "s.yaml:13:71")]


@pytest.mark.parametrize("value, code, message", [
    ("!!bool yes", "bad-boolean", "'yes' is not a YAML boolean; write true or false"),
    ("0x10", "bad-number", "'0x10' is not a number in decimal digits; write it so, or quote it if it is text"),
    ("1_0", "bad-number", "'1_0' is not a number in decimal digits; write it so, or quote it if it is text"),
    ("0o17", "bad-number", "'0o17' is not a number in decimal digits; write it so, or quote it if it is text"),
])
def test_scalars_are_read_as_written_or_refused(value: str, code: str, message: str) -> None:
    found = problems(HEAD + f"x: {value}\n")
    assert [(p.code, p.message, str(p.location)) for p in found] == [(code, message, "s.yaml:7:4")]


def test_booleans_and_numbers_as_yaml_1_2_writes_them() -> None:
    from apprule.scheme.yamlsource import read_yaml
    data = read_yaml("a: !!bool true\nb: False\nc: -12\nd: 1.5e2\ne: '0x10'\n~: 1\ntrue: 2\n1e2: 3\n", "s.yaml").data
    assert data == {"a": True, "b": False, "c": -12, "d": Decimal("1.5e2"), "e": "0x10", "~": 1, "true": 2, "1e2": 3}


@pytest.mark.parametrize("separator", ["\u2028", "\x85", "\u2029"])
def test_line_and_shown_source_agree_after_a_unicode_line_separator(separator: str) -> None:
    # editors, grep and YAML 1.2 break lines at \n only: so does the reported line, and the line shown
    found = problems(HEAD.replace("title: T", f"title: T{separator}x") + "bogus: 1\n")
    bogus = next(p for p in found if p.code == "unknown-key")
    assert str(bogus.location) == "s.yaml:7:1"
    assert bogus.source_line == "bogus: 1"


def test_a_form_feed_is_located() -> None:
    found = problems(HEAD + "note: a\x0cb\n")
    assert [p.render() for p in found] == [
        "s.yaml:7:8: bad-character: character U+000C is not allowed in YAML\n  note: a\x0cb\n         ^"]


@pytest.mark.parametrize("where", ["label", "units"])
def test_a_lone_surrogate_is_a_located_error(where: str) -> None:
    label, units = ('"G\\ud800"', "[u]") if where == "label" else ("G", '[u, "\\udc00x"]')
    found = problems(HEAD + f"facts:\n  x: {{type: number}}\ngroups:\n  - id: g\n    label: {label}\n"
                     f"    units: {units}\n    sections: [{{id: a, label: A, max: 10, score: x}}]\n")
    column = 12 if where == "label" else 16
    line = 11 if where == "label" else 12
    assert [(p.code, p.message, str(p.location)) for p in found] == [
        ("bad-character", f"\\u{'d800' if where == 'label' else 'dc00'} is half of a surrogate pair, not a character",
         f"s.yaml:{line}:{column}")]


def test_a_surrogate_pair_escape_is_its_character() -> None:
    from apprule.scheme.yamlsource import read_yaml
    assert read_yaml('a: "\\ud83d\\ude00"\n', "s.yaml").data == {"a": "\U0001F600"}


def test_a_huge_text_where_a_number_belongs_is_quoted_short() -> None:
    s = apprule.load_scheme(HEAD + """\
facts:
  t: {type: text}
groups:
  - id: g
    label: 组
    sections:
      - {id: s, label: 得分, max: 10, items: [{id: r, label: 公式, max: 10, formula: t}]}
""", name="s.yaml")
    with pytest.raises(apprule.EvaluationError) as info:
        s.evaluate({"u": {"group": "g", "t": "x" * 100_000}})
    assert str(info.value) == "unit 'u', rule 'r': the formula's result is 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
        "xxxxxxxxxxxxxxxxxxxx'… (100000 characters), not a number"
