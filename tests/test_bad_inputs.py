"""Bad files (issue 14): each rejected by name with its reason, in bounded time, the good ones beside them indexed.

The committed corpus is ``tests/data/bad/`` (made by its ``generate.py``; ``expected.json`` holds each
file's outcome); oversized files are made here.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from rag.config import Settings
from rag.corpus.ingest import ingest
from rag.corpus.parse import MAX_FIELD_CHARS, MAX_FRONT_MATTER_CHARS, parse_file
from rag.errors import IngestError
from rag.workspace import Workspace
from tests.conftest import REPO, write

BAD = REPO / "tests" / "data" / "bad"
FRONT = "---\ntitle: T\nsystem: AJCC8-lung\nedition: AJCC 8th edition\neffective_date: 2018-01-01\nsource: S\nlicense: CC0-1.0\n"


def test_yaml_alias_bomb_is_rejected_fast() -> None:
    started = time.perf_counter()
    with pytest.raises(IngestError, match="aliases"):
        parse_file(BAD / "yaml-bomb.md")
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize("yaml_text", [
    "a: &x hello\ntitle: *x\n",  # one harmless-looking alias is refused too: no alias is ever needed
    "base: &b {system: AJCC8-lung}\n<<: *b\ntitle: T\n",  # merge keys are aliases
])
def test_any_alias_is_refused(tmp_path: Path, yaml_text: str) -> None:
    path = write(tmp_path / "a.md", f"---\n{yaml_text}---\n# A\n\nText here.\n")
    with pytest.raises(IngestError, match="aliases"):
        parse_file(path)


def test_anchors_without_aliases_and_normal_front_matter_still_parse(tmp_path: Path) -> None:
    path = write(tmp_path / "a.md", FRONT + "language: en\nextra: &anchor value\n---\n# A\n\nText here.\n")
    parsed = parse_file(path)
    assert parsed.meta["edition"] == "AJCC 8th edition" and parsed.meta["effective_date"] == "2018-01-01"
    assert not [w for w in parsed.warnings if "date" in w]


def test_front_matter_size_is_bounded(tmp_path: Path) -> None:
    filler = "".join(f"k{i}: {'x' * 60}\n" for i in range(MAX_FRONT_MATTER_CHARS // 60 + 5))
    path = write(tmp_path / "big.md", FRONT + filler + "---\n# Big\n\nText.\n")
    with pytest.raises(IngestError, match="front matter is longer"):
        parse_file(path)


def test_field_length_is_capped(tmp_path: Path) -> None:
    path = write(tmp_path / "long.md", FRONT.replace("title: T", "title: " + "T" * (MAX_FIELD_CHARS + 1)) + "---\n# L\n\nText.\n")
    with pytest.raises(IngestError, match="'title' is longer"):
        parse_file(path)


@pytest.mark.parametrize(("line", "outcome"), [
    ("edition: [1, 2]", "must be a single value"),
    ("system: {a: 1}", "must be a single value"),
    ('effective_date: "not a date"', "warning"),
    ("effective_date: 2018", "warning"),
])
def test_wrong_typed_front_matter(tmp_path: Path, line: str, outcome: str) -> None:
    key = line.split(":")[0]
    lines = [x for x in FRONT.splitlines() if not x.startswith(key + ":")] + [line]
    path = write(tmp_path / "t.md", "\n".join(lines) + "\n---\n# T\n\nText here.\n")
    if outcome == "warning":
        assert any("not an ISO date" in w for w in parse_file(path).warnings)
    else:
        with pytest.raises(IngestError, match=outcome):
            parse_file(path)


def test_sidecar_metadata_gets_the_same_limits(tmp_path: Path) -> None:
    path = write(tmp_path / "note.txt", "A plain text note about subcarinal nodes.\n")
    write(tmp_path / "note.txt.yaml", "a: &a [x, x]\nb: [*a, *a]\n")
    with pytest.raises(IngestError, match="aliases"):
        parse_file(path)


def test_file_size_cap_has_a_clear_message(tmp_path: Path) -> None:
    path = write(tmp_path / "huge.txt", "subcarinal nodes are N2. " * 2000)  # ~50 kB
    with pytest.raises(IngestError, match=r"huge.txt: file is 50,000 bytes, over the size limit of 10,000 bytes") as caught:
        parse_file(path, max_bytes=10_000)
    assert "RAG_MAX_FILE_MB" in caught.value.user_message()
    assert parse_file(path, max_bytes=100_000).body.startswith("subcarinal")


def test_pdf_with_an_empty_user_password_opens() -> None:
    parsed = parse_file(BAD / "empty-password.pdf")
    assert "subcarinal" in " ".join(parsed.pages).lower()


@pytest.mark.slow  # embeds a corpus with the real model
def test_the_bad_corpus_in_one_batch(tmp_path: Path) -> None:
    """Each file rejected by name with its reason; the good ones beside them indexed and searchable."""
    folder = tmp_path / "bad"
    shutil.copytree(BAD, folder, ignore=shutil.ignore_patterns("*.py", "*.json"))
    write(folder / "oversize.txt", "subcarinal " * 20_000)  # 220 kB, over the 0.1 MB cap below
    expected = json.loads((BAD / "expected.json").read_text())
    expected["oversize.txt"] = ["rejected", "size limit"]
    config = Settings(index_dir=tmp_path / "index", corpora_dir=folder, max_file_mb=0.1)
    workspace = Workspace(config)
    try:
        started = time.perf_counter()
        report = ingest(workspace, [folder], progress=False)
        seconds = time.perf_counter() - started
        got = {Path(f.path).name: f for f in report.files}
        assert set(got) == set(expected)
        for name, (status, reason) in expected.items():
            assert got[name].status == status, (name, got[name])
            if status == "rejected":
                assert got[name].reason.startswith(name) and reason in got[name].reason, (name, got[name].reason)
        assert any("not an ISO date" in w for w in got["not-a-date.md"].warnings)
        from rag.retrieval.retrieve import Retriever

        hits = Retriever(workspace).search("subcarinal station N2", k=10, mode="bm25")
        assert {h.document.source for h in hits} == {"good.md", "plain-note.txt", "not-a-date.md", "empty-password.pdf"}
    finally:
        workspace.close()
    assert seconds < 120  # the bomb and the big file cost nothing: the time is the model's
