"""The scheme language as pydantic models: YAML keys are field names.

Models are frozen and forbid unknown keys, so a typo is an error and never a
silent default. Expressions are kept as text here; ``check`` parses them.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cached_property
from decimal import Decimal
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, Tag, model_validator
from pydantic_core import PydanticCustomError

Id = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="标识: letters, digits, _")]
def _expression_text(value: Any) -> Any:
    """A bare YAML number or boolean is an expression too (`target: 100`, `applies: true`)."""
    if isinstance(value, bool):
        return str(value)
    return str(value) if isinstance(value, (int, Decimal)) else value


Expr = Annotated[str, BeforeValidator(_expression_text),
                 Field(min_length=1, description="表达式: a sandboxed arithmetic expression")]
Label = Annotated[str, Field(description="标签: the document's own words")]
Clause = Annotated[str, Field(description="条款: where in the document, e.g. 五(一)4(6)")]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- numbers and rounding --------------------------------------------------------------------

RoundingMode = Literal["half_up", "half_even", "half_down", "down", "up", "floor", "ceiling"]
WholeSteps = Literal["floor", "ceil", "nearest", "pro_rata"]


class Rounding(Model):
    """保留N位小数: places and mode (四舍五入 = half_up)."""

    places: int = Field(ge=0, le=12)
    mode: RoundingMode = "half_up"


def _rounding(value: Any) -> Any:
    return {"places": value} if isinstance(value, int) and not isinstance(value, bool) else value


RoundingSpec = Annotated[Rounding, BeforeValidator(_rounding),
                         Field(description="保留小数: `2` or {places: 2, mode: half_up}")]


class Period(Model):
    """The period the scheme covers; both ends inclusive."""

    kind: Literal["year", "half_year", "quarter", "month"]
    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise ValueError("period end is before its start")
        return self


class Reading(Model):
    """A reading chosen where the document is ambiguous, stated once for the record."""

    id: Id
    clause: Clause | None = None
    question: str
    choice: str


# --- facts -----------------------------------------------------------------------------------

FactType = Literal["number", "count", "rate", "boolean", "enum", "text", "date", "events"]


class FactCheck(Model):
    """A condition the values must meet, checked before scoring (名次不大于参与排名的单位数)."""

    test: Expr = Field(description="校验条件: must hold, over the unit's facts or (on an events fact) over one event's fields")
    message: Label = Field(description="提示: what is wrong when it does not hold, in the document's words")


#: the event field naming the period (and scheme) an event was carried in from: such an event counts even
#: when its date is before the period (转入下年度 / 计入下年度加分)
CARRIED_FROM = "carried_from"


class Fact(Model):
    """A typed input a unit supplies (or an event field)."""

    type: FactType
    label: Label | None = None
    unit: str | None = Field(None, description="计量单位, e.g. 万元, 人")
    min: Decimal | None = None
    max: Decimal | None = None
    values: list[str] | dict[str, str] | None = Field(None, description="enum values (or value: label)")
    fields: dict[Id, Fact] | None = Field(None, description="events: the fields of one event")
    dated_by: Id | None = Field(None, description="events: the date field that places an event in a period")
    required: bool = Field(True, description="必填: default true; an event's date field other than its "
                           "`dated_by` defaults to false (a date the period logic does not read is not asked for)")
    required_when: Expr | None = Field(None, description="必填条件: required when this holds over other facts")
    default: Any = None
    better: Literal["higher", "lower"] | None = Field(None, description="monotonicity: more is better or worse")
    checks: list[FactCheck] = Field(default_factory=list, description="校验: conditions checked before scoring")

    @model_validator(mode="after")
    def _consistent(self) -> Fact:
        if self.type == "enum" and not self.values:
            raise ValueError("an enum fact needs `values`")
        if self.type != "enum" and self.values is not None:
            raise ValueError("`values` belongs to enum facts")
        if self.type == "events":
            if not self.fields:
                raise ValueError("an events fact needs `fields`")
            if any(f.type == "events" for f in self.fields.values()):
                raise ValueError("event fields cannot themselves be events")
            if any(f.checks for f in self.fields.values()):
                raise ValueError("`checks` over an event's fields go on the events fact, not on a field")
            if self.dated_by is not None and (self.dated_by not in self.fields
                                              or self.fields[self.dated_by].type != "date"):
                raise ValueError(f"`dated_by: {self.dated_by}` must name a date field of the event")
            if self.dated_by is not None:  # an event carried in from an earlier period says which: it counts here
                given = self.fields.get(CARRIED_FROM)
                if given is None:
                    self.fields[CARRIED_FROM] = Fact(type="text", label="转入自",
                                                     required=False)
                elif given.type != "text":
                    raise ValueError(f"`{CARRIED_FROM}` is the period an event was carried in from: a text field")
            for name, field in self.fields.items():  # only the date that places an event is asked for
                if field.type == "date" and name != self.dated_by and "required" not in field.model_fields_set:
                    self.fields[name] = field.model_copy(update={"required": False})
        elif self.fields is not None or self.dated_by is not None:
            raise ValueError("`fields` and `dated_by` belong to events facts")
        return self

    @property
    def enum_values(self) -> tuple[str, ...]:
        return tuple(self.values or ())

    @property
    def optional(self) -> bool:
        return not self.required or self.default is not None


# --- outcomes: points, honours and flags ------------------------------------------------------

class Award(Model):
    """What one matched case yields: signed points, honours (记功, 嘉奖) and flags."""

    points: Decimal = Decimal(0)
    honours: list[str] = []
    flags: list[str] = []


def _award(value: Any) -> Any:
    return {"points": value} if isinstance(value, (int, Decimal, str)) and not isinstance(value, bool) else value


AwardSpec = Annotated[Award, BeforeValidator(_award), Field(description="points, or {points, honours, flags}")]


class Band(Model):
    """One band: lower bound `from` (≥) or `above` (>), upper bound `to` (≤) or `below` (<)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    from_: Decimal | None = Field(None, alias="from")
    above: Decimal | None = None
    to: Decimal | None = None
    below: Decimal | None = None
    points: Decimal = Decimal(0)
    honours: list[str] = []
    flags: list[str] = []
    label: Label | None = None

    @model_validator(mode="after")
    def _bounds(self) -> Band:
        if self.from_ is not None and self.above is not None:
            raise ValueError("a band has `from` (inclusive) or `above` (exclusive), not both")
        if self.to is not None and self.below is not None:
            raise ValueError("a band has `to` (inclusive) or `below` (exclusive), not both")
        return self

    @property
    def award(self) -> Award:
        return Award(points=self.points, honours=self.honours, flags=self.flags)


class Step(Model):
    """每超额完成5%加5分: every `size` of distance earns `points`; `whole` says how partial steps count."""

    size: Decimal = Field(gt=0)
    points: Decimal
    whole: WholeSteps = "floor"


class Per(Model):
    """每培育一个…加10分: `points` for every `size` of `of`."""

    of: Expr
    points: Decimal
    size: Decimal = Field(Decimal(1), gt=0)
    whole: WholeSteps = "floor"


class Steps(Model):
    """Steps over and under a target, measured as a ratio (actual/target - 1) or a difference."""

    of: Expr
    target: Expr
    measure: Literal["ratio", "difference"] = "ratio"
    over: Step | None = None
    under: Step | None = None


class Bands(Model):
    """Bands on `of`; `match: one` (disjoint, checked), `first` listed that fits, or `all` that fit."""

    of: Expr
    bands: list[Band] = Field(min_length=1)
    match: Literal["one", "first", "all"] = "one"
    gaps: Literal["error", "allowed"] = "error"
    otherwise: AwardSpec = Award()



class Table(Model):
    """A lookup: `of` (an enum or whole number) mapped through `map`."""

    of: Expr
    map: dict[str | int, AwardSpec] = Field(min_length=1)
    otherwise: AwardSpec | None = None



class EventValue(Model):
    """What one event is worth: fixed `points`, a `table`, `bands` or a `formula` over its fields."""

    points: Decimal | None = None
    table: Table | None = None
    bands: Bands | None = None
    formula: Expr | None = None

    @model_validator(mode="after")
    def _one(self) -> EventValue:
        _exactly_one(self, ("points", "table", "bands", "formula"), "an event value")
        return self


class ForEach(Model):
    """Each event of a list scored by `value`, then combined (per `key` first, when given)."""

    events: Id
    value: EventValue
    where: Expr | None = None
    key: Id | None = Field(None, description="同一项目: combine per value of this field, then sum")
    combine: Literal["sum", "max", "min", "max_abs", "highest_level"] = "sum"
    key_max: Decimal | None = Field(None, description="cap on each key's combined points")
    key_min: Decimal | None = Field(None, description="floor on each key's combined points (每项最高减2分: -2)")


class When(Model):
    """A condition that yields points, honours or flags when it holds."""

    test: Expr
    points: Decimal = Decimal(0)
    honours: list[str] = []
    flags: list[str] = []


Scope = Literal["group", "sequence"]


def _ranks(value: Any) -> Any:
    """A rank table's keys as ranks, each given once: `{1: 10, '1': 5}` and `{1: 10, 1.0: 5}` name rank 1 twice.

    A rank is a whole number written in decimal digits (`1`, `'1'`, `1.0`); pydantic alone would also
    read `'1_0'` as 10 and keep the last of two keys that read alike.
    """
    if not isinstance(value, dict):
        return value
    ranks: dict[int, Any] = {}
    for key, award in value.items():
        text = str(key)
        if isinstance(key, bool) or not re.fullmatch(r"[-+]?[0-9]+(\.0*)?", text):
            raise PydanticCustomError("bad_rank", "{text} is not a rank (a whole number)",
                                      {"key": key, "text": repr(key)})
        rank = int(text.split(".")[0])
        if rank in ranks:
            raise PydanticCustomError("duplicate_key", "rank {rank} is given twice, as {first} and as {second}",
                                      {"key": key, "rank": rank, "first": repr(ranks[rank][0]), "second": repr(key)})
        ranks[rank] = (key, award)
    return {rank: award for rank, (_, award) in ranks.items()}


class RankTable(Model):
    """Points by rank: an outside rank (`rank`) or one computed among the units (`by`)."""

    rank: Expr | None = None
    by: Expr | None = None
    order: Literal["desc", "asc"] = "desc"
    scope: Scope = "group"
    map: Annotated[dict[int, AwardSpec], BeforeValidator(_ranks)] = Field(min_length=1)
    otherwise: AwardSpec = Award()
    ties: Literal["split", "average", "best", "worst", "none"] = "none"
    tie_count: Expr | None = Field(None, description="with an outside rank: how many share it")
    split_round: RoundingSpec | None = None


    @model_validator(mode="after")
    def _source(self) -> RankTable:
        _exactly_one(self, ("rank", "by"), "a rank table")
        if self.tie_count is not None and self.rank is None:
            raise ValueError("`tie_count` goes with an outside `rank`; ties among the units are counted")
        return self


class Movement(Model):
    """排位每前移1位加0.5分: places gained, from `before` to `now`: values ranked among the units, or places given."""

    now: Expr
    before: Expr
    places: Literal["ranked", "given"] = Field(
        "ranked", description="ranked: now/before are values ranked among the units; given: they are places "
        "(排位, 1 = first) the office received, ties included")
    order: Literal["desc", "asc"] = "desc"
    scope: Scope = "group"
    per_place: Decimal
    hold_first: Decimal = Decimal(0)
    max: Decimal | None = None


class Fill(Model):
    """按平均值: a unit whose inputs are missing gets its peers' average value."""

    peers: Scope = "group"
    zeros: Literal["include", "exclude"] = "include"
    when_none: Decimal = Field(Decimal(0), description="the value when no peer has one")


# --- the score tree --------------------------------------------------------------------------

SHAPES = ("score", "rate", "per", "steps", "bands", "table", "for_each", "when", "formula", "rank_table",
          "movement")


class Leaf(Model):
    """A rule: exactly one shape, with optional caps, rounding and weight transfer."""

    id: Id
    label: Label
    clause: Clause | None = None
    note: str | None = None
    max: Decimal | None = None
    min: Decimal | None = None
    round: RoundingSpec | None = None
    applies: Expr | None = Field(None, description="when false the unit has no such item")
    transfer_to: Id | None = Field(None, description="没有…任务的单位此权重加到…: where the weight goes")
    transfer: Literal["rescale", "full"] = "rescale"
    fill: Fill | None = None

    score: Expr | None = None
    rate: Expr | None = None
    per: Per | None = None
    steps: Steps | None = None
    bands: Bands | None = None
    table: Table | None = None
    for_each: ForEach | None = None
    when: When | None = None
    formula: Expr | None = None
    rank_table: RankTable | None = None
    movement: Movement | None = None


    @model_validator(mode="after")
    def _one_shape(self) -> Leaf:
        _exactly_one(self, SHAPES, f"rule {self.id!r}")
        if self.shape in ("score", "rate") and self.max is None:
            raise ValueError(f"a `{self.shape}` rule needs `max`")
        if self.max is not None and self.min is not None and self.min > self.max:
            raise ValueError("`min` is above `max`")
        return self

    @cached_property
    def shape(self) -> str:
        return next(name for name in SHAPES if getattr(self, name) is not None)


class Section(Model):
    """A section of the score tree: `items` whose maxima add up to `max`."""

    id: Id
    label: Label
    clause: Clause | None = None
    note: str | None = None
    max: Decimal
    unbalanced: str | None = Field(None, description="why the items' maxima do not add up to `max`")
    round: RoundingSpec | None = None
    items: list[Node] = Field(min_length=1)



class Block(Model):
    """A block of adjustments (加减分): signed rules with caps on bonuses, deductions and the net."""

    id: Id
    label: Label
    clause: Clause | None = None
    note: str | None = None
    bonus_cap: Decimal | None = Field(None, ge=0, description="加分之和不超过")
    deduction_cap: Decimal | None = Field(None, ge=0, description="扣分之和不超过 (absent: 扣分不设底线)")
    max: Decimal | None = None
    min: Decimal | None = None
    round: RoundingSpec | None = None
    rules: list[Node] = Field(min_length=1)



def _node_kind(value: Any) -> str:
    if isinstance(value, dict):
        return "section" if "items" in value else "block" if "rules" in value else "leaf"
    return "section" if isinstance(value, Section) else "block" if isinstance(value, Block) else "leaf"


Node = Annotated[Union[Annotated[Section, Tag("section")], Annotated[Block, Tag("block")],
                       Annotated[Leaf, Tag("leaf")]], Discriminator(_node_kind)]


# --- groups, ranking, grades, vetoes ---------------------------------------------------------

class Sequence(Model):
    """A ranking sequence inside a group (序列)."""

    id: Id
    label: Label
    units: list[str] | None = None


class Total(Model):
    """How the total is formed: the sum (default) or a `formula`, then rounded."""

    formula: Expr | None = None
    round: RoundingSpec | None = None
    clause: Clause | None = None
    label: Label = "总分"



class Ranking(Model):
    """排名: by the total (or another expression), within the group or each sequence."""

    by: Expr = "total"
    order: Literal["desc", "asc"] = "desc"
    scope: Scope = "group"
    ties: Literal["competition", "dense"] = "competition"
    tie_breakers: list[Expr] = []
    exclude: list[str] = Field([], description="units scored but not ranked (不参与排名)")
    clause: Clause | None = None


class Quota(Model):
    """名额: a number of units or a share of the scope."""

    count: int | None = Field(None, ge=0)
    share: Decimal | None = Field(None, ge=0, le=1)

    @model_validator(mode="after")
    def _one(self) -> Quota:
        _exactly_one(self, ("count", "share"), "a quota")
        return self


class GradeRule(Model):
    """A grade and what it takes: a condition (`when`), a quota place, or both."""

    grade: str
    when: Expr | None = None
    quota: Quota | None = None
    sequences: list[Id] | None = Field(None, description="only units of these sequences (each its own quota)")
    clause: Clause | None = None
    label: Label | None = None


class Grant(Model):
    """可直接确定为…等次: a grade given directly when a condition holds."""

    grade: str
    when: Expr
    from_: list[str] | None = Field(None, alias="from", description="only units holding one of these grades")
    uses_quota: bool = False
    over_bars: bool = False
    label: Label
    clause: Clause | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Grades(Model):
    """等次: ordered best first, assigned by rules, quotas, grants and vetoes."""

    levels: list[str] = Field(min_length=2)
    rules: list[GradeRule] = Field(min_length=1)
    scope: Scope | None = None
    quota_counts: Literal["each", "cumulative", "largest_remainder"] = "each"
    rounding: Literal["floor", "ceil", "half_up"] = "floor"
    boundary_ties: Literal["include", "exclude"] = "exclude"
    unused_places: Literal["lapse", "roll_down"] = "lapse"
    barred_places: Literal["pass_down", "forfeit"] = Field(
        "pass_down", description="被取消资格单位的名额: pass_down 顺延给下一名 / forfeit 作废")
    grants: list[Grant] = []
    honours: dict[str, list[str]] = Field({}, description="grade → honours it brings (评为好等次的授予红旗单位称号)")
    clause: Clause | None = None


class VetoEffects(Model):
    """What a veto does: unrank, bar grades, cap, force, demote; always a flag."""

    unrank: bool = False
    bar: list[str] = []
    cap: str | None = None
    force: str | None = None
    demote: int = Field(0, ge=0)


class Veto(Model):
    """一票否决 and kindred conditions, with their effects."""

    id: Id
    label: Label
    clause: Clause | None = None
    when: Expr
    effects: VetoEffects = VetoEffects()


class Group(Model):
    """考评对象分类: a roster of units with its own score tree, ranking and grades."""

    id: Id
    label: Label
    clause: Clause | None = None
    note: str | None = None
    units: list[str] | None = None
    sequences: list[Sequence] = []
    max: Decimal | None = None
    unbalanced: str | None = None
    sections: list[Node] = []
    adjustments: Block | None = None
    derived: list[Leaf] = Field([], description="values computed per unit for conditions, not part of the score")
    total: Total = Total()
    ranking: Ranking | None = None
    grades: Grades | None = None
    vetoes: list[Veto] = []


class Aggregate(Model):
    """按权重核分,计入年度总成绩: how the results of this scheme's periods feed a longer one."""

    label: Label
    clause: Clause | None = None
    method: Literal["weighted_mean", "weighted_sum"] = "weighted_mean"
    weights: dict[str, Decimal] | None = Field(None, description="period name → weight; absent: equal weights")
    missing: Literal["skip", "zero"] = Field("skip", description="a unit with no result for a period")
    unranked: Literal["score", "skip", "zero"] = Field(
        "zero", description="a period in which the unit was removed from the ranking (取消当月评比资格)")
    round: RoundingSpec | None = None


class SchemeDefinition(Model):
    """A whole assessment scheme: metadata, facts and groups."""

    dsl: Literal[1] = Field(description="the version of the scheme language")
    id: Id
    title: str
    issuer: str
    document: str | None = Field(None, description="文号, e.g. 鹤开工〔2021〕8号")
    date: dt.date
    period: Period
    source: str | None = None
    readings: list[Reading] = []
    facts: dict[Id, Fact] = {}
    groups: list[Group] = Field(min_length=1)
    aggregate: Aggregate | None = None


def _exactly_one(model: BaseModel, names: tuple[str, ...], what: str) -> None:
    present = [n for n in names if getattr(model, n) is not None]
    if len(present) != 1:
        found = ", ".join(present) if present else "none"
        raise ValueError(f"{what} needs exactly one of {', '.join(names)} (found {found})")


Section.model_rebuild()
Block.model_rebuild()
Group.model_rebuild()
