"""The answer pipeline driven by real llama.cpp (a tiny random-weight model, in-process and served).

The model writes nonsense by construction, so these tests check the plumbing the issue asks for:
the prompt reaches the model, what comes back is verified sentence by sentence, and nothing the
sources do not support reaches the user (the answer is refused or falls back visibly).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rag.answer.pipeline import answer_question
from rag.workspace import Workspace

pytestmark = [pytest.mark.llm, pytest.mark.slow]  # slow: reads the session's real corpus index
QUESTION = "What T category is a 4.5 cm lung tumour with visceral pleural invasion?"


def _assert_nothing_unsupported(contract: dict[str, object]) -> None:
    numbers = {c["n"] for c in contract["citations"]}  # type: ignore[index, union-attr]
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", str(contract["answer"]))}
    assert markers <= numbers


def test_llamacpp_backend_output_is_verified_before_the_user_sees_it(corpus_workspace: Workspace,
                                                                   tiny_gguf: Path) -> None:
    from rag.llm.llamacpp import LlamaCppBackend

    backend = LlamaCppBackend(tiny_gguf, n_ctx=4096)
    try:
        answer = answer_question(corpus_workspace, "Which nodal stations are N2 in lung cancer?", llm=backend)
    finally:
        backend.close()
    contract = answer.as_contract()
    # Random weights cannot produce a cited, supported sentence: every sentence it wrote is dropped.
    assert contract["refused"] or contract.get("notice"), contract
    _assert_nothing_unsupported(contract)


def test_openai_backend_against_a_real_llama_cpp_server(corpus_workspace: Workspace, llama_server,  # type: ignore[no-untyped-def]
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from rag.llm.openai import OpenAIBackend

    settings = corpus_workspace.settings.model_copy(update={"llm_base_url": llama_server.base_url,
                                                            "llm_model": llama_server.model})
    with OpenAIBackend.from_settings(settings) as backend:
        answer = answer_question(corpus_workspace, QUESTION, llm=backend)
    contract = answer.as_contract()
    _assert_nothing_unsupported(contract)
    # The tiny model's 512-token context cannot hold the sources: the server's 400 is surfaced as a notice
    # and the extractive backend answers instead of the request failing.
    assert contract["backend"] == "extractive" and "512" in str(contract.get("notice")), contract
    # A staging question is computed, not generated: the calculator's result survives whatever the model says.
    calculation = contract.get("calculation") or {}
    assert (calculation.get("result") or {}).get("T") == "T2b", contract
