"""The Ask view: a chat whose ``[n]`` markers open the cited passage in the evidence panel.

Answers come from ``rag.answer.pipeline.answer_question`` (the same function as ``rag ask``), with
follow-ups rewritten by the session's ``Conversation``. Every sentence shown has passed the
verifier; the text is streamed out after verification (a sentence is never shown and then
withdrawn), then replaced by the linked version.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import gradio as gr

from rag.answer.conversation import Conversation
from rag.answer.verify import split_sentences
from rag.errors import RagError
from rag.types import DocFilter
from rag.web.evidence import answer_markdown, esc, evidence_html, link_markers, t
from rag.web.runtime import IndexBuilding, Runtime
from rag.web.ui import EVIDENCE_JS, tr
from rag.workspace import Workspace

MAX_TURNS_SHOWN = 30  # evidence cards kept in the panel (older turns' markers then show nothing)
STREAM_WORDS = 6


@dataclass
class ChatState:
    """One browser session's conversation: follow-up rewriting, turn count and evidence cards."""

    conversation: Conversation = field(default_factory=Conversation)
    turn: int = 0
    cards: list[str] = field(default_factory=list)


def _hint_html(language: str = "en") -> str:
    return f"<p class='ev-hint'>{t(language, 'pick')}</p>"


def _filters(systems: list[str] | None, editions: list[str] | None, language: str | None) -> DocFilter | None:
    flt = DocFilter(systems=tuple(systems or ()), editions=tuple(editions or ()),
                    languages=(language,) if language and language != "any" else ())
    return None if flt.is_empty() else flt


def _support_lines(record: dict[str, Any], language: str) -> str:
    lines = []
    if record.get("citations"):
        lines.append(f"<sup>✓ = {t(language, 'supported')}</sup>")
    for u in record.get("unsupported", []):
        lines.append(f"<sup>✗ {t(language, 'removed')}: ~~{esc(u['sentence'])}~~ ({esc(u['reason'])})</sup>")
    return "<br>".join(lines)


def _searched(workspace: Workspace, question: str, flt: DocFilter | None, language: str) -> str:
    """What a refusal searched: the question as read, the filters, and the nearest passages."""
    from rag.retrieval.retrieve import Retriever

    hits = Retriever(workspace).search(question, k=3, filters=flt)
    shown = ", ".join(f"{k}={'/'.join(v)}" for k, v in (flt.fields() if flt else {}).items() if v) or t(language, "none")
    nearest = "; ".join(f"{esc(h.document.title)} › {esc(h.chunk.section.rsplit(' > ', 1)[-1])}" for h in hits)
    return (f"<sup>{t(language, 'searched')}: “{esc(question)}” · {t(language, 'filters')}: {esc(shown)} · "
            f"{t(language, 'nearest')}: {nearest or t(language, 'none')}</sup>")


def render_answer(record: dict[str, Any], turn: int, searched: str = "") -> str:
    """The chat message for one answer: linked markers, support, backend, notices."""
    language = record.get("language", "en")
    quotes = {int(c["n"]): str(c.get("quote", "")) for c in record.get("citations", [])}
    if record.get("refused"):
        parts = [link_markers(record["answer"], str(turn), quotes)]
    else:  # each sentence shown passed the verifier against the passages it cites: say so per sentence
        tick = f"<sup title='{t(language, 'supported')}'>✓</sup>"
        joiner = "" if language == "zh" else " "
        parts = [joiner.join(link_markers(s, str(turn), quotes) + tick for s in split_sentences(record["answer"]))]
    if record.get("refused") and searched:
        parts.append(searched)
    support = _support_lines(record, language)
    if support:
        parts.append(support)
    meta = f"{t(language, 'backend')}: {esc(record.get('backend', ''))}"
    if record.get("rewritten_question"):
        meta += f" · {t(language, 'rewritten')}: “{esc(record['rewritten_question'])}”"
    parts.append(f"<sup>{meta}</sup>")
    if record.get("notice"):
        parts.append(f"<sup>⚠ {esc(record['notice'])}</sup>")
    return "\n\n".join(parts)


def answer_turn(runtime: Runtime, state: ChatState, question: str, flt: DocFilter | None,
                backend: str | None) -> tuple[dict[str, Any], str, str]:
    """Answer one question: (contract record, chat HTML, this turn's evidence cards)."""
    from rag.answer.pipeline import answer_question

    state.turn += 1
    turn = state.turn

    def work(ws: Workspace) -> tuple[dict[str, Any], str, str]:
        model = runtime.backend(backend)  # loaded once per process (a GGUF is not reloaded per question)
        answer = answer_question(ws, question, backend=(backend or runtime.settings.llm_backend) if model else backend,
                                 llm=model, conversation=state.conversation, filters=flt)
        record = answer.as_contract()
        searched = _searched(ws, answer.rewritten or question, flt, answer.language) if answer.refused else ""
        chunks = {c.source.chunk.chunk_id: c.source.chunk for c in answer.citations}
        cards = evidence_html(str(turn), record["citations"], chunks, ws.catalog.documents(), answer.language, ws)
        return record, render_answer(record, turn, searched), cards

    return runtime.run(work)


@dataclass
class FilterMenus:
    """The Ask view's filter components, refreshed by the page when the catalogue changes."""

    system: gr.Dropdown
    edition: gr.Dropdown
    language: gr.Radio

    @property
    def components(self) -> list[Any]:
        return [self.system, self.edition, self.language]


def ask_tab(runtime: Runtime) -> FilterMenus:
    """Build the Ask view inside the current Blocks context; its filter menus for the page to refresh."""
    systems, editions, languages = filter_choices(runtime)
    state = gr.State(None)  # a ChatState, created on the session's first question
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=320):
            chat = gr.Chatbot(label=tr("chat"), height=460, elem_id="chat", buttons=["copy"], feedback_options=None,
                              group_consecutive_messages=False)
            with gr.Row():
                question = gr.Textbox(label=tr("question"), placeholder=tr("question_ph"), scale=5, lines=1,
                                      max_length=4000, elem_id="question", autofocus=True)
                ask = gr.Button(tr("ask"), variant="primary", scale=1, elem_id="ask-button", min_width=80)
            with gr.Accordion(tr("filters"), open=False):
                with gr.Row():
                    f_system = gr.Dropdown(systems, value=[], multiselect=True, label=tr("f_system"), elem_id="f-system")
                    f_edition = gr.Dropdown(editions, value=[], multiselect=True, label=tr("f_edition"), elem_id="f-edition")
                    f_language = gr.Radio(["any", *languages], value="any", label=tr("f_language"), elem_id="f-language")
                    backend = gr.Dropdown(["default", "extractive", "llamacpp", "openai"], value="default",
                                          label=tr("backend"), elem_id="f-backend")
            clear = gr.Button(tr("clear"), size="sm")
        with gr.Column(scale=2, min_width=300):
            panel = gr.HTML(_hint_html(), label=tr("evidence"), show_label=True, container=True, elem_id="ev-panel", js_on_load=EVIDENCE_JS,
                            max_height=640)
            markdown = gr.Textbox(label=tr("copy"), lines=4, max_lines=12, buttons=["copy"], interactive=False,
                                  elem_id="answer-markdown")

    def respond(text: str, history: list[dict[str, Any]], chat_state: ChatState | None, sys_f: list[str], ed_f: list[str],
                lang_f: str, backend_name: str) -> Iterator[tuple[Any, ...]]:
        history = list(history or [])
        chat_state = chat_state if isinstance(chat_state, ChatState) else ChatState()
        text = (text or "").strip()
        if not text:
            yield history, chat_state, gr.skip(), gr.skip(), gr.skip()
            return
        history.append({"role": "user", "content": text})
        history.append({"role": "assistant", "content": "…"})
        yield history, chat_state, gr.skip(), "", gr.skip()
        try:
            record, final, cards = answer_turn(runtime, chat_state, text, _filters(sys_f, ed_f, lang_f),
                                               None if backend_name == "default" else backend_name)
        except IndexBuilding as exc:
            history[-1] = {"role": "assistant", "content": f"Please wait: {esc(exc.user_message())}"}
            yield history, chat_state, gr.skip(), gr.skip(), gr.skip()
            return
        except RagError as exc:
            history[-1] = {"role": "assistant", "content": f"⚠ {esc(exc.user_message())}"}
            yield history, chat_state, gr.skip(), gr.skip(), gr.skip()
            return
        words = re.split(r"(?<=\s)", record["answer"])
        for end in range(STREAM_WORDS, len(words), STREAM_WORDS):
            history[-1] = {"role": "assistant", "content": esc("".join(words[:end])) + " ▍"}
            yield history, chat_state, gr.skip(), gr.skip(), gr.skip()
        history[-1] = {"role": "assistant", "content": final}
        chat_state.cards.append(cards)
        del chat_state.cards[:-MAX_TURNS_SHOWN]
        panel_html = _hint_html(record.get("language", "en")) + "".join(reversed(chat_state.cards))
        yield history, chat_state, panel_html, gr.skip(), answer_markdown(record)

    outputs = [chat, state, panel, question, markdown]
    inputs = [question, chat, state, f_system, f_edition, f_language, backend]
    ask.click(respond, inputs, outputs, api_visibility="private")
    question.submit(respond, inputs, outputs, api_visibility="private")

    def reset() -> tuple[Any, ...]:
        return [], None, _hint_html(), ""

    clear.click(reset, None, [chat, state, panel, markdown], api_visibility="private")
    return FilterMenus(f_system, f_edition, f_language)


def filter_choices(runtime: Runtime) -> tuple[list[str], list[str], list[str]]:
    """Systems, editions and languages the filter menus offer: what the catalogue holds (librarian
    uploads included, retired documents left out), or the bundled corpus's front matter while the
    first-run build has not opened the catalogue yet."""
    if runtime.ready:
        with runtime.lock:
            documents = [d for d in runtime.workspace.catalog.documents() if d.status != "retired"]
        found = [(d.system, d.edition, d.language) for d in documents]
    else:
        found = _bundled_front_matter(runtime)
    systems = sorted({s for s, _, _ in found if s and s != "glossary"})
    editions = sorted({e for _, e, _ in found if e})
    languages = sorted({lang for _, _, lang in found if lang})
    return systems, editions, languages


def filter_updates(runtime: Runtime, systems: list[str] | None, editions: list[str] | None,
                   language: str | None) -> tuple[Any, Any, Any]:
    """Menu updates after the catalogue changed, keeping the choices still on offer."""
    all_systems, all_editions, languages = filter_choices(runtime)
    keep_language = language if language in languages else "any"
    return (gr.update(choices=all_systems, value=[s for s in systems or [] if s in all_systems]),
            gr.update(choices=all_editions, value=[e for e in editions or [] if e in all_editions]),
            gr.update(choices=["any", *languages], value=keep_language))


def _bundled_front_matter(runtime: Runtime) -> list[tuple[str, str, str]]:
    """(system, edition, language) of each bundled corpus file, read from its front matter without the index."""
    import yaml

    found: list[tuple[str, str, str]] = []
    corpora = runtime.settings.corpora_dir
    for path in sorted(corpora.rglob("*.md")) if corpora.is_dir() else []:
        head = path.read_text(encoding="utf-8", errors="replace").split("---", 2)
        if len(head) < 3:
            continue
        try:
            meta = yaml.safe_load(head[1]) or {}
        except yaml.YAMLError:
            continue
        if isinstance(meta, dict):
            found.append((str(meta.get("system") or ""), str(meta.get("edition") or ""), str(meta.get("language") or "en")))
    return found
