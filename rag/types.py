"""Typed, frozen value objects shared across the package."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

SearchMode = Literal["hybrid", "bm25", "dense"]  # rag search --mode
DocumentStatus = Literal["active", "superseded", "retired"]  # superseded/retired versions keep their rows but leave the index
ChunkKind = Literal["text", "table"]
CitationOrigin = Literal["retrieval", "calculator"]  # a retrieved passage, or a calculator's rule row


@dataclass(frozen=True)
class Document:
    """One ingested source file and its front-matter metadata."""

    doc_id: str
    title: str
    source: str  # the ingested file's name
    path: str
    sha256: str
    system: str = ""
    edition: str = ""
    effective_date: str = ""
    language: str = "en"
    license: str = ""
    supersedes: str = ""
    status: DocumentStatus = "active"  # see rag.corpus.registry
    publisher_source: str = ""  # front matter `source`: the published work the facts come from
    version: int = 1  # the registry's version number of this document (1, 2, ...)


@dataclass(frozen=True)
class Chunk:
    """A retrievable passage: everything a citation needs travels with it."""

    chunk_id: str
    doc_id: str
    text: str
    section: str  # heading path, " > " separated
    page: int | None  # 1-based for PDFs, None otherwise
    start: int  # character offsets into the document body (or the page text for PDFs)
    end: int
    rule_ids: tuple[str, ...] = ()
    kind: ChunkKind = "text"


@dataclass(frozen=True)
class SearchHit:
    """A chunk with its document metadata, rank and score for one query."""

    rank: int
    chunk: Chunk
    document: Document
    score: float

    def as_contract(self) -> dict[str, Any]:
        """The CONTRACT.md shape of one search result."""
        return {
            "rank": self.rank,
            "chunk_id": self.chunk.chunk_id,
            "doc_id": self.document.doc_id,
            "title": self.document.title,
            "edition": self.document.edition,
            "version": self.document.version,
            "section": self.chunk.section,
            "page": self.chunk.page,
            "source": self.document.source,
            "score": round(self.score, 6),
            "text": self.chunk.text,
            "system": self.document.system,
            "rule_ids": list(self.chunk.rule_ids),
        }


@dataclass(frozen=True)
class Evidence:
    """A span of the user's input that a calculator used, so the result is traceable both ways."""

    descriptor: str  # e.g. "T.size_mm", "N.count", "lungrads.nodule[0].type"
    value: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Discrepancy:
    """A report states one category but its own descriptors imply another."""

    field: str  # "T", "N", "M", "stage", "category"
    stated: str
    derived: str
    stated_evidence: Evidence | None
    derived_evidence: tuple[Evidence, ...]
    rule_id: str
    message: str


@dataclass(frozen=True)
class CalcResult:
    """A deterministic calculator's output, before rule ids are resolved to corpus chunks."""

    system: str
    edition: str
    result: dict[str, Any]
    missing: tuple[str, ...] = ()
    rule_ids: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    discrepancies: tuple[Discrepancy, ...] = ()
    notes: tuple[str, ...] = ()
    other_editions: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class DocFilter:
    """Document-level metadata filters; empty tuples mean "any"."""

    systems: tuple[str, ...] = ()
    editions: tuple[str, ...] = ()
    doc_ids: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    # Which version statuses to search: () means the active versions (the live index). Adding
    # "superseded" searches older versions too, from the registry (rag.retrieval.editions).
    statuses: tuple[str, ...] = ()

    def wants_archive(self) -> bool:
        """True when versions outside the live index (superseded ones) are asked for."""
        return any(s != "active" for s in self.statuses)

    def is_empty(self) -> bool:
        return not (self.systems or self.editions or self.doc_ids or self.languages)

    def fields_for_request(self) -> dict[str, list[str]]:
        """The constructor's keyword arguments, as JSON-friendly lists."""
        return {"systems": list(self.systems), "editions": list(self.editions), "doc_ids": list(self.doc_ids),
                "languages": list(self.languages), "statuses": list(self.statuses)}

    def fields(self) -> dict[str, tuple[str, ...]]:
        return {"system": self.systems, "edition": self.editions, "doc_id": self.doc_ids,
                "language": self.languages}
