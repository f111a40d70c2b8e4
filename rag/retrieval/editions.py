"""Editions at query time: which versions a search may use, and searching the superseded ones.

By default search uses the live index: the active version of each document. Two things widen it:

* an edition filter (``--edition 7th``) or a question naming an edition ("per the 7th edition")
  that some document holds only in a superseded version (its active version has another edition);
  the search is then restricted to the versions of that edition. A loose request is resolved to the registry's exact edition
  strings ("7th" -> "AJCC 7th edition"), so Qdrant's exact payload filter keeps working;
* ``DocFilter.statuses`` including ``superseded`` (``--include-superseded``).

Superseded versions have no Qdrant points and no BM25 generation (the live index holds what serves),
so they are searched here, exactly, from the registry: BM25 over the scope's stored tokens and dense
cosines from the embedding cache (scopes are a few documents, so brute force is milliseconds).
Why not keep old points in Qdrant with a status flag: removal must delete exactly a version's points,
and the live index's counts must equal the active versions' chunks (tests check both).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace

import numpy as np

from rag.corpus.registry import Catalog, VersionRecord
from rag.types import DocFilter, Document
from rag.workspace import Workspace

_ORDINAL_RE = re.compile(r"^(\d+)(?:st|nd|rd|th)$")
_TOKEN_RE = re.compile(r"[0-9a-z]+(?:\.[0-9]+)*|[\u4e00-\u9fff]")
_NOISE = frozenset({"edition", "ed", "the", "version", "第", "版"})
# "per the 7th edition", "according to AJCC 7th ed.", "under version 1.1", "in the 2017 edition"
_NAMED_RE = re.compile(
    r"\b(?:per|according\s+to|under|in|using|from|by|following)\s+(?:the\s+)?"
    r"((?:[A-Za-z][\w-]*\s+){0,2}?(?:(?:\d+(?:st|nd|rd|th)|\d{4})\s+(?:edition|ed\b\.?)|(?:version|v)\s?\d+(?:\.\d+)?))",
    re.I)


def edition_tokens(text: str) -> set[str]:
    """Comparable tokens of an edition string: lower case, '8th' -> '8', 'v2022' -> '2022', noise words dropped."""
    tokens: set[str] = set()
    for token in _TOKEN_RE.findall(text.lower()):
        match = _ORDINAL_RE.match(token)
        if match:
            token = match.group(1)
        elif re.fullmatch(r"v\d+(?:\.\d+)*", token):
            token = token[1:]
        if token not in _NOISE:
            tokens.add(token)
    return tokens


def edition_matches(edition: str, wanted: str) -> bool:
    """Whether a stored edition answers a request: exactly, or every token of the request is in it."""
    if edition.strip().lower() == wanted.strip().lower():
        return True
    want = edition_tokens(wanted)
    return bool(want) and want <= edition_tokens(edition)


def edition_named(question: str) -> str | None:
    """The edition a question asks for ("per the 7th edition" -> "7th edition"), or None."""
    match = _NAMED_RE.search(question or "")
    return match.group(1).strip() if match else None


def resolve(catalog: Catalog, flt: DocFilter, question: str) -> DocFilter:
    """The filter a search really runs: exact editions, and superseded versions when only they hold the edition."""
    wanted, named = flt.editions, False
    if not wanted and not flt.wants_archive():
        phrase = edition_named(question)
        if phrase is None:
            return flt
        wanted, named = (phrase,), True
    if not wanted:
        return flt
    records = [r for r in _searchable(catalog, ("active", "superseded")) if _in_scope(r.document, replace(flt, editions=()))]
    matching: list[VersionRecord] = []
    for w in wanted:  # an edition named exactly means that one; a loose request ("7th") every edition it fits
        named_exactly = [r for r in records if r.document.edition.strip().lower() == w.strip().lower()]
        matching.extend(named_exactly or [r for r in records if edition_matches(r.document.edition, w)])
    if not matching:
        return flt  # nothing known answers it: an explicit filter finds nothing, a question is left alone
    # Versions that only the archive can serve: superseded ones of documents whose active version has another edition.
    current = {r.doc_id for r in matching if r.status == "active"}
    archived = [r for r in matching if r.status == "superseded" and r.doc_id not in current]
    if named and not archived:
        return flt  # the question's edition is live: the default ranking serves it
    exact = tuple(sorted({r.document.edition for r in matching}))
    statuses = ("active", "superseded") if archived else flt.statuses
    return replace(flt, editions=exact, statuses=statuses)


def _searchable(catalog: Catalog, statuses: tuple[str, ...]) -> list[VersionRecord]:
    """Versions with these statuses, leaving out every version of a retired document (withdrawn as a whole)."""
    retired = {d.doc_id for d in catalog.documents() if d.status == "retired"}
    return [r for r in catalog.versions(statuses=statuses) if r.doc_id not in retired]


def _in_scope(document: Document, flt: DocFilter) -> bool:
    return ((not flt.systems or document.system in flt.systems)
            and (not flt.editions or document.edition in flt.editions)
            and (not flt.doc_ids or document.doc_id in flt.doc_ids)
            and (not flt.languages or document.language in flt.languages))


@dataclass
class ArchiveScope:
    """The chunks of the versions a widened filter selects, searchable by BM25 and by cosine."""

    chunk_ids: list[str]
    documents: dict[str, Document]  # chunk id -> the (newest in scope) version that contains it
    vectors: np.ndarray  # one normalised row per chunk id
    lexical: object | None  # bm25s.BM25 over the scope's tokens (None when empty)
    vocab: frozenset[str]

    def search_lexical(self, tokens: tuple[str, ...], limit: int) -> list[tuple[str, float]]:
        known = [t for t in tokens if t in self.vocab]
        if not known or self.lexical is None:
            return []
        k = min(limit, len(self.chunk_ids))
        docs, scores = self.lexical.retrieve([known], k=k, show_progress=False, n_threads=1)  # type: ignore[attr-defined]
        return [(self.chunk_ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0], strict=True) if s > 0]

    def search_dense(self, vector: np.ndarray, limit: int) -> list[tuple[str, float]]:
        if not self.chunk_ids:
            return []
        scores = self.vectors @ np.asarray(vector, dtype=np.float32)
        order = np.argsort(-scores, kind="stable")[:limit]
        return [(self.chunk_ids[int(i)], float(scores[int(i)])) for i in order]


_CACHE: OrderedDict[tuple[object, ...], ArchiveScope] = OrderedDict()
_CACHE_LOCK = threading.Lock()


def archive_scope(workspace: Workspace, flt: DocFilter) -> ArchiveScope:
    """The scope for a widened filter, built once per registry revision (cached, a few per process)."""
    catalog = workspace.catalog
    key = (str(workspace.settings.index_dir.resolve()), catalog.revision(), flt)
    with _CACHE_LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    scope = _build_scope(workspace, flt)
    with _CACHE_LOCK:
        _CACHE[key] = scope
        while len(_CACHE) > 4:
            _CACHE.popitem(last=False)
    return scope


def _build_scope(workspace: Workspace, flt: DocFilter) -> ArchiveScope:
    from rag.corpus.ingest import embedding_text
    from rag.index.embed import embedding_key
    from rag.index.lexical import import_bm25s
    from rag.index.vectors import BM25_B, BM25_K1

    catalog = workspace.catalog
    statuses = tuple(dict.fromkeys(("active", *flt.statuses)))
    records = [r for r in _searchable(catalog, statuses) if _in_scope(r.document, flt)]
    owner: dict[str, Document] = {}
    for record in sorted(records, key=lambda r: (r.doc_id, -r.version)):  # newest version of a chunk wins
        for chunk_id in catalog.chunk_ids(record.doc_id, record.version):
            owner.setdefault(chunk_id, record.document)
    chunk_ids = list(owner)
    chunks = catalog.chunks(chunk_ids)
    chunk_ids = [c for c in chunk_ids if c in chunks]
    tokens = catalog.chunk_tokens(chunk_ids)
    model = workspace.settings.embedder
    texts = {c: embedding_text(owner[c], chunks[c]) for c in chunk_ids}
    keys = {c: embedding_key(model, t) for c, t in texts.items()}
    cached = catalog.cached_vectors(list(keys.values()))
    missing = [c for c in chunk_ids if keys[c] not in cached]
    if missing:  # e.g. the embedding model changed since that version was indexed
        fresh = workspace.embedder.embed_passages([texts[c] for c in missing])
        cached.update({keys[c]: v for c, v in zip(missing, fresh, strict=True)})
    vectors = (np.stack([cached[keys[c]] for c in chunk_ids]).astype(np.float32) if chunk_ids
               else np.zeros((0, 1), dtype=np.float32))
    lexical = None
    vocab: set[str] = set()
    if chunk_ids:
        lists = [tokens.get(c) or ["\x00"] for c in chunk_ids]
        lexical = import_bm25s().BM25(k1=BM25_K1, b=BM25_B)
        lexical.index(lists, show_progress=False)
        vocab = {t for toks in lists for t in toks}
    return ArchiveScope(chunk_ids, {c: owner[c] for c in chunk_ids}, vectors, lexical, frozenset(vocab))
