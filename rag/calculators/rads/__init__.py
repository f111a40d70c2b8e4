"""RADS and WHO classification calculators (deterministic; rules are data)."""

from __future__ import annotations

from rag.calculators.rads.birads import BIRADS
from rag.calculators.rads.lirads import LIRADS
from rag.calculators.rads.lungrads import LungRADS
from rag.calculators.rads.net import NET2019
from rag.calculators.rads.pirads import PIRADS
from rag.calculators.rads.tirads import TIRADS
from rag.calculators.rads.who_cns5 import WHOCNS5

__all__ = ["BIRADS", "CALCULATORS", "LIRADS", "NET2019", "PIRADS", "TIRADS", "WHOCNS5", "LungRADS"]

CALCULATORS: list = [LungRADS(), TIRADS(), BIRADS(), LIRADS(), PIRADS(), WHOCNS5(), NET2019()]
