"""Chinese and English wordings of BI-RADS assessments and PI-RADS DWI/DCE descriptions (issue 10, class 3).

Each was missing before: the readers knew only one word order or one wording.
"""

from __future__ import annotations

import pytest

from rag.calculators.rads import BIRADS, PIRADS


@pytest.mark.parametrize("text, want", [
    ("右乳外上象限低回声肿块，形态不规则，边缘毛刺，高度提示恶性。", "5"),
    ("左乳肿块，高度怀疑恶性。", "5"),
    ("Irregular spiculated mass, highly suspicious for malignancy.", "5"),
    ("Irregular mass, suspicious for malignancy.", "4"),
    ("左乳肿块，可能良性，建议6个月复查。", "3"),
    ("左乳浸润性导管癌，空芯针穿刺活检证实，术前评估。", "6"),
    ("Pathology-proven invasive ductal carcinoma, pre-operative MRI.", "6"),
])
def test_birads_assessment_wording(text: str, want: str) -> None:
    assert BIRADS().from_text(text).result["category"] == want


@pytest.mark.parametrize("text, want", [
    ("右侧外周带病灶，DWI呈局灶性明显高信号，ADC明显低信号，大小约0.9cm，动态增强阴性。", "4"),
    ("右侧外周带病灶，ADC值明显减低，高b值DWI明显高信号，大小约1.6cm。", "5"),
    ("左侧外周带病灶，DWI呈局灶性轻度高信号，ADC呈轻度低信号，动态增强阳性。", "4"),
    ("右侧外周带病灶，ADC明显低信号，DWI呈稍高信号，动态增强阴性。", "3"),
])
def test_pirads_chinese_dwi_and_dce(text: str, want: str) -> None:
    assert PIRADS().from_text(text).result["category"] == want


def test_points_in_parentheses_are_not_list_markers() -> None:
    from rag.calculators.rads import TIRADS
    text = ("Composition: solid (2). Echogenicity: hypoechoic (2). Shape: wider-than-tall (0). Margin: smooth (0). "
            "Echogenic foci: none (0). Size 1.0 cm.")
    out = TIRADS().from_text(text).result
    assert (out["points"], out["level"], out["recommendation"]) == (4, "TR4", "follow-up")
    two = TIRADS().from_text("(1) Right lobe: spongiform nodule, 2.0 cm. (2) Left lobe: solid hypoechoic nodule, taller-than-wide, "
                             "irregular margins, punctate echogenic foci, 1.2 cm.").result
    assert len(two["nodules"]) == 2 and two["level"] == "TR5"


def test_fat_or_benign_calcification_decides_over_solid() -> None:
    from rag.calculators.rads import LungRADS
    out = LungRADS().from_text("Baseline LDCT. 10 mm solid nodule with fat attenuation, consistent with hamartoma.")
    assert out.result["category"] == "1"
