"""The librarian's operations as the web app runs them: upload, replace, retire, restore, list, audit.

Both the REST admin routes and the Library view call these; they call the library's own corpus
functions (``rag.corpus.ingest.ingest``, ``rag.corpus.admin.retire``). Uploaded files are kept under
``<index_dir>/library/`` with their metadata in a ``NAME.EXT.yaml`` sidecar (the format
``rag.corpus.parse`` reads), so a re-ingest from the command line sees the same documents.

When ``rag.corpus.admin`` has the versioned lifecycle API (``add``/``replace``/``retire``/``restore``
with an ``actor``), these call it, so the librarian's name lands in the audit trail and a replaced
version stays citable as superseded. Without it (``main`` before the lifecycle branch), upload
ingests the stored file, a replacement overwrites an uploaded file and re-ingests it, and a restore
re-ingests a retired document's file (embeddings come from the cache).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from rag.corpus.parse import SUPPORTED_SUFFIXES
from rag.errors import InvalidInput
from rag.workspace import Workspace

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
LANGUAGES = ("en", "zh")


@dataclass(frozen=True)
class UploadMeta:
    """What the librarian states about an uploaded document."""

    system: str
    edition: str
    effective_date: str
    language: str = "en"
    title: str = ""

    def validate(self) -> None:
        """Reject metadata that would make the document unfindable or mis-cited."""
        if not self.system.strip():
            raise InvalidInput("system is required", hint="e.g. AJCC8-lung, Lung-RADS-v2022, or a local name")
        if not self.edition.strip():
            raise InvalidInput("edition is required", hint="e.g. 'AJCC 8th edition (2017)'")
        if not _DATE.match(self.effective_date.strip()):
            raise InvalidInput(f"effective date {self.effective_date!r} is not YYYY-MM-DD", hint="e.g. 2024-01-01")
        if self.language not in LANGUAGES:
            raise InvalidInput(f"language {self.language!r} is not supported", hint=f"use one of: {', '.join(LANGUAGES)}")


def library_dir(workspace: Workspace) -> Path:
    return workspace.settings.index_dir / "library"


def _safe_name(filename: str) -> str:
    name = _SAFE_NAME.sub("-", Path(filename or "").name).strip("-.")
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise InvalidInput(f"{filename!r}: unsupported file type {suffix or '(none)'!r}",
                           hint="upload a PDF, Markdown (.md) or text (.txt) file")
    return name


def _check_size(data: bytes) -> None:
    if not data:
        raise InvalidInput("the uploaded file is empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidInput(f"the uploaded file has {len(data)} bytes", hint=f"at most {MAX_UPLOAD_BYTES // 2**20} MB")


def _sidecar(meta: UploadMeta, librarian: str) -> dict[str, Any]:
    record: dict[str, Any] = {"system": meta.system.strip(), "edition": meta.edition.strip(),
                              "effective_date": meta.effective_date.strip(), "language": meta.language,
                              "source": f"uploaded by librarian {librarian}", "license": "local"}
    if meta.title.strip():
        record["title"] = meta.title.strip()
    return record


def _ingest_one(workspace: Workspace, path: Path) -> dict[str, Any]:
    from rag.corpus.ingest import ingest

    return _first_file(ingest(workspace, [path], progress=False))


def _lifecycle() -> Any | None:
    """``rag.corpus.admin`` when it has the versioned lifecycle API, else None."""
    from rag.corpus import admin

    return admin if all(hasattr(admin, name) for name in ("add", "replace", "restore", "history")) else None


def _first_file(report: Any) -> dict[str, Any]:
    files = report.as_dict().get("files") or []
    entry = dict(files[0]) if files else {"status": "rejected", "reason": "nothing ingested"}
    if entry.get("status") == "rejected":
        raise InvalidInput(str(entry.get("reason") or "the file was rejected"), hint="fix the file and upload it again")
    return entry


def upload(workspace: Workspace, filename: str, data: bytes, meta: UploadMeta, librarian: str) -> dict[str, Any]:
    """Store an uploaded file with its metadata and ingest it; the ingest's per-file report."""
    meta.validate()
    _check_size(data)
    name = _safe_name(filename)
    folder = library_dir(workspace)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    if target.exists():
        raise InvalidInput(f"{name} was uploaded before", hint="use Replace to upload a new version of it")
    target.write_bytes(data)
    target.with_name(target.name + ".yaml").write_text(yaml.safe_dump(_sidecar(meta, librarian), allow_unicode=True),
                                                       encoding="utf-8")
    try:
        admin = _lifecycle()
        if admin is not None:
            return _first_file(admin.add(workspace, [target], system=meta.system, edition=meta.edition,
                                         effective_date=meta.effective_date, language=meta.language, actor=librarian))
        return _ingest_one(workspace, target)
    except InvalidInput:
        target.unlink(missing_ok=True)
        target.with_name(target.name + ".yaml").unlink(missing_ok=True)
        raise


def _document(workspace: Workspace, doc_id: str) -> Any:
    document = workspace.catalog.document(doc_id)
    if document is None:
        raise InvalidInput(f"no document {doc_id!r} in the index", hint="see GET /api/documents for the ids")
    return document


def replace(workspace: Workspace, doc_id: str, filename: str, data: bytes, librarian: str) -> dict[str, Any]:
    """A new version of a document: its file is overwritten (same type) and re-ingested."""
    document = _document(workspace, doc_id)
    _check_size(data)
    admin = _lifecycle()
    if admin is not None:  # the new version is a file of its own; the old one stays citable as superseded
        folder = library_dir(workspace) / "versions"
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{int(time.time())}-{_safe_name(filename)}"
        target.write_bytes(data)
        return _first_file(admin.replace(workspace, doc_id, target, actor=librarian))
    old = Path(document.path)
    if Path(_safe_name(filename)).suffix.lower() != old.suffix.lower():
        raise InvalidInput(f"{doc_id} is a {old.suffix} document", hint=f"upload the new version as {old.suffix}")
    if library_dir(workspace).resolve() not in old.resolve().parents:
        raise InvalidInput(f"{doc_id} is a bundled corpus file, not an uploaded one",
                           hint="bundled documents change with the software; retire it and upload your own version")
    previous = old.read_bytes() if old.exists() else None
    old.write_bytes(data)
    try:
        return _ingest_one(workspace, old)
    except InvalidInput:
        if previous is not None:
            old.write_bytes(previous)
        raise


def retire(workspace: Workspace, doc_id: str, reason: str, librarian: str) -> dict[str, Any]:
    """Take a document out of search (kept, and audited)."""
    admin = _lifecycle()
    if admin is not None:
        admin.retire(workspace, doc_id, reason, actor=librarian)
    else:
        from rag.corpus.admin import retire as _retire

        _retire(workspace, doc_id, reason=f"{reason} (by {librarian})".strip())
    return {"doc_id": doc_id, "status": "retired"}


def restore(workspace: Workspace, doc_id: str, librarian: str) -> dict[str, Any]:
    """Bring a retired document back by re-ingesting its file (embeddings come from the cache)."""
    admin = _lifecycle()
    if admin is not None:
        admin.restore(workspace, doc_id, actor=librarian)
        return {"doc_id": doc_id, "status": "active"}
    document = _document(workspace, doc_id)
    if document.status != "retired":
        raise InvalidInput(f"{doc_id} is not retired (status {document.status})")
    path = Path(document.path)
    if not path.exists():
        raise InvalidInput(f"the file of {doc_id} is gone ({path.name})", hint="upload it again")
    entry = _ingest_one(workspace, path)
    with workspace.catalog.transaction():
        workspace.catalog.audit("restored", doc_id, document.path, f"by {librarian}")
    return {"doc_id": doc_id, "status": "active", "ingest": entry}


def documents(workspace: Workspace) -> list[dict[str, Any]]:
    """The ``rag corpus list --json`` rows."""
    return [{"doc_id": d.doc_id, "title": d.title, "system": d.system, "edition": d.edition,
             "effective_date": d.effective_date, "status": d.status, "language": d.language, "source": d.source}
            for d in workspace.catalog.documents()]


def audit(workspace: Workspace, limit: int = 100) -> list[dict[str, Any]]:
    return workspace.catalog.audit_log(limit)
