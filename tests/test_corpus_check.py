"""``rag corpus check``: the bundled corpus passes, and each kind of defect is caught.

Bad corpora are written to tmp folders from one small valid document, changed one defect at a
time, so each test proves that one check fires (and the valid base proves it does not fire on
correct content).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from rag.calculators.rulebook import RuleBook
from rag.config import Settings
from rag.corpus.lint.check import CODES, KNOWN_SYSTEMS, Problem, check_corpus
from rag.corpus.lint.scan import scan_file

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT / "corpora"
CALC_CODES = {"calc-undefined-rule", "calc-mismatch", "calc-missing-cell"}

FRONT = """---
doc_id: {doc_id}
title: "Test site staging — AJCC 8th edition"
system: {system}
edition: "AJCC 8th edition"
effective_date: 2018-01-01
source: "AJCC Cancer Staging Manual, 8th edition (Springer, 2017)"
language: en
license: CC-BY-4.0
rule_prefix: {prefix}
---
"""

BODY = """
# Test site staging

Short introduction.

## Primary tumour (T)

### T1 [{p}.T.T1]
T1: tumour of 2 cm or less.

### T2 [{p}.T.T2]
T2: tumour larger than 2 cm.

## Regional lymph nodes (N)

### N0 [{p}.N.N0]
N0: no regional node metastasis.

### N1 [{p}.N.N1]
N1: regional node metastasis.

## Stage groups

### Stage grid, M0

| Rule | T | N0 | N1 |
|---|---|---|---|
| {p}.STAGE.T1 | T1 | I | III |
| {p}.STAGE.T2 | T2 | II | III |

### Stage IV [{p}.STAGE.M1]
Any T, any N, M1 is stage IV.
"""


def _doc(prefix: str = "TESTA", doc_id: str = "test-a", system: str = "AJCC8-general") -> str:
    return FRONT.format(doc_id=doc_id, system=system, prefix=prefix) + BODY.format(p=prefix)


def _check(tmp_path: Path, *docs: str) -> list[Problem]:
    for i, text in enumerate(docs):
        (tmp_path / f"doc{i}.md").write_text(text, encoding="utf-8")
    return check_corpus(tmp_path, Settings(corpora_dir=tmp_path))


def _codes(problems: list[Problem], severity: str = "error") -> set[str]:
    return {p.code for p in problems if p.severity == severity}


# --- the bundled corpus --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def bundled() -> list[Problem]:
    return check_corpus(CORPORA, Settings())


def test_bundled_corpus_has_no_structural_errors(bundled: list[Problem]) -> None:
    errors = [p.line() for p in bundled if p.severity == "error" and p.code not in CALC_CODES]
    assert errors == []


def test_bundled_corpus_agrees_with_calculators(bundled: list[Problem]) -> None:
    errors = [p.line() for p in bundled if p.code in CALC_CODES]
    assert errors == []


def test_checker_sees_exactly_the_rule_ids_the_chunker_indexes() -> None:
    """A definition the validator counts must be one the rule book can cite, and vice versa."""
    scanned = {d.rule_id for p in sorted(CORPORA.rglob("*.md")) for d in scan_file(p, p.name).definitions}
    assert scanned == set(RuleBook.from_corpus(CORPORA, Settings().chunk_chars).rule_ids())


def test_known_systems_match_the_format_document() -> None:
    text = (ROOT / "docs" / "CORPUS_FORMAT.md").read_text(encoding="utf-8")
    section = text.split("System ids:", 1)[1].split("##", 1)[0]
    assert set(re.findall(r"`([^`]+)`", section)) == KNOWN_SYSTEMS


def test_every_bundled_system_is_known() -> None:
    for path in CORPORA.rglob("*.md"):
        system = re.search(r"^system:\s*(\S+)", path.read_text(encoding="utf-8"), re.M)
        assert system and system.group(1) in KNOWN_SYSTEMS, path


# --- a valid crafted corpus ------------------------------------------------------------------------
def test_valid_crafted_document_passes(tmp_path: Path) -> None:
    assert _check(tmp_path, _doc()) == []


def test_meta_note_in_front_matter_passes(tmp_path: Path) -> None:
    """The corpus note moves to front matter, where it is neither indexed nor quoted."""
    doc = _doc().replace("rule_prefix: TESTA\n", "rule_prefix: TESTA\nnote: \"Summary in the project's own words.\"\n")
    assert _check(tmp_path, doc) == []


def test_problem_renders_line_and_dict(tmp_path: Path) -> None:
    problems = _check(tmp_path, _doc().replace("system: AJCC8-general", "system: AJCC9-nowhere"))
    [problem] = problems
    assert problem.line() == f"doc0.md:4: error unknown-system: {problem.message}"
    assert problem.as_dict() == {"file": "doc0.md", "line": 4, "severity": "error", "code": "unknown-system",
                                 "message": problem.message}
    assert "unknown-system" in CODES


# --- one defect at a time ------------------------------------------------------------------------
DEFECTS: list[tuple[str, str, str, str]] = [
    # (test id, text to replace in the valid document, replacement, expected error code)
    ("missing title", 'title: "Test site staging — AJCC 8th edition"\n', "", "missing-field"),
    ("missing license", "license: CC-BY-4.0\n", "", "missing-field"),
    ("empty source", 'source: "AJCC Cancer Staging Manual, 8th edition (Springer, 2017)"', "source: ''",
     "missing-field"),
    ("missing rule_prefix", "rule_prefix: TESTA\n", "", "missing-field"),
    ("bad date", "effective_date: 2018-01-01", "effective_date: January 2018", "bad-date"),
    ("source without year", "(Springer, 2017)", "(Springer)", "source-year"),
    ("bad language", "language: en", "language: english", "bad-language"),
    ("unknown system", "system: AJCC8-general", "system: AJCC8-spleen", "unknown-system"),
    ("doc id not a slug", "doc_id: test-a", "doc_id: Test A", "bad-doc-id"),
    ("bad prefix", "rule_prefix: TESTA", "rule_prefix: test-a", "bad-prefix"),
    ("meta sentence in prose", "Short introduction.", "Summary in the project's own words. Short introduction.",
     "meta-sentence"),
    ("meta sentence in Chinese", "Short introduction.", "本文用项目自己的话概述分期要点。", "meta-sentence"),
    ("malformed heading id", "[TESTA.T.T2]", "[TESTA.T.T 2x]", "malformed-rule-id"),
    ("lower-case id", "[TESTA.N.N1]", "[testa.N.N1]", "malformed-rule-id"),
    ("malformed row id", "| TESTA.STAGE.T2 |", "| TESTA..STAGE.T2 |", "malformed-rule-id"),
    ("wrong prefix", "[TESTA.STAGE.M1]", "[OTHER.STAGE.M1]", "wrong-prefix"),
    ("duplicate in file", "[TESTA.T.T2]", "[TESTA.T.T1]", "duplicate-rule-id"),
    ("ragged table", "| TESTA.STAGE.T2 | T2 | II | III |", "| TESTA.STAGE.T2 | T2 | II | III | IV |",
     "ragged-table"),
    ("short row", "| TESTA.STAGE.T2 | T2 | II | III |", "| TESTA.STAGE.T2 | T2 | II |", "ragged-table"),
    ("no separator", "|---|---|---|---|\n", "", "table-no-separator"),
    ("empty grid cell", "| TESTA.STAGE.T2 | T2 | II | III |", "| TESTA.STAGE.T2 | T2 |  | III |",
     "grid-empty-cell"),
    ("grid row without rule", "| TESTA.STAGE.T2 | T2 |", "|  | T2 |", "grid-row-without-rule"),
    ("T missing from grid", "| TESTA.STAGE.T2 | T2 | II | III |\n", "", "grid-missing-t"),
    ("undefined T in grid", "| TESTA.STAGE.T2 | T2 |", "| TESTA.STAGE.T2 | T2, T3 |", "grid-unknown-t"),
    ("not a T label", "| TESTA.STAGE.T2 | T2 |", "| TESTA.STAGE.T2 | tumour two |", "grid-bad-t"),
    ("undefined N column", "| Rule | T | N0 | N1 |", "| Rule | T | N0 | N2 |", "grid-unknown-n"),
    ("not a stage", "| T2 | II | III |", "| T2 | II | 3rd |", "grid-bad-cell"),
    ("empty section", "## Stage groups\n", "## Stage groups\n\n### Notes\n\n## Stage grid\n", "empty-section"),
    ("empty last section", "Any T, any N, M1 is stage IV.\n", "Any T, any N, M1 is stage IV.\n\n## Notes\n",
     "empty-section"),
]


@pytest.mark.parametrize(("old", "new", "code"), [d[1:] for d in DEFECTS], ids=[d[0] for d in DEFECTS])
def test_each_defect_is_an_error(tmp_path: Path, old: str, new: str, code: str) -> None:
    text = _doc()
    assert old in text
    problems = _check(tmp_path, text.replace(old, new, 1))
    assert code in _codes(problems), [p.line() for p in problems]


def test_no_front_matter(tmp_path: Path) -> None:
    assert "no-front-matter" in _codes(_check(tmp_path, BODY.format(p="TESTA")))


def test_unparseable_yaml_is_unreadable(tmp_path: Path) -> None:
    text = _doc().replace("title: ", "title: [unclosed ", 1)
    assert _codes(_check(tmp_path, text)) == {"unreadable"}


def test_zh_doc_id_needs_prefix(tmp_path: Path) -> None:
    text = _doc().replace("language: en", "language: zh")
    assert "bad-doc-id" in _codes(_check(tmp_path, text))


def test_duplicate_rule_id_across_files(tmp_path: Path) -> None:
    problems = _check(tmp_path, _doc(), _doc(doc_id="test-b"))
    dupes = [p for p in problems if p.code == "duplicate-rule-id"]
    assert dupes and all(p.file == "doc1.md" and "doc0.md:" in p.message for p in dupes)


def test_duplicate_doc_id(tmp_path: Path) -> None:
    problems = _check(tmp_path, _doc(), _doc(prefix="TESTB"))
    assert _codes(problems) == {"duplicate-doc-id"}


def test_grid_with_label_lists_and_no_group_cells_passes(tmp_path: Path) -> None:
    """Formats the corpus uses: several T labels in one cell, '-' for no group, '*' change marks."""
    text = _doc().replace("### T2 [TESTA.T.T2]", "### T1a [TESTA.T.T1a]\nT1a: small.\n\n### T2 [TESTA.T.T2]")
    text = text.replace("| TESTA.STAGE.T1 | T1 | I | III |", "| TESTA.STAGE.T1 | T1, T1a | I* | - |")
    assert _check(tmp_path, text) == []


def test_warnings_do_not_fail(tmp_path: Path) -> None:
    long_text = "A sentence about staging that goes on. " * 50
    text = _doc().replace("T1: tumour of 2 cm or less.", f"T1: tumour of 2 cm or less. {long_text} See TESTA.T.T9.")
    problems = _check(tmp_path, text)
    assert _codes(problems) == set()
    assert _codes(problems, "warning") == {"section-too-long", "unknown-reference"}


def test_cli_reports_and_exits_nonzero(tmp_path: Path) -> None:
    (tmp_path / "bad.md").write_text(_doc().replace("system: AJCC8-general", "system: nope"), encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "rag", "corpus", "check", str(tmp_path), "--json"],
                         capture_output=True, text=True, cwd=ROOT, check=False)
    assert run.returncode == 1, run.stderr
    payload = json.loads(run.stdout)
    assert payload["ok"] is False
    assert [p["code"] for p in payload["problems"]] == ["unknown-system"]


# --- consistency with the calculators --------------------------------------------------------------
LUNG = CORPORA / "staging" / "ajcc8-lung.md"


def test_lung_grid_agrees_with_calculator(tmp_path: Path) -> None:
    (tmp_path / "lung.md").write_text(LUNG.read_text(encoding="utf-8"), encoding="utf-8")
    assert check_corpus(tmp_path, Settings()) == []


@pytest.mark.parametrize(("old", "new", "code"), [
    ("| LUNG8.STAGE.T2b | T2b | IIA | IIB |", "| LUNG8.STAGE.T2b | T2b | IIB | IIB |", "calc-mismatch"),
    ("| LUNG8.STAGE.T3 | T3 | IIB | IIIA | IIIB | IIIC |", "| LUNG8.STAGE.T3 | T3 | IIB | IIIA | IIIB | - |",
     "calc-mismatch"),
    ("### M1c: stage IVB [LUNG8.STAGE.M1c]\nAny T and any N with M1c (several extrathoracic metastases in one or "
     "more organs) is stage IVB.", "### M1c [LUNG8.STAGE.M1c]\nSeveral extrathoracic metastases.", "calc-mismatch"),
    ("### M1b: stage IVA [LUNG8.STAGE.M1b]", "### M1b: stage IVA [LUNG8.RULE.M1b]", "calc-undefined-rule"),
], ids=["grid cell", "grid no-group", "heading rule", "undefined"])
def test_lung_calculator_disagreement_is_an_error(tmp_path: Path, old: str, new: str, code: str) -> None:
    text = LUNG.read_text(encoding="utf-8")
    assert old in text
    (tmp_path / "lung.md").write_text(text.replace(old, new), encoding="utf-8")
    assert code in _codes(check_corpus(tmp_path, Settings()))


def test_grid_cell_no_calculator_reaches_is_an_error(tmp_path: Path) -> None:
    text = LUNG.read_text(encoding="utf-8").replace(
        "| LUNG8.STAGE.T4 | T4 | IIIA | IIIA | IIIB | IIIC |",
        "| LUNG8.STAGE.T4 | T4 | IIIA | IIIA | IIIB | IIIC |\n| LUNG8.STAGE.T5 | T4 | IIIA | IIIA | IIIB | IIIC |")
    (tmp_path / "lung.md").write_text(text, encoding="utf-8")
    assert "calc-missing-cell" in _codes(check_corpus(tmp_path, Settings()))
