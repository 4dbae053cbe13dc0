"""Grades within a scope: one function per grading policy, run in the order of one table (``POLICIES``).

Each policy is a step of docs/dsl/ranking.md "How grades are assigned": it reads and changes a ``GradeScope``
(the units of one scope in rank order, the grades given so far, the quota places left, the units
each grade is barred to) and, only when an explanation is asked for, records what it did as ``Note``
records (the words are ``apprule.explain.note_text``'s). A new policy is one function and one line
in ``POLICIES``; a new way to count quota places is one function and one line in ``QUOTA_COUNTS``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from itertools import compress, count, filterfalse
from typing import Any, Callable, NamedTuple, Sequence

from ..decimals import CONTEXT, ZERO
from ..expressions import Expression, RowError, Runner, evaluate_column
from ..results import Note, Outcome
from ..scheme.model import Grant, GradeRule, Grades, Quota, Veto
from .graph import GroupGraph
from .population import Population
from .rank import places_below

_ROUNDING = {"floor": ROUND_FLOOR, "ceil": ROUND_CEILING, "half_up": ROUND_HALF_UP}


class GradeDecision(NamedTuple):
    """The grade of one unit, the steps that decided it (when explaining), and its place in the published order."""

    grade: str | None
    notes: Sequence[Note] = ()
    demoted: bool = False
    position: int = 0
    #: the grants and demotions that decided it, as records (always kept: a program reads them)
    outcomes: Sequence[Outcome] = ()


# --- quota counts: share quotas become places --------------------------------------------------------

#: quota rule index → its quota, for the scope of n units: the places of each, and how each was counted
QuotaCounting = Callable[[Grades, dict[int, Quota], int], tuple[dict[int, int], list[Note]]]


def _exact(quota: Quota, n: int) -> Decimal:
    return Decimal(quota.count) if quota.count is not None else (quota.share or ZERO) * n


def count_each(grades: Grades, quotas: dict[int, Quota], n: int) -> tuple[dict[int, int], list[Note]]:
    """`each`: every quota separately, R(share × n); a count as it is."""
    mode = _ROUNDING[grades.rounding]
    counts: dict[int, int] = {}
    notes: list[Note] = []
    for r, quota in quotas.items():
        exact = _exact(quota, n)
        counts[r] = int(exact.to_integral_value(mode, CONTEXT))
        notes.append(Note("quota_count", {
            "grade": grades.rules[r].grade, "count": quota.count, "n": n, "exact": exact, "places": counts[r],
            "percent": quota.share * 100 if quota.share is not None else None, "rounding": grades.rounding}))
    return counts, notes


def count_cumulative(grades: Grades, quotas: dict[int, Quota], n: int) -> tuple[dict[int, int], list[Note]]:
    """`cumulative`: the k-th quota gets R((s1 + … + sk) × n) less the places given before it."""
    mode = _ROUNDING[grades.rounding]
    counts: dict[int, int] = {}
    notes: list[Note] = []
    cumulative = ZERO
    given = 0
    for r, quota in quotas.items():
        cumulative += _exact(quota, n)
        reach = int(cumulative.to_integral_value(mode, CONTEXT))
        counts[r] = max(reach - given, 0)
        given += counts[r]
        notes.append(Note("quota_cumulative", {"grade": grades.rules[r].grade, "cumulative": cumulative,
                                               "reach": reach, "places": counts[r], "rounding": grades.rounding}))
    return counts, notes


def count_largest_remainder(grades: Grades, quotas: dict[int, Quota], n: int) -> tuple[dict[int, int], list[Note]]:
    """`largest_remainder`: floor(share × n) each, then the places up to R(Σ shares × n) + Σ counts (at most n)
    one each to the largest remainders."""
    exact = {r: _exact(quota, n) for r, quota in quotas.items()}
    counts = {r: int(exact[r].to_integral_value(ROUND_FLOOR)) for r in exact}
    shares = sum((q.share for q in quotas.values() if q.share is not None), ZERO)
    target = min(n, int((shares * n).to_integral_value(_ROUNDING[grades.rounding], CONTEXT)) + sum(
        q.count for q in quotas.values() if q.count is not None))
    left = max(target - sum(counts.values()), 0)
    for r in sorted(exact, key=lambda r: (-(exact[r] - counts[r]), r))[:left]:
        counts[r] += 1
    return counts, [Note("quota_largest_remainder", {"grade": grades.rules[r].grade, "exact": exact[r],
                                                     "places": counts[r]}) for r in exact]


QUOTA_COUNTS: dict[str, QuotaCounting] = {
    "each": count_each,
    "cumulative": count_cumulative,
    "largest_remainder": count_largest_remainder,
}


def quota_counts(grades: Grades, n: int, present: set[str | None] | None = None) -> tuple[dict[int, int], list[Note]]:
    """Places per quota rule for a scope of ``n`` units, and how each count was formed.

    Rules limited to sequences none of which is ``present`` in the scope take no part.
    """
    quotas = {r: rule.quota for r, rule in enumerate(grades.rules) if rule.quota is not None
              and (present is None or rule.sequences is None or present & set(rule.sequences))}
    return QUOTA_COUNTS[grades.quota_counts](grades, quotas, n)


# --- one grading scope, as the policies see it -------------------------------------------------------

@dataclass(eq=False)
class GradeScope:
    """The units of one grading scope and what has been decided about them so far."""

    pop: Population
    graph: GroupGraph
    grades: Grades
    members: list[int]  # unit positions, in name order
    ranks: dict[int, int]  # the ranked units' ranks
    vetoes: dict[int, list[Veto]]  # the vetoes that apply, by unit
    order: list[int]  # the members by rank (the unranked last), then name
    index: dict[str, int]  # grade → its place among the levels, best first
    explain: bool  # the notes are read only by an explanation: recorded only then
    barred: dict[str, set[int]] = field(default_factory=dict)  # grade → the units a veto bars from it
    counts: dict[int, int] = field(default_factory=dict)  # quota rule → the places it has left
    graded: dict[int, str] = field(default_factory=dict)  # unit → its grade so far
    demoted: set[int] = field(default_factory=set)
    notes: defaultdict[int, list[Note]] = field(default_factory=lambda: defaultdict(list))
    outcomes: defaultdict[int, list[Outcome]] = field(default_factory=lambda: defaultdict(list))
    answers: dict[int, dict[int, Any] | None] = field(default_factory=dict)  # a condition's value per member

    def note(self, i: int, kind: str, **values: Any) -> None:
        """Record one step of unit ``i``'s grade (call only when ``explain``)."""
        self.notes[i].append(Note(kind, values))

    def vetoed(self) -> list[int]:
        """The members a veto applies to, in name order."""
        return list(filter(self.vetoes.__contains__, self.members)) if self.vetoes else []

    def may(self, i: int, grade: str) -> bool:
        return i not in self.barred[grade]

    def ungraded(self) -> list[int]:
        """The members not graded yet, in rank order."""
        return list(filterfalse(self.graded.__contains__, self.order))

    def passing(self, expr_index: int, tests: dict[int, Expression], units: list[int]) -> list[bool]:
        """Whether each of ``units`` meets the condition (a unit is asked alone only when the column fails)."""
        expr = tests.get(expr_index)
        if expr is None:
            return [True] * len(units)
        pop = self.pop
        if id(expr) not in self.answers:
            try:
                self.answers[id(expr)] = dict(zip(self.members, evaluate_column(expr, pop.names, pop.n,
                                                                                self.members)))
            except RowError:  # some unit cannot answer: ask each unit when (and only if) it comes to it
                self.answers[id(expr)] = None
        found = self.answers[id(expr)]
        if found is not None:
            return list(map(bool, map(found.__getitem__, units)))
        return [bool(Runner().run_for(expr, pop.row(i), pop.units[i], "grades")) for i in units]


# --- the policies, in the order they run -------------------------------------------------------------

def bar_and_cap(s: GradeScope) -> None:
    """Veto bars: a unit may not take a `bar`red grade nor, with `cap: g`, any grade better than g."""
    levels = s.grades.levels
    s.barred = {g: set() for g in levels}
    for i in s.vetoed():
        out: set[str] = set()
        for veto in s.vetoes[i]:
            bars = set(veto.effects.bar)
            if veto.effects.cap is not None:  # a cap bars every grade above it
                bars.update(levels[:s.index[veto.effects.cap]])
            if s.explain and not bars <= out:
                s.note(i, "barred", veto=veto.label, grades=tuple(g for g in levels if g in bars))
            out |= bars
        for level in out:
            s.barred[level].add(i)


def count_quotas(s: GradeScope) -> None:
    """Quota places are counted for the scope's size (only the rules of the sequences present take part)."""
    s.counts, counted = quota_counts(s.grades, len(s.members), {s.pop.sequences[i] for i in s.members})
    for i in s.members if s.explain else ():
        s.note(i, "grade_scope", units=len(s.members), quotas=tuple(counted), rank=s.ranks.get(i))


def grant_using_quota(s: GradeScope) -> None:
    """Grants with `uses_quota`, in rank order: the grade, and a place of its first quota rule used up."""
    rules = s.grades.rules
    for g, grant in enumerate(s.grades.grants):
        if not grant.uses_quota:
            continue
        pool = s.ungraded()
        for i in compress(pool, s.passing(g, s.graph.grant_tests, pool)):
            if not (grant.over_bars or s.may(i, grant.grade)):
                continue
            place = next((r for r, rule in enumerate(rules) if rule.grade == grant.grade and r in s.counts), None)
            in_quota = place is not None and s.counts[place] > 0  # grants past the places are outside the quota
            if place is not None:
                s.counts[place] -= 1
            s.graded[i] = grant.grade
            s.outcomes[i].append(_granted(grant, g, None, in_quota))
            if s.explain:
                s.note(i, "granted", grant=grant.label, grade=grant.grade, place=in_quota)


def grade_by_rules(s: GradeScope) -> None:
    """The rules in order over the units left in rank order: a condition grades all it admits, a quota
    its first places (ties at the last place all in or all out); unused places may roll down."""
    carry = 0
    for r, rule in enumerate(s.grades.rules):
        candidates, in_line = _candidates(s, r, rule)
        if r not in s.counts:
            for i in candidates:
                s.graded[i] = rule.grade
                if s.explain:
                    s.note(i, "condition_met" if r in s.graph.grade_tests else "every_unit_left", grade=rule.grade)
            continue
        places = max(s.counts[r] + carry, 0)  # grants may already have used every place
        if s.grades.barred_places == "forfeit":  # a barred unit's place is lost, not passed down
            places -= _forfeit(s, rule, in_line[:places])
        taken = _at_the_boundary(s, rule, candidates, places)
        for n, i in enumerate(taken, 1):
            s.graded[i] = rule.grade
            if s.explain:
                s.note(i, "quota_place", grade=rule.grade, place=n, places=places)
        for i in candidates if s.explain else ():
            if i not in s.graded:
                s.note(i, "outside_quota", grade=rule.grade, places=places)
        carry = max(places - len(taken), 0) if s.grades.unused_places == "roll_down" else 0


def _candidates(s: GradeScope, r: int, rule: GradeRule) -> tuple[list[int], list[int]]:
    """The units a rule grades, in rank order: not graded yet, of its sequences, allowed the grade and meeting
    `when`; and the same with the units a veto bars from the grade (they stand in line for a quota place)."""
    pool = s.ungraded()
    if rule.sequences is not None:
        sequences = s.pop.sequences
        pool = [i for i in pool if sequences[i] in rule.sequences]
    barred = s.barred[rule.grade]
    eligible = list(filterfalse(barred.__contains__, pool)) if barred else pool
    candidates = list(compress(eligible, s.passing(r, s.graph.grade_tests, eligible)))
    if s.explain and len(candidates) < len(eligible):
        met = set(candidates)
        for i in eligible:
            if i not in met:
                s.note(i, "condition_not_met", grade=rule.grade, when=s.graph.grade_tests[r].text)
    if not barred:
        return candidates, candidates
    met = set(candidates)
    return candidates, [i for i in pool if i in met or i in barred]


def _forfeit(s: GradeScope, rule: GradeRule, placed: list[int]) -> int:
    """`barred_places: forfeit`: the places barred units stand at are lost; how many."""
    lost = [i for i in placed if i in s.barred[rule.grade]]
    for i in lost if s.explain else ():
        s.note(i, "place_forfeited", grade=rule.grade)
    return len(lost)


def _at_the_boundary(s: GradeScope, rule: GradeRule, candidates: list[int], places: int) -> list[int]:
    """The first ``places`` candidates; when the last place and the next share a rank, `boundary_ties` takes
    every unit at that rank (`include`) or none of them (`exclude`)."""
    taken = candidates[:places]
    ranks = s.ranks
    if not (0 < places < len(candidates) and ranks.get(candidates[places - 1]) == ranks.get(candidates[places])):
        return taken
    boundary = ranks.get(candidates[places])
    tied = [i for i in candidates if ranks.get(i) == boundary]
    policy = s.grades.boundary_ties
    if policy == "include":
        taken = [i for i in candidates if ranks.get(i, 0) <= (boundary or 0)]
    else:
        taken = [i for i in taken if i not in tied]
    for i in tied if s.explain else ():
        s.note(i, "boundary_tie", grade=rule.grade, tied=len(tied), rank=boundary, places=places, policy=policy)
    return taken


def promote_outside_quota(s: GradeScope) -> None:
    """Grants without `uses_quota`, in rank order: a graded unit (of the `from` grades) is raised to the grant's
    grade, only upward, and only to a grade it is allowed unless `over_bars`."""
    index = s.index
    for g, grant in enumerate(s.grades.grants):
        if grant.uses_quota:
            continue
        pool = list(filter(s.graded.__contains__, s.order))
        for i in compress(pool, s.passing(g, s.graph.grant_tests, pool)):
            current = s.graded[i]
            if grant.from_ is not None and current not in grant.from_:
                continue
            if index[grant.grade] >= index[current] or not (grant.over_bars or s.may(i, grant.grade)):
                continue
            s.graded[i] = grant.grade
            s.outcomes[i].append(_granted(grant, g, current, False))
            if s.explain:
                s.note(i, "promoted", grant=grant.label, before=current, grade=grant.grade)


def _granted(grant: Grant, g: int, before: str | None, in_quota: bool) -> Outcome:
    """The record of a grant given: from which grade (None: before any was given) to which, in the quota or not."""
    grant_id = grant_id_of(grant, g)
    return Outcome("grant", grant_id, grant.label, grant.clause, grant_id, before=before, grade=grant.grade,
                   in_quota=in_quota)


def grant_id_of(grant: Grant, g: int) -> str:
    """A grant's id: its own, or ``grant1``, ``grant2``… by its place among the grants."""
    return grant.id or f"grant{g + 1}"


def demotion(veto: Veto, before: str | None, grade: str | None) -> Outcome:
    """The record of a veto that set (`force`) or lowered (`demote`) a grade."""
    return Outcome("demotion", veto.id, veto.label, veto.clause, veto.id, before=before, grade=grade)


def force(s: GradeScope) -> None:
    """Veto `force: g`: the grade is g, whatever came before (the last such veto wins)."""
    for i in s.vetoed():
        for veto in s.vetoes[i]:
            if veto.effects.force is not None:
                if s.explain:
                    s.note(i, "forced", veto=veto.label, grade=veto.effects.force)
                s.outcomes[i].append(demotion(veto, s.graded.get(i), veto.effects.force))
                s.graded[i] = veto.effects.force


def demote(s: GradeScope) -> None:
    """Veto `demote: k`: k grades down (to the last level at most); the unit goes to the bottom of its grade."""
    levels = s.grades.levels
    for i in s.vetoed():
        for veto in s.vetoes[i]:
            grade = s.graded.get(i)
            if veto.effects.demote and grade is not None:
                lower = levels[min(s.index[grade] + veto.effects.demote, len(levels) - 1)]
                if s.explain:
                    s.note(i, "demoted", veto=veto.label, before=grade, grade=lower)
                s.outcomes[i].append(demotion(veto, grade, lower))
                s.graded[i] = lower
                s.demoted.add(i)


def no_grade(s: GradeScope) -> None:
    """A unit allowed no remaining grade has none."""
    for i in s.members if s.explain else ():
        if s.graded.get(i) is None:
            s.note(i, "no_grade")


#: the grading policies, in the order they run over a scope
POLICIES: tuple[Callable[[GradeScope], None], ...] = (
    bar_and_cap,
    count_quotas,
    grant_using_quota,
    grade_by_rules,
    promote_outside_quota,
    force,
    demote,
    no_grade,
)


def assign_grades(pop: Population, graph: GroupGraph, members: list[int], ranks: dict[int, int],
                  vetoes: dict[int, list[Veto]]) -> dict[int, GradeDecision]:
    """Grade the ``members`` of one scope (unit positions), applying the vetoes given."""
    grades = graph.group.grades
    assert grades is not None
    unranked = len(members) + 1
    by_rank = [ranks.get(i, unranked) for i in members]
    # by rank, then name: the members come in position order, which is name order, and sorting is stable
    order = [members[k] for k in sorted(range(len(members)), key=by_rank.__getitem__)]
    _scope_names(pop, members, ranks)
    s = GradeScope(pop, graph, grades, members, ranks, vetoes, order,
                   {g: i for i, g in enumerate(grades.levels)}, pop.explain)
    for policy in POLICIES:
        policy(s)
    position = _published(s)
    graded, notes, demoted, outcomes = s.graded, s.notes, s.demoted, s.outcomes
    return {i: GradeDecision(graded.get(i), notes.get(i, ()), i in demoted, position[i], outcomes.get(i, ()))
            for i in members}


def _scope_names(pop: Population, members: list[int], ranks: dict[int, int]) -> None:
    """What grade conditions may read of the scope (排名靠后的1个): its size and the place counted from the bottom."""
    below = places_below({i: ranks[i] for i in members if i in ranks})
    size = Decimal(len(members))
    scope_size, rank_from_bottom = pop.names["scope_size"], pop.names["rank_from_bottom"]
    assert isinstance(scope_size, list) and isinstance(rank_from_bottom, list)  # made for this, by the ranking
    for i in members:
        scope_size[i] = size
        rank_from_bottom[i] = 1 + below[ranks[i]] if i in ranks else None


def _published(s: GradeScope) -> dict[int, int]:
    """Each member's place in the published order: by grade, a demoted unit at the bottom of its new grade,
    then by rank (and name)."""
    last = len(s.grades.levels)
    keys = [2 * s.index.get(s.graded.get(i) or "", last) + (i in s.demoted) for i in s.order]
    published = map(s.order.__getitem__, sorted(range(len(s.order)), key=keys.__getitem__))  # stable: by rank, name
    return dict(zip(published, count(1)))
