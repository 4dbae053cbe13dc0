"""The JSON Schema of the scheme language for editors: draft-07, generated from the pydantic models.

The YAML language server (VS Code, JetBrains, Neovim …) understands draft-07; a
scheme file that starts with ``# yaml-language-server: $schema=…`` gets completion,
hover text in Chinese and inline errors. The schema accepts what the loader
accepts: the shorthands ``round: 2`` and ``otherwise: 5``, reusable ``blocks`` and
``use:``. It checks shape only; names, references and maxima are checked by
``apprule check``.

A copy ships inside the package (``shipped_schema_path()``) and in
docs/apprule.schema.json; a test keeps both equal to ``editor_schema()``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DRAFT_07 = "http://json-schema.org/draft-07/schema#"
SCHEMA_FILE = "apprule.schema.json"

#: definitions whose YAML may also be a scalar shorthand (the models' BeforeValidators)
SHORTHANDS: dict[str, list[dict[str, Any]]] = {
    "Rounding": [{"type": "integer", "minimum": 0, "maximum": 12, "description": "保留N位小数 (四舍五入)"}],
    "Award": [{"type": ["number", "string"], "description": "分值 (points)"}],
}

#: hover text for keys whose model field has no description: "Model.key" first, then "key" (a rule's shape
#: keys have theirs from their shapes, ``Shape.description``)
GLOSSARY = {
    "clause": "条款: 出处, e.g. 五(一)4(6)", "note": "备注", "label": "标签: 文件原文的名称",
    "round": "保留小数: `2` 或 {places: 2, mode: half_up}", "split_round": "并列分摊后保留小数",
    "points": "分值 (负数为扣分)", "honours": "荣誉 (记功、嘉奖…)", "flags": "标记 (一票否决…)",
    "Band.from": "下限 (含, ≥)", "Band.above": "下限 (不含, >)", "Band.to": "上限 (含, ≤)",
    "Band.below": "上限 (不含, <)", "bands": "分段 (区间) 计分", "match": "分段匹配: one 唯一 / first 首个 / all 全部",
    "gaps": "分段间的空隙: error 报错 / allowed 允许", "max": "满分 / 最高分", "min": "最低分 / 下限",
    "Fact.max": "最大值", "Fact.min": "最小值", "Movement.max": "最高加分",
    "rules": "规则", "Grades.rules": "等次规则", "table": "对照表计分", "formula": "公式",
    "Total.formula": "总分公式 (加权等)", "type": "类型: number 数值 / count 个数 / rate 比率 / boolean 是否 / "
    "enum 选项 / text 文本 / date 日期 / events 事件清单", "required": "必填", "default": "默认值",
    "peers": "取平均值的范围: group 本组 / sequence 本序列", "zeros": "零分是否计入平均: include / exclude",
    "value": "每个事件的分值", "where": "筛选条件", "combine": "合并方式: sum 求和 / max 只计最高 / "
    "min / max_abs / highest_level 同一项目只计最高级别",
    "grade": "等次", "when": "条件", "quota": "名额 (个数或比例)", "levels": "等次, 从高到低",
    "scope": "范围: group 本组 / sequence 本序列", "quota_counts": "名额计数: each 各自 / cumulative 累计 / "
    "largest_remainder 最大余额", "rounding": "名额取整: floor 舍 / ceil 进 / half_up 四舍五入",
    "boundary_ties": "名额边界并列: include 都给 / exclude 都不给", "unused_places": "未用名额: lapse 作废 / "
    "roll_down 顺延下一等次", "grants": "直接确定等次 (可直接确定为…)", "uses_quota": "是否占用名额",
    "over_bars": "是否不受否决限制", "units": "单位名单 (花名册)", "sequences": "序列 (分类排名)",
    "unbalanced": "分项满分之和不等于满分的理由", "sections": "考评内容 (得分项)", "adjustments": "加减分事项",
    "total": "总分", "ranking": "排名", "grades": "等次评定", "vetoes": "一票否决等情形",
    "transfer": "权重转移方式: rescale 按比例 / full 全额", "fill": "缺项按同类单位平均值计分",
    "order": "排序: desc 高者在前 / asc 低者在前",
    "per_place": "每移动一位的分值", "hold_first": "保持第一名的分值", "size": "每档的大小",
    "whole": "不足一档: floor 不计 / ceil 计 / nearest 四舍五入 / pro_rata 按比例",
    "kind": "期间: year 年 / half_year 半年 / quarter 季 / month 月", "start": "起始日 (含)", "end": "截止日 (含)",
    "count": "个数", "share": "比例 (0–1)", "rank": "外部名次 (表达式)", "RankTable.by": "按此表达式在单位间排名",
    "Ranking.by": "排名依据 (默认总分)", "map": "对照表: 值 → 分值", "ties": "并列处理",
    "tie_breakers": "同分时依次比较", "question": "文件不明确之处", "choice": "采用的理解", "places": "保留几位小数",
    "mode": "取舍: half_up 四舍五入 / half_even / down / up / floor / ceiling", "items": "分项",
    "measure": "比较方式: ratio 完成值÷目标值−1 / difference 差值", "over": "超额部分: 每档加分",
    "under": "不足部分: 每档减分", "otherwise": "其他情形的分值", "effects": "否决的后果",
    "unrank": "取消排名资格", "bar": "不得评为这些等次", "cap": "最高只能评为", "force": "直接认定为",
    "demote": "降几个等次", "title": "方案标题", "issuer": "发文机关", "date": "成文日期", "period": "考评期间",
    "source": "来源", "readings": "对文件歧义的解读", "facts": "需要各单位提供的数据 (事实)", "groups": "考评对象分类",
    "aggregate": "多期汇总 (按权重核分)", "method": "汇总方法", "blocks": "可复用的片段, 用 `use:` 引用",
    "use": "引用 `blocks` 中的片段", "overrides": "对引用片段中规则的修改: 规则编号 → 要改的键",
    "id": "标识: 字母、数字、_", "of": "计分依据 (表达式)", "target": "目标值 (表达式)", "test": "条件 (表达式)",
    "events": "事件清单事实", "key": "同一项目: 先按此字段取值合并", "dsl": "方案语言版本", "document": "文号",
    "weights": "各期权重", "missing": "缺少某期结果时的处理", "values": "选项", "fields": "事件的字段",
    "dated_by": "确定事件所属期间的日期字段", "better": "单调性: higher 越大越好 / lower 越小越好",
    "when_none": "无同类单位可取平均时的分值", "GradeRule.sequences": "适用的序列", "Grant.from": "仅限已获这些等次的单位",
    "derived": "派生量 (中间结果)", "applies": "适用条件: 不成立时该单位无此项", "tie_count": "并列单位个数",
    "unbalanced": "分项满分之和不等于满分的理由", "otherwise": "其他情形的分值",
    "key_max": "同一项目合并后的最高分 (每项最高…分)",
}


def editor_schema() -> dict[str, Any]:
    """The JSON Schema (draft-07) of a scheme file, with Chinese descriptions of every key."""
    from ..scheme.model import SchemeDefinition

    raw = SchemeDefinition.model_json_schema(ref_template="#/definitions/{model}", mode="validation")
    definitions = raw.pop("$defs", {})
    for name, definition in [*definitions.items(), ("SchemeDefinition", raw)]:
        for key, prop in definition.get("properties", {}).items():
            text = GLOSSARY.get(f"{name}.{key}") or GLOSSARY.get(key)
            given = prop.get("description", "")
            if text and not any("\u4e00" <= ch <= "\u9fff" for ch in given):
                prop["description"] = f"{text} — {given}" if given else text
    definitions["Use"] = {
        "type": "object", "required": ["use"], "description": GLOSSARY["use"],
        "properties": {"use": {"type": "string", "description": GLOSSARY["use"]},
                       "overrides": {"type": "object", "description": GLOSSARY["overrides"]}},
    }
    raw["properties"]["blocks"] = {"type": "object", "description": GLOSSARY["blocks"],
                                   "additionalProperties": True}
    schema = {"$schema": DRAFT_07, "$id": "https://apprule.invalid/apprule.schema.json",
              **_usable(_draft07(raw)),
              "definitions": {k: _usable(_draft07(v)) for k, v in sorted(definitions.items())}}
    schema["title"] = "apprule scheme (考评方案)"
    _name_unknown_keys(schema, schema["definitions"])
    return schema


def _name_unknown_keys(node: Any, definitions: dict[str, Any]) -> None:
    """Give each union of models (a score-tree node) the names its members allow.

    A misspelled key fails every member of a ``oneOf``, and an editor then says only "not valid
    under any of the given schemas". ``propertyNames`` adds an error of its own that names the key
    and lists the allowed ones.
    """
    if isinstance(node, list):
        for item in node:
            _name_unknown_keys(item, definitions)
        return
    if not isinstance(node, dict):
        return
    choices = node.get("oneOf")
    if isinstance(choices, list) and choices and all(set(c) == {"$ref"} for c in choices):
        names = {key for c in choices for key in definitions[c["$ref"].rsplit("/", 1)[-1]].get("properties", {})}
        node["propertyNames"] = {"enum": sorted(names)}
    for value in node.values():
        _name_unknown_keys(value, definitions)


def _draft07(node: Any) -> Any:
    """Rewrite pydantic's output for draft-07 and the loader's shorthands (``round: 2``, ``use:``)."""
    if isinstance(node, list):
        return [_draft07(item) for item in node]
    if not isinstance(node, dict):
        return node
    choices = node.get("oneOf")
    if isinstance(choices, list) and choices and all(set(c) == {"$ref"} for c in choices):
        # a union of models (a score-tree node): `use:` is one more choice, not one per member
        node = {**node, "oneOf": [*choices, {"$ref": "#/definitions/Use"}]}
        return {k: (v if k == "oneOf" else _draft07(v)) for k, v in node.items()}
    node = {k: _draft07(v) for k, v in node.items()}
    ref = node.get("$ref")
    if ref is None:
        return node
    name = ref.rsplit("/", 1)[-1]
    target: dict[str, Any] = {"$ref": ref}
    if name != "Use":
        target = {"anyOf": [*SHORTHANDS.get(name, []), target, {"$ref": "#/definitions/Use"}]}
    rest = {k: v for k, v in node.items() if k != "$ref"}
    return {**rest, **target} if "anyOf" not in rest else {**rest, "allOf": [target]}


def _usable(definition: dict[str, Any]) -> dict[str, Any]:
    """Any key's value may be ``{use: block}`` (the loader expands it before validation)."""
    use = {"$ref": "#/definitions/Use"}
    for key, prop in definition.get("properties", {}).items():
        if key in ("use", "overrides") or use in prop.get("anyOf", ()) or use in prop.get("oneOf", ()):
            continue
        rest = {k: v for k, v in prop.items() if k not in ("description", "title", "default")}
        kept = {k: v for k, v in prop.items() if k in ("description", "title", "default")}
        definition["properties"][key] = {**kept, "anyOf": [rest, use]}
    return definition


def schema_text() -> str:
    """The schema as the text shipped (stable: sorted keys, two-space indent, final newline)."""
    return json.dumps(editor_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def shipped_schema_path() -> Path:
    """The schema file inside the installed package (point an editor's ``$schema=`` at it)."""
    return Path(__file__).with_name(SCHEMA_FILE)
