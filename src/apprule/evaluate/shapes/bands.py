"""`bands`: points by the band a value falls in, with inclusive or exclusive bounds (…以上、…以下)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from ...decimals import ZERO
from ...results import Note
from ...scheme.model import Band, Bands
from . import NodeColumn, Role, Shape, read_numbers, register

if TYPE_CHECKING:
    from ..graph import GraphNode
    from ..population import Population

Names = tuple[str, ...]


def roles(spec: Bands) -> list[Role]:
    return [("of", spec.of, ("of",))]


def kernel(pop: Population, node: GraphNode, rows: list[int], col: NodeColumn) -> None:
    spec = node.leaf.bands
    assert spec is not None
    rows, xs = read_numbers(pop, node, "of", rows, col, "the banded value")
    for i, x in zip(rows, xs):
        points, honours, flags, why = band_award(spec, x, col.explains)
        col.values[i] = points
        col.award(i, honours, flags)
        if why is not None:
            col.note(i, why.kind, **why.values)


def band_matches(band: Band, x: Decimal) -> bool:
    if band.from_ is not None and x < band.from_:
        return False
    if band.above is not None and x <= band.above:
        return False
    if band.to is not None and x > band.to:
        return False
    return band.below is None or x < band.below


def band_award(bands: Bands, x: Decimal, explain: bool = True) -> tuple[Decimal, Names, Names, Note | None]:
    """The points, honours and flags ``x`` earns under ``bands``, and why (when ``explain``)."""
    matched = [b for b in bands.bands if band_matches(b, x)]
    why = Note("band", {"value": x, "bands": tuple(matched)}) if explain else None
    if not matched:
        other = bands.otherwise
        return other.points, tuple(other.honours), tuple(other.flags), why
    if bands.match == "all":
        return (sum((b.points for b in matched), ZERO), tuple(h for b in matched for h in b.honours),
                tuple(f for b in matched for f in b.flags), why)
    first = matched[0]
    if why is not None:
        why = Note("band", {"value": x, "bands": (first,)})
    return first.points, tuple(first.honours), tuple(first.flags), why


register(Shape("bands", roles, kernel))
