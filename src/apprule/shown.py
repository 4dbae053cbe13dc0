"""How scores are shown to people: one number format, and maxima that tell the truth.

A score is shown to the places its scheme declares for it: its rule's, section's, block's or total's
``round``, else the scheme's ``display_places`` (default 2). ``92`` and ``92.00`` are one number and are
shown alike (``92.00``) in the terminal table, CSV, JSON, explanations and workbooks. Showing never
changes a number: a value that carries more digits than its places (where no ``round`` bounds them) is
shown with every digit, so what a reader sees is what was ranked.

A group's ``max`` is what its sections add up to; adjustments (加减分) or a total's formula may take a
total past it. The heading says so (``满分 100(加减分另计)``), or gives the range the scheme bounds the
total to (``满分 100(总分最高 105)``), from the ranges ``apprule.testing.bounds`` works out.
"""

from __future__ import annotations

import decimal
from decimal import Decimal
from typing import Iterator

from .decimals import plain
from .i18n import _
from .scheme.model import Block, Group, Leaf, Node, SchemeDefinition, Section

#: quantizing to the places shown, exactly or not at all
_EXACT = decimal.Context(prec=60, traps=[decimal.Inexact, decimal.InvalidOperation])


def fixed(value: Decimal, places: int) -> str:
    """``value`` with ``places`` decimals (92 → ``92.00``), or with all its own digits where it has more."""
    try:
        value = value.quantize(Decimal(1).scaleb(-places), context=_EXACT)
    except (decimal.Inexact, decimal.InvalidOperation):
        value = value.normalize(context=_EXACT) if value.is_finite() else value
    return plain(value)


def decimals_of(text: str) -> int:
    """How many decimals a ``fixed`` text shows."""
    return len(text) - text.index(".") - 1 if "." in text else 0


def _nodes(nodes: list[Node] | tuple[Node, ...]) -> Iterator[Section | Block | Leaf]:
    for node in nodes:
        yield node
        if isinstance(node, Section):
            yield from _nodes(node.items)
        elif isinstance(node, Block):
            yield from _nodes(node.rules)


class GroupShown:
    """How one group's scores and maximum are shown."""

    def __init__(self, definition: SchemeDefinition, group: Group):
        self.definition, self.group = definition, group
        tree = [*group.sections, *([group.adjustments] if group.adjustments else []), *group.derived]
        #: node id → the places its `round` declares; ``total`` (and the unit, whose value is the total)
        self.places = {node.id: node.round.places for node in _nodes(tree) if node.round is not None}
        if group.total.round is not None:
            self.places["total"] = group.total.round.places
        self.default = definition.display_places

    def places_of(self, node_id: str) -> int:
        """The places node ``node_id`` (or ``total``) is shown to."""
        return self.places.get(node_id, self.default)

    def score(self, node_id: str, value: Decimal) -> str:
        return fixed(value, self.places_of(node_id))

    def maximum(self) -> str | None:
        """The heading of the group's maximum: ``满分 100(加减分另计)``; None where the scheme bounds nothing."""
        ceiling = self.ceiling()
        if ceiling is not None:
            return _("max {max}", max=ceiling)
        low, high = self._range()
        return None if low is None or high is None else _("total {low} to {high}", low=low, high=high)

    def ceiling(self) -> str | None:
        """The group's maximum with what the total may reach beyond it: ``100(加减分另计)`` (as an explanation
        writes ``326.00 / 100(加减分另计)``); None for a group without a maximum."""
        group = self.group
        if group.max is None:
            return None
        top, (low, high) = plain(group.max), self._range()
        if high is None:
            if group.adjustments is not None:
                return _("{max} (adjustments extra)", max=top)
            return _("{max} (the total may exceed it)", max=top)
        if Decimal(high) <= group.max:
            return top
        if low is None:
            return _("{max} (total up to {high})", max=top, high=high)
        return _("{max} (total {low} to {high})", max=top, low=low, high=high)

    def _range(self) -> tuple[str | None, str | None]:
        """The least and the most total the scheme allows (None: unbounded on that side)."""
        from .testing.bounds import GroupBounds  # no hypothesis: apprule.testing imports it only when used

        total = GroupBounds(self.definition, self.group).total
        return (None if total.low is None else plain(total.low), None if total.high is None else plain(total.high))


def group_shown(definition: SchemeDefinition, group_id: str) -> GroupShown:
    """How group ``group_id`` of ``definition`` is shown."""
    return GroupShown(definition, next(g for g in definition.groups if g.id == group_id))
