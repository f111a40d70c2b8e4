"""RADS and WHO classification calculators (deterministic; rules are data)."""

from __future__ import annotations

from rag.rads.birads import BIRADS
from rag.rads.lirads import LIRADS
from rag.rads.lungrads import LungRADS
from rag.rads.pirads import PIRADS
from rag.rads.tirads import TIRADS

__all__ = ["BIRADS", "CALCULATORS", "LIRADS", "LungRADS", "PIRADS", "TIRADS"]

CALCULATORS: list = [LungRADS(), TIRADS(), BIRADS(), LIRADS(), PIRADS()]
