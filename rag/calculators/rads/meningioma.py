"""WHO CNS5 meningioma grade (MENING5): molecular, mitotic and histological criteria as data.

Grade 3: TERT promoter mutation, CDKN2A/B homozygous deletion, ≥20 mitoses per 10 HPF or frank
anaplasia. Grade 2: 4–19 mitoses per 10 HPF, brain invasion, chordoid or clear-cell subtype, or
at least 3 of 5 minor features. Grade 1 otherwise — which needs the mitotic count.
CNS5 no longer grades papillary or rhabdoid subtypes 3 by subtype alone (noted when seen).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from rag.calculators.rads.molecular import GLIOMA_MARKERS, read_marker
from rag.calculators.rads.scan import Vocab, evidence_for
from rag.calculators.rads.trace import Trace
from rag.types import Evidence

__all__ = ["MeningiomaFacts", "grade_meningioma", "is_meningioma", "read_meningioma"]

# (lowest count, grade) read top-down: the first row whose count is reached decides.
MITOSIS_ROWS = ((20, 3), (4, 2), (0, 1))
MINOR_NEEDED = 3

_MENINGIOMA = re.compile(r"\bmeningiomas?\b|脑膜瘤", re.I)
_MITOSES = re.compile(
    r"\bmito(?:ses|sis|tic count|tic figures) per 10\s*(?:HPFs?|high[- ]power fields?)\s*[:=]?\s*(?P<j>\d+)\b"
    r"|(?P<n>\d+)\s*(?:mitoses|mitosis|mitotic figures?|mitotic count)?\s*(?:per|/)\s*10\s*(?:HPFs?|high[- ]power fields?)"
    r"|(?P<m>\d+)\s*(?:mitoses|mitosis|mitotic figures?)?\s*(?:per|/)\s*1\.6\s*mm(?:2|²)"
    r"|\bmitotic (?:count|index|rate|activity)\s*(?:of|:|=|is)?\s*(?P<k>\d+)\b",
    re.I,
)
_NO_MITOSES = re.compile(
    r"\b(?:no|rare|absent) mitos(?:es|is)\b|\bmitoses (?:are )?(?:absent|not (?:seen|identified))\b|"
    r"\bmitotic (?:count|activity|figures)\s*[:=]?\s*(?:none|absent|nil)\b",
    re.I,
)
_SUBTYPE = Vocab(
    {
        "chordoid": [r"\bchordoid\b"],
        "clear cell": [r"\bclear[- ]cell\b"],
        "papillary": [r"\bpapillary\b"],
        "rhabdoid": [r"\brhabdoid\b"],
        "atypical": [r"\batypical meningioma\b"],
        "anaplastic": [r"\b(?:anaplastic|malignant) meningioma\b"],
    }
)
_BRAIN_INVASION = Vocab(
    {
        "brain invasion": [
            r"\bbrain[- ]invas(?:ion|ive)\b",
            r"\binva(?:des|sion of|ding) (?:the )?(?:brain|cortex|"
            r"brain parenchyma)\b",
            r"\bbrain parenchymal invasion\b",
            r"脑(?:实质)?侵犯",
        ]
    }
)
_ANAPLASIA = Vocab(
    {"anaplasia": [r"\bfrank(?:ly)? anaplas(?:ia|tic)\b", r"\b(?:sarcoma|carcinoma|melanoma)[- ]like\b"]}
)
_MINOR = Vocab(
    {
        "hypercellularity": [r"\b(?:increased|high) cellularity\b", r"\bhypercellular(?:ity)?\b"],
        "small cells": [
            r"\bsmall cells? with (?:a )?high (?:N:C|nuclear[- ]to[- ]cytoplasmic) ratio\b",
            r"\bsmall[- ]cell (?:change|formation)\b",
        ],
        "prominent nucleoli": [r"\bprominent nucleoli\b", r"\bmacronucleoli\b"],
        "sheeting": [r"\bsheeting\b", r"\bsheet-?like growth\b", r"\bpatternless growth\b"],
        "spontaneous necrosis": [r"\b(?:spontaneous|geographic) necrosis\b", r"\bfoci of necrosis\b", r"\bnecrosis\b"],
    }
)


def is_meningioma(text: str) -> bool:
    """Whether the report is about a meningioma."""
    return bool(_MENINGIOMA.search(text))


@dataclass
class MeningiomaFacts:
    mitoses: int | None = None
    tert: str | None = None
    cdkn2a: str | None = None
    anaplasia: bool = False
    brain_invasion: bool | None = None
    subtypes: list[str] = field(default_factory=list)
    minor: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)


def read_meningioma(text: str) -> MeningiomaFacts:
    """Collect the grading criteria from pathology text."""
    f = MeningiomaFacts()
    if m := _MITOSES.search(text):
        g = next(k for k in ("j", "n", "m", "k") if m.group(k))
        f.mitoses = int(m.group(g))
        f.evidence.append(evidence_for("mening5.mitoses_per_10hpf", f.mitoses, text, m.start(), m.end()))
    elif m := _NO_MITOSES.search(text):
        f.mitoses = 0
        f.evidence.append(evidence_for("mening5.mitoses_per_10hpf", 0, text, m.start(), m.end()))
    for key in ("tert", "cdkn2a"):
        if st := read_marker(text, GLIOMA_MARKERS[key], f"mening5.{key}"):
            setattr(f, key, st.state)
            f.evidence.append(st.evidence)
    for h in _ANAPLASIA.find(text):
        if not h.negated:
            f.anaplasia = True
            f.evidence.append(evidence_for("mening5.anaplasia", True, text, h.start, h.end))
    for h in _BRAIN_INVASION.find(text):
        f.brain_invasion = not h.negated if f.brain_invasion is None else f.brain_invasion or not h.negated
        f.evidence.append(evidence_for("mening5.brain_invasion", not h.negated, text, h.start, h.end))
    for h in _SUBTYPE.find(text):
        if not h.negated and h.value not in f.subtypes:
            f.subtypes.append(h.value)
            f.evidence.append(evidence_for("mening5.subtype", h.value, text, h.start, h.end))
    for h in _MINOR.find(text):
        if not h.negated and h.value not in f.minor:
            f.minor.append(h.value)
            f.evidence.append(evidence_for("mening5.minor_feature", h.value, text, h.start, h.end))
    return f


def grade_meningioma(f: MeningiomaFacts, trace: Trace) -> dict[str, Any]:
    """CNS WHO grade of a meningioma and the criteria that decided it."""
    out: dict[str, Any] = {"diagnosis": "Meningioma", "grade": None, "criteria": []}
    subtype = next((s for s in f.subtypes if s not in ("atypical", "anaplastic")), None)
    if subtype:
        out["subtype"] = subtype
    if subtype in ("papillary", "rhabdoid"):
        trace.note(f"{subtype} subtype: CNS5 grades it by the usual criteria, not by subtype alone")
    by_mitoses = next((g for low, g in MITOSIS_ROWS if f.mitoses is not None and f.mitoses >= low), None)
    three = [
        c
        for c, on in (
            ("TERT promoter mutation", f.tert == "pos"),
            ("CDKN2A/B homozygous deletion", f.cdkn2a == "pos"),
            (f"{f.mitoses} mitoses per 10 HPF (>=20)", by_mitoses == 3),
            ("frank anaplasia", f.anaplasia),
            ("stated anaplastic meningioma", "anaplastic" in f.subtypes),
        )
        if on
    ]
    if three:
        trace.rule("MENING5.GRADE.3")
        out.update(grade="CNS WHO grade 3", criteria=three)
        return out
    two = [
        c
        for c, on in (
            ("4-19 mitoses per 10 HPF", by_mitoses == 2),
            ("brain invasion", f.brain_invasion),
            (f"{subtype} subtype", subtype in ("chordoid", "clear cell")),
            (f"{len(f.minor)} of 5 minor features", len(f.minor) >= MINOR_NEEDED),
            ("stated atypical meningioma", "atypical" in f.subtypes),
        )
        if on
    ]
    for key, what in (("tert", "TERT promoter mutation"), ("cdkn2a", "CDKN2A/B homozygous deletion")):
        if getattr(f, key) is None:
            trace.note(
                f"{what.rsplit(' ', 1)[0] if key == 'tert' else 'CDKN2A/B'} status not given: "
                f"a {what} would make it grade 3"
            )
    if two:
        trace.rule("MENING5.GRADE.2")
        out.update(grade="CNS WHO grade 2", criteria=two)
        return out
    if f.mitoses is None:
        trace.need("mitotic count per 10 HPF")
        return out
    if f.brain_invasion is None:
        trace.note("brain invasion not stated: taken as absent")
    trace.rule("MENING5.GRADE.1")
    out.update(grade="CNS WHO grade 1", criteria=[f"{f.mitoses} mitoses per 10 HPF (<4)"])
    return out
