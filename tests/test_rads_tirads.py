"""ACR TI-RADS: every points cell, every level, every size cut-off at/below/above, text parsing."""

from __future__ import annotations

from typing import Any

import pytest

from rag.calculators.rads.tirads import TIRADS
from rag.calculators.rads.tirads_rules import POINTS, level_for
from rag.errors import InvalidInput

CALC = TIRADS()
ZERO = {
    "composition": "cystic",
    "echogenicity": "anechoic",
    "shape": "wider-than-tall",
    "margin": "smooth",
    "echogenic_foci": ["none"],
    "max_diameter_cm": 1.0,
}
LABELS = {  # a report wording for each vocabulary value
    "cystic": "cystic",
    "spongiform": "spongiform",
    "mixed": "mixed cystic and solid",
    "solid": "solid",
    "anechoic": "anechoic",
    "iso-hyperechoic": "isoechoic",
    "hypoechoic": "hypoechoic",
    "very-hypoechoic": "very hypoechoic",
    "wider-than-tall": "wider-than-tall",
    "taller-than-wide": "taller-than-wide",
    "smooth": "smooth",
    "ill-defined": "ill-defined",
    "lobulated": "lobulated",
    "irregular": "irregular",
    "extrathyroidal-extension": "extrathyroidal extension",
    "none": "none",
    "large-comet-tail": "large comet-tail",
    "macrocalcification": "macrocalcifications",
    "rim-calcification": "rim calcification",
    "punctate": "punctate echogenic foci",
}
CELLS = [(f, v, p) for f, table in POINTS.items() for v, p in table.items() if v != "spongiform"]


@pytest.mark.parametrize(("feature", "value", "points"), CELLS)
def test_each_points_cell(feature: str, value: str, points: int) -> None:
    findings: dict[str, Any] = {**ZERO, feature: [LABELS[value]] if feature == "echogenic_foci" else LABELS[value]}
    res = CALC.from_findings(findings)
    assert res.result["nodules"][0]["points_by_feature"][feature] == points
    assert res.result["points"] == points
    assert f"TIRADS.POINTS.{feature.upper()}" in res.rule_ids


def test_spongiform_scores_nothing_else() -> None:
    res = CALC.from_findings(
        {
            "composition": "spongiform",
            "echogenicity": "very hypoechoic",
            "shape": "taller-than-wide",
            "margin": "irregular",
            "echogenic_foci": ["punctate"],
            "max_diameter_cm": 3,
        }
    )
    assert res.result["points"] == 0 and res.result["level"] == "TR1" and res.result["recommendation"] == "none"
    assert "TIRADS.RULE.SPONGIFORM" in res.rule_ids


@pytest.mark.parametrize(
    ("foci", "points"),
    [
        (["macrocalcification", "rim calcification"], 3),
        (["macrocalcifications", "punctate echogenic foci"], 4),
        (["rim calcification", "punctate echogenic foci"], 5),
        (["macrocalcification", "rim calcification", "punctate"], 6),
        (["large comet-tail", "punctate"], 3),
    ],
)
def test_echogenic_foci_are_summed(foci: list[str], points: int) -> None:
    res = CALC.from_findings({**ZERO, "echogenic_foci": foci})
    assert res.result["points"] == points


@pytest.mark.parametrize(
    ("points", "level"),
    [
        (0, "TR1"),
        (1, None),
        (2, "TR2"),
        (3, "TR3"),
        (4, "TR4"),
        (5, "TR4"),
        (6, "TR4"),
        (7, "TR5"),
        (8, "TR5"),
        (14, "TR5"),
    ],
)
def test_level_chart(points: int, level: str | None) -> None:
    lv = level_for(points)
    assert (lv.label if lv else None) == level


# findings that give 3, 4 and 7 points
T3 = {**ZERO, "composition": "solid", "echogenicity": "isoechoic"}
T4 = {**ZERO, "composition": "solid", "echogenicity": "hypoechoic"}
T5 = {**ZERO, "composition": "solid", "echogenicity": "hypoechoic", "shape": "taller-than-wide"}


@pytest.mark.parametrize(
    ("base", "size", "level", "rec"),
    [
        (T3, 2.6, "TR3", "FNA"),
        (T3, 2.5, "TR3", "FNA"),
        (T3, 2.4, "TR3", "follow-up"),
        (T3, 1.5, "TR3", "follow-up"),
        (T3, 1.4, "TR3", "none"),
        (T4, 1.6, "TR4", "FNA"),
        (T4, 1.5, "TR4", "FNA"),
        (T4, 1.4, "TR4", "follow-up"),
        (T4, 1.0, "TR4", "follow-up"),
        (T4, 0.9, "TR4", "none"),
        (T5, 1.1, "TR5", "FNA"),
        (T5, 1.0, "TR5", "FNA"),
        (T5, 0.9, "TR5", "follow-up"),
        (T5, 0.5, "TR5", "follow-up"),
        (T5, 0.4, "TR5", "none"),
        (ZERO, 5.0, "TR1", "none"),
        ({**ZERO, "composition": "mixed", "echogenicity": "isoechoic"}, 5.0, "TR2", "none"),
    ],
)
def test_size_cutoffs_inclusive(base: dict[str, Any], size: float, level: str, rec: str) -> None:
    res = CALC.from_findings({**base, "max_diameter_cm": size})
    assert res.result["level"] == level and res.result["recommendation"] == rec
    assert f"TIRADS.LEVEL.{level}" in res.rule_ids


def test_size_in_mm() -> None:
    res = CALC.from_findings({**T4, "max_diameter_cm": None, "max_diameter_mm": 15})
    assert res.result["max_diameter_cm"] == 1.5 and res.result["recommendation"] == "FNA"


def test_one_point_is_flagged() -> None:
    res = CALC.from_findings({**ZERO, "composition": "mixed cystic and solid"})
    assert res.result["points"] == 1 and res.result["level"] is None and res.result["not_in_chart"] is True
    assert res.result["recommendation"] == "none" and "TIRADS.RULE.ONE_POINT" in res.rule_ids


@pytest.mark.parametrize("text", ["TR6 nodule", "ACR TI-RADS 6", "TI-RADS TR0 nodule"])
def test_invented_levels_rejected(text: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        CALC.from_text(text)
    assert "TR5" in exc.value.user_message()


def test_invalid_label_names_valid_ones() -> None:
    with pytest.raises(InvalidInput) as exc:
        CALC.from_findings({**T4, "composition": "gelatinous"})
    assert "spongiform" in exc.value.user_message()


def test_missing_features() -> None:
    res = CALC.from_text("Solid hypoechoic nodule, 2 cm.")
    assert res.result["points"] is None and res.result["points_minimum"] == 4 and res.result["level"] is None
    assert set(res.missing) == {"shape", "margin", "echogenic foci"}


def test_missing_features_still_tr5_when_already_7() -> None:
    res = CALC.from_text("Solid, very hypoechoic, extrathyroidal extension, 1.2 cm.")
    assert res.result["points"] is None and res.result["level"] == "TR5" and res.result["recommendation"] == "FNA"


def test_missing_size() -> None:
    res = CALC.from_findings({k: v for k, v in T4.items() if k != "max_diameter_cm"})
    assert res.result["level"] == "TR4" and res.result["recommendation"] is None
    assert any("diameter" in m for m in res.missing)


def test_several_nodules() -> None:
    res = CALC.from_findings(
        {"nodules": [{**T3, "max_diameter_cm": 3.0}, {**T5, "max_diameter_cm": 0.8}, {**T4, "max_diameter_cm": 2.0}]}
    )
    assert res.result["nodule"] == 2 and res.result["level"] == "TR5" and res.result["recommendation"] == "follow-up"
    assert [n["level"] for n in res.result["nodules"]] == ["TR3", "TR5", "TR4"]
    assert res.result["fna_nodules"] == [3, 1]
    assert "TIRADS.RULE.MULTIPLE_NODULES" in res.rule_ids


@pytest.mark.parametrize(
    ("text", "points", "level", "rec"),
    [
        ("实性，低回声，纵横比大于1，边缘不规则，点状强回声，最大径1.2厘米", 12, "TR5", "FNA"),
        ("囊实性，等回声，纵横比小于1，边缘光滑，无钙化，最大径3.0厘米", 2, "TR2", "none"),
        ("实性，极低回声，纵横比小于1，边缘光整，粗大钙化，最大径1.6厘米", 6, "TR4", "FNA"),
        ("海绵状结节，最大径2.5厘米", 0, "TR1", "none"),
        ("Solid, hypoechoic, wider-than-tall, smooth margins, no echogenic foci, 1.5 cm.", 4, "TR4", "FNA"),
        (
            "Solid isoechoic nodule; taller-than-wide: no; margin: lobulated; no calcifications; 2.0 x 1.2 x 1.0 cm",
            5,
            "TR4",
            "FNA",
        ),
        (
            "Mixed cystic and solid nodule, hypoechoic solid part, wider-than-tall, ill-defined, no punctate echogenic foci, "
            "3 cm",
            3,
            "TR3",
            "FNA",
        ),
        (
            "composition: solid. echogenicity: hypoechoic. shape: taller-than-wide. margin: irregular. echogenic foci: "
            "punctate; rim calcification. max diameter: 0.9 cm.",
            14,
            "TR5",
            "follow-up",
        ),
    ],
)
def test_text(text: str, points: int, level: str, rec: str) -> None:
    res = CALC.from_text(text)
    assert (res.result["points"], res.result["level"], res.result["recommendation"]) == (points, level, rec)


def test_negation_does_not_run_over_a_comma_list_without_or() -> None:
    res = CALC.from_text("A 1.8 cm solid hypoechoic nodule with smooth margins and no calcifications, wider than tall.")
    assert (res.result["points"], res.result["level"], res.result["recommendation"]) == (4, "TR4", "FNA")


def test_negated_extrathyroidal_extension() -> None:
    res = CALC.from_text(
        "Solid, hypoechoic, wider-than-tall, smooth, no extrathyroidal extension, no calcifications, 1 cm"
    )
    assert res.result["points"] == 4


def test_evidence_spans_chinese() -> None:
    text = "实性，低回声，纵横比大于1，边缘不规则，点状强回声，最大径1.2厘米"
    by = {e.descriptor: e.text for e in CALC.from_text(text).evidence}
    assert by == {
        "tirads.nodule[0].composition": "实性",
        "tirads.nodule[0].echogenicity": "低回声",
        "tirads.nodule[0].shape": "纵横比大于1",
        "tirads.nodule[0].margin": "边缘不规则",
        "tirads.nodule[0].echogenic_foci": "点状强回声",
        "tirads.nodule[0].max_diameter_cm": "1.2厘米",
    }


def test_text_with_two_numbered_nodules() -> None:
    res = CALC.from_text(
        "Nodule 1: solid, isoechoic, wider-than-tall, smooth, no calcifications, 2.6 cm. "
        "Nodule 2: solid, hypoechoic, taller-than-wide, irregular, punctate echogenic foci, 0.8 cm."
    )
    assert [n["points"] for n in res.result["nodules"]] == [3, 12]
    assert res.result["nodule"] == 2 and res.result["fna_nodules"] == [1]


def test_stated_level_discrepancy() -> None:
    res = CALC.from_text("Solid, hypoechoic, wider-than-tall, smooth, no calcifications, 2 cm. ACR TI-RADS TR3.")
    assert res.discrepancies and res.discrepancies[0].derived == "TR4"


def test_unstated_foci_can_add_every_type_so_no_recommendation_is_claimed() -> None:
    """1 known point + unknown foci reaches 7 (macro 1 + rim 2 + punctate 3 = TR5, follow-up at 0.6 cm), not just 4."""
    res = CALC.from_text("Mixed cystic and solid anechoic nodule, 0.6 cm, wider than tall, smooth margins.")
    assert res.result["points"] is None and res.result["recommendation"] is None
    assert "echogenic foci" in res.missing


@pytest.mark.parametrize("hedge", ["possible microcalcifications", "punctate echogenic foci cannot be excluded", "可疑微钙化"])
def test_suspected_foci_are_never_scored(hedge: str) -> None:
    res = CALC.from_text(f"Solid hypoechoic nodule, 2.0 cm, wider than tall, smooth margins; {hedge}.")
    assert res.result["points"] is None and res.result["level"] is None
    assert res.result["recommendation"] == "FNA"  # TR4 (4) or TR5 (7): FNA either way at 2.0 cm
    assert any("only suspects" in m for m in res.missing)


@pytest.mark.parametrize(
    "text",
    [
        "Right lobe: 1.5 cm solid hypoechoic nodule, wider-than-tall, smooth margins, no echogenic foci. "
        "Right level IV lymph node 1.2 cm with microcalcifications.",
        "甲状腺右叶实性低回声结节，约1.5cm，纵横比<1，边缘光整，未见钙化。右颈IV区淋巴结约1.2cm，内见微钙化。",
    ],
)
def test_lymph_node_findings_do_not_score_the_nodule(text: str) -> None:
    res = CALC.from_text(text)
    assert (res.result["points"], res.result["level"], res.result["recommendation"]) == (4, "TR4", "FNA")
