"""Finding descriptors in report text: vocabularies, negation, hedging, sizes and clause segments.

Every RADS parser reads two input shapes: natural radiology/pathology prose (English, and Chinese
for Lung-RADS and TI-RADS) and the ``key: value. key: value.`` rendering of structured findings
(lists joined by "; "). Both reduce to the same problem: find a descriptor, decide whether the
text affirms, negates or only suspects it, and keep the span so the result can be traced back.
Regexes are compiled once at import; parsing one report must stay well under 50 ms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from rag.calculators.context import Cue, assess, cues_in
from rag.calculators.rads.sizes import NUM, Size, find_sizes
from rag.errors import InvalidInput
from rag.types import Evidence

__all__ = [
    "Hit",
    "Size",
    "Vocab",
    "as_bool",
    "as_number",
    "clause_segments",
    "evidence_for",
    "find_age",
    "find_percent",
    "find_sizes",
    "finding_items",
    "findings_end",
    "finding_sizes",
    "findings_evidence",
    "is_hedged",
    "is_negated",
    "list_markers",
    "list_spans",
    "lookup",
    "norm_key",
    "round_tenth",
    "to_decimal",
]

# Negation cues that govern a descriptor later in the same clause ("no washout", "未见毛刺").
_NEG_PRE = re.compile(
    r"(?:\b(?:no|not|without|absent|negative\s+for|free\s+of|neither|nor|lacks?|lacking|"
    r"ruled\s+out|excluded)\b|未见|未|没有|不伴有?|否认|无(?!回声))",
    re.I,
)
# Cues right after a descriptor ("washout: no", "EGFR amplification not detected", "毛刺：无").
_NEG_POST = re.compile(
    r"^\s*(?:[:=：\-–]\s*)?(?:(?:is|are|was|were|has\s+been|have\s+been)\s+)?"
    r"(?:no\b|none\b|absent\b|negative\b|false\b|not\s+(?:seen|present|identified|detected|evident|"
    r"demonstrated|found|amplified|mutated|deleted|codeleted)\b|无(?!回声)|阴性|未见)",
    re.I,
)
# A coordinated denial after the terms: "washout and capsule are absent", "APHE or washout were not seen".
_NEG_POST_LIST = re.compile(
    r"^(?:\s*(?:,|\band\b|\bor\b|/)\s*[^.;,:。；]{1,40}?)+?\s+(?:are|were)\s+(?:both\s+)?"
    r"(?:absent|not\s+(?:seen|present|identified|demonstrated|evident))\b",
    re.I,
)
_POS_POST = re.compile(
    r"^\s*(?:[:=：\-–]\s*)?(?:(?:is|are|was|were)\s+)?(?:yes\b|present\b|positive\b|true\b|seen\b|"
    r"identified\b|detected\b|有|阳性)",
    re.I,
)
# Cues that make a feature uncertain; LI-RADS counts an uncertain major feature as absent.
_HEDGE_PRE = re.compile(
    r"(?:\b(?:possible|possibly|questionable|questionably|equivocal|uncertain|indeterminate|"
    r"suspected|may\s+(?:represent|be)|might\s+(?:represent|be)|could\s+be|cannot\s+(?:be\s+)?(?:excluded?|ruled\s+out)|"
    r"not\s+certain|vague|borderline)\b|\?|可疑|可能|不除外)",
    re.I,
)
# Hedges written after the term ("microcalcifications cannot be excluded", "点状强回声不除外", "毛刺可能").
_HEDGE_POST = re.compile(
    r"^\s*(?:[:=：]\s*)?(?:(?:is|are)\s+)?(?:uncertain|equivocal|indeterminate|possible|questionable|\?|"
    r"(?:cannot|can\s?not|could\s+not)\s+be\s+(?:excluded|ruled\s+out)|not\s+(?:excluded|ruled\s+out)|"
    r"不(?:能)?除外|不排除|可能|待排|待除外)",
    re.I,
)
# A negation or hedge stops at a clause boundary; commas only stop it before a new phrase.
_SCOPE_BREAK = re.compile(
    r"(?:(?<!\d)\.|\.(?!\d)|[;!?\n。；，:：]|\b(?:but|however|although|though|whereas|except|yet)\b|"
    r"但是?|,\s*(?=(?:a|an|the|there|which|with|and\s+(?:a|an|the))\b|\d)|"
    # "no washout and an enhancing capsule": an article opens a new, affirmed noun phrase.
    r"\s(?:and|with)\s+(?=(?:a|an|the|there)\s)|"
    # "not calcified and is solid", "no washout but shows a capsule": a new verb starts a new statement.
    r"\s(?:and|but)\s+(?=(?:is|are|was|were|has|have|shows?|demonstrates?)\b))",
    re.I,
)
_COMMA = re.compile(r"[,，、]")
_LIST_OR = re.compile(r"\b(?:or|nor)\b|或|及", re.I)
_CLAUSE_END = re.compile(r"(?<!\d)\.|\.(?!\d)|[;!?\n。；:：]")
# A hedge qualifies only the phrase it precedes ("possible washout, capsule" hedges washout only).
_HEDGE_BREAK = re.compile(rf"(?:{_SCOPE_BREAK.pattern}|,|、|\band\b|\bwith\b)", re.I)
_WINDOW = 80

_SENTENCE = re.compile(r"(?:(?<!\d)\.(?!\d)|\.(?=\s)|[;\n。；!?]|\.$)")
_MARKER = re.compile(
    # "(2)" right after a word is a value ("solid (2)" = its points), not a list marker.
    r"(?:(?<![A-Za-z\u4e00-\u9fff])(?<![A-Za-z\u4e00-\u9fff] )\(\s*(\d{1,2})\s*\)|"
    r"(?<![\w.])(\d{1,2})\)\s|(?:^|(?<=[\s:;,.。；，]))(?:nodule|lesion|observation|"
    r"finding|结节|病灶)\s*(?:#|no\.?\s*)?(\d{1,2}|[A-H](?=\s*[(:：]))\s*(?:\([^)]{0,30}\)\s*)?[:：)\-]|[①②③④⑤⑥⑦⑧⑨])",
    re.I,
)

_NUM = NUM
_PERCENT = re.compile(rf"(?P<a>{_NUM})\s*(?:(?:-|–|to)\s*(?P<b>{_NUM})\s*)?(?:%|percent\b)", re.I)


@dataclass(frozen=True)
class Hit:
    """One vocabulary term found in the text, with how the text qualifies it."""

    value: str
    start: int
    end: int
    negated: bool
    hedged: bool


class Vocab:
    """Terms for one descriptor: value -> regexes; longest non-overlapping match wins."""

    def __init__(self, terms: Mapping[str, Iterable[str]]) -> None:
        self.values = tuple(terms)
        self._patterns = tuple((value, re.compile(p, re.I)) for value, pats in terms.items() for p in pats)

    def find(self, text: str, lo: int = 0, hi: int | None = None) -> list[Hit]:
        """All non-overlapping hits in ``text[lo:hi]``, in text order."""
        hi = len(text) if hi is None else hi
        raw: list[tuple[int, int, str]] = []
        for value, pat in self._patterns:
            raw.extend((m.start(), m.end(), value) for m in pat.finditer(text, lo, hi))
        raw.sort(key=lambda r: (-(r[1] - r[0]), r[0]))
        taken: list[tuple[int, int, str]] = []
        for s, e, v in raw:
            if all(e <= ts or s >= te for ts, te, _ in taken):
                taken.append((s, e, v))
        taken.sort()
        return [Hit(v, s, e, is_negated(text, s, e, lo), is_hedged(text, s, e, lo)) for s, e, v in taken]

    def match_value(self, value: str) -> str | None:
        """The vocabulary value a structured-findings string names, or None."""
        text = str(value)
        hits = [h for h in self.find(text) if not h.negated]
        return hits[0].value if hits else None


def _clause_start(text: str, start: int, lo: int, breaks: re.Pattern[str] | None = None) -> int:
    begin = max(lo, start - _WINDOW)
    last = begin
    for m in (breaks or _SCOPE_BREAK).finditer(text, begin, start):
        last = m.end()
    return last


def _pseudo_spans(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """ConText pseudo-cues ("no significant change", "no interval growth", "not only") in ``text[lo:hi]``."""
    return [(c.start, c.end) for c in cues_in(text)
            if c.kind == "pseudo" and c.end > lo and c.start < hi and _PSEUDO_HONOURED.search(c.text)]


# Pseudo-cues about change or emphasis only: "no longer seen" and "no further washout" still deny a finding.
_PSEUDO_HONOURED = re.compile(r"change|increase|growth|only|necessarily|变化", re.I)


def _tight(text: str, cue: Cue, start: int, end: int) -> bool:
    """A ConText cue that sits right at the term: no comma, colon or list between them.

    ConText's scopes are built for pathology sentences; in RADS findings lists ("T2W 1, DWI 3,
    negative DCE", "no APHE, nonperipheral washout and an enhancing capsule", "3 mm nodule in the
    lingula, not present on the prior screen") a cue across a comma or colon belongs to another item.
    """
    gap = text[cue.end : start] if cue.end <= start else text[end : cue.start]
    return len(gap) <= 30 and not _TIGHT_BREAK.search(gap)


_TIGHT_BREAK = re.compile(r"[,，、:：;；]|\b(?:and|or|with|but)\b", re.I)


def is_negated(text: str, start: int, end: int, lo: int = 0) -> bool:
    """Whether the clause around ``text[start:end]`` denies it.

    One cue vocabulary: the RADS scope rules below (lists joined by "or" negate every member;
    "and a/an" starts an affirmed phrase; "washout: no") decide first, with ConText's pseudo-cues
    ("no significant change in the spiculated nodule") removed from them; ConText's own negation
    ("washout is absent", "spiculation has been excluded", "denies", 排除) is added when its cue sits
    right at the term (``_tight``).
    """
    if _scan_negated(text, start, end, lo):
        return True
    denial = assess(text, start, end)
    return any(c.kind == "negated" and _tight(text, c, start, end) for c in denial.cues) and not denial.uncertain


def is_hedged(text: str, start: int, end: int, lo: int = 0) -> bool:
    """Whether the clause only suspects ``text[start:end]`` ("possible washout", "capsule?", "suggestive of washout")."""
    if _scan_hedged(text, start, end, lo):
        return True
    return any(c.kind == "uncertain" and _tight(text, c, start, end) and not _IMPRESSION_VERB.fullmatch(c.text)
               for c in assess(text, start, end).cues)


# 考虑 / 倾向 ("considered", "favoured") is how Chinese reports state their impression ("考虑癌栓"):
# ConText reads it as uncertain for staging, but in a RADS finding it asserts the finding.
_IMPRESSION_VERB = re.compile(r"考虑为?|倾向(?:于|为)?")


def _scan_negated(text: str, start: int, end: int, lo: int = 0) -> bool:
    """The RADS scope rules for negation (pre- and post-cues, coordinated lists); pseudo-cues never negate."""
    tail = text[end : end + 40]
    if _NEG_POST.match(tail) or _NEG_POST_LIST.match(text[end : end + 80]):
        return True
    begin = _clause_start(text, start, lo)
    cues = list(_NEG_PRE.finditer(text, begin, start))
    if cues:
        pseudo = _pseudo_spans(text, begin, start)
        cues = [m for m in cues if not any(a <= m.start() < b for a, b in pseudo)]
    if cues and not _COMMA.search(text, cues[-1].end(), start):
        return True  # "no capsule is seen", "without washout or capsule is identified": the cue governs the term
    if _POS_POST.match(tail):
        return False  # "no washout, capsule present"
    if not cues:
        return False
    cue = cues[-1]
    # "no A, B or C" negates the whole list; "no calcifications, wider than tall" negates only A.
    stop = _CLAUSE_END.search(text, end)
    return _LIST_OR.search(text, cue.end(), stop.start() if stop else len(text)) is not None


def _scan_hedged(text: str, start: int, end: int, lo: int = 0) -> bool:
    """Whether the clause only suspects ``text[start:end]`` ("possible washout", "capsule?")."""
    if _HEDGE_POST.match(text[end : end + 20]):
        return True
    return _HEDGE_PRE.search(text, _clause_start(text, start, lo, _HEDGE_BREAK), start) is not None


# The summary section of a report restates (and often rounds) what the findings described.
_IMPRESSION = re.compile(
    r"(?:^|(?<=[\n.。;；]))\s*(?:impressions?|conclusions?|summary|opinion)\s*[:：]|"
    r"(?:印象|诊断意见|意见|结论|影像(?:学)?诊断|超声(?:提示|诊断)|提示)\s*[:：]",
    re.I,
)


def findings_end(text: str) -> int:
    """Where the impression / conclusion section starts (the text's length when there is none).

    Readers take findings from the part before it so that a restated, rounded size ("IMPRESSION:
    new 6 mm nodule" after "7 x 5 mm" in the findings) never becomes a second finding; they fall
    back to the whole text when the findings part holds none.
    """
    m = _IMPRESSION.search(text)
    return m.start() if m and m.start() > 0 else len(text)


def finding_sizes(text: str, lo: int, hi: int, finding: re.Pattern[str], other: re.Pattern[str]) -> list[Size]:
    """Sizes in ``text[lo:hi]`` except those in clauses about another structure.

    "Prostate measures 4.5 x 3.8 x 4.0 cm", "Liver span 18 cm", "iliac lymph node 1.8 cm": a clause
    that names another structure (``other``) and no finding (``finding``) measures something else,
    and its size must never become the lesion's.
    """
    out: list[Size] = []
    for s, e in clause_segments(text[:hi]):
        if e <= lo:
            continue
        s = max(s, lo)
        if other.search(text, s, e) and not finding.search(text, s, e):
            continue
        out.extend(find_sizes(text, s, e))
    return out


def clause_segments(text: str) -> list[tuple[int, int]]:
    """Sentence-like pieces (split at . ; newlines and list markers), as offsets."""
    cuts = {0, len(text)}
    for m in _SENTENCE.finditer(text):
        cuts.add(m.end())
    for m in _MARKER.finditer(text):
        cuts.add(m.start())
    bounds = sorted(cuts)
    out = []
    for s, e in zip(bounds, bounds[1:], strict=False):
        while s < e and text[s] in " \t\r\n.;。；":
            s += 1
        if s < e:
            out.append((s, e))
    return out


def list_markers(text: str) -> list[int]:
    """Offsets of numbered list markers: "(1)", "1) ", "Nodule 2:", "①"."""
    return [m.start() for m in _MARKER.finditer(text)]


def list_spans(text: str) -> list[tuple[int, int]]:
    """The text cut at its list markers: one ``(start, end)`` per item (the whole text if none)."""
    cuts = [0, *[m for m in list_markers(text) if m > 0], len(text)]
    return [(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if b > a]


def find_percent(text: str, lo: int = 0, hi: int | None = None) -> list[tuple[float, float, int, int]]:
    """Percentages as (low, high, start, end); a single value has low == high."""
    hi = len(text) if hi is None else hi
    out = []
    for m in _PERCENT.finditer(text, lo, hi):
        a = float(m.group("a"))
        b = float(m.group("b")) if m.group("b") else a
        out.append((a, b, m.start(), m.end()))
    return out


_AGE = re.compile(
    r"\b(\d{1,3})[- ]?(?:years?|yrs?)[- ]?old\b|\bage[d]?\s*[:=]?\s*(\d{1,3})\b|\b(\d{1,3})\s*(?:y/?o|yo)\b|"
    r"(\d{1,3})\s*岁",
    re.I,
)


def find_age(text: str) -> tuple[int, int, int] | None:
    """A patient age in years as (age, start, end): "58-year-old", "age: 15", "45 yo", "58岁"."""
    m = _AGE.search(text)
    if not m:
        return None
    g = next(i for i in range(1, 5) if m.group(i))
    return int(m.group(g)), m.start(g), m.end(g)


def to_decimal(value: float | int | str) -> Decimal:
    """An exact decimal for threshold comparisons (15 mm / 10 must equal 1.5 cm)."""
    return Decimal(str(value))


def round_tenth(value: Decimal) -> Decimal:
    """Round half-up to 0.1 (Lung-RADS keeps mean diameters to one decimal)."""
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def evidence_for(descriptor: str, value: Any, text: str, start: int, end: int) -> Evidence:
    """Evidence for a span of free text."""
    return Evidence(descriptor, str(value), start, end, text[start:end])


def findings_evidence(descriptor: str, value: Any, key: str, raw: Any) -> Evidence:
    """Evidence for a structured finding: no text span exists, so start = end = -1."""
    return Evidence(descriptor, str(value), -1, -1, f"{key}: {raw}")


def norm_key(key: str) -> str:
    """Findings keys compare case- and punctuation-insensitively ("T2W_score" == "t2w score")."""
    return "".join(ch for ch in str(key).lower() if ch.isalnum())


def lookup(findings: Mapping[str, Any], *names: str) -> tuple[str, Any] | None:
    """The first key among ``names`` (or a synonym differing only in case/punctuation) present."""
    index = {norm_key(k): k for k in findings}
    for name in names:
        key = index.get(norm_key(name))
        if key is not None and findings[key] is not None and findings[key] != "":
            return key, findings[key]
    return None


def finding_items(findings: Mapping[str, Any], keys: tuple[str, ...], example: str) -> list[Mapping[str, Any]]:
    """The per-lesion objects of structured findings: the list under one of ``keys``, else ``findings`` itself.

    Why shared: every multi-lesion calculator accepts both one lesion's keys and a list of them,
    and must reject a list of non-objects with the same advice (``example`` shows one item).
    """
    found = lookup(findings, *keys)
    items = found[1] if found else [findings]
    if not isinstance(items, list) or not all(isinstance(x, Mapping) for x in items):
        raise InvalidInput(f"'{keys[0]}' must be a list of objects", hint=f"e.g. {example}")
    return items


_TRUE = {
    "yes",
    "y",
    "true",
    "present",
    "positive",
    "pos",
    "+",
    "1",
    "seen",
    "detected",
    "identified",
    "有",
    "是",
    "阳性",
}
_FALSE = {
    "no",
    "n",
    "false",
    "absent",
    "negative",
    "neg",
    "-",
    "0",
    "none",
    "not seen",
    "not present",
    "not detected",
    "无",
    "否",
    "阴性",
    "未见",
}
_UNKNOWN = {
    "unknown",
    "uncertain",
    "equivocal",
    "indeterminate",
    "possible",
    "not assessed",
    "not stated",
    "?",
    "n/a",
    "na",
    "不确定",
}


def as_bool(value: Any, key: str) -> bool | None:
    """A yes/no finding; None for explicitly uncertain values. Anything else is rejected."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if text in _UNKNOWN:
        return None
    raise InvalidInput(
        f"finding {key!r} has value {value!r}, expected yes/no",
        hint="use true/false, yes/no, present/absent or 'uncertain'",
    )


def as_number(value: Any, key: str) -> float:
    """A number from a finding: 15, 15.0, "15", "15 mm" (the unit is the caller's concern)."""
    if isinstance(value, bool):
        raise InvalidInput(f"finding {key!r} must be a number, got {value!r}", hint="give a number")
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        m = re.search(_NUM, str(value))
        if not m:
            raise InvalidInput(f"finding {key!r} must be a number, got {value!r}", hint="give a number")
        number = float(m.group(0))
    if number < 0 or number != number:
        raise InvalidInput(
            f"finding {key!r} must be a non-negative number, got {value!r}", hint="give a non-negative number"
        )
    return number
