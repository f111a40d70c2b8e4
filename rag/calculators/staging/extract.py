"""Deterministic reading of report text: terms with negation, sizes, node counts, dates.

Site modules build their descriptors from these primitives. Everything returns character spans
into the original text so each descriptor a calculator uses can be shown back to the user as
:class:`~rag.types.Evidence`. All patterns are compiled at import: ``from_text`` must stay fast.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rag.types import Evidence

__all__ = ["scan", "Fact", "Hit", "Size", "NodeCount", "Descriptors", "find", "first", "sizes",
           "node_counts", "evidence", "clause_of", "WORD_NUMBERS", "number", "classify_size", "metastasis_sites", "metastasis_hits",
           "several_lesions", "m0_statement"]


@dataclass(frozen=True)
class Fact:
    """A descriptor value and the input spans it came from."""

    value: Any
    evidence: tuple[Evidence, ...] = ()


Descriptors = dict[str, Fact]


@dataclass(frozen=True)
class Hit:
    """A term found in text; ``negated`` when a cue in the same clause denies it."""

    start: int
    end: int
    text: str
    negated: bool
    match: re.Match[str]


@dataclass(frozen=True)
class Size:
    """A measurement in mm (the greatest of its dimensions) with the text before it."""

    mm: float
    start: int
    end: int
    text: str
    before: str  # the clause text preceding the number, lower-cased
    after: str  # a short stretch after the unit, lower-cased


@dataclass(frozen=True)
class NodeCount:
    """``positive`` of ``total`` lymph nodes (total None when the report only gives positives)."""

    positive: int
    total: int | None
    start: int
    end: int
    text: str


def evidence(descriptor: str, value: Any, start: int, end: int, text: str) -> Evidence:
    """An Evidence span whose ``text`` is exactly ``text[start:end]``."""
    return Evidence(descriptor, str(value), start, end, text[start:end])


# Clause boundaries: sentence stops (not decimal points), semicolons, newlines, contrast words.
_BOUNDARY = re.compile(r"\.(?!\d)|[;\n。；，]|\bbut\b|\bhowever\b|\bwhereas\b|\balthough\b", re.I)
_PRE_NEG = re.compile(
    r"(?:\bno\b|\bnot\b|\bwithout\b|\bnegative\s+for\b|\bfree\s+of\b|\babsence\s+of\b|\babsent\b|"
    r"\bnor\b|\bneither\b|\bnone\b|\bdoes\s+not\b|\bdid\s+not\b|\brule\s+out\b|\bno\s+evidence\s+of\b|"
    r"\bnegative\b|\bcannot\s+be\s+(?:assessed|determined|evaluated)\b|\bindeterminate\b|"
    r"\bequivocal\b|\bsuspicious\s+for\b|\bpossible\b|\bquestionable\b|\b(?:is|are)\s+spared\b|"
    r"无|未见|未|没有|不伴|排除)[^.;\n]*$",
    re.I,
)
_POST_NEG = re.compile(
    r"^\s*(?:\([^)]{0,30}\)\s*)?(?:[:=\-]\s*|\s(?:is|was|are|were)\s+|\s)?"
    r"(?:not\s+identified|not\s+seen|not\s+present|not\s+detected|not\s+involved|absent|negative|none|no\b|"
    r"uninvolved|free\b|not\s+applicable|cannot\s+be\s+(?:assessed|determined)|indeterminate|"
    r"\(-\)|阴性|未见|无)",
    re.I,
)
_NEG_WINDOW = 60


def clause_of(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause around ``start:end``: from the last boundary before to the next after."""
    left = 0
    for b in _BOUNDARY.finditer(text, max(0, start - 300), start):
        left = b.end()
    nxt = _BOUNDARY.search(text, end)
    return left, (nxt.start() if nxt else len(text))


def _negated(text: str, start: int, end: int) -> bool:
    left, right = clause_of(text, start, end)
    before = text[max(left, start - _NEG_WINDOW):start]
    if _PRE_NEG.search(before):
        return True
    return bool(_POST_NEG.match(text[end:min(right, end + 40)]))


_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


@lru_cache(maxsize=512)
def _caseless(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """The same pattern for ASCII-lower-cased text, without IGNORECASE (several times faster)."""
    if not pattern.flags & re.IGNORECASE:
        return pattern
    source = re.sub(r"(\\.|\(\?P[<=])|([A-Z])", lambda m: m.group(1) or m.group(2).lower(), pattern.pattern)
    return re.compile(source, pattern.flags & ~re.IGNORECASE)


@lru_cache(maxsize=8)
def _lowered(text: str) -> str:
    return text.translate(_ASCII_LOWER)  # same length, so spans stay valid


def scan(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)``, faster for case-insensitive patterns.

    Matches run on an ASCII-lower-cased copy of the same length: spans are valid for ``text``,
    but read the matched characters from ``text[m.start():m.end()]``, not ``m.group()``.
    """
    if pattern.flags & re.IGNORECASE:
        return _caseless(pattern).finditer(_lowered(text))
    return pattern.finditer(text)


def find(text: str, pattern: re.Pattern[str], *, negation: bool = True) -> Iterator[Hit]:
    """Every match of ``pattern`` with its negation status."""
    for m in scan(pattern, text):
        neg = _negated(text, m.start(), m.end()) if negation else False
        yield Hit(m.start(), m.end(), text[m.start():m.end()], neg, m)


def first(text: str, pattern: re.Pattern[str], *, positive: bool | None = None) -> Hit | None:
    """The first hit (optionally only affirmed, ``positive=True``, or only denied, ``False``)."""
    for hit in find(text, pattern):
        if positive is None or hit.negated != positive:
            return hit
    return None


_NUM = r"\d+(?:\.\d+|,\d(?!\d*\s*(?:x|×|\*)\s*\d+,))?"
_SIZE = re.compile(
    rf"(?<![\d.])(?P<dims>{_NUM}(?:\s*(?:x|×|\*|by)\s*{_NUM}){{0,2}})\s*"
    r"(?P<unit>mm|cm|millimet(?:er|re)s?|centimet(?:er|re)s?|厘米|毫米|公分)(?![a-z])",
    re.I,
)


def _mm(value: str, unit: str) -> float:
    number = float(value.replace(",", "."))
    return number * 10 if unit.lower().startswith(("c", "厘", "公")) else number


def sizes(text: str) -> list[Size]:
    """Every measurement; "4.5 x 3.2 x 2.0 cm" counts as its greatest dimension (45 mm)."""
    found = []
    lowered = text.lower()
    for m in scan(_SIZE, text):
        dims = re.split(r"\s*(?:x|×|\*|by)\s*", m.group("dims"), flags=re.I)
        mm = max(_mm(d, m.group("unit")) for d in dims)
        left, right = clause_of(text, m.start(), m.end())
        found.append(Size(round(mm, 3), m.start(), m.end(), m.group(0),
                          lowered[max(left, m.start() - 90):m.start()],
                          lowered[m.end():min(right, m.end() + 40)]))
    return found


WORD_NUMBERS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty".split())}
_WORD_NUM = r"(?:\d+|" + "|".join(WORD_NUMBERS) + r"|a\s+single|single)"


def number(word: str) -> int:
    """An integer from digits or an English number word ("two" → 2, "single" → 1)."""
    word = word.lower().strip()
    if word.isdigit():
        return int(word)
    if word.endswith("single"):
        return 1
    return WORD_NUMBERS[word]


_NODE = r"(?:(?:lymph\s*)?nodes?|LNs?)"
_COUNTS = [
    # "3 of 14 lymph nodes", "5 of 14 axillary nodes positive", "metastasis in 2 out of 12 nodes"
    re.compile(rf"\b(?P<pos>{_WORD_NUM})\s+(?:of|out\s+of|/)\s+(?P<tot>{_WORD_NUM})\s+(?:[a-z-]+\s+){{0,3}}{_NODE}", re.I),
    # "0/18 lymph nodes", "lymph nodes 0/2", "(4/19)" near a node word or pN
    re.compile(rf"\b(?P<pos>\d+)\s*/\s*(?P<tot>\d+)\b(?=[^.;\n]{{0,30}}{_NODE})", re.I),
    re.compile(rf"(?:{_NODE}|p?N[0-3OI][a-c]?(?:\([^)]*\))?)[^.;\n\d]{{0,40}}\(?\b(?P<pos>\d+)\s*/\s*(?P<tot>\d+)\b", re.I),
    # synoptic "number of lymph nodes involved: 3" with "examined: 14" nearby
    re.compile(rf"(?:number\s+of\s+)?{_NODE}\s*(?:positive|involved)\s*(?:for\s+\w+\s*)?[:=]\s*(?P<pos>\d+)", re.I),
    # "all 12 lymph nodes negative", "twelve lymph nodes, negative"
    re.compile(rf"\ball\s+(?P<tot>{_WORD_NUM})\s+(?:[a-z-]+\s+){{0,2}}{_NODE}\s+(?:are\s+|were\s+)?(?:negative|benign|free)", re.I),
    # Chinese: "淋巴结(3/14)" or "3/14枚"
    re.compile(r"淋巴结[^。；\d]{0,10}[（(]?(?P<pos>\d+)\s*/\s*(?P<tot>\d+)"),
]
_EXAMINED = re.compile(rf"(?:number\s+of\s+)?{_NODE}\s*(?:examined|retrieved|recovered|identified)\s*[:=]\s*(?P<tot>\d+)", re.I)


def node_counts(text: str) -> list[NodeCount]:
    """Positive/total lymph-node counts in reading order, duplicates (same numbers) merged."""
    found: dict[tuple[int, int | None], NodeCount] = {}
    for pattern in _COUNTS:
        for m in scan(pattern, text):
            groups = m.groupdict()
            try:
                pos = number(groups["pos"]) if groups.get("pos") else 0
                tot = number(groups["tot"]) if groups.get("tot") else None
            except KeyError:
                continue
            if tot is not None and (pos > tot or tot > 150):
                continue
            if tot is None and "pos" in groups:
                exam = _EXAMINED.search(text)
                tot = int(exam.group("tot")) if exam else None
            found.setdefault((pos, tot), NodeCount(pos, tot, m.start(), m.end(), text[m.start():m.end()]))
    return sorted(found.values(), key=lambda c: c.start)


_DISTANCE_AFTER = re.compile(r"^\s*(?:\)|\()?\s*(?:from|away|to\s+the\s+(?:\w+\s+)?margin|of\s+the\s+(?:\w+\s+)?margin|距)", re.I)


def classify_size(size: Size, cues: Mapping[str, re.Pattern[str]]) -> str | None:
    """The kind of measurement: the cue (e.g. "tumour", "margin", "solid") nearest before it.

    Nearest-cue-wins is the general rule: "lobe measuring 18 cm with a mass of 3 cm" gives the
    lobe for 18 cm and the mass for 3 cm. A number followed by "from the margin" is a distance.
    """
    if _DISTANCE_AFTER.match(size.after):
        return "distance"
    best, where, begin = None, -1, 0
    for kind, pattern in cues.items():
        for m in pattern.finditer(size.before):
            if m.end() > where or (m.end() == where and m.start() < begin):
                best, where, begin = kind, m.end(), m.start()
    if best is None:  # "30 mm invasive carcinoma": the cue follows the number
        first_at, first_end = len(size.after) + 1, 0
        for kind, pattern in cues.items():
            after = pattern.search(size.after)
            if after and after.start() < first_at:
                best, first_at, first_end = kind, after.start(), after.end()
        # "4.5 cm lung tumour": an organ word used as an adjective names the tumour, not another thing.
        tumour = cues.get("tumour")
        if best == "other" and tumour is not None and tumour.match(size.after[first_end:].lstrip()):
            best = "tumour"
    return best


_METS_WORD = re.compile(r"metasta\w*|\bmets?\b|deposits?|implants?|carcinomatosis|转移", re.I)
_MULTIPLE = re.compile(r"multiple|several|numerous|innumerable|diffuse|\b(?:two|three|four|five|[2-9]|\d{2})\b|"
                       r"metastases|lesions|\bmets\b|多发|多个|多处", re.I)
_M0 = re.compile(r"(?:no|without|negative\s+for)\s+(?:evidence\s+of\s+)?distant\s+metasta\w*|"
                 r"distant\s+metasta\w*\s*[:=]?\s*(?:none|absent|not\s+identified|no\b|negative)|"
                 r"other\s+metasta\w*\s*[:=]\s*(?:none|absent|no\b)|无远处转移|未见远处转移|\bc?M0\b", re.I)


def metastasis_hits(text: str, organs: re.Pattern[str],
                    mets_word: re.Pattern[str] = _METS_WORD) -> Iterator[tuple[str, Hit]]:
    """Affirmed metastatic organ mentions in reading order, as (organ group name, hit).

    ``organs`` has one named group per organ system; a hit counts when a metastasis word sits in
    the same clause ("two liver metastases", "metastatic to bone", "peritoneal carcinomatosis").
    Lung passes its own, narrower ``mets_word`` (no "deposits"/"implants"/"carcinomatosis": its
    pleural spread is M1a, read separately).
    """
    for hit in find(text, organs):
        if hit.negated:
            continue
        left, right = clause_of(text, hit.start, hit.end)
        window = text[max(left, hit.start - 50):min(right, hit.end + 50)]
        if not mets_word.search(window) or re.search(r"(?i)no\s+(?:evidence\s+of\s+)?(?:distant\s+)?metasta", window):
            continue
        yield next(k for k, v in hit.match.groupdict().items() if v), hit


def several_lesions(text: str, hit: Hit) -> bool:
    """Whether the clause around a metastasis hit says there is more than one lesion."""
    left, right = clause_of(text, hit.start, hit.end)
    return bool(_MULTIPLE.search(text[max(left, hit.start - 40):min(right, hit.end + 30)]))


def metastasis_sites(text: str, organs: re.Pattern[str]) -> dict[str, tuple[bool, Hit]]:
    """Affirmed metastatic sites: organ group name → (several lesions at any mention?, first hit)."""
    found: dict[str, tuple[bool, Hit]] = {}
    for organ, hit in metastasis_hits(text, organs):
        several = several_lesions(text, hit)
        if organ in found:
            found[organ] = (found[organ][0] or several, found[organ][1])
        else:
            found[organ] = (several, hit)
    return found


def m0_statement(text: str) -> Hit | None:
    """An explicit "no distant metastasis" statement."""
    return next(find(text, _M0, negation=False), None)


def distant_facts(text: str, organs: re.Pattern[str]) -> dict[str, Fact]:
    """``distant`` (the affirmed metastatic sites) and ``m0_stated``, as the site readers record them."""
    facts: dict[str, Fact] = {}
    sites = metastasis_sites(text, organs)
    if sites:
        facts["distant"] = Fact(tuple(sites), tuple(evidence("M", o, h.start, h.end, text) for o, (_, h) in sites.items()))
    if (m0 := m0_statement(text)) is not None:
        facts["m0_stated"] = Fact(True, (evidence("M0", "none", m0.start, m0.end, text),))
    return facts
