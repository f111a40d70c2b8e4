"""Read a source file into text plus metadata, or reject it with a reason a librarian can act on.

Supported: Markdown with YAML front matter, plain text, and PDF (text per page via pypdf). PDFs and
text files may carry metadata in a sidecar ``NAME.EXT.yaml`` next to them. Anything else, and any
file that cannot be read as text, raises ``IngestError`` naming the file and the reason.
"""

from __future__ import annotations

import datetime as dt
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
# Files larger than this are refused before they are read (Settings.max_file_mb sets it for ingest):
# parsing holds the whole text, several times over, in memory.
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
# Front matter is a few hundred bytes of metadata; a bound keeps YAML's work bounded too.
MAX_FRONT_MATTER_CHARS = 16_384
# Metadata values are labels, not text: a longer one is a mistake (or an attack on the catalogue).
MAX_FIELD_CHARS = 1_000
# Fields whose value must be a single scalar (text, number or date), never a list or mapping.
SCALAR_FIELDS = ("doc_id", "title", "system", "edition", "effective_date", "source", "license", "language",
                 "supersedes", "lastReviewed", "date", "url")
_ISO_DATE_RE = re.compile(r"\A\d{4}-\d{2}-\d{2}\Z")


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases (``*name``, ``<<: *name``).

    Why: aliases let a few hundred bytes expand into hundreds of millions of characters (the "billion
    laughs" bomb, which hung ingest); metadata never needs them.
    """

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "YAML aliases (*name) are not allowed in front matter",
                                              event.start_mark)
        return super().compose_node(parent, index)


def load_metadata(text: str, name: str, what: str = "front matter") -> Any:
    """Parse a metadata block with bounded work: size-capped, no aliases. ``IngestError`` otherwise."""
    if len(text) > MAX_FRONT_MATTER_CHARS:
        raise IngestError(f"{name}: {what} is longer than {MAX_FRONT_MATTER_CHARS} characters",
                          hint="keep only metadata between the --- lines")
    try:
        return yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise IngestError(f"{name}: invalid YAML {what}{where}: {problem}",
                          hint="fix the YAML between the --- lines") from exc


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


def parse_file(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ParsedDocument:
    """Parse one file; raise ``IngestError`` with the reason when it cannot be ingested."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise IngestError(
            f"{path.name}: unsupported file type {suffix or '(none)'!r}",
            hint="supported: .md, .markdown, .txt, .text, .pdf",
        )
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise IngestError(f"{path.name}: file is {size:,} bytes, over the size limit of {max_bytes:,} bytes",
                              hint=f"split the document, or raise RAG_MAX_FILE_MB (now {max_bytes / 1048576:g})")
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
        loaded = load_metadata(match.group(1), path.name)
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
        # Many PDFs are "encrypted" only to set permissions, with an empty user password: they open
        # in any viewer, so they must open here too.
        if reader.is_encrypted and not _opens_without_password(reader):
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


def _opens_without_password(reader: Any) -> bool:
    from pypdf.errors import DependencyError, PdfReadError

    try:
        return bool(reader.decrypt(""))
    except (PdfReadError, DependencyError, NotImplementedError, ValueError, KeyError, TypeError):
        return False


def _clean_pdf_text(text: str) -> str:
    # pypdf keeps hyphenated line breaks; join them so words index whole.
    text = re.sub(r"(\w)-\n(\w)", r"\1\2", text.replace("\r", ""))
    return text


def _sidecar_meta(path: Path) -> tuple[dict[str, Any], list[str]]:
    sidecar = path.with_name(path.name + ".yaml")
    if not sidecar.exists():
        return {}, []
    try:
        loaded = load_metadata(sidecar.read_text(encoding="utf-8"), path.name, f"metadata sidecar {sidecar.name}")
    except (OSError, UnicodeDecodeError) as exc:
        raise IngestError(f"{path.name}: unreadable metadata sidecar {sidecar.name} ({exc})") from exc
    if not isinstance(loaded, dict):
        raise IngestError(f"{path.name}: metadata sidecar {sidecar.name} is not a YAML mapping")
    return {str(k): v for k, v in loaded.items()}, []


def _with_defaults(doc: ParsedDocument, text: str) -> ParsedDocument:
    """Fill what the file does not say, and warn about each required field that is missing."""
    meta = dict(doc.meta)
    warnings = list(doc.warnings) + _check_meta(doc.path.name, meta)
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


def _check_meta(name: str, meta: dict[str, Any]) -> list[str]:
    """Reject metadata of the wrong shape (``edition: [1, 2]``, a 10 kB title); warn about a date that is
    not ISO. Why: the catalogue stores each field as one label, and a list or mapping would be
    silently turned into its Python repr."""
    warnings = []
    for key in SCALAR_FIELDS:
        value = meta.get(key)
        if value is None:
            continue
        if isinstance(value, (list, dict, set, tuple)):
            raise IngestError(f"{name}: front-matter field {key!r} must be a single value, not a {type(value).__name__}",
                              hint=f"write {key}: followed by one text value")
        if len(str(value)) > MAX_FIELD_CHARS:
            raise IngestError(f"{name}: front-matter field {key!r} is longer than {MAX_FIELD_CHARS} characters")
    date = meta.get("effective_date", meta.get("lastReviewed", meta.get("date")))
    if date is not None and not isinstance(date, (dt.date, dt.datetime)) and not _ISO_DATE_RE.match(str(date).strip()):
        warnings.append(f"effective_date {str(date)[:40]!r} is not an ISO date (YYYY-MM-DD)")
    return warnings


def _guess_title(text: str) -> str:
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line[:200]
    return ""
