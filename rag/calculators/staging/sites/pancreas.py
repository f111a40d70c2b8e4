"""Exocrine pancreas, AJCC 8th edition: one stage-group grid for clinical and pathological use.

T is by size (T1a ≤0.5 cm, T1b >0.5 to <1 cm, T1c 1–2 cm, T2 >2 to ≤4 cm, T3 >4 cm) unless the
tumour involves the coeliac axis, superior mesenteric artery or common hepatic artery (T4 at
any size); N by the number of positive regional nodes (N1 1–3, N2 ≥4).
"""

from __future__ import annotations

import re

from rag.calculators.staging.extract import Descriptors
from rag.calculators.staging.site import Context, Derived, SiteSpec
from rag.calculators.staging.sites.branches import table
from rag.calculators.staging.sites.derive import assignment, by_axis, n_by_count, t_by_size
from rag.calculators.staging.sites.reading import first_affirmed, found, positive_nodes, tumour_size
from rag.calculators.staging.table import Assignment, row

SYSTEM = "AJCC8-pancreas"
EDITION = "AJCC 8th edition"
PREFIX = "PANC8"

T_CATEGORIES = ("TX", "T0", "Tis", "T1", "T1a", "T1b", "T1c", "T2", "T3", "T4")
N_CATEGORIES = ("NX", "N0", "N1", "N2")
M_CATEGORIES = ("M0", "M1")

_T1 = ("T1", "T1a", "T1b", "T1c")


def _id(label: str) -> str:
    return f"{PREFIX}.STAGE.{label}"


ROWS = (
    row(_id("Tis"), "0", "Tis", "N0", "M0"),
    row(_id("T1"), "IA", _T1, "N0", "M0"),
    row(_id("T1"), "IIB", _T1, "N1", "M0"),
    row(_id("T1"), "III", _T1, "N2", "M0"),
    row(_id("T2"), "IB", "T2", "N0", "M0"),
    row(_id("T2"), "IIB", "T2", "N1", "M0"),
    row(_id("T2"), "III", "T2", "N2", "M0"),
    row(_id("T3"), "IIA", "T3", "N0", "M0"),
    row(_id("T3"), "IIB", "T3", "N1", "M0"),
    row(_id("T3"), "III", "T3", "N2", "M0"),
    row(_id("T4"), "III", "T4", N_CATEGORIES, "M0"),
    row(_id("M1"), "IV", T_CATEGORIES, N_CATEGORIES, "M1"),
)

TABLE = table(SYSTEM, EDITION, T_CATEGORIES, N_CATEGORIES, M_CATEGORIES, ROWS)


# --- descriptors -------------------------------------------------------------------------------

# Size bands in mm, upper bound inclusive: ≤5 T1a; >5 and <10 T1b; 10–20 T1c; >20–40 T2; >40 T3.
# T1b's bound is strict (<1 cm), so 10.0 mm is T1c: the T1b band stops just below 10.
SIZE_BANDS = ((5.0, "T1a"), (9.999, "T1b"), (20.0, "T1c"), (40.0, "T2"))
N_BANDS = ((0, "N0"), (1, "N1"), (4, "N2"))
_ARTERY = re.compile(r"c(?:o)?eliac\s+(?:axis|trunk|artery)|superior\s+mesenteric\s+artery|\bSMA\b|"
                     r"common\s+hepatic\s+artery", re.I)


def extract(text: str) -> Descriptors:
    """Tumour size, arterial involvement and positive regional node count."""
    return found(("size_mm", tumour_size(text)), ("positive_nodes", positive_nodes(text)),
                 ("artery", first_affirmed(text, _ARTERY, "T.artery", "involved", needs_cue=True)))


def derive_t(d: Descriptors) -> Assignment | None:
    """T4 when a named artery is involved (any size), otherwise T by size."""
    if "artery" in d:
        return assignment(PREFIX, "T", "T4", d["artery"])
    return t_by_size(PREFIX, d, SIZE_BANDS, "T3")


def derive(d: Descriptors, ctx: Context) -> Derived:
    """T from artery involvement or size; N from the count of positive nodes."""
    return Derived(assignments=by_axis(T=derive_t(d), N=n_by_count(PREFIX, d, N_BANDS)))


SITE = SiteSpec(
    system=SYSTEM, edition=EDITION, rule_prefix=PREFIX,
    aliases=("pancreas", "pancreatic", "exocrine pancreas", "AJCC8 pancreas", "pancreas8",
             "pancreatic cancer"),
    tables={"p": TABLE}, extract=extract, derive=derive,
    needs={"T": "T: tumour greatest dimension (cm) and coeliac/SMA/common hepatic artery involvement",
           "N": "N: number of positive regional lymph nodes", "M": "M: distant metastasis status (M0 if none)"},
)
