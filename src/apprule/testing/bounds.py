"""The range a scheme declares for each node and total, worked out from its maxima, caps and floors."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from decimal import Decimal
from typing import Callable, Iterable

from ..scheme.model import Block, Group, Leaf, SchemeDefinition, Section
from .edges import leaves

ZERO = Decimal(0)


@dataclass(frozen=True)
class Range:
    """A closed interval; None on a side means unbounded."""

    low: Decimal | None
    high: Decimal | None

    def __add__(self, other: Range) -> Range:
        return Range(_add(self.low, other.low), _add(self.high, other.high))

    def __neg__(self) -> Range:
        return Range(-self.high if self.high is not None else None, -self.low if self.low is not None else None)

    def scale(self, k: Decimal) -> Range:
        ends = [self.low, self.high] if k >= 0 else [self.high, self.low]
        return Range(*(e * k if e is not None else None for e in ends))

    def hull(self, *values: Decimal | None) -> Range:
        """The range widened to take in ``values`` (None: unbounded)."""
        low, high = self.low, self.high
        for v in values:
            low = None if v is None or low is None else min(low, v)
            high = None if v is None or high is None else max(high, v)
        return Range(low, high)

    def clamp(self, low: Decimal | None, high: Decimal | None) -> Range:
        new_low = self.low if low is None else (low if self.low is None else max(self.low, low))
        new_high = self.high if high is None else (high if self.high is None else min(self.high, high))
        if new_low is not None and high is not None and new_low > high:
            new_low = high
        if new_high is not None and low is not None and new_high < low:
            new_high = low
        return Range(new_low, new_high)

    def __str__(self) -> str:
        low = "-∞" if self.low is None else _plain(self.low)
        high = "+∞" if self.high is None else _plain(self.high)
        return f"[{low}, {high}]"


UNBOUNDED = Range(None, None)


def _add(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    return None if a is None or b is None else a + b


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")
    return text


def _points(value: object) -> Decimal:
    """Points of an award, or the number itself (rank tables map to either)."""
    points = getattr(value, "points", value)
    assert isinstance(points, Decimal)
    return points


def span(values: Iterable[object]) -> Range:
    """From the least to the most of ``values`` (awards or numbers)."""
    points = [_points(v) for v in values]
    return Range(min(points), max(points)) if points else Range(ZERO, ZERO)


class GroupBounds:
    """Declared ranges of every node of one group and of its total."""

    def __init__(self, scheme: SchemeDefinition, group: Group):
        self.scheme, self.group = scheme, group
        self.nodes: dict[str, Range] = {}
        self.donors: dict[str, list[Leaf]] = {}
        tree = list(group.sections) + ([group.adjustments] if group.adjustments else [])
        for leaf in leaves(tree):
            if leaf.transfer_to:
                self.donors.setdefault(leaf.transfer_to, []).append(leaf)
        for node in tree:
            self._node(node)
        self.sections = sum((self.nodes[s.id] for s in group.sections), Range(ZERO, ZERO))
        self.adjustments = self.nodes[group.adjustments.id] if group.adjustments else Range(ZERO, ZERO)
        if group.total.formula is None:
            self.total = self.sections + self.adjustments
        else:
            self.total = self.formula(group.total.formula)

    def leaf_cap(self, leaf: Leaf) -> Decimal | None:
        """A rule's own maximum, raised by the weight other rules may hand it."""
        if leaf.max is None:
            return None
        return leaf.max + sum((d.max or ZERO for d in self.donors.get(leaf.id, ())), ZERO)

    def _node(self, node: Section | Block | Leaf) -> Range:
        if isinstance(node, Section):
            parts = [self._node(c) for c in node.items]
            found = sum(parts, Range(ZERO, ZERO)).clamp(None, node.max)
        elif isinstance(node, Block):
            parts = [self._node(c) for c in node.rules]
            bonus = Range(ZERO, _one_sided((p.high for p in parts), max)).clamp(None, node.bonus_cap)
            deduction = Range(_one_sided((p.low for p in parts), min), ZERO)
            if node.deduction_cap is not None:
                deduction = deduction.clamp(-node.deduction_cap, None)
            found = (bonus + deduction).clamp(node.min, node.max)
        else:
            found = self._leaf(node)
        self.nodes[node.id] = found
        return found

    def _leaf(self, leaf: Leaf) -> Range:
        from ..evaluate.shapes import SHAPES

        shape = SHAPES[leaf.shape]
        found = shape.bounds(self, leaf) if shape.bounds is not None else UNBOUNDED
        if leaf.applies is not None:
            found = found.hull(ZERO)
        if leaf.fill is not None:
            found = found.hull(leaf.fill.when_none)
        if not shape.zero_to_max:  # its bounds are already the rule's
            found = found.clamp(leaf.min, self.leaf_cap(leaf))
        return found

    def formula(self, text: str) -> Range:
        """Interval arithmetic over a total's formula; unbounded where it cannot tell."""
        try:
            tree = ast.parse(text.strip(), mode="eval").body
        except SyntaxError:
            return UNBOUNDED
        return self._eval(tree)

    def _name(self, name: str) -> Range:
        if name == "sections":
            return self.sections
        if name == "adjustments":
            return self.adjustments
        if name in self.nodes:
            return self.nodes[name]
        fact = self.scheme.facts.get(name)
        if fact is None:
            return UNBOUNDED
        if fact.type == "boolean":
            return Range(ZERO, Decimal(1))
        low = fact.min if fact.min is not None else (ZERO if fact.type in ("count", "rate") else None)
        return Range(low, fact.max)

    def _eval(self, node: ast.expr) -> Range:
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and \
                not isinstance(node.value, bool):
            value = Decimal(str(node.value))
            return Range(value, value)
        if isinstance(node, ast.Name):
            return self._name(node.id)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -self._eval(node.operand)
        if isinstance(node, ast.BinOp):
            left, right = self._eval(node.left), self._eval(node.right)
            if isinstance(node.op, ast.Add):
                return left + right
            if isinstance(node.op, ast.Sub):
                return left + (-right)
            if isinstance(node.op, ast.Mult):
                return _times(left, right)
            if isinstance(node.op, ast.Div) and right.low is not None and right.low == right.high and right.low:
                return left.scale(1 / right.low)
        return UNBOUNDED


def _times(a: Range, b: Range) -> Range:
    if a.low is not None and a.low == a.high:
        return b.scale(a.low)
    if b.low is not None and b.low == b.high:
        return a.scale(b.low)
    ends = [a.low, a.high, b.low, b.high]
    if any(e is None for e in ends):
        return UNBOUNDED
    products = [x * y for x in (a.low, a.high) for y in (b.low, b.high)]  # type: ignore[operator]
    return Range(min(products), max(products))


def _one_sided(ends: Iterable[Decimal | None], side: Callable[[Decimal, Decimal], Decimal]) -> Decimal | None:
    """The sum of the bonuses (``side=max``) or the deductions (``side=min``); None when one is unbounded."""
    values = list(ends)
    if any(v is None for v in values):
        return None
    return sum((side(v, ZERO) for v in values if v is not None), ZERO)
