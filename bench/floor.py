"""The least any pure-Python evaluation of facts given as dictionaries must do: read them.

``read_only`` pulls every fact out of the units' dictionaries into columns, checks each number
column's types and bounds, and lays every event list flat into field columns, with the fastest
builtins CPython has (``itemgetter``, ``zip``, ``min``/``max``, ``chain``), 256 units at a time
(so a block stays in cache) and without the cyclic garbage collector, as apprule reads them.
It scores nothing. Its speed is a ceiling for apprule's dictionary input and for any code like it.
"""

from __future__ import annotations

import gc
from itertools import chain
from operator import itemgetter
from typing import Any

BLOCK = 256


def read_only(facts: dict[str, dict[str, Any]], numbers: list[str], events: list[str]) -> int:
    """Read the ``numbers`` and ``events`` facts of every unit; the number of events read."""
    names = numbers + events
    given = list(facts.values())
    read = 0
    enabled = gc.isenabled()
    gc.disable()
    try:
        for start in range(0, len(given), BLOCK):
            columns = dict(zip(names, zip(*map(itemgetter(*names), given[start:start + BLOCK]))))
            for name in numbers:
                column = columns[name]
                set(map(type, column)), min(column), max(column)  # the types, and the bounds
            for name in events:
                flat = list(chain.from_iterable(columns[name]))
                if flat:
                    list(zip(*map(itemgetter(*flat[0]), flat)))  # one column per field
                read += len(flat)
    finally:
        if enabled:
            gc.enable()
    return read
