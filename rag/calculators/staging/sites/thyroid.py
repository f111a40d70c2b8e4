"""Thyroid carcinoma, AJCC 8th edition: four stage-group tables chosen by histology and age.

Differentiated carcinoma (papillary, follicular, Hürthle cell, poorly differentiated) is staged
by age at diagnosis (<55 or ≥55 years); anaplastic carcinoma is always stage IV (IVA–IVC);
medullary carcinoma has its own table. T3 without a/b is accepted where the ≥55 table gives
T3a and T3b the same group; T4 without a/b where anaplastic gives T4a and T4b the same group.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from rag.calculators.staging.extract import Descriptors, Fact, evidence, find
from rag.calculators.staging.site import Context, Derived, SiteSpec
from rag.calculators.staging.sites.branches import Branch, branched, table
from rag.calculators.staging.sites.derive import assignment, by_axis, t_by_size
from rag.calculators.staging.sites.reading import Level, affirmed, deepest, found, positive_nodes, tumour_size
from rag.calculators.staging.table import Assignment, Condition, StageRow, StageTable, row

SYSTEM = "AJCC8-thyroid"
EDITION = "AJCC 8th edition"
PREFIX = "THYROID8"

T_CATEGORIES = ("TX", "T0", "T1", "T1a", "T1b", "T2", "T3", "T3a", "T3b", "T4", "T4a", "T4b")
N_CATEGORIES = ("NX", "N0", "N0a", "N0b", "N1", "N1a", "N1b")
M_CATEGORIES = ("M0", "M1")
HISTOLOGIES = ("differentiated", "anaplastic", "medullary")

_T1 = ("T1", "T1a", "T1b")
_T1_T3A = (*_T1, "T2", "T3a")
_T1_T3 = (*_T1, "T2", "T3", "T3a", "T3b")
_N0 = ("N0", "N0a", "N0b")
_N0_NX = (*_N0, "NX")
_N1 = ("N1", "N1a", "N1b")
_ANY_T = T_CATEGORIES
_ANY_N = N_CATEGORIES


def _rows(branch: str, spec: list[tuple]) -> tuple[StageRow, ...]:
    """``(group_id, stage, T, N, M)`` → rows under ``THYROID8.STAGE.<branch>``."""
    return tuple(row(f"{PREFIX}.STAGE.{branch}.{g}", s, t, n, m) for g, s, t, n, m in spec)


DIFF_LT55 = _rows("DIFF.AGE_LT55", [
    ("I", "I", _ANY_T, _ANY_N, "M0"),
    ("II", "II", _ANY_T, _ANY_N, "M1"),
])

DIFF_GE55 = _rows("DIFF.AGE_GE55", [
    ("I", "I", (*_T1, "T2"), _N0_NX, "M0"),
    ("II.1", "II", (*_T1, "T2"), _N1, "M0"),
    ("II.2", "II", ("T3", "T3a", "T3b"), _ANY_N, "M0"),
    ("III", "III", "T4a", _ANY_N, "M0"),
    ("IVA", "IVA", "T4b", _ANY_N, "M0"),
    ("IVB", "IVB", _ANY_T, _ANY_N, "M1"),
])

ANAPLASTIC = _rows("ANAPLASTIC", [
    ("IVA", "IVA", _T1_T3A, _N0_NX, "M0"),
    ("IVB.1", "IVB", _T1_T3A, _N1, "M0"),
    ("IVB.2", "IVB", "T3b", _ANY_N, "M0"),
    ("IVB.3", "IVB", ("T4", "T4a", "T4b"), _ANY_N, "M0"),
    ("IVC", "IVC", _ANY_T, _ANY_N, "M1"),
])

MEDULLARY = _rows("MEDULLARY", [
    ("I", "I", _T1, _N0, "M0"),
    ("II", "II", ("T2", "T3", "T3a", "T3b"), _N0, "M0"),
    ("III", "III", _T1_T3, "N1a", "M0"),
    ("IVA.1", "IVA", "T4a", _ANY_N, "M0"),
    ("IVA.2", "IVA", _T1_T3, "N1b", "M0"),
    ("IVB", "IVB", "T4b", _ANY_N, "M0"),
    ("IVC", "IVC", _ANY_T, _ANY_N, "M1"),
])


def _table(rows: tuple[StageRow, ...]) -> StageTable:
    return table(SYSTEM, EDITION, T_CATEGORIES, N_CATEGORIES, M_CATEGORIES, rows)


_DIFF = Condition("histology", "==", "differentiated")

BRANCHES = (
    Branch("DIFF.AGE_LT55", (_DIFF, Condition("age", "<", 55)), _table(DIFF_LT55)),
    Branch("DIFF.AGE_GE55", (_DIFF, Condition("age", ">=", 55)), _table(DIFF_GE55)),
    Branch("ANAPLASTIC", (Condition("histology", "==", "anaplastic"),), _table(ANAPLASTIC)),
    Branch("MEDULLARY", (Condition("histology", "==", "medullary"),), _table(MEDULLARY)),
)


# --- inputs and descriptors ---------------------------------------------------------------------

_HISTOLOGY = {"papillary": "differentiated", "follicular": "differentiated",
              "hurthle": "differentiated", "hürthle": "differentiated",
              "oncocytic": "differentiated", "poorly differentiated": "differentiated",
              "well differentiated": "differentiated", "differentiated": "differentiated",
              "anaplastic": "anaplastic", "undifferentiated": "anaplastic",
              "medullary": "medullary"}


def normalise(extras: Mapping[str, Any]) -> dict[str, Any]:
    """"papillary carcinoma" → differentiated, "MTC" → medullary; age as a number."""
    out = dict(extras)
    if "histology" in out:
        raw = str(out["histology"]).lower().replace("carcinoma", "").replace("thyroid", "").strip()
        raw = {"ptc": "papillary", "ftc": "follicular", "mtc": "medullary",
               "atc": "anaplastic"}.get(raw, raw)
        out["histology"] = next((v for k, v in _HISTOLOGY.items() if raw.startswith(k)), raw)
    if "age" in out and isinstance(out["age"], str) and out["age"].strip().isdigit():
        out["age"] = int(out["age"])
    return out


TABLE = branched(SYSTEM, EDITION, T_CATEGORIES, N_CATEGORIES, M_CATEGORIES, BRANCHES, normalise)

SIZE_BANDS = ((10.0, "T1a"), (20.0, "T1b"), (40.0, "T2"))  # mm, inclusive; >40 T3a
_EXTENSION = (
    Level("T3b", re.compile(r"strap\s+muscles?|sternohyoid|sternothyroid|thyrohyoid|omohyoid|"
                            r"(?:skeletal|anterior)\s+muscle", re.I)),
    Level("T4a", re.compile(r"subcutaneous|\blarynx\b|laryngeal\s+cartilage|\btrachea\b|"
                            r"\b(?:o)?esophagus\b|recurrent\s+laryngeal\s+nerve", re.I)),
    Level("T4b", re.compile(r"prevertebral\s+fascia|encas\w+\s+(?:the\s+)?(?:carotid|mediastinal)|"
                            r"(?:carotid\s+artery|mediastinal\s+vessels?)[^.;]{0,15}encas", re.I)),
)
_MICRO_ETE = re.compile(r"(?:minimal|microscopic)\s+extra-?thyroidal\s+extension", re.I)
_CENTRAL = re.compile(r"central|level\s+(?:VI|VII|6|7)\b|pre-?tracheal|para-?tracheal|"
                      r"pre-?laryngeal|delphian|peri-?thyroidal|upper\s+mediastin", re.I)
_LATERAL = re.compile(r"lateral\s+neck|level\s+(?:I{1,3}|IV|V|[1-5])(?:[ab])?\b|jugular|"
                      r"retropharyngeal|modified\s+radical|posterior\s+triangle", re.I)
_HIST = (("anaplastic", re.compile(r"anaplastic|undifferentiated\s+(?:thyroid\s+)?carcinoma", re.I)),
         ("medullary", re.compile(r"medullary\s+(?:thyroid\s+)?carcinoma", re.I)),
         ("differentiated", re.compile(r"papillary|follicular\s+(?:thyroid\s+)?carcinoma|"
                                       r"h[uü]rthle|oncocytic\s+carcinoma|poorly\s+differentiated",
                                       re.I)))
_AGE = re.compile(r"\b(?:age(?:d)?\s*[:=]?\s*(\d{1,3})\b|(\d{1,3})[\s-]*(?:year|yr)s?[\s-]*old)", re.I)


_MINIMAL = re.compile(r"minimal|microscopic", re.I)
# Extension beyond the thyroid stated without the structure it reaches ("Extrathyroidal extension:
# yes", "with extrathyroidal extension"). The 8th edition needs to know whether it is gross into the
# strap muscles (T3b) or beyond (T4a/T4b), or microscopic only (no effect on T).
_ETE = re.compile(r"extra-?\s?thyroid(?:al)?\s+(?:soft\s+tissue\s+)?(?:extension|invasion|spread|involvement)|"
                  r"(?:extends?|extension|invad\w*|spread\w*)\s+(?:beyond|through)\s+the\s+(?:thyroid\s+)?capsule|"
                  r"甲状腺外(?:侵犯|浸润|扩展)|侵(?:犯|及)甲状腺被膜外", re.I)
# Perithyroidal soft tissue, fat or adipose tissue is reached by minimal extension: T3 in the 7th
# edition, no effect on T in the 8th.
_SOFT_TISSUE = re.compile(r"peri-?thyroid\w*|(?:soft|adipose|fatty|fibro-?adipose)\s+tissues?|\bfat\b|adipose|"
                          r"甲状腺周围(?:软组织|脂肪)|周围脂肪", re.I)
_ETE_SEVENTH = ("Extrathyroidal extension into perithyroidal soft tissue only (minimal extension) was T3 in the "
                "7th edition; in the 8th only gross extension into strap muscles (T3b) or beyond (T4) changes T.")
_ETE_ASK = ("T: the report states extrathyroidal extension without its extent: gross into strap muscles (T3b), "
            "gross beyond them (T4a/T4b), or microscopic / perithyroidal soft tissue only (T by size)?")


def _extension_reach(text: str) -> tuple[str, Fact] | None:
    """How a stated extrathyroidal extension reaches out: "soft" (perithyroidal soft tissue only),
    "minimal" (called minimal or microscopic), or "unstated" (the report does not say)."""
    kinds: list[tuple[str, Fact]] = []
    for hit in find(text, _ETE):
        if hit.denied or (hit.negated and not hit.uncertain):
            continue
        around = text[max(0, hit.start - 60):hit.end + 90]
        after = text[hit.end:hit.end + 90]
        if _MINIMAL.search(text[max(0, hit.start - 60):hit.start]) or _MINIMAL.search(after[:30]):
            kind = "minimal"
        elif _SOFT_TISSUE.search(after) or _SOFT_TISSUE.search(around[:60]):
            kind = "soft"
        else:
            kind = "unstated"  # stated (or hedged) with no extent: T cannot be read from size alone
        kinds.append((kind, Fact(kind, (evidence("T.extrathyroidal_extension", kind, hit.start, hit.end, text),))))
    if not kinds:
        return None
    # one mention that names its extent answers a bare "ETE: yes" elsewhere in the same report
    return next((k for k in kinds if k[0] != "unstated"), kinds[0])


def _gross_extension(text: str) -> Fact | None:
    """Gross extension only: minimal or microscopic extension does not change T in the 8th edition."""
    fact = deepest(text, _EXTENSION, "T.extension")
    if fact is None:
        return None
    span = fact.evidence[0]
    if _MINIMAL.search(text[max(0, span.start - 80):span.start]):
        return None
    return fact


def _first(text: str, pattern: re.Pattern[str], key: str, value: object) -> Fact | None:
    hits = affirmed(text, pattern)
    if not hits:
        return None
    return Fact(value, (evidence(key, value, hits[0].start, hits[0].end, text),))


def extract(text: str) -> Descriptors:
    """Size, gross extrathyroidal extension, node count and compartment, histology, age."""
    out = found(("size_mm", tumour_size(text)), ("extension", _gross_extension(text)),
                ("positive_nodes", positive_nodes(text)),
                ("lateral", _first(text, _LATERAL, "N.compartment", "lateral")),
                ("central", _first(text, _CENTRAL, "N.compartment", "central")),
                ("minimal_ete", _first(text, _MICRO_ETE, "T.minimal_ete", True)))
    if (reach := _extension_reach(text)) is not None:
        out["ete_reach"] = reach[1]
    for value, pattern in _HIST:
        fact = _first(text, pattern, "histology", value)
        if fact is not None:
            out["histology"] = fact
            break
    age = _AGE.search(text)
    if age:
        years = int(age.group(1) or age.group(2))
        out["age"] = Fact(years, (evidence("age", years, age.start(), age.end(), text),))
    return out


def derive_t(d: Descriptors) -> Assignment | None:
    """Gross extension beyond the thyroid decides T3b/T4a/T4b; otherwise T by size.

    Minimal (microscopic) extrathyroidal extension no longer changes T in the 8th edition.
    """
    if "extension" in d:
        return assignment(PREFIX, "T", d["extension"].value, d["extension"])
    reach = d["ete_reach"].value if "ete_reach" in d else None
    if reach == "unstated":
        return None  # T3a-T4b or T by size: derive() asks instead of guessing
    note = ("Minimal extrathyroidal extension does not change T in the 8th edition."
            if "minimal_ete" in d or reach == "minimal" else _ETE_SEVENTH if reach == "soft" else "")
    return t_by_size(PREFIX, d, SIZE_BANDS, "T3a", note=note)


def derive_n(d: Descriptors) -> Assignment | None:
    """N0 with no positive node; N1b for lateral/retropharyngeal, N1a for central, else N1."""
    if "positive_nodes" not in d:
        return None
    nodes = d["positive_nodes"]
    if nodes.value == 0:
        return assignment(PREFIX, "N", "N0", nodes)
    for key, category in (("lateral", "N1b"), ("central", "N1a")):
        if key in d:
            return assignment(PREFIX, "N", category, nodes, d[key])
    return assignment(PREFIX, "N", "N1", nodes)


def derive(d: Descriptors, ctx: Context) -> Derived:
    """T and N from descriptors; histology and age as the inputs that choose the table."""
    assigned = by_axis(T=derive_t(d), N=derive_n(d))
    extras: dict[str, Fact] = {k: d[k] for k in ("histology", "age") if k in d}
    notes = tuple(a.note for a in assigned.values() if a.note)
    unstated = "extension" not in d and "ete_reach" in d and d["ete_reach"].value == "unstated"
    return Derived(assignments=assigned, extras=extras, notes=notes, missing=(_ETE_ASK,) if unstated else ())


SITE = SiteSpec(
    system=SYSTEM, edition=EDITION, rule_prefix=PREFIX,
    aliases=("thyroid", "thyroid cancer", "AJCC8 thyroid", "thyroid8", "papillary thyroid",
             "differentiated thyroid", "medullary thyroid", "anaplastic thyroid"),
    tables={"p": TABLE}, extract=extract, derive=derive,
    needs={"T": "T: tumour greatest dimension (cm) and gross extrathyroidal extension",
           "N": "N: regional node status (central level VI/VII = N1a, lateral = N1b)",
           "M": "M: distant metastasis status (M0 if none)",
           "histology": "histology: differentiated (papillary/follicular), anaplastic or medullary",
           "age": "age at diagnosis (years; differentiated carcinoma splits at 55)"},
    extra_keys=("histology", "age"),
)
