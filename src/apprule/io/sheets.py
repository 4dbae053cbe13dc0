"""Sheets to facts: the layout of ``apprule.io.layout``, every problem named by sheet, row and column.

Nothing is dropped or guessed: an unknown column, a unit outside the roster, a
roster unit without a row, a blank cell where a value is required, a merged
cell, a cell that does not hold its fact's kind of value — each is a problem,
and all of them are reported together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Container

from ..errors import did_you_mean
from ..facts import placements
from ..i18n import _
from ..scheme.model import Fact, SchemeDefinition
from .cells import CellProblem, blank, fact_value, unit_id
from .layout import _BRACKETED, NOTES_SHEET, RESERVED, HeaderProblem, column_letter, parse_header, sheet_name
from .problems import FileIssue, Where
from .tables import Sheet
from .text import inert


@dataclass
class SheetFacts:
    """What the sheets say: facts per unit, where each value came from, and the problems found."""

    facts: dict[str, dict[str, Any]] = field(default_factory=dict)
    where: dict[tuple[str, str], Where] = field(default_factory=dict)
    issues: list[FileIssue] = field(default_factory=list)
    #: roster units with no row (reported as problems unless the caller allows a partial run)
    missing: list[tuple[str, str]] = field(default_factory=list)


class _Columns(dict[int, str]):
    """Column number (1-based) → key, with the header text of each."""

    headers: dict[int, str]
    #: columns with a header problem already reported
    rejected: set[int]
    #: columns whose header gives a unit other than their fact's (地区生产总值(万元) for a fact in 亿元): a bare
    #: number there is in that unit, and is converted into the fact's
    units: dict[int, str]
    #: keys a rejected header meant: no column is reported missing for them too
    meant: set[str]


def facts_from_sheets(scheme: SchemeDefinition, used: dict[str, frozenset[str]], sheets: list[Sheet],
                      display: str, partial: bool = False) -> SheetFacts:
    """Read unit sheets and events sheets into ``{unit: {fact: value}}``; see ``apprule.io.layout``."""
    return _Reader(scheme, used, display).read(sheets, partial)


def _runs(numbers: list[int]) -> list[list[int]]:
    """Sorted numbers as runs of consecutive ones: [2, 3, 5] → [[2, 3], [5]]."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and runs[-1][-1] == n - 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return runs


def _span(first_row: int, last_row: int, first_col: int, last_col: int) -> str:
    """A range as Excel writes it: ``D7`` for one cell, ``A5:G6`` for more."""
    start, end = f"{column_letter(first_col)}{first_row}", f"{column_letter(last_col)}{last_row}"
    return start if start == end else f"{start}:{end}"


def _hint(name: str, choices: list[str]) -> str:
    hint = did_you_mean(name, choices)
    return f" ({hint})" if hint else ""


class _Reader:
    def __init__(self, scheme: SchemeDefinition, used: dict[str, frozenset[str]], display: str):
        self.scheme, self.used, self.display = scheme, used, display
        self.out = SheetFacts()
        self.placed = placements(scheme)
        self.groups = {g.id: g for g in scheme.groups}
        self.group_index = {g.id: i for i, g in enumerate(scheme.groups)}
        self.unit_group: dict[str, str] = {}
        self.unit_row: dict[str, Where] = {}
        #: units whose row had a problem already reported; their events are not reported again
        self.rejected: set[str] = set()
        self.unreadable = False
        self.events = {k: f for k, f in scheme.facts.items() if f.type == "events"}

    # --- reporting ---------------------------------------------------------------------------------

    def where(self, sheet: Sheet, row: int | None = None, col: int | None = None, head: str = "") -> Where:
        parts = [p for p in (sheet.label,) if p]
        if row is not None:
            parts.append(f"row {row}")
        if col is not None:
            parts.append(f"column {column_letter(col)}" + (f" ({head})" if head else ""))
        text = self.display + (": " + ", ".join(parts) if parts else "")
        return Where(text, (sheet.index, row or 0, col or 0))

    def problem(self, at: Where, code: str, message: str) -> None:
        self.out.issues.append(at.issue(code, message))

    # --- the whole file ----------------------------------------------------------------------------

    def read(self, sheets: list[Sheet], partial: bool) -> SheetFacts:
        unit_sheets: list[tuple[Sheet, str | None]] = []
        event_sheets: list[tuple[Sheet, str]] = []
        for sheet in sheets:
            if sheet.name == NOTES_SHEET or not any(not blank(c) for _, cells in sheet.rows for c in cells):
                continue
            if sheet.state != "visible":  # nobody reading the workbook sees it: never scored unseen
                self.problem(self.where(sheet), "hidden-sheet", f"the sheet is hidden ({sheet.state}), so nobody "
                             "reading the workbook sees what it holds; unhide it or delete it")
                continue
            self.hidden_cells(sheet)
            for coord, row, col in sheet.merged:
                self.problem(self.where(sheet, row, col), "merged-cells",
                             f"merged cells {coord}{' in the header' if row == 1 else ''}: apprule reads one "
                             "value per cell (one header cell per column); unmerge them")
            events = next((k for k in self.events if sheet_name(k) == sheet.name), None)
            if events is None:
                unit_sheets.append((sheet, None))
            else:
                event_sheets.append((sheet, events))
        if not unit_sheets:
            self.problem(Where(self.display, (0, 0, 0)), "no-units",
                         "no sheet lists units: a unit sheet has a column 单位 [unit] and one row per unit")
        for sheet, _events in unit_sheets:
            self.unit_sheet(sheet)
        seen_events: set[str | None] = set()
        for sheet, key in event_sheets:
            seen_events.add(key)
            self.events_sheet(sheet, key)
        if not self.unreadable:  # a sheet that could not be read would only add noise here
            self.absent_events(seen_events)
            self.absent_units(unit_sheets, partial)
        return self.out

    def hidden_cells(self, sheet: Sheet) -> None:
        """``hidden-cells`` for each run of hidden rows, then of hidden columns, that holds values, by the cells it
        spans: nobody reading the sheet sees them, so they are never scored unseen."""
        valued = [(row, col) for row, cells in sheet.rows for col, value in enumerate(cells, 1) if not blank(value)]
        in_rows = [(r, c) for r, c in valued if r in sheet.hidden_rows]
        in_columns = [(r, c) for r, c in valued if c in sheet.hidden_columns and r not in sheet.hidden_rows]
        for run in _runs(sorted({r for r, _col in in_rows})):
            cols = [c for r, c in in_rows if r in run]
            self.problem(self.where(sheet, run[0]), "hidden-cells", _(
                "hidden rows hold values ({cells}): nobody reading the sheet sees them; unhide the rows (or clear "
                "the filter that hides them), or delete them", cells=_span(run[0], run[-1], min(cols), max(cols))))
        for run in _runs(sorted({c for _row, c in in_columns})):
            rows = [r for r, c in in_columns if c in run]
            self.problem(self.where(sheet, min(rows), run[0]), "hidden-cells", _(
                "hidden columns hold values ({cells}): nobody reading the sheet sees them; unhide the columns, or "
                "delete them", cells=_span(min(rows), max(rows), run[0], run[-1])))

    def absent_units(self, unit_sheets: list[tuple[Sheet, Any]], partial: bool) -> None:
        absent: dict[str, list[str]] = {}
        for unit, (gi, _seq) in self.placed.items():
            if unit not in self.out.facts:
                absent.setdefault(self.scheme.groups[gi].id, []).append(unit)
        for gid, units in absent.items():
            self.out.missing += [(gid, u) for u in units]
            if partial:
                continue
            sheet = next((s for s, _ in unit_sheets if s.name == sheet_name(gid)), None)
            at = self.where(sheet) if sheet else Where(self.display, (0, 0, 0))
            self.problem(at, "missing-unit", f"{len(units)} unit(s) of the roster of group {gid!r} have no row: "
                         + "、".join(units) + " (every unit is scored; ranks and quotas count them all)")

    def absent_events(self, seen: set[str | None]) -> None:
        for key, fact in self.events.items():
            if key in seen or not fact.required or fact.default is not None:
                continue
            needing = [u for u, g in self.unit_group.items() if key in self.used[g]]
            if needing:
                self.problem(Where(self.display, (0, 0, 0)), "missing-sheet",
                             f"no sheet {sheet_name(key)!r} for the events fact {key!r} ({fact.label or key}), "
                             f"which {len(needing)} unit(s) need; a sheet with its header and no rows means "
                             "no events")

    # --- headers -----------------------------------------------------------------------------------

    def columns(self, sheet: Sheet, labels: dict[str, str | None], what: str,
                units: dict[str, str | None]) -> _Columns | None:
        columns = _Columns()
        columns.headers, columns.rejected, columns.units, columns.meant = {}, set(), {}, set()
        head_row, header = sheet.rows[0]
        filled = {i + 1 for _, cells in sheet.rows[1:] for i, c in enumerate(cells) if not blank(c)}
        for i, raw in enumerate(header, start=1):
            if blank(raw):
                if i in filled:
                    self.problem(self.where(sheet, head_row, i), "blank-header",
                                 "the column has values but no header")
                columns.rejected.add(i)
                continue
            text = str(raw).strip()
            try:
                parsed = parse_header(text, labels, units)
            except HeaderProblem as bad:
                self.problem(self.where(sheet, head_row, i, text), bad.code, bad.message)
                columns.rejected.add(i)
                columns.meant.update(bad.keys)
                continue
            if parsed is None:
                bracketed = _BRACKETED.match(text)
                named = bracketed.group(2) if bracketed else text
                self.problem(self.where(sheet, head_row, i, text), "unknown-column",
                             f"no {what} is called {named!r}"
                             + _hint(named, [*labels, *(v for v in labels.values() if v)])
                             + f"; the columns are {', '.join(labels)}")
                columns.rejected.add(i)
                continue
            key, unit = parsed
            if unit is not None:
                columns.units[i] = unit
            if key in columns.values():
                first = next(c for c, k in columns.items() if k == key)
                self.problem(self.where(sheet, head_row, i, text), "duplicate-column",
                             f"{key!r} is also column {column_letter(first)}")
                columns.rejected.add(i)
                continue
            columns[i], columns.headers[i] = key, text
        if "unit" not in columns.values():
            self.problem(self.where(sheet, head_row), "no-unit-column",
                         f"the header (the sheet's first row) has no unit column 单位 [unit], then one column per "
                         f"{what}")
            self.unreadable = True
            return None
        return columns

    # --- unit sheets -------------------------------------------------------------------------------

    def unit_sheet(self, sheet: Sheet) -> None:
        gid = next((g for g in self.groups if sheet_name(g) == sheet.name), None)
        facts = {k: f for k, f in self.scheme.facts.items() if f.type != "events"
                 and (gid is None or k in self.used[gid])}
        labels: dict[str, str | None] = {k: RESERVED[k] for k in ("unit", "group", "sequence")}
        labels.update({k: f.label for k, f in facts.items()})
        columns = self.columns(sheet, labels, "fact" + (f" of group {gid!r}" if gid else ""),
                               {k: f.unit for k, f in facts.items()})
        if columns is None:
            return
        absent: dict[str, list[str]] = {}
        unit_col = next(c for c, k in columns.items() if k == "unit")
        for row, cells in sheet.rows[1:]:
            cell = {key: (cells[c - 1] if c - 1 < len(cells) else None) for c, key in columns.items()}
            extra = [i + 1 for i, c in enumerate(cells)
                     if i + 1 not in columns and i + 1 not in columns.rejected and not blank(c)]
            for c in extra:
                self.problem(self.where(sheet, row, c), "blank-header", "the cell has a value but its column "
                             "has no header")
            if all(blank(v) for v in cell.values()):
                continue
            unit = self.unit(sheet, row, unit_col, cell["unit"])
            if unit is None:
                continue
            at = self.where(sheet, row, unit_col, "unit")
            group = self.place(sheet, row, columns, cell, unit, gid, at)
            if group is None:
                self.rejected.add(unit)
                continue
            self.unit_row[unit], self.unit_group[unit] = at, group
            values = self.out.facts[unit] = {}
            if unit not in self.placed:
                values["group"] = group
            sequence = self.sequence(sheet, row, columns, cell, unit, group)
            if sequence:
                values["sequence"] = sequence
            for col, key in columns.items():
                if key in RESERVED:
                    continue
                self.fact_cell(sheet, row, col, columns.headers[col], unit, group, key, facts[key],
                               cell[key], values, columns.units.get(col))
            for key in sorted(self.used[group]):
                fact = self.scheme.facts[key]
                if (fact.type != "events" and key not in columns.values() and key not in columns.meant and fact.required
                        and fact.default is None):
                    absent.setdefault(key, []).append(unit)
        for key, units in absent.items():
            self.problem(self.where(sheet, sheet.rows[0][0]), "missing-column",
                         f"no column for the required fact {key!r} ({self.scheme.facts[key].label or key}), "
                         f"which {len(units)} unit(s) need (e.g. {units[0]})")

    def unit(self, sheet: Sheet, row: int, col: int, raw: Any) -> str | None:
        if blank(raw):
            self.problem(self.where(sheet, row, col, "unit"), "blank-unit", "the row has values but no unit")
            return None
        try:
            unit = self.known(raw, self.placed)
        except CellProblem as bad:
            self.problem(self.where(sheet, row, col, "unit"), bad.code, bad.message)
            return None
        if unit in self.unit_row:
            self.problem(self.where(sheet, row, col, "unit"), "duplicate-unit",
                         f"{unit!r} already has a row ({self.unit_row[unit].text})")
            return None
        return unit

    @staticmethod
    def known(raw: Any, units: Container[str]) -> str:
        """The unit a cell names: a known unit exactly as written, or as a CSV file escapes a formula
        (``'=x``, see ``apprule.io.write``), so that a roster name with surrounding blanks or a leading
        ``=`` survives the template's round trip; else the text without surrounding blanks."""
        unit = unit_id(raw)
        if isinstance(raw, str) and raw in units:
            return raw
        if isinstance(raw, str) and raw[1:] in units and inert(raw[1:]) == raw:
            return raw[1:]
        return unit

    def place(self, sheet: Sheet, row: int, columns: _Columns, cell: dict[str, Any], unit: str,
              gid: str | None, at: Where) -> str | None:
        """The unit's group: the roster's, the sheet's, or the group column's; they must agree."""
        given = gid
        if "group" in cell and not blank(cell["group"]):
            text = str(cell["group"]).strip()
            by_label = {g.label: g.id for g in self.groups.values()}
            named = text if text in self.groups else by_label.get(text)
            col = next(c for c, k in columns.items() if k == "group")
            if named is None:
                self.problem(self.where(sheet, row, col, "group"), "unknown-group",
                             f"no group {text!r}" + _hint(text, list(self.groups))
                             + f"; the groups are {', '.join(self.groups)}")
                return None
            if gid is not None and named != gid:
                self.problem(self.where(sheet, row, col, "group"), "wrong-group",
                             f"the row says group {named!r} on the sheet of group {gid!r}")
                return None
            given = named
        if unit in self.placed:
            roster = self.scheme.groups[self.placed[unit][0]].id
            if given is not None and given != roster:
                self.problem(at, "wrong-group", f"{unit!r} is on the roster of group {roster!r}, not {given!r}")
                return None
            return roster
        if given is None:
            self.problem(at, "unknown-unit", f"{unit!r} is on no group's roster" + _hint(unit, list(self.placed))
                         + "; a unit outside the rosters needs a 组别 [group] column")
            return None
        group = self.groups[given]
        if group.units is not None:
            self.problem(at, "unknown-unit", f"{unit!r} is not on the roster of group {given!r}"
                         + _hint(unit, list(group.units)))
            return None
        return given

    def sequence(self, sheet: Sheet, row: int, columns: _Columns, cell: dict[str, Any], unit: str,
                 group: str) -> str | None:
        sequences = {s.id: s for s in self.groups[group].sequences}
        roster = self.placed.get(unit, (0, None))[1]
        raw = cell.get("sequence")
        col = next((c for c, k in columns.items() if k == "sequence"), None)
        if blank(raw):
            if sequences and roster is None:
                at = self.where(sheet, row, col, "sequence") if col else self.where(sheet, row)
                self.problem(at, "missing-sequence", f"{unit!r} needs a sequence (序列 [sequence]), one of "
                             + ", ".join(f"{s.id} ({s.label})" for s in sequences.values()))
            return None
        text = str(raw).strip()
        named = text if text in sequences else next((s.id for s in sequences.values() if s.label == text), None)
        at = self.where(sheet, row, col, "sequence")
        if named is None:
            self.problem(at, "unknown-sequence", f"group {group!r} has no sequence {text!r}"
                         + (f" (sequences: {', '.join(sequences)})" if sequences else ""))
        elif roster is not None and named != roster:
            self.problem(at, "wrong-sequence", f"the roster puts {unit!r} in sequence {roster!r}, not {named!r}")
        return None if roster is not None else named

    def fact_cell(self, sheet: Sheet, row: int, col: int, head: str, unit: str, group: str, key: str,
                  fact: Fact, raw: Any, values: dict[str, Any], column_unit: str | None = None) -> None:
        at = self.where(sheet, row, col, head)
        self.out.where[(unit, key)] = at
        if blank(raw):
            if key in self.used[group] and fact.required and fact.default is None:
                self.problem(at, "blank-cell", f"{unit!r} has no value for the required fact {key!r}")
            return
        if key not in self.used[group]:
            self.problem(at, "fact-not-used", f"group {group!r} does not use {key!r}; leave the cell blank")
            return
        try:
            values[key] = fact_value(fact, raw, text_only=sheet.text_only, name=key, unit=column_unit)
        except CellProblem as bad:
            self.problem(at, bad.code, bad.message)

    # --- events sheets -----------------------------------------------------------------------------

    def events_sheet(self, sheet: Sheet, key: str) -> None:
        fact = self.events[key]
        fields = fact.fields or {}
        labels: dict[str, str | None] = {"unit": RESERVED["unit"]}
        labels.update({k: f.label for k, f in fields.items()})
        columns = self.columns(sheet, labels, f"field of {key!r}", {k: f.unit for k, f in fields.items()})
        if columns is None:
            return
        for name, field_ in fields.items():
            if name not in columns.values() and name not in columns.meant and field_.required \
                    and field_.default is None:
                self.problem(self.where(sheet, sheet.rows[0][0]), "missing-column",
                             f"no column for the required field {name!r} ({field_.label or name})")
        unit_col = next(c for c, k in columns.items() if k == "unit")
        for unit, group in self.unit_group.items():
            if key in self.used[group]:
                self.out.facts[unit][key] = []
                self.out.where[(unit, key)] = self.where(sheet)
        for row, cells in sheet.rows[1:]:
            cell = {k: (cells[c - 1] if c - 1 < len(cells) else None) for c, k in columns.items()}
            if all(blank(v) for v in cell.values()):
                continue
            at = self.where(sheet, row, unit_col, "unit")
            if blank(cell["unit"]):
                self.problem(at, "blank-unit", "the event has no unit")
                continue
            try:
                unit = self.known(cell["unit"], self.unit_group)
            except CellProblem as bad:
                self.problem(at, bad.code, bad.message)
                continue
            if unit in self.rejected:
                continue
            if unit not in self.unit_group:
                self.problem(at, "unknown-unit", f"{unit!r} has no row on a unit sheet"
                             + _hint(unit, list(self.unit_group)))
                continue
            if key not in self.used[self.unit_group[unit]]:
                self.problem(at, "fact-not-used", f"group {self.unit_group[unit]!r} of {unit!r} does not use "
                             f"{key!r}")
                continue
            event: dict[str, Any] = {}
            for col, name in columns.items():
                if name == "unit":
                    continue
                field_ = fields[name]
                here = self.where(sheet, row, col, columns.headers[col])
                if blank(cell[name]):
                    if field_.required and field_.default is None:
                        self.problem(here, "blank-cell", f"the event has no value for the required field {name!r}")
                    continue
                try:
                    event[name] = fact_value(field_, cell[name], text_only=sheet.text_only, name=name,
                                             unit=columns.units.get(col))
                except CellProblem as bad:
                    self.problem(here, bad.code, bad.message)
            self.out.facts[unit][key].append(event)
