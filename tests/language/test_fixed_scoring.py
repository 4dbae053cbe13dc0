"""Scoring in fixed point agrees with plain Decimal to the digit, at the scale edges (issue 15)."""

from __future__ import annotations

from decimal import Decimal, localcontext

from hypothesis import given, settings
from hypothesis import strategies as st

from apprule.decimals import CONTEXT, MAX_PLACES, clamp, round_to
from apprule.evaluate.rank import competition_ranks

from schemekit import scheme, units

D = Decimal
BIG = D("999999999999999")  # the largest declared bound a fact may have (below 10^15)
FACTS = """\
a: {type: number}
b: {type: number, min: 0, max: 999999999999999}
c: {type: number}
d: {type: number}
"""
SECTIONS = """\
- {id: s1, label: 一, max: 100, score: a, over_max: clamp}
- {id: s2, label: 二, max: 999999999999999, score: b, over_max: clamp}
"""
RULES = "rules: [{id: up, label: 加分, formula: c}, {id: down, label: 扣分, formula: d}]"
CAPS = (D("2.5"), D("3.125"))
SCHEMES = {
    caps: scheme(FACTS, sections=SECTIONS, group="total: {round: 2}\nranking: {}\nadjustments: {id: adj, "
                 f"label: 加减分, {extra}{RULES}}}\n")
    for caps, extra in (((None, None), ""), (CAPS, f"bonus_cap: {CAPS[0]}, deduction_cap: {CAPS[1]}, "))
}


def scaled(whole: int, places: int) -> Decimal:
    return D(whole).scaleb(-places, CONTEXT)


# the scale edges: the most places a fact allows, half cents and negative half cents, the largest bound
edges = st.one_of(
    st.sampled_from([D("0.005"), D("-0.005"), D("0.015"), D("-0.015"), D("0.125"), D("-3.125"), D("99.995"),
                     D("100.005"), D(0), BIG, D("999999999999999.999999999999999999"), D("1E-18"), D("-1E-18")]),
    st.builds(scaled, st.integers(-10 ** 6, 10 ** 6), st.integers(0, 4)),
    st.builds(scaled, st.integers(-(10 ** 33) + 1, 10 ** 33 - 1), st.just(MAX_PLACES)),
)
bounded = edges.filter(lambda x: D(0) <= x <= BIG)


def expected(facts: dict[str, Decimal], bonus_cap: Decimal | None, deduction_cap: Decimal | None) -> Decimal:
    """The total as plain Decimal arithmetic computes it (in apprule's 34-digit context)."""
    with localcontext(CONTEXT):
        s1 = clamp(facts["a"], D(0), D(100))
        s2 = clamp(facts["b"], D(0), BIG)
        sides = [facts["c"], facts["d"]]
        bonus = sum((x for x in sides if x > 0), D(0))
        deduction = sum((x for x in sides if x <= 0), D(0))
        up = clamp(bonus, None, bonus_cap)
        down = clamp(deduction, None if deduction_cap is None else -deduction_cap, None)
        exact = s1 + s2 + up + down
    return CONTEXT.add(round_to(exact, 2), 0)  # fixed point has no negative zero: -0.00 is 0.00


@settings(max_examples=150, deadline=None)
@given(st.lists(st.fixed_dictionaries({"a": edges, "b": bounded, "c": edges, "d": edges}), min_size=1, max_size=6),
       st.booleans())
def test_totals_and_ranks_agree_with_plain_decimal(drawn: list[dict[str, Decimal]], capped: bool) -> None:
    caps = CAPS if capped else (None, None)
    s = SCHEMES[caps]
    population = units(**{f"u{k}": facts for k, facts in enumerate(drawn)})
    evaluation = s.evaluate(population)
    totals = [expected(facts, *caps) for facts in drawn]
    ranks = competition_ranks(totals)
    for k, (total, rank) in enumerate(zip(totals, ranks)):
        result = evaluation[f"u{k}"]
        assert (str(result.total), result.rank) == (str(total), rank)
    table = evaluation.to_arrow().to_pylist()
    assert {row["unit"]: row["total"] for row in table} == {f"u{k}": t for k, t in enumerate(totals)}


# facts with declared bounds within their rules' (so the score kernels keep them as they are), given as an Arrow
# table of decimal128 columns: read, checked, summed, capped, rounded and ranked as integers (Numbers), where the
# same population given as dictionaries is added as decimals
BOUNDED = scheme("a: {type: number, min: 0, max: 100}\nb: {type: number, min: 0, max: 999999999999999}\n"
                 "e: {type: number, min: 0, max: 20}\nc: {type: number}\nd: {type: number}\n",
                 sections=SECTIONS.replace(", over_max: clamp", "") +
                 "- {id: s3, label: 三, max: 110, unbalanced: 测试封顶, items: [{id: e1, label: 甲, max: 20, score: e, round: 1},\n"
                 "                                                        {id: e2, label: 乙, max: 100, score: a}]}\n",
                 group="total: {round: 2}\nranking: {}\nadjustments: {id: adj, label: 加减分, "
                       f"bonus_cap: {CAPS[0]}, deduction_cap: {CAPS[1]}, {RULES}}}\n")


def expected_bounded(facts: dict[str, Decimal]) -> Decimal:
    with localcontext(CONTEXT):
        s3 = clamp(round_to(facts["e"], 1) + facts["a"], None, D(110))
        sides = [facts["c"], facts["d"]]
        up = clamp(sum((x for x in sides if x > 0), D(0)), None, CAPS[0])
        down = clamp(sum((x for x in sides if x <= 0), D(0)), -CAPS[1], None)
        exact = facts["a"] + facts["b"] + s3 + up + down
    return CONTEXT.add(round_to(exact, 2), 0)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.fixed_dictionaries({"a": edges.filter(lambda x: D(0) <= x <= 100), "b": bounded,
                                       "e": edges.filter(lambda x: D(0) <= x <= 20), "c": edges, "d": edges}),
                min_size=1, max_size=6))
def test_a_table_of_integers_scores_as_plain_decimal_and_as_dictionaries(drawn: list[dict[str, Decimal]]) -> None:
    import pyarrow as pa

    from apprule.arrow import decimal_type

    names = [f"u{k}" for k in range(len(drawn))]
    table = pa.table({"unit": names, "group": ["g"] * len(drawn), **{
        fact: pa.array(column, decimal_type(column)) for fact in "abecd" for column in [[f[fact] for f in drawn]]}})
    by_table, by_dicts = BOUNDED.evaluate_columns(table), BOUNDED.evaluate(units(**dict(zip(names, drawn))))
    totals = [expected_bounded(facts) for facts in drawn]
    ranks = competition_ranks(totals)
    for name, total, rank in zip(names, totals, ranks):
        one, other = by_table[name], by_dicts[name]
        assert (str(one.total), one.rank) == (str(other.total), other.rank) == (str(total), rank)
        assert one.values == other.values  # every rule, section and block: the same numbers
    assert {row["unit"]: row["total"] for row in by_table.to_arrow().to_pylist()} == dict(zip(names, totals))
