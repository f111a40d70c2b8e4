"""Cervix uteri: FIGO 2018 stages and the matching TNM categories.

The PDQ summary stages cervical cancer by FIGO 2018 (the AJCC's later cervix chapter, Version 9,
uses the same categories: T1b1 ≤2 cm, T1b2 >2 to ≤4 cm, T1b3 >4 cm; nodes N1 pelvic, N2
para-aortic). Under FIGO 2018 any pelvic node gives IIIC1 and any para-aortic node IIIC2,
whatever the size and extent of the tumour, except that T4 (bladder or rectal mucosa, beyond the
true pelvis) stays IVA. Isolated tumour cells (N0(i+)) do not change the stage; micrometastases
do. The system id keeps the project's AJCC8-cervix name; the edition string says what is used.
"""

from __future__ import annotations

import re

from rag.calculators.staging.extract import Descriptors, Fact, evidence, find
from rag.calculators.staging.site import Context, Derived, SiteSpec
from rag.calculators.staging.sites.branches import table
from rag.calculators.staging.sites.derive import assignment, by_axis, by_size
from rag.calculators.staging.sites.reading import Level, extent, found, positive_nodes, tumour_size
from rag.calculators.staging.table import Assignment, StageRow, row

SYSTEM = "AJCC8-cervix"
EDITION = "FIGO 2018 (TNM categories as in AJCC Version 9)"
PREFIX = "CERVIX8"

T_CATEGORIES = ("TX", "T0", "T1", "T1a", "T1a1", "T1a2", "T1b", "T1b1", "T1b2", "T1b3", "T2",
                "T2a", "T2a1", "T2a2", "T2b", "T3", "T3a", "T3b", "T4")
# No N1/N2 size subcategories: the PDQ source (FIGO 2018) gives none, and IIIC includes
# micrometastases, so a size split would not change the stage (docs/fact_check/other.md).
N_CATEGORIES = ("NX", "N0", "N0(i+)", "N1", "N2")
M_CATEGORIES = ("M0", "M1")

# With NX no IIIC stage can be shown, so the tumour's own stage (the N0 column) applies; isolated
# tumour cells do not change the stage either (corpus: ajcc8-cervix, stage grid note).
_N0 = ("N0", "N0(i+)", "NX")
_N1 = ("N1",)
_N2 = ("N2",)

# FIGO stage of each most specific T category when no regional node is involved: the corpus grid
# rows. Parent labels (T1b, T2a, T3 ...) have no row of their own: grouping tries each child
# (group.py), so "T1b N1" cites the T1b1-T1b3 rows and "T1b N0" asks for the size.
_BY_T = {
    "T1a1": "IA1", "T1a2": "IA2", "T1b1": "IB1", "T1b2": "IB2", "T1b3": "IB3",
    "T2a1": "IIA1", "T2a2": "IIA2", "T2b": "IIB", "T3a": "IIIA", "T3b": "IIIB",
}


def _id(label: str) -> str:
    return f"{PREFIX}.STAGE.{label}"


def _rows() -> tuple[StageRow, ...]:
    # TX with nodal disease: IIIC1/IIIC2 whatever the tumour's extent (CERVIX8.STAGE.TX).
    out = [row(_id("TX"), "IIIC1", "TX", _N1, "M0"), row(_id("TX"), "IIIC2", "TX", _N2, "M0")]
    for t, stage in _BY_T.items():
        out.append(row(_id(t), stage, t, _N0, "M0"))
        out.append(row(_id(t), "IIIC1", t, _N1, "M0"))
        out.append(row(_id(t), "IIIC2", t, _N2, "M0"))
    out.append(row(_id("T4"), "IVA", "T4", N_CATEGORIES, "M0"))
    out.append(row(_id("M1"), "IVB", T_CATEGORIES, N_CATEGORIES, "M1"))
    return tuple(out)


ROWS = _rows()

TABLE = table(SYSTEM, EDITION, T_CATEGORIES, N_CATEGORIES, M_CATEGORIES, ROWS)


# --- descriptors -------------------------------------------------------------------------------

DEPTH_BANDS = ((3.0, "T1a1"), (5.0, "T1a2"))  # mm of stromal invasion, inclusive; >5 → T1b
SIZE_T1B_BANDS = ((20.0, "T1b1"), (40.0, "T1b2"))  # mm, inclusive; >40 T1b3
SIZE_T2A_LIMIT = 40.0  # ≤4 cm T2a1, >4 cm T2a2
_EXTENT = (
    Level("T2a", re.compile(r"(?:upper|proximal)\s+(?:two[\s-]thirds|2/3)\s+of\s+(?:the\s+)?vagina|"
                            r"vaginal\s+(?:fornix|cuff|wall)|\bvagina\b", re.I)),
    Level("T2b", re.compile(r"parametri(?:um|al)", re.I)),
    Level("T3a", re.compile(r"lower\s+(?:third|1/3)\s+of\s+(?:the\s+)?vagina|"
                            r"vagina\w*[^.;]{0,30}\blower\s+(?:third|1/3)", re.I)),
    Level("T3b", re.compile(r"pelvic\s+(?:side\s*)?wall|hydronephrosis|non-?functioning\s+kidney",
                            re.I)),
    Level("T4", re.compile(r"bladder\s+mucosa|rectal\s+mucosa|mucosa\s+of\s+the\s+(?:bladder|rectum)|"
                           r"beyond\s+the\s+true\s+pelvis", re.I)),
)
_DEPTH = re.compile(r"(?:depth\s+of\s+(?:stromal\s+)?invasion|invasion\s+depth|invades\s+to\s+a\s+depth"
                    r"\s+of|stromal\s+invasion|tumou?r\s+thickness)\D{0,20}?(?P<n>\d+(?:\.\d+)?)\s*(?P<u>mm|cm)", re.I)
_PELVIC = re.compile(r"(?:pelvic|obturator|(?:internal|external|common)\s+iliac|parametrial|paracervical|presacral)"
                     r"\s+(?:tissue\s+)?(?:lymph\.?\s+)?nodes?", re.I)
_PARA_AORTIC = re.compile(r"(?:para|peri)-?aortic\s+(?:lymph\s+)?nodes?", re.I)
# The sentence a node group is reported in: "D. Left pelvic nodes: two of eleven with carcinoma (2/11)."
# A fixed window reached into the neighbouring part's "(0/23)" and read a positive group as negative.
_STOP = re.compile(r"\.(?!\d)\s|;|\n")
_NODE_POS = re.compile(r"metasta|positive|involved|carcinoma\s+in|with\s+(?:\w+\s+)?carcinoma", re.I)
_NODE_NEG = re.compile(r"negative|no\s+(?:metasta|malignan|tumou?r|carcinoma)|free\s+of|benign|"
                       r"0\s*/\s*\d+", re.I)


def _depth(text: str) -> Fact | None:
    m = _DEPTH.search(text)
    if m is None:
        return None
    mm = float(m.group("n")) * (10 if m.group("u").lower() == "cm" else 1)
    return Fact(mm, (evidence("T.invasion_depth_mm", f"{mm:g} mm", m.start(), m.end(), text),))


def _nodes(text: str, pattern: re.Pattern[str], key: str) -> Fact | None:
    """True when a clause names these nodes and reports metastasis, False when it denies it."""
    verdict: Fact | None = None
    for hit in find(text, pattern):
        if hit.negated and not hit.denied:
            continue  # hedged or historical ("possible pelvic node metastasis"): neither positive nor negative
        before = text[max(0, hit.start - 80):hit.start]
        cut = max((m.end() for m in _STOP.finditer(before)), default=0)
        stop = _STOP.search(text, hit.end, hit.end + 120)
        clause = before[cut:] + text[hit.start:stop.start() if stop else hit.end + 80]
        positive = bool(_NODE_POS.search(clause)) and not hit.negated and not _NODE_NEG.search(clause)
        fact = Fact(positive, (evidence(key, positive, hit.start, hit.end, text),))
        if positive:
            return fact
        if hit.denied or _NODE_NEG.search(clause):  # a specimen-list mention ("2. Left pelvic nodes.") is no verdict
            verdict = verdict or fact
    return verdict


def extract(text: str) -> Descriptors:
    """Depth of stromal invasion, size, extension, pelvic and para-aortic node status."""
    return found(("invasion_depth_mm", _depth(text)), ("size_mm", tumour_size(text)),
                 *extent(text, _EXTENT, "extent", "T.extent"),
                 ("pelvic_nodes", _nodes(text, _PELVIC, "N.pelvic")),
                 ("para_aortic_nodes", _nodes(text, _PARA_AORTIC, "N.para_aortic")),
                 ("positive_nodes", positive_nodes(text)))


def derive_t(d: Descriptors) -> Assignment | None:
    """Extension beyond the cervix first; then size for T1b/T2a, depth for T1a."""
    extent, size, depth = d.get("extent"), d.get("size_mm"), d.get("invasion_depth_mm")
    if extent is not None:
        if extent.value == "T2a" and size is not None:
            category = "T2a1" if size.value <= SIZE_T2A_LIMIT else "T2a2"
            return assignment(PREFIX, "T", category, extent, size)
        return assignment(PREFIX, "T", extent.value, extent)
    if depth is not None and depth.value <= DEPTH_BANDS[-1][0]:
        return assignment(PREFIX, "T", by_size(depth.value, DEPTH_BANDS, "T1b"), depth)
    if size is not None and (depth is None or depth.value > DEPTH_BANDS[-1][0]):
        return assignment(PREFIX, "T", by_size(size.value, SIZE_T1B_BANDS, "T1b3"), size, depth)
    return None


def derive_n(d: Descriptors) -> Assignment | None:
    """N2 for a para-aortic node, N1 for pelvic nodes only, N0 when both are denied."""
    pelvic, aortic = d.get("pelvic_nodes"), d.get("para_aortic_nodes")
    if aortic is not None and aortic.value:
        return assignment(PREFIX, "N", "N2", aortic)
    if pelvic is not None and pelvic.value:
        return assignment(PREFIX, "N", "N1", pelvic)
    if pelvic is not None:
        return assignment(PREFIX, "N", "N0", pelvic, aortic)
    count = d.get("positive_nodes")
    if count is not None and count.value == 0:
        return assignment(PREFIX, "N", "N0", count)  # "Lymph nodes: 0/7": every regional node negative
    return None  # positive nodes with no group named: pelvic (N1) or para-aortic (N2) is not said


def derive(d: Descriptors, ctx: Context) -> Derived:
    """FIGO-aligned T and N from the report's descriptors."""
    return Derived(assignments=by_axis(T=derive_t(d), N=derive_n(d)))


SITE = SiteSpec(
    system=SYSTEM, edition=EDITION, rule_prefix=PREFIX,
    aliases=("cervix", "cervical", "cervix uteri", "cervical cancer", "FIGO-cervix",
             "FIGO2018-cervix", "FIGO 2018 cervix", "AJCC9-cervix"),
    tables={"p": TABLE}, extract=extract, derive=derive,
    needs={"T": ("T: depth of stromal invasion (mm), tumour size (cm) and extension "
                 "(vagina, parametrium, pelvic wall, bladder/rectal mucosa)"),
           "N": "N: pelvic and para-aortic lymph node status",
           "M": "M: distant metastasis status (M0 if none)"},
)
