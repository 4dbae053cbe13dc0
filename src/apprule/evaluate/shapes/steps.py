"""`steps`: points for each whole step above or below a target (每超额完成5%加5分, 距目标每差5%减5分)."""

from __future__ import annotations

from decimal import Decimal
from itertools import compress, repeat
from operator import gt, lt, mul, sub, truediv
from typing import TYPE_CHECKING, Literal, cast

import numpy as np
from pydantic import Field

from ...decimals import CONTEXT, ONE, ZERO, whole_steps
from ...errors import EvaluationError
from ...scheme.model import Expr, Model, WholeSteps
from ..fixed import Numbers, looked_up, step_counts
from . import NodeColumn, Role, Shape, read_numbers, register
from ...i18n import N_, _

if TYPE_CHECKING:
    from ...scheme.model import Leaf, SchemeDefinition
    from ...testing.edges import Edges
    from ..graph import GraphNode
    from ..population import Population

_SMALL_STEPS = 4  # how many steps either side of a fixed target to offer as edges


class Step(Model):
    """每超额完成5%加5分: every `size` of distance earns `points`; `whole` says how partial steps count."""

    size: Decimal = Field(gt=0)
    points: Decimal
    whole: WholeSteps = "floor"


class Steps(Model):
    """Steps over and under a target, measured as a ratio (actual/target - 1) or a difference."""

    of: Expr
    target: Expr
    measure: Literal["ratio", "difference"] = "ratio"
    over: Step | None = None
    under: Step | None = None


def roles(spec: Steps) -> list[Role]:
    return [("of", spec.of, ("of",)), ("target", spec.target, ("target",))]


def kernel(pop: Population, node: GraphNode, rows: list[int], col: NodeColumn) -> None:
    if len(rows) == pop.n and not col.explains and _fixed_point(pop, node, col):
        return
    _decimal(pop, node, rows, col)


def _fixed_point(pop: Population, node: GraphNode, col: NodeColumn) -> bool:
    """The decimal kernel's values, on facts given as integers (``Numbers``): the counts by ``step_counts``, the
    points for each distinct count made as the decimal kernel makes them, and the few units whose count it
    writes with an exponent by the decimal kernel itself. False where the integers do not fit (then the decimal
    kernel does all)."""
    spec = cast(Steps, node.leaf.spec)
    x, target = (pop.names.get(node.exprs[role].bare_name or "") for role in ("of", "target"))
    if not isinstance(x, Numbers) or not isinstance(target, Numbers):
        return False
    made: list[Decimal] = [ZERO]  # the column's starting 0, kept by units no step applies to
    where = np.zeros(pop.n, np.int64)
    doubtful = np.zeros(pop.n, bool)
    for step, over in ((spec.over, True), (spec.under, False)):
        if step is None:
            continue
        found = step_counts(x.fixed, target.fixed, spec.measure == "ratio", step.size, step.whole, over)
        if found is None:
            return False
        beyond, counts, doubt = found
        distinct, at = np.unique(counts[beyond], return_inverse=True)
        where[beyond] = len(made) + at.ravel()
        made += [CONTEXT.multiply(Decimal(c), step.points) for c in distinct.tolist()]
        doubtful |= doubt
    col.values = looked_up(made, where)
    if doubtful.any():
        _decimal(pop, node, np.flatnonzero(doubtful).tolist(), col)
        col.changed()  # the fixed point the values were read from is stale
    return True


def _decimal(pop: Population, node: GraphNode, rows: list[int], col: NodeColumn) -> None:
    spec = cast(Steps, node.leaf.spec)
    rows, actuals = read_numbers(pop, node, "of", rows, col, N_("the actual value"))
    rows_t, targets = read_numbers(pop, node, "target", rows, col, N_("the target"))
    if len(rows_t) != len(rows):  # some targets were empty (and will be filled): keep the rows with both
        by_row = dict(zip(rows, actuals))
        rows, actuals = rows_t, [by_row[i] for i in rows_t]
    ratio = spec.measure == "ratio"
    if ratio and not all(targets):  # a Decimal zero is false
        i = rows[targets.index(ZERO)]
        raise EvaluationError(pop.units[i], node.id, _("the target is 0, so no ratio can be formed"))
    distances = list(map(sub, map(truediv, actuals, targets), repeat(ONE))) if ratio else \
        list(map(sub, actuals, targets))
    counted: dict[int, Decimal] = {}  # for the notes: the units a step applies to (positions in rows) → whole steps
    for step, beyond in ((spec.over, gt), (spec.under, lt)):  # over at or above the target, under below
        if step is not None:
            ks = list(compress(range(len(rows)), map(beyond, distances, repeat(ZERO))))
            counts = whole_steps(map(truediv, map(abs, map(distances.__getitem__, ks)), repeat(step.size)), step.whole)
            for i, points in zip(map(rows.__getitem__, ks), map(mul, counts, repeat(step.points))):
                col.values[i] = points
            if col.explains:
                counted.update(zip(ks, counts))
    for k, (i, actual, target, distance) in enumerate(zip(rows, actuals, targets, distances)) if col.explains else ():
        step = spec.over if distance >= ZERO else spec.under
        applies = step is not None and k in counted
        col.note(i, "steps", actual=actual, target=target, ratio=ratio, distance=distance,
                 count=counted[k] if applies else None, size=step.size if applies and step else None,
                 points=step.points if applies and step else None)


def edges_of(scheme: SchemeDefinition, leaf: Leaf, edges: Edges) -> None:
    """Over two facts, a joint edge (`of` exactly on a step boundary of `target`); over a fixed target, the
    boundaries of a few steps either side."""
    from ...testing.edges import StepEdge, bare

    spec = cast(Steps, leaf.spec)
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


register(Shape("steps", roles, kernel, model=Steps, description="按档计分 (每超额/每差…)", edges=edges_of))
