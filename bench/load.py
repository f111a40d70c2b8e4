"""Load test: N concurrent clients against `rag serve` and the web app's REST API, for a bounded time.

Why: issue 14 asks for 0 errors at 64 clients and p95 <= 1 s at 8, and for memory that stays flat
(RSS sampled every second) — the numbers a clinic's shared workstation or small server will see.

Two ways to point it:

- no ``--base-url``: starts each of ``--servers`` (default ``serve,web``) from ``--repo`` (default: this
  checkout) on ``--index-dir``, one after the other (one process may hold the embedded index):
  ``python -m rag serve`` (URL from ``server.json``, token from ``server.token``, route ``/search``) and
  ``python app.py`` on a free port (route ``/api/search``, ready when ``/api/health`` says ok), and
  samples the server's RSS. Running it once with ``--repo /work/main`` gives the baseline beside a branch.
- ``--base-url http://127.0.0.1:7860 --route /api/search [--token T] [--pid PID]``: any running
  server with the CONTRACT.md search body (the web app); ``--pid`` enables RSS sampling.

Extractive backend only (search is the hot path; ``--route /ask`` works for `rag serve` as well).
The machine's load average (``/proc/loadavg``) is recorded before and after each level: on a shared
machine the client threads and other work compete with the server for the same cores.
Prints a Markdown table per server and writes ``--out results.json``.

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
    load_before: str = ""
    load_after: str = ""


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
    level = Level(clients, seconds, load_before=load_average())
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
    level.load_after = load_average()
    return level


def load_average() -> str:
    """The 1/5/15-minute load averages, as ``uptime`` prints them."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return ""


def _server_env(repo: Path, index_dir: Path) -> dict[str, str]:
    return dict(os.environ, RAG_INDEX_DIR=str(index_dir), PYTHONPATH=str(repo), HF_HUB_OFFLINE="1",
                TRANSFORMERS_OFFLINE="1", RAG_LLM_BACKEND="extractive")


def start_server(repo: Path, index_dir: Path) -> tuple[subprocess.Popen[str], str, str | None]:
    """`python -m rag serve` from ``repo`` on ``index_dir``: (process, base URL, token or None for old servers)."""
    env = _server_env(repo, index_dir)
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


def start_web_app(repo: Path, index_dir: Path) -> tuple[subprocess.Popen[str], str, None]:
    """``python app.py`` from ``repo`` on ``index_dir`` and a free port, once ``/api/health`` says ok."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    env = dict(_server_env(repo, index_dir), GRADIO_SERVER_NAME="127.0.0.1", GRADIO_SERVER_PORT=str(port),
               RAG_CORPORA_DIR=str(repo / "corpora"))
    process = subprocess.Popen([sys.executable, str(repo / "app.py")], cwd=repo, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 600
    while True:
        if process.poll() is not None:
            raise SystemExit(f"the web app exited: {process.stderr.read() if process.stderr else ''}")
        if time.monotonic() > deadline:
            process.kill()
            raise SystemExit("the web app was not ready within 600 s")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", "/api/health", headers={"Host": f"127.0.0.1:{port}"})
            if connection.getresponse().status == 200:
                return process, base, None
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.5)


SERVERS = {"serve": (start_server, "/search"), "web": (start_web_app, "/api/search")}


def measure(base: str, route: str, token: str | None, pid: int | None, args: argparse.Namespace) -> list[Level]:
    one_request(base, route, token, "warm up the model", args.k, args.timeout)  # load the model before timing
    return [run_level(base, route, token, int(n), args.seconds, pid, args.k, args.timeout) for n in args.clients.split(",")]


def print_table(title: str, levels: list[Level]) -> None:
    print(title)
    print("| clients | requests | ok req/s | p50 ms | p95 ms | p99 ms | max ms | errors | RSS MB min/max (first/last) | load avg before → after |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for lv in levels:
        rss = (f"{min(lv.rss_mb):.0f}/{max(lv.rss_mb):.0f} ({lv.rss_mb[0]:.0f}/{lv.rss_mb[-1]:.0f})"
               if lv.rss_mb else "-")
        errors = f"{lv.errors} {lv.error_kinds}" if lv.errors else "0"
        print(f"| {lv.clients} | {lv.requests} | {lv.throughput_rps} | {lv.p50_ms} | {lv.p95_ms} | {lv.p99_ms} | {lv.max_ms} "
              f"| {errors} | {rss} | {lv.load_before} → {lv.load_after} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base-url", help="a running server; omit to start --servers from --repo")
    parser.add_argument("--servers", default="serve,web", help="servers to start, one after the other: serve, web")
    parser.add_argument("--route", help="with --base-url: /search (rag serve), /api/search (web app), /ask")
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

    results: dict[str, dict[str, object]] = {}
    if args.base_url:
        route = args.route or "/api/search"
        levels = measure(args.base_url.rstrip("/"), route, args.token, args.pid, args)
        print_table(f"{args.base_url}{route} — {args.seconds:g} s per level (external server)", levels)
        results["external"] = {"base": args.base_url, "route": route, "levels": [asdict(lv) for lv in levels]}
    for name in ([] if args.base_url else args.servers.split(",")):
        start, default_route = SERVERS[name]
        route = args.route or default_route
        process, base, token = start(args.repo.resolve(), args.index_dir.resolve())
        try:
            levels = measure(base, route, token, process.pid, args)
        finally:
            process.terminate()
            process.wait(timeout=60)
        print_table(f"{name}: {base}{route} — {args.seconds:g} s per level, repo {args.repo}, "
                    f"{os.cpu_count()} CPUs", levels)
        results[name] = {"base": base, "route": route, "levels": [asdict(lv) for lv in levels]}
    if args.out:
        args.out.write_text(json.dumps(results, indent=1, allow_nan=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
