"""`per`: points for each count, or for each `size` of a quantity (每…加/减…分)."""

from __future__ import annotations

import math
from decimal import Decimal
from itertools import repeat
from operator import mul, truediv
from typing import TYPE_CHECKING, cast

from pydantic import Field

from ...decimals import ONE, whole_steps
from ...scheme.model import Expr, Model, WholeSteps
from ..fixed import Numbers, per
from . import NodeColumn, Role, Shape, read_numbers, register
from ...i18n import N_

if TYPE_CHECKING:
    from ...scheme.model import Leaf, SchemeDefinition
    from ...testing.edges import Edges
    from ..graph import GraphNode
    from ..population import Population

_SMALL_STEPS = 4  # how many multiples of the size to offer as edges


class Per(Model):
    """每培育一个…加10分: `points` for every `size` of `of`."""

    of: Expr
    points: Decimal
    size: Decimal = Field(Decimal(1), gt=0)
    whole: WholeSteps = "floor"


def roles(spec: Per) -> list[Role]:
    return [("of", spec.of, ("of",))]


def kernel(pop: Population, node: GraphNode, rows: list[int], col: NodeColumn) -> None:
    spec = cast(Per, node.leaf.spec)
    given = pop.names.get(node.exprs["of"].bare_name or "")
    if isinstance(given, Numbers) and len(rows) == pop.n and not col.explains:  # given as integers
        counted_fixed = per(given.fixed, spec.size, spec.points, spec.whole)
        if counted_fixed is not None:
            col.values = counted_fixed
            return
    rows, xs = read_numbers(pop, node, "of", rows, col, N_("the count"))
    counted = whole_steps(map(truediv, xs, repeat(spec.size)), spec.whole)
    col.scatter(rows, list(map(mul, counted, repeat(spec.points))))
    for i, steps in zip(rows, counted) if col.explains else ():
        col.note(i, "per", count=steps, points=spec.points, size=None if spec.size == ONE else spec.size)


def edges_of(scheme: SchemeDefinition, leaf: Leaf, edges: Edges) -> None:
    """A few multiples of the size, and the counts at which the rule's cap or floor is reached."""
    from ...testing.edges import bare

    spec = cast(Per, leaf.spec)
    name = bare(spec.of)
    if name:
        size, points = spec.size, spec.points
        values = [size * k for k in range(_SMALL_STEPS)]
        for cap in (leaf.max, leaf.min):
            if cap is not None and points != 0 and cap / points > 0:
                k = Decimal(math.ceil(cap / points))
                values += [size * (k - 1), size * k, size * (k + 1)]
        edges.add((name, None), values)


register(Shape("per", roles, kernel, model=Per, description="按个数计分 (每…加/减…分)", edges=edges_of))
