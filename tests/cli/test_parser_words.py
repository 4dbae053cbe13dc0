"""A syntax error in a facts or scheme file, or in an expression, is told in the reader's language (issue 18): the parsers' English
(ruamel.yaml, Python's json) is translated phrase by phrase (apprule/parser_words.py), and a phrase apprule
does not know is shown as the parser said it.

Each case is a broken file and the exact first line `apprule score` prints for it, in Chinese (the scheme's
language) and with `--lang en`. That each broken file gives the phrase it is here for also checks that the
parsers still say what parser_words.py expects.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from apprule import i18n
from apprule.expressions import ExpressionProblem, parse
from apprule.parser_words import json_message, yaml_message

from conftest import run

CASES = [
    ("list.yaml", "a: [1\n", "2:1",
     "读取方括号列表时:应为“,”或“]”,却遇到文件结尾",
     "while reading a list in square brackets: expected ',' or ']', but found the end of the file"),
    ("mapping.yaml", "a: {b: 1\n", "2:1",
     "读取花括号映射时:应为“,”或“}”,却遇到文件结尾",
     "while reading a mapping in braces: expected ',' or '}', but found the end of the file"),
    ("indent.yaml", "x:\n  a: 1\n b: 2\n", "3:2",
     "读取“键: 值”各行时:缩进与上文不一致:遇到映射的开头",
     "while reading a mapping (key: value lines): the indentation does not match the lines above: found the "
     "start of a mapping"),
    ("colon.yaml", "x: a: b\n", "1:5",
     "此处的冒号不能引出值(请检查缩进;含“: ”的文字请加引号)",
     "a colon here starts no value (check the indentation, or quote a text holding ': ')"),
    ("tab.yaml", "x:\n\t- 1\n", "2:1",
     "读取下一项时:字符'\\t'不能作为值的开头(请用空格缩进,不要用制表符;以它开头的文字请加引号)",
     "while reading the next item: character '\\t' cannot start a value (indent with spaces, not tabs; quote a "
     "text starting with it)"),
    ("quote.yaml", 'x: "abc\n', "2:1",
     "读取引号内的文字时:文件提前结束(是否有引号未闭合?)",
     "while reading a quoted text: the file ends too early (is a quote left open?)"),
    ("comma.json", '{"a": 1,}', "1:9",
     "此处应为双引号括起的键(最后一项后是否多了逗号?)",
     "a key in double quotes is expected here (is there a comma after the last item?)"),
    ("value.json", '{"a": }', "1:7", "此处应有一个值", "a value is expected here"),
    ("extra.json", '{"a": 1} x', "1:10", "JSON 值结束后还有内容", "more after the end of the JSON value"),
]


@pytest.mark.parametrize(("name", "text", "place", "zh", "en"), CASES, ids=[c[0] for c in CASES])
def test_a_syntax_error_is_told_in_the_schemes_language(tmp_path: Path, name: str, text: str, place: str,
                                                         zh: str, en: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    code = "json-syntax" if name.endswith(".json") else "yaml-syntax"
    for lang, message in (((), zh), (("--lang", "en"), en)):
        result = run(*lang, "score", "xingyang_2021", path)
        assert result.exit_code == 1
        assert result.stderr.splitlines()[0] == f"{path}:{place}: {code}: {message}"


def test_a_phrase_not_known_is_shown_as_the_parser_said_it() -> None:
    assert json_message("Something new") == "Something new"
    assert yaml_message("while doing a new thing", "found a new problem") == \
        "while doing a new thing: found a new problem"
    assert yaml_message(None, "expected ',' or ']', but got '<new token>'") == \
        "expected ',' or ']', but found '<new token>'"


EXPRESSIONS = [
    ("x +", "表达式的写法有误", "not a well-formed expression"),
    ("(x + 1", "“(”没有闭合", "'(' is never closed"),
    ("x + 1)", "“)”没有对应的左括号", "')' closes nothing"),
    ("[x + 1)", "“)”与“[”不配对", "')' does not close '['"),
    ("（x + 1）", "字符“（”(U+FF08)不能用在表达式中(是全角字符吗?括号、逗号、加减号等请用半角)",
     "character '（' (U+FF08) cannot be used in an expression (a full-width character? use ( ) , + - and the "
     "like as ASCII)"),
    ("x +\u00a01", "表达式中有不可见字符(U+00A0)", "an invisible character (U+00A0) in the expression"),
    ("'abc", "引号内的文字未闭合", "a text in quotes is not closed"),
    ("x + 01", "整数不能以0开头(写1,不写01)", "a whole number does not start with 0 (write 1, not 01)"),
    ("1 if x", "“if”须有“else”(a if 条件 else b)", "'if' needs an 'else' (a if condition else b)"),
]


@pytest.mark.parametrize(("text", "zh", "en"), EXPRESSIONS, ids=[e[2] for e in EXPRESSIONS])
def test_an_expressions_syntax_error_is_told_in_the_readers_language(text: str, zh: str, en: str) -> None:
    for language, message in (("zh", zh), ("en", en)):
        with i18n.using(language):
            with pytest.raises(ExpressionProblem) as raised:
                parse(text, ["x"])
            assert raised.value.code == "expression-syntax"
            assert raised.value.message == i18n._("invalid expression: {msg}", msg=message)
