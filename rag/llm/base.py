"""The LLM backend interface, the backend registry and a scripted fake backend.

Why a Protocol and a registry (STYLE §8): the answer pipeline only needs "text in, text out",
so any object with ``complete`` and ``stream`` will do. Backends are looked up by the name in
``Settings.llm_backend``; each registry entry imports its vendor package only when it is used,
so ``import rag`` never needs llama-cpp-python or an HTTP client, and a missing extra becomes a
``BackendUnavailable`` that says which extra to install.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol, Self, runtime_checkable

from rag.errors import BackendUnavailable

if TYPE_CHECKING:
    from rag.config import Settings

__all__ = [
    "BACKENDS",
    "BackendName",
    "ChatBackend",
    "FakeBackend",
    "LLMBackend",
    "Message",
    "Prompt",
    "chat_dicts",
    "check_max_tokens",
    "get_backend",
    "to_messages",
    "truncate_at_stop",
]

Role = Literal["system", "user", "assistant"]
_ROLES: frozenset[str] = frozenset({"system", "user", "assistant"})


@dataclass(frozen=True)
class Message:
    """One chat turn; backends render a list of these with the model's chat template."""

    role: Role
    content: str

    def __post_init__(self) -> None:
        if self.role not in _ROLES:
            raise ValueError(f"unknown chat role {self.role!r}; expected one of {sorted(_ROLES)}")


Prompt = str | Sequence[Message]


def to_messages(prompt: Prompt) -> list[Message]:
    """A plain string is one user turn; a message list is used as given."""
    if isinstance(prompt, str):
        return [Message("user", prompt)]
    messages = list(prompt)
    if not messages:
        raise ValueError("a prompt needs at least one message")
    return messages


def chat_dicts(messages: Iterable[Message]) -> list[dict[str, str]]:
    """Messages in the ``{"role", "content"}`` form that chat-completion APIs take."""
    return [{"role": m.role, "content": m.content} for m in messages]


def check_max_tokens(max_tokens: int) -> None:
    """Reject a request for no output before any backend does work for it."""
    if max_tokens < 1:
        raise ValueError("max_tokens must be at least 1")


def truncate_at_stop(text: str, stop: Sequence[str] | None) -> str:
    """Cut ``text`` before the earliest stop string, as OpenAI-style servers do."""
    cut = len(text)
    for s in stop or ():
        if s and (i := text.find(s)) != -1:
            cut = min(cut, i)
    return text[:cut]


@runtime_checkable
class LLMBackend(Protocol):
    """Anything that turns a prompt into text.

    ``max_tokens`` bounds the generated tokens; generation ends before the first ``stop``
    string, which is not included in the output. ``temperature=0.0`` asks for greedy,
    repeatable output (the default, because answers must be reproducible).
    """

    def complete(
        self,
        prompt: Prompt,
        *,
        max_tokens: int,
        stop: list[str] | None = None,
        temperature: float = 0.0,
    ) -> str:
        """Return the whole completion."""
        ...

    def stream(
        self,
        prompt: Prompt,
        *,
        max_tokens: int,
        stop: list[str] | None = None,
        temperature: float = 0.0,
    ) -> Iterator[str]:
        """Yield the completion in pieces as the model produces them."""
        ...


class ChatBackend:
    """The public half of a backend, written once: ``complete``/``stream`` and ``with`` support.

    Why a base class beside the Protocol: every backend takes the same keyword-only arguments,
    so subclasses implement only ``_complete`` and ``_stream`` (positional, same meaning) and
    ``close``. ``stream`` returns whatever ``_stream`` returns, so a generator ``_stream`` stays
    lazy (nothing is checked or sent before the first ``next()``) and a plain function's checks
    run at call time.
    """

    def complete(
        self,
        prompt: Prompt,
        *,
        max_tokens: int,
        stop: list[str] | None = None,
        temperature: float = 0.0,
    ) -> str:
        """Return the whole completion."""
        return self._complete(prompt, max_tokens, stop, temperature)

    def stream(
        self,
        prompt: Prompt,
        *,
        max_tokens: int,
        stop: list[str] | None = None,
        temperature: float = 0.0,
    ) -> Iterator[str]:
        """Yield the completion in pieces as the model produces them."""
        return self._stream(prompt, max_tokens, stop, temperature)

    def _complete(self, prompt: Prompt, max_tokens: int, stop: list[str] | None, temperature: float) -> str:
        raise NotImplementedError

    def _stream(self, prompt: Prompt, max_tokens: int, stop: list[str] | None, temperature: float) -> Iterator[str]:
        raise NotImplementedError

    def close(self) -> None:
        """Release what the backend holds (nothing, unless a subclass says otherwise)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class FakeBackend(ChatBackend):
    """Returns scripted text, for tests of the answer pipeline (never for real answers).

    Each call returns the next scripted response (the last one repeats). ``max_tokens``
    counts whitespace-separated words and ``stop`` is honoured, so callers that depend on
    either behave as they would with a model. Every prompt is recorded in ``prompts``.
    """

    DEFAULT_RESPONSE = "This is a scripted answer from the fake LLM backend."

    def __init__(self, responses: str | Sequence[str] = DEFAULT_RESPONSE) -> None:
        self._responses = [responses] if isinstance(responses, str) else list(responses)
        if not self._responses:
            raise ValueError("FakeBackend needs at least one scripted response")
        self._next = 0
        self.prompts: list[list[Message]] = []

    @classmethod
    def from_settings(cls, settings: Settings) -> FakeBackend:
        """The registry entry: settings carry nothing a fake needs."""
        return cls()

    def _complete(self, prompt: Prompt, max_tokens: int, stop: list[str] | None, temperature: float) -> str:
        """The next scripted response, cut at ``stop`` and ``max_tokens`` words."""
        return "".join(self._stream(prompt, max_tokens, stop, temperature))

    def _stream(self, prompt: Prompt, max_tokens: int, stop: list[str] | None, temperature: float) -> Iterator[str]:
        """The next scripted response word by word (checked now, not at the first ``next()``)."""
        check_max_tokens(max_tokens)
        self.prompts.append(to_messages(prompt))
        text = self._responses[min(self._next, len(self._responses) - 1)]
        self._next += 1
        text = truncate_at_stop(text, stop)
        # Keep each word with its leading whitespace so that "".join(pieces) == the text.
        pieces: list[str] = []
        for word in text.split(" "):
            pieces.append(word if not pieces else " " + word)
        return iter(pieces[:max_tokens] if text else [])


BackendFactory = Callable[["Settings"], LLMBackend]
BackendName = Literal["extractive", "fake", "llamacpp", "openai"]  # RAG_LLM_BACKEND values


def _lazy(module: str, attr: str) -> BackendFactory:
    """A factory that imports ``module`` only when the backend is asked for."""

    def factory(settings: Settings) -> LLMBackend:
        backend_cls = getattr(importlib.import_module(module), attr)
        backend: LLMBackend = backend_cls.from_settings(settings)
        return backend

    factory.__qualname__ = f"lazy({module}.{attr})"
    return factory


BACKENDS: dict[BackendName, BackendFactory] = {
    "extractive": _lazy("rag.llm.extractive", "ExtractiveBackend"),
    "fake": FakeBackend.from_settings,
    "llamacpp": _lazy("rag.llm.llamacpp", "LlamaCppBackend"),
    "openai": _lazy("rag.llm.openai", "OpenAIBackend"),
}


def get_backend(settings: Settings, name: str | None = None) -> LLMBackend:
    """Build the backend named ``name`` (default: ``settings.llm_backend``).

    Raises ``BackendUnavailable`` whose hint names the fix: the extra to install, the
    setting to give, or the server to start.
    """
    chosen = name or settings.llm_backend
    if chosen not in BACKENDS:  # narrows the name to a BackendName
        raise BackendUnavailable(
            f"unknown LLM backend {chosen!r}",
            hint=f"set RAG_LLM_BACKEND to one of: {', '.join(sorted(BACKENDS))}",
        )
    return BACKENDS[chosen](settings)
