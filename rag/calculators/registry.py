"""The calculator registry: one entry point for every staging and RADS system.

TNM calculators live in ``rag.calculators.staging`` and RADS/WHO calculators in ``rag.calculators.rads``; each package
exposes ``CALCULATORS``, a list of objects satisfying :class:`Calculator`. This module only finds
the right one by system name or alias and runs it. No LLM is involved anywhere below here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from rag.errors import InvalidInput
from rag.types import CalcResult


class Calculator(Protocol):
    """A deterministic, edition-aware calculator for one system."""

    system: str  # the CONTRACT.md id, e.g. "AJCC8-lung"
    edition: str  # human-readable, e.g. "AJCC 8th edition (2017)"
    aliases: tuple[str, ...]

    def from_text(self, text: str) -> CalcResult:
        """Parse free text (findings or a report excerpt) and compute."""
        ...

    def from_findings(self, findings: Mapping[str, Any], tnm: str | None = None) -> CalcResult:
        """Compute from structured findings (CONTRACT.md keys) and/or a TNM string."""
        ...


def _normalise(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def all_calculators() -> list[Calculator]:
    """Every registered calculator, TNM first."""
    from rag.calculators.rads import CALCULATORS as rads
    from rag.calculators.staging import CALCULATORS as staging

    return [*staging, *rads]


def find_calculator(system: str) -> Calculator:
    """The calculator for a system id or alias (case- and punctuation-insensitive)."""
    wanted = _normalise(system)
    for calc in all_calculators():
        if wanted in {_normalise(n) for n in (calc.system, *calc.aliases)}:
            return calc
    known = ", ".join(sorted(c.system for c in all_calculators()))
    raise InvalidInput(f"unknown system {system!r}", hint=f"use one of: {known}")
