"""LI-RADS CT/MRI v2018 phrasings: APHE × washout × capsule × threshold growth × size × polarity.

Rules exercised: LIRADS.FEATURE.* and the diagnostic table (LIRADS.CAT.LR-3/4/5), LIRADS.CAT.LR-M,
LIRADS.CAT.LR-TIV, LIRADS.RULE.UNCERTAIN_FEATURE (an uncertain major feature counts as absent).
"""

from __future__ import annotations

import itertools
import random

from phrasings import Phrase, phrase
from phrasings.rads_oracle import lirads

SYSTEM = "LI-RADS-v2018"
PRE_EN = ("Cirrhotic liver. ", "Patient with chronic hepatitis B and cirrhosis. ", "MRI liver in a patient with cirrhosis. ",
          "Contrast-enhanced multiphase CT, cirrhosis. ")
PRE_ZH = ("肝硬化背景。", "慢性乙型肝炎肝硬化患者，上腹部增强MRI。")
APHE_EN = {"nonrim": ("nonrim arterial phase hyperenhancement", "non-rim APHE", "arterial phase hyperenhancement"),
           "none": ("no arterial phase hyperenhancement", "without APHE"),
           "rim": ("rim arterial phase hyperenhancement", "rim APHE")}
APHE_ZH = {"nonrim": ("动脉期非环形高强化", "动脉期明显高强化"), "none": ("动脉期未见高强化", "动脉期无明显强化"), "rim": ("动脉期环形强化",)}
WASH_EN = {True: ("nonperipheral washout", "washout on the portal venous phase"), False: ("no washout", "without washout")}
WASH_ZH = {True: ("门脉期廓清", "延迟期可见廓清"), False: ("未见廓清", "无廓清")}
CAPS_EN = {True: ("an enhancing capsule", "enhancing capsule appearance"), False: ("no capsule", "no enhancing capsule")}
CAPS_ZH = {True: ("可见强化包膜", "可见包膜"), False: ("未见包膜", "无强化包膜")}
TG_EN = {True: ("threshold growth",), False: ()}
TG_ZH = {True: ("符合阈值增长",), False: ()}
HEDGE_EN = {"washout": ("possible washout", "equivocal washout", "questionable washout"),
            "capsule": ("possible capsule", "equivocal capsule")}
HEDGE_ZH = {"washout": ("可疑廓清",), "capsule": ("可疑包膜",)}
SIZES = (8.0, 9.9, 10.0, 15.0, 19.9, 20.0, 28.0)


def _size(mm: float, r: random.Random, en: bool) -> str:
    if r.random() < 0.5:
        return f"{mm:g} mm" if en else f"{mm:g}mm"
    return (f"{mm / 10:g} cm" if en else f"{mm / 10:g}cm")


def _render(size: float, aphe: str, wash: object, caps: object, tg: bool, r: random.Random, en: bool) -> str:
    """``wash``/``caps``: True, False or "hedged". Affirmed features first, then the denied ones, as reports write them."""
    pos = [r.choice((APHE_EN if en else APHE_ZH)[aphe])] if aphe != "none" else []
    neg = [] if aphe != "none" else ["aphe"]
    hedged = []
    for value, name in ((wash, "washout"), (caps, "capsule")):
        if value == "hedged":
            hedged.append(r.choice((HEDGE_EN if en else HEDGE_ZH)[name]))
        elif value:
            pos.append(r.choice((WASH_EN if en else WASH_ZH)[True] if name == "washout" else (CAPS_EN if en else CAPS_ZH)[True]))
        elif r.random() < 0.85:
            neg.append(name)
    pos += list((TG_EN if en else TG_ZH)[tg])
    z = _size(size, r, en)
    if not en:
        words = {"aphe": "动脉期无明显强化", "washout": "未见廓清", "capsule": "未见包膜"}
        parts = pos + hedged + [words[n] for n in neg]
        return f"{r.choice(PRE_ZH)}肝{r.choice(('S7段', 'S6段', '右叶'))}见一结节，大小约{z}，{'，'.join(parts)}。"
    nouns = {"aphe": "arterial phase hyperenhancement", "washout": "washout", "capsule": "enhancing capsule"}
    denied = " or ".join(nouns[n] for n in neg)
    seg = r.choice(("segment 7", "segment VI", "segment 4a", "the right lobe"))
    body = pos + hedged
    if body:
        listed = ", ".join(body[:-1]) + " and " + body[-1] if len(body) > 1 else body[0]
        tail = "" if not neg else r.choice((f", without {denied}", f". No {denied}", f", but no {denied}", f". No {denied} is seen",
                                            f". No {denied} is identified"))
        return r.choice((f"{r.choice(PRE_EN)}A {z} observation in {seg} shows {listed}{tail}.",
                         f"{r.choice(PRE_EN)}Observation 1 ({seg}): {z}, {listed}{tail}."))
    return f"{r.choice(PRE_EN)}A {z} observation in {seg} shows no {denied}."


def cases() -> list[Phrase]:
    """Every LI-RADS phrase, deterministic."""
    out: list[Phrase] = []
    for lang in ("en", "zh"):
        en = lang == "en"
        r = random.Random(f"lirads-{lang}")
        grid = list(itertools.product(SIZES, ("nonrim", "none"), (True, False), (True, False), (True, False)))
        for size, aphe, wash, caps, tg in r.sample(grid, 90 if en else 40):
            cat = lirads(size, aphe, wash, caps, tg)
            form = "negated" if not (wash and caps) else "coordinated"
            out.append(phrase(SYSTEM, lang, f"LIRADS.CAT.{cat}", form, _render(size, aphe, wash, caps, tg, r, en), category=cat))
        for size, aphe, which, other in r.sample(list(itertools.product(SIZES, ("nonrim", "none"), ("washout", "capsule"), (True, False))),
                                                 20 if en else 8):
            wash: object = "hedged" if which == "washout" else other
            caps: object = "hedged" if which == "capsule" else other
            cat = lirads(size, aphe, wash is True, caps is True, False)
            out.append(phrase(SYSTEM, lang, "LIRADS.RULE.UNCERTAIN_FEATURE", "hedged", _render(size, aphe, wash, caps, False, r, en), category=cat))
        # Negation scope across coordination: the denial covers its own list, not the affirmed feature beside it.
        scope_en = ("shows nonrim APHE with no washout and an enhancing capsule", "shows nonrim APHE; no washout, but an enhancing capsule is seen",
                    "shows nonrim APHE, without washout, with an enhancing capsule", "shows nonrim APHE and an enhancing capsule but no washout",
                    "shows nonrim APHE; neither washout nor capsule", "shows nonrim APHE without washout or capsule")
        scope_zh = ("动脉期非环形高强化，未见廓清，但可见强化包膜", "动脉期非环形高强化，无廓清及包膜", "动脉期非环形高强化，可见包膜，未见廓清")
        for size in (8.0, 15.0, 25.0):
            for body in (scope_en if en else scope_zh):
                caps = "capsule is seen" in body or "an enhancing capsule" in body or "可见" in body
                text = (f"{r.choice(PRE_EN)}A {size:g} mm observation in segment 8 {body}." if en
                        else f"{r.choice(PRE_ZH)}肝S8段见一结节，大小约{size:g}mm，{body}。")
                out.append(phrase(SYSTEM, lang, "LIRADS.FEATURE.CAPSULE", "coordinated", text, category=lirads(size, "nonrim", False, caps, False)))
        for _ in range(10 if en else 3):
            size = r.choice(SIZES)
            out.append(phrase(SYSTEM, lang, "LIRADS.CAT.LR-M", "plain", _render(size, "rim", r.random() < 0.5, False, False, r, en), category="LR-M"))
        targetoid_en = ("A {z} targetoid observation in segment 5 with peripheral washout.",
                        "{z} observation with a targetoid appearance and rim APHE.")
        targetoid_zh = ("肝S5段见一结节，大小约{z}，呈靶样强化。",)
        for _ in range(4 if en else 2):
            z = _size(r.choice(SIZES), r, en)
            text = r.choice(PRE_EN if en else PRE_ZH) + r.choice(targetoid_en if en else targetoid_zh).format(z=z)
            out.append(phrase(SYSTEM, lang, "LIRADS.CAT.LR-M", "plain", text, category="LR-M"))
        tiv_en = ("Enhancing soft tissue within the right portal vein, consistent with tumour in vein.",
                  "Tumor in vein: enhancing tissue expanding the left portal vein.")
        tiv_zh = ("门静脉右支内见强化软组织影，考虑癌栓。", "门静脉主干瘤栓形成，可见强化。")
        notiv_en = (" The portal and hepatic veins are patent without tumour in vein.", " No tumor in vein.")
        notiv_zh = ("门静脉通畅，未见癌栓。",)
        for _ in range(5 if en else 3):
            size, aphe, wash, caps = r.choice(SIZES), "nonrim", r.random() < 0.5, r.random() < 0.5
            base = _render(size, aphe, wash, caps, False, r, en)
            out.append(phrase(SYSTEM, lang, "LIRADS.CAT.LR-TIV", "plain", base + " " + r.choice(tiv_en if en else tiv_zh), category="LR-TIV"))
            out.append(phrase(SYSTEM, lang, "LIRADS.CAT.LR-TIV", "negated", base + r.choice(notiv_en if en else notiv_zh),
                              category=lirads(size, aphe, wash, caps, False)))
    return out
