"""The clinical-context algorithm (rag.calculators.context): scopes, cues, coordination, Chinese."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.calculators.context import assess


def _state(text: str, target: str) -> str:
    start = text.index(target)
    a = assess(text, start, start + len(target))
    if a.historical:
        return "historical"
    if a.uncertain:
        return "uncertain"
    return "negated" if a.denied else "affirmed"


_CASES = [c for c in json.loads((Path(__file__).parent / "data" / "context_cases.json").read_text(encoding="utf-8"))["cases"]
          if "text" in c]


@pytest.mark.parametrize(("text", "target", "expected"), [(c["text"], c["target"], c["expected"]) for c in _CASES])
def test_context(text: str, target: str, expected: str) -> None:
    assert _state(text, target) == expected


def test_plainly_denied_excludes_hedged_negation() -> None:
    """'no definite' denies and hedges at once: not licence for a negative fact such as N0."""
    text = "No definite nodal metastasis."
    start = text.index("nodal metastasis")
    a = assess(text, start, start + len("nodal metastasis"))
    assert not a.asserted and not a.plainly_denied
