"""The rule book follows the index: after a re-index, a long-running process cites the new chunk.

A real tiny index (one corpus file, real embeddings): stage, change the file so the chunk that
states the cited rule changes, re-ingest, stage again in the same process. The citation must name
the new chunk (which the catalogue holds), never the removed one.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rag.calculators.service import StageRequest, catalog_generation, run_stage
from rag.config import Settings
from rag.corpus.ingest import ingest
from rag.workspace import Workspace

REPO = Path(__file__).resolve().parent.parent


def _chunk_of(out: dict, rule_id: str) -> str:
    return next(c["chunk_id"] for c in out["citations"] if c["rule_id"] == rule_id)


@pytest.mark.slow  # two real ingests (MiniLM embeddings): ~40 s on the shared 2-core machine
def test_a_reindex_changes_the_cited_chunk_in_the_same_process(tmp_path: Path) -> None:
    source = tmp_path / "src" / "ajcc8-bladder.md"
    source.parent.mkdir()
    shutil.copy(REPO / "corpora" / "staging" / "ajcc8-bladder.md", source)
    (tmp_path / "no-bundled-corpus").mkdir()  # so every citation must come from the index
    settings = Settings(index_dir=tmp_path / "index", corpora_dir=tmp_path / "no-bundled-corpus")
    request = StageRequest("AJCC8-bladder", tnm="T1 N0 M0")
    workspace = Workspace(settings)
    try:
        ingest(workspace, [source], progress=False)
        first_generation = catalog_generation(settings.index_dir)
        before = _chunk_of(run_stage(settings, request), "BLADDER8.T.T1")
        assert before in set(workspace.catalog.chunk_ids("ajcc8-bladder"))

        text = source.read_text(encoding="utf-8")
        marker = "T1: the tumour invades the lamina propria"
        assert marker in text
        source.write_text(text.replace(marker, "T1 (re-worded in this test): the tumour invades the lamina propria"),
                          encoding="utf-8")
        ingest(workspace, [source], progress=False)
        assert catalog_generation(settings.index_dir) != first_generation

        out = run_stage(settings, request)
        after = _chunk_of(out, "BLADDER8.T.T1")
        live = set(workspace.catalog.chunk_ids("ajcc8-bladder"))
        assert after != before and after in live and before not in live
        quote = next(c["quote"] for c in out["citations"] if c["rule_id"] == "BLADDER8.T.T1")
        assert "re-worded in this test" in quote
        assert out["result"]["stage"] == "I"
    finally:
        workspace.close()


def test_without_an_index_there_is_no_generation(tmp_path: Path) -> None:
    assert catalog_generation(tmp_path) is None
