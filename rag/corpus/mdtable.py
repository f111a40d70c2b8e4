"""Markdown pipe tables as rows of cells, with the defects a validator must report.

The chunker keeps tables whole and the rule book quotes their rows, so a table must parse the
same way for every reader: a header row, a separator row (``|---|---|``) and body rows with the
header's number of cells. This module only reads; it never "repairs" a ragged row, because a
silently shifted cell would put a stage group under the wrong N column.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["Row", "Table", "find_tables", "split_row", "is_separator"]

_SEPARATOR_CELL_RE = re.compile(r"^:?-{1,}:?$")
_FENCE_RE = re.compile(r"^\s*(```|~~~)")


@dataclass(frozen=True)
class Row:
    """One table line: its 1-based line number in the file and its stripped cells."""

    line: int
    cells: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A pipe table. ``rows`` are the body rows (after the header and separator)."""

    line: int  # line of the header row
    end_line: int  # line of the last row
    header: Row
    rows: tuple[Row, ...]
    has_separator: bool
    chars: int  # characters of table text (for size warnings)

    @property
    def width(self) -> int:
        return len(self.header.cells)

    def ragged(self) -> tuple[Row, ...]:
        """Body rows whose cell count differs from the header's."""
        return tuple(r for r in self.rows if len(r.cells) != self.width)

    def column(self, *names: str) -> int | None:
        """Index of the first header cell equal (case-insensitively) to one of ``names``."""
        wanted = {n.lower() for n in names}
        for i, cell in enumerate(self.header.cells):
            if cell.strip().lower() in wanted:
                return i
        return None


def split_row(line: str) -> tuple[str, ...]:
    """Cells of one ``| a | b |`` line; ``\\|`` inside a cell is a literal pipe."""
    text = line.strip()
    if text.startswith("|"):
        text = text[1:]
    if text.endswith("|") and not text.endswith("\\|"):
        text = text[:-1]
    cells = re.split(r"(?<!\\)\|", text)
    return tuple(c.strip().replace("\\|", "|") for c in cells)


def is_separator(cells: Sequence[str]) -> bool:
    """True for a header separator row such as ``|---|:--:|``."""
    return bool(cells) and all(_SEPARATOR_CELL_RE.match(c.replace(" ", "")) for c in cells)


def find_tables(lines: Iterable[tuple[int, str]]) -> list[Table]:
    """Every pipe table among numbered lines (fenced code blocks are skipped).

    A table is a run of consecutive lines starting with ``|``; any other line ends it.
    """
    tables: list[Table] = []
    block: list[tuple[int, str]] = []
    in_fence = False
    for number, line in lines:
        if _FENCE_RE.match(line):
            in_fence = not in_fence
        if not in_fence and line.strip().startswith("|"):
            block.append((number, line))
            continue
        if block:
            tables.append(_table(block))
            block = []
    if block:
        tables.append(_table(block))
    return tables


def _table(block: list[tuple[int, str]]) -> Table:
    rows = [Row(n, split_row(text)) for n, text in block]
    header = rows[0]
    has_separator = len(rows) > 1 and is_separator(rows[1].cells)
    body = rows[2:] if has_separator else rows[1:]
    # A separator-like row anywhere else (a second header) is not data.
    body = [r for r in body if not is_separator(r.cells)]
    chars = sum(len(text) + 1 for _, text in block)
    return Table(header.line, block[-1][0], header, tuple(body), has_separator, chars)
