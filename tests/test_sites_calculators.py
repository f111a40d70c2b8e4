"""The nine further sites end to end through the generic TnmCalculator: text, findings, TNM."""

from __future__ import annotations

import re
from typing import Any

import pytest

from rag.calculators.registry import _normalise
from rag.calculators.staging.calculator import TnmCalculator
from rag.calculators.staging.sites import CALCULATORS, SITES
from rag.errors import InvalidInput

SYSTEMS = ("AJCC8-stomach", "AJCC8-esophagus", "AJCC8-pancreas", "AJCC8-liver", "AJCC8-thyroid",
           "AJCC8-kidney", "AJCC8-bladder", "AJCC8-cervix", "AJCC8-gist")
RULE_ID = re.compile(r"^[A-Z][A-Z0-9]*(\.[A-Za-z0-9_+()-]+)+$")


def calc(system: str) -> TnmCalculator:
    wanted = _normalise(system)
    for c in CALCULATORS:
        if wanted in {_normalise(n) for n in (c.system, *c.aliases)}:
            return c
    raise AssertionError(f"{system} not registered")


def test_every_system_is_registered_once() -> None:
    assert tuple(c.system for c in CALCULATORS) == SYSTEMS
    names = [{_normalise(n) for n in (c.system, *c.aliases)} for c in CALCULATORS]
    assert all(not (a & b) for i, a in enumerate(names) for b in names[i + 1:])


def test_thyroid_stage_i_needs_no_age_when_both_age_groups_agree() -> None:
    res = calc("AJCC8-thyroid").from_findings({"histology": "papillary"}, "T2 N0 M0")
    assert res.result["stage"] == "I"


@pytest.mark.parametrize(("alias", "system"), [("gastric", "AJCC8-stomach"), ("oesophagus", "AJCC8-esophagus"),
                                               ("HCC", "AJCC8-liver"), ("RCC", "AJCC8-kidney"),
                                               ("urothelial", "AJCC8-bladder"), ("FIGO-cervix", "AJCC8-cervix"),
                                               ("GIST", "AJCC8-gist"), ("papillary thyroid", "AJCC8-thyroid")])
def test_aliases(alias: str, system: str) -> None:
    assert calc(alias).system == system


@pytest.mark.parametrize("spec", SITES, ids=lambda s: s.system)
def test_every_cited_stage_rule_id_is_well_formed(spec: Any) -> None:
    for table in spec.tables.values():
        for r in table.rows:
            assert RULE_ID.match(r.rule_id) and r.rule_id.startswith(spec.rule_prefix + ".STAGE.")


TNM_CASES = [
    ("AJCC8-stomach", {"prefix": "p"}, "T4a N3b M0", "IIIC"),
    ("AJCC8-stomach", {"prefix": "c"}, "T2 N1 M0", "IIA"),
    ("AJCC8-stomach", {"prefix": "yp"}, "T2 N1 M0", "II"),
    ("AJCC8-esophagus", {"histology": "squamous", "grade": "G1", "location": "upper", "prefix": "p"},
     "T3 N0 M0", "IIA"),
    ("AJCC8-esophagus", {"histology": "adenocarcinoma", "grade": "G3", "prefix": "p"}, "T1b N0 M0", "IC"),
    ("AJCC8-esophagus", {"histology": "adenocarcinoma", "prefix": "c"}, "T3 N1 M0", "III"),
    ("AJCC8-esophagus", {"histology": "squamous", "prefix": "yp"}, "T4a NX M0", "IVA"),
    ("AJCC8-pancreas", {}, "pT1c N1 M0", "IIB"),
    ("AJCC8-liver", {}, "T1b N0 M0", "IB"),
    ("AJCC8-thyroid", {"histology": "papillary", "age": 40}, "T4b N1b M0", "I"),
    ("AJCC8-thyroid", {"histology": "papillary", "age": 70}, "T3b N0 M0", "II"),
    ("AJCC8-thyroid", {"histology": "anaplastic"}, "T3a N0 M0", "IVA"),
    ("AJCC8-thyroid", {"histology": "medullary"}, "T2 N1a M0", "III"),
    ("AJCC8-kidney", {}, "T3a N0 M0", "III"),
    ("AJCC8-bladder", {}, "T2b N0 M0", "II"),
    ("AJCC8-bladder", {}, "T1 N0 M1b", "IVB"),
    ("AJCC8-cervix", {}, "T1b2 N0 M0", "IB2"),
    ("AJCC8-cervix", {}, "T2b N1 M0", "IIIC1"),
    ("AJCC8-gist", {"primary_site": "stomach", "mitotic_rate": "high"}, "T3 N0 M0", "IIIA"),
    ("AJCC8-gist", {"location": "small intestine", "mitotic_rate": 3}, "T4 N0 M0", "IIIA"),
]


@pytest.mark.parametrize(("system", "findings", "tnm", "stage"), TNM_CASES)
def test_tnm_with_findings(system: str, findings: dict[str, Any], tnm: str, stage: str) -> None:
    res = calc(system).from_findings(findings, tnm)
    assert res.result["stage"] == stage
    assert any(r.startswith(res.result and calc(system).spec.rule_prefix + ".STAGE.") for r in res.rule_ids)


@pytest.mark.parametrize(("system", "findings", "tnm", "missing_word"), [
    ("AJCC8-esophagus", {"histology": "squamous", "prefix": "p"}, "T2 N0 M0", "grade"),
    ("AJCC8-thyroid", {"histology": "papillary"}, "T3a N0 M0", "age"),
    ("AJCC8-gist", {"primary_site": "stomach"}, "T2 N0 M0", "mitotic"),
])
def test_missing_extra_input_is_named(system: str, findings: dict[str, Any], tnm: str, missing_word: str) -> None:
    res = calc(system).from_findings(findings, tnm)
    assert "stage" not in res.result
    assert any(missing_word in m for m in res.missing)


@pytest.mark.parametrize(("system", "tnm"), [("AJCC8-kidney", "T2c N0 M0"), ("AJCC8-pancreas", "T1d N0 M0"),
                                             ("AJCC8-liver", "T2a N0 M0")])
def test_invented_labels_are_rejected(system: str, tnm: str) -> None:
    with pytest.raises(InvalidInput):
        calc(system).from_findings({}, tnm)


TEXT_CASES = [
    ("AJCC8-stomach", "Total gastrectomy. Adenocarcinoma invades the subserosal connective tissue without "
     "invasion of the visceral peritoneum. Lymph nodes: 4/16 positive for metastasis.", "T3", "N2"),
    ("AJCC8-esophagus", "Esophagectomy: moderately differentiated squamous cell carcinoma of the mid "
     "esophagus, tumor invades the adventitia. Twelve lymph nodes, negative (0/12).", "T3", "N0"),
    ("AJCC8-pancreas", "Whipple resection: ductal adenocarcinoma, tumor size 3.5 cm. Metastatic carcinoma in "
     "5 of 18 lymph nodes.", "T2", "N2"),
    ("AJCC8-liver", "Partial hepatectomy. Tumor number: one. Tumor size: 3.0 cm. Microvessel invasion: present.",
     "T2", None),
    ("AJCC8-liver", "Partial hepatectomy. Tumor number: one. Tumor size: 3.0 cm. Microvessel invasion: No.",
     "T1b", None),
    ("AJCC8-kidney", "Nephrectomy: clear cell renal cell carcinoma, tumor size 5.2 cm, limited to the kidney. "
     "Renal vein invasion: Not identified. Perinephric fat invasion: absent.", "T1b", None),
    ("AJCC8-kidney", "Nephrectomy: clear cell renal cell carcinoma, tumor size 5.2 cm; the tumor invades the "
     "renal sinus fat.", "T3a", None),
    ("AJCC8-kidney", "Nephrectomy: tumor size 3.0 cm, pushing into the perinephric fat without invasion.",
     "T1a", None),
    ("AJCC8-bladder", "Cystectomy: urothelial carcinoma extending into deep muscularis propria and approaching "
     "but not involving perivesical soft tissue. Metastatic carcinoma in one of seven lymph nodes (1/7).",
     "T2b", "N1"),
    ("AJCC8-thyroid", "Thyroidectomy: papillary thyroid carcinoma, tumor size 2.5 cm, minimal extrathyroidal "
     "extension. Central compartment lymph nodes: 3/5 positive. Age: 60.", "T2", "N1a"),
    ("AJCC8-cervix", "Radical hysterectomy: squamous cell carcinoma, depth of invasion 4 mm. Pelvic lymph "
     "nodes negative for carcinoma (0/20).", "T1a2", "N0"),
    ("AJCC8-gist", "Partial gastrectomy: gastrointestinal stromal tumor of the stomach, tumor size 6 cm, "
     "mitotic rate 8/5 mm2.", "T3", None),
]


@pytest.mark.parametrize(("system", "text", "t", "n"), TEXT_CASES)
def test_text(system: str, text: str, t: str, n: str | None) -> None:
    res = calc(system).from_text(text)
    assert res.result.get("T") == t
    if n is not None:
        assert res.result.get("N") == n
    assert all(text[e.start:e.end] == e.text for e in res.evidence)


@pytest.mark.parametrize(("system", "text", "stage"), [
    ("AJCC8-esophagus", "Esophagectomy: moderately differentiated squamous cell carcinoma of the mid esophagus, "
     "tumor invades the adventitia. Twelve lymph nodes, negative (0/12). pM0.", "IIB"),
    ("AJCC8-thyroid", "Thyroidectomy: papillary thyroid carcinoma, tumor size 2.5 cm. Central compartment "
     "lymph nodes: 3/5 positive. Age: 60. cM0.", "II"),
    ("AJCC8-gist", "Partial gastrectomy: gastrointestinal stromal tumor of the stomach, tumor size 6 cm, "
     "mitotic rate 8/5 mm2. 0/3 lymph nodes. cM0.", "IIIA"),
    ("AJCC8-cervix", "Radical hysterectomy: squamous cell carcinoma, depth of invasion 4 mm. Pelvic lymph "
     "nodes negative for carcinoma (0/20). cM0.", "IA2"),
])
def test_text_stage_with_extra_inputs_read_from_the_report(system: str, text: str, stage: str) -> None:
    assert calc(system).from_text(text).result.get("stage") == stage


def test_stated_category_wins_and_a_discrepancy_is_recorded() -> None:
    text = ("Gastrectomy. pT2: tumor invades the serosa (visceral peritoneum). pN0. Lymph nodes: 0/12.")
    res = calc("AJCC8-stomach").from_text(text)
    assert res.result["T"] == "T2"
    assert any(d.field == "T" and d.derived == "T4a" for d in res.discrepancies)


def test_bladder_ta_is_read_from_text_though_the_tnm_scanner_skips_it() -> None:
    res = calc("AJCC8-bladder").from_text("TURBT: non-invasive papillary urothelial carcinoma, low grade. "
                                          "No invasion of lamina propria. pN0 cM0.")
    assert res.result.get("T") == "Ta"
    assert res.result.get("stage") == "0a"


@pytest.mark.parametrize(("phrase", "rate"), [
    ("mitotic rate 5/5 mm2", "low"), ("mitotic rate 6/5 mm2", "high"),
    ("mitotic count <6/50 HPF", "low"),  # whole figures: fewer than 6 is at most 5
    ("mitotic count <5/50 HPF", "low"), ("mitotic count ≤5/50 HPF", "low"),
    ("mitotic count >5/50 HPF", "high"), ("mitotic count ≥6/50 HPF", "high"),
    ("mitotic count >4/50 HPF", None), ("mitotic count ≥5/50 HPF", None),  # 5 (low) or more (high)
    ("mitotic count <10/50 HPF", None),
])
def test_gist_mitotic_bounds_decide_the_rate_only_when_one_side_is_possible(phrase: str, rate: str | None) -> None:
    text = f"Partial gastrectomy: gastrointestinal stromal tumor of the stomach, tumor size 6 cm, {phrase}. 0/3 lymph nodes. cM0."
    res = calc("AJCC8-gist").from_text(text)
    expected_stage = {"low": "IB", "high": "IIIA", None: None}[rate]
    assert res.result.get("stage") == expected_stage, res.result
