"""Gold files for retrieval: the corpus's own question files and MedQuAD → PDQ.

Accepted forms (one question per line / row):
- JSONL ``{"id"?, "query", "lang"?, "rule_id"}``: relevant = the chunks that state that rule (in
  either language's document: ``ZHLUNG8.T.T1a`` and ``LUNG8.T.T1a`` are the same rule);
- JSONL ``{"id"?, "query", "relevant_chunks": [...]}`` or ``{"relevant_docs": [...]}``;
- MedQuAD's CSV (``question``, ``url`` columns): relevant = the PDQ health-professional summary of
  the same cancer (``/types/X/patient/Y`` → source file ``types-X-hp-Y.md``), as
  ``../shared/data/README.md`` defines it; questions whose summary is not indexed are dropped;
- a folder: every ``*.jsonl`` in it.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from rag.errors import InvalidInput
from rag.types import Document

Level = Literal["chunk", "doc"]


@dataclass(frozen=True)
class GoldQuestion:
    """One question and what counts as a right answer to it."""

    qid: str
    query: str
    lang: str
    level: Level
    rule_id: str = ""
    relevant: frozenset[str] = field(default_factory=frozenset)


def canonical_rule(rule_id: str) -> str:
    """A rule id without its Chinese-document marks: ``ZHLUNG8.ED9.N.N2a`` → ``LUNG9.N.N2a``."""
    parts = rule_id.split(".")
    if parts and parts[0].startswith("ZH"):
        parts[0] = parts[0][2:]
        if parts[0] == "LUNG8" and len(parts) > 2 and parts[1] == "ED9":
            parts = ["LUNG9", *parts[2:]]
    return ".".join(parts)


def load_gold(path: Path, documents: Iterable[Document], rule_rows: Iterable[tuple[str, str]]) -> list[GoldQuestion]:
    """Questions with their relevant chunk or document ids resolved against the index."""
    if not path.exists():
        raise InvalidInput(f"gold file {path} does not exist", hint="give a JSONL file, a folder of them, or MedQuAD's CSV")
    if path.is_dir():
        files = sorted(path.glob("*.jsonl"))
        if not files:
            raise InvalidInput(f"no *.jsonl gold files in {path}")
        rows = list(rule_rows)
        return [q for f in files for q in _load_jsonl(f, rows)]
    if path.suffix.lower() == ".csv":
        return _load_medquad(path, list(documents))
    return _load_jsonl(path, list(rule_rows))


def _load_jsonl(path: Path, rule_rows: list[tuple[str, str]]) -> list[GoldQuestion]:
    by_rule: dict[str, set[str]] = {}
    for rule_id, chunk_id in rule_rows:
        by_rule.setdefault(canonical_rule(rule_id), set()).add(chunk_id)
    out: list[GoldQuestion] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read {path}: {exc}") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"{path.name} line {number}: invalid JSON ({exc.msg})") from exc
        if not isinstance(obj, dict) or not isinstance(obj.get("query"), str) or not obj["query"].strip():
            raise InvalidInput(f"{path.name} line {number}: expected an object with a non-empty \"query\"")
        qid = str(obj.get("id") or f"{path.stem}:{number}")
        lang = str(obj.get("lang") or "en")
        if obj.get("relevant_docs"):
            out.append(GoldQuestion(qid, obj["query"], lang, "doc", relevant=frozenset(map(str, obj["relevant_docs"]))))
        elif obj.get("relevant_chunks"):
            out.append(GoldQuestion(qid, obj["query"], lang, "chunk", relevant=frozenset(map(str, obj["relevant_chunks"]))))
        elif obj.get("rule_id"):
            chunks = by_rule.get(canonical_rule(str(obj["rule_id"])), set())
            out.append(GoldQuestion(qid, obj["query"], lang, "chunk", rule_id=str(obj["rule_id"]), relevant=frozenset(chunks)))
        else:
            raise InvalidInput(f"{path.name} line {number}: needs \"rule_id\", \"relevant_chunks\" or \"relevant_docs\"")
    return out


_MEDQUAD_URL = re.compile(r"/types/(.+)/patient/(.+?)/?$")


def medquad_source(url: str) -> str | None:
    """MedQuAD patient URL → the PDQ health-professional file stem (shared/data/README.md)."""
    match = _MEDQUAD_URL.search(url)
    return f"types-{match.group(1).replace('/', '-')}-hp-{match.group(2)}" if match else None


def _load_medquad(path: Path, documents: list[Document]) -> list[GoldQuestion]:
    doc_by_stem = {Path(d.source).stem: d.doc_id for d in documents}
    csv.field_size_limit(10**8)
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InvalidInput(f"cannot read {path}: {exc}") from exc
    if rows and not {"question", "url"} <= set(rows[0]):
        raise InvalidInput(f"{path.name} has no question/url columns", hint="MedQuAD's CSV, or a JSONL gold file")
    out: list[GoldQuestion] = []
    for number, row in enumerate(rows, start=2):
        stem = medquad_source(row.get("url") or "")
        if stem and stem in doc_by_stem and (row.get("question") or "").strip():
            qid = str(row.get("qid") or f"{path.stem}:{number}")
            out.append(GoldQuestion(qid, row["question"], "en", "doc", relevant=frozenset({doc_by_stem[stem]})))
    return out
