"""The error tree: every failure apprule reports is an ``AppruleError``."""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from .i18n import _, language, using

Path = tuple[str | int, ...]


@dataclass(frozen=True, order=True)
class Location:
    """Where a node stands in a scheme file (line and column are 1-based)."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Problem:
    """One located mistake in a scheme: a stable code, a message and where it is."""

    code: str
    message: str
    path: Path = ()
    location: Location | None = None
    hint: str | None = None
    source_line: str | None = field(default=None, compare=False)
    #: the language the message was said in: the words around it are said in the same one
    language: str = field(default_factory=language, compare=False, repr=False)

    def render(self) -> str:
        """``file:line:col: code: message``, then the source line and a caret."""
        with using(self.language):
            return self._render()

    def _render(self) -> str:
        where = f"{self.location}: " if self.location else ""
        text = f"{where}{self.code}: {self.message}"
        if self.path:
            text += _(" (at {path})", path=format_path(self.path))
        if self.hint:
            text += "\n  " + _("hint: {hint}", hint=self.hint)
        if self.source_line is not None and self.location is not None:
            text += "\n" + source_and_caret(self.source_line, self.location.column)
        return text


def source_and_caret(line: str, column: int) -> str:
    """The source line and a caret under ``column`` (1-based), wide (CJK) characters taking two cells."""
    pad = "".join("\t" if ch == "\t" else " " * (2 if unicodedata.east_asian_width(ch) in "WF" else 1)
                  for ch in line[: column - 1])
    return f"  {line}\n  {pad}^"


def format_path(path: Path) -> str:
    """``groups[0].sections[1].max``: the YAML path the way a reader writes it."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def did_you_mean(name: str, choices: Iterable[object]) -> str | None:
    """A hint naming the closest of ``choices`` to a misspelled ``name``."""
    close = difflib.get_close_matches(name, sorted(map(str, choices)), n=1)
    return _("did you mean {name!r}?", name=close[0]) if close else None


def suggestion(name: str, choices: Iterable[object]) -> str:
    """`` (did you mean 'x'?)`` naming the closest of ``choices`` to ``name``, or nothing when none is close."""
    return aside(did_you_mean(name, choices))


def aside(hint: str | None) -> str:
    """`` (did you mean 'x'?)`` after a message, or nothing when there is no hint."""
    return _(" ({hint})", hint=hint) if hint else ""


def joined(place: str, part: str) -> str:
    """``place`` narrowed by ``part`` (unit 'x', fact 'y'), with the separator of the current language."""
    # TRANSLATORS: what separates the parts of a place in a message: unit 'x', fact 'y' (，in Chinese)
    return _("{place}, {part}", place=place, part=part)


def unit_and_fact(unit: str, fact: str = "") -> str:
    """``unit 'x', fact 'y'`` (or ``unit 'x'`` alone): where a fact problem stands, in the current language."""
    place = _("unit {unit!r}", unit=unit)
    return joined(place, _("fact {fact!r}", fact=fact)) if fact else place


class AppruleError(Exception):
    """Base class of every error apprule raises on purpose.

    An error crosses process boundaries whole (multiprocessing, Dask and Spark workers pickle it): a
    subclass whose ``__init__`` takes other arguments than its message says which in ``_pickled``.
    """

    code = "apprule-error"
    _pickled: tuple[str, ...] = ()

    def __reduce__(self) -> str | tuple[Any, ...]:
        if not self._pickled:
            return super().__reduce__()
        # the text as it was said: made again from the arguments, it could come out in another language
        return type(self), tuple(getattr(self, name) for name in self._pickled), {"args": self.args}


class SchemeError(AppruleError):
    """A scheme could not be loaded: all its problems, sorted by location."""

    code = "scheme-error"
    _pickled = ("problems",)

    def __init__(self, problems: Sequence[Problem]):
        self.problems = tuple(sorted(problems, key=_problem_order))
        super().__init__("\n".join(p.render() for p in self.problems))

    @property
    def location(self) -> Location | None:
        return self.problems[0].location if self.problems else None


def _problem_order(problem: Problem) -> tuple[object, ...]:
    loc = problem.location
    return (loc is None, loc or Location("", 0, 0), problem.code, problem.message)


class FactError(AppruleError):
    """Facts for one or more units are invalid; nothing was scored."""

    code = "fact-error"
    _pickled = ("issues",)

    def __init__(self, issues: Sequence[FactIssue]):
        self.issues = tuple(sorted(issues, key=lambda i: (i.unit, i.fact, i.code)))
        super().__init__("\n".join(str(i) for i in self.issues))


@dataclass(frozen=True)
class FactIssue:
    """One bad fact: the unit, the fact, the value and what is wrong with it."""

    code: str
    unit: str
    fact: str
    message: str
    #: the language the message was said in: the place before it is said in the same one
    language: str = field(default_factory=language, compare=False, repr=False)

    def __str__(self) -> str:
        with using(self.language):
            return f"{unit_and_fact(self.unit, self.fact)}: {self.code}: {self.message}"


class ScopeError(AppruleError):
    """Units scored apart cannot be ranked together: a rule reads other units, or a unit came twice."""

    code = "scope-error"


class EvaluationError(AppruleError):
    """Valid facts that cannot be scored (a division by zero, a missing optional fact used)."""

    code = "evaluation-error"
    _pickled: tuple[str, ...] = ("unit", "node", "reason")

    def __init__(self, unit: str, node: str, message: str):
        self.unit, self.node, self.reason = unit, node, message
        place = joined(_("unit {unit!r}", unit=unit), _("rule {rule!r}", rule=node))
        super().__init__(f"{place}: {message}")


class OverMax(EvaluationError):
    """A value above the maximum of a directly scored rule that refuses it (``over_max: refuse``, the default):
    1200 typed into a 12-point item is a typing mistake, never 12 points."""

    code = "over-max"
    _pickled = ("unit", "node", "reason", "fact")

    def __init__(self, unit: str, node: str, message: str, fact: str = ""):
        super().__init__(unit, node, message)
        self.fact = fact  # the fact the rule reads, when it reads one alone: a facts file knows where it stands
