"""`rank_table`: points by rank, an outside one or one ranked among the units, with a tie policy
(第1名加…分; 出现并列时, 加分=按名次应加分数÷并列个数)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Iterator, Literal, cast

from pydantic import BeforeValidator, Field, model_validator
from pydantic_core import PydanticCustomError

from ...decimals import ZERO, round_to, shown
from ...errors import EvaluationError, Path
from ...scheme.model import Award, AwardSpec, Expr, Model, RoundingSpec, Scope, exactly_one
from ..rank import competition_ranks, scopes, tie_counts
from . import NodeColumn, Role, Shape, read, register
from ...i18n import N_, _

if TYPE_CHECKING:
    from ...scheme.check import Found
    from ...scheme.model import Leaf, SchemeDefinition
    from ...testing.bounds import GroupBounds, Range
    from ...testing.edges import Edges
    from ..graph import GraphNode
    from ..population import Population


def _ranks(value: Any) -> Any:
    """A rank table's keys as ranks, each given once: `{1: 10, '1': 5}` and `{1: 10, 1.0: 5}` name rank 1 twice.

    A rank is a whole number written in decimal digits (`1`, `'1'`, `1.0`); pydantic alone would also
    read `'1_0'` as 10 and keep the last of two keys that read alike.
    """
    if not isinstance(value, dict):
        return value
    ranks: dict[int, Any] = {}
    for key, award in value.items():
        text = str(key)
        if isinstance(key, bool) or not re.fullmatch(r"[-+]?[0-9]+(\.0*)?", text):
            raise PydanticCustomError("bad_rank", _("{text} is not a rank (a whole number)"),
                                      {"key": key, "text": repr(key)})
        rank = int(text.split(".")[0])
        if rank in ranks:
            raise PydanticCustomError("duplicate_key", _("rank {rank} is given twice, as {first} and as {second}"),
                                      {"key": key, "rank": rank, "first": repr(ranks[rank][0]), "second": repr(key)})
        ranks[rank] = (key, award)
    return {rank: award for rank, (_, award) in ranks.items()}


class RankTable(Model):
    """Points by rank: an outside rank (`rank`) or one computed among the units (`by`)."""

    rank: Expr | None = None
    by: Expr | None = None
    order: Literal["desc", "asc"] = "desc"
    scope: Scope = "group"
    map: Annotated[dict[int, AwardSpec], BeforeValidator(_ranks)] = Field(min_length=1)
    otherwise: AwardSpec = Award()
    ties: Literal["split", "average", "best", "worst", "none"] = "none"
    tie_count: Expr | None = Field(None, description="with an outside rank: how many share it")
    split_round: RoundingSpec | None = None

    @model_validator(mode="after")
    def _source(self) -> RankTable:
        exactly_one(self, ("rank", "by"), N_("a rank table"))
        if self.tie_count is not None and self.rank is None:
            raise ValueError(_("`tie_count` goes with an outside `rank`; ties among the units are counted"))
        return self


def check(spec: RankTable, path: Path) -> Iterator[Found]:
    for key in spec.map:
        if key < 1:
            yield ("invalid-value", _("rank {key} in a rank table; ranks start at 1",
                                      key=shown(key)), path + ("map", key),
                   None, None)


def roles(spec: RankTable) -> list[Role]:
    return [("rank", spec.rank, ("rank",)), ("by", spec.by, ("by",)), ("tie_count", spec.tie_count, ("tie_count",))]


def numbers(pop: Population, node: GraphNode, role: str, col: NodeColumn | None, members: list[int]
            ) -> dict[int, Decimal]:
    """Expression ``role`` of the ``members`` that have a value, as numbers."""
    rows, values = read(pop, node, role, members, col, fillable=node.leaf.fill is not None)
    return dict(zip(rows, pop.numbers(values, rows, role, node.id)))


def kernel(pop: Population, node: GraphNode, applicable: list[int], col: NodeColumn) -> None:
    spec = cast(RankTable, node.leaf.spec)
    for members in scopes(pop.sequences, applicable, spec.scope).values():
        _scope(pop, node, col, members)


def _scope(pop: Population, node: GraphNode, col: NodeColumn, members: list[int]) -> None:
    spec = cast(RankTable, node.leaf.spec)
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
            raise EvaluationError(pop.units[i], node.id, _("a {what} is a whole number of at least 1, got {v}",
                                                           what=_(what), v=v))
    return {i: int(v) for i, v in values.items()}


def edges_of(scheme: SchemeDefinition, leaf: Leaf, edges: Edges) -> None:
    """With an outside rank: each rank in the table and its neighbours."""
    from ...testing.edges import bare

    spec = cast(RankTable, leaf.spec)
    name = bare(spec.rank)
    if name:
        edges.add((name, None), [Decimal(k + d) for k in spec.map for d in (-1, 0, 1)])


def bounds_of(group: GroupBounds, leaf: Leaf) -> Range:
    """From the least to the most points in the table, `otherwise` and nothing included."""
    from ...testing.bounds import span

    spec = cast(RankTable, leaf.spec)
    return span([ZERO, spec.otherwise, *spec.map.values()])


register(Shape("rank_table", roles, kernel, across_units=True,
               reads_peers=lambda spec: spec.by is not None,  # an outside rank is the unit's own fact
               model=RankTable, description="按名次计分", check=check, edges=edges_of, bounds=bounds_of,
               ranks=lambda spec: [("rank", spec.rank), ("tie count", spec.tie_count)]))
