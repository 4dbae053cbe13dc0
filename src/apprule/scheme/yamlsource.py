"""YAML text in, plain data out, with the location of every node.

The loader is hardened against hostile files: it never constructs Python
objects, accepts only the core tags, bounds size, nesting and alias expansion,
reads YAML 1.2 (so ``no`` stays a string) and turns every number into a
``Decimal`` (or ``int``) from its own text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from ruamel.yaml import YAML, nodes
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import CollectionStartEvent, CollectionEndEvent, NodeEvent

from ..errors import Location, Path, Problem, SchemeError

MAX_BYTES = 2_000_000
MAX_DEPTH = 64
MAX_NODES = 200_000

_CORE = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_CORE}{t}" for t in ("str", "int", "float", "bool", "null", "timestamp")}
_ALLOWED_TAGS = _SCALAR_TAGS | {f"{_CORE}map", f"{_CORE}seq"}


@dataclass
class Source:
    """A YAML document as plain data, and where each of its nodes stands."""

    name: str
    text: str
    data: Any
    locations: dict[Path, Location] = field(default_factory=dict)
    value_locations: dict[Path, Location] = field(default_factory=dict)

    def locate(self, path: Path) -> Location | None:
        """The location of ``path``, or of its nearest located ancestor."""
        while True:
            if path in self.locations:
                return self.locations[path]
            if not path:
                return None
            path = path[:-1]

    def line(self, location: Location | None) -> str | None:
        if location is None or location.file != self.name:
            return None
        lines = self.text.splitlines()
        return lines[location.line - 1] if 0 < location.line <= len(lines) else None

    def problem(self, code: str, message: str, path: Path, hint: str | None = None,
                location: Location | None = None) -> Problem:
        loc = location or self.locate(path)
        return Problem(code, message, path, loc, hint, self.line(loc))


def read_yaml(text: str, name: str) -> Source:
    """Parse ``text`` (the contents of file ``name``) into a located ``Source``."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise SchemeError([Problem("file-too-large", f"a scheme file may hold at most {MAX_BYTES} bytes",
                                   (), Location(name, 1, 1))])
    yaml = YAML(typ="rt", pure=True)
    yaml.version = (1, 2)
    source = Source(name, text, None)
    try:
        _prescan(yaml, text, source)
        root = yaml.compose(text)
    except SchemeError:
        raise
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = Location(name, mark.line + 1, mark.column + 1) if mark else Location(name, 1, 1)
        code = "duplicate-key" if "duplicate key" in str(exc.problem or "") else "yaml-syntax"
        message = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise SchemeError([Problem(code, message or "invalid YAML", (), loc, None, source.line(loc))]) from exc
    except YAMLError as exc:
        raise SchemeError([Problem("yaml-syntax", str(exc), (), Location(name, 1, 1))]) from exc
    if root is None:
        raise SchemeError([Problem("empty-scheme", "the file holds no YAML document", (), Location(name, 1, 1))])
    counter = [0]
    problems: list[Problem] = []
    source.data = _convert(root, (), source, counter, problems)
    if problems:
        raise SchemeError(problems)
    return source


def _prescan(yaml: YAML, text: str, source: Source) -> None:
    """Reject deep nesting and foreign tags from the event stream (the composer recurses)."""
    depth = 0
    count = 0
    for event in yaml.parse(text):
        if isinstance(event, CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise SchemeError([_mark_problem(source, event, "too-deep",
                                                 f"nesting deeper than {MAX_DEPTH} levels")])
        elif isinstance(event, CollectionEndEvent):
            depth -= 1
        if isinstance(event, NodeEvent):
            count += 1
            if count > MAX_NODES:
                raise SchemeError([_mark_problem(source, event, "too-large", f"more than {MAX_NODES} YAML nodes")])
            tag = getattr(event, "tag", None)
            if tag is not None and _full_tag(tag) not in _ALLOWED_TAGS and tag != "!":
                raise SchemeError([_mark_problem(source, event, "unknown-tag",
                                                 f"tag {tag!r} is not allowed in a scheme")])


def _full_tag(tag: Any) -> str:
    text = str(getattr(tag, "value", tag))
    return _CORE + text[2:] if text.startswith("!!") else text


def _mark_problem(source: Source, event: Any, code: str, message: str) -> Problem:
    mark = event.start_mark
    loc = Location(source.name, mark.line + 1, mark.column + 1)
    return Problem(code, message, (), loc, None, source.line(loc))


def _convert(node: nodes.Node, path: Path, source: Source, counter: list[int],
             problems: list[Problem]) -> Any:
    counter[0] += 1
    if counter[0] > MAX_NODES:  # an alias bomb expands past the bound here
        loc = _loc(source, node)
        raise SchemeError([Problem("too-large", f"the document expands to more than {MAX_NODES} nodes "
                                   "(aliases included)", path, loc, None, source.line(loc))])
    source.locations.setdefault(path, _loc(source, node))
    tag = _full_tag(node.tag)
    if isinstance(node, nodes.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if _full_tag(key_node.tag) == f"{_CORE}merge":
                problems.append(Problem("unsupported-yaml", "merge keys (<<) are not supported; use `use:`",
                                        path, _loc(source, key_node), None, source.line(_loc(source, key_node))))
                continue
            if not isinstance(key_node, nodes.ScalarNode):
                loc = _loc(source, key_node)
                problems.append(Problem("bad-key", "a key is plain text or a number, not a list or mapping",
                                        path, loc, None, source.line(loc)))
                continue
            key = _convert(key_node, path, source, counter, problems)
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                key = str(key)
            if key in result:
                loc = _loc(source, key_node)
                problems.append(Problem("duplicate-key", f"key {key!r} appears twice", path + (key,), loc,
                                        None, source.line(loc)))
                continue
            source.locations[path + (key,)] = _loc(source, key_node)
            source.value_locations[path + (key,)] = _loc(source, value_node)
            result[key] = _convert(value_node, path + (key,), source, counter, problems)
        return result
    if isinstance(node, nodes.SequenceNode):
        return [_convert(item, path + (i,), source, counter, problems) for i, item in enumerate(node.value)]
    assert isinstance(node, nodes.ScalarNode)
    return _scalar(node, tag, path, source, problems)


def _scalar(node: nodes.ScalarNode, tag: str, path: Path, source: Source, problems: list[Problem]) -> Any:
    text: str = node.value
    if node.style == ">":  # the round-trip scanner marks each fold with \a; the text has none
        text = text.replace("\a", "")
    kind = tag[len(_CORE):] if tag.startswith(_CORE) else "str"
    if kind == "null":
        return None
    if kind == "bool":
        return text.lower() == "true"
    if kind == "int":
        for base in (10, 0):  # decimal first, then 0x / 0o
            try:
                return int(text, base)
            except ValueError:
                pass
    if kind in ("int", "float"):
        try:
            number = Decimal(text.replace("_", ""))
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            loc = _loc(source, node)
            problems.append(Problem("bad-number", f"{text!r} is not a finite decimal number", path, loc, None,
                                    source.line(loc)))
            return text
        return number
    if kind == "timestamp":
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return text
    return text


def _loc(source: Source, node: nodes.Node) -> Location:
    return Location(source.name, node.start_mark.line + 1, node.start_mark.column + 1)
