"""Compare clinical-context engines inside the staging readers: ours (rag.calculators.context) vs medspaCy ConText.

The readers ask one question of a context engine: is this span negated, hedged or historical?
This bench swaps the engine behind ``rag.calculators.staging.extract.find`` and scores the same
readers on the phrasing suites (tests/phrasings) and the TCGA dev reports, wrong and missing apart.
medspaCy has no Chinese rules, so texts with Chinese characters keep our engine in its run (the
issue's "adopt it for English" case). medspaCy is not a project dependency: install it somewhere
else and pass that folder, e.g. ``pip install --target /tmp/medspacy medspacy==1.3.1``.

    PYTHONPATH=. python bench/context_eval.py [--medspacy PATH] [--csv TCGA.csv]
"""

from __future__ import annotations

import argparse
import collections
import csv
import importlib.util
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import rag.calculators.staging.extract as extract  # noqa: E402
import rag.calculators.staging.lung_text as lung_text  # noqa: E402
from rag.calculators.context import Assertion, assess  # noqa: E402
from rag.calculators.registry import find_calculator  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SHARED = next((p / "shared" for p in (REPO.parent, REPO.parent.parent) if (p / "shared").is_dir()), REPO.parent / "shared")
SITE = {"LUAD": "lung", "LUSC": "lung", "BRCA": "breast", "COAD": "colorectal", "READ": "colorectal",
        "PRAD": "prostate", "STAD": "stomach", "ESCA": "esophagus", "PAAD": "pancreas", "LIHC": "liver",
        "THCA": "thyroid", "KIRC": "kidney", "KIRP": "kidney", "KICH": "kidney", "BLCA": "bladder",
        "CESC": "cervix"}



def _phrasings() -> ModuleType:
    """tests/phrasings loaded by path: a site-packages ``tests`` package (medspaCy brings one) shadows it."""
    spec = importlib.util.spec_from_file_location("phrasings", REPO / "tests" / "phrasings" / "__init__.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["phrasings"] = module
    spec.loader.exec_module(module)
    return module


_CJK = re.compile(r"[\u4e00-\u9fff]")


def medspacy_engine(path: str) -> Callable[[str, int, int], Assertion]:
    """An ``assess`` built on medspaCy's default ConText rules (English), ours for Chinese text."""
    sys.path.insert(0, path)
    import logging

    logging.disable(logging.WARNING)
    try:
        from loguru import logger  # PyRuSH logs every sentence at DEBUG

        logger.remove()
    except ImportError:
        pass
    import medspacy  # type: ignore[import-not-found]

    nlp = medspacy.load()
    sentencizer = nlp.get_pipe("medspacy_pyrush")
    context = nlp.get_pipe("medspacy_context")

    def run(text: str, start: int, end: int) -> Assertion:
        if _CJK.search(text):
            return assess(text, start, end)
        lo, hi = max(0, start - 250), min(len(text), end + 250)
        doc = sentencizer(nlp.make_doc(text[lo:hi]))
        span = doc.char_span(start - lo, end - lo, label="FINDING", alignment_mode="expand")
        if span is None:
            return Assertion()
        doc.ents = [span]
        context(doc)
        ent = doc.ents[0]
        return Assertion(bool(ent._.is_negated), bool(ent._.is_uncertain), bool(ent._.is_historical))

    return run


def use(engine: Callable[[str, int, int], Assertion]) -> None:
    """Put ``engine`` behind every reader that asks for context."""
    extract.assess = engine
    lung_text.assess = engine


def score_phrasings() -> dict[str, collections.Counter[str]]:
    out: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    suites = _phrasings()
    for path in suites.SUITE_FILES:
        for p in suites.load(path):
            got = find_calculator(p.system).from_text(p.text).result.get(p.axis)
            out[f"{p.site}/{p.lang}"]["right" if got == p.expect else "missing" if got is None else "wrong"] += 1
    return out


def score_cues(engine: Callable[[str, int, int], Assertion]) -> dict[str, collections.Counter[str]]:
    """Cue-level cases (tests/data/context_cases.json): the engine's state vs the expected one."""
    import json

    out: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    cases = json.loads((REPO / "tests" / "data" / "context_cases.json").read_text(encoding="utf-8"))["cases"]
    for c in (c for c in cases if "text" in c):
        start = c["text"].index(c["target"])
        a = engine(c["text"], start, start + len(c["target"]))
        got = "historical" if a.historical else "uncertain" if a.uncertain else "negated" if a.denied else "affirmed"
        lang = "zh" if _CJK.search(c["text"]) else "en"
        out[f"cues/{lang}"]["right" if got == c["expected"] else "wrong"] += 1
    return out


def major(value: object, axis: str) -> str | None:
    m = re.search(rf"{axis}(\d|is|x)", str(value or ""), re.I)
    return m.group(0).upper() if m else None


def score_tcga(path: Path) -> dict[str, collections.Counter[str]]:
    csv.field_size_limit(10**8)
    out: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    with path.open(newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            code = r["project"].removeprefix("TCGA-")
            if code not in SITE:
                continue
            res = find_calculator("AJCC8-" + SITE[code]).from_text(r["text"]).result
            for axis in "TN":
                gold = major(r[axis], axis)
                if gold is None:
                    continue
                got = major(res.get(axis), axis)
                out[f"p{axis}"]["right" if got == gold else "missing" if got is None else "wrong"] += 1
    return out


def main(argv: list[str] | None = None) -> int:
    """Print right / wrong / missing per engine on the phrasing suites and the TCGA dev reports."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--medspacy", help="folder where medspacy==1.3.1 is installed (pip --target)")
    ap.add_argument("--csv", type=Path, default=SHARED / "data" / "tcga_reports_dev.csv")
    args = ap.parse_args(argv)
    engines: list[tuple[str, Callable[[str, int, int], Assertion]]] = [("ours", assess)]
    if args.medspacy:
        start = time.perf_counter()
        engines.append(("medspacy", medspacy_engine(args.medspacy)))
        print(f"medspaCy import + load: {time.perf_counter() - start:.1f} s")
    for name, engine in engines:
        use(engine)
        start = time.perf_counter()
        rows = {**score_cues(engine), **score_phrasings(), **score_tcga(args.csv)}
        took = time.perf_counter() - start
        print(f"engine {name} ({took:.1f} s)")
        for key, c in sorted(rows.items()):
            n = sum(c.values())
            print(f"  {key:18s} n={n:4d} right {c['right']:4d} wrong {c['wrong']:3d} missing {c['missing']:3d}")
    use(assess)
    return 0


if __name__ == "__main__":
    sys.exit(main())
