"""Kidney (renal cell carcinoma), AJCC 8th edition: one stage-group grid.

T by size while the tumour is limited to the kidney (T1a ≤4, T1b >4 to ≤7, T2a >7 to ≤10,
T2b >10 cm), then by extension: renal vein, pelvicalyceal system, perirenal or sinus fat (T3a),
vena cava below (T3b) or above the diaphragm or its wall (T3c), beyond Gerota's fascia or
contiguous ipsilateral adrenal (T4). Any regional node is N1.
"""

from __future__ import annotations

import re

from rag.calculators.staging.extract import Descriptors
from rag.calculators.staging.site import Context, Derived, SiteSpec
from rag.calculators.staging.sites.branches import table
from rag.calculators.staging.sites.derive import assignment, by_axis, n_by_count, t_by_size
from rag.calculators.staging.sites.reading import Level, extent, found, positive_nodes, tumour_size
from rag.calculators.staging.table import Assignment, row

SYSTEM = "AJCC8-kidney"
EDITION = "AJCC 8th edition"
PREFIX = "KIDNEY8"

T_CATEGORIES = ("TX", "T0", "T1", "T1a", "T1b", "T2", "T2a", "T2b", "T3", "T3a", "T3b", "T3c",
                "T4")
N_CATEGORIES = ("NX", "N0", "N1")
M_CATEGORIES = ("M0", "M1")

_T1 = ("T1", "T1a", "T1b")
_T2 = ("T2", "T2a", "T2b")
_T3 = ("T3", "T3a", "T3b", "T3c")


def _id(label: str) -> str:
    return f"{PREFIX}.STAGE.{label}"


ROWS = (
    row(_id("T1"), "I", _T1, "N0", "M0"),
    row(_id("T1"), "III", _T1, "N1", "M0"),
    row(_id("T2"), "II", _T2, "N0", "M0"),
    row(_id("T2"), "III", _T2, "N1", "M0"),
    row(_id("T3"), "III", _T3, ("N0", "N1"), "M0"),
    row(_id("T4"), "IV", "T4", N_CATEGORIES, "M0"),
    row(_id("M1"), "IV", T_CATEGORIES, N_CATEGORIES, "M1"),
)

TABLE = table(SYSTEM, EDITION, T_CATEGORIES, N_CATEGORIES, M_CATEGORIES, ROWS)


# --- descriptors -------------------------------------------------------------------------------

SIZE_BANDS = ((40.0, "T1a"), (70.0, "T1b"), (100.0, "T2a"))  # mm, inclusive; >100 T2b
N_BANDS = ((0, "N0"), (1, "N1"))  # any positive regional node is N1
_EXTENT = (
    Level("T3a", re.compile(r"renal\s+vein|segmental\s+(?:renal\s+)?vein|renal\s+sinus|sinus\s+fat|"
                            r"peri-?(?:nephric|renal)\s+(?:fat|adipose|soft|tissue)|"
                            r"pelvi-?calyceal|collecting\s+system", re.I)),
    Level("T3b", re.compile(r"(?:inferior\s+)?vena\s+cava|\bIVC\b", re.I)),
    Level("T3c", re.compile(r"(?:vena\s+cava|\bIVC\b)[^.;]{0,30}above\s+the\s+diaphragm|"
                            r"wall\s+of\s+the\s+(?:inferior\s+)?(?:vena\s+cava|IVC)", re.I)),
    Level("T4", re.compile(r"(?:beyond|through|penetrat\w*|invad\w*|breach\w*)\s+(?:the\s+)?"
                           r"gerota'?\s?s?\s+fascia|gerota'?\s?s?\s+fascia\W{0,3}(?:invaded|involved|"
                           r"breached|present)|(?:ipsilateral\s+)?adrenal\s+gland", re.I)),
)


def extract(text: str) -> Descriptors:
    """Tumour size, extension beyond the kidney and positive regional node count."""
    return found(("size_mm", tumour_size(text)), *extent(text, _EXTENT, "extent", "T.extent"),
                 ("positive_nodes", positive_nodes(text)))


def derive_t(d: Descriptors) -> Assignment | None:
    """Extension decides T3a–T4; a tumour limited to the kidney is staged by size."""
    if "extent" in d:
        return assignment(PREFIX, "T", d["extent"].value, d["extent"])
    return t_by_size(PREFIX, d, SIZE_BANDS, "T2b")


def derive(d: Descriptors, ctx: Context) -> Derived:
    """T from extension or size; N1 for any positive regional node."""
    return Derived(assignments=by_axis(T=derive_t(d), N=n_by_count(PREFIX, d, N_BANDS)))


SITE = SiteSpec(
    system=SYSTEM, edition=EDITION, rule_prefix=PREFIX,
    aliases=("kidney", "renal", "renal cell carcinoma", "RCC", "AJCC8 kidney", "kidney8"),
    tables={"p": TABLE}, extract=extract, derive=derive,
    needs={"T": ("T: tumour greatest dimension (cm) and any extension (renal vein, sinus or "
                 "perinephric fat, vena cava, Gerota's fascia)"),
           "N": "N: regional lymph node status", "M": "M: distant metastasis status (M0 if none)"},
)
