"""Benchmark apprule on seeded synthetic populations of every shipped scheme.

    python bench/run.py                  # n = 1k, 10k, 100k
    python bench/run.py --sizes 1000 10000 100000 1000000 --repeat 3

Prints, per scheme and size, units per second (median of --repeat runs), peak memory per
unit (tracemalloc), and the growth of time per 10× n. Beside 荥阳's township group it times
the same facts given as columns (`Scheme.evaluate_columns`) and a hand-written exact Decimal
evaluation of the group (bench/reference.py), and checks that all give the same totals and
ranks; and it times reading the facts alone (bench/floor.py), the ceiling for any pure-Python
evaluation of dictionaries.
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

import apprule  # noqa: E402
from apprule.engine import compile_scheme  # noqa: E402
from apprule.scheme.model import Fact, SchemeDefinition  # noqa: E402
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


def value_for(fact: Fact, rng: random.Random, period: Any) -> Any:
    """A plausible value of a declared fact, drawn from ``rng``."""
    if fact.type == "events":
        return [{name: value_for(field, rng, period) for name, field in (fact.fields or {}).items()}
                for _ in range(rng.choice((0, 0, 1, 2)))]
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
    facts = {}
    for i in range(n):
        unit: dict[str, Any] = {"group": group.id}
        if group.sequences:
            unit["sequence"] = rng.choice(group.sequences).id
        for name in used:
            fact = definition.facts[name]
            unit[name] = value_for(fact, rng, definition.period)
        facts[f"u{i:07d}"] = unit
    return facts


def as_columns(facts: dict[str, dict[str, Any]]) -> dict[str, list[Any]]:
    """The same population as a table: a `unit` column and one column per key."""
    keys = sorted({k for given in facts.values() for k in given})
    return {"unit": list(facts), **{k: [given.get(k) for given in facts.values()] for k in keys}}


def measure(run: Callable[[], Any], repeat: int) -> tuple[float, int]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return statistics.median(times), peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--schemes", nargs="*", default=None, help="scheme ids (default: all shipped)")
    args = parser.parse_args()
    print(f"{'scheme / group':42} {'n':>9} {'units/s':>10} {'peak B/unit':>12} {'time ×/10×n':>12}")
    for path in sorted((ROOT / "schemes").glob("*.yaml")):
        scheme = without_rosters(apprule.load_scheme(path))
        if args.schemes and scheme.id not in args.schemes:
            continue
        for gi, group in enumerate(scheme.definition.groups):
            if not group.sections and group.adjustments is None:
                continue
            previous = None
            for n in args.sizes:
                facts = population(scheme, gi, n, seed=n)
                seconds, peak = measure(lambda: scheme.evaluate(facts), args.repeat)
                growth = f"{seconds / previous:.1f}" if previous else ""
                print(f"{scheme.id + ' / ' + group.id:42} {n:>9} {n / seconds:>10,.0f} {peak // n:>12,} {growth:>12}")
                previous = seconds
                if scheme.id == "xingyang_2021" and group.id == "towns":
                    ev = scheme.evaluate(facts)
                    table = as_columns(facts)
                    col_seconds, col_peak = measure(lambda: scheme.evaluate_columns(table), args.repeat)
                    by_columns = scheme.evaluate_columns(table)
                    same = all(by_columns[u].total == ev[u].total and by_columns[u].rank == ev[u].rank for u in ev)
                    print(f"{'  the same, given as columns':42} {n:>9} {n / col_seconds:>10,.0f} "
                          f"{col_peak // n:>12,} {'same' if same else 'DIFFERENT':>12}")
                    ref_seconds, ref_peak = measure(lambda: xingyang_towns(facts), args.repeat)
                    reference = xingyang_towns(facts)
                    same = all(ev[u].total == t and ev[u].rank == r for u, (t, r) in reference.items())
                    print(f"{'  hand-written Decimal reference':42} {n:>9} {n / ref_seconds:>10,.0f} "
                          f"{ref_peak // n:>12,} {'same' if same else 'DIFFERENT':>12}")
                    numbers = [f for f in sorted(scheme.facts_used(group.id))
                               if scheme.definition.facts[f].type in ("number", "count", "rate")]
                    events = [f for f in sorted(scheme.facts_used(group.id))
                              if scheme.definition.facts[f].type == "events"]
                    read_seconds, read_peak = measure(lambda: read_only(facts, numbers, events), args.repeat)
                    print(f"{'  reading the facts alone (bench/floor.py)':42} {n:>9} {n / read_seconds:>10,.0f} "
                          f"{read_peak // n:>12,}")


if __name__ == "__main__":
    main()
