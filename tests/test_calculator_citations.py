"""Every rule id a TNM calculator can cite is defined in the corpus, and states that rule.

Calculators cite rule ids; ``rag stage`` resolves them to corpus chunks (``rag/calculators/rulebook.py``). An
id the corpus does not define is silently dropped into ``uncited_rules``, and an id whose row
says another stage misleads the reader who opens it. So:

(a) every id reachable from the calculators — each stage-table row, each T/N/M definition for
    every accepted label and prefix, every id written in the code — resolves in the rule book;
(b) every stage-table row agrees with the corpus row it cites: the grid cell in the column of
    each N category the row covers, or the long-form row's Stage, T, N, M and condition cells;
(c) ``run_stage`` over the sample cases and a few hundred generated inputs never reports
    ``uncited_rules``.
"""

from __future__ import annotations

import itertools
import json
import random
import re
from collections.abc import Iterator
from typing import Any

import pytest

from rag.calculators.rulebook import RuleBook
from rag.calculators.service import StageRequest, run_stage
from rag.calculators.staging import CALCULATORS
from rag.calculators.staging.calculator import TnmCalculator
from rag.calculators.staging.group import _child_of
from rag.calculators.staging.site import SiteSpec
from rag.calculators.staging.table import Condition, StageRow, StageTable
from rag.config import Settings
from rag.errors import InvalidInput
from tests.conftest import REPO, SHARED

SAMPLE_CASES = SHARED / "cases" / "sample_cases.jsonl"
PREFIXES = ("", "c", "p", "yp", "yc", "r", "a")
ID_LITERAL = re.compile(r"""(?<![\w{])(["'])(?P<id>[A-Z][A-Z0-9]*\d\.[A-Za-z0-9_.+-]*[A-Za-z0-9_+-])\1""")
ID_FSTRING = re.compile(r"""\bf(["'])\{\w+\}(?P<rest>\.(?:RULE|GRADE|PSA|LOCATION)[A-Za-z0-9_.+-]*)\1""")
PREFIX_LITERAL = re.compile(r"""(["'])(?P<p>[A-Z][A-Z0-9]*\d)\1""")


@pytest.fixture(scope="module")
def book() -> RuleBook:
    return RuleBook.from_corpus(REPO / "corpora", 900)


SPECS: list[SiteSpec] = list({id(c.spec): c.spec for c in CALCULATORS}.values())


def _tables(spec: SiteSpec) -> list[tuple[str, StageTable]]:
    return [(family, table) for family, table in spec.tables.items()]


# --- (a) every id resolves ---------------------------------------------------------------------

def _table_ids() -> list[tuple[str, str]]:
    return sorted({(spec.system, r.rule_id) for spec in SPECS for _, t in _tables(spec) for r in t.rows})


def _definition_ids() -> list[tuple[str, str]]:
    """(system, id) for each accepted label under each prefix, as the calculator would cite it."""
    out: set[tuple[str, str]] = set()
    for spec in SPECS:
        for prefix in PREFIXES:
            for axis in "TNM":
                labels = spec.categories(axis) if not prefix else {
                    "T": spec.table_for(prefix).t_categories, "N": spec.table_for(prefix).n_categories,
                    "M": spec.table_for(prefix).m_categories}[axis]
                out.update((spec.system, spec.definition_id(axis, label, prefix)) for label in labels)
        if spec.missing_extra_rule:
            out.add((spec.system, spec.missing_extra_rule))
    return sorted(out)


def _code_ids() -> list[tuple[str, str]]:
    """Ids written in the staging code: literals, and ``f"{p}.RULE.X"`` for the file's prefixes."""
    known = {spec.rule_prefix for spec in SPECS} | {"TNM8"}
    out: set[tuple[str, str]] = set()
    for path in sorted((REPO / "rag" / "calculators" / "staging").rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        name = str(path.relative_to(REPO))
        for m in ID_LITERAL.finditer(source):
            if m.group("id").split(".")[0] in known:
                out.add((name, m.group("id")))
        prefixes = {m.group("p") for m in PREFIX_LITERAL.finditer(source)} & known
        for m in ID_FSTRING.finditer(source):
            out.update((name, p + m.group("rest")) for p in prefixes)
    return sorted(out)


def test_the_enumerations_are_not_empty() -> None:
    # Guards the three lists below against a refactor that silently empties them.
    assert len(_table_ids()) > 200 and len(_definition_ids()) > 300 and len(_code_ids()) > 20
    assert any(rule.endswith(".RULE.PART_SOLID") for _, rule in _code_ids())


@pytest.mark.parametrize(("system", "rule_id"), _table_ids())
def test_every_stage_row_id_is_defined(book: RuleBook, system: str, rule_id: str) -> None:
    assert book.cite(rule_id) is not None, f"{system}: {rule_id} is not defined in corpora/"


@pytest.mark.parametrize(("system", "rule_id"), _definition_ids())
def test_every_category_definition_id_is_defined(book: RuleBook, system: str, rule_id: str) -> None:
    assert book.cite(rule_id) is not None, f"{system}: {rule_id} is not defined in corpora/"


@pytest.mark.parametrize(("source", "rule_id"), _code_ids())
def test_every_rule_id_named_in_code_is_defined(book: RuleBook, source: str, rule_id: str) -> None:
    assert book.cite(rule_id) is not None, f"{source}: {rule_id} is not defined in corpora/"


def test_definitions_use_the_corpus_spelling() -> None:
    spec = {s.system: s for s in SPECS}
    assert spec["AJCC8-breast"].definition_id("N", "N0(i+)", "p") == "BREAST8.PN.N0i+"
    assert spec["AJCC8-breast"].definition_id("N", "N2a", "c") == "BREAST8.CN.N2a"
    assert spec["AJCC8-breast"].definition_id("M", "M0(i+)", "") == "BREAST8.M.M0i+"
    assert spec["AJCC8-prostate"].definition_id("T", "T3b", "p") == "PROSTATE8.T.pT3b"
    assert spec["AJCC8-prostate"].definition_id("T", "T2a", "") == "PROSTATE8.T.cT2a"
    assert spec["AJCC8-prostate"].definition_id("T", "T4", "p") == "PROSTATE8.T.T4"
    assert spec["AJCC8-cervix"].definition_id("N", "N0(i+)", "p") == "CERVIX8.N.N0i+"


# --- (b) each row states the same stage ----------------------------------------------------------

# Columns the corpus maps by a note rather than by name: cervix NX uses the N0 column.
COLUMN_NOTES = {("CERVIX8", "NX"): "N0"}
CONDITION_COLUMNS = {"grade": "grade", "location": "location", "mitotic rate": "mitotic_rate",
                     "age": "age", "psa": "psa", "grade group": "grade_group"}
LABEL_LIST = re.compile(r"^[TNM][A-Za-z0-9()+]*(?:\s*,\s*[TNM][A-Za-z0-9()+]*)*$")


def _cells(rule_id: str, text: str) -> dict[str, str] | None:
    """The corpus table row defining ``rule_id`` as header → cell, or None for a heading rule."""
    header: list[str] | None = None
    for line in text.splitlines():
        if not line.lstrip().startswith("|"):
            continue
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if cells and cells[0].lower() == "rule":
            header = [c.lower() for c in cells]
        elif cells and cells[0] == rule_id:
            assert header is not None and len(header) == len(cells), f"{rule_id}: row without a header"
            return dict(zip(header, cells, strict=True))
    return None


def _columns(spec: SiteSpec, n: str, header: list[str]) -> list[str]:
    """The grid columns an N label falls in: its own, a documented alias, or its parent
    (N1a → N1). NX has no column: a row covering it must say the same in every N column."""
    label = n.lower()
    if label in header:
        return [label]
    if (spec.rule_prefix, n) in COLUMN_NOTES:
        return [COLUMN_NOTES[(spec.rule_prefix, n)].lower()]
    if n == "NX":
        return [h for h in header if h.startswith("n")]
    parents = [h for h in header if h.startswith("n") and label.startswith(h)]
    assert parents, f"{spec.rule_prefix}: no column for {n} in {header}"
    return [max(parents, key=len)]


def _labels(cell: str) -> set[str] | None:
    """A T/N/M cell listing labels as a set; None for "any" or a range ("cT1a–c", "T1–2")."""
    if LABEL_LIST.match(cell):
        return {x.strip() for x in cell.split(",")}
    return None


def _condition_text(conditions: list[Condition]) -> str:
    """Conditions on one key written the corpus's way: "G1, GX", "<55", "≥10 and <20", "3 or 4"."""
    parts = []
    for c in conditions:
        if c.op in ("in", "=="):
            values = c.value if c.op == "in" else (c.value,)
            parts.append(", ".join(str(v) for v in values))
        else:
            parts.append({"<": "<", "<=": "≤", ">": ">", ">=": "≥"}[c.op] + f"{c.value:g}")
    return " and ".join(parts)


def _normal(text: str) -> str:
    text = text.lower().replace(" or ", ", ").replace(" ", "")
    if m := re.fullmatch(r"(\d)to(\d)", text):
        text = ",".join(str(i) for i in range(int(m.group(1)), int(m.group(2)) + 1))
    return ",".join(sorted(text.split(","))) if "," in text else text


def _rows() -> Iterator[tuple[SiteSpec, StageTable, StageRow]]:
    for spec in SPECS:
        for _, table in _tables(spec):
            for r in table.rows:
                yield spec, table, r


ROWS = list(_rows())


@pytest.mark.parametrize(("spec", "table", "row"), ROWS,
                         ids=[f"{r.rule_id}-{r.stage}-{'/'.join(sorted(r.n))[:30]}" for _, _, r in ROWS])
def test_every_row_states_the_same_group(book: RuleBook, spec: SiteSpec, table: StageTable, row: StageRow) -> None:
    citation = book.cite(row.rule_id)
    assert citation is not None
    cells = _cells(row.rule_id, citation.chunk.text)
    if cells is None:  # a heading rule ("Stage IVB: any M1"): its text names the group and the M
        assert re.search(rf"(?<![A-Za-z0-9]){re.escape(row.stage)}(?![A-Za-z0-9])", citation.chunk.text,
                         re.I), f"{row.rule_id} does not state stage {row.stage}"
        return
    header = list(cells)
    if "stage" in cells:  # long form: one row per rule, with its conditions
        assert cells["stage"] == row.stage, f"{row.rule_id}: corpus {cells['stage']}, calculator {row.stage}"
        for axis in "tnm":
            listed = _labels(cells[axis])
            if listed is not None:  # the same labels, a parent standing for its children (M1: M1a-c)
                mine = set(getattr(row, axis))
                assert all(x in listed or any(_child_of(p, x) for p in listed) for x in mine) and \
                    all(p in mine or any(_child_of(p, x) for x in mine) for p in listed), \
                    f"{row.rule_id}: {axis.upper()} corpus {cells[axis]}, calculator {sorted(mine)}"
        for column, key in CONDITION_COLUMNS.items():
            if column not in cells:
                continue
            mine = [c for c in row.when if c.key == key]
            if cells[column].lower() == "any":
                assert not mine, f"{row.rule_id}: corpus says any {column}, calculator {mine}"
            else:
                assert _normal(_condition_text(mine)) == _normal(cells[column]), \
                    f"{row.rule_id}: {column} corpus {cells[column]!r}, calculator {_condition_text(mine)!r}"
        return
    # grid: T row, one column per N category, all M0
    assert all(m.startswith("M0") for m in row.m), f"{row.rule_id}: grid rows are M0"
    listed = _labels(cells["t"]) or {cells["t"]}
    assert all(t in listed or any(_child_of(x, t) or t.startswith(x) for x in listed) for t in row.t), \
        f"{row.rule_id}: covers {sorted(row.t)}, corpus row is {cells['t']}"
    for n in row.n:
        for column in _columns(spec, n, header):
            assert cells[column] == row.stage, f"{row.rule_id} {n}: corpus {cells[column]}, calculator {row.stage}"


def test_row_check_catches_a_wrong_cell(book: RuleBook) -> None:
    """The check above can fail: a made-up row with a wrong stage is caught."""
    citation = book.cite("LUNG8.STAGE.T2a")
    assert citation is not None
    cells = _cells("LUNG8.STAGE.T2a", citation.chunk.text)
    assert cells is not None and cells["n0"] == "IB" and cells["n2"] == "IIIA"
    assert _normal(_condition_text([Condition("grade", "in", ("GX", "G1"))])) == _normal("G1, GX")
    assert _normal(_condition_text([Condition("psa", ">=", 10), Condition("psa", "<", 20)])) == _normal("≥10 and <20")
    assert _normal("1 to 4") == _normal(_condition_text([Condition("grade_group", "in", (1, 2, 3, 4))]))


# --- (c) run_stage never leaves a rule uncited ------------------------------------------------------

@pytest.fixture(scope="module")
def corpus_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    # An empty index dir, so the rule book comes from this branch's corpora/ (not a built index).
    return Settings(index_dir=tmp_path_factory.mktemp("index"), corpora_dir=REPO / "corpora")


def _tnm_systems() -> set[str]:
    return {c.system for c in CALCULATORS}


def _sample_requests() -> list[tuple[str, StageRequest]]:
    if not SAMPLE_CASES.exists():
        return []
    out = []
    for line in SAMPLE_CASES.read_text(encoding="utf-8").splitlines():
        case = json.loads(line) if line.strip() else None
        if not case or case["system"] not in _tnm_systems():
            continue
        data = case["input"]
        request = (StageRequest(case["system"], text=data) if isinstance(data, str)
                   else StageRequest(case["system"], findings=data))
        out.append((case["id"], request))
    return out


EXTRAS: dict[str, list[Any]] = {
    "psa": [3.0, 10, 15.5, 20, 40], "grade_group": [1, 2, 3, 4, 5],
    "histology": ["squamous", "adenocarcinoma", "papillary", "medullary", "anaplastic"],
    "grade": ["G1", "G2", "G3", "GX"], "location": ["upper", "middle", "lower", "X"],
    "age": [40, 55, 70], "primary_site": ["stomach", "small intestine"], "mitotic_rate": [3, 12],
}
PHRASES = [
    "tumour {size} cm in greatest dimension", "{pos}/{tot} lymph nodes positive", "no lymph node metastasis",
    "invades the muscularis propria", "extends into pericolic fat", "visceral pleural invasion",
    "extraprostatic extension", "seminal vesicle invasion", "liver metastasis", "bone metastases",
    "pleural effusion positive for carcinoma", "Gleason 4+3=7", "PSA {psa} ng/mL", "micrometastasis 1.5 mm",
    "isolated tumour cells in one sentinel node", "ulceration of the overlying skin", "no distant metastasis",
    "separate nodule in the same lobe", "station 4L and 7 positive", "lymphovascular invasion present",
    "stromal invasion 4 mm deep", "parametrial involvement", "para-aortic lymph node metastasis",
    "invades adventitia", "invades subserosa", "strap muscle invasion", "aged {age} years",
    "mitotic rate 8 per 5 mm2", "tumour invades perinephric fat", "carcinoma in situ", "multiple tumours",
]


def _generated(n: int, seed: int = 20250601) -> list[tuple[str, StageRequest]]:
    """Seeded TNM strings with extras, and report-like texts built from phrases, for every site."""
    rnd = random.Random(seed)
    calcs: list[TnmCalculator] = list(CALCULATORS)
    out: list[tuple[str, StageRequest]] = []
    for i in range(n):
        calc = calcs[i % len(calcs)]
        spec = calc.spec
        if i % 2 == 0:
            prefix = rnd.choice(PREFIXES)
            table = spec.table_for(prefix)
            parts = [rnd.choice(table.t_categories), rnd.choice(table.n_categories), rnd.choice(table.m_categories)]
            findings: dict[str, Any] = {k: rnd.choice(EXTRAS[k]) for k in spec.extra_keys
                                        if k in EXTRAS and rnd.random() < 0.8}
            if prefix:
                findings["prefix"] = prefix
            tnm = " ".join(p for p in parts if rnd.random() < 0.9) or parts[0]
            out.append((f"{spec.system} {tnm} {findings}", StageRequest(spec.system, tnm=tnm, findings=findings)))
        else:
            picks = rnd.sample(PHRASES, rnd.randint(1, 5))
            stated = rnd.choice(["", f"p{rnd.choice(spec.categories('T'))} ", f"y{rnd.choice(['p', 'c'])}"
                                 f"{rnd.choice(spec.categories('T'))} {rnd.choice(spec.categories('N'))} "])
            text = stated + ". ".join(p.format(size=rnd.choice([0.4, 1, 2.0, 3.1, 4.5, 6, 11]),
                                               pos=(pos := rnd.randint(0, 12)), tot=pos + rnd.randint(0, 15),
                                               psa=rnd.choice([4, 12, 25]), age=rnd.choice([38, 55, 71]))
                                      for p in picks)
            out.append((f"{spec.system} {text}", StageRequest(spec.system, text=text)))
    return out


CASES = _sample_requests() + _generated(400)


def test_the_sample_cases_are_included() -> None:
    assert SAMPLE_CASES.exists(), f"{SAMPLE_CASES} is missing: the shared sample cases must sit beside the repo"
    assert len(_sample_requests()) >= 10


@pytest.mark.parametrize(("name", "request_"), CASES, ids=[name[:60] for name, _ in CASES])
def test_run_stage_cites_every_rule(corpus_settings: Settings, name: str, request_: StageRequest) -> None:
    try:
        out = run_stage(corpus_settings, request_)
    except InvalidInput:
        return  # rejected input (e.g. a label the edition lacks): nothing cited, nothing to check
    assert "uncited_rules" not in out, out.get("uncited_rules")
    assert all(c["quote"] and c["rule_id"] for c in out["citations"])


def test_generated_inputs_reach_most_rules(corpus_settings: Settings) -> None:
    """The generated inputs are not all rejected: most produce citations, many a stage."""
    outs = []
    for _, request_ in CASES:
        try:
            outs.append(run_stage(corpus_settings, request_))
        except InvalidInput:
            continue
    assert len(outs) > 0.7 * len(CASES)
    assert sum(bool(o["citations"]) for o in outs) > 0.7 * len(outs)
    assert sum("stage" in o["result"] for o in outs) > 0.2 * len(outs)


def test_enumeration_of_labels_covers_every_combination() -> None:
    # (a) lists definitions for each prefix; make sure it includes both prostate schemes.
    ids = {rule for _, rule in _definition_ids()}
    assert {"PROSTATE8.T.cT2a", "PROSTATE8.T.pT2", "BREAST8.CN.N2a", "BREAST8.PN.N2a"} <= ids
    assert not any("(" in rule for rule in ids)
    assert len(list(itertools.islice(_rows(), 5))) == 5
