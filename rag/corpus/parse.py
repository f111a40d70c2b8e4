"""Read a source file into text plus metadata, or reject it with a reason a librarian can act on.

Supported: Markdown with YAML front matter, plain text, and PDF (text per page via pypdf). PDFs and
text files may carry metadata in a sidecar ``NAME.EXT.yaml`` next to them. Anything else, and any
file that cannot be read as text, raises ``IngestError`` naming the file and the reason.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from rag.errors import IngestError

# A sentence about the corpus, not about the guideline: retrieved as chunk text it would be quoted as
# an answer ("Summary in the project's own words [1]."), so it belongs in the front matter's ``note``.
META_SENTENCE_RE = re.compile(r"\b(?:in\s+(?:the\s+project's|our)\s+own\s+words|own-words\s+summary)\b|自己的话|用项目的话", re.I)

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
TEXT_SUFFIXES = frozenset({".txt", ".text"})
PDF_SUFFIXES = frozenset({".pdf"})
SUPPORTED_SUFFIXES = MARKDOWN_SUFFIXES | TEXT_SUFFIXES | PDF_SUFFIXES

REQUIRED_FIELDS = ("title", "system", "edition", "effective_date", "source", "license")
_FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
# A PDF page with fewer letters than this is treated as having no text layer.
_MIN_PAGE_LETTERS = 20


@dataclass(frozen=True)
class ParsedDocument:
    """A file's text and metadata, before chunking."""

    path: Path
    kind: str  # markdown | text | pdf
    meta: dict[str, Any]
    body: str = ""  # markdown and text: everything after the front matter
    body_offset: int = 0  # where ``body`` starts in the file's text
    pages: tuple[str, ...] = ()  # pdf: one string per page
    warnings: tuple[str, ...] = field(default=())


def parse_file(path: Path) -> ParsedDocument:
    """Parse one file; raise ``IngestError`` with the reason when it cannot be ingested."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise IngestError(
            f"{path.name}: unsupported file type {suffix or '(none)'!r}",
            hint="supported: .md, .markdown, .txt, .text, .pdf",
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"{path.name}: cannot read file ({exc.strerror})") from exc
    if not raw.strip():
        raise IngestError(f"{path.name}: empty file", hint="nothing to index")
    if suffix in PDF_SUFFIXES:
        return _parse_pdf(path, raw)
    text = _decode(path, raw)
    if suffix in MARKDOWN_SUFFIXES:
        return _parse_markdown(path, text)
    meta, warnings = _sidecar_meta(path)
    return _with_defaults(ParsedDocument(path, "text", meta, body=text, warnings=tuple(warnings)), text)


def _decode(path: Path, raw: bytes) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(
            f"{path.name}: not UTF-8 text (invalid byte 0x{raw[exc.start]:02x} at offset {exc.start})",
            hint="convert the file to UTF-8 and ingest it again",
        ) from exc
    if "\x00" in text:
        raise IngestError(f"{path.name}: contains NUL bytes, so it is not a text file")
    return text.replace("\r\n", "\n")


def _parse_markdown(path: Path, text: str) -> ParsedDocument:
    match = _FRONT_MATTER_RE.match(text)
    meta: dict[str, Any] = {}
    warnings: list[str] = []
    offset = 0
    if match:
        try:
            loaded = yaml.safe_load(match.group(1))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 2}" if mark is not None else ""
            raise IngestError(f"{path.name}: invalid YAML front matter{where}",
                              hint="fix the YAML between the --- lines") from exc
        if loaded is not None and not isinstance(loaded, dict):
            raise IngestError(f"{path.name}: front matter is not a YAML mapping")
        meta = {str(k): v for k, v in (loaded or {}).items()}
        offset = match.end()
    else:
        warnings.append("no YAML front matter")
    body = text[offset:]
    if not body.strip():
        raise IngestError(f"{path.name}: no text after the front matter")
    return _with_defaults(ParsedDocument(path, "markdown", meta, body=body, body_offset=offset,
                                         warnings=tuple(warnings)), body)


def _parse_pdf(path: Path, raw: bytes) -> ParsedDocument:
    from io import BytesIO

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(BytesIO(raw))
        if reader.is_encrypted:
            raise IngestError(f"{path.name}: encrypted PDF", hint="remove the password and ingest it again")
        pages = tuple(_clean_pdf_text(page.extract_text() or "") for page in reader.pages)
    except IngestError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as exc:
        raise IngestError(f"{path.name}: not a readable PDF ({type(exc).__name__}: {exc})",
                          hint="re-export or repair the PDF") from exc
    if not pages:
        raise IngestError(f"{path.name}: PDF has no pages")
    letters = [sum(ch.isalpha() for ch in page) for page in pages]
    if max(letters) < _MIN_PAGE_LETTERS:
        raise IngestError(f"{path.name}: no text layer; OCR it first", hint="e.g. ocrmypdf in.pdf out.pdf")
    meta, warnings = _sidecar_meta(path)
    info = reader.metadata
    if info is not None and info.title and "title" not in meta:
        meta["title"] = str(info.title)
    empty = [str(i + 1) for i, n in enumerate(letters) if n < _MIN_PAGE_LETTERS]
    if empty:
        warnings.append(f"no text on page(s) {', '.join(empty)}")
    first_text = next((p for p in pages if p.strip()), "")
    return _with_defaults(ParsedDocument(path, "pdf", meta, pages=pages, warnings=tuple(warnings)), first_text)


def _clean_pdf_text(text: str) -> str:
    # pypdf keeps hyphenated line breaks; join them so words index whole.
    text = re.sub(r"(\w)-\n(\w)", r"\1\2", text.replace("\r", ""))
    return text


def _sidecar_meta(path: Path) -> tuple[dict[str, Any], list[str]]:
    sidecar = path.with_name(path.name + ".yaml")
    if not sidecar.exists():
        return {}, []
    try:
        loaded = yaml.safe_load(sidecar.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise IngestError(f"{path.name}: unreadable metadata sidecar {sidecar.name} ({exc})") from exc
    if not isinstance(loaded, dict):
        raise IngestError(f"{path.name}: metadata sidecar {sidecar.name} is not a YAML mapping")
    return {str(k): v for k, v in loaded.items()}, []


def _with_defaults(doc: ParsedDocument, text: str) -> ParsedDocument:
    """Fill what the file does not say, and warn about each required field that is missing."""
    meta = dict(doc.meta)
    warnings = list(doc.warnings)
    # Common aliases in third-party front matter (PDQ uses lastReviewed and url).
    for alias, target in (("lastReviewed", "effective_date"), ("date", "effective_date"), ("url", "source")):
        if alias in meta and target not in meta:
            meta[target] = meta[alias]
    missing = [f for f in REQUIRED_FIELDS if not str(meta.get(f) or "").strip()]
    if "title" in missing:
        meta["title"] = _guess_title(text) or doc.path.stem
    if missing:
        warnings.append(f"missing front-matter field(s): {', '.join(missing)}")
    meta = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in meta.items()}
    return ParsedDocument(doc.path, doc.kind, meta, doc.body, doc.body_offset, doc.pages, tuple(warnings))


def _guess_title(text: str) -> str:
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line[:200]
    return ""
