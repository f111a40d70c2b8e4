"""Gastrointestinal stromal tumour, AJCC 8th edition: gastric and non-gastric tables.

T by size (T1 ≤2, T2 >2 to ≤5, T3 >5 to ≤10, T4 >10 cm); mitotic rate per 5 mm² (≤5 low,
>5 high). Gastric and omental primaries use the gastric table; small intestine, oesophagus,
colon, rectum, mesentery and peritoneum the non-gastric one. Node-positive (N1) or metastatic
(M1) disease is stage IV at any size and rate.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from rag.calculators.staging.extract import Descriptors, Fact, evidence
from rag.calculators.staging.site import Context, Derived, SiteSpec
from rag.calculators.staging.sites.branches import Branch, branched, table
from rag.calculators.staging.sites.derive import by_axis, n_by_count, t_by_size
from rag.calculators.staging.sites.reading import affirmed, found, positive_nodes, tumour_size
from rag.calculators.staging.table import Condition, StageRow, StageTable, row

SYSTEM = "AJCC8-gist"
EDITION = "AJCC 8th edition"
PREFIX = "GIST8"

T_CATEGORIES = ("TX", "T0", "T1", "T2", "T3", "T4")
N_CATEGORIES = ("NX", "N0", "N1")
M_CATEGORIES = ("M0", "M1")
GASTRIC_SITES = ("stomach", "omentum")
NONGASTRIC_SITES = ("small intestine", "esophagus", "colon", "rectum", "mesentery",
                    "peritoneum", "other")

_LOW = Condition("mitotic_rate", "==", "low")
_HIGH = Condition("mitotic_rate", "==", "high")


def _rows(branch: str, spec: list[tuple]) -> tuple[StageRow, ...]:
    """``(group_id, stage, T, *conditions)`` (N0 M0) plus the two stage IV rows.

    NX stages as N0: nodal spread is so rare in GIST that AJCC 8th counts unknown node status as N0.
    """
    out = [row(f"{PREFIX}.STAGE.{branch}.{g}", s, t, ("N0", "NX"), "M0", *w) for g, s, t, *w in spec]
    out.append(row(f"{PREFIX}.STAGE.{branch}.IV.1", "IV", T_CATEGORIES, "N1", "M0"))
    out.append(row(f"{PREFIX}.STAGE.{branch}.IV.2", "IV", T_CATEGORIES, N_CATEGORIES, "M1"))
    return tuple(out)


GASTRIC = _rows("GASTRIC", [
    ("IA", "IA", ("T1", "T2"), _LOW),
    ("IB", "IB", "T3", _LOW),
    ("II.1", "II", ("T1", "T2"), _HIGH),
    ("II.2", "II", "T4", _LOW),
    ("IIIA", "IIIA", "T3", _HIGH),
    ("IIIB", "IIIB", "T4", _HIGH),
])

NONGASTRIC = _rows("NONGASTRIC", [
    ("I", "I", ("T1", "T2"), _LOW),
    ("II", "II", "T3", _LOW),
    ("IIIA.1", "IIIA", "T1", _HIGH),
    ("IIIA.2", "IIIA", "T4", _LOW),
    ("IIIB", "IIIB", ("T2", "T3", "T4"), _HIGH),
])


def _table(rows: tuple[StageRow, ...]) -> StageTable:
    return table(SYSTEM, EDITION, T_CATEGORIES, N_CATEGORIES, M_CATEGORIES, rows,
                 ("mitotic_rate",))


BRANCHES = (
    Branch("GASTRIC", (Condition("primary_site", "in", GASTRIC_SITES),), _table(GASTRIC)),
    Branch("NONGASTRIC", (Condition("primary_site", "in", NONGASTRIC_SITES),),
           _table(NONGASTRIC)),
)


# --- inputs and descriptors ---------------------------------------------------------------------

_SITE_NAMES = {"gastric": "stomach", "stomach": "stomach", "omentum": "omentum",
               "omental": "omentum", "small bowel": "small intestine", "small intestine":
               "small intestine", "duodenum": "small intestine", "jejunum": "small intestine",
               "ileum": "small intestine", "oesophagus": "esophagus", "esophagus": "esophagus",
               "colon": "colon", "rectum": "rectum", "mesentery": "mesentery",
               "peritoneum": "peritoneum"}
RATE_LIMIT = 5  # mitoses per 5 mm²: ≤5 low, >5 high


def normalise(extras: Mapping[str, Any]) -> dict[str, Any]:
    """Site names ("gastric", "duodenum") and numeric mitotic counts → the table's values."""
    out = dict(extras)
    site = out.get("primary_site", out.get("location"))
    if site is not None:
        raw = str(site).lower().strip()
        out["primary_site"] = _SITE_NAMES.get(raw, "other" if raw else raw)
    rate = out.get("mitotic_rate")
    if isinstance(rate, (int, float)) and not isinstance(rate, bool):
        out["mitotic_rate"] = "low" if rate <= RATE_LIMIT else "high"
    elif isinstance(rate, str):
        out["mitotic_rate"] = rate.strip().lower()
    return out


TABLE = branched(SYSTEM, EDITION, T_CATEGORIES, N_CATEGORIES, M_CATEGORIES, BRANCHES, normalise)

SIZE_BANDS = ((20.0, "T1"), (50.0, "T2"), (100.0, "T3"))  # mm, inclusive; >100 T4
N_BANDS = ((0, "N0"), (1, "N1"))  # any positive regional node is N1
_MITOSES = re.compile(
    r"(?:mitos[ie]s|mitotic\s+(?:rate|count|index|activity|figures?))\D{0,25}?(?P<op>[<≤≥>]=?)?\s*"
    r"(?P<n>\d+(?:\.\d+)?)\s*(?:mitos[ie]s|mitotic\s+figures?)?\s*(?:/|per)\s*"
    r"(?P<area>5\s*mm(?:2|²|\^2| sq)|50\s*(?:hpfs?|high[\s-]power\s+fields?))", re.I)
_SITES = (("stomach", re.compile(r"stomach|gastric", re.I)),
          ("omentum", re.compile(r"omentum|omental", re.I)),
          ("small intestine", re.compile(r"small\s+(?:bowel|intestine)|duoden|jejun|ile(?:um|al)",
                                         re.I)),
          ("rectum", re.compile(r"\brect(?:um|al)\b", re.I)),
          ("colon", re.compile(r"\bcolon\b|colonic", re.I)),
          ("esophagus", re.compile(r"(?:o)?esophag", re.I)),
          ("mesentery", re.compile(r"mesenter", re.I)))


def rate_from_count(count: float, op: str = "") -> str | None:
    """"low" or "high" for a stated count or bound; None when the bound allows both.

    Mitoses are counted in whole figures, so "<6" means at most 5 (low) and ">5" at least 6 (high),
    while "<10" or "≥5" leave both rates possible and decide nothing.
    """
    if op in ("", "="):
        return "low" if count <= RATE_LIMIT else "high"
    if op in ("<", "≤", "<="):
        most = math.ceil(count) - 1 if op == "<" else math.floor(count)
        return "low" if most <= RATE_LIMIT else None
    least = math.floor(count) + 1 if op == ">" else math.ceil(count)
    return "high" if least > RATE_LIMIT else None


def _mitoses(text: str) -> Fact | None:
    """Mitoses per 5 mm² (50 high-power fields are taken as about 5 mm²)."""
    m = _MITOSES.search(text)
    if m is None:
        return None
    rate = rate_from_count(float(m.group("n")), m.group("op") or "")
    if rate is None:
        return None
    return Fact(rate, (evidence("mitotic_rate", rate, m.start(), m.end(), text),))


def extract(text: str) -> Descriptors:
    """Size, mitotic rate, primary site and positive nodes."""
    out = found(("size_mm", tumour_size(text)), ("mitotic_rate", _mitoses(text)),
                ("positive_nodes", positive_nodes(text)))
    for value, pattern in _SITES:
        hits = affirmed(text, pattern)
        if hits:
            out["primary_site"] = Fact(value, (evidence("primary_site", value, hits[0].start,
                                                        hits[0].end, text),))
            break
    return out


def derive(d: Descriptors, ctx: Context) -> Derived:
    """T by size; N1 for any positive node; mitotic rate and site as table inputs."""
    extras: dict[str, Fact] = {k: d[k] for k in ("mitotic_rate", "primary_site") if k in d}
    return Derived(assignments=by_axis(T=t_by_size(PREFIX, d, SIZE_BANDS, "T4"),
                                       N=n_by_count(PREFIX, d, N_BANDS)), extras=extras)


SITE = SiteSpec(
    system=SYSTEM, edition=EDITION, rule_prefix=PREFIX,
    aliases=("gist", "gastrointestinal stromal tumour", "gastrointestinal stromal tumor",
             "AJCC8 gist", "gist8"),
    tables={"p": TABLE}, extract=extract, derive=derive,
    needs={"T": "T: tumour greatest dimension (cm)",
           "N": "N: regional lymph node status (NX, unknown, stages as N0)",
           "M": "M: distant metastasis status (M0 if none)",
           "mitotic_rate": "mitotic_rate: mitoses per 5 mm² (≤5 low, >5 high)",
           "primary_site": ("primary_site: stomach/omentum or small intestine, oesophagus, colon, "
                            "rectum, mesentery, peritoneum")},
    extra_keys=("mitotic_rate", "primary_site", "location"),
)
