"""The web app: FastAPI with the REST API and Gradio 6 mounted on it (``python app.py``).

Modules: ``app`` (factory, privacy defaults, serve), ``runtime`` (the workspace and its first-run
build), ``rest`` (REST routes and JSON errors), ``auth`` (librarian sessions), ``library``
(librarian operations), ``evidence`` and ``pdfpage`` (citation rendering), ``ui`` and the three
views ``ask_view``, ``stage_view``, ``library_view``.
"""

from __future__ import annotations

__all__ = ["create_app", "serve"]


def __getattr__(name: str) -> object:
    # Lazy: importing rag.web must not import gradio (the CLI imports rag.server, not this).
    if name in __all__:
        from rag.web import app

        return getattr(app, name)
    raise AttributeError(name)
