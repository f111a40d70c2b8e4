"""The OpenAI-compatible backend against scripted 127.0.0.1 servers (no llama.cpp needed).

The same backend against a real llama.cpp server is in test_llm_openai_server.py.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
from llm_fixtures import Handler, StubServer, free_port, send

from rag.config import Settings
from rag.errors import BackendUnavailable
from rag.llm import Message, get_backend
from rag.llm.openai import OpenAIBackend

StartStub = Callable[[Handler], StubServer]


def _chat_json(content: Any) -> bytes:
    return json.dumps({"choices": [{"index": 0, "message": {"role": "assistant", "content": content}}]}).encode()


def _sse(*events: str) -> bytes:
    return b"".join(f"data: {e}\n\n".encode() for e in events)


def _delta(text: str) -> str:
    return json.dumps({"choices": [{"index": 0, "delta": {"content": text}}]})


_OPEN: list[OpenAIBackend] = []


def _backend(url: str, **kw: Any) -> OpenAIBackend:
    _OPEN.append(b := OpenAIBackend(url, "stub-model", **kw))
    return b


@pytest.fixture(autouse=True)
def _close_backends() -> Iterator[None]:
    yield
    while _OPEN:
        _OPEN.pop().close()


def test_complete_sends_an_openai_chat_request(stub_server: StartStub) -> None:
    srv = stub_server(lambda h, body: send(h, 200, _chat_json("Stage IIA [p1]"), "application/json"))
    backend = _backend(srv.base_url, api_key="k")
    prompt = [Message("system", "cite passages"), Message("user", "stage?")]
    assert backend.complete(prompt, max_tokens=7, stop=["\n\n"], temperature=0.2) == "Stage IIA [p1]"
    assert srv.requests == [
        {
            "model": "stub-model",
            "messages": [{"role": "system", "content": "cite passages"}, {"role": "user", "content": "stage?"}],
            "max_tokens": 7,
            "temperature": 0.2,
            "stream": False,
            "stop": ["\n\n"],
        }
    ]


def test_api_key_is_sent_as_bearer_token(stub_server: StartStub) -> None:
    seen: list[str | None] = []

    def handle(h: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
        seen.append(h.headers.get("Authorization"))
        send(h, 200, _chat_json("ok"), "application/json")

    srv = stub_server(handle)
    _backend(srv.base_url, api_key="sekret").complete("q", max_tokens=1)
    _backend(srv.base_url).complete("q", max_tokens=1)
    assert seen == ["Bearer sekret", None]


def test_stream_yields_sse_deltas_until_done(stub_server: StartStub) -> None:
    role_only = json.dumps({"choices": [{"index": 0, "delta": {"role": "assistant"}}]})
    usage_only = json.dumps({"choices": [], "usage": {"completion_tokens": 3}})
    body = b": keep-alive\n\n" + _sse(role_only, _delta("Stage"), _delta(" IIA"), _delta(""), usage_only, "[DONE]")
    srv = stub_server(lambda h, b: send(h, 200, body, "text/event-stream"))
    assert list(_backend(srv.base_url).stream("q", max_tokens=5)) == ["Stage", " IIA"]
    assert srv.requests[0]["stream"] is True


def test_from_settings_uses_url_model_key_and_timeout(stub_server: StartStub) -> None:
    srv = stub_server(lambda h, b: send(h, 200, _chat_json("hello"), "application/json"))
    settings = Settings(llm_backend="openai", llm_base_url=srv.base_url + "/", llm_model="m1", llm_timeout_s=3)
    backend = get_backend(settings)
    assert isinstance(backend, OpenAIBackend)
    with backend:
        assert backend.complete("q", max_tokens=3) == "hello"
    assert srv.requests[0]["model"] == "m1"


def test_connection_refused_names_the_url_and_says_to_start_the_server() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(BackendUnavailable) as e:
        _backend(url).complete("q", max_tokens=5)
    assert url in str(e.value)
    assert "start the server" in e.value.hint


@pytest.mark.parametrize("streaming", [False, True])
def test_slow_server_times_out_with_a_clear_message(stub_server: StartStub, streaming: bool) -> None:
    def slow(h: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
        time.sleep(1.5)
        send(h, 200, _chat_json("late"), "application/json")

    srv = stub_server(slow)
    backend = _backend(srv.base_url, timeout_s=0.3)
    start = time.monotonic()
    with pytest.raises(BackendUnavailable) as e:
        if streaming:
            list(backend.stream("q", max_tokens=5))
        else:
            backend.complete("q", max_tokens=5)
    assert time.monotonic() - start < 1.2
    assert "did not answer within 0.3 s" in str(e.value)
    assert "RAG_LLM_TIMEOUT_S" in e.value.hint


def test_stream_that_stalls_midway_times_out(stub_server: StartStub) -> None:
    def stall(h: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/event-stream")
        h.end_headers()
        h.wfile.write(_sse(_delta("Stage")))
        h.wfile.flush()
        time.sleep(1.5)

    srv = stub_server(stall)
    pieces: list[str] = []
    with pytest.raises(BackendUnavailable, match="did not answer within"):
        for piece in _backend(srv.base_url, timeout_s=0.3).stream("q", max_tokens=5):
            pieces.append(piece)
    assert pieces == ["Stage"]


@pytest.mark.parametrize(
    ("status", "body", "server_says", "hint_says"),
    [
        (
            404,
            {"error": {"message": "model 'x' not found", "type": "invalid_request_error"}},
            "model 'x' not found",
            "/v1",
        ),
        (400, {"error": {"message": "max_tokens too large"}}, "max_tokens too large", "server's log"),
        (401, {"error": "invalid api key"}, "invalid api key", "RAG_LLM_API_KEY"),
        (422, {"detail": [{"loc": ["body", "temperature"], "msg": "bad"}]}, "temperature", "server's log"),
        (500, "internal explosion", "internal explosion", "server's log"),
        (503, "", "Service Unavailable", "server's log"),
    ],
)
def test_http_errors_carry_status_and_server_message(
    stub_server: StartStub, status: int, body: Any, server_says: str, hint_says: str
) -> None:
    raw = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    srv = stub_server(
        lambda h, b: send(h, status, raw, "application/json" if not isinstance(body, str) else "text/plain")
    )
    for call in ("complete", "stream"):
        backend = _backend(srv.base_url)
        with pytest.raises(BackendUnavailable) as e:
            if call == "complete":
                backend.complete("q", max_tokens=5)
            else:
                list(backend.stream("q", max_tokens=5))
        assert f"HTTP {status}" in str(e.value)
        assert server_says in str(e.value)
        assert hint_says in e.value.hint


@pytest.mark.parametrize(
    "body",
    [
        b"<html>not json</html>",
        b'{"object": "list", "data": []}',
        b'{"choices": []}',
        b'{"choices": [{"message": {"content": 42}}]}',
    ],
)
def test_malformed_complete_response_is_reported(stub_server: StartStub, body: bytes) -> None:
    srv = stub_server(lambda h, b: send(h, 200, body, "application/json"))
    with pytest.raises(BackendUnavailable, match="not an OpenAI chat completion") as e:
        _backend(srv.base_url).complete("q", max_tokens=5)
    assert "/v1" in e.value.hint


def test_null_content_is_an_empty_answer(stub_server: StartStub) -> None:
    srv = stub_server(lambda h, b: send(h, 200, _chat_json(None), "application/json"))
    assert _backend(srv.base_url).complete("q", max_tokens=5) == ""


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (_sse("{not json"), "not an OpenAI chat completion"),
        (_sse(json.dumps({"object": "chunk"})), "not an OpenAI chat completion"),
        (_sse(json.dumps({"choices": [{"delta": {"content": 7}}]})), "not an OpenAI chat completion"),
        (_sse(_delta("a"), json.dumps({"error": {"message": "out of memory"}})), "failed mid-answer: out of memory"),
        (_sse(_delta("a")), "ended the stream early"),
    ],
)
def test_malformed_or_broken_streams_are_reported(stub_server: StartStub, body: bytes, match: str) -> None:
    srv = stub_server(lambda h, b: send(h, 200, body, "text/event-stream"))
    with pytest.raises(BackendUnavailable, match=match):
        list(_backend(srv.base_url).stream("q", max_tokens=5))


def test_max_tokens_below_one_is_refused_before_any_request() -> None:
    with pytest.raises(ValueError):
        _backend("http://127.0.0.1:9/v1").complete("q", max_tokens=0)
