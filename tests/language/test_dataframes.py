"""Facts as the ecosystem's tables: pandas, Arrow, and anything with the Arrow C stream interface."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

from schemekit import scheme

import apprule
from apprule.io.read import read_facts

ROOT = Path(__file__).parents[2]
XINGYANG = apprule.load_scheme(ROOT / "src" / "apprule" / "schemes" / "xingyang_2021.yaml")
FACTS = dict(read_facts(ROOT / "src" / "apprule" / "examples" / "xingyang_2021.facts.yaml", XINGYANG).facts)
NAMES = sorted({k for f in FACTS.values() for k in f})


def outcome(evaluation: apprule.Evaluation) -> list[tuple[Any, ...]]:
    return [(u, r.total, r.rank, r.grade, r.honours, r.flags, r.values, r.carried_over) for u, r in evaluation.items()]


def test_a_pandas_frame_scores_as_the_same_facts_unit_by_unit() -> None:
    frame = pd.DataFrame({"unit": list(FACTS), **{n: [FACTS[u].get(n) for u in FACTS] for n in NAMES}})
    assert outcome(XINGYANG.evaluate_columns(frame)) == outcome(XINGYANG.evaluate(FACTS))
    # the units as the index: a named index is a column too
    assert outcome(XINGYANG.evaluate_columns(frame.set_index("unit"))) == outcome(XINGYANG.evaluate(FACTS))


SMALL = scheme("x: {type: number}\ny: {type: number, required: false}\n",
               "- {id: r, label: 加分, formula: x + (y if present(y) else 0)}\n")


@pytest.mark.parametrize("empty", [None, float("nan"), pd.NA], ids=["None", "NaN", "NA"])
def test_nan_none_and_na_are_empty_cells(empty: Any) -> None:
    frame = pd.DataFrame({"unit": ["a", "b"], "group": ["g", "g"], "x": [D("1.5"), D(2)], "y": [D(3), empty]},
                         dtype=object)
    evaluation = SMALL.evaluate_columns(frame)
    assert (evaluation["a"].total, evaluation["b"].total) == (D("4.5"), D(2))


def test_a_float_frame_reads_floats_through_their_text() -> None:
    frame = pd.DataFrame({"unit": ["a", "b"], "group": ["g", "g"], "x": [0.1, 2.0], "y": [0.2, float("nan")]})
    evaluation = SMALL.evaluate_columns(frame)
    assert (evaluation["a"].total, evaluation["b"].total) == (D("0.3"), D("2.0"))  # never 0.30000000000000004


def test_an_empty_required_cell_is_the_same_error_as_a_missing_fact() -> None:
    frame = pd.DataFrame({"unit": ["a"], "group": ["g"], "x": [float("nan")], "y": [1.0]})
    with pytest.raises(apprule.FactError) as info:
        SMALL.evaluate_columns(frame)
    assert [(i.code, i.unit, i.fact) for i in info.value.issues] == [("missing-fact", "a", "x")]


def _arrow_table() -> pa.Table:
    """The 荥阳 facts as an Arrow table: decimal128 scores, a list of structs per events fact."""
    units = list(FACTS)
    arrays: dict[str, Any] = {"unit": pa.array(units)}
    for name in NAMES:
        values = [FACTS[u].get(name) for u in units]
        if name == "group":
            arrays[name] = pa.array(values, pa.string())
        elif any(isinstance(v, list) for v in values):
            arrays[name] = pa.array(values)  # list<struct<...>>: a field an event leaves out is null
        else:
            arrays[name] = pa.array([None if v is None else D(v) for v in values], pa.decimal128(6, 2))
    return pa.table(arrays)


class _Stream:
    """A table known only through the Arrow C stream interface (as a polars frame offers it)."""

    def __init__(self, table: pa.Table):
        self._table = table

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        return self._table.__arrow_c_stream__(requested_schema)


@pytest.mark.parametrize("wrap", [lambda t: t, lambda t: t.to_batches()[0], _Stream],
                         ids=["table", "record batch", "C stream"])
def test_arrow_tables_score_as_the_same_facts(wrap: Any) -> None:
    table = _arrow_table()
    assert pa.types.is_list(table.schema.field("awards").type)
    assert outcome(XINGYANG.evaluate_columns(wrap(table))) == outcome(XINGYANG.evaluate(FACTS))


def test_dates_in_an_arrow_events_column() -> None:
    events = scheme("late: {type: events, dated_by: date, required: false, fields: {date: {type: date}}}\n",
                    "- {id: r, label: 迟报, for_each: {events: late, value: {points: -0.1}}}\n")
    table = pa.table({"unit": ["a"], "group": ["g"],
                      "late": [[{"date": dt.date(2021, 3, 1)}, {"date": dt.date(2022, 1, 5)}]]})
    result = events.evaluate_columns(table)["a"]
    assert result.total == D("-0.1")  # the 2022 event counts next year
    assert result.carried_over == (("late", {"date": dt.date(2022, 1, 5), "carried_from": "t 2021-01-01..2021-12-31"}),)


def test_something_else_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="facts as columns are a mapping of name to values, or a table Arrow can read"):
        SMALL.evaluate_columns(42)
