"""The two derived indexes behind retrieval: Qdrant for dense vectors, bm25s for BM25.

Embedded mode (the default) keeps Qdrant on disk under ``indexes/qdrant`` and BM25 in bm25s files
under ``indexes/bm25-<generation>``. With ``RAG_QDRANT_URL`` the same ``VectorIndex`` talks to a
server or cluster and also stores BM25 as sparse vectors (IDF applied by Qdrant), so fusion runs
inside Qdrant and nothing in-process limits corpus size. Both indexes are keyed by chunk id; the
SQLite catalogue says which chunks are live.
"""

from __future__ import annotations

import json
import shutil
import uuid
import warnings
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rag.config import Settings
from rag.errors import IndexBusy, RagError
from rag.index.embed import DIMENSIONS

DENSE = "dense"
SPARSE = "bm25"
BM25_K1 = 1.2
BM25_B = 0.75
_POINT_NAMESPACE = uuid.UUID("6f1c1f7e-6d2b-4d43-9a1e-0c0ffee0a5e5")


def point_id(chunk_id: str) -> str:
    """Qdrant needs UUIDs or integers; derive one from the chunk id so it is stable."""
    return str(uuid.uuid5(_POINT_NAMESPACE, chunk_id))


def point_parts(payloads: Sequence[Mapping[str, Any]], vectors: np.ndarray,
                sparse: Sequence[tuple[list[int], list[float]]] | None,
                make_sparse: Callable[[list[int], list[float]], Any]) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(point id, named vectors, payload) for each chunk, the same for both Qdrant back ends.

    Only the point and sparse-vector classes differ between ``qdrant_client`` and ``qdrant_edge``,
    so the caller wraps the parts and passes its sparse-vector constructor; ``sparse`` is None when
    the collection has no sparse vectors.
    """
    for i, payload in enumerate(payloads):
        vector: dict[str, Any] = {DENSE: vectors[i].tolist()}
        if sparse is not None:
            indices, values = sparse[i]
            vector[SPARSE] = make_sparse(indices, values)
        yield point_id(payload["chunk_id"]), vector, dict(payload)


@dataclass(frozen=True)
class DocFilter:
    """Document-level metadata filters; empty tuples mean "any"."""

    systems: tuple[str, ...] = ()
    editions: tuple[str, ...] = ()
    doc_ids: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        return not (self.systems or self.editions or self.doc_ids or self.languages)

    def fields_for_request(self) -> dict[str, list[str]]:
        """The constructor's keyword arguments, as JSON-friendly lists."""
        return {"systems": list(self.systems), "editions": list(self.editions), "doc_ids": list(self.doc_ids),
                "languages": list(self.languages)}

    def fields(self) -> dict[str, tuple[str, ...]]:
        return {"system": self.systems, "edition": self.editions, "doc_id": self.doc_ids,
                "language": self.languages}


def sparse_vector(tokens: Sequence[str], avgdl: float) -> tuple[list[int], list[float]]:
    """BM25's term-frequency half as a sparse vector; Qdrant's IDF modifier supplies the other half."""
    counts = Counter(tokens)
    length = len(tokens) or 1
    by_index: dict[int, float] = {}
    for token, tf in counts.items():
        weight = tf * (BM25_K1 + 1) / (tf + BM25_K1 * (1 - BM25_B + BM25_B * length / max(avgdl, 1.0)))
        index = zlib.crc32(token.encode()) & 0x7FFFFFFF
        by_index[index] = by_index.get(index, 0.0) + weight
    indices = sorted(by_index)
    return indices, [by_index[i] for i in indices]


def query_sparse_vector(tokens: Sequence[str]) -> tuple[list[int], list[float]]:
    """Query side: token counts, so a repeated query term weighs as it does in bm25s."""
    counts: Counter[int] = Counter(zlib.crc32(t.encode()) & 0x7FFFFFFF for t in tokens)
    indices = sorted(counts)
    return indices, [float(counts[i]) for i in indices]


_FILTER_FIELDS = ["chunk_id", "doc_id", "system", "edition", "language"]


def _accepts(flt: DocFilter, payload: Mapping[str, Any]) -> bool:
    return all(not values or payload.get(key) in values for key, values in flt.fields().items())


def _lock_held_elsewhere(folder: Path) -> bool:
    """Ask for embedded Qdrant's folder lock before qdrant-client does.

    qdrant-client raises a bare RuntimeError and leaks its lock file when the lock is taken; checking
    first lets us say which folder is busy and what to do, without the leak.
    """
    import portalocker

    lock_path = folder / ".lock"
    if not lock_path.exists():
        return False
    with lock_path.open("r+") as handle:
        try:
            portalocker.lock(handle, portalocker.LockFlags.EXCLUSIVE | portalocker.LockFlags.NON_BLOCKING)
        except portalocker.exceptions.LockException:
            return True
        portalocker.unlock(handle)
    return False


class VectorIndex:
    """One Qdrant collection of chunk vectors, local or remote."""

    def __init__(self, settings: Settings, *, sparse: bool | None = None) -> None:
        self.settings = settings
        self.collection = settings.collection()
        self.remote = settings.qdrant_url is not None
        self.sparse = self.remote if sparse is None else sparse
        self._client: Any = None

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = self._open()
        return self._client

    def _open(self) -> Any:
        from qdrant_client import QdrantClient

        if self.remote:
            return QdrantClient(url=self.settings.qdrant_url, api_key=self.settings.qdrant_api_key,
                                timeout=30)
        self.settings.qdrant_path.mkdir(parents=True, exist_ok=True)
        if _lock_held_elsewhere(self.settings.qdrant_path):
            raise IndexBusy(f"the embedded index at {self.settings.qdrant_path} is in use by another process")
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Local mode is not recommended")
            return QdrantClient(path=str(self.settings.qdrant_path))

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def ensure_collection(self) -> None:
        from qdrant_client import models

        if self.client.collection_exists(self.collection):
            return
        sparse_config = {SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)} if self.sparse else None
        self.client.create_collection(
            self.collection,
            vectors_config={DENSE: models.VectorParams(size=DIMENSIONS, distance=models.Distance.COSINE)},
            sparse_vectors_config=sparse_config,
        )

    def existing(self, chunk_ids: Sequence[str]) -> set[str]:
        """Which of these chunks already have a point (so nothing is upserted twice)."""
        if not chunk_ids or not self.client.collection_exists(self.collection):
            return set()
        found: set[str] = set()
        for i in range(0, len(chunk_ids), 1000):
            part = chunk_ids[i:i + 1000]
            records = self.client.retrieve(self.collection, [point_id(c) for c in part], with_payload=["chunk_id"])
            found.update(r.payload["chunk_id"] for r in records)
        return found

    def upsert(self, payloads: Sequence[Mapping[str, Any]], vectors: np.ndarray,
               sparse: Sequence[tuple[list[int], list[float]]] | None = None) -> None:
        from qdrant_client import models

        self.ensure_collection()
        parts = point_parts(payloads, vectors, sparse if self.sparse else None,
                            lambda indices, values: models.SparseVector(indices=indices, values=values))
        points = [models.PointStruct(id=pid, vector=vector, payload=body) for pid, vector, body in parts]
        with warnings.catch_warnings():  # local mode warns on every write past 20k points
            warnings.filterwarnings("ignore", message="Local mode is not recommended")
            for i in range(0, len(points), 256):
                self.client.upsert(self.collection, points=points[i:i + 256], wait=True)

    def set_payload(self, chunk_ids: Sequence[str], payload: Mapping[str, Any]) -> None:
        """Update document metadata on existing points (a re-titled or retired document)."""
        if chunk_ids and self.client.collection_exists(self.collection):
            self.client.set_payload(self.collection, payload=dict(payload), points=[point_id(c) for c in chunk_ids])

    def delete(self, chunk_ids: Sequence[str]) -> None:
        from qdrant_client import models

        if chunk_ids and self.client.collection_exists(self.collection):
            self.client.delete(self.collection, models.PointIdsList(points=[point_id(c) for c in chunk_ids]))

    def chunk_ids_of(self, doc_ids: Sequence[str]) -> list[str]:
        """Every point's chunk id for these documents (used to clean up after a crash)."""
        from qdrant_client import models

        if not doc_ids or not self.client.collection_exists(self.collection):
            return []
        flt = models.Filter(must=[models.FieldCondition(key="doc_id", match=models.MatchAny(any=list(doc_ids)))])
        found: list[str] = []
        offset = None
        while True:
            records, offset = self.client.scroll(self.collection, scroll_filter=flt, limit=1000, offset=offset,
                                                 with_payload=["chunk_id"], with_vectors=False)
            found.extend(r.payload["chunk_id"] for r in records)
            if offset is None:
                return found

    def count(self) -> int:
        if not self.client.collection_exists(self.collection):
            return 0
        return int(self.client.count(self.collection, exact=True).count)

    def _filter(self, flt: DocFilter) -> Any:
        """A Qdrant filter, or None. Retired documents have no points, so "any" needs no filter:
        embedded Qdrant evaluates filters point by point in Python (40 ms per 1k points measured)."""
        from qdrant_client import models

        must = [models.FieldCondition(key=key, match=models.MatchAny(any=list(values)))
                for key, values in flt.fields().items() if values]
        return models.Filter(must=must) if must else None

    def search_dense(self, vector: np.ndarray, limit: int, flt: DocFilter) -> list[tuple[str, float]]:
        if not self.client.collection_exists(self.collection):
            return []
        if not self.remote and not flt.is_empty():
            # Embedded Qdrant filters in Python; over-fetching and filtering here is ~10x faster.
            response = self.client.query_points(self.collection, query=vector.tolist(), using=DENSE,
                                                limit=limit * 8, with_payload=_FILTER_FIELDS)
            kept = [(p.payload["chunk_id"], float(p.score)) for p in response.points if _accepts(flt, p.payload)]
            if len(kept) >= limit or len(response.points) < limit * 8:
                return kept[:limit]
        response = self.client.query_points(self.collection, query=vector.tolist(), using=DENSE, limit=limit,
                                            query_filter=self._filter(flt), with_payload=["chunk_id"])
        return [(p.payload["chunk_id"], float(p.score)) for p in response.points]

    def search_sparse(self, tokens: Sequence[str], limit: int, flt: DocFilter) -> list[tuple[str, float]]:
        from qdrant_client import models

        if not self.sparse:
            raise RagError("this collection has no sparse vectors")
        indices, values = query_sparse_vector(tokens)
        if not indices or not self.client.collection_exists(self.collection):
            return []
        response = self.client.query_points(
            self.collection, query=models.SparseVector(indices=indices, values=values), using=SPARSE,
            limit=limit, query_filter=self._filter(flt), with_payload=["chunk_id"])
        return [(p.payload["chunk_id"], float(p.score)) for p in response.points]

    def search_hybrid(self, vector: np.ndarray, tokens: Sequence[str], limit: int, depth: int,
                      flt: DocFilter) -> list[tuple[str, float]]:
        """Dense and sparse prefetches fused by Qdrant's reciprocal-rank fusion (the scale-out path)."""
        from qdrant_client import models

        if not self.client.collection_exists(self.collection):
            return []
        indices, values = query_sparse_vector(tokens)
        query_filter = self._filter(flt)
        prefetch = [models.Prefetch(query=vector.tolist(), using=DENSE, limit=depth, filter=query_filter)]
        if indices:
            prefetch.append(models.Prefetch(query=models.SparseVector(indices=indices, values=values),
                                            using=SPARSE, limit=depth, filter=query_filter))
        # Qdrant ranks from 0 (1 / (k + rank0)); rag.retrieval.fusion ranks from 1, so k is rrf_k + 1 for equal scores.
        response = self.client.query_points(self.collection, prefetch=prefetch,
                                            query=models.RrfQuery(rrf=models.Rrf(k=self.settings.rrf_k + 1)),
                                            limit=limit, with_payload=["chunk_id"])
        return [(p.payload["chunk_id"], float(p.score)) for p in response.points]


class LexicalIndex:
    """A bm25s index over the live chunks, saved as one generation directory."""

    def __init__(self, directory: Path) -> None:
        import bm25s

        self.directory = directory
        self._retriever = bm25s.BM25.load(str(directory))
        meta = json.loads((directory / "rag_ids.json").read_text())
        self.chunk_ids: list[str] = meta["chunk_ids"]
        self.doc_ids: list[str] = meta["doc_ids"]
        self.vocab: Mapping[str, int] = self._retriever.vocab_dict
        self._doc_positions: dict[str, list[int]] = {}
        for position, doc_id in enumerate(self.doc_ids):
            self._doc_positions.setdefault(doc_id, []).append(position)

    @staticmethod
    def build(directory: Path, chunk_ids: Sequence[str], doc_ids: Sequence[str],
              tokens: Sequence[list[str]]) -> None:
        import bm25s

        if directory.exists():
            shutil.rmtree(directory)
        retriever = bm25s.BM25(k1=BM25_K1, b=BM25_B)
        # bm25s needs at least one token per document; an empty chunk gets a placeholder.
        retriever.index([t or ["\x00"] for t in tokens], show_progress=False)
        retriever.save(str(directory))
        (directory / "rag_ids.json").write_text(json.dumps({"chunk_ids": list(chunk_ids), "doc_ids": list(doc_ids)}))

    def search(self, tokens: Sequence[str], limit: int, allowed_docs: set[str] | None) -> list[tuple[str, float]]:
        known = [t for t in tokens if t in self.vocab]
        if not known or not self.chunk_ids:
            return []
        mask = None
        if allowed_docs is not None:
            mask = np.zeros(len(self.chunk_ids), dtype=np.float32)
            for doc_id in allowed_docs:
                mask[self._doc_positions.get(doc_id, [])] = 1.0
            if not mask.any():
                return []
        k = min(limit, len(self.chunk_ids))
        docs, scores = self._retriever.retrieve([known], k=k, show_progress=False, weight_mask=mask, n_threads=1)
        return [(self.chunk_ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0], strict=True) if s > 0]


def average_length(tokens: Sequence[list[str]]) -> float:
    """Mean token count, for the sparse vectors' length normalisation."""
    return float(sum(len(t) for t in tokens)) / max(len(tokens), 1) if tokens else 1.0

