"""Reading molecular and histological findings from pathology text: marker → positive / negative / not tested.

Pathology reports state a marker and its result in many orders ("IDH1/IDH2 wild-type",
"mutant IDH1", "no IDH mutation", "EGFR amplification: present", "CDKN2A/B: not tested"). A
marker's state is the nearest result word after it in the same clause, else the one just before
it, flipped by a negation around the pair. Structured findings are rendered to the same
``key: value.`` text first, so both inputs share one reader.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rag.calculators.rads.scan import evidence_for, is_negated
from rag.types import Evidence

__all__ = ["MarkerState", "Marker", "read_marker", "render_findings"]

_UNTESTED = (
    r"not (?:been )?(?:tested|performed|assessed|evaluated|available|done|determined)|untested|"
    r"unknown|failed|pending|indeterminate|inconclusive|n/?a\b|未检测|未做"
)
_CLAUSE_END = re.compile(r"[;.\n。；](?!\d)|\bbut\b|\bwhereas\b")


@dataclass(frozen=True)
class Marker:
    """A marker's name pattern and the words that report its result."""

    name: str
    pattern: re.Pattern[str]
    positive: str
    negative: str
    state_re: re.Pattern[str] | None = None

    def states(self) -> re.Pattern[str]:
        """One regex: untested | negative | positive, tried in that order at each position."""
        return re.compile(rf"(?P<untested>{_UNTESTED})|(?P<neg>{self.negative})|(?P<pos>{self.positive})", re.I)


@dataclass(frozen=True)
class MarkerState:
    """``pos`` / ``neg`` / ``untested`` with the evidence span that says so."""

    state: str
    evidence: Evidence


def read_marker(text: str, marker: Marker, descriptor: str) -> MarkerState | None:
    """The first mention of ``marker`` in ``text`` that carries a result."""
    states = marker.state_re or marker.states()
    for m in marker.pattern.finditer(text):
        end_clause = _CLAUSE_END.search(text, m.end())
        hi = min(end_clause.start() if end_clause else len(text), m.end() + 60)
        after = states.search(text, m.end(), hi)
        # A state word inside the marker phrase itself ("EGFR amplification") counts too.
        inner = states.search(text, m.start(), m.end())
        found = after if after and (not inner or after.start() - m.end() < 3) else inner or after
        if found is None:
            lo = max(0, m.start() - 40)
            before = [b for b in states.finditer(text, lo, m.start())]
            found = before[-1] if before else None
        if found is None:
            continue
        state = next(k for k in ("untested", "neg", "pos") if found.group(k))
        start, end = min(m.start(), found.start()), max(m.end(), found.end())
        if state != "untested" and is_negated(text, start, end):
            state = "neg" if state == "pos" else state
        return MarkerState(state, evidence_for(descriptor, state, text, start, end))
    return None


def render_findings(findings: Mapping[str, Any]) -> str:
    """Structured findings as ``key: value.`` text (the shape the text reader already handles)."""
    parts = []
    for key, value in findings.items():
        label = re.sub(r"_(mm|cm|percent|pct)$", r" \1", str(key)).replace("_", " ")
        if isinstance(value, bool):
            value = "yes" if value else "no"
        elif isinstance(value, list):
            value = "; ".join(str(v) for v in value)
        elif isinstance(value, Mapping):
            value = render_findings(value)
        unit = " %" if str(key).endswith(("_percent", "_pct")) else ""
        parts.append(f"{label}: {value}{unit}")
    return ". ".join(parts) + "."


def _m(name: str, pattern: str, positive: str, negative: str) -> Marker:
    marker = Marker(name, re.compile(pattern, re.I), positive, negative)
    return Marker(name, marker.pattern, positive, negative, marker.states())  # compiled once, at import


_YES = r"yes\b|present\b|positive\b|true\b|detected\b|identified\b|阳性|存在|检出"
_NO = r"no\b|absent\b|negative\b|false\b|none\b|not (?:detected|identified|present|seen)|阴性|未(?:见|检出|发现)[^，,；;。]{0,6}|无[^，,；;。]{0,6}"
# Chinese results ("IDH突变", "1p/19q无共缺失", "CDKN2A/B纯合缺失", "EGFR扩增", "TERT启动子突变"); the marker names are
# Latin, so their edges use (?<![A-Za-z0-9]) / (?![A-Za-z0-9]) where \b would fail next to a CJK character.
_MUT_ZH = r"(?:启动子)?(?:热点)?突变(?:型)?"
_WT_ZH = r"野生型|未突变|无突变"

GLIOMA_MARKERS = {
    "idh": _m(
        "IDH",
        r"(?<![A-Za-z0-9])IDH[12]?(?:\s*/\s*(?:IDH)?[12])?(?![\s-]*R132H)(?![A-Za-z0-9])(?:[- ]?(?:1|2))?(?:\s*(?:status|gene))?",
        rf"mut(?:ant|ation|ated)\b|mut\b|{_MUT_ZH}|{_YES}",
        rf"wild[- ]?type|\bwt\b|non-?mutant|{_WT_ZH}|{_NO}",
    ),
    "r132h": _m(
        "IDH1 R132H",
        r"(?<![A-Za-z0-9])(?:IDH1\s*)?R132H(?:\s*(?:immunostain(?:ing)?|IHC|immunohistochemistry|antibody))*",
        rf"positive\b|mutant\b|detected\b|阳性|{_MUT_ZH}",
        r"negative\b|not detected|no staining|阴性|野生型|未突变",
    ),
    "codeletion": _m(
        "1p/19q",
        r"(?<![A-Za-z0-9])1p\s*/?\s*19q(?![A-Za-z0-9])(?:[- ]?(?:status|codeletion status))?",
        rf"co-?delet(?:ed|ion)\b|(?:联合|共)缺失|{_YES}",
        rf"intact|retained|non-?co-?deleted|not co-?deleted|no co-?deletion|partial|无(?:联合|共)?缺失|未(?:见)?(?:联合|共)?缺失|{_NO}",
    ),
    "atrx": _m(
        "ATRX",
        r"(?<![A-Za-z0-9])ATRX(?![A-Za-z0-9])(?:\s*(?:expression|immunostain(?:ing)?|staining))?",
        rf"loss\b|lost\b|mutat(?:ed|ion)\b|mutant\b|(?:表达)?缺失|{_MUT_ZH}|{_YES}",
        rf"retained|intact|preserved|wild[- ]?type|(?:表达)?(?:保留|完整)|{_WT_ZH}|{_NO}",
    ),
    "h3k27": _m(
        "H3 K27",
        r"\bH3(?:\.3)?(?:F3A)?\s*(?:p\.)?(?:K27M?|K28M)?(?:[- ]?(?:altered|alteration|mutant|mutation))?\b|\bEZHIP\b",
        rf"alter(?:ed|ation)\b|mut(?:ant|ation|ated)\b|overexpress\w*|{_YES}",
        rf"wild[- ]?type|\bwt\b|intact|retained|{_NO}",
    ),
    "h3g34": _m("H3 G34", r"\bH3(?:\.3)?\s*G34[RV]?\b", rf"mut(?:ant|ation|ated)\b|{_YES}", rf"wild[- ]?type|{_NO}"),
    "cdkn2a": _m(
        "CDKN2A/B",
        r"(?<![A-Za-z0-9])CDKN2A(?:\s*/?\s*B|\s+and\s+CDKN2B)?(?![A-Za-z0-9])",
        rf"homozygous(?:ly)? (?:deletion|deleted|loss)|homozygous\b|deleted\b|deletion\b|loss\b|纯合(?:性)?缺失|{_YES}",
        rf"intact|retained|no (?:homozygous )?deletion|not deleted|hemizygous|heterozygous|wild[- ]?type|杂合(?:性)?缺失|{_WT_ZH}|{_NO}",
    ),
    "tert": _m(
        "TERT promoter",
        r"(?<![A-Za-z0-9])TERT(?:p|\s*promoter|\s*promotor)?(?![A-Za-z0-9])",
        rf"mut(?:ant|ation|ated)\b|C228T|C250T|{_MUT_ZH}|{_YES}",
        rf"wild[- ]?type|\bwt\b|{_WT_ZH}|{_NO}",
    ),
    "egfr": _m(
        "EGFR amplification",
        r"(?<![A-Za-z0-9])EGFR(?![A-Za-z0-9])(?:\s*(?:gene|copy number))?",
        rf"amplif(?:ied|ication)\b|\bamp\b|gain\b|(?:基因)?扩增|{_YES}",
        rf"not amplified|no amplification|non-?amplified|(?:无|未见)(?:基因)?扩增|{_NO}",
    ),
}
CHR7_10 = re.compile(
    r"\+\s*7\s*/\s*[-−–]\s*10\b|\b7\+\s*/\s*10-|\b(?:whole[- ])?chromosome 7 gain\b[^.;]{0,30}\b(?:chromosome )?10 loss\b|"
    r"\bgain of (?:whole )?chromosome 7\b[^.;]{0,30}\bloss of (?:whole )?chromosome 10\b|\btrisomy 7\b[^.;]{0,20}\bmonosomy 10\b|"
    r"\bchr(?:omosome)?\s*7\s*(?:gain)?\s*/\s*(?:chr(?:omosome)?\s*)?10\s*(?:loss)?\b|\bplus\s*7\s*minus\s*10\b|"
    r"\b7\s*gain\s*/\s*10\s*loss\b|\bchr(?:omosome)?\s*7\s*gain\s*(?:and\s*|/\s*)?(?:chr(?:omosome)?\s*)?10\s*loss\b",
    re.I,
)
