"""Run the registered TNM calculators over TCGA pathology reports and score pT / pN.

TCGA labels are AJCC 5th-7th edition, so agreement is scored at the major category (T2a = T2),
the same way as /work/shared/tools/contract_check.py. Projects whose site has no registered
calculator are listed as skipped, so the bench keeps working while sites are being added.

    PYTHONPATH=. python bench/tcga_reports.py [--csv PATH] [--misses]
"""

from __future__ import annotations

import argparse
import collections
import csv
import re
import sys
import time
from pathlib import Path

from rag.calculators.registry import find_calculator
from rag.calculators.staging.tnm_string import scan_tnm
from rag.errors import InvalidInput

SITE = {"LUAD": "lung", "LUSC": "lung", "BRCA": "breast", "COAD": "colorectal", "READ": "colorectal",
        "PRAD": "prostate", "STAD": "stomach", "ESCA": "esophagus", "PAAD": "pancreas", "LIHC": "liver",
        "THCA": "thyroid", "KIRC": "kidney", "KIRP": "kidney", "KICH": "kidney", "BLCA": "bladder",
        "CESC": "cervix"}
DEFAULT_CSV = Path("/work/shared/data/tcga_reports_dev.csv")


def major(value: object, axis: str) -> str | None:
    """T2a → T2, pN1mi → N1, None when absent."""
    m = re.search(rf"{axis}(\d|is|x)", str(value or ""), re.I)
    return m.group(0).upper() if m else None


def main(argv: list[str] | None = None) -> int:
    """Print per-project pT/pN agreement, overall figures and timing."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    ap.add_argument("--misses", action="store_true", help="list the cases that disagree")
    args = ap.parse_args(argv)
    csv.field_size_limit(10**8)
    rows = list(csv.DictReader(args.csv.open()))
    per: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0, 0, 0, 0, 0])
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
        s = per[r["project"]]
        s[1] += 1
        t_ok = major(res.get("T"), "T") == major(r["T"], "T")
        s[0] += t_ok
        states_t = any(p.axis == "T" and p.prefix in ("p", "yp") for g in scan_tnm(r["text"]) for p in g)
        if states_t:
            s[5] += 1
            s[4] += t_ok
        n_ok = None
        if major(r["N"], "N"):
            s[3] += 1
            n_ok = major(res.get("N"), "N") == major(r["N"], "N")
            s[2] += n_ok
        if not t_ok or n_ok is False:
            misses.append(f"{r['case_id']} {r['project']} gold {r['T']}/{r['N']} got {res.get('T')}/{res.get('N')}")
    print(f"{'project':10s} {'pT':>8s} {'pN':>8s} {'pT|stated':>10s}")
    for k, (a, b, c, d, e, f) in sorted(per.items()):
        print(f"{k:10s} {a:>3d}/{b:<4d} {c:>3d}/{d:<4d} {e:>4d}/{f:<4d}")
    tot = [sum(v[i] for v in per.values()) for i in range(6)]
    n = max(tot[1], 1)
    print(f"overall pT {tot[0]}/{tot[1]} = {100 * tot[0] / n:.1f}%   pN {tot[2]}/{tot[3]} = "
          f"{100 * tot[2] / max(tot[3], 1):.1f}%   pT where a pT is stated {tot[4]}/{tot[5]} = "
          f"{100 * tot[4] / max(tot[5], 1):.1f}%")
    print(f"time: {elapsed:.2f} s for {tot[1]} reports ({1000 * elapsed / n:.1f} ms mean, "
          f"{1000 * slowest:.1f} ms slowest); errors {errors}")
    if skipped:
        print("skipped (no calculator registered): " + ", ".join(f"{k} {v}" for k, v in sorted(skipped.items())))
    if args.misses:
        print("\n".join(misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
