"""A hypothesis state machine of random add / replace / retire / restore steps on a real tiny index.

After every step the registry, the Qdrant points and the BM25 generation must agree with a model of
what should be live: the chunks of each active document's current text, each exactly once (nothing
lost, nothing duplicated), every version ever made still stored, and every chunk ever made still
resolvable. Documents are tiny and share sections between their variants, so replacements both keep
and drop chunks. Embeddings come from the real model, computed once per session into each fresh
index's cache, so the steps themselves never wait for the model.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from rag.config import Settings
from rag.corpus import admin
from rag.corpus.chunk import chunk_document
from rag.corpus.ingest import _document, embedding_text
from rag.corpus.parse import parse_file
from rag.errors import InvalidInput
from rag.index.embed import Embedder, embedding_key
from rag.workspace import Workspace
from tests.conftest import write

DOCS = ("alpha", "beta", "gamma")
VARIANTS = 6
_PARAGRAPHS = (
    ("Surveillance", "Imaging is repeated every six months during the first two years of surveillance."),
    ("Margins", "A resection margin of at least one centimetre is recommended when it can be achieved."),
    ("Nodes", "At least twelve regional lymph nodes are examined to stage the nodal category reliably."),
    ("Grading", "Tumour grade is assigned from the least differentiated area seen on the slides."),
    ("Biopsy", "A core biopsy is preferred over fine-needle aspiration when histology changes treatment."),
    ("Markers", "Serum tumour markers are measured before treatment and at each follow-up visit."),
)


def _body(variant: int) -> str:
    sections = [_PARAGRAPHS[variant % VARIANTS], _PARAGRAPHS[(variant + 1) % VARIANTS]]
    return "".join(f"## {title}\n{text}\n\n" for title, text in sections)


def _content(doc: str, variant: int, day: int) -> str:
    return (f"---\ndoc_id: {doc}\ntitle: {doc.title()} guide\nsystem: AJCC8-general\nedition: Edition {day}\n"
            f"effective_date: {date(2000, 1, 1) + timedelta(days=day)}\nsource: Test\n"
            f"license: CC-BY-4.0\n---\n# {doc.title()}\n\n{_body(variant)}")


@cache
def _prepared() -> tuple[dict[tuple[str, int], tuple[str, ...]], dict[str, np.ndarray]]:
    """(doc, variant) -> its chunk ids, and the real embeddings of every passage any step can create."""
    folder = Path(tempfile.mkdtemp(prefix="rag-sm-prep-"))
    try:
        ids: dict[tuple[str, int], tuple[str, ...]] = {}
        texts: list[str] = []
        chunk_chars = Settings().chunk_chars
        for doc in DOCS:
            for variant in range(VARIANTS):
                path = write(folder / f"{doc}-{variant}.md", _content(doc, variant, 1))
                parsed = parse_file(path)
                document = _document(parsed, doc, str(path), "")
                chunks = chunk_document(parsed, doc, chunk_chars=chunk_chars)
                ids[(doc, variant)] = tuple(c.chunk_id for c in chunks)
                texts.extend(embedding_text(document, c) for c in chunks)
        unique = sorted(set(texts))
        model = Settings().embedder
        vectors = Embedder(model, query_runtime="torch").embed_passages(unique)
        return ids, {embedding_key(model, t): v for t, v in zip(unique, vectors, strict=True)}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


class Lifecycle(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.chunk_ids, vectors = _prepared()
        self.root = Path(tempfile.mkdtemp(prefix="rag-sm-"))
        self.workspace = Workspace(Settings(index_dir=self.root / "index"))
        with self.workspace.catalog.transaction():
            self.workspace.catalog.cache_vectors(vectors)
        self.model: dict[str, dict[str, int | str]] = {}  # doc -> versions, status, variant
        self.ever: set[str] = set()
        self.day = 0

    def _file(self, doc: str, variant: int) -> Path:
        self.day += 1  # a strictly later effective date: never "older", never duplicate content
        return write(self.root / "files" / f"{doc}-{self.day}.md", _content(doc, variant, self.day))

    @rule(doc=st.sampled_from(DOCS), variant=st.integers(0, VARIANTS - 1))
    def add(self, doc: str, variant: int) -> None:
        (report,) = admin.add(self.workspace, [self._file(doc, variant)], actor="sm").files
        if doc in self.model:
            assert report.status == "rejected" and "already exists" in report.reason
            return
        assert (report.status, report.version) == ("added", 1), report
        self.model[doc] = {"versions": 1, "status": "active", "variant": variant}
        self.ever.update(self.chunk_ids[(doc, variant)])

    @rule(doc=st.sampled_from(DOCS), variant=st.integers(0, VARIANTS - 1))
    def replace(self, doc: str, variant: int) -> None:
        path = self._file(doc, variant)
        if doc not in self.model:
            with pytest.raises(InvalidInput, match="no document"):
                admin.replace(self.workspace, doc, path, actor="sm")
            return
        (report,) = admin.replace(self.workspace, doc, path, actor="sm").files
        state = self.model[doc]
        assert (report.status, report.version) == ("replaced", int(state["versions"]) + 1), report
        state.update(versions=int(state["versions"]) + 1, status="active", variant=variant)
        self.ever.update(self.chunk_ids[(doc, variant)])

    @rule(doc=st.sampled_from(DOCS))
    def retire(self, doc: str) -> None:
        if self.model.get(doc, {}).get("status") != "active":
            with pytest.raises(InvalidInput):
                admin.retire(self.workspace, doc, "state machine", actor="sm")
            return
        assert admin.retire(self.workspace, doc, "state machine", actor="sm").status == "retired"
        self.model[doc]["status"] = "retired"

    @rule(doc=st.sampled_from(DOCS))
    def restore(self, doc: str) -> None:
        if self.model.get(doc, {}).get("status") != "retired":
            with pytest.raises(InvalidInput):
                admin.restore(self.workspace, doc, actor="sm")
            return
        assert admin.restore(self.workspace, doc, actor="sm").status == "active"
        self.model[doc]["status"] = "active"

    @invariant()
    def index_matches_the_model(self) -> None:
        ws = self.workspace
        live = [c for doc, s in self.model.items() if s["status"] == "active" for c in self.chunk_ids[(doc, int(s["variant"]))]]
        points = ws.vectors.chunk_ids_of(list(DOCS))
        assert sorted(points) == sorted(live) and len(set(live)) == len(live)  # nothing lost, nothing duplicated
        assert ws.vectors.count() == ws.catalog.count_chunks() == len(live)
        lexical = ws.lexical()
        assert sorted(lexical.chunk_ids if lexical else []) == sorted(live)
        for doc, state in self.model.items():
            versions = ws.catalog.versions(doc)
            assert [v.version for v in versions] == list(range(1, int(state["versions"]) + 1))
            assert [v.status for v in versions] == ["superseded"] * (len(versions) - 1) + [state["status"]]
        assert len(ws.catalog.chunks(self.ever)) == len(self.ever)  # every chunk ever made still resolves
        assert all(ws.catalog.versions_of_chunk(c) for c in list(self.ever)[:5])

    def teardown(self) -> None:
        self.workspace.close()
        shutil.rmtree(self.root, ignore_errors=True)


Lifecycle.TestCase.settings = settings(max_examples=3, stateful_step_count=50, deadline=None, phases=[Phase.explicit, Phase.generate],
                                       suppress_health_check=[HealthCheck.too_slow])
test_lifecycle_state_machine = pytest.mark.slow(Lifecycle.TestCase)
