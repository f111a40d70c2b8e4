"""PI-RADS v2.1: overall assessment per lesion from the dominant sequence of its zone.

Peripheral zone: DWI decides; DWI 3 with positive DCE becomes 4. Transition zone: T2W decides;
T2W 2 → 3 when DWI ≥4, T2W 3 → 4 when DWI = 5; DCE never changes a TZ score. When a score is
not given, the DWI score (and the TZ T2W score) is derived from the description; 1.5 cm counts
as "≥1.5 cm" (PIRADS.RULE.SIZE_BOUNDARY).

Decisions: a central-zone lesion is assessed like the peripheral zone (noted). When the input
that could still change the score is missing (DCE for PZ DWI 3, DWI for TZ T2W 2/3, the zone
when the zones disagree) ``category`` is null with ``candidates`` and the input in ``missing``;
"DCE not performed"/"biparametric" counts as negative DCE.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from rag.calculators.rads.multi import most_severe, summarise
from rag.calculators.rads.ranges import both_ends
from rag.calculators.rads.scan import (
    Hit,
    Vocab,
    as_number,
    evidence_for,
    finding_items,
    finding_sizes,
    findings_end,
    findings_evidence,
    list_spans,
    lookup,
    to_decimal,
)
from rag.calculators.rads.stated import Stated, adopt_stated, asserted_stated
from rag.calculators.rads.trace import Trace
from rag.errors import InvalidInput
from rag.types import CalcResult, Evidence

__all__ = ["PIRADS"]

SIZE_CUT_CM = Decimal("1.5")
_ZONE = Vocab(
    {
        "PZ": [r"\bperipheral zone\b", r"\bPZ\b", r"外周带"],
        "TZ": [r"\btransition(?:al)? zone\b", r"\bTZ\b", r"移行带"],
        "CZ": [r"\bcentral zone\b", r"\bCZ\b", r"中央带"],
    }
)
# Chinese writes "T2WI评分3分", "DWI评分：4分"; the score words sit between the sequence and the digit.
_T2W = re.compile(
    r"(?<![A-Za-z0-9])T2(?:W|WI|-?weighted)?(?:\s*(?:score|imaging|评分))?(?:\s+of)?\s*[:=：]?\s*(?:(?:score|评分)(?:\s+of)?\s*[:=：]?\s*)?(\d+)(?!\d|\.\d)",
    re.I,
)
_DWI = re.compile(
    r"(?<![A-Za-z0-9])(?:DWI|DW|diffusion)(?:\s*/\s*ADC)?(?:\s*(?:score|评分))?(?:\s+of)?\s*[:=：]?\s*(?:(?:score|评分)(?:\s+of)?\s*[:=：]?\s*)?(\d+)(?!\d|\.\d)",
    re.I,
)
_STATED = re.compile(
    r"(?<![A-Za-z0-9])PI-?RADS\s*(?:v(?:ersion)?\s*2(?:\.1)?\s*)?(?:category|score|assessment|评分|分类|分级)?\s*[:=：]?\s*"
    r"(\d+)(?![A-Za-z0-9]|\.\d)",
    re.I,
)
_OLD = re.compile(r"\bPI-?RADS\s*v(?:ersion)?\s*2(?!\.\d)\b", re.I)
_DCE = Vocab(
    {
        "positive": [
            r"\bDCE\s*(?:is\s*)?[:=]?\s*(?:positive|\+|pos)(?!\w)",
            r"\bpositive DCE\b",
            r"\bearly,? focal (?:contrast )?enhancement\b",
            r"\bearly enhancement\b",
            r"^\s*(?:positive|\+|pos|yes|true)\s*$",
            r"(?:(?<![A-Za-z0-9])DCE|动态增强)(?:扫描)?\s*(?:呈)?阳性",
            r"(?<![A-Za-z0-9])DCE\s*[:：]?\s*[（(]\s*[+＋]\s*[)）]",
            r"(?:动态增强|DCE)(?:扫描)?(?:呈|示|可见|见)?早期(?:局灶(?:性)?)?(?:明显)?强化",
        ],
        "negative": [
            r"\bDCE\s*(?:is\s*)?[:=]?\s*(?:negative|-|neg)(?!\w)",
            r"\bnegative DCE\b",
            r"\bno (?:(?:focal|early|definite|suspicious),? ){1,3}(?:contrast )?enhancement\b",
            r"\bdiffuse (?:early )?enhancement\b",
            r"^\s*(?:negative|-|neg|no|false)\s*$",
            r"(?:(?<![A-Za-z0-9])DCE|动态增强)(?:扫描)?\s*(?:呈)?阴性",
            r"(?<![A-Za-z0-9])DCE\s*[:：]?\s*[（(]\s*[-－−]\s*[)）]",
            r"(?:动态增强|DCE)(?:扫描)?(?:未见|无)(?:明显)?早期(?:局灶(?:性)?)?强化",
        ],
        "not performed": [
            r"\bDCE\s*[:=]?\s*(?:was )?not (?:performed|done|available|acquired)\b",
            r"(?<![A-Za-z0-9])DCE\s*[:：]?\s*未(?:做|行|检查)",
            r"\bbi-?parametric\b",
            r"\bbpMRI\b",
            r"\bwithout (?:contrast|DCE)\b",
            r"^\s*(?:not performed|not done|n/?a|none)\s*$",
        ],
    }
)
_DWI_DESC = Vocab(
    {
        "normal": [r"\bno abnormalit(?:y|ies) on (?:ADC|DWI|high[- ]b)\b", r"\bnormal (?:on )?(?:ADC|DWI|diffusion)\b"],
        "linear": [r"\blinear\b", r"\bwedge[- ]shaped\b", r"线(?:样|状)", r"楔形"],
        "focal": [r"\bfocal\b", r"局灶"],
    }
)
_MARKED = re.compile(
    r"\bmarked(?:ly)?\s+(?:hypo|hyper)-?intens\w*(?:\s+\w+){0,4}?\s+(?:on\s+)?(?:the\s+)?(ADC|high[- ]?b(?:[- ]value)?|DWI|both)",
    re.I,
)
# "ADC图呈明显低信号", "高b值DWI呈明显高信号": marked on ADC / on the high b-value images.
# Also "DWI呈局灶性明显高信号" (a short modifier before 明显) and "ADC值明显减低" (the value, not the signal).
_MARKED_ZH = re.compile(r"(ADC|高b值(?:DWI)?|DWI)(?:图|序列|值)?(?:上)?(?:呈)?(?:[^，。；,;：:\d]{0,6}?)(?:显著|明显)"
                        r"(?:(?:低|高)信号|减低|降低)", re.I)
_MARKED_BOTH = re.compile(
    r"\bmarked(?:ly)?\b[^.;]{0,60}\bboth\b|\bmarked(?:ly)?\b[^.;]{0,40}\bADC\b[^.;]{0,40}\bmarked(?:ly)?\b", re.I
)
_EPE = Vocab({"epe": [r"\bextra-?prostatic extension\b", r"\bEPE\b", r"\binvasive behaviou?r\b", r"包膜外侵犯"]})
_T2_DESC = Vocab(
    {
        "1": [r"\b(?:completely |fully )?encapsulated (?:nodule)?\b", r"\btypical (?:BPH )?nodule\b", r"完全(?:有)?包膜", r"包膜完整"],
        "2": [
            r"\bmostly encapsulated\b",
            r"\batypical nodule\b",
            r"\bhomogeneous circumscribed nodule without encapsulation\b",
            r"大部分(?:有)?包膜",
            r"不典型(?:增生)?结节",
        ],
        "3": [
            r"\bheterogeneous (?:signal )?(?:intensity )?with obscured margins\b",
            r"\bobscured margins\b",
            r"信号不均匀?[^。；;]{0,8}边(?:缘|界)(?:模糊|不清)",
        ],
        "4-5": [
            r"\blenticular\b",
            r"\bnon-?circumscribed\b",
            r"\berased charcoal\b",
            r"\bhomogeneous,? moderately hypointense\b",
            r"透镜状",
            r"均匀(?:的)?中等(?:程度)?低信号",
        ],
    }
)


_LESION_WORD = re.compile(
    r"\b(?:lesions?|nodules?|focus|foci|tumou?r|mass|abnormality|area|PZ|TZ|CZ)\b|\b(?:peripheral|transition(?:al)?|central) zone\b|"
    r"病灶|结节|肿块|病变|外周带|移行带|中央带",
    re.I,
)
_OTHER_STRUCTURE = re.compile(
    r"\b(?:prostate|gland|volume|lymph nodes?|nodes?|seminal vesicles?|bladder|rectum|PSA)\b|前列腺|淋巴结|精囊|膀胱|直肠|体积",
    re.I,
)


class _Lesion:
    def __init__(self) -> None:
        self.zone: str | None = None
        self.t2w: int | None = None
        self.dwi: int | None = None
        self.dce: str | None = None
        self.size_cm: Decimal | None = None
        self.epe = False
        self.dwi_desc: str | None = None
        self.marked_adc = self.marked_b = False
        self.t2_desc: str | None = None
        self.evidence: list[Evidence] = []


def _score(value: Any, what: str) -> int:
    n = as_number(value, what)
    if n != int(n) or not 1 <= n <= 5:
        raise InvalidInput(f"{what} must be a PI-RADS score 1-5, got {value!r}", hint="scores run from 1 to 5")
    return int(n)


def _stated_value(m: re.Match[str]) -> str | None:
    """A stated PI-RADS category 1-5 (anything else is no category: "PI-RADS 2019")."""
    n = int(m.group(1))
    return str(n) if 1 <= n <= 5 else None


def _pos(hits: list[Hit]) -> Hit | None:
    return next((h for h in hits if not h.negated), None)


def _read_lesion(text: str, s: int, e: int, idx: int) -> _Lesion:
    les = _Lesion()
    d = f"pirads.lesion[{idx}]"
    if h := _pos(_ZONE.find(text, s, e)):
        les.zone = h.value
        les.evidence.append(evidence_for(f"{d}.zone", h.value, text, h.start, h.end))
    for rx, attr in ((_T2W, "t2w"), (_DWI, "dwi")):
        if m := rx.search(text, s, e):
            setattr(les, attr, _score(m.group(1), f"{attr.upper()} score"))
            les.evidence.append(evidence_for(f"{d}.{attr}_score", m.group(1), text, m.start(1), m.end(1)))
    if (h := _pos(_DCE.find(text, s, e))) and h.hedged:
        les.evidence.append(evidence_for(f"{d}.dce_suspected", h.value, text, h.start, h.end))
    elif h:
        les.dce = h.value
        les.evidence.append(evidence_for(f"{d}.dce", h.value, text, h.start, h.end))
    if h := _pos(_EPE.find(text, s, e)):
        les.epe = True
        les.evidence.append(evidence_for(f"{d}.epe", True, text, h.start, h.end))
    if h := _pos(_DWI_DESC.find(text, s, e)):
        les.dwi_desc = h.value
        les.evidence.append(evidence_for(f"{d}.dwi_description", h.value, text, h.start, h.end))
    if m := _MARKED_BOTH.search(text, s, e):
        les.marked_adc = les.marked_b = True
        les.evidence.append(evidence_for(f"{d}.marked", "both", text, m.start(), m.end()))
    else:
        for m in [*_MARKED.finditer(text, s, e), *_MARKED_ZH.finditer(text, s, e)]:
            which = m.group(1).lower()
            les.marked_adc |= which == "adc"
            les.marked_b |= which != "adc"
            les.evidence.append(evidence_for(f"{d}.marked", which, text, m.start(), m.end()))
    if h := _pos(_T2_DESC.find(text, s, e)):
        les.t2_desc = h.value
        les.evidence.append(evidence_for(f"{d}.t2w_description", h.value, text, h.start, h.end))
    for size in finding_sizes(text, s, e, _LESION_WORD, _OTHER_STRUCTURE):
        les.size_cm = to_decimal(max(size.values_mm)) / 10
        les.evidence.append(evidence_for(f"{d}.size_cm", les.size_cm, text, size.start, size.end))
        break
    return les


def _lesion_from_mapping(raw: Mapping[str, Any], idx: int) -> _Lesion:
    les = _Lesion()
    d = f"pirads.lesion[{idx}]"
    if found := lookup(raw, "zone", "location", "region"):
        les.zone = _ZONE.match_value(str(found[1]))
        if les.zone is None:
            raise InvalidInput(
                f"unknown prostate zone {found[1]!r}", hint="use peripheral zone (PZ) or transition zone (TZ)"
            )
        les.evidence.append(findings_evidence(f"{d}.zone", les.zone, *found))
    for keys, attr in (
        (("T2W_score", "t2w", "t2_score", "t2", "t2wi_score"), "t2w"),
        (("DWI_score", "dwi", "adc_score", "dwi_adc_score", "diffusion_score"), "dwi"),
    ):
        if found := lookup(raw, *keys):
            setattr(les, attr, _score(found[1], found[0]))
            les.evidence.append(findings_evidence(f"{d}.{attr}_score", getattr(les, attr), *found))
    if found := lookup(raw, "DCE", "dce_result", "dce_score", "dynamic_contrast"):
        val = found[1]
        les.dce = ("positive" if val else "negative") if isinstance(val, bool) else _DCE.match_value(str(val))
        if les.dce is None:
            raise InvalidInput(f"unknown DCE result {val!r}", hint="use positive, negative or not performed")
        les.evidence.append(findings_evidence(f"{d}.dce", les.dce, *found))
    if found := lookup(raw, "size_cm", "lesion_size_cm", "max_diameter_cm"):
        les.size_cm = to_decimal(as_number(found[1], found[0]))
        les.evidence.append(findings_evidence(f"{d}.size_cm", les.size_cm, *found))
    elif found := lookup(raw, "size_mm", "lesion_size_mm", "max_diameter_mm"):
        les.size_cm = to_decimal(as_number(found[1], found[0])) / 10
        les.evidence.append(findings_evidence(f"{d}.size_cm", les.size_cm, *found))
    if (found := lookup(raw, "epe", "extraprostatic_extension")) and str(found[1]).lower() in (
        "true",
        "yes",
        "present",
    ):
        les.epe = True
    for key in ("dwi_description", "description", "t2w_description"):
        if found := lookup(raw, key):
            sub = _read_lesion(str(found[1]), 0, len(str(found[1])), idx)
            les.dwi_desc = les.dwi_desc or sub.dwi_desc
            les.marked_adc |= sub.marked_adc
            les.marked_b |= sub.marked_b
            les.t2_desc = les.t2_desc or sub.t2_desc
            les.epe |= sub.epe
    return les


def _derive_dwi(les: _Lesion, trace: Trace, where: str) -> int | None:
    if les.dwi_desc == "normal":
        return 1
    if les.dwi_desc == "linear":
        return 2
    if les.dwi_desc != "focal" and not (les.marked_adc or les.marked_b):
        return None
    if not (les.marked_adc and les.marked_b):
        return 3
    return _four_or_five(les, trace, where, "DWI")


def _derive_t2w(les: _Lesion, trace: Trace, where: str) -> int | None:
    if les.t2_desc is None:
        return None
    if les.t2_desc != "4-5":
        return int(les.t2_desc)
    return _four_or_five(les, trace, where, "T2W")


def _four_or_five(les: _Lesion, trace: Trace, where: str, sequence: str) -> int | None:
    """Score 4 or 5 of a sequence whose description already says "4 or 5": EPE or size decides."""
    if les.epe:
        return 5
    if les.size_cm is None:
        trace.need(f"{where}lesion size (cm) to choose {sequence} 4 (<1.5 cm) or 5 (>=1.5 cm)")
        return None
    trace.rule("PIRADS.RULE.SIZE_BOUNDARY")
    return 5 if les.size_cm >= SIZE_CUT_CM else 4


def _pz(dwi: int, dce: str | None) -> tuple[str | None, list[str]]:
    if dwi != 3:
        return str(dwi), []
    if dce == "positive":
        return "4", ["PIRADS.RULE.DCE_PZ"]
    if dce in ("negative", "not performed"):
        return "3", []
    return None, []


def _tz(t2w: int, dwi: int | None) -> str | None:
    if t2w == 2:
        return None if dwi is None else "3" if dwi >= 4 else "2"
    if t2w == 3:
        return None if dwi is None else "4" if dwi == 5 else "3"
    return str(t2w)


class PIRADS:
    """PI-RADS v2.1 calculator."""

    system = "PI-RADS-v2.1"
    edition = "PI-RADS v2.1 (ACR/ESUR/AdMeTech, 2019)"
    aliases = ("PI-RADS", "PIRADS", "PI-RADS 2.1", "PIRADS2.1", "PI-RADS v2.1", "PIRADSv21")

    def from_text(self, text: str) -> CalcResult:
        """Read the text; a size range is evaluated at both ends (``ranges.both_ends``)."""
        stated = asserted_stated(text, _STATED, _stated_value, "pirads.stated_category")
        calc = both_ends(lambda: self._from_text(text, stated), ("category",), unit="cm", size_name="lesion's size")
        return adopt_stated(calc, stated, label="PI-RADS category")

    def _from_text(self, text: str, asserted: Stated | None) -> CalcResult:
        """Assess lesion descriptions or stated sequence scores."""
        if first := _STATED.search(text):
            _score(first.group(1), "PI-RADS category")  # an invented category ("PI-RADS 6") is rejected
        # Only an asserted statement is compared with the scores (not "prior PI-RADS 3", "PI-RADS 3-4").
        stated_label = (asserted.value, asserted.evidence) if asserted and asserted.evidence else None
        cut = findings_end(text)
        lesions = [_read_lesion(text, a, min(b, cut), i) for i, (a, b) in enumerate(list_spans(text)) if a < cut]
        if not any(x.evidence for x in lesions):  # no findings section: read the impression too
            lesions = [_read_lesion(text, a, b, i) for i, (a, b) in enumerate(list_spans(text))]
        lesions = [x for x in lesions if x.evidence] or [_Lesion()]
        trace = Trace()
        if _OLD.search(text):
            trace.note("the report names PI-RADS v2; this assessment follows v2.1")
        return self._run(lesions, stated_label, trace)

    def from_findings(self, findings: Mapping[str, Any], tnm: str | None = None) -> CalcResult:
        """Read structured findings; a size range is evaluated at both ends (``ranges.both_ends``)."""
        calc = both_ends(lambda: self._from_findings(findings), ("category",), unit="cm", size_name="lesion's size")
        st = lookup(findings, "category", "pirads", "pi_rads", "stated_category")
        stated = Stated(str(_score(st[1], "PI-RADS category")),
                        findings_evidence("pirads.stated_category", st[1], *st)) if st else None
        return adopt_stated(calc, stated, label="PI-RADS category")

    def _from_findings(self, findings: Mapping[str, Any]) -> CalcResult:
        """Assess structured findings: zone, T2W_score, DWI_score, DCE (or ``lesions`` as a list)."""
        items = finding_items(findings, ("lesions", "observations"), '[{"zone": "PZ", "DWI_score": 4}]')
        stated = None
        if st := lookup(findings, "category", "pirads", "pi_rads", "stated_category"):
            stated = (str(_score(st[1], "PI-RADS category")), findings_evidence("pirads.stated_category", st[1], *st))
        return self._run([_lesion_from_mapping(x, i) for i, x in enumerate(items)], stated, Trace())

    def _run(self, lesions: list[_Lesion], stated: tuple[str, Evidence] | None, trace: Trace) -> CalcResult:
        per = [self._assess(les, i, trace, multi=len(lesions) > 1) for i, les in enumerate(lesions)]
        best = most_severe(per, int)
        keys = ("category", "zone", "T2W_score", "DWI_score", "DCE", "candidates")
        result = summarise(per, best, keys, "lesion", "lesions")
        trace.check_stated(
            stated,
            best["category"],
            f"PIRADS.{best['zone'] or 'PZ'}.{best['category']}",
            "the report states PI-RADS {stated} but its scores give {derived}",
        )
        return trace.freeze(self.system, self.edition, result)

    def _assess(self, les: _Lesion, idx: int, trace: Trace, *, multi: bool) -> dict[str, Any]:
        trace.use(*les.evidence)
        where = f"lesion {idx + 1}: " if multi else ""
        dwi = les.dwi if les.dwi is not None else _derive_dwi(les, trace, where)
        if les.dwi is None and dwi is not None:
            trace.note(f"{where}DWI score {dwi} derived from the description")
        t2w = les.t2w
        zone = les.zone
        if zone == "CZ":
            trace.note(f"{where}central-zone lesion assessed with the peripheral-zone rules")
            zone = "PZ"
        if t2w is None and zone in ("TZ", None):
            t2w = _derive_t2w(les, trace, where)
            if t2w is not None:
                trace.note(f"{where}T2W score {t2w} derived from the description")
        out: dict[str, Any] = {
            "index": idx + 1,
            "category": None,
            "zone": zone,
            "T2W_score": t2w,
            "DWI_score": dwi,
            "DCE": les.dce,
            "candidates": [],
        }
        options: dict[str, tuple[str | None, list[str]]] = {}
        if zone in ("PZ", None) and dwi is not None:
            options["PZ"] = _pz(dwi, les.dce)
        if zone in ("TZ", None) and t2w is not None:
            options["TZ"] = (_tz(t2w, dwi), [])
        if zone == "PZ" and dwi is None:
            trace.need(f"{where}DWI score (or a DWI description: focal, marked on ADC/high b, size)")
        if zone == "TZ" and t2w is None:
            trace.need(f"{where}T2W score (or a T2W description)")
        if zone is None and not options:
            trace.need(f"{where}sequence scores (DWI, and T2W for the transition zone) or a lesion description")
        if zone is None:
            values = {v[0] for v in options.values()}
            if len(options) == 2 and len(values) == 1 and None not in values:
                zone = "PZ"
                trace.note(f"{where}zone not stated; PZ and TZ rules give the same score")
            else:
                trace.need(f"{where}zone (peripheral or transition)")
                out["candidates"] = sorted({v[0] for v in options.values() if v[0]})
                return out
        cat, rules = options.get(zone, (None, []))
        out["zone"] = zone
        if dwi is not None:
            trace.rule(f"PIRADS.DWI.{dwi}")
        if zone == "TZ" and t2w is not None:
            trace.rule(f"PIRADS.T2W_TZ.{t2w}")
            if les.dce is not None:
                trace.rule("PIRADS.RULE.DCE_TZ")
                trace.note(f"{where}DCE does not change a transition-zone score")
        trace.rule(*rules)
        if cat is None and zone == "PZ" and dwi == 3:
            trace.need(f"{where}DCE result (positive DCE makes PZ DWI 3 a 4)")
            out["candidates"] = ["3", "4"]
        elif cat is None and zone == "TZ" and t2w in (2, 3):
            trace.need(f"{where}DWI score (it can raise TZ T2W {t2w})")
            out["candidates"] = ["2", "3"] if t2w == 2 else ["3", "4"]
        if cat is not None:
            trace.rule(f"PIRADS.{zone}.{cat}")
        out["category"] = cat
        return out
