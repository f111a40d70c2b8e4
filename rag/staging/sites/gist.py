"""Gastrointestinal stromal tumour, AJCC 8th edition: gastric and non-gastric tables.

T by size (T1 ≤2, T2 >2 to ≤5, T3 >5 to ≤10, T4 >10 cm); mitotic rate per 5 mm² (≤5 low,
>5 high). Gastric and omental primaries use the gastric table; small intestine, oesophagus,
colon, rectum, mesentery and peritoneum the non-gastric one. Node-positive (N1) or metastatic
(M1) disease is stage IV at any size and rate.
"""

from __future__ import annotations

from rag.staging.sites.branches import Branch, table
from rag.staging.table import Condition, StageRow, StageTable, row

SYSTEM = "AJCC8-gist"
EDITION = "AJCC 8th edition"
PREFIX = "GIST8"

T_CATEGORIES = ("TX", "T0", "T1", "T2", "T3", "T4")
N_CATEGORIES = ("NX", "N0", "N1")
M_CATEGORIES = ("M0", "M1")
GASTRIC_SITES = ("stomach", "omentum")
NONGASTRIC_SITES = ("small intestine", "esophagus", "colon", "rectum", "mesentery",
                    "peritoneum", "other")

_LOW = Condition("mitotic_rate", "==", "low")
_HIGH = Condition("mitotic_rate", "==", "high")


def _rows(branch: str, spec: list[tuple]) -> tuple[StageRow, ...]:
    """``(group_id, stage, T, *conditions)`` (N0 M0) plus the two stage IV rows."""
    out = [row(f"{PREFIX}.STAGE.{branch}.{g}", s, t, "N0", "M0", *w) for g, s, t, *w in spec]
    out.append(row(f"{PREFIX}.STAGE.{branch}.IV.1", "IV", T_CATEGORIES, "N1", "M0"))
    out.append(row(f"{PREFIX}.STAGE.{branch}.IV.2", "IV", T_CATEGORIES, N_CATEGORIES, "M1"))
    return tuple(out)


GASTRIC = _rows("GASTRIC", [
    ("IA", "IA", ("T1", "T2"), _LOW),
    ("IB", "IB", "T3", _LOW),
    ("II.1", "II", ("T1", "T2"), _HIGH),
    ("II.2", "II", "T4", _LOW),
    ("IIIA", "IIIA", "T3", _HIGH),
    ("IIIB", "IIIB", "T4", _HIGH),
])

NONGASTRIC = _rows("NONGASTRIC", [
    ("I", "I", ("T1", "T2"), _LOW),
    ("II", "II", "T3", _LOW),
    ("IIIA.1", "IIIA", "T1", _HIGH),
    ("IIIA.2", "IIIA", "T4", _LOW),
    ("IIIB", "IIIB", ("T2", "T3", "T4"), _HIGH),
])


def _table(rows: tuple[StageRow, ...]) -> StageTable:
    return table(SYSTEM, EDITION, T_CATEGORIES, N_CATEGORIES, M_CATEGORIES, rows,
                 ("mitotic_rate",))


BRANCHES = (
    Branch("GASTRIC", (Condition("primary_site", "in", GASTRIC_SITES),), _table(GASTRIC)),
    Branch("NONGASTRIC", (Condition("primary_site", "in", NONGASTRIC_SITES),),
           _table(NONGASTRIC)),
)
