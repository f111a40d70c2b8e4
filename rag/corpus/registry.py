"""The catalogue: documents, chunks, cached embeddings and the audit trail, in one SQLite file.

SQLite gives the atomic switch the index needs: a batch's new documents, chunks and BM25 generation
become visible in one transaction, so an interrupted ingest leaves the previous index serving.
The vector store (Qdrant) and the BM25 files are derived data keyed by chunk id.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from rag.types import Chunk, Document

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, title TEXT, source TEXT, path TEXT, sha256 TEXT, system TEXT,
    edition TEXT, effective_date TEXT, language TEXT, license TEXT, supersedes TEXT,
    status TEXT, publisher_source TEXT, ingested_at REAL
);
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

_DOC_FIELDS = ("doc_id", "title", "source", "path", "sha256", "system", "edition", "effective_date",
               "language", "license", "supersedes", "status", "publisher_source")


class Catalog:
    """A thin, typed wrapper over the SQLite catalogue. One instance per process is enough."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.readonly = False
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), timeout=30, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        except (sqlite3.OperationalError, OSError):
            # A read-only folder, a read-only mount or a full disk: searching must still work, so open
            # the existing catalogue read-only; any write then fails with SQLite's own clear error.
            if not path.is_file():
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
            db.execute("SELECT count(*) FROM documents").fetchone()
            return db
        except sqlite3.OperationalError:
            wal = path.with_name(path.name + "-wal")
            if wal.exists() and wal.stat().st_size > 0:
                raise
        db = sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None, check_same_thread=False)
        db.execute("SELECT count(*) FROM documents").fetchone()
        return db

    def close(self) -> None:
        self._db.close()

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

    # documents -----------------------------------------------------------------------------
    def documents(self, *, include_retired: bool = True) -> list[Document]:
        rows = self._db.execute(f"SELECT {', '.join(_DOC_FIELDS)} FROM documents ORDER BY doc_id")
        docs = [Document(**dict(zip(_DOC_FIELDS, row, strict=True))) for row in rows]
        return docs if include_retired else [d for d in docs if d.status == "active"]

    def document(self, doc_id: str) -> Document | None:
        row = self._db.execute(f"SELECT {', '.join(_DOC_FIELDS)} FROM documents WHERE doc_id=?",
                               (doc_id,)).fetchone()
        return Document(**dict(zip(_DOC_FIELDS, row, strict=True))) if row else None

    def put_document(self, doc: Document) -> None:
        values = [getattr(doc, f) for f in _DOC_FIELDS]
        self._db.execute(
            f"INSERT OR REPLACE INTO documents ({', '.join(_DOC_FIELDS)}, ingested_at) "
            f"VALUES ({', '.join('?' * len(_DOC_FIELDS))}, ?)", [*values, time.time()])

    def set_status(self, doc_id: str, status: str) -> None:
        self._db.execute("UPDATE documents SET status=? WHERE doc_id=?", (status, doc_id))

    # chunks --------------------------------------------------------------------------------
    def replace_chunks(self, doc_id: str, chunks: Sequence[Chunk], tokens: Sequence[list[str]]) -> None:
        self._db.execute("DELETE FROM chunks WHERE doc_id=?", (doc_id,))
        self._db.execute("DELETE FROM rules WHERE doc_id=?", (doc_id,))
        self._db.executemany(
            'INSERT OR REPLACE INTO chunks (chunk_id, doc_id, ord, text, section, page, start, "end", '
            "rule_ids, kind, tokens) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [(c.chunk_id, c.doc_id, i, c.text, c.section, c.page, c.start, c.end, json.dumps(c.rule_ids),
              c.kind, json.dumps(t, ensure_ascii=False)) for i, (c, t) in enumerate(zip(chunks, tokens, strict=True))],
        )
        self._db.executemany("INSERT OR REPLACE INTO rules (rule_id, chunk_id, doc_id) VALUES (?,?,?)",
                             [(r, c.chunk_id, doc_id) for c in chunks for r in c.rule_ids])

    def delete_document(self, doc_id: str) -> None:
        for table in ("chunks", "rules", "documents"):
            self._db.execute(f"DELETE FROM {table} WHERE doc_id=?", (doc_id,))

    def chunk_ids(self, doc_id: str) -> list[str]:
        return [r[0] for r in self._db.execute("SELECT chunk_id FROM chunks WHERE doc_id=? ORDER BY ord", (doc_id,))]

    def chunks(self, chunk_ids: Iterable[str]) -> dict[str, Chunk]:
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

    def live_tokens(self) -> tuple[list[str], list[str], list[list[str]]]:
        """Chunk ids, their doc ids and BM25 tokens for every active document, in a stable order."""
        rows = self._db.execute(
            "SELECT c.chunk_id, c.doc_id, c.tokens FROM chunks c JOIN documents d ON d.doc_id = c.doc_id "
            "WHERE d.status = 'active' ORDER BY c.doc_id, c.ord")
        ids, docs, tokens = [], [], []
        for chunk_id, doc_id, toks in rows:
            ids.append(chunk_id)
            docs.append(doc_id)
            tokens.append(json.loads(toks))
        return ids, docs, tokens

    def rule_rows(self) -> list[tuple[str, str]]:
        """(rule id, chunk id) for every rule defined in the catalogue."""
        return [(r[0], r[1]) for r in self._db.execute("SELECT rule_id, chunk_id FROM rules")]

    def chunk_for_rule(self, rule_id: str) -> str | None:
        row = self._db.execute(
            "SELECT r.chunk_id FROM rules r JOIN documents d ON d.doc_id = r.doc_id "
            "WHERE r.rule_id=? AND d.status='active'", (rule_id,)).fetchone()
        return row[0] if row else None

    def count_chunks(self) -> int:
        return int(self._db.execute(
            "SELECT count(*) FROM chunks c JOIN documents d ON d.doc_id=c.doc_id WHERE d.status='active'"
        ).fetchone()[0])

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

    def audit(self, action: str, doc_id: str, path: str, detail: str = "") -> None:
        self._db.execute("INSERT INTO audit (ts, action, doc_id, path, detail) VALUES (?,?,?,?,?)",
                         (time.time(), action, doc_id, path, detail))

    def audit_log(self, limit: int = 100) -> list[dict[str, object]]:
        rows = self._db.execute("SELECT ts, action, doc_id, path, detail FROM audit ORDER BY id DESC LIMIT ?", (limit,))
        return [dict(zip(("ts", "action", "doc_id", "path", "detail"), r, strict=True)) for r in rows]
