"""The backend registry, its error messages, and the scripted fake backend."""

from __future__ import annotations

import sys
from typing import Any

import pytest

import rag.llm
import rag.llm.base as base
from rag.config import Settings
from rag.errors import BackendUnavailable, RagError
from rag.llm import BACKENDS, FakeBackend, LLMBackend, Message, get_backend, to_messages


def _settings(**kw: Any) -> Settings:
    # Give every llm_* field: keywords beat the environment, so a developer's RAG_LLM_*
    # variables cannot change what these tests see.
    fields: dict[str, Any] = {
        "llm_backend": "extractive",
        "llm_model": None,
        "llm_base_url": None,
        "llm_api_key": None,
    }
    return Settings(**(fields | kw))


def test_public_api_is_listed() -> None:
    assert set(rag.llm.__all__) == {
        "BACKENDS",
        "FakeBackend",
        "LLMBackend",
        "Message",
        "get_backend",
        "to_messages",
    }
    for name in rag.llm.__all__:
        assert hasattr(rag.llm, name)


def test_registry_names_the_model_backends() -> None:
    assert {"fake", "llamacpp", "openai"} <= set(BACKENDS)


def test_fake_is_chosen_by_settings_and_satisfies_the_protocol() -> None:
    backend = get_backend(_settings(llm_backend="fake"))
    assert isinstance(backend, FakeBackend)
    assert isinstance(backend, LLMBackend)


def test_explicit_name_overrides_settings() -> None:
    assert isinstance(get_backend(_settings(llm_backend="llamacpp"), "fake"), FakeBackend)


def test_unknown_backend_lists_the_known_ones() -> None:
    with pytest.raises(BackendUnavailable) as e:
        get_backend(_settings(llm_backend="gpt5"))
    assert "'gpt5'" in str(e.value)
    for name in ("fake", "llamacpp", "openai"):
        assert name in e.value.hint
    assert isinstance(e.value, RagError)


@pytest.mark.parametrize(
    ("settings", "fix"),
    [
        ({"llm_backend": "llamacpp"}, "RAG_LLM_MODEL"),
        ({"llm_backend": "openai", "llm_model": "m"}, "RAG_LLM_BASE_URL"),
        ({"llm_backend": "openai", "llm_base_url": "http://127.0.0.1:9/v1"}, "RAG_LLM_MODEL"),
    ],
)
def test_missing_setting_names_the_variable(
    settings: dict[str, str], fix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # must fail on the setting, not the import
    with pytest.raises(BackendUnavailable) as e:
        get_backend(_settings(**settings))
    assert fix in e.value.user_message()


@pytest.mark.parametrize(
    ("module", "name", "extra"), [("llama_cpp", "llamacpp", "llamacpp"), ("httpx", "openai", "openai")]
)
def test_missing_extra_names_the_pip_command(
    module: str, name: str, extra: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # makes `import module` raise ImportError
    settings = _settings(llm_backend=name, llm_model="/nonexistent/m.gguf", llm_base_url="http://127.0.0.1:9/v1")
    with pytest.raises(BackendUnavailable) as e:
        get_backend(settings)
    assert f"pip install '.[{extra}]'" in e.value.hint


def test_message_rejects_unknown_roles() -> None:
    with pytest.raises(ValueError, match="tool"):
        Message("tool", "x")  # type: ignore[arg-type]


def test_to_messages_wraps_a_string_as_one_user_turn() -> None:
    assert to_messages("hi") == [Message("user", "hi")]
    turns = [Message("system", "s"), Message("user", "u")]
    assert to_messages(turns) == turns
    with pytest.raises(ValueError):
        to_messages([])


@pytest.mark.parametrize(
    ("text", "stop", "expected"),
    [
        ("a b c", None, "a b c"),
        ("a b c", [], "a b c"),
        ("a b c", ["b"], "a "),
        ("a b c", ["c", "b"], "a "),  # the earliest occurrence wins, not the first listed
        ("a b c", ["x"], "a b c"),
        ("a b c", [""], "a b c"),
        ("stop", ["stop"], ""),
    ],
)
def test_truncate_at_stop(text: str, stop: list[str] | None, expected: str) -> None:
    assert base.truncate_at_stop(text, stop) == expected


def test_fake_returns_scripted_responses_in_order_then_repeats_the_last() -> None:
    fake = FakeBackend(["first answer", "second answer"])
    got = [fake.complete(f"q{i}", max_tokens=50) for i in range(3)]
    assert got == ["first answer", "second answer", "second answer"]
    assert [p[0].content for p in fake.prompts] == ["q0", "q1", "q2"]


def test_fake_honours_max_tokens_stop_and_streams_the_same_text() -> None:
    text = "alpha beta gamma delta epsilon"
    assert FakeBackend(text).complete("q", max_tokens=2) == "alpha beta"
    assert FakeBackend(text).complete("q", max_tokens=9, stop=["gamma"]) == "alpha beta "
    pieces = list(FakeBackend(text).stream("q", max_tokens=9))
    assert len(pieces) == 5
    assert "".join(pieces) == text
    with pytest.raises(ValueError):
        FakeBackend(text).complete("q", max_tokens=0)


def test_fake_records_message_prompts() -> None:
    fake = FakeBackend("x")
    fake.complete([Message("system", "be brief"), Message("user", "q")], max_tokens=5)
    assert fake.prompts == [[Message("system", "be brief"), Message("user", "q")]]
