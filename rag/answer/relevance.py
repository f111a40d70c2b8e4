"""Relevance, not only support: does a sentence (or its cited passage) address what was asked?

Why: the verifier (``rag.answer.verify``) proves a sentence is *supported* by the passage it cites,
but a supported sentence about the neighbouring rule still reads as verified. "TI-RADS 4类多大需要细针
穿刺？" answered "不需要细针穿刺[1]" from the TR1 row is supported and wrong. So when a question names a
member of a family of labels — a TI-RADS level (TR4, "4类"), a RADS category (4A, "category 3",
LR-5), a stage group (IIIA), a T/N/M category (T1c, N2) — a sentence is kept only if it, or the
section of the passage it cites, concerns exactly that member (or its parent or child: N2 answers
N2a, 4A answers "category 4"); a sentence that names only *siblings* is ``off-question``. The same
holds for quantities the question states ("4 to 6 points", "≥1.5 cm", "7 nodes"): when a sentence
states ranges of that kind, one must hold the number.

Labels are not the only thing a question fixes. The qualifier families of ``rag.answer.qualifiers``
(edition — with compared pairs: "8th vs 7th" is not answered by "9th vs 8th" —, prostate zone, nodule
type, DCE polarity) are checked the same way. And avoiding a sibling is not enough: a sentence taken
from a further passage must also share the question's key concept ("malignancy likelihood",
"management"; ``misses_concept``), or state what the question's shape asks for (a time for "what
interval"), else it is off-question too.

The check is applied twice by ``rag.answer.pipeline``: to candidate passages before an answer is
composed (a TR1 passage is not offered for a TR4 question) and to every verified sentence after.

It also carries the two other "is this an answer?" rules: corpus meta sentences ("in the project's
own words") are never answer sentences, and questions that ask for treatment, drugs, doses or
prognosis — which a staging and reporting corpus does not hold — are refused unless a passage
actually states the asked-for thing (``out_of_scope_ask``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rag.answer.intent import site_words
from rag.answer.qualifiers import STRICT_WHEN_PAIRED, qualifiers
from rag.corpus.parse import META_SENTENCE_RE
from rag.index.tokenize import tokenize
from rag.retrieval.quantity import Interval, Quantity, passage_intervals, query_quantities

if TYPE_CHECKING:  # shape reads labels from this module
    from rag.answer.shape import Shape

__all__ = ["Focus", "excludes_concept", "heading_names_focus", "lead_sibling", "holds_focus_quantities", "is_meta", "labels", "misses_concept",
           "off_question", "opening_label", "out_of_scope_ask", "passage_off_question", "question_focus", "subject_rank",
           "transition_clash"]

OFF_QUESTION = "off-question"

# Label families, read the same way from questions, sentences and section headings.
_TNM = re.compile(r"(?<![A-Za-z0-9])(?:yp|yc|c|p)?([TNM](?:is|X|[0-4](?:mi|[a-d][1-3]?)?)(?:\((?:i\+|mol\+)\))?)(?![A-Za-z0-9+])")
_STAGE = re.compile(r"(?<![A-Za-z0-9])((?:IV|I{1,3})[ABC][1-3]?)(?![A-Za-z0-9])|(?:stage|期)\s*((?:IV|I{1,3}))(?![A-Za-z0-9])"
                    r"|(?<![A-Za-z0-9])((?:IV|I{1,3}))\s*期")
_TR = re.compile(r"(?<![A-Za-z0-9])TR\s?([1-5])(?![0-9])", re.I)
_LR = re.compile(r"(?<![A-Za-z0-9])LR-(\d|M|TIV|NC)(?![A-Za-z0-9])", re.I)
_SUBCAT = re.compile(r"(?<![A-Za-z0-9.])([0-6][A-CX])(?![A-Za-z0-9])")
# "category 3", "BI-RADS 4", "Lung-RADS 2", "score 4", "4类", "3 类"; not "3 months" or "4 points".
_CATEGORY = re.compile(r"(?:\b(?:category|categories|score|BI-?RADS|Lung-?RADS|PI-?RADS)\s*([0-6][A-CX]?)(?![\dA-Za-z]|\.\d)"
                       r"|(?<![\d.])([0-6][A-CX]?)\s*(?:类|級|级)(?!别))", re.I)
_PIRADS_SCORE = re.compile(r"(?<![\d.])([1-5])\s*分")
_POINTS_VALUE = re.compile(r"(?<![\d.])(\d+)\s*(?:points?\b|分)", re.I)


@dataclass(frozen=True)
class Focus:
    """What a question is about: labels per family, quantities it states, the qualifiers that fix its
    context (edition, zone, nodule type, finding polarity: ``rag.answer.qualifiers``) and its key
    concept terms (what it asks *about* those members: "malignancy likelihood", "management")."""

    labels: dict[str, frozenset[str]] = field(default_factory=dict)
    quantities: tuple[Quantity, ...] = ()
    qualifiers: dict[str, frozenset[str]] = field(default_factory=dict)
    terms: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.labels or self.quantities or self.qualifiers)


def labels(text: str, system: str | None = None) -> dict[str, frozenset[str]]:
    """Labels of each family a text names: ``{"T": {"T1c"}, "cat": {"4A"}, "tr": {"4"}, ...}``.

    ``system`` says how a bare "4类"/"category 4" reads: a TI-RADS level (TR4) for ACR TI-RADS, a
    category otherwise.
    """
    found: dict[str, set[str]] = {}
    for _, family, label in _label_spans(text, system):
        found.setdefault(family, set()).add(label)
    return {k: frozenset(v) for k, v in found.items()}


def _label_spans(text: str, system: str | None = None) -> list[tuple[int, str, str]]:
    """Every label a text names as (position, family, label), in reading order."""
    spans: list[tuple[int, str, str]] = []
    for m in _TR.finditer(text):
        spans.append((m.start(), "tr", m.group(1)))
    for m in _LR.finditer(text):
        spans.append((m.start(), "lr", m.group(1).upper()))
    tirads = system == "ACR-TI-RADS"
    for m in _CATEGORY.finditer(text):
        value = (m.group(1) or m.group(2)).upper()
        spans.append((m.start(), "tr" if tirads and value.isdigit() else "cat", value))
    if system == "PI-RADS-v2.1":  # PI-RADS scores: "4分" is score 4 (in TI-RADS 分 are points)
        for m in _PIRADS_SCORE.finditer(text):
            spans.append((m.start(), "cat", m.group(1)))
    for m in _SUBCAT.finditer(text):
        spans.append((m.start(), "cat", m.group(1).upper()))
    for m in _TNM.finditer(text):
        spans.append((m.start(), m.group(1)[0], m.group(1)))
    for m in _STAGE.finditer(text):
        spans.append((m.start(), "stage", next(g for g in m.groups() if g)))
    return sorted(spans)


def question_focus(question: str, system: str | None = None, expansions: Sequence[str] = ()) -> Focus:
    """The labels, quantities, qualifiers and key terms a question names (``expansions``: the glossary's
    English terms for a Chinese question, so an English sentence can share its concept)."""
    found = labels(question, system)
    if system and not system.startswith(("AJCC", "TNM")):
        found = {k: v for k, v in found.items() if k not in ("T", "N", "M", "stage")}
    return Focus(found, tuple(query_quantities(question)), qualifiers(question),
                 key_terms(question, found, expansions))


# Words every question of a staging/reporting corpus uses: they say *that* something is asked, not *what*.
_GENERIC = frozenset(tokenize(
    "what which who how when where why does do is are was the a an of for in on to with be it its this that "
    "there mean meaning defined definition describe explain tell me about please give category categories "
    "level score stage staging group class classification system rads ti-rads lung-rads bi-rads li-rads "
    "pi-rads tnm ajcc uicc edition version cancer carcinoma tumour tumor nodule lesion finding patient "
    "什么 意思 是 指 哪 几 哪个 哪一 多少 如何 怎么 类 级 期 分期 分类 分级 定义 请问 属于 病灶 结节 肿瘤 癌"))


def key_terms(question: str, found: dict[str, frozenset[str]] | None = None,
              expansions: Sequence[str] = ()) -> frozenset[str]:
    """The question's concept terms: its tokens less labels, numbers, short codes ("lr", "mm") and generic words."""
    label_tokens = {t for v in (found or {}).values() for label in v for t in tokenize(label)}
    texts = [question, " ".join(expansions)]  # the glossary's English terms name the site too
    for i, text in enumerate(texts):
        for word in site_words(text):  # removed before tokenising: jieba cuts "结直肠癌" as one word
            text = text.replace(word, " ")
        texts[i] = text
    tokens = {t for text in texts for t in tokenize(text)}
    return frozenset(t for t in tokens - _GENERIC - label_tokens
                     if not (t.isascii() and len(t) <= 2) and len(t) > 1 and not any(c.isdigit() for c in t)
                     and "rad" not in t)


def misses_concept(focus: Focus, sentence: str, context: str = "", shape: Shape | None = None,
                   system: str | None = None) -> str | None:
    """Why a supporting sentence (not the answer's lead) says nothing about what the question asks.

    The lead sentence comes from the passage the question matched best; a further sentence is shown
    only if it shares a key term with the question (its cited passage's title and section count as
    context, not as the concept: every sentence of the LI-RADS document is "about LI-RADS"), and,
    when the question states a quantity, only if it states one of the same kind ("exactly 1 point"
    is not answered by a sentence about a 1.5 cm threshold). A sentence that states what the
    question's ``shape`` asks for (a time for "what follow-up interval", the members for "how is N2
    subdivided") addresses it in other words ("6-month LDCT" for "follow-up interval").
    """
    terms = focus.terms - set(tokenize(context))
    if terms and not terms & set(tokenize(sentence)) and not (shape and shape.answers(sentence, system)):
        return f"shares none of {'/'.join(sorted(terms)[:6])}"
    for quantity in focus.quantities:
        if quantity.kind == "points":
            states = bool(_point_intervals(sentence))
        elif quantity.kind == "nodes":
            states = bool(_node_intervals(sentence))
        else:
            states = any(i.kind == quantity.kind for i in passage_intervals(sentence))
        if not states:
            return f"states no {quantity.kind.replace('_', ' ')} while the question asks about {quantity.value:g}"
    return None


# "excluding isolated tumour cells", "other than bone", "不包括孤立肿瘤细胞": what a rule does NOT cover.
# "but not invading the serosa", "但未侵犯脏层腹膜" too; "with or without bone disease" is no exclusion.
_EXCLUSION = re.compile(r"(?:\bexclud(?:ing|es?|ed)\b|\bexcept(?:\s+for)?\b|\bother than\b|\bnot including\b|"
                        r"\bbut not\b|\bnor\b|(?<!\bor )\bwithout\b|"
                        r"不包括|除外|排除|未|也未)\s*([^,;:.，。；：()（）]+)", re.I)


def excludes_concept(focus: Focus, sentence: str) -> str | None:
    """Why a sentence is about something else: it explicitly *excludes* the question's concept.

    "pN1b: … internal mammary node(s), excluding isolated tumour cells" shares words with a question
    about isolated tumour cells, yet says its label is not for them. Used when the question names no
    label (it asks which label fits a finding), so the sentence's label cannot be checked directly.
    """
    for m in _EXCLUSION.finditer(sentence):
        shared = focus.terms & set(tokenize(m.group(1)))
        if shared:
            return f"excludes {'/'.join(sorted(shared))}"
    return None


_TRANSITION = re.compile(r"\bbecom(?:e|es|ing)\b|\b(?:up|down)grad\w*\s+to\b|\bmov(?:e|es|ed)\s+to\b|"
                         r"\bre-?classif\w*\s+as\b|升为|降为|改为|转为|变为|成为", re.I)


def transition_clash(focus: Focus, question: str, sentence: str, system: str | None = None) -> str | None:
    """Why a sentence runs a transition the wrong way: the question asks what its label *becomes* ("a
    Lung-RADS 3 nodule is stable — what category does it become?") and the sentence moves a sibling
    *into* that label ("a category 4A finding … becomes category 3"): it answers the reverse question.
    A sentence that names the asked label before its transition ("a category 3 finding … becomes
    category 2"), or has no transition, is not judged here."""
    asked_q, said = _TRANSITION.search(question), _TRANSITION.search(sentence)
    if not asked_q or not said:
        return None
    source_q = labels(question[:asked_q.start()], system)
    before, after = labels(sentence[:said.start()], system), labels(sentence[said.end():], system)
    for family, asked in focus.labels.items():
        if not source_q.get(family, frozenset()) & asked:
            continue  # the question's label is not what the transition starts from
        src = before.get(family, frozenset())
        if src and not any(_related(family, a, n) for a in asked for n in src) \
                and any(_related(family, a, n) for a in asked for n in after.get(family, ())):
            return f"moves {'/'.join(sorted(src))} into {'/'.join(sorted(asked))}; the question starts from {'/'.join(sorted(asked))}"
    return None


def opening_label(sentence: str, system: str | None = None) -> dict[str, frozenset[str]]:
    """The label a sentence opens with ("M1b: metastasis in bone" → {"M": {"M1b"}}), else nothing: only a
    sentence that *states* a label establishes it as the answer ("When metastases are present in more than
    one site, … M1c is the most advanced" names M1c without answering with it)."""
    spans = _label_spans(sentence.lstrip(), system)
    return {spans[0][1]: frozenset({spans[0][2]})} if spans and spans[0][0] == 0 else {}


def lead_sibling(lead: dict[str, frozenset[str]], focus: Focus, sentence: str,
                 system: str | None = None) -> str | None:
    """Why a later sentence contradicts the answer's own label: the question names no label of a family,
    the answer's first sentence established exactly one (M1b for "bone metastasis: which M?"), and this
    sentence names only siblings of it (M1c). A sentence naming the lead's label, a parent or child of
    it, or no label of that family, is kept."""
    named = labels(sentence, system)
    for family, established in lead.items():
        if family in focus.labels or len(established) != 1:
            continue
        said = named.get(family)
        if said and not any(_related(family, e, n) for e in established for n in said):
            return f"names {'/'.join(sorted(said))} beside the answer's {next(iter(established))}"
    return None


def _related(family: str, asked: str, named: str) -> bool:
    """Same label, or parent and child (N2/N2a, 4/4A, T1/T1c, IIIA/III), never siblings (IIA/IIIA)."""
    if asked == named:
        return True
    if family == "stage":
        root = re.compile(r"^(IV|I{1,3})")
        a, n = root.match(asked), root.match(named)
        return bool(a and n and a.group(1) == n.group(1)) and (asked.startswith(named) or named.startswith(asked))
    if family in "TNM":
        short, long = sorted((asked, named), key=len)
        return long.startswith(short) and not long[len(short):len(short) + 1].isdigit()
    return asked.startswith(named) or named.startswith(asked)


def _qualifier_clash(focus: Focus, named: dict[str, frozenset[str]]) -> str | None:
    """A text names only siblings of an asked qualifier (a part-solid row for a solid nodule), or brings a
    third edition into a compared pair ("9th vs 8th" for an "8th vs 7th" question)."""
    for family, asked in focus.qualifiers.items():
        said = named.get(family)
        if not said:
            continue
        if not said & asked:
            return f"asks {family} {'/'.join(sorted(asked))}, states {'/'.join(sorted(said))}"
        if family in STRICT_WHEN_PAIRED and len(asked) >= 2 and said - asked:
            return f"compares {family} {'/'.join(sorted(said))}, not {'/'.join(sorted(asked))}"
    return None


def _label_clash(focus: Focus, named: dict[str, frozenset[str]]) -> str | None:
    """A text clashes when it names a sibling of an asked label and not the label itself (or a child):
    "4B is a subgroup of category 4" is about 4B although it names 4A's parent too."""
    for family, asked in focus.labels.items():
        said = named.get(family)
        if not said:
            continue
        sibling = any(not any(_related(family, a, n) for a in asked) for n in said)
        same_or_child = any(_related(family, a, n) and len(n) >= len(a) for a in asked for n in said)
        if (sibling and not same_or_child) or not any(_related(family, a, n) for a in asked for n in said):
            return f"asks {'/'.join(sorted(asked))}, states {'/'.join(sorted(said))}"
    return None


_ZH_POINT_RANGE = re.compile(r"(\d+)\s*(?:–|-|至|到)\s*(\d+)\s*分")
_ZH_POINT_BOUND = re.compile(r"([≥≤<>])\s*(\d+)\s*分|(\d+)\s*分(?:及)?以上")


def _point_intervals(text: str) -> list[Interval]:
    """Ranges of points a text states, counting a single "3 points"/"3分" as the range [3, 3]."""
    intervals = [i for i in passage_intervals(text) if i.kind == "points"]
    intervals += [Interval("points", float(a), float(b)) for a, b in _ZH_POINT_RANGE.findall(text)]
    for op, value, above in _ZH_POINT_BOUND.findall(text):
        if above:
            intervals.append(Interval("points", low=float(above)))
        elif op in "≥>":
            intervals.append(Interval("points", low=float(value), low_inclusive=op == "≥"))
        else:
            intervals.append(Interval("points", high=float(value), high_inclusive=op == "≤"))
    if not intervals:
        intervals = [Interval("points", float(v), float(v)) for v in _POINTS_VALUE.findall(text)]
    return intervals


_ZH_NODE_RANGE = re.compile(r"(\d+)\s*(?:至|到|–|-|或)\s*(\d+)\s*枚")
_ZH_NODE_ABOVE = re.compile(r"(\d+)\s*枚及以上|≥\s*(\d+)\s*枚")
_ZH_NODE_ONE = re.compile(r"(?<![\d至到或–-])(\d+)\s*枚(?!及以上)")


def _node_intervals(text: str) -> list[Interval]:
    """Node-count ranges in English (rag.retrieval.quantity) and Chinese ("4至6枚", "7枚及以上", "1枚")."""
    intervals = [i for i in passage_intervals(text) if i.kind == "nodes"]
    intervals += [Interval("nodes", float(a), float(b)) for a, b in _ZH_NODE_RANGE.findall(text)]
    intervals += [Interval("nodes", low=float(a or b)) for a, b in _ZH_NODE_ABOVE.findall(text)]
    if not intervals:
        intervals = [Interval("nodes", float(v), float(v)) for v in _ZH_NODE_ONE.findall(text)]
    return intervals


def _quantity_clash(focus: Focus, text: str) -> str | None:
    for quantity in focus.quantities:
        if quantity.kind == "points":
            same = _point_intervals(text)
        elif quantity.kind == "nodes":
            same = _node_intervals(text)
        else:
            same = [i for i in passage_intervals(text) if i.kind == quantity.kind]
        if same and not any(i.holds(quantity) for i in same):
            return f"its ranges do not hold the asked {quantity.kind.replace('_', ' ')} {quantity.value:g}"
    return None


def off_question(focus: Focus, sentence: str, headings: Sequence[str] = (), system: str | None = None) -> str | None:
    """Why ``sentence`` (citing passages with these section ``headings``) does not address the question.

    Both the sentence's own labels and its cited passages' headings must fit ("不需要细针穿刺" under
    "TR1：良性" is about TR1; "a category 3 or 4 nodule…" under "Category 4X" is about 4X). None when
    it addresses the question.
    """
    if is_meta(sentence):
        return "a note about the corpus, not guideline content"
    if not focus:
        return None
    own = labels(sentence, system)
    # Inside the asked member's own passage a sibling may be named as a comparison ("4X: managed like
    # category 4B"); elsewhere a sentence naming only a sibling is about that sibling.
    in_own_passage = focus.labels and any(_names_exactly(focus, labels(h, system)) for h in headings)
    clash = None if in_own_passage else _label_clash(focus, own)
    clash = clash or _qualifier_clash(focus, qualifiers(sentence))
    if clash:
        return clash
    from_heading = {f: v for f, v in _merge(labels(h, system) for h in headings).items() if f in focus.labels}
    clash = _label_clash(focus, from_heading) or _qualifier_clash(focus, _merge(qualifiers(h) for h in headings))
    if clash:
        return f"cited section {clash}"
    clash = _quantity_clash(focus, sentence)
    if clash is None and not passage_intervals(sentence) and not _POINTS_VALUE.search(sentence):
        clash = next((c for h in headings if (c := _quantity_clash(focus, h))), None)
    return clash


def passage_off_question(focus: Focus, heading: str, text: str, system: str | None = None) -> str | None:
    """Why a whole passage is not about what was asked: its heading (else its text) names only siblings
    of an asked label, or it never mentions any asked label at all."""
    if not focus:
        return None
    named = labels(heading, system)
    clash = _label_clash(focus, named) or _quantity_clash(focus, heading) or _qualifier_clash(focus, qualifiers(heading))
    if clash:
        return clash
    body = labels(text, system)
    missing_family = {f: v for f, v in body.items() if f in focus.labels and f not in named}
    clash = _label_clash(focus, missing_family)
    if clash:
        return clash
    both = _merge([named, body])
    if focus.labels and not any(_related(f, a, n) for f, asked in focus.labels.items()
                                for a in asked for n in both.get(f, ())):
        return f"never mentions {'/'.join(sorted(a for v in focus.labels.values() for a in v))}"
    return None


_HEAD_SPLIT = re.compile(r"\s+[—–-]\s+|[：:（(]")
_RESIDUE = re.compile(r"[A-Za-z]+|[\u4e00-\u9fff]")


def subject_rank(focus: Focus, heading: str, system: str | None = None) -> int:
    """How squarely a heading is *about* the asked member: 0 "Category 4A — …"/"2类：…"/"T1b", 1 names it
    exactly among other words ("Solid nodule — category 4A"), 2 names a parent or child, 3 none."""
    named = labels(heading, system)
    if not focus.labels or _label_clash(focus, named) or not heading_names_focus(focus, heading, system):
        return 3
    if not _names_exactly(focus, named):
        return 2
    head = _HEAD_SPLIT.split(heading, maxsplit=1)[0]
    if _names_exactly(focus, labels(head, system)):
        residue = head
        for pattern in (_TR, _LR, _CATEGORY, _SUBCAT, _TNM, _STAGE):
            residue = pattern.sub(" ", residue)
        words = [w for w in _RESIDUE.findall(residue) if w.lower() not in ("category", "level", "stage", "score", "lung", "rads")]
        if len(words) <= 1:
            return 0
    return 1


def holds_focus_quantities(focus: Focus, text: str) -> bool:
    """True when the question states quantities and the passage's own ranges hold every one of them
    ("总分7分以上" holds 7 points)."""
    if not focus.quantities:
        return False
    for quantity in focus.quantities:
        same = _point_intervals(text) if quantity.kind == "points" else [
            i for i in passage_intervals(text) if i.kind == quantity.kind]
        if not any(i.holds(quantity) for i in same):
            return False
    return True


def heading_names_focus(focus: Focus, heading: str, system: str | None = None) -> bool:
    """True when a passage's own heading names an asked label and no sibling ("LR-5 — definitely HCC")."""
    if not focus.labels:
        return False
    named = labels(heading, system)
    hits = any(_related(f, a, n) for f, asked in focus.labels.items() for a in asked for n in named.get(f, ()))
    return hits and _label_clash(focus, named) is None


def _names_exactly(focus: Focus, named: dict[str, frozenset[str]]) -> bool:
    """The text names an asked label itself or a child of it (not only a parent), and no sibling."""
    child = any(_related(f, a, n) and len(n) >= len(a) for f, asked in focus.labels.items()
                for a in asked for n in named.get(f, ()))
    return child and _label_clash(focus, named) is None


def _merge(dicts: Iterable[dict[str, frozenset[str]]]) -> dict[str, frozenset[str]]:
    out: dict[str, frozenset[str]] = {}
    for d in dicts:
        for k, v in d.items():
            out[k] = out.get(k, frozenset()) | v
    return out


def is_meta(sentence: str) -> bool:
    """A sentence about the corpus itself ("Summary in the project's own words") is never an answer."""
    return META_SENTENCE_RE.search(sentence) is not None


# --- asks the corpus cannot answer -----------------------------------------------------------------
# (question pattern, words a passage must contain to answer it). A staging and reporting corpus
# states categories, stages and imaging management; it holds no treatment regimens, drug doses,
# survival figures or prevention advice. A question asking for those is refused unless some passage
# really contains the asked-for thing (so a corpus that adds such a document answers it).
_ASKS: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = (
    (re.compile(r"chemo\w*|regimen|化疗|方案", re.I), re.compile(r"chemo\w*\s+regimen|regimens?\b|化疗方案", re.I)),
    (re.compile(r"\bdos(?:e|es|ing|age)\b|\bmg\b|剂量", re.I), re.compile(r"\bdos(?:e|ing|age)\b|\d\s*mg\b|剂量", re.I)),
    (re.compile(r"surviv\w*|prognos\w*|life expectancy|生存|预后", re.I), re.compile(r"\d+-year survival|生存率", re.I)),
    (re.compile(r"side effects?|adverse (?:events?|effects?)|toxicit\w*|副作用|不良反应", re.I),
     re.compile(r"side effects?|adverse (?:events?|effects?)|副作用", re.I)),
    (re.compile(r"\bdrugs?\b|medication|medicine|targeted (?:therapy|drugs?)|inhibitors?\b|\b\w+mab\b|\b\w+tinib\b|"
                r"antibiotic|vaccin\w*|opioid|anticoagula\w*|antiemetic|analgesic|insulin|paracetamol|药|靶向|抑制剂|疫苗", re.I),
     re.compile(r"\bdrugs?\b|medication|\b\w+mab\b|\b\w+tinib\b|inhibitors?\b|靶向药", re.I)),
    (re.compile(r"\btreatments? (?:for|of)\b|\bbest treatment|how (?:do i|to|should i) (?:treat|manage)\b|\btreat(?:ed)? with\b|"
                r"first-line|radiotherapy|\bfractions\b|\bsurgery\b|\bdiet\b|prevent\w*|"
                r"如何治疗|怎么治疗|治疗方法|术后|放疗|预防|饮食", re.I),
     re.compile(r"first-line|radiotherapy dose|fractionation|treatment of choice|recommended treatment|"
                r"治疗方案|手术方式|预防措施", re.I)),
)


def out_of_scope_ask(question: str, passages: Sequence[str]) -> str | None:
    """The asked-for thing a staging/reporting corpus does not hold, when no passage states it."""
    for asks, answered_by in _ASKS:
        m = asks.search(question)
        if m and not any(answered_by.search(p) for p in passages):
            return m.group(0)
    return None
