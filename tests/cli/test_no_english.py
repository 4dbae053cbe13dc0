"""No English word reaches a Chinese reader (issue 18): every shipped scheme says `language: zh`, so what
`apprule score`, `explain`, `facts`, `check` and `test` print, and the CSV, XLSX and templates they write, hold
Chinese words, ids, codes, numbers, file names and units only (``english.english_words``); so do the readings
`apprule readings` lists, which are the scheme's own words.

The suite's environment says English (tests/conftest.py), so these outputs are in Chinese because the scheme
says so, as an office running apprule on an English machine would see them.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import sys
from pathlib import Path

import openpyxl
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from conftest import run  # noqa: E402
from english import cells_text, english_words, scheme_names  # noqa: E402

from apprule import load_scheme, read_facts  # noqa: E402
from apprule.io.template import facts_table  # noqa: E402
from apprule.shipped import resolve_facts, scheme_ids  # noqa: E402

SCHEMES = scheme_ids()


@functools.cache
def names(scheme: str) -> frozenset[str]:
    return frozenset(scheme_names(load_scheme(scheme)))


def assert_chinese(text: str, scheme: str, where: str) -> None:
    leaked = english_words(text, names(scheme))
    assert leaked == [], f"{where} of {scheme} says English: {sorted(set(leaked))}"


def printed(*args: str | Path) -> str:
    """What a successful run shows: its output and its notes on stderr (events outside the period, deferred
    values), both for the reader."""
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    return result.stdout + result.stderr


#: how the header of a column of ids ends (明细's and 结果运用's 编号, 结果运用's 规则编号: a rule's id, ``total``,
#: ``rank`` and ``grade`` included)
ID_COLUMN = "编号"


def workbook_text(path: Path) -> str:
    """Every sheet's name and text cells, but the cells of an id column."""
    book = openpyxl.load_workbook(path)
    texts = [*book.sheetnames]
    for ws in book.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        ids = [c for c, head in enumerate(rows[0] if rows else ()) if isinstance(head, str) and head.endswith(ID_COLUMN)]
        texts.append(cells_text([cell for c, cell in enumerate(row) if c not in ids] for row in rows))
    return "\n".join(texts)


def csv_text(path: Path) -> str:
    return cells_text(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def json_text(value: object) -> str:
    """The text values of a JSON document, a line each; its keys are names a program reads (and a choice's id)."""
    if isinstance(value, dict):
        return "\n".join(json_text(item) for item in value.values())
    if isinstance(value, list):
        return "\n".join(json_text(item) for item in value)
    return value if isinstance(value, str) else ""


def test_the_finder_finds_english_and_leaves_ids_codes_numbers_files_and_units() -> None:
    names = scheme_names(load_scheme("hebi_2021"))
    text = ("not-a-number: 海河街道办事处 [total] gdp 58.8亿元 1e5 wrote /tmp/结果.xlsx "
            "tests/schemes/hebi_2021/cases.yaml --format condition does not hold, yes/no 30.5 / 30")
    assert english_words(text, names) == ["wrote", "condition", "does", "not", "hold", "yes", "no"]


@pytest.mark.parametrize("scheme", SCHEMES)
def test_score_in_every_format_people_read(scheme: str, tmp_path: Path) -> None:
    assert_chinese(printed("score", scheme, "example"), scheme, "apprule score")
    for ending, read in ((".csv", csv_text), (".xlsx", workbook_text)):
        path = tmp_path / f"结果{ending}"
        printed("score", scheme, "example", "-o", path)
        assert_chinese(read(path), scheme, f"the {ending} results")


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_units_explanation(scheme: str) -> None:
    loaded = load_scheme(scheme)
    evaluation = loaded.evaluate(read_facts(resolve_facts("example", scheme), loaded).facts)
    for unit in evaluation:
        assert_chinese(evaluation[unit].explain(), scheme, f"the explanation of {unit}")
    first = next(iter(evaluation))
    assert_chinese(printed("explain", scheme, "example", first), scheme, "apprule explain")


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_facts_and_every_template(scheme: str, tmp_path: Path) -> None:
    printed("facts", scheme)  # the table wraps long cells inside words (dat|e:): its rows are what it shows
    assert_chinese(cells_text(facts_table(load_scheme(scheme))), scheme, "apprule facts")
    assert_chinese(printed("facts", scheme, "--format", "yaml"), scheme, "the YAML template")
    for ending, read in ((".csv", csv_text), (".xlsx", workbook_text)):
        path = tmp_path / f"模板{ending}"
        printed("facts", scheme, "-o", path)
        assert_chinese(read(path), scheme, f"the {ending} template")


@pytest.mark.parametrize("scheme", SCHEMES)
def test_readings_in_every_format(scheme: str) -> None:
    """Each question, its answer or its choices' labels, and in JSON the reasons for each choice: the scheme's own
    words, so Chinese ones; and apprule's count of them at the end."""
    assert_chinese(printed("readings", scheme), scheme, "apprule readings")
    data = json.loads(printed("readings", scheme, "--format", "json"))
    assert data and all(r["question"] for r in data)
    assert_chinese(json_text(data), scheme, "apprule readings --format json")


@pytest.mark.parametrize("scheme", SCHEMES)
def test_check(scheme: str) -> None:
    assert_chinese(printed("check", scheme), scheme, "apprule check")


@pytest.mark.parametrize("scheme", SCHEMES)
def test_test_verdicts_and_differences(scheme: str, tmp_path: Path) -> None:
    """The scheme's first worked case with a total, as it is (通过) and with its total wrong (未通过, a diff); the
    descriptions are the case file's own words, so Chinese ones; the keys a case file states are its ids."""
    from apprule.cases import _RESULT_KEYS
    from apprule.scheme.yamlsource import read_yaml

    shipped = Path(__file__).parents[1] / "schemes" / scheme / "cases.yaml"
    data = read_yaml(shipped.read_text(encoding="utf-8"), str(shipped)).data
    case = next(c for c in data["cases"] if any("total" in (e or {}) for e in (c.get("expect") or {}).values()))
    unit = next(u for u, e in case["expect"].items() if "total" in (e or {}))
    wrong = {**case, "description": "总分写错", "expect": {unit: {"total": str(case["expect"][unit]["total"]) + "1"}}}
    file = tmp_path / "cases.yaml"
    file.write_text(json.dumps({"scheme": scheme, "cases": [{**case, "description": "原样"}, wrong]},
                               ensure_ascii=False, default=str), encoding="utf-8")
    result = run("test", file)
    assert result.exit_code == 1 and "未通过" in result.stdout, result.output
    leaked = english_words(result.stdout, names(scheme) | set(_RESULT_KEYS))
    assert leaked == [], f"apprule test of {scheme} says English: {sorted(set(leaked))}"


@pytest.mark.parametrize("scheme", SCHEMES)
def test_diff_of_two_choices(scheme: str, tmp_path: Path) -> None:
    """The scheme's first switchable reading, its default against each other choice: the lines, the table and
    the workbook."""
    reading = next(r for r in load_scheme(scheme).definition.readings if r.choices)
    default = next(name for name, c in (reading.choices or {}).items() if c.default)
    for other in set(reading.choices or {}) - {default}:
        ways = ("--reading", f"{reading.id}={other}", "--against-reading", f"{reading.id}={default}")
        assert_chinese(printed("diff", scheme, "example", *ways), scheme, "apprule diff")
        path = tmp_path / "对比.xlsx"
        printed("diff", scheme, "example", *ways, "-o", path)
        assert_chinese(workbook_text(path), scheme, "the diff's workbook")
