"""Size ranges (rads.sizes / rads.ranges) and stated categories (rads.stated) in the RADS readers (issue 10).

A range is evaluated at both ends; a category is kept only when both ends agree. A stated
category fills a field the findings leave open, only when asserted and consistent with them.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.calculators.rads import LIRADS, PIRADS, TIRADS, LungRADS
from rag.calculators.rads.sizes import find_sizes, reading_end

BASE = "Baseline screening LDCT."


# --- the size parser ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, low, high", [
    ("7-8 mm", 7.0, 8.0), ("7–8 mm", 7.0, 8.0), ("7 to 8 mm", 7.0, 8.0), ("between 7 and 8 mm", 7.0, 8.0),
    ("7 mm - 8 mm", 7.0, 8.0), ("0.7～0.8厘米", 7.0, 8.0), ("7至8毫米", 7.0, 8.0), ("1.4-1.6 cm", 14.0, 16.0),
    ("约7~8mm", 7.0, 8.0),
])
def test_a_range_reads_at_the_chosen_end_and_is_recorded(text: str, low: float, high: float) -> None:
    with reading_end("low") as seen:
        lo = find_sizes(text)
    with reading_end("high"):
        hi = find_sizes(text)
    assert [s.values_mm for s in lo] == [(low,)] and [s.values_mm for s in hi] == [(high,)]
    assert [(r.low_mm, r.high_mm) for r in seen] == [(low, high)]


@pytest.mark.parametrize("text", [
    "increased from 5 to 8 mm", "grew from 5 to 8 mm", "由5至8mm", "nodules of 5 and 8 mm", "7 x 5 mm", "12 x 7-8 mm",
    "8-8 mm", "10 to 5 mm",
])
def test_growth_axes_and_lists_are_not_ranges(text: str) -> None:
    with reading_end("low") as seen:
        find_sizes(text)
    assert seen == []


def test_outside_reading_end_a_range_reads_high_and_records_nothing() -> None:
    assert [s.values_mm for s in find_sizes("5-7 mm")] == [(7.0,)]
    assert find_sizes("5-7 mm")[0].range_mm == (5.0, 7.0)


# --- both ends ----------------------------------------------------------------------------------------

def test_lung_range_across_a_row_stays_missing_with_a_question() -> None:
    out = LungRADS().from_text(f"{BASE} Solid nodule in the right upper lobe measuring 7-8 mm.")
    assert out.result["category"] is None
    assert out.result["candidates"] == ["3", "4A"]
    assert out.result["mean_diameter_mm"] is None
    assert any("mean diameter" in m and "7-8 mm" in m for m in out.missing)
    assert not any(r.startswith("LR22.SOLID.") for r in out.rule_ids)  # no row cited for an undecided category


def test_lung_range_inside_one_row_is_decided_and_noted() -> None:
    out = LungRADS().from_text(f"{BASE} Solid nodule in the right upper lobe measuring 3 to 5 mm.")
    assert out.result["category"] == "2"
    assert out.result["size_range_mm"] == [[3.0, 5.0]]
    assert "LR22.SOLID.2" in out.rule_ids
    assert any("range" in n for n in out.notes)
    assert not out.missing


def test_lung_range_in_structured_findings() -> None:
    out = LungRADS().from_findings({"nodules": [{"type": "solid", "status": "baseline", "mean_mm": "5-7 mm"}]})
    assert out.result["category"] is None and out.missing


def test_tirads_range_keeps_the_level_and_leaves_the_recommendation() -> None:
    text = "Right lobe: 1.4-1.6 cm solid, hypoechoic nodule, wider-than-tall, with smooth margins and no echogenic foci."
    out = TIRADS().from_text(text)
    assert out.result["level"] == "TR4" and out.result["points"] == 4
    assert out.result["recommendation"] is None
    assert any("maximum diameter" in m for m in out.missing)


def test_lirads_range_across_10_mm() -> None:
    out = LIRADS().from_text("Cirrhosis. 8-12 mm observation with nonrim APHE and nonperipheral washout.")
    assert out.result["category"] is None and set(out.result["candidates"]) == {"LR-4", "LR-5"}
    agreed = LIRADS().from_text("Cirrhosis. 12-18 mm observation with nonrim APHE and nonperipheral washout.")
    assert agreed.result["category"] == "LR-5"


def test_pirads_range_across_15_mm() -> None:
    desc = "focal, markedly hypointense on ADC and markedly hyperintense on high b-value DWI, measuring {}"
    assert PIRADS().from_text(f"Left peripheral zone lesion: {desc.format('1.2-1.8 cm')}.").result["category"] is None
    assert PIRADS().from_text(f"Left peripheral zone lesion: {desc.format('0.8-1.2 cm')}.").result["category"] == "4"


@settings(max_examples=40, deadline=None)
@given(lo=st.integers(20, 250), width=st.integers(1, 60))
def test_a_decided_lung_range_equals_every_size_inside_it(lo: int, width: int) -> None:
    """Monotone rules: when both ends agree, every size in between gives the same category."""
    a, b = lo / 10, (lo + width) / 10
    ranged = LungRADS().from_text(f"{BASE} Solid nodule in the right upper lobe measuring {a:g}-{b:g} mm.").result["category"]
    singles = {LungRADS().from_text(f"{BASE} Solid nodule in the right upper lobe measuring {x:g} mm.").result["category"]
               for x in (a, (a + b) / 2, b)}
    if ranged is not None:
        assert singles == {ranged}
    else:
        assert len(singles) > 1 or None in singles


# --- stated categories --------------------------------------------------------------------------------

def test_stated_pirads_without_scores_is_returned_as_stated() -> None:
    out = PIRADS().from_text("Impression: PI-RADS 4 lesion in the left peripheral zone.")
    assert out.result["category"] == "4" and out.result["category_source"] == "stated"
    assert any("DWI" in m for m in out.missing)  # what would verify it
    assert not any(r.startswith("PIRADS.PZ.") for r in out.rule_ids)  # nothing verified, no row cited


@pytest.mark.parametrize("text", [
    "Left PZ lesion. No PI-RADS 4 or 5 lesion.", "Left PZ lesion. Prior MRI: PI-RADS 3.", "Left PZ lesion. Possibly PI-RADS 4.",
    "Left PZ lesion. PI-RADS 3-4.", "Left PZ lesion. PI-RADS 4/5.", "左侧外周带病灶，既往PI-RADS 3分。",
])
def test_unasserted_or_span_statements_are_not_adopted(text: str) -> None:
    assert PIRADS().from_text(text).result["category"] is None


def test_scores_override_and_narrow_a_stated_pirads() -> None:
    decided = PIRADS().from_text("Left PZ lesion, DWI 4. Impression: PI-RADS 3.")
    assert decided.result["category"] == "4" and decided.discrepancies
    narrowed = PIRADS().from_text("Left PZ lesion, DWI 3. Impression: PI-RADS 4.")
    assert narrowed.result["category"] == "4" and narrowed.result["category_source"] == "stated"
    outside = PIRADS().from_text("Left PZ lesion, DWI 3. Impression: PI-RADS 5.")
    assert outside.result["category"] is None and outside.result["stated_category"] == "5"


def test_stated_tirads_level_gives_the_chart_recommendation() -> None:
    out = TIRADS().from_text("Thyroid nodule in the right lobe, 1.8 cm, TR4.")
    assert out.result["level"] == "TR4" and out.result["level_source"] == "stated"
    assert out.result["recommendation"] == "FNA"


def test_stated_tirads_below_what_the_features_give_is_rejected() -> None:
    out = TIRADS().from_text("Solid hypoechoic nodule 1.2 cm, TR3.")  # solid + hypoechoic = 4 points already
    assert out.result["level"] is None and out.result["stated_level"] == "TR3"


@pytest.mark.parametrize("text", ["C-TIRADS 4a nodule, 1.8 cm.", "K-TIRADS 4 nodule, 1.8 cm.", "TI-RADS 4b nodule, 1.8 cm."])
def test_other_thyroid_systems_are_not_adopted(text: str) -> None:
    assert TIRADS().from_text(text).result["level"] is None


def test_stated_lungrads_must_fit_the_nodules_candidates() -> None:
    out = LungRADS().from_text(f"{BASE} 7 mm juxtapleural solid nodule. Lung-RADS 4A.")
    assert out.result["category"] is None  # margin/shape unknown: 2 or 3, never 4A
    ok = LungRADS().from_text(f"{BASE} 7 mm juxtapleural solid nodule. Lung-RADS 3.")
    assert ok.result["category"] == "3" and ok.result["category_source"] == "stated"


def test_stated_lirads_and_chinese_suffixes() -> None:
    assert LIRADS().from_text("Cirrhosis. 18 mm observation. LR-4.").result["category"] == "LR-4"
    assert LungRADS().from_text("基线低剂量CT肺癌筛查。Lung-RADS 3类。").result["category"] == "3"
    assert PIRADS().from_text("右侧外周带病灶，PI-RADS 4分。").result["category"] == "4"


# --- bounds: one-sided sizes ---------------------------------------------------------------------------

@pytest.mark.parametrize("text, low, high", [
    ("<6 mm", 1.0, 5.9), ("less than 1 cm", 1.0, 9.9), ("≤5 mm", 1.0, 5.0), ("小于6mm", 1.0, 5.9), ("6mm以下", 1.0, 6.0),
    (">15 mm", 15.1, 45.0), ("≥15 mm", 15.0, 45.0), ("大于8mm", 8.1, 24.0),
])
def test_a_bound_is_a_one_sided_range(text: str, low: float, high: float) -> None:
    with reading_end("low") as seen:
        find_sizes(text)
    assert [(r.low_mm, r.high_mm) for r in seen] == [(low, high)]


@pytest.mark.parametrize("size, want", [("<6 mm", "2"), ("less than 8 mm", None), (">15 mm", "4B"), ("小于6mm", "2")])
def test_lung_bounds(size: str, want: str | None) -> None:
    assert LungRADS().from_text(f"{BASE} Solid nodule in the right upper lobe measuring {size}.").result["category"] == want


@pytest.mark.parametrize("text", ["Prior MRI: PI-RADS 3. Left PZ lesion, DWI 4.", "Left PZ lesion, DWI 4. Impression: PI-RADS 3-4."])
def test_only_an_asserted_statement_is_a_discrepancy(text: str) -> None:
    out = PIRADS().from_text(text)
    assert out.result["category"] == "4" and not out.discrepancies


def test_invented_labels_are_still_rejected() -> None:
    from rag.errors import InvalidInput
    with pytest.raises(InvalidInput):
        TIRADS().from_text("Solid hypoechoic nodule 1.2 cm, TR6.")
    with pytest.raises(InvalidInput):
        PIRADS().from_text("Left PZ lesion, PI-RADS 6.")


@pytest.mark.parametrize("text, want", [
    ("Previously BI-RADS 4 mass, biopsy benign (fibroadenoma). Today: stable fibroadenoma. BI-RADS 2.", "2"),
    ("Prior mammogram (2022): BI-RADS 3. Current mammogram: BI-RADS 2, benign.", "2"),
    ("No BI-RADS 4 or 5 findings. BI-RADS 1.", "1"),
    ("前次检查BI-RADS 4类。本次BI-RADS 2类。", "2"),
])
def test_birads_earlier_or_denied_statements_do_not_enter_the_exam(text: str, want: str) -> None:
    from rag.calculators.rads import BIRADS
    assert BIRADS().from_text(text).result["category"] == want


def test_lungrads_discrepancy_ignores_a_prior_category() -> None:
    out = LungRADS().from_text("Prior LDCT: Lung-RADS 4A. Current: the nodule has resolved. No nodules. Lung-RADS 1.")
    assert out.result["category"] == "1" and not out.discrepancies


@pytest.mark.parametrize("text", [
    "Left PZ lesion. If PI-RADS 3, consider follow-up.", "Left PZ lesion. Biopsy is advised for PI-RADS 4 lesions.",
    "Left PZ lesion. PI-RADS 3 or higher.", "左侧外周带病灶，PI-RADS 3分及以上建议活检。",
])
def test_thresholds_and_hypotheticals_are_not_stated_categories(text: str) -> None:
    assert PIRADS().from_text(text).result["category"] is None
