"""The outcomes a group declares (结果运用: 表态发言, 通报批评, 不得评为优秀…): which units each is for.

They are decided last, over the ranks and grades of the run: a selection never changes a score, a rank or a
grade. Each selector of an outcome narrows the units it is for: `grades`, then `first`/`last` (places in each
ranking scope, counted by the ranking or by `by`), then `when`.

The answer is data per outcome (the positions of the units it is for), not a record per unit: an ``Outcome``
is made once per declared outcome (``declared_records``) and shared by the units it is for.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np

from ..results import Outcome
from ..scheme.model import Consequence, Group
from .graph import GroupGraph
from .population import Population
from .rank import from_bottom, rank_array, scope_keys, score_integers
from ..i18n import N_

#: the names whose value only a ranked unit has: a condition reading one is asked of the ranked units only
_RANKED_NAMES = frozenset({"rank", "rank_from_bottom", "scope_size"})

Positions = np.ndarray[Any, Any]  # int64 unit positions, ascending


def declared_records(group: Group) -> list[Outcome]:
    """The record of each outcome the group declares, in its order (the same for every unit it is for)."""
    return [Outcome(o.kind, o.id, o.label, o.clause, o.id, matter=o.matter) for o in group.outcomes]


def declared_outcomes(pop: Population, graph: GroupGraph, ranks: np.ndarray[Any, Any],
                      grade_codes: np.ndarray[Any, Any]) -> list[Positions]:
    """For each outcome the group declares, in its order, the positions (ascending) of the units it is for.

    ``ranks`` holds each unit's rank (0: not ranked); ``grade_codes`` each unit's grade as its place among the
    group's levels (-1: no grade).
    """
    group = graph.group
    if not group.outcomes:
        return []
    by_scope = _ranking_scopes(pop, group.ranking.scope if group.ranking else None, ranks)
    levels = group.grades.levels if group.grades is not None else []
    found = []
    for k, outcome in enumerate(group.outcomes):
        keep = np.ones(pop.n, bool)
        if outcome.grades is not None:
            keep &= np.isin(grade_codes, [c for c, g in enumerate(levels) if g in outcome.grades])
        if outcome.first is not None or outcome.last is not None:
            keep &= _places(pop, graph, k, outcome, ranks, by_scope)
        test = graph.outcome_tests.get(k)
        if test is not None and keep.any():
            if test.names & _RANKED_NAMES:
                keep &= ranks > 0
            picked = np.flatnonzero(keep)
            values = pop.column(test, f"outcome {outcome.id!r}", picked.tolist())
            keep[picked] = np.fromiter(map(bool, values), bool, len(picked))
        found.append(np.flatnonzero(keep))
    return found


def _ranking_scopes(pop: Population, scope: str | None, ranks: np.ndarray[Any, Any]) -> list[Positions]:
    """The ranked units by ranking scope; and, for conditions, each one's `scope_size` and `rank_from_bottom`
    there (the unranked have none)."""
    ranked = np.flatnonzero(ranks > 0)
    found = scope_keys(pop.sequences, ranked, scope) if len(ranked) else []
    size = np.full(pop.n, None, object)
    bottom = np.full(pop.n, None, object)
    for members in found:
        size[members] = Decimal(len(members))  # one decimal shared by the scope
        bottom[members] = from_bottom(ranks[members]).tolist()
    pop.names["scope_size"], pop.names["rank_from_bottom"] = size.tolist(), bottom.tolist()  # as grading sets them
    return found


def _places(pop: Population, graph: GroupGraph, k: int, outcome: Consequence, ranks: np.ndarray[Any, Any],
            by_scope: list[Positions]) -> np.ndarray[Any, Any]:
    """Where a unit is in the `first` or `last` N places of its scope (all of those tied at the last such place)."""
    within = np.zeros(pop.n, bool)
    by = graph.outcome_by.get(k)
    for members in by_scope:
        if by is None:
            place = ranks[members]
        elif (scores := score_integers(pop, by, members)) is not None:
            place = rank_array(scores, "desc")
        else:
            rows = members.tolist()
            values = pop.numbers(pop.column(by, f"outcome {outcome.id!r}", rows), rows,
                                 N_("the value of `by`"), f"outcome {outcome.id!r}")
            place = rank_array(values, "desc")
        if outcome.last is not None:
            within[members] = from_bottom(place) <= outcome.last
        else:
            within[members] = place <= (outcome.first or 0)
    return within
