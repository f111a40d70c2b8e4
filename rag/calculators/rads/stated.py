"""A category the report itself states ("PI-RADS 4", "TR4", "Lung-RADS 3"), kept apart from a computed one.

The readers compute categories from findings; a stated category is the radiologist's assessment,
not a rule applied by us. Policy (the same for every RADS system):

- Findings decide when they decide: a stated category that differs is a *discrepancy* (reported,
  never silently preferred).
- When the findings do not decide (a score or size is missing), the stated category fills the
  field **only** if it is consistent with what the findings allow (it is one of the ``candidates``
  when the reader narrowed the choice) and the text asserts it: not negated ("no PI-RADS 4 or 5
  lesion"), not historical ("prior Lung-RADS 3"), not hedged right at the label ("possibly TR4"),
  not a span ("PI-RADS 3-4", "4/5") and not contradicted by a second stated value. The result then
  says ``category_source: "stated"``, cites no rule (nothing was verified), and ``missing`` keeps
  naming the inputs that would verify it.
- Otherwise the field stays missing; ``stated_category`` shows what the report said.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from rag.calculators.context import assess
from rag.calculators.rads.scan import evidence_for
from rag.types import CalcResult, Evidence

__all__ = ["Stated", "adopt_stated", "asserted_stated", "current_statements"]

# "PI-RADS 3-4", "PI-RADS 4 or 5", "TR3/4", "3～4类": a span, not one category.
_SPAN_AFTER = re.compile(r"\s*(?:-|–|/|~|～|\bor\b|\bto\b|\bvs\.?|\bversus\b|或|至|到)\s*(?:TR|LR-?)?\d", re.I)
# "PI-RADS 3 or higher", "Lung-RADS 4A and above", "TR4及以上": a threshold, not this lesion's category.
_THRESHOLD_AFTER = re.compile(r"\s*(?:(?:or|and)\s+(?:higher|greater|above|more|lower|less|below)\b|\+|(?:分|类)?及?以[上下])",
                              re.I)
# A hedge written right at the label: "possibly PI-RADS 4", "PI-RADS 4?", "likely TR4".
_HEDGE_AT = re.compile(r"(?:\b(?:possibl[ey]|probabl[ey]|likely|questionabl[ey]|equivocal|borderline|at\s+least|"
                       r"up\s+to|≥|>=|<|>|≤|if|when|unless|whether|for)\s*(?:a\s+|an\s+)?|可能|疑似|考虑|可疑|至少|如|若)$", re.I)
_HEDGE_AFTER = re.compile(r"^\s*(?:\?|可能|待定|不除外)")


@dataclass(frozen=True)
class Stated:
    """One category stated by the report, with its evidence."""

    value: str
    evidence: Evidence | None


def current_statements(text: str, pattern: re.Pattern[str]) -> list[re.Match[str]]:
    """Matches of a stated-category pattern that the report asserts now: not negated ("no BI-RADS 4 or 5
    findings") and not historical ("prior BI-RADS 3", "既往BI-RADS 3类", "previously TR4").

    Why: a report quotes earlier assessments beside today's; reading the earlier one as today's (or
    letting it enter an exam's "worst category") gives a wrong category with a citation beside it.
    """
    return [m for m in pattern.finditer(text) if _current(text, m)]


def _current(text: str, m: re.Match[str]) -> bool:
    """Not negated by a cue before the label, not historical. A cue after the label is its meaning
    ("BI-RADS 1, negative", "BI-RADS 2, benign"), never a denial of it."""
    a = assess(text, m.start(), m.end())
    if a.historical:
        return False
    return not any(c.kind == "negated" and c.end <= m.start() for c in a.cues)


def asserted_stated(
    text: str,
    pattern: re.Pattern[str],
    normalise: Callable[[re.Match[str]], str | None],
    descriptor: str,
) -> Stated | None:
    """The single category the text asserts, or None (none, several, negated, historical, hedged or a span)."""
    found: list[tuple[str, re.Match[str]]] = []
    for m in pattern.finditer(text):
        if _SPAN_AFTER.match(text, m.end()):
            return None  # the report itself is undecided between two categories
        if _THRESHOLD_AFTER.match(text, m.end()):
            continue  # a threshold ("PI-RADS 3 or higher lesions are biopsied"), not a category
        if _HEDGE_AT.search(text[max(0, m.start() - 15) : m.start()]) or _HEDGE_AFTER.match(text[m.end() : m.end() + 4]):
            continue
        if not _current(text, m):
            continue
        value = normalise(m)
        if value is not None:
            found.append((value, m))
    if len({v for v, _ in found}) != 1:
        return None
    value, m = found[0]
    return Stated(value, evidence_for(descriptor, value, text, m.start(), m.end()))


def _nested_candidates(result: dict[str, object], key: str) -> list[str]:
    """What a per-nodule / per-lesion list allows when the exam-level reader gave no candidates.

    An undecided item with candidates limits the exam category to those candidates or to a
    category another item already has (the exam takes the worst); [] when no item narrows it.
    """
    items = [x for v in result.values() if isinstance(v, list) for x in v if isinstance(x, dict)]
    open_items = [x for x in items if x.get(key) is None and x.get("candidates")]
    if not open_items:
        return []
    allowed = {str(c) for x in open_items for c in x["candidates"]}  # type: ignore[union-attr]
    allowed |= {str(x[key]) for x in items if x.get(key) is not None}
    return sorted(allowed)


def adopt_stated(
    calc: CalcResult,
    stated: Stated | None,
    *,
    key: str = "category",
    label: str = "category",
    after: Callable[[dict[str, object]], None] | None = None,
    order: Sequence[str] | None = None,
    floor: str | None = None,
) -> CalcResult:
    """Fill ``result[key]`` from the stated category when the findings leave it open (see module doc).

    ``after`` lets a reader derive what follows from the adopted value (TI-RADS: the FNA /
    follow-up recommendation from the stated level and the measured size). ``order`` is the
    category order, used to reject a stated category below ``floor`` when a reader
    knows only a lower bound (``floor``).
    """
    if stated is None:
        return calc
    result = dict(calc.result)
    result[f"stated_{key}"] = stated.value
    if result.get(key) is not None:
        result[f"{key}_source"] = "computed"
        return replace(calc, result=result)
    notes = list(calc.notes)
    candidates = [str(c) for c in (result.get("candidates") or [])] or _nested_candidates(result, key)
    if candidates and stated.value not in candidates:
        notes.append(f"the report states {label} {stated.value}, which its findings do not allow "
                     f"({' or '.join(candidates)}); left undecided")
        return replace(calc, result=result, notes=tuple(notes))
    if order and floor is not None and floor in order and stated.value in order \
            and order.index(stated.value) < order.index(floor):
        notes.append(f"the report states {label} {stated.value}, below the {floor} its findings already give; "
                     "left undecided")
        return replace(calc, result=result, notes=tuple(notes))
    result[key] = stated.value
    result[f"{key}_source"] = "stated"
    if after is not None:
        after(result)
    verify = "; ".join(calc.missing) if calc.missing else "the findings behind it"
    notes.append(f"{label} {stated.value} is the report's own (stated) {label}, not computed from its findings; "
                 f"to verify it, state: {verify}")
    evidence = calc.evidence + ((stated.evidence,) if stated.evidence else ())
    return replace(calc, result=result, notes=tuple(notes), evidence=evidence)
