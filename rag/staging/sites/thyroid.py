"""Thyroid carcinoma, AJCC 8th edition: four stage-group tables chosen by histology and age.

Differentiated carcinoma (papillary, follicular, Hürthle cell, poorly differentiated) is staged
by age at diagnosis (<55 or ≥55 years); anaplastic carcinoma is always stage IV (IVA–IVC);
medullary carcinoma has its own table. T3 without a/b is accepted where the ≥55 table gives
T3a and T3b the same group; T4 without a/b where anaplastic gives T4a and T4b the same group.
"""

from __future__ import annotations

from rag.staging.sites.branches import Branch, table
from rag.staging.table import Condition, StageRow, StageTable, row

SYSTEM = "AJCC8-thyroid"
EDITION = "AJCC 8th edition"
PREFIX = "THYROID8"

T_CATEGORIES = ("TX", "T0", "T1", "T1a", "T1b", "T2", "T3", "T3a", "T3b", "T4", "T4a", "T4b")
N_CATEGORIES = ("NX", "N0", "N0a", "N0b", "N1", "N1a", "N1b")
M_CATEGORIES = ("M0", "M1")
HISTOLOGIES = ("differentiated", "anaplastic", "medullary")

_T1 = ("T1", "T1a", "T1b")
_T1_T3A = (*_T1, "T2", "T3a")
_T1_T3 = (*_T1, "T2", "T3", "T3a", "T3b")
_N0 = ("N0", "N0a", "N0b")
_N0_NX = (*_N0, "NX")
_N1 = ("N1", "N1a", "N1b")
_ANY_T = T_CATEGORIES
_ANY_N = N_CATEGORIES


def _rows(branch: str, spec: list[tuple]) -> tuple[StageRow, ...]:
    """``(group_id, stage, T, N, M)`` → rows under ``THYROID8.STAGE.<branch>``."""
    return tuple(row(f"{PREFIX}.STAGE.{branch}.{g}", s, t, n, m) for g, s, t, n, m in spec)


DIFF_LT55 = _rows("DIFF.AGE_LT55", [
    ("I", "I", _ANY_T, _ANY_N, "M0"),
    ("II", "II", _ANY_T, _ANY_N, "M1"),
])

DIFF_GE55 = _rows("DIFF.AGE_GE55", [
    ("I.1", "I", _T1, _N0_NX, "M0"),
    ("I.2", "I", "T2", _N0_NX, "M0"),
    ("II.1", "II", _T1, _N1, "M0"),
    ("II.2", "II", "T2", _N1, "M0"),
    ("II.3", "II", ("T3", "T3a", "T3b"), _ANY_N, "M0"),
    ("III", "III", "T4a", _ANY_N, "M0"),
    ("IVA", "IVA", "T4b", _ANY_N, "M0"),
    ("IVB", "IVB", _ANY_T, _ANY_N, "M1"),
])

ANAPLASTIC = _rows("ANAPLASTIC", [
    ("IVA", "IVA", _T1_T3A, _N0_NX, "M0"),
    ("IVB.1", "IVB", _T1_T3A, _N1, "M0"),
    ("IVB.2", "IVB", "T3b", _ANY_N, "M0"),
    ("IVB.3", "IVB", ("T4", "T4a", "T4b"), _ANY_N, "M0"),
    ("IVC", "IVC", _ANY_T, _ANY_N, "M1"),
])

MEDULLARY = _rows("MEDULLARY", [
    ("I", "I", _T1, _N0, "M0"),
    ("II.1", "II", "T2", _N0, "M0"),
    ("II.2", "II", ("T3", "T3a", "T3b"), _N0, "M0"),
    ("III", "III", _T1_T3, "N1a", "M0"),
    ("IVA.1", "IVA", "T4a", _ANY_N, "M0"),
    ("IVA.2", "IVA", _T1_T3, "N1b", "M0"),
    ("IVB", "IVB", "T4b", _ANY_N, "M0"),
    ("IVC", "IVC", _ANY_T, _ANY_N, "M1"),
])


def _table(rows: tuple[StageRow, ...]) -> StageTable:
    return table(SYSTEM, EDITION, T_CATEGORIES, N_CATEGORIES, M_CATEGORIES, rows)


_DIFF = Condition("histology", "==", "differentiated")

BRANCHES = (
    Branch("DIFF.AGE_LT55", (_DIFF, Condition("age", "<", 55)), _table(DIFF_LT55)),
    Branch("DIFF.AGE_GE55", (_DIFF, Condition("age", ">=", 55)), _table(DIFF_GE55)),
    Branch("ANAPLASTIC", (Condition("histology", "==", "anaplastic"),), _table(ANAPLASTIC)),
    Branch("MEDULLARY", (Condition("histology", "==", "medullary"),), _table(MEDULLARY)),
)
