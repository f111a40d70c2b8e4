"""Right / wrong / missing: how calculator and reader outputs are scored against gold values.

A value the calculator did not give is *missing*; one it gave that differs from gold is *wrong*.
They are kept apart because they cost a clinician differently: a missing field comes with a
question to answer, a wrong one comes with a citation and looks verified.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

Outcome = Literal["right", "wrong", "missing"]


def normalise(value: object) -> str:
    """Compare labels as the source writes them, ignoring prefixes, case and wrappers (``pT2a`` = ``T2a``)."""
    s = str(value).strip().lower()
    s = re.sub(r"^(c|p|yp|yc|r|a)(?=[tnm]\d|[tnm]is|[tnm]x|t1mi)", "", s)
    s = re.sub(r"^(stage|category|lung-rads|bi-rads|pi-rads|ti-rads)\s*", "", s)
    return re.sub(r"[\s,_]+", " ", s).strip()


def major(value: object, axis: str) -> str | None:
    """The major T/N/M category (``T2a`` → ``T2``, ``pN1mi`` → ``N1``); None when absent."""
    m = re.search(rf"{axis}(\d|is|x)", str(value or ""), re.I)
    return m.group(0).upper() if m else None


def outcome(expected: object, got: object) -> Outcome:
    if got is None or str(got).strip() == "":
        return "missing"
    return "right" if normalise(expected) == normalise(got) else "wrong"


@dataclass
class Tally:
    """Counts of right / wrong / missing for one group (a system, a field, a project)."""

    right: int = 0
    wrong: int = 0
    missing: int = 0
    misses: list[dict[str, object]] = field(default_factory=list)

    def add(self, result: Outcome, detail: dict[str, object] | None = None) -> None:
        setattr(self, result, getattr(self, result) + 1)
        if result != "right" and detail is not None:
            self.misses.append({"outcome": result, **detail})

    @property
    def total(self) -> int:
        return self.right + self.wrong + self.missing

    def as_dict(self) -> dict[str, object]:
        total = self.total or 1
        return {"right": self.right, "wrong": self.wrong, "missing": self.missing, "total": self.total,
                "right_rate": self.right / total, "wrong_rate": self.wrong / total}
