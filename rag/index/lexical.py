"""BM25 over the live chunks with bm25s, saved as one generation directory per catalogue switch.

The tokens come from ``rag.index.tokenize`` (shared with the answer verifier); rank-bm25 stays the
test oracle for these scores (tests/test_retrieve.py).
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import ModuleType

import numpy as np

from rag.index.vectors import BM25_B, BM25_K1

# What bm25s imports only to offer optional backends we do not use: numba (a JIT for its scoring and
# top-k, ~55 MB resident with llvmlite) and scipy.sparse (~22 MB). Its numpy backends score the same
# matrices; at the scales we serve, the numpy top-k is not slower (bench/serving_rss.py).
_OPTIONAL_BACKENDS = ("numba", "scipy")


def import_bm25s() -> ModuleType:
    """bm25s on its numpy backends, without importing numba or scipy (serving memory).

    bm25s probes ``import numba`` / ``import scipy.sparse`` once, at its own import, and falls back to
    numpy when they fail; hiding them for that one import (an entry of None in ``sys.modules`` makes
    an import raise ImportError) keeps ~75 MB out of a serving process. A process that already
    imported either (the eval's ranx uses numba) keeps what bm25s finds there.
    """
    if "bm25s" in sys.modules:
        return sys.modules["bm25s"]
    hidden = [name for name in _OPTIONAL_BACKENDS if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # the documented way to make an import fail
    try:
        import bm25s
        import bm25s.selection  # noqa: F401 - imported here so it, too, sees no numba
    finally:
        for name in hidden:
            if sys.modules.get(name, False) is None:
                del sys.modules[name]
    return bm25s


class LexicalIndex:
    """A bm25s index over the live chunks, saved as one generation directory."""

    def __init__(self, directory: Path) -> None:
        bm25s = import_bm25s()

        self._topk = bm25s.selection.topk
        self.directory = directory
        meta = json.loads((directory / "rag_ids.json").read_text())
        self.chunk_ids: list[str] = meta["chunk_ids"]
        self.doc_ids: list[str] = meta["doc_ids"]
        # An empty generation (every document retired) has no bm25s files: bm25s cannot index nothing.
        # Memory-mapped: the score matrix is read from the page cache, not copied into the process
        # (at 100k chunks it is tens of MB; a generation folder swept while mapped stays readable).
        self._retriever = bm25s.BM25.load(str(directory), mmap=True) if self.chunk_ids else None
        self.vocab: Mapping[str, int] = self._retriever.vocab_dict if self._retriever is not None else {}
        self._doc_positions: dict[str, list[int]] = {}
        for position, doc_id in enumerate(self.doc_ids):
            self._doc_positions.setdefault(doc_id, []).append(position)
        # A filtered search reuses the mask of the same document set (the app repeats its filters);
        # bm25s only reads the mask (it multiplies the scores by it), so sharing one is safe.
        self._masks: dict[frozenset[str], np.ndarray] = {}

    @staticmethod
    def build(directory: Path, chunk_ids: Sequence[str], doc_ids: Sequence[str],
              tokens: Sequence[list[str]]) -> None:
        bm25s = import_bm25s()

        if directory.exists():
            shutil.rmtree(directory)
        if not chunk_ids:
            directory.mkdir(parents=True)
            (directory / "rag_ids.json").write_text(json.dumps({"chunk_ids": [], "doc_ids": []}))
            return
        retriever = bm25s.BM25(k1=BM25_K1, b=BM25_B)
        # bm25s needs at least one token per document; an empty chunk gets a placeholder.
        retriever.index([t or ["\x00"] for t in tokens], show_progress=False)
        retriever.save(str(directory))
        (directory / "rag_ids.json").write_text(json.dumps({"chunk_ids": list(chunk_ids), "doc_ids": list(doc_ids)}))

    def search(self, tokens: Sequence[str], limit: int, allowed_docs: set[str] | None) -> list[tuple[str, float]]:
        known = [t for t in tokens if t in self.vocab]
        if not known or not self.chunk_ids or self._retriever is None:
            return []
        mask = None if allowed_docs is None else self._mask(allowed_docs)
        if mask is not None and not mask.any():
            return []
        k = min(limit, len(self.chunk_ids))
        # The two steps bm25s.BM25.retrieve runs per query (BM25._get_top_k_results: get_scores, then
        # selection.topk), called directly: retrieve(n_threads=1), as before, started and joined a
        # thread pool per call (0.3 ms idle, 20-60 ms wall on the loaded 2 cores), and even in-thread it
        # adds a progress bar and input checks worth about its scoring time (bench/lexical_profile.py).
        # Same functions, same arguments, so the same ranking (checked on 142 MedQuAD questions).
        scores = self._retriever.get_scores(known, weight_mask=mask)
        top_scores, top_positions = self._topk(scores, k=k, sorted=True, backend="auto")
        chunk_ids = self.chunk_ids
        return [(chunk_ids[d], s) for d, s in zip(top_positions.tolist(), top_scores.tolist(), strict=True) if s > 0]

    def _mask(self, allowed_docs: set[str]) -> np.ndarray:
        """1.0 at the positions of the allowed documents' chunks, built once per document set."""
        key = frozenset(allowed_docs)
        mask = self._masks.get(key)
        if mask is None:
            mask = np.zeros(len(self.chunk_ids), dtype=np.float32)
            for doc_id in key:
                mask[self._doc_positions.get(doc_id, [])] = 1.0
            mask.setflags(write=False)  # shared between calls: nothing may write to it
            if len(self._masks) >= 64:  # filters come from a handful of UI choices; bound it anyway
                self._masks.clear()
            self._masks[key] = mask
        return mask


def average_length(tokens: Sequence[list[str]]) -> float:
    """Mean token count, for the sparse vectors' length normalisation."""
    return float(sum(len(t) for t in tokens)) / max(len(tokens), 1) if tokens else 1.0

