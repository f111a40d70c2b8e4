"""What every vector backend shares: point ids, named vectors, BM25 sparse vectors, and the protocol.

Two backends implement :class:`VectorStore`: ``rag.index.edge.EdgeStore`` (qdrant-edge, the Qdrant
engine in-process; the embedded default) and ``rag.index.qdrant.QdrantClientStore`` (qdrant-client,
for a Qdrant server or cluster via ``RAG_QDRANT_URL``, or its local mode). Retrieval and ingest
talk only to the protocol, and ``tests/test_vector_stores.py`` runs one conformance suite against
both.
"""

from __future__ import annotations

import uuid
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np

from rag.types import DocFilter

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


FILTER_FIELDS = ["chunk_id", "doc_id", "system", "edition", "language"]


def accepts(flt: DocFilter, payload: Mapping[str, Any]) -> bool:
    """Whether a point's payload passes the filter (for backends that filter client-side)."""
    return all(not values or payload.get(key) in values for key, values in flt.fields().items())


@runtime_checkable
class VectorStore(Protocol):
    """One Qdrant collection of chunk vectors, keyed by chunk id, whichever engine holds it.

    ``sparse`` says whether points also carry BM25 sparse vectors (then ``search_sparse`` and
    ``search_hybrid`` work; the embedded path keeps BM25 in bm25s instead).
    """

    sparse: bool

    def close(self) -> None: ...

    def ensure_collection(self) -> None: ...

    def existing(self, chunk_ids: Sequence[str]) -> set[str]: ...

    def upsert(self, payloads: Sequence[Mapping[str, Any]], vectors: np.ndarray,
               sparse: Sequence[tuple[list[int], list[float]]] | None = None) -> None: ...

    def set_payload(self, chunk_ids: Sequence[str], payload: Mapping[str, Any]) -> None: ...

    def delete(self, chunk_ids: Sequence[str]) -> None: ...

    def chunk_ids_of(self, doc_ids: Sequence[str]) -> list[str]: ...

    def count(self) -> int: ...

    def search_dense(self, vector: np.ndarray, limit: int, flt: DocFilter) -> list[tuple[str, float]]: ...

    def search_sparse(self, tokens: Sequence[str], limit: int, flt: DocFilter) -> list[tuple[str, float]]: ...

    def search_hybrid(self, vector: np.ndarray, tokens: Sequence[str], limit: int, depth: int,
                      flt: DocFilter) -> list[tuple[str, float]]: ...
