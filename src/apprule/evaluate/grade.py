"""Grades within a scope: conditions, quotas with declared rounding, grants, and veto effects."""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from itertools import compress, count, filterfalse
from typing import Any, NamedTuple, Sequence

from ..decimals import CONTEXT, ZERO, plain
from ..expressions import Expression, RowError, Runner, evaluate_column
from ..results import Note
from ..scheme.model import Grades, Veto
from .graph import GroupGraph
from .population import Population
from .rank import places_below

_ROUNDING = {"floor": ROUND_FLOOR, "ceil": ROUND_CEILING, "half_up": ROUND_HALF_UP}


class GradeDecision(NamedTuple):
    """The grade of one unit, the steps that decided it (when explaining), and its place in the published order."""

    grade: str | None
    notes: Sequence[str | Note] = ()
    demoted: bool = False
    position: int = 0


def quota_counts(grades: Grades, n: int, present: set[str | None] | None = None) -> tuple[dict[int, int], list[str]]:
    """Places per quota rule for a scope of ``n`` units, and how each count was formed.

    Rules limited to sequences none of which is ``present`` in the scope take no part.
    """
    rules = [(r, rule.quota) for r, rule in enumerate(grades.rules) if rule.quota is not None
             and (present is None or rule.sequences is None or present & set(rule.sequences))]
    mode = _ROUNDING[grades.rounding]
    counts: dict[int, int] = {}
    notes: list[str] = []
    exact: dict[int, Decimal] = {r: Decimal(q.count) if q.count is not None else (q.share or ZERO) * n
                                 for r, q in rules}
    if grades.quota_counts == "largest_remainder":
        floors = {r: int(exact[r].to_integral_value(ROUND_FLOOR)) for r in exact}
        shares = sum((q.share for _, q in rules if q.share is not None), ZERO)
        target = min(n, int((shares * n).to_integral_value(mode, CONTEXT)) + sum(
            q.count for _, q in rules if q.count is not None))
        left = max(target - sum(floors.values()), 0)
        by_remainder = sorted(exact, key=lambda r: (-(exact[r] - floors[r]), r))
        counts = dict(floors)
        for r in by_remainder[:left]:
            counts[r] += 1
        for r in exact:
            notes.append(f"{grades.rules[r].grade}: {plain(exact[r])} → {counts[r]} (largest remainder)")
        return counts, notes
    cumulative = ZERO
    given = 0
    for r, quota in rules:
        if grades.quota_counts == "cumulative":
            cumulative += exact[r]
            reach = int(cumulative.to_integral_value(mode, CONTEXT))
            counts[r] = max(reach - given, 0)
            given += counts[r]
            notes.append(f"{grades.rules[r].grade}: cumulative {plain(cumulative)} → {reach}, so {counts[r]} "
                         f"({grades.rounding})")
        else:
            counts[r] = int(exact[r].to_integral_value(mode, CONTEXT))
            what = f"{plain(quota.share * 100)}% of {n} = {plain(exact[r])}" if quota.share is not None else \
                f"{quota.count}"
            notes.append(f"{grades.rules[r].grade}: {what} → {counts[r]} ({grades.rounding})")
    return counts, notes


def assign_grades(pop: Population, graph: GroupGraph, members: list[int], ranks: dict[int, int],
                  vetoes: dict[int, list[Veto]]) -> dict[int, GradeDecision]:
    """Grade the ``members`` of one scope (unit positions), applying the vetoes given."""
    names, sequences = pop.units, pop.sequences
    grades = graph.group.grades
    assert grades is not None
    levels = grades.levels
    index = {g: i for i, g in enumerate(levels)}
    explain = pop.explain  # the notes are read only by an explanation: written only then
    notes: dict[int, list[str]] = defaultdict(list)
    unranked = len(members) + 1
    by_rank = [ranks.get(i, unranked) for i in members]
    # by rank, then name: the members come in position order, which is name order, and sorting is stable
    order = [members[k] for k in sorted(range(len(members)), key=by_rank.__getitem__)]
    barred: dict[str, set[int]] = {g: set() for g in levels}  # grade → the units a veto bars from it
    for i in filter(vetoes.__contains__, members) if vetoes else ():
        out: set[str] = set()
        for veto in vetoes[i]:
            bars = set(veto.effects.bar)
            if veto.effects.cap is not None:  # a cap bars every grade above it
                bars.update(levels[:index[veto.effects.cap]])
            if explain and not bars <= out:
                notes[i].append(f"{veto.label}: not eligible for {', '.join(g for g in levels if g in bars)}")
            out |= bars
        for level in out:
            barred[level].add(i)

    def may(i: int, grade: str) -> bool:
        return i not in barred[grade]

    # 排名靠后的1个: grade conditions may also read the scope's size and the place counted from the bottom
    below = places_below({i: ranks[i] for i in members if i in ranks})
    size = Decimal(len(members))
    scope_size, rank_from_bottom = pop.names["scope_size"], pop.names["rank_from_bottom"]
    for i in members:
        scope_size[i] = size
        rank_from_bottom[i] = 1 + below[ranks[i]] if i in ranks else None
    answers: dict[int, dict[int, Any] | None] = {}  # condition → its value for every member, when all could be computed

    def passing(expr_index: int, tests: dict[int, Expression], units: list[int]) -> list[bool]:
        """Whether each of ``units`` meets the condition (a unit is asked alone only when the column fails)."""
        expr = tests.get(expr_index)
        if expr is None:
            return [True] * len(units)
        if id(expr) not in answers:
            try:
                answers[id(expr)] = dict(zip(members, evaluate_column(expr, pop.names, pop.n, members)))
            except RowError:  # some unit cannot answer: ask each unit when (and only if) it comes to it
                answers[id(expr)] = None
        found = answers[id(expr)]
        if found is not None:
            return list(map(bool, map(found.__getitem__, units)))
        return [bool(Runner().run_for(expr, pop.row(i), names[i], "grades")) for i in units]

    counts, count_notes = quota_counts(grades, len(members), {sequences[i] for i in members})
    head = f"scope of {len(members)} unit(s); quotas: " + "; ".join(count_notes) if count_notes else \
        f"scope of {len(members)} unit(s)"
    for i in members if explain else ():
        notes[i].append(head + (f"; rank {ranks[i]}" if i in ranks else "; unranked"))

    graded: dict[int, str] = {}
    for g, grant in enumerate(grades.grants):
        if not grant.uses_quota:
            continue
        pool = list(filterfalse(graded.__contains__, order))
        for i in compress(pool, passing(g, graph.grant_tests, pool)):
            if not (grant.over_bars or may(i, grant.grade)):
                continue
            place = next((r for r, rule in enumerate(grades.rules) if rule.grade == grant.grade and r in counts),
                         None)
            if place is not None:
                counts[place] -= 1
            graded[i] = grant.grade
            if explain:
                notes[i].append(f"{grant.label}: granted {grant.grade}" + (
                    ", using a quota place" if place is not None else ""))

    carry = 0
    for r, rule in enumerate(grades.rules):
        pool = list(filterfalse(graded.__contains__, order))
        if rule.sequences is not None:
            pool = [i for i in pool if sequences[i] in rule.sequences]
        barred_here = barred[rule.grade]
        eligible = list(filterfalse(barred_here.__contains__, pool)) if barred_here else pool
        candidates = list(compress(eligible, passing(r, graph.grade_tests, eligible)))
        # candidates and the units a veto bars from this grade, in rank order
        met = set(candidates)
        in_line = [i for i in pool if i in met or i in barred_here] if barred_here else candidates
        if explain and len(candidates) < len(eligible):
            for i in eligible:
                if i not in met:
                    notes[i].append(f"{rule.grade}: condition {graph.grade_tests[r].text} not met")
        if r not in counts:
            for i in candidates:
                graded[i] = rule.grade
                if explain:
                    notes[i].append(f"{rule.grade}: " + ("condition met" if r in graph.grade_tests
                                                         else "every unit left"))
            continue
        places = max(counts[r] + carry, 0)  # grants may already have used every place
        if grades.barred_places == "forfeit":  # a barred unit's place is lost, not passed down
            lost = [i for i in in_line[:places] if i not in met]
            for i in lost if explain else ():
                notes[i].append(f"{rule.grade}: barred; its place within the quota is forfeited")
            places -= len(lost)
        taken = candidates[:places]
        if 0 < places < len(candidates) and ranks.get(candidates[places - 1]) == ranks.get(candidates[places]):
            boundary = ranks.get(candidates[places])
            tied = [i for i in candidates if ranks.get(i) == boundary]
            if grades.boundary_ties == "include":
                taken = [i for i in candidates if ranks.get(i, 0) <= (boundary or 0)]
            else:
                taken = [i for i in taken if i not in tied]
            for i in tied if explain else ():
                notes[i].append(f"{rule.grade}: {len(tied)} units tied at rank {boundary} straddle the "
                                f"{places}-place quota: all {grades.boundary_ties}d")
        for n, i in enumerate(taken, 1):
            graded[i] = rule.grade
            if explain:
                notes[i].append(f"{rule.grade}: place {n} of {places}")
        for i in candidates if explain else ():
            if i not in graded:
                notes[i].append(f"{rule.grade}: outside the {places}-place quota")
        carry = max(places - len(taken), 0) if grades.unused_places == "roll_down" else 0

    for g, grant in enumerate(grades.grants):
        if grant.uses_quota:
            continue
        pool = list(filter(graded.__contains__, order))
        for i in compress(pool, passing(g, graph.grant_tests, pool)):
            current = graded[i]
            if grant.from_ is not None and current not in grant.from_:
                continue
            if index[grant.grade] >= index[current] or not (grant.over_bars or may(i, grant.grade)):
                continue
            graded[i] = grant.grade
            if explain:
                notes[i].append(f"{grant.label}: {current} → {grant.grade} outside the quota")

    final: dict[int, str | None] = dict(zip(members, map(graded.get, members)))
    demoted: set[int] = set()
    for i in filter(vetoes.__contains__, members) if vetoes else ():
        for veto in vetoes[i]:
            if veto.effects.force is not None:
                if explain:
                    notes[i].append(f"{veto.label}: grade forced to {veto.effects.force}")
                final[i] = veto.effects.force
        for veto in vetoes[i]:
            grade = final[i]
            if veto.effects.demote and grade is not None:
                lower = levels[min(index[grade] + veto.effects.demote, len(levels) - 1)]
                if explain:
                    notes[i].append(f"{veto.label}: demoted {grade} → {lower}, placed at its bottom")
                final[i] = lower
                demoted.add(i)
    for i in members if explain else ():
        if final[i] is None:
            notes[i].append("no grade: barred from every grade it could take")
    # the published order: by grade, a demoted unit at the bottom of its new grade, then by rank
    keys = [2 * index.get(final[i] or "", len(levels)) + (i in demoted) for i in order]
    published = map(order.__getitem__, sorted(range(len(order)), key=keys.__getitem__))  # stable: by rank, name
    position = dict(zip(published, count(1)))
    return {i: GradeDecision(final[i], notes.get(i, ()), i in demoted, position[i]) for i in members}
