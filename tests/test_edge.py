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
