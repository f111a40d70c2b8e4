"""RADS readers on the phrasing suites written from the guideline texts (tests/phrasings).

Issue 10's rule: when the reader is not sure, the field stays missing; it never guesses. So each
system and language must have **zero wrong** results, and the share left missing stays bounded.
The suites are built mechanically (templates × values × polarity × language) with an oracle that
restates the published tables, so these tests fail when a reader misreads a phrasing.
"""

from __future__ import annotations

from collections import Counter

import pytest
from phrasings import Phrase, judge, run_suite
from phrasings.rads import all_cases, findings_cases, variant_cases

CASES = all_cases()
VARIANTS = variant_cases()
FINDINGS = findings_cases()
GROUPS = sorted({(p.system, p.lang) for p in CASES})
MAX_MISSING = 0.05  # share of phrases per system and language allowed to stay incomplete


@pytest.mark.parametrize(("system", "lang"), GROUPS, ids=[f"{s}-{lang}" for s, lang in GROUPS])
def test_no_wrong_and_few_missing(system: str, lang: str) -> None:
    tally = run_suite(p for p in CASES if p.system == system and p.lang == lang)
    right, wrong, missing = (tally.counts[(system, lang, v)] for v in ("right", "wrong", "missing"))
    shown = "\n".join(f"[{v}] {p.rule} {p.form}: {p.text} -> {got} (want {dict(p.expect)})" for v, p, got in tally.failures[:8])
    assert wrong == 0, f"{wrong} wrong of {right + wrong + missing}:\n{shown}"
    assert missing <= MAX_MISSING * (right + wrong + missing), f"{missing} missing:\n{shown}"


@pytest.mark.parametrize("system", sorted({p.system for p in VARIANTS}))
def test_report_style_variants_never_wrong(system: str) -> None:
    tally = run_suite(p for p in VARIANTS if p.system == system)
    bad = [(v, p.text, got) for v, p, got in tally.failures]
    assert not bad, bad


@pytest.mark.parametrize("system", sorted({p.system for p in FINDINGS}))
def test_structured_findings_right_as_object_and_as_text(system: str) -> None:
    tally = run_suite(p for p in FINDINGS if p.system == system)
    bad = [(v, p.form, p.text, got) for v, p, got in tally.failures]
    assert not bad, bad


def test_every_rule_has_ten_english_and_three_chinese_phrasings() -> None:
    counts = Counter((p.system, p.rule, p.lang) for p in CASES)
    rules = {(s, r) for s, r, _ in counts}
    short = [(s, r, counts[(s, r, "en")], counts[(s, r, "zh")]) for s, r in sorted(rules)
             if counts[(s, r, "en")] < 10 or counts[(s, r, "zh")] < 3]
    assert not short, short


def test_suite_covers_every_form() -> None:
    forms = {p.form for p in CASES}
    assert {"plain", "negated", "hedged", "historical", "distractor", "coordinated"} <= forms


def test_judge_separates_wrong_from_missing() -> None:
    p = Phrase("X", "en", "R", "plain", "t", (("category", ("3",)),))
    assert judge(p, {"category": "3"}) == "right"
    assert judge(p, {"category": None}) == "missing"
    assert judge(p, None) == "missing"
    assert judge(p, {"category": "4A"}) == "wrong"
    hedged = Phrase("X", "en", "R", "hedged", "t", (("category", ("3", None)),))
    assert judge(hedged, {"category": None}) == "right"
