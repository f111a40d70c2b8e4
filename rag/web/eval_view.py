"""The Evaluation view: the newest ``rag eval`` run of each kind — its results summary, report and plots.

Runs are read from the eval root (``rag.eval.location``: ``RAG_EVAL_DIR`` or ``<index_dir>/eval``),
the folder ``rag eval KIND`` writes to when ``--out`` is not given, so the page works with no
configuration. The report's image links are rewritten to ``/api/eval/runs/RUN/FILE``, a route that
serves only plain-named files inside that folder (``location.run_file``). Nothing here touches the
index, so the page works while the first-run build is still going.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote

import gradio as gr

from rag.eval.location import KINDS, EvalRun, eval_root, latest_runs
from rag.web.runtime import Runtime
from rag.web.ui import tr

SUMMARY_ROWS = 24  # results.json scalars shown in the summary table (the full file is one click away)
_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)\)")
COMMANDS = {
    "retrieval": "rag eval retrieval --gold tests/data/gold",
    "calculators": "rag eval calculators --cases ../shared/cases/sample_cases.jsonl",
    "reports": "rag eval reports --csv ../shared/data/tcga_reports_dev.csv",
    "answers": "rag eval answers --gold tests/data/answers_gold.jsonl",
    "speed": "rag eval speed --sizes 1000,10000",
}


def file_url(run: EvalRun, name: str) -> str:
    return f"/api/eval/runs/{quote(run.name)}/{quote(name)}"


def _scalars(value: Any, prefix: str = "", depth: int = 0) -> Iterator[tuple[str, Any]]:
    """``results.json``'s numbers, strings and booleans as dotted keys, two levels deep, lists skipped."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(item, Mapping) and depth < 2:
                yield from _scalars(item, name, depth + 1)
            elif isinstance(item, (int, float, str, bool)) and not (isinstance(item, str) and len(item) > 160):
                yield name, item


def summary_rows(results: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The summary table's rows: scalar results (kind, finish time and plot list left out)."""
    rows = []
    for key, value in _scalars(results):
        if key in ("kind", "finished"):
            continue
        rows.append((key, f"{value:.3f}" if isinstance(value, float) else str(value)))
        if len(rows) >= SUMMARY_ROWS:
            break
    return rows


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def run_markdown(run: EvalRun) -> str:
    """One run as Markdown: heading, summary table, plots, then its own report (image links rewritten)."""
    plots = run.plots()
    parts = [f"## {run.kind.capitalize()}",
             f"Run `{run.name}`, finished {run.finished} · [results.json]({file_url(run, 'results.json')}) · "
             f"[report.md]({file_url(run, 'report.md')})"]
    rows = summary_rows(run.results)
    if rows:
        parts.append("| result | value |\n|---|---|\n" + "\n".join(f"| `{_cell(k)}` | {_cell(v)} |" for k, v in rows))

    def image(match: re.Match[str]) -> str:
        target = match.group(2)
        return f"![{match.group(1)}]({file_url(run, target)})" if target in plots else ""

    report = _IMAGE.sub(image, run.report())
    # The report's own headings sit below this run's heading.
    report = re.sub(r"^(#{1,4}) ", lambda m: "#" * (len(m.group(1)) + 2) + " ", report, flags=re.MULTILINE)
    shown = {m.group(2) for m in _IMAGE.finditer(run.report())}
    extra = [f"![{p}]({file_url(run, p)})" for p in plots if p not in shown]
    parts.append(report.strip())
    parts.extend(extra)
    return "\n\n".join(p for p in parts if p)


def evaluation_markdown(runtime: Runtime) -> str:
    """The whole page: the newest run of each kind, or how to make one."""
    root = eval_root(runtime.settings)
    runs = latest_runs(root)
    missing = [k for k in KINDS if k not in runs]
    parts = []
    if not runs:
        parts.append("### No evaluation run yet\n\nRun `rag eval …` on this machine, for example:\n\n"
                     + "\n".join(f"- `{COMMANDS[k]}`" for k in KINDS)
                     + f"\n\nRuns are written to and read from `{root}` (set `RAG_EVAL_DIR` to use another folder).")
        return "\n".join(parts)
    intro = f"Newest run of each kind under `{root}`: " + " · ".join(f"[{k}](#eval-{k})" for k in runs)
    if missing:
        intro += "\n\nNot run yet:\n\n" + "\n".join(f"- {k}: `{COMMANDS[k]}`" for k in missing)
    parts.append(intro)
    for kind, run in runs.items():
        parts.append(f"<a id='eval-{kind}'></a>\n\n" + run_markdown(run))
    return "\n\n---\n\n".join(parts)


def eval_tab(runtime: Runtime) -> gr.Tab:
    """Build the Evaluation view inside the current Blocks context; the caller refreshes it on select."""
    with gr.Tab(tr("tab_eval"), id="eval") as tab:
        refresh = gr.Button(tr("refresh"), size="sm", elem_id="eval-refresh")
        page = gr.Markdown("", elem_id="eval-page")

    def show() -> str:
        return evaluation_markdown(runtime)

    refresh.click(show, None, page, api_visibility="private", show_progress="hidden")
    tab.select(show, None, page, api_visibility="private", show_progress="hidden")
    return tab
