"""Kidney (renal cell carcinoma), AJCC 8th edition: one stage-group grid.

T by size while the tumour is limited to the kidney (T1a ≤4, T1b >4 to ≤7, T2a >7 to ≤10,
T2b >10 cm), then by extension: renal vein, pelvicalyceal system, perirenal or sinus fat (T3a),
vena cava below (T3b) or above the diaphragm or its wall (T3c), beyond Gerota's fascia or
contiguous ipsilateral adrenal (T4). Any regional node is N1.
"""

from __future__ import annotations

from rag.staging.sites.branches import table
from rag.staging.table import row

SYSTEM = "AJCC8-kidney"
EDITION = "AJCC 8th edition"
PREFIX = "KIDNEY8"

T_CATEGORIES = ("TX", "T0", "T1", "T1a", "T1b", "T2", "T2a", "T2b", "T3", "T3a", "T3b", "T3c",
                "T4")
N_CATEGORIES = ("NX", "N0", "N1")
M_CATEGORIES = ("M0", "M1")

_T1 = ("T1", "T1a", "T1b")
_T2 = ("T2", "T2a", "T2b")
_T3 = ("T3", "T3a", "T3b", "T3c")


def _id(label: str) -> str:
    return f"{PREFIX}.STAGE.{label}"


ROWS = (
    row(_id("T1"), "I", _T1, "N0", "M0"),
    row(_id("T1"), "III", _T1, "N1", "M0"),
    row(_id("T2"), "II", _T2, "N0", "M0"),
    row(_id("T2"), "III", _T2, "N1", "M0"),
    row(_id("T3"), "III", _T3, ("N0", "N1"), "M0"),
    row(_id("T4"), "IV", "T4", N_CATEGORIES, "M0"),
    row(_id("M1"), "IV", T_CATEGORIES, N_CATEGORIES, "M1"),
)

TABLE = table(SYSTEM, EDITION, T_CATEGORIES, N_CATEGORIES, M_CATEGORIES, ROWS)
