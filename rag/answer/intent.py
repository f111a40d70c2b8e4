"""Question understanding: language, the system a question is about, and whether it asks for a
calculation.

Deterministic rules, no model: a question that carries findings ("stage a 3.5 cm lung tumour with N1
nodes", "T2a N1 M0 lung stage?", "Lung-RADS for a 7 mm solid nodule", "3.5 cm 肺癌 N1 分期") is
routed to the calculator of the system its words name, because a calculator's stage is exact where
a retrieved passage is only relevant. Systems and editions named explicitly ("Lung-RADS", "9th
edition", "第9版") also become document filters for retrieval.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.index.tokenize import has_chinese
from rag.types import DocFilter

__all__ = ["Intent", "site_words", "understand", "tnm_labels"]


@dataclass(frozen=True)
class Intent:
    """What a question asks, as far as rules can tell."""

    question: str
    language: str  # "en" | "zh"
    system: str | None  # a CONTRACT.md system id, when the question names a site or scheme
    calculate: bool  # carries findings and asks for a stage/category
    tnm: str  # stated T/N/M labels, "T2a N1 M0" ("" when none)
    findings_text: str  # the question without site words and stated labels, for the text readers
    filters: DocFilter
    explicit_system: bool = False  # named as a scheme/edition (filters), not only inferred from a site

    @property
    def is_rads(self) -> bool:
        return bool(self.system and not self.system.startswith(("AJCC", "TNM")))


# RADS and classification schemes: named explicitly, so they filter retrieval too.
_SCHEMES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Lung-RADS-v2022", re.compile(r"lung[\s-]?rads", re.I)),
    ("ACR-TI-RADS", re.compile(r"\bti[\s-]?rads\b|\btr[1-5]\b|(?<![A-Za-z])TR(?=几)", re.I)),
    ("BI-RADS", re.compile(r"\bbi[\s-]?rads\b", re.I)),
    ("LI-RADS-v2018", re.compile(r"\bli[\s-]?rads\b|\bLR-(?:[1-5]|M|TIV)\b", re.I)),
    ("PI-RADS-v2.1", re.compile(r"\bpi[\s-]?rads\b", re.I)),
    ("WHO-CNS5", re.compile(r"\bwho\s+cns|\bcns\s*5\b|glioma|astrocytoma|glioblastoma|oligodendroglioma|"
                            r"meningioma|胶质瘤|脑膜瘤|星形细胞瘤|胶质母细胞瘤|少突胶质", re.I)),
    ("WHO-NET2019", re.compile(r"neuroendocrine|\bNETs?\b|\bNEC\b|神经内分泌", re.I)),
)
# Anatomic sites → AJCC 8th systems (the default edition); order matters (first match wins).
_SITES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("AJCC8-lung", re.compile(r"\blung\b|pulmonary|\bnsclc\b|\bsclc\b|bronch|非小细胞|肺癌|肺腺癌|肺鳞癌|肺", re.I)),
    ("AJCC8-breast", re.compile(r"breast|mammary|乳腺", re.I)),
    ("AJCC8-colorectal", re.compile(r"colorectal|\bcolon\b|colonic|rectal|rectum|sigmoid|结直肠|结肠|直肠", re.I)),
    ("AJCC8-prostate", re.compile(r"prostat|前列腺", re.I)),
    ("AJCC8-gist", re.compile(r"\bgist\b|gastrointestinal stromal|间质瘤", re.I)),
    ("AJCC8-esophagus", re.compile(r"o?esophag|gastro-?o?esophageal junction|食管", re.I)),
    ("AJCC8-stomach", re.compile(r"stomach|gastric|胃", re.I)),
    ("AJCC8-pancreas", re.compile(r"pancrea|胰", re.I)),
    ("AJCC8-liver", re.compile(r"\bliver\b|hepatocellular|\bhcc\b|肝", re.I)),
    ("AJCC8-thyroid", re.compile(r"thyroid|papillary carcinoma|甲状腺", re.I)),
    ("AJCC8-kidney", re.compile(r"kidney|renal|肾", re.I)),
    ("AJCC8-bladder", re.compile(r"bladder|urothelial|膀胱", re.I)),
    ("AJCC8-cervix", re.compile(r"cervix|cervical cancer|cervical carcinoma|figo|宫颈", re.I)),
    ("AJCC8-mesothelioma", re.compile(r"mesothelioma|间皮瘤", re.I)),
    ("AJCC8-thymus", re.compile(r"thym|胸腺", re.I)),
    ("AJCC8-soft-tissue", re.compile(r"sarcoma|肉瘤", re.I)),
)
_NINTH = re.compile(r"\b9th\b|\bninth\b|\bTNM\s*9\b|\bversion\s*9\b|\bv9\b|iaslc|第\s*9\s*版|第九版", re.I)
_EIGHTH = re.compile(r"\b8th\b|\beighth\b|\bAJCC\s*8\b|第\s*8\s*版|第八版", re.I)
# A question asks for a result when it uses these words (or only gives labels and a question mark).
_ASK = re.compile(r"\bstag(?:e|es|ing)\b|\bcategor(?:y|ise|ize)\b|\bclassif|\bgroup\b|\bwhat\s+[TNM]\b|"
                  r"\bscore\b|\bwhich\s+(?:T|N|M|level)\b|分期|几期|哪一期|类别|分类|分级|归类|评分|多少分", re.I)
_SIZE = re.compile(r"\d+(?:\.\d+)?\s*(?:mm|cm|毫米|厘米)(?![A-Za-z])", re.I)
_TNM = re.compile(r"(?<![A-Za-z0-9])(?:yp|yc|c|p)?([TNM](?:is|X|x|[0-4](?:mi|[a-d][1-3]?)?))(?![A-Za-z0-9])")
_GLUED = re.compile(r"(?<=[TN][0-4X])(?=[NM][0-4X])|(?<=[TN][0-4][a-d])(?=[NM][0-4X])"
                    r"|(?<=Tis)(?=N[0-4X])|(?<=T[0-4]mi)(?=N[0-4X])")
_FEATURE = re.compile(r"\bnodes?\b|nodal|metasta|invad|invasion|solid|ground[- ]glass|hypoechoic|echogenic|"
                      r"washout|enhanc|淋巴结|转移|侵犯|实性|结节", re.I)


def tnm_labels(text: str) -> dict[str, str]:
    """Stated T, N and M labels (last one of each axis wins), prefix dropped: {"T": "T2a", ...}."""
    labels: dict[str, str] = {}
    text = _GLUED.sub(" ", text)  # "T1aN1M0" → "T1a N1 M0"
    for match in _TNM.finditer(text):
        label = match.group(1)
        labels[label[0]] = label[0] + label[1:].replace("x", "X")
    return labels


def _system(text: str) -> tuple[str | None, bool]:
    for system, pattern in _SCHEMES:
        if pattern.search(text):
            return system, True
    for system, pattern in _SITES:
        if pattern.search(text):
            if system == "AJCC8-lung" and _NINTH.search(text):
                return "TNM9-lung", True
            return system, bool(_EIGHTH.search(text))
    if _NINTH.search(text) and tnm_labels(text):
        return "TNM9-lung", True  # the only 9th-edition system in the corpus
    return None, False


def site_words(text: str) -> list[str]:
    """The words of ``text`` that name a site or scheme ("肺癌", "Lung-RADS", "prostate"): they say which
    document a question is about, not what it asks about that document."""
    return [m.group(0) for _, pattern in (*_SCHEMES, *_SITES) for m in pattern.finditer(text)]


def _filters(system: str | None, explicit: bool) -> DocFilter:
    if not system or not explicit:
        return DocFilter()
    if system.startswith(("AJCC", "TNM")):
        return DocFilter(systems=(system, "AJCC8-general"))
    return DocFilter(systems=(system,))


def _findings_text(question: str, system: str | None) -> str:
    """The question with scheme/site names, stated labels and question framing removed."""
    text = question
    patterns = [p for s, p in (*_SCHEMES, *_SITES) if s == system]
    noun = "肿瘤" if has_chinese(question) else "tumour"
    for pattern in patterns:  # "3.5 cm lung tumour" reads as a size of "tumour tumour", not of a lung
        text = pattern.sub(f" {noun} " if system and system.startswith(("AJCC", "TNM")) else " ", text)
    text = _TNM.sub(" ", text)
    text = re.sub(r"(?i)\b(?:what|which|is|the|stage|staging|category|for|a|an|of|please|give|me)\b|[?？]", " ", text)
    text = re.sub(r"(?:分期|是多少|是什么|几期|多少|怎么|如何|请)", " ", text)
    return re.sub(r"\s+", " ", text).strip(" ,，。.")


def understand(question: str) -> Intent:
    """Classify a question; never raises (an empty or odd question is simply not a calculation)."""
    language = "zh" if has_chinese(question) else "en"
    system, explicit = _system(question)
    question = _GLUED.sub(" ", question)
    rads = system is not None and system.startswith(("Lung-RADS", "ACR", "BI", "LI", "PI"))
    labels = {} if rads else tnm_labels(question)
    tnm = " ".join(labels[a] for a in "TNM" if a in labels)
    has_findings = (bool(_SIZE.search(question)) or len(labels) >= 2
                    or (bool(labels) and bool(_FEATURE.search(question))))
    asks = bool(_ASK.search(question)) or (len(labels) >= 2 and "?" in question.replace("？", "?"))
    if system is None and labels:
        system = None  # labels without a site: nothing to route to
    calculate = bool(system) and has_findings and (asks or bool(system and not system.startswith(("AJCC", "TNM"))))
    if system in ("WHO-CNS5", "WHO-NET2019"):
        calculate = calculate and bool(_ASK.search(question))
    return Intent(question=question, language=language, system=system, calculate=calculate, tnm=tnm,
                  findings_text=_findings_text(question, system), filters=_filters(system, explicit),
                  explicit_system=explicit)
