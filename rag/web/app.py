"""The app factory and ``python app.py``: FastAPI with the REST API, Gradio 6 mounted at ``/``.

Privacy defaults are set here, before Gradio is imported: no analytics, no run history (pasted
reports may hold patient data), no monitoring endpoint, no CDN or web fonts (a system-font theme),
no MCP server, a maximum upload size, and uvicorn's access log off so no URL or body is logged.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # before gradio is imported anywhere
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from fastapi import FastAPI  # noqa: E402

from rag.config import Settings  # noqa: E402
from rag.web.auth import Librarians  # noqa: E402
from rag.web.guard import JsonErrorH11Protocol, RequestGuard  # noqa: E402
from rag.web.library import MAX_UPLOAD_BYTES  # noqa: E402
from rag.web.rest import CLI_PREFIX, api_router, install_error_handlers  # noqa: E402
from rag.web.runtime import Runtime  # noqa: E402

MAX_FILE_SIZE = "20mb"
DEFAULT_PORT = 7860


def create_app(settings: Settings | None = None, *, port: int | None = None, build: bool = True) -> FastAPI:
    """The whole web app over one workspace; ``port`` is announced to the CLI once serving."""
    import gradio as gr

    from rag.web.ui import CSS, HEAD, build_ui, i18n, theme

    settings = settings or Settings()
    runtime = Runtime(settings)
    librarians = Librarians(settings.admin_user, settings.admin_password.get_secret_value() if settings.admin_password else None)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from rag.server import announce, withdraw

        if build:
            runtime.start_build()
        if port:
            announce(settings, f"http://127.0.0.1:{port}{CLI_PREFIX}", app.state.cli_token)
        try:
            yield
        finally:
            if port:
                withdraw(settings, app.state.cli_token)
            if runtime.wait_ready(timeout=5):  # a first-run build still going is left to die with the process
                runtime.close()

    app = FastAPI(title="Oncology guideline assistant", version="0.1.0", lifespan=lifespan,
                  description="REST API beside the web UI. Bodies are the CONTRACT.md JSON objects; "
                              "errors are {\"error\", \"hint\"} with HTTP 400/401/500 (503 while the index builds).")
    app.state.runtime = runtime
    # Forwarded CLI requests carry this token (written 0600 beside the index, as `rag serve` does).
    app.state.cli_token = secrets.token_urlsafe(32)
    app.state.librarians = librarians
    install_error_handlers(app)
    # Inner to outer: the body guard (read timeout, size cap, JSON content type), then the Host/Origin check.
    app.add_middleware(RequestGuard, read_timeout_s=settings.server_read_timeout_s,  # type: ignore[arg-type]
                       max_body_bytes=MAX_UPLOAD_BYTES + 2**20)  # an upload's multipart framing on top
    _refuse_foreign_hosts_and_origins(app)
    app.include_router(api_router(runtime, librarians))
    blocks = build_ui(runtime, librarians)
    return gr.mount_gradio_app(app, blocks, path="/", footer_links=[], run_history=False, show_error=True,
                               max_file_size=MAX_FILE_SIZE, ssr_mode=False, enable_monitoring=False, pwa=False,
                               i18n=i18n(), mcp_server=False, theme=theme(), css=CSS, head=HEAD)


LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})


def allowed_hosts() -> frozenset[str] | None:
    """Host names this app answers to; None (no check) when it is deliberately bound to every interface."""
    bound = (os.environ.get("GRADIO_SERVER_NAME") or "127.0.0.1").strip().lower()
    if bound in ("0.0.0.0", "::", ""):
        return None  # served on a LAN on purpose: the operator's proxy or firewall decides who reaches it
    return LOOPBACK_NAMES | {bound}


def _refuse_foreign_hosts_and_origins(app: FastAPI) -> None:
    """DNS rebinding and cross-site requests: a page on another site must not drive this local app.

    A request whose ``Host`` names another machine (a rebound DNS name) gets 403, and so does a
    state-changing request whose ``Origin`` is not this very host and port, as ``rag serve`` does
    (rag.server). The Host check reads the name only: a local reverse proxy may forward another port.
    """
    from urllib.parse import urlsplit

    from fastapi import Request
    from fastapi.responses import JSONResponse

    hosts = allowed_hosts()

    @app.middleware("http")
    async def same_site_only(request: Request, call_next: Any) -> Any:
        if hosts is not None:
            host = (request.headers.get("host") or "").lower()
            name = host[1:].split("]")[0] if host.startswith("[") else host.rsplit(":", 1)[0]
            if name not in hosts:
                return JSONResponse({"error": "Host header does not name this server",
                                     "hint": "open the app at http://127.0.0.1:PORT/ (DNS-rebound requests are refused)"},
                                    status_code=403)
            origin = request.headers.get("origin")
            # Same origin means the same host *and port*: a page served by another local program
            # (http://127.0.0.1:3000) is another site, even though its host name is ours.
            if origin and request.method not in ("GET", "HEAD", "OPTIONS") and (
                    (urlsplit(origin).hostname or "") not in hosts or urlsplit(origin).netloc.lower() != host):
                return JSONResponse({"error": "cross-origin requests are refused",
                                     "hint": "use the app's own page or a client without an Origin header"}, status_code=403)
        return await call_next(request)


def serve(settings: Settings | None = None, host: str | None = None, port: int | None = None) -> None:
    """Serve on GRADIO_SERVER_NAME:GRADIO_SERVER_PORT (127.0.0.1:7860) until interrupted."""
    import uvicorn

    host = host or os.environ.get("GRADIO_SERVER_NAME") or "127.0.0.1"
    port = port or int(os.environ.get("GRADIO_SERVER_PORT") or DEFAULT_PORT)
    app = create_app(settings, port=port)
    print(f"oncology guideline assistant on http://{host}:{port}/  (REST docs: /docs; Ctrl-C to stop)", flush=True)
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning", http=JsonErrorH11Protocol)
