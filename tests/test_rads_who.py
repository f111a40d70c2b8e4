"""WHO CNS5 gliomas and meningioma, WHO 2019 NET grade: each rule row and boundary."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from rag.calculators.rads.net import KI67_ROWS, MITOSIS_ROWS, NET2019, grade_for
from rag.calculators.rads.who_cns5 import WHOCNS5
from rag.errors import InvalidInput

CNS = WHOCNS5()
NET = NET2019()

GLIOMA = [
    (
        "Diffuse astrocytoma, IDH1 R132H mutant, ATRX loss, 1p/19q intact, low mitotic activity, no necrosis, "
        "CDKN2A/B intact.",
        "Astrocytoma, IDH-mutant",
        "CNS WHO grade 2",
        "CNS5.GRADE.ASTRO_IDH",
    ),
    (
        "IDH-mutant, 1p/19q non-codeleted astrocytoma with brisk mitotic activity; CDKN2A/B retained.",
        "Astrocytoma, IDH-mutant",
        "CNS WHO grade 3",
        "CNS5.GRADE.ASTRO_IDH",
    ),
    (
        "IDH-mutant astrocytoma, 1p/19q intact, CDKN2A/B homozygous deletion, no necrosis.",
        "Astrocytoma, IDH-mutant",
        "CNS WHO grade 4",
        "CNS5.GRADE.ASTRO_IDH",
    ),
    (
        "IDH-mutant astrocytoma, ATRX loss, necrosis present.",
        "Astrocytoma, IDH-mutant",
        "CNS WHO grade 4",
        "CNS5.GRADE.ASTRO_IDH",
    ),
    (
        "IDH-mutant astrocytoma, 1p/19q intact, microvascular proliferation.",
        "Astrocytoma, IDH-mutant",
        "CNS WHO grade 4",
        "CNS5.GRADE.ASTRO_IDH",
    ),
    (
        "Oligodendroglioma, IDH-mutant and 1p/19q-codeleted, low-grade, no necrosis.",
        "Oligodendroglioma, IDH-mutant and 1p/19q-codeleted",
        "CNS WHO grade 2",
        "CNS5.GRADE.OLIGO",
    ),
    (
        "IDH1 mutation; 1p/19q codeletion; anaplastic features with microvascular proliferation.",
        "Oligodendroglioma, IDH-mutant and 1p/19q-codeleted",
        "CNS WHO grade 3",
        "CNS5.GRADE.OLIGO",
    ),
    (
        "Adult diffuse astrocytic glioma, IDH-wildtype, H3 wild-type, TERT promoter mutation.",
        "Glioblastoma, IDH-wildtype",
        "CNS WHO grade 4",
        "CNS5.GRADE.GBM_IDHWT",
    ),
    (
        "IDH wild-type diffuse glioma with +7/-10, H3 wildtype.",
        "Glioblastoma, IDH-wildtype",
        "CNS WHO grade 4",
        "CNS5.GRADE.GBM_IDHWT",
    ),
    (
        "IDH-wildtype glioma with palisading necrosis.",
        "Glioblastoma, IDH-wildtype",
        "CNS WHO grade 4",
        "CNS5.GRADE.GBM_IDHWT",
    ),
    (
        "Thalamic diffuse glioma, H3 K27M mutant.",
        "Diffuse midline glioma, H3 K27-altered",
        "CNS WHO grade 4",
        "CNS5.GLIOMA.DMG_H3K27",
    ),
    (
        "Spinal cord diffuse glioma; H3 K27-altered; IDH wild-type.",
        "Diffuse midline glioma, H3 K27-altered",
        "CNS WHO grade 4",
        "CNS5.GLIOMA.DMG_H3K27",
    ),
    ("Frontal lobe diffuse glioma, H3 K27M mutant.", "Diffuse glioma, NEC", None, "CNS5.RULE.NOS_NEC"),
    ("Diffuse glioma; IDH not tested; necrosis present.", "Glioblastoma, NOS", None, "CNS5.RULE.NOS_NEC"),
    (
        "IDH-mutant diffuse glioma, oligodendroglial morphology; 1p/19q: not tested.",
        "Oligodendroglioma, NOS",
        None,
        "CNS5.RULE.NOS_NEC",
    ),
    (
        "Temporal IDH-wildtype diffuse astrocytic glioma, H3 wild-type; no necrosis; no MVP; TERT promoter wild-type; "
        "EGFR not amplified; no +7/-10.",
        "Diffuse glioma, IDH-wildtype, NEC",
        None,
        "CNS5.RULE.NOS_NEC",
    ),
]


@pytest.mark.parametrize(("text", "diagnosis", "grade", "rule"), GLIOMA)
def test_glioma_rows(text: str, diagnosis: str, grade: str | None, rule: str) -> None:
    res = CNS.from_text(text)
    assert (res.result["diagnosis"], res.result["grade"]) == (diagnosis, grade)
    assert rule in res.rule_ids


@pytest.mark.parametrize(
    ("text", "need"),
    [
        ("Diffuse astrocytic glioma, no necrosis.", "IDH"),
        ("IDH-mutant diffuse glioma.", "1p/19q"),
        ("Brainstem diffuse glioma, IDH wild-type.", "H3 K27"),
        ("Diffuse glioma, H3 K27M mutant.", "location"),
        ("IDH-wildtype glioma, H3 wild-type, no necrosis, no MVP.", "TERT"),
        ("IDH-mutant astrocytoma, 1p/19q intact, CDKN2A/B intact.", "mitotic"),
        ("Diffuse glioma, IDH1 R132H immunostain negative, 40-year-old.", "IDH sequencing"),
    ],
)
def test_glioma_missing(text: str, need: str) -> None:
    res = CNS.from_text(text)
    assert res.result["diagnosis"] is None or res.result["grade"] is None
    assert any(need in m for m in res.missing), res.missing


def test_r132h_negative_at_55_counts_as_wildtype() -> None:
    res = CNS.from_text("60-year-old, IDH1 R132H immunostain negative, glioma with necrosis.")
    assert res.result["diagnosis"] == "Glioblastoma, IDH-wildtype"


def test_pediatric_not_covered() -> None:
    res = CNS.from_text("12-year-old, IDH-wildtype diffuse glioma with necrosis.")
    assert res.result["diagnosis"] is None and res.notes


def test_stated_grade_used_and_discrepancy() -> None:
    res = CNS.from_text("Astrocytoma, IDH-mutant, 1p/19q intact, CDKN2A/B intact, CNS WHO grade 3.")
    assert res.result["grade"] == "CNS WHO grade 3" and res.notes
    res = CNS.from_text("Astrocytoma, IDH-mutant, 1p/19q intact, CDKN2A/B homozygous deletion, CNS WHO grade 2.")
    assert res.result["grade"] == "CNS WHO grade 4" and res.discrepancies


def test_glioma_findings() -> None:
    res = CNS.from_findings({"IDH": "mutant", "1p19q": "intact", "CDKN2A_B": "homozygous deletion", "necrosis": False})
    assert (res.result["diagnosis"], res.result["grade"]) == ("Astrocytoma, IDH-mutant", "CNS WHO grade 4")
    res = CNS.from_findings(
        {"idh_status": "wildtype", "h3_k27": "wildtype", "egfr_amplification": True, "location": "left temporal"}
    )
    assert res.result["diagnosis"] == "Glioblastoma, IDH-wildtype"
    res = CNS.from_findings({"IDH": "mutant", "1p19q_codeletion": True, "mitotic_activity": "brisk"})
    assert res.result["grade"] == "CNS WHO grade 3"


@pytest.mark.parametrize("findings", [{"IDH": "maybe"}, {"1p19q": "sort of"}])
def test_glioma_invalid_marker_values(findings: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput):
        CNS.from_findings(findings)


def test_invalid_grade_label() -> None:
    with pytest.raises(InvalidInput):
        CNS.from_text("Glioblastoma, IDH-wildtype, CNS WHO grade 5.")


MENINGIOMA = [
    ("Meningioma, 3 mitoses per 10 HPF, no brain invasion.", "CNS WHO grade 1"),
    ("Meningioma, 4 mitoses per 10 HPF.", "CNS WHO grade 2"),
    ("Meningioma, 19 mitoses/10 HPF.", "CNS WHO grade 2"),
    ("Meningioma, 20 mitoses per 10 high-power fields.", "CNS WHO grade 3"),
    ("Meningioma, 1 mitosis per 10 HPF, brain invasion present.", "CNS WHO grade 2"),
    ("Meningioma, 1 mitosis per 10 HPF, no brain invasion.", "CNS WHO grade 1"),
    ("Chordoid meningioma, 0 mitoses per 10 HPF.", "CNS WHO grade 2"),
    ("Clear cell meningioma, rare mitoses.", "CNS WHO grade 2"),
    ("Meningioma, 2 mitoses per 10 HPF, TERT promoter mutation detected.", "CNS WHO grade 3"),
    ("Meningioma, 2 mitoses per 10 HPF, CDKN2A/B homozygous deletion.", "CNS WHO grade 3"),
    ("Meningioma with frank anaplasia (carcinoma-like).", "CNS WHO grade 3"),
    ("Meningioma, 1 mitosis per 10 HPF; sheeting, prominent nucleoli and hypercellularity.", "CNS WHO grade 2"),
    ("Meningioma, 1 mitosis per 10 HPF; sheeting and prominent nucleoli; no necrosis.", "CNS WHO grade 1"),
    ("Meningioma, 2 mitoses per 10 HPF, TERT promoter wild-type, CDKN2A/B intact.", "CNS WHO grade 1"),
]


@pytest.mark.parametrize(("text", "grade"), MENINGIOMA)
def test_meningioma_rows(text: str, grade: str) -> None:
    res = CNS.from_text(text)
    assert res.result["diagnosis"] == "Meningioma" and res.result["grade"] == grade
    assert f"MENING5.GRADE.{grade[-1]}" in res.rule_ids


def test_meningioma_missing_mitoses() -> None:
    res = CNS.from_text("Meningothelial meningioma.")
    assert res.result["grade"] is None and any("mitotic" in m for m in res.missing)


def test_meningioma_findings() -> None:
    res = CNS.from_findings({"tumour_type": "meningioma", "mitoses_per_10hpf": 5, "brain_invasion": False})
    assert res.result["grade"] == "CNS WHO grade 2"


# ---- NET ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "want"),
    [
        ("0", "G1"),
        ("2.9", "G1"),
        ("3", "G2"),
        ("3.1", "G2"),
        ("19.9", "G2"),
        ("20", "G2"),
        ("20.1", "G3"),
        ("85", "G3"),
    ],
)
def test_ki67_rows(value: str, want: str) -> None:
    assert grade_for(Decimal(value), KI67_ROWS) == want
    res = NET.from_findings({"ki67_percent": float(value)})
    assert res.result["grade"] == want and f"NET.GRADE.{want}" in res.rule_ids


@pytest.mark.parametrize(("value", "want"), [("0", "G1"), ("1.9", "G1"), ("2", "G2"), ("20", "G2"), ("21", "G3")])
def test_mitosis_rows(value: str, want: str) -> None:
    assert grade_for(Decimal(value), MITOSIS_ROWS) == want
    assert NET.from_findings({"mitoses_per_2mm2": float(value)}).result["grade"] == want


@pytest.mark.parametrize(("ki67", "mitoses", "want"), [(1, 5, "G2"), (25, 1, "G3"), (10, 25, "G3"), (2, 1, "G1")])
def test_higher_index_decides(ki67: float, mitoses: float, want: str) -> None:
    res = NET.from_findings({"ki67_percent": ki67, "mitoses_per_2mm2": mitoses})
    assert res.result["grade"] == want and "NET.RULE.HIGHER_INDEX" in res.rule_ids


@pytest.mark.parametrize(
    ("text", "grade", "category"),
    [
        ("Well-differentiated neuroendocrine tumour, Ki-67 index 15%, 1 mitosis per 2 mm2.", "G2", "NET"),
        ("Pancreatic NET, Ki-67 <3%, mitotic count 1 per 2 mm².", "G1", "NET"),
        ("Small cell carcinoma of the oesophagus, Ki-67 90%.", "high grade", "NEC"),
        ("Ki-67: 2%, 25 mitoses per 10 HPF.", "G3", "NET"),
    ],
)
def test_net_text(text: str, grade: str, category: str) -> None:
    res = NET.from_text(text)
    assert (res.result["grade"], res.result["category"]) == (grade, category)


def test_net_one_index_only() -> None:
    res = NET.from_text("Ki-67 1%.")
    assert res.result["grade"] == "G1" and any("mitoses" in m for m in res.missing)


@pytest.mark.parametrize("findings", [{"ki67_percent": 120}, {"ki67_percent": "high"}, {"grade": "G4"}])
def test_net_invalid(findings: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput):
        NET.from_findings(findings)
