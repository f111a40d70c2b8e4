"""The ``rag eval`` subcommands: argument parsing and dispatch (the CLI adds them with one call).

Kept beside the evaluations rather than in ``rag/cli.py`` so the CLI module stays a thin router.
Each subcommand writes ``report.md``, ``results.json`` and plots into ``--out`` (default: a new
``KIND-TIMESTAMP`` folder under the eval root, where the web app's Evaluation page looks; see
``rag.eval.location``) and prints the report's first paragraph (or the results as JSON with ``--json``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from rag.config import Settings
from rag.errors import InvalidInput
from rag.eval.location import KINDS  # noqa: F401  (re-exported: the kinds this command offers)


def add_eval_parser(sub: Any, parser_class: type[argparse.ArgumentParser]) -> None:
    """Register ``rag eval KIND ...`` on the CLI's subparsers."""
    ev = sub.add_parser("eval", help="Measure retrieval, calculators, report reading, answers or speed (report + plots).")
    kinds = ev.add_subparsers(dest="eval_command", parser_class=parser_class)

    def kind(name: str, help_text: str) -> argparse.ArgumentParser:
        p = kinds.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(run=run_eval, eval_kind=name)
        p.add_argument("--out", type=Path, help="folder for report.md, results.json and PNG plots "
                       "(default: <RAG_EVAL_DIR or index_dir/eval>/KIND-TIMESTAMP, shown by the web app)")
        p.add_argument("--json", action="store_true", help="print results.json's object on stdout")
        return p

    p = kind("retrieval", "recall@5, MRR@10, nDCG@10 per mode (ranx), hybrid vs each mode with paired p-values.")
    p.add_argument("--gold", required=True, type=Path, help="gold JSONL, a folder of them, or MedQuAD's CSV")
    p.add_argument("--modes", default="bm25,dense,hybrid", help="comma-separated: bm25,dense,hybrid")
    p.add_argument("--ingest", nargs="*", type=Path, default=[], help="ingest these files/folders first (e.g. the PDQ summaries)")
    p = kind("calculators", "Per system and field: right / wrong / missing on gold cases.")
    p.add_argument("--cases", required=True, type=Path, help="JSONL {id, system, input|text|tnm|findings, gold}")
    p = kind("reports", "Pathology report → T/N/M agreement per project (right / wrong / missing) + confusion plots.")
    p.add_argument("--csv", required=True, type=Path, help="CSV with case_id, project, T, N, M, text")
    p.add_argument("--mask-stated", action="store_true", help="mask stated categories (pT2, N0, ...) before reading: "
                   "scores the reader's own reading of the findings, as on reports that state no stage")
    p = kind("answers", "Expected fact in the answer text, citation precision, refusals, latency.")
    p.add_argument("--gold", required=True, type=Path, help="JSONL {id, lang, question, expect, refuse}")
    p.add_argument("--backend", help="extractive (default), llamacpp, openai")
    p = kind("speed", "Retrieval p50/p95/p99 and build rate at 1k, 10k, 100k chunks; growth exponent; peak RSS.")
    p.add_argument("--sizes", default="1000,10000,100000", help="comma-separated chunk counts")
    p.add_argument("--queries", type=int, default=100)


def _ints(text: str) -> list[int]:
    try:
        return [int(x) for x in text.split(",") if x.strip()]
    except ValueError as exc:
        raise InvalidInput(f"--sizes {text!r} is not a list of whole numbers", hint="e.g. --sizes 1000,10000") from exc


def run_eval(settings: Settings, args: argparse.Namespace) -> int:
    """Run one evaluation; the index is built from the bundled corpora first when it is empty."""
    from rag.api import ensure_index
    from rag.eval.location import new_run_dir, stamp_results
    from rag.workspace import Workspace

    kind = args.eval_kind
    if args.out is None:
        args.out = new_run_dir(settings, kind)
    results: dict[str, Any]
    if kind in ("calculators", "reports"):
        if kind == "calculators":
            from rag.eval.calculators import eval_calculators

            results = eval_calculators(settings, args.cases, args.out)
        else:
            from rag.eval.reports import eval_reports

            results = eval_reports(settings, args.csv, args.out, mask=args.mask_stated)
    else:
        workspace = Workspace(settings)
        try:
            if kind == "retrieval" and args.ingest:
                from rag.corpus.ingest import ingest

                ingest(workspace, list(args.ingest))
            ensure_index(workspace)
            if kind == "retrieval":
                from rag.eval.retrieval import eval_retrieval

                modes = [m.strip() for m in args.modes.split(",") if m.strip()]
                results = eval_retrieval(workspace, args.gold, modes, args.out)
            elif kind == "answers":
                from rag.eval.answers import eval_answers

                results = eval_answers(workspace, args.gold, args.out, backend=args.backend)
            else:
                from rag.eval.speed import eval_speed

                if args.queries < 1:
                    raise InvalidInput("--queries must be at least 1")
                results = eval_speed(workspace, args.out, _ints(args.sizes), args.queries)
        finally:
            workspace.close()
    stamp_results(args.out, kind)
    if args.json:
        sys.stdout.write(json.dumps(json.loads((args.out / "results.json").read_text(encoding="utf-8")), ensure_ascii=False) + "\n")
    else:
        report = (args.out / "report.md").read_text(encoding="utf-8")
        print(report.split("\n\n")[1] if "\n\n" in report else report)
        print(f"report: {args.out / 'report.md'}")
    del results
    return 0
