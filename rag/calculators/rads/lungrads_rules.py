"""Lung-RADS v2022 rules as data: size rows per nodule type and status, other findings, management.

Sizes are mean diameters in mm, kept to 0.1 mm. A row holds for ``lo <= size < hi`` ("≥6 to <8"),
which is how every Lung-RADS size bound reads. The code in ``lungrads.py`` only walks these rows;
it never encodes a category itself. Management wording is the project's own summary.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

__all__ = [
    "CATEGORY_ORDER",
    "GGN_ROWS",
    "MANAGEMENT",
    "PARTSOLID_ROWS",
    "Range",
    "SOLID_ROWS",
    "SizeRow",
    "VALID_CATEGORIES",
    "JUXTAPLEURAL_MAX_MM",
    "GROWTH_MM",
    "worse",
]

VALID_CATEGORIES = ("0", "1", "2", "3", "4A", "4B", "4X")
# Severity for the exam category (the worst nodule decides); 0 is an exam-level state, not a rank.
CATEGORY_ORDER = {"1": 1, "2": 2, "3": 3, "4A": 4, "4B": 5, "4X": 6}
GROWTH_MM = Decimal("1.5")  # mean-diameter increase above this within 12 months = growth
JUXTAPLEURAL_MAX_MM = Decimal("10")


@dataclass(frozen=True)
class Range:
    """``lo <= x < hi``; None means unbounded on that side."""

    lo: Decimal | None = None
    hi: Decimal | None = None

    def holds(self, x: Decimal) -> bool:
        return (self.lo is None or x >= self.lo) and (self.hi is None or x < self.hi)

    def describe(self) -> str:
        if self.lo is None and self.hi is None:
            return "any size"
        if self.lo is None:
            return f"<{self.hi} mm"
        if self.hi is None:
            return f">={self.lo} mm"
        return f">={self.lo} to <{self.hi} mm"


ANY = Range()


def _r(lo: float | None, hi: float | None) -> Range:
    return Range(None if lo is None else Decimal(str(lo)), None if hi is None else Decimal(str(hi)))


@dataclass(frozen=True)
class SizeRow:
    """One criterion: nodules of this status with total (and solid-part) size in range → category."""

    statuses: frozenset[str]
    total: Range
    solid: Range
    category: str
    rule_id: str

    @property
    def needs_solid(self) -> bool:
        return self.solid != ANY


def _row(statuses: str, total: Range, solid: Range, category: str, prefix: str) -> SizeRow:
    return SizeRow(frozenset(statuses.split()), total, solid, category, f"{prefix}.{category}")


# Solid nodules (and juxtapleural nodules that miss the v2022 juxtapleural criteria).
SOLID_ROWS = (
    _row("baseline", _r(None, 6), ANY, "2", "LR22.SOLID"),
    _row("baseline", _r(6, 8), ANY, "3", "LR22.SOLID"),
    _row("baseline", _r(8, 15), ANY, "4A", "LR22.SOLID"),
    _row("baseline", _r(15, None), ANY, "4B", "LR22.SOLID"),
    _row("new", _r(None, 4), ANY, "2", "LR22.SOLID"),
    _row("new", _r(4, 6), ANY, "3", "LR22.SOLID"),
    _row("new", _r(6, 8), ANY, "4A", "LR22.SOLID"),
    _row("new", _r(8, None), ANY, "4B", "LR22.SOLID"),
    _row("growing", _r(None, 8), ANY, "4A", "LR22.SOLID"),
    _row("growing", _r(8, None), ANY, "4B", "LR22.SOLID"),
    _row("slow-growing", ANY, ANY, "4B", "LR22.SOLID"),  # growth over several screens
)

# Part-solid nodules: total mean diameter and solid-part mean diameter. Rows are read in order and
# the first that holds decides, so the more suspicious criterion is checked first where two overlap
# (a new part-solid nodule under 6 mm whose solid part is already >=4 mm is 4B, not 3).
PARTSOLID_ROWS = (
    _row("baseline", _r(None, 6), ANY, "2", "LR22.PARTSOLID"),
    _row("baseline", _r(6, None), _r(8, None), "4B", "LR22.PARTSOLID"),
    _row("baseline", _r(6, None), _r(6, 8), "4A", "LR22.PARTSOLID"),
    _row("baseline", _r(6, None), _r(None, 6), "3", "LR22.PARTSOLID"),
    _row("new growing", ANY, _r(4, None), "4B", "LR22.PARTSOLID"),
    _row("new", _r(None, 6), _r(None, 4), "3", "LR22.PARTSOLID"),
    _row("new growing", ANY, _r(None, 4), "4A", "LR22.PARTSOLID"),
    _row("slow-growing", ANY, ANY, "4B", "LR22.PARTSOLID"),  # growth over several screens
)

# Ground-glass nodules: under 30 mm stays 2 whatever it does; 30 mm or more is 3 at baseline or when
# new, and 2 once stable or slowly growing. A growing GGN of 30 mm or more is kept at 3 (see notes).
GGN_ROWS = (
    _row("baseline new growing stable slow-growing", _r(None, 30), ANY, "2", "LR22.GGN"),
    _row("stable slow-growing", _r(30, None), ANY, "2", "LR22.GGN"),
    _row("baseline new growing", _r(30, None), ANY, "3", "LR22.GGN"),
)

MANAGEMENT = {
    "0": "Repeat LDCT in 1-3 months, or compare with the prior CT once it is available.",
    "1": "Continue annual screening: LDCT in 12 months.",
    "2": "Continue annual screening: LDCT in 12 months.",
    "3": "LDCT in 6 months.",
    "4A": "LDCT in 3 months; PET/CT may be considered when a solid component measures 8 mm or more.",
    "4B": "Diagnostic chest CT, PET/CT and/or tissue sampling, or referral, guided by the likelihood "
    "of malignancy and comorbidities.",
    "4X": "Managed as 4B: diagnostic chest CT, PET/CT and/or tissue sampling, or referral.",
}


def worse(a: str | None, b: str | None) -> str | None:
    """The more suspicious of two nodule categories (None when both are unknown)."""
    if a is None:
        return b
    if b is None:
        return a
    return a if CATEGORY_ORDER[a] >= CATEGORY_ORDER[b] else b
