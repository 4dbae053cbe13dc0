"""Facts given as columns (`Scheme.evaluate_columns`) score exactly as the same facts given unit by unit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import apprule
from apprule.io.read import read_facts

ROOT = Path(__file__).parents[2]
SHIPPED = sorted(p.stem for p in (ROOT / "src" / "apprule" / "schemes").glob("*.yaml"))


def as_table(facts: dict[str, dict[str, Any]]) -> dict[str, list[Any]]:
    names = sorted({name for given in facts.values() for name in given})
    return {"unit": list(facts), **{name: [given.get(name) for given in facts.values()] for name in names}}


def summary(evaluation: apprule.Evaluation) -> list[tuple[Any, ...]]:
    return [(u, r.total, r.rank, r.grade, r.would_be_rank, r.honours, r.flags, r.carried_over, dict(r.values))
            for u, r in evaluation.items()]


@pytest.mark.parametrize("scheme_id", SHIPPED)
def test_a_shipped_example_scores_the_same_from_columns(scheme_id: str) -> None:
    scheme = apprule.load_scheme(ROOT / "src" / "apprule" / "schemes" / f"{scheme_id}.yaml")
    facts = read_facts(ROOT / "src" / "apprule" / "examples" / f"{scheme_id}.facts.yaml", scheme).facts
    by_units = scheme.evaluate(facts)
    by_columns = scheme.evaluate_columns(as_table(facts))
    assert summary(by_columns) == summary(by_units)
    first = next(iter(by_units))
    assert by_columns[first].explain() == by_units[first].explain()


@pytest.fixture(scope="module")
def hebi() -> apprule.Scheme:
    return apprule.load_scheme(ROOT / "src" / "apprule" / "schemes" / "hebi_2021.yaml")


@pytest.fixture(scope="module")
def hebi_facts(hebi: apprule.Scheme) -> dict[str, dict[str, Any]]:
    return dict(read_facts(ROOT / "src" / "apprule" / "examples" / "hebi_2021.facts.yaml", hebi).facts)


def issues(scheme: apprule.Scheme, table: Any) -> list[str]:
    with pytest.raises(apprule.FactError) as caught:
        scheme.evaluate_columns(table)
    return [str(issue) for issue in caught.value.issues]


@pytest.mark.usefixtures("english")
def test_an_empty_cell_is_a_fact_not_given(hebi: apprule.Scheme, hebi_facts: dict[str, dict[str, Any]]) -> None:
    table = as_table(hebi_facts)
    table["party"][0] = None
    unit = table["unit"][0]
    assert issues(hebi, table) == [f"unit {unit!r}, fact 'party': missing-fact: required fact is missing"]


def test_a_bad_value_is_reported_as_for_units(hebi: apprule.Scheme, hebi_facts: dict[str, dict[str, Any]]) -> None:
    table = as_table(hebi_facts)
    table["party"][1] = "12分"
    given = {u: dict(f) for u, f in hebi_facts.items()}
    given[table["unit"][1]]["party"] = "12分"
    with pytest.raises(apprule.FactError) as by_units:
        hebi.evaluate(given)
    assert issues(hebi, table) == [str(i) for i in by_units.value.issues]
    assert len(by_units.value.issues) == 1


@pytest.mark.parametrize("table, expected", [
    ({"party": [1]}, "unit '': not-a-table: a table of facts is a mapping of column name to its values, "
                     "with a `unit` column"),
    ({"unit": ["a", "b"], "party": [1]}, "unit '', fact 'party': not-a-table: column 'party' has 1 values, "
                                         "the `unit` column 2"),
    ({"unit": ["a"], "party": "1"}, "unit '', fact 'party': not-a-table: column 'party' is not a sequence of values"),
    ({"unit": ["a", "a"]}, "unit 'a': duplicate-unit: the table names this unit 2 times"),
])
@pytest.mark.usefixtures("english")
def test_a_malformed_table_is_named(hebi: apprule.Scheme, table: Any, expected: str) -> None:
    assert issues(hebi, table) == [expected]


def test_rows_in_any_order_give_the_same_results(hebi: apprule.Scheme,
                                                 hebi_facts: dict[str, dict[str, Any]]) -> None:
    table = as_table(hebi_facts)
    backwards = {name: column[::-1] for name, column in table.items()}
    assert summary(hebi.evaluate_columns(backwards)) == summary(hebi.evaluate_columns(table))
