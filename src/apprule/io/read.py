"""Facts files in: YAML, JSON, CSV or XLSX, each value remembered with where it came from.

    facts = read_facts("数据.xlsx", scheme)
    try:
        evaluation = scheme.evaluate(facts.facts)
    except FactError as exc:
        raise facts.locate(exc)          # the same problems, named by sheet, row and column

Unit ids are text: a YAML key such as ``001`` (a number) or a number cell is a
problem, never silently turned into ``1``. JSON numbers are read as decimals
from their text; decimals may also be given as strings. Text holding a control
character or a lone surrogate is refused (``bad-character``), as is JSON nested
deeper than facts ever are (``too-deep``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..engine import Scheme
from ..errors import AppruleError, FactError, OverMax, SchemeError, joined, unit_and_fact
from ..facts import placements
from ..scheme.yamlsource import FACTS_LIMITS, Source, read_yaml
from .problems import FactsFileError, FileIssue, Where, source_and_caret
from .text import NOT_TEXT, not_text
from ..i18n import _, using
from ..parser_words import json_message

#: The largest facts file apprule reads, in bytes, of any format: checked before a byte of it is parsed. 256 MiB
#: holds 100,000 units with 50 events each as YAML; a workbook is also bounded as it unpacks (``tables.MAX_BYTES``).
MAX_FILE_BYTES = 256 * 1024 * 1024

#: file name endings → format
FORMATS = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".csv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx"}


@dataclass
class FactsFile:
    """Facts per unit as read from a file, and where each value stands in it."""

    name: str
    facts: dict[str, Any]
    where: dict[tuple[str, str], Where] = field(default_factory=dict)
    #: (group, unit) of roster units the file does not give
    missing: list[tuple[str, str]] = field(default_factory=list)

    def locate(self, exc: FactError) -> FactsFileError:
        """The library's fact problems, each named by the place in the file it comes from."""
        issues = []
        for issue in exc.issues:
            at = (self.where.get((issue.unit, issue.fact)) or self.where.get((issue.unit, ""))
                  or Where(self.name))
            with using(issue.language):  # the place in the language of the message
                issues.append(at.issue(issue.code, f"{unit_and_fact(issue.unit, issue.fact)}: {issue.message}"))
        return FactsFileError(issues)

    def locate_value(self, exc: OverMax) -> AppruleError:
        """A value the scoring refused, named by its place in the file when the file gave it."""
        at = self.where.get((exc.unit, exc.fact)) if exc.fact else None
        return exc if at is None else FactsFileError([at.issue(exc.code, str(exc))])


def facts_format(path: str | Path) -> str | None:
    """``yaml``, ``json``, ``csv`` or ``xlsx`` from a file name; None when apprule does not read it."""
    return FORMATS.get(Path(path).suffix.lower())


def refuse_too_large(path: Path, display: str, limit: int = MAX_FILE_BYTES) -> None:
    """``file-too-large`` for a file of more than ``limit`` bytes, before it is read: a file that size is not a
    facts file an office fills in, and parsing it would take the machine's memory."""
    try:
        size = path.stat().st_size
    except OSError:
        return  # reading it names the system's reason
    if size > limit:
        raise FactsFileError([FileIssue("file-too-large", _(
            "the file holds {size} bytes ({mib} MiB), more than the {limit} bytes ({limit_mib} MiB) apprule reads; "
            "it was not read", size=size, mib=size // 2**20, limit=limit, limit_mib=limit // 2**20), display)])


def read_facts(path: str | Path, scheme: Scheme, *, partial: bool = False,
               max_bytes: int = MAX_FILE_BYTES) -> FactsFile:
    """Read and check a facts file against ``scheme``; raise ``FactsFileError`` naming every problem.

    With ``partial`` a roster unit the file does not give is allowed (listed in ``missing``). A file of more than
    ``max_bytes`` bytes is refused before it is read (``file-too-large``). The problems are in the scheme's language, unless
    one was chosen (``apprule.i18n``).
    """
    with scheme.speaking():
        return _read_facts(Path(path), scheme, partial, max_bytes)


def _read_facts(path: Path, scheme: Scheme, partial: bool, max_bytes: int) -> FactsFile:
    display = str(path)
    kind = facts_format(path)
    if kind is not None:
        refuse_too_large(path, display, max_bytes)
    if kind in ("csv", "xlsx"):
        from .sheets import facts_from_sheets
        from .tables import read_csv, read_xlsx
        sheets = read_csv(path, display) if kind == "csv" else read_xlsx(path, display)
        used = {g.id: scheme.facts_used(g.id) for g in scheme.groups}
        found = facts_from_sheets(scheme.definition, used, sheets, display, partial)
        if found.issues:
            raise FactsFileError(found.issues)
        return FactsFile(display, found.facts, found.where, found.missing)
    if kind not in ("yaml", "json"):
        raise FactsFileError([FileIssue("unknown-format", _("apprule reads facts from {endings} files; save the file "
                                                            "in one of these", endings=', '.join(FORMATS)), display)])
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FactsFileError([FileIssue("bad-encoding", _("a {value} file is UTF-8 ({reason})",
                                                          value=kind.upper(), reason=exc.reason),
                                        display)]) from None
    facts, where = _yaml(text, display) if kind == "yaml" else _json(text, display)
    _check_text(facts, where, display)
    missing = _missing(scheme, facts)
    if missing and not partial:
        raise FactsFileError([FileIssue(
            "missing-unit", _("{count} unit(s) of the roster of group {gid!r} are not in the file: ",
                              count=len(units), gid=gid)
            + "、".join(units) + _(" (every unit is scored; ranks and quotas count them all)"), display)
            for gid, units in _by_group(missing).items()])
    return FactsFile(display, facts, where, missing)


def _missing(scheme: Scheme, facts: Any) -> list[tuple[str, str]]:
    given = set(facts) if isinstance(facts, dict) else set()
    return [(scheme.groups[gi].id, unit) for unit, (gi, _) in placements(scheme.definition).items()
            if unit not in given]


def _by_group(missing: list[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for gid, unit in missing:
        grouped.setdefault(gid, []).append(unit)
    return grouped


def _yaml(text: str, display: str) -> tuple[Any, dict[tuple[str, str], Where]]:
    try:
        source = read_yaml(text, display, FACTS_LIMITS)  # facts are data: their own, larger limits
    except SchemeError as exc:  # the YAML reader speaks of schemes; here it read facts
        raise FactsFileError([_from_problem(p) for p in exc.problems]) from None
    data = source.data
    if not isinstance(data, dict):
        raise FactsFileError([FileIssue("not-a-mapping", _("a facts file maps each unit to its facts"), display)])
    where: dict[tuple[str, str], Where] = {}
    issues = []
    for unit, given in data.items():
        at = _at(source, (unit,), key=True)
        if not isinstance(unit, str):
            issues.append(at.issue("unit-as-number", _("the unit id {unit!r} is read as a number; quote it (e.g. "
                                                       "'001') so it stays text and keeps its "
                                                       "leading zeros", unit=unit)))
            continue
        where[(unit, "")] = at
        if isinstance(given, dict):
            for fact in given:
                if isinstance(fact, str):
                    where[(unit, fact)] = _at(source, (unit, fact))
    if issues:
        raise FactsFileError(issues)
    return data, where


def _at(source: Source, path: tuple[Any, ...], key: bool = False) -> Where:
    loc = source.locations.get(path) if key else (source.value_locations.get(path) or source.locations.get(path))
    if loc is None:
        return Where(source.name)
    line = source.line(loc)
    detail = source_and_caret(line, loc.column) if line is not None else None
    return Where(str(loc), (0, loc.line, loc.column), detail)


def _from_problem(problem: Any) -> FileIssue:
    loc = problem.location
    detail = None
    if problem.source_line is not None and loc is not None:
        detail = source_and_caret(problem.source_line, loc.column)
    order = (0, loc.line, loc.column) if loc else (0, 0, 0)
    return FileIssue(problem.code, problem.message, str(loc) if loc else "", detail, order)


#: how deep a facts file's JSON may nest: a facts file needs 4 (unit, fact, event, field)
MAX_JSON_DEPTH = 32
_BRACKETS = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+"|[\[\]{}]')


def _check_text(facts: Any, where: dict[tuple[str, str], Where], display: str) -> None:
    """Every unit name, fact name and text value is text: no control character, no lone surrogate."""
    if not isinstance(facts, dict):
        return
    issues = []
    stack: list[tuple[str, Any, str, str]] = []
    for unit, given in facts.items():
        if isinstance(unit, str) and not_text(unit):
            issues.append(FileIssue("bad-character", _("the unit name {unit!r} holds {value}, {not_text}",
                                                       unit=unit, value=not_text(unit),
                                      not_text=_(NOT_TEXT)),
                                    display))
            continue
        stack.append((_("unit {unit!r}", unit=unit), given, str(unit), ""))
    while stack:  # a loop, not recursion: the JSON may nest as deep as the parser allowed
        what, value, unit, fact = stack.pop()
        if isinstance(value, str) and not_text(value):
            at = where.get((unit, fact)) or where.get((unit, "")) or Where(display)
            issues.append(at.issue("bad-character", _("{what}: the text holds {value}, {not_text}",
                                                      what=what, value=not_text(value),
                                                     not_text=_(NOT_TEXT))))
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str) and not_text(key):
                    at = where.get((unit, "")) or Where(display)
                    issues.append(at.issue("bad-character", _("{what}: the name {key!r} holds {value}, {not_text}",
                                                              what=what, key=key,
                                             value=not_text(key), not_text=_(NOT_TEXT))))
                    continue
                named = joined(what, _("fact {fact!r}", fact=key) if not fact else _("field {field!r}", field=key))
                stack.append((named, item, unit, fact or str(key)))
        elif isinstance(value, list):
            stack += [(joined(what, _("event {n}", n=n)), item, unit, fact) for n, item in enumerate(value, 1)]
    if issues:
        raise FactsFileError(issues)


def _deeper(data: Any, depth: int) -> bool:
    """Whether ``data`` nests deeper than ``depth``, found by a loop (no recursion)."""
    stack = [(data, 1)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, (dict, list)):
            if level > depth:
                return True
            stack += [(v, level + 1) for v in (value.values() if isinstance(value, dict) else value)]
    return False


def _too_deep(text: str, display: str) -> FactsFileError:
    """The first bracket nesting deeper than ``MAX_JSON_DEPTH``, located."""
    depth = 0
    for token in _BRACKETS.finditer(text):
        bracket = token.group()
        if bracket in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                line = text.count("\n", 0, token.start()) + 1
                column = token.start() - (text.rfind("\n", 0, token.start()) + 1) + 1
                return FactsFileError([FileIssue(
                    "too-deep", _("the JSON nests deeper than {most} levels (a facts file needs 4: unit, fact, event, "
                                  "field)", most=MAX_JSON_DEPTH), f"{display}:{line}:{column}", order=(0, line, column))])
        elif bracket in "]}":
            depth -= 1
    return FactsFileError([FileIssue("too-deep", _("the JSON nests deeper than {most} levels",
                                                   most=MAX_JSON_DEPTH), display)])


def _json_integer(text: str) -> int | Decimal:
    """A JSON integer: as an ``int``, or past Python's int-from-text limit (4,300 digits) as a ``Decimal``,
    for the library to refuse as out of range with the unit and the fact."""
    return int(text) if len(text) <= 1000 else Decimal(text)


def _json(text: str, display: str) -> tuple[Any, dict[tuple[str, str], Where]]:
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in items:
            if key in result:
                raise FactsFileError([FileIssue("duplicate-key", _("key {key!r} appears twice in one object", key=key),
                                                display)])
            result[key] = value
        return result

    try:
        data = json.loads(text, parse_float=Decimal, parse_int=_json_integer, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        raise FactsFileError([FileIssue("json-syntax", json_message(exc.msg), f"{display}:{exc.lineno}:{exc.colno}",
                                        order=(0, exc.lineno, exc.colno))]) from None
    except RecursionError:  # Python's parser recurses: 100,000 brackets overflow it
        raise _too_deep(text, display) from None
    if _deeper(data, MAX_JSON_DEPTH):
        raise _too_deep(text, display)
    if not isinstance(data, dict):
        raise FactsFileError([FileIssue("not-a-mapping", _("a facts file maps each unit to its facts"), display)])
    return data, {(unit, ""): Where(display) for unit in data}
