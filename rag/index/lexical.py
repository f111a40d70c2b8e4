"""BM25 over the live chunks with bm25s, saved as one generation directory per catalogue switch.

The tokens come from ``rag.index.tokenize`` (shared with the answer verifier); rank-bm25 stays the
test oracle for these scores (tests/test_retrieve.py).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from rag.index.vectors import BM25_B, BM25_K1


class LexicalIndex:
    """A bm25s index over the live chunks, saved as one generation directory."""

    def __init__(self, directory: Path) -> None:
        import bm25s

        self.directory = directory
        meta = json.loads((directory / "rag_ids.json").read_text())
        self.chunk_ids: list[str] = meta["chunk_ids"]
        self.doc_ids: list[str] = meta["doc_ids"]
        # An empty generation (every document retired) has no bm25s files: bm25s cannot index nothing.
        self._retriever = bm25s.BM25.load(str(directory)) if self.chunk_ids else None
        self.vocab: Mapping[str, int] = self._retriever.vocab_dict if self._retriever is not None else {}
        self._doc_positions: dict[str, list[int]] = {}
        for position, doc_id in enumerate(self.doc_ids):
            self._doc_positions.setdefault(doc_id, []).append(position)

    @staticmethod
    def build(directory: Path, chunk_ids: Sequence[str], doc_ids: Sequence[str],
              tokens: Sequence[list[str]]) -> None:
        import bm25s

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
        mask = None
        if allowed_docs is not None:
            mask = np.zeros(len(self.chunk_ids), dtype=np.float32)
            for doc_id in allowed_docs:
                mask[self._doc_positions.get(doc_id, [])] = 1.0
            if not mask.any():
                return []
        k = min(limit, len(self.chunk_ids))
        docs, scores = self._retriever.retrieve([known], k=k, show_progress=False, weight_mask=mask, n_threads=1)
        return [(self.chunk_ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0], strict=True) if s > 0]


def average_length(tokens: Sequence[list[str]]) -> float:
    """Mean token count, for the sparse vectors' length normalisation."""
    return float(sum(len(t) for t in tokens)) / max(len(tokens), 1) if tokens else 1.0

