"""Every T × N × M cell of every stage table, against grids typed from DOMAIN.md (not our data)."""

from __future__ import annotations

import pytest

from rag.calculators.registry import find_calculator
from rag.calculators.staging.group import resolve_stage
from rag.calculators.staging.table import Condition, StageTable, row

# Grids copied by hand from DOMAIN.md §2-§5: row label, then one stage per column.
LUNG8 = """
T1mi IA1 IIB IIIA IIIB
T1a IA1 IIB IIIA IIIB
T1b IA2 IIB IIIA IIIB
T1c IA3 IIB IIIA IIIB
T2a IB IIB IIIA IIIB
T2b IIA IIB IIIA IIIB
T3 IIB IIIA IIIB IIIC
T4 IIIA IIIA IIIB IIIC
"""
LUNG9 = """
T1a IA1 IIA IIB IIIA IIIB
T1b IA2 IIA IIB IIIA IIIB
T1c IA3 IIA IIB IIIA IIIB
T2a IB IIB IIIA IIIB IIIB
T2b IIA IIB IIIA IIIB IIIB
T3 IIB IIIA IIIA IIIB IIIC
T4 IIIA IIIA IIIB IIIB IIIC
"""
BREAST = """
T0 - IB IIA IIIA IIIC
T1mi IA IB IIA IIIA IIIC
T1a IA IB IIA IIIA IIIC
T1b IA IB IIA IIIA IIIC
T1c IA IB IIA IIIA IIIC
T2 IIA IIB IIB IIIA IIIC
T3 IIB IIIA IIIA IIIA IIIC
T4a IIIB IIIB IIIB IIIB IIIC
T4b IIIB IIIB IIIB IIIB IIIC
T4c IIIB IIIB IIIB IIIB IIIC
T4d IIIB IIIB IIIB IIIB IIIC
"""
CRC = """
T1 I IIIA IIIA IIIA IIIA IIIB
T2 I IIIA IIIA IIIA IIIB IIIB
T3 IIA IIIB IIIB IIIB IIIB IIIC
T4a IIB IIIB IIIB IIIB IIIC IIIC
T4b IIC IIIC IIIC IIIC IIIC IIIC
"""


def _cells(grid: str, columns: list[str]) -> list[tuple[str, str, str]]:
    out = []
    for line in grid.strip().splitlines():
        t, *stages = line.split()
        assert len(stages) == len(columns)
        out += [(t, n, s) for n, s in zip(columns, stages, strict=True)]
    return out


def _stage(system: str, tnm: str, **findings: object) -> dict:
    return find_calculator(system).from_findings(findings, tnm=tnm).result


@pytest.mark.parametrize("t,n,stage", _cells(LUNG8, ["N0", "N1", "N2", "N3"]))
def test_lung8_grid(t: str, n: str, stage: str) -> None:
    assert _stage("AJCC8-lung", f"{t} {n} M0")["stage"] == stage


@pytest.mark.parametrize("t,n,stage", _cells(LUNG9, ["N0", "N1", "N2a", "N2b", "N3"]))
def test_lung9_grid(t: str, n: str, stage: str) -> None:
    assert _stage("TNM9-lung", f"{t} {n} M0")["stage"] == stage


@pytest.mark.parametrize("system,m,stage", [
    ("AJCC8-lung", "M1a", "IVA"), ("AJCC8-lung", "M1b", "IVA"), ("AJCC8-lung", "M1c", "IVB"),
    ("TNM9-lung", "M1a", "IVA"), ("TNM9-lung", "M1b", "IVA"), ("TNM9-lung", "M1c1", "IVB"),
    ("TNM9-lung", "M1c2", "IVB")])
@pytest.mark.parametrize("t", ["T1a", "T2b", "T4"])
@pytest.mark.parametrize("n", ["N0", "N3"])
def test_lung_m1(system: str, m: str, stage: str, t: str, n: str) -> None:
    assert _stage(system, f"{t} {n} {m}")["stage"] == stage


@pytest.mark.parametrize("system", ["AJCC8-lung", "TNM9-lung"])
def test_lung_special_rows(system: str) -> None:
    assert _stage(system, "Tis N0 M0")["stage"] == "0"
    assert _stage(system, "TX N0 M0")["stage"].lower().startswith("occult")


@pytest.mark.parametrize("t,n,stage", _cells(BREAST, ["N0", "N1mi", "N1a", "N2a", "N3a"]))
def test_breast_grid(t: str, n: str, stage: str) -> None:
    result = _stage("AJCC8-breast", f"p{t} p{n} M0")
    assert result.get("stage", "-") == stage
    assert result["stage_type"] == "anatomic"


@pytest.mark.parametrize("n", ["N0(i+)", "N1b", "N1c", "N2b", "N3b", "N3c"])
def test_breast_subcategories_share_their_column(n: str) -> None:
    column = {"N0": "IA", "N1": "IIA", "N2": "IIIA", "N3": "IIIC"}[n[:2]]
    assert _stage("AJCC8-breast", f"pT1c p{n} M0")["stage"] == column


def test_breast_tis_and_m1() -> None:
    assert _stage("AJCC8-breast", "pTis pN0 M0")["stage"] == "0"
    assert _stage("AJCC8-breast", "pT2 pN1a M1")["stage"] == "IV"


@pytest.mark.parametrize("t,n,stage", _cells(CRC, ["N0", "N1a", "N1b", "N1c", "N2a", "N2b"]))
def test_crc_grid(t: str, n: str, stage: str) -> None:
    assert _stage("AJCC8-colorectal", f"p{t} p{n} M0")["stage"] == stage


@pytest.mark.parametrize("m,stage", [("M1a", "IVA"), ("M1b", "IVB"), ("M1c", "IVC")])
def test_crc_m1(m: str, stage: str) -> None:
    assert _stage("AJCC8-colorectal", f"pT2 pN0 {m}")["stage"] == stage
    assert _stage("AJCC8-colorectal", "Tis N0 M0")["stage"] == "0"


# Prostate long form (DOMAIN §5): (tnm, psa, grade group, stage)
PROSTATE = [
    ("cT1a N0 M0", 5, 1, "I"), ("cT1c N0 M0", 9.9, 1, "I"), ("cT2a N0 M0", 9.9, 1, "I"),
    ("pT2 N0 M0", 9.9, 1, "I"),
    ("cT1c N0 M0", 10, 1, "IIA"), ("cT2a N0 M0", 19.9, 1, "IIA"), ("pT2 N0 M0", 15, 1, "IIA"),
    ("cT2b N0 M0", 5, 1, "IIA"), ("cT2c N0 M0", 19.9, 1, "IIA"),
    ("cT2b N0 M0", 20, 1, "IIIA"), ("cT1c N0 M0", 20, 1, "IIIA"), ("pT2 N0 M0", 25, 4, "IIIA"),
    ("cT1c N0 M0", 5, 2, "IIB"), ("cT2c N0 M0", 19.9, 2, "IIB"), ("pT2 N0 M0", 3, 2, "IIB"),
    ("cT1c N0 M0", 5, 3, "IIC"), ("cT2b N0 M0", 12, 4, "IIC"), ("pT2 N0 M0", 3, 4, "IIC"),
    ("cT3a N0 M0", 5, 1, "IIIB"), ("pT3b N0 M0", 50, 4, "IIIB"), ("cT4 N0 M0", 2, 2, "IIIB"),
    ("cT1c N0 M0", 5, 5, "IIIC"), ("pT3a N0 M0", 40, 5, "IIIC"),
    ("cT1c N1 M0", 5, 1, "IVA"), ("pT3b N1 M0", 5, 5, "IVA"),
    ("cT1c N0 M1a", 5, 1, "IVB"), ("pT2 N1 M1b", 5, 3, "IVB"), ("cT4 N0 M1c", 5, 5, "IVB"),
]


@pytest.mark.parametrize("tnm,psa,gg,stage", PROSTATE)
def test_prostate_rows(tnm: str, psa: float, gg: int, stage: str) -> None:
    result = _stage("AJCC8-prostate", tnm, psa=psa, grade_group=gg)
    assert result["stage"] == stage
    assert result["grade_group"] == gg


# --- StageTable.lookup with extra inputs: rows whose known conditions fail ask for nothing -------

def _mixed_table() -> StageTable:
    """Histology rows, one of which also needs grade (the shape that used to never resolve)."""
    return StageTable("test", "test", ("T1", "T2"), ("N0",), ("M0",), (
        row("X.STAGE.SQ.IA", "IA", "T1", "N0", "M0", Condition("histology", "==", "squamous"),
            Condition("grade", "in", ("G1", "GX"))),
        row("X.STAGE.SQ.IB", "IB", "T1", "N0", "M0", Condition("histology", "==", "squamous"),
            Condition("grade", "in", ("G2", "G3"))),
        row("X.STAGE.AD.I", "I", "T1", "N0", "M0", Condition("histology", "==", "adenocarcinoma")),
        row("X.STAGE.AD.II", "II", "T2", "N0", "M0", Condition("histology", "==", "adenocarcinoma"),
            Condition("location", "==", "lower")),
    ))


def test_lookup_skips_rows_whose_known_conditions_fail() -> None:
    found = _mixed_table().lookup("T1", "N0", "M0", {"histology": "adenocarcinoma"})
    assert found.row is not None and found.row.rule_id == "X.STAGE.AD.I" and found.missing == ()


def test_lookup_asks_only_for_inputs_of_rows_that_could_still_match() -> None:
    table = _mixed_table()
    assert table.lookup("T2", "N0", "M0", {"histology": "adenocarcinoma"}).missing == ("location",)
    assert table.lookup("T1", "N0", "M0", {"histology": "squamous"}).missing == ("grade",)
    assert table.lookup("T1", "N0", "M0", {}).missing == ("histology", "grade")


def test_lookup_keeps_row_order_when_an_earlier_row_is_undecided() -> None:
    # grade unknown: the squamous rows might match first, so the adenocarcinoma row is not taken
    table = _mixed_table()
    assert table.lookup("T1", "N0", "M0", {"grade": "G2"}).missing == ("histology",)
    found = table.lookup("T1", "N0", "M0", {"histology": "squamous", "grade": "G3"})
    assert found.row is not None and found.row.stage == "IB"


def test_lookup_with_every_condition_failing_finds_nothing_and_asks_nothing() -> None:
    found = _mixed_table().lookup("T2", "N0", "M0", {"histology": "squamous"})
    assert found.row is None and found.missing == ()


def test_mixed_table_resolves_through_grouping() -> None:
    outcome = resolve_stage(_mixed_table(), "T1", "N0", "M0", {"histology": "adenocarcinoma"})
    assert outcome.stage == "I" and outcome.missing_extras == ()
