"""Fusion chosen by cross-validation over question sets, on cached BM25/dense candidates.

Why: a fusion setting tuned on one question set loses on another (issue 13: on 20 confusable PDQ
summaries hybrid MRR@10 0.968 < BM25 0.981; on all 88 hybrid won). So every candidate fusion is
scored on each set, and a setting is *chosen* on the other sets and *reported* on the held-out one
(leave-one-set-out). Candidates are collected once per set and cached as JSON under ``--cache``, so
re-running the grid costs seconds.

Sets (MRR@10 of the first chunk of the right document / the gold rule's chunk):

- ``pdq20``: MedQuAD questions → the 20 confusable PDQ summaries of ``shared/tools/contract_check.py``;
- ``pdq88``: MedQuAD questions → all 88 PDQ summaries (``--pdq88-index``, an index of ``shared/data/pdq``);
- ``gold-en`` / ``gold-zh``: the clinicians' questions of ``tests/data/gold`` → the bundled corpus
  (Chinese queries are ranked by BM25 alone in production, so every hybrid equals BM25 on gold-zh
  and the dense column is only informative there).

    python bench/fusion_cv.py --pdq-index /tmp/pdq20 --pdq88-index /tmp/pdq88 --corpus-index /tmp/corpus \
        --cache bench/results --compare "convex 0.6"
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from rag.config import Settings  # noqa: E402
from rag.index.tokenize import has_chinese  # noqa: E402
from rag.retrieval.fusion import adaptive_convex, convex, rrf  # noqa: E402
from rag.workspace import Workspace  # noqa: E402

SHARED = next(p for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared", Path("/work/shared")) if p.exists())
PDQ20 = ["breast-hp-male-breast", "breast-hp-pregnancy-breast", "kidney-hp-kidney", "kidney-hp-transitional-cell",
         "leukemia-hp-hairy-cell", "leukemia-hp-adult-all", "liver-hp-adult-liver", "liver-hp-bile-duct",
         "gallbladder-hp-gallbladder", "pancreatic-hp-pancreatic", "pancreatic-hp-pnet",
         "small-intestine-hp-small-intestine", "anal-hp-anal", "skin-hp-skin", "skin-hp-merkel-cell",
         "soft-tissue-sarcoma-hp-kaposi", "lymphoma-hp-aids-related", "uterine-hp-uterine-sarcoma",
         "ovarian-hp-ovarian-germ-cell", "urethral-hp-urethral"]
Candidates = list[tuple[str, float]]
Fusion = Callable[[Candidates, Candidates], list[str]]


def _gold_doc(url: str) -> str | None:
    m = re.search(r"/types/(.+)/patient/(.+)$", url)
    return f"types-{m.group(1).replace('/', '-')}-hp-{m.group(2)}" if m else None


def collect(workspace: Workspace, queries: Sequence[str], depth: int) -> list[dict[str, Candidates]]:
    """Each query's BM25 and dense candidates as the retriever computes them (bench/fusion.py's way)."""
    from fusion import DEPTH
    from fusion import collect as collect_rows

    del depth  # bench/fusion.py's depth (100) is used so both scripts replay the same candidates
    assert DEPTH >= 50
    return [{"bm25": lex, "dense": den} for lex, den in collect_rows(workspace, list(queries))]


def build_sets(pdq_index: Path, corpus_index: Path, cache: Path,
               pdq88_index: Path | None = None) -> dict[str, list[dict]]:
    """The three question sets with their cached candidates and gold targets (chunk ids)."""
    sets: dict[str, list[dict]] = {}
    path = cache / "fusion_cv_pdq20.json"
    if path.exists():
        sets["pdq20"] = json.loads(path.read_text())
    else:
        workspace = Workspace(Settings(index_dir=pdq_index))
        docs = {f"types-{d}-treatment-pdq" for d in PDQ20}
        with open(SHARED / "data" / "medquad_cancergov_qa.csv", newline="") as handle:
            rows = [(r["question"], _gold_doc(r["url"])) for r in csv.DictReader(handle) if _gold_doc(r["url"]) in docs]
        cands = collect(workspace, [q for q, _ in rows], 100)
        ids = {c for row in cands for side in row.values() for c, _ in side}
        doc_of = {c: ch.doc_id for c, ch in workspace.catalog.chunks(sorted(ids)).items()}
        sets["pdq20"] = [{"query": q, "gold": [c for c, d in doc_of.items() if d == g], **row}
                         for (q, g), row in zip(rows, cands, strict=True)]
        workspace.close()
        path.write_text(json.dumps(sets["pdq20"]))
    if pdq88_index is not None:
        path = cache / "fusion_cv_pdq88.json"
        if path.exists():
            sets["pdq88"] = json.loads(path.read_text())
        else:
            workspace = Workspace(Settings(index_dir=pdq88_index))
            docs = {d.doc_id for d in workspace.catalog.documents()}
            with open(SHARED / "data" / "medquad_cancergov_qa.csv", newline="") as handle:
                rows = [(r["question"], _gold_doc(r["url"])) for r in csv.DictReader(handle) if _gold_doc(r["url"]) in docs]
            cands = collect(workspace, [q for q, _ in rows], 100)
            ids = {c for row in cands for side in row.values() for c, _ in side}
            doc_of = {c: ch.doc_id for c, ch in workspace.catalog.chunks(sorted(ids)).items()}
            sets["pdq88"] = [{"query": q, "gold": [c for c, d in doc_of.items() if d == g], **row}
                             for (q, g), row in zip(rows, cands, strict=True)]
            workspace.close()
            path.write_text(json.dumps(sets["pdq88"]))
    for lang in ("en", "zh"):
        path = cache / f"fusion_cv_gold-{lang}.json"
        if path.exists():
            sets[f"gold-{lang}"] = json.loads(path.read_text())
            continue
        workspace = Workspace(Settings(index_dir=corpus_index))
        gold = [json.loads(line) for p in sorted((ROOT / "tests" / "data" / "gold").glob("*.jsonl"))
                for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
        gold = [g for g in gold if g["lang"] == lang]
        cands = collect(workspace, [g["query"] for g in gold], 100)
        ids = {c for row in cands for side in row.values() for c, _ in side}
        rules_of = {c: list(ch.rule_ids) for c, ch in workspace.catalog.chunks(sorted(ids)).items()}
        sets[f"gold-{lang}"] = [{"query": g["query"], "gold": [c for c, r in rules_of.items() if g["rule_id"] in r], **row}
                                for g, row in zip(gold, cands, strict=True)]
        workspace.close()
        path.write_text(json.dumps(sets[f"gold-{lang}"], ensure_ascii=False))
    return sets


def mrr(rows: Sequence[dict], fuse: Fusion, *, hybrid: bool = True) -> float:
    """MRR@10 of the first gold chunk.

    A hybrid applies production's language rule (rag.retrieval.retrieve): MiniLM cannot read Chinese,
    so a Chinese query's hybrid ranking is BM25's (query-adaptive weighting by language, share 0).
    The single retrievers (``hybrid=False``) are scored as they are, so gold-zh shows dense alone too.
    """
    total = 0.0
    for row in rows:
        gold = set(row["gold"])
        lexical = [tuple(x) for x in row["bm25"]]
        chinese = hybrid and has_chinese(row["query"])
        ranking = ([c for c, _ in lexical] if chinese else fuse(lexical, [tuple(x) for x in row["dense"]]))[:10]
        rank = next((i for i, c in enumerate(ranking, 1) if c in gold), None)
        total += 1 / rank if rank else 0.0
    return total / max(len(rows), 1)


def grid(candidates: int) -> dict[str, Fusion]:
    """Single retrievers, convex shares, weighted RRF, and margin-adaptive convex mixes."""
    out: dict[str, Fusion] = {"bm25": lambda lex, den: [c for c, _ in lex], "dense": lambda lex, den: [c for c, _ in den]}
    for share in (0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7):
        out[f"convex {share}"] = lambda lex, den, s=share: [c for c, _ in convex(lex[:candidates], den[:candidates],
                                                                                  dense_share=s)]
        for depth in (10, 20):
            out[f"convex {share} d{depth}"] = lambda lex, den, s=share, d=depth: [
                c for c, _ in convex(lex[:d], den[:d], dense_share=s)]
    for k in (10, 60):
        for w in (0.7, 1.0, 1.5):
            out[f"rrf k={k} w={w}"] = lambda lex, den, k=k, w=w: [c for c, _ in rrf(
                [c for c, _ in lex[:candidates]], [c for c, _ in den[:candidates]], k=k, weights=(1.0, w))]
    for share in (0.15, 0.3, 0.4, 0.5, 0.6):
        for slope in (0.5, 1.0, 2.0, 4.0):
            out[f"adaptive {share} slope {slope}"] = lambda lex, den, s=share, a=slope: [
                c for c, _ in adaptive_convex(lex[:candidates], den[:candidates], base_share=s, slope=a)]
            out[f"adaptive {share} slope {slope} d20"] = lambda lex, den, s=share, a=slope: [
                c for c, _ in adaptive_convex(lex[:20], den[:20], base_share=s, slope=a)]
    return out


def paired_tests(rows: Sequence[dict], fuse: Fusion) -> dict[str, dict[str, float]]:
    """MRR@10 of the hybrid and each single retriever with ranx, and the paired Student's t-test p-value
    (the same test ``rag eval retrieval`` reports)."""
    import warnings

    warnings.filterwarnings("ignore", module=r"ranx\..*")
    import ranx

    qrels = ranx.Qrels.from_dict({str(i): {c: 1 for c in row["gold"]} or {"-": 1} for i, row in enumerate(rows)})

    def run(ranking_of: Callable[[dict], list[str]], name: str) -> Any:
        ranked = {str(i): {c: 100.0 - r for r, c in enumerate(ranking_of(row)[:10])} or {"none": 0.0}
                  for i, row in enumerate(rows)}
        return ranx.Run.from_dict(ranked, name=name)

    def lexical(row: dict) -> list[str]:
        return [c for c, _ in row["bm25"]]

    def hybrid(row: dict) -> list[str]:
        if has_chinese(row["query"]):
            return lexical(row)
        return fuse([tuple(x) for x in row["bm25"]], [tuple(x) for x in row["dense"]])

    runs = [run(hybrid, "hybrid"), run(lexical, "bm25"), run(lambda row: [c for c, _ in row["dense"]], "dense")]
    report = ranx.compare(qrels, runs, metrics=["mrr@10"], stat_test="student", max_p=0.05).to_dict()
    return {single: {"hybrid": float(report["hybrid"]["scores"]["mrr@10"]),
                     "single": float(report[single]["scores"]["mrr@10"]),
                     "p": float(report["hybrid"]["comparisons"][single]["mrr@10"])} for single in ("bm25", "dense")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pdq-index", type=Path, required=True)
    parser.add_argument("--corpus-index", type=Path, required=True)
    parser.add_argument("--pdq88-index", type=Path, help="an index of all 88 PDQ summaries (MedQuAD → pdq88 set)")
    parser.add_argument("--cache", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--compare", help="a fusion of the grid to test against each single retriever (ranx)")
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    sets = build_sets(args.pdq_index, args.corpus_index, args.cache, args.pdq88_index)
    fusions = grid(Settings().candidates)
    table = {name: {s: round(mrr(rows, fuse, hybrid=name not in ("bm25", "dense")), 4) for s, rows in sets.items()}
             for name, fuse in fusions.items()}
    names = list(sets)
    print("fusion".ljust(26) + "".join(n.rjust(10) for n in names) + "   min(hybrid - best single)")
    for name, scores in table.items():
        best_single = {s: max(table["bm25"][s], table["dense"][s]) for s in names}
        margin = min(scores[s] - best_single[s] for s in names)
        print(name.ljust(26) + "".join(f"{scores[s]:10.3f}" for s in names) + f"   {margin:+.3f}")
    print("\nleave-one-set-out: the fusion chosen on the other sets (mean MRR), scored on the held-out set")
    hybrids = [n for n in table if n not in ("bm25", "dense")]
    chosen = {}
    for held in names:
        train = [s for s in names if s != held]
        pick = max(hybrids, key=lambda n: sum(table[n][s] for s in train) / len(train))
        chosen[held] = pick
        print(f"  held out {held}: chose {pick!r}, MRR {table[pick][held]:.3f} "
              f"(bm25 {table['bm25'][held]:.3f}, dense {table['dense'][held]:.3f})")
    pvalues = {s: paired_tests(rows, fusions[args.compare]) for s, rows in sets.items()} if args.compare else {}
    for name, tests in pvalues.items():
        print(f"  {args.compare!r} on {name}: " + ", ".join(f"vs {m} MRR@10 {v['hybrid']:.3f} vs {v['single']:.3f}, "
                                                         f"p = {v['p']:.4f}" for m, v in tests.items()))
    if args.out:
        args.out.write_text(json.dumps({"table": table, "chosen": chosen, "pvalues": pvalues}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
