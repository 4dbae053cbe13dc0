"""Score a group's units node by node: each node computes its whole column at once."""

from __future__ import annotations

from decimal import Decimal
from itertools import compress
from operator import ne

import numpy as np

from ..decimals import ZERO, clamp, rounded
from ..errors import EvaluationError
from ..scheme.model import Block, Leaf, Rounding, Section
from .fixed import Fixed, places_of, total
from .graph import GraphNode, GroupGraph
from .population import Population
from .rank import scopes
from .shapes import SHAPES, NodeColumn, new_column, read
from ..i18n import N_, _


def score_group(graph: GroupGraph, pop: Population) -> tuple[dict[str, NodeColumn], NodeColumn]:
    """Every node's column and the total column; each node's values (and the total) join ``pop.names``."""
    columns: dict[str, NodeColumn] = {}
    last_reader = {node.leaf.spec.events: node.id for node in map(graph.nodes.__getitem__, graph.order)
                   if isinstance(node.spec, Leaf) and node.leaf.shape == "for_each"}
    for node_id in graph.order:
        node = graph.nodes[node_id]
        spec = node.spec
        try:
            if isinstance(spec, Section):
                column = _section(pop, spec, [columns[c] for c in node.children])
            elif isinstance(spec, Block):
                column = _block(pop, spec, [columns[c] for c in node.children])
            else:
                column = _leaf(graph, pop, node, columns)
        except ArithmeticError as exc:  # an overflow, say: find the unit it happened for
            raise _unit_of(graph, pop, node_id, exc) from None
        columns[node_id] = column
        pop.names[node_id] = column.view()
        if isinstance(spec, Leaf) and spec.shape == "for_each" and last_reader[spec.spec.events] == node_id:
            pop.flat.pop(spec.spec.events, None)  # read by no later rule: its memory is free before the sums
    try:
        total = _total(graph, pop, columns)
    except ArithmeticError as exc:
        raise _unit_of(graph, pop, "total", exc) from None
    pop.names["total"] = total.view()
    return columns, total


def _unit_of(graph: GroupGraph, pop: Population, node_id: str, exc: ArithmeticError) -> EvaluationError:
    """The error of the first unit that fails alone (columns fail as a whole; the error must name the unit)."""
    if pop.n > 1:
        for i in range(pop.n):
            alone = Population([pop.units[i]], [pop.sequences[i]], {k: [v[i]] for k, v in pop.names.items()},
                               pop.period, declared=pop.declared)
            try:
                score_group(graph, alone)
            except EvaluationError as found:
                return found
    who = pop.units[0] if pop.n == 1 else _("one of {n} units", n=pop.n)  # only the scope as a whole fails
    return EvaluationError(who, node_id, str(exc))


def _leaf(graph: GroupGraph, pop: Population, node: GraphNode, columns: dict[str, NodeColumn]) -> NodeColumn:
    leaf = node.leaf
    col = new_column(pop, leaf.max)
    rows = list(range(pop.n))
    if "applies" in node.exprs:
        rows, applies = read(pop, node, "applies", rows, None)
        if not all(applies):
            for i, applicable in zip(rows, applies):
                if not applicable:
                    col.inapplicable.add(i)
                    col.maxes[i] = ZERO
                    col.note(i, "inapplicable", weight=leaf.max if leaf.transfer_to else None, to=leaf.transfer_to)
            rows = [i for i, applicable in zip(rows, applies) if applicable]
    SHAPES[leaf.shape].kernel(pop, node, rows, col)
    if node.donors:
        _transfer(graph, node, columns, col)
    if not node.within or node.donors:
        _cap(leaf, col)
    if leaf.fill is not None:
        _fill(pop, leaf, col)
    _round(leaf.round, col)
    held = col.held
    if isinstance(held, Fixed) and held.scale and not held.ints.any():
        # all zeros with places (0.00, rounded so or not): as decimals, which `Fixed.read` takes back at scale 0 as it does
        # the decimal path's, so that the sums above show the same places whichever path the kernel took
        col.values = held.decimals()
    return col


def _transfer(graph: GroupGraph, node: GraphNode, columns: dict[str, NodeColumn], col: NodeColumn) -> None:
    """没有…任务的单位此权重加到…: the weight of items a unit lacks moves here."""
    leaf = node.leaf
    assert leaf.max is not None
    lacking = sorted(set().union(*(columns[d].inapplicable for d in node.donors)) - col.inapplicable)
    explain = col.notes is not None
    for i in lacking:
        moved = [d for d in node.donors if i in columns[d].inapplicable]
        extra = sum((graph.nodes[d].spec.max or ZERO for d in moved), ZERO)
        new_max = leaf.max + extra
        before = col.values[i]
        if leaf.transfer == "rescale":
            col.values[i] = before * new_max / leaf.max
        else:
            col.values[i] += extra
        col.maxes[i] = new_max
        if explain:
            col.note(i, "transfer", weight=extra, donors=tuple(moved), how=leaf.transfer, before=before,
                     max=leaf.max, new_max=new_max, value=col.values[i])
    col.changed()


def _cap(leaf: Leaf, col: NodeColumn) -> None:
    if isinstance(col.held, Fixed) and _cap_fixed(leaf, col, col.held):
        return
    values = col.values
    if (leaf.max is None or max(values) <= leaf.max) and (leaf.min is None or min(values) >= leaf.min):
        return  # nothing to cap (the usual case, checked in C)
    for i, value in enumerate(values):
        if i in col.inapplicable or i in col.missing:
            continue
        capped = clamp(value, leaf.min, col.maxes.get(i, leaf.max))
        if capped != value:
            col.note(i, "capped", value=value, to=capped)
            values[i] = capped
    col.changed()


def _cap_fixed(leaf: Leaf, col: NodeColumn, held: Fixed) -> bool:
    """``_cap`` on the integers; False (nothing done) where the decimals would differ digit for digit: a
    bound with more places than the column's, or one handed out whose places differ from the column's
    (a cap of 30 beside values at 30.0), or -0; and where notes or per-unit maxima ask for the decimals."""
    if col.maxes or col.inapplicable or col.missing or col.notes is not None or \
            (leaf.min is not None and leaf.max is not None and leaf.min > leaf.max):
        return False
    for bound, side in ((leaf.max, 1), (leaf.min, 0)):
        if bound is None:
            continue
        if places_of([bound]) > held.scale:
            return False
        if held.compare(bound)[side].any() and (bound.as_tuple().exponent != -held.scale or
                                                 (bound.is_signed() and not bound)):
            return False
    col.values = held.clamped(leaf.min, leaf.max)
    return True


def _round(rounding: Rounding | None, col: NodeColumn) -> None:
    """Round to the declared places: on integers where the column is fixed point, else as decimals."""
    if rounding is None:
        return
    if not isinstance(col.held, Fixed):
        before_values = col.values
        after_values = rounded(before_values, rounding.places, rounding.mode)
        for i in compress(range(len(after_values)), map(Decimal.is_signed, after_values)):
            if not after_values[i]:  # -0.00 is 0.00, as in fixed point
                after_values[i] = ZERO.quantize(after_values[i])
        if col.notes is not None:
            for i in compress(range(len(after_values)), map(ne, before_values, after_values)):
                col.note(i, "rounded", value=before_values[i], to=after_values[i], mode=rounding.mode,
                         places=rounding.places)
        col.values = after_values
        return
    before = col.fixed()
    after = before.rounded(rounding.places, rounding.mode)
    if col.notes is not None:
        for i in _changed(before, after):
            col.note(i, "rounded", value=before.at(i), to=after.at(i), mode=rounding.mode, places=rounding.places)
    col.values = after


def _fill(pop: Population, leaf: Leaf, col: NodeColumn) -> None:
    spec = leaf.fill
    assert spec is not None
    if not col.missing:
        return
    for members in scopes(pop.sequences, range(pop.n), spec.peers).values():
        peers = [col.values[i] for i in members if i not in col.missing and i not in col.inapplicable]
        if spec.zeros == "exclude":
            peers = [v for v in peers if v != ZERO]
        for i in members:
            if i not in col.missing:
                continue
            if peers:
                col.values[i] = sum(peers, ZERO) / len(peers)
                col.note(i, "filled", peers=len(peers), value=col.values[i])
            else:
                col.values[i] = spec.when_none
                col.note(i, "no_peer", value=spec.when_none)
    col.missing.clear()
    col.changed()


def _section(pop: Population, spec: Section, children: list[NodeColumn]) -> NodeColumn:
    col = new_column(pop, spec.max)
    sums = total([c.fixed() for c in children], pop.n)
    col.values = sums.clamped(None, spec.max)
    if col.notes is not None:
        for i in _changed(sums, col.fixed()):
            col.note(i, "capped", value=sums.at(i), to=spec.max)
    _round(spec.round, col)
    return col


def _block(pop: Population, spec: Block, children: list[NodeColumn]) -> NodeColumn:
    """加分/扣分: bonuses and deductions summed apart, each side capped, the net limited."""
    col = new_column(pop, spec.max)
    floor = None if spec.deduction_cap is None else -spec.deduction_cap
    bonus = deduction = Fixed.zeros(pop.n)
    for child in children:
        values = child.fixed()
        earned = values.ints > 0
        bonus, deduction = bonus + values.masked(earned), deduction + values.masked(~earned)
    up, down = bonus.clamped(None, spec.bonus_cap), deduction.clamped(floor, None)
    nets = up + down
    col.values = nets.clamped(spec.min, spec.max)
    if col.notes is not None:
        for before, after, kind in ((bonus, up, "bonuses_capped"), (deduction, down, "deductions_limited"),
                                    (nets, col.fixed(), "net_limited")):
            for i in _changed(before, after):
                col.note(i, kind, value=before.at(i), to=after.at(i))
    _round(spec.round, col)
    return col


def _changed(before: Fixed, after: Fixed) -> list[int]:
    """The units whose value a step changed."""
    return list(np.flatnonzero(before.differs(after)).tolist())


def _total(graph: GroupGraph, pop: Population, columns: dict[str, NodeColumn]) -> NodeColumn:
    group = graph.group
    col = new_column(pop, group.max)
    parts = [columns[s] for s in graph.top]
    adjusted = [columns[group.adjustments.id]] if group.adjustments else []
    sections = total([c.fixed() for c in parts], pop.n)
    adjustments = adjusted[0].fixed() if adjusted else Fixed.zeros(pop.n)
    expr = graph.total
    if expr is None:
        col.values = sections + adjustments
        if col.notes is not None:
            for i in range(pop.n):
                col.note(i, "total_sum", sections=sections.at(i), adjustments=adjustments.at(i))
    else:
        pop.names["sections"], pop.names["adjustments"] = sections.decimals(), adjustments.decimals()
        col.values = pop.numbers(pop.column(expr, "total"), range(pop.n), N_("the total"), "total")
        if col.inputs is not None:
            for i in range(pop.n):
                col.inputs[i] = {n: pop.names[n][i] for n in sorted(expr.names)}
                col.note(i, "total_formula", formula=expr.text)
    _round(group.total.round, col)
    return col
