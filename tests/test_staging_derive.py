"""Descriptor thresholds at, just below and just above each cut-off (DOMAIN §0, §2-§5, §13)."""

from __future__ import annotations

import pytest

from rag.calculators.registry import find_calculator
from rag.errors import InvalidInput


def _t(system: str, text: str) -> str | None:
    return find_calculator(system).from_text(text).result.get("T")


@pytest.mark.parametrize("mm,expected", [
    (9.9, "T1a"), (10, "T1a"), (10.1, "T1b"), (20, "T1b"), (20.1, "T1c"), (30, "T1c"), (30.1, "T2a"),
    (40, "T2a"), (40.1, "T2b"), (50, "T2b"), (50.1, "T3"), (70, "T3"), (70.1, "T4")])
def test_lung_size_bounds_inclusive_unrounded(mm: float, expected: str) -> None:
    assert _t("AJCC8-lung", f"Tumour greatest dimension {mm} mm.") == expected


def test_lung_size_in_cm_and_dimensions_take_greatest() -> None:
    assert _t("AJCC8-lung", "Tumor size: 4.5 x 3.2 x 2.0 cm.") == "T2b"
    assert _t("AJCC8-lung", "Mass measuring 3.0 cm.") == "T1c"


@pytest.mark.parametrize("mm,expected", [(25, "T2a"), (40, "T2a"), (45, "T2b"), (60, "T3")])
def test_lung_vpi_upstages_only_small_tumours(mm: float, expected: str) -> None:
    assert _t("AJCC8-lung", f"Tumour size {mm} mm. Visceral pleural invasion: PL1.") == expected


def test_lung_t2_feature_without_size_is_t2a() -> None:
    assert _t("AJCC8-lung", "Tumour invades the visceral pleura (PL2).") == "T2a"


def test_lung_pl3_and_invasions() -> None:
    assert _t("AJCC8-lung", "Tumour 25 mm. Visceral pleural invasion: PL3.") == "T3"
    assert _t("AJCC8-lung", "Tumour 25 mm invading the chest wall.") == "T3"
    assert _t("AJCC8-lung", "Tumour 25 mm with invasion of the diaphragm.") == "T4"
    assert _t("AJCC8-lung", "Tumour 25 mm. No chest wall invasion.") == "T1c"


@pytest.mark.parametrize("where,axis,expected", [
    ("in the same lobe", "T", "T3"), ("in a different ipsilateral lobe", "T", "T4"),
    ("in the contralateral lung", "M", "M1a")])
def test_lung_additional_nodules(where: str, axis: str, expected: str) -> None:
    res = find_calculator("AJCC8-lung").from_text(f"Tumour 15 mm. Separate tumour nodule {where}.")
    assert res.result[axis] == expected
    assert "LUNG8.RULE.ADDITIONAL_NODULES" in res.rule_ids


@pytest.mark.parametrize("total,solid,expected", [
    (30, 0, "Tis"), (26, 5, "T1mi"), (30, 5, "T1mi"), (31, 5, "T1a"), (26, 6, "T1a"), (26, 8, "T1a"),
    (35, 15, "T1b"), (40, 25, "T1c")])
def test_lung_part_solid_clinical_uses_solid_part(total: int, solid: int, expected: str) -> None:
    text = (f"Staging: clinical. CT appearance: part-solid. Total size: {total} mm. "
            f"Solid component: {solid} mm.")
    res = find_calculator("AJCC8-lung").from_text(text)
    assert res.result["T"] == expected
    assert "LUNG8.RULE.PART_SOLID" in res.rule_ids


def test_lung_pure_ggn() -> None:
    assert _t("AJCC8-lung", "Clinical staging. Pure ground-glass nodule, total size 28 mm.") == "Tis"


@pytest.mark.parametrize("nodes,side,expected8,expected9", [
    ("10R", "right", "N1", "N1"), ("10L", "right", "N3", "N3"), ("7", "left", "N2", "N2a"),
    ("4R", "left", "N3", "N3"), ("4L", "left", "N2", "N2a"), ("3a", "right", "N2", "N2a"),
    ("supraclavicular", "right", "N3", "N3")])
def test_lung_nodal_station_and_laterality(nodes: str, side: str, expected8: str, expected9: str) -> None:
    text = f"{side} upper lobe tumour 20 mm. Involved nodes: station {nodes} metastatic carcinoma."
    if not nodes[0].isdigit():
        text = f"{side} upper lobe tumour 20 mm. Metastatic carcinoma in {nodes} lymph node."
    assert find_calculator("AJCC8-lung").from_text(text).result["N"] == expected8
    assert find_calculator("TNM9-lung").from_text(text).result["N"] == expected9


def test_lung9_n2b_for_several_stations() -> None:
    text = "Right lower lobe tumour 20 mm. Metastatic carcinoma in lymph nodes, station 7 and station 4R."
    assert find_calculator("TNM9-lung").from_text(text).result["N"] == "N2b"
    assert find_calculator("AJCC8-lung").from_text(text).result["N"] == "N2"


@pytest.mark.parametrize("text,m8,m9", [
    ("Single brain metastasis.", "M1b", "M1b"),
    ("Multiple liver metastases.", "M1c", "M1c1"),
    ("Metastases to the liver and to bone.", "M1c", "M1c2")])
def test_lung_m1b_m1c(text: str, m8: str, m9: str) -> None:
    assert find_calculator("AJCC8-lung").from_text("Tumour 20 mm. " + text).result["M"] == m8
    assert find_calculator("TNM9-lung").from_text("Tumour 20 mm. " + text).result["M"] == m9


@pytest.mark.parametrize("mm,expected", [
    (1.0, "T1mi"), (1.2, "T1a"), (1.9, "T1a"), (5.0, "T1a"), (5.4, "T1a"), (5.5, "T1b"), (10, "T1b"),
    (10.4, "T1b"), (10.5, "T1c"), (20, "T1c"), (20.5, "T2"), (50, "T2"), (50.4, "T2"), (50.5, "T3")])
def test_breast_size_rounding(mm: float, expected: str) -> None:
    res = find_calculator("AJCC8-breast").from_text(f"Invasive carcinoma, greatest dimension {mm} mm.")
    assert res.result["T"] == expected


def test_breast_rounding_rule_cited() -> None:
    res = find_calculator("AJCC8-breast").from_text("Invasive focus 1.2 mm.")
    assert "BREAST8.RULE.SIZE_ROUNDING" in res.rule_ids


@pytest.mark.parametrize("text,expected", [
    ("0 of 12 axillary nodes positive.", "N0"),
    ("0 of 3 sentinel nodes; isolated tumour cells in one node.", "N0(i+)"),
    ("2 of 12 axillary nodes positive (largest deposit 1.5 mm).", "N1mi"),
    ("3 of 12 axillary nodes positive (largest deposit 4 mm).", "N1a"),
    ("4 of 12 axillary nodes positive (largest deposit 4 mm).", "N2a"),
    ("6 of 12 axillary nodes positive (largest deposit 2 mm).", "N1mi"),
    ("9 of 12 axillary nodes positive (largest deposit 2.5 mm).", "N2a"),
    ("10 of 12 axillary nodes positive (largest deposit 8 mm).", "N3a"),
    ("12 of 20 axillary nodes positive (largest deposit 1 mm).", "N1mi")])
def test_breast_pn(text: str, expected: str) -> None:
    assert find_calculator("AJCC8-breast").from_text("Invasive carcinoma 15 mm. " + text).result["N"] == expected


@pytest.mark.parametrize("text,expected", [
    ("Tumour ulceration of the skin.", "T4b"), ("Tumour invades the chest wall.", "T4a"),
    ("Tumour invades the chest wall with skin ulceration.", "T4c"), ("Inflammatory carcinoma.", "T4d")])
def test_breast_t4(text: str, expected: str) -> None:
    assert _t("AJCC8-breast", "Invasive carcinoma 30 mm. " + text) == expected


@pytest.mark.parametrize("count,expected", [(0, "N0"), (1, "N1a"), (2, "N1b"), (3, "N1b"), (4, "N2a"),
                                            (6, "N2a"), (7, "N2b"), (15, "N2b")])
def test_crc_n_by_count(count: int, expected: str) -> None:
    res = find_calculator("AJCC8-colorectal").from_text(f"{count} of 20 lymph nodes positive.")
    assert res.result["N"] == expected


def test_crc_deposits_only_without_positive_nodes() -> None:
    calc = find_calculator("AJCC8-colorectal")
    assert calc.from_text("0/15 lymph nodes. Tumour deposits present.").result["N"] == "N1c"
    res = calc.from_text("2/15 lymph nodes positive. Tumour deposits present.")
    assert res.result["N"] == "N1b"


@pytest.mark.parametrize("text,expected", [
    ("Tumour invades the submucosa.", "T1"), ("Tumour invades into the muscularis propria.", "T2"),
    ("Tumour invades into but not through the muscularis propria.", "T2"),
    ("Tumour invades through the muscularis propria into pericolic fat.", "T3"),
    ("Tumour penetrates the visceral peritoneum.", "T4a"),
    ("Tumour invades the adjacent organs.", "T4b")])
def test_crc_depth(text: str, expected: str) -> None:
    assert _t("AJCC8-colorectal", text) == expected


@pytest.mark.parametrize("text,expected", [
    ("Two liver metastases.", "M1a"), ("Liver metastasis and lung metastasis.", "M1b"),
    ("Peritoneal carcinomatosis.", "M1c"), ("No distant metastasis.", "M0")])
def test_crc_m(text: str, expected: str) -> None:
    assert find_calculator("AJCC8-colorectal").from_text(text).result["M"] == expected


@pytest.mark.parametrize("gleason,gg", [("3+3", 1), ("3+4", 2), ("4+3", 3), ("4+4", 4), ("3+5", 4),
                                        ("4+5", 5), ("5+5", 5)])
def test_prostate_gleason_to_grade_group(gleason: str, gg: int) -> None:
    res = find_calculator("AJCC8-prostate").from_text(f"Gleason score {gleason}. pT2 N0 M0. PSA 5.")
    assert res.result["grade_group"] == gg


def test_prostate_missing_psa_rule() -> None:
    calc = find_calculator("AJCC8-prostate")
    res = calc.from_findings({"grade_group": 2}, tnm="pT3a N0 M0")
    assert res.result["stage"] == "IIIB"
    assert "PROSTATE8.RULE.MISSING_PSA_OR_GRADE" in res.rule_ids
    res = calc.from_findings({"grade_group": 1}, tnm="cT2a N0 M0")
    assert "stage" not in res.result
    assert any("PSA" in m for m in res.missing)


def test_prostate_pathological_t2_has_no_subcategories() -> None:
    with pytest.raises(InvalidInput, match="pT2 has no subcategories"):
        find_calculator("AJCC8-prostate").from_findings({}, tnm="pT2c N0 M0")
    res = find_calculator("AJCC8-prostate").from_text("Pathologic stage pT2c pN0. Gleason 3+4.")
    assert res.result["T"] == "T2"


def test_invented_labels_rejected_with_valid_list() -> None:
    with pytest.raises(InvalidInput) as err:
        find_calculator("AJCC8-lung").from_findings({}, tnm="T2c N0 M0")
    assert "T2a" in err.value.hint and "T2b" in err.value.hint
    with pytest.raises(InvalidInput):
        find_calculator("AJCC8-lung").from_findings({}, tnm="T2a N2a M0")
    assert find_calculator("TNM9-lung").from_findings({}, tnm="T2a N2a M0").result["stage"] == "IIIA"


def test_missing_inputs_named_not_guessed() -> None:
    res = find_calculator("AJCC8-lung").from_text("Tumour 25 mm.")
    assert res.result == {"T": "T1c"}
    assert any(m.startswith("N:") for m in res.missing) and any(m.startswith("M:") for m in res.missing)
    res = find_calculator("AJCC8-lung").from_findings({}, tnm="T2 N1 M0")
    assert res.result["stage"] == "IIB"  # T2a and T2b agree
    res = find_calculator("AJCC8-lung").from_findings({}, tnm="T1 N0 M0")
    assert "stage" not in res.result
    res = find_calculator("AJCC8-lung").from_text("Brain metastases in several sites and liver metastasis.")
    assert res.result["stage"] == "IVB"
