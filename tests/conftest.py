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

pytest_plugins = ["llm_fixtures", "fixtures_answer", "web_fixtures"]  # shared fixtures (one corpus index per session)

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


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
