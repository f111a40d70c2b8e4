"""HTML for answers, citations and staging results as the page shows them.

The chat sanitiser keeps ``<a href class>``, ``<sup>`` and ``<button class>`` but strips ``data-*``
and ``onclick``, so a ``[n]`` marker is ``<a href="#ev-T-n">`` (T: the turn) and the evidence panel
(``ui.EVIDENCE_JS``) reacts to the click. All text from the corpus or the user is escaped here.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from rag.types import Chunk, Document
from rag.web.pdfpage import find_spans, page_spans
from rag.workspace import Workspace

_MARKER = re.compile(r"\[(\d+)\]")

TEXT = {
    "en": {"edition": "Edition", "status": "Status", "section": "Section", "page": "Page", "source": "File",
           "current": "current", "superseded": "superseded", "retired": "retired", "supported": "supported",
           "removed": "removed as unsupported", "backend": "Answered by", "searched": "What was searched",
           "nearest": "Nearest passages (below the relevance gate)", "filters": "Filters", "none": "none",
           "rewritten": "Read as", "result": "Result", "missing": "Still needed", "rules": "Rules applied",
           "discrepancy": "Discrepancy with the report", "in_report": "Evidence in the report", "notes": "Notes",
           "pick": "Click a [n] marker to see its passage here.", "rule": "Rule", "refused": "No answer"},
    "zh": {"edition": "版本", "status": "状态", "section": "章节", "page": "页码", "source": "文件",
           "current": "现行", "superseded": "已被取代", "retired": "已停用", "supported": "有依据",
           "removed": "因缺乏依据已删除", "backend": "回答方式", "searched": "检索内容",
           "nearest": "最接近的段落（未达到相关性阈值）", "filters": "筛选", "none": "无",
           "rewritten": "理解为", "result": "结果", "missing": "尚需", "rules": "所用规则",
           "discrepancy": "与报告不一致", "in_report": "报告中的依据", "notes": "说明",
           "pick": "点击 [n] 标记即可在此查看原文段落。", "rule": "规则", "refused": "无法回答"},
}


def t(language: str, key: str) -> str:
    return TEXT.get(language, TEXT["en"])[key]


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def highlight(text: str, quote: str) -> str:
    """Escaped ``text`` with the quote's spans wrapped in ``<mark>``."""
    spans = sorted(find_spans(text, quote)) if quote.strip() else []
    out: list[str] = []
    at = 0
    for start, count in spans:
        if start < at:
            continue
        out.append(esc(text[at:start]))
        out.append(f"<mark>{esc(text[start:start + count])}</mark>")
        at = start + count
    out.append(esc(text[at:]))
    return "".join(out)


def status_of(document: Document, documents: Iterable[Document]) -> str:
    """current / superseded / retired, for the panel (a newer active edition names this one in ``supersedes``)."""
    if document.status == "retired":
        return "retired"
    if document.status == "superseded" or any(d.supersedes == document.doc_id and d.status == "active" for d in documents):
        return "superseded"
    return "current"


def link_markers(text: str, turn: str, quotes: Mapping[int, str]) -> str:
    """Escaped text with each ``[n]`` as a link to its evidence (the quote as the hover title)."""

    def anchor(match: re.Match[str]) -> str:
        n = int(match.group(1))
        title = re.sub(r"\s+", " ", quotes.get(n, ""))[:300]
        return f'<a href="#ev-{turn}-{n}" class="cite" title="{esc(title)}">[{n}]</a>'

    return _MARKER.sub(anchor, esc(text))


def citation_block(turn: str, n: int, chunk: Chunk | None, document: Document | None, citation: Mapping[str, Any],
                   status: str, language: str, workspace: Workspace | None = None) -> str:
    """One evidence card (hidden until its marker is clicked)."""
    quote = str(citation.get("quote") or "")
    title = document.title if document else citation.get("title", "")
    edition = document.edition if document else citation.get("edition", "")
    section = chunk.section if chunk else citation.get("section", "")
    page = chunk.page if chunk else citation.get("page")
    body = highlight(chunk.text, quote) if chunk else f"<mark>{esc(quote)}</mark>"
    rows = [f"<div class='ev-title'>[{n}] {esc(title)}</div>",
            "<dl class='ev-meta'>",
            f"<dt>{t(language, 'edition')}</dt><dd>{esc(edition)}</dd>",
            f"<dt>{t(language, 'status')}</dt><dd class='st-{esc(status)}'>{t(language, status)}</dd>",
            f"<dt>{t(language, 'section')}</dt><dd>{esc(section)}</dd>"]
    if citation.get("rule_id"):
        rows.append(f"<dt>{t(language, 'rule')}</dt><dd><code>{esc(citation['rule_id'])}</code></dd>")
    if page:
        rows.append(f"<dt>{t(language, 'page')}</dt><dd>{esc(page)}</dd>")
    if document:
        rows.append(f"<dt>{t(language, 'source')}</dt><dd>{esc(document.source)}</dd>")
    rows.append("</dl>")
    rows.append(f"<div class='ev-text'>{body}</div>")
    if page and document and document.source.lower().endswith(".pdf") and chunk is not None:
        # Every page the cited text spans (a sentence cut by a page break continues on the next page).
        spans = page_spans(workspace, chunk, quote)
        for span in spans:
            if span.continued:
                rows.append(f"<div class='ev-text ev-cont'>{t(language, 'page')} {span.page}: <mark>{esc(span.quote)}</mark></div>")
        for span in spans:
            query = urlencode({"chunk_id": chunk.chunk_id, "page": span.page, "quote": span.quote[:1500]})
            rows.append(f"<img class='ev-page' alt='page {span.page}' loading='lazy' src='/api/evidence/page.png?{esc(query)}'>")
    return f"<section class='ev' id='evd-{esc(turn)}-{n}' hidden>{''.join(rows)}</section>"


def evidence_html(turn: str, citations: Sequence[Mapping[str, Any]], chunks: Mapping[str, Chunk],
                  documents: Sequence[Document], language: str, workspace: Workspace | None = None) -> str:
    """Every citation's card for one turn (the panel shows the one clicked); with ``workspace``, a PDF
    citation whose sentence runs over a page break shows both pages."""
    by_id = {d.doc_id: d for d in documents}
    blocks = []
    for c in citations:
        document = by_id.get(str(c.get("doc_id")))
        status = status_of(document, documents) if document else "current"
        blocks.append(citation_block(turn, int(c["n"]), chunks.get(str(c.get("chunk_id"))), document, c, status, language,
                                     workspace))
    return "".join(blocks)


def answer_markdown(answer: Mapping[str, Any]) -> str:
    """The answer with its numbered references, as Markdown for the clipboard."""
    lines = [str(answer.get("answer", "")), ""]
    for c in answer.get("citations", []):
        page = f", p. {c['page']}" if c.get("page") else ""
        quote = re.sub(r"\s+", " ", str(c.get("quote", ""))).strip()
        lines.append(f"[{c['n']}] {c['title']} ({c['edition']}) — {c['section']}{page}. “{quote[:300]}”")
    return "\n".join(lines).strip() + "\n"
