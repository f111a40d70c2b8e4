"""Lung (NSCLC, small-cell, carcinoid) stage groups: AJCC/UICC 8th and IASLC/UICC/AJCC 9th.

Both editions share one descriptor pipeline (``lung_text.py``); only the N2 and M1c splits and the
grids differ. AJCC8-lung answers in the 8th and shows the 9th where its group differs; TNM9-lung
answers in the 9th and shows the 8th (DOMAIN §13 edition policy).
"""

from __future__ import annotations

import re
from functools import partial

from rag.calculators.staging import lung_rules, lung_text
from rag.calculators.staging.site import SiteSpec
from rag.calculators.staging.table import StageTable, row

_T8 = ("TX", "T0", "Tis", "T1mi", "T1", "T1a", "T1b", "T1c", "T2", "T2a", "T2b", "T3", "T4")
_ALL_T = _T8
_N8 = ("NX", "N0", "N1", "N2", "N3")
_N9 = ("NX", "N0", "N1", "N2", "N2a", "N2b", "N3")
_M8 = ("M0", "M1", "M1a", "M1b", "M1c")
_M9 = ("M0", "M1", "M1a", "M1b", "M1c", "M1c1", "M1c2")


def _grid(prefix: str, columns: tuple[str, ...], grid: dict[str, tuple[str, ...]]) -> list:
    """M0 rows of a T × N grid; every cell of a T row cites ``<prefix>.STAGE.<T>``."""
    return [row(f"{prefix}.STAGE.{t}", stage, t, n, "M0")
            for t, stages in grid.items() for n, stage in zip(columns, stages, strict=True)]


def _m1_rows(prefix: str, groups: dict[str, str], n_all: tuple[str, ...]) -> list:
    return [row(f"{prefix}.STAGE.{m}", stage, _ALL_T, n_all, m) for m, stage in groups.items()]


_LUNG8_ROWS = (
    row("LUNG8.STAGE.TX", "Occult carcinoma", "TX", "N0", "M0"),
    row("LUNG8.STAGE.Tis", "0", "Tis", "N0", "M0"),
    *_grid("LUNG8", ("N0", "N1", "N2", "N3"), {
        "T1mi": ("IA1", "IIB", "IIIA", "IIIB"),
        "T1a": ("IA1", "IIB", "IIIA", "IIIB"),
        "T1b": ("IA2", "IIB", "IIIA", "IIIB"),
        "T1c": ("IA3", "IIB", "IIIA", "IIIB"),
        "T2a": ("IB", "IIB", "IIIA", "IIIB"),
        "T2b": ("IIA", "IIB", "IIIA", "IIIB"),
        "T3": ("IIB", "IIIA", "IIIB", "IIIC"),
        "T4": ("IIIA", "IIIA", "IIIB", "IIIC"),
    }),
    *_m1_rows("LUNG8", {"M1a": "IVA", "M1b": "IVA", "M1c": "IVB"}, _N8),
)

_LUNG9_ROWS = (
    row("LUNG9.STAGE.TX", "Occult carcinoma", "TX", "N0", "M0"),
    row("LUNG9.STAGE.Tis", "0", "Tis", "N0", "M0"),
    *_grid("LUNG9", ("N0", "N1", "N2a", "N2b", "N3"), {
        "T1mi": ("IA1", "IIA", "IIB", "IIIA", "IIIB"),
        "T1a": ("IA1", "IIA", "IIB", "IIIA", "IIIB"),
        "T1b": ("IA2", "IIA", "IIB", "IIIA", "IIIB"),
        "T1c": ("IA3", "IIA", "IIB", "IIIA", "IIIB"),
        "T2a": ("IB", "IIB", "IIIA", "IIIB", "IIIB"),
        "T2b": ("IIA", "IIB", "IIIA", "IIIB", "IIIB"),
        "T3": ("IIB", "IIIA", "IIIA", "IIIB", "IIIC"),
        "T4": ("IIIA", "IIIA", "IIIB", "IIIB", "IIIC"),
    }),
    *_m1_rows("LUNG9", {"M1a": "IVA", "M1b": "IVA", "M1c1": "IVB", "M1c2": "IVB"}, _N9),
)

LUNG8_TABLE = StageTable("AJCC8-lung", "AJCC 8th edition", _T8, _N8, _M8, _LUNG8_ROWS)
LUNG9_TABLE = StageTable("TNM9-lung", "UICC/AJCC 9th edition (IASLC)", _T8, _N9, _M9, _LUNG9_ROWS)

_NEEDS = {
    "T": "T: primary tumour greatest dimension (mm) or extent of invasion",
    "N": "N: regional lymph node status (involved stations and side)",
    "M": "M: distant metastasis status (M0 if none)",
}
_NINTH = re.compile(r"(?i)\b(?:9th|ninth|version\s*9|v9|IASLC\s*2025)\b|第九版")
_EIGHTH = re.compile(r"(?i)\b(?:8th|eighth)\b|第八版")
_DATE_2025 = re.compile(r"(?<!\d)20(?:2[5-9]|[3-9]\d)(?:[-/.](?:0?[1-9]|1[0-2]))?(?!\d)")
_DATE_CUE = re.compile(r"(?i)diagnos|date|biops|resect|surgery|operat|year|诊断|日期|年")


def _dated_2025(text: str) -> bool:
    for m in _DATE_2025.finditer(text):
        window = text[max(0, m.start() - 40):m.end() + 10]
        if _DATE_CUE.search(window) and not re.search(r"(?i)IASLC\s*$", text[max(0, m.start() - 7):m.start()]):
            return True
    return False


def _notes8(text: str) -> tuple[str, ...]:
    notes = []
    if _NINTH.search(text):
        notes.append("The text asks for the 9th edition: use system TNM9-lung; its grouping is in "
                     "other_editions. This answer uses the AJCC 8th edition.")
    if _dated_2025(text):
        notes.append("The text dates the case to 2025 or later: the 9th edition (AJCC Version 9) applies "
                     "to diagnoses from 1 January 2025; its grouping is in other_editions.")
    return tuple(notes)


def _notes9(text: str) -> tuple[str, ...]:
    if _EIGHTH.search(text) and not _NINTH.search(text):
        return ("The text mentions the 8th edition: the 8th-edition grouping is in other_editions; "
                "this answer uses the 9th edition.",)
    return ()


_LABEL_NOTES = {"T2c": "lung T2 has only T2a and T2b", "T3a": "lung T3 has no subcategories",
                "T3b": "lung T3 has no subcategories", "T4a": "lung T4 has no subcategories",
                "T4b": "lung T4 has no subcategories", "N2a": "N2a/N2b exist only in the 9th edition",
                "N2b": "N2a/N2b exist only in the 9th edition",
                "M1c1": "M1c1/M1c2 exist only in the 9th edition", "M1c2": "M1c1/M1c2 exist only in the 9th edition",
                "M1d": "lung M1 has M1a-M1c only"}

LUNG8 = SiteSpec(
    system="AJCC8-lung", edition="AJCC 8th edition", rule_prefix="LUNG8",
    aliases=("lung", "AJCC8 lung", "AJCC 8 lung", "TNM8-lung", "UICC8-lung", "nsclc", "lung8",
             "lung cancer", "AJCC8-nsclc"),
    tables={"p": LUNG8_TABLE}, extract=lung_text.extract,
    derive=partial(lung_rules.derive, edition=8), needs=_NEEDS, label_notes=_LABEL_NOTES,
    text_notes=_notes8,
)
LUNG9 = SiteSpec(
    system="TNM9-lung", edition="UICC/AJCC 9th edition (IASLC)", rule_prefix="LUNG9",
    aliases=("lung9", "TNM9 lung", "AJCC9-lung", "UICC9-lung", "IASLC9-lung", "AJCC V9 lung",
             "lung 9th"),
    tables={"p": LUNG9_TABLE}, extract=lung_text.extract,
    derive=partial(lung_rules.derive, edition=9), needs=_NEEDS,
    label_notes={k: v for k, v in _LABEL_NOTES.items() if not k.startswith(("N2", "M1c"))},
    text_notes=_notes9,
)
