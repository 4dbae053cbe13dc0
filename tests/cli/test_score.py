"""`apprule score`: the ranked table, complete stable JSON, CSV and XLSX read back; exit codes."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from rich.cells import cell_len

from conftest import DATA, ROOT, TINY, TINY_FACTS, run


def test_table_ranked_per_group_with_wide_characters_aligned() -> None:
    result = run("--lang", "zh", "score", TINY, TINY_FACTS)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.index("乡镇  满分 100(加减分另计)") < out.index("部门  满分 90")  # labels, not ids
    rows = [line for line in out.splitlines() if "东镇" in line or "西镇" in line or "南镇" in line]
    assert [r.split()[0] for r in rows] == ["1", "2", "—"]  # the vetoed unit is scored but not ranked
    assert "一票否决" in rows[2]
    # totals are right-aligned: they end in the same terminal column whatever the width of the names
    units = json.loads(run("score", TINY, TINY_FACTS, "--format", "json").stdout)["units"]
    totals = [units[name]["total"] for name in ("东镇", "西镇", "南镇")]
    assert totals == ["97.00", "82.00", "83.00"]  # the scheme's default places: 2
    ends = {cell_len(r[: r.rindex(" " + total) + 1 + len(total)]) for r, total in zip(rows, totals)}
    assert len(ends) == 1
    header = next(line for line in out.splitlines() if "排名" in line and "单位" in line)
    assert all(h in header for h in ("总分", "等次", "荣誉", "标记", "序列"))
    assert not any(line != line.rstrip() for line in out.splitlines())


def test_group_option_limits_the_output() -> None:
    result = run("score", TINY, TINY_FACTS, "--group", "depts")
    assert result.exit_code == 0
    assert "部门" in result.stdout and "乡镇" not in result.stdout
    assert run("score", TINY, TINY_FACTS, "--group", "部门").stdout == result.stdout  # the label the heading shows


def test_unknown_group_is_a_usage_error() -> None:
    result = run("score", TINY, TINY_FACTS, "--group", "townz")
    assert result.exit_code == 2 and "did you mean 'towns'" in result.stderr


def test_json_is_complete_and_carries_decimals_as_strings() -> None:
    result = run("score", TINY, TINY_FACTS, "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    east = data["units"]["东镇"]
    assert Decimal(east["total"]) == 97 and east["rank"] == 1 and east["sequence"] == "north"
    assert Decimal(east["values"]["done_s"]) == Decimal("9.5") and Decimal(east["values"]["award"]) == 2
    assert {line["id"] for line in east["sections"]} == {"party_s", "work_s", "done_s"}
    assert east["trace"]["children"][0]["id"] == "total"
    assert data["units"]["南镇"]["rank"] is None and data["units"]["南镇"]["vetoes"] == ["一票否决"]
    assert data["groups"]["towns"]["order"][0] == "东镇"

    def numbers(value: object) -> list[object]:
        if isinstance(value, dict):
            return [n for v in value.values() for n in numbers(v)]
        if isinstance(value, list):
            return [n for v in value for n in numbers(v)]
        return [value] if isinstance(value, float) else []

    assert numbers(data) == []  # no float anywhere: every decimal is a string


def test_json_is_stable_whatever_the_order_of_units_and_keys(tmp_path: Path) -> None:
    lines = TINY_FACTS.read_text(encoding="utf-8").splitlines()
    shuffled = tmp_path / "shuffled.yaml"
    shuffled.write_text("\n".join(reversed(lines)) + "\n", encoding="utf-8")
    first = run("score", TINY, TINY_FACTS, "--format", "json").stdout
    assert run("score", TINY, shuffled, "--format", "json").stdout == first
    assert run("score", TINY, TINY_FACTS, "--format", "json").stdout == first


def test_json_facts_keep_every_digit(tmp_path: Path) -> None:
    facts = json.loads(json.dumps({
        "东镇": {"party": "45", "work": 36.5, "done": "0.95", "grade_in": "好", "projects": 2},
        "西镇": {"party": 40, "work": "30", "done": "90%", "grade_in": "中", "projects": 5},
        "南镇": {"party": 42, "work": 33, "done": 1, "grade_in": "差", "projects": 0, "veto": True},
        "007": {"group": "depts", "party": 44, "work": 35}}, ensure_ascii=False))
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(facts, ensure_ascii=False).replace('"work": 35', '"work": 34.999999999999999999'),
                    encoding="utf-8")
    data = json.loads(run("score", TINY, path, "--format", "json").stdout)
    assert data["units"]["007"]["values"]["work_d"] == "34.999999999999999999"
    assert data["units"]["007"]["total"] == "78.999999999999999999"


def test_csv_has_a_bom_and_reads_back(tmp_path: Path) -> None:
    out = tmp_path / "results.csv"
    result = run("--lang", "zh", "score", TINY, TINY_FACTS, "--output", out)  # the format follows the file's ending
    assert result.exit_code == 0 and result.stdout == ""
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    by_unit = {row["单位 [unit]"]: row for row in rows}
    assert list(by_unit) == ["东镇", "西镇", "南镇", "财政局", "007"]  # ranked within each group
    assert by_unit["东镇"]["总分 [total]"] == "97.00" and by_unit["东镇"]["排名 [rank]"] == "1"
    assert by_unit["东镇"]["任务完成 [done_s]"] == "9.50"
    assert by_unit["南镇"]["排名 [rank]"] == "" and by_unit["南镇"]["标记 [flags]"] == "一票否决"
    assert by_unit["007"]["组别 [group]"] == "部门"  # the group's label; the leading zeros of 007 stay


def test_csv_to_stdout() -> None:
    result = run("score", TINY, TINY_FACTS, "--format", "csv")
    assert result.stdout_bytes.startswith(b"\xef\xbb\xbf")


def test_xlsx_has_a_sheet_per_group_and_the_breakdown(tmp_path: Path) -> None:
    out = tmp_path / "results.xlsx"
    result = run("--lang", "zh", "score", TINY, TINY_FACTS, "--format", "xlsx", "--output", out)
    assert result.exit_code == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["乡镇", "部门", "明细", "结果运用"]
    towns = list(book["乡镇"].iter_rows(values_only=True))
    head = towns[0]
    east = dict(zip(head, towns[1]))
    assert east["单位 [unit]"] == "东镇" and east["总分 [total]"] == 97 and east["排名 [rank]"] == 1
    assert east["任务完成 [done_s]"] == 9.5
    depts = list(book["部门"].iter_rows(values_only=True))
    assert [row[3] for row in depts[1:] if row[3]] == ["财政局", "007"]
    breakdown = list(book["明细"].iter_rows(values_only=True))
    assert breakdown[0][:5] == ("单位", "组别", "层级", "编号", "项目")
    award = next(row for row in breakdown if row[0] == "东镇" and row[3] == "award")
    assert award[6] == "四(三)" and award[7] == 2
    outcomes = list(book["结果运用"].iter_rows(values_only=True))
    assert outcomes[0][:6] == ("单位", "组别", "类别", "编号", "内容", "依据")
    assert [row[:5] for row in outcomes[1:] if row[3] == "v"] == [("南镇", "乡镇", "一票否决", "v", "一票否决")]


def test_xlsx_to_a_terminal_is_refused_but_a_pipe_is_fine() -> None:
    result = run("score", TINY, TINY_FACTS, "--format", "xlsx")
    assert result.exit_code == 0 and result.stdout_bytes[:2] == b"PK"  # the runner's stdout is not a terminal


def test_an_unknown_facts_format_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "facts.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    result = run("score", TINY, path)
    assert result.exit_code == 2 and ".xlsx" in result.stderr


def test_a_broken_scheme_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(TINY.read_text(encoding="utf-8").replace("max: 50, score: party", "max: 50, scor: party"),
                   encoding="utf-8")
    result = run("score", bad, TINY_FACTS)
    assert result.exit_code == 2 and "unknown-key" in result.stderr and result.stdout == ""


def test_bad_facts_exit_1_and_name_the_line(tmp_path: Path) -> None:
    text = TINY_FACTS.read_text(encoding="utf-8").replace("party: 40,", "party: -4,").replace("work: 33", "wrok: 33")
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    result = run("score", TINY, path)
    assert result.exit_code == 1 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert any(line.startswith(f"{path}:2:") and "out-of-range" in line and "西镇" in line for line in lines)
    assert any(line.startswith(f"{path}:3:") and "unknown-fact" in line for line in lines)
    assert any(line.strip() == "^" for line in lines)


def test_a_unit_id_read_as_a_number_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "facts.yaml"
    path.write_text(TINY_FACTS.read_text(encoding="utf-8").replace('"007":', "007:"), encoding="utf-8")
    result = run("score", TINY, path)
    assert result.exit_code == 1 and "unit-as-number" in result.stderr and "quote it" in result.stderr


def test_a_roster_unit_missing_from_the_facts(tmp_path: Path) -> None:
    lines = [line for line in TINY_FACTS.read_text(encoding="utf-8").splitlines() if not line.startswith("西镇")]
    path = tmp_path / "partial.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("score", TINY, path)
    assert result.exit_code == 1 and "missing-unit" in result.stderr and "西镇" in result.stderr
    result = run("score", TINY, path, "--partial")
    assert result.exit_code == 0 and "西镇" in result.stderr and "西镇" not in result.stdout


def test_a_yaml_syntax_error_in_the_facts_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("东镇: {party: 45\n", encoding="utf-8")
    result = run("score", TINY, path)
    assert result.exit_code == 1 and result.stderr.startswith(f"{path}:")


def test_json_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"东镇": {"party": 45,}}', encoding="utf-8")
    result = run("score", TINY, path)
    assert result.exit_code == 1 and f"{path}:1:" in result.stderr and "json-syntax" in result.stderr


EXAMPLES = sorted(p.name.removesuffix(".facts.yaml") for p in (ROOT / "src" / "apprule" / "examples").glob("*.facts.yaml"))


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_shipped_example_scores(name: str, tmp_path: Path) -> None:
    scheme = ROOT / "src" / "apprule" / "schemes" / f"{name}.yaml"
    facts = ROOT / "src" / "apprule" / "examples" / f"{name}.facts.yaml"
    if not scheme.exists():
        pytest.skip(f"no scheme for {facts.name}")
    table = run("score", scheme, facts)
    assert table.exit_code == 0, table.stderr
    data = json.loads(run("score", scheme, facts, "--format", "json").stdout)
    assert len(data["units"]) >= 1
    out = tmp_path / "r.xlsx"
    assert run("score", scheme, facts, "-o", out).exit_code == 0
    assert "明细" in openpyxl.load_workbook(out).sheetnames


def test_data_dir_fixture_exists() -> None:
    assert (DATA / "tiny.yaml").is_file()


def test_csv_text_never_runs_as_a_formula() -> None:
    from apprule.io.write import _inert
    assert _inert("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert _inert("@SUM(A1)") == "'@SUM(A1)" and _inert("-cmd") == "'-cmd"
    assert _inert("-2.5") == "-2.5" and _inert("+3") == "+3" and _inert("东镇") == "东镇"


def test_a_score_above_its_items_maximum_is_named_where_the_file_gives_it(tmp_path: Path) -> None:
    """北票 税收收入 is a 12-point item: 1200 typed for 12.00 is over-max, at the line the office typed it."""
    text = (ROOT / "src" / "apprule" / "examples" / "beipiao_2017.facts.yaml").read_text(encoding="utf-8")
    assert text.splitlines()[5] == "  tax_revenue_score: 9.9"  # 长皋乡's, line 6
    path = tmp_path / "facts.yaml"
    path.write_text(text.replace("  tax_revenue_score: 9.9\n", "  tax_revenue_score: 1200\n", 1), encoding="utf-8")
    result = run("--lang", "en", "score", ROOT / "src" / "apprule" / "schemes" / "beipiao_2017.yaml", path)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.splitlines()[0] == (
        f"{path}:6:22: over-max: unit '长皋乡', rule 'tax_revenue': the fact 'tax_revenue_score' is 1200, above the "
        "rule's maximum 12; a value beyond the maximum is refused, not cut to it (a rule whose document caps the value "
        "says over_max: clamp)")


def test_an_event_outside_the_period_is_named_by_its_facts_label_in_chinese() -> None:
    """赫山's example: 金银山街道办事处's second commendation is dated 2014-01-10, after 2013: the note names the
    events by their label (the office's words), not by the id `commendations`."""
    result = run("score", "heshan_2013", "example")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [
        "注意:金银山街道办事处:“履行单位法定职能受到的表彰 (含区委、区政府受表彰时作为该项工作主要承办单位), "
        "经区绩效办核实”第2个事件(日期2014-01-10)在考核期之后:转入下一考核期(考核期2013-01-01..2013-12-31)"]


def test_events_outside_the_period_are_reported_never_dropped_unsaid(tmp_path: Path) -> None:
    """An award typed with the wrong year counts nowhere this year: the table says so on stderr, per unit,
    and the JSON carries it in `outside_period` (with `carried_over` for the one after the period)."""
    facts = tmp_path / "facts.yaml"
    facts.write_text(TINY_FACTS.read_text(encoding="utf-8").replace(
        "date: 2021-06-30}", "date: 2021-06-30}, {level: 市级, matter: 敬老, date: 2022-06-30}, "
        "{level: 市级, matter: 旧事, date: 2020-12-31}"), encoding="utf-8")
    table = run("score", TINY, facts)
    assert table.exit_code == 0, table.stderr
    assert table.stderr.splitlines() == [
        "note: 东镇: event 2 of 表彰奖励, dated 2022-06-30, is after the period: carried over to the next "
        "(2021-01-01..2021-12-31)",
        "note: 东镇: event 3 of 表彰奖励, dated 2020-12-31, is before the period: not counted (counted in its own) "
        "(2021-01-01..2021-12-31)"]
    result = run("score", TINY, facts, "--format", "json")
    assert result.exit_code == 0 and result.stderr == ""
    east = json.loads(result.stdout)["units"]["东镇"]
    assert Decimal(east["values"]["award"]) == 2  # only the 省级 award of 2021-06-30
    assert east["outside_period"] == [
        {"fact": "awards", "number": 2, "date": "2022-06-30", "when": "after",
         "event": {"level": "市级", "matter": "敬老", "date": "2022-06-30", "carried_from": None}},
        {"fact": "awards", "number": 3, "date": "2020-12-31", "when": "before",
         "event": {"level": "市级", "matter": "旧事", "date": "2020-12-31", "carried_from": None}}]
    # what is carried over names this period: pasted into next year's list it is counted there
    assert east["carried_over"] == [{"fact": "awards", "event": {
        "level": "市级", "matter": "敬老", "date": "2022-06-30", "carried_from": "tiny 2021-01-01..2021-12-31"}}]
    assert json.loads(result.stdout)["units"]["西镇"]["outside_period"] == []


def test_a_carried_over_event_pasted_into_the_next_facts_is_counted_and_explained(tmp_path: Path) -> None:
    """The JSON's `carried_over` event, as it is, in a unit's list: counted though dated before the period."""
    facts = tmp_path / "facts.yaml"
    facts.write_text(TINY_FACTS.read_text(encoding="utf-8").replace(
        "date: 2021-06-30}", "date: 2021-06-30}, {level: 市级, matter: 敬老, date: 2020-12-30, "
        "carried_from: tiny 2020-01-01..2020-12-31}"), encoding="utf-8")
    result = run("score", TINY, facts, "--format", "json")
    assert result.exit_code == 0 and result.stderr == ""
    east = json.loads(result.stdout)["units"]["东镇"]
    assert Decimal(east["values"]["award"]) == 3 and east["outside_period"] == []  # 省级 2 + carried in 市级 1
    explained = run("explain", TINY, facts, "东镇")
    assert "event #2 dated 2020-12-30: carried in from tiny 2020-01-01..2020-12-31, counted in this period" \
        in explained.stdout
