from __future__ import annotations

from pathlib import Path

import pytest

from rag.corpus.chunk import chunk_document
from rag.corpus.parse import parse_file
from rag.errors import IngestError
from tests.conftest import make_pdf, write

MARKDOWN = """---
doc_id: demo-lung
title: Demo lung staging
system: AJCC8-lung
edition: AJCC 8th edition
effective_date: 2018-01-01
source: Demo source (2017)
license: CC-BY-4.0
---
# Demo lung staging

Intro text about the document with a reference [[1](#cit/section_1.1)] and a [link](https://example.org/x).

## Primary tumour

### T2a [LUNG8.T.T2a]
T2a: tumour larger than 3 cm and at most 4 cm.

### Stage grid [LUNG8.STAGE]
Rows are T, columns are N.

| Rule | T | N0 | N1 |
|---|---|---|---|
| LUNG8.STAGE.T1a | T1a | IA1 | IIB |
| LUNG8.STAGE.T2a | T2a | IB | IIB |

## Notes

Closing remarks.
"""


def test_markdown_sections_rules_and_offsets(tmp_path: Path) -> None:
    path = write(tmp_path / "demo.md", MARKDOWN)
    parsed = parse_file(path)
    assert parsed.meta["title"] == "Demo lung staging" and parsed.warnings == ()
    chunks = chunk_document(parsed, "demo-lung")
    by_rule = {r: c for c in chunks for r in c.rule_ids}
    t2a = by_rule["LUNG8.T.T2a"]
    assert t2a.section == "Demo lung staging > Primary tumour > T2a"
    assert "larger than 3 cm" in t2a.text and t2a.kind == "text"
    table = by_rule["LUNG8.STAGE.T1a"]
    assert table is by_rule["LUNG8.STAGE.T2a"] is by_rule["LUNG8.STAGE"]  # the table stays whole with its heading
    assert table.kind == "table" and "Rows are T" in table.text and "| LUNG8.STAGE.T2a | T2a | IB | IIB |" in table.text
    file_text = path.read_text()
    for chunk in chunks:  # offsets point into the file's text
        assert chunk.text.splitlines()[0].strip() in file_text[chunk.start:chunk.end]
    intro = chunks[0]
    assert "[[1]" not in intro.text and "https://" not in intro.text and "a link" in intro.text


def test_chunk_ids_are_content_derived(tmp_path: Path) -> None:
    path = write(tmp_path / "demo.md", MARKDOWN)
    first = [c.chunk_id for c in chunk_document(parse_file(path), "demo-lung")]
    second = [c.chunk_id for c in chunk_document(parse_file(path), "demo-lung")]
    assert first == second and len(set(first)) == len(first)
    edited = write(tmp_path / "demo.md", MARKDOWN.replace("Closing remarks.", "Different closing."))
    third = [c.chunk_id for c in chunk_document(parse_file(edited), "demo-lung")]
    assert len(set(first) - set(third)) == 1  # only the edited passage changed id


def test_long_prose_is_split_near_the_target_size(tmp_path: Path) -> None:
    sentences = " ".join(f"Sentence number {i} talks about nodal stations and pleura." for i in range(80))
    path = write(tmp_path / "long.md", f"---\ntitle: Long\n---\n# Long\n\n{sentences}\n")
    chunks = chunk_document(parse_file(path), "long", chunk_chars=500)
    assert len(chunks) > 5
    assert all(len(c.text) <= 1000 for c in chunks)
    assert all(c.text.rstrip().endswith(".") for c in chunks)  # cut at sentence ends


def test_huge_table_is_cut_into_row_groups_repeating_the_header(tmp_path: Path) -> None:
    rows = "\n".join(f"| row {i} | value {i} with some padding text to make it long |" for i in range(200))
    path = write(tmp_path / "table.md", f"---\ntitle: T\n---\n## Big table\n\n| Name | Value |\n|---|---|\n{rows}\n")
    chunks = chunk_document(parse_file(path), "t", chunk_chars=500)
    assert len(chunks) > 3 and all(c.kind == "table" for c in chunks)
    assert all(c.text.splitlines()[0] in ("## Big table", "| Name | Value |") for c in chunks)
    joined = "\n".join(c.text for c in chunks)
    assert all(f"| row {i} |" in joined for i in range(200))


def test_missing_front_matter_fields_warn_not_fail(tmp_path: Path) -> None:
    parsed = parse_file(write(tmp_path / "bare.md", "# Bare title\n\nSome text.\n"))
    assert parsed.meta["title"] == "Bare title"
    assert any("no YAML front matter" in w for w in parsed.warnings)
    assert any("missing front-matter field(s)" in w and "edition" in w for w in parsed.warnings)


def test_plain_text_headings_and_sidecar_metadata(tmp_path: Path) -> None:
    path = write(tmp_path / "notes.txt", "GENERAL RULES\n\nUse the lower category when in doubt.\n\n"
                                         "2.1 Prefixes\n\nThe y prefix marks staging after neoadjuvant therapy.\n")
    write(tmp_path / "notes.txt.yaml", "title: Notes\nedition: 2024 local\n")
    parsed = parse_file(path)
    assert parsed.meta["title"] == "Notes" and parsed.meta["edition"] == "2024 local"
    sections = {c.section: c.text for c in chunk_document(parsed, "notes")}
    assert any(s.endswith("2.1 Prefixes") and "neoadjuvant" in t for s, t in sections.items())


def test_pdf_pages_sections_and_table(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "guide.pdf", [
        [("heading", "1 Introduction"), ("text", "Visceral pleural invasion upgrades small lung tumours. " * 4)],
        [("heading", "2 Stage groups"),
         ("table", [("T", "N0", "N1"), ("T1a", "IA1", "IIB"), ("T2a", "IB", "IIB"), ("T3", "IIB", "IIIA")])],
        [("heading", "3 Follow-up"), ("text", "Computed tomography every six months for two years.")],
    ], title="Demo PDF guideline")
    parsed = parse_file(path)
    assert parsed.kind == "pdf" and len(parsed.pages) == 3 and parsed.meta["title"] == "Demo PDF guideline"
    chunks = chunk_document(parsed, "guide")
    table = next(c for c in chunks if "T2a IB IIB" in c.text)
    assert table.page == 2 and table.kind == "table" and table.section == "2 Stage groups"
    assert all(row in table.text for row in ("T1a IA1 IIB", "T3 IIB IIIA"))
    follow = next(c for c in chunks if "six months" in c.text)
    assert follow.page == 3 and follow.section == "3 Follow-up"
    assert parsed.pages[follow.page - 1][follow.start:follow.end].startswith("3 Follow-up")


@pytest.mark.parametrize("name, content, reason", [
    ("empty.md", b"", "empty file"),
    ("blank.txt", b"   \n\n", "empty file"),
    ("latin1.txt", "Tumeur de 3 cm, pl\xe8vre".encode("latin-1"), "not UTF-8"),
    ("data.docx", b"PK\x03\x04", "unsupported file type"),
    ("corrupt.pdf", b"%PDF-1.4\n garbage that is not a pdf", "not a readable PDF"),
    ("bad-yaml.md", b"---\ntitle: [unclosed\n---\nBody\n", "invalid YAML front matter"),
])
def test_bad_files_are_rejected_with_their_name_and_reason(tmp_path: Path, name: str, content: bytes,
                                                            reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(IngestError) as caught:
        parse_file(path)
    assert name in str(caught.value) and reason in str(caught.value)


def test_encrypted_pdf_is_rejected(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    plain = make_pdf(tmp_path / "plain.pdf", [[("text", "Secret staging text for the encrypted test.")]])
    writer = PdfWriter()
    for page in PdfReader(plain).pages:
        writer.add_page(page)
    writer.encrypt("password")
    locked = tmp_path / "locked.pdf"
    with locked.open("wb") as handle:
        writer.write(handle)
    with pytest.raises(IngestError, match="locked.pdf: encrypted PDF"):
        parse_file(locked)


def test_image_only_pdf_asks_for_ocr(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")  # drawn content, no text layer
    path = tmp_path / "scan.pdf"
    pdf.output(str(path))
    with pytest.raises(IngestError, match="scan.pdf: no text layer; OCR it first"):
        parse_file(path)
