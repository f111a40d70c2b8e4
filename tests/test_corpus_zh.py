"""zh documents' stage grids are checked cell by cell against the calculator table they restate."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.config import Settings
from rag.corpus.lint.check import CODES, check_corpus
from rag.corpus.lint.grids import read_grids
from rag.corpus.lint.scan import FileScan, scan_file
from rag.corpus.lint.translations import NamedTable, calculator_tables, check_translations
from rag.corpus.parse import parse_file

ROOT = Path(__file__).resolve().parents[1]
ZH = ROOT / "corpora" / "zh"
STOMACH = ZH / "zh-ajcc8-stomach.md"
TABLES = calculator_tables()


def _scan(path: Path) -> FileScan:
    scan = scan_file(path, path.name)
    scan.meta = dict(parse_file(path).meta)
    return scan


def _write(tmp_path: Path, text: str, name: str = "zh-doc.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _stomach_cells() -> list[tuple[str, str, str]]:
    """(rule id, N column, cell) for every cell of the zh stomach grid."""
    [grid] = read_grids(_scan(STOMACH))
    return [(r.rule_id, n, cell) for r in grid.rows for n, cell in r.cells.items()]


def _replace_cell(text: str, rule_id: str, column: str, new: str) -> str:
    lines = text.splitlines(keepends=True)
    header = next(line for line in lines if line.startswith("| Rule | T |"))
    index = [c.strip() for c in header.strip().strip("|").split("|")].index(column)
    for i, line in enumerate(lines):
        cells = line.strip().strip("|").split("|")
        if cells[0].strip() == rule_id:
            cells[index] = f" {new} "
            lines[i] = "|" + "|".join(cells) + "|\n"
            return "".join(lines)
    raise AssertionError(rule_id)


def test_calculator_tables_include_every_stomach_table() -> None:
    names = {t.name for t in TABLES}
    assert {"AJCC8-stomach (p)", "AJCC8-stomach (c)", "AJCC8-stomach (yp)"} <= names


@pytest.mark.parametrize("path", sorted(ZH.glob("*.md")), ids=lambda p: p.name)
def test_bundled_zh_grids_agree_with_a_calculator_table(path: Path) -> None:
    assert check_translations([_scan(path)], TABLES) == []


def test_the_zh_stomach_grid_is_actually_compared() -> None:
    assert len(_stomach_cells()) == 25


@pytest.mark.parametrize(("rule_id", "column", "cell"), _stomach_cells())
def test_each_wrong_zh_stomach_cell_is_an_error(tmp_path: Path, rule_id: str, column: str, cell: str) -> None:
    text = _replace_cell(STOMACH.read_text(encoding="utf-8"), rule_id, column, "IV")
    problems = check_translations([_scan(_write(tmp_path, text))], TABLES)
    [problem] = problems
    assert problem.code == "zh-grid-mismatch" and problem.severity == "error"
    assert rule_id in problem.message and f" {column} M0 " in problem.message
    assert f"stage {cell} in the AJCC8-stomach (p) calculator table" in problem.message


def test_a_no_group_cell_where_the_table_has_a_group_is_an_error(tmp_path: Path) -> None:
    text = _replace_cell(STOMACH.read_text(encoding="utf-8"), "ZHSTOMACH8.STAGE.T3", "N0", "-")
    [problem] = check_translations([_scan(_write(tmp_path, text))], TABLES)
    assert "stage IIA" in problem.message


def test_a_grid_no_table_agrees_with_is_a_warning(tmp_path: Path) -> None:
    text = STOMACH.read_text(encoding="utf-8")
    for rule_id, column, _ in _stomach_cells():
        text = _replace_cell(text, rule_id, column, "IV")
    problems = check_translations([_scan(_write(tmp_path, text))], TABLES)
    assert [(p.severity, p.code) for p in problems] == [("warning", "zh-grid-unmatched")]


def test_english_documents_are_left_to_the_calculator_check(tmp_path: Path) -> None:
    text = _replace_cell(STOMACH.read_text(encoding="utf-8"), "ZHSTOMACH8.STAGE.T2", "N1", "IV")
    text = text.replace("language: zh", "language: en").replace("doc_id: zh-ajcc8-stomach", "doc_id: x")
    assert check_translations([_scan(_write(tmp_path, text))], TABLES) == []


def test_no_tables_no_check(tmp_path: Path) -> None:
    text = _replace_cell(STOMACH.read_text(encoding="utf-8"), "ZHSTOMACH8.STAGE.T2", "N1", "IV")
    assert check_translations([_scan(_write(tmp_path, text))], list[NamedTable]()) == []


def test_rag_corpus_check_reports_the_mismatch(tmp_path: Path) -> None:
    text = _replace_cell(STOMACH.read_text(encoding="utf-8"), "ZHSTOMACH8.STAGE.T4b", "N3a", "IIIB")
    _write(tmp_path, text, STOMACH.name)
    errors = [p for p in check_corpus(tmp_path, Settings(corpora_dir=tmp_path)) if p.severity == "error"]
    assert [p.code for p in errors] == ["zh-grid-mismatch"]
    assert "stage IIIC" in errors[0].message
    assert {"zh-grid-mismatch", "zh-grid-unmatched"} <= set(CODES)
