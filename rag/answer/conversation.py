"""Multi-turn questions: rewrite a follow-up into a standalone question before retrieval.

"and if the nodes were N2?" means nothing to a retriever or a calculator on its own; it means
"stage a 3.5 cm lung tumour with N2 nodes" after "stage a 3.5 cm lung tumour with N1 nodes". The
rewrite is deterministic: the previous standalone question is kept and only the descriptors the
follow-up changes (a T, N or M label, a size) are substituted; a follow-up with no descriptor
("and in the 9th edition?") is appended to it. History is bounded (``max_turns``) and only the
last turn is needed, because each standalone question already carries its own context.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass

from rag.answer.intent import Intent, tnm_labels, understand

__all__ = ["Conversation", "Turn", "rewrite_followup"]

_CUE = re.compile(r"^\s*(?:and|but|so|what\s+if|what\s+about|how\s+about|if|instead|same|now|then|"
                  r"那|那么|如果|若|假如|要是|换成|改为|而|还有)(?:\b|(?=[\u4e00-\u9fff]))", re.I)
_SIZE = re.compile(r"\d+(?:\.\d+)?\s*(?:mm|cm|毫米|厘米)(?![A-Za-z])", re.I)
_LABEL = re.compile(r"(?<![A-Za-z0-9])(?:yp|yc|c|p)?([TNM])(?:is|X|x|[0-4](?:mi|[a-d][1-3]?)?)(?![A-Za-z0-9])")
_FILLER = re.compile(r"(?i)^\s*(?:and|but|so|what\s+if|what\s+about|how\s+about|if|instead|now|then)\b[\s,]*"
                     r"|^\s*(?:那么|那|如果|若|假如|要是|而|还有)|[?？]\s*$|呢\s*[?？]?\s*$")


@dataclass(frozen=True)
class Turn:
    """One asked question and the standalone form it was answered as."""

    question: str
    standalone: str
    system: str | None


def _is_followup(question: str, intent: Intent) -> bool:
    if _CUE.search(question):
        return intent.system is None or not intent.explicit_system
    short = len(question.split()) <= 8 or len(question) <= 20
    return short and intent.system is None and bool(_SIZE.search(question) or tnm_labels(question))


def rewrite_followup(question: str, previous: Turn | None) -> str:
    """The standalone form of ``question`` given the previous turn (unchanged when not a follow-up)."""
    question = question.strip()
    if previous is None:
        return question
    intent = understand(question)
    if not _is_followup(question, intent):
        return question
    base = previous.standalone
    changed = False
    for axis, label in tnm_labels(question).items():
        pattern = re.compile(rf"(?<![A-Za-z0-9])(?:yp|yc|c|p)?{axis}(?:is|X|x|[0-4](?:mi|[a-d][1-3]?)?)(?![A-Za-z0-9])")
        if pattern.search(base):
            base = pattern.sub(label, base, count=1)
        else:
            base = f"{base.rstrip(' ?？。.')} {label}"
        changed = True
    sizes = _SIZE.findall(question)
    if sizes:
        if _SIZE.search(base):
            base = _SIZE.sub(sizes[0], base, count=1)
        else:
            base = f"{base.rstrip(' ?？。.')} {sizes[0]}"
        changed = True
    if changed:
        return base
    rest = _FILLER.sub("", question).strip(" ,，")
    if not rest:
        return base
    return f"{base.rstrip(' ?？。.')} {rest}"


class Conversation:
    """Bounded history of one user's questions; ``rag.answer.pipeline.answer_question`` uses and updates it."""

    def __init__(self, max_turns: int = 6) -> None:
        if max_turns < 1:
            raise ValueError("max_turns must be at least 1")
        self.turns: deque[Turn] = deque(maxlen=max_turns)

    def rewrite(self, question: str) -> str:
        """The standalone question to answer for this turn."""
        return rewrite_followup(question, self.turns[-1] if self.turns else None)

    def record(self, question: str, standalone: str, intent: Intent) -> None:
        """Remember the turn (the oldest is forgotten past ``max_turns``)."""
        self.turns.append(Turn(question, standalone, intent.system))

    def clear(self) -> None:
        self.turns.clear()
