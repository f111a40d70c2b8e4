"""A second, differently-worded RADS phrasing set, kept apart from the generated suites.

Written after the generated suites, in the styles of real reports (abbreviations, numbered nodules,
inline scores, Chinese report idiom), and run once against the readers *before* any fix so that its
first score measures how far the readers generalise. Expected values are worked out by hand from
the guideline tables (DOMAIN §6–§10); each line gives the arithmetic where there is any.
"""

from __future__ import annotations

from phrasings import Phrase, phrase

L, T, B, LI, P = "Lung-RADS-v2022", "ACR-TI-RADS", "BI-RADS", "LI-RADS-v2018", "PI-RADS-v2.1"


def cases() -> list[Phrase]:
    """Every variant phrase."""
    p = phrase
    return [
        # Lung-RADS — English
        p(L, "en", "LR22.SOLID", "plain", "LDCT screening (T0). Findings: RUL 6.2 x 5.4 mm solid nodule (image 45).", category="2"),  # mean 5.8
        p(L, "en", "LR22.RULE.EXAM_CATEGORY", "coordinated",
          "Baseline screening LDCT. Nodule #1: LLL, solid, 11 x 9 mm. Nodule #2: RML, ground glass, 8 mm.", category="4A"),
        p(L, "en", "LR22.PARTSOLID", "plain", "Baseline LDCT: subsolid nodule in the LUL, total 14 mm, with a 5 mm solid component.", category="3"),
        p(L, "en", "LR22.GGN", "plain", "Baseline screening CT. GGO measuring 32 x 28 mm in the RUL.", category="3"),  # mean 30
        p(L, "en", "LR22.SOLID", "plain", "Annual LDCT compared to prior screening: new 5 mm solid nodule in the RLL.", category="3"),
        p(L, "en", "LR22.SOLID", "plain", "Annual screening LDCT: LUL solid nodule, previously 6 mm, now 8.5 mm.", category="4B"),
        p(L, "en", "LR22.JUXTAPLEURAL.2", "plain",
          "Baseline LDCT. Perifissural nodule along the right major fissure: triangular, smooth, solid, 6 x 4 mm.", category="2"),
        p(L, "en", "LR22.JUXTAPLEURAL.2", "plain", "First screening LDCT. Smooth oval juxtapleural solid nodule, 8 mm, LLL.", category="2"),
        p(L, "en", "LR22.CAT.4X", "plain", "Baseline LDCT: spiculated 9 mm solid nodule, LUL.", category="4X"),
        p(L, "en", "LR22.CAT.4X", "negated", "Baseline LDCT. No spiculation. 7 mm solid nodule in the RUL.", category="3"),
        p(L, "en", "LR22.PARTSOLID", "plain", "Lung cancer screening, baseline: 10 mm part-solid nodule (solid portion 3 mm), RLL.", category="3"),
        p(L, "en", "LR22.SOLID", "distractor", "Hilar lymph nodes normal, largest 9 mm. Baseline LDCT: solid 7 mm nodule RLL.", category="3"),
        p(L, "en", "LR22.CALCIFIED.1", "plain", "Baseline screening. Calcified granuloma 6 mm RUL. No other nodules.", category="1"),
        p(L, "en", "LR22.SOLID", "historical",
          "Annual screening LDCT. The 8 mm RML nodule seen on the prior exam has resolved. New 3 mm solid nodule in the LLL.", category="2"),
        # Lung-RADS — Chinese
        p(L, "zh", "LR22.SOLID", "plain", "基线筛查：右肺上叶实性结节，约6.5mm×5.5mm。", category="3"),  # mean 6.0
        p(L, "zh", "LR22.GGN", "plain", "首次LDCT筛查：左肺下叶磨玻璃结节，直径约32mm。", category="3"),
        p(L, "zh", "LR22.PARTSOLID", "plain", "基线LDCT：右肺上叶部分实性结节，大小约12mm，实性成分约5mm。", category="3"),
        p(L, "zh", "LR22.SOLID", "plain", "年度筛查，与前片比较：右肺下叶新发实性结节，约5mm。", category="3"),
        p(L, "zh", "LR22.SOLID", "plain", "年度LDCT筛查：右肺上叶实性结节较前增大，现约8.5mm，原约6mm。", category="4B"),
        p(L, "zh", "LR22.JUXTAPLEURAL.2", "plain", "基线LDCT筛查：右肺中叶胸膜下实性结节，呈三角形，边缘光滑，约7mm。", category="2"),
        p(L, "zh", "LR22.CAT.4X", "plain", "基线LDCT筛查：左肺上叶实性结节，约9mm，可见毛刺。", category="4X"),
        # TI-RADS — English
        p(T, "en", "TIRADS.LEVEL", "plain",
          "Nodule 1 (right mid pole): 2.1 x 1.4 x 1.2 cm, solid, isoechoic, wider than tall, smooth margin, no echogenic foci.",
          points=3, level="TR3", recommendation="follow-up"),  # 2+1+0+0+0
        p(T, "en", "TIRADS.LEVEL", "plain",
          "Left lower pole: 1.2 cm mixed cystic and solid nodule, hypoechoic, taller than wide, irregular margins, punctate echogenic foci.",
          points=11, level="TR5", recommendation="FNA"),  # 1+2+3+2+3
        p(T, "en", "TIRADS.RULE.SPONGIFORM", "plain", "Right lobe: spongiform nodule, 1.9 cm.", points=0, level="TR1", recommendation="none"),
        p(T, "en", "TIRADS.LEVEL", "plain", "Solid hypoechoic nodule with ill-defined margins, wider-than-tall, with macrocalcifications; 1.6 cm.",
          points=5, level="TR4", recommendation="FNA"),  # 2+2+0+0+1
        p(T, "en", "TIRADS.LEVEL", "plain", "Isoechoic solid nodule 0.9 cm, wider than tall, smooth, with comet-tail artifacts.",
          points=3, level="TR3", recommendation="none"),
        p(T, "en", "TIRADS.LEVEL", "plain",
          "Hyperechoic mixed cystic-solid nodule, 3.1 cm, smooth margins, wider-than-tall, eggshell calcification.",
          points=4, level="TR4", recommendation="FNA"),  # 1+1+0+0+2
        p(T, "en", "TIRADS.LEVEL", "plain", "Markedly hypoechoic solid nodule, 7 mm, taller-than-wide, lobulated, microcalcifications.",
          points=13, level="TR5", recommendation="follow-up"),  # 2+3+3+2+3; 0.7 cm
        p(T, "en", "TIRADS.LEVEL", "negated", "Solid nodule, hypoechoic, wider than tall, smooth, 1.4 cm. Echogenic foci: none.",
          points=4, level="TR4", recommendation="follow-up"),
        p(T, "en", "TIRADS.RULE.SIZE", "distractor",
          "Thyroid: right lobe 5.0 x 1.8 x 1.6 cm. A 6 mm solid hypoechoic nodule, taller-than-wide, irregular margins, punctate echogenic foci.",
          points=12, level="TR5", recommendation="follow-up"),
        p(T, "en", "TIRADS.POINTS.ECHOGENIC_FOCI", "hedged",
          "Solid hypoechoic nodule, 1.5 cm, wider than tall, smooth margins; tiny echogenic foci, possibly punctate.",
          points=(None,), level=(None,), recommendation=("FNA", None)),  # 4 or 7 points: TR4 or TR5, both FNA at 1.5 cm
        # TI-RADS — Chinese
        p(T, "zh", "TIRADS.LEVEL", "plain", "甲状腺右叶中部见一低回声结节，大小约1.2×0.8cm，实性，边界清，纵横比<1，内见点状强回声。",
          points=7, level="TR5", recommendation="FNA"),  # 2+2+0+0+3
        p(T, "zh", "TIRADS.LEVEL", "negated", "甲状腺左叶囊实混合性结节，2.6cm，等回声，边缘光整，纵横比<1，未见钙化。",
          points=2, level="TR2", recommendation="none"),
        p(T, "zh", "TIRADS.RULE.SPONGIFORM", "plain", "甲状腺峡部海绵状结节，约1.0cm。", points=0, level="TR1", recommendation="none"),
        p(T, "zh", "TIRADS.LEVEL", "plain", "甲状腺右叶极低回声实性结节，约0.8cm，纵横比>1，边缘不规则，伴微钙化。",
          points=13, level="TR5", recommendation="follow-up"),
        p(T, "zh", "TIRADS.LEVEL", "plain", "甲状腺左叶低回声结节，1.6cm，实性，边缘模糊，纵横比<1，见粗大钙化。",
          points=5, level="TR4", recommendation="FNA"),
        # LI-RADS — English
        p(LI, "en", "LIRADS.CAT.LR-5", "plain",
          "Background cirrhosis. Segment 8: 2.3 cm observation with arterial phase hyperenhancement, washout and capsule.", category="LR-5"),
        p(LI, "en", "LIRADS.CAT.LR-4", "negated",
          "Cirrhotic liver. 14 mm observation in segment 6 with nonrim APHE and an enhancing capsule, no washout.", category="LR-4"),
        p(LI, "en", "LIRADS.CAT.LR-5", "plain", "Cirrhosis. 12 mm observation with APHE and washout.", category="LR-5"),
        p(LI, "en", "LIRADS.CAT.LR-3", "negated", "Cirrhosis. 8 mm APHE focus without washout or capsule.", category="LR-3"),
        p(LI, "en", "LIRADS.CAT.LR-4", "plain",
          "HBV cirrhosis. 25 mm observation: no arterial phase hyperenhancement; washout present; capsule present.", category="LR-4"),
        p(LI, "en", "LIRADS.CAT.LR-M", "plain", "Cirrhosis. 18 mm observation with rim APHE and peripheral washout.", category="LR-M"),
        p(LI, "en", "LIRADS.CAT.LR-TIV", "plain",
          "Cirrhosis. 3 cm mass with nonrim APHE and washout, with enhancing soft tissue in the right portal vein.", category="LR-TIV"),
        p(LI, "en", "LIRADS.RULE.UNCERTAIN_FEATURE", "hedged",
          "Cirrhosis. 16 mm observation with nonrim APHE; washout questionable; no capsule.", category="LR-3"),
        p(LI, "en", "LIRADS.FEATURE.THRESHOLD_GROWTH", "plain",
          "Cirrhosis. 11 mm observation with nonrim APHE, no washout or capsule; it grew from 7 mm to 11 mm in 4 months.",
          category=("LR-5", None)),  # +57 % in 4 months = threshold growth
        # LI-RADS — Chinese
        p(LI, "zh", "LIRADS.CAT.LR-5", "plain", "肝硬化。肝S8见一大小约2.3cm结节，动脉期明显强化，门脉期及延迟期廓清，可见包膜。", category="LR-5"),
        p(LI, "zh", "LIRADS.CAT.LR-5", "negated", "肝硬化，S6段结节约1.5cm，动脉期高强化，门脉期廓清，无包膜。", category="LR-5"),
        p(LI, "zh", "LIRADS.CAT.LR-3", "negated", "肝硬化，S4段结节约0.9cm，动脉期强化，未见廓清及包膜。", category="LR-3"),
        p(LI, "zh", "LIRADS.CAT.LR-4", "plain", "肝硬化，肝S7见约2.5cm结节，动脉期无明显强化，延迟期廓清，可见包膜。", category="LR-4"),
        # PI-RADS — English
        p(P, "en", "PIRADS.PZ", "plain", "Left PZ posterolateral mid-gland lesion, 1.3 cm. T2: 4. DWI: 4. DCE: +.", category="4"),
        p(P, "en", "PIRADS.PZ", "plain", "Right apical PZ lesion: DWI score 3, DCE negative.", category="3"),
        p(P, "en", "PIRADS.RULE.DCE_PZ", "plain", "Peripheral zone lesion with DWI 3 and positive DCE.", category="4"),
        p(P, "en", "PIRADS.TZ", "plain", "Anterior TZ lesion: T2W score 3, DWI score 5, DCE positive.", category="4"),
        p(P, "en", "PIRADS.TZ", "plain", "TZ lesion: T2 2, DWI 4.", category="3"),
        p(P, "en", "PIRADS.TZ", "plain", "Anterior TZ: T2 score 4, DWI 2, DCE negative.", category="4"),
        p(P, "en", "PIRADS.DWI.5", "plain",
          "Right PZ: focal lesion, markedly hypointense on ADC and markedly hyperintense on b1400 images, 2.0 cm.", category=("5", None)),
        p(P, "en", "PIRADS.PZ", "plain", "PZ lesion, DWI 2 (linear), DCE positive.", category="2"),
        p(P, "en", "PIRADS.RULE.DCE_PZ", "plain", "Biparametric MRI. PZ lesion, DWI 3.", category="3"),
        # PI-RADS — Chinese
        p(P, "zh", "PIRADS.RULE.DCE_PZ", "plain", "右侧外周带病灶，T2WI 4分，DWI 3分，DCE（+）。", category="4"),
        p(P, "zh", "PIRADS.TZ", "plain", "移行带病灶，T2WI 3分，DWI 5分，DCE（-）。", category="4"),
        p(P, "zh", "PIRADS.PZ", "plain", "左侧外周带病灶，DWI 4分，DCE阴性。", category="4"),
        p(P, "zh", "PIRADS.TZ", "plain", "移行带结节，T2WI 2分，DWI 3分。", category="2"),
        # BI-RADS — English
        p(B, "en", "BIRADS.CAT.4B", "plain", "Mammogram (diagnostic). Impression: BI-RADS 4B - suspicious.", category="4B"),
        p(B, "en", "BIRADS.CAT.5", "plain",
          "Breast US: irregular hypoechoic mass. ACR BI-RADS Category 5: highly suggestive of malignancy.", category="5"),
        p(B, "en", "BIRADS.CAT.1", "plain", "Screening mammogram: BI-RADS 1, negative.", category="1"),
        p(B, "en", "BIRADS.CAT.4", "plain", "Breast MRI: non-mass enhancement; BI-RADS 4.", category="4"),
        p(B, "en", "BIRADS.CAT.0", "plain", "Diagnostic mammography: BI-RADS 0 - additional imaging evaluation needed.", category="0"),
        p(B, "en", "BIRADS.CAT.6", "plain",
          "Staging MRI for known left breast cancer (biopsy-proven IDC), prior to neoadjuvant therapy.", category="6"),
        p(B, "en", "BIRADS.CAT.6", "historical", "Post-lumpectomy changes for treated breast cancer; BI-RADS 2.", category="2"),
        p(B, "en", "BIRADS.CAT.3", "plain", "Diagnostic ultrasound: probably benign complicated cyst. BI-RADS 3.", category="3"),
        p(B, "en", "BIRADS.CAT.2", "distractor", "Biopsy-proven fibroadenoma, stable. BI-RADS 2.", category="2"),
        # BI-RADS — Chinese
        p(B, "zh", "BIRADS.CAT.4A", "plain", "乳腺超声：右乳低回声结节，BI-RADS 4a类。", category="4A"),
        p(B, "zh", "BIRADS.CAT.3", "plain", "乳腺超声：左乳囊实性结节，BI-RADS：3类。", category="3"),
        p(B, "zh", "BIRADS.CAT.5", "plain", "钼靶：左乳肿块伴细小多形性钙化，BI-RADS 5类。", category="5"),
        p(B, "zh", "BIRADS.CAT.6", "plain", "左乳癌经穿刺活检证实，化疗前MRI评估，BI-RADS 6类。", category="6"),
        p(B, "zh", "BIRADS.RULE.SUBCATEGORY_MODALITY", "plain", "乳腺MRI：BI-RADS 4B类。", category="4"),
        p(B, "zh", "BIRADS.RULE.EXAM_ORDER", "coordinated", "乳腺超声：右乳BI-RADS 2类，左乳BI-RADS 3类。", category="3"),
        *vignettes(),
        *third_batch(),
        *fourth_batch(),
        *fifth_batch(),
        *seventh_batch(),
        *eighth_batch(),
        *ninth_batch(),
    ]


def vignettes() -> list[Phrase]:
    """Second batch, written as teaching vignettes and questions (as an outside case set might be)."""
    p = phrase
    return [
        p(L, "en", "LR22.SOLID", "plain", "A 64-year-old former smoker has his first low-dose CT screening. It shows an 8 x 6 mm solid nodule "
          "in the left upper lobe. What Lung-RADS v2022 category applies?", category="3"),  # mean 7.0
        p(L, "en", "LR22.RULE.EXAM_CATEGORY", "coordinated",
          "Screening LDCT (baseline) shows a 5 mm solid nodule and a 21 mm pure ground-glass nodule.", category="2"),
        p(L, "en", "LR22.CAT.4X", "distractor",
          "Baseline LDCT: 4 mm solid nodule RUL. Mediastinal lymphadenopathy present (1.5 cm subcarinal node).", category="2"),
        p(L, "en", "LR22.PARTSOLID", "plain", "Baseline screening LDCT of a 66-year-old woman: 18 x 14 mm part-solid nodule in the "
          "right lower lobe whose solid component measures 9 x 7 mm.", category="4B"),  # solid mean 8.0
        p(L, "en", "LR22.JUXTAPLEURAL.2", "plain", "Baseline screening CT: 7 mm smooth, lentiform perifissural solid nodule along "
          "the left oblique fissure.", category="2"),
        p(L, "zh", "LR22.SOLID", "plain", "男，63岁，吸烟40包年，首次低剂量CT肺癌筛查：左肺上叶实性结节，大小约8mm×6mm。", category="3"),
        p(L, "zh", "LR22.PARTSOLID", "plain", "基线筛查：右肺下叶部分实性结节，大小约18mm×14mm，实性成分约9mm×7mm。", category="4B"),
        p(L, "zh", "LR22.GGN", "plain", "首次筛查：右肺上叶纯磨玻璃结节，约21mm；另见左肺下叶实性微小结节，约3mm。", category="2"),
        p(T, "en", "TIRADS.LEVEL", "plain", "A 45-year-old woman has a 1.8 cm thyroid nodule in the right lobe. It is solid, hypoechoic, "
          "wider-than-tall, with smooth margins and no echogenic foci. What is the ACR TI-RADS level?",
          points=4, level="TR4", recommendation="FNA"),
        p(T, "en", "TIRADS.POINTS.COMPOSITION", "plain", "Left lobe: 2.7 cm predominantly cystic nodule with a small solid component; "
          "the solid portion is isoechoic; smooth margin; wider than tall; comet-tail artifacts.",
          points=2, level="TR2", recommendation="none"),  # mixed 1 + iso 1
        p(T, "en", "TIRADS.LEVEL", "negated", "Right lobe nodule, 1.2 cm: solid, isoechoic, taller-than-wide, ill-defined margin, "
          "no calcification.", points=6, level="TR4", recommendation="follow-up"),
        p(T, "en", "TIRADS.RULE.SPONGIFORM", "plain", "Thyroid nodule 0.8 cm with a spongiform appearance.",
          points=0, level="TR1", recommendation="none"),
        p(T, "en", "TIRADS.POINTS.MARGIN", "plain", "Solid markedly hypoechoic nodule with extrathyroidal extension into the strap "
          "muscles, 2.2 cm, taller than wide, with punctate echogenic foci.", points=14, level="TR5", recommendation="FNA"),
        p(T, "zh", "TIRADS.LEVEL", "plain", "甲状腺超声：左叶中部实性低回声结节，大小约1.1cm×0.9cm×0.8cm，边缘不规则，纵横比大于1，"
          "内可见多发点状强回声。", points=12, level="TR5", recommendation="FNA"),
        p(T, "zh", "TIRADS.LEVEL", "negated", "右叶实性等回声结节，约1.2cm，纵横比<1，边缘光整，无钙化。",
          points=3, level="TR3", recommendation="none"),
        p(B, "en", "BIRADS.CAT.4C", "plain", "A 52-year-old woman has a diagnostic mammogram showing an 8 mm irregular spiculated mass. "
          "The radiologist estimates the likelihood of malignancy at 60%.", category="4C"),
        p(B, "en", "BIRADS.CAT.6", "plain", "Biopsy of the right breast mass showed invasive lobular carcinoma; MRI is performed for "
          "extent of disease before surgery.", category=("6", None)),
        p(B, "en", "BIRADS.CAT.2", "plain", "Diagnostic ultrasound: simple cyst in the left breast. BI-RADS 2.", category="2"),
        p(B, "zh", "BIRADS.CAT.5", "plain", "超声：左乳10点钟方向低回声肿块，形态不规则，边缘毛刺，BI-RADS 5类。", category="5"),
        p(B, "zh", "BIRADS.CAT.4B", "plain", "乳腺X线：右乳外上象限簇状细小钙化，建议活检，BI-RADS 4B类。", category="4B"),
        p(LI, "en", "LIRADS.CAT.LR-5", "negated", "A 58-year-old man with hepatitis C cirrhosis has a 25 mm observation in segment 8 on "
          "MRI showing nonrim arterial phase hyperenhancement and washout on the portal venous phase, without a capsule.", category="LR-5"),
        p(LI, "en", "LIRADS.CAT.LR-3", "negated", "In a patient with cirrhosis, a 9 mm arterially hyperenhancing nodule without "
          "washout or capsule is seen.", category="LR-3"),
        p(LI, "en", "LIRADS.CAT.LR-4", "plain", "Cirrhosis. 12 mm observation, nonrim APHE, enhancing capsule only.", category="LR-4"),
        p(LI, "en", "LIRADS.CAT.LR-3", "negated", "Cirrhosis. 35 mm observation with no APHE and no other major features.",
          category="LR-3"),
        p(LI, "zh", "LIRADS.CAT.LR-5", "plain", "肝硬化患者，CT示肝右叶S5段约1.8cm结节，动脉期明显强化，门静脉期及延迟期廓清，可见包膜强化。",
          category="LR-5"),
        p(P, "en", "PIRADS.PZ", "plain", "Multiparametric prostate MRI: 1.2 cm lesion in the left peripheral zone; DWI score 4; "
          "DCE positive. What is the PI-RADS v2.1 category?", category="4"),
        p(P, "en", "PIRADS.TZ", "plain", "A transition zone lesion has a T2W score of 2 and a DWI score of 4.", category="3"),
        p(P, "en", "PIRADS.RULE.DCE_PZ", "plain", "Peripheral zone lesion, DWI 3, DCE not performed (biparametric MRI).", category="3"),
        p(P, "zh", "PIRADS.DWI.5", "plain", "前列腺MRI：右侧外周带局灶性病灶约1.6cm，DWI呈明显高信号，ADC呈明显低信号，DCE阳性。",
          category="5"),
        p(P, "zh", "PIRADS.TZ", "plain", "移行带病灶，T2WI评分4分，DWI评分5分。", category="4"),
        # The impression restates findings with rounded sizes: it must not add a second, different finding.
        p(L, "en", "LR22.RULE.MEAN_DIAMETER", "distractor", "Baseline LDCT. Findings: 5.8 mm solid nodule RUL. IMPRESSION: 6 mm solid nodule RUL.",
          category="2"),
        p(L, "en", "LR22.PARTSOLID", "distractor", "Indication: lung cancer screening, baseline. Findings: 12 x 10 mm part-solid nodule in the "
          "right upper lobe with a 5 x 3 mm solid component. Impression: part-solid nodule as above.", category="3"),
        p(L, "zh", "LR22.SOLID", "distractor", "基线LDCT筛查。所见：右肺上叶实性结节，大小约7.9mm。诊断意见：右肺上叶实性结节，约8mm。",
          category="3"),
        p(T, "zh", "TIRADS.RULE.SIZE", "distractor", "超声所见：甲状腺右叶见一实性低回声结节，大小约0.9cm，纵横比<1，边缘光整，未见钙化。"
          "超声提示：甲状腺右叶实性结节，约1cm。", points=4, level="TR4", recommendation="none"),
    ]


def third_batch() -> list[Phrase]:
    """Third batch: unusual synonyms (microlobulated, shadowing calcification, pseudocapsule, 囊性为主, 动脉期明显不均匀强化).

    First run, before the fixes it prompted: 25 / 30 right, 3 wrong, 2 missing.
    """
    p = phrase
    return [
        p(T, "en", "TIRADS.LEVEL", "plain",
          "Right thyroid nodule measuring 1.3 cm, solid, hypoechoic relative to the thyroid parenchyma, taller "
          "than wide, microlobulated margins, no echogenic foci.",
          points=9, level="TR5", recommendation="FNA"),  # 2+2+3+2+0
        p(T, "en", "TIRADS.LEVEL", "plain",
          "Left lobe nodule 2.2 cm: almost completely solid, isoechoic, wider than tall, well-circumscribed, "
          "with coarse shadowing calcification.",
          points=4, level="TR4", recommendation="FNA"),
        p(T, "en", "TIRADS.LEVEL", "plain",
          "Isthmic nodule 1.6 cm, mixed cystic and solid, hyperechoic solid component, smooth margin, "
          "wider-than-tall, interrupted rim calcification.",
          points=4, level="TR4", recommendation="FNA"),
        p(T, "en", "TIRADS.LEVEL", "plain",
          "Nodule A: 0.8 cm solid very hypoechoic nodule, taller-than-wide, irregular margins, multiple "
          "punctate echogenic foci.",
          points=13, level="TR5", recommendation="follow-up"),
        p(T, "en", "TIRADS.LEVEL", "negated",
          "Right lobe: 3.0 cm solid isoechoic nodule, wider than tall, smooth margins, without calcifications "
          "or comet-tail artifacts.",
          points=3, level="TR3", recommendation="FNA"),
        p(T, "en", "TIRADS.LEVEL", "plain",
          "A 1.0 cm hypoechoic solid nodule with ill-defined margins; wider than tall; echogenic foci: none.",
          points=4, level="TR4", recommendation="follow-up"),
        p(L, "en", "LR22.SOLID", "plain",
          "Baseline screening: noncalcified 6.5 mm pulmonary nodule, solid, RLL.",
          category="3"),
        p(L, "en", "LR22.SOLID", "plain",
          "Baseline LDCT: mixed solid and ground-glass nodule, 20 mm, solid component 4 mm, LUL.",
          category="3"),
        p(L, "en", "LR22.SOLID", "plain",
          "Annual LDCT: the RUL solid nodule is enlarging, now 9 mm from 6 mm a year ago.",
          category="4B"),
        p(L, "en", "LR22.SOLID", "plain",
          "Baseline low-dose CT: 35 mm ground-glass opacity in the right upper lobe.",
          category="3"),
        p(L, "en", "LR22.SOLID", "plain",
          "Baseline screening CT: GGN 12 mm LLL; solid nodule 5 mm RML.",
          category="2"),
        p(L, "en", "LR22.SOLID", "coordinated",
          "Screening LDCT, baseline. Two solid nodules: 5 mm (RUL) and 8 mm (LLL).",
          category="4A"),
        p(LI, "en", "LIRADS.TABLE", "plain",
          "Cirrhosis. Segment 4 observation, 2.4 cm, with hyperenhancement in the late arterial phase, "
          "wash-out on delayed images and capsule appearance.",
          category="LR-5"),
        p(LI, "en", "LIRADS.TABLE", "plain",
          "Cirrhosis. 17 mm observation: nonrim APHE; pseudocapsule; no washout.",
          category="LR-4"),
        p(LI, "en", "LIRADS.TABLE", "plain",
          "Cirrhosis. Tumor thrombus with enhancement in the left portal vein adjacent to a 4 cm mass.",
          category="LR-TIV"),
        p(LI, "en", "LIRADS.TABLE", "plain",
          "Cirrhosis. 13 mm observation, arterial phase hypoenhancing, with washout and capsule.",
          category="LR-4"),
        p(P, "en", "PIRADS.OVERALL", "plain",
          "Left PZ lesion, 0.9 cm: focal, markedly reduced ADC and marked hyperintensity on high b-value DWI; "
          "early focal enhancement.",
          category=("4", None)),
        p(P, "en", "PIRADS.OVERALL", "plain",
          "Right mid PZ: DWI 3; focal early enhancement corresponding to the lesion.",
          category="4"),
        p(P, "en", "PIRADS.OVERALL", "plain",
          "TZ: T2 3, DWI 4, DCE positive.",
          category="3"),
        p(P, "en", "PIRADS.OVERALL", "plain",
          "Left apex PZ lesion with DWI score 5 and definite extraprostatic extension.",
          category="5"),
        p(B, "en", "BIRADS.CAT", "plain",
          "Diagnostic ultrasound: irregular mass. Assessment: Category 4 suspicious (4B).",
          category="4B"),
        p(B, "en", "BIRADS.CAT", "plain",
          "Diagnostic mammogram: BI-RADS 3: probably benign. Six-month follow-up recommended.",
          category="3"),
        p(B, "en", "BIRADS.CAT", "plain",
          "MRI breast: known biopsy-proven right breast carcinoma before neoadjuvant chemotherapy; no "
          "additional lesions. BI-RADS 6.",
          category="6"),
        p(L, "zh", "LR22.SOLID", "plain",
          "首次低剂量CT筛查：右肺上叶见一混合磨玻璃结节，直径约15mm，其内实性成分约6mm。",
          category="4A"),
        p(L, "zh", "LR22.SOLID", "plain",
          "年度筛查：左肺下叶实性结节，较去年增大，现约10mm，去年约7mm。",
          category="4B"),
        p(T, "zh", "TIRADS.LEVEL", "plain",
          "甲状腺右叶下极见一极低回声结节，实性，大小约1.8×1.2cm，纵横比>1，边缘呈分叶状，内见多发微钙化。",
          points=13, level="TR5", recommendation="FNA"),
        p(T, "zh", "TIRADS.LEVEL", "plain",
          "甲状腺左叶囊性为主结节，约2.0cm，内见少许实性成分，实性部分呈等回声，边界清晰，纵横比<1，可见彗星尾征。",
          points=2, level="TR2", recommendation="none"),
        p(LI, "zh", "LIRADS.TABLE", "plain",
          "乙肝肝硬化。肝S8段见一约2.6cm结节，增强扫描动脉期明显不均匀强化，门脉期及延迟期廓清，可见包膜。",
          category="LR-5"),
        p(P, "zh", "PIRADS.OVERALL", "plain",
          "右侧外周带中部病灶约1.0cm，T2WI低信号，DWI评分4分，DCE阴性。",
          category="4"),
        p(B, "zh", "BIRADS.CAT", "plain",
          "乳腺超声：左乳2点钟方向低回声结节，形态不规则，边缘成角，BI-RADS 4C类。",
          category="4C"),
    ]


def fourth_batch() -> list[Phrase]:
    """Fourth batch: category 0/1 triggers, proven benign, several nodules, stated levels, LR-1/2/M, PI-RADS descriptions.

    First run, before the fixes it prompted: 30 / 32 right, 2 wrong ("tubular branching opacities, likely infectious";
    "a 7 mm nodule abuts the costal pleura: solid, lentiform, smooth").
    """
    p = phrase
    return [
        p(L, "en", "LR22.CAT", "plain",
          "Baseline LDCT. No pulmonary nodules.",
          category="1"),
        p(L, "en", "LR22.CAT", "plain",
          "Baseline screening LDCT. Lungs clear. No nodules identified.",
          category="1"),
        p(L, "en", "LR22.CAT", "plain",
          "Annual LDCT. Comparison CT from outside hospital requested; 7 mm solid nodule RUL.",
          category=("0", None)),
        p(L, "en", "LR22.CAT", "plain",
          "Baseline LDCT: multiple tubular branching opacities in the RLL, likely infectious; 6 mm solid "
          "nodule LUL.",
          category=("0", None)),
        p(L, "en", "LR22.CAT", "plain",
          "Baseline LDCT: 9 mm solid nodule in the RUL, proven benign at prior biopsy.",
          category=("2", None)),
        p(L, "en", "LR22.CAT", "plain",
          "Baseline LDCT: 6 mm solid nodule RUL and 12 mm pure ground-glass nodule LLL. Severe coronary "
          "calcification.",
          category="3"),
        p(L, "en", "LR22.CAT", "plain",
          "Baseline LDCT: 4 mm and 5 mm solid nodules in the RUL.",
          category=("2", None)),
        p(L, "en", "LR22.CAT", "plain",
          "Baseline LDCT: 8 mm smooth solid nodule in the RUL. Not juxtapleural.",
          category="4A"),
        p(L, "en", "LR22.CAT", "plain",
          "Baseline LDCT. A 7 mm nodule abuts the costal pleura: solid, lentiform, smooth.",
          category="2"),
        p(L, "en", "LR22.CAT", "plain",
          "Baseline LDCT: 10 x 8 mm part-solid nodule; solid portion 6 x 4 mm.",
          category="3"),  # total 9, solid 5
        p(T, "en", "TIRADS.LEVEL", "plain",
          "Two nodules. Right: 2.0 cm solid hypoechoic nodule, wider-than-tall, smooth margins, no echogenic "
          "foci. Left: 1.2 cm solid very hypoechoic nodule, taller-than-wide, irregular margins, punctate "
          "echogenic foci.",
          level="TR5"),
        p(T, "en", "TIRADS.LEVEL", "plain",
          "1.2 cm solid isoechoic nodule, wider than tall, smooth, no echogenic foci. ACR TI-RADS TR3.",
          points=3, level="TR3", recommendation="none"),
        p(T, "en", "TIRADS.LEVEL", "plain",
          "2.6 cm solid isoechoic nodule, wider than tall, smooth margins, no echogenic foci.",
          points=3, level="TR3", recommendation="FNA"),
        p(T, "en", "TIRADS.LEVEL", "plain",
          "Spongiform nodule 3.0 cm with a few bright echogenic foci (comet-tail).",
          points=0, level="TR1", recommendation="none"),
        p(B, "en", "BIRADS.CAT", "plain",
          "Diagnostic mammogram: likelihood of malignancy 10-50%.",
          category="4B"),
        p(B, "en", "BIRADS.CAT", "plain",
          "Diagnostic ultrasound. Likelihood of malignancy >95%.",
          category="5"),
        p(B, "en", "BIRADS.CAT", "plain",
          "Screening mammogram: BI-RADS 0, recall for additional views.",
          category="0"),
        p(B, "en", "BIRADS.CAT", "plain",
          "Screening breast MRI: probably benign focus. BI-RADS 3.",
          category="3"),
        p(LI, "en", "LIRADS.CAT", "plain",
          "Cirrhosis. 2 cm observation in segment 6: simple cyst.",
          category="LR-1"),
        p(LI, "en", "LIRADS.CAT", "plain",
          "Cirrhosis. 1.5 cm probably benign observation, likely hemangioma.",
          category=("LR-2", None)),
        p(LI, "en", "LIRADS.CAT", "plain",
          "Cirrhosis. 25 mm observation with rim APHE, peripheral washout and delayed central enhancement.",
          category="LR-M"),
        p(LI, "en", "LIRADS.CAT", "plain",
          "Cirrhosis. 12 mm observation with nonrim APHE and washout; capsule absent; restricted diffusion.",
          category="LR-5"),
        p(LI, "en", "LIRADS.CAT", "plain",
          "Cirrhosis. 12 mm observation: no APHE, no washout, no capsule; mild-moderate T2 hyperintensity.",
          category="LR-4"),
        p(P, "en", "PIRADS.OVERALL", "plain",
          "PZ lesion, DWI: focal mildly hypointense on ADC, isointense on high b-value. DCE negative.",
          category="3"),
        p(P, "en", "PIRADS.OVERALL", "plain",
          "TZ lesion: heterogeneous signal intensity with obscured margins; DWI 5; DCE negative.",
          category="4"),
        p(P, "en", "PIRADS.OVERALL", "plain",
          "TZ: lenticular homogeneous moderately hypointense lesion, 1.6 cm. DWI 3.",
          category="5"),
        p(P, "en", "PIRADS.OVERALL", "plain",
          "Central zone lesion: DWI 4, DCE negative.",
          category="4"),
        p(P, "zh", "PIRADS.OVERALL", "plain",
          "左侧外周带病灶，ADC呈线样低信号，DCE阳性。",
          category="2"),
        p(L, "zh", "LR22.CAT", "plain",
          "基线LDCT筛查：双肺未见结节。",
          category="1"),
        p(L, "zh", "LR22.CAT", "plain",
          "基线LDCT筛查：右肺上叶实性结节，约7mm，穿刺活检证实为良性。",
          category=("2", None)),
        p(T, "zh", "TIRADS.LEVEL", "plain",
          "甲状腺右叶海绵状结节，约3.0cm，内见点状强回声（彗星尾）。",
          points=0, level="TR1", recommendation="none"),
        p(B, "zh", "BIRADS.CAT", "plain",
          "乳腺X线：右乳肿块，恶性可能性约30%。",
          category="4B"),
    ]


def fifth_batch() -> list[Phrase]:
    """Fifth batch: Chinese report idiom for every system. First run, before the fix it prompted: 24 / 25 right, 1 missing."""
    p = phrase
    return [
        p(L, "zh", "LR22.CAT", "plain",
          "低剂量CT肺癌筛查（基线）：右肺上叶尖段见一实性结节，长径约8mm，短径约6mm。",
          category="3"),  # mean 7
        p(L, "zh", "LR22.CAT", "plain",
          "LDCT基线筛查：左肺上叶见磨玻璃密度结节，大小约2.5cm×2.1cm。",
          category="2"),  # mean 23
        p(L, "zh", "LR22.CAT", "plain",
          "首次筛查：右肺下叶背段见一部分实性结节，大小约14mm，实性成分约8mm。",
          category="4B"),
        p(L, "zh", "LR22.CAT", "plain",
          "基线筛查：右肺中叶见一实性结节，大小约9mm，边缘可见分叶及毛刺，纵隔淋巴结未见肿大。",
          category="4X"),
        p(L, "zh", "LR22.CAT", "negated",
          "基线筛查：左肺下叶实性结节，约6mm，边缘光滑，未见毛刺，纵隔淋巴结无肿大。",
          category="3"),
        p(L, "zh", "LR22.CAT", "plain",
          "复查（与12个月前筛查CT对比）：右肺上叶新见实性结节，直径约4mm。",
          category="3"),
        p(L, "zh", "LR22.CAT", "plain",
          "基线筛查：右肺上叶钙化结节，完全钙化，约5mm。",
          category="1"),
        p(T, "zh", "TIRADS.LEVEL", "plain",
          "甲状腺左叶上极见一低回声结节，大小约0.7×0.5cm，实性，边界不清，形态不规则，纵横比>1，内见点状强回声。",
          points=10, level="TR5", recommendation="follow-up"),  # 2+2+3+0+3
        p(T, "zh", "TIRADS.LEVEL", "plain",
          "甲状腺右叶见一混合回声结节，囊实性，约3.2cm，实性部分呈等回声，边缘光整，纵横比<1，内见粗大钙化。",
          points=3, level="TR3", recommendation="FNA"),  # 1+1+0+0+1
        p(T, "zh", "TIRADS.LEVEL", "plain",
          "甲状腺峡部无回声结节，约1.5cm，囊性，边界清晰，后方回声增强。",
          points=0, level="TR1", recommendation="none"),
        p(T, "zh", "TIRADS.LEVEL", "plain",
          "甲状腺右叶中部实性结节，约1.6cm，等回声，纵横比<1，边缘光滑，周边可见蛋壳样钙化。",
          points=5, level="TR4", recommendation="FNA"),
        p(T, "zh", "TIRADS.LEVEL", "plain",
          "甲状腺左叶实性低回声结节，约1.2cm，纵横比<1，边缘光整，未见明显强回声。",
          points=4, level="TR4", recommendation="follow-up"),
        p(LI, "zh", "LIRADS.CAT", "plain",
          "肝硬化，肝S7段见一大小约1.2cm结节，动脉期呈非环形明显强化，门脉期廓清，未见包膜。",
          category="LR-5"),
        p(LI, "zh", "LIRADS.CAT", "plain",
          "乙肝肝硬化，肝S2段约0.8cm结节，动脉期明显强化，门脉期未见廓清，无包膜。",
          category="LR-3"),
        p(LI, "zh", "LIRADS.CAT", "plain",
          "肝硬化，肝S6段约3.0cm结节，动脉期环形强化，延迟期中心渐进性强化。",
          category="LR-M"),
        p(LI, "zh", "LIRADS.CAT", "plain",
          "肝硬化，肝S8段约2.2cm结节，动脉期未见明显强化，门脉期廓清，可见包膜。",
          category="LR-4"),
        p(LI, "zh", "LIRADS.CAT", "plain",
          "肝硬化，门静脉右支内见强化的软组织影（癌栓），邻近肝S8段约4cm肿块。",
          category="LR-TIV"),
        p(P, "zh", "PIRADS.OVERALL", "plain",
          "前列腺MRI：左侧外周带后外侧见一病灶，约0.8cm，DWI评分3分，DCE阳性。",
          category="4"),
        p(P, "zh", "PIRADS.OVERALL", "plain",
          "右侧移行带前部病灶，约1.8cm，T2WI呈透镜状均匀中等低信号，DWI评分4分。",
          category="5"),
        p(P, "zh", "PIRADS.OVERALL", "plain",
          "移行带病灶：T2WI评分3分，DWI评分4分，DCE阳性。",
          category="3"),
        p(P, "zh", "PIRADS.OVERALL", "plain",
          "外周带病灶：DWI评分5分，DCE阴性。",
          category="5"),
        p(B, "zh", "BIRADS.CAT", "plain",
          "乳腺X线摄影（诊断性）：左乳外上象限不规则肿块，边缘毛刺，BI-RADS 5类。",
          category="5"),
        p(B, "zh", "BIRADS.CAT", "plain",
          "乳腺超声：右乳单纯囊肿，BI-RADS 2类。",
          category="2"),
        p(B, "zh", "BIRADS.CAT", "plain",
          "乳腺超声：左乳结节，BI-RADS 4A类；右乳未见明显异常，BI-RADS 1类。",
          category="4A"),
        p(B, "zh", "BIRADS.CAT", "plain",
          "乳腺MRI：右乳非肿块样强化，BI-RADS 4类。",
          category="4"),
    ]


def seventh_batch() -> list[Phrase]:
    """Denials in English report idiom ("washout and capsule are absent", "not calcified and is solid").

    First run, before the fixes it prompted: 13 / 17 right, 1 wrong ("Washout and capsule are absent" read as
    washout present), 3 missing. (The sixth batch is structured findings, in ``rads_findings``.)
    """
    p = phrase
    return [
        p(LI, "en", "LIRADS.CAT", "negated",
          "Cirrhosis. 16 mm observation with nonrim APHE. Neither washout nor an enhancing capsule is present.",
          category="LR-3"),
        p(LI, "en", "LIRADS.CAT", "negated",
          "Cirrhosis. 16 mm observation demonstrating nonrim APHE without associated washout; an enhancing "
          "capsule is noted.",
          category="LR-4"),
        p(LI, "en", "LIRADS.CAT", "negated",
          "Cirrhosis. 22 mm observation: no APHE. Washout and capsule are absent.",
          category="LR-3"),
        p(LI, "en", "LIRADS.CAT", "negated",
          "Cirrhosis. 22 mm observation with nonrim APHE; washout is not seen; capsule is not seen.",
          category="LR-4"),
        p(LI, "en", "LIRADS.CAT", "plain",
          "Cirrhosis. 22 mm observation. APHE present (nonrim). Washout present. Capsule absent.",
          category="LR-5"),
        p(L, "en", "LR22.CAT", "negated",
          "Baseline LDCT: 9 mm solid nodule in the RUL without spiculation or associated lymphadenopathy.",
          category="4A"),
        p(L, "en", "LR22.CAT", "negated",
          "Baseline LDCT: 9 mm solid nodule in the RUL. There is no evidence of spiculation.",
          category="4A"),
        p(L, "en", "LR22.CAT", "plain",
          "Baseline LDCT: 9 mm solid nodule in the RUL with spiculated margins and no calcification.",
          category="4X"),
        p(L, "en", "LR22.CAT", "negated",
          "Baseline LDCT. The 6 mm RUL nodule is not calcified and is solid.",
          category="3"),
        p(T, "en", "TIRADS.LEVEL", "negated",
          "Solid hypoechoic nodule, 1.6 cm, not taller than wide, margins smooth, no microcalcifications, no "
          "macrocalcifications, no rim calcification.",
          points=4, level="TR4", recommendation="FNA"),
        p(T, "en", "TIRADS.LEVEL", "negated",
          "Solid isoechoic nodule 2.6 cm without extrathyroidal extension, margins well defined, wider than "
          "tall, echogenic foci absent.",
          points=3, level="TR3", recommendation="FNA"),
        p(T, "en", "TIRADS.LEVEL", "plain",
          "Solid isoechoic nodule 2.6 cm with smooth margins, wider than tall; punctate echogenic foci are "
          "present.",
          points=6, level="TR4", recommendation="FNA"),
        p(P, "en", "PIRADS.OVERALL", "negated",
          "PZ lesion with DWI score 3; no early enhancement on DCE.",
          category="3"),
        p(P, "en", "PIRADS.OVERALL", "negated",
          "PZ lesion: DWI 3. DCE: no focal early enhancement.",
          category="3"),
        p(P, "en", "PIRADS.OVERALL", "plain",
          "PZ lesion: DWI 3; DCE shows focal early enhancement.",
          category="4"),
        p(B, "en", "BIRADS.CAT", "negated",
          "Diagnostic mammogram. No suspicious calcifications. No mass. BI-RADS 1.",
          category="1"),
        p(B, "en", "BIRADS.CAT", "negated",
          "Diagnostic mammogram: not BI-RADS 3; assessment BI-RADS 4A.",
          category=("4A", None)),
    ]


def eighth_batch() -> list[Phrase]:
    """Several findings in one report (lettered and Chinese-numbered lists), the worst / each scored.

    First run, before the fix it prompted: 8 / 10 right, 2 wrong ("Observation A (segment 6): ...
    Observation B ..." and "。病灶2：" were not split into separate findings).
    """
    p = phrase
    return [
        p(LI, "en", "LIRADS.CAT", "coordinated",
          "Cirrhosis. 1) Segment 8: 25 mm, nonrim APHE, washout, capsule. 2) Segment 2: 8 mm, nonrim APHE, no "
          "washout, no capsule.",
          category="LR-5"),
        p(LI, "en", "LIRADS.CAT", "coordinated",
          "Cirrhosis. Observation A (segment 6): 12 mm, no APHE, no washout. Observation B (segment 4): 9 mm "
          "with APHE and washout.",
          category="LR-4"),
        p(LI, "zh", "LIRADS.CAT", "coordinated",
          "肝硬化。①肝S8段结节约2.5cm，动脉期非环形高强化，门脉期廓清，可见包膜；②肝S2段结节约0.8"
          "cm，动脉期高强化，未见廓清及包膜。",
          category="LR-5"),
        p(T, "zh", "TIRADS.RULE.MULTIPLE_NODULES", "coordinated",
          "甲状腺右叶见一实性低回声结节，约1.6cm，纵横比<1，边缘光整，未见钙化；左叶见一海绵状结节，约2"
          ".0cm。",
          level="TR4"),
        p(T, "en", "TIRADS.RULE.MULTIPLE_NODULES", "coordinated",
          "Nodule 1: right lobe, 0.8 cm, spongiform. Nodule 2: left lobe, 1.1 cm, solid, very hypoechoic, "
          "taller than wide, irregular margin, punctate echogenic foci.",
          level="TR5", recommendation="FNA"),
        p(L, "zh", "LR22.RULE.EXAM_CATEGORY", "coordinated",
          "基线LDCT筛查：右肺上叶实性结节约5mm；左肺下叶部分实性结节约12mm，实性成分约3mm；右肺中"
          "叶磨玻璃结节约8mm。",
          category="3"),
        p(L, "en", "LR22.RULE.EXAM_CATEGORY", "coordinated",
          "Baseline LDCT. (1) RUL 3 mm solid. (2) LLL 6.5 mm solid. (3) RML 20 mm ground glass.",
          category="3"),
        p(P, "en", "PIRADS.OVERALL", "coordinated",
          "Lesion 1: left PZ, DWI 4, DCE positive. Lesion 2: right TZ, T2W 3, DWI 3, DCE positive.",
          category="4"),
        p(P, "zh", "PIRADS.OVERALL", "coordinated",
          "病灶1：左侧外周带，DWI评分3分，DCE阴性。病灶2：右侧移行带，T2WI评分4分，DWI评分3分"
          "。",
          category="4"),
        p(B, "en", "BIRADS.RULE.EXAM_ORDER", "coordinated",
          "Right breast: BI-RADS 4B. Left breast: BI-RADS 2. Overall assessment: BI-RADS 4B.",
          category="4B"),
    ]


def ninth_batch() -> list[Phrase]:
    """Size notation: "7-mm", "7 by 5 mm", "8×6mm", "0.8 x 0.6 cm", "BIRADS: 4b", "category IV".

    First run, before the fix it prompted: 14 / 16 right, 1 wrong ("7 by 5 mm" read as 5 mm), 1 missing ("7-mm").
    """
    p = phrase
    return [
        p(L, "en", "LR22.RULE.MEAN_DIAMETER", "plain",
          "Baseline LDCT: 7-mm solid nodule in the RUL.",
          category="3"),
        p(L, "en", "LR22.RULE.MEAN_DIAMETER", "plain",
          "Baseline LDCT: solid nodule in the RUL measuring 7 by 5 mm.",
          category="3"),
        p(L, "en", "LR22.RULE.MEAN_DIAMETER", "plain",
          "Baseline LDCT: solid RUL nodule, approximately 7.5mm.",
          category="3"),
        p(L, "en", "LR22.RULE.MEAN_DIAMETER", "plain",
          "Baseline LDCT: solid RUL nodule 8×6mm.",
          category="3"),
        p(L, "en", "LR22.RULE.MEAN_DIAMETER", "plain",
          "Baseline LDCT: solid RUL nodule, 0.8 x 0.6 cm.",
          category="3"),
        p(L, "en", "LR22.RULE.MEAN_DIAMETER", "plain",
          "Baseline LDCT: solid RUL nodule, mean diameter 8.0 mm (9 x 7 mm).",
          category="4A"),
        p(L, "en", "LR22.RULE.MEAN_DIAMETER", "plain",
          "Baseline LDCT: solid RUL nodule measuring up to 16 mm.",
          category=("4B", None)),
        p(T, "en", "TIRADS.RULE.SIZE", "plain",
          "Solid hypoechoic nodule measuring 1.5 x 1.1 x 0.9 cm; wider than tall; smooth; no echogenic foci.",
          points=4, level="TR4", recommendation="FNA"),
        p(T, "en", "TIRADS.RULE.SIZE", "plain",
          "Solid hypoechoic nodule, 15mm, wider than tall, smooth, no echogenic foci.",
          points=4, level="TR4", recommendation="FNA"),
        p(T, "en", "TIRADS.RULE.SIZE", "plain",
          "Solid hypoechoic 14.9 mm nodule, wider than tall, smooth, no echogenic foci.",
          points=4, level="TR4", recommendation="follow-up"),
        p(LI, "en", "LIRADS.CAT", "plain",
          "Cirrhosis. 1.9 x 1.6 cm observation with nonrim APHE and capsule.",
          category="LR-4"),
        p(LI, "en", "LIRADS.CAT", "plain",
          "Cirrhosis. 20x18 mm observation with nonrim APHE and capsule.",
          category="LR-5"),
        p(P, "en", "PIRADS.RULE.SIZE_BOUNDARY", "plain",
          "Left PZ: 1.5 x 1.0 cm focal lesion, markedly hypointense on ADC and markedly hyperintense on high b-value DWI.",
          category="5"),
        p(P, "en", "PIRADS.RULE.SIZE_BOUNDARY", "plain",
          "Left PZ: 14 mm focal lesion, markedly hypointense on ADC and markedly hyperintense on high b-value DWI.",
          category="4"),
        p(B, "en", "BIRADS.CAT", "plain",
          "Diagnostic mammogram. BIRADS: 4b.",
          category="4B"),
        p(B, "en", "BIRADS.CAT", "plain",
          "Diagnostic ultrasound. BI-RADS category IV (suspicious).",
          category=("4", None)),
    ]
