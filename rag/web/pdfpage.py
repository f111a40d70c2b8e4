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
from dataclasses import dataclass
from pathlib import Path

from rag.errors import InvalidInput
from rag.types import Chunk
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


# --- which pages a cited passage spans ---------------------------------------------------------------
# Chunks never cross a PDF page (rag.corpus.chunk cuts at each page), so a paragraph that runs over a
# page break becomes the last chunk of one page and the first of the next. When the cited text is
# the sentence cut by that break, the evidence spans both pages: the neighbouring chunk's part of the
# sentence is highlighted on its own page too.
_SENTENCE_END = re.compile(r"[.!?;:。；！？：][\"'”’)\]]*\s*$")
_LAST_END = re.compile(r"[。；！？]|[.!?;](?=[\"'”’)\]]*(?:\s|$))")


@dataclass(frozen=True)
class PageSpan:
    """One page of a cited passage and the text to highlight on it."""

    page: int
    quote: str
    continued: bool = False  # the part of the sentence on a neighbouring page (shown under the chunk text)


def _head_fragment(text: str) -> str:
    """A chunk's text up to its first sentence end (the rest of a sentence begun on the previous page)."""
    match = _LAST_END.search(text)
    return text[:match.end()].strip() if match else text.strip()


def _tail_fragment(text: str) -> str:
    """A chunk's text after its last sentence end (a sentence the next page finishes)."""
    ends = list(_LAST_END.finditer(text))
    return text[ends[-1].end():].strip() if ends else text.strip()


def _cut_at_end(text: str) -> bool:
    return bool(text.strip()) and not _SENTENCE_END.search(text.strip())


def page_spans(workspace: Workspace | None, chunk: Chunk, quote: str) -> list[PageSpan]:
    """The pages to show for a cited PDF chunk: its own, plus a neighbour page where the quoted sentence
    runs across the page break (found from the document's chunk order in the catalogue)."""
    if chunk.page is None:
        return []
    spans = [PageSpan(chunk.page, quote)]
    if workspace is None:
        return spans
    order = workspace.catalog.chunk_ids(chunk.doc_id)
    if chunk.chunk_id not in order:
        return spans
    at = order.index(chunk.chunk_id)
    around = workspace.catalog.chunks([c for c in order[max(0, at - 1):at + 2] if c != chunk.chunk_id])
    before = around.get(order[at - 1]) if at > 0 else None
    after = around.get(order[at + 1]) if at + 1 < len(order) else None
    quoted = quote if quote.strip() else chunk.text
    if (before is not None and before.page == chunk.page - 1 and _cut_at_end(before.text)
            and find_spans(quoted, _head_fragment(chunk.text))):
        spans.insert(0, PageSpan(before.page, _tail_fragment(before.text), continued=True))
    if (after is not None and after.page == chunk.page + 1 and _cut_at_end(chunk.text)
            and find_spans(quoted, _tail_fragment(chunk.text))):
        spans.append(PageSpan(after.page, _head_fragment(after.text), continued=True))
    return spans
