"""Results as an Arrow table: exact decimals as ``decimal128`` (or ``decimal256``), never floats.

pyarrow is imported here only, when a table is asked for, so ``import apprule`` stays light.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, Mapping, Sequence

if TYPE_CHECKING:
    import pyarrow as pa

#: the columns every result table has, before the sections and adjustments, and their Arrow types
OUTCOMES = ("unit", "group", "sequence", "total", "rank", "grade", "would_be_rank", "would_be_grade", "position",
            "honours", "flags", "vetoes")


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
             "would_be_grade": text, "position": whole, "honours": names, "flags": names, "vetoes": names}
    arrays = {}
    for name, values in columns.items():
        kind = types.get(name) or decimal_type(values, places.get(name, 0))
        arrays[name] = pa.array(values, type=kind)
    return pa.table(arrays)
