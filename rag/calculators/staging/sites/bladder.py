"""Urinary bladder, AJCC 8th edition: one stage-group grid.

T by depth (Ta papillary non-invasive, Tis flat in situ, T1 lamina propria, T2a/T2b inner/outer
half of the muscularis propria, T3a/T3b microscopic/macroscopic perivesical tissue, T4a
prostatic stroma, seminal vesicles, uterus or vagina, T4b pelvic or abdominal wall); N by the
number and site of pelvic nodes (N1 single, N2 multiple in the true pelvis, N3 common iliac);
M1a non-regional nodes only, M1b other distant sites.

T4b with positive nodes: the PDQ summary lists only T4b N0 M0 under IVA and leaves T4b N1–N3 M0
without a group; the AJCC 8th edition as corrected after its first printing puts T4b with any N
in IVA. Both are kept as separate cells of the T4b row so the PDQ cell stays visible.
"""

from __future__ import annotations

import re

from rag.calculators.staging.extract import Descriptors, Fact, evidence
from rag.calculators.staging.site import Context, Derived, SiteSpec
from rag.calculators.staging.sites.branches import table
from rag.calculators.staging.sites.derive import assignment, by_axis
from rag.calculators.staging.sites.reading import UNCLEAR_T, Level, affirmed, deepest, found, positive_nodes, unclear_extent
from rag.calculators.staging.table import Assignment, row

SYSTEM = "AJCC8-bladder"
EDITION = "AJCC 8th edition"
PREFIX = "BLADDER8"

T_CATEGORIES = ("TX", "T0", "Ta", "Tis", "T1", "T2", "T2a", "T2b", "T3", "T3a", "T3b", "T4",
                "T4a", "T4b")
N_CATEGORIES = ("NX", "N0", "N1", "N2", "N3")
M_CATEGORIES = ("M0", "M1", "M1a", "M1b")

_T2 = ("T2", "T2a", "T2b")
_T3 = ("T3", "T3a", "T3b")


def _id(label: str) -> str:
    return f"{PREFIX}.STAGE.{label}"


ROWS = (
    row(_id("Ta"), "0a", "Ta", "N0", "M0"),
    row(_id("Tis"), "0is", "Tis", "N0", "M0"),
    row(_id("T1"), "I", "T1", "N0", "M0"),
    row(_id("T1"), "IIIA", "T1", "N1", "M0"),
    row(_id("T1"), "IIIB", "T1", ("N2", "N3"), "M0"),
    row(_id("T2"), "II", _T2, "N0", "M0"),
    row(_id("T2"), "IIIA", _T2, "N1", "M0"),
    row(_id("T2"), "IIIB", _T2, ("N2", "N3"), "M0"),
    row(_id("T3"), "IIIA", _T3, ("N0", "N1"), "M0"),
    row(_id("T3"), "IIIB", _T3, ("N2", "N3"), "M0"),
    row(_id("T4a"), "IIIA", "T4a", ("N0", "N1"), "M0"),
    row(_id("T4a"), "IIIB", "T4a", ("N2", "N3"), "M0"),
    row(_id("T4b"), "IVA", "T4b", "N0", "M0"),
    row(_id("T4b"), "IVA", "T4b", ("NX", "N1", "N2", "N3"), "M0"),
    row(_id("M1a"), "IVA", T_CATEGORIES, N_CATEGORIES, "M1a"),
    row(_id("M1b"), "IVB", T_CATEGORIES, N_CATEGORIES, "M1b"),
)

TABLE = table(SYSTEM, EDITION, T_CATEGORIES, N_CATEGORIES, M_CATEGORIES, ROWS)


# --- descriptors -------------------------------------------------------------------------------

_DEPTH = (
    Level("Tis", re.compile(r"(?:urothelial\s+)?carcinoma\s+in\s+situ|\bCIS\b", re.I), needs_cue=False),
    Level("Ta", re.compile(r"non-?\s?invasive\s+(?:low|high)?[\s-]*(?:grade\s+)?papillary|"
                           r"papillary\s+(?:urothelial\s+)?carcinoma,?\s+non-?\s?invasive|\bp?Ta\b",
                           re.I), needs_cue=False),
    Level("T1", re.compile(r"lamina\s+propria|subepithelial\s+connective\s+tissue|"
                           r"muscularis\s+mucosae", re.I)),
    Level("T2", re.compile(r"muscularis\s+propria|detrusor|muscle\s+(?:wall|layer)", re.I)),
    Level("T2", re.compile(r"muscle[\s-]+invasive", re.I), needs_cue=False),
    Level("T2a", re.compile(r"(?:superficial|inner\s+half\s+of\s+the)\s+(?:muscularis\s+propria|detrusor)|"
                            r"(?:muscularis\s+propria|detrusor)[^.;]{0,20}inner\s+half", re.I)),
    Level("T2b", re.compile(r"(?:deep|outer\s+half\s+of\s+the)\s+(?:muscularis\s+propria|detrusor)|"
                            r"(?:muscularis\s+propria|detrusor)[^.;]{0,20}outer\s+half", re.I)),
    Level("T3", re.compile(r"peri-?vesical\s+(?:fat|adipose|soft\s+tissue|tissue)|extravesical", re.I)),
    Level("T3a", re.compile(r"microscopic\w*\s+(?:invasion\s+of\s+)?(?:into\s+)?peri-?vesical", re.I)),
    Level("T3b", re.compile(r"macroscopic\w*\s+(?:invasion\s+of\s+|invades\s+)?(?:into\s+)?peri-?vesical|"
                            r"extravesical\s+mass|grossly\s+(?:invades\s+)?(?:into\s+)?peri-?vesical", re.I),
          needs_cue=False),
    Level("T4a", re.compile(r"prostatic\s+stroma|seminal\s+vesicles?|\buterus\b|\bvagina\b", re.I)),
    Level("T4b", re.compile(r"pelvic\s+(?:side\s*)?wall|abdominal\s+wall", re.I)),
)
_COMMON_ILIAC = re.compile(r"common\s+iliac", re.I)
_NODE_POSITIVE = re.compile(r"metasta|positive|involv|carcinoma", re.I)


def _common_iliac_positive(text: str) -> Fact | None:
    """A positive common iliac node (N3): the term in a clause that also reports metastasis."""
    for hit in affirmed(text, _COMMON_ILIAC):
        clause = text[hit.start:hit.start + 200].split(". ")[0:2]
        joined = ". ".join(clause)
        if re.search(r"metastatic\s+(?:urothelial\s+)?carcinoma\s+(?:involving|in)\s+(?:one|two|three|\d+)",
                     joined, re.I) and not re.search(r"negative|no\s+malignancy|benign", joined, re.I):
            return Fact(True, (evidence("N.common_iliac", True, hit.start, hit.end, text),))
    return None


# The CAP synoptic field "Associated epithelial lesions: urothelial carcinoma in situ" lists what lies
# beside the tumour; T is the deepest invasion of the tumour itself (Tis only when nothing invades), so
# an in-situ lesion named there is not the tumour's T (the field ends at the next label's colon).
_ASSOCIATED_FIELD = re.compile(r"(?:\bassociated\s+(?:\w+\s+){0,2}(?:lesions?|findings?)|伴(?:随|发)?(?:上皮)?病变)"
                               r"\s*[:：][^;:：；\n]{0,60}$", re.I)


def _depth(text: str) -> Fact | None:
    depth = deepest(text, _DEPTH, "T.depth")
    if depth is not None and depth.value in ("Tis", "Ta"):
        start = depth.evidence[0].start
        if _ASSOCIATED_FIELD.search(text[max(0, start - 80):start]):
            return None
    return depth


def extract(text: str) -> Descriptors:
    """Depth of invasion, positive pelvic nodes and common iliac involvement."""
    depth = _depth(text)
    return found(("depth", depth), (UNCLEAR_T, unclear_extent(text, _DEPTH, depth)), ("positive_nodes", positive_nodes(text)),
                 ("common_iliac", _common_iliac_positive(text)))


def derive_n(d: Descriptors) -> Assignment | None:
    """N3 for a common iliac node; else N1 for one positive pelvic node, N2 for several."""
    if "common_iliac" in d:
        return assignment(PREFIX, "N", "N3", d["common_iliac"])
    if "positive_nodes" in d:
        count = d["positive_nodes"].value
        category = "N0" if count == 0 else "N1" if count == 1 else "N2"
        return assignment(PREFIX, "N", category, d["positive_nodes"])
    return None


# A transurethral resection or a biopsy samples the bladder wall only: muscularis propria invasion there is
# a floor (at least T2), since perivesical tissue (T3) and neighbouring organs (T4) are seen only on cystectomy.
_RESECTION_ONLY = re.compile(r"\bTURBT?\b|trans-?urethral\s+resection|\bTUR\b|bladder\s+(?:wall\s+)?biops|"
                             r"cold\s+cup|经尿道|电切", re.I)
_CYSTECTOMY = re.compile(r"cystectomy|cystoprostatectomy|pelvic\s+exenteration|膀胱(?:全|部分)?切除", re.I)
_FLOOR_ASK = ("T: muscularis propria invasion on a transurethral resection or biopsy is at least T2; "
              "is there perivesical (T3) or adjacent-organ (T4) invasion on cystectomy?")


def derive(d: Descriptors, ctx: Context) -> Derived:
    """T from the deepest layer reached; N from the number and site of positive nodes.

    T2 read from a resection or biopsy alone is left open (the rule that clinical staging understages).
    """
    t = assignment(PREFIX, "T", d["depth"].value, d["depth"]) if "depth" in d else None
    if t is not None and t.category.startswith("T2") and _RESECTION_ONLY.search(ctx.text) \
            and not _CYSTECTOMY.search(ctx.text):
        return Derived(assignments=by_axis(N=derive_n(d)), rule_ids=("BLADDER8.RULE.CLINICAL_UNDERSTAGING",),
                       missing=(_FLOOR_ASK,))
    return Derived(assignments=by_axis(T=t, N=derive_n(d)))


SITE = SiteSpec(
    system=SYSTEM, edition=EDITION, rule_prefix=PREFIX,
    aliases=("bladder", "urinary bladder", "urothelial", "AJCC8 bladder", "bladder8",
             "bladder cancer"),
    tables={"p": TABLE}, extract=extract, derive=derive,
    needs={"T": ("T: depth of invasion (lamina propria, inner/outer muscularis propria, "
                 "perivesical tissue, adjacent organs)"),
           "N": "N: number of positive pelvic nodes and common iliac involvement",
           "M": "M: distant metastasis status (M0, M1a nodes beyond the common iliacs, M1b other)"},
)
