"""Results as an Arrow table: exact decimals as ``decimal128`` (or ``decimal256``), never floats.

pyarrow is imported here only, when a table is asked for, so ``import apprule`` stays light.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from .results import OUTCOME_FIELDS

if TYPE_CHECKING:
    import pyarrow as pa

#: the columns every result table has, before the sections and adjustments, and their Arrow types
OUTCOMES = ("unit", "group", "sequence", "total", "rank", "grade", "would_be_rank", "would_be_grade", "position",
            "honours", "flags", "vetoes", "outcomes")


def decimal_type(values: Sequence[Decimal | None], places: int = 0) -> pa.DataType:
    """The narrowest Arrow decimal that holds every value exactly, with at least ``places`` decimals.

    The scale is the declared places where the scheme rounds the value, and more where a value
    carries more (an unrounded quotient), so that nothing is lost.
    """
    import pyarrow as pa

    scale, whole = places, 1
    for value in values:
        if value is None or not value.is_finite():
            continue
        sign, digits, exponent = value.as_tuple()
        assert isinstance(exponent, int)
        scale = max(scale, -exponent)
        whole = max(whole, len(digits) + exponent)
    precision = whole + scale
    if precision <= 38:
        return pa.decimal128(precision, scale)
    if precision <= 76:
        return pa.decimal256(precision, scale)
    raise ValueError(f"a value needs {precision} digits, more than an Arrow decimal holds (76)")


def results_table(columns: Mapping[str, list[Any]], places: Mapping[str, int]) -> pa.Table:
    """One row per unit: the outcome columns, then a decimal column per section and adjustment."""
    import pyarrow as pa

    text, whole, names = pa.string(), pa.int64(), pa.list_(pa.string())
    types = {"unit": text, "group": text, "sequence": text, "rank": whole, "grade": text, "would_be_rank": whole,
             "would_be_grade": text, "position": whole, "honours": names, "flags": names, "vetoes": names,
             "outcomes": pa.list_(pa.struct([(name, whole if name == "event" else pa.bool_() if name == "in_quota"
                                              else text) for name in OUTCOME_FIELDS]))}
    arrays = {}
    for name, values in columns.items():
        kind = types.get(name) or decimal_type(values, places.get(name, 0))
        arrays[name] = pa.array(values, type=kind)
    return pa.table(arrays)


def columns_of(table: Any) -> dict[str, list[Any]]:
    """A table given as a pandas or polars DataFrame, an Arrow table or record batch, or anything else
    with the Arrow C stream interface, as plain columns; NaN, None and pandas' NA become None (empty).

    Arrow's own conversion keeps every value exact: ``decimal128`` becomes ``Decimal``, a list of
    structs a list of dicts (events), ``date32`` a ``date``. A pandas frame's columns are read as
    the Python values they hold (an object column may mix ``int`` and ``Decimal``, which Arrow
    would refuse to infer); a named index (``unit``) is a column too.
    """
    if type(table).__module__.split(".")[0] == "pandas":
        return _pandas_columns(table)
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(table, pa.RecordBatch):
        table = pa.Table.from_batches([table])
    elif not isinstance(table, pa.Table):
        try:
            table = pa.table(table)  # polars, or anything with the Arrow C stream interface
        except (TypeError, ValueError, pa.ArrowException) as exc:
            raise TypeError(f"facts as columns are a mapping of name to values, or a table Arrow can read "
                            f"(pandas, polars, Arrow): {type(table).__name__} is neither ({exc})") from None
    columns: dict[str, list[Any]] = {}
    for name, column in zip(table.column_names, table.columns):
        if pa.types.is_floating(column.type):
            column = pc.if_else(pc.is_nan(column), pa.scalar(None, column.type), column)
        columns[str(name)] = column.to_pylist()
    return columns


def _pandas_columns(frame: Any) -> dict[str, list[Any]]:
    import pandas as pd

    def empty(value: Any) -> bool:
        return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value)

    named = [frame.index.name] if frame.index.name is not None else []
    columns = {str(name): list(frame.index) for name in named}
    for name in frame.columns:
        columns[str(name)] = [None if empty(v) else v for v in frame[name].tolist()]
    return columns
