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

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # before gradio is imported anywhere
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from fastapi import FastAPI  # noqa: E402

from rag.config import Settings  # noqa: E402
from rag.web.auth import Librarians  # noqa: E402
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
    app.include_router(api_router(runtime, librarians))
    blocks = build_ui(runtime, librarians)
    return gr.mount_gradio_app(app, blocks, path="/", footer_links=[], run_history=False, show_error=True,
                               max_file_size=MAX_FILE_SIZE, ssr_mode=False, enable_monitoring=False, pwa=False,
                               i18n=i18n(), mcp_server=False, theme=theme(), css=CSS, head=HEAD)


def serve(settings: Settings | None = None, host: str | None = None, port: int | None = None) -> None:
    """Serve on GRADIO_SERVER_NAME:GRADIO_SERVER_PORT (127.0.0.1:7860) until interrupted."""
    import uvicorn

    host = host or os.environ.get("GRADIO_SERVER_NAME") or "127.0.0.1"
    port = port or int(os.environ.get("GRADIO_SERVER_PORT") or DEFAULT_PORT)
    app = create_app(settings, port=port)
    print(f"oncology guideline assistant on http://{host}:{port}/  (REST docs: /docs; Ctrl-C to stop)", flush=True)
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning")
