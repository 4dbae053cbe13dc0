"""Sandboxed expressions: the only module that imports simpleeval.

An expression is parsed once at load time and checked against a whitelist of
syntax, names and functions; number literals become ``Decimal`` from their own
source text. The checked tree is then compiled, once, to Python code: every name
it reads becomes a local variable, every number a bound ``Decimal`` and every
call one of ``FUNCTIONS``, with no builtins in reach. ``Expression.row``
evaluates it over one mapping of names and ``evaluate_column`` over columns of
many units at once. simpleeval is kept as the reference interpreter
(``interpret``): the compiled code must agree with it on every value and error,
and the tests compare the two.
"""

from __future__ import annotations

import ast
import decimal
import operator as op
from dataclasses import KW_ONLY, dataclass
from decimal import Decimal
from functools import partial
from typing import Any, Callable, Iterable, Mapping, Sequence

import simpleeval  # type: ignore[import-untyped]

from .decimals import CONTEXT, ZERO, clamp, round_to
from .errors import EvaluationError, did_you_mean
from .i18n import N_, _
from .parser_words import python_message

MAX_LENGTH = 2_000
MAX_NODES = 400


class ExpressionProblem(Exception):
    """A static mistake in an expression; ``offset`` is the 0-based column in its text."""

    def __init__(self, code: str, message: str, offset: int = 0, hint: str | None = None):
        super().__init__(message)
        self.code, self.message, self.offset, self.hint = code, message, offset, hint


#: the longest value an error message quotes in full
BRIEF = 60


def brief(value: Any) -> str:
    """``value`` as an error message quotes it: its repr, cut short past ``BRIEF`` characters.

    A message must not be as large as a hostile value (a 2 MB label, a text fact).
    """
    if isinstance(value, str) and len(value) > BRIEF:
        return f"{value[:BRIEF]!r}… ({len(value)} characters)"
    text = repr(value)
    return text if len(text) <= BRIEF else f"{text[:BRIEF]}… ({len(text)} characters)"


def _need_decimal(name: str, *values: Any) -> None:
    for value in values:
        if not isinstance(value, (Decimal, bool)):
            raise TypeError(_("{name}() takes numbers, got {value}", name=name, value=brief(value)))


_REPEATABLE = (str, list, tuple)


def _mul(a: Any, b: Any) -> Any:
    """``a * b`` for numbers only: Python would repeat text or a list (``'x' * 10**9`` is a gigabyte)."""
    if isinstance(a, _REPEATABLE) or isinstance(b, _REPEATABLE):
        raise TypeError(_("text or a list cannot be multiplied"))
    return a * b


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
        raise ValueError(_("round_half_up() takes 0 to 12 places, got {places}", places=places))
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
    ast.Add: op.add, ast.Sub: op.sub, ast.Mult: _mul, ast.Div: op.truediv,
    ast.USub: op.neg, ast.UAdd: op.pos, ast.Not: op.not_,
    ast.Eq: op.eq, ast.NotEq: op.ne, ast.Lt: op.lt, ast.LtE: op.le, ast.Gt: op.gt, ast.GtE: op.ge,
    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}

_ALLOWED_NODES = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp, ast.Call,
                  ast.Name, ast.Load, ast.Constant, ast.Tuple, ast.List, ast.And, ast.Or) + tuple(_OPERATORS)


@dataclass(frozen=True, eq=False)
class Expression:
    """A checked expression: its text, its parsed tree, the names it reads and its compiled forms."""

    text: str
    tree: ast.expr
    names: frozenset[str]
    #: the name, when the whole expression is one name (a fast path, and nicer traces)
    bare_name: str | None = None
    _: KW_ONLY
    #: the value over one mapping of names; fails exactly as ``interpret`` does
    row: Callable[[Mapping[str, Any]], Any]
    #: ``names`` sorted: the order in which ``column`` takes its columns
    order: tuple[str, ...]
    #: one equal-length sequence per name in ``order`` → the values, row by row (raw errors:
    #: ``evaluate_column`` is the way in, naming the failing row)
    column: Callable[..., list[Any]]

    def __reduce__(self) -> tuple[Any, ...]:
        # compiled code does not pickle: a copy is parsed again from the (already checked) text
        return parse, (self.text,)


def parse(text: str, known: Iterable[str] = ()) -> Expression:
    """Parse and check ``text``; every name must be in ``known`` (when given)."""
    text = str(text)
    if len(text) > MAX_LENGTH:
        raise ExpressionProblem("expression-too-long", _("an expression may be at most {most} characters",
                                                         most=MAX_LENGTH))
    source = text.strip()
    lead = len(text) - len(text.lstrip())
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise ExpressionProblem("expression-syntax", _("invalid expression: {msg}", msg=python_message(exc.msg)),
                                lead + max((exc.offset or 1) - 1, 0)) from exc
    names: set[str] = set()
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    count = 0
    for node in ast.walk(tree):
        count += 1
        if count > MAX_NODES:
            raise ExpressionProblem("expression-too-long", _("an expression may have at most {most} parts",
                                                             most=MAX_NODES))
        offset = lead + getattr(node, "col_offset", 0)
        if not isinstance(node, _ALLOWED_NODES):
            raise ExpressionProblem("expression-forbidden", _("{value} is not allowed in an expression",
                                                              value=_describe(node)),
                                    offset)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
            for operand in (node.left, node.right):  # where the type shows in the text; `_mul` sees the rest
                if isinstance(operand, (ast.List, ast.Tuple)) or (isinstance(operand, ast.Constant)
                                                                  and isinstance(operand.value, str)):
                    raise ExpressionProblem("expression-forbidden", _("text or a list cannot be multiplied"),
                                            lead + operand.col_offset)
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.keywords:
                raise ExpressionProblem("expression-forbidden", _("only plain calls of the allowed functions"),
                                        offset)
            if node.func.id not in FUNCTIONS:
                raise ExpressionProblem("unknown-function", _("unknown function {func!r}", func=node.func.id), offset,
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
                raise ExpressionProblem("expression-forbidden", _("literal {value!r} is not allowed",
                                                                  value=node.value), offset)
    known = set(known)
    if known:
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and id(node) not in called and node.id not in known:
                raise ExpressionProblem("unknown-name", _("unknown name {name!r}", name=node.id),
                                        lead + node.col_offset, did_you_mean(node.id, known))
    body = tree.body
    order = tuple(sorted(names))
    row, column = _compile(text, body, order)
    return Expression(text, body, frozenset(names), body.id if isinstance(body, ast.Name) else None,
                      row=row, order=order, column=column)


def _describe(node: ast.AST) -> str:
    kinds = {ast.Attribute: N_("attribute access (.)"), ast.Subscript: N_("indexing ([])"),
             ast.Pow: N_("the ** operator"), ast.Lambda: "lambda", ast.NamedExpr: N_("assignment (:=)")}
    return _(kinds[type(node)]) if type(node) in kinds else type(node).__name__


class _Evaluator(simpleeval.EvalWithCompoundTypes):  # type: ignore[misc]
    """simpleeval with Decimal literals: the reference interpreter."""

    def __init__(self) -> None:
        super().__init__(operators=dict(_OPERATORS), functions=dict(FUNCTIONS), names={})

    def _eval_constant(self, node: ast.Constant) -> Any:
        return getattr(node, "decimal", node.value)


def interpret(expression: Expression, names: Mapping[str, Any]) -> Any:
    """``expression`` over ``names`` by simpleeval: the reference that the compiled forms must agree with."""
    evaluator = _Evaluator()
    evaluator.names = names
    try:
        return evaluator.eval(expression.text, previously_parsed=expression.tree)
    except simpleeval.InvalidExpression as exc:
        raise ValueError(_("in {expression!r}: {exc}", expression=expression.text, exc=exc)) from exc
    except (TypeError, ArithmeticError) as exc:
        raise _wrapped(expression.text, exc) from exc


# --- compilation -------------------------------------------------------------------------------
#
# The checked tree is rebuilt as new nodes in which every identifier is ours: a name read becomes
# the local ``_v<i>`` (or, in the lazy form, ``_look(_names, 'name')``), a number the global
# ``_k<i>`` bound to its Decimal, a call ``_f_<function>``. The code runs with empty builtins, so
# it reaches nothing but those bindings. Python's own and/or, chained comparisons, ``in``, ``not``
# and if-else agree with simpleeval's (operand values, each evaluated once, left to right,
# short-circuited), and Decimal arithmetic runs in the caller's context, as simpleeval's does.

#: a name no mapping holds falls back to these, as simpleeval's lookup does (its compound-types
#: evaluator adds list, tuple, dict and set): the function itself is the value, never called
_FALLBACK_NAMES: dict[str, Any] = {**FUNCTIONS, "list": list, "tuple": tuple, "dict": dict, "set": set}

#: the checked node types rebuilt field by field (names, numbers and calls are rewritten)
_REBUILT = (ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp, ast.Tuple, ast.List)

#: every rebuilt node stands at line 1: the code has no source to point into
_AT: dict[str, Any] = {"lineno": 1, "col_offset": 0, "end_lineno": 1, "end_col_offset": 0}


def _load(name: str) -> ast.Name:
    return ast.Name(id=name, ctx=ast.Load(), **_AT)


def _store(name: str) -> ast.Name:
    return ast.Name(id=name, ctx=ast.Store(), **_AT)


def _lambda(parameters: Sequence[str], body: ast.expr) -> ast.Lambda:
    arguments = ast.arguments(posonlyargs=[], args=[ast.arg(arg=p, **_AT) for p in parameters], vararg=None,
                              kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])
    return ast.Lambda(args=arguments, body=body, **_AT)


class _Builder:
    """Builds new nodes from a checked tree (never touching it); ``bound`` collects the globals they read."""

    def __init__(self) -> None:
        self.bound: dict[str, Any] = {}
        self._numbers: dict[int, str] = {}  # id(Constant) → its global, shared by the forms

    def build(self, node: ast.expr, variables: Mapping[str, str] | None) -> ast.expr:
        """``node`` rebuilt; a name read is ``variables[name]``, or looked up in ``_names`` when None."""
        if isinstance(node, ast.Name):
            if variables is None:
                return ast.Call(func=_load("_look"), args=[_load("_names"), ast.Constant(node.id, **_AT)],
                                keywords=[], **_AT)
            return _load(variables[node.id])
        if isinstance(node, ast.Constant):
            number: Decimal | None = getattr(node, "decimal", None)
            if number is None:  # a string or a boolean: Python's own constant is the value
                return ast.Constant(node.value, **_AT)
            key = self._numbers.setdefault(id(node), f"_k{len(self._numbers)}")
            self.bound[key] = number
            return _load(key)
        if isinstance(node, ast.Call):
            assert isinstance(node.func, ast.Name) and not node.keywords  # all that parse() lets through
            key = f"_f_{node.func.id}"
            self.bound[key] = FUNCTIONS[node.func.id]
            return ast.Call(func=_load(key), args=[self.build(a, variables) for a in node.args], keywords=[],
                            **_AT)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult) and not any(
                getattr(operand, "decimal", None) is not None for operand in (node.left, node.right)):
            # a product with no number in the text could repeat text: `_mul` refuses it (a Decimal
            # times text fails by itself, so `x * 0.5` keeps Python's fast `*`)
            self.bound["_mul"] = _mul
            return ast.Call(func=_load("_mul"), args=[self.build(node.left, variables),
                                                      self.build(node.right, variables)], keywords=[], **_AT)
        # parse() has checked the tree, but the builder, too, knows only the allowed node types
        assert isinstance(node, _REBUILT), type(node).__name__
        fields: dict[str, Any] = {}
        for name in node._fields:
            value = getattr(node, name)
            if isinstance(value, ast.expr):
                value = self.build(value, variables)
            elif isinstance(value, list):
                value = [self.build(v, variables) if isinstance(v, ast.expr) else v for v in value]
            fields[name] = value  # operators and contexts are shared, as the parser shares them
        return type(node)(**fields, **_AT)


def _look(text: str, names: Mapping[str, Any], name: str) -> Any:
    """simpleeval's name lookup (``_eval_name``), for the lazy form."""
    try:
        return names[name]
    except (TypeError, KeyError):
        pass
    if not hasattr(names, "__getitem__"):
        raise simpleeval.InvalidExpression(
            f'Trying to use name (variable) "{name}" when no "names" defined for evaluator')
    if name in _FALLBACK_NAMES:
        return _FALLBACK_NAMES[name]
    raise simpleeval.NameNotDefined(name, text)


def _wrapped(text: str, exc: Exception) -> ValueError:
    """The error ``interpret`` raises for ``exc``."""
    if isinstance(exc, simpleeval.InvalidExpression):
        return ValueError(_("in {text!r}: {exc}", text=text, exc=exc))
    return ValueError(_("in {text!r}: {why}", text=text, why=_arithmetic(exc)))


def _arithmetic(exc: Exception) -> str:
    """What went wrong in an operation, in words: Python's are English, and a decimal signal's are its class."""
    if isinstance(exc, decimal.InvalidOperation):  # 0 / 0 among them
        return _("the operation has no defined result")
    if isinstance(exc, ZeroDivisionError):  # decimal.DivisionByZero among them
        return _("division by zero")
    if isinstance(exc, decimal.Overflow):
        return _("the result is too large")
    return f"{type(exc).__name__}: {exc}"


def _compile(text: str, tree: ast.expr, order: tuple[str, ...]) -> tuple[Callable[[Mapping[str, Any]], Any],
                                                                         Callable[..., list[Any]]]:
    """The row and column forms of a checked ``tree`` whose names are ``order``, compiled together."""
    builder = _Builder()
    variables = {name: f"_v{i}" for i, name in enumerate(order)}
    locals_ = list(variables.values())
    # body: the values of the names → the value; lazy: a mapping → the value, reading names as it goes
    forms: list[ast.expr] = [_lambda(locals_, builder.build(tree, variables))]
    if order:
        forms.append(_lambda(["_names"], builder.build(tree, None)))
        # column: a list comprehension over the column (one name) or the columns zipped
        columns = [f"_c{i}" for i in range(len(order))]
        if len(order) == 1:
            target: ast.expr = _store("_v0")
            source: ast.expr = _load("_c0")
        else:
            target = ast.Tuple(elts=[_store(v) for v in locals_], ctx=ast.Store(), **_AT)
            source = ast.Call(func=_load("_zip"), args=[_load(c) for c in columns], keywords=[], **_AT)
        loop = ast.comprehension(target=target, iter=source, ifs=[], is_async=0)
        forms.append(_lambda(columns, ast.ListComp(elt=builder.build(tree, variables), generators=[loop], **_AT)))
    code = compile(ast.Expression(ast.Tuple(elts=forms, ctx=ast.Load(), **_AT)), "<expression>", "eval")
    scope = {"__builtins__": {}, **builder.bound, "_zip": zip, "_look": partial(_look, text)}
    compiled = eval(code, scope)  # noqa: S307 (code built from checked nodes only, no builtins in reach)
    if not order:
        return _row(text, order, compiled[0], compiled[0]), _nothing
    return _row(text, order, compiled[0], compiled[1]), compiled[2]


def _nothing() -> list[Any]:
    """The column form of an expression reading no names (``evaluate_column`` repeats the row form)."""
    return []


def _row(text: str, order: tuple[str, ...], body: Callable[..., Any],
         lazy: Callable[[Mapping[str, Any]], Any]) -> Callable[[Mapping[str, Any]], Any]:
    """The row form: look every name up at once, then run the body; any name missing → the lazy form.

    Looking the names up first differs from simpleeval only when one is missing (simpleeval minds
    that only if the read is reached), so that case runs the lazy form, which reads as it goes.
    """

    def slow(names: Mapping[str, Any]) -> Any:
        try:
            return lazy(names)
        except (simpleeval.InvalidExpression, TypeError, ArithmeticError) as exc:
            raise _wrapped(text, exc) from exc

    if not order:
        def row(names: Mapping[str, Any]) -> Any:
            try:
                return body()
            except (TypeError, ArithmeticError) as exc:
                raise _wrapped(text, exc) from exc
    elif len(order) == 1:
        name = order[0]

        def row(names: Mapping[str, Any]) -> Any:
            try:
                value = names[name]
            except (KeyError, TypeError):
                return slow(names)
            try:
                return body(value)
            except (TypeError, ArithmeticError) as exc:
                raise _wrapped(text, exc) from exc
    else:
        get = op.itemgetter(*order)

        def row(names: Mapping[str, Any]) -> Any:
            try:
                values = get(names)
            except (KeyError, TypeError):
                return slow(names)
            try:
                return body(*values)
            except (TypeError, ArithmeticError) as exc:
                raise _wrapped(text, exc) from exc
    return row


class RowError(ValueError):
    """``evaluate_column`` failed: ``row`` is the first failing unit position, ``error`` what ``row`` raises there."""

    def __init__(self, row: int, error: ValueError):
        super().__init__(f"row {row}: {error}")
        self.row, self.error = row, error


def evaluate_column(expression: Expression, columns: Mapping[str, Sequence[Any]], n: int,
                    rows: Sequence[int] | None = None, shared: bool = False) -> list[Any]:
    """``expression`` for every unit position 0..n-1, or for each of ``rows`` in order.

    A bare name's column is copied, unless ``shared`` (the caller will not change it) and every
    unit is asked for: then it is the column itself.

    ``columns`` maps each name to one value per unit position. A row that fails raises ``RowError``
    naming the first such position (in order), with the ``ValueError`` that ``expression.row``
    raises for it.
    """
    order = expression.order
    if any(name not in columns for name in order):  # the row form knows what a missing name means
        return _row_by_row(expression, columns, range(n) if rows is None else rows)
    chosen: list[Sequence[Any]]
    if rows is None:
        chosen = [_first(columns[name], n, name) for name in order]
        if expression.bare_name is not None:
            return chosen[0] if shared and type(chosen[0]) is list else list(chosen[0])
        count = n
    else:
        gathered = [list(map(columns[name].__getitem__, rows)) for name in order]
        if expression.bare_name is not None:
            return gathered[0]
        chosen, count = list(gathered), len(rows)
    if not order:
        if count == 0:
            return []
        try:
            value = expression.row({})
        except ValueError as exc:
            raise RowError(0 if rows is None else rows[0], exc) from exc
        if type(value) in (Decimal, bool, str):  # pure, reading nothing, immutable: every row's value
            return [value] * count
        return [expression.row({}) for _ in range(count)]  # a list: a fresh one per row, as the row form gives
    try:
        return expression.column(*chosen)
    except Exception:
        # find the first failing row (rare): the row form raises that row's own error
        positions = range(count) if rows is None else rows
        for position, values in zip(positions, zip(*chosen)):
            try:
                expression.row(dict(zip(order, values)))
            except ValueError as exc:
                raise RowError(position, exc) from exc
        raise


def _first(column: Sequence[Any], n: int, name: str) -> Sequence[Any]:
    """``column``'s first ``n`` values (what zip walks), refusing a column too short for them."""
    if len(column) == n:
        return column
    if len(column) < n:
        raise IndexError(_("column {name!r} has {count} values for {n} units", name=name, count=len(column), n=n))
    return column[:n]


def _row_by_row(expression: Expression, columns: Mapping[str, Sequence[Any]], positions: Iterable[int]) -> list[Any]:
    present = [name for name in expression.order if name in columns]
    out = []
    for position in positions:
        try:
            out.append(expression.row({name: columns[name][position] for name in present}))
        except ValueError as exc:
            raise RowError(position, exc) from exc
    return out


def empty_names(expression: Expression, names: Mapping[str, Any]) -> list[str]:
    """The names ``expression`` reads that hold no value (optional facts a unit left empty)."""
    return sorted(n for n in expression.names if n in names and names[n] is None)


class Runner:
    """Evaluates checked expressions against one unit's names at a time."""

    def run(self, expression: Expression, names: Mapping[str, Any]) -> Any:
        name = expression.bare_name
        if name is not None:
            return names[name]
        return expression.row(names)

    def run_for(self, expression: Expression, names: Mapping[str, Any], unit: str, where: str) -> Any:
        """Like ``run``, failing with an ``EvaluationError`` that names the unit and the place."""
        try:
            return self.run(expression, names)
        except (ValueError, KeyError) as exc:
            empty = empty_names(expression, names)
            why = _("needs {names}, which the unit left empty", names=_(", ").join(empty)) if empty else str(exc)
            raise EvaluationError(unit, where, why) from None
