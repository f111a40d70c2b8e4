"""Stage grouping when some inputs are unknown or less specific than the table.

A report may say "pT2" where the table needs T2a or T2b, omit N, or give no PSA. Rather than
guess, we try every category (and every PSA / Grade Group band) the unknown could take: when all
of them lead to the same group, that group is certain (M1 is stage IV whatever T and N are);
otherwise we name what is missing and list the candidate groups.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from itertools import product
from typing import Any

from rag.calculators.staging.table import StageRow, StageTable

__all__ = ["StageOutcome", "resolve_stage", "leaves"]


@dataclass(frozen=True)
class StageOutcome:
    """The stage when every possibility agrees; otherwise the candidates and what would decide."""

    stage: str | None
    rows: tuple[StageRow, ...]
    candidates: tuple[str, ...]
    missing_axes: tuple[str, ...]
    missing_extras: tuple[str, ...]
    used_enumerated_extras: tuple[str, ...] = ()


def _row_labels(table: StageTable, axis: str) -> list[str]:
    attr = {"T": "t", "N": "n", "M": "m"}[axis]
    seen: list[str] = []
    for r in table.rows:
        for label in sorted(getattr(r, attr)):
            if label not in seen:
                seen.append(label)
    return seen


def leaves(table: StageTable, axis: str, label: str | None) -> list[str]:
    """The table labels a (possibly parent or unknown) category stands for: T2 → T2a, T2b."""
    used = _row_labels(table, axis)
    if label is None:
        return [x for x in used if not x.endswith("X")]
    children = [x for x in used if _child_of(label, x)]
    # Only the most specific children: cervix T1 stands for T1a1 ... T1b3, not also for T1a and
    # T1b, which the grid has no rows for (they appear only in "any T" rows such as M1).
    children = [x for x in children if not any(_child_of(x, y) for y in children)]
    if children:  # a parent label (T2 when the table has T2a/T2b) stands for all its children
        return children
    return [label] if label in used else []


def _child_of(parent: str, label: str) -> bool:
    """T2a and T2a1 are children of T2; T1mi and N1mi are not (they are categories of their own)."""
    return re.fullmatch(re.escape(parent) + r"(?:[a-d]\d?|\d)", label) is not None


def _bands(table: StageTable, key: str) -> list[Any]:
    """One representative value per band the table's conditions cut ``key`` into.

    A categorical input ranges over the values the table names (squamous / adenocarcinoma, G1-GX):
    an unstated histology is one of the histologies this table stages, so oesophageal cN3 is IVA
    whichever it is. A value outside them is not enumerated; given explicitly, it finds no row.
    """
    points: set[Any] = set()
    options: set[Any] = set()
    for r in table.rows:
        for c in r.when:
            if c.key != key:
                continue
            if c.op == "in":
                options.update(c.value)
            elif isinstance(c.value, (int, float)) and not isinstance(c.value, bool):
                points.update({c.value - 0.001, c.value, c.value + 0.001})
            else:
                options.add(c.value)
    if points:
        return sorted(points | {min(points) - 1, max(points) + 1} | options)
    return sorted(options, key=str)


def _deciding(keys: list[str], outcomes: Mapping[tuple[Any, ...], Hashable]) -> set[str]:
    """The keys whose value alone can change the outcome: two trials differing only there disagree.

    Age is not asked for differentiated thyroid T1 N0 M0 (stage I at any age), but histology is
    when it could be anaplastic (IVA) instead.
    """
    out: set[str] = set()
    items = list(outcomes.items())
    for i, key in enumerate(keys):
        for values, got in items:
            if any(other[i] != values[i] and got2 != got and other[:i] + other[i + 1:] == values[:i] + values[i + 1:]
                   for other, got2 in items):
                out.add(key)
                break
    return out


def resolve_stage(table: StageTable, t: str | None, n: str | None, m: str | None,
                  extras: Mapping[str, Any]) -> StageOutcome:
    """Group T/N/M (any may be None or a parent label), enumerating what is unknown.

    ``missing_extras`` lists only the unknown inputs whose value would change the group; an
    input every value of which gives the same group is enumerated away (``used_enumerated_extras``).
    """
    choices = {axis: leaves(table, axis, label) for axis, label in (("T", t), ("N", n), ("M", m))}
    known = {k: v for k, v in extras.items() if v is not None}
    stages: dict[str, list[StageRow]] = {}
    unstaged = False
    enumerated: set[str] = set()
    needed: set[str] = set()
    per_combo: dict[tuple[Any, ...], frozenset[str | None]] = {}  # what each T × N × M can lead to
    for tt, nn, mm in product(choices["T"], choices["N"], choices["M"]):
        look = table.lookup(tt, nn, mm, known)
        if look.row is not None:
            stages.setdefault(look.row.stage, []).append(look.row)
            per_combo[(tt, nn, mm)] = frozenset([look.row.stage])
            continue
        if not look.missing:
            unstaged = True
            per_combo[(tt, nn, mm)] = frozenset([None])
            continue
        keys = list(look.missing)
        outcomes: dict[tuple[Any, ...], str | None] = {}
        for values in product(*(_bands(table, k) for k in keys)):
            trial = {**known, **dict(zip(keys, values, strict=True))}
            sub = table.lookup(tt, nn, mm, trial)
            outcomes[values] = sub.row.stage if sub.row is not None else None
            if sub.row is not None:
                stages.setdefault(sub.row.stage, []).append(sub.row)
                enumerated.update(keys)
            else:
                unstaged = True
        needed.update(_deciding(keys, outcomes))
        per_combo[(tt, nn, mm)] = frozenset(outcomes.values())
    candidates = tuple(stages)
    if len(stages) == 1 and not unstaged and all(choices.values()):
        stage = candidates[0]
        rows = tuple(dict.fromkeys(stages[stage]))
        return StageOutcome(stage, rows, candidates, (), (), tuple(sorted(enumerated)))
    # An axis is missing when it is unknown (or a parent label) and its value would change the group:
    # thyroid N0 stands for N0a and N0b, which never group differently, so N0 is not asked about.
    deciding = _deciding(["T", "N", "M"], per_combo)
    missing_axes = tuple(a for a, label in (("T", t), ("N", n), ("M", m))
                         if not choices[a] or (a in deciding and (label is None or len(choices[a]) != 1)))
    return StageOutcome(None, (), candidates, missing_axes, tuple(k for k in sorted(needed)))
