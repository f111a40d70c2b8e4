"""All RADS phrasing suites together."""

from __future__ import annotations

from phrasings import Phrase, rads_birads, rads_lirads, rads_lungrads, rads_pirads, rads_tirads

__all__ = ["all_cases"]


def all_cases() -> list[Phrase]:
    """Every RADS phrase of every suite (deterministic order)."""
    return [*rads_lungrads.cases(), *rads_tirads.cases(), *rads_birads.cases(), *rads_lirads.cases(), *rads_pirads.cases()]
