"""Prostate, AJCC 8th edition (DOMAIN §5, §13): T, N, M plus PSA and Grade Group.

Clinical and pathological T differ (pT2 has no subcategories, there is no pT1), so there are two
tables. With PSA or Grade Group missing the group is still given when every possible value leads
to the same group (the AJCC note in §13); otherwise ``missing`` asks for it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from rag.calculators.staging.extract import UNCLEAR_T, Descriptors, Fact, distant_facts, evidence, find, n0_statement, node_counts
from rag.calculators.staging.site import Annotation, Context, Derived, SiteSpec
from rag.calculators.staging.sites.reading import denied
from rag.calculators.staging.table import Assignment, Condition, StageTable, row

_CT = ("TX", "T0", "T1", "T1a", "T1b", "T1c", "T2", "T2a", "T2b", "T2c", "T3", "T3a", "T3b", "T4")
_PT = ("TX", "T0", "T2", "T3", "T3a", "T3b", "T4")
_N = ("NX", "N0", "N1")
_M = ("M0", "M1", "M1a", "M1b", "M1c")
_M1 = ("M1a", "M1b", "M1c")


def definition_id(axis: str, label: str, prefix: str) -> str:
    """The corpus id defining a category. Clinical and pathological T are defined apart
    (``PROSTATE8.T.cT2a``, ``PROSTATE8.T.pT2``); TX, T0 and T4 are shared, as are N and M."""
    if axis != "T" or label in ("TX", "T0", "T4"):
        return f"PROSTATE8.{axis}.{label}"
    return f"PROSTATE8.T.{'p' if prefix.endswith('p') else 'c'}{label}"


def _rows(low: tuple[str, ...], t12: tuple[str, ...], t34: tuple[str, ...], all_t: tuple[str, ...],
          t2bc: tuple[str, ...]) -> tuple:
    psa, gg = "psa", "grade_group"
    rows = [
        row("PROSTATE8.STAGE.I", "I", low, "N0", "M0", Condition(psa, "<", 10), Condition(gg, "==", 1)),
        row("PROSTATE8.STAGE.IIA.1", "IIA", low, "N0", "M0", Condition(psa, ">=", 10), Condition(psa, "<", 20),
            Condition(gg, "==", 1)),
    ]
    if t2bc:
        rows.append(row("PROSTATE8.STAGE.IIA.2", "IIA", t2bc, "N0", "M0", Condition(psa, "<", 20), Condition(gg, "==", 1)))
    rows += [
        row("PROSTATE8.STAGE.IIB", "IIB", t12, "N0", "M0", Condition(psa, "<", 20), Condition(gg, "==", 2)),
        row("PROSTATE8.STAGE.IIC", "IIC", t12, "N0", "M0", Condition(psa, "<", 20), Condition(gg, "in", (3, 4))),
        row("PROSTATE8.STAGE.IIIA", "IIIA", t12, "N0", "M0", Condition(psa, ">=", 20), Condition(gg, "in", (1, 2, 3, 4))),
        row("PROSTATE8.STAGE.IIIB", "IIIB", t34, "N0", "M0", Condition(gg, "in", (1, 2, 3, 4))),
        row("PROSTATE8.STAGE.IIIC", "IIIC", all_t, "N0", "M0", Condition(gg, "==", 5)),
        row("PROSTATE8.STAGE.IVA", "IVA", all_t, "N1", "M0"),
        # "any T" with M1 includes TX and T0: M1 places the case in stage IV whatever T is (TNM8.RULE.STAGE_GROUPS)
        row("PROSTATE8.STAGE.IVB", "IVB", ("TX", "T0", *all_t), _N, _M1),
    ]
    return tuple(rows)


_CLIN_T12 = ("T1a", "T1b", "T1c", "T2a", "T2b", "T2c")
PROSTATE8_CLINICAL = StageTable(
    "AJCC8-prostate", "AJCC 8th edition (clinical)", _CT, _N, _M,
    _rows(("T1a", "T1b", "T1c", "T2a"), _CLIN_T12, ("T3a", "T3b", "T4"), _CLIN_T12 + ("T3a", "T3b", "T4"),
          ("T2b", "T2c")), ("psa", "grade_group"))
PROSTATE8_PATHOLOGICAL = StageTable(
    "AJCC8-prostate", "AJCC 8th edition (pathological)", _PT, _N, _M,
    _rows(("T2",), ("T2",), ("T3", "T3a", "T3b", "T4"), ("T2", "T3", "T3a", "T3b", "T4"), ()), ("psa", "grade_group"))

_GLEASON = re.compile(r"gleason[^.;\n\d]{0,40}?(?P<a>[1-5])\s*\+\s*(?P<b>[1-5])(?:\s*=\s*(?P<s>\d{1,2}))?|"
                      r"(?P<a2>[1-5])\s*\+\s*(?P<b2>[1-5])\s*=\s*(?P<s2>\d{1,2})", re.I)
_GLEASON_SUM = re.compile(r"gleason\s+(?:score|sum|grade)?\s*[:=]?\s*(?P<s>\d{1,2})(?!\s*\+|\d)", re.I)
_GG = re.compile(r"(?:grade\s+group|\bGG|ISUP\s+grade(?:\s+group)?|WHO\s+grade\s+group)\s*[:=]?\s*(?P<g>[1-5])\b", re.I)
_PSA = re.compile(r"\bPSA\b(?!\s+density)[^0-9;\n]{0,30}?(?P<v>\d+(?:\.\d+)?)", re.I)
_EPE = re.compile(r"extra-?prostatic\s+(?:extension|invasion)|extends?\s+(?:beyond|outside)\s+the\s+prostat\w*|"
                  r"extracapsular\s+extension|periprostatic\s+(?:fat|adipose)\s+(?:invasion|involvement)|"
                  r"invades?\s+(?:into\s+)?(?:the\s+)?periprostatic|前列腺外(?:侵犯|扩散|浸润)|包膜外(?:侵犯|扩散)|突破(?:前列腺)?包膜", re.I)
_SV = re.compile(r"seminal\s+vesicles?\s*(?:invasion|involvement|invaded|involved|:\s*(?:involved|invaded|positive|present))|"
                 r"(?:invad\w*|involv\w*|extends?\s+into)\s+(?:the\s+)?(?:left\s+|right\s+|bilateral\s+)?seminal\s+vesicles?|"
                 r"精囊(?:腺)?(?:受侵|侵犯|受累)|(?:侵犯|侵及|累及)(?:双侧|左侧|右侧)?精囊|"
                 # a seminal vesicle with only a hedge as its predicate ("seminal vesicle suspicious for invasion"):
                 # matched so that the context hedge can leave T open rather than fall back to T3a
                 r"seminal\s+vesicles?(?=[\s,(]+(?:is\s+|are\s+)?(?:suspicious|possibl|probabl|questionabl|"
                 r"equivocal|indeterminate|likely))", re.I)
_T4 = re.compile(r"(?:invad\w*|involv\w*|extends?\s+into)\s+(?:the\s+)?(?:rectum|rectal\s+wall|external\s+sphincter|"
                 r"levator|pelvic\s+(?:side\s+)?wall|bladder(?!\s+neck))", re.I)
_FORM_BLANK = re.compile(r"blank\s+field|not\s+(?:assessed|assessable|evaluable|applicable|evaluated|determined|"
                         r"specified|sampled|submitted|received)|unknown|cannot\s+be\s+(?:assessed|determined|evaluated)",
                         re.I)
_CONFINED = re.compile(r"(?:organ|prostate)[\s-]confined|confined\s+to\s+the\s+prostate|局限于前列腺", re.I)
_NONPALPABLE = re.compile(r"non-?palpable|not\s+palpable|impalpable", re.I)
_ORGANS = re.compile(r"(?P<bone>bones?|osseous|skelet\w*|vertebra\w*|骨)|(?P<distant_nodes>(?:para-?aortic|retroperitoneal|"
                     r"distant|non-?regional|supraclavicular|mediastinal)\s+(?:lymph\s+)?nodes?|(?:腹主动脉旁|腹膜后|锁骨上|纵隔)淋巴结)|"
                     r"(?P<other>liver|hepatic|lungs?|pulmonary|brain|adrenal|肝|肺|脑|肾上腺)", re.I)
_NODES_NONE = re.compile(r"(?:pelvic\s+)?(?:lymph\s+)?nodes?\s*[:=]?\s*(?:all\s+)?(?:negative|benign|uninvolved)|"
                         r"no\s+(?:lymph\s+node|nodal)\s+metasta\w*", re.I)


def grade_group(primary: int, secondary: int) -> int:
    """Gleason pattern pair → Grade Group: 3+3 → 1, 3+4 → 2, 4+3 → 3, 8 → 4, 9-10 → 5."""
    total = primary + secondary
    if total <= 6:
        return 1
    if total == 7:
        return 2 if primary <= 3 else 3
    return 4 if total == 8 else 5


def extract(text: str) -> Descriptors:
    """Prostate descriptors: EPE, seminal vesicles, T4 structures, Gleason/GG, PSA, nodes, M."""
    d: Descriptors = {}
    for name, pattern in (("t4", _T4), ("sv", _SV), ("epe", _EPE), ("confined", _CONFINED),
                          ("nonpalpable", _NONPALPABLE)):
        # a synoptic label denied after it ("Seminal vesicle invasion. Not identified.") is no finding
        hit = next((h for h in find(text, pattern) if not denied(text, h)), None)
        if hit:
            d[name] = Fact(True, (evidence(name, True, hit.start, hit.end, text),))
    if "sv" not in d and "t4" not in d:
        # seminal vesicle invasion stated only hedged ("cannot be excluded", "精囊侵犯，不除外"): T3b is not
        # asserted and T3a would be a guess, so T stays open with a question (issue 10: never guess)
        # a blank or "not sampled" form field is not a hedge: the usual pT3a reading stands there
        hedged = next((h for h in find(text, _SV) if h.context.uncertain and not h.context.denied
                       and not h.context.historical
                       and any(c.kind == "uncertain" and not _FORM_BLANK.search(c.text) for c in h.context.cues)), None)
        if hedged is not None:
            stop = re.search(r"[.;\n。；]", text[hedged.end:hedged.end + 60])
            quote = " ".join(text[hedged.start:hedged.end + (stop.start() if stop else 0)].split())
            d[UNCLEAR_T] = Fact(quote, (evidence(UNCLEAR_T, "T3b", hedged.start, hedged.end, text),))
    gg = _GG.search(text)
    if gg:
        d["grade_group"] = Fact(int(gg.group("g")), (evidence("grade_group", gg.group("g"), gg.start(), gg.end(), text),))
    else:
        gl = _GLEASON.search(text)
        if gl:
            a, b = int(gl.group("a") or gl.group("a2")), int(gl.group("b") or gl.group("b2"))
            d["grade_group"] = Fact(grade_group(a, b), (evidence("gleason", f"{a}+{b}", gl.start(), gl.end(), text),))
        elif (gs := _GLEASON_SUM.search(text)) and 6 <= int(gs.group("s")) <= 10 and int(gs.group("s")) != 7:
            s = int(gs.group("s"))
            d["grade_group"] = Fact(1 if s == 6 else 4 if s == 8 else 5, (evidence("gleason", s, gs.start(), gs.end(), text),))
    psa = _PSA.search(text)
    if psa and float(psa.group("v")) < 10000:
        d["psa"] = Fact(float(psa.group("v")), (evidence("psa", psa.group("v"), psa.start("v"), psa.end("v"), text),))
    counts = node_counts(text)
    if counts:
        pos = sum(c.positive for c in counts)
        c = counts[0]
        d["nodes_positive"] = Fact(pos, (evidence("N.count", f"{c.positive}/{c.total}", c.start, c.end, text),))
    elif (none := next(find(text, _NODES_NONE, negation=False), None) or n0_statement(text)) is not None:
        d["nodes_positive"] = Fact(0, (evidence("N.none", 0, none.start, none.end, text),))
    d.update(distant_facts(text, _ORGANS))
    return d


def derive(d: Descriptors, ctx: Context) -> Derived:
    """T from extent (pathological: pT2/pT3a/pT3b/pT4), N from nodes, M by the most advanced site."""
    found: dict[str, Assignment] = {}
    rules: list[str] = []
    for key, label in (("t4", "T4"), ("sv", "T3b"), ("epe", "T3a")):
        if key in d:
            found["T"] = Assignment(label, definition_id("T", label, ctx.prefix), d[key].evidence)
            break
    else:
        if "confined" in d and not ctx.clinical:
            found["T"] = Assignment("T2", definition_id("T", "T2", ctx.prefix), d["confined"].evidence)
        elif "nonpalpable" in d and not ctx.pathological:
            found["T"] = Assignment("T1c", definition_id("T", "T1c", ctx.prefix), d["nonpalpable"].evidence)
    if "nodes_positive" in d:
        n = "N1" if d["nodes_positive"].value else "N0"
        found["N"] = Assignment(n, f"PROSTATE8.N.{n}", d["nodes_positive"].evidence)
    if "distant" in d:
        sites = d["distant"].value
        m = "M1c" if "other" in sites else "M1b" if "bone" in sites else "M1a"
        found["M"] = Assignment(m, f"PROSTATE8.M.{m}", d["distant"].evidence)
    elif "m0_stated" in d:
        found["M"] = Assignment("M0", "PROSTATE8.M.M0", d["m0_stated"].evidence)
    extras: dict[str, Fact] = {k: d[k] for k in ("psa", "grade_group") if k in d}
    if "grade_group" in extras:
        rules.append(f"PROSTATE8.GRADE.GG{extras['grade_group'].value}")
    if "psa" in extras:
        rules.append("PROSTATE8.PSA")
    return Derived(found, extras, tuple(rules))


def _annotate(result: Mapping[str, Any], extras: Mapping[str, Any]) -> Annotation:
    out: dict[str, Any] = {}
    if extras.get("grade_group") is not None:
        out["grade_group"] = int(extras["grade_group"])
    if extras.get("psa") is not None:
        out["psa"] = extras["psa"]
    return Annotation(out)


PROSTATE8 = SiteSpec(
    system="AJCC8-prostate", edition="AJCC 8th edition", rule_prefix="PROSTATE8",
    aliases=("prostate", "AJCC8 prostate", "TNM8-prostate", "UICC8-prostate", "prostate8", "prostate cancer"),
    tables={"c": PROSTATE8_CLINICAL, "p": PROSTATE8_PATHOLOGICAL}, extract=extract, derive=derive,
    needs={"T": "T: clinical extent (cT1a-cT4) or pathological extent (pT2-pT4)",
           "N": "N: regional (pelvic) lymph node status",
           "M": "M: distant metastasis status (M0 if none)",
           "psa": "PSA (ng/mL)", "grade_group": "Grade Group (1-5) or Gleason score"},
    extra_keys=("psa", "grade_group"), annotate=_annotate,
    missing_extra_rule="PROSTATE8.RULE.MISSING_PSA_OR_GRADE",
    definition=definition_id,
    label_notes={"T2a": "pT2 has no subcategories in AJCC 8th", "T2b": "pT2 has no subcategories in AJCC 8th",
                 "T2c": "pT2 has no subcategories in AJCC 8th", "T1c": "there is no pathological T1",
                 "T1a": "there is no pathological T1", "T1b": "there is no pathological T1", "T1": "there is no pathological T1",
                 "T3c": "prostate T3 has T3a and T3b", "T4a": "prostate T4 has no subcategories"},
)
