"""`apprule schema`: draft-07, generated from the models, shipped in the package and in docs/, equal everywhere."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from apprule.io.schema import editor_schema, schema_text, shipped_schema_path
from apprule.scheme.yamlsource import read_yaml

from conftest import DATA, ROOT, run

DOCS_SCHEMA = ROOT / "docs" / "apprule.schema.json"
SCHEMES = sorted((ROOT / "src" / "apprule" / "schemes").glob("*.yaml"))
LINE = "# yaml-language-server: $schema=../io/apprule.schema.json"  # the copy shipped beside them in the package


def test_schema_command_prints_the_generated_schema() -> None:
    result = run("schema")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == editor_schema()


def test_the_schema_is_draft_07() -> None:
    schema = editor_schema()
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    jsonschema.Draft7Validator.check_schema(schema)
    assert "$defs" not in json.dumps(schema)


def test_docs_copy_and_shipped_copy_equal_the_generated_schema() -> None:
    text = schema_text()
    assert DOCS_SCHEMA.read_text(encoding="utf-8") == text, "regenerate: apprule schema -o docs/apprule.schema.json"
    assert shipped_schema_path().read_text(encoding="utf-8") == text, (
        "regenerate: apprule schema -o src/apprule/io/apprule.schema.json")


def test_schema_path_names_the_shipped_file() -> None:
    result = run("schema", "--path")
    assert Path(result.stdout.strip()) == shipped_schema_path() and shipped_schema_path().is_file()


def test_every_key_carries_a_chinese_description() -> None:
    schema = editor_schema()
    bare = []
    for name, definition in [("(root)", schema), *schema["definitions"].items()]:
        for key, prop in definition.get("properties", {}).items():
            text = prop.get("description", "")
            if not any("\u4e00" <= ch <= "\u9fff" for ch in text):
                bare.append(f"{name}.{key}")
    assert not bare, f"keys without a Chinese description (add one in the model or GLOSSARY): {bare}"


def _as_editor_reads(value: Any) -> Any:
    """YAML data as the YAML language server hands it to the schema: dates and keys are strings."""
    if isinstance(value, dict):
        return {str(k): _as_editor_reads(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_editor_reads(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


@pytest.mark.parametrize("path", [*SCHEMES, DATA / "tiny.yaml"], ids=lambda p: p.name)
def test_every_shipped_scheme_validates_against_the_schema(path: Path) -> None:
    data = _as_editor_reads(read_yaml(path.read_text(encoding="utf-8"), str(path)).data)
    error = jsonschema.exceptions.best_match(jsonschema.Draft7Validator(editor_schema()).iter_errors(data))
    assert error is None, f"{list(error.absolute_path)}: {error.message[:500]}"


@pytest.mark.parametrize("path", SCHEMES, ids=lambda p: p.name)
def test_shipped_schemes_point_editors_at_the_schema(path: Path) -> None:
    assert path.read_text(encoding="utf-8").splitlines()[0] == LINE


def test_the_schema_catches_a_misspelled_key() -> None:
    data = _as_editor_reads(read_yaml((DATA / "tiny.yaml").read_text(encoding="utf-8"), "tiny").data)
    data["groups"][0]["sections"][0]["maxx"] = 1
    # not only "not valid under any of the given schemas": an error of its own names the key and the allowed ones
    found = [e for e in _all_errors(jsonschema.Draft7Validator(editor_schema()).iter_errors(data))
             if e.validator == "enum" and list(e.absolute_path) == ["groups", 0, "sections", 0]]
    assert [e.message.split(" [")[0] for e in found] == ["'maxx' is not one of"]
    allowed = found[0].validator_value
    assert {"max", "items", "rules", "score", "use"} <= set(allowed) and allowed == sorted(allowed)


def _all_errors(errors: Any) -> Any:
    for error in errors:
        yield error
        yield from _all_errors(error.context)


def test_there_are_shipped_schemes() -> None:
    assert SCHEMES, "no schemes/*.yaml found"
