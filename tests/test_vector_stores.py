"""One conformance suite for both ``VectorStore`` backends (no model: vectors are built by hand).

``edge`` is ``EdgeStore`` on a qdrant-edge shard (the embedded default); ``client`` is
``QdrantClientStore`` in qdrant-client's local mode (``RAG_VECTOR_ENGINE=local``), which speaks the
same API as a Qdrant server, so the scale-out code path (sparse BM25 vectors with Qdrant's IDF, and
fusion inside Qdrant's query API) runs here without a server. Both stores are opened with sparse
vectors on. Every test runs against both, and the last ones check that both rank alike.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from rag.config import Settings
from rag.errors import IndexBusy, RagError
from rag.index.edge import EdgeStore
from rag.index.embed import DIMENSIONS
from rag.index.lexical import LexicalIndex, average_length
from rag.index.qdrant import QdrantClientStore
from rag.index.tokenize import tokenize
from rag.index.vectors import VectorStore, sparse_vector
from rag.types import DocFilter
from rag.workspace import Workspace

ENGINES = {"edge": EdgeStore, "client": QdrantClientStore}

PASSAGES = [
    ("lung-1", "lung", "AJCC", "8", "en", "A tumour of 3.5 cm or less is T2a when it invades the visceral pleura."),
    ("lung-2", "lung", "AJCC", "8", "en", "N1c means metastasis to ipsilateral peribronchial lymph nodes."),
    ("prostate-1", "prostate", "PI-RADS", "2.1", "en", "PI-RADS 4 lesions of 1.5 cm or more are scored as 5."),
    ("liver-1", "liver", "LI-RADS", "2018", "en", "LR-5 means definitely hepatocellular carcinoma on imaging."),
    ("liver-2", "liver", "LI-RADS", "2018", "zh", "LR-4 提示 可能 为 肝细胞癌 的 病灶。"),
    ("breast-1", "breast", "BI-RADS", "5", "en", "BI-RADS 4B suggests a moderate suspicion of malignancy."),
]


def unit(i: int) -> np.ndarray:
    """A vector near basis direction i, so the nearest neighbour of unit(i) is chunk i."""
    v = np.full(DIMENSIONS, 0.01, dtype=np.float32)
    v[i] = 1.0
    return v / np.linalg.norm(v)


def payload(row: tuple[str, ...]) -> dict[str, str]:
    chunk_id, doc_id, system, edition, language, _ = row
    return {"chunk_id": chunk_id, "doc_id": doc_id, "system": system, "edition": edition, "language": language,
            "status": "active"}


def settings_for(engine: str, folder: Path) -> Settings:
    return Settings(index_dir=folder, vector_engine="local" if engine == "client" else "edge")


def open_store(engine: str, folder: Path, *, sparse: bool = True) -> VectorStore:
    store: VectorStore = ENGINES[engine](settings_for(engine, folder), sparse=sparse)
    return store


def fill(store: VectorStore, rows: list[tuple[str, ...]], vectors: np.ndarray) -> None:
    tokens = [tokenize(row[5]) for row in rows]
    avgdl = average_length(tokens)
    store.upsert([payload(r) for r in rows], vectors, [sparse_vector(t, avgdl) for t in tokens])


def ids(hits: list[tuple[str, float]]) -> list[str]:
    return [c for c, _ in hits]


def filled(engine: str, folder: Path) -> VectorStore:
    opened = open_store(engine, folder)
    fill(opened, PASSAGES, np.stack([unit(i) for i in range(len(PASSAGES))]))
    return opened


@pytest.fixture(scope="module", params=sorted(ENGINES))
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def searched(engine: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[VectorStore]:
    """One filled store per backend for the tests that only read (a shard takes ~1 s to create)."""
    opened = filled(engine, tmp_path_factory.mktemp(engine) / "index")
    yield opened
    opened.close()


@pytest.fixture
def store(engine: str, tmp_path: Path) -> Iterator[VectorStore]:
    """A filled store of its own, for the tests that write."""
    opened = filled(engine, tmp_path / "index")
    yield opened
    opened.close()


# -- the protocol --------------------------------------------------------------------------------


def test_the_settings_pick_the_backend(engine: str, tmp_path: Path) -> None:
    workspace = Workspace(settings_for(engine, tmp_path / "index"), sparse=True)
    try:
        assert type(workspace.vectors) is ENGINES[engine]
        assert workspace.uses_sparse_vectors
    finally:
        workspace.close()


def test_both_backends_implement_the_protocol(engine: str, tmp_path: Path) -> None:
    store = ENGINES[engine](settings_for(engine, tmp_path / "index"))
    assert isinstance(store, VectorStore)
    for name, member in inspect.getmembers(VectorStore, inspect.isfunction):
        if name.startswith("_"):
            continue
        ours = inspect.signature(getattr(type(store), name))
        assert list(ours.parameters) == list(inspect.signature(member).parameters), name


# -- writes and bookkeeping ----------------------------------------------------------------------


def test_an_empty_store_answers_without_a_collection(engine: str, tmp_path: Path) -> None:
    store = open_store(engine, tmp_path / "index")
    try:
        assert store.count() == 0
        assert store.search_dense(unit(0), 5, DocFilter()) == []
        assert store.search_sparse(["t2a"], 5, DocFilter()) == []
        assert store.search_hybrid(unit(0), ["t2a"], 5, 5, DocFilter()) == []
        assert store.existing(["lung-1"]) == set()
        assert store.chunk_ids_of(["lung"]) == []
        store.delete(["lung-1"])
        store.set_payload(["lung-1"], {"edition": "9"})
        assert store.count() == 0
    finally:
        store.close()


def test_ensure_collection_is_idempotent(engine: str, tmp_path: Path) -> None:
    store = open_store(engine, tmp_path / "index")
    try:
        store.ensure_collection()
        store.ensure_collection()
        assert store.count() == 0
    finally:
        store.close()


def test_upsert_count_existing_and_reopen(store: VectorStore, engine: str, tmp_path: Path) -> None:
    assert store.count() == len(PASSAGES)
    assert store.existing(["lung-1", "liver-2", "nope"]) == {"lung-1", "liver-2"}
    assert store.existing([]) == set()
    store.close()
    again = open_store(engine, tmp_path / "index")
    try:
        assert again.count() == len(PASSAGES)
        assert again.existing(["breast-1"]) == {"breast-1"}
    finally:
        again.close()


def test_upserting_the_same_chunk_again_replaces_its_point(store: VectorStore) -> None:
    fill(store, [PASSAGES[0]], np.stack([unit(7)]))
    assert store.count() == len(PASSAGES)
    assert ids(store.search_dense(unit(7), 1, DocFilter())) == ["lung-1"]


def test_delete_and_chunk_ids_of(store: VectorStore) -> None:
    assert sorted(store.chunk_ids_of(["liver", "lung"])) == ["liver-1", "liver-2", "lung-1", "lung-2"]
    assert store.chunk_ids_of([]) == []
    store.delete(["liver-1"])
    assert store.count() == len(PASSAGES) - 1
    assert store.chunk_ids_of(["liver"]) == ["liver-2"]
    assert store.existing(["liver-1"]) == set()
    assert "liver-1" not in ids(store.search_dense(unit(3), 10, DocFilter()))
    assert "liver-1" not in ids(store.search_sparse(tokenize("LR-5 hepatocellular"), 10, DocFilter()))


def test_set_payload_changes_what_a_filter_sees(store: VectorStore) -> None:
    store.set_payload(["breast-1"], {"edition": "6"})
    assert ids(store.search_dense(unit(5), 10, DocFilter(editions=("6",)))) == ["breast-1"]
    assert store.search_dense(unit(5), 10, DocFilter(editions=("5",))) == []
    assert store.count() == len(PASSAGES)


def test_a_second_open_of_the_same_folder_is_busy(store: VectorStore, engine: str, tmp_path: Path) -> None:
    other = open_store(engine, tmp_path / "index")
    with pytest.raises(IndexBusy, match="in use by another process"):
        other.count()


# -- search --------------------------------------------------------------------------------------


@pytest.mark.parametrize("position", range(len(PASSAGES)))
def test_dense_nearest_is_the_right_chunk(searched: VectorStore, position: int) -> None:
    hits = searched.search_dense(unit(position), 3, DocFilter())
    assert len(hits) == 3
    assert hits[0][0] == PASSAGES[position][0]
    assert hits[0][1] == pytest.approx(1.0, abs=1e-5)  # cosine of a vector with itself
    assert hits[0][1] > hits[1][1] >= hits[2][1]


FILTERS = [
    (DocFilter(doc_ids=("liver",)), {"liver-1", "liver-2"}),
    (DocFilter(systems=("PI-RADS", "BI-RADS")), {"prostate-1", "breast-1"}),
    (DocFilter(editions=("8",)), {"lung-1", "lung-2"}),
    (DocFilter(languages=("zh",)), {"liver-2"}),
    (DocFilter(systems=("AJCC",), doc_ids=("lung",)), {"lung-1", "lung-2"}),
    (DocFilter(systems=("AJCC",), languages=("zh",)), set()),
]


@pytest.mark.parametrize(("flt", "allowed"), FILTERS)
def test_dense_filters_keep_only_matching_chunks(searched: VectorStore, flt: DocFilter, allowed: set[str]) -> None:
    assert set(ids(searched.search_dense(unit(0), 10, flt))) == allowed


@pytest.mark.parametrize(("flt", "allowed"), FILTERS)
def test_sparse_and_hybrid_filters_keep_only_matching_chunks(searched: VectorStore, flt: DocFilter,
                                                            allowed: set[str]) -> None:
    words = tokenize("tumour lymph nodes lesions LR-5 LR-4 肝细胞癌 BI-RADS malignancy")
    assert set(ids(searched.search_sparse(words, 10, flt))) <= allowed
    assert set(ids(searched.search_hybrid(unit(0), words, 10, 10, flt))) == allowed


def test_a_filter_finds_a_match_beyond_the_nearest_points(engine: str, tmp_path: Path) -> None:
    """The match is far from the query: local mode's over-fetch finds too few and must ask Qdrant to filter."""
    store = open_store(engine, tmp_path / "index")
    rng = np.random.default_rng(3)
    filler = [(f"near-{i}", "near", "AJCC", "8", "en", f"filler passage number {i}") for i in range(40)]
    near = rng.normal(size=(len(filler), DIMENSIONS)).astype(np.float32) * 0.05 + unit(0)
    vectors = np.vstack([near / np.linalg.norm(near, axis=1, keepdims=True), unit(4)[None, :]])
    try:
        fill(store, [*filler, PASSAGES[4]], vectors)
        assert ids(store.search_dense(unit(0), 2, DocFilter(languages=("zh",)))) == ["liver-2"]
        assert len(store.search_dense(unit(0), 2, DocFilter(doc_ids=("near",)))) == 2
    finally:
        store.close()


@pytest.mark.parametrize("query", ["T2a visceral pleura", "N1c peribronchial", "PI-RADS 1.5 cm", "LR-5 hepatocellular",
                                   "4B malignancy", "肝细胞癌"])
def test_sparse_bm25_agrees_with_bm25s(searched: VectorStore, tmp_path: Path, query: str) -> None:
    """Qdrant's IDF-modified sparse vectors rank like bm25s (the project's embedded BM25)."""
    tokens = [tokenize(row[5]) for row in PASSAGES]
    LexicalIndex.build(tmp_path / "bm25", [row[0] for row in PASSAGES], [row[1] for row in PASSAGES], tokens)
    oracle = LexicalIndex(tmp_path / "bm25").search(tokenize(query), 3, None)
    got = searched.search_sparse(tokenize(query), 3, DocFilter())
    assert got and got[0][0] == oracle[0][0]
    # Same formula up to the constant (k1 + 1) factor in rag.index.vectors.sparse_vector.
    assert got[0][1] == pytest.approx(oracle[0][1] * 2.2, rel=1e-3)


def test_sparse_with_no_known_words_finds_nothing(searched: VectorStore) -> None:
    assert searched.search_sparse([], 5, DocFilter()) == []
    assert searched.search_sparse(["zzzunknown"], 5, DocFilter()) == []


def test_sparse_needs_sparse_vectors(engine: str, tmp_path: Path) -> None:
    store = open_store(engine, tmp_path / "index", sparse=False)
    try:
        assert not store.sparse
        with pytest.raises(RagError, match="no sparse vectors"):
            store.search_sparse(["t2a"], 3, DocFilter())
    finally:
        store.close()


def test_hybrid_without_sparse_vectors_ranks_by_dense_alone(engine: str, tmp_path: Path) -> None:
    store = open_store(engine, tmp_path / "index", sparse=False)
    try:
        store.upsert([payload(r) for r in PASSAGES], np.stack([unit(i) for i in range(len(PASSAGES))]))
        hits = store.search_hybrid(unit(2), tokenize("LR-5 hepatocellular"), 3, 10, DocFilter())
        assert hits[0][0] == "prostate-1"
        assert len(hits) == 3
    finally:
        store.close()


def test_hybrid_fuses_dense_and_sparse_with_the_configured_rrf_k(searched: VectorStore, engine: str,
                                                                tmp_path: Path) -> None:
    rrf_k = settings_for(engine, tmp_path).rrf_k
    # The dense query points at lung-2; the words point at liver-1: both must come back, each once.
    hits = searched.search_hybrid(unit(1), tokenize("LR-5 hepatocellular"), 10, 10, DocFilter())
    assert {"lung-2", "liver-1"} <= set(ids(hits))
    assert len(hits) == len(set(ids(hits)))
    # A chunk first in both lists scores 2 / (k + 1) when k is the project's rrf_k.
    top = searched.search_hybrid(unit(3), tokenize("LR-5 hepatocellular"), 3, 10, DocFilter())
    assert top[0][0] == "liver-1"
    assert top[0][1] == pytest.approx(2 / (rrf_k + 1), rel=1e-4)
    # First in one list only: 1 / (k + 1).
    alone = searched.search_hybrid(unit(1), tokenize("zzzunknown"), 1, 10, DocFilter())
    assert alone == [("lung-2", pytest.approx(1 / (rrf_k + 1), rel=1e-4))]


# -- both backends rank alike --------------------------------------------------------------------

VOCABULARY = [f"term{i}" for i in range(150)]


def random_corpus(n: int = 80, seed: int = 11) -> tuple[list[tuple[str, ...]], np.ndarray]:
    """Deterministic passages and unit vectors.

    Every passage has its own length, so no two BM25 scores tie: the engines break ties differently,
    and a tie inside a prefetch would move a fused score.
    """
    rng = np.random.default_rng(seed)
    weights = 1 / np.arange(1, len(VOCABULARY) + 1)
    weights /= weights.sum()
    lengths = rng.permutation(n) + 4
    rows = []
    for i in range(n):
        words = rng.choice(VOCABULARY, size=int(lengths[i]), p=weights)
        rows.append((f"c{i:03d}", f"d{i % 7}", f"S{i % 3}", f"E{i % 2}", "zh" if i % 5 == 0 else "en", " ".join(words)))
    vectors = rng.normal(size=(n, DIMENSIONS)).astype(np.float32)
    return rows, vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_both_backends_return_the_same_top_results(tmp_path: Path) -> None:
    rows, vectors = random_corpus()
    stores = {engine: open_store(engine, tmp_path / engine) for engine in ENGINES}
    rng = np.random.default_rng(5)
    try:
        for store in stores.values():
            fill(store, rows, vectors)
        for trial in range(8):
            a, b = rng.choice(len(rows), size=2, replace=False)
            query = vectors[a] + 0.6 * vectors[b]
            query /= np.linalg.norm(query)
            words = tokenize(" ".join(rng.choice(VOCABULARY[5:60], size=3)))
            flt = [DocFilter(), DocFilter(systems=("S1",)), DocFilter(editions=("E0",), languages=("en",)),
                   DocFilter(doc_ids=("d2", "d5"))][trial % 4]
            got = {engine: (store.search_dense(query, 5, flt), store.search_sparse(words, 5, flt),
                            store.search_hybrid(query, words, 5, 20, flt))
                   for engine, store in stores.items()}
            for kind, edge, client in zip(("dense", "sparse", "hybrid"), got["edge"], got["client"], strict=True):
                assert edge, (trial, kind)
                assert ids(edge) == ids(client), (trial, kind, words, flt)
                assert [s for _, s in edge] == pytest.approx([s for _, s in client], rel=1e-4), (trial, kind)
    finally:
        for store in stores.values():
            store.close()
