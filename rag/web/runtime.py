"""What the web app process holds: one workspace over the embedded index, its first-run build, and
per-session conversations.

Why one object: embedded Qdrant admits one client per folder, so the app opens the workspace once
and every REST route, Gradio event and forwarded CLI request goes through it. Calls into the index
run one at a time (``lock``), as in ``rag serve``: the embedding model and the Qdrant handle are
shared, and a librarian's ingest must not interleave with a search.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from rag.answer.conversation import Conversation
from rag.config import Settings
from rag.errors import RagError
from rag.workspace import Workspace

T = TypeVar("T")

MAX_CONVERSATIONS = 2000  # REST sessions kept in memory (oldest forgotten first); never written to disk


class IndexBuilding(RagError):
    """The first-run index build has not finished yet."""

    hint = "the index is being built from the bundled corpora; retry in a minute (GET /api/health shows progress)"


@dataclass
class BuildState:
    """Progress of the first-run (or upgrade) index build, as the page and /api/health show it."""

    status: str = "building"  # building | ok | error
    phase: str = "starting"
    files_done: int = 0
    files_total: int = 0
    started: float = field(default_factory=time.time)
    finished: float | None = None
    error: str = ""

    def as_dict(self) -> dict[str, Any]:
        elapsed = (self.finished or time.time()) - self.started
        record: dict[str, Any] = {"status": self.status, "phase": self.phase, "files_done": self.files_done,
                                  "files_total": self.files_total, "seconds": round(elapsed, 1)}
        if self.error:
            record["error"] = self.error
        return record


class Runtime:
    """The app's single workspace plus its build state and in-memory conversations."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.workspace = Workspace(settings)
        self.lock = threading.RLock()
        self.build = BuildState()
        self._ready = threading.Event()
        self._conversations: OrderedDict[str, Conversation] = OrderedDict()
        self._conv_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._backends: dict[str, Any] = {}

    # --- first-run build ------------------------------------------------------------------------
    def start_build(self) -> None:
        """Build or update the index from the bundled corpora in a background thread."""
        self._thread = threading.Thread(target=self._build, name="rag-index-build", daemon=True)
        self._thread.start()

    def _build(self) -> None:
        from rag.corpus.ingest import discover

        try:
            with self.lock:
                self.workspace.vectors.ensure_collection()  # hold the Qdrant folder now (CLI forwards to us)
                corpora = self.settings.corpora_dir
                if corpora.is_dir():
                    files, _ = discover([corpora])
                    self.build.files_total = len(files)
                self.build.phase = "reading and embedding the bundled corpora"
                self._ensure_index()
            self.build.phase = "ready"
            self.build.status = "ok"
        except RagError as exc:
            self.build.status, self.build.phase, self.build.error = "error", "failed", exc.user_message()
        except Exception as exc:  # a bug: keep it visible on the page and the console, not a silent hang
            self.build.status, self.build.phase, self.build.error = "error", "failed", f"{type(exc).__name__}: {exc}"
            raise
        finally:
            self.build.finished = time.time()
            self._ready.set()

    def _ensure_index(self) -> None:
        from rag.api import ensure_index

        def on_file(report: object) -> None:
            self.build.files_done += 1

        ensure_index(self.workspace, on_file=on_file)
        self.build.files_done = self.build.files_total

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Block until the build ended (ok or error)."""
        return self._ready.wait(timeout)

    @property
    def ready(self) -> bool:
        return self.build.status == "ok"

    def run(self, fn: Callable[[Workspace], T]) -> T:
        """Run ``fn`` on the workspace once the index serves, one call at a time."""
        if self.build.status == "building":
            raise IndexBuilding("the index is still being built")
        if self.build.status == "error":
            raise RagError(f"the index could not be built: {self.build.error}",
                           hint="fix the problem shown and restart the app")
        with self.lock:
            return fn(self.workspace)

    # --- answer backends ---------------------------------------------------------------------------
    def backend(self, name: str | None) -> Any | None:
        """The loaded LLM backend for ``name`` (default: settings), kept for the process's life.

        Why: ``get_backend`` builds a new backend per call, and for llama.cpp that reloads the GGUF
        (about 2 s for a 135M model on a loaded box) before the first token of every answer. None for
        the extractive backend or one that cannot load now (the pipeline then says why and falls back).
        Call with the runtime's lock held (answers run one at a time).
        """
        from rag.llm.base import BackendUnavailable, get_backend

        chosen = name or self.settings.llm_backend or "extractive"
        if chosen == "extractive":
            return None
        if chosen not in self._backends:
            try:
                self._backends[chosen] = get_backend(self.settings, chosen)
            except BackendUnavailable:
                return None
        return self._backends[chosen]

    # --- conversations (follow-up questions) ------------------------------------------------------
    def conversation(self, session: str | None) -> Conversation | None:
        """The conversation for a REST session id (created on first use); None without one."""
        if not session:
            return None
        with self._conv_lock:
            conv = self._conversations.pop(session, None) or Conversation()
            self._conversations[session] = conv
            while len(self._conversations) > MAX_CONVERSATIONS:
                self._conversations.popitem(last=False)
            return conv

    def close(self) -> None:
        with self.lock:
            for backend in self._backends.values():
                close = getattr(backend, "close", None)
                if callable(close):
                    close()
            self._backends.clear()
            self.workspace.close()
