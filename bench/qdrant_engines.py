"""Embedded vector engines at the PDQ scale: qdrant-client local mode (the project's default) vs qdrant-edge.

Why: embedded Qdrant (qdrant-client's local mode) is pure Python/NumPy; it warns above 20k points,
loads every point into memory on open, filters payloads point by point in Python, and commits one
SQLite transaction per upserted point. ``qdrant-edge-py`` runs the real Qdrant engine in-process
(segments, HNSW, payload indexes, WAL). This measures both on the same vectors and queries, with an
exact NumPy search as the reference for speed and recall.

Vectors: ``--real`` PDQ chunks (picked evenly across the 88 summaries) are embedded with the project's
MiniLM embedder (the text ingest embeds: title, section, passage); the collection is filled to
``--points`` by copying them with Gaussian noise (cosine to the original ~0.9), because embedding
all ~21k chunks takes 15+ minutes on 2 shared cores. Copies keep their source's ``doc_id``. Queries
are real MedQuAD questions embedded the same way. Embeddings are cached under ``--cache-dir``.

Timing is interleaved in blocks of 10 queries per engine, rotating the order, so every engine sees
the same machine load; wall and CPU (thread) time are both reported.

    python bench/qdrant_engines.py                       # 21,440 points, 200 queries (~4 min)
    python bench/qdrant_engines.py --points 50000 --slow-queries 20
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import os
import shutil
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rag.config import Settings  # noqa: E402
from rag.index.qdrant import QdrantClientStore  # noqa: E402
from rag.types import DocFilter  # noqa: E402

SHARED = next((p / "shared" for p in Path(__file__).resolve().parents if (p / "shared" / "data" / "pdq").is_dir()),
              Path("shared"))
PDQ = SHARED / "data" / "pdq"
MEDQUAD = SHARED / "data" / "medquad_cancergov_qa.csv"
K = 10
BLOCK = 10
PDQ_CHUNKS = 21_440  # what rag.corpus.chunk makes of the 88 PDQ summaries (900-character chunks)


# -- data ------------------------------------------------------------------------------------------

def real_vectors(n_real: int, cache_dir: Path) -> tuple[np.ndarray, list[str]]:
    """MiniLM embeddings of n_real PDQ chunks spread over all documents, and their doc ids."""
    cache = cache_dir / f"pdq-vectors-{n_real}.npz"
    if cache.exists():
        data = np.load(cache)
        return data["vectors"], [str(d) for d in data["doc_ids"]]
    from rag.corpus.chunk import chunk_document
    from rag.corpus.ingest import _document, doc_id_for, embedding_text
    from rag.corpus.parse import parse_file
    from rag.index.embed import Embedder

    texts: list[str] = []
    doc_ids: list[str] = []
    for path in sorted(PDQ.glob("*.md")):
        parsed = parse_file(path)
        doc_id = doc_id_for(parsed)
        document = _document(parsed, doc_id, str(path), "")
        for chunk in chunk_document(parsed, doc_id):
            texts.append(embedding_text(document, chunk))
            doc_ids.append(doc_id)
    picks = [int(i * len(texts) / n_real) for i in range(min(n_real, len(texts)))]
    started = time.perf_counter()
    vectors = Embedder().embed_passages([texts[i] for i in picks])
    print(f"embedded {len(picks)} chunks in {time.perf_counter() - started:.0f} s "
          f"({len(picks) / (time.perf_counter() - started):.1f} chunks/s)", file=sys.stderr)
    cache_dir.mkdir(parents=True, exist_ok=True)
    np.savez(cache, vectors=vectors, doc_ids=np.array([doc_ids[i] for i in picks]))
    return vectors, [doc_ids[i] for i in picks]


def fill(vectors: np.ndarray, doc_ids: list[str], total: int, seed: int = 7) -> tuple[np.ndarray, list[str]]:
    """Grow to ``total`` points: originals first, then noisy copies (per-dimension sigma 0.025)."""
    rng = np.random.default_rng(seed)
    source = np.arange(total) % len(vectors)
    out = vectors[source] + rng.normal(0, 0.025, (total, vectors.shape[1])).astype(np.float32)
    kept = min(len(vectors), total)
    out[:kept] = vectors[:kept]
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out.astype(np.float32), [doc_ids[i] for i in source]


def query_vectors(n: int, cache_dir: Path) -> np.ndarray:
    cache = cache_dir / f"medquad-queries-{n}.npy"
    if cache.exists():
        return np.load(cache)
    from rag.index.embed import Embedder

    seen: list[str] = []
    with MEDQUAD.open(newline="") as handle:
        for row in csv.DictReader(handle):
            if row["question"] not in seen:
                seen.append(row["question"])
            if len(seen) == n:
                break
    embedder = Embedder()
    vectors = np.stack([embedder.embed_query(q) for q in seen])
    cache_dir.mkdir(parents=True, exist_ok=True)
    np.save(cache, vectors)
    return vectors


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def du_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def payloads(doc_ids: Sequence[str]) -> list[dict[str, Any]]:
    return [{"chunk_id": f"c{i}", "doc_id": d, "system": "PDQ", "edition": "2025", "language": "en",
             "status": "active"} for i, d in enumerate(doc_ids)]


# -- engines ---------------------------------------------------------------------------------------

class Local:
    """qdrant-client local mode on disk, through the project's ``QdrantClientStore``."""

    probe_points = 300

    def __init__(self, workdir: Path) -> None:
        self.settings = Settings(index_dir=workdir / "local")
        self.facts: dict[str, Any] = {}

    def build(self, vectors: np.ndarray, doc_ids: list[str]) -> None:
        index = QdrantClientStore(self.settings)
        rows = payloads(doc_ids)
        started = time.perf_counter()
        index.upsert(rows[: self.probe_points], vectors[: self.probe_points])
        stock = (time.perf_counter() - started) / self.probe_points
        # Stock local mode commits each point on its own (~25 ms here); finish the bulk load in WAL mode.
        storage = index.client._client.collections[index.collection].storage.storage
        storage.execute("PRAGMA journal_mode=WAL")
        storage.execute("PRAGMA synchronous=NORMAL")
        started = time.perf_counter()
        index.upsert(rows[self.probe_points:], vectors[self.probe_points:])
        wal = (time.perf_counter() - started) / max(len(rows) - self.probe_points, 1)
        index.close()
        self.facts.update(stock_upsert_ms_per_point=round(stock * 1000, 2),
                          wal_upsert_ms_per_point=round(wal * 1000, 2),
                          stock_build_estimate_s=round(stock * len(rows), 1))

    def open(self) -> None:
        from qdrant_client import QdrantClient

        # The >20k-point warning: QdrantClientStore silences it, so open once with a bare client to see it.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            bare = QdrantClient(path=str(self.settings.qdrant_path))
        bare.close()
        messages = [str(w.message) for w in caught]
        self.facts["warning"] = next((m[:140] for m in messages if "not recommended" in m), None)
        gc.collect()
        before = rss_mb()
        started = time.perf_counter()
        self.index = QdrantClientStore(self.settings)
        self.index.count()
        self.facts["open_s"] = round(time.perf_counter() - started, 2)
        self.facts["rss_mb"] = round(rss_mb() - before, 1)
        self.facts["disk_mb"] = round(du_mb(self.settings.qdrant_path), 1)

    def dense(self, vector: np.ndarray, doc: str | None) -> list[str]:
        flt = DocFilter(doc_ids=(doc,)) if doc else DocFilter()
        return [c for c, _ in self.index.search_dense(vector, K, flt)]

    def dense_native_filter(self, vector: np.ndarray, doc: str) -> list[str]:
        """Local mode's own filter (no over-fetch): a Python check of every point's payload."""
        response = self.index.client.query_points(self.index.collection, query=vector.tolist(), using="dense", limit=K,
                                                  query_filter=self.index._filter(DocFilter(doc_ids=(doc,))),
                                                  with_payload=["chunk_id"])
        return [p.payload["chunk_id"] for p in response.points]

    def close(self) -> None:
        self.index.close()


class Edge:
    """qdrant-edge: the Qdrant engine in-process (HNSW, payload indexes, WAL)."""

    def __init__(self, workdir: Path) -> None:
        self.path = workdir / "edge"
        self.facts: dict[str, Any] = {}

    def build(self, vectors: np.ndarray, doc_ids: list[str]) -> None:
        import qdrant_edge as qe

        dense = qe.EdgeVectorParams(size=vectors.shape[1], distance=qe.Distance.Cosine)
        config = qe.EdgeConfig(vectors={"dense": dense})
        shard = qe.EdgeShard.create(str(self.path), config)
        for field in ("doc_id", "system", "edition", "language"):
            shard.update(qe.UpdateOperation.create_field_index(field, qe.PayloadSchemaType.Keyword))
        rows = payloads(doc_ids)
        started = time.perf_counter()
        for i in range(0, len(rows), 256):
            points = [qe.Point(id=j, vector={"dense": vectors[j].tolist()}, payload=rows[j])
                      for j in range(i, min(i + 256, len(rows)))]
            shard.update(qe.UpdateOperation.upsert_points(points))
        shard.flush()
        upsert = time.perf_counter() - started
        started = time.perf_counter()
        shard.optimize()  # builds the HNSW graph for segments past the indexing threshold
        self.facts.update(upsert_ms_per_point=round(upsert * 1000 / len(rows), 3),
                          optimize_s=round(time.perf_counter() - started, 1),
                          indexed_vectors=shard.info().indexed_vectors_count, segments=shard.info().segments_count)
        shard.close()

    def open(self) -> None:
        import qdrant_edge as qe

        self.qe = qe
        gc.collect()
        before = rss_mb()
        started = time.perf_counter()
        self.shard = qe.EdgeShard.load(str(self.path))
        self.shard.count(qe.CountRequest(exact=True))
        self.facts["open_s"] = round(time.perf_counter() - started, 3)
        self.facts["rss_mb"] = round(rss_mb() - before, 1)
        self.facts["disk_mb"] = round(du_mb(self.path), 1)

    def dense(self, vector: np.ndarray, doc: str | None, hnsw_ef: int | None = None, exact: bool = False) -> list[str]:
        qe = self.qe
        flt = qe.Filter(must=[qe.FieldCondition(key="doc_id", match=qe.MatchAny(any=[doc]))]) if doc else None
        params = qe.SearchParams(hnsw_ef=hnsw_ef, exact=exact) if (hnsw_ef or exact) else None
        points = self.shard.query(qe.QueryRequest(limit=K, query=qe.Query.Nearest(vector.tolist(), using="dense"),
                                                  filter=flt, params=params, with_payload=["chunk_id"]))
        return [p.payload["chunk_id"] for p in points]

    def close(self) -> None:
        self.shard.close()


class Exact:
    """Brute-force NumPy: the recall reference and the speed floor."""

    def __init__(self, vectors: np.ndarray, doc_ids: list[str]) -> None:
        self.vectors = vectors
        self.doc_ids = np.array(doc_ids)

    def dense(self, vector: np.ndarray, doc: str | None) -> list[str]:
        scores = self.vectors @ vector
        if doc:
            scores = np.where(self.doc_ids == doc, scores, -np.inf)
        top = np.argpartition(-scores, K)[:K]
        top = top[np.argsort(-scores[top])]
        return [f"c{i}" for i in top if np.isfinite(scores[i])]


# -- measurement -----------------------------------------------------------------------------------

def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--points", type=int, default=PDQ_CHUNKS)
    parser.add_argument("--real", type=int, default=800, help="real PDQ chunks to embed (the rest are noisy copies)")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--slow-queries", type=int, default=40,
                        help="queries for local mode's own payload filter (a Python pass over every point)")
    parser.add_argument("--cache-dir", type=Path, default=Path(tempfile.gettempdir()) / "rag-bench-cache")
    parser.add_argument("--out", type=Path, help="append the figures as one JSON line here")
    args = parser.parse_args()

    base, base_docs = real_vectors(args.real, args.cache_dir)
    vectors, doc_ids = fill(base, base_docs, args.points)
    queries = query_vectors(args.queries, args.cache_dir)
    documents = sorted(set(doc_ids))
    # "Search within one document": each query is filtered to a document, round robin (~1 % selectivity).
    filter_docs = [documents[i % len(documents)] for i in range(len(queries))]
    workdir = Path(tempfile.mkdtemp(prefix="bench-qdrant-"))
    result: dict[str, Any] = {"points": args.points, "real_vectors": len(base), "queries": len(queries),
                              "loadavg_start": os.getloadavg()[0]}
    local, edge, exact = Local(workdir), Edge(workdir), Exact(vectors, doc_ids)
    for name, engine in (("local", local), ("edge", edge)):
        started = time.perf_counter()
        engine.build(vectors, doc_ids)
        engine.facts["build_s"] = round(time.perf_counter() - started, 1)
        print(f"built {name} in {engine.facts['build_s']} s", file=sys.stderr)
    local.open()
    edge.open()

    modes: list[tuple[str, Callable[[int], list[str]], int]] = [
        ("exact numpy", lambda i: exact.dense(queries[i], None), len(queries)),
        ("exact numpy + doc filter", lambda i: exact.dense(queries[i], filter_docs[i]), len(queries)),
        ("local dense", lambda i: local.dense(queries[i], None), len(queries)),
        ("local + doc filter (QdrantClientStore over-fetch)", lambda i: local.dense(queries[i], filter_docs[i]),
         args.slow_queries),
        ("local + doc filter (qdrant-client filter)", lambda i: local.dense_native_filter(queries[i], filter_docs[i]),
         args.slow_queries),
        ("edge dense", lambda i: edge.dense(queries[i], None), len(queries)),
        ("edge dense, hnsw_ef=128", lambda i: edge.dense(queries[i], None, hnsw_ef=128), len(queries)),
        ("edge dense, exact", lambda i: edge.dense(queries[i], None, exact=True), len(queries)),
        ("edge + doc filter", lambda i: edge.dense(queries[i], filter_docs[i]), len(queries)),
    ]
    wall: dict[str, list[float]] = {m[0]: [] for m in modes}
    cpu: dict[str, list[float]] = {m[0]: [] for m in modes}
    tops: dict[str, dict[int, list[str]]] = {m[0]: {} for m in modes}
    for round_no, first in enumerate(range(0, len(queries), BLOCK)):
        order = modes[round_no % len(modes):] + modes[:round_no % len(modes)]
        for name, fn, limit in order:
            for i in range(first, min(first + BLOCK, limit)):
                started, started_cpu = time.perf_counter(), time.thread_time()
                tops[name][i] = fn(i)
                cpu[name].append((time.thread_time() - started_cpu) * 1000)
                wall[name].append((time.perf_counter() - started) * 1000)
    result["loadavg_end"] = os.getloadavg()[0]

    rows = []
    for name, _, _ in modes:
        reference = tops["exact numpy + doc filter" if "filter" in name else "exact numpy"]
        got = tops[name]
        recall = np.mean([len(set(got[i]) & set(reference[i])) / max(len(reference[i]), 1) for i in got])
        rows.append({"mode": name, "queries": len(wall[name]), "p50_ms": round(percentile(wall[name], 0.5), 2),
                     "p95_ms": round(percentile(wall[name], 0.95), 2),
                     "cpu_p50_ms": round(percentile(cpu[name], 0.5), 2),
                     "recall@10_vs_exact": round(float(recall), 3)})
    result["modes"] = rows
    result["local"] = local.facts
    result["edge"] = edge.facts
    local.close()
    edge.close()
    shutil.rmtree(workdir, ignore_errors=True)

    print(f"\n{args.points} points ({len(base)} real MiniLM vectors + noisy copies), {len(queries)} MedQuAD queries, "
          f"load {result['loadavg_start']:.1f} -> {result['loadavg_end']:.1f}")
    print(f"{'mode':46s} {'n':>4s} {'p50 ms':>8s} {'p95 ms':>8s} {'cpu p50':>8s} {'recall@10':>9s}")
    for row in rows:
        print(f"{row['mode']:46s} {row['queries']:4d} {row['p50_ms']:8.2f} {row['p95_ms']:8.2f} "
              f"{row['cpu_p50_ms']:8.2f} "
              f"{row['recall@10_vs_exact']:9.3f}")
    print("local:", json.dumps(local.facts))
    print("edge: ", json.dumps(edge.facts))
    if args.out:
        with args.out.open("a") as handle:
            handle.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
