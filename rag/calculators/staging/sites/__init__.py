"""Further TNM sites on the SiteSpec framework: stomach, oesophagus, pancreas, liver (HCC),
thyroid, kidney, bladder, cervix (FIGO 2018) and GIST.

Each module holds its stage-group tables as data, its descriptor rules and its report reading;
``SITES`` lists their specs and ``CALCULATORS`` wraps each in the generic TnmCalculator so the
package registry (``rag.calculators.staging.CALCULATORS``) can include them with one line.
"""

from __future__ import annotations

from rag.calculators.staging.calculator import TnmCalculator
from rag.calculators.staging.site import SiteSpec
from rag.calculators.staging.sites import (
    bladder,
    cervix,
    esophagus,
    gist,
    kidney,
    liver,
    pancreas,
    stomach,
    thyroid,
)

__all__ = ["SITES", "CALCULATORS"]

SITES: tuple[SiteSpec, ...] = (stomach.SITE, esophagus.SITE, pancreas.SITE, liver.SITE,
                               thyroid.SITE, kidney.SITE, bladder.SITE, cervix.SITE, gist.SITE)

CALCULATORS: list[TnmCalculator] = [TnmCalculator(site) for site in SITES]
