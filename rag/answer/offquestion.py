"""Every answer sentence must address the question: the sentence-level half of the relevance gate.

Why a step of its own: the passages were already filtered (``rag.answer.relevance.passage_off_question``),
but a passage about the asked member also holds sentences about other things, and a backend may write
anything. Each sentence is judged before verification (``rag.answer.verify``), so an off-question
sentence is reported as such even when it is also unsupported.
"""

from __future__ import annotations

from collections.abc import Sequence

from rag.answer.relevance import (
    OFF_QUESTION,
    Focus,
    excludes_concept,
    lead_sibling,
    misses_concept,
    off_question,
    opening_label,
    transition_clash,
)
from rag.answer.shape import question_shape
from rag.answer.verify import Segment, SentenceCheck, Source, parse_markers, split_sentences

__all__ = ["split_off_question"]


def split_off_question(segments: Sequence[Segment], sources: Sequence[Source], focus: Focus,
                 system: str | None, focus_question: str) -> tuple[list[Segment], list[SentenceCheck]]:
    """Split each segment's sentences into those that address the question and the off-question ones.

    Judged before verification so an off-question sentence is reported as such even when it is also
    unsupported; its citations must resolve (an unresolvable one is left for the verifier to reject).
    """
    by_n = {s.n: s for s in sources}
    kept: list[Segment] = []
    off: list[SentenceCheck] = []
    lead: set[int] | None = None  # the sources the answer's first sentence cites
    lead_labels: dict[str, frozenset[str]] | None = None  # the label the first kept sentence opens with
    shape = question_shape(focus_question)
    listing = shape.members or shape.change  # a list or a comparison names several members by design
    for segment in segments:
        sentences = []
        for sentence in split_sentences(segment.text):
            text, cites = parse_markers(sentence)
            headings = [_heading(by_n[n].chunk.section) for n in cites if n in by_n]
            why = off_question(focus, text, headings, system) if text else None
            if not why and text and not focus.labels:
                why = excludes_concept(focus, text)
            generated = bool(text) and segment.kind != "calculation"
            if lead is None:
                lead = set(cites)
            elif not why and generated and not set(cites) <= lead:
                # A sentence from a further passage must speak of what was asked, not only avoid siblings.
                context = " ".join(f"{by_n[n].document.title} {by_n[n].chunk.section}" for n in cites if n in by_n)
                why = (misses_concept(focus, text, context, shape, system)
                       or transition_clash(focus, focus_question, text, system))
            if not why and generated and lead_labels is not None and not listing:
                why = lead_sibling(lead_labels, focus, text, system)
            if why:
                off.append(SentenceCheck(sentence, text, cites, False, f"{OFF_QUESTION}: {why}"))
            else:
                sentences.append(sentence)
                if lead_labels is None and text:
                    lead_labels = opening_label(text, system)
        if sentences:
            kept.append(Segment(" ".join(sentences), segment.kind))
    return kept, off



def _heading(section: str) -> str:
    return section.rsplit(" > ", 1)[-1]
