"""Phrasing suites for the RADS readers, written from the guideline texts (not from any shared case).

Each suite module builds :class:`Phrase` objects mechanically: feature templates × values × polarity
(plain, negated, hedged, historical, distractor, coordinated) × language. The expected result comes
from a small, independent oracle (:mod:`phrasings.rads_oracle`) that re-states the published tables,
so a phrasing never carries a hand-typed answer.

Scoring keeps *wrong* and *missing* apart (issue 10): a field the reader left empty is missing; a
field with a value outside the accepted set is wrong — the outcome that must stay at zero.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rag.calculators.registry import find_calculator
from rag.errors import InvalidInput

__all__ = ["Phrase", "Tally", "judge", "phrase", "run_suite"]

MISSING = None  # an accepted value meaning "the reader should leave this field empty"


@dataclass(frozen=True)
class Phrase:
    """One phrasing: the text, what it exercises, and the accepted value(s) per result key."""

    system: str
    lang: str  # "en" | "zh"
    rule: str  # the rule family exercised, e.g. "LR22.JUXTAPLEURAL.2"
    form: str  # plain | negated | hedged | historical | distractor | coordinated
    text: str
    expect: tuple[tuple[str, tuple[Any, ...]], ...]
    findings: Mapping[str, Any] | None = None  # structured input: run through ``from_findings`` instead of the text


def phrase(system: str, lang: str, rule: str, form: str, text: str, **expect: Any) -> Phrase:
    """Build a phrase; each expectation is one value or a tuple of accepted values (``None`` = stay missing)."""
    items = tuple((k, v if isinstance(v, tuple) else (v,)) for k, v in expect.items())
    return Phrase(system, lang, rule, form, text, items)


def _same(got: Any, want: Any) -> bool:
    if want is None or got is None:
        return want is None and got is None
    if isinstance(want, float) or isinstance(got, float):
        try:
            return abs(float(got) - float(want)) < 0.051
        except (TypeError, ValueError):
            return False
    return str(got) == str(want)


def judge(p: Phrase, result: Mapping[str, Any] | None) -> str:
    """``right``, ``wrong`` or ``missing`` for one phrase given the calculator's ``result`` (None: refused)."""
    verdicts = []
    for key, accepted in p.expect:
        got = None if result is None else result.get(key)
        if any(_same(got, a) for a in accepted):
            verdicts.append("right")
        elif got is None:
            verdicts.append("missing")
        else:
            verdicts.append("wrong")
    if "wrong" in verdicts:
        return "wrong"
    return "missing" if "missing" in verdicts else "right"


@dataclass
class Tally:
    """Right / wrong / missing per (system, language), plus the failing phrases for inspection."""

    counts: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    failures: list[tuple[str, Phrase, Any]] = field(default_factory=list)

    def add(self, p: Phrase, verdict: str, got: Any) -> None:
        self.counts[(p.system, p.lang, verdict)] += 1
        if verdict != "right":
            self.failures.append((verdict, p, got))

    def rows(self) -> list[tuple[str, str, int, int, int]]:
        keys = sorted({(s, lang) for s, lang, _ in self.counts})
        return [(s, lang, self.counts[(s, lang, "right")], self.counts[(s, lang, "wrong")], self.counts[(s, lang, "missing")])
                for s, lang in keys]

    def table(self) -> str:
        lines = ["| system | lang | n | right | wrong | missing |", "|---|---|---|---|---|---|"]
        for s, lang, r, w, m in self.rows():
            lines.append(f"| {s} | {lang} | {r + w + m} | {r} | {w} | {m} |")
        return "\n".join(lines)


def run_suite(phrases: Iterable[Phrase]) -> Tally:
    """Run every phrase through its calculator's ``from_text`` and tally the verdicts."""
    tally = Tally()
    for p in phrases:
        calc = find_calculator(p.system)
        try:
            out = calc.from_findings(p.findings) if p.findings is not None else calc.from_text(p.text)
            result: Mapping[str, Any] | None = out.result
        except InvalidInput as exc:
            result = None
            got: Any = f"InvalidInput: {exc}"
        else:
            got = {k: result.get(k) for k, _ in p.expect}
        tally.add(p, judge(p, result), got)
    return tally
