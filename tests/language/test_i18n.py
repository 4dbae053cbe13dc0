"""Choosing the language (issue 18): --lang, else the scheme's `language`, else the locale, else English."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from apprule import i18n, load_scheme
from apprule.cli import main

MINI = str(Path(__file__).parent / "mini.yaml")


@pytest.mark.parametrize(("environment", "expected"), [
    ({}, None),
    ({"LANG": "zh_CN.UTF-8"}, "zh"),
    ({"LANG": "C.UTF-8"}, None),
    ({"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),
    ({"LANGUAGE": "fr:zh_TW", "LANG": "C"}, "zh"),  # the first language of the list apprule speaks
    ({"LANGUAGE": "", "LC_MESSAGES": "zh_CN", "LANG": "en_GB"}, "zh"),  # empty counts as unset, as in gettext
    ({"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}, None),  # LC_ALL=C: English, whatever LANG says
])
def test_the_locale_read_as_gettext_reads_it(monkeypatch: pytest.MonkeyPatch, environment: dict[str, str],
                                             expected: str | None) -> None:
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)
    for variable, value in environment.items():
        monkeypatch.setenv(variable, value)
    assert i18n.from_environment() == expected


def test_a_choice_beats_the_scheme_and_the_scheme_beats_the_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANGUAGE", "zh_CN")
    assert i18n.language() == "zh"
    with i18n.using(scheme="en"):
        assert i18n.language() == "en"
        with i18n.using("zh"):
            assert i18n.language() == "zh"
            with i18n.using(scheme="en"):
                assert i18n.language() == "zh"
        assert i18n.language() == "en"
    monkeypatch.setenv("LANGUAGE", "C")
    assert i18n.language() == "en"


def test_words_and_placeholders_come_from_the_catalogue() -> None:
    with i18n.using("zh"):
        assert i18n._("wrote {file}", file="结果.xlsx") == "已写入 结果.xlsx"
    with i18n.using("en"):
        assert i18n._("wrote {file}", file="结果.xlsx") == "wrote 结果.xlsx"
        assert i18n._("a message no catalogue has") == "a message no catalogue has"


def test_the_shipped_schemes_declare_chinese() -> None:
    for scheme_id in ("beipiao_2017", "hebi_2021", "heshan_2013", "xingyang_2021"):
        assert load_scheme(scheme_id).definition.language == "zh"


@pytest.mark.parametrize(("args", "said"), [
    (["facts", "hebi_2021"], "已写入"),  # the scheme's language
    (["--lang", "en", "facts", "hebi_2021"], "wrote"),
    (["facts", "--lang", "en", "hebi_2021"], "wrote"),
    (["--lang", "zh", "facts", MINI], "已写入"),
    (["facts", MINI], "wrote"),  # no `language`, LANG=C: English
])
def test_the_command_line_speaks_the_chosen_language(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     args: list[str], said: str) -> None:
    monkeypatch.setenv("LANGUAGE", "C")
    output = tmp_path / "模板.yaml"
    result = CliRunner().invoke(main, [*args, "--output", str(output)])
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith(said)
    assert i18n.language() == "en"  # the run's choice ended with it


def test_an_unknown_language_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["--lang", "fr", "schemes"])
    assert result.exit_code == 2
    assert "'fr' is not one of 'en', 'zh'" in result.stderr
