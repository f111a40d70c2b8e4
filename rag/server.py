"""``rag serve``: one process owns the embedded index and answers others over HTTP on 127.0.0.1.

Why: embedded Qdrant allows one client per storage folder. The long-running process (this server,
and the web app built on it) holds the folder; a CLI command that finds the folder locked reads
``<index_dir>/server.json`` and sends its request here instead of failing. Loopback only: patient
text never leaves the machine.
"""

from __future__ import annotations

import json
import os
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from rag.config import Settings
from rag.errors import InvalidInput, RagError
from rag.workspace import Workspace

SERVER_FILE = "server.json"
MAX_BODY = 2_000_000


def server_file(settings: Settings) -> Path:
    return settings.index_dir / SERVER_FILE


class _Handler(BaseHTTPRequestHandler):
    server: RagHTTPServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet by default
        return

    def _reply(self, status: int, payload: dict[str, Any]) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path == "/health":
            self._reply(HTTPStatus.OK, {"ok": True, "pid": os.getpid(), "index_dir": str(self.server.settings.index_dir)})
        else:
            self._reply(HTTPStatus.NOT_FOUND, {"error": f"no such endpoint {self.path}"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._reply(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": "request too large", "exit_code": 2})
            return
        try:
            request = json.loads(self.rfile.read(length) or b"{}")
            if not isinstance(request, dict):
                raise InvalidInput("request body must be a JSON object")
            handler = _ENDPOINTS.get(self.path)
            if handler is None:
                self._reply(HTTPStatus.NOT_FOUND, {"error": f"no such endpoint {self.path}"})
                return
            with self.server.lock:
                result = handler(self.server.workspace, request)
            self._reply(HTTPStatus.OK, result)
        except json.JSONDecodeError as exc:
            self._reply(HTTPStatus.BAD_REQUEST, {"error": f"invalid JSON ({exc.msg})", "exit_code": 2})
        except RagError as exc:
            status = HTTPStatus.BAD_REQUEST if exc.exit_code == 2 else HTTPStatus.UNPROCESSABLE_ENTITY
            self._reply(status, {"error": exc.user_message(), "exit_code": exc.exit_code})


def _search(workspace: Workspace, request: dict[str, Any]) -> dict[str, Any]:
    from rag.api import ensure_index
    from rag.retrieval.retrieve import Retriever
    from rag.types import DocFilter

    ensure_index(workspace)
    flt = DocFilter(**{k: tuple(v) for k, v in (request.get("filters") or {}).items()})
    mode = str(request.get("mode", "hybrid"))
    hits = Retriever(workspace).search(str(request.get("query", "")), k=int(request.get("k", 8)), mode=mode, filters=flt)
    return {"query": request.get("query"), "mode": mode, "results": [h.as_contract() for h in hits]}


def _ask(workspace: Workspace, request: dict[str, Any]) -> dict[str, Any]:
    from rag.answer.pipeline import answer_question
    from rag.api import ensure_index

    ensure_index(workspace)
    return answer_question(workspace, str(request.get("question", "")), backend=request.get("backend")).as_contract()


def _ingest(workspace: Workspace, request: dict[str, Any]) -> dict[str, Any]:
    from rag.corpus.ingest import ingest

    return ingest(workspace, [Path(p) for p in request.get("paths", [])], progress=False).as_dict()


_ENDPOINTS = {"/search": _search, "/ask": _ask, "/ingest": _ingest}
ENDPOINTS = tuple(_ENDPOINTS)


def handle(workspace: Workspace, endpoint: str, request: dict[str, Any]) -> dict[str, Any]:
    """Answer one forwarded CLI request (the web app serves the same endpoints under its own prefix)."""
    handler = _ENDPOINTS.get(endpoint)
    if handler is None:
        raise InvalidInput(f"no such endpoint {endpoint}")
    return handler(workspace, request)


def announce(settings: Settings, url: str) -> None:
    """Tell CLI processes where to send requests while this process holds the index."""
    path = server_file(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"url": url, "pid": os.getpid()}))
    os.replace(tmp, path)


def withdraw(settings: Settings) -> None:
    """Remove this process's server file (left alone if another process wrote it since)."""
    path = server_file(settings)
    try:
        if json.loads(path.read_text()).get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError):
        pass


class RagHTTPServer(ThreadingHTTPServer):
    """Serves one workspace; requests run one at a time (the model and Qdrant client are shared)."""

    daemon_threads = True

    def __init__(self, settings: Settings, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.settings = settings
        self.workspace = Workspace(settings)
        self.lock = threading.Lock()
        self.workspace.vectors.ensure_collection()  # take the Qdrant folder now: fail fast if it is held

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"  # type: ignore[str-bytes-safe]  # AF_INET: host is a str

    def announce(self) -> None:
        """Tell CLI processes where to send requests while this server holds the index."""
        announce(self.settings, self.url)

    def server_close(self) -> None:
        withdraw(self.settings)
        super().server_close()
        self.workspace.close()


def forward(settings: Settings, endpoint: str, payload: dict[str, Any], timeout: float = 600) -> dict[str, Any] | None:
    """Send a request to the process that holds the index; None if no such server answers."""
    import urllib.error
    import urllib.request

    try:
        info = json.loads(server_file(settings).read_text())
        url = str(info["url"])
    except (OSError, ValueError, KeyError):
        return None
    if not url.startswith("http://127.0.0.1:"):
        return None  # loopback only
    request = urllib.request.Request(url + endpoint, data=json.dumps(payload).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - loopback only
            return dict(json.loads(response.read()))
    except urllib.error.HTTPError as exc:
        body = json.loads(exc.read() or b"{}")
        code = int(body.get("exit_code", 1))
        raise (InvalidInput if code == 2 else RagError)(str(body.get("error", f"server error {exc.code}"))) from exc
    except (urllib.error.URLError, OSError):
        return None


def serve(settings: Settings, port: int = 0) -> None:
    """Run until interrupted."""
    import signal

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # SIGTERM ends the server as cleanly as Ctrl-C

    signal.signal(signal.SIGTERM, stop)
    server = RagHTTPServer(settings, port)
    server.announce()
    print(f"serving {settings.index_dir} on {server.url} (Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
