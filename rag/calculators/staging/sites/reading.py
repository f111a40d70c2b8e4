"""Shared report-reading steps for the further sites, built on ``rag.calculators.staging.extract``.

Every site asks the same few questions of a report: how deep or how far does the tumour go (an
ordered list of anatomical terms, deepest affirmed one wins), how big is it, how many regional
nodes are positive, what grade and histology. The site modules supply the vocabulary; this
module supplies negation-aware matching and the Evidence spans.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag.calculators.staging.extract import (
    UNCLEAR_T,
    Descriptors,
    Fact,
    Hit,
    classify_size,
    evidence,
    examined_total,
    find,
    labelled_first,
    n0_statement,
    node_counts,
    sizes,
    total_count,
)
from rag.types import Evidence

__all__ = ["Level", "deepest", "tumour_size", "positive_nodes", "grade", "affirmed",
           "first_affirmed", "found", "extent", "denied", "unclear_extent", "UNCLEAR_T"]

# A term only counts as tumour extent when the clause says the tumour reaches it.
_INVASION_CUE = re.compile(
    r"invad|invasi|infiltrat|extend|extension|extent|involv|penetrat|\binto\b|through|confined|"
    r"limited\s+to|reach|depth|spread|grows?\b|growing|perforat|encas|"
    r"\bp?T[0-4][a-c]?\s*[:(]", re.I)
# "approaching", "abuts", "close to": near a structure is not in it.
_NOT_REACHED = re.compile(r"\b(?:approach\w*|abut\w*|close\s+to|near\w*|toward\w*|up\s+to\s+the\s+edge|"
                          r"distance|away\s+from|margin|push\w*|around|surround(?:s|ed)?|"
                          r"(?<!into\s)(?<!to\s)(?<!in\s)(?<!the\s)surrounding|compress\w*|(?:cm|mm)\s+(?:away\s+)?from)\b"
                          r"[^.;]{0,40}$", re.I)
# Examples inside a category definition are not findings: "pT3: ... (eg, extension to ...)".
_EXAMPLE = re.compile(r"\((?:e\.?\s?g|i\.?\s?e)\b[^)]*$|\bsuch\s+as\b[^.;]*$|\bfor\s+example\b[^.;]*$", re.I)
# A category's definition copied after its label lists alternatives: "pT3 Tumor extends into major veins or
# invades the adrenal gland or perinephric tissues" names what pT3 may mean, not what this tumour did.
_DEFINITION = re.compile(r"\bp?T[0-4][a-d]?\b\s*[:-]?\s*(?:tumou?r|carcinoma)\b[^.;]*$", re.I)
_ALTERNATIVE = re.compile(r"\bor\b|\band/or\b", re.I)
# A structure joined to another by "or" inside one clause ("invades the adrenal gland or perinephric
# tissues", "into the renal sinus or perirenal fat") names alternatives, not what this tumour did: the
# report's own reading is unclear there, so the term is not affirmed and T stays open with its question.
# "no X or Y" is a coordinated denial and is handled by the negation rules before this.
_OR_BEFORE = re.compile(r"(?:\b(?:or|and/or)\s+(?:\w+\s+){0,3}|或者?[^，。；,;、]{0,6})$", re.I)
_OR_AFTER = re.compile(r"^\s*(?:\([^)]{0,20}\)\s*)?,?\s*(?:(?:or|and/or)\b|或)", re.I)


def in_disjunction(text: str, hit: Hit) -> bool:
    """The term is one alternative of an "X or Y" list in its clause."""
    before = _clause_before(text, hit.start, 60)
    return bool(_OR_BEFORE.search(before) or _OR_AFTER.match(text[hit.end:hit.end + 30]))
# Synoptic lines deny a finding after its label: "Perirenal adipose tissue: Not identified".
_LABEL_DENIED = re.compile(r"^[\w\s'’/(),-]{0,40}?[:=：]\s*(?:未见|未发现|无(?!法)|阴性|未累及|未受累|not\s+identified|not\s+seen|not\s+present|"
                           r"not\s+involved|no\b|absent|negative|none\b|uninvolved|free\b|unknown|"
                           r"not\s+(?:assessed|applicable|specified|evaluated|determined|resected|received|"
                           r"submitted|sampled)|cannot)", re.I)
# A denial cut off by an OCR full stop: "does not involve. the collecting system".
_BROKEN_DENIAL = re.compile(r"\b(?:not|no|without|nor)\s+(?:\w+\s+){0,3}(?:involv|invad|extend|penetrat|reach|"
                            r"infiltrat)\w*(?:\s+(?:into\s+)?the)?\s*\.\s*(?:the\s+)?$", re.I)
# ... or a denial whose verb follows the stray stop: "does not appear to. penetrate through the capsule
# into the surrounding perinephric fat".
_BROKEN_DENIAL_AFTER = re.compile(r"\b(?:not|nor|never)(?:\s+\w+){0,3}\s*\.\s*(?:\w+\s+)?(?:involv|invad|"
                                  r"extend|penetrat|reach|infiltrat)\w*[^.;]{0,70}$", re.I)
_STOP_DENIED = re.compile(r"^[\w\s'’/(),-]{0,30}?\.\s*(?:not\s+(?:identified|seen|present|involved)|absent|negative|"
                          r"none\b|uninvolved)", re.I)
_VERB_DENIED = re.compile(r"^\s+(?:is|are|was|were)\s+(?:\w+\s+)?(?:free|negative|uninvolved|not\s+involved|"
                          r"spared)\b", re.I)
_CLAUSE_START = re.compile(r"[.;\n](?!\d)")
_CUE_AFTER = re.compile(r"\W{0,3}(?:invasion|involvement|infiltration)", re.I)
# "renal sinus fat suspicious for tumor invasion", "perinephric fat and sinus fat, suspicious for invasion":
# the invasion word sits in a hedge after the term; it names the extent at issue (context.py hedges it)
_HEDGED_CUE_AFTER = re.compile(r"(?:\s+(?:fat|adipose|tissues?|soft))*(?:\s+(?:and|or)\s+[a-z ]{3,30}?)?[\s,:(]*"
                               r"(?:(?:is|are)\s+)?(?:suspicious\s+(?:for|of)|concerning\s+for|suggestive\s+of)\s+"
                               r"(?:(?:tumou?r|carcinoma)\s+)?(?:invasion|involvement|infiltration|extension)", re.I)


def found(*facts: tuple[str, Fact | None]) -> Descriptors:
    """Descriptors from ``(key, fact)`` pairs, keeping only the facts the report stated.

    A reader returns None for "not said", and a site's descriptors must hold only what was read.
    """
    return {key: fact for key, fact in facts if fact is not None}


@dataclass(frozen=True)
class Level:
    """One step of an ordered extent scale: the category it implies and the words for it."""

    category: str
    pattern: re.Pattern[str]
    needs_cue: bool = True  # False for terms that already mean invasion ("intramucosal")


def _clause_before(text: str, start: int, limit: int = 120) -> str:
    window = text[max(0, start - limit):start]
    cut = max((m.end() for m in _CLAUSE_START.finditer(window)), default=0)
    return window[cut:]


# A term that heads a form field ("Adrenal gland present: ...", "Renal Vein Invasion: N/A", "Perirenal
# adipose tissue: does not involve") is a label; the value after the colon says whether it is involved.
_FIELD = re.compile(r"[ \t]*(?:(?:present|involvement|invasion|involved|status|extension|tissues?|gland|fat)[ \t]*){0,2}"
                    r"[:=][ \t]*(?P<value>[^.;\n:]{0,40})", re.I)
_FIELD_YES = re.compile(r"(?:\(?if\s+yes\)?\s*)?(?:yes|present|involved|identified|positive|invad\w*|infiltrat\w*|"
                        r"extend\w*|direct\s+(?:extension|invasion)|grossly|microscopically|focal\w*)\b", re.I)


_FIELD_NO = re.compile(r"\b(?:not|no|uninvolved|negative|free|absent|none)\b", re.I)
_FIELD_INVASION_LABEL = re.compile(r"invasion|involvement|extension|involved", re.I)


def _unaffirmed_field(text: str, hit: Hit) -> bool:
    """The term labels a form field whose value does not affirm it (blank, N/A, not involved, ...).

    "Present" affirms only an invasion label ("Renal vein invasion: present"); after an organ's own
    label ("Adrenal gland: present and uninvolved") it says the organ was in the specimen.
    """
    m = _FIELD.match(text, hit.end)
    if m is None:
        return False
    value = m.group("value").strip()
    if _FIELD_NO.search(value) or not _FIELD_YES.match(value):
        return True
    label = text[hit.start:m.start("value")]
    return bool(re.match(r"(?i)(?:\(?if\s+yes\)?\s*)?present\b", value)) and not _FIELD_INVASION_LABEL.search(label)


def _denied(text: str, hit: Hit) -> bool:
    """Negated by the shared rules, a synoptic label, a copula ("is free of"), an OCR-cut denial, or a form
    field whose value does not affirm the term."""
    after = text[hit.end:hit.end + 80]
    return (hit.negated or bool(_LABEL_DENIED.match(after)) or bool(_VERB_DENIED.match(after))
            or bool(_STOP_DENIED.match(after))
            or _unaffirmed_field(text, hit)
            or bool(_BROKEN_DENIAL.search(text[max(0, hit.start - 45):hit.start]))
            or bool(_BROKEN_DENIAL_AFTER.search(text[max(0, hit.start - 130):hit.start])))


def denied(text: str, hit: Hit) -> bool:
    """Public form of the denial rules, for readers outside ``sites`` (prostate): "Seminal vesicle
    invasion. Not identified." and "X: not involved" deny X although no cue precedes it."""
    return _denied(text, hit)


def _has_cue(text: str, hit: Hit, before: str) -> bool:
    """The clause says the tumour reaches the term (an invasion verb before, "invasion" after).

    OCR often breaks a phrase with a stray full stop ("into the. periesophageal fat"), so the cue
    may also sit in the 30 characters before the hit across such a break.
    """
    reach = text[max(0, hit.start - 30):hit.start]
    reach = reach[reach.rfind(":") + 1:]  # not across a form field: "Renal vein involvement: N/A. Adrenal gland"
    after = text[hit.end:hit.end + 25]
    # the term may carry its own cue: "microscopic invasion of perivesical fat"
    return bool(_INVASION_CUE.search(before) or _INVASION_CUE.search(reach) or _CUE_AFTER.match(after)
                or _HEDGED_CUE_AFTER.match(text, hit.end, hit.end + 90)
                or _INVASION_CUE.search(hit.text))


def affirmed(text: str, pattern: re.Pattern[str], *, needs_cue: bool = False,
             alternatives: bool = False) -> list[Hit]:
    """Affirmed (not negated, not merely approached) hits of ``pattern``, in reading order.

    ``alternatives``: instead, the hits that pass every check but stand in an "X or Y" list or are
    hedged ("invasion of X cannot be excluded", "suspicious for"): words that leave the extent unsure.
    """
    out = []
    for hit in find(text, pattern):
        ctx = hit.context
        hedged = alternatives and ctx.uncertain and not ctx.historical and not ctx.denied
        if _denied(text, dataclasses.replace(hit, negated=False) if hedged else hit):
            continue
        before = _clause_before(text, hit.start)
        if _NOT_REACHED.search(before) or _EXAMPLE.search(text[max(0, hit.start - 80):hit.start]):
            continue
        if (d := _DEFINITION.search(text, max(0, hit.start - 120), hit.start)) is not None \
                and _ALTERNATIVE.search(text[d.start():hit.end + 40].split(". ")[0]):
            continue
        if needs_cue and not _has_cue(text, hit, before):
            continue
        if (hedged or in_disjunction(text, hit)) != alternatives:
            continue
        out.append(hit)
    return out


def first_affirmed(text: str, pattern: re.Pattern[str], descriptor: str, value: object,
                   *, needs_cue: bool = False) -> Fact | None:
    """A Fact for the first affirmed hit, or None."""
    hits = affirmed(text, pattern, needs_cue=needs_cue)
    if not hits:
        return None
    h = hits[0]
    return Fact(value, (evidence(descriptor, value, h.start, h.end, text),))


def deepest(text: str, levels: Sequence[Level], descriptor: str) -> Fact | None:
    """The deepest level any affirmed term reaches (levels ordered shallow to deep)."""
    best: tuple[int, Evidence] | None = None
    for rank, level in enumerate(levels):
        for hit in affirmed(text, level.pattern, needs_cue=level.needs_cue):
            if best is None or rank >= best[0]:
                best = (rank, evidence(descriptor, level.category, hit.start, hit.end, text))
            break
    if best is None:
        return None
    return Fact(levels[best[0]].category, (best[1],))


def extent(text: str, levels: Sequence[Level], key: str, descriptor: str) -> tuple[tuple[str, Fact | None], ...]:
    """``found`` pairs for a site's extent scale: the deepest affirmed level, and under ``UNCLEAR_T``
    a deeper level the report names only as an alternative (the calculator then leaves T open)."""
    depth = deepest(text, levels, descriptor)
    return (key, depth), (UNCLEAR_T, unclear_extent(text, levels, depth))


_AT_LEAST = re.compile(r"[^.;\n]{0,30}?(?:\bat\s+least\b|\bat\s+(?:a\s+)?minimum\b|\bor\s+(?:deeper|beyond)\b|至少)", re.I)


_AT_LEAST_BEFORE = re.compile(r"(?:\bat\s+least|\bat\s+(?:a\s+)?minimum|至少)\s+(?:\w+\s+){0,2}$", re.I)


def unclear_extent(text: str, levels: Sequence[Level], depth: Fact | None) -> Fact | None:
    """A level deeper than ``depth`` named only as one of alternatives ("into the X or Y") or hedged, or
    ``depth`` itself given as a minimum ("muscularis propria (at least)").

    The report then does not say how far the tumour reaches, so the derived T must stay open with a
    question rather than settle on the shallower reading (or on size alone).
    """
    if depth is not None and depth.evidence and (
            _AT_LEAST.match(text, depth.evidence[0].end)
            or _AT_LEAST_BEFORE.search(text, max(0, depth.evidence[0].start - 30), depth.evidence[0].start)):
        # "invasion of muscularis propria (at least)": a floor, the deeper layers were not assessable
        span = depth.evidence[0]
        stop = re.search(r"[.;\n]", text[span.end:span.end + 80])
        left = span.start - len(_clause_before(text, span.start, 40))
        quote = " ".join(text[left:span.end + (stop.start() if stop else 0)].split())
        return Fact(quote, (evidence(UNCLEAR_T, f"{depth.value} or deeper", span.start, span.end, text),))
    reached = max((i for i, lv in enumerate(levels) if depth is not None and lv.category == depth.value), default=-1)
    for level in reversed(levels[reached + 1:]):  # the deepest alternative is what the question is about
        hits = affirmed(text, level.pattern, needs_cue=level.needs_cue, alternatives=True)
        if hits:
            h = hits[0]
            left = h.start - len(_clause_before(text, h.start, 80))
            stop = re.search(r"[.;\n]", text[h.end:h.end + 80])
            right = h.end + (stop.start() if stop else min(80, len(text) - h.end))
            quote = " ".join(text[left:right].split())
            return Fact(quote, (evidence(UNCLEAR_T, level.category, h.start, h.end, text),))
    return None


# A nodule the report calls benign ("hyperplastic nodule (1.8 cm)", "adenomatous nodule") is not the tumour.
_NODULE = r"(?<!hyperplastic\s)(?<!adenomatous\s)(?<!colloid\s)(?<!benign\s)(?<!oncocytic\s)nodule"
_SIZE_CUES = {
    "tumour": re.compile(r"tumou?r\s+size|size\s+of\s+(?:the\s+)?(?:largest\s+|dominant\s+)?"
                         rf"(?:primary\s+)?(?:tumou?r|carcinoma|lesion|{_NODULE}|mass)|"
                         r"greatest\s+(?:dimension|diameter)|maximum\s+(?:dimension|diameter)|"
                         rf"(?:tumou?r|mass|carcinoma|lesion|{_NODULE}|neoplasm)\b[^.;]{{0,40}}"
                         r"(?:measur\w*|size)|tumou?r\s+dimension|largest\s+tumou?r|"
                         rf"(?:tumou?r|mass|carcinoma|lesion|{_NODULE})\s*[(,:]\s*$|\bsize\s*\((?:cm|mm)\)|"
                         # "two tumours are present. The larger one measures 2.5 cm": "one" stands for the tumour
                         r"\b(?:larger|largest|bigger|biggest|dominant|main)\s+(?:one|focus|foci|nodule)\b[^.;]{0,20}"
                         r"(?:measur\w*|size)|(?:肿瘤|肿物|癌|(?<!增生性)(?<!增生)(?<!良性)(?<!腺瘤样)结节|病灶)[，,]?\s*(?:大小|最大径|直径)"),
    "other": re.compile(r"specimen|lobe|kidney\s+measures|weigh|margin|node|fragment|portion|"
                        r"stump|ureter|vein|artery|segment|cassette|block|gland|fat|resection|"
                        r"omentum|spleen|gallbladder|cortex|distance|from\s+the|length|staple|suture|标本|腺叶|淋巴结"),
}


def tumour_size(text: str, descriptor: str = "T.size_mm") -> Fact | None:
    """The greatest tumour dimension in mm: the largest size whose nearest cue is the tumour.

    The largest because with several tumours the largest one sets T (AJCC multiple-tumour rule).
    """
    found = labelled_first([s for s in sizes(text) if classify_size(s, _SIZE_CUES) == "tumour" and s.mm > 0])
    if not found:
        return None
    s = max(found, key=lambda x: x.mm)
    return Fact(s.mm, (evidence(descriptor, f"{s.mm:g} mm", s.start, s.end, text),))


_INVOLVED = re.compile(r"(?:number\s+of\s+)?(?:regional\s+)?(?:lymph\s+)?nodes?\s+"
                       r"(?:positive|involved|with\s+(?:metasta\w*|tumou?r|carcinoma)(?:\s+disease)?)"
                       r"(?:\s+(?:with|for)\s+\w+)?\s*[:=]\s*(\d+)(?![\d.,]*\s*(?:cm|mm))", re.I)
_STATION = re.compile(r"lymph\s+nodes?\s*[:=]\s*(\d+)\s*(?:of|/|out\s+of)\s*(\d+)", re.I)


def positive_nodes(text: str, descriptor: str = "N.positive_nodes") -> Fact | None:
    """The number of positive regional nodes: a synoptic total, else a summary or station sum."""
    synoptic = list(_INVOLVED.finditer(text))
    if synoptic:
        # one per specimen part; a repeated identical line (a report copied twice) counts once
        seen: dict[str, re.Match[str]] = {}
        for m in synoptic:
            seen.setdefault(text[max(0, m.start() - 60):m.end()], m)
        n = sum(int(m.group(1)) for m in seen.values())
        examined = examined_total(text)
        if examined is None or n <= examined:  # "involved: 9 ... examined: 1" is impossible: read the narrative
            return Fact(n, tuple(evidence(descriptor, m.group(1), m.start(), m.end(), text)
                                 for m in seen.values()))
    if (total := total_count(text)) is not None:  # "Total: 3/17" supersedes the group counts it sums
        return Fact(total.positive, (evidence(descriptor, total.positive, total.start, total.end, text),))
    station = _STATION.search(text)
    if station and int(station.group(1)) <= int(station.group(2)):
        n = int(station.group(1))
        return Fact(n, (evidence(descriptor, n, station.start(), station.end(), text),))
    counts = node_counts(text)
    if not counts:
        # "No regional lymph node metastasis", "未见淋巴结转移": a denial of all regional nodes is a count of 0.
        none = n0_statement(text)
        return Fact(0, (evidence(descriptor, 0, none.start, none.end, text),)) if none is not None else None
    summary = max(counts, key=lambda c: (c.total or 0, c.positive))
    others = [c for c in counts if c is not summary]
    if not others or (summary.total or 0) >= sum(c.total or 0 for c in others):
        used = [summary]
    else:
        used = counts
    n = sum(c.positive for c in used)
    return Fact(n, tuple(evidence(descriptor, c.positive, c.start, c.end, text) for c in used))


_GRADES = (
    ("GX", re.compile(r"grade\s+(?:cannot\s+be\s+assessed|not\s+assessable)|\bGX\b", re.I)),
    ("G3", re.compile(r"poorly[\s-]+differentiated|undifferentiated|\bG3\b|high[\s-]grade|"
                      r"grade\s*(?:3|III)\b", re.I)),
    ("G2", re.compile(r"moderately[\s-]+differentiated|\bG2\b|grade\s*(?:2|II)\b", re.I)),
    ("G1", re.compile(r"well[\s-]+differentiated|\bG1\b|grade\s*(?:1|I)\b", re.I)),
)


def grade(text: str) -> Fact | None:
    """Histological grade G1–G3 (the highest grade stated wins) or GX."""
    for label, pattern in _GRADES:
        hits = [h for h in find(text, pattern) if not h.negated]
        if hits:
            h = hits[0]
            return Fact(label, (evidence("grade", label, h.start, h.end, text),))
    return None
