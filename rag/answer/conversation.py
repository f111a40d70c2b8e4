"""Multi-turn questions: rewrite a follow-up into a standalone question before retrieval.

"and if the nodes were N2?" means nothing to a retriever or a calculator on its own; it means
"stage a 3.5 cm lung tumour with N2 nodes" after "stage a 3.5 cm lung tumour with N1 nodes". The
rewrite is deterministic: the previous standalone question is kept and only the descriptors the
follow-up changes (a T, N or M label, a size) are substituted; a follow-up with no descriptor
("and in the 9th edition?") is appended to it. History is bounded (``max_turns``) and only the
last turn is needed, because each standalone question already carries its own context.
"""

from __future__ import annotations

import json
import os
import re
from collections import deque
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rag.answer.intent import Intent, tnm_labels, understand
from rag.errors import InvalidInput

__all__ = ["Conversation", "SessionStore", "Turn", "rewrite_followup"]

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

    def to_dict(self) -> dict[str, Any]:
        """The turns as JSON-ready data (for ``SessionStore``)."""
        return {"max_turns": self.turns.maxlen, "turns": [asdict(t) for t in self.turns]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Conversation:
        """A conversation restored from ``to_dict`` output (unknown keys ignored)."""
        conversation = cls(int(data.get("max_turns") or 6))
        for turn in data.get("turns") or []:
            conversation.turns.append(Turn(str(turn["question"]), str(turn["standalone"]), turn.get("system")))
        return conversation


_SESSION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class SessionStore:
    """Named conversations for ``rag ask --session NAME``, one JSON file each under ``INDEX_DIR/sessions``.

    Privacy, by design: a follow-up can only be rewritten if the previous question is remembered, so
    a session file holds the last ``max_turns`` questions (and their standalone forms) — and nothing
    else: no answers, no timings. It exists only when the user names a session; it is written with
    owner-only permissions (0600); questions are never written to logs; ``rag ask --end-session NAME``
    deletes it. Without ``--session`` nothing is stored. (A server process keeps sessions in memory.)
    """

    def __init__(self, index_dir: Path) -> None:
        self.directory = Path(index_dir) / "sessions"

    def path(self, name: str) -> Path:
        """The session's file; the name must be a short slug (it becomes a file name)."""
        if not _SESSION_NAME.match(name or ""):
            raise InvalidInput(f"bad session name {name!r}",
                               hint="use letters, digits, '-', '_' or '.', up to 64 characters, e.g. --session case-17")
        return self.directory / f"{name}.json"

    def load(self, name: str, max_turns: int = 6) -> Conversation:
        """The named conversation, or a new empty one."""
        path = self.path(name)
        if not path.exists():
            return Conversation(max_turns)
        try:
            return Conversation.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidInput(f"session file {path} is unreadable ({exc})",
                               hint=f"delete it with `rag ask --end-session {name}`") from None

    def save(self, name: str, conversation: Conversation) -> Path:
        """Write the conversation (owner-only permissions; atomically replaced)."""
        path = self.path(name)
        self.directory.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(conversation.to_dict(), handle, ensure_ascii=False)
        os.replace(tmp, path)
        return path

    def delete(self, name: str) -> bool:
        """Forget the named session; True when there was one."""
        path = self.path(name)
        if path.exists():
            path.unlink()
            return True
        return False
