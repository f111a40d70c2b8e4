"""``rag eval retrieval``: recall@5, MRR@10 and nDCG@10 per mode with ranx, and paired tests.

Every mode runs the same questions through the same ``Retriever`` the product uses, so the figures
describe what a clinician gets. Hybrid is compared with each single mode by ranx's paired Student's
t-test over per-question scores: a hybrid that only looks better on average is told apart from
one that is reliably better.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rag.errors import InvalidInput
from rag.eval.gold import GoldQuestion, load_gold
from rag.eval.output import percentile, prepare_out, table, write_results
from rag.retrieval.retrieve import MODES, Retriever
from rag.workspace import Workspace

METRICS = ("recall@5", "mrr@10", "ndcg@10")
DEPTH = 10


def _ranx() -> Any:
    """ranx, with numba's type-safety chatter silenced (it is about ranx's own casts, not our data)."""
    warnings.filterwarnings("ignore", module=r"ranx\..*")
    warnings.filterwarnings("ignore", category=Warning, message=r".*unsafe cast.*")
    import ranx

    return ranx


def run_modes(workspace: Workspace, questions: Sequence[GoldQuestion], modes: Sequence[str]) -> dict[str, Any]:
    """Per mode: the ranx run (id → {item: score}) and each query's latency in ms."""
    retriever = Retriever(workspace)
    out: dict[str, Any] = {}
    for mode in modes:
        runs: dict[str, dict[str, float]] = {}
        latencies: list[float] = []
        retriever.search(questions[0].query, k=DEPTH, mode=mode)  # warm the model and caches
        for q in questions:
            started = time.perf_counter()
            hits = retriever.search(q.query, k=DEPTH, mode=mode)
            latencies.append((time.perf_counter() - started) * 1000)
            scores: dict[str, float] = {}
            for hit in hits:
                item = hit.document.doc_id if q.level == "doc" else hit.chunk.chunk_id
                # ranx ranks by score: the first (best) rank of each item scores highest.
                scores.setdefault(item, float(DEPTH + 1 - hit.rank))
            runs[q.qid] = scores or {"__none__": 0.0}
        out[mode] = {"run": runs, "latency_ms": latencies}
    return out


def evaluate(questions: Sequence[GoldQuestion], per_mode: dict[str, Any]) -> dict[str, Any]:
    """Mean metrics per mode and hybrid's paired comparison with each single mode."""
    ranx = _ranx()
    scored = [q for q in questions if q.relevant]
    if not scored:
        raise InvalidInput("no gold question has a relevant item in this index",
                           hint="ingest the documents the gold file refers to first")
    qrels = ranx.Qrels.from_dict({q.qid: {item: 1 for item in q.relevant} for q in scored})
    runs = {mode: ranx.Run.from_dict({q.qid: data["run"][q.qid] for q in scored}, name=mode) for mode, data in per_mode.items()}
    metrics = {mode: {m: float(v) for m, v in ranx.evaluate(qrels, run, list(METRICS)).items()} for mode, run in runs.items()}
    comparisons: dict[str, dict[str, float]] = {}
    if "hybrid" in runs and len(runs) > 1:
        report = ranx.compare(qrels, list(runs.values()), metrics=list(METRICS), stat_test="student", max_p=0.05).to_dict()
        for mode in runs:
            if mode != "hybrid":
                comparisons[mode] = {m: float(report["hybrid"]["comparisons"][mode][m]) for m in METRICS}
    latency = {mode: {"p50": percentile(d["latency_ms"], 0.5), "p95": percentile(d["latency_ms"], 0.95),
                      "p99": percentile(d["latency_ms"], 0.99)} for mode, d in per_mode.items()}
    return {"questions": len(questions), "scored": len(scored), "unresolved": len(questions) - len(scored),
            "metrics": metrics, "hybrid_vs": comparisons, "latency_ms": latency,
            "by_language": _by_language(runs, scored),
            "latency_samples_ms": {mode: sorted(d["latency_ms"]) for mode, d in per_mode.items()}}


def _by_language(runs: dict[str, Any], scored: Sequence[GoldQuestion]) -> dict[str, dict[str, float]]:
    """MRR@10 per question language and mode (Chinese questions fare differently from English ones)."""
    ranx = _ranx()
    out: dict[str, dict[str, float]] = {}
    for lang in sorted({q.lang for q in scored}):
        subset = [q for q in scored if q.lang == lang]
        qrels = ranx.Qrels.from_dict({q.qid: {item: 1 for item in q.relevant} for q in subset})
        for mode, run in runs.items():
            run_dict = run.to_dict()
            sub_run = ranx.Run.from_dict({q.qid: run_dict[q.qid] for q in subset})
            out.setdefault(lang, {})[mode] = float(ranx.evaluate(qrels, sub_run, "mrr@10"))
    return out


def eval_retrieval(workspace: Workspace, gold: Path, modes: Sequence[str], out: Path) -> dict[str, Any]:
    """Run, score, and write the report folder."""
    unknown = [m for m in modes if m not in MODES]
    if unknown or not modes:
        raise InvalidInput(f"unknown mode(s) {', '.join(unknown) or '(none)'}", hint=f"use some of: {', '.join(MODES)}")
    prepare_out(out)
    questions = load_gold(gold, workspace.catalog.documents(), workspace.catalog.rule_rows())
    if not questions:
        raise InvalidInput(f"no usable questions in {gold}")
    results = evaluate(questions, run_modes(workspace, questions, modes))
    results.update({"gold": str(gold), "modes": list(modes), "chunks": workspace.catalog.count_chunks()})
    rows = [[mode, *(results["metrics"][mode][m] for m in METRICS), results["latency_ms"][mode]["p50"],
             results["latency_ms"][mode]["p95"]] for mode in modes]
    md = [f"# Retrieval evaluation\n\nGold: `{gold}` — {results['scored']} questions scored "
          f"({results['unresolved']} without a relevant item in this index), {results['chunks']} chunks.\n",
          table(["mode", *METRICS, "p50 ms", "p95 ms"], rows)]
    if results["hybrid_vs"]:
        md.append("\nHybrid vs each single mode, paired Student's t-test p-values (ranx):\n")
        md.append(table(["vs", *METRICS], [[m, *(v[k] for k in METRICS)] for m, v in results["hybrid_vs"].items()]))
    md.append("\nMRR@10 by question language:\n")
    md.append(table(["lang", *modes], [[lang, *(v[m] for m in modes)] for lang, v in results["by_language"].items()]))
    write_results(out, results, "\n".join(md), [("retrieval_metrics.png", lambda f: _bars(f, results, modes)),
                                                ("retrieval_latency_cdf.png", lambda f: _cdf(f, results, modes))])
    return results


def _bars(figure: Any, results: dict[str, Any], modes: Sequence[str]) -> None:
    ax = figure.add_subplot(111)
    width = 0.8 / max(len(modes), 1)
    for i, mode in enumerate(modes):
        values = [results["metrics"][mode][m] for m in METRICS]
        ax.bar([x + i * width for x in range(len(METRICS))], values, width, label=mode)
    ax.set_xticks([x + width * (len(modes) - 1) / 2 for x in range(len(METRICS))], list(METRICS))
    ax.set_ylim(0, 1.05)
    ax.set_title("Retrieval quality per mode")
    ax.legend()


def _cdf(figure: Any, results: dict[str, Any], modes: Sequence[str]) -> None:
    ax = figure.add_subplot(111)
    for mode in modes:
        samples = results["latency_samples_ms"][mode]
        ax.step(samples, [(i + 1) / len(samples) for i in range(len(samples))], where="post", label=mode)
    ax.set_xlabel("ms per query")
    ax.set_ylabel("fraction of queries at or below")
    ax.set_title("Retrieval latency CDF")
    ax.legend()
