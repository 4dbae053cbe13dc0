"""Worked examples as data: a case file names a scheme, units' facts and the expected results.

    scheme: hebi_2021          # a shipped scheme's id, or a path relative to the case file
    cases:
      - description: 超额完成15%, 三个5%台阶
        units:
          海河街道办事处: {party: 45, ...}
        expect:
          海河街道办事处: {total: "128.5", rank: 1, grade: 好, values: {gdp_steps: "15"},
                          honours: [突出贡献奖], flags: [],
                          outcomes: [{kind: honour, id: 突出贡献奖, matter: 招商引资}]}
      - description: a missing fact is named
        units: {海河街道办事处: {}}
        expect_error: {code: missing-fact, unit: 海河街道办事处, fact: party}

Expected numbers are strings or numbers compared as exact decimals. A file, or one case, may name readings
to switch (`readings: {indicator_measure: ratio}`): the file's load the scheme, a case's are laid over them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from .engine import Scheme, load_scheme
from .decimals import plain
from .errors import AppruleError, EvaluationError, FactError, SchemeError
from .facts import BadValue, to_decimal
from .i18n import _
from .results import Evaluation, Result
from .scheme.yamlsource import read_yaml
from .shipped import scheme_path
from .i18n import _

_RESULT_KEYS = {"total", "rank", "grade", "honours", "flags", "values", "would_be_grade", "would_be_rank",
                "vetoes", "sequence", "group", "outside_period", "carried_over", "outcomes"}


@dataclass
class CaseOutcome:
    """One worked example run: its id, whether it passed, and each difference found."""

    file: str
    index: int
    description: str
    differences: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.differences


def load_cases(path: str | Path, readings: Mapping[str, str] | None = None) -> tuple[Scheme, list[dict[str, Any]]]:
    """Read a case file and load the scheme it names, under the file's `readings:` and then ``readings``."""
    path = Path(path)
    source = read_yaml(path.read_text(encoding="utf-8"), str(path))
    data = source.data
    if not isinstance(data, dict) or "scheme" not in data or not isinstance(data.get("cases"), list):
        raise SchemeError([source.problem("bad-case-file", _("a case file has `scheme:` and a list `cases:`"), ())])
    found = _malformed(data["cases"])
    if "readings" in data and not _is_readings(data["readings"]):
        found.append((("readings",), _READINGS))
    problems = [source.problem("bad-case-file", message, where, location=source.value_locations.get(where))
                for where, message in found]
    if problems:
        raise SchemeError(problems)
    named = str(data["scheme"])  # a path relative to the case file, or a shipped scheme's id
    relative = path.parent / named
    chosen = {**(data.get("readings") or {}), **(readings or {})}
    scheme = load_scheme(relative if relative.exists() or scheme_path(named) is None else named, readings=chosen)
    return scheme, data["cases"]


_READINGS = "a mapping of reading ids to choices, such as {indicator_measure: ratio}"


def _is_readings(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())


def under_readings(scheme: Scheme, readings: Mapping[str, str]) -> Scheme:
    """``scheme`` with ``readings`` laid over the readings in force (the same scheme when they change none)."""
    chosen = {**scheme.readings, **readings}
    if chosen == scheme.readings:
        return scheme
    return _reloaded(scheme.source, tuple(sorted(chosen.items())))


@lru_cache(maxsize=32)
def _reloaded(source: str, readings: tuple[tuple[str, str], ...]) -> Scheme:
    return load_scheme(source, readings=dict(readings))


def _malformed(cases: list[Any]) -> list[tuple[tuple[str | int, ...], str]]:
    """Where a case is not shaped as a case, and what it should be (each its own located problem)."""
    found: list[tuple[tuple[str | int, ...], str]] = []
    for i, case in enumerate(cases):
        at: tuple[str | int, ...] = ("cases", i)
        if not isinstance(case, dict):
            found.append((at, "a case is a mapping with `units:` and `expect:` or `expect_error:`"))
            continue
        if "readings" in case and not _is_readings(case["readings"]):
            found.append(((*at, "readings"), _READINGS))
        if "expect_error" in case and not isinstance(case["expect_error"], dict):
            found.append(((*at, "expect_error"), "a mapping such as {code: missing-fact, unit: 甲}"))
        expect = case.get("expect")
        if expect is None:
            continue
        if not isinstance(expect, dict):
            found.append(((*at, "expect"), "a mapping of units to their expectations"))
            continue
        for unit, wanted in expect.items():
            here = (*at, "expect", unit)
            if wanted is not None and not isinstance(wanted, dict):
                found.append((here, "an expectation is a mapping such as {total: 80, rank: 1}"))
                continue
            for key, value in (wanted or {}).items():
                if key == "values" and not isinstance(value, dict):
                    found.append(((*here, key), "a mapping of rule ids to numbers"))
                elif key in ("honours", "flags", "vetoes") and value is not None and not isinstance(value, list):
                    found.append(((*here, key), "a list"))
                elif key == "outcomes" and not (isinstance(value, list) and all(isinstance(o, dict) for o in value)):
                    found.append(((*here, key), "a list of outcomes such as {kind: speech, id: last_speech}"))
    return found


def evaluate_case(scheme: Scheme, case: dict[str, Any]) -> Evaluation:
    """A case's units scored. A case gives the units it is about, often part of a roster: its ranks,
    quotas and averages are taken among them (a partial run), unless it says `partial: false`. A case
    that names `readings:` is scored under them."""
    scheme = under_readings(scheme, case.get("readings") or {})
    return scheme.evaluate(case.get("units") or {}, partial=case.get("partial", True) is not False)


def run_case(scheme: Scheme, case: dict[str, Any], file: str = "", index: int = 0) -> CaseOutcome:
    """Evaluate one case and compare every expectation it states."""
    outcome = CaseOutcome(file, index, str(case.get("description", f"case {index + 1}")))
    diffs = outcome.differences
    try:
        evaluation = evaluate_case(scheme, case)
    except AppruleError as exc:
        expected = case.get("expect_error")
        if expected is None:
            diffs.append(_("unexpected error: {error}", error=exc))
        else:
            _compare_error(exc, expected, diffs)
        return outcome
    if "expect_error" in case:
        diffs.append(_("expected error {expected} but the evaluation succeeded", expected=case["expect_error"]))
        return outcome
    expect = case.get("expect") or {}
    for (*_where, unit), message in _malformed([case]):  # a case not read by ``load_cases``
        diffs.append(f"{unit}: {message}")
    if diffs:
        return outcome
    for unit, expected in expect.items():
        if unit not in evaluation:
            diffs.append(f"{unit}: " + _("no result"))
            continue
        _compare_result(evaluation[unit], expected or {}, diffs)
    return outcome


def _compare_result(result: Result, expected: dict[str, Any], diffs: list[str]) -> None:
    unit = result.unit
    for key, want in expected.items():
        if key not in _RESULT_KEYS:
            diffs.append(f"{unit}: " + _("unknown expectation {key!r} (one of {keys})", key=key, keys=sorted(_RESULT_KEYS)))
        elif key == "values":
            for node, value in want.items():
                if node not in result.values:
                    diffs.append(f"{unit}: " + _("no rule {node!r}", node=node))
                elif not _same_number(result.values[node], value):
                    diffs.append(f"{unit}.{node}: " + _got(value, result.values[node]))
        elif key == "total":
            if not _same_number(result.total, want):
                diffs.append(f"{unit}.total: " + _got(want, result.total))
        elif key == "outside_period":  # each as {fact, number, date, when}
            got_outside = [{"fact": o.fact, "number": o.number, "date": str(o.date), "when": o.when}
                           for o in result.outside_period]
            wanted = [{**o, "date": str(o.get("date"))} if isinstance(o, dict) else o for o in want or []]
            if got_outside != wanted:
                diffs.append(f"{unit}.outside_period: " + _got(want, got_outside))
        elif key == "carried_over":  # each as {fact, then the event's fields or deferred and counted}
            got_carried = [_texts({"fact": fact, **{k: v for k, v in item.items() if k != "carried_from"}})
                           for fact, item in result.carried_over]
            if got_carried != [_texts(o) if isinstance(o, dict) else o for o in want or []]:
                diffs.append(f"{unit}.carried_over: " + _got(want, got_carried))
        elif key == "outcomes":
            _compare_outcomes(result, want, diffs)
        elif key in ("honours", "flags", "vetoes"):
            got = list(getattr(result, key))
            if sorted(got) != sorted(want or []):
                diffs.append(f"{unit}.{key}: " + _got(want, got))
        elif getattr(result, key) != want:
            diffs.append(f"{unit}.{key}: " + _got(repr(want), repr(getattr(result, key))))


def _got(want: Any, got: Any) -> str:
    """What a case expected and what the evaluation gave, in the current language."""
    return _("expected {want}, got {got}", want=want, got=got)


def _texts(item: dict[str, Any]) -> dict[str, str]:
    """A carried-over item as text, as a case states it: numbers exactly (0 = 0.0), dates in ISO form, no empties."""
    return {k: plain(v.normalize()) if isinstance(v, Decimal) else str(v) for k, v in item.items() if v is not None}


def _compare_outcomes(result: Result, want: list[dict[str, Any]], diffs: list[str]) -> None:
    """Every outcome expected, in any order, each by the fields it names (kind and id at least); and no other."""
    left = [o.as_dict() for o in result.outcomes]
    for expected in want:
        wanted = {k: str(v) if k in ("clause", "matter", "label") else v for k, v in expected.items()}
        found = next((o for o in left if all(o.get(k) == v for k, v in wanted.items())), None)
        if found is None:
            diffs.append(f"{result.unit}.outcomes: " + _("expected {expected}, not among {found}", expected=expected, found=left))
        else:
            left.remove(found)
    for extra in left:
        diffs.append(f"{result.unit}.outcomes: " + _("unexpected {extra}", extra=extra))


def _same_number(got: Decimal, want: Any) -> bool:
    try:
        return got == to_decimal(want)
    except BadValue:  # an expectation that is no number never equals one
        return False


def _compare_error(exc: AppruleError, expected: dict[str, Any], diffs: list[str]) -> None:
    if isinstance(exc, FactError):
        found = [{"code": i.code, "unit": i.unit, "fact": i.fact, "message": i.message} for i in exc.issues]
    elif isinstance(exc, EvaluationError):
        found = [{"code": exc.code, "unit": exc.unit, "rule": exc.node, "message": exc.reason}]
    elif isinstance(exc, SchemeError):
        found = [{"code": p.code} for p in exc.problems]
    else:
        found = [{"code": exc.code}]
    if not any(all(f.get(k) == v for k, v in expected.items()) for f in found):
        diffs.append(_("expected error {expected}, got {found}: {error}", expected=expected, found=found, error=exc))
