"""Render explanation trees: readable text for the unit that appeals, JSON for machines."""

from __future__ import annotations

import json
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from .decimals import ONE, plain
from .evaluate.shapes import SHAPES
from .evaluate.shapes.bands import Band
from .i18n import N_, _, ngettext, using
from .results import Note, Outcome, Result, Trace

if TYPE_CHECKING:
    from .scheme.model import SchemeDefinition


def render(result: Result, fmt: str = "text") -> str:
    """The explanation of ``result`` as ``text`` or ``json``, in the scheme's language (``apprule.i18n``)."""
    definition = result.source.definition
    with using(scheme=definition.language):
        if fmt == "json":
            data = trace_data(result.trace)
            if result.readings:
                data["readings"] = dict(result.readings)
            return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
        if fmt != "text":
            raise ValueError(f"unknown format {fmt!r}: use 'text' or 'json'")
        words = _Words(definition, result)
        group = next(g for g in definition.groups if g.id == result.group)
        sequence = next((s.label for s in group.sequences if s.id == result.sequence), result.sequence)
        lines = [f"{result.unit} ({result.group_label}" + (f" / {sequence}" if sequence else "") + ")"]
        for child in result.trace.children:
            _text(child, 1, lines, words, group.clause)
        if result.honours:
            lines.append(_("honours: {names}", names=_list(result.honours)))
        if result.flags:
            lines.append(_("flags: {names}", names=_list(result.flags)))
        for o in result.outcomes:  # honours, flags and vetoes are said above
            if o.kind not in ("honour", "flag", "veto"):
                lines.append(outcome_text(o))
        if result.readings:
            lines.append(_("readings in force: {choices}",
                           choices=readings_in_words(result.readings, result.choice_labels)))
        return "\n".join(lines)


#: the kinds of outcome (``apprule.results.OUTCOME_KINDS``), in words
OUTCOME_WORDS = {"honour": N_("honour"), "flag": N_("flag"), "veto": N_("veto"), "grant": N_("grade granted"),
                 "demotion": N_("grade lowered"), "bar": N_("bar"), "speech": N_("speech at the meeting"),
                 "criticism": N_("criticism"), "commendation": N_("commendation"), "notice": N_("notice"),
                 "interview": N_("interview"), "report": N_("written report"), "proposal": N_("proposal"),
                 "pay": N_("pay")}


def readings_in_words(readings: Mapping[str, str], labels: Mapping[str, str]) -> str:
    """The readings in force for a reader: each chosen choice's label, its ``[reading=choice]`` ids beside it."""
    return _(", ").join(f"{labels[k]} [{k}={v}]" if k in labels else f"{k}={v}" for k, v in readings.items())


def outcome_text(o: Outcome) -> str:
    """An outcome as a line of the explanation: its kind and words, the grades it moved between, its clause."""
    moved = f" ({o.before or '—'} → {o.grade})" if o.kind in ("grant", "demotion") else ""
    return (_("outcome, {kind}: {label}", kind=_(OUTCOME_WORDS.get(o.kind, o.kind)), label=o.label) + moved
            + (f"〔{o.clause}〕" if o.clause else "") + (f" — {o.matter}" if o.matter else ""))


class _Words:
    """What the text calls the names a rule reads: a fact's label (and unit), a rule's label, else the name;
    and how it shows a score (to the places its scheme declares)."""

    def __init__(self, definition: SchemeDefinition, result: Result | None = None) -> None:
        self.facts = dict(definition.facts)
        self.fields = {name: field for fact in definition.facts.values() for name, field in (fact.fields or {}).items()}
        self.rules = {t.id: t.label for t in result.trace.walk()} if result is not None else {}
        self.shown = result.shown if result is not None else None
        #: the facts the rule being explained reads: their values' labels come first (``value_label``)
        self.reading: list[str] = []

    def name(self, name: str) -> str:
        """A fact's label, a rule's label, a built-in name in words, an expression in words; else the name."""
        fact = self.facts.get(name) or self.fields.get(name)
        if fact is None and name in _BUILT_IN:
            return _(_BUILT_IN[name])
        found = (fact.label if fact and fact.label else None) or self.rules.get(name)
        return found or (name if name.isidentifier() else expression_text(name, self))

    def value(self, name: str, value: Any) -> str:
        """A fact's value with its unit (``58.8亿元``); a rule's score to the places its scheme shows it to."""
        fact = self.facts.get(name) or self.fields.get(name)
        if fact is None and isinstance(value, Decimal) and self.shown is not None and (
                name in self.rules or name in _BUILT_IN_SCORES):
            return self.shown.score(name, value)
        shown = _value(value)
        return f"{shown}{fact.unit}" if fact and fact.unit and isinstance(value, Decimal) else shown

    def value_label(self, value: str) -> str | None:
        """The document's words for an enum value (``bureau`` → ``厅局级``), from the facts the rule reads first."""
        read = [self.facts[k] for k in self.reading if k in self.facts]
        facts = [f for fact in read for f in (fact, *(fact.fields or {}).values())]
        for fact in (*facts, *self.facts.values(), *self.fields.values()):
            if fact.type == "enum" and value in fact.enum_values:
                return fact.value_label(value)
        return None

    def reading_unit(self) -> str | None:
        """The unit the facts the rule reads share (``%`` for two rates), None where they have none or differ."""
        units = {self.facts[k].unit for k in self.reading if k in self.facts}
        return units.pop() if len(units) == 1 else None

    def score(self, value: Any, name: str = "") -> str:
        """A score in a note (the sections' sum, the adjustments) to the places it is shown to."""
        return self.shown.score(name, value) if isinstance(value, Decimal) and self.shown else _value(value)


def words_for(result: Result) -> _Words:
    """The words that name what ``result``'s rules read (labels, units, places): for ``inputs_text``/``notes_text``."""
    return _Words(result.source.definition, result)


def scheme_words(definition: SchemeDefinition) -> _Words:
    """The words that name a scheme's facts and their fields (for ``expression_text`` outside an explanation)."""
    return _Words(definition)


def inputs_text(trace: Trace, words: _Words) -> str:
    """What a rule read, by label and with units: ``地区生产总值完成值 58.8亿元;地区生产总值目标值 56亿元``."""
    return _("; ").join(_("{name} = {value}", name=words.name(k), value=words.value(k, v)) for k, v in trace.inputs)


def notes_text(trace: Trace, words: _Words) -> list[str]:
    """What a rule did, a sentence per note: ``58.8 ÷ 56 = 105.00%,超额完成5.00%…``."""
    words.reading = [name for name, _given in trace.inputs]
    return [note_text(note, words) for note in trace.notes]


#: the names every scheme may read (``apprule.facts.RESERVED_NAMES``), in words
_BUILT_IN = {"sections": N_("the sections' sum"), "adjustments": N_("adjustments"), "total": N_("total"),
             "rank": N_("rank"), "rank_from_bottom": N_("rank from the bottom"), "scope_size": N_("units ranked"),
             # what a movement rule (排位变化) compares: the unit's place before and its place now
             "rank before": N_("place before"), "rank now": N_("place now")}
#: the built-in names whose values are scores
_BUILT_IN_SCORES = ("sections", "adjustments", "total")


def _list(names: Iterable[str]) -> str:
    return _(", ").join(names)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, Note):
        return note_text(value)
    return "—" if value is None else str(value)


def _text(trace: Trace, depth: int, lines: list[str], words: _Words, clause: str | None) -> None:
    """A rule's line, its inputs and notes; a line without a clause of its own shows the one it stands under."""
    pad = "  " * depth
    clause = trace.clause or clause
    if trace.kind == "veto" and trace.value == "applies":
        value = _("applies")
    elif isinstance(trace.value, Decimal) and not isinstance(trace.value, bool):  # to its declared places
        value = words.score(trace.value, trace.id)
    else:
        value = _value(trace.value)
    head = f"{pad}{trace.label} [{trace.id}]: {value}"
    if trace.max is not None and trace.kind not in ("veto",):  # the total's: what it may reach beyond it
        head += f" / {(trace.kind == 'total' and words.shown and words.shown.ceiling()) or plain(trace.max)}"
    if clause:
        head += f"  〔{clause}〕"
    lines.append(head)
    if trace.inputs:
        lines.append(pad + "  " + _("inputs: {inputs}", inputs=inputs_text(trace, words)))
    for note in notes_text(trace, words):
        lines.append(f"{pad}  · {note}")
    if trace.honours:
        lines.append(pad + "  " + _("honours: {names}", names=_list(trace.honours)))
    if trace.flags:
        lines.append(pad + "  " + _("flags: {names}", names=_list(trace.flags)))
    for child in trace.children:
        _text(child, depth + 1, lines, words, clause)


def trace_data(trace: Trace) -> dict[str, Any]:
    """A trace as plain JSON-ready data; decimals as strings so no digit is lost."""
    return {
        "id": trace.id, "label": trace.label, "kind": trace.kind, "value": _json(trace.value),
        "clause": trace.clause, "max": _json(trace.max),
        "inputs": {k: _json(v) for k, v in trace.inputs}, "notes": [note_data(n) for n in trace.notes],
        "honours": list(trace.honours), "flags": list(trace.flags),
        "children": [trace_data(c) for c in trace.children],
        **({"outcomes": [o.as_dict() for o in trace.outcomes]} if trace.outcomes else {}),
    }


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, Note):
        return note_text(value)
    if isinstance(value, Band):
        return describe_band(value)
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    return str(value)


def note_data(note: Note) -> dict[str, Any]:
    """A note as JSON-ready data: its kind, its values (decimals as strings) and its sentence."""
    values = {k: [note_data(x) if isinstance(x, Note) else _json(x) for x in v] if isinstance(v, tuple) else _json(v)
              for k, v in note.values.items()}
    return {"kind": note.kind, **values, "text": note_text(note)}


def note_text(note: Note, words: _Words | None = None) -> str:
    """The sentence an explanation shows for ``note``, in the current language; ``words`` name the facts."""
    v = {k: _value(x) for k, x in note.values.items()}
    name = words.name if words is not None else str
    match note.kind:
        case "empty":
            return _("{names} empty", names=_list(map(name, note["names"])))
        case "clamped":
            return _("{value} clamped to {to}", **v)
        case "rate_over_one":
            return _("rate {value} counted as 1", **v)
        case "per":
            if note["size"] is not None:
                return _("{count} × {points} (every {size})", **v)
            return _("{count} × {points}", **v)
        case "condition":
            return _("condition holds") if note["holds"] else _("condition does not hold")
        case "steps":
            return _steps(note, v, words.reading_unit() if words is not None else None)
        case "band":
            bands = note["bands"]
            if not bands:
                return _("{value} is in no band", **v)
            return ngettext("{value} in band {bands}", "{value} in bands {bands}", len(bands), value=v["value"],
                            bands=_("; ").join(map(describe_band, bands)))
        case "table":
            key = _quoted(note["key"], words)
            return _("{key} in the table", key=key) if note["found"] else \
                _("{key} not in the table: otherwise", key=key)
        case "outside_period":
            if note["after"]:
                return _("event #{number} dated {date} is after the period: carried over to the next", **v)
            return _("event #{number} dated {date} is before the period: not counted", **v)
        case "carried_in":
            return _("event #{number} dated {date}: carried in from {source}, counted in this period", **v)
        case "event":
            if note["why"] is not None:
                return _("event #{number}: {value} ({why})", number=v["number"], value=v["value"],
                         why=note_text(note["why"], words))
            return _("event #{number}: {value}", **v)
        case "events_not_counted":
            combine = _COMBINE.get(note["combine"], note["combine"])
            if note["key"]:
                return ngettext("{n} event not counted: {combine} per {key}", "{n} events not counted: {combine} per "
                                "{key}", note["count"], combine=_(combine), key=name(note["key"]))
            return ngettext("{n} event not counted: {combine}", "{n} events not counted: {combine}", note["count"],
                            combine=_(combine))
        case "events_counted":
            return ngettext("{n} event, {counted} counted", "{n} events, {counted} counted", note["given"],
                            counted=v["counted"])
        case "key_limited":
            return _("{field} {key}: {value} limited to {to}", field=name(note["field"]), key=_quoted(note["key"], words),
                     value=v["value"], to=v["to"])
        case "rank_points":
            return _rank_points(note, v)
        case "held_first":
            return _("held first place: {value}", **v)
        case "movement":
            if note["places"] > 0:
                text = ngettext("rank {before} → {now}: {n} place up × {per_place} = {gained}",
                                "rank {before} → {now}: {n} places up × {per_place} = {gained}", note["places"],
                                before=v["before"], now=v["now"], per_place=v["per_place"], gained=v["gained"])
            else:
                text = _("rank {before} → {now}: no gain", **v)
            return text + (_(", capped at {capped}", **v) if note["capped"] is not None else "")
        case "inapplicable":
            if note["to"]:
                return _("not applicable: the unit has no such item; its weight {weight} moves to {to}",
                         weight=v["weight"], to=name(note["to"]))
            return _("not applicable: the unit has no such item")
        case "transfer":
            donors = _list(map(name, note["donors"]))
            if note["how"] == "rescale":
                return _("weight {weight} of {donors} moved here: {before} × {new_max} / {max} = {value}",
                         **{**v, "donors": donors})
            return _("weight {weight} of {donors} moved here and credited in full", weight=v["weight"], donors=donors)
        case "capped":
            return _("{value} capped at {to}", **v) if note["to"] < note["value"] else _("{value} floored at {to}", **v)
        case "rounded":
            return _("{value} rounded ({mode}, {places} places) to {to}",
                     **{**v, "mode": _(_ROUNDING.get(note["mode"], note["mode"]))})
        case "filled":
            return ngettext("filled with the average of {n} peer: {value}",
                            "filled with the average of {n} peers: {value}", note["peers"], value=v["value"])
        case "no_peer":
            return _("no peer has a value: {value}", **v)
        case "bonuses_capped":
            return _("bonuses {value} capped at {to}", **v)
        case "deductions_limited":
            return _("deductions {value} limited to {to}", **v)
        case "net_limited":
            return _("net {value} limited to {to}", **v)
        case "total_sum":
            if words is not None:
                v = {k: words.score(note[k], k) for k in ("sections", "adjustments")}
            return _("sections {sections} + adjustments {adjustments}", **v)
        case "total_formula":
            return _("formula {formula}", formula=_code(note["formula"], words))
        case "veto":
            return _("condition {when}", when=_code(note["when"], words))
        case "rank":
            return _("rank {rank} of {of} in {scope}", **v)
        case "unranked_veto":
            return _("removed from the ranking: {vetoes}", vetoes=_list(note["vetoes"]))
        case "unranked_excluded":
            return _("scored but not ranked (listed under ranking.exclude)")
        case "partial":
            return _("a partial run: ranked among the {given} units given of the {roster} on the roster", **v)
        case "not_graded":
            return _("not graded: the unit is not ranked")
        case "forced_unranked":
            return _("not ranked; {veto}: grade forced to {grade}", **v)
        case "barred":
            return _("{veto}: not eligible for {grades}", veto=v["veto"], grades=_list(note["grades"]))
        case "grade_scope":
            text = ngettext("scope of {n} unit", "scope of {n} units", note["units"])
            if note["quotas"]:
                text += _("; quotas: {quotas}", quotas=_("; ").join(note_text(q, words) for q in note["quotas"]))
            return text + (_("; rank {rank}", **v) if note["rank"] is not None else _("; unranked"))
        case "quota_count":
            rounding = _(_QUOTA_ROUNDING.get(note["rounding"], note["rounding"]))
            if note["percent"] is not None:
                return _("{grade}: {percent}% of {n} = {exact} → {places} ({rounding})", **{**v, "rounding": rounding})
            return _("{grade}: {count} → {places} ({rounding})", **{**v, "rounding": rounding})
        case "quota_cumulative":
            return _("{grade}: cumulative {cumulative} → {reach}, so {places} ({rounding})",
                     **{**v, "rounding": _(_QUOTA_ROUNDING.get(note["rounding"], note["rounding"]))})
        case "quota_largest_remainder":
            return _("{grade}: {exact} → {places} (largest remainder)", **v)
        case "granted":
            if note["place"]:
                return _("{grant}: granted {grade}, using a quota place", **v)
            return _("{grant}: granted {grade}", **v)
        case "condition_not_met":
            return _("{grade}: condition {when} not met", grade=v["grade"], when=_code(note["when"], words))
        case "condition_met":
            return _("{grade}: condition met", **v)
        case "every_unit_left":
            return _("{grade}: every unit left", **v)
        case "place_forfeited":
            return _("{grade}: barred; its place within the quota is forfeited", **v)
        case "boundary_tie":
            if note["policy"] == "include":
                return _("{grade}: {tied} units tied at rank {rank} straddle the {places}-place quota: all included",
                         **v)
            return _("{grade}: {tied} units tied at rank {rank} straddle the {places}-place quota: all excluded", **v)
        case "quota_place":
            return _("{grade}: place {place} of {places}", **v)
        case "outside_quota":
            return _("{grade}: outside the {places}-place quota", **v)
        case "promoted":
            return _("{grant}: {before} → {grade} outside the quota", **v)
        case "forced":
            return _("{veto}: grade forced to {grade}", **v)
        case "demoted":
            return _("{veto}: demoted {before} → {grade}, placed at its bottom", **v)
        case "no_grade":
            return _("no grade: barred from every grade it could take")
        case _:  # a shape from outside apprule, with words of its own (or none yet)
            for shape in SHAPES.values():
                if note.kind in shape.notes:
                    return shape.notes[note.kind](note)
            return note.kind + (" " + ", ".join(f"{k} = {x}" for k, x in v.items()) if v else "")


#: the words for a mode of rounding, a way to combine events, a quota's rounding (translated where said)
_ROUNDING = {"half_up": N_("half up"), "half_even": N_("half even"), "half_down": N_("half down"),
             "down": N_("towards zero"), "up": N_("away from zero"), "floor": N_("down"), "ceiling": N_("up")}
_COMBINE = {"sum": N_("all summed"), "max": N_("the highest counts"), "min": N_("the lowest counts"),
            "max_abs": N_("the largest in size counts"), "highest_level": N_("the highest level counts")}
_QUOTA_ROUNDING = {"floor": N_("rounded down"), "ceil": N_("rounded up"), "half_up": N_("rounded half up")}


def _code(text: str, words: _Words | None = None) -> str:
    """An expression as the text shows it: in words where the scheme's names are known, else code in backticks."""
    if words is not None:
        return expression_text(text, words)
    return f"`{text}`"


#: the words of the expression language (``apprule.expressions``) as an explanation says them
_EXPRESSION_WORDS = {"and": N_("and"), "or": N_("or"), "not": N_("not"), "if": N_("if"), "else": N_("else"),
                     "in": N_("in"), "True": N_("yes"), "False": N_("no"), "None": N_("empty"),
                     # TRANSLATORS: the expression functions (apprule.expressions.FUNCTIONS), said before their
                     # arguments in parentheses: min(a, b)
                     "min": N_("min"), "max": N_("max"), "abs": N_("abs"), "floor": N_("floor"), "ceil": N_("ceil"),
                     "round_half_up": N_("round_half_up"), "clamp": N_("clamp"), "sum": N_("sum"),
                     "count": N_("count"), "present": N_("present")}
_EXPRESSION_SYMBOLS = {"*": "×", "/": "÷", ">=": "≥", "<=": "≤", "==": "=", "!=": "≠"}
_EXPRESSION_PARTS = re.compile(r"('[^']*'|\"[^\"]*\")|([A-Za-z_][A-Za-z0-9_]*)|(>=|<=|==|!=|[*/])")


def expression_text(text: str, words: _Words) -> str:
    """An expression (a formula, a veto's or a grade's condition) in words: each name by its label
    (``领导评价得分``), the language's words and operators as a reader writes them (``×``, ``≥``, ``且``)."""
    def said(match: re.Match[str]) -> str:
        quoted, name, symbol = match.groups()
        if quoted:
            return quoted
        if symbol:
            return _EXPRESSION_SYMBOLS[symbol]
        if name in _EXPRESSION_WORDS and name not in words.facts and name not in words.fields:
            return _(_EXPRESSION_WORDS[name])
        return words.name(name)

    return _EXPRESSION_PARTS.sub(said, text)


def _quoted(key: Any, words: _Words | None = None) -> str:
    """A table's key as the text shows it: a word in quotes (an enum value by its label), a number as it is."""
    if not isinstance(key, str):
        return _value(key)
    return _("'{text}'", text=(words.value_label(key) if words is not None else None) or key)


def _steps(note: Note, v: dict[str, str], unit: str | None = None) -> str:
    """每超额完成5%加5分 in the document's words: the measure, how far from the target, how many steps. A difference
    of two rates (``unit`` %) is in percentage points: 9.6% - 8% = 1.6个百分点."""
    ratio, distance, size = note["ratio"], note["distance"], note["size"]
    step = _("{number}%", number=plain((size * 100).normalize())) if ratio and size is not None else v["size"]
    if ratio:
        places = _places(distance, size)
        shown = _("{actual} ÷ {target} = {quotient}", actual=v["actual"], target=v["target"],
                  quotient=_percent(ONE + distance, places))
        far = _percent(abs(distance), places)
    elif unit == "%":
        shown = _("{actual}% - {target}% = {distance}", actual=v["actual"], target=v["target"],
                  distance=_points(distance))
        far, step = _points(abs(distance)), _points(size) if size is not None else step
    else:
        shown = _("{actual} - {target} = {distance}", **v)
        far = plain(abs(distance))
    if distance > 0:
        where = _("{far} over the target", far=far)
    elif distance < 0:
        where = _("{far} short of the target", far=far)
    else:
        where = _("exactly on the target")
    if note["count"] is None:
        return _("{shown}, {where}: no step applies", shown=shown, where=where)
    if not note["count"]:
        if distance > 0:
            return _("{shown}, {where}, less than {step}: no points added", shown=shown, where=where, step=step)
        return _("{shown}, {where}, less than {step}: nothing deducted", shown=shown, where=where, step=step)
    return ngettext("{shown}, {where}: {n} step of {step} × {points} = {total}",
                    "{shown}, {where}: {n} steps of {step} × {points} = {total}", int(note["count"]),
                    shown=shown, where=where, step=step, points=v["points"], total=plain(note["count"] * note["points"]))


def _points(number: Decimal) -> str:
    """A difference of two percentages: 1.6个百分点, 1 percentage point."""
    return ngettext("{number} percentage point", "{number} percentage points", 1 if abs(number) == 1 else 2,
                    number=plain(number))


def _places(distance: Decimal, size: Decimal | None) -> int:
    """Two places of a percentage (1.67%), or more where two would round a distance short of a whole step
    (4.9996%) onto one (5.00%): the text never contradicts the count of steps."""
    exact = abs(distance) * 100
    for places in range(2, 12):
        shown = exact.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
        if shown == exact or size is None or (shown / (size * 100)) % 1:
            return places
    return 12


def _percent(ratio: Decimal, places: int) -> str:
    return _("{number}%", number=plain((ratio * 100).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)))


def _rank_points(note: Note, v: dict[str, str]) -> str:
    rank, tied, ties = note["rank"], note["tied"], note["ties"]
    if ties == "split":
        how = _("{points} ÷ {tied} = {value}", **v)
    elif ties == "average":
        how = _("average of places {first}-{last} = {value}", first=rank, last=rank + tied - 1, value=v["value"])
    elif ties == "worst":
        how = _("the worst tied place's points {value}", **v)
    else:
        how = v["value"]
    if tied > 1:
        return ngettext("rank {rank}, tied with {n} other: {how}", "rank {rank}, tied with {n} others: {how}",
                        tied - 1, rank=rank, how=how)
    return _("rank {rank}: {how}", rank=rank, how=how)


def describe_band(band: Band) -> str:
    """A band as its label, or its bounds (≥ 10 and < 20)."""
    parts = []
    if band.from_ is not None:
        parts.append(f"≥ {plain(band.from_)}")
    if band.above is not None:
        parts.append(f"> {plain(band.above)}")
    if band.to is not None:
        parts.append(f"≤ {plain(band.to)}")
    if band.below is not None:
        parts.append(f"< {plain(band.below)}")
    return band.label or (_(" and ").join(parts) or _("any value"))
