"""The ONNX query encoder against torch, on the real bundled model: same vectors, cached export, safe fallback."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from rag.index.embed import Embedder

pytestmark = pytest.mark.slow  # loads the real model and exports it to ONNX once per run

QUERIES = [
    "T2a visceral pleural invasion",
    "What are the treatments for hairy cell leukemia?",
    "肺癌 脏层胸膜侵犯 分期",
    "LR-5 ≥20 mm with nonrim APHE and washout",
    "stage " * 600,  # longer than MiniLM's 256 word pieces: both runtimes must truncate alike
]


@pytest.fixture(scope="module")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="module")
def onnx_embedder(model_cache: Path) -> Embedder:
    embedder = Embedder(cache_dir=model_cache)
    assert embedder.query_runtime == "onnx"
    return embedder


@pytest.mark.parametrize("query", QUERIES, ids=range(len(QUERIES)))
def test_onnx_query_vector_equals_torch(onnx_embedder: Embedder, query: str) -> None:
    torch_vector = onnx_embedder.embed_passages([query])[0]
    onnx_vector = onnx_embedder.embed_query(query)
    assert onnx_vector.dtype == np.float32 and onnx_vector.shape == torch_vector.shape
    assert float(np.abs(onnx_vector - torch_vector).max()) < 1e-5
    assert float(np.linalg.norm(onnx_vector)) == pytest.approx(1.0, abs=1e-5)


def test_the_export_is_reused_not_redone(onnx_embedder: Embedder, model_cache: Path) -> None:
    exported = list(model_cache.glob("*.onnx"))
    assert len(exported) == 1
    before = exported[0].stat().st_mtime_ns
    again = Embedder(cache_dir=model_cache)
    assert again.query_runtime == "onnx"
    assert exported[0].stat().st_mtime_ns == before
    assert not list(model_cache.glob(".*.tmp"))  # no half-written export left behind


def test_a_corrupt_export_falls_back_to_torch_with_a_warning(tmp_path: Path, onnx_embedder: Embedder,
                                                              model_cache: Path, caplog: pytest.LogCaptureFixture) -> None:
    exported = next(model_cache.glob("*.onnx"))
    (tmp_path / exported.name).write_bytes(b"not an onnx graph")
    with caplog.at_level(logging.WARNING, logger="rag.index.embed_onnx"):
        embedder = Embedder(cache_dir=tmp_path)
        vector = embedder.embed_query(QUERIES[0])
    assert embedder.query_runtime == "torch"
    assert "ONNX query encoder unavailable" in caplog.text
    assert float(np.abs(vector - embedder.embed_passages([QUERIES[0]])[0]).max()) == 0.0


def test_torch_runtime_exports_nothing(tmp_path: Path) -> None:
    embedder = Embedder(query_runtime="torch", cache_dir=tmp_path)
    embedder.embed_query(QUERIES[0])
    assert embedder.query_runtime == "torch"
    assert not list(tmp_path.iterdir())
