"""``rag ask --session NAME``: the conversation survives between processes, in a file the user asked for."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from rag.answer.conversation import Conversation, SessionStore
from rag.answer.intent import understand
from rag.errors import InvalidInput


def _turn(conversation: Conversation, question: str) -> str:
    standalone = conversation.rewrite(question)
    conversation.record(question, standalone, understand(standalone))
    return standalone


def test_follow_up_is_carried_across_a_save_and_load(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    first = store.load("case-17")
    _turn(first, "stage a 3.5 cm lung tumour with N1 nodes")
    path = store.save("case-17", first)
    assert path == tmp_path / "sessions" / "case-17.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    second = store.load("case-17")  # a new process reads the file
    assert _turn(second, "and if the nodes were N2?") == "stage a 3.5 cm lung tumour with N2 nodes"
    assert store.load("other").rewrite("and if the nodes were N2?") == "and if the nodes were N2?"


def test_session_keeps_only_the_bounded_turns(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    conversation = Conversation(max_turns=2)
    for size in (1, 2, 3):
        _turn(conversation, f"stage a {size} cm lung tumour with N0 nodes")
    store.save("s", conversation)
    text = (tmp_path / "sessions" / "s.json").read_text(encoding="utf-8")
    assert "1 cm" not in text and "3 cm" in text
    assert set(store.load("s").to_dict()) == {"max_turns", "turns"}


def test_end_session_deletes_the_file(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    store.save("s", Conversation())
    assert store.delete("s") is True
    assert not (tmp_path / "sessions" / "s.json").exists()
    assert store.delete("s") is False


@pytest.mark.parametrize("name", ["", "../etc/passwd", "a/b", ".hidden", "x" * 65])
def test_bad_session_names_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(InvalidInput):
        SessionStore(tmp_path).path(name)


def test_unreadable_session_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "sessions").mkdir()
    (tmp_path / "sessions" / "s.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(InvalidInput, match="unreadable") as caught:
        SessionStore(tmp_path).load("s")
    assert "--end-session s" in caught.value.hint
