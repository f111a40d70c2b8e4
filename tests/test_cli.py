"""The CONTRACT.md interfaces, driven as a user would: the real `rag` command in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, write


def rag(*args: str, index: Path, corpora: Path | None = None, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, RAG_INDEX_DIR=str(index), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    if corpora is not None:
        env["RAG_CORPORA_DIR"] = str(corpora)
    return subprocess.run([sys.executable, "-m", "rag", *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture(scope="module")
def small_index(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("cli")
    corpus = root / "corpus"
    write(corpus / "lung.md", "---\ndoc_id: lung\ntitle: Lung demo\nsystem: AJCC8-lung\nedition: AJCC 8th edition\n"
                              "effective_date: 2018-01-01\nsource: Demo (2017)\nlicense: CC-BY-4.0\n---\n# Lung\n\n"
                              "## T2a [LUNG8.T.T2a]\nVisceral pleural invasion makes a tumour up to 4 cm T2a.\n\n"
                              "## N2 [LUNG8.N.N2]\nSubcarinal (station 7) nodes are N2.\n")
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    index = root / "index"
    result = rag("ingest", str(corpus), "--json", index=index)
    assert result.returncode == 1, result.stderr  # one file rejected → exit 1, the rest ingested
    report = json.loads(result.stdout)
    assert {Path(f["path"]).name: f["status"] for f in report["files"]} == {"lung.md": "added",
                                                                           "broken.pdf": "rejected"}
    return index, corpus


@pytest.mark.slow
def test_search_json_matches_the_contract(small_index: tuple[Path, Path]) -> None:
    index, _ = small_index
    result = rag("search", "subcarinal nodes", "--k", "2", "--json", index=index)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["query"] == "subcarinal nodes" and out["mode"] == "hybrid"
    first = out["results"][0]
    assert set(first) >= {"rank", "chunk_id", "doc_id", "title", "edition", "section", "page", "source", "score", "text"}
    assert first["rank"] == 1 and "station 7" in first["text"] and first["source"] == "lung.md"
    assert first["page"] is None and first["edition"] == "AJCC 8th edition"


@pytest.mark.slow
def test_search_batch_one_process_many_queries(small_index: tuple[Path, Path], tmp_path: Path) -> None:
    index, _ = small_index
    queries = write(tmp_path / "q.jsonl", "\n".join([
        json.dumps({"id": "a", "query": "visceral pleural invasion"}),
        json.dumps({"id": "b", "query": "???"}),
        "not json",
        json.dumps({"id": "c", "query": "station 7"}),
    ]) + "\n")
    out = tmp_path / "out.jsonl"
    result = rag("search", "--batch", str(queries), "--out", str(out), "--k", "1", "--mode", "bm25", index=index)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    by_id = {line["id"]: line for line in lines}
    assert "T2a" in by_id["a"]["results"][0]["text"] and by_id["a"]["mode"] == "bm25"
    assert "no letters or digits" in by_id["b"]["error"]
    assert "station 7" in by_id["c"]["results"][0]["text"]
    assert any("invalid JSON" in (line.get("error") or "") for line in lines)


@pytest.mark.slow
def test_corpus_list_and_audit(small_index: tuple[Path, Path]) -> None:
    index, _ = small_index
    listed = json.loads(rag("corpus", "list", "--json", index=index).stdout)["documents"]
    assert [(d["doc_id"], d["system"], d["edition"], d["status"]) for d in listed] == [
        ("lung", "AJCC8-lung", "AJCC 8th edition", "active")]
    audit = json.loads(rag("corpus", "audit", "--json", index=index).stdout)["audit"]
    assert audit[0]["action"] == "added" and audit[0]["doc_id"] == "lung"


@pytest.mark.slow
@pytest.mark.parametrize("args, code, message", [
    (["search", ""], 2, "empty query"),
    (["search", "x", "--mode", "fuzzy"], 2, "invalid choice"),
    (["stage", "--system", "AJCC8-lung", "--tnm", "T2c N0 M0"], 2, "T2c is not a T category"),
    (["stage", "--system", "nonsense", "--tnm", "T1 N0 M0"], 2, "unknown system"),
    (["stage", "--system", "AJCC8-lung", "--findings", "{bad json"], 2, "--findings is not valid JSON"),
    (["corpus", "retire", "no-such-doc"], 2, "no document 'no-such-doc'"),
])
def test_errors_are_one_line_with_exit_code(small_index: tuple[Path, Path], args: list[str], code: int,
                                            message: str) -> None:
    index, _ = small_index
    result = rag(*args, index=index)
    assert result.returncode == code
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_stage_cites_corpus_rows_without_an_index(tmp_path: Path) -> None:
    result = rag("stage", "--system", "AJCC8-lung", "--tnm", "T2a N1 M0", "--json", index=tmp_path / "none")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["result"]["stage"] == "IIB" and out["edition"].startswith("AJCC 8th")
    cited = {c["rule_id"]: c for c in out["citations"]}
    assert "LUNG8.STAGE.T2a" in cited and cited["LUNG8.STAGE.T2a"]["quote"].count("IIB") >= 1
    assert not (tmp_path / "none").exists()  # staging never builds an index


@pytest.mark.slow
def test_cli_forwards_to_the_process_holding_the_index(small_index: tuple[Path, Path], tmp_path: Path) -> None:
    """Embedded Qdrant admits one process per folder: `rag serve` holds it and the CLI forwards to it."""
    import time

    index, corpus = small_index
    # The server ingests only from the corpus folders it is configured with (RAG_INGEST_ROOTS).
    env = dict(os.environ, RAG_INDEX_DIR=str(index), HF_HUB_OFFLINE="1", RAG_INGEST_ROOTS=str(corpus))
    server = subprocess.Popen([sys.executable, "-m", "rag", "serve"], cwd=REPO, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 180
        while not (index / "server.json").exists():
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)
        result = rag("search", "supraclavicular or subcarinal nodes", "--k", "1", "--json", index=index)
        assert result.returncode == 0, result.stderr
        assert "station 7" in json.loads(result.stdout)["results"][0]["text"]
        write(corpus / "extra.md", "---\ntitle: Extra\n---\n# Extra\n\n## Carina\n\nTumour invading the carina is T4.\n")
        added = rag("ingest", str(corpus / "extra.md"), "--json", index=index)
        assert added.returncode == 0, added.stderr
        assert json.loads(added.stdout)["files"][0]["status"] == "added"
        found = json.loads(rag("search", "invading the carina", "--k", "1", "--json", index=index).stdout)
        assert "carina is T4" in found["results"][0]["text"]
        bad = rag("search", "", index=index)
        assert bad.returncode == 2 and "empty query" in bad.stderr
    finally:
        server.terminate()
        server.communicate(timeout=30)  # waits, and closes the pipes
    assert not (index / "server.json").exists()
