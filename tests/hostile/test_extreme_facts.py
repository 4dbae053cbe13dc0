"""One extreme or malformed value in one declared fact of one unit of a shipped example: every run ends in a result
or an ``AppruleError``, never another exception, and never a hang (the bounds on numbers prevent those).
"""

from __future__ import annotations

import contextlib
import copy
import signal
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import apprule
from apprule.io.read import read_facts

ROOT = Path(__file__).parents[2]
SHIPPED = [(apprule.load_scheme(ROOT / "src" / "apprule" / "schemes" / f"{name}.yaml"), ROOT / "src" / "apprule" / "examples" / f"{name}.facts.yaml")
           for name in sorted(p.name.removesuffix(".facts.yaml") for p in (ROOT / "src" / "apprule" / "examples").glob("*.facts.yaml"))]
EXAMPLES = [(scheme, read_facts(path, scheme, partial=True).facts) for scheme, path in SHIPPED]

EXTREME = st.one_of(
    st.sampled_from([
        "1e1000000", "-1e1000000", "1e999999", "1e5000", "1e-1000000", "1e-5000", "9e999999", "0e1000000",
        "0E-1000000", "NaN", "-NaN", "sNaN", "inf", "-Infinity", "1,5", "9,9", "1,234,567.89", "1_0", "1，5",
        "-0", "0.0000000000000000001", "1" * 5000, "0." + "0" * 5000 + "1", "9" * 100_000, "", " ", "%", "1e5%",
        "50%", "-1", "0", "1.9", "2021-13-01", "true", "是", "\u0660", "½", "0x10",
        Decimal("1E+1000000"), Decimal("-1E-1000000"), Decimal("NaN"), Decimal("-0"), Decimal("1E+14"),
        10**15, -(10**15), 10**5000, 10**9, 0, -1, True, False, None, [], [1, 2], {}, {"a": 1},
        float("nan"), float("inf"), 1e300, 1e-300, -0.0, 0.1 + 0.2,
    ]),
    st.integers(), st.floats(), st.decimals(), st.text(max_size=12),
    st.lists(st.dictionaries(st.text(max_size=6), st.sampled_from(["1e1000000", 10**5000, None, "x"]), max_size=3),
             max_size=2),
)


class Hang(Exception):
    pass


@contextlib.contextmanager
def within(seconds: int) -> Iterator[None]:
    """Fail with ``Hang`` if the block runs past ``seconds``."""
    def alarm(signum: int, frame: Any) -> None:
        raise Hang(f"still running after {seconds}s")
    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _target(data: st.DataObject, scheme: apprule.Scheme, facts: dict[str, Any]) -> tuple[str, str, str | None]:
    """A unit, one fact its group uses, and (for events) one declared field of one of its events."""
    unit = data.draw(st.sampled_from(sorted(facts)))
    group = next((g.id for g in scheme.groups if unit in (g.units or ())), facts[unit].get("group"))
    if group is None:  # a unit placed by its sequence's roster
        group = next(g.id for g in scheme.groups for s in g.sequences if unit in (s.units or ()))
    name = data.draw(st.sampled_from(sorted(scheme.facts_used(group))))
    fields = scheme.definition.facts[name].fields
    given = facts[unit].get(name)
    if fields and isinstance(given, list) and given and data.draw(st.booleans()):
        return unit, name, data.draw(st.sampled_from(sorted(fields)))
    return unit, name, None


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_one_extreme_value_gives_a_result_or_an_apprule_error(data: st.DataObject) -> None:
    scheme, example = data.draw(st.sampled_from(EXAMPLES))
    facts = copy.deepcopy(example)
    unit, name, field = _target(data, scheme, facts)
    value = data.draw(EXTREME)
    if field is None:
        facts[unit][name] = value
    else:
        facts[unit][name][data.draw(st.integers(0, len(facts[unit][name]) - 1))][field] = value
    try:
        with within(20):
            for evaluate in (scheme.evaluate, _by_columns(scheme)):
                evaluation = evaluate(facts)
                for result in evaluation.values():
                    result.explain()
    except apprule.AppruleError:
        pass


def _by_columns(scheme: apprule.Scheme) -> Any:
    """``evaluate`` through the column path: the same facts as a table (events stay lists)."""
    def evaluate(facts: dict[str, dict[str, Any]]) -> apprule.Evaluation:
        names = sorted({k for f in facts.values() for k in f})
        table: dict[str, list[Any]] = {"unit": list(facts)}
        table.update({n: [f.get(n) for f in facts.values()] for n in names})
        return scheme.evaluate_columns(table)
    return evaluate


@pytest.mark.parametrize("value", ["1e1000000", "1e-1000000", pytest.param(10**5000, id="huge-int"), "1,5", "1_0", "NaN", [1, 2], True])
def test_each_shipped_number_fact_refuses_an_extreme_value_with_a_located_issue(value: Any) -> None:
    """Every declared number fact of every shipped example, one at a time: a FactError naming that unit and fact."""
    for scheme, example in EXAMPLES:
        for unit, given in sorted(example.items())[:1]:
            group = given.get("group") or next(g.id for g in scheme.groups
                                               if unit in (g.units or ()) or
                                               any(unit in (s.units or ()) for s in g.sequences))
            for name in sorted(scheme.facts_used(group)):
                if scheme.definition.facts[name].type not in ("number", "count", "rate"):
                    continue
                facts = copy.deepcopy(example)
                facts[unit][name] = value
                with pytest.raises(apprule.FactError) as caught:
                    scheme.evaluate(facts)
                assert [(i.unit, i.fact) for i in caught.value.issues] == [(unit, name)], (scheme.id, name, value)
                assert caught.value.issues[0].code in ("out-of-range", "bad-number", "not-finite", "wrong-type")
