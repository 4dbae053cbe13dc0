"""The scheme language as pydantic models: YAML keys are field names.

Models are frozen and forbid unknown keys, so a typo is an error and never a
silent default. Expressions are kept as text here; ``check`` parses them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cached_property
from typing import Annotated, Any, Literal, Union, get_args

from pydantic import (BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, GetJsonSchemaHandler, PrivateAttr,
                      Tag, ValidationError, ValidatorFunctionWrapHandler, model_validator)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, ErrorDetails, InitErrorDetails, PydanticCustomError, core_schema
from pydantic_core.core_schema import ErrorType
from ..i18n import _

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
            raise ValueError(_("period end is before its start"))
        return self


class Choice(Model):
    """One answer to a reading's question: its label, and the keys of the scheme it changes."""

    label: Label = Field(description="标签: the answer in a few words (按百分点)")
    default: bool = Field(False, description="默认: the answer the scheme is written with; exactly one choice has it")
    note: str | None = Field(None, description="理由: why this answer: the reasoning, for the record")
    overrides: dict[Id, dict[str, Any]] = Field(
        {}, description="改写: rule or section id → keys it replaces, in every node of the scheme with that id "
        "(the default choice, which the scheme is written with, needs none)")


class Reading(Model):
    """A reading of a clause the document leaves open: one stated `choice`, or `choices` to switch between."""

    id: Id
    clause: Clause | None = None
    question: str
    choice: str | None = Field(None, description="选择的解读: the one answer chosen, in words (a reading without a switch)")
    choices: dict[Id, Choice] | None = Field(None, description="可选解读: answers an office may switch between "
                                             "(apprule score --reading id=choice); exactly one is the default")

    @model_validator(mode="after")
    def _one_answer(self) -> Reading:
        exactly_one(self, ("choice", "choices"), f"reading {self.id!r}")
        if self.choices is not None:
            defaults = [name for name, c in self.choices.items() if c.default]
            if len(defaults) != 1:
                raise ValueError(_("reading {id!r} needs exactly one choice with `default: true` (found {value})",
                                   id=self.id, value=', '.join(defaults) or 'none'))
        return self

    @property
    def default(self) -> str | None:
        """The choice the scheme is written with (None: a reading without choices)."""
        return next((name for name, c in (self.choices or {}).items() if c.default), None)


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
    unit: str | None = Field(None, description="计量单位, e.g. 亿元, 万元, %, 人: a value given with another unit "
                             "of the same kind (62000万元) is converted into it, any other unit refused")
    min: Decimal | None = None
    max: Decimal | None = None
    values: list[str] | dict[str, str | list[str]] | None = Field(
        None, description="选项: enum values, or value: label (the document's word), or value: [label, other names]; "
        "a unit may give the value or any of its names")
    fields: dict[Id, Fact] | None = Field(None, description="events: the fields of one event")
    dated_by: Id | None = Field(None, description="events: the date field that places an event in a period")
    required: bool = Field(True, description="必填: default true; an event's date field other than its "
                           "`dated_by` defaults to false (a date the period logic does not read is not asked for)")
    required_when: Expr | None = Field(None, description="必填条件: required when this holds over other facts")
    default: Any = None
    better: Literal["higher", "lower"] | None = Field(None, description="monotonicity: more is better or worse")
    checks: list[FactCheck] = Field(default_factory=list, description="校验: conditions checked before scoring")
    deferred: Decimal | Literal["empty"] | None = Field(
        None, description="转入下年度: what a number fact counts as this period when the office writes 转入下年度 "
        "(计入下年度, 下年度, 缓报, deferred) for a value not available in time: a number, or `empty` (as if not "
        "given; an optional fact only). The item is listed in carried_over. Absent: the value cannot be deferred")
    given_back: Id | None = Field(
        None, description="上年度转入: this fact holds, this period, the value of the named fact that the period before "
        "deferred (转入下年度), e.g. `chaoyang_rank_late: {given_back: chaoyang_rank}`. The named fact must declare "
        "`deferred`; this one is optional and of the same type. `--carried-in` fills it from last period's deferred "
        "item (its `value`); a value given both there and in the facts is an error")

    @model_validator(mode="after")
    def _consistent(self) -> Fact:
        if self.type == "enum" and not self.values:
            raise ValueError(_("an enum fact needs `values`"))
        if self.type != "enum" and self.values is not None:
            raise ValueError(_("`values` belongs to enum facts"))
        named: dict[str, str] = {}
        for value, names in self.value_names_of().items():
            for name in names:
                if named.setdefault(name, value) != value:
                    raise ValueError(_("{name!r} names two values, {named!r} and {value!r}",
                                       name=name, named=named[name], value=value))
        if self.deferred is not None and self.type not in ("number", "count", "rate"):
            raise ValueError(_("`deferred` belongs to number, count and rate facts"))
        if self.deferred == "empty" and not self.optional:
            raise ValueError(_("`deferred: empty` counts a deferred value as not given: the fact must be optional "
                               "(`required: false`, or a `default`)"))
        if self.type == "events":
            if not self.fields:
                raise ValueError(_("an events fact needs `fields`"))
            if any(f.deferred is not None for f in self.fields.values()):
                raise ValueError(_("`deferred` goes on a unit's fact, not on an event's field (an event dated after "
                                   "the period is carried over by its date)"))
            if any(f.type == "events" for f in self.fields.values()):
                raise ValueError(_("event fields cannot themselves be events"))
            if any(f.checks for f in self.fields.values()):
                raise ValueError(_("`checks` over an event's fields go on the events fact, not on a field"))
            if self.dated_by is not None and (self.dated_by not in self.fields
                                              or self.fields[self.dated_by].type != "date"):
                raise ValueError(_("`dated_by: {dated_by}` must name a date field of the event",
                                   dated_by=self.dated_by))
            if self.dated_by is not None:  # an event carried in from an earlier period says which: it counts here
                given = self.fields.get(CARRIED_FROM)
                if given is None:
                    self.fields[CARRIED_FROM] = Fact(type="text", label="转入自",
                                                     required=False)
                elif given.type != "text":
                    raise ValueError(_("`{key}` is the period an event was carried in from: a text field",
                                       key=CARRIED_FROM))
            for name, field in self.fields.items():  # only the date that places an event is asked for
                if field.type == "date" and name != self.dated_by and "required" not in field.model_fields_set:
                    self.fields[name] = field.model_copy(update={"required": False})
        elif self.fields is not None or self.dated_by is not None:
            raise ValueError(_("`fields` and `dated_by` belong to events facts"))
        return self

    @property
    def enum_values(self) -> tuple[str, ...]:
        return tuple(self.values or ())

    def value_names_of(self) -> dict[str, tuple[str, ...]]:
        """Each enum value and the names it is given by: itself, then its label and other names."""
        values = self.values or []
        if not isinstance(values, dict):
            return {value: (value,) for value in values}
        return {value: (value, *([names] if isinstance(names, str) else names)) for value, names in values.items()}

    @cached_property
    def value_names(self) -> dict[str, str]:
        """Every name of an enum value (the value itself, its label, its other names) → the value."""
        return {name: value for value, names in self.value_names_of().items() for name in names}

    def value_label(self, value: str) -> str | None:
        """The label of an enum value (the first of its names), if it has one."""
        names = self.value_names_of().get(value, ())
        return names[1] if len(names) > 1 else None

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


Scope = Literal["group", "sequence"]


class Fill(Model):
    """按平均值: a unit whose inputs are missing gets its peers' average value."""

    peers: Scope = "group"
    zeros: Literal["include", "exclude"] = "include"
    when_none: Decimal = Field(Decimal(0), description="the value when no peer has one")


# --- the score tree --------------------------------------------------------------------------

class Leaf(Model):
    """A rule: exactly one shape, with optional caps, rounding and weight transfer."""

    # The shapes are the keys registered in ``apprule.evaluate.shapes`` (one module each, which also holds
    # the model of the shape's spec): the rule's spec, the value under that key, is validated by its shape
    # and kept as ``spec``; errors inside it are located under the key, as if it were a field.

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
    over_max: Literal["clamp", "refuse"] | None = Field(
        None, description="超过分值: in a `score` rule, a value above `max` is clamped (with a note) or refused "
        "(over-max); absent: refuse")

    _shape: str = PrivateAttr("")
    _spec: Any = PrivateAttr(None)

    @model_validator(mode="wrap")
    @classmethod
    def _one_shape(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> Leaf:
        if not isinstance(value, dict):
            return handler(value)  # type: ignore[no-any-return]
        from ..evaluate.shapes import SHAPES  # the shapes' modules import this one

        given = [name for name in SHAPES if value.get(name) is not None]  # `per: null` is no `per` (as a field)
        fields: list[InitErrorDetails] = []
        try:
            leaf: Leaf = handler({k: v for k, v in value.items() if k not in SHAPES})
        except ValidationError as exc:
            fields = [_detail(e) for e in exc.errors()]
        specs: dict[str, Any] = {}
        inside: list[InitErrorDetails] = []
        for name in given:
            try:
                specs[name] = SHAPES[name].adapter.validate_python(value[name])
            except ValidationError as exc:
                inside += [_detail(e, (name,)) for e in exc.errors()]
        if fields or inside:  # in pydantic's order: the fields' errors, the shape's (its fields came last), unknown keys
            unknown = [e for e in fields if e["type"] == "extra_forbidden"]
            raise ValidationError.from_exception_data(cls.__name__, [e for e in fields if e not in unknown] +
                                                      inside + unknown)
        if len(given) != 1:
            found = ", ".join(given) if given else "none"
            raise ValueError(_("rule {leaf!r} needs exactly one of {shapes} (found {found})",
                               leaf=leaf.id, shapes=', '.join(SHAPES), found=found))
        shape = given[0]
        if SHAPES[shape].zero_to_max and leaf.max is None:
            raise ValueError(_("a `{shape}` rule needs `max`", shape=shape))
        if leaf.max is not None and leaf.min is not None and leaf.min > leaf.max:
            raise ValueError(_("`min` is above `max`"))
        if leaf.over_max is not None and shape != "score":
            raise ValueError(_("`over_max` belongs to `score` rules (other shapes cap their points at `max`)"))
        leaf._shape, leaf._spec = shape, specs[shape]
        return leaf

    @property
    def shape(self) -> str:
        """The rule's shape: its key in ``apprule.evaluate.shapes.SHAPES``."""
        return self._shape

    @property
    def spec(self) -> Any:
        """The value under the shape's key, validated by the shape's model (a shape module casts it)."""
        return self._spec

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        """Every registered shape's key as an optional property, with its description (for editors)."""
        from ..evaluate.shapes import SHAPES
        json_schema = handler(schema)
        properties = handler.resolve_ref_schema(json_schema)["properties"]
        for name, shape in SHAPES.items():
            prop = handler(core_schema.with_default_schema(core_schema.nullable_schema(shape.adapter.core_schema),
                                                           default=None))
            if not (isinstance(shape.model, type) and issubclass(shape.model, BaseModel)):  # as pydantic titles
                # a field whose type is not a model
                prop["title"] = name.replace("_", " ").title()
            properties[name] = {**prop, "description": shape.description}
        return json_schema


def _detail(error: ErrorDetails, under: tuple[str, ...] = ()) -> InitErrorDetails:
    """A validation error as it is raised again, at ``under`` + its place (custom types keep their message)."""
    kind, ctx = error["type"], error.get("ctx")
    detail = InitErrorDetails(type=kind if kind in _PYDANTIC_ERRORS else PydanticCustomError(kind, error["msg"], ctx),
                              loc=(*under, *error["loc"]), input=error["input"])
    if ctx is not None:
        detail["ctx"] = ctx
    return detail


_PYDANTIC_ERRORS = frozenset(get_args(ErrorType))


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
        exactly_one(self, ("count", "share"), "a quota")
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

    id: Id | None = Field(None, description="the grant's id in results (absent: grant1, grant2… in order)")
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


#: the outcomes a scheme declares (``apprule.results.OUTCOME_KINDS`` less those rules, grades and vetoes make)
DeclaredKind = Literal["honour", "flag", "bar", "speech", "criticism", "commendation", "notice", "interview", "report",
                       "proposal", "pay"]


class Consequence(Model):
    """结果运用: a consequence the document names for the units a selection picks (表态发言, 通报批评, 不得评为优秀…).

    The selectors (`when`, `grades`, `first`/`last`) all hold for a unit picked, and an outcome without one is for
    every unit of the group; `first`/`last` count places in the group's ranking (or by `by`), in each ranking
    scope, the units tied at the last place counted all in.
    """

    id: Id
    kind: DeclaredKind = Field(description="honour 称号 / flag 标记 / bar 取消资格、不得评为 / speech 表态发言、典型发言、"
                               "作检查 / criticism 通报批评 / commendation 通报表扬、表彰 / notice 通报 / interview 约谈、诫勉谈话 "
                               "/ report 书面报告 / proposal 向上级提出的建议 / pay 奖金、考核奖")
    label: Label
    clause: Clause | None = None
    matter: str | None = Field(None, description="the matter or meeting it is for (下个月市政府常务会议)")
    when: Expr | None = Field(None, description="a condition over the unit's facts and values, total, rank, "
                              "rank_from_bottom, scope_size")
    grades: list[str] | None = Field(None, description="only units graded one of these")
    first: int | None = Field(None, ge=1, description="the first N places (第一名: 1) of the ranking, or of `by`")
    last: int | None = Field(None, ge=1, description="the last N places (排名靠后的1个: 1) of the ranking, or of `by`")
    by: Expr | None = Field(None, description="with first/last: rank by this value, higher first (专项评比第一名), "
                            "among the units the group ranks")

    @model_validator(mode="after")
    def _selects(self) -> Consequence:
        if self.first is not None and self.last is not None:
            raise ValueError(_("an outcome takes `first` or `last`, not both"))
        if self.by is not None and self.first is None and self.last is None:
            raise ValueError(_("`by` belongs with `first` or `last`"))
        return self


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
    outcomes: list[Consequence] = Field([], description="结果运用: consequences named for some units (表态发言…)")


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
    language: Literal["zh", "en"] | None = Field(
        None, description="语言: the language apprule speaks for this scheme (explanations, fact lists, errors); "
                          "`apprule --lang` overrides it, and without it the environment's locale decides")
    readings: list[Reading] = []
    display_places: int = Field(2, ge=0, le=12, description=(
        "分数显示的小数位数 (default 2, 保留两位小数): the places a score is shown to in every output where its "
        "rule, section, block or total declares no `round`; the value itself is not rounded"))
    facts: dict[Id, Fact] = {}
    groups: list[Group] = Field(min_length=1)
    aggregate: Aggregate | None = None
    #: reading id → the choice read_scheme applied where it is not the default (set by ``read_scheme``)
    _chosen: dict[str, str] = PrivateAttr(default_factory=dict)

    @property
    def in_force(self) -> dict[str, str]:
        """The readings in force: each switchable reading's id → its choice (the default unless chosen)."""
        return {r.id: self._chosen.get(r.id) or r.default or "" for r in self.readings if r.choices}

    @property
    def choice_labels(self) -> dict[str, str]:
        """The words of the readings in force: each switchable reading's id → its chosen choice's label."""
        chosen = self.in_force
        return {r.id: r.choices[chosen[r.id]].label for r in self.readings if r.choices}


def exactly_one(model: BaseModel, names: tuple[str, ...], what: str) -> None:
    """Raise when not exactly one of the fields ``names`` of ``model`` is given."""
    present = [n for n in names if getattr(model, n) is not None]
    if len(present) != 1:
        found = ", ".join(present) if present else "none"
        raise ValueError(_("{what} needs exactly one of {names} (found {found})",
                           what=_(what), names=', '.join(names), found=found))


Section.model_rebuild()
Block.model_rebuild()
Group.model_rebuild()
