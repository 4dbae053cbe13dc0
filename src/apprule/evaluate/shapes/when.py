"""`when`: points, honours or flags when a condition holds (有…情形的, 加/减…分)."""

from __future__ import annotations

from itertools import compress
from typing import TYPE_CHECKING

from ...results import Note
from ...scheme.model import Award, When
from . import NodeColumn, Role, Shape, read, register

if TYPE_CHECKING:
    from ..graph import GraphNode
    from ..population import Population

_HOLDS = Note("condition", {"holds": True})


def roles(spec: When) -> list[Role]:
    return [("test", spec.test, ("test",))]


def kernel(pop: Population, node: GraphNode, rows: list[int], col: NodeColumn) -> None:
    condition = node.leaf.when
    assert condition is not None
    rows, tests = read(pop, node, "test", rows, col, fillable=node.leaf.fill is not None)
    award = Award(points=condition.points, honours=condition.honours, flags=condition.flags)
    for i in compress(rows, tests):  # the units it holds for (found in C)
        col.take(i, award, _HOLDS)
    for i, holds in zip(rows, tests) if col.explains else ():
        if not holds:
            col.note(i, "condition", holds=False)


register(Shape("when", roles, kernel))
