"""The Stage & RADS result's words in the UI language (English or Chinese).

The calculators write their ``missing`` items and ``notes`` in English. The page follows the
browser's language as the static UI does (``gr.I18n``): labels and result field names come from
tables here; a missing item is asked as a question about its descriptor (``"N: ..."`` -> the N
descriptor's Chinese name); a note is translated when it matches one of the staging calculator's
own message templates (``staging/calculator.py``), and otherwise shown in English, marked as such,
rather than guessed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

LABELS = {
    "en": {"missing": "Still needed:", "rules": "Rules applied", "click": "click for the passage",
           "in_report": "Evidence in the report:", "original": "", "discrepancy": "Discrepancy"},
    "zh": {"missing": "尚需提供：", "rules": "所用规则", "click": "点击查看原文段落",
           "in_report": "报告中的依据：", "original": "（英文原文）", "discrepancy": "不一致"},
}

FIELDS_ZH = {
    "T": "T（原发肿瘤）", "N": "N（区域淋巴结）", "M": "M（远处转移）", "stage": "分期", "level": "分级",
    "points": "总分", "points_minimum": "最低总分", "recommendation": "建议", "follow_up": "随访",
    "max_diameter_cm": "最大径（cm）", "nodule": "结节", "not_in_chart": "不在图表内", "category": "类别",
    "management": "处理建议", "grade": "分级", "diagnosis": "诊断", "score": "评分", "histology": "组织学类型",
    "psa": "PSA", "grade_group": "分级分组", "location": "部位", "age": "年龄", "mitotic_rate": "核分裂率",
    "primary_site": "原发部位", "prefix": "前缀", "zone": "分区",
}

DESCRIPTORS_ZH = {
    "T": "原发肿瘤（T）情况", "N": "区域淋巴结（N）状态", "M": "远处转移（M）情况",
    "psa": "PSA 值", "grade_group": "分级分组", "histology": "组织学类型", "grade": "分级", "location": "肿瘤部位",
    "age": "年龄", "mitotic_rate": "核分裂率", "primary_site": "原发部位", "composition": "成分",
    "echogenicity": "回声", "shape": "形态", "margin": "边缘", "echogenic foci": "强回声灶",
    "size": "大小", "max_diameter_cm": "最大径",
}

# (the English template the staging calculator writes, its Chinese form); {name} captures any text.
NOTE_TEMPLATES_ZH = (
    ("Stage group not assigned: it could be {candidates}.", "未能确定分期组：可能为 {candidates}。"),
    ("No {edition} stage group for {tnm}.", "{edition} 中没有与 {tnm} 对应的分期组。"),
    ("Stage {stage} assigned without {absent}: it holds whatever the missing value would be.",
     "缺少{absent}，仍判定为 {stage} 期：无论缺失值为何，结论不变。"),
    ("Stage {stage} is given without the {unknown}: every possible {unknown2} gives stage {stage2} for {tnm} (rules {rules}).",
     "未提供{unknown}时判定为 {stage} 期：对 {tnm}，{unknown} 的任一可能取值都得出 {stage} 期（规则 {rules}）。"),
    ("Ignored the report's {label}: not a category in {edition}.", "已忽略报告中的 {label}：它不是 {edition} 的类别。"),
)


def _pattern(template: str) -> re.Pattern[str]:
    """A regex for an English template: literal text, each ``{name}`` a non-greedy capture."""
    parts = re.split(r"\{(\w+)\}", template)
    regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
    return re.compile(f"^{regex}$")


_NOTES_ZH = tuple((_pattern(en), zh) for en, zh in NOTE_TEMPLATES_ZH)


def label(language: str, key: str) -> str:
    return LABELS.get(language, LABELS["en"])[key]


def field_name(key: str, language: str) -> str:
    """A result field's label (``stage`` -> 分期 in Chinese; unknown fields keep their name)."""
    return FIELDS_ZH.get(key, key) if language == "zh" else key


def missing_question(item: str, language: str = "en") -> str:
    """A missing input phrased as the question to ask the clinician.

    Items look like ``"N: regional lymph node status (...)"`` (descriptor, then what it needs) or
    a bare feature name; the Chinese question names the descriptor in Chinese.
    """
    head, _, detail = item.partition(": ")
    short = bool(detail) and len(head) <= 12
    what = detail if short else item
    if language != "zh":
        return f"What is the {what}?"
    key = head if short else item
    if key in DESCRIPTORS_ZH:
        return f"请提供：{DESCRIPTORS_ZH[key]}？"
    if key.replace(" ", "_") in DESCRIPTORS_ZH:
        return f"请提供：{DESCRIPTORS_ZH[key.replace(' ', '_')]}？"
    return f"请提供：{what}？"


def note_text(note: str, language: str) -> str:
    """A calculator note in the UI language: a known template translated, else the English marked as original."""
    if language != "zh":
        return note
    for pattern, zh in _NOTES_ZH:
        match = pattern.match(note.strip())
        if match:
            return zh.format(**{k: _zh_terms(v) for k, v in match.groupdict().items()})
    return f"{label(language, 'original')}{note}"


def _zh_terms(value: str) -> str:
    """Descriptor words inside a captured value (``N and M``) in Chinese; labels (IIB, T2a) unchanged."""
    words = re.split(r"(\s+and\s+|,\s*)", value)
    return "".join(DESCRIPTORS_ZH.get(w, "、" if w.strip() in ("and", ",", "") and w else w) for w in words)


def request_language(headers: Mapping[str, str] | None) -> str:
    """``zh`` when the browser's first language is Chinese (as ``gr.I18n`` reads it), else ``en``."""
    accept = (headers or {}).get("accept-language", "") if headers is not None else ""
    first = accept.split(",", 1)[0].strip().lower()
    return "zh" if first.startswith("zh") else "en"
