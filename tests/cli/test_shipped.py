"""Shipped schemes by id (issue 19): `apprule schemes`, `apprule score hebi_2021 example`, load_scheme("hebi_2021")."""

from __future__ import annotations

from pathlib import Path

import pytest

import apprule
from apprule.shipped import example_path, scheme_ids, scheme_path

from conftest import ROOT, TINY, run

SHIPPED = ROOT / "src" / "apprule" / "schemes"


def test_the_shipped_ids_are_the_package_files() -> None:
    assert scheme_ids() == ["beipiao_2017", "hebi_2021", "heshan_2013", "xingyang_2021"]
    assert scheme_path("hebi_2021") == SHIPPED / "hebi_2021.yaml"
    assert example_path("hebi_2021") == ROOT / "src" / "apprule" / "examples" / "hebi_2021.facts.yaml"
    assert scheme_path("hebi_2022") is None and example_path("nothing") is None


def test_schemes_lists_id_title_issuer_and_period() -> None:
    result = run("schemes")
    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.stdout.splitlines()[3:] if line.strip()]
    assert rows[1] == ["hebi_2021", "开发区2021年度绩效考评办法", "中共鹤壁经济技术开发区工委、鹤壁经济技术开发区管委",
                       "year", "2021-01-01–2021-12-31"]
    assert rows[3] == ["xingyang_2021", "荥阳市人民政府重大专项工作月度综合督查评比办法(试行)", "荥阳市人民政府办公室",
                       "month", "2021-05-01–2021-05-31"]
    assert [row[0] for row in rows] == scheme_ids()


def test_an_id_loads_the_shipped_scheme() -> None:
    scheme = apprule.load_scheme("hebi_2021")
    assert (scheme.id, scheme.source) == ("hebi_2021", str(SHIPPED / "hebi_2021.yaml"))


@pytest.mark.parametrize("command", ["score", "explain"])
def test_an_id_and_example_score_as_the_paths_do(command: str) -> None:
    unit = ["海河街道办事处"] if command == "explain" else []
    by_id = run(command, "hebi_2021", "example", *unit)
    by_path = run(command, SHIPPED / "hebi_2021.yaml", "example", *unit)
    by_paths = run(command, SHIPPED / "hebi_2021.yaml", ROOT / "src" / "apprule" / "examples" / "hebi_2021.facts.yaml",
                   *unit)
    assert by_id.exit_code == 0, by_id.output
    assert by_id.stdout == by_path.stdout == by_paths.stdout
    assert "海河街道办事处" in by_id.stdout


def test_check_and_facts_take_an_id() -> None:
    assert run("check", "xingyang_2021").stdout.startswith(f"{SHIPPED / 'xingyang_2021.yaml'}:通过 — 荥阳市人民政府")
    assert run("facts", "xingyang_2021").stdout == run("facts", SHIPPED / "xingyang_2021.yaml").stdout


def test_an_unknown_id_names_the_shipped_ones() -> None:
    result = run("score", "hebi_2022", "example")
    assert result.exit_code == 2
    assert result.stderr.endswith("Error: Invalid value for 'SCHEME': 'hebi_2022' is neither a file nor a shipped "
                                  "scheme; did you mean 'hebi_2021'? (shipped: beipiao_2017, hebi_2021, heshan_2013, "
                                  "xingyang_2021)\n")


def test_example_needs_a_shipped_scheme() -> None:
    result = run("score", TINY, "example")
    assert result.exit_code == 2
    assert result.stderr.endswith(f"Error: Invalid value for 'FACTS': no file 'example', and '{TINY}' is not a "
                                  "shipped scheme with an example\n")


def test_a_file_wins_over_an_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "hebi_2021").write_text((TINY).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "example").write_text("not: [facts", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert run("check", "hebi_2021").stdout.startswith("hebi_2021: ok — ")
    result = run("score", "hebi_2021", "example")
    assert result.exit_code == 2 and "'example': facts are read from" in result.stderr
