"""Oesophagus and oesophagogastric junction, AJCC 8th edition: six stage-group tables.

Squamous cell carcinoma and adenocarcinoma each have a clinical (cTNM), pathological (pTNM) and
post-neoadjuvant (ypTNM) table; the two ypTNM tables are identical but keep their own rule ids
because the scheme names histology before prefix. Pathological tables also use grade (G1–G3,
GX) and, for squamous T3 N0, the location of the tumour's epicentre (upper, middle, lower, X).
"""

from __future__ import annotations

from rag.staging.sites.branches import Branch, table
from rag.staging.table import Condition, StageRow, StageTable, row

SYSTEM = "AJCC8-esophagus"
EDITION = "AJCC 8th edition"
PREFIX = "ESOPH8"

T_CATEGORIES = ("TX", "T0", "Tis", "T1", "T1a", "T1b", "T2", "T3", "T4", "T4a", "T4b")
N_CATEGORIES = ("NX", "N0", "N1", "N2", "N3")
M_CATEGORIES = ("M0", "M1")
GRADES = ("G1", "G2", "G3", "GX")
LOCATIONS = ("upper", "middle", "lower", "X")

_T1 = ("T1", "T1a", "T1b")
_T4 = ("T4", "T4a", "T4b")
_ANY_T = T_CATEGORIES
_ANY_N = N_CATEGORIES


def _g(*grades: str) -> Condition:
    return Condition("grade", "in", grades)


def _loc(*locations: str) -> Condition:
    return Condition("location", "in", locations)


def _rows(hist: str, kind: str, spec: list[tuple]) -> tuple[StageRow, ...]:
    """``(group_id, stage, T, N, *conditions)`` → rows under ``ESOPH8.STAGE.<hist>.<kind>``."""
    out = []
    for group_id, stage, t, n, *when in spec:
        out.append(row(f"{PREFIX}.STAGE.{hist}.{kind}.{group_id}", stage, t, n, "M0", *when))
    out.append(row(f"{PREFIX}.STAGE.{hist}.{kind}.IVB", "IVB", _ANY_T, _ANY_N, "M1"))
    return tuple(out)


SCC_PATH = _rows("SCC", "PATH", [
    ("0", "0", "Tis", "N0"),
    ("IA.1", "IA", "T1a", "N0", _g("G1")),
    ("IA.2", "IA", "T1a", "N0", _g("GX")),
    ("IB.1", "IB", "T1a", "N0", _g("G2", "G3")),
    ("IB.2", "IB", "T1b", "N0", _g("G1", "G2", "G3")),
    ("IB.3", "IB", "T1b", "N0", _g("GX")),
    ("IB.4", "IB", "T2", "N0", _g("G1")),
    ("IIA.1", "IIA", "T2", "N0", _g("GX")),
    ("IIA.2", "IIA", "T2", "N0", _g("G2", "G3")),
    # T3 N0 lower is IIA at any grade, so it is listed before the GX row (any location, IIB)
    # that would otherwise also cover a lower-third GX tumour.
    ("IIA.3", "IIA", "T3", "N0", _loc("lower")),
    ("IIA.4", "IIA", "T3", "N0", _g("G1"), _loc("upper", "middle")),
    ("IIB.1", "IIB", "T3", "N0", _g("G2", "G3"), _loc("upper", "middle")),
    ("IIB.2", "IIB", "T3", "N0", _g("GX")),
    ("IIB.3", "IIB", "T3", "N0", _loc("X")),
    ("IIB.4", "IIB", _T1, "N1"),
    ("IIIA.1", "IIIA", _T1, "N2"),
    ("IIIA.2", "IIIA", "T2", "N1"),
    ("IIIB.1", "IIIB", "T2", "N2"),
    ("IIIB.2", "IIIB", "T3", ("N1", "N2")),
    ("IIIB.3", "IIIB", "T4a", ("N0", "N1")),
    ("IVA.1", "IVA", "T4a", "N2"),
    ("IVA.2", "IVA", "T4b", ("N0", "N1", "N2")),
    ("IVA.3", "IVA", _ANY_T, "N3"),
])

SCC_CLIN = _rows("SCC", "CLIN", [
    ("0", "0", "Tis", "N0"),
    ("I", "I", _T1, ("N0", "N1")),
    ("II.1", "II", "T2", ("N0", "N1")),
    ("II.2", "II", "T3", "N0"),
    ("III.1", "III", "T3", "N1"),
    ("III.2", "III", (*_T1, "T2", "T3"), "N2"),
    ("IVA.1", "IVA", _T4, ("N0", "N1", "N2")),
    ("IVA.2", "IVA", _ANY_T, "N3"),
])

ADENO_PATH = _rows("ADENO", "PATH", [
    ("0", "0", "Tis", "N0"),
    ("IA.1", "IA", "T1a", "N0", _g("G1")),
    ("IA.2", "IA", "T1a", "N0", _g("GX")),
    ("IB.1", "IB", "T1a", "N0", _g("G2")),
    ("IB.2", "IB", "T1b", "N0", _g("G1", "G2")),
    ("IB.3", "IB", "T1b", "N0", _g("GX")),
    ("IC.1", "IC", _T1, "N0", _g("G3")),
    ("IC.2", "IC", "T2", "N0", _g("G1", "G2")),
    ("IIA.1", "IIA", "T2", "N0", _g("G3")),
    ("IIA.2", "IIA", "T2", "N0", _g("GX")),
    ("IIB.1", "IIB", _T1, "N1"),
    ("IIB.2", "IIB", "T3", "N0"),
    ("IIIA.1", "IIIA", _T1, "N2"),
    ("IIIA.2", "IIIA", "T2", "N1"),
    ("IIIB.1", "IIIB", "T2", "N2"),
    ("IIIB.2", "IIIB", "T3", ("N1", "N2")),
    ("IIIB.3", "IIIB", "T4a", ("N0", "N1")),
    ("IVA.1", "IVA", "T4a", "N2"),
    ("IVA.2", "IVA", "T4b", ("N0", "N1", "N2")),
    ("IVA.3", "IVA", _ANY_T, "N3"),
])

ADENO_CLIN = _rows("ADENO", "CLIN", [
    ("0", "0", "Tis", "N0"),
    ("I", "I", _T1, "N0"),
    ("IIA", "IIA", _T1, "N1"),
    ("IIB", "IIB", "T2", "N0"),
    ("III.1", "III", "T2", "N1"),
    ("III.2", "III", "T3", ("N0", "N1")),
    ("III.3", "III", "T4a", ("N0", "N1")),
    ("IVA.1", "IVA", (*_T1, "T2", "T3", "T4a"), "N2"),
    ("IVA.2", "IVA", "T4b", ("N0", "N1", "N2")),
    ("IVA.3", "IVA", _ANY_T, "N3"),
])

# ypT0–2 is read as T0, Tis, T1 (a, b) and T2: the range runs through Tis in T order.
_YP_T0_2 = ("T0", "Tis", *_T1, "T2")


def _yp(hist: str) -> tuple[StageRow, ...]:
    return _rows(hist, "YP", [
        ("I", "I", _YP_T0_2, "N0"),
        ("II", "II", "T3", "N0"),
        ("IIIA", "IIIA", _YP_T0_2, "N1"),
        ("IIIB.1", "IIIB", "T3", "N1"),
        ("IIIB.2", "IIIB", (*_YP_T0_2, "T3"), "N2"),
        ("IIIB.3", "IIIB", "T4a", "N0"),
        ("IVA.1", "IVA", "T4a", ("N1", "N2")),
        ("IVA.2", "IVA", "T4a", "NX"),
        ("IVA.3", "IVA", "T4b", ("N0", "N1", "N2")),
        ("IVA.4", "IVA", _ANY_T, "N3"),
    ])


SCC_YP = _yp("SCC")
ADENO_YP = _yp("ADENO")


def _table(rows: tuple[StageRow, ...], extra: tuple[str, ...] = ()) -> StageTable:
    return table(SYSTEM, EDITION, T_CATEGORIES, N_CATEGORIES, M_CATEGORIES, rows, extra)


def _when(histology: str, prefix: str) -> tuple[Condition, ...]:
    return (Condition("histology", "==", histology), Condition("prefix", "==", prefix))


BRANCHES = (
    Branch("SCC.PATH", _when("squamous", "p"), _table(SCC_PATH, ("grade", "location"))),
    Branch("SCC.CLIN", _when("squamous", "c"), _table(SCC_CLIN)),
    Branch("SCC.YP", _when("squamous", "yp"), _table(SCC_YP)),
    Branch("ADENO.PATH", _when("adenocarcinoma", "p"), _table(ADENO_PATH, ("grade",))),
    Branch("ADENO.CLIN", _when("adenocarcinoma", "c"), _table(ADENO_CLIN)),
    Branch("ADENO.YP", _when("adenocarcinoma", "yp"), _table(ADENO_YP)),
)
