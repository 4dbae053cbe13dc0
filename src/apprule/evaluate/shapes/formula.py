"""`formula`: a free expression over the unit's facts and other rules, for what nothing else fits."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...scheme.model import Expr
from . import NodeColumn, Role, Shape, read_numbers, register
from ...i18n import N_

if TYPE_CHECKING:
    from ..graph import GraphNode
    from ..population import Population


def roles(spec: str) -> list[Role]:
    return [("of", spec, ())]


def kernel(pop: Population, node: GraphNode, rows: list[int], col: NodeColumn) -> None:
    rows, xs = read_numbers(pop, node, "of", rows, col, N_("the formula's result"))
    col.scatter(rows, xs)


register(Shape("formula", roles, kernel, model=Expr, description="公式"))
