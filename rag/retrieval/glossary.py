"""The bilingual glossary (``corpora/zh/zh-glossary.md``) used to expand Chinese queries.

MiniLM is an English model, so a Chinese question reaches the English corpus through the glossary:
each Chinese term found in the question adds its English equivalents to the query. The glossary is
read from the index (any active document whose system is ``glossary``), so a librarian's update
takes effect on the next ingest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.workspace import Workspace

_ROW_RE = re.compile(r"^\|\s*GLOSS\.\d+\s*\|\s*([^|]+?)\s*\|\s*([^|]+?)\s*\|\s*$", re.M)
_MIN_TERM_CHARS = 2  # single-character entries (期, 级, 肺) match too much to be useful for expansion


@dataclass(frozen=True)
class Glossary:
    """Chinese → English term pairs, longest Chinese term first."""

    pairs: tuple[tuple[str, tuple[str, ...]], ...]

    def expand(self, text: str) -> list[str]:
        """English equivalents of the Chinese terms in ``text``.

        Scans left to right taking the longest term at each position, so 胰腺癌 (pancreatic cancer)
        is read whole instead of yielding 腺癌 (adenocarcinoma) and losing the organ.
        """
        by_first: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        for chinese, english in self.pairs:  # longest first within each bucket
            if len(chinese) >= _MIN_TERM_CHARS:
                by_first.setdefault(chinese[0], []).append((chinese, english))
        found: list[str] = []
        i = 0
        while i < len(text):
            match = next(((c, e) for c, e in by_first.get(text[i], ()) if text.startswith(c, i)), None)
            if match is None:
                i += 1
                continue
            found.extend(match[1])
            i += len(match[0])
        return list(dict.fromkeys(found))


def parse_glossary(text: str) -> Glossary:
    """Read ``| GLOSS.n | 中文 | English / synonym |`` rows."""
    pairs: dict[str, tuple[str, ...]] = {}
    for chinese, english in _ROW_RE.findall(text):
        for term in (t.strip() for t in chinese.split(" / ")):
            if term:
                pairs[term] = tuple(e.strip() for e in english.split(" / ") if e.strip())
    return Glossary(tuple(sorted(pairs.items(), key=lambda kv: -len(kv[0]))))


_CACHE: dict[str, tuple[str, Glossary]] = {}


def load_glossary(workspace: Workspace) -> Glossary:
    """The glossary of the active corpus, cached per BM25 generation."""
    generation = workspace.catalog.get_state("bm25_generation") or ""
    key = str(workspace.settings.index_dir)
    cached = _CACHE.get(key)
    if cached and cached[0] == generation:
        return cached[1]
    texts: list[str] = []
    for document in workspace.catalog.documents(include_retired=False):
        if document.system == "glossary":
            chunk_ids = workspace.catalog.chunk_ids(document.doc_id)
            texts.extend(c.text for c in workspace.catalog.chunks(chunk_ids).values())
    glossary = parse_glossary("\n".join(texts))
    _CACHE[key] = (generation, glossary)
    return glossary
