"""Turning site descriptors into T/N/M Assignments: thresholds as data, bounds explicit.

Each site lists its size cut-offs as ``(upper bound in mm, category)`` pairs, inclusive of the
bound ("≤20 mm → T1"), and its node-count bands as ``(lowest count, category)`` pairs; the
functions here only walk those lists and attach the definition rule id and evidence.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rag.calculators.staging.extract import Descriptors, Fact
from rag.calculators.staging.site import rule_label
from rag.calculators.staging.table import Assignment
from rag.types import Evidence

__all__ = ["by_size", "by_count", "assignment", "evidence_of", "t_by_size", "n_by_count", "by_axis"]


def evidence_of(*facts: Fact | None) -> tuple[Evidence, ...]:
    """All evidence spans of the given facts, in order, without repeats."""
    spans: list[Evidence] = []
    for fact in facts:
        if fact is not None:
            spans.extend(e for e in fact.evidence if e not in spans)
    return tuple(spans)


def assignment(prefix: str, axis: str, category: str, *facts: Fact | None,
               note: str = "") -> Assignment:
    """An Assignment citing ``<prefix>.<axis>.<category>`` with the facts' evidence."""
    return Assignment(category, f"{prefix}.{axis}.{rule_label(category)}", evidence_of(*facts), note)


def by_size(mm: float, bands: Sequence[tuple[float, str]], above: str) -> str:
    """The category of the first band whose inclusive upper bound (mm) holds, else ``above``."""
    for bound, category in bands:
        if mm <= bound:
            return category
    return above


def by_count(count: int, bands: Iterable[tuple[int, str]]) -> str:
    """The category of the highest band whose lowest count ``count`` reaches."""
    chosen = ""
    for lowest, category in sorted(bands):
        if count >= lowest:
            chosen = category
    return chosen


def t_by_size(prefix: str, d: Descriptors, bands: Sequence[tuple[float, str]], above: str,
              *, note: str = "") -> Assignment | None:
    """T from the ``size_mm`` fact through the site's size bands, or None when no size was read.

    Sites call it after their own overriding findings (extension, artery, ...), which decide T first.
    """
    if "size_mm" not in d:
        return None
    size = d["size_mm"]
    return assignment(prefix, "T", by_size(size.value, bands, above), size, note=note)


def n_by_count(prefix: str, d: Descriptors, bands: Iterable[tuple[int, str]]) -> Assignment | None:
    """N from the ``positive_nodes`` count through the site's bands, or None when no count was read.

    The sites whose N depends on the count alone (not on node site or compartment) share this.
    """
    if "positive_nodes" not in d:
        return None
    nodes = d["positive_nodes"]
    return assignment(prefix, "N", by_count(nodes.value, bands), nodes)


def by_axis(**axes: Assignment | None) -> dict[str, Assignment]:
    """The axes that were decided (``T=..., N=...``), in the order given; undecided ones are left out."""
    return {axis: a for axis, a in axes.items() if a is not None}
