"""`table`: points looked up by a value (an enum, or a whole number): award level → points."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

import numpy as np
from pydantic import Field

from ...decimals import plain
from ...errors import EvaluationError
from ...results import Note
from ...scheme.model import Award, AwardSpec, Expr, Model
from ..fixed import Fixed, Parts, totals_handed_out, parts_of, places_of
from . import NodeColumn, Role, Shape, read, register
from ...i18n import _

if TYPE_CHECKING:
    from ...scheme.model import Leaf, SchemeDefinition
    from ...testing.bounds import GroupBounds, Range
    from ...testing.edges import Edges, Target
    from ..graph import GraphNode, _Builder
    from ..population import Population


class Table(Model):
    """A lookup: `of` (an enum or whole number) mapped through `map`."""

    of: Expr
    map: dict[str | int, AwardSpec] = Field(min_length=1)
    otherwise: AwardSpec | None = None


def roles(spec: Table) -> list[Role]:
    return [("of", spec.of, ("of",))]


def compile(builder: _Builder, node: GraphNode) -> None:
    table = cast(Table, node.leaf.spec)
    if "of" in node.exprs:
        builder.check_table_keys(table.map, node.exprs["of"], builder.scheme.facts, node.path + ("table", "map"))


def kernel(pop: Population, node: GraphNode, rows: list[int], col: NodeColumn) -> None:
    """Each unit's award for its key. Where only the points matter (no explanation, honours or flags), each
    distinct key is looked up once and the points laid out as integers (``lookup``)."""
    table = cast(Table, node.leaf.spec)
    rows, keys = read(pop, node, "of", rows, col, fillable=node.leaf.fill is not None)
    awards = [*table.map.values(), *([table.otherwise] if table.otherwise is not None else [])]
    if not col.explains and not any(a.honours or a.flags for a in awards):
        looked_up = lookup(pop, node, table, rows, keys)
        if looked_up is not None:
            col.values = looked_up
            return
    for i, key in zip(rows, keys):
        try:
            key, award, why = table_award(table, key, col.explains)
        except ValueError as exc:
            raise EvaluationError(pop.units[i], node.id, str(exc)) from None
        col.take(i, award, why)


def lookup(pop: Population, node: GraphNode, table: Table, rows: list[int], keys: list[Any]
           ) -> Fixed | list[Decimal] | None:
    """The points of units ``rows`` (0 elsewhere), as the loop above would write them, digit for digit;
    None where a key is no dictionary key (the loop says what it makes of it) or points are written so
    that no integer keeps their digits."""
    try:
        distinct = list(dict.fromkeys(keys))  # units share few keys: each is decided once
    except TypeError:
        return None
    points = []
    for key in distinct:
        try:
            points.append(table_award(table, key, False)[1].points)
        except ValueError as exc:  # the first unit with that key
            raise EvaluationError(pop.units[rows[keys.index(key)]], node.id, str(exc)) from None
    if any(p.is_zero() and p.is_signed() or cast(int, p.as_tuple().exponent) > 0 for p in points):
        return None  # -0 or 1E+1: kept as written only by the loop
    made = parts_of(points, places_of(points))
    if made is None:
        return None
    where = np.fromiter(map({key: j for j, key in enumerate(distinct)}.__getitem__, keys), np.int64, len(keys))
    out = Parts(np.zeros(pop.n, np.int64), np.zeros(pop.n, np.int64), places_of(points))
    out.ints[rows] = np.array(made[0], np.int64)[where]
    out.places[rows] = np.array(made[1], np.int64)[where]
    return totals_handed_out(out)


def table_award(table: Table, key: Any, explain: bool = True) -> tuple[Any, Award, Note | None]:
    """The table's key for ``key``, its award, and why (when ``explain``).

    ``ValueError`` when neither the key nor `otherwise` is in the table.
    """
    if isinstance(key, Decimal):  # YAML keys are whole numbers or text
        key = int(key) if key == key.to_integral_value() else plain(key)
    award = table.map.get(key)
    if award is not None:
        return key, award, Note("table", {"key": key, "found": True}) if explain else None
    if table.otherwise is None:
        raise ValueError(_("{key!r} is not in the table and the table has no `otherwise`", key=key))
    return key, table.otherwise, Note("table", {"key": key, "found": False}) if explain else None


def key_edges(table: Table, target: Target, edges: Edges) -> None:
    """Each whole-number key and its neighbours."""
    keys = [Decimal(k) for k in table.map if isinstance(k, int)]
    edges.add(target, [k + d for k in keys for d in (-1, 0, 1)])


def edges_of(scheme: SchemeDefinition, leaf: Leaf, edges: Edges) -> None:
    from ...testing.edges import bare

    spec = cast(Table, leaf.spec)
    name = bare(spec.of)
    if name:
        key_edges(spec, (name, None), edges)


def bounds_of(group: GroupBounds, leaf: Leaf) -> Range:
    """From the least to the most points in the table (`otherwise` included)."""
    from ...testing.bounds import span

    spec = cast(Table, leaf.spec)
    return span([*spec.map.values(), *([spec.otherwise] if spec.otherwise is not None else [])])


register(Shape("table", roles, kernel, compile=compile, model=Table, description="对照表计分", edges=edges_of,
               bounds=bounds_of))
