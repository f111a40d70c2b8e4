"""``rag serve`` against a local stranger, a web page and a careless client (issue 14).

A real server on 127.0.0.1 over a tiny real index; requests are raw HTTP so each header can be
wrong on purpose. Every request must get a JSON answer.
"""

from __future__ import annotations

import json
import socket
import stat
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag.config import Settings
from rag.corpus.ingest import ingest
from rag.server import RagHTTPServer, forward, server_file, token_file
from rag.workspace import Workspace
from tests.conftest import write
from tests.http_fuzz import bodies, check_reply, content_lengths, content_types, fuzz_request, send

LUNG = ("---\ndoc_id: lung\ntitle: Lung demo\nsystem: AJCC8-lung\nedition: AJCC 8th edition\neffective_date: 2018-01-01\n"
        "source: Demo (2017)\nlicense: CC-BY-4.0\n---\n# Lung\n\n## N2 [LUNG8.N.N2]\nSubcarinal (station 7) nodes are N2.\n")


@dataclass
class Running:
    server: RagHTTPServer
    settings: Settings
    corpus: Path
    secret: Path  # a file outside the corpus folders

    @property
    def base(self) -> str:
        return self.server.url

    def headers(self, **extra: str | None) -> dict[str, str | None]:
        host = self.base.removeprefix("http://")
        out: dict[str, str | None] = {"Host": host, "Authorization": f"Bearer {self.server.token}",
                                      "Content-Type": "application/json"}
        out.update({k.replace("_", "-"): v for k, v in extra.items()})
        return out

    def post(self, path: str, payload: object, **extra: str | None) -> tuple[int, dict[str, object]]:
        body = json.dumps(payload).encode()
        headers = self.headers(**extra)
        headers["Content-Length"] = str(len(body))
        reply = send(self.base, "POST", path, body, headers)
        return reply.status, check_reply(reply)


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    root = tmp_path_factory.mktemp("serve")
    corpus = root / "corpus"
    write(corpus / "lung.md", LUNG)
    secret = write(root / "private" / "notes.md", "---\ntitle: Private\n---\n# Private\n\nThe secret word is xylophone.\n")
    config = Settings(index_dir=root / "index", corpora_dir=corpus, server_read_timeout_s=1.0)
    workspace = Workspace(config)
    try:
        ingest(workspace, [corpus], progress=False)
    finally:
        workspace.close()
    server = RagHTTPServer(config)
    server.announce()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Running(server, config, corpus, secret)
    server.shutdown()
    server.server_close()


def test_token_file_is_private_and_forward_uses_it(running: Running) -> None:
    path = token_file(running.settings)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == running.server.token and len(running.server.token) >= 32
    assert running.server.token not in server_file(running.settings).read_text()  # the world-readable file has no secret
    found = forward(running.settings, "/search", {"query": "subcarinal", "k": 1})
    assert found is not None and "station 7" in found["results"][0]["text"]


@pytest.mark.parametrize("auth", [None, "", "Bearer wrong", "Basic abc"])
def test_requests_without_the_token_are_refused(running: Running, auth: str | None) -> None:
    status, body = running.post("/search", {"query": "subcarinal"}, Authorization=auth)
    assert status == 401 and "token" in str(body["error"])
    reply = send(running.base, "GET", "/health", b"", running.headers(Authorization=auth))
    assert reply.status == 401


def test_ingest_outside_the_corpus_folders_is_refused(running: Running) -> None:
    for path in (running.secret, running.secret.parent, running.corpus / ".." / "private" / "notes.md", Path("/etc/passwd")):
        status, body = running.post("/ingest", {"paths": [str(path)]})
        assert status == 400 and "outside the corpus folders" in str(body["error"]), body
    status, found = running.post("/search", {"query": "secret word xylophone", "k": 5})
    assert status == 200 and all("xylophone" not in str(r["text"]) for r in found["results"])  # type: ignore[union-attr]


def test_a_link_inside_the_corpus_to_a_file_outside_is_refused(running: Running) -> None:
    link_dir = running.corpus / "linked"
    link_dir.mkdir(exist_ok=True)
    (link_dir / "notes.md").symlink_to(running.secret)
    try:
        for path in (link_dir, link_dir / "notes.md"):
            status, body = running.post("/ingest", {"paths": [str(path)]})
            assert status == 400 and ("outside" in str(body["error"])), body
    finally:
        (link_dir / "notes.md").unlink()
        link_dir.rmdir()


def test_ingest_inside_the_corpus_folder_works(running: Running) -> None:
    write(running.corpus / "carina.md", "---\ntitle: Carina\n---\n# Carina\n\nTumour invading the carina is T4.\n")
    status, body = running.post("/ingest", {"paths": [str(running.corpus / "carina.md")]})
    assert status == 200 and body["files"][0]["status"] == "added", body  # type: ignore[index]


@pytest.mark.parametrize(("header", "value"), [
    ("Host", "evil.example:80"), ("Host", None), ("Host", "127.0.0.1:1"),
    ("Origin", "http://evil.example"), ("Origin", "null"),
])
def test_rebinding_and_cross_origin_requests_are_refused(running: Running, header: str, value: str | None) -> None:
    status, body = running.post("/search", {"query": "subcarinal"}, **{header: value})
    assert status == 403, body


def test_own_origin_and_localhost_are_accepted(running: Running) -> None:
    port = running.base.rsplit(":", 1)[1]
    status, _ = running.post("/search", {"query": "subcarinal", "k": 1}, Origin=running.base, Host=f"localhost:{port}")
    assert status == 200


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])
def test_only_json_bodies_are_accepted(running: Running, content_type: str | None) -> None:
    status, body = running.post("/search", {"query": "subcarinal"}, Content_Type=content_type)
    assert status == 415 and "application/json" in str(body["error"])


@pytest.mark.parametrize(("payload", "expected"), [
    ({"query": "x", "k": "abc"}, "k"), ({"query": "x", "k": 0}, "k"), ({"query": "x", "k": 10**30}, "k"),
    ({"query": {"a": 1}}, "query"), ({"query": "x", "mode": "psychic"}, "mode"), ({"query": "\ud800"}, "unicode"),
    ({"query": "x", "filters": {"systems": "AJCC8-lung"}}, "filters"), ({"query": "x", "filters": {"colour": ["red"]}}, "colour"),
    ({"paths": "abc"}, "paths"),
    ({"question": ["a"]}, "question"), ({}, "query"),
])
def test_wrong_json_types_get_a_400_with_the_reason(running: Running, payload: dict[str, object], expected: str) -> None:
    path = "/ingest" if "paths" in payload else "/ask" if "question" in payload else "/search"
    status, body = running.post(path, payload)
    assert status == 400 and expected in str(body["error"]), body


@pytest.mark.parametrize(("length", "status"), [("abc", 400), ("-5", 400), (None, 411), ("99999999999", 413)])
def test_bad_content_length_gets_a_json_answer(running: Running, length: str | None, status: int) -> None:
    reply = fuzz_request(running.base, "POST", "/search", b'{"query": "x"}', running.headers(), length)
    assert reply.status == status


def test_a_body_shorter_than_announced_times_out_with_a_400(running: Running) -> None:
    port = int(running.base.rsplit(":", 1)[1])
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        head = (f"POST /search HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {running.server.token}\r\n"
                "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"query\":")
        sock.sendall(head.encode())
        data = b""
        while chunk := sock.recv(4096):
            data += chunk
    assert time.monotonic() - started < 8  # the read timeout (1 s here), not a hang
    status_line, _, rest = data.partition(b"\r\n")
    assert b" 400 " in status_line, data
    assert b"shorter than Content-Length" in rest.split(b"\r\n\r\n", 1)[1]


def test_malformed_request_lines_and_methods_get_json(running: Running) -> None:
    reply = send(running.base, "DELETE", "/search", b"", running.headers())
    assert reply.status == 405 and "DELETE" in check_reply(reply)["error"]
    port = int(running.base.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"POST /search HTTP/1.1\r\nX-Long: " + b"a" * 70_000 + b"\r\n\r\n")
        data = b""
        while chunk := sock.recv(4096):  # until the server closes: headers and body may come apart
            data += chunk
    assert b" 431 " in data.split(b"\r\n")[0] and b'"error"' in data, data
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"GARBAGE\r\n\r\n")  # HTTP/0.9 style: no status line exists, but the body is still JSON
        data = b""
        while chunk := sock.recv(4096):
            data += chunk
    assert json.loads(data)["error"].startswith("Bad request"), data


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(route=st.sampled_from(["/search", "/ask", "/ingest", "/nope"]), body=bodies, content_type=content_types,
       length=st.one_of(st.just(""), content_lengths), auth=st.booleans())
def test_random_requests_always_get_json(running: Running, route: str, body: bytes, content_type: str | None,
                                         length: str | None, auth: bool) -> None:
    headers = running.headers(Content_Type=content_type)
    if not auth:
        headers["Authorization"] = None
    fuzz_request(running.base, "POST", route, body, headers, length)


def test_server_still_answers_after_the_fuzzing(running: Running) -> None:
    status, body = running.post("/search", {"query": "subcarinal", "k": 1})
    assert status == 200 and "station 7" in str(body["results"])


def test_busy_port_is_a_one_line_error(running: Running) -> None:
    from rag.errors import InvalidInput

    port = int(running.base.rsplit(":", 1)[1])
    other = Settings(index_dir=running.settings.index_dir.parent / "other", corpora_dir=running.corpus)
    with pytest.raises(InvalidInput, match=f"cannot listen on 127.0.0.1:{port}"):
        RagHTTPServer(other, port)
