"""Resident memory of a warm ``rag serve`` process, before/after a change and against the LlamaIndex baseline.

Why: issue 16's target is a serving process of <= 400 MB warm at the bundled corpus, <= 0.6x the
baseline's. Each side is a real server process answering real requests over HTTP (``/search``,
hybrid): English MedQuAD questions, then the Chinese gold questions (they load the jieba
dictionary, as a bilingual server does sooner or later). RSS is the process's VmRSS after those
queries, and its peak (VmHWM); the mapped libraries show, from outside the process, whether torch,
numba (llvmlite) or scipy were loaded. ``--before`` runs the same on another checkout (e.g. the
main branch) in the same run; the baseline is ``bench/baseline_llamaindex.py --serve`` in its own
venv on its cached index of the same 20 PDQ summaries.

    python bench/serving_rss.py --index corpus=/tmp/corpus --index pdq20=/tmp/versus-ours-20 --before /work/main
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SHARED = next(p for p in (REPO.parent / "shared", REPO.parent.parent / "shared", Path("/work/shared")) if p.exists())
LIBRARIES = {"torch": "libtorch", "numba": "llvmlite", "scipy": "scipy/", "onnxruntime": "onnxruntime", "jieba": "jieba"}


def questions(english: int) -> tuple[list[str], list[str]]:
    with open(SHARED / "data" / "medquad_cancergov_qa.csv", newline="") as handle:
        en = [r["question"] for r in csv.DictReader(handle)][:english]
    zh = [json.loads(line)["query"] for p in sorted((REPO / "tests" / "data" / "gold").glob("*.jsonl"))
          for line in p.read_text(encoding="utf-8").splitlines() if line.strip() and json.loads(line)["lang"] == "zh"]
    return en, zh[:10]


def memory(pid: int) -> dict[str, Any]:
    status = {line.split(":")[0]: line.split(":", 1)[1].strip() for line in Path(f"/proc/{pid}/status").read_text().splitlines()}
    mb = {key: round(int(status[key].split()[0]) / 1024, 1) for key in ("VmRSS", "VmHWM", "RssAnon", "RssFile")}
    maps = Path(f"/proc/{pid}/maps").read_text()
    return {"rss_mb": mb["VmRSS"], "peak_rss_mb": mb["VmHWM"], "anon_mb": mb["RssAnon"], "file_mb": mb["RssFile"],
            "loaded": sorted(name for name, marker in LIBRARIES.items() if marker in maps)}


def ours(tree: Path, index: Path, en: list[str], zh: list[str]) -> dict[str, Any]:
    """A `rag serve` of the code in ``tree`` over a copy of ``index``: RSS after English, then Chinese queries."""
    work = Path(tempfile.mkdtemp(prefix="bench-rss-"))
    copy = work / "index"
    shutil.copytree(index, copy, ignore=shutil.ignore_patterns("server.json", "server.token", "*.lock"))
    # The bundled corpus index names /work/main/corpora files; the same corpora_dir for every tree keeps
    # ensure_index from re-ingesting them (what is measured is serving, not a first-run build).
    env = {**os.environ, "PYTHONPATH": str(tree), "RAG_INDEX_DIR": str(copy), "OMP_WAIT_POLICY": "PASSIVE",
           "RAG_CORPORA_DIR": os.environ.get("RAG_CORPORA_DIR", "/work/main/corpora")}
    process = subprocess.Popen([sys.executable, "-m", "rag", "serve", "--port", "0"], cwd=tree, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        server = copy / "server.json"
        deadline = time.time() + 300
        while not server.exists():
            if process.poll() is not None or time.time() > deadline:
                raise SystemExit(f"rag serve from {tree} did not start: {process.stderr.read()[-2000:] if process.stderr else ''}")
            time.sleep(0.2)
        url = json.loads(server.read_text())["url"]
        token = (copy / "server.token").read_text().strip()

        def search(text: str) -> None:
            request = urllib.request.Request(url + "/search", data=json.dumps({"query": text, "k": 10, "mode": "hybrid"}).encode(),
                                             headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=300) as response:
                response.read()

        for text in en:
            search(text)
        english = memory(process.pid)
        for text in zh:
            search(text)
        return {"after_english": english, "after_chinese": memory(process.pid)}
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(work, ignore_errors=True)


def baseline(python: str, cache: Path, en: list[str]) -> dict[str, Any]:
    sys.path.insert(0, str(REPO / "bench"))
    from versus_llamaindex import BASELINE_SCRIPT, Server

    server = Server("llamaindex", [python, str(BASELINE_SCRIPT), "--serve", "--docs", "20", "--cache", str(cache),
                                   "--shared", str(SHARED)])
    try:
        for text in en:
            server.ask({"q": text, "mode": "hybrid"})
        return {"after_english": {**server.ask({"cmd": "rss"}), **{k: v for k, v in memory(server.process.pid).items()
                                                                  if k in ("anon_mb", "file_mb", "loaded")}}}
    finally:
        server.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", action="append", required=True, metavar="NAME=FOLDER", help="a built index (copied, never written)")
    parser.add_argument("--before", type=Path, help="another checkout to measure in the same run (e.g. /work/main)")
    parser.add_argument("--li-python", default="/tmp/li-venv/bin/python")
    parser.add_argument("--li-cache", type=Path, default=Path("/tmp/li-baseline"))
    parser.add_argument("--english", type=int, default=40)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    en, zh = questions(args.english)
    figures: dict[str, Any] = {"load_start": round(os.getloadavg()[0], 1), "english": len(en), "chinese": len(zh)}
    trees = {"after": REPO, **({"before": args.before} if args.before else {})}
    for item in args.index:
        name, folder = item.split("=", 1)
        for label, tree in trees.items():
            figures[f"{name}/{label}"] = ours(tree, Path(folder), en, zh)
            print(name, label, json.dumps(figures[f"{name}/{label}"]), file=sys.stderr, flush=True)
    if args.li_python and Path(args.li_python).exists():
        figures["llamaindex/pdq20"] = baseline(args.li_python, args.li_cache, en)
        print("llamaindex", json.dumps(figures["llamaindex/pdq20"]), file=sys.stderr, flush=True)
        li = figures["llamaindex/pdq20"]["after_english"]["rss_mb"]
        figures["ratios_to_llamaindex"] = {key: {when: round(value[when]["rss_mb"] / li, 2) for when in value}
                                           for key, value in figures.items() if "/" in key and not key.startswith("llamaindex")}
    figures["load_end"] = round(os.getloadavg()[0], 1)
    print(json.dumps(figures, indent=2))
    if args.out:
        args.out.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
