"""Pancreas, liver, kidney, bladder (AJCC 8th) and cervix (FIGO 2018): every T × N × M cell."""

from __future__ import annotations

import itertools
from types import ModuleType

import pytest

from rag.calculators.staging.group import resolve_stage
from rag.calculators.staging.sites import bladder, cervix, kidney, liver, pancreas
from rag.errors import InvalidInput

# Expected groups re-read from the PDQ tables ("-" = no group). M1 rows are listed separately.
PANCREAS = """
T    NX  N0  N1  N2
Tis  -   0   -   -
T1   -   IA  IIB III
T1a  -   IA  IIB III
T1b  -   IA  IIB III
T1c  -   IA  IIB III
T2   -   IB  IIB III
T3   -   IIA IIB III
T4   III III III III
"""

LIVER = """
T    NX  N0   N1
TX   -   -    IVA
T0   -   -    IVA
T1   -   -    IVA
T1a  -   IA   IVA
T1b  -   IB   IVA
T2   -   II   IVA
T3   -   IIIA IVA
T4   -   IIIB IVA
"""

KIDNEY = """
T    NX  N0  N1
T1   -   I   III
T1a  -   I   III
T1b  -   I   III
T2   -   II  III
T2a  -   II  III
T2b  -   II  III
T3   -   III III
T3a  -   III III
T3b  -   III III
T3c  -   III III
T4   IV  IV  IV
"""

BLADDER = """
T    NX  N0   N1   N2   N3
Ta   -   0a   -    -    -
Tis  -   0is  -    -    -
T1   -   I    IIIA IIIB IIIB
T2   -   II   IIIA IIIB IIIB
T2a  -   II   IIIA IIIB IIIB
T2b  -   II   IIIA IIIB IIIB
T3   -   IIIA IIIA IIIB IIIB
T3a  -   IIIA IIIA IIIB IIIB
T3b  -   IIIA IIIA IIIB IIIB
T4a  -   IIIA IIIA IIIB IIIB
T4b  IVA IVA  IVA  IVA  IVA
"""

# FIGO 2018: nodes give IIIC1/IIIC2 whatever the tumour (TX included, CERVIX8.STAGE.TX) except T4;
# with NX the tumour's own stage applies (corpus grid note). A parent T (T1b, T2a ...) with N0 or
# NX is not grouped: its children differ (IB1/IB2/IB3), so the size or depth is asked for.
CERVIX = """
T     NX   N0   N0(i+) N1    N2
TX    -    -    -      IIIC1 IIIC2
T1    -    -    -      IIIC1 IIIC2
T1a   -    -    -      IIIC1 IIIC2
T1a1  IA1  IA1  IA1    IIIC1 IIIC2
T1a2  IA2  IA2  IA2    IIIC1 IIIC2
T1b   -    -    -      IIIC1 IIIC2
T1b1  IB1  IB1  IB1    IIIC1 IIIC2
T1b2  IB2  IB2  IB2    IIIC1 IIIC2
T1b3  IB3  IB3  IB3    IIIC1 IIIC2
T2    -    -    -      IIIC1 IIIC2
T2a   -    -    -      IIIC1 IIIC2
T2a1  IIA1 IIA1 IIA1   IIIC1 IIIC2
T2a2  IIA2 IIA2 IIA2   IIIC1 IIIC2
T2b   IIB  IIB  IIB    IIIC1 IIIC2
T3    -    -    -      IIIC1 IIIC2
T3a   IIIA IIIA IIIA   IIIC1 IIIC2
T3b   IIIB IIIB IIIB   IIIC1 IIIC2
T4    IVA  IVA  IVA    IVA   IVA
"""


def _grid(text: str) -> dict[tuple[str, str], str]:
    lines = [line.split() for line in text.strip().splitlines()]
    header, body = lines[0][1:], lines[1:]
    return {(r[0], n): s for r in body for n, s in zip(header, r[1:], strict=True) if s != "-"}


SITES: dict[str, tuple[ModuleType, dict[tuple[str, str], str], dict[str, str]]] = {
    "pancreas": (pancreas, _grid(PANCREAS), {"M1": "IV"}),
    "liver": (liver, _grid(LIVER), {"M1": "IVB"}),
    "kidney": (kidney, _grid(KIDNEY), {"M1": "IV"}),
    "bladder": (bladder, _grid(BLADDER), {"M1a": "IVA", "M1b": "IVB"}),
    "cervix": (cervix, _grid(CERVIX), {"M1": "IVB"}),
}

CELLS = [(name, t, n, m) for name, (mod, _, _) in SITES.items()
         for t, n, m in itertools.product(mod.T_CATEGORIES, mod.N_CATEGORIES, mod.M_CATEGORIES)]


@pytest.mark.parametrize(("site", "t", "n", "m"), CELLS)
def test_every_cell(site: str, t: str, n: str, m: str) -> None:
    module, grid, metastatic = SITES[site]
    # Grouped as the calculator groups: a parent label stands for each of its children.
    found = resolve_stage(module.TABLE, t, n, m, {}).stage
    expected = grid.get((t, n)) if m == "M0" else metastatic.get(m)
    assert found == expected


@pytest.mark.parametrize(("site", "t", "n", "m", "rule_id"), [
    ("pancreas", "T1c", "N1", "M0", "PANC8.STAGE.T1"),
    ("pancreas", "T4", "NX", "M0", "PANC8.STAGE.T4"),
    ("liver", "T1a", "N0", "M0", "LIVER8.STAGE.T1a"),
    ("liver", "TX", "N1", "M0", "LIVER8.STAGE.TX"),
    ("kidney", "T3c", "N1", "M0", "KIDNEY8.STAGE.T3"),
    ("kidney", "T1a", "N0", "M1", "KIDNEY8.STAGE.M1"),
    ("bladder", "Ta", "N0", "M0", "BLADDER8.STAGE.Ta"),
    ("bladder", "T2", "N3", "M1a", "BLADDER8.STAGE.M1a"),
    ("cervix", "T1b3", "N0", "M0", "CERVIX8.STAGE.T1b3"),
    ("cervix", "T3b", "N2", "M0", "CERVIX8.STAGE.T3b"),
])
def test_rule_ids(site: str, t: str, n: str, m: str, rule_id: str) -> None:
    found = SITES[site][0].TABLE.lookup(t, n, m).row
    assert found is not None and found.rule_id == rule_id


def test_bladder_t4b_node_positive_is_iva_from_the_corrected_ajcc_cell() -> None:
    pdq_cell = bladder.TABLE.lookup("T4b", "N0", "M0").row
    corrected = bladder.TABLE.lookup("T4b", "N2", "M0").row
    assert pdq_cell is not None and corrected is not None
    assert pdq_cell.stage == corrected.stage == "IVA"
    assert pdq_cell is not corrected


@pytest.mark.parametrize("n", ["N1mi", "N1a", "N2mi", "N2a"])
def test_cervix_has_no_nodal_size_subcategories(n: str) -> None:
    # The PDQ FIGO 2018 table (the only cervix source held) defines no N1/N2 size split, and IIIC
    # already includes micrometastases; such a label is refused rather than silently grouped.
    with pytest.raises(InvalidInput, match=f"{n} is not a N category") as refused:
        cervix.TABLE.lookup("T1b1", n, "M0")
    assert "N1, N2" in refused.value.hint
