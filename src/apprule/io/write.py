"""Results out: JSON (complete and stable), CSV for Excel (UTF-8 with BOM) and XLSX workbooks.

JSON carries every decimal as a string (a JSON number loses digits on its way
through most readers), keys sorted, so the same scheme and facts give the same
bytes. CSV and XLSX carry a summary row per unit; the workbook adds a sheet of the
breakdown by rule (every node of every unit's explanation tree).

Every format is the same bytes for the same input (a workbook carries no time), and
no text in it can act: control characters are escaped (``apprule.io.text``), a CSV
cell that a spreadsheet would run as a formula starts with an apostrophe, and an
XLSX text cell is always text. docs/security.md says why.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from decimal import Decimal
from typing import Any, Callable, Iterable, Mapping, NamedTuple

from ..decimals import plain
from ..deferred import COUNTED, DEFERRED
from ..engine import Scheme
from ..explain import OUTCOME_WORDS, inputs_text, notes_text, trace_data, words_for
from ..i18n import N_, _, language, using
from ..results import Evaluation, Outcome, Result, Trace
from ..scheme.model import CARRIED_FROM
from ..shown import GroupShown, decimals_of, fixed
from .layout import header, title_sheet_name
from .text import cell_text, inert, json_text

#: summary columns: key → header (English; each language's words in its catalogue)
SUMMARY = {"group": N_("Group"), "sequence": N_("Sequence"), "rank": N_("Rank"), "unit": N_("Unit"),
           "total": N_("Total"), "grade": N_("Grade"), "honours": N_("Honours"), "flags": N_("Flags"),
           "vetoes": N_("Vetoes"), "would_be_rank": N_("Rank before vetoes"),
           "would_be_grade": N_("Grade before vetoes"), "outcomes": N_("Outcomes")}
BREAKDOWN_SHEET = N_("Breakdown")
BREAKDOWN = {"unit": N_("Unit"), "group": N_("Group"), "depth": N_("Depth"), "node": N_("Id"),
             "label": N_("Item"), "kind": N_("Kind"), "clause": N_("Clause"), "value": N_("Points"),
             "max": N_("Max"), "inputs": N_("Inputs"), "notes": N_("Notes"), "honours": N_("Honours"),
             "flags": N_("Flags")}
OUTCOMES_SHEET = N_("Outcomes")
#: the outcome records' columns (the sheet 结果运用): field → header
OUTCOME_COLUMNS = {"unit": N_("Unit"), "group": N_("Group"), "kind": N_("Outcome kind"), "id": N_("Id"),
                   "label": N_("Outcome"), "clause": N_("Clause"), "rule": N_("Rule id"), "matter": N_("Matter"),
                   "event": N_("Event no."), "before": N_("Grade before"), "grade": N_("Grade"),
                   "in_quota": N_("Quota place used")}
#: the kinds the summary's own columns already show (honours, flags, vetoes)
_SHOWN = {"honour", "flag", "veto"}


def listed(items: Iterable[str]) -> str:
    """Names in a list: 记功、嘉奖 (in English, with commas)."""
    # TRANSLATORS: what separates the names of a list (honours, flags): 、 in Chinese
    return _(", ").join(items)


def ordered(evaluation: Evaluation, scheme: Scheme, group: str | None = None) -> list[Result]:
    """Results in the published order: scheme's groups in turn, each ranked."""
    return [r for g in scheme.groups if group in (None, g.id) for r in evaluation.group(g.id)]


def results_data(evaluation: Evaluation, scheme: Scheme, group: str | None = None) -> dict[str, Any]:
    """Everything an evaluation found, as JSON-ready data: decimals as strings, nothing left out; a score
    to the places the scheme shows it to (``apprule.shown``); words (a group's ``maximum``, the notes) in the scheme's language."""
    with using(scheme=scheme.definition.language):
        return _data(evaluation, scheme, group)


def _data(evaluation: Evaluation, scheme: Scheme, group: str | None) -> dict[str, Any]:
    results = ordered(evaluation, scheme, group)
    groups = {}
    for g in scheme.groups:
        if group in (None, g.id):
            groups[g.id] = {"label": g.label, "max": _json(g.max),
                            "maximum": GroupShown(scheme.definition, g).maximum(),
                            "order": [r.unit for r in evaluation.group(g.id)]}
    return {
        "scheme": {"id": scheme.id, "title": scheme.title, "document": scheme.definition.document,
                   "period": {"kind": scheme.definition.period.kind,
                              "start": scheme.definition.period.start.isoformat(),
                              "end": scheme.definition.period.end.isoformat()},
                   "readings": scheme.readings},
        "groups": groups,
        "units": {r.unit: _unit(r) for r in results},
        "missing": [u for u in evaluation.missing
                    if group is None or any(u in (g.units or ()) for g in scheme.groups if g.id == group)],
    }


def _unit(r: Result) -> dict[str, Any]:
    shown = r.shown
    return {
        "group": r.group, "group_label": r.group_label, "sequence": r.sequence,
        "total": shown.score("total", r.total),
        "rank": r.rank, "grade": r.grade, "would_be_rank": r.would_be_rank, "would_be_grade": r.would_be_grade,
        "honours": list(r.honours), "flags": list(r.flags), "vetoes": list(r.vetoes),
        "outcomes": [o.as_dict() for o in r.outcomes],
        "sections": [_line(line, shown) for line in r.sections],
        "adjustments": [_line(line, shown) for line in r.adjustments],
        "values": {k: shown.score(k, v) for k, v in r.values.items()},
        "carried_over": [{"fact": fact, "event": {k: _json(v) for k, v in event.items()}}
                         for fact, event in getattr(r, "carried_over", ())],
        "outside_period": [{"fact": o.fact, "number": o.number, "date": o.date.isoformat(), "when": o.when,
                            "event": _json(o.event)} for o in getattr(r, "outside_period", ())],
        "trace": trace_data(r.trace),
    }


def _line(line: Any, shown: GroupShown) -> dict[str, Any]:
    return {"id": line.id, "label": line.label, "value": shown.score(line.id, line.value), "max": _json(line.max),
            "clause": line.clause}


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_json(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= _EXACT_IN_JSON:
        return plain(Decimal(value))  # as a decimal is: never int-to-text, which stops at 4,300 digits
    if value is None or isinstance(value, (str, int, bool)):
        return value
    return str(value)


#: integers from here on lose digits as a JSON number in most readers (a double's 53 bits)
_EXACT_IN_JSON = 2 ** 53


def to_json(evaluation: Evaluation, scheme: Scheme, group: str | None = None) -> str:
    text = json.dumps(results_data(evaluation, scheme, group), ensure_ascii=False, indent=2, sort_keys=True)
    return json_text(text) + "\n"


# --- rows shared by CSV and XLSX -----------------------------------------------------------------

def _line_columns(results: Iterable[Result]) -> dict[str, str]:
    """Section and adjustment columns, in first-seen order: id → header."""
    columns: dict[str, str] = {}
    for r in results:
        for line in (*r.sections, *r.adjustments):
            columns.setdefault(line.id, header(line.id, line.label))
    return columns


class Score(NamedTuple):
    """A score in a CSV or XLSX cell: its value and the places it is shown to (``apprule.shown``)."""

    value: Decimal
    places: int

    def __str__(self) -> str:
        return fixed(self.value, self.places)


CARRIED_HEADER = N_("Carried over")


def summary_rows(results: list[Result], scheme: Scheme) -> list[list[Any]]:
    """Header, then one row per unit: summary columns, then each section and adjustment (scores as ``Score``), then
    what the unit carries over to the next period (转入下年度), where some unit carries something."""
    lines = _line_columns(results)
    labels = _sequence_labels(scheme)
    carrying = any(_carried(r) for r in results)
    rows: list[list[Any]] = [[header(k, _(v)) for k, v in SUMMARY.items()] + list(lines.values())
                             + ([header("carried_over", _(CARRIED_HEADER))] if carrying else [])]
    for r in results:
        score = r.shown.places_of
        by_id = {line.id: line.value for line in (*r.sections, *r.adjustments)}
        rows.append([r.group_label, labels.get((r.group, r.sequence), r.sequence), r.rank, r.unit,
                     Score(r.total, score("total")), r.grade, listed(r.honours),
                     listed(r.flags), listed(r.vetoes), r.would_be_rank, r.would_be_grade,
                     listed(_outcome_text(o) for o in r.outcomes if o.kind not in _SHOWN)]
                    + [None if k not in by_id else Score(by_id[k], score(k)) for k in lines]
                    + ([carried_text(r, scheme)] if carrying else []))
    return rows


def _carried(r: Result) -> tuple[tuple[str, Mapping[str, Any]], ...]:
    return tuple(getattr(r, "carried_over", ()))


def carried_text(r: Result, scheme: Scheme) -> str:
    """What a unit carries over, one item after another, as a person reads it: an event by its fact's label, its
    date and its other fields (``获奖 2022-01-15(市级、敬老)``), a deferred value by its fact's label, the marker
    the office wrote and what it counted as here (``新引进项目:转入下年度,本期计 0``)."""
    items = []
    for name, event in _carried(r):
        fact = scheme.definition.facts.get(name)
        label = (fact.label if fact is not None and fact.label else name)
        if DEFERRED in event:
            counted = event.get(COUNTED)
            items.append(_("{fact}: {marker}, counted here as {counted}", fact=label, marker=event[DEFERRED],
                           counted=_("not given") if counted is None else plain(counted)
                           if isinstance(counted, Decimal) else counted))
            continue
        dated_by = fact.dated_by if fact is not None else None
        fields = [_text(v) for k, v in event.items() if k not in (dated_by, CARRIED_FROM) and v is not None]
        date = _text(event[dated_by]) if dated_by and event.get(dated_by) is not None else ""
        head = " ".join(part for part in (label, date) if part)
        items.append(head + (_(" ({fields})", fields=listed(fields)) if fields else ""))
    return _("; ").join(items)


def _outcome_text(o: Outcome) -> str:
    """An outcome in a summary cell: its words, the grades it moved between, the matter it is for."""
    moved = f"({o.before or ''}→{o.grade})" if o.kind in ("grant", "demotion") else ""
    return o.label + moved + (f"[{o.matter}]" if o.matter else "")


def outcome_rows(results: list[Result]) -> list[list[Any]]:
    """Header, then one row per outcome of each unit (the sheet 结果运用), its kind in words."""
    rows: list[list[Any]] = [[_(head) for head in OUTCOME_COLUMNS.values()]]
    for r in results:
        for o in r.outcomes:
            rows.append([r.unit, r.group_label, _(OUTCOME_WORDS[o.kind]),
                         *(getattr(o, name) for name in list(OUTCOME_COLUMNS)[3:])])
    return rows


def _sequence_labels(scheme: Scheme) -> dict[tuple[str, str | None], str]:
    return {(g.id, s.id): s.label for g in scheme.groups for s in g.sequences}


def to_csv(evaluation: Evaluation, scheme: Scheme, group: str | None = None) -> bytes:
    """One row per unit, UTF-8 with a byte-order mark so that Excel opens the Chinese right."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    in_force = readings_text(scheme)  # a last column, on every row, where the scheme has switchable readings
    for n, row in enumerate(summary_rows(ordered(evaluation, scheme, group), scheme)):
        row += [header("readings", _(READINGS_HEADER)) if n == 0 else in_force] if in_force else []
        writer.writerow(["" if v is None else str(v) if isinstance(v, Score) else _inert(v) for v in row])
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


READINGS_HEADER = N_("Readings")
READINGS_SHEET = N_("Readings in force")


def readings_text(scheme: Scheme) -> str:
    """The readings in force, ``id=choice; …`` (empty for a scheme without switchable readings)."""
    return "; ".join(f"{k}={v}" for k, v in scheme.readings.items())


def readings_rows(scheme: Scheme) -> list[list[Any]]:
    """The sheet 说明: each switchable reading, the choice in force and its label."""
    rows: list[list[Any]] = [[_("Reading"), _("Clause"), _("Question"), _("Choice"), _("Choice's label")]]
    for r in scheme.definition.readings:
        if r.choices:
            choice = scheme.readings[r.id]
            rows.append([r.id, r.clause, " ".join(r.question.split()), choice, scheme.choice_labels[r.id]])
    return rows


def _inert(value: Any) -> Any:
    """Text as a CSV cell: no formula (``inert``), no control character (``cell_text``); numbers stay."""
    return inert(cell_text(value)) if isinstance(value, str) else value


#: what a node that is no rule is (a rule is what its shape is)
KINDS = {"unit": N_("assessed unit"), "total": N_("total"), "section": N_("section"), "block": N_("adjustments"),
         "veto": N_("veto"), "rank": N_("rank"), "grade": N_("grade")}


def kind_text(kind: str) -> str:
    """What a node is, in words: a rule's shape by its description (``逐个事件计分``), which is Chinese, or in
    English by its key (``for_each``)."""
    from ..evaluate.shapes import SHAPES

    shape = SHAPES.get(kind)
    if shape is not None:
        return shape.description if language() != "en" and shape.description else shape.name
    return _(KINDS[kind]) if kind in KINDS else kind


def breakdown_rows(results: list[Result]) -> list[list[Any]]:
    """Header, then one row per node of each unit's explanation tree, depth first."""
    rows: list[list[Any]] = [[_(v) for v in BREAKDOWN.values()]]

    def walk(r: Result, trace: Trace, depth: int, words: Any) -> None:
        places = r.shown.places_of("total" if trace.kind == "unit" else trace.id)
        rows.append([r.unit, r.group_label, depth, trace.id, "  " * depth + trace.label, kind_text(trace.kind),
                     trace.clause, value_cell(trace, places),
                     None if trace.max is None else Score(trace.max, places),
                     inputs_text(trace, words), _("; ").join(notes_text(trace, words)), listed(trace.honours),
                     listed(trace.flags)])
        for child in trace.children:
            walk(r, child, depth + 1, words)

    for r in results:
        walk(r, r.trace, 0, words_for(r))
    return rows


def value_cell(trace: Trace, places: int) -> Any:
    """A node's value in its cell: a score as a number to its places, a count as a whole number, a veto that
    applies, a yes or no and a grade in words (as the explanation says them)."""
    value = trace.value
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Decimal):
        return Score(value, places)
    if trace.kind == "veto" and value == "applies":
        return _("applies")
    return value if value is None or isinstance(value, int) else str(value)


def _text(value: Any) -> str:
    data = _json(value)
    return data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)


def to_xlsx(evaluation: Evaluation, scheme: Scheme, group: str | None = None) -> bytes:
    """A sheet per group (ranked, as the table), and the sheet 明细 of every rule's points."""
    from openpyxl import Workbook

    book = Workbook()
    for sheet in list(book.worksheets):  # the default empty sheet
        book.remove(sheet)
    breakdown, outcomes, notes = _(BREAKDOWN_SHEET), _(OUTCOMES_SHEET), _(READINGS_SHEET)
    taken: set[str] = {breakdown, outcomes}
    results = ordered(evaluation, scheme, group)
    for g in scheme.groups:
        members = [r for r in results if r.group == g.id]
        if members or group == g.id:
            fill_sheet(book.create_sheet(title_sheet_name(g.label, taken)), summary_rows(members, scheme))
    fill_sheet(book.create_sheet(breakdown), breakdown_rows(results))
    fill_sheet(book.create_sheet(outcomes), outcome_rows(results))
    if scheme.readings:
        fill_sheet(book.create_sheet(title_sheet_name(notes, taken)), readings_rows(scheme))
    return workbook_bytes(book)


#: a workbook's creation and change times: the only part of it that would differ between two runs
_TIMES = re.compile(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:(created|modified)>")


def workbook_bytes(book: Any) -> bytes:
    """A workbook's file, the same bytes for the same content: no creation or change time, and every
    zip entry dated 1980-01-01 (zip's first date), so a result can be compared, signed or archived."""
    out = io.BytesIO()
    book.save(out)
    stable = io.BytesIO()
    with zipfile.ZipFile(out) as saved, zipfile.ZipFile(stable, "w", zipfile.ZIP_DEFLATED) as target:
        for item in saved.infolist():
            data = saved.read(item)
            if item.filename == "docProps/core.xml":
                data = _TIMES.sub(b"", data)
            entry = zipfile.ZipInfo(item.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type, entry.external_attr = zipfile.ZIP_DEFLATED, item.external_attr
            target.writestr(entry, data)
    return stable.getvalue()


def fill_sheet(ws: Any, rows: list[list[Any]], text_columns: Iterable[int] = ()) -> None:
    """Write rows (the first is the header, bold and frozen); text stays text, never a formula; a ``Score`` is
    a number shown to its places (``0.00``), a count a whole number (``0``)."""
    from openpyxl.styles import Font

    text = set(text_columns)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            shows = None
            if isinstance(value, str):
                value = cell_text(value)  # XML holds no control character, UTF-8 no lone surrogate
            elif isinstance(value, Score):
                shows, value = number_format(value), value.value
            elif isinstance(value, int) and not isinstance(value, bool):
                shows = "0"
            cell = ws.cell(r, c, value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # a label or unit name, not a formula
            if c in text:
                cell.number_format = "@"
            elif shows is not None:
                cell.number_format = shows
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for c in range(1, (len(rows[0]) if rows else 0) + 1):
        width = max((_cell_width(row[c - 1]) for row in rows if c - 1 < len(row)), default=8)
        ws.column_dimensions[_letter(c)].width = min(max(width + 2, 6), 60)


def number_format(score: Score) -> str:
    """Excel's format showing ``score`` as ``fixed`` does: ``0.00`` for two places, ``0.00#…`` for the digits a
    value carries beyond them."""
    more = decimals_of(str(score)) - score.places
    decimals = "0" * score.places + "#" * more
    return "0." + decimals if decimals else "0"


def _letter(c: int) -> str:
    from openpyxl.utils import get_column_letter
    return get_column_letter(c)


def _cell_width(value: Any) -> int:
    import unicodedata
    text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def write_results(evaluation: Evaluation, scheme: Scheme, fmt: str, group: str | None = None) -> str | bytes:
    """The results as ``json`` (text), ``csv`` or ``xlsx`` (bytes), headed in the scheme's language (unless one
    was chosen: ``apprule.i18n.using``)."""
    writers: dict[str, Callable[[Evaluation, Scheme, str | None], str | bytes]] = {
        "json": to_json, "csv": to_csv, "xlsx": to_xlsx}
    if fmt not in writers:
        raise ValueError(f"unknown format {fmt!r}")
    with using(scheme=scheme.definition.language):
        return writers[fmt](evaluation, scheme, group)
