"""Split a parsed document into passages that follow its structure.

Why structure and not fixed windows: a citation must open a passage that makes sense on its own
(one rule, one table, one paragraph group) and carries its heading path. Rules:

- Chunks never cross a heading or a PDF page; a section's first chunk starts at its heading.
- Tables stay whole with their heading and a short caption (very large tables are cut into row
  groups that repeat the header row).
- Prose is packed up to ``chunk_chars`` (MiniLM reads ~256 word pieces, about 900 characters).
- Chunk ids are derived from content, so re-chunking unchanged text yields the same ids.
- ``start``/``end`` are character offsets into the file's text (into the page text for PDFs).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from rag.corpus.parse import ParsedDocument
from rag.types import Chunk, ChunkKind

RULE_ID_PATTERN = r"[A-Z][A-Z0-9]*(?:\.[A-Za-z0-9_+\-()]+)+"
_HEADING_RE = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_HEADING_RULE_RE = re.compile(rf"\[({RULE_ID_PATTERN})\]\s*$")
_TABLE_ROW_RULE_RE = re.compile(rf"^\|\s*`?({RULE_ID_PATTERN})`?\s*\|")
_SENTENCE_END_RE = re.compile(r"(?<=[.!?;。；！？])\s+|(?<=[。；！？])")
_PDQ_CITATION_RE = re.compile(r"\[\[\d+(?:[,\-–]\d+)*\]\([^)]*\)\]")
_LINK_RE = re.compile(r"!?\[([^\]]*)\]\((?:[^()]|\([^)]*\))*\)")
_NUMBERED_HEADING_RE = re.compile(r"^(\d+(?:\.\d+){0,3})\.?[ \t]+[A-Z\u4e00-\u9fff].{0,78}$")
_PDF_TABLE_LINE_RE = re.compile(r"\S(?: {2,}|\t)\S.*\S(?: {2,}|\t)\S|^\|.*\|$")

MAX_TABLE_FACTOR = 4  # a table longer than this many chunk_chars is cut into row groups


@dataclass(frozen=True)
class _Block:
    kind: str  # heading | table | prose
    start: int
    end: int
    level: int = 0
    title: str = ""
    rule_id: str = ""


def chunk_document(doc: ParsedDocument, doc_id: str, *, chunk_chars: int = 900) -> list[Chunk]:
    """All chunks of a document, in reading order."""
    if doc.kind == "pdf":
        chunks: list[Chunk] = []
        path: list[tuple[int, str]] = []
        for number, page in enumerate(doc.pages, start=1):
            blocks = list(_text_blocks(page, pdf=True))
            chunks.extend(_assemble(page, 0, blocks, doc_id, chunk_chars, page=number, path=path))
        return _dedupe(chunks)
    text = doc.body
    blocks = list(_markdown_blocks(text) if doc.kind == "markdown" else _text_blocks(text, pdf=False))
    return _dedupe(_assemble(text, doc.body_offset, blocks, doc_id, chunk_chars, page=None, path=[]))


def clean_text(text: str) -> str:
    """Drop reference markers and link targets (PDQ-style) that add noise to search and reading."""
    text = _PDQ_CITATION_RE.sub("", text)
    text = _LINK_RE.sub(lambda m: m.group(1), text)
    return re.sub(r"[ \t]+\n", "\n", text).strip()


def _lines(text: str) -> Iterator[tuple[int, int, str]]:
    pos = 0
    for line in text.splitlines(keepends=True):
        yield pos, pos + len(line.rstrip("\n")), line.rstrip("\n")
        pos += len(line)


def _heading_block(start: int, end: int, level: int, title: str) -> _Block:
    rule = _HEADING_RULE_RE.search(title)
    return _Block("heading", start, end, level, title.strip(), rule.group(1) if rule else "")


def _markdown_blocks(text: str) -> Iterator[_Block]:
    in_fence = False
    current: tuple[str, int, int] | None = None  # kind, start, end
    for start, end, line in _lines(text):
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            in_fence = not in_fence
        heading = None if in_fence else _HEADING_RE.match(line)
        kind = "table" if (not in_fence and stripped.startswith("|")) else "prose"
        if heading or not stripped:
            if current:
                yield _Block(current[0], current[1], current[2])
                current = None
            if heading:
                yield _heading_block(start, end, len(heading.group(1)), heading.group(2))
            continue
        if current and current[0] != kind and not in_fence:
            yield _Block(current[0], current[1], current[2])
            current = None
        current = (kind, current[1] if current else start, end)
    if current:
        yield _Block(current[0], current[1], current[2])


def _looks_like_heading(line: str, next_line: str) -> int:
    """Heading level guessed for plain text and PDF lines (0 = not a heading)."""
    stripped = line.strip()
    if not stripped or len(stripped) > 90 or stripped.endswith((".", ",", ";", ":")):
        return 0
    if next_line.strip() and set(next_line.strip()) <= {"="}:
        return 1
    if next_line.strip() and set(next_line.strip()) <= {"-"} and len(next_line.strip()) >= 3:
        return 2
    numbered = _NUMBERED_HEADING_RE.match(stripped)
    if numbered and len(stripped.split()) <= 12:
        return 1 + numbered.group(1).count(".")
    letters = [ch for ch in stripped if ch.isalpha()]
    if len(letters) >= 4 and all(ch.isupper() for ch in letters) and len(stripped.split()) <= 10:
        return 1
    return 0


def _tabular_lines(lines: list[tuple[int, int, str]]) -> set[int]:
    """Indexes of PDF lines that look like table rows.

    pypdf flattens a table to one line per row with single spaces, so a run of three or more short
    lines with a similar number of cells is the best signal available without layout analysis.
    """
    def cells(line: str) -> int:
        stripped = line.strip()
        if not stripped or len(stripped) > 60 or stripped.endswith((".", ":")):
            return 0
        n = len(stripped.split())
        return n if n >= 2 else 0

    counts = [cells(line) for _, _, line in lines]
    found: set[int] = set()
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and counts[j] and abs(counts[j] - counts[i]) <= 1:
            j += 1
        start = i + 1 if j - i >= 4 and _looks_like_heading(lines[i][2], "") else i
        if j - start >= 3:
            found.update(range(start, j))
        i = max(j, i + 1)
    return found


def _text_blocks(text: str, *, pdf: bool) -> Iterator[_Block]:
    lines = list(_lines(text))
    tabular = _tabular_lines(lines) if pdf else set()
    current: tuple[str, int, int] | None = None
    skip_underline = False
    for i, (start, end, line) in enumerate(lines):
        if skip_underline:
            skip_underline = False
            continue
        stripped = line.strip()
        md_heading = _HEADING_RE.match(line)
        next_line = lines[i + 1][2] if i + 1 < len(lines) else ""
        level = 0 if i in tabular else (len(md_heading.group(1)) if md_heading
                                          else _looks_like_heading(line, next_line))
        if level or not stripped:
            if current:
                yield _Block(current[0], current[1], current[2])
                current = None
            if level:
                title = md_heading.group(2) if md_heading else stripped
                yield _heading_block(start, end, level, title)
                skip_underline = bool(next_line.strip()) and set(next_line.strip()) <= {"=", "-"}
            continue
        kind = "table" if (stripped.startswith("|") or i in tabular or (pdf and _PDF_TABLE_LINE_RE.search(line))) \
            else "prose"
        if current and current[0] != kind:
            yield _Block(current[0], current[1], current[2])
            current = None
        current = (kind, current[1] if current else start, end)
    if current:
        yield _Block(current[0], current[1], current[2])


def _section_name(path: list[tuple[int, str]]) -> str:
    titles = [_HEADING_RULE_RE.sub("", t).strip() for _, t in path]
    return " > ".join(t for t in titles if t)


def _assemble(text: str, offset: int, blocks: list[_Block], doc_id: str, chunk_chars: int,
              *, page: int | None, path: list[tuple[int, str]]) -> list[Chunk]:
    """Pack blocks into chunks. ``path`` (the heading stack) is carried across PDF pages."""
    chunks: list[Chunk] = []
    pending: list[_Block] = []  # prose blocks (and the heading) waiting to become a chunk
    heading: _Block | None = None

    def emit(start: int, end: int, kind: ChunkKind, body: str | None = None) -> None:
        raw = text[start:end] if body is None else body
        cleaned = clean_text(raw)
        if not cleaned or (heading is not None and cleaned == clean_text(text[heading.start:heading.end])
                           and kind == "text"):
            return  # a bare heading is carried by the section path, not a chunk of its own
        rules = tuple(dict.fromkeys(
            [heading.rule_id] if heading and heading.rule_id and heading.start >= start else []
        )) + tuple(m.group(1) for line in raw.splitlines() if (m := _TABLE_ROW_RULE_RE.match(line.strip())))
        chunks.append(Chunk(
            chunk_id="", doc_id=doc_id, text=cleaned, section=_section_name(path), page=page,
            start=offset + start, end=offset + end, rule_ids=tuple(dict.fromkeys(rules)), kind=kind,
        ))

    def flush() -> None:
        if pending:
            emit(pending[0].start, pending[-1].end, "text")
            pending.clear()

    for block in blocks:
        if block.kind == "heading":
            flush()
            while path and path[-1][0] >= block.level:
                path.pop()
            path.append((block.level, block.title))
            heading = block
            pending.append(block)
            continue
        if block.kind == "table":
            caption = pending[:]
            size = sum(b.end - b.start for b in caption)
            if size > chunk_chars // 2:
                flush()
                caption = []
            pending.clear()
            start = caption[0].start if caption else block.start
            _emit_table(text, start, block, chunk_chars, emit)
            continue
        size = block.end - (pending[0].start if pending else block.start)
        if pending and size > chunk_chars:
            flush()
        if block.end - block.start > chunk_chars:
            flush()
            for start, end in _split_long(text, block.start, block.end, chunk_chars):
                emit(start, end, "text")
            continue
        pending.append(block)
    flush()
    return chunks


def _emit_table(text: str, start: int, table: _Block, chunk_chars: int, emit) -> None:  # type: ignore[no-untyped-def]
    limit = chunk_chars * MAX_TABLE_FACTOR
    if table.end - start <= limit:
        emit(start, table.end, "table")
        return
    rows = list(_lines(text[table.start:table.end]))
    header_rows = rows[:2] if len(rows) > 1 and set(rows[1][2].strip()) <= set("|-: ") else rows[:1]
    header = "\n".join(r[2] for r in header_rows)
    group_start = start
    group_end = table.start + header_rows[-1][1]
    first = True
    for row_start, row_end, _ in rows[len(header_rows):]:
        if table.start + row_end - group_start > limit and group_end > group_start:
            body = text[group_start:group_end]
            emit(group_start, group_end, "table", body if first else f"{header}\n{body}")
            first = False
            group_start = table.start + row_start
        group_end = table.start + row_end
    body = text[group_start:group_end]
    emit(group_start, group_end, "table", body if first else f"{header}\n{body}")


def _split_long(text: str, start: int, end: int, chunk_chars: int) -> Iterator[tuple[int, int]]:
    """Cut a long block at sentence (or line) ends into pieces of at most ~chunk_chars."""
    cuts = [m.end() for m in _SENTENCE_END_RE.finditer(text, start, end)]
    cuts += [start + i + 1 for i, ch in enumerate(text[start:end]) if ch == "\n"]
    cuts = sorted(set(c for c in cuts if start < c < end)) + [end]
    piece_start = start
    last = start
    for cut in cuts:
        if cut - piece_start > chunk_chars and last > piece_start:
            yield piece_start, last
            piece_start = last
        while cut - piece_start > chunk_chars * 2:  # no sentence end in sight: hard cut at a space
            space = text.rfind(" ", piece_start, piece_start + chunk_chars)
            hard = space if space > piece_start else piece_start + chunk_chars
            yield piece_start, hard
            piece_start = hard
        last = cut
    if piece_start < end:
        yield piece_start, end


def _dedupe(chunks: list[Chunk]) -> list[Chunk]:
    """Assign content-derived ids; identical passages in one document get an occurrence suffix."""
    seen: dict[str, int] = {}
    out: list[Chunk] = []
    for chunk in chunks:
        digest = hashlib.sha1(f"{chunk.page}|{chunk.section}|{chunk.text}".encode()).hexdigest()[:12]
        base = f"{chunk.doc_id}-{digest}"
        count = seen.get(base, 0)
        seen[base] = count + 1
        chunk_id = base if count == 0 else f"{base}-{count}"
        out.append(Chunk(chunk_id, chunk.doc_id, chunk.text, chunk.section, chunk.page, chunk.start,
                         chunk.end, chunk.rule_ids, chunk.kind))
    return out
