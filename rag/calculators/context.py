"""Clinical context of a finding: negated, uncertain (hedged) or historical, with the cue that said so.

This is the NegEx/ConText algorithm (Chapman et al.), written small so that ``rag stage`` keeps its
start-up and per-report speed and needs no NLP stack: a report is scanned once for *cues*; each cue
has a kind (negated, uncertain, historical, or pseudo — a look-alike that means nothing, such as
"no change" or "not only") and a direction (it governs the words after it, before it, or both).
A finding is modified by a cue when the finding lies inside the cue's *scope*: the same sentence,
not past a terminating word ("but", "however", "except", "which", 但, 另见 ...), not past a comma
that starts a new clause, and within a fixed span. Coordination needs no special case: "no nodal
or distant metastasis" puts both conjuncts inside the scope of "no".

Why not a regex window per descriptor: the windows drifted apart between readers and each new
phrasing needed a new pattern. Why not medspaCy: it is the reference implementation and was
evaluated (see ``bench/context_eval.py``), but it needs spaCy (seconds of import for every CLI call)
and pins numpy below 2, which this project cannot take; its default English rules also read
"cannot be excluded" as negated, where staging needs "not asserted, ask".

Chinese uses the same scope logic with its own cues (未见, 无, 未发现, 否认, 排除, 不考虑 negate;
可疑, 疑似, 考虑, 不除外 hedge; 既往, 曾 are historical). In Chinese text the full-width comma
closes a clause, as the sentence stop does.

A finding that is negated, uncertain or historical is *not asserted*: readers must neither count it
as present nor (unless it is plainly negated) as absent. ``Assertion.denied`` is the only flag
that licenses a negative fact such as N0 or M0.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Cue", "Assertion", "assess", "cues_in", "ASSERTED", "specimen_part", "object_of"]

_FORWARD, _BACKWARD, _BOTH = "forward", "backward", "both"
_MAX_FORWARD = 90  # characters from the end of a forward cue to the start of the finding
_MAX_BACKWARD = 60  # characters from the end of the finding to a backward cue
_ZH = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Cue:
    """A context cue found in text."""

    kind: str  # "negated" | "uncertain" | "historical" | "pseudo"
    direction: str  # "forward" | "backward" | "both"
    start: int
    end: int
    text: str

    @property
    def chinese(self) -> bool:
        return bool(_ZH.search(self.text))


@dataclass(frozen=True)
class Assertion:
    """How a finding is stated: ``asserted`` only when no cue negates, hedges or dates it."""

    denied: bool = False
    uncertain: bool = False
    historical: bool = False
    cues: tuple[Cue, ...] = ()

    @property
    def asserted(self) -> bool:
        return not (self.denied or self.uncertain or self.historical)

    @property
    def plainly_denied(self) -> bool:
        """Negated and nothing else: the only state that may yield a negative fact (N0, M0)."""
        return self.denied and not self.uncertain and not self.historical

    def flags(self) -> dict[str, bool]:
        return {"negated": self.denied, "uncertain": self.uncertain, "historical": self.historical}


ASSERTED = Assertion()

# Cue table, most specific first: at one position the first alternative that matches wins, so
# "cannot be excluded" (uncertain) is taken before "excluded" (negated) and "no change" (pseudo)
# before "no". English patterns run on ASCII-lower-cased text.
_EN_CUES: tuple[tuple[str, str, str], ...] = (
    # pseudo: look like cues, modify nothing
    ("pseudo", _BOTH, r"no\.\s*(?:of\b|\d)|not\s+only|no\s+(?:significant\s+|interval\s+)?(?:change|increase|growth)|"
                      r"not\s+necessarily|without\s+(?:difficulty|further)|gram[\s-]+negative|no\s+further|no\s+longer|"
                      r"not\s+limited\s+to|prior\s+to|no\s+prior|no\s+(?:known\s+)?history\s+of|whether\s+or\s+not|"
                      r"if\s+not|not\s+extend\w*\s+beyond|not\s+beyond|no\s+more\s+than|not\s+more\s+than|"
                      r"not\s+(?:less|greater)\s+than|year[\s-]+old|past\s+the|"
                      r"no(?=\s*,?\s*m[01x](?![a-z]))|"
                      # "into but not through the muscularis propria": the layer is reached, only not breached
                      r"into,?\s+but\s+not\s+(?:through|beyond)(?:\s+it)?,?"),  # OCR "T3 NO M0": N0 read as a letter O
    # a negation of a hedge is a plain negation: "no suspicious nodes" is the radiologist's N0
    ("negated", _FORWARD, r"no\s+(?:suspicious|enlarged|pathologic(?:al)?(?:ly)?\s+enlarged)|not\s+suspicious(?:\s+(?:for|of))?"),
    # uncertain (hedged): never asserted, never denied
    ("uncertain", _BACKWARD, r"cannot\s+be\s+(?:entirely\s+|completely\s+)?(?:excluded|ruled\s+out|assessed|determined|"
                             r"evaluated)|can\s*not\s+be\s+(?:excluded|ruled\s+out)|(?:is|are)\s+not\s+excluded|"
                             r"not\s+(?:be\s+)?excluded|not\s+(?:assessed|assessable|evaluable|applicable|evaluated|"
                             r"determined|specified|sampled|submitted|received)|(?:is|are|was|were)\s+(?:suspected|"
                             r"possible|likely|questionable|equivocal|indeterminate|uncertain)|unknown|"
                             r"indeterminate|equivocal"),
    ("uncertain", _FORWARD, r"cannot\s+(?:entirely\s+|completely\s+)?(?:exclude|rule\s+out)|can\s*not\s+(?:exclude|rule\s+out)|"
                            r"(?:rule|r/o)\s+out|to\s+exclude|no\s+definite(?:ive)?|not\s+definite(?:ly)?|"
                            r"possible|possibly|probable|probably|presumed|presumably|likely|suspicious\s+(?:for|of)|"
                            r"suspicious|suspected|suspect|suggestive\s+of|suggest(?:s|ing|ed)?|concerning\s+for|"
                            r"concern\s+for|questionable|equivocal|indeterminate|uncertain|may|might|could|"
                            r"favou?r(?:s|ed)?|versus|vs\.?|differential|query|cannot\s+be\s+(?:assessed|determined)|"
                            r"would(?:\s+be)?|if\s+(?:the|these|this|it)"),  # hypothetical: not this report's finding
    # negated
    ("negated", _BOTH, r"(?<=[:=])\s*(?:no|nil)"),
    ("negated", _FORWARD, r"no\s+(?:evidence|signs?|findings?|suspicion|features?)\s+(?:of|for|to\s+suggest)|"
                          r"absence\s+of|lack\s+of"),
    ("negated", _BOTH, r"negative\s+for|free\s+of"),
    ("negated", _BACKWARD, r"(?:is|are|was|were)\s+(?:all\s+)?(?:negative|benign|free|uninvolved|spared|unremarkable|"
                           r"absent|not\s+(?:identified|seen|present|involved|detected|found|invaded))|"
                           r"not\s+(?:identified|seen|present|detected|involved|found|invaded)|ruled\s+out|excluded|"
                           r"negative|benign|uninvolved|absent|spared|unremarkable|free\b|none\b|\(-\)"),
    ("negated", _FORWARD, r"absent|without|lacks?|none\s+of|neither|nor|never|denie[sd]|deny|no|not"),
    # historical
    ("historical", _BOTH, r"previously\s+(?:resected|treated|excised|diagnosed|removed)"),
    ("historical", _BACKWARD, r"in\s+the\s+past|(?:years?|months?)\s+ago"),
    ("historical", _FORWARD, r"history\s+of|h/o|hx\s+of|status\s+post|s/p|previous(?:ly)?|prior|remote\s+history\s+of|"
                             r"formerly|treated\s+for"),
)
_ZH_CUES: tuple[tuple[str, str, str], ...] = (
    ("pseudo", _BOTH, r"未分化|无法(?=评估|判断|确定)|无明显变化|非小细胞"),
    ("uncertain", _BOTH, r"不能除外|不能排除|不除外|待排(?:除)?|待除外|可能"),
    ("uncertain", _BACKWARD, r"待查|无法(?:评估|判断|确定)"),
    ("uncertain", _FORWARD, r"可疑|疑似|疑为|怀疑|考虑为?|倾向(?:于|为)?"),
    ("negated", _BOTH, r"未受累|未受侵|未侵犯|未累及|未侵及"),
    ("negated", _BACKWARD, r"(?:均|为|呈)?阴性|未见(?:明确|明显)?(?:转移|侵犯|累及|异常|癌)|（-）"),
    ("negated", _FORWARD, r"不考虑|未见|未发现|未找到|未检出|未触及|未累及|未侵犯|未侵及|未|无|没有|不伴|否认|排除"),
    ("historical", _BACKWARD, r"病史|(?<=[\u4e00-\u9fff])史"),
    ("historical", _FORWARD, r"既往|曾经?|以往"),
    ("historical", _FORWARD, r"前次|上次"),  # "last time": 前次检查 BI-RADS 4类, 上次手术 (added for the RADS readers)
)


def _compile(table: tuple[tuple[str, str, str], ...], word: bool) -> tuple[re.Pattern[str], list[tuple[str, str]]]:
    parts, meta = [], []
    for i, (kind, direction, pattern) in enumerate(table):
        parts.append(f"(?P<c{i}>{pattern})")
        meta.append((kind, direction))
    if word:  # whole words only; the word-start test runs once per position, before the alternation
        return re.compile(r"(?<![a-z0-9])(?:" + "|".join(parts) + r")(?![a-z0-9])"), meta
    return re.compile("|".join(parts)), meta


_EN_RE, _EN_META = _compile(_EN_CUES, word=True)
_ZH_RE, _ZH_META = _compile(_ZH_CUES, word=False)

# Sentence stops (not decimal points or "e.g."), semicolons, line breaks, Chinese stops.
# A stop right after an article or preposition ("do not involve the. sinus fat") is an OCR break, not a sentence end.
_SENTENCE = re.compile(r"(?<!\be\.g)(?<!\bi\.e)(?<!\bthe)(?<!\binto)(?<!\bof)(?<!\bto)(?<!\bwith)\.(?!\d)|"
                       r"[;\n。；!！？]|\?(?!\s*[:=])", re.I)  # "Node metastases?: No" is one item
# Words that end a cue's scope (ConText "termination" terms).
_TERMINATOR = re.compile(
    r"(?<![a-z])(?:but|however|although|though|except|apart\s+from|aside\s+from|other\s+than|whereas|yet|"
    r"which|while|with\s+the\s+exception\s+of|now|currently|presents?\s+with|"
    r"positive\s+for)(?![a-z])|但是?|然而|另见|另|伴有?(?!阴性)|并见|可见|见(?=[^未无]{0,6}转移)")
# A comma followed by the start of a new clause ends an English cue's scope; a list comma does not.
_CLAUSE_COMMA = re.compile(
    r",\s*(?:and\s+|but\s+)?(?:the|a|an|this|these|it|there|which|who|where|tumou?r|carcinoma|neoplasm|"
    r"lesion|mass|with|while|whereas|however|metastatic|positive|"
    # a participle opens a new predicate: "no invasion of the muscularis propria, invading the lamina propria"
    r"invading|extending|involving|infiltrating|penetrating|reaching|measuring|showing)(?![a-z])")
# A finding followed by its own affirmative predicate is not governed by an earlier forward cue:
# "no lymphovascular invasion, visceral pleural invasion present".
_OWN_PREDICATE = re.compile(r"^[\s:=-]{0,3}(?:(?:is|are|was|were)\s+)?(?:present|identified|seen|noted|positive|"
                            r"involved|confirmed)(?![a-z])")
# Words between a finding and a backward cue that show the cue belongs to another item.
_BACKWARD_BREAK = re.compile(r"(?<![a-z])(?:present|identified|positive|involved|yes|shows?|showing|contains?|"
                             r"invad\w*|extend\w*|measur\w*)(?![a-z])")
_BACKWARD_COMMA_HEAD = re.compile(r"(?<![a-z])(?:nodes?|lymph|tumou?r|carcinoma|margins?|invasion|pleura|is|are|was|"
                                  r"were|the|a|an)(?![a-z])")


@dataclass(frozen=True)
class _Index:
    text: str
    lower: str
    cues: tuple[Cue, ...]
    cue_starts: tuple[int, ...]
    stops: tuple[int, ...]  # positions of sentence stops
    terms: tuple[tuple[int, int], ...]
    term_starts: tuple[int, ...]


_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


@lru_cache(maxsize=16)
def _index(text: str) -> _Index:
    lower = text.translate(_LOWER)  # ASCII only: same length, spans stay valid
    found: list[Cue] = []
    for regex, meta in ((_EN_RE, _EN_META), (_ZH_RE, _ZH_META)):
        if regex is _ZH_RE and not _ZH.search(text):
            continue
        for m in regex.finditer(lower):
            group = m.lastgroup or ""
            kind, direction = meta[int(group[1:])]
            found.append(Cue(kind, direction, m.start(), m.end(), text[m.start():m.end()]))
    found.sort(key=lambda c: c.start)
    stops = tuple(m.start() for m in _SENTENCE.finditer(text))
    terms = tuple((m.start(), m.end()) for m in _TERMINATOR.finditer(lower))
    return _Index(text, lower, tuple(found), tuple(c.start for c in found), stops,
                  terms, tuple(t[0] for t in terms))


def cues_in(text: str) -> tuple[Cue, ...]:
    """Every cue in ``text`` (for evidence and debugging)."""
    return _index(text).cues


def _sentence(idx: _Index, start: int, end: int) -> tuple[int, int]:
    i = bisect.bisect_right(idx.stops, start - 1)
    left = idx.stops[i - 1] + 1 if i > 0 else 0
    j = bisect.bisect_left(idx.stops, end)
    right = idx.stops[j] if j < len(idx.stops) else len(idx.text)
    return left, right


def _terminated(idx: _Index, lo: int, hi: int, skip: tuple[int, int]) -> bool:
    """A terminating word lies wholly in ``lo:hi`` (not inside the cue or finding itself)."""
    i = bisect.bisect_left(idx.term_starts, lo)
    while i < len(idx.terms) and idx.terms[i][0] < hi:
        s, e = idx.terms[i]
        if e <= hi and not (s < skip[1] and e > skip[0]):
            return True
        i += 1
    return False


def _forward_ok(idx: _Index, cue: Cue, start: int, end: int) -> bool:
    gap = idx.lower[cue.end:start]
    if cue.chinese or _ZH.search(gap):
        if "，" in gap or "," in gap:
            return False
    elif _CLAUSE_COMMA.search(gap + idx.lower[start:end]):
        return False
    return not _terminated(idx, cue.end, start, (cue.start, cue.end))


def _backward_ok(idx: _Index, cue: Cue, start: int, end: int) -> bool:
    gap = idx.lower[end:cue.start]
    if cue.chinese or _ZH.search(gap):
        if "，" in gap or "," in gap:
            return False
    else:
        if _BACKWARD_BREAK.search(gap):
            return False
        if "," in gap and _BACKWARD_COMMA_HEAD.search(gap):
            return False
    return not _terminated(idx, end, cue.start, (cue.start, cue.end))


_FORM_BLANK = re.compile(r"not\s+(?:assessed|assessable|evaluable|applicable|evaluated|determined|specified|sampled|"
                         r"submitted|received)|unknown")
_LABEL_GAP = re.compile(r"[\s()]*[:=\-–]?[\s]*")
_LABEL_COLON = re.compile(r"[ \t]*[:=][ \t]*")
_STOP_OR_COLON = re.compile(r"[.;\n。；:=：]")


def _blank_label(idx: _Index, end: int) -> Cue | None:
    """A form label with no value: "Seminal Vesicle Invasion: Periprostatic Fat Involved: ..." (OCR'd
    synoptic forms lose their values; the next label follows the colon). Such a finding is not stated."""
    m = _LABEL_COLON.match(idx.text, end)
    if m is None:
        return None
    nxt = _STOP_OR_COLON.search(idx.text, m.end(), m.end() + 45)
    if nxt is None or nxt.group() not in ":=：":
        return None
    return Cue("uncertain", _BACKWARD, m.start(), m.end(), "blank field")


# Cues that cannot end a sentence: a stop right after one ("then the stage would be. T3 N0 M1a") is an
# OCR break, so the cue governs the next sentence too.
_DANGLING = re.compile(r"would(?:\s+be)?|may|might|could|no|not|without|nor|suspicious\s+(?:for|of)|"
                       r"suggestive\s+of|concerning\s+for|concern\s+for|favou?r(?:s|ed)?|to\s+exclude|(?:rule|r/o)\s+out|"
                       r"history\s+of|h/o|hx\s+of|status\s+post|s/p|absence\s+of|lack\s+of|no\s+evidence\s+of")


def _dangling_left(idx: _Index, left: int) -> int:
    """Where the previous sentence starts when this one follows a cue cut off by a stray stop, else ``left``."""
    if left == 0:
        return 0
    i = bisect.bisect_right(idx.cue_starts, left - 1) - 1
    if i < 0:
        return left
    cue = idx.cues[i]
    if cue.direction == _BACKWARD or not _dangles(idx, cue, left):
        return left
    return _sentence(idx, cue.start, cue.end)[0]


def _dangles(idx: _Index, cue: Cue, left: int) -> bool:
    """The cue is the last thing before the stop at ``left - 1`` ("may" only as "may be.": "May." is a month)."""
    word = cue.text.lower()
    if not _DANGLING.fullmatch(word):
        return False
    tail = idx.lower[cue.end:left - 1].strip()
    return tail in ("be", "been") if word in ("may", "might", "could") else tail in ("", "be") if word == "would" else not tail


# A hedge placed after its finding, used as the finding's predicate: "renal sinus suspicious for vascular
# invasion", "seminal vesicle invasion (possible)", "精囊侵犯，不除外". ConText's forward hedges only look
# right, so without this the finding before them read as asserted. Two shapes count: the hedge right
# after the finding (optionally after a copula), or the hedge alone after a comma, colon or bracket,
# closing the clause. A hedge after a comma that introduces its own finding ("..., possible serosal
# involvement") is about that finding, not this one.
_POST_HEDGE_EN = re.compile(r"suspicious(?:\s+(?:for|of))?|suspected|possible|possibly|probable|probably|likely|"
                            r"questionable|equivocal|indeterminate|uncertain|concerning\s+for|suggestive\s+of|"
                            r"(?:cannot|can\s*not)\s+be\s+(?:entirely\s+|completely\s+)?(?:excluded|ruled\s+out)|"
                            r"not\s+(?:be\s+)?excluded")
_POST_HEDGE_ZH = re.compile(r"不能除外|不能排除|不除外|待排(?:除)?|待除外|可能|可疑|疑似|待查")
# The finding's own noun phrase may continue past the matched term ("renal sinus| fat", "seminal
# vesicle| invasion"); only such head nouns may stand between the term and its hedge.
_NP_TAIL = (r"(?:[ \t]+(?:fat|adipose|tissues?|soft|invasion|involvement|infiltration|extension|wall|veins?|"
            r"vesicles?|glands?|capsule|margins?|by\s+tumou?r))*")
_POST_ADJACENT = re.compile(_NP_TAIL + r"[ \t]*(?:(?:is|are|was|were|appears?|seems?)[ \t]+)?")
_POST_SEPARATED = re.compile(_NP_TAIL + r"[ \t]*[,:(（，：][ \t]*(?:(?:is|are|was|were)[ \t]+)?")
# Coordinated findings share a predicate hedge: "perinephric fat and renal sinus fat, suspicious for invasion".
_POST_COORDINATED = re.compile(_NP_TAIL + r"(?:[ \t]+(?:and|or)[ \t]+(?:the[ \t]+)?[a-z-]+(?:[ \t]+[a-z-]+){0,3})?"
                               r"[ \t]*[,:(][ \t]*")
# "suspicious for invasion": a hedge whose object is only the extent word is about the preceding finding.
_HEDGE_OF_EXTENT = re.compile(r"(?:suspicious\s+(?:for|of)|concerning\s+for|suggestive\s+of)\s+(?:(?:tumou?r|"
                              r"carcinoma|neoplastic)\s+)?(?:invasion|involvement|infiltration|extension)(?![a-z])")
_CLAUSE_END = re.compile(r"[ \t]*(?:$|[.;,)\n。；，）!?！？])")


def _post_hedge(idx: _Index, end: int) -> Cue | None:
    """A hedge that follows the finding ``..end`` as its predicate (see ``_POST_HEDGE_EN``)."""
    for gap_re, needs_close in ((_POST_ADJACENT, False), (_POST_SEPARATED, True)):
        gap = gap_re.match(idx.lower, end)
        if gap is None:
            continue
        at = gap.end()
        for hedge_re, word in ((_POST_HEDGE_EN, True), (_POST_HEDGE_ZH, False)):
            m = hedge_re.match(idx.lower, at)
            if m is None:
                continue
            if word and ((at > 0 and idx.lower[at - 1].isalnum()) or
                         (m.end() < len(idx.lower) and idx.lower[m.end()].isalnum())):
                continue
            if needs_close and not _CLAUSE_END.match(idx.lower, m.end()):
                continue
            return Cue("uncertain", _BACKWARD, m.start(), m.end(), idx.text[m.start():m.end()])
    if (gap := _POST_COORDINATED.match(idx.lower, end)) is not None and \
            (m := _HEDGE_OF_EXTENT.match(idx.lower, gap.end())) is not None and _CLAUSE_END.match(idx.lower, m.end()):
        return Cue("uncertain", _BACKWARD, m.start(), m.end(), idx.text[m.start():m.end()])
    return None


def assess(text: str, start: int, end: int) -> Assertion:
    """The context of the finding ``text[start:end]``: which cues govern it."""
    idx = _index(text)
    if (blank := _blank_label(idx, end)) is not None:
        return Assertion(uncertain=True, cues=(blank,))
    if not idx.cues:
        return ASSERTED
    post = _post_hedge(idx, end)
    left, right = _sentence(idx, start, end)
    reach = _dangling_left(idx, left)
    lo = bisect.bisect_left(idx.cue_starts, max(reach, start - _MAX_FORWARD - 40))
    governing: list[Cue] = []
    own_predicate: bool | None = None
    for cue in idx.cues[lo:]:
        if cue.start >= min(right, end + _MAX_BACKWARD + 1):
            break
        if cue.kind == "pseudo" or (cue.start < end and cue.end > start):
            continue  # a cue inside the finding ("no" in "node"?) is part of the finding's words
        if cue.end <= start and cue.direction in (_FORWARD, _BOTH):
            if start - cue.end > _MAX_FORWARD or not _forward_ok(idx, cue, start, end):
                continue
            if cue.start < left and not (cue.start >= reach and _dangles(idx, cue, left)):
                continue
            if cue.kind == "negated" and ("," in idx.lower[cue.end:start] or " and " in idx.lower[cue.end:start]):
                if own_predicate is None:
                    own_predicate = bool(_OWN_PREDICATE.match(idx.lower[end:min(right, end + 30)]))
                if own_predicate:
                    continue
            governing.append(cue)
        elif cue.start >= end and cue.direction in (_BACKWARD, _BOTH):
            if cue.start - end > _MAX_BACKWARD or cue.end > right + 1 or not _backward_ok(idx, cue, start, end):
                continue
            if _FORM_BLANK.fullmatch(cue.text.lower()) and not _LABEL_GAP.fullmatch(idx.text[end:cue.start]):
                continue  # "pT1a pNx pM-not applicable": a blank form value belongs to its own label only
            governing.append(cue)
    if post is not None and all(c.start != post.start for c in governing):
        governing.append(post)
    if not governing:
        return ASSERTED
    kinds = {c.kind for c in governing}
    return Assertion("negated" in kinds, "uncertain" in kinds, "historical" in kinds, tuple(governing))


# --- what a negation is about -----------------------------------------------------------------
# A multi-part report states each finding under its specimen's label ("C: Liver mass, segment 5,
# excision. - No evidence of metastatic disease."): a denial there is about that specimen only. A
# part header is a capital letter or number followed by ":" or ")" or in brackets, at the start of
# the text or after a stop; "PART 2:" and "Specimen B:" too.
_PART_HEADER = re.compile(r"(?:^|(?<=[.;:\n]\s)|(?<=[.;\n]))\s*(?:part\s*\d{1,2}|specimen\s+[A-Z0-9]{1,2}|\(?[A-Z]\d?\)|"
                          r"[A-Z]\d?\s*:|\d{1,2}\s*[:)])\s*(?=[A-Za-z\u4e00-\u9fff\"'])", re.I)
_PART_REACH = 400  # a header further back than this is not this finding's specimen label
_LABEL_END = re.compile(r"[.;\n]\s*(?:-|:|\u2013)?\s*|\s+-\s+|:\s+(?=-)")


def specimen_part(text: str, position: int) -> str | None:
    """The label of the specimen part that ``position`` is reported under, or None.

    "A: Omentum, mass, excision. - Metastatic adenocarcinoma" gives "Omentum, mass, excision" for any
    position in the diagnosis. A finding's negation inside a labelled part is scoped to that part:
    "no evidence of metastatic disease" under "C: Liver mass" says nothing about the omentum.
    """
    lo = max(0, position - _PART_REACH)
    header = None
    for m in _PART_HEADER.finditer(text, lo, position):
        if not re.fullmatch(r"\s*\d{1,2}\s*[:)]\s*", m.group()) or m.start() == 0 or text[m.start() - 1] in ".;\n":
            header = m
    if header is None:
        return None
    stop = _LABEL_END.search(text, header.end(), min(position, header.end() + 120))
    label = text[header.end():stop.start() if stop else min(position, header.end() + 80)].strip(" ,-")
    return label or None


# "metastatic disease in the liver", "no metastasis to the bone": the object that limits a denial.
_OBJECT = re.compile(r"\s*(?:is\s+|are\s+)?(?:seen\s+|identified\s+|present\s+)?(?:in|to|within|involving|of)\s+"
                     r"(?:the\s+|this\s+|these\s+|any\s+of\s+the\s+)?(?P<obj>[a-z][a-z-]+(?:\s+[a-z][a-z-]+)?)", re.I)
_GLOBAL_OBJECT = re.compile(r"(?:other\s+)?(?:distant\s+)?(?:sites?|organs?|body|patient|specimens?|submitted|tissue|"
                            r"sections?\s+examined|material)\b", re.I)


def object_of(text: str, end: int) -> str | None:
    """The organ or structure a finding is limited to by the words after it ("... in the liver"), or None.

    Generic objects ("in any of the submitted specimens", "to other sites") are not a limit.
    """
    m = _OBJECT.match(text, end, min(len(text), end + 60))
    if m is None or _GLOBAL_OBJECT.match(m.group("obj")):
        return None
    return m.group("obj")
