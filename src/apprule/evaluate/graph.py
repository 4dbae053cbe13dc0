"""Compile a group's score tree into named nodes in evaluation order, expressions parsed once."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterable, Mapping
from graphlib import CycleError, TopologicalSorter

from .. import expressions
from ..decimals import ZERO
from ..errors import Path, did_you_mean
from ..expressions import Expression, ExpressionProblem
from ..scheme.model import Block, Fact, Group, Leaf, SchemeDefinition, Section

#: Names every unit-level expression may read besides facts and node ids, and where.
TOTAL_NAMES = ("sections", "adjustments")
RESULT_NAMES = ("total",)
GRADE_NAMES = ("total", "rank", "rank_from_bottom", "scope_size")


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
        if spec.id in self.nodes or spec.id in self.scheme.facts or spec.id in TOTAL_NAMES + GRADE_NAMES:
            what = "a fact" if spec.id in self.scheme.facts else "reserved" if spec.id not in self.nodes else \
                "already used in this group"
            self.problem("duplicate-id", f"id {spec.id!r} is {what}", path + ("id",))
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
        leaf = node.spec
        assert isinstance(leaf, Leaf)
        known = self.unit_names()
        exprs: list[tuple[str, str | None, Path]] = [("applies", leaf.applies, ("applies",))]
        shape = leaf.shape
        spec = getattr(leaf, shape)
        if shape in ("score", "rate", "formula"):
            exprs.append(("of", spec, (shape,)))
        elif shape in ("per", "bands", "table"):
            exprs.append(("of", spec.of, (shape, "of")))
        elif shape == "steps":
            exprs += [("of", spec.of, ("steps", "of")), ("target", spec.target, ("steps", "target"))]
        elif shape == "when":
            exprs.append(("test", spec.test, ("when", "test")))
        elif shape == "rank_table":
            exprs += [("rank", spec.rank, ("rank_table", "rank")), ("by", spec.by, ("rank_table", "by")),
                      ("tie_count", spec.tie_count, ("rank_table", "tie_count"))]
        elif shape == "movement":
            exprs += [("now", spec.now, ("movement", "now")), ("before", spec.before, ("movement", "before"))]
        elif shape == "for_each":
            self.event_expressions(node)
        for role, text, rel in exprs:
            if text is None:
                continue
            expr = self.expression(text, node.path + rel, known - {node.id})
            if expr is not None:
                node.exprs[role] = expr
                node.reads |= expr.names
        if shape == "score" and "of" in node.exprs:
            fact = self.scheme.facts.get(node.exprs["of"].bare_name or "")
            node.within = fact is not None and fact.type in ("number", "count") and leaf.max is not None and \
                fact.min is not None and fact.min >= max(ZERO, leaf.min if leaf.min is not None else ZERO) and \
                fact.max is not None and fact.max <= leaf.max
        if shape in ("table",) and "of" in node.exprs:
            assert leaf.table is not None
            self.check_table_keys(leaf.table.map, node.exprs["of"], self.scheme.facts, node.path + ("table", "map"))

    def event_expressions(self, node: GraphNode) -> None:
        spec = node.leaf.for_each
        assert spec is not None
        path = node.path + ("for_each",)
        fact = self.scheme.facts.get(spec.events)
        if fact is None or fact.type != "events":
            hint = _close(spec.events, [k for k, f in self.scheme.facts.items() if f.type == "events"])
            self.problem("unknown-name", f"{spec.events!r} is not an events fact", path + ("events",), hint)
            return
        node.reads.add(spec.events)
        node.dated_by = fact.dated_by
        fields = fact.fields or {}
        known = set(fields)
        if spec.key is not None and spec.key not in fields:
            self.problem("unknown-name", f"event field {spec.key!r} does not exist", path + ("key",),
                         _close(spec.key, fields))
        value = spec.value
        items: list[tuple[str, str | None, Path]] = [("where", spec.where, ("where",)),
                                                     ("formula", value.formula, ("value", "formula"))]
        if value.table is not None:
            items.append(("of", value.table.of, ("value", "table", "of")))
        if value.bands is not None:
            items.append(("of", value.bands.of, ("value", "bands", "of")))
        for role, text, rel in items:
            if text is not None:
                expr = self.expression(text, path + rel, known)
                if expr is not None:
                    node.event_exprs[role] = expr
        if value.table is not None and "of" in node.event_exprs:
            self.check_table_keys(value.table.map, node.event_exprs["of"], fields, path + ("value", "table", "map"))
        if spec.combine == "highest_level" and value.table is None:
            self.problem("invalid-value", "`combine: highest_level` ranks events by the order of a `table`",
                         path + ("combine",))

    def check_table_keys(self, table: Mapping[str | int, object], of: Expression, facts: dict[str, Fact],
                         path: Path) -> None:
        name = of.bare_name
        fact = facts.get(name) if name else None
        if fact is not None and fact.type == "enum":
            for key in table:
                if key not in fact.enum_values:
                    self.problem("unknown-value", f"{key!r} is not a value of enum {name!r}", path + (key,),
                                 _close(str(key), fact.enum_values))

    def transfers(self) -> None:
        donors: dict[str, list[str]] = {}
        for node in self.nodes.values():
            leaf = node.spec
            if not isinstance(leaf, Leaf) or leaf.transfer_to is None:
                continue
            target = self.nodes.get(leaf.transfer_to)
            path = node.path + ("transfer_to",)
            if leaf.applies is None:
                self.problem("invalid-value", "`transfer_to` needs `applies` (when the unit has no such item)", path)
            elif target is None or not isinstance(target.spec, Leaf):
                self.problem("unknown-node", f"no rule {leaf.transfer_to!r} in this group to take the weight",
                             path, _close(str(leaf.transfer_to), self.nodes))
            elif leaf.max is None or target.spec.max is None or target.spec.max == 0:
                self.problem("invalid-value", "weight transfer needs `max` on both rules", path)
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
            self.problem("cycle", "rules depend on each other in a circle: " + " -> ".join(cycle), first.path)
            return tuple(self.nodes)


def _close(name: str, choices: Iterable[object]) -> str | None:
    return did_you_mean(name, choices)


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
                    b.problem("invalid-value", "this condition reads the rank, but the group has no `ranking`",
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

    facts: set[str] = set()
    for expr in [total, ranking_by, *breakers, *grade_tests.values(), *grant_tests.values(), *veto_tests.values()]:
        if expr is not None:
            facts |= expr.names
    for node in b.nodes.values():
        facts |= node.reads
    facts &= set(scheme.facts)
    graph = GroupGraph(group, index, b.nodes, order, total, ranking_by, tuple(breakers), grade_tests, grant_tests,
                       veto_tests, frozenset(facts))
    return (None if b.problems else graph), b.problems
