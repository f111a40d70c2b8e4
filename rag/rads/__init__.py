"""RADS and WHO classification calculators (deterministic; rules are data)."""

from __future__ import annotations

from rag.rads.lungrads import LungRADS

__all__ = ["CALCULATORS", "LungRADS"]

CALCULATORS: list = [LungRADS()]
