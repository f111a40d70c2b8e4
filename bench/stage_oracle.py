"""Structured staging against the independent oracle (tests/staging_oracle.py): right / wrong / missing per site.

Runs every T × N × M (× histology and age where the site needs them) through the calculator's
structured entry point and counts separately the groups that agree, the wrong ones (a different group,
or a group where the corpus gives none) and the missing ones. To measure another checkout (a
baseline), put it first on PYTHONPATH: the oracle is loaded from this file's checkout by path.

    PYTHONPATH=. python bench/stage_oracle.py [--show 5]
    PYTHONPATH=/work/main python bench/stage_oracle.py   # baseline: main's calculators, this oracle
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

_ORACLE = Path(__file__).resolve().parent.parent / "tests" / "staging_oracle.py"
_spec = importlib.util.spec_from_file_location("staging_oracle", _ORACLE)
assert _spec is not None and _spec.loader is not None
oracle = importlib.util.module_from_spec(_spec)
sys.modules["staging_oracle"] = oracle
_spec.loader.exec_module(oracle)

from rag.calculators.registry import find_calculator  # noqa: E402
from rag.errors import RagError  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", type=int, default=3, help="failures to print per site")
    args = parser.parse_args()
    import rag

    print(f"rag from {Path(rag.__file__).parent}")
    totals = [0, 0, 0]
    for name, site in oracle.SITES.items():
        calc = find_calculator(site.system)

        def stage(tnm: str, findings: Mapping[str, Any], calc: Any = calc) -> str | None:
            try:
                return calc.from_findings(dict(findings), tnm).result.get("stage")
            except RagError:
                return None

        s = oracle.score(site, stage)
        totals = [totals[0] + s.right, totals[1] + s.wrong, totals[2] + s.missing]
        print(f"{name:12s} right {s.right:4d} / {s.total:4d}   wrong {s.wrong:3d}   missing {s.missing:3d}")
        for line in (s.failures or [])[:args.show]:
            print(f"    {line}")
    print(f"{'all':12s} right {totals[0]:4d} / {sum(totals):4d}   wrong {totals[1]:3d}   missing {totals[2]:3d}")


if __name__ == "__main__":
    main()
