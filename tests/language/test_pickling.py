"""Errors cross process boundaries whole: multiprocessing, Dask and Spark workers pickle them."""

from __future__ import annotations

import pickle
from typing import Callable

import pytest

from schemekit import HEAD, units

import apprule

SCHEME = HEAD + """\
facts:
  x: {type: number}
  y: {type: number}
groups:
  - id: g
    label: 组
    sections:
      - id: s
        label: 得分
        max: 10
        items: [{id: r, label: 比值, max: 10, formula: x / y}]
"""


def raised(action: Callable[[], object]) -> apprule.AppruleError:
    with pytest.raises(apprule.AppruleError) as info:
        action()
    return info.value


@pytest.mark.parametrize("action, attributes", [
    (lambda: apprule.load_scheme(SCHEME.replace("max: 10", "maxx: 10"), name="bad.yaml"), ("problems",)),
    (lambda: apprule.load_scheme(SCHEME).evaluate(units(甲={"x": "12分", "y": 1})), ("issues",)),
    (lambda: apprule.load_scheme(SCHEME).evaluate(units(甲={"x": 1, "y": 0})), ("unit", "node", "reason")),
], ids=["scheme", "facts", "evaluation"])
def test_an_error_survives_pickling(action: Callable[[], object], attributes: tuple[str, ...]) -> None:
    error = raised(action)
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert [getattr(copy, a) for a in attributes] == [getattr(error, a) for a in attributes]


def test_over_max_crosses_a_process_boundary_with_its_fact() -> None:
    import pickle

    from apprule.errors import OverMax

    error = pickle.loads(pickle.dumps(OverMax("u", "s", "the fact 'x' is 13, above the rule's maximum 12", "x")))
    assert (type(error), error.code, error.unit, error.node, error.fact, str(error)) == \
        (OverMax, "over-max", "u", "s", "x", "unit 'u', rule 's': the fact 'x' is 13, above the rule's maximum 12")
