"""Fixtures for the LLM backend tests: a tiny real GGUF model, a llama.cpp server, a stub server.

Why a generated model: the tests must run llama.cpp for real (tokenizer, chat template,
sampling, stop strings, the server's SSE) without downloading weights. A llama-architecture
model with random weights, 2 layers and a ~460-token vocabulary is ~0.5 MB, loads in
milliseconds and generates deterministic gibberish under greedy decoding, which is all the
backend contract needs.

Import the fixtures you use into a test module (``from llm_fixtures import tiny_gguf``), or
list this module in ``pytest_plugins`` of the top-level conftest.

``llama_cpp`` and ``gguf`` missing make these fixtures FAIL (CI must have built them, see
``scripts/build_llama_cpp.sh``) unless ``RAG_SKIP_LLAMA=1``, which turns the failure into a skip.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

TINY_CHAT_TEMPLATE = (
    "{% for message in messages %}<|{{ message['role'] }}|>\n{{ message['content'] }}"
    "{{ eos_token }}\n{% endfor %}{% if add_generation_prompt %}<|assistant|>\n{% endif %}"
)

_WORDS = (
    "the of and to in is for with on as by at from that this are be or not it an was which "
    "tumor node stage grade margin lymph invasion depth size cm mm breast lung colon liver "
    "kidney prostate thyroid melanoma carcinoma biopsy report score risk low high category "
    "table row rule cite source page answer question evidence guideline staging primary "
    "regional distant metastasis extension wall mucosa serosa capsule lobe segment nodule "
    "mass lesion benign malignant follow up imaging months year patient finding solid part "
    "ground glass cyst septa enhancement washout threshold diameter growth new prior exam "
    "left right upper lower anterior posterior clinical pathologic group one two three four "
    "five six seven eight nine ten zero more less than equal greater under over into within"
).split()


def _tiny_vocab() -> tuple[list[str], list[float], list[int]]:
    """Unique tokens (llama.cpp aborts on duplicates), their SPM scores and types."""
    import gguf

    tt = gguf.TokenType
    tokens = ["<unk>", "<s>", "</s>"]
    types = [tt.UNKNOWN, tt.CONTROL, tt.CONTROL]
    for role in ("system", "user", "assistant"):  # the chat template's role markers
        tokens.append(f"<|{role}|>")
        types.append(tt.CONTROL)
    for b in range(256):  # byte fallback: any text can be tokenized
        tokens.append(f"<0x{b:02X}>")
        types.append(tt.BYTE)
    pieces = ["▁", "\n", *"abcdefghijklmnopqrstuvwxyz0123456789.,:;()-[]/%"]
    pieces += ["▁" + c for c in "abcdefghijklmnopqrstuvwxyz0123456789"]
    pieces += ["▁" + w for w in _WORDS]
    seen = set(tokens)
    for p in pieces:
        if p not in seen:
            seen.add(p)
            tokens.append(p)
            types.append(tt.NORMAL)
    scores = [0.0 if t != tt.NORMAL else float(len(tokens[i])) for i, t in enumerate(types)]
    assert len(set(tokens)) == len(tokens)
    return tokens, scores, [int(t) for t in types]


def make_tiny_gguf(path: Path, *, seed: int = 0, n_ctx: int = 2048) -> Path:
    """Write a random-weight llama model with a chat template to ``path``."""
    import gguf
    import numpy as np

    tokens, scores, types = _tiny_vocab()
    n_vocab, n_embd, n_ff, n_head, n_layer = len(tokens), 64, 128, 4, 2
    rng = np.random.default_rng(seed)

    def mat(rows: int, cols: int, scale: float) -> Any:
        return (rng.standard_normal((rows, cols)) * scale).astype(np.float32)

    w = gguf.GGUFWriter(str(path), "llama")
    w.add_name("rag-tiny-test")
    w.add_context_length(n_ctx)
    w.add_embedding_length(n_embd)
    w.add_block_count(n_layer)
    w.add_feed_forward_length(n_ff)
    w.add_head_count(n_head)
    w.add_head_count_kv(n_head)
    w.add_rope_dimension_count(n_embd // n_head)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_vocab_size(n_vocab)
    w.add_file_type(gguf.LlamaFileType.ALL_F32)
    w.add_tokenizer_model("llama")
    w.add_token_list(tokens)
    w.add_token_scores(scores)
    w.add_token_types(types)
    w.add_unk_token_id(0)
    w.add_bos_token_id(1)
    w.add_eos_token_id(2)
    w.add_add_bos_token(True)
    w.add_add_eos_token(False)
    w.add_chat_template(TINY_CHAT_TEMPLATE)

    # numpy shapes are ggml's ne reversed: (out, in) for a matrix that maps in -> out.
    w.add_tensor("token_embd.weight", mat(n_vocab, n_embd, 1.0))
    for i in range(n_layer):
        p = f"blk.{i}"
        w.add_tensor(f"{p}.attn_norm.weight", np.ones(n_embd, dtype=np.float32))
        for name in ("attn_q", "attn_k", "attn_v", "attn_output"):
            w.add_tensor(f"{p}.{name}.weight", mat(n_embd, n_embd, n_embd**-0.5))
        w.add_tensor(f"{p}.ffn_norm.weight", np.ones(n_embd, dtype=np.float32))
        w.add_tensor(f"{p}.ffn_gate.weight", mat(n_ff, n_embd, n_embd**-0.5))
        w.add_tensor(f"{p}.ffn_up.weight", mat(n_ff, n_embd, n_embd**-0.5))
        w.add_tensor(f"{p}.ffn_down.weight", mat(n_embd, n_ff, n_ff**-0.5))
    w.add_tensor("output_norm.weight", np.ones(n_embd, dtype=np.float32))
    # Zero output rows for special, role and byte tokens: their logit is 0 while the best
    # word's logit is large and positive, so greedy decoding emits readable words and never
    # end-of-sequence; every test then sees exactly max_tokens tokens.
    output = mat(n_vocab, n_embd, 1.0)
    output[[i for i, t in enumerate(types) if t != int(gguf.TokenType.NORMAL)]] = 0.0
    w.add_tensor("output.weight", output)

    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path


def _importable(module: str) -> bool:
    # find_spec, not import: the server tests never load llama.cpp into the test process.
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def require_llama_cpp() -> None:
    """Fail (or skip when RAG_SKIP_LLAMA=1) if llama-cpp-python or gguf is missing."""
    missing = [m for m in ("llama_cpp", "gguf") if not _importable(m)]
    if not missing:
        return
    reason = f"{' and '.join(missing)} not installed: run scripts/build_llama_cpp.sh and pip install gguf==0.19.0"
    if os.environ.get("RAG_SKIP_LLAMA") == "1":
        pytest.skip(f"RAG_SKIP_LLAMA=1 and {reason}")
    pytest.fail(f"{reason} (or set RAG_SKIP_LLAMA=1 to skip the llm tests)", pytrace=False)


@pytest.fixture(scope="session")
def tiny_gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path to the tiny generated GGUF model (built once per test run)."""
    require_llama_cpp()
    return make_tiny_gguf(tmp_path_factory.mktemp("gguf") / "tiny.gguf")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class LlamaServer:
    base_url: str  # ends in /v1
    model: str
    log: Path


def _wait_ready(proc: subprocess.Popen[bytes], url: str, log: Path, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"llama_cpp.server exited with {proc.returncode}:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    pytest.fail(f"llama_cpp.server not ready after {timeout_s}s:\n{log.read_text()[-2000:]}")


@pytest.fixture(scope="session")
def llama_server(tiny_gguf: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    """``python -m llama_cpp.server`` serving the tiny model on 127.0.0.1; killed afterwards."""
    port = free_port()
    log = tmp_path_factory.mktemp("llama_server") / "server.log"
    cmd = [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(tiny_gguf), "--model_alias", "tiny",
        "--host", "127.0.0.1", "--port", str(port),
        "--n_ctx", "512", "--n_threads", "1", "--n_threads_batch", "1",
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        _wait_ready(proc, f"http://127.0.0.1:{port}/v1/models", log, timeout_s=60)
        yield LlamaServer(f"http://127.0.0.1:{port}/v1", "tiny", log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --- a scripted HTTP server, for the failures a real server will not produce on demand ---

Handler = Callable[[BaseHTTPRequestHandler, dict[str, Any]], None]


@dataclass(frozen=True)
class StubServer:
    base_url: str
    requests: list[dict[str, Any]]  # the JSON bodies received, in order


@pytest.fixture
def stub_server() -> Iterator[Callable[[Handler], StubServer]]:
    """Start a 127.0.0.1 HTTP server whose POST handling is a test-supplied function."""
    servers: list[ThreadingHTTPServer] = []

    def start(handle: Handler) -> StubServer:
        received: list[dict[str, Any]] = []

        class _H(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                received.append(body)
                try:
                    handle(self, body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (the timeout tests)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        srv = ThreadingHTTPServer(("127.0.0.1", 0), _H)
        srv.daemon_threads = True
        servers.append(srv)
        threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return StubServer(f"http://127.0.0.1:{srv.server_address[1]}/v1", received)

    yield start
    for srv in servers:
        srv.shutdown()
        srv.server_close()


def send(handler: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str) -> None:
    """Write one complete HTTP response from a stub handler."""
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)
