"""`rank_table`: points by rank, an outside one or one ranked among the units, with a tie policy
(第1名加…分; 出现并列时, 加分=按名次应加分数÷并列个数)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from ...decimals import ZERO, round_to
from ...errors import EvaluationError
from ...scheme.model import RankTable
from ..rank import competition_ranks, scopes, tie_counts
from . import NodeColumn, Role, Shape, read, register

if TYPE_CHECKING:
    from ..graph import GraphNode
    from ..population import Population


def roles(spec: RankTable) -> list[Role]:
    return [("rank", spec.rank, ("rank",)), ("by", spec.by, ("by",)), ("tie_count", spec.tie_count, ("tie_count",))]


def numbers(pop: Population, node: GraphNode, role: str, col: NodeColumn | None, members: list[int]
            ) -> dict[int, Decimal]:
    """Expression ``role`` of the ``members`` that have a value, as numbers."""
    rows, values = read(pop, node, role, members, col, fillable=node.leaf.fill is not None)
    return dict(zip(rows, pop.numbers(values, rows, role, node.id)))


def kernel(pop: Population, node: GraphNode, applicable: list[int], col: NodeColumn) -> None:
    spec = node.leaf.rank_table
    assert spec is not None
    for members in scopes(pop.sequences, applicable, spec.scope).values():
        _scope(pop, node, col, members)


def _scope(pop: Population, node: GraphNode, col: NodeColumn, members: list[int]) -> None:
    spec = node.leaf.rank_table
    assert spec is not None
    if spec.by is not None:
        values = numbers(pop, node, "by", col, members)
        ids = sorted(values)
        ranks = dict(zip(ids, competition_ranks([values[i] for i in ids], spec.order)))
        sharing = tie_counts(ranks)
        tied = {i: sharing[ranks[i]] for i in ids}
    else:
        ranks = whole_places(pop, node, "rank", numbers(pop, node, "rank", col, members))
        tied = dict.fromkeys(ranks, 1)
        if "tie_count" in node.exprs:
            tied = whole_places(pop, node, "tie count", numbers(pop, node, "tie_count", None, list(ranks)))
    for i, rank in ranks.items():
        k = max(tied[i], 1)
        award = spec.map.get(rank, spec.otherwise)
        col.award(i, award.honours, award.flags)
        ties = spec.ties if k > 1 and spec.ties in ("split", "average", "worst") else None
        if ties == "split":
            value = award.points / k
            if spec.split_round is not None:
                value = round_to(value, spec.split_round.places, spec.split_round.mode)
        elif ties == "average":  # the places' points: those the table lists, `otherwise` for the rest
            listed = [a.points for place, a in spec.map.items() if rank <= place < rank + k]
            value = (sum(listed, ZERO) + spec.otherwise.points * (k - len(listed))) / k
        elif ties == "worst":
            value = spec.map.get(rank + k - 1, spec.otherwise).points
        else:
            value = award.points
        col.values[i] = value
        col.note(i, "rank_points", rank=rank, tied=k, ties=ties, points=award.points, value=value)
        if col.inputs is not None:
            col.inputs.setdefault(i, {})["rank"] = rank


def whole_places(pop: Population, node: GraphNode, what: str, values: dict[int, Decimal]) -> dict[int, int]:
    """Ranks or tie counts as whole numbers of at least 1 (a formula may yield anything)."""
    for i, v in values.items():
        if v != v.to_integral_value() or v < 1:
            raise EvaluationError(pop.units[i], node.id, f"a {what} is a whole number of at least 1, got {v}")
    return {i: int(v) for i, v in values.items()}


register(Shape("rank_table", roles, kernel, across_units=True,
               reads_peers=lambda spec: spec.by is not None))  # an outside rank is the unit's own fact
