"""ACR TI-RADS (2017) as data: feature vocabulary (English and Chinese), points, levels, size cut-offs.

Points per feature and the level chart follow DOMAIN §7; sizes are maximum diameters in cm and
every cut-off is inclusive (">= 1.5 cm"). Echogenic foci are the one multi-select feature: the
points of every type present are added.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from rag.calculators.rads.scan import Vocab

__all__ = ["FEATURES", "LEVELS", "Level", "POINTS", "STATED_LEVEL", "VALID_LEVELS", "level_for"]

FEATURES: dict[str, Vocab] = {
    "composition": Vocab(
        {
            "spongiform": [r"\bspongiform\b", r"海绵(?:状|样)"],
            "cystic": [
                r"(?<!partially )(?<!partly )(?<!predominantly )(?<!mostly )(?<!largely )"
                r"\b(?:purely |entirely |almost (?:completely |entirely )?)?cystic\b"
                r"(?![- /]*(?:and|or|with)?[- /]*solid)(?! component)",
                r"\bsimple cyst\b",
                r"(?<!实)囊性(?!实)",
            ],
            "mixed": [
                r"\bmixed(?: cystic(?: and |[- /])solid| solid(?: and |[- /])cystic| composition)?\b",
                r"\b(?:predominantly |partially )?(?:cystic(?: and |[- /])solid|solid(?: and |[- /])cystic)\b",
                r"\b(?:predominantly|mostly|largely) (?:solid|cystic)\b",  # both are "mixed cystic and solid" in the ACR lexicon
                r"\bpart(?:ial)?ly (?:cystic|solid)\b",
                # "predominantly cystic nodule with a small solid component": cystic with solid parts is mixed
                r"\b(?:predominantly |mostly |largely )?cystic\b[^.;]{0,40}?\bsolid (?:component|portion|part|areas?|elements?)\b",
                r"\bcomplex cyst(?:ic)?\b",
                r"\bcystic[- ]solid\b",
                r"囊实性",
                r"混合性",
                r"(?:囊性|实性)为主",  # predominantly cystic / solid: both are mixed cystic and solid
                r"囊实混合",
            ],
            "solid": [
                r"\b(?:almost (?:completely |entirely )?|entirely |completely |purely )?solid\b"
                r"(?!\s*(?:component|portion|part|areas?|elements?)\b)",
                r"\bcomposition (?:cannot be|can ?not be|not) (?:determined|assessed)\b",
                r"(?<!囊)实性(?!成分|部分|为主)",
            ],
        }
    ),
    "echogenicity": Vocab(
        {
            "anechoic": [r"\banechoic\b", r"(?<!极)无回声"],
            "iso-hyperechoic": [
                r"\b(?:iso|hyper)-?echoic\b",
                r"\b(?:iso|hyper)-?echogenic\b",
                r"\b(?:iso|hyper)echo(?:genicity)?\b",
                r"\becho(?:genicity|genecity)? (?:cannot be|not) (?:determined|assessed)\b",
                r"\bindeterminate echogenicity\b",
                r"等回声",
                r"高回声",
            ],
            "hypoechoic": [
                r"\b(?:mildly |slightly )?hypo-?echoic\b",
                r"\bhypo-?echogenic\b",
                r"(?<!极)(?<!明显)低回声",
            ],
            "very-hypoechoic": [
                r"\b(?:very|markedly|marked|severely) hypo-?echoic\b",
                r"\bhypoechoic (?:relative|compared) to (?:the )?(?:strap )?muscles?\b",
                r"\bless echogenic than (?:the )?strap muscles?\b",
                r"极低回声",
                r"明显低回声",
            ],
        }
    ),
    "shape": Vocab(
        {
            "wider-than-tall": [
                r"\bwider[- ]than[- ]tall\b",
                r"\bparallel (?:orientation|to the skin)\b",
                r"纵横比\s*(?:小于|<|＜|≤|<=)\s*1",
                r"横径大于前后径",
            ],
            "taller-than-wide": [
                r"\btaller[- ]than[- ]wide\b",
                r"\bnon-?parallel orientation\b",
                r"\bAP (?:diameter )?(?:greater|larger) than (?:the )?transverse\b",
                r"纵横比\s*(?:大于|>|＞|≥|>=)\s*1",
                r"前后径大于横径",
            ],
        }
    ),
    "margin": Vocab(
        {
            "smooth": [
                r"\bsmooth(?: margins?)?\b",
                r"\bwell[- ](?:defined|circumscribed)\b",
                r"\bcircumscribed\b",
                r"边缘光滑",
                r"边缘光整",
                r"边界清(?:晰|楚)?(?!欠)",
                r"光整",
            ],
            "ill-defined": [
                r"\bill[- ]defined\b",
                r"\bpoorly[- ]defined\b",
                r"\bindistinct\b",
                r"\bblurred\b",
                r"边界不清(?:晰|楚)?",
                r"边界欠清(?:晰|楚)?",
                r"边缘欠清(?:晰|楚)?",
                r"边缘模糊",
                r"边界模糊",
            ],
            "lobulated": [r"\blobulated\b", r"\bmicrolobulated\b", r"分叶"],
            "irregular": [
                r"\birregular\b",
                r"\bspiculated\b",
                r"\bjagged\b",
                r"\bangular\b",
                r"边(?:缘|界)(?:呈)?不规则",
                r"(?<!形态)(?<!形状)(?<!外形)不规则(?:边缘|边界)",  # "形态不规则" is shape, not a TI-RADS margin
                r"轮廓不规则",
                r"边缘成角",
                r"毛刺",
            ],
            "extrathyroidal-extension": [
                r"\bextra-?thyroidal (?:extension|invasion|spread)\b",
                r"\bETE\b",
                r"\binva(?:des|sion of) (?:the )?(?:strap muscles?|trachea|adjacent (?:soft )?tissues?)\b",
                r"(?:甲状腺|腺体?|被膜)外(?:侵犯|浸润|延伸)",
                r"侵犯(?:甲状腺)?被膜外",
            ],
        }
    ),
    "echogenic_foci": Vocab(
        {
            "none": [
                r"\bechogenic foci\s*[:=]\s*(?:none|absent|no)\b",
                r"\b(?:echogenic foci|calcifications?) (?:are |is |were )?(?:absent|not (?:seen|present|identified|demonstrated))\b",
                r"^\s*(?:none|no|absent|nil)\s*$",
                r"\bno (?:echogenic foci|calcifications?|microcalcifications?|calcific foci)\b",
                r"无(?:强回声|钙化)",
                r"(?:未见|未探及|不伴|无明显)(?:明显)?(?:钙化|强回声(?:灶|光点)?)",
            ],
            "large-comet-tail": [r"\b(?:large )?comet[- ]tail(?: artifacts?| artefacts?)?\b", r"彗星尾"],
            "macrocalcification": [
                r"\bmacro-?calcifications?\b",
                r"\bcoarse (?:\w+ )?calcifications?\b",
                r"\bcalcifications? with (?:posterior )?(?:acoustic )?shadowing\b",
                r"\blarge calcifications?\b",
                r"粗大钙化",
                r"粗钙化",
                r"大钙化",
            ],
            "rim-calcification": [
                r"\b(?:peripheral|rim|eggshell|egg-shell) calcifications?\b",
                r"\bperipheral \(rim\) calcifications?\b",
                r"\brim[- ]calcified\b",
                r"环状钙化",
                r"边缘钙化",
                r"周边钙化",
                r"蛋壳样钙化",
            ],
            "punctate": [
                r"\bpunctate (?:echogenic )?(?:foci|focus|calcifications?)\b",
                r"\bmicro-?calcifications?\b",
                r"\bpsammomatous calcifications?\b",
                r"\bpunctate\b",
                r"点状强回声",
                r"微钙化",
                r"砂砾样?钙化",
            ],
        }
    ),
}

POINTS: dict[str, dict[str, int]] = {
    "composition": {"cystic": 0, "spongiform": 0, "mixed": 1, "solid": 2},
    "echogenicity": {"anechoic": 0, "iso-hyperechoic": 1, "hypoechoic": 2, "very-hypoechoic": 3},
    "shape": {"wider-than-tall": 0, "taller-than-wide": 3},
    "margin": {"smooth": 0, "ill-defined": 0, "lobulated": 2, "irregular": 2, "extrathyroidal-extension": 3},
    "echogenic_foci": {
        "none": 0,
        "large-comet-tail": 0,
        "macrocalcification": 1,
        "rim-calcification": 2,
        "punctate": 3,
    },
}

# Zero-point values assumed for a purely cystic nodule when the report leaves a feature out.
CYSTIC_DEFAULTS = {"echogenicity": "anechoic", "shape": "wider-than-tall", "margin": "smooth", "echogenic_foci": "none"}


@dataclass(frozen=True)
class Level:
    """One row of the chart: point range, FNA and follow-up size cut-offs (cm, inclusive)."""

    label: str
    min_points: int
    max_points: int | None
    fna_cm: Decimal | None
    follow_up_cm: Decimal | None
    schedule: str


LEVELS = (
    Level("TR1", 0, 0, None, None, "no FNA"),
    Level("TR2", 2, 2, None, None, "no FNA"),
    Level("TR3", 3, 3, Decimal("2.5"), Decimal("1.5"), "follow-up ultrasound at 1, 3 and 5 years"),
    Level("TR4", 4, 6, Decimal("1.5"), Decimal("1.0"), "follow-up ultrasound at 1, 2, 3 and 5 years"),
    Level("TR5", 7, None, Decimal("1.0"), Decimal("0.5"), "follow-up ultrasound every year for 5 years"),
)
VALID_LEVELS = tuple(lv.label for lv in LEVELS)
STATED_LEVEL = re.compile(
    r"\b(?:ACR[- ])?TI-?RADS\s*(?:category|level|cat\.?)?\s*[:=]?\s*(?:TR)?\s*-?(\d+)(?!\d|\.\d)"
    r"|\bTR\s*-?(\d+)\b",
    re.I,
)


def level_for(points: int) -> Level | None:
    """The chart row for a point total; None for 1 point, which the chart does not list."""
    for lv in LEVELS:
        if points >= lv.min_points and (lv.max_points is None or points <= lv.max_points):
            return lv
    return None
