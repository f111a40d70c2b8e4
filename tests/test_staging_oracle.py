"""Structured staging agrees with an independent oracle on every label combination.

The oracle (tests/staging_oracle.py) restates each site's groups from the corpus prose and
DOMAIN.md as ordinary code, so a wrong row in a calculator table, a label the TNM grammar cannot
read, or a missing extra input that is asked for although it would not change the group, all show
up here as wrong or missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from staging_oracle import SITES, Score, Site, bladder, score, thyroid

from rag.calculators.registry import find_calculator
from rag.errors import RagError


def _stage(site: Site):  # type: ignore[no-untyped-def]
    calc = find_calculator(site.system)

    def stage(tnm: str, findings: Mapping[str, Any]) -> str | None:
        try:
            return calc.from_findings(dict(findings), tnm).result.get("stage")
        except RagError:
            return None
    return stage


@pytest.mark.parametrize("name", sorted(SITES))
def test_every_combination_matches_the_oracle(name: str) -> None:
    site = SITES[name]
    result = score(site, _stage(site))
    assert result.total >= 48  # every site enumerates at least its T x N x M grid
    assert (result.wrong, result.missing) == (0, 0), "\n".join((result.failures or [])[:20])


def test_the_oracle_can_fail() -> None:
    """A calculator that is off by one cell, or always silent, is counted as wrong or missing."""
    site = SITES["bladder"]
    good = _stage(site)

    def off_by_one(tnm: str, findings: Mapping[str, Any]) -> str | None:
        return "IIIA" if tnm == "T1 N0 M0" else good(tnm, findings)

    assert score(site, off_by_one).wrong == 1
    silent = score(site, lambda tnm, findings: None)
    assert silent.missing > 100 and silent.right > 0 and isinstance(silent, Score)


def test_oracle_reads_the_corpus_rules() -> None:
    # spot checks of the oracle itself against sentences of corpora/staging/*.md
    assert thyroid("T3a", "N0", "M0", {"histology": "papillary", "age": 54}) == "I"   # <55: I without M1
    assert thyroid("T3a", "N0", "M0", {"histology": "papillary", "age": 55}) == "II"  # 55 uses the ≥55 rows
    assert thyroid("T2", "N0", "M0", {"histology": "anaplastic"}) == "IVA"
    assert thyroid("T1", "N0", "M0", {"histology": "papillary"}) == "I"  # age would not change it
    assert thyroid("T3a", "N0", "M0", {"histology": "papillary"}) is None  # age decides I or II
    assert thyroid("T2", "N1", "M0", {"histology": "medullary"}) is None  # N1a III, N1b IVA
    assert bladder("T4b", "N2", "M0", {}) == "IVA" and bladder("Ta", "N1", "M0", {}) is None
    assert bladder("T4", "N0", "M0", {}) is None and bladder("TX", "NX", "M1b", {}) == "IVB"
