"""The answer ``rag ask`` returns: a verified, cited answer or a refusal, and how it is shown.

Why its own module: the CLI, the server, the web app and the evaluation all read an ``Answer``; none of
them needs the pipeline that builds one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from rag.answer.verify import Citation, SentenceCheck

__all__ = ["Answer", "REFUSAL", "refuse"]

REFUSAL = {
    "en": "The guidelines in this corpus do not cover this question, so no answer is given.",
    "zh": "本语料库中的指南未涉及这个问题，因此无法回答。",
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



def refuse(question: str, language: str, backend: str, **extra: Any) -> Answer:
    """The refusal, in the question's language."""
    return Answer(question=question, text=REFUSAL[language], refused=True, backend=backend, language=language,
                  **extra)
