"""ACR TI-RADS (2017): points per feature, level TR1–TR5 and FNA / follow-up by maximum diameter.

Decisions:
- Spongiform scores 0 and nothing else is scored (TIRADS.RULE.SPONGIFORM).
- Echogenic foci are summed over every type present; a negated mention ("no calcification") counts
  as none.
- A 1-point total is not in the chart: ``level`` is null, ``not_in_chart`` is true, and the
  recommendation is "none" because both neighbouring levels (TR1, TR2) mean no FNA.
- Missing features: ``points`` stays null and ``points_minimum`` holds the known sum; TR5 is still
  assigned when the known points already reach 7 (points can only grow). A purely cystic nodule
  takes the zero-point value for unstated features (noted).
- Several nodules are scored separately; the result is the nodule with the most points (size breaks
  ties), ``nodules`` lists all, and ``fna_nodules`` names at most two FNA candidates.
- A stated level outside TR1–TR5 ("TR6") raises InvalidInput.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from rag.calculators.rads.ranges import both_ends
from rag.calculators.rads.scan import (
    Hit,
    clause_segments,
    evidence_for,
    find_sizes,
    finding_items,
    findings_end,
    findings_evidence,
    list_markers,
    lookup,
    to_decimal,
)
from rag.calculators.rads.stated import Stated, adopt_stated, asserted_stated
from rag.calculators.rads.tirads_rules import (
    CYSTIC_DEFAULTS,
    FEATURES,
    LEVELS,
    POINTS,
    STATED_LEVEL,
    VALID_LEVELS,
    Level,
    level_for,
)
from rag.calculators.rads.trace import Trace
from rag.errors import InvalidInput
from rag.types import CalcResult, Evidence

__all__ = ["TIRADS"]

_SINGLE = ("composition", "echogenicity", "shape", "margin")
_RULE = {
    "composition": "TIRADS.POINTS.COMPOSITION",
    "echogenicity": "TIRADS.POINTS.ECHOGENICITY",
    "shape": "TIRADS.POINTS.SHAPE",
    "margin": "TIRADS.POINTS.MARGIN",
    "echogenic_foci": "TIRADS.POINTS.ECHOGENIC_FOCI",
}
_FINDING_KEYS = {
    "composition": ("composition", "content", "structure"),
    "echogenicity": ("echogenicity", "echogenecity", "echo", "echo_pattern"),
    "shape": ("shape", "orientation"),
    "margin": ("margin", "margins", "border", "borders"),
    "echogenic_foci": ("echogenic_foci", "foci", "calcifications", "calcification", "echogenic_focus"),
}
_SIZE_CM = ("max_diameter_cm", "maximum_diameter_cm", "size_cm", "diameter_cm", "largest_diameter_cm")
_SIZE_MM = ("max_diameter_mm", "maximum_diameter_mm", "size_mm", "diameter_mm", "largest_diameter_mm")


class _Nodule:
    """Features of one thyroid nodule as read (value and evidence per feature)."""

    def __init__(self) -> None:
        self.features: dict[str, list[str]] = {}
        self.evidence: list[Evidence] = []
        self.size_cm: Decimal | None = None
        self.foci_negated = False
        # Values the report only suspects ("possible microcalcifications"): never scored, never dropped.
        self.uncertain: dict[str, list[str]] = {}

    def has(self, feature: str) -> bool:
        return feature in self.features


def _positive(hits: list[Hit]) -> list[Hit]:
    return [h for h in hits if not h.negated]


def _read_segment(nod: _Nodule, idx: int, text: str, s: int, e: int) -> None:
    for feature, vocab in FEATURES.items():
        hits = vocab.find(text, s, e)
        if feature == "shape":  # "taller-than-wide: no" states the shape as much as "wider-than-tall"
            hits = [
                Hit("wider-than-tall", h.start, h.end, False, False)
                if h.negated and h.value == "taller-than-wide"
                else h
                for h in hits
            ]
        if feature == "echogenic_foci" and any(h.negated for h in hits):
            nod.foci_negated = True
        for h in _positive(hits):
            if h.hedged:
                if h.value not in nod.uncertain.setdefault(feature, []):
                    nod.uncertain[feature].append(h.value)
                    nod.evidence.append(evidence_for(f"tirads.nodule[{idx}].{feature}.uncertain", h.value, text, h.start, h.end))
                continue
            values = nod.features.setdefault(feature, [])
            if feature in _SINGLE and values:
                continue
            if h.value not in values:
                values.append(h.value)
                nod.evidence.append(evidence_for(f"tirads.nodule[{idx}].{feature}", h.value, text, h.start, h.end))
    if nod.size_cm is None and not _gland_only(text, s, e):
        for size in find_sizes(text, s, e):
            nod.size_cm = to_decimal(max(size.values_mm)) / 10
            nod.evidence.append(
                evidence_for(f"tirads.nodule[{idx}].max_diameter_cm", nod.size_cm, text, size.start, size.end)
            )
            break


_GLAND = re.compile(r"\b(?:thyroid|gland|lobes?|isthmus)\b|甲状腺|腺体|[左右]叶|峡部", re.I)
# Clauses about neck lymph nodes or other structures: their calcifications and sizes are not the nodule's.
_OTHER_STRUCTURE = re.compile(
    r"\b(?:lymph nodes?|nodes?|level (?:I{1,3}|IV|V|VI|[1-6])[ab]?|parathyroid|trachea|carotid|jugular|oesophagus|esophagus)\b|"
    r"淋巴结|甲状旁腺|气管|颈动脉|颈静脉|食管",
    re.I,
)
_NODULE_WORD = re.compile(r"\b(?:nodules?|lesions?|mass|cyst)\b|结节|病灶|肿物|囊肿", re.I)


def _gland_only(text: str, s: int, e: int) -> bool:
    """A clause that measures the gland or a lobe, not a nodule ("Right lobe 5.1 x 2.0 x 1.8 cm")."""
    return bool(_GLAND.search(text, s, e)) and not _NODULE_WORD.search(text, s, e)


def _nodules_from_text(text: str) -> list[_Nodule]:
    cut = findings_end(text)
    found = _nodules_before(text, cut)
    return found if found or cut == len(text) else _nodules_before(text, len(text))


def _nodules_before(text: str, cut: int) -> list[_Nodule]:
    markers = set(list_markers(text))
    nodules = [_Nodule()]
    for s, e in clause_segments(text):
        if s >= cut:
            break
        e = min(e, cut)
        if _OTHER_STRUCTURE.search(text, s, e) and not _NODULE_WORD.search(text, s, e):
            continue
        cur = nodules[-1]
        comp = _positive(FEATURES["composition"].find(text, s, e))
        if cur.features and (s in markers or (comp and cur.has("composition"))):
            nodules.append(_Nodule())
        _read_segment(nodules[-1], len(nodules) - 1, text, s, e)
    return [n for n in nodules if n.features or n.size_cm is not None]


def _nodule_from_mapping(raw: Mapping[str, Any], idx: int) -> _Nodule:
    nod = _Nodule()
    for feature, keys in _FINDING_KEYS.items():
        found = lookup(raw, *keys)
        if not found:
            continue
        key, val = found
        items = val if isinstance(val, list) else [val]
        for item in items:
            value = FEATURES[feature].match_value(str(item))
            if value is None and feature == "shape" and FEATURES["shape"].find(str(item)):
                value = "wider-than-tall"  # "not taller-than-wide"
            if value is None:
                raise InvalidInput(
                    f"unknown TI-RADS {feature.replace('_', ' ')} {item!r}",
                    hint=f"use one of: {', '.join(POINTS[feature])}",
                )
            values = nod.features.setdefault(feature, [])
            if feature in _SINGLE and values:
                raise InvalidInput(
                    f"TI-RADS {feature} takes one value, got {val!r}",
                    hint=f"choose one of: {', '.join(POINTS[feature])}",
                )
            if value not in values:
                values.append(value)
            nod.evidence.append(findings_evidence(f"tirads.nodule[{idx}].{feature}", value, key, item))
    for keys, scale in ((_SIZE_CM, Decimal(1)), (_SIZE_MM, Decimal("0.1"))):
        if (found := lookup(raw, *keys)) and nod.size_cm is None:
            key, val = found
            sizes = find_sizes(val) if isinstance(val, str) else []
            if sizes:
                nod.size_cm = to_decimal(max(sizes[0].values_mm)) / 10
            else:
                try:
                    nod.size_cm = to_decimal(float(val)) * scale
                except (TypeError, ValueError):
                    raise InvalidInput(f"finding {key!r} must be a size, got {val!r}", hint="e.g. 1.5 (cm)") from None
            if nod.size_cm < 0:
                raise InvalidInput(f"finding {key!r} must not be negative", hint="give the maximum diameter")
            nod.evidence.append(findings_evidence(f"tirads.nodule[{idx}].max_diameter_cm", nod.size_cm, key, val))
    return nod


_DECISIONS = ("level", "recommendation", "follow_up")
# Other thyroid systems share the "TI-RADS 4" look: C-TIRADS (Chinese), K-TIRADS (Korean), EU-TIRADS,
# Kwak's TI-RADS (4a/4b/4c). Their categories are not ACR levels and are never adopted as one.
_OTHER_SYSTEM = re.compile(r"(?:\b(?:C|K|EU|Kwak)[\s-]*$)", re.I)


def _stated_label(m: re.Match[str]) -> str | None:
    """An ACR level the text states ("TR4", "ACR TI-RADS 4"); None for other systems' labels."""
    text = m.string
    if _OTHER_SYSTEM.search(text[max(0, m.start() - 6) : m.start()]) or re.match(r"[A-Za-z]", text[m.end() : m.end() + 1]):
        return None
    label = f"TR{int(m.group(1) or m.group(2))}"
    return label if label in VALID_LEVELS else None


def _adopt(calc: CalcResult, stated: Stated | None) -> CalcResult:
    """The stated level when the features leave it open, with the recommendation its chart row gives."""
    minimum = calc.result.get("points_minimum")
    floor = level_for(minimum) if isinstance(minimum, int) and minimum > 0 else None

    def recommend(result: dict[str, Any]) -> None:
        level = next((lv for lv in LEVELS if lv.label == result["level"]), None)
        size = result.get("max_diameter_cm")
        rec, follow = _recommend(level, Decimal(str(size)) if size is not None else None)
        result["recommendation"], result["follow_up"] = rec, follow

    return adopt_stated(calc, stated, key="level", label="TI-RADS level", after=recommend,
                        order=VALID_LEVELS, floor=floor.label if floor else None)


class TIRADS:
    """ACR TI-RADS (2017) calculator."""

    system = "ACR-TI-RADS"
    edition = "ACR TI-RADS (2017)"
    aliases = ("TI-RADS", "TIRADS", "ACR TIRADS", "ACR-TIRADS", "ACR TI-RADS 2017")

    def from_text(self, text: str) -> CalcResult:
        """Read the text; a size range is evaluated at both ends (``ranges.both_ends``)."""
        stated = asserted_stated(text, STATED_LEVEL, _stated_label, "tirads.stated_level")
        calc = both_ends(lambda: self._from_text(text, stated), _DECISIONS, unit="cm", size_name="nodule's maximum diameter")
        return _adopt(calc, stated)

    def _from_text(self, text: str, asserted: Stated | None) -> CalcResult:
        """Score nodule descriptions (English or Chinese)."""
        _stated(text)  # an invented level ("TR6") is rejected
        # Only an asserted ACR level is compared with the features (not "prior TR3", "C-TIRADS 4a").
        stated = (asserted.value, asserted.evidence) if asserted else None
        return self._run(_nodules_from_text(text), stated)

    def from_findings(self, findings: Mapping[str, Any], tnm: str | None = None) -> CalcResult:
        """Read structured findings; a size range is evaluated at both ends (``ranges.both_ends``)."""
        calc = both_ends(lambda: self._from_findings(findings), _DECISIONS, unit="cm",
                         size_name="nodule's maximum diameter")
        level = lookup(findings, "level", "tirads", "ti_rads", "stated_level")
        found = (_stated(f"TI-RADS {level[1]}") or _stated(str(level[1]))) if level else None
        return _adopt(calc, Stated(found[0], found[1]) if found else None)

    def _from_findings(self, findings: Mapping[str, Any]) -> CalcResult:
        """Score structured findings: one nodule's keys, or ``nodules`` as a list of them."""
        items = finding_items(findings, ("nodules", "lesions"), '[{"composition": "solid", ...}]')
        stated = None
        if level := lookup(findings, "level", "tirads", "ti_rads", "stated_level"):
            stated = _stated(f"TI-RADS {level[1]}") or _stated(str(level[1]))
        return self._run([_nodule_from_mapping(x, i) for i, x in enumerate(items)], stated)

    def _run(self, nodules: list[_Nodule], stated: tuple[str, Evidence | None] | None) -> CalcResult:
        trace = Trace()
        if not nodules:
            trace.need("nodule features: composition, echogenicity, shape, margin, echogenic foci, maximum diameter")
            return trace.freeze(
                self.system, self.edition, {"points": None, "level": None, "recommendation": None, "nodules": []}
            )
        scored = [self._score(n, i, trace, multi=len(nodules) > 1) for i, n in enumerate(nodules)]
        if len(nodules) > 1:
            trace.rule("TIRADS.RULE.MULTIPLE_NODULES")
            if len(nodules) > 4:
                trace.note("TI-RADS reports at most four nodules (the most suspicious)")
        best = max(
            scored,
            key=lambda r: (r["points"] if r["points"] is not None else r["points_minimum"], r["max_diameter_cm"] or 0),
        )
        result = {k: best[k] for k in ("points", "level", "recommendation", "max_diameter_cm")}
        result.update(
            {
                "nodule": best["index"],
                "points_minimum": best["points_minimum"],
                "not_in_chart": best["not_in_chart"],
                "follow_up": best["follow_up"],
                "nodules": scored,
            }
        )
        fna = sorted(
            (r for r in scored if r["recommendation"] == "FNA"),
            key=lambda r: (-(r["points"] or r["points_minimum"]), -(r["max_diameter_cm"] or 0)),
        )
        result["fna_nodules"] = [r["index"] for r in fna[:2]]
        trace.check_stated(
            stated,
            best["level"],
            f"TIRADS.LEVEL.{best['level']}",
            "the report states {stated} but its features give {derived}",
        )
        return trace.freeze(self.system, self.edition, result)

    @staticmethod
    def _decide(
        points: int | None, low: int, high: int, size_cm: Decimal | None, trace: Trace, where: str
    ) -> tuple[Level | None, str | None, str | None]:
        """Level and recommendation; with unknown features, only what every reachable total agrees on.

        Points only grow as features are added, so the totals still possible run from ``low`` (the
        known points) to ``high`` (every unknown feature at its maximum). A level or recommendation
        that is the same for all of them is certain; anything else stays missing (never a guess).
        """
        totals = [points] if points is not None else list(range(low, high + 1))
        levels = {t: level_for(t) for t in totals}
        labels = {lv.label if lv else None for lv in levels.values()}
        level = next(iter(levels.values())) if len(labels) == 1 else None
        if level is not None:
            trace.rule(f"TIRADS.LEVEL.{level.label}")
        recs = {_recommend(lv, size_cm) for lv in levels.values()}
        recommendation, follow_up = next(iter(recs)) if len(recs) == 1 else (None, None)
        if level is not None and level.fna_cm is not None:
            if size_cm is None:
                trace.need(f"{where}maximum diameter (cm)")
            else:
                trace.rule("TIRADS.RULE.SIZE")
        elif level is None and recommendation is not None and size_cm is not None and any(lv and lv.fna_cm for lv in levels.values()):
            trace.rule("TIRADS.RULE.SIZE")
            trace.note(f"{where}the level depends on the missing features but every possible level gives '{recommendation}'")
        return level, recommendation, follow_up

    def _score(self, nod: _Nodule, idx: int, trace: Trace, *, multi: bool) -> dict[str, Any]:
        trace.use(*nod.evidence)
        where = f"nodule {idx + 1}: " if multi else ""
        features = dict(nod.features)
        if nod.foci_negated and "echogenic_foci" not in features:
            features["echogenic_foci"] = ["none"]
        comp = features.get("composition", [None])[0]
        points_by: dict[str, int] = {}
        missing: list[str] = []
        if comp == "spongiform":
            trace.rule("TIRADS.POINTS.COMPOSITION", "TIRADS.RULE.SPONGIFORM")
            points_by["composition"] = 0
            if len(features) > 1:
                trace.note(f"{where}spongiform: the other features are not scored")
        else:
            if comp == "cystic":
                for feature, default in CYSTIC_DEFAULTS.items():
                    if feature not in features:
                        features[feature] = [default]
                        trace.note(f"{where}cystic nodule: {feature.replace('_', ' ')} taken as {default} (0 points)")
            if comp == "mixed":
                trace.note(f"{where}mixed cystic and solid: the other features are scored on the solid part")
            for feature, table in POINTS.items():
                if feature not in features:
                    missing.append(feature.replace("_", " "))
                    continue
                trace.rule(_RULE[feature])
                values = features[feature]
                points_by[feature] = sum(table[v] for v in values) if feature == "echogenic_foci" else table[values[0]]
        known = sum(points_by.values())
        # The points the unknown features could still add: a missing group up to its maximum; suspected
        # echogenic foci ("possible microcalcifications") up to the sum with every suspected type.
        extra = 0
        missing_noted: set[str] = set()
        if comp != "spongiform":
            suspected = [v for v in nod.uncertain.get("echogenic_foci", []) if v not in features.get("echogenic_foci", [])]
            for feature in list(missing):
                table = POINTS[feature.replace(" ", "_")]
                if feature == "echogenic foci" and not suspected:
                    extra += sum(table.values())  # summed over every type present: unknown foci can add all of them
                elif feature != "echogenic foci":
                    extra += max(table.values())
            if suspected:
                # The report looked at the foci and only suspects these: they are the unknown part, nothing else.
                extra += sum(POINTS["echogenic_foci"][v] for v in suspected)
                if "echogenic foci" not in missing:
                    missing.append("echogenic foci")
                trace.need(f"{where}whether {' / '.join(v.replace('-', ' ') for v in suspected)} echogenic foci are present "
                           "(the report only suspects them)")
                missing_noted.add("echogenic foci")
            for feature, values in nod.uncertain.items():
                label = feature.replace("_", " ")
                if feature != "echogenic_foci" and label in missing:
                    trace.need(f"{where}{label}: the report only suspects {' / '.join(values)}; state it")
                    missing_noted.add(label)
        points = None if missing else known
        for m in missing:
            if m not in missing_noted:
                trace.need(f"{where}{m}")
        level, recommendation, follow_up = self._decide(points, known, known + extra, nod.size_cm, trace, where)
        not_in_chart = points == 1
        if not_in_chart:
            trace.rule("TIRADS.RULE.ONE_POINT")
            trace.note(f"{where}a 1-point total is not in the TI-RADS chart (between TR1 and TR2; neither needs FNA)")
        return {
            "index": idx + 1,
            "points": points,
            "points_minimum": known,
            "points_by_feature": points_by,
            "features": {k: (v if k == "echogenic_foci" else v[0]) for k, v in features.items()},
            "level": level.label if level else None,
            "not_in_chart": not_in_chart,
            "max_diameter_cm": float(nod.size_cm) if nod.size_cm is not None else None,
            "recommendation": recommendation,
            "follow_up": follow_up,
        }


def _recommend(level: Level | None, size_cm: Decimal | None) -> tuple[str | None, str | None]:
    """FNA / follow-up / none for one level and size; None when the size is needed and unknown."""
    if level is None or level.fna_cm is None:
        return "none", None
    if size_cm is None:
        return None, None
    if size_cm >= level.fna_cm:
        return "FNA", None
    if level.follow_up_cm is not None and size_cm >= level.follow_up_cm:
        return "follow-up", level.schedule
    return "none", None


def _stated(text: str) -> tuple[str, Evidence | None] | None:
    """A level the text itself states; an invented one ("TR6") is rejected."""
    m = STATED_LEVEL.search(text)
    if not m:
        return None
    digit = m.group(1) or m.group(2)
    label = f"TR{int(digit)}"
    if label not in VALID_LEVELS:
        raise InvalidInput(
            f"'{m.group(0).strip()}' is not an ACR TI-RADS level", hint=f"valid levels: {', '.join(VALID_LEVELS)}"
        )
    group = 1 if m.group(1) else 2
    return label, evidence_for("tirads.stated_level", label, text, m.start(group), m.end(group))
