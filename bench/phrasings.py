"""Phrasing-suite scores per system and language: right / wrong / missing (tests/phrasings/*.json).

The test (tests/test_reader_phrasings.py) asserts zero wrong; this prints the figures for a report.

    PYTHONPATH=. python bench/phrasings.py [--list]
"""

from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rag.calculators.registry import find_calculator  # noqa: E402
from tests.phrasings import SUITE_FILES, load  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Print right / wrong / missing per system and language, and per rule with --list."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--list", action="store_true", help="also print every phrasing that is not right")
    args = ap.parse_args(argv)
    per: dict[tuple[str, str], collections.Counter[str]] = collections.defaultdict(collections.Counter)
    per_rule: dict[tuple[str, str, str], collections.Counter[str]] = collections.defaultdict(collections.Counter)
    bad = []
    for path in SUITE_FILES:
        for p in load(path):
            got = find_calculator(p.system).from_text(p.text).result.get(p.axis)
            outcome = "right" if got == p.expect else "missing" if got is None else "wrong"
            per[(p.system, p.lang)][outcome] += 1
            per_rule[(p.system, p.rule, p.lang)][outcome] += 1
            if outcome != "right":
                bad.append(f"{outcome:7s} {p.system} {p.axis} expected {p.expect} got {got}: {p.text}")
    print(f"{'system':18s} {'lang':4s} {'n':>5s} {'right':>7s} {'wrong':>6s} {'missing':>8s} {'pass %':>7s}")
    for (system, lang), c in sorted(per.items()):
        n = sum(c.values())
        print(f"{system:18s} {lang:4s} {n:5d} {c['right']:7d} {c['wrong']:6d} {c['missing']:8d} {100 * c['right'] / n:6.1f}%")
    if args.list:
        for (system, rule, lang), c in sorted(per_rule.items()):
            print(f"  {system} {rule} [{lang}]: {dict(c)}")
        print("\n".join(bad))
    return 0


if __name__ == "__main__":
    sys.exit(main())
