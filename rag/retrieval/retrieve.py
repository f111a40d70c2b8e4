"""Hybrid retrieval: BM25 and dense search run separately and are fused (``rag.retrieval.fusion``).

Every hit carries what a citation needs (document, title, edition, section path, page, text).
Chinese queries are expanded with the bilingual glossary so they also reach the English corpus.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag.config import Settings
from rag.errors import InvalidInput
from rag.index.tokenize import has_chinese, tokenize
from rag.retrieval.editions import archive_scope
from rag.retrieval.editions import resolve as resolve_editions
from rag.retrieval.fusion import convex, min_max, rrf
from rag.retrieval.quantity import Interval, fit, passage_intervals, query_quantities
from rag.types import DocFilter, Document, SearchHit, SearchMode
from rag.workspace import Workspace

MODES: tuple[SearchMode, ...] = ("hybrid", "bm25", "dense")
MAX_QUERY_CHARS = 10_000
# Systems that help retrieval rather than answer questions: the bilingual glossary expands Chinese
# queries, but its rows say nothing clinical and were the commonest generic winner for Chinese
# questions. Shown only when a filter asks for them by name.
AIDS = frozenset({"glossary"})
_WORD_RE = re.compile(r"\w", re.UNICODE)


@dataclass(frozen=True)
class Query:
    """A validated query with its lexical tokens and the text the dense model embeds."""

    text: str
    tokens: tuple[str, ...]
    dense_text: str


def prepare_query(text: str, expansions: Sequence[str] = ()) -> Query:
    """Validate a query; reject empty, enormous or punctuation-only input with a clear message."""
    if text is None or not text.strip():
        raise InvalidInput("empty query", hint="type a question or keywords")
    if len(text) > MAX_QUERY_CHARS:
        raise InvalidInput(f"query too long ({len(text)} characters; the limit is {MAX_QUERY_CHARS})",
                           hint="shorten it to the question itself")
    if not _WORD_RE.search(text):
        raise InvalidInput("query has no letters or digits", hint="type a question or keywords")
    extra = " ".join(expansions)
    tokens = tuple(tokenize(f"{text} {extra}" if extra else text))
    dense_text = f"{text}\n{extra}" if extra else text
    return Query(text=text.strip(), tokens=tokens, dense_text=dense_text)


class Retriever:
    """Searches one workspace; safe to reuse across queries (the app keeps one)."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self._intervals: dict[str, list[Interval]] = {}  # chunk id → the ranges its text states

    def search(self, text: str, *, k: int | None = None, mode: str = "hybrid",
               filters: DocFilter | None = None) -> list[SearchHit]:
        """The top-k hits for a query."""
        if mode not in MODES:
            raise InvalidInput(f"unknown search mode {mode!r}", hint=f"use one of: {', '.join(MODES)}")
        k = k or self.workspace.settings.top_k
        if k < 1:
            raise InvalidInput("--k must be at least 1")
        query = prepare_query(text, self._expansions(text))
        # Editions: loose edition requests become exact ones; an edition only superseded versions
        # hold (or --include-superseded) searches those versions from the registry (rag.retrieval.editions).
        flt = resolve_editions(self.workspace.catalog, filters or DocFilter(), text)
        ranked = self._rank(query, k, mode, flt)
        return self._hits(ranked, k, flt)

    def _expansions(self, text: str) -> list[str]:
        if not has_chinese(text):
            return []
        from rag.retrieval.glossary import load_glossary

        return load_glossary(self.workspace).expand(text)

    def _rank(self, query: Query, k: int, mode: SearchMode, flt: DocFilter) -> list[tuple[str, float]]:
        settings = self.workspace.settings
        depth = max(settings.candidates, k)
        if mode == "bm25":
            return self._lexical(query, depth, flt)
        if mode == "hybrid" and has_chinese(query.text):
            # MiniLM cannot read Chinese, so its ranking of a Chinese query is noise: BM25 (with the
            # glossary's English terms) decides. Measured on the gold questions: 98 vs 68 of 144 hits.
            lexical = self._lexical(query, depth, flt)
            if lexical:
                return self._lift_by_quantities(query, sorted(min_max(lexical).items(), key=_by_score))
        if mode == "hybrid" and settings.fusion == "rrf" and self.workspace.vectors.sparse and not flt.wants_archive():
            # Qdrant fuses on the server, so a cluster serves both halves (the scale-out path).
            vector = self.workspace.embedder.embed_query(query.dense_text)
            return self.workspace.vectors.search_hybrid(vector, query.tokens, depth, depth, flt)
        dense = self._dense(query, depth, flt)
        if mode == "dense":
            return dense
        return self._lift_by_quantities(query, fuse(self._lexical(query, depth, flt), dense, settings))

    def _lift_by_quantities(self, query: Query, ranked: list[tuple[str, float]]) -> list[tuple[str, float]]:
        """Lift candidates whose stated ranges hold the query's sizes, node counts or points (rag.retrieval.quantity)."""
        lift = self.workspace.settings.quantity_lift
        wanted = query_quantities(query.text) if lift > 0 else []
        if not wanted or not ranked:
            return ranked
        # Intervals are memoised by chunk id (a content hash), so only unseen chunks are read.
        missing = [c for c, _ in ranked if c not in self._intervals]
        chunks = self.workspace.catalog.chunks(missing) if missing else {}
        lifted = []
        for chunk_id, score in ranked:
            intervals = self._intervals.get(chunk_id)
            if intervals is None:
                chunk = chunks.get(chunk_id)
                intervals = passage_intervals(f"{chunk.section}\n{chunk.text}") if chunk is not None else []
                if len(self._intervals) > 100_000:  # ids are content hashes: a stale entry is only memory
                    self._intervals.clear()
                self._intervals[chunk_id] = intervals
            lifted.append((chunk_id, score + lift * fit(wanted, intervals)))
        return sorted(lifted, key=_by_score)

    def _lexical(self, query: Query, depth: int, flt: DocFilter) -> list[tuple[str, float]]:
        """BM25 candidates with their scores: from bm25s, or from Qdrant's sparse vectors on a server."""
        if flt.wants_archive():
            return archive_scope(self.workspace, flt).search_lexical(query.tokens, depth)
        if self.workspace.vectors.sparse:
            return self.workspace.vectors.search_sparse(query.tokens, depth, flt)
        return self._search_bm25(query, depth, flt)

    def _dense(self, query: Query, depth: int, flt: DocFilter) -> list[tuple[str, float]]:
        """Dense candidates with their cosines (a subclass keeps them for the answer's relevance gate)."""
        vector = self.workspace.embedder.embed_query(query.dense_text)
        if flt.wants_archive():
            return archive_scope(self.workspace, flt).search_dense(vector, depth)
        return self.workspace.vectors.search_dense(vector, depth, flt)

    def _search_bm25(self, query: Query, depth: int, flt: DocFilter) -> list[tuple[str, float]]:
        index = self.workspace.lexical()
        if index is None:
            return []
        allowed = None
        if not flt.is_empty():
            allowed = {d.doc_id for d in self.workspace.live.active_documents() if _matches(d, flt)}
        return index.search(query.tokens, depth, allowed)

    def _hits(self, ranked: list[tuple[str, float]], k: int, flt: DocFilter) -> list[SearchHit]:
        if flt.wants_archive():
            return self._archive_hits(ranked, k, flt)
        live = self.workspace.live
        hits: list[SearchHit] = []
        # Registry rows are read a window at a time, in rank order: a search usually fills k from the
        # first k ranked ids, so reading all 50 candidates' rows was mostly waste.
        start = 0
        while start < len(ranked) and len(hits) < k:
            window = ranked[start:start + k - len(hits)]
            start += len(window)
            documents, rows = live.lookup([c for c, _ in window])
            for chunk_id, score in window:
                chunk, is_live = rows[chunk_id]
                # A point of a version that is not (or no longer) active: left by an interrupted change, never shown.
                if chunk is None or not is_live:
                    continue
                document = documents.get(chunk.doc_id)
                if document is None or not self._shown(document, flt):
                    continue
                hits.append(SearchHit(len(hits) + 1, chunk, document, score))
                if len(hits) == k:
                    break
        return hits

    def _archive_hits(self, ranked: list[tuple[str, float]], k: int, flt: DocFilter) -> list[SearchHit]:
        """Hits from superseded versions too (rare, registry-only: read directly, nothing memoised)."""
        chunks = self.workspace.catalog.chunks([c for c, _ in ranked])
        archive = archive_scope(self.workspace, flt).documents
        hits: list[SearchHit] = []
        for chunk_id, score in ranked:
            chunk = chunks.get(chunk_id)
            document = archive.get(chunk_id) if chunk is not None else None
            if chunk is None or document is None or not self._shown(document, flt):
                continue
            hits.append(SearchHit(len(hits) + 1, chunk, document, score))
            if len(hits) == k:
                break
        return hits

    @staticmethod
    def _shown(document: Document, flt: DocFilter) -> bool:
        """Retired documents never; retrieval aids (the glossary) only when a filter names their system."""
        return document.status != "retired" and (document.system not in AIDS or document.system in flt.systems)


def _by_score(pair: tuple[str, float]) -> tuple[float, str]:
    return -pair[1], pair[0]


def fuse(lexical: list[tuple[str, float]], dense: list[tuple[str, float]],
         settings: Settings) -> list[tuple[str, float]]:
    """The hybrid ranking of two candidate lists under the configured fusion (see rag.retrieval.fusion)."""
    if settings.fusion == "rrf":
        return rrf([c for c, _ in lexical], [c for c, _ in dense], k=settings.rrf_k,
                   weights=(1.0, settings.dense_weight))
    return convex(lexical, dense, dense_share=settings.dense_share)


def _matches(document, flt: DocFilter) -> bool:  # type: ignore[no-untyped-def]
    return ((not flt.systems or document.system in flt.systems)
            and (not flt.editions or document.edition in flt.editions)
            and (not flt.doc_ids or document.doc_id in flt.doc_ids)
            and (not flt.languages or document.language in flt.languages))
