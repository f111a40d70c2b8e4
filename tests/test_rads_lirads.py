"""LI-RADS CT/MRI v2018: every diagnostic-table cell, algorithm order, ancillary features, population."""

from __future__ import annotations

from typing import Any

import pytest

from rag.calculators.rads.lirads import LIRADS
from rag.errors import InvalidInput

CALC = LIRADS()
BASE = {"population": "cirrhosis", "modality": "MRI"}


def obs(aphe: str, size: float, *features: str, **extra: Any) -> Any:
    return CALC.from_findings(
        {
            **BASE,
            "observation_size_mm": size,
            "arterial_phase": aphe,
            "nonperipheral_washout": "washout" in features,
            "enhancing_capsule": "capsule" in features,
            "threshold_growth": "tg" in features,
            **extra,
        }
    )


# (arterial phase, size mm, additional features, category, table row)
TABLE = [
    ("none", 9.0, (), "LR-3", "NOAPHE_LT20"),
    ("none", 19.9, (), "LR-3", "NOAPHE_LT20"),
    ("none", 19.9, ("washout",), "LR-3", "NOAPHE_LT20"),
    ("none", 19.9, ("capsule", "tg"), "LR-4", "NOAPHE_LT20"),
    ("none", 20.0, (), "LR-3", "NOAPHE_GE20"),
    ("none", 20.0, ("capsule",), "LR-4", "NOAPHE_GE20"),
    ("none", 25.0, ("washout", "capsule", "tg"), "LR-4", "NOAPHE_GE20"),
    ("nonrim", 9.9, (), "LR-3", "APHE_LT10"),
    ("nonrim", 9.9, ("washout",), "LR-4", "APHE_LT10"),
    ("nonrim", 5.0, ("washout", "capsule"), "LR-4", "APHE_LT10"),
    ("nonrim", 10.0, (), "LR-3", "APHE_10_19"),
    ("nonrim", 10.0, ("capsule",), "LR-4", "APHE_10_19"),
    ("nonrim", 15.0, ("washout",), "LR-5", "APHE_10_19"),
    ("nonrim", 19.9, ("tg",), "LR-5", "APHE_10_19"),
    ("nonrim", 19.9, ("capsule", "washout"), "LR-5", "APHE_10_19"),
    ("nonrim", 20.0, (), "LR-4", "APHE_GE20"),
    ("nonrim", 20.0, ("capsule",), "LR-5", "APHE_GE20"),
    ("nonrim", 30.0, ("washout", "tg"), "LR-5", "APHE_GE20"),
]


@pytest.mark.parametrize(("aphe", "size", "features", "want", "row"), TABLE)
def test_table_cells(aphe: str, size: float, features: tuple[str, ...], want: str, row: str) -> None:
    res = obs(aphe, size, *features)
    assert res.result["category"] == want
    assert f"LIRADS.TABLE.{row}" in res.rule_ids and f"LIRADS.CAT.{want}" in res.rule_ids


@pytest.mark.parametrize(
    ("extra", "want"),
    [
        ({"nc": True, "tumor_in_vein": True}, "LR-NC"),
        ({"tumor_in_vein": True, "benign": "definitely benign"}, "LR-TIV"),
        ({"benign": "definitely benign", "lr_m_features": ["targetoid"]}, "LR-1"),
        ({"benign": "probably benign"}, "LR-2"),
        ({"lr_m_features": ["targetoid diffusion restriction"]}, "LR-M"),
        ({"arterial_phase": "rim"}, "LR-M"),
    ],
)
def test_algorithm_order(extra: dict[str, Any], want: str) -> None:
    res = obs("nonrim", 25.0, "washout", **extra)
    assert res.result["category"] == want and "LIRADS.RULE.ORDER" in res.rule_ids


@pytest.mark.parametrize(
    ("aphe", "size", "features", "up", "down", "want"),
    [
        ("nonrim", 15.0, (), ["restricted diffusion"], [], "LR-4"),
        ("nonrim", 25.0, (), ["restricted diffusion"], [], "LR-4"),
        ("nonrim", 15.0, ("capsule",), ["mosaic architecture"], [], "LR-4"),
        ("nonrim", 25.0, ("washout",), [], ["size stability >=2 years"], "LR-4"),
        ("nonrim", 15.0, ("capsule",), [], ["undistorted vessels"], "LR-3"),
        ("nonrim", 15.0, (), [], ["marked T2 hyperintensity"], "LR-2"),
        ("nonrim", 15.0, (), ["corona enhancement"], ["iron in mass"], "LR-3"),
    ],
)
def test_ancillary_one_step_never_to_lr5(
    aphe: str, size: float, features: tuple[str, ...], up: list[str], down: list[str], want: str
) -> None:
    res = obs(aphe, size, *features, ancillary_favoring_malignancy=up, ancillary_favoring_benignity=down)
    assert res.result["category"] == want and "LIRADS.RULE.ANCILLARY" in res.rule_ids


def test_uncertain_feature_counts_as_absent() -> None:
    res = obs("nonrim", 15.0, nonperipheral_washout="equivocal")
    assert res.result["category"] == "LR-3" and "LIRADS.RULE.UNCERTAIN_FEATURE" in res.rule_ids


@pytest.mark.parametrize(
    "findings",
    [
        {"population": "no risk factors"},
        {"population": "none"},
        {"population": "cirrhosis", "age": 17},
        {"population": "congenital hepatic fibrosis with cirrhosis"},
        {"population": "Budd-Chiari cirrhosis"},
        {"population": "cirrhosis", "modality": "CEUS"},
    ],
)
def test_population_and_modality_rejected(findings: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput):
        CALC.from_findings({"observation_size_mm": 20, "arterial_phase": "nonrim", **findings})


@pytest.mark.parametrize(
    "population", ["cirrhosis", "chronic hepatitis B", "prior HCC", "chronic HBV without cirrhosis"]
)
def test_population_accepted(population: str) -> None:
    res = CALC.from_findings(
        {"population": population, "age": 18, "observation_size_mm": 20, "arterial_phase": "nonrim"}
    )
    assert res.result["category"] == "LR-4" and "LIRADS.RULE.POPULATION" in res.rule_ids


def test_population_not_stated_is_noted() -> None:
    res = CALC.from_text("20 mm observation with APHE.")
    assert res.result["category"] == "LR-4" and any("population" in n for n in res.notes)


@pytest.mark.parametrize("label", ["LR-6", "LR-4B", "LR-TR viable"])
def test_invented_labels_rejected(label: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        CALC.from_text(f"Cirrhosis. 20 mm observation with APHE. {label}.")
    assert "LR-M" in exc.value.user_message()


def test_missing_inputs() -> None:
    res = CALC.from_findings({"population": "cirrhosis", "observation_size_mm": 15})
    assert res.result["category"] is None and any("arterial" in m for m in res.missing)
    res = CALC.from_findings({"population": "cirrhosis", "arterial_phase": "nonrim"})
    assert res.result["category"] is None and any("size" in m for m in res.missing)


def test_bad_arterial_label() -> None:
    with pytest.raises(InvalidInput):
        CALC.from_findings({"population": "cirrhosis", "observation_size_mm": 15, "arterial_phase": "sparkly"})


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Cirrhosis. MRI: 15 mm observation with nonrim APHE and nonperipheral washout, no capsule.", "LR-5"),
        ("Cirrhosis. MRI: 15 mm observation with nonrim APHE, without washout, with enhancing capsule.", "LR-4"),
        ("Cirrhosis. CT: 15 mm observation with APHE, possible washout.", "LR-3"),
        ("HBV. CT: 22 mm observation, no arterial phase hyperenhancement, washout present.", "LR-4"),
        ("Cirrhosis. MRI: 12 mm observation with rim APHE and peripheral washout.", "LR-M"),
        ("Cirrhosis. MRI: 30 mm mass with APHE and enhancing soft tissue in the portal vein.", "LR-TIV"),
        ("Cirrhosis. MRI: 8 mm simple cyst.", "LR-1"),
        ("Cirrhosis. MRI limited by image degradation; 15 mm observation.", "LR-NC"),
        ("Cirrhosis. 25 mm APHE observation with mild-moderate T2 hyperintensity.", "LR-4"),
        ("Cirrhosis. 15 mm observation, APHE, restricted diffusion.", "LR-4"),
    ],
)
def test_text(text: str, want: str) -> None:
    assert CALC.from_text(text).result["category"] == want


def test_several_observations() -> None:
    res = CALC.from_findings(
        {
            "population": "cirrhosis",
            "observations": [
                {"observation_size_mm": 8, "arterial_phase": "none"},
                {"observation_size_mm": 25, "arterial_phase": "nonrim", "nonperipheral_washout": True},
            ],
        }
    )
    assert res.result["category"] == "LR-5" and res.result["observation"] == 2
    assert [o["category"] for o in res.result["observations"]] == ["LR-3", "LR-5"]


def test_evidence_spans() -> None:
    text = "Cirrhosis. MRI: 15 mm observation with nonrim APHE and nonperipheral washout."
    res = CALC.from_text(text)
    by = {e.descriptor: e.text for e in res.evidence}
    assert by["lirads.observation[0].arterial_phase"] == "nonrim APHE"
    assert by["lirads.observation[0].washout"] == "nonperipheral washout"
    assert by["lirads.observation[0].size_mm"] == "15 mm"
    assert by["lirads.population"] == "Cirrhosis"


@pytest.mark.parametrize("other", ["Liver span 18 cm. Spleen 14 cm.", "Portal vein 14 mm.", "脾大，厚约5.2cm。"])
def test_organ_sizes_never_become_the_observation_size(other: str) -> None:
    res = LIRADS().from_text(f"Cirrhosis. {other} 15 mm observation with nonrim APHE and enhancing capsule.")
    assert res.result["observation_size_mm"] == 15.0 and res.result["category"] == "LR-4"


@pytest.mark.parametrize(
    "text",
    [
        "Cirrhosis. Segment 8 observation treated with TACE 3 months ago: 2.5 cm with nodular arterial enhancement and washout.",
        "Cirrhosis. Post-ablation zone in segment 6, 3 cm, no enhancement.",
        "肝硬化，肝S8段病灶TACE术后，约2.5cm，动脉期结节样强化，门脉期廓清。",
    ],
)
def test_treated_observation_is_not_given_a_diagnostic_category(text: str) -> None:
    res = LIRADS().from_text(text)
    assert res.result["category"] is None
    assert "LIRADS.RULE.TREATMENT_RESPONSE" in res.rule_ids and any("LR-TR" in m for m in res.missing)
