"""Breast, AJCC 8th edition: anatomic stage groups only (DOMAIN §3 with the §13 corrections).

The prognostic stage (grade, ER, PR, HER2, multigene score) is what US registries must use; it is
not in the corpus, so every result is labelled ``stage_type: anatomic`` and says so.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from rag.calculators.staging.extract import (
    Descriptors,
    Fact,
    classify_size,
    count_readings,
    distant_facts,
    evidence,
    find,
    labelled_first,
    n0_statement,
    node_counts,
    sizes,
)
from rag.calculators.staging.site import Annotation, Context, Derived, SiteSpec, rule_label
from rag.calculators.staging.table import Assignment, StageTable, row

_T = ("TX", "T0", "Tis", "T1mi", "T1", "T1a", "T1b", "T1c", "T2", "T3", "T4", "T4a", "T4b", "T4c", "T4d")
_N = ("NX", "N0", "N0(i+)", "N0(mol+)", "N1mi", "N1", "N1a", "N1b", "N1c", "N2", "N2a", "N2b",
      "N3", "N3a", "N3b", "N3c")
_M = ("M0", "M0(i+)", "M1")
_T1 = ("T1mi", "T1", "T1a", "T1b", "T1c")
_T4 = ("T4", "T4a", "T4b", "T4c", "T4d")
_COLS = {"N0": ("N0", "N0(i+)", "N0(mol+)"), "N1mi": ("N1mi",), "N1": ("N1", "N1a", "N1b", "N1c"),
         "N2": ("N2", "N2a", "N2b"), "N3": ("N3", "N3a", "N3b", "N3c")}
_GRID = {  # T row: stage per column N0, N1mi, N1, N2, N3 (None: no group)
    "T0": (None, "IB", "IIA", "IIIA", "IIIC"),
    "T1": ("IA", "IB", "IIA", "IIIA", "IIIC"),
    "T2": ("IIA", "IIB", "IIB", "IIIA", "IIIC"),
    "T3": ("IIB", "IIIA", "IIIA", "IIIA", "IIIC"),
    "T4": ("IIIB", "IIIB", "IIIB", "IIIB", "IIIC"),
}
_ROW_T = {"T0": ("T0",), "T1": _T1, "T2": ("T2",), "T3": ("T3",), "T4": _T4}
_ALL_T = _T
_ROWS = (
    row("BREAST8.STAGE.Tis", "0", "Tis", _COLS["N0"], ("M0", "M0(i+)")),
    row("BREAST8.STAGE.Tis", "IIIC", "Tis", _COLS["N3"], ("M0", "M0(i+)")),  # any T with N3 is IIIC
    *[row(f"BREAST8.STAGE.{t}", stage, _ROW_T[t], _COLS[col], ("M0", "M0(i+)"))
      for t, stages in _GRID.items() for col, stage in zip(_COLS, stages, strict=True) if stage],
    row("BREAST8.STAGE.M1", "IV", _ALL_T, _N, "M1"),
)
BREAST8_TABLE = StageTable("AJCC8-breast", "AJCC 8th edition (anatomic)", _T, _N, _M, _ROWS)

# Clinical N has no N0(i+), N0(mol+) or N1a-N1c: those labels exist only as pathological categories.
_CLINICAL_N = frozenset(("NX", "N0", "N1", "N1mi", "N2", "N2a", "N2b", "N3", "N3a", "N3b", "N3c"))


def definition_id(axis: str, label: str, prefix: str) -> str:
    """The corpus id defining a category: N under cN (clinical prefix) or pN, the rest plain.

    A pathological-only N label given with a clinical prefix cites its pathological definition,
    the only place the corpus defines it.
    """
    part = axis
    if axis == "N":
        part = "CN" if prefix.endswith("c") and label in _CLINICAL_N else "PN"
    return f"BREAST8.{part}.{rule_label(label)}"

_SIZE_CUES = {
    "tumour": re.compile(r"invasive|infiltrating|tumou?r|carcinoma|focus|foci|mass|\(pt\)|肿瘤|肿块|浸润|癌"),
    # words that name no object: the nearest subject before them decides ("specimen size: 6 cm")
    "dimension": re.compile(r"greatest|dimension|diameter|size|最大径|直径|大小"),
    "node": re.compile(r"node|nodal|deposit|metasta|micromet|macromet|sentinel|axilla"),
    "other": re.compile(r"标本|margin|dcis|in\s+situ|specimen|breast\b|mastectomy|weigh\w*|skin\s+ellipse|from|distance|nipple|biopsy\s+site|"
                        r"cavity|fragment|tissue|quadrant|ellipse|lcis"),
}
_DCIS = re.compile(r"ductal\s+carcinoma\s+in\s+situ|\bDCIS\b|intraductal\s+carcinoma", re.I)
_INVASIVE = re.compile(r"(?:invasive|infiltrating)\s+(?:ductal|lobular|mammary|carcinoma|\w+\s+carcinoma)|"
                       r"invasive\s+(?:focus|component)", re.I)
_PAGET = re.compile(r"paget", re.I)
_T4A = re.compile(r"chest\s+wall|\bribs?\b|intercostal|serratus", re.I)
_T4B = re.compile(r"ulcerat\w*|satellite\s+(?:skin\s+)?nodules?|peau\s+d['’]?\s?orange|skin\s+(?:o?edema)", re.I)
_T4D = re.compile(r"inflammatory\s+(?:breast\s+)?carcinoma", re.I)
_INV_CUE = re.compile(r"invad|invasion|involv|infiltrat|extend|extension|ulcerat", re.I)
_MICRO = re.compile(r"micro-?metasta\w*|\bpN1mi\b", re.I)
# A synoptic label ("SKIN INVOLVED (ULCERATION): ...", "Ulceration: not identified") says nothing by itself:
# its value does. Blank, or the next field's label ("... : NON-NEOPLASTIC BREAST TISSUE: FCD"), is no finding.
_FIELD_AFTER = re.compile(r"[ \t]*\)?[ \t]*[:：][ \t]*(?P<value>[^.;\n]{0,40})")
_FIELD_POSITIVE = re.compile(r"(?:yes|present|identified|involved|positive|ulcerat\w*|focal\w*|with\b)", re.I)
_NEXT_LABEL = re.compile(r"^[^:：]{0,40}[:：]")


def _empty_field(text: str, end: int) -> bool:
    """The term labels a form field whose value does not affirm it (blank, another label, or a denial)."""
    m = _FIELD_AFTER.match(text, end)
    if m is None:
        return False
    value = m.group("value").strip()
    return not value or bool(_NEXT_LABEL.match(value)) or not _FIELD_POSITIVE.match(value)
_ITC = re.compile(r"isolated\s+tumou?r\s+cells?|\bITCs?\b", re.I)
_IMN = re.compile(r"internal\s+mammary", re.I)
_SUPRA = re.compile(r"supraclavicular", re.I)
_LEVEL3 = re.compile(r"infraclavicular|level\s+(?:III|3)\b", re.I)
_NODES_NONE = re.compile(r"(?:sentinel\s+|axillary\s+|lymph\s+)?nodes?\s*[:=]?\s*(?:all\s+)?(?:negative|benign|"
                         r"uninvolved|free\s+of)|no\s+(?:lymph\s+node|nodal)\s+metasta\w*", re.I)
_ORGANS = re.compile(r"(?P<bone>bones?|osseous|skelet\w*|骨)|(?P<liver>liver|hepatic|肝)|(?P<lung>lungs?|pulmonary|肺)|"
                     r"(?P<brain>brain|cerebr\w*|脑)|(?P<distant_nodes>(?:contralateral\s+axillary|cervical|"
                     r"mediastinal|distant)\s+(?:lymph\s+)?nodes?)", re.I)


def round_size(mm: float) -> tuple[float, bool]:
    """Whole mm, nearest (half up); an invasive focus >1.0 and <2.0 mm is recorded as 2 mm."""
    if 1.0 < mm < 2.0:
        return 2.0, True
    if mm <= 1.0:
        return mm, False  # microinvasion stays T1mi whatever rounding would give
    rounded = float(math.floor(mm + 0.5))
    return rounded, rounded != mm


def t_by_size(mm: float) -> str:
    """T by (rounded) invasive size in mm."""
    for bound, label in ((1, "T1mi"), (5, "T1a"), (10, "T1b"), (20, "T1c"), (50, "T2")):
        if mm <= bound:
            return label
    return "T3"


def extract(text: str) -> Descriptors:
    """Breast descriptors: invasive size, in situ only, T4 features, node counts and deposits."""
    d: Descriptors = {}
    kinds = [(size, classify_size(size, _SIZE_CUES)) for size in sizes(text)]
    tumour = set(map(id, labelled_first([s for s, k in kinds if k == "tumour"])))
    for size, kind in kinds:
        key = {"tumour": "size_mm", "node": "deposit_mm"}.get(kind or "")
        if key == "size_mm" and id(size) not in tumour:
            continue  # a synoptic "Tumor size:" field outranks gross-description sizes
        if key and size.mm <= 300 and (key not in d or size.mm > d[key].value):
            d[key] = Fact(size.mm, (evidence(key, size.mm, size.start, size.end, text),))
    for name, pattern in (("dcis", _DCIS), ("invasive", _INVASIVE), ("paget", _PAGET), ("micro", _MICRO),
                          ("itc", _ITC), ("t4d", _T4D)):
        hit = next((h for h in find(text, pattern) if not h.negated), None)
        if hit:
            d[name] = Fact(True, (evidence(name, True, hit.start, hit.end, text),))
    for name, pattern in (("t4a", _T4A), ("t4b", _T4B)):
        hits = [h for h in find(text, pattern) if not h.negated
                and (name == "t4b" or _INV_CUE.search(text[max(0, h.start - 60):h.end + 30]))
                and not re.search(r"(?i)margin", text[h.end:h.end + 15]) and not _empty_field(text, h.end)]
        if hits:
            d[name] = Fact(True, (evidence(name, True, hits[0].start, hits[0].end, text),))
    for name, pattern in (("imn", _IMN), ("supraclavicular", _SUPRA), ("level3", _LEVEL3)):
        hit = next((h for h in find(text, pattern) if not h.negated and
                    re.search(r"(?i)metasta|positive|involved|carcinoma", text[max(0, h.start - 60):h.end + 60])), None)
        if hit:
            d[name] = Fact(True, (evidence(name, True, hit.start, hit.end, text),))
    counts = node_counts(text)
    if counts:
        best = max(counts, key=lambda c: (c.total or 0, c.positive))
        readings = count_readings(counts, text)
        if len({_n_band(r) for r in readings}) > 1:
            # a summary or separate specimens: the two totals give different N, so ask
            d["nodes_unclear"] = Fact(readings, tuple(evidence("N.count", f"{c.positive}/{c.total}", c.start, c.end, text)
                                                      for c in counts))
        else:
            pos = readings[0]
            used = [best] if pos == best.positive else counts
            d["nodes_positive"] = Fact(pos, tuple(evidence("N.count", f"{c.positive}/{c.total}", c.start, c.end, text)
                                                  for c in used))
    elif (hit := next((h for h in find(text, _NODES_NONE, negation=False)), None) or n0_statement(text)) is not None:
        d["nodes_positive"] = Fact(0, (evidence("N.none", 0, hit.start, hit.end, text),))
    d.update(distant_facts(text, _ORGANS))
    return d


def _n_band(positive: int) -> int:
    """The pN count band (0, 1-3, 4-9, 10+) a number of positive axillary nodes falls in."""
    return 0 if positive == 0 else 1 if positive <= 3 else 2 if positive <= 9 else 3


def _derive_t(d: Descriptors, rules: list[str], notes: list[str]) -> Assignment | None:
    cands: list[tuple[str, tuple]] = []
    if "size_mm" in d and d["size_mm"].value > 0:
        raw = d["size_mm"].value
        mm, changed = round_size(raw)
        if changed:
            rules.append("BREAST8.RULE.SIZE_ROUNDING")
            notes.append(f"Invasive size {raw:g} mm recorded as {mm:g} mm (AJCC 8th rounding).")
        cands.append((t_by_size(mm), d["size_mm"].evidence))
    elif "dcis" in d and "invasive" not in d:
        cands.append(("Tis", d["dcis"].evidence))
    elif "paget" in d and "invasive" not in d:
        cands.append(("Tis", d["paget"].evidence))
    t4 = [k for k in ("t4a", "t4b") if k in d]
    if "t4d" in d:
        cands.append(("T4d", d["t4d"].evidence))
    elif len(t4) == 2:
        cands.append(("T4c", d["t4a"].evidence + d["t4b"].evidence))
    elif t4:
        cands.append((t4[0].upper()[:2] + t4[0][2:], d[t4[0]].evidence))
    if not cands:
        return None
    order = ("Tis", "T1mi", "T1a", "T1b", "T1c", "T2", "T3", "T4a", "T4b", "T4c", "T4d")
    best = max(cands, key=lambda c: order.index(c[0]))
    return Assignment(best[0], f"BREAST8.T.{best[0]}", best[1])


def _derive_n(d: Descriptors, ctx: Context, notes: list[str]) -> Assignment | None:
    if "nodes_positive" not in d and not any(k in d for k in ("imn", "supraclavicular", "level3")):
        return None
    pos = d["nodes_positive"].value if "nodes_positive" in d else 0
    ev = d["nodes_positive"].evidence if "nodes_positive" in d else ()
    deposit = d["deposit_mm"].value if "deposit_mm" in d else None
    micro_only = (deposit is not None and 0.2 < deposit <= 2.0) or ("micro" in d and deposit is None)
    if "deposit_mm" in d:
        ev = ev + d["deposit_mm"].evidence
    if "supraclavicular" in d:
        n, ev = "N3c", ev + d["supraclavicular"].evidence
    elif "level3" in d:
        n, ev = "N3a", ev + d["level3"].evidence
    elif "imn" in d:
        n, ev = ("N3b" if pos else "N1b"), ev + d["imn"].evidence
    elif pos == 0:
        n = "N0(i+)" if "itc" in d or (deposit is not None and deposit <= 0.2) else "N0"
    elif micro_only:
        n = "N1mi"  # §13: whatever the count, all deposits ≤2 mm is pN1mi
    else:
        n = "N1a" if pos <= 3 else "N2a" if pos <= 9 else "N3a"
        if deposit is None and "micro" not in d:
            notes.append("Deposit size not given: involved nodes read as macrometastases (>2 mm).")
    if ctx.clinical and n in ("N1a", "N1mi"):
        n = "N1"
    return Assignment(n, definition_id("N", n, ctx.prefix), ev)


def derive(d: Descriptors, ctx: Context) -> Derived:
    """Breast T (rounded size, in situ, T4a-d), pathological or clinical N, and M."""
    rules: list[str] = []
    notes: list[str] = []
    found: dict[str, Assignment] = {}
    if (t := _derive_t(d, rules, notes)) is not None:
        found["T"] = t
    if (n := _derive_n(d, ctx, notes)) is not None:
        found["N"] = n
    if "distant" in d:
        found["M"] = Assignment("M1", "BREAST8.M.M1", d["distant"].evidence)
    elif "m0_stated" in d:
        found["M"] = Assignment("M0", "BREAST8.M.M0", d["m0_stated"].evidence)
    missing: tuple[str, ...] = ()
    if "N" not in found and "nodes_unclear" in d:
        a, b = d["nodes_unclear"].value[:2]
        missing = (f"N: the node counts read as {a} or {b} positive nodes (one total, or separate specimens "
                   "to add?); give the total number of positive axillary nodes",)
    return Derived(found, {}, tuple(rules), tuple(notes), missing)


def _annotate(result: Mapping[str, Any], extras: Mapping[str, Any]) -> Annotation:
    return Annotation(
        {"stage_type": "anatomic"},
        ("Anatomic stage only: US registries and clinicians are required to use the AJCC 8th "
         "prognostic stage groups, which need grade, ER, PR and HER2 (not computed here).",),
        ("BREAST8.RULE.ANATOMIC_VS_PROGNOSTIC",))


BREAST8 = SiteSpec(
    system="AJCC8-breast", edition="AJCC 8th edition (anatomic)", rule_prefix="BREAST8",
    aliases=("breast", "AJCC8 breast", "TNM8-breast", "UICC8-breast", "breast8", "breast cancer"),
    tables={"p": BREAST8_TABLE}, extract=extract, derive=derive,
    needs={"T": "T: invasive tumour size (mm) or chest wall/skin involvement",
           "N": "N: axillary node count with the largest deposit size (or clinical node status)",
           "M": "M: distant metastasis status (M0 if none)"},
    annotate=_annotate,
    definition=definition_id,
    label_notes={"T1d": "breast T1 has T1mi and T1a-T1c", "T4e": "breast T4 has T4a-T4d",
                 "N1d": "breast N1 has N1mi and N1a-N1c", "N3d": "breast N3 has N3a-N3c"},
)
