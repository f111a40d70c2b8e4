"""Sites whose stage-group table depends on histology, prefix or age: one table per branch.

Oesophagus has separate tables for squamous cell carcinoma and adenocarcinoma and for clinical,
pathological and post-neoadjuvant staging; thyroid for differentiated (by age), anaplastic and
medullary carcinoma; GIST for gastric and non-gastric primaries. Choosing the table first keeps
each table small and makes "which table?" its own question with its own missing inputs, instead
of mixing histology, prefix and grade conditions in one list of rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from rag.calculators.staging.table import Condition, StageLookup, StageRow, StageTable


@dataclass(frozen=True)
class Branch:
    """One stage-group table and the extra inputs that select it (``histology == squamous``...)."""

    key: str  # e.g. "SCC.PATH", "DIFF.AGE_GE55", "GASTRIC"
    when: tuple[Condition, ...]
    table: StageTable


@dataclass(frozen=True)
class BranchChoice:
    """The branch selected, or the extra inputs needed to select one."""

    branch: Branch | None
    missing: tuple[str, ...] = ()


def choose_branch(branches: Iterable[Branch], extras: Mapping[str, Any]) -> BranchChoice:
    """The first branch whose conditions all hold; otherwise the keys that would decide.

    A branch whose known conditions already fail is skipped without asking for its other keys,
    so a clinical adenocarcinoma never asks for the tumour location the squamous tables use.
    """
    known = {k: v for k, v in extras.items() if v is not None}
    missing: list[str] = []
    for branch in branches:
        if any(c.key in known and not c.holds(known) for c in branch.when):
            continue
        unknown = [c.key for c in branch.when if c.key not in known]
        if unknown:
            missing.extend(k for k in unknown if k not in missing)
            continue
        if missing:
            return BranchChoice(None, tuple(missing))
        return BranchChoice(branch)
    return BranchChoice(None, tuple(missing))


def table(system: str, edition: str, t: tuple[str, ...], n: tuple[str, ...], m: tuple[str, ...],
          rows: Iterable[StageRow], extra_keys: tuple[str, ...] = ()) -> StageTable:
    """A StageTable whose rows are checked to use only the categories the edition defines."""
    rows = tuple(rows)
    for r in rows:
        for axis, used, valid in (("T", r.t, t), ("N", r.n, n), ("M", r.m, m)):
            unknown = used - set(valid)
            if unknown:
                raise ValueError(f"{r.rule_id}: {axis} labels {sorted(unknown)} not in {system}")
    return StageTable(system, edition, t, n, m, rows, extra_keys)


@dataclass(frozen=True)
class BranchedTable(StageTable):
    """A StageTable made of branch tables, chosen by extra inputs before the T × N × M lookup.

    ``rows`` holds every branch row with the branch's conditions prepended, so code that reads
    rows (to list labels or the values an extra input can take) sees the whole table; ``lookup``
    picks the branch first, so a branch that does not apply never asks for its own inputs.
    ``normalise`` maps user spellings ("papillary", "moderately differentiated") to the values
    the conditions use.
    """

    branches: tuple[Branch, ...] = ()
    normalise: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None

    def lookup(self, t: str, n: str, m: str, extras: Mapping[str, Any] | None = None) -> StageLookup:
        self.validate(t, n, m)
        known = {k: v for k, v in (extras or {}).items() if v is not None}
        if self.normalise is not None:
            known = self.normalise(known)
        choice = choose_branch(self.branches, known)
        if choice.branch is None:
            return StageLookup(None, choice.missing)
        return choice.branch.table.lookup(t, n, m, known)


def branched(system: str, edition: str, t: tuple[str, ...], n: tuple[str, ...],
             m: tuple[str, ...], branches: Iterable[Branch],
             normalise: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None) -> BranchedTable:
    """One table over several branches (see :class:`BranchedTable`)."""
    branches = tuple(branches)
    rows = tuple(StageRow(r.rule_id, r.stage, r.t, r.n, r.m, (*b.when, *r.when))
                 for b in branches for r in b.table.rows)
    keys = tuple(dict.fromkeys(c.key for r in rows for c in r.when))
    return BranchedTable(system, edition, t, n, m, rows, keys, branches, normalise)
