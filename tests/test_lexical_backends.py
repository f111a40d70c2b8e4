"""BM25 without numba or scipy in the process: the same rankings, ~75 MB less resident memory.

bm25s imports numba (a JIT, ~55 MB with llvmlite) and scipy.sparse (~22 MB) whenever they are
installed, although our index runs on its numpy backends; ``rag.index.lexical.import_bm25s`` hides
them for that one import. Each case runs in a fresh interpreter, since an import happens once per
process.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

_SCRIPT = """
import json, sys
from pathlib import Path
if {import_numba_first}:
    import numba, scipy.sparse  # as in a process that already uses them (the eval's ranx)
from rag.index.lexical import LexicalIndex
from rag.index.tokenize import tokenize
texts = ["clear cell renal carcinoma nephrectomy", "papillary renal cell carcinoma",
         "transitional cell carcinoma of the renal pelvis", "renal cell carcinoma stage IV sunitinib",
         "hairy cell leukemia cladribine", "renal renal renal cyst", "urethral cancer", "nephrectomy"]
folder = Path({folder!r})
if not folder.exists():
    LexicalIndex.build(folder, [f"c{{i}}" for i in range(len(texts))], ["a", "b"] * 4, [tokenize(t) for t in texts])
index = LexicalIndex(folder)
hits = [index.search(tokenize(q), 5, allowed) for q in ("renal cell carcinoma", "nephrectomy renal", "cell")
        for allowed in (None, {{"a"}})]
hidden_left = [name for name in ("numba", "scipy") if name in sys.modules and sys.modules[name] is None]
print(json.dumps({{"hits": hits, "numba": "numba" in sys.modules, "scipy": "scipy" in sys.modules,
                  "hidden_left": hidden_left}}))
"""


def _run(folder: Path, import_numba_first: bool) -> dict[str, object]:
    code = _SCRIPT.format(folder=str(folder), import_numba_first=import_numba_first)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=REPO,
                            env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr[-3000:]
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def test_bm25_builds_and_searches_without_importing_numba_or_scipy(tmp_path: Path) -> None:
    lean = _run(tmp_path / "bm25", import_numba_first=False)
    assert lean["numba"] is False and lean["scipy"] is False
    assert lean["hidden_left"] == []  # a later `import numba` still works in that process
    assert all(lean["hits"][:2])


@pytest.mark.slow  # imports numba in a fresh interpreter (~5 s idle, a minute on the loaded box)
def test_bm25_without_numba_ranks_as_with_it(tmp_path: Path) -> None:
    folder = tmp_path / "bm25"
    lean = _run(folder, import_numba_first=False)  # builds the index, then searches it
    full = _run(folder, import_numba_first=True)  # bm25s on its numba backend, same saved index
    assert full["numba"] is True
    assert lean["hits"] == full["hits"]
    assert all(lean["hits"][:2])  # the queries do hit something: an empty ranking would compare equal too
