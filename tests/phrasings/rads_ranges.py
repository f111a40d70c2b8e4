"""Size ranges and stated categories, every RADS system with a size rule, English and Chinese.

Rules exercised:
- RANGE.* — a size written as a range ("7–8 mm", "between 7 and 8 mm", "7至8毫米") is evaluated at both
  ends with the oracle; the expectation is the category when both ends agree, else missing (never the
  category of one end). Each range is written in every range notation (cross-product), plus
  distractor forms: another structure's range next to the index lesion's single size. RANGE.LR22.BOUND:
  a one-sided size ("<6 mm", "大于15mm") is a range too.
- STATED.* — a category the report states without the findings that decide it ("Impression: PI-RADS 4")
  is accepted as the stated category; negated, historical, hedged and span statements ("PI-RADS 3-4")
  must leave the field missing; findings that decide override the stated category.
"""

from __future__ import annotations

import random

from phrasings import Phrase, phrase
from phrasings.rads_oracle import LungNodule, lirads, lungrads, pirads, tirads_recommendation

LUNG, TI, LI, PI = "Lung-RADS-v2022", "ACR-TI-RADS", "LI-RADS-v2018", "PI-RADS-v2.1"


def _g(x: float) -> str:
    return f"{x:g}"


RANGE_EN = ("{a}-{b} {u}", "{a}–{b} {u}", "{a} to {b} {u}", "between {a} and {b} {u}", "{a} {u} - {b} {u}", "{a}~{b} {u}")
RANGE_ZH = ("{a}-{b}{u}", "{a}~{b}{u}", "{a}～{b}{u}", "{a}至{b}{zu}")
ZH_UNIT = {"mm": "毫米", "cm": "厘米"}


def _ranges(lang: str, a: float, b: float, unit: str) -> list[str]:
    if lang == "en":
        return [t.format(a=_g(a), b=_g(b), u=unit) for t in RANGE_EN]
    return [t.format(a=_g(a), b=_g(b), u=unit, zu=ZH_UNIT[unit]) for t in RANGE_ZH]


def _both(lo: str | None, hi: str | None) -> str | None:
    return lo if lo == hi else None


# --- Lung-RADS: solid and ground-glass nodules, baseline -------------------------------------------
LUNG_PRE = {"en": ("Baseline low-dose CT for lung cancer screening.", "Initial screening LDCT; no prior CT available."),
            "zh": ("基线低剂量CT肺癌筛查。", "首次LDCT肺癌筛查，无既往CT可比较。")}
LUNG_NOD = {"en": ("Solid nodule in the right upper lobe measuring {s}.", "{s} solid nodule in the left lower lobe.",
                   "In the right middle lobe there is a solid nodule, {s}."),
            "zh": ("右肺上叶见一实性结节，大小约{s}。", "左肺下叶实性结节，约{s}。")}
LUNG_RANGES = ((3.0, 5.0), (5.0, 7.0), (6.0, 7.5), (7.0, 8.0), (8.0, 12.0), (10.0, 16.0), (15.0, 20.0), (4.0, 5.5))
LUNG_DISTRACT = {"en": " Ascending aorta 34-36 mm. Mediastinal nodes 5 to 8 mm, not enlarged.",
                 "zh": " 升主动脉直径约34-36mm。纵隔淋巴结短径5~8mm，未见肿大。"}


def _lung(lang: str, r: random.Random) -> list[Phrase]:
    out = []
    for a, b in LUNG_RANGES:
        want = _both(lungrads([LungNodule("solid", "baseline", a)]), lungrads([LungNodule("solid", "baseline", b)]))
        for s in _ranges(lang, a, b, "mm"):
            text = f"{r.choice(LUNG_PRE[lang])} {r.choice(LUNG_NOD[lang]).format(s=s)}"
            out.append(phrase(LUNG, lang, "RANGE.LR22.SOLID", "plain", text, category=want))
    # Distractor: the index nodule has one size; ranges belong to the aorta and nodes.
    for m in (5.0, 7.0, 9.0, 16.0) * (3 if lang == "en" else 1):
        s = f"{_g(m)} mm" if lang == "en" else f"{_g(m)}mm"
        text = f"{r.choice(LUNG_PRE[lang])} {r.choice(LUNG_NOD[lang]).format(s=s)}{LUNG_DISTRACT[lang]}"
        out.append(phrase(LUNG, lang, "RANGE.LR22.SOLID", "distractor", text,
                          category=lungrads([LungNodule("solid", "baseline", m)])))
    return out


# Bounds: "<6 mm" is every size from 1 mm to 5.9 mm; ">15 mm" every size above 15 mm (read up to 3x).
BOUND_EN = {"<": ("<{n} mm", "less than {n} mm", "smaller than {n} mm", "< {n} mm"),
            ">": (">{n} mm", "greater than {n} mm", "larger than {n} mm", "> {n} mm")}
BOUND_ZH = {"<": ("小于{n}mm", "<{n}mm", "不足{n}mm"), ">": ("大于{n}mm", ">{n}mm", "超过{n}mm")}
LUNG_BOUNDS = (("<", 6.0), ("<", 8.0), (">", 15.0), (">", 8.0))


def _lung_bounds(lang: str, r: random.Random) -> list[Phrase]:
    out = []
    for op, n in LUNG_BOUNDS:
        lo, hi = (1.0, n - 0.1) if op == "<" else (n + 0.1, 3 * n)
        want = _both(lungrads([LungNodule("solid", "baseline", lo)]), lungrads([LungNodule("solid", "baseline", hi)]))
        for t in (BOUND_EN if lang == "en" else BOUND_ZH)[op]:
            s = t.format(n=_g(n))
            text = f"{r.choice(LUNG_PRE[lang])} {r.choice(LUNG_NOD[lang]).format(s=s)}"
            out.append(phrase(LUNG, lang, "RANGE.LR22.BOUND", "plain", text, category=want))
    return out


# Growth written as "from A to B": a change, not a range; A is the prior size, B the current one.
GROW_PRE = {"en": "Annual screening LDCT compared with the screening CT of 12 months ago.",
            "zh": "年度LDCT筛查，与12个月前筛查CT比较："}
GROW_EN = ("The solid nodule in the right upper lobe has grown from {a} to {b} mm.",
           "Solid nodule in the left lower lobe increased from {a} to {b} mm.",
           "The right middle lobe solid nodule enlarged from {a} mm to {b} mm.")
GROW_ZH = ("右肺上叶实性结节由{a}增大至{b}mm。", "左肺下叶实性结节从{a}mm增大到{b}mm。")


def _lung_growth(lang: str, r: random.Random) -> list[Phrase]:
    out = []
    for a, b in ((4.0, 7.0), (5.0, 8.0), (6.0, 9.5), (9.0, 12.0)):
        want = lungrads([LungNodule("solid", "growing", b)])
        for t in GROW_EN if lang == "en" else GROW_ZH:
            text = f"{GROW_PRE[lang]} {t.format(a=_g(a), b=_g(b))}"
            out.append(phrase(LUNG, lang, "RANGE.LR22.GROWTH_NOT_RANGE", "distractor", text, category=want))
    return out


# --- TI-RADS: a TR4 and a TR5 nodule across the FNA / follow-up cut-offs ------------------------------
TI_NOD = {"en": {"TR4": "solid, hypoechoic nodule, wider-than-tall, with smooth margins and no echogenic foci",
                 "TR5": "solid, hypoechoic nodule, taller-than-wide, with irregular margins and punctate echogenic foci"},
          "zh": {"TR4": "实性低回声结节，纵横比<1，边缘光滑，未见钙化", "TR5": "实性低回声结节，纵横比>1，边缘不规则，可见微钙化"}}
TI_RANGES = {"TR4": ((0.8, 1.2), (1.2, 1.4), (1.3, 1.7), (1.6, 2.4)), "TR5": ((0.4, 0.6), (0.6, 0.9), (0.8, 1.2), (1.2, 2.0))}


def _ti(lang: str, r: random.Random) -> list[Phrase]:
    out = []
    for level, ranges in TI_RANGES.items():
        for a, b in ranges:
            want = _both(tirads_recommendation(level, a), tirads_recommendation(level, b))
            for s in _ranges(lang, a, b, "cm"):
                if lang == "en":
                    text = r.choice((f"Right lobe: {s} {TI_NOD['en'][level]}.", f"Left thyroid lobe, {TI_NOD['en'][level]}, measuring {s}."))
                else:
                    text = f"甲状腺右叶见一{TI_NOD['zh'][level]}，大小约{s}。"
                out.append(phrase(TI, lang, "RANGE.TIRADS.SIZE", "plain", text, level=level, recommendation=want))
    return out


# --- LI-RADS: nonrim APHE + washout, and no APHE + washout + capsule, across 10 and 20 mm ----------------
LI_PRE = {"en": ("Cirrhotic liver.", "MRI liver in a patient with cirrhosis."), "zh": ("肝硬化背景。", "慢性乙型肝炎肝硬化患者。")}
LI_FEAT = {"en": {("nonrim", True, False): "nonrim arterial phase hyperenhancement and nonperipheral washout",
                  ("none", True, True): "no arterial phase hyperenhancement, nonperipheral washout and an enhancing capsule"},
           "zh": {("nonrim", True, False): "动脉期非环形高强化，门脉期廓清", ("none", True, True): "动脉期未见高强化，门脉期廓清，可见强化包膜"}}
LI_RANGES = ((6.0, 9.0), (8.0, 12.0), (12.0, 18.0), (15.0, 22.0), (18.0, 25.0))


def _li(lang: str, r: random.Random) -> list[Phrase]:
    out = []
    for (aphe, wash, caps), feat in LI_FEAT[lang].items():
        for a, b in LI_RANGES:
            want = _both(lirads(a, aphe, wash, caps, False), lirads(b, aphe, wash, caps, False))
            for s in _ranges(lang, a, b, "mm")[: 3 if lang == "en" else 2]:
                if lang == "en":
                    text = f"{r.choice(LI_PRE['en'])} A {s} observation in segment 7 shows {feat}."
                else:
                    text = f"{r.choice(LI_PRE['zh'])}肝S7段见一结节，大小约{s}，{feat}。"
                out.append(phrase(LI, lang, "RANGE.LIRADS.TABLE", "plain", text, category=want))
    return out


# --- PI-RADS: a PZ lesion whose DWI description says "4 or 5": the 1.5 cm boundary decides -------------
PI_DWI = {"en": "focal, markedly hypointense on ADC and markedly hyperintense on high b-value DWI, measuring {s}",
          "zh": "局灶性病灶，ADC图呈明显低信号，高b值DWI呈明显高信号，大小约{s}"}
PI_RANGES = ((0.6, 0.9), (0.9, 1.4), (1.2, 1.8), (1.5, 2.0), (1.6, 2.2))


def _pi(lang: str, r: random.Random) -> list[Phrase]:
    out = []
    for a, b in PI_RANGES:
        want = _both(pirads("PZ", None, 5 if a >= 1.5 else 4, None), pirads("PZ", None, 5 if b >= 1.5 else 4, None))
        for s in _ranges(lang, a, b, "cm"):
            if lang == "en":
                text = f"Lesion in the {r.choice(('left peripheral zone', 'right posterolateral peripheral zone'))}: {PI_DWI['en'].format(s=s)}."
            else:
                text = f"{r.choice(('左侧外周带', '右侧外周带'))}见一病灶：{PI_DWI['zh'].format(s=s)}。"
            out.append(phrase(PI, lang, "RANGE.PIRADS.SIZE_BOUNDARY", "plain", text, category=want))
    return out


# --- Stated categories -------------------------------------------------------------------------------
# (system, key, stated label as written, expected value, bare finding sentence that does not decide)
STATED_EN = (
    (PI, "category", "PI-RADS {v}", ("3", "4", "5"), "Lesion in the left peripheral zone, 1.2 cm."),
    (PI, "category", "PI-RADS category {v}", ("2", "4"), "Index lesion in the right transition zone."),
    (TI, "level", "TR{v}", ("3", "4", "5"), "Thyroid nodule in the right lobe, 1.8 cm."),
    (TI, "level", "ACR TI-RADS {v}", ("4", "5"), "Left thyroid lobe nodule measuring 2.6 cm."),
    (LUNG, "category", "Lung-RADS {v}", ("2", "3", "4A", "4B"), "Baseline screening LDCT."),
    (LI, "category", "LR-{v}", ("3", "4", "5"), "Cirrhosis. A 2.1 cm observation in segment 8."),
)
STATED_ZH = (
    (PI, "category", "PI-RADS {v}分", ("3", "4", "5"), "左侧外周带见一病灶，约1.2cm。"),
    (TI, "level", "TR{v}", ("3", "4", "5"), "甲状腺右叶结节，大小约1.8cm。"),
    (LUNG, "category", "Lung-RADS {v}类", ("2", "3", "4A"), "基线低剂量CT肺癌筛查。"),
    (LI, "category", "LR-{v}", ("3", "4", "5"), "肝硬化背景。肝S8段见一结节，约21mm。"),
)
WRAP_EN = ("{f} Impression: {s}.", "{f} {s}.", "{f} Assessment: {s}.", "{f} Overall category: {s}.")
WRAP_ZH = ("{f}印象：{s}。", "{f}{s}。")
NOT_EN = ("{f} No {s} lesion is seen.", "{f} Prior study (2021): {s}.", "{f} Impression: possibly {s}.",
          "{f} Previously reported as {s}.")
NOT_ZH = ("{f}既往{s}。", "{f}印象：可能{s}。")


def _value(system: str, v: str) -> str:
    return {TI: f"TR{v}", LI: f"LR-{v}"}.get(system, v)


def _stated(lang: str, r: random.Random) -> list[Phrase]:
    out = []
    table = STATED_EN if lang == "en" else STATED_ZH
    for system, key, label, values, finding in table:
        for v in values:
            s = label.format(v=v)
            for wrap in WRAP_EN if lang == "en" else WRAP_ZH:
                out.append(phrase(system, lang, "STATED.CATEGORY", "plain", wrap.format(f=finding, s=s), **{key: _value(system, v)}))
            neg = r.choice(NOT_EN if lang == "en" else NOT_ZH)
            form = "negated" if "No " in neg else "hedged" if ("possibly" in neg or "可能" in neg) else "historical"
            out.append(phrase(system, lang, "STATED.CATEGORY", form, neg.format(f=finding, s=s), **{key: None}))
        # A span stated by the report is no single category.
        lo, hi = values[0], values[1]
        span = label.format(v=f"{lo}-{hi}") if system != TI else f"TR{lo}-{hi}"
        out.append(phrase(system, lang, "STATED.CATEGORY", "coordinated", f"{finding} {span}.", **{key: None}))
    return out


def _stated_vs_scores(lang: str, r: random.Random) -> list[Phrase]:
    """Findings that decide override the stated category; findings that narrow it keep a consistent one."""
    out = []
    zone = {"en": ("left peripheral zone", "right peripheral zone"), "zh": ("左侧外周带", "右侧外周带")}[lang]
    for dwi, dce, stated in ((4, None, "3"), (4, None, "4"), (2, None, "4"), (3, "positive", "3"), (3, None, "4"), (3, None, "3"),
                             (3, None, "5"), (5, None, "4")):
        derived = pirads("PZ", None, dwi, dce) if dce or dwi != 3 else None
        want: str | None = derived if derived else (stated if stated in ("3", "4") else None)
        if lang == "en":
            d = {"positive": " DCE positive.", None: ""}[dce]
            texts = [f"Lesion in the {r.choice(zone)}, 1.1 cm: DWI score {dwi}.{d} Impression: PI-RADS {stated}.",
                     f"PI-RADS {stated} lesion in the {r.choice(zone)} measuring 11 mm; diffusion score {dwi}.{d}"]
        else:
            d = {"positive": "DCE阳性，", None: ""}[dce]
            texts = [f"{r.choice(zone)}见一病灶，大小约1.1cm，DWI评分{dwi}分，{d}印象：PI-RADS {stated}分。"]
        out += [phrase(PI, lang, "STATED.PIRADS.VS_SCORES", "plain", t, category=want) for t in texts]
    return out


BI = "BI-RADS"
HIST_BI_EN = ("Prior mammogram (2022): BI-RADS {x}. Current mammogram: BI-RADS {y}.",
              "Previously assessed as BI-RADS {x}. Today: BI-RADS {y}.",
              "Comparison: prior BI-RADS {x}. Diagnostic workup today. BI-RADS {y}.",
              "No BI-RADS {x} finding is seen today. BI-RADS {y}.",
              "History of BI-RADS {x} assessment last year. Current assessment: BI-RADS {y}.")
HIST_BI_ZH = ("既往BI-RADS {x}类，本次复查：BI-RADS {y}类。", "前次检查BI-RADS {x}类。本次BI-RADS {y}类。")
LI_NOW_EN = ("Cirrhosis. Observation in segment 8 previously {a} mm, now {b} mm, with nonrim APHE and nonperipheral washout.",
             "Cirrhosis. Observation in segment 8, {b} mm (previously {a} mm), with nonrim APHE and nonperipheral washout.",
             "Cirrhosis. Observation in segment 8 measured {a} mm previously; now {b} mm; nonrim APHE and nonperipheral washout.")
LI_NOW_ZH = ("肝硬化。肝S8段结节，前次约{a}mm，本次约{b}mm，动脉期非环形高强化，门脉期廓清。",)


def _history(lang: str, r: random.Random) -> list[Phrase]:
    """Earlier assessments and sizes quoted beside today's: today's decide."""
    out = []
    for x, y in (("4", "2"), ("3", "2"), ("0", "1"), ("5", "6")):
        for t in HIST_BI_EN if lang == "en" else HIST_BI_ZH:
            out.append(phrase(BI, lang, "STATED.HISTORICAL", "historical", t.format(x=x, y=y), category=y))
    for a, b in ((8.0, 12.0), (12.0, 22.0), (15.0, 9.0), (20.0, 14.0)):
        want = lirads(b, "nonrim", True, False, False)
        for t in LI_NOW_EN if lang == "en" else LI_NOW_ZH:
            out.append(phrase(LI, lang, "STATED.HISTORICAL", "historical", t.format(a=_g(a), b=_g(b)), category=want))
    return out


def cases() -> list[Phrase]:
    """Every range and stated-category phrase, deterministic."""
    out: list[Phrase] = []
    for lang in ("en", "zh"):
        r = random.Random(f"ranges-{lang}")
        out += _lung(lang, r) + _lung_bounds(lang, r) + _lung_growth(lang, r) + _ti(lang, r) + _li(lang, r) + _pi(lang, r)
        out += _stated(lang, r) + _stated_vs_scores(lang, r) + _history(lang, r)
    return out
