"""Ours against the LlamaIndex-docs baseline, same documents, same questions, same run: the table issues 15 and 16 ask for.

Runs in the project's venv; the baseline (``bench/baseline_llamaindex.py``) runs as a subprocess with
its own venv's python (see that file for the one-line install). Both sides are serving processes
that only open a built index and answer JSON-line queries; each times its own retrieval, so the pipe
is counted on neither side. The driver sends the questions in blocks of ``--block``, alternating
which side goes first, so both see the same load. Serving RSS is each server's VmRSS after all the
queries (warm), and its peak.

    python bench/versus_llamaindex.py                                   # 20 contract docs, ~10 min the first time
    python bench/versus_llamaindex.py --index-dir /tmp/versus-ours-20   # reuse our built index (the default)
    python bench/versus_llamaindex.py --chunk-size 256                  # the baseline with 256-token chunks

Built indexes are cached (ours under ``--index-dir``, with the ingest figures in
``bench_ingest.json``; the baseline's under ``--li-cache``), so a rerun only measures queries and
reports the cached ingest figures. The 88-document scale (``--docs all``) means embedding about 21k
chunks per side: well over an hour on this loaded 2-core box, so not run here.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

BASELINE_SCRIPT = REPO / "bench" / "baseline_llamaindex.py"
MODES = ("bm25", "dense", "hybrid")
TOP_K = 10


def _baseline_module():  # type: ignore[no-untyped-def]
    """The baseline script as a module (its top level imports only the standard library)."""
    spec = importlib.util.spec_from_file_location("baseline_llamaindex", BASELINE_SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def ingest_ours(index_dir: Path, files: list[Path]) -> dict[str, Any]:
    """Our index for these files, built once (timed, model load excluded) and then reused."""
    meta_path = index_dir / "bench_ingest.json"
    if meta_path.exists() and json.loads(meta_path.read_text()).get("files") == [f.name for f in files]:
        return {**json.loads(meta_path.read_text()), "cached": True}
    from rag.config import Settings
    from rag.corpus.ingest import ingest
    from rag.workspace import Workspace

    index_dir.mkdir(parents=True, exist_ok=True)
    workspace = Workspace(Settings(index_dir=index_dir))
    workspace.embedder.embed_query("warm up")  # model load is not ingest work (as bench/retrieval.py)
    started = time.perf_counter()
    report = ingest(workspace, files, progress=False)
    ingest_s = time.perf_counter() - started
    chunks = workspace.catalog.count_chunks()
    workspace.close()
    meta = {"documents": len(files), "chunks": chunks, "embedded": report.embedded, "ingest_s": round(ingest_s, 1),
            "chunks_per_s": round(chunks / ingest_s, 2), "files": [f.name for f in files]}
    meta_path.write_text(json.dumps(meta, indent=2))
    return {**meta, "cached": False}


def rss_mb() -> dict[str, float]:
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            name, value = line.split(":", 1)
            fields[name] = round(int(value.split()[0]) / 1024, 1)
    return {"rss_mb": fields.get("VmRSS", 0.0), "peak_rss_mb": fields.get("VmHWM", 0.0)}


def serve_ours(index_dir: Path) -> int:
    """Our serving process: the same JSON-line protocol as the baseline's ``--serve``."""
    from rag.config import Settings
    from rag.retrieval.retrieve import Retriever
    from rag.workspace import Workspace

    workspace = Workspace(Settings(index_dir=index_dir))
    retriever = Retriever(workspace)
    out = sys.stdout
    out.write(json.dumps({"ready": True}) + "\n")
    out.flush()
    for line in sys.stdin:
        request = json.loads(line)
        if request.get("cmd") == "rss":
            reply: dict[str, Any] = rss_mb()
        elif request.get("cmd") == "quit":
            break
        else:
            started = time.perf_counter()
            hits = retriever.search(request["q"], k=TOP_K, mode=request.get("mode", "hybrid"))
            ms = (time.perf_counter() - started) * 1000
            reply = {"ms": ms, "docs": [h.document.doc_id for h in hits]}
        out.write(json.dumps(reply) + "\n")
        out.flush()
    workspace.close()
    return 0


class Server:
    """One side's serving subprocess."""

    def __init__(self, name: str, command: list[str], extra_env: dict[str, str] | None = None) -> None:
        self.name = name
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONPATH": str(REPO), **(extra_env or {})}
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, cwd=REPO)
        self.ready = self._read()

    def _read(self) -> dict[str, Any]:
        stdout: IO[str] | None = self.process.stdout
        assert stdout is not None
        line = stdout.readline()
        if not line:
            raise SystemExit(f"{self.name} server exited (rc {self.process.wait()})")
        return json.loads(line)

    def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        return self._read()

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"cmd": "quit"}) + "\n")
        self.process.stdin.flush()
        self.process.wait(timeout=60)


def _bench_retrieval():  # type: ignore[no-untyped-def]
    """bench/retrieval.py, imported only by the driver: it pulls in ingest, which a serving process must not pay for."""
    from bench import retrieval

    return retrieval


def rank_of(docs: list[str], gold: str) -> int | None:
    return next((i + 1 for i, d in enumerate(docs) if d == gold), None)


def run_interleaved(servers: list[Server], questions: list[dict[str, str]], mode: str, block: int) -> dict[str, dict[str, Any]]:
    """Every question on every side, in blocks that alternate which side goes first."""
    gold_doc, percentile = _bench_retrieval().gold_doc, _bench_retrieval().percentile
    latencies: dict[str, list[float]] = {s.name: [] for s in servers}
    ranks: dict[str, list[int | None]] = {s.name: [] for s in servers}
    for b, start in enumerate(range(0, len(questions), block)):
        chunk = questions[start:start + block]
        for server in servers if b % 2 == 0 else servers[::-1]:
            for q in chunk:
                reply = server.ask({"q": q["question"], "mode": mode})
                latencies[server.name].append(reply["ms"])
                ranks[server.name].append(rank_of(reply["docs"], gold_doc(q["url"]) or ""))
    n = len(questions)
    return {name: {"recall@5": round(sum(1 for r in ranks[name] if r and r <= 5) / n, 3),
                   "mrr@10": round(sum(1 / r for r in ranks[name] if r) / n, 3),
                   "p50_ms": round(percentile(latencies[name], 0.5), 2), "p95_ms": round(percentile(latencies[name], 0.95), 2)}
            for name in latencies}


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "—"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", default="20", help="N contract docs, or 'all' (88: not affordable on this box)")
    parser.add_argument("--index-dir", type=Path, help="our index (default /tmp/versus-ours-<docs>)")
    parser.add_argument("--li-python", default="/tmp/li-venv/bin/python")
    parser.add_argument("--li-cache", type=Path, default=Path("/tmp/li-baseline"))
    parser.add_argument("--chunk-size", type=int, help="the baseline's SentenceSplitter chunk_size (default: its own)")
    parser.add_argument("--li-env", action="append", default=[], metavar="KEY=VALUE",
                        help="environment for the baseline only, e.g. OMP_NUM_THREADS=1 (a tuned baseline; default: as installed)")
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--block", type=int, default=10)
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    parser.add_argument("--serve-ours", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    index_dir = args.index_dir or Path(f"/tmp/versus-ours-{args.docs}")
    if args.serve_ours:
        return serve_ours(index_dir)

    baseline = _baseline_module()
    assert baseline.CONTRACT_DOCS == _bench_retrieval().CONTRACT_DOCS, "the baseline's document list drifted from bench/retrieval.py"
    shared = baseline.find_shared()
    files = baseline.pdq_files(shared, args.docs)
    questions = baseline.questions_for(shared, files)

    ours_ingest = ingest_ours(index_dir, files)
    print(f"ours: {ours_ingest['chunks']} chunks, ingest {ours_ingest['ingest_s']} s"
          f"{' (cached)' if ours_ingest['cached'] else ''}", file=sys.stderr)
    li_command = [args.li_python, str(BASELINE_SCRIPT), "--serve", "--docs", args.docs, "--cache", str(args.li_cache),
                  "--shared", str(shared)]
    if args.chunk_size:
        li_command += ["--chunk-size", str(args.chunk_size)]
    li_env = dict(item.split("=", 1) for item in args.li_env)
    theirs = Server("llamaindex", li_command, li_env)  # builds its index first when the cache lacks it
    li_ingest = theirs.ready["meta"]
    print(f"llamaindex: {li_ingest['chunks']} chunks, ingest {li_ingest['ingest_s']} s"
          f"{' (cached)' if li_ingest['cached'] else ''}", file=sys.stderr)
    ours = Server("ours", [sys.executable, str(Path(__file__).resolve()), "--serve-ours", "--index-dir", str(index_dir)])
    servers = [ours, theirs]
    modes = [m for m in args.modes.split(",") if m]
    for server in servers:  # warm-up: first-query costs (lazy loads, caches) are not serving latency
        for q in questions[:5]:
            for mode in modes:
                server.ask({"q": q["question"], "mode": mode})
    figures: dict[str, Any] = {"documents": len(files), "questions": len(questions), "load_start": round(os.getloadavg()[0], 1),
                               "ingest": {"ours": ours_ingest, "llamaindex": li_ingest}, "li_env": li_env}
    for mode in modes:
        figures[mode] = run_interleaved(servers, questions, mode, args.block)
    figures["serving"] = {s.name: s.ask({"cmd": "rss"}) for s in servers}
    figures["load_end"] = round(os.getloadavg()[0], 1)
    for server in servers:
        server.close()

    for side in figures["ingest"].values():
        side.pop("files", None)
    print(f"\n{len(files)} PDQ summaries, {len(questions)} MedQuAD questions; load {figures['load_start']} → {figures['load_end']}"
          f"{'; baseline env ' + str(li_env) if li_env else ''}")
    print(f"{'':28s} {'ours':>10s} {'llamaindex':>11s} {'ours/theirs':>12s}")
    for mode in modes:
        o, t = figures[mode]["ours"], figures[mode]["llamaindex"]
        for metric in ("mrr@10", "recall@5", "p50_ms", "p95_ms"):
            print(f"{mode + ' ' + metric:28s} {o[metric]:10.3f} {t[metric]:11.3f} {ratio(o[metric], t[metric]):>12s}")
    oi, ti = figures["ingest"]["ours"], figures["ingest"]["llamaindex"]
    print(f"{'chunks':28s} {oi['chunks']:10d} {ti['chunks']:11d} {ratio(oi['chunks'], ti['chunks']):>12s}")
    print(f"{'ingest s':28s} {oi['ingest_s']:10.1f} {ti['ingest_s']:11.1f} {ratio(oi['ingest_s'], ti['ingest_s']):>12s}")
    print(f"{'ingest chunks/s':28s} {oi['chunks_per_s']:10.2f} {ti['chunks_per_s']:11.2f} "
          f"{ratio(oi['chunks_per_s'], ti['chunks_per_s']):>12s}")
    os_, ts = figures["serving"]["ours"], figures["serving"]["llamaindex"]
    print(f"{'serving RSS MB (warm)':28s} {os_['rss_mb']:10.1f} {ts['rss_mb']:11.1f} {ratio(os_['rss_mb'], ts['rss_mb']):>12s}")
    print(f"{'serving peak RSS MB':28s} {os_['peak_rss_mb']:10.1f} {ts['peak_rss_mb']:11.1f} "
          f"{ratio(os_['peak_rss_mb'], ts['peak_rss_mb']):>12s}")
    if args.out:
        args.out.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
