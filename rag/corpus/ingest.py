"""Ingest files into the index: incremental, atomic and audited.

Per file the outcome is added, unchanged, replaced or rejected (with the reason). A batch becomes
visible in one SQLite transaction that also switches the BM25 generation, so a crash or a failed
step leaves the previous index serving. Embeddings are cached by content, so nothing is embedded
twice; an unchanged file is recognised by its hash without being parsed.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rag.corpus.chunk import chunk_document
from rag.corpus.parse import SUPPORTED_SUFFIXES, ParsedDocument, parse_file
from rag.errors import IngestError
from rag.index.embed import embedding_key
from rag.index.lexical import LexicalIndex, average_length
from rag.index.tokenize import tokenize
from rag.index.vectors import sparse_vector
from rag.types import Chunk, Document
from rag.workspace import Workspace

_SLUG_RE = re.compile(r"[^a-z0-9\-_.]+")


@dataclass(frozen=True)
class FileReport:
    """What happened to one input file."""

    path: str
    status: str  # added | unchanged | replaced | rejected
    doc_id: str = ""
    reason: str = ""
    chunks: int = 0
    warnings: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {"path": self.path, "status": self.status, "doc_id": self.doc_id, "reason": self.reason,
                "chunks": self.chunks, "warnings": list(self.warnings)}


@dataclass(frozen=True)
class IngestReport:
    """The outcome of one batch."""

    files: tuple[FileReport, ...]
    embedded: int = 0  # chunks embedded now
    reused: int = 0  # chunks whose embedding came from the cache
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {"files": [f.as_dict() for f in self.files], "counts": self.counts, "embedded": self.embedded,
                "reused": self.reused, "seconds": round(self.seconds, 3)}


@dataclass
class _Pending:
    document: Document
    chunks: list[Chunk]
    tokens: list[list[str]]
    status: str
    warnings: tuple[str, ...]


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[FileReport]]:
    """Files to ingest (folders searched recursively) and reports for paths that do not exist."""
    files: list[Path] = []
    missing: list[FileReport] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
                                and not any(part.startswith(".") for part in p.relative_to(path).parts)))
        elif path.exists():
            files.append(path)
        else:
            missing.append(FileReport(str(path), "rejected", reason=f"{path.name}: no such file or folder"))
    return list(dict.fromkeys(files)), missing


def doc_id_for(parsed: ParsedDocument) -> str:
    """Front matter ``doc_id`` or the file name's stem, as a slug."""
    raw = str(parsed.meta.get("doc_id") or parsed.path.stem).strip().lower()
    return _SLUG_RE.sub("-", raw).strip("-") or "document"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def embedding_text(document: Document, chunk: Chunk) -> str:
    """What the dense model sees: the passage with its document and section as context."""
    return f"{document.title}\n{chunk.section}\n{chunk.text}"


def lexical_text(document: Document, chunk: Chunk) -> str:
    """What BM25 sees: the title and heading path count, since passages rarely repeat them."""
    return f"{document.title} {chunk.section} {chunk.text}"


def ingest(workspace: Workspace, paths: Sequence[Path], *, progress: bool | None = None,
           on_file: Callable[[FileReport], None] | None = None) -> IngestReport:
    """Ingest files and folders; every file gets a report, and one bad file never stops the batch."""
    started = time.perf_counter()
    show = sys.stderr.isatty() if progress is None else progress
    files, reports = discover(paths)
    catalog = workspace.catalog
    known = {d.doc_id: d for d in catalog.documents()}
    by_path = {d.path: d for d in known.values()}
    pending: list[_Pending] = []
    claimed: dict[str, str] = {}
    for path in _progress(files, show, "reading"):
        report = _prepare(path, workspace, known, by_path, claimed, pending)
        reports.append(report)
        if on_file:
            on_file(report)
    if not pending:
        restored = sync_vectors(workspace, show)
        return _finish(reports, restored, 0, started)
    embedded, reused = _embed_and_upsert(workspace, pending, show)
    _commit(workspace, pending)
    return _finish(reports, embedded, reused, started)


def _prepare(path: Path, workspace: Workspace, known: dict[str, Document], by_path: dict[str, Document],
             claimed: dict[str, str], pending: list[_Pending]) -> FileReport:
    resolved = str(path.resolve())
    try:
        digest = sha256_file(path)
    except OSError as exc:
        return FileReport(str(path), "rejected", reason=f"{path.name}: cannot read file ({exc.strerror})")
    previous = by_path.get(resolved)
    if previous is not None and previous.sha256 == digest and previous.status == "active":
        claimed[previous.doc_id] = resolved
        return FileReport(str(path), "unchanged", previous.doc_id)
    try:
        parsed = parse_file(path, max_bytes=workspace.settings.max_file_bytes)
    except IngestError as exc:
        return FileReport(str(path), "rejected", reason=exc.user_message())
    doc_id = doc_id_for(parsed)
    if doc_id in claimed and claimed[doc_id] != resolved:
        return FileReport(str(path), "rejected", doc_id,
                          reason=f"{path.name}: doc_id {doc_id!r} is also used by {claimed[doc_id]} in this batch; "
                                 "set a distinct doc_id in its front matter")
    existing = known.get(doc_id)
    if existing is not None and existing.path != resolved and Path(existing.path).exists() \
            and existing.status == "active":
        return FileReport(str(path), "rejected", doc_id,
                          reason=f"{path.name}: doc_id {doc_id!r} already belongs to {existing.path}; "
                                 "set a distinct doc_id in the front matter, or retire the other document first")
    claimed[doc_id] = resolved
    if existing is not None and existing.sha256 == digest and existing.status == "active":
        return FileReport(str(path), "unchanged", doc_id)
    document = _document(parsed, doc_id, resolved, digest)
    chunks = chunk_document(parsed, doc_id, chunk_chars=workspace.settings.chunk_chars)
    if not chunks:
        return FileReport(str(path), "rejected", doc_id, reason=f"{path.name}: no indexable text")
    tokens = [tokenize(lexical_text(document, c)) for c in chunks]
    status = "replaced" if existing is not None else "added"
    pending.append(_Pending(document, chunks, tokens, status, parsed.warnings))
    return FileReport(str(path), status, doc_id, chunks=len(chunks), warnings=parsed.warnings)


def _document(parsed: ParsedDocument, doc_id: str, path: str, digest: str) -> Document:
    meta = parsed.meta

    def text(key: str, default: str = "") -> str:
        value = meta.get(key)
        return default if value is None else str(value).strip()

    return Document(
        doc_id=doc_id, title=text("title", parsed.path.stem), source=parsed.path.name, path=path, sha256=digest,
        system=text("system"), edition=text("edition"), effective_date=text("effective_date"),
        language=text("language", "en"), license=text("license"), supersedes=text("supersedes"),
        status="active", publisher_source=text("source"),
    )


def _progress(items: Sequence[Path], show: bool, label: str) -> Iterable[Path]:
    if not show or len(items) < 2:
        return items
    from tqdm import tqdm

    return tqdm(items, desc=label, unit="file", file=sys.stderr)


def _embed_and_upsert(workspace: Workspace, pending: list[_Pending], show: bool) -> tuple[int, int]:
    """Embed what the cache lacks, then write every changed document's points to Qdrant."""
    catalog = workspace.catalog
    workspace.vectors.ensure_collection()  # fail fast (IndexBusy) before minutes of embedding
    model = workspace.settings.embedder
    texts = [embedding_text(p.document, c) for p in pending for c in p.chunks]
    keys = [embedding_key(model, t) for t in texts]
    cached = catalog.cached_vectors(keys)
    todo = [(k, t) for k, t in dict(zip(keys, texts, strict=True)).items() if k not in cached]
    if todo:
        fresh: dict[str, np.ndarray] = {}
        batch = 64
        bar = None
        if show:
            from tqdm import tqdm

            bar = tqdm(total=len(todo), desc="embedding", unit="chunk", file=sys.stderr)
        for i in range(0, len(todo), batch):
            part = todo[i:i + batch]
            vectors = workspace.embedder.embed_passages([t for _, t in part])
            part_vectors = dict(zip((k for k, _ in part), vectors, strict=True))
            fresh.update(part_vectors)
            with catalog.transaction():  # the cache survives an interrupted ingest
                catalog.cache_vectors(part_vectors)
            if bar:
                bar.update(len(part))
        if bar:
            bar.close()
        cached.update(fresh)
    # Record what is about to change so a crash before the commit can be cleaned up next time.
    _collect_orphans(workspace)
    catalog.set_state("pending_docs", json.dumps([p.document.doc_id for p in pending]))
    vectors = workspace.vectors
    avgdl = _sparse_avgdl(workspace, pending) if vectors.sparse else 0.0
    for item in pending:
        payloads = [_payload(item.document, c) for c in item.chunks]
        matrix = np.stack([cached[embedding_key(model, embedding_text(item.document, c))] for c in item.chunks])
        sparse = [sparse_vector(t, avgdl) for t in item.tokens] if vectors.sparse else None
        vectors.upsert(payloads, matrix, sparse)
    return len(todo), len(keys) - len(todo)


def sync_vectors(workspace: Workspace, show: bool = False) -> int:
    """Give every live chunk a point again when the vector store lacks some (a new engine, a deleted
    folder); vectors come from the embedding cache. Returns how many chunks had to be embedded."""
    catalog = workspace.catalog
    expected = catalog.count_chunks()
    if expected == 0 or workspace.vectors.count() == expected:
        return 0
    pending = []
    for document in catalog.documents(include_retired=False):
        ids = catalog.chunk_ids(document.doc_id)
        missing = set(ids) - workspace.vectors.existing(ids)
        if missing:
            chunks = catalog.chunks(ids)
            items = [chunks[c] for c in ids if c in missing]
            tokens = [tokenize(lexical_text(document, c)) for c in items]
            pending.append(_Pending(document, items, tokens, "restored", ()))
    if not pending:
        return 0
    embedded, _ = _embed_and_upsert(workspace, pending, show)
    catalog.set_state("pending_docs", "[]")
    return embedded


def _payload(document: Document, chunk: Chunk) -> dict[str, object]:
    return {"chunk_id": chunk.chunk_id, "doc_id": document.doc_id, "system": document.system,
            "edition": document.edition, "language": document.language, "status": document.status}


def _sparse_avgdl(workspace: Workspace, pending: list[_Pending]) -> float:
    stored = workspace.catalog.get_state("sparse_avgdl")
    if stored is not None:
        return float(stored)
    _, _, live = workspace.catalog.live_tokens()
    value = average_length(live + [t for p in pending for t in p.tokens])
    workspace.catalog.set_state("sparse_avgdl", repr(value))
    return value


def _commit(workspace: Workspace, pending: list[_Pending]) -> None:
    """Switch catalogue and BM25 generation together; then drop what the old generation used."""
    catalog = workspace.catalog
    old_generation = catalog.get_state("bm25_generation")
    number = int(catalog.get_state("bm25_counter") or 0) + 1
    new_generation = f"bm25-{number:06d}"
    stale: list[str] = []
    try:
        with catalog.transaction():
            for item in pending:
                previous = set(catalog.chunk_ids(item.document.doc_id))
                stale.extend(previous - {c.chunk_id for c in item.chunks})
                catalog.put_document(item.document)
                catalog.replace_chunks(item.document.doc_id, item.chunks, item.tokens)
                detail = f"{len(item.chunks)} chunks; sha256 {item.document.sha256[:12]}"
                if item.warnings:
                    detail += "; warnings: " + "; ".join(item.warnings)
                catalog.audit(item.status, item.document.doc_id, item.document.path, detail)
            _build_lexical(workspace, new_generation)
            catalog.set_state("bm25_generation", new_generation)
            catalog.set_state("bm25_counter", str(number))
    except BaseException:
        shutil.rmtree(workspace.bm25_dir(new_generation), ignore_errors=True)
        raise
    if old_generation and old_generation != new_generation:
        shutil.rmtree(workspace.bm25_dir(old_generation), ignore_errors=True)
    workspace.vectors.delete(stale)
    catalog.set_state("pending_docs", "[]")


def _build_lexical(workspace: Workspace, generation: str) -> None:
    chunk_ids, doc_ids, tokens = workspace.catalog.live_tokens()
    LexicalIndex.build(workspace.bm25_dir(generation), chunk_ids, doc_ids, tokens)


def _collect_orphans(workspace: Workspace) -> None:
    """Delete Qdrant points left by an ingest that crashed between its upsert and its commit."""
    raw = workspace.catalog.get_state("pending_docs")
    doc_ids = json.loads(raw) if raw else []
    if not doc_ids:
        return
    live = {c for d in doc_ids for c in workspace.catalog.chunk_ids(d)}
    orphans = [c for c in workspace.vectors.chunk_ids_of(doc_ids) if c not in live]
    workspace.vectors.delete(orphans)
    workspace.catalog.set_state("pending_docs", "[]")


def rebuild_lexical(workspace: Workspace) -> None:
    """Rebuild BM25 over the live chunks (after a retire) as a new generation, atomically."""
    catalog = workspace.catalog
    old_generation = catalog.get_state("bm25_generation")
    number = int(catalog.get_state("bm25_counter") or 0) + 1
    generation = f"bm25-{number:06d}"
    with catalog.transaction():
        _build_lexical(workspace, generation)
        catalog.set_state("bm25_generation", generation)
        catalog.set_state("bm25_counter", str(number))
    if old_generation:
        shutil.rmtree(workspace.bm25_dir(old_generation), ignore_errors=True)


def _finish(reports: list[FileReport], embedded: int, reused: int, started: float) -> IngestReport:
    counts: dict[str, int] = {}
    for report in reports:
        counts[report.status] = counts.get(report.status, 0) + 1
    return IngestReport(tuple(reports), embedded, reused, time.perf_counter() - started, counts)
