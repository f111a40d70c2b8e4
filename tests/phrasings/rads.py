"""All RADS phrasing suites together."""

from __future__ import annotations

from phrasings import Phrase, rads_birads, rads_cns5, rads_findings, rads_lirads, rads_lungrads, rads_pirads, rads_ranges, rads_tirads, rads_variants

__all__ = ["all_cases", "findings_cases", "range_cases", "variant_cases"]


def all_cases() -> list[Phrase]:
    """Every RADS phrase of every suite (deterministic order)."""
    return [*rads_lungrads.cases(), *rads_tirads.cases(), *rads_birads.cases(), *rads_lirads.cases(), *rads_pirads.cases(),
            *rads_cns5.cases(), *rads_ranges.cases()]


def variant_cases() -> list[Phrase]:
    """The separately written, report-style variants (scored apart from the generated suites)."""
    return rads_variants.cases()


def findings_cases() -> list[Phrase]:
    """Structured findings, each both as a findings object and rendered as ``key: value.`` text."""
    return rads_findings.cases()


def range_cases() -> list[Phrase]:
    """Size ranges and stated categories only (also part of ``all_cases``)."""
    return rads_ranges.cases()
