"""What search may show, read from the registry once per catalogue generation instead of once per query.

Why: turning a ranking into hits needs every ranked chunk's row, whether its version is active, and
its document. Read from SQLite per query (all head documents, 50 chunk rows with their JSON, a join
for liveness) that cost 1.1 ms at the bundled corpus, nine times bm25s's own scoring
(bench/lexical_profile.py). Those answers only change when the registry does, so they are kept
here, keyed to ``Catalog.generation()``: any commit by another connection (another process's
ingest or retirement) or any write through this one changes the key and empties every memo, so a
long-running process never serves a chunk that has left the live index.

Memory stays bounded: documents are few; chunk rows are memoised on demand (only those a search
walked), up to ``MAX_CHUNKS`` of them.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from rag.corpus.registry import Catalog
from rag.types import Chunk, Document

# ~1.5 kB per memoised chunk (text and section): a few MB, whatever the corpus size.
MAX_CHUNKS = 4096


class LiveView:
    """Memoised registry reads for search, valid for one catalogue generation at a time."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._lock = threading.Lock()
        self._generation: tuple[int, int] | None = None
        self._documents: dict[str, Document] | None = None
        self._active: list[Document] | None = None
        # chunk id -> (the chunk, or None if the registry has no such row; whether an active version holds it)
        self._chunks: dict[str, tuple[Chunk | None, bool]] = {}

    def _current(self) -> None:
        """Drop every memo when the registry has changed since they were read (call under the lock)."""
        generation = self.catalog.generation()
        if generation != self._generation:
            self._generation = generation
            self._documents = None
            self._active = None
            self._chunks = {}

    def documents(self) -> dict[str, Document]:
        """Every document's head version (active or retired), by id."""
        return self.lookup(())[0]

    def active_documents(self) -> list[Document]:
        """The documents whose head version is active (what the live index holds)."""
        with self._lock:
            self._current()
            if self._active is None:
                self._active = self.catalog.documents(include_retired=False)
            return self._active

    def chunks(self, chunk_ids: Sequence[str]) -> dict[str, tuple[Chunk | None, bool]]:
        """(chunk or None, live) for each id: live means an active version holds the chunk."""
        return self.lookup(chunk_ids)[1]

    def lookup(self, chunk_ids: Sequence[str]) -> tuple[dict[str, Document], dict[str, tuple[Chunk | None, bool]]]:
        """Every document by id and (chunk or None, live) for each id, from one generation (one check)."""
        with self._lock:
            self._current()
            if self._documents is None:
                self._documents = {d.doc_id: d for d in self.catalog.documents()}
            return self._documents, self._rows(chunk_ids)

    def _rows(self, chunk_ids: Sequence[str]) -> dict[str, tuple[Chunk | None, bool]]:
        """Memoised chunk rows and liveness (call under the lock, after ``_current``)."""
        memo = self._chunks
        found = {c: memo[c] for c in chunk_ids if c in memo}
        missing = [c for c in dict.fromkeys(chunk_ids) if c not in found]
        if missing:
            rows = self.catalog.chunks_with_liveness(missing)
            fresh: dict[str, tuple[Chunk | None, bool]] = {c: rows.get(c, (None, False)) for c in missing}
            found.update(fresh)
            if len(memo) + len(fresh) > MAX_CHUNKS:  # bounded: start over rather than track recency
                memo.clear()
            if len(fresh) <= MAX_CHUNKS:
                memo.update(fresh)
        return found
