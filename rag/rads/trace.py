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

    def use(self, ev: Evidence) -> None:
        self.evidence.append(ev)

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
