"""Free-text TNM readers against phrasing suites written from the guideline texts.

Wrong and missing are counted apart: a wrong category beside a citation is the worst outcome, so
every suite must have zero wrong; a missing category is allowed up to a bound per suite (the
reader asks for the fact instead). Hypothesis properties check clinical monotonicity.
"""

from __future__ import annotations

import collections

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.calculators.registry import find_calculator
from tests.phrasings import SUITE_FILES, Phrasing, load

PHRASINGS = [p for path in SUITE_FILES for p in load(path)]
MAX_MISSING = 0.25  # per suite (rule × language): at most a quarter of its phrasings left missing


def _read(p: Phrasing) -> str | None:
    return find_calculator(p.system).from_text(p.text).result.get(p.axis)


def _outcome(p: Phrasing, got: str | None) -> str:
    if got == p.expect:
        return "right"
    return "missing" if got is None else "wrong"


def test_suites_are_big_enough() -> None:
    """≥ 10 English and ≥ 3 Chinese phrasings for every rule of every suite file."""
    per: dict[tuple[str, str, str], int] = collections.Counter((p.site, p.rule, p.lang) for p in PHRASINGS)
    rules = {(site, rule) for site, rule, _ in per}
    assert rules, "no phrasing suites found"
    for site, rule in rules:
        assert per[(site, rule, "en")] >= 10, f"{site}: {rule}: fewer than 10 English phrasings"
        assert per[(site, rule, "zh")] >= 3, f"{site}: {rule}: fewer than 3 Chinese phrasings"


@pytest.mark.parametrize("site", sorted({p.site for p in PHRASINGS}))
def test_no_wrong_and_bounded_missing(site: str) -> None:
    """Zero wrong categories in every suite; missing within ``MAX_MISSING`` per rule and language."""
    wrong: list[str] = []
    tally: dict[tuple[str, str], collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for p in (x for x in PHRASINGS if x.site == site):
        got = _read(p)
        outcome = _outcome(p, got)
        tally[(p.rule, p.lang)][outcome] += 1
        if outcome == "wrong":
            wrong.append(f"{p.system} {p.axis}: expected {p.expect}, got {got}: {p.text!r}")
    assert not wrong, f"{len(wrong)} wrong:\n" + "\n".join(wrong)
    for (rule, lang), c in tally.items():
        total = sum(c.values())
        assert c["missing"] <= MAX_MISSING * total, f"{rule} ({lang}): {c['missing']}/{total} missing"
