"""One ``Settings`` object, built by the CLI or the app and passed down.

Nothing else in the package reads ``os.environ``.
"""

from __future__ import annotations

import os
from hashlib import sha1
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_EMBEDDER = "all-MiniLM-L6-v2"


def _user_cache() -> Path:
    """The per-user cache folder (XDG), for artefacts shared by every index: the exported query model."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")


class Settings(BaseSettings):
    """Runtime settings; every field can be set as ``RAG_<NAME>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="RAG_", extra="ignore")

    index_dir: Path = Path("indexes")
    corpora_dir: Path = Path("corpora")
    qdrant_url: str | None = None  # a Qdrant server or cluster; None = embedded on-disk mode
    qdrant_api_key: str | None = None
    # Embedded engine when no URL is set: "edge" (qdrant-edge, the Qdrant engine in-process; default)
    # or "local" (qdrant-client's pure-Python local mode; ~100x slower at 20k points, see bench/README.md).
    vector_engine: str = Field("edge", pattern="^(edge|local)$")
    embedder: str = DEFAULT_EMBEDDER
    # Queries are embedded on ONNX Runtime ("onnx", ~3x faster than torch for one query, same vectors)
    # from a graph exported once into model_cache_dir; "torch" skips the export.
    query_runtime: str = Field("onnx", pattern="^(onnx|torch)$")
    model_cache_dir: Path = Field(default_factory=lambda: _user_cache() / "oncology-rag" / "models")
    chunk_chars: int = Field(900, ge=200, description="target prose chunk size (MiniLM reads 256 word pieces)")
    top_k: int = Field(8, ge=1)
    candidates: int = Field(50, ge=1, description="per-retriever depth before fusion")
    # How hybrid search fuses BM25 and dense: "convex" mixes min-max normalised scores (default), "rrf"
    # uses ranks only. Measured (bench/fusion.py; MedQuAD->88 PDQ docs, and English gold top-3 rule hits):
    # convex, dense share 0.6: recall@5 0.986, MRR 0.959, gold 0.751; RRF k=60 with dense weight 0.7:
    # 0.973, 0.945, 0.743 (dense alone 0.986 / 0.953 / 0.640; BM25 0.975 / 0.927 / 0.713). Dense shares
    # 0.55-0.7 all beat dense alone on MRR in both halves of MedQuAD; 0.6 sits inside that plateau.
    fusion: str = Field("convex", pattern="^(convex|rrf)$")
    dense_share: float = Field(0.6, ge=0, le=1, description="convex fusion: the dense side's share")
    rrf_k: int = Field(60, ge=1)
    # Added to a hybrid candidate's fused score (0-1) when a range it states holds the query's size,
    # node count or points (rag.retrieval.quantity); 0 turns it off. Measured in bench/gold_misses.py.
    quantity_lift: float = Field(0.2, ge=0)
    dense_weight: float = Field(0.7, ge=0, description="rrf fusion: the dense ranking's weight (BM25 has 1)")
    llm_backend: str = "extractive"
    llm_model: str | None = None  # path to a GGUF file (llamacpp) or a model name (openai)
    llm_base_url: str | None = None
    llm_api_key: str | None = None
    llm_timeout_s: float = Field(60.0, gt=0)
    # openai backend: ask the server for JSON {sentences: [{text, sources}]} (response_format json_schema;
    # vLLM, llama.cpp server and Ollama support it). The reply is parsed and verified like plain text.
    llm_structured: bool = False
    # The web app's librarian role (Library view, /api/admin/*); off unless both are set. The app keeps
    # only a salted scrypt hash of the password (rag.web.auth).
    admin_user: str | None = None
    admin_password: SecretStr | None = None

    def collection(self) -> str:
        """The Qdrant collection name, derived from what changes the vectors."""
        digest = sha1(f"{self.embedder}|{self.chunk_chars}".encode()).hexdigest()[:8]
        return f"rag_{digest}"

    @property
    def qdrant_path(self) -> Path:
        return self.index_dir / "qdrant"
