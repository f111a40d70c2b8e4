"""Random requests against a JSON-over-HTTP API: every request must get a JSON reply.

Why a module of its own: the same property holds for ``rag serve`` and for the web app's REST API
(CONTRACT.md: "errors are HTTP 400 or 500 with a JSON body — never a dropped connection"), so the
strategies and the check take a base URL and headers, and can be pointed at either::

    python tests/http_fuzz.py http://127.0.0.1:7860 --route /api/search --route /api/ask \
        --header "Authorization: Bearer $TOKEN" --examples 300

The check: a status line arrives, the status is < 500 or exactly 500 with a short JSON ``error``,
the body parses as JSON (an object), and the server still answers afterwards.
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from hypothesis import strategies as st

# Text that has broken parsers before: control characters, lone surrogates (as JSON escapes),
# very long strings, numbers that overflow, NaN spelled out.
_nasty_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x1F), max_size=10),
    st.sampled_from(["", " ", "\x00", "\ud800", "NaN", "1e999", "-1", "0", "../../etc/passwd", "/etc/passwd",
                     "a" * 20_000, "subcarinal nodes", "T2a N1 M0", "{}", "[]"]),
)
_json_scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(10**30), max_value=10**30),
                          st.floats(allow_nan=False, allow_infinity=False), _nasty_text)
json_values = st.recursive(_json_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                                   st.dictionaries(_nasty_text, inner, max_size=4)),
                           max_leaves=12)
# Keys every route of ours reads, so the random objects reach the validators and not only "unknown field".
_known_keys = st.sampled_from(["query", "k", "mode", "filters", "question", "backend", "session", "paths",
                               "system", "text", "tnm", "findings", "doc_id", "reason"])
json_objects = st.dictionaries(st.one_of(_known_keys, _nasty_text), json_values, max_size=5)


def _raw_body(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=True).encode()


bodies = st.one_of(
    json_objects.map(_raw_body),
    json_values.map(_raw_body),
    st.binary(max_size=200),
    st.sampled_from([b"", b"{", b"NaN", b'{"k": NaN}', b'{"query": "\\ud800"}', b"\xff\xfe", b"[" * 5000 + b"]" * 5000,
                     b'{"query": "x", "k": 1e999}', b'{"paths": "abc"}', b'{"query": {"a": 1}}', b'{"k": "abc"}']),
)
content_types = st.sampled_from(["application/json", "application/json; charset=utf-8", "text/plain", "", None,
                                 "multipart/form-data", "application/x-www-form-urlencoded"])
# (header value or None to omit, or "" meaning "send the real length")
content_lengths = st.sampled_from([None, "", "-1", "abc", "99999999999", "1e3", " 5 ", "0"])
methods = st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"])
# Query strings for the GET routes: the keys they read with nasty values, and raw junk that is not valid
# percent-encoding, so the parameter validators (and what lies behind them) see every shape.
_query_keys = st.sampled_from(["chunk_id", "page", "quote", "limit", "k", "query"])
_query_values = st.one_of(_nasty_text, st.integers(min_value=-(10**30), max_value=10**30).map(str),
                          st.sampled_from(["1e999", "NaN", "-0", "2", "1"]))
query_strings = st.one_of(
    st.just(""),
    st.dictionaries(_query_keys, _query_values, max_size=4).map(
        lambda d: "?" + urlencode({k: v.encode("utf-8", "surrogatepass") for k, v in d.items()})),
    st.sampled_from(["?page=%zz", "?chunk_id=%00&page=1", "?page=1&page=2&chunk_id=a&chunk_id=b", "?" + "a" * 9000,
                     "?quote=%ED%A0%80&page=1&chunk_id=x", "?limit=99999999999999999999999"]),
)


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes


def send(base_url: str, method: str, path: str, body: bytes, headers: Mapping[str, str | None],
         timeout: float = 30) -> Reply:
    """One raw HTTP request (headers exactly as given, Content-Length included) and its reply."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=timeout)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for name, value in headers.items():
            if value is not None:
                connection.putheader(name, value)
        connection.endheaders(body)
        response = connection.getresponse()
        return Reply(response.status, response.read())
    finally:
        connection.close()


def check_reply(reply: Reply) -> dict[str, Any]:
    """The JSON object in a reply, asserting the properties every reply must have."""
    assert reply.status < 500 or reply.status == 500, reply
    try:
        payload = json.loads(reply.body)
    except ValueError as exc:
        raise AssertionError(f"status {reply.status}: body is not JSON: {reply.body[:200]!r}") from exc
    assert isinstance(payload, dict), payload
    if reply.status >= 400:
        assert isinstance(payload.get("error"), str) and payload["error"], payload
        assert "Traceback" not in payload["error"] and len(payload["error"]) < 2000, payload
    return payload


def fuzz_request(base_url: str, method: str, path: str, body: bytes, headers: dict[str, str | None],
                 content_length: str | None) -> Reply:
    """Send one fuzzed request; ``content_length`` "" means the true length, None omits the header."""
    headers = dict(headers)
    headers["Content-Length"] = str(len(body)) if content_length == "" else content_length
    try:
        reply = send(base_url, method, path, body, headers)
    except (TimeoutError, http.client.RemoteDisconnected, ConnectionResetError) as exc:
        raise AssertionError(f"{method} {path}: no reply ({type(exc).__name__}) for body {body[:80]!r}") from exc
    check_reply(reply)
    return reply


def main(argv: list[str] | None = None) -> int:
    """Fuzz a running server from the command line (the web app, or `rag serve`)."""
    from hypothesis import given, settings

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("base_url")
    parser.add_argument("--route", action="append", required=True, help="POST route, e.g. /api/search (repeatable)")
    parser.add_argument("--header", action="append", default=[], help="'Name: value' sent with every request")
    parser.add_argument("--examples", type=int, default=200)
    args = parser.parse_args(argv)
    host = urlsplit(args.base_url).netloc
    fixed: dict[str, str | None] = {"Host": host}
    for header in args.header:
        name, _, value = header.partition(":")
        fixed[name.strip()] = value.strip()

    @settings(max_examples=args.examples, deadline=None, database=None)
    @given(route=st.sampled_from(args.route), body=bodies, content_type=content_types, length=st.just(""))
    def run(route: str, body: bytes, content_type: str | None, length: str) -> None:
        fuzz_request(args.base_url, "POST", route, body, {**fixed, "Content-Type": content_type}, length)

    run()
    print(f"ok: {args.examples} examples per run, every request answered with JSON", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
