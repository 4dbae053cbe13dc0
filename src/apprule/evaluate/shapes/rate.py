"""`rate`: a completion rate (0 to 1) times the rule's maximum (按完成比例计分)."""

from __future__ import annotations

from itertools import repeat
from operator import mul
from typing import TYPE_CHECKING

from ...decimals import ONE, ZERO, clamped
from ...scheme.model import Expr
from ..fixed import Numbers, rate_points
from . import NodeColumn, Role, Shape, read_numbers, register
from .score import bounds_of
from ...i18n import N_

if TYPE_CHECKING:
    from ...scheme.model import Leaf, SchemeDefinition
    from ...testing.edges import Edges
    from ..graph import GraphNode
    from ..population import Population


def roles(spec: str) -> list[Role]:
    return [("of", spec, ())]


def kernel(pop: Population, node: GraphNode, rows: list[int], col: NodeColumn) -> None:
    leaf = node.leaf
    given = pop.names.get(node.exprs["of"].bare_name or "")
    if isinstance(given, Numbers) and len(rows) == pop.n and not col.explains:  # given as integers
        points = rate_points(given.fixed, leaf.max or ZERO)
        if points is not None:
            col.values = points
            return
    rows, xs = read_numbers(pop, node, "of", rows, col, N_("the rate"))
    ys = clamped(xs, ZERO, ONE)
    if col.explains and ys is not xs:
        for i, x in zip(rows, xs):
            if x > ONE:
                col.note(i, "rate_over_one", value=x)
    col.scatter(rows, list(map(mul, ys, repeat(leaf.max or ZERO))))


def edges_of(scheme: SchemeDefinition, leaf: Leaf, edges: Edges) -> None:
    """A rate of exactly 1 (above it, the rate counts as 1)."""
    from ...testing.edges import bare

    name = bare(leaf.spec)
    if name and leaf.max is not None:
        edges.add((name, None), [ONE])


register(Shape("rate", roles, kernel, model=Expr, description="完成率计分", zero_to_max=True, edges=edges_of,
               bounds=bounds_of))
