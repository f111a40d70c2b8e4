"""Questions routed to a calculator: run it, cite its rows, and state its result as sentences.

Why: a question that carries findings ("3.5 cm lung tumour with N1 nodes: stage?") is answered by the
deterministic calculator, whose stage is exact where a retrieved passage is only relevant; its result
becomes the answer's first sentences, citing the rows the calculator applied, in the question's
language.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from rag.answer.intent import Intent
from rag.answer.verify import Source
from rag.errors import RagError
from rag.workspace import Workspace

__all__ = ["calculation_sentences", "calculation_sources", "run_calculation"]

_FRAMES = {
    "en": {"stage": "Computed stage ({edition}): {tnm}, stage {stage}.",
           "partial": "Computed categories ({edition}): {tnm}; the stage group needs {missing}.",
           "m0": "M0 was assumed because no distant metastasis was mentioned.",
           "category": "Computed result ({edition}): {value}.",
           "management": "Management: {value}"},
    "zh": {"stage": "计算结果（{edition}）：{tnm}，{stage}期。",
           "partial": "计算结果（{edition}）：{tnm}，确定分期组还需要{missing}。",
           "m0": "问题未提及远处转移，按M0计算。",
           "category": "计算结果（{edition}）：{value}。",
           "management": "处理建议：{value}"},
}



def run_calculation(workspace: Workspace, intent: Intent) -> tuple[dict[str, Any] | None, bool]:
    """Run the calculator the question routes to: (stage JSON or None, whether M0 was assumed).

    TNM: labels stated in the question win over those the site's text reader derives from the
    findings ("3.5 cm" → T2a); when T and N are known and M is not mentioned, M0 is assumed and
    the answer says so.
    """
    from rag.calculators.service import StageRequest, calculate, run_stage

    settings = workspace.settings
    system = intent.system or ""
    try:
        if intent.is_rads:
            output = run_stage(settings, StageRequest(system=system, text=intent.question))
            return (output, False) if output.get("citations") else (None, False)
        labels: dict[str, str | None] = dict(zip("TNM", [None, None, None], strict=True))
        if intent.findings_text and re.search(r"\d|[a-z]{4,}|[\u4e00-\u9fff]{2,}", intent.findings_text, re.I):
            derived = calculate(StageRequest(system=system, text=intent.findings_text))
            for axis in "TNM":
                if derived.result.get(axis):
                    labels[axis] = str(derived.result[axis])
        for part in intent.tnm.split():
            labels[part[0]] = part
        assumed = bool(labels["T"] and labels["N"] and not labels["M"])
        if assumed:
            labels["M"] = "M0"
        tnm = " ".join(v for v in labels.values() if v)
        if not tnm:
            return None, False
        return run_stage(settings, StageRequest(system=system, tnm=tnm)), assumed
    except RagError:
        return None, False


def calculation_sources(workspace: Workspace, output: dict[str, Any]) -> list[Source]:
    """The corpus chunks the calculator cites, numbered from 1 (they come before retrieved sources)."""
    citations = output.get("citations") or []
    chunks = workspace.catalog.chunks([c["chunk_id"] for c in citations])
    documents = {d.doc_id: d for d in workspace.catalog.documents()}
    sources: list[Source] = []
    for c in citations:
        chunk = chunks.get(c["chunk_id"])
        document = documents.get(c["doc_id"])
        if chunk is not None and document is not None:
            sources.append(Source(len(sources) + 1, chunk, document, "calculator", c.get("rule_id")))
    return sources


def calculation_sentences(output: dict[str, Any], sources: Sequence[Source], language: str,
                          assumed: bool) -> list[str]:
    """The result as sentences of the question's language, each citing the calculator's rows."""
    frames = _FRAMES[language]
    result = output.get("result") or {}
    edition = output.get("edition") or output.get("system")
    markers = "".join(f"[{s.n}]" for s in sources)
    sentences: list[str] = []
    if "T" in result or "N" in result or "M" in result:
        tnm = " ".join(str(result[a]) for a in "TNM" if result.get(a))
        if result.get("stage"):
            sentences.append(frames["stage"].format(edition=edition, tnm=tnm, stage=result["stage"]))
        else:
            missing = "; ".join(m.split(":")[0] for m in output.get("missing", [])) or "?"
            sentences.append(frames["partial"].format(edition=edition, tnm=tnm, missing=missing))
        if assumed and result.get("M") == "M0":
            m0 = [s for s in sources if (s.rule_id or "").endswith(".M.M0")] or list(sources)
            sentences.append(_mark(frames["m0"], "".join(f"[{s.n}]" for s in m0)))
    else:
        value = result.get("category") or result.get("level") or result.get("diagnosis")
        if not value:
            return []
        label = {"Lung-RADS-v2022": "Lung-RADS ", "BI-RADS": "BI-RADS ", "PI-RADS-v2.1": "PI-RADS "}.get(
            output.get("system", ""), "")
        extra = f", {result['grade']}" if result.get("grade") else ""
        sentences.append(frames["category"].format(edition=edition, value=f"{label}{value}{extra}"))
        if result.get("management"):
            sentences.append(frames["management"].format(value=str(result["management"]).rstrip(".")) +
                             ("。" if language == "zh" else "."))
    return [s if s.endswith(("]", "].", "]。")) else _mark(s, markers) for s in sentences]


def _mark(sentence: str, markers: str) -> str:
    if sentence[-1] in "。.":
        return f"{sentence[:-1]}{'' if sentence[-1] == '。' else ' '}{markers}{sentence[-1]}"
    return f"{sentence} {markers}"

