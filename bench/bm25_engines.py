"""BM25 engines compared on real text: bm25s, rank-bm25 and Qdrant local-mode sparse vectors (IDF).

Why this exists: the foundation issue chose bm25s over rank-bm25 and over Qdrant's local-mode sparse
search from figures measured elsewhere. This re-measures them on the PDQ corpus with the project's own
tokeniser and its own code paths (``LexicalIndex`` for bm25s, ``sparse_vector``/``QdrantClientStore.search_sparse``
for Qdrant), and checks that the engines rank alike (rank-bm25 is the tests' independent oracle).

Documents: the PDQ summaries chunked by ``rag.corpus.chunk.chunk_document`` and tokenised as ingest does
(title + section + text). "chunks" is that real PDQ scale (~21k chunks, ~109 tokens each); "10k" and
"100k" are 40-token windows (stride 20, so neighbours overlap by half) cut from those chunks and picked
evenly across the corpus. Queries: MedQuAD questions, tokenised the same way.

Timing is fair on a shared 2-core machine only if engines see the same load, so every query is run on
every engine back to back, in an order that rotates per query. Figures are per-query wall time of the
search call alone (tokenising the query is shared and excluded).

    python bench/bm25_engines.py --scale 10k
    python bench/bm25_engines.py --scale chunks --scale 100k --qdrant-queries 60
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import pickle
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rag.config import Settings  # noqa: E402
from rag.index.lexical import LexicalIndex, average_length  # noqa: E402
from rag.index.qdrant import QdrantClientStore  # noqa: E402
from rag.index.tokenize import tokenize  # noqa: E402
from rag.index.vectors import SPARSE, sparse_vector  # noqa: E402
from rag.types import DocFilter  # noqa: E402

# The shared data sits beside the repository; from a git worktree one level further up.
SHARED = next((p / "shared" for p in Path(__file__).resolve().parents if (p / "shared" / "data" / "pdq").is_dir()),
              Path("shared"))
PDQ = SHARED / "data" / "pdq"
MEDQUAD = SHARED / "data" / "medquad_cancergov_qa.csv"
K = 10
# Engines take turns in blocks of this many queries: one query each in turn would measure a cold CPU
# cache and a freshly pre-empted process for the fast engine after every slow one (measured here:
# bm25s 0.6 ms alone, 5-6 ms right after a rank-bm25 query), which no warm server sees.
BLOCK = 10
SCALES = {"10k": 10_000, "chunks": 0, "100k": 100_000}


# -- data ------------------------------------------------------------------------------------------

def pdq_chunk_tokens(cache_dir: Path) -> list[list[str]]:
    """Token lists of every PDQ chunk, as ingest builds them (cached: parsing takes ~25 s here)."""
    from rag.corpus.chunk import chunk_document
    from rag.corpus.ingest import _document, doc_id_for, lexical_text
    from rag.corpus.parse import parse_file

    files = sorted(PDQ.glob("*.md"))
    tokenizer = Path(__file__).resolve().parent.parent / "rag" / "index" / "tokenize.py"
    stamp = f"{len(files)}-{sum(f.stat().st_size for f in files)}-{tokenizer.stat().st_mtime_ns}"
    cache = cache_dir / f"pdq-tokens-{stamp}.pkl"
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    tokens: list[list[str]] = []
    for path in files:
        parsed = parse_file(path)
        doc_id = doc_id_for(parsed)
        document = _document(parsed, doc_id, str(path), "")
        tokens.extend(tokenize(lexical_text(document, c)) for c in chunk_document(parsed, doc_id))
    cache_dir.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(pickle.dumps(tokens))
    return tokens


def windows(chunks: Sequence[list[str]], width: int = 40, stride: int = 20) -> list[list[str]]:
    """Short documents: overlapping token windows inside each chunk (a short chunk is one window)."""
    out: list[list[str]] = []
    for tokens in chunks:
        if len(tokens) <= width:
            if tokens:
                out.append(tokens)
            continue
        for start in range(0, len(tokens) - width + stride, stride):
            out.append(tokens[start:start + width])
    return out


def spread(items: Sequence[list[str]], n: int) -> list[list[str]]:
    """n items picked evenly across the sequence, so every document is represented."""
    if n >= len(items):
        return list(items)
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]


def corpus(scale: str, cache_dir: Path) -> list[list[str]]:
    chunks = pdq_chunk_tokens(cache_dir)
    if scale == "chunks":
        return [c for c in chunks if c]
    return spread(windows(chunks), SCALES[scale])


def medquad_queries(n: int) -> list[list[str]]:
    """The first n distinct MedQuAD questions that leave at least one token."""
    seen: set[str] = set()
    queries: list[list[str]] = []
    with MEDQUAD.open(newline="") as handle:
        for row in csv.DictReader(handle):
            text = row["question"]
            tokens = tokenize(text)
            if text in seen or not tokens:
                continue
            seen.add(text)
            queries.append(tokens)
            if len(queries) == n:
                break
    return queries


# -- engines ---------------------------------------------------------------------------------------

class Bm25s:
    """The project's engine, through ``rag.index.lexical.LexicalIndex`` (build + save + load)."""

    name = "bm25s"

    def __init__(self, workdir: Path) -> None:
        self.directory = workdir / "bm25s"

    def build(self, docs: Sequence[list[str]]) -> None:
        ids = [str(i) for i in range(len(docs))]
        LexicalIndex.build(self.directory, ids, ids, docs)
        self.index = LexicalIndex(self.directory)

    def search(self, tokens: list[str]) -> list[int]:
        return [int(c) for c, _ in self.index.search(tokens, K, None)]

    def all_scores(self, tokens: list[str]) -> np.ndarray:
        """Every document's score, to judge another engine's top 10 without penalising tie order."""
        known = [t for t in tokens if t in self.index.vocab]
        return self.index._retriever.get_scores(known) if known else np.zeros(len(self.index.chunk_ids))

    def disk_bytes(self) -> int:
        return _du(self.directory)


class RankBm25:
    """rank-bm25's BM25Okapi, stock (ATIRE IDF with an epsilon floor) or with Lucene's IDF.

    The Lucene variant uses the same IDF as bm25s and Qdrant, log(1 + (N - n + 0.5) / (n + 0.5)), so it
    is an exact oracle; the stock one shows how much the IDF formula alone moves the top 10.
    """

    def __init__(self, lucene_idf: bool = False) -> None:
        self.lucene_idf = lucene_idf
        self.name = "rank-bm25 (lucene idf)" if lucene_idf else "rank-bm25 BM25Okapi"

    def build(self, docs: Sequence[list[str]]) -> None:
        from rank_bm25 import BM25Okapi

        lucene = self.lucene_idf

        class _Model(BM25Okapi):  # type: ignore[misc]
            def _calc_idf(self, nd: dict[str, int]) -> None:
                if not lucene:
                    super()._calc_idf(nd)
                    return
                self.idf = {w: math.log(1 + (self.corpus_size - n + 0.5) / (n + 0.5)) for w, n in nd.items()}

        self.model = _Model(list(docs), k1=1.2, b=0.75)

    def search(self, tokens: list[str]) -> list[int]:
        scores = self.model.get_scores(tokens)
        top = np.argpartition(-scores, K)[:K] if len(scores) > K else np.arange(len(scores))
        top = top[np.argsort(-scores[top], kind="stable")]
        return [int(i) for i in top if scores[i] > 0]

    def disk_bytes(self) -> int:
        return 0


class QdrantSparse:
    """Qdrant local mode (on disk, as the project opens it) with sparse vectors and ``Modifier.IDF``.

    Points carry only the sparse vector, built by ``rag.index.vectors.sparse_vector``; search goes through
    ``QdrantClientStore.search_sparse``, the project's scale-out code path.
    """

    name = "qdrant local sparse/IDF"
    probe_points = 300

    def __init__(self, workdir: Path) -> None:
        self.settings = Settings(index_dir=workdir / "qdrant-index")
        self.stock_ms_per_point = 0.0

    def build(self, docs: Sequence[list[str]]) -> None:
        from qdrant_client import models

        self.vectors = QdrantClientStore(self.settings, sparse=True)
        client = self.vectors.client
        idf = models.SparseVectorParams(modifier=models.Modifier.IDF)
        client.create_collection(self.vectors.collection, vectors_config={}, sparse_vectors_config={SPARSE: idf})
        avgdl = average_length(list(docs))
        points = []
        for i, tokens in enumerate(docs):
            indices, values = sparse_vector(tokens, avgdl)
            points.append(models.PointStruct(id=i, vector={SPARSE: models.SparseVector(indices=indices, values=values)},
                                             payload={"chunk_id": str(i)}))
        # Local mode commits one SQLite transaction per point (~25 ms each on this disk), so a stock
        # build of 100k points takes most of an hour. Time a stock prefix, then finish in WAL mode.
        probe = min(self.probe_points, len(points))
        started = time.perf_counter()
        client.upsert(self.vectors.collection, points=points[:probe], wait=True)
        self.stock_ms_per_point = (time.perf_counter() - started) * 1000 / max(probe, 1)
        _fast_sqlite(client, self.vectors.collection)
        for i in range(probe, len(points), 256):
            client.upsert(self.vectors.collection, points=points[i:i + 256], wait=True)

    def reopen_seconds(self) -> float:
        """What a process restart costs: local mode loads every point from SQLite into memory."""
        self.vectors.close()
        started = time.perf_counter()
        self.vectors = QdrantClientStore(self.settings, sparse=True)
        self.vectors.count()
        return time.perf_counter() - started

    def search(self, tokens: list[str]) -> list[int]:
        return [int(c) for c, _ in self.vectors.search_sparse(tokens, K, DocFilter())]

    def disk_bytes(self) -> int:
        return _du(self.settings.qdrant_path)

    def close(self) -> None:
        self.vectors.close()


class EdgeSparse:
    """qdrant-edge (the Qdrant engine in-process) with the same sparse vectors and IDF modifier.

    Searched through ``rag.index.edge.EdgeStore.search_sparse`` (the optional embedded engine).
    """

    name = "qdrant-edge sparse/IDF"

    def __init__(self, workdir: Path) -> None:
        self.settings = Settings(index_dir=workdir / "edge-index")

    def build(self, docs: Sequence[list[str]]) -> None:
        import qdrant_edge as qe

        from rag.index.edge import EdgeStore

        self.vectors = EdgeStore(self.settings, sparse=True)
        self.vectors.path.parent.mkdir(parents=True, exist_ok=True)
        shard = qe.EdgeShard.create(str(self.vectors.path), qe.EdgeConfig(
            sparse_vectors={SPARSE: qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)}))
        avgdl = average_length(list(docs))
        for start in range(0, len(docs), 256):
            points = []
            for i in range(start, min(start + 256, len(docs))):
                indices, values = sparse_vector(docs[i], avgdl)
                points.append(qe.Point(id=i, vector={SPARSE: qe.SparseVector(indices=indices, values=values)},
                                       payload={"chunk_id": str(i)}))
            shard.update(qe.UpdateOperation.upsert_points(points))
        shard.flush()
        shard.optimize()
        shard.close()

    def search(self, tokens: list[str]) -> list[int]:
        return [int(c) for c, _ in self.vectors.search_sparse(tokens, K, DocFilter())]

    def disk_bytes(self) -> int:
        return _du(self.vectors.path)

    def close(self) -> None:
        self.vectors.close()


def _fast_sqlite(client: object, collection: str) -> None:
    """WAL journal and synchronous=NORMAL on local mode's per-collection SQLite file (private API).

    Benchmark-only: it makes bulk loading ~30x faster here; the project's ``QdrantClientStore`` does not do it.
    """
    storage = client._client.collections[collection].storage.storage  # type: ignore[attr-defined]
    storage.execute("PRAGMA journal_mode=WAL")
    storage.execute("PRAGMA synchronous=NORMAL")


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


# -- measurement -----------------------------------------------------------------------------------

def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def run_scale(scale: str, docs: list[list[str]], queries: list[list[str]], qdrant_queries: int,
              skip_qdrant: bool, lucene_oracle: bool = True, with_edge: bool = False) -> dict[str, object]:
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-bm25-{scale}-"))
    engines: list = [Bm25s(workdir), RankBm25()] + ([RankBm25(lucene_idf=True)] if lucene_oracle else [])
    if not skip_qdrant:
        engines.append(QdrantSparse(workdir))
    if with_edge:
        engines.append(EdgeSparse(workdir))
    result: dict[str, object] = {"scale": scale, "documents": len(docs), "avg_tokens": round(average_length(docs), 1),
                                 "queries": len(queries), "loadavg_start": os.getloadavg()[0]}
    builds: dict[str, float] = {}
    for engine in engines:
        builds[engine.name] = timed(lambda e=engine: e.build(docs))
        print(f"  [{scale}] built {engine.name} in {builds[engine.name]:.2f} s", file=sys.stderr)
    reopen = next((e.reopen_seconds() for e in engines if isinstance(e, QdrantSparse)), None)

    latencies: dict[str, list[float]] = {e.name: [] for e in engines}
    cpu: dict[str, list[float]] = {e.name: [] for e in engines}
    tops: dict[str, list[list[int] | None]] = {e.name: [None] * len(queries) for e in engines}
    for round_no, first in enumerate(range(0, len(queries), BLOCK)):
        order = engines[round_no % len(engines):] + engines[:round_no % len(engines)]
        for engine in order:
            for qi in range(first, min(first + BLOCK, len(queries))):
                if isinstance(engine, QdrantSparse) and qi >= qdrant_queries:
                    break
                started, started_cpu = time.perf_counter(), time.thread_time()
                tops[engine.name][qi] = engine.search(queries[qi])
                cpu[engine.name].append((time.thread_time() - started_cpu) * 1000)
                latencies[engine.name].append((time.perf_counter() - started) * 1000)
    result["loadavg_end"] = os.getloadavg()[0]

    base = latencies["bm25s"]
    rows = []
    for engine in engines:
        lat = latencies[engine.name]
        n = len(lat)
        # Ratio against bm25s over the same queries (Qdrant may have run on a prefix only).
        rows.append({"engine": engine.name, "build_s": round(builds[engine.name], 2), "queries": n,
                     "p50_ms": round(percentile(lat, 0.5), 2), "p95_ms": round(percentile(lat, 0.95), 2),
                     "cpu_p50_ms": round(percentile(cpu[engine.name], 0.5), 2),
                     "cpu_p95_ms": round(percentile(cpu[engine.name], 0.95), 2),
                     "p50_vs_bm25s": round(percentile(lat, 0.5) / percentile(base[:n], 0.5), 1),
                     "cpu_p50_vs_bm25s": round(percentile(cpu[engine.name], 0.5)
                                               / percentile(cpu["bm25s"][:n], 0.5), 1),
                     "disk_mb": round(engine.disk_bytes() / 1e6, 1)})
    result["engines"] = rows
    if reopen is not None:
        result["qdrant_reopen_s"] = round(reopen, 2)
    reference = engines[0]
    scores = [reference.all_scores(q) for q in queries]
    result["agreement_vs_bm25s"] = {e.name: agreement(tops["bm25s"], tops[e.name], scores) for e in engines[1:]}
    qdrant = next((e for e in engines if isinstance(e, QdrantSparse)), None)
    if qdrant is not None:
        result["qdrant_stock_ms_per_point"] = round(qdrant.stock_ms_per_point, 2)
        result["qdrant_stock_build_estimate_s"] = round(qdrant.stock_ms_per_point * len(docs) / 1000, 1)
    for engine in engines:
        if isinstance(engine, (QdrantSparse, EdgeSparse)):
            engine.close()
    shutil.rmtree(workdir, ignore_errors=True)
    return result


def agreement(reference: list[list[int] | None], other: list[list[int] | None],
              scores: list[np.ndarray]) -> dict[str, float]:
    """How far another engine's top 10 matches bm25s's.

    ``overlap@10`` compares id sets; ``tie_aware@10`` counts a hit as agreeing when bm25s scores it at
    least as high as its own 10th hit (40-token windows cut from one chunk share the title and heading
    tokens, so exact ties are common and their order is arbitrary). ``same_top1`` is tie-aware too.
    """
    overlap = tie = top1 = 0.0
    n = 0
    for a, b, full in zip(reference, other, scores, strict=True):
        if not a or b is None:
            continue
        n += 1
        floor = full[a[-1]] * (1 - 1e-5)
        overlap += len(set(a) & set(b)) / len(a)
        tie += sum(full[d] >= floor for d in b[:len(a)]) / len(a)
        top1 += bool(b) and full[b[0]] >= full[a[0]] * (1 - 1e-5)
    n = max(n, 1)
    return {"overlap@10": round(overlap / n, 3), "tie_aware@10": round(tie / n, 3), "same_top1": round(top1 / n, 3),
            "queries": n}


def print_table(result: dict[str, object]) -> None:
    print(f"\n== {result['scale']}: {result['documents']} docs, {result['avg_tokens']} tokens/doc, "
          f"{result['queries']} queries, load {result['loadavg_start']:.1f} -> {result['loadavg_end']:.1f}")
    print(f"{'engine':26s} {'build s':>8s} {'n':>4s} {'p50 ms':>8s} {'p95 ms':>8s} {'cpu p50':>8s} {'cpu p95':>8s} "
          f"{'p50/bm25s':>9s} {'cpu/bm25s':>9s} {'disk MB':>8s}")
    for row in result["engines"]:  # type: ignore[attr-defined]
        print(f"{row['engine']:26s} {row['build_s']:8.2f} {row['queries']:4d} "
              f"{row['p50_ms']:8.2f} {row['p95_ms']:8.2f} "
              f"{row['cpu_p50_ms']:8.2f} {row['cpu_p95_ms']:8.2f} {row['p50_vs_bm25s']:8.1f}x "
              f"{row['cpu_p50_vs_bm25s']:8.1f}x {row['disk_mb']:8.1f}")
    if "qdrant_reopen_s" in result:
        print(f"qdrant local reopen (load all points): {result['qdrant_reopen_s']} s; stock upsert "
              f"{result['qdrant_stock_ms_per_point']} ms/point -> stock build "
              f"~{result['qdrant_stock_build_estimate_s']} s "
              "(build_s above: stock prefix, then WAL)")
    for name, agree in result["agreement_vs_bm25s"].items():  # type: ignore[attr-defined]
        print(f"top-10 vs bm25s, {name}: overlap {agree['overlap@10']:.3f}, tie-aware {agree['tie_aware@10']:.3f}, "
              f"same top-1 {agree['same_top1']:.3f} "
              f"({agree['queries']} queries)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", action="append", choices=list(SCALES), help="repeatable; default 10k")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--qdrant-queries", type=int, default=200,
                        help="run Qdrant on only the first N queries (it is slow at 100k)")
    parser.add_argument("--skip-qdrant", action="store_true")
    parser.add_argument("--edge", action="store_true", help="also measure qdrant-edge sparse/IDF (optional package)")
    parser.add_argument("--no-lucene-oracle", action="store_true", help="skip rank-bm25 with Lucene IDF (saves time)")
    parser.add_argument("--cache-dir", type=Path, default=Path(tempfile.gettempdir()) / "rag-bench-cache")
    parser.add_argument("--out", type=Path, help="append the figures as JSON lines here")
    args = parser.parse_args()

    queries = medquad_queries(args.queries)
    for scale in args.scale or ["10k"]:
        docs = corpus(scale, args.cache_dir)
        result = run_scale(scale, docs, queries, args.qdrant_queries, args.skip_qdrant, not args.no_lucene_oracle,
                           args.edge)
        print_table(result)
        if args.out:
            with args.out.open("a") as handle:
                handle.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
