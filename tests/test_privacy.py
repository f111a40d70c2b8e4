"""No question or report text is written anywhere under the index, cache or log folders (issue 14).

A session of asks, searches, stages and batches — through the CLI and through ``rag serve`` — each
carrying a marker string; afterwards every file under those folders is read byte by byte for it
(in UTF-8 and UTF-16, in case a store writes wide text). Batch input and output files, which the
user names, live outside the scanned folders.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.config import Settings
from rag.server import RagHTTPServer
from tests.conftest import write
from tests.http_fuzz import check_reply, send
from tests.test_cli_fuzz import LUNG, run

MARKER = "Zqxjmarker7731"


def _occurs(root: Path) -> list[str]:
    needles = [MARKER.encode(), MARKER.lower().encode(), MARKER.encode("utf-16-le")]
    hits = []
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            if any(n in data for n in needles):
                hits.append(str(path))
    return hits


@pytest.fixture
def folders(tmp_path: Path) -> Iterator[dict[str, Path]]:
    saved = dict(os.environ)
    paths = {"index": tmp_path / "index", "cache": tmp_path / "cache", "models": tmp_path / "cache" / "models",
             "home": tmp_path / "home", "user": tmp_path / "user", "corpus": tmp_path / "corpus"}
    write(paths["corpus"] / "lung.md", LUNG)
    os.environ.update(RAG_INDEX_DIR=str(paths["index"]), RAG_CORPORA_DIR=str(paths["corpus"]), XDG_CACHE_HOME=str(paths["cache"]),
                      RAG_MODEL_CACHE_DIR=str(paths["models"]), HOME=str(paths["home"]), RAG_QUERY_RUNTIME="torch")
    try:
        yield paths
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.mark.slow  # embeds a corpus with the real model
def test_marker_text_never_reaches_disk(folders: dict[str, Path]) -> None:
    user = folders["user"]
    assert run(["ingest", str(folders["corpus"])])[0] == 0
    report = f"Right upper lobe mass 2.5 cm with visceral pleural invasion; patient {MARKER}; subcarinal node positive."
    write(user / "report.txt", report)
    write(user / "queries.jsonl", json.dumps({"id": 1, "query": f"subcarinal {MARKER}"}) + "\n")
    write(user / "stages.jsonl", json.dumps({"id": 1, "system": "AJCC8-lung", "text": report}) + "\n"
          + json.dumps({"id": 2, "system": "AJCC8-lung", "text": 7, "note": MARKER}) + "\n")
    steps = [
        ["search", f"subcarinal {MARKER}", "--json"],
        ["ask", f"Which nodes are N2 for {MARKER}?", "--json"],
        ["stage", "--system", "AJCC8-lung", "--text", report, "--json"],
        ["stage", "--system", "AJCC8-lung", "--file", str(user / "report.txt")],
        ["stage", "--system", "AJCC8-lung", "--file", "-", "--json"],
        ["search", "--batch", str(user / "queries.jsonl"), "--out", str(user / "out.jsonl")],
        ["stage", "--batch", str(user / "stages.jsonl"), "--out", str(user / "staged.jsonl")],
        ["stage", "--system", "AJCC8-lung", "--findings", json.dumps({"note": MARKER, "size_mm": "x"})],
        ["search", MARKER + "\udcff"],  # rejected input is not written either
    ]
    for argv in steps:
        code, _, err = run(argv, stdin=report.encode())
        assert code in (0, 1, 2) and "Traceback" not in err, (argv, err)

    config = Settings()
    server = RagHTTPServer(config)
    server.announce()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        for path, payload in (("/search", {"query": f"station 7 {MARKER}"}), ("/ask", {"question": f"N2 nodes {MARKER}?"}),
                              ("/search", {"query": MARKER, "k": "bad"}), ("/nope", {"query": MARKER})):
            body = json.dumps(payload).encode()
            check_reply(send(server.url, "POST", path, body, {
                "Host": server.url.removeprefix("http://"), "Authorization": f"Bearer {server.token}",
                "Content-Type": "application/json", "Content-Length": str(len(body))}))
    finally:
        server.shutdown()
        server.server_close()
    for name in ("index", "cache", "home"):
        assert folders[name].exists() or name != "index"
        assert _occurs(folders[name]) == [], f"marker text written under {name}: {_occurs(folders[name])}"
    assert _occurs(folders["user"]), "the scan must be able to find the marker (it is in the user's own files)"
