"""The in-process llama.cpp backend running a tiny generated GGUF model for real.

Marked ``llm``: CI runs these after scripts/build_llama_cpp.sh. Without llama-cpp-python
they fail, unless RAG_SKIP_LLAMA=1 (then they skip).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from llm_fixtures import TINY_CHAT_TEMPLATE, require_llama_cpp

from rag.config import Settings
from rag.errors import BackendUnavailable
from rag.llm import LLMBackend, Message, get_backend
from rag.llm.llamacpp import LlamaCppBackend

pytestmark = pytest.mark.llm

PROMPT = "What is the stage of a 2 cm tumor?"


@pytest.fixture(scope="module")
def backend(tiny_gguf: Path) -> Iterator[LlamaCppBackend]:
    with LlamaCppBackend(tiny_gguf, n_ctx=512) as b:
        yield b


def test_tiny_model_carries_its_chat_template(backend: LlamaCppBackend) -> None:
    meta = backend._llama.metadata
    assert meta["tokenizer.chat_template"] == TINY_CHAT_TEMPLATE
    assert meta["general.architecture"] == "llama"


def test_prompt_is_rendered_with_the_models_chat_template(backend: LlamaCppBackend) -> None:
    # The chat handler llama-cpp-python built from the GGUF's template must be the one used:
    # changing only the system turn changes the tokens the model sees, hence its output.
    a = backend.complete([Message("system", "alpha"), Message("user", PROMPT)], max_tokens=12)
    b = backend.complete([Message("system", "omega"), Message("user", PROMPT)], max_tokens=12)
    assert a != b


def test_generates_text(backend: LlamaCppBackend) -> None:
    text = backend.complete(PROMPT, max_tokens=16)
    assert isinstance(backend, LLMBackend)
    assert text.strip()


def test_greedy_output_is_repeatable(backend: LlamaCppBackend) -> None:
    assert backend.complete(PROMPT, max_tokens=12) == backend.complete(PROMPT, max_tokens=12)


@pytest.mark.parametrize("n", [1, 3, 8])
def test_honours_max_tokens(backend: LlamaCppBackend, n: int) -> None:
    # The tiny model never emits end-of-sequence, so it stops exactly at max_tokens;
    # streamed pieces are one token each.
    pieces = list(backend.stream(PROMPT, max_tokens=n))
    assert len(pieces) == n
    longer = backend.complete(PROMPT, max_tokens=n + 6)
    assert longer.startswith("".join(pieces)) and len(longer) > len("".join(pieces))


def test_stream_joins_to_the_completion(backend: LlamaCppBackend) -> None:
    pieces = list(backend.stream(PROMPT, max_tokens=10))
    assert len(pieces) > 1
    assert "".join(pieces) == backend.complete(PROMPT, max_tokens=10)


@pytest.mark.parametrize("streaming", [False, True])
def test_honours_stop(backend: LlamaCppBackend, streaming: bool) -> None:
    full = backend.complete(PROMPT, max_tokens=20)
    words = full.split()
    assert len(words) >= 4, full
    stop = words[len(words) // 2]  # a word from the middle of what the model would say
    expected = full[: full.index(stop)]
    if streaming:
        got = "".join(backend.stream(PROMPT, max_tokens=20, stop=[stop]))
    else:
        got = backend.complete(PROMPT, max_tokens=20, stop=[stop])
    assert got == expected
    assert stop not in got


def test_prompt_longer_than_context_is_a_clear_error(tiny_gguf: Path) -> None:
    with LlamaCppBackend(tiny_gguf, n_ctx=32) as small:
        for call in (small.complete, lambda *a, **k: "".join(small.stream(*a, **k))):
            with pytest.raises(BackendUnavailable, match="context") as e:
                call("stage " * 100, max_tokens=4)
            assert "RAG_TOP_K" in e.value.hint


def test_get_backend_loads_the_model_named_in_settings(tiny_gguf: Path) -> None:
    b = get_backend(Settings(llm_backend="llamacpp", llm_model=str(tiny_gguf)))
    assert isinstance(b, LlamaCppBackend)
    with b:
        assert b.complete(PROMPT, max_tokens=4).strip()


def test_missing_model_file_names_the_path(tmp_path: Path) -> None:
    require_llama_cpp()
    path = tmp_path / "absent.gguf"
    with pytest.raises(BackendUnavailable) as e:
        LlamaCppBackend(path)
    assert str(path) in str(e.value)
    assert "RAG_LLM_MODEL" in e.value.hint


def test_file_that_is_not_gguf_is_refused(tmp_path: Path) -> None:
    require_llama_cpp()
    path = tmp_path / "model.safetensors"
    path.write_bytes(b"\x00" * 64)
    with pytest.raises(BackendUnavailable, match="not a GGUF model file"):
        LlamaCppBackend(path)


def test_truncated_gguf_is_refused(tiny_gguf: Path, tmp_path: Path) -> None:
    path = tmp_path / "truncated.gguf"
    path.write_bytes(tiny_gguf.read_bytes()[: tiny_gguf.stat().st_size // 2])
    with pytest.raises(BackendUnavailable, match="could not load") as e:
        LlamaCppBackend(path)
    assert "truncated" in e.value.hint
