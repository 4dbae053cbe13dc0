"""What an evaluation returns: per-unit results with their explanation trees."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Callable, Iterator, Literal, Mapping, NamedTuple, Protocol, Sequence

from .scheme.model import Ranking, SchemeDefinition


if TYPE_CHECKING:
    from .shown import GroupShown


@dataclass(frozen=True, slots=True)
class Note:
    """One step of an explanation as data: what happened (``kind``) and the numbers it happened with.

    The core records notes; the words are made in one place (``apprule.explain``), so every language
    comes from the same record. ``str(note)`` is the English sentence.
    """

    kind: str
    values: Mapping[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def __str__(self) -> str:
        from .explain import note_text
        return note_text(self)


@dataclass(frozen=True)
class Trace:
    """How one number came about: the node, its value, inputs, notes and the parts below it."""

    id: str
    label: str
    kind: str
    value: Decimal | str | int | None
    clause: str | None = None
    max: Decimal | None = None
    inputs: tuple[tuple[str, Any], ...] = ()
    notes: tuple[Note, ...] = ()
    honours: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    children: tuple[Trace, ...] = ()
    #: the unit's outcomes (``Result.outcomes``), on the unit's own trace only
    outcomes: tuple[Outcome, ...] = ()

    def walk(self) -> Iterator[Trace]:
        yield self
        for child in self.children:
            yield from child.walk()

    def find(self, node_id: str) -> Trace:
        for trace in self.walk():
            if trace.id == node_id:
                return trace
        raise KeyError(node_id)


#: every kind of outcome a result can carry (docs/api.md "Outcomes"): the first five come from rules, grades and
#: vetoes; a scheme declares the others under a group's `outcomes:` (as it may honours and flags)
OUTCOME_KINDS = ("honour", "flag", "veto", "grant", "demotion",
                 "bar", "speech", "criticism", "commendation", "notice", "interview", "report", "proposal", "pay")


@dataclass(frozen=True, slots=True)
class Outcome:
    """One consequence for a unit as data: an honour, a flag, a veto, a grant, a demotion, or a consequence the
    scheme declares (a bar, a speech at a meeting, a criticism…), with the clause and the rule it comes from."""

    #: one of ``OUTCOME_KINDS``
    kind: str
    #: the veto's, grant's or declared outcome's id; for an honour or a flag, its name (the scheme gives no other)
    id: str
    #: the document's words
    label: str
    clause: str | None = None
    #: what produced it: a rule's id, a veto's, a grant's, a declared outcome's, or ``grade`` (an honour of a grade)
    rule: str | None = None
    #: the matter it is for (鹤壁 五(一)5: one 嘉奖 per commended work), or the meeting it is due at
    matter: str | None = None
    #: the number (1-based) of the event in the unit's list that brought it
    event: int | None = None
    #: grant and demotion: the grade before (None: not graded yet) and after; bar: the grade it bars
    before: str | None = None
    grade: str | None = None
    #: grant: whether it used a place of the grade's quota (False: given outside the quota)
    in_quota: bool | None = None

    def as_dict(self) -> dict[str, Any]:
        """The record as plain data, without the fields it leaves empty (JSON, the case files)."""
        return {name: value for name in OUTCOME_FIELDS if (value := getattr(self, name)) is not None}


#: the fields of an ``Outcome``, in order (the struct fields of the ``outcomes`` column of ``to_arrow``)
OUTCOME_FIELDS = ("kind", "id", "label", "clause", "rule", "matter", "event", "before", "grade", "in_quota")


@dataclass(frozen=True)
class Line:
    """One scored part of a result: a section or an adjustment rule."""

    id: str
    label: str
    value: Decimal
    max: Decimal | None
    clause: str | None


class OutsidePeriod(NamedTuple):
    """An event a unit gave that its date places outside the period: not counted in this one."""

    #: the events fact
    fact: str
    #: its number in the unit's list (1-based)
    number: int
    date: dt.date
    #: ``after``: carried over to the next period (also in ``carried_over``); ``before``: its own period's
    when: Literal["before", "after"]
    event: Mapping[str, Any]


@dataclass(frozen=True)
class Result:
    """One unit's score, rank and grade, and the explanation of each.

    Reading ``total``, ``rank`` or ``grade`` costs a lookup; the parts (``sections``, ``values``,
    ``honours``…) are read from the group's columns the first time they are asked for, and the
    ``trace`` is made the first time it is read.
    """

    unit: str
    group: str
    group_label: str
    sequence: str | None
    total: Decimal
    rank: int | None
    grade: str | None
    would_be_rank: int | None
    would_be_grade: str | None
    #: the labels of the vetoes that apply (their ids are in the ``veto`` records of ``outcomes``)
    vetoes: tuple[str, ...]
    #: whether the unit's group ranks its units at all
    group_ranked: bool
    #: place in the published order of its grading scope: by grade, demoted units last in theirs, then rank
    position: int | None
    #: whether its group was ranked and graded among fewer units than its roster (a partial run)
    partial: bool
    #: where the parts are read from: the unit's group, and its place there
    source: ResultSource = field(repr=False, compare=False)
    index: int = field(repr=False, compare=False)

    @classmethod
    def _made(cls, **fields: Any) -> Result:
        """A result from every one of its fields, by name, as its group makes one on each lookup: without the
        frozen dataclass's ``__init__``, which sets each field through ``object.__setattr__`` (about 7 µs for
        these 15 fields, against 1 µs here: most of ``evaluation[unit]``'s cost, see docs/performance.md)."""
        result = object.__new__(cls)
        result.__dict__.update(fields)
        return result

    @cached_property
    def sections(self) -> tuple[Line, ...]:
        return self.source.lines(self.index, "sections")

    @cached_property
    def adjustments(self) -> tuple[Line, ...]:
        return self.source.lines(self.index, "adjustments")

    @cached_property
    def values(self) -> Mapping[str, Decimal]:
        """Every rule's, section's and block's value, by id."""
        return self.source.values(self.index)

    @cached_property
    def honours(self) -> tuple[str, ...]:
        return tuple(self.source.honours_and_flags(self.index)[0])

    @cached_property
    def flags(self) -> tuple[str, ...]:
        return tuple(self.source.honours_and_flags(self.index)[1])

    @cached_property
    def outcomes(self) -> tuple[Outcome, ...]:
        """Every consequence for the unit as records: its rules' honours and flags (each with the matter or event
        it is for), its grants and demotions, its grade's honours, its vetoes, then the outcomes its group
        declares (speeches, criticisms, bars…)."""
        return self.source.outcomes(self.index)

    @property
    def grants(self) -> tuple[Outcome, ...]:
        """The grades given by a grant (可直接确定为…): from which grade to which, inside the quota or outside it."""
        return tuple(o for o in self.outcomes if o.kind == "grant")

    @cached_property
    def carried_over(self) -> tuple[tuple[str, Mapping[str, Any]], ...]:
        """Events dated after the period, with their events fact: they count in the next one."""
        return self.source.carried(self.index)

    @cached_property
    def outside_period(self) -> tuple[OutsidePeriod, ...]:
        """The events its dates place before or after the period, none counted: never dropped unsaid."""
        return self.source.outside(self.index)

    @cached_property
    def trace(self) -> Trace:
        """The explanation tree, built on first use (scoring many units need not pay for it)."""
        return self.source.trace(self.index)

    @property
    def readings(self) -> Mapping[str, str]:
        """The readings in force when it was scored: each switchable reading's id → its choice."""
        return self.source.readings

    @property
    def choice_labels(self) -> Mapping[str, str]:
        """The labels of the choices in ``readings``: reading id → its chosen choice's label."""
        return self.source.choice_labels

    @property
    def shown(self) -> GroupShown:
        """How its scores and its group's maximum are shown (``apprule.shown``): ``shown.score(node, value)``."""
        return self.source.shown()

    @property
    def ranked(self) -> bool:
        return self.rank is not None

    def explain(self, fmt: str = "text") -> str:
        """The explanation of every number, as text (default) or JSON."""
        from .explain import render
        return render(self, fmt)


class ResultSource(Protocol):
    """What a ``Result`` reads its parts from: its group's columns."""

    #: the scheme it was scored under: the explanation speaks its language and names its facts
    definition: SchemeDefinition

    def lines(self, i: int, part: str) -> tuple[Line, ...]: ...

    def values(self, i: int) -> dict[str, Decimal]: ...

    def honours_and_flags(self, i: int) -> tuple[list[str], list[str]]: ...

    def carried(self, i: int) -> tuple[tuple[str, Mapping[str, Any]], ...]: ...

    def outcomes(self, i: int) -> tuple[Outcome, ...]: ...

    def outside(self, i: int) -> tuple[OutsidePeriod, ...]: ...

    def trace(self, i: int) -> Trace: ...

    @property
    def readings(self) -> Mapping[str, str]:
        """The readings in force when the group was scored: reading id → choice."""

    @property
    def choice_labels(self) -> Mapping[str, str]:
        """The labels of the choices in force: reading id → label."""

    def shown(self) -> GroupShown: ...


class RankingSpec(NamedTuple):
    """How a group ranks its units (``Scheme.ranking``): data a caller can read, to rank batches itself."""

    group: str
    #: by, order, scope, ties, tie_breakers, exclude, clause; None where the group does not rank
    ranking: Ranking | None
    #: the vetoes that take a unit out of the ranking
    unranking_vetoes: tuple[str, ...]
    #: whether no rule reads other units' values before the ranking: then batches of units can be scored apart
    unit_local: bool
    #: the rules that read other units' values (peer averages, ranks among the units, movement)
    peer_rules: tuple[str, ...]


class PeriodPart(NamedTuple):
    """One period's contribution to a longer period's total."""

    period: str
    value: Decimal
    weight: Decimal
    note: str | None


class PeriodTotal(NamedTuple):
    """A unit's total over several periods (按权重核分), its rank in its group, and the parts."""

    unit: str
    group: str
    total: Decimal
    rank: int | None
    parts: tuple[PeriodPart, ...]
    how: str


class Coded(NamedTuple):
    """A column as codes into the values it takes (few, or one per unit): row k is ``values[codes[k]]``, empty
    where the code is -1. What a group's ``table`` gives for a column of names or grades."""

    codes: Any  # numpy int64, one per row
    values: Sequence[Any]


class Counts(NamedTuple):
    """A column of whole numbers (ranks, places), empty where ``empty`` holds."""

    ints: Any  # numpy int64, one per row
    empty: Any  # numpy bool, one per row


class Listed(NamedTuple):
    """A column of lists: row k holds ``values[c]`` for each code c of ``codes[offsets[k]:offsets[k + 1]]``."""

    offsets: Any  # numpy int64, one more than the rows
    codes: Any  # numpy int64
    values: Sequence[Any]


class GroupResults(Protocol):
    """One group's evaluation: its units and each unit's result, built on demand."""

    @property
    def units(self) -> list[str]:
        """The units, in name order."""

    group_id: str
    #: positions of the units in their published order (sequence, rank, total, name)
    order: list[int]

    def result(self, i: int) -> Result: ...

    def table(self) -> dict[str, Any]:
        """The group's results as columns, in its published order: a score as ``Fixed``, the others as ``Coded``,
        ``Counts`` or ``Listed``."""

    def places(self) -> dict[str, int]:
        """The places each value column is declared to round to."""


class Evaluation(Mapping[str, Result]):
    """The results of one evaluation, by unit, in a stable order (group, sequence, rank, name).

    A result is built when it is looked up: scoring many units keeps only their columns.
    """

    def __init__(self, groups: Sequence[GroupResults], missing: tuple[str, ...]):
        self._groups = tuple(groups)
        #: units named in a roster but absent from the facts
        self.missing = missing
        self._index: list[dict[str, int]] | None = None  # each group's unit → its place, made on the first lookup

    def __getitem__(self, unit: str) -> Result:
        found = self._find(unit)
        if found is None:
            raise KeyError(unit)
        return found[0].result(found[1])

    def __contains__(self, unit: object) -> bool:
        return self._find(unit) is not None  # without building the result

    def _find(self, unit: object) -> tuple[GroupResults, int] | None:
        if not isinstance(unit, str):
            return None
        if self._index is None:  # one dict per group, made once: a lookup is then a hash, not a bisection
            self._index = [dict(zip(group.units, range(len(group.units)))) for group in self._groups]
        for group, index in zip(self._groups, self._index):
            i = index.get(unit)
            if i is not None:
                return group, i
        return None

    def __iter__(self) -> Iterator[str]:
        return (group.units[i] for group in self._groups for i in group.order)

    def __len__(self) -> int:
        return sum(len(group.units) for group in self._groups)

    def to_arrow(self) -> Any:
        """Every result as a ``pyarrow.Table``, one row per unit in the published order.

        Columns: ``unit``, ``group``, ``sequence``, ``total``, ``rank``, ``grade``, ``would_be_rank``,
        ``would_be_grade``, ``position``, ``honours``, ``flags`` and ``vetoes`` (ids) as lists, then one
        column per section, adjustment block and adjustment rule, by id (null where the unit's group has
        none). Scores are exact decimals (``decimal128``, or ``decimal256`` past 38 digits) with the places
        the scheme rounds them to, or more where a value carries more.
        """
        from .arrow import results_table

        tables = [group.table() for group in self._groups]
        places: dict[str, int] = {}
        for group in self._groups:
            for name, p in group.places().items():
                places[name] = max(p, places.get(name, 0))
        return results_table(tables, places)

    def to_pandas(self) -> Any:
        """``to_arrow()`` as a pandas DataFrame: decimals stay ``Decimal`` objects (nothing is rounded), and
        ranks and positions are nullable integers (``Int64``), not floats."""
        import pandas as pd
        import pyarrow as pa

        return self.to_arrow().to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)

    def group(self, group_id: str) -> list[Result]:
        """The results of one group, ranked."""
        return [group.result(i) for group in self._groups if group.group_id == group_id for i in group.order]
