"""One writer at a time per index: an exclusive file lock on ``<index_dir>/writer.lock``.

Why: two processes changing the corpus at once would both build a BM25 generation and both move
Qdrant points; SQLite alone serialises single transactions, not a whole add (parse, embed, upsert,
switch). The second writer waits (saying so once, on stderr or through ``on_wait``) and gives up with
``IndexBusy`` after ``wait_s``. The lock is re-entrant within a process (a CLI command may hold it
around a library call that takes it too) and serialises threads of one process (the web app).
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from rag.errors import IndexBusy

DEFAULT_WAIT_S = 120.0
_POLL_S = 0.1


@dataclass
class _Held:
    guard: threading.RLock
    depth: int = 0
    handle: IO[str] | None = None


_HELD: dict[Path, _Held] = {}
_HELD_GUARD = threading.Lock()


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _holder(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError:
        return "another process"
    return f"process {text}" if text else "another process"


@contextmanager
def writer_lock(index_dir: Path, *, wait_s: float = DEFAULT_WAIT_S,
                on_wait: Callable[[str], None] | None = _say) -> Iterator[None]:
    """Hold the index's writer lock for the block; wait up to ``wait_s`` seconds for another writer."""
    import fcntl

    index_dir.mkdir(parents=True, exist_ok=True)
    path = (index_dir / "writer.lock").resolve()
    with _HELD_GUARD:
        held = _HELD.setdefault(path, _Held(threading.RLock()))
    deadline = time.monotonic() + wait_s
    if not held.guard.acquire(timeout=max(wait_s, 0.0)):
        raise IndexBusy(f"another thread of this process is changing the index at {index_dir}; gave up after {wait_s:g} s")
    try:
        if held.depth == 0:
            handle = path.open("a+", encoding="utf-8")
            told = False
            while True:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        holder = _holder(path)
                        handle.close()
                        raise IndexBusy(f"{holder} is changing the index at {index_dir}; gave up after {wait_s:g} s",
                                        hint="wait for it to finish and run the command again") from None
                    if not told and on_wait is not None:
                        on_wait(f"waiting for {_holder(path)}, which is changing the index at {index_dir}...")
                        told = True
                    time.sleep(_POLL_S)
            handle.seek(0)
            handle.truncate()
            handle.write(str(os.getpid()))
            handle.flush()
            held.handle = handle
        held.depth += 1
        try:
            yield
        finally:
            held.depth -= 1
            if held.depth == 0 and held.handle is not None:
                held.handle.seek(0)
                held.handle.truncate()
                held.handle.flush()
                fcntl.flock(held.handle.fileno(), fcntl.LOCK_UN)
                held.handle.close()
                held.handle = None
    finally:
        held.guard.release()
