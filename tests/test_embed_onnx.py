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
    torch_vector = onnx_embedder.embed_passages_torch([query])[0]
    onnx_vector = onnx_embedder.embed_query(query)
    assert onnx_vector.dtype == np.float32 and onnx_vector.shape == torch_vector.shape
    assert float(np.abs(onnx_vector - torch_vector).max()) < 1e-5
    assert float(np.linalg.norm(onnx_vector)) == pytest.approx(1.0, abs=1e-5)


def test_the_export_is_reused_not_redone(onnx_embedder: Embedder, model_cache: Path) -> None:
    exported = list(model_cache.glob("*.onnx"))
    assert len(exported) == 1 and len(list(model_cache.glob("*.probes.npy"))) == 1
    before = exported[0].stat().st_mtime_ns
    again = Embedder(cache_dir=model_cache)
    assert again.query_runtime == "onnx"
    assert exported[0].stat().st_mtime_ns == before
    assert not list(model_cache.glob(".*.tmp"))  # no half-written export left behind


def test_a_corrupt_export_falls_back_to_torch_with_a_warning(tmp_path: Path, onnx_embedder: Embedder,
                                                              model_cache: Path, caplog: pytest.LogCaptureFixture) -> None:
    exported = next(model_cache.glob("*.onnx"))
    (tmp_path / exported.name).write_bytes(b"not an onnx graph")
    probes = next(model_cache.glob("*.probes.npy"))
    (tmp_path / probes.name).write_bytes(probes.read_bytes())  # a complete-looking export whose graph is broken
    with caplog.at_level(logging.WARNING, logger="rag.index.embed_onnx"):
        embedder = Embedder(cache_dir=tmp_path)
        vector = embedder.embed_query(QUERIES[0])
    assert embedder.query_runtime == "torch"
    assert "ONNX query encoder unavailable" in caplog.text
    assert float(np.abs(vector - embedder.embed_passages_torch([QUERIES[0]])[0]).max()) == 0.0
    assert float(np.abs(embedder.embed_passages([QUERIES[0]])[0] - vector).max()) == 0.0  # passages fall back too


def test_torch_runtime_exports_nothing(tmp_path: Path) -> None:
    embedder = Embedder(query_runtime="torch", cache_dir=tmp_path)
    embedder.embed_query(QUERIES[0])
    assert embedder.query_runtime == "torch"
    assert not list(tmp_path.iterdir())


def test_probe_vectors_that_disagree_fall_back_to_torch(tmp_path: Path, onnx_embedder: Embedder, model_cache: Path,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    graph = next(model_cache.glob("*.onnx"))
    (tmp_path / graph.name).write_bytes(graph.read_bytes())
    probes = np.load(next(model_cache.glob("*.probes.npy")))
    np.save(tmp_path / (graph.name + ".probes.npy"), probes[::-1].copy())  # vectors of the wrong texts
    with caplog.at_level(logging.WARNING, logger="rag.index.embed_onnx"):
        embedder = Embedder(cache_dir=tmp_path)
        assert embedder.query_runtime == "torch"
    assert "differs from torch" in caplog.text


def test_batched_onnx_vectors_equal_single_ones(onnx_embedder: Embedder, model_cache: Path) -> None:
    from rag.index.embed import _model_version
    from rag.index.embed_onnx import graph_path, load_encoder

    encoder = load_encoder(graph_path(model_cache, _model_version()))
    assert encoder is not None
    batch = encoder.encode_batch(QUERIES)
    for text, vector in zip(QUERIES, batch, strict=True):
        assert float(np.abs(vector - encoder.encode(text)).max()) < 1e-5  # padding never leaks into the mean


def test_a_serving_process_never_imports_torch(onnx_embedder: Embedder, model_cache: Path) -> None:
    """Once the graph is exported, query embedding (what search/ask/serve do) loads no torch."""
    import subprocess
    import sys

    code = ("import sys; from pathlib import Path; from rag.index.embed import Embedder; "
            f"e = Embedder(cache_dir=Path({str(model_cache)!r})); v = e.embed_query('T2a visceral pleural invasion'); "
            "assert e.query_runtime == 'onnx' and v.shape == (384,); "
            "print('torch' in sys.modules, 'sentence_transformers' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
    assert result.stdout.split() == ["False", "False"], result.stderr[-2000:]


def test_onnx_passages_equal_torch_in_input_order(onnx_embedder: Embedder) -> None:
    texts = [QUERIES[4], "short", QUERIES[1], "T3: tumour more than 5 cm, or separate nodule in the same lobe", QUERIES[2]]
    onnx = onnx_embedder.embed_passages(texts, batch_size=2)  # sorted batches must come back in input order
    reference = onnx_embedder.embed_passages_torch(texts)
    assert onnx.shape == reference.shape and float(np.abs(onnx - reference).max()) < 1e-5


@pytest.mark.parametrize("runtime", ["onnx", "torch"])
def test_length_ordered_batches_cover_every_text_once_shortest_first(runtime: str, model_cache: Path,
                                                                      onnx_embedder: Embedder) -> None:
    """What ingest embeds with: every input position exactly once, short batches before long ones, and
    each vector the one that text gets alone (so sorting can never attach a vector to the wrong chunk)."""
    embedder = onnx_embedder if runtime == "onnx" else Embedder(query_runtime="torch", cache_dir=model_cache)
    texts = [QUERIES[4], "short", QUERIES[1], "T3: tumour more than 5 cm, or separate nodule in the same lobe",
             QUERIES[2], "N0", QUERIES[3]]
    seen: list[int] = []
    widest_so_far = 0
    for rows, vectors in embedder.embed_passages_in_length_order(texts, batch_size=2):
        assert len(rows) == len(vectors) <= 2
        widths = [len(texts[int(i)]) for i in rows]
        assert min(widths) >= widest_so_far or runtime == "onnx"  # torch orders by characters
        widest_so_far = max(widths)
        for i, vector in zip(rows, vectors, strict=True):
            alone = embedder.embed_passages_torch([texts[int(i)]])[0]
            assert float(np.abs(vector - alone).max()) < 1e-5
        seen += [int(i) for i in rows]
    assert sorted(seen) == list(range(len(texts)))
    assert seen[0] in (1, 5) and seen[-1] == 0  # "short"/"N0" first, the 600-word text last
