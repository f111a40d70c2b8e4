"""The OpenAI-compatible backend driving a real ``python -m llama_cpp.server`` on 127.0.0.1.

Marked ``llm``: CI runs these after scripts/build_llama_cpp.sh. Without llama-cpp-python
they fail, unless RAG_SKIP_LLAMA=1 (then they skip).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from llm_fixtures import LlamaServer

from rag.config import Settings
from rag.errors import BackendUnavailable
from rag.llm import Message, get_backend
from rag.llm.openai import OpenAIBackend

pytestmark = pytest.mark.llm

PROMPT = "Which N category fits three positive nodes?"


@pytest.fixture
def backend(llama_server: LlamaServer) -> Iterator[OpenAIBackend]:
    with OpenAIBackend(llama_server.base_url, llama_server.model, timeout_s=30) as b:
        yield b


def test_complete_returns_generated_text(backend: OpenAIBackend) -> None:
    text = backend.complete([Message("system", "Cite passages."), Message("user", PROMPT)], max_tokens=12)
    assert text.strip()


def test_stream_joins_to_the_completion(backend: OpenAIBackend) -> None:
    pieces = list(backend.stream(PROMPT, max_tokens=10))
    assert len(pieces) > 1
    assert "".join(pieces) == backend.complete(PROMPT, max_tokens=10)


@pytest.mark.parametrize("n", [1, 5])
def test_honours_max_tokens(backend: OpenAIBackend, n: int) -> None:
    # The tiny model never emits end-of-sequence; the server streams one token per event.
    assert len(list(backend.stream(PROMPT, max_tokens=n))) == n


def test_honours_stop(backend: OpenAIBackend) -> None:
    full = backend.complete(PROMPT, max_tokens=20)
    words = full.split()
    assert len(words) >= 4, full
    stop = words[len(words) // 2]
    got = backend.complete(PROMPT, max_tokens=20, stop=[stop])
    assert got == full[: full.index(stop)]


def test_get_backend_from_settings(llama_server: LlamaServer) -> None:
    settings = Settings(llm_backend="openai", llm_base_url=llama_server.base_url, llm_model=llama_server.model)
    backend = get_backend(settings)
    assert isinstance(backend, OpenAIBackend)
    with backend:
        assert backend.complete(PROMPT, max_tokens=3).strip()


def test_prompt_over_the_context_is_a_400_with_the_servers_message(backend: OpenAIBackend) -> None:
    with pytest.raises(BackendUnavailable) as e:
        backend.complete("stage " * 2000, max_tokens=5)
    assert "HTTP 400" in str(e.value)
    assert "context" in str(e.value).lower()


def test_wrong_path_is_a_404_that_points_at_the_base_url(llama_server: LlamaServer) -> None:
    without_v1 = llama_server.base_url.removesuffix("/v1")
    with OpenAIBackend(without_v1, llama_server.model, timeout_s=30) as b, pytest.raises(BackendUnavailable) as e:
        b.complete(PROMPT, max_tokens=3)
    assert "HTTP 404" in str(e.value)
    assert "/v1" in e.value.hint
