"""Why the embedded engine's query time grows from 10k to 100k chunks, stage by stage (issues 15/16).

For each size, from the index's real chunks (tokens and cached MiniLM vectors, repeated with noise as
``rag eval speed`` does), this builds a qdrant-edge shard through ``EdgeStore.upsert`` (the product's
build path) and a bm25s generation, then reports, per query (median over the queries):

- the shard's layout after the build: segments, points, indexed vectors;
- dense search as the product runs it (``EdgeStore.search_dense``), exact search, and HNSW search at
  several ``hnsw_ef`` values with their recall of the exact top 10 (HNSW must not lose quality silently);
- ``LexicalIndex.search`` against ``bm25s.BM25.retrieve`` on the same tokens (BM25 should be near-flat).

Query vectors are embedded once up front (the ONNX query embedding does not depend on the index size).
Timings are wall ms on a shared machine: compare sizes within one run, not across runs.

    python bench/edge_growth.py --index-dir /tmp/ps-corpus --sizes 10000,100000 --queries 60
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from rag.config import Settings  # noqa: E402
from rag.eval.speed import real_chunks, synthetic  # noqa: E402
from rag.index.edge import EdgeStore  # noqa: E402
from rag.index.lexical import LexicalIndex  # noqa: E402
from rag.index.tokenize import tokenize  # noqa: E402
from rag.index.vectors import DENSE  # noqa: E402
from rag.types import DocFilter  # noqa: E402
from rag.workspace import Workspace  # noqa: E402

DEPTH = 50


def median_ms(run: Callable[[Any], object], items: list[Any]) -> float:
    times = []
    for item in items:
        started = time.perf_counter()
        run(item)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def shard_layout(store: EdgeStore) -> str:
    info = store._shard.info()
    return f"segments {info.segments_count}, points {info.points_count}, indexed vectors {info.indexed_vectors_count}"


def measure(size: int, args: argparse.Namespace, workspace: Workspace, tokens: list[list[str]], vectors: Any,
            query_vectors: list[Any], query_tokens: list[list[str]]) -> None:
    """Build one size through the product's write path and print its layout, dense and BM25 figures."""
    import qdrant_edge as qe

    flt = DocFilter()
    folder = Path(tempfile.mkdtemp(prefix=f"edge-growth-{size}-"))
    try:
        toks, vecs = synthetic(tokens, vectors, size, seed=size)
        chunk_ids = [f"s{i}" for i in range(size)]
        doc_ids = [f"d{i // 50}" for i in range(size)]
        payloads = [{"chunk_id": c, "doc_id": d, "system": "", "edition": "", "language": "en"}
                    for c, d in zip(chunk_ids, doc_ids, strict=True)]
        store = EdgeStore(Settings(index_dir=folder, corpora_dir=workspace.settings.corpora_dir))
        started = time.perf_counter()
        store.upsert(payloads, vecs)
        upsert_s = time.perf_counter() - started
        print(f"\n== {size:,} chunks: EdgeStore.upsert {upsert_s:.1f} s ({size / upsert_s:,.0f} chunks/s); "
              f"{shard_layout(store)}", flush=True)
        shard = store._shard

        def nearest(vector: Any, params: Any) -> list[str]:
            request = qe.QueryRequest(limit=DEPTH, query=qe.Query.Nearest(vector.tolist(), using=DENSE),
                                      params=params, with_payload=["chunk_id"])
            return [p.payload["chunk_id"] for p in shard.query(request)]

        def source(ids: list[str]) -> set[int]:
            """The real chunks these points are copies of (copies of one chunk are near-duplicates)."""
            return {int(c[1:]) % len(tokens) for c in ids}

        exact = {i: nearest(v, qe.SearchParams(exact=True))[:10] for i, v in enumerate(query_vectors)}
        indexed = list(range(len(query_vectors)))

        def report(label: str) -> None:
            product = median_ms(lambda i: store.search_dense(query_vectors[i], DEPTH, flt), indexed)
            hits = {i: [c for c, _ in store.search_dense(query_vectors[i], DEPTH, flt)][:10] for i in indexed}
            recall = statistics.mean(len(set(hits[i]) & set(exact[i])) / 10 for i in indexed)
            passages = statistics.mean(len(source(hits[i]) & source(exact[i])) / len(source(exact[i])) for i in indexed)
            exact_ms = median_ms(lambda i: nearest(query_vectors[i], qe.SearchParams(exact=True)), indexed)
            print(f"[{label}] product search_dense p50 {product:.2f} ms (recall@10 vs exact {recall:.3f}, passages {passages:.3f}); "
                  f"exact {exact_ms:.2f} ms", flush=True)
            for ef in (int(e) for e in args.efs.split(",")):
                params = qe.SearchParams(hnsw_ef=ef)
                ms = median_ms(lambda i, p=params: nearest(query_vectors[i], p), indexed)
                found = {i: nearest(query_vectors[i], params)[:10] for i in indexed}
                rec = statistics.mean(len(set(found[i]) & set(exact[i])) / 10 for i in indexed)
                pas = statistics.mean(len(source(found[i]) & source(exact[i])) / len(source(exact[i])) for i in indexed)
                print(f"    hnsw_ef {ef}: {ms:.2f} ms, recall@10 {rec:.3f}, passages {pas:.3f}", flush=True)

        report("as built")
        started = time.perf_counter()
        changed = shard.optimize()
        print(f"optimize(): {time.perf_counter() - started:.1f} s (changed: {changed}); {shard_layout(store)}",
              flush=True)
        report("after optimize")
        store.close()

        LexicalIndex.build(folder / "bm25", chunk_ids, doc_ids, toks)
        lexical = LexicalIndex(folder / "bm25")
        retriever = lexical._retriever
        assert retriever is not None
        known = [[t for t in q if t in lexical.vocab] for q in query_tokens]
        ours = median_ms(lambda i: lexical.search(query_tokens[i], DEPTH, None), indexed)
        theirs = median_ms(lambda i: retriever.retrieve([known[i]], k=DEPTH, show_progress=False, n_threads=0)
                           if known[i] else None, indexed)
        print(f"BM25: LexicalIndex.search {ours:.2f} ms, bm25s retrieve {theirs:.2f} ms (ratio {ours / theirs:.2f})",
              flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--efs", default="64,128,256")
    parser.add_argument("--m", type=int, help="HNSW m for new shards (default: rag.index.edge.HNSW_M)")
    parser.add_argument("--ef-construct", type=int, help="HNSW ef_construct (default: rag.index.edge.HNSW_EF_CONSTRUCT)")
    args = parser.parse_args()
    import rag.index.edge as edge

    edge.HNSW_M = args.m or edge.HNSW_M
    edge.HNSW_EF_CONSTRUCT = args.ef_construct or edge.HNSW_EF_CONSTRUCT
    print(f"HNSW m {edge.HNSW_M}, ef_construct {edge.HNSW_EF_CONSTRUCT}; product ef {edge.HNSW_EF}; "
          f"HNSW built by upsert from {edge.EXACT_BELOW:,} points")

    workspace = Workspace(Settings(index_dir=args.index_dir))
    tokens, vectors, texts = real_chunks(workspace)
    query_texts = [" ".join(t.split()[:12]) for t in texts[:: max(1, len(texts) // args.queries)]][:args.queries]
    query_vectors = [workspace.embedder.embed_query(q) for q in query_texts]
    query_tokens = [tokenize(q) for q in query_texts]
    for size in (int(s) for s in args.sizes.split(",")):
        measure(size, args, workspace, tokens, vectors, query_vectors, query_tokens)
    workspace.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
