"""`score`: a points value read directly, clamped to [0, max] (直接计分, 最高…分); above max it is refused unless
the rule says `over_max: clamp`."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from ...decimals import ZERO, clamped, plain
from ...errors import OverMax
from ...scheme.model import Expr
from ..fixed import Numbers
from . import NodeColumn, Role, Shape, read, read_numbers, register
from ...i18n import N_, _

if TYPE_CHECKING:
    from ...scheme.model import Leaf, SchemeDefinition
    from ...testing.bounds import GroupBounds, Range
    from ...testing.edges import Edges
    from ..graph import GraphNode, _Builder
    from ..population import Population


def roles(spec: str) -> list[Role]:
    return [("of", spec, ())]


def compile(builder: _Builder, node: GraphNode) -> None:
    """A number fact whose declared bounds lie within the rule's needs no check or clamp again."""
    leaf = node.leaf
    if "of" not in node.exprs:
        return
    fact = builder.scheme.facts.get(node.exprs["of"].bare_name or "")
    node.within = fact is not None and fact.type in ("number", "count") and leaf.max is not None and \
        fact.min is not None and fact.min >= max(ZERO, leaf.min if leaf.min is not None else ZERO) and \
        fact.max is not None and fact.max <= leaf.max


def kernel(pop: Population, node: GraphNode, rows: list[int], col: NodeColumn) -> None:
    leaf = node.leaf
    if node.within:  # validation has checked every value against bounds within the rule's: nothing changes
        # them but a weight transfer (which copies), so the fact's own column serves
        given = pop.names[node.exprs["of"].bare_name or ""]
        if isinstance(given, Numbers) and len(rows) == pop.n and not col.explains:
            col.values = given.fixed  # given as integers: summed as they are
            return
        rows, xs = read(pop, node, "of", rows, col, fillable=leaf.fill is not None, shared=not node.donors)
        col.scatter(rows, xs)
        return
    numbers = pop.names.get(node.exprs["of"].bare_name or "")
    if isinstance(numbers, Numbers) and len(rows) == pop.n and not col.explains and len(numbers):
        ints = numbers.fixed
        if not ints.compare(ZERO)[0].any() and (leaf.max is None or not ints.compare(leaf.max)[1].any()):
            col.values = ints  # given as integers, each within [0, max]: nothing to refuse or clamp
            return
    rows, xs = read_numbers(pop, node, "of", rows, col, N_("the score"))
    high = leaf.max
    if leaf.over_max != "clamp" and high is not None and xs and max(xs) > high:
        i, x = next((i, x) for i, x in zip(rows, xs) if x > high)
        fact = node.exprs["of"].bare_name
        what = _("the fact {fact!r}", fact=fact) if fact else _("the score")
        raise OverMax(pop.units[i], node.id, _("{what} is {value}, above the rule's maximum {value2}; a value beyond "
                                               "the maximum is refused, not cut to it (a rule whose "
                                               "document caps the value says over_max: clamp)",
                                               what=what, value=plain(x), value2=plain(high)), fact or "")
    ys = clamped(xs, ZERO, leaf.max)
    if col.explains and ys is not xs:
        for i, x, y in zip(rows, xs, ys):
            if y != x:
                col.note(i, "clamped", value=x, to=y)
    col.scatter(rows, ys)


def edges_of(scheme: SchemeDefinition, leaf: Leaf, edges: Edges) -> None:
    """The rule's max and a cent above it (clamped)."""
    from ...testing.edges import bare

    name = bare(leaf.spec)
    if name and leaf.max is not None:
        edges.add((name, None), [leaf.max, leaf.max + Decimal("0.01")])


def bounds_of(group: GroupBounds, leaf: Leaf) -> Range:
    """From 0 to the rule's max (with the weight other rules may hand it)."""
    from ...testing.bounds import Range

    return Range(ZERO, group.leaf_cap(leaf))


register(Shape("score", roles, kernel, compile=compile, model=Expr, description="直接得分 (不超过满分)",
               zero_to_max=True, edges=edges_of, bounds=bounds_of))
