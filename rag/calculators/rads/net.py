"""WHO 2019 grading of gastroenteropancreatic neuroendocrine neoplasms (WHO-NET2019).

Well-differentiated NETs are graded by Ki-67 index and mitoses per 2 mm²; each index gives a
grade from the rows below and the higher of the two decides (NET.RULE.HIGHER_INDEX). A
neuroendocrine carcinoma (NEC, poorly differentiated) is high grade by definition (NET.NEC).

Decisions: with one index given, the grade comes from it, the other index is listed as missing
and a note says it could raise the grade (unless the known one is already G3). "<3 %" style values
are read as just below the number. Mitoses per 10 HPF are accepted as per 2 mm² (noted).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from rag.calculators.rads.scan import (
    Vocab,
    evidence_for,
    findings_evidence,
    lookup,
    norm_key,
    to_decimal,
)
from rag.calculators.rads.trace import Trace
from rag.errors import InvalidInput
from rag.types import CalcResult

__all__ = ["NET2019", "grade_for"]

GRADES = ("G1", "G2", "G3")
# (grade, upper bound, upper bound inclusive) — Ki-67 in %, mitoses per 2 mm².
KI67_ROWS = (("G1", Decimal(3), False), ("G2", Decimal(20), True), ("G3", None, True))
MITOSIS_ROWS = (("G1", Decimal(2), False), ("G2", Decimal(20), True), ("G3", None, True))
_EPS = Decimal("0.001")

_KI67 = re.compile(
    r"\b(?:Ki-?67|MIB-?1)(?:\s*(?:proliferation|labell?ing|proliferative))?(?:\s*index)?(?:\s*(?:percent|pct))?"
    r"\s*(?:of|:|=|is|was|at)?\s*(?:approximately|approx\.?|about|~)?\s*(?P<op><=|>=|<|>|≤|≥)?\s*"
    r"(?P<v>\d+(?:\.\d+)?)\s*%?",
    re.I,
)
_MITOSES = re.compile(
    r"(?:(?P<op><=|>=|<|>|≤|≥)\s*)?(?P<v>\d+(?:\.\d+)?)\s*(?:mitoses|mitotic figures|mitosis)?\s*"
    r"(?:per|/)\s*(?P<area>2\s*mm(?:2|²|\^2)?|10\s*(?:HPFs?|high[- ]power fields?))"
    r"|\bmitotic (?:count|rate|index)\s*(?:of|:|=|is)?\s*(?P<op2><=|>=|<|>|≤|≥)?\s*(?P<v2>\d+(?:\.\d+)?)\b",
    re.I,
)
_NEC = Vocab(
    {
        "NEC": [
            r"\bneuroendocrine carcinoma\b",
            r"\bNEC\b",
            r"\b(?:small|large)[- ]cell (?:neuroendocrine )?carcinoma\b",
            r"\bpoorly differentiated neuroendocrine\b",
            r"神经内分泌癌",
        ]
    }
)
_STATED = re.compile(r"\b(?:WHO\s+)?(?:grade\s*|G)([0-9])\b", re.I)


def grade_for(value: Decimal, rows: tuple[tuple[str, Decimal | None, bool], ...]) -> str:
    """The grade a Ki-67 % or mitotic count falls in."""
    for grade, bound, inclusive in rows:
        if bound is None or value < bound or (inclusive and value == bound):
            return grade
    raise AssertionError("rows end with an unbounded G3")


def _value(op: str | None, raw: str) -> Decimal:
    v = to_decimal(raw)
    if op in ("<",):
        return v - _EPS
    if op in (">",):
        return v + _EPS
    return v


class NET2019:
    """WHO 2019 GEP neuroendocrine neoplasm grade."""

    system = "WHO-NET2019"
    edition = "WHO Classification of Digestive System Tumours, 5th edition (2019)"
    aliases = ("WHO-NET", "NET2019", "GEP-NET", "WHO NET 2019", "NET")

    def from_text(self, text: str) -> CalcResult:
        """Grade from Ki-67 / mitoses / differentiation stated in a pathology report."""
        trace = Trace()
        ki67 = mitoses = None
        if m := _KI67.search(text):
            ki67 = _value(m.group("op"), m.group("v"))
            trace.use(evidence_for("net.ki67_percent", ki67, text, m.start(), m.end()))
        if m := _MITOSES.search(text):
            op, raw = (m.group("op"), m.group("v")) if m.group("v") else (m.group("op2"), m.group("v2"))
            mitoses = _value(op, raw)
            area = (m.group("area") or "").lower()
            if "hpf" in area or "high" in area:
                trace.note("mitoses per 10 HPF taken as per 2 mm² (the WHO area)")
            trace.use(evidence_for("net.mitoses_per_2mm2", mitoses, text, m.start(), m.end()))
        nec = next((h for h in _NEC.find(text) if not h.negated), None)
        if nec:
            trace.use(evidence_for("net.nec", "NEC", text, nec.start, nec.end))
        if (st := _STATED.search(text)) and st.group(1) not in ("1", "2", "3"):
            raise InvalidInput(f"'G{st.group(1)}' is not a WHO 2019 NET grade", hint="valid grades: G1, G2, G3")
        return self._run(ki67, mitoses, nec is not None, trace)

    def from_findings(self, findings: Mapping[str, Any], tnm: str | None = None) -> CalcResult:
        """Grade from structured findings (ki67_percent, mitoses_per_2mm2, differentiation)."""
        trace = Trace()
        values: list[Decimal | None] = []
        for keys, name in (
            (("ki67_percent", "ki67", "ki_67", "ki67_index", "mib1", "ki67_pct"), "ki67_percent"),
            (
                ("mitoses_per_2mm2", "mitoses", "mitotic_count", "mitotic_rate", "mitoses_per_10hpf", "mitotic_index"),
                "mitoses_per_2mm2",
            ),
        ):
            found = lookup(findings, *keys)
            if found is None:
                values.append(None)
                continue
            key, raw = found
            m = (
                re.fullmatch(r"\s*(<=|>=|<|>|≤|≥)?\s*(\d+(?:\.\d+)?)\s*%?\s*", str(raw))
                if not isinstance(raw, bool)
                else None
            )
            if m is None:
                raise InvalidInput(f"finding {key!r} must be a number, got {raw!r}", hint="e.g. 12")
            values.append(_value(m.group(1), m.group(2)))
            if "10hpf" in norm_key(key):
                trace.note("mitoses per 10 HPF taken as per 2 mm² (the WHO area)")
            trace.use(findings_evidence(f"net.{name}", values[-1], key, raw))
        nec = False
        if found := lookup(
            findings, "differentiation", "histology", "diagnosis", "tumour_type", "tumor_type", "category"
        ):
            nec = any(not h.negated for h in _NEC.find(str(found[1])))
            trace.use(findings_evidence("net.differentiation", "NEC" if nec else found[1], *found))
        if found := lookup(findings, "grade", "stated_grade"):
            st = _STATED.search(str(found[1]))
            if not st or st.group(1) not in ("1", "2", "3"):
                raise InvalidInput(f"'{found[1]}' is not a WHO 2019 NET grade", hint="valid grades: G1, G2, G3")
        return self._run(values[0], values[1], nec, trace)

    def _run(self, ki67: Decimal | None, mitoses: Decimal | None, nec: bool, trace: Trace) -> CalcResult:
        if ki67 is not None and not Decimal(0) <= ki67 <= 100:
            raise InvalidInput(f"Ki-67 index {ki67}% is outside 0-100%", hint="give a percentage")
        result: dict[str, Any] = {
            "category": None,
            "grade": None,
            "ki67_percent": float(ki67) if ki67 is not None else None,
            "mitoses_per_2mm2": float(mitoses) if mitoses is not None else None,
        }
        if nec:
            trace.rule("NET.NEC")
            result.update(category="NEC", grade="high grade")
            return trace.freeze(self.system, self.edition, result)
        by_ki = grade_for(ki67, KI67_ROWS) if ki67 is not None else None
        by_mit = grade_for(mitoses, MITOSIS_ROWS) if mitoses is not None else None
        result.update(grade_by_ki67=by_ki, grade_by_mitoses=by_mit)
        known = [g for g in (by_ki, by_mit) if g]
        if not known:
            trace.need("Ki-67 index (%) or mitoses per 2 mm²")
            return trace.freeze(self.system, self.edition, result)
        grade = max(known, key=GRADES.index)
        if len(known) == 2:
            trace.rule("NET.RULE.HIGHER_INDEX")
        elif grade != "G3":
            other = "mitoses per 2 mm²" if by_mit is None else "Ki-67 index (%)"
            trace.need(other)
            trace.note(f"grade from one index only; the {other} could raise it (the higher index decides)")
        trace.rule(f"NET.GRADE.{grade}")
        result.update(category="NET", grade=grade)
        return trace.freeze(self.system, self.edition, result)
