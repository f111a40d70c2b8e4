"""PI-RADS v2.1: the PZ and TZ decision grids cell by cell, DWI derivation, missing inputs, labels."""

from __future__ import annotations

import pytest

from rag.calculators.rads.pirads import PIRADS
from rag.errors import InvalidInput

CALC = PIRADS()

# Transition zone: rows T2W 1-5, columns DWI 1-5 (DOMAIN §10).
TZ_GRID = {1: "11111", 2: "22233", 3: "33334", 4: "44444", 5: "55555"}
# Peripheral zone: DWI 1-5 with negative and positive DCE.
PZ_GRID = {"negative": "12345", "positive": "12445"}


@pytest.mark.parametrize(("t2w", "dwi"), [(t, d) for t in range(1, 6) for d in range(1, 6)])
@pytest.mark.parametrize("dce", ["positive", "negative"])
def test_tz_grid_and_dce_never_counts(t2w: int, dwi: int, dce: str) -> None:
    res = CALC.from_findings({"zone": "TZ", "T2W_score": t2w, "DWI_score": dwi, "DCE": dce})
    want = TZ_GRID[t2w][dwi - 1]
    assert res.result["category"] == want
    assert f"PIRADS.TZ.{want}" in res.rule_ids and f"PIRADS.T2W_TZ.{t2w}" in res.rule_ids
    assert "PIRADS.RULE.DCE_TZ" in res.rule_ids and "PIRADS.RULE.DCE_PZ" not in res.rule_ids


@pytest.mark.parametrize("dwi", range(1, 6))
@pytest.mark.parametrize("dce", ["positive", "negative"])
@pytest.mark.parametrize("t2w", [1, 5])
def test_pz_grid_t2w_never_counts(dwi: int, dce: str, t2w: int) -> None:
    res = CALC.from_findings({"zone": "peripheral zone", "T2W_score": t2w, "DWI_score": dwi, "DCE": dce})
    want = PZ_GRID[dce][dwi - 1]
    assert res.result["category"] == want and f"PIRADS.PZ.{want}" in res.rule_ids
    assert ("PIRADS.RULE.DCE_PZ" in res.rule_ids) == (dwi == 3 and dce == "positive")


@pytest.mark.parametrize(
    ("desc", "size", "want"),
    [
        ("no abnormality on ADC or high b-value", 1.0, 1),
        ("linear hypointensity on ADC", 1.0, 2),
        ("focal mildly hypointense on ADC", 2.0, 3),
        ("focal, markedly hypointense on ADC only", 2.0, 3),
        ("focal, markedly hypointense on ADC and markedly hyperintense on high b-value", 1.4, 4),
        ("focal, markedly hypointense on ADC and markedly hyperintense on high b-value", 1.5, 5),
        ("focal, markedly hypointense on ADC and markedly hyperintense on high b-value", 1.6, 5),
        ("focal, marked restriction on both ADC and high b-value, extraprostatic extension", 0.8, 5),
    ],
)
def test_dwi_derivation(desc: str, size: float, want: int) -> None:
    res = CALC.from_text(f"Peripheral zone lesion, {size} cm: {desc}. DCE negative.")
    assert res.result["DWI_score"] == want and res.result["category"] == str(want)
    assert f"PIRADS.DWI.{want}" in res.rule_ids
    assert ("PIRADS.RULE.SIZE_BOUNDARY" in res.rule_ids) == (want in (4, 5) and "extraprostatic" not in desc)


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("TZ lesion 1.2 cm, lenticular, homogeneous moderately hypointense on T2W, DWI 3.", "4"),
        ("TZ lesion 1.5 cm, lenticular, homogeneous moderately hypointense on T2W, DWI 3.", "5"),
        ("TZ: completely encapsulated nodule, DWI 5.", "1"),
        ("TZ: mostly encapsulated nodule, DWI 4.", "3"),
        ("TZ: heterogeneous with obscured margins, DWI 5.", "4"),
    ],
)
def test_t2w_derivation_in_tz(text: str, want: str) -> None:
    assert CALC.from_text(text).result["category"] == want


def test_pz_dwi3_without_dce_is_open() -> None:
    res = CALC.from_text("Peripheral zone: DWI 3.")
    assert res.result["category"] is None and res.result["candidates"] == ["3", "4"]
    assert any("DCE" in m for m in res.missing)


def test_biparametric_counts_as_negative_dce() -> None:
    assert CALC.from_text("Biparametric MRI. Peripheral zone: DWI 3.").result["category"] == "3"


def test_tz_t2w2_without_dwi_is_open() -> None:
    res = CALC.from_findings({"zone": "TZ", "T2W_score": 2})
    assert res.result["category"] is None and res.result["candidates"] == ["2", "3"]


def test_zone_missing() -> None:
    res = CALC.from_findings({"T2W_score": 2, "DWI_score": 4, "DCE": "negative"})
    assert res.result["category"] is None and any("zone" in m for m in res.missing)
    res = CALC.from_findings({"T2W_score": 5, "DWI_score": 5})
    assert res.result["category"] == "5"


def test_central_zone_uses_pz_rules() -> None:
    assert CALC.from_findings({"zone": "central zone", "DWI_score": 3, "DCE": "positive"}).result["category"] == "4"


@pytest.mark.parametrize(
    "findings",
    [
        {"zone": "PZ", "DWI_score": 6},
        {"zone": "PZ", "DWI_score": 0},
        {"zone": "PZ", "DWI_score": 2.5},
        {"zone": "kidney", "DWI_score": 3},
        {"zone": "PZ", "DWI_score": 3, "DCE": "maybe"},
    ],
)
def test_invalid_inputs(findings: dict[str, object]) -> None:
    with pytest.raises(InvalidInput):
        CALC.from_findings(findings)


def test_invented_category_rejected() -> None:
    with pytest.raises(InvalidInput):
        CALC.from_text("PI-RADS 6 lesion in the PZ, DWI 5.")


def test_version_number_is_not_a_category_and_v2_is_noted() -> None:
    assert CALC.from_text("PI-RADS v2.1: PZ, DWI 4.").result["category"] == "4"
    assert CALC.from_text("PI-RADS v2: PZ, DWI 4.").notes


def test_discrepancy() -> None:
    res = CALC.from_text("Transition zone, T2W 3, DWI 4, DCE positive. PI-RADS 4.")
    assert res.result["category"] == "3" and res.discrepancies[0].stated == "4"


def test_several_lesions() -> None:
    res = CALC.from_findings(
        {"lesions": [{"zone": "TZ", "T2W_score": 2, "DWI_score": 2}, {"zone": "PZ", "DWI_score": 4}]}
    )
    assert res.result["category"] == "4" and res.result["lesion"] == 2


def test_negated_dce_and_evidence() -> None:
    text = "Peripheral zone lesion, DWI score 3, no early enhancement."
    res = CALC.from_text(text)
    assert res.result["category"] == "3"
    by = {e.descriptor: e.text for e in res.evidence}
    assert by["pirads.lesion[0].dce"] == "no early enhancement" and by["pirads.lesion[0].dwi_score"] == "3"


@pytest.mark.parametrize(
    "other",
    ["Prostate measures 4.5 x 3.8 x 4.0 cm (volume 36 mL).", "Right external iliac lymph node 1.8 cm.", "前列腺大小约4.5×3.8×4.0cm。"],
)
def test_gland_and_node_sizes_never_become_the_lesion_size(other: str) -> None:
    text = (f"{other} Left PZ lesion 1.0 cm, focal, markedly hypointense on ADC and markedly hyperintense on high b-value "
            "images; DCE negative.")
    res = CALC.from_text(text)
    assert res.result["DWI_score"] == 4 and res.result["category"] == "4"  # 1.0 cm < 1.5 cm
