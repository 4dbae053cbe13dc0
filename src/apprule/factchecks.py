"""`checks:` of facts: conditions between values (名次 ≤ 参与排名的单位数), checked once the facts are valid."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from itertools import compress, repeat
from operator import is_, not_
from typing import Any, Callable, Mapping, Sequence

from .errors import FactError, FactIssue
from .i18n import _
from .expressions import Expression, Runner, brief, evaluate_column
from .facts import FlatEvents, GroupFacts
from .scheme.model import SchemeDefinition


@dataclass(frozen=True)
class CompiledCheck:
    """One `checks:` entry: on fact ``fact``; over one event's fields when ``events``, else the unit's facts."""

    fact: str
    events: bool
    test: Expression
    message: str


def check_population(scheme: SchemeDefinition, checks: Sequence[CompiledCheck], population: list[GroupFacts]) -> None:
    """Raise ``FactError`` (code ``check-failed``) listing every unit and event whose values fail a check.

    A check is skipped where a name it reads has no value (an optional fact or field left empty): whether such
    a value must be given is for `required` and `required_when` to say.
    """
    if not checks:
        return
    runner = Runner()
    issues: list[FactIssue] = []
    for found in population:
        for check in checks:
            column = found.columns.get(check.fact)
            if column is None:  # the group does not use the fact
                continue
            if check.events:  # over the fields laid flat (validation's, where it laid them), event by event
                flat = found.events.get(check.fact) or FlatEvents.of(column, scheme.facts[check.fact])
                for k in _failing(runner, check.test, flat.fields, flat.n, flat.event):
                    event = flat.event(k)
                    issues.append(_issue(check, found.units[flat.owners[k]], event, _("event {n}: ",
                                                                                      n=flat.numbers[k])))
            else:
                def row(i: int) -> dict[str, Any]:
                    return {name: col[i] for name, col in found.columns.items()}
                for i in _failing(runner, check.test, found.columns, len(found.units), row):
                    issues.append(_issue(check, found.units[i], row(i), ""))
    if issues:
        raise FactError(issues)


def _failing(runner: Runner, test: Expression, columns: Mapping[str, Sequence[Any]], n: int,
             row: Callable[[int], dict[str, Any]]) -> list[int]:
    """The positions whose values fail ``test``: the whole column at once, and row by row (``_holds``) where a
    value is empty or the column form fails."""
    if all(name in columns and not any(map(is_, columns[name], repeat(None))) for name in test.names):
        try:
            results = evaluate_column(test, columns, n)
        except (ValueError, KeyError, TypeError, ArithmeticError):
            pass
        else:
            if set(map(type, results)) <= {bool}:
                return list(compress(range(n), map(not_, results)))
    return [k for k in range(n) if not _holds(runner, test, row(k))]


def passes(test: Expression, names: dict[str, Any]) -> bool:
    """Whether values (a unit's facts, or one event's fields, converted) pass one check."""
    return _holds(Runner(), test, names)


def _holds(runner: Runner, test: Expression, names: dict[str, Any]) -> bool:
    if any(names.get(n) is None for n in test.names):
        return True  # an empty value: nothing to check
    try:
        return bool(runner.run(test, names))
    except (ValueError, KeyError, TypeError, ArithmeticError):
        return False


def _issue(check: CompiledCheck, unit: str, names: dict[str, Any], where: str) -> FactIssue:
    shown = ", ".join(f"{n} = {_shown(names.get(n))}" for n in sorted(check.test.names))
    # TRANSLATORS: {message} is the scheme's own words for the check; {values}: the names it read, with their values
    said = _("{message} (fails {test}: {values})", message=check.message, test=check.test.text, values=shown)
    return FactIssue("check-failed", unit, check.fact, where + said)


def _shown(value: Any) -> str:
    return str(value) if isinstance(value, (Decimal, int)) and not isinstance(value, bool) else brief(value)
