"""The declared facts of a scheme, and blank fill-in templates for its rosters (YAML, CSV, XLSX).

A template is the layout ``apprule.io.layout`` reads: filled in, it is a facts
file. Roster units are listed; a group without a roster gets an empty sheet (or
a commented example in YAML) to add its units to.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from ..decimals import plain
from ..engine import Scheme
from ..facts import placements
from ..i18n import N_, _, using
from ..scheme.model import Fact, Group, Period
from ..scheme.yamlsource import read_yaml
from ..units import labelled
from .layout import NOTES_SHEET, fact_header, reserved_header, sheet_name
from .text import cell_text, inert, visible

#: the columns of the declared facts, in words translated where they are said (``apprule.i18n``)
DECLARED = {"fact": N_("fact"), "label": N_("label"), "type": N_("type"), "unit": N_("unit"), "accepts": N_("accepts"),
            "checks": N_("checks"), "required": N_("required"), "groups": N_("groups")}
TYPES = {"number": N_("number"), "count": N_("count"), "rate": N_("rate"), "boolean": N_("yes/no"),
         "enum": N_("one of"), "text": N_("text"), "date": N_("date"), "events": N_("list of events")}


def describe(fact: Fact, period: Period) -> str:
    """What a fact accepts, in a few words: range, values, or an event's fields (a date: one in ``period``)."""
    if fact.type == "events":
        return _("; ").join(f"{k}: {_label(f, ' ')}({describe(f, period) or _(TYPES[f.type])})"
                            for k, f in (fact.fields or {}).items())
    if fact.type == "enum":  # each value with the names a unit may give instead: relatively_major=较大
        return " | ".join("=".join((value, "/".join(names[1:]))) if names[1:] else value
                          for value, names in fact.value_names_of().items())
    if fact.type == "boolean":
        return " | ".join(_choices(fact) or ())
    if fact.type == "date":
        return period.end.isoformat()  # a date the scheme's own period holds: 2013-12-31 for a 2013 scheme
    if fact.type == "rate":
        bounds = _("0.95 or 95%")
    else:
        bounds = _("whole number ≥ 0") if fact.type == "count" else ""
    limits = [f"≥ {plain(fact.min)}" if fact.min is not None else "",
              f"≤ {plain(fact.max)}" if fact.max is not None else ""]
    if fact.deferred is not None:  # what the office may type for a value not available in time
        counted = _("not given") if fact.deferred == "empty" else plain(fact.deferred)
        limits.append(_("or 转入下年度 (counted as {counted}, carried over)", counted=counted))
    return _(", ").join(p for p in (bounds, *limits) if p)


def _label(fact: Fact, then: str) -> str:
    """The label with the unit the fact counts in (完成融资(亿元); the unit alone when there is no label), followed
    by ``then``; nothing when there is neither."""
    label = labelled(fact.label, fact.unit) or (f"({fact.unit})" if fact.unit else "")
    return label + then if label else ""


def checks_text(fact: Fact, words: Any) -> str:
    """The scheme's checks on a fact, each test in words with its message: 名次 ≤ 参与排名的单位数(名次不能大于…);
    ``words`` (``apprule.explain.scheme_words``) name the facts and fields."""
    from ..explain import expression_text
    return _("; ").join(_("{test} ({message})", test=expression_text(check.test, words), message=check.message)
                        for check in fact.checks)


def required_text(fact: Fact) -> str:
    if fact.default is not None:
        return _("no (default {value})", value=_show_default(fact.default))
    return _("yes") if fact.required else _("no")


def _show_default(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"  # the words a facts file gives a yes/no fact in, in every language
    return plain(value) if hasattr(value, "as_tuple") else str(value)


def facts_table(scheme: Scheme) -> list[list[str]]:
    """Header, then one row per declared fact: id, label, type, unit, what it accepts, its checks, required,
    groups."""
    with using(scheme=scheme.definition.language):
        return _facts_table(scheme)


def _facts_table(scheme: Scheme) -> list[list[str]]:
    from ..explain import scheme_words

    rows = [[_(head) for head in DECLARED.values()]]
    words = scheme_words(scheme.definition)
    for key, fact in scheme.definition.facts.items():
        groups = [g.label for g in scheme.groups if key in scheme.facts_used(g.id)]
        rows.append([key, fact.label or "", _(TYPES[fact.type]), fact.unit or "",
                     describe(fact, scheme.definition.period), checks_text(fact, words),
                     required_text(fact), _(", ").join(groups) or _("(none)")])
    return rows


# --- what goes in each sheet ---------------------------------------------------------------------

def _group_facts(scheme: Scheme, group: Group) -> list[str]:
    used = scheme.facts_used(group.id)
    return [k for k, f in scheme.definition.facts.items() if k in used and f.type != "events"]


def _events(scheme: Scheme) -> list[str]:
    used = set().union(*(scheme.facts_used(g.id) for g in scheme.groups))
    return [k for k, f in scheme.definition.facts.items() if f.type == "events" and k in used]


def _unit_rows(scheme: Scheme, group: Group) -> list[tuple[str, str | None]]:
    """Roster units of ``group`` with their sequence from the rosters."""
    index = scheme.groups.index(group)
    return [(u, seq) for u, (gi, seq) in placements(scheme.definition).items() if gi == index]


def sheets(scheme: Scheme) -> list[tuple[str, list[list[Any]]]]:
    """The template's sheets: one per group (roster rows), one per events fact (header only)."""
    out = []
    facts = scheme.definition.facts
    for group in scheme.groups:
        keys = _group_facts(scheme, group)
        head = [reserved_header("unit")] + ([reserved_header("sequence")] if group.sequences else [])
        head += [fact_header(k, facts[k]) for k in keys]
        rows: list[list[Any]] = [head]
        for unit, seq in _unit_rows(scheme, group):
            rows.append([unit] + ([seq or ""] if group.sequences else []) + [""] * len(keys))
        out.append((sheet_name(group.id), rows))
    for key in _events(scheme):
        fields = facts[key].fields or {}
        out.append((sheet_name(key), [[reserved_header("unit")] + [fact_header(k, f) for k, f in fields.items()]]))
    return out


# --- the three formats ---------------------------------------------------------------------------

def to_csv(scheme: Scheme) -> bytes:
    """Sections ``[name]`` per group and events fact (a plain table when there is only one)."""
    parts = sheets(scheme)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    for i, (name, rows) in enumerate(parts):
        if len(parts) > 1:
            if i:
                writer.writerow([])
            writer.writerow([f"[{name}]"])
        # a roster name or a label that a spreadsheet would run as a formula is escaped, as in results
        writer.writerows([inert(cell_text(v)) if isinstance(v, str) else v for v in row] for row in rows)
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


def to_xlsx(scheme: Scheme) -> bytes:
    """A sheet per group and per events fact, and the sheet 说明 listing the declared facts."""
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    from .write import fill_sheet, workbook_bytes

    book = Workbook()
    for sheet in list(book.worksheets):  # the default empty sheet
        book.remove(sheet)
    facts = scheme.definition.facts
    for name, rows in sheets(scheme):
        ws = book.create_sheet(name)
        keys = [_key(h) for h in rows[0]]
        events = facts.get(name)
        declared = (events.fields or {}) if events is not None and events.type == "events" else facts
        text_columns = [c for c, k in enumerate(keys, start=1)
                        if k in ("unit", "sequence") or (k in declared and declared[k].type in ("text", "enum"))]
        fill_sheet(ws, rows, text_columns)
        last = max(len(rows), 2) + 500
        for c, key in enumerate(keys, start=1):
            letter = ws.cell(1, c).column_letter
            ws.column_dimensions[letter].number_format = "@" if c in text_columns else "General"
            fact = declared.get(key) if key in declared else None
            choices = _choices(fact) if fact is not None else None
            if choices and len(",".join(choices)) < 250:
                check = DataValidation(type="list", formula1=json.dumps(",".join(choices), ensure_ascii=False),
                                       allow_blank=True)
                check.add(f"{letter}2:{letter}{last}")
                ws.add_data_validation(check)
    notes = book.create_sheet(NOTES_SHEET)
    fill_sheet(notes, [*facts_table(scheme), [], [_(_HOW)]])
    return workbook_bytes(book)


_HOW = N_("How to fill in: one row per unit on its group's sheet, one row per event on an events sheet; headers "
          "are 'label(unit) [id]' and must not change; numbers as numbers in the column's unit (12), or as text "
          "with a unit of the same kind (6.2亿元 in a 万元 column is 62000); this sheet is not read.")


def _key(head: str) -> str:
    return head.rsplit("[", 1)[-1].rstrip("]") if head.endswith("]") else head


def _choices(fact: Fact) -> list[str] | None:
    if fact.type == "boolean":
        return ["是", "否"]
    if fact.type == "enum":  # the document's words (the labels), which the facts accept as the values
        return [fact.value_label(value) or value for value in fact.enum_values]
    return None


def to_yaml(scheme: Scheme) -> str:
    """A YAML facts file to fill in, each value commented with what it takes."""
    from ..explain import scheme_words

    facts, words = scheme.definition.facts, scheme_words(scheme.definition)
    lines = ["# " + _("Facts for {title} ({id}): fill in every value left blank.", title=scheme.title, id=scheme.id),
             "# " + _("Optional facts are commented out; remove the # to give one."), ""]
    for group in scheme.groups:
        keys = _group_facts(scheme, group) + [k for k in _events(scheme) if k in scheme.facts_used(group.id)]
        lines.append(f"# --- {group.label} ({group.id}) ---")
        units = _unit_rows(scheme, group)
        placeholder = not units
        if placeholder:
            lines.append("# " + _("No roster: add each unit like this, naming its group."))
            units = [(_("unit name"), None)]
        for unit, seq in units:
            body = [f"{_scalar(unit)}:"]
            if placeholder:
                body.append(f"  group: {group.id}")
            if group.sequences and seq is None:
                body.append("  sequence:   # " + _("one of {ids}", ids=", ".join(
                    f"{s.id}({s.label})" for s in group.sequences)))
            for key in keys:
                fact = facts[key]
                comment = f"# {_label(fact, ': ')}{_(TYPES[fact.type])}"
                accepts = describe(fact, scheme.definition.period)
                comment += f" ({accepts})" if accepts else ""
                comment += _("; checks: {checks}", checks=checks_text(fact, words)) if fact.checks else ""
                value = "[]" if fact.type == "events" else ""
                optional = not fact.required or fact.default is not None
                if optional:
                    default = _(", optional, default {value}", value=_show_default(fact.default)) \
                        if fact.default is not None else _(", optional")
                    body.append(f"  # {key}: {value}  {comment}{default}")
                else:
                    body.append(f"  {key}: {value}  {comment}".replace(":   #", ":  #"))
            lines += [f"# {line}" for line in body] if placeholder else body
        lines.append("")
    return "\n".join(lines)


def _scalar(text: str) -> str:
    """A YAML key: plain when it reads back as the same text, else double-quoted."""
    try:
        plain_ok = visible(text) == text and read_yaml(f"{text}: 0\n", "<key>").data == {text: 0}
    except Exception:
        plain_ok = False
    # a YAML double-quoted string reads the escapes that ``visible`` writes (\x1b, \u202e)
    return text if plain_ok else visible(json.dumps(text, ensure_ascii=False))


def write_template(scheme: Scheme, fmt: str) -> str | bytes:
    """The fill-in template as ``yaml`` (text), ``csv`` or ``xlsx`` (bytes), in the scheme's language."""
    with using(scheme=scheme.definition.language):
        if fmt == "yaml":
            return to_yaml(scheme)
        if fmt == "csv":
            return to_csv(scheme)
        if fmt == "xlsx":
            return to_xlsx(scheme)
    raise ValueError(f"unknown format {fmt!r}")
