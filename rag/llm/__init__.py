"""Pluggable LLM backends for the answer pipeline.

Pick a backend with ``RAG_LLM_BACKEND`` (``Settings.llm_backend``); ``get_backend(settings)``
builds it and raises ``BackendUnavailable`` with the fix when it cannot.

``extractive`` (default)
    No model: answers are built from retrieved passages. Needs nothing.

``llamacpp`` — a local GGUF model run in-process by llama.cpp::

    pip install '.[llamacpp]'            # or scripts/build_llama_cpp.sh (compiles llama.cpp)
    RAG_LLM_BACKEND=llamacpp
    RAG_LLM_MODEL=/models/qwen2.5-1.5b-instruct-q4_k_m.gguf   # any chat model with a template

``openai`` — any OpenAI-compatible chat server (llama.cpp's server, vLLM, Ollama, OpenAI)::

    pip install '.[openai]'
    RAG_LLM_BACKEND=openai
    RAG_LLM_BASE_URL=http://127.0.0.1:8080/v1   # include the /v1
    RAG_LLM_MODEL=<a name from GET $RAG_LLM_BASE_URL/models>
    RAG_LLM_API_KEY=...                         # only if the server wants one
    RAG_LLM_TIMEOUT_S=60                        # per read; raise it for slow CPUs

    # a local server for the model above:
    python -m llama_cpp.server --model /models/m.gguf --model_alias local --host 127.0.0.1 --port 8080

``fake``
    Scripted text (``FakeBackend``), for tests of the answer pipeline only.

Every backend implements ``LLMBackend``: ``complete(prompt, *, max_tokens, stop, temperature)``
and ``stream(...)``, where ``prompt`` is a string (one user turn) or a list of ``Message``.
"""

from __future__ import annotations

from rag.llm.base import BACKENDS, FakeBackend, LLMBackend, Message, get_backend, to_messages

__all__ = ["BACKENDS", "FakeBackend", "LLMBackend", "Message", "get_backend", "to_messages"]
