"""Ranking within a scope: competition (1, 2, 2, 4) or dense (1, 2, 2, 3), with tie-breakers."""

from __future__ import annotations

from collections import Counter
from operator import ne
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from ..scheme.model import Ranking
from .graph import GroupGraph
from .population import Population
from ..i18n import N_


def competition_ranks(values: Sequence[Any] | np.ndarray[Any, Any], order: str = "desc", dense: bool = False
                      ) -> list[int]:
    """The rank of each value: 1 + how many (distinct, when dense) values are strictly better. n log n.

    ``values`` are any comparable keys (decimals, tuples of them), or fixed-point integers (an array),
    which numpy sorts.
    """
    n = len(values)
    if isinstance(values, np.ndarray):
        keyed = np.argsort(values, kind="stable")
        if order == "desc":
            keyed = keyed[::-1]
        ordered = values[keyed]
        new = np.ones(n, bool)
        new[1:] = ordered[1:] != ordered[:-1]  # where a value starts
    else:
        keyed = np.array(sorted(range(n), key=values.__getitem__, reverse=order == "desc"), np.int64)
        ordered_values = list(map(values.__getitem__, keyed.tolist()))
        new = np.fromiter(map(ne, ordered_values, [object(), *ordered_values[:-1]]), bool, n)
    # dense: how many values have started; competition: the (1-based) position where this one started
    in_order = np.cumsum(new) if dense else np.maximum.accumulate(np.where(new, np.arange(1, n + 1), 0))
    ranks = np.zeros(n, np.int64)
    ranks[keyed] = in_order
    return list(ranks.tolist())


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
    from .shapes.column import Decimals  # (the shapes read ranks: imported when ranking)

    exprs = [e for e in (graph.ranking_by, *graph.tie_breakers) if e is not None]
    scored = pop.names.get(exprs[0].bare_name or "") if len(exprs) == 1 else None
    keys: Sequence[Any] | np.ndarray[Any, Any]
    if isinstance(scored, Decimals) and not (fixed := scored.column.fixed()).wide:  # a score: its integers
        keys = fixed.ints[members]
    else:
        columns = [pop.numbers(pop.column(e, "ranking", members), members, N_("the ranking value"), "ranking")
                   for e in exprs]
        keys = columns[0] if len(columns) == 1 else list(zip(*columns))  # one value: no tuples
    ranks = competition_ranks(keys, ranking.order, dense=ranking.ties == "dense")
    return dict(zip(members, ranks))
