"""Run the registered TNM calculators over TCGA pathology reports and score pT / pN.

TCGA labels are AJCC 5th-7th edition, so agreement is scored at the major category (T2a = T2),
the same way as shared/tools/contract_check.py. Each axis is counted three ways, because they are
not equally bad: **right**, **wrong** (the calculator printed a different category: the outcome
this project must drive to zero) and **missing** (nothing printed; ``missing`` asks for the fact).
Projects whose site has no registered calculator are listed as skipped.

    PYTHONPATH=. python bench/tcga_reports.py [--csv PATH] [--misses] [--wrong-only]
"""

from __future__ import annotations

import argparse
import collections
import csv
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rag.calculators.registry import find_calculator  # noqa: E402
from rag.calculators.staging.tnm_string import scan_tnm  # noqa: E402
from rag.errors import InvalidInput  # noqa: E402

SITE = {"LUAD": "lung", "LUSC": "lung", "BRCA": "breast", "COAD": "colorectal", "READ": "colorectal",
        "PRAD": "prostate", "STAD": "stomach", "ESCA": "esophagus", "PAAD": "pancreas", "LIHC": "liver",
        "THCA": "thyroid", "KIRC": "kidney", "KIRP": "kidney", "KICH": "kidney", "BLCA": "bladder",
        "CESC": "cervix"}
REPO = Path(__file__).resolve().parent.parent
# The checkout sits beside shared/ (<repo>/../shared); a worktree one level deeper finds it one up.
SHARED = next((p / "shared" for p in (REPO.parent, REPO.parent.parent) if (p / "shared").is_dir()),
              REPO.parent / "shared")
DEFAULT_CSV = SHARED / "data" / "tcga_reports_dev.csv"


def major(value: object, axis: str) -> str | None:
    """T2a → T2, pN1mi → N1, None when absent."""
    m = re.search(rf"{axis}(\d|is|x)", str(value or ""), re.I)
    return m.group(0).upper() if m else None


@dataclass
class Tally:
    """Right / wrong / missing counts for one axis of one project."""

    right: int = 0
    wrong: int = 0
    missing: int = 0

    @property
    def total(self) -> int:
        return self.right + self.wrong + self.missing

    def add(self, got: str | None, gold: str | None) -> str:
        """Count one report; returns "right", "wrong" or "missing"."""
        outcome = "missing" if got is None else "right" if got == gold else "wrong"
        setattr(self, outcome, getattr(self, outcome) + 1)
        return outcome

    def cell(self) -> str:
        return f"{self.right:>3d}/{self.wrong:<2d}/{self.missing:<3d}"


@dataclass
class Project:
    t: Tally = field(default_factory=Tally)
    n: Tally = field(default_factory=Tally)
    t_stated: Tally = field(default_factory=Tally)  # reports that state a pT themselves


def pct(part: int, whole: int) -> str:
    return f"{100 * part / max(whole, 1):5.1f}%"


def main(argv: list[str] | None = None) -> int:
    """Print per-project pT/pN right/wrong/missing, overall figures and timing."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csv", type=Path, default=DEFAULT_CSV, help=f"default {DEFAULT_CSV}")
    ap.add_argument("--misses", action="store_true", help="list the cases that are wrong or missing")
    ap.add_argument("--wrong-only", action="store_true", help="with --misses: list only the wrong ones")
    args = ap.parse_args(argv)
    if not args.csv.is_file():
        print(f"error: no TCGA CSV at {args.csv}; pass --csv PATH (shared/data/tcga_reports_dev.csv)", file=sys.stderr)
        return 2
    csv.field_size_limit(10**8)
    with args.csv.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    per: dict[str, Project] = collections.defaultdict(Project)
    skipped: collections.Counter[str] = collections.Counter()
    errors = 0
    elapsed = 0.0
    slowest = 0.0
    misses = []
    for r in rows:
        code = r["project"].removeprefix("TCGA-")
        try:
            calc = find_calculator("AJCC8-" + SITE[code]) if code in SITE else None
        except InvalidInput:
            calc = None
        if calc is None:
            skipped[r["project"]] += 1
            continue
        start = time.perf_counter()
        try:
            res = calc.from_text(r["text"]).result
        except InvalidInput:
            res, errors = {}, errors + 1
        took = time.perf_counter() - start
        elapsed += took
        slowest = max(slowest, took)
        p = per[r["project"]]
        got_t, gold_t = major(res.get("T"), "T"), major(r["T"], "T")
        t_out = p.t.add(got_t, gold_t)
        if any(part.axis == "T" and part.prefix in ("p", "yp") for g in scan_tnm(r["text"]) for part in g):
            p.t_stated.add(got_t, gold_t)
        n_out = "right"
        if major(r["N"], "N"):
            n_out = p.n.add(major(res.get("N"), "N"), major(r["N"], "N"))
        if "wrong" in (t_out, n_out) or (not args.wrong_only and "missing" in (t_out, n_out)):
            misses.append(f"{r['case_id']} {r['project']} gold {r['T']}/{r['N']} got {res.get('T')}/{res.get('N')}"
                          f"  [T {t_out}, N {n_out}]")
    print("right/wrong/missing per project (major category)")
    print(f"{'project':10s} {'pT r/w/m':>12s} {'pN r/w/m':>12s} {'pT|stated r/w/m':>16s}")
    for k, p in sorted(per.items()):
        print(f"{k:10s} {p.t.cell():>12s} {p.n.cell():>12s} {p.t_stated.cell():>16s}")
    tot = {axis: Tally(sum(getattr(p, axis).right for p in per.values()), sum(getattr(p, axis).wrong for p in per.values()),
                       sum(getattr(p, axis).missing for p in per.values())) for axis in ("t", "n", "t_stated")}
    for axis, name in (("t", "pT"), ("n", "pN"), ("t_stated", "pT where a pT is stated")):
        x = tot[axis]
        print(f"overall {name}: right {x.right}/{x.total} = {pct(x.right, x.total)}, wrong {x.wrong} = "
              f"{pct(x.wrong, x.total)}, missing {x.missing} = {pct(x.missing, x.total)}")
    n = max(tot["t"].total, 1)
    print(f"time: {elapsed:.2f} s for {tot['t'].total} reports ({1000 * elapsed / n:.1f} ms mean, "
          f"{1000 * slowest:.1f} ms slowest); errors {errors}")
    if skipped:
        print("skipped (no calculator registered): " + ", ".join(f"{k} {v}" for k, v in sorted(skipped.items())))
    if args.misses:
        print("\n".join(misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
