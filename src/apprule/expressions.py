"""Sandboxed expressions: the only module that imports simpleeval.

An expression is parsed once at load time and checked against a whitelist of
syntax, names and functions; number literals become ``Decimal`` from their own
source text. Evaluation then runs simpleeval over the checked tree.
"""

from __future__ import annotations

import ast
import operator as op
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable, Iterable, Mapping

import simpleeval  # type: ignore[import-untyped]

from .decimals import CONTEXT, ZERO, clamp, round_to
from .errors import EvaluationError, did_you_mean

MAX_LENGTH = 2_000
MAX_NODES = 400


class ExpressionProblem(Exception):
    """A static mistake in an expression; ``offset`` is the 0-based column in its text."""

    def __init__(self, code: str, message: str, offset: int = 0, hint: str | None = None):
        super().__init__(message)
        self.code, self.message, self.offset, self.hint = code, message, offset, hint


def _need_decimal(name: str, *values: Any) -> None:
    for value in values:
        if not isinstance(value, (Decimal, bool)):
            raise TypeError(f"{name}() takes numbers, got {value!r}")


def _min(*args: Decimal) -> Decimal:
    _need_decimal("min", *args)
    return min(args)


def _max(*args: Decimal) -> Decimal:
    _need_decimal("max", *args)
    return max(args)


def _floor(x: Decimal) -> Decimal:
    _need_decimal("floor", x)
    return Decimal(x).to_integral_value(rounding="ROUND_FLOOR", context=CONTEXT)


def _ceil(x: Decimal) -> Decimal:
    _need_decimal("ceil", x)
    return Decimal(x).to_integral_value(rounding="ROUND_CEILING", context=CONTEXT)


def _round_half_up(x: Decimal, places: Decimal = ZERO) -> Decimal:
    _need_decimal("round_half_up", x, places)
    if not (0 <= places <= 12 and places == int(places)):
        raise ValueError(f"round_half_up() takes 0 to 12 places, got {places}")
    return round_to(Decimal(x), int(places), "half_up")


def _clamp(x: Decimal, low: Decimal, high: Decimal) -> Decimal:
    _need_decimal("clamp", x, low, high)
    return clamp(Decimal(x), low, high)


def _abs(x: Decimal) -> Decimal:
    _need_decimal("abs", x)
    return abs(x)


def _sum(*args: Decimal) -> Decimal:
    _need_decimal("sum", *args)
    return sum((Decimal(a) for a in args), ZERO)


def _count(*args: Any) -> Decimal:
    return Decimal(sum(1 for a in args if a))


def _present(x: Any) -> bool:
    return x is not None


#: The allowed functions, and nothing else (simpleeval's defaults include random ones).
FUNCTIONS: dict[str, Callable[..., Any]] = {
    "min": _min, "max": _max, "abs": _abs, "floor": _floor, "ceil": _ceil,
    "round_half_up": _round_half_up, "clamp": _clamp, "sum": _sum, "count": _count, "present": _present,
}

_OPERATORS: dict[type, Callable[..., Any]] = {
    ast.Add: op.add, ast.Sub: op.sub, ast.Mult: op.mul, ast.Div: op.truediv,
    ast.USub: op.neg, ast.UAdd: op.pos, ast.Not: op.not_,
    ast.Eq: op.eq, ast.NotEq: op.ne, ast.Lt: op.lt, ast.LtE: op.le, ast.Gt: op.gt, ast.GtE: op.ge,
    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}

_ALLOWED_NODES = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp, ast.Call,
                  ast.Name, ast.Load, ast.Constant, ast.Tuple, ast.List, ast.And, ast.Or) + tuple(_OPERATORS)


@dataclass(frozen=True, eq=False)
class Expression:
    """A checked expression: its text, its parsed tree and the names it reads."""

    text: str
    tree: ast.expr
    names: frozenset[str]
    #: the name, when the whole expression is one name (a fast path, and nicer traces)
    bare_name: str | None = None


def parse(text: str, known: Iterable[str] = ()) -> Expression:
    """Parse and check ``text``; every name must be in ``known`` (when given)."""
    text = str(text)
    if len(text) > MAX_LENGTH:
        raise ExpressionProblem("expression-too-long", f"an expression may be at most {MAX_LENGTH} characters")
    source = text.strip()
    lead = len(text) - len(text.lstrip())
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise ExpressionProblem("expression-syntax", f"invalid expression: {exc.msg}",
                                lead + max((exc.offset or 1) - 1, 0)) from exc
    names: set[str] = set()
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    count = 0
    for node in ast.walk(tree):
        count += 1
        if count > MAX_NODES:
            raise ExpressionProblem("expression-too-long", f"an expression may have at most {MAX_NODES} parts")
        offset = lead + getattr(node, "col_offset", 0)
        if not isinstance(node, _ALLOWED_NODES):
            raise ExpressionProblem("expression-forbidden", f"{_describe(node)} is not allowed in an expression",
                                    offset)
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.keywords:
                raise ExpressionProblem("expression-forbidden", "only plain calls of the allowed functions",
                                        offset)
            if node.func.id not in FUNCTIONS:
                raise ExpressionProblem("unknown-function", f"unknown function {node.func.id!r}", offset,
                                        did_you_mean(node.func.id, FUNCTIONS))
        elif isinstance(node, ast.Name):
            if id(node) not in called:
                names.add(node.id)
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, int) and not isinstance(node.value, bool):
                node.decimal = Decimal(node.value)  # type: ignore[attr-defined]
            elif isinstance(node.value, float):  # from its own text: 0.1 is exactly one tenth
                segment = (ast.get_source_segment(source, node) or repr(node.value)).replace("_", "")
                node.decimal = Decimal(segment)  # type: ignore[attr-defined]
            elif not isinstance(node.value, (str, bool)):
                raise ExpressionProblem("expression-forbidden", f"literal {node.value!r} is not allowed", offset)
    known = set(known)
    if known:
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and id(node) not in called and node.id not in known:
                raise ExpressionProblem("unknown-name", f"unknown name {node.id!r}",
                                        lead + node.col_offset, did_you_mean(node.id, known))
    body = tree.body
    return Expression(text, body, frozenset(names), body.id if isinstance(body, ast.Name) else None)


def _describe(node: ast.AST) -> str:
    kinds = {ast.Attribute: "attribute access (.)", ast.Subscript: "indexing ([])", ast.Pow: "the ** operator",
             ast.Lambda: "lambda", ast.NamedExpr: "assignment (:=)"}
    return kinds.get(type(node), f"{type(node).__name__}")


class _Evaluator(simpleeval.EvalWithCompoundTypes):  # type: ignore[misc]
    """simpleeval with Decimal literals; created once per evaluation run."""

    def __init__(self) -> None:
        super().__init__(operators=dict(_OPERATORS), functions=dict(FUNCTIONS), names={})

    def _eval_constant(self, node: ast.Constant) -> Any:
        return getattr(node, "decimal", node.value)


def empty_names(expression: Expression, names: Mapping[str, Any]) -> list[str]:
    """The names ``expression`` reads that hold no value (optional facts a unit left empty)."""
    return sorted(n for n in expression.names if n in names and names[n] is None)


class Runner:
    """Evaluates checked expressions against one unit's names at a time."""

    def __init__(self) -> None:
        self._evaluator = _Evaluator()

    def run(self, expression: Expression, names: Mapping[str, Any]) -> Any:
        name = expression.bare_name
        if name is not None:
            return names[name]
        self._evaluator.names = names
        try:
            return self._evaluator.eval(expression.text, previously_parsed=expression.tree)
        except simpleeval.InvalidExpression as exc:
            raise ValueError(f"in {expression.text!r}: {exc}") from exc
        except (TypeError, ArithmeticError) as exc:
            raise ValueError(f"in {expression.text!r}: {type(exc).__name__}: {exc}") from exc

    def run_for(self, expression: Expression, names: Mapping[str, Any], unit: str, where: str) -> Any:
        """Like ``run``, failing with an ``EvaluationError`` that names the unit and the place."""
        try:
            return self.run(expression, names)
        except (ValueError, KeyError) as exc:
            empty = empty_names(expression, names)
            why = f"needs {', '.join(empty)}, which the unit left empty" if empty else str(exc)
            raise EvaluationError(unit, where, why) from None
