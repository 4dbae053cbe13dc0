"""Errors speak the scheme's language (issue 18): a zh scheme's errors are Chinese, `--lang en` (in a program,
`i18n.using("en")`) gives them in English, and the code, the ids and the path stay as they are.

One representative error of each family, through the CLI and through the API, with the exact words of both
languages: a facts file, a scheme that does not load, a facts `check`, an evaluation, carried-in items, and
the command's own notes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import apprule
from apprule import i18n
from apprule.io.carried import read_carried_in

from conftest import ROOT, TINY, TINY_FACTS, run

EXAMPLES = ROOT / "src" / "apprule" / "examples"


def _hebi_facts() -> dict[str, dict[str, object]]:
    return yaml.safe_load((EXAMPLES / "hebi_2021.facts.yaml").read_text(encoding="utf-8"))


def _in(language: str | None, call: object) -> BaseException:
    """The error ``call`` raises with ``language`` chosen (None: none chosen, the scheme's)."""
    with i18n.using(language), pytest.raises(apprule.AppruleError) as raised:
        call()  # type: ignore[operator]
    return raised.value


# --- a facts file: 海河街道办事处 gives 党建 as words --------------------------------------------------

@pytest.fixture
def words_for_a_number(tmp_path: Path) -> Path:
    text = (EXAMPLES / "hebi_2021.facts.yaml").read_text(encoding="utf-8")
    assert text.splitlines()[17] == "  party: 46.5"  # 海河街道办事处's, line 18
    path = tmp_path / "facts.yaml"
    path.write_text(text.replace("  party: 46.5\n", "  party: 十二\n", 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(("lang", "message"), [
    ((), "wrong-type: 单位'海河街道办事处',事实'party': 应为数字,得到的是'十二'"),
    (("--lang", "en"), "wrong-type: unit '海河街道办事处', fact 'party': expected a number, got '十二'"),
])
def test_a_facts_file_error_through_the_cli(words_for_a_number: Path, lang: tuple[str, ...], message: str) -> None:
    result = run(*lang, "score", "hebi_2021", words_for_a_number)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == f"{words_for_a_number}:18:10: {message}"


def test_a_fact_error_through_the_api() -> None:
    scheme = apprule.load_scheme("hebi_2021")
    facts = _hebi_facts()
    facts["海河街道办事处"]["party"] = "十二"
    zh, en = (_in(lang, lambda: scheme.evaluate(facts)) for lang in (None, "en"))
    assert isinstance(zh, apprule.FactError) and isinstance(en, apprule.FactError)
    assert str(zh) == "单位'海河街道办事处',事实'party': wrong-type: 应为数字,得到的是'十二'"
    assert str(en) == "unit '海河街道办事处', fact 'party': wrong-type: expected a number, got '十二'"
    # a record keeps the language it was said in: read later, in another language, it reads the same
    assert str(zh.issues[0]) == str(zh) and zh.issues[0].code == en.issues[0].code == "wrong-type"


def test_the_place_a_facts_file_names_is_in_the_language_of_the_message(words_for_a_number: Path) -> None:
    scheme = apprule.load_scheme("hebi_2021")
    facts = apprule.read_facts(words_for_a_number, scheme)
    with pytest.raises(apprule.FactError) as raised:
        scheme.evaluate(facts.facts)
    with i18n.using("en"):  # located later, under another language: still one language per line
        located = facts.locate(raised.value)
    assert str(located).splitlines()[0] == (
        f"{words_for_a_number}:18:10: wrong-type: 单位'海河街道办事处',事实'party': 应为数字,得到的是'十二'")


# --- a scheme that does not load: the tiny scheme, made Chinese, with a maximum in words --------------------

@pytest.fixture
def bad_scheme(tmp_path: Path) -> Path:
    text = TINY.read_text(encoding="utf-8").replace("dsl: 1\n", "dsl: 1\nlanguage: zh\n", 1)
    broken = text.replace("{id: party_s, label: 党建工作, max: 50,", "{id: party_s, label: 党建工作, max: many,")
    assert broken != text
    path = tmp_path / "scheme.yaml"
    path.write_text(broken, encoding="utf-8")
    return path


@pytest.mark.parametrize(("lang", "message", "summary"), [
    ((), "wrong-type: 应为数字(得到的是'many')(位于groups[0].sections[0].max)", "1个方案中有1个有错误"),
    (("--lang", "en"), "wrong-type: expected a number (got 'many') (at groups[0].sections[0].max)",
     "1 of 1 scheme has errors"),
])
def test_a_scheme_error_through_the_cli(bad_scheme: Path, lang: tuple[str, ...], message: str, summary: str) -> None:
    result = run(*lang, "check", bad_scheme)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == f"{bad_scheme}:36:41: {message}"
    assert result.stderr.splitlines()[-1] == summary  # check's count, in the language of the scheme's errors


def test_a_scheme_error_through_the_api(bad_scheme: Path) -> None:
    zh, en = (_in(lang, lambda: apprule.load_scheme(bad_scheme)) for lang in (None, "en"))
    assert isinstance(zh, apprule.SchemeError) and isinstance(en, apprule.SchemeError)
    assert [(p.code, p.message, p.path) for p in zh.problems] == [
        ("wrong-type", "应为数字(得到的是'many')", ("groups", 0, "sections", 0, "max"))]
    assert [(p.code, p.message) for p in en.problems] == [("wrong-type", "expected a number (got 'many')")]
    assert zh.problems[0].render().splitlines()[0] == \
        f"{bad_scheme}:36:41: wrong-type: 应为数字(得到的是'many')(位于groups[0].sections[0].max)"


def test_a_missing_key_in_our_words() -> None:
    """pydantic's `Field required` and `Extra inputs are not permitted` are said by apprule, per error type."""
    with pytest.raises(apprule.SchemeError) as raised:
        apprule.load_scheme("language: zh\nmistake: 1\n")
    messages = {p.code: p.message for p in raised.value.problems if p.path in (("id",), ("mistake",))}
    assert messages == {"missing-key": "缺少键'id'", "unknown-key": "未知的键'mistake'"}


# --- a facts check: 鹤壁's city ranking, place 9 of 8 -------------------------------------------------------

def test_a_check_error_through_the_api() -> None:
    scheme = apprule.load_scheme("hebi_2021")
    facts = _hebi_facts()
    facts["海河街道办事处"]["city_rankings"][0]["place"] = 9  # type: ignore[index]
    zh, en = (_in(lang, lambda: scheme.evaluate(facts)) for lang in (None, "en"))
    assert str(zh) == ("单位'海河街道办事处',事实'city_rankings': check-failed: 第1个事件:名次不能大于该次通报参与排名的"
                       "单位数(不满足place <= ranked:place = 9, ranked = 8)")
    assert str(en) == ("unit '海河街道办事处', fact 'city_rankings': check-failed: event 1: 名次不能大于该次通报参与排名的"
                       "单位数 (fails place <= ranked: place = 9, ranked = 8)")


def test_a_check_error_through_the_cli(tmp_path: Path) -> None:
    facts = _hebi_facts()
    facts["海河街道办事处"]["city_rankings"][0]["place"] = 9  # type: ignore[index]
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(facts, ensure_ascii=False, default=str), encoding="utf-8")
    zh, en = run("score", "hebi_2021", path), run("score", "--lang", "en", "hebi_2021", path)
    assert zh.exit_code == en.exit_code == 1
    assert zh.stderr.splitlines()[0] == (f"{path}: check-failed: 单位'海河街道办事处',事实'city_rankings': 第1个事件:"
                                         "名次不能大于该次通报参与排名的单位数(不满足place <= ranked:place = 9, ranked = 8)")
    assert en.stderr.splitlines()[0] == (f"{path}: check-failed: unit '海河街道办事处', fact 'city_rankings': event 1: "
                                         "名次不能大于该次通报参与排名的单位数 (fails place <= ranked: place = 9, ranked = 8)")


# --- evaluation: 北票 税收收入 typed as 1200 for a 12-point item; a division by zero ---------------------------

def test_an_evaluation_error_through_the_api() -> None:
    scheme = apprule.load_scheme("beipiao_2017")
    facts = yaml.safe_load((EXAMPLES / "beipiao_2017.facts.yaml").read_text(encoding="utf-8"))
    facts["长皋乡"]["tax_revenue_score"] = 1200
    zh, en = (_in(lang, lambda: scheme.evaluate(facts)) for lang in (None, "en"))
    assert isinstance(zh, apprule.EvaluationError) and zh.code == en.code == "over-max"
    assert str(zh) == ("单位'长皋乡',规则'tax_revenue': 事实'tax_revenue_score'为1200,超过规则的最高分12;超过最高分的值"
                       "不予接受,也不会按最高分截取(文件规定封顶的规则应写明over_max: clamp)")
    assert str(en) == ("unit '长皋乡', rule 'tax_revenue': the fact 'tax_revenue_score' is 1200, above the rule's maximum "
                       "12; a value beyond the maximum is refused, not cut to it (a rule whose document caps the value "
                       "says over_max: clamp)")


@pytest.mark.parametrize(("lang", "message"), [
    ((), "单位'南镇',规则'proj': 在'3 / projects'中:除数为0"),
    (("--lang", "en"), "unit '南镇', rule 'proj': in '3 / projects': division by zero"),
])
def test_an_evaluation_error_through_the_cli(tmp_path: Path, lang: tuple[str, ...], message: str) -> None:
    text = TINY.read_text(encoding="utf-8").replace("dsl: 1\n", "dsl: 1\nlanguage: zh\n", 1)
    divides = text.replace("per: {of: projects, points: 1}, max: 3}", "formula: 3 / projects, max: 3}")
    assert divides != text
    scheme = tmp_path / "scheme.yaml"
    scheme.write_text(divides, encoding="utf-8")
    result = run(*lang, "score", scheme, TINY_FACTS)  # 南镇 brought no project in
    assert result.exit_code == 1
    assert result.stderr == message + "\n"


# --- carried in: last period's item names a fact the scheme does not declare --------------------------------

@pytest.fixture
def carried(tmp_path: Path) -> Path:
    path = tmp_path / "last.json"
    item = {"fact": "awardz", "event": {"level": "市级", "matter": "招商", "date": "2020-12-01", "carried_from": "2020"}}
    path.write_text(json.dumps({"units": {"海河街道办事处": {"carried_over": [item]}}}, ensure_ascii=False),
                    encoding="utf-8")
    return path


@pytest.mark.parametrize(("lang", "message"), [
    ((), "单位'海河街道办事处',转入项目第1项: unknown-fact: 本方案未声明事实'awardz'(是否应为'awards'?)"),
    (("--lang", "en"),
     "unit '海河街道办事处', carried_over item 1: unknown-fact: this scheme declares no fact 'awardz' "
     "(did you mean 'awards'?)"),
])
def test_a_carried_in_error_through_the_cli(carried: Path, lang: tuple[str, ...], message: str) -> None:
    result = run(*lang, "score", "hebi_2021", "example", "--carried-in", carried)
    assert result.exit_code == 1
    assert result.stderr == f"{carried}: {message}\n"


def test_a_carried_in_error_through_the_api(carried: Path) -> None:
    scheme = apprule.load_scheme("hebi_2021")
    zh, en = (_in(lang, lambda: read_carried_in(carried, scheme)) for lang in (None, "en"))
    assert str(zh) == f"{carried}: 单位'海河街道办事处',转入项目第1项: unknown-fact: 本方案未声明事实'awardz'(是否应为'awards'?)"
    assert str(en).startswith(f"{carried}: unit '海河街道办事处', carried_over item 1: unknown-fact: ")


# --- the command's own words ----------------------------------------------------------------------------------

def test_the_group_error_and_the_partial_note(tmp_path: Path) -> None:
    zh, en = (run(*lang, "score", "hebi_2021", "example", "--group", "street") for lang in ((), ("--lang", "en")))
    assert zh.exit_code == en.exit_code == 2
    assert zh.stderr.splitlines()[-1] == (  # click's words pass the catalogue too
        "错误:--group 的值无效:没有组别'street'; 是否应为'streets'?(组别:company, streets, departments, stationed)")
    assert en.stderr.splitlines()[-1].endswith(
        "--group: no group 'street'; did you mean 'streets'? (groups: company, streets, departments, stationed)")
    facts = _hebi_facts()
    del facts["经开集团"]
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(facts, ensure_ascii=False, default=str), encoding="utf-8")
    zh, en = (run(*lang, "score", "hebi_2021", path, "--partial") for lang in ((), ("--lang", "en")))
    assert zh.exit_code == en.exit_code == 0
    assert zh.stderr == f"注意:部分计算:排名、名额和平均值只计入{path}中的单位;不在其中的:经开集团\n"
    assert en.stderr == (f"note: a partial run: ranks, quotas and averages count only the units in {path}; "
                         "not in it: 经开集团\n")


def test_explains_unknown_unit() -> None:
    zh, en = (run(*lang, "explain", "hebi_2021", "example", "海河街道办") for lang in ((), ("--lang", "en")))
    facts = EXAMPLES / "hebi_2021.facts.yaml"
    assert zh.exit_code == en.exit_code == 2
    assert zh.stderr.splitlines()[-1] == f"错误:UNIT 的值无效:{facts}中没有单位'海河街道办'(是否应为'海河街道办事处'?)"
    assert en.stderr.splitlines()[-1] == (
        f"Error: Invalid value for UNIT: no unit '海河街道办' in {facts} (did you mean '海河街道办事处'?)")


def test_a_scheme_without_a_language_speaks_the_locale() -> None:
    """tests/conftest.py sets LANGUAGE=en; `i18n.using(scheme="zh")` is what a scheme's `language: zh` does."""
    scheme = apprule.load_scheme(TINY)
    facts = yaml.safe_load(TINY_FACTS.read_text(encoding="utf-8"))
    facts["东镇"]["party"] = "十二"
    assert str(_in(None, lambda: scheme.evaluate(facts))).startswith("unit '东镇', fact 'party': wrong-type: expected")
    assert str(_in("zh", lambda: scheme.evaluate(facts))).startswith("单位'东镇',事实'party': wrong-type: 应为数字")


def test_an_error_crosses_a_process_boundary_in_the_language_it_was_said_in() -> None:
    """A worker's error, unpickled where another language is in force, reads as the worker said it."""
    import pickle

    scheme = apprule.load_scheme("beipiao_2017")
    facts = yaml.safe_load((EXAMPLES / "beipiao_2017.facts.yaml").read_text(encoding="utf-8"))
    facts["长皋乡"]["tax_revenue_score"] = 1200
    said = _in(None, lambda: scheme.evaluate(facts))
    with i18n.using("en"):
        read = pickle.loads(pickle.dumps(said))
    assert str(read) == str(said) and str(read).startswith("单位'长皋乡',规则'tax_revenue': 事实'tax_revenue_score'为1200")
    assert (read.unit, read.node, read.fact) == ("长皋乡", "tax_revenue", "tax_revenue_score")  # type: ignore[attr-defined]


def test_the_commands_usage_errors() -> None:
    """Before a scheme is read, the locale's language (or --lang's); after, the scheme's."""
    unknown = run("--lang", "zh", "score", "hebi_2022", "example")
    assert unknown.exit_code == 2 and unknown.stderr.splitlines()[-1] == (
        "错误:'SCHEME' 的值无效:'hebi_2022'既不是文件,也不是内置方案;是否应为'hebi_2021'?"
        "(内置方案:beipiao_2017, hebi_2021, heshan_2013, xingyang_2021)")
    twice = run("--lang", "zh", "score", "hebi_2021", "example", "--reading", "a=x", "--reading", "a=y")
    assert twice.exit_code == 2 and twice.stderr.splitlines()[-1] == "错误:'--reading' 的值无效:解读'a'被选了两次(x、y)"
    zh, en = (run(*lang, "diff", "hebi_2021", "example", "--reading", "indicator_measure=ratio")
              for lang in ((), ("--lang", "en")))
    assert zh.exit_code == en.exit_code == 2
    assert zh.stderr.splitlines()[-1] == "错误:请指定另一种计分方式:--against SCHEME,或 --against-reading ID=CHOICE"
    assert en.stderr.splitlines()[-1] == (
        "Error: name the other way to score: --against SCHEME, or --against-reading ID=CHOICE")


@pytest.mark.parametrize(("args", "zh", "en"), [
    (("score", "hebi_2021", "nothere.yaml"), "错误:'FACTS' 的值无效:文件'nothere.yaml'不存在。",
     "Error: Invalid value for 'FACTS': File 'nothere.yaml' does not exist."),
    (("score", "--reading", "bad", "xingyang_2021", "example"),
     "错误:'--reading' 的值无效:'bad'不是 ID=CHOICE 的形式(例如 indicator_measure=ratio;apprule readings SCHEME 列出可选的解读)",
     "Error: Invalid value for '--reading': 'bad' is not ID=CHOICE (e.g. indicator_measure=ratio; apprule readings "
     "SCHEME lists them)"),
    (("explain", "--carried-in", "nope.json", "hebi_2021", "example", "海河街道办事处"),
     "错误:'--carried-in' 的值无效:文件'nope.json'不存在。",
     "Error: Invalid value for '--carried-in': File 'nope.json' does not exist."),
], ids=["facts", "reading", "carried-in"])
def test_usage_errors_before_the_scheme_is_loaded_speak_its_language(args: tuple[str, ...], zh: str, en: str) -> None:
    """click checks what is typed in the order typed, before the command loads SCHEME: the scheme's declared
    `language:` is read from its text first, so even an option typed before SCHEME is said in it (the suite's
    locale is English)."""
    said, english = run(*args), run("--lang", "en", *args)
    assert said.exit_code == english.exit_code == 2
    assert said.stderr.splitlines()[-1] == zh
    assert english.stderr.splitlines()[-1] == en
