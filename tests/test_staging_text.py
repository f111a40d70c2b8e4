"""Free text: stated TNM, negation, Chinese, evidence spans, report audit, sample cases, fuzzing."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.calculators.registry import find_calculator
from rag.calculators.staging import CALCULATORS
from rag.calculators.staging.calculator import render_findings
from rag.calculators.staging.tnm_string import parse_tnm, scan_tnm
from rag.errors import InvalidInput
from tests.conftest import SHARED, require_shared

CASES = SHARED / "cases" / "sample_cases.jsonl"
OURS = {"AJCC8-lung", "TNM9-lung", "AJCC8-breast", "AJCC8-colorectal", "AJCC8-prostate"}


@pytest.mark.parametrize("text,labels", [
    ("pT2a N1 M0", [("T", "T2a", "p"), ("N", "N1", ""), ("M", "M0", "")]),
    ("ypT1c(m) pN1mi cM0", [("T", "T1c", "yp"), ("N", "N1mi", "p"), ("M", "M0", "c")]),
    ("T2aN1M0", [("T", "T2a", ""), ("N", "N1", ""), ("M", "M0", "")]),
    ("pT1 pN0(i+)(sn) M0", [("T", "T1", "p"), ("N", "N0", "p"), ("M", "M0", "")]),
])
def test_parse_tnm(text: str, labels: list[tuple[str, str, str]]) -> None:
    assert [(p.axis, p.label, p.prefix) for p in parse_tnm(text)] == labels


def test_parse_tnm_modifiers_and_errors() -> None:
    parts = parse_tnm("ypT1c(m) pN0(i+)(sn) M0")
    assert parts[0].modifiers == ("m",) and parts[1].modifiers == ("i+", "sn")
    for bad in ("T2 N1 banana", "", "T2 T3"):
        with pytest.raises(InvalidInput):
            parse_tnm(bad)


def test_scan_handles_ocr_and_ignores_words() -> None:
    groups = scan_tnm("Stage: pT3 pNO (0/25) MX. NO CARCINOMA in T2 slide.")
    labels = [(p.axis, p.label) for g in groups for p in g]
    assert ("T", "T3") in labels and ("N", "N0") in labels
    assert ("T", "T2") not in labels


@pytest.mark.parametrize("text,present", [
    ("Visceral pleural invasion present.", True), ("No visceral pleural invasion.", False),
    ("Visceral pleural invasion: not identified.", False),
    ("Negative for visceral pleural invasion.", False), ("Without visceral pleural invasion.", False),
    ("Visceral pleural invasion: PL2.", True)])
def test_negation(text: str, present: bool) -> None:
    res = find_calculator("AJCC8-lung").from_text("Tumour 25 mm. " + text)
    assert (res.result["T"] == "T2a") is present


def test_evidence_spans_point_at_the_substring() -> None:
    text = "Right upper lobe adenocarcinoma, tumour size 4.5 x 3.2 x 2.0 cm, invades the chest wall. 0/12 nodes."
    res = find_calculator("AJCC8-lung").from_text(text)
    assert res.result["T"] == "T3" and res.result["N"] == "N0"
    for ev in res.evidence:
        assert text[ev.start:ev.end] == ev.text
    assert any(ev.text == "chest wall" for ev in res.evidence)


def test_chinese_lung() -> None:
    text = "右肺上叶腺癌，肿瘤最大径3.5厘米，脏层胸膜侵犯，纵隔淋巴结转移，无远处转移。"
    res = find_calculator("AJCC8-lung").from_text(text)
    assert res.result["T"] == "T2a" and res.result["N"] == "N2" and res.result["M"] == "M0"
    assert res.result["stage"] == "IIIA"
    for ev in res.evidence:
        assert text[ev.start:ev.end] == ev.text
    res = find_calculator("AJCC8-lung").from_text("肿瘤最大径2.0厘米，未见脏层胸膜侵犯，淋巴结未见转移。")
    assert res.result["T"] == "T1b" and res.result["N"] == "N0"


def test_audit_stated_category_wins_and_is_flagged() -> None:
    text = "Tumour size 5.5 cm. Pathologic stage: pT2a pN0."
    res = find_calculator("AJCC8-lung").from_text(text)
    assert res.result["T"] == "T2a"
    (d,) = res.discrepancies
    assert d.field == "T" and d.stated == "T2a" and d.derived == "T3" and d.rule_id == "LUNG8.T.T3"
    assert text[d.stated_evidence.start:d.stated_evidence.end] == "pT2a"
    assert d.derived_evidence[0].text == "5.5 cm"


def test_stated_parent_refined_by_descriptors() -> None:
    res = find_calculator("AJCC8-lung").from_text("Tumour size 3.5 cm. pT2 pN0 M0.")
    assert res.result["T"] == "T2a" and res.result["stage"] == "IB" and not res.discrepancies


def test_stated_stage_audit() -> None:
    res = find_calculator("AJCC8-lung").from_text("pT1b N1 M0, stage IIA.")
    assert any(d.field == "stage" and d.stated == "IIA" and d.derived == "IIB" for d in res.discrepancies)


def test_edition_notes_for_2025_and_ninth() -> None:
    res = find_calculator("AJCC8-lung").from_text("Date of diagnosis: 2025-03-02. T1b N1 M0.")
    assert res.result["stage"] == "IIB"
    assert res.other_editions["TNM9-lung"]["stage"] == "IIA"
    assert any("2025" in n for n in res.notes)
    res = find_calculator("lung").from_text("Stage per 9th edition: T2a N0 M0.")
    assert any("9th" in n for n in res.notes)


def test_key_value_rendering_is_read() -> None:
    findings = {"primary_greatest_dimension_mm": 30, "visceral_pleural_invasion": "PL2",
                "regional_nodes": "none involved", "distant_metastasis": "none"}
    res = find_calculator("AJCC8-lung").from_findings(findings)
    assert (res.result["T"], res.result["N"], res.result["M"], res.result["stage"]) == ("T2a", "N0", "M0", "IB")
    assert "primary greatest dimension: 30 mm" in render_findings(findings)


def test_findings_validation() -> None:
    calc = find_calculator("AJCC8-prostate")
    with pytest.raises(InvalidInput):
        calc.from_findings({"grade_group": 7}, tnm="cT1c N0 M0")
    with pytest.raises(InvalidInput):
        calc.from_findings({"psa": "high"}, tnm="cT1c N0 M0")
    with pytest.raises(InvalidInput):
        calc.from_findings({}, tnm=None)


def _norm(v: object) -> str:
    s = str(v).strip().lower()
    s = re.sub(r"^(c|p|yp|yc|r|a)(?=[tnm]\d|[tnm]is|[tnm]x|t1mi)", "", s)
    return re.sub(r"[\s,_]+", " ", s).strip()


def _as_text(inp: object) -> str:  # the rendering contract_check.py uses
    if isinstance(inp, str):
        return inp
    assert isinstance(inp, dict)
    return render_findings(inp)


# Without the shared file, one placeholder case fails (CI) or skips (elsewhere) instead of an empty parameter set.
_SAMPLES = ([json.loads(line) for line in CASES.read_text().splitlines() if line.strip()] if CASES.exists()
            else [{"id": "shared-file-missing", "system": "AJCC8-lung"}])


@pytest.mark.parametrize("case", [c for c in _SAMPLES if c["system"] in OURS], ids=lambda c: c["id"])
def test_sample_cases(case: dict) -> None:
    require_shared(CASES)
    res = find_calculator(case["system"]).from_text(_as_text(case["input"]))
    for key, gold in case["gold"].items():
        accepted = {_norm(x) for x in [gold, *case.get("accept", {}).get(key, [])]}
        assert _norm(res.result.get(key, "")) in accepted, (key, res.result)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("pTNM0123abcisx()+/. :;,mmcm厘米无转移 noinvasion7R4L")), max_size=120))
def test_from_text_never_crashes(text: str) -> None:
    for calc in CALCULATORS:
        try:
            calc.from_text(text)
        except InvalidInput:
            pass


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_from_text_never_crashes_on_any_unicode(text: str) -> None:
    for calc in CALCULATORS:
        try:
            calc.from_text(text)
        except InvalidInput:
            pass


def test_registry_aliases() -> None:
    for name in ("lung", "AJCC8 lung", "nsclc", "TNM8-lung", "UICC8-lung"):
        assert find_calculator(name).system == "AJCC8-lung"
    assert find_calculator("tnm9-lung").system == "TNM9-lung"
    assert find_calculator("breast").system == "AJCC8-breast"


def test_organ_word_before_tumour_word_still_names_the_tumour_size() -> None:
    from rag.calculators.registry import find_calculator

    result = find_calculator("AJCC8-lung").from_text("4.5 cm lung tumour with visceral pleural invasion")
    assert result.result["T"] == "T2b"  # size decides over the T2 feature (DOMAIN §12.4)


@pytest.mark.parametrize(("system", "text", "expected"), [
    ("AJCC8-stomach", "Tumour invades the subserosa. Distant Metastasis (pM): Not applicable. Lymph nodes 0/16.", None),
    ("AJCC8-pancreas", "Lymph node #8: metastatic adenocarcinoma (1/1). DISTANT METASTASIS (pM) : Not applicable.", None),
    ("AJCC8-liver", "Solitary tumour, 3 cm. LYMPH NODE METASTASES?: No. DISTANT METASTASES?: Unknown.", None),
    ("AJCC8-stomach", "Tumour invades the subserosa. Distant metastasis: present (liver biopsy).", "M1"),
    ("AJCC8-stomach", "Tumour invades the subserosa. Distant metastasis: none.", "M0"),
])
def test_a_distant_metastasis_form_field_is_read_by_its_value(system: str, text: str, expected: str | None) -> None:
    """A form label ("DISTANT METASTASIS (pM): Not applicable") asserts nothing; only its value can."""
    from rag.calculators.registry import find_calculator

    result = find_calculator(system).from_text(text).result
    assert result.get("M") == expected
