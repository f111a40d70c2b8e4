"""Does ``rag ask`` answer the question? Fact-in-text, refusals and off-question sentences on the answer gold.

    RAG_INDEX_DIR=/tmp/idx python bench/answers.py --out bench/results/answers-after.json
    RAG_INDEX_DIR=/tmp/idx python bench/answers.py --show 30            # print 30 answers to read

The gold (``tests/data/answers_gold.jsonl``, 155 questions: 96 English, 59 Chinese, 42 out of scope)
holds, per in-scope question, a regex for the fact that must appear in the answer *text* (not only in
a quote): "TR4 at what size FNA?" must say 1.5 cm. Reported, per language:

- fact-in-text: in-scope questions answered (not refused) whose text matches ``expect``;
- refusals: out-of-scope questions refused, and in-scope questions refused (false refusals);
- off-question sentences per answer, by a check that is independent of ``rag.answer.relevance``:
  a sentence is off-question when the question names labels of a family (TR1-5, BI-RADS/Lung-RADS
  4A/4B/4C, LR-x, stage groups, T/N/M categories) and the sentence names only *other* members of that
  family, or when it is a corpus meta sentence ("in the project's own words");
- latency: warm per-question wall time (p50, p95), the index and models already loaded.

This is a regression measure, not a clinical evaluation: a regex can miss a correct paraphrase and an
off-question sentence that names no label is not counted (read ``--show`` output for those).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rag.answer.pipeline import answer_question  # noqa: E402
from rag.answer.verify import parse_markers, split_sentences  # noqa: E402
from rag.config import Settings  # noqa: E402
from rag.workspace import Workspace  # noqa: E402

GOLD = ROOT / "tests" / "data" / "answers_gold.jsonl"
META = re.compile(r"own words|in our words|自己的话|用项目", re.I)
# Label families: a sentence naming only other members of a family the question asks about is off-question.
FAMILIES: dict[str, re.Pattern[str]] = {
    "tirads": re.compile(r"(?<![A-Za-z0-9])TR([1-5])(?![0-9])"),
    "subcat": re.compile(r"(?<![A-Za-z0-9.])([0-4][ABCX])(?![A-Za-z0-9])"),
    "lirads": re.compile(r"(?<![A-Za-z0-9])LR-(\d|M|TIV|NC)(?![A-Za-z0-9])"),
    "stage": re.compile(r"(?<![A-Za-z0-9])((?:IV|I{1,3})[ABC][1-3]?)(?![A-Za-z0-9])"),
    "T": re.compile(r"(?<![A-Za-z0-9])(?:yp|c|p)?(T(?:is|[0-4](?:mi|[a-d])?))(?![A-Za-z0-9])"),
    "N": re.compile(r"(?<![A-Za-z0-9])(?:yp|c|p)?(N[0-3](?:mi|[a-c])?)(?![A-Za-z0-9])"),
    "M": re.compile(r"(?<![A-Za-z0-9])(?:c|p)?(M1[a-c]?[12]?)(?![A-Za-z0-9])"),
}


def load_gold(path: Path = GOLD) -> list[dict[str, Any]]:
    """The answer gold: ``{id, lang, question, expect, refuse}`` per line."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def off_question(question: str, sentence: str) -> str | None:
    """Why an answer sentence does not address the question, or None (see the module docstring)."""
    if META.search(sentence):
        return "meta"
    for family, pattern in FAMILIES.items():
        asked = set(pattern.findall(question))
        if not asked:
            continue
        named = set(pattern.findall(sentence))
        if named and not named & asked and not _related(family, asked, named):
            return f"{family}: asks {sorted(asked)}, says {sorted(named)}"
    return None


def _related(family: str, asked: set[str], named: set[str]) -> bool:
    """A parent or child label answers too: N2 for N2a/N2b, 4 subcategories for '4', T1 for T1c."""
    return any(a.startswith(n) or n.startswith(a) for a in asked for n in named)


def run(workspace: Workspace, gold: list[dict[str, Any]]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Answer every gold question (warm) and score it."""
    answer_question(workspace, "warm up: what is Lung-RADS 4A?")
    answer_question(workspace, "热身：TR4是什么？")
    records = []
    for item in gold:
        started = time.perf_counter()
        answer = answer_question(workspace, item["question"])
        elapsed = (time.perf_counter() - started) * 1000
        sentences = [parse_markers(s)[0] for s in split_sentences(answer.text)] if not answer.refused else []
        off = [(s, why) for s in sentences if (why := off_question(item["question"], s))]
        hit = (not item["refuse"] and not answer.refused
               and re.search(item["expect"], answer.text, re.I) is not None)
        records.append({"id": item["id"], "lang": item["lang"], "question": item["question"],
                        "refuse": item["refuse"], "refused": answer.refused, "hit": hit, "answer": answer.text,
                        "off_question": off, "sentences": len(sentences), "ms": round(elapsed, 1),
                        "quote_langs": sorted({c.source.document.language for c in answer.citations})})
    return summarise(records), records


def summarise(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Rates per language and overall."""
    summary: dict[str, Any] = {}
    for lang in ("en", "zh", "all"):
        rows = [r for r in records if lang == "all" or r["lang"] == lang]
        inscope = [r for r in rows if not r["refuse"]]
        outscope = [r for r in rows if r["refuse"]]
        answered = [r for r in rows if not r["refused"]]
        summary[lang] = {
            "in_scope": len(inscope),
            "fact_in_text": round(sum(r["hit"] for r in inscope) / max(len(inscope), 1), 3),
            "false_refusals": sum(r["refused"] for r in inscope),
            "out_of_scope": len(outscope),
            "refusal_accuracy": round(sum(r["refused"] for r in outscope) / max(len(outscope), 1), 3),
            "off_question_per_answer": round(sum(len(r["off_question"]) for r in answered) / max(len(answered), 1), 3),
            "answers_with_off_question": sum(bool(r["off_question"]) for r in answered),
        }
    times = sorted(r["ms"] for r in records)
    summary["latency_ms"] = {"p50": round(statistics.median(times), 1),
                             "p95": round(times[int(0.95 * (len(times) - 1))], 1)}
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--out", type=Path, help="write the summary and every answer as JSON here")
    parser.add_argument("--show", type=int, default=0, help="print this many answers (spread over the gold)")
    parser.add_argument("--misses", action="store_true", help="print every miss and off-question sentence")
    args = parser.parse_args()
    workspace = Workspace(Settings())
    try:
        summary, records = run(workspace, load_gold(args.gold))
    finally:
        workspace.close()
    print(json.dumps(summary, indent=1))
    if args.misses:
        for r in records:
            if (not r["refuse"] and not r["hit"]) or (r["refuse"] and not r["refused"]) or r["off_question"]:
                print(f"\n{r['id']} [{r['lang']}] {r['question']}\n  -> {r['answer'][:400]}")
                for s, why in r["off_question"]:
                    print(f"  OFF ({why}): {s[:160]}")
    if args.show:
        step = max(len(records) // args.show, 1)
        for r in records[::step][:args.show]:
            print(f"\n{r['id']} [{r['lang']}] {r['question']}\n  -> {r['answer']}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({"summary": summary, "answers": records}, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
