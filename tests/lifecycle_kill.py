"""Run ``rag ARGS…`` and SIGKILL this very process at a named point of a corpus change.

Used by tests/test_lifecycle_crash.py: ``python tests/lifecycle_kill.py POINT ARGS…``. The kill is
real (``os.kill(getpid(), SIGKILL)``: no cleanup, no finally blocks, no atexit), injected by wrapping
one storage call; nothing else of the stack is replaced.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from typing import Any


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _wrap(owner: Any, name: str, *, before: bool) -> None:
    original: Callable[..., Any] = getattr(owner, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if before:
            _die()
        result = original(*args, **kwargs)
        _die()
        return result

    setattr(owner, name, wrapper)


def main() -> int:
    point, args = sys.argv[1], sys.argv[2:]
    from rag.index.edge import EdgeStore
    from rag.index.lexical import LexicalIndex

    if point == "before-upsert":  # embeddings cached, no point written yet
        _wrap(EdgeStore, "upsert", before=True)
    elif point == "after-upsert":  # the new version's points written, registry not switched
        _wrap(EdgeStore, "upsert", before=False)
    elif point == "in-switch":  # new BM25 generation on disk, inside the uncommitted switch
        _wrap(LexicalIndex, "build", before=False)
    elif point == "after-switch":  # switched; the old version's points not yet deleted
        _wrap(EdgeStore, "delete", before=True)
    else:
        raise SystemExit(f"unknown kill point {point!r}")
    from rag.cli import main as rag_main

    return rag_main(args)


if __name__ == "__main__":
    sys.exit(main())
