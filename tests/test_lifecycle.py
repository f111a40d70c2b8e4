"""The corpus lifecycle end to end, on real files and a real tiny index (edge Qdrant, bm25s, MiniLM).

add v1 -> ask -> replace with v2 -> the answer cites v2 and v1's citation still resolves, marked
superseded -> retire -> not retrieved -> restore -> retrieved again; plus intake validation, editions
at query time, the append-only audit trail and the in-place migration of an old catalogue.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from rag.answer.pipeline import answer_question
from rag.corpus import admin
from rag.corpus.registry import Catalog
from rag.errors import InvalidInput
from rag.retrieval.editions import edition_matches, edition_named, resolve
from rag.retrieval.retrieve import Retriever
from rag.types import Chunk, DocFilter, Document
from rag.workspace import Workspace
from tests.conftest import make_pdf, write


def kidney(edition: str, effective: str, interval: str, extra: str = "") -> str:
    return (f"---\ndoc_id: kidney-followup\ntitle: Kidney cancer follow-up\nsystem: AJCC8-kidney\nedition: {edition}\n"
            f"effective_date: {effective}\nsource: Test guideline\nlicense: CC-BY-4.0\nlanguage: en\n---\n"
            "# Kidney cancer follow-up\n\n## Imaging after nephrectomy\n"
            f"After nephrectomy for a small renal tumour, chest and abdominal imaging is repeated {interval}.\n\n"
            "## Laboratory tests\nSerum creatinine is checked at every follow-up visit to watch kidney function.\n"
            f"{extra}")


V1 = kidney("AJCC 7th edition", "2010-01-01", "every 12 months for five years")
V2 = kidney("AJCC 8th edition", "2018-01-01", "every 6 months for three years, then yearly")
THYROID = ("---\ndoc_id: thyroid\ntitle: Thyroid nodules\nsystem: ACR-TI-RADS\nedition: ACR TI-RADS 2017\n"
           "effective_date: 2017-05-01\nsource: Test\nlicense: CC-BY-4.0\n---\n# TI-RADS\n\n## Echogenic foci\n"
           "Punctate echogenic foci score 3 points; points from every type of focus present are added together.\n")
QUESTION = "How often is chest and abdominal imaging repeated after nephrectomy for a small renal tumour?"


def _imaging_hits(workspace: Workspace, flt: DocFilter | None = None, query: str = QUESTION) -> list:
    return [h for h in Retriever(workspace).search(query, k=5, filters=flt) if h.chunk.section.endswith("nephrectomy")]


def _consistent(workspace: Workspace) -> None:
    """Live index == active versions' chunks, in Qdrant and in BM25, with nothing duplicated."""
    expected = {c for d in workspace.catalog.documents(include_retired=False) for c in workspace.catalog.chunk_ids(d.doc_id)}
    assert workspace.vectors.count() == len(expected) == workspace.catalog.count_chunks()
    lexical = workspace.lexical()
    assert lexical is not None and sorted(lexical.chunk_ids) == sorted(expected)


@pytest.mark.slow  # loads the embedding model (10-20 s on a busy machine)
def test_add_ask_replace_cite_retire_restore(workspace: Workspace, tmp_path: Path) -> None:
    v1 = write(tmp_path / "in" / "kidney-followup.md", V1)
    report = admin.add(workspace, [v1, write(tmp_path / "in" / "thyroid.md", THYROID)], actor="alice")
    assert report.counts == {"added": 2} and {f.version for f in report.files} == {1}

    first = answer_question(workspace, QUESTION)
    assert not first.refused, first.render_text()
    cited_v1 = [c for c in first.as_contract()["citations"] if c["doc_id"] == "kidney-followup"]
    assert cited_v1 and all(c["version"] == 1 and c["edition"] == "AJCC 7th edition" for c in cited_v1)
    old_chunk = next(c["chunk_id"] for c in cited_v1 if "12 months" in c["quote"])

    v2 = write(tmp_path / "in" / "kidney-followup-2018.md", V2)
    replaced = admin.replace(workspace, "kidney-followup", v2, actor="bob", reason="8th edition published")
    assert [(f.status, f.version, f.previous_version) for f in replaced.files] == [("replaced", 2, 1)]
    assert replaced.embedded == 1  # only the changed passage; the laboratory chunk is shared by both versions
    _consistent(workspace)

    second = answer_question(workspace, QUESTION)
    cited_v2 = [c for c in second.as_contract()["citations"] if c["doc_id"] == "kidney-followup"]
    assert cited_v2 and all(c["version"] == 2 and c["edition"] == "AJCC 8th edition" for c in cited_v2)
    assert "6 months" in second.text and "12 months" not in second.text
    assert "version 2" in second.render_text()

    old = admin.cite(workspace, old_chunk).as_contract()
    assert (old["status"], old["version"], old["edition"]) == ("superseded", 1, "AJCC 7th edition")
    assert "12 months" in old["text"] and old["superseded_by"]["version"] == 2
    new_chunk = old["replacement_chunk_id"]
    assert "6 months" in admin.cite(workspace, new_chunk).text
    shared = next(c for c in workspace.catalog.chunk_ids("kidney-followup") if "creatinine" in
                  workspace.catalog.chunks([c])[c].text)
    assert admin.cite(workspace, shared).as_contract()["versions"] == [1, 2]  # unchanged text: still active

    # Editions at query time: the default is the active version; the 7th edition is asked for by name.
    assert {h.document.version for h in _imaging_hits(workspace)} == {2}
    per_7th = _imaging_hits(workspace, query="Per the 7th edition, " + QUESTION)
    assert per_7th and {(h.document.version, h.document.status) for h in per_7th} == {(1, "superseded")}
    assert {h.document.version for h in _imaging_hits(workspace, DocFilter(editions=("7th",)))} == {1}
    both = _imaging_hits(workspace, DocFilter(statuses=("active", "superseded")))
    assert {h.document.version for h in both} == {1, 2}

    retired = admin.retire(workspace, "kidney-followup", "withdrawn for review", actor="carol")
    assert (retired.version, retired.status) == (2, "retired")
    assert not _imaging_hits(workspace) and not _imaging_hits(workspace, DocFilter(statuses=("active", "superseded")))
    assert admin.cite(workspace, new_chunk).as_contract()["status"] == "retired"
    _consistent(workspace)

    admin.restore(workspace, "kidney-followup", actor="carol")
    assert [h.document.version for h in _imaging_hits(workspace)][:1] == [2]
    _consistent(workspace)

    trail = [(r.action, r.actor, r.old_version, r.new_version) for r in admin.history(workspace, "kidney-followup")]
    assert trail == [("restored", "carol", 2, 2), ("retired", "carol", 2, 2), ("replaced", "bob", 1, 2),
                     ("added", "alice", None, 1)]
    assert [(v.version, v.status) for v in admin.show(workspace, "kidney-followup").versions] == [
        (1, "superseded"), (2, "active")]
    statuses = sorted((v.doc_id, v.version, v.status) for v in admin.list_documents(workspace, include_all=True))
    assert statuses == [("kidney-followup", 1, "superseded"), ("kidney-followup", 2, "active"), ("thyroid", 1, "active")]
    assert [v.doc_id for v in admin.list_documents(workspace)] == ["kidney-followup", "thyroid"]


@pytest.mark.slow  # loads the embedding model (10-20 s on a busy machine)
def test_intake_validation_messages(workspace: Workspace, tmp_path: Path) -> None:
    v2 = write(tmp_path / "kidney-followup.md", V2)
    assert admin.add(workspace, [v2], actor="t").counts == {"added": 1}

    def reason(report) -> str:  # type: ignore[no-untyped-def]
        (f,) = report.files
        assert f.status == "rejected", f
        return f.reason

    copy = write(tmp_path / "copy" / "kidney-followup.md", V2)
    assert "same content as kidney-followup version 1 (active)" in reason(admin.replace(workspace, "kidney-followup", copy))
    older = write(tmp_path / "older.md", V1)
    message = reason(admin.replace(workspace, "kidney-followup", older))
    assert "older than the active version 1" in message and "--allow-older" in message
    assert "already exists" in reason(admin.add(workspace, [older]))
    bare = write(tmp_path / "bare.md", "# Notes\n\nSome guidance text about follow-up visits and imaging.\n")
    assert "missing front matter field(s) edition, effective_date" in reason(admin.add(workspace, [bare]))
    filled = admin.add(workspace, [bare], edition="Local 2024", effective_date="2024-02-01", system="Made-Up-System")
    (f,) = filled.files
    assert f.status == "added" and any("unknown system 'Made-Up-System'" in w for w in f.warnings)
    assert workspace.catalog.document("bare").edition == "Local 2024"  # type: ignore[union-attr]
    bad_date = write(tmp_path / "when.md", V2.replace("doc_id: kidney-followup", "doc_id: when").replace(
        "2018-01-01", "01/01/2018"))
    assert "not an ISO date" in reason(admin.add(workspace, [bad_date]))
    scan = make_pdf(tmp_path / "scan.pdf", [[("heading", "")]])
    assert "no text layer" in reason(admin.add(workspace, [scan], edition="x", effective_date="2020-01-01"))
    allowed = admin.replace(workspace, "kidney-followup", older, allow_older=True)
    assert [(f.status, f.version) for f in allowed.files] == [("replaced", 2)]
    with pytest.raises(InvalidInput, match="no document 'nope'"):
        admin.replace(workspace, "nope", older)
    with pytest.raises(InvalidInput, match="needs a reason"):
        admin.retire(workspace, "bare", "  ")
    with pytest.raises(InvalidInput, match="not retired"):
        admin.restore(workspace, "bare")
    with pytest.raises(InvalidInput, match="unknown chunk id"):
        admin.cite(workspace, "bare-000000000000")


@pytest.mark.slow  # loads the embedding model (10-20 s on a busy machine)
def test_audit_trail_is_append_only(workspace: Workspace, tmp_path: Path) -> None:
    admin.add(workspace, [write(tmp_path / "thyroid.md", THYROID)], actor="alice")
    (entry,) = admin.audit(workspace)
    assert (entry.action, entry.actor, entry.new_version) == ("added", "alice", 1)
    db = sqlite3.connect(str(workspace.settings.index_dir / "catalog.sqlite"))
    try:
        for statement in ("UPDATE audit SET actor='mallory'", "DELETE FROM audit"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                db.execute(statement)
    finally:
        db.close()


_OLD_SCHEMA = """
CREATE TABLE documents (doc_id TEXT PRIMARY KEY, title TEXT, source TEXT, path TEXT, sha256 TEXT, system TEXT,
    edition TEXT, effective_date TEXT, language TEXT, license TEXT, supersedes TEXT, status TEXT,
    publisher_source TEXT, ingested_at REAL);
CREATE TABLE chunks (chunk_id TEXT PRIMARY KEY, doc_id TEXT, ord INTEGER, text TEXT, section TEXT, page INTEGER,
    start INTEGER, "end" INTEGER, rule_ids TEXT, kind TEXT, tokens TEXT);
CREATE TABLE rules (rule_id TEXT PRIMARY KEY, chunk_id TEXT, doc_id TEXT);
CREATE TABLE embeddings (key TEXT PRIMARY KEY, vector BLOB);
CREATE TABLE audit (id INTEGER PRIMARY KEY AUTOINCREMENT, ts REAL, action TEXT, doc_id TEXT, path TEXT, detail TEXT);
CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT);
INSERT INTO documents VALUES ('lung', 'Lung', 'lung.md', '/x/lung.md', 'abc', 'AJCC8-lung', 'AJCC 8th edition',
    '2018-01-01', 'en', 'CC-BY-4.0', '', 'active', 'AJCC', 1.0);
INSERT INTO documents VALUES ('old', 'Old', 'old.md', '/x/old.md', 'def', 'BI-RADS', '4th', '2003-01-01', 'en', '', '',
    'retired', '', 2.0);
INSERT INTO chunks VALUES ('lung-b', 'lung', 1, 'second', 'S', NULL, 10, 16, '[]', 'text', '["second"]');
INSERT INTO chunks VALUES ('lung-a', 'lung', 0, 'first', 'S', NULL, 0, 5, '["LUNG8.T.T1a"]', 'text', '["first"]');
INSERT INTO chunks VALUES ('old-a', 'old', 0, 'retired text', 'S', NULL, 0, 5, '[]', 'text', '["retired"]');
INSERT INTO rules VALUES ('LUNG8.T.T1a', 'lung-a', 'lung');
INSERT INTO audit (ts, action, doc_id, path, detail) VALUES (1.0, 'added', 'lung', '/x/lung.md', '2 chunks');
INSERT INTO state VALUES ('bm25_generation', 'bm25-000001');
"""


def test_an_old_catalogue_is_migrated_in_place(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite"
    db = sqlite3.connect(str(path))
    db.executescript(_OLD_SCHEMA)
    db.close()
    catalog = Catalog(path)
    try:
        assert [(d.doc_id, d.version, d.status) for d in catalog.documents()] == [("lung", 1, "active"),
                                                                                   ("old", 1, "retired")]
        assert catalog.chunk_ids("lung") == ["lung-a", "lung-b"] and catalog.count_chunks() == 2
        assert catalog.chunk_for_rule("LUNG8.T.T1a") == "lung-a" and catalog.get_state("bm25_generation") == "bm25-000001"
        assert catalog.live_tokens()[0] == ["lung-a", "lung-b"]
        assert [r.document.doc_id for r in catalog.versions_of_chunk("old-a")] == ["old"]
        actions = [(r.action, r.doc_id) for r in catalog.audit_records()]
        assert ("added", "lung") in actions and ("migrated", "lung") in actions and ("migrated", "old") in actions
        assert catalog.document("lung").edition == "AJCC 8th edition"  # type: ignore[union-attr]
    finally:
        catalog.close()
    again = Catalog(path)  # opening twice migrates once
    try:
        assert len([r for r in again.audit_records() if r.action == "migrated"]) == 2
        tables = {r[0] for r in again._db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert "legacy_documents" in tables and "documents" not in tables
    finally:
        again.close()


@pytest.mark.parametrize(("edition", "wanted", "ok"), [
    ("AJCC 7th edition", "7th", True), ("AJCC 7th edition", "7th edition", True), ("AJCC 8th edition", "7th", False),
    ("Lung-RADS v2022", "v2022", True), ("Lung-RADS v1.1", "1.1", True), ("Lung-RADS v1.1", "2022", False),
    ("AJCC 8th edition", "AJCC 8th edition", True), ("Lung-RADS v1.1", "Lung-RADS version 1.1", True),
    ("TNM 9th edition (UICC 9th; AJCC Version 9 Lung)", "9th", True),
])
def test_edition_matching(edition: str, wanted: str, ok: bool) -> None:
    assert edition_matches(edition, wanted) is ok


@pytest.mark.parametrize(("question", "named"), [
    ("Per the 7th edition, what is T2a?", "7th edition"),
    ("what is T2a according to the AJCC 7th edition?", "AJCC 7th edition"),
    ("Under Lung-RADS version 1.1, what is 4X?", "Lung-RADS version 1.1"),
    ("What is T2a?", None),
    ("what changed in the 8th edition", "8th edition"),
])
def test_edition_named_in_a_question(question: str, named: str | None) -> None:
    assert edition_named(question) == named


def _lung_rules(text: str, effective: str) -> str:
    return ("---\ndoc_id: lung-rules\ntitle: Lung T categories\nsystem: AJCC8-lung\nedition: AJCC 8th edition\n"
            f"effective_date: {effective}\nsource: Test\nlicense: CC-BY-4.0\n---\n# Lung\n\n## T2a [LUNG8.T.T2a]\n{text}\n")


@pytest.mark.slow  # loads the embedding model (10-20 s on a busy machine)
def test_calculator_citations_follow_the_live_version(workspace: Workspace, tmp_path: Path) -> None:
    from rag.calculators.service import StageRequest, run_stage

    def t2a() -> dict:
        output = run_stage(workspace.settings, StageRequest(system="AJCC8-lung", tnm="T2a N0 M0"))
        return next(c for c in output["citations"] if c["rule_id"] == "LUNG8.T.T2a")

    admin.add(workspace, [write(tmp_path / "lung-rules.md", _lung_rules("T2a: tumour >3 cm and ≤4 cm.", "2018-01-01"))])
    first = t2a()
    assert (first["doc_id"], first["version"]) == ("lung-rules", 1) and "≤4 cm." in first["quote"]
    admin.replace(workspace, "lung-rules", write(tmp_path / "lung-rules-2.md", _lung_rules(
        "T2a: tumour more than 3 cm and at most 4 cm across.", "2019-01-01")))
    second = t2a()
    assert (second["doc_id"], second["version"]) == ("lung-rules", 2) and "at most 4 cm" in second["quote"]
    assert admin.cite(workspace, first["chunk_id"]).status == "superseded"
    admin.retire(workspace, "lung-rules", "test")
    assert t2a()["doc_id"] == "ajcc8-lung"  # the bundled corpus's row, no longer the retired document's


def _doc(doc_id: str, edition: str, status: str = "active") -> Document:
    return Document(doc_id=doc_id, title=doc_id, source=f"{doc_id}.md", path=f"/x/{doc_id}.md", sha256=edition,
                    system="AJCC8-lung", edition=edition, status=status)


def _chunk(doc_id: str, text: str) -> Chunk:
    return Chunk(f"{doc_id}-{abs(hash(text)) % 10**12:012d}", doc_id, text, "S", None, 0, len(text))


def test_registry_versions_without_an_index(tmp_path: Path) -> None:
    """Versions, shared chunks, liveness and edition resolution straight on the registry (no model, fast)."""
    catalog = Catalog(tmp_path / "catalog.sqlite")
    try:
        shared, old, new = _chunk("lung", "shared"), _chunk("lung", "old text"), _chunk("lung", "new text")
        with catalog.transaction():
            assert catalog.put_version(_doc("lung", "AJCC 7th edition"), [shared, old], [["s"], ["o"]], actor="a") == (None, 1)
            catalog.put_version(_doc("other", "AJCC 8th edition"), [_chunk("other", "x")], [["x"]], actor="a")
        revision = catalog.revision()
        with catalog.transaction():
            assert catalog.put_version(_doc("lung", "AJCC 8th edition"), [shared, new], [["s"], ["n"]], actor="b") == (1, 2)
        assert catalog.revision() > revision
        assert [(r.version, r.status, r.superseded_by) for r in catalog.versions("lung")] == [(1, "superseded", 2),
                                                                                             (2, "active", None)]
        assert catalog.live_chunk_ids([shared.chunk_id, old.chunk_id, new.chunk_id]) == {shared.chunk_id, new.chunk_id}
        assert [r.version for r in catalog.versions_of_chunk(shared.chunk_id)] == [1, 2]
        assert catalog.chunks([old.chunk_id])[old.chunk_id].text == "old text"  # kept after it left the live index
        assert catalog.count_chunks() == 3

        assert resolve(catalog, DocFilter(), "Per the 7th edition, what is T2a?") == DocFilter(
            editions=("AJCC 7th edition",), statuses=("active", "superseded"))
        assert resolve(catalog, DocFilter(), "per the 8th edition, what is T2a?") == DocFilter()  # live already
        assert resolve(catalog, DocFilter(), "what is T2a?") == DocFilter()
        assert resolve(catalog, DocFilter(editions=("8th",)), "T2a") == DocFilter(editions=("AJCC 8th edition",))
        assert resolve(catalog, DocFilter(editions=("AJCC 7th edition",)), "T2a").statuses == ("active", "superseded")

        with catalog.transaction():
            assert catalog.set_status("lung", "retired", actor="c", reason="r") == 2
        assert catalog.live_chunk_ids([shared.chunk_id, new.chunk_id]) == set() and catalog.count_chunks() == 1
        assert resolve(catalog, DocFilter(), "per the 7th edition") == DocFilter()  # a retired document is out
    finally:
        catalog.close()


def test_admin_public_api_is_listed() -> None:
    """What the CLI and the web app's Library view call: every name in ``__all__`` exists and is documented."""
    for name in admin.__all__:
        assert getattr(admin, name).__doc__, name
    assert {"add", "replace", "retire", "restore", "show", "history", "list_documents", "cite"} <= set(admin.__all__)
