"""Hepatocellular carcinoma, AJCC 8th edition: one stage-group grid.

T depends on the number of tumours, the largest size (2 cm and 5 cm cut-offs), vascular
invasion and major-vessel or adjacent-organ involvement; any regional node is N1 and gives IVA
whatever the T ("any T, N1, M0"), so every T row, TX and T0 included, carries an N1 cell.
"""

from __future__ import annotations

from rag.staging.sites.branches import table
from rag.staging.table import row

SYSTEM = "AJCC8-liver"
EDITION = "AJCC 8th edition"
PREFIX = "LIVER8"

T_CATEGORIES = ("TX", "T0", "T1", "T1a", "T1b", "T2", "T3", "T4")
N_CATEGORIES = ("NX", "N0", "N1")
M_CATEGORIES = ("M0", "M1")


def _id(label: str) -> str:
    return f"{PREFIX}.STAGE.{label}"


ROWS = (
    row(_id("TX"), "IVA", "TX", "N1", "M0"),
    row(_id("T0"), "IVA", "T0", "N1", "M0"),
    row(_id("T1"), "IVA", "T1", "N1", "M0"),
    row(_id("T1a"), "IA", "T1a", "N0", "M0"),
    row(_id("T1a"), "IVA", "T1a", "N1", "M0"),
    row(_id("T1b"), "IB", "T1b", "N0", "M0"),
    row(_id("T1b"), "IVA", "T1b", "N1", "M0"),
    row(_id("T2"), "II", "T2", "N0", "M0"),
    row(_id("T2"), "IVA", "T2", "N1", "M0"),
    row(_id("T3"), "IIIA", "T3", "N0", "M0"),
    row(_id("T3"), "IVA", "T3", "N1", "M0"),
    row(_id("T4"), "IIIB", "T4", "N0", "M0"),
    row(_id("T4"), "IVA", "T4", "N1", "M0"),
    row(_id("M1"), "IVB", T_CATEGORIES, N_CATEGORIES, "M1"),
)

TABLE = table(SYSTEM, EDITION, T_CATEGORIES, N_CATEGORIES, M_CATEGORIES, ROWS)
