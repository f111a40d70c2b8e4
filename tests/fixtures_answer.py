"""Fixtures for the answer-pipeline tests: one real index over the bundled corpora per test session.

Embedding ~800 chunks takes a minute or more on a busy machine, so the index is built once per
process (cached here, not per test module: a fixture imported into several modules would otherwise
be built once per module) and shared read-only. Tests that need to change the corpus copy it.

Import into a test module: ``from fixtures_answer import corpus_workspace, rulebook_chunks``.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.config import Settings
from rag.types import Chunk, Document
from rag.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT / "corpora"
_STATE: dict[str, object] = {}


def _build() -> Workspace:
    if "workspace" not in _STATE:
        from rag.corpus.ingest import ingest

        directory = Path(tempfile.mkdtemp(prefix="rag-answer-tests-"))
        workspace = Workspace(Settings(index_dir=directory / "index", corpora_dir=CORPORA))
        report = ingest(workspace, [CORPORA], progress=False)
        assert not report.as_dict().get("counts", {}).get("rejected"), report.as_dict()
        _STATE["workspace"] = workspace
        _STATE["directory"] = directory
    return _STATE["workspace"]  # type: ignore[return-value]


@pytest.fixture(scope="session")
def corpus_workspace() -> Iterator[Workspace]:
    """A workspace whose index holds the whole bundled corpus (built once per session)."""
    workspace = _build()
    yield workspace
    if _STATE.pop("workspace", None) is not None:  # session end (several modules may import this)
        workspace.close()
        shutil.rmtree(_STATE.pop("directory"), ignore_errors=True)  # type: ignore[arg-type]


def copy_index(workspace: Workspace, target: Path) -> Workspace:
    """A second, writable workspace over a copy of the shared index."""
    shutil.copytree(workspace.settings.index_dir, target, ignore=shutil.ignore_patterns(".lock"))
    return Workspace(Settings(index_dir=target, corpora_dir=CORPORA))


@pytest.fixture(scope="session")
def rulebook_chunks() -> dict[str, tuple[Chunk, Document]]:
    """rule id → (chunk, document) from chunking the bundled corpus (no embedding, no index)."""
    from rag.calculators.rulebook import RuleBook

    book = RuleBook.from_corpus(CORPORA, Settings().chunk_chars)
    out: dict[str, tuple[Chunk, Document]] = {}
    for rule_id in book.rule_ids():
        citation = book.cite(rule_id)
        assert citation is not None
        out[rule_id] = (citation.chunk, citation.document)
    return out
