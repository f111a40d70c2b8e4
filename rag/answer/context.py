"""Which retrieved passages may answer: the relevance gate and the context selection.

Relevance gate (``RELEVANCE_THRESHOLD``): hybrid retrieval always returns *something*, so without
a gate "best pizza in Naples" would be answered from whatever is nearest. A hit's relevance is
``0.6 * cosine + 0.4 * lexical`` — the MiniLM cosine of question and chunk, and the IDF-weighted
share of the question's tokens the chunk (with title and section) contains; the best hit must reach
0.36 (English) or 0.45 (Chinese, where MiniLM's cosine is weak). Calibrated with
``bench/citations.py --calibrate`` on the 346 gold questions (all in scope: 261 en, 85 zh) against
40 out-of-scope questions (35 en, 5 zh: drug doses, treatments, everyday topics), bundled corpora:

- en: gold minimum 0.362 (5th lowest 0.392); out of scope maximum 0.45 ("radiotherapy fractionation
  for breast cancer", the one accepted), next 0.357, 0.353. 0/261 gold refused, 34/35 refused.
- zh: gold lowest 0.421, 0.429, then 0.494; out of scope maximum 0.449 ("如何治疗偏头痛").
  2/85 gold refused by the gate, 5/5 refused.

The margins are thin (a few hundredths): the gate separates topics, not questions the corpus
happens not to answer, so the verifier, not the gate, is what keeps unsupported text out.
Questions routed to a calculator are answered from the calculator's cited rows regardless.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rag.answer.verify import Source, data_text
from rag.index.tokenize import tokenize
from rag.retrieval.retrieve import Retriever
from rag.types import SearchHit, SearchMode
from rag.workspace import Workspace

__all__ = ["COSINE_WEIGHT", "CorpusStats", "RELEVANCE_THRESHOLD", "ScoringRetriever", "corpus_stats", "relevance",
           "select_context"]

COSINE_WEIGHT = 0.6
RELEVANCE_THRESHOLD = {"en": 0.36, "zh": 0.45}
MAX_SOURCES = 5
MAX_PER_DOC = 2
NEAR_DUPLICATE = 0.8  # token-set Jaccard above which a chunk repeats one already selected


# --- corpus statistics (IDF) ------------------------------------------------------------------------
@dataclass(frozen=True)
class CorpusStats:
    """Document frequencies of the live BM25 tokens, for IDF weights."""

    n: int
    df: dict[str, int]

    def idf(self, token: str) -> float:
        df = self.df.get(token, 0)
        return math.log((self.n - df + 0.5) / (df + 0.5) + 1.0)


_STATS: dict[str, tuple[str, CorpusStats]] = {}


def corpus_stats(workspace: Workspace) -> CorpusStats:
    """The IDF statistics of the workspace's live generation, cached until the generation changes."""
    generation = workspace.catalog.get_state("bm25_generation") or ""
    key = str(workspace.settings.index_dir)
    cached = _STATS.get(key)
    if cached and cached[0] == generation:
        return cached[1]
    _, _, tokens = workspace.catalog.live_tokens()
    df: dict[str, int] = {}
    for doc in tokens:
        for token in set(doc):
            df[token] = df.get(token, 0) + 1
    stats = CorpusStats(len(tokens), df)
    _STATS[key] = (generation, stats)
    return stats


def relevance(question_tokens: Sequence[str], hit: SearchHit, stats: CorpusStats) -> float:
    """IDF-weighted share of the question's distinct tokens found in the chunk, its section and title."""
    wanted = set(question_tokens)
    if not wanted:
        return 0.0
    have = set(tokenize(f"{hit.document.title} {hit.chunk.section} {data_text(hit.chunk.text)}"))
    total = sum(stats.idf(t) for t in wanted)
    return sum(stats.idf(t) for t in wanted & have) / total if total else 0.0


class ScoringRetriever(Retriever):
    """The hybrid retriever, keeping the dense cosine of each candidate for the relevance gate.

    Same ranking as ``Retriever``; fused scores say little about how relevant the best hit is in
    absolute terms (min-max and rank fusion are relative to the query's own candidates), cosine does.
    """

    def __init__(self, workspace: Workspace) -> None:
        super().__init__(workspace)
        self.cosines: dict[str, float] = {}

    def _rank(self, query: Any, k: int, mode: SearchMode, flt: Any) -> list[tuple[str, float]]:
        self.cosines = {}
        return super()._rank(query, k, mode, flt)

    def _dense(self, query: Any, depth: int, flt: Any) -> list[tuple[str, float]]:
        dense = super()._dense(query, depth, flt)
        self.cosines = dict(dense)
        return dense


# --- context selection --------------------------------------------------------------------------
def select_context(hits: Sequence[SearchHit], scores: Sequence[float], *, language: str = "en",
                   first_n: int = 1) -> list[Source]:
    """Drop near-duplicates and glossary rows, cap chunks per document, number the rest from first_n."""
    chosen: list[tuple[SearchHit, float, set[str]]] = []
    per_doc: dict[str, int] = {}
    best = max(scores, default=0.0)
    for hit, score in zip(hits, scores, strict=True):
        if hit.document.system == "glossary" or score < max(RELEVANCE_THRESHOLD[language] * 0.8, 0.7 * best):
            continue
        if per_doc.get(hit.document.doc_id, 0) >= MAX_PER_DOC:
            continue
        tokens = set(tokenize(hit.chunk.text))
        if any(len(tokens & t) / max(len(tokens | t), 1) >= NEAR_DUPLICATE for _, _, t in chosen):
            continue
        chosen.append((hit, score, tokens))
        per_doc[hit.document.doc_id] = per_doc.get(hit.document.doc_id, 0) + 1
        if len(chosen) == MAX_SOURCES:
            break
    return [Source(first_n + i, h.chunk, h.document, "retrieval", score=s) for i, (h, s, _) in enumerate(chosen)]

