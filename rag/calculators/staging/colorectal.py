"""Colon and rectum, AJCC 8th edition (DOMAIN §4): depth gives T, node count gives N.

Tumour deposits give N1c only when every node is negative; with a positive node they do not
change N. Peritoneal metastasis is M1c whatever else is involved.
"""

from __future__ import annotations

import re

from rag.calculators.staging.extract import Descriptors, Fact, distant_facts, evidence, find, n0_statement, node_counts
from rag.calculators.staging.site import Context, Derived, SiteSpec
from rag.calculators.staging.table import Assignment, StageTable, row

_T = ("TX", "T0", "Tis", "T1", "T2", "T3", "T4", "T4a", "T4b")
_N = ("NX", "N0", "N1", "N1a", "N1b", "N1c", "N2", "N2a", "N2b")
_M = ("M0", "M1", "M1a", "M1b", "M1c")
_COLS = {"N0": ("N0",), "N1": ("N1", "N1a", "N1b", "N1c"), "N2a": ("N2a",), "N2b": ("N2b",)}
_GRID = {
    "T1": ("I", "IIIA", "IIIA", "IIIB"),
    "T2": ("I", "IIIA", "IIIB", "IIIB"),
    "T3": ("IIA", "IIIB", "IIIB", "IIIC"),
    "T4a": ("IIB", "IIIB", "IIIC", "IIIC"),
    "T4b": ("IIC", "IIIC", "IIIC", "IIIC"),
}
_ROWS = (
    row("CRC8.STAGE.Tis", "0", "Tis", "N0", "M0"),
    *[row(f"CRC8.STAGE.{t}", stage, t, _COLS[col], "M0")
      for t, stages in _GRID.items() for col, stage in zip(_COLS, stages, strict=True)],
    row("CRC8.STAGE.M1a", "IVA", _T, _N, "M1a"),
    row("CRC8.STAGE.M1b", "IVB", _T, _N, "M1b"),
    row("CRC8.STAGE.M1c", "IVC", _T, _N, "M1c"),
)
CRC8_TABLE = StageTable("AJCC8-colorectal", "AJCC 8th edition", _T, _N, _M, _ROWS)

_DEPTH = (  # deepest first; each pattern is an affirmed statement of depth
    ("T4b", re.compile(r"(?:invad\w*|infiltrat\w*|involv\w*|adheren\w*|adherent)\s+(?:to\s+|into\s+)?(?:the\s+|an?\s+)?"
                       r"(?:adjacent|other|neighbou?ring)\s+(?:organs?|structures?)|adjacent\s+organ\s+"
                       r"(?:invasion|involvement)|(?:directly\s+)?(?:invad\w*|infiltrat\w*|adherent\s+to)\s+(?:into\s+)?(?:the\s+)?"
                       r"(?:wall\s+of\s+the\s+)?(?:urinary\s+bladder|bladder|uterus|vagina|cervix|prostate|seminal\s+vesicles?|"
                       r"ovary|small\s+(?:bowel|intestine)|abdominal\s+wall|kidney|spleen|stomach|ureter|duodenum|sacrum)|"
                       r"(?:侵犯|侵及|累及)(?:邻近器官|膀胱|子宫|阴道|前列腺|精囊|小肠|腹壁|输尿管)", re.I)),
    ("T4a", re.compile(r"(?:penetrat\w*|through|invad\w*|involv\w*|breach\w*|reach\w*)\s+(?:the\s+)?"
                       r"(?:visceral\s+peritone\w*|serosa\w*|peritoneal\s+surface|serosal\s+surface)|"
                       r"(?:visceral\s+peritone\w*|serosal?)\s+(?:surface\s+)?(?:involvement|penetration|invasion)"
                       r"\s*[:=]?\s*(?:present|yes|identified)?|tumou?r\s+perforation|perforat\w+\s+(?:through|of)\s+"
                       r"the\s+tumou?r|(?:at|to|on|involv\w*|reach\w*|present\s+at)\s+(?:the\s+)?(?:serosal|peritoneal)\s+"
                       r"surface|浆膜(?:层|面)?(?:受侵|穿透|受累|见癌)|(?:穿透|突破|侵(?:犯|及)?(?:至|达)?|累及|达)浆膜(?:层|面)?(?!下)", re.I)),
    # "through the muscular wall/membrane" is through the muscularis propria; Latin-order "adipose tissue
    # pericolic" ("telae adiposae pericolicae") is the pericolorectal fat
    ("T3", re.compile(r"(?<!not\s)(?:through|beyond)\s+(?:the\s+)?(?:muscularis\s+propria|muscular\s+(?:wall|membrane|layer|coat))|"
                      r"adipos\w*\s+(?:tissue\s+)?peri(?:colic|colonic|rectal|colorectal)\w*|穿透(?:固有)?肌层|into\s+(?:the\s+)?(?:peri(?:colic|colonic|"
                      r"rectal|colorectal)|mesorectal|subserosa\w*|serosal?\s+fat)|peri(?:colic|colonic|rectal|"
                      r"colorectal)\s+(?:fat|adipose|soft\s+tissue|tissue)|mesorectal\s+fat|subserosa|浆膜下|外膜", re.I)),
    ("T2", re.compile(r"muscularis\s+propria|muscle\s+wall|muscularis\s+externa|肌层|固有肌", re.I)),
    ("T1", re.compile(r"submucosa\w*|黏膜下", re.I)),
    ("Tis", re.compile(r"intramucosal\s+(?:adeno)?carcinoma|lamina\s+propria|carcinoma\s+in\s+situ", re.I)),
)
_DEPTH_CUE = re.compile(r"invad|invasion|into|through|extend|penetrat|confined|involv|reach|infiltrat|侵|达", re.I)
_DEPOSITS = re.compile(r"tumou?r\s+deposits?|(?:non-?lymph\s+node|discontinuous)\s+(?:\w+\s+){0,2}tumou?r|"
                       r"satellite\s+(?:tumou?r\s+)?nodules?|癌结节", re.I)
_ORGANS = re.compile(r"(?P<peritoneum>peritone\w*|omentum|omental|carcinomatosis|腹膜)|(?P<liver>liver|hepatic|肝)|"
                     r"(?P<lung>lungs?|pulmonary|肺)|(?P<ovary>ovar\w+)|(?P<bone>bones?|osseous)|(?P<brain>brain)|"
                     r"(?P<distant_nodes>(?:para-?aortic|distant|non-?regional|retroperitoneal)\s+(?:lymph\s+)?nodes?)", re.I)
_NODES_NONE = re.compile(r"(?:lymph\s+)?nodes?\s*[:=]?\s*(?:all\s+)?(?:negative|benign|uninvolved)|no\s+(?:lymph\s+node|"
                         r"nodal)\s+metasta\w*", re.I)


# A non-tumour thing named as what lies on the serosal surface (the nearest subject before the place, across
# OCR stops): the surface is that thing's location, not a depth the tumour reached.
_OTHER_ON_SURFACE = re.compile(r"\b(?:scar|adhesions?|fibrosis|fibrin\w*|exudate|h(?:a)?emorrhage|ink(?:ed)?|"
                               r"fat\s+necrosis|puckering|granulation\s+tissue|diverticul\w*)\b"
                               r"(?![^.;]{0,10}\b(?:tumou?r|carcinoma)\b)(?:(?!tumou?r|carcinoma|invad|infiltrat)[^;])*$", re.I)


def n_by_count(positive: int) -> str:
    """N1a one node, N1b 2-3, N2a 4-6, N2b 7 or more."""
    return "N1a" if positive == 1 else "N1b" if positive <= 3 else "N2a" if positive <= 6 else "N2b"


def extract(text: str) -> Descriptors:
    """Colorectal descriptors: depth of invasion, node counts, tumour deposits, metastatic sites."""
    d: Descriptors = {}
    for label, pattern in _DEPTH:
        for hit in find(text, pattern):
            guard = label in ("T2", "T1", "Tis")
            if hit.negated and not (label == "T2" and re.search(r"(?i)into\s+(?:but\s+)?not\s+through",
                                                                text[max(0, hit.start - 30):hit.start])):
                continue
            if guard and not _DEPTH_CUE.search(text[max(0, hit.start - 60):hit.start]):
                continue
            if re.match(r"\s*(?:margin|edge)", text[hit.end:hit.end + 10], re.I):
                continue
            if label == "T4a" and _OTHER_ON_SURFACE.search(text[max(0, hit.start - 80):hit.start]):
                continue  # "a scar (2 x 0.5 cm) is present on the serosal surface": the scar's place, not the tumour's
            d["depth"] = Fact(label, (evidence("T.depth", label, hit.start, hit.end, text),))
            break
        if "depth" in d:
            break
    counts = node_counts(text)
    if counts:
        best = max(counts, key=lambda c: (c.total or 0, c.positive))
        covers = (best.total or 0) >= sum(c.total or 0 for c in counts if c is not best)
        pos = best.positive if covers else sum(c.positive for c in counts)
        d["nodes_positive"] = Fact(pos, (evidence("N.count", f"{best.positive}/{best.total}", best.start, best.end, text),))
    elif (none := next(find(text, _NODES_NONE, negation=False), None) or n0_statement(text)) is not None:
        d["nodes_positive"] = Fact(0, (evidence("N.none", 0, none.start, none.end, text),))
    dep = next((h for h in find(text, _DEPOSITS) if not h.negated), None)
    if dep:
        d["deposits"] = Fact(True, (evidence("N.deposits", True, dep.start, dep.end, text),))
    d.update(distant_facts(text, _ORGANS))
    return d


def derive(d: Descriptors, ctx: Context) -> Derived:
    """T from depth, N from the positive count (or deposits), M from sites (peritoneum → M1c)."""
    found: dict[str, Assignment] = {}
    notes: list[str] = []
    if "depth" in d:
        t = d["depth"].value
        found["T"] = Assignment(t, f"CRC8.T.{t}", d["depth"].evidence)
    if "nodes_positive" in d:
        pos = d["nodes_positive"].value
        if pos == 0 and "deposits" in d:
            found["N"] = Assignment("N1c", "CRC8.N.N1c", d["nodes_positive"].evidence + d["deposits"].evidence)
        elif pos == 0:
            found["N"] = Assignment("N0", "CRC8.N.N0", d["nodes_positive"].evidence)
        else:
            n = n_by_count(pos)
            found["N"] = Assignment(n, f"CRC8.N.{n}", d["nodes_positive"].evidence)
            if "deposits" in d:
                notes.append("Tumour deposits do not change N when a lymph node is positive (N1c needs all nodes negative).")
    if "distant" in d:
        sites = d["distant"].value
        m = "M1c" if "peritoneum" in sites else "M1b" if len(sites) >= 2 else "M1a"
        found["M"] = Assignment(m, f"CRC8.M.{m}", d["distant"].evidence)
    elif "m0_stated" in d:
        found["M"] = Assignment("M0", "CRC8.M.M0", d["m0_stated"].evidence)
    return Derived(found, {}, (), tuple(notes))


CRC8 = SiteSpec(
    system="AJCC8-colorectal", edition="AJCC 8th edition", rule_prefix="CRC8",
    aliases=("colorectal", "crc", "colon", "rectum", "rectal", "AJCC8 colorectal", "AJCC8-colon",
             "AJCC8-rectum", "TNM8-colorectal", "UICC8-colorectal"),
    tables={"p": CRC8_TABLE}, extract=extract, derive=derive,
    needs={"T": "T: depth of invasion (submucosa, muscularis propria, pericolorectal tissue, "
                "visceral peritoneum, other organs)",
           "N": "N: number of positive regional lymph nodes (and tumour deposits)",
           "M": "M: distant metastasis status and sites (M0 if none)"},
    label_notes={"T3a": "colorectal T3 has no subcategories in AJCC 8th", "T3b": "colorectal T3 has no subcategories in AJCC 8th",
                 "T3c": "colorectal T3 has no subcategories in AJCC 8th", "T3d": "colorectal T3 has no subcategories in AJCC 8th",
                 "T4c": "colorectal T4 has T4a and T4b", "N2c": "colorectal N2 has N2a and N2b"},
)
