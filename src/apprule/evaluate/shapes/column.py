"""What every shape writes into: a node's column of values, and the reading of its expressions."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import repeat
from operator import is_
from typing import TYPE_CHECKING, Any, Iterator, NamedTuple, Sequence

from ...decimals import ZERO
from ...errors import EvaluationError
from ...expressions import RowError, empty_names, evaluate_column
from ...facts import converted_event
from ...results import Note
from ...scheme.model import Award, Fact
from ..fixed import Fixed
from ...i18n import _

if TYPE_CHECKING:
    from ..graph import GraphNode
    from ..population import Population

Names = tuple[str, ...]


class Awarded(NamedTuple):
    """One honour or flag a rule gave a unit, and what for (a matter, an event of its list)."""

    kind: str
    name: str
    matter: str | None
    event: int | None


@dataclass(slots=True, eq=False)
class NodeColumn:
    """What one node yields for every unit: the values, and side tables that are usually empty.

    The values are held as decimals (``list[Decimal]``, what the kernels of leaves write into) or as
    fixed point (``Fixed``, what sums, caps and rounding compute); each is made from the other when
    first asked for (``values``, ``fixed()``), and kept. A column is changed only while its node is
    scored: ``fixed()`` is asked for once it is complete.
    """

    held: list[Decimal] | Fixed
    max: Decimal | None
    #: a unit's own maximum, where a weight transfer raised it (or 0 where the rule does not apply)
    maxes: dict[int, Decimal] = field(default_factory=dict)
    inapplicable: set[int] = field(default_factory=set)
    #: units whose input is empty, waiting for `fill`
    missing: set[int] = field(default_factory=set)
    honours: dict[int, Names] = field(default_factory=dict)
    flags: dict[int, Names] = field(default_factory=dict)
    #: the same honours and flags one by one, in order: (``honour`` or ``flag``, name, matter, event number)
    awarded: dict[int, list[Awarded]] = field(default_factory=dict)
    #: events dated after the period, with their units (ascending): they count in the next one
    carried_owners: Sequence[int] = ()
    carried_events: list[dict[str, Any]] = field(default_factory=list)
    #: the events fact, when ``carried_events`` are as given and their fields still to convert
    carried_declared: Fact | None = None
    #: the explanation (notes and inputs per unit), kept only when one is asked for
    notes: dict[int, list[Note]] | None = None
    inputs: dict[int, dict[str, Any]] | None = None
    #: the values as fixed point, once made from the decimals
    _fixed: Fixed | None = None

    @property
    def values(self) -> list[Decimal]:
        """The values as decimals (made from the fixed point when first asked for)."""
        held = self.held
        if isinstance(held, Fixed):
            self._fixed, self.held = held, held.decimals()
            return self.held
        return held

    @values.setter
    def values(self, values: list[Decimal] | Fixed) -> None:
        self.held, self._fixed = values, None

    def changed(self) -> None:
        """The decimals were changed in place (a transfer, cap or fill): the fixed point made of them before is
        stale."""
        self._fixed = None

    def fixed(self) -> Fixed:
        """The values as fixed point (made from the decimals when first asked for: the column is complete)."""
        held = self.held
        if isinstance(held, Fixed):
            return held
        if self._fixed is None:
            self._fixed = Fixed.read(held)
        return self._fixed

    def view(self) -> Sequence[Decimal]:
        """The values as ``Population.names`` holds them: the decimals, made only when an expression reads them."""
        return self.held if isinstance(self.held, list) else Decimals(self)

    @property
    def explains(self) -> bool:
        return self.notes is not None

    def note(self, i: int, kind: str, **values: Any) -> None:
        """Record what happened for unit ``i`` (only when an explanation is asked for)."""
        if self.notes is not None:
            self.notes.setdefault(i, []).append(Note(kind, values))

    def award(self, i: int, honours: Sequence[str], flags: Sequence[str], matter: str | None = None,
              event: int | None = None) -> None:
        """Unit ``i`` earns ``honours`` and ``flags``, for ``matter`` or its event number ``event`` when known."""
        if honours:
            self.honours[i] = self.honours.get(i, ()) + tuple(honours)
        if flags:
            self.flags[i] = self.flags.get(i, ()) + tuple(flags)
        if honours or flags:
            self.awarded.setdefault(i, []).extend(
                [Awarded("honour", h, matter, event) for h in honours] + [Awarded("flag", f, matter, event)
                                                                          for f in flags])

    def carried(self, i: int) -> list[dict[str, Any]]:
        events = self.carried_events[bisect_left(self.carried_owners, i):bisect_right(self.carried_owners, i)]
        declared = self.carried_declared
        return events if declared is None else [converted_event(declared, e) for e in events]

    def take(self, i: int, award: Award, why: Note | None) -> None:
        self.values[i] = award.points
        self.award(i, award.honours, award.flags)
        if why is not None and self.notes is not None:
            self.notes.setdefault(i, []).append(why)

    def scatter(self, rows: list[int], values: list[Decimal]) -> None:
        """``values`` (a list of their own) as the column's values at ``rows``."""
        if len(rows) == len(self.values):
            self.values = values
            return
        for i, value in zip(rows, values):
            self.values[i] = value


class Decimals(Sequence[Decimal]):
    """A column's values as decimals, made from its fixed point on first reading."""

    __slots__ = ("column",)

    def __init__(self, column: NodeColumn):
        self.column = column

    def __getitem__(self, i: Any) -> Any:
        return self.column.values[i]

    def __len__(self) -> int:
        return len(self.column.held)

    def __iter__(self) -> Iterator[Decimal]:
        return iter(self.column.values)


def new_column(pop: Population, max: Decimal | None) -> NodeColumn:
    col = NodeColumn([ZERO] * pop.n, max)
    if pop.explain:
        col.notes, col.inputs = {}, {}
    return col


def read(pop: Population, node: GraphNode, role: str, rows: list[int], col: NodeColumn | None,
         fillable: bool = False, shared: bool = False) -> tuple[list[int], list[Any]]:
    """Expression ``role`` of ``node`` at ``rows``: the rows it has a value for, and the values
    (a fact's own column, when ``shared``: see ``evaluate_column``).

    A unit whose input is empty is an error, or, when the rule is ``fillable``, set aside as
    missing (to be filled from its peers). ``col`` records the inputs of an explanation.
    """
    expr = node.exprs[role]
    try:
        values = evaluate_column(expr, pop.names, pop.n, None if len(rows) == pop.n else rows, shared)
        failed = any(map(is_, values, repeat(None)))  # not `None in values`: == on a Decimal is slow
    except RowError:
        failed = True
    if failed:
        rows, values = _row_by_row(pop, node, role, rows, col, fillable)
    if col is not None and col.inputs is not None:
        key = expr.bare_name or expr.text
        for i, v in zip(rows, values):
            col.inputs.setdefault(i, {})[key] = v
    return rows, values


def _row_by_row(pop: Population, node: GraphNode, role: str, rows: list[int], col: NodeColumn | None,
                fillable: bool) -> tuple[list[int], list[Any]]:
    expr = node.exprs[role]
    kept: list[int] = []
    values: list[Any] = []
    for i in rows:
        row = pop.row(i)
        try:
            value = expr.row(row)
            empty = [] if value is not None else empty_names(expr, row) or [expr.text]
        except ValueError as exc:
            empty = empty_names(expr, row)  # an empty optional fact met arithmetic or a comparison
            if not empty:
                raise EvaluationError(pop.units[i], node.id, str(exc)) from None
        if not empty:
            kept.append(i)
            values.append(value)
        elif fillable and col is not None:
            col.missing.add(i)
            col.note(i, "empty", names=tuple(empty))
        else:
            raise EvaluationError(pop.units[i], node.id, _("needs {empty}, which the unit left empty",
                                                           empty=', '.join(empty)))
    return kept, values


def read_numbers(pop: Population, node: GraphNode, role: str, rows: list[int], col: NodeColumn, what: str
                 ) -> tuple[list[int], list[Decimal]]:
    """``read``, the values as numbers (true and false count 1 and 0)."""
    rows, values = read(pop, node, role, rows, col, fillable=node.leaf.fill is not None)
    return rows, pop.numbers(values, rows, what, node.id)
