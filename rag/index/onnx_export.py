"""Export the bundled MiniLM to one ONNX graph (transformer + mean pooling + unit length) with torch.

The only place besides passage embedding on torch that needs torch: it runs once per model
version into a per-user cache, writes the graph atomically, and stores the vectors torch gives for
the probe texts beside it (``*.probes.npy``), so a serving process can check the graph it loads
without importing torch (``rag.index.embed_onnx``).
"""

from __future__ import annotations

import os
import tempfile
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch

from rag.index.embed_onnx import INPUTS, OPSET, PROBES, probes_path

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer


def export(model: SentenceTransformer, path: Path) -> None:
    """Write the graph and its torch probe vectors, each atomically (probes last: they mark completion)."""
    graph = _PooledEncoder(model[0].auto_model).eval()  # type: ignore[arg-type]  # sentence-transformers types modules loosely
    sample = model.tokenizer(["export sample"], return_tensors="pt")
    path.parent.mkdir(parents=True, exist_ok=True)
    with _atomic(path) as temporary, torch.inference_mode(False), torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # exporter chatter about opsets; the probes check the result
        torch.onnx.export(graph, tuple(sample[name] for name in INPUTS), temporary, input_names=list(INPUTS),
                          output_names=["embedding"], opset_version=OPSET, dynamo=False,
                          dynamic_axes={name: {0: "batch", 1: "tokens"} for name in INPUTS})
    expected = model.encode(list(PROBES), normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
    with _atomic(probes_path(path)) as temporary, open(temporary, "wb") as handle:
        np.save(handle, np.asarray(expected, dtype=np.float32))


class _atomic:
    """A temporary file beside ``path`` that replaces it on success and is removed on failure."""

    def __init__(self, path: Path) -> None:
        self.path = path
        handle, self.temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.close(handle)

    def __enter__(self) -> str:
        return self.temporary

    def __exit__(self, kind: object, *_: object) -> None:
        try:
            if kind is None:
                os.chmod(self.temporary, 0o644)
                os.replace(self.temporary, self.path)
        finally:
            if os.path.exists(self.temporary):
                os.unlink(self.temporary)


class _PooledEncoder(torch.nn.Module):
    """BERT → mean over real tokens → unit length, as sentence-transformers' three modules do."""

    def __init__(self, transformer: torch.nn.Module) -> None:
        super().__init__()
        self.transformer = transformer

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                token_type_ids: torch.Tensor) -> torch.Tensor:
        hidden = self.transformer(input_ids=input_ids, attention_mask=attention_mask,
                                  token_type_ids=token_type_ids).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, dim=-1)
