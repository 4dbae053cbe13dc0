"""Each shipped scheme asks for no event field its document never scores (issue 16).

A field is read when a rule's `for_each` reads it (`where`, `key`, the value's formula, table or bands), when a
`checks` test or another field's `required_when` reads it, or when it dates the events (`dated_by`). Any other
field (a project's name, an incident's kind) must be optional: the office may not hold it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import apprule
from apprule.expressions import parse
from apprule.scheme.model import Fact, SchemeDefinition
from apprule.testing.edges import leaves

SCHEMES = sorted((Path(__file__).parents[1] / "src" / "apprule" / "schemes").glob("*.yaml"))


def _read_fields(definition: SchemeDefinition, name: str, fact: Fact) -> set[str]:
    fields = list(fact.fields or {})
    texts = [c.test for c in fact.checks] + [f.required_when for f in (fact.fields or {}).values() if f.required_when]
    read = {fact.dated_by} if fact.dated_by else set()
    for group in definition.groups:
        nodes = [*group.sections, *group.derived, *([group.adjustments] if group.adjustments else [])]
        for leaf in leaves(nodes):
            each = leaf.spec
            if leaf.shape != "for_each" or each.events != name:
                continue
            value = each.value
            texts += [t for t in (each.where, value.formula, value.table and value.table.of,
                                  value.bands and value.bands.of) if t]
            read |= {each.key} if each.key else set()
    for text in texts:
        read |= parse(text, fields).names
    return read


@pytest.mark.parametrize("path", SCHEMES, ids=lambda p: p.stem)
def test_every_required_event_field_is_read(path: Path) -> None:
    definition = apprule.load_scheme(path).definition
    unread = []
    for name, fact in definition.facts.items():
        if fact.type != "events":
            continue
        read = _read_fields(definition, name, fact)
        unread += [f"{name}.{field}" for field, spec in (fact.fields or {}).items()
                   if spec.required and spec.default is None and field not in read]
    assert unread == [], f"required but never read: {unread}"


def test_the_check_finds_an_unread_required_field(tmp_path: Path) -> None:
    text = (SCHEMES[0].read_text(encoding="utf-8")
            .replace("name: {type: text, label: 项目名称(不计分), required: false}", "name: {type: text, label: 项目名称}"))
    assert "项目名称}" in text  # 北票's introduced_projects.name, made required
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AssertionError, match=r"introduced_projects\.name"):
        test_every_required_event_field_is_read(path)
