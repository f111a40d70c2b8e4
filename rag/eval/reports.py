"""``rag eval reports``: pathology reports → T/N/M, scored per project against registry labels.

The CSV has ``case_id, project, T, N, M, text`` (TCGA-style). TCGA's labels are AJCC 5th–7th
edition, so agreement is scored at the major category (``T2a`` = ``T2``); a blank label is not
scored. Each project maps to the site calculator that reads it; projects without one are listed.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from rag.calculators.service import StageRequest, run_stage
from rag.config import Settings
from rag.errors import InvalidInput, RagError
from rag.eval.output import prepare_out, table, write_results
from rag.eval.scoring import Outcome, Tally, major

SITE = {"LUAD": "lung", "LUSC": "lung", "BRCA": "breast", "COAD": "colorectal", "READ": "colorectal",
        "PRAD": "prostate", "STAD": "stomach", "ESCA": "esophagus", "PAAD": "pancreas", "LIHC": "liver",
        "THCA": "thyroid", "KIRC": "kidney", "KIRP": "kidney", "KICH": "kidney", "BLCA": "bladder",
        "CESC": "cervix"}
AXES = ("T", "N", "M")
MISSING = "missing"
MASK = "[stage masked]"
# A stated TNM category: optional prefixes (p, c, y, r, a in any order), the axis letter, then the
# value with its sub-letters/suffixes ("pT2a", "ypN1mi", "pN0(i+)", "Tis", "NX"). Not preceded or
# followed by a letter/digit, so words ("Tumor", "NMR", "T is") and identifiers stay untouched.
STATED_CATEGORY = re.compile(
    r"(?i)(?<![A-Za-z])(?:(?:[ycra]{0,2}p|p?[ycra]{1,2})\s?)?([TNM])"
    r"(?:\s?[0-4](?:\s?\(?(?:[a-d]|mi|mic|sn|i[+-])\)?)*|is|x)(?![A-Za-z0-9])")


def mask_stated(text: str) -> str:
    """Replace every stated T/N/M category with a placeholder.

    WHY: held-out reports are often free text without a stated stage, so what a clinician meets is
    the reader's *own* reading of the findings; masking the stated categories measures exactly that
    (the derived-only wrong rate) on reports that do state them.
    """
    return STATED_CATEGORY.sub(MASK, text)


def system_for(project: str) -> str | None:
    """``TCGA-LUAD`` → ``AJCC8-lung``; None for a project no calculator reads."""
    site = SITE.get(project.upper().removeprefix("TCGA-"))
    return f"AJCC8-{site}" if site else None


def eval_reports(settings: Settings, csv_path: Path, out: Path, *, mask: bool = False) -> dict[str, Any]:
    """Read every report, tally right / wrong / missing per project and axis, plot the T confusion.

    ``mask`` hides stated categories first (:func:`mask_stated`) to score the derived-only reading.
    """
    prepare_out(out)
    csv.field_size_limit(10**8)
    try:
        with csv_path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InvalidInput(f"cannot read {csv_path}: {exc}") from exc
    if rows and not {"project", "text"} <= set(rows[0]):
        raise InvalidInput(f"{csv_path.name} needs columns case_id, project, T, N, M, text")
    tallies: dict[str, dict[str, Tally]] = defaultdict(lambda: defaultdict(Tally))
    overall = {axis: Tally() for axis in AXES}
    confusion: dict[str, Counter[tuple[str, str]]] = {axis: Counter() for axis in AXES}
    unsupported: Counter[str] = Counter()
    errors = 0
    for row in rows:
        project = (row.get("project") or "").strip()
        system = system_for(project)
        if system is None:
            unsupported[project] += 1
            continue
        try:
            text = row.get("text") or ""
            staged = run_stage(settings, StageRequest(system=system, text=mask_stated(text) if mask else text))
        except RagError:
            errors += 1
            continue
        got = staged.get("result", {})
        for axis in AXES:
            expected = major(row.get(axis), axis)
            if expected is None or expected.endswith("X"):
                continue
            predicted = major(got.get(axis), axis)
            verdict: Outcome = "missing" if predicted is None or predicted.endswith("X") else "right" if predicted == expected else "wrong"
            detail = {"case_id": row.get("case_id"), "axis": axis, "expected": expected, "got": got.get(axis)}
            tallies[project][axis].add(verdict, detail)
            overall[axis].add(verdict)
            confusion[axis][(expected, predicted if predicted is not None and verdict != "missing" else MISSING)] += 1
    misses: list[dict[str, Any]] = [m for axes in tallies.values() for t in axes.values() for m in t.misses]
    results = {"reports": len(rows), "errors": errors, "masked_stated": mask, "unsupported_projects": dict(unsupported),
               "overall": {a: t.as_dict() for a, t in overall.items()},
               "projects": {p: {a: t.as_dict() for a, t in axes.items()} for p, axes in sorted(tallies.items())},
               "confusion": {a: [[e, g, n] for (e, g), n in sorted(c.items())] for a, c in confusion.items()},
               "misses": misses}
    rows_md = [[p, *(f"{axes[a].right}/{axes[a].wrong}/{axes[a].missing}" for a in AXES)] for p, axes in sorted(tallies.items())]
    masked = " Stated T/N/M categories masked (derived-only reading)." if mask else ""
    md = [f"# Report reading evaluation\n\nCSV: `{csv_path}` — {len(rows)} reports, {errors} errors, "
          f"{sum(unsupported.values())} in projects without a calculator.{masked} Cells: right / wrong / missing (major category).\n",
          table(["project", *AXES], rows_md),
          "\n" + table(["axis", "right", "wrong", "missing", "right rate", "wrong rate"],
                       [[a, t.right, t.wrong, t.missing, t.as_dict()["right_rate"], t.as_dict()["wrong_rate"]] for a, t in overall.items()])]
    wrong = [m for m in misses if m.get("outcome") == "wrong"]
    if wrong:  # every wrong category, for review: a wrong stage beside a citation is the worst outcome
        md.append("\nWrong (registry label vs read):\n")
        md.append(table(["case", "axis", "label", "read"], [[m["case_id"], m["axis"], m["expected"], m["got"]] for m in wrong]))
    write_results(out, results, "\n".join(md), [(f"reports_confusion_{a}.png", _confusion_plot(confusion[a], a)) for a in ("T", "N")])
    return results


def _confusion_plot(counts: Counter[tuple[str, str]], axis: str) -> Any:
    def draw(figure: Any) -> None:
        expected = sorted({e for e, _ in counts})
        predicted = sorted({g for _, g in counts} - {MISSING}) + [MISSING]
        grid = [[counts.get((e, g), 0) for g in predicted] for e in expected]
        ax = figure.add_subplot(111)
        ax.imshow(grid, cmap="Blues")
        ax.set_xticks(range(len(predicted)), predicted)
        ax.set_yticks(range(len(expected)), expected)
        for i, line in enumerate(grid):
            for j, n in enumerate(line):
                if n:
                    ax.text(j, i, str(n), ha="center", va="center", fontsize=8)
        ax.set_xlabel("read from the report")
        ax.set_ylabel("registry label")
        ax.set_title(f"p{axis}: registry vs reader (major category)")
    return draw
