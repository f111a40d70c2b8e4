"""The REST API beside the UI: the CONTRACT.md bodies, the librarian's routes, and the endpoints the
``rag`` CLI forwards to while this process holds the embedded index.

Every error is JSON ``{"error", "hint"}``: 400 for bad input, 401 without a librarian session, 503
while the first-run index is built, 500 for anything else. Bodies are never logged.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, FastAPI, File, Form, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from rag.errors import InvalidInput, RagError
from rag.types import DocFilter
from rag.web import library
from rag.web.auth import COOKIE, ENABLE_HINT, SESSION_SECONDS, Librarians
from rag.web.runtime import IndexBuilding, Runtime

CLI_PREFIX = "/_rag"  # where forwarded CLI requests land (written to <index_dir>/server.json)
MAX_QUESTION = 4000
MAX_TEXT = 50_000


class SearchBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    query: str = Field(min_length=1, max_length=MAX_QUESTION)
    k: int = Field(8, ge=1, le=100)
    mode: str = Field("hybrid", pattern="^(hybrid|bm25|dense)$")
    filters: dict[str, list[str] | str] | None = None


class AskBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(min_length=1, max_length=MAX_QUESTION)
    backend: str | None = None
    session: str | None = Field(None, max_length=200, description="any id; follow-up questions in one session are rewritten")
    filters: dict[str, list[str] | str] | None = None


class StageBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    system: str = Field(min_length=1, max_length=100)
    text: str | None = Field(None, max_length=MAX_TEXT)
    tnm: str | None = Field(None, max_length=200)
    findings: dict[str, Any] | None = None


class RetireBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    doc_id: str = Field(min_length=1)
    reason: str = ""


class RestoreBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    doc_id: str = Field(min_length=1)


class LoginBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user: str
    password: str


_FILTER_KEYS = {"system": "systems", "systems": "systems", "edition": "editions", "editions": "editions",
                "language": "languages", "languages": "languages", "doc_id": "doc_ids", "doc_ids": "doc_ids"}


def doc_filter(raw: dict[str, list[str] | str] | None) -> DocFilter | None:
    """A DocFilter from ``{"system": [...], "edition": ..., "language": ..., "doc_id": ...}`` (plural keys too)."""
    if not raw:
        return None
    fields: dict[str, tuple[str, ...]] = {}
    for key, value in raw.items():
        if key not in _FILTER_KEYS:
            raise InvalidInput(f"unknown filter {key!r}", hint="use system, edition, language or doc_id")
        values = (value,) if isinstance(value, str) else tuple(value)
        fields[_FILTER_KEYS[key]] = fields.get(_FILTER_KEYS[key], ()) + values
    return DocFilter(**fields)


def _error(status: int, error: str, hint: str = "") -> JSONResponse:
    return JSONResponse({"error": error, "hint": hint}, status_code=status)


def install_error_handlers(app: FastAPI) -> None:
    """JSON errors for our routes; never a dropped connection or an HTML page."""

    @app.exception_handler(IndexBuilding)
    async def building(request: Request, exc: IndexBuilding) -> JSONResponse:
        return _error(503, str(exc), exc.hint)

    @app.exception_handler(RagError)
    async def rag_error(request: Request, exc: RagError) -> JSONResponse:
        if request.url.path.startswith(CLI_PREFIX):  # the CLI's forward() reads exit_code
            return JSONResponse({"error": exc.user_message(), "hint": exc.hint, "exit_code": exc.exit_code},
                                status_code=400 if exc.exit_code == 2 else 500)
        return _error(400 if isinstance(exc, InvalidInput) else 500, str(exc), exc.hint)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        message = f"{where}: {first.get('msg', 'invalid request')}" if where else str(first.get("msg", "invalid request"))
        return _error(400, message, "see the request bodies in CONTRACT.md or /docs")

    @app.exception_handler(ClientDisconnect)
    async def gone(request: Request, exc: ClientDisconnect) -> Response:
        # The client left mid-body (or RequestGuard timed its body out and has answered already):
        # nobody reads this reply, and it is no bug to log.
        return _error(400, "the client disconnected before sending the whole body")

    # Starlette's own HTTPException (FastAPI's is a subclass): multipart parsing raises the base class,
    # which a handler for FastAPI's would miss, leaving Starlette's {"detail"} body.
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if isinstance(exc.detail, dict) and "error" in exc.detail:
            return JSONResponse(exc.detail, status_code=exc.status_code)
        if request.url.path.startswith("/api/") or request.url.path.startswith(CLI_PREFIX):
            return _error(exc.status_code, str(exc.detail), "see /docs for the routes")
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> JSONResponse:
        # The traceback goes to the console via the server's error log, without the request body.
        return _error(500, f"internal error ({type(exc).__name__})", "this is a bug; the server log has the details")


def api_router(runtime: Runtime, librarians: Librarians) -> APIRouter:
    """The clinician routes, the librarian routes and the CLI forwarding routes."""
    router = APIRouter()

    @router.get("/api/health", tags=["clinician"])
    def health() -> JSONResponse:
        """`{"status": "ok", "documents", "chunks"}`, or HTTP 503 with the build's progress while it runs."""
        if runtime.build.status != "ok":
            return JSONResponse(runtime.build.as_dict(), status_code=503)
        with runtime.lock:  # one SQLite connection: reads wait for a running ingest
            catalog = runtime.workspace.catalog
            active = [d for d in catalog.documents() if d.status == "active"]
            chunks = catalog.count_chunks()
        return JSONResponse({"status": "ok", "documents": len(active), "chunks": chunks})

    @router.post("/api/search", tags=["clinician"])
    def search(body: SearchBody) -> dict[str, Any]:
        """Hybrid (or bm25 / dense) search: the `rag search --json` object."""
        from rag.retrieval.retrieve import Retriever

        flt = doc_filter(body.filters)
        hits = runtime.run(lambda ws: Retriever(ws).search(body.query, k=body.k, mode=body.mode, filters=flt))
        return {"query": body.query, "mode": body.mode, "results": [h.as_contract() for h in hits]}

    @router.post("/api/ask", tags=["clinician"])
    def ask(body: AskBody) -> dict[str, Any]:
        """A cited, verified answer: the `rag ask --json` object."""
        from rag.answer.pipeline import answer_question

        flt = doc_filter(body.filters)
        conversation = runtime.conversation(body.session)
        def work(ws: Any) -> Any:
            model = runtime.backend(body.backend)  # a loaded llama.cpp model is reused across questions
            return answer_question(ws, body.question, backend=(body.backend or runtime.settings.llm_backend) if model else body.backend,
                                   llm=model, conversation=conversation, filters=flt)

        answer = runtime.run(work)
        return answer.as_contract()

    @router.post("/api/stage", tags=["clinician"])
    def stage(body: StageBody) -> dict[str, Any]:
        """A deterministic stage or RADS category with cited rule rows: the `rag stage --json` object."""
        from rag.calculators.service import StageRequest, run_stage

        if body.text is None and body.tnm is None and body.findings is None:
            raise InvalidInput("give text, tnm or findings", hint='e.g. {"system": "AJCC8-lung", "tnm": "T2a N1 M0"}')
        return run_stage(runtime.settings, StageRequest(system=body.system, text=body.text, tnm=body.tnm,
                                                        findings=body.findings))

    @router.get("/api/documents", tags=["clinician"])
    def documents() -> dict[str, Any]:
        """The corpus: `rag corpus list --json`."""
        return {"documents": runtime.run(library.documents)}

    @router.get("/api/evidence/page.png", tags=["clinician"], response_class=Response)
    def page_image(chunk_id: str, page: int, quote: str = "") -> Response:
        """A PDF source's page rendered server-side, the quote's boxes highlighted."""
        from rag.web.pdfpage import render_page

        png = runtime.run(lambda ws: render_page(ws, chunk_id, page, quote[:2000]))
        return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})

    @router.get("/api/eval", tags=["clinician"])
    def evaluations() -> dict[str, Any]:
        """The newest `rag eval` run of each kind: `{"root", "runs": {kind: {name, finished, plots, results}}}`."""
        from rag.eval.location import eval_root, latest_runs

        root = eval_root(runtime.settings)
        return {"root": str(root), "runs": {kind: {"name": run.name, "finished": run.finished, "plots": run.plots(),
                                                    "results": run.results}
                                             for kind, run in latest_runs(root).items()}}

    @router.get("/api/eval/runs/{run}/{name}", tags=["clinician"], response_class=Response)
    def eval_file(run: str, name: str) -> Response:
        """A file of an evaluation run (PNG plot, results.json, report.md); nothing outside the eval folder."""
        from fastapi.responses import FileResponse

        from rag.eval.location import eval_root, run_file

        path = run_file(eval_root(runtime.settings), run, name)
        if path is None:
            return _error(404, "no such evaluation file", "see GET /api/eval for the runs and their plots")
        media = {".png": "image/png", ".json": "application/json", ".md": "text/markdown; charset=utf-8"}
        return FileResponse(path, media_type=media[path.suffix.lower()], headers={"Cache-Control": "no-cache"})

    # --- librarian --------------------------------------------------------------------------------
    require = librarians.require

    @router.post("/api/admin/login", tags=["librarian"])
    def login(body: LoginBody) -> JSONResponse:
        """A librarian session: the token (also set as an HttpOnly cookie)."""
        if not librarians.enabled:
            raise RagError("the librarian role is not enabled", hint=ENABLE_HINT)
        token = librarians.login(body.user, body.password)
        if token is None:
            return _error(401, "wrong user name or password", "check RAG_ADMIN_USER / RAG_ADMIN_PASSWORD")
        response = JSONResponse({"token": token, "user": body.user})
        response.set_cookie(COOKIE, token, max_age=SESSION_SECONDS, httponly=True, samesite="strict")
        return response

    @router.post("/api/admin/logout", tags=["librarian"])
    def logout(request: Request) -> dict[str, Any]:
        librarians.logout(librarians.token_of(request))
        return {"ok": True}

    @router.post("/api/admin/upload", tags=["librarian"])
    def upload(file: UploadFile = File(...), system: str = Form(...), edition: str = Form(...),  # noqa: B008
               effective_date: str = Form(...), language: str = Form("en"), title: str = Form(""),
               user: str = Depends(require)) -> dict[str, Any]:
        """Upload and ingest a PDF, Markdown or text file."""
        data = file.file.read(library.MAX_UPLOAD_BYTES + 1)
        meta = library.UploadMeta(system, edition, effective_date, language, title)
        return runtime.run(lambda ws: library.upload(ws, file.filename or "", data, meta, user))

    @router.post("/api/admin/replace", tags=["librarian"])
    def replace(doc_id: str = Form(...), file: UploadFile = File(...),  # noqa: B008
                user: str = Depends(require)) -> dict[str, Any]:
        """A new version of an uploaded document."""
        data = file.file.read(library.MAX_UPLOAD_BYTES + 1)
        return runtime.run(lambda ws: library.replace(ws, doc_id, file.filename or "", data, user))

    @router.post("/api/admin/retire", tags=["librarian"])
    def retire(body: RetireBody, user: str = Depends(require)) -> dict[str, Any]:
        """Take a document out of search (kept and audited)."""
        return runtime.run(lambda ws: library.retire(ws, body.doc_id, body.reason, user))

    @router.post("/api/admin/restore", tags=["librarian"])
    def restore(body: RestoreBody, user: str = Depends(require)) -> dict[str, Any]:
        """Bring a retired document back."""
        return runtime.run(lambda ws: library.restore(ws, body.doc_id, user))

    @router.get("/api/admin/audit", tags=["librarian"])
    def audit(limit: int = 100, user: str = Depends(require)) -> dict[str, Any]:
        """Who changed what, when."""
        return {"audit": runtime.run(lambda ws: library.audit(ws, max(1, min(limit, 1000))))}

    # --- forwarded CLI requests (rag.server.forward) -------------------------------------------------
    @router.post(CLI_PREFIX + "/{endpoint}", include_in_schema=False)
    async def forwarded(endpoint: str, request: Request) -> Any:
        from starlette.concurrency import run_in_threadpool

        from rag.server import handle, token_matches

        if not token_matches(request.headers.get("Authorization"), request.app.state.cli_token):
            return JSONResponse({"error": "missing or wrong token", "hint": "the rag CLI reads it from INDEX_DIR/server.token"},
                                status_code=401)
        try:
            payload = await request.json()
        except ValueError as exc:
            raise InvalidInput("invalid JSON body") from exc
        if not isinstance(payload, dict):
            raise InvalidInput("request body must be a JSON object")
        return await run_in_threadpool(runtime.run, lambda ws: handle(ws, "/" + endpoint, payload))

    # --- anything else under our prefixes ----------------------------------------------------------
    # Without these, an unknown /api/ path or a wrong method fell through to the Gradio app mounted at
    # "/", which answered {"detail": "Not Found"}: no error, no hint, not the API's shape.
    @router.api_route("/api/{rest:path}", methods=_ALL_METHODS, include_in_schema=False)
    @router.api_route(CLI_PREFIX + "/{rest:path}", methods=_ALL_METHODS, include_in_schema=False)
    @router.api_route("/api", methods=_ALL_METHODS, include_in_schema=False)
    @router.api_route(CLI_PREFIX, methods=_ALL_METHODS, include_in_schema=False)
    def no_such_route(request: Request) -> JSONResponse:
        allowed = _methods_for(router, request)
        if allowed:
            return JSONResponse({"error": f"method {request.method} is not allowed on {request.url.path}",
                                 "hint": "use " + ", ".join(sorted(allowed))},
                                status_code=405, headers={"Allow": ", ".join(sorted(allowed))})
        return _error(404, f"no such route {request.url.path}", "see /docs for the routes")

    return router


_ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]


def _methods_for(router: APIRouter, request: Request) -> set[str]:
    """The methods this router's real routes accept on the request's path (empty: no such path)."""
    from starlette.routing import Match, Route

    allowed: set[str] = set()
    for route in router.routes:
        if not isinstance(route, Route) or route.name == "no_such_route":
            continue
        match, _ = route.matches({**request.scope, "method": next(iter(route.methods or {"GET"}))})
        if match == Match.FULL:
            allowed |= set(route.methods or ())
    return allowed

