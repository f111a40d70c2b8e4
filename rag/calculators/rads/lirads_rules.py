"""LI-RADS CT/MRI v2018 as data: vocabulary, the diagnostic table and the ancillary features.

The diagnostic table is keyed by arterial-phase pattern and size band; each cell is the category
for 0, 1 or >=2 additional major features (enhancing capsule, nonperipheral washout, threshold
growth). The single irregular cell — nonrim APHE 10–19 mm with one feature — depends on which
feature it is, so that cell maps feature → category.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from rag.calculators.rads.scan import Vocab

__all__ = [
    "ANCILLARY",
    "ARTERIAL",
    "BENIGN",
    "CAPSULE",
    "LRM",
    "MODALITY",
    "NC",
    "ORDER",
    "POP_EXCLUDED",
    "POP_RISK",
    "TABLE",
    "TG",
    "TIV",
    "VALID",
    "WASHOUT",
    "TableRow",
    "table_row",
    "AGE",
    "STATED",
]

VALID = ("LR-NC", "LR-TIV", "LR-1", "LR-2", "LR-3", "LR-4", "LR-5", "LR-M")
ORDER = ("LR-1", "LR-2", "LR-3", "LR-4", "LR-5")  # the certainty ladder ancillary features move along
FEATURES = ("capsule", "washout", "threshold_growth")


@dataclass(frozen=True)
class TableRow:
    """One row of the diagnostic table: size band for an arterial pattern, categories by feature count."""

    rule_id: str
    aphe: str  # "nonrim" | "none"
    lo_mm: Decimal | None  # inclusive
    hi_mm: Decimal | None  # exclusive
    none: str
    one: str | dict[str, str]
    two_or_more: str


TABLE = (
    TableRow("LIRADS.TABLE.NOAPHE_LT20", "none", None, Decimal(20), "LR-3", "LR-3", "LR-4"),
    TableRow("LIRADS.TABLE.NOAPHE_GE20", "none", Decimal(20), None, "LR-3", "LR-4", "LR-4"),
    TableRow("LIRADS.TABLE.APHE_LT10", "nonrim", None, Decimal(10), "LR-3", "LR-4", "LR-4"),
    TableRow(
        "LIRADS.TABLE.APHE_10_19",
        "nonrim",
        Decimal(10),
        Decimal(20),
        "LR-3",
        {"capsule": "LR-4", "washout": "LR-5", "threshold_growth": "LR-5"},
        "LR-5",
    ),
    TableRow("LIRADS.TABLE.APHE_GE20", "nonrim", Decimal(20), None, "LR-4", "LR-5", "LR-5"),
)


def table_row(aphe: str, size_mm: Decimal) -> TableRow:
    """The table row for an arterial pattern and a size."""
    for row in TABLE:
        if (
            row.aphe == aphe
            and (row.lo_mm is None or size_mm >= row.lo_mm)
            and (row.hi_mm is None or size_mm < row.hi_mm)
        ):
            return row
    raise AssertionError(f"no LI-RADS table row for {aphe} {size_mm}")  # the bands cover every size


POP_RISK = Vocab(
    {
        "cirrhosis": [r"\bcirrho(?:sis|tic)\b", r"肝硬化"],
        "chronic HBV": [
            r"\bchronic (?:hepatitis B|HBV)(?: infection)?\b",
            r"\bHBV(?: infection| carrier)?\b",
            r"\bhepatitis B\b",
            r"\bHBsAg[- ]positive\b",
            r"乙(?:型)?肝",
            r"慢性乙型肝炎",
        ],
        "HCC": [
            r"\b(?:current|prior|previous|history of|treated|known) (?:HCC|hepatocellular carcinoma)\b",
            r"肝癌病史",
        ],
    }
)
POP_EXCLUDED = Vocab(
    {
        "congenital hepatic fibrosis": [r"\bcongenital hepatic fibrosis\b"],
        "vascular cause": [
            r"\b(?:cirrhosis (?:due to|from|secondary to) )?vascular (?:disorder|disease|cause|liver disease)\b",
            r"\bBudd[- ]Chiari\b",
            r"\bhereditary ha?emorrhagic telangiectasia\b",
            r"\bFontan\b",
            r"\bcardiac (?:hepatopathy|cirrhosis)\b",
            r"\bnodular regenerative hyperplasia\b",
        ],
        "no risk factor": [
            r"\bno (?:known )?(?:risk factors?|cirrhosis|chronic liver disease|liver disease)\b",
            r"\bhealthy (?:liver|volunteer|adult)\b",
            r"\bnormal liver\b",
            r"无肝硬化",
        ],
        "paediatric": [r"\bp(?:a)?ediatric\b", r"\binfant\b", r"儿童"],
    }
)
AGE = re.compile(
    r"\b(\d{1,3})[- ]?(?:years?|yrs?)[- ]?old\b|\bage[d]?\s*[:=]?\s*(\d{1,3})\b|\b(\d{1,3})\s*(?:y/?o|yo)\b|(\d{1,3})岁",
    re.I,
)
MODALITY = Vocab(
    {
        "CT": [r"\bCT\b", r"\bcomputed tomography\b", r"\bMDCT\b"],
        "MRI": [r"\bMRI?\b", r"\bmagnetic resonance\b", r"\bgadoxetate\b", r"磁共振"],
        "ultrasound": [
            r"\bCEUS\b",
            r"\bcontrast[- ]enhanced ultrasound\b",
            r"\bultrasound\b",
            r"\bsonograph(?:y|ic)\b",
        ],
    }
)
NC = Vocab(
    {
        "nc": [
            r"\bimage degradation\b",
            r"\bdegraded\b",
            r"\bomitted (?:phases?|sequences?)\b",
            r"\bomission\b",
            r"\btechnically (?:inadequate|limited|non-?diagnostic)\b",
            r"\bnon-?categori[sz]able\b",
            r"\bcannot be categori[sz]ed\b",
        ]
    }
)
TIV = Vocab(
    {
        "tiv": [
            r"\btumou?r in vein\b",
            r"\bTIV\b",
            r"\benhancing soft tissue in (?:the )?(?:main |right |left )?(?:portal|hepatic)(?: vein)?\b",
            r"\btumou?r (?:thrombus|thrombosis)\b",
            r"\b(?:portal|hepatic) vein (?:tumou?r )?(?:invasion|thrombus with enhancement)\b",
            r"\bmacrovascular invasion\b",
            r"癌栓",
            r"瘤栓",
        ],
        "bland": [r"\bbland thrombus\b", r"\bnon-?enhancing thrombus\b"],
    }
)
BENIGN = Vocab(
    {
        "LR-1": [
            r"\bdefinitely benign\b",
            r"\bsimple cysts?\b",
            r"\btypical ha?emangioma\b",
            r"\bperfusion (?:alteration|anomaly)\b",
            r"\bfocal fat (?:deposition|sparing)\b",
            r"\bhypertrophic pseudomass\b",
            r"\bconfluent fibrosis\b",
            r"\bfocal scar\b",
        ],
        "LR-2": [
            r"\bprobably benign\b",
            r"\b(?:probable|atypical) (?:ha?emangioma|cyst)\b",
            r"\bdistinctive (?:solid )?nodule without malignant features\b",
        ],
    }
)
LRM = Vocab(
    {
        "targetoid": [
            r"\btargetoid\b",
            r"\btarget (?:appearance|sign|restriction)\b",
            r"\bdelayed central enhancement\b",
            r"\bperipheral washout\b",
            r"靶(?:样|征)",
        ],
        "non-targetoid": [
            r"\binfiltrative\b",
            r"\bmarked diffusion restriction\b",
            r"\bnecrosis\b",
            r"\bsevere isch(?:a)?emia\b",
        ],
    }
)
ARTERIAL = Vocab(
    {
        "rim": [
            r"\brim (?:APHE|arterial(?: phase)? (?:hyper)?enhancement|hyperenhancement|enhancement)\b",
            r"\bperipheral rim(?: enhancement)?\b",
            r"^\s*rim\s*$",
            r"\barterial(?: phase)?(?: enhancement| pattern)?\s*[:=]\s*rim\b",
            r"(?<!非)环(?:形|状)(?:明显|显著)?(?:高)?强化",
            r"边缘(?:环状)?强化",
        ],
        "nonrim": [
            r"\bnon-?rim(?: APHE| arterial(?: phase)? hyperenhancement| hyperenhancement)?\b",
            r"\bAPHE\b",
            r"\b(?:arterial(?: phase)? )?hyper-?enhanc(?:ement|ing)\b",
            r"\barterial(?:ly)? enhancing\b",
            r"^\s*(?:yes|present|true|positive)\s*$",
            r"动脉期(?:呈)?(?:明显|显著|不均匀|均匀|较明显){0,2}(?:高)?强化",
            r"非环形(?:明显|显著)?(?:高)?强化",
            r"高强化",
        ],
        "none": [
            r"\b(?:hypo|iso)-?enhanc(?:ement|ing)\b",
            r"\bno (?:APHE|(?:arterial(?: phase)? )?hyper-?enhancement)\b",
            r"^\s*(?:none|no|absent|false|negative)\s*$",
            r"\barterial(?: phase)?(?: enhancement| pattern)?\s*[:=]\s*(?:none|no|absent)\b",
            r"\bwithout (?:APHE|arterial(?: phase)? hyperenhancement)\b",
            r"动脉期(?:未见|无)(?:明显)?(?:高)?强化",
            r"动脉期(?:呈)?(?:等|低)(?:强化|密度|信号)",
        ],
    }
)
WASHOUT = Vocab(
    {
        "washout": [r"\b(?:non-?peripheral )?wash-?out(?: appearance)?\b", r"廓清", r"快出"],
        "peripheral": [r"\bperipheral wash-?out\b"],
    }
)
CAPSULE = Vocab(
    {
        "enhancing": [r"\b(?:enhancing )?capsule\b", r"\bcapsular enhancement\b", r"\bpseudocapsule\b", r"包膜"],
        "nonenhancing": [r"\bnon-?enhancing capsule\b"],
    }
)
TG = Vocab(
    {
        "tg": [r"\bthreshold growth\b", r"\b(?:size )?increase (?:of |by )?(?:>=|≥|at least )?50 ?%", r"阈值(?:增长|生长)"],
        "subthreshold": [r"\bsub-?threshold growth\b"],
    }
)
ANCILLARY = Vocab(
    {
        "malignancy": [
            r"\bUS visibility\b",
            r"\bsub-?threshold growth\b",
            r"\b(?:restricted diffusion|diffusion restriction)\b",
            r"\bmild(?:-| to )moderate T2 hyperintensity\b",
            r"\bcorona enhancement\b",
            r"\bfat sparing in (?:a )?solid mass\b",
            r"\biron sparing\b",
            r"\btransitional[- ]phase hypointensity\b",
            r"\b(?:hepatobiliary|HBP)[- ]phase hypointensity\b",
            r"\bHBP hypointensity\b",
        ],
        "hcc": [
            r"\bnon-?enhancing capsule\b",
            r"\bnodule[- ]in[- ]nodule\b",
            r"\bmosaic architecture\b",
            r"\bblood products in (?:the )?mass\b",
            r"\bfat in (?:the )?mass\b",
            r"\bintralesional fat\b",
        ],
        "benign": [
            r"\bsize stability (?:>=|≥|of at least |for at least )?(?:2|two) (?:years|yr)\b",
            r"\bstable (?:for|over) (?:>=|≥|at least |more than )?(?:2|two) years\b",
            r"\bsize reduction\b",
            r"\bparallels blood pool\b",
            r"\bundistorted vessels\b",
            r"\biron in (?:the )?mass\b",
            r"\bmarked T2 hyperintensity\b",
            r"\b(?:hepatobiliary|HBP)[- ]phase isointensity\b",
        ],
    }
)
STATED = re.compile(
    r"\bLR-?\s?(NC|TIV|TR\s*[A-Za-z0-9]+|M|\d+[A-Za-z]?)(?![A-Za-z0-9])|\bLI-?RADS\s*(?:v?2018\s*)?(?:category\s*)?[:=]?\s*"
    r"(\d+[A-Za-z]?)(?![A-Za-z0-9]|\.\d)",
    re.I,
)
