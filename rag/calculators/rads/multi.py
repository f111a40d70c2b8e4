"""Reports with several lesions: which one the result speaks for, and how the result names it.

LI-RADS observations and PI-RADS lesions are assessed one by one; the report's result is the
most severe decided one (the first, when none is decided), and the others stay visible in a list.
Written once so that both calculators choose and label the winner the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = ["most_severe", "summarise"]


def most_severe(per: Sequence[dict[str, Any]], rank: Callable[[str], int]) -> dict[str, Any]:
    """The lesion with the highest-ranked ``category``; the first lesion when none has one."""
    decided = [p for p in per if p["category"]]
    return max(decided, key=lambda p: rank(p["category"])) if decided else per[0]


def summarise(
    per: list[dict[str, Any]],
    best: dict[str, Any],
    keys: Sequence[str],
    item: str,
    items: str,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """``best``'s ``keys``, then ``extra``, its 1-based number under ``item``, and every lesion
    under ``items`` when there is more than one (in that key order: the JSON shows it)."""
    result = {k: best[k] for k in keys}
    result.update(extra or {})
    result[item] = best["index"]
    if len(per) > 1:
        result[items] = per
    return result
