"""A toy rule shape from outside apprule, in one file: `threshold`, points when a value is above a line.

Everything about the shape is here: the model of its spec, its load-time check, the expressions it
reads, its column kernel and the words of its note, its edge values and its declared range. A shape
of one's own ends in ``register(SHAPE)``; the tests register it themselves, so that it can be removed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Iterator, cast

from apprule.decimals import ZERO, plain
from apprule.evaluate.shapes import NodeColumn, Role, Shape, read_numbers
from apprule.results import Note
from apprule.scheme.model import Expr, Model

if TYPE_CHECKING:
    from apprule.errors import Path
    from apprule.evaluate.graph import GraphNode
    from apprule.evaluate.population import Population
    from apprule.scheme.check import Found
    from apprule.scheme.model import Leaf, SchemeDefinition
    from apprule.testing.bounds import GroupBounds, Range
    from apprule.testing.edges import Edges


class Threshold(Model):
    """`points` when `of` is above `above`."""

    of: Expr
    above: Decimal
    points: Decimal


def check(spec: Threshold, path: Path) -> Iterator[Found]:
    if spec.points == 0:
        yield ("invalid-value", "a threshold worth 0 points changes nothing", path + ("points",), None, None)


def roles(spec: Threshold) -> list[Role]:
    return [("of", spec.of, ("of",))]


def kernel(pop: Population, node: GraphNode, rows: list[int], col: NodeColumn) -> None:
    spec = cast(Threshold, node.leaf.spec)
    rows, xs = read_numbers(pop, node, "of", rows, col, "the value")
    for i, x in zip(rows, xs):
        col.values[i] = spec.points if x > spec.above else ZERO
        col.note(i, "threshold", value=x, above=spec.above, points=spec.points)


def words(note: Note) -> str:
    value, above = note["value"], note["above"]
    if value > above:
        return f"{plain(value)} is above {plain(above)}: {plain(note['points'])}"
    return f"{plain(value)} is not above {plain(above)}"


def edges_of(scheme: SchemeDefinition, leaf: Leaf, edges: Edges) -> None:
    from apprule.testing.edges import around, bare, quantum

    spec = cast(Threshold, leaf.spec)
    name = bare(spec.of)
    if name:
        edges.add((name, None), around(spec.above, quantum(scheme, (name, None))))


def bounds_of(group: GroupBounds, leaf: Leaf) -> Range:
    from apprule.testing.bounds import span

    return span([ZERO, cast(Threshold, leaf.spec).points])


SHAPE = Shape("threshold", roles, kernel, model=Threshold, description="超过界线加分", check=check,
              edges=edges_of, bounds=bounds_of, notes={"threshold": words})
