"""An independent stage-group oracle, written from the corpus prose (not from the calculator tables).

Each site is re-stated here as ordinary code over T, N and M *ranks* (how far the tumour has gone),
in the words of ``corpora/staging/ajcc8-<site>.md`` and ``../shared/DOMAIN.md``: no row, rule id or
label list is imported from ``rag/``. A parent label (thyroid T4, bladder M1) stands for its
children; it has a group only when every child gives the same one. ``None`` means the corpus gives
no group for that input, so the calculator must leave the stage missing (giving one would be wrong).

``combinations(site)`` enumerates every T × N × M label (and every extra-input band) the site's
corpus text defines; ``score`` runs a calculator over them and counts right / wrong / missing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from itertools import product
from typing import Any

Oracle = Callable[[str, str, str, Mapping[str, Any]], "str | None"]


def _agree(options: list[str | None]) -> str | None:
    """The group when every child label gives the same one, else None."""
    return options[0] if options and len(set(options)) == 1 and options[0] is not None else None


# --- thyroid (corpora/staging/ajcc8-thyroid.md) --------------------------------------------------

THYROID_T = ("TX", "T0", "T1", "T1a", "T1b", "T2", "T3", "T3a", "T3b", "T4", "T4a", "T4b")
THYROID_N = ("NX", "N0", "N0a", "N0b", "N1", "N1a", "N1b")
THYROID_M = ("M0", "M1")
THYROID_CHILDREN = {"T1": ("T1a", "T1b"), "T3": ("T3a", "T3b"), "T4": ("T4a", "T4b"),
                    "N0": ("N0a", "N0b"), "N1": ("N1a", "N1b")}
# differentiated = papillary or follicular ("Choosing the stage table")
THYROID_HISTOLOGY = {"papillary": "differentiated", "follicular": "differentiated",
                     "differentiated": "differentiated", "anaplastic": "anaplastic", "medullary": "medullary"}


def _thyroid_leaf(t: str, n: str, m: str, kind: str, age: float) -> str | None:
    node_negative = n in ("N0a", "N0b", "NX")  # "N0/NX" where the corpus says so
    confined = t in ("T1a", "T1b", "T2")  # ≤4 cm in the gland
    if kind == "differentiated":
        if age < 55:  # only two groups: I without distant metastasis, II with it
            return "II" if m == "M1" else "I"
        if m == "M1":
            return "IVB"
        if t in ("TX", "T0"):
            return None
        if confined:
            return "I" if node_negative else "II"
        return {"T3a": "II", "T3b": "II", "T4a": "III", "T4b": "IVA"}[t]
    if kind == "anaplastic":  # every case stage IV
        if m == "M1":
            return "IVC"
        if t in ("TX", "T0"):
            return None
        if t in ("T1a", "T1b", "T2", "T3a"):
            return "IVA" if node_negative else "IVB"
        return "IVB"  # T3b, T4a, T4b with any N
    # medullary: age is not used; central (N1a) and lateral (N1b) nodes group differently
    if m == "M1":
        return "IVC"
    if t == "T4a":
        return "IVA"
    if t == "T4b":
        return "IVB"
    if t in ("TX", "T0") or n == "NX":
        return None
    if n in ("N0a", "N0b"):
        return "I" if t in ("T1a", "T1b") else "II"
    return "III" if n == "N1a" else "IVA"


def thyroid(t: str, n: str, m: str, extras: Mapping[str, Any]) -> str | None:
    kind = THYROID_HISTOLOGY.get(str(extras.get("histology", "")))
    age = extras.get("age")
    kinds = [kind] if kind else ["differentiated", "anaplastic", "medullary"]
    ages = [age] if age is not None else [30, 80]
    return _agree([_thyroid_leaf(tt, nn, m, k, a) for tt in THYROID_CHILDREN.get(t, (t,))
                   for nn in THYROID_CHILDREN.get(n, (n,)) for k in kinds for a in ages])


# --- urinary bladder (corpora/staging/ajcc8-bladder.md) ----------------------------------------

BLADDER_T = ("TX", "T0", "Ta", "Tis", "T1", "T2", "T2a", "T2b", "T3", "T3a", "T3b", "T4", "T4a", "T4b")
BLADDER_N = ("NX", "N0", "N1", "N2", "N3")
BLADDER_M = ("M0", "M1", "M1a", "M1b")
BLADDER_CHILDREN = {"T2": ("T2a", "T2b"), "T3": ("T3a", "T3b"), "T4": ("T4a", "T4b"), "M1": ("M1a", "M1b")}


def _bladder_leaf(t: str, n: str, m: str) -> str | None:
    if m == "M1a":  # distant nodes only
        return "IVA"
    if m == "M1b":
        return "IVB"
    if t == "T4b":  # pelvic or abdominal wall, any N (BLADDER8.RULE.T4B_NODES)
        return "IVA"
    if t in ("TX", "T0") or n == "NX":
        return None
    if t in ("Ta", "Tis"):
        return {"Ta": "0a", "Tis": "0is"}[t] if n == "N0" else None
    if n in ("N2", "N3"):  # more than one true-pelvis node, or common iliac
        return "IIIB"
    if n == "N1":
        return "IIIA"
    return {"T1": "I", "T2a": "II", "T2b": "II"}.get(t, "IIIA")  # T3a, T3b, T4a N0 → IIIA


def bladder(t: str, n: str, m: str, extras: Mapping[str, Any]) -> str | None:
    return _agree([_bladder_leaf(tt, n, mm) for tt in BLADDER_CHILDREN.get(t, (t,))
                   for mm in BLADDER_CHILDREN.get(m, (m,))])


# --- lung, 8th and 9th editions (DOMAIN.md §2 grids; occult carcinoma from the corpus) -----------

LUNG_T = ("TX", "T0", "Tis", "T1mi", "T1", "T1a", "T1b", "T1c", "T2", "T2a", "T2b", "T3", "T4")
LUNG8_N = ("NX", "N0", "N1", "N2", "N3")
LUNG9_N = ("NX", "N0", "N1", "N2", "N2a", "N2b", "N3")
LUNG8_M = ("M0", "M1", "M1a", "M1b", "M1c")
LUNG9_M = ("M0", "M1", "M1a", "M1b", "M1c", "M1c1", "M1c2")
LUNG_CHILDREN = {"T1": ("T1a", "T1b", "T1c"), "T2": ("T2a", "T2b"), "N2": ("N2a", "N2b")}
# columns N0, N1, N2 (8th) / N0, N1, N2a, N2b, N3 (9th), transcribed from DOMAIN.md
_LUNG8_GRID = {"T1mi": "IA1 IIB IIIA IIIB", "T1a": "IA1 IIB IIIA IIIB", "T1b": "IA2 IIB IIIA IIIB",
               "T1c": "IA3 IIB IIIA IIIB", "T2a": "IB IIB IIIA IIIB", "T2b": "IIA IIB IIIA IIIB",
               "T3": "IIB IIIA IIIB IIIC", "T4": "IIIA IIIA IIIB IIIC"}
_LUNG9_GRID = {"T1mi": "IA1 IIA IIB IIIA IIIB", "T1a": "IA1 IIA IIB IIIA IIIB", "T1b": "IA2 IIA IIB IIIA IIIB",
               "T1c": "IA3 IIA IIB IIIA IIIB", "T2a": "IB IIB IIIA IIIB IIIB", "T2b": "IIA IIB IIIA IIIB IIIB",
               "T3": "IIB IIIA IIIA IIIB IIIC", "T4": "IIIA IIIA IIIB IIIB IIIC"}


def _lung_leaf(t: str, n: str, m: str, edition: int) -> str | None:
    if m in ("M1a", "M1b"):
        return "IVA"
    if m.startswith("M1c"):
        return "IVB"
    if t == "TX" and n == "N0":
        return "Occult carcinoma"
    if t == "Tis":
        return "0" if n == "N0" else None
    if t in ("TX", "T0") or n == "NX":
        return None
    columns = ("N0", "N1", "N2", "N3") if edition == 8 else ("N0", "N1", "N2a", "N2b", "N3")
    return (_LUNG8_GRID if edition == 8 else _LUNG9_GRID)[t].split()[columns.index(n)]


def _lung(edition: int) -> Oracle:
    def oracle(t: str, n: str, m: str, extras: Mapping[str, Any]) -> str | None:
        ms = {"M1": ("M1a", "M1b", "M1c") if edition == 8 else ("M1a", "M1b", "M1c1", "M1c2"),
              "M1c": ("M1c1", "M1c2") if edition == 9 else ("M1c",)}.get(m, (m,))
        return _agree([_lung_leaf(tt, nn, mm, edition) for tt in LUNG_CHILDREN.get(t, (t,))
                       for nn in (LUNG_CHILDREN.get(n, (n,)) if edition == 9 else (n,)) for mm in ms])
    return oracle


# --- colon and rectum (DOMAIN.md §4 grid) -----------------------------------------------------------

CRC_T = ("TX", "T0", "Tis", "T1", "T2", "T3", "T4", "T4a", "T4b")
CRC_N = ("NX", "N0", "N1", "N1a", "N1b", "N1c", "N2", "N2a", "N2b")
CRC_M = ("M0", "M1", "M1a", "M1b", "M1c")
CRC_CHILDREN = {"T4": ("T4a", "T4b"), "N1": ("N1a", "N1b", "N1c"), "N2": ("N2a", "N2b"), "M1": ("M1a", "M1b", "M1c")}
_CRC_GRID = {"T1": "I IIIA IIIA IIIB", "T2": "I IIIA IIIB IIIB", "T3": "IIA IIIB IIIB IIIC",
             "T4a": "IIB IIIB IIIC IIIC", "T4b": "IIC IIIC IIIC IIIC"}  # columns N0, N1/N1c, N2a, N2b


def _crc_leaf(t: str, n: str, m: str) -> str | None:
    if m != "M0":
        return {"M1a": "IVA", "M1b": "IVB", "M1c": "IVC"}[m]
    if t == "Tis":
        return "0" if n == "N0" else None
    if t in ("TX", "T0") or n == "NX":
        return None
    column = {"N0": 0, "N1a": 1, "N1b": 1, "N1c": 1, "N2a": 2, "N2b": 3}[n]
    return _CRC_GRID[t].split()[column]


def colorectal(t: str, n: str, m: str, extras: Mapping[str, Any]) -> str | None:
    return _agree([_crc_leaf(tt, nn, mm) for tt in CRC_CHILDREN.get(t, (t,)) for nn in CRC_CHILDREN.get(n, (n,))
                   for mm in CRC_CHILDREN.get(m, (m,))])


# --- kidney, pancreas, liver (the prose above each corpus grid) ----------------------------------

KIDNEY_T = ("TX", "T0", "T1", "T1a", "T1b", "T2", "T2a", "T2b", "T3", "T3a", "T3b", "T3c", "T4")
KIDNEY_CHILDREN = {"T1": ("T1a", "T1b"), "T2": ("T2a", "T2b"), "T3": ("T3a", "T3b", "T3c")}


def _kidney_leaf(t: str, n: str, m: str) -> str | None:
    if m == "M1":
        return "IV"
    if t == "T4":  # through Gerota's fascia: IV whatever the nodes
        return "IV"
    if t in ("TX", "T0") or n == "NX":
        return None
    if n == "N1":  # a positive regional node makes T1-T3 stage III
        return "III"
    return {"T1": "I", "T2": "II", "T3": "III"}[t[:2]]


def kidney(t: str, n: str, m: str, extras: Mapping[str, Any]) -> str | None:
    return _agree([_kidney_leaf(tt, n, m) for tt in KIDNEY_CHILDREN.get(t, (t,))])


PANCREAS_T = ("TX", "T0", "Tis", "T1", "T1a", "T1b", "T1c", "T2", "T3", "T4")


def pancreas(t: str, n: str, m: str, extras: Mapping[str, Any]) -> str | None:
    if m == "M1":
        return "IV"
    if t == "T4":  # III whatever the nodes
        return "III"
    if t == "Tis":
        return "0" if n == "N0" else None
    if t in ("TX", "T0") or n == "NX":
        return None
    if n == "N2":  # four or more nodes
        return "III"
    if n == "N1":
        return "IIB"
    return {"T1": "IA", "T2": "IB", "T3": "IIA"}[t[:2]]


LIVER_T = ("TX", "T0", "T1", "T1a", "T1b", "T2", "T3", "T4")


def _liver_leaf(t: str, n: str, m: str) -> str | None:
    if m == "M1":
        return "IVB"
    if n == "N1":  # any regional node metastasis
        return "IVA"
    if t in ("TX", "T0") or n == "NX":
        return None
    return {"T1a": "IA", "T1b": "IB", "T2": "II", "T3": "IIIA", "T4": "IIIB"}[t]


def liver(t: str, n: str, m: str, extras: Mapping[str, Any]) -> str | None:
    return _agree([_liver_leaf(tt, n, m) for tt in ({"T1": ("T1a", "T1b")}.get(t, (t,)))])


# --- GIST (DOMAIN.md §11 and §13: gastric and non-gastric tables) ----------------------------------

GIST_T = ("TX", "T0", "T1", "T2", "T3", "T4")
GIST_SITES = {"stomach": "gastric", "omentum": "gastric", "small intestine": "other", "rectum": "other"}


def _gist_leaf(t: str, n: str, m: str, site: str, rate: float) -> str | None:
    if m == "M1" or n == "N1":
        return "IV"
    if t in ("TX", "T0"):  # NX is grouped as N0 (corpus GIST8.N.NX: nodal spread is rare)
        return None
    high = rate > 5  # mitoses per 5 mm²: ≤5 low, >5 high
    size = int(t[1])
    if site == "gastric":
        if not high:
            return {1: "IA", 2: "IA", 3: "IB", 4: "II"}[size]
        return {1: "II", 2: "II", 3: "IIIA", 4: "IIIB"}[size]
    if not high:
        return {1: "I", 2: "I", 3: "II", 4: "IIIA"}[size]
    return {1: "IIIA", 2: "IIIB", 3: "IIIB", 4: "IIIB"}[size]


def gist(t: str, n: str, m: str, extras: Mapping[str, Any]) -> str | None:
    sites = [GIST_SITES[extras["primary_site"]]] if "primary_site" in extras else ["gastric", "other"]
    rates = [extras["mitotic_rate"]] if "mitotic_rate" in extras else [1, 10]
    return _agree([_gist_leaf(t, n, m, s, r) for s in sites for r in rates])


# --- prostate (DOMAIN.md §5 and §13; corpus PROSTATE8.RULE.MISSING_PSA_OR_GRADE) ---------------------

PROSTATE_CT = ("TX", "T0", "T1", "T1a", "T1b", "T1c", "T2", "T2a", "T2b", "T2c", "T3", "T3a", "T3b", "T4")
PROSTATE_PT = ("TX", "T0", "T2", "T3", "T3a", "T3b", "T4")
PROSTATE_CHILDREN = {"c": {"T1": ("T1a", "T1b", "T1c"), "T2": ("T2a", "T2b", "T2c"), "T3": ("T3a", "T3b")},
                     "p": {"T3": ("T3a", "T3b")}}


def _prostate_leaf(t: str, n: str, m: str, prefix: str, psa: float, gg: int) -> str | None:
    if m.startswith("M1"):  # any T, TX included: M1 places the case in stage IV (TNM8.RULE.STAGE_GROUPS)
        return "IVB"
    if t in ("TX", "T0") or n == "NX":  # an unknown T or N gives no group without M1
        return None
    if n == "N1":
        return "IVA"
    if gg == 5:  # any T
        return "IIIC"
    if t.startswith(("T3", "T4")):
        return "IIIB"
    if psa >= 20:
        return "IIIA"
    if gg in (3, 4):
        return "IIC"
    if gg == 2:
        return "IIB"
    if prefix == "c" and t in ("T2b", "T2c"):  # GG1, PSA <20
        return "IIA"
    return "I" if psa < 10 else "IIA"  # cT1a-c, cT2a or pT2 with GG1


def prostate(t: str, n: str, m: str, extras: Mapping[str, Any]) -> str | None:
    prefix = extras.get("prefix", "c")
    psas = [extras["psa"]] if "psa" in extras else [5, 15, 25]
    ggs = [extras["grade_group"]] if "grade_group" in extras else [1, 2, 3, 4, 5]
    ms = ("M1a", "M1b", "M1c") if m == "M1" else (m,)
    return _agree([_prostate_leaf(tt, n, mm, prefix, psa, gg) for tt in PROSTATE_CHILDREN[prefix].get(t, (t,))
                   for mm in ms for psa in psas for gg in ggs])


# --- breast, anatomic (DOMAIN.md §3 grid and §13) -------------------------------------------------

BREAST_T = ("TX", "T0", "Tis", "T1mi", "T1", "T1a", "T1b", "T1c", "T2", "T3", "T4", "T4a", "T4b", "T4c", "T4d")
BREAST_N = ("NX", "N0", "N0(i+)", "N0(mol+)", "N1mi", "N1", "N1a", "N1b", "N1c", "N2", "N2a", "N2b", "N3", "N3a", "N3b",
            "N3c")
BREAST_M = ("M0", "M0(i+)", "M1")
_BREAST_GRID = {"T0": "- IB IIA IIIA IIIC", "T1": "IA IB IIA IIIA IIIC", "T2": "IIA IIB IIB IIIA IIIC",
                "T3": "IIB IIIA IIIA IIIA IIIC", "T4": "IIIB IIIB IIIB IIIB IIIC"}  # N0, N1mi, N1, N2, N3


def breast(t: str, n: str, m: str, extras: Mapping[str, Any]) -> str | None:
    if m == "M1":
        return "IV"
    if t == "Tis":  # corpus: "Any T, including Tis, with N3 and M0 is stage IIIC"
        return "0" if n.startswith("N0") else "IIIC" if n.startswith("N3") else None
    if t == "TX" or n == "NX":
        return None
    if extras.get("prefix") == "yp" and t == "T0" and n.startswith("N0"):
        return None  # complete response: no anatomic group
    row = "T1" if t.startswith("T1") else "T4" if t.startswith("T4") else t
    column = 0 if n.startswith("N0") else 1 if n == "N1mi" else int(n[1]) + 1
    group = _BREAST_GRID[row].split()[column]
    return None if group == "-" else group


# --- stomach (AJCC 8th gastric cTNM, pTNM and ypTNM, written by depth rank × node rank) ----------------

STOMACH_T = ("TX", "T0", "Tis", "T1", "T1a", "T1b", "T2", "T3", "T4", "T4a", "T4b")
STOMACH_N = ("NX", "N0", "N1", "N2", "N3", "N3a", "N3b")
_DEPTH = {"T1": 0, "T2": 1, "T3": 2, "T4a": 3, "T4b": 4}
# pathological: a group per (depth, nodes N0 N1 N2 N3a N3b)
_GASTRIC_P = ("IA IB IIA IIB IIIB", "IB IIA IIB IIIA IIIB", "IIA IIB IIIA IIIB IIIC", "IIB IIIA IIIA IIIB IIIC",
              "IIIA IIIB IIIB IIIC IIIC")
_GASTRIC_YP = ("I I II II", "I II II III", "II II III III", "II III III III", "III III III III")  # N0 N1 N2 N3


def _stomach_leaf(t: str, n: str, m: str, prefix: str) -> str | None:
    if m == "M1":
        return "IV" if prefix in ("p", "yp") else "IVB"
    if prefix == "c" and t == "T4b":  # "every T4b tumour without distant spread is IVA", whatever N
        return "IVA"
    if t in ("TX", "T0") or n == "NX":
        return None
    if t == "Tis":
        return "0" if n == "N0" and prefix != "yp" else None
    depth = _DEPTH["T1" if t.startswith("T1") else t]
    if prefix == "c":  # coarse: node-negative or node-positive
        if depth == 4:
            return "IVA"
        return ("I" if depth < 2 else "IIB") if n == "N0" else ("IIA" if depth < 2 else "III")
    if prefix == "yp":
        return _GASTRIC_YP[depth].split()[("N0", "N1", "N2", "N3").index(n[:2])]
    return _GASTRIC_P[depth].split()[("N0", "N1", "N2", "N3a", "N3b").index(n)] if n != "N3" else None


def stomach(t: str, n: str, m: str, extras: Mapping[str, Any]) -> str | None:
    prefix = extras.get("prefix", "p")
    ns = ("N3a", "N3b") if n == "N3" and prefix == "p" else (n,)
    return _agree([_stomach_leaf(tt, nn, m, prefix) for tt in {"T4": ("T4a", "T4b")}.get(t, (t,)) for nn in ns])


# --- cervix, FIGO 2018 as the corpus maps it (corpora/staging/ajcc8-cervix.md prose) ------------------

CERVIX_T = ("TX", "T0", "T1", "T1a", "T1a1", "T1a2", "T1b", "T1b1", "T1b2", "T1b3", "T2", "T2a", "T2a1", "T2a2", "T2b",
            "T3", "T3a", "T3b", "T4")
_CERVIX_LEAVES = ("T1a1", "T1a2", "T1b1", "T1b2", "T1b3", "T2a1", "T2a2", "T2b", "T3a", "T3b")


def _cervix_leaf(t: str, n: str, m: str) -> str | None:
    if m == "M1":
        return "IVB"
    if t == "T4":  # IV outranks the nodal IIIC
        return "IVA"
    if t == "T0":  # the corpus gives T0 no group (only TX with nodes)
        return None
    if n in ("N1", "N2"):  # nodes decide whatever the tumour (TX included)
        return "IIIC1" if n == "N1" else "IIIC2"
    if t in ("TX", "T0"):
        return None
    return {"T1a1": "IA1", "T1a2": "IA2", "T1b1": "IB1", "T1b2": "IB2", "T1b3": "IB3", "T2a1": "IIA1",
                      "T2a2": "IIA2", "T2b": "IIB", "T3a": "IIIA", "T3b": "IIIB"}[t]  # N0, N0(i+) and NX


def cervix(t: str, n: str, m: str, extras: Mapping[str, Any]) -> str | None:
    leaves = [x for x in _CERVIX_LEAVES if x.startswith(t)] if t not in ("TX", "T0", "T4") else [t]
    return _agree([_cervix_leaf(tt, n, m) for tt in leaves])


# --- oesophagus (AJCC 8th: squamous and adenocarcinoma × c / p / yp, grade and location) -------------

ESOPH_T = ("TX", "T0", "Tis", "T1", "T1a", "T1b", "T2", "T3", "T4", "T4a", "T4b")
ESOPH_N = ("NX", "N0", "N1", "N2", "N3")
_ESOPH_CHILDREN = {"T1": ("T1a", "T1b"), "T4": ("T4a", "T4b")}


def _esoph_leaf(t: str, n: str, m: str, kind: str, prefix: str, grade: str, location: str) -> str | None:
    if m == "M1":
        return "IVB"
    if n == "N3":  # any T, TX included
        return "IVA"
    if prefix == "yp" and t == "T4a" and n == "NX":  # the corpus's yp table lists ypT4a NX as IVA
        return "IVA"
    if t in ("TX",) or n == "NX":
        return None
    if t == "T4b":
        return "IVA"
    if prefix == "yp":  # one table for both histologies; ypTis has no row
        if t == "Tis":
            return None
        if t == "T4a":
            return "IIIB" if n == "N0" else "IVA"
        if n == "N2":
            return "IIIB"
        if t == "T3":
            return "II" if n == "N0" else "IIIB"
        return "I" if n == "N0" else "IIIA"  # ypT0-T2 (Tis included)
    if t == "T0":
        return None
    if t == "Tis":
        return "0" if n == "N0" else None
    t1 = t.startswith("T1")
    if prefix == "c":
        if kind == "squamous":
            if t == "T4a":
                return "IVA"
            if n == "N2":
                return "III"
            if t1:
                return "I"
            if t == "T2":
                return "II"
            return "II" if n == "N0" else "III"  # T3
        if n == "N2" or t == "T4a" and n == "N2":
            return "IVA"
        if t1:
            return "I" if n == "N0" else "IIA"
        if t == "T2":
            return "IIB" if n == "N0" else "III"
        return "III"  # T3, T4a with N0-N1
    # pathological
    if t == "T4a":
        return "IVA" if n == "N2" else "IIIB"
    if n == "N2":
        return "IIIA" if t1 else "IIIB"
    if n == "N1":
        return "IIB" if t1 else "IIIA" if t == "T2" else "IIIB"
    if kind == "squamous":  # N0
        if t == "T1a":
            return "IA" if grade in ("G1", "GX") else "IB"
        if t == "T1b":
            return "IB"
        if t == "T2":
            return "IB" if grade == "G1" else "IIA"
        # T3 N0: lower third any grade IIA; upper/middle G1 IIA, G2-3 IIB; GX or unknown location IIB;
        # a lower-third GX tumour fits two rows, and the corpus rule SCC_T3N0_GX_LOWER keeps IIA
        if location == "lower":
            return "IIA"
        if grade == "GX" or location == "X":
            return "IIB"
        return "IIA" if grade == "G1" else "IIB"
    if t == "T1a":
        return "IA" if grade in ("G1", "GX") else "IB" if grade == "G2" else "IC"
    if t == "T1b":
        return "IB" if grade in ("G1", "G2", "GX") else "IC"
    if t == "T2":
        return "IC" if grade in ("G1", "G2") else "IIA"
    return "IIB"  # T3 N0


def esophagus(t: str, n: str, m: str, extras: Mapping[str, Any]) -> str | None:
    prefix = extras.get("prefix", "p")
    kinds = [extras["histology"]] if "histology" in extras else ["squamous", "adenocarcinoma"]
    grades = [extras["grade"]] if "grade" in extras else ["G1", "G2", "G3", "GX"]
    locations = [extras["location"]] if "location" in extras else ["upper", "middle", "lower", "X"]
    return _agree([_esoph_leaf(tt, n, m, k, prefix, g, loc) for tt in _ESOPH_CHILDREN.get(t, (t,)) for k in kinds
                   for g in grades for loc in locations])


# --- enumeration and scoring ---------------------------------------------------------------------

@dataclass(frozen=True)
class Site:
    system: str
    oracle: Oracle
    t: tuple[str, ...]
    n: tuple[str, ...]
    m: tuple[str, ...]
    extras: tuple[Mapping[str, Any], ...] = ({},)


SITES: dict[str, Site] = {
    "thyroid": Site("AJCC8-thyroid", thyroid, THYROID_T, THYROID_N, THYROID_M,
                    tuple({"histology": h, "age": a} for h in ("papillary", "follicular", "anaplastic", "medullary")
                          for a in (30, 54, 55, 80))
                    # an extra input left out: a group is still due when every value would give it
                    + tuple({"histology": h} for h in ("papillary", "anaplastic", "medullary")) + ({"age": 70}, {})),
    "bladder": Site("AJCC8-bladder", bladder, BLADDER_T, BLADDER_N, BLADDER_M),
    "lung8": Site("AJCC8-lung", _lung(8), LUNG_T, LUNG8_N, LUNG8_M),
    "lung9": Site("TNM9-lung", _lung(9), LUNG_T, LUNG9_N, LUNG9_M),
    "colorectal": Site("AJCC8-colorectal", colorectal, CRC_T, CRC_N, CRC_M),
    "prostate-c": Site("AJCC8-prostate", prostate, PROSTATE_CT, ("NX", "N0", "N1"), ("M0", "M1", "M1a", "M1b", "M1c"),
                       tuple({"prefix": "c", "psa": psa, "grade_group": gg} for psa in (4, 9.9, 10, 19.9, 20, 50)
                             for gg in (1, 2, 3, 4, 5)) + ({"prefix": "c", "grade_group": 1}, {"prefix": "c", "psa": 25},
                                                          {"prefix": "c", "grade_group": 5}, {"prefix": "c"})),
    "prostate-p": Site("AJCC8-prostate", prostate, PROSTATE_PT, ("NX", "N0", "N1"), ("M0", "M1", "M1a", "M1b", "M1c"),
                       tuple({"prefix": "p", "psa": psa, "grade_group": gg} for psa in (4, 10, 20) for gg in (1, 2, 3, 5))
                       + ({"prefix": "p", "grade_group": 2}, {"prefix": "p"})),
    "breast": Site("AJCC8-breast", breast, BREAST_T, BREAST_N, BREAST_M, ({}, {"prefix": "p"}, {"prefix": "yp"})),
    "stomach": Site("AJCC8-stomach", stomach, STOMACH_T, STOMACH_N, ("M0", "M1"),
                    ({"prefix": "c"}, {"prefix": "p"}, {"prefix": "yp"})),
    "cervix": Site("AJCC8-cervix", cervix, CERVIX_T, ("NX", "N0", "N0(i+)", "N1", "N2"), ("M0", "M1")),
    "esophagus": Site("AJCC8-esophagus", esophagus, ESOPH_T, ESOPH_N, ("M0", "M1"),
                      tuple({"prefix": p, "histology": h, "grade": g, "location": loc} for p in ("c", "p", "yp")
                            for h in ("squamous", "adenocarcinoma") for g in ("G1", "G2", "G3", "GX")
                            for loc in ("upper", "middle", "lower", "X"))
                      + ({"prefix": "p", "histology": "squamous"}, {"prefix": "c"}, {"prefix": "yp"})),
    "kidney": Site("AJCC8-kidney", kidney, KIDNEY_T, ("NX", "N0", "N1"), ("M0", "M1")),
    "pancreas": Site("AJCC8-pancreas", pancreas, PANCREAS_T, ("NX", "N0", "N1", "N2"), ("M0", "M1")),
    "liver": Site("AJCC8-liver", liver, LIVER_T, ("NX", "N0", "N1"), ("M0", "M1")),
    "gist": Site("AJCC8-gist", gist, GIST_T, ("NX", "N0", "N1"), ("M0", "M1"),
                 tuple({"primary_site": s, "mitotic_rate": r} for s in GIST_SITES for r in (2, 5, 6, 20))
                 + ({"primary_site": "stomach"}, {"mitotic_rate": 3}, {})),
}


def combinations(site: Site) -> Iterator[tuple[str, str, str, Mapping[str, Any], str | None]]:
    """(T, N, M, extras, expected group or None) for every label combination of the site."""
    for t, n, m, extras in product(site.t, site.n, site.m, site.extras):
        yield t, n, m, extras, site.oracle(t, n, m, extras)


@dataclass
class Score:
    right: int = 0
    wrong: int = 0
    missing: int = 0
    failures: list[str] | None = None

    @property
    def total(self) -> int:
        return self.right + self.wrong + self.missing


def score(site: Site, stage: Callable[[str, Mapping[str, Any]], str | None]) -> Score:
    """``stage(tnm, findings)`` → the calculator's group (None when missing or rejected).

    right: same group, or both none; wrong: a group that differs from the oracle's, or a group where
    the corpus gives none; missing: the oracle has a group and the calculator gives none.
    """
    out = Score(failures=[])
    for t, n, m, extras, expected in combinations(site):
        got = stage(f"{t} {n} {m}", extras)
        if got == expected:
            out.right += 1
            continue
        if got is None:
            out.missing += 1
        else:
            out.wrong += 1
        assert out.failures is not None
        out.failures.append(f"{t} {n} {m} {dict(extras)}: expected {expected}, got {got}")
    return out
