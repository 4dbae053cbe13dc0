"""apprule: score organisational units under assessment schemes written in YAML.

    scheme = apprule.load_scheme("hebi_2021")
    evaluation = scheme.evaluate({"海河街道办事处": {...}, ...})
    print(evaluation["海河街道办事处"].explain())
"""

__version__ = "0.1.0"  # the only place the version is written (pyproject reads it)

from typing import TYPE_CHECKING, Any

from .engine import Scheme, check, load_scheme
from .errors import AppruleError, EvaluationError, FactError, FactIssue, Location, Problem, SchemeError, ScopeError
from .evaluate.periods import PeriodError
from .evaluate.scored import Scores
from .results import Evaluation, Line, Note, Outcome, OutsidePeriod, PeriodPart, PeriodTotal, RankingSpec, Result, Trace

if TYPE_CHECKING:
    from .io import FactsFile, FactsFileError, FileIssue, read_facts, results_data, write_results
    from .shipped import scheme_ids

#: names loaded on first use: files in and out need openpyxl, and `import apprule` stays light
_LAZY = {"FactsFile": "io", "FactsFileError": "io", "FileIssue": "io", "read_facts": "io", "results_data": "io",
         "write_results": "io", "scheme_ids": "shipped"}

__all__ = [
    "AppruleError", "Evaluation", "EvaluationError", "FactError", "FactIssue", "FactsFile", "FactsFileError",
    "FileIssue", "Line", "Location", "Note", "Outcome", "OutsidePeriod", "PeriodError", "PeriodPart", "PeriodTotal", "Problem", "RankingSpec",
    "Result", "Scheme", "SchemeError", "ScopeError", "Scores", "Trace", "__version__", "check", "load_scheme",
    "read_facts", "results_data", "scheme_ids", "write_results",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'apprule' has no attribute {name!r}")
