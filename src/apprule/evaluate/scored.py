"""Phase one: a group's units scored by their own rules, as the columns that ranking and grading read.

Scoring (per-unit rules, sections, adjustments, the total and the vetoes) and ranking-and-grading
(across the units of a scope) are two phases. The first needs only the units it is given when the
group is *unit-local* (no rule reads other units before the ranking), so a batch of a larger
scope can be scored apart, on another worker, and the batches ranked together afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from ..errors import ScopeError
from ..facts import GroupFacts, converted_event
from ..scheme.model import SchemeDefinition, Veto
from .graph import GroupGraph
from .population import Population
from .score import score_group
from .shapes import NodeColumn
from ..i18n import _


@dataclass(eq=False)
class GroupScores:
    """One group's units after phase one (in name order). It holds no compiled code, so it pickles."""

    index: int  # the group's index in scheme.groups
    facts: GroupFacts
    #: every fact, rule id and `total` → one value per unit: what ranking and grading expressions read
    names: dict[str, Sequence[Any]]
    columns: dict[str, NodeColumn]
    total: NodeColumn
    #: unit position → the vetoes that apply to it
    vetoes: dict[int, list[Veto]]

    @property
    def units(self) -> list[str]:
        return self.facts.units


@dataclass(frozen=True, eq=False)
class Scores:
    """Phase one's result (``Scheme.score_units``): each group's units scored, for ``Scheme.rank_and_grade``."""

    groups: tuple[GroupScores, ...]

    def __len__(self) -> int:
        return sum(len(g.units) for g in self.groups)


def population(definition: SchemeDefinition, facts: GroupFacts, explain: bool = False) -> Population:
    """The group's units as a population to score, with the events validation laid flat."""
    return Population(facts.units, facts.sequences, dict(facts.columns), definition.period, explain,
                      dict(facts.events), definition.facts)


def score_units(graph: GroupGraph, facts: GroupFacts, definition: SchemeDefinition) -> GroupScores:
    """Phase one for one group: every rule, the total, and which vetoes apply."""
    pop = population(definition, facts)
    # the events laid flat are the population's now: the scorer drops each once its last rule is scored,
    # and an explanation lays them again
    facts.events.clear()
    columns, total = score_group(graph, pop)
    vetoes: dict[int, list[Veto]] = {}
    for veto in graph.group.vetoes:
        for i, applies in enumerate(pop.column(graph.veto_tests[veto.id], f"veto {veto.id}")):
            if applies:
                vetoes.setdefault(i, []).append(veto)
    return GroupScores(graph.index, facts, pop.names, columns, total, vetoes)


def concatenated(graph: GroupGraph, parts: Sequence[GroupScores]) -> GroupScores:
    """Batches of one group's units scored apart, as if scored together (their units must differ)."""
    if len(parts) == 1:
        return parts[0]
    if graph.peer_rules:
        raise ScopeError(_("group {group!r} is not unit-local: rule {peer_rules!r} reads other units' values before "
                           "the ranking, so its units are scored in one call",
                           group=graph.group.id, peer_rules=graph.peer_rules[0]))
    units = [u for part in parts for u in part.units]
    order = sorted(range(len(units)), key=units.__getitem__)  # the merged name order
    seen = set()
    for k in order:
        if units[k] in seen:
            raise ScopeError(_("unit {units!r} of group {group!r} was scored in two batches",
                               units=units[k], group=graph.group.id))
        seen.add(units[k])
    where = [0] * len(units)  # position in the batches laid end to end → position in the merged order
    for new, old in enumerate(order):
        where[old] = new
    starts = [0]
    for part in parts[:-1]:
        starts.append(starts[-1] + len(part.units))

    def merged(columns: list[Sequence[Any]]) -> list[Any]:
        laid = [value for column in columns for value in column]
        return [laid[k] for k in order]

    def moved(p: int, i: int) -> int:
        return where[starts[p] + i]

    first = parts[0]
    facts = GroupFacts(first.index, [units[k] for k in order], merged([p.facts.sequences for p in parts]),
                       {name: merged([p.facts.columns[name] for p in parts]) for name in first.facts.columns},
                       deferred={u: d for p in parts for u, d in p.facts.deferred.items()})
    names: dict[str, Sequence[Any]] = {name: merged([p.names[name] for p in parts]) for name in first.names}
    columns = {node: _merged_column([p.columns[node] for p in parts], merged, moved) for node in first.columns}
    total = _merged_column([p.total for p in parts], merged, moved)
    vetoes = {moved(p, i): found for p, part in enumerate(parts) for i, found in part.vetoes.items()}
    return GroupScores(first.index, facts, names, columns, total, vetoes)


def _merged_column(columns: list[NodeColumn], merged: Any, moved: Any) -> NodeColumn:
    out = NodeColumn(merged([c.values for c in columns]), columns[0].max)
    carried: list[tuple[int, dict[str, Any]]] = []
    for p, col in enumerate(columns):
        out.maxes.update({moved(p, i): m for i, m in col.maxes.items()})
        out.inapplicable.update(moved(p, i) for i in col.inapplicable)
        out.missing.update(moved(p, i) for i in col.missing)
        out.honours.update({moved(p, i): h for i, h in col.honours.items()})
        out.flags.update({moved(p, i): f for i, f in col.flags.items()})
        out.awarded.update({moved(p, i): a for i, a in col.awarded.items()})
        declared = col.carried_declared
        carried += [(moved(p, i), e if declared is None else converted_event(declared, e))
                    for i, e in zip(col.carried_owners, col.carried_events)]
    carried.sort(key=lambda pair: pair[0])  # stable: each unit's events keep their order
    out.carried_owners = [i for i, _ in carried]
    out.carried_events = [e for _, e in carried]
    return out
