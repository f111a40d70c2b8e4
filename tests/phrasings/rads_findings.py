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
    margins = {
        "smooth": "smooth",
        "ill-defined": "ill-defined",
        "lobulated": "lobulated",
        "irregular": "irregular",
        "ete": "extrathyroidal extension",
    }
    foci = {
        "none": "none",
        "comet": "large comet-tail artifacts",
        "macro": "macrocalcifications",
        "rim": "peripheral calcifications",
        "punctate": "punctate echogenic foci",
    }
    combos = list(itertools.product(comps, echoes, shapes, margins, (("none",), ("macro",), ("rim", "punctate"), ("comet",), ("punctate",))))
    for c, e, s, m, f in r.sample(combos, 60):
        size = r.choice((0.6, 1.0, 1.5, 2.5, 3.0))
        pts = tirads_points(c, e, s, m, f)
        lvl = tirads_level(pts)
        findings = {
            "composition": comps[c],
            "echogenicity": echoes[e],
            "shape": shapes[s],
            "margin": margins[m],
            "echogenic_foci": [foci[x] for x in f],
            "max_diameter_cm": size,
        }
        out += _both("ACR-TI-RADS", f"TIRADS.LEVEL.{lvl}", "plain", findings, points=pts, level=lvl, recommendation=tirads_recommendation(lvl, size))
    return out


def _lirads(r: random.Random) -> list[Phrase]:
    out = []
    arterial = {
        "nonrim": ("nonrim hyperenhancement", "nonrim APHE"),
        "none": ("no hyperenhancement", "hypoenhancement"),
        "rim": ("rim hyperenhancement",),
    }
    for size, aphe, wash, caps, tg in r.sample(
        list(itertools.product((8, 12, 15, 19, 20, 30), arterial, (True, False), (True, False), (True, False))), 50
    ):
        findings = {
            "population": r.choice(("cirrhosis (hepatitis C)", "chronic hepatitis B", "alcohol-related cirrhosis")),
            "modality": r.choice(("MRI", "CT")),
            "observation_size_mm": size,
            "arterial_phase": r.choice(arterial[aphe]),
            "nonperipheral_washout": wash,
            "enhancing_capsule": caps,
            "threshold_growth": tg,
        }
        out += _both("LI-RADS-v2018", "LIRADS.TABLE", "plain", findings, category=lirads(size, aphe, wash, caps, tg))
    return out


def _pirads(r: random.Random) -> list[Phrase]:
    out = []
    for zone, t2, dwi, dce in r.sample(list(itertools.product(("PZ", "TZ"), range(1, 6), range(1, 6), ("positive", "negative"))), 40):
        findings = {"zone": "peripheral zone" if zone == "PZ" else "transition zone", "T2W_score": t2, "DWI_score": dwi, "DCE": dce}
        out += _both("PI-RADS-v2.1", f"PIRADS.{zone}", "plain", findings, category=pirads(zone, t2, dwi, dce))
    return out


def _hand_written() -> list[Phrase]:
    """Less common keys and values (predominantly cystic, rim, 'not performed', a bare likelihood).

    First run, before the fixes it prompted: 32 / 40 right, 2 wrong ("predominantly cystic" read as
    cystic, in both shapes), 6 missing.
    """
    return [
        *_both(
            "ACR-TI-RADS",
            "hand-written",
            "plain",
            {
                "composition": "predominantly cystic",
                "echogenicity": "isoechoic",
                "shape": "wider than tall",
                "margin": "smooth",
                "echogenic_foci": ["none"],
                "max_diameter_cm": 2.6,
            },
            points=2,
            level="TR2",
            recommendation="none",
        ),
        *_both(
            "ACR-TI-RADS",
            "hand-written",
            "plain",
            {
                "composition": "mixed",
                "echogenicity": "markedly hypoechoic",
                "shape": "taller than wide",
                "margin": "ill-defined",
                "echogenic_foci": ["peripheral rim calcifications", "punctate echogenic foci"],
                "max_diameter_mm": 8,
            },
            points=12,
            level="TR5",
            recommendation="follow-up",
        ),
        *_both(
            "ACR-TI-RADS",
            "hand-written",
            "plain",
            {
                "composition": "solid",
                "echogenicity": "hyperechoic",
                "shape": "wider-than-tall",
                "margin": "lobulated",
                "echogenic_foci": "macrocalcifications",
                "size_cm": 1.5,
            },
            points=6,
            level="TR4",
            recommendation="FNA",
        ),
        *_both(
            "Lung-RADS-v2022",
            "hand-written",
            "plain",
            {
                "exam": "annual screening LDCT",
                "nodules": [{"type": "solid", "status": "growing", "mean_diameter_mm": 7.5, "prior_mean_diameter_mm": 5.0}],
            },
            category="4A",
        ),
        *_both(
            "Lung-RADS-v2022",
            "hand-written",
            "plain",
            {"exam": "baseline screening LDCT", "nodules": [{"type": "solid", "mean_diameter_mm": 9.0, "margin": "spiculated"}]},
            category="4X",
        ),
        *_both(
            "Lung-RADS-v2022",
            "hand-written",
            "plain",
            {"exam": "baseline screening LDCT", "lymphadenopathy": True, "nodules": [{"type": "solid", "mean_diameter_mm": 6.5}]},
            category="4X",
        ),
        *_both(
            "Lung-RADS-v2022",
            "hand-written",
            "plain",
            {
                "exam": "baseline screening LDCT",
                "nodules": [{"type": "perifissural", "mean_diameter_mm": 7.0, "margin": "smooth", "shape": "triangular"}],
            },
            category="2",
        ),
        *_both(
            "Lung-RADS-v2022",
            "hand-written",
            "plain",
            {
                "exam": "baseline screening LDCT",
                "nodules": [{"type": "part-solid", "mean_diameter_mm": 12.0, "solid_component_mean_diameter_mm": 6.5}],
            },
            category="4A",
        ),
        *_both(
            "Lung-RADS-v2022",
            "hand-written",
            "plain",
            {
                "exam": "baseline screening LDCT",
                "nodules": [{"type": "solid", "long_axis_mm": 16, "short_axis_mm": 13}, {"type": "ground-glass", "mean_diameter_mm": 12}],
            },
            category="4A",
        ),
        *_both(
            "LI-RADS-v2018",
            "hand-written",
            "plain",
            {
                "population": "cirrhosis",
                "observation_size_mm": 25,
                "arterial_phase": "rim",
                "nonperipheral_washout": False,
                "enhancing_capsule": False,
            },
            category="LR-M",
        ),
        *_both(
            "LI-RADS-v2018",
            "hand-written",
            "plain",
            {"population": "cirrhosis", "observation_size_mm": 12, "arterial_phase": "nonrim", "nonperipheral_washout": True},
            category="LR-5",
        ),
        *_both(
            "LI-RADS-v2018",
            "hand-written",
            "plain",
            {
                "population": "chronic hepatitis B",
                "observation_size_mm": 30,
                "arterial_phase": "none",
                "nonperipheral_washout": False,
                "enhancing_capsule": False,
                "threshold_growth": False,
            },
            category="LR-3",
        ),
        *_both(
            "LI-RADS-v2018",
            "hand-written",
            "plain",
            {"population": "cirrhosis", "observation_size_mm": 18, "arterial_phase": "nonrim hyperenhancement", "tumor_in_vein": True},
            category="LR-TIV",
        ),
        *_both("PI-RADS-v2.1", "hand-written", "plain", {"zone": "TZ", "T2W_score": 2, "DWI_score": 4}, category="3"),
        *_both("PI-RADS-v2.1", "hand-written", "plain", {"zone": "PZ", "DWI_score": 3, "DCE": "not performed"}, category="3"),
        *_both("PI-RADS-v2.1", "hand-written", "plain", {"zone": "peripheral zone", "T2W_score": 5, "DWI_score": 2, "DCE": "positive"}, category="2"),
        *_both("PI-RADS-v2.1", "hand-written", "plain", {"zone": "transition zone", "T2W_score": 3, "DWI_score": 5, "DCE": "negative"}, category="4"),
        *_both(
            "BI-RADS", "hand-written", "plain", {"modality": "mammography", "setting": "diagnostic", "likelihood_of_malignancy": 15}, category="4B"
        ),
        *_both("BI-RADS", "hand-written", "plain", {"modality": "MRI", "likelihood_of_malignancy": 60}, category="4"),
        *_both("BI-RADS", "hand-written", "plain", {"modality": "mammography", "setting": "screening", "category": "3"}, category="0"),
    ]


def cases() -> list[Phrase]:
    """Every structured-findings phrase (text rendering and findings object)."""
    r = random.Random("rads-findings")
    return [*_lung(r), *_tirads(r), *_lirads(r), *_pirads(r), *_hand_written()]
