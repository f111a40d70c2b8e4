"""``rag ask``: understand → (calculate) → retrieve → select → generate → verify → cited answer.

Every sentence the user sees has passed ``rag.answer.verify.verify`` against the sources it cites; what does
not pass is listed under ``unsupported``. The answer is refused, in the question's language, when
retrieval finds nothing relevant or nothing supported remains.

Relevance gate (``RELEVANCE_THRESHOLD``): hybrid retrieval always returns *something*, so without
a gate "best pizza in Naples" would be answered from whatever is nearest. A hit's relevance is
``0.6 * cosine + 0.4 * lexical`` — the MiniLM cosine of question and chunk, and the IDF-weighted
share of the question's tokens the chunk (with title and section) contains; the best hit must reach
0.36 (English) or 0.45 (Chinese, where MiniLM's cosine is weak). Calibrated with
``bench/citations.py --calibrate`` on the 346 gold questions (all in scope: 261 en, 85 zh) against
40 out-of-scope questions (35 en, 5 zh: drug doses, treatments, everyday topics), bundled corpora:

- en: gold minimum 0.362 (5th lowest 0.392); out of scope maximum 0.45 ("radiotherapy fractionation
  for breast cancer", the one accepted), next 0.357, 0.353. 0/261 gold refused, 34/35 refused.
- zh: gold lowest 0.421, 0.429, then 0.494; out of scope maximum 0.449 ("如何治疗偏头痛").
  2/85 gold refused by the gate, 5/5 refused.

The margins are thin (a few hundredths): the gate separates topics, not questions the corpus
happens not to answer, so the verifier, not the gate, is what keeps unsupported text out.
Questions routed to a calculator are answered from the calculator's cited rows regardless.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from rag.answer.intent import Intent, understand
from rag.answer.prompt import ANSWER_RESPONSE_FORMAT, CANNOT_ANSWER, build_prompt, parse_structured
from rag.answer.relevance import (
    OFF_QUESTION,
    Focus,
    heading_names_focus,
    holds_focus_quantities,
    misses_concept,
    off_question,
    out_of_scope_ask,
    passage_off_question,
    question_focus,
    subject_rank,
)
from rag.answer.shape import question_shape
from rag.answer.verify import (
    Citation,
    Segment,
    SentenceCheck,
    Source,
    Verified,
    chunk_units,
    data_text,
    parse_markers,
    split_sentences,
    verify,
)
from rag.errors import BackendUnavailable, InvalidInput, RagError
from rag.index.tokenize import tokenize
from rag.llm.base import LLMBackend, get_backend
from rag.llm.extractive import ExtractiveBackend, Passage, compose
from rag.retrieval.retrieve import Retriever
from rag.types import DocFilter, SearchHit, SearchMode
from rag.workspace import Workspace

__all__ = ["Answer", "answer_question", "build_prompt", "REFUSAL"]

COSINE_WEIGHT = 0.6
RELEVANCE_THRESHOLD = {"en": 0.36, "zh": 0.45}
RETRIEVE_K = 8
MAX_SOURCES = 5
MAX_PER_DOC = 2
NEAR_DUPLICATE = 0.8  # token-set Jaccard above which a chunk repeats one already selected
CROSS_LANGUAGE_NOTE = "中文语料未涵盖此问题，以下为英文指南原文（已核对出处）："
REFUSAL = {
    "en": "The guidelines in this corpus do not cover this question, so no answer is given.",
    "zh": "本语料库中的指南未涉及这个问题，因此无法回答。",
}
_FRAMES = {
    "en": {"stage": "Computed stage ({edition}): {tnm}, stage {stage}.",
           "partial": "Computed categories ({edition}): {tnm}; the stage group needs {missing}.",
           "m0": "M0 was assumed because no distant metastasis was mentioned.",
           "category": "Computed result ({edition}): {value}.",
           "management": "Management: {value}"},
    "zh": {"stage": "计算结果（{edition}）：{tnm}，{stage}期。",
           "partial": "计算结果（{edition}）：{tnm}，确定分期组还需要{missing}。",
           "m0": "问题未提及远处转移，按M0计算。",
           "category": "计算结果（{edition}）：{value}。",
           "management": "处理建议：{value}"},
}


@dataclass(frozen=True)
class Answer:
    """A verified, cited answer (or a refusal)."""

    question: str
    text: str
    refused: bool
    backend: str
    language: str
    citations: tuple[Citation, ...] = ()
    unsupported: tuple[SentenceCheck, ...] = ()
    calculation: dict[str, Any] | None = None
    rewritten: str | None = None  # the standalone question a follow-up was rewritten to
    notice: str | None = None
    relevance: float = 0.0  # the relevance gate's score for the best retrieved chunk
    signals: dict[str, float] = field(default_factory=dict)  # the gate's inputs, for calibration
    timings_ms: dict[str, float] = field(default_factory=dict)

    def as_contract(self) -> dict[str, Any]:
        """The CONTRACT.md ``rag ask`` object (plus ``unsupported``, ``language``, ``calculation``)."""
        record: dict[str, Any] = {
            "answer": self.text, "refused": self.refused, "backend": self.backend,
            "citations": [c.as_contract() for c in self.citations],
            "unsupported": [u.as_dict() for u in self.unsupported],
            "language": self.language, "calculation": self.calculation,
        }
        if self.rewritten and self.rewritten != self.question:
            record["rewritten_question"] = self.rewritten
        if self.notice:
            record["notice"] = self.notice
        return record

    def render_text(self) -> str:
        """Human-readable: the answer, then the numbered sources with their quotes."""
        lines = []
        if self.notice:
            lines.append(f"note: {self.notice}")
        lines.append(self.text)
        if self.citations:
            lines.append("")
            for c in self.citations:
                s = c.source
                where = f", p. {s.chunk.page}" if s.chunk.page else ""
                edition = f"{s.document.edition or 'no edition'}, version {s.document.version}"
                lines.append(f"[{c.n}] {s.document.title} ({edition}) — {s.chunk.section}{where}")
                quote = re.sub(r"\s+", " ", c.quote).strip()
                lines.append(f"    “{quote[:300]}{'…' if len(quote) > 300 else ''}”")
        if self.unsupported:
            lines.append("")
            lines.append(f"{len(self.unsupported)} sentence(s) removed as unsupported:")
            lines.extend(f"  - {u.text} ({u.reason})" for u in self.unsupported)
        return "\n".join(lines)


# --- corpus statistics (IDF) ------------------------------------------------------------------------
@dataclass(frozen=True)
class _Stats:
    n: int
    df: dict[str, int]

    def idf(self, token: str) -> float:
        df = self.df.get(token, 0)
        return math.log((self.n - df + 0.5) / (df + 0.5) + 1.0)


_STATS: dict[str, tuple[str, _Stats]] = {}


def _stats(workspace: Workspace) -> _Stats:
    generation = workspace.catalog.get_state("bm25_generation") or ""
    key = str(workspace.settings.index_dir)
    cached = _STATS.get(key)
    if cached and cached[0] == generation:
        return cached[1]
    _, _, tokens = workspace.catalog.live_tokens()
    df: dict[str, int] = {}
    for doc in tokens:
        for token in set(doc):
            df[token] = df.get(token, 0) + 1
    stats = _Stats(len(tokens), df)
    _STATS[key] = (generation, stats)
    return stats


def relevance(question_tokens: Sequence[str], hit: SearchHit, stats: _Stats) -> float:
    """IDF-weighted share of the question's distinct tokens found in the chunk, its section and title."""
    wanted = set(question_tokens)
    if not wanted:
        return 0.0
    have = set(tokenize(f"{hit.document.title} {hit.chunk.section} {data_text(hit.chunk.text)}"))
    total = sum(stats.idf(t) for t in wanted)
    return sum(stats.idf(t) for t in wanted & have) / total if total else 0.0


class _ScoringRetriever(Retriever):
    """The hybrid retriever, keeping the dense cosine of each candidate for the relevance gate.

    Same ranking as ``Retriever``; fused scores say little about how relevant the best hit is in
    absolute terms (min-max and rank fusion are relative to the query's own candidates), cosine does.
    """

    def __init__(self, workspace: Workspace) -> None:
        super().__init__(workspace)
        self.cosines: dict[str, float] = {}

    def _rank(self, query: Any, k: int, mode: SearchMode, flt: Any) -> list[tuple[str, float]]:
        self.cosines = {}
        return super()._rank(query, k, mode, flt)

    def _dense(self, query: Any, depth: int, flt: Any) -> list[tuple[str, float]]:
        dense = super()._dense(query, depth, flt)
        self.cosines = dict(dense)
        return dense


# --- context selection --------------------------------------------------------------------------
def select_context(hits: Sequence[SearchHit], scores: Sequence[float], *, language: str = "en",
                   first_n: int = 1) -> list[Source]:
    """Drop near-duplicates and glossary rows, cap chunks per document, number the rest from first_n."""
    chosen: list[tuple[SearchHit, float, set[str]]] = []
    per_doc: dict[str, int] = {}
    best = max(scores, default=0.0)
    for hit, score in zip(hits, scores, strict=True):
        if hit.document.system == "glossary" or score < max(RELEVANCE_THRESHOLD[language] * 0.8, 0.7 * best):
            continue
        if per_doc.get(hit.document.doc_id, 0) >= MAX_PER_DOC:
            continue
        tokens = set(tokenize(hit.chunk.text))
        if any(len(tokens & t) / max(len(tokens | t), 1) >= NEAR_DUPLICATE for _, _, t in chosen):
            continue
        chosen.append((hit, score, tokens))
        per_doc[hit.document.doc_id] = per_doc.get(hit.document.doc_id, 0) + 1
        if len(chosen) == MAX_SOURCES:
            break
    return [Source(first_n + i, h.chunk, h.document, "retrieval", score=s) for i, (h, s, _) in enumerate(chosen)]


# --- calculation ----------------------------------------------------------------------------------
def _calculation(workspace: Workspace, intent: Intent) -> tuple[dict[str, Any] | None, bool]:
    """Run the calculator the question routes to: (stage JSON or None, whether M0 was assumed).

    TNM: labels stated in the question win over those the site's text reader derives from the
    findings ("3.5 cm" → T2a); when T and N are known and M is not mentioned, M0 is assumed and
    the answer says so.
    """
    from rag.calculators.service import StageRequest, calculate, run_stage

    settings = workspace.settings
    system = intent.system or ""
    try:
        if intent.is_rads:
            output = run_stage(settings, StageRequest(system=system, text=intent.question))
            return (output, False) if output.get("citations") else (None, False)
        labels: dict[str, str | None] = dict(zip("TNM", [None, None, None], strict=True))
        if intent.findings_text and re.search(r"\d|[a-z]{4,}|[\u4e00-\u9fff]{2,}", intent.findings_text, re.I):
            derived = calculate(StageRequest(system=system, text=intent.findings_text))
            for axis in "TNM":
                if derived.result.get(axis):
                    labels[axis] = str(derived.result[axis])
        for part in intent.tnm.split():
            labels[part[0]] = part
        assumed = bool(labels["T"] and labels["N"] and not labels["M"])
        if assumed:
            labels["M"] = "M0"
        tnm = " ".join(v for v in labels.values() if v)
        if not tnm:
            return None, False
        return run_stage(settings, StageRequest(system=system, tnm=tnm)), assumed
    except RagError:
        return None, False


def _calc_sources(workspace: Workspace, output: dict[str, Any]) -> list[Source]:
    citations = output.get("citations") or []
    chunks = workspace.catalog.chunks([c["chunk_id"] for c in citations])
    documents = {d.doc_id: d for d in workspace.catalog.documents()}
    sources: list[Source] = []
    for c in citations:
        chunk = chunks.get(c["chunk_id"])
        document = documents.get(c["doc_id"])
        if chunk is not None and document is not None:
            sources.append(Source(len(sources) + 1, chunk, document, "calculator", c.get("rule_id")))
    return sources


def _calc_sentences(output: dict[str, Any], sources: Sequence[Source], language: str, assumed: bool) -> list[str]:
    frames = _FRAMES[language]
    result = output.get("result") or {}
    edition = output.get("edition") or output.get("system")
    markers = "".join(f"[{s.n}]" for s in sources)
    sentences: list[str] = []
    if "T" in result or "N" in result or "M" in result:
        tnm = " ".join(str(result[a]) for a in "TNM" if result.get(a))
        if result.get("stage"):
            sentences.append(frames["stage"].format(edition=edition, tnm=tnm, stage=result["stage"]))
        else:
            missing = "; ".join(m.split(":")[0] for m in output.get("missing", [])) or "?"
            sentences.append(frames["partial"].format(edition=edition, tnm=tnm, missing=missing))
        if assumed and result.get("M") == "M0":
            m0 = [s for s in sources if (s.rule_id or "").endswith(".M.M0")] or list(sources)
            sentences.append(_mark(frames["m0"], "".join(f"[{s.n}]" for s in m0)))
    else:
        value = result.get("category") or result.get("level") or result.get("diagnosis")
        if not value:
            return []
        label = {"Lung-RADS-v2022": "Lung-RADS ", "BI-RADS": "BI-RADS ", "PI-RADS-v2.1": "PI-RADS "}.get(
            output.get("system", ""), "")
        extra = f", {result['grade']}" if result.get("grade") else ""
        sentences.append(frames["category"].format(edition=edition, value=f"{label}{value}{extra}"))
        if result.get("management"):
            sentences.append(frames["management"].format(value=str(result["management"]).rstrip(".")) +
                             ("。" if language == "zh" else "."))
    return [s if s.endswith(("]", "].", "]。")) else _mark(s, markers) for s in sentences]


def _mark(sentence: str, markers: str) -> str:
    if sentence[-1] in "。.":
        return f"{sentence[:-1]}{'' if sentence[-1] == '。' else ' '}{markers}{sentence[-1]}"
    return f"{sentence} {markers}"


# --- the pipeline ---------------------------------------------------------------------------------
def _refuse(question: str, language: str, backend: str, **extra: Any) -> Answer:
    return Answer(question=question, text=REFUSAL[language], refused=True, backend=backend, language=language,
                  **extra)


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
        result = _answer(workspace, standalone, intent, name, model, _ScoringRetriever(workspace), timings, filters)
    except BackendUnavailable as exc:
        if isinstance(model, ExtractiveBackend):
            raise
        # A server that went away or a prompt over the model's context: answer anyway, and say so.
        notice = f"backend {name!r} failed: {exc.user_message()}; answered with the extractive backend"
        name, model = "extractive", ExtractiveBackend()
        result = _answer(workspace, standalone, intent, name, model, _ScoringRetriever(workspace), timings, filters)
    timings["total"] = (time.perf_counter() - started) * 1000
    result = replace(result, question=question, rewritten=standalone, notice=notice, timings_ms=timings)
    if conversation is not None:
        conversation.record(question, standalone, intent)
    return result


def _answer(workspace: Workspace, question: str, intent: Intent, name: str, model: LLMBackend,
            retriever: _ScoringRetriever, timings: dict[str, float], filters: DocFilter | None = None) -> Answer:
    language = intent.language
    t0 = time.perf_counter()
    calculation, calc_sources, calc_text, assumed = None, [], [], False
    if intent.calculate:
        calculation, assumed = _calculation(workspace, intent)
        if calculation is not None:
            calc_sources = _calc_sources(workspace, calculation)
            calc_text = _calc_sentences(calculation, calc_sources, language, assumed)
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
    q_tokens, expansions = _question_tokens(workspace, question, language)
    focus = question_focus(question, intent.system, expansions)
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
    stats = _stats(workspace)
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
        return _refuse(question, language, name, calculation=calculation, relevance=best, signals=signals)
    generated = _generate(model, question, sources, language, q_tokens, expansions, stats, bool(calc_text),
                          intent.system)
    t4 = time.perf_counter()
    segments = [Segment(s, "calculation") for s in calc_text]
    if generated and generated.strip() != CANNOT_ANSWER:
        segments.append(Segment(generated))
    segments, off = _on_question(segments, [*calc_sources, *sources], focus, intent.system, question)
    verified: Verified = verify(segments, [*calc_sources, *sources], expansions=expansions)
    verified = replace(verified, unsupported=(*verified.unsupported, *off))
    timings.update(generate=(t4 - t3) * 1000, verify=(time.perf_counter() - t4) * 1000)
    if not verified.citations:
        return _refuse(question, language, name, unsupported=verified.unsupported, calculation=calculation,
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


def _on_question(segments: Sequence[Segment], sources: Sequence[Source], focus: Focus,
                 system: str | None, focus_question: str) -> tuple[list[Segment], list[SentenceCheck]]:
    """Split each segment's sentences into those that address the question and the off-question ones.

    Judged before verification so an off-question sentence is reported as such even when it is also
    unsupported; its citations must resolve (an unresolvable one is left for the verifier to reject).
    """
    by_n = {s.n: s for s in sources}
    kept: list[Segment] = []
    off: list[SentenceCheck] = []
    lead: set[int] | None = None  # the sources the answer's first sentence cites
    shape = question_shape(focus_question)
    for segment in segments:
        sentences = []
        for sentence in split_sentences(segment.text):
            text, cites = parse_markers(sentence)
            headings = [_heading(by_n[n].chunk.section) for n in cites if n in by_n]
            why = off_question(focus, text, headings, system) if text else None
            if lead is None:
                lead = set(cites)
            elif not why and text and segment.kind != "calculation" and not set(cites) <= lead:
                # A sentence from a further passage must speak of what was asked, not only avoid siblings.
                context = " ".join(f"{by_n[n].document.title} {by_n[n].chunk.section}" for n in cites if n in by_n)
                why = misses_concept(focus, text, context, shape, system)
            if why:
                off.append(SentenceCheck(sentence, text, cites, False, f"{OFF_QUESTION}: {why}"))
            else:
                sentences.append(sentence)
        if sentences:
            kept.append(Segment(" ".join(sentences), segment.kind))
    return kept, off


def _passes(filters: DocFilter, hit: SearchHit) -> bool:
    document = hit.document
    return ((not filters.systems or document.system in filters.systems)
            and (not filters.editions or document.edition in filters.editions)
            and (not filters.languages or document.language in filters.languages)
            and (not filters.doc_ids or document.doc_id in filters.doc_ids))


def _question_tokens(workspace: Workspace, question: str, language: str) -> tuple[list[str], list[str]]:
    tokens = tokenize(question)
    if language != "zh":
        return tokens, []
    from rag.retrieval.glossary import load_glossary

    return tokens, tokenize(" ".join(load_glossary(workspace).expand(question)))


def _generate(model: LLMBackend, question: str, sources: Sequence[Source], language: str,
              q_tokens: Sequence[str], expansions: Sequence[str], stats: _Stats, has_calc: bool,
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
