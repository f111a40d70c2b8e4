"""BI-RADS 5th edition: likelihood boundaries, modality and screening rules, labels, exam order."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rag.calculators.rads.birads import BIRADS, category_for_likelihood
from rag.errors import InvalidInput

CALC = BIRADS()


@pytest.mark.parametrize(
    ("percent", "want"),
    [
        ("0", None),
        ("0.1", "3"),
        ("1.9", "3"),
        ("2", "3"),
        ("2.01", "4A"),
        ("2.1", "4A"),
        ("9.9", "4A"),
        ("10", "4A"),
        ("10.1", "4B"),
        ("49.9", "4B"),
        ("50", "4B"),
        ("50.1", "4C"),
        ("94.9", "4C"),
        ("95", "5"),
        ("95.1", "5"),
        ("100", "5"),
    ],
)
def test_likelihood_boundaries(percent: str, want: str | None) -> None:
    assert category_for_likelihood(Decimal(percent)) == want


@pytest.mark.parametrize(("percent", "want"), [(2, "3"), (3, "4A"), (10, "4A"), (11, "4B"), (51, "4C"), (95, "5")])
def test_likelihood_findings(percent: float, want: str) -> None:
    res = CALC.from_findings({"likelihood_of_malignancy": percent, "modality": "diagnostic mammography"})
    assert res.result["category"] == want and f"BIRADS.CAT.{want}" in res.rule_ids


@pytest.mark.parametrize("percent", [-1, 101, "abc"])
def test_bad_likelihood(percent: object) -> None:
    with pytest.raises(InvalidInput):
        CALC.from_findings({"likelihood_of_malignancy": percent})


def test_zero_percent_cannot_split_1_and_2() -> None:
    res = CALC.from_text("Diagnostic mammogram: likelihood of malignancy 0%.")
    assert res.result["category"] is None and res.result["candidates"] == ["1", "2"] and res.missing


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Breast MRI: enhancing mass, likelihood of malignancy 30%.", "4"),
        ("Breast MRI: BI-RADS 4C.", "4"),
        ("Breast ultrasound: likelihood of malignancy 30%.", "4B"),
        ("Diagnostic mammogram: likelihood of malignancy 60%.", "4C"),
    ],
)
def test_subcategories_only_for_mammography_and_ultrasound(text: str, want: str) -> None:
    res = CALC.from_text(text)
    assert res.result["category"] == want
    assert ("BIRADS.RULE.SUBCATEGORY_MODALITY" in res.rule_ids) == (want == "4")


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Screening mammogram: probably benign finding.", "0"),
        ("Screening mammogram: likelihood of malignancy 1%.", "0"),
        ("Screening breast MRI: probably benign focus.", "3"),
        ("Screening breast ultrasound: probably benign mass.", "3"),
        ("Diagnostic mammogram: probably benign finding.", "3"),
    ],
)
def test_category_3_not_at_screening_mammography(text: str, want: str) -> None:
    res = CALC.from_text(text)
    assert res.result["category"] == want
    assert ("BIRADS.RULE.SCREENING_CATEGORY_3" in res.rule_ids) == (want == "0")


@pytest.mark.parametrize("label", ["BI-RADS 4D", "BI-RADS 7", "BI-RADS 3A"])
def test_invented_labels_rejected(label: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        CALC.from_text(f"Diagnostic mammogram. {label}.")
    assert "4C" in exc.value.user_message()


def test_invented_label_in_findings() -> None:
    with pytest.raises(InvalidInput):
        CALC.from_findings({"category": "4D"})


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Diagnostic mammogram: BI-RADS 2.", "2"),
        ("Mammogram: BI-RADS category 6, biopsy-proven carcinoma.", "6"),
        ("Mammogram: highly suggestive of malignancy.", "5"),
        ("Mammogram: simple cyst.", "2"),
        ("Diagnostic ultrasound: negative exam.", "1"),
        ("Diagnostic mammogram: incomplete, needs additional imaging.", "0"),
    ],
)
def test_stated_and_worded_categories(text: str, want: str) -> None:
    assert CALC.from_text(text).result["category"] == want


def test_likelihood_beats_stated_category_and_flags_discrepancy() -> None:
    res = CALC.from_text("Diagnostic mammogram: BI-RADS 4B; likelihood of malignancy 60%.")
    assert res.result["category"] == "4C"
    assert res.discrepancies[0].stated == "4B" and res.discrepancies[0].derived == "4C"


@pytest.mark.parametrize(
    ("cats", "want"),
    [
        (["1", "2"], "2"),
        (["2", "3"], "3"),
        (["3", "6"], "6"),
        (["6", "0"], "0"),
        (["0", "4A"], "4A"),
        (["4C", "5"], "5"),
    ],
)
def test_exam_order(cats: list[str], want: str) -> None:
    res = CALC.from_findings({"modality": "diagnostic mammogram", "findings": [{"category": c} for c in cats]})
    assert res.result["category"] == want and "BIRADS.RULE.EXAM_ORDER" in res.rule_ids


def test_negation_and_density() -> None:
    res = CALC.from_text("Diagnostic mammogram, heterogeneously dense breasts. No suspicious mass. Simple cyst left.")
    assert res.result["category"] == "2" and res.result["density"] == "c" and "BIRADS.RULE.DENSITY" in res.rule_ids


def test_range_read_at_midpoint() -> None:
    res = CALC.from_text("Ultrasound: likelihood of malignancy 10-50%.")
    assert res.result["category"] == "4B" and res.notes


def test_evidence_span() -> None:
    text = "Diagnostic breast ultrasound: likelihood of malignancy is 2%."
    ev = [e for e in CALC.from_text(text).evidence if e.descriptor == "birads.likelihood_percent"][0]
    assert text[ev.start : ev.end] == "2%"
