"""Ranking within a scope: competition (1, 2, 2, 4) or dense (1, 2, 2, 3), with tie-breakers."""

from __future__ import annotations

from collections import Counter
from itertools import accumulate, count
from operator import mul, ne
from typing import Any, Iterable, Mapping, Sequence

from ..scheme.model import Ranking
from .graph import GroupGraph
from .population import Population


def competition_ranks(values: Sequence[Any], order: str = "desc", dense: bool = False) -> list[int]:
    """The rank of each value: 1 + how many (distinct, when dense) values are strictly better. n log n."""
    keyed = sorted(range(len(values)), key=values.__getitem__, reverse=order == "desc")
    ordered = list(map(values.__getitem__, keyed))
    new = list(map(ne, ordered, [object(), *ordered[:-1]]))  # where a value starts (all in C, as below)
    # dense: how many values have started; competition: the (1-based) position where this one started
    in_order = accumulate(map(int, new)) if dense else accumulate(map(mul, new, count(1)), max)
    ranks = [0] * len(values)
    for i, rank in zip(keyed, in_order):
        ranks[i] = rank
    return ranks


def scopes(sequences: Sequence[str | None], members: Iterable[int], scope: str | None
           ) -> dict[str | None, list[int]]:
    """The ``members`` (unit positions) by scope: one scope for the group, or one per sequence."""
    if scope != "sequence":
        return {None: list(members)}
    found: dict[str | None, list[int]] = {}
    for i in members:
        found.setdefault(sequences[i], []).append(i)
    return found


def tie_counts(ranks: Mapping[int, int]) -> dict[int, int]:
    """Rank → how many units share it."""
    return Counter(ranks.values())


def places_below(ranks: Mapping[int, int]) -> dict[int, int]:
    """Rank → how many units are ranked strictly below it (worse)."""
    counts = Counter(ranks.values())
    below: dict[int, int] = {}
    seen = 0
    for rank in sorted(counts, reverse=True):
        below[rank] = seen
        seen += counts[rank]
    return below


def rank_scope(pop: Population, graph: GroupGraph, ranking: Ranking, members: list[int]) -> dict[int, int]:
    """Rank the units ``members`` by the ranking's value, then its tie-breakers."""
    exprs = [e for e in (graph.ranking_by, *graph.tie_breakers) if e is not None]
    columns = [pop.numbers(pop.column(e, "ranking", members), members, "the ranking value", "ranking")
               for e in exprs]
    keys: Sequence[Any] = columns[0] if len(columns) == 1 else list(zip(*columns))  # one value: no tuples
    ranks = competition_ranks(keys, ranking.order, dense=ranking.ties == "dense")
    return dict(zip(members, ranks))
