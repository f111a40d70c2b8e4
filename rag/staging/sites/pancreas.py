"""Exocrine pancreas, AJCC 8th edition: one stage-group grid for clinical and pathological use.

T is by size (T1a ≤0.5 cm, T1b >0.5 to <1 cm, T1c 1–2 cm, T2 >2 to ≤4 cm, T3 >4 cm) unless the
tumour involves the coeliac axis, superior mesenteric artery or common hepatic artery (T4 at
any size); N by the number of positive regional nodes (N1 1–3, N2 ≥4).
"""

from __future__ import annotations

from rag.staging.sites.branches import table
from rag.staging.table import row

SYSTEM = "AJCC8-pancreas"
EDITION = "AJCC 8th edition"
PREFIX = "PANC8"

T_CATEGORIES = ("TX", "T0", "Tis", "T1", "T1a", "T1b", "T1c", "T2", "T3", "T4")
N_CATEGORIES = ("NX", "N0", "N1", "N2")
M_CATEGORIES = ("M0", "M1")

_T1 = ("T1", "T1a", "T1b", "T1c")


def _id(label: str) -> str:
    return f"{PREFIX}.STAGE.{label}"


ROWS = (
    row(_id("Tis"), "0", "Tis", "N0", "M0"),
    row(_id("T1"), "IA", _T1, "N0", "M0"),
    row(_id("T1"), "IIB", _T1, "N1", "M0"),
    row(_id("T1"), "III", _T1, "N2", "M0"),
    row(_id("T2"), "IB", "T2", "N0", "M0"),
    row(_id("T2"), "IIB", "T2", "N1", "M0"),
    row(_id("T2"), "III", "T2", "N2", "M0"),
    row(_id("T3"), "IIA", "T3", "N0", "M0"),
    row(_id("T3"), "IIB", "T3", "N1", "M0"),
    row(_id("T3"), "III", "T3", "N2", "M0"),
    row(_id("T4"), "III", "T4", N_CATEGORIES, "M0"),
    row(_id("M1"), "IV", T_CATEGORIES, N_CATEGORIES, "M1"),
)

TABLE = table(SYSTEM, EDITION, T_CATEGORIES, N_CATEGORIES, M_CATEGORIES, ROWS)
