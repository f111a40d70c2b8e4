"""Phrasing suites for the free-text TNM readers (data in the JSON files beside this module).

Each JSON file holds suites written from the guideline texts (corpora/, shared DOMAIN.md), never
from a sample case: ``templates`` × ``fills`` are expanded mechanically; ``expect`` is the category
the axis must read, or null when the reader must leave it missing (hedged, historical, partial).
``expect_by_template`` overrides the fill's expectation per template ("fill" keeps it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Phrasing", "load", "SUITE_FILES"]

HERE = Path(__file__).resolve().parent
SUITE_FILES = tuple(sorted(HERE.glob("*.json")))


@dataclass(frozen=True)
class Phrasing:
    """One generated phrasing and what the reader must make of it."""

    site: str  # the JSON file's stem
    rule: str
    system: str
    axis: str
    lang: str
    text: str
    expect: str | None  # None: the axis must stay missing


def load(path: Path) -> list[Phrasing]:
    """Expand every suite of one file into phrasings (templates × fills)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    out: list[Phrasing] = []
    for suite in data["suites"]:
        overrides = suite.get("expect_by_template") or ["fill"] * len(suite["templates"])
        if len(overrides) != len(suite["templates"]):
            raise ValueError(f"{path.name}: {suite['rule']}: expect_by_template needs one entry per template")
        for template, override in zip(suite["templates"], overrides, strict=True):
            for fill in suite["fills"]:
                values = {k: v for k, v in fill.items() if k != "expect"}
                expect = fill["expect"] if override == "fill" else override
                out.append(Phrasing(path.stem, suite["rule"], suite["system"], suite["axis"], suite["lang"],
                                    template.format(**values), expect))
    return out
