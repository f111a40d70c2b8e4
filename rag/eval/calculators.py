"""``rag eval calculators``: cases → the calculator's fields, scored right / wrong / missing.

A case line is ``{"id", "system", "input" | "text" | "tnm" | "findings", "gold": {field: value}}``
(the format of ``../shared/cases/``). A structured ``input`` object is rendered to a findings text
(``key: value.``) and read by the same reader a pasted findings list goes through, because that is
how a clinician's typed findings reach the calculator; ``tnm``/``findings`` go to the rules directly.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from rag.calculators.service import StageRequest, run_stage
from rag.config import Settings
from rag.errors import InvalidInput, RagError
from rag.eval.output import prepare_out, table, write_results
from rag.eval.scoring import Tally, outcome


def findings_text(value: Any) -> str:
    """A structured findings object as the 'key: value.' text a clinician would type."""
    if isinstance(value, str):
        return value
    parts = []
    for key, item in value.items():
        unit = " mm" if key.endswith("_mm") else " cm" if key.endswith("_cm") else ""
        key = key.removesuffix("_mm").removesuffix("_cm").replace("_", " ")
        item = "yes" if item is True else "no" if item is False else item
        if isinstance(item, list):
            item = "; ".join(findings_text(x) if isinstance(x, dict) else str(x) for x in item)
        parts.append(f"{key}: {item}{unit}")
    return ". ".join(parts) + "."


def request_for(case: dict[str, Any]) -> StageRequest:
    """The stage request a case describes."""
    system = case.get("system")
    if not isinstance(system, str):
        raise InvalidInput("case has no \"system\"")
    if any(k in case for k in ("text", "tnm", "findings")):
        return StageRequest(system=system, text=case.get("text"), tnm=case.get("tnm"), findings=case.get("findings"))
    if "input" not in case:
        raise InvalidInput("case has no \"input\", \"text\", \"tnm\" or \"findings\"")
    return StageRequest(system=system, text=findings_text(case["input"]))


def eval_calculators(settings: Settings, cases_path: Path, out: Path) -> dict[str, Any]:
    """Stage every case and tally each gold field per system."""
    prepare_out(out)
    try:
        lines = cases_path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read {cases_path}: {exc}") from exc
    per_system: dict[str, dict[str, Tally]] = defaultdict(lambda: defaultdict(Tally))
    overall = Tally()
    errors: list[dict[str, str]] = []
    cases = 0
    case_outcomes: list[str] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
            if not isinstance(case, dict) or not isinstance(case.get("gold"), dict):
                raise InvalidInput("expected an object with a \"gold\" object")
            result = run_stage(settings, request_for(case))
        except (json.JSONDecodeError, RagError) as exc:
            errors.append({"line": str(number), "error": str(exc)})
            continue
        cases += 1
        system = str(case["system"])
        got = result.get("result", {})
        verdicts = []
        for key, expected in case["gold"].items():
            verdict = outcome(expected, got.get(key))
            detail = {"id": case.get("id", number), "field": key, "expected": expected, "got": got.get(key),
                      "input": case.get("input", case.get("text") or case.get("tnm")), "missing_note": result.get("missing")}
            per_system[system][key].add(verdict, detail)
            overall.add(verdict)
            verdicts.append(verdict)
        case_outcomes.append("wrong" if "wrong" in verdicts else "missing" if "missing" in verdicts else "right")
    by_case = {k: case_outcomes.count(k) for k in ("right", "wrong", "missing")}
    results = {"cases": cases, "cases_by_outcome": by_case, "errors": errors, "overall": overall.as_dict(),
               "systems": {s: {f: t.as_dict() for f, t in fields.items()} for s, fields in per_system.items()},
               "misses": [m for fields in per_system.values() for t in fields.values() for m in t.misses]}
    rows = [[s, f, t.right, t.wrong, t.missing] for s, fields in sorted(per_system.items()) for f, t in sorted(fields.items())]
    md = [f"# Calculator evaluation\n\nCases: `{cases_path}` — {cases} staged, {len(errors)} unreadable. "
          f"Cases fully right {by_case['right']}, with a wrong field **{by_case['wrong']}**, incomplete {by_case['missing']}. "
          f"Fields: {overall.right} right, **{overall.wrong} wrong**, {overall.missing} missing.\n",
          table(["system", "field", "right", "wrong", "missing"], rows)]
    if results["misses"]:
        md.append("\n## Misses\n")
        md.append(table(["id", "field", "outcome", "expected", "got"],
                        [[m["id"], m["field"], m["outcome"], m["expected"], m["got"]] for m in results["misses"]]))
    write_results(out, results, "\n".join(md), [("calculators_outcomes.png", lambda f: _stacked(f, per_system))])
    return results


def _stacked(figure: Any, per_system: dict[str, dict[str, Tally]]) -> None:
    ax = figure.add_subplot(111)
    names = sorted(per_system)
    right = [sum(t.right for t in per_system[n].values()) for n in names]
    wrong = [sum(t.wrong for t in per_system[n].values()) for n in names]
    missing = [sum(t.missing for t in per_system[n].values()) for n in names]
    ax.bar(names, right, label="right", color="#3a7d44")
    ax.bar(names, missing, bottom=right, label="missing", color="#c9a227")
    ax.bar(names, wrong, bottom=[r + m for r, m in zip(right, missing, strict=True)], label="wrong", color="#b23a48")
    ax.set_title("Calculator fields: right / missing / wrong")
    ax.tick_params(axis="x", labelrotation=45, labelsize=7)
    ax.legend()
