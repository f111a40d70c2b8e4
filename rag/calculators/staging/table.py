"""Stage-group tables as data, and the lookup that reads them.

A table is a list of rows; each row names the T, N and M categories it covers, any extra
conditions (PSA, Grade Group, age, histology, grade, location, mitotic rate...), the stage group
and the corpus rule id that states it. The code never encodes a stage: it only finds the row.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rag.errors import InvalidInput
from rag.types import Evidence

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
    "in": lambda value, options: value in options,
}


@dataclass(frozen=True)
class Condition:
    """An extra input a row needs, e.g. ``Condition("psa", "<", 10)``."""

    key: str
    op: str
    value: Any

    def holds(self, extras: Mapping[str, Any]) -> bool:
        return _OPS[self.op](extras[self.key], self.value)

    def describe(self) -> str:
        return f"{self.key} {self.op} {self.value}"


@dataclass(frozen=True)
class StageRow:
    """One row of a stage-group table: these T × N × M (under these conditions) give ``stage``."""

    rule_id: str
    stage: str
    t: frozenset[str]
    n: frozenset[str]
    m: frozenset[str]
    when: tuple[Condition, ...] = ()

    def covers(self, t: str, n: str, m: str) -> bool:
        return t in self.t and n in self.n and m in self.m


def row(rule_id: str, stage: str, t: Iterable[str] | str, n: Iterable[str] | str,
        m: Iterable[str] | str, *when: Condition) -> StageRow:
    """Build a row; a single string is one category, so data files stay short."""

    def as_set(value: Iterable[str] | str) -> frozenset[str]:
        return frozenset([value]) if isinstance(value, str) else frozenset(value)

    return StageRow(rule_id, stage, as_set(t), as_set(n), as_set(m), tuple(when))


@dataclass(frozen=True)
class StageLookup:
    """The row found, or the extra inputs that would decide between candidate rows."""

    row: StageRow | None
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class StageTable:
    """An edition's stage-group table with the category labels it accepts."""

    system: str
    edition: str
    t_categories: tuple[str, ...]
    n_categories: tuple[str, ...]
    m_categories: tuple[str, ...]
    rows: tuple[StageRow, ...]
    extra_keys: tuple[str, ...] = field(default=())

    def validate(self, t: str | None, n: str | None, m: str | None) -> None:
        """Reject labels the edition does not define, listing the valid ones."""
        for axis, value, valid in (("T", t, self.t_categories), ("N", n, self.n_categories),
                                   ("M", m, self.m_categories)):
            if value is not None and value not in valid:
                raise InvalidInput(
                    f"{value} is not a {axis} category in {self.system} ({self.edition})",
                    hint=f"valid {axis} categories: {', '.join(valid)}",
                )

    def lookup(self, t: str, n: str, m: str, extras: Mapping[str, Any] | None = None) -> StageLookup:
        """The first row covering T, N, M whose conditions hold; names missing extras if undecided.

        A row whose known conditions already fail is ruled out before its unknown keys are
        counted: otherwise a table mixing, say, histology and grade rows would ask for the grade
        of a histology it cannot be, and never resolve.
        """
        self.validate(t, n, m)
        extras = {k: v for k, v in (extras or {}).items() if v is not None}
        candidates = [r for r in self.rows if r.covers(t, n, m)]
        missing: list[str] = []
        for candidate in candidates:
            if any(c.key in extras and not c.holds(extras) for c in candidate.when):
                continue
            unknown = [c.key for c in candidate.when if c.key not in extras]
            if unknown:  # could still match: its unknown inputs would decide
                missing.extend(k for k in unknown if k not in missing)
                continue
            if missing:  # every condition holds, but an earlier row might match had we known more
                return StageLookup(None, tuple(missing))
            return StageLookup(candidate)
        return StageLookup(None, tuple(missing))


@dataclass(frozen=True)
class Assignment:
    """A T, N or M category derived from descriptors, with the rule and input spans behind it."""

    category: str
    rule_id: str
    evidence: tuple[Evidence, ...] = ()
    note: str = ""
