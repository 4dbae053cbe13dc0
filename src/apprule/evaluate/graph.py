"""Compile a group's score tree into named nodes in evaluation order, expressions parsed once."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterable, Mapping
from graphlib import CycleError, TopologicalSorter

from .. import expressions
from ..errors import Path, did_you_mean
from ..expressions import Expression, ExpressionProblem
from ..facts import value_hint
from ..scheme.model import Block, Fact, Group, Leaf, SchemeDefinition, Section
from ..i18n import _

#: Names every unit-level expression may read besides facts and node ids, and where.
TOTAL_NAMES = ("sections", "adjustments")
RESULT_NAMES = ("total",)
GRADE_NAMES = ("total", "rank", "rank_from_bottom", "scope_size")
#: the outcome columns of a result table (``Evaluation.to_arrow``), which a rule's own column may not shadow
OUTCOME_NAMES = ("unit", "group", "sequence", "grade", "would_be_rank", "would_be_grade", "position", "honours",
                 "flags", "vetoes", "outcomes")
RESERVED = TOTAL_NAMES + GRADE_NAMES + OUTCOME_NAMES


@dataclass(eq=False)
class GraphNode:
    """One section, block or rule of a group's tree."""

    id: str
    spec: Section | Block | Leaf
    path: Path
    parent: str | None
    children: tuple[str, ...] = ()
    exprs: dict[str, Expression] = field(default_factory=dict)
    event_exprs: dict[str, Expression] = field(default_factory=dict)
    donors: tuple[str, ...] = ()
    reads: set[str] = field(default_factory=set)
    dated_by: str | None = None
    #: a score read from a number fact whose declared bounds lie within the rule's: validation has
    #: checked every value, so there is nothing to check or clamp again
    within: bool = False

    @property
    def leaf(self) -> Leaf:
        """The node's rule (only rules have shapes)."""
        assert isinstance(self.spec, Leaf), self.id
        return self.spec

    @property
    def reads_peers(self) -> bool:
        """Whether the rule reads other units' values (a peer average, a rank among the units)."""
        from .shapes import SHAPES  # the shapes' modules import this one

        leaf = self.leaf
        return leaf.fill is not None or SHAPES[leaf.shape].reads_peers(leaf.spec)

    @property
    def kind(self) -> str:
        return "section" if isinstance(self.spec, Section) else "block" if isinstance(self.spec, Block) else "leaf"


@dataclass(eq=False)
class GroupGraph:
    """A group compiled: nodes in evaluation order and the expressions of its later stages."""

    group: Group
    index: int
    nodes: dict[str, GraphNode]
    order: tuple[str, ...]
    total: Expression | None
    ranking_by: Expression | None
    tie_breakers: tuple[Expression, ...]
    grade_tests: dict[int, Expression]
    grant_tests: dict[int, Expression]
    veto_tests: dict[str, Expression]
    facts: frozenset[str]
    #: the rules that read other units' values before the ranking (peer averages, ranks among the
    #: units, movement): where there are none the group is *unit-local*, and batches of its units
    #: can be scored apart
    peer_rules: tuple[str, ...] = ()
    #: declared outcome (its place in `outcomes`) → its condition, and its `by` value
    outcome_tests: dict[int, Expression] = field(default_factory=dict)
    outcome_by: dict[int, Expression] = field(default_factory=dict)

    @property
    def peer_readers(self) -> list[str]:
        """What in scoring reads other units' values (so a run on fewer units than the roster must be
        allowed as partial): the rules of ``peer_rules``. Said anew each time, in the language then in force."""
        return [_("rule {rule!r} reads other units' values", rule=rule) for rule in self.peer_rules]

    @property
    def roster_readers(self) -> list[str]:
        """What in scoring, ranking or grading reads every unit of the roster: ``peer_readers``, quotas, and
        conditions on the place from the bottom or the size of the scope."""
        found = list(self.peer_readers)
        grades = self.group.grades
        if grades is not None:
            found += [_("grade {grade!r} has a quota",
                        grade=rule.grade) for rule in grades.rules if rule.quota is not None]
        for expr in (*self.grade_tests.values(), *self.grant_tests.values()):
            found += [_("a grade condition reads {name}",
                        name=name) for name in sorted(expr.names & {"rank_from_bottom",
                                                                                          "scope_size"})]
        for i, outcome in enumerate(self.group.outcomes):
            reads = self.outcome_tests[i].names if i in self.outcome_tests else set()
            if outcome.last is not None or reads & {"rank_from_bottom", "scope_size"}:
                found.append(_("outcome {outcome!r} counts places from the bottom", outcome=outcome.id))
        return found

    @cached_property
    def top(self) -> tuple[str, ...]:
        return tuple(n.id for n in self.group.sections)


@dataclass
class _Builder:
    scheme: SchemeDefinition
    group: Group
    index: int
    problems: list[tuple[str, str, Path, str | None, int | None]] = field(default_factory=list)
    nodes: dict[str, GraphNode] = field(default_factory=dict)

    @property
    def base(self) -> Path:
        return ("groups", self.index)

    def problem(self, code: str, message: str, path: Path, hint: str | None = None,
                offset: int | None = None) -> None:
        self.problems.append((code, message, path, hint, offset))

    def expression(self, text: str, path: Path, known: set[str]) -> Expression | None:
        try:
            return expressions.parse(text, known)
        except ExpressionProblem as exc:
            self.problem(exc.code, exc.message, path, exc.hint, exc.offset)
            return None

    # -- tree -----------------------------------------------------------------------------------

    def add(self, spec: Section | Block | Leaf, path: Path, parent: str | None) -> None:
        if spec.id in self.nodes or spec.id in self.scheme.facts or spec.id in RESERVED:
            what = _("a fact") if spec.id in self.scheme.facts else _("reserved") if spec.id not in self.nodes else \
                _("already used in this group")
            self.problem("duplicate-id", _("id {id!r} is {what}", id=spec.id, what=what), path + ("id",))
            return
        node = GraphNode(spec.id, spec, path, parent)
        self.nodes[spec.id] = node
        if isinstance(spec, Section):
            node.children = tuple(c.id for c in spec.items)
            for i, child in enumerate(spec.items):
                self.add(child, path + ("items", i), spec.id)
        elif isinstance(spec, Block):
            node.children = tuple(c.id for c in spec.rules)
            for i, child in enumerate(spec.rules):
                self.add(child, path + ("rules", i), spec.id)

    def unit_names(self) -> set[str]:
        return set(self.scheme.facts) | set(self.nodes)

    def leaf_expressions(self, node: GraphNode) -> None:
        """Parse what the rule reads (with the names a unit has, but its own id), then its shape's own work."""
        from .shapes import SHAPES  # the shapes' modules import this one

        leaf = node.leaf
        shape = SHAPES[leaf.shape]
        known = self.unit_names() - {node.id}
        roles: list[tuple[str, str | None, tuple[str, ...]]] = [("applies", leaf.applies, ("applies",))]
        roles += [(role, text, (leaf.shape, *rel)) for role, text, rel in shape.roles(leaf.spec)]
        for role, text, rel in roles:
            if text is not None:
                expr = self.expression(text, node.path + rel, known)
                if expr is not None:
                    node.exprs[role] = expr
                    node.reads |= expr.names
        if shape.compile is not None:
            shape.compile(self, node)

    def close(self, name: str, choices: Iterable[object]) -> str | None:
        """A did-you-mean hint for a misspelled ``name``."""
        return did_you_mean(name, choices)

    def check_table_keys(self, table: Mapping[str | int, object], of: Expression, facts: dict[str, Fact],
                         path: Path) -> None:
        name = of.bare_name
        fact = facts.get(name) if name else None
        if fact is not None and fact.type == "enum":
            for key in table:
                if key not in fact.enum_values:
                    self.problem("unknown-value", _("{key!r} is not a value of enum {name!r}",
                                                    key=key, name=name), path + (key,),
                                 value_hint(str(key), fact))

    def transfers(self) -> None:
        donors: dict[str, list[str]] = {}
        for node in self.nodes.values():
            leaf = node.spec
            if not isinstance(leaf, Leaf) or leaf.transfer_to is None:
                continue
            target = self.nodes.get(leaf.transfer_to)
            path = node.path + ("transfer_to",)
            if leaf.applies is None:
                self.problem("invalid-value", _("`transfer_to` needs `applies` (when the unit has no such item)"), path)
            elif target is None or not isinstance(target.spec, Leaf):
                self.problem("unknown-node", _("no rule {transfer_to!r} in this group to take the weight",
                                               transfer_to=leaf.transfer_to),
                             path, self.close(str(leaf.transfer_to), self.nodes))
            elif leaf.max is None or target.spec.max is None or target.spec.max == 0:
                self.problem("invalid-value", _("weight transfer needs `max` on both rules"), path)
            else:
                donors.setdefault(target.id, []).append(node.id)
        for target_id, ids in donors.items():
            self.nodes[target_id].donors = tuple(ids)
            self.nodes[target_id].reads |= set(ids)

    def order(self) -> tuple[str, ...]:
        sorter: TopologicalSorter[str] = TopologicalSorter()
        for node in self.nodes.values():
            sorter.add(node.id, *node.children, *(r for r in node.reads if r in self.nodes))
        try:
            return tuple(sorter.static_order())
        except CycleError as exc:
            cycle = exc.args[1]
            first = self.nodes[cycle[0]]
            self.problem("cycle", _("rules depend on each other in a circle: ") + " -> ".join(cycle), first.path)
            return tuple(self.nodes)


def build_group(scheme: SchemeDefinition, index: int) -> tuple[GroupGraph | None, list[tuple[str, str, Path, str | None,
                                                                                   int | None]]]:
    """Compile group ``index``; return the graph (None when broken) and the problems found."""
    group = scheme.groups[index]
    b = _Builder(scheme, group, index)
    for i, section in enumerate(group.sections):
        b.add(section, b.base + ("sections", i), None)
    if group.adjustments is not None:
        b.add(group.adjustments, b.base + ("adjustments",), None)
    for i, leaf in enumerate(group.derived):
        b.add(leaf, b.base + ("derived", i), None)
    for node in list(b.nodes.values()):
        if isinstance(node.spec, Leaf):
            b.leaf_expressions(node)
    b.transfers()
    order = b.order()

    unit_names = b.unit_names()
    total = None
    if group.total.formula is not None:
        total = b.expression(group.total.formula, b.base + ("total", "formula"), unit_names | set(TOTAL_NAMES))
    result_names = unit_names | set(RESULT_NAMES)
    ranking_by, breakers = None, []
    if group.ranking is not None:
        ranking_by = b.expression(group.ranking.by, b.base + ("ranking", "by"), result_names)
        for i, text in enumerate(group.ranking.tie_breakers):
            expr = b.expression(text, b.base + ("ranking", "tie_breakers", i), result_names)
            if expr is not None:
                breakers.append(expr)
    grade_tests, grant_tests = {}, {}
    if group.grades is not None:
        for i, rule in enumerate(group.grades.rules):
            if rule.when is not None:
                expr = b.expression(rule.when, b.base + ("grades", "rules", i, "when"), unit_names | set(GRADE_NAMES))
                if expr is not None:
                    grade_tests[i] = expr
        if group.ranking is None:
            for i, expr in grade_tests.items():
                if expr.names & {"rank", "rank_from_bottom"}:
                    b.problem("invalid-value", _("this condition reads the rank, but the group has no `ranking`"),
                              b.base + ("grades", "rules", i, "when"))
        for i, grant in enumerate(group.grades.grants):
            expr = b.expression(grant.when, b.base + ("grades", "grants", i, "when"), unit_names | set(GRADE_NAMES))
            if expr is not None:
                grant_tests[i] = expr
    veto_tests = {}
    for i, veto in enumerate(group.vetoes):
        expr = b.expression(veto.when, b.base + ("vetoes", i, "when"), result_names)
        if expr is not None:
            veto_tests[veto.id] = expr

    outcome_tests: dict[int, Expression] = {}
    outcome_by: dict[int, Expression] = {}
    for i, outcome in enumerate(group.outcomes):
        for key, found in (("when", outcome_tests), ("by", outcome_by)):
            text = getattr(outcome, key)
            if text is not None:
                expr = b.expression(text, b.base + ("outcomes", i, key), unit_names | set(GRADE_NAMES))
                if expr is not None:
                    found[i] = expr

    facts: set[str] = set()
    for expr in [total, ranking_by, *breakers, *grade_tests.values(), *grant_tests.values(), *veto_tests.values(),
                 *outcome_tests.values(), *outcome_by.values()]:
        if expr is not None:
            facts |= expr.names
    for node in b.nodes.values():
        facts |= node.reads
    facts &= set(scheme.facts)
    peer_rules = tuple(n for n in order if n in b.nodes and b.nodes[n].kind == "leaf" and b.nodes[n].reads_peers)
    graph = GroupGraph(group, index, b.nodes, order, total, ranking_by, tuple(breakers), grade_tests, grant_tests,
                       veto_tests, frozenset(facts), peer_rules, outcome_tests, outcome_by)
    return (None if b.problems else graph), b.problems
