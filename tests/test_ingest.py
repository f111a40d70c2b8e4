from __future__ import annotations

from pathlib import Path

import pytest

from rag.corpus.ingest import ingest
from rag.retrieval.retrieve import Retriever
from rag.workspace import Workspace
from tests.conftest import make_pdf, write


def doc(doc_id: str, system: str, body: str, edition: str = "AJCC 8th edition") -> str:
    return (f"---\ndoc_id: {doc_id}\ntitle: {doc_id} title\nsystem: {system}\nedition: {edition}\n"
            f"effective_date: 2018-01-01\nsource: Test (2017)\nlicense: CC-BY-4.0\n---\n{body}")


pytestmark = pytest.mark.slow  # every test ingests with real embeddings

LUNG = doc("lung", "AJCC8-lung", """# Lung
## T2a [LUNG8.T.T2a]
Visceral pleural invasion makes a tumour up to 4 cm T2a.

## M1c [LUNG8.M.M1c]
Several extrathoracic metastases in one or several organs are M1c.
""")
THYROID = doc("thyroid", "ACR-TI-RADS", """# TI-RADS
## Echogenic foci [TIRADS.POINTS.ECHOGENIC_FOCI]
Punctate echogenic foci score 3 points; points from every type of focus present are added together.
""", edition="ACR TI-RADS 2017")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    write(folder / "lung.md", LUNG)
    write(folder / "thyroid.md", THYROID)
    return folder


def test_ingest_then_search_finds_the_right_chunk(workspace: Workspace, corpus: Path) -> None:
    report = ingest(workspace, [corpus], progress=False)
    assert report.counts == {"added": 2} and report.embedded == report.reused + report.embedded > 0
    retriever = Retriever(workspace)
    for mode in ("bm25", "dense", "hybrid"):
        hits = retriever.search("pleural invasion tumour 4 cm", k=3, mode=mode)
        assert hits[0].chunk.rule_ids == ("LUNG8.T.T2a",), mode
        assert hits[0].document.edition == "AJCC 8th edition" and hits[0].chunk.page is None
    top = retriever.search("how many points for punctate echogenic foci", k=1)[0]
    assert top.document.doc_id == "thyroid" and top.as_contract()["source"] == "thyroid.md"


def test_reingest_unchanged_is_a_no_op(workspace: Workspace, corpus: Path) -> None:
    ingest(workspace, [corpus], progress=False)
    generation = workspace.catalog.get_state("bm25_generation")
    before = {d.doc_id: workspace.catalog.chunk_ids(d.doc_id) for d in workspace.catalog.documents()}
    again = ingest(workspace, [corpus], progress=False)
    assert again.counts == {"unchanged": 2} and again.embedded == 0
    assert workspace.catalog.get_state("bm25_generation") == generation
    assert {d.doc_id: workspace.catalog.chunk_ids(d.doc_id) for d in workspace.catalog.documents()} == before


def test_replacing_a_document_swaps_its_chunks_and_reuses_embeddings(workspace: Workspace, corpus: Path) -> None:
    ingest(workspace, [corpus], progress=False)
    write(corpus / "lung.md", LUNG.replace("Several extrathoracic", "Multiple extrathoracic"))
    report = ingest(workspace, [corpus], progress=False)
    assert report.counts == {"replaced": 1, "unchanged": 1}
    assert report.embedded == 1 and report.reused >= 1  # only the edited passage is embedded again
    hits = Retriever(workspace).search("multiple extrathoracic metastases", k=5, mode="dense")
    texts = [h.chunk.text for h in hits]
    assert any("Multiple extrathoracic" in t for t in texts)
    assert not any("Several extrathoracic" in t for t in texts)
    assert workspace.vectors.count() == len(workspace.catalog.chunk_ids("lung")) + len(
        workspace.catalog.chunk_ids("thyroid"))


def test_bad_files_are_reported_while_the_rest_ingests(workspace: Workspace, corpus: Path, tmp_path: Path) -> None:
    (corpus / "corrupt.pdf").write_bytes(b"%PDF-1.4 nonsense")
    (corpus / "empty.md").write_bytes(b"")
    (corpus / "latin1.txt").write_bytes("pl\xe8vre".encode("latin-1"))
    report = ingest(workspace, [corpus, tmp_path / "missing.md", write(tmp_path / "x.docx", "x")], progress=False)
    statuses = {Path(f.path).name: (f.status, f.reason) for f in report.files}
    assert statuses["lung.md"][0] == statuses["thyroid.md"][0] == "added"
    assert statuses["corrupt.pdf"] == ("rejected", statuses["corrupt.pdf"][1])
    assert "corrupt.pdf: not a readable PDF" in statuses["corrupt.pdf"][1]
    assert "empty.md: empty file" in statuses["empty.md"][1]
    assert "latin1.txt: not UTF-8" in statuses["latin1.txt"][1]
    assert "missing.md: no such file" in statuses["missing.md"][1]
    assert "unsupported file type" in statuses["x.docx"][1]
    assert Retriever(workspace).search("punctate echogenic foci", k=1)[0].document.doc_id == "thyroid"


def test_failed_reindex_leaves_previous_index_serving(workspace: Workspace, corpus: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    ingest(workspace, [corpus], progress=False)
    generation = workspace.catalog.get_state("bm25_generation")
    write(corpus / "lung.md", LUNG.replace("Visceral pleural invasion", "Pleural invasion (visceral)"))
    write(corpus / "new.md", doc("new", "AJCC8-lung", "# New\n\nA brand new passage about carina involvement.\n"))

    from rag.index import lexical as index_module

    def explode(*args: object, **kwargs: object) -> None:
        raise OSError("disk full while writing BM25")

    monkeypatch.setattr(index_module.LexicalIndex, "build", staticmethod(explode))
    with pytest.raises(OSError, match="disk full"):
        ingest(workspace, [corpus], progress=False)
    monkeypatch.undo()
    # Previous generation, documents and text still serve, in both retrievers.
    assert workspace.catalog.get_state("bm25_generation") == generation
    assert {d.doc_id for d in workspace.catalog.documents()} == {"lung", "thyroid"}
    retriever = Retriever(workspace)
    for mode in ("bm25", "dense", "hybrid"):
        texts = [h.chunk.text for h in retriever.search("visceral pleural invasion carina", k=5, mode=mode)]
        assert any("Visceral pleural invasion makes" in t for t in texts), mode
        assert not any("brand new passage" in t for t in texts), mode
    # The next ingest completes the change and cleans up the points left behind.
    report = ingest(workspace, [corpus], progress=False)
    assert report.counts == {"replaced": 1, "added": 1, "unchanged": 1} and report.embedded == 0
    live = sum(len(workspace.catalog.chunk_ids(d.doc_id)) for d in workspace.catalog.documents())
    assert workspace.vectors.count() == live


def test_doc_id_collisions_are_rejected(workspace: Workspace, corpus: Path, tmp_path: Path) -> None:
    ingest(workspace, [corpus], progress=False)
    other = write(tmp_path / "elsewhere" / "lung.md", LUNG.replace("Visceral", "Other"))
    report = ingest(workspace, [other], progress=False)
    assert report.files[0].status == "rejected" and "already belongs to" in report.files[0].reason


def test_retire_removes_from_search_and_is_audited(workspace: Workspace, corpus: Path) -> None:
    from rag.corpus.admin import restore, retire

    ingest(workspace, [corpus], progress=False)
    retire(workspace, "thyroid", reason="superseded")
    for mode in ("bm25", "dense", "hybrid"):
        hits = Retriever(workspace).search("punctate echogenic foci points", k=5, mode=mode)
        assert all(h.document.doc_id != "thyroid" for h in hits), mode
    actions = [(e["action"], e["doc_id"]) for e in workspace.catalog.audit_log()]
    assert ("retired", "thyroid") in actions and ("added", "thyroid") in actions
    assert workspace.catalog.document("thyroid").status == "retired"  # type: ignore[union-attr]
    again = ingest(workspace, [corpus], progress=False)  # the bulk path does not undo a librarian's retirement
    rejected = {f.doc_id: f.reason for f in again.files if f.status == "rejected"}
    assert "rag corpus restore thyroid" in rejected["thyroid"] and again.embedded == 0
    restore(workspace, "thyroid", actor="test")  # restoring does, from the embedding cache
    assert Retriever(workspace).search("punctate echogenic foci", k=1)[0].document.doc_id == "thyroid"
    assert workspace.vectors.count() == workspace.catalog.count_chunks()


def test_pdf_ingest_keeps_pages(workspace: Workspace, tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "guide.pdf", [
        [("heading", "1 Scope"), ("text", "This guideline covers thyroid nodules seen on ultrasound.")],
        [("heading", "2 Fine-needle aspiration"),
         ("text", "Aspirate a TR5 nodule from 1.0 cm and a TR4 nodule from 1.5 cm.")],
    ], title="Thyroid nodule guide")
    write(tmp_path / "guide.pdf.yaml", "system: ACR-TI-RADS\nedition: local 2024\n")
    report = ingest(workspace, [pdf], progress=False)
    assert report.counts == {"added": 1}
    hit = Retriever(workspace).search("when to aspirate a TR4 nodule", k=1)[0]
    contract = hit.as_contract()
    assert contract["page"] == 2 and contract["title"] == "Thyroid nodule guide"
    assert contract["edition"] == "local 2024" and contract["section"] == "2 Fine-needle aspiration"


def test_filters_restrict_both_retrievers(workspace: Workspace, corpus: Path) -> None:
    from rag.types import DocFilter

    ingest(workspace, [corpus], progress=False)
    only_thyroid = DocFilter(systems=("ACR-TI-RADS",))
    for mode in ("bm25", "dense", "hybrid"):
        hits = Retriever(workspace).search("pleural invasion points", k=5, mode=mode, filters=only_thyroid)
        assert hits and all(h.document.system == "ACR-TI-RADS" for h in hits), mode
