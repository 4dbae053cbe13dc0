"""`bands`: points by the band a value falls in, with inclusive or exclusive bounds (…以上、…以下)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Iterator, Literal, cast

import numpy as np
from pydantic import ConfigDict, Field, model_validator

from ...decimals import ZERO
from ...errors import Path
from ...results import Note
from ...scheme.model import Award, AwardSpec, Label, Model, Expr
from ..fixed import Fixed, Numbers, looked_up
from . import NodeColumn, Role, Shape, read_numbers, register
from ...i18n import N_, _

if TYPE_CHECKING:
    from ...scheme.check import Found
    from ...scheme.model import Leaf, SchemeDefinition
    from ...testing.bounds import GroupBounds, Range
    from ...testing.edges import Edges, Target
    from ..graph import GraphNode
    from ..population import Population

Names = tuple[str, ...]


class Band(Model):
    """One band: lower bound `from` (≥) or `above` (>), upper bound `to` (≤) or `below` (<)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    from_: Decimal | None = Field(None, alias="from")
    above: Decimal | None = None
    to: Decimal | None = None
    below: Decimal | None = None
    points: Decimal = Decimal(0)
    honours: list[str] = []
    flags: list[str] = []
    label: Label | None = None

    @model_validator(mode="after")
    def _bounds(self) -> Band:
        if self.from_ is not None and self.above is not None:
            raise ValueError(_("a band has `from` (inclusive) or `above` (exclusive), not both"))
        if self.to is not None and self.below is not None:
            raise ValueError(_("a band has `to` (inclusive) or `below` (exclusive), not both"))
        return self

    @property
    def award(self) -> Award:
        return Award(points=self.points, honours=self.honours, flags=self.flags)


class Bands(Model):
    """Bands on `of`; `match: one` (disjoint, checked), `first` listed that fits, or `all` that fit."""

    of: Expr
    bands: list[Band] = Field(min_length=1)
    match: Literal["one", "first", "all"] = "one"
    gaps: Literal["error", "allowed"] = "error"
    otherwise: AwardSpec = Award()


def check(bands: Bands, path: Path) -> Iterator[Found]:
    """Every band holds a value; with `match: one` they neither overlap nor leave gaps (unless allowed)."""
    for i, band in enumerate(bands.bands):
        (lo, lo_in), (hi, hi_in) = _lower(band), _upper(band)
        if lo is not None and hi is not None and (lo > hi or (lo == hi and not (lo_in and hi_in))):
            yield ("empty-band", _("band {value} holds no value", value=i + 1), path + ("bands", i), None, None)
    if bands.match != "one":
        return
    ordered = sorted(enumerate(bands.bands), key=lambda ib: (_lower(ib[1])[0] is not None,
                                                              _lower(ib[1])[0] or 0, not _lower(ib[1])[1]))
    for (i, a), (j, b) in zip(ordered, ordered[1:]):
        (hi, hi_in), (lo, lo_in) = _upper(a), _lower(b)
        if hi is None or lo is None or hi > lo or (hi == lo and hi_in and lo_in):
            yield ("band-overlap", _("bands {value} and {value2} overlap; make the bounds meet exactly (`below: x` "
                                     "then `from: x`) or say `match: first`",
                                     value=i + 1, value2=j + 1), path + ("bands", j), None, None)
        elif (hi < lo or (hi == lo and not hi_in and not lo_in)) and bands.gaps == "error":
            yield ("band-gap", _("values between bands {value} and {value2} fall in no band; close the gap or say "
                                 "`gaps: allowed` (they then yield `otherwise`)",
                                 value=i + 1, value2=j + 1), path + ("bands", j), None, None)


def _lower(band: Band) -> tuple[Decimal | None, bool]:
    return (band.from_, True) if band.from_ is not None else (band.above, False)


def _upper(band: Band) -> tuple[Decimal | None, bool]:
    return (band.to, True) if band.to is not None else (band.below, False)


def roles(spec: Bands) -> list[Role]:
    return [("of", spec.of, ("of",))]


def kernel(pop: Population, node: GraphNode, rows: list[int], col: NodeColumn) -> None:
    spec = cast(Bands, node.leaf.spec)
    given = pop.names.get(node.exprs["of"].bare_name or "")
    if isinstance(given, Numbers) and len(rows) == pop.n and not col.explains and len(spec.bands) < 63:
        _fixed_point(spec, given.fixed, col)
        return
    rows, xs = read_numbers(pop, node, "of", rows, col, N_("the banded value"))
    for i, x in zip(rows, xs):
        points, honours, flags, why = band_award(spec, x, col.explains)
        col.values[i] = points
        col.award(i, honours, flags)
        if why is not None:
            col.note(i, why.kind, **why.values)


def _fixed_point(spec: Bands, x: Fixed, col: NodeColumn) -> None:
    """The loop above on a fact given as integers: which bands each value fits found by comparing integers,
    band by band, and each distinct set of bands fitted awarded once, as ``band_award`` awards it."""
    fits = np.zeros(len(x), np.int64)  # bit k: band k fits
    for k, band in enumerate(spec.bands):
        fit = np.ones(len(x), bool)
        for bound, side, inside in ((band.from_, 0, False), (band.above, 1, True), (band.to, 1, False),
                                    (band.below, 0, True)):
            if bound is not None:  # from: not below; above: above; to: not above; below: below
                outside = x.compare(bound)[side]
                fit &= outside if inside else ~outside
        fits |= fit.astype(np.int64) << k
    distinct, where = np.unique(fits, return_inverse=True)
    awards = [_award(spec, [b for k, b in enumerate(spec.bands) if bits >> k & 1]) for bits in distinct.tolist()]
    col.values = looked_up([points for points, _h, _f in awards], where.ravel())
    where = where.ravel()
    giving = [k for k, (_p, honours, flags) in enumerate(awards) if honours or flags]
    for i in np.flatnonzero(np.isin(where, giving)).tolist():  # unit by unit, in order, as the loop above
        _p, honours, flags = awards[where[i]]
        col.award(i, honours, flags)


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
    why = Note("band", {"value": x, "bands": tuple(matched[:1] if bands.match != "all" else matched)}) \
        if explain else None
    return (*_award(bands, matched), why)


def _award(bands: Bands, matched: list[Band]) -> tuple[Decimal, Names, Names]:
    """The points, honours and flags for the bands a value fits (``matched``, in their order)."""
    if not matched:
        other = bands.otherwise
        return other.points, tuple(other.honours), tuple(other.flags)
    if bands.match == "all":
        return (sum((b.points for b in matched), ZERO), tuple(h for b in matched for h in b.honours),
                tuple(f for b in matched for f in b.flags))
    first = matched[0]
    return first.points, tuple(first.honours), tuple(first.flags)


def band_edges(scheme: SchemeDefinition, bands: Bands, target: Target, edges: Edges) -> None:
    """Each bound of each band, and its neighbours one quantum either side."""
    from ...testing.edges import around, quantum

    q = quantum(scheme, target)
    for band in bands.bands:
        for bound in (band.from_, band.above, band.to, band.below):
            if bound is not None:
                edges.add(target, around(bound, q))


def edges_of(scheme: SchemeDefinition, leaf: Leaf, edges: Edges) -> None:
    from ...testing.edges import bare

    spec = cast(Bands, leaf.spec)
    name = bare(spec.of)
    if name:
        band_edges(scheme, spec, (name, None), edges)


def bounds_of(group: GroupBounds, leaf: Leaf) -> Range:
    """The points of the band that fits (with `match: all`, the bonuses together and the deductions together),
    or `otherwise`'s."""
    from ...testing.bounds import Range, span

    spec = cast(Bands, leaf.spec)
    if spec.match == "all":
        found = Range(sum((min(b.points, ZERO) for b in spec.bands), ZERO),
                      sum((max(b.points, ZERO) for b in spec.bands), ZERO))
    else:
        found = span(b.points for b in spec.bands)
    return found.hull(spec.otherwise.points)


register(Shape("bands", roles, kernel, model=Bands, description="分段 (区间) 计分", check=check, edges=edges_of,
               bounds=bounds_of))
