"""The command line's help and usage errors in the run's language (issue 18): `--lang`, else the locale.

apprule's help texts are marked ``N_`` and said through ``cli._Says``; click's own words (Usage:, Options, [OPTIONS],
its usage errors) through the catalogue too.
"""

from __future__ import annotations

import functools
import re
import sys
from pathlib import Path

import click
from click.testing import CliRunner, Result

sys.path.insert(0, str(Path(__file__).parent))
from english import english_words, scheme_names  # noqa: E402

from apprule import load_scheme  # noqa: E402
from apprule.cli import main  # noqa: E402
from apprule.shipped import scheme_ids  # noqa: E402

def run(*args: str, locale: str = "en") -> Result:
    """``apprule ARGS`` (named so in its usage line) in an environment whose locale is ``locale``."""
    return CliRunner(env={"LANGUAGE": locale}).invoke(main, list(args), prog_name="apprule")


#: names that are no English to translate: file formats and the programs a help text names
PROPER = {"YAML", "JSON", "CSV", "XLSX", "UTF-8", "BOM", "Excel", "Schema", "draft-07", "hypothesis"}


def typed() -> set[str]:
    """What a user types, or reads as a placeholder to replace: every command's name, metavars and choices."""
    words = {"apprule", "FILE", "*.yaml", "cases*.yaml"}
    for name, command in [("", main), *main.commands.items()]:
        words.add(name)
        for param in command.params:
            words.add(param.metavar or "")
            words.update(getattr(param.type, "choices", ()))
            words.add(param.name.upper() if isinstance(param, click.Argument) and param.name else "")
    return {w for text in words for w in english_words(text)}


def english(text: str) -> list[str]:
    """The English words of a help text, but what it quotes as code (`language`, `readings:`) and the ids of its
    examples (``hebi_2021``, ``indicator_measure=ratio``); a word the help wraps at its hyphen joined again."""
    return english_words(re.sub(r"`[^`]*`", " ", re.sub(r"-\n\s+", "-", text)), typed() | PROPER | shipped_ids())


@functools.cache
def shipped_ids() -> frozenset[str]:
    return frozenset(name for scheme in scheme_ids() for name in scheme_names(load_scheme(scheme)))


def test_score_help_in_chinese() -> None:
    result = run("--lang", "zh", "score", "--help")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "用法: apprule score [选项] SCHEME FACTS"
    assert lines[2] == "  按 SCHEME 为 FACTS(YAML、JSON、CSV 或 XLSX)中的每个单位评分、排名、评定等次。"
    assert lines[4] == "选项:"
    assert "  -o, --output FILE               写入这个文件。" in lines
    assert "  --help                          显示本帮助并退出。" in lines
    carried = next(i for i, line in enumerate(lines) if line.startswith("  --carried-in LAST.json"))
    assert "上一期的结果" in lines[carried]
    assert english(result.stdout) == []


def test_every_commands_help_in_chinese() -> None:
    for name in main.commands:
        text = run("--lang", "zh", name, "--help").stdout
        assert text.startswith(f"用法: apprule {name} [选项]"), name
        assert english(text) == [], name
    top = run("--lang", "zh", "--help").stdout
    assert top.startswith("用法: apprule [选项] 命令 [参数]...\n") and "\n命令:\n" in top


def test_usage_errors_in_chinese() -> None:
    missing = run("--lang", "zh", "explain", "hebi_2021", "example")
    assert missing.exit_code == 2
    assert missing.stderr == ("用法: apprule explain [选项] SCHEME FACTS UNIT\n"
                              "用 'apprule explain --help' 查看帮助。\n\n错误:缺少参数 'UNIT'.\n")
    unknown = run("--lang", "zh", "score", "--bogus", "hebi_2021", "example")
    assert unknown.exit_code == 2 and unknown.stderr.endswith("错误:没有选项 '--bogus'。\n")
    misspelt = run("--lang", "zh", "scor")
    assert misspelt.stderr.endswith("错误:没有命令 'scor'。 是不是 'score'?\n")


def test_the_locale_decides_without_lang_and_english_stays_english() -> None:
    chinese = run("--help", locale="zh_CN.UTF-8")
    assert chinese.stdout.startswith("用法: apprule [选项] 命令 [参数]...\n\n  按 YAML 写成的考核方案")
    english = run("--lang", "en", "score", "--help").stdout
    assert english.startswith("Usage: apprule score [OPTIONS] SCHEME FACTS\n\n  Score, rank and grade every unit")
    assert "  -o, --output FILE               Write to this file." in english.splitlines()
    assert run("score").stderr.endswith("Error: Missing argument 'SCHEME'.\n")  # the suite's locale is English


def test_the_list_of_shipped_schemes_in_the_runs_language() -> None:
    chinese = run("--lang", "zh", "schemes").stdout.splitlines()
    assert chinese[1].split() == ["编号", "名称", "发文机关", "考核期"]
    hebi = next(line for line in chinese if line.startswith(" hebi_2021"))
    assert hebi.endswith("年度 2021-01-01–2021-12-31")
    xingyang = next(line for line in chinese if line.startswith(" xingyang_2021"))
    assert xingyang.endswith("月度 2021-05-01–2021-05-31")
    english = run("schemes").stdout.splitlines()
    assert english[1].split() == ["id", "title", "issuer", "period"]
    assert next(line for line in english if line.startswith(" hebi_2021")).endswith("year 2021-01-01–2021-12-31")
