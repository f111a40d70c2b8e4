"""Corpus general rules (``.RULE.`` ids) that no calculator cites, each with the reason it need not.

Every ``.RULE.`` id the corpus defines is either cited by some calculator path (a literal in
``rag/calculators``, or a :mod:`rag.calculators.staging.context_rules` entry) or listed here.
``tests/test_rule_coverage.py`` fails when a new rule is neither, so a rule added to the corpus is a
decision: wire it into a calculator, or say here why it is reference text for the answer engine.
"""

from __future__ import annotations

__all__ = ["INFORMATIONAL"]

_ZH = "Chinese restatement of the English rule; calculators cite the English passage"
_HISTORY = "edition history for answers; a calculator stages in one edition and never needs it"
_OUT_OF_SCOPE = "site or system without a calculator here; reference text for answers"
_SCOPE = "scope statement (which tumours the system covers); choosing the system implies it"
_READING = "guides how findings are read (descriptor level); the category definition it leads to is what a result cites"

INFORMATIONAL: dict[str, str] = {
    "BREAST8.RULE.PN_DEPOSIT_SIZE": _READING + " (BREAST8.PN.*)",
    "CERVIX8.RULE.LOWER_WHEN_IN_DOUBT": _READING + " (a doubtful finding is read as the lower stage)",
    "CERVIX8.RULE.EDITION": _HISTORY + " (FIGO 2014 versus 2018)",
    "CERVIX8.RULE.IMAGING_PATHOLOGY": _READING + " (which source of size and extent takes precedence)",
    "CERVIX8.RULE.NON_STAGING_FEATURES": _READING + " (features that must not change the stage)",
    "CERVIX8.RULE.R_P_NOTATION": "IIIC r/p suffix records how nodes were assessed; the group is the same either way",
    "CRC8.RULE.ADHERENCE": _READING + " (cT4b versus pT by depth)",
    "CRC8.RULE.NODE_COUNT": _READING + " (what makes a node positive; ≥12 nodes examined is a quality measure)",
    "ESOPH8.RULE.PT1_SUBCATEGORY": "explains why pT1 N0 asks for T1a/T1b; the missing-input mechanism reports it",
    "PANC8.RULE.SIZE": _READING + " (greatest dimension, bounds); each size-derived T cites its definition",
    "TIRADS.RULE.GROWTH": "follow-up growth criterion; it does not enter the points or the TR level",
    "GIST8.RULE.RISK_ASSESSMENT": "clinical risk assessment outside AJCC staging; reference text for answers",
    "KIDNEY8.RULE.ADRENAL": _READING + " (contiguous adrenal growth T4, separate deposit M1)",
    "KIDNEY8.RULE.CONFINED": _READING + " (T1/T2 only while confined to the kidney)",
    "KIDNEY8.RULE.VEIN_PROGNOSIS": "prognostic remark; it changes no category or group",
    "LIRADS.RULE.TIE_BREAK": "guidance for a reader torn between two categories; the algorithm itself is deterministic",
    "LIVER8.RULE.OTHER_SYSTEMS": "BCLC and other non-TNM systems; reference text for answers",
    "LIVER8.RULE.SOLITARY_MULTIPLE": _READING + " (solitary versus multiple tumours)",
    "LUNG8.RULE.CHANGES_FROM_7TH_M": _HISTORY,
    "LUNG8.RULE.CHANGES_FROM_7TH_T": _HISTORY,
    "LUNG8.RULE.MULTIFOCAL": _READING + " (highest T with (m)); TNM8.RULE.MULTIPLE_TUMOURS is cited for (m)",
    "LUNG8.RULE.PNEUMONIC_TYPE": _READING + " (same lobe T3, other lobe T4, contralateral M1a)",
    "LUNG9.RULE.CHANGES_FROM_8TH_STAGE": _HISTORY,
    "LUNG9.RULE.CHANGES_FROM_8TH_TNM": _HISTORY,
    "LUNG9.RULE.MULTIFOCAL": _READING + " (highest T with (m)); TNM8.RULE.MULTIPLE_TUMOURS is cited for (m)",
    "LUNG9.RULE.PNEUMONIC_TYPE": _READING + " (same lobe T3, other lobe T4, contralateral M1a)",
    "MESO8.RULE.HISTOLOGY": _OUT_OF_SCOPE + " (mesothelioma)",
    "NET.RULE.MEASUREMENT": "how Ki-67 and mitoses are counted; the grading rows cite the thresholds",
    "PANC8.RULE.RESECTABILITY": "treatment planning categories outside TNM; reference text for answers",
    "PROSTATE8.RULE.MULTIPLE_M_SITES": _READING + " (most advanced M); the M definition is cited",
    "PROSTATE8.RULE.NO_PT1": "explains why pT1 is rejected as input (an error, so there is no result to cite)",
    "STOMACH8.RULE.ADJACENT_STRUCTURES": _READING + " (which structures make T4b)",
    "STOMACH8.RULE.LIGAMENT_OMENTUM": _READING + " (T3 versus T4a through ligaments and omentum)",
    "STS8.RULE.HEAD_NECK_T": _OUT_OF_SCOPE + " (soft tissue sarcoma)",
    "STS8.RULE.SITE": _OUT_OF_SCOPE + " (soft tissue sarcoma)",
    "STS8.RULE.VISCERAL_T": _OUT_OF_SCOPE + " (soft tissue sarcoma)",
    "THYMUS8.RULE.LEVEL_OF_INVASION": _OUT_OF_SCOPE + " (thymus)",
    "THYMUS8.RULE.WHO_HISTOLOGY": _OUT_OF_SCOPE + " (thymus)",
    "TNM8.RULE.CATEGORIES": "what T, N and M mean in general; each result cites the site's own definitions",
    "TNM8.RULE.NO_MX": "explains why MX is not a category; an MX input leaves M unknown and asks for it",
    "TNM8.RULE.RESIDUAL": "R classification is not part of T, N, M or the stage group",
    "TNM8.RULE.SIZE_BOUNDS": _READING + " (≤ inclusive, > exclusive); every size-derived T cites its own definition",
    "TNM8.RULE.STAGE_AT_DIAGNOSIS": "record-keeping rule for answers; a calculation is always for the input given",
    "CRC8.RULE.SCOPE": _SCOPE,
    "ESOPH8.RULE.SCOPE": _SCOPE,
    "KIDNEY8.RULE.SCOPE": _SCOPE,
    "LIVER8.RULE.SCOPE": _SCOPE,
    "LUNG8.RULE.SCOPE": _SCOPE,
    "LUNG9.RULE.SCOPE": _SCOPE,
    "MESO8.RULE.SCOPE": _SCOPE,
    "NET.RULE.SCOPE": _SCOPE,
    "PANC8.RULE.SCOPE": _SCOPE,
    "STOMACH8.RULE.SCOPE": _SCOPE,
    "THYMUS8.RULE.SCOPE": _SCOPE,
    "LR22.RULE.SCOPE": _SCOPE + " (named in the out-of-scope error message)",
    "ZHLR22.RULE.EXAM_CATEGORY": _ZH,
    "ZHLR22.RULE.GROWTH": _ZH,
    "ZHLR22.RULE.MEAN_DIAMETER": _ZH,
    "ZHLR22.RULE.SCOPE": _ZH,
    "ZHLR22.RULE.STEPDOWN": _ZH,
    "ZHLUNG8.RULE.ADDITIONAL_NODULES": _ZH,
    "ZHLUNG8.RULE.PART_SOLID": _ZH,
    "ZHLUNG8.RULE.SIZE": _ZH,
    "ZHTIRADS.RULE.GROWTH": _ZH,
    "ZHTIRADS.RULE.MULTIPLE_NODULES": _ZH,
    "ZHTIRADS.RULE.ONE_POINT": _ZH,
    "ZHTIRADS.RULE.SIZE": _ZH,
    "ZHTIRADS.RULE.SPONGIFORM": _ZH,
    "ZHCRC8.RULE.TUMOUR_DEPOSITS": _ZH,
    "ZHLR22.RULE.AIRWAY_INFECTION": _ZH,
    "ZHLR22.RULE.SLOW_GROWTH": _ZH,
    "ZHLUNG8.ED9.RULE.CHANGED_CELLS": _ZH,
    "ZHLUNG8.ED9.RULE.UNCHANGED": _ZH,
    "ZHLUNG8.RULE.CHANGES_FROM_7TH": _ZH,
    "ZHLUNG8.RULE.EDITION": _ZH,
    "ZHLUNG8.RULE.HISTOLOGY": _ZH,
    "ZHLUNG8.RULE.MULTIFOCAL": _ZH,
    "ZHLUNG8.RULE.NODAL_LATERALITY": _ZH,
    "ZHLUNG8.RULE.PNEUMONIC": _ZH,
    "ZHLUNG8.RULE.SUBSOLID": _ZH,
    "ZHSTOMACH8.RULE.ADJACENT_STRUCTURES": _ZH,
    "ZHSTOMACH8.RULE.INTRAMURAL_EXTENSION": _ZH,
    "ZHSTOMACH8.RULE.LIGAMENT_OMENTUM": _ZH,
}
