"""Ingest files into the index: incremental, atomic, versioned and audited.

Per file the outcome is added, unchanged, replaced or rejected (with the reason). A changed file
becomes a new *version* of its document (rag.corpus.registry); the old version is kept, superseded.
A batch becomes visible in one SQLite transaction that also switches the BM25 generation, so a crash
or a failed step leaves the previous index serving; the next writer cleans up what a crash left
(``recover``). Embeddings are cached by content, so nothing is embedded twice; an unchanged file is
recognised by its hash without being parsed. One writer at a time (rag.corpus.lock).

The same path serves the bulk ``rag ingest`` (mode ``ingest``) and the librarian's ``rag corpus
add`` / ``replace`` (``Intake``), which validate more strictly: required front matter, no duplicate
content, no older edition over a newer one without ``allow_older``.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from dataclasses import replace as dc_replace
from pathlib import Path

import numpy as np

from rag.corpus.chunk import chunk_document
from rag.corpus.lock import writer_lock
from rag.corpus.parse import REQUIRED_FIELDS, SUPPORTED_SUFFIXES, ParsedDocument, parse_file
from rag.corpus.registry import VersionRecord
from rag.errors import IngestError
from rag.index.embed import embedding_key
from rag.index.lexical import LexicalIndex, average_length
from rag.index.tokenize import tokenize
from rag.index.vectors import sparse_vector
from rag.types import Chunk, Document
from rag.workspace import Workspace

_SLUG_RE = re.compile(r"[^a-z0-9\-_.]+")
_ISO_DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_NUMBER_RE = re.compile(r"\d+(?:\.\d+)?")
# What `rag corpus add` / `replace` insist on: the lifecycle orders versions by them.
LIFECYCLE_FIELDS = ("edition", "effective_date")
MODES = ("ingest", "add", "replace")


def default_actor() -> str:
    """Who is making a change, for the audit trail: the login name (``unknown`` when there is none)."""
    try:
        return getpass.getuser() or "unknown"
    except (KeyError, OSError):
        return "unknown"


@dataclass(frozen=True)
class Intake:
    """How a batch is taken in: the bulk ``ingest`` or a librarian's ``add`` / ``replace``.

    ``defaults`` fill front-matter gaps (the file wins); ``doc_id`` names the document a ``replace``
    makes a new version of; ``allow_older`` lets an older edition or effective date become current.
    """

    mode: str = "ingest"
    doc_id: str | None = None
    defaults: Mapping[str, str] = field(default_factory=dict)
    allow_older: bool = False
    actor: str = field(default_factory=default_actor)
    reason: str = ""

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"intake mode is one of {MODES}, not {self.mode!r}")


@dataclass(frozen=True)
class FileReport:
    """What happened to one input file."""

    path: str
    status: str  # added | unchanged | replaced | rejected
    doc_id: str = ""
    reason: str = ""
    chunks: int = 0
    warnings: tuple[str, ...] = ()
    version: int | None = None  # the version now current (added/replaced/unchanged)
    previous_version: int | None = None  # the version a replacement superseded

    def as_dict(self) -> dict[str, object]:
        return {"path": self.path, "status": self.status, "doc_id": self.doc_id, "reason": self.reason,
                "chunks": self.chunks, "warnings": list(self.warnings), "version": self.version,
                "previous_version": self.previous_version}


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

    def as_contract(self) -> dict[str, object]:
        """The ``--json`` shape (same as ``as_dict``; the name the other lifecycle results use)."""
        return self.as_dict()

    @property
    def ok(self) -> bool:
        return all(f.status != "rejected" for f in self.files)


@dataclass
class _Pending:
    document: Document
    chunks: list[Chunk]
    tokens: list[list[str]]
    status: str
    warnings: tuple[str, ...]
    path: str = ""  # the file as given (for the batch's report)


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
           on_file: Callable[[FileReport], None] | None = None, intake: Intake | None = None) -> IngestReport:
    """Ingest files and folders; every file gets a report, and one bad file never stops the batch."""
    intake = intake or Intake()
    with writer_lock(workspace.settings.index_dir):
        recover(workspace)
        return _ingest_locked(workspace, paths, progress, on_file, intake)


def _ingest_locked(workspace: Workspace, paths: Sequence[Path], progress: bool | None,
                   on_file: Callable[[FileReport], None] | None, intake: Intake) -> IngestReport:
    started = time.perf_counter()
    show = sys.stderr.isatty() if progress is None else progress
    files, reports = discover(paths)
    catalog = workspace.catalog
    known = {d.doc_id: d for d in catalog.documents()}
    by_path = {d.path: d for d in known.values()}
    systems = {d.system for d in known.values() if d.system}
    pending: list[_Pending] = []
    claimed: dict[str, str] = {}
    for path in _progress(files, show, "reading"):
        report = _prepare(path, workspace, known, by_path, claimed, pending, intake, systems)
        reports.append(report)
        if on_file:
            on_file(report)
    if not pending:
        restored = sync_vectors(workspace, show)
        return _finish(reports, restored, 0, started)
    embedded, reused = _embed_and_upsert(workspace, pending, show)
    versions = _commit(workspace, pending, intake)
    reports = [dc_replace(r, version=versions[r.doc_id][1], previous_version=versions[r.doc_id][0])
               if r.status in ("added", "replaced") and r.doc_id in versions else r for r in reports]
    return _finish(reports, embedded, reused, started)


def _prepare(path: Path, workspace: Workspace, known: dict[str, Document], by_path: dict[str, Document],
             claimed: dict[str, str], pending: list[_Pending], intake: Intake, systems: set[str]) -> FileReport:
    resolved = str(path.resolve())
    try:
        digest = sha256_file(path)
    except OSError as exc:
        return FileReport(str(path), "rejected", reason=f"{path.name}: cannot read file ({exc.strerror})")
    previous = by_path.get(resolved)
    if intake.mode == "ingest" and previous is not None and previous.sha256 == digest and previous.status == "active":
        claimed[previous.doc_id] = resolved
        return FileReport(str(path), "unchanged", previous.doc_id, version=previous.version)
    try:
        parsed = _with_intake_defaults(parse_file(path, max_bytes=workspace.settings.max_file_bytes), intake)
    except IngestError as exc:
        return FileReport(str(path), "rejected", reason=exc.user_message())
    named = doc_id_for(parsed)
    doc_id = named
    if intake.mode == "replace":
        doc_id = str(intake.doc_id)
        if parsed.meta.get("doc_id") and named != doc_id:
            return FileReport(str(path), "rejected", doc_id,
                              reason=f"{path.name}: its front matter says doc_id {named!r}, not {doc_id!r}; "
                                     "fix the front matter or replace the document it names")
    if doc_id in claimed and claimed[doc_id] != resolved:
        return FileReport(str(path), "rejected", doc_id,
                          reason=f"{path.name}: doc_id {doc_id!r} is also used by {claimed[doc_id]} in this batch; "
                                 "set a distinct doc_id in its front matter")
    existing = known.get(doc_id)
    if intake.mode == "replace" and existing is None:
        return FileReport(str(path), "rejected", doc_id,
                          reason=f"{path.name}: no document {doc_id!r} to replace; add it with `rag corpus add`")
    if intake.mode == "ingest" and existing is not None and existing.sha256 == digest and existing.status == "active":
        claimed[doc_id] = resolved
        return FileReport(str(path), "unchanged", doc_id, version=existing.version)
    duplicate = _duplicate(workspace, digest, path)
    if duplicate:
        return FileReport(str(path), "rejected", doc_id, reason=duplicate)
    if intake.mode == "add" and existing is not None:
        return FileReport(str(path), "rejected", doc_id,
                          reason=f"{path.name}: document {doc_id!r} already exists (version {existing.version}, "
                                 f"{existing.status}); to make this file its next version run "
                                 f"`rag corpus replace {doc_id} {path}`")
    if intake.mode == "ingest" and existing is not None and existing.path != resolved \
            and Path(existing.path).exists() and existing.status == "active":
        return FileReport(str(path), "rejected", doc_id,
                          reason=f"{path.name}: doc_id {doc_id!r} already belongs to {existing.path}; "
                                 "set a distinct doc_id in the front matter, or retire the other document first")
    problem = _lifecycle_problem(parsed, existing, intake)
    if problem:
        return FileReport(str(path), "rejected", doc_id, reason=f"{path.name}: {problem}")
    claimed[doc_id] = resolved
    document = _document(parsed, doc_id, resolved, digest)
    chunks = chunk_document(parsed, doc_id, chunk_chars=workspace.settings.chunk_chars)
    if not chunks:
        return FileReport(str(path), "rejected", doc_id, reason=f"{path.name}: no indexable text")
    warnings = parsed.warnings + _system_warning(document.system, systems)
    tokens = [tokenize(lexical_text(document, c)) for c in chunks]
    status = "replaced" if existing is not None else "added"
    pending.append(_Pending(document, chunks, tokens, status, warnings, str(path)))
    return FileReport(str(path), status, doc_id, chunks=len(chunks), warnings=warnings)


def _with_intake_defaults(parsed: ParsedDocument, intake: Intake) -> ParsedDocument:
    """Fill front-matter gaps from the command's flags (the file wins) and restate what is still missing."""
    gaps = {k: v for k, v in intake.defaults.items() if v and not str(parsed.meta.get(k) or "").strip()}
    if not gaps:
        return parsed
    meta = {**parsed.meta, **gaps}
    warnings = [w for w in parsed.warnings if not w.startswith("missing front-matter field(s)")]
    missing = [f for f in REQUIRED_FIELDS if not str(meta.get(f) or "").strip()]
    if missing:
        warnings.append(f"missing front-matter field(s): {', '.join(missing)}")
    return dc_replace(parsed, meta=meta, warnings=tuple(warnings))


def _duplicate(workspace: Workspace, digest: str, path: Path) -> str:
    """Why a file whose exact content the registry already holds cannot become a new version ('' if new)."""
    same = workspace.catalog.versions_with_sha(digest)
    if not same:
        return ""
    record: VersionRecord = same[-1]
    where = f"{record.doc_id} version {record.version} ({record.status})"
    if record.status == "retired":
        return (f"{path.name}: same content as {where}; to bring it back run `rag corpus restore {record.doc_id}`")
    if record.status == "superseded":
        return (f"{path.name}: same content as {where}; an old version cannot be re-added as new "
                "(restore needs a changed file: edit it, e.g. its effective_date, and use --allow-older)")
    return f"{path.name}: same content as {where}, already in the index"


def _lifecycle_problem(parsed: ParsedDocument, existing: Document | None, intake: Intake) -> str:
    """Checks for a librarian's add/replace: required fields, a readable date, no silent step back in edition."""
    meta = parsed.meta
    if intake.mode in ("add", "replace"):
        missing = [f for f in LIFECYCLE_FIELDS if not str(meta.get(f) or "").strip()]
        if missing:
            flags = ", ".join("--" + f.replace("_", "-") for f in missing)
            return f"missing front matter field(s) {', '.join(missing)}; add them to the file or pass {flags}"
        effective = str(meta.get("effective_date")).strip()
        if not _ISO_DATE_RE.match(effective):
            return f"effective_date {effective!r} is not an ISO date (YYYY-MM-DD)"
    if existing is None or existing.status != "active" or intake.allow_older or intake.mode == "ingest":
        return ""
    new_edition, new_date = str(meta.get("edition") or "").strip(), str(meta.get("effective_date") or "").strip()
    if is_older(new_edition, new_date, existing.edition, existing.effective_date):
        return (f"edition {new_edition!r} ({new_date or 'no date'}) is older than the active version {existing.version}: "
                f"{existing.edition!r} ({existing.effective_date or 'no date'}); pass --allow-older to make it current")
    return ""


def edition_key(edition: str) -> tuple[float, ...]:
    """The numbers an edition names, for ordering ('AJCC 8th edition' -> (8,), 'v2022' -> (2022,))."""
    return tuple(float(n) for n in _NUMBER_RE.findall(edition))


def is_older(edition: str, effective_date: str, than_edition: str, than_date: str) -> bool:
    """Whether (edition, effective date) comes before the other: the dates decide when both are set, else the edition numbers."""
    if effective_date and than_date:
        return effective_date < than_date
    mine, theirs = edition_key(edition), edition_key(than_edition)
    return bool(mine and theirs and mine < theirs)


def _system_warning(system: str, systems: set[str]) -> tuple[str, ...]:
    """A warning for a system name no calculator, corpus file or indexed document knows (often a typo)."""
    if not system:
        return ()
    from rag.corpus.lint.check import KNOWN_SYSTEMS

    if system in KNOWN_SYSTEMS or system in systems:
        return ()
    return (f"unknown system {system!r}: no calculator or corpus document uses it (see docs/CORPUS_FORMAT.md)",)


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
        bar = None
        if show:
            from tqdm import tqdm

            bar = tqdm(total=len(todo), desc="embedding", unit="chunk", file=sys.stderr)
        # All of the batch's new texts at once, shortest first: batches of similar length carry almost no
        # padding (sorting only within 64-chunk windows computed 1.16x the real tokens on the PDQ summaries).
        for rows, vectors in workspace.embedder.embed_passages_in_length_order([t for _, t in todo], batch_size=32):
            part_vectors = {todo[int(i)][0]: v for i, v in zip(rows, vectors, strict=True)}
            cached.update(part_vectors)
            with catalog.transaction():  # the cache survives an interrupted ingest
                catalog.cache_vectors(part_vectors)
            if bar:
                bar.update(len(part_vectors))
        if bar:
            bar.close()
    # Record what is about to change so a crash before the commit can be cleaned up next time.
    _collect_orphans(workspace)
    catalog.set_state("pending_docs", json.dumps([p.document.doc_id for p in pending]))
    store = workspace.vectors
    avgdl = _sparse_avgdl(workspace, pending) if store.sparse else 0.0
    for item in pending:
        payloads = [_payload(item.document, c) for c in item.chunks]
        matrix = np.stack([cached[embedding_key(model, embedding_text(item.document, c))] for c in item.chunks])
        sparse = [sparse_vector(t, avgdl) for t in item.tokens] if store.sparse else None
        store.upsert(payloads, matrix, sparse)
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


def _commit(workspace: Workspace, pending: list[_Pending], intake: Intake) -> dict[str, tuple[int | None, int]]:
    """Switch registry and BM25 generation together; then drop the points only the old versions used.

    Returns doc id -> (previous head version or None, new version).
    """
    catalog = workspace.catalog
    number = int(catalog.get_state("bm25_counter") or 0) + 1
    new_generation = f"bm25-{number:06d}"
    stale: list[str] = []
    versions: dict[str, tuple[int | None, int]] = {}
    try:
        with catalog.transaction():
            for item in pending:
                doc_id = item.document.doc_id
                previous = set(catalog.chunk_ids(doc_id))
                stale.extend(previous - {c.chunk_id for c in item.chunks})
                old, new = catalog.put_version(item.document, item.chunks, item.tokens, actor=intake.actor,
                                               reason=intake.reason)
                versions[doc_id] = (old, new)
                detail = f"{len(item.chunks)} chunks; sha256 {item.document.sha256[:12]}"
                if item.warnings:
                    detail += "; warnings: " + "; ".join(item.warnings)
                catalog.audit(item.status, doc_id, item.document.path, detail, actor=intake.actor,
                              old_version=old, new_version=new, reason=intake.reason)
            _build_lexical(workspace, new_generation)
            catalog.set_state("bm25_generation", new_generation)
            catalog.set_state("bm25_counter", str(number))
    except BaseException:
        shutil.rmtree(workspace.bm25_dir(new_generation), ignore_errors=True)
        raise
    sweep_generations(workspace)
    workspace.vectors.delete(stale)
    catalog.set_state("pending_docs", "[]")
    return versions


def _build_lexical(workspace: Workspace, generation: str) -> None:
    chunk_ids, doc_ids, tokens = workspace.catalog.live_tokens()
    LexicalIndex.build(workspace.bm25_dir(generation), chunk_ids, doc_ids, tokens)


def sweep_generations(workspace: Workspace) -> None:
    """Delete BM25 generation folders other than the current one (left by a switch or a crash)."""
    current = workspace.catalog.get_state("bm25_generation")
    folder = workspace.settings.index_dir
    if not folder.is_dir():
        return
    for path in folder.glob("bm25-*"):
        if path.is_dir() and path.name != current:
            shutil.rmtree(path, ignore_errors=True)


def _collect_orphans(workspace: Workspace) -> None:
    """Delete Qdrant points left by a change that crashed between its upsert and its commit (or after the
    commit, before the old points were deleted): every point of the recorded documents that is not live."""
    raw = workspace.catalog.get_state("pending_docs")
    doc_ids = json.loads(raw) if raw else []
    if not doc_ids:
        return
    points = workspace.vectors.chunk_ids_of(doc_ids)
    live = workspace.catalog.live_chunk_ids(points)
    workspace.vectors.delete([c for c in points if c not in live])
    workspace.catalog.set_state("pending_docs", "[]")


def recover(workspace: Workspace) -> None:
    """Finish what a killed writer left: orphan points, stray BM25 folders, missing points. Cheap when clean."""
    _collect_orphans(workspace)
    sweep_generations(workspace)


def upsert_points(workspace: Workspace, document: Document, chunk_ids: Sequence[str]) -> int:
    """Give stored chunks their Qdrant points again (a restore): vectors from the embedding cache, or
    embedded now when the cache lacks them. Not live until the caller switches the status; returns how
    many chunks had to be embedded."""
    chunks = workspace.catalog.chunks(chunk_ids)
    items = [chunks[c] for c in chunk_ids]
    tokens = [tokenize(lexical_text(document, c)) for c in items]
    embedded, _ = _embed_and_upsert(workspace, [_Pending(document, items, tokens, "restored", ())], False)
    return embedded


def rebuild_lexical(workspace: Workspace) -> None:
    """Rebuild BM25 over the live chunks as a new generation, atomically (call inside a transaction
    that also makes the status change, so both switch together)."""
    catalog = workspace.catalog
    number = int(catalog.get_state("bm25_counter") or 0) + 1
    generation = f"bm25-{number:06d}"
    try:
        _build_lexical(workspace, generation)
    except BaseException:
        shutil.rmtree(workspace.bm25_dir(generation), ignore_errors=True)
        raise
    catalog.set_state("bm25_generation", generation)
    catalog.set_state("bm25_counter", str(number))


def _finish(reports: list[FileReport], embedded: int, reused: int, started: float) -> IngestReport:
    counts: dict[str, int] = {}
    for report in reports:
        counts[report.status] = counts.get(report.status, 0) + 1
    return IngestReport(tuple(reports), embedded, reused, time.perf_counter() - started, counts)
