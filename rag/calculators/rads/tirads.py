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

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from rag.calculators.rads.scan import (
    Hit,
    clause_segments,
    evidence_for,
    find_sizes,
    finding_items,
    findings_evidence,
    list_markers,
    lookup,
    to_decimal,
)
from rag.calculators.rads.tirads_rules import (
    CYSTIC_DEFAULTS,
    FEATURES,
    POINTS,
    STATED_LEVEL,
    VALID_LEVELS,
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
            values = nod.features.setdefault(feature, [])
            if feature in _SINGLE and values:
                continue
            if h.value not in values:
                values.append(h.value)
                nod.evidence.append(evidence_for(f"tirads.nodule[{idx}].{feature}", h.value, text, h.start, h.end))
    if nod.size_cm is None:
        for size in find_sizes(text, s, e):
            nod.size_cm = to_decimal(max(size.values_mm)) / 10
            nod.evidence.append(
                evidence_for(f"tirads.nodule[{idx}].max_diameter_cm", nod.size_cm, text, size.start, size.end)
            )
            break


def _nodules_from_text(text: str) -> list[_Nodule]:
    markers = set(list_markers(text))
    nodules = [_Nodule()]
    for s, e in clause_segments(text):
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


class TIRADS:
    """ACR TI-RADS (2017) calculator."""

    system = "ACR-TI-RADS"
    edition = "ACR TI-RADS (2017)"
    aliases = ("TI-RADS", "TIRADS", "ACR TIRADS", "ACR-TIRADS", "ACR TI-RADS 2017")

    def from_text(self, text: str) -> CalcResult:
        """Score nodule descriptions (English or Chinese)."""
        stated = _stated(text)
        return self._run(_nodules_from_text(text), stated)

    def from_findings(self, findings: Mapping[str, Any], tnm: str | None = None) -> CalcResult:
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
        points = None if missing else known
        for m in missing:
            trace.need(f"{where}{m}")
        level = level_for(points) if points is not None else (level_for(known) if known >= 7 else None)
        not_in_chart = points == 1
        if not_in_chart:
            trace.rule("TIRADS.RULE.ONE_POINT")
            trace.note(f"{where}a 1-point total is not in the TI-RADS chart (between TR1 and TR2; neither needs FNA)")
        recommendation: str | None = None
        follow_up: str | None = None
        if level is not None:
            trace.rule(f"TIRADS.LEVEL.{level.label}")
            if level.fna_cm is None:
                recommendation = "none"
            elif nod.size_cm is None:
                trace.need(f"{where}maximum diameter (cm)")
            else:
                trace.rule("TIRADS.RULE.SIZE")
                if nod.size_cm >= level.fna_cm:
                    recommendation = "FNA"
                elif level.follow_up_cm is not None and nod.size_cm >= level.follow_up_cm:
                    recommendation, follow_up = "follow-up", level.schedule
                else:
                    recommendation = "none"
        elif not_in_chart:
            recommendation = "none"
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
