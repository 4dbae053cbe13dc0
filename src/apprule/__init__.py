"""apprule: score organisational units under assessment schemes written in YAML.

    scheme = apprule.load_scheme("hebi_2021")
    evaluation = scheme.evaluate({"海河街道办事处": {...}, ...})
    print(evaluation["海河街道办事处"].explain())
"""

__version__ = "0.1.0"  # the only place the version is written (pyproject reads it)

from .engine import Scheme, check, load_scheme
from .errors import AppruleError, EvaluationError, FactError, FactIssue, Location, Problem, SchemeError, ScopeError
from .evaluate.periods import PeriodError
from .evaluate.scored import Scores
from .results import Evaluation, Line, Note, PeriodPart, PeriodTotal, RankingSpec, Result, Trace

__all__ = [
    "AppruleError", "Evaluation", "EvaluationError", "FactError", "FactIssue", "Line", "Location", "Note", "PeriodError",
    "PeriodPart", "PeriodTotal", "Problem", "RankingSpec", "Result", "Scheme", "SchemeError", "ScopeError", "Scores",
    "Trace", "__version__", "check", "load_scheme",
]
