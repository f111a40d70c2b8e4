"""What the web app checks about a request before any route sees it, and how it answers a request no
route can: every reply is JSON ``{"error", "hint"}``, never a dropped connection or a plain-text page.

Why an ASGI layer of its own (issue 14, found by the REST fuzz in tests/test_web_fuzz.py):

- **A body shorter than announced** (or a client that goes quiet mid-body) held a worker forever:
  uvicorn has no read timeout for request bodies. ``RequestGuard`` times each body read out after
  ``RAG_SERVER_READ_TIMEOUT_S`` (as ``rag serve`` does with its socket timeout) and answers 400 itself;
  the route underneath sees the client as gone.
- **A Content-Length far beyond any upload** was waited for byte by byte; it gets 413 at once.
- **Non-JSON bodies on the JSON API** (``text/plain``, a form: what a page on another site can send
  without a preflight) were fed to the validators; they get 415, as in ``rag serve``. The two upload
  routes take ``multipart/form-data``.
- **Requests h11 cannot parse** (a negative or non-numeric Content-Length, a malformed request line)
  were answered by uvicorn in plain text; ``JsonErrorH11Protocol`` answers them in JSON.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[MutableMapping[str, Any], Receive, Send], Awaitable[None]]

API_PREFIXES = ("/api/", "/_rag/")  # our JSON routes; everything else is Gradio's
MULTIPART_ROUTES = frozenset({"/api/admin/upload", "/api/admin/replace"})
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def json_error(error: str, hint: str = "") -> bytes:
    return json.dumps({"error": error, "hint": hint}, ensure_ascii=True).encode()


class RequestGuard:
    """ASGI middleware: body read timeout, size cap and JSON content type on the API routes."""

    def __init__(self, app: ASGIApp, *, read_timeout_s: float, max_body_bytes: int) -> None:
        self.app = app
        self.read_timeout_s = read_timeout_s
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self._refusal(scope)
        if refusal is not None:
            status, error, hint = refusal
            await _reply(send, status, error, hint)
            return
        await self.app(scope, *self._timed(receive, send))

    def _refusal(self, scope: MutableMapping[str, Any]) -> tuple[int, str, str] | None:
        """(status, error, hint) for a request refused on its headers alone, else None."""
        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope.get("headers", ())}
        declared = headers.get("content-length", "").strip()
        length = int(declared) if declared.isdigit() else 0  # h11 has already refused a malformed value
        if length > self.max_body_bytes:
            return (413, f"request body of {length} bytes is too large",
                    f"at most {self.max_body_bytes // 2**20} MB")
        path: str = scope.get("path", "")
        has_body = length > 0 or "chunked" in headers.get("transfer-encoding", "").lower()
        if (path.startswith(API_PREFIXES) and scope.get("method") in BODY_METHODS and has_body
                and path not in MULTIPART_ROUTES):
            media_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
            if media_type != "application/json":
                return (415, "Content-Type must be application/json",
                        "send the CONTRACT.md JSON body with Content-Type: application/json")
        return None

    def _timed(self, receive: Receive, send: Send) -> tuple[Receive, Send]:
        """``receive`` that times out while the body is incomplete (then we answer 400 and the app sees a
        disconnect), and ``send`` that drops the app's reply once ours has gone out."""
        state = {"body_done": False, "started": False, "replied": False}

        async def timed_receive() -> Message:
            if state["body_done"] or state["replied"]:
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), self.read_timeout_s)
            except TimeoutError:
                if not state["started"]:
                    state["replied"] = True
                    await _reply(send, 400, "request body is shorter than Content-Length (read timed out)",
                                 "send the whole body, or a Content-Length that matches it")
                return {"type": "http.disconnect"}
            if message["type"] != "http.request" or not message.get("more_body", False):
                state["body_done"] = True
            return message

        async def guarded_send(message: Message) -> None:
            if state["replied"]:
                return
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        return timed_receive, guarded_send


async def _reply(send: Send, status: int, error: str, hint: str) -> None:
    body = json_error(error, hint)
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


class JsonErrorH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with its "Invalid HTTP request" reply in JSON (``uvicorn.run(http=...)``)."""

    def send_400_response(self, msg: str) -> None:
        import h11

        body = json_error(f"Bad request: {msg.rstrip('.')}", "check the request line and the Content-Length header")
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                   (b"connection", b"close")]
        for event in (h11.Response(status_code=400, headers=headers, reason=b"Bad Request"), h11.Data(data=body),
                      h11.EndOfMessage()):
            self.transport.write(self.conn.send(event))
        self.transport.close()
