"""`movement`: points for places gained since last time (排位每前移1位加0.5分, 最高3分; 保持第一位的…),
from values ranked among the units, or from places the office was given (`places: given`)."""

from __future__ import annotations

from decimal import Decimal
from itertools import compress, repeat
from operator import eq, mul, sub
from typing import TYPE_CHECKING, Literal, cast

from pydantic import Field

from ...decimals import ZERO, clamped
from ...scheme.model import Expr, Model, Scope
from ..rank import competition_ranks, scopes
from . import NodeColumn, Role, Shape, register
from .rank_table import numbers, whole_places

if TYPE_CHECKING:
    from ...scheme.model import Leaf
    from ...testing.bounds import GroupBounds, Range
    from ..graph import GraphNode
    from ..population import Population


class Movement(Model):
    """排位每前移1位加0.5分: places gained, from `before` to `now`: values ranked among the units, or places given."""

    now: Expr
    before: Expr
    places: Literal["ranked", "given"] = Field(
        "ranked", description="ranked: now/before are values ranked among the units; given: they are places "
        "(排位, 1 = first) the office received, ties included")
    order: Literal["desc", "asc"] = "desc"
    scope: Scope = "group"
    per_place: Decimal
    hold_first: Decimal = Decimal(0)
    max: Decimal | None = None


def roles(spec: Movement) -> list[Role]:
    return [("now", spec.now, ("now",)), ("before", spec.before, ("before",))]


def kernel(pop: Population, node: GraphNode, applicable: list[int], col: NodeColumn) -> None:
    spec = cast(Movement, node.leaf.spec)
    for members in scopes(pop.sequences, applicable, spec.scope).values():
        _scope(pop, node, col, members)


def _scope(pop: Population, node: GraphNode, col: NodeColumn, members: list[int]) -> None:
    spec = cast(Movement, node.leaf.spec)
    now = numbers(pop, node, "now", col, members)
    before = numbers(pop, node, "before", col, members)
    ids = sorted(set(now) & set(before))
    if spec.places == "given":  # 排位 as received: whole numbers from 1, ties as the list has them
        now_ranks = list(map(whole_places(pop, node, "place", now).__getitem__, ids))
        before_ranks = list(map(whole_places(pop, node, "place", before).__getitem__, ids))
    else:
        now_ranks = competition_ranks(list(map(now.__getitem__, ids)), spec.order)
        before_ranks = competition_ranks(list(map(before.__getitem__, ids)), spec.order)
    moved = list(map(sub, before_ranks, now_ranks))
    gained = list(map(mul, map(max, moved, repeat(0)), repeat(spec.per_place)))  # no gain for a fall
    values = clamped(gained, None, spec.max)
    held: set[int] = set()  # first before and first now: hold_first's points instead
    if spec.hold_first:
        held = {k for k in compress(range(len(ids)), map(eq, now_ranks, repeat(1))) if before_ranks[k] == 1}
        values = [spec.hold_first if k in held else value for k, value in enumerate(values)]
    for i, value in zip(ids, values):
        col.values[i] = value
    if col.inputs is not None:
        for i, a, b in zip(ids, before_ranks, now_ranks):
            col.inputs.setdefault(i, {}).update({"rank before": a, "rank now": b})
    for k, (i, a, b) in enumerate(zip(ids, before_ranks, now_ranks)) if col.explains else ():
        if k in held:
            col.note(i, "held_first", value=values[k])
        else:
            col.note(i, "movement", before=a, now=b, places=moved[k], per_place=spec.per_place,
                     gained=gained[k], capped=values[k] if values[k] is not gained[k] else None)


def bounds_of(group: GroupBounds, leaf: Leaf) -> Range:
    """No loss for a fall; a gain up to `max` (or `hold_first`, when more)."""
    from ...testing.bounds import Range

    spec = cast(Movement, leaf.spec)
    return Range(ZERO, None if spec.max is None else max(spec.max, spec.hold_first))


register(Shape("movement", roles, kernel, across_units=True, reads_peers=lambda spec: spec.places == "ranked",
               model=Movement, description="排位变化计分 (每前移1位…)", bounds=bounds_of,
               ranks=lambda spec: [("rank", spec.now), ("rank", spec.before)] if spec.places == "given" else []))
