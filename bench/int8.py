"""Dynamic int8 quantisation of the exported MiniLM: speed against fp32 and retrieval quality, same process.

Why: issue 16 asks whether onnxruntime's dynamic int8 quantiser buys ingest and query speed (and a
smaller serving process) without moving retrieval quality. The rule: adopt int8 only if MRR@10
moves by less than 0.005 on every question set.

Variants, each quantised from the fp32 export in the model cache (``quantize_dynamic``): ``int8``
(per-tensor, signed weights), ``int8-pc`` (per-channel), ``int8-rr`` (reduce_range: 7-bit weights,
for CPUs without VNNI), ``uint8`` (unsigned weights). ORT picks its AVX2 / AVX512-VNNI kernels by
itself from the CPU it runs on.

Quality: every live chunk of an index is embedded with the variant and searched exactly (cosine,
as qdrant-edge does below 50k points); fp32 runs through the very same code with the fp32 graph, so
only the vectors differ. BM25 and the production fusion come from ``Retriever`` itself (its dense
candidate step is the only thing replaced). Sets: ``gold-en`` (tests/data/gold English questions →
the bundled corpus, MRR of the first chunk carrying the gold rule id) and ``pdq20`` (MedQuAD → the
20 PDQ summaries of shared/tools/contract_check.py, MRR of the first chunk of the gold summary).

    python bench/int8.py --corpus-index /tmp/corpus --pdq-index /tmp/versus-ours-20 --variants int8-pc
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag.config import Settings  # noqa: E402
from rag.corpus.ingest import embedding_text  # noqa: E402
from rag.index.embed import _model_version, embedding_key  # noqa: E402
from rag.index.embed_onnx import OnnxEncoder, _session, graph_path, is_exported, model_dir  # noqa: E402
from rag.retrieval.retrieve import Retriever  # noqa: E402
from rag.workspace import Workspace  # noqa: E402

SHARED = next(p for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared", Path("/work/shared")) if p.exists())
VARIANTS: dict[str, dict[str, Any]] = {"int8": {}, "int8-pc": {"per_channel": True},
                                       "int8-rr": {"reduce_range": True}, "uint8": {"unsigned": True}}


def quantised(fp32: Path, name: str, folder: Path) -> Path:
    """The variant's graph, quantised once into ``folder``."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    out = folder / f"minilm-{name}.onnx"
    if not out.exists():
        options = dict(VARIANTS[name])
        weight_type = QuantType.QUInt8 if options.pop("unsigned", False) else QuantType.QInt8
        quantize_dynamic(str(fp32), str(out), weight_type=weight_type, **options)
    return out


def encoder(graph: Path) -> OnnxEncoder:
    import onnxruntime

    max_length = int(json.loads((model_dir() / "sentence_bert_config.json").read_text())["max_seq_length"])
    return OnnxEncoder(_session(onnxruntime, graph), model_dir() / "tokenizer.json", max_length)


class ExactDense(Retriever):
    """The production retriever with its dense candidates computed exactly over given passage vectors."""

    def __init__(self, workspace: Workspace, encode: OnnxEncoder, ids: list[str], matrix: np.ndarray) -> None:
        super().__init__(workspace)
        self._encode, self._ids, self._matrix = encode, ids, matrix

    def _dense(self, query: Any, depth: int, flt: Any) -> list[tuple[str, float]]:
        scores = self._matrix @ self._encode.encode(query.dense_text)
        top = np.argsort(-scores, kind="stable")[:depth]
        return [(self._ids[i], float(scores[i])) for i in top]


def live_texts(workspace: Workspace) -> tuple[list[str], list[str], dict[str, Any]]:
    """Chunk ids, their embedding texts and the chunks, for every live chunk."""
    ids: list[str] = []
    texts: list[str] = []
    chunks_of: dict[str, Any] = {}
    for document in workspace.catalog.documents(include_retired=False):
        chunk_ids = workspace.catalog.chunk_ids(document.doc_id)
        chunks = workspace.catalog.chunks(chunk_ids)
        for cid in chunk_ids:
            ids.append(cid)
            texts.append(embedding_text(document, chunks[cid]))
            chunks_of[cid] = chunks[cid]
    return ids, texts, chunks_of


def fp32_vectors(workspace: Workspace, texts: list[str]) -> np.ndarray:
    """The index's own fp32 passage vectors, from its embedding cache (ONNX fp32 equals torch within 2e-7)."""
    keys = [embedding_key(workspace.settings.embedder, t) for t in texts]
    cached = workspace.catalog.cached_vectors(keys)
    missing = [t for k, t in zip(keys, texts, strict=True) if k not in cached]
    if missing:
        raise SystemExit(f"{len(missing)} chunks lack a cached vector in {workspace.settings.index_dir}")
    return np.stack([cached[k] for k in keys]).astype(np.float32)


def question_set(name: str, chunks_of: dict[str, Any]) -> list[tuple[str, set[str]]]:
    """(question, the chunk ids that count as a hit) for a set."""
    if name == "gold-en":
        gold = [json.loads(line) for p in sorted((ROOT / "tests" / "data" / "gold").glob("*.jsonl"))
                for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
        return [(g["query"], {c for c, ch in chunks_of.items() if g["rule_id"] in ch.rule_ids})
                for g in gold if g["lang"] == "en"]
    out = []
    with open(SHARED / "data" / "medquad_cancergov_qa.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            m = re.search(r"/types/(.+)/patient/(.+)$", row["url"])
            doc = f"types-{m.group(1).replace('/', '-')}-hp-{m.group(2)}" if m else ""  # the file stem
            hits = {c for c, ch in chunks_of.items() if ch.doc_id == doc}
            if hits:
                out.append((row["question"], hits))
    return out


def mrr(retriever: Retriever, questions: list[tuple[str, set[str]]], mode: str) -> float:
    total = 0.0
    for text, gold in questions:
        hits = retriever.search(text, k=10, mode=mode)
        rank = next((i for i, h in enumerate(hits, 1) if h.chunk.chunk_id in gold), None)
        total += 1 / rank if rank else 0.0
    return total / max(len(questions), 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus-index", type=Path, required=True, help="an index of the bundled corpora (copy)")
    parser.add_argument("--pdq-index", type=Path, required=True, help="an index of the 20 contract PDQ summaries (copy)")
    parser.add_argument("--variants", default="int8-pc")
    parser.add_argument("--work", type=Path, default=Path("/tmp/rag-int8"))
    parser.add_argument("--speed-passages", type=int, default=128)
    parser.add_argument("--sets", default="gold-en,pdq20")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    fp32 = graph_path(Settings().model_cache_dir, _model_version())
    if not is_exported(fp32):
        raise SystemExit(f"no fp32 export at {fp32}: run any query once (rag search x) to export it")
    names = ["fp32", *[v for v in args.variants.split(",") if v]]
    encoders = {n: encoder(fp32 if n == "fp32" else quantised(fp32, n, args.work)) for n in names}
    figures: dict[str, Any] = {"load_start": round(os.getloadavg()[0], 1), "sets": {}, "speed": {}}
    for set_name, index in (("gold-en", args.corpus_index), ("pdq20", args.pdq_index)):
        if set_name not in args.sets.split(","):
            continue
        workspace = Workspace(Settings(index_dir=index))
        ids, texts, chunks_of = live_texts(workspace)
        questions = question_set(set_name, chunks_of)
        row: dict[str, Any] = {"questions": len(questions), "chunks": len(ids)}
        for name, enc in encoders.items():
            started = time.perf_counter()
            matrix = fp32_vectors(workspace, texts) if name == "fp32" else enc.encode_sorted(texts)
            seconds = time.perf_counter() - started
            retriever = ExactDense(workspace, enc, ids, matrix)
            row[name] = {"dense": round(mrr(retriever, questions, "dense"), 4),
                         "hybrid": round(mrr(retriever, questions, "hybrid"), 4), "embed_s": round(seconds, 1)}
            print(set_name, name, row[name], file=sys.stderr, flush=True)
        figures["sets"][set_name] = row
        workspace.close()
    # Speed: the same passages and questions through each graph, rounds alternating the order.
    workspace = Workspace(Settings(index_dir=args.pdq_index))
    _, texts, _ = live_texts(workspace)
    workspace.close()
    passages = texts[:: max(1, len(texts) // args.speed_passages)][: args.speed_passages]
    queries = [q for q, _ in question_set("gold-en", live_texts(Workspace(Settings(index_dir=args.corpus_index)))[2])][:60]
    spent = {n: [0.0, 0.0] for n in names}
    for round_ in range(2):
        for name in names if round_ % 2 == 0 else names[::-1]:
            started = time.perf_counter()
            encoders[name].encode_sorted(passages)
            spent[name][0] += time.perf_counter() - started
            started = time.perf_counter()
            for q in queries:
                encoders[name].encode(q)
            spent[name][1] += time.perf_counter() - started
    for name in names:
        figures["speed"][name] = {"passages_per_s": round(2 * len(passages) / spent[name][0], 1),
                                  "queries_per_s": round(2 * len(queries) / spent[name][1], 1),
                                  "passage_speedup": round(spent["fp32"][0] / spent[name][0], 2),
                                  "query_speedup": round(spent["fp32"][1] / spent[name][1], 2)}
    figures["load_end"] = round(os.getloadavg()[0], 1)
    print(json.dumps(figures, indent=2))
    if args.out:
        args.out.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
