"""The WHO-CNS5 calculator: routes a report to the glioma or the meningioma rules.

Result keys follow CONTRACT.md: ``diagnosis`` and ``grade`` ("CNS WHO grade 4"). Structured
findings are rendered to ``key: value.`` text and read by the same parser, after each molecular
key's value is checked (an unreadable value such as ``{"IDH": "maybe"}`` raises InvalidInput).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from rag.calculators.rads.cns5 import diagnose_glioma, read_glioma
from rag.calculators.rads.meningioma import grade_meningioma, is_meningioma, read_meningioma
from rag.calculators.rads.molecular import GLIOMA_MARKERS, read_marker, render_findings
from rag.calculators.rads.scan import norm_key
from rag.calculators.rads.trace import Trace
from rag.errors import InvalidInput
from rag.types import CalcResult

__all__ = ["WHOCNS5"]

_MARKER_KEYS = (
    ("idh", "idh"),
    ("1p19q", "codeletion"),
    ("codel", "codeletion"),
    ("atrx", "atrx"),
    ("h3k27", "h3k27"),
    ("h3", "h3k27"),
    ("cdkn2a", "cdkn2a"),
    ("tert", "tert"),
    ("egfr", "egfr"),
)
_BAD_GRADE = re.compile(r"\b(?:CNS\s+)?WHO\s+grade\s*(\d+)\b", re.I)
_GRADE_NUM = re.compile(r"grade (\d)")


class WHOCNS5:
    """WHO CNS5 (2021): adult-type diffuse glioma integrated diagnosis, meningioma grade."""

    system = "WHO-CNS5"
    edition = "WHO Classification of Tumours of the Central Nervous System, 5th edition (2021)"
    aliases = ("CNS5", "WHO-CNS", "WHO CNS 2021", "WHO-CNS5-2021", "glioma", "meningioma")

    def from_text(self, text: str) -> CalcResult:
        """Integrated diagnosis and CNS WHO grade from a pathology report excerpt."""
        if (bad := _BAD_GRADE.search(text)) and not 1 <= int(bad.group(1)) <= 4:
            raise InvalidInput(f"'{bad.group(0)}' is not a CNS WHO grade", hint="CNS WHO grades run from 1 to 4")
        trace = Trace()
        if is_meningioma(text):
            facts = read_meningioma(text)
            trace.use(*facts.evidence)
            result = grade_meningioma(facts, trace)
            stated = None
        else:
            gl = read_glioma(text)
            trace.use(*gl.evidence)
            result = diagnose_glioma(gl, trace)
            stated = gl.stated_grade
            result["molecular"] = {k: v for k, v in gl.markers.items() if v}
        if stated and result.get("grade"):
            derived = int(_GRADE_NUM.search(result["grade"]).group(1))  # type: ignore[union-attr]
            if derived != stated:
                ev = next((e for e in trace.evidence if e.descriptor == "cns5.stated_grade"), None)
                trace.disagree(
                    f"CNS WHO grade {stated}",
                    result["grade"],
                    ev,
                    trace.rule_ids[-1] if trace.rule_ids else "CNS5.RULE.INTEGRATED_DIAGNOSIS",
                    f"the report states grade {stated} but its findings give {result['grade']}",
                    field="grade",
                )
        return trace.freeze(self.system, self.edition, result)

    def from_findings(self, findings: Mapping[str, Any], tnm: str | None = None) -> CalcResult:
        """Same as text, from structured findings (IDH, 1p19q, H3_K27, CDKN2A_B, necrosis, location, ...)."""
        for key, value in findings.items():
            nk = norm_key(key)
            marker = next((m for frag, m in _MARKER_KEYS if nk.startswith(frag)), None)
            if marker is None or isinstance(value, (Mapping, list)):
                continue
            piece = render_findings({key: value})
            if read_marker(piece, GLIOMA_MARKERS[marker], "check") is None:
                m = GLIOMA_MARKERS[marker]
                raise InvalidInput(
                    f"cannot read {m.name} result {value!r}",
                    hint="use e.g. mutant / wildtype, codeleted / intact, present / absent, or 'not tested'",
                )
        return self.from_text(render_findings(findings))
