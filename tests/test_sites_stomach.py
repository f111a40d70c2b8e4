"""Stomach (AJCC 8th): every T × N × M cell of the clinical, pathological and yp tables."""

from __future__ import annotations

import itertools

import pytest

from rag.calculators.staging.sites import stomach
from rag.calculators.staging.sites.branches import choose_branch

# Expected groups re-read from the PDQ pTNM tables (path) and the AJCC 8th cTNM / ypTNM grids.
# Each line: T label(s), then the group for each N column; "-" = no group for that cell.
PATH = """
T     N0   N1   N2   N3a  N3b
Tis   0    -    -    -    -
T1    IA   IB   IIA  IIB  IIIB
T1a   IA   IB   IIA  IIB  IIIB
T1b   IA   IB   IIA  IIB  IIIB
T2    IB   IIA  IIB  IIIA IIIB
T3    IIA  IIB  IIIA IIIB IIIC
T4a   IIB  IIIA IIIA IIIB IIIC
T4b   IIIA IIIB IIIB IIIC IIIC
"""

CLIN = """
T     N0   N1   N2   N3   N3a  N3b  NX
Tis   0    -    -    -    -    -    -
T1    I    IIA  IIA  IIA  IIA  IIA  -
T1a   I    IIA  IIA  IIA  IIA  IIA  -
T1b   I    IIA  IIA  IIA  IIA  IIA  -
T2    I    IIA  IIA  IIA  IIA  IIA  -
T3    IIB  III  III  III  III  III  -
T4a   IIB  III  III  III  III  III  -
T4b   IVA  IVA  IVA  IVA  IVA  IVA  IVA
"""

YP = """
T     N0   N1   N2   N3   N3a  N3b
T1    I    I    II   II   II   II
T1a   I    I    II   II   II   II
T1b   I    I    II   II   II   II
T2    I    II   II   III  III  III
T3    II   II   III  III  III  III
T4a   II   III  III  III  III  III
T4b   III  III  III  III  III  III
"""

M1_GROUP = {"p": "IV", "c": "IVB", "yp": "IV"}


def _grid(text: str) -> dict[tuple[str, str], str]:
    lines = [line.split() for line in text.strip().splitlines()]
    header, body = lines[0][1:], lines[1:]
    return {(r[0], n): s for r in body for n, s in zip(header, r[1:], strict=True) if s != "-"}


EXPECTED = {"p": _grid(PATH), "c": _grid(CLIN), "yp": _grid(YP)}
CELLS = list(itertools.product(("p", "c", "yp"), stomach.T_CATEGORIES, stomach.N_CATEGORIES,
                               stomach.M_CATEGORIES))


@pytest.mark.parametrize(("prefix", "t", "n", "m"), CELLS)
def test_every_cell(prefix: str, t: str, n: str, m: str) -> None:
    branch = choose_branch(stomach.BRANCHES, {"prefix": prefix}).branch
    assert branch is not None
    found = branch.table.lookup(t, n, m).row
    expected = M1_GROUP[prefix] if m == "M1" else EXPECTED[prefix].get((t, n))
    assert (found.stage if found else None) == expected


@pytest.mark.parametrize("prefix", ["p", "c", "yp"])
def test_rule_ids_name_the_table_and_t_row(prefix: str) -> None:
    kind = {"p": "PATH", "c": "CLIN", "yp": "YP"}[prefix]
    branch = choose_branch(stomach.BRANCHES, {"prefix": prefix}).branch
    assert branch is not None
    assert branch.table.lookup("T3", "N1", "M0").row.rule_id == f"STOMACH8.STAGE.{kind}.T3"
    assert branch.table.lookup("T2", "N0", "M1").row.rule_id == f"STOMACH8.STAGE.{kind}.M1"


def test_prefix_is_needed_to_choose_a_table() -> None:
    assert choose_branch(stomach.BRANCHES, {}).missing == ("prefix",)


# PDQ (Gastric Cancer Treatment, "AJCC Prognostic Stage Groups and TNM Definitions", table
# footnote c) names ten adjacent structures; invading any of them is T4b.
ADJACENT_STRUCTURES = ("spleen", "transverse colon", "liver", "diaphragm", "pancreas", "abdominal wall",
                       "adrenal gland", "kidney", "small intestine", "retroperitoneum")


@pytest.mark.parametrize("structure", ADJACENT_STRUCTURES)
def test_each_adjacent_structure_reads_as_t4b(structure: str) -> None:
    text = f"Total gastrectomy. Adenocarcinoma invades through the serosa into the {structure}. Lymph nodes: 0/15."
    assert stomach.extract(text)["depth"].value == "T4b"


def test_intramural_spread_into_the_duodenum_is_not_t4b() -> None:
    text = ("Distal gastrectomy. Adenocarcinoma invades the muscularis propria and extends intramurally "
            "into the duodenum. Lymph nodes: 0/15.")
    assert stomach.extract(text)["depth"].value == "T2"
