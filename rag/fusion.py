"""Reciprocal-rank fusion: a pure function, so it is trivial to test and to reason about."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence


def rrf(*rankings: Sequence[str], k: int = 60, weights: Sequence[float] | None = None) -> list[tuple[str, float]]:
    """Fuse ranked id lists; an id's score is the sum of weight / (k + rank) over the lists it is in."""
    scores: dict[str, float] = defaultdict(float)
    for i, ranking in enumerate(rankings):
        weight = 1.0 if weights is None else weights[i]
        for rank, item in enumerate(ranking, start=1):
            scores[item] += weight / (k + rank)
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))
