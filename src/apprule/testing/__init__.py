"""Property testing of schemes with hypothesis: strategies for facts and a battery of invariants.

    from apprule.testing import check_scheme_properties, facts_for, populations
    report = check_scheme_properties("hebi_2021")
    print(report.render())          # each failing invariant with its minimal counterexample
    assert report.ok

Needs hypothesis (``pip install apprule[test]``). The strategies can be used in your own tests:

    @given(populations(scheme, "streets"))
    def test_no_unit_above_100(population): ...

The names below are imported when first used, so that ``apprule.testing.bounds`` (the range a scheme
declares for each total, which the results' headers state) needs no hypothesis.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .invariants import INVARIANTS, Invariant, Violation
    from .runner import Outcome, PropertyReport, check_scheme_properties, run_invariant
    from .strategies import facts_for, populations

_FROM = {"INVARIANTS": "invariants", "Invariant": "invariants", "Violation": "invariants", "Outcome": "runner",
         "PropertyReport": "runner", "check_scheme_properties": "runner", "run_invariant": "runner",
         "facts_for": "strategies", "populations": "strategies"}

__all__ = ["INVARIANTS", "Invariant", "Outcome", "PropertyReport", "Violation", "check_scheme_properties",
           "facts_for", "populations", "run_invariant"]


def __getattr__(name: str) -> Any:
    if name not in _FROM:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{_FROM[name]}", __name__), name)
