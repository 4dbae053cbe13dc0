"""Score a group's units node by node: each node computes its whole column at once."""

from __future__ import annotations

from decimal import Decimal
from itertools import compress, repeat
from operator import add, eq, mul, sub

from ..decimals import ZERO, adds_as_itself, clamp, clamped, plain, round_to, rounded
from ..errors import EvaluationError
from ..scheme.model import Block, Leaf, Rounding, Section
from .graph import GraphNode, GroupGraph
from .population import Population
from .rank import competition_ranks, scopes, tie_counts
from .shapes import NodeColumn, new_column, read, unit_shape


def score_group(graph: GroupGraph, pop: Population) -> tuple[dict[str, NodeColumn], NodeColumn]:
    """Every node's column and the total column; each node's values (and the total) join ``pop.names``."""
    columns: dict[str, NodeColumn] = {}
    last_reader = {node.leaf.for_each.events: node.id for node in map(graph.nodes.__getitem__, graph.order)
                   if isinstance(node.spec, Leaf) and node.leaf.for_each is not None}
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
        pop.names[node_id] = column.values
        if isinstance(spec, Leaf) and spec.for_each is not None and last_reader[spec.for_each.events] == node_id:
            pop.flat.pop(spec.for_each.events, None)  # read by no later rule: its memory is free before the sums
    try:
        total = _total(graph, pop, columns)
    except ArithmeticError as exc:
        raise _unit_of(graph, pop, "total", exc) from None
    pop.names["total"] = total.values
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
    who = pop.units[0] if pop.n == 1 else f"one of {pop.n} units"  # only the scope as a whole fails
    return EvaluationError(who, node_id, str(exc))


def _leaf(graph: GroupGraph, pop: Population, node: GraphNode, columns: dict[str, NodeColumn]) -> NodeColumn:
    leaf = node.leaf
    col = new_column(pop, leaf.max)
    rows = list(range(pop.n))
    if "applies" in node.exprs:
        rows, applies = read(pop, node, "applies", rows, None)
        if not all(applies):
            target = f"; its weight {plain(leaf.max or ZERO)} moves to {leaf.transfer_to!r}" if leaf.transfer_to else ""
            for i, applicable in zip(rows, applies):
                if not applicable:
                    col.inapplicable.add(i)
                    col.maxes[i] = ZERO
                    col.note(i, f"not applicable: the unit has no such item{target}")
            rows = [i for i, applicable in zip(rows, applies) if applicable]
    if leaf.shape in ("rank_table", "movement"):
        _cross_unit(pop, node, rows, col)
    else:
        unit_shape(pop, node, rows, col)
    if node.donors:
        _transfer(graph, node, columns, col)
    if not node.within or node.donors:
        _cap(leaf, col)
    if leaf.fill is not None:
        _fill(pop, leaf, col)
    _round(leaf.round, col)
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
            col.note(i, f"weight {plain(extra)} of {', '.join(moved)} moved here" + (
                f": {plain(before)} × {plain(new_max)} / {plain(leaf.max)} = {plain(col.values[i])}"
                if leaf.transfer == "rescale" else " and credited in full"))


def _cap(leaf: Leaf, col: NodeColumn) -> None:
    values = col.values
    if (leaf.max is None or max(values) <= leaf.max) and (leaf.min is None or min(values) >= leaf.min):
        return  # nothing to cap (the usual case, checked in C)
    for i, value in enumerate(values):
        if i in col.inapplicable or i in col.missing:
            continue
        capped = clamp(value, leaf.min, col.maxes.get(i, leaf.max))
        if capped != value:
            if col.notes is not None:
                col.note(i, f"{plain(value)} {'capped at' if capped < value else 'floored at'} {plain(capped)}")
            values[i] = capped


def _round(rounding: Rounding | None, col: NodeColumn) -> None:
    if rounding is None:
        return
    after_rounding = rounded(col.values, rounding.places, rounding.mode)
    if col.notes is not None:
        for i, (before, after) in enumerate(zip(col.values, after_rounding)):
            if before != after:
                col.note(i, f"{plain(before)} rounded ({rounding.mode}, {rounding.places} places) to {plain(after)}")
    col.values = after_rounding


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
                col.note(i, f"filled with the average of {len(peers)} peer(s): {plain(col.values[i])}")
            else:
                col.values[i] = spec.when_none
                col.note(i, f"no peer has a value: {plain(spec.when_none)}")
    col.missing.clear()


def _cross_unit(pop: Population, node: GraphNode, applicable: list[int], col: NodeColumn) -> None:
    leaf = node.leaf
    spec = leaf.rank_table or leaf.movement
    assert spec is not None
    for members in scopes(pop.sequences, applicable, spec.scope).values():
        if leaf.rank_table is not None:
            _rank_points(pop, node, col, members)
        else:
            _movement(pop, node, col, members)


def _numbers(pop: Population, node: GraphNode, role: str, col: NodeColumn | None, members: list[int]
             ) -> dict[int, Decimal]:
    rows, values = read(pop, node, role, members, col, fillable=node.leaf.fill is not None)
    return dict(zip(rows, pop.numbers(values, rows, role, node.id)))


def _rank_points(pop: Population, node: GraphNode, col: NodeColumn, members: list[int]) -> None:
    spec = node.leaf.rank_table
    assert spec is not None
    if spec.by is not None:
        values = _numbers(pop, node, "by", col, members)
        ids = sorted(values)
        ranks = dict(zip(ids, competition_ranks([values[i] for i in ids], spec.order)))
        sharing = tie_counts(ranks)
        tied = {i: sharing[ranks[i]] for i in ids}
    else:
        ranks = {i: int(v) for i, v in _numbers(pop, node, "rank", col, members).items()}
        tied = dict.fromkeys(ranks, 1)
        if "tie_count" in node.exprs:
            tied = {i: int(v) for i, v in _numbers(pop, node, "tie_count", None, list(ranks)).items()}
    explain = col.notes is not None
    for i, rank in ranks.items():
        k = max(tied[i], 1)
        award = spec.map.get(rank, spec.otherwise)
        col.award(i, award.honours, award.flags)
        how = ""
        if k > 1 and spec.ties == "split":
            value = award.points / k
            if spec.split_round is not None:
                value = round_to(value, spec.split_round.places, spec.split_round.mode)
            how = f"{plain(award.points)} ÷ {k} = {plain(value)}" if explain else ""
        elif k > 1 and spec.ties == "average":
            value = sum((spec.map.get(r, spec.otherwise).points for r in range(rank, rank + k)), ZERO) / k
            how = f"average of places {rank}-{rank + k - 1} = {plain(value)}" if explain else ""
        elif k > 1 and spec.ties == "worst":
            value = spec.map.get(rank + k - 1, spec.otherwise).points
            how = f"the worst tied place's points {plain(value)}" if explain else ""
        else:
            value = award.points
            how = plain(value) if explain else ""
        col.values[i] = value
        if explain:
            col.note(i, f"rank {rank}" + (f", tied with {k - 1} other(s)" if k > 1 else "") + f": {how}")
        if col.inputs is not None:
            col.inputs.setdefault(i, {})["rank"] = rank


def _movement(pop: Population, node: GraphNode, col: NodeColumn, members: list[int]) -> None:
    spec = node.leaf.movement
    assert spec is not None
    now = _numbers(pop, node, "now", col, members)
    before = _numbers(pop, node, "before", col, members)
    ids = sorted(set(now) & set(before))
    now_ranks = competition_ranks(list(map(now.__getitem__, ids)), spec.order)
    before_ranks = competition_ranks(list(map(before.__getitem__, ids)), spec.order)
    moved = list(map(sub, before_ranks, now_ranks))
    gained = list(map(mul, map(max, moved, repeat(0)), repeat(spec.per_place)))  # no gain for a fall
    values = clamped(gained, None, spec.max)
    held: set[int] = set()  # first before and first now: hold_first's points instead
    if spec.hold_first:
        held = {k for k in compress(range(len(ids)), map(eq, now_ranks, repeat(1))) if before_ranks[k] == 1}
        values = [spec.hold_first if k in held else value for k, value in enumerate(values)]
    for i, value in zip(ids, values):
        col.values[i] = value
    if col.inputs is not None:
        for i, a, b in zip(ids, before_ranks, now_ranks):
            col.inputs.setdefault(i, {}).update({"rank before": a, "rank now": b})
    for k, (i, a, b) in enumerate(zip(ids, before_ranks, now_ranks)) if col.notes is not None else ():
        if k in held:
            col.note(i, f"held first place: {plain(values[k])}")
            continue
        note = f"rank {a} → {b}: {moved[k]} place(s) up × {plain(spec.per_place)} = {plain(gained[k])}" \
            if moved[k] > 0 else f"rank {a} → {b}: no gain"
        col.note(i, note + (f", capped at {plain(values[k])}" if values[k] is not gained[k] else ""))


def _section(pop: Population, spec: Section, children: list[NodeColumn]) -> NodeColumn:
    col = new_column(pop, spec.max)
    col.values = _sums([c.values for c in children], pop.n)
    if max(col.values, default=ZERO) > spec.max:
        for i, value in enumerate(col.values):
            if value > spec.max:
                col.note(i, f"{plain(value)} capped at {plain(spec.max)}")
                col.values[i] = spec.max
    _round(spec.round, col)
    return col


def _sums(columns: list[list[Decimal]], n: int) -> list[Decimal]:
    """Each unit's sum over ``columns`` (0 for every unit when there are none), in their order."""
    sums = [ZERO] * n
    for column in columns:
        sums = list(map(add, sums, column))  # column by column: the additions run in C
    return sums


def _block(pop: Population, spec: Block, children: list[NodeColumn]) -> NodeColumn:
    """加分/扣分: bonuses and deductions summed apart, each side capped, the net limited."""
    col = new_column(pop, spec.max)
    bonus = [ZERO] * pop.n
    deduction = [ZERO] * pop.n
    for child in children:
        values = child.values
        for i in compress(range(pop.n), values):  # the units that earned something (found in C)
            if values[i] > ZERO:
                bonus[i] += values[i]
            else:
                deduction[i] += values[i]
    floor = None if spec.deduction_cap is None else -spec.deduction_cap
    up = clamped(bonus, None, spec.bonus_cap)
    down = clamped(deduction, floor, None)
    if all(adds_as_itself(cap) for cap in (spec.bonus_cap, floor) if cap is not None):
        # a side is 0 for most units: the other side is the net, digit for digit (each is a sum, 0, or a cap
        # written plainly), so no new object is made
        nets = [down_i if up_i is ZERO else up_i if down_i is ZERO else up_i + down_i
                for up_i, down_i in zip(up, down)]
    else:
        nets = list(map(add, up, down))
    col.values = clamped(nets, spec.min, spec.max)
    if col.notes is not None and not (up is bonus and down is deduction and col.values is nets):
        for i in range(pop.n):
            if up[i] != bonus[i]:
                col.note(i, f"bonuses {plain(bonus[i])} capped at {plain(up[i])}")
            if down[i] != deduction[i]:
                col.note(i, f"deductions {plain(deduction[i])} limited to -{plain(spec.deduction_cap or ZERO)}")
            if col.values[i] != nets[i]:
                col.note(i, f"net {plain(nets[i])} limited to {plain(col.values[i])}")
    _round(spec.round, col)
    return col


def _total(graph: GroupGraph, pop: Population, columns: dict[str, NodeColumn]) -> NodeColumn:
    group = graph.group
    col = new_column(pop, group.max)
    sections = _sums([columns[s].values for s in graph.top], pop.n)
    adjustments = columns[group.adjustments.id].values if group.adjustments else [ZERO] * pop.n
    expr = graph.total
    if expr is None:
        col.values = [s + a for s, a in zip(sections, adjustments)]
        if col.notes is not None:
            for i, (s, a) in enumerate(zip(sections, adjustments)):
                col.note(i, f"sections {plain(s)} + adjustments {plain(a)}")
    else:
        pop.names["sections"], pop.names["adjustments"] = sections, adjustments
        col.values = pop.numbers(pop.column(expr, "total"), range(pop.n), "the total", "total")
        if col.inputs is not None:
            for i in range(pop.n):
                col.inputs[i] = {n: pop.names[n][i] for n in sorted(expr.names)}
                col.note(i, f"formula {expr.text}")
    _round(group.total.round, col)
    return col
