"""Where our BM25 path spends its time, stage by stage, against bm25s's own ``retrieve`` (issue 16, item 3).

Stages, each timed per question in one process, in rotating order (so load hits them alike):

- ``search``: ``Retriever.search(q, k=10, mode="bm25")``, what a user waits for (``search_cold``: with
  the chunk-row memo emptied first);
- ``prepare``: ``prepare_query`` (tokenisation; glossary expansion only for Chinese, none here);
- ``lexical``: ``Retriever._lexical`` (generation lookup, filter, ``LexicalIndex.search``);
- ``index``: ``LexicalIndex.search`` alone;
- ``bm25s``: ``bm25s.BM25.retrieve`` alone on the same known tokens and depth (the floor);
- ``hits``: ``Retriever._hits`` (registry reads for the ranked ids, memoised per catalogue generation
  by ``rag.corpus.live_view``: warm after the first repeat);
- ``hits_cold``: the same with the chunk-row memo emptied first (a question nobody asked yet).

Then a cProfile of ``search`` over all questions. ``--dump FILE`` writes every question's BM25
(chunk id, score) list and hybrid top-10, so two checkouts can be compared for identical results:

    python bench/lexical_profile.py --index-dir /tmp/versus-ours-20 --dump /tmp/after.json
    PYTHONPATH=/work/main python /work/main/... (or git stash) --dump /tmp/before.json; then --compare both
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import json
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from rag.config import Settings  # noqa: E402
from rag.retrieval.retrieve import Retriever, prepare_query  # noqa: E402
from rag.types import DocFilter  # noqa: E402
from rag.workspace import Workspace  # noqa: E402


def questions(shared: Path, index_dir: Path) -> list[str]:
    """MedQuAD questions whose answer document is in the index; for an index without PDQ (the bundled
    corpora) the English gold questions of tests/data/gold, which are written for those corpora."""
    from bench.retrieval import gold_doc

    workspace = Workspace(Settings(index_dir=index_dir))
    ids = {d.doc_id for d in workspace.catalog.documents()}
    workspace.close()
    with open(shared / "data" / "medquad_cancergov_qa.csv", newline="") as handle:
        medquad = [r["question"] for r in csv.DictReader(handle) if gold_doc(r["url"]) in ids]
    if medquad:
        return medquad
    rows = [json.loads(line) for f in sorted((REPO / "tests" / "data" / "gold").glob("*.jsonl"))
            for line in f.read_text().splitlines() if line.strip()]
    return [r["query"] for r in rows if r.get("lang") == "en"]


def find_shared() -> Path:
    for candidate in (REPO.parent / "shared", REPO.parent.parent / "shared"):
        if (candidate / "data" / "pdq").is_dir():
            return candidate
    raise SystemExit("shared/data not found")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index-dir", type=Path, default=Path("/tmp/versus-ours-20"))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--dump", type=Path, help="write BM25 and hybrid rankings here")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"), help="compare two dumps and exit")
    parser.add_argument("--no-profile", action="store_true")
    args = parser.parse_args()
    if args.compare:
        before, after = (json.loads(p.read_text()) for p in args.compare)
        same = sum(1 for q in before if before[q] == after.get(q))
        print(f"identical rankings: {same} / {len(before)} questions")
        return 0 if same == len(before) == len(after) else 1

    texts = questions(find_shared(), args.index_dir)
    workspace = Workspace(Settings(index_dir=args.index_dir))
    retriever = Retriever(workspace)
    depth = max(workspace.settings.candidates, 10)
    flt = DocFilter()
    index = workspace.lexical()
    assert index is not None
    for text in texts[:5]:  # warm-up
        retriever.search(text, k=10, mode="bm25")

    if args.dump:
        dump: dict[str, Any] = {}
        for text in texts:
            bm25 = retriever._lexical(prepare_query(text), depth, flt)
            hybrid = [h.chunk.chunk_id for h in retriever.search(text, k=10, mode="hybrid")]
            dump[text] = {"bm25": [[c, round(s, 5)] for c, s in bm25], "hybrid": hybrid}
        args.dump.write_text(json.dumps(dump))
        print(f"wrote {len(dump)} questions' rankings to {args.dump}")

    queries = {t: prepare_query(t) for t in texts}
    known = {t: [tok for tok in q.tokens if tok in index.vocab] for t, q in queries.items()}
    ranked = {t: retriever._lexical(q, depth, flt) for t, q in queries.items()}
    stages: dict[str, Callable[[str], object]] = {
        "search": lambda t: retriever.search(t, k=10, mode="bm25"),
        "search_cold": lambda t: (workspace.live._chunks.clear(), retriever.search(t, k=10, mode="bm25")),
        "prepare": lambda t: prepare_query(t),
        "lexical": lambda t: retriever._lexical(queries[t], depth, flt),
        "index": lambda t: index.search(queries[t].tokens, depth, None),
        "bm25s": lambda t: index._retriever.retrieve([known[t]], k=depth, show_progress=False, n_threads=0),
        "hits": lambda t: retriever._hits(ranked[t], 10, flt),
        # A question whose passages no search has read yet: the chunk-row memo emptied first.
        "hits_cold": lambda t: (workspace.live._chunks.clear(), retriever._hits(ranked[t], 10, flt)),
    }
    wall: dict[str, list[float]] = {s: [] for s in stages}
    cpu: dict[str, list[float]] = {s: [] for s in stages}
    names = list(stages)
    # The cold stages empty the memo, so they take turns with bm25s in a pass of their own: mixed
    # with the warm stages they would leave those cold too.
    cold = [n for n in names if n.endswith("_cold")]
    for group in ([n for n in names if n not in cold], [*cold, "bm25s"]):
        for r in range(args.repeats):
            for i, text in enumerate(texts):
                shift = (i + r) % len(group)
                for name in group[shift:] + group[:shift]:
                    w, c = time.perf_counter(), time.thread_time()
                    stages[name](text)
                    cpu[name].append((time.thread_time() - c) * 1000)
                    wall[name].append((time.perf_counter() - w) * 1000)
    base = percentile(cpu["bm25s"], 0.5)
    print(f"{len(texts)} questions × {args.repeats}, depth {depth}, {len(index.chunk_ids)} chunks")
    print(f"{'stage':10s} {'p50 wall':>9s} {'p95 wall':>9s} {'p50 CPU':>8s} {'CPU / bm25s':>12s}")
    for name in names:
        print(f"{name:10s} {percentile(wall[name], 0.5):9.3f} {percentile(wall[name], 0.95):9.3f} "
              f"{percentile(cpu[name], 0.5):8.3f} {percentile(cpu[name], 0.5) / base:12.2f}")

    if not args.no_profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for text in texts:
            retriever.search(text, k=10, mode="bm25")
        profiler.disable()
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(30)
        print(stream.getvalue())
    workspace.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
