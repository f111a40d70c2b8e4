"""Librarian operations beyond ingest: retire a document (kept and audited, no longer searched)."""

from __future__ import annotations

from rag.corpus.ingest import rebuild_lexical
from rag.errors import InvalidInput
from rag.workspace import Workspace


def retire(workspace: Workspace, doc_id: str, *, reason: str = "") -> None:
    """Take a document out of search; re-ingesting its file brings it back (embeddings are cached)."""
    catalog = workspace.catalog
    document = catalog.document(doc_id)
    if document is None:
        known = ", ".join(d.doc_id for d in catalog.documents()[:10])
        raise InvalidInput(f"no document {doc_id!r} in the index", hint=f"see `rag corpus list` (e.g. {known})")
    if document.status == "retired":
        raise InvalidInput(f"{doc_id} is already retired")
    chunk_ids = catalog.chunk_ids(doc_id)
    # Points go first: if we stop half-way the document is still active and only its dense hits are
    # missing until it is re-ingested; the reverse order could show a retired document.
    workspace.vectors.delete(chunk_ids)
    with catalog.transaction():
        catalog.set_status(doc_id, "retired")
        catalog.audit("retired", doc_id, document.path, reason)
    rebuild_lexical(workspace)
