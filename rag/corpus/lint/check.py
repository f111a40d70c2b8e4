"""``rag corpus check``: validate corpus files before they are ingested or cited.

Why a validator: citations point at rule ids, the calculators cite the same ids, and the rule book
maps each id to the one passage that defines it. A duplicate id, a ragged table or an empty cell in
a stage grid does not fail loudly anywhere else; it makes a citation open the wrong text. Each check
has a stable ``code`` (listed in ``CODES``) so tests and CI can assert on it.

Errors break a rule of docs/CORPUS_FORMAT.md; warnings are advice (long sections embed poorly,
a prose mention of an undefined rule id is probably a typo).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

from rag.corpus.lint.calculators import calculator_rows, check_calculators
from rag.corpus.lint.grids import check_stage_tables
from rag.corpus.lint.scan import RULE_ID_RE, FileScan, Problem, scan_file
from rag.corpus.lint.translations import calculator_tables, check_translations
from rag.corpus.parse import MARKDOWN_SUFFIXES, META_SENTENCE_RE, parse_file
from rag.errors import IngestError

__all__ = ["CODES", "KNOWN_SYSTEMS", "META_SENTENCE_RE", "REQUIRED_FIELDS", "Problem", "check_corpus"]

# docs/CORPUS_FORMAT.md, "System ids" (a test keeps the two in step).
KNOWN_SYSTEMS = frozenset({
    "AJCC8-lung", "TNM9-lung", "AJCC8-breast", "AJCC8-colorectal", "AJCC8-prostate", "AJCC8-stomach",
    "AJCC8-esophagus", "AJCC8-pancreas", "AJCC8-liver", "AJCC8-thyroid", "AJCC8-kidney", "AJCC8-bladder",
    "AJCC8-cervix", "AJCC8-general", "AJCC8-gist", "AJCC8-soft-tissue", "AJCC8-mesothelioma",
    "AJCC8-thymus", "Lung-RADS-v2022", "ACR-TI-RADS", "BI-RADS", "LI-RADS-v2018", "PI-RADS-v2.1",
    "WHO-CNS5", "WHO-NET2019", "glossary",
})
REQUIRED_FIELDS = ("doc_id", "title", "system", "edition", "effective_date", "source", "language", "license",
                   "rule_prefix")
LANGUAGES = ("en", "zh")
MAX_SECTION_CHARS = 1500  # prose per heading; MiniLM reads ~900 characters of a chunk

CODES: dict[str, str] = {
    "unreadable": "the file cannot be parsed (encoding, YAML, empty)",
    "no-front-matter": "the file has no YAML front matter",
    "missing-field": "a required front-matter field is missing or empty",
    "bad-date": "effective_date is not an ISO date (YYYY-MM-DD)",
    "source-year": "source does not name a publication year",
    "bad-language": "language is not en or zh",
    "unknown-system": "system is not a known system id",
    "bad-doc-id": "doc_id is not a slug, or a zh document's doc_id does not start with zh-",
    "duplicate-doc-id": "two files share a doc_id",
    "bad-prefix": "rule_prefix is not upper-case letters and digits",
    "malformed-rule-id": "a rule id does not match PREFIX.PART[.PART...]",
    "wrong-prefix": "a rule id does not start with the file's rule_prefix",
    "duplicate-rule-id": "a rule id is defined more than once",
    "table-no-separator": "a table has no |---| separator under its header",
    "ragged-table": "a table row has a different number of cells from its header",
    "empty-section": "a heading has neither text nor sub-headings",
    "grid-row-without-rule": "a stage-grid row has no rule id",
    "table-row-without-rule": "a row of a Rule table has no rule id",
    "grid-empty-cell": "a stage-grid cell is empty",
    "grid-bad-cell": "a stage-grid cell is not a stage group or '-'",
    "grid-bad-t": "a stage-grid T cell holds something other than T labels",
    "grid-unknown-t": "a stage-grid row lists a T category the file does not define",
    "grid-unknown-n": "a stage-grid column is an N category the file does not define",
    "grid-missing-t": "a defined T category reaches no stage group (no grid row, no STAGE rule)",
    "stage-table-empty-cell": "a long-form stage table has an empty cell",
    "stage-table-columns": "a long-form stage table lacks its N or M column",
    "calc-undefined-rule": "a calculator stage row cites a rule id the corpus does not define",
    "calc-mismatch": "a calculator stage row disagrees with the corpus text for its rule id",
    "calc-missing-cell": "a corpus grid cell is reached by no calculator row with its rule id",
    "zh-grid-mismatch": "a zh document's grid cell disagrees with the calculator table the grid restates",
    "meta-sentence": "chunk text holds a note about the corpus itself ('in the project's own words'); move it to front matter `note:`",
    "section-too-long": "(warning) a section's prose exceeds ~1,500 characters",
    "unknown-reference": "(warning) prose mentions a rule id that no file defines",
    "calculators-unavailable": "(warning) the calculators could not be loaded for the consistency check",
    "zh-grid-unmatched": "(warning) a zh document's grid matches no calculator table, so it is not checked",
}

_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9\-_.]*$")
_YEAR_RE = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")
_PREFIX_RE = re.compile(r"^[A-Z][A-Z0-9]*$")
_REFERENCE_RE = re.compile(r"(?<![\w.\[])([A-Z][A-Z0-9]*(?:\.[A-Za-z0-9_+-]+)+)")


def check_corpus(path: Path, settings: object | None = None) -> list[Problem]:
    """Every problem found in the Markdown files under ``path`` (or in the one file ``path``).

    ``settings`` is accepted for the CLI's uniform call; no setting changes what is checked.
    Problems come sorted by file and line; errors are what ``rag corpus check`` fails on.
    """
    path = Path(path)
    if not path.exists():
        return [Problem(str(path), 1, "error", "unreadable", "no such file or folder")]
    files = [path] if path.is_file() else sorted(
        p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in MARKDOWN_SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(path).parts))
    base = path if path.is_dir() else path.parent
    problems: list[Problem] = []
    scans: list[FileScan] = []
    for file in files:
        name = str(file.relative_to(base)) if path.is_dir() else file.name
        try:
            parsed = parse_file(file)
        except IngestError as exc:
            problems.append(Problem(name, 1, "error", "unreadable", exc.user_message()))
            continue
        scan = scan_file(file, name)
        scan.meta = dict(parsed.meta)
        scans.append(scan)
        problems.extend(_check_front_matter(scan))
        problems.extend(_check_structure(scan))
        problems.extend(check_stage_tables(scan))
    problems.extend(_check_across(scans))
    if any(s.definitions for s in scans):
        rows, why = calculator_rows()
        if why:
            problems.append(Problem(str(path), 1, "warning", "calculators-unavailable", why))
        problems.extend(check_calculators(scans, rows))
        problems.extend(check_translations(scans, calculator_tables()))
    return sorted(problems, key=lambda p: (p.file, p.lineno, p.code, p.message))


def _check_front_matter(scan: FileScan) -> list[Problem]:
    if not scan.has_front_matter:
        return [Problem(scan.name, 1, "error", "no-front-matter",
                        "no YAML front matter; start the file with --- and the fields of docs/CORPUS_FORMAT.md")]
    out = []

    def err(key: str, code: str, message: str) -> None:
        out.append(Problem(scan.name, scan.field_line(key), "error", code, message))

    meta = scan.meta
    for key in REQUIRED_FIELDS:
        if key not in scan.field_lines or not str(meta.get(key) or "").strip():
            err(key, "missing-field", f"front matter lacks {key!r}")
    date = str(meta.get("effective_date") or "").strip()
    if date and "effective_date" in scan.field_lines:
        try:
            dt.date.fromisoformat(date[:10])
            valid = len(date) == 10
        except ValueError:
            valid = False
        if not valid:
            err("effective_date", "bad-date", f"effective_date {date!r} is not an ISO date (YYYY-MM-DD)")
    source = str(meta.get("source") or "")
    if source.strip() and not _YEAR_RE.search(source):
        err("source", "source-year", "source names no publication year (e.g. '(Springer, 2017)')")
    language = str(meta.get("language") or "")
    if language and language not in LANGUAGES:
        err("language", "bad-language", f"language {language!r} is not one of {', '.join(LANGUAGES)}")
    system = str(meta.get("system") or "")
    if system and system not in KNOWN_SYSTEMS:
        err("system", "unknown-system", f"system {system!r} is not a known system id "
                                        "(docs/CORPUS_FORMAT.md lists them)")
    doc_id = str(meta.get("doc_id") or "")
    if doc_id and not _SLUG_RE.match(doc_id):
        err("doc_id", "bad-doc-id", f"doc_id {doc_id!r} is not a lower-case slug")
    elif doc_id and language == "zh" and not doc_id.startswith("zh-"):
        err("doc_id", "bad-doc-id", f"doc_id {doc_id!r} of a zh document must start with 'zh-'")
    prefix = str(meta.get("rule_prefix") or "")
    if prefix and not _PREFIX_RE.match(prefix):
        err("rule_prefix", "bad-prefix", f"rule_prefix {prefix!r} is not upper-case letters and digits")
    return out


def _check_structure(scan: FileScan) -> list[Problem]:
    out = []

    def add(line: int, code: str, message: str, severity: str = "error") -> None:
        out.append(Problem(scan.name, line, severity, code, message))

    prefix = str(scan.meta.get("rule_prefix") or "")
    for line, attempt in scan.id_attempts:
        if not RULE_ID_RE.match(attempt):
            add(line, "malformed-rule-id", f"{attempt!r} is not a well-formed rule id (PREFIX.PART[.PART...], "
                                           "parts of letters, digits, _ + -)")
        elif prefix and attempt.split(".")[0] != prefix:
            add(line, "wrong-prefix", f"{attempt} does not start with this file's rule_prefix {prefix}")
    for line, text in scan.prose:
        if META_SENTENCE_RE.search(text):
            add(line, "meta-sentence", "a note about the corpus itself would be indexed and quoted as an answer; "
                                       "move it to the front matter's `note:` field")
    for table in scan.tables:
        if not table.has_separator:
            add(table.line, "table-no-separator", "table header is not followed by a |---| separator row")
        for row in table.ragged():
            add(row.line, "ragged-table", f"row has {len(row.cells)} cells; the header has {table.width}")
    headings = scan.headings
    for i, heading in enumerate(headings):
        following = headings[i + 1] if i + 1 < len(headings) else None
        has_children = following is not None and following.level > heading.level
        if heading.text_lines == 0 and not has_children:
            add(heading.line, "empty-section", f"heading {heading.title!r} has no text and no sub-headings")
        if heading.prose_chars > MAX_SECTION_CHARS:
            add(heading.line, "section-too-long",
                f"section {heading.title!r} has {heading.prose_chars} characters of prose; keep it under "
                f"~{MAX_SECTION_CHARS} (split it into ### rules)", "warning")
    return out


def _check_across(scans: list[FileScan]) -> list[Problem]:
    out = []
    doc_ids = Counter(str(s.meta.get("doc_id") or "") for s in scans)
    for scan in scans:
        doc_id = str(scan.meta.get("doc_id") or "")
        if doc_id and doc_ids[doc_id] > 1:
            others = [s.name for s in scans if s is not scan and str(s.meta.get("doc_id") or "") == doc_id]
            out.append(Problem(scan.name, scan.field_line("doc_id"), "error", "duplicate-doc-id",
                               f"doc_id {doc_id!r} is also used by {', '.join(others)}"))
    first: dict[str, tuple[FileScan, int]] = {}
    for scan in scans:
        for d in scan.definitions:
            if d.rule_id in first:
                other, line = first[d.rule_id]
                out.append(Problem(scan.name, d.line, "error", "duplicate-rule-id",
                                   f"{d.rule_id} is already defined at {other.name}:{line}"))
            else:
                first[d.rule_id] = (scan, d.line)
    prefixes = {str(s.meta.get("rule_prefix") or "") for s in scans} - {""}
    for scan in scans:
        for line, text in scan.prose:
            for match in _REFERENCE_RE.finditer(text):
                ref = match.group(1).rstrip(".")
                if ref.split(".")[0] in prefixes and ref not in first:
                    out.append(Problem(scan.name, line, "warning", "unknown-reference",
                                       f"mentions {ref}, which no file defines"))
    return out
