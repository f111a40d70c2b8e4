"""``rag ask``: understand → (calculate) → retrieve → select → generate → verify → cited answer.

Every sentence the user sees has passed ``rag.answer.verify.verify`` against the sources it cites; what does
not pass is listed under ``unsupported``. The answer is refused, in the question's language, when
retrieval finds nothing relevant or nothing supported remains.

Each step has its module: ``intent`` (what is asked), ``calculation`` (calculator routing),
``context`` (the relevance gate and context selection), ``relevance`` (is a passage or sentence
about what was asked), ``offquestion`` (the sentence-level gate), ``verify`` (support and
citations), ``result`` (the ``Answer``). This module strings them together.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from rag.answer.calculation import calculation_sentences, calculation_sources, run_calculation
from rag.answer.context import (
    COSINE_WEIGHT,
    RELEVANCE_THRESHOLD,
    CorpusStats,
    ScoringRetriever,
    corpus_stats,
    relevance,
    select_context,
)
from rag.answer.intent import Intent, understand
from rag.answer.offquestion import split_off_question
from rag.answer.prompt import ANSWER_RESPONSE_FORMAT, CANNOT_ANSWER, build_prompt, parse_structured
from rag.answer.relevance import (
    Focus,
    heading_names_focus,
    holds_focus_quantities,
    out_of_scope_ask,
    passage_off_question,
    question_focus,
    subject_rank,
)
from rag.answer.result import REFUSAL, Answer, refuse
from rag.answer.shape import question_shape
from rag.answer.verify import Segment, Source, Verified, chunk_units, data_text, parse_markers, verify
from rag.errors import BackendUnavailable, InvalidInput
from rag.index.tokenize import tokenize
from rag.llm.base import LLMBackend, get_backend
from rag.llm.extractive import ExtractiveBackend, Passage, compose
from rag.types import DocFilter, SearchHit
from rag.workspace import Workspace

__all__ = ["Answer", "RELEVANCE_THRESHOLD", "REFUSAL", "answer_question", "build_prompt", "select_context"]

RETRIEVE_K = 8
CROSS_LANGUAGE_NOTE = "中文语料未涵盖此问题，以下为英文指南原文（已核对出处）："


# --- the pipeline ---------------------------------------------------------------------------------
def _resolve_backend(workspace: Workspace, name: str | None,
                     llm: LLMBackend | None) -> tuple[str, LLMBackend, str | None]:
    if llm is not None:
        return name or type(llm).__name__, llm, None
    chosen = name or workspace.settings.llm_backend or "extractive"
    if chosen == "extractive":
        return chosen, ExtractiveBackend(), None
    try:
        return chosen, get_backend(workspace.settings, chosen), None
    except BackendUnavailable as exc:
        notice = f"backend {chosen!r} unavailable: {exc.user_message()}; answered with the extractive backend"
        return "extractive", ExtractiveBackend(), notice


def answer_question(workspace: Workspace, question: str, *, backend: str | None = None,
                    llm: LLMBackend | None = None, conversation: Any = None,
                    filters: DocFilter | None = None) -> Answer:
    """Answer one question from the workspace's corpus, every sentence cited and verified.

    ``backend`` names a registered backend (default: settings); ``llm`` passes a backend object
    directly (tests use ``FakeBackend``). ``conversation`` (a ``rag.answer.conversation.Conversation``)
    rewrites follow-ups into standalone questions and records the turn. ``filters`` (system, edition,
    language, doc id) restrict the retrieved passages, as the web app's filter menus ask.
    """
    if question is None or not question.strip():
        raise InvalidInput("empty question", hint="type a question, e.g. 'What is Lung-RADS 4A?'")
    started = time.perf_counter()
    standalone = conversation.rewrite(question) if conversation is not None else question.strip()
    intent = understand(standalone)
    name, model, notice = _resolve_backend(workspace, backend, llm)
    timings: dict[str, float] = {}
    try:
        result = _answer(workspace, standalone, intent, name, model, ScoringRetriever(workspace), timings, filters)
    except BackendUnavailable as exc:
        if isinstance(model, ExtractiveBackend):
            raise
        # A server that went away or a prompt over the model's context: answer anyway, and say so.
        notice = f"backend {name!r} failed: {exc.user_message()}; answered with the extractive backend"
        name, model = "extractive", ExtractiveBackend()
        result = _answer(workspace, standalone, intent, name, model, ScoringRetriever(workspace), timings, filters)
    timings["total"] = (time.perf_counter() - started) * 1000
    result = replace(result, question=question, rewritten=standalone, notice=notice, timings_ms=timings)
    if conversation is not None:
        conversation.record(question, standalone, intent)
    return result


def _answer(workspace: Workspace, question: str, intent: Intent, name: str, model: LLMBackend,
            retriever: ScoringRetriever, timings: dict[str, float], filters: DocFilter | None = None) -> Answer:
    language = intent.language
    t0 = time.perf_counter()
    calculation, calc_sources, calc_text, assumed = None, [], [], False
    if intent.calculate:
        calculation, assumed = run_calculation(workspace, intent)
        if calculation is not None:
            calc_sources = calculation_sources(workspace, calculation)
            calc_text = calculation_sentences(calculation, calc_sources, language, assumed)
    t1 = time.perf_counter()
    # Filters are applied to an unfiltered ranking: embedded Qdrant filters point by point in Python,
    # which measured 3x slower than over-fetching here; a filter that leaves nothing is ignored.
    if filters is not None and not filters.is_empty():
        # The user's own filters (the web app's menus) are strict: searched inside them, and checked again.
        hits = [h for h in retriever.search(question, k=RETRIEVE_K * 2, filters=filters) if _passes(filters, h)]
    else:
        hits = retriever.search(question, k=RETRIEVE_K * 2)
    if language == "zh":
        # The Chinese documents restate a few English ones; find their passages even when the English
        # ones outrank them, so a Chinese passage that covers the question can answer it in Chinese.
        saved_cosines = retriever.cosines  # the BM25-only search below must not replace them
        seen_ids = {h.chunk.chunk_id for h in hits}
        site = tuple(sorted(_site_systems(intent.system))) if intent.system else ()
        labelled = " ".join([question, *sorted(a for v in question_focus(question, intent.system).labels.values()
                                               for a in v if not a.isdigit())])
        zh_hits = retriever.search(labelled, k=RETRIEVE_K, mode="bm25", filters=DocFilter(languages=("zh",), systems=site))
        hits += [h for h in zh_hits if h.chunk.chunk_id not in seen_ids and (filters is None or _passes(filters, h))]
        retriever.cosines = saved_cosines
    wanted = set(intent.filters.systems)
    if calculation is not None:
        wanted = {calculation.get("system", ""), "AJCC8-general"} | {s.document.system for s in calc_sources}
    if wanted and any(h.document.system in wanted for h in hits):
        hits = [h for h in hits if h.document.system in wanted]
    if not wanted and intent.system and any(h.document.system in _site_systems(intent.system) for h in hits):
        # A question about one site ("肺癌…M几") is not answered from another site's rules.
        hits = [h for h in hits if h.document.system in _site_systems(intent.system) or h.document.system == "AJCC8-general"]
    if language == "en" and any(h.document.language == "en" for h in hits):
        # The Chinese documents restate English ones; an English question is answered in English.
        hits = [h for h in hits if h.document.language != "zh"]
    # A chunk with no content once instruction-like sentences are removed is not a source at all.
    hits = [h for h in hits if chunk_units(data_text(h.chunk.text))]
    # Relevance, not only support: a passage about a sibling of what was asked (TR1 for a TR4
    # question) is never offered, however well it matches the question's other words.
    q_tokens, expansions, phrases = _question_tokens(workspace, question, language)
    focus = question_focus(question, intent.system, phrases)
    if calc_text and intent.is_rads:
        # The answer is about the computed category: a retrieved sentence about a sibling category
        # ("Lung-RADS 2 when <6 mm…" beside a computed Lung-RADS 3) does not answer the question.
        computed = question_focus(" ".join(parse_markers(t)[0] for t in calc_text), intent.system)
        focus = replace(focus, labels={**focus.labels, **computed.labels})
    hits = [h for h in hits if not passage_off_question(focus, _heading(h.chunk.section), data_text(h.chunk.text),
                                                        intent.system)]
    if focus.labels:
        # The passage about exactly the asked member first ("Category 4A — suspicious" before "Airway
        # nodule, segmental — category 4A"), then passages naming it among other things (stable order).
        hits = sorted(hits, key=lambda h: subject_rank(focus, _heading(h.chunk.section), intent.system))
    if language == "zh" and any(_covers(focus, h, intent.system) for h in hits if h.document.language == "zh"):
        # A Chinese passage that covers the question answers it in Chinese; English ones only when none does.
        hits = [h for h in hits if h.document.language == "zh"]
    hits = hits[:RETRIEVE_K]
    t2 = time.perf_counter()
    stats = corpus_stats(workspace)
    lexical = [max(relevance(q_tokens, h, stats), relevance(expansions, h, stats) if expansions else 0.0) for h in hits]
    cosines = [retriever.cosines.get(h.chunk.chunk_id, lex) for h, lex in zip(hits, lexical, strict=True)]
    scores = [COSINE_WEIGHT * c + (1 - COSINE_WEIGHT) * lex for c, lex in zip(cosines, lexical, strict=True)]
    # A passage whose own heading names the asked label of the asked system ("LR-5" under LI-RADS) is
    # relevant whatever the wording ("FNA" vs "fine-needle aspiration", a Chinese question on English text).
    scores = [max(s, RELEVANCE_THRESHOLD[language]) if intent.system == h.document.system
              and (heading_names_focus(focus, _heading(h.chunk.section), intent.system)
                   or (intent.explicit_system and holds_focus_quantities(focus, data_text(h.chunk.text)))) else s
              for h, s in zip(hits, scores, strict=True)]
    best = max(scores, default=0.0)
    signals = {"lexical": max(lexical, default=0.0), "cosine": max(cosines, default=0.0), "relevance": best}
    seen = {s.chunk.chunk_id for s in calc_sources}
    keep = [(h, s) for h, s in zip(hits, scores, strict=True) if h.chunk.chunk_id not in seen]
    sources: list[Source] = []
    if best >= RELEVANCE_THRESHOLD[language]:
        sources = select_context([h for h, _ in keep], [s for _, s in keep], language=language,
                                 first_n=len(calc_sources) + 1)
    if sources and not calc_text and out_of_scope_ask(question, [s.text for s in sources]):
        sources = []  # asks for treatment, doses or prognosis, which no retrieved passage states
    t3 = time.perf_counter()
    timings.update(calculate=(t1 - t0) * 1000, retrieve=(t2 - t1) * 1000, select=(t3 - t2) * 1000)
    if not sources and not calc_text:
        return refuse(question, language, name, calculation=calculation, relevance=best, signals=signals)
    generated = _generate(model, question, sources, language, q_tokens, expansions, stats, bool(calc_text),
                          intent.system)
    t4 = time.perf_counter()
    segments = [Segment(s, "calculation") for s in calc_text]
    if generated and generated.strip() != CANNOT_ANSWER:
        segments.append(Segment(generated))
    segments, off = split_off_question(segments, [*calc_sources, *sources], focus, intent.system, question)
    verified: Verified = verify(segments, [*calc_sources, *sources], expansions=expansions)
    verified = replace(verified, unsupported=(*verified.unsupported, *off))
    timings.update(generate=(t4 - t3) * 1000, verify=(time.perf_counter() - t4) * 1000)
    if not verified.citations:
        return refuse(question, language, name, unsupported=verified.unsupported, calculation=calculation,
                       relevance=best, signals=signals)
    text = verified.text
    if language == "zh" and all(c.source.document.language != "zh" for c in verified.citations):
        # No Chinese passage covers the question: the English sentences are quoted as they stand
        # (a translation would be unverifiable), under a Chinese label that says so.
        text = CROSS_LANGUAGE_NOTE + text
    return Answer(question=question, text=text, refused=False, backend=name, language=language,
                  citations=verified.citations, unsupported=verified.unsupported, calculation=calculation,
                  relevance=best, signals=signals)


def _covers(focus: Focus, hit: SearchHit, system: str | None) -> bool:
    """Whether a passage can answer on its own: of the asked system, with the asked label in its heading."""
    if hit.document.system == "glossary" or (system and hit.document.system not in _site_systems(system)):
        return False
    return not focus.labels or heading_names_focus(focus, _heading(hit.chunk.section), system)


def _site_systems(system: str) -> set[str]:
    """The systems that state rules for the same site or scheme (lung: 8th and 9th edition)."""
    return {"AJCC8-lung", "TNM9-lung"} if system in ("AJCC8-lung", "TNM9-lung") else {system}


def _heading(section: str) -> str:
    """A chunk's own heading: the last part of its section path."""
    return section.rsplit(" > ", 1)[-1]



def _passes(filters: DocFilter, hit: SearchHit) -> bool:
    document = hit.document
    return ((not filters.systems or document.system in filters.systems)
            and (not filters.editions or document.edition in filters.editions)
            and (not filters.languages or document.language in filters.languages)
            and (not filters.doc_ids or document.doc_id in filters.doc_ids))


def _question_tokens(workspace: Workspace, question: str,
                     language: str) -> tuple[list[str], list[str], list[str]]:
    """The question's tokens, and for a Chinese question the glossary's English terms as tokens and as
    phrases (the relevance gate removes site names from the phrases before tokenising them)."""
    tokens = tokenize(question)
    if language != "zh":
        return tokens, [], []
    from rag.retrieval.glossary import load_glossary

    phrases = load_glossary(workspace).expand(question)
    return tokens, tokenize(" ".join(phrases)), list(phrases)


def _generate(model: LLMBackend, question: str, sources: Sequence[Source], language: str,
              q_tokens: Sequence[str], expansions: Sequence[str], stats: CorpusStats, has_calc: bool,
              system: str | None = None) -> str:
    if not sources:
        return ""
    if isinstance(model, ExtractiveBackend):
        passages = [Passage(s.n, s.text, s.chunk.section.rsplit(" > ", 1)[-1],
                            f"{s.document.title} > {s.chunk.section}") for s in sources]
        return compose(question, passages, weight=stats.idf, extra_terms=expansions,
                       max_sentences=2 if has_calc else 4, shape=question_shape(question), system=system)
    if getattr(model, "response_format", None) == ANSWER_RESPONSE_FORMAT:
        # The server holds the model to {"sentences": [{"text", "sources"}]}; the result is verified
        # like any text (an unparsable reply is verified as it stands, and mostly rejected).
        reply = model.complete(build_prompt(question, sources, language, structured=True), max_tokens=600)
        return parse_structured(reply) or reply
    return model.complete(build_prompt(question, sources, language), max_tokens=400)
