"""Evidence across a PDF page break: chunks never cross a page (rag.corpus.chunk), so a sentence cut
by the break is the end of one chunk and the start of the next; the evidence panel shows both pages,
each with its part of the sentence highlighted (real PDF, real ingest, real PDFium rendering)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pdf_page_break import BROKEN_SENTENCE, make_page_break_pdf

from rag.corpus.ingest import ingest
from rag.web.evidence import evidence_html
from rag.web.pdfpage import page_spans, render_page
from rag.workspace import Workspace

pytestmark = pytest.mark.slow  # ingests with real embeddings


def _highlighted_pixels(png: bytes) -> int:
    """Pixels of the highlight's orange outline (230, 120, 0), which no page text has."""
    import numpy as np
    from PIL import Image

    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    return int(((abs(r - 230) < 12) & (abs(g - 120) < 12) & (b < 20)).sum())


def test_a_sentence_cut_by_the_page_break_shows_both_pages(workspace: Workspace, tmp_path: Path) -> None:
    pdf = make_page_break_pdf(tmp_path / "docs" / "harrier.pdf")
    ingest(workspace, [pdf], progress=False)
    order = workspace.catalog.chunk_ids("harrier")
    chunks = workspace.catalog.chunks(order)
    by_page = {chunks[c].page: chunks[c] for c in order}
    assert sorted(by_page) == [1, 2], "the fixture's paragraph must fall on two pages"
    first, second = by_page[1], by_page[2]
    assert not first.text.rstrip().endswith(".") and "harrier category R5" in first.text  # cut mid-sentence
    cut = first.text[first.text.index("A harrier lesion"):]

    spans = page_spans(workspace, first, cut)
    assert [(s.page, s.continued) for s in spans] == [(1, False), (2, True)]
    assert spans[1].quote and BROKEN_SENTENCE.endswith(spans[1].quote.replace("\n", " ").strip())
    # Cited from the other side (the chunk on page 2 whose first words finish the sentence): page 1 comes first.
    back = page_spans(workspace, second, second.text.split(". ")[0] + ".")
    assert [(s.page, s.continued) for s in back] == [(1, True), (2, False)]
    # A quote that does not touch the break keeps its single page.
    opening = first.text[:first.text.index("staging scan.") + len("staging scan.")]
    assert [s.page for s in page_spans(workspace, first, opening)] == [1]

    for span in spans:  # each page is drawn with its part of the sentence boxed
        png = render_page(workspace, first.chunk_id, span.page, span.quote)
        assert png.startswith(b"\x89PNG") and _highlighted_pixels(png) > 200, span
    assert _highlighted_pixels(render_page(workspace, first.chunk_id, 2, "")) == 0  # nothing boxed without a quote

    document = workspace.catalog.document("harrier")
    assert document is not None
    card = evidence_html("t1", [{"n": 1, "chunk_id": first.chunk_id, "doc_id": "harrier", "quote": cut}],
                         {first.chunk_id: first}, [document], "en", workspace)
    assert card.count("<img class='ev-page'") == 2 and "page=1" in card and "page=2" in card
    assert "ev-cont" in card
