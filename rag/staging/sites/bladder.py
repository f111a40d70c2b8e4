"""Urinary bladder, AJCC 8th edition: one stage-group grid.

T by depth (Ta papillary non-invasive, Tis flat in situ, T1 lamina propria, T2a/T2b inner/outer
half of the muscularis propria, T3a/T3b microscopic/macroscopic perivesical tissue, T4a
prostatic stroma, seminal vesicles, uterus or vagina, T4b pelvic or abdominal wall); N by the
number and site of pelvic nodes (N1 single, N2 multiple in the true pelvis, N3 common iliac);
M1a non-regional nodes only, M1b other distant sites.

T4b with positive nodes: the PDQ summary lists only T4b N0 M0 under IVA and leaves T4b N1–N3 M0
without a group; the AJCC 8th edition as corrected after its first printing puts T4b with any N
in IVA. Both are kept as separate cells of the T4b row so the PDQ cell stays visible.
"""

from __future__ import annotations

from rag.staging.sites.branches import table
from rag.staging.table import row

SYSTEM = "AJCC8-bladder"
EDITION = "AJCC 8th edition"
PREFIX = "BLADDER8"

T_CATEGORIES = ("TX", "T0", "Ta", "Tis", "T1", "T2", "T2a", "T2b", "T3", "T3a", "T3b", "T4",
                "T4a", "T4b")
N_CATEGORIES = ("NX", "N0", "N1", "N2", "N3")
M_CATEGORIES = ("M0", "M1", "M1a", "M1b")

_T2 = ("T2", "T2a", "T2b")
_T3 = ("T3", "T3a", "T3b")


def _id(label: str) -> str:
    return f"{PREFIX}.STAGE.{label}"


ROWS = (
    row(_id("Ta"), "0a", "Ta", "N0", "M0"),
    row(_id("Tis"), "0is", "Tis", "N0", "M0"),
    row(_id("T1"), "I", "T1", "N0", "M0"),
    row(_id("T1"), "IIIA", "T1", "N1", "M0"),
    row(_id("T1"), "IIIB", "T1", ("N2", "N3"), "M0"),
    row(_id("T2"), "II", _T2, "N0", "M0"),
    row(_id("T2"), "IIIA", _T2, "N1", "M0"),
    row(_id("T2"), "IIIB", _T2, ("N2", "N3"), "M0"),
    row(_id("T3"), "IIIA", _T3, ("N0", "N1"), "M0"),
    row(_id("T3"), "IIIB", _T3, ("N2", "N3"), "M0"),
    row(_id("T4a"), "IIIA", "T4a", ("N0", "N1"), "M0"),
    row(_id("T4a"), "IIIB", "T4a", ("N2", "N3"), "M0"),
    row(_id("T4b"), "IVA", "T4b", "N0", "M0"),
    row(_id("T4b"), "IVA", "T4b", ("NX", "N1", "N2", "N3"), "M0"),
    row(_id("M1a"), "IVA", T_CATEGORIES, N_CATEGORIES, "M1a"),
    row(_id("M1b"), "IVB", T_CATEGORIES, N_CATEGORIES, "M1b"),
)

TABLE = table(SYSTEM, EDITION, T_CATEGORIES, N_CATEGORIES, M_CATEGORIES, ROWS)
