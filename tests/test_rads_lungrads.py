"""Lung-RADS v2022: every size boundary, each finding type, exam rules, scope, text parsing."""

from __future__ import annotations

from typing import Any

import pytest

from rag.calculators.rads.lungrads import LungRADS, mean_diameter
from rag.errors import InvalidInput

CALC = LungRADS()


def one(nodule: dict[str, Any], **exam: Any) -> Any:
    return CALC.from_findings({"exam": exam.pop("exam", "baseline screening LDCT"), "nodules": [nodule], **exam})


# (type, status, mean diameter, solid-part mean diameter, expected category, rule id)
SIZE_CASES = [
    ("solid", "baseline", 5.9, None, "2", "LR22.SOLID.2"),
    ("solid", "baseline", 6.0, None, "3", "LR22.SOLID.3"),
    ("solid", "baseline", 7.9, None, "3", "LR22.SOLID.3"),
    ("solid", "baseline", 8.0, None, "4A", "LR22.SOLID.4A"),
    ("solid", "baseline", 14.9, None, "4A", "LR22.SOLID.4A"),
    ("solid", "baseline", 15.0, None, "4B", "LR22.SOLID.4B"),
    ("solid", "baseline", 15.1, None, "4B", "LR22.SOLID.4B"),
    ("solid", "new", 3.9, None, "2", "LR22.SOLID.2"),
    ("solid", "new", 4.0, None, "3", "LR22.SOLID.3"),
    ("solid", "new", 5.9, None, "3", "LR22.SOLID.3"),
    ("solid", "new", 6.0, None, "4A", "LR22.SOLID.4A"),
    ("solid", "new", 7.9, None, "4A", "LR22.SOLID.4A"),
    ("solid", "new", 8.0, None, "4B", "LR22.SOLID.4B"),
    ("solid", "growing", 7.9, None, "4A", "LR22.SOLID.4A"),
    ("solid", "growing", 8.0, None, "4B", "LR22.SOLID.4B"),
    ("solid", "slow-growing", 5.0, None, "4B", "LR22.SOLID.4B"),
    ("part-solid", "baseline", 5.9, None, "2", "LR22.PARTSOLID.2"),
    ("part-solid", "baseline", 6.0, 5.9, "3", "LR22.PARTSOLID.3"),
    ("part-solid", "baseline", 12.0, 6.0, "4A", "LR22.PARTSOLID.4A"),
    ("part-solid", "baseline", 12.0, 7.9, "4A", "LR22.PARTSOLID.4A"),
    ("part-solid", "baseline", 12.0, 8.0, "4B", "LR22.PARTSOLID.4B"),
    ("part-solid", "new", 5.9, 3.9, "3", "LR22.PARTSOLID.3"),
    ("part-solid", "new", 6.0, 3.9, "4A", "LR22.PARTSOLID.4A"),
    ("part-solid", "new", 10.0, 4.0, "4B", "LR22.PARTSOLID.4B"),
    ("part-solid", "new", 5.9, 4.0, "4B", "LR22.PARTSOLID.4B"),
    ("part-solid", "growing", 10.0, 3.9, "4A", "LR22.PARTSOLID.4A"),
    ("part-solid", "growing", 10.0, 4.0, "4B", "LR22.PARTSOLID.4B"),
    ("ground-glass", "baseline", 29.9, None, "2", "LR22.GGN.2"),
    ("ground-glass", "baseline", 30.0, None, "3", "LR22.GGN.3"),
    ("ground-glass", "new", 30.0, None, "3", "LR22.GGN.3"),
    ("ground-glass", "new", 12.0, None, "2", "LR22.GGN.2"),
    ("ground-glass", "stable", 35.0, None, "2", "LR22.GGN.2"),
    ("ground-glass", "slow-growing", 35.0, None, "2", "LR22.GGN.2"),
    ("ground-glass", "growing", 35.0, None, "3", "LR22.GGN.3"),
]


@pytest.mark.parametrize(("kind", "status", "mean", "solid", "want", "rule"), SIZE_CASES)
def test_size_rows(kind: str, status: str, mean: float, solid: float | None, want: str, rule: str) -> None:
    nod: dict[str, Any] = {"type": kind, "mean_diameter_mm": mean, "status": status}
    if solid is not None:
        nod["solid_component_mm"] = solid
    res = one(nod, exam="screening LDCT")
    assert res.result["category"] == want
    assert rule in res.rule_ids and f"LR22.CAT.{want}" in res.rule_ids
    assert res.result["mean_diameter_mm"] == mean


@pytest.mark.parametrize(
    ("long", "short", "mean"),
    [
        (7.0, 5.0, "6.0"),
        (6.0, 5.9, "6.0"),
        (6.0, 5.8, "5.9"),
        (7.3, 5.0, "6.2"),
        (5.8, 5.8, "5.8"),
        (10.1, 9.0, "9.6"),
    ],
)
def test_mean_diameter_kept_to_a_tenth(long: float, short: float, mean: str) -> None:
    assert str(mean_diameter(long, short, None)) == mean


@pytest.mark.parametrize(("long", "short", "want"), [(6.0, 5.8, "2"), (6.0, 5.9, "3"), (6.2, 5.8, "3")])
def test_axes_at_the_6_mm_boundary(long: float, short: float, want: str) -> None:
    res = one({"type": "solid", "long_axis_mm": long, "short_axis_mm": short})
    assert res.result["category"] == want
    assert "LR22.RULE.MEAN_DIAMETER" in res.rule_ids


def test_5_8_is_not_6() -> None:
    assert one({"type": "solid", "mean_diameter_mm": 5.8}).result["category"] == "2"


@pytest.mark.parametrize(("prior", "now", "want"), [(5.0, 6.6, "4A"), (5.0, 6.5, "3"), (7.0, 8.6, "4B")])
def test_growth_is_more_than_1_5_mm(prior: float, now: float, want: str) -> None:
    res = one({"type": "solid", "mean_diameter_mm": now, "prior_mean_diameter_mm": prior}, exam="annual LDCT")
    assert res.result["category"] == want
    assert "LR22.RULE.GROWTH" in res.rule_ids


@pytest.mark.parametrize(
    ("mean", "extra", "want", "rule"),
    [
        (9.9, {"smooth": True, "shape": "lentiform"}, "2", "LR22.JUXTAPLEURAL.2"),
        (10.0, {"smooth": True, "shape": "oval"}, "4A", "LR22.SOLID.4A"),
        (9.0, {"spiculation": True, "shape": "triangular"}, "4X", "LR22.SOLID.4A"),
        (9.0, {"smooth": False}, "4A", "LR22.SOLID.4A"),
        (9.0, {"margin": "lobulated"}, "4A", "LR22.SOLID.4A"),
    ],
)
def test_juxtapleural(mean: float, extra: dict[str, Any], want: str, rule: str) -> None:
    res = one({"type": "solid", "juxtapleural": True, "mean_diameter_mm": mean, **extra})
    assert res.result["category"] == want and rule in res.rule_ids


def test_juxtapleural_with_margin_and_shape_unstated_stays_open() -> None:
    """Category 2 or the solid row depends on criteria the report does not give: never guess."""
    res = one({"type": "solid", "juxtapleural": True, "mean_diameter_mm": 9.0})
    assert res.result["category"] is None
    assert res.result["nodules"][0]["candidates"] == ["2", "4A"]
    assert any("juxtapleural" in m and "margin" in m for m in res.missing)
    small = one({"type": "solid", "juxtapleural": True, "mean_diameter_mm": 5.0})
    assert small.result["category"] == "2"  # both readings give 2


@pytest.mark.parametrize("hedge", ["possibly spiculated", "Spiculation cannot be excluded", "questionable spiculation"])
def test_suspected_spiculation_never_makes_4x(hedge: str) -> None:
    res = CALC.from_text(f"Baseline screening LDCT. 9 mm solid nodule in the right upper lobe, {hedge}.")
    assert res.result["category"] is None and res.result["nodules"][0]["candidates"] == ["4A", "4X"]
    definite = CALC.from_text("Baseline screening LDCT. 9 mm solid nodule in the right upper lobe, spiculated.")
    assert definite.result["category"] == "4X"


@pytest.mark.parametrize(
    ("nodule", "want", "rule"),
    [
        ({"type": "airway", "airway_level": "subsegmental"}, "2", "LR22.AIRWAY.2"),
        ({"type": "endobronchial", "airway_level": "segmental"}, "4A", "LR22.AIRWAY.4A"),
        ({"type": "airway", "airway_level": "segmental", "persistent": True}, "4B", "LR22.AIRWAY.4B"),
        ({"type": "thick-walled cyst"}, "4A", "LR22.CYST.4A"),
        ({"type": "cyst", "multilocular": True}, "4A", "LR22.CYST.4A"),
        ({"type": "cyst", "cyst_wall": "thick", "cyst_change": "growing cystic component"}, "3", "LR22.CYST.3"),
        ({"type": "cyst", "cyst_change": "became multilocular"}, "4A", "LR22.CYST.4A"),
        ({"type": "cyst", "cyst_wall": "thick", "cyst_change": "increased wall thickness"}, "4B", "LR22.CYST.4B"),
        ({"type": "cyst", "multilocular": True, "status": "growing"}, "4B", "LR22.CYST.4B"),
        ({"type": "cyst", "multilocular": True, "cyst_change": ["increased loculation"]}, "4B", "LR22.CYST.4B"),
        ({"type": "cyst", "multilocular": True, "cyst_change": ["new opacity"]}, "4B", "LR22.CYST.4B"),
        ({"type": "calcified", "mean_diameter_mm": 12}, "1", "LR22.CALCIFIED.1"),
        ({"type": "solid", "mean_diameter_mm": 20, "calcification": "popcorn calcification"}, "1", "LR22.CALCIFIED.1"),
        ({"type": "solid", "mean_diameter_mm": 20, "fat": True}, "1", "LR22.CALCIFIED.1"),
    ],
)
def test_other_findings(nodule: dict[str, Any], want: str, rule: str) -> None:
    res = one(nodule)
    assert res.result["category"] == want and rule in res.rule_ids


@pytest.mark.parametrize(
    ("nodule", "want"),
    [
        ({"type": "solid", "mean_diameter_mm": 7, "prior_category": "3", "status": "stable"}, "2"),
        ({"type": "solid", "mean_diameter_mm": 9, "prior_category": "4A", "status": "stable"}, "3"),
        ({"type": "solid", "mean_diameter_mm": 16, "proven_benign": True}, "2"),
    ],
)
def test_stepdowns(nodule: dict[str, Any], want: str) -> None:
    res = one(nodule, exam="follow-up LDCT")
    assert res.result["category"] == want and "LR22.RULE.STEPDOWN" in res.rule_ids


@pytest.mark.parametrize(
    ("nodule", "lymph", "want"),
    [
        ({"type": "solid", "mean_diameter_mm": 7, "spiculation": True}, False, "4X"),
        ({"type": "solid", "mean_diameter_mm": 5, "spiculation": True}, False, "2"),
        ({"type": "solid", "mean_diameter_mm": 16}, True, "4X"),
        ({"type": "solid", "mean_diameter_mm": 5}, True, "2"),
        ({"type": "ground-glass", "mean_diameter_mm": 31, "doubling": True}, False, "4X"),
    ],
)
def test_4x_only_from_category_3_or_4(nodule: dict[str, Any], lymph: bool, want: str) -> None:
    res = one(nodule, lymphadenopathy=lymph)
    assert res.result["category"] == want
    assert ("LR22.CAT.4X" in res.rule_ids) == (want == "4X")


def test_exam_category_is_the_worst_nodule() -> None:
    res = CALC.from_findings(
        {
            "exam": "baseline",
            "nodules": [
                {"type": "solid", "mean_diameter_mm": 4},
                {"type": "part-solid", "mean_diameter_mm": 10, "solid_component_mm": 6.5},
                {"type": "ground-glass", "mean_diameter_mm": 20},
            ],
        }
    )
    assert res.result["category"] == "4A" and res.result["deciding_nodule"] == 2
    assert res.result["mean_diameter_mm"] == 10.0
    assert [n["category"] for n in res.result["nodules"]] == ["2", "4A", "2"]
    assert "LR22.RULE.EXAM_CATEGORY" in res.rule_ids


@pytest.mark.parametrize("flag", ["priors_awaited", "incomplete", "infection_suspected"])
def test_category_0(flag: str) -> None:
    res = one({"type": "solid", "mean_diameter_mm": 7}, **{flag: True})
    assert res.result["category"] == "0" and res.result["provisional_category"] == "3"
    assert "LR22.CAT.0" in res.rule_ids


def test_no_nodules_is_1_and_s_modifier_is_separate() -> None:
    res = CALC.from_text(
        "Baseline screening LDCT. No pulmonary nodules. Significant incidental finding: 5.5 cm aortic aneurysm."
    )
    assert res.result["category"] == "1"
    assert res.result["s_modifier"] is True and res.result["label"] == "1S"
    assert {"LR22.CAT.1", "LR22.CAT.S"} <= set(res.rule_ids)


@pytest.mark.parametrize(
    "text",
    [
        "Diagnostic contrast-enhanced chest CT: 9 mm solid nodule.",
        "Screening LDCT in a patient with known lung cancer: 6 mm solid nodule.",
        "History of lung cancer, post-lobectomy. LDCT: 5 mm solid nodule.",
    ],
)
def test_scope_errors(text: str) -> None:
    with pytest.raises(InvalidInput, match="LR22.RULE.SCOPE"):
        CALC.from_text(text)


def test_recommending_a_diagnostic_ct_is_not_out_of_scope() -> None:
    res = CALC.from_text("Baseline screening LDCT: 16 mm solid nodule. Recommend diagnostic chest CT or PET/CT.")
    assert res.result["category"] == "4B"


def test_known_cancer_findings_flag() -> None:
    with pytest.raises(InvalidInput):
        one({"type": "solid", "mean_diameter_mm": 7}, known_lung_cancer=True)


@pytest.mark.parametrize("label", ["Lung-RADS 5", "Lung-RADS 4C"])
def test_invented_categories_rejected(label: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        CALC.from_text(f"Baseline LDCT: 5 mm solid nodule. {label}.")
    assert "4X" in exc.value.user_message() and label in str(exc.value)


def test_stated_category_discrepancy() -> None:
    res = CALC.from_text("Baseline LDCT: 9 mm solid nodule. Lung-RADS 3.")
    assert res.result["category"] == "4A"
    assert res.discrepancies and res.discrepancies[0].stated == "3" and res.discrepancies[0].derived == "4A"


def test_invalid_nodule_type_names_valid_ones() -> None:
    with pytest.raises(InvalidInput) as exc:
        one({"type": "banana", "mean_diameter_mm": 5})
    assert "part-solid" in exc.value.user_message()


# ---- missing inputs ----------------------------------------------------------------------------


def test_missing_size_and_status() -> None:
    res = CALC.from_text("Annual follow-up LDCT: solid nodule in the LUL.")
    assert res.result["category"] is None
    assert any("size" in m for m in res.missing) and any("status" in m for m in res.missing)


def test_missing_solid_component() -> None:
    res = one({"type": "part-solid", "mean_diameter_mm": 12})
    assert res.result["category"] is None
    assert set(res.result["nodules"][0]["candidates"]) == {"3", "4A", "4B"}
    assert any("solid-component" in m for m in res.missing)


def test_undecided_nodule_that_cannot_beat_the_worst_does_not_block() -> None:
    res = CALC.from_findings(
        {"exam": "baseline", "nodules": [{"type": "solid", "mean_diameter_mm": 16}, {"type": "airway"}]}
    )
    assert res.result["category"] == "4B"


def test_empty_findings_missing() -> None:
    res = CALC.from_findings({})
    assert res.result["category"] is None and res.missing


# ---- text: English prose, contract text, Chinese, negation, evidence ---------------------------


@pytest.mark.parametrize(
    ("text", "want", "mean"),
    [
        ("右肺上叶实性结节，长径7.0毫米，短径5.0毫米", "3", 6.0),
        ("基线筛查：左肺下叶部分实性结节，平均直径12.0毫米，实性成分平均直径5.0毫米，无毛刺。", "3", 12.0),
        ("基线：右肺下叶实性结节，平均直径9.0毫米，可见毛刺。", "4X", 9.0),
        ("左肺上叶纯磨玻璃结节，平均直径32毫米，基线。", "3", 32.0),
        ("右肺中叶新发实性结节，平均直径5.0毫米。", "3", 5.0),
        ("未见肺结节。", "1", None),
    ],
)
def test_chinese(text: str, want: str, mean: float | None) -> None:
    res = CALC.from_text(text)
    assert res.result["category"] == want and res.result["mean_diameter_mm"] == mean


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Baseline LDCT: 9 mm solid nodule, no spiculation. No lymphadenopathy.", "4A"),
        ("Baseline LDCT: 9 mm solid nodule without spiculated margins.", "4A"),
        ("Baseline LDCT: 9 mm solid nodule with spiculated margins.", "4X"),
        ("Baseline LDCT: 9 mm solid nodule. Mediastinal lymphadenopathy.", "4X"),
        ("Baseline LDCT: 9 mm solid nodule. Lymphadenopathy: no.", "4A"),
    ],
)
def test_negation(text: str, want: str) -> None:
    assert CALC.from_text(text).result["category"] == want


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Follow-up LDCT: RUL solid nodule grown from 5.0 mm to 7.0 mm.", "4A"),
        ("Annual LDCT: new 6.5 x 5.5 mm solid nodule RML.", "4A"),
        ("Baseline LDCT: subsegmental endobronchial nodule.", "2"),
        ("Baseline LDCT: thick-walled cyst RLL.", "4A"),
        ("Baseline LDCT: 8 mm perifissural solid nodule, smooth margins, triangular.", "2"),
        ("Baseline LDCT, prior CT awaited: 7 mm solid nodule.", "0"),
        ("Baseline: (1) 5 mm solid nodule RUL (2) 12 mm part-solid nodule LLL, solid component 8.5 mm", "4B"),
    ],
)
def test_prose(text: str, want: str) -> None:
    assert CALC.from_text(text).result["category"] == want


@pytest.mark.parametrize(("text", "cats"), [
    ("Baseline LDCT: 8 mm part-solid nodule with 5 mm solid component.", ["3"]),
    ("LDCT screening, baseline. Two nodules: a 5 mm solid nodule in the RUL and a 7 mm solid nodule in the LLL.",
     ["2", "3"]),
    ("Baseline LDCT: 10 mm ground glass nodule in RUL, 3 mm solid nodule in LUL and a 16 mm solid nodule in the RLL.",
     ["2", "2", "4B"]),
    ("基线：右肺上叶实性结节，平均直径5毫米，左肺下叶实性结节，平均直径9毫米。", ["2", "4A"]),
])
def test_several_nodules_in_one_sentence(text: str, cats: list[str]) -> None:
    assert [n["category"] for n in CALC.from_text(text).result["nodules"]] == cats


def test_contract_text_with_several_nodules() -> None:
    text = (
        "exam: baseline screening LDCT. nodules: type: solid. long axis: 7.0 mm. short axis: 5.0 mm.; "
        "type: part-solid. mean diameter: 12.0 mm. solid component: 8.0 mm."
    )
    res = CALC.from_text(text)
    assert [n["category"] for n in res.result["nodules"]] == ["3", "4B"]
    assert res.result["category"] == "4B"


def test_evidence_spans() -> None:
    text = "Baseline LDCT: right upper lobe part-solid nodule, total mean diameter 12.0 mm, solid component 7.0 mm."
    res = CALC.from_text(text)
    by = {e.descriptor: e for e in res.evidence}
    assert by["lungrads.nodule[0].type"].text == "part-solid"
    assert by["lungrads.nodule[0].mean_mm"].text == "12.0 mm"
    assert by["lungrads.nodule[0].solid_mean_mm"].text == "7.0 mm"
    for e in res.evidence:
        assert text[e.start : e.end] == e.text


def test_old_edition_is_noted() -> None:
    res = CALC.from_text("Lung-RADS v1.1. Baseline: 7 mm solid nodule.")
    assert any("v1.1" in n for n in res.notes) and res.result["category"] == "3"


def test_two_bare_sizes_for_one_nodule_stay_open() -> None:
    """"Solid nodule measuring 7 mm and 5 mm": axes or two nodules? The reader must not pick one."""
    res = CALC.from_text("Baseline screening LDCT. Solid nodule in the RUL measuring 7 mm and 5 mm.")
    assert res.result["category"] is None
    assert any("several sizes" in m for m in res.missing)


def test_plural_nodules_with_listed_sizes_are_separate_nodules() -> None:
    res = CALC.from_text("Screening LDCT, baseline. Two solid nodules: 5 mm (RUL) and 8 mm (LLL).")
    assert [n["mean_diameter_mm"] for n in res.result["nodules"]] == [5.0, 8.0]
    assert res.result["category"] == "4A"


def test_impression_restating_a_rounded_size_adds_no_nodule() -> None:
    res = CALC.from_text("Baseline LDCT. Findings: 5.8 mm solid nodule RUL. IMPRESSION: 6 mm solid nodule RUL.")
    assert len(res.result["nodules"]) == 1 and res.result["category"] == "2"


@pytest.mark.parametrize("text", ["Baseline LDCT: 8 mm nodule in the RUL, possibly part-solid.", "基线LDCT筛查：右肺上叶结节，约8mm，可疑部分实性。"])
def test_suspected_nodule_type_is_not_used(text: str) -> None:
    res = CALC.from_text(text)
    assert res.result["category"] is None and any("only suspects" in m for m in res.missing)


@pytest.mark.parametrize(
    "text",
    ["Baseline LDCT with 1.25 mm slices. 7 mm solid nodule in the RUL, 2 mm from the pleura.",
     "Baseline LDCT, slice thickness 1 mm. 7 mm solid nodule in the RUL."],
)
def test_distances_and_slice_thickness_are_not_nodule_sizes(text: str) -> None:
    res = CALC.from_text(text)
    assert res.result["category"] == "3" and res.result["mean_diameter_mm"] == 7.0
