"""LI-RADS CT/MRI v2018: one category per observation, in the algorithm's order.

Order: LR-NC → LR-TIV → LR-1/LR-2 → LR-M (rim APHE, targetoid or other LR-M features) →
diagnostic table → ancillary features (one step at most, never up to LR-5).

Decisions:
- Population: a patient stated to be outside the population (under 18, no risk factor, cirrhosis
  from congenital hepatic fibrosis or a vascular cause) raises ``InvalidInput`` citing
  LIRADS.RULE.POPULATION — DOMAIN §12 asks for rejection. When the report does not say, the
  category is computed and a note says LI-RADS assumes a high-risk adult.
- Ultrasound / CEUS alone raises ``InvalidInput`` (this is the CT/MRI algorithm).
- An uncertain major feature ("possible washout", "capsule: equivocal") counts as absent; an
  unstated one is also treated as absent, and the note names it.
- Unqualified "APHE"/"arterial hyperenhancement" is nonrim (rim APHE is always named as such).
- Ancillary features favouring both malignancy and benignity cancel (no adjustment, noted).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from rag.calculators.rads import lirads_rules as R
from rag.calculators.rads.multi import most_severe, summarise
from rag.calculators.rads.ranges import both_ends
from rag.calculators.rads.scan import (
    Hit,
    as_bool,
    as_number,
    evidence_for,
    find_sizes,
    finding_items,
    finding_sizes,
    findings_end,
    findings_evidence,
    is_negated,
    list_spans,
    lookup,
    to_decimal,
)
from rag.calculators.rads.sizes import NUM, UNIT, to_mm
from rag.calculators.rads.stated import Stated, adopt_stated, asserted_stated
from rag.calculators.rads.trace import Trace
from rag.errors import InvalidInput
from rag.types import CalcResult, Evidence

__all__ = ["LIRADS"]

_MEANING = {
    "LR-NC": "Not categorisable (image degradation or omission).",
    "LR-TIV": "Tumour in vein.",
    "LR-1": "Definitely benign.",
    "LR-2": "Probably benign.",
    "LR-3": "Intermediate probability of malignancy.",
    "LR-4": "Probably HCC.",
    "LR-5": "Definitely HCC (no biopsy needed).",
    "LR-M": "Probably or definitely malignant, not HCC-specific.",
}
_NOW = re.compile(r"\b(?:now|currently|today|at present)\b|现|目前|本次|此次")
# "measured 12 mm previously; now 22 mm": the word after the size dates it ("22 mm (previously 12 mm)" does not).
_PRIOR_AFTER = re.compile(r"\s*(?:previously|before|earlier|on\s+the\s+prior)\b(?!\s*\d)", re.I)
_PRIOR_WORDS = ("previously", "prior", "from", "before", "earlier", "前次", "上次", "既往", "之前", "原约", "原为", "原大小")
# Locoregional therapy to the observation itself ("treated with TACE", "post-ablation zone", "TACE术后").
_TREATED = re.compile(
    r"\b(?:treated with|after|following|status[- ]post|s/p|post-?)\s*(?:\w+\s+){0,2}?(?:TACE|TARE|chemoembolization|"
    r"radioembolization|Y-?90|ablation|RFA|MWA|radiofrequency|microwave|SBRT|radiotherapy)\b|"
    r"\b(?:ablation (?:zone|cavity)|treated (?:observation|lesion|tumou?r)|lipiodol (?:deposition|uptake|retention))\b|"
    r"(?:TACE|消融|射频|微波|介入|栓塞)(?:治疗)?术?后|碘油沉积",
    re.I,
)
_OBSERVATION_WORD = re.compile(r"\b(?:observations?|nodules?|lesions?|mass(?:es)?|focus|foci|tumou?r)\b|结节|病灶|肿块|占位|病变", re.I)
_OTHER_STRUCTURE = re.compile(
    r"\b(?:liver span|spleen|splenic|portal vein|hepatic veins?|gallbladder|kidneys?|ascites|lymph nodes?|nodes?|"
    r"common bile duct|CBD|pancreas|aorta)\b|脾|门静脉|肝静脉|胆囊|肾|腹水|淋巴结|胆总管|胰腺|肝脏大小|肝右叶斜径",
    re.I,
)
_N = rf"({NUM})\s*({UNIT})?"  # the shared size grammar (rads.sizes)
# Measured growth: "grew from 7 mm to 11 mm in 4 months", "4个月内由7mm增大至11mm".
_GROWTH_EN = re.compile(
    rf"\b(?:grew|grown|increased|enlarged|growing)\s+(?:in size\s+)?from\s+{_N}\s+to\s+{_N}"
    r"(?:\s+(?:in|over|within)\s+(\d+(?:\.\d+)?)\s*(months?|weeks?|days?))?",
    re.I,
)
_GROWTH_ZH = re.compile(rf"(?:(\d+(?:\.\d+)?)\s*(?:个)?(月|周|天)内?)?(?:由|从){_N}\s*增大(?:至|到){_N}")
_MONTHS = {"month": Decimal(1), "week": Decimal(7) / Decimal("30.44"), "day": Decimal(1) / Decimal("30.44"),
           "月": Decimal(1), "周": Decimal(7) / Decimal("30.44"), "天": Decimal(1) / Decimal("30.44")}
TG_RATIO = Decimal("1.5")  # threshold growth: size up by at least 50 %
TG_MONTHS = Decimal(6)  # ... within 6 months or less


def _mm(value: str, unit: str | None, other_unit: str | None) -> Decimal:
    unit = (unit or other_unit or "mm").lower()
    return to_decimal(float(value)) * (10 if to_mm(1.0, unit) == 10 else 1)


def _measured_growth(text: str, s: int, e: int) -> tuple[bool | None, str, int, int] | None:
    """Threshold growth from two stated sizes and the interval: True, False, or None when the interval is not given."""
    if m := _GROWTH_EN.search(text, s, e):
        a, ua, b, ub, n, unit = m.groups()
    elif m := _GROWTH_ZH.search(text, s, e):
        n, unit, a, ua, b, ub = m.groups()
    else:
        return None
    before, after = _mm(a, ua, ub), _mm(b, ub, ua)
    if before <= 0 or after < before * TG_RATIO:
        return False, f"growth from {before} to {after} mm is less than 50 %", m.start(), m.end()
    if n is None:
        return None, f"growth from {before} to {after} mm (>=50 %) without the interval", m.start(), m.end()
    months = to_decimal(float(n)) * _MONTHS[unit.lower().rstrip("s")]
    if months > TG_MONTHS:
        return False, f"growth >=50 % over {n} {unit} (more than 6 months) is not threshold growth", m.start(), m.end()
    return True, f"growth from {before} to {after} mm in {n} {unit}", m.start(), m.end()


@dataclass
class _Obs:
    """One observation's features as read; None = not stated."""

    size_mm: Decimal | None = None
    arterial: str | None = None
    features: dict[str, bool | None] = field(default_factory=lambda: dict.fromkeys(R.FEATURES))
    uncertain: list[str] = field(default_factory=list)
    lrm: list[str] = field(default_factory=list)
    tiv: bool = False
    bland_thrombus: bool = False
    nc: bool = False
    treated: bool = False  # locoregional therapy to this observation: LR-TR, not the diagnostic table
    benign: str | None = None
    ancillary: dict[str, list[str]] = field(default_factory=lambda: {"malignancy": [], "hcc": [], "benign": []})
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class _Patient:
    risk: list[str] = field(default_factory=list)
    negated_risk: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    age: int | None = None
    modalities: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)


def _first(hits: list[Hit]) -> Hit | None:
    return next((h for h in hits if not h.negated), None)


def _read_observation(text: str, s: int, e: int, idx: int) -> _Obs:
    obs = _Obs()
    h: Hit | None
    d = f"lirads.observation[{idx}]"

    def use(name: str, value: Any, h: Hit) -> None:
        obs.evidence.append(evidence_for(f"{d}.{name}", value, text, h.start, h.end))

    for m in _TREATED.finditer(text, s, e):
        if not is_negated(text, m.start(), m.end()):
            obs.treated = True
            obs.evidence.append(evidence_for(f"{d}.treated", m.group(0), text, m.start(), m.end()))
            break
    for h in R.NC.find(text, s, e):
        if not h.negated:
            obs.nc = True
            use("nc", "degraded", h)
    for h in R.TIV.find(text, s, e):
        if not h.negated and not h.hedged:
            obs.tiv = obs.tiv or h.value == "tiv"
            obs.bland_thrombus = obs.bland_thrombus or h.value == "bland"
            use("tumour_in_vein", h.value, h)
    if h := _first(R.BENIGN.find(text, s, e)):
        obs.benign = h.value
        use("benign", h.value, h)
    for h in R.LRM.find(text, s, e):
        if not h.negated and not h.hedged:
            obs.lrm.append(text[h.start : h.end])
            use("lr_m_feature", h.value, h)
    arterial = R.ARTERIAL.find(text, s, e)
    if h := next((x for x in arterial if not x.negated and not x.hedged), None):
        obs.arterial = h.value
        use("arterial_phase", h.value, h)
    elif h := next((x for x in arterial if x.negated and x.value == "nonrim"), None):
        obs.arterial = "none"
        use("arterial_phase", "none", h)
    elif h := next((x for x in arterial if x.hedged), None):
        obs.arterial = "none"
        obs.uncertain.append("APHE")
        use("arterial_phase", "uncertain", h)
    for name, vocab, good in (
        ("washout", R.WASHOUT, "washout"),
        ("capsule", R.CAPSULE, "enhancing"),
        ("threshold_growth", R.TG, "tg"),
    ):
        for h in vocab.find(text, s, e):
            if h.value != good:
                if h.value == "peripheral" and not h.negated:
                    obs.lrm.append("peripheral washout")
                continue
            if h.negated:
                obs.features[name] = obs.features[name] or False
            elif h.hedged:
                obs.uncertain.append(name)
                obs.features[name] = obs.features[name] or False
            else:
                obs.features[name] = True
            use(name, "uncertain" if h.hedged else not h.negated, h)
    if obs.features["threshold_growth"] is None and (grown := _measured_growth(text, s, e)):
        value, why, gs, ge = grown
        obs.features["threshold_growth"] = bool(value)
        if value is None:
            obs.uncertain.append("threshold_growth")
        obs.evidence.append(evidence_for(f"{d}.threshold_growth", why, text, gs, ge))
    for h in R.ANCILLARY.find(text, s, e):
        if not h.negated and not h.hedged:
            obs.ancillary[h.value].append(text[h.start : h.end])
            use(f"ancillary_{h.value}", text[h.start : h.end], h)
    bound = s
    for size in finding_sizes(text, s, e, _OBSERVATION_WORD, _OTHER_STRUCTURE):
        prefix = text[bound : size.start].lower()
        bound = size.end
        current = _NOW.split(re.split(r"[,，]", prefix)[-1])[-1]  # "prior LR-3 observation now 22 mm": the size is today's
        if any(w in current for w in _PRIOR_WORDS) or _PRIOR_AFTER.match(text, size.end):
            continue
        obs.size_mm = to_decimal(max(size.values_mm))
        obs.evidence.append(evidence_for(f"{d}.size_mm", obs.size_mm, text, size.start, size.end))
        break
    return obs


def _read_patient(text: str) -> _Patient:
    p = _Patient()
    for h in R.POP_RISK.find(text):
        (p.negated_risk if h.negated else p.risk).append(h.value)
        if not h.negated:
            p.evidence.append(evidence_for("lirads.population", h.value, text, h.start, h.end))
    for h in R.POP_EXCLUDED.find(text):
        if not h.negated:
            p.excluded.append(h.value)
            p.evidence.append(evidence_for("lirads.population_excluded", h.value, text, h.start, h.end))
    if m := R.AGE.search(text):
        g = next(i for i in range(1, 5) if m.group(i))
        p.age = int(m.group(g))
        p.evidence.append(evidence_for("lirads.age", p.age, text, m.start(g), m.end(g)))
    for h in R.MODALITY.find(text):
        if not h.negated and h.value not in p.modalities:
            p.modalities.append(h.value)
            p.evidence.append(evidence_for("lirads.modality", h.value, text, h.start, h.end))
    return p


def _bool_feature(obs: _Obs, name: str, found: tuple[str, Any] | None, d: str) -> None:
    if not found:
        return
    value = as_bool(found[1], found[0])
    if value is None:
        obs.uncertain.append(name)
        value = False
    obs.features[name] = value
    obs.evidence.append(findings_evidence(f"{d}.{name}", value, *found))


def _list_or_flag(found: tuple[str, Any] | None) -> list[str]:
    if not found:
        return []
    val = found[1]
    if isinstance(val, list):
        return [str(x) for x in val]
    if isinstance(val, bool) or str(val).lower() in ("yes", "no", "true", "false", "present", "absent", "none"):
        return [found[0]] if as_bool(val, found[0]) else []
    return [str(val)]


def _obs_from_mapping(raw: Mapping[str, Any], idx: int) -> _Obs:
    obs = _Obs()
    d = f"lirads.observation[{idx}]"
    if found := lookup(raw, "observation_size_mm", "size_mm", "diameter_mm", "observation_size", "size"):
        sizes = find_sizes(found[1]) if isinstance(found[1], str) else []
        obs.size_mm = to_decimal(max(sizes[0].values_mm)) if sizes else to_decimal(as_number(found[1], found[0]))
        obs.evidence.append(findings_evidence(f"{d}.size_mm", obs.size_mm, *found))
    elif found := lookup(raw, "observation_size_cm", "size_cm", "diameter_cm"):
        obs.size_mm = to_decimal(as_number(found[1], found[0])) * 10
        obs.evidence.append(findings_evidence(f"{d}.size_mm", obs.size_mm, *found))
    if found := lookup(
        raw, "arterial_phase", "aphe", "arterial_phase_hyperenhancement", "arterial", "arterial_enhancement"
    ):
        val = found[1]
        value = ("nonrim" if val else "none") if isinstance(val, bool) else R.ARTERIAL.match_value(str(val))
        if value is None and str(val).strip().lower() in ("uncertain", "equivocal", "indeterminate"):
            value = "none"
            obs.uncertain.append("APHE")
        if value is None:
            raise InvalidInput(f"unknown arterial-phase pattern {val!r}", hint="use nonrim, rim or none")
        obs.arterial = value
        obs.evidence.append(findings_evidence(f"{d}.arterial_phase", value, *found))
    _bool_feature(obs, "washout", lookup(raw, "nonperipheral_washout", "washout", "non_peripheral_washout"), d)
    _bool_feature(obs, "capsule", lookup(raw, "enhancing_capsule", "capsule"), d)
    _bool_feature(obs, "threshold_growth", lookup(raw, "threshold_growth", "tg"), d)
    for keys, attr in (
        (("tumor_in_vein", "tumour_in_vein", "tiv"), "tiv"),
        (("nc", "image_degradation", "degraded", "not_categorizable"), "nc"),
    ):
        if (found := lookup(raw, *keys)) and as_bool(found[1], found[0]):
            setattr(obs, attr, True)
            obs.evidence.append(findings_evidence(f"{d}.{attr}", True, *found))
    obs.lrm = _list_or_flag(lookup(raw, "lr_m_features", "lrm_features", "targetoid", "lr_m"))
    if (found := lookup(raw, "peripheral_washout")) and as_bool(found[1], found[0]):
        obs.lrm.append("peripheral washout")
    if found := lookup(raw, "benign", "benign_entity"):
        value = R.BENIGN.match_value(str(found[1]))
        if value is None:
            raise InvalidInput(
                f"unknown benign finding {found[1]!r}", hint="say 'definitely benign' or 'probably benign'"
            )
        obs.benign = value
        obs.evidence.append(findings_evidence(f"{d}.benign", value, *found))
    for group, keys in (
        ("malignancy", ("ancillary_favoring_malignancy", "ancillary_malignancy", "af_malignancy")),
        ("hcc", ("ancillary_favoring_hcc", "ancillary_hcc", "af_hcc")),
        ("benign", ("ancillary_favoring_benignity", "ancillary_benign", "af_benign")),
    ):
        obs.ancillary[group] = _list_or_flag(lookup(raw, *keys))
    return obs


def _patient_from_mapping(findings: Mapping[str, Any]) -> _Patient:
    p = _Patient()
    if found := lookup(findings, "population", "risk_factor", "risk_factors", "risk", "liver_disease", "history"):
        text = str(found[1])
        sub = _read_patient(text)
        p.risk, p.negated_risk, p.excluded = sub.risk, sub.negated_risk, sub.excluded
        if text.strip().lower() in ("none", "no", "false", "no risk factors", "absent"):
            p.excluded.append("no risk factor")
        p.evidence.append(findings_evidence("lirads.population", text, *found))
    if found := lookup(findings, "age", "age_years"):
        p.age = int(as_number(found[1], found[0]))
        p.evidence.append(findings_evidence("lirads.age", p.age, *found))
    if found := lookup(findings, "modality", "exam", "technique"):
        p.modalities = [h.value for h in R.MODALITY.find(str(found[1])) if not h.negated]
        if not p.modalities:
            raise InvalidInput(f"unknown modality {found[1]!r}", hint="LI-RADS v2018 here covers CT and MRI")
        p.evidence.append(findings_evidence("lirads.modality", "/".join(p.modalities), *found))
    return p


class LIRADS:
    """LI-RADS CT/MRI v2018 calculator."""

    system = "LI-RADS-v2018"
    edition = "LI-RADS CT/MRI v2018 (ACR)"
    aliases = ("LI-RADS", "LIRADS", "LI-RADS 2018", "LIRADS2018", "LI-RADS CT/MRI")

    def from_text(self, text: str) -> CalcResult:
        """Read the text; a size range is evaluated at both ends (``ranges.both_ends``)."""
        stated = asserted_stated(text, R.STATED, lambda m: _validate(m.group(1) or m.group(2)), "lirads.stated_category")
        calc = both_ends(lambda: self._from_text(text, stated), ("category",), unit="mm", size_name="observation's diameter")
        return adopt_stated(calc, stated, label="LI-RADS category")

    def _from_text(self, text: str, asserted: Stated | None) -> CalcResult:
        """Categorise observations described in a CT/MRI liver report."""
        _stated(text)  # an invented category ("LR-6") is rejected
        # Only an asserted statement is compared with the features (not "prior LR-3", "LR-3 vs LR-4").
        stated = (asserted.value, asserted.evidence) if asserted and asserted.evidence else None
        cut = findings_end(text)
        observations = [_read_observation(text, a, min(b, cut), i) for i, (a, b) in enumerate(list_spans(text)) if a < cut]
        if not any(x.evidence for x in observations):  # no findings section: read the impression too
            observations = [_read_observation(text, a, b, i) for i, (a, b) in enumerate(list_spans(text))]
        observations = [o for o in observations if o.evidence] or [_Obs()]
        return self._run(_read_patient(text), observations, stated)

    def from_findings(self, findings: Mapping[str, Any], tnm: str | None = None) -> CalcResult:
        """Read structured findings; a size range is evaluated at both ends (``ranges.both_ends``)."""
        calc = both_ends(lambda: self._from_findings(findings), ("category",), unit="mm",
                         size_name="observation's diameter")
        st = lookup(findings, "category", "stated_category", "li_rads")
        stated = Stated(_validate(str(st[1])), findings_evidence("lirads.stated_category", st[1], *st)) if st else None
        return adopt_stated(calc, stated, label="LI-RADS category")

    def _from_findings(self, findings: Mapping[str, Any]) -> CalcResult:
        """Categorise structured findings (one observation's keys, or ``observations`` as a list)."""
        items = finding_items(findings, ("observations", "lesions"), '[{"observation_size_mm": 15, ...}]')
        stated = None
        if st := lookup(findings, "category", "stated_category", "li_rads"):
            stated = (_validate(str(st[1])), findings_evidence("lirads.stated_category", st[1], *st))
        return self._run(
            _patient_from_mapping(findings), [_obs_from_mapping(x, i) for i, x in enumerate(items)], stated
        )

    def _run(self, patient: _Patient, observations: list[_Obs], stated: tuple[str, Evidence] | None) -> CalcResult:
        trace = Trace()
        trace.use(*patient.evidence)
        _check_population(patient, trace)
        per = [self._categorise(o, i, trace, multi=len(observations) > 1) for i, o in enumerate(observations)]
        rank = ("LR-NC", *R.ORDER, "LR-M", "LR-TIV")
        best = most_severe(per, rank.index)
        keys = ("category", "observation_size_mm", "arterial_phase", "major_features", "table_category", "ancillary")
        meaning = {"meaning": _MEANING.get(best["category"] or "")}
        result = summarise(per, best, keys, "observation", "observations", meaning)
        trace.check_stated(
            stated,
            best["category"],
            f"LIRADS.CAT.{best['category']}",
            "the report states {stated} but its features give {derived}",
        )
        return trace.freeze(self.system, self.edition, result)

    def _categorise(self, obs: _Obs, idx: int, trace: Trace, *, multi: bool) -> dict[str, Any]:
        trace.use(*obs.evidence)
        where = f"observation {idx + 1}: " if multi else ""
        out: dict[str, Any] = {
            "index": idx + 1,
            "category": None,
            "table_category": None,
            "observation_size_mm": float(obs.size_mm) if obs.size_mm is not None else None,
            "arterial_phase": obs.arterial,
            "major_features": [],
            "ancillary": None,
        }
        if obs.treated:
            trace.rule("LIRADS.RULE.TREATMENT_RESPONSE")
            trace.need(f"{where}this observation was treated: the LI-RADS treatment response algorithm (LR-TR) applies, "
                       "which this calculator does not cover")
            return out
        trace.rule("LIRADS.RULE.ORDER")
        if obs.uncertain:
            trace.rule("LIRADS.RULE.UNCERTAIN_FEATURE")
            trace.note(f"{where}uncertain feature(s) counted as absent: {', '.join(dict.fromkeys(obs.uncertain))}")
        if obs.bland_thrombus and not obs.tiv:
            trace.note(f"{where}bland (non-enhancing) thrombus is not tumour in vein")
        early = (
            "LR-NC"
            if obs.nc
            else "LR-TIV"
            if obs.tiv
            else obs.benign
            if obs.benign
            else "LR-M"
            if obs.arterial == "rim" or obs.lrm
            else None
        )
        if early:
            if early == "LR-M":
                out["lr_m_features"] = (["rim APHE"] if obs.arterial == "rim" else []) + obs.lrm
            trace.rule(f"LIRADS.CAT.{early}")
            out["category"] = early
            return out
        if obs.arterial is None:
            trace.need(f"{where}arterial phase (nonrim APHE, rim APHE or no APHE)")
        else:
            trace.rule("LIRADS.FEATURE.APHE")
        if obs.size_mm is None:
            trace.need(f"{where}observation size (mm)")
        present = [f for f in R.FEATURES if obs.features[f]]
        unstated = [f for f in R.FEATURES if obs.features[f] is None]
        out["major_features"] = present
        if obs.arterial is None or obs.size_mm is None:
            return out
        if unstated:
            trace.note(f"{where}not stated, taken as absent: {', '.join(f.replace('_', ' ') for f in unstated)}")
        for f in present:
            trace.rule(
                {
                    "capsule": "LIRADS.FEATURE.CAPSULE",
                    "washout": "LIRADS.FEATURE.WASHOUT",
                    "threshold_growth": "LIRADS.FEATURE.THRESHOLD_GROWTH",
                }[f]
            )
        row = R.table_row(obs.arterial, obs.size_mm)
        trace.rule(row.rule_id)
        if not present:
            cat = row.none
        elif len(present) == 1:
            cat = row.one[present[0]] if isinstance(row.one, dict) else row.one
        else:
            cat = row.two_or_more
        out["table_category"] = cat
        out["category"] = self._ancillary(cat, obs, trace, where, out)
        trace.rule(f"LIRADS.CAT.{out['category']}")
        return out

    @staticmethod
    def _ancillary(cat: str, obs: _Obs, trace: Trace, where: str, out: dict[str, Any]) -> str:
        up = obs.ancillary["malignancy"] + obs.ancillary["hcc"]
        down = obs.ancillary["benign"]
        if not up and not down:
            return cat
        trace.rule("LIRADS.RULE.ANCILLARY")
        out["ancillary"] = {"favouring_malignancy": up, "favouring_benignity": down}
        i = R.ORDER.index(cat)
        if up and down:
            trace.note(f"{where}ancillary features point both ways: no adjustment")
            return cat
        if up:
            new = R.ORDER[i + 1] if i + 1 < len(R.ORDER) and R.ORDER[i + 1] != "LR-5" else cat
            if new == cat:
                trace.note(f"{where}ancillary features cannot raise {cat} (they never create LR-5)")
            return new
        return R.ORDER[i - 1] if i > 0 else cat


def _check_population(p: _Patient, trace: Trace) -> None:
    trace.rule("LIRADS.RULE.POPULATION")
    young = p.age is not None and p.age < 18
    cause_excluded = [x for x in p.excluded if x in ("congenital hepatic fibrosis", "vascular cause")]
    if young or "paediatric" in p.excluded:
        raise InvalidInput(
            "LI-RADS does not apply to patients under 18 (rule LIRADS.RULE.POPULATION)",
            hint="LI-RADS CT/MRI is for adults at high risk of HCC",
        )
    other_risk = [r for r in p.risk if r != "cirrhosis"]
    if cause_excluded and not other_risk:
        raise InvalidInput(
            f"LI-RADS does not apply to cirrhosis from {cause_excluded[0]} (rule LIRADS.RULE.POPULATION)",
            hint="LI-RADS CT/MRI is for adults at high risk of HCC",
        )
    if not p.risk and (p.negated_risk or "no risk factor" in p.excluded):
        raise InvalidInput(
            "LI-RADS does not apply without a risk factor for HCC (rule LIRADS.RULE.POPULATION)",
            hint="it needs cirrhosis, chronic hepatitis B, or current or prior HCC",
        )
    if not p.risk:
        trace.note("population not stated: LI-RADS assumes an adult with cirrhosis, chronic hepatitis B or HCC")
    if p.modalities and not any(m in ("CT", "MRI") for m in p.modalities):
        raise InvalidInput(
            "this is the LI-RADS CT/MRI algorithm; ultrasound and CEUS are not covered",
            hint="give a CT or MRI observation",
        )


def _validate(label: str) -> str:
    raw = label.strip().upper().replace(" ", "")
    raw = raw.removeprefix("LI-RADS").removeprefix("LIRADS")
    core = raw.removeprefix("LR-").removeprefix("LR")
    value = f"LR-{core}"
    if value not in R.VALID:
        hint = "treatment-response (LR-TR) categories are not covered; " if core.startswith("TR") else ""
        raise InvalidInput(
            f"'{value}' is not a LI-RADS v2018 CT/MRI category", hint=f"{hint}valid categories: {', '.join(R.VALID)}"
        )
    return value


def _stated(text: str) -> tuple[str, Evidence] | None:
    m = R.STATED.search(text)
    if not m:
        return None
    g = 1 if m.group(1) else 2
    return _validate(m.group(g)), evidence_for("lirads.stated_category", m.group(g), text, m.start(g), m.end(g))
