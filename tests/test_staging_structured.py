"""Structured staging: missing inputs that would not change the group, and clinical monotonicity.

- An extra input (age, histology, grade...) or a parent label (thyroid N0 = N0a or N0b) whose every
  value gives the same group is not asked for: the group is given, with a note saying why.
- Monotonicity (hypothesis, every site's own tables): at fixed N and M a larger T never lowers the
  stage group; at fixed T and M more N never lowers it; M1 never lowers it against M0.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.calculators.registry import find_calculator
from rag.calculators.staging import CALCULATORS
from rag.calculators.staging.group import leaves, resolve_stage
from rag.calculators.staging.table import StageTable


def _stage(system: str, tnm: str, findings: Mapping[str, Any] | None = None):  # type: ignore[no-untyped-def]
    return find_calculator(system).from_findings(dict(findings or {}), tnm)


# --- inputs that would not change the group -------------------------------------------------------

def test_differentiated_thyroid_t1_n0_m0_is_stage_i_at_any_age() -> None:
    res = _stage("AJCC8-thyroid", "T1 N0 M0", {"histology": "papillary"})
    assert res.result["stage"] == "I" and not res.missing
    assert any("without the age" in n and "every possible age" in n for n in res.notes), res.notes
    assert {"THYROID8.STAGE.DIFF.AGE_LT55.I", "THYROID8.STAGE.DIFF.AGE_GE55.I"} <= set(res.rule_ids)


def test_only_the_inputs_that_decide_are_missing() -> None:
    res = _stage("AJCC8-thyroid", "T1a N0a M0")  # differentiated I at any age, anaplastic IVA, medullary I
    assert "stage" not in res.result
    assert [m.split(":")[0] for m in res.missing] == ["histology"], res.missing
    res = _stage("AJCC8-thyroid", "T3a N0 M0", {"histology": "papillary"})  # <55 I, ≥55 II
    assert len(res.missing) == 1 and res.missing[0].startswith("age"), res.missing


def test_a_parent_label_whose_children_agree_is_not_missing() -> None:
    res = _stage("AJCC8-thyroid", "T3a N0 M0", {"histology": "papillary"})
    assert not any(m.startswith("N") for m in res.missing)  # N0a and N0b group alike
    res = _stage("AJCC8-lung", "T2 N0 M0")  # T2a IB, T2b IIA: T does decide
    assert any(m.startswith("T") for m in res.missing) and "stage" not in res.result
    assert _stage("AJCC8-lung", "T2 N1 M0").result["stage"] == "IIB"  # T2a and T2b both IIB


def test_the_anaplastic_table_never_asks_for_age() -> None:
    res = _stage("AJCC8-thyroid", "T2 N0 M0", {"histology": "anaplastic"})
    assert res.result["stage"] == "IVA" and not res.missing


# --- monotonicity -----------------------------------------------------------------------------

_ROMAN = {"0": 0, "I": 1, "II": 2, "III": 3, "IV": 4}


def _rank(stage: str) -> tuple[int, str, str]:
    """IIIA → (3, "A", ""); IA3 → (1, "A", "3"); 0a / 0is → (0, "", ""): the two stage-0 kinds are equal."""
    m = re.fullmatch(r"(0|IV|I{1,3})([A-C]?)(\d?)(?:a|is)?", stage)
    assert m, f"unknown stage label {stage!r}"
    return _ROMAN[m.group(1)], m.group(2), m.group(3)


def _ordered(table: StageTable, axis: str) -> list[str]:
    """The table's own leaf labels on an axis, least to most extensive (its listing order), X left out."""
    labels = {"T": table.t_categories, "N": table.n_categories, "M": table.m_categories}[axis]
    used = set(leaves(table, axis, None))
    return [x for x in labels if x in used and not x.endswith("X") and x not in ("T0", "Ta", "Tis")]


def _tables() -> list[tuple[str, str, StageTable]]:
    seen: dict[int, tuple[str, str, StageTable]] = {}
    for calc in CALCULATORS:
        for family, table in calc.spec.tables.items():
            seen.setdefault(id(table), (calc.system, family, table))
    return list(seen.values())


TABLES = _tables()
# Extra inputs fixed to one value per key so that only the axis under test moves.
EXTRAS: dict[str, list[Any]] = {"psa": [5, 15, 25], "grade_group": [1, 3, 5], "histology": ["papillary", "anaplastic",
                                "medullary", "squamous", "adenocarcinoma"], "grade": ["G1", "G3"], "age": [40, 70],
                                "location": ["upper", "lower"], "primary_site": ["stomach", "small intestine"],
                                "mitotic_rate": [2, 10]}


def _group(table: StageTable, t: str, n: str, m: str, extras: Mapping[str, Any]) -> str | None:
    return resolve_stage(table, t, n, m, extras).stage


@pytest.mark.parametrize(("system", "family", "table"), TABLES, ids=[f"{s}-{f}" for s, f, _ in TABLES])
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_more_extensive_disease_never_lowers_the_group(system: str, family: str, table: StageTable,
                                                       data: st.DataObject) -> None:
    extras = {k: data.draw(st.sampled_from(EXTRAS[k])) for k in table.extra_keys if k in EXTRAS}
    ts, ns, ms = (_ordered(table, a) for a in "TNM")
    t, n, m = data.draw(st.sampled_from(ts)), data.draw(st.sampled_from(ns)), data.draw(st.sampled_from(ms))
    base = _group(table, t, n, m, extras)
    if base is None:
        return
    for axis, order in (("T", ts), ("N", ns), ("M", ms)):
        current = {"T": t, "N": n, "M": m}[axis]
        for bigger in order[order.index(current) + 1:]:
            labels = {"T": t, "N": n, "M": m, axis: bigger}
            other = _group(table, labels["T"], labels["N"], labels["M"], extras)
            if other is not None:
                assert _rank(other) >= _rank(base), (system, family, extras, (t, n, m), labels, base, other)


def test_the_monotonicity_check_can_fail() -> None:
    assert _rank("IIIA") > _rank("IIB") > _rank("IIA") > _rank("IB") > _rank("IA3") > _rank("IA1") > _rank("0is")
    assert _rank("0a") == _rank("0is")


# --- lung nodal stations ------------------------------------------------------------------------

def _lung(system: str, text: str):  # type: ignore[no-untyped-def]
    return find_calculator(system).from_text(text)


@pytest.mark.parametrize("system", ["AJCC8-lung", "TNM9-lung"])
@pytest.mark.parametrize("station", ["5", "6"])
def test_stations_5_6_with_a_right_sided_tumour_are_reported_and_asked(system: str, station: str) -> None:
    res = _lung(system, f"Right upper lobe tumour 20 mm. Involved nodes: station {station} metastatic carcinoma. No distant metastasis.")
    p = system[:5].replace("AJCC8", "LUNG8").replace("TNM9-", "LUNG9")
    assert "N" not in res.result and "stage" not in res.result
    assert any(f"station {station}" in m for m in res.missing), res.missing
    assert f"{p}.STATION.5_6.RIGHT" in res.rule_ids
    assert any(f"Station {station}" in n for n in res.notes)


@pytest.mark.parametrize(("text", "n8", "row"), [
    ("Left upper lobe tumour 20 mm. Involved nodes: station 5 metastatic carcinoma.", "N2", "5_6.LEFT"),
    ("Right upper lobe tumour 20 mm. Involved nodes: station 5 and station 1 metastatic carcinoma.", "N3", "1"),
    ("Right upper lobe tumour 20 mm. Involved nodes: station 8L metastatic carcinoma.", "N3", "8_9.OPPOSITE"),
    ("Left lower lobe tumour 20 mm. Involved nodes: station 9L metastatic carcinoma.", "N2", "8_9.SAME"),
    ("Left lower lobe tumour 20 mm. Involved nodes: station 11R metastatic carcinoma.", "N3", "10_14.OPPOSITE"),
    ("Left lower lobe tumour 20 mm. Involved nodes: station 7 metastatic carcinoma.", "N2", "3_7"),
    ("Right lower lobe tumour 20 mm. Involved nodes: station 4L metastatic carcinoma.", "N3", "2_4.OPPOSITE"),
])
def test_every_station_n_cites_its_row(text: str, n8: str, row: str) -> None:
    res = _lung("AJCC8-lung", text)
    assert res.result.get("N") == n8 and f"LUNG8.STATION.{row}" in res.rule_ids, (res.result, res.rule_ids)


def test_every_station_number_a_reader_can_return_is_mapped() -> None:
    from rag.calculators.staging.lung_nodes import KNOWN_STATIONS

    assert {str(i) for i in range(1, 15)} | {"3a", "3p"} <= KNOWN_STATIONS
    res = _lung("AJCC8-lung", "Right upper lobe tumour 20 mm. Lymph nodes: station 3 (1/2) metastatic carcinoma.")
    assert res.result.get("N") in (None, "N2")


def test_station_5_without_the_tumour_side_asks_for_it() -> None:
    res = _lung("AJCC8-lung", "Tumour 20 mm. Involved nodes: station 6 metastatic carcinoma.")
    assert "N" not in res.result and any("side of the primary tumour" in m for m in res.missing)


def test_the_station_map_rows_are_all_in_the_corpus() -> None:
    from rag.calculators.rulebook import RuleBook
    from rag.calculators.staging.lung_nodes import STATION_ROWS

    book = RuleBook.from_corpus(Path(__file__).resolve().parent.parent / "corpora", 900)
    for prefix in ("LUNG8", "LUNG9"):
        for row in STATION_ROWS:
            citation = book.cite(row.rule_id(prefix))
            assert citation is not None, row.rule_id(prefix)
            assert (row.category or "not stated") in citation.quote, (row.rule_id(prefix), citation.quote)


# --- structured findings go to the rules directly; typed results ----------------------------------

def test_tnm_categories_given_as_findings_are_stated_categories() -> None:
    res = _stage("AJCC8-prostate", "", {"clinical_T": "cT1c (non-palpable, found on needle biopsy)",
                                        "PSA_ng_per_ml": 6.2, "gleason": "3+3", "N": "N0", "M": "M0"})
    assert (res.result["T"], res.result["N"], res.result["M"], res.result["prefix"], res.result.get("stage")) == \
        ("T1c", "N0", "M0", "c", "I")
    assert {"PROSTATE8.T.cT1c", "PROSTATE8.N.N0"} <= set(res.rule_ids)


def test_a_key_supplies_the_prefix_and_prose_values_still_reach_the_reader() -> None:
    res = _stage("AJCC8-colorectal", "", {"pathological_T": "T3", "pN": "N1a", "M": "M0"})
    assert (res.result["T"], res.result["N"], res.result.get("prefix"), res.result.get("stage")) == ("T3", "N1a", "p", "IIIB")
    res = _stage("AJCC8-colorectal", "", {"T": "T3", "N": "no lymph node metastasis (0/14)", "M": "M0"})
    assert res.result.get("N") == "N0" and res.result.get("stage") == "IIA", res.result


def test_a_category_given_twice_or_invalid_is_an_error() -> None:
    from rag.errors import InvalidInput

    with pytest.raises(InvalidInput, match="T twice"):
        _stage("AJCC8-prostate", "T2a", {"T": "T3a"})
    with pytest.raises(InvalidInput) as err:
        _stage("AJCC8-thyroid", "", {"T": "T1c", "N": "N0", "M": "M0"})
    assert "T1c is not a T category" in err.value.user_message() and "valid T categories" in err.value.user_message()


def test_stage_returns_a_typed_result_and_the_contract_json_at_the_boundary(tmp_path: Path) -> None:
    import json

    from rag.calculators.service import StageRequest, run_stage, stage
    from rag.config import Settings
    from rag.types import RuleCitation, StageResult

    settings_ = Settings(index_dir=tmp_path, corpora_dir=Path(__file__).resolve().parent.parent / "corpora")
    request = StageRequest("AJCC8-lung", tnm="T2a N1 M0")
    typed = stage(settings_, request)
    assert isinstance(typed, StageResult) and typed.stage == "IIB"
    assert typed.citations and all(isinstance(c, RuleCitation) for c in typed.citations)
    out = typed.as_contract()
    assert out == run_stage(settings_, request) == json.loads(json.dumps(out))
    assert list(out) == ["system", "edition", "result", "missing", "citations", "evidence", "discrepancies", "notes"]
    shown = stage(settings_, StageRequest("AJCC8-lung", tnm="T1a N1 M0")).as_contract()  # 9th differs: IIA
    assert shown["other_editions"]["TNM9-lung"]["stage"] == "IIA" and "uncited_rules" not in shown
    assert [c["n"] for c in out["citations"]] == list(range(1, len(out["citations"]) + 1))
    assert set(out["citations"][0]) == {"n", "rule_id", "chunk_id", "doc_id", "title", "edition", "version", "section", "page",
                                        "source", "quote"}


def test_a_stated_parent_category_is_refined_by_a_findings_descriptor() -> None:
    res = _stage("AJCC8-lung", "", {"T": "T2", "primary_greatest_dimension_mm": 35, "N": "N0", "M": "M0"})
    assert (res.result["T"], res.result.get("stage")) == ("T2a", "IB")
    res = _stage("AJCC8-lung", "", {"T": "T2", "N": "N0", "M": "M0"})  # no size: T2a or T2b decides IB / IIA
    assert res.result["T"] == "T2" and "stage" not in res.result and any(m.startswith("T") for m in res.missing)
