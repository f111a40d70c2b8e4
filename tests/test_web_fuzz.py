"""The web app's REST routes against random and hostile requests (issue 14): every request gets an
answer of the route's documented type (JSON, or a PNG for a rendered page) with a short reason on
4xx/5xx, never a dropped connection and never a traceback in the server's log; Host, Origin and
Content-Type rules hold for every route.

The real app (``python app.py``) on a free port (tests/web_fixtures.py); requests are raw HTTP so each
header can be wrong on purpose. Causes this found, each fixed at its root (rag/web/guard.py, rest.py):
unknown routes and wrong methods answered by the Gradio mount as ``{"detail"}``; multipart errors
raised as Starlette's HTTPException, missed by our handler; a body shorter than announced holding a
worker forever and its disconnect logged as a traceback; malformed requests answered in plain text.
"""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web_fixtures import WebApp

from tests.http_fuzz import Reply, bodies, check_reply, content_lengths, content_types, methods, query_strings, send

pytestmark = pytest.mark.slow  # the shared app start and its first-run build

ROUTES = ["/api/search", "/api/ask", "/api/stage", "/api/documents", "/api/health", "/api/evidence/page.png",
          "/api/admin/login", "/api/admin/logout", "/api/admin/upload", "/api/admin/replace", "/api/admin/retire",
          "/api/admin/restore", "/api/admin/audit", "/_rag/search", "/_rag/ask", "/_rag/ingest", "/_rag/stage",
          "/_rag/health", "/_rag/nope", "/api/nope", "/api", "/_rag"]
PNG_ROUTES = {"/api/evidence/page.png"}
STATE_CHANGING = {"POST", "PUT", "DELETE", "PATCH"}


def cli_token(web_app: WebApp) -> str:
    return (Path(web_app.env["RAG_INDEX_DIR"]) / "server.token").read_text().strip()


_LIBRARIAN: dict[int, str] = {}


def librarian(web_app: WebApp) -> str:
    """One librarian session for the module (a login is a deliberate scrypt: too slow per example)."""
    if web_app.port not in _LIBRARIAN:
        _LIBRARIAN[web_app.port] = web_app.login()
    return _LIBRARIAN[web_app.port]


def app_log(web_app: WebApp) -> str:
    return (web_app.directory / "app.log").read_text(errors="replace")


def raw(web_app: WebApp, data: bytes, timeout: float = 30) -> bytes:
    """Send bytes as they are on one connection and read until the server closes it."""
    with socket.create_connection(("127.0.0.1", web_app.port), timeout=timeout) as sock:
        sock.sendall(data)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    return received


def split(reply: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = reply.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def check(reply: Reply, method: str, route: str) -> None:
    """The reply has the route's documented type; an error is a short JSON reason."""
    if method == "HEAD":
        return
    if route in PNG_ROUTES and reply.status == 200:
        assert reply.body.startswith(b"\x89PNG"), reply.body[:40]
        return
    check_reply(reply)


hosts = st.sampled_from(["own", "own", "own", "localhost", "evil.example", "127.0.0.1:1", "", None])
origins = st.sampled_from([None, None, "own", "http://evil.example", "null", "http://127.0.0.1:1"])
auths = st.sampled_from([None, "cli", "librarian", "Bearer wrong"])


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(method=methods, route=st.sampled_from(ROUTES), query=query_strings, body=bodies, content_type=content_types,
       length=st.one_of(st.just(""), st.just(""), content_lengths), auth=auths, host=hosts, origin=origins)
def test_random_requests_to_every_route_get_an_answer(web_app: WebApp, method: str, route: str, query: str, body: bytes,
                                                      content_type: str | None, length: str | None, auth: str | None,
                                                      host: str | None, origin: str | None) -> None:
    own = f"127.0.0.1:{web_app.port}"
    headers: dict[str, str | None] = {
        "Host": {"own": own, "localhost": f"localhost:{web_app.port}"}.get(host or "", host),
        "Origin": web_app.url if origin == "own" else origin, "Content-Type": content_type,
        "Authorization": {"cli": f"Bearer {cli_token(web_app)}", "librarian": f"Bearer {librarian(web_app)}"}.get(auth or "", auth),
        "Content-Length": str(len(body)) if length == "" else length,
    }
    try:
        reply = send(web_app.url, method, route + query, body, headers, timeout=30)
    except OSError as exc:  # TimeoutError, RemoteDisconnected, ConnectionResetError
        raise AssertionError(f"{method} {route}: no reply ({type(exc).__name__})") from exc
    check(reply, method, route)
    malformed_length = headers["Content-Length"] is not None and not headers["Content-Length"].isdigit()
    if reply.status == 400 and (b"Bad request" in reply.body or (method == "HEAD" and malformed_length)):
        return  # h11 refused the request line or a header before any rule of ours ran (a HEAD reply has no body)
    sent_host, sent_origin = headers["Host"], headers["Origin"]
    if host is None:
        assert reply.status in (400, 403), reply  # HTTP/1.1 without Host: h11 refuses it first (empty for HEAD)
    elif host in ("evil.example", ""):  # the name is checked, not the port (a local proxy may forward)
        assert reply.status == 403, (host, reply)
    elif sent_origin and method in STATE_CHANGING and urlsplit(sent_origin).netloc != sent_host:
        assert reply.status == 403, (sent_origin, sent_host, reply)  # same origin: the very host and port asked
    assert reply.status != 500, reply  # a 500 is a bug: the server's log would hold its traceback


@pytest.mark.parametrize("origin", ["http://127.0.0.1:1", "http://localhost:{port}", "http://evil.example:{port}", "null"])
def test_a_post_from_another_origin_is_refused(web_app: WebApp, origin: str) -> None:
    """Another local program's page (another port) is another site; so is localhost when the page was 127.0.0.1."""
    body = b'{"query": "subcarinal", "k": 1}'
    reply = send(web_app.url, "POST", "/api/search", body, {
        "Host": f"127.0.0.1:{web_app.port}", "Origin": origin.format(port=web_app.port),
        "Content-Type": "application/json", "Content-Length": str(len(body))})
    assert reply.status == 403 and "cross-origin" in check_reply(reply)["error"]
    same = send(web_app.url, "POST", "/api/search", body, {
        "Host": f"localhost:{web_app.port}", "Origin": f"http://localhost:{web_app.port}",
        "Content-Type": "application/json", "Content-Length": str(len(body))})
    assert same.status == 200, same


def test_unknown_routes_and_methods_are_json(web_app: WebApp) -> None:
    host = {"Host": f"127.0.0.1:{web_app.port}"}
    unknown = send(web_app.url, "GET", "/api/nope", b"", host)
    wrong_method = send(web_app.url, "DELETE", "/api/health", b"", host)
    forward_get = send(web_app.url, "GET", "/_rag/search", b"", host)
    assert unknown.status == 404 and "/api/nope" in check_reply(unknown)["error"]
    assert wrong_method.status == 405 and "DELETE" in check_reply(wrong_method)["error"]
    assert forward_get.status == 405 and "POST" in check_reply(forward_get)["hint"]


@pytest.mark.parametrize(("route", "auth"), [("/api/search", None), ("/api/ask", None), ("/_rag/search", "cli"),
                                             ("/api/admin/retire", "librarian")])
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_json_routes_refuse_other_content_types(web_app: WebApp, route: str, auth: str | None,
                                                content_type: str | None) -> None:
    """A page on another site can POST text/plain or a form without a preflight: never read as a request."""
    body = b'{"query": "subcarinal", "question": "subcarinal nodes?", "doc_id": "ajcc8-lung"}'
    token = cli_token(web_app) if auth == "cli" else librarian(web_app) if auth else None
    reply = send(web_app.url, "POST", route, body, {
        "Host": f"127.0.0.1:{web_app.port}", "Content-Type": content_type, "Content-Length": str(len(body)),
        "Authorization": f"Bearer {token}" if token else None})
    assert reply.status == 415 and "application/json" in check_reply(reply)["error"]


def test_a_body_shorter_than_announced_gets_a_400_after_the_read_timeout(web_app: WebApp) -> None:
    for route, auth in (("/api/search", ""), ("/_rag/search", f"Authorization: Bearer {cli_token(web_app)}\r\n")):
        started = time.monotonic()
        reply = raw(web_app, (f"POST {route} HTTP/1.1\r\nHost: 127.0.0.1:{web_app.port}\r\n{auth}"
                              "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"query\":").encode())
        status, headers, body = split(reply)
        assert time.monotonic() - started < 15  # RAG_SERVER_READ_TIMEOUT_S=2 in the fixture, not a hang
        assert status == 400 and "shorter than Content-Length" in json.loads(body)["error"], reply


def test_an_impossible_content_length_is_refused_at_once(web_app: WebApp) -> None:
    started = time.monotonic()
    status, _, body = split(raw(web_app, (f"POST /api/search HTTP/1.1\r\nHost: 127.0.0.1:{web_app.port}\r\n"
                                          "Content-Type: application/json\r\nContent-Length: 99999999999\r\n\r\n{").encode()))
    assert status == 413 and "too large" in json.loads(body)["error"]
    assert time.monotonic() - started < 5  # answered from the header, not after reading


@pytest.mark.parametrize("length", ["abc", "-1", "1e3"])
def test_a_malformed_content_length_gets_json(web_app: WebApp, length: str) -> None:
    status, headers, body = split(raw(web_app, (f"POST /api/search HTTP/1.1\r\nHost: 127.0.0.1:{web_app.port}\r\n"
                                                f"Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n{{}}").encode()))
    assert status == 400 and headers["content-type"] == "application/json" and json.loads(body)["error"]


def test_a_multipart_upload_without_boundary_is_a_json_400(web_app: WebApp) -> None:
    reply = send(web_app.url, "POST", "/api/admin/upload", b"\x00garbage", {
        "Host": f"127.0.0.1:{web_app.port}", "Content-Type": "multipart/form-data", "Content-Length": "8",
        "Authorization": f"Bearer {librarian(web_app)}"})
    assert reply.status == 400 and "boundary" in check_reply(reply)["error"]


def test_a_client_that_leaves_mid_body_leaves_no_traceback(web_app: WebApp) -> None:
    with socket.create_connection(("127.0.0.1", web_app.port), timeout=10) as sock:
        sock.sendall((f"POST /_rag/search HTTP/1.1\r\nHost: 127.0.0.1:{web_app.port}\r\n"
                      f"Authorization: Bearer {cli_token(web_app)}\r\nContent-Type: application/json\r\n"
                      "Content-Length: 50\r\n\r\n{\"query\"").encode())
        time.sleep(0.5)
    time.sleep(3)  # past the read timeout: the route has seen the disconnect


def test_no_traceback_in_the_server_log_and_the_app_still_answers(web_app: WebApp) -> None:
    """Runs last in this module: everything above went through the same process."""
    log = app_log(web_app)
    assert "Traceback" not in log and "Exception in ASGI application" not in log, log[-3000:]
    with web_app.client() as client:
        found = client.post("/api/search", json={"query": "visceral pleural invasion", "k": 1})
    assert found.status_code == 200 and found.json()["results"]
