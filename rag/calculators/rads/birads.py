"""BI-RADS 5th edition (2013): assessment category from likelihood of malignancy, stated category or findings.

Decisions:
- A stated likelihood of malignancy decides (boundaries inclusive as DOMAIN §8: ≤2 % → 3,
  >2–10 → 4A, >10–50 → 4B, >50–<95 → 4C, ≥95 → 5). 0 % cannot separate 1 from 2: the category
  stays null with ``candidates``. A range ("10–50 %") is read at its midpoint (noted).
- Otherwise a stated category is used, else the wording ("probably benign", "highly suggestive").
- 4A/4B/4C only for mammography and ultrasound: at MRI they become 4 (BIRADS.RULE.SUBCATEGORY_MODALITY).
- Category 3 is not used at screening mammography: the exam becomes 0 (recall for diagnostic
  work-up) with a note (BIRADS.RULE.SCREENING_CATEGORY_3). Screening MRI may use 3; screening
  ultrasound is allowed with a note that it is debated.
- Several findings: the exam category follows 1 < 2 < 3 < 6 < 0 < 4 < 5, stated as a convention.
- Labels outside 0–6 / 4A–4C ("4D") raise InvalidInput.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Any

from rag.calculators.rads.scan import (
    Vocab,
    clause_segments,
    evidence_for,
    find_percent,
    findings_evidence,
    lookup,
    to_decimal,
)
from rag.calculators.rads.stated import current_statements
from rag.calculators.rads.trace import Trace
from rag.errors import InvalidInput
from rag.types import CalcResult, Discrepancy, Evidence

__all__ = ["BIRADS", "category_for_likelihood"]

VALID = ("0", "1", "2", "3", "4", "4A", "4B", "4C", "5", "6")
EXAM_ORDER = ("1", "2", "3", "6", "0", "4", "5")  # DOMAIN §13 convention (unverified ordering)
# (category, low, low inclusive, high, high inclusive) in percent.
LIKELIHOOD_ROWS = (
    ("3", Decimal(0), False, Decimal(2), True),
    ("4A", Decimal(2), False, Decimal(10), True),
    ("4B", Decimal(10), False, Decimal(50), True),
    ("4C", Decimal(50), False, Decimal(95), False),
    ("5", Decimal(95), True, Decimal(100), True),
)
MANAGEMENT = {
    "0": "Incomplete: additional imaging and/or comparison with prior examinations.",
    "1": "Routine screening.",
    "2": "Routine screening.",
    "3": "Short-interval (6-month) follow-up, then continued surveillance.",
    "4": "Tissue diagnosis.",
    "5": "Tissue diagnosis.",
    "6": "Surgical excision when clinically appropriate.",
}

_MODALITY = Vocab(
    {
        "mammography": [r"\bmammogra(?:m|ms|phy|phic)\b", r"\btomosynthesis\b", r"\bDBT\b", r"钼靶", r"乳腺X线"],
        "ultrasound": [r"\bultrasound\b", r"\bsonogra(?:m|phy|phic)\b", r"\bUS\b", r"超声"],
        "MRI": [r"(?<![A-Za-z0-9])MRI?(?![A-Za-z0-9])", r"\bmagnetic resonance\b", r"磁共振"],
    }
)
_SETTING = Vocab(
    {
        "screening": [r"\bscreening\b", r"筛查"],
        "diagnostic": [r"\bdiagnostic\b", r"\bwork-?up\b", r"\bcall-?back\b", r"\brecall(?:ed)?\b", r"诊断性"],
    }
)
_WORDING = Vocab(
    {
        "6": [
            r"\bbiopsy[- ]proven (?:malignancy|cancer|carcinoma)\b",
            r"\bknown biopsy[- ]proven\b",
            r"\bbiopsy[- ]proven (?:\w+ ){0,3}?(?:malignancy|cancer|carcinoma|IDC|ILC|DCIS|adenocarcinoma)\b",
            r"\b(?:staging|pre-?treatment|pre-?operative|extent[- ]of[- ]disease) (?:MRI|evaluation|imaging)\b[^.;]{0,20}"
            r"\bknown (?:\w+ ){0,3}?(?:breast )?(?:cancer|carcinoma|malignancy)\b",
            r"(?:穿刺)?活检(?:病理)?(?:已)?证实(?:为)?[^，。；,;]{0,12}癌",
            r"癌\s*[，,]?\s*(?:经)?(?:空芯针|粗针)?(?:穿刺)?活检(?:病理)?(?:已)?证实",  # "浸润性导管癌，空芯针穿刺活检证实"
            r"\b(?:biopsy|pathology|pathologically)[- ](?:proven|confirmed) (?:\w+ ){0,3}?(?:malignancy|cancer|carcinoma|IDC|ILC|DCIS)\b",
        ],
        "5": [r"\bhighly suggestive of malignancy\b", r"\bhighly suspicious (?:for|of) malignancy\b", r"高度(?:提示|怀疑|可疑)恶性"],
        "4": [
            r"\bsuspicious (?:for|of) malignancy\b",
            r"\bsuspicious (?:mass|calcifications?|finding|abnormality|lesion)\b",
        ],
        "3": [r"\bprobably benign\b", r"可能良性"],
        "2": [
            r"\bbenign(?:[- ]appearing)? (?:findings?|mass(?:es)?|calcifications?)\b",
            r"\bsimple cysts?\b",
            r"\b(?:calcified|involuting) fibroadenoma\b",
            r"\bintramammary lymph node\b",
            r"\boil cysts?\b",
            r"\b(?:secretory|vascular|dystrophic) calcifications?\b",
            r"\bbreast implants?\b",
            r"(?:^|[.;:]\s*)benign(?=\s*(?:[.;]|$))",  # "Assessment: benign."
        ],
        "1": [
            r"\bnegative (?:exam|examination|study|mammogram)\b",
            r"\bno (?:suspicious )?(?:masses|mass|findings|abnormalit(?:y|ies))\b",
            r"(?:^|[.;:]\s*)negative(?=\s*(?:[.;]|$))",  # "Impression: Negative." (not "HER2 negative")
        ],
        "0": [
            r"\bincomplete\b",
            r"\bneeds? additional (?:imaging|evaluation)\b",
            r"\badditional imaging (?:is )?(?:needed|required)\b",
        ],
    }
)
_DENSITY = Vocab(
    {
        "a": [r"\balmost entirely fatty\b", r"\bdensity (?:category )?a\b"],
        "b": [r"\bscattered (?:areas of )?fibroglandular(?: density| tissue)?\b", r"\bdensity (?:category )?b\b"],
        "c": [r"\bheterogeneously dense\b", r"\bdensity (?:category )?c\b"],
        "d": [r"\bextremely dense\b", r"\bdensity (?:category )?d\b"],
    }
)
_TREATED = re.compile(
    r"\b(?:status[- ]post|s/p|after|following|post-?operative)\s+(?:\w+\s+){0,3}?(?:lumpectomy|mastectomy|excision|resection|surgery|"
    r"breast[- ]conserving|neoadjuvant (?:therapy|chemotherapy) completed)\b|\btreated with\b|\bpost-?(?:lumpectomy|mastectomy|surgical)\b|"
    r"术后|已行[^，。；]{0,8}(?:切除|手术)",
    re.I,
)
_LOM_BARE = re.compile(r"\b(?:likelihood|probability|risk|chance) of malignancy(?: percent)?\s*[:=]\s*(\d+(?:\.\d+)?)(?![\d.]*\s*(?:mm|cm))", re.I)
_LIKELIHOOD_CUE = re.compile(r"malignan|likelihood|probability|\bLOM\b|\brisk\b|chance|恶性", re.I)
# "(?![A-Za-z0-9])" rather than "(?!\w)": in "4A类" the Chinese classifier is a word character.
_STATED = re.compile(
    r"(?<![A-Za-z0-9])BI-?RADS\s*(?:\(\s*5th[^)]*\)\s*)?(?:assessment\s*)?(?:category\s*|分类|类别)?\s*[:=：]?\s*(\d[A-Za-z]?)(?![A-Za-z0-9])"
    r"|\b(?:assessment )?category\s*[:=]?\s*(\d[A-Za-z]?)(?![A-Za-z0-9])",
    re.I,
)


_SUBCAT_AFTER = re.compile(r"[^.;\n]{0,25}?\(\s*(?:BI-?RADS\s*)?4?\s*([ABCabc])\s*\)")


def _subcategory(text: str, cat: str, end: int) -> str:
    """"Category 4 suspicious (4B)": a subcategory written just after a bare 4 refines it."""
    if cat != "4":
        return cat
    m = _SUBCAT_AFTER.match(text, end)
    return f"4{m.group(1).upper()}" if m else cat


def category_for_likelihood(percent: Decimal) -> str | None:
    """The category a likelihood of malignancy (in %) falls in; None for 0 % (1 or 2)."""
    if percent < 0 or percent > 100:
        raise InvalidInput(f"likelihood of malignancy {percent}% is outside 0–100%", hint="give a percentage")
    for cat, lo, lo_inc, hi, hi_inc in LIKELIHOOD_ROWS:
        if (percent >= lo if lo_inc else percent > lo) and (percent <= hi if hi_inc else percent < hi):
            return cat
    return None


def _validate(label: str) -> str:
    label = label.strip().upper().removeprefix("BI-RADS").removeprefix("BIRADS").strip()
    if label not in VALID:
        raise InvalidInput(
            f"'BI-RADS {label}' is not a BI-RADS 5th-edition category", hint=f"valid categories: {', '.join(VALID)}"
        )
    return label


def _major(cat: str) -> str:
    return cat[0] if cat.startswith("4") else cat


class _Finding:
    def __init__(
        self,
        likelihood: tuple[Decimal, Evidence] | None = None,
        stated: tuple[str, Evidence] | None = None,
        wording: tuple[str, Evidence] | None = None,
        ranged: bool = False,
    ) -> None:
        self.likelihood, self.stated, self.wording, self.ranged = likelihood, stated, wording, ranged


class BIRADS:
    """BI-RADS 5th edition assessment categories."""

    system = "BI-RADS"
    edition = "ACR BI-RADS Atlas, 5th edition (2013)"
    aliases = ("BIRADS", "BI-RADS 5", "BI-RADS-5th", "ACR BI-RADS")

    def from_text(self, text: str) -> CalcResult:
        """Assess a breast-imaging report excerpt."""
        findings: list[_Finding] = []
        for s, e in clause_segments(text):
            if not _LIKELIHOOD_CUE.search(text, s, e):
                continue
            percents = find_percent(text, s, e)
            if not percents and (bare := _LOM_BARE.search(text, s, e)):  # "likelihood of malignancy: 15" (a rendered finding)
                v = float(bare.group(1))
                percents = [(v, v, bare.start(1), bare.end(1))]
            for lo, hi, ps, pe in percents:
                value = (to_decimal(lo) + to_decimal(hi)) / 2
                findings.append(
                    _Finding(
                        likelihood=(value, evidence_for("birads.likelihood_percent", value, text, ps, pe)),
                        ranged=lo != hi,
                    )
                )
        stated = [(_subcategory(text, _validate(m.group(1) or m.group(2)), m.end()), m) for m in current_statements(text, _STATED)]
        stated_f = [
            _Finding(stated=(c, evidence_for("birads.stated_category", c, text, m.start(), m.end()))) for c, m in stated
        ]
        wording = [h for h in _WORDING.find(text) if not h.negated and not (h.value == "6" and h.hedged)]
        treated = _TREATED.search(text)
        if treated and any(h.value == "6" for h in wording):
            # Category 6 is for a known cancer before definitive therapy; a treated one is history.
            wording = [h for h in wording if h.value != "6"]
            history_note = "a biopsy-proven cancer already treated is history: category 6 applies only before definitive therapy"
        else:
            history_note = ""
        words_f = [
            _Finding(wording=(h.value, evidence_for("birads.wording", h.value, text, h.start, h.end))) for h in wording
        ]
        evidence: list[Evidence] = []
        modalities = []
        for h in _MODALITY.find(text):
            if not h.negated and h.value not in modalities:
                modalities.append(h.value)
                evidence.append(evidence_for("birads.modality", h.value, text, h.start, h.end))
        setting = next((h for h in _SETTING.find(text) if not h.negated), None)
        if setting:
            evidence.append(evidence_for("birads.setting", setting.value, text, setting.start, setting.end))
        density = next((h for h in _DENSITY.find(text) if not h.negated), None)
        if density:
            evidence.append(evidence_for("birads.density", density.value, text, density.start, density.end))
        result = self._run(
            findings,
            stated_f,
            words_f,
            modalities,
            setting.value if setting else None,
            density.value if density else None,
            evidence,
        )
        if history_note:
            result = replace(result, notes=(*result.notes, history_note))
        return result

    def from_findings(self, findings: Mapping[str, Any], tnm: str | None = None) -> CalcResult:
        """Assess structured findings: likelihood_of_malignancy (%), category, modality, setting, density."""
        evidence: list[Evidence] = []
        items = lookup(findings, "findings", "lesions")
        rows = items[1] if items and isinstance(items[1], list) else [findings]
        lom_f: list[_Finding] = []
        stated_f: list[_Finding] = []
        for i, row in enumerate(rows):
            if not isinstance(row, Mapping):
                raise InvalidInput(f"finding {i + 1} must be an object", hint='e.g. {"likelihood_of_malignancy": 2}')
            if found := lookup(
                row,
                "likelihood_of_malignancy",
                "likelihood_of_malignancy_percent",
                "lom",
                "lom_percent",
                "malignancy_likelihood",
                "probability_of_malignancy",
                "malignancy_risk_percent",
            ):
                key, val = found
                pct = find_percent(str(val))
                try:
                    value = ((to_decimal(pct[0][0]) + to_decimal(pct[0][1])) / 2) if pct else to_decimal(float(val))
                except (TypeError, ValueError):
                    raise InvalidInput(
                        f"finding {key!r} must be a percentage, got {val!r}", hint="e.g. 2 or '2%'"
                    ) from None
                lom_f.append(
                    _Finding(
                        likelihood=(value, findings_evidence("birads.likelihood_percent", value, key, val)),
                        ranged=bool(pct) and pct[0][0] != pct[0][1],
                    )
                )
            if found := lookup(row, "category", "birads", "bi_rads", "assessment", "stated_category"):
                cat = _validate(str(found[1]))
                stated_f.append(_Finding(stated=(cat, findings_evidence("birads.stated_category", cat, *found))))
        modalities: list[str] = []
        if found := lookup(findings, "modality", "exam", "exam_type", "imaging"):
            for h in _MODALITY.find(str(found[1])):
                if h.value not in modalities:
                    modalities.append(h.value)
            if not modalities:
                raise InvalidInput(
                    f"unknown breast-imaging modality {found[1]!r}", hint="use mammography, ultrasound or MRI"
                )
            evidence.append(findings_evidence("birads.modality", "/".join(modalities), *found))
        setting = None
        for key in ("setting", "exam", "exam_type", "indication", "modality"):
            if (found := lookup(findings, key)) and (hit := _SETTING.match_value(str(found[1]))):
                setting = hit
                evidence.append(findings_evidence("birads.setting", hit, *found))
                break
        density = None
        if found := lookup(findings, "density", "breast_density"):
            density = str(found[1]).strip().lower().removeprefix("density").strip()[:1]
            if density not in ("a", "b", "c", "d"):
                raise InvalidInput(f"unknown breast density {found[1]!r}", hint="use a, b, c or d")
            evidence.append(findings_evidence("birads.density", density, *found))
        return self._run(lom_f, stated_f, [], modalities, setting, density, evidence)

    def _run(
        self,
        lom: list[_Finding],
        stated: list[_Finding],
        wording: list[_Finding],
        modalities: list[str],
        setting: str | None,
        density: str | None,
        evidence: list[Evidence],
    ) -> CalcResult:
        trace = Trace()
        trace.use(*evidence)
        subcats_ok = not modalities or any(m in ("mammography", "ultrasound") for m in modalities)
        source = lom or stated or wording
        cats: list[str] = []
        candidates: list[str] = []
        for f in source:
            cat: str | None
            if f.likelihood:
                value, ev = f.likelihood
                trace.use(ev)
                cat = category_for_likelihood(value)
                if f.ranged:
                    trace.note(f"a likelihood range was read at its midpoint ({value}%)")
                if cat is None:
                    candidates = ["1", "2"]
                    trace.need("whether the exam is negative (1) or shows a benign finding (2)")
                    continue
            elif f.stated:
                cat, ev = f.stated
                trace.use(ev)
            else:
                assert f.wording is not None
                cat, ev = f.wording
                trace.use(ev)
            cats.append(self._adjust(cat, subcats_ok, modalities, setting, trace))
        if not source:
            trace.need("likelihood of malignancy (%) or an assessment category, and the modality")
        if lom:
            for f in stated:
                assert f.stated is not None
                trace.use(f.stated[1])
        category = None
        if cats:
            category = max(cats, key=lambda c: EXAM_ORDER.index(_major(c)))
            if len(cats) > 1:
                trace.rule("BIRADS.RULE.EXAM_ORDER")
                trace.note("exam category from several findings by the order 1 < 2 < 3 < 6 < 0 < 4 < 5 (a convention)")
            trace.rule(f"BIRADS.CAT.{category}")
        if density:
            trace.rule("BIRADS.RULE.DENSITY")
        if lom and stated and category:
            s_cat, s_ev = stated[0].stated  # type: ignore[misc]
            if s_cat != category:
                trace.discrepancies.append(
                    Discrepancy(
                        "category",
                        s_cat,
                        category,
                        s_ev,
                        tuple(f.likelihood[1] for f in lom if f.likelihood),
                        f"BIRADS.CAT.{category}",
                        f"the report states BI-RADS {s_cat} but the likelihood gives {category}",
                    )
                )
        result: dict[str, Any] = {
            "category": category,
            "likelihood_of_malignancy_percent": float(lom[0].likelihood[0]) if lom and lom[0].likelihood else None,
            "modality": "/".join(modalities) or None,
            "setting": setting,
            "density": density,
            "management": MANAGEMENT[_major(category)] if category else None,
        }
        if candidates and category is None:
            result["candidates"] = candidates
        return trace.freeze(self.system, self.edition, result)

    @staticmethod
    def _adjust(cat: str, subcats_ok: bool, modalities: list[str], setting: str | None, trace: Trace) -> str:
        if cat.startswith("4") and len(cat) == 2 and not subcats_ok:
            trace.rule(f"BIRADS.CAT.{cat}", "BIRADS.RULE.SUBCATEGORY_MODALITY")
            trace.note(f"{cat} is for mammography and ultrasound; at MRI the category is 4")
            return "4"
        if cat.startswith("4") and len(cat) == 2 and not modalities:
            trace.note("4A/4B/4C assume mammography or ultrasound (MRI uses 4 only)")
        if cat == "3" and setting == "screening":
            if modalities == ["MRI"]:
                trace.note("category 3 can be used at screening MRI")
            elif modalities == ["ultrasound"]:
                trace.note("category 3 at screening ultrasound is debated")
            else:
                trace.rule("BIRADS.CAT.3", "BIRADS.RULE.SCREENING_CATEGORY_3")
                trace.note("category 3 is not used at screening mammography: recall for diagnostic work-up (0)")
                return "0"
        return cat
