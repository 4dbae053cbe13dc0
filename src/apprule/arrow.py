"""Results as an Arrow table: exact decimals as ``decimal128`` (or ``decimal256``), never floats.

pyarrow is imported here only, when a table is asked for, so ``import apprule`` stays light.
"""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from operator import is_not
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import numpy as np

from .evaluate.fixed import Fixed, Numbers, places_of
from .facts import EventField, EventLists
from .results import OUTCOME_FIELDS, Coded, Counts, Listed
from .i18n import _

if TYPE_CHECKING:
    import pyarrow as pa

#: the columns every result table has, before the sections and adjustments, and their Arrow types
OUTCOMES = ("unit", "group", "sequence", "total", "rank", "grade", "would_be_rank", "would_be_grade", "position",
            "honours", "flags", "vetoes", "outcomes")


def decimal_type(values: Sequence[Decimal | None], places: int = 0) -> pa.DataType:
    """The narrowest Arrow decimal that holds every value exactly, with at least ``places`` decimals.

    The scale is the declared places where the scheme rounds the value, and more where a value
    carries more (an unrounded quotient), so that nothing is lost. Found in C: an exact sum's exponent
    is the least of its terms' (``places_of``), and the largest size sets the whole digits.
    """
    import pyarrow as pa

    present: list[Decimal] = list(filter(partial(is_not, None), values))  # type: ignore[arg-type]
    scale, whole = places, 1
    if present and all(map(Decimal.is_finite, present)):
        scale = max(scale, places_of(present))
        biggest = max(max(present), -min(present))
        whole = max(biggest.adjusted() + 1, 1)
    precision = whole + scale
    if precision <= 38:
        return pa.decimal128(precision, scale)
    if precision <= 76:
        return pa.decimal256(precision, scale)
    raise ValueError(_("a value needs {precision} digits, more than an Arrow decimal holds (76)", precision=precision))


def results_table(tables: Sequence[Mapping[str, Any]], places: Mapping[str, int]) -> pa.Table:
    """One row per unit, the groups' ``tables`` end to end: the outcome columns, then a decimal column per
    section and adjustment (null where a group has none). A score column given as fixed point (``Fixed``)
    becomes ``decimal128`` from its integers, at its scale or the declared places if more; the others are
    made from their codes (``Coded``, ``Counts``, ``Listed``) by Arrow's ``take``, with no object per unit."""
    import pyarrow as pa

    from .evaluate.fixed import Fixed

    text, whole, names = pa.string(), pa.int64(), pa.list_(pa.string())
    types = {"unit": text, "group": text, "sequence": text, "rank": whole, "grade": text, "would_be_rank": whole,
             "would_be_grade": text, "position": whole, "honours": names, "flags": names, "vetoes": names,
             "outcomes": pa.list_(pa.struct([(name, whole if name == "event" else pa.bool_() if name == "in_quota"
                                              else text) for name in OUTCOME_FIELDS]))}
    order = list(dict.fromkeys([*OUTCOMES, *(n for t in tables for n in t)]))  # each once, in the order met
    arrays = {}
    for name in order:
        parts = [t[name] if name in t else len(t["total"]) for t in tables]
        if name not in types and all(isinstance(p, (Fixed, int)) for p in parts):
            fixed, nulls = Fixed.joined(parts)
            arrays[name] = fixed.rescaled(max(fixed.scale, places.get(name, 0))).to_arrow(nulls)
        elif name in types and all(isinstance(p, (Coded, Counts, Listed, int)) for p in parts):
            arrays[name] = pa.concat_arrays([_arrow(p, types[name]) for p in parts])
        else:
            values = [v for p in parts for v in (
                [None] * p if isinstance(p, int) else p.decimals() if isinstance(p, Fixed) else p)]
            arrays[name] = pa.array(values, type=types.get(name) or decimal_type(values, places.get(name, 0)))
    return pa.table(arrays)


def _arrow(part: Coded | Counts | Listed | int, kind: pa.DataType) -> pa.Array:
    """One group's part of a result column as Arrow (an ``int``: that many empty cells)."""
    import pyarrow as pa

    if isinstance(part, int):
        return pa.nulls(part, kind)
    if isinstance(part, Counts):
        return pa.array(part.ints, kind, mask=part.empty)
    if isinstance(part, Coded):
        return pa.array(part.values, kind).take(pa.array(part.codes, pa.int64(), mask=part.codes < 0))
    item = kind.value_type
    values = [v.as_dict() for v in part.values] if pa.types.is_struct(item) else part.values
    return pa.ListArray.from_arrays(pa.array(part.offsets, pa.int32()), pa.array(values, item).take(part.codes),
                                    type=kind)


def columns_of(table: Any) -> dict[str, Sequence[Any]]:
    """A table given as a pandas or polars DataFrame, an Arrow table or record batch, or anything else
    with the Arrow C stream interface, as plain columns; NaN, None and pandas' NA become None (empty).

    Arrow's own conversion keeps every value exact: ``decimal128`` becomes ``Decimal`` (a column without
    empty cells its integers, read as decimals only where asked: ``Numbers``; an integer column without
    empty cells, its integers too, read as Python ints where asked: ``_Integers``), a list of
    structs a list of dicts (events), ``date32`` a ``date``. A pandas frame's columns are read as
    the Python values they hold (an object column may mix ``int`` and ``Decimal``, which Arrow
    would refuse to infer); a named index (``unit``) is a column too.
    """
    if type(table).__module__.split(".")[0] == "pandas":
        frame: dict[str, Sequence[Any]] = {**_pandas_columns(table)}
        return frame
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(table, pa.RecordBatch):
        table = pa.Table.from_batches([table])
    elif not isinstance(table, pa.Table):
        try:
            table = pa.table(table)  # polars, or anything with the Arrow C stream interface
        except (TypeError, ValueError, pa.ArrowException) as exc:
            raise TypeError(_("facts as columns are a mapping of name to values, or a table Arrow can read (pandas, "
                              "polars, Arrow): {kind} is neither ({exc})",
                              kind=type(table).__name__, exc=exc)) from None
    columns: dict[str, Sequence[Any]] = {}
    for name, column in zip(table.column_names, table.columns):
        if pa.types.is_floating(column.type):
            column = pc.if_else(pc.is_nan(column), pa.scalar(None, column.type), column)
        array = column.combine_chunks()
        if pa.types.is_decimal128(array.type) and not array.null_count:  # kept as integers: see Numbers
            columns[str(name)] = Numbers(Fixed.from_arrow(array)[0])
        elif pa.types.is_signed_integer(array.type) and not array.null_count:
            columns[str(name)] = _Integers(Fixed(array.to_numpy().astype(np.int64), 0))
        else:
            columns[str(name)] = _python(array)
    return columns


class _Integers(Numbers):
    """An Arrow integer column without empty cells: read as the Python integers it holds (as ``to_pylist`` reads
    it, for a fact of any type); a number fact's validation finds it as integers (``Numbers``) and keeps it so,
    at scale 0, with no Python object per value."""

    __slots__ = ()

    def decimals(self) -> list[Any]:
        if self._decimals is None:
            self._decimals = self.fixed.ints.tolist()
        return self._decimals

    def __getitem__(self, i: Any) -> Any:
        return self.decimals()[i]


def _python(array: pa.Array) -> list[Any]:
    """``array.to_pylist()``, made faster where a column repeats few values or holds events.

    A ``decimal128`` column is read as the scaled integers it holds, and each distinct value (a
    ``Decimal``, or a ``date``) is made once and shared: immutable, so sharing is safe, and making a
    Python object is most of the cost. A list of structs (events) is read field by field.
    """
    import pyarrow as pa

    kind = array.type
    if pa.types.is_decimal128(kind):
        fixed, nulls = Fixed.from_arrow(array)
        return _with_nulls(fixed.decimals(), nulls)
    if pa.types.is_date32(kind) and len(array) > 64:
        days = array.fill_null(0).cast(pa.int32()).to_numpy()
        distinct, where = np.unique(days, return_inverse=True)
        made = pa.array(distinct, pa.int32()).cast(pa.date32()).to_pylist()
        values = list(map(made.__getitem__, where.ravel().tolist()))
        return _with_nulls(values, _nulls(array))
    if pa.types.is_list(kind) and pa.types.is_struct(kind.value_type):
        return _event_lists(array)  # type: ignore[return-value]
    return array.to_pylist()  # type: ignore[no-any-return]


def _event_lists(array: pa.ListArray) -> EventLists | list[Any]:
    """A ``list<struct>`` column (events) kept flat: a column per field and each unit's offsets, no dict per
    event (validation lays these onto ``FlatEvents`` as they are)."""
    import pyarrow.compute as pc

    structs = array.flatten()  # the events of every unit, laid end to end (this slice's only; a null list none)
    if structs.null_count:
        return list(array.to_pylist())  # a null event: Arrow's own reading
    kind = array.type.value_type
    names = [kind.field(k).name for k in range(kind.num_fields)]
    fields = [_field(field) for field in structs.flatten()]
    lengths = pc.list_value_length(array).fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
    offsets = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)
    return EventLists(offsets, names, fields, _nulls(array))


def _field(array: pa.Array) -> EventField | list[Any]:
    """One field of events as arrays, no Python value per event (``EventField``): text as dictionary codes (each
    distinct text made once), ``date32`` as days, ``decimal128`` and ``int64`` as integers; another type as its
    Python values (``_python``)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind, nulls = array.type, _nulls(array)
    if pa.types.is_dictionary(kind) and (pa.types.is_string(kind.value_type) or
                                         pa.types.is_large_string(kind.value_type)):
        array = array.cast(kind.value_type)  # encoded afresh: a given dictionary may repeat a text
        kind = array.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):  # equal texts, equal codes
        array = pc.dictionary_encode(array)
        codes = array.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
        return EventField("codes", codes, nulls, distinct=array.dictionary.to_pylist())
    if pa.types.is_date32(kind):
        return EventField("days", array.fill_null(0).cast(pa.int32()).to_numpy(zero_copy_only=False), nulls)
    if pa.types.is_decimal128(kind):
        fixed, nulls = Fixed.from_arrow(array)
        return EventField("fixed", fixed.ints, nulls, fixed.scale)
    if pa.types.is_int64(kind):
        return EventField("ints", array.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64), nulls)
    return _python(array)


def _nulls(array: pa.Array) -> np.ndarray[Any, Any] | None:
    return None if array.null_count == 0 else array.is_null().to_numpy(zero_copy_only=False)


def _with_nulls(values: list[Any], nulls: np.ndarray[Any, Any] | None) -> list[Any]:
    for i in [] if nulls is None else np.flatnonzero(nulls).tolist():
        values[i] = None
    return values


def _pandas_columns(frame: Any) -> dict[str, list[Any]]:
    import pandas as pd

    def empty(value: Any) -> bool:
        return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value)

    named = [frame.index.name] if frame.index.name is not None else []
    columns = {str(name): list(frame.index) for name in named}
    for name in frame.columns:
        columns[str(name)] = [None if empty(v) else v for v in frame[name].tolist()]
    return columns
