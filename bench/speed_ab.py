"""``rag eval speed``'s measurement with two engines side by side: another checkout's ``EdgeStore`` and ours.

Both engines get the same synthetic indexes (1k/10k/100k by default, built from the index's real
chunks as ``rag eval speed`` builds them) and every query runs on all of them in an order that
rotates per query, so a change of load on the shared machine hits both alike; sequential runs a few
minutes apart differed by 3x here at load 15-20.

    python bench/speed_ab.py --index-dir /tmp/ps-corpus --before /work/main/rag/index/edge.py
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from rag.config import Settings  # noqa: E402
from rag.eval.output import table  # noqa: E402
from rag.eval.speed import build_size, growth_exponent, real_chunks, time_queries  # noqa: E402
from rag.index.edge import EdgeStore  # noqa: E402
from rag.workspace import Workspace  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument("--before", type=Path, required=True, help="the other checkout's rag/index/edge.py")
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--queries", type=int, default=100)
    args = parser.parse_args()
    spec = importlib.util.spec_from_file_location("edge_before", args.before)
    assert spec is not None and spec.loader is not None
    before = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(before)

    workspace = Workspace(Settings(index_dir=args.index_dir))
    tokens, vectors, texts = real_chunks(workspace)
    queries = [" ".join(t.split()[:12]) for t in texts[:: max(1, len(texts) // args.queries)]][:args.queries]
    built, folders = [], []
    try:
        for label, store_class in (("before", before.EdgeStore), ("after", EdgeStore)):
            for size in (int(s) for s in args.sizes.split(",")):
                folders.append(Path(tempfile.mkdtemp(prefix=f"speed-ab-{label}-{size}-")))
                b = build_size(workspace, tokens, vectors, size, folders[-1], store_class)
                b.row["engine"] = label
                built.append(b)
                print(f"built {label} {size:,}: {b.row['build_s']:.1f} s", flush=True)
        time_queries(workspace, built, queries, len(tokens))
    finally:
        for b in built:
            b.store.close()
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)
    rows = [b.row for b in built]
    print(table(["engine", "chunks", "build s", "p50 ms", "p95 ms", "p99 ms", "embed p50", "dense p50", "bm25 p50",
                 "recall@10 points / passages", "load avg"],
                [[r["engine"], r["chunks"], r["build_s"], r["p50_ms"], r["p95_ms"], r["p99_ms"], r["stage_p50_ms"]["embed"],
                  r["stage_p50_ms"]["dense"], r["stage_p50_ms"]["bm25"],
                  f"{r['dense_recall_at_10']:.3f} / {r['dense_passage_recall_at_10']:.3f}", r["load_average"]] for r in rows]))
    for label in ("before", "after"):
        mine = [r for r in rows if r["engine"] == label]
        exponent = growth_exponent([(r["chunks"], r["p50_ms"]) for r in mine])
        ratios = ", ".join(f"{r['chunks']:,}: {r['p50_ms'] / mine[0]['p50_ms']:.2f}x" for r in mine)
        print(f"{label}: p50 relative to {mine[0]['chunks']:,} chunks: {ratios}; growth exponent {exponent:.3f}")
    if len(rows) >= 6:
        print(f"p50(100k) / p50(10k): before {rows[2]['p50_ms'] / rows[1]['p50_ms']:.2f}, after {rows[5]['p50_ms'] / rows[4]['p50_ms']:.2f}")
    workspace.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
