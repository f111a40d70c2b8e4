"""In-process llama.cpp backend: a local GGUF model, no server, no network.

Configure with ``RAG_LLM_BACKEND=llamacpp`` and ``RAG_LLM_MODEL=/path/to/model.gguf``; install
with ``pip install '.[llamacpp]'`` (llama-cpp-python compiles llama.cpp; see
``scripts/build_llama_cpp.sh``).

Prompts go through the model's own chat template (``tokenizer.chat_template`` in the GGUF),
because instruction-tuned models answer badly when given a template they were not trained on.
(A GGUF without a template gets llama-cpp-python's fallback, the Llama-2 format; pass
``chat_format=`` to choose another.)
Threads are capped at 2 by default: this runs beside retrieval and the web app on small
machines, and llama.cpp would otherwise take every core.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag.errors import BackendUnavailable
from rag.llm.base import ChatBackend, Message, Prompt, chat_dicts, check_max_tokens, to_messages

if TYPE_CHECKING:
    from rag.config import Settings

__all__ = ["LlamaCppBackend"]

_INSTALL_HINT = "pip install '.[llamacpp]' (or run scripts/build_llama_cpp.sh)"
_GGUF_MAGIC = b"GGUF"


def _check_gguf(path: Path) -> None:
    """Fail with a readable message before llama.cpp sees a file it cannot load."""
    if not path.is_file():
        raise BackendUnavailable(
            f"LLM model file not found: {path}",
            hint="set RAG_LLM_MODEL to the path of a .gguf model file",
        )
    with path.open("rb") as f:
        magic = f.read(4)
    if magic != _GGUF_MAGIC:
        raise BackendUnavailable(
            f"{path} is not a GGUF model file (it starts with {magic!r}, not {_GGUF_MAGIC!r})",
            hint="RAG_LLM_MODEL must point to a llama.cpp .gguf file; convert other formats first",
        )


class LlamaCppBackend(ChatBackend):
    """A GGUF model loaded with llama-cpp-python's ``Llama``; one call at a time."""

    def __init__(
        self,
        model_path: str | Path,
        *,
        n_ctx: int = 4096,
        n_threads: int | None = None,
        chat_format: str | None = None,
        seed: int = 0,
    ) -> None:
        path = Path(model_path).expanduser()
        try:
            from llama_cpp import Llama
        except ImportError as e:
            raise BackendUnavailable(
                f"the llamacpp LLM backend needs llama-cpp-python, which is not installed ({e})",
                hint=_INSTALL_HINT,
            ) from e
        _check_gguf(path)
        threads = n_threads if n_threads is not None else min(2, os.cpu_count() or 1)
        try:
            self._llama = Llama(
                model_path=str(path),
                n_ctx=n_ctx,
                n_threads=threads,
                n_threads_batch=threads,
                chat_format=chat_format,  # None: use the template stored in the GGUF
                seed=seed,
                verbose=False,
            )
        except ValueError as e:  # llama-cpp-python reports every load failure as ValueError
            raise BackendUnavailable(
                f"llama.cpp could not load {path}: {e}",
                hint="the file may be truncated, or its architecture or quantisation may be "
                "newer than this llama-cpp-python; re-download it or upgrade the [llamacpp] extra",
            ) from e
        self.model_path = path
        # Llama keeps one KV cache: concurrent calls would corrupt each other.
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> LlamaCppBackend:
        """The registry entry: ``RAG_LLM_MODEL`` names the GGUF file."""
        if not settings.llm_model:
            raise BackendUnavailable(
                "the llamacpp LLM backend needs a model file",
                hint="set RAG_LLM_MODEL=/path/to/model.gguf",
            )
        return cls(settings.llm_model)

    def close(self) -> None:
        """Free the model's memory now rather than at garbage collection."""
        self._llama.close()

    def _complete(self, prompt: Prompt, max_tokens: int, stop: list[str] | None, temperature: float) -> str:
        """The model's reply to ``prompt``."""
        with self._lock, _context_errors():
            result: Any = self._chat(to_messages(prompt), max_tokens, stop, temperature, stream=False)
        try:
            return str(result["choices"][0]["message"]["content"] or "")
        except (KeyError, IndexError, TypeError) as e:
            raise BackendUnavailable(f"unexpected llama-cpp-python result: {result!r:.200}") from e

    def _stream(self, prompt: Prompt, max_tokens: int, stop: list[str] | None, temperature: float) -> Iterator[str]:
        """The reply as llama.cpp produces it (about one token per piece).

        The model is locked until the stream is exhausted or closed: finish (or ``close()``)
        it before calling this backend again from the same thread.
        """
        messages = to_messages(prompt)
        # The prompt is only tokenized (and checked against the context) on the first next().
        with self._lock, _context_errors():
            chunks: Any = self._chat(messages, max_tokens, stop, temperature, stream=True)
            for chunk in chunks:
                piece = chunk["choices"][0]["delta"].get("content")
                if piece:
                    yield piece

    def _chat(
        self,
        messages: Sequence[Message],
        max_tokens: int,
        stop: list[str] | None,
        temperature: float,
        *,
        stream: bool,
    ) -> Any:
        check_max_tokens(max_tokens)
        return self._llama.create_chat_completion(
            messages=chat_dicts(messages),  # type: ignore[arg-type]
            max_tokens=max_tokens,
            stop=list(stop) if stop else None,
            temperature=temperature,
            stream=stream,
        )


@contextmanager
def _context_errors() -> Iterator[None]:
    """Turn llama-cpp-python's "exceeds context window" ValueError into advice."""
    try:
        yield
    except ValueError as e:
        if "context window" not in str(e):
            raise
        raise BackendUnavailable(
            f"the prompt does not fit the model's context: {e}",
            hint="lower RAG_TOP_K or RAG_CHUNK_CHARS so fewer passages go into the prompt",
        ) from e
