"""The registry: every document *version*, every chunk ever indexed, cached embeddings and the audit trail, in one SQLite file.

Why versions: a guideline changes under the clinician (lung TNM 8th -> 9th), yet an answer given last
year must still resolve its citations. So a replacement never overwrites: it adds version N+1 and
marks version N ``superseded``. Chunk ids are content hashes (``doc_id`` + page, section and text),
so one id always means one passage; a chunk shared by two versions is stored once and listed by both
in ``version_chunks``. Chunk rows are never deleted, even when their vectors leave the live index.

Per document exactly one version is the *head* (``active`` or ``retired``); all others are
``superseded``. The live index (Qdrant points and the BM25 generation) holds the chunks of the
``active`` versions only.

SQLite gives the atomic switch the index needs: a batch's new versions, their chunks and the new
BM25 generation become visible in one transaction, so an interrupted change leaves the previous
state serving. The vector store and the BM25 files are derived data keyed by chunk id.

A catalogue written by the old one-row-per-document schema is migrated in place on open: each
document becomes version 1 (its status kept), its chunks that version's chunks, and the old table is
kept as ``legacy_documents``.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from rag.types import Chunk, Document, DocumentStatus

SCHEMA_VERSION = 2
STATUSES = ("active", "superseded", "retired")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS versions (
    doc_id TEXT NOT NULL, version INTEGER NOT NULL, title TEXT, source TEXT, path TEXT, sha256 TEXT,
    system TEXT, edition TEXT, effective_date TEXT, language TEXT, license TEXT, supersedes_doc TEXT,
    publisher_source TEXT, status TEXT NOT NULL, supersedes INTEGER, superseded_by INTEGER,
    created_by TEXT, created_at REAL, changed_by TEXT, changed_at REAL, reason TEXT, chunk_count INTEGER,
    PRIMARY KEY (doc_id, version)
);
CREATE INDEX IF NOT EXISTS versions_status ON versions(status);
CREATE INDEX IF NOT EXISTS versions_sha ON versions(sha256);
CREATE TABLE IF NOT EXISTS version_chunks (
    doc_id TEXT NOT NULL, version INTEGER NOT NULL, ord INTEGER NOT NULL, chunk_id TEXT NOT NULL,
    PRIMARY KEY (doc_id, version, ord)
);
CREATE INDEX IF NOT EXISTS version_chunks_chunk ON version_chunks(chunk_id);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY, doc_id TEXT, ord INTEGER, text TEXT, section TEXT, page INTEGER,
    start INTEGER, "end" INTEGER, rule_ids TEXT, kind TEXT, tokens TEXT
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE TABLE IF NOT EXISTS rules (rule_id TEXT PRIMARY KEY, chunk_id TEXT, doc_id TEXT);
CREATE TABLE IF NOT EXISTS embeddings (key TEXT PRIMARY KEY, vector BLOB);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT, ts REAL, action TEXT, doc_id TEXT, path TEXT, detail TEXT
);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT);
"""

# Columns the audit table gained with versions (added by ALTER TABLE to an old catalogue).
_AUDIT_COLUMNS = (("actor", "TEXT"), ("old_version", "INTEGER"), ("new_version", "INTEGER"),
                  ("reason", "TEXT"), ("entry", "TEXT"))
# The audit trail is append-only: SQLite itself refuses to change or delete an entry.
_AUDIT_TRIGGERS = """
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
"""

_VERSION_FIELDS = ("doc_id", "version", "title", "source", "path", "sha256", "system", "edition", "effective_date",
                   "language", "license", "supersedes_doc", "publisher_source", "status", "supersedes",
                   "superseded_by", "created_by", "created_at", "changed_by", "changed_at", "reason", "chunk_count")
_SELECT_VERSIONS = f"SELECT {', '.join(_VERSION_FIELDS)} FROM versions"
_HEAD = "status != 'superseded'"


@dataclass(frozen=True)
class VersionRecord:
    """One stored version of a document with its lifecycle fields."""

    document: Document  # the version's metadata; ``document.status`` and ``document.version`` included
    supersedes: int | None  # the version number this one replaced
    superseded_by: int | None  # the version number that replaced this one
    created_by: str
    created_at: float
    changed_by: str  # who made the latest status change (add, replace, retire, restore)
    changed_at: float
    reason: str
    chunk_count: int

    @property
    def doc_id(self) -> str:
        return self.document.doc_id

    @property
    def version(self) -> int:
        return self.document.version

    @property
    def status(self) -> str:
        return self.document.status


@dataclass(frozen=True)
class AuditRecord:
    """One line of the append-only audit trail."""

    id: int
    ts: float
    actor: str
    action: str  # added | replaced | retired | restored | migrated
    doc_id: str
    path: str
    old_version: int | None
    new_version: int | None
    reason: str
    detail: str

    def as_contract(self) -> dict[str, Any]:
        return {"id": self.id, "ts": round(self.ts, 3), "at": iso_time(self.ts), "actor": self.actor, "action": self.action,
                "doc_id": self.doc_id, "path": self.path, "old_version": self.old_version,
                "new_version": self.new_version, "reason": self.reason, "detail": self.detail}


def iso_time(ts: float) -> str:
    """A Unix time as ISO 8601 UTC ('' for none), the audit trail's and the registry's display form."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts)) if ts else ""


def _record(row: Sequence[Any]) -> VersionRecord:
    v = dict(zip(_VERSION_FIELDS, row, strict=True))
    document = Document(
        doc_id=v["doc_id"], title=v["title"] or "", source=v["source"] or "", path=v["path"] or "",
        sha256=v["sha256"] or "", system=v["system"] or "", edition=v["edition"] or "",
        effective_date=v["effective_date"] or "", language=v["language"] or "en", license=v["license"] or "",
        supersedes=v["supersedes_doc"] or "", status=v["status"], publisher_source=v["publisher_source"] or "",
        version=int(v["version"]),
    )
    return VersionRecord(document, v["supersedes"], v["superseded_by"], v["created_by"] or "", v["created_at"] or 0.0,
                         v["changed_by"] or "", v["changed_at"] or 0.0, v["reason"] or "", int(v["chunk_count"] or 0))


class Catalog:
    """A thin, typed wrapper over the SQLite registry. One instance per process is enough."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.readonly = False
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), timeout=30, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA busy_timeout=30000")
            if int(self._db.execute("PRAGMA user_version").fetchone()[0]) < SCHEMA_VERSION:
                self._migrate()
        except (sqlite3.OperationalError, OSError) as exc:
            # A read-only folder, a read-only mount or a full disk: searching must still work, so open
            # the existing registry read-only; any write then fails with SQLite's own clear error.
            # Anything else (a lock held past the busy timeout) is not a reason to go read-only.
            storage = isinstance(exc, OSError) or any(w in str(exc) for w in ("readonly", "disk", "full", "unable to open"))
            if not storage or not path.is_file():
                raise
            self._db = self._open_readonly(path)
            self.readonly = True

    @staticmethod
    def _open_readonly(path: Path) -> sqlite3.Connection:
        """``mode=ro``; failing that (no room even for the shared-memory file), ``immutable=1`` when no
        write-ahead log holds committed data that the main file lacks (after a clean close there is none)."""
        uri = path.resolve().as_uri()
        try:
            db = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=30, isolation_level=None, check_same_thread=False)
            db.execute("SELECT count(*) FROM versions").fetchone()
            return db
        except sqlite3.OperationalError:
            wal = path.with_name(path.name + "-wal")
            if wal.exists() and wal.stat().st_size > 0:
                raise
        db = sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None, check_same_thread=False)
        db.execute("SELECT count(*) FROM versions").fetchone()
        return db

    def close(self) -> None:
        self._db.close()

    def _migrate(self) -> None:
        """Create the schema, or bring an old (one row per document) catalogue to versions, in one transaction."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            if int(self._db.execute("PRAGMA user_version").fetchone()[0]) >= SCHEMA_VERSION:
                self._db.execute("COMMIT")  # another process migrated while we waited for the lock
                return
            tables = {r[0] for r in self._db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self._db.execute(statement)
            columns = {r[1] for r in self._db.execute("PRAGMA table_info(audit)")}
            for name, kind in _AUDIT_COLUMNS:
                if name not in columns:
                    self._db.execute(f"ALTER TABLE audit ADD COLUMN {name} {kind}")
            if "documents" in tables:
                self._migrate_documents()
            for statement in _AUDIT_TRIGGERS.split("END;"):
                if statement.strip():
                    self._db.execute(statement + "END;")
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _migrate_documents(self) -> None:
        now = time.time()
        rows = self._db.execute(
            "SELECT doc_id, title, source, path, sha256, system, edition, effective_date, language, license, "
            "supersedes, status, publisher_source, ingested_at FROM documents").fetchall()
        for (doc_id, title, source, path, sha, system, edition, effective, language, license_, supersedes, status,
             publisher, ingested_at) in rows:
            ids = [r[0] for r in self._db.execute("SELECT chunk_id FROM chunks WHERE doc_id=? ORDER BY ord", (doc_id,))]
            self._db.execute(
                f"INSERT OR IGNORE INTO versions ({', '.join(_VERSION_FIELDS)}) VALUES ({', '.join('?' * len(_VERSION_FIELDS))})",
                (doc_id, 1, title, source, path, sha, system, edition, effective, language, license_, supersedes, publisher,
                 "retired" if status == "retired" else "active", None, None, "migration", ingested_at or now, "migration",
                 ingested_at or now, "", len(ids)))
            self._db.executemany("INSERT OR IGNORE INTO version_chunks (doc_id, version, ord, chunk_id) VALUES (?,?,?,?)",
                                 [(doc_id, 1, i, c) for i, c in enumerate(ids)])
            self._append_audit("migrated", doc_id, path or "", actor="migration", new_version=1,
                               detail=f"schema {SCHEMA_VERSION}: became version 1 ({len(ids)} chunks)")
        self._db.execute("ALTER TABLE documents RENAME TO legacy_documents")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside become visible together, or not at all."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # documents and versions ----------------------------------------------------------------
    def documents(self, *, include_retired: bool = True) -> list[Document]:
        """The head version of every document (active and retired; active only when asked)."""
        where = _HEAD if include_retired else "status = 'active'"
        return [_record(r).document for r in self._db.execute(f"{_SELECT_VERSIONS} WHERE {where} ORDER BY doc_id")]

    def document(self, doc_id: str) -> Document | None:
        """A document's head version (active or retired), or None."""
        row = self._db.execute(f"{_SELECT_VERSIONS} WHERE doc_id=? AND {_HEAD}", (doc_id,)).fetchone()
        return _record(row).document if row else None

    def versions(self, doc_id: str | None = None, *, statuses: Sequence[str] = STATUSES) -> list[VersionRecord]:
        """Every stored version (of one document, or of all), oldest first."""
        marks = ", ".join("?" * len(statuses))
        if doc_id is None:
            rows = self._db.execute(f"{_SELECT_VERSIONS} WHERE status IN ({marks}) ORDER BY doc_id, version",
                                    list(statuses))
        else:
            rows = self._db.execute(f"{_SELECT_VERSIONS} WHERE doc_id=? AND status IN ({marks}) ORDER BY version",
                                    [doc_id, *statuses])
        return [_record(r) for r in rows]

    def version(self, doc_id: str, version: int) -> VersionRecord | None:
        row = self._db.execute(f"{_SELECT_VERSIONS} WHERE doc_id=? AND version=?", (doc_id, version)).fetchone()
        return _record(row) if row else None

    def versions_with_sha(self, sha256: str) -> list[VersionRecord]:
        """Versions (of any document) whose file had exactly this content."""
        return [_record(r) for r in self._db.execute(f"{_SELECT_VERSIONS} WHERE sha256=? ORDER BY doc_id, version",
                                                     (sha256,))]

    def put_version(self, document: Document, chunks: Sequence[Chunk], tokens: Sequence[list[str]], *,
                    actor: str, reason: str = "") -> tuple[int | None, int]:
        """Store a new head version of ``document`` (active) and supersede the previous head.

        Returns (previous head's version or None, the new version number). Call inside ``transaction()``.
        """
        now = time.time()
        head = self._db.execute("SELECT version FROM versions WHERE doc_id=? AND status != 'superseded'",
                                (document.doc_id,)).fetchone()
        last = self._db.execute("SELECT max(version) FROM versions WHERE doc_id=?", (document.doc_id,)).fetchone()[0]
        number = int(last or 0) + 1
        previous = int(head[0]) if head else None
        if previous is not None:
            self._db.execute("UPDATE versions SET status='superseded', superseded_by=?, changed_by=?, changed_at=? "
                             "WHERE doc_id=? AND version=?", (number, actor, now, document.doc_id, previous))
        d = document
        self._db.execute(
            f"INSERT INTO versions ({', '.join(_VERSION_FIELDS)}) VALUES ({', '.join('?' * len(_VERSION_FIELDS))})",
            (d.doc_id, number, d.title, d.source, d.path, d.sha256, d.system, d.edition, d.effective_date, d.language,
             d.license, d.supersedes, d.publisher_source, "active", previous, None, actor, now, actor, now, reason,
             len(chunks)))
        self._db.executemany(
            'INSERT OR REPLACE INTO chunks (chunk_id, doc_id, ord, text, section, page, start, "end", '
            "rule_ids, kind, tokens) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [(c.chunk_id, c.doc_id, i, c.text, c.section, c.page, c.start, c.end, json.dumps(c.rule_ids),
              c.kind, json.dumps(t, ensure_ascii=False)) for i, (c, t) in enumerate(zip(chunks, tokens, strict=True))],
        )
        self._db.executemany("INSERT INTO version_chunks (doc_id, version, ord, chunk_id) VALUES (?,?,?,?)",
                             [(d.doc_id, number, i, c.chunk_id) for i, c in enumerate(chunks)])
        self._db.execute("DELETE FROM rules WHERE doc_id=?", (d.doc_id,))  # rules follow the head version
        self._db.executemany("INSERT OR REPLACE INTO rules (rule_id, chunk_id, doc_id) VALUES (?,?,?)",
                             [(r, c.chunk_id, d.doc_id) for c in chunks for r in c.rule_ids])
        self._bump_revision()
        return previous, number

    def set_status(self, doc_id: str, status: str, *, actor: str = "", reason: str = "") -> int:
        """Retire or restore a document's head version; returns its version number. Call inside ``transaction()``."""
        if status not in ("active", "retired"):
            raise ValueError(f"a head version is active or retired, not {status!r}")
        row = self._db.execute("SELECT version FROM versions WHERE doc_id=? AND status != 'superseded'",
                               (doc_id,)).fetchone()
        if row is None:
            raise KeyError(doc_id)
        self._db.execute("UPDATE versions SET status=?, changed_by=?, changed_at=?, reason=? WHERE doc_id=? AND version=?",
                         (status, actor, time.time(), reason, doc_id, row[0]))
        self._bump_revision()
        return int(row[0])

    def generation(self) -> tuple[int, int]:
        """A key that changes whenever the registry may have: after a commit by any other connection
        (SQLite's ``data_version``, which sees other processes too) or any write through this one
        (``total_changes``). Costs one pragma, no table read, so per-query caches check it every time."""
        return int(self._db.execute("PRAGMA data_version").fetchone()[0]), self._db.total_changes

    def revision(self) -> int:
        """A counter bumped by every change of versions or statuses (caches key on it)."""
        return int(self.get_state("revision") or 0)

    def _bump_revision(self) -> None:
        self.set_state("revision", str(self.revision() + 1))

    # chunks --------------------------------------------------------------------------------
    def chunk_ids(self, doc_id: str, version: int | None = None) -> list[str]:
        """The chunk ids of one version (default: the head version), in document order."""
        if version is None:
            return [r[0] for r in self._db.execute(
                "SELECT vc.chunk_id FROM version_chunks vc JOIN versions v ON v.doc_id=vc.doc_id AND v.version=vc.version "
                "WHERE vc.doc_id=? AND v.status != 'superseded' ORDER BY vc.ord", (doc_id,))]
        return [r[0] for r in self._db.execute(
            "SELECT chunk_id FROM version_chunks WHERE doc_id=? AND version=? ORDER BY ord", (doc_id, version))]

    def chunks(self, chunk_ids: Iterable[str]) -> dict[str, Chunk]:
        """Chunks by id, live or not (a superseded version's chunks stay readable)."""
        ids = list(chunk_ids)
        out: dict[str, Chunk] = {}
        for i in range(0, len(ids), 500):
            part = ids[i:i + 500]
            rows = self._db.execute(
                'SELECT chunk_id, doc_id, text, section, page, start, "end", rule_ids, kind FROM chunks '
                f"WHERE chunk_id IN ({', '.join('?' * len(part))})", part)
            for r in rows:
                out[r[0]] = Chunk(r[0], r[1], r[2], r[3], r[4], r[5], r[6], tuple(json.loads(r[7])), r[8])
        return out

    def chunks_with_liveness(self, chunk_ids: Sequence[str]) -> dict[str, tuple[Chunk, bool]]:
        """``chunks`` and ``live_chunk_ids`` in one statement: each found chunk and whether an active version holds it."""
        out: dict[str, tuple[Chunk, bool]] = {}
        for i in range(0, len(chunk_ids), 500):
            part = list(chunk_ids[i:i + 500])
            rows = self._db.execute(
                'SELECT c.chunk_id, c.doc_id, c.text, c.section, c.page, c.start, c."end", c.rule_ids, c.kind, '
                "EXISTS (SELECT 1 FROM version_chunks vc JOIN versions v ON v.doc_id=vc.doc_id AND v.version=vc.version "
                "WHERE vc.chunk_id=c.chunk_id AND v.status='active') "
                f"FROM chunks c WHERE c.chunk_id IN ({', '.join('?' * len(part))})", part)
            for r in rows:
                rules = () if r[7] == "[]" else tuple(json.loads(r[7]))
                out[r[0]] = (Chunk(r[0], r[1], r[2], r[3], r[4], r[5], r[6], rules, r[8]), bool(r[9]))
        return out

    def chunk_tokens(self, chunk_ids: Sequence[str]) -> dict[str, list[str]]:
        """BM25 tokens by chunk id (for searching superseded versions, which have no BM25 generation)."""
        out: dict[str, list[str]] = {}
        for i in range(0, len(chunk_ids), 500):
            part = list(chunk_ids[i:i + 500])
            rows = self._db.execute(f"SELECT chunk_id, tokens FROM chunks WHERE chunk_id IN ({', '.join('?' * len(part))})",
                                    part)
            out.update({c: json.loads(t) for c, t in rows})
        return out

    def live_chunk_ids(self, chunk_ids: Iterable[str]) -> set[str]:
        """Those of ``chunk_ids`` that belong to an active version (what search may show)."""
        ids = list(chunk_ids)
        live: set[str] = set()
        for i in range(0, len(ids), 500):
            part = ids[i:i + 500]
            live.update(r[0] for r in self._db.execute(
                "SELECT vc.chunk_id FROM version_chunks vc JOIN versions v ON v.doc_id=vc.doc_id AND v.version=vc.version "
                f"WHERE v.status='active' AND vc.chunk_id IN ({', '.join('?' * len(part))})", part))
        return live

    def versions_of_chunk(self, chunk_id: str) -> list[VersionRecord]:
        """Every version that contains this chunk, oldest first."""
        return [_record(r) for r in self._db.execute(
            f"{_SELECT_VERSIONS} WHERE (doc_id, version) IN "
            "(SELECT doc_id, version FROM version_chunks WHERE chunk_id=?) ORDER BY version", (chunk_id,))]

    def live_tokens(self) -> tuple[list[str], list[str], list[list[str]]]:
        """Chunk ids, their doc ids and BM25 tokens for every active version, in a stable order."""
        rows = self._db.execute(
            "SELECT c.chunk_id, c.doc_id, c.tokens FROM version_chunks vc "
            "JOIN versions v ON v.doc_id = vc.doc_id AND v.version = vc.version "
            "JOIN chunks c ON c.chunk_id = vc.chunk_id WHERE v.status = 'active' ORDER BY vc.doc_id, vc.ord")
        ids, docs, tokens = [], [], []
        for chunk_id, doc_id, toks in rows:
            ids.append(chunk_id)
            docs.append(doc_id)
            tokens.append(json.loads(toks))
        return ids, docs, tokens

    def rule_rows(self) -> list[tuple[str, str]]:
        """(rule id, chunk id) for every rule defined by a head version."""
        return [(r[0], r[1]) for r in self._db.execute("SELECT rule_id, chunk_id FROM rules")]

    def chunk_for_rule(self, rule_id: str) -> str | None:
        row = self._db.execute(
            "SELECT r.chunk_id FROM rules r JOIN versions v ON v.doc_id = r.doc_id "
            "WHERE r.rule_id=? AND v.status='active'", (rule_id,)).fetchone()
        return row[0] if row else None

    def count_chunks(self) -> int:
        """How many chunks the live index should hold."""
        return int(self._db.execute(
            "SELECT count(*) FROM version_chunks vc JOIN versions v ON v.doc_id=vc.doc_id AND v.version=vc.version "
            "WHERE v.status='active'").fetchone()[0])

    # embeddings ----------------------------------------------------------------------------
    def cached_vectors(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for i in range(0, len(keys), 500):
            part = list(keys[i:i + 500])
            rows = self._db.execute(f"SELECT key, vector FROM embeddings WHERE key IN ({', '.join('?' * len(part))})", part)
            out.update({k: np.frombuffer(v, dtype=np.float32) for k, v in rows})
        return out

    def cache_vectors(self, vectors: dict[str, np.ndarray]) -> None:
        self._db.executemany("INSERT OR REPLACE INTO embeddings (key, vector) VALUES (?, ?)",
                             [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in vectors.items()])

    # state and audit -----------------------------------------------------------------------
    def get_state(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM state WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_state(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)", (key, value))

    def audit(self, action: str, doc_id: str, path: str, detail: str = "", *, actor: str = "",
              old_version: int | None = None, new_version: int | None = None, reason: str = "") -> None:
        """Append one entry to the audit trail (inside the change's own transaction)."""
        self._append_audit(action, doc_id, path, detail=detail, actor=actor, old_version=old_version,
                           new_version=new_version, reason=reason)

    def _append_audit(self, action: str, doc_id: str, path: str, *, detail: str = "", actor: str = "",
                      old_version: int | None = None, new_version: int | None = None, reason: str = "") -> None:
        ts = time.time()
        entry = json.dumps({"at": iso_time(ts), "actor": actor, "action": action, "doc_id": doc_id, "path": path,
                            "old_version": old_version, "new_version": new_version, "reason": reason,
                            "detail": detail}, ensure_ascii=False)
        self._db.execute("INSERT INTO audit (ts, action, doc_id, path, detail, actor, old_version, new_version, reason, "
                         "entry) VALUES (?,?,?,?,?,?,?,?,?,?)",
                         (ts, action, doc_id, path, detail, actor, old_version, new_version, reason, entry))

    def audit_records(self, *, doc_id: str | None = None, limit: int | None = None) -> list[AuditRecord]:
        """Audit entries, newest first (one document's, or all)."""
        sql = "SELECT id, ts, actor, action, doc_id, path, old_version, new_version, reason, detail FROM audit"
        args: list[Any] = []
        if doc_id is not None:
            sql += " WHERE doc_id=?"
            args.append(doc_id)
        sql += " ORDER BY id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        return [AuditRecord(r[0], r[1] or 0.0, r[2] or "", r[3] or "", r[4] or "", r[5] or "", r[6], r[7], r[8] or "",
                            r[9] or "") for r in self._db.execute(sql, args)]

    def audit_log(self, limit: int = 100) -> list[dict[str, object]]:
        """The newest entries as plain dicts (kept for older callers; ``audit_records`` is typed)."""
        return [r.as_contract() for r in self.audit_records(limit=limit)]


def with_status(document: Document, status: DocumentStatus) -> Document:
    """A copy of a document with another status (for reporting a change before it is read back)."""
    return replace(document, status=status)
