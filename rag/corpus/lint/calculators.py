"""Check the corpus stage tables against the calculators' stage tables, cell by cell.

The calculators hold stage groups as data (``rag.calculators.staging.table.StageRow``) and cite a corpus rule
id for each row; the corpus states the same group in words a clinician reads. Two transcriptions
of one source drift apart silently, so every calculator row is compared with the corpus text its
rule id points at: the grid cell(s) for the same T and N, the long-form row's Stage cell, or the
heading rule's text. Grid cells the calculators never reach are reported too, so a combination
cannot be answered by the corpus but not by ``rag stage`` (or the reverse) without notice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rag.calculators.staging.table import StageRow
from rag.corpus.lint.grids import (
    Grid,
    GridRow,
    LongTable,
    category_labels,
    covers,
    no_group,
    norm_stage,
    read_grids,
    read_long_tables,
    split_labels,
)
from rag.corpus.lint.scan import Definition, FileScan, Problem

__all__ = ["calculator_rows", "check_calculators"]

_PLAIN_RE = re.compile(r"^(?:y?[cpr]|a)?([TNM](?:X|is|a|[0-9][A-Za-z0-9()+]*))$")


@dataclass(frozen=True)
class _Where:
    scan: FileScan
    definition: Definition


def calculator_rows() -> tuple[list[StageRow], str]:
    """Every StageRow of every registered TNM calculator (deduplicated), or why none could be read."""
    try:
        from rag.calculators.registry import all_calculators

        calculators = list(all_calculators())
    except (ImportError, AttributeError) as exc:
        return [], f"calculators could not be loaded ({type(exc).__name__}: {exc})"
    try:  # sites written but not yet in the registry are checked too
        from rag.calculators.staging.sites import CALCULATORS as sites

        calculators.extend(sites)
    except (ImportError, AttributeError):
        pass
    seen: set[tuple[object, ...]] = set()
    rows: list[StageRow] = []
    for calc in calculators:
        for spec in (getattr(calc, "spec", None), getattr(calc, "companion", None)):
            for table in (getattr(spec, "tables", None) or {}).values():
                for r in table.rows:
                    key = (r.rule_id, r.stage, r.t, r.n, r.m, r.when)
                    if key not in seen:
                        seen.add(key)
                        rows.append(r)
    return rows, ""


def check_calculators(scans: Iterable[FileScan], rows: Iterable[StageRow]) -> list[Problem]:
    """Calculator rows against the corpus; only prefixes of the checked files are compared."""
    scans = list(scans)
    where: dict[str, _Where] = {}
    for scan in scans:
        for d in scan.definitions:
            where.setdefault(d.rule_id, _Where(scan, d))
    prefixes = {str(s.meta.get("rule_prefix", "")) for s in scans}
    rows = [r for r in rows if r.rule_id.split(".")[0] in prefixes]
    grids = {s.name: read_grids(s) for s in scans}
    longs = {s.name: read_long_tables(s) for s in scans}
    problems: list[Problem] = []
    for r in rows:
        spot = where.get(r.rule_id)
        if spot is None:
            scan = next(s for s in scans if s.meta.get("rule_prefix") == r.rule_id.split(".")[0])
            problems.append(Problem(scan.name, 1, "error", "calc-undefined-rule",
                                    f"a calculator cites {r.rule_id} (stage {r.stage}) but the corpus "
                                    "does not define it"))
            continue
        problems.extend(_compare(r, spot, grids[spot.scan.name], longs[spot.scan.name]))
    problems.extend(_unreached_cells(scans, grids, rows))
    return _dedupe(problems)


def _compare(r: StageRow, spot: _Where, grids: list[Grid], longs: list[LongTable]) -> list[Problem]:
    d = spot.definition
    if d.kind == "table":
        for grid in grids:
            for grow in grid.rows:
                if grow.row.line == d.line:
                    return _compare_grid(r, spot, grid, grow)
        for long in longs:
            for row in long.table.rows:
                if row.line == d.line:
                    return _compare_long(r, spot, long, row.cells)
        return [_problem(spot, "calc-mismatch", f"a calculator uses {r.rule_id} as a stage row (stage "
                                                f"{r.stage}) but the corpus row is not in a stage table")]
    assert d.heading is not None
    text = f"{d.heading.title}\n{d.heading.body}"
    if not _mentions(text, r.stage):
        return [_problem(spot, "calc-mismatch", f"{r.rule_id}: a calculator gives stage {r.stage}, which "
                                                "the corpus rule's heading and text never state")]
    return []


def _compare_grid(r: StageRow, spot: _Where, grid: Grid, grow: GridRow) -> list[Problem]:
    out = []
    if not all(m.startswith("M0") for m in r.m):
        out.append(_problem(spot, "calc-mismatch", f"{r.rule_id}: a calculator row with M {_fmt(r.m)} cites "
                                                   "an M0 grid row"))
    uncovered = _uncovered(r.t, grow.t_labels, category_labels(spot.scan, "T"))
    if uncovered:
        out.append(_problem(spot, "calc-mismatch", f"{r.rule_id}: a calculator row covers {_fmt(uncovered)} "
                                                   f"but the corpus row lists {', '.join(grow.t_labels)}"))
    for n in sorted(r.n):
        column = _column_for(n, grid.n_labels)
        if column is None and _uniform(grow) == norm_stage(r.stage):
            continue  # NX and the like: every column of this row gives the same group
        if column is None and n == "NX" and "NX" in spot.scan.text and "N0" in grid.n_labels:
            column = _column_for("N0", grid.n_labels)  # the document says NX is grouped like N0
        if column is None:
            columns = ", ".join(grid.n_labels)
            out.append(_problem(spot, "calc-mismatch", f"{r.rule_id}: a calculator row uses {n}, which no "
                                                       f"column of the corpus grid ({columns}) covers"))
            continue
        cell = grow.cells[column]
        if no_group(cell) or norm_stage(cell) != norm_stage(r.stage):
            t = ", ".join(sorted(r.t))
            out.append(_problem(spot, "calc-mismatch", f"{r.rule_id}: {t} {n} M0 is stage {r.stage} in the "
                                                       f"calculator but {cell!r} in the corpus grid (column {column})"))
    return out


def _compare_long(r: StageRow, spot: _Where, long: LongTable, cells: tuple[str, ...]) -> list[Problem]:
    out: list[Problem] = []
    if len(cells) != long.table.width:
        return out
    stage = cells[long.stage_col]
    if norm_stage(stage) != norm_stage(r.stage):
        out.append(_problem(spot, "calc-mismatch", f"{r.rule_id}: stage {r.stage} in the calculator but "
                                                   f"{stage!r} in the corpus table"))
    for axis, col, used in (("T", long.t_col, r.t), ("N", long.n_col, r.n), ("M", long.m_col, r.m)):
        listed = _plain_labels(cells[col]) if col is not None else None
        if listed is None or col is None:
            continue  # "any", ranges ("T1–2") and prose are not compared label by label
        uncovered = _uncovered(used, listed, category_labels(spot.scan, axis))
        if uncovered:
            out.append(_problem(spot, "calc-mismatch", f"{r.rule_id}: a calculator row covers {axis} "
                                                       f"{_fmt(uncovered)} but the corpus row lists {cells[col]!r}"))
    return out


def _unreached_cells(scans: list[FileScan], grids: Mapping[str, list[Grid]], rows: list[StageRow]) -> list[Problem]:
    """Grid cells with a stage group that no calculator row (with that rule id) reaches."""
    by_rule: dict[str, list[StageRow]] = {}
    for r in rows:
        by_rule.setdefault(r.rule_id, []).append(r)
    prefixes = {r.rule_id.split(".")[0] for r in rows}
    out = []
    for scan in scans:
        for grid in grids[scan.name]:
            for grow in grid.rows:
                if grow.rule_id.split(".")[0] not in prefixes:
                    continue
                candidates = by_rule.get(grow.rule_id, [])
                for column, cell in grow.cells.items():
                    if no_group(cell) or not cell.strip():
                        continue
                    reached = any(any(covers(column, n) for n in c.n) and
                                  any(covers(label, t) or covers(t, label) for t in c.t for label in grow.t_labels)
                                  for c in candidates)
                    if not reached:
                        out.append(Problem(scan.name, grow.row.line, "error", "calc-missing-cell",
                                           f"{grow.rule_id}: the corpus grid gives {', '.join(grow.t_labels)} "
                                           f"{column} M0 stage {cell}, but no calculator row with this rule id "
                                           "covers it"))
    return out


def _uncovered(used: Iterable[str], listed: Iterable[str], defined: set[str]) -> list[str]:
    """Categories a calculator row uses that the corpus row does not list. A parent counts as
    listed when every child the file defines is listed (T1 in a row of "T1a, T1b")."""
    listed = list(listed)

    def ok(x: str) -> bool:
        if any(covers(label, x) for label in listed):
            return True
        children = [d for d in defined if d != x and covers(x, d)]
        return bool(children) and all(any(covers(label, c) for label in listed) for c in children)

    return sorted(x for x in used if not ok(x))


def _uniform(grow: GridRow) -> str | None:
    """The row's stage when every N column gives the same one (N cannot change the group)."""
    stages = {norm_stage(c) for c in grow.cells.values()}
    return stages.pop() if len(stages) == 1 and not any(no_group(c) for c in grow.cells.values()) else None


def _column_for(n: str, columns: tuple[str, ...]) -> str | None:
    if n in columns:
        return n
    parents = [c for c in columns if covers(c, n)]
    return max(parents, key=len) if parents else None


def _plain_labels(cell: str) -> list[str] | None:
    labels = []
    for item in split_labels(cell):
        match = _PLAIN_RE.match(item)
        if not match:
            return None
        labels.append(match.group(1))
    return labels or None


def _mentions(text: str, stage: str) -> bool:
    pattern = r"(?<![A-Za-z0-9])" + re.escape(stage.strip()) + r"(?![A-Za-z0-9])"
    return re.search(pattern, text, re.IGNORECASE) is not None


def _fmt(labels: Iterable[str]) -> str:
    return ", ".join(sorted(labels))


def _problem(spot: _Where, code: str, message: str) -> Problem:
    return Problem(spot.scan.name, spot.definition.line, "error", code, message)


def _dedupe(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))
