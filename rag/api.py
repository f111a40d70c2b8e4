"""The library's front door: ingest, search, stage (and ask) without the CLI.

Embedded Qdrant allows one client per folder, so the functions share one ``Workspace`` per index
directory for the life of the process (``close()`` releases them). The CLI and the app call the
same underlying functions.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from rag.config import Settings
from rag.corpus.ingest import IngestReport
from rag.types import DocFilter, SearchHit, SearchMode
from rag.workspace import Workspace

_WORKSPACES: dict[Path, Workspace] = {}
_LOCK = threading.Lock()


def workspace_for(settings: Settings | None = None) -> Workspace:
    """The process's shared workspace for these settings' index directory."""
    settings = settings or Settings()
    key = settings.index_dir.resolve()
    with _LOCK:
        if key not in _WORKSPACES:
            _WORKSPACES[key] = Workspace(settings)
        return _WORKSPACES[key]


def close() -> None:
    """Release every shared workspace (the Qdrant folder locks included)."""
    with _LOCK:
        for workspace in _WORKSPACES.values():
            workspace.close()
        _WORKSPACES.clear()


def ingest(paths: Iterable[str | Path], *, settings: Settings | None = None, progress: bool = False) -> IngestReport:
    """Ingest files and folders; see :func:`rag.corpus.ingest.ingest`."""
    from rag.corpus.ingest import ingest as _ingest

    return _ingest(workspace_for(settings), [Path(p) for p in paths], progress=progress)


def search(query: str, *, k: int = 8, mode: SearchMode = "hybrid", filters: DocFilter | None = None,
           settings: Settings | None = None) -> list[SearchHit]:
    """Hybrid (or bm25 / dense) search; builds the index from the bundled corpora on first use."""
    from rag.retrieval.retrieve import Retriever

    workspace = workspace_for(settings)
    ensure_index(workspace)
    return Retriever(workspace).search(query, k=k, mode=mode, filters=filters)


def stage(system: str, *, text: str | None = None, tnm: str | None = None,
          findings: Mapping[str, Any] | None = None, settings: Settings | None = None) -> dict[str, Any]:
    """A deterministic stage or category with cited rule rows (the ``rag stage --json`` object)."""
    from rag.calculators.service import StageRequest, run_stage

    return run_stage(settings or Settings(), StageRequest(system=system, text=text, tnm=tnm, findings=findings))


def ensure_index(workspace: Workspace) -> bool:
    """Build the index from the bundled corpora when it is empty, or bring it up to date when a
    bundled file changed (an upgrade); True if it ingested anything."""
    from rag.corpus.ingest import discover, sha256_file
    from rag.corpus.ingest import ingest as _ingest
    from rag.errors import IndexMissing

    corpora = workspace.settings.corpora_dir
    documents = workspace.catalog.documents()
    if not corpora.is_dir():
        if documents:
            return False
        raise IndexMissing(f"no index in {workspace.settings.index_dir} and no corpora at {corpora}")
    root = str(corpora.resolve())
    if documents and not any(d.path.startswith(root) for d in documents):
        return False  # an index of the user's own documents: the bundled corpora are not imposed on it
    known = {d.path: d.sha256 for d in documents}
    # A bundled file a librarian replaced with a file elsewhere is the path of an old version only:
    # it stays superseded (upgrades come through files whose path is a current version's, or new files).
    superseded_paths = {v.document.path for v in workspace.catalog.versions(statuses=("superseded",))} - set(known)
    files, _ = discover([corpora])
    files = [f for f in files if str(f.resolve()) not in superseded_paths]
    stale = [f for f in files if known.get(str(f.resolve())) != sha256_file(f)]
    retired = {d.path for d in documents if d.status == "retired"}
    stale = [f for f in stale if str(f.resolve()) not in retired]  # a librarian's retirement stands
    if not stale:
        return False
    _ingest(workspace, stale)
    return True
