"""The process-wide handles on an index: catalogue, vector store, BM25 and the embedding model.

Opened lazily so commands that need none of them (``rag stage``, an unchanged re-ingest) stay fast,
and shared by ingestion and retrieval so a long-running app loads the model once. Embedded Qdrant
allows one client per folder, so one process should hold one ``Workspace`` per index directory.
"""

from __future__ import annotations

import threading
from pathlib import Path

from rag.config import Settings
from rag.corpus.live_view import LiveView
from rag.corpus.registry import Catalog
from rag.index.edge import EdgeStore
from rag.index.embed import Embedder
from rag.index.lexical import LexicalIndex
from rag.index.qdrant import QdrantClientStore
from rag.index.vectors import VectorStore


class Workspace:
    """Lazily opened index handles for one ``Settings``."""

    def __init__(self, settings: Settings, *, sparse: bool | None = None) -> None:
        self.settings = settings
        self._sparse = sparse
        self._catalog: Catalog | None = None
        self._vectors: VectorStore | None = None
        self._embedder: Embedder | None = None
        self._lexical: LexicalIndex | None = None
        self._lexical_generation: tuple[int, int] | None = None
        self._live: LiveView | None = None
        self._lock = threading.RLock()

    @property
    def catalog(self) -> Catalog:
        with self._lock:
            if self._catalog is None:
                self._catalog = Catalog(self.settings.index_dir / "catalog.sqlite")
            return self._catalog

    @property
    def live(self) -> LiveView:
        """Search's memoised registry reads (documents, chunk rows, liveness), renewed when the registry changes."""
        with self._lock:
            if self._live is None:
                self._live = LiveView(self.catalog)
            return self._live

    @property
    def vectors(self) -> VectorStore:
        """Qdrant server/cluster when RAG_QDRANT_URL is set, else the embedded engine."""
        with self._lock:
            if self._vectors is None:
                if self.settings.qdrant_url is None and self.settings.vector_engine == "edge":
                    self._vectors = EdgeStore(self.settings, sparse=self._sparse)
                else:
                    self._vectors = QdrantClientStore(self.settings, sparse=self._sparse)
            return self._vectors

    @property
    def embedder(self) -> Embedder:
        with self._lock:
            if self._embedder is None:
                self._embedder = Embedder(self.settings.embedder, query_runtime=self.settings.query_runtime,
                                          cache_dir=self.settings.model_cache_dir)
            return self._embedder

    @property
    def uses_sparse_vectors(self) -> bool:
        """True when BM25 lives in Qdrant as sparse vectors (the server/scale-out path)."""
        return self.vectors.sparse

    def lexical(self) -> LexicalIndex | None:
        """The current BM25 generation, reloaded when an ingest in any process has switched it."""
        with self._lock:
            # The generation name is read only when the registry has changed (one pragma per query
            # otherwise); an ingest switches it in a commit, which changes the key.
            generation = self.catalog.generation()
            if self._lexical is not None and generation == self._lexical_generation:
                return self._lexical
            name = self.catalog.get_state("bm25_generation")
            if name is None:
                self._lexical = None
                return None
            if self._lexical is None or self._lexical.directory.name != name:
                self._lexical = LexicalIndex(self.bm25_dir(name))
            self._lexical_generation = generation
            return self._lexical

    def bm25_dir(self, name: str) -> Path:
        return self.settings.index_dir / name

    def require_free_space(self) -> None:
        """Refuse a write (an ingest) when the index's disk is nearly full; see ``Settings.min_free_mb``."""
        import shutil

        from rag.errors import RagError

        folder = self.settings.index_dir
        probe = folder if folder.exists() else next((p for p in folder.parents if p.exists()), Path("."))
        free_mb = shutil.disk_usage(probe).free / 1048576
        if free_mb < self.settings.min_free_mb:
            raise RagError(f"only {free_mb:.0f} MB free under {folder}; an ingest needs at least {self.settings.min_free_mb:g} MB",
                           hint="free some disk space (or set RAG_MIN_FREE_MB); the previous index is unchanged and still serves")

    def close(self) -> None:
        with self._lock:
            if self._vectors is not None:
                self._vectors.close()
            if self._catalog is not None:
                self._catalog.close()
            self._vectors = self._catalog = None
            self._lexical = None
            self._lexical_generation = None
            self._live = None
