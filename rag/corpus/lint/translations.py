"""Chinese documents that restate a stage grid: check every cell against the calculators' tables.

A zh document has a rule prefix of its own (``ZHSTOMACH8``), so no calculator cites its rows and
the ``calc-*`` checks of ``rag.corpus.lint.calculators`` never read its grids: a mistyped cell in a translated
grid would reach users unnoticed. Which calculator table a zh grid restates is not written in the
file (the zh lung document restates the 9th-edition grid in a section of its AJCC8 document), so
each grid is looked up cell by cell in every calculator stage table that can answer at least half
its cells, and the table that agrees with the most cells is taken as the one it restates. Its
disagreements are errors; a grid that no table agrees with on most cells is reported as a
warning, since nothing could check it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rag.calculators.staging.group import resolve_stage
from rag.calculators.staging.table import StageTable
from rag.corpus.lint.grids import Grid, GridRow, no_group, norm_stage, read_grids
from rag.corpus.lint.scan import FileScan, Problem

__all__ = ["NamedTable", "calculator_tables", "check_translations"]


@dataclass(frozen=True)
class NamedTable:
    """A calculator stage table and how a message names it: ``AJCC8-stomach (p)``."""

    name: str
    table: StageTable


@dataclass(frozen=True)
class _Miss:
    grow: GridRow
    t: str
    n: str
    cell: str
    expected: str | None  # None: the table gives no group for this combination


@dataclass(frozen=True)
class _Fit:
    named: NamedTable
    agree: int
    misses: tuple[_Miss, ...]


def calculator_tables() -> list[NamedTable]:
    """Every stage table of every TNM calculator, once each; [] when they cannot be loaded (the
    calculator-rows check already warns about that)."""
    try:
        from rag.calculators.registry import all_calculators
        from rag.calculators.staging.sites import CALCULATORS as sites

        calculators = [*all_calculators(), *sites]
    except (ImportError, AttributeError):
        return []
    seen: set[tuple[str, str]] = set()
    out = []
    for calc in calculators:
        for spec in (getattr(calc, "spec", None), getattr(calc, "companion", None)):
            system = str(getattr(spec, "system", ""))
            for family, table in (getattr(spec, "tables", None) or {}).items():
                if (system, family) not in seen:
                    seen.add((system, family))
                    out.append(NamedTable(f"{system} ({family})", table))
    return out


def check_translations(scans: Iterable[FileScan], tables: Iterable[NamedTable]) -> list[Problem]:
    """Each grid of each zh document against the calculator table it agrees with most."""
    tables = list(tables)
    problems: list[Problem] = []
    if not tables:
        return problems
    for scan in scans:
        if str(scan.meta.get("language", "")) != "zh":
            continue
        for grid in read_grids(scan):
            problems.extend(_check_grid(scan, grid, tables))
    return problems


def _check_grid(scan: FileScan, grid: Grid, tables: list[NamedTable]) -> list[Problem]:
    cells = sum(len(r.t_labels) * len(r.cells) for r in grid.rows)
    # A table must be able to answer at least half the cells: a table of another site that shares
    # a few labels (GIST's "N1 is stage IV") must not pass for the one the grid restates.
    fits = [f for f in (_fit(grid, named) for named in tables) if 2 * (f.agree + len(f.misses)) >= cells]
    best = max(fits, key=lambda f: (f.agree - len(f.misses), -len(f.misses)), default=None)
    if best is None or best.agree <= len(best.misses):
        return [Problem(scan.name, grid.table.line, "warning", "zh-grid-unmatched",
                        "no calculator stage table agrees with most cells of this grid, so its cells "
                        "are not checked (is it a stage grid of a system without a calculator?)")]
    out = []
    for miss in best.misses:
        wanted = "no group ('-')" if miss.expected is None else f"stage {miss.expected}"
        out.append(Problem(scan.name, miss.grow.row.line, "error", "zh-grid-mismatch",
                           f"{miss.grow.rule_id}: {miss.t} {miss.n} M0 is {miss.cell!r} here but "
                           f"{wanted} in the {best.named.name} calculator table, which this grid "
                           f"restates ({best.agree} other cells agree)"))
    return out


def _fit(grid: Grid, named: NamedTable) -> _Fit:
    agree = 0
    misses = []
    for grow in grid.rows:
        for t in grow.t_labels:
            for n, cell in grow.cells.items():
                known, expected = _group(named.table, t, n)
                if not known:
                    continue
                if (expected is None and no_group(cell)) or (
                        expected is not None and norm_stage(cell) == norm_stage(expected)):
                    agree += 1
                else:
                    misses.append(_Miss(grow, t, n, cell, expected))
    return _Fit(named, agree, tuple(misses))


def _group(table: StageTable, t: str, n: str) -> tuple[bool, str | None]:
    """(comparable, stage): not comparable when the table lacks the labels or needs extra inputs
    (grade, PSA ...) that a plain T × N grid cannot give; stage None when it has no group."""
    if t not in table.t_categories or n not in table.n_categories or "M0" not in table.m_categories:
        return False, None
    outcome = resolve_stage(table, t, n, "M0", {})
    if outcome.stage is not None:
        return True, outcome.stage
    if outcome.candidates or outcome.missing_extras or outcome.missing_axes:
        return False, None
    return True, None
