"""The project's error hierarchy.

The CLI and the app catch only ``RagError``: anything else is a bug and keeps its traceback.
Each subclass carries a ``hint`` that tells the user what to do next.
"""

from __future__ import annotations


class RagError(Exception):
    """Base class for errors whose message is written for the user."""

    hint: str = ""
    exit_code: int = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint

    def user_message(self) -> str:
        """One line: the problem, then the fix."""
        text = str(self)
        return f"{text} ({self.hint})" if self.hint else text


class InvalidInput(RagError, ValueError):
    """Bad input from the user: usage, query text, findings, labels."""

    exit_code = 2


class IndexMissing(RagError):
    """No index where one was expected."""

    hint = "run `rag ingest corpora/` first"


class IndexBusy(RagError):
    """The embedded Qdrant folder is held by another process."""

    hint = "stop the other process (the web app?) or set RAG_QDRANT_URL to a Qdrant server"


class IngestError(RagError):
    """A document could not be ingested; the message names the file and the reason."""


class NoEvidence(RagError):
    """The corpus does not support an answer."""


class BackendUnavailable(RagError):
    """An LLM backend cannot be used (missing extra, unreachable server, missing model)."""


class QdrantUnreachable(RagError):
    """``RAG_QDRANT_URL`` names no Qdrant that answers: a setting to fix, so exit 2 like any bad setting."""

    exit_code = 2
    hint = "start the server, fix RAG_QDRANT_URL, or unset it for the embedded index"
