"""Thyroid and GIST (AJCC 8th): every T × N × M cell of each histology / age / site table."""

from __future__ import annotations

import itertools

import pytest

from rag.calculators.staging.sites import gist, thyroid
from rag.calculators.staging.sites.branches import choose_branch

N0_NX = {"N0", "N0a", "N0b", "NX"}
N1 = {"N1", "N1a", "N1b"}
T1_T2 = {"T1", "T1a", "T1b", "T2"}


def diff_lt55(t: str, n: str, m: str) -> str | None:
    return "II" if m == "M1" else "I"


def diff_ge55(t: str, n: str, m: str) -> str | None:
    if m == "M1":
        return "IVB"
    if t in T1_T2:
        return "I" if n in N0_NX else "II"
    if t in {"T3", "T3a", "T3b"}:
        return "II"
    return {"T4a": "III", "T4b": "IVA"}.get(t)


def anaplastic(t: str, n: str, m: str) -> str | None:
    if m == "M1":
        return "IVC"
    if t in {"T3b", "T4", "T4a", "T4b"}:
        return "IVB"
    if t in T1_T2 | {"T3a"}:
        return "IVA" if n in N0_NX else "IVB"
    return None


def medullary(t: str, n: str, m: str) -> str | None:
    if m == "M1":
        return "IVC"
    if t == "T4a":
        return "IVA"
    if t == "T4b":
        return "IVB"
    if t in T1_T2 | {"T3", "T3a", "T3b"}:
        if n == "N1a":
            return "III"
        if n == "N1b":
            return "IVA"
        if n in {"N0", "N0a", "N0b"}:
            return "I" if t in {"T1", "T1a", "T1b"} else "II"
    return None


THYROID = {
    (("histology", "differentiated"), ("age", 54)): diff_lt55,
    (("histology", "differentiated"), ("age", 55)): diff_ge55,
    (("histology", "anaplastic"),): anaplastic,
    (("histology", "medullary"),): medullary,
}

THYROID_CELLS = list(itertools.product(THYROID, thyroid.T_CATEGORIES, thyroid.N_CATEGORIES,
                                       thyroid.M_CATEGORIES))


@pytest.mark.parametrize(("extras", "t", "n", "m"), THYROID_CELLS)
def test_thyroid_every_cell(extras: tuple, t: str, n: str, m: str) -> None:
    branch = choose_branch(thyroid.BRANCHES, dict(extras)).branch
    assert branch is not None
    found = branch.table.lookup(t, n, m).row
    expected = THYROID[extras](t, n, m)
    assert (found.stage if found else None) == expected


@pytest.mark.parametrize(("age", "branch_key"), [(54, "DIFF.AGE_LT55"), (55, "DIFF.AGE_GE55"),
                                                 (54.9, "DIFF.AGE_LT55"), (80, "DIFF.AGE_GE55")])
def test_thyroid_age_boundary(age: float, branch_key: str) -> None:
    branch = choose_branch(thyroid.BRANCHES, {"histology": "differentiated", "age": age}).branch
    assert branch is not None and branch.key == branch_key


def test_thyroid_needs_age_only_for_differentiated() -> None:
    assert choose_branch(thyroid.BRANCHES, {"histology": "differentiated"}).missing == ("age",)
    assert choose_branch(thyroid.BRANCHES, {"histology": "medullary"}).branch is not None
    assert choose_branch(thyroid.BRANCHES, {}).missing == ("histology", "age")


def gastric(t: str, n: str, m: str, rate: str) -> str | None:
    if m == "M1" or n == "N1":
        return "IV"
    if n not in ("N0", "NX"):  # unknown node status counts as N0 in GIST
        return None
    low = {"T1": "IA", "T2": "IA", "T3": "IB", "T4": "II"}
    high = {"T1": "II", "T2": "II", "T3": "IIIA", "T4": "IIIB"}
    return (low if rate == "low" else high).get(t)


def nongastric(t: str, n: str, m: str, rate: str) -> str | None:
    if m == "M1" or n == "N1":
        return "IV"
    if n not in ("N0", "NX"):
        return None
    low = {"T1": "I", "T2": "I", "T3": "II", "T4": "IIIA"}
    high = {"T1": "IIIA", "T2": "IIIB", "T3": "IIIB", "T4": "IIIB"}
    return (low if rate == "low" else high).get(t)


GIST = {"stomach": gastric, "omentum": gastric, "small intestine": nongastric,
        "rectum": nongastric}
GIST_CELLS = list(itertools.product(GIST, gist.T_CATEGORIES, gist.N_CATEGORIES,
                                    gist.M_CATEGORIES, ("low", "high")))


@pytest.mark.parametrize(("site", "t", "n", "m", "rate"), GIST_CELLS)
def test_gist_every_cell(site: str, t: str, n: str, m: str, rate: str) -> None:
    branch = choose_branch(gist.BRANCHES, {"primary_site": site}).branch
    assert branch is not None
    found = branch.table.lookup(t, n, m, {"mitotic_rate": rate}).row
    expected = GIST[site](t, n, m, rate)
    assert (found.stage if found else None) == expected


def test_gist_asks_for_rate_only_when_it_matters() -> None:
    branch = choose_branch(gist.BRANCHES, {"primary_site": "stomach"}).branch
    assert branch is not None
    assert branch.table.lookup("T2", "N0", "M0").missing == ("mitotic_rate",)
    found = branch.table.lookup("T2", "N1", "M0").row
    assert found is not None and found.rule_id == "GIST8.STAGE.GASTRIC.IV.1"
