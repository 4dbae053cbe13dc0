"""Semantic checks at load time: rosters, maxima, bands and grades make sense before any fact is seen."""

from __future__ import annotations

import decimal
from decimal import Decimal
from typing import Iterable, Iterator

from pydantic import BaseModel

from ..decimals import BOUNDS, MAX_MAGNITUDE, shown, within_bounds
from ..errors import Path, did_you_mean, format_path
from ..facts import RESERVED_NAMES, check_default, rank_roles
from ..i18n import _
from .model import Block, Group, Leaf, SchemeDefinition, Section

Found = tuple[str, str, Path, "str | None", "int | None"]


def check_scheme(scheme: SchemeDefinition) -> list[Found]:
    """Every structural mistake of ``scheme``, each with its YAML path."""
    found: list[Found] = list(_out_of_bounds(scheme, ()))
    seen_groups: dict[str, int] = {}
    roster: dict[str, Path] = {}
    for gi, group in enumerate(scheme.groups):
        base: Path = ("groups", gi)
        if group.id in seen_groups:
            found.append(("duplicate-id", f"group id {group.id!r} is used twice", base + ("id",), None, None))
        seen_groups[group.id] = gi
        for ui, unit in enumerate(group.units or ()):
            if unit in roster:
                found.append(("duplicate-unit", f"unit {unit!r} is already in the roster at "
                              f"{format_path(roster[unit])}", base + ("units", ui), None, None))
            roster[unit] = base + ("units", ui)
        found += _check_group(group, base)
    roles = rank_roles(scheme)
    for fid, fact in scheme.facts.items():
        if fact.min is not None and fact.max is not None and fact.min > fact.max:
            found.append(("invalid-value", f"fact {fid!r} has min above max", ("facts", fid), None, None))
        if fid in RESERVED_NAMES:
            found.append(("reserved-name", f"{fid!r} is a name apprule gives a meaning of its own; choose another",
                          ("facts", fid), None, None))
        problem = check_default(fact, roles.get(fid))
        if problem:
            found.append(("invalid-value", f"the default of fact {fid!r}: {problem}", ("facts", fid, "default"),
                          None, None))
        if fact.deferred not in (None, "empty"):  # what a deferred value counts as is a value of the fact
            problem = check_default(fact.model_copy(update={"default": str(fact.deferred)}), roles.get(fid))
            if problem:
                found.append(("invalid-value", f"the deferred value of fact {fid!r}: {problem}",
                              ("facts", fid, "deferred"), None, None))
    found += _check_given_back(scheme)
    if scheme.aggregate is not None and scheme.aggregate.weights is not None:
        found += _check_weights(scheme.aggregate.weights)
    return found


def _check_given_back(scheme: SchemeDefinition) -> Iterator[Found]:
    """A late fact (``given_back: X``) takes the value of X the period before deferred: X must exist and declare
    ``deferred``, be of the same type, and be given back by this one fact only; the late fact is optional, since
    only the units whose value was deferred give it."""
    taken: dict[str, str] = {}
    for fid, fact in scheme.facts.items():
        target_id = fact.given_back
        if target_id is None:
            continue
        path: Path = ("facts", fid, "given_back")
        target = scheme.facts.get(target_id)
        if target is None:
            hint = did_you_mean(target_id, [f for f in scheme.facts if f != fid])
            yield ("unknown-fact", _("`given_back: {target}` names no fact of this scheme", target=target_id)
                   + (f" ({hint})" if hint else ""), path, None, None)
        elif target_id == fid:
            yield ("bad-given-back", _("a fact gives back another fact's deferred value, not its own"), path, None,
                   None)
        elif target.deferred is None:
            yield ("bad-given-back", _("{target!r} declares no `deferred`: no period defers it, so none gives it "
                                       "back", target=target_id), path, None, None)
        elif target.type != fact.type:
            yield ("bad-given-back", _("{target!r} is a {kind} fact and {fact!r} a {own} one: a value given back is "
                                       "the same kind of value", target=target_id, kind=target.type, fact=fid,
                                       own=fact.type), ("facts", fid, "type"), None, None)
        elif target_id in taken:
            yield ("bad-given-back", _("{other!r} gives back {target!r} already: one fact takes the deferred value",
                                       other=taken[target_id], target=target_id), path, None, None)
        if not fact.optional:
            yield ("bad-given-back", _("{fact!r} is given only by the units whose value was deferred: make it "
                                       "optional (`required: false`)", fact=fid), ("facts", fid), None, None)
        taken.setdefault(target_id, fid)


#: load-time sums are exact: every number is within the bounds, so 60 digits hold a sum of up to 10^27 of them
_EXACT = decimal.Context(prec=60, traps=[decimal.Inexact, decimal.InvalidOperation, decimal.Overflow])


def _exact_sum(numbers: Iterable[Decimal]) -> Decimal | None:
    """The exact sum of ``numbers``; None when one lies outside the bounds (reported apart)."""
    try:
        with decimal.localcontext(_EXACT):
            return sum(numbers, Decimal(0))
    except ArithmeticError:
        return None


def _out_of_bounds(value: object, path: Path) -> Iterator[Found]:
    """Every number of the scheme outside the bounds apprule takes (``decimals.BOUNDS``): no later sum, step
    or conversion to text may overflow or hang on it. A fact's default is converted, and checked, apart."""
    if isinstance(value, BaseModel):
        for name, field in type(value).model_fields.items():
            if name != "default":
                yield from _out_of_bounds(getattr(value, name), path + (field.alias or name,))
        if isinstance(value, Leaf):  # a rule's spec is not a field: it is under its shape's key
            yield from _out_of_bounds(value.spec, path + (value.shape,))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _out_of_bounds(key, path + (key,))
            yield from _out_of_bounds(item, path + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _out_of_bounds(item, path + (i,))
    elif isinstance(value, int) and not isinstance(value, bool):
        if not -MAX_MAGNITUDE < value < MAX_MAGNITUDE:
            yield ("out-of-range", f"{shown(value)} is too large: {BOUNDS}", path, None, None)
    elif isinstance(value, Decimal):
        kept = within_bounds(value)
        if isinstance(kept, str):
            text = str(value)
            text = text if len(text) <= 40 else f"{text[:20]}… ({len(text)} characters)"
            yield ("out-of-range", f"{text} {kept}: {BOUNDS}", path, None, None)


def _check_weights(weights: dict[str, Decimal]) -> Iterator[Found]:
    """按权重核分: a weight below 0 would subtract a period; weights adding up to 0 weigh nothing."""
    for period, weight in weights.items():
        if weight < 0:
            yield ("invalid-value", f"a weight is at least 0, got {weight}", ("aggregate", "weights", period),
                   None, None)
    total = _exact_sum(weights.values())
    if total is not None and total == 0 and weights:
        yield ("invalid-value", "the weights add up to 0; at least one must be above 0", ("aggregate", "weights"),
               None, None)


def _check_group(group: Group, base: Path) -> list[Found]:
    found: list[Found] = []
    members = set(group.units or ())
    seq_ids: set[str] = set()
    in_sequence: dict[str, str] = {}
    for si, seq in enumerate(group.sequences):
        if seq.id in seq_ids:
            found.append(("duplicate-id", f"sequence id {seq.id!r} is used twice", base + ("sequences", si), None,
                          None))
        seq_ids.add(seq.id)
        for ui, unit in enumerate(seq.units or ()):
            path = base + ("sequences", si, "units", ui)
            if group.units is not None and unit not in members:
                found.append(("unknown-unit", f"unit {unit!r} is not in the roster of group {group.id!r}", path,
                              None, None))
            if unit in in_sequence:
                found.append(("duplicate-unit", f"unit {unit!r} is already in sequence {in_sequence[unit]!r}",
                              path, None, None))
            in_sequence[unit] = seq.id
    if group.units is not None and group.sequences and all(s.units is not None for s in group.sequences):
        for unit in sorted(members - set(in_sequence)):
            found.append(("missing-unit", f"unit {unit!r} of group {group.id!r} is in no sequence",
                          base + ("sequences",), None, None))

    if group.max is not None and group.unbalanced is None and group.sections:
        total = _exact_sum(_max_of(s) or Decimal(0) for s in group.sections)
        if total is not None and total != group.max:
            found.append(("unbalanced-max", f"the sections' maxima add up to {total}, not the group's max "
                          f"{group.max}; fix one or state why under `unbalanced`", base + ("max",), None, None))
    for i, node in enumerate(group.sections):
        found += _check_section_tree(node, base + ("sections", i), in_sections=True)
    if group.adjustments is not None:
        found += _check_section_tree(group.adjustments, base + ("adjustments",), in_sections=False)

    if group.ranking is not None:
        for i, unit in enumerate(group.ranking.exclude):
            if group.units is not None and unit not in members:
                found.append(("unknown-unit", f"unit {unit!r} is not in the roster of group {group.id!r}",
                              base + ("ranking", "exclude", i), None, None))
        if group.ranking.scope == "sequence" and not group.sequences:
            found.append(("invalid-value", "`scope: sequence` needs `sequences` in the group",
                          base + ("ranking", "scope"), None, None))
    if group.grades is not None:
        found += _check_grades(group, base + ("grades",))
    else:
        for i, veto in enumerate(group.vetoes):
            effects = veto.effects
            if effects.bar or effects.cap or effects.force or effects.demote:
                found.append(("invalid-value", "this veto changes grades, but the group has no `grades`",
                              base + ("vetoes", i, "effects"), None, None))
    found += _check_outcomes(group, base)
    return found


def _check_outcomes(group: Group, base: Path) -> Iterator[Found]:
    """Declared outcomes: ids once each (grants and vetoes are outcomes too), known grades, places to count."""
    levels = group.grades.levels if group.grades is not None else []
    named = {v.id for v in group.vetoes}
    if group.grades is not None:
        named |= {g.id for g in group.grades.grants if g.id is not None}
    for i, outcome in enumerate(group.outcomes):
        path = base + ("outcomes", i)
        if outcome.id in named:
            yield ("duplicate-id", f"outcome id {outcome.id!r} is used twice in group {group.id!r}", path + ("id",),
                   None, None)
        named.add(outcome.id)
        for j, grade in enumerate(outcome.grades or ()):
            if grade not in levels:
                yield ("unknown-grade", f"{grade!r} is not one of the levels {levels}" if levels else
                       "this outcome reads grades, but the group has no `grades`", path + ("grades", j), None, None)
        if (outcome.first or outcome.last) is not None and group.ranking is None:
            yield ("invalid-value", "`first` and `last` count places among the units a group ranks, but the group "
                   "has no `ranking`", path, None, None)


def _max_of(node: Section | Block | Leaf) -> Decimal | None:
    return node.max


def _check_section_tree(node: Section | Block | Leaf, path: Path, in_sections: bool) -> Iterator[Found]:
    if isinstance(node, Section):
        if not in_sections:
            yield ("invalid-value", "sections (`items`) belong in the score tree; adjustments use `rules`",
                   path + ("items",), None, None)
        for i, child in enumerate(node.items):
            if child.max is None:
                yield ("missing-key", f"item {child.id!r} of a section needs `max` (its weight)",
                       path + ("items", i), None, None)
        total = _exact_sum(child.max for child in node.items if child.max is not None)
        if total is not None and total != node.max and node.unbalanced is None:
            yield ("unbalanced-max", f"the items of {node.id!r} add up to {total}, not its max {node.max}; fix one "
                   "or state why under `unbalanced`", path + ("max",), None, None)
        for i, child in enumerate(node.items):
            yield from _check_section_tree(child, path + ("items", i), in_sections)
    elif isinstance(node, Block):
        for i, child in enumerate(node.rules):
            yield from _check_section_tree(child, path + ("rules", i), in_sections)
    else:
        from ..evaluate.shapes import SHAPES  # the shapes' modules import this one

        check = SHAPES[node.shape].check
        if check is not None:
            yield from check(node.spec, path + (node.shape,))


def _check_grades(group: Group, path: Path) -> Iterator[Found]:
    grades = group.grades
    assert grades is not None
    levels = grades.levels

    def known(grade: str | None, where: Path) -> Iterator[Found]:
        if grade is not None and grade not in levels:
            yield ("unknown-grade", f"{grade!r} is not one of the levels {levels}", where, None, None)

    if len(set(levels)) != len(levels):
        yield ("duplicate-id", "a grade level appears twice", path + ("levels",), None, None)
    sequence_ids = [s.id for s in group.sequences]
    for i, rule in enumerate(grades.rules):
        yield from known(rule.grade, path + ("rules", i, "grade"))
        for j, seq in enumerate(rule.sequences or ()):
            if seq not in sequence_ids:
                yield ("unknown-sequence", f"no sequence {seq!r} in group {group.id!r}",
                       path + ("rules", i, "sequences", j), None, None)
    last = grades.rules[-1]
    if last.when is not None or last.quota is not None:
        yield ("no-fallback-grade", "the last grade rule must take every unit left (no `when`, no `quota`)",
               path + ("rules", len(grades.rules) - 1), None, None)
    for i, grant in enumerate(grades.grants):
        yield from known(grant.grade, path + ("grants", i, "grade"))
        for grade in grant.from_ or ():
            yield from known(grade, path + ("grants", i, "from"))
    if group.ranking is None and any(rule.quota is not None for rule in grades.rules):
        yield ("invalid-value", "quotas need a `ranking` in the group", path, None, None)
    for grade in grades.honours:
        yield from known(grade, path + ("honours", grade))
    if grades.scope == "sequence" and not group.sequences:
        yield ("invalid-value", "`scope: sequence` needs `sequences` in the group", path + ("scope",), None, None)
    for i, veto in enumerate(group.vetoes):
        effects = veto.effects
        where = ("groups",) + path[1:2] + ("vetoes", i, "effects")
        for named in [effects.cap, effects.force, *effects.bar]:
            yield from known(named, where)
