"""Benchmark apprule on seeded synthetic populations of every shipped scheme.

    python bench/run.py                  # n = 1k, 10k, 100k
    python bench/run.py --sizes 1000 10000 100000 1000000 --repeat 3
    python bench/run.py --sizes 10000 100000 --schemes xingyang_2021 --groups towns

Prints, per scheme and size, units per second (median of --repeat runs), peak memory per
unit (tracemalloc), and the growth of time per 10× n. Beside 荥阳's township group it times
the same facts given as columns (`Scheme.evaluate_columns`), as a ready Arrow table with the
results out as one (`to_arrow()`), as dictionaries with every total read through the public
API (`evaluation[unit].total`), a hand-written exact Decimal
evaluation of the group (bench/reference.py) and reading the facts alone (bench/floor.py,
the ceiling for any pure-Python evaluation of dictionaries), each in turn in every round so
that the machine's drift falls on all alike; it checks that all give the same totals and
ranks, and prints apprule's time as a multiple of the reference's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).parent))

import pyarrow as pa  # noqa: E402

import apprule  # noqa: E402
from apprule.engine import compile_scheme  # noqa: E402
from apprule.expressions import parse  # noqa: E402
from apprule.factchecks import passes  # noqa: E402
from apprule.facts import converted_event  # noqa: E402
from apprule.scheme.model import Fact, SchemeDefinition  # noqa: E402
from apprule.testing.edges import score_caps  # noqa: E402
from apprule.testing.strategies import mended  # noqa: E402
from floor import read_only  # noqa: E402
from reference import xingyang_towns  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def without_rosters(scheme: apprule.Scheme) -> apprule.Scheme:
    """The same scheme with rosters dropped, so a population of any size can be placed in a group."""
    groups = []
    for group in scheme.definition.groups:
        sequences = [s.model_copy(update={"units": None}) for s in group.sequences]
        ranking = group.ranking.model_copy(update={"exclude": []}) if group.ranking else None
        groups.append(group.model_copy(update={"units": None, "sequences": sequences, "ranking": ranking}))
    definition: SchemeDefinition = scheme.definition.model_copy(update={"groups": groups})
    return compile_scheme(definition)


def value_for(fact: Fact, rng: random.Random, period: Any, cap: Decimal | None = None) -> Any:
    """A plausible value of a declared fact, drawn from ``rng``; no more than ``cap``, the least maximum of the
    `score` rules that read it (a valid unit gives no more: above it is `OverMax`)."""
    if fact.type == "events":
        events = [{name: value_for(field, rng, period) for name, field in (fact.fields or {}).items()}
                  for _ in range(rng.choice((0, 0, 1, 2)))]
        tests = [parse(c.test, fact.fields or {}) for c in fact.checks]  # keep the events that pass `checks`
        return [e for e in events if all(passes(t, converted_event(fact, e)) for t in tests)]
    if fact.type == "boolean":
        return rng.random() < 0.1
    if fact.type == "enum":
        return rng.choice(list(fact.values or []))
    if fact.type == "text":
        return rng.choice(("甲", "乙", "丙"))
    if fact.type == "date":
        span = (period.end - period.start).days + 40
        return period.start + dt.timedelta(days=rng.randrange(span) - 20)
    low = fact.min if fact.min is not None else Decimal(0)
    high = fact.max if fact.max is not None else low + 100
    if cap is not None:
        high = min(high, cap)
    if fact.type == "count":
        return rng.randint(int(low), min(int(high), int(low) + 5))
    if fact.type == "rate":
        return Decimal(rng.randint(50, 130)) / 100
    cents = rng.randint(int(low * 100), int(high * 100))
    return Decimal(cents) / 100


def population(scheme: apprule.Scheme, group_index: int, n: int, seed: int) -> dict[str, dict[str, Any]]:
    rng = random.Random(seed)
    definition = scheme.definition
    group = definition.groups[group_index]
    used = sorted(scheme.facts_used(group.id))
    caps = score_caps(definition)
    declared = {name: definition.facts[name] for name in used}
    facts = {}
    for i in range(n):
        unit: dict[str, Any] = {"group": group.id}
        if group.sequences:
            unit["sequence"] = rng.choice(group.sequences).id
        for name in used:
            fact = definition.facts[name]
            unit[name] = value_for(fact, rng, definition.period, caps.get(name))
        if not mended(declared, unit, scheme.required_when,
                      lambda name: value_for(definition.facts[name], rng, definition.period, caps.get(name))):
            raise ValueError(f"cannot draw valid facts for {group.id}")  # the scheme's checks contradict
        facts[f"u{i:07d}"] = unit
    return facts


def as_columns(facts: dict[str, dict[str, Any]]) -> dict[str, list[Any]]:
    """The same population as a table: a `unit` column and one column per key."""
    keys = sorted({k for given in facts.values() for k in given})
    return {"unit": list(facts), **{k: [given.get(k) for given in facts.values()] for k in keys}}


def every_total(evaluation: apprule.Evaluation) -> list[Any]:
    """Every unit's total read through the public API, as a caller of ``evaluate`` would."""
    return [evaluation[unit].total for unit in evaluation]


def measure(runs: dict[str, Callable[[], Any]], repeat: int) -> dict[str, tuple[float, int]]:
    """Each run's median seconds and peak bytes. The runs are timed in turn, ``repeat`` rounds,
    so that the machine's drift falls on all of them alike and their ratios hold."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    measured = {}
    for name, run in runs.items():
        tracemalloc.start()
        run()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        measured[name] = statistics.median(times[name]), peak
    return measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--schemes", nargs="*", default=None, help="scheme ids (default: all shipped)")
    parser.add_argument("--groups", nargs="*", default=None, help="group ids (default: every group)")
    args = parser.parse_args()
    print(f"{'scheme / group':42} {'n':>9} {'units/s':>10} {'peak B/unit':>12} {'time ×/10×n':>12}")
    for path in sorted((ROOT / "src" / "apprule" / "schemes").glob("*.yaml")):
        scheme = without_rosters(apprule.load_scheme(path))
        if args.schemes and scheme.id not in args.schemes:
            continue
        for gi, group in enumerate(scheme.definition.groups):
            if not group.sections and group.adjustments is None or args.groups and group.id not in args.groups:
                continue
            previous = None
            for n in args.sizes:
                facts = population(scheme, gi, n, seed=n)
                runs: dict[str, Callable[[], Any]] = {"apprule": lambda: scheme.evaluate(facts)}
                compared = scheme.id == "xingyang_2021" and group.id == "towns"
                if compared:
                    table = as_columns(facts)
                    arrow = pa.table(table)  # built beforehand: events as lists of structs
                    used = sorted(scheme.facts_used(group.id))
                    numbers = [f for f in used if scheme.definition.facts[f].type in ("number", "count", "rate")]
                    events = [f for f in used if scheme.definition.facts[f].type == "events"]
                    runs.update({"columns": lambda: scheme.evaluate_columns(table),
                                 "arrow": lambda: scheme.evaluate_columns(arrow).to_arrow(),
                                 "totals": lambda: every_total(scheme.evaluate(facts)),
                                 "reference": lambda: xingyang_towns(facts),
                                 "floor": lambda: read_only(facts, numbers, events)})
                measured = measure(runs, args.repeat)
                seconds, peak = measured["apprule"]
                growth = f"{seconds / previous:.1f}" if previous else ""
                print(f"{scheme.id + ' / ' + group.id:42} {n:>9} {n / seconds:>10,.0f} {peak // n:>12,} {growth:>12}")
                previous = seconds
                if not compared:
                    continue
                ev = scheme.evaluate(facts)
                by_columns = scheme.evaluate_columns(table)
                same = all(by_columns[u].total == ev[u].total and by_columns[u].rank == ev[u].rank for u in ev)
                reference = xingyang_towns(facts)
                same_as_reference = all(ev[u].total == t and ev[u].rank == r for u, (t, r) in reference.items())
                by_arrow = scheme.evaluate_columns(arrow).to_arrow().to_pylist()
                same_arrow = all(ev[row["unit"]].total == row["total"] and ev[row["unit"]].rank == row["rank"]
                                 for row in by_arrow) and len(by_arrow) == len(ev)
                for name, label, verdict in (
                        ("columns", "the same, given as columns", "same" if same else "DIFFERENT"),
                        ("arrow", "an Arrow table in, to_arrow() out", "same" if same_arrow else "DIFFERENT"),
                        ("totals", "dictionaries, every total read", ""),
                        ("reference", "hand-written Decimal reference", "same" if same_as_reference else "DIFFERENT"),
                        ("floor", "reading the facts alone (bench/floor.py)", "")):
                    other, other_peak = measured[name]
                    print(f"{'  ' + label:42} {n:>9} {n / other:>10,.0f} {other_peak // n:>12,} {verdict:>12}")
                print(f"{'  apprule time ÷ reference time':42} {n:>9} {seconds / measured['reference'][0]:>10.2f}")
                print(f"{'  reference time ÷ Arrow time':42} {n:>9} "
                      f"{measured['reference'][0] / measured['arrow'][0]:>10.2f}")  # above 1: the Arrow path is faster


if __name__ == "__main__":
    main()
