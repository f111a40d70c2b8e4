"""``rag stage``: run a deterministic calculator and attach the corpus passages of the rules it used."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from rag.calculators.registry import find_calculator
from rag.calculators.rulebook import RuleBook
from rag.config import Settings
from rag.errors import InvalidInput, RagError
from rag.types import CalcResult


@dataclass(frozen=True)
class StageRequest:
    """One staging request: a system plus free text, a TNM string and/or structured findings."""

    system: str
    text: str | None = None
    tnm: str | None = None
    findings: Mapping[str, Any] | None = None


@lru_cache(maxsize=4)
def _rulebook(index_dir: str, corpora_dir: str, chunk_chars: int, revision: int = 0) -> RuleBook:
    corpus = RuleBook.from_corpus(Path(corpora_dir), chunk_chars)
    catalog_path = Path(index_dir) / "catalog.sqlite"
    if not catalog_path.exists():
        return corpus
    from rag.corpus.registry import Catalog

    catalog = Catalog(catalog_path)
    try:
        indexed = RuleBook.from_catalog(catalog)
    finally:
        catalog.close()
    # Prefer the indexed passage (what the app can open); the corpus covers ids a stale index lacks.
    return indexed.merged_over(corpus)


def rulebook(settings: Settings) -> RuleBook:
    """The rule book for these settings (index catalogue if built, else the bundled corpus).

    Keyed by the registry's revision, so calculator citations follow the live generation: after a
    replace or a retire the next staging cites the new version's rows, in this process or any other.
    """
    return _rulebook(str(settings.index_dir), str(settings.corpora_dir), settings.chunk_chars,
                     _registry_revision(settings.index_dir / "catalog.sqlite"))


def _registry_revision(path: Path) -> int:
    """The registry's change counter, read without opening (or creating) a catalogue; 0 when there is none."""
    if not path.exists():
        return 0
    import sqlite3

    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            row = db.execute("SELECT value FROM state WHERE key='revision'").fetchone()
        finally:
            db.close()
    except sqlite3.Error:
        return 0
    return int(row[0]) if row else 0


def calculate(request: StageRequest) -> CalcResult:
    """Run the calculator for the request's system."""
    calculator = find_calculator(request.system)
    if request.text is not None and request.text.strip():
        if request.findings or request.tnm:
            raise InvalidInput("give either free text or structured findings/TNM, not both")
        return calculator.from_text(request.text)
    if request.text is not None and not request.findings and not request.tnm:
        raise InvalidInput("empty --text", hint="paste the findings or report excerpt")
    return calculator.from_findings(dict(request.findings or {}), request.tnm)


def run_stage(settings: Settings, request: StageRequest) -> dict[str, Any]:
    """The CONTRACT.md object for one request, citations resolved to corpus chunks."""
    result = calculate(request)
    book = rulebook(settings)
    citations: list[dict[str, Any]] = []
    uncited = []
    for rule_id in dict.fromkeys(result.rule_ids):
        citation = book.cite(rule_id)
        if citation is None:
            uncited.append(rule_id)
        else:
            citations.append(citation.as_contract(len(citations) + 1))
    output: dict[str, Any] = {
        "system": result.system,
        "edition": result.edition,
        "result": result.result,
        "missing": list(result.missing),
        "citations": citations,
        "evidence": [asdict(e) for e in result.evidence],
        "discrepancies": [asdict(d) for d in result.discrepancies],
        "notes": list(result.notes),
    }
    if result.other_editions:
        output["other_editions"] = result.other_editions
    if uncited:
        output["uncited_rules"] = uncited
    return output


def stage_batch(settings: Settings, items: list[tuple[int, dict[str, Any] | None, str]], out: IO[str]) -> dict[str, int]:
    """Stage many requests in one process; a bad line yields ``{"id", "error"}`` and the batch goes on."""
    stats = {"ok": 0, "errors": 0}
    for number, obj, error in items:
        record: dict[str, Any]
        if obj is None:
            record = {"id": None, "error": error}
        else:
            record = {"id": obj.get("id", number)}
            try:
                findings = obj.get("findings")
                if findings is not None and not isinstance(findings, dict):
                    raise InvalidInput("findings must be a JSON object")
                request = StageRequest(system=str(obj.get("system") or ""), text=obj.get("text"),
                                       tnm=obj.get("tnm"), findings=findings)
                if not request.system:
                    raise InvalidInput("missing system")
                record.update(run_stage(settings, request))
            except RagError as exc:
                record["error"] = exc.user_message()
        stats["errors" if "error" in record else "ok"] += 1
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return stats


def render_text(output: Mapping[str, Any]) -> str:
    """Human-readable output of one staging result."""
    result = output.get("result") or {}
    lines = [f"{output['system']} — {output['edition']}"]
    lines.append("  " + ", ".join(f"{k}: {v}" for k, v in result.items() if v is not None and not isinstance(v, (list, dict))))
    if output.get("missing"):
        lines.append("  missing: " + "; ".join(output["missing"]))
    for note in output.get("notes", []):
        lines.append(f"  note: {note}")
    for d in output.get("discrepancies", []):
        lines.append(f"  discrepancy: {d['message']}")
    for c in output.get("citations", []):
        lines.append(f"  [{c['n']}] {c['rule_id']} — {c['title']} ({c['edition']}), {c['section']}")
    return "\n".join(lines)
