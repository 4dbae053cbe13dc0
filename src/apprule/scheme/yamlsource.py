"""YAML text in, plain data out, with the location of every node.

The loader is hardened against hostile files: it never constructs Python
objects, accepts only the core tags, bounds size, nesting and node count (aliases
expanded) as it reads, reads YAML 1.2 (so ``no`` stays a string) and turns every
number into a ``Decimal`` (or ``int``) from its own text, which must be written in
decimal digits. The data is built straight from the parser's events in one pass:
no node tree is composed, so a large facts file costs its data and little more.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (AliasEvent, CollectionEndEvent, CollectionStartEvent, DocumentStartEvent,
                                MappingStartEvent, ScalarEvent)
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.reader import ReaderError

from ..errors import Location, Path, Problem, SchemeError
from ..i18n import N_, _
from ..parser_words import yaml_message


@dataclass(frozen=True)
class Limits:
    """Bounds on one kind of YAML file, checked while it is read: a hostile file stops at the first passed."""

    #: the file's kind in messages: "a scheme file may hold at most …"
    kind: str
    max_bytes: int
    max_depth: int
    #: YAML nodes, aliases counted as the nodes they stand for
    max_nodes: int
    #: nodes deeper than this get no location of their own (their nearest located ancestor's serves)
    located_depth: int


#: a scheme is a document a person writes: the largest shipped one has about 3 000 nodes
SCHEME_LIMITS = Limits(N_("a scheme file"), 2_000_000, 64, 50_000, 1_000)
#: facts are data, sized for a large office (100 000 units with 50 events each); a facts file
#: names units at depth 1 and their facts at depth 2, and nothing deeper is ever located
FACTS_LIMITS = Limits(N_("a facts file"), 500_000_000, 16, 50_000_000, 2)

# kept for readers of the old names
MAX_BYTES, MAX_DEPTH, MAX_NODES = SCHEME_LIMITS.max_bytes, SCHEME_LIMITS.max_depth, SCHEME_LIMITS.max_nodes

_CORE = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_CORE}{t}" for t in ("str", "int", "float", "bool", "null", "timestamp")}
_ALLOWED_TAGS = _SCALAR_TAGS | {f"{_CORE}map", f"{_CORE}seq"}
#: the only line breaks, as YAML 1.2 and editors count them (U+2028, NEL and form feed are not)
_BREAK = re.compile(r"\r\n|\r|\n")
#: numbers are written in decimal digits: no 0x10, 0o7, 1_000 (YAML 1.2 core schema, less the others)
_INT = re.compile(r"[-+]?[0-9]+\Z")
_DECIMAL = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_NOT_FINITE = re.compile(r"[-+]?\.(inf|Inf|INF)\Z|\.(nan|NaN|NAN)\Z")
_SURROGATE = re.compile("[\ud800-\udfff]")
_TRUE, _FALSE = ("true", "True", "TRUE"), ("false", "False", "FALSE")


@dataclass
class Source:
    """A YAML document as plain data, and where each of its nodes stands."""

    name: str
    text: str
    data: Any
    locations: dict[Path, Location] = field(default_factory=dict)
    value_locations: dict[Path, Location] = field(default_factory=dict)
    _lines: list[str] | None = field(default=None, repr=False, compare=False)

    def locate(self, path: Path) -> Location | None:
        """The location of ``path``, or of its nearest located ancestor."""
        while True:
            if path in self.locations:
                return self.locations[path]
            if not path:
                return None
            path = path[:-1]

    def line(self, location: Location | None) -> str | None:
        """The source line ``location`` points into, split where the reader counts lines."""
        if location is None or location.file != self.name:
            return None
        if self._lines is None:
            self._lines = _BREAK.split(self.text)
        lines = self._lines
        return lines[location.line - 1] if 0 < location.line <= len(lines) else None

    def problem(self, code: str, message: str, path: Path, hint: str | None = None,
                location: Location | None = None) -> Problem:
        loc = location or self.locate(path)
        return Problem(code, message, path, loc, hint, self.line(loc))


def read_yaml(text: str, name: str, limits: Limits = SCHEME_LIMITS) -> Source:
    """Parse ``text`` (the contents of file ``name``) into a located ``Source``."""
    # a character is 1 to 4 bytes in UTF-8: encode only when the length alone cannot tell
    if len(text) > limits.max_bytes or (len(text) * 4 > limits.max_bytes
                                        and len(text.encode("utf-8", "surrogatepass")) > limits.max_bytes):
        raise SchemeError([Problem("file-too-large", _("{kind} may hold at most {max_bytes} bytes",
                                                       kind=_(limits.kind), max_bytes=limits.max_bytes),
                                   (), Location(name, 1, 1))])
    yaml = YAML(typ="safe", pure=True)  # the round-trip scanner's comment bookkeeping costs half the time
    yaml.version = (1, 2)
    source = Source(name, text, None)
    builder = _Builder(source, limits, yaml)
    try:
        builder.build(yaml.parse(text))
    except SchemeError:
        raise
    except ReaderError as exc:  # a character YAML does not allow (a control character, a lone surrogate)
        loc = _position(source, exc.position)
        character = exc.character if isinstance(exc.character, int) else 0
        raise SchemeError([Problem("bad-character", _("character U+{character:04X} is not allowed in YAML",
                                                      character=character),
                                   (), loc, None, source.line(loc))]) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = Location(name, mark.line + 1, mark.column + 1) if mark else Location(name, 1, 1)
        message = yaml_message(exc.context and str(exc.context), exc.problem and str(exc.problem))
        raise SchemeError([Problem("yaml-syntax", message or _("invalid YAML"), (), loc, None,
                                   source.line(loc))]) from None
    except YAMLError as exc:
        raise SchemeError([Problem("yaml-syntax", str(exc), (), Location(name, 1, 1))]) from None
    if builder.problems:
        raise SchemeError(builder.problems)
    if not builder.documents:
        raise SchemeError([Problem("empty-scheme", _("the file holds no YAML document"), (), Location(name, 1, 1))])
    source.data = builder.root
    return source


def _position(source: Source, index: int) -> Location:
    """The location of character ``index`` of the text."""
    before = source.text[:index]
    breaks = list(_BREAK.finditer(before))
    column = index - breaks[-1].end() if breaks else index
    return Location(source.name, len(breaks) + 1, column + 1)


def _full_tag(tag: Any) -> str:
    text = str(getattr(tag, "value", tag))
    return _CORE + text[2:] if text.startswith("!!") else text


_SKIP = object()  # the key of an entry that is dropped (a duplicate, a merge key, a list as a key)


class _Open:
    """A collection being read: its value, its path, its anchor and the node count where it began."""

    __slots__ = ("value", "path", "anchor", "start", "key", "key_text")

    def __init__(self, value: Any, path: Path, anchor: str | None, start: int):
        self.value, self.path, self.anchor, self.start = value, path, anchor, start
        self.key: Any = None  # a mapping's key awaiting its value (None: a key comes next)
        self.key_text = ""


class _Builder:
    """Plain data from the parser's events, checking the limits as it goes."""

    def __init__(self, source: Source, limits: Limits, yaml: YAML):
        self.source, self.limits, self.yaml = source, limits, yaml
        self.problems: list[Problem] = []
        self.anchors: dict[str, tuple[Any, int]] = {}  # anchor → its value and its node count
        self.stack: list[_Open] = []
        self.nodes = 0
        self.documents = 0
        self.root: Any = None

    def fail(self, event: Any, code: str, message: str, path: Path = ()) -> SchemeError:
        loc = self.loc(event)
        return SchemeError([Problem(code, message, path, loc, None, self.source.line(loc))])

    def loc(self, event: Any) -> Location:
        mark = event.start_mark
        return Location(self.source.name, mark.line + 1, mark.column + 1)

    def note(self, event: Any, code: str, message: str, path: Path) -> None:
        loc = self.loc(event)
        self.problems.append(Problem(code, message, path, loc, None, self.source.line(loc)))

    def build(self, events: Iterable[Any]) -> None:
        limits = self.limits
        value: Any
        for event in events:
            if isinstance(event, CollectionEndEvent):
                done = self.stack.pop()
                if done.anchor is not None:
                    self.anchors[done.anchor] = (done.value, self.nodes - done.start)
                self.place(done.value, event)
                continue
            if isinstance(event, DocumentStartEvent):
                self.documents += 1
                if self.documents > 1:
                    raise self.fail(event, "yaml-syntax", _("expected a single document in the stream, but found "
                                                            "another document"))
                continue
            if not isinstance(event, (ScalarEvent, CollectionStartEvent, AliasEvent)):
                continue
            path = self.path()
            if isinstance(event, AliasEvent):
                if event.anchor not in self.anchors:
                    raise self.fail(event, "yaml-syntax", _("found undefined alias {anchor!r}",
                                                            anchor=event.anchor), path)
                anchored, size = self.anchors[event.anchor]
                self.count(event, size, path, _("the document expands to more than {most} nodes (aliases included)",
                                                most=limits.max_nodes))
                self.located(event, path)
                self.place(copy.deepcopy(anchored), event)  # a copy of its own, as each alias stands alone
                continue
            self.count(event, 1, path, _("{kind} may hold at most {most} YAML nodes", kind=_(limits.kind),
                                         most=limits.max_nodes))
            tag = event.ctag
            if tag is not None and str(tag) != "!" and _full_tag(tag) not in _ALLOWED_TAGS:
                raise self.fail(event, "unknown-tag", _("tag {value!r} is not allowed in {kind}",
                                                        value=_full_tag(tag), kind=_(limits.kind)))
            self.located(event, path)
            if isinstance(event, CollectionStartEvent):
                if len(self.stack) >= limits.max_depth:
                    raise self.fail(event, "too-deep", _("nesting deeper than {max_depth} levels",
                                                         max_depth=limits.max_depth))
                value = {} if isinstance(event, MappingStartEvent) else []
                self.stack.append(_Open(value, path, event.anchor, self.nodes - 1))
                continue
            key = bool(self.stack) and isinstance(self.stack[-1].value, dict) and self.stack[-1].key is None
            value = self.scalar(event, path, key)
            if event.anchor is not None:
                self.anchors[event.anchor] = (value, 1)
            self.place(value, event)

    def count(self, event: Any, size: int, path: Path, message: str) -> None:
        self.nodes += size
        if self.nodes > self.limits.max_nodes:
            raise self.fail(event, "too-large", message, path)

    def path(self) -> Path:
        """The path of the node that comes next (a key's path is its mapping's)."""
        if not self.stack:
            return ()
        top = self.stack[-1]
        if isinstance(top.value, list):
            return top.path + (len(top.value),)
        return top.path if top.key is None or top.key is _SKIP else top.path + (top.key,)

    def located(self, event: Any, path: Path) -> None:
        """Record where a node stands (a key's location is recorded when it is placed)."""
        if len(path) > self.limits.located_depth:
            return
        top = self.stack[-1] if self.stack else None
        if top is None or isinstance(top.value, list):
            self.source.locations.setdefault(path, self.loc(event))
        elif top.key is not None and top.key is not _SKIP:
            self.source.value_locations[path] = self.loc(event)

    def place(self, value: Any, event: Any) -> None:
        if not self.stack:
            self.root = value
            return
        top = self.stack[-1]
        if isinstance(top.value, list):
            top.value.append(value)
            return
        if top.key is None:  # the value is a key
            top.key = self.key(value, event, top)
            return
        if top.key is not _SKIP:
            top.value[top.key] = value
        top.key = None

    def key(self, key: Any, event: Any, top: _Open) -> Any:
        loc = self.loc(event)
        if isinstance(key, _MergeKey):
            self.note(event, "unsupported-yaml", _("merge keys (<<) are not supported; use `use:`"), top.path)
            return _SKIP
        if isinstance(key, (dict, list)):
            self.problems.append(Problem("bad-key", _("a key is plain text or a number, not a list or mapping"),
                                         top.path, loc, None, self.source.line(loc)))
            return _SKIP
        if not isinstance(key, (str, int)) or isinstance(key, bool):
            key = str(key)
        path = top.path + (key,)
        if key in top.value:
            self.problems.append(Problem("duplicate-key", _("key {key!r} appears twice", key=key), path, loc, None,
                                         self.source.line(loc)))
            return _SKIP
        if len(path) <= self.limits.located_depth:
            self.source.locations[path] = loc
        return key

    def scalar(self, event: ScalarEvent, path: Path, key: bool) -> Any:
        text: str = event.value
        tag = event.ctag
        if tag is None or str(tag) == "!":
            tag = self.yaml.resolver.resolve(ScalarNode, text, event.implicit)
        full = _full_tag(tag)
        kind = full[len(_CORE):] if full.startswith(_CORE) else "str"
        if event.style == '"' and _SURROGATE.search(text):  # only a \u escape makes one
            try:  # a pair of escapes, as JSON writes a character beyond U+FFFF, is that character
                text = text.encode("utf-16", "surrogatepass").decode("utf-16")
            except UnicodeDecodeError:
                code = _SURROGATE.search(text)
                assert code is not None
                self.note(event, "bad-character", _("\\u{value:04x} is half of a surrogate pair, not a character",
                                                    value=ord(code.group())), path)
                return ""
        if kind == "merge" and key:
            return _MergeKey()
        if key and kind in ("null", "bool", "float", "timestamp"):
            return text  # a key such as a unit name is text exactly as written: `~` stays '~', `1e2` '1e2'
        if kind == "null":
            return None
        if kind == "bool":
            if text in _TRUE or text in _FALSE:
                return text in _TRUE
            self.note(event, "bad-boolean", _("{text!r} is not a YAML boolean; write true or false", text=text), path)
            return text
        if kind in ("int", "float"):
            if kind == "int" and _INT.match(text):
                try:
                    return int(text)
                except ValueError:  # past Python's digit limit for int(): a decimal serves
                    return Decimal(text)
            if _DECIMAL.match(text):
                return Decimal(text)
            if _NOT_FINITE.match(text):
                self.note(event, "bad-number", _("{text!r} is not a finite decimal number", text=text), path)
            else:
                self.note(event, "bad-number", _("{text!r} is not a number in decimal digits; write it so, or quote it "
                                                 "if it is text", text=text), path)
            return text
        if kind == "timestamp":
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                return text
        return text


class _MergeKey:
    """A `<<` key, refused when it is placed."""
