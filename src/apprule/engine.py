"""The pipeline in one place: load → check → compile, then facts → scores → ranks → grades → results."""

from __future__ import annotations

import decimal
import gc
import os
from contextlib import contextmanager
from typing import Any, Iterator, Mapping, Sequence

from .errors import Problem, SchemeError
from .evaluate.grade import GradeDecision, assign_grades
from .evaluate.graph import GroupGraph, build_group
from .evaluate.periods import PeriodError, aggregate_periods
from .evaluate.rank import rank_scope, scopes
from .evaluate.score import Column, score_group
from .evaluate.shapes import Outcome
from . import expressions
from .expressions import Expression, ExpressionProblem, Runner
from .facts import UnitFacts, validate_facts
from .results import Evaluation, Line, PeriodTotal, Result, Trace
from .scheme.check import check_scheme
from .scheme.load import read_scheme
from .scheme.model import Fact, Group, SchemeDefinition, Veto
from .scheme.yamlsource import Source
from .decimals import CONTEXT


class Scheme:
    """A loaded, checked and compiled scheme, ready to evaluate facts."""

    def __init__(self, definition: SchemeDefinition, graphs: Sequence[GroupGraph], source: str = "<string>",
                 required_when: Mapping[str, Expression] | None = None):
        self.definition = definition
        self.source = source
        self._graphs = tuple(graphs)
        #: fact → the condition under which a unit must give it (`required_when`)
        self.required_when = dict(required_when or {})

    @property
    def id(self) -> str:
        return self.definition.id

    @property
    def title(self) -> str:
        return self.definition.title

    @property
    def groups(self) -> tuple[Group, ...]:
        return tuple(self.definition.groups)

    def facts_used(self, group_id: str) -> frozenset[str]:
        """The facts a unit of ``group_id`` supplies."""
        return next(g.facts for g in self._graphs if g.group.id == group_id)

    def evaluate(self, facts: Mapping[str, Mapping[str, Any]]) -> Evaluation:
        """Score, rank and grade every unit of ``facts`` (unit name → its facts)."""
        with decimal.localcontext(CONTEXT), _no_cyclic_gc():
            units = validate_facts(self.definition, [g.facts for g in self._graphs], facts, self.required_when)
            results: list[Result] = []
            for graph in self._graphs:
                members = [u for u in units if u.group == graph.index]
                if members:
                    results += _evaluate_group(graph, members, self.definition)
        given = set(facts)
        missing = tuple(u for g in self.definition.groups for u in (g.units or ()) if u not in given)
        return Evaluation(results, missing)

    def aggregate(self, evaluations: Mapping[str, Evaluation]) -> dict[str, PeriodTotal]:
        """Weigh the results of several periods (period name → evaluation) into one total per unit."""
        spec = self.definition.aggregate
        if spec is None:
            raise PeriodError(f"scheme {self.id!r} declares no `aggregate` for its periods")
        with decimal.localcontext(CONTEXT):
            return aggregate_periods(spec, evaluations)

    def __repr__(self) -> str:
        return f"<Scheme {self.id}: {self.title}>"


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Evaluation makes many small acyclic objects: the cycle collector would only rescan them, over and over."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_scheme(source: str | os.PathLike[str], *, name: str | None = None) -> Scheme:
    """Load a scheme from a path or YAML text; every mistake is raised at once as ``SchemeError``."""
    definition, src = read_scheme(source, name=name)
    return compile_scheme(definition, src)


def compile_scheme(definition: SchemeDefinition, src: Source | None = None) -> Scheme:
    """Check and compile a scheme definition (one built in code, or read by ``read_scheme``)."""
    src = src or Source("<definition>", "", None)
    problems = [_locate(src, *found) for found in check_scheme(definition)]
    required_when: dict[str, Expression] = {}  # "fact" or "fact.field" → its condition
    conditions: list[tuple[str, Fact, Mapping[str, Fact], tuple[str, ...]]] = [
        (name, fact, definition.facts, ("facts", name)) for name, fact in definition.facts.items()]
    conditions += [(f"{name}.{field}", sub, fact.fields or {}, ("facts", name, "fields", field))
                   for name, fact in definition.facts.items() for field, sub in (fact.fields or {}).items()]
    for key, fact, names, path in conditions:
        if fact.required_when is not None:
            try:
                required_when[key] = expressions.parse(fact.required_when, names)
            except ExpressionProblem as exc:
                problems.append(_locate(src, exc.code, exc.message, path + ("required_when",), exc.hint,
                                        exc.offset))
    graphs = []
    for index in range(len(definition.groups)):
        graph, found = build_group(definition, index)
        problems += [_locate(src, *f) for f in found]
        if graph is not None:
            graphs.append(graph)
    if problems:
        raise SchemeError(problems)
    return Scheme(definition, graphs, src.name, required_when)


def check(source: str | os.PathLike[str], *, name: str | None = None) -> list[Problem]:
    """Every problem of a scheme (an empty list when it is sound), without raising."""
    try:
        load_scheme(source, name=name)
    except SchemeError as exc:
        return list(exc.problems)
    return []


def _locate(src: Source, code: str, message: str, path: tuple[Any, ...], hint: str | None,
            offset: int | None) -> Problem:
    location = None
    if offset is not None and path in src.value_locations:
        base = src.value_locations[path]
        line = src.line(base) or ""
        quoted = line[base.column - 1:base.column].strip() in ("'", '"')
        location = type(base)(base.file, base.line, base.column + offset + (1 if quoted else 0))
    return src.problem(code, message, path, hint, location)


# --- evaluation of one group -----------------------------------------------------------------------

def _evaluate_group(graph: GroupGraph, units: list[UnitFacts], scheme: SchemeDefinition) -> list[Result]:
    group = graph.group
    units = sorted(units, key=lambda u: u.unit)  # results never depend on the input order
    envs, columns, totals = score_group(graph, units, scheme.period)
    runner = Runner()
    names = [u.unit for u in units]

    vetoes: dict[int, list[Veto]] = {}
    for i, env in enumerate(envs):
        for veto in group.vetoes:
            if runner.run_for(graph.veto_tests[veto.id], env, names[i], f"veto {veto.id}"):
                vetoes.setdefault(i, []).append(veto)

    would_rank, would_grade = _rank_and_grade(runner, graph, units, envs, {}, names)
    ranks, grades = (_rank_and_grade(runner, graph, units, envs, vetoes, names) if vetoes
                     else (would_rank, would_grade))  # without vetoes the would-be is the real one
    results = [_result(graph, unit, i, columns, totals[i], vetoes.get(i, []), ranks, grades, would_rank,
                       would_grade) for i, unit in enumerate(units)]
    sequences = [s.id for s in group.sequences]
    return sorted(results, key=lambda r: (sequences.index(r.sequence) if r.sequence in sequences else -1,
                                          r.rank is None, r.rank or 0, -r.total, r.unit))


def _rank_and_grade(runner: Runner, graph: GroupGraph, units: list[UnitFacts], envs: list[dict[str, Any]],
                    vetoes: dict[int, list[Veto]], names: list[str]
                    ) -> tuple[dict[int, tuple[int, str]], dict[int, GradeDecision]]:
    group = graph.group
    ranks: dict[int, tuple[int, str]] = {}
    ranking = group.ranking
    ranked_members = list(range(len(units)))
    if ranking is not None:
        excluded = set(ranking.exclude)
        ranked_members = [i for i in ranked_members if units[i].unit not in excluded
                          and not any(v.effects.unrank for v in vetoes.get(i, ()))]
        for key, members in scopes(units, ranked_members, ranking.scope).items():
            scope_label = _scope_label(group, key)
            for i, rank in rank_scope(runner, graph, ranking, envs, members, names).items():
                ranks[i] = (rank, f"rank {rank} of {len(members)} in {scope_label}")
    for i, env in enumerate(envs):
        env["rank"] = ranks[i][0] if i in ranks else None
    decisions: dict[int, GradeDecision] = {}
    if group.grades is not None:
        scope = group.grades.scope or (ranking.scope if ranking else "group")
        rank_only = {i: r for i, (r, _) in ranks.items()}
        for members in scopes(units, ranked_members, scope).values():
            decisions.update(assign_grades(runner, graph, envs, members, rank_only, vetoes, names,
                                           [u.sequence for u in units]))
        for i, found in vetoes.items():  # a forced grade holds even for a unit out of the ranking
            forced = [v for v in found if v.effects.force is not None]
            if i not in decisions and forced:
                decisions[i] = GradeDecision(forced[-1].effects.force, [
                    f"not ranked; {v.label}: grade forced to {v.effects.force}" for v in forced])
    return ranks, decisions


def _scope_label(group: Group, key: str | None) -> str:
    if key is None:
        return group.label
    return next(f"{group.label} / {s.label}" for s in group.sequences if s.id == key)


def _result(graph: GroupGraph, unit: UnitFacts, i: int, columns: dict[str, Column], total: Outcome,
            vetoes: list[Veto], ranks: dict[int, tuple[int, str]], grades: dict[int, GradeDecision],
            would_rank: dict[int, tuple[int, str]], would_grade: dict[int, GradeDecision]) -> Result:
    group = graph.group
    honours: list[str] = []
    flags: list[str] = []
    carried: list[tuple[str, dict[str, Any]]] = []
    for node_id in graph.order:
        out = columns[node_id][i]
        honours += [h for h in out.honours if h not in honours]
        flags += [f for f in out.flags if f not in flags]
        carried += [c for c in out.carried if c not in carried]
    flags += [v.label for v in vetoes if v.label not in flags]
    rank = ranks.get(i)
    decision = grades.get(i)
    if decision is not None and group.grades is not None:
        honours += [h for h in group.grades.honours.get(decision.grade or "", []) if h not in honours]
    adjustments: tuple[Line, ...] = ()
    if group.adjustments is not None:
        adjustments = tuple(_line(graph, columns, c, i) for c in graph.nodes[group.adjustments.id].children)

    def build_trace() -> Trace:
        return _trace(graph, unit, i, columns, total, vetoes, rank, decision, honours, flags)

    return Result(
        unit=unit.unit, group=group.id, group_label=group.label, sequence=unit.sequence, total=total.value,
        sections=tuple(_line(graph, columns, s, i) for s in graph.top), adjustments=adjustments,
        values={n: columns[n][i].value for n in graph.order}, honours=tuple(honours), flags=tuple(flags),
        rank=rank[0] if rank else None, grade=decision.grade if decision else None,
        would_be_rank=would_rank[i][0] if i in would_rank else None,
        would_be_grade=would_grade[i].grade if i in would_grade else None,
        vetoes=tuple(v.label for v in vetoes), build_trace=build_trace, carried_over=tuple(carried),
        group_ranked=group.ranking is not None, position=decision.position if decision else None)


def _trace(graph: GroupGraph, unit: UnitFacts, i: int, columns: dict[str, Column], total: Outcome,
           vetoes: list[Veto], rank: tuple[int, str] | None, decision: GradeDecision | None,
           honours: list[str], flags: list[str]) -> Trace:
    group = graph.group

    def node_trace(node_id: str) -> Trace:
        node = graph.nodes[node_id]
        out = columns[node_id][i]
        kind = node.kind if node.kind != "leaf" else node.spec.shape  # type: ignore[union-attr]
        return Trace(node_id, node.spec.label, kind, out.value, node.spec.clause, out.max,
                     tuple((k, v) for k, v in out.inputs.items() if k != "key"), tuple(out.notes),
                     tuple(out.honours), tuple(out.flags), tuple(node_trace(c) for c in node.children))

    parts = [node_trace(s) for s in graph.top]
    if group.adjustments is not None:
        parts.append(node_trace(group.adjustments.id))
    children = [Trace("total", group.total.label, "total", total.value, group.total.clause, total.max,
                      tuple(total.inputs.items()), tuple(total.notes), children=tuple(parts))]
    children += [node_trace(leaf.id) for leaf in group.derived]
    for veto in vetoes:
        children.append(Trace(veto.id, veto.label, "veto", "applies", veto.clause,
                              notes=(f"condition {veto.when}",), flags=(veto.label,)))
    if group.ranking is not None:
        why = rank[1] if rank else _unranked_reason(vetoes)
        children.append(Trace("rank", "排名", "rank", rank[0] if rank else None, group.ranking.clause,
                              notes=(why,)))
    if group.grades is not None:
        notes = tuple(decision.notes) if decision else ("not graded: the unit is not ranked",)
        children.append(Trace("grade", "等次", "grade", decision.grade if decision else None,
                              group.grades.clause, notes=notes))
    return Trace(unit.unit, group.label, "unit", total.value, group.clause, group.max,
                 honours=tuple(honours), flags=tuple(flags), children=tuple(children))


def _unranked_reason(vetoes: list[Veto]) -> str:
    unranks = [v.label for v in vetoes if v.effects.unrank]
    if unranks:
        return "removed from the ranking: " + ", ".join(unranks)
    return "scored but not ranked (listed under ranking.exclude)"


def _line(graph: GroupGraph, columns: dict[str, Column], node_id: str, i: int) -> Line:
    spec = graph.nodes[node_id].spec
    out = columns[node_id][i]
    return Line(node_id, spec.label, out.value, out.max, spec.clause)
