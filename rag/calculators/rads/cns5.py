"""WHO CNS5 (2021) adult-type diffuse gliomas: integrated diagnosis and CNS WHO grade.

Order: H3 K27 alteration (a midline diffuse glioma) → IDH-mutant (1p/19q codeletion separates
oligodendroglioma from astrocytoma; ATRX loss also points to astrocytoma) → IDH-wildtype
(glioblastoma if any of necrosis, microvascular proliferation, TERT promoter mutation, EGFR
amplification or +7/−10).

Decisions:
- "NOS" only when the report says a needed test was not done or failed; a test simply not
  mentioned is a ``missing`` input (diagnosis null). "NEC" when every needed test was done and
  the tumour fits no type. NOS/NEC results carry no grade.
- Grade 2 vs 3 (astrocytoma, oligodendroglioma) is histological: "anaplastic"/brisk mitoses → 3;
  low mitotic activity or "low-grade" → 2; when the report is silent but states "CNS WHO grade 2/3",
  that stated grade is used (noted); otherwise the grade is missing.
- An IDH1 R132H-negative immunostain counts as IDH-wildtype only at age ≥55 (noted); younger
  patients need sequencing (missing).
- Patients under 18 (pediatric-type gliomas) are outside this calculator: null with a note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from rag.calculators.rads.molecular import CHR7_10, GLIOMA_MARKERS, read_marker
from rag.calculators.rads.scan import Vocab, evidence_for, find_age, is_negated
from rag.calculators.rads.trace import Trace
from rag.types import Evidence

__all__ = ["GliomaFacts", "diagnose_glioma", "read_glioma"]

_HISTOLOGY = {
    "necrosis": Vocab({"necrosis": [r"\b(?:pseudo)?(?:palisading )?necrosis\b", r"\bnecrotic\b", r"坏死"]}),
    "mvp": Vocab(
        {
            "mvp": [
                r"\bmicrovascular proliferation\b",
                r"\bMVP\b",
                r"\bendothelial (?:cell )?proliferation\b",
                r"\bglomeruloid vessels?\b",
                r"微血管增生",
            ]
        }
    ),
    "high_mitotic": Vocab(
        {
            "high": [
                r"\banaplas(?:tic|ia)\b",
                r"\b(?:brisk|significant|increased|high|elevated|conspicuous|frequent) mito(?:tic|ses)"
                r"(?: activity| index| count| rate| figures)?\b",
                r"\bmitotically active\b",
                r"\bnumerous mitoses\b",
                r"\bmitotic (?:activity|index|count|rate)\s*[:=]\s*(?:brisk|high|increased|significant|elevated)\b",
                r"\bmitoses (?:are )?(?:readily|easily|frequently) (?:identified|found|seen)\b",
            ]
        }
    ),
    "low_mitotic": Vocab(
        {
            "low": [
                r"\b(?:low|no|absent|minimal|rare|scant|inconspicuous) mitotic (?:activity|figures|index|count)\b",
                r"\b(?:no|rare|scant|occasional) mitoses\b",
                r"\bmitoses (?:are )?(?:absent|not (?:seen|identified))\b",
                r"\blow[- ]grade\b",
                r"\bmitotic (?:activity|index|count|rate)\s*[:=]\s*(?:low|none|absent|rare|minimal|scant)\b",
            ]
        }
    ),
}
_MORPHOLOGY = Vocab(
    {
        "oligodendroglial": [
            r"\boligodendroglial\b",
            r"\boligodendroglioma\b",
            r"\bfried[- ]egg\b",
            r"\bperinuclear halos?\b",
        ],
        "astrocytic": [r"\bastrocytic\b", r"\bastrocytoma\b"],
        "glioblastoma": [r"\bglioblastoma\b", r"\bGBM\b"],
    }
)
_LOCATION = Vocab(
    {
        "midline": [
            r"\bthalam(?:us|ic)\b",
            r"\bbrain ?stem\b",
            r"\bpon(?:s|tine)\b",
            r"\bmedulla(?: oblongata)?\b",
            r"\bmidbrain\b",
            r"\bspinal(?: cord)?\b",
            r"\bmidline\b",
            r"\bDIPG\b",
            r"丘脑",
            r"脑干",
            r"脊髓",
            r"中线",
        ],
        "hemispheric": [
            r"\b(?:frontal|temporal|parietal|occipital|insular)(?: lobe)?\b",
            r"\bcerebral hemisphere\b",
            r"\bhemispher(?:e|ic)\b",
            r"额叶",
            r"颞叶",
            r"顶叶",
            r"枕叶",
        ],
    }
)
_STATED_GRADE = re.compile(
    r"\b(?:CNS\s+)?WHO\s+grade\s*(?P<g>[1-4]|I{1,3}|IV)\b|\bgrade\s*(?P<h>[1-4]|II|III|IV)\b", re.I
)
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}


@dataclass
class GliomaFacts:
    """What the report says: marker states (pos / neg / untested / None) and histology flags."""

    markers: dict[str, str | None] = field(default_factory=dict)
    histology: dict[str, bool | None] = field(default_factory=dict)
    morphology: str | None = None
    location: str | None = None
    age: int | None = None
    stated_grade: int | None = None
    evidence: list[Evidence] = field(default_factory=list)


def read_glioma(text: str) -> GliomaFacts:
    """Collect marker states, histology and context from pathology text."""
    f = GliomaFacts()
    for key, marker in GLIOMA_MARKERS.items():
        st = read_marker(text, marker, f"cns5.{key}")
        f.markers[key] = st.state if st else None
        if st:
            f.evidence.append(st.evidence)
    m = CHR7_10.search(text)
    if m:
        f.markers["chr7_10"] = "neg" if is_negated(text, m.start(), m.end()) else "pos"
        f.evidence.append(evidence_for("cns5.chr7_10", f.markers["chr7_10"], text, m.start(), m.end()))
    else:
        f.markers["chr7_10"] = None
    for key, vocab in _HISTOLOGY.items():
        hits = vocab.find(text)
        pos = next((h for h in hits if not h.negated), None)
        neg = next((h for h in hits if h.negated), None)
        f.histology[key] = True if pos else False if neg else None
        if pos or neg:
            h = pos or neg
            assert h is not None
            f.evidence.append(evidence_for(f"cns5.{key}", bool(pos), text, h.start, h.end))
    if h := next((x for x in _MORPHOLOGY.find(text) if not x.negated), None):
        f.morphology = h.value
        f.evidence.append(evidence_for("cns5.morphology", h.value, text, h.start, h.end))
    if h := next((x for x in _LOCATION.find(text) if not x.negated), None):
        f.location = h.value
        f.evidence.append(evidence_for("cns5.location", h.value, text, h.start, h.end))
    if age := find_age(text):
        f.age = age[0]
        f.evidence.append(evidence_for("cns5.age", age[0], text, age[1], age[2]))
    if g := _STATED_GRADE.search(text):
        raw = g.group("g") or g.group("h")
        f.stated_grade = int(raw) if raw.isdigit() else _ROMAN[raw.upper()]
        f.evidence.append(evidence_for("cns5.stated_grade", f.stated_grade, text, g.start(), g.end()))
    return f


def _grade(n: int) -> str:
    return f"CNS WHO grade {n}"


def _histological_tier(f: GliomaFacts, trace: Trace) -> int | None:
    """2 or 3 from mitotic activity / anaplasia; the stated grade when the histology is silent."""
    if f.histology.get("high_mitotic"):
        return 3
    if f.histology.get("low_mitotic"):
        return 2
    if f.stated_grade in (2, 3):
        trace.note(f"grade {f.stated_grade} taken from the report's stated grade (mitotic activity not described)")
        return f.stated_grade
    return None


def diagnose_glioma(f: GliomaFacts, trace: Trace) -> dict[str, Any]:
    """Integrated diagnosis and grade for an adult-type diffuse glioma."""
    mk, hist = f.markers, f.histology
    out: dict[str, Any] = {"diagnosis": None, "grade": None}
    if f.age is not None and f.age < 18:
        trace.note("patient under 18: pediatric-type diffuse gliomas are not covered by this calculator")
        return out
    if mk.get("h3g34") == "pos":
        trace.note("H3 G34-mutant diffuse hemispheric glioma is a pediatric-type glioma, not covered here")
        return out
    if mk.get("h3k27") == "pos":
        if f.location == "midline":
            trace.rule("CNS5.GLIOMA.DMG_H3K27", "CNS5.RULE.INTEGRATED_DIAGNOSIS")
            return {"diagnosis": "Diffuse midline glioma, H3 K27-altered", "grade": _grade(4)}
        if f.location == "hemispheric":
            trace.rule("CNS5.RULE.NOS_NEC")
            trace.note("H3 K27 alteration outside the midline does not make a diffuse midline glioma")
            return {"diagnosis": "Diffuse glioma, NEC", "grade": None}
        trace.need("tumour location (a diffuse midline glioma must be midline: thalamus, brainstem, spinal cord)")
        return out
    idh = mk.get("idh")
    if idh is None and mk.get("r132h") == "neg":
        if f.age is not None and f.age >= 55:
            idh = "neg"
            trace.note("IDH1 R132H immunostain negative at age >=55 taken as IDH-wildtype")
        else:
            trace.need("IDH sequencing (R132H immunostain negative; age under 55 or not given)")
            return out
    elif idh is None and mk.get("r132h") == "pos":
        idh = "pos"
    if idh == "pos":
        return _idh_mutant(f, trace)
    if idh == "neg":
        return _idh_wildtype(f, trace)
    if idh == "untested":
        trace.rule("CNS5.RULE.NOS_NEC")
        name = "Glioblastoma, NOS" if hist.get("necrosis") or hist.get("mvp") else "Diffuse glioma, NOS"
        trace.note("IDH not tested: NOS diagnosis without a CNS WHO grade")
        return {"diagnosis": name, "grade": None}
    trace.need("IDH mutation status")
    return out


def _idh_mutant(f: GliomaFacts, trace: Trace) -> dict[str, Any]:
    mk, hist = f.markers, f.histology
    codel = mk.get("codeletion")
    if codel == "pos":
        trace.rule("CNS5.GLIOMA.OLIGO", "CNS5.RULE.INTEGRATED_DIAGNOSIS")
        out: dict[str, Any] = {"diagnosis": "Oligodendroglioma, IDH-mutant and 1p/19q-codeleted", "grade": None}
        if hist.get("necrosis") or hist.get("mvp") or mk.get("cdkn2a") == "pos" or hist.get("high_mitotic"):
            tier: int | None = 3
        else:
            tier = _histological_tier(f, trace)
            if tier is None and hist.get("necrosis") is False and hist.get("mvp") is False:
                tier = 2
                trace.note("grade 2: no necrosis or microvascular proliferation (mitotic activity not described)")
        if tier is None:
            trace.need("histological grade features (mitotic activity, necrosis, microvascular proliferation)")
        else:
            trace.rule("CNS5.GRADE.OLIGO")
            out["grade"] = _grade(tier)
        return out
    if codel == "neg" or mk.get("atrx") == "pos":
        trace.rule("CNS5.GLIOMA.ASTRO_IDH", "CNS5.RULE.INTEGRATED_DIAGNOSIS")
        out = {"diagnosis": "Astrocytoma, IDH-mutant", "grade": None}
        if codel is None:
            trace.note("1p/19q not given; ATRX loss with IDH mutation supports astrocytoma")
        grade4 = [
            n
            for n, on in (
                ("CDKN2A/B homozygous deletion", mk.get("cdkn2a") == "pos"),
                ("necrosis", hist.get("necrosis")),
                ("microvascular proliferation", hist.get("mvp")),
            )
            if on
        ]
        if grade4:
            trace.rule("CNS5.GRADE.ASTRO_IDH")
            out["grade"] = _grade(4)
            out["grade_4_criteria"] = grade4
            return out
        if mk.get("cdkn2a") is None:
            trace.note("CDKN2A/B status not given: a homozygous deletion would make it grade 4")
        tier = _histological_tier(f, trace)
        if tier is None:
            trace.need("mitotic activity (grade 2 vs 3)")
        else:
            trace.rule("CNS5.GRADE.ASTRO_IDH")
            out["grade"] = _grade(tier)
        return out
    if codel == "untested":
        trace.rule("CNS5.RULE.NOS_NEC")
        name = "Oligodendroglioma, NOS" if f.morphology == "oligodendroglial" else "Diffuse glioma, IDH-mutant, NOS"
        trace.note("1p/19q not tested: NOS diagnosis without a CNS WHO grade")
        return {"diagnosis": name, "grade": None}
    trace.need("1p/19q codeletion status")
    return {"diagnosis": None, "grade": None}


def _idh_wildtype(f: GliomaFacts, trace: Trace) -> dict[str, Any]:
    mk, hist = f.markers, f.histology
    if f.location == "midline" and mk.get("h3k27") is None:
        trace.need("H3 K27 status (midline diffuse glioma)")
        return {"diagnosis": None, "grade": None}
    criteria = {
        "necrosis": hist.get("necrosis"),
        "microvascular proliferation": hist.get("mvp"),
        "TERT promoter mutation": mk.get("tert"),
        "EGFR amplification": mk.get("egfr"),
        "+7/-10": mk.get("chr7_10"),
    }
    present = [k for k, v in criteria.items() if v in (True, "pos")]
    if mk.get("h3k27") is None and f.location != "midline":
        trace.note("H3 status not given; glioblastoma, IDH-wildtype also requires H3-wildtype")
    if present:
        trace.rule("CNS5.GLIOMA.GBM_IDHWT", "CNS5.GRADE.GBM_IDHWT", "CNS5.RULE.INTEGRATED_DIAGNOSIS")
        return {"diagnosis": "Glioblastoma, IDH-wildtype", "grade": _grade(4), "glioblastoma_criteria": present}
    unknown = [k for k, v in criteria.items() if v is None]
    untested = [k for k, v in criteria.items() if v == "untested"]
    if unknown:
        for k in unknown:
            trace.need(k)
        return {"diagnosis": None, "grade": None}
    trace.rule("CNS5.RULE.NOS_NEC")
    if untested:
        trace.note(f"not tested: {', '.join(untested)} — NOS diagnosis without a CNS WHO grade")
        return {"diagnosis": "Diffuse glioma, IDH-wildtype, NOS", "grade": None}
    trace.note("IDH-wildtype diffuse glioma without any glioblastoma criterion: NEC (consider pediatric-type entities)")
    return {"diagnosis": "Diffuse glioma, IDH-wildtype, NEC", "grade": None}
