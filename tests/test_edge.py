"""EdgeStore against a real qdrant-edge shard in a temp dir (no model: vectors are built by hand)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("qdrant_edge")

from rag.config import Settings  # noqa: E402
from rag.errors import IndexBusy, RagError  # noqa: E402
from rag.index.edge import EdgeStore  # noqa: E402
from rag.index.embed import DIMENSIONS  # noqa: E402
from rag.index.lexical import LexicalIndex, average_length  # noqa: E402
from rag.index.tokenize import tokenize  # noqa: E402
from rag.index.vectors import sparse_vector  # noqa: E402
from rag.types import DocFilter  # noqa: E402

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


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(index_dir=tmp_path / "index")


@pytest.fixture
def index(settings: Settings) -> Iterator[EdgeStore]:
    idx = EdgeStore(settings, sparse=True)
    tokens = [tokenize(row[5]) for row in PASSAGES]
    avgdl = average_length(tokens)
    idx.upsert([payload(r) for r in PASSAGES], np.stack([unit(i) for i in range(len(PASSAGES))]),
               [sparse_vector(t, avgdl) for t in tokens])
    yield idx
    idx.close()


def test_empty_index_answers_without_a_shard(settings: Settings) -> None:
    idx = EdgeStore(settings)
    assert idx.count() == 0
    assert idx.search_dense(unit(0), 5, DocFilter()) == []
    assert idx.existing(["lung-1"]) == set()
    assert idx.chunk_ids_of(["lung"]) == []
    assert not idx.path.exists()


def test_upsert_count_existing_and_reopen(index: EdgeStore, settings: Settings) -> None:
    assert index.count() == len(PASSAGES)
    assert index.existing(["lung-1", "liver-2", "nope"]) == {"lung-1", "liver-2"}
    index.close()
    again = EdgeStore(settings, sparse=True)
    assert again.count() == len(PASSAGES)
    again.close()


@pytest.mark.parametrize("position", range(len(PASSAGES)))
def test_dense_nearest_is_the_right_chunk(index: EdgeStore, position: int) -> None:
    hits = index.search_dense(unit(position), 3, DocFilter())
    assert hits[0][0] == PASSAGES[position][0]
    assert hits[0][1] > hits[1][1]


@pytest.mark.parametrize(("flt", "allowed"), [
    (DocFilter(doc_ids=("liver",)), {"liver-1", "liver-2"}),
    (DocFilter(systems=("PI-RADS", "BI-RADS")), {"prostate-1", "breast-1"}),
    (DocFilter(editions=("8",)), {"lung-1", "lung-2"}),
    (DocFilter(languages=("zh",)), {"liver-2"}),
    (DocFilter(systems=("AJCC",), doc_ids=("lung",)), {"lung-1", "lung-2"}),
])
def test_filters_keep_only_matching_chunks(index: EdgeStore, flt: DocFilter, allowed: set[str]) -> None:
    hits = index.search_dense(unit(0), 10, flt)
    assert {c for c, _ in hits} == allowed


def test_delete_and_chunk_ids_of(index: EdgeStore) -> None:
    assert sorted(index.chunk_ids_of(["liver", "lung"])) == ["liver-1", "liver-2", "lung-1", "lung-2"]
    index.delete(["liver-1"])
    assert index.count() == len(PASSAGES) - 1
    assert index.chunk_ids_of(["liver"]) == ["liver-2"]
    assert "liver-1" not in {c for c, _ in index.search_dense(unit(3), 10, DocFilter())}


def test_set_payload_changes_what_a_filter_sees(index: EdgeStore) -> None:
    index.set_payload(["breast-1"], {"edition": "6"})
    assert [c for c, _ in index.search_dense(unit(5), 10, DocFilter(editions=("6",)))] == ["breast-1"]


@pytest.mark.parametrize("query", ["T2a visceral pleura", "N1c peribronchial", "PI-RADS 1.5 cm", "LR-5 hepatocellular",
                                   "4B malignancy", "肝细胞癌"])
def test_sparse_bm25_agrees_with_bm25s(index: EdgeStore, tmp_path: Path, query: str) -> None:
    """Qdrant's IDF-modified sparse vectors rank like bm25s (the project's embedded BM25)."""
    tokens = [tokenize(row[5]) for row in PASSAGES]
    ids = [row[0] for row in PASSAGES]
    LexicalIndex.build(tmp_path / "bm25", ids, [row[1] for row in PASSAGES], tokens)
    oracle = LexicalIndex(tmp_path / "bm25").search(tokenize(query), 3, None)
    got = index.search_sparse(tokenize(query), 3, DocFilter())
    assert got and got[0][0] == oracle[0][0]
    # Same formula up to the constant (k1 + 1) factor in rag.index.vectors.sparse_vector.
    assert got[0][1] == pytest.approx(oracle[0][1] * 2.2, rel=1e-3)


def test_sparse_needs_sparse_vectors(settings: Settings) -> None:
    idx = EdgeStore(settings, sparse=False)
    with pytest.raises(RagError):
        idx.search_sparse(["t2a"], 3, DocFilter())


def test_hybrid_fuses_with_the_configured_rrf_k(index: EdgeStore, settings: Settings) -> None:
    # The dense query points at lung-2; the words point at liver-1: both must come back, each once.
    hits = index.search_hybrid(unit(1), tokenize("LR-5 hepatocellular"), 10, 10, DocFilter())
    ids = [c for c, _ in hits]
    assert {"lung-2", "liver-1"} <= set(ids)
    assert len(ids) == len(set(ids))
    # A chunk first in both lists scores 2 / (k + 1) when k is the project's rrf_k.
    top = index.search_hybrid(unit(3), tokenize("LR-5 hepatocellular"), 3, 10, DocFilter())
    assert top[0][0] == "liver-1"
    assert top[0][1] == pytest.approx(2 / (settings.rrf_k + 1), rel=1e-4)


def test_hybrid_respects_filters(index: EdgeStore) -> None:
    hits = index.search_hybrid(unit(0), tokenize("LR-5 hepatocellular"), 10, 10, DocFilter(doc_ids=("lung",)))
    assert {c for c, _ in hits} == {"lung-1", "lung-2"}


def test_second_open_of_the_same_folder_is_busy(index: EdgeStore, settings: Settings) -> None:
    other = EdgeStore(settings)
    with pytest.raises(IndexBusy) as caught:
        other.count()
    assert str(index.path) in str(caught.value)
