"""mkdocs hook: the DSL reference's key tables, generated from the editor's JSON Schema (apprule schema).

A page line ``<!-- schema-keys -->`` becomes a table per part of a scheme (the top level first,
then each definition), one row per key with its description: the hover text an editor shows,
so the site and the editor say the same. tests/test_docs_site.py checks the built page.
"""

from __future__ import annotations

from typing import Any

MARKER = "<!-- schema-keys -->"


def on_page_markdown(markdown: str, **_: Any) -> str:
    if MARKER not in markdown:
        return markdown
    return markdown.replace(MARKER, key_tables())


def key_tables() -> str:
    from apprule.io.schema import editor_schema

    schema = editor_schema()
    parts = [("scheme (the top level)", schema), *sorted(schema["definitions"].items())]
    out = []
    for name, definition in parts:
        properties = definition.get("properties", {})
        if not properties:
            continue
        required = set(definition.get("required", ()))
        out += [f"## {name}", "", _cell(definition.get("description", "")), "",
                "| key | required | description |", "|---|---|---|"]
        out += [f"| `{key}` | {'yes' if key in required else ''} | {_cell(prop.get('description', ''))} |"
                for key, prop in sorted(properties.items())]
        out.append("")
    return "\n".join(out)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")
