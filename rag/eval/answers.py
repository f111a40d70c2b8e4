"""``rag eval answers``: is the expected fact in the answer *text*, are the citations honest, are
out-of-scope questions refused — and how long it takes.

Gold lines: ``{"id", "lang", "question", "expect" (a regex the answer text must match), "refuse"}``.
The fact must be in the answer the clinician reads, not only in a quoted source. Citation precision
uses a check independent of the pipeline's own verifier: every ``[n]`` must resolve to a
citation, and the numbers and staging labels of the sentence it ends must occur in that
citation's passage.
"""

from __future__ import annotations

import json
import re
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from rag.answer.pipeline import answer_question
from rag.errors import InvalidInput, RagError
from rag.eval.output import percentile, prepare_out, table, write_results
from rag.workspace import Workspace

_MARKER = re.compile(r"\[(\d+)\]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])")
# Numbers and staging/category labels: the tokens a wrong citation most often fails to contain.
_CHECKED = re.compile(r"\d+(?:\.\d+)?|\b(?:[cpy]?[TNM][0-4x](?:is|mi|[a-d])?\d?|LR-?\w+|TR\d|[0-4][ABCX]|[IV]{1,3}[ABC]?\d?)\b", re.I)


def load_answer_gold(path: Path) -> list[dict[str, Any]]:
    """Validated gold lines (a bad line is an error that names it: a gold file must be exact)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read {path}: {exc}") from exc
    out = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            if not isinstance(obj, dict) or not isinstance(obj.get("question"), str):
                raise ValueError("needs a \"question\" string")
            if not obj.get("refuse"):
                re.compile(str(obj.get("expect") or ""))
                if not obj.get("expect"):
                    raise ValueError("an in-scope question needs an \"expect\" regex")
        except (ValueError, re.error) as exc:
            raise InvalidInput(f"{path.name} line {number}: {exc}") from exc
        out.append({"id": str(obj.get("id") or number), "lang": str(obj.get("lang") or "en"), **obj})
    return out


def strip_markers(text: str) -> str:
    return _MARKER.sub("", text)


def citation_checks(answer: dict[str, Any], passages: dict[str, str]) -> tuple[int, int, int]:
    """(markers, unresolved markers, markers whose passage lacks the sentence's numbers/labels)."""
    by_n = {c["n"]: c for c in answer.get("citations", [])}
    markers = unresolved = unsupported = 0
    for sentence in _SENTENCE_END.split(answer.get("answer", "")):
        numbers = {m.group(0).lower() for m in _CHECKED.finditer(strip_markers(sentence))}
        for n in (int(x) for x in _MARKER.findall(sentence)):
            markers += 1
            citation = by_n.get(n)
            if citation is None:
                unresolved += 1
                continue
            source = (passages.get(citation.get("chunk_id", ""), "") + " " + str(citation.get("quote", ""))).lower()
            if any(not _occurs(token, source) for token in numbers):
                unsupported += 1
    return markers, unresolved, unsupported


def _occurs(token: str, text: str) -> bool:
    """The token as a whole word or number ("5" does not occur in "1.5")."""
    return re.search(rf"(?<![\w.]){re.escape(token)}(?!\w|\.\d)", text) is not None


def eval_answers(workspace: Workspace, gold_path: Path, out: Path, backend: str | None = None) -> dict[str, Any]:
    prepare_out(out)
    gold = load_answer_gold(gold_path)
    if not gold:
        raise InvalidInput(f"no questions in {gold_path}")
    per_lang: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    latencies: list[float] = []
    markers = unresolved = unsupported = 0
    failures: list[dict[str, Any]] = []
    backends: set[str] = set()
    for item in gold:
        started = time.perf_counter()
        try:
            answer = answer_question(workspace, item["question"], backend=backend).as_contract()
        except RagError as exc:
            answer = {"answer": "", "refused": True, "citations": [], "error": str(exc)}
        latencies.append((time.perf_counter() - started) * 1000)
        backends.add(str(answer.get("backend")))
        stats = per_lang[item["lang"]]
        text = strip_markers(answer.get("answer", ""))
        if item.get("refuse"):
            stats["out_of_scope"] += 1
            ok = bool(answer.get("refused"))
            stats["refused_right"] += ok
        else:
            stats["in_scope"] += 1
            ok = not answer.get("refused") and re.search(item["expect"], text, re.I) is not None
            stats["fact_in_text"] += ok
            stats["wrongly_refused"] += bool(answer.get("refused"))
        chunk_ids = [c.get("chunk_id", "") for c in answer.get("citations", [])]
        passages = {cid: chunk.text for cid, chunk in workspace.catalog.chunks(chunk_ids).items()}
        m, u, s = citation_checks(answer, passages)
        markers, unresolved, unsupported = markers + m, unresolved + u, unsupported + s
        if not ok:
            failures.append({"id": item["id"], "lang": item["lang"], "question": item["question"],
                             "expect": item.get("expect"), "refuse": bool(item.get("refuse")), "answer": answer.get("answer", "")[:600]})
    summary = {lang: {**s, "fact_in_text_rate": s["fact_in_text"] / s["in_scope"] if s["in_scope"] else None,
                      "refusal_accuracy": s["refused_right"] / s["out_of_scope"] if s["out_of_scope"] else None}
               for lang, s in per_lang.items()}
    results = {"questions": len(gold), "backends": sorted(backends), "by_language": summary,
               "citations": {"markers": markers, "unresolved": unresolved, "unsupported_by_independent_check": unsupported,
                             "precision": (markers - unresolved - unsupported) / markers if markers else None},
               "latency_ms": {"p50": percentile(latencies, 0.5), "p95": percentile(latencies, 0.95), "p99": percentile(latencies, 0.99)},
               "latency_samples_ms": sorted(latencies), "failures": failures}
    rows = [[lang, s["in_scope"], s["fact_in_text"], s.get("fact_in_text_rate"), s["out_of_scope"], s.get("refusal_accuracy")]
            for lang, s in sorted(summary.items())]
    md = [f"# Answer evaluation\n\nGold: `{gold_path}` — {len(gold)} questions, backend(s): {', '.join(sorted(backends))}. "
          f"Latency p50 {results['latency_ms']['p50']:.0f} ms, p95 {results['latency_ms']['p95']:.0f} ms.\n",
          table(["lang", "in scope", "fact in text", "rate", "out of scope", "refusal accuracy"], rows),
          f"\nCitations: {markers} markers, {unresolved} unresolved, {unsupported} whose passage lacks the sentence's "
          f"numbers or labels (independent check); precision {results['citations']['precision']}.\n"]
    if failures:
        md.append("## Failures\n")
        md.append(table(["id", "lang", "question", "expected", "answer"],
                        [[f["id"], f["lang"], f["question"], "refuse" if f["refuse"] else f["expect"], f["answer"][:200]] for f in failures]))
    write_results(out, results, "\n".join(md), [("answers_latency_cdf.png", lambda fig: _cdf(fig, latencies))])
    return results


def _cdf(figure: Any, latencies: list[float]) -> None:
    ax = figure.add_subplot(111)
    samples = sorted(latencies)
    ax.step(samples, [(i + 1) / len(samples) for i in range(len(samples))], where="post")
    ax.set_xlabel("ms per answer")
    ax.set_ylabel("fraction of questions at or below")
    ax.set_title("Answer latency CDF")
