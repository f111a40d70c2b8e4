from __future__ import annotations

from pathlib import Path

import pytest

from rag.config import Settings
from rag.corpus.chunk import chunk_document
from rag.corpus.ingest import ingest
from rag.corpus.parse import parse_file
from rag.errors import InvalidInput
from rag.index.edge import EdgeStore
from rag.index.lexical import LexicalIndex
from rag.index.qdrant import QdrantClientStore
from rag.index.tokenize import tokenize
from rag.retrieval.fusion import convex, min_max, rrf
from rag.retrieval.retrieve import Retriever, prepare_query
from rag.types import DocFilter
from rag.workspace import Workspace
from tests.conftest import SHARED, require_shared, write

PDQ = SHARED / "data" / "pdq"


def test_rrf_rewards_agreement() -> None:
    fused = rrf(["a", "b", "c"], ["b", "d"], k=60)
    assert [item for item, _ in fused][:2] == ["b", "a"]
    assert fused[0][1] == pytest.approx(1 / 62 + 1 / 61)


def test_min_max_rescales_each_list_to_unit_range() -> None:
    assert min_max([("a", 12.0), ("b", 7.0), ("c", 2.0)]) == {"a": 1.0, "b": 0.5, "c": 0.0}
    assert min_max([("a", 0.3), ("b", 0.3)]) == {"a": 1.0, "b": 1.0}
    assert min_max([]) == {}


def test_convex_mixes_normalised_scores_by_the_dense_share() -> None:
    lexical = [("a", 9.0), ("b", 5.0), ("c", 1.0)]  # normalised 1, 0.5, 0
    dense = [("c", 0.8), ("b", 0.6), ("d", 0.4)]  # normalised 1, 0.5, 0
    fused = dict(convex(lexical, dense, dense_share=0.6))
    assert fused["a"] == pytest.approx(0.4)  # BM25 only
    assert fused["b"] == pytest.approx(0.4 * 0.5 + 0.6 * 0.5)
    assert fused["c"] == pytest.approx(0.6)  # dense only (BM25 floor is 0)
    assert fused["d"] == pytest.approx(0.0)
    assert [item for item, _ in convex(lexical, dense, dense_share=0.6)][:2] == ["c", "b"]


@pytest.mark.parametrize("share, expected", [(0.0, ["a", "b", "c", "d"]), (1.0, ["c", "b", "a", "d"])])  # a ties d at 0: ids break ties
def test_convex_at_the_ends_is_one_retriever(share: float, expected: list[str]) -> None:
    lexical = [("a", 9.0), ("b", 5.0), ("c", 1.0)]
    dense = [("c", 0.8), ("b", 0.6), ("d", 0.4)]
    assert [item for item, _ in convex(lexical, dense, dense_share=share)] == expected


def test_convex_rejects_a_share_outside_unit_range() -> None:
    with pytest.raises(ValueError, match="dense_share"):
        convex([("a", 1.0)], [("a", 1.0)], dense_share=1.5)


@pytest.mark.parametrize("query, message", [
    ("", "empty query"), ("   \n", "empty query"), ("?!... ---", "no letters or digits"),
    ("x" * 10_001, "query too long"),
])
def test_bad_queries_get_clear_errors(query: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        prepare_query(query)


def test_bm25s_agrees_with_rank_bm25_oracle(tmp_path: Path) -> None:
    """bm25s is the engine; rank-bm25 (the design card's library) is the independent oracle."""
    import math

    from rank_bm25 import BM25Okapi

    class LuceneBM25(BM25Okapi):
        """rank-bm25's Okapi scoring with the Lucene IDF that bm25s uses by default."""

        def _calc_idf(self, nd: dict[str, int]) -> None:
            self.idf = {w: math.log(1 + (self.corpus_size - n + 0.5) / (n + 0.5)) for w, n in nd.items()}

    parsed = parse_file(require_shared(PDQ / "types-kidney-hp-kidney-treatment-pdq.md"))
    chunks = chunk_document(parsed, "kidney")
    tokens = [tokenize(c.text) or ["\x00"] for c in chunks]
    LexicalIndex.build(tmp_path / "bm25", [c.chunk_id for c in chunks], ["kidney"] * len(chunks), tokens)
    ours = LexicalIndex(tmp_path / "bm25")
    oracle = LuceneBM25(tokens, k1=1.2, b=0.75)
    queries = ["sunitinib metastatic renal cell carcinoma", "partial nephrectomy small renal mass",
               "stage III tumour extends into major veins", "von Hippel-Lindau disease", "radiofrequency ablation"]
    for query in queries:
        q = tokenize(query)
        got = ours.search(q, 5, None)
        scores = oracle.get_scores(q)
        expected = sorted(range(len(chunks)), key=lambda i: -scores[i])[:5]
        assert [cid for cid, _ in got] == [chunks[i].chunk_id for i in expected], query
        # Lucene's BM25 drops the constant (k1 + 1) numerator that rank-bm25 keeps.
        assert [s * 2.2 for _, s in got] == pytest.approx([scores[i] for i in expected], rel=1e-4), query


def test_lexical_search_matches_bm25s_retrieve_with_and_without_filters(tmp_path: Path) -> None:
    """LexicalIndex.search calls bm25s's scoring and top-k directly (no per-query thread pool); it must
    rank exactly as bm25s.BM25.retrieve does, and a cached filter mask must filter as a fresh one."""
    import numpy as np

    docs = ["kidney"] * 4 + ["liver"] * 4
    texts = ["renal cell carcinoma nephrectomy", "renal mass ablation", "sunitinib renal", "kidney stage III veins",
             "hepatocellular carcinoma resection", "liver transplant carcinoma", "sorafenib liver", "renal failure liver"]
    LexicalIndex.build(tmp_path / "bm25", [f"c{i}" for i in range(8)], docs, [tokenize(t) for t in texts])
    index = LexicalIndex(tmp_path / "bm25")
    for query in ["renal carcinoma", "liver carcinoma sorafenib", "stage III"]:
        known = [t for t in tokenize(query) if t in index.vocab]
        ids, scores = index._retriever.retrieve([known], k=8, show_progress=False, n_threads=0)
        expected = [(f"c{int(i)}", float(s)) for i, s in zip(ids[0], scores[0], strict=True) if s > 0]
        assert index.search(tokenize(query), 8, None) == expected, query
        mask = np.array([d == "liver" for d in docs], dtype=np.float32)
        ids, scores = index._retriever.retrieve([known], k=8, show_progress=False, n_threads=0, weight_mask=mask)
        filtered = [(f"c{int(i)}", float(s)) for i, s in zip(ids[0], scores[0], strict=True) if s > 0]
        for _ in range(2):  # the second call uses the cached mask
            assert index.search(tokenize(query), 8, {"liver"}) == filtered, query
        assert all(int(c[1:]) >= 4 for c, _ in filtered)
    assert index.search(tokenize("renal carcinoma"), 8, {"absent"}) == []


@pytest.mark.slow
@pytest.mark.parametrize("fusion", ["convex", "rrf"])
def test_server_path_sparse_vectors_and_qdrant_fusion(tmp_path: Path, fusion: str) -> None:
    """RAG_QDRANT_URL moves BM25 into Qdrant (sparse + IDF); RRF fusion runs in its query API.

    No Qdrant server runs here, so the same code (QdrantClientStore with sparse vectors) runs against
    qdrant-client's local mode, and must rank as the embedded default does (qdrant-edge + bm25s).
    Convex fusion needs the scores, so it fuses Qdrant's sparse and dense results in-process.
    """
    folder = tmp_path / "corpus"
    write(folder / "a.md", "---\ntitle: Lung\nsystem: AJCC8-lung\n---\n# Lung\n\n## Pleura\n\n"
                           "Visceral pleural invasion makes a small tumour T2a.\n\n## Nodes\n\n"
                           "Subcarinal station 7 nodes are N2 and never N3.\n")
    write(folder / "b.md", "---\ntitle: Thyroid\nsystem: ACR-TI-RADS\n---\n# TI-RADS\n\n## Foci\n\n"
                           "Punctate echogenic foci add 3 points.\n")
    embedded = Workspace(Settings(index_dir=tmp_path / "embedded", fusion=fusion))
    client = Workspace(Settings(index_dir=tmp_path / "client", fusion=fusion, vector_engine="local"), sparse=True)
    try:
        for ws in (embedded, client):
            ingest(ws, [folder], progress=False)
        assert isinstance(embedded.vectors, EdgeStore) and isinstance(client.vectors, QdrantClientStore)
        assert client.uses_sparse_vectors and not embedded.uses_sparse_vectors
        for query in ("subcarinal station 7", "punctate echogenic foci", "visceral pleural invasion"):
            for mode in ("bm25", "dense", "hybrid"):
                expected = Retriever(embedded).search(query, k=1, mode=mode)[0].chunk.chunk_id
                assert Retriever(client).search(query, k=1, mode=mode)[0].chunk.chunk_id == expected, (query, mode)
        only = DocFilter(systems=("ACR-TI-RADS",))
        for mode in ("bm25", "dense", "hybrid"):
            hits = Retriever(client).search("visceral pleural invasion", k=5, mode=mode, filters=only)
            assert {h.document.doc_id for h in hits} <= {"b"}, mode
        # A changed file replaces its chunks: the old points are deleted from both stores.
        write(folder / "b.md", "---\ntitle: Thyroid\nsystem: ACR-TI-RADS\n---\n# TI-RADS\n\n## Foci\n\n"
                               "Macrocalcifications add 1 point.\n")
        for ws in (embedded, client):
            ingest(ws, [folder], progress=False)
            assert ws.vectors.count() == ws.catalog.count_chunks(), ws.vectors
        assert Retriever(client).search("macrocalcifications", k=1, mode="bm25")[0].document.doc_id == "b"
        assert not any("Punctate" in h.chunk.text for h in Retriever(client).search("punctate echogenic foci", k=5))
    finally:
        embedded.close()
        client.close()


@pytest.mark.slow
def test_second_process_gets_a_clear_busy_error(workspace: Workspace, tmp_path: Path) -> None:
    from rag.errors import IndexBusy

    write(tmp_path / "c" / "x.md", "# X\n\nSome text about staging.\n")
    ingest(workspace, [tmp_path / "c"], progress=False)
    other = Workspace(workspace.settings)
    try:
        with pytest.raises(IndexBusy, match="in use by another process"):
            other.vectors.count()
    finally:
        other.close()


@pytest.mark.slow
def test_chinese_query_expands_through_the_glossary(workspace: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "c"
    write(folder / "gloss.md", "---\ntitle: Glossary\nsystem: glossary\nlanguage: zh\n---\n# 术语\n\n"
                               "| Rule | 中文 | English |\n|---|---|---|\n| GLOSS.1 | 脏层胸膜侵犯 | visceral pleural invasion |\n"
                               "| GLOSS.2 | 纵隔 | mediastinum / mediastinal |\n")
    write(folder / "lung.md", "---\ntitle: Lung\nsystem: AJCC8-lung\n---\n# Lung\n\n## Pleura\n\n"
                              "Visceral pleural invasion makes a small tumour T2a.\n\n## Other\n\n"
                              "Smoking cessation advice is part of care.\n")
    ingest(workspace, [folder], progress=False)
    hits = Retriever(workspace).search("脏层胸膜侵犯是什么分期", k=3, mode="bm25")
    assert hits and hits[0].document.doc_id in {"lung", "gloss"}
    assert any("Visceral pleural invasion makes" in h.chunk.text for h in hits)


@pytest.mark.slow
def test_glossary_rows_are_hidden_unless_asked_for(tmp_path: Path) -> None:
    """The glossary expands queries; it is not an answer, so search shows it only when filtered to it."""
    folder = tmp_path / "corpus"
    write(folder / "gloss.md", "---\ntitle: Glossary\nsystem: glossary\nlanguage: zh\n---\n# 术语\n\n"
                               "| 中文 | English |\n|---|---|\n| 脏层胸膜侵犯 | visceral pleural invasion |\n")
    write(folder / "lung.md", "---\ntitle: Lung\nsystem: AJCC8-lung\n---\n# Lung\n\n## Pleura\n\n"
                              "Invasion of the visceral pleura makes a tumour of 3 cm or less T2a.\n")
    workspace = Workspace(Settings(index_dir=tmp_path / "index"))
    try:
        ingest(workspace, [folder], progress=False)
        retriever = Retriever(workspace)
        for mode in ("bm25", "dense", "hybrid"):
            hits = retriever.search("visceral pleural invasion", k=5, mode=mode)
            assert [h.document.doc_id for h in hits] == ["lung"], mode
        asked = retriever.search("visceral pleural invasion", k=5, filters=DocFilter(systems=("glossary",)))
        assert [h.document.doc_id for h in asked] == ["gloss"]
    finally:
        workspace.close()
