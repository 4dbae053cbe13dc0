"""A shape added from outside apprule, through the registry alone, loads, is checked, scores and explains."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Iterator

import pytest

from schemekit import scheme, units, value

import apprule
import toy_shape
from apprule.evaluate.shapes import SHAPES, register
from apprule.explain import note_data, render
from apprule.io.schema import editor_schema
from apprule.testing.bounds import GroupBounds, Range
from apprule.testing.edges import collect_edges

FACTS = """\
    x: {type: number}
    """
RULE = """\
    - id: r
      label: 超过90分的加2分
      threshold: {of: x, above: 90, points: %s}
    """


@pytest.fixture(autouse=True)
def toy() -> Iterator[None]:
    register(toy_shape.SHAPE)
    yield
    del SHAPES["threshold"]


def problems(rule: str) -> list[tuple[str, str, str]]:
    with pytest.raises(apprule.SchemeError) as raised:
        scheme(FACTS, rule)
    return [(p.code, p.message, str(p.location)) for p in raised.value.problems]


def test_the_toy_shape_loads_and_scores() -> None:
    s = scheme(FACTS, RULE % 2)
    assert value(s, "r", x=D("90.01")) == D(2)
    assert value(s, "r", x=90) == D(0)  # above, not at
    assert s.evaluate(units(a={"x": 95}, b={"x": 80}))["a"].total == D(2)


def test_the_toy_shape_explains_in_its_own_words() -> None:
    result = scheme(FACTS, RULE % 2).evaluate(units(u={"x": "95.5"}))["u"]
    trace = next(t for t in result.trace.walk() if t.id == "r")
    assert tuple(map(str, trace.notes)) == ("95.5 is above 90: 2",)
    assert render(result).splitlines()[-3:] == ["      超过90分的加2分 [r]: 2.00", "        inputs: x = 95.5",
                                                "        · 95.5 is above 90: 2"]
    assert note_data(trace.notes[0]) == {"kind": "threshold", "value": "95.5", "above": "90", "points": "2",
                                         "text": "95.5 is above 90: 2"}


def test_a_bad_spec_is_located_under_the_shapes_key() -> None:
    assert problems(RULE % "lots") == [
        ("wrong-type", "expected a number (got 'lots')",
         "t.yaml:18:49")]
    with pytest.raises(apprule.SchemeError) as raised:
        scheme(FACTS, RULE.replace("above", "abov") % 2)
    assert str(raised.value).splitlines()[:5] == [
        "t.yaml:18:11: missing-key: missing key 'above' (at groups[0].adjustments.rules[0].threshold.above)",
        "            threshold: {of: x, abov: 90, points: 2}",
        "            ^",
        "t.yaml:18:30: unknown-key: unknown key 'abov' (at groups[0].adjustments.rules[0].threshold.abov)",
        "  hint: did you mean 'above'?"]


def test_the_shapes_load_time_check_is_located() -> None:
    assert problems(RULE % 0) == [("invalid-value", "a threshold worth 0 points changes nothing", "t.yaml:18:41")]


def test_a_rule_names_the_registered_shapes() -> None:
    (found,) = problems("""\
        - {id: r, label: 两种, threshold: {of: x, above: 1, points: 1}, score: x, max: 1}
        """)
    assert found[1] == ("rule 'r' needs exactly one of score, rate, per, steps, bands, table, for_each, when, "
                        "formula, rank_table, movement, threshold (found score, threshold)")


def test_its_edges_and_bounds_serve_apprule_testing() -> None:
    s = scheme(FACTS, RULE % -3)
    assert collect_edges(s.definition).of(("x", None)) == [D(0), D("89.99"), D(90), D("90.01")]
    assert GroupBounds(s.definition, s.definition.groups[0]).nodes["r"] == Range(D(-3), D(0))


def test_the_editor_schema_lists_its_key() -> None:
    leaf = editor_schema()["definitions"]["Leaf"]["properties"]["threshold"]
    assert leaf["description"] == "超过界线加分"
    assert "#/definitions/Threshold" in str(leaf)
