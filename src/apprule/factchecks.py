"""`checks:` of facts: conditions between values (名次 ≤ 参与排名的单位数), checked once the facts are valid."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Sequence

from .errors import FactError, FactIssue
from .expressions import Expression, Runner, brief
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
            if check.events:
                flat = FlatEvents.of(column, scheme.facts[check.fact])
                numbers = flat.numbers
                for k in range(flat.n):
                    event = flat.event(k)
                    if not _holds(runner, check.test, event):
                        issues.append(_issue(check, found.units[flat.owners[k]], event, f"event {numbers[k]}: "))
            else:
                for i, unit in enumerate(found.units):
                    values = {name: col[i] for name, col in found.columns.items()}
                    if not _holds(runner, check.test, values):
                        issues.append(_issue(check, unit, values, ""))
    if issues:
        raise FactError(issues)


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
    return FactIssue("check-failed", unit, check.fact, f"{where}{check.message} (fails {check.test.text}: {shown})")


def _shown(value: Any) -> str:
    return str(value) if isinstance(value, (Decimal, int)) and not isinstance(value, bool) else brief(value)
