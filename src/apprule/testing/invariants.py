"""Ready invariants of any scheme, each a strategy of cases and a check that names the unit, rule and clause."""

from __future__ import annotations

import copy
import random
import re
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Callable, Mapping

from hypothesis import strategies as st

from ..engine import Scheme
from ..errors import AppruleError, EvaluationError
from ..evaluate.shapes import SHAPES
from ..expressions import parse
from ..factchecks import passes
from ..i18n import N_
from ..facts import converted_event
from ..results import Evaluation, Result, Trace
from ..scheme.model import Block, Group, Leaf, Section
from .bounds import GroupBounds, Range
from .strategies import Population, number_strategy, populations

ZERO = Decimal(0)


@dataclass(frozen=True)
class Violation:
    """A counterexample in the scheme's own terms: which unit, which rule and clause, which facts."""

    invariant: str
    message: str
    unit: str | None = None
    group: str | None = None
    rule: str | None = None
    label: str | None = None
    clause: str | None = None
    facts: Mapping[str, Any] | None = None
    population: Mapping[str, Mapping[str, Any]] | None = None
    details: tuple[str, ...] = ()

    def render(self) -> str:
        """Several lines a scheme author can act on."""
        lines = [f"{self.invariant}: {self.message}"]
        if self.unit is not None:
            lines.append(f"  unit:   {self.unit}" + (f" (group {self.group})" if self.group else ""))
        if self.rule is not None:
            lines.append(f"  rule:   {self.rule}" + (f" {self.label}" if self.label else "")
                         + (f" [clause {self.clause}]" if self.clause else ""))
        elif self.clause:
            lines.append(f"  clause: {self.clause}")
        lines += [f"  {d}" for d in self.details]
        if self.facts is not None:
            lines.append(f"  facts:  {_show(self.facts)}")
        if self.population is not None and len(self.population) > 1:
            lines.append(f"  population ({len(self.population)} units):")
            lines += [f"    {u}: {_show(f)}" for u, f in self.population.items()]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {"invariant": self.invariant, "message": self.message, "unit": self.unit, "group": self.group,
                "rule": self.rule, "label": self.label, "clause": self.clause, "details": list(self.details),
                "facts": _jsonable(self.facts), "population": _jsonable(self.population)}


def _show(facts: Mapping[str, Any]) -> str:
    return "{" + ", ".join(f"{k}: {_jsonable(v)!r}" for k, v in facts.items()) + "}"


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return format(value, "f")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


class Unscorable(Exception):
    """The population holds valid facts the scheme cannot score; other invariants skip such cases."""

    def __init__(self, error: EvaluationError):
        super().__init__(str(error))
        self.error = error


@dataclass(frozen=True)
class Invariant:
    """One property: how to draw cases for a scheme and how to check one."""

    name: str
    summary: str
    cases: Callable[[Scheme, "str | None", int], st.SearchStrategy[Any]]
    check: Callable[[Scheme, Any], "Violation | None"]


def evaluate(scheme: Scheme, population: Population) -> Evaluation:
    """Evaluate a copy of the facts (so a check can never alter its case); a drawn population is usually
    part of a roster, so ranks, quotas and averages are taken among the units drawn (a partial run)."""
    try:
        return scheme.evaluate(copy.deepcopy(population), partial=True)
    except EvaluationError as exc:
        raise Unscorable(exc) from exc


def scorable(scheme: Scheme, population: Population) -> tuple[Population, Evaluation]:
    """The population without the units the scheme cannot score (see `evaluates`), and its evaluation."""
    population = dict(population)
    while True:
        try:
            return population, scheme.evaluate(copy.deepcopy(population), partial=True)
        except EvaluationError as exc:
            if exc.unit not in population or len(population) == 1:
                raise Unscorable(exc) from exc
            del population[exc.unit]


def _population_cases(scheme: Scheme, group: str | None, size: int) -> st.SearchStrategy[Population]:
    return populations(scheme, group, min_size=1, max_size=size)


def _at(name: str, result: Result, population: Population, message: str, trace: Trace | None = None,
        details: tuple[str, ...] = ()) -> Violation:
    return Violation(name, message, result.unit, result.group, trace.id if trace else None,
                     trace.label if trace else None, trace.clause if trace else None,
                     population.get(result.unit), population, details)


def _group(scheme: Scheme, group_id: str) -> Group:
    return next(g for g in scheme.definition.groups if g.id == group_id)


def _fmt(value: Any) -> str:
    return format(value, "f") if isinstance(value, Decimal) else str(value)


# --- evaluates: valid facts always score ------------------------------------------------------------

def check_evaluates(scheme: Scheme, population: Population) -> Violation | None:
    try:
        scheme.evaluate(copy.deepcopy(population), partial=True)
    except EvaluationError as exc:
        node = exc.node
        label = clause = None
        unit_facts = population.get(exc.unit, {})
        group = unit_facts.get("group")
        for g in scheme.definition.groups:
            for leaf in _nodes(g):
                if leaf.id == node and (group is None or g.id == group):
                    label, clause = leaf.label, leaf.clause
        return Violation("evaluates", f"valid facts cannot be scored: {exc}", exc.unit, group, node, label, clause,
                         unit_facts, population)
    except AppruleError as exc:
        return Violation("evaluates", f"facts the strategy made were rejected: {exc}", population=population)
    return None


def _nodes(group: Group) -> list[Section | Block | Leaf]:
    found: list[Section | Block | Leaf] = []

    def walk(node: Section | Block | Leaf) -> None:
        found.append(node)
        for child in (node.items if isinstance(node, Section) else node.rules if isinstance(node, Block) else []):
            walk(child)
    for node in list(group.sections) + ([group.adjustments] if group.adjustments else []):
        walk(node)
    return found


# --- totals within the declared range ---------------------------------------------------------------

def _bounds(scheme: Scheme, group_id: str) -> GroupBounds:
    cache = scheme.__dict__.setdefault("_apprule_testing_bounds", {})
    if group_id not in cache:
        cache[group_id] = GroupBounds(scheme.definition, _group(scheme, group_id))
    return cache[group_id]  # type: ignore[no-any-return]


def declared_range(scheme: Scheme, group_id: str) -> tuple[Range, str]:
    """The range of a group's totals the scheme declares, and where it comes from."""
    group = _group(scheme, group_id)
    bounds = _bounds(scheme, group_id)
    found = bounds.total
    why = "the sections' maxima plus the adjustments' allowance" if group.total.formula is None else \
        f"the formula {group.total.formula} over its inputs' declared ranges"
    if group.max is not None and group.total.formula is None and (group.unbalanced or not group.adjustments):
        if found.high is None or group.max < found.high:
            found, why = Range(found.low, group.max), f"the group's declared max {_fmt(group.max)}"
    return found, why


def check_total_range(scheme: Scheme, population: Population) -> Violation | None:
    population, evaluation = scorable(scheme, population)
    for result in evaluation.values():
        bounds, why = declared_range(scheme, result.group)
        group = _group(scheme, result.group)
        outside = (bounds.high is not None and result.total > bounds.high) or \
            (bounds.low is not None and result.total < bounds.low)
        if outside:
            return Violation("total_range", f"total {_fmt(result.total)} is outside {bounds} ({why})", result.unit,
                             result.group, "total", group.total.label, group.total.clause or group.clause,
                             population.get(result.unit), population)
    return None


# --- caps and floors --------------------------------------------------------------------------------

def check_caps(scheme: Scheme, population: Population) -> Violation | None:
    population, evaluation = scorable(scheme, population)
    for result in evaluation.values():
        group = _group(scheme, result.group)
        bounds = _bounds(scheme, result.group)
        traces = {t.id: t for t in result.trace.walk()}
        for node in _nodes(group):
            value = result.values.get(node.id)
            trace = traces.get(node.id)
            if value is None or trace is None:
                continue
            for problem in _cap_problems(node, value, bounds, result, traces):
                return _at("caps", result, population, problem, trace)
    return None


def _cap_problems(node: Section | Block | Leaf, value: Decimal, bounds: GroupBounds, result: Result,
                  traces: dict[str, Trace]) -> list[str]:
    problems = []
    if isinstance(node, Leaf):
        cap = bounds.leaf_cap(node)
        if cap is not None and value > cap:
            problems.append(f"value {_fmt(value)} is above the rule's max {_fmt(cap)}")
        low = node.min if node.min is not None else (ZERO if SHAPES[node.shape].zero_to_max else None)
        applicable = not any(n.kind == "inapplicable" for n in traces[node.id].notes)
        if low is not None and value < low and applicable:
            problems.append(f"value {_fmt(value)} is below the rule's min {_fmt(low)}")
        movement = node.spec if node.shape == "movement" else None
        if movement is not None and movement.max is not None and value > max(movement.max, movement.hold_first):
            problems.append(f"value {_fmt(value)} is above the movement's max {_fmt(movement.max)}")
    elif isinstance(node, Section):
        if value > node.max:
            problems.append(f"section value {_fmt(value)} is above its max {_fmt(node.max)}")
    else:
        if node.bonus_cap is not None and value > node.bonus_cap:
            problems.append(f"net {_fmt(value)} is above the bonus cap {_fmt(node.bonus_cap)} (加分之和不超过)")
        if node.deduction_cap is not None and value < -node.deduction_cap:
            problems.append(f"net {_fmt(value)} is below the deduction cap -{_fmt(node.deduction_cap)}")
        if node.max is not None and value > node.max:
            problems.append(f"net {_fmt(value)} is above the block's max {_fmt(node.max)}")
        if node.min is not None and value < node.min:
            problems.append(f"net {_fmt(value)} is below the block's min {_fmt(node.min)}")
    return problems


# --- the explanation reconciles with the numbers -----------------------------------------------------

def _rounded(value: Decimal, spec: Any) -> Decimal:
    if spec is None:
        return value
    from ..decimals import round_to
    return round_to(value, spec.places, spec.mode)


def check_explanation(scheme: Scheme, population: Population) -> Violation | None:
    population, evaluation = scorable(scheme, population)
    for result in evaluation.values():
        group = _group(scheme, result.group)
        traces = {t.id: t for t in result.trace.walk()}
        total = traces.get("total")
        if result.trace.value != result.total or total is None or total.value != result.total:
            return _at("explanation", result, population, f"the explanation's total "
                       f"{_fmt(total.value if total else None)} differs from the result's {_fmt(result.total)}")
        for line in result.sections + result.adjustments:
            if result.values.get(line.id) != line.value:
                return _at("explanation", result, population, f"line {line.id} shows {_fmt(line.value)} but the "
                           f"node's value is {_fmt(result.values.get(line.id))}", traces.get(line.id))
        for node in _nodes(group):
            trace = traces.get(node.id)
            if trace is None:
                return _at("explanation", result, population, f"rule {node.id} is missing from the explanation")
            if trace.value != result.values.get(node.id):
                return _at("explanation", result, population, f"the explanation shows {_fmt(trace.value)}, the "
                           f"result {_fmt(result.values.get(node.id))}", trace)
            expected = _recompute(node, [traces[c.id].value for c in _children(node) if c.id in traces])
            if expected is not None and expected != trace.value:
                return _at("explanation", result, population, f"the parts shown add up to {_fmt(expected)}, not "
                           f"the {_fmt(trace.value)} shown", trace)
        if group.total.formula is None:
            parts = [_decimal(traces[s.id].value) for s in group.sections]
            if group.adjustments is not None:
                parts.append(_decimal(traces[group.adjustments.id].value))
            expected = _rounded(sum(parts, ZERO), group.total.round)
            if expected != result.total:
                return _at("explanation", result, population, f"sections and adjustments add up to "
                           f"{_fmt(expected)}, not the total {_fmt(result.total)}", total)
        try:
            result.explain()
            result.explain("json")
        except Exception as exc:  # noqa: BLE001 - any failure to explain is the finding
            return _at("explanation", result, population, f"explain() fails: {type(exc).__name__}: {exc}")
    return None


def _children(node: Section | Block | Leaf) -> list[Section | Block | Leaf]:
    return list(node.items) if isinstance(node, Section) else list(node.rules) if isinstance(node, Block) else []


def _recompute(node: Section | Block | Leaf, values: list[Any]) -> Decimal | None:
    if isinstance(node, Leaf) or not all(isinstance(v, Decimal) for v in values):
        return None
    if isinstance(node, Section):
        return _rounded(min(sum(values, ZERO), node.max), node.round)
    bonus = sum((v for v in values if v > 0), ZERO)
    deduction = sum((v for v in values if v < 0), ZERO)
    if node.bonus_cap is not None:
        bonus = min(bonus, node.bonus_cap)
    if node.deduction_cap is not None:
        deduction = max(deduction, -node.deduction_cap)
    net = bonus + deduction
    if node.max is not None:
        net = min(net, node.max)
    if node.min is not None:
        net = max(net, node.min)
    return _rounded(net, node.round)


# --- monotonicity of facts marked `better` -----------------------------------------------------------

@dataclass(frozen=True)
class Nudge:
    """One unit's fact (or event field) moved in the direction the scheme calls better or worse."""

    population: Population
    unit: str
    fact: str
    before: Any
    after: Any
    better: str
    event: int | None = None
    field: str | None = None


def _decimal(value: object) -> Decimal:
    assert isinstance(value, Decimal), value
    return value


def _monotone_facts(scheme: Scheme, group: str) -> list[tuple[str, str | None]]:
    found: list[tuple[str, str | None]] = []
    for name in sorted(scheme.facts_used(group)):
        fact = scheme.definition.facts[name]
        if fact.better and fact.type in ("number", "count", "rate", "boolean"):
            found.append((name, None))
        for fname, sub in (fact.fields or {}).items():
            if sub.better and sub.type in ("number", "count", "rate", "boolean"):
                found.append((name, fname))
    return found


@st.composite
def _nudges(draw: st.DrawFn, scheme: Scheme, group: str | None, size: int) -> Nudge | None:
    population = draw(populations(scheme, group, min_size=1, max_size=size))
    candidates = [(u, f) for u, facts in sorted(population.items())
                  for f in _monotone_facts(scheme, facts["group"])]
    if not candidates:
        return None
    unit, (name, fname) = draw(st.sampled_from(candidates))
    facts = population[unit]
    fact = scheme.definition.facts[name]
    event = None
    if fname is not None:
        events = facts.get(name) or []
        if not events:
            return None
        event = draw(st.integers(0, len(events) - 1))
        spec = (fact.fields or {})[fname]
        before = events[event].get(fname)
    else:
        spec = fact
        before = facts.get(name)
    if not isinstance(before, (Decimal, bool)):
        return None
    better = spec.better or "higher"
    if spec.type == "boolean":
        after: Any = not before
    else:
        after = draw(number_strategy(spec, []))
    if after == before:
        return None
    return Nudge(population, unit, name, before, after, better, event, fname)


def check_monotonicity(scheme: Scheme, nudge: Nudge | None) -> Violation | None:
    if nudge is None:
        return None
    base, _ = scorable(scheme, nudge.population)
    if nudge.unit not in base:
        return None
    nudge = replace(nudge, population=base)
    moved = copy.deepcopy(nudge.population)
    if nudge.field is not None and nudge.event is not None:
        moved[nudge.unit][nudge.fact][nudge.event][nudge.field] = nudge.after
        fact = scheme.definition.facts[nudge.fact]
        event = converted_event(fact, moved[nudge.unit][nudge.fact][nudge.event])
        if not all(passes(parse(c.test, fact.fields or {}), event) for c in fact.checks):
            return None  # the nudged event fails the fact's `checks` (a place beyond its ranking): not valid facts
    else:
        moved[nudge.unit][nudge.fact] = nudge.after
    before = evaluate(scheme, nudge.population)[nudge.unit]
    after = evaluate(scheme, moved)[nudge.unit]
    up = nudge.after > nudge.before
    should_rise = up == (nudge.better == "higher")
    wrong = after.total < before.total if should_rise else after.total > before.total
    if not wrong:
        return None
    what = nudge.fact + (f"[{nudge.event}].{nudge.field}" if nudge.field else "")
    fact = scheme.definition.facts[nudge.fact]
    label = fact.label or nudge.fact
    culprit = _culprit(before, after, should_rise)
    trace = next((t for t in after.trace.walk() if t.id == culprit), None) if culprit else None
    return Violation("monotonicity", f"{what} ({label}, better: {nudge.better}) went {_fmt(nudge.before)} → "
                     f"{_fmt(nudge.after)} and the total went {_fmt(before.total)} → {_fmt(after.total)}",
                     nudge.unit, before.group, trace.id if trace else None, trace.label if trace else None,
                     trace.clause if trace else None, nudge.population[nudge.unit], nudge.population,
                     (f"rule {culprit} moved {_fmt(before.values[culprit])} → {_fmt(after.values[culprit])}",)
                     if culprit else ())


def _culprit(before: Result, after: Result, should_rise: bool) -> str | None:
    """The deepest rule that moved the wrong way (the first such in evaluation order)."""
    leaf_ids = [t.id for t in before.trace.walk() if not t.children and t.id in before.values]
    for node in leaf_ids:
        a, b = before.values[node], after.values.get(node, before.values[node])
        if (b < a) if should_rise else (b > a):
            return node
    return None


# --- permutation and determinism --------------------------------------------------------------------

def _fingerprint(evaluation: Evaluation) -> list[Any]:
    return [(u, r.total, r.rank, r.grade, r.would_be_rank, r.would_be_grade, r.honours, r.flags, r.vetoes,
             sorted(r.values.items()), r.explain("json")) for u, r in evaluation.items()]


@dataclass(frozen=True)
class Shuffle:
    population: Population
    seed: int


def _shuffles(scheme: Scheme, group: str | None, size: int) -> st.SearchStrategy[Shuffle]:
    return st.builds(Shuffle, populations(scheme, group, min_size=1, max_size=size), st.integers(0, 2**32))


def _shuffled(population: Population, seed: int) -> Population:
    rng = random.Random(seed)
    units = list(population.items())
    rng.shuffle(units)
    result: Population = {}
    for unit, facts in units:
        keys = list(facts.items())
        rng.shuffle(keys)
        result[unit] = {k: copy.deepcopy(v) for k, v in keys}
    return result


def _first_difference(one: Evaluation, two: Evaluation) -> tuple[str | None, str]:
    if list(one) != list(two):
        return None, f"the order of results differs: {list(one)} vs {list(two)}"
    for unit in one:
        a, b = one[unit], two[unit]
        for what in ("total", "rank", "grade", "would_be_rank", "would_be_grade", "honours", "flags", "vetoes"):
            if getattr(a, what) != getattr(b, what):
                return unit, f"{what} {getattr(a, what)!r} vs {getattr(b, what)!r}"
        if dict(a.values) != dict(b.values):
            node = next(n for n in a.values if a.values[n] != b.values.get(n))
            return unit, f"rule {node}: {a.values[node]} vs {b.values.get(node)}"
        if a.explain("json") != b.explain("json"):
            return unit, "the explanations differ"
    return None, ""


def check_permutation(scheme: Scheme, case: Shuffle) -> Violation | None:
    population, one = scorable(scheme, case.population)
    case = replace(case, population=population)
    shuffled = _shuffled(population, case.seed)
    two = evaluate(scheme, shuffled)
    if _fingerprint(one) == _fingerprint(two):
        return None
    unit, what = _first_difference(one, two)
    return Violation("permutation", f"reordering the units and their facts changed the result: {what}", unit,
                     one[unit].group if unit else None, facts=case.population.get(unit) if unit else None,
                     population=case.population, details=(f"reordered: {list(shuffled)}",))


def check_determinism(scheme: Scheme, population: Population) -> Violation | None:
    population, one = scorable(scheme, population)
    two = evaluate(scheme, population)
    if _fingerprint(one) == _fingerprint(two):
        return None
    unit, what = _first_difference(one, two)
    return Violation("determinism", f"two evaluations of the same facts differ: {what}", unit,
                     facts=population.get(unit) if unit else None, population=population)


# --- ranks, ties, quotas and thresholds ---------------------------------------------------------------

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_FUNCTIONS = {"min", "max", "abs", "floor", "ceil", "round_half_up", "clamp", "sum", "count", "present", "and",
              "or", "not", "if", "else", "in", "True", "False"}


def _names(text: str) -> set[str]:
    return set(_NAME.findall(re.sub(r"'[^']*'|\"[^\"]*\"", "", text))) - _FUNCTIONS


def _by_group(evaluation: Evaluation) -> list[tuple[str, list[Result]]]:
    by_group: dict[str, list[Result]] = {}
    for result in evaluation.values():
        by_group.setdefault(result.group, []).append(result)
    return sorted(by_group.items())


def check_ranks(scheme: Scheme, population: Population) -> Violation | None:
    population, evaluation = scorable(scheme, population)
    for group_id, results in _by_group(evaluation):
        found = _check_ranks(_group(scheme, group_id), results, population)
        if found:
            return found
    return None


def check_grades(scheme: Scheme, population: Population) -> Violation | None:
    population, evaluation = scorable(scheme, population)
    for group_id, results in _by_group(evaluation):
        found = _check_grades(scheme, _group(scheme, group_id), results, population)
        if found:
            return found
    return None


def _scopes(results: list[Result], scope: str | None) -> dict[str | None, list[Result]]:
    scopes: dict[str | None, list[Result]] = {}
    for r in results:
        scopes.setdefault(r.sequence if scope == "sequence" else None, []).append(r)
    return scopes


def _check_ranks(group: Group, results: list[Result], population: Population) -> Violation | None:
    ranking = group.ranking
    if ranking is None:
        return None
    excluded = set(ranking.exclude)
    for r in results:
        if r.unit in excluded and r.rank is not None:
            return _at("ranks", r, population, f"the unit is listed under ranking.exclude but has rank {r.rank}",
                       _rank_trace(r))
    for members in _scopes([r for r in results if r.rank is not None], ranking.scope).values():
        ranks = sorted(r.rank for r in members if r.rank is not None)
        expected: list[int] = []
        for position, rank in enumerate(ranks):
            if position and rank == ranks[position - 1]:
                expected.append(expected[-1])
            else:
                expected.append(position + 1 if ranking.ties == "competition" else len(set(ranks[:position])) + 1)
        if ranks != expected:
            return _at("ranks", members[0], population, f"the ranks {ranks} of one scope are not a "
                       f"{ranking.ties} ranking (expected {expected})", _rank_trace(members[0]))
        if ranking.by.strip() != "total" or ranking.tie_breakers:
            continue
        for a in members:
            for b in members:
                worse = a.total > b.total if ranking.order == "desc" else a.total < b.total
                if a.total == b.total and a.rank != b.rank:
                    return _at("ranks", a, population, f"tied totals {_fmt(a.total)} of {a.unit} and {b.unit} have "
                               f"different ranks {a.rank} and {b.rank}", _rank_trace(a),
                               (f"other unit: {b.unit}",))
                if worse and a.rank is not None and b.rank is not None and a.rank >= b.rank:
                    return _at("ranks", a, population, f"{a.unit} (total {_fmt(a.total)}) ranks {a.rank}, not above"
                               f" {b.unit} (total {_fmt(b.total)}, rank {b.rank})", _rank_trace(a))
    return None


def _rank_trace(result: Result) -> Trace | None:
    return next((t for t in result.trace.children if t.id == "rank"), None)


def _grade_trace(result: Result) -> Trace | None:
    return next((t for t in result.trace.children if t.id == "grade"), None)


def _check_grades(scheme: Scheme, group: Group, results: list[Result], population: Population) -> Violation | None:
    grades = group.grades
    if grades is None:
        return None
    levels = grades.levels
    plain_names = {"total", "rank"}
    simple = all(_names(r.when) <= plain_names for r in grades.rules if r.when) and not grades.grants
    ranking_on_total = group.ranking is not None and group.ranking.by.strip() == "total" \
        and not group.ranking.tie_breakers and group.ranking.order == "desc"
    scope = grades.scope or (group.ranking.scope if group.ranking else "group")
    for members in _scopes([r for r in results if r.rank is not None or group.ranking is None], scope).values():
        clean = [r for r in members if not r.vetoes]
        for r in members:
            if r.grade is not None and r.grade not in levels:
                return _at("grades", r, population, f"grade {r.grade!r} is not one of {levels}", _grade_trace(r))
        quota = _quota_problem(grades, members, population)
        if quota:
            return quota
        if not (simple and ranking_on_total):
            continue
        for a in clean:
            for b in clean:
                if a.grade is None or b.grade is None:
                    continue
                if a.total == b.total and a.grade != b.grade:
                    return _at("grades", a, population, f"tied totals {_fmt(a.total)} of {a.unit} and {b.unit} got "
                               f"grades {a.grade} and {b.grade}", _grade_trace(a))
                if a.total > b.total and levels.index(a.grade) > levels.index(b.grade):
                    return _at("grades", a, population, f"{a.unit} (total {_fmt(a.total)}) got {a.grade}, worse "
                               f"than {b.unit} (total {_fmt(b.total)}) with {b.grade}", _grade_trace(a))
    return None


def _quota_problem(grades: Any, members: list[Result], population: Population) -> Violation | None:
    """Quota grades never hold more units than their places (ties straddling a boundary aside)."""
    from ..evaluate.grade import quota_counts
    if grades.grants or any(r.vetoes for r in members):
        return None
    counts, _ = quota_counts(grades, len(members))
    by_condition = {r.grade for r in grades.rules if r.quota is None}
    places = 0
    quota_grades: set[str] = set()
    for index, rule in enumerate(grades.rules):
        if rule.quota is None:
            continue
        places += counts.get(index, 0)
        if rule.grade in by_condition:
            continue  # the grade is also given by a condition: its count is not the quota's
        quota_grades.add(rule.grade)
        holders = sorted((r for r in members if r.grade in quota_grades), key=lambda r: (r.rank or 0, r.unit))
        if len(holders) <= places:
            continue
        boundary = holders[places - 1].rank if places else None
        extra = holders[places:]
        if grades.boundary_ties == "include" and boundary is not None and all(r.rank == boundary for r in extra):
            continue  # units tied at the boundary are all included
        unit = extra[0]
        share = rule.quota.count if rule.quota.count is not None else rule.quota.share
        return _at("grades", unit, population, f"{len(holders)} unit(s) hold the quota grades "
                   f"{sorted(quota_grades)} in a scope of {len(members)}, but the quotas give {places} place(s)",
                   _grade_trace(unit), (f"quota rule: {rule.grade} quota {share}"
                                        + (f" [clause {rule.clause}]" if rule.clause else ""),))
    return None


# --- the battery ------------------------------------------------------------------------------------

INVARIANTS: dict[str, Invariant] = {inv.name: inv for inv in (
    Invariant("evaluates", N_("every population of valid facts is scored (no evaluation error)"),
              _population_cases, check_evaluates),
    Invariant("total_range", N_("totals stay within the range the scheme declares (maxima, bonus caps, floors)"),
              _population_cases, check_total_range),
    Invariant("caps", N_("every rule, section and block keeps to its max, min, bonus_cap and deduction_cap"),
              _population_cases, check_caps),
    Invariant("explanation", N_("the explanation shows the result's numbers and its parts add up to them"),
              _population_cases, check_explanation),
    Invariant("monotonicity", N_("a fact marked `better: higher` (lower) never moves the total the wrong way"),
              _nudges, check_monotonicity),
    Invariant("permutation",
              N_("reordering units and their fact keys changes no total, rank, grade or explanation"), _shuffles, check_permutation),
    Invariant("ranks", N_("ranks form a proper ranking per scope; tied totals share a rank; "
              "better totals rank higher"), _population_cases, check_ranks),
    Invariant("grades", N_("quota grades hold no more units than their places; threshold grades follow the totals; "
              "tied totals share a grade"), _population_cases,
              check_grades),
    Invariant("determinism", N_("two evaluations of the same facts are identical"), _population_cases,
              check_determinism),
)}

