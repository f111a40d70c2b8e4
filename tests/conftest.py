"""Shared fixtures: real components only (local Qdrant in a temp dir, real MiniLM, real PDFs)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# The exported ONNX query model goes to a folder of this test run, not the user's cache: every run
# exercises the export once (and subprocesses inherit the variable).
_OWN_MODEL_CACHE = None if "RAG_MODEL_CACHE_DIR" in os.environ else tempfile.mkdtemp(prefix="rag-test-models-")
if _OWN_MODEL_CACHE:
    os.environ["RAG_MODEL_CACHE_DIR"] = _OWN_MODEL_CACHE


from rag.config import Settings  # noqa: E402
from rag.workspace import Workspace  # noqa: E402

pytest_plugins = ["llm_fixtures", "fixtures_answer"]  # shared fixtures (one corpus index per session)

REPO = Path(__file__).resolve().parent.parent


def _find_shared() -> Path:
    """../shared beside the checkout (main, CI's clone) or beside the worktrees' folder (a worktree under wt/)."""
    for parent in (REPO.parent, REPO.parent.parent):
        if (parent / "shared").is_dir():
            return parent / "shared"
    return REPO.parent / "shared"


SHARED = _find_shared()


def require_shared(path: Path) -> Path:
    """``path`` (a file under ../shared), or stop the test: a skip only on a machine without ../shared
    outside CI; a failure in CI (``CI`` is set) or when ../shared is there but lacks the file."""
    if path.exists():
        return path
    message = f"{path} is missing: the shared/ folder must sit beside the repository (../shared)"
    if os.environ.get("CI") or SHARED.is_dir():
        pytest.fail(message, pytrace=False)
    pytest.skip(f"{message}; skipped because CI is not set")


def _fast_tier(config: pytest.Config) -> bool:
    """True under ``-m "not slow"`` (docs/TESTING.md): no test may build an index from real embeddings."""
    return "not slow" in (config.option.markexpr or "")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not _fast_tier(config):
        return
    for item in items:
        # corpus_workspace is the session's real index over the bundled corpus (fixtures_answer.py).
        if item.get_closest_marker("slow") is None and "corpus_workspace" in getattr(item, "fixturenames", ()):
            raise pytest.UsageError(f"{item.nodeid} uses corpus_workspace but is not marked slow")


@pytest.fixture(autouse=True)
def _fast_tier_loads_no_model(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """In the fast tier, a test that loads the embedding model fails with the fix instead of running slowly."""
    if not _fast_tier(request.config) or request.node.get_closest_marker("slow"):
        return

    def refuse() -> None:
        pytest.fail(f"{request.node.nodeid} loads the embedding model (to build an index?): mark it slow",
                    pytrace=False)

    monkeypatch.setattr("rag.index.embed._load_model", refuse)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _OWN_MODEL_CACHE:
        shutil.rmtree(_OWN_MODEL_CACHE, ignore_errors=True)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(index_dir=tmp_path / "index", corpora_dir=REPO / "corpora")


@pytest.fixture
def workspace(settings: Settings) -> Iterator[Workspace]:
    ws = Workspace(settings)
    yield ws
    ws.close()


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def make_pdf(path: Path, pages: list[list[tuple[str, object]]], *, title: str | None = None) -> Path:
    """A real PDF: each page is a list of ("heading" | "text" | "table", content) items."""
    from fpdf import FPDF

    pdf = FPDF()
    if title:
        pdf.set_title(title)
    for items in pages:
        pdf.add_page()
        for kind, content in items:
            if kind == "heading":
                pdf.set_font("Helvetica", "B", 14)
                pdf.cell(0, 10, str(content), new_x="LMARGIN", new_y="NEXT")
            elif kind == "text":
                pdf.set_font("Helvetica", size=11)
                pdf.multi_cell(0, 6, str(content), new_x="LMARGIN", new_y="NEXT")
            elif kind == "table":
                pdf.set_font("Helvetica", size=11)
                with pdf.table() as table:
                    for cells in content:  # type: ignore[union-attr]
                        row = table.row()
                        for cell in cells:
                            row.cell(str(cell))
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return path
