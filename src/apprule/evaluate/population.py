"""A group's units as columns: the names expressions read, and column evaluation whose errors name the unit."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterator, Mapping, Sequence

from ..decimals import ONE, ZERO
from ..errors import EvaluationError
from ..expressions import Expression, RowError, brief, empty_names, evaluate_column
from ..facts import FlatEvents
from ..scheme.model import Fact, Period
from ..i18n import _


@dataclass(eq=False)
class Population:
    """The units of one group, in name order, with every name their expressions may read as a column."""

    units: list[str]
    sequences: list[str | None]
    #: fact or node id (or total, rank, ...) → one value per unit
    names: dict[str, Sequence[Any]]
    period: Period
    #: whether the nodes keep their notes and inputs (an explanation was asked for)
    explain: bool = False
    #: events fact → its events laid flat (by validation, or here on first use)
    flat: dict[str, FlatEvents] = field(default_factory=dict)
    #: the declared facts, by which events laid flat here have their fields converted
    declared: Mapping[str, Fact] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.units)

    def row(self, i: int) -> Row:
        return Row(self.names, i)

    def events(self, fact: str) -> FlatEvents:
        if fact not in self.flat:
            self.flat[fact] = FlatEvents.of(self.names[fact], self.declared.get(fact))
        return self.flat[fact]

    def column(self, expr: Expression, where: str, rows: Sequence[int] | None = None) -> list[Any]:
        """``expr`` for every unit (or the ``rows``, ascending); an error names the unit and ``where``."""
        try:
            return evaluate_column(expr, self.names, self.n, None if rows is None or len(rows) == self.n else rows)
        except RowError as exc:
            empty = empty_names(expr, self.row(exc.row))
            why = _("needs {names}, which the unit left empty", names=_(", ").join(empty)) if empty else str(exc.error)
            raise EvaluationError(self.units[exc.row], where, why) from None

    def numbers(self, values: list[Any], rows: Sequence[int], what: str, where: str) -> list[Decimal]:
        """``values`` (at ``rows``) as numbers: true and false count 1 and 0; anything else is an error."""
        if set(map(type, values)) <= {Decimal}:
            return values
        out = []
        for i, v in zip(rows, values):
            if isinstance(v, bool):
                v = ONE if v else ZERO
            elif not isinstance(v, Decimal):
                raise EvaluationError(self.units[i], where, _("{what} is {v}, not a number", what=_(what), v=brief(v)))
            out.append(v)
        return out


class Row(Mapping[str, Any]):
    """One unit's names, read through the columns (for error reports and the rare per-unit question)."""

    __slots__ = ("_names", "_i")

    def __init__(self, names: Mapping[str, Sequence[Any]], i: int):
        self._names, self._i = names, i

    def __getitem__(self, name: str) -> Any:
        return self._names[name][self._i]

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)
