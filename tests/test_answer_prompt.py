"""The structured (JSON) answer form: parsed into cited sentences, then verified like any text."""

from __future__ import annotations

import json

import pytest
from fixtures_answer import rulebook_chunks  # noqa: F401  (fixture)

from rag.answer.prompt import ANSWER_RESPONSE_FORMAT, ANSWER_SCHEMA, CANNOT_ANSWER, build_prompt, parse_structured
from rag.answer.verify import Source, verify
from rag.llm.openai import OpenAIBackend


def test_structured_reply_becomes_cited_sentences() -> None:
    reply = json.dumps({"sentences": [{"text": "TR4 is 4 to 6 points", "sources": [1]},
                                      {"text": "最大径≥1.5 cm时行细针穿刺", "sources": [1, 2]}]}, ensure_ascii=False)
    assert parse_structured(reply) == "TR4 is 4 to 6 points [1]. 最大径≥1.5 cm时行细针穿刺[1][2]。"
    assert parse_structured('```json\n{"sentences": []}\n```') == CANNOT_ANSWER


@pytest.mark.parametrize("reply", ["TR4 is 4 to 6 points [1].", '{"answer": "x"}', '{"sentences": [{"text": 3}]}'])
def test_anything_else_is_not_structured(reply: str) -> None:
    assert parse_structured(reply) is None


def test_structured_invention_is_removed_by_the_verifier(rulebook_chunks) -> None:  # noqa: F811
    chunk, document = rulebook_chunks["TIRADS.LEVEL.TR4"]
    sources = [Source(1, chunk, document)]
    reply = json.dumps({"sentences": [
        {"text": "ACR TI-RADS level TR4 is a total of 4 to 6 points", "sources": [1]},
        {"text": "TR4 nodules are treated with cisplatin 75 mg per square metre", "sources": [1]},
        {"text": "FNA if the maximum diameter is ≥1.5 cm", "sources": [7]}]})
    verified = verify(parse_structured(reply) or "", sources)
    assert "4 to 6 points [1]" in verified.text
    assert "cisplatin" not in verified.text and "[7]" not in verified.text
    assert len(verified.unsupported) == 2


def test_prompt_asks_for_json_only_when_structured(rulebook_chunks) -> None:  # noqa: F811
    chunk, document = rulebook_chunks["TIRADS.LEVEL.TR4"]
    plain = build_prompt("TR4 FNA size?", [Source(1, chunk, document)], "en")
    structured = build_prompt("TR4 FNA size?", [Source(1, chunk, document)], "en", structured=True)
    assert "[1] or [1][2]" in plain[0].content and '"sentences"' not in plain[0].content
    assert '"sentences"' in structured[0].content
    assert "<<<SOURCE 1>>>" in structured[1].content


def test_openai_backend_sends_the_schema_when_asked() -> None:
    backend = OpenAIBackend("http://127.0.0.1:9/v1", "m", response_format=ANSWER_RESPONSE_FORMAT)
    try:
        body = backend._body("q", 10, None, 0.0, stream=False)
    finally:
        backend.close()
    assert body["response_format"]["json_schema"]["schema"] == ANSWER_SCHEMA
