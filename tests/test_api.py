from __future__ import annotations

from pathlib import Path

import pytest

import rag
from rag.config import Settings
from tests.conftest import write


def test_public_surface_is_small_and_explicit() -> None:
    assert sorted(rag.__all__) == ["CalcResult", "Chunk", "DocFilter", "Document", "Evidence", "FileReport",
                                   "IngestReport", "InvalidInput", "NoEvidence", "RagError", "SearchHit",
                                   "Settings", "close", "ingest", "search", "stage"]
    assert all(hasattr(rag, name) for name in rag.__all__)


def test_api_functions_survive_submodule_imports() -> None:
    import rag.calculators.service  # noqa: F401
    import rag.corpus.ingest  # noqa: F401
    import rag.retrieval.retrieve  # noqa: F401

    assert callable(rag.stage) and callable(rag.ingest) and callable(rag.search)


@pytest.mark.slow
def test_ingest_search_stage_through_the_api(tmp_path: Path) -> None:
    settings = Settings(index_dir=tmp_path / "index")
    write(tmp_path / "c" / "n.md", "---\ntitle: Nodes\nsystem: AJCC8-lung\n---\n# Nodes\n\n"
                                   "## N3\n\nAny supraclavicular or scalene node is N3.\n")
    try:
        report = rag.ingest([tmp_path / "c"], settings=settings)
        assert report.counts == {"added": 1}
        hits = rag.search("scalene node", k=1, settings=settings)  # same process, same Qdrant client
        assert hits[0].chunk.section == "Nodes > N3"
    finally:
        rag.close()
    staged = rag.stage("AJCC8-lung", tnm="T1b N3 M0")
    assert staged["result"]["stage"] == "IIIB" and staged["citations"]
