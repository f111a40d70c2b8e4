"""Evaluate a RADS reader at both ends of a size range and keep only what the two agree on.

A report that says "7–8 mm" has not given a size: the nodule is somewhere in between. Every RADS
size rule is monotone in size (a larger nodule never gets a lower Lung-RADS category, a lower
TI-RADS recommendation or a lower LI-RADS / PI-RADS score), so if the rules give the same answer
at the low and at the high end they give it everywhere in between, and the answer is supported;
if they differ, the category is left missing with a question that names the size the report must
state and what each end would give. A category is never read from one end of a range.

Why a wrapper and not per-reader code: the same reasoning applies to every size threshold in
every reader (Lung-RADS mean diameter rows, TI-RADS FNA / follow-up cut-offs, LI-RADS 10/20 mm
bands, PI-RADS 1.5 cm), and the readers already read sizes through ``sizes.find_sizes``; running
the unchanged reader twice is the one mechanism that covers them all, including sizes inside
structured findings ("size": "7-8 mm").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from rag.calculators.rads.sizes import SizeRange, reading_end
from rag.types import CalcResult, Discrepancy

__all__ = ["both_ends", "merge_ends"]

_CANDIDATES = "candidates"


def _fmt(mm: float, unit: str) -> str:
    value = mm / 10 if unit == "cm" else mm
    return f"{value:g} {unit}"


def _shown(value: Any) -> str:
    return "none" if value is None else str(value)


def _agree(a: Any, b: Any) -> Any:
    """Keep what both readings give; a value that depends on the end becomes None."""
    if a == b:
        return a
    if isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys():
        return {k: _agree(a[k], b[k]) for k in a}
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b) and all(isinstance(x, dict) for x in a + b):
        return [_agree(x, y) for x, y in zip(a, b, strict=True)]
    return None


def _ordered_union(*seqs: Sequence[Any]) -> tuple[Any, ...]:
    out: list[Any] = []
    for seq in seqs:
        for x in seq:
            if x not in out:
                out.append(x)
    return tuple(out)


def _shared_discrepancies(low: CalcResult, high: CalcResult) -> tuple[Discrepancy, ...]:
    """Discrepancies found at both ends (a stated category contradicted whatever the size is)."""
    seen = {(d.field, d.stated, d.derived) for d in low.discrepancies}
    return tuple(d for d in high.discrepancies if (d.field, d.stated, d.derived) in seen)


def merge_ends(
    low: CalcResult,
    high: CalcResult,
    ranges: Sequence[SizeRange],
    decisions: Sequence[str],
    *,
    unit: str = "mm",
    size_name: str = "size",
) -> CalcResult:
    """One result from the two readings: agreed fields kept, disagreeing decisions left missing."""
    spans = ", ".join(r.text.strip() for r in ranges)
    ends = " / ".join(f"{_fmt(r.low_mm, unit)} to {_fmt(r.high_mm, unit)}" for r in ranges)
    result = _agree(low.result, high.result)
    differ = [k for k in decisions if low.result.get(k) != high.result.get(k)]
    result["size_range_mm"] = [[r.low_mm, r.high_mm] for r in ranges]
    notes = list(_ordered_union(low.notes, high.notes))
    if not differ:
        shown = ", ".join(f"{k} {high.result.get(k)}" for k in decisions if high.result.get(k) is not None)
        notes.append(f"the size is given as a range ({spans}); both ends give the same result ({shown or 'none'})")
        return replace(
            high,
            result=result,
            missing=_ordered_union(low.missing, high.missing),
            rule_ids=_ordered_union(low.rule_ids, high.rule_ids),
            notes=tuple(notes),
            discrepancies=_shared_discrepancies(low, high),
        )
    for k in differ:
        result[k] = None
    cands = [str(v) for v in (low.result.get(differ[0]), high.result.get(differ[0])) if v is not None]
    result[_CANDIDATES] = list(_ordered_union(result.get(_CANDIDATES) or [], cands))
    what = "; ".join(f"{k} {_shown(low.result.get(k))} at the low end, {_shown(high.result.get(k))} at the high end"
                     for k in differ)
    question = (f"the {size_name} as one value: the report gives a range or bound ({spans}), and the rules disagree "
                f"across it ({what})")
    notes.append(f"size range {ends}: {what}; not decided")
    shared_rules = tuple(r for r in high.rule_ids if r in low.rule_ids)
    return replace(
        high,
        result=result,
        missing=_ordered_union([question], low.missing, high.missing),
        rule_ids=shared_rules,
        notes=tuple(notes),
        discrepancies=_shared_discrepancies(low, high),
    )


def both_ends(
    read: Callable[[], CalcResult],
    decisions: Sequence[str],
    *,
    unit: str = "mm",
    size_name: str = "size",
) -> CalcResult:
    """Run ``read`` with ranges at their low end; when it met a range, again at the high end, and merge."""
    with reading_end("low") as seen:
        low = read()
    if not seen:
        return low
    with reading_end("high"):
        high = read()
    return merge_ends(low, high, seen, decisions, unit=unit, size_name=size_name)
