"""One ``Settings`` object, built by the CLI or the app and passed down.

Nothing else in the package reads ``os.environ``.
"""

from __future__ import annotations

import os
from hashlib import sha1
from pathlib import Path

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from rag.errors import InvalidInput

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
    # Folders (os.pathsep-separated) besides corpora_dir from which `rag serve` and the web app accept
    # ingest requests. A request for any other path is refused: the server must never read back
    # arbitrary files of the machine through /search.
    ingest_roots: str = ""
    # Largest file ingest reads: parsing and chunking hold the whole text in memory (a 50 MB text
    # file took >150 s and 1.5 GB), and no guideline document comes near this.
    max_file_mb: float = Field(20.0, gt=0, le=2048)
    # An ingest refuses to start with less free space than this under index_dir: on a full disk the
    # embedded vector engine's memory-mapped writes die of SIGBUS (no Python error to catch), so the
    # only safe answer is not to begin. The previous index keeps serving either way.
    min_free_mb: float = Field(200.0, ge=0)
    # How long `rag serve` waits for a request body before answering 400 (a client that announces
    # more bytes than it sends must not hold a thread forever).
    server_read_timeout_s: float = Field(10.0, gt=0, le=600)
    # Where `rag eval` writes runs when --out is not given, and where the web app's Evaluation page
    # reads the newest run of each kind; None = <index_dir>/eval (rag.eval.location).
    eval_dir: Path | None = None

    @field_validator("index_dir")
    @classmethod
    def _index_dir_is_a_folder(cls, value: Path) -> Path:
        if value.exists() and not value.is_dir():
            raise ValueError(f"{value} exists and is not a folder")
        return value

    @field_validator("qdrant_url")
    @classmethod
    def _qdrant_url_is_http(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        from urllib.parse import urlsplit

        try:
            parts = urlsplit(value.strip())
            parts.port  # noqa: B018 - raises ValueError for a port that is not a number
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a URL ({exc})") from exc
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{value!r} is not an http(s) URL such as http://127.0.0.1:6333")
        return value.strip()

    def allowed_ingest_roots(self) -> tuple[Path, ...]:
        """The resolved folders a server may ingest from: the corpora folder plus ``ingest_roots``."""
        roots = [self.corpora_dir] + [Path(p) for p in self.ingest_roots.split(os.pathsep) if p.strip()]
        return tuple(dict.fromkeys(r.expanduser().resolve() for r in roots))

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    def collection(self) -> str:
        """The Qdrant collection name, derived from what changes the vectors."""
        digest = sha1(f"{self.embedder}|{self.chunk_chars}".encode()).hexdigest()[:8]
        return f"rag_{digest}"

    @property
    def qdrant_path(self) -> Path:
        return self.index_dir / "qdrant"


def load_settings(**overrides: object) -> Settings:
    """``Settings()`` from the environment, with a bad ``RAG_*`` value reported as one line (exit 2).

    Why: pydantic's ValidationError is a multi-line traceback-like dump; the contract asks for one
    line naming the variable and the fix.
    """
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise InvalidInput(settings_error_message(exc), hint="fix or unset the variable") from exc


def settings_error_message(exc: ValidationError) -> str:
    """One line per problem, joined: ``RAG_TOP_K='abc': Input should be a valid integer``."""
    problems = []
    for error in exc.errors():
        name = "RAG_" + "_".join(str(part) for part in error.get("loc", ())).upper()
        value = error.get("input")
        shown = f"={value!r}" if isinstance(value, (str, int, float)) and len(repr(value)) <= 80 else ""
        message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
        problems.append(f"{name}{shown}: {message}")
    return "invalid setting " + "; ".join(problems)
