"""How to fuse BM25 and dense: every fusion scored on the same cached candidate lists.

Each query's BM25 and dense candidates (depth 100, with scores) are collected once from a real index,
then every fusion is replayed on them, so a grid of settings costs seconds and every variant sees
exactly the same inputs. Two question sets pull in different directions, which is the point:

- ``medquad``: consumer questions → the 88 NCI PDQ summaries (doc-level recall@5 and MRR@10, as in
  ``bench/retrieval.py``); dense retrieval is strong here.
- ``gold``: the clinicians' questions of ``tests/data/gold`` → the bundled corpus (the defining
  chunk in the top 3, English questions; Chinese ones are ranked by BM25 alone); BM25 is strong here.

A split-half check on MedQuAD shows whether a setting's lead is stable or noise.

    python bench/fusion.py --pdq-index /tmp/benchall              # index built by bench/retrieval.py
    python bench/fusion.py --pdq-index /tmp/benchall --corpus-index /tmp/corpidx
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from retrieval import PDQ, SHARED, gold_doc  # noqa: E402

from rag.config import Settings  # noqa: E402
from rag.corpus.ingest import ingest  # noqa: E402
from rag.retrieval.fusion import convex, rrf  # noqa: E402
from rag.retrieval.retrieve import Retriever, prepare_query  # noqa: E402
from rag.types import DocFilter  # noqa: E402
from rag.workspace import Workspace  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEPTH = 100
Candidates = list[tuple[str, float]]
Fusion = Callable[[Candidates, Candidates], list[str]]


def collect(workspace: Workspace, queries: Sequence[str]) -> list[tuple[Candidates, Candidates]]:
    """BM25 and dense candidates for each query, exactly as the retriever computes them."""
    retriever = Retriever(workspace)
    rows = []
    for text in queries:
        query = prepare_query(text, retriever._expansions(text))
        lexical = retriever._search_bm25(query, DEPTH, DocFilter())
        dense = workspace.vectors.search_dense(workspace.embedder.embed_query(query.dense_text), DEPTH, DocFilter())
        rows.append((lexical, dense))
    return rows


def fusions(candidates: int) -> dict[str, Fusion]:
    """The grid: each retriever alone, weighted RRF at three k, convex mixes of min-max scores."""
    grid: dict[str, Fusion] = {"bm25": lambda lex, den: [c for c, _ in lex],
                               "dense": lambda lex, den: [c for c, _ in den]}
    for k in (10, 30, 60):
        for weight in (0.7, 1.0, 1.5, 2.0):
            grid[f"rrf k={k} w={weight}"] = (
                lambda lex, den, k=k, w=weight: [c for c, _ in rrf([c for c, _ in lex[:candidates]],
                                                                  [c for c, _ in den[:candidates]],
                                                                  k=k, weights=(1.0, w))])
    for share in (0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8):
        grid[f"convex share={share}"] = (
            lambda lex, den, s=share: [c for c, _ in convex(lex[:candidates], den[:candidates], dense_share=s)])
    return grid


def medquad_scores(rows: Sequence[tuple[Candidates, Candidates]], golds: Sequence[str], doc_of: dict[str, str],
                   fuse: Fusion) -> tuple[float, float]:
    hit5 = reciprocal = 0.0
    for (lexical, dense), gold in zip(rows, golds, strict=True):
        ranks = [i for i, c in enumerate(fuse(lexical, dense)[:10], 1) if doc_of.get(c) == gold]
        if ranks:
            hit5 += ranks[0] <= 5
            reciprocal += 1 / ranks[0]
    return hit5 / len(rows), reciprocal / len(rows)


def gold_rate(rows: Sequence[tuple[Candidates, Candidates]], rule_ids: Sequence[str],
              rules_of: dict[str, list[str]], fuse: Fusion) -> float:
    hits = sum(any(rule in rules_of.get(c, ()) for c in fuse(lexical, dense)[:3])
               for (lexical, dense), rule in zip(rows, rule_ids, strict=True))
    return hits / len(rows)


def chunk_fields(workspace: Workspace, rows: Sequence[tuple[Candidates, Candidates]]) -> tuple[dict, dict]:
    ids = {c for lexical, dense in rows for c, _ in [*lexical, *dense]}
    chunks = workspace.catalog.chunks(sorted(ids))
    return ({c: ch.doc_id for c, ch in chunks.items()}, {c: list(ch.rule_ids) for c, ch in chunks.items()})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pdq-index", type=Path, required=True, help="an index of the 88 PDQ summaries")
    parser.add_argument("--corpus-index", type=Path, help="an index of corpora/ (built here if missing)")
    parser.add_argument("--out", type=Path, help="write the table as JSON here")
    args = parser.parse_args()
    candidates = Settings().candidates

    pdq = Workspace(Settings(index_dir=args.pdq_index))
    ingest(pdq, sorted(PDQ.glob("*.md")), progress=sys.stderr.isatty())
    stems = {d.doc_id for d in pdq.catalog.documents()}
    with open(SHARED / "data" / "medquad_cancergov_qa.csv", newline="") as handle:
        questions = [(r["question"], gold_doc(r["url"])) for r in csv.DictReader(handle) if gold_doc(r["url"]) in stems]
    medquad = collect(pdq, [q for q, _ in questions])
    doc_of, _ = chunk_fields(pdq, medquad)
    golds = [g for _, g in questions]

    corpus_rows: list[tuple[Candidates, Candidates]] = []
    rule_ids: list[str] = []
    rules_of: dict[str, list[str]] = {}
    if args.corpus_index:
        corpus = Workspace(Settings(index_dir=args.corpus_index))
        ingest(corpus, [ROOT / "corpora"], progress=sys.stderr.isatty())
        english = [json.loads(line) for path in sorted((ROOT / "tests" / "data" / "gold").glob("*.jsonl"))
                   for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        english = [g for g in english if g["lang"] == "en"]
        corpus_rows = collect(corpus, [g["query"] for g in english])
        rule_ids = [g["rule_id"] for g in english]
        _, rules_of = chunk_fields(corpus, corpus_rows)

    table = []
    half = [medquad[0::2], medquad[1::2]]
    half_golds = [golds[0::2], golds[1::2]]
    for name, fuse in fusions(candidates).items():
        recall5, mrr = medquad_scores(medquad, golds, doc_of, fuse)
        halves = [medquad_scores(half[i], half_golds[i], doc_of, fuse)[1] for i in (0, 1)]
        entry = {"fusion": name, "medquad_recall@5": round(recall5, 3), "medquad_mrr@10": round(mrr, 3),
                 "mrr_even": round(halves[0], 3), "mrr_odd": round(halves[1], 3)}
        if corpus_rows:
            entry["gold_en_top3"] = round(gold_rate(corpus_rows, rule_ids, rules_of, fuse), 3)
        table.append(entry)
        print("  ".join(f"{k} {v}" for k, v in entry.items()))
    if args.out:
        args.out.write_text(json.dumps(table, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
