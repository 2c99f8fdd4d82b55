"""What a scenario is, in words: its label (`baseline · cap 2 · nearby`) and a description generated
from its resolved keys, in Chinese or English.

    >>> from consolidate.describe import label, describe
    >>> label("baseline", {"rules.district_cap": 2, "merging.contiguity": "nearby"})
    'baseline · cap 2 · nearby'
    >>> describe(load_scenario("cap-2").for_region(load_region("tianjin")).as_dict(), "en")
    'At most 2 zones per district (滨海新区 exempt), counted by the district that runs each zone. …'

A scenario file's own `description:` is prose someone wrote for the file as it stands; once `--set`
or another region changes a key it goes stale ("at most 3" under a cap of 2, Tianjin's 滨海新区 in
another city). So the words shown for a plan are generated here from the keys it was solved with,
and anything region-specific (exempt districts) comes from the resolved keys, which come from the region.
"""
from __future__ import annotations

import json
from typing import Any

SEP = " · "
NOT_PART_OF_THE_NAME = ("name", "description", "region", "solver.", "evaluation.")


def flatten(data: dict, prefix: str = "") -> dict[str, Any]:
    """{'a': {'b': 1}} → {'a.b': 1}: the dotted keys `--set` takes (an allocation rule stays whole)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value and key != "allocation":
            out.update(flatten(value, path + "."))
        elif isinstance(value, dict) and key == "allocation":
            out.update({f"{path}.{k}": v for k, v in value.items()})
        else:
            out[path] = value
    return out


def differences(mine: dict, base: dict, skip: tuple[str, ...] = ("name", "description")) -> dict[str, Any]:
    """The resolved keys where `mine` differs from `base` (both resolved scenarios as plain data)."""
    ours, theirs = flatten(mine), flatten(base)
    return {k: v for k, v in ours.items() if not k.startswith(skip) and v != theirs.get(k)}


def overrides_from_named(scenario, region=None) -> dict[str, Any]:
    """How `scenario` differs from the scenario file it is named after (its --set overrides, in effect),
    leaving out the region and solver settings; {} when no bundled or local file bears its name."""
    from .errors import InputError
    from .scenario import load_scenario

    try:
        named = load_scenario(scenario.name)
    except InputError:
        return {}
    mine = scenario.for_region(region) if region is not None else scenario
    if region is not None:
        named = named.for_region(region)
    return differences(mine.as_dict(), named.as_dict(), NOT_PART_OF_THE_NAME)


# --- the label ----------------------------------------------------------------------------------------

PHRASES = {
    "en": {"rules.district_cap": "cap {v}", "merging.contiguity": "{v}", "merging.max_distance_km": "≤ {v} km",
           "merging.cross_district": "{yes_no} cross-district", "revocation.allowed": "{yes_no} revocation",
           "objective.weights.revocation": "revocation weight {v}", "objective.weights.distance": "distance weight {v}",
           "objective.weights.host_quality": "host quality weight {v}",
           "objective.weights.zone_count": "zone count weight {v}", "count_by": "{v}",
           "rules.exempt_districts": "exempt {v}", "allocation.gdp": "GDP {v}",
           "allocation.fiscal_revenue": "revenue {v}", "merging.customs": "customs {v}",
           "yes": "", "no": "no"},
    "zh": {"rules.district_cap": "上限 {v}", "merging.contiguity": "{v}", "merging.max_distance_km": "≤ {v} km",
           "merging.cross_district": "{yes_no}跨区", "revocation.allowed": "{yes_no}撤销",
           "objective.weights.revocation": "撤销权重 {v}", "objective.weights.distance": "距离权重 {v}",
           "objective.weights.host_quality": "牵头质量权重 {v}", "objective.weights.zone_count": "数量权重 {v}",
           "count_by": "{v}", "rules.exempt_districts": "豁免 {v}", "allocation.gdp": "GDP {v}",
           "allocation.fiscal_revenue": "财政收入 {v}", "merging.customs": "海关 {v}",
           "yes": "", "no": "不"},
}

VALUES = {
    "zh": {"nearby": "相近", "adjacent": "相邻", "connected": "连片", "territorial": "属地", "host": "归牵头方",
           "managing_district": "按管理区计", "location_district": "按所在地计", "fold": "合并", "separate": "分开",
           "ignore": "不区分", "entrusted": "委托代管", "co_construction": "合作共建", "multi_park": "一区多园"},
    "en": {"managing_district": "by manager", "location_district": "by location", "co_construction": "co-construction",
           "multi_park": "one-zone-many-parks", "host": "to host"},
}


def value_text(value: Any, lang: str = "en") -> str:
    """A key's value the way a reader says it: 2, nearby/相近, split 50%, [a, b] as a、b."""
    words = VALUES.get(lang, {})
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if isinstance(value, dict) and set(value) == {"split"}:
        share = f"{100 * float(value['split']):g}%"
        return f"分成 {share}" if lang == "zh" else f"split {share}"
    if isinstance(value, (list, tuple)):
        return ("、" if lang == "zh" else ", ").join(value_text(v, lang) for v in value) or "—"
    if value is None:
        return "不限" if lang == "zh" else "none"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return words.get(str(value), str(value))


def phrase(key: str, value: Any, lang: str = "en") -> str:
    """One override as a short phrase: rules.district_cap=2 → 'cap 2' / '上限 2'."""
    table = PHRASES.get(lang, PHRASES["en"])
    if key in table:
        yes_no = table["yes"] if value is True else table["no"] if value is False else ""
        return table[key].format(v=value_text(value, lang), yes_no=yes_no).strip()
    return f"{key.rsplit('.', 1)[-1]} {value_text(value, lang)}"


def label(name: str, overrides: dict[str, Any] | None = None, lang: str = "en") -> str:
    """The plan's name: its scenario, then each override as a phrase (`baseline · cap 2 · nearby`)."""
    return SEP.join([name, *(phrase(k, v, lang) for k, v in (overrides or {}).items())])


# --- the description ------------------------------------------------------------------------------

LEVEL_NAMES = {"zh": {"national": "国家级", "municipal": "市级", "district": "区级", "subdistrict": "区级以下"},
               "en": {"national": "national", "municipal": "municipal", "district": "district",
                      "subdistrict": "sub-district"}}


MEASURE_NAMES = {"zh": {"gdp": "GDP", "fiscal_revenue": "财政收入", "employment": "就业"},
                 "en": {"gdp": "GDP", "fiscal_revenue": "fiscal revenue", "employment": "employment"}}


def rule_sentence(measure: str, rule: Any, lang: str = "en") -> str:
    """How a sharing rule credits `measure`, in words: the one place the rules are stated, for the
    description, the allocation chart and the report (`rule` as a scenario or summary.json writes it:
    territorial, host, split:0.5 or {split: 0.5}, area, investment)."""
    from .allocation import parse_rule

    rule = parse_rule(rule, f"allocation.{measure}").spec()
    zh = lang == "zh"
    name = MEASURE_NAMES["zh" if zh else "en"].get(measure, measure)
    if rule == "territorial":
        return f"{name}按属地原则留在开发区所在区" if zh else f"{name} stays with the district where each zone lies"
    if rule == "host":
        return f"{name}全部归牵头开发区的管理区" if zh else f"{name} goes to the district that runs the host"
    if isinstance(rule, dict) and "split" in rule:
        share = f"{100 * float(rule['split']):g}%"
        return (f"{name}的 {share} 归牵头开发区的管理区，其余属地" if zh
                else f"{share} of {name} goes to the host's district, the rest stays where the zone lies")
    how = {"area": ("按面积分成", "is shared by approved area"), "investment": ("按投资分成", "is shared by investment")}
    zh_text, en_text = how.get(str(rule), (f"按 {rule} 分成", f"is shared by rule {rule}"))
    return f"{name}{zh_text}" if zh else f"{name} {en_text}"


def describe(resolved: dict, lang: str = "en", names: dict[str, str] | None = None) -> str:
    """A description of the resolved scenario, generated from its keys (never from the file's prose);
    `names` turns district names into the reader's language (e.g. 滨海新区 → Binhai New Area)."""
    zh = lang == "zh"
    names = names or {}
    levels = LEVEL_NAMES["zh" if zh else "en"]
    rules, merging, revocation = resolved.get("rules", {}), resolved.get("merging", {}), resolved.get("revocation", {})
    sentences = []

    exempt = [names.get(str(d), str(d)) for d in rules.get("exempt_districts") or []]
    cap = rules.get("district_cap")
    by = resolved.get("count_by", "managing_district")
    if zh:
        s = f"每区最多保留 {cap} 个开发区"
        s += f"（{'、'.join(exempt)}豁免）" if exempt else ""
        s += "，按管理区计数" if by == "managing_district" else "，按所在区计数"
    else:
        s = f"At most {cap} zone{'' if cap == 1 else 's'} per district" + (f" ({', '.join(exempt)} exempt)" if exempt else "")
        s += (", counted by the district that runs each zone" if by == "managing_district"
              else ", counted where each zone lies")
    caps = rules.get("district_caps") or {}
    if caps:
        s += ("；" if zh else "; ") + ("、" if zh else ", ").join(f"{names.get(str(d), d)} {c}" for d, c in caps.items())
    sentences.append(s)

    hosts = merging.get("hosts", {})
    host_levels = ("、" if zh else " and ").join(levels.get(lv, lv) for lv in hosts.get("levels", []))
    functional = hosts.get("functional_areas")
    km = merging.get("max_distance_km")
    contiguity = merging.get("contiguity", "adjacent")
    modes = ("、" if zh else ", ").join(value_text(m, lang) for m in merging.get("modes", []))
    if zh:
        where = {"adjacent": "相邻", "nearby": "相近", "connected": "连片"}.get(contiguity, contiguity)
        s = f"{host_levels}开发区" + ("和功能区" if functional else "") + f"可牵头整合{where}的开发区"
        s += f"（{km:g} km 以内）" if km else ""
        s += "" if merging.get("cross_district", True) else "，不跨区"
        s += f"，方式：{modes}"
        if hosts.get("min_score") is not None:
            s += f"；市级及以下牵头方评价得分至少 {hosts['min_score']:g}"
    else:
        where = {"adjacent": "adjacent", "nearby": "nearby", "connected": "connected (as one contiguous group)"}
        s = f"{host_levels.capitalize()} zones" + (" and functional areas" if functional else "")
        s += f" host {where.get(contiguity, contiguity)} zones" + (f" within {km:g} km" if km else "")
        s += "" if merging.get("cross_district", True) else ", within their own district"
        s += f", by {modes}"
        if hosts.get("min_score") is not None:
            s += f"; municipal and lower hosts need a score of at least {hosts['min_score']:g}"
    sentences.append(s)

    if not revocation.get("allowed", True):
        sentences.append("不撤销开发区" if zh else "No zone is revoked")
    else:
        share = revocation.get("max_gdp_share")
        protect = ("、" if zh else " and ").join(levels.get(lv, lv) for lv in revocation.get("protect_levels", []))
        if zh:
            s = (f"GDP 不超过所在区开发区 GDP {100 * share:g}% 的小开发区可撤销" if share is not None else "开发区可撤销")
            s += f"（{protect}开发区除外）" if protect else ""
        else:
            s = (f"Small zones (at most {100 * share:g}% of their district's zone GDP) may be revoked"
                 if share is not None else "Zones may be revoked")
            s += f", {protect} zones never" if protect else ""
        sentences.append(s)

    customs = merging.get("customs", "fold")
    if customs == "fold":
        sentences.append("海关特殊监管区只与同类整合，合并为综合保税区" if zh
                         else "Customs areas merge only with customs areas and fold into comprehensive bonded zones")
    elif customs == "separate":
        sentences.append("海关特殊监管区不参与整合" if zh else "Customs areas never merge")

    allocation = resolved.get("allocation") or {}
    if allocation:
        sentences.append(("；" if zh else "; ").join(rule_sentence(m, r, lang) for m, r in allocation.items()))

    fairness = resolved.get("fairness") or {}
    if fairness.get("max_district_loss") is not None:
        loss = f"{100 * fairness['max_district_loss']:g}%"
        sentences.append(f"任何区的损失不超过 {loss}" if zh else f"No district loses more than {loss}")
    end = "。" if zh else ". "
    return (end.join(sentences) + end).strip()


def named_value(value: Any) -> str:
    """A resolved value as compact text for tables (JSON for lists and mappings)."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
