"""The 荥阳 2021 township group written out by hand in plain Python with ``Decimal``.

This is what a careful programmer would write without apprule: the benchmark's yardstick
for speed, and a second opinion on every total and rank.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

SPECIALS = ("s_economy", "s_innovation", "s_core_area", "s_key_projects", "s_three_projects", "s_industry",
            "s_rural", "s_ecology", "s_safe_city", "s_investment", "s_public_service", "s_digital", "s_rail",
            "s_livelihood", "s_land")
START, END = dt.date(2021, 5, 1), dt.date(2021, 5, 31)
ZERO = Decimal(0)
AWARD = {"national": 10, "provincial": 8, "bureau": 6, "xingyang": 2}
SAFETY = {"especially_major": -20, "major": -15, "relatively_major": -10, "general": -5}
MEDIA = {"national": -10, "provincial": -5, "zhengzhou": -2}
CIRCULAR = {"national": -10, "provincial": -5, "zhengzhou": -2, "xingyang": -1}
INTERVIEW = {"zhengzhou_or_above": -5, "xingyang": -2}
LEADER = {"statement_national": -10, "statement_provincial": -8, "statement_zhengzhou": -5,
          "statement_xingyang": -2, "instruction_senior": -5, "instruction_xingyang": -2}
TOP = {"lead": {1: 10, 2: 8, 3: 6}, "support": {1: 5, 2: 3, 3: 1}}
BOTTOM = {"lead": {1: -10, 2: -8, 3: -6}, "support": {1: -5, 2: -3, 3: -1}}


def _in_month(events: Any) -> list[dict[str, Any]]:
    """The month's events: those dated in it, undated ones (the month's list), and those carried in from before."""
    return [e for e in events or () if e.get("date") is None or START <= _date(e["date"]) <= END
            or (e.get("carried_from") is not None and _date(e["date"]) < START)]


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _band(people: int, edges: tuple[int, ...], points: tuple[int, ...]) -> int:
    for edge, p in zip(edges, points):
        if people < edge:
            return p
    return points[-1]


def _adjustments(f: dict[str, Any]) -> Decimal:
    items: list[Decimal] = []
    for e in _in_month(f.get("awards")):
        if e.get("kind", "commendation") == "commendation" or e["level"] != "xingyang":
            items.append(Decimal(AWARD[e["level"]]))
    for e in _in_month(f.get("zhengzhou_rankings")):
        items.append(Decimal(TOP[e["role"]].get(int(e["rank"]), 0)))
        items.append(Decimal(BOTTOM[e["role"]].get(int(e["ranked"]) - int(e["rank"]) + 1, 0)))
    items += [Decimal(SAFETY[e["level"]]) for e in _in_month(f.get("safety_accidents"))]
    for e in _in_month(f.get("petitions")):
        people, kind = int(e["people"]), e["kind"]
        if kind == "beijing_individual":
            items.append(Decimal(-5 * people))
        elif kind == "beijing_involved":
            items.append(Decimal(-10 * people))
        elif kind == "beijing_group":
            items.append(Decimal(_band(people, (10, 20), (-10, -20, -30))))
        elif kind == "province_group":
            items.append(Decimal(_band(people, (30, 50, 100), (-5, -10, -15, -30))))
        else:
            items.append(Decimal(_band(people, (30, 50, 100), (-2, -5, -10, -20))))
    items += [Decimal(MEDIA[e["level"]]) for e in _in_month(f.get("media_exposures"))]
    items += [Decimal(CIRCULAR[e["level"]]) for e in _in_month(f.get("circulars"))]
    items += [Decimal(INTERVIEW[e["level"]]) for e in _in_month(f.get("interviews"))]
    items += [Decimal(LEADER[e["kind"]]) for e in _in_month(f.get("leader_criticism"))]
    # rules are summed one by one, then 加分满分为20分, 扣分不设底线
    bonus = sum((i for i in items if i > 0), ZERO)
    return min(bonus, Decimal(20)) + sum((i for i in items if i < 0), ZERO)


def xingyang_towns(facts: dict[str, dict[str, Any]]) -> dict[str, tuple[Decimal, int | None]]:
    """Unit → (total, rank) for the township group; 弄虚作假 units are not ranked."""
    totals = {}
    for unit, f in facts.items():
        total = sum((Decimal(f[s]) for s in SPECIALS), ZERO) + Decimal(f["inspection"]) + _adjustments(f)
        totals[unit] = total
    ranked = sorted((t, u) for u, t in totals.items() if not facts[u].get("falsification"))
    ranked.reverse()
    ranks: dict[str, int] = {}
    for position, (total, unit) in enumerate(ranked, 1):
        ranks[unit] = position if position == 1 or total != ranked[position - 2][0] else ranks[ranked[position - 2][1]]
    return {u: (t, ranks.get(u)) for u, t in totals.items()}
