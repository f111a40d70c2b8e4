"""PI-RADS v2.1 phrasings: zone × T2W × DWI × DCE, stated as scores or as the v2.1 descriptions.

Rules exercised: PIRADS.PZ.*, PIRADS.TZ.*, PIRADS.RULE.DCE_PZ, PIRADS.RULE.DCE_TZ, PIRADS.DWI.* and
PIRADS.T2W_TZ.* from their descriptions, PIRADS.RULE.SIZE_BOUNDARY.
"""

from __future__ import annotations

import itertools
import random

from phrasings import Phrase, phrase
from phrasings.rads_oracle import pirads

SYSTEM = "PI-RADS-v2.1"
ZONE_EN = {"PZ": ("left posterolateral peripheral zone", "right peripheral zone (PZ)", "PZ at the mid gland"),
           "TZ": ("right anterior transition zone", "left transition zone (TZ)", "TZ at the apex")}
ZONE_ZH = {"PZ": ("左侧外周带", "右侧外周带"), "TZ": ("右侧移行带", "移行带前部")}
DCE_EN = {"positive": ("DCE positive", "positive DCE", "early focal enhancement on DCE"), "negative": ("DCE negative", "negative DCE",
          "no early enhancement on DCE")}
DCE_ZH = {"positive": ("DCE阳性", "动态增强早期局灶强化"), "negative": ("DCE阴性", "动态增强未见早期强化")}
DWI_DESC_EN = {
    5: ("focal, markedly hypointense on ADC and markedly hyperintense on high b-value DWI, measuring {big}",),
    4: ("focal, markedly hypointense on ADC and markedly hyperintense on high b-value images, measuring {small}",),
    3: ("focal, mildly hypointense on ADC and isointense on high b-value images", "focal, moderately hypointense on ADC"),
    2: ("linear hypointensity on the ADC map", "wedge-shaped low signal on ADC"),
}
DWI_DESC_ZH = {5: ("局灶性病灶，ADC图呈明显低信号，高b值DWI呈明显高信号，大小约{big}",),
               4: ("局灶性病灶，ADC图呈明显低信号，高b值DWI呈明显高信号，大小约{small}",),
               3: ("局灶性病灶，ADC呈轻度低信号，高b值DWI呈等信号",),
               2: ("ADC呈线样低信号",)}
T2_DESC_EN = {1: ("a round, completely encapsulated nodule on T2W",), 2: ("a mostly encapsulated nodule on T2W",),
              3: ("heterogeneous signal with obscured margins on T2W",),
              4: ("a lenticular, homogeneous, moderately hypointense lesion on T2W measuring {small}",),
              5: ("a lenticular, homogeneous, moderately hypointense lesion on T2W measuring {big}",)}

T2_DESC_ZH = {1: ("T2WI呈圆形、完全包膜的结节",), 2: ("T2WI呈大部分有包膜的结节",), 3: ("T2WI信号不均匀，边缘模糊",),
              4: ("T2WI呈透镜状、均匀中等低信号，大小约{small}",), 5: ("T2WI呈透镜状、均匀中等低信号，大小约{big}",)}


def _scores_en(zone: str, t2: int, dwi: int, dce: str, r: random.Random) -> str:
    z = r.choice(ZONE_EN[zone])
    d = r.choice(DCE_EN[dce])
    return r.choice((f"Lesion in the {z}, 1.1 cm: T2W {t2}, DWI {dwi}, {d}.",
                     f"{z.capitalize()} lesion measuring 9 mm. T2W score: {t2}. DWI score: {dwi}. {d}.",
                     f"Index lesion, {z}: T2-weighted score {t2}, diffusion score {dwi}; {d}."))


def _scores_zh(zone: str, t2: int, dwi: int, dce: str, r: random.Random) -> str:
    return f"{r.choice(ZONE_ZH[zone])}见一病灶，大小约1.1cm，T2WI评分{t2}分，DWI评分{dwi}分，{r.choice(DCE_ZH[dce])}。"


def cases() -> list[Phrase]:
    """Every PI-RADS phrase, deterministic."""
    out: list[Phrase] = []
    for lang in ("en", "zh"):
        en = lang == "en"
        r = random.Random(f"pirads-{lang}")
        grid = list(itertools.product(("PZ", "TZ"), range(1, 6), range(1, 6), ("positive", "negative")))
        for zone, t2, dwi, dce in grid:
            text = _scores_en(zone, t2, dwi, dce, r) if en else _scores_zh(zone, t2, dwi, dce, r)
            cat = pirads(zone, t2, dwi, dce)
            rule = "PIRADS.RULE.DCE_PZ" if zone == "PZ" and dwi == 3 else f"PIRADS.{zone}.{cat}"
            out.append(phrase(SYSTEM, lang, rule, "plain", text, category=cat))
            if rule == "PIRADS.TZ.2":  # only six score combinations give TZ 2: render each twice
                text = _scores_en(zone, t2, dwi, dce, r) if en else _scores_zh(zone, t2, dwi, dce, r)
                out.append(phrase(SYSTEM, lang, rule, "plain", text, category=cat))
        # DWI from its description (PZ), DCE stated; size 1.5 cm is inclusive.
        for dwi, dce in itertools.product((2, 3, 4, 5), ("positive", "negative")):
            for _ in range(5 if en else 2):
                desc = r.choice((DWI_DESC_EN if en else DWI_DESC_ZH)[dwi])
                big, small = r.choice(("1.5 cm", "1.8 cm", "16 mm")), r.choice(("1.2 cm", "0.9 cm", "14 mm"))
                if not en:
                    big, small = big.replace(" ", ""), small.replace(" ", "")
                desc = desc.format(big=big, small=small)
                zone_txt = r.choice((ZONE_EN if en else ZONE_ZH)["PZ"])
                dce_txt = r.choice((DCE_EN if en else DCE_ZH)[dce])
                text = f"Lesion in the {zone_txt}: {desc}; {dce_txt}." if en else f"{zone_txt}病灶：{desc}，{dce_txt}。"
                out.append(phrase(SYSTEM, lang, f"PIRADS.DWI.{dwi}", "plain", text, category=pirads("PZ", None, dwi, dce)))
        # EPE gives DWI 5 at any size.
        for _ in range(3 if en else 1):
            text = ("Lesion in the left peripheral zone, 1.0 cm, focal and markedly hypointense on ADC and markedly hyperintense on high "
                    "b-value images, with definite extraprostatic extension; DCE negative." if en else
                    "左侧外周带病灶，约1.0cm，局灶性，ADC图呈明显低信号，高b值DWI呈明显高信号，伴包膜外侵犯，DCE阴性。")
            out.append(phrase(SYSTEM, lang, "PIRADS.DWI.5", "plain", text, category="5"))
        # TZ T2W from its description with a stated DWI score; DCE stated and never matters.
        for t2, dwi, dce in itertools.product(range(1, 6), (2, 4, 5), ("positive", "negative")):
            for _ in range(2 if en else 1):
                if en:
                    desc = r.choice(T2_DESC_EN[t2]).format(big=r.choice(("1.5 cm", "2.1 cm")), small=r.choice(("1.1 cm", "8 mm")))
                    text = f"Lesion in the {r.choice(ZONE_EN['TZ'])}: {desc}. DWI score {dwi}. {r.choice(DCE_EN[dce])}."
                else:
                    desc = r.choice(T2_DESC_ZH[t2]).format(big=r.choice(("1.5cm", "2.1cm")), small=r.choice(("1.1cm", "8mm")))
                    text = f"{r.choice(ZONE_ZH['TZ'])}病灶：{desc}，DWI评分{dwi}分，{r.choice(DCE_ZH[dce])}。"
                out.append(phrase(SYSTEM, lang, f"PIRADS.T2W_TZ.{t2}", "plain", text, category=pirads("TZ", t2, dwi, dce)))
        # Negated DCE wording and hedged DWI: a hedge leaves the score missing, never a guess.
        hedges = (("Lesion in the right peripheral zone, 1.0 cm: DWI 3; possible early enhancement on DCE.", (None,)),
                  ("Left peripheral zone lesion: DWI score 3, DCE equivocal.", (None,)),
                  ("Transition zone lesion, T2W 3, DWI possibly 5.", (None,))) if en else \
                 (("右侧外周带病灶，DWI评分3分，动态增强可疑早期强化。", (None,)),)
        for text, cat in hedges:
            out.append(phrase(SYSTEM, lang, "PIRADS.RULE.DCE_PZ", "hedged", text, category=cat))
    return out
