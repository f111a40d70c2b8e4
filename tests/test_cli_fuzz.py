"""Random argv for every ``rag`` subcommand: exit 0/1/2, JSON on stdout with ``--json``, never a traceback.

Why in-process: a subprocess per example would cost seconds of imports; ``rag.cli.main(argv)`` with
captured streams runs the same code (settings from the environment included). A few real
subprocess runs at the end check what in-process cannot: the interpreter's own argv decoding and
exit status.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import traceback
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag.cli import main
from tests.conftest import REPO, write

LUNG = ("---\ndoc_id: lung\ntitle: Lung demo\nsystem: AJCC8-lung\nedition: AJCC 8th edition\neffective_date: 2018-01-01\n"
        "source: Demo (2017)\nlicense: CC-BY-4.0\n---\n# Lung\n\n## N2 [LUNG8.N.N2]\nSubcarinal (station 7) nodes are N2.\n")


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """A tiny built index, and input files of every kind, with RAG_* pointing at them."""
    root = tmp_path_factory.mktemp("fuzz")
    corpus = root / "corpus"
    write(corpus / "lung.md", LUNG)
    files = {
        "corpus": corpus,
        "good_queries": write(root / "q.jsonl", json.dumps({"id": 1, "query": "subcarinal"}) + "\n"),
        "bad_queries": write(root / "bad.jsonl", '{"id": 1, "query": 5}\nnot json\n[1]\n{"query": "\\ud800"}\n'
                                                 '{"id": NaN, "query": "x"}\n{"id": {"a": 1}, "query": "x"}\n'),
        "stages": write(root / "s.jsonl", '{"id": 1, "system": "AJCC8-lung", "tnm": "T2a N1 M0"}\n'
                                          '{"id": 2, "system": "AJCC8-lung", "text": 5}\n'
                                          '{"id": 3, "system": "AJCC8-lung", "tnm": ["T1"]}\n'
                                          '{"id": 4, "system": "AJCC8-prostate", "tnm": "T2 N0 M0", "findings": {"psa": 1e999}}\n'
                                          '{"id": 5, "system": "AJCC8-lung", "text": "\\udc80 T2"}\n'
                                          '{"id": 6, "system": 7}\n{"id": 7}\n'),
        "latin1": root / "latin1.md",
        "binary": root / "binary.md",
        "out": root / "out.jsonl",
        "dir_out": root,  # a folder where a file is expected
    }
    files["latin1"].write_bytes("---\ntitle: caf\xe9\n---\n# Caf\xe9\n\nTexte.\n".encode("latin-1"))
    files["binary"].write_bytes(bytes(range(256)) * 4)
    saved = dict(os.environ)
    os.environ.update(RAG_INDEX_DIR=str(root / "index"), RAG_CORPORA_DIR=str(corpus), RAG_QUERY_RUNTIME="torch")
    try:
        assert run(["ingest", str(corpus), "--json"])[0] == 0
        yield files
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run(argv: list[str], stdin: bytes = b"T2a N1 M0") -> tuple[int, str, str]:
    """``rag ARGV`` in this process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    saved_stdin = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    try:
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as exc:  # argparse (usage errors, --help)
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
            except BaseException:
                err.write(traceback.format_exc())
                code = 99
    finally:
        sys.stdin = saved_stdin
    return code, out.getvalue(), err.getvalue()


def check(argv: list[str], code: int, out: str, err: str) -> None:
    assert code in (0, 1, 2), f"rag {argv!r}: exit {code}\n{err}"
    assert "Traceback" not in err, f"rag {argv!r}:\n{err}"
    if code != 0:
        # exit 1 may be a report on stdout (`rag ingest` rejections, `rag corpus check` problems); exit 2 says why on stderr
        assert err.strip() or (code == 1 and out.strip()), f"rag {argv!r}: exit {code} and no reason given"
        assert len([ln for ln in err.splitlines() if ln.startswith("error:")]) <= 1 or "usage" in err, err
    if code == 0 and "--json" in argv and "--out" not in argv and "--help" not in argv and "-h" not in argv:
        lines = [ln for ln in out.splitlines() if ln.strip()]
        assert lines, f"rag {argv!r}: --json printed nothing"
        for line in lines:
            json.loads(line, parse_constant=lambda name: pytest.fail(f"{name} in JSON output of {argv!r}"))


# strategies --------------------------------------------------------------------------------
_text = st.one_of(
    st.text(max_size=30),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x1F, exclude_characters="\x00"), max_size=8),
    st.sampled_from(["", " ", "\udcff", "\ud800x", "NaN", "nan", "inf", "-inf", "1e999", "-1", "0", "9" * 40,
                     "subcarinal nodes", "T2a N1 M0", "pT3 pN1a M0", "--json", "-", "{}", '{"psa": NaN}',
                     '{"psa": 1e999}', '{"psa": "x"}', "[1,2]", "AJCC8-lung", "BI-RADS", "a" * 5000]),
)
_numbers = st.one_of(st.sampled_from(["0", "-1", "1", "8", "NaN", "1e3", "", "9" * 40, "0x10", " 3", "abc", "65536", "99999"]),
                     st.integers(min_value=-(10**20), max_value=10**20).map(str))


def _paths(files: dict[str, Path]) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from([str(p) for p in files.values()] + ["/nonexistent/x.md", "/nonexistent/dir/",
                                                                         "/dev/null", "", "\udcff.md", "missing.pdf"]))


def _argv(files: dict[str, Path]) -> st.SearchStrategy[list[str]]:
    paths = _paths(files)
    # Outputs go only where nothing is read from: the fuzz must not overwrite its own inputs.
    outs = st.sampled_from([str(files["out"]), str(files["dir_out"]), "/nonexistent/out.jsonl", "/dev/null", "",
                            str(files["dir_out"]) + "/\udcff.jsonl"])

    def build(parts: list[tuple[str, str | None] | str]) -> list[str]:
        argv: list[str] = []
        for part in parts:
            if isinstance(part, str):
                argv.append(part)
            elif part[1] is not None:
                argv.extend(part)
        return argv

    def opts(*pairs: tuple[str, st.SearchStrategy[str]]) -> st.SearchStrategy[list[tuple[str, str | None]]]:
        return st.tuples(*(st.one_of(st.none(), value).map(lambda v, n=name: (n, v)) for name, value in pairs)).map(list)

    flag = st.sampled_from([[], ["--json"]])
    search = st.tuples(st.lists(_text, max_size=2), opts(("--k", _numbers), ("--mode", st.sampled_from(["hybrid", "bm25", "dense", "x"])),
                                                         ("--system", _text), ("--language", _text)), flag) \
        .map(lambda t: ["search", *t[0], *build(t[1]), *t[2]])
    batch = st.tuples(paths, outs, opts(("--k", _numbers), ("--mode", st.sampled_from(["bm25", "hybrid"])))) \
        .map(lambda t: ["search", "--batch", t[0], "--out", t[1], *build(t[2])])
    ask = st.tuples(st.lists(_text, min_size=1, max_size=2), opts(("--backend", st.sampled_from(["extractive", "nope", "", "llamacpp"]))),
                    flag).map(lambda t: ["ask", *t[0], *build(t[1]), *t[2]])
    stage = st.tuples(opts(("--system", st.one_of(_text, st.sampled_from(["AJCC8-lung", "AJCC8-prostate", "Lung-RADS-v2022"]))),
                           ("--text", _text), ("--tnm", _text), ("--findings", _text), ("--file", paths)), flag) \
        .map(lambda t: ["stage", *build(t[0]), *t[1]])
    stage_batch = st.tuples(paths, st.one_of(st.none(), outs), flag) \
        .map(lambda t: ["stage", "--batch", t[0], *(["--out", t[1]] if t[1] is not None else []), *t[2]])
    ingest = st.tuples(st.lists(paths, min_size=1, max_size=3), flag).map(lambda t: ["ingest", *t[0], *t[1]])
    corpus = st.one_of(
        flag.map(lambda f: ["corpus", "list", *f]),
        st.tuples(st.one_of(st.none(), paths), flag).map(lambda t: ["corpus", "check", *([t[0]] if t[0] else []), *t[1]]),
        st.tuples(_text, st.one_of(st.none(), _text), flag).map(
            lambda t: ["corpus", "retire", t[0] or "x", *(["--reason", t[1]] if t[1] is not None else []), *t[2]]),
        st.tuples(_numbers, flag).map(lambda t: ["corpus", "audit", "--limit", t[0], *t[1]]),
        st.tuples(st.one_of(st.none(), _text), _numbers, flag).map(
            lambda t: ["corpus", "history", *([t[0]] if t[0] else []), "--limit", t[1], *t[2]]),
        st.tuples(_text, flag).map(lambda t: ["corpus", "show", t[0] or "x", *t[1]]),
        st.tuples(_text, flag).map(lambda t: ["cite", t[0] or "x", *t[1]]),
        st.tuples(st.lists(paths, min_size=1, max_size=2), _numbers, opts(("--edition", _text), ("--effective-date", _text)), flag).map(
            lambda t: ["corpus", "add", *t[0], "--wait", t[1], *build(t[2]), *t[3]]),
        st.tuples(_text, paths, _numbers, flag).map(lambda t: ["corpus", "replace", t[0] or "x", t[1], "--wait", t[2], *t[3]]),
        st.tuples(_text, _numbers, flag).map(lambda t: ["corpus", "restore", t[0] or "x", "--wait", t[1], *t[2]]),
    )
    serve = st.sampled_from(["-1", "65536", "abc", "", "1e3", "9" * 30]).map(lambda p: ["serve", "--port", p])
    commands = {"serve", "ingest", "search", "ask", "stage", "corpus", "cite"}  # junk must not start a server or walk "/"
    junk = st.lists(_text, max_size=4).filter(lambda argv: not argv or argv[0] not in commands)
    return st.one_of(search, batch, ask, stage, stage_batch, ingest, corpus, serve, junk)


@pytest.mark.slow
def test_random_argv_never_gives_a_traceback(env: dict[str, Path]) -> None:
    @settings(max_examples=int(os.environ.get("RAG_FUZZ_EXAMPLES", "150")), deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(argv=_argv(env))
    def one(argv: list[str]) -> None:
        code, out, err = run(argv)
        check(argv, code, out, err)
        outcomes[(argv[0] if argv else "", code)] = outcomes.get((argv[0] if argv else "", code), 0) + 1

    outcomes: dict[tuple[str, int], int] = {}
    one()
    print("fuzz outcomes (command, exit): count", sorted(outcomes.items()))
    # The fuzz must reach the commands, not only the argument parser: some runs succeed, some are refused.
    assert {code for _, code in outcomes} >= {0, 2}, outcomes
    code, out, _ = run(["search", "subcarinal", "--k", "1", "--json"])  # the index still serves
    assert code == 0 and "station 7" in json.loads(out)["results"][0]["text"]


@pytest.mark.parametrize(("argv", "code", "needle"), [
    (["search", "x", "--k", "0"], 2, "--k"),
    (["search", "x", "--k", "9" * 30], 2, "--k"),
    (["search", "x", "--json", "--batch", "no-such-folder/q.jsonl", "--out", "no-such-folder/x.jsonl"], 2, "cannot read"),
    (["stage", "--system", "AJCC8-prostate", "--tnm", "T2 N0 M0", "--findings", '{"psa": NaN}'], 2, "NaN"),
    (["stage", "--system", "AJCC8-prostate", "--tnm", "T2 N0 M0", "--findings", '{"psa": 1e999}'], 2, "out of range"),
    (["stage", "--system", "AJCC8-prostate", "--tnm", "T2 N0 M0", "--findings", '{"psa": -4}'], 2, "plausible"),
    (["stage", "--system", "AJCC8-lung", "--text", "T2 \udcff"], 2, "UTF-8"),
    (["stage", "--system", "AJCC8-lung", "--file", "/nonexistent/report.txt"], 2, "cannot read"),
    (["serve", "--port", "70000"], 2, "--port"),
])
def test_bad_input_is_one_line_exit_2(env: dict[str, Path], argv: list[str], code: int, needle: str) -> None:
    got, out, err = run(argv)
    check(argv, got, out, err)
    assert got == code and needle in err, err
    assert len(err.strip().splitlines()) == 1, err


def test_out_that_cannot_be_opened(env: dict[str, Path]) -> None:
    for target in (env["dir_out"], Path("/nonexistent/out.jsonl")):
        argv = ["stage", "--batch", str(env["stages"]), "--out", str(target)]
        code, _, err = run(argv)
        assert code == 2 and "cannot write" in err and "Traceback" not in err, err


def test_stage_batch_bad_lines_never_stop_the_batch(env: dict[str, Path]) -> None:
    for to_file in (False, True):
        argv = ["stage", "--batch", str(env["stages"])] + (["--out", str(env["out"])] if to_file else [])
        code, out, err = run(argv)
        assert code == 0, err
        text = env["out"].read_text() if to_file else out
        records = [json.loads(line) for line in text.splitlines()]
        assert [r["id"] for r in records] == [1, 2, 3, 4, 5, 6, 7]
        assert records[0]["result"]["stage"] == "IIB"
        assert all("error" in r for r in records[1:]), records
        assert "must be a text string" in records[1]["error"] and "finite" in records[3]["error"]


def test_search_batch_bad_lines_never_stop_the_batch(env: dict[str, Path]) -> None:
    code, _, err = run(["search", "--batch", str(env["bad_queries"]), "--out", str(env["out"]), "--mode", "bm25"])
    assert code == 0, err
    records = [json.loads(line) for line in env["out"].read_text().splitlines()]
    assert len(records) == 6 and all("error" in r for r in records[:4]), records
    # Ids that cannot be written back as JSON (NaN, an object) come back as their text; the query is answered.
    assert [r["id"] for r in records[4:]] == ["nan", "{'a': 1}"] and all("results" in r for r in records[4:])


@pytest.mark.slow  # embeds a corpus with the real model
def test_the_busy_message_names_the_locked_folder(env: dict[str, Path]) -> None:
    """Another process holds the embedded index (as the app would) and no server answers: the error names the held folder."""
    from rag.config import Settings
    from rag.workspace import Workspace

    holder = subprocess.Popen([sys.executable, "-c", "import sys\nfrom rag.config import Settings\nfrom rag.workspace import Workspace\n"
                               "w = Workspace(Settings()); w.vectors.ensure_collection(); print('held', flush=True); sys.stdin.read()"],
                              cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        code, _, err = run(["search", "subcarinal", "--mode", "dense"])
    finally:
        holder.communicate("", timeout=60)
    store = Workspace(Settings()).vectors
    folder = str(getattr(store, "path", Settings().qdrant_path))
    assert code == 1 and folder in err and "no `rag serve` answers" in err, err


def _subprocess(*args: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", **(env_extra or {}))
    return subprocess.run([sys.executable, "-m", "rag", *args], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=300, errors="replace")


@pytest.mark.parametrize(("args", "env_extra", "needle"), [
    (("stage", "--system", "AJCC8-lung", "--tnm", "T1a N0 M0"), {"RAG_TOP_K": "abc"}, "RAG_TOP_K"),
    (("stage", "--system", "AJCC8-lung", "--tnm", "T1a N0 M0"), {"RAG_INDEX_DIR": "/etc/passwd"}, "RAG_INDEX_DIR"),
    (("stage", "--system", "AJCC8-lung", "--tnm", "T1a N0 M0"), {"RAG_QDRANT_URL": "qdrant:6333:x"}, "RAG_QDRANT_URL"),
    (("stage", "--system", "AJCC8-lung", "--tnm", "T1a N0 M0"), {"RAG_MAX_FILE_MB": "-1"}, "RAG_MAX_FILE_MB"),
])
def test_invalid_settings_are_one_line_exit_2_in_a_real_process(env: dict[str, Path], args: tuple[str, ...],
                                                                 env_extra: dict[str, str], needle: str) -> None:
    result = _subprocess(*args, env_extra=env_extra)
    assert result.returncode == 2 and needle in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_undecodable_argv_bytes_in_a_real_process(env: dict[str, Path]) -> None:
    result = subprocess.run([sys.executable, "-m", "rag", "stage", "--system", "AJCC8-lung", "--text", b"T2 \xff N0"],
                            cwd=REPO, capture_output=True, timeout=300)
    assert result.returncode == 2 and b"not valid UTF-8" in result.stderr and b"Traceback" not in result.stderr


def _closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("args", [("search", "subcarinal", "--k", "1"), ("search", "subcarinal", "--json"),
                                  ("ingest", "lung.md")])
def test_an_unreachable_qdrant_url_is_one_line_exit_2_in_a_real_process(env: dict[str, Path], args: tuple[str, ...]) -> None:
    """Not a second line from qdrant-client's background version check (a UserWarning, by timing)."""
    args = tuple(str(env["corpus"] / a) if a == "lung.md" else a for a in args)
    url = f"http://127.0.0.1:{_closed_port()}"
    result = _subprocess(*args, env_extra={"RAG_QDRANT_URL": url, "PYTHONWARNINGS": "always"})
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.strip().splitlines() == [result.stderr.strip()] and url in result.stderr, result.stderr
    assert "RAG_QDRANT_URL" in result.stderr and result.stdout == "", result


def test_opening_an_unreachable_qdrant_leaves_no_warning_behind() -> None:
    """The race made deterministic: wait for every thread the client started, then look for warnings."""
    import threading
    import warnings

    from rag.config import Settings
    from rag.errors import QdrantUnreachable
    from rag.index.qdrant import QdrantClientStore

    before = set(threading.enumerate())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        store = QdrantClientStore(Settings(qdrant_url=f"http://127.0.0.1:{_closed_port()}"))
        with pytest.raises(QdrantUnreachable) as raised:
            store.client  # noqa: B018 - opening is the test
        for thread in set(threading.enumerate()) - before:
            thread.join(timeout=30)
    assert raised.value.exit_code == 2
    assert [str(w.message) for w in caught] == []
