"""Lung-RADS v2022: categorise each screening finding, then take the worst for the exam.

Decisions (documented for the lead):
- Scope: Lung-RADS is for screening low-dose CT only. A report that is a diagnostic/contrast CT
  (without any screening wording) or a patient with known lung cancer raises ``InvalidInput``
  citing LR22.RULE.SCOPE — DOMAIN §12 says such use "must be rejected".
- Mean diameter = (long + short) / 2, rounded half-up to 0.1 mm (never to an integer) before the
  thresholds are applied, so 5.95 mm counts as 6.0 mm.
- A single unlabelled size is taken as the mean diameter (noted).
- No comparison wording: nodules are treated as baseline (noted); at a stated follow-up exam a
  nodule without status (new / growing / stable) is a missing input.
- Category ``0`` (priors awaited, lungs not fully evaluable, suspected infection) overrides the
  nodule categories; the provisional worst-nodule category is kept in ``provisional_category``.
- The S modifier does not change ``category``; it is reported as ``s_modifier`` and ``label``.
- 4X applies only to a category 3/4A/4B nodule (spiculation, lymphadenopathy, GGN doubling).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Any

from rag.calculators.rads.lungrads_parse import Exam, Nodule, exam_from_findings, exam_from_text
from rag.calculators.rads.lungrads_rules import (
    ANY,
    CATEGORY_ORDER,
    GGN_ROWS,
    GROWTH_MM,
    JUXTAPLEURAL_MAX_MM,
    MANAGEMENT,
    PARTSOLID_ROWS,
    SOLID_ROWS,
    VALID_CATEGORIES,
    SizeRow,
)
from rag.calculators.rads.lungrads_vocab import STATED_CATEGORY
from rag.calculators.rads.ranges import both_ends
from rag.calculators.rads.scan import round_tenth, to_decimal
from rag.calculators.rads.stated import Stated, adopt_stated, asserted_stated
from rag.calculators.rads.trace import Trace
from rag.errors import InvalidInput
from rag.types import CalcResult, Evidence

__all__ = ["LungRADS"]

_SUSPICIOUS_BASE = {"3", "4A", "4B"}


def mean_diameter(long: float | None, short: float | None, mean: float | None) -> Decimal | None:
    """(long + short) / 2 to 0.1 mm, or the stated mean; None when it cannot be computed."""
    if long is not None and short is not None:
        return round_tenth((to_decimal(long) + to_decimal(short)) / 2)
    if mean is not None:
        return round_tenth(to_decimal(mean))
    return None


def _walk(
    rows: tuple[SizeRow, ...], status: str, total: Decimal | None, solid: Decimal | None
) -> tuple[SizeRow | None, list[SizeRow]]:
    """The first row that holds; rows that might hold but need an unknown size come back as open."""
    open_rows: list[SizeRow] = []
    for row in rows:
        if status not in row.statuses:
            continue
        checks = []
        for rng, value in ((row.total, total), (row.solid, solid)):
            checks.append(True if rng == ANY else None if value is None else rng.holds(value))
        if False in checks:
            continue
        if None in checks:
            open_rows.append(row)
            continue
        return (None, [*open_rows, row]) if open_rows else (row, [])
    return None, open_rows


class _NoduleCategoriser:
    """Categorises one nodule, writing rule ids, notes and missing inputs to the shared trace."""

    def __init__(self, nodule: Nodule, index: int, exam: Exam, trace: Trace) -> None:
        self.n, self.i, self.exam, self.trace = nodule, index, exam, trace
        self.rules: list[str] = []
        self.candidates: tuple[str, ...] = ()

    def _cite(self, *ids: str) -> None:
        self.rules.extend(i for i in ids if i not in self.rules)
        self.trace.rule(*ids)

    def _need(self, what: str) -> None:
        self.trace.need(f"nodule {self.i + 1}: {what}")

    def status(self, total: Decimal | None) -> str | None:
        n = self.n
        status = n.status
        if n.prior_mean_mm is not None and total is not None:
            delta = total - round_tenth(to_decimal(n.prior_mean_mm))
            self._cite("LR22.RULE.GROWTH")
            derived = "growing" if delta > GROWTH_MM else "decreased" if delta < 0 else "stable"
            if status in (None, "baseline", "stable", "decreased") or (status == "growing" and derived != "growing"):
                if status not in (None, derived):
                    self.trace.note(
                        f"nodule {self.i + 1}: measured change {delta} mm gives '{derived}', "
                        f"not the stated '{status}' (growth means >{GROWTH_MM} mm in 12 months)"
                    )
                status = derived
        if status is None and n.status_suspected:
            self._need(f"whether the nodule is {n.status_suspected} (the report only suspects it; new and growing nodules "
                       "have lower size thresholds than baseline ones)")
            return None
        if status is None:
            if self.exam.baseline:
                return "baseline"
            if self.exam.follow_up:
                self._need("status at this follow-up (new, growing or stable)")
                return None
            self.trace.note(f"nodule {self.i + 1}: no comparison stated, categorised as a baseline finding")
            status = "baseline"
        return status

    def run(self) -> tuple[str | None, Decimal | None, Decimal | None, str | None]:
        n = self.n
        if n.kind in ("calcified", "fat"):
            self._cite("LR22.CALCIFIED.1")
            return "1", mean_diameter(n.long_mm, n.short_mm, n.mean_mm), None, None
        if n.proven_benign:
            self._cite("LR22.RULE.STEPDOWN")
            return "2", mean_diameter(n.long_mm, n.short_mm, n.mean_mm), None, None
        if n.ambiguous_sizes:
            self._need("several sizes are given for one nodule; state which is its size (or describe each nodule separately)")
            return None, None, None, None
        if n.kind == "airway":
            return self._airway(), None, None, None
        if n.kind == "cyst":
            return self._cyst(), mean_diameter(n.long_mm, n.short_mm, n.mean_mm), None, None
        total = mean_diameter(n.long_mm, n.short_mm, n.mean_mm)
        solid = mean_diameter(n.solid_long_mm, n.solid_short_mm, n.solid_mean_mm)
        if n.size_assumed_mean:
            self.trace.note(f"nodule {self.i + 1}: the single size given was taken as the mean diameter")
        if n.long_mm is not None and n.short_mm is not None or solid is not None:
            self._cite("LR22.RULE.MEAN_DIAMETER")
        elif n.mean_mm is None and n.long_mm is not None:
            self._need("short-axis diameter (mean diameter = (long + short) / 2)")
        if n.kind is None and n.kind_suspected:
            self._need(f"nodule type: the report only suspects {n.kind_suspected}; state solid, part-solid or ground-glass")
            return None, total, solid, None
        if n.kind is None:
            self._need("nodule type (solid, part-solid, ground-glass, airway, cyst or calcified)")
            return None, total, solid, None
        if total is None and not (n.long_mm is not None and n.short_mm is None):
            self._need("nodule size (long and short axis, or mean diameter, in mm)")
        status = self.status(total)
        if status is None:
            return None, total, solid, None
        if status in ("new", "growing") and n.kind in ("solid", "part-solid"):
            self._cite("LR22.RULE.NEW_VS_BASELINE")  # new and growing nodules use the lower cut-offs
        if n.prior_category and status in ("stable", "decreased") and (cat := self._stepdown()):
            return cat, total, solid, status
        juxtapleural = self._juxtapleural(total) if n.kind == "solid" and n.juxtapleural and status in ("baseline", "new") else False
        if juxtapleural:
            return "2", total, solid, status
        rows = {"solid": SOLID_ROWS, "part-solid": PARTSOLID_ROWS, "ground-glass": GGN_ROWS}[n.kind]
        row_status = status
        if n.kind != "ground-glass" and status in ("stable", "decreased"):
            row_status = "baseline"
            self.trace.note(
                f"nodule {self.i + 1}: {status} nodule categorised by size (give prior_category "
                "for the 3 → 2 / 4A → 3 step-downs)"
            )
        if n.kind == "ground-glass" and status == "decreased":
            row_status = "stable"
        if n.kind == "part-solid" and total is not None and solid is not None and solid > total:
            raise InvalidInput(
                f"nodule {self.i + 1}: solid component {solid} mm is larger than the whole nodule {total} mm",
                hint="give the total and the solid-component mean diameters",
            )
        row, open_rows = _walk(rows, row_status, total, solid)
        if row is not None and juxtapleural is None and row.category != "2":
            # Juxtapleural with margin and shape unstated: category 2 or the solid row; never guess.
            self.candidates = ("2", row.category)
            self._need("margin (smooth?) and shape (oval, lentiform or triangular?) of the juxtapleural nodule "
                       f"(all met: category 2, rule LR22.JUXTAPLEURAL.2; otherwise {row.category} by the solid-nodule rules)")
            return None, total, solid, status
        if row is not None:
            self._cite(row.rule_id)
            if n.kind == "ground-glass" and row.category == "3" and status == "growing":
                self.trace.note(
                    f"nodule {self.i + 1}: a growing ground-glass nodule >=30 mm is kept at 3; "
                    "2 applies once it is stable or slowly growing"
                )
            return row.category, total, solid, status
        if open_rows:
            self.candidates = tuple(dict.fromkeys(r.category for r in open_rows))
            if any(r.needs_solid for r in open_rows) and solid is None:
                self._need("solid-component mean diameter (mm)")
        return None, total, solid, status

    def _stepdown(self) -> str | None:
        prior, n = self.n.prior_category, self.n
        if prior == "3":
            self._cite("LR22.RULE.STEPDOWN", "LR22.CAT.2")
            return "2"
        if prior == "4A" and n.kind != "airway":
            self._cite("LR22.RULE.STEPDOWN", "LR22.CAT.3")
            return "3"
        return None

    def _juxtapleural(self, total: Decimal | None) -> bool | None:
        """Whether the juxtapleural category-2 rule applies; None when margin and shape are both unstated."""
        n = self.n
        if total is None or total >= JUXTAPLEURAL_MAX_MM or n.spiculated or n.round_shape or n.irregular:
            return False
        if not (n.smooth or n.benign_shape):
            return None
        if not (n.smooth and n.benign_shape):
            self.trace.note(
                f"nodule {self.i + 1}: juxtapleural rule applied with "
                f"{'shape' if n.smooth else 'smooth margin'} not stated"
            )
        self._cite("LR22.JUXTAPLEURAL.2")
        return True

    def _airway(self) -> str | None:
        n = self.n
        if n.persistent or (n.prior_category == "4A" and n.status != "decreased"):
            self._cite("LR22.AIRWAY.4B")
            return "4B"
        if n.airway_level is None:
            self._need("airway nodule level (segmental or more proximal, or subsegmental)")
            self.candidates = ("2", "4A")
            return None
        cat = "2" if n.airway_level == "subsegmental" else "4A"
        self._cite(f"LR22.AIRWAY.{cat}")
        return cat

    def _cyst(self) -> str | None:
        n = self.n
        changes = set(n.cyst_changes)
        growing_multi = n.multilocular and n.status == "growing"
        if (
            "wall-growth" in changes
            or growing_multi
            or (n.multilocular and changes & {"more-loculation", "new-opacity"})
        ):
            self._cite("LR22.CYST.4B")
            return "4B"
        if (
            "became-multilocular" in changes
            or n.cyst_wall == "thick"
            and "cystic-growth" not in changes
            or n.multilocular
        ):
            self._cite("LR22.CYST.4A")
            return "4A"
        if n.cyst_wall == "thick":
            self._cite("LR22.CYST.3")
            return "3"
        if n.cyst_wall == "thin":
            self._cite("LR22.CAT.1")
            self.trace.note(f"nodule {self.i + 1}: a thin-walled unilocular cyst is not a suspicious Lung-RADS finding")
            return "1"
        self._need("cyst wall (thin or thick) and locularity")
        return None


_MEAN_DIAMETER = "nodule's mean diameter (mean of long and short axis, to 0.1 mm)"


class LungRADS:
    """Lung-RADS v2022 calculator (screening LDCT)."""

    system = "Lung-RADS-v2022"
    edition = "Lung-RADS v2022 (ACR, 2022)"
    aliases = ("Lung-RADS", "LungRADS", "Lung-RADS 2022", "Lung-RADS v2022", "LungRADS2022", "LR22")

    def from_text(self, text: str) -> CalcResult:
        """Read the text; a size range is evaluated at both ends (``ranges.both_ends``)."""
        calc = both_ends(lambda: self._from_text(text), ("category",), unit="mm", size_name=_MEAN_DIAMETER)
        stated = asserted_stated(text, STATED_CATEGORY, lambda m: _check_stated(m.group(1).upper()),
                                 "lungrads.stated_category")
        return adopt_stated(calc, stated, label="Lung-RADS category")

    def _from_text(self, text: str) -> CalcResult:
        """Categorise a screening report (English or Chinese)."""
        return self._run(exam_from_text(text))

    def from_findings(self, findings: Mapping[str, Any], tnm: str | None = None) -> CalcResult:
        """Read structured findings; a size range is evaluated at both ends (``ranges.both_ends``)."""
        calc = both_ends(lambda: self._from_findings(findings), ("category",), unit="mm", size_name=_MEAN_DIAMETER)
        exam = exam_from_findings(findings)
        value = _check_stated(exam.stated_category)
        return adopt_stated(calc, Stated(value, _stated_ev(exam)) if value else None, label="Lung-RADS category")

    def _from_findings(self, findings: Mapping[str, Any]) -> CalcResult:
        """Categorise structured findings: ``nodules`` list plus exam-level keys."""
        return self._run(exam_from_findings(findings))

    def _run(self, exam: Exam) -> CalcResult:
        trace = Trace()
        trace.use(*exam.evidence)
        if exam.known_cancer or exam.diagnostic:
            why = "known lung cancer" if exam.known_cancer else "a diagnostic (not screening) CT"
            raise InvalidInput(
                f"Lung-RADS v2022 does not apply to {why} (rule LR22.RULE.SCOPE)",
                hint="Lung-RADS is for lung-cancer screening LDCT only; use AJCC8-lung for staging",
            )
        stated = _check_stated(exam.stated_category)
        if exam.old_edition:
            trace.note(f"the report names Lung-RADS v{exam.old_edition}; categories here follow v2022")
        per: list[dict[str, Any]] = []
        worst_idx: int | None = None
        undecided: list[tuple[int, tuple[str, ...]]] = []
        for i, nodule in enumerate(exam.nodules):
            trace.use(*nodule.evidence)
            if nodule.status_suspected and nodule.status is None and _same_either_way(nodule, i, exam):
                trace.note(f"nodule {i + 1}: only suspected to be {nodule.status_suspected}; the category is the same either way")
                nodule = replace(nodule, status="baseline", status_suspected=None)
            c = _NoduleCategoriser(nodule, i, exam, trace)
            base, total, solid, status = c.run()
            cat = base
            features = [
                f
                for f, on in (
                    ("spiculation", nodule.spiculated),
                    ("lymphadenopathy", exam.lymphadenopathy),
                    ("doubling ground-glass nodule", nodule.doubling and nodule.kind == "ground-glass"),
                )
                if on
            ]
            if base in _SUSPICIOUS_BASE and features:
                cat = "4X"
                c._cite("LR22.CAT.4X")
            elif base in _SUSPICIOUS_BASE and nodule.spiculation_suspected:
                # Spiculation only suspected: 4X or the size category; the report must say which.
                cat = None
                c.candidates = (base, "4X")
                trace.need(f"nodule {i + 1}: whether the nodule is spiculated (only suspected; spiculation makes "
                           f"this category {base} nodule 4X)")
            elif base is not None and features and nodule.doubling:
                trace.note(f"nodule {i + 1}: doubling noted, but 4X applies only to category 3 or 4 nodules")
            per.append(
                {
                    "index": i + 1,
                    "type": nodule.kind,
                    "status": status,
                    "location": nodule.location,
                    "mean_diameter_mm": float(total) if total is not None else None,
                    "solid_mean_diameter_mm": float(solid) if solid is not None else None,
                    "category": cat,
                    "base_category": base,
                    "suspicious_features": features,
                    "candidates": list(c.candidates),
                    "rule_ids": c.rules,
                }
            )
            if cat is None:
                undecided.append((i, c.candidates))
            elif worst_idx is None or _rank(per[i]) > _rank(per[worst_idx]):
                worst_idx = i
        result: dict[str, Any] = {"category": None, "mean_diameter_mm": None, "nodules": per}
        worst = per[worst_idx]["category"] if worst_idx is not None else None
        blocked = any(
            not cands or max(CATEGORY_ORDER[c] for c in cands) > CATEGORY_ORDER.get(worst or "", 0)
            for _, cands in undecided
        )
        if worst_idx is not None:
            result["mean_diameter_mm"] = per[worst_idx]["mean_diameter_mm"]
            result["deciding_nodule"] = worst_idx + 1
        if len(exam.nodules) > 1:
            trace.rule("LR22.RULE.EXAM_CATEGORY")
        category: str | None = None
        if not exam.nodules:
            if exam.no_nodules:
                category = "1"
            else:
                trace.need("nodule findings (type and size), or a statement that there are no nodules")
        elif not blocked:
            category = worst
        if exam.priors_awaited or exam.incomplete or exam.infection:
            result["provisional_category"] = category
            category = "0"
            reason = (
                "prior CT awaited"
                if exam.priors_awaited
                else "lungs not fully evaluable"
                if exam.incomplete
                else "findings suggest infection or inflammation"
            )
            trace.note(f"category 0: {reason}")
        if category is not None:
            trace.rule(f"LR22.CAT.{category}")
            result["management"] = MANAGEMENT[category]
        result["category"] = category
        if exam.significant_other:
            trace.rule("LR22.CAT.S")
            result["s_modifier"] = True
            if category is not None:
                result["label"] = f"{category}S"
        if stated and category and stated != category:
            trace.disagree(
                stated,
                category,
                _stated_ev(exam),
                f"LR22.CAT.{category}",
                f"the report states Lung-RADS {stated} but its findings give {category}",
            )
        return trace.freeze(self.system, self.edition, result)


def _same_either_way(nodule: Nodule, i: int, exam: Exam) -> bool:
    """Whether a suspected history ("possibly new") and the baseline reading give the same category."""
    cats = set()
    for status in (nodule.status_suspected, "baseline"):
        cat, *_ = _NoduleCategoriser(replace(nodule, status=status, status_suspected=None), i, exam, Trace()).run()
        cats.add(cat)
    return len(cats) == 1 and None not in cats


def _rank(item: dict[str, Any]) -> tuple[int, float]:
    return CATEGORY_ORDER[item["category"]], item["mean_diameter_mm"] or 0.0


def _check_stated(label: str | None) -> str | None:
    if label is None:
        return None
    core = label[:-1] if len(label) > 1 and label.endswith("S") else label
    if core not in VALID_CATEGORIES and core != "S":
        raise InvalidInput(
            f"'Lung-RADS {label}' is not a Lung-RADS v2022 category",
            hint=f"valid categories: {', '.join(VALID_CATEGORIES)} (plus the S modifier)",
        )
    return core if core != "S" else None


def _stated_ev(exam: Exam) -> Evidence | None:
    return next((e for e in exam.evidence if e.descriptor == "lungrads.stated_category"), None)
