"""``rag stage``: run a deterministic calculator and attach the corpus passages of the rules it used."""

from __future__ import annotations

import math
import os
import sqlite3
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from rag.calculators.registry import find_calculator
from rag.calculators.rulebook import RuleBook
from rag.config import Settings
from rag.errors import InvalidInput, RagError
from rag.jsonio import is_unicode, plain_id, record_line
from rag.types import CalcResult, RuleCitation, StageResult


@dataclass(frozen=True)
class StageRequest:
    """One staging request: a system plus free text, a TNM string and/or structured findings."""

    system: str
    text: str | None = None
    tnm: str | None = None
    findings: Mapping[str, Any] | None = None


@lru_cache(maxsize=4)
def _rulebook(index_dir: str, corpora_dir: str, chunk_chars: int, revision: int | None,
              corpus_stamp: tuple[tuple[str, int, int], ...]) -> RuleBook:
    """Built once per (registry revision, corpus files) pair: the key changes when either does."""
    corpus = RuleBook.from_corpus(Path(corpora_dir), chunk_chars)
    catalog_path = Path(index_dir) / "catalog.sqlite"
    if revision is None or not catalog_path.exists():
        return corpus
    from rag.corpus.registry import Catalog

    catalog = Catalog(catalog_path)
    try:
        indexed = RuleBook.from_catalog(catalog)
    finally:
        catalog.close()
    # Prefer the indexed passage (what the app can open); the corpus covers ids a stale index lacks.
    return indexed.merged_over(corpus)


def catalog_generation(index_dir: Path) -> int | None:
    """The registry's change counter (every ingest, replace, retire or restore that commits moves it),
    or None without an index. Read with a plain read-only query: no schema work per request."""
    path = index_dir / "catalog.sqlite"
    if not path.exists():
        return None
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)) as db:
            row = db.execute("SELECT value FROM state WHERE key='revision'").fetchone()
    except sqlite3.Error:  # no state table yet (an index being created)
        return 0
    return int(row[0]) if row else 0


def _corpus_stamp(corpora_dir: Path) -> tuple[tuple[str, int, int], ...]:
    """(path, mtime, size) of the bundled corpus files, so an edited corpus file is re-read too.

    os.scandir rather than Path.rglob: this runs on every request and must stay well under a millisecond.
    """
    out: list[tuple[str, int, int]] = []
    stack = [str(corpora_dir)]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir():
                stack.append(entry.path)
            elif entry.is_file():
                stat = entry.stat()
                out.append((entry.path, stat.st_mtime_ns, stat.st_size))
    return tuple(sorted(out))


def rulebook(settings: Settings) -> RuleBook:
    """The rule book for these settings (index catalogue if built, else the bundled corpus).

    Keyed by the registry's revision and the bundled corpus files' stamps, so calculator citations
    follow the live generation: after an ingest, replace or retire the next staging cites the new
    rows, in this process or any other, never a chunk the change removed.
    """
    return _rulebook(str(settings.index_dir), str(settings.corpora_dir), settings.chunk_chars,
                     catalog_generation(Path(settings.index_dir)), _corpus_stamp(Path(settings.corpora_dir)))


# Plausible ranges of the numeric findings keys (CONTRACT.md): a value outside is a typo or a unit
# mix-up, never a patient, and must not reach a table lookup (or the output, if it is NaN).
_NUMERIC_RANGES: dict[str, tuple[float, float]] = {"psa": (0, 100_000), "grade_group": (1, 5), "age": (0, 130)}
MAX_TEXT_CHARS = 200_000


def validate_request(request: StageRequest) -> None:
    """``InvalidInput`` for a request no calculator should see: wrong types, undecodable text, non-finite
    or implausible numbers. Why here: the CLI, the batch, the server and the app all come through."""
    for name in ("system", "text", "tnm"):
        value = getattr(request, name)
        if value is None and name != "system":
            continue
        if not isinstance(value, str):
            raise InvalidInput(f"{name} must be a text string, not {type(value).__name__}")
        if not is_unicode(value):
            raise InvalidInput(f"{name} is not valid Unicode text (lone surrogate)")
        if len(value) > MAX_TEXT_CHARS:
            raise InvalidInput(f"{name} is longer than {MAX_TEXT_CHARS} characters", hint="stage one report at a time")
    if request.findings is None:
        return
    if not isinstance(request.findings, Mapping):
        raise InvalidInput("findings must be a JSON object")
    _check_values(request.findings, "findings")
    for key, (low, high) in _NUMERIC_RANGES.items():
        value = request.findings.get(key)
        if value is None or isinstance(value, str):
            continue  # text values ("6.2") are read by the calculators, which report what they cannot use
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InvalidInput(f"findings.{key} must be a number")
        if not low <= value <= high:
            raise InvalidInput(f"findings.{key} = {value} is outside the plausible range {low}-{high}")


def _check_values(value: object, where: str) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidInput(f"{where} is not a finite number", hint="use a plain number such as 6.2")
    if isinstance(value, str) and not is_unicode(value):
        raise InvalidInput(f"{where} is not valid Unicode text (lone surrogate)")
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str) or not is_unicode(key):
                raise InvalidInput(f"{where} has a key that is not text")
            _check_values(item, f"{where}.{key}")
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _check_values(item, f"{where}[{i}]")


def calculate(request: StageRequest) -> CalcResult:
    """Run the calculator for the request's system."""
    validate_request(request)
    calculator = find_calculator(request.system)
    if request.text is not None and request.text.strip():
        if request.findings or request.tnm:
            raise InvalidInput("give either free text or structured findings/TNM, not both")
        return calculator.from_text(request.text)
    if request.text is not None and not request.findings and not request.tnm:
        raise InvalidInput("empty --text", hint="paste the findings or report excerpt")
    return calculator.from_findings(dict(request.findings or {}), request.tnm)


def stage(settings: Settings, request: StageRequest) -> StageResult:
    """Run the calculator and resolve every rule it used to the corpus passage that states it."""
    result = calculate(request)
    book = rulebook(settings)
    citations: list[RuleCitation] = []
    uncited: list[str] = []
    for rule_id in dict.fromkeys(result.rule_ids):
        citation = book.cite(rule_id)
        if citation is None:
            uncited.append(rule_id)
        else:
            citations.append(citation)
    return StageResult(system=result.system, edition=result.edition, result=dict(result.result),
                       missing=tuple(result.missing), citations=tuple(citations), evidence=tuple(result.evidence),
                       discrepancies=tuple(result.discrepancies), notes=tuple(result.notes),
                       other_editions=dict(result.other_editions), uncited_rules=tuple(uncited))


def run_stage(settings: Settings, request: StageRequest) -> dict[str, Any]:
    """The CONTRACT.md object for one request: :func:`stage` at a JSON boundary."""
    return stage(settings, request).as_contract()


def stage_batch(settings: Settings, items: list[tuple[int, dict[str, Any] | None, str]], out: IO[str]) -> dict[str, int]:
    """Stage many requests in one process; a bad line yields ``{"id", "error"}`` and the batch goes on."""
    stats = {"ok": 0, "errors": 0}
    for number, obj, error in items:
        record: dict[str, Any]
        if obj is None:
            record = {"id": None, "error": error}
        else:
            record = {"id": plain_id(obj.get("id", number))}
            try:
                system = obj.get("system")
                if not system:
                    raise InvalidInput("missing system")
                request = StageRequest(system=system, text=obj.get("text"), tnm=obj.get("tnm"), findings=obj.get("findings"))
                record.update(run_stage(settings, request))
            except RagError as exc:
                record["error"] = exc.user_message()
        line, ok = record_line(record)
        stats["ok" if ok else "errors"] += 1
        out.write(line)
    return stats


def render_text(output: StageResult) -> str:
    """Human-readable output of one staging result."""
    result = output.result
    lines = [f"{output.system} — {output.edition}"]
    lines.append("  " + ", ".join(f"{k}: {v}" for k, v in result.items() if v is not None and not isinstance(v, (list, dict))))
    if output.missing:
        lines.append("  missing: " + "; ".join(output.missing))
    for note in output.notes:
        lines.append(f"  note: {note}")
    for d in output.discrepancies:
        lines.append(f"  discrepancy: {d.message}")
    for n, c in enumerate(output.citations, start=1):
        lines.append(f"  [{n}] {c.rule_id} — {c.document.title} ({c.document.edition}), {c.chunk.section}")
    return "\n".join(lines)
