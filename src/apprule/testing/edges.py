"""Edge values a scheme's own rules single out: band bounds, step boundaries, cap points, table keys.

Each shape says which of its values are edges (``Shape.edges``, in the shape's module); this module
collects them over a scheme and offers the helpers they share.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable, Iterator

from ..scheme.model import Block, Leaf, SchemeDefinition, Section

#: (events fact, field) for an event field, or (fact, None) for a unit fact.
Target = tuple[str, "str | None"]


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
            name = bare(leaf.spec) if leaf.shape == "score" else None
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


def quantum(scheme: SchemeDefinition, target: Target) -> Decimal:
    """The least step of a value of ``target``: 1 for a count, a cent otherwise."""
    fact = scheme.facts.get(target[0])
    if fact is not None and target[1] is not None:
        fact = (fact.fields or {}).get(target[1])
    return Decimal(1) if fact is not None and fact.type == "count" else Decimal("0.01")


def _leaf_edges(scheme: SchemeDefinition, leaf: Leaf, edges: Edges) -> None:
    from ..evaluate.shapes import SHAPES

    found = SHAPES[leaf.shape].edges
    if found is not None:
        found(scheme, leaf, edges)
