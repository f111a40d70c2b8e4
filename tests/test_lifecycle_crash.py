"""Crash safety and concurrency of corpus changes, in real `rag` subprocesses.

* A replacement SIGKILLed at four points (before and after the Qdrant upsert, inside the registry/BM25
  switch, after the switch): the previous state serves, nothing half-written shows, and the next run
  completes with the live index equal to the active versions' chunks.
* Two concurrent `rag corpus add` processes: the second waits (saying so) and both land, consistently;
  with a short --wait the second fails clearly.

The test process embeds the new version's passages into the index's embedding cache first, so the
subprocesses never load the model (they run in seconds); the vectors are the real model's.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rag.config import Settings
from rag.corpus import admin
from rag.corpus.chunk import chunk_document
from rag.corpus.ingest import _document, doc_id_for, embedding_text, sha256_file
from rag.corpus.lock import writer_lock
from rag.corpus.parse import parse_file
from rag.index.embed import embedding_key
from rag.retrieval.retrieve import Retriever
from rag.workspace import Workspace
from tests.conftest import REPO, write
from tests.test_lifecycle import QUESTION, THYROID, V1, V2

pytestmark = pytest.mark.slow


def _env(index: Path) -> dict[str, str]:
    return dict(os.environ, RAG_INDEX_DIR=str(index), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
                PYTHONPATH=str(REPO))


def _run(index: Path, *args: str, kill_at: str | None = None, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(REPO / "tests" / "lifecycle_kill.py"), kill_at] if kill_at else [sys.executable, "-m", "rag"]
    return subprocess.run([*command, *args], cwd=REPO, env=_env(index), capture_output=True, text=True, timeout=timeout)


def _prewarm(workspace: Workspace, path: Path) -> None:
    """Put the real embeddings of a file's passages into the index's cache (what an earlier run would leave)."""
    parsed = parse_file(path)
    document = _document(parsed, doc_id_for(parsed), str(path.resolve()), sha256_file(path))
    chunks = chunk_document(parsed, document.doc_id, chunk_chars=workspace.settings.chunk_chars)
    texts = [embedding_text(document, c) for c in chunks]
    vectors = workspace.embedder.embed_passages(texts)
    with workspace.catalog.transaction():
        workspace.catalog.cache_vectors({embedding_key(workspace.settings.embedder, t): v
                                         for t, v in zip(texts, vectors, strict=True)})


def _check_consistent(workspace: Workspace) -> None:
    expected = {c for d in workspace.catalog.documents(include_retired=False) for c in workspace.catalog.chunk_ids(d.doc_id)}
    assert workspace.vectors.count() == len(expected) == workspace.catalog.count_chunks()
    lexical = workspace.lexical()
    assert lexical is not None and sorted(lexical.chunk_ids) == sorted(expected)
    generations = sorted(p.name for p in workspace.settings.index_dir.glob("bm25-*"))
    assert generations == [workspace.catalog.get_state("bm25_generation")]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """An index with kidney-followup v1 and the cache warm for v2, whose file now holds v2."""
    root = tmp_path_factory.mktemp("crash")
    corpus = root / "corpus"
    source = write(corpus / "kidney-followup.md", V1)
    workspace = Workspace(Settings(index_dir=root / "index"))
    try:
        admin.add(workspace, [source], actor="test")
        write(source, V2)
        _prewarm(workspace, source)
    finally:
        workspace.close()
    return root / "index", corpus


@pytest.mark.parametrize("point", ["before-upsert", "after-upsert", "in-switch", "after-switch"])
def test_sigkill_during_a_replace_leaves_a_serving_index_and_the_next_run_completes(
        template: tuple[Path, Path], tmp_path: Path, point: str) -> None:
    index = tmp_path / "index"
    shutil.copytree(template[0], index)
    corpus = template[1]
    killed = _run(index, "corpus", "replace", "kidney-followup", str(corpus / "kidney-followup.md"), kill_at=point)
    assert killed.returncode == -9, killed.stderr  # really killed at that point, not finished

    switched = point == "after-switch"
    workspace = Workspace(Settings(index_dir=index))
    try:
        head = workspace.catalog.document("kidney-followup")
        assert head is not None and head.version == (2 if switched else 1)
        for mode in ("hybrid", "dense", "bm25"):
            hits = Retriever(workspace).search(QUESTION, k=5, mode=mode)
            texts = " ".join(h.chunk.text for h in hits if h.chunk.section.endswith("nephrectomy"))
            assert ("6 months" in texts) is switched and ("12 months" in texts) is not switched, (point, mode)
            assert all(h.document.version == head.version for h in hits)
        if point in ("after-upsert", "after-switch"):  # a stray point really was left behind
            assert workspace.vectors.count() > workspace.catalog.count_chunks()
    finally:
        workspace.close()

    again = _run(index, "ingest", str(corpus), "--json")
    assert again.returncode == 0, again.stderr
    (report,) = json.loads(again.stdout)["files"]
    assert (report["status"], report["version"]) == ("unchanged" if switched else "replaced", 2)
    workspace = Workspace(Settings(index_dir=index))
    try:
        _check_consistent(workspace)
        assert [(v.version, v.status) for v in admin.show(workspace, "kidney-followup").versions] == [
            (1, "superseded"), (2, "active")]
    finally:
        workspace.close()


def test_two_concurrent_writers_serialise(tmp_path: Path) -> None:
    index = tmp_path / "index"
    corpus = tmp_path / "corpus"
    kidney = write(corpus / "a" / "kidney-followup.md", V2)
    thyroid = write(corpus / "b" / "thyroid.md", THYROID)
    workspace = Workspace(Settings(index_dir=index))
    try:
        _prewarm(workspace, kidney)
        _prewarm(workspace, thyroid)
    finally:
        workspace.close()

    with writer_lock(index, on_wait=None):  # a writer (this test) is busy: both must wait for it
        procs = [subprocess.Popen([sys.executable, "-m", "rag", "corpus", "add", str(p), "--json", "--actor", name],
                                  cwd=REPO, env=_env(index), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for p, name in ((kidney, "alice"), (thyroid, "bob"))]
        impatient = _run(index, "corpus", "add", str(kidney), "--wait", "0.5")
        time.sleep(2.0)
        assert all(p.poll() is None for p in procs)  # still waiting
    outputs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert all(f"waiting for process {os.getpid()}" in err for _, err in outputs)
    waited, error = impatient.stderr.strip().splitlines()  # it says it waits, then gives up clearly
    assert impatient.returncode == 1 and waited.startswith("waiting for process")
    assert error.startswith(f"error: process {os.getpid()} is changing the index") and "gave up after 0.5 s" in error

    # And with nobody holding the lock, two at once (re-adding is refused, consistently, by both).
    racers = [subprocess.Popen([sys.executable, "-m", "rag", "corpus", "retire", doc, "--reason", "race", "--json"],
                               cwd=REPO, env=_env(index), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
              for doc in ("kidney-followup", "thyroid")]
    raced = [p.communicate(timeout=300) for p in racers]
    assert [p.returncode for p in racers] == [0, 0], raced
    workspace = Workspace(Settings(index_dir=index))
    try:
        assert sorted((v.doc_id, v.version, v.status) for v in admin.list_documents(workspace, include_all=True)) == [
            ("kidney-followup", 1, "retired"), ("thyroid", 1, "retired")]
        actions = sorted((r.action, r.actor if r.action == "added" else "", r.doc_id) for r in admin.audit(workspace))
        assert actions == [("added", "alice", "kidney-followup"), ("added", "bob", "thyroid"),
                           ("retired", "", "kidney-followup"), ("retired", "", "thyroid")]
        _check_consistent(workspace)
    finally:
        workspace.close()


def test_cli_lifecycle_contract(template: tuple[Path, Path], tmp_path: Path) -> None:
    index = tmp_path / "index"
    shutil.copytree(template[0], index)
    replaced = _run(index, "corpus", "replace", "kidney-followup", str(template[1] / "kidney-followup.md"), "--json")
    assert replaced.returncode == 0, replaced.stderr
    assert json.loads(replaced.stdout)["files"][0]["version"] == 2
    listed = json.loads(_run(index, "corpus", "list", "--all", "--json").stdout)["documents"]
    assert [(d["doc_id"], d["version"], d["status"]) for d in listed] == [("kidney-followup", 1, "superseded"),
                                                                          ("kidney-followup", 2, "active")]
    assert len(json.loads(_run(index, "corpus", "list", "--json").stdout)["documents"]) == 1
    shown = json.loads(_run(index, "corpus", "show", "kidney-followup", "--json").stdout)
    assert shown["version"] == 2 and [v["superseded_by"] for v in shown["versions"]] == [2, None]
    workspace = Workspace(Settings(index_dir=index))
    try:
        old = next(c for c in workspace.catalog.chunk_ids("kidney-followup", 1)
                   if c not in workspace.catalog.chunk_ids("kidney-followup", 2))
    finally:
        workspace.close()
    cited = _run(index, "cite", old, "--json")
    assert cited.returncode == 0, cited.stderr
    out = json.loads(cited.stdout)
    assert {"chunk_id", "doc_id", "version", "status", "edition", "title", "section", "page", "text",
            "superseded_by"} <= set(out)
    assert (out["status"], out["version"], out["superseded_by"]["version"]) == ("superseded", 1, 2)
    history = json.loads(_run(index, "corpus", "history", "kidney-followup", "--json").stdout)["history"]
    assert [(h["action"], h["old_version"], h["new_version"]) for h in history] == [("replaced", 1, 2), ("added", None, 1)]
    lines = _run(index, "corpus", "audit", "--lines").stdout.strip().splitlines()
    assert [json.loads(line)["action"] for line in lines] == ["replaced", "added"]
    for args, message in ((["cite", "nope-123"], "unknown chunk id 'nope-123'"),
                          (["corpus", "retire", "kidney-followup"], "retiring needs a reason"),
                          (["corpus", "show", "nope"], "no document 'nope'")):
        result = _run(index, *args)
        assert result.returncode == 2 and message in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(("command", "point", "status"), [
    (["corpus", "retire", "kidney-followup", "--reason", "crash test"], "after-switch", "retired"),
    (["corpus", "restore", "kidney-followup"], "after-upsert", "retired"),
])
def test_sigkill_during_retire_or_restore(template: tuple[Path, Path], tmp_path: Path, command: list[str], point: str,
                                          status: str) -> None:
    index = tmp_path / "index"
    shutil.copytree(template[0], index)
    if command[1] == "restore":
        assert _run(index, "corpus", "retire", "kidney-followup", "--reason", "setup").returncode == 0
    killed = _run(index, *command, kill_at=point)
    assert killed.returncode == -9, killed.stderr
    workspace = Workspace(Settings(index_dir=index))
    try:
        assert workspace.catalog.document("kidney-followup").status == status  # type: ignore[union-attr]
        assert workspace.vectors.count() > workspace.catalog.count_chunks() == 0  # stray points, never shown
        assert not Retriever(workspace).search(QUESTION, k=5, mode="dense")
    finally:
        workspace.close()
    again = _run(index, "corpus", "restore", "kidney-followup")  # the next writer cleans up first, then restores
    assert again.returncode == 0, again.stderr
    workspace = Workspace(Settings(index_dir=index))
    try:
        _check_consistent(workspace)
        assert any("12 months" in h.chunk.text for h in Retriever(workspace).search(QUESTION, k=5, mode="dense"))
    finally:
        workspace.close()
