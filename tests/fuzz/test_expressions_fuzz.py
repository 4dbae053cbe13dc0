"""Fuzz expressions: nesting, hostile names and sandbox escapes, in every place a scheme holds one."""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fuzzkit import HEAD, evaluate_or_apprule_error, finishes_within, load_or_located_error

HOSTILE = [
    "__import__('os').system('echo pwned')", "x.__class__", "().__class__.__bases__[0].__subclasses__()",
    "open('/etc/passwd')", "eval('1')", "exec('1')", "globals()", "__builtins__", "x.real", "x[0]",
    "9**9**9", "2**100000", "'a' * 100000000", "[0] * 99999999", "lambda: 1", "(y := 1)", "{'a': 1}",
    "{1, 2}", "f'{x}'", "[i for i in [1]]", "sum(i for i in [1])", "min(*[1, 2])", "max(x, key=abs)",
    "1e999999 * 1e999999", "1 / 0", "x / 0", "min()", "round_half_up(x, -9999)", "clamp(x, 'a', 'b')",
    "'" + "a" * 1990 + "'", "x" + " + x" * 700, "1 if x else", "x ==", "\\x00", "数字 + 1", "present(x) and x",
    "count([1], [2], 'a')", "not not not x", "x < 1 < 2 < 3", "abs(-x)", "floor(1e999999)", "ceil(-1e999999)",
]
ATOMS = st.sampled_from(["x", "n", "flag", "1", "0", "0.5", "-3", "1e308", "'a'", "True", "None", "[x]"])


def _expressions() -> st.SearchStrategy[str]:
    return st.recursive(
        st.one_of(ATOMS, st.sampled_from(HOSTILE)),
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "<", "==", "and", "or", "in"]), inner).map(
                lambda t: f"({t[0]} {t[1]} {t[2]})"),
            inner.map(lambda e: f"-({e})"), inner.map(lambda e: f"not ({e})"),
            st.tuples(st.sampled_from(["min", "max", "abs", "floor", "ceil", "sum", "count", "present",
                                       "round_half_up", "clamp"]), st.lists(inner, max_size=3)).map(
                lambda t: f"{t[0]}({', '.join(t[1])})"),
            st.tuples(inner, inner, inner).map(lambda t: f"({t[0]} if {t[1]} else {t[2]})"),
        ), max_leaves=12)


PLACES = {
    "formula": "sections:\n  - {{id: s, label: 项, max: 10, formula: {e}}}\n",
    "when": "adjustments:\n  id: adj\n  label: 加减分\n  rules:\n    - {{id: w, label: 条件, when: {{test: {e}, "
            "points: 1}}}}\n",
    "veto": "sections:\n  - {{id: s, label: 项, max: 10, score: x}}\nvetoes:\n  - {{id: v, label: 否决, when: {e}}}\n",
    "ranking": "sections:\n  - {{id: s, label: 项, max: 10, score: x}}\nranking: {{by: {e}}}\n",
    "total": "sections:\n  - {{id: s, label: 项, max: 10, score: x}}\ntotal: {{formula: {e}}}\n",
    "grade": "sections:\n  - {{id: s, label: 项, max: 10, score: x}}\ngrades: {{levels: [好, 差], rules: "
             "[{{grade: 好, when: {e}}}, {{grade: 差}}]}}\n",
}


def scheme_text(place: str, expression: str) -> str:
    quoted = '"' + expression.replace("\\", "\\\\").replace('"', '\\"') + '"'
    group = PLACES[place].format(e=quoted)
    return HEAD + textwrap.dedent("""\
        facts:
          x: {type: number}
          n: {type: count, required: false}
          flag: {type: boolean, default: false}
        groups:
          - id: g
            label: 组
        """) + textwrap.indent(group, "    ")


FACTS = [{"x": "1.5", "n": 2, "flag": True}, {"x": "-7", "flag": False}, {"x": "0", "n": 0}]


def _run(place: str, expression: str) -> None:
    scheme = load_or_located_error(scheme_text(place, expression))
    if scheme is not None:
        used = scheme.facts_used("g")
        facts = {f"u{i}": {"group": "g", **{k: v for k, v in f.items() if k in used}} for i, f in enumerate(FACTS)}
        evaluate_or_apprule_error(scheme, facts)


@pytest.mark.parametrize("expression", HOSTILE)
@pytest.mark.parametrize("place", ["formula", "veto", "ranking"])
def test_hostile_expressions(place: str, expression: str) -> None:
    _run(place, expression)


@settings(max_examples=60)
@given(st.sampled_from(sorted(PLACES)), _expressions())
def test_generated_expressions(place: str, expression: str) -> None:
    _run(place, expression)


@settings(max_examples=10)
@given(st.integers(1, 400), st.sampled_from(["-", "not ", "(", "abs("]))
def test_deeply_nested_expressions(depth: int, prefix: str) -> None:
    closing = ")" * depth if prefix in ("(", "abs(") else ""
    _run("formula", prefix * depth + "x" + closing)


def test_round_half_up_with_a_huge_places_argument_is_bounded() -> None:
    assert finishes_within(4, textwrap.dedent("""\
        from fuzzkit import evaluate_or_apprule_error, load_or_located_error
        from test_expressions_fuzz import scheme_text
        s = load_or_located_error(scheme_text("formula", "round_half_up(x, 1e999998)"))
        evaluate_or_apprule_error(s, {"u": {"group": "g", "x": 1}})
        """))
