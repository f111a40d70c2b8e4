"""Oesophagus (AJCC 8th): every T × N × M × grade × location cell of all six tables.

Expected groups are written as decision rules re-read from the PDQ pTNM tables (and the AJCC
cTNM / ypTNM tables), not generated from the module's rows.
"""

from __future__ import annotations

import itertools

import pytest

from rag.calculators.staging.group import resolve_stage
from rag.calculators.staging.sites import esophagus
from rag.calculators.staging.sites.branches import choose_branch

T1 = {"T1", "T1a", "T1b"}
LOCATIONS = ("upper", "middle", "lower", "X")


def path_shared(t: str, n: str) -> str | None:
    """The pTNM groups both histologies share: every cell except node-negative T1–T3."""
    if n == "N3":
        return "IVA"
    if t == "Tis":
        return "0" if n == "N0" else None
    if t == "T4b":
        return "IVA" if n in {"N0", "N1", "N2"} else None
    if t == "T4a":
        return {"N0": "IIIB", "N1": "IIIB", "N2": "IVA"}.get(n)
    if t == "T3":
        return {"N1": "IIIB", "N2": "IIIB"}.get(n)
    if t == "T2":
        return {"N1": "IIIA", "N2": "IIIB"}.get(n)
    if t in T1:
        return {"N1": "IIB", "N2": "IIIA"}.get(n)
    return None


def scc_path(t: str, n: str, g: str, loc: str) -> str | None:
    if n != "N0" or t not in {*T1, "T2", "T3"}:
        return path_shared(t, n)
    if t == "T3":
        if loc == "lower":
            return "IIA"
        if loc == "X" or g == "GX":
            return "IIB"
        return "IIA" if g == "G1" else "IIB"
    if t == "T2":
        return "IB" if g == "G1" else "IIA"
    if t == "T1a":
        return "IA" if g in {"G1", "GX"} else "IB"
    if t == "T1b":
        return "IB"
    return None


def adeno_path(t: str, n: str, g: str, loc: str) -> str | None:
    if n != "N0" or t not in {*T1, "T2", "T3"}:
        return path_shared(t, n)
    if t == "T3":
        return "IIB"
    if t == "T2":
        return {"G1": "IC", "G2": "IC", "G3": "IIA", "GX": "IIA"}[g]
    if g == "G3":
        return "IC"
    if t == "T1a":
        return "IB" if g == "G2" else "IA"
    if t == "T1b":
        return "IB"
    return None


def scc_clin(t: str, n: str, g: str, loc: str) -> str | None:
    if n == "N3":
        return "IVA"
    if t == "Tis":
        return "0" if n == "N0" else None
    if t in {"T4", "T4a", "T4b"}:
        return "IVA" if n in {"N0", "N1", "N2"} else None
    table = {"T2": {"N0": "II", "N1": "II", "N2": "III"},
             "T3": {"N0": "II", "N1": "III", "N2": "III"}}
    if t in T1:
        return {"N0": "I", "N1": "I", "N2": "III"}.get(n)
    return table.get(t, {}).get(n)


def adeno_clin(t: str, n: str, g: str, loc: str) -> str | None:
    if n == "N3":
        return "IVA"
    if t == "Tis":
        return "0" if n == "N0" else None
    if t == "T4b":
        return "IVA" if n in {"N0", "N1", "N2"} else None
    if t in T1:
        return {"N0": "I", "N1": "IIA", "N2": "IVA"}.get(n)
    table = {"T2": {"N0": "IIB", "N1": "III", "N2": "IVA"},
             "T3": {"N0": "III", "N1": "III", "N2": "IVA"},
             "T4a": {"N0": "III", "N1": "III", "N2": "IVA"}}
    return table.get(t, {}).get(n)


def yp(t: str, n: str, g: str, loc: str) -> str | None:
    if n == "N3":
        return "IVA"
    # ypT0-2: T0, T1 and T2. ypTis has no row in the corpus's ypTNM table, so no group.
    low = t in {"T0", *T1, "T2"}
    if low:
        return {"N0": "I", "N1": "IIIA", "N2": "IIIB"}.get(n)
    if t == "T3":
        return {"N0": "II", "N1": "IIIB", "N2": "IIIB"}.get(n)
    if t == "T4a":
        return {"N0": "IIIB", "N1": "IVA", "N2": "IVA", "NX": "IVA"}.get(n)
    if t == "T4b":
        return "IVA" if n in {"N0", "N1", "N2"} else None
    return None


EXPECTED = {
    ("squamous", "p"): scc_path, ("squamous", "c"): scc_clin, ("squamous", "yp"): yp,
    ("adenocarcinoma", "p"): adeno_path, ("adenocarcinoma", "c"): adeno_clin,
    ("adenocarcinoma", "yp"): yp,
}

CHILDREN = {"T1": ("T1a", "T1b"), "T4": ("T4a", "T4b")}


def expected_group(branch: tuple[str, str], t: str, n: str, g: str, loc: str) -> str | None:
    """A parent T (T1, T4) has a group only when every child has the same one."""
    if t in CHILDREN:
        groups = {EXPECTED[branch](child, n, g, loc) for child in CHILDREN[t]}
        return groups.pop() if len(groups) == 1 else None
    return EXPECTED[branch](t, n, g, loc)


def _cells() -> list[tuple]:
    """M0 cells with every grade and location where the table uses them; M1 once per T × N."""
    cells = []
    for branch, t, n in itertools.product(EXPECTED, esophagus.T_CATEGORIES,
                                          esophagus.N_CATEGORIES):
        grades = esophagus.GRADES if branch[1] == "p" else ("G2",)
        locations = LOCATIONS if branch == ("squamous", "p") else ("middle",)
        cells += [(branch, t, n, "M0", g, loc) for g in grades for loc in locations]
        cells.append((branch, t, n, "M1", "G2", "middle"))
    return cells


@pytest.mark.parametrize(("branch", "t", "n", "m", "g", "loc"), _cells())
def test_every_cell(branch: tuple[str, str], t: str, n: str, m: str, g: str, loc: str) -> None:
    histology, prefix = branch
    chosen = choose_branch(esophagus.BRANCHES, {"histology": histology, "prefix": prefix}).branch
    assert chosen is not None
    # Grouped as the calculator groups: a parent label (T1, T4) stands for each of its children.
    found = resolve_stage(chosen.table, t, n, m, {"grade": g, "location": loc}).stage
    expected = "IVB" if m == "M1" else expected_group(branch, t, n, g, loc)
    assert found == expected


def _path_table(histology: str):  # noqa: ANN202 - test helper
    chosen = choose_branch(esophagus.BRANCHES, {"histology": histology, "prefix": "p"}).branch
    assert chosen is not None
    return chosen.table


def test_scc_t3n0_asks_for_location_then_grade() -> None:
    table = _path_table("squamous")
    assert table.lookup("T3", "N0", "M0", {}).missing == ("location", "grade")
    assert table.lookup("T3", "N0", "M0", {"location": "upper"}).missing == ("grade",)
    found = table.lookup("T3", "N0", "M0", {"location": "lower"}).row
    assert found is not None and found.rule_id == "ESOPH8.STAGE.SCC.PATH.IIA.2"


def test_grade_is_not_asked_when_the_row_does_not_use_it() -> None:
    found = _path_table("adenocarcinoma").lookup("T3", "N1", "M0", {}).row
    assert found is not None and found.rule_id == "ESOPH8.STAGE.ADENO.PATH.IIIB.2"
    assert _path_table("adenocarcinoma").lookup("T2", "N0", "M0", {}).missing == ("grade",)


def test_clinical_adenocarcinoma_never_asks_for_location() -> None:
    choice = choose_branch(esophagus.BRANCHES, {"histology": "adenocarcinoma", "prefix": "c"})
    assert choice.branch is not None and choice.branch.key == "ADENO.CLIN"


def test_histology_and_prefix_are_needed() -> None:
    assert choose_branch(esophagus.BRANCHES, {}).missing == ("histology", "prefix")
    assert choose_branch(esophagus.BRANCHES, {"prefix": "p"}).missing == ("histology",)
