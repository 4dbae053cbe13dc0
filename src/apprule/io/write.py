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
from typing import Any, Iterable, Mapping

from ..decimals import plain
from ..engine import Scheme
from ..explain import trace_data
from ..results import Evaluation, Outcome, Result, Trace
from .layout import header, title_sheet_name
from .text import cell_text, inert, json_text

#: summary columns: key → Chinese header
SUMMARY = {"group": "组别", "sequence": "序列", "rank": "排名", "unit": "单位", "total": "总分", "grade": "等次",
           "honours": "荣誉", "flags": "标记", "vetoes": "否决事项", "would_be_rank": "否决前排名",
           "would_be_grade": "否决前等次", "outcomes": "结果运用"}
BREAKDOWN_SHEET = "明细"
BREAKDOWN = {"unit": "单位", "group": "组别", "depth": "层级", "node": "编号", "label": "项目", "kind": "类型",
             "clause": "条款", "value": "得分", "max": "满分", "inputs": "输入", "notes": "说明",
             "honours": "荣誉", "flags": "标记"}
LIST_SEPARATOR = "、"
OUTCOMES_SHEET = "结果运用"
#: the outcome records' columns (the sheet 结果运用): field → Chinese header
OUTCOME_COLUMNS = {"unit": "单位", "group": "组别", "kind": "类别", "id": "编号", "label": "内容", "clause": "条款",
                   "rule": "依据规则", "matter": "事项", "event": "事件序号", "before": "原等次", "grade": "等次",
                   "in_quota": "占用名额"}
#: the kinds the summary's own columns already show (honours, flags, vetoes)
_SHOWN = {"honour", "flag", "veto"}


def ordered(evaluation: Evaluation, scheme: Scheme, group: str | None = None) -> list[Result]:
    """Results in the published order: scheme's groups in turn, each ranked."""
    return [r for g in scheme.groups if group in (None, g.id) for r in evaluation.group(g.id)]


def results_data(evaluation: Evaluation, scheme: Scheme, group: str | None = None) -> dict[str, Any]:
    """Everything an evaluation found, as JSON-ready data: decimals as strings, nothing left out."""
    results = ordered(evaluation, scheme, group)
    groups = {}
    for g in scheme.groups:
        if group in (None, g.id):
            groups[g.id] = {"label": g.label, "max": _json(g.max),
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
    return {
        "group": r.group, "group_label": r.group_label, "sequence": r.sequence, "total": plain(r.total),
        "rank": r.rank, "grade": r.grade, "would_be_rank": r.would_be_rank, "would_be_grade": r.would_be_grade,
        "honours": list(r.honours), "flags": list(r.flags), "vetoes": list(r.vetoes),
        "outcomes": [o.as_dict() for o in r.outcomes],
        "sections": [_line(line) for line in r.sections], "adjustments": [_line(line) for line in r.adjustments],
        "values": {k: _json(v) for k, v in r.values.items()},
        "carried_over": [{"fact": fact, "event": {k: _json(v) for k, v in event.items()}}
                         for fact, event in getattr(r, "carried_over", ())],
        "outside_period": [{"fact": o.fact, "number": o.number, "date": o.date.isoformat(), "when": o.when,
                            "event": _json(o.event)} for o in getattr(r, "outside_period", ())],
        "trace": trace_data(r.trace),
    }


def _line(line: Any) -> dict[str, Any]:
    return {"id": line.id, "label": line.label, "value": _json(line.value), "max": _json(line.max),
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


def summary_rows(results: list[Result], scheme: Scheme, as_text: bool) -> list[list[Any]]:
    """Header, then one row per unit: summary columns, then each section and adjustment."""
    lines = _line_columns(results)
    labels = _sequence_labels(scheme)
    rows: list[list[Any]] = [[header(k, v) for k, v in SUMMARY.items()] + list(lines.values())]
    number = (lambda d: None if d is None else plain(d)) if as_text else (lambda d: d)
    for r in results:
        by_id = {line.id: line.value for line in (*r.sections, *r.adjustments)}
        rows.append([r.group, labels.get((r.group, r.sequence), r.sequence), r.rank, r.unit, number(r.total),
                     r.grade, LIST_SEPARATOR.join(r.honours), LIST_SEPARATOR.join(r.flags),
                     LIST_SEPARATOR.join(r.vetoes), r.would_be_rank, r.would_be_grade,
                     LIST_SEPARATOR.join(_outcome_text(o) for o in r.outcomes if o.kind not in _SHOWN)]
                    + [number(by_id.get(k)) for k in lines])
    return rows


def _outcome_text(o: Outcome) -> str:
    """An outcome in a summary cell: its words, the grades it moved between, the matter it is for."""
    moved = f"({o.before or ''}→{o.grade})" if o.kind in ("grant", "demotion") else ""
    return o.label + moved + (f"[{o.matter}]" if o.matter else "")


def outcome_rows(results: list[Result]) -> list[list[Any]]:
    """Header, then one row per outcome of each unit (the sheet 结果运用)."""
    rows: list[list[Any]] = [list(OUTCOME_COLUMNS.values())]
    for r in results:
        for o in r.outcomes:
            rows.append([r.unit, r.group, *(getattr(o, name) for name in list(OUTCOME_COLUMNS)[2:])])
    return rows


def _sequence_labels(scheme: Scheme) -> dict[tuple[str, str | None], str]:
    return {(g.id, s.id): s.label for g in scheme.groups for s in g.sequences}


def to_csv(evaluation: Evaluation, scheme: Scheme, group: str | None = None) -> bytes:
    """One row per unit, UTF-8 with a byte-order mark so that Excel opens the Chinese right."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    in_force = readings_text(scheme)  # a last column, on every row, where the scheme has switchable readings
    for n, row in enumerate(summary_rows(ordered(evaluation, scheme, group), scheme, as_text=True)):
        row += [header("readings", READINGS_HEADER) if n == 0 else in_force] if in_force else []
        writer.writerow(["" if v is None else _inert(v) for v in row])
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


READINGS_HEADER = "解读"


def readings_text(scheme: Scheme) -> str:
    """The readings in force, ``id=choice; …`` (empty for a scheme without switchable readings)."""
    return "; ".join(f"{k}={v}" for k, v in scheme.readings.items())


def readings_rows(scheme: Scheme) -> list[list[Any]]:
    """The sheet 说明: each switchable reading, the choice in force and its label."""
    rows: list[list[Any]] = [["解读 reading", "条款 clause", "问题 question", "选择 choice", "说明 label"]]
    for r in scheme.definition.readings:
        if r.choices:
            choice = scheme.readings[r.id]
            rows.append([r.id, r.clause, " ".join(r.question.split()), choice, r.choices[choice].label])
    return rows


def _inert(value: Any) -> Any:
    """Text as a CSV cell: no formula (``inert``), no control character (``cell_text``); numbers stay."""
    return inert(cell_text(value)) if isinstance(value, str) else value


def breakdown_rows(results: list[Result]) -> list[list[Any]]:
    """Header, then one row per node of each unit's explanation tree, depth first."""
    rows: list[list[Any]] = [list(BREAKDOWN.values())]

    def walk(r: Result, trace: Trace, depth: int) -> None:
        value = trace.value if isinstance(trace.value, (Decimal, int)) or trace.value is None else str(trace.value)
        rows.append([r.unit, r.group, depth, trace.id, "  " * depth + trace.label, trace.kind, trace.clause,
                     value, trace.max,
                     "; ".join(f"{k} = {_text(v)}" for k, v in trace.inputs),
                     "; ".join(map(str, trace.notes)), LIST_SEPARATOR.join(trace.honours),
                     LIST_SEPARATOR.join(trace.flags)])
        for child in trace.children:
            walk(r, child, depth + 1)

    for r in results:
        walk(r, r.trace, 0)
    return rows


def _text(value: Any) -> str:
    data = _json(value)
    return data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)


def to_xlsx(evaluation: Evaluation, scheme: Scheme, group: str | None = None) -> bytes:
    """A sheet per group (ranked, as the table), and the sheet 明细 of every rule's points."""
    from openpyxl import Workbook

    book = Workbook()
    for sheet in list(book.worksheets):  # the default empty sheet
        book.remove(sheet)
    taken: set[str] = {BREAKDOWN_SHEET, OUTCOMES_SHEET}
    results = ordered(evaluation, scheme, group)
    for g in scheme.groups:
        members = [r for r in results if r.group == g.id]
        if members or group == g.id:
            fill_sheet(book.create_sheet(title_sheet_name(g.label, taken)), summary_rows(members, scheme, False))
    fill_sheet(book.create_sheet(BREAKDOWN_SHEET), breakdown_rows(results))
    fill_sheet(book.create_sheet(OUTCOMES_SHEET), outcome_rows(results))
    if scheme.readings:
        fill_sheet(book.create_sheet(title_sheet_name("说明", taken)), readings_rows(scheme))
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
    """Write rows (the first is the header, bold and frozen); text stays text, never a formula."""
    from openpyxl.styles import Font

    text = set(text_columns)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if isinstance(value, str):
                value = cell_text(value)  # XML holds no control character, UTF-8 no lone surrogate
            cell = ws.cell(r, c, value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # a label or unit name, not a formula
            if c in text:
                cell.number_format = "@"
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for c in range(1, (len(rows[0]) if rows else 0) + 1):
        width = max((_cell_width(row[c - 1]) for row in rows if c - 1 < len(row)), default=8)
        ws.column_dimensions[_letter(c)].width = min(max(width + 2, 6), 60)


def _letter(c: int) -> str:
    from openpyxl.utils import get_column_letter
    return get_column_letter(c)


def _cell_width(value: Any) -> int:
    import unicodedata
    text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def write_results(evaluation: Evaluation, scheme: Scheme, fmt: str, group: str | None = None) -> str | bytes:
    """The results as ``json`` (text), ``csv`` or ``xlsx`` (bytes)."""
    if fmt == "json":
        return to_json(evaluation, scheme, group)
    if fmt == "csv":
        return to_csv(evaluation, scheme, group)
    if fmt == "xlsx":
        return to_xlsx(evaluation, scheme, group)
    raise ValueError(f"unknown format {fmt!r}")
