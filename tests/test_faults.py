"""Faults (issue 14): the LLM server dies mid-answer, the disk fills during an ingest, the server is
SIGKILLed. Each time the user gets a clear answer and the previous index keeps serving.

Real components throughout: a real HTTP stub that cuts its reply short, a real full filesystem
(a 400 MB tmpfs; mounting one needs root, so elsewhere that test is skipped with the reason), a real SIGKILL.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from rag.config import Settings
from rag.corpus.ingest import ingest
from rag.retrieval.retrieve import Retriever
from rag.server import RagHTTPServer
from rag.workspace import Workspace
from tests.conftest import REPO, write
from tests.http_fuzz import check_reply, send

LUNG = ("---\ndoc_id: lung\ntitle: Lung demo\nsystem: AJCC8-lung\nedition: AJCC 8th edition\neffective_date: 2018-01-01\n"
        "source: Demo (2017)\nlicense: CC-BY-4.0\n---\n# Lung\n\n## N2 [LUNG8.N.N2]\nSubcarinal (station 7) nodes are N2.\n")


def _post(server: RagHTTPServer, path: str, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    body = json.dumps(payload).encode()
    reply = send(server.url, "POST", path, body, {
        "Host": server.url.removeprefix("http://"), "Authorization": f"Bearer {server.token}",
        "Content-Type": "application/json", "Content-Length": str(len(body))})
    return reply.status, check_reply(reply)


def _cut_short(handler: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
    """Start a reply (SSE or JSON, as asked) and die: the connection closes mid-answer."""
    handler.send_response(200)
    if body.get("stream"):
        handler.send_header("Content-Type", "text/event-stream")
        handler.end_headers()
        handler.wfile.write(b'data: {"choices": [{"index": 0, "delta": {"content": "Subcarinal nodes are"}}]}\n\n')
    else:
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", "400")
        handler.end_headers()
        handler.wfile.write(b'{"choices": [{"index": 0, "message": {"content": "Subcarinal')
    handler.wfile.flush()
    handler.close_connection = True
    handler.connection.shutdown(2)


@pytest.mark.slow  # embeds a corpus with the real model
def test_llm_server_dying_mid_answer(tmp_path: Path, stub_server: Callable[..., Any]) -> None:
    """The answer says the LLM failed (and is answered extractively); the server stays up."""
    stub = stub_server(_cut_short)
    corpus = write(tmp_path / "corpus" / "lung.md", LUNG).parent
    config = Settings(index_dir=tmp_path / "index", corpora_dir=corpus, llm_backend="openai", llm_base_url=stub.base_url,
                      llm_model="tiny", llm_timeout_s=10)
    workspace = Workspace(config)
    try:
        ingest(workspace, [corpus], progress=False)
    finally:
        workspace.close()
    server = RagHTTPServer(config)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        status, answer = _post(server, "/ask", {"question": "Which nodes are N2 in lung cancer?", "backend": "openai"})
        assert stub.requests, "the LLM server was never called"
        assert status == 200 and answer["backend"] == "extractive", answer
        assert "openai" in answer["notice"] and "failed" in answer["notice"], answer
        status, found = _post(server, "/search", {"query": "subcarinal", "k": 1})
        assert status == 200 and "station 7" in found["results"][0]["text"]
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 400 MB filesystem of our own (tmpfs), or None where mounting is not allowed."""
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=400m", "tmpfs", str(mount)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({made.stderr.decode().strip()}); disk-full is untested on this machine")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _index_then_fill(root: Path) -> tuple[Settings, Path]:
    corpus = write(root / "corpus" / "lung.md", LUNG).parent
    config = Settings(index_dir=root / "index", corpora_dir=corpus, vector_engine="edge")
    workspace = Workspace(config)
    try:
        assert ingest(workspace, [corpus], progress=False).counts == {"added": 1}
    finally:
        workspace.close()
    # A second, larger document that will not fit once the disk is full.
    write(corpus / "big.md", "---\ntitle: Big\n---\n# Big\n\n" + "".join(
        f"## Section {i}\n\nCarinal involvement paragraph {i} with distinct words w{i}x w{i}y w{i}z.\n\n" for i in range(400)))
    return config, corpus


def _assert_old_index_serves(config: Settings) -> None:
    workspace = Workspace(config)
    try:
        hits = Retriever(workspace).search("subcarinal station 7", k=3, mode="bm25")
        assert hits and "station 7" in hits[0].chunk.text
        assert [d.doc_id for d in workspace.catalog.documents()] == ["lung"]
    finally:
        workspace.close()


@pytest.mark.slow
def test_disk_full_during_ingest_leaves_the_old_index_serving(small_disk: Path) -> None:
    config, corpus = _index_then_fill(small_disk)
    filler = small_disk / "filler"
    with filler.open("wb") as handle:  # fill the disk to the last block
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError:
            pass
    result = subprocess.run([sys.executable, "-m", "rag", "ingest", str(corpus), "--json"], cwd=REPO, capture_output=True,
                            text=True, timeout=600, env=dict(os.environ, RAG_INDEX_DIR=str(config.index_dir),
                                                             RAG_CORPORA_DIR=str(corpus), PYTHONPATH=str(REPO)))
    assert result.returncode in (1, 2), result
    assert "Traceback" not in result.stderr, result.stderr
    # Refused before anything is opened: on a full disk the embedded engine's mmap writes die of SIGBUS.
    assert "MB free under" in result.stderr and "RAG_MIN_FREE_MB" in result.stderr, result.stderr
    _assert_old_index_serves(config)  # reads work on a full disk
    filler.unlink()
    _assert_old_index_serves(config)
    again = subprocess.run([sys.executable, "-m", "rag", "ingest", str(corpus), "--json"], cwd=REPO, capture_output=True,
                           text=True, timeout=600, env=dict(os.environ, RAG_INDEX_DIR=str(config.index_dir),
                                                            RAG_CORPORA_DIR=str(corpus), PYTHONPATH=str(REPO)))
    assert again.returncode == 0 and json.loads(again.stdout)["counts"] == {"added": 1, "unchanged": 1}, again


@pytest.mark.slow
def test_restart_after_sigkill_has_no_stale_lock(tmp_path: Path) -> None:
    corpus = write(tmp_path / "corpus" / "lung.md", LUNG).parent
    index = tmp_path / "index"
    env = dict(os.environ, RAG_INDEX_DIR=str(index), RAG_CORPORA_DIR=str(corpus), PYTHONPATH=str(REPO), HF_HUB_OFFLINE="1")
    assert subprocess.run([sys.executable, "-m", "rag", "ingest", str(corpus)], cwd=REPO, env=env, capture_output=True,
                          timeout=600).returncode == 0

    def start() -> subprocess.Popen[str]:
        (index / "server.json").unlink(missing_ok=True)
        process = subprocess.Popen([sys.executable, "-m", "rag", "serve"], cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 300
        while not (index / "server.json").exists():
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            assert time.monotonic() < deadline
            time.sleep(0.2)
        return process

    first = start()
    first.send_signal(signal.SIGKILL)
    first.communicate(timeout=30)  # reaps it and closes the pipe
    assert (index / "server.json").exists()  # left behind by the killed server: must not confuse anyone
    search = subprocess.run([sys.executable, "-m", "rag", "search", "subcarinal", "--k", "1", "--json"], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=600)
    assert search.returncode == 0 and "station 7" in search.stdout, search.stderr  # the lock died with the process
    second = start()
    try:
        forwarded = subprocess.run([sys.executable, "-m", "rag", "search", "subcarinal", "--k", "1", "--json"], cwd=REPO,
                                   env=env, capture_output=True, text=True, timeout=600)
        assert forwarded.returncode == 0 and "station 7" in forwarded.stdout, forwarded.stderr
    finally:
        second.terminate()
        second.communicate(timeout=60)
    assert not (index / "server.json").exists() and not (index / "server.token").exists()
    shutil.rmtree(index)


def _tree_digest(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` and the hash of its bytes: a reader must change none of them."""
    import hashlib

    return {str(f.relative_to(folder)): hashlib.sha256(f.read_bytes()).hexdigest()
            for f in sorted(folder.rglob("*")) if f.is_file()}


@pytest.mark.slow
def test_a_read_only_index_still_searches(small_disk: Path, tmp_path: Path) -> None:
    """The index on a read-only mount: every search mode works (SQLite opened read-only, the vector
    shard searched from a private temporary copy that is removed at exit), writes fail in one line."""
    corpus = write(small_disk / "corpus" / "lung.md", LUNG).parent
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    env = dict(os.environ, RAG_INDEX_DIR=str(small_disk / "index"), RAG_CORPORA_DIR=str(corpus), PYTHONPATH=str(REPO),
               TMPDIR=str(private_tmp))

    def rag(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "rag", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=600)

    assert rag("ingest", str(corpus)).returncode == 0
    before = _tree_digest(small_disk / "index")
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    try:
        for mode in ("bm25", "hybrid", "dense"):
            found = rag("search", "subcarinal station 7 nodes", "--mode", mode, "--k", "1", "--json")
            assert found.returncode == 0 and "station 7" in found.stdout, (mode, found.stderr)
        for args in (("ingest", str(corpus / "lung.md"), "--json"), ("corpus", "retire", "lung")):
            result = rag(*args)
            assert "Traceback" not in result.stderr, (args, result.stderr)
            assert result.returncode in (1, 2) and len(result.stderr.strip().splitlines()) == 1, (args, result.stderr)
        # `rag serve` starts on it too (it used to die writing its token file there), announcing nothing.
        server = subprocess.Popen([sys.executable, "-m", "rag", "serve"], cwd=REPO, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        try:
            assert server.stdout is not None and "read-only index folder" in server.stdout.readline()
        finally:
            server.terminate()
            _, err = server.communicate(timeout=60)
        assert "Traceback" not in err, err
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)
    assert _tree_digest(small_disk / "index") == before
    assert list(private_tmp.glob("rag-edge-readonly-*")) == []  # the private copies went with their processes


def _without_root_overrides() -> None:
    """In a child about to exec: drop the capabilities that let root write (and read) past file modes,
    so ``chmod -R a-w`` binds it as it binds any user. Runs only where the test runs as root."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2, 3):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _as_a_user(*command: str, env: dict[str, str], stdin: int | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(list(command), cwd=REPO, env=env, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, preexec_fn=_without_root_overrides if os.geteuid() == 0 else None)


@pytest.fixture
def read_only_index(tmp_path: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    """A built index made read-only with ``chmod -R a-w`` (write bits restored afterwards), and the env to search it."""
    corpus = write(tmp_path / "corpus" / "lung.md", LUNG).parent
    index = tmp_path / "index"
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    env = dict(os.environ, RAG_INDEX_DIR=str(index), RAG_CORPORA_DIR=str(corpus), PYTHONPATH=str(REPO),
               TMPDIR=str(private_tmp), HF_HUB_OFFLINE="1")
    assert subprocess.run([sys.executable, "-m", "rag", "ingest", str(corpus)], cwd=REPO, env=env, capture_output=True,
                          timeout=600).returncode == 0
    probe = index / "probe"
    probe.write_text("")
    subprocess.run(["chmod", "-R", "a-w", str(index)], check=True)
    try:
        touched = _as_a_user("sh", "-c", f"echo x >> {probe}", env=env)
        touched.communicate(timeout=60)
        if touched.returncode == 0:
            pytest.skip("file modes do not bind this process here (root without the capability to drop them)")
        yield index, env
    finally:
        subprocess.run(["chmod", "-R", "u+w", str(index)], check=True)


@pytest.mark.slow
def test_a_chmod_read_only_index_searches_in_every_mode(read_only_index: tuple[Path, dict[str, str]]) -> None:
    index, env = read_only_index
    before = _tree_digest(index)
    for mode in ("hybrid", "dense", "bm25"):
        process = _as_a_user(sys.executable, "-m", "rag", "search", "subcarinal station 7 nodes", "--mode", mode, "--k", "1",
                             "--json", env=env)
        out, err = process.communicate(timeout=600)
        assert process.returncode == 0 and "station 7" in out and "Traceback" not in err, (mode, err)
    process = _as_a_user(sys.executable, "-m", "rag", "ingest", env["RAG_CORPORA_DIR"], "--json", env=env)
    _, err = process.communicate(timeout=600)
    assert process.returncode in (1, 2) and len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert _tree_digest(index) == before
    assert list(Path(env["TMPDIR"]).glob("rag-edge-readonly-*")) == []


@pytest.mark.slow
def test_a_read_only_reader_defers_to_the_holder(read_only_index: tuple[Path, dict[str, str]]) -> None:
    """A process that opened the shard while it was writable still holds it: a reader of the now
    read-only folder must neither copy nor open it (IndexBusy, one line), and the holder keeps working."""
    index, env = read_only_index
    subprocess.run(["chmod", "-R", "u+w", str(index)], check=True)  # the holder opens it writable...
    holder = subprocess.Popen([sys.executable, "-c", "import sys\nfrom rag.config import Settings\nfrom rag.retrieval.retrieve import "
                               "Retriever\nfrom rag.workspace import Workspace\nw = Workspace(Settings())\n"
                               "w.vectors.ensure_collection(); print('held', flush=True); sys.stdin.readline()\n"
                               "hits = Retriever(w).search('subcarinal station 7', k=1, mode='hybrid')\n"
                               "print('station 7' in hits[0].chunk.text, flush=True)"],
                              cwd=REPO, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        subprocess.run(["chmod", "-R", "a-w", str(index)], check=True)  # ...then the folder turns read-only
        reader = _as_a_user(sys.executable, "-m", "rag", "search", "subcarinal", "--k", "1", env=env)
        _, err = reader.communicate(timeout=600)
        assert reader.returncode == 1 and "in use by another process" in err, err
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
        assert list(Path(env["TMPDIR"]).glob("rag-edge-readonly-*")) == []  # refused before copying
        out, _ = holder.communicate("go\n", timeout=600)
        assert holder.returncode == 0 and out.strip() == "True", out
    finally:
        if holder.poll() is None:
            holder.kill()
