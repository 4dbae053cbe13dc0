"""The round trip of a period: what it defers (转入下年度) and carries over is listed, and `--carried-in LAST.json`
takes last period's carried-over items into the next; a bad item is named by file, unit and item number."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import TINY, TINY_FACTS, run

#: tiny's 新引进项目 may be deferred, counting 0 this period
DEFERRABLE = TINY.read_text(encoding="utf-8").replace(
    "projects: {type: count, label: 新引进项目}", "projects: {type: count, label: 新引进项目, deferred: 0}")
#: 东镇's 2021 facts with a 市级 award dated 2022-01-15 (carried over to 2022) and its projects deferred
FACTS_2021 = TINY_FACTS.read_text(encoding="utf-8").replace(
    "projects: 2, awards: [{level: 省级, matter: 招商, date: 2021-06-30}]",
    "projects: 转入下年度, awards: [{level: 省级, matter: 招商, date: 2021-06-30}, "
    "{level: 市级, matter: 敬老, date: 2022-01-15}]")
FACTS_2022 = TINY_FACTS.read_text(encoding="utf-8").replace("2021-06-30", "2022-03-01")


@pytest.fixture
def last(tmp_path: Path) -> dict[str, Path]:
    """2021's scheme, facts and JSON results; 2022's scheme (the same, a year on) and facts."""
    paths = {"scheme": tmp_path / "tiny21.yaml", "facts": tmp_path / "f21.yaml", "results": tmp_path / "r21.json",
             "next": tmp_path / "tiny22.yaml", "next_facts": tmp_path / "f22.yaml"}
    paths["scheme"].write_text(DEFERRABLE, encoding="utf-8")
    paths["facts"].write_text(FACTS_2021, encoding="utf-8")
    paths["next"].write_text(DEFERRABLE.replace("2021", "2022"), encoding="utf-8")
    paths["next_facts"].write_text(FACTS_2022, encoding="utf-8")
    done = run("score", paths["scheme"], paths["facts"], "-o", paths["results"])
    assert done.exit_code == 0, done.stderr
    return paths


def test_a_deferred_value_is_noted_and_carried_over(last: dict[str, Path]) -> None:
    table = run("score", last["scheme"], last["facts"])
    assert table.exit_code == 0
    assert table.stderr.splitlines() == [
        "note: 东镇: event 2 of 表彰奖励, dated 2022-01-15, is after the period: carried over to the next "
        "(2021-01-01..2021-12-31)",
        "note: 东镇: 新引进项目 is 转入下年度: deferred to the next period, counted as 0 in this one "
        "(2021-01-01..2021-12-31)"]
    east = json.loads(last["results"].read_text(encoding="utf-8"))["units"]["东镇"]
    assert Decimal(east["values"]["proj"]) == 0
    assert east["carried_over"] == [
        {"fact": "awards", "event": {"level": "市级", "matter": "敬老", "date": "2022-01-15",
                                     "carried_from": "tiny 2021-01-01..2021-12-31"}},
        {"fact": "projects", "event": {"deferred": "转入下年度", "counted": "0",
                                       "carried_from": "tiny 2021-01-01..2021-12-31"}}]


def test_a_deferred_cell_in_a_workbook(filled_xlsx: object, tmp_path: Path) -> None:
    """In a number cell the marker is read as the fact says; a fact that declares nothing refuses it there."""
    path = filled_xlsx(lambda b: setattr(b["towns"]["G2"], "value", "转入下年度"))  # type: ignore[operator]
    scheme = tmp_path / "deferrable.yaml"
    scheme.write_text(DEFERRABLE, encoding="utf-8")
    result = run("score", scheme, path, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert [i["fact"] for i in json.loads(result.stdout)["units"]["东镇"]["carried_over"]] == ["projects"]
    refused = run("score", TINY, path)
    assert refused.exit_code == 1 and refused.stderr.splitlines()[0] == (
        f"{path}: sheet 'towns', row 2, column G (新引进项目 [projects]): cannot-defer: '转入下年度' defers the value "
        "to the next period, but the scheme does not say what this fact counts as in this one; give the value "
        "(a scheme lets a fact be deferred with `deferred:`)")


def test_carried_in_events_count_in_the_next_period_and_deferred_values_are_reported(last: dict[str, Path]) -> None:
    args = ("score", last["next"], last["next_facts"], "--carried-in", last["results"])
    result = run(*args, "--format", "json")
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        "note: 东镇: projects was deferred to this period (转入下年度) by tiny 2021-01-01..2021-12-31; it is not "
        "scored here: count it where the document says, this period's facts give this period's value"]
    east = json.loads(result.stdout)["units"]["东镇"]
    # 省级 2 of 2022-03-01 + the carried-in 市级 1 of 2022-01-15 (in the period, and named as carried in)
    assert Decimal(east["values"]["award"]) == 3 and east["outside_period"] == [] and east["carried_over"] == []
    without = json.loads(run("score", last["next"], last["next_facts"], "--format", "json").stdout)["units"]["东镇"]
    assert Decimal(without["values"]["award"]) == 2
    explained = run("explain", last["next"], last["next_facts"], "东镇", "--carried-in", last["results"])
    assert "event #2 dated 2022-01-15: carried in from tiny 2021-01-01..2021-12-31, counted in this period" \
        in explained.stdout
    checked = run("check", last["next"], "--carried-in", last["results"])
    assert checked.exit_code == 0 and checked.stdout == (
        f"{last['results']}: ok — 1 event and 1 deferred value carried into tiny (2022-01-01..2022-12-31)\n")


def test_an_event_carried_in_before_the_period_counts_as_carried(last: dict[str, Path], tmp_path: Path) -> None:
    """Last period's results carry an event dated 2021-12-20 (typed late in 2020's run): it counts in 2021."""
    results = json.loads(last["results"].read_text(encoding="utf-8"))
    results["units"]["西镇"]["carried_over"] = [{"fact": "awards", "event": {
        "level": "省级", "matter": "扶贫", "date": "2020-12-20", "carried_from": "tiny 2020-01-01..2020-12-31"}}]
    path = tmp_path / "r20.json"
    path.write_text(json.dumps(results, ensure_ascii=False), encoding="utf-8")
    result = run("score", last["scheme"], TINY_FACTS, "--carried-in", path, "--format", "json")
    assert result.exit_code == 0, result.stderr
    west = json.loads(result.stdout)["units"]["西镇"]
    assert Decimal(west["values"]["award"]) == 2 and west["outside_period"] == []


def _bad(last: dict[str, Path], tmp_path: Path, units: object, facts: Path | None = None) -> list[str]:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"units": units}, ensure_ascii=False), encoding="utf-8")
    result = run("score", last["next"], facts or last["next_facts"], "--carried-in", path)
    assert result.exit_code == 1 and result.stdout == "", result.output
    return [line.replace(str(path), "bad.json") for line in result.stderr.splitlines()]


def test_bad_carried_in_items_are_named_by_file_unit_and_item(last: dict[str, Path], tmp_path: Path) -> None:
    period = "tiny 2021-01-01..2021-12-31"
    award = {"level": "市级", "matter": "敬老", "date": "2022-01-15", "carried_from": period}
    assert _bad(last, tmp_path, {
        "北镇": {"carried_over": [{"fact": "awards", "event": award}]},
        "东镇": {"carried_over": [
            {"fact": "award", "event": award},
            {"fact": "awards", "event": {**award, "level": "县级"}},
            {"fact": "awards", "event": {**award, "carried_from": None}},
            {"fact": "party", "event": {"level": "x", "carried_from": period}},
            "awards"]},
        "007": {"carried_over": [{"fact": "awards", "event": award}]},
        "西镇": {"total": "1"}}) == [
        "bad.json: unit '北镇': unknown-unit: 1 item(s) carried in for a unit that is not in this period's facts",
        "bad.json: unit '东镇', carried_over item 1: unknown-fact: this scheme declares no fact 'award' "
        "(did you mean 'awards'?)",
        "bad.json: unit '东镇', carried_over item 2: unknown-value: fact 'awards': event 1, field 'level': '县级' is "
        "not one of ['省级', '市级']",
        "bad.json: unit '东镇', carried_over item 3: bad-carried-in: the item names no period it comes from "
        "(`carried_from`)",
        "bad.json: unit '东镇', carried_over item 4: bad-carried-in: 'party' is no list of dated events: an event is "
        "carried into a fact whose `dated_by` places it in a period",
        "bad.json: unit '东镇', carried_over item 5: bad-carried-in: an item is an object with a `fact` and an "
        "`event`, as `carried_over` lists it",
        "bad.json: unit '007', carried_over item 1: fact-not-used: group 'depts' does not use 'awards'",
        "bad.json: unit '西镇': bad-carried-in: no `carried_over` list: not a unit of a results file"]


def test_an_event_both_pasted_and_carried_in_is_refused(last: dict[str, Path], tmp_path: Path) -> None:
    facts = tmp_path / "pasted.yaml"
    facts.write_text(FACTS_2022.replace(
        "date: 2022-03-01}", "date: 2022-03-01}, {level: 市级, matter: 敬老, date: 2022-01-15, "
        "carried_from: tiny 2021-01-01..2021-12-31}"), encoding="utf-8")
    result = run("score", last["next"], facts, "--carried-in", last["results"])
    assert result.exit_code == 1 and result.stderr.splitlines() == [
        f"{last['results']}: unit '东镇', carried_over item 1: carried-twice: the 'awards' event is in this period's "
        "facts already; give it in one place, or it would count twice"]


def test_a_file_that_is_no_results_file(last: dict[str, Path], tmp_path: Path) -> None:
    path = tmp_path / "facts.json"
    path.write_text('{"东镇": {"party": 1}}', encoding="utf-8")
    result = run("score", last["next"], last["next_facts"], "--carried-in", path)
    assert result.exit_code == 1 and result.stderr == (
        f"{path}: bad-carried-in: not the results of `apprule score --format json` (no `units`): carried-in items "
        "are last period's results as written\n")
    broken = tmp_path / "broken.json"
    broken.write_text('{"units": {', encoding="utf-8")
    result = run("score", last["next"], last["next_facts"], "--carried-in", broken)
    assert result.exit_code == 1 and result.stderr.startswith(f"{broken}:1:12: json-syntax: ")


def test_the_carried_in_file_is_never_overwritten_and_check_takes_one_scheme(last: dict[str, Path]) -> None:
    result = run("score", last["next"], last["next_facts"], "--carried-in", last["results"], "-o", last["results"])
    assert result.exit_code == 2 and "is the --carried-in file" in result.stderr
    both = run("check", last["next"], last["scheme"], "--carried-in", last["results"])
    assert both.exit_code == 2 and "--carried-in checks the items against one scheme; 2 given" in both.stderr


def test_the_explanation_of_a_unit_notes_what_it_deferred(last: dict[str, Path]) -> None:
    explained = run("explain", last["scheme"], last["facts"], "东镇")
    assert explained.exit_code == 0 and explained.stderr.splitlines()[-1] == (
        "note: 东镇: 新引进项目 is 转入下年度: deferred to the next period, counted as 0 in this one "
        "(2021-01-01..2021-12-31)")
    assert run("explain", last["scheme"], last["facts"], "西镇").stderr == ""


def test_csv_and_xlsx_list_what_each_unit_carries_over(last: dict[str, Path], tmp_path: Path) -> None:
    """The column 转入下年度 [carried_over], last, only where some unit carries something: each item readable."""
    import csv
    import io

    import openpyxl

    text = run("score", last["scheme"], last["facts"], "--format", "csv").stdout_bytes.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][-1] == "Carried over [carried_over]"
    carried = {row[3]: row[-1] for row in rows[1:]}
    assert carried == {"东镇": "表彰奖励 2022-01-15 (市级, 敬老); 新引进项目: 转入下年度, counted here as 0",
                       "西镇": "", "南镇": "", "财政局": "", "007": ""}
    book = tmp_path / "r21.xlsx"
    assert run("--lang", "zh", "score", last["scheme"], last["facts"], "-o", book).exit_code == 0
    towns = openpyxl.load_workbook(book)["乡镇"]
    assert towns.cell(1, towns.max_column).value == "转入下年度 [carried_over]"
    assert towns.cell(2, 4).value == "东镇" and towns.cell(2, towns.max_column).value == (
        "表彰奖励 2022-01-15(市级、敬老);新引进项目:转入下年度,本期计为 0")
    depts = openpyxl.load_workbook(book)["部门"]  # no unit of the group carries anything: no column
    assert "转入下年度 [carried_over]" not in [c.value for c in depts[1]]


def test_no_carried_over_column_when_nothing_is_carried(last: dict[str, Path]) -> None:
    text = run("score", last["next"], last["next_facts"], "--format", "csv").stdout_bytes.decode("utf-8-sig")
    assert "carried_over" not in text and "Carried over" not in text


# --- a deferred value given back: `given_back` (北票 一(三)8 如当年汇总时未能计入,转入下年度) -------------------

#: 2022's tiny takes 2021's deferred 新引进项目 back as projects_late, scored as this year's are (1 point each, ≤ 3)
GIVING_BACK = DEFERRABLE.replace("2021", "2022").replace(
    "  veto: {type: boolean", "  projects_late: {type: count, label: 上年度转入的新引进项目, required: false, "
    "given_back: projects}\n  veto: {type: boolean").replace(
    "        - {id: proj, label: 新引进项目, clause: 四(二), per: {of: projects, points: 1}, max: 3}\n",
    "        - {id: proj, label: 新引进项目, clause: 四(二), per: {of: projects, points: 1}, max: 3}\n"
    "        - {id: proj_late, label: 上年度转入的新引进项目, clause: 四(二), applies: present(projects_late),\n"
    "           per: {of: projects_late, points: 1}, max: 3}\n")
GIVEN_BACK_NOTE = ("note: 东镇: projects deferred by tiny 2021-01-01..2021-12-31 (转入下年度) is given back as "
                   "projects_late = {value} ({where}) and scored here")


def _giving_back(last: dict[str, Path], tmp_path: Path, value: object = None, late: object = None) -> list[object]:
    """2022's run with 2021's results carried in, the deferred item given ``value`` and 2022's facts ``late``."""
    scheme = tmp_path / "giving22.yaml"
    scheme.write_text(GIVING_BACK, encoding="utf-8")
    results = json.loads(last["results"].read_text(encoding="utf-8"))
    if value is not None:
        results["units"]["东镇"]["carried_over"][1]["event"]["value"] = value
    carried = tmp_path / "r21v.json"
    carried.write_text(json.dumps(results, ensure_ascii=False), encoding="utf-8")
    facts = tmp_path / "f22late.yaml"
    facts.write_text(FACTS_2022.replace("projects: 2,", f"projects: 2, projects_late: {late},")
                     if late is not None else FACTS_2022, encoding="utf-8")
    result = run("score", scheme, facts, "--carried-in", carried, "--format", "json")
    east = json.loads(result.stdout)["units"]["东镇"] if result.exit_code == 0 else None
    return [result.exit_code, result.stderr.replace(str(carried), "r21v.json").splitlines(), east]


def test_a_deferred_value_written_in_last_periods_item_is_given_back_and_scored(last: dict[str, Path],
                                                                               tmp_path: Path) -> None:
    code, notes, east = _giving_back(last, tmp_path, value=1)
    assert code == 0 and notes == [GIVEN_BACK_NOTE.format(value=1, where="from the carried-in item")]
    # 2022: 党建 45 + 工作 36.5 + 完成率 0.95×10 = 9.5, 好 +2, this year's 2 projects +2, 省级 +2, the carried-in
    # 市级 +1 (2022-01-15), and 2021's project given back +1: 45 + 36.5 + 9.5 + 2 + 2 + 2 + 1 + 1 = 99
    assert isinstance(east, dict) and east["total"] == "99.00" and east["values"]["proj_late"] == "1.00"


def test_a_deferred_value_typed_in_this_periods_facts_is_scored_and_said(last: dict[str, Path],
                                                                          tmp_path: Path) -> None:
    code, notes, east = _giving_back(last, tmp_path, late=3)
    assert code == 0 and notes == [GIVEN_BACK_NOTE.format(value=3, where="from this period's facts")]
    # as above with 3 projects given back (+3, the rule's maximum): 98 + 3 = 101
    assert isinstance(east, dict) and east["total"] == "101.00" and east["values"]["proj_late"] == "3.00"


def test_a_deferred_value_not_known_yet_is_owed(last: dict[str, Path], tmp_path: Path) -> None:
    code, notes, east = _giving_back(last, tmp_path)
    assert code == 0 and notes == [
        "note: 东镇: projects was deferred to this period (转入下年度) by tiny 2021-01-01..2021-12-31; it is not known "
        "yet: give it as projects_late in this period's facts (or as the item's `value`) to score it"]
    assert isinstance(east, dict) and east["total"] == "98.00" and east["values"]["proj_late"] == "0.00"


def test_a_value_given_back_in_both_places_is_refused(last: dict[str, Path], tmp_path: Path) -> None:
    code, errors, _ = _giving_back(last, tmp_path, value=1, late=1)
    assert code == 1 and errors == [
        "r21v.json: unit '东镇', carried_over item 2: carried-twice: 'projects' is given back twice: as the item's "
        "`value` (1) and as 'projects_late' (1) in this period's facts; give it in one place"]


def test_a_value_given_back_that_does_not_fit(last: dict[str, Path], tmp_path: Path) -> None:
    code, errors, _ = _giving_back(last, tmp_path, value="两个")
    assert code == 1 and errors == [
        "r21v.json: unit '东镇', carried_over item 2: wrong-type: the `value` given back as 'projects_late': "
        "expected a number, got '两个'"]


def test_a_value_for_a_scheme_that_takes_nothing_back(last: dict[str, Path], tmp_path: Path) -> None:
    results = json.loads(last["results"].read_text(encoding="utf-8"))
    results["units"]["东镇"]["carried_over"][1]["event"]["value"] = 1
    path = tmp_path / "r21v.json"
    path.write_text(json.dumps(results, ensure_ascii=False), encoding="utf-8")
    result = run("score", last["next"], last["next_facts"], "--carried-in", path)
    assert result.exit_code == 1 and result.stderr == (
        f"{path}: unit '东镇', carried_over item 2: bad-carried-in: the item gives 'projects' a value, but this "
        "scheme takes no deferred 'projects' back (no fact declares `given_back: projects`)\n")


def test_given_back_is_checked_at_load(tmp_path: Path) -> None:
    scheme = tmp_path / "bad.yaml"
    scheme.write_text(GIVING_BACK.replace(
        "  veto: {type: boolean", "  late_a: {type: count, given_back: projets, required: false}\n"
        "  late_b: {type: number, given_back: projects, required: false}\n"
        "  late_c: {type: number, given_back: party, required: false}\n"
        "  late_d: {type: count, given_back: projects}\n"
        "  veto: {type: boolean"), encoding="utf-8")
    result = run("check", scheme)
    assert result.exit_code == 2  # a scheme error
    assert [line.split(": ", 1)[1] for line in result.stdout.splitlines() + result.stderr.splitlines()
            if ": " in line and line.startswith(str(scheme))] == [
        "unknown-fact: `given_back: projets` names no fact of this scheme (did you mean 'projects'?) "
        "(at facts.late_a.given_back)",
        "bad-given-back: 'projects' is a count fact and 'late_b' a number one: a value given back is the same kind "
        "of value (at facts.late_b.type)",
        "bad-given-back: 'party' declares no `deferred`: no period defers it, so none gives it back "
        "(at facts.late_c.given_back)",
        "bad-given-back: 'late_d' is given only by the units whose value was deferred: make it optional "
        "(`required: false`) (at facts.late_d)",
        "bad-given-back: 'projects_late' gives back 'projects' already: one fact takes the deferred value "
        "(at facts.late_d.given_back)"]


def test_beipiao_gives_back_a_chaoyang_place_deferred_the_year_before(tmp_path: Path) -> None:
    """北票 一(三)8: 发展改革局's 朝阳 place was not published at the year's 汇总 (转入下年度); published later as 第4名, it
    is written as the item's `value` and counts next year by the same table: −2, × 0.8 in the 三(一) formula."""
    from conftest import ROOT

    example = ROOT / "src" / "apprule" / "examples" / "beipiao_2017.facts.yaml"
    text = example.read_text(encoding="utf-8")
    assert text.index("  chaoyang_rank: 6\n") > text.index("发展改革局:") > 0  # the first 第6名 is 发展改革局's
    deferred = tmp_path / "f_deferred.yaml"
    deferred.write_text(text.replace("  chaoyang_rank: 6\n", "  chaoyang_rank: 转入下年度\n", 1), encoding="utf-8")
    last = tmp_path / "r_last.json"
    assert run("score", "beipiao_2017", deferred, "-o", last).exit_code == 0
    results = json.loads(last.read_text(encoding="utf-8"))
    [item] = results["units"]["发展改革局"]["carried_over"]
    assert item == {"fact": "chaoyang_rank", "event": {"deferred": "转入下年度", "counted": None,
                                                       "carried_from": "beipiao_2017 2017-01-01..2017-12-31"}}
    item["event"]["value"] = 4
    last.write_text(json.dumps(results, ensure_ascii=False), encoding="utf-8")
    before = json.loads(run("score", "beipiao_2017", example, "--format", "json").stdout)["units"]["发展改革局"]
    given = run("score", "beipiao_2017", example, "--carried-in", last, "--format", "json")
    assert given.exit_code == 0 and given.stderr.splitlines() == [
        "注意:发展改革局:beipiao_2017 2017-01-01..2017-12-31 转入的 chaoyang_rank(转入下年度)作为 chaoyang_rank_late "
        "= 4 计入本期并计分(取自转入项)"]
    after = json.loads(given.stdout)["units"]["发展改革局"]
    assert (before["values"]["chaoyang_task_late"], after["values"]["chaoyang_task_late"]) == ("0.00", "-2.00")
    assert Decimal(after["total"]) == Decimal(before["total"]) - Decimal("1.6")  # −2 × 80%
    checked = run("check", "beipiao_2017", "--carried-in", last)  # the items fit: said in the scheme's Chinese
    assert checked.exit_code == 0, checked.stderr
    assert checked.stdout == f"{last}:通过 — 0个事件和1项转入下年度的值转入beipiao_2017(考核期2017-01-01..2017-12-31)\n"
