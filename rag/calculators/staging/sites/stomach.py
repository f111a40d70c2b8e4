"""Stomach carcinoma, AJCC 8th edition: clinical, pathological and post-neoadjuvant tables.

The three tables differ (cN is not split into N3a/N3b in the clinical grid; ypTNM has only
four groups), so the prefix selects the table. Rows follow the grid convention: one rule id per
T row (``STOMACH8.STAGE.PATH.T3``) and one for M1.
"""

from __future__ import annotations

import re

from rag.calculators.staging.extract import Descriptors
from rag.calculators.staging.site import Context, Derived, SiteSpec
from rag.calculators.staging.sites.branches import Branch, table
from rag.calculators.staging.sites.derive import assignment, by_axis, n_by_count
from rag.calculators.staging.sites.reading import Level, extent, found, positive_nodes
from rag.calculators.staging.table import Condition, StageRow, StageTable, row

SYSTEM = "AJCC8-stomach"
EDITION = "AJCC 8th edition"
PREFIX = "STOMACH8"

T_CATEGORIES = ("TX", "T0", "Tis", "T1", "T1a", "T1b", "T2", "T3", "T4", "T4a", "T4b")
N_CATEGORIES = ("NX", "N0", "N1", "N2", "N3", "N3a", "N3b")
M_CATEGORIES = ("M0", "M1")

_T1 = ("T1", "T1a", "T1b")
_N_POS = ("N1", "N2", "N3", "N3a", "N3b")
_N3 = ("N3", "N3a", "N3b")
_ANY_T = T_CATEGORIES
_ANY_N = N_CATEGORIES


def _p(t: str) -> str:
    return f"{PREFIX}.STAGE.PATH.{t}"


def _c(t: str) -> str:
    return f"{PREFIX}.STAGE.CLIN.{t}"


def _yp(t: str) -> str:
    return f"{PREFIX}.STAGE.YP.{t}"


PATHOLOGICAL = (
    row(_p("Tis"), "0", "Tis", "N0", "M0"),
    row(_p("T1"), "IA", _T1, "N0", "M0"),
    row(_p("T1"), "IB", _T1, "N1", "M0"),
    row(_p("T1"), "IIA", _T1, "N2", "M0"),
    row(_p("T1"), "IIB", _T1, "N3a", "M0"),
    row(_p("T1"), "IIIB", _T1, "N3b", "M0"),
    row(_p("T2"), "IB", "T2", "N0", "M0"),
    row(_p("T2"), "IIA", "T2", "N1", "M0"),
    row(_p("T2"), "IIB", "T2", "N2", "M0"),
    row(_p("T2"), "IIIA", "T2", "N3a", "M0"),
    row(_p("T2"), "IIIB", "T2", "N3b", "M0"),
    row(_p("T3"), "IIA", "T3", "N0", "M0"),
    row(_p("T3"), "IIB", "T3", "N1", "M0"),
    row(_p("T3"), "IIIA", "T3", "N2", "M0"),
    row(_p("T3"), "IIIB", "T3", "N3a", "M0"),
    row(_p("T3"), "IIIC", "T3", "N3b", "M0"),
    row(_p("T4a"), "IIB", "T4a", "N0", "M0"),
    row(_p("T4a"), "IIIA", "T4a", ("N1", "N2"), "M0"),
    row(_p("T4a"), "IIIB", "T4a", "N3a", "M0"),
    row(_p("T4a"), "IIIC", "T4a", "N3b", "M0"),
    row(_p("T4b"), "IIIA", "T4b", "N0", "M0"),
    row(_p("T4b"), "IIIB", "T4b", ("N1", "N2"), "M0"),
    row(_p("T4b"), "IIIC", "T4b", ("N3a", "N3b"), "M0"),
    row(_p("M1"), "IV", _ANY_T, _ANY_N, "M1"),
)

CLINICAL = (
    row(_c("Tis"), "0", "Tis", "N0", "M0"),
    row(_c("T1"), "I", _T1, "N0", "M0"),
    row(_c("T1"), "IIA", _T1, _N_POS, "M0"),
    row(_c("T2"), "I", "T2", "N0", "M0"),
    row(_c("T2"), "IIA", "T2", _N_POS, "M0"),
    row(_c("T3"), "IIB", "T3", "N0", "M0"),
    row(_c("T3"), "III", "T3", _N_POS, "M0"),
    row(_c("T4a"), "IIB", "T4a", "N0", "M0"),
    row(_c("T4a"), "III", "T4a", _N_POS, "M0"),
    row(_c("T4b"), "IVA", "T4b", _ANY_N, "M0"),
    row(_c("M1"), "IVB", _ANY_T, _ANY_N, "M1"),
)

POST_NEOADJUVANT = (
    row(_yp("T1"), "I", _T1, ("N0", "N1"), "M0"),
    row(_yp("T1"), "II", _T1, ("N2", *_N3), "M0"),
    row(_yp("T2"), "I", "T2", "N0", "M0"),
    row(_yp("T2"), "II", "T2", ("N1", "N2"), "M0"),
    row(_yp("T2"), "III", "T2", _N3, "M0"),
    row(_yp("T3"), "II", "T3", ("N0", "N1"), "M0"),
    row(_yp("T3"), "III", "T3", ("N2", *_N3), "M0"),
    row(_yp("T4a"), "II", "T4a", "N0", "M0"),
    row(_yp("T4a"), "III", "T4a", _N_POS, "M0"),
    row(_yp("T4b"), "III", "T4b", ("N0", *_N_POS), "M0"),
    row(_yp("M1"), "IV", _ANY_T, _ANY_N, "M1"),
)


def _table(rows: tuple[StageRow, ...]) -> StageTable:
    return table(SYSTEM, EDITION, T_CATEGORIES, N_CATEGORIES, M_CATEGORIES, rows)


BRANCHES = (
    Branch("PATH", (Condition("prefix", "==", "p"),), _table(PATHOLOGICAL)),
    Branch("CLIN", (Condition("prefix", "==", "c"),), _table(CLINICAL)),
    Branch("YP", (Condition("prefix", "==", "yp"),), _table(POST_NEOADJUVANT)),
)


# --- descriptors -------------------------------------------------------------------------------

_DEPTH = (
    Level("T1a", re.compile(r"lamina\s+propria|muscularis\s+mucosae?|intramucosal", re.I)),
    Level("T1b", re.compile(r"submucos\w*", re.I)),
    Level("T2", re.compile(r"muscularis\s+propria|muscle\s+(?:wall|layer)|muscular\s+layer", re.I)),
    Level("T3", re.compile(r"subserosa\w*|perigastric\s+(?:fat|adipose|soft)|"
                           r"(?<!not\s)(?:through|beyond)\s+(?:the\s+)?(?:muscularis\s+propria|muscular\s+(?:wall|layer|coat))|"
                           r"adipos\w*\s+(?:tissue\s+)?peri(?:gastric|ventricular)\w*|"
                           r"(?:gastrocolic|gastrohepatic|gastrosplenic)\s+ligament|"
                           r"(?:greater|lesser)\s+omentum", re.I)),
    Level("T4a", re.compile(r"(?<!sub)serosa\b|serosal\s+surface|visceral\s+peritoneum", re.I)),
    Level("T4b", re.compile(r"adjacent\s+(?:structures?|organs?)|\bspleen\b|transverse\s+colon|"
                            r"\bdiaphragm\b|pancreas(?!\w)(?!\s+(?:lymph|nodes?))|abdominal\s+wall|"
                            r"adrenal\s+gland|retroperitoneum|\bliver\b|transverse\s+mesocolon|"
                            r"\bkidneys?\b|small\s+(?:intestine|bowel)", re.I)),
)
# N bands by count of positive regional nodes (pathological N3 splits at 16).
N_BANDS = ((0, "N0"), (1, "N1"), (3, "N2"), (7, "N3a"), (16, "N3b"))


def extract(text: str) -> Descriptors:
    """Depth of invasion and positive regional node count from report text."""
    return found(*extent(text, _DEPTH, "depth", "T.depth"), ("positive_nodes", positive_nodes(text)))


def derive(d: Descriptors, ctx: Context) -> Derived:
    """T from the deepest layer reached; N from the number of positive nodes."""
    t = assignment(PREFIX, "T", d["depth"].value, d["depth"]) if "depth" in d else None
    return Derived(assignments=by_axis(T=t, N=n_by_count(PREFIX, d, N_BANDS)))


SITE = SiteSpec(
    system=SYSTEM, edition=EDITION, rule_prefix=PREFIX,
    aliases=("stomach", "gastric", "AJCC8 stomach", "stomach8", "gastric cancer", "AJCC8-gastric"),
    # without a prefix the pathological table is used (listed first; see SiteSpec.table_for)
    tables={"p": _table(PATHOLOGICAL), "c": _table(CLINICAL), "yp": _table(POST_NEOADJUVANT)},
    extract=extract, derive=derive,
    needs={"T": "T: depth of invasion (lamina propria ... serosa, adjacent organs)",
           "N": "N: number of positive regional lymph nodes",
           "M": "M: distant metastasis status (M0 if none)"},
)
