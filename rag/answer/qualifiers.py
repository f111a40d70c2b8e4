"""Qualifier families: what a question is about besides its category labels.

Why: the relevance gate (``rag.answer.relevance``) compares the *labels* a question names with those a
sentence names (TR4 vs TR1, 4A vs 4B, T1c vs T2a). Measured on a manual read of 30 answers, most of
the off-question sentences that still reached users named no sibling *label* but a sibling of
something else the question fixed:

- an **edition** ("what changed between the 8th and 7th edition?" answered with "第9版T分类与第8版相同");
- a prostate **zone** (peripheral vs transition zone: the same DWI score means different things);
- a lung **nodule type** (a solid-nodule question answered with the part-solid row);
- a finding's **polarity** (a question about *positive* DCE answered with the negative-DCE row).

Each is a family of mutually exclusive members, read the same way from questions, sentences and
headings, in English and Chinese, so the gate treats them exactly like label families: a sentence
that names only siblings of what was asked is off-question. Editions are *compared* in questions
("8th vs 7th"); when a question names two or more editions, a sentence that brings in a third is
about another comparison (``STRICT_WHEN_PAIRED``).
"""

from __future__ import annotations

import re

__all__ = ["QUALIFIER_FAMILIES", "STRICT_WHEN_PAIRED", "qualifiers"]

_ORDINAL = {"seventh": "7", "eighth": "8", "ninth": "9", "七": "7", "八": "8", "九": "9"}
_EDITION = re.compile(
    r"(?<![A-Za-z0-9])([6-9])(?:th)?\s*(?:edition|ed\.)|\b(seventh|eighth|ninth)\s+edition"
    r"|(?<![A-Za-z0-9])([6-9])th\b|\b(?:AJCC|TNM|UICC)\s*-?([6-9])(?![0-9])|第\s*([6-9七八九])\s*版", re.I)
_ZONES = (("PZ", re.compile(r"\bPZ\b|peripheral[\s-]+zone|外周带", re.I)),
          ("TZ", re.compile(r"\bTZ\b|transition(?:al)?[\s-]+zone|移行带", re.I)))
# "part-solid" and "ground-glass" first, masked, so the "solid" in "part-solid" is not read as solid;
# "solid component"/"实性成分" is a part of a part-solid nodule, not a nodule type.
_SUBSOLID = re.compile(r"sub-?solid|亚实性", re.I)  # the parent of part-solid and ground-glass
_NODULES = (("part-solid", re.compile(r"part[\s-]?solid|部分实性|混[合杂](?:性)?磨玻璃", re.I)),
            ("ground-glass", re.compile(r"ground[\s-]?glass|non-?solid|\bGGN\b|\bGGO\b|磨玻璃", re.I)),
            ("solid", re.compile(r"\bsolid\b(?!\s*(?:component|portion|part|core))|实性(?!成分)", re.I)))
_DCE = (("positive", re.compile(r"positive\s+DCE|DCE[\s-]*(?:is\s+)?(?:positive|\+)|DCE\s*阳性|阳性\s*DCE", re.I)),
        ("negative", re.compile(r"(?:negative|absent)\s+DCE|(?:negative|absent)\s+or\s+(?:negative|absent)\s+DCE"
                                r"|DCE[\s-]*(?:is\s+)?(?:negative|absent|-)(?![A-Za-z0-9])|DCE\s*阴性|阴性\s*DCE", re.I)))

QUALIFIER_FAMILIES = ("edition", "zone", "nodule", "dce")
STRICT_WHEN_PAIRED = frozenset({"edition"})


def qualifiers(text: str) -> dict[str, frozenset[str]]:
    """The qualifier members a text names: ``{"edition": {"8", "7"}, "zone": {"PZ"}, ...}``."""
    found: dict[str, set[str]] = {}
    for m in _EDITION.finditer(text):
        raw = next(g for g in m.groups() if g)
        found.setdefault("edition", set()).add(_ORDINAL.get(raw.lower(), raw))
    for family, members in (("zone", _ZONES), ("nodule", _NODULES), ("dce", _DCE)):
        masked = text
        if family == "nodule" and _SUBSOLID.search(text):
            found.setdefault(family, set()).update(("part-solid", "ground-glass"))
            masked = _SUBSOLID.sub(" ", masked)
        for name, pattern in members:
            if pattern.search(masked):
                found.setdefault(family, set()).add(name)
                masked = pattern.sub(" ", masked)
    return {family: frozenset(members) for family, members in found.items()}
