"""`table`: points looked up by a value (an enum, or a whole number): award level → points."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ...decimals import plain
from ...errors import EvaluationError
from ...results import Note
from ...scheme.model import Award, Table
from . import NodeColumn, Role, Shape, read, register

if TYPE_CHECKING:
    from ..graph import GraphNode, _Builder
    from ..population import Population


def roles(spec: Table) -> list[Role]:
    return [("of", spec.of, ("of",))]


def compile(builder: _Builder, node: GraphNode) -> None:
    table = node.leaf.table
    assert table is not None
    if "of" in node.exprs:
        builder.check_table_keys(table.map, node.exprs["of"], builder.scheme.facts, node.path + ("table", "map"))


def kernel(pop: Population, node: GraphNode, rows: list[int], col: NodeColumn) -> None:
    table = node.leaf.table
    assert table is not None
    rows, keys = read(pop, node, "of", rows, col, fillable=node.leaf.fill is not None)
    for i, key in zip(rows, keys):
        try:
            key, award, why = table_award(table, key, col.explains)
        except ValueError as exc:
            raise EvaluationError(pop.units[i], node.id, str(exc)) from None
        col.take(i, award, why)


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
        raise ValueError(f"{key!r} is not in the table and the table has no `otherwise`")
    return key, table.otherwise, Note("table", {"key": key, "found": False}) if explain else None


register(Shape("table", roles, kernel, compile=compile))
