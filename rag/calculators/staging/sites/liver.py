"""Hepatocellular carcinoma, AJCC 8th edition: one stage-group grid.

T depends on the number of tumours, the largest size (2 cm and 5 cm cut-offs), vascular
invasion and major-vessel or adjacent-organ involvement; any regional node is N1 and gives IVA
whatever the T ("any T, N1, M0"), so every T row, TX and T0 included, carries an N1 cell. The
parent T1 has no row: grouping tries T1a and T1b (group.py), as the corpus grid lists them.
"""

from __future__ import annotations

import re

from rag.calculators.staging.extract import Descriptors, Fact, evidence, find
from rag.calculators.staging.site import Context, Derived, SiteSpec
from rag.calculators.staging.sites.branches import table
from rag.calculators.staging.sites.derive import assignment, by_axis, n_by_count
from rag.calculators.staging.sites.reading import first_affirmed, found, positive_nodes, tumour_size
from rag.calculators.staging.table import Assignment, row

SYSTEM = "AJCC8-liver"
EDITION = "AJCC 8th edition"
PREFIX = "LIVER8"

T_CATEGORIES = ("TX", "T0", "T1", "T1a", "T1b", "T2", "T3", "T4")
N_CATEGORIES = ("NX", "N0", "N1")
M_CATEGORIES = ("M0", "M1")


def _id(label: str) -> str:
    return f"{PREFIX}.STAGE.{label}"


ROWS = (
    row(_id("TX"), "IVA", "TX", "N1", "M0"),
    row(_id("T0"), "IVA", "T0", "N1", "M0"),
    row(_id("T1a"), "IA", "T1a", "N0", "M0"),
    row(_id("T1a"), "IVA", "T1a", "N1", "M0"),
    row(_id("T1b"), "IB", "T1b", "N0", "M0"),
    row(_id("T1b"), "IVA", "T1b", "N1", "M0"),
    row(_id("T2"), "II", "T2", "N0", "M0"),
    row(_id("T2"), "IVA", "T2", "N1", "M0"),
    row(_id("T3"), "IIIA", "T3", "N0", "M0"),
    row(_id("T3"), "IVA", "T3", "N1", "M0"),
    row(_id("T4"), "IIIB", "T4", "N0", "M0"),
    row(_id("T4"), "IVA", "T4", "N1", "M0"),
    row(_id("M1"), "IVB", T_CATEGORIES, N_CATEGORIES, "M1"),
)

TABLE = table(SYSTEM, EDITION, T_CATEGORIES, N_CATEGORIES, M_CATEGORIES, ROWS)


# --- descriptors -------------------------------------------------------------------------------

_MULTIPLE = re.compile(r"multifocal|multiple\s+(?:tumou?rs|nodules|masses|lesions|foci)|"
                       r"tumou?r\s+number\s*[:=]\s*(?:two|three|four|five|several|multiple|[2-9])|"
                       r"multicent(?:e)?ric\s+occurrence|intrahepatic\s+metastas[ie]s|"
                       r"satellite\s+(?:nodules?|lesions?|tumou?rs?)|"
                       r"\b(?:two|three|four|five|[2-9])\s+(?:separate\s+)?(?:tumou?rs|nodules|masses)",
                       re.I)
_SOLITARY = re.compile(r"solitary|unifocal|single\s+(?:tumou?r|nodule|mass|lesion)|"
                       r"tumou?r\s+number\s*[:=]\s*(?:one|single|1)\b", re.I)
_VASCULAR = re.compile(r"(?:micro|macro|lympho)?-?vascular\s+(?:space\s+)?invasion|"
                       r"vascular\s+involvement|angioinvasion|micro-?vessel\s+invasion|"
                       r"(?:portal|hepatic)\s+vein\s+invasion|venous\s+invasion", re.I)
_MAJOR_VESSEL = re.compile(r"(?:main|major|right|left)\s+(?:branch\s+of\s+the\s+)?portal\s+vein|"
                           r"(?:right|middle|left|major)\s+hepatic\s+vein|"
                           r"major\s+branch\s+of\s+the\s+(?:portal|hepatic)\s+vein", re.I)
_ADJACENT = re.compile(r"visceral\s+peritoneum|\bdiaphragm\b|\bstomach\b|\bcolon\b|duodenum|"
                       r"adrenal\s+gland|abdominal\s+wall", re.I)

# T4 facts first (any size), then number, size and vascular invasion.
SIZE_T1A_MM = 20.0  # solitary ≤2 cm is T1a with or without vascular invasion
SIZE_MULTIPLE_MM = 50.0  # multiple, none >5 cm is T2; at least one >5 cm is T3
N_BANDS = ((0, "N0"), (1, "N1"))  # any positive regional node is N1


def _vascular(text: str) -> Fact | None:
    """Vascular invasion: True when any mention affirms it, False when every mention denies it."""
    hits = list(find(text, _VASCULAR))
    if not hits:
        return None
    chosen = next((h for h in hits if not h.negated), hits[0])
    if chosen.negated and not all(h.denied for h in hits):
        return None  # "possible microvascular invasion": neither present nor absent
    value = not chosen.negated
    return Fact(value, (evidence("T.vascular_invasion", value, chosen.start, chosen.end, text),))


def extract(text: str) -> Descriptors:
    """Number, size, vascular invasion, major-vessel and adjacent-organ involvement, nodes."""
    return found(("size_mm", tumour_size(text)), ("positive_nodes", positive_nodes(text)),
                 ("vascular_invasion", _vascular(text)),
                 ("major_vessel", first_affirmed(text, _MAJOR_VESSEL, "T.major_vessel", "involved",
                                                 needs_cue=True)),
                 ("adjacent_organ", first_affirmed(text, _ADJACENT, "T.adjacent_organ", "involved",
                                                   needs_cue=True)),
                 ("multiple", first_affirmed(text, _MULTIPLE, "T.multiple", True)),
                 ("solitary", first_affirmed(text, _SOLITARY, "T.solitary", True)))


def derive_t(d: Descriptors) -> tuple[Assignment | None, tuple[str, ...]]:
    """T from the AJCC 8th liver rules; also what is missing when the facts stop short."""
    if "major_vessel" in d or "adjacent_organ" in d:
        return assignment(PREFIX, "T", "T4", d.get("major_vessel"), d.get("adjacent_organ")), ()
    size = d.get("size_mm")
    if "multiple" in d and "solitary" in d:
        return None, ("focality",)  # "Tumor focality: solitary" and "multifocal" in one report: ask, never choose
    if "multiple" in d:
        if size is None:
            return None, ("size",)
        category = "T3" if size.value > SIZE_MULTIPLE_MM else "T2"
        return assignment(PREFIX, "T", category, d["multiple"], size), ()
    if size is None:
        return None, ()
    if size.value <= SIZE_T1A_MM:
        return assignment(PREFIX, "T", "T1a", size, d.get("solitary")), ()
    vascular = d.get("vascular_invasion")
    if vascular is None:
        return None, ("vascular_invasion",)
    category = "T2" if vascular.value else "T1b"
    return assignment(PREFIX, "T", category, size, vascular, d.get("solitary")), ()


def derive(d: Descriptors, ctx: Context) -> Derived:
    """T from number, size and invasion; N1 for any positive regional node."""
    t, missing = derive_t(d)
    needs = tuple(_NEEDS_EXTRA[k] for k in missing)
    return Derived(assignments=by_axis(T=t, N=n_by_count(PREFIX, d, N_BANDS)), missing=needs)


_NEEDS_EXTRA = {"size": "T: size of the largest tumour (cm)",
                "focality": "T: the report calls the tumour both solitary and multiple; state the number of tumours",
                "vascular_invasion": "T: vascular invasion (present or absent) for a solitary tumour >2 cm"}

SITE = SiteSpec(
    system=SYSTEM, edition=EDITION, rule_prefix=PREFIX,
    aliases=("liver", "hepatocellular", "hepatocellular carcinoma", "HCC", "AJCC8 liver", "liver8"),
    tables={"p": TABLE}, extract=extract, derive=derive,
    needs={"T": ("T: number of tumours, largest size (cm), vascular invasion, major "
                 "portal/hepatic vein or adjacent-organ involvement"),
           "N": "N: regional lymph node status", "M": "M: distant metastasis status (M0 if none)"},
)
