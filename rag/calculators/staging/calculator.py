"""The one TNM calculator: any :class:`SiteSpec` becomes a registry Calculator.

Flow for every input: read stated categories (a TNM string or statements in the report), read
the site's descriptors, derive categories from them, reconcile the two, group with the table
(trying every possibility for what is unknown) and cite every rule used.

Reconciling (the report audit): a category stated in a report is the pathologist's or
clinician's call, so ``result`` reports the stated category; when the report's own descriptors
imply another under this edition we add a :class:`Discrepancy` with both spans and the rule. A
less specific statement ("pT2") is refined by consistent descriptors ("3.5 cm" → T2a).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from rag.calculators.context import assess
from rag.calculators.staging.context_rules import context_rule_ids
from rag.calculators.staging.extract import UNCLEAR_T, Descriptors, Fact, distant_m, evidence, unasserted, with_context
from rag.calculators.staging.group import StageOutcome, resolve_stage
from rag.calculators.staging.site import Context, Derived, SiteSpec
from rag.calculators.staging.table import Assignment, StageTable
from rag.calculators.staging.tnm_string import TnmGrammar, TnmPart, parse_tnm, scan_tnm
from rag.errors import InvalidInput
from rag.types import CalcResult, Discrepancy, Evidence

__all__ = ["TnmCalculator", "render_findings"]

_MAX_TEXT = 200_000
_PREFIXES = ("c", "p", "yc", "yp", "r", "rc", "rp", "a", "y")
_GENERAL_KEYS = ("psa", "grade_group", "grade", "histology", "location", "age", "prefix")
# A findings key that names an axis: "T", "N", "M", "clinical_T", "pN", "pathological N category", ...
_TNM_KEY = re.compile(r"(?i)^(?:(?P<pre>clinical|clin|pathological|pathologic|path|post[_-]?neoadjuvant|yp|yc|c|p)"
                      r"[_\s-]?)?(?P<axis>[TNM])(?:[_\s-]?(?:category|stage|classification|status))?$")
_KEY_PREFIX = {"clinical": "c", "clin": "c", "c": "c", "pathological": "p", "pathologic": "p", "path": "p", "p": "p",
               "postneoadjuvant": "yp", "yp": "yp", "yc": "yc"}
_STAGE = re.compile(r"(?i:\bstage\b)\s*(?i:group)?\s*[:=]?\s*(?P<g>0|IV[ABC]?|I{1,3}[ABC]?[1-3]?)(?![A-Za-z0-9])")
_CLINICAL = re.compile(r"(?i)\b(?:staging|stage|classification)\s*[:=]?\s*clinical\b|\bclinical(?:ly)?\s+stag")
_PATHOLOGICAL = re.compile(
    r"(?i)\bpatholog(?:ic|ical)\s+stag|\bstaging\s*[:=]?\s*patholog|\b(?:resection|excision|lobectomy|"
    r"pneumonectomy|segmentectomy|mastectomy|lumpectomy|colectomy|hemicolectomy|prostatectomy|"
    r"gastrectomy|oesophagectomy|esophagectomy|whipple|hepatectomy|nephrectomy|cystectomy|"
    r"hysterectomy|thyroidectomy|specimen)\b"
)


def render_findings(findings: Mapping[str, Any]) -> str:
    """Structured findings as "key: value." text (the form site readers understand)."""
    parts = []
    for key, value in findings.items():
        unit = " mm" if key.endswith("_mm") else " cm" if key.endswith("_cm") else ""
        name = re.sub(r"_(mm|cm)$", "", str(key)).replace("_", " ")
        if isinstance(value, bool):
            value = "yes" if value else "no"
        if isinstance(value, list):
            value = "; ".join(render_findings(v) if isinstance(v, Mapping) else str(v) for v in value)
        elif isinstance(value, Mapping):
            value = render_findings(value)
        parts.append(f"{name}: {value}{unit}")
    return ". ".join(parts) + ("." if parts else "")


def _part_evidence(part: TnmPart, text: str) -> Evidence:
    return evidence(f"{part.axis}.stated", part.label, part.start, part.end, text)


def _t_left_open(derived: Derived, unclear: Fact) -> Derived:
    """The report names a deeper structure only as an alternative ("into the X or Y") or hedged: T is not derived
    (neither the shallower level nor size alone); ``missing`` quotes the words and asks which is invaded."""
    level = unclear.evidence[0].value if unclear.evidence else "a deeper category"
    ask = (f'T: the report is not definite about the extent ("{unclear.value}"); state the deepest structure '
           f"the tumour invades (at issue: {level}).")
    assignments = {axis: a for axis, a in derived.assignments.items() if axis != "T"}
    return replace(derived, assignments=assignments, missing=(*derived.missing, ask))


# An asserted metastatic lymph node anywhere in the report: "B. Lymph node, level 10: metastatic carcinoma",
# "metastatic adenocarcinoma in one lymph node", "淋巴结见癌转移". The positive word is what must be asserted.
_POSITIVE_NODE = re.compile(
    r"(?:lymph\s+nodes?|\bnodes?\b)[^.;\n]{0,50}?(?P<w>metastatic\s+(?:\w+\s+)?(?:carcinoma|adenocarcinoma|tumou?r|"
    r"disease|melanoma)|positive\s+for\s+(?:metasta\w*|carcinoma|malignan\w*|tumou?r)|involved\s+by\s+"
    r"(?:metastatic\s+)?(?:\w+\s+)?(?:carcinoma|tumou?r))|"
    r"(?P<w2>metastatic\s+(?:\w+\s+){0,2}(?:carcinoma|adenocarcinoma|tumou?r))\s+(?:in|to|involving)\s+(?:an?|one|two|three|"
    r"\d+|several|multiple)\s+(?:\w+\s+){0,3}?(?:lymph\s+)?nodes?|"
    r"淋巴结[^。；，\d]{0,12}?(?<![未无没])(?P<w3>(?:见|有)(?:癌)?转移)", re.I)
_ZERO_COUNT = re.compile(r"(?<![\d/])0\s*(?:/|of|out\s+of)\s*\d|\bnone\b|\bno\b|\(0/|0枚", re.I)


def _n0_checked(derived: Derived, text: str) -> Derived:
    """N0 needs every stated node group to be negative: a negative specimen ("A. Lymph nodes: 0/3") beside a
    metastatic one ("B. Lymph node: metastatic carcinoma") is not N0. The count of the positive group may
    be unreadable, so N is left open with a question rather than guessed (issue 10: never wrong)."""
    n = derived.assignments.get("N")
    if n is None or not n.category.startswith("N0"):
        return derived
    for m in _POSITIVE_NODE.finditer(text):
        word = next(g for g in ("w", "w2", "w3") if m.group(g))
        if _ZERO_COUNT.search(text, m.start(), min(len(text), m.end() + 12)) or not assess(text, m.start(word), m.end(word)).asserted:
            continue
        quote = " ".join(m.group().split())
        ask = (f'N: the report names a metastatic lymph node ("{quote}") beside negative ones; state the number '
               "of positive regional lymph nodes across all specimens.")
        assignments = {axis: a for axis, a in derived.assignments.items() if axis != "N"}
        return replace(derived, assignments=assignments, missing=(*derived.missing, ask))
    return derived


# "pT2 (at least)", "at least pT2", "pT2 or higher": a minimum, not a category. A TURBT or a biopsy
# cannot show the deeper structures, so the pathologist states a floor; reading it as the category
# would turn "not assessable beyond T2" into a verified T2.
_BOUND_AFTER = re.compile(r"[\s,)\]]*[(\[]?\s*(?:at\s+least|at\s+(?:a\s+)?minimum|or\s+(?:higher|greater|more|deeper|above)|"
                          r"minimum)\b", re.I)
_BOUND_BEFORE = re.compile(r"(?:\bat\s+least|\bat\s+(?:a\s+)?minimum|\bminimum(?:\s+of)?|至少)\s*[:(]?\s*$", re.I)


def lower_bound(text: str, part: TnmPart) -> bool:
    """Whether the report states ``part`` only as a minimum ("pT2 (at least)")."""
    return bool(_BOUND_AFTER.match(text, part.end) or _BOUND_BEFORE.search(text[max(0, part.start - 25):part.start]))


def _choose_stated(text: str, bounds: dict[str, TnmPart] | None = None) -> dict[str, TnmPart]:
    """The T, N and M a report states: prefer full "pT2 N0 MX" statements and p prefixes,
    penalise template definitions ("pT2: Tumor with ..."), then the most frequent label.
    A category stated only as a minimum is not a statement of the category; it goes to ``bounds``."""
    scored: dict[str, list[tuple[int, TnmPart]]] = {"T": [], "N": [], "M": []}
    for group in scan_tnm(text):
        for part in group:
            if lower_bound(text, part):
                if bounds is not None:
                    bounds.setdefault(part.axis, part)
                continue
            score = 2 * (len(group) > 1) + (part.prefix in ("p", "yp"))
            if re.match(r"\s*:\s*[A-Za-z]", text[part.end:part.end + 4]):
                score -= 3
            state = assess(text, part.start, part.end)
            if state.uncertain or state.historical:
                # "would be staged as T3 N0 if ...", "previous resection pT4", "pT2 cannot be excluded":
                # not this report's call, so not a statement at all (a fallback here read hypotheses as fact)
                continue
            if state.denied:
                score -= 4  # a label caught in a negation's scope ("but not the. margin (T2, N0)"): last resort
            scored[part.axis].append((score, part))
    chosen = {}
    for axis, items in scored.items():
        if not items:
            continue
        best = max(s for s, _ in items)
        top = [p for s, p in items if s == best]
        counts: dict[str, int] = {}
        for p in top:
            counts[p.label] = counts.get(p.label, 0) + 1
        label = max(counts, key=lambda lab: (counts[lab], -[p.label for p in top].index(lab)))
        chosen[axis] = next(p for p in top if p.label == label)
    return chosen


class TnmCalculator:
    """A Calculator (rag.calculators.registry) for one site and edition, optionally showing another edition."""

    def __init__(self, spec: SiteSpec, companion: SiteSpec | None = None) -> None:
        self.spec = spec
        self.companion = companion
        self.system = spec.system
        self.edition = spec.edition
        self.aliases = spec.aliases
        # The labels this site's own tables accept: named in the hint when a TNM string cannot be read.
        self.grammar = TnmGrammar.of({"T": t.t_categories, "N": t.n_categories, "M": t.m_categories}
                                     for t in spec.tables.values())

    # --- entry points ---------------------------------------------------------------------------
    def from_text(self, text: str) -> CalcResult:
        """Stage a report excerpt or a findings list written as prose."""
        if not isinstance(text, str) or not text.strip():
            raise InvalidInput("empty text", hint="give a report excerpt or findings, e.g. '3.5 cm tumour, 0/12 nodes'")
        if len(text) > _MAX_TEXT:
            raise InvalidInput(f"text of {len(text)} characters is too long",
                               hint=f"give at most {_MAX_TEXT} characters (one report)")
        bounds: dict[str, TnmPart] = {}
        stated = _choose_stated(text, bounds)
        return self._compute(text, stated, {}, "", strict=False, bounds=bounds)

    def from_findings(self, findings: Mapping[str, Any], tnm: str | None = None) -> CalcResult:
        """Stage structured findings (CONTRACT.md keys plus site descriptors) and/or a TNM string."""
        if not isinstance(findings, Mapping):
            raise InvalidInput("findings must be a JSON object", hint='e.g. {"psa": 6.2, "grade_group": 1}')
        extras = self._extras(findings)
        prefix = str(findings.get("prefix", "") or "").lower()
        if prefix and prefix not in _PREFIXES:
            raise InvalidInput(f"unknown prefix {prefix!r}", hint=f"use one of: {', '.join(_PREFIXES)}")
        labels, used = self._stated_findings(findings)
        # the rest of a category's value ("T2 (3.5 cm)") still goes to the reader, which may refine T2 to T2a
        text = render_findings({k: (used[k] if k in used else v) for k, v in findings.items()
                                if k not in _GENERAL_KEYS and (k not in used or used[k])})
        tnm = " ".join(x for x in (tnm or "", *labels) if x.strip())
        stated: dict[str, TnmPart] = {}
        if tnm:
            stated = {p.axis: p for p in parse_tnm(tnm, accepted=self.grammar)}
        if not text and not stated and not extras:
            raise InvalidInput("no findings and no TNM string", hint='give --tnm "T2a N1 M0" and/or findings')
        return self._compute(text, stated, extras, prefix, strict=bool(tnm), tnm=tnm)

    def _stated_findings(self, findings: Mapping[str, Any]) -> tuple[list[str], dict[str, str]]:
        """T, N and M given as findings ("N": "N0", "clinical_T": "cT1c (on biopsy)"), for the rules directly.

        Rendering them as prose for a site reader to re-read loses them (a reader looks for
        descriptors, not a "N: N0." sentence), so a key naming an axis whose value starts with a
        label of this system's tables becomes a stated category, like a ``--tnm`` part; a key's
        clinical/pathological word supplies the prefix the value lacks. Any other value ("N":
        "two positive nodes") stays a descriptor for the reader. Returns the labels and, per key
        used, what its value says besides the label.
        """
        labels: list[str] = []
        used: dict[str, str] = {}
        for key, value in findings.items():
            m = _TNM_KEY.match(str(key))
            if not m or not isinstance(value, str) or not value.strip():
                continue
            head = re.split(r"[\s,;]", value.strip(), maxsplit=1)[0]
            for candidate in dict.fromkeys((head, head.split("(")[0])):
                try:
                    parts = parse_tnm(candidate, accepted=self.grammar)
                except InvalidInput:
                    continue
                if len(parts) == 1 and parts[0].axis == m.group("axis").upper():
                    key_prefix = _KEY_PREFIX.get((m.group("pre") or "").lower().replace("_", "").replace("-", ""), "")
                    labels.append(candidate if parts[0].prefix or not key_prefix else key_prefix + candidate)
                    used[key] = value.strip()[len(candidate):].strip(" ,;")
                    break
        return labels, used

    def _extras(self, findings: Mapping[str, Any]) -> dict[str, Any]:
        extras: dict[str, Any] = {}
        for key in self.spec.extra_keys:
            if key not in findings or findings[key] is None:
                continue
            value = findings[key]
            if key == "psa":
                if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                    raise InvalidInput(f"psa must be a non-negative number (ng/mL), got {value!r}", hint='e.g. "psa": 6.2')
            elif key == "grade_group":
                if value not in (1, 2, 3, 4, 5) or isinstance(value, bool):
                    raise InvalidInput(f"grade_group must be 1-5, got {value!r}", hint='e.g. "grade_group": 2')
            extras[key] = value
        return extras

    # --- the shared pipeline --------------------------------------------------------------------
    def _label(self, part: TnmPart, table: StageTable, strict: bool, notes: list[str]) -> str | None:
        """A stated label valid in this edition (or its major category in lenient mode)."""
        valid = {"T": table.t_categories, "N": table.n_categories, "M": table.m_categories}[part.axis]
        for mod in part.modifiers:
            if mod in ("i+", "mol+") and f"{part.label}({mod})" in valid:
                return f"{part.label}({mod})"
        if part.label in valid:
            return part.label
        why = self.spec.label_notes.get(part.label, "")
        if strict:
            raise InvalidInput(
                f"{part.prefix}{part.label} is not a {part.axis} category in {self.spec.system} ({self.edition})"
                + (f": {why}" if why else ""),
                hint=f"valid {part.axis} categories: {', '.join(valid)}")
        major = re.match(r"[TNM](?:is|X|\d)", part.label)
        if major and major.group(0) in valid:
            notes.append(f"The report's {part.prefix}{part.label} is not an {self.edition} category"
                         f"{': ' + why if why else ''}; read as {major.group(0)}.")
            return major.group(0)
        notes.append(f"Ignored the report's {part.prefix}{part.label}: not a category in {self.edition}.")
        return None

    def _compute(self, text: str, stated: dict[str, TnmPart], extras: dict[str, Any], prefix: str,
                 *, strict: bool, tnm: str = "", descriptors: Descriptors | None = None,
                 bounds: Mapping[str, TnmPart] | None = None) -> CalcResult:
        spec = self.spec
        notes: list[str] = []
        rule_ids: list[str] = []
        ev: list[Evidence] = []
        discrepancies: list[Discrepancy] = []
        if not prefix:
            prefix = next((stated[a].prefix for a in "TNM" if a in stated and stated[a].prefix), "")
        if not prefix and text:
            if _CLINICAL.search(text):
                prefix = "c"
            elif _PATHOLOGICAL.search(text):
                prefix = "p"
        if descriptors is None:
            descriptors = spec.extract(text) if text else {}
        derived = spec.derive(descriptors, Context(prefix, extras, text))
        if UNCLEAR_T in descriptors:
            derived = _t_left_open(derived, descriptors[UNCLEAR_T])
        if text:
            derived = _n0_checked(derived, text)
        if text and "M" not in derived.assignments and set(spec.categories("M")) == {"M0", "M1"}:
            # sites without M subcategories: "no regional or distant spread" / "distant metastasis present"
            if (m := distant_m(text)) is not None:
                derived = replace(derived, assignments={**derived.assignments, "M": Assignment(
                    m[0], spec.definition_id("M", m[0], prefix), (m[1],))})
        for key, fact in derived.extras.items():
            if key not in extras:
                extras[key] = fact.value
                ev.extend(fact.evidence)
        table = spec.table_for(prefix, stated["T"].label if "T" in stated else None)
        stated_text = tnm if tnm else text
        labels: dict[str, str | None] = {}
        for axis in "TNM":
            labels[axis] = self._label(stated[axis], table, strict, notes) if axis in stated else None
        result: dict[str, Any] = {}
        for axis in "TNM":
            category = self._reconcile(axis, labels[axis], stated.get(axis), derived.assignments.get(axis),
                                       stated_text, prefix, ev, rule_ids, discrepancies)
            if category is not None and not (axis == "M" and category == "MX"):
                result[axis] = category
        rule_ids.extend(derived.rule_ids)
        notes.extend(derived.notes)
        asks = self._bounded(result, bounds or {}, text, ev, notes)
        if prefix:
            result["prefix"] = prefix
            rule_ids.append("TNM8.RULE.PREFIXES")
        mods = sorted({m for p in stated.values() for m in p.modifiers if m in ("m", "sn")})
        if mods:
            result["modifiers"] = mods
            if "m" in mods:
                rule_ids.append("TNM8.RULE.MULTIPLE_TUMOURS")
        outcome = resolve_stage(table, result.get("T"), result.get("N"), result.get("M"), extras)
        missing = self._stage(outcome, result, rule_ids, notes, (*asks, *derived.missing), extras)
        if "stage" in result:
            self._audit_stage(text if not tnm else "", result, outcome, discrepancies, ev)
        note = spec.annotate(result, extras)
        result.update(note.result)
        notes.extend(note.notes)
        rule_ids.extend(note.rule_ids)
        notes.extend(spec.text_notes(text))
        other = self._other_edition(text, stated, extras, prefix, descriptors, result, rule_ids, notes)
        if text and not tnm:
            # every span says how the text states it; hedged or historical findings left out are named
            ev = [with_context(e, text) for e in ev]
            for span, why in unasserted(text):
                ev.append(span)
                notes.append(why)
        rule_ids.extend(context_rule_ids(spec.system, result, rule_ids, extras, prefix))
        return CalcResult(
            system=spec.system, edition=spec.edition, result=result, missing=tuple(missing),
            rule_ids=tuple(dict.fromkeys(rule_ids)), evidence=tuple(dict.fromkeys(ev)),
            discrepancies=tuple(discrepancies), notes=tuple(dict.fromkeys(notes)), other_editions=other)

    def _bounded(self, result: dict[str, Any], bounds: Mapping[str, TnmPart], text: str,
                 ev: list[Evidence], notes: list[str]) -> list[str]:
        """Drop a category that only repeats a stated minimum ("pT2 (at least)"); ask instead.

        A deeper category read from the report's own findings is kept: it agrees with the minimum.
        """
        asks: list[str] = []
        for axis, part in bounds.items():
            got = result.get(axis)
            if got is not None and str(got)[:2] != part.label[:2]:
                continue
            result.pop(axis, None)
            ev[:] = [e for e in ev if not e.descriptor.startswith(f"{axis}.")]
            ev.append(evidence(f"{axis}.minimum", part.label, part.start, part.end, text))
            need = self.spec.needs.get(axis, axis)
            asks.append(f"{axis}: the report gives {part.prefix}{part.label} only as a minimum (\"at least\"); "
                        f"{need.split(': ', 1)[-1]} beyond it")
            notes.append(f"{part.prefix}{part.label} is stated as a minimum, so {axis} is left open.")
        return asks

    def _reconcile(self, axis: str, label: str | None, part: TnmPart | None, got: Assignment | None,
                   text: str, prefix: str, ev: list[Evidence], rule_ids: list[str],
                   discrepancies: list[Discrepancy]) -> str | None:
        """Stated versus derived category for one axis (see the module docstring)."""
        if got is not None and (label is None or label.endswith("X")):
            ev.extend(got.evidence)
            rule_ids.append(got.rule_id)
            return got.category
        if label is None:
            return None
        stated_ev = _part_evidence(part, text) if part is not None else None
        if stated_ev is not None:
            ev.append(stated_ev)
        if got is None or got.category == label or label.startswith(got.category):
            rule_ids.append(self.spec.definition_id(axis, label, prefix))
            return label
        if got.category.startswith(label):  # "pT2" stated, "3.5 cm" refines it to T2a
            ev.extend(got.evidence)
            rule_ids.append(got.rule_id)
            return got.category
        ev.extend(got.evidence)
        rule_ids.extend((self.spec.definition_id(axis, label, prefix), got.rule_id))
        discrepancies.append(Discrepancy(
            field=axis, stated=label, derived=got.category, stated_evidence=stated_ev,
            derived_evidence=got.evidence, rule_id=got.rule_id,
            message=(f"The report states {prefix}{label} but its own findings imply {got.category} under "
                     f"{self.edition}; the stated category is reported (the pathologist's call).")))
        return label

    def _stage(self, outcome: StageOutcome, result: dict[str, Any], rule_ids: list[str],
               notes: list[str], derived_missing: tuple[str, ...], extras: dict[str, Any]) -> list[str]:
        missing: list[str] = list(derived_missing)
        if outcome.stage is not None:
            result["stage"] = outcome.stage
            rule_ids.extend(r.rule_id for r in outcome.rows)
            absent = [k for k in self.spec.extra_keys if extras.get(k) is None]
            if absent and self.spec.missing_extra_rule:
                rule_ids.append(self.spec.missing_extra_rule)
                notes.append(f"Stage {outcome.stage} assigned without {' and '.join(absent)}: "
                             "it holds whatever the missing value would be.")
            elif outcome.used_enumerated_extras:
                unknown = " or ".join(outcome.used_enumerated_extras)
                notes.append(f"Stage {outcome.stage} is given without the {unknown}: every possible {unknown} "
                             f"gives stage {outcome.stage} for {' '.join(result.get(a, a + '?') for a in 'TNM')} "
                             f"(rules {', '.join(r.rule_id for r in outcome.rows)}).")
            return missing
        for axis in outcome.missing_axes:
            need = self.spec.needs.get(axis, axis)
            if need not in missing and not any(m.startswith(f"{axis}:") for m in missing):  # a reader's own ask is sharper
                missing.append(need)
        for key in outcome.missing_extras:
            need = self.spec.needs.get(key, key)
            if need not in missing:
                missing.append(need)
        if len(outcome.candidates) > 1:
            notes.append(f"Stage group not assigned: it could be {', '.join(outcome.candidates)}.")
        elif not outcome.missing_axes and not outcome.missing_extras and all(a in result for a in "TNM"):
            notes.append(f"No {self.edition} stage group for {result['T']} {result['N']} {result['M']}.")
        return missing

    def _audit_stage(self, text: str, result: dict[str, Any], outcome: StageOutcome,
                     discrepancies: list[Discrepancy], ev: list[Evidence]) -> None:
        for m in _STAGE.finditer(text):
            stated = m.group("g")
            if stated != result["stage"]:
                span = evidence("stage.stated", stated, m.start("g"), m.end("g"), text)
                ev.append(span)
                rule = outcome.rows[0].rule_id if outcome.rows else ""
                discrepancies.append(Discrepancy(
                    "stage", stated, result["stage"], span, (), rule,
                    f"The report states stage {stated}; {result.get('T')} {result.get('N')} "
                    f"{result.get('M')} groups as {result['stage']} under {self.edition} "
                    "(the report may use another edition)."))
            return

    def _other_edition(self, text: str, stated: dict[str, TnmPart], extras: dict[str, Any], prefix: str,
                       descriptors: Descriptors, result: dict[str, Any], rule_ids: list[str],
                       notes: list[str]) -> dict[str, dict[str, Any]]:
        if self.companion is None:
            return {}
        other = TnmCalculator(self.companion)
        try:
            same_reader = self.companion.extract is self.spec.extract
            res = other._compute(text, dict(stated), dict(extras), prefix, strict=False,
                                 descriptors=descriptors if same_reader else None)
        except InvalidInput:
            return {}
        keys = ("T", "N", "M", "stage")
        shown = {k: res.result[k] for k in keys if k in res.result}
        hinted = bool(self.spec.text_notes(text))
        if shown.get("stage") and (shown.get("stage") != result.get("stage") or hinted):
            rule_ids.extend(r for r in res.rule_ids if r.startswith(self.companion.rule_prefix))
            if shown.get("stage") != result.get("stage"):
                notes.append(f"{self.companion.edition}: stage {shown['stage']} "
                             f"({' '.join(shown.get(k, '?') for k in ('T', 'N', 'M'))}) differs from "
                             f"{result.get('stage', 'the unassigned group')} here.")
            return {self.companion.system: {"edition": self.companion.edition, **shown}}
        return {}
