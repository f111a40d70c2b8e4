"""General rules a staging result rests on besides its category definitions and stage-group row.

A thyroid stage is read from one of four tables chosen by histology and age; a bladder T4b N2 M0 is
IVA only because the corpus follows the corrected AJCC table; a yp stage describes residual tumour
only. The corpus states each of these as a ``.RULE.`` passage, and a result that relied on it should
cite it. Each entry says when a result relies on the rule (from the result and the ids already
cited) and carries an example input that must cite it (tests/test_rule_coverage.py runs them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["CONTEXT_RULES", "ContextRule", "context_rule_ids"]

# (result, rule ids cited so far, extras, prefix) → does this result rest on the rule?
Predicate = Callable[[Mapping[str, Any], Sequence[str], Mapping[str, Any], str], bool]


@dataclass(frozen=True)
class ContextRule:
    """A general rule cited whenever ``applies`` says the result relied on it."""

    rule_id: str
    system: str  # CONTRACT.md system id, or "*" for every TNM system
    applies: Predicate
    example_tnm: str  # an input that must cite the rule (checked by the tests); free text when example_is_text
    example_findings: Mapping[str, Any] = field(default_factory=dict)
    example_is_text: bool = False
    example_system: str = ""  # for "*" rules: the system the example runs on


def _cited(*prefixes: str) -> Predicate:
    return lambda result, ids, extras, prefix: any(i.startswith(prefixes) for i in ids)


def _staged_with(prefix_: str) -> Predicate:
    return lambda result, ids, extras, prefix: "stage" in result and any(i.startswith(prefix_) for i in ids)


CONTEXT_RULES: tuple[ContextRule, ...] = (
    ContextRule("THYROID8.RULE.HISTOLOGY", "AJCC8-thyroid", _staged_with("THYROID8.STAGE."),
                "T2 N0 M0", {"histology": "anaplastic"}),
    ContextRule("THYROID8.RULE.AGE_55", "AJCC8-thyroid", _staged_with("THYROID8.STAGE.DIFF."),
                "T3a N0 M0", {"histology": "papillary", "age": 55}),
    ContextRule("BLADDER8.RULE.T4B_NODES", "AJCC8-bladder",
                lambda r, ids, x, p: r.get("T") == "T4b" and r.get("N") in ("N1", "N2", "N3") and r.get("stage") == "IVA",
                "T4b N2 M0"),
    ContextRule("ESOPH8.RULE.TABLE_CHOICE", "AJCC8-esophagus", _staged_with("ESOPH8.STAGE."),
                "T1 N1 M0", {"prefix": "c", "histology": "adenocarcinoma"}),
    ContextRule("STOMACH8.RULE.TABLE_CHOICE", "AJCC8-stomach", _staged_with("STOMACH8.STAGE."),
                "T2 N0 M0", {"prefix": "c"}),
    ContextRule("GIST8.RULE.SITE_TABLE", "AJCC8-gist", _staged_with("GIST8.STAGE."),
                "T1 N0 M0", {"primary_site": "stomach", "mitotic_rate": 2}),
    ContextRule("LUNG8.RULE.NODAL_LATERALITY", "AJCC8-lung", _cited("LUNG8.STATION.2_4.", "LUNG8.STATION.3_7",
                                                                    "LUNG8.STATION.10_14.OPPOSITE"),
                "Left upper lobe tumour 20 mm. Involved nodes: station 4R metastatic carcinoma.", example_is_text=True),
    ContextRule("LUNG9.RULE.NODAL_LATERALITY", "TNM9-lung", _cited("LUNG9.STATION.2_4.", "LUNG9.STATION.3_7",
                                                                   "LUNG9.STATION.5_6.", "LUNG9.STATION.10_14.OPPOSITE"),
                "Left upper lobe tumour 20 mm. Involved nodes: station 7 metastatic carcinoma.", example_is_text=True),
    ContextRule("LUNG8.RULE.STATIONS_5_6", "AJCC8-lung", _cited("LUNG8.STATION.5_6."),
                "Right upper lobe tumour 20 mm. Involved nodes: station 5 metastatic carcinoma.", example_is_text=True),
    ContextRule("LUNG8.RULE.EDITION_POLICY", "AJCC8-lung", _cited("LUNG9."), "T1a N1 M0"),
    ContextRule("LUNG9.RULE.EDITION_POLICY", "TNM9-lung", _cited("LUNG8."), "T1a N1 M0"),
    ContextRule("BREAST8.RULE.N1MI_GROUPING", "AJCC8-breast",
                lambda r, ids, x, p: r.get("N") == "N1mi" and str(r.get("T", "")).startswith(("T2", "T3", "T4"))
                and "stage" in r, "pT2 pN1mi M0"),
    ContextRule("BREAST8.RULE.YPT0_YPN0", "AJCC8-breast",
                lambda r, ids, x, p: p == "yp" and r.get("T") == "T0" and r.get("N") == "N0" and "stage" not in r,
                "ypT0 ypN0 M0"),
    ContextRule("CRC8.RULE.TUMOUR_DEPOSITS", "AJCC8-colorectal", lambda r, ids, x, p: r.get("N") == "N1c",
                "pT3 pN1c M0"),
    ContextRule("THYROID8.RULE.MULTIFOCAL", "AJCC8-thyroid", lambda r, ids, x, p: "m" in r.get("modifiers", ()),
                "pT2(m) N0 M0", {"histology": "papillary", "age": 40}),
    ContextRule("BREAST8.RULE.MULTIPLE_TUMOURS", "AJCC8-breast", lambda r, ids, x, p: "m" in r.get("modifiers", ()),
                "pT1c(m) pN0 M0"),
    ContextRule("ESOPH8.RULE.SCC_T3N0_GX_LOWER", "AJCC8-esophagus",
                lambda r, ids, x, p: p.endswith("p") and "stage" in r and (r.get("T"), r.get("N"), r.get("M")) == ("T3", "N0", "M0")
                and str(x.get("histology", "")).lower().startswith("squam") and str(x.get("location", "")).lower() == "lower"
                and str(x.get("grade", "")).upper() == "GX",
                "pT3 pN0 M0", {"histology": "squamous", "location": "lower", "grade": "GX"}),
    ContextRule("TNM8.RULE.SENTINEL", "*", lambda r, ids, x, p: "sn" in r.get("modifiers", ()),
                "pT1c pN0(sn) M0", example_system="AJCC8-breast"),
    ContextRule("TNM8.RULE.STAGE_GROUPS", "*",
                lambda r, ids, x, p: "stage" in r and (r.get("T") in (None, "TX") or r.get("N") in (None, "NX")),
                "TX NX M1b", example_system="AJCC8-colorectal"),
    ContextRule("TNM8.RULE.Y_PREFIX", "*", lambda r, ids, x, p: p.startswith("y"),
                "ypT1 N0 M0", example_system="AJCC8-colorectal"),
    ContextRule("TNM8.RULE.R_AND_A_PREFIX", "*", lambda r, ids, x, p: p.startswith(("r", "a")),
                "rpT2 N0 M0", example_system="AJCC8-colorectal"),
)


def context_rule_ids(system: str, result: Mapping[str, Any], rule_ids: Sequence[str], extras: Mapping[str, Any],
                     prefix: str) -> list[str]:
    """The general rules this result rests on, in table order."""
    return [c.rule_id for c in CONTEXT_RULES
            if c.system in (system, "*") and c.applies(result, rule_ids, extras, prefix)]
