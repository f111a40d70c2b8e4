"""Main job: the web app over the bundled corpora on http://127.0.0.1:7860/ (no model server needed).

The index is built from ``corpora/`` on first run while the page shows progress. Port and address
follow GRADIO_SERVER_PORT / GRADIO_SERVER_NAME; settings come from RAG_* variables (rag/config.py).

    python app.py
"""

from __future__ import annotations

import sys


def main() -> int:
    from rag.web.app import serve

    serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
