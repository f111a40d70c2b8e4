"""Oesophagus and oesophagogastric junction, AJCC 8th edition: six stage-group tables.

Squamous cell carcinoma and adenocarcinoma each have a clinical (cTNM), pathological (pTNM) and
post-neoadjuvant (ypTNM) table; the two ypTNM tables are identical and cite the corpus's one
shared table (``ESOPH8.STAGE.YP.<group>``). Pathological tables also use grade (G1–G3, GX) and,
for squamous T3 N0, the location of the tumour's epicentre (upper, middle, lower, X). Row ids
follow the corpus rows one to one, so each citation opens the row that states the group.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from rag.calculators.staging.extract import Descriptors, Fact, evidence
from rag.calculators.staging.site import Context, Derived, SiteSpec
from rag.calculators.staging.sites.branches import Branch, branched, table
from rag.calculators.staging.sites.derive import assignment, by_axis, n_by_count
from rag.calculators.staging.sites.reading import Level, affirmed, extent, found, grade, positive_nodes
from rag.calculators.staging.table import Condition, StageRow, StageTable, row

SYSTEM = "AJCC8-esophagus"
EDITION = "AJCC 8th edition"
PREFIX = "ESOPH8"

T_CATEGORIES = ("TX", "T0", "Tis", "T1", "T1a", "T1b", "T2", "T3", "T4", "T4a", "T4b")
N_CATEGORIES = ("NX", "N0", "N1", "N2", "N3")
M_CATEGORIES = ("M0", "M1")
GRADES = ("G1", "G2", "G3", "GX")
LOCATIONS = ("upper", "middle", "lower", "X")

_T1 = ("T1", "T1a", "T1b")
_T4 = ("T4", "T4a", "T4b")
_ANY_T = T_CATEGORIES
_ANY_N = N_CATEGORIES


def _g(*grades: str) -> Condition:
    return Condition("grade", "in", grades)


def _loc(*locations: str) -> Condition:
    return Condition("location", "in", locations)


def _rows(table_id: str, spec: list[tuple]) -> tuple[StageRow, ...]:
    """``(group_id, stage, T, N, *conditions)`` → rows under ``ESOPH8.STAGE.<table_id>``."""
    out = []
    for group_id, stage, t, n, *when in spec:
        out.append(row(f"{PREFIX}.STAGE.{table_id}.{group_id}", stage, t, n, "M0", *when))
    out.append(row(f"{PREFIX}.STAGE.{table_id}.IVB", "IVB", _ANY_T, _ANY_N, "M1"))
    return tuple(out)


SCC_PATH = _rows("SCC.PATH", [
    ("0", "0", "Tis", "N0"),
    ("IA", "IA", "T1a", "N0", _g("G1", "GX")),
    ("IB.1", "IB", "T1a", "N0", _g("G2", "G3")),
    ("IB.2", "IB", "T1b", "N0"),
    ("IB.3", "IB", "T2", "N0", _g("G1")),
    ("IIA.1", "IIA", "T2", "N0", _g("G2", "G3", "GX")),
    # T3 N0 lower is IIA at any grade, so it is listed before the GX row (any location, IIB)
    # that would otherwise also cover a lower-third GX tumour (ESOPH8.RULE.SCC_T3N0_GX_LOWER).
    ("IIA.2", "IIA", "T3", "N0", _loc("lower")),
    ("IIA.3", "IIA", "T3", "N0", _g("G1"), _loc("upper", "middle")),
    ("IIB.1", "IIB", "T3", "N0", _g("G2", "G3"), _loc("upper", "middle")),
    ("IIB.2", "IIB", "T3", "N0", _g("GX")),
    ("IIB.3", "IIB", "T3", "N0", _loc("X")),
    ("IIB.4", "IIB", _T1, "N1"),
    ("IIIA.1", "IIIA", _T1, "N2"),
    ("IIIA.2", "IIIA", "T2", "N1"),
    ("IIIB.1", "IIIB", "T2", "N2"),
    ("IIIB.2", "IIIB", "T3", ("N1", "N2")),
    ("IIIB.3", "IIIB", "T4a", ("N0", "N1")),
    ("IVA.1", "IVA", "T4a", "N2"),
    ("IVA.2", "IVA", "T4b", ("N0", "N1", "N2")),
    ("IVA.3", "IVA", _ANY_T, "N3"),
])

SCC_CLIN = _rows("SCC.CLIN", [
    ("0", "0", "Tis", "N0"),
    ("I", "I", _T1, ("N0", "N1")),
    ("II.1", "II", "T2", ("N0", "N1")),
    ("II.2", "II", "T3", "N0"),
    ("III.1", "III", "T3", "N1"),
    ("III.2", "III", (*_T1, "T2", "T3"), "N2"),
    ("IVA.1", "IVA", _T4, ("N0", "N1", "N2")),
    ("IVA.2", "IVA", _ANY_T, "N3"),
])

ADENO_PATH = _rows("ADENO.PATH", [
    ("0", "0", "Tis", "N0"),
    ("IA", "IA", "T1a", "N0", _g("G1", "GX")),
    ("IB.1", "IB", "T1a", "N0", _g("G2")),
    ("IB.2", "IB", "T1b", "N0", _g("G1", "G2", "GX")),
    ("IC.1", "IC", ("T1a", "T1b"), "N0", _g("G3")),
    ("IC.2", "IC", "T2", "N0", _g("G1", "G2")),
    ("IIA", "IIA", "T2", "N0", _g("G3", "GX")),
    ("IIB.1", "IIB", _T1, "N1"),
    ("IIB.2", "IIB", "T3", "N0"),
    ("IIIA.1", "IIIA", _T1, "N2"),
    ("IIIA.2", "IIIA", "T2", "N1"),
    ("IIIB.1", "IIIB", "T2", "N2"),
    ("IIIB.2", "IIIB", "T3", ("N1", "N2")),
    ("IIIB.3", "IIIB", "T4a", ("N0", "N1")),
    ("IVA.1", "IVA", "T4a", "N2"),
    ("IVA.2", "IVA", "T4b", ("N0", "N1", "N2")),
    ("IVA.3", "IVA", _ANY_T, "N3"),
])

ADENO_CLIN = _rows("ADENO.CLIN", [
    ("0", "0", "Tis", "N0"),
    ("I", "I", _T1, "N0"),
    ("IIA", "IIA", _T1, "N1"),
    ("IIB", "IIB", "T2", "N0"),
    ("III.1", "III", "T2", "N1"),
    ("III.2", "III", ("T3", "T4a"), ("N0", "N1")),
    ("IVA.1", "IVA", (*_T1, "T2", "T3", "T4a"), "N2"),
    ("IVA.2", "IVA", "T4b", ("N0", "N1", "N2")),
    ("IVA.3", "IVA", _ANY_T, "N3"),
])

# ypT0–2 is T0, T1 (a, b) and T2. The corpus table gives ypTis no row, so no group is assigned
# to it here either (whether the AJCC range runs through Tis is left open; see the report).
_YP_T0_2 = ("T0", *_T1, "T2")

# One ypTNM table for both cell types (the corpus states it once, under ESOPH8.STAGE.YP).
YP = _rows("YP", [
    ("I", "I", _YP_T0_2, "N0"),
    ("II", "II", "T3", "N0"),
    ("IIIA", "IIIA", _YP_T0_2, "N1"),
    ("IIIB.1", "IIIB", "T3", "N1"),
    ("IIIB.2", "IIIB", (*_YP_T0_2, "T3"), "N2"),
    ("IIIB.3", "IIIB", "T4a", "N0"),
    ("IVA.1", "IVA", "T4a", ("N1", "N2", "NX")),
    ("IVA.2", "IVA", "T4b", ("N0", "N1", "N2")),
    ("IVA.3", "IVA", _ANY_T, "N3"),
])
SCC_YP = ADENO_YP = YP


def _table(rows: tuple[StageRow, ...], extra: tuple[str, ...] = ()) -> StageTable:
    return table(SYSTEM, EDITION, T_CATEGORIES, N_CATEGORIES, M_CATEGORIES, rows, extra)


def _when(histology: str, prefix: str) -> tuple[Condition, ...]:
    return (Condition("histology", "==", histology), Condition("prefix", "==", prefix))


BRANCHES = (
    Branch("SCC.PATH", _when("squamous", "p"), _table(SCC_PATH, ("grade", "location"))),
    Branch("SCC.CLIN", _when("squamous", "c"), _table(SCC_CLIN)),
    Branch("SCC.YP", _when("squamous", "yp"), _table(SCC_YP)),
    Branch("ADENO.PATH", _when("adenocarcinoma", "p"), _table(ADENO_PATH, ("grade",))),
    Branch("ADENO.CLIN", _when("adenocarcinoma", "c"), _table(ADENO_CLIN)),
    Branch("ADENO.YP", _when("adenocarcinoma", "yp"), _table(ADENO_YP)),
)


# --- inputs and descriptors ---------------------------------------------------------------------

_HISTOLOGY = {"squamous": "squamous", "scc": "squamous", "squamous cell carcinoma": "squamous",
              "adenocarcinoma": "adenocarcinoma", "adeno": "adenocarcinoma", "ac": "adenocarcinoma"}
_GRADE = {"1": "G1", "2": "G2", "3": "G3", "4": "G3", "x": "GX", "g1": "G1", "g2": "G2",
          "g3": "G3", "g4": "G3", "gx": "GX", "well": "G1", "moderate": "G2", "moderately": "G2",
          "poor": "G3", "poorly": "G3", "undifferentiated": "G3"}
_LOCATION = {"upper": "upper", "cervical": "upper", "proximal": "upper", "middle": "middle",
             "mid": "middle", "lower": "lower", "distal": "lower", "gej": "lower",
             "gastroesophageal junction": "lower", "x": "X", "unknown": "X"}


def normalise(extras: Mapping[str, Any]) -> dict[str, Any]:
    """User spellings of histology, grade and location → the values the tables use."""
    out = dict(extras)
    for key, names in (("histology", _HISTOLOGY), ("grade", _GRADE), ("location", _LOCATION)):
        if key in out:
            raw = str(out[key]).strip().lower().replace("-", " ")
            raw = raw.removesuffix(" differentiated").removeprefix("grade ").strip()
            out[key] = names.get(raw, out[key])
    return out


def _tables() -> dict[str, StageTable]:
    by_kind: dict[str, list[Branch]] = {"p": [], "c": [], "yp": []}  # p first: the default
    for b in BRANCHES:
        kind = b.key.split(".")[1]
        by_kind[{"CLIN": "c", "PATH": "p", "YP": "yp"}[kind]].append(b)
    return {k: branched(SYSTEM, EDITION, T_CATEGORIES, N_CATEGORIES, M_CATEGORIES,
                        [Branch(b.key, b.when[:1], b.table) for b in v], normalise)
            for k, v in by_kind.items()}


_DEPTH = (
    Level("T1a", re.compile(r"lamina\s+propria|muscularis\s+mucosae?|intramucosal", re.I)),
    Level("T1b", re.compile(r"submucos\w*", re.I)),
    Level("T2", re.compile(r"muscularis\s+propria|muscle\s+(?:wall|layer)", re.I)),
    Level("T3", re.compile(r"adventitia\w*|peri-?(?:o)?esophageal\s+(?:fat|adipose|soft|tissue)|"
                           r"para-?(?:o)?esophageal\s+(?:fat|adipose|soft)|"
                           r"perigastric\s+(?:fat|adipose|soft)|subserosa\w*", re.I)),
    Level("T4a", re.compile(r"\bpleura\b|pericardium|azygos|\bdiaphragm\b|\bperitoneum\b|"
                            r"(?<!sub)serosa\b", re.I)),
    Level("T4b", re.compile(r"\baorta\b|vertebral\s+body|\btrachea\b|\bairway\b|"
                            r"\bbronchus\b", re.I)),
)
N_BANDS = ((0, "N0"), (1, "N1"), (3, "N2"), (7, "N3"))

_SCC = re.compile(r"squamous\s+cell\s+carcinoma|squamous\s+carcinoma|\bSCC\b", re.I)
_ADENO = re.compile(r"adenocarcinoma", re.I)
_LOCATIONS = (
    ("lower", re.compile(r"distal\s+(?:o)?esophag|lower\s+(?:third\s+of\s+the\s+)?(?:o)?esophag|"
                         r"gastro-?(?:o)?esophageal\s+junction|\bGEJ\b|\bcardia\b", re.I)),
    ("middle", re.compile(r"mid(?:dle)?[\s-]+(?:third\s+of\s+the\s+)?(?:o)?esophag", re.I)),
    ("upper", re.compile(r"(?:upper|proximal|cervical)\s+(?:third\s+of\s+the\s+)?(?:o)?esophag",
                         re.I)),
)


def extract(text: str) -> Descriptors:
    """Depth, positive nodes, histology, grade and tumour location from report text."""
    out = found(*extent(text, _DEPTH, "depth", "T.depth"),
                ("positive_nodes", positive_nodes(text)), ("grade", grade(text)))
    for value, pattern in (("squamous", _SCC), ("adenocarcinoma", _ADENO)):
        hits = affirmed(text, pattern)
        if hits:
            h = hits[0]
            out["histology"] = Fact(value, (evidence("histology", value, h.start, h.end, text),))
            break
    for value, pattern in _LOCATIONS:
        hits = affirmed(text, pattern)
        if hits:
            h = hits[0]
            out["location"] = Fact(value, (evidence("location", value, h.start, h.end, text),))
            break
    return out


def derive(d: Descriptors, ctx: Context) -> Derived:
    """T from the deepest layer, N from the count; histology, grade, location as extra inputs."""
    t = assignment(PREFIX, "T", d["depth"].value, d["depth"]) if "depth" in d else None
    extras: dict[str, Fact] = {k: d[k] for k in ("histology", "grade", "location") if k in d}
    return Derived(assignments=by_axis(T=t, N=n_by_count(PREFIX, d, N_BANDS)), extras=extras)


SITE = SiteSpec(
    system=SYSTEM, edition=EDITION, rule_prefix=PREFIX,
    aliases=("esophagus", "oesophagus", "esophageal", "oesophageal", "AJCC8 esophagus",
             "esophagus8", "AJCC8-oesophagus", "esophagogastric junction"),
    tables=_tables(), extract=extract, derive=derive,
    needs={"T": "T: depth of invasion (lamina propria ... adventitia, adjacent structures)",
           "N": "N: number of positive regional lymph nodes",
           "M": "M: distant metastasis status (M0 if none)",
           "histology": "histology: squamous or adenocarcinoma",
           "grade": "grade: G1, G2, G3 or GX",
           "location": "location: upper, middle or lower oesophagus (X if unknown)"},
    extra_keys=("histology", "grade", "location"),
)
