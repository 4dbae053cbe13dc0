"""The outcomes a group declares (结果运用: 表态发言, 通报批评, 不得评为优秀…): which units each is for.

They are decided last, over the ranks and grades of the run: a selection never changes a score, a rank or a
grade. Each selector of an outcome narrows the units it is for: `grades`, then `first`/`last` (places in each
ranking scope, counted by the ranking or by `by`), then `when`.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Sequence

from ..results import Outcome
from ..scheme.model import Consequence
from .grade import GradeDecision
from .graph import GroupGraph
from .population import Population
from .rank import competition_ranks, places_below, scopes
from ..i18n import N_

#: the names whose value only a ranked unit has: a condition reading one is asked of the ranked units only
_RANKED_NAMES = frozenset({"rank", "rank_from_bottom", "scope_size"})


def declared_outcomes(pop: Population, graph: GroupGraph, ranks: Sequence[int | None],
                      grades: dict[int, GradeDecision]) -> dict[int, list[Outcome]]:
    """Unit position → the declared outcomes it is for, in the order the group declares them."""
    group = graph.group
    found: defaultdict[int, list[Outcome]] = defaultdict(list)
    if not group.outcomes:
        return found
    by_scope = _ranking_scopes(pop, group.ranking.scope if group.ranking else None, ranks)
    for k, outcome in enumerate(group.outcomes):
        picked = list(range(pop.n))
        if outcome.grades is not None:
            picked = [i for i in picked if i in grades and grades[i].grade in outcome.grades]
        if outcome.first is not None or outcome.last is not None:
            within = set(_places(pop, graph, k, outcome, ranks, by_scope))
            picked = [i for i in picked if i in within]
        test = graph.outcome_tests.get(k)
        if test is not None and picked:
            if test.names & _RANKED_NAMES:
                picked = [i for i in picked if ranks[i] is not None]
            values = pop.column(test, f"outcome {outcome.id!r}", picked)
            picked = [i for i, holds in zip(picked, values) if holds]
        for i in picked:
            found[i].append(Outcome(outcome.kind, outcome.id, outcome.label, outcome.clause, outcome.id,
                                    matter=outcome.matter))
    return found


def _ranking_scopes(pop: Population, scope: str | None, ranks: Sequence[int | None]) -> list[list[int]]:
    """The ranked units by ranking scope; and, for conditions, each one's `scope_size` and `rank_from_bottom`
    there (the unranked have none)."""
    ranked = [i for i, r in enumerate(ranks) if r is not None]
    found = list(scopes(pop.sequences, ranked, scope).values()) if ranked else []
    size: list[Decimal | None] = [None] * pop.n
    from_bottom: list[int | None] = [None] * pop.n
    for members in found:
        place = {i: r for i in members if (r := ranks[i]) is not None}
        below = places_below(place)
        for i in members:
            size[i] = Decimal(len(members))
            from_bottom[i] = 1 + below[place[i]]
    pop.names["scope_size"], pop.names["rank_from_bottom"] = size, from_bottom  # as grading sets them
    return found


def _places(pop: Population, graph: GroupGraph, k: int, outcome: Consequence, ranks: Sequence[int | None],
            by_scope: list[list[int]]) -> list[int]:
    """The units in the `first` or `last` N places of each scope (all of those tied at the last such place)."""
    picked: list[int] = []
    by = graph.outcome_by.get(k)
    for members in by_scope:
        if by is None:
            place = {i: ranks[i] or 0 for i in members}
        else:
            values = pop.numbers(pop.column(by, f"outcome {outcome.id!r}", members), members,
                                 N_("the value of `by`"), f"outcome {outcome.id!r}")
            place = dict(zip(members, competition_ranks(values, "desc")))
        if outcome.last is not None:
            below = places_below(place)
            picked += [i for i in members if 1 + below[place[i]] <= outcome.last]
        else:
            picked += [i for i in members if place[i] <= (outcome.first or 0)]
    return sorted(picked)
