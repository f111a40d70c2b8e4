"""What opening a read-only index costs: the private copy of the vector shard (rag/index/edge.py).

Why: qdrant-edge cannot open a shard read-only, so a read-only index is searched from a temporary
copy. This measures, in one process and on the same index, the open (load + exact count) of

- a writable copy of the index, opened in place (the normal path: the baseline), and
- the read-only index itself (copy to a temporary folder, then load), with the copy's share,

and the first hybrid search after each open. The read-only index must really be read-only for this
process: a read-only mount, or ``chmod -R a-w`` as a user that file modes bind.

    python bench/readonly_open.py --read-only-index /mnt/ro/index --repeat 10
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from rag.config import Settings
from rag.index.edge import EdgeStore
from rag.retrieval.retrieve import Retriever
from rag.workspace import Workspace


def open_and_search(index_dir: Path) -> tuple[float, float, float | None]:
    """(open seconds, first hybrid search seconds, copy seconds or None) for a fresh workspace."""
    workspace = Workspace(Settings(index_dir=index_dir))
    try:
        started = time.perf_counter()
        store = workspace.vectors
        store.count()
        opened = time.perf_counter() - started
        workspace.embedder.embed_query("warm")  # the model is not what is measured
        started = time.perf_counter()
        Retriever(workspace).search("subcarinal station 7 nodes", k=8, mode="hybrid")
        searched = time.perf_counter() - started
        copy = store.copy_seconds if isinstance(store, EdgeStore) else None
        return opened, searched, copy
    finally:
        workspace.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--read-only-index", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args(argv)
    index = args.read_only_index.resolve()
    store = EdgeStore(Settings(index_dir=index))
    if not store.read_only:
        raise SystemExit(f"{index} is writable by this process: mount it read-only or chmod -R a-w it (as a non-root user)")
    files = [f for f in store.path.rglob("*") if f.is_file()]
    shard_bytes = sum(f.stat().st_size for f in files)
    shard_disk = sum(f.stat().st_blocks * 512 for f in files)  # segment files are sparse
    writable = Path(tempfile.mkdtemp(prefix="bench-writable-"))
    shutil.copytree(index, writable / "index", ignore=shutil.ignore_patterns("server.*"))
    rows: dict[str, list[tuple[float, float, float | None]]] = {"writable (in place)": [], "read-only (private copy)": []}
    try:
        for _ in range(args.repeat):  # interleaved, so drift on a shared machine hits both alike
            rows["writable (in place)"].append(open_and_search(writable / "index"))
            rows["read-only (private copy)"].append(open_and_search(index))
    finally:
        shutil.rmtree(writable, ignore_errors=True)
    base_open = statistics.median(r[0] for r in rows["writable (in place)"])
    print(f"shard {store.path} — {shard_bytes / 2**20:.1f} MiB long, {shard_disk / 2**20:.1f} MiB on disk, "
          f"{args.repeat} opens each (interleaved), medians, {os.cpu_count()} CPUs")
    print("| open | open ms | copy ms | first hybrid search ms | open vs writable |")
    print("|---|---|---|---|---|")
    for name, values in rows.items():
        opened = statistics.median(v[0] for v in values)
        copies = [v[2] for v in values if v[2] is not None]
        copy = f"{statistics.median(copies) * 1000:.1f}" if copies else "-"
        searched = statistics.median(v[1] for v in values)
        print(f"| {name} | {opened * 1000:.1f} | {copy} | {searched * 1000:.1f} | {opened / base_open:.2f}x |")
    left = [p for p in Path(tempfile.gettempdir()).glob("rag-edge-readonly-*")]
    print(f"private copies left in {tempfile.gettempdir()}: {len(left)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
