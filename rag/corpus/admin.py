"""Librarian operations on the versioned registry: add, replace, retire, restore, show, history, list, cite.

Plain typed functions so the CLI (``rag corpus …``, ``rag cite``) and the web app's Library view
call the same code. Every function takes the ``Workspace`` whose index it changes or reads; every
result is a frozen dataclass with ``as_contract()`` (the ``--json`` shape, CONTRACT.md "Corpus
lifecycle"). Changes take the index's writer lock (rag.corpus.lock), switch the registry and the
BM25 generation in one transaction, and append to the audit trail in that same transaction.

Why retire and restore keep everything: a retired document's versions and chunks stay in the
registry so its old citations resolve; restoring puts the same chunk ids back into the live index
from the embedding cache (nothing is re-parsed, usually nothing re-embedded).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.corpus.ingest import (
    IngestReport,
    Intake,
    default_actor,
    rebuild_lexical,
    recover,
    sweep_generations,
    upsert_points,
)
from rag.corpus.ingest import ingest as _ingest
from rag.corpus.lock import writer_lock
from rag.corpus.registry import AuditRecord, VersionRecord, iso_time
from rag.errors import InvalidInput
from rag.workspace import Workspace

__all__ = [
    "CitedChunk", "DocumentInfo", "IngestReport", "StatusChange", "VersionInfo", "add", "audit", "cite",
    "default_actor", "history", "list_documents", "replace", "restore", "retire", "show",
]


@dataclass(frozen=True)
class VersionInfo:
    """One version of a document as a librarian sees it."""

    doc_id: str
    version: int
    status: str  # active | superseded | retired
    title: str
    system: str
    edition: str
    effective_date: str
    language: str
    sha256: str
    source: str  # the file's name
    path: str
    chunks: int
    supersedes: int | None
    superseded_by: int | None
    created_by: str
    created_at: float
    changed_by: str
    changed_at: float
    reason: str

    @classmethod
    def from_record(cls, record: VersionRecord) -> VersionInfo:
        d = record.document
        return cls(d.doc_id, d.version, d.status, d.title, d.system, d.edition, d.effective_date, d.language, d.sha256,
                   d.source, d.path, record.chunk_count, record.supersedes, record.superseded_by, record.created_by,
                   record.created_at, record.changed_by, record.changed_at, record.reason)

    def as_contract(self) -> dict[str, Any]:
        return {"doc_id": self.doc_id, "version": self.version, "status": self.status, "title": self.title,
                "system": self.system, "edition": self.edition, "effective_date": self.effective_date,
                "language": self.language, "sha256": self.sha256, "source": self.source, "path": self.path,
                "chunks": self.chunks, "supersedes": self.supersedes, "superseded_by": self.superseded_by,
                "created_by": self.created_by, "created_at": iso_time(self.created_at), "changed_by": self.changed_by,
                "changed_at": iso_time(self.changed_at), "reason": self.reason}


@dataclass(frozen=True)
class DocumentInfo:
    """A document with all its versions (``rag corpus show``)."""

    doc_id: str
    versions: tuple[VersionInfo, ...]  # oldest first

    @property
    def head(self) -> VersionInfo:
        """The version that is active or retired (every other one is superseded)."""
        return next(v for v in reversed(self.versions) if v.status != "superseded")

    @property
    def status(self) -> str:
        return self.head.status

    def as_contract(self) -> dict[str, Any]:
        head = self.head
        return {"doc_id": self.doc_id, "status": head.status, "version": head.version, "title": head.title,
                "system": head.system, "edition": head.edition, "effective_date": head.effective_date,
                "versions": [v.as_contract() for v in self.versions]}


@dataclass(frozen=True)
class StatusChange:
    """The outcome of ``retire`` or ``restore``."""

    doc_id: str
    version: int
    status: str  # the new status: retired | active
    previous_status: str
    actor: str
    reason: str
    chunks: int  # chunks that left (retire) or re-entered (restore) the live index

    def as_contract(self) -> dict[str, Any]:
        return {"doc_id": self.doc_id, "version": self.version, "status": self.status,
                "previous_status": self.previous_status, "actor": self.actor, "reason": self.reason,
                "chunks": self.chunks}


@dataclass(frozen=True)
class CitedChunk:
    """What a chunk id means, whenever it was cited (``rag cite CHUNK_ID --json``).

    ``version``/``status``/``edition`` describe the newest version that contains the chunk; a chunk
    unchanged across versions is still ``active``. ``superseded_by`` names the current head version
    when the chunk's version was superseded; ``replacement_chunk_id`` is the head's chunk under the
    same section, when there is one.
    """

    chunk_id: str
    doc_id: str
    version: int
    status: str  # active | superseded | retired
    edition: str
    title: str
    section: str
    page: int | None
    text: str
    system: str
    effective_date: str
    versions: tuple[int, ...]  # every version that contains this chunk
    superseded_by: VersionInfo | None = None
    replacement_chunk_id: str | None = None
    reason: str = ""  # why the document was retired, when it was

    def as_contract(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "chunk_id": self.chunk_id, "doc_id": self.doc_id, "version": self.version, "status": self.status,
            "edition": self.edition, "title": self.title, "section": self.section, "page": self.page,
            "text": self.text, "system": self.system, "effective_date": self.effective_date,
            "versions": list(self.versions),
        }
        if self.superseded_by is not None:
            s = self.superseded_by
            record["superseded_by"] = {"doc_id": s.doc_id, "version": s.version, "status": s.status,
                                       "edition": s.edition, "effective_date": s.effective_date, "title": s.title}
            if self.replacement_chunk_id:
                record["replacement_chunk_id"] = self.replacement_chunk_id
        if self.status == "retired":
            record["reason"] = self.reason
        return record


# changes -----------------------------------------------------------------------------------------
def add(workspace: Workspace, paths: Sequence[str | Path], *, system: str | None = None, edition: str | None = None,
        effective_date: str | None = None, language: str | None = None, allow_older: bool = False,
        actor: str | None = None, reason: str = "") -> IngestReport:
    """Add new documents (files or folders). Front matter wins; the keyword values fill its gaps.

    Rejected per file, with the reason: missing edition/effective date, content identical to a stored
    version, a doc id that already exists (use ``replace``), a PDF without a text layer. An unknown
    system name is a warning.
    """
    defaults = {k: v for k, v in (("system", system), ("edition", edition), ("effective_date", effective_date),
                                  ("language", language)) if v}
    intake = Intake(mode="add", defaults=defaults, allow_older=allow_older, actor=actor or default_actor(), reason=reason)
    return _ingest(workspace, [Path(p) for p in paths], progress=False, intake=intake)


def replace(workspace: Workspace, doc_id: str, path: str | Path, *, actor: str | None = None, allow_older: bool = False,
            reason: str = "", system: str | None = None, edition: str | None = None,
            effective_date: str | None = None, language: str | None = None) -> IngestReport:
    """Make a file the next version of ``doc_id``; the current version becomes ``superseded`` (kept, citable).

    Only chunks whose text changed are embedded; the old version's other chunks leave Qdrant and BM25.
    An edition or effective date older than the active version's is refused unless ``allow_older``.
    """
    _require_document(workspace, doc_id)
    target = Path(path)
    if not target.is_file():
        raise InvalidInput(f"{target}: no such file", hint="give the path of the new version's file")
    defaults = {k: v for k, v in (("system", system), ("edition", edition), ("effective_date", effective_date),
                                  ("language", language)) if v}
    intake = Intake(mode="replace", doc_id=doc_id, defaults=defaults, allow_older=allow_older,
                    actor=actor or default_actor(), reason=reason)
    return _ingest(workspace, [target], progress=False, intake=intake)


def retire(workspace: Workspace, doc_id: str, reason: str = "", *, actor: str | None = None) -> StatusChange:
    """Take a document out of search; it stays in the registry (its citations resolve) until ``restore``."""
    _require_document(workspace, doc_id)
    if not reason or not reason.strip():
        raise InvalidInput("retiring needs a reason", hint='e.g. --reason "withdrawn by the publisher"')
    who = actor or default_actor()
    with writer_lock(workspace.settings.index_dir):
        recover(workspace)
        catalog = workspace.catalog
        document = _require_document(workspace, doc_id)
        if document.status == "retired":
            raise InvalidInput(f"{doc_id} is already retired", hint=f"`rag corpus restore {doc_id}` brings it back")
        chunk_ids = catalog.chunk_ids(doc_id)
        # The registry and BM25 switch first, in one transaction; the points go after. Killed in
        # between, search filters the orphan points (not live) and the next writer deletes them.
        with catalog.transaction():
            catalog.set_state("pending_docs", f'["{doc_id}"]')
            version = catalog.set_status(doc_id, "retired", actor=who, reason=reason.strip())
            catalog.audit("retired", doc_id, document.path, f"{len(chunk_ids)} chunks left the index", actor=who,
                          old_version=version, new_version=version, reason=reason.strip())
            rebuild_lexical(workspace)
        sweep_generations(workspace)
        workspace.vectors.delete(chunk_ids)
        catalog.set_state("pending_docs", "[]")
    return StatusChange(doc_id, version, "retired", "active", who, reason.strip(), len(chunk_ids))


def restore(workspace: Workspace, doc_id: str, *, actor: str | None = None, reason: str = "") -> StatusChange:
    """Bring a retired document's last version back into search (same chunk ids, embeddings from the cache)."""
    who = actor or default_actor()
    with writer_lock(workspace.settings.index_dir):
        recover(workspace)
        catalog = workspace.catalog
        document = _require_document(workspace, doc_id)
        if document.status != "retired":
            raise InvalidInput(f"{doc_id} is not retired (version {document.version} is {document.status})",
                               hint="only a retired document can be restored")
        chunk_ids = catalog.chunk_ids(doc_id)
        upsert_points(workspace, document, chunk_ids)  # points first (not live yet, so search ignores them), then the switch
        with catalog.transaction():
            version = catalog.set_status(doc_id, "active", actor=who, reason=reason)
            catalog.audit("restored", doc_id, document.path, f"{len(chunk_ids)} chunks back in the index", actor=who,
                          old_version=version, new_version=version, reason=reason)
            rebuild_lexical(workspace)
            catalog.set_state("pending_docs", "[]")
        sweep_generations(workspace)
    return StatusChange(doc_id, version, "active", "retired", who, reason, len(chunk_ids))


# reads -------------------------------------------------------------------------------------------
def show(workspace: Workspace, doc_id: str) -> DocumentInfo:
    """A document and every version of it, oldest first."""
    _require_document(workspace, doc_id)
    records = workspace.catalog.versions(doc_id)
    return DocumentInfo(doc_id, tuple(VersionInfo.from_record(r) for r in records))


def list_documents(workspace: Workspace, include_all: bool = False) -> list[VersionInfo]:
    """The active versions; with ``include_all`` every version (superseded and retired too) with its status."""
    statuses = ("active", "superseded", "retired") if include_all else ("active",)
    return [VersionInfo.from_record(r) for r in workspace.catalog.versions(statuses=statuses)]


def history(workspace: Workspace, doc_id: str | None = None, *, limit: int | None = None) -> list[AuditRecord]:
    """Audit entries, newest first: one document's (it need not exist any more) or the whole registry's."""
    return workspace.catalog.audit_records(doc_id=doc_id, limit=limit)


def audit(workspace: Workspace, *, limit: int | None = None) -> list[AuditRecord]:
    """The whole append-only audit trail, newest first (``rag corpus audit``)."""
    return workspace.catalog.audit_records(limit=limit)


def cite(workspace: Workspace, chunk_id: str) -> CitedChunk:
    """Resolve any chunk id ever indexed, marked superseded or retired when it no longer serves."""
    catalog = workspace.catalog
    chunk_id = (chunk_id or "").strip()
    if not chunk_id:
        raise InvalidInput("no chunk id given", hint="rag cite CHUNK_ID (from an answer's citations)")
    containing = catalog.versions_of_chunk(chunk_id)
    chunk = catalog.chunks([chunk_id]).get(chunk_id)
    if not containing or chunk is None:
        raise InvalidInput(f"unknown chunk id {chunk_id!r}: no version of any document ever contained it",
                           hint="copy the id exactly from the answer's citation")
    newest = containing[-1]
    head = catalog.document(newest.doc_id)
    numbers = tuple(r.version for r in containing)
    document = newest.document
    superseded_by: VersionInfo | None = None
    replacement: str | None = None
    if newest.status == "superseded" and head is not None:
        head_record = catalog.version(head.doc_id, head.version)
        superseded_by = VersionInfo.from_record(head_record) if head_record else None
        ids = catalog.chunk_ids(head.doc_id)
        chunks = catalog.chunks(ids)
        replacement = next((c for c in ids if c in chunks and chunks[c].section == chunk.section), None)
    return CitedChunk(chunk_id, document.doc_id, document.version, newest.status, document.edition, document.title,
                      chunk.section, chunk.page, chunk.text, document.system, document.effective_date, numbers,
                      superseded_by, replacement, newest.reason if newest.status == "retired" else "")


def _require_document(workspace: Workspace, doc_id: str):  # type: ignore[no-untyped-def]
    document = workspace.catalog.document(doc_id)
    if document is None:
        known = ", ".join(d.doc_id for d in workspace.catalog.documents()[:8])
        raise InvalidInput(f"no document {doc_id!r} in the registry",
                           hint=f"see `rag corpus list --all`{f' (e.g. {known})' if known else ''}")
    return document
