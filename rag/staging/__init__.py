"""AJCC/UICC TNM staging calculators (deterministic; tables are data).

Each site is a :class:`~rag.staging.site.SiteSpec` (see site.py for how to add one) wrapped in the
generic :class:`~rag.staging.calculator.TnmCalculator`.
"""

from __future__ import annotations

from rag.staging.breast import BREAST8
from rag.staging.calculator import TnmCalculator
from rag.staging.colorectal import CRC8
from rag.staging.lung import LUNG8, LUNG9
from rag.staging.prostate import PROSTATE8

__all__ = ["CALCULATORS", "TnmCalculator"]

CALCULATORS: list[TnmCalculator] = [
    TnmCalculator(LUNG8, companion=LUNG9),
    TnmCalculator(LUNG9, companion=LUNG8),
    TnmCalculator(BREAST8),
    TnmCalculator(CRC8),
    TnmCalculator(PROSTATE8),
]
