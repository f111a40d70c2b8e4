"""A cited PDF page rendered on the server (pypdfium2), with the quote's boxes highlighted.

Why server-side: the browser then needs no PDF viewer (the usual ones fetch PDF.js from a CDN),
and only the cited page leaves the process, as a PNG. The quote is located in the page's own text
layer with whitespace and case normalised (pypdf's extraction, which the chunk came from, and
PDFium's differ in line breaks), and each matched character range is drawn as translucent boxes.
"""

from __future__ import annotations

import io
import re
import threading
from pathlib import Path

from rag.errors import InvalidInput
from rag.workspace import Workspace

SCALE = 1.6  # 72 dpi × 1.6 ≈ 115 dpi: readable on a laptop, small enough to send per click
_PDFIUM = threading.Lock()  # PDFium is not thread-safe


def _normalised(text: str) -> tuple[str, list[int]]:
    """Lower-cased text with whitespace runs as one space, plus each output char's index in ``text``."""
    out: list[str] = []
    index: list[int] = []
    space = False
    for i, ch in enumerate(text):
        if ch.isspace() or ch in "\x00\ufffe\u00ad":
            space = bool(out)
            continue
        if space:
            out.append(" ")
            index.append(i)
            space = False
        out.append(ch.lower())
        index.append(i)
    return "".join(out), index


def find_spans(page_text: str, quote: str) -> list[tuple[int, int]]:
    """Character ranges (start, count) of ``page_text`` that show the quote: the whole quote when it is
    on the page, else each of its sentences (or a sentence's leading 8 words) that is."""
    haystack, index = _normalised(page_text)

    def locate(needle: str) -> tuple[int, int] | None:
        at = haystack.find(needle) if len(needle) >= 12 or needle == haystack else -1
        if at < 0 or not needle:
            return None
        start, end = index[at], index[at + len(needle) - 1] + 1
        return start, end - start

    whole = locate(_normalised(quote)[0])
    if whole:
        return [whole]
    spans: list[tuple[int, int]] = []
    for sentence in re.split(r"(?<=[.;:。；])\s+", quote):
        needle = _normalised(sentence)[0]
        words = needle.split(" ")
        found = locate(needle) or (locate(" ".join(words[:8])) if len(words) > 8 else None)
        if found:
            spans.append(found)
    return spans


def _pdf_path(workspace: Workspace, chunk_id: str) -> tuple[Path, int | None]:
    chunk = workspace.catalog.chunks([chunk_id]).get(chunk_id)
    if chunk is None:
        raise InvalidInput(f"no chunk {chunk_id!r} in the index")
    document = workspace.catalog.document(chunk.doc_id)
    if document is None or not document.path.lower().endswith(".pdf"):
        raise InvalidInput(f"chunk {chunk_id} is not from a PDF")
    path = Path(document.path)
    if not path.exists():
        raise InvalidInput(f"the PDF of {document.doc_id} is no longer at {path}", hint="re-ingest it")
    return path, chunk.page


def render_page(workspace: Workspace, chunk_id: str, page: int, quote: str) -> bytes:
    """PNG bytes of one page (1-based) of the chunk's PDF, the quote highlighted."""
    import pypdfium2
    from PIL import ImageDraw

    path, _ = _pdf_path(workspace, chunk_id)
    with _PDFIUM:
        pdf = pypdfium2.PdfDocument(str(path))
        try:
            if not 1 <= page <= len(pdf):
                raise InvalidInput(f"page {page} is outside {path.name} (1-{len(pdf)})")
            pdf_page = pdf[page - 1]
            height = pdf_page.get_height()
            boxes: list[tuple[float, float, float, float]] = []
            if quote.strip():
                textpage = pdf_page.get_textpage()
                for start, count in find_spans(textpage.get_text_range(), quote):
                    for i in range(textpage.count_rects(start, count)):
                        boxes.append(textpage.get_rect(i))
            image = pdf_page.render(scale=SCALE).to_pil().convert("RGB")
        finally:
            pdf.close()
    overlay = ImageDraw.Draw(image, "RGBA")  # RGBA fill on an RGB image blends: the text stays readable
    for left, bottom, right, top in boxes:  # PDF points, origin bottom-left
        overlay.rectangle([left * SCALE - 1, (height - top) * SCALE - 1, right * SCALE + 1, (height - bottom) * SCALE + 1],
                          fill=(255, 214, 0, 90), outline=(230, 120, 0, 255), width=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
