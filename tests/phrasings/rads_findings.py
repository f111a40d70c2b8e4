"""Structured RADS findings, scored twice: through ``--findings`` and rendered as ``key: value.`` text.

The rendering mirrors how the outside contract check turns a findings object into free text
(``../shared/tools/contract_check.py``), so both input shapes a user can send are covered. The
findings vary the keys and values a registry would use; expectations come from the oracle.
"""

from __future__ import annotations

import itertools
import random
import re
from dataclasses import replace
from typing import Any

from phrasings import Phrase, phrase
from phrasings.rads_oracle import LungNodule, lirads, lungrads, pirads, tirads_level, tirads_points, tirads_recommendation


def as_text(inp: Any) -> str:
    """``{"long_axis_mm": 7}`` → ``long axis: 7 mm.`` (lists joined by "; ")."""
    if isinstance(inp, str):
        return inp
    parts = []
    for k, v in inp.items():
        unit = " mm" if k.endswith("_mm") else " cm" if k.endswith("_cm") else ""
        k = re.sub(r"_(mm|cm)$", "", k).replace("_", " ")
        v = "yes" if v is True else "no" if v is False else v
        if isinstance(v, list):
            v = "; ".join(as_text(x) if isinstance(x, dict) else str(x) for x in v)
        parts.append(f"{k}: {v}{unit}")
    return ". ".join(parts) + "."


def _both(system: str, rule: str, form: str, findings: dict[str, Any], **expect: Any) -> list[Phrase]:
    text = phrase(system, "en", rule, form, as_text(findings), **expect)
    return [text, replace(text, form=f"{form}/findings", findings=findings)]


def _lung(r: random.Random) -> list[Phrase]:
    out = []
    for kind, status, m in itertools.product(("solid", "part-solid", "ground-glass"), ("baseline", "new"), (4.5, 6.0, 7.5, 9.0, 16.0, 31.0)):
        if kind != "ground-glass" and m > 20:
            continue
        nod: dict[str, Any] = {"type": kind}
        if r.random() < 0.5:
            nod.update(long_axis_mm=m + 1, short_axis_mm=m - 1)
        else:
            nod["mean_diameter_mm"] = m
        solid = None
        if kind == "part-solid":
            solid = round(m * r.choice((0.3, 0.6, 0.9)), 1)
            nod["solid_component_mm"] = solid
        if status == "new":
            nod["status"] = "new"
        exam = "baseline screening LDCT" if status == "baseline" else "annual screening LDCT"
        cat = lungrads([LungNodule(kind if kind != "ground-glass" else "ggn", status, m, solid)])
        out += _both("Lung-RADS-v2022", f"LR22.{kind}", "plain", {"exam": exam, "nodules": [nod]}, category=cat, mean_diameter_mm=m)
    for m, margin, shape in itertools.product((6.0, 8.0, 9.5, 11.0), ("smooth", "spiculated"), ("lentiform", "triangular", "round")):
        nod = {"type": "solid", "location": r.choice(("juxtapleural", "perifissural")), "margin": margin, "shape": shape, "mean_diameter_mm": m}
        ok = margin == "smooth" and shape != "round"
        cat = lungrads([LungNodule("solid", "baseline", m, juxtapleural_ok=ok, suspicious=margin == "spiculated")])
        out += _both("Lung-RADS-v2022", "LR22.JUXTAPLEURAL.2", "plain", {"exam": "baseline screening LDCT", "nodules": [nod]}, category=cat)
    return out


def _tirads(r: random.Random) -> list[Phrase]:
    out = []
    comps = {"cystic": "cystic", "spongiform": "spongiform", "mixed": "mixed cystic and solid", "solid": "solid"}
    echoes = {"anechoic": "anechoic", "iso": "isoechoic", "hyper": "hyperechoic", "hypo": "hypoechoic", "very-hypo": "very hypoechoic"}
    shapes = {"wider": "wider-than-tall", "taller": "taller-than-wide"}
    margins = {"smooth": "smooth", "ill-defined": "ill-defined", "lobulated": "lobulated", "irregular": "irregular",
               "ete": "extrathyroidal extension"}
    foci = {"none": "none", "comet": "large comet-tail artifacts", "macro": "macrocalcifications", "rim": "peripheral calcifications",
            "punctate": "punctate echogenic foci"}
    combos = list(itertools.product(comps, echoes, shapes, margins, (("none",), ("macro",), ("rim", "punctate"), ("comet",), ("punctate",))))
    for c, e, s, m, f in r.sample(combos, 60):
        size = r.choice((0.6, 1.0, 1.5, 2.5, 3.0))
        pts = tirads_points(c, e, s, m, f)
        lvl = tirads_level(pts)
        findings = {"composition": comps[c], "echogenicity": echoes[e], "shape": shapes[s], "margin": margins[m],
                    "echogenic_foci": [foci[x] for x in f], "max_diameter_cm": size}
        out += _both("ACR-TI-RADS", f"TIRADS.LEVEL.{lvl}", "plain", findings, points=pts, level=lvl,
                     recommendation=tirads_recommendation(lvl, size))
    return out


def _lirads(r: random.Random) -> list[Phrase]:
    out = []
    arterial = {"nonrim": ("nonrim hyperenhancement", "nonrim APHE"), "none": ("no hyperenhancement", "hypoenhancement"),
                "rim": ("rim hyperenhancement",)}
    for size, aphe, wash, caps, tg in r.sample(list(itertools.product((8, 12, 15, 19, 20, 30), arterial, (True, False), (True, False),
                                                                       (True, False))), 50):
        findings = {"population": r.choice(("cirrhosis (hepatitis C)", "chronic hepatitis B", "alcohol-related cirrhosis")),
                    "modality": r.choice(("MRI", "CT")), "observation_size_mm": size, "arterial_phase": r.choice(arterial[aphe]),
                    "nonperipheral_washout": wash, "enhancing_capsule": caps, "threshold_growth": tg}
        out += _both("LI-RADS-v2018", "LIRADS.TABLE", "plain", findings, category=lirads(size, aphe, wash, caps, tg))
    return out


def _pirads(r: random.Random) -> list[Phrase]:
    out = []
    for zone, t2, dwi, dce in r.sample(list(itertools.product(("PZ", "TZ"), range(1, 6), range(1, 6), ("positive", "negative"))), 40):
        findings = {"zone": "peripheral zone" if zone == "PZ" else "transition zone", "T2W_score": t2, "DWI_score": dwi, "DCE": dce}
        out += _both("PI-RADS-v2.1", f"PIRADS.{zone}", "plain", findings, category=pirads(zone, t2, dwi, dce))
    return out


def cases() -> list[Phrase]:
    """Every structured-findings phrase (text rendering and findings object)."""
    r = random.Random("rads-findings")
    return [*_lung(r), *_tirads(r), *_lirads(r), *_pirads(r)]
