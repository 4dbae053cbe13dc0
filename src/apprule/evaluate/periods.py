"""Periods feeding a longer one: monthly results weighted into the year (荥阳 按权重核分)."""

from __future__ import annotations

from decimal import Decimal
from typing import Mapping

from ..decimals import ZERO, plain, round_to
from ..errors import AppruleError
from ..results import Evaluation, PeriodPart, PeriodTotal
from ..scheme.model import Aggregate
from .rank import competition_ranks
from ..i18n import _


class PeriodError(AppruleError):
    """The periods given do not fit the scheme's `aggregate` (unknown period, no weight)."""

    code = "period-error"


def aggregate_periods(spec: Aggregate, evaluations: Mapping[str, Evaluation]) -> dict[str, PeriodTotal]:
    """Every unit's weighted total over the ``evaluations`` (period name → evaluation)."""
    if spec.weights is not None:
        unknown = sorted(set(evaluations) - set(spec.weights))
        if unknown:
            raise PeriodError(_("no weight for period(s) {unknown}; `aggregate.weights` names {weights}",
                                unknown=', '.join(unknown), weights=', '.join(spec.weights)))
    weights = {p: (spec.weights[p] if spec.weights is not None else Decimal(1)) for p in sorted(evaluations)}
    units = sorted({(r.group, u) for ev in evaluations.values() for u, r in ev.items()})
    totals: dict[str, PeriodTotal] = {}
    for group, unit in units:
        parts: list[PeriodPart] = []
        for period, weight in weights.items():
            result = evaluations[period].get(unit)
            if result is None:
                if spec.missing == "zero":
                    parts.append(PeriodPart(period, ZERO, weight, _("no result: counted as 0")))
                continue
            if result.group_ranked and result.rank is None and spec.unranked != "score":
                if spec.unranked == "zero":
                    parts.append(PeriodPart(period, ZERO, weight, _("removed from the ranking: counted as 0")))
                continue
            parts.append(PeriodPart(period, result.total, weight, None))
        try:  # the weights are bounded at load; a period's total may still be as large as a formula made it
            weighted = sum((p.value * p.weight for p in parts), ZERO)
            weight_sum = sum((p.weight for p in parts), ZERO)
            total = weighted / weight_sum if weight_sum and spec.method == "weighted_mean" else \
                ZERO if spec.method == "weighted_mean" else weighted
            if spec.round is not None:
                total = round_to(total, spec.round.places, spec.round.mode)
        except ArithmeticError as exc:
            raise PeriodError(_("unit {unit!r}: its weighted total over the periods cannot be computed ({kind})",
                                unit=unit, kind=type(exc).__name__)) from None
        how = f"Σ value × weight / Σ weight = {plain(weighted)} / {plain(weight_sum)}" \
            if spec.method == "weighted_mean" else f"Σ value × weight = {plain(weighted)}"
        totals[unit] = PeriodTotal(unit, group, total, None, tuple(parts), how)
    for group in {g for g, _ in units}:
        members = [u for g, u in units if g == group]
        for unit, rank in zip(members, competition_ranks([totals[u].total for u in members])):
            totals[unit] = totals[unit]._replace(rank=rank)
    return totals
