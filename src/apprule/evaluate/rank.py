"""Ranking within a scope: competition (1, 2, 2, 4) or dense (1, 2, 2, 3), with tie-breakers."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from operator import ne
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from ..expressions import Expression
from ..scheme.model import Ranking
from .graph import GroupGraph
from .population import Population
from ..i18n import N_


def competition_ranks(values: Sequence[Any] | np.ndarray[Any, Any], order: str = "desc", dense: bool = False
                      ) -> list[int]:
    """``rank_array`` as a list."""
    return list(rank_array(values, order, dense).tolist())


def rank_array(values: Sequence[Any] | np.ndarray[Any, Any], order: str = "desc", dense: bool = False
               ) -> np.ndarray[Any, Any]:
    """The rank of each value: 1 + how many (distinct, when dense) values are strictly better. n log n.

    ``values`` are any comparable keys (decimals, tuples of them), or fixed-point integers (an array),
    which numpy sorts; decimals are ranked by their fixed-point integers where those fit ``int64``.
    """
    n = len(values)
    if not isinstance(values, np.ndarray) and n > 1:
        values = _as_integers(values)
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
    return ranks


def _as_integers(values: Sequence[Any]) -> Sequence[Any] | np.ndarray[Any, Any]:
    """Finite decimals as their fixed-point integers (the same order, found by numpy); anything else as it is.

    At 100,000 units a score column ranks in a tenth of the time Python's sort of decimals takes."""
    from .fixed import Fixed, TooLarge

    if not all(type(v) is Decimal and v.is_finite() for v in values):
        return values
    try:
        fixed = Fixed.read(values)
    except TooLarge:
        return values
    return values if fixed.wide else fixed.ints


def scopes(sequences: Sequence[str | None], members: Iterable[int], scope: str | None
           ) -> dict[str | None, list[int]]:
    """The ``members`` (unit positions) by scope: one scope for the group, or one per sequence."""
    if scope != "sequence":
        return {None: list(members)}
    found: dict[str | None, list[int]] = {}
    for i in members:
        found.setdefault(sequences[i], []).append(i)
    return found


def scope_keys(sequences: Sequence[str | None], members: np.ndarray[Any, Any], scope: str | None
               ) -> list[np.ndarray[Any, Any]]:
    """``scopes`` for positions given as an array: each scope's members (ascending), the scopes in the order
    their first member comes."""
    if scope != "sequence":
        return [members]
    codes: dict[str | None, int] = {}  # sequence → its number, in the order first met
    keys = np.fromiter((codes.setdefault(s, len(codes)) for s in map(sequences.__getitem__, members.tolist())),
                       np.int64, len(members))
    return [members[keys == k] for k in range(len(codes))]


def from_bottom(ranks: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Each rank's place counted from the bottom: 1 + how many of ``ranks`` are strictly worse (greater)."""
    ordered = np.sort(ranks)
    return np.asarray(1 + len(ranks) - np.searchsorted(ordered, ranks, side="right"), np.int64)


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


def rank_scope(pop: Population, graph: GroupGraph, ranking: Ranking, members: list[int]) -> np.ndarray[Any, Any]:
    """The rank of each of the units ``members``, by the ranking's value, then its tie-breakers."""
    exprs = [e for e in (graph.ranking_by, *graph.tie_breakers) if e is not None]
    keys: Sequence[Any] | np.ndarray[Any, Any] | None = score_integers(pop, exprs[0], members) \
        if len(exprs) == 1 else None
    if keys is None:
        columns = [pop.numbers(pop.column(e, "ranking", members), members, N_("the ranking value"), "ranking")
                   for e in exprs]
        keys = columns[0] if len(columns) == 1 else list(zip(*columns))  # one value: no tuples
    return rank_array(keys, ranking.order, dense=ranking.ties == "dense")


def score_integers(pop: Population, expr: Expression, members: Sequence[int] | np.ndarray[Any, Any]
                   ) -> np.ndarray[Any, Any] | None:
    """Where ``expr`` names a score held as fixed point, its integers at ``members`` (ranked as they are, with no
    decimal made); None otherwise."""
    from .shapes.column import Decimals  # (the shapes read ranks: imported when ranking)

    scored = pop.names.get(expr.bare_name or "")
    if isinstance(scored, Decimals) and not (fixed := scored.column.fixed()).wide:
        return fixed.ints[members]
    return None
