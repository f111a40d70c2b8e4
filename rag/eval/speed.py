"""``rag eval speed``: retrieval latency and index build rate at 1k, 10k and 100k chunks.

Embedding 100k passages takes hours on a 2-core machine, so the larger indexes are made from the
index's *real* chunks (their BM25 tokens and their cached MiniLM vectors) repeated with Gaussian
noise added to each vector copy and renormalised: the engines see the real vocabulary and a
realistic vector distribution at each size. The build rate therefore excludes embedding (measured
separately on real passages). Each query runs the product's path: ONNX query embedding, the
embedded Qdrant engine, bm25s, convex fusion. The growth exponent is the slope of log p50 against
log chunks: 0 means flat, 1 means linear.
"""

from __future__ import annotations

import os
import resource
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rag.config import Settings
from rag.corpus.ingest import embedding_text
from rag.errors import InvalidInput
from rag.eval.output import percentile, prepare_out, table, write_results
from rag.index.edge import EdgeStore
from rag.index.embed import embedding_key
from rag.index.lexical import LexicalIndex
from rag.index.tokenize import tokenize
from rag.retrieval.fusion import convex
from rag.types import DocFilter
from rag.workspace import Workspace

DEFAULT_SIZES = (1_000, 10_000, 100_000)
NOISE = 0.02


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def real_chunks(workspace: Workspace) -> tuple[list[list[str]], np.ndarray, list[str]]:
    """(BM25 tokens, cached vectors, passage texts) of the index's live chunks that have a cached vector."""
    catalog = workspace.catalog
    chunk_ids, _, tokens = catalog.live_tokens()
    documents = {d.doc_id: d for d in catalog.documents()}
    chunks = catalog.chunks(chunk_ids)
    keys, kept_tokens, texts = [], [], []
    model = workspace.settings.embedder
    for chunk_id, toks in zip(chunk_ids, tokens, strict=True):
        chunk = chunks.get(chunk_id)
        if chunk is None or chunk.doc_id not in documents:
            continue
        keys.append(embedding_key(model, embedding_text(documents[chunk.doc_id], chunk)))
        kept_tokens.append(toks)
        texts.append(chunk.text)
    cached = catalog.cached_vectors(keys)
    rows = [(t, cached[k], x) for k, t, x in zip(keys, kept_tokens, texts, strict=True) if k in cached]
    if not rows:
        raise InvalidInput("the index has no cached vectors to scale from", hint="run `rag ingest` (or any search) first")
    return [r[0] for r in rows], np.stack([r[1] for r in rows]).astype(np.float32), [r[2] for r in rows]


def synthetic(tokens: list[list[str]], vectors: np.ndarray, size: int, seed: int) -> tuple[list[list[str]], np.ndarray]:
    """``size`` chunks: the real ones cycled, each copy's vector perturbed and renormalised."""
    rng = np.random.default_rng(seed)
    index = np.arange(size) % len(tokens)
    out = vectors[index] + rng.normal(0, NOISE, (size, vectors.shape[1])).astype(np.float32)
    out[: len(tokens)] = vectors[: min(size, len(tokens))]  # the originals stay exact
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return [tokens[i] for i in index], out


@dataclass
class _Built:
    """One size's stores, open for querying, and what its queries measured."""

    size: int
    store: Any  # an EdgeStore (or another checkout's, in bench/speed_ab.py)
    lexical: LexicalIndex
    row: dict[str, Any]
    latencies: list[float] = field(default_factory=list)
    stages: dict[str, list[float]] = field(default_factory=lambda: {"embed": [], "dense": [], "bm25": []})
    recall_points: list[float] = field(default_factory=list)
    recall_passages: list[float] = field(default_factory=list)
    load: list[float] = field(default_factory=list)


def build_size(workspace: Workspace, tokens: list[list[str]], vectors: np.ndarray, size: int, folder: Path,
               store_class: Callable[..., Any] = EdgeStore) -> _Built:
    """Build stores of ``size`` chunks in ``folder`` through the product's write path.

    ``EdgeStore.upsert`` includes the HNSW build it runs from ``EXACT_BELOW`` points on, so the build
    rate counts it. ``store_class`` lets a benchmark build another checkout's engine alongside
    (bench/speed_ab.py).
    """
    toks, vecs = synthetic(tokens, vectors, size, seed=size)
    chunk_ids = [f"s{i}" for i in range(size)]
    doc_ids = [f"d{i // 50}" for i in range(size)]
    payloads = [{"chunk_id": c, "doc_id": d, "system": "", "edition": "", "language": "en"} for c, d in zip(chunk_ids, doc_ids, strict=True)]
    store = store_class(Settings(index_dir=folder, corpora_dir=workspace.settings.corpora_dir))
    started = time.perf_counter()
    store.upsert(payloads, vecs)
    LexicalIndex.build(folder / "bm25", chunk_ids, doc_ids, toks)
    build_s = time.perf_counter() - started
    layout = store.layout() if hasattr(store, "layout") else {"segments": None, "indexed_dense": None}
    row = {"chunks": size, "build_s": build_s, "build_chunks_per_s": size / build_s if build_s else None,
           "segments": layout["segments"], "hnsw_indexed": layout["indexed_dense"], "peak_rss_mb": _peak_rss_mb()}
    return _Built(size, store, LexicalIndex(folder / "bm25"), row)


def _exact(store: Any, vector: np.ndarray, limit: int) -> list[tuple[str, float]]:
    """Brute-force neighbours (also for an EdgeStore without ``search_dense_exact``, i.e. an older checkout's)."""
    if hasattr(store, "search_dense_exact"):
        return list(store.search_dense_exact(vector, limit, DocFilter()))
    import qdrant_edge as qe

    from rag.index.vectors import DENSE

    request = qe.QueryRequest(limit=limit, query=qe.Query.Nearest(vector.tolist(), using=DENSE),
                              params=qe.SearchParams(exact=True), with_payload=["chunk_id"])
    return [(p.payload["chunk_id"], float(p.score)) for p in store._shard.query(request)]


def time_queries(workspace: Workspace, built: Sequence[_Built], queries: Sequence[str], real: int) -> None:
    """Run each query on every size, in an order that rotates per query, so load changes hit every size alike.

    Besides the end-to-end latency, each stage's time is kept (query embedding, dense, BM25) to show
    which one grows, and the dense top 10 is compared with exact search: HNSW must not lose quality
    silently. Recall is given per point and per passage: past the real count, copies of one real chunk
    are near-duplicates whose order among themselves is noise, so "the right passage, another copy"
    counts as found in the second figure.
    """
    embedder = workspace.embedder
    flt = DocFilter()
    depth = workspace.settings.candidates
    share = workspace.settings.dense_share
    for i, q in enumerate([*queries[:3], *queries]):  # the first three warm up
        shift = i % len(built)
        for b in [*built[shift:], *built[:shift]]:
            started = time.perf_counter()
            vector = embedder.embed_query(q)
            embedded = time.perf_counter()
            dense = b.store.search_dense(vector, depth, flt)
            searched = time.perf_counter()
            bm25 = b.lexical.search(tokenize(q), depth, None)
            scored = time.perf_counter()
            convex(bm25, dense, dense_share=share)
            if i < 3:
                continue
            b.latencies.append((time.perf_counter() - started) * 1000)
            b.stages["embed"].append((embedded - started) * 1000)
            b.stages["dense"].append((searched - embedded) * 1000)
            b.stages["bm25"].append((scored - searched) * 1000)
            b.load.append(os.getloadavg()[0])
            exact = [c for c, _ in _exact(b.store, vector, 10)]
            found = [c for c, _ in dense[:10]]
            b.recall_points.append(len(set(exact) & set(found)) / max(len(exact), 1))
            wanted = {int(c[1:]) % real for c in exact}
            b.recall_passages.append(len(wanted & {int(c[1:]) % real for c in found}) / max(len(wanted), 1))
    for b in built:
        lat = b.latencies
        b.row.update({"p50_ms": percentile(lat, 0.5), "p95_ms": percentile(lat, 0.95), "p99_ms": percentile(lat, 0.99),
                      "stage_p50_ms": {k: percentile(v, 0.5) for k, v in b.stages.items()},
                      "dense_recall_at_10": float(np.mean(b.recall_points)),
                      "dense_passage_recall_at_10": float(np.mean(b.recall_passages)),
                      "load_average": float(np.mean(b.load)), "samples_ms": sorted(lat)})


def embedding_rate(workspace: Workspace, texts: Sequence[str], n: int = 64) -> float:
    """Passages per second through the product's passage embedder, on real chunk texts."""
    sample = list(texts[:n])
    workspace.embedder.embed_passages(sample[:4])
    started = time.perf_counter()
    workspace.embedder.embed_passages(sample)
    return len(sample) / (time.perf_counter() - started)


def growth_exponent(points: Sequence[tuple[int, float]]) -> float | None:
    """Slope of log p50 on log chunks (least squares); None with fewer than two sizes."""
    if len(points) < 2:
        return None
    x = np.log([p[0] for p in points])
    y = np.log([max(p[1], 1e-6) for p in points])
    return float(np.polyfit(x, y, 1)[0])


def eval_speed(workspace: Workspace, out: Path, sizes: Sequence[int] = DEFAULT_SIZES, queries: int = 100) -> dict[str, Any]:
    prepare_out(out)
    if not sizes or any(s < 1 or s > 2_000_000 for s in sizes):
        raise InvalidInput("sizes must be between 1 and 2,000,000 chunks")
    tokens, vectors, texts = real_chunks(workspace)
    query_texts = [" ".join(t.split()[:12]) for t in texts[:: max(1, len(texts) // queries)]][:queries]
    rss_before = _peak_rss_mb()
    built: list[_Built] = []
    folders: list[Path] = []
    try:
        for size in sizes:
            folders.append(Path(tempfile.mkdtemp(prefix=f"rag-speed-{size}-")))
            built.append(build_size(workspace, tokens, vectors, size, folders[-1]))
        time_queries(workspace, built, query_texts, len(tokens))
    finally:
        for b in built:
            b.store.close()
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)
    rows = [b.row for b in built]
    exponent = growth_exponent([(r["chunks"], r["p50_ms"]) for r in rows])
    results = {"method": "real chunks' tokens and cached vectors, repeated with Gaussian noise (sigma 0.02) past the real count; "
                         "every size built first, then each query run on every size in rotating order (same load for all)",
               "real_chunks": len(tokens), "queries": len(query_texts), "sizes": rows, "growth_exponent": exponent,
               "embedding_passages_per_s": embedding_rate(workspace, texts), "peak_rss_mb_before": rss_before,
               "p50_ratio_largest_to_smallest": rows[-1]["p50_ms"] / rows[0]["p50_ms"] if rows[0]["p50_ms"] else None}
    md = [f"# Speed evaluation\n\n{results['method']}; {len(tokens)} real chunks, {len(query_texts)} queries. "
          f"Growth exponent (log p50 vs log chunks): {exponent if exponent is None else round(exponent, 3)}. "
          f"Passage embedding: {results['embedding_passages_per_s']:.1f} passages/s.\n",
          table(["chunks", "build s", "build chunks/s", "p50 ms", "p95 ms", "p99 ms", "embed p50", "dense p50", "bm25 p50",
                 "dense recall@10 (points / passages)", "segments", "HNSW-indexed", "load avg", "peak RSS MB after build"],
                [[r["chunks"], r["build_s"], r["build_chunks_per_s"], r["p50_ms"], r["p95_ms"], r["p99_ms"],
                  r["stage_p50_ms"]["embed"], r["stage_p50_ms"]["dense"], r["stage_p50_ms"]["bm25"],
                  f"{r['dense_recall_at_10']:.3f} / {r['dense_passage_recall_at_10']:.3f}", r["segments"], r["hnsw_indexed"],
                  r["load_average"], r["peak_rss_mb"]] for r in rows])]
    write_results(out, results, "\n".join(md), [("speed_growth.png", lambda f: _growth(f, rows)),
                                                ("speed_latency_cdf.png", lambda f: _cdf(f, rows))])
    return results


def _growth(figure: Any, rows: list[dict[str, Any]]) -> None:
    ax = figure.add_subplot(111)
    for key in ("p50_ms", "p95_ms"):
        ax.plot([r["chunks"] for r in rows], [r[key] for r in rows], marker="o", label=key.replace("_ms", ""))
    ax.set_xscale("log")
    ax.set_xlabel("chunks")
    ax.set_ylabel("ms per hybrid query")
    ax.set_title("Retrieval latency growth")
    ax.legend()


def _cdf(figure: Any, rows: list[dict[str, Any]]) -> None:
    ax = figure.add_subplot(111)
    for r in rows:
        s = r["samples_ms"]
        ax.step(s, [(i + 1) / len(s) for i in range(len(s))], where="post", label=f"{r['chunks']:,} chunks")
    ax.set_xlabel("ms per hybrid query")
    ax.set_ylabel("fraction at or below")
    ax.set_title("Hybrid query latency CDF per index size")
    ax.legend()

