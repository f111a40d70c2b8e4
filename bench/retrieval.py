"""Retrieval benchmark on real data: MedQuAD questions against the NCI PDQ summaries they come from.

Measures, in one process so the ratios are fair:
- ingest throughput vs the embedding model's raw encode time for the same chunk texts,
- re-ingest of the unchanged corpus,
- doc-level recall@5/@10 and MRR@10 for bm25, dense and hybrid,
- warm query latency p50/p95 per mode (retrieval only).

    python bench/retrieval.py                     # all 88 PDQ summaries (minutes: embeds ~20k chunks)
    python bench/retrieval.py --docs 20           # the 20 contract_check documents
    python bench/retrieval.py --index-dir /tmp/x  # reuse an index built before
    RAG_QUERY_RUNTIME=torch python bench/retrieval.py --index-dir /tmp/x   # the torch baseline
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rag.config import Settings  # noqa: E402
from rag.corpus.ingest import embedding_text, ingest  # noqa: E402
from rag.retrieval.retrieve import Retriever  # noqa: E402
from rag.workspace import Workspace  # noqa: E402

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
PDQ = SHARED / "data" / "pdq"
CONTRACT_DOCS = ["breast-hp-male-breast", "breast-hp-pregnancy-breast", "kidney-hp-kidney",
                 "kidney-hp-transitional-cell", "leukemia-hp-hairy-cell", "leukemia-hp-adult-all",
                 "liver-hp-adult-liver", "liver-hp-bile-duct", "gallbladder-hp-gallbladder",
                 "pancreatic-hp-pancreatic", "pancreatic-hp-pnet", "small-intestine-hp-small-intestine",
                 "anal-hp-anal", "skin-hp-skin", "skin-hp-merkel-cell", "soft-tissue-sarcoma-hp-kaposi",
                 "lymphoma-hp-aids-related", "uterine-hp-uterine-sarcoma", "ovarian-hp-ovarian-germ-cell",
                 "urethral-hp-urethral"]


def gold_doc(url: str) -> str | None:
    """MedQuAD patient URL → the PDQ health-professional file stem (shared/data/README.md)."""
    match = re.search(r"/types/(.+)/patient/(.+)$", url)
    return f"types-{match.group(1).replace('/', '-')}-hp-{match.group(2)}" if match else None


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def raw_encode_seconds(workspace: Workspace, files: list[Path]) -> tuple[float, int]:
    """Baseline: the model alone encoding the same chunk texts ingest embedded."""
    from rag.corpus.chunk import chunk_document
    from rag.corpus.ingest import _document, doc_id_for, sha256_file
    from rag.corpus.parse import parse_file

    texts = []
    for path in files:
        parsed = parse_file(path)
        document = _document(parsed, doc_id_for(parsed), str(path), sha256_file(path))
        texts.extend(embedding_text(document, c) for c in chunk_document(parsed, document.doc_id))
    started = time.perf_counter()
    for i in range(0, len(texts), 64):
        workspace.embedder.embed_passages(texts[i:i + 64])
    return time.perf_counter() - started, len(texts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", default="all", help="'all', or a number N for the first N contract documents")
    parser.add_argument("--index-dir", type=Path)
    parser.add_argument("--latency-queries", type=int, default=200)
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = parser.parse_args()

    if args.docs == "all":
        files = sorted(PDQ.glob("*.md"))
    else:
        files = [PDQ / f"types-{d}-treatment-pdq.md" for d in CONTRACT_DOCS[: int(args.docs)]]
    index_dir = args.index_dir or Path(tempfile.mkdtemp(prefix="bench-retrieval-"))
    workspace = Workspace(Settings(index_dir=index_dir))
    figures: dict[str, object] = {"documents": len(files), "index_dir": str(index_dir)}

    workspace.embedder.embed_query("warm up")  # model load is not ingest work
    fresh = not workspace.catalog.documents()
    started = time.perf_counter()
    report = ingest(workspace, files, progress=sys.stderr.isatty())
    ingest_s = time.perf_counter() - started
    chunks = workspace.catalog.count_chunks()
    figures.update(chunks=chunks, ingest_s=round(ingest_s, 1), embedded=report.embedded)
    print(f"ingest: {len(files)} files, {chunks} chunks, {report.embedded} embedded, {ingest_s:.1f} s")
    if fresh and report.embedded:
        encode_s, n = raw_encode_seconds(workspace, files)
        figures.update(raw_encode_s=round(encode_s, 1), ingest_over_encode=round(ingest_s / encode_s, 2),
                       chunks_per_s=round(n / encode_s, 1))
        print(f"raw encode of the same {n} texts: {encode_s:.1f} s ({n / encode_s:.1f} chunks/s); "
              f"ingest / raw encode = {ingest_s / encode_s:.2f}x")
    started = time.perf_counter()
    again = ingest(workspace, files, progress=False)
    reingest_s = time.perf_counter() - started
    figures.update(reingest_s=round(reingest_s, 2), reingest_embedded=again.embedded)
    print(f"re-ingest unchanged: {reingest_s:.2f} s, {again.embedded} embedded, {again.counts}")

    stems = {f.stem for f in files}
    titles = {d.doc_id: d.title for d in workspace.catalog.documents()}
    with open(SHARED / "data" / "medquad_cancergov_qa.csv", newline="") as handle:
        questions = [r for r in csv.DictReader(handle) if gold_doc(r["url"]) in stems]
    retriever = Retriever(workspace)
    figures.update(query_runtime=workspace.embedder.query_runtime, fusion=workspace.settings.fusion)
    print(f"query embeddings on {figures['query_runtime']}, {figures['fusion']} fusion")
    for mode in ("bm25", "dense", "hybrid"):
        hit5 = hit10 = rr = 0.0
        latencies = []
        for q in questions:
            started = time.perf_counter()
            hits = retriever.search(q["question"], k=10, mode=mode)
            latencies.append((time.perf_counter() - started) * 1000)
            ranks = [h.rank for h in hits if h.document.doc_id == gold_doc(q["url"])]
            if ranks:
                hit5 += ranks[0] <= 5
                hit10 += ranks[0] <= 10
                rr += 1 / ranks[0]
        n = len(questions)
        figures[mode] = {"recall@5": round(hit5 / n, 3), "recall@10": round(hit10 / n, 3), "mrr@10": round(rr / n, 3),
                         "p50_ms": round(percentile(latencies, 0.5), 1), "p95_ms": round(percentile(latencies, 0.95), 1)}
        print(f"{mode:6s}: recall@5 {hit5 / n:.3f}  recall@10 {hit10 / n:.3f}  MRR@10 {rr / n:.3f}  "
              f"p50 {percentile(latencies, 0.5):.1f} ms  p95 {percentile(latencies, 0.95):.1f} ms  ({n} questions)")
    del titles
    if args.out:
        args.out.write_text(json.dumps(figures, indent=2))
    workspace.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
