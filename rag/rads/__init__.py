"""RADS and WHO classification calculators (deterministic; rules are data)."""

from __future__ import annotations

from rag.rads.birads import BIRADS
from rag.rads.lirads import LIRADS
from rag.rads.lungrads import LungRADS
from rag.rads.net import NET2019
from rag.rads.pirads import PIRADS
from rag.rads.tirads import TIRADS
from rag.rads.who_cns5 import WHOCNS5

__all__ = ["BIRADS", "CALCULATORS", "LIRADS", "NET2019", "PIRADS", "TIRADS", "WHOCNS5", "LungRADS"]

CALCULATORS: list = [LungRADS(), TIRADS(), BIRADS(), LIRADS(), PIRADS(), WHOCNS5(), NET2019()]
