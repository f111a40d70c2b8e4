"""``rag stage`` speed: warm latency per request and batch throughput, each against a baseline.

Measures, on real data (the shared sample cases and the 304 TCGA pathology reports):
- warm in-process latency of ``rag.calculators.service.run_stage`` per request, p50/p95/max, against the bare
  calculator (``rag.calculators.service.calculate``: no citation lookup, no output object) on the same requests,
  so the ratio is the cost of citing; target < 50 ms per request;
- ``rag stage --batch`` over every TCGA report as a subprocess (wall time, start-up included)
  against a subprocess that imports the package and runs the bare calculators over the same
  file; target: the whole file well under a minute.

    PYTHONPATH=. python bench/stage.py [--csv PATH] [--cases PATH] [--repeat 3]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rag.calculators.service import StageRequest, calculate, run_stage  # noqa: E402
from rag.config import Settings  # noqa: E402
from rag.errors import RagError  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SHARED = next((p / "shared" for p in (REPO.parent, REPO.parent.parent) if (p / "shared").is_dir()),
              REPO.parent / "shared")
SITE = {"LUAD": "lung", "LUSC": "lung", "BRCA": "breast", "COAD": "colorectal", "READ": "colorectal",
        "PRAD": "prostate", "STAD": "stomach", "ESCA": "esophagus", "PAAD": "pancreas", "LIHC": "liver",
        "THCA": "thyroid", "KIRC": "kidney", "KIRP": "kidney", "KICH": "kidney", "BLCA": "bladder",
        "CESC": "cervix"}


def tcga_lines(path: Path) -> list[dict[str, Any]]:
    """Every TCGA report as a batch line; projects without a calculator keep their own site name
    (they come back as ``{"id", "error"}`` lines, which a registry batch must also survive)."""
    csv.field_size_limit(10**8)
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    out = []
    for r in rows:
        code = r["project"].removeprefix("TCGA-")
        out.append({"id": r["case_id"], "system": "AJCC8-" + SITE.get(code, code.lower()), "text": r["text"]})
    return out


def case_lines(path: Path) -> list[dict[str, Any]]:
    """The sample cases as batch lines (free text as text, structured input as findings)."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            case = json.loads(line)
            key = "text" if isinstance(case["input"], str) else "findings"
            out.append({"id": case["id"], "system": case["system"], key: case["input"]})
    return out


def request_of(line: dict[str, Any]) -> StageRequest:
    return StageRequest(system=line["system"], text=line.get("text"), tnm=line.get("tnm"),
                        findings=line.get("findings"))


def timed(fn: Any, requests: list[StageRequest], repeat: int) -> tuple[list[float], int]:
    """Per-request seconds (best of ``repeat`` runs per request) and how many were answered."""
    best = [float("inf")] * len(requests)
    answered = 0
    for round_ in range(repeat):
        for i, req in enumerate(requests):
            start = time.perf_counter()
            try:
                fn(req)
                ok = True
            except RagError:
                ok = False
            best[i] = min(best[i], time.perf_counter() - start)
            answered += ok and round_ == 0
    return best, answered


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def bare_batch(path: Path) -> int:
    """Baseline subprocess body: import, read the batch file, run the bare calculators."""
    n = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            calculate(request_of(json.loads(line)))
        except RagError:
            pass
        n += 1
    print(n)
    return 0


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600, check=False)
    return time.perf_counter() - start, proc


def main(argv: list[str] | None = None) -> int:
    """Print warm latency and batch throughput with their baselines and ratios."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csv", type=Path, default=SHARED / "data" / "tcga_reports_dev.csv")
    ap.add_argument("--cases", type=Path, default=SHARED / "cases" / "sample_cases.jsonl")
    ap.add_argument("--repeat", type=int, default=3, help="runs per request; the best is kept")
    ap.add_argument("--bare-batch", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.bare_batch:
        return bare_batch(args.bare_batch)

    lines = case_lines(args.cases) + tcga_lines(args.csv)
    with tempfile.TemporaryDirectory(prefix="bench-stage-") as tmp:
        # An empty index dir: the rule book is built from corpora/, as on a machine without an index.
        settings = Settings(index_dir=Path(tmp) / "index", corpora_dir=REPO / "corpora")
        requests = [request_of(x) for x in lines]
        start = time.perf_counter()
        run_stage(settings, requests[0]) if requests else None
        first = time.perf_counter() - start  # cold: rule book built from the corpus on first use
        bare, answered = timed(calculate, requests, args.repeat)
        full, _ = timed(lambda r: run_stage(settings, r), requests, args.repeat)
        print(f"warm per request over {len(requests)} requests ({answered} answered, "
              f"{len(case_lines(args.cases))} sample cases + TCGA reports), best of {args.repeat}:")
        print(f"  {'':24s} {'p50 ms':>8s} {'p95 ms':>8s} {'max ms':>8s} {'mean ms':>8s}")
        for name, vals in (("run_stage (rag stage)", full), ("bare calculator", bare)):
            print(f"  {name:24s} {1000 * pct(vals, .5):8.2f} {1000 * pct(vals, .95):8.2f} "
                  f"{1000 * max(vals):8.2f} {1000 * statistics.fmean(vals):8.2f}")
        print(f"  ratio run_stage / bare: p50 {pct(full, .5) / pct(bare, .5):.2f}x, "
              f"p95 {pct(full, .95) / pct(bare, .95):.2f}x; first call (rule book cold) {1000 * first:.0f} ms; "
              f"target p95 < 50 ms: {'met' if pct(full, .95) < 0.05 else 'NOT met'}")

        tcga = Path(tmp) / "tcga.jsonl"
        tcga.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in tcga_lines(args.csv)),
                        encoding="utf-8")
        out = Path(tmp) / "out.jsonl"
        env = dict(os.environ, PYTHONPATH=str(REPO), RAG_INDEX_DIR=str(Path(tmp) / "index"),
                   RAG_CORPORA_DIR=str(REPO / "corpora"), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
        wall, proc = run([sys.executable, "-m", "rag", "stage", "--batch", str(tcga), "--out", str(out)], env)
        base, bproc = run([sys.executable, str(Path(__file__).resolve()), "--bare-batch", str(tcga)], env)
        if proc.returncode != 0 or bproc.returncode != 0:
            print(f"batch failed: rag exit {proc.returncode} {proc.stderr[-300:]}; "
                  f"baseline exit {bproc.returncode} {bproc.stderr[-300:]}")
            return 1
        records = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines() if x.strip()]
        errors = sum("error" in r for r in records)
        uncited = sum(bool(r.get("uncited_rules")) for r in records)
        n = len(records)
        print(f"rag stage --batch over {n} TCGA reports ({n - errors} staged, {errors} error lines, "
              f"{uncited} with uncited rules), subprocess wall time incl. start-up:")
        print(f"  rag stage --batch        {wall:6.2f} s  ({n / wall:7.1f} reports/s, {60 * n / wall:8.0f}/min)")
        print(f"  bare calculators         {base:6.2f} s  ({n / base:7.1f} reports/s)")
        print(f"  ratio batch / bare: {wall / base:.2f}x; target well under 60 s: "
              f"{'met' if wall < 30 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
