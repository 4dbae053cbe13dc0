"""Rule shapes, one module each, registered by name in one dict (as jsonschema keeps its keywords).

A shape module holds everything about its shape: the model of its spec (the value under its YAML key),
its load-time checks, the expressions its rules read and any load-time work beyond parsing them, its
column kernel, which computes the raw values of a whole column of units and records its explanation as
``Note`` records, the words of any note kinds of its own, and its edge values and declared range for
``apprule.testing``. A new shape is one new module ending in ``register(Shape(...))``, and one import
line below (or an import of that module of one's own: registering makes the key known to the loader).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

from pydantic import TypeAdapter

from .column import NodeColumn, new_column, read, read_numbers

if TYPE_CHECKING:
    from ...errors import Path
    from ...results import Note
    from ...scheme.check import Found
    from ...scheme.model import Leaf, SchemeDefinition
    from ...testing.bounds import GroupBounds, Range
    from ...testing.edges import Edges
    from ..graph import GraphNode, _Builder
    from ..population import Population

#: one expression a rule reads: its role, its text (None: not given) and its YAML path below the shape's key
Role = tuple[str, "str | None", tuple[str, ...]]
Kernel = Callable[["Population", "GraphNode", list[int], NodeColumn], None]
#: load-time checks of a spec (at the YAML path of its key) that need no facts: each mistake found
Check = Callable[[Any, "Path"], Iterable["Found"]]
#: the values of facts worth trying that a rule singles out (band bounds, step boundaries …), added to the edges
EdgesOf = Callable[["SchemeDefinition", "Leaf", "Edges"], None]
#: the range a rule's raw value may take, as its spec declares it (before `applies`, `fill` and its caps)
BoundsOf = Callable[["GroupBounds", "Leaf"], "Range"]


@dataclass(frozen=True)
class Shape:
    """A rule shape: its YAML key, the model of its spec, what it reads, and how it scores a column of units."""

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
    #: the type of its spec (every shape has one): a pydantic model, or an annotated type such as ``Expr``
    model: Any = None
    #: the hover text of its key in the editor schema (Chinese first)
    description: str = ""
    #: whether its kernel keeps a rule's value in [0, max]: a rule then needs `max`, and its range is [0, max]
    zero_to_max: bool = False
    check: Check | None = None
    #: the expressions a spec reads as places (1 = first): role (``rank``, ``tie count``) and text
    ranks: Callable[[Any], Iterable[tuple[str, str | None]]] | None = None
    edges: EdgesOf | None = None
    bounds: BoundsOf | None = None
    #: the words of note kinds of its own (``apprule.explain`` words the shipped shapes' notes)
    notes: Mapping[str, Callable[[Note], str]] = field(default_factory=dict)

    @cached_property
    def adapter(self) -> TypeAdapter[Any]:
        """Validates a spec (the value under the shape's key)."""
        return TypeAdapter(self.model)


SHAPES: dict[str, Shape] = {}


def register(shape: Shape) -> Shape:
    """Make ``shape`` known to the engine under its name."""
    SHAPES[shape.name] = shape
    return shape


# the order in which a rule's error lists the shapes
from . import score, rate, per, steps, bands, table, for_each, when, formula, rank_table, movement  # noqa: E402,F401

__all__ = ["SHAPES", "Shape", "Role", "Check", "EdgesOf", "BoundsOf", "register", "NodeColumn", "new_column", "read",
           "read_numbers"]
