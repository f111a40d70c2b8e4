"""What a RADS calculation used: rule ids, evidence, notes and missing inputs, in order.

Calculators append to one ``Trace`` while they decide, then freeze it into a ``CalcResult``, so
every rule id cited is one the code actually applied (no after-the-fact reconstruction).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rag.types import CalcResult, Discrepancy, Evidence

__all__ = ["Trace"]


@dataclass
class Trace:
    """Mutable accumulator used during one calculation (never shared between calls)."""

    rule_ids: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    discrepancies: list[Discrepancy] = field(default_factory=list)

    def rule(self, *ids: str) -> None:
        """Record rule ids applied (first use keeps its place)."""
        for rid in ids:
            if rid not in self.rule_ids:
                self.rule_ids.append(rid)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def need(self, what: str) -> None:
        if what not in self.missing:
            self.missing.append(what)

    def use(self, *evs: Evidence) -> None:
        """Record evidence read, in order (several at once for a lesion's whole list)."""
        self.evidence.extend(evs)

    def disagree(
        self,
        stated: str,
        derived: str,
        stated_evidence: Evidence | None,
        rule_id: str,
        message: str,
        *,
        field: str = "category",
    ) -> None:
        """Record that the report states ``stated`` where the calculation gives ``derived``.

        The derived side cites every piece of evidence used so far, so call this last.
        """
        self.discrepancies.append(
            Discrepancy(field, stated, derived, stated_evidence, tuple(self.evidence), rule_id, message)
        )

    def check_stated(
        self, stated: tuple[str, Evidence | None] | None, derived: str | None, rule_id: str, message: str
    ) -> None:
        """``disagree`` when the report states a category and the calculation derives another.

        ``message`` is a template with ``{stated}`` and ``{derived}`` (it is only filled in when
        both exist, so it may name the stated value).
        """
        if stated and derived and stated[0] != derived:
            self.disagree(stated[0], derived, stated[1], rule_id, message.format(stated=stated[0], derived=derived))

    def freeze(self, system: str, edition: str, result: dict[str, Any]) -> CalcResult:
        """The immutable result."""
        return CalcResult(
            system=system,
            edition=edition,
            result=result,
            missing=tuple(self.missing),
            rule_ids=tuple(self.rule_ids),
            evidence=tuple(self.evidence),
            discrepancies=tuple(self.discrepancies),
            notes=tuple(self.notes),
        )
