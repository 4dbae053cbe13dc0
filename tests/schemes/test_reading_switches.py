"""Switchable readings a case file cannot reach: 荥阳 disqualified_month feeds the months into the year."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apprule import load_scheme

#: 市发展改革委's 专项 add up to 166 and its 市督查局评分 is 8: a month's total is 174 (as in cases.yaml)
NDRC = {"group": "departments", "s_economy": 18, "s_innovation": 17, "s_core_area": 8, "s_key_projects": 9,
        "s_three_projects": 16, "s_industry": 15, "s_rural": 7, "s_ecology": 8, "s_safe_city": 9,
        "s_investment": 14, "s_public_service": 8, "s_digital": 7, "s_rail": 6, "s_livelihood": 9,
        "s_business_env": 7, "s_land": 8, "inspection_dept": 8}


@pytest.mark.parametrize(("choice", "year"), [
    # 九(二) 弄虚作假取消当月评比资格 in June; 八(三) 按权重核分 with equal weights:
    # zero: (174 + 0) ÷ 2 = 87;  skip: June left out, 174 ÷ 1 = 174
    ("zero", Decimal(87)),
    ("skip", Decimal(174)),
])
def test_disqualified_month(choice: str, year: Decimal) -> None:
    scheme = load_scheme("xingyang_2021", readings={"disqualified_month": choice})
    may = scheme.evaluate({"市发展改革委": NDRC}, partial=True)
    june = scheme.evaluate({"市发展改革委": {**NDRC, "falsification": True}}, partial=True)
    assert (may["市发展改革委"].total, june["市发展改革委"].rank) == (174, None)
    assert scheme.aggregate({"2021-05": may, "2021-06": june})["市发展改革委"].total == year
