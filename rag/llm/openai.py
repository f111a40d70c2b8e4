"""Backend for any OpenAI-compatible chat server: llama.cpp's server, vLLM, Ollama, OpenAI.

Configure with ``RAG_LLM_BACKEND=openai``, ``RAG_LLM_BASE_URL`` (the URL that ends in ``/v1``,
e.g. ``http://127.0.0.1:8080/v1``), ``RAG_LLM_MODEL`` (the server's model name),
``RAG_LLM_API_KEY`` (only if the server wants one) and ``RAG_LLM_TIMEOUT_S``.

Why plain httpx and not the official ``openai`` package: we use one endpoint
(``POST /chat/completions``, with and without SSE streaming), and we want our own error
messages. httpx is small, well maintained, already installed (qdrant-client depends on it),
and the ``openai`` package is itself a wrapper around httpx that would add pydantic response
models, its own exception tree to translate, and silent retries with back-off (by default a
refused connection is retried twice before the user hears of it). The price is parsing the
JSON and the SSE lines ourselves, which is about forty lines here.

The client talks only to ``RAG_LLM_BASE_URL``: proxy variables from the environment are
ignored (``trust_env=False``) so that a local server is never reached through a proxy,
and redirects are not followed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from rag.errors import BackendUnavailable
from rag.llm.base import ChatBackend, Prompt, chat_dicts, check_max_tokens, to_messages

if TYPE_CHECKING:
    import httpx

    from rag.config import Settings

__all__ = ["OpenAIBackend"]

_INSTALL_HINT = "pip install '.[openai]'"
_CONNECT_TIMEOUT_S = 10.0
_STATUS_HINTS = {
    401: "set RAG_LLM_API_KEY to a valid key",
    403: "set RAG_LLM_API_KEY to a key allowed to use this model",
    404: "check RAG_LLM_BASE_URL (it usually ends in /v1) and RAG_LLM_MODEL",
}


def _server_message(response: httpx.Response) -> str:
    """The error text a server put in its body (OpenAI, FastAPI or plain text)."""
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:300] or response.reason_phrase
    if isinstance(body, dict):
        err = body.get("error")
        if isinstance(err, dict) and err.get("message"):
            return str(err["message"])[:300]
        if isinstance(err, str):
            return err[:300]
        if "detail" in body:  # FastAPI (llama_cpp.server) validation errors
            return json.dumps(body["detail"])[:300]
    return json.dumps(body)[:300]


def _structured_format() -> dict[str, Any]:
    from rag.answer.prompt import ANSWER_RESPONSE_FORMAT

    return ANSWER_RESPONSE_FORMAT


class OpenAIBackend(ChatBackend):
    """Chat completions from an OpenAI-compatible HTTP server."""

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        timeout_s: float = 60.0,
        response_format: dict[str, Any] | None = None,
    ) -> None:
        try:
            import httpx
        except ImportError as e:
            raise BackendUnavailable(
                f"the openai LLM backend needs httpx, which is not installed ({e})",
                hint=_INSTALL_HINT,
            ) from e
        self._httpx = httpx
        self.base_url = base_url.rstrip("/")
        self.model = model
        # Sent with every request when set (structured output: ``rag.answer.prompt.ANSWER_RESPONSE_FORMAT``).
        self.response_format = response_format
        headers = {"Accept": "application/json"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self._client = httpx.Client(
            base_url=self.base_url,
            headers=headers,
            timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, _CONNECT_TIMEOUT_S)),
            trust_env=False,
            follow_redirects=False,
        )
        self._timeout_s = timeout_s

    @classmethod
    def from_settings(cls, settings: Settings) -> OpenAIBackend:
        """The registry entry: needs ``RAG_LLM_BASE_URL`` and ``RAG_LLM_MODEL``."""
        if not settings.llm_base_url:
            raise BackendUnavailable(
                "the openai LLM backend needs a server URL",
                hint="set RAG_LLM_BASE_URL, e.g. http://127.0.0.1:8080/v1",
            )
        if not settings.llm_model:
            raise BackendUnavailable(
                "the openai LLM backend needs a model name",
                hint="set RAG_LLM_MODEL to a model the server serves (GET <base_url>/models lists them)",
            )
        return cls(
            settings.llm_base_url,
            settings.llm_model,
            api_key=settings.llm_api_key,
            timeout_s=settings.llm_timeout_s,
            response_format=_structured_format() if settings.llm_structured else None,
        )

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._client.close()

    def _complete(self, prompt: Prompt, max_tokens: int, stop: list[str] | None, temperature: float) -> str:
        """The server's reply to ``prompt``."""
        body = self._body(prompt, max_tokens, stop, temperature, stream=False)
        with self._request(body) as response:
            response.read()
            try:
                data = response.json()
                content = data["choices"][0]["message"]["content"]
            except (ValueError, KeyError, IndexError, TypeError) as e:
                raise self._malformed(response.text) from e
        if content is None:  # e.g. a tool call or a refusal: no text to give
            return ""
        if not isinstance(content, str):
            raise self._malformed(response.text)
        return content

    def _stream(self, prompt: Prompt, max_tokens: int, stop: list[str] | None, temperature: float) -> Iterator[str]:
        """The reply piece by piece from the server's SSE stream."""
        body = self._body(prompt, max_tokens, stop, temperature, stream=True)
        with self._request(body) as response:
            for line in response.iter_lines():
                piece = self._sse_piece(line)
                if piece is None:
                    return
                if piece:
                    yield piece
        # The stream ended without "data: [DONE]": the server died or cut us off.
        raise BackendUnavailable(
            f"the LLM server at {self.base_url} ended the stream early",
            hint="check the server's log",
        )

    def _body(
        self, prompt: Prompt, max_tokens: int, stop: list[str] | None, temperature: float, *, stream: bool
    ) -> dict[str, Any]:
        check_max_tokens(max_tokens)
        body: dict[str, Any] = {
            "model": self.model,
            "messages": chat_dicts(to_messages(prompt)),
            "max_tokens": max_tokens,
            "temperature": temperature,
            "stream": stream,
        }
        if stop:
            body["stop"] = list(stop)
        if self.response_format:
            body["response_format"] = self.response_format
        return body

    @contextmanager
    def _request(self, body: dict[str, Any]) -> Iterator[httpx.Response]:
        """POST one chat request; transport and HTTP failures become ``BackendUnavailable``.

        The ``except`` clauses also cover the caller's reads inside the ``with`` block, so a
        read timeout in the middle of a stream gets the same message as one before it.
        """
        httpx = self._httpx
        url = f"{self.base_url}/chat/completions"
        try:
            with self._client.stream("POST", "/chat/completions", json=body) as response:
                if response.status_code >= 400:
                    response.read()
                    raise BackendUnavailable(
                        f"the LLM server at {url} answered HTTP {response.status_code}: {_server_message(response)}",
                        hint=_STATUS_HINTS.get(response.status_code, "check RAG_LLM_MODEL and the server's log"),
                    )
                yield response
        except httpx.ConnectError as e:
            raise BackendUnavailable(
                f"cannot connect to the LLM server at {self.base_url} ({e})",
                hint="start the server (e.g. `python -m llama_cpp.server --model MODEL.gguf "
                f"--port PORT`) or fix RAG_LLM_BASE_URL (now {self.base_url})",
            ) from e
        except httpx.TimeoutException as e:
            raise BackendUnavailable(
                f"the LLM server at {self.base_url} did not answer within {self._timeout_s:g} s",
                hint="raise RAG_LLM_TIMEOUT_S, use a smaller model, or check that the server is not stuck",
            ) from e
        except httpx.TransportError as e:
            raise BackendUnavailable(
                f"the request to the LLM server at {url} failed ({type(e).__name__}: {e})",
                hint="check that the server is running and its log for errors",
            ) from e

    def _sse_piece(self, line: str) -> str | None:
        """Text from one SSE line; ``None`` at ``[DONE]``; "" for lines without text."""
        if not line.startswith("data:"):
            return ""  # blank separators, comments (": ping") and event/id fields
        data = line[5:].strip()
        if data == "[DONE]":
            return None
        try:
            event = json.loads(data)
        except ValueError as e:
            raise self._malformed(data) from e
        if isinstance(event, dict) and "error" in event:
            err = event["error"]
            msg = err.get("message", err) if isinstance(err, dict) else err
            raise BackendUnavailable(
                f"the LLM server at {self.base_url} failed mid-answer: {msg}",
                hint="check the server's log",
            )
        try:
            choices = event["choices"]
            if not choices:  # e.g. a final usage-only event
                return ""
            piece = choices[0].get("delta", {}).get("content")
        except (KeyError, IndexError, TypeError, AttributeError) as e:
            raise self._malformed(data) from e
        if piece is not None and not isinstance(piece, str):
            raise self._malformed(data)
        return piece or ""

    def _malformed(self, text: str) -> BackendUnavailable:
        return BackendUnavailable(
            f"the LLM server at {self.base_url} sent a response that is not an OpenAI chat "
            f"completion: {text.strip()[:200]!r}",
            hint="check that RAG_LLM_BASE_URL points to an OpenAI-compatible API (it usually ends in /v1)",
        )
