"""Corpus → code coverage: every ``.RULE.`` id in corpora/ is cited by a calculator path or listed as
informational (rag/calculators/rule_coverage.py) with a reason; a new uncovered rule fails here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rag.calculators.registry import find_calculator
from rag.calculators.rule_coverage import INFORMATIONAL
from rag.calculators.rulebook import RuleBook
from rag.calculators.staging.context_rules import CONTEXT_RULES, ContextRule

REPO = Path(__file__).resolve().parent.parent
ID_LITERAL = re.compile(r"""(["'])(?P<id>[A-Z][A-Z0-9]*\d?(?:\.[A-Za-z0-9_+-]+)*\.RULE\.[A-Za-z0-9_.+-]*[A-Za-z0-9_+-])\1""")
ID_FSTRING = re.compile(r"""\bf(["'])\{\w+\}(?P<rest>\.RULE\.[A-Za-z0-9_.+-]+)\1""")
PREFIX_LITERAL = re.compile(r"""(["'])(?P<p>[A-Z][A-Z0-9]*\d?)\1""")


@pytest.fixture(scope="module")
def corpus_rules() -> set[str]:
    book = RuleBook.from_corpus(REPO / "corpora", 900)
    return {r for r in book.rule_ids() if ".RULE." in r}


def cited_in_code(root: Path = REPO / "rag" / "calculators") -> set[str]:
    """``.RULE.`` ids a calculator path names: literals, ``f"{p}.RULE.X"`` with the file's prefixes, context rules."""
    out: set[str] = {c.rule_id for c in CONTEXT_RULES}
    for path in root.rglob("*.py"):
        if path.name == "rule_coverage.py":
            continue
        source = path.read_text(encoding="utf-8")
        out.update(m.group("id") for m in ID_LITERAL.finditer(source))
        prefixes = {m.group("p") for m in PREFIX_LITERAL.finditer(source)}
        for m in ID_FSTRING.finditer(source):
            out.update(p + m.group("rest") for p in prefixes)
    return out


def uncovered(rules: set[str], cited: set[str], informational: dict[str, str]) -> list[str]:
    return sorted(r for r in rules if r not in cited and r not in informational)


def test_every_corpus_rule_is_cited_or_informational(corpus_rules: set[str]) -> None:
    assert len(corpus_rules) > 100
    missing = uncovered(corpus_rules, cited_in_code(), INFORMATIONAL)
    assert not missing, ("corpus rules no calculator cites and rag/calculators/rule_coverage.py does not list: "
                         + ", ".join(missing))


def test_a_new_uncovered_rule_is_caught(corpus_rules: set[str]) -> None:
    assert uncovered(corpus_rules | {"LUNG8.RULE.SOMETHING_NEW"}, cited_in_code(), INFORMATIONAL) == ["LUNG8.RULE.SOMETHING_NEW"]


def test_the_informational_list_is_exact(corpus_rules: set[str]) -> None:
    """No stale entries (every listed id exists), none also cited, and every entry gives a reason."""
    assert set(INFORMATIONAL) <= corpus_rules, sorted(set(INFORMATIONAL) - corpus_rules)
    assert not set(INFORMATIONAL) & cited_in_code(), sorted(set(INFORMATIONAL) & cited_in_code())
    assert all(len(reason) > 20 for reason in INFORMATIONAL.values())


@pytest.mark.parametrize("rule", CONTEXT_RULES, ids=[c.rule_id for c in CONTEXT_RULES])
def test_each_context_rule_is_cited_by_its_example(rule: ContextRule, corpus_rules: set[str]) -> None:
    assert rule.rule_id in corpus_rules
    calc = find_calculator(rule.example_system or rule.system)
    res = (calc.from_text(rule.example_tnm) if rule.example_is_text
           else calc.from_findings(dict(rule.example_findings), rule.example_tnm))
    assert rule.rule_id in res.rule_ids, (rule.rule_id, res.result, res.rule_ids)
