"""Resolve calculator rule ids to the corpus passages that state them.

Chunk ids are derived from content, so chunking the bundled corpus gives the same ids as the index.
That lets ``rag stage`` cite passages without loading the embedding model or building an index: the
rule book comes from the index catalogue when one exists, else from chunking ``corpora/`` directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rag.corpus.chunk import chunk_document
from rag.corpus.ingest import discover, doc_id_for
from rag.corpus.parse import parse_file
from rag.errors import IngestError
from rag.types import Chunk, Document


@dataclass(frozen=True)
class RuleCitation:
    """Where a rule is stated: the chunk, its document, and the line that states it."""

    rule_id: str
    chunk: Chunk
    document: Document
    quote: str

    def as_contract(self, n: int) -> dict[str, object]:
        return {"n": n, "rule_id": self.rule_id, "chunk_id": self.chunk.chunk_id, "doc_id": self.document.doc_id,
                "title": self.document.title, "edition": self.document.edition, "version": self.document.version,
                "section": self.chunk.section,
                "page": self.chunk.page, "source": self.document.source, "quote": self.quote}


class RuleBook:
    """rule id → (chunk, document)."""

    def __init__(self, entries: dict[str, tuple[Chunk, Document]]) -> None:
        self._entries = entries

    def __contains__(self, rule_id: str) -> bool:
        return rule_id in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def merged_over(self, fallback: RuleBook) -> RuleBook:
        """This book's entries, plus the fallback's for ids this one lacks."""
        return RuleBook({**fallback._entries, **self._entries})

    def rule_ids(self) -> list[str]:
        return sorted(self._entries)

    def cite(self, rule_id: str) -> RuleCitation | None:
        entry = self._entries.get(rule_id)
        if entry is None:
            return None
        chunk, document = entry
        return RuleCitation(rule_id, chunk, document, quote_for(rule_id, chunk.text))

    @classmethod
    def from_corpus(cls, corpora_dir: Path, chunk_chars: int) -> RuleBook:
        """Chunk the corpus files (no embedding) and index their rule definitions."""
        files, _ = discover([corpora_dir])
        entries: dict[str, tuple[Chunk, Document]] = {}
        for path in files:
            try:
                parsed = parse_file(path)
            except IngestError:
                continue
            doc_id = doc_id_for(parsed)
            meta = parsed.meta
            document = Document(doc_id=doc_id, title=str(meta.get("title", path.stem)), source=path.name,
                                path=str(path.resolve()), sha256="", system=str(meta.get("system", "")),
                                edition=str(meta.get("edition", "")),
                                effective_date=str(meta.get("effective_date", "")),
                                language=str(meta.get("language", "en")))
            for chunk in chunk_document(parsed, doc_id, chunk_chars=chunk_chars):
                for rule_id in chunk.rule_ids:
                    entries.setdefault(rule_id, (chunk, document))
        return cls(entries)

    @classmethod
    def from_catalog(cls, catalog) -> RuleBook:  # type: ignore[no-untyped-def]
        """Rule definitions of the active documents in an index catalogue."""
        documents = {d.doc_id: d for d in catalog.documents(include_retired=False)}
        rows = catalog.rule_rows()
        chunks = catalog.chunks({chunk_id for _, chunk_id in rows})
        entries: dict[str, tuple[Chunk, Document]] = {}
        for rule_id, chunk_id in rows:
            chunk = chunks.get(chunk_id)
            if chunk is not None and chunk.doc_id in documents:
                entries.setdefault(rule_id, (chunk, documents[chunk.doc_id]))
        return cls(entries)


def quote_for(rule_id: str, text: str) -> str:
    """The table row that defines the rule, or the passage itself (trimmed) for a heading rule."""
    for line in text.splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if line.lstrip().startswith("|") and cells and cells[0] == rule_id:
            return line.strip()
    text = re.sub(r"^#{1,6}\s+", "", text)
    return text if len(text) <= 600 else text[:597].rsplit(" ", 1)[0] + "..."
