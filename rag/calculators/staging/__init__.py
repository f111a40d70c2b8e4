"""AJCC/UICC TNM staging calculators (deterministic; tables are data).

Each site is a :class:`~rag.calculators.staging.site.SiteSpec` (see site.py for how to add one) wrapped in the
generic :class:`~rag.calculators.staging.calculator.TnmCalculator`.
"""

from __future__ import annotations

from rag.calculators.staging.breast import BREAST8
from rag.calculators.staging.calculator import TnmCalculator
from rag.calculators.staging.colorectal import CRC8
from rag.calculators.staging.lung import LUNG8, LUNG9
from rag.calculators.staging.prostate import PROSTATE8

__all__ = ["CALCULATORS", "TnmCalculator"]

CALCULATORS: list[TnmCalculator] = [
    TnmCalculator(LUNG8, companion=LUNG9),
    TnmCalculator(LUNG9, companion=LUNG8),
    TnmCalculator(BREAST8),
    TnmCalculator(CRC8),
    TnmCalculator(PROSTATE8),
]

# The nine further sites (stomach ... GIST) live in rag.calculators.staging.sites on the same framework.
from rag.calculators.staging.sites import CALCULATORS as _SITES  # noqa: E402

CALCULATORS.extend(_SITES)
