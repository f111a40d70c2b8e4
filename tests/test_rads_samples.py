"""The shared sample cases for the RADS/WHO systems, fed as findings and as contract_check text;
registry aliases; rule ids against docs/RULE_IDS.md; evidence spans; speed."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest

from rag.calculators.rads import CALCULATORS
from rag.calculators.registry import find_calculator
from rag.errors import InvalidInput
from tests.conftest import SHARED, require_shared

SAMPLES: list[dict[str, Any]] = [
    {
        "id": "lungrads-01",
        "system": "Lung-RADS-v2022",
        "input": {
            "exam": "baseline screening LDCT",
            "nodules": [{"type": "solid", "long_axis_mm": 7.0, "short_axis_mm": 5.0}],
        },
        "gold": {"category": "3", "mean_diameter_mm": 6.0},
    },
    {
        "id": "lungrads-04",
        "system": "Lung-RADS-v2022",
        "input": (
            "Baseline lung screening LDCT: right upper lobe part-solid nodule, total mean diameter 12.0 mm, solid component "
            "mean diameter 7.0 mm. No other nodules."
        ),
        "gold": {"category": "4A"},
    },
    {
        "id": "lungrads-07",
        "system": "Lung-RADS-v2022",
        "input": (
            "Baseline lung screening LDCT with three nodules: (1) 4.0 mm solid nodule RUL; (2) 12 mm completely calcified "
            "nodule LUL; (3) 9.0 mm mean-diameter solid nodule RLL with spiculated margins. No lymphadenopathy."
        ),
        "gold": {"category": "4X"},
    },
    {
        "id": "tirads-01",
        "system": "ACR-TI-RADS",
        "input": {
            "composition": "solid",
            "echogenicity": "hypoechoic",
            "shape": "wider-than-tall",
            "margin": "smooth",
            "echogenic_foci": ["none"],
            "max_diameter_cm": 1.5,
        },
        "gold": {"points": 4, "level": "TR4", "recommendation": "FNA"},
    },
    {
        "id": "tirads-04",
        "system": "ACR-TI-RADS",
        "input": {
            "composition": "solid",
            "echogenicity": "isoechoic",
            "shape": "wider-than-tall",
            "margin": "smooth",
            "echogenic_foci": ["none"],
            "max_diameter_cm": 2.5,
        },
        "gold": {"points": 3, "level": "TR3", "recommendation": "FNA"},
    },
    {
        "id": "birads-01",
        "system": "BI-RADS",
        "input": (
            "Diagnostic breast ultrasound after complete work-up; the radiologist's estimated likelihood of malignancy for "
            "the finding is 2%. Which BI-RADS (5th ed.) assessment category applies?"
        ),
        "gold": {"category": "3"},
    },
    {
        "id": "lirads-01",
        "system": "LI-RADS-v2018",
        "input": {
            "population": "cirrhosis (hepatitis C)",
            "modality": "MRI with extracellular contrast",
            "observation_size_mm": 15,
            "arterial_phase": "nonrim hyperenhancement",
            "nonperipheral_washout": False,
            "enhancing_capsule": True,
            "threshold_growth": False,
        },
        "gold": {"category": "LR-4"},
    },
    {
        "id": "lirads-04",
        "system": "LI-RADS-v2018",
        "input": {
            "population": "chronic hepatitis B",
            "modality": "MRI",
            "observation_size_mm": 22,
            "arterial_phase": "no hyperenhancement",
            "nonperipheral_washout": True,
            "enhancing_capsule": False,
            "threshold_growth": False,
        },
        "gold": {"category": "LR-4"},
    },
    {
        "id": "pirads-01",
        "system": "PI-RADS-v2.1",
        "input": {"zone": "peripheral zone", "T2W_score": 3, "DWI_score": 3, "DCE": "positive"},
        "gold": {"category": "4"},
    },
    {
        "id": "pirads-04",
        "system": "PI-RADS-v2.1",
        "input": {"zone": "transition zone", "T2W_score": 3, "DWI_score": 4, "DCE": "positive"},
        "gold": {"category": "3"},
    },
    {
        "id": "cns5-01",
        "system": "WHO-CNS5",
        "input": (
            "58-year-old, right temporal diffuse astrocytic glioma. Histology: no necrosis, no microvascular proliferation. "
            "IDH1/IDH2 wild-type by sequencing; H3 wild-type; EGFR amplification present."
        ),
        "gold": {"diagnosis": "Glioblastoma, IDH-wildtype", "grade": "CNS WHO grade 4"},
    },
]
CASES = SHARED / "cases" / "sample_cases.jsonl"


def as_text(inp: Any) -> str:
    """Copy of ``as_text`` in shared/tools/contract_check.py (how the outside check renders findings)."""
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


def _check(result: dict[str, Any], gold: dict[str, Any]) -> None:
    for key, want in gold.items():
        assert result.get(key) == want, (key, result.get(key), want)


def test_embedded_samples_match_the_shared_file() -> None:
    lines = require_shared(CASES).read_text().splitlines()
    shared = {json.loads(line)["id"]: json.loads(line) for line in lines if line.strip()}
    for case in SAMPLES:
        assert shared[case["id"]]["input"] == case["input"]
        assert shared[case["id"]]["gold"] == case["gold"]


@pytest.mark.parametrize("case", SAMPLES, ids=lambda c: c["id"])
def test_sample_as_contract_text(case: dict[str, Any]) -> None:
    calc = find_calculator(case["system"])
    _check(calc.from_text(as_text(case["input"])).result, case["gold"])


@pytest.mark.parametrize("case", [c for c in SAMPLES if isinstance(c["input"], dict)], ids=lambda c: c["id"])
def test_sample_as_findings(case: dict[str, Any]) -> None:
    calc = find_calculator(case["system"])
    _check(calc.from_findings(case["input"]).result, case["gold"])


@pytest.mark.parametrize("case", SAMPLES, ids=lambda c: c["id"])
def test_sample_evidence_spans_point_into_the_text(case: dict[str, Any]) -> None:
    text = as_text(case["input"])
    res = find_calculator(case["system"]).from_text(text)
    assert res.evidence
    for ev in res.evidence:
        assert 0 <= ev.start < ev.end <= len(text)
        assert text[ev.start : ev.end] == ev.text


@pytest.mark.parametrize("case", SAMPLES, ids=lambda c: c["id"])
def test_from_text_under_50_ms(case: dict[str, Any]) -> None:
    calc = find_calculator(case["system"])
    text = as_text(case["input"])
    calc.from_text(text)
    best = min(_timed(calc.from_text, text) for _ in range(3))
    assert best < 0.05


def _timed(fn: Any, arg: str) -> float:
    t = time.perf_counter()
    fn(arg)
    return time.perf_counter() - t


@pytest.mark.parametrize(
    ("alias", "system"),
    [
        ("lung-rads", "Lung-RADS-v2022"),
        ("LungRADS", "Lung-RADS-v2022"),
        ("Lung-RADS-v2022", "Lung-RADS-v2022"),
        ("tirads", "ACR-TI-RADS"),
        ("ACR-TI-RADS", "ACR-TI-RADS"),
        ("birads", "BI-RADS"),
        ("BI-RADS", "BI-RADS"),
        ("li-rads", "LI-RADS-v2018"),
        ("LI-RADS-v2018", "LI-RADS-v2018"),
        ("pirads", "PI-RADS-v2.1"),
        ("PI-RADS-v2.1", "PI-RADS-v2.1"),
        ("cns5", "WHO-CNS5"),
        ("WHO-CNS5", "WHO-CNS5"),
        ("WHO-NET2019", "WHO-NET2019"),
        ("gep-net", "WHO-NET2019"),
    ],
)
def test_registry_aliases(alias: str, system: str) -> None:
    assert find_calculator(alias).system == system


def test_registry_lists_every_system_once() -> None:
    systems = [c.system for c in CALCULATORS]
    assert sorted(systems) == sorted(
        {"Lung-RADS-v2022", "ACR-TI-RADS", "BI-RADS", "LI-RADS-v2018", "PI-RADS-v2.1", "WHO-CNS5", "WHO-NET2019"}
    )


# ---- rule ids: exactly the scheme of docs/RULE_IDS.md ----------------------------------------


def _allowed() -> set[str]:
    ids = {f"LR22.CAT.{c}" for c in ("0", "1", "2", "3", "4A", "4B", "4X", "S")}
    for kind in ("SOLID", "PARTSOLID", "GGN", "AIRWAY", "CYST"):
        ids |= {f"LR22.{kind}.{c}" for c in ("1", "2", "3", "4A", "4B")}
    ids |= {"LR22.JUXTAPLEURAL.2", "LR22.CALCIFIED.1"} | {
        f"LR22.RULE.{r}" for r in ("MEAN_DIAMETER", "GROWTH", "EXAM_CATEGORY", "SCOPE", "STEPDOWN", "NEW_VS_BASELINE")
    }
    ids |= {f"TIRADS.POINTS.{p}" for p in ("COMPOSITION", "ECHOGENICITY", "SHAPE", "MARGIN", "ECHOGENIC_FOCI")}
    ids |= {f"TIRADS.LEVEL.TR{i}" for i in range(1, 6)} | {
        f"TIRADS.RULE.{r}" for r in ("SPONGIFORM", "ONE_POINT", "MULTIPLE_NODULES", "GROWTH", "SIZE")
    }
    ids |= {f"BIRADS.CAT.{c}" for c in ("0", "1", "2", "3", "4", "4A", "4B", "4C", "5", "6")}
    ids |= {f"BIRADS.RULE.{r}" for r in ("SUBCATEGORY_MODALITY", "SCREENING_CATEGORY_3", "EXAM_ORDER", "DENSITY")}
    ids |= {f"LIRADS.CAT.{c}" for c in ("LR-NC", "LR-TIV", "LR-1", "LR-2", "LR-3", "LR-4", "LR-5", "LR-M")}
    ids |= {f"LIRADS.RULE.{r}" for r in ("POPULATION", "ORDER", "ANCILLARY", "TIE_BREAK", "UNCERTAIN_FEATURE", "TREATMENT_RESPONSE")}
    ids |= {f"LIRADS.TABLE.{r}" for r in ("NOAPHE_LT20", "NOAPHE_GE20", "APHE_LT10", "APHE_10_19", "APHE_GE20")}
    ids |= {f"LIRADS.FEATURE.{f}" for f in ("APHE", "WASHOUT", "CAPSULE", "THRESHOLD_GROWTH")}
    for part in ("DWI", "T2W_TZ", "PZ", "TZ"):
        ids |= {f"PIRADS.{part}.{i}" for i in range(1, 6)}
    ids |= {f"PIRADS.RULE.{r}" for r in ("DCE_PZ", "DCE_TZ", "SIZE_BOUNDARY")}
    ids |= {f"CNS5.GLIOMA.{g}" for g in ("ASTRO_IDH", "OLIGO", "GBM_IDHWT", "DMG_H3K27")}
    ids |= {f"CNS5.GRADE.{g}" for g in ("ASTRO_IDH", "OLIGO", "GBM_IDHWT")}
    ids |= {"CNS5.RULE.INTEGRATED_DIAGNOSIS", "CNS5.RULE.NOS_NEC"} | {f"MENING5.GRADE.{i}" for i in (1, 2, 3)}
    ids |= {"NET.GRADE.G1", "NET.GRADE.G2", "NET.GRADE.G3", "NET.RULE.HIGHER_INDEX", "NET.NEC"}
    return ids


BATTERY = [
    (
        "Lung-RADS-v2022",
        "Baseline LDCT: 7 x 5 mm solid nodule RUL, spiculated; mediastinal lymphadenopathy. S modifier: aortic aneurysm.",
    ),
    (
        "Lung-RADS-v2022",
        "Annual LDCT: RLL solid nodule grown from 5.0 mm to 7.0 mm. Thick-walled multilocular cyst LUL.",
    ),
    ("Lung-RADS-v2022", "Follow-up: previously Lung-RADS 3 solid nodule, stable. Segmental endobronchial nodule."),
    ("Lung-RADS-v2022", "Baseline: 8 mm juxtapleural solid nodule, smooth, lentiform. Prior CT awaited."),
    ("Lung-RADS-v2022", "Baseline: 12 mm part-solid nodule, solid component 9 mm; 32 mm ground-glass nodule."),
    ("ACR-TI-RADS", "Spongiform nodule, 2 cm."),
    ("ACR-TI-RADS", "Mixed cystic and solid, anechoic, wider-than-tall, smooth, no calcifications, 1 cm."),
    ("ACR-TI-RADS", "(1) solid hypoechoic taller-than-wide irregular, punctate echogenic foci, 0.6 cm (2) cystic 3 cm"),
    ("BI-RADS", "Screening mammogram, probably benign finding. Extremely dense."),
    ("BI-RADS", "Breast MRI: likelihood of malignancy 40%. BI-RADS 4B."),
    ("BI-RADS", "Left: likelihood of malignancy 5%. Right: likelihood of malignancy 97%."),
    ("LI-RADS-v2018", "Cirrhosis. 25 mm, APHE, washout, capsule, threshold growth, restricted diffusion."),
    ("LI-RADS-v2018", "HBV. 12 mm targetoid mass."),
    ("LI-RADS-v2018", "Cirrhosis. Image degradation from motion."),
    ("LI-RADS-v2018", "Cirrhosis. 15 mm APHE, possible capsule, size stability over 2 years."),
    ("PI-RADS-v2.1", "PZ lesion, DWI 3, DCE positive."),
    ("PI-RADS-v2.1", "TZ lenticular homogeneous moderately hypointense lesion 1.6 cm, DWI 4, DCE positive."),
    ("WHO-CNS5", "IDH-mutant, 1p/19q-codeleted oligodendroglioma, necrosis present."),
    ("WHO-CNS5", "IDH-mutant astrocytoma, 1p/19q intact, low mitotic activity, CDKN2A/B intact."),
    ("WHO-CNS5", "Pontine diffuse glioma, H3 K27M mutant."),
    ("WHO-CNS5", "IDH: not tested. Diffuse glioma."),
    ("WHO-CNS5", "Atypical meningioma, brain invasion, 2 mitoses per 10 HPF."),
    ("WHO-CNS5", "Meningioma, 0 mitoses per 10 HPF, no brain invasion, CDKN2A/B homozygous deletion."),
    ("WHO-NET2019", "Ki-67 12%, mitoses 3 per 2 mm2."),
    ("WHO-NET2019", "Large cell neuroendocrine carcinoma."),
]


@pytest.mark.parametrize(("system", "text"), BATTERY)
def test_cited_rule_ids_follow_the_scheme(system: str, text: str) -> None:
    res = find_calculator(system).from_text(text)
    assert res.rule_ids, text
    assert set(res.rule_ids) <= _allowed(), set(res.rule_ids) - _allowed()
    assert len(res.rule_ids) == len(set(res.rule_ids))


@pytest.mark.parametrize("calc", CALCULATORS, ids=lambda c: c.system)
def test_empty_text_gives_missing_not_an_error(calc: Any) -> None:
    try:
        res = calc.from_text("")
    except InvalidInput:
        pytest.fail("empty text must give a result with missing inputs")
    assert res.missing
    assert res.system == calc.system and res.edition
