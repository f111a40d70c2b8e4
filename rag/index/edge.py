"""An embedded vector index on qdrant-edge: the real Qdrant engine in-process, same methods as ``QdrantClientStore``.

Why: qdrant-client's local mode is a pure-Python stand-in for Qdrant. On the PDQ corpus (~21k points)
it commits one SQLite transaction per upserted point (~25 ms each here), loads every point into
Python objects on open, and evaluates payload filters point by point in Python (hundreds of ms per
filtered query). qdrant-edge keeps Qdrant's segments, payload indexes and WAL, so upserts, filtered
searches and sparse/IDF searches run at server speed in the same process (figures: bench/README.md).

It is a drop-in for the embedded path only: ``RAG_QDRANT_URL`` still goes through ``QdrantClientStore`` and
qdrant-client. Like local mode, one process may open a shard folder at a time (its WAL is locked);
a second open raises ``IndexBusy``.

A shard this process may not write (a published index on a read-only mount, or ``chmod -R a-w``) is
searched from a private copy: qdrant-edge maps segment files read-write and replays its WAL on load,
and its Python bindings (0.9) have no read-only open (the Rust crate's ``ReadOnlyEdgeShard`` follower
is not exposed). Hard links would not do: edge rewrites files on load. The copy lives in a temporary
folder removed on close and at exit; writes to a read-only index are refused. With ``sparse=True`` BM25 runs inside the shard as sparse vectors
with Qdrant's IDF modifier, exactly as on a server, and hybrid fusion uses Qdrant's RRF with the
project's ``rrf_k``.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
import weakref
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from rag.config import Settings
from rag.errors import IndexBusy, RagError
from rag.index.embed import DIMENSIONS
from rag.index.vectors import DENSE, SPARSE, point_id, point_parts, query_sparse_vector
from rag.types import DocFilter

_INDEXED_FIELDS = ("chunk_id", "doc_id", "system", "edition", "language")
_BATCH = 256
# Below this many points dense search is exact: a few ms, and the same answers as local mode and NumPy.
# (HNSW's default ef missed 11-16 % of the true top 10 on the PDQ-scale benchmark; bench/README.md.)
EXACT_BELOW = 50_000
# From EXACT_BELOW on, search uses an HNSW graph, which qdrant-edge builds only when asked
# (``EdgeShard.optimize``; no background optimiser runs in-process). Without it, 100k points were one
# unindexed segment searched by brute force: 33 ms a query against 1.4 ms at 10k (bench/edge_growth.py).
# So a write that leaves at least this share of the points outside the graph builds it (below, in
# ``_index_if_due``): geometric steps keep the total build cost near one build of the final size.
REINDEX_SHARE = 0.2
# Graph and beam: m links per node, ef_construct candidates while building, HNSW_EF while searching
# (Qdrant searches with max(ef, limit); the product asks for 50 candidates). At 100k synthetic points
# (bench/edge_growth.py, 40 queries) ef 512 / 1024 / 2048 found 0.996 / 1.000 / 1.000 of the exact
# top-10 passages in 1.26 / 1.9-2.0 / 3.2 ms: 1024 is the cheapest that missed none.
# qdrant-edge spreads a query over a thread pool sized from the CPU count. On this 2-core machine under
# load that hand-off cost more than the search: exact search at 10k points took 25 ms p50 with the
# default pool and 2.0 ms with one thread, interleaved in one process (load 19). One thread per
# process also leaves the other core to the query embedding and to concurrent requests.
SEARCH_THREADS = 1
HNSW_M = 16
HNSW_EF_CONSTRUCT = 128
HNSW_EF = 1024


def _dense_config() -> Any:
    import qdrant_edge as qe

    return {DENSE: qe.EdgeVectorParams(size=DIMENSIONS, distance=qe.Distance.Cosine)}


def copy_sparse(source: str, target: str) -> str:
    """Copy a file's data ranges only, keeping its holes (``shutil.copytree``'s ``copy_function``).

    Why: qdrant-edge preallocates segment files as sparse files; the bundled corpora's shard is 3.8 MiB
    on disk but 165 MiB long, and a plain copy writes every zero of it into the temporary folder.
    A filesystem without SEEK_DATA reports one data range, the whole file: a plain copy.
    """
    with open(source, "rb") as reader, open(target, "wb") as writer:
        size = os.fstat(reader.fileno()).st_size
        offset = 0
        while offset < size:
            try:
                start = os.lseek(reader.fileno(), offset, os.SEEK_DATA)
            except OSError as exc:
                if exc.errno == errno.ENXIO:  # only a hole is left
                    break
                raise
            end = os.lseek(reader.fileno(), start, os.SEEK_HOLE)
            reader.seek(start)
            writer.seek(start)
            while start < end:
                chunk = reader.read(min(end - start, 1 << 20))
                if not chunk:
                    break
                writer.write(chunk)
                start += len(chunk)
            offset = end
        writer.truncate(size)
    return target


def _make_writable(folder: Path) -> None:
    """Give this user write access to a private copy (edge creates and rewrites files in it)."""
    for root, dirs, files in os.walk(folder):
        os.chmod(root, 0o700)
        for name in dirs:
            os.chmod(os.path.join(root, name), 0o700)
        for name in files:
            os.chmod(os.path.join(root, name), 0o600)


def _writable_tree(folder: Path) -> bool:
    """Whether this process may write every file and folder of a shard, and the folder holding it.

    ``os.access`` answers for this process's ids and for a read-only mount (EROFS) alike.
    """
    if not os.access(folder.parent, os.W_OK):
        return False
    for root, _dirs, files in os.walk(folder):
        if not os.access(root, os.W_OK) or not all(os.access(os.path.join(root, f), os.W_OK) for f in files):
            return False
    return True


class EdgeStore:
    """One qdrant-edge shard of chunk vectors under ``<index_dir>/edge/<collection>``."""

    remote = False

    def __init__(self, settings: Settings, *, sparse: bool | None = None) -> None:
        self.settings = settings
        self.collection = settings.collection()
        self.sparse = bool(sparse)
        self.path = settings.index_dir / "edge" / self.collection
        self._shard: Any = None
        self._owner: Any = None  # our lock file, held while the shard is open (see _claim)
        self._points: int | None = None  # cached count, reset by every write
        self._private: Path | None = None  # the temporary copy a read-only shard is searched from
        self._cleanup: weakref.finalize | None = None  # type: ignore[type-arg]
        self.copy_seconds: float | None = None  # what the private copy cost (bench/readonly_open.py)

    @property
    def read_only(self) -> bool:
        """True when the shard exists and this process may not write to it (or to its folder)."""
        return self._exists() and not _writable_tree(self.path)

    # -- lifecycle ---------------------------------------------------------------------------------

    def _exists(self) -> bool:
        return (self.path / "edge_config.json").exists()

    def _shard_or_none(self) -> Any:
        """The open shard, or None while nothing has been written (mirrors ``collection_exists``)."""
        if self._shard is None and self._exists():
            self._shard = self._load()
        return self._shard

    def _claim(self) -> None:
        """Take this folder's owner lock before qdrant-edge touches any file, or raise ``IndexBusy``.

        Why our own lock: qdrant-edge's ``EdgeShard.load`` opens (and rewrites) segment files before it
        finds the WAL locked, so a second process merely *trying* to open a held index corrupted the
        holder's payload index ("tracker journal is shorter than expected" on its next flush;
        reproduced, tests/test_edge.py). With this lock the second process never calls into edge.
        """
        if self._owner is not None:
            return
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path.parent / f".{self.path.name}.owner.lock", "a+")  # noqa: SIM115 - held until close()
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.close()
            raise IndexBusy(f"the embedded index at {self.path} is in use by another process") from exc
        self._owner = handle

    def _release(self) -> None:
        if self._owner is not None:
            self._owner.close()  # closing the file drops the flock
            self._owner = None

    def _load(self) -> Any:
        import qdrant_edge as qe

        if self.read_only:
            return self._load_private_copy()
        self._claim()
        try:
            # The dense vectors are restated only because EdgeConfig needs some; sparse ones and every
            # other setting omitted are inherited from the shard.
            return qe.EdgeShard.load(str(self.path), qe.EdgeConfig(vectors=_dense_config(),
                                                                   max_search_threads=SEARCH_THREADS))
        except Exception as exc:  # qdrant-edge raises a bare Exception
            self._release()
            if "WouldBlock" in str(exc) or "lock" in str(exc).lower():
                raise IndexBusy(f"the embedded index at {self.path} is in use by another process") from exc
            raise RagError(f"cannot open the embedded index at {self.path}: {exc}",
                           hint="delete the index folder and ingest again") from exc

    def _load_private_copy(self) -> Any:
        """Open a copy of a read-only shard in a temporary folder (see the module docstring).

        The owner lock still decides: a holder (a process that opened the shard while it was
        writable) makes this an ``IndexBusy`` as for any second opener, so the CLI forwards to it; a
        shared lock is held while copying so no holder starts mid-copy. The original is only read.
        """
        import fcntl
        import time

        import qdrant_edge as qe

        lock_path = self.path.parent / f".{self.path.name}.owner.lock"
        handle = open(lock_path) if lock_path.exists() else None  # noqa: SIM115 - closed below; read-only: we cannot create it
        try:
            if handle is not None:
                try:
                    fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
                except BlockingIOError as exc:
                    raise IndexBusy(f"the embedded index at {self.path} is in use by another process") from exc
            private = Path(tempfile.mkdtemp(prefix="rag-edge-readonly-"))
            self._cleanup = weakref.finalize(self, shutil.rmtree, private, ignore_errors=True)
            started = time.perf_counter()
            try:
                shutil.copytree(self.path, private / self.path.name, copy_function=copy_sparse)
                _make_writable(private / self.path.name)  # copytree copies the folders' modes: a-w stays a-w
            except OSError as exc:
                self._drop_private_copy()
                raise RagError(f"cannot copy the read-only embedded index to {private}: {exc.strerror or exc}",
                               hint="free space in the temporary folder (TMPDIR), or make the index folder writable") from exc
            self.copy_seconds = time.perf_counter() - started
        finally:
            if handle is not None:
                handle.close()
        self._private = private
        try:
            return qe.EdgeShard.load(str(private / self.path.name),
                                     qe.EdgeConfig(vectors=_dense_config(), max_search_threads=SEARCH_THREADS))
        except Exception as exc:  # qdrant-edge raises a bare Exception
            self._drop_private_copy()
            raise RagError(f"cannot open the embedded index at {self.path}: {exc}",
                           hint="the index folder may be incomplete; ingest again into a writable folder") from exc

    def _drop_private_copy(self) -> None:
        if self._cleanup is not None:
            self._cleanup()  # removes the folder (once; also runs at exit if close() never does)
            self._cleanup = None
        self._private = None

    def _refuse_write_if_read_only(self) -> None:
        if self._private is not None or self.read_only:
            raise RagError(f"the embedded index at {self.path} is read-only",
                           hint="searching works as it is; ingest into a writable copy of the index folder")

    def close(self) -> None:
        if self._shard is not None:
            self._shard.close()
            self._shard = None
        self._drop_private_copy()
        self._release()

    def ensure_collection(self) -> None:
        import qdrant_edge as qe

        if self._shard_or_none() is not None:
            return
        sparse = {SPARSE: qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)} if self.sparse else None
        config = qe.EdgeConfig(vectors=_dense_config(),
                               sparse_vectors=sparse, max_search_threads=SEARCH_THREADS,
                               hnsw_config=qe.HnswIndexConfig(m=HNSW_M, ef_construct=HNSW_EF_CONSTRUCT,
                                                              full_scan_threshold=10_000))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._claim()
        shard = qe.EdgeShard.create(str(self.path), config)
        # Unlike local mode, payload indexes work here: filtered search never scans payloads.
        for field in _INDEXED_FIELDS:
            shard.update(qe.UpdateOperation.create_field_index(field, qe.PayloadSchemaType.Keyword))
        self._shard = shard

    # -- writes ------------------------------------------------------------------------------------

    def existing(self, chunk_ids: Sequence[str]) -> set[str]:
        """Which of these chunks already have a point."""
        shard = self._shard_or_none()
        if not chunk_ids or shard is None:
            return set()
        found: set[str] = set()
        for i in range(0, len(chunk_ids), 1000):
            records = shard.retrieve([point_id(c) for c in chunk_ids[i:i + 1000]], ["chunk_id"], False)
            found.update(r.payload["chunk_id"] for r in records)
        return found

    def upsert(self, payloads: Sequence[Mapping[str, Any]], vectors: np.ndarray,
               sparse: Sequence[tuple[list[int], list[float]]] | None = None) -> None:
        import qdrant_edge as qe

        self._refuse_write_if_read_only()
        self.ensure_collection()
        parts = point_parts(payloads, vectors, sparse if self.sparse else None,
                            lambda indices, values: qe.SparseVector(indices=list(indices), values=list(values)))
        points = [qe.Point(id=pid, vector=vector, payload=body) for pid, vector, body in parts]
        for i in range(0, len(points), _BATCH):
            self._shard.update(qe.UpdateOperation.upsert_points(points[i:i + _BATCH]))
        self._shard.flush()
        self._points = None
        self._index_if_due()

    def _index_if_due(self) -> bool:
        """Build the HNSW graph when the shard has reached approximate search and too much of it is outside the graph.

        Ingest writes document by document, so this runs after every batch: below EXACT_BELOW points it
        only reads the shard's counters (search is exact there, a graph would be unused work: 2 minutes
        at the PDQ scale); above it, it rebuilds once REINDEX_SHARE of the points are new. Points not yet
        in the graph are still found (Qdrant scans unindexed segments), only more slowly.
        """
        info = self._shard.info()
        points = int(info.points_count)
        if points < EXACT_BELOW:
            return False
        # indexed_vectors_count also counts sparse vectors, which are always indexed.
        dense_indexed = int(info.indexed_vectors_count) - (points if self.sparse else 0)
        if points - dense_indexed < REINDEX_SHARE * points:
            return False
        self._shard.optimize()
        self._shard.flush()
        return True

    def set_payload(self, chunk_ids: Sequence[str], payload: Mapping[str, Any]) -> None:
        """Update document metadata on existing points (a re-titled or retired document)."""
        import qdrant_edge as qe

        shard = self._shard_or_none()
        if chunk_ids and shard is not None:
            self._refuse_write_if_read_only()
            shard.update(qe.UpdateOperation.set_payload([point_id(c) for c in chunk_ids], dict(payload)))
            shard.flush()

    def delete(self, chunk_ids: Sequence[str]) -> None:
        import qdrant_edge as qe

        shard = self._shard_or_none()
        if chunk_ids and shard is not None:
            self._refuse_write_if_read_only()
            shard.update(qe.UpdateOperation.delete_points([point_id(c) for c in chunk_ids]))
            shard.flush()
            self._points = None

    # -- reads -------------------------------------------------------------------------------------

    def chunk_ids_of(self, doc_ids: Sequence[str]) -> list[str]:
        """Every point's chunk id for these documents (used to clean up after a crash)."""
        import qdrant_edge as qe

        shard = self._shard_or_none()
        if not doc_ids or shard is None:
            return []
        flt = qe.Filter(must=[qe.FieldCondition(key="doc_id", match=qe.MatchAny(any=list(doc_ids)))])
        found: list[str] = []
        offset = None
        while True:
            records, offset = shard.scroll(qe.ScrollRequest(offset=offset, limit=1000, filter=flt,
                                                            with_payload=["chunk_id"], with_vector=False))
            found.extend(r.payload["chunk_id"] for r in records)
            if offset is None:
                return found

    def layout(self) -> dict[str, int]:
        """Segments, points and indexed dense vectors (HNSW), for reports on how the shard is built."""
        shard = self._shard_or_none()
        if shard is None:
            return {"segments": 0, "points": 0, "indexed_dense": 0}
        info = shard.info()
        points = int(info.points_count)
        return {"segments": int(info.segments_count), "points": points,
                "indexed_dense": int(info.indexed_vectors_count) - (points if self.sparse else 0)}

    def count(self) -> int:
        import qdrant_edge as qe

        shard = self._shard_or_none()
        return int(shard.count(qe.CountRequest(exact=True))) if shard is not None else 0

    def _filter(self, flt: DocFilter) -> Any:
        import qdrant_edge as qe

        must: list[Any] = [qe.FieldCondition(key=key, match=qe.MatchAny(any=list(values)))
                           for key, values in flt.fields().items() if values]
        return qe.Filter(must=must) if must else None

    def _query(self, request: Any) -> list[tuple[str, float]]:
        shard = self._shard_or_none()
        if shard is None:
            return []
        return [(p.payload["chunk_id"], float(p.score)) for p in shard.query(request)]

    def _dense_params(self) -> Any:
        import qdrant_edge as qe

        if self._points is None:
            self._points = self.count()
        return qe.SearchParams(exact=True) if self._points < EXACT_BELOW else qe.SearchParams(hnsw_ef=HNSW_EF)

    def search_dense(self, vector: np.ndarray, limit: int, flt: DocFilter) -> list[tuple[str, float]]:
        return self._dense(vector, limit, flt, self._dense_params())

    def search_dense_exact(self, vector: np.ndarray, limit: int, flt: DocFilter) -> list[tuple[str, float]]:
        """Brute-force nearest points whatever the size: the reference HNSW's recall is measured against."""
        import qdrant_edge as qe

        return self._dense(vector, limit, flt, qe.SearchParams(exact=True))

    def _dense(self, vector: np.ndarray, limit: int, flt: DocFilter, params: Any) -> list[tuple[str, float]]:
        import qdrant_edge as qe

        if self._shard_or_none() is None:
            return []
        return self._query(qe.QueryRequest(limit=limit, query=qe.Query.Nearest(vector.tolist(), using=DENSE),
                                           filter=self._filter(flt), params=params,
                                           with_payload=["chunk_id"]))

    def search_sparse(self, tokens: Sequence[str], limit: int, flt: DocFilter) -> list[tuple[str, float]]:
        import qdrant_edge as qe

        if not self.sparse:
            raise RagError("this collection has no sparse vectors")
        indices, values = query_sparse_vector(tokens)
        if not indices:
            return []
        query = qe.Query.Nearest(qe.SparseVector(indices=indices, values=values), using=SPARSE)
        return self._query(qe.QueryRequest(limit=limit, query=query, filter=self._filter(flt),
                                           with_payload=["chunk_id"]))

    def search_hybrid(self, vector: np.ndarray, tokens: Sequence[str], limit: int, depth: int,
                      flt: DocFilter) -> list[tuple[str, float]]:
        """Dense and sparse prefetches fused by Qdrant's RRF, scored exactly like ``rag.retrieval.fusion.rrf``.

        Qdrant ranks from 0 (score 1 / (k + rank0)) where ``rag.retrieval.fusion`` ranks from 1, so k is rrf_k + 1.
        """
        import qdrant_edge as qe

        if self._shard_or_none() is None:
            return []
        query_filter = self._filter(flt)
        prefetches = [qe.Prefetch(limit=depth, query=qe.Query.Nearest(vector.tolist(), using=DENSE),
                                  filter=query_filter, params=self._dense_params())]
        indices, values = query_sparse_vector(tokens)
        if self.sparse and indices:
            prefetches.append(qe.Prefetch(limit=depth, filter=query_filter, query=qe.Query.Nearest(
                qe.SparseVector(indices=indices, values=values), using=SPARSE)))
        return self._query(qe.QueryRequest(limit=limit, prefetches=prefetches,
                                           query=qe.Fusion.Rrf(k=self.settings.rrf_k + 1),  # type: ignore[arg-type]  # stub: Rrf is nested in Fusion, not a subclass
                                           with_payload=["chunk_id"]))
