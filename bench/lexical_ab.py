"""The pre-issue-16 ``LexicalIndex.search`` (bm25s ``retrieve`` with ``n_threads=1``, a fresh mask per
filtered call) against the current one and bm25s's own ``retrieve``, interleaved in one process.

Asserts identical (chunk id, score) lists on every question, unfiltered and filtered, before timing:

    python bench/lexical_ab.py --index-dir /tmp/versus-ours-20
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.lexical_profile import find_shared, percentile  # noqa: E402
from bench.retrieval import gold_doc  # noqa: E402
from rag.config import Settings  # noqa: E402
from rag.index.lexical import LexicalIndex  # noqa: E402
from rag.retrieval.retrieve import prepare_query  # noqa: E402
from rag.workspace import Workspace  # noqa: E402


def old_search(index: LexicalIndex, tokens: Sequence[str], limit: int, allowed: set[str] | None) -> list[tuple[str, float]]:
    """LexicalIndex.search as it was (main at a979c9c)."""
    known = [t for t in tokens if t in index.vocab]
    mask = None
    if allowed is not None:
        mask = np.zeros(len(index.chunk_ids), dtype=np.float32)
        for doc_id in allowed:
            mask[index._doc_positions.get(doc_id, [])] = 1.0
    k = min(limit, len(index.chunk_ids))
    docs, scores = index._retriever.retrieve([known], k=k, show_progress=False, weight_mask=mask, n_threads=1)
    return [(index.chunk_ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0], strict=True) if s > 0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index-dir", type=Path, default=Path("/tmp/versus-ours-20"))
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    workspace = Workspace(Settings(index_dir=args.index_dir))
    index = workspace.lexical()
    assert index is not None
    ids = {d.doc_id for d in workspace.catalog.documents()}
    with open(find_shared() / "data" / "medquad_cancergov_qa.csv", newline="") as handle:
        tokens = [prepare_query(r["question"]).tokens for r in csv.DictReader(handle) if gold_doc(r["url"]) in ids]
    some = set(sorted(ids)[:7])
    for allowed in (None, some):
        for t in tokens:
            assert old_search(index, t, 50, allowed) == index.search(t, 50, allowed)
    print(f"identical: {len(tokens)} questions, unfiltered and filtered to 7 documents")

    def bm25s_retrieve(t: Sequence[str], limit: int, allowed: set[str] | None) -> object:
        return index._retriever.retrieve([[x for x in t if x in index.vocab]], k=limit, show_progress=False, n_threads=0)

    fns: dict[str, Callable[[Sequence[str], int, set[str] | None], object]] = {
        "old": lambda t, n, a: old_search(index, t, n, a), "new": index.search, "bm25s": bm25s_retrieve}
    names = list(fns)
    wall: dict[tuple[str, str], list[float]] = {}
    cpu: dict[tuple[str, str], list[float]] = {}
    for r in range(args.repeats):
        for i, t in enumerate(tokens):
            shift = (i + r) % len(names)
            for label, allowed in (("none", None), ("7 docs", some)):
                for name in names[shift:] + names[:shift]:
                    if name == "bm25s" and allowed is not None:
                        continue
                    w, c = time.perf_counter(), time.thread_time()
                    fns[name](t, 50, allowed)
                    cpu.setdefault((name, label), []).append((time.thread_time() - c) * 1000)
                    wall.setdefault((name, label), []).append((time.perf_counter() - w) * 1000)
    base = percentile(cpu[("bm25s", "none")], 0.5)
    print(f"load {os.getloadavg()[0]:.1f}; ms, {len(tokens)} questions × {args.repeats}, depth 50")
    for key in wall:
        print(f"{key[0]:6s} {key[1]:7s} wall p50 {percentile(wall[key], 0.5):7.3f}  p95 {percentile(wall[key], 0.95):7.3f}  "
              f"CPU p50 {percentile(cpu[key], 0.5):6.3f}  CPU / bm25s {percentile(cpu[key], 0.5) / base:5.2f}")
    workspace.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
