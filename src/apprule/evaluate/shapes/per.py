"""`per`: points for each count, or for each `size` of a quantity (每…加/减…分)."""

from __future__ import annotations

from itertools import repeat
from operator import mul, truediv
from typing import TYPE_CHECKING

from ...decimals import ONE, whole_steps
from ...scheme.model import Per
from . import NodeColumn, Role, Shape, read_numbers, register

if TYPE_CHECKING:
    from ..graph import GraphNode
    from ..population import Population


def roles(spec: Per) -> list[Role]:
    return [("of", spec.of, ("of",))]


def kernel(pop: Population, node: GraphNode, rows: list[int], col: NodeColumn) -> None:
    spec = node.leaf.per
    assert spec is not None
    rows, xs = read_numbers(pop, node, "of", rows, col, "the count")
    counted = whole_steps(map(truediv, xs, repeat(spec.size)), spec.whole)
    col.scatter(rows, list(map(mul, counted, repeat(spec.points))))
    for i, steps in zip(rows, counted) if col.explains else ():
        col.note(i, "per", count=steps, points=spec.points, size=None if spec.size == ONE else spec.size)


register(Shape("per", roles, kernel))
