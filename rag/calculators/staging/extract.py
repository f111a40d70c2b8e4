"""Deterministic reading of report text: terms with negation, sizes, node counts, dates.

Site modules build their descriptors from these primitives. Everything returns character spans
into the original text so each descriptor a calculator uses can be shown back to the user as
:class:`~rag.types.Evidence`. All patterns are compiled at import: ``from_text`` must stay fast.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from rag.calculators.context import ASSERTED, Assertion, assess, cues_in, object_of, specimen_part
from rag.types import Evidence

__all__ = ["labelled_first", "count_readings", "scan", "Fact", "Hit", "Size", "NodeCount", "Descriptors", "find", "first", "sizes",
           "node_counts", "examined_total", "evidence", "clause_of", "WORD_NUMBERS", "number", "classify_size", "metastasis_sites", "metastasis_hits",
           "several_lesions", "total_count", "m0_statement", "n0_statement", "with_context", "unasserted", "distant_m",
           "context_label"]


@dataclass(frozen=True)
class Fact:
    """A descriptor value and the input spans it came from."""

    value: Any
    evidence: tuple[Evidence, ...] = ()


Descriptors = dict[str, Fact]
# The descriptor key under which a site's reader records a deeper extent named only as an alternative
# ("invades the X or Y"); the calculator then leaves T open with a question.
UNCLEAR_T = "T.unclear"


@dataclass(frozen=True)
class Hit:
    """A term found in text with its clinical context (``rag.calculators.context``).

    ``negated`` means *not asserted*: denied, hedged ("cannot be excluded") or historical ("prior").
    Readers skip such hits; only ``context.plainly_denied`` may be read as a negative fact.
    """

    start: int
    end: int
    text: str
    negated: bool
    match: re.Match[str]
    context: Assertion = ASSERTED

    @property
    def denied(self) -> bool:
        return self.context.plainly_denied

    @property
    def uncertain(self) -> bool:
        return self.context.uncertain

    @property
    def historical(self) -> bool:
        return self.context.historical


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
        ctx = assess(text, m.start(), m.end()) if negation else ASSERTED
        yield Hit(m.start(), m.end(), text[m.start():m.end()], not ctx.asserted, m, ctx)


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


_CONTINUATION = re.compile(r"\s*(?:(?:with|and|measuring|which|that)\b|大小|最大径|直径)", re.I)


def sizes(text: str) -> list[Size]:
    """Every measurement; "4.5 x 3.2 x 2.0 cm" counts as its greatest dimension (45 mm)."""
    found = []
    lowered = text.lower()
    for m in scan(_SIZE, text):
        dims = re.split(r"\s*(?:x|×|\*|by)\s*", m.group("dims"), flags=re.I)
        mm = max(_mm(d, m.group("unit")) for d in dims)
        left, right = clause_of(text, m.start(), m.end())
        for _ in range(3):
            # "... breast weighing 560 g and measuring 37.0 x. with a maximum diameter of 7.0 cm": a clause that
            # opens with "with"/"and"/"measuring" continues the one before (often an OCR stop): its subject is there
            if left <= 1 or m.start() - left > 150 or not _CONTINUATION.match(text, left, m.start()):
                break
            left = clause_of(text, left - 2, left - 1)[0]
        found.append(Size(round(mm, 3), m.start(), m.end(), m.group(0),
                          lowered[max(left, m.start() - 90):m.start()],
                          lowered[m.end():min(right, m.end() + 40)]))
    return found


# A synoptic size field: "Tumor size: 1.7 cm", "Size of largest primary tumor: 1.5 cm", "Greatest
# dimension: 2.0 cm", "Tumor Size: Greatest diameter is 2.5 cm". The field is the pathologist's
# final answer; gross-description sizes (a specimen, a cut surface, an OCR-split "1. 9cm") are not.
_SIZE_FIELD = re.compile(
    r"(?:(?:invasive\s+)?tumou?r\s+size|size\s+of\s+(?:the\s+)?(?:largest\s+|dominant\s+)?(?:primary\s+)?"
    r"(?:tumou?r|invasive\s+(?:tumou?r|carcinoma)|carcinoma)|(?:greatest|maximum|largest)\s+(?:tumou?r\s+)?"
    r"(?:dimension|diameter)|invasive\s+(?:carcinoma|tumou?r)\s+size|肿瘤大小|肿物大小)"
    r"(?:\s*\([^)]{0,30}\))?\s*[:=：]\s*(?:(?:greatest|maximum)\s+(?:dimension|diameter)\s*(?:is|of|[:=])?\s*)?$")


def labelled_first(found: list[Size]) -> list[Size]:
    """The sizes given in a synoptic tumour-size field when there are any, else all of ``found``."""
    labelled = [s for s in found if _SIZE_FIELD.search(s.before)]
    return labelled or found


WORD_NUMBERS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty".split())}
_TENS = {w: 10 * i for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)}
# "twenty-one", "thirty one": node totals past twenty are common ("three of thirty-one lymph nodes");
# longest alternatives first so "twenty-one" is not read as "twenty" then "one".
_WORD_NUM = (r"(?:\d+|(?:" + "|".join(_TENS) + r")(?:[-\s](?:one|two|three|four|five|six|seven|eight|nine)\b)?|"
             + "|".join(sorted(WORD_NUMBERS, key=len, reverse=True)) + r"|a\s+single|single)")


def number(word: str) -> int:
    """An integer from digits or English number words ("two" → 2, "thirty-one" → 31, "single" → 1)."""
    word = word.lower().strip()
    if word.isdigit():
        return int(word)
    if word.endswith("single"):
        return 1
    tens, _, unit = word.replace("-", " ").partition(" ")
    if tens in _TENS:
        return _TENS[tens] + (WORD_NUMBERS[unit.strip()] if unit.strip() else 0)
    return WORD_NUMBERS[word]


_NODE = r"(?:(?:lymph\s*)?nodes?|LNs?)"
_COUNTS = [
    # "3 of 14 lymph nodes", "5 of 14 axillary nodes positive", "metastasis in 2 out of 12 nodes"
    re.compile(rf"\b(?P<pos>{_WORD_NUM})\s+(?:of|out\s+of|/)\s+(?P<tot>{_WORD_NUM})\s+(?:[a-z-]+\s+){{0,3}}{_NODE}", re.I),
    # "0/18 lymph nodes", "lymph nodes 0/2", "(4/19)" near a node word or pN
    re.compile(rf"\b(?P<pos>\d+)\s*/\s*(?P<tot>\d+)\b(?=[^.;\n]{{0,30}}{_NODE})", re.I),
    # (the pN label stands alone: the "NO" of "NOTTINGHAM SCORE 6/9" or "NON-NEOPLASTIC" is no pN0)
    re.compile(rf"(?:{_NODE}|(?<![A-Za-z])p?N[0-3OI][a-c]?(?![A-Za-z])(?:\([^)]*\))?)[^.;\n\d]{{0,40}}\(?\b(?P<pos>\d+)\s*/\s*(?P<tot>\d+)\b", re.I),
    # "lymph nodes: 3 of 15 positive", "nodes examined ... 7 out of 19 involved"
    re.compile(rf"{_NODE}[^.;\n\d]{{0,60}}\b(?P<pos>\d+)\s+(?:of|out\s+of)\s+(?P<tot>\d+)\b", re.I),
    # synoptic "number of lymph nodes involved: 3" with "examined: 14" nearby
    re.compile(rf"(?:number\s+of\s+)?{_NODE}\s*(?:positive|involved|with\s+(?:macro-?|micro-?)?metasta\w*)\s*"
               rf"(?:for\s+\w+\s*)?[:=]\s*(?P<pos>\d+)", re.I),
    # "one sentinel node with micrometastasis", "two lymph nodes containing metastatic carcinoma"
    re.compile(rf"\b(?P<pos>{_WORD_NUM})\s+(?:[a-z-]+\s+){{0,2}}{_NODE}\s+(?:with|showing|containing)\s+"
               r"(?:(?:macro-?|micro-?)?metasta\w*|metastatic\s+carcinoma)", re.I),
    # "metastatic carcinoma in 3 hilar lymph nodes" (no total given; "in 3 of 14" is read above)
    _METS_IN := re.compile(rf"metasta\w*[^.;\n]{{0,40}}?\bin\s+(?P<pos>{_WORD_NUM})\s+(?!of\b|out\b|/)(?:[a-z-]+\s+){{0,2}}{_NODE}", re.I),
    # synoptic block "Lymph Nodes: Number with metastasis: 11. Total number examined: 40"
    re.compile(rf"{_NODE}\s*:\s*(?:total\s+)?(?:number\s+)?(?:with\s+metasta\w*|positive|involved)\s*[:=]\s*(?P<pos>\d+)", re.I),
    # "all 12 lymph nodes negative", "twelve lymph nodes, negative"
    re.compile(rf"\ball\s+(?P<tot>{_WORD_NUM})\s+(?:[a-z-]+\s+){{0,2}}{_NODE}\s+(?:are\s+|were\s+)?(?:negative|benign|free)", re.I),
    # Chinese: "淋巴结(3/14)" or "3/14枚"
    re.compile(r"淋巴结[^。；\d]{0,10}[（(]?(?P<pos>\d+)\s*/\s*(?P<tot>\d+)"),
    # Chinese: "淋巴结15枚，其中3枚见癌转移", "检出淋巴结15枚，3枚转移"
    re.compile(r"淋巴结(?:共)?(?P<tot>\d+)\s*枚[^。；\d]{0,8}?(?P<pos>\d+)\s*枚(?:见)?(?:癌)?转移"),
]
# A count the report calls the total ("Total: 3/17", "total 3 of 17", "共3/17枚"), which may carry no node word
# of its own. It is taken only right after group counts it can hold (at least their positives and their
# examined nodes; a group may be unreadable), with the number right after the word "total", so a "Total
# Gleason score 7/10" or "Total score 5/9" never becomes a node count; it then supersedes the groups.
_TOTAL_COUNT = re.compile(r"(?:\btotal(?:\s+(?:of\s+)?(?:lymph\s+)?nodes?)?|\bin\s+all|\boverall|共计?|合计|总计)\s*[:=：,]?\s*"
                          rf"(?P<pos>\d+|{_WORD_NUM})\s*(?:/|\bof|\bout\s+of)\s*(?P<tot>\d+|{_WORD_NUM})(?!\d|\.\d)"
                          r"(?!\s*(?:score|points?))", re.I)
_EXAMINED = re.compile(rf"(?:number\s+of\s+)?{_NODE}\s*(?:examined|retrieved|recovered|identified)\s*[:=]\s*(?P<tot>\d+)|"
                       rf"{_NODE}\s*:[^.;\n]{{0,40}}[.;]\s*total\s+number\s+examined\s*[:=]\s*(?P<tot3>\d+)|"
                       rf"{_NODE}\s*:[^.;\n]{{0,40}}total\s+number\s+examined\s*[:=]\s*(?P<tot2>\d+)", re.I)


def examined_total(text: str) -> int | None:
    """The synoptic "number of lymph nodes examined" (None when the report gives none)."""
    exam = _EXAMINED.search(text)
    return int(exam.group("tot") or exam.group("tot2") or exam.group("tot3")) if exam else None


def node_counts(text: str) -> list[NodeCount]:
    """Positive/total lymph-node counts in reading order, duplicates (same numbers) merged."""
    found: dict[tuple[int, int | None], NodeCount] = {}
    for pattern in _COUNTS:
        for m in scan(pattern, text):
            groups = m.groupdict()
            if pattern is _METS_IN:
                state = assess(text, m.start("pos"), m.end())
                if state.plainly_denied:  # "no evidence of metastasis in 2 lymph nodes": none of 2 positive
                    found.setdefault((0, number(groups["pos"])), NodeCount(0, number(groups["pos"]), m.start(), m.end(),
                                                                            text[m.start():m.end()]))
                if not state.asserted:
                    continue  # hedged or historical: no count at all
            if groups.get("pos") and re.search(r"(?:\bof|/)\s*$", text[max(0, m.start("pos") - 8):m.start("pos")], re.I):
                continue  # "3 of 17 lymph nodes with metastasis": 17 is the total examined, not a positive count
            try:
                pos = number(groups["pos"]) if groups.get("pos") else 0
                tot = number(groups["tot"]) if groups.get("tot") else None
            except KeyError:
                continue
            if tot is None and "pos" in groups:
                exam = _EXAMINED.search(text)
                tot = int(exam.group("tot") or exam.group("tot2") or exam.group("tot3")) if exam else None
            if tot is not None and (pos > tot or tot > 150):
                continue  # more positive than examined (an OCR slip, "involved: 9 ... examined: 1"): no count
            found.setdefault((pos, tot), NodeCount(pos, tot, m.start(), m.end(), text[m.start():m.end()]))
    for m in _TOTAL_COUNT.finditer(text):
        try:
            pos, tot = number(m.group("pos")), number(m.group("tot"))
        except KeyError:
            continue
        parts = [c for c in found.values() if c.end <= m.start() and c.total is not None and (c.positive, c.total) != (pos, tot)]
        near = bool(parts) and m.start() - max(c.end for c in parts) <= 150
        if near and sum(c.positive for c in parts) <= pos and sum(c.total or 0 for c in parts) <= tot < 150 \
                and (len(parts) >= 2 or tot > (parts[0].total or 0)):
            # the total supersedes the group counts it sums: they are not added to it again
            for c in parts:
                found.pop((c.positive, c.total), None)
            found[(pos, tot)] = NodeCount(pos, tot, m.start(), m.end(), text[m.start():m.end()])
    return sorted(found.values(), key=lambda c: c.start)


def total_count(text: str) -> NodeCount | None:
    """The count the report calls the total of its node groups ("Total: 3/17"), when ``node_counts`` took one."""
    return next((c for c in reversed(node_counts(text)) if _TOTAL_COUNT.fullmatch(c.text)), None)


# Words that make a count one group of nodes (a part to add) or the total of all groups.
_GROUP_WORD = re.compile(r"sentinel|non-?sentinel|axilla\w*|level\s*(?:I{1,3}|[1-3])\b|palpable|additional|contents|"
                         r"dissection|intramammary|internal\s+mammary|supraclavicular|前哨|腋窝|锁骨", re.I)
_TOTAL_WORD = re.compile(r"\btotal\b|overall|in\s+all|altogether|combined|summary|共|总计|合计", re.I)


def _group_of(text: str, count: NodeCount) -> str:
    """"total" when the words just before or after a count call it the total, "group" when they name one
    node group (sentinel, axillary contents, level II ...), else ""."""
    left, right = clause_of(text, count.start, count.end)
    before = text[max(left, count.start - 50):count.start]
    after = text[count.end:min(right, count.end + 25)]
    words = f"{before} {count.text} {after}"
    if _TOTAL_WORD.search(words):
        return "total"
    return "group" if _GROUP_WORD.search(words) else ""


def count_readings(counts: list[NodeCount], text: str = "") -> tuple[int, ...]:
    """The positive-node totals a report's counts can mean: one value, or two when it is unclear.

    Several counts are either one summary and its parts ("2/15 lymph nodes (1/3 sentinel, 1/12
    axillary)") or separate specimens to add ("(A) sentinel 1/1 ... (E) axillary contents 3/31").
    The largest count is a summary only if it can hold the others; it certainly is when its numbers
    are their exact sum. When it could be either, both totals are returned and the reader must not
    pick one if they give different categories.
    """
    if not counts:
        return ()
    best = max(counts, key=lambda c: (c.total or 0, c.positive))
    others = [c for c in counts if c is not best]
    parts = sum(c.positive for c in counts)
    if not others:
        return (best.positive,)
    total_others = sum(c.total or 0 for c in others)
    positive_others = sum(c.positive for c in others)
    if (best.total or 0) < total_others or best.positive < positive_others:
        return (parts,)  # cannot be a summary of the others
    if (best.total or 0) == total_others and best.positive == positive_others:
        return (best.positive,)  # the exact sum: a summary line
    if text:
        groups = [_group_of(text, c) for c in counts]
        if groups[counts.index(best)] == "total":
            return (best.positive,)
        if all(g == "group" for g in groups):
            return (parts,)  # each count names its own node group: separate specimens
    return tuple(dict.fromkeys((best.positive, parts)))


_DIMENSION_WORD = re.compile(r"greatest|maximum|largest|dimension|diameter|size|in\b|its\b|measur")
_LEAD_WORDS = re.compile(r"[\s-]*(?:[a-z]+[\s-]+){0,2}(?=[a-z])")
_DISTANCE_AFTER = re.compile(r"^\s*(?:\)|\()?\s*(?:from|away|to\s+the\s+(?:\w+\s+)?margin|of\s+the\s+(?:\w+\s+)?margin|距)", re.I)


def classify_size(size: Size, cues: Mapping[str, re.Pattern[str]]) -> str | None:
    """The kind of measurement: the cue (e.g. "tumour", "margin", "solid") nearest before it.

    Nearest-cue-wins is the general rule: "lobe measuring 18 cm with a mass of 3 cm" gives the
    lobe for 18 cm and the mass for 3 cm. A number followed by "from the margin" is a distance.
    """
    if _DISTANCE_AFTER.match(size.after):
        return "distance"
    # "containing a 2.5 cm tumour", "a 1.8 cm hilar lymph node": a measure placed before a noun (at
    # most two words before it) belongs to that noun, whatever was named earlier in the clause.
    lead = _LEAD_WORDS.match(size.after)
    if lead is not None:
        adjacent = None
        for kind, pattern in cues.items():
            m = pattern.search(size.after, 0, lead.end() + 25)
            if m and kind != "dimension" and m.start() <= lead.end() and not _DIMENSION_WORD.match(size.after, m.start()) \
                    and (adjacent is None or m.start() < adjacent[1]):
                adjacent = (kind, m.start(), m.end())
        if adjacent is not None:
            tumour = cues.get("tumour")
            if adjacent[0] == "other" and tumour is not None and tumour.match(size.after[adjacent[2]:].lstrip()):
                return "tumour"  # "4.5 cm lung tumour"
            return adjacent[0]
    best, where, begin = None, -1, 0
    subject, subject_end, subject_begin = None, -1, 0
    for kind, pattern in cues.items():
        for m in pattern.finditer(size.before):
            if m.end() > where or (m.end() == where and m.start() < begin):
                best, where, begin = kind, m.end(), m.start()
            if kind != "dimension" and (m.end() > subject_end or (m.end() == subject_end and m.start() < subject_begin)):
                subject, subject_end, subject_begin = kind, m.end(), m.start()
    if best == "dimension":
        # "greatest dimension", "最大径", "size" name no object: the nearest subject before them does
        # ("淋巴结最大径4.1cm" is the node's); with none, the report's subject is the tumour.
        return subject or "tumour"
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
        lo, hi = max(left, hit.start - 50), min(right, hit.end + 50)
        window = text[lo:hi]
        if re.search(r"(?i)no\s+(?:evidence\s+of\s+)?(?:distant\s+)?metasta", window):
            continue
        # the metastasis word must itself be asserted: "liver lesion suspicious for metastasis" is not one
        if not any(assess(text, m.start(), m.end()).asserted for m in scan(mets_word, text) if lo <= m.start() < hi):
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


# Concepts a report negates as a whole ("no regional or distant spread", "imaging shows no nodal or
# metastatic disease", "未见淋巴结及远处转移"). The context algorithm decides whether each mention is
# denied; coordination needs no pattern because one cue's scope covers every conjunct.
_COORD = r"\s*(?:or|and|nor|/|及|和|或|、|与)\s*"
_DISTANT_CONCEPT = re.compile(
    r"\bdistant\s+(?:metasta\w*|spread|disease|mets?\b|organ\s+metasta\w*)|\bdistant(?=" + _COORD +
    r"(?:regional|nodal|lymph))|\bextra-?thoracic\s+(?:metasta\w*|disease|spread)|\bmetastatic\s+(?:disease|spread)"
    r"(?!\s+(?:in|to|within|involving)\s+(?:\w+\s+){0,3}(?:lymph|nodes?))|远处(?:脏器|器官)?(?:转移|播散)|远处(?=" + _COORD + r"淋巴结)",
    re.I)
_NODAL_CONCEPT = re.compile(
    r"\b(?:regional\s+)?(?:lymph[\s-]*nodes?|lymph[\s-]*nodal|nodal)\s+(?:metasta\w*|involvement|disease|spread|"
    r"deposits?)|\bregional\s+(?:spread|metasta\w*|disease|nodal\s+disease)|\bregional(?=" + _COORD + r"distant)|"
    r"\b(?:lymph[\s-]*)?nodal(?=" + _COORD + r"(?:\w+\s+)?(?:disease|spread|metasta\w*))|"
    r"淋巴结(?:转移|受累)|淋巴结(?=" + _COORD + r"[^，。；]{0,8}转移)",
    re.I)
# "Lymph nodes negative / benign / free of tumour": the nodes themselves with a status word.
_NODES_STATUS = re.compile(r"\b(?:all\s+)?(?:regional\s+)?lymph[\s-]*nodes?\b|区域淋巴结|淋巴结", re.I)
_STATUS_CUE = re.compile(r"negative|benign|uninvolved|free|阴性|未见")
# A qualifier that makes a nodal statement partial: it says nothing about the other regional nodes.
_PARTIAL = re.compile(r"(?:mediastinal|hilar|axillary|subcarinal|paratracheal|supraclavicular|scalene|mammary|"
                      r"sentinel|pelvic|para-?aortic|peri\w+|station|level|cervical|central|lateral|obturator|iliac|"
                      r"纵隔|肺门|腋窝|隆突|锁骨|气管旁|盆腔|前哨)[^.;。；，]{0,25}$", re.I)


def m0_statement(text: str) -> Hit | None:
    """An explicit "no distant metastasis" statement: a fixed phrase, or a distant-spread concept
    ("distant spread", "metastatic disease", 远处转移) that the context algorithm finds plainly denied."""
    fixed = next(find(text, _M0, negation=False), None)
    if fixed is not None:
        return fixed
    return next((h for h in find(text, _DISTANT_CONCEPT) if h.denied and _global_denial(text, h)), None)


_NAMES_DISTANT = re.compile(r"distant|extra-?thoracic|远处", re.I)


def _global_denial(text: str, hit: Hit) -> bool:
    """Whether a denied "metastatic disease" is about the whole patient, not one organ or specimen.

    "C: Liver mass, excision. - No evidence of metastatic disease" and "no metastatic disease in the
    liver" deny metastasis in the liver only; with an omental metastasis stated elsewhere the patient
    is M1, so a denial scoped to one organ must never yield M0. Only words that name distant spread
    ("no distant metastasis", "未见远处转移") or an unscoped denial count.
    """
    if _NAMES_DISTANT.search(hit.text):
        return True
    # the limiting organ follows the finding or the denial after it ("... is not identified in the liver")
    ends = (hit.end, *(c.end for c in hit.context.cues if c.start >= hit.end))
    return all(object_of(text, e) is None for e in ends) and specimen_part(text, hit.start) is None


def n0_statement(text: str) -> Hit | None:
    """An explicit statement that no regional node is involved ("no regional or distant spread",
    "lymph nodes negative", "未见淋巴结转移"). A statement about some nodes only ("mediastinal
    stations benign") is not one, nor is "no lymph nodes identified" (nodes absent, not negative)."""
    for hit in find(text, _NODAL_CONCEPT):
        if hit.denied and not _PARTIAL.search(text[max(0, hit.start - 40):hit.start]):
            return hit
    for hit in find(text, _NODES_STATUS):
        if hit.denied and any(_STATUS_CUE.search(c.text.lower()) for c in hit.context.cues) \
                and not _PARTIAL.search(text[max(0, hit.start - 40):hit.start]):
            return hit
    return None


def distant_facts(text: str, organs: re.Pattern[str]) -> dict[str, Fact]:
    """``distant`` (the affirmed metastatic sites) and ``m0_stated``, as the site readers record them."""
    facts: dict[str, Fact] = {}
    sites = metastasis_sites(text, organs)
    if sites:
        facts["distant"] = Fact(tuple(sites), tuple(evidence("M", o, h.start, h.end, text) for o, (_, h) in sites.items()))
    if (m0 := m0_statement(text)) is not None:
        facts["m0_stated"] = Fact(True, (evidence("M0", "none", m0.start, m0.end, text),))
    return facts


_CONCEPT = re.compile(r"metasta\w*|\bmets?\b|invad\w*|invasion|infiltrat\w*|involv\w*|extension|nodules?|deposits?|"
                      r"effusion|carcinomatosis|转移|侵犯|侵及|受侵|累及|结节|积液", re.I)


_BLANK = re.compile(r"not\s+(?:specified|applicable|assessed|assessable|evaluable|evaluated|determined|sampled|submitted|"
                    r"received)|unknown|无法(?:评估|判断|确定)")


def context_label(assertion: Assertion) -> str:
    """One word for an Assertion, as Evidence.context spells it."""
    if assertion.historical:
        return "historical"
    if assertion.uncertain:
        return "uncertain"
    return "negated" if assertion.denied else "affirmed"


def with_context(ev: Evidence, text: str) -> Evidence:
    """``ev`` with its context flag read from ``text`` (left as is when the span is not in ``text``)."""
    if ev.context or not 0 <= ev.start < ev.end <= len(text) or text[ev.start:ev.end] != ev.text:
        return ev
    label = context_label(assess(text, ev.start, ev.end))
    if label == "affirmed" and any(c.kind == "negated" and ev.start <= c.start and c.end <= ev.end for c in cues_in(text)):
        label = "negated"  # the span holds its own denial: "No regional lymph node metastasis"
    return replace(ev, context=label)


def unasserted(text: str, limit: int = 3) -> list[tuple[Evidence, str]]:
    """Findings the readers did not count because the text hedges them or dates them to the past.

    Each comes back as Evidence (context "uncertain" or "historical") with a note saying what to
    state: the rule is that an unsure reader leaves the field missing and says why.
    """
    out: list[tuple[Evidence, str]] = []
    seen: set[tuple[int, int]] = set()
    for hit in find(text, _CONCEPT):
        ctx = hit.context
        if not (ctx.uncertain or ctx.historical) or ctx.plainly_denied:
            continue
        left, right = clause_of(text, hit.start, hit.end)
        if (left, right) in seen:
            continue
        seen.add((left, right))
        lo, hi = max(left, hit.start - 50), min(right, hit.end + 50)
        while lo < hi and text[lo].isspace():
            lo += 1
        cue = next((c.text for c in ctx.cues if c.kind in ("uncertain", "historical")), "")
        if _BLANK.fullmatch(cue.lower()):
            continue  # "Lymphatic invasion: Not specified" is a blank form field, not a hedge
        label = context_label(ctx)
        quoted = text[lo:hi].strip()
        if label == "historical":
            note = f'Not counted: "{quoted}" is historical ("{cue}"); only current disease is staged.'
        else:
            note = f'Not counted: "{quoted}" is not stated as certain ("{cue}"); confirm it or state it absent.'
        out.append((Evidence("unasserted", label, lo, lo + len(quoted), quoted, label), note))
        if len(out) >= limit:
            break
    return out


_DISTANT_STATED = re.compile(r"\bdistant\s+(?:metasta\w*|spread)|远处(?:脏器|器官)?转移", re.I)
_DEFINITION_LABEL = re.compile(r"\b[cpy]*M\s?[01][a-d]?\d?\s*[:=-]\s*$", re.I)


# A form field: "DISTANT METASTASIS (pM): Not applicable", "DISTANT METASTASES?: Unknown". The phrase is
# then a label, and only its value can assert anything.
_FORM_VALUE = re.compile(r"\s*(?:\([^)]{0,20}\))?\s*[:?？：]+[\s?:：]*([^.;\n]{0,40})")
_POSITIVE_VALUE = re.compile(r"(?:present|yes|identified|positive|confirmed|[cpy]*M1[a-d]?)\b|有|存在|阳性", re.I)


def _asserted_by_form(text: str, end: int) -> bool | None:
    """For a phrase that labels a form field: whether its value asserts it (None: not a form label)."""
    field = _FORM_VALUE.match(text, end)
    if field is None:
        return None
    value = field.group(1).strip()
    return bool(value) and _POSITIVE_VALUE.match(value) is not None and not value.lower().startswith(("not", "no "))


def distant_m(text: str) -> tuple[str, Evidence] | None:
    """M0 or M1 from the words "distant metastasis" alone, for sites whose M has no subcategories.

    M0 when a distant-spread statement is plainly denied, M1 when "distant metastasis" is asserted
    (a definition line such as "pM1: Distant metastasis" is not); both, or neither: None.
    """
    m0 = m0_statement(text)
    m1 = next((h for h in find(text, _DISTANT_STATED) if not h.negated
               and not _DEFINITION_LABEL.search(text[max(0, h.start - 12):h.start])
               and _asserted_by_form(text, h.end) is not False), None)
    if (m0 is None) == (m1 is None):
        return None
    if m1 is not None:
        return "M1", Evidence("M", "M1", m1.start, m1.end, text[m1.start:m1.end], "affirmed")
    assert m0 is not None
    return "M0", Evidence("M0", "no distant metastasis", m0.start, m0.end, text[m0.start:m0.end], "negated")
