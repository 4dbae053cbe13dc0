"""Reading an Arrow table (``columns_of``) gives exactly Arrow's own Python values, faster."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa

from apprule.arrow import columns_of, decimal_type
from apprule.evaluate.fixed import Numbers

D = Decimal


def test_columns_read_as_to_pylist_reads_them() -> None:
    n = 200  # past the size from which dates are made once each
    day = dt.date(2021, 1, 1)
    events = pa.list_(pa.struct([("level", pa.string()), ("points", pa.decimal128(6, 3)), ("date", pa.date32())]))
    table = pa.table({
        "unit": [f"u{i:03d}" for i in range(n)],
        "score": pa.array([None if i % 7 == 0 else D(i).scaleb(-2) - 1 for i in range(n)], pa.decimal128(5, 2)),
        "when": pa.array([None if i % 5 == 0 else day + dt.timedelta(days=i % 40) for i in range(n)], pa.date32()),
        "events": pa.array([None if i % 11 == 0 else
                            [{"level": "city", "points": D("1.125"), "date": day}] * (i % 3) +
                            [{"level": None, "points": None, "date": None}] * (i % 2)
                            for i in range(n)], events),
        "wide": pa.array([D("12345678901234567890.5")] * n, pa.decimal128(30, 1)),
    })
    chunked = pa.concat_tables([table.slice(0, 70), table.slice(70)])  # chunks, one of them a slice
    for given in (table, chunked, table.slice(3, 150)):
        found = columns_of(given)
        expected = {name: column.to_pylist() for name, column in zip(given.column_names, given.columns)}
        assert isinstance(found["wide"], Numbers) and found["wide"].fixed.wide  # no empty cell: kept as integers
        assert {name: list(values) for name, values in found.items()} == expected
        assert [repr(v) for v in found["wide"]] == [repr(v) for v in expected["wide"]]
        assert [repr(v) for v in found["score"]] == [repr(v) for v in expected["score"]]  # the places too


def test_decimal_type_holds_every_value_exactly() -> None:
    assert decimal_type([D("171.03"), None, D("-2")], 2) == pa.decimal128(5, 2)
    assert decimal_type([D("0.125"), D("3")], 2) == pa.decimal128(4, 3)
    assert decimal_type([D("1E+20"), D("1E-30")]) == pa.decimal256(51, 30)
    assert decimal_type([None, None], 1) == pa.decimal128(2, 1)
