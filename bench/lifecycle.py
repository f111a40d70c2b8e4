"""Corpus lifecycle benchmark: replacing one document vs a full build, and librarian read latency.

Measured in one process, model loaded before any timing, so the ratios compare like with like:

- a full build of the bundled corpus (the baseline) vs replacing one document with a new version
  (one passage edited; every passage edited) vs retire and restore;
- warm latency of ``list_documents`` (``rag corpus list --all``) and ``cite`` (``rag cite``) as
  library calls, and the same commands as fresh ``python -m rag`` processes next to the bare
  ``python -c "import rag"`` floor (the CLI's own cost is the difference);
- at PDQ scale (88 summaries, ~21k chunks) without embedding them (hours on this machine): the
  measured cost of the part of a replacement that grows with the corpus (the BM25 rebuild over all
  live chunks), and a projection of the ratio from the embedding rate measured above.

    python bench/lifecycle.py --out /tmp/lifecycle-bench
    python bench/lifecycle.py --no-pdq
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from rag.config import Settings  # noqa: E402
from rag.corpus import admin  # noqa: E402
from rag.corpus.ingest import ingest  # noqa: E402
from rag.workspace import Workspace  # noqa: E402

# shared/ sits next to the main checkout (../shared) or, from a worktree under wt/, two levels up.
PDQ = next((p / "shared" / "data" / "pdq" for p in (REPO.parent, REPO.parent.parent) if (p / "shared").is_dir()),
           REPO.parent / "shared" / "data" / "pdq")


def _timed(fn, repeat: int = 1) -> tuple[list[float], object]:  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return times, result


def _p(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _edit(text: str, *, every: bool, effective: str) -> str:
    """A new version: a later effective date and one (or every) prose paragraph changed."""
    text = re.sub(r"(?m)^effective_date:.*$", f"effective_date: {effective}", text, count=1)
    lines = text.split("\n")
    body_start = text.split("\n").index("---", 1) + 1 if text.startswith("---") else 0
    changed = 0
    for i in range(body_start, len(lines)):
        line = lines[i].strip()
        if line and not line.startswith(("#", "|", "-", "*", ">")) and len(line) > 40:
            lines[i] = lines[i] + " This sentence was revised in the new version."
            changed += 1
            if not every:
                break
    return "\n".join(lines)


def _cli(index: Path, *args: str, repeat: int = 3) -> list[float]:
    env = dict(os.environ, RAG_INDEX_DIR=str(index), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", PYTHONPATH=str(REPO))
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, *args], cwd=REPO, env=env, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return times


def bundled(root: Path) -> dict[str, object]:
    corpus = root / "corpus"
    shutil.copytree(REPO / "corpora", corpus)
    index = root / "index"
    workspace = Workspace(Settings(index_dir=index, corpora_dir=corpus))
    out: dict[str, object] = {}
    try:
        workspace.embedder.embed_passages(["warm the model up"])
        workspace.embedder.embed_query("warm the query model up")
        full_times, report = _timed(lambda: ingest(workspace, [corpus], progress=False))
        chunks = workspace.catalog.count_chunks()
        out["full_build_s"] = full_times[0]
        out["chunks"] = chunks
        out["documents"] = len(workspace.catalog.documents())
        out["embedded_full"] = report.embedded  # type: ignore[attr-defined]
        out["embed_rate_chunks_per_s"] = chunks / full_times[0]
        # The largest document (most chunks) is the worst case for one replacement.
        target = max(workspace.catalog.documents(), key=lambda d: len(workspace.catalog.chunk_ids(d.doc_id)))
        out["replaced_doc"] = target.doc_id
        out["replaced_doc_chunks"] = len(workspace.catalog.chunk_ids(target.doc_id))
        source = Path(target.path)
        original = source.read_text(encoding="utf-8")
        for label, every, date in (("one_passage", False, "2031-01-01"), ("every_passage", True, "2032-01-01")):
            new = root / f"{target.doc_id}-{label}.md"
            new.write_text(_edit(original, every=every, effective=date), encoding="utf-8")
            times, rep = _timed(lambda n=new: admin.replace(workspace, target.doc_id, n, actor="bench"))
            assert rep.files[0].status == "replaced", rep.files[0]  # type: ignore[attr-defined]
            out[f"replace_{label}_s"] = times[0]
            out[f"replace_{label}_embedded"] = rep.embedded  # type: ignore[attr-defined]
            out[f"replace_{label}_ratio"] = times[0] / full_times[0]
        times, _ = _timed(lambda: admin.retire(workspace, target.doc_id, "bench", actor="bench"))
        out["retire_s"] = times[0]
        times, _ = _timed(lambda: admin.restore(workspace, target.doc_id, actor="bench"))
        out["restore_s"] = times[0]
        old_chunk = next(c for c in workspace.catalog.chunk_ids(target.doc_id, 1)
                         if c not in set(workspace.catalog.chunk_ids(target.doc_id)))
        admin.list_documents(workspace, include_all=True)
        list_times, rows = _timed(lambda: admin.list_documents(workspace, include_all=True), repeat=50)
        cite_times, cited = _timed(lambda: admin.cite(workspace, old_chunk), repeat=50)
        json_list = _timed(lambda: json.dumps([r.as_contract() for r in admin.list_documents(workspace, include_all=True)]),
                           repeat=50)[0]
        assert cited.status == "superseded"  # type: ignore[attr-defined]
        out["list_rows"] = len(rows)  # type: ignore[arg-type]
        out["list_ms_p50"], out["list_ms_p95"] = _p(list_times, 0.5) * 1000, _p(list_times, 0.95) * 1000
        out["list_json_ms_p50"] = _p(json_list, 0.5) * 1000
        out["cite_ms_p50"], out["cite_ms_p95"] = _p(cite_times, 0.5) * 1000, _p(cite_times, 0.95) * 1000
    finally:
        workspace.close()
    floor = _cli(index, "-c", "import rag")
    cli_list = _cli(index, "-m", "rag", "corpus", "list", "--all", "--json")
    cli_cite = _cli(index, "-m", "rag", "cite", old_chunk, "--json")
    out["cli_import_floor_s_p50"] = statistics.median(floor)
    out["cli_list_s_p50"] = statistics.median(cli_list)
    out["cli_cite_s_p50"] = statistics.median(cli_cite)
    out["cli_list_over_floor_s"] = statistics.median(cli_list) - statistics.median(floor)
    out["cli_cite_over_floor_s"] = statistics.median(cli_cite) - statistics.median(floor)
    return out


def pdq_projection(embed_rate: float, settings: Settings) -> dict[str, object]:
    """BM25 rebuild cost at PDQ scale (measured) and the projected replace/full ratio (embedding from the rate above)."""
    from rag.corpus.chunk import chunk_document
    from rag.corpus.ingest import _document, doc_id_for, lexical_text
    from rag.corpus.parse import parse_file
    from rag.index.lexical import LexicalIndex
    from rag.index.tokenize import tokenize

    ids, docs, tokens, per_doc = [], [], [], []
    start = time.perf_counter()
    for path in sorted(PDQ.glob("*.md")):
        parsed = parse_file(path)
        doc_id = doc_id_for(parsed)
        document = _document(parsed, doc_id, str(path), "")
        chunks = chunk_document(parsed, doc_id, chunk_chars=settings.chunk_chars)
        per_doc.append(len(chunks))
        for c in chunks:
            ids.append(c.chunk_id)
            docs.append(doc_id)
            tokens.append(tokenize(lexical_text(document, c)))
    prepare_s = time.perf_counter() - start
    folder = Path(tempfile.mkdtemp(prefix="bm25-pdq-"))
    try:
        rebuild = _timed(lambda: LexicalIndex.build(folder / "g", ids, docs, tokens), repeat=3)[0]
        load = _timed(lambda: LexicalIndex(folder / "g"), repeat=3)[0]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    decode = _timed(lambda: [json.loads(json.dumps(t)) for t in tokens], repeat=1)[0][0]  # live_tokens' JSON cost
    chunks = len(ids)
    median_doc = statistics.median(per_doc)
    full = chunks / embed_rate + prepare_s
    replace = median_doc / embed_rate + min(rebuild) + decode + prepare_s / len(per_doc)
    return {"pdq_documents": len(per_doc), "pdq_chunks": chunks, "pdq_median_doc_chunks": median_doc,
            "pdq_largest_doc_chunks": max(per_doc), "pdq_parse_chunk_tokenize_s": prepare_s,
            "pdq_bm25_rebuild_s": min(rebuild), "pdq_bm25_load_s": min(load), "pdq_token_json_s": decode,
            "pdq_projected_full_build_s": full, "pdq_projected_replace_median_doc_s": replace,
            "pdq_projected_ratio": replace / full,
            "pdq_projected_ratio_largest_doc": (max(per_doc) / embed_rate + min(rebuild) + decode) / full}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, help="folder for results.json")
    parser.add_argument("--no-pdq", action="store_true", help="skip the PDQ-scale measurement")
    parser.add_argument("--pdq-only", type=float, metavar="CHUNKS_PER_S",
                        help="only the PDQ-scale part, projecting with this embedding rate (from an earlier run)")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="lifecycle-bench-"))
    try:
        results = {"embed_rate_chunks_per_s": args.pdq_only} if args.pdq_only else bundled(root)
        if not args.no_pdq and PDQ.is_dir():
            results.update(pdq_projection(float(results["embed_rate_chunks_per_s"]), Settings()))  # type: ignore[arg-type]
    finally:
        shutil.rmtree(root, ignore_errors=True)
    text = json.dumps(results, indent=2, default=float)
    print(text)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "results.json").write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
