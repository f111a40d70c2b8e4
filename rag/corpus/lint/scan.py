"""Read one corpus Markdown file into what the validator checks: front matter, headings, tables,
rule-id definitions and prose, each with its line number.

Why a scanner of its own rather than the chunker's blocks: the validator reports *lines* a writer
can jump to, and it must also see near-misses (a bracketed id that is malformed, a table without
its separator) that the chunker silently treats as plain text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rag.corpus.mdtable import Row, Table, find_tables

__all__ = ["RULE_ID_RE", "Problem", "Heading", "Definition", "FileScan", "scan_file", "looks_like_rule_id"]

# The documented form (docs/CORPUS_FORMAT.md); the chunker's pattern is a superset of it.
RULE_ID_RE = re.compile(r"^[A-Z][A-Z0-9]*(\.[A-Za-z0-9_+-]+)+$")
_LOOSE_ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9]*\.\S")  # a word, a dot, more: meant as an id
_HEADING_RE = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_BRACKET_RE = re.compile(r"\[([^\[\]]+)\]\s*$")
_FENCE_RE = re.compile(r"^\s*(```|~~~)")


@dataclass(frozen=True)
class Problem:
    """One finding of ``rag corpus check``: where it is, how bad, a stable code and what to do.

    The line number is the field ``lineno`` because ``line()`` renders the compiler-style line
    the CLI prints; ``as_dict()`` names it ``line`` for JSON readers.
    """

    file: str
    lineno: int
    severity: str  # error | warning
    code: str
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"file": self.file, "line": self.lineno, "severity": self.severity, "code": self.code,
                "message": self.message}

    def line(self) -> str:
        return f"{self.file}:{self.lineno}: {self.severity} {self.code}: {self.message}"


def looks_like_rule_id(text: str) -> bool:
    """True for text written as a rule id, well-formed or not (``LUNG8.T.T2a``, ``lung8.t2a``)."""
    return bool(_LOOSE_ID_RE.match(text)) and not text[0].isdigit()


@dataclass(frozen=True)
class Heading:
    """A Markdown heading and the content that follows it up to the next heading."""

    line: int
    level: int
    title: str
    bracket: str  # the text in a trailing [...] that looks like a rule id, else ""
    text_lines: int  # non-blank lines before the next heading (tables included)
    prose_chars: int  # characters of non-table text before the next heading
    body: str  # that content, for checks that read what a rule says


@dataclass(frozen=True)
class Definition:
    """Where a rule id is defined: a heading's [ID] or the first cell of a table row."""

    rule_id: str
    line: int
    kind: str  # heading | table
    heading: Heading | None = None
    table: Table | None = None
    row: Row | None = None


@dataclass
class FileScan:
    """Everything the validator needs from one file."""

    path: Path
    name: str  # path as reported (relative to the checked folder when possible)
    text: str
    has_front_matter: bool
    field_lines: dict[str, int]  # front-matter key → line
    body_start: int  # first line after the front matter
    meta: dict[str, Any] = field(default_factory=dict)
    headings: list[Heading] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    definitions: list[Definition] = field(default_factory=list)
    id_attempts: list[tuple[int, str]] = field(default_factory=list)  # (line, text) meant as ids
    rowless_rule_rows: list[tuple[Table, Row]] = field(default_factory=list)  # "Rule" tables, empty id
    prose: list[tuple[int, str]] = field(default_factory=list)  # lines outside headings and tables

    def field_line(self, key: str) -> int:
        return self.field_lines.get(key, 1)


def scan_file(path: Path, name: str) -> FileScan:
    """Scan a UTF-8 Markdown file (the caller has already checked it parses)."""
    text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    lines = text.split("\n")
    has_fm, field_lines, body_start = _front_matter_lines(lines)
    scan = FileScan(path, name, text, has_fm, field_lines, body_start)
    numbered = [(i + 1, line) for i, line in enumerate(lines) if i + 1 >= body_start]
    scan.tables = find_tables(numbered)
    table_lines = {n for t in scan.tables for n in range(t.line, t.end_line + 1)}
    scan.headings = _headings(numbered, table_lines)
    heading_lines = {h.line for h in scan.headings}
    in_fence = False
    for number, line in numbered:
        if _FENCE_RE.match(line):
            in_fence = not in_fence
        if number not in heading_lines and number not in table_lines and line.strip():
            scan.prose.append((number, line))
    _collect_definitions(scan)
    return scan


def _front_matter_lines(lines: list[str]) -> tuple[bool, dict[str, int], int]:
    if not lines or lines[0].strip() != "---":
        return False, {}, 1
    fields: dict[str, int] = {}
    for i in range(1, len(lines)):
        if lines[i].strip() == "---":
            return True, fields, i + 2
        match = re.match(r"^([A-Za-z_][\w-]*)\s*:", lines[i])
        if match:
            fields.setdefault(match.group(1), i + 1)
    return False, {}, 1


def _headings(numbered: list[tuple[int, str]], table_lines: set[int]) -> list[Heading]:
    found: list[tuple[int, int, int, str]] = []  # index in numbered, line, level, title
    in_fence = False
    for index, (number, line) in enumerate(numbered):
        if _FENCE_RE.match(line):
            in_fence = not in_fence
            continue
        match = None if in_fence else _HEADING_RE.match(line)
        if match:
            found.append((index, number, len(match.group(1)), match.group(2).strip()))
    headings: list[Heading] = []
    for k, (index, number, level, title) in enumerate(found):
        stop = found[k + 1][0] if k + 1 < len(found) else len(numbered)
        content = numbered[index + 1:stop]
        body_lines = [text for _, text in content if text.strip()]
        prose = [text for n, text in content if text.strip() and n not in table_lines]
        bracket = _BRACKET_RE.search(title)
        attempt = bracket.group(1).strip().strip("`") if bracket else ""
        headings.append(Heading(number, level, title, attempt if looks_like_rule_id(attempt) else "",
                                len(body_lines), sum(len(p) + 1 for p in prose), "\n".join(body_lines)))
    return headings


def _collect_definitions(scan: FileScan) -> None:
    for heading in scan.headings:
        if heading.bracket:
            scan.id_attempts.append((heading.line, heading.bracket))
            if RULE_ID_RE.match(heading.bracket):
                scan.definitions.append(Definition(heading.bracket, heading.line, "heading", heading=heading))
    for table in scan.tables:
        rule_table = bool(table.header.cells) and table.header.cells[0].lower() in ("rule", "rule id")
        for row in table.rows:
            first = row.cells[0].strip("`").strip() if row.cells else ""
            if not first:
                if rule_table:
                    scan.rowless_rule_rows.append((table, row))
                continue
            if not (rule_table or looks_like_rule_id(first)):
                continue
            scan.id_attempts.append((row.line, first))
            if RULE_ID_RE.match(first):
                scan.definitions.append(Definition(first, row.line, "table", table=table, row=row))
