"""Build small schemes around a few rules, so each test states only what it is about."""

from __future__ import annotations

import textwrap
from typing import Any

import apprule

HEAD = """\
dsl: 1
id: t
title: 测试方案
issuer: 测试
date: 2021-01-01
period: {kind: year, start: 2021-01-01, end: 2021-12-31}
"""


def scheme(facts: str, rules: str = "", *, group: str = "", sections: str = "") -> apprule.Scheme:
    """A one-group scheme: ``facts`` and ``rules`` (adjustments) or ``sections`` are YAML fragments."""
    text = HEAD + "facts:\n" + textwrap.indent(textwrap.dedent(facts), "  ")
    text += "groups:\n  - id: g\n    label: 组\n"
    if group:
        text += textwrap.indent(textwrap.dedent(group), "    ")
    if sections:
        text += "    sections:\n" + textwrap.indent(textwrap.dedent(sections), "      ")
    if rules:
        text += "    adjustments:\n      id: adj\n      label: 加减分\n      rules:\n"
        text += textwrap.indent(textwrap.dedent(rules), "        ")
    return apprule.load_scheme(text, name="t.yaml")


def units(**facts: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: {"group": "g", **f} for name, f in facts.items()}


def value(s: apprule.Scheme, node: str, **facts: Any) -> Any:
    """The value of ``node`` for one unit with ``facts``."""
    return s.evaluate({"u": {"group": "g", **facts}})["u"].values[node]
