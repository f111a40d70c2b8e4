"""Cervix uteri: FIGO 2018 stages and the matching TNM categories.

The PDQ summary stages cervical cancer by FIGO 2018 (the AJCC's later cervix chapter, Version 9,
uses the same categories: T1b1 ≤2 cm, T1b2 >2 to ≤4 cm, T1b3 >4 cm; nodes N1 pelvic, N2
para-aortic). Under FIGO 2018 any pelvic node gives IIIC1 and any para-aortic node IIIC2,
whatever the size and extent of the tumour, except that T4 (bladder or rectal mucosa, beyond the
true pelvis) stays IVA. Isolated tumour cells (N0(i+)) do not change the stage; micrometastases
do. The system id keeps the project's AJCC8-cervix name; the edition string says what is used.
"""

from __future__ import annotations

from rag.staging.sites.branches import table
from rag.staging.table import StageRow, row

SYSTEM = "AJCC8-cervix"
EDITION = "FIGO 2018 (TNM categories as in AJCC Version 9)"
PREFIX = "CERVIX8"

T_CATEGORIES = ("TX", "T0", "T1", "T1a", "T1a1", "T1a2", "T1b", "T1b1", "T1b2", "T1b3", "T2",
                "T2a", "T2a1", "T2a2", "T2b", "T3", "T3a", "T3b", "T4")
N_CATEGORIES = ("NX", "N0", "N0(i+)", "N1", "N1mi", "N1a", "N2", "N2mi", "N2a")
M_CATEGORIES = ("M0", "M1")

_N0 = ("N0", "N0(i+)")
_N1 = ("N1", "N1mi", "N1a")
_N2 = ("N2", "N2mi", "N2a")

# FIGO stage of each T category when no regional node is involved.
_BY_T = {
    "T1": "I", "T1a": "IA", "T1a1": "IA1", "T1a2": "IA2", "T1b": "IB", "T1b1": "IB1",
    "T1b2": "IB2", "T1b3": "IB3", "T2": "II", "T2a": "IIA", "T2a1": "IIA1", "T2a2": "IIA2",
    "T2b": "IIB", "T3": "III", "T3a": "IIIA", "T3b": "IIIB",
}


def _id(label: str) -> str:
    return f"{PREFIX}.STAGE.{label}"


def _rows() -> tuple[StageRow, ...]:
    out = [row(_id("TX"), "IIIC1", "TX", _N1, "M0"), row(_id("TX"), "IIIC2", "TX", _N2, "M0")]
    for t, stage in _BY_T.items():
        out.append(row(_id(t), stage, t, _N0, "M0"))
        out.append(row(_id(t), "IIIC1", t, _N1, "M0"))
        out.append(row(_id(t), "IIIC2", t, _N2, "M0"))
    out.append(row(_id("T4"), "IVA", "T4", N_CATEGORIES, "M0"))
    out.append(row(_id("M1"), "IVB", T_CATEGORIES, N_CATEGORIES, "M1"))
    return tuple(out)


ROWS = _rows()

TABLE = table(SYSTEM, EDITION, T_CATEGORIES, N_CATEGORIES, M_CATEGORIES, ROWS)
