"""Search's memoised registry reads (rag.corpus.live_view) against the registry itself.

A long-running process (the web app, ``rag serve``) keeps one Workspace and one Retriever for
hours while ingests, retirements and restorations happen, in this process or in another one. These
tests build a real registry and BM25 generation (no embedding model: BM25 mode needs none), change
them through a second SQLite connection as another process would, and check that the next search
sees the change; and that the memoised hits equal what the registry says, hit for hit.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.config import Settings
from rag.corpus import live_view
from rag.corpus.registry import Catalog
from rag.index.lexical import LexicalIndex
from rag.index.tokenize import tokenize
from rag.retrieval.retrieve import AIDS, Retriever
from rag.types import Chunk, DocFilter, Document, SearchHit
from rag.workspace import Workspace

TEXTS = {
    "kidney": ["After nephrectomy chest and abdominal imaging is repeated every six months.",
               "Serum creatinine is checked at every kidney follow-up visit."],
    "thyroid": ["Punctate echogenic foci score three points in the thyroid nodule system.",
                "A thyroid nodule larger than fifteen millimetres with four points is biopsied."],
    "lung": ["A lung tumour invading the visceral pleura is T2a when it measures three centimetres or less.",
             "A separate lung tumour nodule in the same lobe is T3."],
    "glossary": ["nephrectomy 肾切除术 kidney removal imaging follow-up"],
}


def _document(doc_id: str, status: str = "active") -> Document:
    system = "glossary" if doc_id == "glossary" else f"SYS-{doc_id}"
    return Document(doc_id=doc_id, title=doc_id.title(), source=f"{doc_id}.md", path=f"/x/{doc_id}.md",
                    sha256=f"sha-{doc_id}", system=system, edition="1st", status=status)  # type: ignore[arg-type]


def _chunks(doc_id: str, texts: list[str]) -> list[Chunk]:
    return [Chunk(f"{doc_id}-{i}-{len(t)}", doc_id, t, "Section", None, 0, len(t)) for i, t in enumerate(texts)]


def _put(catalog: Catalog, doc_id: str, texts: list[str]) -> None:
    with catalog.transaction():
        catalog.put_version(_document(doc_id), _chunks(doc_id, texts), [tokenize(t) for t in texts], actor="test")


def _switch_bm25(catalog: Catalog, index_dir: Path, number: int) -> None:
    """What an ingest's commit does: build the live chunks' BM25 generation and switch to it in one transaction."""
    name = f"bm25-{number:06d}"
    ids, docs, tokens = catalog.live_tokens()
    LexicalIndex.build(index_dir / name, ids, docs, tokens)
    with catalog.transaction():
        catalog.set_state("bm25_generation", name)


@pytest.fixture
def index(tmp_path: Path) -> Iterator[tuple[Workspace, Catalog]]:
    """A served workspace, and a second connection to its registry (another process)."""
    settings = Settings(index_dir=tmp_path / "index")
    other = Catalog(settings.index_dir / "catalog.sqlite")
    for doc_id, texts in TEXTS.items():
        _put(other, doc_id, texts)
    _switch_bm25(other, settings.index_dir, 1)
    workspace = Workspace(settings)
    yield workspace, other
    workspace.close()
    other.close()


def _docs(retriever: Retriever, query: str, flt: DocFilter | None = None) -> set[str]:
    return {h.document.doc_id for h in retriever.search(query, k=10, mode="bm25", filters=flt)}


def test_a_retirement_by_another_process_is_seen_by_the_next_search(index: tuple[Workspace, Catalog]) -> None:
    workspace, other = index
    retriever = Retriever(workspace)
    query = "kidney nephrectomy imaging creatinine follow-up"
    assert "kidney" in _docs(retriever, query)  # memoised now
    with other.transaction():
        other.set_status("kidney", "retired", actor="admin", reason="withdrawn")
    # The BM25 generation still holds the kidney chunks: the registry alone must keep them out.
    assert "kidney" not in _docs(retriever, query)
    assert "kidney" not in _docs(retriever, query, DocFilter(systems=("SYS-kidney",)))
    with other.transaction():
        other.set_status("kidney", "active", actor="admin", reason="restored")
    assert "kidney" in _docs(retriever, query)


def test_a_change_through_the_same_connection_is_seen(index: tuple[Workspace, Catalog]) -> None:
    workspace, _ = index
    retriever = Retriever(workspace)
    query = "thyroid nodule echogenic foci points"
    assert "thyroid" in _docs(retriever, query)
    with workspace.catalog.transaction():
        workspace.catalog.set_status("thyroid", "retired", actor="admin", reason="withdrawn")
    assert "thyroid" not in _docs(retriever, query)


def test_a_replaced_version_never_serves_its_removed_chunk(index: tuple[Workspace, Catalog]) -> None:
    workspace, other = index
    retriever = Retriever(workspace)
    query = "separate lung tumour nodule same lobe"
    old = {h.chunk.chunk_id for h in retriever.search(query, k=10, mode="bm25")}
    removed = _chunks("lung", TEXTS["lung"])[1].chunk_id
    assert removed in old
    # Version 2 drops that passage; another process commits it and switches BM25 to a new generation.
    _put(other, "lung", TEXTS["lung"][:1] + ["A lung tumour in a different lobe of the same lung is T4."])
    assert removed not in {h.chunk.chunk_id for h in retriever.search(query, k=10, mode="bm25")}
    _switch_bm25(other, workspace.settings.index_dir, 2)
    lexical = workspace.lexical()
    assert lexical is not None and lexical.directory.name == "bm25-000002" and removed not in lexical.chunk_ids
    assert removed not in {h.chunk.chunk_id for h in retriever.search(query, k=10, mode="bm25")}


def _reference_hits(catalog: Catalog, ranked: list[tuple[str, float]], k: int, flt: DocFilter) -> list[SearchHit]:
    """Hits straight from the registry, as ``Retriever._hits`` computed them before memoisation."""
    chunks = catalog.chunks([c for c, _ in ranked])
    documents = {d.doc_id: d for d in catalog.documents()}
    live = catalog.live_chunk_ids(chunks)
    hits: list[SearchHit] = []
    for chunk_id, score in ranked:
        chunk = chunks.get(chunk_id)
        if chunk is None or chunk_id not in live:
            continue
        document = documents.get(chunk.doc_id)
        if document is None or document.status == "retired":
            continue
        if document.system in AIDS and document.system not in flt.systems:
            continue
        hits.append(SearchHit(len(hits) + 1, chunk, document, score))
        if len(hits) == k:
            break
    return hits


@pytest.mark.parametrize("bound", [live_view.MAX_CHUNKS, 3])
def test_memoised_hits_equal_the_registry(index: tuple[Workspace, Catalog], monkeypatch: pytest.MonkeyPatch,
                                          bound: int) -> None:
    """Every k, random rankings with unknown, superseded, retired and aid chunks, memo cold and warm, small memo bound."""
    monkeypatch.setattr(live_view, "MAX_CHUNKS", bound)
    workspace, other = index
    _put(other, "lung", ["A lung tumour in a different lobe of the same lung is T4."])  # version 1's chunks: superseded
    with other.transaction():
        other.set_status("thyroid", "retired", actor="admin", reason="withdrawn")
    ids = [c.chunk_id for doc_id, texts in TEXTS.items() for c in _chunks(doc_id, texts)]
    ids += [c.chunk_id for c in _chunks("lung", ["A lung tumour in a different lobe of the same lung is T4."])]
    ids += ["no-such-chunk"]
    retriever = Retriever(workspace)
    rng = random.Random(7)
    for trial in range(60):
        ranked = [(c, rng.random()) for c in rng.sample(ids, len(ids))]
        flt = DocFilter(systems=("glossary",)) if trial % 3 == 0 else DocFilter()
        for k in range(1, len(ids) + 2):
            assert retriever._hits(ranked, k, flt) == _reference_hits(workspace.catalog, ranked, k, flt)
    assert len(workspace.live._chunks) <= bound
