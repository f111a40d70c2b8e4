"""``rag serve``: one process owns the embedded index and answers others over HTTP on 127.0.0.1.

Why: embedded Qdrant allows one client per storage folder. The long-running process (this server,
and the web app built on it) holds the folder; a CLI command that finds the folder locked reads
``<index_dir>/server.json`` and sends its request here instead of failing. Loopback only: patient
text never leaves the machine.

Loopback is not a boundary on a shared machine, and a browser will happily POST to 127.0.0.1 for
any web page, so every request must also carry:

- ``Authorization: Bearer <token>``: a random token made at each start and written with mode 0600
  to ``<index_dir>/server.token``; only the index's owner can read it (the CLI does, to forward).
- ``Host`` naming the bound address (127.0.0.1 or localhost with our port): blocks DNS rebinding.
- no ``Origin``, or our own: a cross-origin page cannot use it.
- ``Content-Type: application/json`` on POST: a "simple" cross-site form or text/plain POST is refused.

``/ingest`` reads only files under the configured corpus folders (``Settings.allowed_ingest_roots``),
so even a holder of the token cannot make the server index (and echo back) an arbitrary file.
Every request gets a JSON answer: 4xx with the reason, or 500 with a short message; never silence.
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
import sys
import threading
import traceback
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from rag.config import Settings
from rag.errors import InvalidInput, RagError
from rag.jsonio import dumps, loads
from rag.workspace import Workspace

SERVER_FILE = "server.json"
TOKEN_FILE = "server.token"
MAX_BODY = 2_000_000
MAX_K = 1000  # as `rag search --k`, which forwards here
MAX_QUERY_CHARS = 10_000


def server_file(settings: Settings) -> Path:
    return settings.index_dir / SERVER_FILE


def token_file(settings: Settings) -> Path:
    return settings.index_dir / TOKEN_FILE


# request models ----------------------------------------------------------------------------
def _clean_text(value: str) -> str:
    """Reject what cannot be written back as UTF-8 (lone surrogates) and control characters other than whitespace."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("text is not valid Unicode (lone surrogate)") from exc
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in value):
        raise ValueError("text contains control characters")
    return value


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class SearchRequest(_Request):
    query: str = Field(max_length=MAX_QUERY_CHARS)
    k: int = Field(8, ge=1, le=MAX_K)
    mode: Literal["hybrid", "bm25", "dense"] = "hybrid"
    filters: dict[str, list[str]] | None = None

    _text = field_validator("query")(_clean_text)

    @field_validator("filters")
    @classmethod
    def _filter_names(cls, value: dict[str, list[str]] | None) -> dict[str, list[str]] | None:
        import dataclasses

        from rag.types import DocFilter

        known = {f.name for f in dataclasses.fields(DocFilter)}
        unknown = sorted(set(value or {}) - known)
        if unknown:
            raise ValueError(f"unknown filter(s) {', '.join(map(repr, unknown))}; known: {', '.join(sorted(known))}")
        return value


class AskRequest(_Request):
    question: str = Field(max_length=MAX_QUERY_CHARS)
    backend: str | None = Field(None, max_length=40)

    _text = field_validator("question")(_clean_text)


class IngestRequest(_Request):
    paths: list[str] = Field(min_length=1, max_length=10_000)

    @field_validator("paths")
    @classmethod
    def _paths(cls, value: list[str]) -> list[str]:
        for path in value:
            _clean_text(path)
            if not path.strip() or "\x00" in path:
                raise ValueError("empty path")
        return value


def validation_message(exc: ValidationError) -> str:
    """One line naming each bad field: ``k: Input should be a valid integer``."""
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error.get("loc", ())) or "body"
        parts.append(f"{where}: {str(error.get('msg', 'invalid')).removeprefix('Value error, ')}")
    return "; ".join(parts)


# endpoints ---------------------------------------------------------------------------------
class _Host(Protocol):
    """What an endpoint needs: the serving workspace and its settings (``rag serve`` or the web app)."""

    @property
    def live_workspace(self) -> Workspace: ...

    @property
    def settings(self) -> Settings: ...


def _search(server: _Host, body: dict[str, Any]) -> dict[str, Any]:
    from rag.api import ensure_index
    from rag.retrieval.retrieve import Retriever
    from rag.types import DocFilter

    request = SearchRequest.model_validate(body)
    ensure_index(server.live_workspace)
    flt = DocFilter(**{k: tuple(v) for k, v in (request.filters or {}).items()})
    hits = Retriever(server.live_workspace).search(request.query, k=request.k, mode=request.mode, filters=flt)
    return {"query": request.query, "mode": request.mode, "results": [h.as_contract() for h in hits]}


def _ask(server: _Host, body: dict[str, Any]) -> dict[str, Any]:
    from rag.answer.pipeline import answer_question
    from rag.api import ensure_index

    request = AskRequest.model_validate(body)
    ensure_index(server.live_workspace)
    return answer_question(server.live_workspace, request.question, backend=request.backend).as_contract()


def _ingest(server: _Host, body: dict[str, Any]) -> dict[str, Any]:
    from rag.corpus.ingest import ingest

    request = IngestRequest.model_validate(body)
    paths = check_ingest_paths(server.settings, request.paths)
    server.live_workspace.require_free_space()
    return ingest(server.live_workspace, paths, progress=False).as_dict()


def check_ingest_paths(settings: Settings, paths: list[str]) -> list[Path]:
    """The requested paths, resolved, if each lies under an allowed corpus folder; else ``InvalidInput``.

    Why resolve: ``corpora/../../home/x/.ssh`` and symlinks must be judged by where they lead. The
    web app's upload/ingest routes must apply the same check.
    """
    roots = settings.allowed_ingest_roots()
    out = []
    for raw in paths:
        resolved = Path(raw).expanduser().resolve()
        if not any(resolved == root or resolved.is_relative_to(root) for root in roots):
            raise InvalidInput(f"{raw}: outside the corpus folders this server may read",
                               hint=f"put the file under {roots[0]} or add its folder to RAG_INGEST_ROOTS")
        if resolved.is_dir():
            for file in resolved.rglob("*"):
                target = file.resolve()
                if file.is_file() and not any(target.is_relative_to(root) for root in roots):
                    raise InvalidInput(f"{file}: a link that leads outside the corpus folders ({target})",
                                       hint="remove the link or add its target folder to RAG_INGEST_ROOTS")
        out.append(resolved)
    return out


_ENDPOINTS: dict[str, Callable[[_Host, dict[str, Any]], dict[str, Any]]] = {
    "/search": _search, "/ask": _ask, "/ingest": _ingest}
ENDPOINTS = tuple(_ENDPOINTS)


class _WorkspaceHost:
    """A workspace held by another server (the web app) in the shape the endpoints expect."""

    def __init__(self, workspace: Workspace) -> None:
        self.live_workspace = workspace
        self.settings = workspace.settings


def handle(workspace: Workspace, endpoint: str, request: dict[str, Any]) -> dict[str, Any]:
    """Answer one forwarded CLI request on a workspace: the web app serves the same endpoints, with the
    same request validation and ingest-path rules, under its own prefix."""
    handler = _ENDPOINTS.get(endpoint)
    if handler is None:
        raise InvalidInput(f"no such endpoint {endpoint}")
    try:
        return handler(_WorkspaceHost(workspace), request)
    except ValidationError as exc:
        raise InvalidInput(validation_message(exc)) from exc


def announce(settings: Settings, url: str, token: str) -> bool:
    """Tell CLI processes where to send requests, and with which token, while this process holds the index.

    False when the index folder cannot be written (a published index on a read-only mount): then no
    process holds the vector shard (each searches a private copy, rag.index.edge), so CLI processes
    need not forward and nothing is announced. Before, the server or the web app died at start with
    an OSError traceback.
    """
    import errno

    try:
        settings.index_dir.mkdir(parents=True, exist_ok=True)
        write_private(token_file(settings), token)
        path = server_file(settings)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(dumps({"url": url, "pid": os.getpid()}))
        os.replace(tmp, path)
    except OSError as exc:
        if exc.errno not in (errno.EROFS, errno.EACCES, errno.EPERM):
            raise
        return False
    return True


def withdraw(settings: Settings, token: str) -> None:
    """Remove this process's server and token files (left alone if another process wrote them since)."""
    for path in (server_file(settings), token_file(settings)):
        try:
            if path.name == SERVER_FILE and json.loads(path.read_text()).get("pid") != os.getpid():
                break  # another server has announced itself since; leave its files
            if path.name == TOKEN_FILE and path.read_text().strip() != token:
                continue
            path.unlink()
        except (OSError, ValueError):
            pass


def token_matches(given: str | None, token: str) -> bool:
    """Constant-time check of an ``Authorization: Bearer`` value against the server's token."""
    value = (given or "").removeprefix("Bearer ").strip()
    return hmac.compare_digest(value.encode("utf-8", "replace"), token.encode())


class _Handler(BaseHTTPRequestHandler):
    server: RagHTTPServer

    def setup(self) -> None:
        super().setup()
        # Reads time out (a body shorter than announced, a client that goes quiet): never a hung thread.
        self.connection.settimeout(self.server.settings.server_read_timeout_s)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet: a URL or body may hold patient text
        return

    def _reply(self, status: int, payload: dict[str, Any]) -> None:
        try:
            body = dumps(payload).encode("utf-8")
        except (ValueError, TypeError, UnicodeEncodeError) as exc:
            status = HTTPStatus.INTERNAL_SERVER_ERROR
            body = dumps({"error": f"the result could not be written as JSON ({type(exc).__name__})",
                          "exit_code": 1}).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the client went away; nothing left to tell it

    def _fail(self, status: int, message: str, exit_code: int = 2) -> None:
        self.close_connection = True
        self._reply(status, {"error": message, "exit_code": exit_code})

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own errors (bad request line, unknown method, oversize header) as JSON too."""
        if code == HTTPStatus.NOT_IMPLEMENTED:  # a method we do not route: the client's error, not ours
            code, message = HTTPStatus.METHOD_NOT_ALLOWED, f"method {self.command} not allowed; use GET /health or POST"
        self._fail(code, message or HTTPStatus(code).phrase)

    def _allowed(self, *, post: bool) -> bool:
        """Host, Origin, token and Content-Type checks; answers and returns False when one fails."""
        host, port = str(self.server.server_address[0]), int(self.server.server_address[1])
        own = {f"{host}:{port}", f"localhost:{port}"}
        if (self.headers.get("Host") or "").strip().lower() not in own:
            self._fail(HTTPStatus.FORBIDDEN, "Host header does not name this server (expected "
                       f"{host}:{port}); DNS-rebound and proxied requests are refused")
            return False
        origin = self.headers.get("Origin")
        if origin is not None and origin.strip().lower() not in {f"http://{o}" for o in own}:
            self._fail(HTTPStatus.FORBIDDEN, "cross-origin requests are refused")
            return False
        if not token_matches(self.headers.get("Authorization"), self.server.token):
            self._fail(HTTPStatus.UNAUTHORIZED, f"missing or wrong token (send 'Authorization: Bearer' with the "
                       f"contents of {token_file(self.server.settings)})")
            return False
        if post:
            kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if kind != "application/json":
                self._fail(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "Content-Type must be application/json")
                return False
        return True

    def do_GET(self) -> None:
        if not self._allowed(post=False):
            return
        if self.path == "/health":
            self._reply(HTTPStatus.OK, {"ok": True, "pid": os.getpid(), "index_dir": str(self.server.settings.index_dir)})
        else:
            self._fail(HTTPStatus.NOT_FOUND, "no such endpoint")

    def do_POST(self) -> None:
        if not self._allowed(post=True):
            return
        body = self._read_body()
        if body is None:
            return
        handler = _ENDPOINTS.get(self.path)
        if handler is None:
            self._fail(HTTPStatus.NOT_FOUND, "no such endpoint")
            return
        try:
            with self.server.lock:
                result = handler(self.server, body)
        except ValidationError as exc:
            self._fail(HTTPStatus.BAD_REQUEST, f"invalid request: {validation_message(exc)}")
        except RagError as exc:
            status = HTTPStatus.BAD_REQUEST if exc.exit_code == 2 else HTTPStatus.UNPROCESSABLE_ENTITY
            self._fail(status, exc.user_message(), exc.exit_code)
        except Exception as exc:  # noqa: BLE001 - a bug: answer 500, keep serving, keep the trace (not the message) on stderr
            frames = "".join(traceback.format_tb(exc.__traceback__))
            print(f"rag serve: internal error in {self.path}: {type(exc).__name__}\n{frames}", file=sys.stderr, flush=True)
            self._fail(HTTPStatus.INTERNAL_SERVER_ERROR, f"internal error ({type(exc).__name__}); see the server log", 1)
        else:
            self._reply(HTTPStatus.OK, result)

    def _read_body(self) -> dict[str, Any] | None:
        """The JSON object in the body, or None after answering why not."""
        if self.headers.get("Transfer-Encoding"):
            self._fail(HTTPStatus.LENGTH_REQUIRED, "chunked bodies are not supported; send Content-Length")
            return None
        raw_length = self.headers.get("Content-Length")
        if raw_length is None:
            self._fail(HTTPStatus.LENGTH_REQUIRED, "Content-Length is required")
            return None
        try:
            length = int(raw_length.strip())
            if length < 0:
                raise ValueError
        except ValueError:
            self._fail(HTTPStatus.BAD_REQUEST, "Content-Length is not a non-negative integer")
            return None
        if length > MAX_BODY:
            self._fail(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"request too large (limit {MAX_BODY} bytes)")
            return None
        try:
            data = self.rfile.read(length)
        except (TimeoutError, OSError):
            data = None
        if data is None or len(data) < length:
            self._fail(HTTPStatus.BAD_REQUEST, "the body is shorter than Content-Length (or arrived too slowly)")
            return None
        try:
            request = loads(data.decode("utf-8"))
        except UnicodeDecodeError:
            self._fail(HTTPStatus.BAD_REQUEST, "the body is not UTF-8")
            return None
        except (json.JSONDecodeError, ValueError, RecursionError) as exc:
            self._fail(HTTPStatus.BAD_REQUEST, f"invalid JSON ({getattr(exc, 'msg', exc)})")
            return None
        if not isinstance(request, dict):
            self._fail(HTTPStatus.BAD_REQUEST, "request body must be a JSON object")
            return None
        return request


class RagHTTPServer(ThreadingHTTPServer):
    """Serves one workspace; requests run one at a time (the model and Qdrant client are shared)."""

    daemon_threads = True
    request_queue_size = 128  # 64 concurrent clients must not see refused connections

    def __init__(self, settings: Settings, port: int = 0) -> None:
        if not 0 <= port <= 65535:
            raise InvalidInput(f"--port {port} is not a TCP port", hint="give 0 (any free port) or 1024-65535")
        self.settings = settings
        self.token = secrets.token_urlsafe(32)
        self.workspace: Workspace | None = None
        try:
            super().__init__(("127.0.0.1", port), _Handler)
        except OSError as exc:
            raise InvalidInput(f"cannot listen on 127.0.0.1:{port} ({exc.strerror or exc})",
                               hint="choose another --port, or 0 for any free port") from exc
        self.workspace = Workspace(settings)
        self.lock = threading.Lock()
        try:
            self.workspace.vectors.ensure_collection()  # take the Qdrant folder now: fail fast if it is held
        except BaseException:
            super().server_close()
            self.workspace.close()
            self.workspace = None
            raise

    @property
    def live_workspace(self) -> Workspace:
        """The workspace of a started server (endpoints run only then)."""
        if self.workspace is None:
            raise RagError("the server is not running")
        return self.workspace

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"  # type: ignore[str-bytes-safe]  # AF_INET: host is a str

    def announce(self) -> bool:
        """Tell CLI processes where to send requests (and with which token) while this server holds the index."""
        return announce(self.settings, self.url, self.token)

    def server_close(self) -> None:
        if self.workspace is None:  # never started (port taken, index held): nothing of ours to remove
            super().server_close()
            return
        withdraw(self.settings, self.token)
        super().server_close()
        if self.workspace is not None:
            self.workspace.close()


def write_private(path: Path, text: str) -> None:
    """Write a secret readable by this user only (0600 from creation: never briefly world-readable)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.unlink()
    except FileNotFoundError:
        pass
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


def forward(settings: Settings, endpoint: str, payload: dict[str, Any], timeout: float = 600) -> dict[str, Any] | None:
    """Send a request to the process that holds the index; None if no such server answers."""
    import urllib.error
    import urllib.request

    try:
        info = json.loads(server_file(settings).read_text())
        url = str(info["url"])
        token = token_file(settings).read_text(encoding="utf-8").strip()
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not url.startswith("http://127.0.0.1:"):
        return None  # loopback only
    request = urllib.request.Request(url + endpoint, data=dumps(payload).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - loopback only
            return dict(json.loads(response.read()))
    except urllib.error.HTTPError as exc:
        try:
            body = json.loads(exc.read() or b"{}")
            code = int(body.get("exit_code", 1))
            message = str(body.get("error", f"server error {exc.code}"))
        except (ValueError, TypeError, AttributeError):
            code, message = 1, f"server error {exc.code}"
        raise (InvalidInput if code == 2 else RagError)(message) from exc
    except (urllib.error.URLError, OSError, ValueError):
        return None


def serve(settings: Settings, port: int = 0) -> None:
    """Run until interrupted."""
    import signal

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # SIGTERM ends the server as cleanly as Ctrl-C

    signal.signal(signal.SIGTERM, stop)
    server = RagHTTPServer(settings, port)
    where = (f"token in {token_file(settings)}" if server.announce()
             else "read-only index folder: no token file, so HTTP clients are refused; `rag` commands read the index themselves")
    print(f"serving {settings.index_dir} on {server.url} (Ctrl-C to stop; {where})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()

