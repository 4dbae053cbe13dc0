"""Every mistake is reported with its code, message and location; hostile files are refused fast."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from schemekit import HEAD, scheme, units

import apprule

GOOD = HEAD + """\
facts:
  x: {type: number}
groups:
  - id: g
    label: 组
    sections:
      - {id: s, label: 得分, max: 10, score: x}
"""


def problems(text: str) -> list[tuple[str, int, int, str]]:
    with pytest.raises(apprule.SchemeError) as info:
        apprule.load_scheme(text, name="bad.yaml")
    return [(p.code, p.location.line, p.location.column, p.message) if p.location else (p.code, 0, 0, p.message)
            for p in info.value.problems]


def test_unknown_key_with_location_and_hint() -> None:
    text = GOOD.replace("{id: s, label: 得分, max: 10, score: x}", "{id: s, label: 得分, maxx: 10, score: x}")
    with pytest.raises(apprule.SchemeError) as info:
        apprule.load_scheme(text, name="bad.yaml")
    [problem, *rest] = info.value.problems
    assert (problem.code, problem.location.line, problem.location.column) == ("unknown-key", 13, 28)
    assert problem.message == "unknown key 'maxx'"
    assert problem.hint == "did you mean 'max'?"
    assert str(info.value).startswith("bad.yaml:13:28: unknown-key: unknown key 'maxx'")
    assert "^" in str(info.value)


def test_all_errors_are_gathered_and_sorted() -> None:
    text = GOOD.replace("max: 10, score: x}", "max: 10, score: y}").replace("label: 组", "label: 组\n    max: 20")
    found = problems(text)
    assert [(c, line) for c, line, _, _ in found] == [("unbalanced-max", 12), ("unknown-name", 14)]
    assert found[1][3] == "unknown name 'y'"


def test_expression_errors_point_into_the_expression() -> None:
    text = GOOD.replace("score: x}", "formula: 'x + x.__class__'}").replace("max: 10, ", "")
    text = text.replace("label: 组\n    sections:", "label: 组\n    adjustments:\n      id: a\n      label: 加减分\n"
                        "      rules:")
    [(code, line, column, message)] = problems(text)
    assert (code, line, message) == ("expression-forbidden", 16, "attribute access (.) is not allowed in an expression")
    assert text.splitlines()[line - 1][column - 1:].startswith("x.__class__")


@pytest.mark.parametrize(("expression", "code"), [
    ("9**9**9", "expression-forbidden"), ("__import__('os')", "unknown-function"), ("x[0]", "expression-forbidden"),
    ("(lambda: 1)()", "expression-forbidden"), ("x +", "expression-syntax"), ("round(x)", "unknown-function"),
    ("'a' * 10**8", "expression-forbidden"), ("[i for i in x]", "expression-forbidden"),
])
def test_expressions_cannot_escape_the_sandbox(expression: str, code: str) -> None:
    text = GOOD.replace("score: x}", f'score: "{expression}"}}')
    assert problems(text)[0][0] == code


def test_duplicate_keys_cycles_bands_and_ids() -> None:
    assert problems(GOOD + "dsl: 1\n")[0][:2] == ("duplicate-key", 14)
    cyc = GOOD.replace("      - {id: s, label: 得分, max: 10, score: x}",
                       "      - {id: s, label: 得分, max: 5, score: t}\n      - {id: t, label: 乙, max: 5, score: s}")
    assert [p[0] for p in problems(cyc)] == ["cycle"]
    bands = HEAD + """\
facts: {x: {type: number}}
groups:
  - id: g
    label: 组
    adjustments:
      id: a
      label: 加减分
      rules:
        - id: r
          label: 段
          bands: {of: x, bands: [{below: 10, points: 1}, {from: 12, points: 2}, {from: 11, below: 13, points: 3}]}
"""
    assert sorted(p[0] for p in problems(bands)) == ["band-gap", "band-overlap"]


@pytest.mark.parametrize("text", [
    "a: &a [1]\n" + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n"
                            for i in range(8)),
    "[" * 5000 + "]" * 5000,
    "a: !!python/object/apply:os.system ['echo hi']\n",
])
def test_hostile_files_are_refused_with_a_location(text: str) -> None:
    # no timing here (a loaded machine made it flaky): tests/hostile runs such files in a subprocess
    # under a time limit, which is what "never hangs" means
    with pytest.raises(apprule.SchemeError) as info:
        apprule.load_scheme(text, name="evil.yaml")
    assert info.value.problems[0].location is not None
    assert info.value.problems[0].code in ("too-large", "too-deep", "unknown-tag")


def test_yaml_12_keeps_no_as_a_string() -> None:
    text = GOOD.replace("label: 组", "label: no")
    assert apprule.load_scheme(text).groups[0].label == "no"


FACTS = scheme("""\
    n: {type: count}
    x: {type: number}
    level: {type: enum, values: {national: 国家级, city: 市级}}
    ok: {type: boolean}
    """, """\
    - {id: r, label: 规则, formula: "n + x + (1 if ok else 0) + (1 if level == 'city' else 0)"}
    """)


@pytest.mark.parametrize(("given", "code", "fact"), [
    ({"n": -1}, "bad-count", "n"), ({"n": "2.5"}, "bad-count", "n"), ({"x": float("nan")}, "not-finite", "x"),
    ({"x": 12345678901234567890.12}, "inexact-float", "x"), ({"x": "12分"}, "wrong-unit", "x"),
    ({"ok": "maybe"}, "wrong-type", "ok"), ({"level": "province"}, "unknown-value", "level"),
    ({"xx": 1}, "unknown-fact", "xx"), ({"x": True}, "wrong-type", "x"),
])
def test_bad_facts_name_unit_fact_and_value(given: dict[str, object], code: str, fact: str) -> None:
    facts = {"n": 1, "x": 1, "level": "city", "ok": True, **given}
    with pytest.raises(apprule.FactError) as info:
        FACTS.evaluate(units(u=facts))
    assert [(i.code, i.unit, i.fact) for i in info.value.issues] == [(code, "u", fact)]


def test_facts_convert_exactly() -> None:
    ev = FACTS.evaluate(units(u={"n": 2, "x": 0.1, "level": "市级", "ok": "是"}))
    assert ev["u"].values["r"] == D("4.1")     # 2 + 0.1 + 1 + 1, the float 0.1 read as its text


def test_missing_fact_and_unknown_unit() -> None:
    with pytest.raises(apprule.FactError, match="unit 'u', fact 'x': missing-fact: required fact is missing"):
        FACTS.evaluate(units(u={"n": 1, "level": "city", "ok": True}))
    with pytest.raises(apprule.FactError, match="unknown-group"):
        FACTS.evaluate({"u": {"group": "h"}})


def test_a_sequence_is_never_dropped_silently() -> None:
    facts = {"n": 1, "x": 1, "level": "city", "ok": True}
    message = "unit 'u', fact 'sequence': unknown-sequence: group 'g' has no sequences, got 'streets'"
    with pytest.raises(apprule.FactError, match=message):
        FACTS.evaluate(units(u={**facts, "sequence": "streets"}))
    with pytest.raises(apprule.FactError, match=message):  # the same from a table
        FACTS.evaluate_columns({"unit": ["u"], "group": ["g"], "sequence": ["streets"],
                                **{k: [v] for k, v in facts.items()}})
    assert FACTS.evaluate(units(u={**facts, "sequence": None}))["u"].sequence is None  # an empty cell says nothing
