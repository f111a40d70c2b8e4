"""No input string crashes a RADS/WHO parser: the only exception allowed is InvalidInput."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag.calculators.rads import CALCULATORS
from rag.errors import InvalidInput
from rag.types import CalcResult

# Fragments that reach deep parser paths when shuffled together.
FRAGMENTS = [
    "baseline",
    "screening LDCT",
    "new",
    "grown from",
    "to",
    "stable",
    "solid",
    "part-solid",
    "ground-glass",
    "nodule",
    "7.0 x 5.0 mm",
    "12 mm",
    "1.5 cm",
    "0 mm",
    "999 mm",
    "solid component",
    "mean diameter",
    "long axis:",
    "short axis:",
    "(1)",
    "(2)",
    "Nodule 3:",
    "no",
    "without",
    "possible",
    "?",
    "spiculated",
    "lymphadenopathy",
    "cyst",
    "thick-walled",
    "multilocular",
    "airway",
    "segmental",
    "calcified",
    "juxtapleural",
    "smooth",
    "oval",
    "previously Lung-RADS 4A",
    "spongiform",
    "mixed cystic and solid",
    "hypoechoic",
    "taller-than-wide",
    "irregular",
    "punctate echogenic foci",
    "macrocalcification",
    "TI-RADS",
    "TR",
    "likelihood of malignancy",
    "%",
    "50%",
    "BI-RADS",
    "MRI",
    "mammogram",
    "cirrhosis",
    "APHE",
    "rim",
    "washout",
    "capsule",
    "threshold growth",
    "LR-",
    "PZ",
    "TZ",
    "DWI",
    "T2W",
    "DCE positive",
    "markedly hypointense on ADC",
    "IDH-mutant",
    "1p/19q",
    "codeleted",
    "H3 K27M",
    "thalamus",
    "CDKN2A/B",
    "necrosis",
    "meningioma",
    "mitoses per 10 HPF",
    "Ki-67",
    "per 2 mm2",
    "NEC",
    "实性",
    "结节",
    "毫米",
    "厘米",
    "低回声",
    "纵横比大于1",
    "无",
    "未见",
    ".",
    ";",
    ",",
    ":",
    "\n",
    "5",
    "4A",
    "grade",
    "CNS WHO grade",
    "-",
    "/",
    "x",
    "×",
]
TEXTS = st.one_of(st.text(max_size=200), st.lists(st.sampled_from(FRAGMENTS), max_size=30).map(" ".join))


def _call(calc: Any, text: str) -> None:
    try:
        res = calc.from_text(text)
    except InvalidInput as exc:
        assert exc.user_message()
        return
    assert isinstance(res, CalcResult)
    for ev in res.evidence:
        assert text[ev.start : ev.end] == ev.text


@pytest.mark.parametrize("calc", CALCULATORS, ids=lambda c: c.system)
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXTS)
def test_from_text_never_crashes(calc: Any, text: str) -> None:
    _call(calc, text)


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 200),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(FRAGMENTS),
    st.text(max_size=20),
)
KEYS = st.sampled_from(
    [
        "type",
        "nodules",
        "long_axis_mm",
        "mean_diameter_mm",
        "status",
        "composition",
        "echogenicity",
        "shape",
        "margin",
        "echogenic_foci",
        "max_diameter_cm",
        "likelihood_of_malignancy",
        "category",
        "modality",
        "population",
        "observation_size_mm",
        "arterial_phase",
        "nonperipheral_washout",
        "zone",
        "T2W_score",
        "DWI_score",
        "DCE",
        "IDH",
        "1p19q",
        "ki67_percent",
        "age",
        "x",
    ]
)
FINDINGS = st.dictionaries(
    KEYS,
    st.one_of(SCALARS, st.lists(SCALARS, max_size=3), st.lists(st.dictionaries(KEYS, SCALARS, max_size=4), max_size=2)),
    max_size=6,
)


@pytest.mark.parametrize("calc", CALCULATORS, ids=lambda c: c.system)
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(findings=FINDINGS)
def test_from_findings_never_crashes(calc: Any, findings: dict[str, Any]) -> None:
    try:
        calc.from_findings(findings)
    except InvalidInput:
        pass
