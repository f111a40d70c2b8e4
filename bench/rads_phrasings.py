"""Score the RADS readers on the phrasing suites: right / wrong / missing per system and language.

Usage: ``python bench/rads_phrasings.py [--set generated|variants|findings|ranges] [--failures N] [--system NAME]``
from the repository root.
Wrong (a value outside the accepted set) and missing (left empty) are counted apart (issue 10).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from phrasings import run_suite  # noqa: E402
from phrasings.rads import all_cases, findings_cases, range_cases, variant_cases  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--failures", type=int, default=0, help="print up to N failing phrases")
    parser.add_argument("--system", default="", help="only this system (substring)")
    parser.add_argument("--only", choices=("wrong", "missing", ""), default="", help="print only this kind of failure")
    parser.add_argument("--set", choices=("generated", "variants", "findings", "ranges"), default="generated",
                        help="generated suites, the report-style variants, structured findings (object and rendered text), "
                             "or only the size-range and stated-category suite (part of generated)")
    args = parser.parse_args()
    pick = {"generated": all_cases, "variants": variant_cases, "findings": findings_cases, "ranges": range_cases}[args.set]
    cases = [c for c in pick() if args.system.lower() in c.system.lower()]
    t0 = time.perf_counter()
    tally = run_suite(cases)
    print(tally.table())
    print(f"\n{len(cases)} phrases in {time.perf_counter() - t0:.1f} s")
    shown = 0
    for verdict, p, got in tally.failures:
        if shown >= args.failures or (args.only and verdict != args.only):
            continue
        shown += 1
        print(f"\n[{verdict}] {p.system} {p.lang} {p.rule} {p.form}\n  text: {p.text}\n  want: {dict(p.expect)}\n  got:  {got}")


if __name__ == "__main__":
    main()
