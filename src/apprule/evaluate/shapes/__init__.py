"""Rule shapes, one module each, registered by name in one dict (as jsonschema keeps its keywords).

A shape module holds everything the engine needs of its shape: the expressions its rules read, any
load-time work beyond parsing them, and its column kernel, which computes the raw values of a whole
column of units and records its explanation as ``Note`` records (the words are ``apprule.explain``'s).
A new shape is one new module ending in ``register(Shape(...))``, and one import line below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable

from .column import NodeColumn, new_column, read, read_numbers

if TYPE_CHECKING:
    from ..graph import GraphNode, _Builder
    from ..population import Population

#: one expression a rule reads: its role, its text (None: not given) and its YAML path below the shape's key
Role = tuple[str, "str | None", tuple[str, ...]]
Kernel = Callable[["Population", "GraphNode", list[int], NodeColumn], None]


@dataclass(frozen=True)
class Shape:
    """A rule shape: its YAML key, what it reads, and how it scores a column of units."""

    name: str
    #: the expressions a rule of this shape reads, from its spec (the value under its key)
    roles: Callable[[Any], Iterable[Role]]
    #: the raw values at the units ``rows``, before weight transfers, caps, fill and rounding
    kernel: Kernel
    #: whether the kernel ranks among the units: it is handed every unit the rule applies to at once
    across_units: bool = False
    #: whether a rule of this spec reads other units' values (then its group is not unit-local)
    reads_peers: Callable[[Any], bool] = lambda spec: False
    #: load-time work beyond parsing the roles (checks against the facts, expressions over event fields)
    compile: Callable[[_Builder, GraphNode], None] | None = None


SHAPES: dict[str, Shape] = {}


def register(shape: Shape) -> Shape:
    """Make ``shape`` known to the engine under its name."""
    SHAPES[shape.name] = shape
    return shape


from . import score, rate, formula, per, steps, bands, table, when, for_each, rank_table, movement  # noqa: E402,F401

__all__ = ["SHAPES", "Shape", "Role", "register", "NodeColumn", "new_column", "read", "read_numbers"]
