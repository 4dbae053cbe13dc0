"""Run the battery of invariants on a scheme with hypothesis and gather a report."""

from __future__ import annotations

import contextlib
import os
import time
import traceback
from typing import Iterator
from dataclasses import dataclass, field
from typing import Any, Iterable

from hypothesis import HealthCheck, Verbosity, given, reject, settings
from hypothesis import seed as fix_seed
from hypothesis.errors import Unsatisfiable

from ..engine import Scheme, load_scheme
from ..errors import AppruleError
from ..i18n import N_, _, ngettext
from .invariants import INVARIANTS, Invariant, Unscorable, Violation

#: The default population size: big enough for ties and quotas, small enough to shrink fast.
MAX_UNITS = 5
#: How long a failure may be shrunk before the smallest counterexample found so far is reported.
SHRINK_SECONDS = 20.0


@contextlib.contextmanager
def _shrink_budget(seconds: float | None) -> Iterator[None]:
    """Bound hypothesis's shrinking time (its own bound is five minutes; a scheme author wants an answer)."""
    try:
        from hypothesis.internal.conjecture import engine
    except ImportError:  # pragma: no cover - a hypothesis without the knob: shrink as it likes
        yield
        return
    old = getattr(engine, "MAX_SHRINKING_SECONDS", None)
    if seconds is None or old is None:
        yield
        return
    setattr(engine, "MAX_SHRINKING_SECONDS", seconds)  # a hypothesis internal: bounded shrinking
    try:
        yield
    finally:
        setattr(engine, "MAX_SHRINKING_SECONDS", old)


class _Found(Exception):
    def __init__(self, violation: Violation):
        super().__init__(violation.render())
        self.violation = violation


#: an invariant's outcome, in words
STATUS = {"passed": N_("PASSED"), "failed": N_("FAILED"), "skipped": N_("SKIPPED")}


@dataclass
class Outcome:
    """How one invariant fared: passed, failed (with its minimal counterexample) or skipped."""

    invariant: str
    summary: str
    status: str  # "passed" | "failed" | "skipped"
    examples: int = 0
    unscorable: int = 0
    seconds: float = 0.0
    violation: Violation | None = None
    note: str | None = None

    def render(self) -> str:
        counts = [ngettext("{n} case", "{n} cases", self.examples)]
        if self.unscorable:
            counts.append(ngettext("{n} unscorable skipped", "{n} unscorable skipped", self.unscorable))
        seconds = f"{self.seconds:.1f}"
        counts.append(_("{seconds}s", seconds=seconds))
        status, summary, counted = _(STATUS[self.status]), _(self.summary), _(", ").join(counts)
        head = f"{_padded(status, 7)} {self.invariant} — {summary} ({counted})"
        if self.violation is not None:
            head += "\n" + "\n".join("    " + line for line in self.violation.render().splitlines())
        if self.note:
            head += "\n    " + _(self.note)
        return head


def _padded(text: str, width: int) -> str:
    """``text`` padded to ``width`` columns as a terminal shows them (a Chinese character takes two)."""
    import unicodedata
    shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(width - shown, 0)


@dataclass
class PropertyReport:
    """The outcome of every invariant run on one scheme."""

    scheme: str
    source: str
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no invariant failed (skipped ones do not count against it)."""
        return all(o.status != "failed" for o in self.outcomes)

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    def render(self) -> str:
        passed = sum(o.status == "passed" for o in self.outcomes)
        lines = [_("scheme {scheme} ({source}): {passed}/{count} invariants hold", scheme=self.scheme,
                   source=self.source, passed=passed, count=len(self.outcomes))]
        lines += [o.render() for o in self.outcomes]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {"scheme": self.scheme, "source": self.source, "ok": self.ok, "outcomes": [
            {"invariant": o.invariant, "summary": o.summary, "status": o.status, "examples": o.examples,
             "unscorable": o.unscorable, "seconds": round(o.seconds, 3), "note": o.note,
             "violation": o.violation.to_dict() if o.violation else None} for o in self.outcomes]}


def run_invariant(scheme: Scheme, invariant: Invariant | str, *, group: str | None = None,
                  max_examples: int | None = None, max_units: int = MAX_UNITS, seed: int | None = None,
                  shrink_seconds: float | None = SHRINK_SECONDS, hypothesis_settings: settings | None = None
                  ) -> Outcome:
    """Run one invariant; a failure comes back shrunk to a minimal counterexample."""
    inv = INVARIANTS[invariant] if isinstance(invariant, str) else invariant
    outcome = Outcome(inv.name, inv.summary, "passed")
    base = hypothesis_settings or settings()
    chosen = settings(base, deadline=None, report_multiple_bugs=False, database=base.database,
                      suppress_health_check=list(HealthCheck), max_examples=max_examples or base.max_examples)

    def body(case: Any) -> None:
        outcome.examples += 1
        try:
            found = inv.check(scheme, case)
        except Unscorable:
            outcome.unscorable += 1
            reject()
        except AppruleError as exc:
            found = Violation(inv.name, f"{type(exc).__name__} on facts the strategy made: {exc}",
                              population=_population(case))
        except Exception as exc:  # noqa: BLE001 - anything else is a crash of the library
            found = Violation(inv.name, f"crash: {type(exc).__name__}: {exc}", population=_population(case),
                              details=tuple(traceback.format_exception_only(type(exc), exc)[-1:]))
        if found is not None:
            raise _Found(found)

    # each scheme, group and invariant keeps its own examples in hypothesis's database
    body._hypothesis_internal_add_digest = f"{scheme.id}/{group}/{inv.name}/{max_units}".encode()  # type: ignore
    test = chosen(given(inv.cases(scheme, group, max_units))(body))
    if seed is not None:
        test = fix_seed(seed)(test)
    start = time.monotonic()
    try:
        with _shrink_budget(shrink_seconds):
            test()
    except _Found as found:
        outcome.status, outcome.violation = "failed", found.violation
    except Unsatisfiable:
        outcome.status = "skipped"
        outcome.note = N_("too few cases could be scored (see the `evaluates` invariant)")
    outcome.seconds = time.monotonic() - start
    if outcome.status == "passed" and outcome.examples and outcome.unscorable == outcome.examples:
        outcome.status, outcome.note = "skipped", N_("no case could be scored (see the `evaluates` invariant)")
    return outcome


def _population(case: Any) -> Any:
    return case if isinstance(case, dict) else getattr(case, "population", None)


def check_scheme_properties(scheme: Scheme | str | os.PathLike[str], *, invariants: Iterable[str] | None = None,
                            group: str | None = None, max_examples: int | None = None,
                            max_units: int = MAX_UNITS, seed: int | None = None,
                            shrink_seconds: float | None = SHRINK_SECONDS,
                            hypothesis_settings: settings | None = None, quiet: bool = True) -> PropertyReport:
    """Run the invariants (all by default) on a scheme and report each one's outcome.

    ``scheme`` is a loaded ``Scheme`` or a path / YAML text (a ``SchemeError`` is raised if it does not
    load). ``max_examples`` defaults to the current hypothesis profile's; ``seed`` makes a run repeatable;
    ``shrink_seconds`` bounds the time spent shrinking each failure to a minimal counterexample.
    Nothing is printed and no example database is written unless ``hypothesis_settings`` says otherwise.
    """
    loaded = scheme if isinstance(scheme, Scheme) else load_scheme(scheme)
    names = list(invariants) if invariants is not None else list(INVARIANTS)
    unknown = [n for n in names if n not in INVARIANTS]
    if unknown:
        raise ValueError(f"unknown invariant(s) {unknown}; known: {list(INVARIANTS)}")
    base = hypothesis_settings or settings(database=None, verbosity=Verbosity.quiet if quiet else
                                           settings().verbosity)
    report = PropertyReport(loaded.id, loaded.source)
    for name in names:
        report.outcomes.append(run_invariant(loaded, name, group=group, max_examples=max_examples,
                                             max_units=max_units, seed=seed, shrink_seconds=shrink_seconds,
                                             hypothesis_settings=base))
    return report

