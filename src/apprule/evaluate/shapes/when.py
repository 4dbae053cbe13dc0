"""`when`: points, honours or flags when a condition holds (有…情形的, 加/减…分)."""

from __future__ import annotations

from decimal import Decimal
from itertools import compress
from typing import TYPE_CHECKING, cast

from ...decimals import ZERO
from ...results import Note
from ...scheme.model import Award, Expr, Model
from . import NodeColumn, Role, Shape, read, register

if TYPE_CHECKING:
    from ...scheme.model import Leaf
    from ...testing.bounds import GroupBounds, Range
    from ..graph import GraphNode
    from ..population import Population


class When(Model):
    """A condition that yields points, honours or flags when it holds."""

    test: Expr
    points: Decimal = Decimal(0)
    honours: list[str] = []
    flags: list[str] = []

_HOLDS = Note("condition", {"holds": True})


def roles(spec: When) -> list[Role]:
    return [("test", spec.test, ("test",))]


def kernel(pop: Population, node: GraphNode, rows: list[int], col: NodeColumn) -> None:
    condition = cast(When, node.leaf.spec)
    rows, tests = read(pop, node, "test", rows, col, fillable=node.leaf.fill is not None)
    award = Award(points=condition.points, honours=condition.honours, flags=condition.flags)
    for i in compress(rows, tests):  # the units it holds for (found in C)
        col.take(i, award, _HOLDS)
    for i, holds in zip(rows, tests) if col.explains else ():
        if not holds:
            col.note(i, "condition", holds=False)


def bounds_of(group: GroupBounds, leaf: Leaf) -> Range:
    """Its points, or nothing."""
    from ...testing.bounds import span

    return span([ZERO, cast(When, leaf.spec).points])


register(Shape("when", roles, kernel, model=When, description="条件", bounds=bounds_of))
