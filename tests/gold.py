"""The retrieval gold questions and the rule-id equivalence they are scored with.

Shared by the gold test (tests/test_retrieval_gold.py), which says whether questions hit, and
bench/gold_misses.py, which says why they miss: both must read the same files the same way and
group rules by the same system, or the bench would explain misses the test does not see. It is
test support, not product code: nothing in ``rag`` needs to treat a Chinese restatement of a rule
as the English rule.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

GOLD_DIR = Path(__file__).resolve().parent / "data" / "gold"


def canonical(rule_id: str) -> str:
    """A rule id without its Chinese-document marks: ``ZHLUNG8.ED9.N.N2a`` → ``LUNG9.N.N2a``."""
    parts = rule_id.split(".")
    if parts[0].startswith("ZH"):
        parts[0] = parts[0][2:]
        if parts[0] == "LUNG8" and len(parts) > 2 and parts[1] == "ED9":
            parts = ["LUNG9", *parts[2:]]
    return ".".join(parts)


def system_of(rule_id: str) -> str:
    """The system a rule belongs to in either language's document (``ZHLUNG8.ED9.T.T1a`` → LUNG9)."""
    return canonical(rule_id).split(".")[0]


@dataclass(frozen=True)
class Gold:
    """One line of a gold file: a clinician's question and the rule id whose definition answers it."""

    file: str
    line: int
    query: str
    rule_id: str
    lang: str

    @property
    def prefix(self) -> str:
        return self.rule_id.split(".")[0]

    @property
    def label(self) -> str:
        return f"{self.file}:{self.line}"

    def accepts(self, rule_id: str) -> bool:
        """The same rule, stated in either language's document."""
        return canonical(rule_id) == canonical(self.rule_id)


def load_gold(directory: Path = GOLD_DIR) -> list[Gold]:
    """Every question of ``directory/*.jsonl`` (``{"query", "rule_id", "lang"}`` a line), in file order."""
    items = []
    for path in sorted(directory.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                data = json.loads(line)
                items.append(Gold(path.name, number, data["query"], data["rule_id"], data["lang"]))
    return items


def report_groups(items: Iterable[T], gold_of: Callable[[T], Gold]) -> dict[str, list[T]]:
    """Items grouped as both reports print their rates: "<system> <lang>", "ALL <lang>" and "ALL"."""
    groups: dict[str, list[T]] = defaultdict(list)
    for item in items:
        gold = gold_of(item)
        groups[f"{system_of(gold.rule_id)} {gold.lang}"].append(item)
        groups[f"ALL {gold.lang}"].append(item)
        groups["ALL"].append(item)
    return groups
