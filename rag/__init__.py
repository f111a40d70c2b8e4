"""Offline oncology guideline assistant: cited hybrid retrieval, answers and deterministic staging.

Public API::

    from rag import ingest, search, stage
    report = ingest(["corpora/"])
    hits = search("visceral pleural invasion", k=5)
    result = stage("AJCC8-lung", tnm="T2a N1 M0")
"""

from __future__ import annotations

from rag.api import close, ingest, search, stage
from rag.config import Settings
from rag.corpus.ingest import FileReport, IngestReport
from rag.errors import InvalidInput, NoEvidence, RagError
from rag.types import CalcResult, Chunk, DocFilter, Document, Evidence, SearchHit

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
