"""Independent oracles re-stating the RADS tables (DOMAIN §6, §7, §9, §10 and the corpus rule text).

Deliberately written apart from ``rag.calculators.rads`` (no imports from it) so that a suite checks
the readers against the guideline, not against themselves. Sizes in mm unless named otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["LungNodule", "lirads", "lungrads", "pirads", "tirads_level", "tirads_points", "tirads_recommendation"]

_LR_ORDER = ("1", "2", "3", "4A", "4B", "4X")


@dataclass(frozen=True)
class LungNodule:
    """One screening nodule as the guideline describes it."""

    kind: str  # solid | part-solid | ggn | calcified
    status: str  # baseline | new | growing
    mean_mm: float
    solid_mm: float | None = None
    juxtapleural_ok: bool = False  # juxtapleural/perifissural AND smooth AND oval/lentiform/triangular
    suspicious: bool = False  # spiculation, lymphadenopathy (4X for a 3/4 nodule)


def _lung_base(n: LungNodule) -> str:
    m, s = n.mean_mm, n.solid_mm
    if n.kind == "calcified":
        return "1"
    if n.kind == "solid":
        if n.juxtapleural_ok and m < 10 and n.status in ("baseline", "new"):
            return "2"
        if n.status == "baseline":
            return "2" if m < 6 else "3" if m < 8 else "4A" if m < 15 else "4B"
        if n.status == "new":
            return "2" if m < 4 else "3" if m < 6 else "4A" if m < 8 else "4B"
        return "4A" if m < 8 else "4B"  # growing
    if n.kind == "part-solid":
        assert s is not None
        if n.status == "baseline":
            return "2" if m < 6 else "3" if s < 6 else "4A" if s < 8 else "4B"
        if n.status == "new":
            return "3" if m < 6 else "4A" if s < 4 else "4B"
        return "4A" if s < 4 else "4B"
    return "2" if m < 30 else "3"  # ground glass, baseline or new


def lungrads(nodules: Iterable[LungNodule]) -> str:
    """Exam category: the worst nodule, 4X for a 3/4 nodule with suspicious features."""
    cats = []
    for n in nodules:
        c = _lung_base(n)
        if n.suspicious and c in ("3", "4A", "4B"):
            c = "4X"
        cats.append(c)
    return max(cats, key=_LR_ORDER.index)


TI_POINTS = {
    "composition": {"cystic": 0, "spongiform": 0, "mixed": 1, "solid": 2},
    "echogenicity": {"anechoic": 0, "iso": 1, "hyper": 1, "hypo": 2, "very-hypo": 3},
    "shape": {"wider": 0, "taller": 3},
    "margin": {"smooth": 0, "ill-defined": 0, "lobulated": 2, "irregular": 2, "ete": 3},
    "foci": {"none": 0, "comet": 0, "macro": 1, "rim": 2, "punctate": 3},
}


def tirads_points(comp: str, echo: str, shape: str, margin: str, foci: Iterable[str]) -> int:
    """Sum of the five groups; spongiform scores 0 and nothing else; foci are summed over types present."""
    if comp == "spongiform":
        return 0
    p = TI_POINTS
    return (p["composition"][comp] + p["echogenicity"][echo] + p["shape"][shape] + p["margin"][margin]
            + sum(p["foci"][f] for f in set(foci)))


def tirads_level(points: int) -> str | None:
    """TR1 0, TR2 2, TR3 3, TR4 4–6, TR5 ≥7; a 1-point total is not in the chart."""
    if points == 1:
        return None
    return "TR1" if points == 0 else "TR2" if points == 2 else "TR3" if points == 3 else "TR4" if points <= 6 else "TR5"


def tirads_recommendation(level: str | None, size_cm: float) -> str:
    """FNA / follow-up / none by level and maximum diameter (cut-offs inclusive)."""
    cut = {"TR3": (2.5, 1.5), "TR4": (1.5, 1.0), "TR5": (1.0, 0.5)}.get(level or "")
    if cut is None:
        return "none"
    fna, follow = cut
    return "FNA" if size_cm >= fna - 1e-9 else "follow-up" if size_cm >= follow - 1e-9 else "none"


def lirads(size_mm: float, aphe: str, washout: bool, capsule: bool, growth: bool, tiv: bool = False) -> str:
    """CT/MRI v2018: LR-TIV, LR-M (rim APHE / targetoid), then the diagnostic table."""
    if tiv:
        return "LR-TIV"
    if aphe == "rim":
        return "LR-M"
    extra = int(washout) + int(capsule) + int(growth)
    if aphe == "none":
        if size_mm < 20:
            return "LR-3" if extra < 2 else "LR-4"
        return "LR-3" if extra == 0 else "LR-4"
    if size_mm < 10:
        return "LR-3" if extra == 0 else "LR-4"
    if size_mm < 20:
        if extra == 0:
            return "LR-3"
        if extra >= 2:
            return "LR-5"
        return "LR-4" if capsule else "LR-5"
    return "LR-4" if extra == 0 else "LR-5"


def pirads(zone: str, t2w: int | None, dwi: int, dce: str | None) -> str:
    """Overall score: PZ by DWI (3 + positive DCE → 4); TZ by T2W (2 + DWI≥4 → 3; 3 + DWI 5 → 4); DCE never in TZ."""
    if zone == "PZ":
        if dwi == 3 and dce == "positive":
            return "4"
        return str(dwi)
    assert t2w is not None
    if t2w == 2 and dwi >= 4:
        return "3"
    if t2w == 3 and dwi == 5:
        return "4"
    return str(t2w)
