"""Where evaluation runs live when ``--out`` is not given, and which run of each kind is the latest.

Why a fixed place: the web app's Evaluation page must find the newest report with no
configuration. ``rag eval KIND`` without ``--out`` writes ``<eval root>/<kind>-<UTC timestamp>/``,
where the eval root is ``RAG_EVAL_DIR`` or else ``<index_dir>/eval``; every run also stamps its
``results.json`` with ``kind`` and ``finished`` so a run written with ``--out`` into the eval root
under any folder name is found too.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.config import Settings

KINDS = ("retrieval", "calculators", "reports", "answers", "speed")
SERVED_SUFFIXES = (".png", ".json", ".md")  # what the web app serves from a run folder
RUN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$")  # run folders and plot files the app will serve


def eval_root(settings: Settings) -> Path:
    """The folder holding evaluation runs: RAG_EVAL_DIR, else ``<index_dir>/eval``."""
    return settings.eval_dir if settings.eval_dir is not None else settings.index_dir / "eval"


def new_run_dir(settings: Settings, kind: str) -> Path:
    """A fresh ``<eval root>/<kind>-<YYYYmmdd-HHMMSS>`` folder name (not created; a suffix avoids a clash)."""
    root = eval_root(settings)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    candidate = root / f"{kind}-{stamp}"
    number = 2
    while candidate.exists():
        candidate = root / f"{kind}-{stamp}-{number}"
        number += 1
    return candidate


def stamp_results(out: Path, kind: str) -> None:
    """Record which kind of evaluation wrote ``results.json`` and when it finished (UTC, ISO 8601)."""
    path = out / "results.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    record = {"kind": kind, "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **record}
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False, allow_nan=False) + "\n", encoding="utf-8")


@dataclass(frozen=True)
class EvalRun:
    """One finished run folder: its kind, when it finished, and its results."""

    kind: str
    folder: Path
    finished: str
    results: dict[str, Any]

    @property
    def name(self) -> str:
        return self.folder.name

    def plots(self) -> list[str]:
        """The PNG files the run lists and that exist in its folder (safe names only)."""
        listed = self.results.get("plots") or []
        return [p for p in listed if isinstance(p, str) and RUN_NAME.match(p) and p.endswith(".png")
                and (self.folder / p).is_file()]

    def report(self) -> str:
        path = self.folder / "report.md"
        return path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""


def _read_run(folder: Path) -> EvalRun | None:
    """The run in ``folder``, or None when it is not a finished run (no readable results.json)."""
    if not RUN_NAME.match(folder.name):
        return None
    try:
        results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(results, dict):
        return None
    kind = results.get("kind") or folder.name.split("-", 1)[0]
    if kind not in KINDS:
        return None
    finished = str(results.get("finished") or time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                            time.gmtime((folder / "results.json").stat().st_mtime)))
    return EvalRun(str(kind), folder, finished, results)


def latest_runs(root: Path) -> dict[str, EvalRun]:
    """The newest finished run of each kind under ``root`` (by finish time, then folder name)."""
    runs: dict[str, EvalRun] = {}
    if not root.is_dir():
        return runs
    for folder in root.iterdir():
        if not folder.is_dir() or folder.is_symlink():
            continue
        run = _read_run(folder)
        if run is None:
            continue
        best = runs.get(run.kind)
        if best is None or (run.finished, run.name) > (best.finished, best.name):
            runs[run.kind] = run
    return {kind: runs[kind] for kind in KINDS if kind in runs}


def run_file(root: Path, run: str, name: str) -> Path | None:
    """``root/run/name`` when both are plain names and the file (PNG, JSON, Markdown) is inside the root, else None.

    The web app serves plots through this: a name with a separator, ``..``, or a link that
    resolves outside the eval root is refused, so the route cannot read any other file.
    """
    if not (RUN_NAME.match(run) and RUN_NAME.match(name) and name.lower().endswith(SERVED_SUFFIXES)):
        return None
    base = root.resolve()
    path = (root / run / name).resolve()
    if base not in path.parents or not path.is_file():
        return None
    return path
