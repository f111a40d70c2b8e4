"""Lung-RADS v2022 phrasings: nodule type × history × size × features × polarity, English and Chinese.

Rules exercised (corpus ids): LR22.SOLID.*, LR22.PARTSOLID.*, LR22.GGN.*, LR22.JUXTAPLEURAL.2,
LR22.CAT.4X, LR22.CALCIFIED.1, LR22.RULE.EXAM_CATEGORY (worst nodule), LR22.RULE.MEAN_DIAMETER.
"""

from __future__ import annotations

import random

from phrasings import Phrase, phrase
from phrasings.rads_oracle import LungNodule, lungrads

SYSTEM = "Lung-RADS-v2022"
LOBES_EN = ("right upper lobe", "left lower lobe", "right middle lobe", "lingula", "RLL")
LOBES_ZH = ("右肺上叶", "左肺下叶", "右肺中叶", "左肺上叶舌段")
PREFIX_EN = {
    "baseline": ("Baseline low-dose CT for lung cancer screening.", "Initial screening LDCT; no prior CT available.",
                 "Lung cancer screening LDCT, baseline examination."),
    "new": ("Annual screening LDCT compared with the prior screening CT from last year.",
            "Low-dose screening CT, comparison made with the previous screening study."),
    "growing": ("Annual screening LDCT compared with the screening CT of 12 months ago.",),
}
PREFIX_ZH = {
    "baseline": ("基线低剂量CT肺癌筛查。", "首次LDCT肺癌筛查，无既往CT可比较。"),
    "new": ("年度LDCT筛查，与去年筛查CT比较：",),
    "growing": ("年度LDCT筛查，与12个月前筛查CT比较：",),
}
TYPE_EN = {"solid": ("solid", "solid pulmonary", "noncalcified solid"), "part-solid": ("part-solid", "part solid", "partly solid"),
           "ggn": ("ground-glass", "pure ground-glass", "nonsolid (ground-glass)")}
TYPE_ZH = {"solid": ("实性结节", "实性小结节"), "part-solid": ("部分实性结节", "混合磨玻璃结节", "混杂密度结节"),
           "ggn": ("纯磨玻璃结节", "磨玻璃结节", "磨玻璃密度结节")}


def _fmt(x: float, places: int = 1) -> str:
    return f"{x:.{places}f}".rstrip("0").rstrip(".")


def size_en(m: float, r: random.Random) -> str:
    """One of several ways to write a mean diameter of ``m`` mm."""
    return r.choice((f"{_fmt(m)} mm", f"{_fmt(m + 1)} x {_fmt(m - 1)} mm", f"{_fmt(m / 10, 2)} cm", f"{_fmt(m + 0.6)} x {_fmt(m - 0.6)} mm"))


def size_zh(m: float, r: random.Random) -> str:
    return r.choice((f"{_fmt(m)}mm", f"{_fmt(m + 1)}mm×{_fmt(m - 1)}mm", f"{_fmt(m)}毫米", f"{_fmt(m + 1)}×{_fmt(m - 1)}mm"))


def nodule_en(kind: str, status: str, m: float, s: float | None, r: random.Random) -> str:
    t = r.choice(TYPE_EN[kind])
    lobe = r.choice(LOBES_EN)
    size = size_en(m, r)
    solid = ""
    if s is not None:
        solid = r.choice((f" with a {_fmt(s)} mm solid component", f", solid component {_fmt(s)} mm", f"; its solid portion measures {_fmt(s)} mm"))
    if status == "new":
        return r.choice((f"New {size} {t} nodule in the {lobe}{solid}, not present on the prior screen.",
                         f"There is a new {t} nodule in the {lobe} measuring {size}{solid}."))
    if status == "growing":
        prior = size_en(m - 2.5, r)
        return r.choice((f"{t.capitalize()} nodule in the {lobe} has grown to {size}{solid}, previously {prior}.",
                         f"The {t} nodule in the {lobe} now measures {size}{solid} (previously {prior}), consistent with growth."))
    return r.choice((f"{size} {t} nodule in the {lobe}{solid}.", f"{t.capitalize()} nodule in the {lobe} measuring {size}{solid}.",
                     f"In the {lobe} there is a {t} nodule, {size}{solid}."))


def nodule_zh(kind: str, status: str, m: float, s: float | None, r: random.Random) -> str:
    t = r.choice(TYPE_ZH[kind])
    lobe = r.choice(LOBES_ZH)
    size = size_zh(m, r)
    solid = r.choice((f"，其中实性成分约{_fmt(s)}mm", f"，实性部分直径{_fmt(s)}mm")) if s is not None else ""
    if status == "new":
        return f"{lobe}新发{t}，大小约{size}{solid}，前次筛查未见。"
    if status == "growing":
        return f"{lobe}{t}较前增大，现大小约{size}{solid}，原约{size_zh(m - 2.5, r)}。"
    return r.choice((f"{lobe}见一{t}，大小约{size}{solid}。", f"{lobe}{t}，{size}{solid}。"))


SOLID_SIZES = {"baseline": (4.0, 5.8, 6.0, 7.9, 8.0, 12.0, 14.9, 15.0, 22.0), "new": (3.0, 4.0, 5.5, 6.0, 7.5, 8.0, 11.0),
               "growing": (5.0, 7.0, 7.9, 9.0, 12.0)}
PART_SIZES = {"baseline": ((4.0, 1.5), (5.0, 2.0), (5.5, 3.0), (8.0, 3.0), (10.0, 5.9), (12.0, 6.0), (14.0, 7.5), (18.0, 7.0),
                           (16.0, 8.0), (20.0, 10.0)),
              "new": ((5.0, 2.0), (9.0, 3.0), (12.0, 4.0), (15.0, 6.0))}
GGN_SIZES = (12.0, 25.0, 29.9, 30.0, 35.0, 45.0)
NEG_EN = (" No spiculation.", " No mediastinal or hilar lymphadenopathy.", " Without spiculated margins.", " No spiculation is seen.",
          " No enlarged lymph nodes are identified.")
NEG_ZH = ("未见毛刺。", "纵隔及肺门未见肿大淋巴结。")
SUSP_EN = (" The nodule is spiculated.", " Spiculated margins.", " Enlarged subcarinal lymph node, 14 mm short axis.")
SUSP_ZH = ("边缘可见毛刺。", "纵隔淋巴结肿大，短径约14mm。")
HEDGE_EN = (" Margins possibly spiculated.", " Questionable spiculation.", " Spiculation cannot be excluded.")
HEDGE_ZH = ("可疑毛刺。", "边缘毛刺不除外。")
DISTRACT_EN = (" Aortic root 34 mm.", " Mild centrilobular emphysema.", " A 12 mm completely calcified granuloma in the left upper lobe.",
               " Mediastinal nodes not enlarged (largest 8 mm short axis).")
DISTRACT_ZH = ("升主动脉直径约34mm。", "轻度小叶中心型肺气肿。", "左肺上叶见一完全钙化结节，约12mm。")
HIST_EN = (" The previously reported 11 mm nodule in the left upper lobe has resolved.",
           " Prior 9 mm nodule in the right middle lobe is no longer seen.")
HIST_ZH = ("既往左肺上叶11mm结节已吸收消失。",)


def _plain(lang: str, r: random.Random) -> list[Phrase]:
    """Each size row rendered several ways: 4 English and 2 Chinese phrasings per (status, size)."""
    out = []
    pre = PREFIX_EN if lang == "en" else PREFIX_ZH
    nod = nodule_en if lang == "en" else nodule_zh
    reps = 4 if lang == "en" else 2
    rows: list[tuple[str, str, float, float | None]] = []
    rows += [("solid", status, m, None) for status, sizes in SOLID_SIZES.items() for m in sizes]
    rows += [("part-solid", status, m, s) for status, pairs in PART_SIZES.items() for m, s in pairs]
    rows += [("ggn", status, m, None) for status in ("baseline", "new") for m in GGN_SIZES]
    family = {"solid": "LR22.SOLID", "part-solid": "LR22.PARTSOLID", "ggn": "LR22.GGN"}
    for kind, status, m, solid in rows:
        n = LungNodule(kind, status, m, solid)
        cat = lungrads([n])
        for _ in range(reps):
            out.append(phrase(SYSTEM, lang, f"{family[kind]}.{cat}", "plain", f"{r.choice(pre[status])} {nod(kind, status, m, solid, r)}",
                              category=cat, mean_diameter_mm=m))
    return out


def _modified(lang: str, r: random.Random) -> list[Phrase]:
    """The same nodules with negated, suspicious, hedged, distractor and historical sentences appended."""
    out = []
    pre = PREFIX_EN if lang == "en" else PREFIX_ZH
    nod = nodule_en if lang == "en" else nodule_zh
    en = lang == "en"
    for m in (5.0, 6.5, 9.0, 16.0):
        status = "baseline"
        base = LungNodule("solid", status, m)
        stem = f"{r.choice(pre[status])} {nod('solid', status, m, None, r)}"
        cat = lungrads([base])
        out.append(phrase(SYSTEM, lang, "LR22.CAT.4X", "negated", stem + r.choice(NEG_EN if en else NEG_ZH), category=cat))
        susp = lungrads([LungNodule("solid", status, m, suspicious=True)])
        out.append(phrase(SYSTEM, lang, "LR22.CAT.4X", "plain", stem + r.choice(SUSP_EN if en else SUSP_ZH), category=susp))
        out.append(phrase(SYSTEM, lang, "LR22.CAT.4X", "hedged", stem + r.choice(HEDGE_EN if en else HEDGE_ZH), category=(cat, None)))
        out.append(phrase(SYSTEM, lang, "LR22.RULE.EXAM_CATEGORY", "distractor", stem + r.choice(DISTRACT_EN if en else DISTRACT_ZH),
                          category=cat))
        out.append(phrase(SYSTEM, lang, "LR22.RULE.EXAM_CATEGORY", "historical", stem + r.choice(HIST_EN if en else HIST_ZH), category=cat))
    # Hedged history: "possibly new" — baseline and new rows must agree, or the category stays missing.
    for m in (3.0, 5.0, 7.0, 9.0, 17.0) * (2 if en else 1):
        both = {lungrads([LungNodule("solid", s, m)]) for s in ("baseline", "new")}
        want = both.pop() if len(both) == 1 else None
        if en:
            text = (f"{r.choice(PREFIX_EN['baseline'])} {_fmt(m)} mm solid nodule in the {r.choice(LOBES_EN)}, "
                    f"{r.choice(('possibly new compared with an outside CT', 'questionably new', 'which may be new'))}.")
        else:
            text = f"{r.choice(PREFIX_ZH['baseline'])}{r.choice(LOBES_ZH)}实性结节，约{_fmt(m)}mm，{r.choice(('可能为新发', '可疑新发'))}。"
        out.append(phrase(SYSTEM, lang, "LR22.RULE.NEW_VS_BASELINE", "hedged", text, category=want))
    # Coordinated: two nodules in one sentence; the worse decides, a larger second nodule never lowers it.
    for a, b in ((4.0, 9.0), (7.0, 5.0), (16.0, 6.0), (5.0, 5.5)):
        cat = lungrads([LungNodule("solid", "baseline", a), LungNodule("solid", "baseline", b)])
        if en:
            text = (f"{r.choice(PREFIX_EN['baseline'])} A {_fmt(a)} mm solid nodule in the right upper lobe and a "
                    f"{_fmt(b)} mm solid nodule in the left lower lobe.")
        else:
            text = f"{r.choice(PREFIX_ZH['baseline'])}右肺上叶实性结节，大小约{_fmt(a)}mm；左肺下叶实性结节，大小约{_fmt(b)}mm。"
        out.append(phrase(SYSTEM, lang, "LR22.RULE.EXAM_CATEGORY", "coordinated", text, category=cat))
    return out


JUXTA_EN = ("{size} smooth, lentiform juxtapleural solid nodule in the {lobe}.",
            "Perifissural solid nodule along the right minor fissure, oval with smooth margins, {size}.",
            "Juxtapleural solid nodule in the {lobe}, triangular, smoothly marginated, measuring {size}.",
            "{size} perifissural nodule in the {lobe}: solid, lentiform, smooth margins.")
JUXTA_ZH = ("{lobe}胸膜下见一实性结节，边缘光滑，呈三角形，大小约{size}。",
            "右肺水平裂旁见一实性结节，椭圆形，边缘光整，大小约{size}。",
            "{lobe}叶间裂旁实性结节，呈透镜状，边缘光滑，{size}。")
JUXTA_FAIL_EN = ("{size} juxtapleural solid nodule in the {lobe} with spiculated margins.",
                 "Juxtapleural solid nodule in the {lobe}, round with irregular margins, {size}.")
JUXTA_FAIL_ZH = ("{lobe}胸膜下实性结节，边缘不规则，大小约{size}。",)
JUXTA_BARE_EN = ("{size} juxtapleural solid nodule in the {lobe}.", "Perifissural solid nodule in the {lobe} measuring {size}.")
JUXTA_BARE_ZH = ("{lobe}胸膜下实性结节，大小约{size}。",)


def _juxtapleural(lang: str, r: random.Random) -> list[Phrase]:
    out = []
    en = lang == "en"
    sizes = (5.0, 6.0, 7.0, 8.5, 9.5, 10.0, 12.0)
    for status in ("baseline", "new"):
        for m in sizes:
            pre = r.choice((PREFIX_EN if en else PREFIX_ZH)[status])
            lobe = r.choice(LOBES_EN if en else LOBES_ZH)
            size = size_en(m, r) if en else size_zh(m, r)
            tmpl = r.choice(JUXTA_EN if en else JUXTA_ZH)
            if status == "new":
                tmpl = ("New " + tmpl[0].lower() + tmpl[1:]) if en else tmpl.replace("见一", "新发一") if "见一" in tmpl else "新发" + tmpl
            ok = LungNodule("solid", status, m, juxtapleural_ok=True)
            out.append(phrase(SYSTEM, lang, "LR22.JUXTAPLEURAL.2", "plain", f"{pre} {tmpl.format(size=size, lobe=lobe)}",
                              category=lungrads([ok]), mean_diameter_mm=m))
        for m in (6.0, 7.0, 9.0):
            pre = r.choice((PREFIX_EN if en else PREFIX_ZH)[status])
            lobe = r.choice(LOBES_EN if en else LOBES_ZH)
            size = size_en(m, r) if en else size_zh(m, r)
            fail = r.choice(JUXTA_FAIL_EN if en else JUXTA_FAIL_ZH)
            spic = "spiculated" in fail
            cat = lungrads([LungNodule("solid", status, m, suspicious=spic)])
            if status == "new":
                fail = ("New " + fail[0].lower() + fail[1:]) if en else "新发" + fail
            out.append(phrase(SYSTEM, lang, "LR22.JUXTAPLEURAL.2", "negated", f"{pre} {fail.format(size=size, lobe=lobe)}", category=cat))
            # Criteria unstated: juxtapleural rule (2) and solid rule disagree unless both give 2 -> stay missing.
            bare = r.choice(JUXTA_BARE_EN if en else JUXTA_BARE_ZH)
            if status == "new":
                bare = ("New " + bare[0].lower() + bare[1:]) if en else "新发" + bare
            solid = lungrads([LungNodule("solid", status, m)])
            out.append(phrase(SYSTEM, lang, "LR22.JUXTAPLEURAL.2", "hedged", f"{pre} {bare.format(size=size, lobe=lobe)}",
                              category=("2", None) if solid == "2" else (None,)))
    return out


CALC_EN = ("{size} completely calcified nodule in the {lobe}.", "Nodule in the {lobe} with popcorn calcification, {size}.",
           "{size} fat-containing nodule in the {lobe}, consistent with hamartoma.",
           "Centrally calcified {size} nodule in the {lobe}.")
CALC_ZH = ("{lobe}见一完全钙化结节，大小约{size}。", "{lobe}结节内见爆米花样钙化，大小约{size}。", "{lobe}含脂肪结节，约{size}，考虑错构瘤。")


def _calcified(lang: str, r: random.Random) -> list[Phrase]:
    out = []
    en = lang == "en"
    for m in (5.0, 9.0, 14.0, 18.0):
        for tmpl in (CALC_EN if en else CALC_ZH)[:3 if not en else 4]:
            pre = r.choice((PREFIX_EN if en else PREFIX_ZH)["baseline"])
            size = size_en(m, r) if en else size_zh(m, r)
            text = f"{pre} {tmpl.format(size=size, lobe=r.choice(LOBES_EN if en else LOBES_ZH))}"
            out.append(phrase(SYSTEM, lang, "LR22.CALCIFIED.1", "plain", text, category=lungrads([LungNodule("calcified", "baseline", m)])))
    return out


AIRWAY_EN = {  # (text, category) — LR22.AIRWAY.*: subsegmental 2, segmental or more proximal 4A, persisting at 3 months 4B
    "2": ("{pre} Endobronchial nodule in a subsegmental bronchus of the {lobe}.", "{pre} 4 mm airway nodule within a subsegmental airway.",
          "{pre} Small subsegmental endobronchial nodule, {lobe}."),
    "4A": ("{pre} Endobronchial nodule in a segmental bronchus of the {lobe}.", "{pre} 6 mm endoluminal nodule in the right main bronchus.",
           "{pre} Endotracheal nodule arising from the posterior tracheal wall.", "{pre} Segmental airway nodule, {lobe}."),
    "4B": ("3-month follow-up screening LDCT: the segmental endobronchial nodule in the {lobe} persists.",
           "Follow-up LDCT at 3 months: endobronchial nodule in the segmental bronchus is stable (persistent)."),
}
AIRWAY_ZH = {"2": ("{pre}{lobe}亚段支气管腔内结节。",), "4A": ("{pre}{lobe}段支气管腔内结节。", "{pre}右主支气管腔内结节，约6mm。"),
             "4B": ("3个月复查LDCT：{lobe}段支气管腔内结节持续存在。",)}
CYST_EN = {
    "4A": ("{pre} Thick-walled cyst in the {lobe}, 18 mm.", "{pre} Multilocular cystic lesion in the {lobe}, 22 mm.",
           "{pre} Atypical pulmonary cyst in the {lobe}: thick wall, 15 mm."),
    "4B": ("Annual screening LDCT compared with the prior screen: the thick-walled cyst in the {lobe} shows a growing wall.",
           "Annual screening LDCT compared with prior: the multilocular cyst in the {lobe} shows new nodularity.",
           "Annual screening LDCT compared with prior: multilocular cyst in the {lobe} with increased loculation."),
}
CYST_ZH = {"4A": ("{pre}{lobe}厚壁囊腔，约18mm。", "{pre}{lobe}多房囊性病变，约22mm。"),
           "4B": ("年度LDCT筛查，与前片比较：{lobe}厚壁囊腔，囊壁较前增厚。",)}


def _airway_and_cyst(lang: str, r: random.Random) -> list[Phrase]:
    out = []
    en = lang == "en"
    for family, table in (("LR22.AIRWAY", AIRWAY_EN if en else AIRWAY_ZH), ("LR22.CYST", CYST_EN if en else CYST_ZH)):
        for cat, templates in table.items():
            for _ in range(10 if en else 3):
                text = r.choice(templates).format(pre=r.choice((PREFIX_EN if en else PREFIX_ZH)["baseline"]),
                                                  lobe=r.choice(LOBES_EN if en else LOBES_ZH))
                out.append(phrase(SYSTEM, lang, f"{family}.{cat}", "plain", text, category=cat))
    return out


def cases() -> list[Phrase]:
    """Every Lung-RADS phrase, deterministic."""
    out: list[Phrase] = []
    for lang in ("en", "zh"):
        r = random.Random(f"lungrads-{lang}")
        out += _plain(lang, r) + _modified(lang, r) + _juxtapleural(lang, r) + _calcified(lang, r) + _airway_and_cyst(lang, r)
    return out
