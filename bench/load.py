"""Load test: N concurrent clients against `rag serve` or any JSON search API, for a bounded time.

Why: issue 14 asks for 0 errors at 64 clients and p95 <= 1 s at 8, and for memory that stays flat
(RSS sampled every second) — the numbers a clinic's shared workstation or small server will see.

Two ways to point it:

- no ``--base-url``: starts ``python -m rag serve`` from ``--repo`` (default: this checkout) on
  ``--index-dir``, reads its URL from ``server.json`` and its token from ``server.token``, and samples
  its RSS. Running it once with ``--repo /work/main`` gives the baseline beside a branch.
- ``--base-url http://127.0.0.1:7860 --route /api/search [--token T] [--pid PID]``: any running
  server with the CONTRACT.md search body (the web app); ``--pid`` enables RSS sampling.

Extractive backend only (search is the hot path; ``--route /ask`` works for `rag serve` as well).
Prints a Markdown table and writes ``--out results.json``.

    python bench/load.py --index-dir /tmp/bench-index --clients 8,32,64 --seconds 60
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

QUERIES = [
    "visceral pleural invasion T2a", "subcarinal lymph node N2", "Lung-RADS category 4A follow-up",
    "TI-RADS points for a solid hypoechoic nodule", "prostate grade group 3 PSA 12 stage", "breast cancer anatomic stage IIA",
    "colorectal T4a visceral peritoneum", "LI-RADS LR-5 arterial phase hyperenhancement washout",
    "PI-RADS 4 peripheral zone DWI", "BI-RADS 4B suspicion", "glioblastoma IDH-wildtype CNS WHO grade 4",
    "oesophageal squamous cell carcinoma grade location stage", "gastric cancer pT3 pN2", "what is M1c in lung cancer",
    "tumour larger than 7 cm", "isolated tumour cells in a sentinel node",
]


@dataclass
class Level:
    clients: int
    seconds: float
    requests: int = 0
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)
    throughput_rps: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    rss_mb: list[float] = field(default_factory=list)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def rss_mb(pid: int) -> float:
    """Resident memory of one process (the server is one process), from /proc."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def one_request(base: str, route: str, token: str | None, query: str, k: int, timeout: float) -> tuple[int, bytes]:
    parts = urlsplit(base)
    body = json.dumps({"question": query} if route.endswith("/ask") else {"query": query, "k": k}).encode()
    headers = {"Content-Type": "application/json", "Content-Length": str(len(body)), "Host": parts.netloc}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=timeout)
    try:
        connection.request("POST", route, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def run_level(base: str, route: str, token: str | None, clients: int, seconds: float, pid: int | None,
              k: int, timeout: float) -> Level:
    level = Level(clients, seconds)
    latencies: list[float] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    done = threading.Event()

    def client(seed: int) -> None:
        rng = random.Random(seed)
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            kind = ""
            try:
                status, payload = one_request(base, route, token, rng.choice(QUERIES), k, timeout)
                if status != 200:
                    kind = f"HTTP {status}"
                else:
                    json.loads(payload)
            except Exception as exc:  # noqa: BLE001 - every failure is counted by kind, none stops the run
                kind = type(exc).__name__
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                level.requests += 1
                if kind:
                    level.errors += 1
                    level.error_kinds[kind] = level.error_kinds.get(kind, 0) + 1
                else:
                    latencies.append(elapsed)

    def sample() -> None:
        while not done.wait(1.0):
            if pid:
                level.rss_mb.append(round(rss_mb(pid), 1))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    done.set()
    sampler.join()
    level.throughput_rps = round((level.requests - level.errors) / wall, 2)
    level.p50_ms, level.p95_ms, level.p99_ms = (round(percentile(latencies, q), 1) for q in (50, 95, 99))
    level.max_ms = round(max(latencies, default=0.0), 1)
    return level


def start_server(repo: Path, index_dir: Path) -> tuple[subprocess.Popen[str], str, str | None]:
    """`python -m rag serve` from ``repo`` on ``index_dir``: (process, base URL, token or None for old servers)."""
    env = dict(os.environ, RAG_INDEX_DIR=str(index_dir), PYTHONPATH=str(repo), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    for name in ("server.json", "server.token"):
        (index_dir / name).unlink(missing_ok=True)
    process = subprocess.Popen([sys.executable, "-m", "rag", "serve"], cwd=repo, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while not (index_dir / "server.json").exists():
        if process.poll() is not None:
            raise SystemExit(f"rag serve exited: {process.stderr.read() if process.stderr else ''}")
        if time.monotonic() > deadline:
            process.kill()
            raise SystemExit("rag serve did not start within 300 s")
        time.sleep(0.2)
    url = json.loads((index_dir / "server.json").read_text())["url"]
    token_path = index_dir / "server.token"
    token = token_path.read_text().strip() if token_path.exists() else None
    return process, url, token


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base-url", help="a running server; omit to start `rag serve` from --repo")
    parser.add_argument("--route", default="/search", help="/search (rag serve), /api/search (web app), /ask")
    parser.add_argument("--token", help="bearer token for --base-url")
    parser.add_argument("--pid", type=int, help="server process id for RSS sampling (with --base-url)")
    parser.add_argument("--repo", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--index-dir", type=Path, default=Path(os.environ.get("RAG_INDEX_DIR", "indexes")))
    parser.add_argument("--clients", default="8,32,64")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--k", type=int, default=8)
    parser.add_argument("--timeout", type=float, default=120, help="per-request timeout (s)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)

    process = None
    if args.base_url:
        base, token, pid = args.base_url.rstrip("/"), args.token, args.pid
    else:
        process, base, token = start_server(args.repo.resolve(), args.index_dir.resolve())
        pid = process.pid
    try:
        one_request(base, args.route, token, "warm up the model", args.k, args.timeout)  # load the model before timing
        levels = [run_level(base, args.route, token, int(n), args.seconds, pid, args.k, args.timeout)
                  for n in args.clients.split(",")]
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=60)
    print(f"{base}{args.route} — {args.seconds:g} s per level, repo {args.repo if process else '(external)'}")
    print("| clients | requests | ok req/s | p50 ms | p95 ms | p99 ms | max ms | errors | RSS MB first/max/last |")
    print("|---|---|---|---|---|---|---|---|---|")
    for lv in levels:
        rss = f"{lv.rss_mb[0]:.0f}/{max(lv.rss_mb):.0f}/{lv.rss_mb[-1]:.0f}" if lv.rss_mb else "-"
        errors = f"{lv.errors} {lv.error_kinds}" if lv.errors else "0"
        print(f"| {lv.clients} | {lv.requests} | {lv.throughput_rps} | {lv.p50_ms} | {lv.p95_ms} | {lv.p99_ms} | {lv.max_ms} | {errors} | {rss} |")
    if args.out:
        args.out.write_text(json.dumps({"base": base, "route": args.route, "levels": [asdict(lv) for lv in levels]},
                                       indent=1, allow_nan=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
