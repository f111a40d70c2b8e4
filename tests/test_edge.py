"""What only EdgeStore does (the shared behaviour of both backends is in tests/test_vector_stores.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rag.config import Settings
from rag.index.edge import EXACT_BELOW, EdgeStore
from rag.index.embed import DIMENSIONS
from rag.index.vectors import FILTER_FIELDS
from rag.types import DocFilter


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(index_dir=tmp_path / "index")


def test_nothing_is_written_before_the_first_upsert(settings: Settings) -> None:
    store = EdgeStore(settings)
    assert store.count() == 0
    assert store.search_dense(np.ones(DIMENSIONS, dtype=np.float32), 5, DocFilter()) == []
    assert not store.path.exists()
    assert store.path == settings.index_dir / "edge" / settings.collection()


def test_every_filter_field_has_a_payload_index(settings: Settings) -> None:
    store = EdgeStore(settings)
    try:
        store.ensure_collection()
        assert set(store._shard.info().payload_schema) == set(FILTER_FIELDS)
    finally:
        store.close()


def test_small_shards_search_exactly(settings: Settings) -> None:
    """Below EXACT_BELOW points dense search is exact (HNSW's default ef missed true neighbours)."""
    store = EdgeStore(settings)
    try:
        vectors = np.eye(3, DIMENSIONS, dtype=np.float32)
        store.upsert([{"chunk_id": f"c{i}", "doc_id": "d"} for i in range(3)], vectors)
        assert store._dense_params().exact and store._points == 3 < EXACT_BELOW
    finally:
        store.close()


def _upsert(store: EdgeStore, prefix: str, n: int, rng: np.random.Generator) -> None:
    payloads = [{"chunk_id": f"{prefix}{i}", "doc_id": prefix, "system": "s", "edition": "e", "language": "en"} for i in range(n)]
    vectors = rng.normal(size=(n, DIMENSIONS)).astype(np.float32)
    store.upsert(payloads, vectors / np.linalg.norm(vectors, axis=1, keepdims=True))


def test_another_process_trying_to_open_a_held_index_changes_nothing(settings: Settings) -> None:
    """qdrant-edge rewrote segment files before refusing a second opener, and the holder's next flush then
    failed ("tracker journal is shorter than expected"). The second process must be refused before edge runs."""
    import subprocess
    import sys

    rng = np.random.default_rng(3)
    store = EdgeStore(settings)
    _upsert(store, "a", 40, rng)
    _upsert(store, "b", 40, rng)
    probe = ("import sys; from pathlib import Path; from rag.config import Settings; from rag.index.edge import EdgeStore; "
             "from rag.errors import IndexBusy\n"
             f"try:\n    EdgeStore(Settings(index_dir=Path({str(settings.index_dir)!r}))).count(); print('opened')\n"
             "except IndexBusy:\n    print('busy')")
    try:
        for round_ in range(2):
            seen = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
            assert seen.stdout.strip() == "busy", seen.stderr[-1000:]
            store.delete([f"a{i}" for i in range(40)])  # retire, restore, upload: each flushes
            _upsert(store, "a", 40, rng)
            _upsert(store, f"c{round_}", 20, rng)
        assert store.count() == 40 + 40 + 2 * 20
    finally:
        store.close()
    reopened = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert reopened.stdout.strip() == "opened"  # the lock goes with close()


@pytest.mark.slow  # builds an HNSW graph of 8,000 points (seconds on 2 busy cores)
def test_past_exact_search_a_bulk_write_builds_the_graph_without_losing_neighbours(
        settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """From EXACT_BELOW points on, upsert builds HNSW (an unoptimised shard is brute force: 33 ms at 100k),
    and HNSW search at the configured ef finds the exact top 10 (quality must not drop silently)."""
    import rag.index.edge as edge

    # 8,000 × 384 float32 is past qdrant's indexing threshold (10 MB per segment), so the graph is built.
    monkeypatch.setattr(edge, "EXACT_BELOW", 5_000)
    rng = np.random.default_rng(3)
    store = EdgeStore(settings)
    try:
        _upsert(store, "a", 4_000, rng)
        assert store.layout()["indexed_dense"] == 0  # below EXACT_BELOW: exact search, no graph
        _upsert(store, "b", 4_000, rng)
        layout = store.layout()
        assert layout["points"] == 8_000 and layout["indexed_dense"] == 8_000
        assert store._dense_params().hnsw_ef == edge.HNSW_EF and not store._dense_params().exact
        recalls = []
        for query in rng.normal(size=(20, DIMENSIONS)).astype(np.float32):
            approximate = {c for c, _ in store.search_dense(query, 50, DocFilter())[:10]}
            exact = {c for c, _ in store.search_dense_exact(query, 10, DocFilter())}
            recalls.append(len(approximate & exact) / 10)
        assert np.mean(recalls) >= 0.95
        _upsert(store, "c", 500, rng)  # a small addition stays outside the graph until REINDEX_SHARE is new
        assert store.layout()["indexed_dense"] == 8_000
    finally:
        store.close()


def test_the_private_copy_of_a_read_only_shard_keeps_holes(tmp_path: Path) -> None:
    """Segment files are sparse: the copy has the same bytes without writing the holes' zeros."""
    from rag.index.edge import copy_sparse

    source = tmp_path / "segment.dat"
    with source.open("wb") as handle:
        handle.truncate(64 * 2**20)
        handle.seek(8 * 2**20)
        handle.write(b"payload" * 1000)
        handle.seek(40 * 2**20)
        handle.write(b"\x01" * 5000)
    target = tmp_path / "copy.dat"
    copy_sparse(str(source), str(target))
    assert target.read_bytes() == source.read_bytes()
    if source.stat().st_blocks * 512 < 2**20:  # the filesystem kept the source sparse, so it can keep the copy so
        assert target.stat().st_blocks * 512 < 2**20, target.stat()
