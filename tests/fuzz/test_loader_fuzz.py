"""Fuzz the loader: arbitrary text, arbitrary YAML shapes and mutations of a valid scheme."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from apprule.scheme.yamlsource import read_yaml
from fuzzkit import finishes_within, load_or_located_error

MINI = Path(__file__).parents[1] / "language" / "mini.yaml"
MINI_DATA = read_yaml(MINI.read_text(encoding="utf-8"), str(MINI)).data

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**30), 10**30), st.integers(),
    st.decimals(allow_nan=False, allow_infinity=False).map(lambda d: float(d) if abs(d) < 10**300 else 0),
    st.text(max_size=20), st.sampled_from(["", "  ", "0", "-1", "1e999999", "NaN", ".inf", "~", "yes", "no",
                                           "2021-02-30", "__import__", "数字", "\u202e", "\x00", "a" * 3000]),
)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)), max_leaves=20)


def to_text(data: Any) -> str:
    """JSON is YAML 1.2: a faithful way to write any generated shape as scheme text."""
    return json.dumps(data, ensure_ascii=False, default=str) + "\n"


@settings(max_examples=40)
@given(st.text(max_size=300))
def test_arbitrary_text(text: str) -> None:
    load_or_located_error(text + "\n")


@settings(max_examples=30)
@given(values)
def test_arbitrary_yaml_shapes(data: Any) -> None:
    load_or_located_error(to_text(data))


@settings(max_examples=20)
@given(st.integers(1, 80), st.sampled_from(["[", "{a: ", "- "]))
def test_deep_nesting(depth: int, opener: str) -> None:
    if opener == "- ":
        text = "".join("  " * i + "- \n" for i in range(depth)) + "  " * depth + "x\n"
    else:
        text = opener * depth + "1" + ("]" if opener == "[" else "}") * depth + "\n"
    load_or_located_error(text)


def test_nested_mappings_as_keys_do_not_hang() -> None:
    assert finishes_within(4, 'from fuzzkit import load_or_located_error\n'
                              'load_or_located_error("{" * 30 + "1" + "}" * 30 + "\\n")')


def _paths(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(data, dict):
        for k, v in data.items():
            found += _paths(v, path + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            found += _paths(v, path + (i,))
    return found


PATHS = [p for p in _paths(MINI_DATA) if p]


@settings(max_examples=60)
@given(st.lists(st.tuples(st.sampled_from(PATHS), st.sampled_from(["replace", "delete", "add"]), values,
                          st.text(min_size=1, max_size=8)), min_size=1, max_size=3))
def test_mutations_of_a_valid_scheme(mutations: list[tuple[tuple[Any, ...], str, Any, str]]) -> None:
    data = copy.deepcopy(MINI_DATA)
    for path, how, value, key in mutations:
        parent: Any = data
        try:
            for part in path[:-1]:
                parent = parent[part]
            last = path[-1]
            if how == "replace":
                parent[last] = value
            elif how == "delete":
                del parent[last]
            elif isinstance(parent[last], dict):
                parent[last][key] = value
            elif isinstance(parent[last], list):
                parent[last].append(value)
        except (KeyError, IndexError, TypeError):
            continue
    load_or_located_error(to_text(_plain(data)))


def _plain(data: Any) -> Any:
    if isinstance(data, dict):
        return {str(k): _plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_plain(v) for v in data]
    if isinstance(data, Decimal):
        return int(data) if data == data.to_integral_value() else float(data)
    return data


def test_a_huge_file_is_refused_with_a_location() -> None:
    load_or_located_error("a: '" + "x" * 2_100_000 + "'\n")


def test_an_alias_bomb_is_refused_with_a_location() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, "
              f"*a{i-1}]" for i in range(1, 9)]
    load_or_located_error("\n".join(lines) + "\n")


def test_python_tags_are_refused_with_a_location() -> None:
    load_or_located_error("dsl: !!python/object/apply:os.system ['echo hi']\n")
