"""BI-RADS (5th edition) phrasings: stated categories, assessment wording, likelihoods and category 6.

Rules exercised: BIRADS.CAT.0–6 and 4A/4B/4C, BIRADS.RULE.SUBCATEGORY_MODALITY (no 4A–4C at MRI),
BIRADS.RULE.SCREENING_CATEGORY_3, BIRADS.RULE.EXAM_ORDER, and category 6 (known biopsy-proven
malignancy before definitive therapy) against history forms (treated cancer, benign prior biopsy).
"""

from __future__ import annotations

import random

from phrasings import Phrase, phrase

SYSTEM = "BI-RADS"
CATS = ("0", "1", "2", "3", "4", "4A", "4B", "4C", "5", "6")
MODALITY_EN = {"mammo": ("Diagnostic mammography.", "Diagnostic bilateral mammogram."),
               "us": ("Targeted breast ultrasound.", "Diagnostic breast ultrasound."),
               "mri": ("Breast MRI with contrast.", "Diagnostic breast MRI.")}
MODALITY_ZH = {"mammo": ("诊断性乳腺X线摄影。",), "us": ("乳腺超声检查。",), "mri": ("乳腺增强MRI。",)}
STATED_EN = ("Assessment: BI-RADS {c}.", "BI-RADS category {c}.", "Impression: ACR BI-RADS {c}.", "Final assessment category {c} (BI-RADS).")
STATED_ZH = ("BI-RADS {c}类。", "BI-RADS分类：{c}类。", "评估：BI-RADS {c}类。")
WORDING_EN = {"0": "Incomplete: need additional imaging evaluation.", "1": "Negative.", "2": "Benign findings.",
              "3": "Probably benign finding; short-interval follow-up suggested.", "4": "Suspicious abnormality; biopsy should be considered.",
              "5": "Highly suggestive of malignancy; appropriate action should be taken."}
LIKELIHOOD = ((1.5, "3"), (2.0, "3"), (5.0, "4A"), (10.0, "4A"), (30.0, "4B"), (50.0, "4B"), (70.0, "4C"), (85.0, "4C"), (96.0, "5"))
SIX_EN = ("Known biopsy-proven invasive ductal carcinoma of the left breast at 2 o'clock; staging MRI before neoadjuvant chemotherapy. "
          "The known malignancy measures 2.4 cm. No additional suspicious findings.",
          "Ultrasound-guided core biopsy last week showed invasive carcinoma in the right breast; pre-operative evaluation before surgery. "
          "The biopsy-proven cancer with clip in place measures 1.8 cm.",
          "Pre-treatment extent-of-disease MRI for known biopsy-proven left breast cancer. Index lesion 3.1 cm with clip artefact.")
SIX_ZH = ("左乳穿刺活检病理证实浸润性导管癌，新辅助化疗前评估，病灶大小约2.4cm。", "右乳肿物空芯针穿刺活检证实为乳腺癌，术前评估，病灶约1.8cm。",
          "已经活检证实的左乳癌，治疗前MRI分期评估。")
NOT_SIX_EN = ("History of right breast cancer treated with lumpectomy and radiotherapy in 2019; stable post-surgical scar. Assessment: BI-RADS 2.",
              "Prior benign core biopsy (fibroadenoma) of the left breast mass, unchanged. BI-RADS category 2.",
              "Irregular spiculated mass; biopsy is recommended to exclude malignancy. BI-RADS 4C.",
              "Status post left mastectomy for breast cancer. Right breast: no suspicious findings. BI-RADS 1.")
NOT_SIX_ZH = ("右乳癌保乳术后及放疗后，术区瘢痕稳定。BI-RADS 2类。", "左乳肿物既往穿刺活检为纤维腺瘤，较前无变化。BI-RADS 2类。",
              "左乳不规则肿块，建议穿刺活检以排除恶性。BI-RADS 4C类。")


def _expected(cat: str, modality: str) -> str:
    return "4" if modality == "mri" and cat.startswith("4") else cat


def cases() -> list[Phrase]:
    """Every BI-RADS phrase, deterministic."""
    out: list[Phrase] = []
    for lang in ("en", "zh"):
        en = lang == "en"
        r = random.Random(f"birads-{lang}")
        mods = MODALITY_EN if en else MODALITY_ZH
        for cat in CATS:
            if cat == "6":
                continue
            for modality in ("mammo", "us", "mri"):
                for _ in range(4 if en else 2):
                    tmpl = r.choice(STATED_EN if en else STATED_ZH)
                    text = f"{r.choice(mods[modality])} {tmpl.format(c=cat)}"
                    rule = "BIRADS.RULE.SUBCATEGORY_MODALITY" if modality == "mri" and len(cat) == 2 else f"BIRADS.CAT.{cat}"
                    out.append(phrase(SYSTEM, lang, rule, "plain", text, category=_expected(cat, modality)))
        # Category 3 at screening mammography is not used: the exam becomes 0.
        for _ in range(10 if en else 3):
            text = (r.choice(("Screening mammogram. ", "Bilateral screening mammography. ", "Screening digital mammogram with tomosynthesis. "))
                    if en else r.choice(("乳腺X线筛查。", "乳腺钼靶筛查。"))) + r.choice(STATED_EN if en else STATED_ZH).format(c="3")
            out.append(phrase(SYSTEM, lang, "BIRADS.RULE.SCREENING_CATEGORY_3", "plain", text, category="0"))
        if en:
            for cat, words in WORDING_EN.items():
                for modality in ("mammo", "us"):
                    out.append(phrase(SYSTEM, lang, f"BIRADS.CAT.{cat}", "plain", f"{r.choice(mods[modality])} {words}", category=cat))
        for pct, cat in LIKELIHOOD:
            modality = r.choice(("mammo", "us"))
            text = (f"{r.choice(mods[modality])} Solid mass with a likelihood of malignancy of about {pct:g}%." if en
                    else f"{r.choice(mods[modality])}实性肿块，恶性可能性约{pct:g}%。")
            out.append(phrase(SYSTEM, lang, f"BIRADS.CAT.{cat}", "plain", text, category=cat))
        for text in (SIX_EN if en else SIX_ZH):
            out.append(phrase(SYSTEM, lang, "BIRADS.CAT.6", "plain", text, category="6"))
            out.append(phrase(SYSTEM, lang, "BIRADS.CAT.6", "plain", text + (" BI-RADS 6." if en else "BI-RADS 6类。"), category="6"))
        for text in (NOT_SIX_EN if en else NOT_SIX_ZH):
            stated = text.rsplit(" ", 1)[-1].strip(".") if en else text.split("BI-RADS ")[-1].rstrip("类。")
            out.append(phrase(SYSTEM, lang, "BIRADS.CAT.6", "historical", text, category=stated))
        # Exam level: the worse finding by the stated convention (1 < 2 < 3 < 6 < 0 < 4 < 5).
        order = ("1", "2", "3", "0", "4A", "4B", "4C", "5")  # 1 < 2 < 3 < 0 < 4 < 5 (6 aside)
        pairs = [(a, b) for i, a in enumerate(order) for b in order[i + 1:] if not (a.startswith("4") and b.startswith("4"))]
        for a, b in r.sample(pairs, 10 if en else 4):
            first, second = (a, b) if r.random() < 0.5 else (b, a)
            text = (f"Diagnostic mammography. Right breast: BI-RADS {first}. Left breast: BI-RADS {second}." if en
                    else f"诊断性乳腺X线摄影。右乳BI-RADS {first}类；左乳BI-RADS {second}类。")
            out.append(phrase(SYSTEM, lang, "BIRADS.RULE.EXAM_ORDER", "coordinated", text, category=b))
    return out
