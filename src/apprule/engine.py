"""The pipeline in one place: load → check → compile, then facts → scores → ranks → grades → results."""

from __future__ import annotations

import decimal
import os
from decimal import Decimal
from functools import cached_property
from itertools import filterfalse, repeat
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from .errors import Problem, SchemeError, ScopeError
from .evaluate.grade import GradeDecision, assign_grades, demotion
from .evaluate.outcomes import declared_outcomes, declared_records
from .evaluate.graph import GroupGraph, build_group
from .evaluate.periods import PeriodError, aggregate_periods
from .evaluate.population import Population
from .evaluate.rank import rank_array, rank_scope, scopes
from .evaluate.score import score_group
from .evaluate.scored import GroupScores, Scores, concatenated, population, score_units
from .evaluate.shapes import NodeColumn
from . import expressions
from .expressions import Expression, ExpressionProblem
from .facts import GroupFacts, convert, converted_event, validate_columns, validate_population
from .factchecks import CompiledCheck, check_population
from .results import (Coded, Counts, Evaluation, Line, Listed, Note, Outcome, OutsidePeriod, PeriodTotal, RankingSpec,
                      Result, Trace)
from .scheme.check import check_scheme
from .scheme.load import read_scheme
from .deferred import COUNTED, DEFERRED
from .scheme.model import CARRIED_FROM, Fact, Group, SchemeDefinition, Veto
from .scheme.yamlsource import Source
from .shown import GroupShown
from .decimals import CONTEXT
from .i18n import _, using


class Scheme:
    """A loaded, checked and compiled scheme, ready to evaluate facts."""

    def __init__(self, definition: SchemeDefinition, graphs: Sequence[GroupGraph], source: str = "<string>",
                 required_when: Mapping[str, Expression] | None = None, checks: Sequence[CompiledCheck] = ()):
        self.definition = definition
        self.source = source
        self._graphs = tuple(graphs)
        #: fact → the condition under which a unit must give it (`required_when`)
        self.required_when = dict(required_when or {})
        #: the facts' `checks:`, run on valid facts before scoring
        self.checks = tuple(checks)

    @property
    def id(self) -> str:
        return self.definition.id

    @property
    def title(self) -> str:
        return self.definition.title

    @property
    def readings(self) -> dict[str, str]:
        """The readings in force: each switchable reading's id → its choice."""
        return self.definition.in_force

    @property
    def choice_labels(self) -> dict[str, str]:
        """The words of the readings in force: each switchable reading's id → its chosen choice's label."""
        return self.definition.choice_labels

    @property
    def groups(self) -> tuple[Group, ...]:
        return tuple(self.definition.groups)

    def facts_used(self, group_id: str) -> frozenset[str]:
        """The facts a unit of ``group_id`` supplies."""
        return next(g.facts for g in self._graphs if g.group.id == group_id)

    def evaluate(self, facts: Mapping[str, Mapping[str, Any]], *, partial: bool = False) -> Evaluation:
        """Score, rank and grade every unit of ``facts`` (unit name → its facts).

        A step that reads every unit of a group's roster (a peer average, a rank among the units, a
        quota, the place from the bottom) needs every unit of the roster: with fewer it is a
        ``ScopeError``, unless ``partial`` allows computing it among the units given (the results say so).
        """
        return self.rank_and_grade(self.score_units(facts, partial=partial), partial=partial)

    def evaluate_columns(self, table: Any, *, partial: bool = False) -> Evaluation:
        """``evaluate`` for facts given as columns: ``unit`` (and ``group``, ``sequence`` where the rosters
        do not say) and one column per fact, one value per unit; an empty cell (None, NaN, pandas' NA) is a
        fact the unit does not give.

        ``table`` is a mapping of column name to values, a pandas or polars DataFrame, an Arrow table or
        record batch, or anything with the Arrow C stream interface. An events fact is a column of lists
        of events (a list of structs in Arrow).
        """
        return self.rank_and_grade(self.score_columns(table, partial=partial), partial=partial)

    def score_units(self, facts: Mapping[str, Mapping[str, Any]], *, partial: bool = False) -> Scores:
        """Phase one: validate ``facts`` and score each unit by its own rules, its total and its vetoes.

        ``rank_and_grade`` does the rest. In a unit-local group (``ranking(group).unit_local``) a batch of
        units can be scored on its own, and several batches ranked together. ``partial``: see ``evaluate``.
        """
        with decimal.localcontext(CONTEXT), self.speaking():
            return self._score(validate_population(self.definition, self._used, facts, self.required_when), partial)

    def score_columns(self, table: Any, *, partial: bool = False) -> Scores:
        """``score_units`` for facts given as columns (see ``evaluate_columns``)."""
        with decimal.localcontext(CONTEXT), self.speaking():
            if not isinstance(table, Mapping):
                from .arrow import columns_of
                table = columns_of(table)
            return self._score(validate_columns(self.definition, self._used, table, self.required_when), partial)

    def rank_and_grade(self, scores: Scores | Iterable[Scores], *, partial: bool = False) -> Evaluation:
        """Phase two: rank and grade the units of one or several ``score_units`` results together.

        ``ScopeError`` when batches hold the same unit, or units of a group that is not unit-local, or
        fewer units than a group's roster where a quota or a condition reads them all (``partial``: see
        ``evaluate``).
        """
        parts = [scores] if isinstance(scores, Scores) else list(scores)
        batches: dict[int, list[GroupScores]] = {}
        for part in parts:
            for found in part.groups:
                batches.setdefault(found.index, []).append(found)
        graphs = {g.index: g for g in self._graphs}
        runs = []
        with decimal.localcontext(CONTEXT), self.speaking():
            for index, group_batches in sorted(batches.items()):
                graph = graphs[index]
                scored = concatenated(graph, group_batches)
                short = _short_of_roster(graph, scored.units, graph.roster_readers, partial)
                runs.append(_GroupRun(graph, scored, self.definition, short))
        given = {run.graph.index: set(run.units) for run in runs}
        missing = tuple(u for i, g in enumerate(self.definition.groups) for u in (g.units or ())
                        if u not in given.get(i, ()))
        return Evaluation(runs, missing)

    def ranking(self, group_id: str) -> RankingSpec:
        """How group ``group_id`` ranks its units, and whether its units can be scored in batches."""
        graph = next((g for g in self._graphs if g.group.id == group_id), None)
        if graph is None:
            raise KeyError(group_id)
        group = graph.group
        unranking = tuple(v.id for v in group.vetoes if v.effects.unrank)
        return RankingSpec(group.id, group.ranking, unranking, not graph.peer_rules, graph.peer_rules)

    def speaking(self) -> Any:
        """A context in which apprule speaks the scheme's language, unless one was chosen (``i18n.using``):
        the errors of scoring are in the language of the scheme's office, as its explanations are."""
        return using(scheme=self.definition.language)

    @property
    def _used(self) -> list[frozenset[str]]:
        return [g.facts for g in self._graphs]

    def _score(self, population: list[GroupFacts], partial: bool) -> Scores:
        check_population(self.definition, self.checks, population)
        graphs = {g.index: g for g in self._graphs}
        for found in population:
            _short_of_roster(graphs[found.index], found.units, graphs[found.index].peer_readers, partial)
        return Scores(tuple(score_units(graphs[found.index], found, self.definition) for found in population))

    def aggregate(self, evaluations: Mapping[str, Evaluation]) -> dict[str, PeriodTotal]:
        """Weigh the results of several periods (period name → evaluation) into one total per unit."""
        spec = self.definition.aggregate
        if spec is None:
            with self.speaking():
                raise PeriodError(_("scheme {id!r} declares no `aggregate` for its periods", id=self.id))
        with decimal.localcontext(CONTEXT), self.speaking():
            return aggregate_periods(spec, evaluations)

    def __repr__(self) -> str:
        return f"<Scheme {self.id}: {self.title}>"


def load_scheme(source: str | os.PathLike[str], *, name: str | None = None,
                readings: Mapping[str, str] | None = None) -> Scheme:
    """Load a scheme from a path or YAML text; every mistake is raised at once as ``SchemeError``.

    ``readings`` maps a reading's id to one of its choices (the others keep their defaults).
    """
    definition, src = read_scheme(source, name=name, readings=readings)
    return compile_scheme(definition, src)


def compile_scheme(definition: SchemeDefinition, src: Source | None = None) -> Scheme:
    """Check and compile a scheme definition (one built in code, or read by ``read_scheme``)."""
    src = src or Source("<definition>", "", None)
    with using(scheme=definition.language):
        return _compiled(definition, src)


def _compiled(definition: SchemeDefinition, src: Source) -> Scheme:
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
    checks: list[CompiledCheck] = []
    for name, fact in definition.facts.items():  # over an event's fields on an events fact, else over the facts
        over: Mapping[str, Fact] = fact.fields or {} if fact.type == "events" else definition.facts
        for n, entry in enumerate(fact.checks):
            try:
                checks.append(CompiledCheck(name, fact.type == "events", expressions.parse(entry.test, over),
                                            entry.message))
            except ExpressionProblem as exc:
                problems.append(_locate(src, exc.code, exc.message, ("facts", name, "checks", n, "test"), exc.hint,
                                        exc.offset))
    graphs = []
    for index in range(len(definition.groups)):
        graph, found = build_group(definition, index)
        problems += [_locate(src, *f) for f in found]
        if graph is not None:
            graphs.append(graph)
    if problems:
        raise SchemeError(problems)
    return Scheme(definition, graphs, src.name, required_when, checks)


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


def _short_of_roster(graph: GroupGraph, units: Sequence[str], readers: Sequence[str], partial: bool
                     ) -> tuple[int, int] | None:
    """(units given, roster size) where ``units`` are fewer than the group's roster; ``ScopeError`` when a
    step (``readers``) needs the whole roster and the caller did not allow a partial run."""
    roster = graph.group.units
    if not roster or len(units) >= len(roster):
        return None
    if readers and not partial:
        absent = sorted(set(roster) - set(units))
        shown = "、".join(absent[:5]) + (_(" and {n} more", n=len(absent) - 5) if len(absent) > 5 else "")
        raise ScopeError(_("group {group!r} has {given} of the {size} units of its roster (missing: {shown}), and "
                           "{readers}: give every unit, or allow a partial run (partial=True; "
                           "apprule score --partial) to compute it among the units given",
                           group=graph.group.id, given=len(units), size=len(roster), shown=shown, readers=readers[0]))
    return len(units), len(roster)


# --- ranking and grading of one group -------------------------------------------------------------

class _GroupRun:
    """One group ranked and graded from its scores: each unit's result is built when asked for."""

    def __init__(self, graph: GroupGraph, scored: GroupScores, definition: SchemeDefinition,
                 short: tuple[int, int] | None = None):
        self.graph, self.facts, self.definition = graph, scored.facts, definition
        self.readings, self.choice_labels = definition.in_force, definition.choice_labels
        #: (units given, roster size) when fewer units than the roster were ranked and graded
        self.short = short
        self.group_id = graph.group.id
        self.columns, self.total, self.vetoes = scored.columns, scored.total, scored.vetoes
        pop = Population(scored.units, scored.facts.sequences, scored.names, definition.period)
        self.would_rank, would_of, sizes, self.would_grade = _rank_and_grade(graph, pop, {})
        if self.vetoes:
            self.ranks, rank_of, sizes, self.grades = _rank_and_grade(graph, pop, self.vetoes)
        else:  # without a veto the would-be ranking is the real one
            self.ranks, rank_of, self.grades = self.would_rank, would_of, self.would_grade
        self.scope_sizes = sizes
        #: each unit's rank (0: none) and grade as its place among the levels (-1: none), as arrays
        self.rank_of, self.would_rank_of = rank_of, would_of
        self.grade_of = _grade_codes(graph.group, self.grades, pop.n)
        self.would_grade_of = self.grade_of if self.would_grade is self.grades else \
            _grade_codes(graph.group, self.would_grade, pop.n)
        #: the outcomes the group declares, and for each the positions (ascending) of the units it is for
        self.declared_records = declared_records(graph.group)
        self.declared = declared_outcomes(pop, graph, rank_of, self.grade_of)
        # the published order: by sequence, rank (the unranked last), total (highest first), then name (the
        # units are in name order): lexsort's last key leads
        group = graph.group
        sequences: dict[str | None, int] = {s.id: k for k, s in enumerate(group.sequences)}
        by_sequence = np.fromiter(map(sequences.get, pop.sequences, repeat(-1)), np.int64, pop.n) \
            if group.sequences else np.zeros(pop.n, np.int64)
        by_rank = np.where(rank_of > 0, rank_of, pop.n + 1)
        by_total = rank_array(self.total.fixed().ints, "desc")  # (Python integers too, where a total is wide)
        self.order_of = np.lexsort((np.arange(pop.n), by_total, by_rank, by_sequence))
        self.order = self.order_of.tolist()
        self._explained: tuple[dict[str, NodeColumn], NodeColumn, dict[int, GradeDecision]] | None = None
        self._shown: GroupShown | None = None

    @property
    def units(self) -> list[str]:
        return self.facts.units

    def explained(self) -> tuple[dict[str, NodeColumn], NodeColumn, dict[int, GradeDecision]]:
        """The columns and grades again, with their notes and inputs (made once, on the first explanation)."""
        if self._explained is None:
            with decimal.localcontext(CONTEXT):
                pop = population(self.definition, self.facts, explain=True)
                columns, total = score_group(self.graph, pop)
                grades = _rank_and_grade(self.graph, pop, self.vetoes)[3]
            self._explained = columns, total, grades
        return self._explained

    def result(self, i: int) -> Result:
        """Unit ``i``'s result: what it costs a lookup to read now, its parts when they are read."""
        group, decision = self.graph.group, self.grades.get(i)
        would = self.would_grade.get(i)
        found = self.vetoes.get(i)
        return Result._made(
            unit=self.units[i], group=group.id, group_label=group.label, sequence=self.facts.sequences[i],
            total=self.total.values[i], rank=self.ranks[i], grade=decision.grade if decision else None,
            would_be_rank=self.would_rank[i], would_be_grade=would.grade if would else None,
            vetoes=tuple(v.label for v in found) if found else (), group_ranked=group.ranking is not None,
            position=decision.position if decision else None, partial=self.short is not None, source=self, index=i)

    def lines(self, i: int, part: str) -> tuple[Line, ...]:
        """Unit ``i``'s ``sections``, or its ``adjustments`` rules, as lines."""
        group = self.graph.group
        if part == "sections":
            return tuple(self._line(s, i) for s in self.graph.top)
        if group.adjustments is None:
            return ()
        return tuple(self._line(c, i) for c in self.graph.nodes[group.adjustments.id].children)

    def values(self, i: int) -> dict[str, Decimal]:
        return {n: self.columns[n].values[i] for n in self.graph.order}

    def carried(self, i: int) -> tuple[tuple[str, Mapping[str, Any]], ...]:
        """Unit ``i``'s events dated after the period, with their events fact, each once, then the values it
        deferred to the next period ({deferred: 转入下年度, counted: what it counted as here}, with their fact);
        each names this period in its ``carried_from``, so that the next period can take it in."""
        period = self.definition.period
        source = f"{self.definition.id} {period.start}..{period.end}"
        carried: list[tuple[str, dict[str, Any]]] = []
        for node_id, events in self._carrying:
            carried += [(events, e) for e in ({**e, CARRIED_FROM: e.get(CARRIED_FROM) or source}
                                              for e in self.columns[node_id].carried(i)) if (events, e) not in carried]
        for fact, marker in self.facts.deferred.get(self.units[i], {}).items():  # 转入下年度 typed for a value
            carried.append((fact, {DEFERRED: marker, COUNTED: self.facts.columns[fact][i], CARRIED_FROM: source}))
        return tuple(carried)

    def outside(self, i: int) -> tuple[OutsidePeriod, ...]:
        """Unit ``i``'s events whose dates place them before or after the period, in its lists' order."""
        period, found = self.definition.period, []
        for events, dated_by in self._dating(i).items():
            fields = self.definition.facts[events].fields or {}
            for number, event in enumerate(self.facts.columns[events][i], 1):
                date = event.get(dated_by)
                date = None if date is None else convert(fields[dated_by], date)  # as given, or converted
                if date is not None and not period.start <= date <= period.end and \
                        (date > period.end or event.get(CARRIED_FROM) is None):  # carried in: counted
                    found.append(OutsidePeriod(events, number, date, "before" if date < period.start else "after",
                                               converted_event(self.definition.facts[events], event)))
        return tuple(found)

    def _dating(self, i: int) -> dict[str, str]:
        """Events fact → its date field, for the facts some `for_each` rule applying to unit ``i`` places."""
        return {node.leaf.spec.events: node.dated_by for n, node in self.graph.nodes.items()
                if node.kind == "leaf" and node.leaf.shape == "for_each" and node.dated_by
                and i not in self.columns[n].inapplicable}

    @cached_property
    def _carrying(self) -> list[tuple[str, str]]:
        """(rule, events fact) of the `for_each` rules that carried any event over."""
        return [(n, node.leaf.spec.events) for n, node in self.graph.nodes.items()
                if node.kind == "leaf" and node.leaf.shape == "for_each" and self.columns[n].carried_owners]

    def outcomes(self, i: int) -> tuple[Outcome, ...]:
        """Unit ``i``'s outcomes as records: its rules' honours and flags, its grants and demotions, its grade's
        honours, its vetoes, then the outcomes its group declares."""
        declared = [record for record, units in zip(self.declared_records, self.declared) if _holds(units, i)]
        return (*self._own_outcomes(i), *declared)

    def _own_outcomes(self, i: int) -> list[Outcome]:
        """Unit ``i``'s outcomes but the declared ones."""
        nodes, out = self.graph.nodes, []
        for node_id in self._awarding_ids:
            clause = nodes[node_id].spec.clause
            out += [Outcome(a.kind, a.name, a.name, clause, node_id, matter=a.matter, event=a.event)
                    for a in self.columns[node_id].awarded.get(i, ())]
        decision, grades = self.grades.get(i), self.graph.group.grades
        if decision is not None and grades is not None:
            out += decision.outcomes
            out += [Outcome("honour", h, h, grades.clause, "grade", grade=decision.grade)
                    for h in grades.honours.get(decision.grade or "", [])]
        out += [Outcome("veto", v.id, v.label, v.clause, v.id) for v in self.vetoes.get(i, ())]
        return out

    def trace(self, i: int) -> Trace:
        honours, flags = self.honours_and_flags(i)
        return _trace(self, i, self.ranks[i], honours, flags)

    def honours_and_flags(self, i: int) -> tuple[list[str], list[str]]:
        """Unit ``i``'s honours (its rules', then its grade's) and flags (its rules', then its vetoes'), once each."""
        group = self.graph.group
        honours: list[str] = []
        flags: list[str] = []
        for col in self._awarding:
            honours += [h for h in col.honours.get(i, ()) if h not in honours]
            flags += [f for f in col.flags.get(i, ()) if f not in flags]
        flags += [v.label for v in self.vetoes.get(i, ()) if v.label not in flags]
        decision = self.grades.get(i)
        if decision is not None and group.grades is not None:
            honours += [h for h in group.grades.honours.get(decision.grade or "", []) if h not in honours]
        return honours, flags

    @cached_property
    def _awarding_ids(self) -> list[str]:
        """The nodes, in the graph's order, that gave any unit an honour or a flag."""
        return [n for n in self.graph.order if self.columns[n].honours or self.columns[n].flags]

    @cached_property
    def _awarding(self) -> list[NodeColumn]:
        """The columns of ``_awarding_ids``."""
        return list(map(self.columns.__getitem__, self._awarding_ids))

    def table(self) -> dict[str, Any]:
        """The group's results as columns, in its published order: what ``Evaluation.to_arrow`` lays out.

        Made from the group's arrays; only the few units with lists of their own (a rule's honour or flag, a
        veto, a grant or demotion) are looked at one by one.
        """
        graph, group, order = self.graph, self.graph.group, self.order_of
        n = len(order)
        row_of = np.empty(n, np.int64)
        row_of[order] = np.arange(n)
        levels = list(group.grades.levels) if group.grades is not None else []
        grade_honours = group.grades.honours if group.grades is not None else {}
        grade_clause = group.grades.clause if group.grades is not None else None
        honours, flags, vetoed, outcomes = _Lists(), _Lists(), _Lists(), _Lists()
        own = sorted({i for col in self._awarding for i in (*col.honours, *col.flags)} | set(self.vetoes))
        for i in own:
            found = self.honours_and_flags(i)
            honours.extend(i, found[0])
            flags.extend(i, found[1])
        for i, vetoes in sorted(self.vetoes.items()):
            vetoed.extend(i, [v.id for v in vetoes])
        granted = sorted(set(own) | {i for i, d in self.grades.items() if d.outcomes})
        for i in granted:
            outcomes.extend(i, self._own_outcomes(i))
        # every other unit: its grade's honours; then every unit: the outcomes declared for it
        plain_h, plain_o = np.ones(n, bool), np.ones(n, bool)
        plain_h[own], plain_o[granted] = False, False
        for code, grade in enumerate(levels):
            names = grade_honours.get(grade, [])
            if names:
                at = self.grade_of == code
                for name in dict.fromkeys(names):
                    honours.add(np.flatnonzero(at & plain_h), name)
                for name in names:
                    outcomes.add(np.flatnonzero(at & plain_o), Outcome("honour", name, name, grade_clause, "grade",
                                                                       grade=grade))
        for record, units in zip(self.declared_records, self.declared):
            outcomes.add(units, record)
        table: dict[str, Any] = {
            "unit": Coded(order, self.units), "group": Coded(np.zeros(n, np.int64), [group.id]),
            "sequence": Coded(order, self.facts.sequences), "total": self.total.fixed().take(order),
            "rank": Counts(self.rank_of[order], self.rank_of[order] == 0), "grade": Coded(self.grade_of[order], levels),
            "would_be_rank": Counts(self.would_rank_of[order], self.would_rank_of[order] == 0),
            "would_be_grade": Coded(self.would_grade_of[order], levels), "position": self._positions(order),
            "honours": honours.listed(row_of), "flags": flags.listed(row_of), "vetoes": vetoed.listed(row_of),
            "outcomes": outcomes.listed(row_of),
        }
        parts = list(graph.top)
        if group.adjustments is not None:
            parts += [group.adjustments.id, *graph.nodes[group.adjustments.id].children]
        for node_id in parts:
            table[node_id] = self.columns[node_id].fixed().take(order)  # scores leave as fixed point
        return table

    def _positions(self, order: np.ndarray[Any, Any]) -> Counts:
        """Each graded unit's place in the published order of its grading scope (the others have none)."""
        positions, empty = np.zeros(len(order), np.int64), np.ones(len(order), bool)
        graded = np.fromiter(self.grades, np.int64, len(self.grades))
        positions[graded] = np.fromiter((d.position for d in self.grades.values()), np.int64, len(self.grades))
        empty[graded] = False
        return Counts(positions[order], empty[order])

    def places(self) -> dict[str, int]:
        """The places each value column of ``table`` is declared to round to (where it rounds)."""
        group = self.graph.group
        declared = {n: spec.round.places for n, node in self.graph.nodes.items()
                    if (spec := node.spec).round is not None}
        if group.total.round is not None:
            declared["total"] = group.total.round.places
        return declared

    def shown(self) -> GroupShown:
        """How the group's scores and maximum are shown: made once, on first use."""
        if self._shown is None:
            self._shown = GroupShown(self.definition, self.graph.group)
        return self._shown

    def _line(self, node_id: str, i: int) -> Line:
        spec = self.graph.nodes[node_id].spec
        col = self.columns[node_id]
        return Line(node_id, spec.label, col.values[i], col.maxes.get(i, col.max), spec.clause)


def _rank_and_grade(graph: GroupGraph, pop: Population, vetoes: dict[int, list[Veto]]
                    ) -> tuple[list[int | None], np.ndarray[Any, Any], dict[str | None, int],
                               dict[int, GradeDecision]]:
    """Each unit's rank (None: not ranked), the same as an array (0: not ranked), the size of each ranking scope,
    and the grades."""
    group = graph.group
    rank_of = np.zeros(pop.n, np.int64)
    sizes: dict[str | None, int] = {}
    ranking = group.ranking
    ranked_members = list(range(pop.n))
    if ranking is not None:
        left_out = {i for i, found in vetoes.items() if any(v.effects.unrank for v in found)}
        if ranking.exclude:
            excluded = set(ranking.exclude)
            left_out.update(i for i, unit in enumerate(pop.units) if unit in excluded)
        if left_out:
            ranked_members = list(filterfalse(left_out.__contains__, ranked_members))
        for key, members in scopes(pop.sequences, ranked_members, ranking.scope).items():
            sizes[key] = len(members)
            rank_of[members] = rank_scope(pop, graph, ranking, members)
    ranks: list[int | None] = [r or None for r in rank_of.tolist()]
    pop.names["rank"] = ranks
    decisions: dict[int, GradeDecision] = {}
    if group.grades is not None:
        pop.names["scope_size"] = [None] * pop.n
        pop.names["rank_from_bottom"] = [None] * pop.n
        scope = group.grades.scope or (ranking.scope if ranking else "group")
        rank_only = {i: r for i, r in enumerate(ranks) if r is not None}
        for members in scopes(pop.sequences, ranked_members, scope).values():
            decisions.update(assign_grades(pop, graph, members, rank_only, vetoes))
        for i, found in vetoes.items():  # a forced grade holds even for a unit out of the ranking
            forced = [v for v in found if v.effects.force is not None]
            if i not in decisions and forced:
                decisions[i] = GradeDecision(forced[-1].effects.force, [
                    Note("forced_unranked", {"veto": v.label, "grade": v.effects.force}) for v in forced],
                    outcomes=[demotion(v, None, v.effects.force) for v in forced])
    return ranks, rank_of, sizes, decisions


def _grade_codes(group: Group, decisions: dict[int, GradeDecision], n: int) -> np.ndarray[Any, Any]:
    """Each unit's grade as its place among the group's levels; -1 where it has none."""
    codes = np.full(n, -1, np.int64)
    if decisions:
        index: dict[str | None, int] = {g: k for k, g in enumerate(group.grades.levels if group.grades else ())}
        codes[np.fromiter(decisions, np.int64, len(decisions))] = np.fromiter(
            (index.get(d.grade, -1) for d in decisions.values()), np.int64, len(decisions))
    return codes


def _holds(units: np.ndarray[Any, Any], i: int) -> bool:
    """Whether the ascending positions ``units`` hold ``i``."""
    k = int(np.searchsorted(units, i))
    return k < len(units) and int(units[k]) == i


class _Lists:
    """The entries of a list column (honours, outcomes…), gathered unit by unit or for many units at once (each
    unit's in one way only), then laid out by row: values are kept once each, as codes."""

    def __init__(self) -> None:
        self.values: dict[Any, int] = {}  # value → its code
        self.one: tuple[list[int], list[int]] = ([], [])  # (unit, code) entries given unit by unit
        self.many: list[tuple[np.ndarray[Any, Any], int]] = []  # (units, code) given at once

    def extend(self, i: int, values: Iterable[Any]) -> None:
        """``values`` at the end of unit ``i``'s list."""
        for value in values:
            self.one[0].append(i)
            self.one[1].append(self.values.setdefault(value, len(self.values)))

    def add(self, units: np.ndarray[Any, Any], value: Any) -> None:
        """``value`` at the end of the list of each of ``units``."""
        self.many.append((units, self.values.setdefault(value, len(self.values))))

    def listed(self, row_of: np.ndarray[Any, Any]) -> Listed:
        """The lists in row order (unit ``i`` at row ``row_of[i]``), each in the order its entries came: those
        given unit by unit first."""
        units = np.concatenate([np.asarray(self.one[0], np.int64), *(u for u, _ in self.many)])
        codes = np.concatenate([np.asarray(self.one[1], np.int64),
                                *(np.full(len(u), code, np.int64) for u, code in self.many)])
        rows = row_of[units]
        at = np.argsort(rows, kind="stable")  # stable: a unit's entries stay in the order they came
        offsets = np.zeros(len(row_of) + 1, np.int64)
        np.cumsum(np.bincount(rows, minlength=len(row_of)), out=offsets[1:])
        return Listed(offsets, codes[at], list(self.values))


def _scope_label(group: Group, key: str | None) -> str:
    if key is None:
        return group.label
    return next(f"{group.label} / {s.label}" for s in group.sequences if s.id == key)


def _trace(run: _GroupRun, i: int, rank: int | None, honours: list[str], flags: list[str]) -> Trace:
    graph, group = run.graph, run.graph.group
    columns, total, grades = run.explained()
    decision = grades.get(i)
    vetoes = run.vetoes.get(i, [])

    def node_trace(node_id: str) -> Trace:
        node = graph.nodes[node_id]
        col = columns[node_id]
        kind = node.kind if node.kind != "leaf" else node.leaf.shape
        inputs = (col.inputs or {}).get(i, {})
        return Trace(node_id, node.spec.label, kind, col.values[i], node.spec.clause, col.maxes.get(i, col.max),
                     tuple((k, v) for k, v in inputs.items() if k != "key"), tuple((col.notes or {}).get(i, ())),
                     col.honours.get(i, ()), col.flags.get(i, ()), tuple(node_trace(c) for c in node.children))

    parts = [node_trace(s) for s in graph.top]
    if group.adjustments is not None:
        parts.append(node_trace(group.adjustments.id))
    children = [Trace("total", group.total.label, "total", total.values[i], group.total.clause, total.max,
                      tuple((total.inputs or {}).get(i, {}).items()), tuple((total.notes or {}).get(i, ())),
                      children=tuple(parts))]
    children += [node_trace(leaf.id) for leaf in group.derived]
    for veto in vetoes:
        children.append(Trace(veto.id, veto.label, "veto", "applies", veto.clause,
                              notes=(Note("veto", {"when": veto.when}),), flags=(veto.label,)))
    if group.ranking is not None:
        key = run.facts.sequences[i] if group.ranking.scope == "sequence" else None
        why = Note("rank", {"rank": rank, "of": run.scope_sizes[key], "scope": _scope_label(group, key)}) \
            if rank is not None else _unranked_reason(vetoes)
        short = () if run.short is None else (Note("partial", {"given": run.short[0], "roster": run.short[1]}),)
        children.append(Trace("rank", "排名", "rank", rank, group.ranking.clause, notes=(why, *short)))
    if group.grades is not None:
        notes = tuple(decision.notes) if decision else (Note("not_graded"),)
        children.append(Trace("grade", "等次", "grade", decision.grade if decision else None,
                              group.grades.clause, notes=notes))
    return Trace(run.units[i], group.label, "unit", total.values[i], group.clause, group.max,
                 honours=tuple(honours), flags=tuple(flags), children=tuple(children), outcomes=run.outcomes(i))


def _unranked_reason(vetoes: list[Veto]) -> Note:
    unranks = [v.label for v in vetoes if v.effects.unrank]
    if unranks:
        return Note("unranked_veto", {"vetoes": tuple(unranks)})
    return Note("unranked_excluded")
