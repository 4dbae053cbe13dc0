"""Edge values a scheme's own rules single out: band bounds, step boundaries, cap points, table keys."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable, Iterator

from ..scheme.model import Bands, Block, Leaf, SchemeDefinition, Section

#: (events fact, field) for an event field, or (fact, None) for a unit fact.
Target = tuple[str, "str | None"]
_SMALL_STEPS = 4  # how many multiples of a step size to offer


@dataclass(frozen=True)
class StepEdge:
    """A `steps` rule over two unit facts: `of` lands exactly on ``target × (1 ± k·size)`` (or ``target ± k·size``)."""

    of: str
    target: str
    sizes: tuple[Decimal, ...]
    ratio: bool


@dataclass
class Edges:
    """Values worth trying for each fact (and event field), and joint step boundaries."""

    key: tuple[str, ...] = ()
    values: dict[Target, set[Decimal]] = field(default_factory=dict)
    steps: list[StepEdge] = field(default_factory=list)

    def add(self, target: Target, values: Iterable[Decimal]) -> None:
        self.values.setdefault(target, set()).update(v for v in values if v.is_finite())

    def of(self, target: Target) -> list[Decimal]:
        return sorted(self.values.get(target, ()))


def leaves(nodes: Iterable[Section | Block | Leaf]) -> Iterator[Leaf]:
    """Every rule under ``nodes``, depth first."""
    for node in nodes:
        if isinstance(node, Section):
            yield from leaves(node.items)
        elif isinstance(node, Block):
            yield from leaves(node.rules)
        else:
            yield node


def score_caps(scheme: SchemeDefinition) -> dict[str, Decimal]:
    """Fact → the least `max` of the `score` rules that read it alone and refuse a value above it (`over_max`):
    a valid unit gives no more."""
    caps: dict[str, Decimal] = {}
    for group in scheme.groups:
        for leaf in leaves([*group.sections, *group.derived, *([group.adjustments] if group.adjustments else [])]):
            name = bare(leaf.score)
            if name and leaf.max is not None and leaf.over_max != "clamp":
                caps[name] = min(caps.get(name, leaf.max), leaf.max)
    return caps


def bare(text: str | None) -> str | None:
    """The name when an expression is a single name (``x``), else None."""
    if text is None:
        return None
    text = text.strip()
    return text if text.isidentifier() else None


def around(value: Decimal, quantum: Decimal) -> tuple[Decimal, Decimal, Decimal]:
    """A boundary and its neighbours one quantum either side."""
    return value - quantum, value, value + quantum


def collect_edges(scheme: SchemeDefinition, group_ids: tuple[str, ...] | None = None) -> Edges:
    """Edge values from every rule of the named groups (all when None)."""
    wanted = set(group_ids) if group_ids is not None else None
    edges = Edges(key=tuple(sorted(wanted or [g.id for g in scheme.groups])))
    for name, fact in scheme.facts.items():
        edges.add((name, None), [Decimal(0)] + [b for b in (fact.min, fact.max) if b is not None])
        for fname, sub in (fact.fields or {}).items():
            edges.add((name, fname), [Decimal(0)] + [b for b in (sub.min, sub.max) if b is not None])
    for group in scheme.groups:
        if wanted is not None and group.id not in wanted:
            continue
        nodes = list(group.sections) + ([group.adjustments] if group.adjustments else [])
        for leaf in leaves(nodes):
            _leaf_edges(scheme, leaf, edges)
    return edges


def _quantum(scheme: SchemeDefinition, target: Target) -> Decimal:
    fact = scheme.facts.get(target[0])
    if fact is not None and target[1] is not None:
        fact = (fact.fields or {}).get(target[1])
    return Decimal(1) if fact is not None and fact.type == "count" else Decimal("0.01")


def _bands(scheme: SchemeDefinition, bands: Bands, target: Target, edges: Edges) -> None:
    q = _quantum(scheme, target)
    for band in bands.bands:
        for bound in (band.from_, band.above, band.to, band.below):
            if bound is not None:
                edges.add(target, around(bound, q))


def _leaf_edges(scheme: SchemeDefinition, leaf: Leaf, edges: Edges) -> None:
    shape = leaf.shape
    if shape in ("score", "rate"):
        name = bare(getattr(leaf, shape))
        if name and leaf.max is not None:
            edges.add((name, None), [leaf.max, leaf.max + Decimal("0.01")] if shape == "score" else [Decimal(1)])
    elif shape == "per" and leaf.per is not None:
        name = bare(leaf.per.of)
        if name:
            size, points = leaf.per.size, leaf.per.points
            values = [size * k for k in range(_SMALL_STEPS)]
            for cap in (leaf.max, leaf.min):
                if cap is not None and points != 0 and cap / points > 0:
                    k = Decimal(math.ceil(cap / points))
                    values += [size * (k - 1), size * k, size * (k + 1)]
            edges.add((name, None), values)
    elif shape == "bands" and leaf.bands is not None:
        name = bare(leaf.bands.of)
        if name:
            _bands(scheme, leaf.bands, (name, None), edges)
    elif shape == "table" and leaf.table is not None:
        name = bare(leaf.table.of)
        if name:
            keys = [Decimal(k) for k in leaf.table.map if isinstance(k, int)]
            edges.add((name, None), [k + d for k in keys for d in (-1, 0, 1)])
    elif shape == "rank_table" and leaf.rank_table is not None:
        name = bare(leaf.rank_table.rank)
        if name:
            keys = [Decimal(k) for k in leaf.rank_table.map]
            edges.add((name, None), [k + d for k in keys for d in (-1, 0, 1)])
    elif shape == "steps" and leaf.steps is not None:
        spec = leaf.steps
        of, target = bare(spec.of), bare(spec.target)
        sizes = tuple(s.size for s in (spec.over, spec.under) if s is not None)
        if of and target and of in scheme.facts and target in scheme.facts:
            edges.steps.append(StepEdge(of, target, sizes, spec.measure == "ratio"))
        elif of and target is not None:
            try:
                fixed = Decimal(target)
            except ArithmeticError:
                return
            ladder: list[Decimal] = []
            for size in sizes:
                for n in range(-_SMALL_STEPS, _SMALL_STEPS + 1):
                    ladder.append(fixed * (1 + n * size) if spec.measure == "ratio" else fixed + n * size)
            edges.add((of, None), ladder)
    elif shape == "for_each" and leaf.for_each is not None:
        each = leaf.for_each
        value = each.value
        if value.bands is not None and bare(value.bands.of):
            _bands(scheme, value.bands, (each.events, bare(value.bands.of)), edges)
        if value.table is not None and bare(value.table.of):
            keys = [Decimal(k) for k in value.table.map if isinstance(k, int)]
            edges.add((each.events, bare(value.table.of)), [k + d for k in keys for d in (-1, 0, 1)])
