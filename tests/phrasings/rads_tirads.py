"""ACR TI-RADS phrasings: five feature groups × values × polarity × size, English and Chinese.

Rules exercised: TIRADS.POINTS.* (one per group), TIRADS.RULE.SPONGIFORM, TIRADS.LEVEL.*, TIRADS.RULE.SIZE.
The expected points, level and recommendation come from the oracle; a hedged echogenic focus
("possible microcalcifications") is unknown, so every value it could change is expected missing.
"""

from __future__ import annotations

import itertools
import random

from phrasings import Phrase, phrase
from phrasings.rads_oracle import tirads_level, tirads_points, tirads_recommendation

SYSTEM = "ACR-TI-RADS"
COMP_EN = {"cystic": ("cystic", "almost completely cystic"), "spongiform": ("spongiform",),
           "mixed": ("mixed cystic and solid", "mixed solid and cystic", "partially cystic"),
           "solid": ("solid", "almost completely solid")}
ECHO_EN = {"anechoic": ("anechoic",), "iso": ("isoechoic",), "hyper": ("hyperechoic",), "hypo": ("hypoechoic",),
           "very-hypo": ("very hypoechoic", "markedly hypoechoic (darker than the strap muscles)")}
SHAPE_EN = {"wider": ("wider-than-tall", "wider than tall"), "taller": ("taller-than-wide", "taller than wide")}
MARGIN_EN = {"smooth": ("smooth margins", "a smooth margin"), "ill-defined": ("ill-defined margins",),
             "lobulated": ("lobulated margins",), "irregular": ("irregular margins",),
             "ete": ("extrathyroidal extension", "frank extrathyroidal extension")}
FOCI_EN = {"none": ("no echogenic foci", "no calcifications", "no calcifications are seen"), "comet": ("large comet-tail artifacts",),
           "macro": ("macrocalcifications", "coarse macrocalcification"), "rim": ("peripheral rim calcification",),
           "punctate": ("punctate echogenic foci", "microcalcifications")}
COMP_ZH = {"cystic": ("囊性",), "spongiform": ("海绵状",), "mixed": ("囊实混合性", "囊实性"), "solid": ("实性",)}
ECHO_ZH = {"anechoic": ("无回声",), "iso": ("等回声",), "hyper": ("高回声",), "hypo": ("低回声",), "very-hypo": ("极低回声",)}
SHAPE_ZH = {"wider": ("纵横比<1", "横径大于前后径"), "taller": ("纵横比>1", "纵横比大于1")}
MARGIN_ZH = {"smooth": ("边缘光整", "边缘光滑", "边界清晰"), "ill-defined": ("边界不清", "边界欠清", "形态不规则，边界不清"),
             "lobulated": ("边缘呈分叶状",), "irregular": ("边缘不规则", "边缘成角"), "ete": ("可见甲状腺外侵犯",)}
FOCI_ZH = {"none": ("未见钙化",), "comet": ("可见彗星尾伪像",), "macro": ("可见粗大钙化",), "rim": ("可见周边环状钙化",),
           "punctate": ("可见微钙化", "可见点状强回声")}
FOCI_SETS = (("none",), ("comet",), ("macro",), ("rim",), ("punctate",), ("macro", "punctate"), ("rim", "punctate"))
SIZES_CM = (0.4, 0.5, 0.9, 1.0, 1.4, 1.5, 2.0, 2.4, 2.5, 3.2)
GLAND_EN = ("The thyroid gland measures 4.8 x 1.9 x 1.7 cm on the right. ", "Right lobe 5.1 x 2.0 x 1.8 cm, left lobe 4.6 x 1.7 x 1.5 cm. ")
GLAND_ZH = ("甲状腺右叶大小约4.8×1.9×1.7cm。", "甲状腺左叶约4.6cm×1.7cm×1.5cm。")


def _fmt_cm(x: float, r: random.Random, en: bool) -> str:
    if r.random() < 0.5:
        return f"{x:g} cm" if en else f"{x:g}cm"
    mm = round(x * 10, 1)
    return f"{mm:g} mm" if en else f"{mm:g}mm"


def _join_en(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def render_en(comp: str, echo: str, shape: str, margin: str, foci: tuple[str, ...], size: float, r: random.Random) -> str:
    c, e = r.choice(COMP_EN[comp]), r.choice(ECHO_EN[echo])
    s, m = r.choice(SHAPE_EN[shape]), r.choice(MARGIN_EN[margin])
    f = _join_en([r.choice(FOCI_EN[x]) for x in foci])
    z = _fmt_cm(size, r, True)
    return r.choice((
        f"Right lobe: {z} {c}, {e} nodule, {s}, with {m}; {f}.",
        f"Left thyroid lobe nodule measuring {z}. Composition: {c}. Echogenicity: {e}. Shape: {s}. Margin: {m}. Echogenic foci: {f}.",
        f"There is a {c} {e} nodule in the isthmus measuring {z}; it is {s} with {m}, and shows {f}.",
    ))


def render_zh(comp: str, echo: str, shape: str, margin: str, foci: tuple[str, ...], size: float, r: random.Random) -> str:
    c, e = r.choice(COMP_ZH[comp]), r.choice(ECHO_ZH[echo])
    s, m = r.choice(SHAPE_ZH[shape]), r.choice(MARGIN_ZH[margin])
    f = "，".join(r.choice(FOCI_ZH[x]) for x in foci)
    z = _fmt_cm(size, r, False)
    return r.choice((f"甲状腺右叶见一{c}结节，大小约{z}，{e}，{s}，{m}，{f}。",
                     f"甲状腺左叶{c}{e}结节，{z}，{s}，{m}，{f}。"))


def _expect(comp: str, echo: str, shape: str, margin: str, foci: tuple[str, ...], size: float) -> dict[str, object]:
    pts = tirads_points(comp, echo, shape, margin, foci)
    lvl = tirads_level(pts)
    return {"points": pts, "level": lvl, "recommendation": tirads_recommendation(lvl, size)}


def _combos(r: random.Random, n: int, max_points: int = 99) -> list[tuple[str, str, str, str, tuple[str, ...], float]]:
    combos = []
    for comp, echo, shape, margin, foci in itertools.product(COMP_EN, ECHO_EN, SHAPE_EN, MARGIN_EN, FOCI_SETS):
        if (comp == "cystic") != (echo == "anechoic"):
            continue  # anechoic describes a cystic nodule; a cystic nodule is anechoic
        if comp != "spongiform" and tirads_points(comp, echo, shape, margin, foci) > max_points:
            continue
        combos.append((comp, echo, shape, margin, foci))
    picked = r.sample(combos, min(n, len(combos)))
    return [(*c, r.choice(SIZES_CM)) for c in picked]


def _low(r: random.Random, reps: int) -> list[tuple[str, str, str, str, tuple[str, ...], float]]:
    """Every non-spongiform combination worth 0–3 points (TR1, the 1-point gap, TR2, TR3), ``reps`` sizes each."""
    out = []
    for comp, echo, shape, margin, foci in itertools.product(COMP_EN, ECHO_EN, SHAPE_EN, MARGIN_EN, FOCI_SETS):
        if comp == "spongiform" or (comp == "cystic") != (echo == "anechoic"):
            continue
        points = tirads_points(comp, echo, shape, margin, foci)
        if points <= 3:  # the 1-point gap has only two combinations: render those more often
            out += [(comp, echo, shape, margin, foci, r.choice(SIZES_CM)) for _ in range(reps * 2 if points == 1 else reps)]
    return out


def cases() -> list[Phrase]:
    """Every TI-RADS phrase, deterministic."""
    out: list[Phrase] = []
    for lang, n in (("en", 140), ("zh", 60)):
        r = random.Random(f"tirads-{lang}")
        render = render_en if lang == "en" else render_zh
        for comp, echo, shape, margin, foci, size in _combos(r, n) + _low(r, 3 if lang == "en" else 1):
            text = render(comp, echo, shape, margin, foci, size, r)
            exp = _expect(comp, echo, shape, margin, foci, size)
            rule = "TIRADS.RULE.SPONGIFORM" if comp == "spongiform" else f"TIRADS.LEVEL.{exp['level'] or 'ONE_POINT'}"
            form = "negated" if foci == ("none",) else "coordinated" if len(foci) > 1 else "plain"
            out.append(phrase(SYSTEM, lang, rule, form, text, **exp))
        # Distractor: the gland's own size comes first and must not be read as the nodule's.
        for comp, echo, shape, margin, foci, size in _combos(r, 12):
            gland = r.choice(GLAND_EN if lang == "en" else GLAND_ZH)
            out.append(phrase(SYSTEM, lang, "TIRADS.RULE.SIZE", "distractor", gland + render(comp, echo, shape, margin, foci, size, r),
                              **_expect(comp, echo, shape, margin, foci, size)))
        # Hedged echogenic foci: the points depend on the unknown focus; stay missing.
        for comp, echo, shape, margin, _foci, size in _combos(r, 12):
            if comp == "spongiform":
                continue
            base = render(comp, echo, shape, margin, ("none",), size, r)
            hedge = r.choice(("possible microcalcifications", "punctate echogenic foci cannot be excluded",
                              "questionable punctate echogenic foci") if lang == "en" else ("可疑微钙化", "点状强回声不除外"))
            text = base.replace(r.choice([x for x in (FOCI_EN if lang == "en" else FOCI_ZH)["none"] if x in base] or ["__"]), hedge)
            if hedge not in text:
                continue
            lo = _expect(comp, echo, shape, margin, ("none",), size)
            hi = _expect(comp, echo, shape, margin, ("punctate",), size)
            exp = {k: (lo[k],) if lo[k] == hi[k] else (None,) for k in lo}
            out.append(phrase(SYSTEM, lang, "TIRADS.POINTS.ECHOGENIC_FOCI", "hedged", text, **exp))
        # Negated then affirmed foci in one sentence: "no microcalcifications but a coarse calcification".
        for comp, echo, shape, margin, _foci, size in _combos(r, 10):
            base = render(comp, echo, shape, margin, ("macro",), size, r)
            neg = "no microcalcifications but" if lang == "en" else "未见微钙化，但"
            text = base.replace("macrocalcifications", f"{neg} macrocalcifications") \
                .replace("coarse macrocalcification", f"{neg} coarse macrocalcification") \
                if lang == "en" else base.replace("可见粗大钙化", f"{neg}可见粗大钙化")
            out.append(phrase(SYSTEM, lang, "TIRADS.POINTS.ECHOGENIC_FOCI", "negated", text, **_expect(comp, echo, shape, margin, ("macro",), size)))
    return out
