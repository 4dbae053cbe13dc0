"""Scheme text in, checked ``Scheme`` out: read YAML, expand `use:`, validate, check, compile."""

from __future__ import annotations

import copy
import os
from pathlib import Path as FilePath
from typing import Any, Iterator, Mapping

from pydantic import ValidationError

from ..errors import Path, Problem, SchemeError, did_you_mean
from ..expressions import brief
from .model import SchemeDefinition
from .yamlsource import SCHEME_LIMITS, Source, read_yaml
from ..i18n import N_, _, using


def read_scheme(source: str | os.PathLike[str], *, name: str | None = None,
                readings: Mapping[str, str] | None = None) -> tuple[SchemeDefinition, Source]:
    """Parse and validate a scheme from a path or from YAML text; raise ``SchemeError`` on any mistake.

    ``readings`` (reading id → choice) switches readings away from their defaults: each chosen choice's
    `overrides:` are laid over the scheme before it is validated, so the result is checked as any scheme.
    """
    text, name = _text_and_name(source, name)
    src = read_yaml(text, name)
    declared = src.data.get("language") if isinstance(src.data, dict) else None
    with using(scheme=declared if isinstance(declared, str) else None):  # its errors in its office's language
        return _validated(src, readings)


def _validated(src: Source, readings: Mapping[str, str] | None) -> tuple[SchemeDefinition, Source]:
    problems: list[Problem] = []
    if not isinstance(src.data, dict):
        raise SchemeError([src.problem("not-a-mapping", _("a scheme is a YAML mapping of keys"), ())])
    src.data = _expand_uses(src, problems)
    chosen = _choose_readings(src, dict(readings or {}), problems)
    if problems:
        raise SchemeError(problems)
    try:
        scheme = SchemeDefinition.model_validate(src.data)
    except ValidationError as exc:
        raise SchemeError([_translate(error, src) for error in exc.errors()]) from None
    scheme._chosen = chosen
    return scheme, src


def _text_and_name(source: str | os.PathLike[str], name: str | None) -> tuple[str, str]:
    if isinstance(source, str) and "\n" not in source:
        from ..shipped import scheme_path  # the id of a shipped scheme, "hebi_2021"
        source = scheme_path(source) or source
    if isinstance(source, os.PathLike) or ("\n" not in str(source) and str(source).endswith((".yaml", ".yml"))):
        path = FilePath(source)
        try:
            return path.read_text(encoding="utf-8"), name or str(source)
        except (OSError, UnicodeDecodeError) as exc:
            raise SchemeError([Problem("unreadable-file", _("cannot read {source!r}: {exc}",
                                                            source=str(source), exc=exc))]) from exc
    return str(source), name or "<string>"


# --- use: reuse of blocks ----------------------------------------------------------------------

def _expand_uses(src: Source, problems: list[Problem]) -> Any:
    data = dict(src.data)
    blocks = data.pop("blocks", {}) or {}
    if not isinstance(blocks, dict):
        problems.append(src.problem("invalid-value", _("`blocks` is a mapping of name to fragment"), ("blocks",)))
        return data
    used: set[str] = set()
    budget = [SCHEME_LIMITS.max_nodes]  # nodes the expanded scheme may still hold

    def expand(value: Any, path: Path, origin: Path, stack: tuple[str, ...]) -> Any:
        budget[0] -= 1
        if budget[0] < 0:  # blocks that use blocks twice over double at every level
            raise _TooLarge()
        if isinstance(value, list):
            return [expand(v, path + (i,), origin + (i,), stack) for i, v in enumerate(value)]
        if not isinstance(value, dict):
            return value
        if "use" not in value:
            return {k: expand(v, path + (k,), origin + (k,), stack) for k, v in value.items()}
        name = value["use"]
        if not isinstance(name, str) or name not in blocks:
            hint = did_you_mean(str(name), blocks)
            problems.append(src.problem("unknown-block", _("no block named {name!r} under `blocks`", name=name),
                                        origin + ("use",), hint))
            return {k: v for k, v in value.items() if k != "use"}
        if name in stack:
            problems.append(src.problem("block-cycle", _("block {name!r} uses itself ({stack})",
                                                         name=name, stack=' -> '.join(stack)),
                                        origin + ("use",)))
            return {}
        used.add(name)
        base = expand(copy.deepcopy(blocks[name]), path, ("blocks", name), stack + (name,))
        _relocate(src, ("blocks", name), path, base)
        local = {k: expand(v, path + (k,), origin + (k,), stack) for k, v in value.items() if k not in ("use",
                                                                                                        "overrides")}
        for key, part in local.items():
            _relocate(src, origin + (key,), path + (key,), part, force=True)
        merged = {**base, **local} if isinstance(base, dict) else base
        overrides = value.get("overrides") or {}
        if not isinstance(overrides, dict):
            problems.append(src.problem("invalid-value", _("`overrides` maps a rule id to the keys it changes"),
                                        origin + ("overrides",)))
            return merged
        for node_id, changes in overrides.items():
            if not _override(merged, node_id, changes):
                problems.append(src.problem("unknown-node", _("no rule or section {node_id!r} in block {name!r}",
                                                              node_id=node_id, name=name),
                                            origin + ("overrides", node_id)))
        return merged

    expanded = {}
    for k, v in data.items():
        try:
            expanded[k] = expand(v, (k,), (k,), ())
        except _TooLarge:
            where = _first_use(v, (k,))
            problems.append(src.problem("too-large", _("`use:` expands the scheme past {max_nodes} nodes (blocks that "
                                                       "use blocks, each more than once)",
                                                       max_nodes=SCHEME_LIMITS.max_nodes), where))
            return expanded
    for name in blocks:
        if name not in used:
            problems.append(src.problem("unused-block", _("block {name!r} is never used", name=name), ("blocks", name)))
    return expanded


class _TooLarge(Exception):
    """The expansion passed the node bound."""


def _first_use(value: Any, path: Path) -> Path:
    """The path of the first `use:` in ``value`` (where an expansion that grew too large began)."""
    if isinstance(value, dict):
        if "use" in value:
            return path + ("use",)
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return path
    for key, child in items:
        found = _first_use(child, path + (key,))
        if found[-1:] == ("use",):
            return found
    return path


def _override(tree: Any, node_id: str, changes: Any) -> bool:
    if isinstance(tree, dict):
        if tree.get("id") == node_id and isinstance(changes, dict):
            tree.update(changes)
            return True
        return any(_override(v, node_id, changes) for v in tree.values())
    if isinstance(tree, list):
        return any(_override(v, node_id, changes) for v in tree)
    return False


def _relocate(src: Source, old: Path, new: Path, value: Any, force: bool = False) -> None:
    """Errors inside a used block point at the block's own lines.

    Walks the expanded ``value`` (placed at ``new``), not the tables: the cost is the block's size,
    not the scheme's, once per use.
    """
    pending: list[tuple[Path, Any]] = [((), value)]
    while pending:
        rest, part = pending.pop()
        for table in (src.locations, src.value_locations):
            loc = table.get(old + rest)
            if loc is not None and (force or new + rest not in table):
                table[new + rest] = loc
        if isinstance(part, dict):
            pending.extend((rest + (k,), v) for k, v in part.items())
        elif isinstance(part, list):
            pending.extend((rest + (i,), v) for i, v in enumerate(part))


# --- readings: a choice's overrides laid over the scheme ----------------------------------------

def _choose_readings(src: Source, chosen: dict[str, str], problems: list[Problem]) -> dict[str, str]:
    """Lay each reading's choice in force (``chosen``, else its default) over the expanded scheme.

    Every choice's override targets are checked, chosen or not, so a choice no one runs still names
    nodes that exist. Returns the choices ``chosen`` made (the definition's ``in_force`` adds the defaults).
    """
    entries = src.data.get("readings")
    entries = entries if isinstance(entries, list) else []  # the model reports a malformed section
    switches = {e["id"]: (i, e["choices"]) for i, e in enumerate(entries)
                if isinstance(e, dict) and isinstance(e.get("choices"), dict) and isinstance(e.get("id"), str)}
    stated = {e["id"] for e in entries if isinstance(e, dict) and isinstance(e.get("id"), str)}
    for reading, choice in chosen.items():
        if reading not in switches:
            names = ", ".join(sorted(switches)) or _("none")
            what = (_("states one choice and has none to switch to") if reading in stated
                    else _("is no reading of the scheme"))
            problems.append(src.problem("unknown-reading", _("{reading!r} {what} (readings with choices: {names})",
                                                             reading=reading, what=what, names=names), ("readings",)))
        elif choice not in switches[reading][1]:
            names = ", ".join(switches[reading][1])
            said = _("reading {reading!r} has no choice {choice!r} (choices: {names})", reading=reading, choice=choice,
                     names=names)
            problems.append(src.problem("unknown-choice", said, ("readings", switches[reading][0])))
    made: dict[str, str] = {}
    for reading, (i, choices) in switches.items():
        for name, choice in choices.items():
            overrides = choice.get("overrides") if isinstance(choice, dict) else None
            if not isinstance(overrides, dict):
                continue  # none, or malformed: the model says so
            at: Path = ("readings", i, "choices", name, "overrides")
            default = isinstance(choice, dict) and choice.get("default") is True
            in_force = chosen.get(reading, None if not default else name) == name
            for node_id, changes in overrides.items():
                nodes = list(_nodes(src.data, node_id))
                if not nodes:
                    problems.append(src.problem("unknown-node", _("no rule, section or group {node_id!r} in the scheme",
                                                                  node_id=node_id), at + (node_id,)))
                    continue
                for key, part in (changes if isinstance(changes, dict) else {}).items():
                    *heads, last = str(key).split(".")  # `grades.rounding`: one key inside the node's `grades`
                    parents = [(path + tuple(int(h) if h.isdigit() else h for h in heads), parent)
                               for path, node in nodes
                               if isinstance(parent := _descend(node, heads), dict)]
                    if not parents:
                        said = _("{node_id!r} has no mapping {heads!r} to change", node_id=node_id, heads=".".join(heads))
                        problems.append(src.problem("unknown-key", said, at + (node_id, key)))
                    for path, parent in parents if in_force else ():
                        parent[last] = copy.deepcopy(part)
                        _relocate(src, at + (node_id, key), path + (last,), part, force=True)
        if reading in chosen and chosen[reading] in choices:
            made[reading] = chosen[reading]
    return made


#: top-level mappings a choice's overrides may name, as they name a node by its id
_TOP_LEVEL = ("aggregate",)


def _descend(node: Any, keys: list[str]) -> Any:
    """The value at ``keys`` below ``node`` (a number indexes a list: `grades.grants.0`), or None."""
    for key in keys:
        if isinstance(node, list):
            node = node[int(key)] if key.isdigit() and int(key) < len(node) else None
        else:
            node = node.get(key) if isinstance(node, dict) else None
    return node


def _nodes(data: dict[str, Any], node_id: str) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Every mapping with ``id: node_id`` outside `readings:`, and its path; or the top-level mapping
    ``node_id`` names (`aggregate`), which has no id."""
    if node_id in _TOP_LEVEL and isinstance(data.get(node_id), dict):
        yield (node_id,), data[node_id]
        return
    pending: list[tuple[Path, Any]] = [((k,), v) for k, v in data.items() if k != "readings"]
    while pending:
        path, value = pending.pop()
        if isinstance(value, dict):
            if value.get("id") == node_id:
                yield path, value
            pending.extend((path + (k,), v) for k, v in value.items())
        elif isinstance(value, list):
            pending.extend((path + (i,), v) for i, v in enumerate(value))


# --- pydantic errors as located problems -------------------------------------------------------

_CODES = {"extra_forbidden": "unknown-key", "missing": "missing-key", "value_error": "invalid-value",
          "literal_error": "invalid-choice", "union_tag_invalid": "invalid-value", "duplicate_key": "duplicate-key",
          "bad_rank": "wrong-type"}


_EXPECTED_NUMBER = N_("expected a number")
_EXPECTED_WHOLE = N_("expected a whole number")
_EXPECTED_MAPPING = N_("expected a mapping of keys")
_EXPECTED_LIST = N_("expected a list")
_EXPECTED_DATE = N_("expected a date like 2021-06-30")
_EXPECTED_BOOLEAN = N_("expected true or false")
#: pydantic's error types in apprule's words (pydantic's own messages are English only), filled from the error's
#: context; a ``value_error`` or a custom type carries apprule's own message, said when it was raised
_WORDS = {
    "missing": N_("missing key {key!r}"), "extra_forbidden": N_("unknown key {key!r}"),
    "string_type": N_("expected text"), "string_unicode": N_("expected text"),
    "int_type": _EXPECTED_WHOLE, "int_parsing": _EXPECTED_WHOLE, "int_from_float": _EXPECTED_WHOLE,
    "float_type": _EXPECTED_NUMBER, "float_parsing": _EXPECTED_NUMBER, "decimal_type": _EXPECTED_NUMBER,
    "decimal_parsing": _EXPECTED_NUMBER, "finite_number": N_("expected a finite number"),
    "decimal_max_places": N_("takes at most {decimal_places} decimal places"),
    "decimal_max_digits": N_("takes at most {max_digits} digits"),
    "bool_type": _EXPECTED_BOOLEAN, "bool_parsing": _EXPECTED_BOOLEAN,
    "list_type": _EXPECTED_LIST, "tuple_type": _EXPECTED_LIST, "set_type": _EXPECTED_LIST,
    "frozen_set_type": _EXPECTED_LIST,
    "dict_type": _EXPECTED_MAPPING, "model_type": _EXPECTED_MAPPING, "model_attributes_type": _EXPECTED_MAPPING,
    "dataclass_type": _EXPECTED_MAPPING,
    "literal_error": N_("expected {expected}"), "enum": N_("expected {expected}"),
    "greater_than_equal": N_("must be at least {ge}"), "greater_than": N_("must be above {gt}"),
    "less_than_equal": N_("must be at most {le}"), "less_than": N_("must be below {lt}"),
    "multiple_of": N_("must be a multiple of {multiple_of}"),
    "too_short": N_("needs at least {min_length} item(s)"), "too_long": N_("takes at most {max_length} item(s)"),
    "string_too_short": N_("needs at least {min_length} character(s)"),
    "string_too_long": N_("takes at most {max_length} character(s)"),
    "string_pattern_mismatch": N_("does not have the form {pattern}"),
    "date_type": _EXPECTED_DATE, "date_parsing": _EXPECTED_DATE, "date_from_datetime_parsing": _EXPECTED_DATE,
    "date_from_datetime_inexact": _EXPECTED_DATE,
    "union_tag_invalid": N_("{tag!r} is not one of {expected_tags}"),
    "union_tag_not_found": N_("needs the key {discriminator}"),
    "none_required": N_("takes no value"), "is_instance_of": N_("is not a value of the expected kind"),
}


def _in_words(kind: str, error: Any, path: Path) -> str:
    """The message of a pydantic error in the current language."""
    if kind not in _WORDS:  # apprule's own message (value_error, a custom type), or a type no scheme meets
        return str(error["msg"]).removeprefix("Value error, ")
    # pydantic lists the choices as 'a', 'b' or 'c'
    context = {name: str(value).replace("' or '", "'" + _(" or ") + "'") if isinstance(value, str) else value
               for name, value in (error.get("ctx") or {}).items()}
    return _(_WORDS[kind], key=path[-1] if path else "", **context)


def _translate(error: Any, src: Source) -> Problem:
    path = _data_path(src.data, error["loc"])
    kind = error["type"]
    code = _CODES.get(kind, "wrong-type" if kind.endswith("_type") or "parsing" in kind else "invalid-value")
    message = _in_words(kind, error, path)
    hint = None
    if kind == "extra_forbidden":
        hint = did_you_mean(str(path[-1] if path else ""), _all_keys())
    elif kind in ("duplicate_key", "bad_rank"):  # a key of a map: point at the key itself
        path = path + (error["ctx"]["key"],)
        return src.problem(code, message, path, None, src.locations.get(path))
    elif "input" in error and not isinstance(error["input"], (dict, list)) and kind != "value_error":
        message += _(" (got {value})", value=brief(error['input']))
    location = src.value_locations.get(path) if kind not in ("extra_forbidden", "missing") else None
    return src.problem(code, message, path, hint, location)


def _data_path(data: Any, loc: tuple[Any, ...]) -> Path:
    """Drop pydantic's union tags from ``loc`` so it names a place in the YAML."""
    path: list[str | int] = []
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(data, dict) and part in data:
            path.append(part)
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            path.append(part)
            data = data[part]
        elif last or (isinstance(data, dict) and part not in ("section", "block", "leaf")
                      and not str(part).startswith(("function-", "str", "int", "decimal"))):
            if isinstance(part, (str, int)) and part not in ("section", "block", "leaf"):
                path.append("from" if part == "from_" else part)
            if not last:
                break
    return tuple(path)


def _all_keys() -> set[str]:
    """Every key of the language: the models' fields (the shapes' models included) and the shapes' keys."""
    from ..evaluate.shapes import SHAPES
    from .model import Model

    keys: set[str] = set(SHAPES)
    models: list[type[Model]] = [Model]
    while models:
        model = models.pop()
        models += model.__subclasses__()
        keys.update(f.alias or name for name, f in model.model_fields.items())
    return keys


