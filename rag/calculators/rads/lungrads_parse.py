"""Lung-RADS inputs: the nodule and exam descriptions, read from report text or structured findings.

Text is cut into clause segments; a segment that brings a nodule type the current nodule already
has, a list marker ("(2)", "Nodule 2:") or a new lobe starts the next nodule, and every other
segment adds to the current one ("It is new.", "long axis: 7.0 mm."). Exam-level facts (baseline,
priors awaited, lymphadenopathy, scope) are read from the whole text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rag.calculators.rads import lungrads_vocab as V
from rag.calculators.rads.scan import (
    Hit,
    Size,
    Vocab,
    as_bool,
    as_number,
    clause_segments,
    evidence_for,
    find_sizes,
    findings_end,
    findings_evidence,
    list_markers,
    lookup,
)
from rag.calculators.rads.sizes import NUM, to_mm
from rag.calculators.rads.stated import current_statements
from rag.errors import InvalidInput
from rag.types import Evidence

__all__ = ["Exam", "Nodule", "exam_from_findings", "exam_from_text"]


@dataclass(frozen=True)
class Nodule:
    """One screening finding, as described (sizes in mm, not yet categorised)."""

    kind: str | None = None  # solid | part-solid | ground-glass | airway | cyst | calcified | fat
    long_mm: float | None = None
    short_mm: float | None = None
    mean_mm: float | None = None  # a stated mean diameter (used when axes are not given)
    solid_long_mm: float | None = None
    solid_short_mm: float | None = None
    solid_mean_mm: float | None = None
    prior_mean_mm: float | None = None
    status: str | None = None  # baseline | new | growing | slow-growing | stable | decreased
    juxtapleural: bool = False
    smooth: bool = False
    benign_shape: bool = False
    round_shape: bool = False
    airway_level: str | None = None
    persistent: bool = False
    cyst_wall: str | None = None
    multilocular: bool = False
    cyst_changes: tuple[str, ...] = ()
    spiculated: bool = False
    spiculation_suspected: bool = False  # "possible spiculation": never read as spiculated
    status_suspected: str | None = None  # "possibly new": the history the report only suspects
    irregular: bool = False
    doubling: bool = False
    prior_category: str | None = None
    proven_benign: bool = False
    location: str | None = None
    size_assumed_mean: bool = False  # a lone unlabelled size read as the mean diameter
    kind_suspected: str | None = None  # "possibly part-solid": never used as the type
    ambiguous_sizes: bool = False  # several bare sizes for one nodule: which is its size is not stated
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class Exam:
    """The exam-level facts Lung-RADS needs besides the nodules."""

    nodules: tuple[Nodule, ...] = ()
    baseline: bool = False
    follow_up: bool = False
    no_nodules: bool = False
    priors_awaited: bool = False
    incomplete: bool = False
    infection: bool = False
    lymphadenopathy: bool = False
    significant_other: bool = False
    diagnostic: bool = False
    known_cancer: bool = False
    stated_category: str | None = None
    old_edition: str | None = None
    evidence: tuple[Evidence, ...] = ()


@dataclass
class _Draft:
    """A nodule being assembled from consecutive segments."""

    values: dict[str, Any] = field(default_factory=dict)
    evidence: list[Evidence] = field(default_factory=list)

    def empty(self) -> bool:
        return not any(
            k in self.values for k in ("kind", "kind_suspected", "juxtapleural", "long_mm", "mean_mm", "short_mm", "solid_mean_mm")
        )

    def freeze(self) -> Nodule:
        values = dict(self.values)
        if values.get("kind") is None and values.get("juxtapleural") and "kind_suspected" not in values:
            values["kind"] = "solid"  # "perifissural nodule": a juxtapleural nodule is solid unless the report says otherwise
        if values.get("kind") == "subsolid":
            solid = any(k in values for k in ("solid_mean_mm", "solid_long_mm", "solid_short_mm"))
            values["kind"] = "part-solid" if solid else None
        values["cyst_changes"] = tuple(values.get("cyst_changes", ()))
        return Nodule(**values, evidence=tuple(self.evidence))


_FROM_TO = re.compile(rf"(?:\bfrom|由|从)\s*({NUM})\s*(?:to|至|到|增大至|增大到|增至|增长至)\s*$", re.I)
_NOT_A_SIZE = re.compile(r"\s*(?:from(?!\s*\d)|away|apart|below|above|beneath|deep to|slices?|sections?|collimation|thick(?:ness)?)\b|\s*层厚", re.I)
_SLICE = re.compile(r"(?:slice|section|reconstruct\w*|collimation)s?(?: thickness)?(?: of| at)?\s*$|层厚\s*$", re.I)
_PLURAL = re.compile(r"\b(?:two|three|four|several|multiple|\d)\s+(?:\w+\s+){0,2}?nodules\b|两个|三个|[2-9]个|多发|数个", re.I)
_JOIN = re.compile(r",\s*(?:and\s+)?(?=(?:an?|another|one|the)\b|\d)|\s+and\s+(?=(?:an?|another|one|the)\b|\d)|，", re.I)


def _positive(hits: list[Hit]) -> list[Hit]:
    return [h for h in hits if not h.negated]


class _TextReader:
    """Reads one report; kept as a small object so the text and its offsets travel together."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.exam_evidence: list[Evidence] = []

    def flag(self, vocab: Vocab, descriptor: str) -> bool:
        hits = _positive(vocab.find(self.text))
        if hits:
            h = hits[0]
            self.exam_evidence.append(evidence_for(descriptor, h.value, self.text, h.start, h.end))
        return bool(hits)

    def diagnostic(self) -> bool:
        if _positive(V.SCREENING.find(self.text)):
            return False
        for h in _positive(V.DIAGNOSTIC.find(self.text)):
            prefix = self.text[max(0, h.start - 40) : h.start]
            if not V.RECOMMEND.search(prefix):
                self.exam_evidence.append(evidence_for("lungrads.exam.diagnostic", h.value, self.text, h.start, h.end))
                return True
        return False

    def nodules(self) -> list[Nodule]:
        cut = findings_end(self.text)
        found = self._nodules_before(cut)
        return found if found or cut == len(self.text) else self._nodules_before(len(self.text))

    def _nodules_before(self, cut: int) -> list[Nodule]:
        drafts: list[_Draft] = [_Draft()]
        markers = set(list_markers(self.text))
        for s, e in clause_segments(self.text):
            if s >= cut:
                break
            for a, b in self._split_types(s, min(e, cut)):
                self._segment(drafts, a, b, a in markers)
        return [d.freeze() for d in drafts if not d.empty()]

    def _split_types(self, s: int, e: int) -> list[tuple[int, int]]:
        """Cut a sentence that names several nodules ("a 5 mm solid nodule ... and a 7 mm solid nodule")."""
        types = [h for h in _positive(V.TYPE.find(self.text, s, e)) if h.value != "nonbenign-calcification"]
        cuts = [s]
        for prev, h in zip(types, types[1:], strict=False):
            joins = list(_JOIN.finditer(self.text, prev.end, h.start))
            if joins:
                cuts.append(joins[-1].start())
        return [(a, b) for a, b in zip(cuts, [*cuts[1:], e], strict=True) if b > a]

    def _segment(self, drafts: list[_Draft], s: int, e: int, marked: bool) -> None:
        text = self.text
        types = [h for h in _positive(V.TYPE.find(text, s, e)) if h.value != "nonbenign-calcification"]
        nouns = [m for m in V.NODULE_NOUN.finditer(text, s, e)]
        if V.RESOLVED.search(text, s, e):
            return  # a nodule that has resolved is history, not a finding of this exam
        if not types and not nouns and not marked:
            if V.OTHER_STRUCTURE.search(text, s, e):
                return
            cur = drafts[-1]
            if not cur.empty():  # follow-on sentence ("It is new.", "long axis: 7.0 mm."): same nodule
                if self._sizes(cur, len(drafts) - 1, s, e):
                    cur.values["ambiguous_sizes"] = True
                self._describe(cur, len(drafts) - 1, s, e, types=[])
            return
        locs = _positive(V.LOCATION.find(text, s, e))
        cur = drafts[-1]
        new_loc = bool(locs) and "location" in cur.values and locs[0].value != cur.values["location"]
        if not cur.empty() and (marked or (types and "kind" in cur.values) or (new_loc and (types or nouns))):
            drafts.append(_Draft())
            cur = drafts[-1]
        idx = len(drafts) - 1
        if locs and "location" not in cur.values:
            cur.values["location"] = locs[0].value
        if types and "kind" not in cur.values:
            # Benign calcification or fat decides over the attenuation word: "10 mm solid nodule with fat
            # attenuation, consistent with hamartoma" is category 1 (LR22.CALCIFIED.1), not a solid-row nodule.
            t = next((h for h in types if h.value in ("calcified", "fat") and not h.hedged), types[0])
            if t.hedged and t.value not in ("calcified", "fat"):
                # "possibly part-solid": the type decides the size rows; leave it to the report to state
                cur.values["kind_suspected"] = t.value
                cur.evidence.append(evidence_for(f"lungrads.nodule[{idx}].type_suspected", t.value, text, t.start, t.end))
            else:
                cur.values["kind"] = t.value
                cur.evidence.append(evidence_for(f"lungrads.nodule[{idx}].type", t.value, text, t.start, t.end))
        extras = self._sizes(cur, idx, s, e)
        self._describe(cur, idx, s, e, types)
        if extras and _PLURAL.search(text, s, e):
            for size in extras:  # "two solid nodules: 5 mm (RUL) and 8 mm (LLL)"
                twin = _Draft({k: v for k, v in cur.values.items() if k in ("kind", "status")})
                twin.values.update(mean_mm=size.values_mm[0], size_assumed_mean=True)
                twin.evidence.append(evidence_for(f"lungrads.nodule[{len(drafts)}].mean_mm", size.values_mm[0], text, size.start, size.end))
                drafts.append(twin)
        elif extras:
            cur.values["ambiguous_sizes"] = True

    def _sizes(self, cur: _Draft, idx: int, s: int, e: int) -> list[Size]:
        """Read sizes into ``cur``; return further bare sizes that cannot be this nodule's ("5 mm ... and 8 mm")."""
        text = self.text
        bound = s
        extras: list[Size] = []
        for size in find_sizes(text, s, e):
            prefix = text[bound : size.start]
            for sep in (",", "，", ";"):
                prefix = prefix.rsplit(sep, 1)[-1]
            for sep in (":", "："):  # "prior screening: new 5 mm" ends the label; "solid component: 8 mm" is the label
                head, _, tail = prefix.rpartition(sep)
                prefix = tail if head and tail.strip() else prefix
            bound = size.end
            labels = {k for k, rx in V.SIZE_PREFIX.items() if rx.search(prefix)}
            change = _FROM_TO.search(prefix)
            if change and size.range_mm is None and len(size.values_mm) == 1:
                # "grown from 5 to 8 mm", "由5增大至8mm": the earlier number (in this size's unit) is the prior
                # size and this one is the current size, although "from" stands before it.
                labels.discard("prior")
                prior = to_mm(float(change.group(1)), size.unit)
                if "prior_mean_mm" not in cur.values:
                    cur.values["prior_mean_mm"] = prior
                    cur.evidence.append(evidence_for(f"lungrads.nodule[{idx}].prior_mean_mm", prior, text,
                                                     size.start - len(prefix) + change.start(1), size.start - len(prefix) + change.end(1)))
            m = V.SIZE_SUFFIX.match(text, size.end)
            if m:
                labels |= {k for k, v in m.groupdict().items() if v}
            part = "solid" if "solid" in labels else "prior" if "prior" in labels else "total"
            vals = size.values_mm
            if _NOT_A_SIZE.match(text, size.end) or _SLICE.search(prefix):
                continue  # "2 mm from the pleura", "1.25 mm slices": a distance or a technique, not the nodule
            if part == "total" and not labels and len(vals) == 1 and any(k in cur.values for k in ("mean_mm", "long_mm")):
                extras.append(size)  # a second bare size: another nodule, or an ambiguity — never this one's mean
                continue
            if part == "prior":
                fields = {"prior_mean_mm": sum(vals[:2]) / len(vals[:2])}
            elif len(vals) >= 2:
                a, b = sorted(vals[:2], reverse=True)
                fields = {"solid_long_mm": a, "solid_short_mm": b} if part == "solid" else {"long_mm": a, "short_mm": b}
            else:
                axis = "long" if "long" in labels else "short" if "short" in labels else "mean"
                prefix_name = "solid_" if part == "solid" else ""
                fields = {f"{prefix_name}{axis}_mm": vals[0]}
                if not labels and part == "total" and "mean_mm" not in cur.values:
                    cur.values["size_assumed_mean"] = True
            for name, value in fields.items():
                if name not in cur.values:
                    cur.values[name] = value
                    cur.evidence.append(
                        evidence_for(f"lungrads.nodule[{idx}].{name}", value, text, size.start, size.end)
                    )
        return extras

    def _describe(self, cur: _Draft, idx: int, s: int, e: int, types: list[Hit]) -> None:
        text = self.text

        def first(vocab: Vocab, name: str) -> Hit | None:
            hits = _positive(vocab.find(text, s, e))
            if hits and name not in cur.values:
                cur.evidence.append(
                    evidence_for(f"lungrads.nodule[{idx}].{name}", hits[0].value, text, hits[0].start, hits[0].end)
                )
                return hits[0]
            return None

        if (h := first(V.STATUS, "status")) and h.hedged:
            cur.values["status_suspected"] = h.value  # "possibly new": baseline and new rows may differ; never pick one
        elif h and not (h.value == "baseline" and cur.values.get("status")):
            cur.values["status"] = h.value
        if (h := first(V.SPICULATION, "spiculated")) is not None:
            cur.values["spiculation_suspected" if h.hedged else "spiculated"] = True
        for vocab, name in (
            (V.IRREGULAR, "irregular"),
            (V.JUXTAPLEURAL, "juxtapleural"),
            (V.SMOOTH, "smooth"),
            (V.PERSISTENT, "persistent"),
            (V.MULTILOCULAR, "multilocular"),
            (V.DOUBLING, "doubling"),
            (V.PROVEN_BENIGN, "proven_benign"),
        ):
            if first(vocab, name):
                cur.values[name] = True
        if h := first(V.SHAPE, "shape"):
            cur.values["benign_shape" if h.value == "benign-shape" else "round_shape"] = True
        if h := first(V.AIRWAY_LEVEL, "airway_level"):
            cur.values["airway_level"] = h.value
        if h := first(V.CYST_WALL, "cyst_wall"):
            cur.values["cyst_wall"] = h.value
        for h in _positive(V.CYST_CHANGE.find(text, s, e)):
            changes = cur.values.setdefault("cyst_changes", [])
            if h.value not in changes:
                changes.append(h.value)
                cur.evidence.append(evidence_for(f"lungrads.nodule[{idx}].cyst_change", h.value, text, h.start, h.end))
        m = V.PRIOR_CATEGORY.search(text, s, e)
        if m and "prior_category" not in cur.values:
            cur.values["prior_category"] = m.group(1).upper()
            cur.evidence.append(
                evidence_for(f"lungrads.nodule[{idx}].prior_category", m.group(1).upper(), text, m.start(1), m.end(1))
            )


def exam_from_text(text: str) -> Exam:
    """Parse a screening report (English or Chinese) into an ``Exam``."""
    r = _TextReader(text)
    nodules = r.nodules()
    stated = next(iter(current_statements(text, V.STATED_CATEGORY)), None)  # not "prior Lung-RADS 4A"
    old = V.EDITION.search(text)
    exam = Exam(
        nodules=tuple(nodules),
        baseline=r.flag(V.BASELINE, "lungrads.exam.baseline"),
        follow_up=r.flag(V.EXAM_FOLLOWUP, "lungrads.exam.follow_up"),
        no_nodules=r.flag(V.NO_NODULES, "lungrads.exam.no_nodules"),
        priors_awaited=r.flag(V.PRIORS_AWAITED, "lungrads.exam.priors_awaited"),
        incomplete=r.flag(V.INCOMPLETE, "lungrads.exam.incomplete"),
        infection=r.flag(V.INFECTION, "lungrads.exam.infection"),
        lymphadenopathy=r.flag(V.LYMPHADENOPATHY, "lungrads.exam.lymphadenopathy"),
        significant_other=r.flag(V.SIGNIFICANT, "lungrads.exam.s_modifier"),
        diagnostic=r.diagnostic(),
        known_cancer=r.flag(V.KNOWN_CANCER, "lungrads.exam.known_lung_cancer"),
        stated_category=stated.group(1).upper() if stated else None,
        old_edition=old.group(1) if old else None,
    )
    if stated:
        r.exam_evidence.append(
            evidence_for("lungrads.stated_category", stated.group(1).upper(), text, stated.start(1), stated.end(1))
        )
    return Exam(**{**exam.__dict__, "evidence": tuple(r.exam_evidence)})


# ---- structured findings ---------------------------------------------------------------------

_NODULE_KEYS = {
    "kind": ("type", "kind", "attenuation", "nodule_type", "composition", "density", "consistency"),
    "long_mm": ("long_axis_mm", "long_mm", "long_axis", "long_diameter_mm", "long_diameter", "major_axis_mm"),
    "short_mm": ("short_axis_mm", "short_mm", "short_axis", "short_diameter_mm", "short_diameter", "minor_axis_mm"),
    "mean_mm": (
        "mean_diameter_mm",
        "mean_mm",
        "mean_diameter",
        "total_mean_diameter_mm",
        "size_mm",
        "diameter_mm",
        "total_mm",
        "total_size_mm",
        "size",
    ),
    "solid_long_mm": ("solid_long_axis_mm", "solid_component_long_axis_mm", "solid_long_mm"),
    "solid_short_mm": ("solid_short_axis_mm", "solid_component_short_axis_mm", "solid_short_mm"),
    "solid_mean_mm": (
        "solid_component_mm",
        "solid_mean_diameter_mm",
        "solid_component_mean_diameter_mm",
        "solid_part_mm",
        "solid_mm",
        "solid_component",
        "solid_component_size_mm",
    ),
    "prior_mean_mm": (
        "prior_mean_diameter_mm",
        "prior_mm",
        "prior_size_mm",
        "previous_mean_diameter_mm",
        "prior_mean_mm",
    ),
}
_NODULE_TEXT = {  # descriptive keys whose values are read with the text vocabulary
    "status": (("status", "change", "comparison", "interval_change", "growth"), V.STATUS),
    "airway_level": (("airway_level", "level", "bronchial_level", "airway"), V.AIRWAY_LEVEL),
    "cyst_wall": (("cyst_wall", "wall"), V.CYST_WALL),
}
_NODULE_FLAGS = {
    "juxtapleural": ("juxtapleural", "perifissural"),
    "smooth": ("smooth", "smooth_margin"),
    "spiculated": ("spiculation", "spiculated"),
    "multilocular": ("multilocular",),
    "persistent": ("persistent", "persists"),
    "doubling": ("doubling", "doubled", "ggn_doubling"),
    "proven_benign": ("proven_benign", "benign_workup"),
}
_EXAM_FLAGS = {
    "priors_awaited": ("priors_awaited", "prior_awaited", "comparison_pending"),
    "incomplete": ("incomplete", "lungs_not_fully_evaluable", "not_fully_evaluable"),
    "infection": ("infection", "infection_suspected", "inflammatory"),
    "lymphadenopathy": ("lymphadenopathy", "adenopathy", "enlarged_lymph_nodes"),
    "significant_other": (
        "s_modifier",
        "significant_findings",
        "significant_other_findings",
        "other_significant_findings",
    ),
    "known_cancer": ("known_lung_cancer", "lung_cancer_known", "history_of_lung_cancer"),
}
_VALID_TYPES = "solid, part-solid, ground-glass, juxtapleural, airway (endobronchial), cyst, calcified, fat-containing"


_MAX_MM = 1000.0  # larger than any chest: a typo or a unit slip, not a nodule


def _nodule_from_mapping(raw: Mapping[str, Any], i: int) -> Nodule:
    values: dict[str, Any] = {}
    ev: list[Evidence] = []
    for name, keys in _NODULE_KEYS.items():
        if found := lookup(raw, *keys):
            key, val = found
            if name == "kind":
                text = str(val)
                kind = V.TYPE.match_value(text)
                if kind is None and V.JUXTAPLEURAL.match_value(text):
                    kind, values["juxtapleural"] = "solid", True
                if kind is None or kind == "nonbenign-calcification":
                    raise InvalidInput(
                        f"unknown Lung-RADS nodule type {val!r} (nodule {i + 1})", hint=f"use one of: {_VALID_TYPES}"
                    )
                if V.JUXTAPLEURAL.match_value(text):
                    values["juxtapleural"] = True
                if V.MULTILOCULAR.match_value(text):
                    values["multilocular"] = True
                if w := V.CYST_WALL.match_value(text):
                    values["cyst_wall"] = w
                values["kind"] = kind
                ev.append(findings_evidence(f"lungrads.nodule[{i}].type", kind, key, val))
                continue
            sizes = find_sizes(val) if isinstance(val, str) else []
            numbers = sizes[0].values_mm if sizes else (as_number(val, key),)
            if any(not 0 <= n <= _MAX_MM for n in numbers):
                raise InvalidInput(f"finding {key!r} = {val!r} is not a nodule size in mm (nodule {i + 1})",
                                   hint=f"give a size between 0 and {_MAX_MM:g} mm")
            if len(numbers) >= 2 and name in ("mean_mm", "solid_mean_mm"):  # "7 x 5 mm" given as a size
                a, b = sorted(numbers[:2], reverse=True)
                pair = ("long_mm", "short_mm") if name == "mean_mm" else ("solid_long_mm", "solid_short_mm")
                values.update(dict(zip(pair, (a, b), strict=True)))
            else:
                values[name] = numbers[0]
            ev.append(findings_evidence(f"lungrads.nodule[{i}].{name}", numbers[0], key, val))
    for name, (keys, vocab) in _NODULE_TEXT.items():
        if found := lookup(raw, *keys):
            key, val = found
            value = vocab.match_value(str(val))
            if value is None:
                raise InvalidInput(
                    f"unknown Lung-RADS {name} {val!r} (nodule {i + 1})", hint=f"use one of: {', '.join(vocab.values)}"
                )
            values[name] = value
            ev.append(findings_evidence(f"lungrads.nodule[{i}].{name}", value, key, val))
    for name, keys in _NODULE_FLAGS.items():
        if found := lookup(raw, *keys):
            if as_bool(found[1], found[0]):
                values[name] = True
                ev.append(findings_evidence(f"lungrads.nodule[{i}].{name}", True, *found))
            elif name == "smooth":  # stated not smooth: the juxtapleural rule cannot apply
                values["irregular"] = True
                ev.append(findings_evidence(f"lungrads.nodule[{i}].irregular", True, *found))
    if found := lookup(raw, "margin", "margins"):
        text = str(found[1])
        if V.SPICULATION.match_value(text):
            values["spiculated"] = True
        if V.SMOOTH.match_value(text):
            values["smooth"] = True
        if V.IRREGULAR.match_value(text):
            values["irregular"] = True
        ev.append(findings_evidence(f"lungrads.nodule[{i}].margin", text, *found))
    if found := lookup(raw, "shape"):
        shape = V.SHAPE.match_value(str(found[1]))
        values["benign_shape" if shape == "benign-shape" else "round_shape"] = shape is not None
        ev.append(findings_evidence(f"lungrads.nodule[{i}].shape", found[1], *found))
    if found := lookup(raw, "calcification", "calcification_pattern"):
        if V.TYPE.match_value(str(found[1])) == "calcified":
            values["kind"] = "calcified"
            ev.append(findings_evidence(f"lungrads.nodule[{i}].type", "calcified", *found))
    if (found := lookup(raw, "fat", "contains_fat")) and as_bool(found[1], found[0]):
        values["kind"] = "fat"
    if found := lookup(raw, "cyst_change", "cyst_changes"):
        items = found[1] if isinstance(found[1], list) else [found[1]]
        values["cyst_changes"] = tuple(h.value for x in items for h in _positive(V.CYST_CHANGE.find(str(x))))
    if found := lookup(raw, "prior_category", "previous_category", "prior_lung_rads"):
        values["prior_category"] = str(found[1]).upper().removeprefix("LUNG-RADS").strip()
    if found := lookup(raw, "location", "lobe"):
        values["location"] = str(found[1])
    for key in ("location", "position", "site", "relation"):  # "location": "perifissural" names the juxtapleural type
        if (found := lookup(raw, key)) and V.JUXTAPLEURAL.match_value(str(found[1])) and not values.get("juxtapleural"):
            values["juxtapleural"] = True
            ev.append(findings_evidence(f"lungrads.nodule[{i}].juxtapleural", True, *found))
    return Nodule(**values, evidence=tuple(ev))


def exam_from_findings(findings: Mapping[str, Any]) -> Exam:
    """Build an ``Exam`` from structured findings (``nodules`` list plus exam-level keys)."""
    ev: list[Evidence] = []
    raw_nodules = lookup(findings, "nodules", "findings", "lesions")
    items: list[Any] = []
    if raw_nodules:
        items = raw_nodules[1] if isinstance(raw_nodules[1], list) else [raw_nodules[1]]
    elif lookup(findings, *_NODULE_KEYS["kind"], *_NODULE_KEYS["mean_mm"], *_NODULE_KEYS["long_mm"]):
        items = [findings]  # one nodule given at the top level
    nodules = []
    for i, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise InvalidInput(
                f"nodule {i + 1} must be an object with type and sizes, got {item!r}",
                hint='e.g. {"type": "solid", "long_axis_mm": 7.0, "short_axis_mm": 5.0}',
            )
        nodules.append(_nodule_from_mapping(item, i))
    values: dict[str, Any] = {}
    for name, keys in _EXAM_FLAGS.items():
        if found := lookup(findings, *keys):
            values[name] = bool(as_bool(found[1], found[0]))
            ev.append(findings_evidence(f"lungrads.exam.{name}", values[name], *found))
    exam_text = " ".join(
        str(found[1])
        for k in ("exam", "exam_type", "indication", "modality", "study")
        if (found := lookup(findings, k))
    )
    if exam_text:
        text_exam = exam_from_text(exam_text)
        values.setdefault("known_cancer", text_exam.known_cancer)
        values["baseline"] = text_exam.baseline
        values["follow_up"] = text_exam.follow_up
        values["diagnostic"] = text_exam.diagnostic
        ev.append(findings_evidence("lungrads.exam", exam_text, "exam", exam_text))
    if (found := lookup(findings, "no_nodules")) and as_bool(found[1], found[0]):
        values["no_nodules"] = True
    if raw_nodules and not items:
        values["no_nodules"] = True
    if found := lookup(findings, "stated_category", "lung_rads", "category"):
        values["stated_category"] = str(found[1]).upper().removeprefix("LUNG-RADS").strip()
    return Exam(nodules=tuple(nodules), evidence=tuple(ev), **values)
