"""Property testing of schemes with hypothesis: strategies for facts and a battery of invariants.

    from apprule.testing import check_scheme_properties, facts_for, populations
    report = check_scheme_properties("hebi_2021")
    print(report.render())          # each failing invariant with its minimal counterexample
    assert report.ok

Needs hypothesis (``pip install apprule[test]``). The strategies can be used in your own tests:

    @given(populations(scheme, "streets"))
    def test_no_unit_above_100(population): ...
"""

from .invariants import INVARIANTS, Invariant, Violation
from .runner import Outcome, PropertyReport, check_scheme_properties, run_invariant
from .strategies import facts_for, populations

__all__ = ["INVARIANTS", "Invariant", "Outcome", "PropertyReport", "Violation", "check_scheme_properties",
           "facts_for", "populations", "run_invariant"]
