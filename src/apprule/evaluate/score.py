"""Score a group's units node by node: each node computes its whole column at once."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable, Sequence

from ..decimals import ZERO, clamp, plain, round_to
from ..errors import EvaluationError
from ..expressions import Runner
from ..facts import UnitFacts
from ..scheme.model import Block, Leaf, Period, Rounding, Section
from .graph import GraphNode, GroupGraph
from .rank import competition_ranks, scopes, tie_counts
from .shapes import Missing, Outcome, number, read, unit_shape

Column = list[Outcome]


def score_group(graph: GroupGraph, units: Sequence[UnitFacts], period: Period
                ) -> tuple[list[dict[str, Any]], dict[str, Column], Column]:
    """Every node's outcome for every unit of the group, and the totals.

    Returns the units' name environments (facts and node values), the columns by node id
    and the total column.
    """
    runner = Runner()
    envs: list[dict[str, Any]] = [dict(u.values) for u in units]
    columns: dict[str, Column] = {}
    for node_id in graph.order:
        node = graph.nodes[node_id]
        column = _node_column(runner, graph, node, units, envs, columns, period)
        columns[node_id] = column
        for env, out in zip(envs, column):
            env[node_id] = out.value
    totals = [_guard(unit, "total", lambda: _total(runner, graph, unit, env, columns, i))
              for i, (unit, env) in enumerate(zip(units, envs))]
    for env, out in zip(envs, totals):
        env["total"] = out.value
    return envs, columns, totals


def _guard(unit: UnitFacts, node: str, work: Callable[[], Outcome]) -> Outcome:
    try:
        return work()
    except Missing as exc:
        raise EvaluationError(unit.unit, node, f"needs {', '.join(exc.names)}, which the unit left empty") from None
    except (ValueError, ArithmeticError) as exc:
        raise EvaluationError(unit.unit, node, str(exc)) from None


def _node_column(runner: Runner, graph: GroupGraph, node: GraphNode, units: Sequence[UnitFacts],
                 envs: list[dict[str, Any]], columns: dict[str, Column], period: Period) -> Column:
    spec = node.spec
    if isinstance(spec, Section):
        return [_guard(unit, node.id, lambda: _section(spec, [columns[c][i] for c in node.children]))
                for i, unit in enumerate(units)]
    if isinstance(spec, Block):
        return [_guard(unit, node.id, lambda: _block(spec, [columns[c][i] for c in node.children]))
                for i, unit in enumerate(units)]
    column: Column = []
    for unit, env in zip(units, envs):
        column.append(_guard(unit, node.id, lambda: _leaf_raw(runner, node, env, period)))
    if spec.shape in ("rank_table", "movement"):
        _cross_unit(runner, node, units, envs, column)
    if node.donors:
        for i, out in enumerate(column):
            _transfer(graph, node, columns, i, out)
    for out in column:
        if not out.missing:
            _cap(spec, out)
    if spec.fill is not None:
        _fill(spec, units, column)
    for out in column:
        _round(spec.round, out)
    return column


def _leaf_raw(runner: Runner, node: GraphNode, env: dict[str, Any], period: Period) -> Outcome:
    leaf = node.spec
    assert isinstance(leaf, Leaf)
    if "applies" in node.exprs and not read(runner, node, "applies", env, Outcome()):
        target = f"; its weight {plain(leaf.max or ZERO)} moves to {leaf.transfer_to!r}" if leaf.transfer_to else ""
        return Outcome(ZERO, ZERO, notes=[f"not applicable: the unit has no such item{target}"], applicable=False)
    if leaf.shape in ("rank_table", "movement"):
        return Outcome(max=leaf.max)  # filled in over the whole scope
    try:
        return unit_shape(runner, node, env, period)
    except Missing as exc:
        if leaf.fill is None:
            raise
        return Outcome(max=leaf.max, missing=True, notes=[f"{', '.join(exc.names)} empty"])


def _transfer(graph: GroupGraph, node: GraphNode, columns: dict[str, Column], i: int, out: Outcome) -> None:
    """没有…任务的单位此权重加到…: the weight of items the unit lacks moves here."""
    leaf = node.spec
    assert isinstance(leaf, Leaf) and leaf.max is not None
    moved = [d for d in node.donors if not columns[d][i].applicable]
    if not moved or not out.applicable:
        return
    extra = sum((graph.nodes[d].spec.max or ZERO for d in moved), ZERO)
    new_max = leaf.max + extra
    names = ", ".join(moved)
    if leaf.transfer == "rescale":
        before = out.value
        out.value = out.value * new_max / leaf.max
        out.notes.append(f"weight {plain(extra)} of {names} moved here: {plain(before)} × "
                         f"{plain(new_max)} / {plain(leaf.max)} = {plain(out.value)}")
    else:
        out.value += extra
        out.notes.append(f"weight {plain(extra)} of {names} moved here and credited in full")
    out.max = new_max


def _cap(leaf: Leaf, out: Outcome) -> None:
    if not out.applicable:
        return
    capped = clamp(out.value, leaf.min, out.max if out.max is not None else leaf.max)
    if capped != out.value:
        bound = "capped at" if capped < out.value else "floored at"
        out.notes.append(f"{plain(out.value)} {bound} {plain(capped)}")
        out.value = capped


def _round(rounding: Rounding | None, out: Outcome) -> None:
    if rounding is None:
        return
    rounded = round_to(out.value, rounding.places, rounding.mode)
    if rounded != out.value:
        out.notes.append(f"{plain(out.value)} rounded ({rounding.mode}, {rounding.places} places) to {plain(rounded)}")
    out.value = rounded


def _fill(leaf: Leaf, units: Sequence[UnitFacts], column: Column) -> None:
    spec = leaf.fill
    assert spec is not None
    for members in scopes(units, range(len(units)), spec.peers).values():
        peers = [column[i].value for i in members if not column[i].missing and column[i].applicable]
        if spec.zeros == "exclude":
            peers = [v for v in peers if v != ZERO]
        for i in members:
            out = column[i]
            if not out.missing:
                continue
            out.missing = False
            if peers:
                out.value = sum(peers, ZERO) / len(peers)
                out.notes.append(f"filled with the average of {len(peers)} peer(s): {plain(out.value)}")
            else:
                out.value = spec.when_none
                out.notes.append(f"no peer has a value: {plain(spec.when_none)}")


def _cross_unit(runner: Runner, node: GraphNode, units: Sequence[UnitFacts], envs: list[dict[str, Any]],
                column: Column) -> None:
    leaf = node.spec
    assert isinstance(leaf, Leaf)
    spec = leaf.rank_table or leaf.movement
    assert spec is not None
    applicable = [i for i in range(len(units)) if column[i].applicable]
    for members in scopes(units, applicable, spec.scope).values():
        if leaf.rank_table is not None:
            _rank_points(runner, node, units, envs, column, members)
        else:
            _movement(runner, node, units, envs, column, members)


def _read_all(runner: Runner, node: GraphNode, role: str, units: Sequence[UnitFacts], envs: list[dict[str, Any]],
              column: Column, members: list[int]) -> dict[int, Decimal]:
    values: dict[int, Decimal] = {}
    for i in members:
        def work(i: int = i) -> Outcome:
            try:
                values[i] = number(read(runner, node, role, envs[i], column[i]), role)
            except Missing as exc:
                if node.leaf.fill is None:
                    raise
                column[i].missing = True
                column[i].notes.append(f"{', '.join(exc.names)} empty")
            return column[i]
        _guard(units[i], node.id, work)
    return values


def _rank_points(runner: Runner, node: GraphNode, units: Sequence[UnitFacts], envs: list[dict[str, Any]],
                 column: Column, members: list[int]) -> None:
    spec = node.leaf.rank_table
    assert spec is not None
    if spec.by is not None:
        values = _read_all(runner, node, "by", units, envs, column, members)
        ids = sorted(values)
        ranks = dict(zip(ids, competition_ranks([values[i] for i in ids], spec.order)))
        sharing = tie_counts(ranks)
        tied = {i: sharing[ranks[i]] for i in ids}
    else:
        ranks = {i: int(v) for i, v in _read_all(runner, node, "rank", units, envs, column, members).items()}
        tied = {}
        for i in ranks:
            count = ZERO + 1
            if "tie_count" in node.exprs:
                count = number(runner.run(node.exprs["tie_count"], envs[i]), "tie_count")
            tied[i] = int(count)
    for i, rank in ranks.items():
        out = column[i]
        k = max(tied[i], 1)
        places = [spec.map.get(r, spec.otherwise).points for r in range(rank, rank + k)]
        award = spec.map.get(rank, spec.otherwise)
        points = award.points
        out.honours += tuple(award.honours)
        out.flags += tuple(award.flags)
        how = f"rank {rank}" + (f", tied with {k - 1} other(s)" if k > 1 else "")
        if k > 1 and spec.ties == "split":
            value = points / k
            if spec.split_round is not None:
                value = round_to(value, spec.split_round.places, spec.split_round.mode)
            out.notes.append(f"{how}: {plain(points)} ÷ {k} = {plain(value)}")
        elif k > 1 and spec.ties == "average":
            value = sum(places, ZERO) / k
            out.notes.append(f"{how}: average of places {rank}-{rank + k - 1} = {plain(value)}")
        elif k > 1 and spec.ties == "worst":
            value = places[-1]
            out.notes.append(f"{how}: the worst tied place's points {plain(value)}")
        else:
            value = points
            out.notes.append(f"{how}: {plain(value)}")
        out.value = value
        out.inputs["rank"] = rank


def _movement(runner: Runner, node: GraphNode, units: Sequence[UnitFacts], envs: list[dict[str, Any]],
              column: Column, members: list[int]) -> None:
    spec = node.leaf.movement
    assert spec is not None
    now = _read_all(runner, node, "now", units, envs, column, members)
    before = _read_all(runner, node, "before", units, envs, column, members)
    ids = sorted(set(now) & set(before))
    now_rank = dict(zip(ids, competition_ranks([now[i] for i in ids], spec.order)))
    before_rank = dict(zip(ids, competition_ranks([before[i] for i in ids], spec.order)))
    for i in ids:
        out = column[i]
        a, b = before_rank[i], now_rank[i]
        out.inputs["rank before"], out.inputs["rank now"] = a, b
        if a == 1 and b == 1 and spec.hold_first:
            out.value = spec.hold_first
            out.notes.append(f"held first place: {plain(spec.hold_first)}")
            continue
        moved = a - b
        value = max(moved, 0) * spec.per_place
        note = f"rank {a} → {b}: {moved} place(s) up × {plain(spec.per_place)} = {plain(value)}" if moved > 0 \
            else f"rank {a} → {b}: no gain"
        if spec.max is not None and value > spec.max:
            note += f", capped at {plain(spec.max)}"
            value = spec.max
        out.value = value
        out.notes.append(note)


def _section(spec: Section, children: list[Outcome]) -> Outcome:
    out = Outcome(sum((c.value for c in children), ZERO), spec.max)
    if out.value > spec.max:
        out.notes.append(f"{plain(out.value)} capped at {plain(spec.max)}")
        out.value = spec.max
    _round(spec.round, out)
    return out


def _block(spec: Block, children: list[Outcome]) -> Outcome:
    bonus = sum((c.value for c in children if c.value > ZERO), ZERO)
    deduction = sum((c.value for c in children if c.value < ZERO), ZERO)
    out = Outcome(max=spec.max)
    if spec.bonus_cap is not None and bonus > spec.bonus_cap:
        out.notes.append(f"bonuses {plain(bonus)} capped at {plain(spec.bonus_cap)}")
        bonus = spec.bonus_cap
    if spec.deduction_cap is not None and -deduction > spec.deduction_cap:
        out.notes.append(f"deductions {plain(deduction)} limited to -{plain(spec.deduction_cap)}")
        deduction = -spec.deduction_cap
    net = bonus + deduction
    out.value = clamp(net, spec.min, spec.max)
    if out.value != net:
        out.notes.append(f"net {plain(net)} limited to {plain(out.value)}")
    _round(spec.round, out)
    return out


def _total(runner: Runner, graph: GroupGraph, unit: UnitFacts, env: dict[str, Any], columns: dict[str, Column],
           i: int) -> Outcome:
    group = graph.group
    sections = sum((columns[s][i].value for s in graph.top), ZERO)
    adjustments = columns[group.adjustments.id][i].value if group.adjustments else ZERO
    out = Outcome(max=group.max)
    if graph.total is None:
        out.value = sections + adjustments
        out.notes.append(f"sections {plain(sections)} + adjustments {plain(adjustments)}")
    else:
        names = {**env, "sections": sections, "adjustments": adjustments}
        expr = graph.total

        def work() -> Outcome:
            out.value = number(runner.run(expr, names), "the total")
            return out
        _guard(unit, "total", work)
        out.inputs.update({n: names[n] for n in sorted(expr.names)})
        out.notes.append(f"formula {expr.text}")
    _round(group.total.round, out)
    return out
