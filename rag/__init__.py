"""Offline oncology guideline assistant: cited hybrid retrieval, answers and deterministic staging.

Public API::

    from rag import ingest, search, stage
    report = ingest(["corpora/"])
    hits = search("visceral pleural invasion", k=5)
    result = stage("AJCC8-lung", tnm="T2a N1 M0")
"""

from __future__ import annotations

# Load the submodules that share a name with an API function first: importing a submodule later
# would rebind the package attribute (``rag.stage``) from the function to the module.
import rag.ingest as _ingest_module  # noqa: F401
import rag.stage as _stage_module  # noqa: F401
from rag.api import close, ingest, search, stage
from rag.config import Settings
from rag.errors import InvalidInput, NoEvidence, RagError
from rag.index import DocFilter
from rag.ingest import FileReport, IngestReport
from rag.types import CalcResult, Chunk, Document, Evidence, SearchHit

__all__ = [
    "CalcResult",
    "Chunk",
    "DocFilter",
    "Document",
    "Evidence",
    "FileReport",
    "IngestReport",
    "InvalidInput",
    "NoEvidence",
    "RagError",
    "SearchHit",
    "Settings",
    "close",
    "ingest",
    "search",
    "stage",
]
