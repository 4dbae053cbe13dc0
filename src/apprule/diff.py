"""What changes if…: one set of facts scored two ways, and every unit whose result differs.

The two ways are two schemes (this year's revision against last year's) or one scheme under two
choices of its readings. ``diff_evaluations`` compares them unit by unit: total, rank, grade,
outcomes (honours, flags, vetoes) and the value of every rule, section and block, so an office sees
who moves and which rules moved them before it adopts a revision or settles a disputed reading.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Mapping

from .decimals import plain
from .engine import Scheme
from .errors import aside
from .explain import OUTCOME_WORDS, readings_in_words
from .i18n import N_, _, ngettext
from .results import Evaluation, Result

#: the parts of a result compared, in the order a change is reported
PARTS = ("total", "rank", "grade", "outcomes")


def outcomes(result: Result) -> tuple[str, ...]:
    """What the document decides for a unit besides points (``Result.outcomes``), as comparable text, sorted."""
    return tuple(sorted(f"{_(OUTCOME_WORDS.get(o.kind, o.kind))} [{o.id}]: {o.label}"
                        + (f" — {o.matter}" if o.matter else "")
                        + (f" ({o.before or '—'} → {o.grade})" if o.grade else "") for o in result.outcomes))


@dataclass(frozen=True)
class Side:
    """One way of scoring: the scheme and the readings in force."""

    scheme: str
    title: str
    readings: Mapping[str, str]
    #: reading id → the label of its choice in force: what a reader is told the side means
    labels: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, scheme: Scheme) -> Side:
        return cls(scheme.id, scheme.title, dict(scheme.readings), scheme.choice_labels)

    def __str__(self) -> str:
        chosen = readings_in_words(dict(sorted(self.readings.items())), self.labels)
        return self.scheme + aside(chosen)


@dataclass(frozen=True)
class NodeChange:
    """A rule, section or block whose value differs (None where one side has no such node)."""

    id: str
    label: str
    clause: str | None
    base: Decimal | None
    new: Decimal | None


@dataclass(frozen=True)
class UnitChange:
    """One unit whose result differs: each part on both sides, and the nodes that changed."""

    unit: str
    group: str
    #: the parts that differ, of ``PARTS`` (empty when only rules changed and the total absorbed them)
    changed: tuple[str, ...]
    base: Mapping[str, Any]
    new: Mapping[str, Any]
    nodes: tuple[NodeChange, ...]


@dataclass(frozen=True)
class Diff:
    """Every unit scored differently by ``new`` than by ``base``, in the base's published order."""

    base: Side
    new: Side
    units: tuple[UnitChange, ...]
    #: units one side scored and the other did not
    only_base: tuple[str, ...]
    only_new: tuple[str, ...]


def diff_evaluations(base: Evaluation, new: Evaluation, base_scheme: Scheme, new_scheme: Scheme) -> Diff:
    """Compare two evaluations of the same facts, unit by unit."""
    order = [u for g in base_scheme.groups for u in (r.unit for r in base.group(g.id))]
    order += sorted(set(base) - set(order))
    changes = []
    for unit in order:
        if unit in new:
            change = _unit_change(base[unit], new[unit])
            if change is not None:
                changes.append(change)
    return Diff(Side.of(base_scheme), Side.of(new_scheme), tuple(changes),
                tuple(u for u in order if u not in new), tuple(sorted(set(new) - set(base))))


def _parts(result: Result) -> dict[str, Any]:
    return {"total": result.total, "rank": result.rank, "grade": result.grade, "outcomes": outcomes(result)}


def _unit_change(base: Result, new: Result) -> UnitChange | None:
    before, after = _parts(base), _parts(new)
    changed = tuple(p for p in PARTS if before[p] != after[p])
    old_values, new_values = base.values, new.values
    ids = [i for i in old_values if old_values[i] != new_values.get(i)]
    ids += [i for i in new_values if i not in old_values]
    if not changed and not ids:
        return None
    nodes = {t.id: t for r in (new, base) for t in r.trace.walk() if t.id in ids}  # the base's label wins
    return UnitChange(base.unit, base.group, changed, before, after, tuple(
        NodeChange(i, nodes[i].label if i in nodes else i, nodes[i].clause if i in nodes else None,
                   old_values.get(i), new_values.get(i)) for i in ids))


# --- as data, as rows ------------------------------------------------------------------------------

def diff_data(diff: Diff) -> dict[str, Any]:
    """The diff as JSON-ready data: decimals as strings."""
    def side(s: Side) -> dict[str, Any]:
        return {"scheme": s.scheme, "title": s.title, "readings": dict(sorted(s.readings.items()))}

    def parts(p: Mapping[str, Any]) -> dict[str, Any]:
        return {"total": plain(p["total"]), "rank": p["rank"], "grade": p["grade"], "outcomes": list(p["outcomes"])}

    return {
        "base": side(diff.base), "new": side(diff.new),
        "units": [{"unit": c.unit, "group": c.group, "changed": list(c.changed), "base": parts(c.base),
                   "new": parts(c.new),
                   "nodes": [{"id": n.id, "label": n.label, "clause": n.clause, "base": _number(n.base),
                              "new": _number(n.new)} for n in c.nodes]} for c in diff.units],
        "only_base": list(diff.only_base), "only_new": list(diff.only_new),
    }


def _number(value: Decimal | None) -> str | None:
    return None if value is None else plain(value)


#: the diff table's columns: key → header, said in the language of the run (the new side's scheme's)
COLUMNS = {"unit": N_("Unit"), "group": N_("Group"), "total": N_("Total"), "rank": N_("Rank"), "grade": N_("Grade"),
           "outcomes": N_("Honours/flags/vetoes"), "nodes": N_("Rules changed")}


def diff_rows(diff: Diff) -> list[list[str]]:
    """Header, then one row per changed unit: each changed part as ``base → new``, and the nodes that moved."""
    rows = [[_(v) for v in COLUMNS.values()]]
    for c in diff.units:
        row = [c.unit, c.group]
        for part in PARTS:
            row.append(_arrow(c.base[part], c.new[part]) if part in c.changed else _shown(c.base[part]))
        row.append("; ".join(f"{n.label} [{n.id}] {_arrow(n.base, n.new)}" for n in c.nodes))
        rows.append(row)
    return rows


def _shown(value: Any) -> str:
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, tuple):
        return "、".join(value) or "—"
    return "—" if value is None else str(value)


def _arrow(base: Any, new: Any) -> str:
    return f"{_shown(base)} → {_shown(new)}"


def summary(diff: Diff) -> list[str]:
    """The lines above and below a diff table: the two ways, and how many units changed."""
    lines = [_("base: {side}", side=diff.base), _("new:  {side}", side=diff.new),
             ngettext("{n} unit changed", "{n} units changed", len(diff.units))]
    if diff.only_base:
        lines.append(_("only in base: {units}", units="、".join(diff.only_base)))
    if diff.only_new:
        lines.append(_("only in new: {units}", units="、".join(diff.only_new)))
    return lines


def diff_xlsx(diff: Diff) -> bytes:
    """A workbook: the sheet 变化 (one row per changed unit), 规则 (one row per changed node), 说明 (the two ways)."""
    from openpyxl import Workbook

    from .io.write import fill_sheet, workbook_bytes

    book = Workbook()
    for sheet in list(book.worksheets):
        book.remove(sheet)
    fill_sheet(book.create_sheet(_("Changes")), diff_rows(diff))
    nodes: list[list[Any]] = [[_(COLUMNS["unit"]), _(COLUMNS["group"]), _("Rule id"), _("Rule"), _("Clause"), _("Base"),
                               _("New")]]
    nodes += [[c.unit, c.group, n.id, n.label, n.clause, n.base, n.new] for c in diff.units for n in c.nodes]
    fill_sheet(book.create_sheet(_("Rules")), nodes)
    about: list[list[Any]] = [["", _("Base"), _("New")], [_("Scheme id"), diff.base.scheme, diff.new.scheme],
                              [_("Title"), diff.base.title, diff.new.title]]
    for reading in sorted({*diff.base.readings, *diff.new.readings}):
        about.append([_("Reading [{reading}]", reading=reading), diff.base.readings.get(reading),
                      diff.new.readings.get(reading)])
    fill_sheet(book.create_sheet(_("About")), about)
    return workbook_bytes(book)
