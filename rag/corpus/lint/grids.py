"""Stage-group tables in the corpus: recognise them, read their cells, and check they are complete.

Two table shapes carry stage groups (docs/CORPUS_FORMAT.md):

- **TNM grids** ``| Rule | T | N0 | N1 | ... |``: one row per T category (a cell may list several
  labels, "T1, T1a, T1b"), one column per N category, cells are stage groups for M0 ("-" = none).
- **Long-form tables** ``| Rule | ... | T | N | M | ... | Stage |``: one row per rule, for sites
  whose groups need extra inputs (PSA, grade, age, histology, location, mitotic rate).

A grid must be complete because the calculators and the citation quote its cells: an empty cell or
a T category that no row lists is a combination the corpus cannot answer for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.corpus.lint.scan import RULE_ID_RE, FileScan, Problem
from rag.corpus.mdtable import Row, Table

__all__ = ["Grid", "GridRow", "LongTable", "read_grids", "read_long_tables", "check_stage_tables",
           "norm_stage", "no_group", "split_labels", "covers", "category_labels"]

_N_HEADER_RE = re.compile(r"^N[0-9X][A-Za-z0-9()+]*$")
_T_LABEL_RE = re.compile(r"^T(?:X|0|is|a|[1-4][A-Za-z0-9]*)$")
_PLAIN_LABEL_RE = re.compile(r"^(?:y?[cpr]?|a)?([TNM](?:X|is|a|[0-9][A-Za-z0-9()+]*))$")
_STAGE_RE = re.compile(r"^(?:0(?:a|is)?|(?:i|ii|iii|iv)[a-c]?[1-3]?)$")  # matched on norm_stage()
_NO_GROUP = {"-", "–", "—", "n/a", "none"}
_SPLIT_RE = re.compile(r"\s*(?:,|;|\bor\b|\band\b)\s*")
_T_EXEMPT = {"TX", "T0"}  # usually have no M0 stage group; a site may still give them grid rows


@dataclass(frozen=True)
class GridRow:
    """One grid row: its rule id, the T labels it lists and the stage cell per N column."""

    rule_id: str
    row: Row
    t_labels: tuple[str, ...]
    cells: dict[str, str]  # N column label → raw cell text


@dataclass(frozen=True)
class Grid:
    table: Table
    n_labels: tuple[str, ...]
    rows: tuple[GridRow, ...]


@dataclass(frozen=True)
class LongTable:
    table: Table
    stage_col: int
    t_col: int | None
    n_col: int | None
    m_col: int | None


def norm_stage(text: str) -> str:
    """Stage text for comparison: no markup or change markers, no "stage" word, case-folded."""
    text = text.replace("`", "").replace("**", "").strip().rstrip("*†").strip()
    text = re.sub(r"(?i)^stage\s+", "", text)
    return re.sub(r"\s+", " ", text).casefold()


def no_group(text: str) -> bool:
    return norm_stage(text) in _NO_GROUP


def split_labels(text: str) -> list[str]:
    """Labels listed in one cell: "T1, T1a, T1b", "N0 or N1" → their items."""
    return [p.strip().replace("`", "") for p in _SPLIT_RE.split(text) if p.strip()]


def covers(label: str, category: str) -> bool:
    """A listed label covers a category when equal or its parent: T1 covers T1a, N0 covers N0(i+)."""
    return category == label or (category.startswith(label) and len(category) > len(label))


def category_labels(scan: FileScan, axis: str) -> set[str]:
    """Labels the file defines on an axis: ``P.T.<label>``, ``P.N.<label>`` (also ``CN``/``PN``)."""
    parts = {"T": ("T",), "N": ("N", "CN", "PN"), "M": ("M",)}[axis]
    labels = set()
    for d in scan.definitions:
        pieces = d.rule_id.split(".")
        if len(pieces) >= 3 and pieces[-2] in parts:
            labels.add(pieces[-1])
    return labels


def _is_grid(table: Table) -> bool:
    cells = table.header.cells
    return (len(cells) >= 3 and cells[0].lower() in ("rule", "rule id") and cells[1] == "T"
            and all(_N_HEADER_RE.match(c) for c in cells[2:]))


def read_grids(scan: FileScan) -> list[Grid]:
    grids = []
    for table in scan.tables:
        if not _is_grid(table):
            continue
        n_labels = table.header.cells[2:]
        rows = []
        for row in table.rows:
            if len(row.cells) != table.width:
                continue  # reported as a ragged table
            rule_id = row.cells[0].strip("`").strip()
            rows.append(GridRow(rule_id, row, tuple(split_labels(row.cells[1])),
                                dict(zip(n_labels, row.cells[2:], strict=True))))
        grids.append(Grid(table, tuple(n_labels), tuple(rows)))
    return grids


def read_long_tables(scan: FileScan) -> list[LongTable]:
    tables = []
    for table in scan.tables:
        if _is_grid(table) or not table.header.cells or table.header.cells[0].lower() not in ("rule", "rule id"):
            continue
        stage = table.column("Stage", "Stage group", "FIGO stage")
        t_col = table.column("T")
        if stage is None or t_col is None:
            continue
        tables.append(LongTable(table, stage, t_col, table.column("N"), table.column("M")))
    return tables


def check_stage_tables(scan: FileScan) -> list[Problem]:
    """Grid and long-form structure: cells, rule ids, T rows and N columns the file defines."""
    problems: list[Problem] = []

    def err(line: int, code: str, message: str) -> None:
        problems.append(Problem(scan.name, line, "error", code, message))

    grids = read_grids(scan)
    t_defined = category_labels(scan, "T")
    n_defined = category_labels(scan, "N")
    grid_tables = {g.table.line for g in grids}
    for table, row in scan.rowless_rule_rows:
        code = "grid-row-without-rule" if table.line in grid_tables else "table-row-without-rule"
        err(row.line, code, "table row has no rule id in its first cell")
    for grid in grids:
        for n in grid.n_labels:
            if n_defined and not any(covers(n, d) or covers(d, n) for d in n_defined):
                err(grid.table.line, "grid-unknown-n",
                    f"N column {n} is not defined in this file (no rule id ending in .N.{n} or a parent)")
        for grow in grid.rows:
            _check_grid_row(grow, t_defined, err)
    problems.extend(_missing_t_rows(scan, grids, t_defined))
    for long in read_long_tables(scan):
        for row in long.table.rows:
            if len(row.cells) != long.table.width:
                continue
            empty = [long.table.header.cells[i] for i, c in enumerate(row.cells) if not c.strip()]
            if empty:
                err(row.line, "stage-table-empty-cell", f"empty cell(s) in column(s) {', '.join(empty)}")
        missing = [name for name, col in (("N", long.n_col), ("M", long.m_col)) if col is None]
        if missing:
            err(long.table.line, "stage-table-columns",
                f"stage table has a Stage and a T column but no {' or '.join(missing)} column")
    return problems


def _check_grid_row(grow: GridRow, t_defined: set[str], err) -> None:  # type: ignore[no-untyped-def]
    line = grow.row.line
    if grow.rule_id and not RULE_ID_RE.match(grow.rule_id):
        return  # reported as a malformed rule id
    if not grow.t_labels:
        err(line, "grid-empty-cell", f"{grow.rule_id}: the T cell is empty")
    for label in grow.t_labels:
        if not _T_LABEL_RE.match(label):
            err(line, "grid-bad-t", f"{grow.rule_id}: {label!r} is not a T category label")
        elif t_defined and not any(covers(d, label) or covers(label, d) for d in t_defined):
            err(line, "grid-unknown-t", f"{grow.rule_id}: T category {label} is not defined in this file")
    for n, cell in grow.cells.items():
        if not cell.strip():
            err(line, "grid-empty-cell", f"{grow.rule_id}: empty cell in column {n} "
                                         "(write the stage group, or '-' for no group)")
        elif not no_group(cell) and not _STAGE_RE.match(norm_stage(cell)):
            err(line, "grid-bad-cell", f"{grow.rule_id}: cell {cell!r} in column {n} is not a stage group")


def _missing_t_rows(scan: FileScan, grids: list[Grid], t_defined: set[str]) -> list[Problem]:
    """Every T category the file defines must reach a stage group for M0: a grid row lists it (or
    its parent or children), or a rule ``<prefix>...STAGE.<T>`` states it (Tis → stage 0)."""
    if not grids:
        return []
    listed = [label for g in grids for r in g.rows for label in r.t_labels]
    stage_rules = {d.rule_id.split(".")[-1] for d in scan.definitions if ".STAGE." in d.rule_id}
    problems = []
    for d in scan.definitions:
        pieces = d.rule_id.split(".")
        if len(pieces) < 3 or pieces[-2] != "T":
            continue
        label = pieces[-1]
        if label in _T_EXEMPT or label in stage_rules:
            continue
        if any(covers(x, label) or covers(label, x) for x in listed):
            continue
        problems.append(Problem(scan.name, d.line, "error", "grid-missing-t",
                                f"T category {label} ({d.rule_id}) appears in no stage grid row and no "
                                f"STAGE.{label} rule states its group"))
    return problems
