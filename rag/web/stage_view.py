"""The Stage & RADS view: structured forms whose choices come from the calculators' own tables, or a
pasted report with its evidence highlighted, through ``rag.calculators.service.run_stage`` (the same
function as ``rag stage``).

TNM dropdowns list exactly the categories the system's table defines, so an invalid label cannot be
chosen; the extra inputs (PSA, Grade Group, histology, ...) appear only for tables that use them,
with the values their rows test. The attached image never leaves the browser: it is read with
``URL.createObjectURL`` in the page and shown beside the form.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import gradio as gr

from rag.calculators.rads.tirads_rules import POINTS
from rag.calculators.registry import all_calculators, find_calculator
from rag.errors import RagError
from rag.web.evidence import esc, evidence_html
from rag.web.runtime import Runtime
from rag.web.stage_text import field_name, label, missing_question, note_text, request_language
from rag.web.ui import tr

__all__ = ["missing_question", "render_stage", "stage_request", "stage_tab"]

EXTRA_KEYS = ("psa", "grade_group", "histology", "grade", "location", "age", "mitotic_rate", "primary_site")
NUMERIC_EXTRAS = ("psa", "age")
_RUN = itertools.count(1)

# The image stays in the browser: an object URL, never uploaded.
IMAGE_HTML = """
<div class="image-attach">
  <label>${value}<br><input type="file" accept="image/*" id="rads-image-input"></label>
  <img id="rads-image" alt="" style="max-width:100%; display:none; margin-top:6px; border-radius:6px">
</div>
"""
IMAGE_JS = """
const input = element.querySelector('#rads-image-input');
const img = element.querySelector('#rads-image');
input.addEventListener('change', () => {
  const file = input.files && input.files[0];
  if (!file) { img.style.display = 'none'; return; }
  if (img.src) URL.revokeObjectURL(img.src);
  img.src = URL.createObjectURL(file); img.style.display = 'block';
});
"""

LUNGRADS_TYPES = ["solid", "part-solid", "ground-glass", "juxtapleural", "atypical pulmonary cyst"]
LUNGRADS_STATUS = ["baseline", "new", "growing", "stable"]
PIRADS_ZONES = [("peripheral zone (PZ)", "PZ"), ("transition zone (TZ)", "TZ"), ("central zone (CZ)", "CZ")]
LIRADS_APHE = ["nonrim", "rim", "none"]
BIRADS_CATEGORIES = ["0", "1", "2", "3", "4A", "4B", "4C", "5", "6"]


def tnm_spec(system: str) -> Any | None:
    """The site spec of a TNM calculator (None for RADS / WHO systems)."""
    return getattr(find_calculator(system), "spec", None)


def extra_choices(spec: Any, key: str) -> list[str]:
    """The values a table's rows test for an extra input (histology, grade, location, ...)."""
    values: list[str] = []
    for table in spec.tables.values():
        for row in table.rows:
            for condition in row.when:
                if condition.key != key:
                    continue
                found = condition.value if isinstance(condition.value, (tuple, list, frozenset, set)) else (condition.value,)
                values.extend(str(v) for v in found if str(v) not in values)
    if key == "grade":
        values = sorted(set(values) | {"GX"})
    return values


def tirads_points(features: Mapping[str, str | None]) -> tuple[int, str]:
    """Live TI-RADS points from the form (each feature's points from the rule table)."""
    total = 0
    parts = []
    for feature, value in features.items():
        if value:
            points = POINTS[feature][value]
            total += points
            parts.append(f"{feature.replace('_', ' ')} {value}: {points}")
    return total, " + ".join(parts)


def render_stage(output: Mapping[str, Any], runtime: Runtime, report: str | None = None, language: str = "en") -> str:
    """The result card, the pasted report with its evidence spans highlighted, the cited rule rows,
    its words in the UI ``language`` (``en`` or ``zh``)."""
    run = f"s{next(_RUN)}"
    result = output.get("result") or {}
    shown = {k: v for k, v in result.items() if v is not None and not isinstance(v, (list, dict))}
    rows = "".join(f"<tr><th>{esc(field_name(k, language))}</th><td>{esc(v)}</td></tr>" for k, v in shown.items())
    parts = [f"<div class='stage-result' lang='{'zh-CN' if language == 'zh' else 'en'}'>"
             f"<h3>{esc(output.get('system'))} — {esc(output.get('edition'))}</h3>", f"<table>{rows}</table>"]
    if output.get("missing"):
        parts.append(f"<p><b>{label(language, 'missing')}</b></p><ul>"
                     + "".join(f"<li>{esc(missing_question(m, language))}</li>" for m in output["missing"]) + "</ul>")
    for d in output.get("discrepancies", []):
        parts.append(f"<p class='discrepancy'>⚠ {esc(note_text(str(d.get('message')), language))}</p>")
    for note in output.get("notes", []):
        parts.append(f"<p><i>{esc(note_text(note, language))}</i></p>")
    citations = output.get("citations") or []
    if citations:
        parts.append(f"<p><b>{label(language, 'rules')}</b> ({label(language, 'click')}):</p><ol class='rules'>")
        for c in citations:
            parts.append(f"<li><a href='#ev-{run}-{c['n']}' class='cite'>[{c['n']}]</a> <code>{esc(c.get('rule_id', ''))}</code> "
                         f"{esc(c.get('section', '').rsplit(' > ', 1)[-1])}</li>")
        parts.append("</ol>")
    if report:
        parts.append(f"<p><b>{label(language, 'in_report')}</b></p>" + highlight_report(report, output.get("evidence", [])))
    parts.append("</div>")
    parts.append(_cards(run, citations, runtime, language))
    return "".join(parts)


def highlight_report(report: str, evidence: Sequence[Mapping[str, Any]]) -> str:
    """The pasted report, escaped, each evidence span in ``<mark>`` titled with what it decided."""
    spans = sorted({(int(e["start"]), int(e["end"]), str(e.get("descriptor", ""))) for e in evidence
                    if 0 <= int(e.get("start", -1)) < int(e.get("end", -1)) <= len(report)})
    out: list[str] = []
    at = 0
    for start, end, descriptor in spans:
        if start < at:
            continue
        out.append(esc(report[at:start]))
        out.append(f"<mark title='{esc(descriptor)}'>{esc(report[start:end])}</mark>")
        at = end
    out.append(esc(report[at:]))
    return f"<div class='report'>{''.join(out)}</div>"


def _cards(run: str, citations: Sequence[Mapping[str, Any]], runtime: Runtime, language: str) -> str:
    """Evidence cards for the cited rule rows (the chunk from the index when it is built)."""
    if not runtime.ready:
        return f"<div class='stage-evidence'>{evidence_html(run, citations, {}, [], language)}</div>"
    with runtime.lock:
        chunks = runtime.workspace.catalog.chunks([str(c["chunk_id"]) for c in citations])
        cards = evidence_html(run, citations, chunks, runtime.workspace.catalog.documents(), language, runtime.workspace)
    return f"<div class='stage-evidence'>{cards}</div>"


def stage_request(system: str, fields: Mapping[str, Any]) -> tuple[str | None, dict[str, Any]]:
    """(TNM string, findings) for the chosen system from the form's values."""
    spec = tnm_spec(system)
    if spec is not None:
        tnm = " ".join(str(fields[a]) for a in ("T", "N", "M") if fields.get(a)) or None
        findings: dict[str, Any] = {}
        if fields.get("prefix"):
            findings["prefix"] = fields["prefix"]
        for key in spec.extra_keys:
            value = fields.get(key)
            if value in (None, ""):
                continue
            findings[key] = float(value) if key in NUMERIC_EXTRAS else int(value) if key == "grade_group" else value
        return tnm, findings
    calc = find_calculator(system).system
    if calc == "ACR-TI-RADS":
        found = {k: fields.get(f"ti_{k}") for k in POINTS}
        findings = {k: v for k, v in found.items() if v}
        if fields.get("ti_size"):
            findings["max_diameter_cm"] = float(fields["ti_size"])
        return None, findings
    if calc == "Lung-RADS-v2022":
        status = fields.get("lr_status") or "baseline"
        nodule: dict[str, Any] = {"type": fields.get("lr_type") or "solid", "status": status}
        if fields.get("lr_mean"):
            nodule["mean_diameter_mm"] = float(fields["lr_mean"])
        if fields.get("lr_solid"):
            nodule["solid_component_mm"] = float(fields["lr_solid"])
        exam = "baseline screening LDCT" if status == "baseline" else "follow-up screening LDCT"
        return None, {"exam": exam, "nodules": [nodule]}
    if calc == "PI-RADS-v2.1":
        findings = {"zone": fields.get("pi_zone") or "PZ"}
        for key in ("T2W_score", "DWI_score"):
            if fields.get(f"pi_{key}"):
                findings[key] = int(fields[f"pi_{key}"])
        if fields.get("pi_DCE"):
            findings["DCE"] = fields["pi_DCE"]
        return None, findings
    if calc == "LI-RADS-v2018":
        findings = {"population": "cirrhosis" if fields.get("li_risk") else "no risk factor",
                    "arterial_phase": fields.get("li_aphe") or "none", "washout": bool(fields.get("li_washout")),
                    "capsule": bool(fields.get("li_capsule")), "threshold_growth": bool(fields.get("li_growth"))}
        if fields.get("li_size"):
            findings["observation_size_mm"] = float(fields["li_size"])
        return None, findings
    if calc == "BI-RADS":
        return None, {"modality": fields.get("bi_modality") or "diagnostic mammogram",
                      "findings": [{"category": fields.get("bi_category") or "0"}]}
    raise RagError(f"{calc} has no form here", hint="paste the report or findings instead")


def _systems() -> list[str]:
    return [c.system for c in all_calculators()]


def stage_tab(runtime: Runtime) -> None:
    """Build the Stage & RADS view inside the current Blocks context."""
    from rag.calculators.service import StageRequest, run_stage

    systems = _systems()
    first = tnm_spec("AJCC8-lung")
    assert first is not None, "the lung calculator is bundled"
    table = first.tables["p"]
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=320):
            system = gr.Dropdown(systems, value="AJCC8-lung", label=tr("system"), elem_id="stage-system")
            with gr.Group(visible=True) as tnm_group:
                with gr.Row():
                    prefix = gr.Dropdown(["p"], value="p", label=tr("prefix"), elem_id="stage-prefix", min_width=80)
                    t_cat = gr.Dropdown(list(table.t_categories), value=None, label="T", elem_id="stage-t", min_width=90)
                    n_cat = gr.Dropdown(list(table.n_categories), value=None, label="N", elem_id="stage-n", min_width=90)
                    m_cat = gr.Dropdown(list(table.m_categories), value=None, label="M", elem_id="stage-m", min_width=90)
                with gr.Row():
                    extras = {
                        "psa": gr.Number(label=tr("psa"), visible=False, minimum=0),
                        "grade_group": gr.Dropdown(["1", "2", "3", "4", "5"], value=None, label=tr("grade_group"), visible=False),
                        "histology": gr.Dropdown([], value=None, label=tr("histology"), visible=False),
                        "grade": gr.Dropdown([], value=None, label=tr("grade"), visible=False),
                        "location": gr.Dropdown([], value=None, label=tr("location"), visible=False),
                        "age": gr.Number(label=tr("age"), visible=False, minimum=0, maximum=120),
                        "mitotic_rate": gr.Dropdown([], value=None, label=tr("mitotic_rate"), visible=False),
                        "primary_site": gr.Dropdown([], value=None, label=tr("primary_site"), visible=False),
                    }
            with gr.Group(visible=False) as ti_group:
                # value=None: Gradio would preselect the first (zero-point) choice, scoring unrecorded features.
                ti = {k: gr.Dropdown([(f"{v} ({p} pt{'s' if p != 1 else ''})", v) for v, p in POINTS[k].items()], value=None,
                                     label=k.replace("_", " "), elem_id=f"ti-{k}") for k in POINTS}
                ti_size = gr.Number(label="max diameter (cm)", minimum=0, elem_id="ti-size")
                ti_points = gr.HTML("<span class='points'>0 points</span>", elem_id="ti-points")
            with gr.Group(visible=False) as lr_group:
                with gr.Row():
                    lr_type = gr.Dropdown(LUNGRADS_TYPES, value="solid", label="nodule type")
                    lr_status = gr.Dropdown(LUNGRADS_STATUS, value="baseline", label="baseline / new / growing / stable")
                    lr_mean = gr.Number(label="mean diameter (mm)", minimum=0)
                    lr_solid = gr.Number(label="solid component (mm)", minimum=0)
            with gr.Group(visible=False) as pi_group:
                with gr.Row():
                    pi_zone = gr.Dropdown(PIRADS_ZONES, value="PZ", label="zone")
                    pi_t2 = gr.Dropdown(["1", "2", "3", "4", "5"], value=None, label="T2W score")
                    pi_dwi = gr.Dropdown(["1", "2", "3", "4", "5"], value=None, label="DWI score")
                    pi_dce = gr.Dropdown(["positive", "negative"], value=None, label="DCE")
            with gr.Group(visible=False) as li_group:
                with gr.Row():
                    li_risk = gr.Checkbox(value=True, label="high-risk population (cirrhosis, chronic HBV, prior HCC)")
                    li_size = gr.Number(label="observation size (mm)", minimum=0)
                    li_aphe = gr.Dropdown(LIRADS_APHE, value="nonrim", label="arterial phase hyperenhancement")
                with gr.Row():
                    li_washout = gr.Checkbox(label="nonperipheral washout")
                    li_capsule = gr.Checkbox(label="enhancing capsule")
                    li_growth = gr.Checkbox(label="threshold growth")
            with gr.Group(visible=False) as bi_group:
                with gr.Row():
                    bi_modality = gr.Dropdown(["diagnostic mammogram", "screening mammogram", "breast ultrasound", "breast MRI"],
                                              value="diagnostic mammogram", label="exam")
                    bi_category = gr.Dropdown(BIRADS_CATEGORIES, value=None, label="assessment category")
            calc = gr.Button(tr("stage"), variant="primary", elem_id="stage-button")
            with gr.Accordion(tr("paste"), open=True):
                report = gr.Textbox(label=tr("paste"), placeholder=tr("report_ph"), lines=5, max_length=50_000,
                                    elem_id="stage-report")
                stage_report = gr.Button(tr("stage_report"), elem_id="stage-report-button")
        with gr.Column(scale=2, min_width=300):
            gr.HTML("Image (kept in this browser session only) · 图像（仅保存在本浏览器会话中）", html_template=IMAGE_HTML,
                    js_on_load=IMAGE_JS, elem_id="rads-image-box")
            result = gr.HTML("", label=tr("result"), show_label=True, container=True, elem_id="stage-result")

    groups = [tnm_group, ti_group, lr_group, pi_group, li_group, bi_group]
    group_of = {"ACR-TI-RADS": ti_group, "Lung-RADS-v2022": lr_group, "PI-RADS-v2.1": pi_group,
                "LI-RADS-v2018": li_group, "BI-RADS": bi_group}
    extra_list = list(extras.values())

    def on_system(name: str, chosen_prefix: str | None) -> list[Any]:
        spec = tnm_spec(name)
        updates: list[Any] = [gr.update(visible=(g is tnm_group) if spec else group_of.get(name) is g) for g in groups]
        if spec is None:
            return updates + [gr.update()] * 4 + [gr.update(visible=False)] * len(extra_list)
        prefixes = list(spec.tables)
        use = chosen_prefix if chosen_prefix in prefixes else prefixes[0]
        table = spec.tables[use]
        updates += [gr.update(choices=prefixes, value=use),
                    gr.update(choices=list(table.t_categories), value=None),
                    gr.update(choices=list(table.n_categories), value=None),
                    gr.update(choices=list(table.m_categories), value=None)]
        for key, component in extras.items():
            if key not in spec.extra_keys:
                updates.append(gr.update(visible=False, value=None))
            elif isinstance(component, gr.Dropdown) and key != "grade_group":
                updates.append(gr.update(visible=True, choices=extra_choices(spec, key), value=None))
            else:
                updates.append(gr.update(visible=True, value=None))
        return updates

    system_outputs = [*groups, prefix, t_cat, n_cat, m_cat, *extra_list]
    system.change(on_system, [system, prefix], system_outputs, api_visibility="private", show_progress="hidden")
    prefix.input(on_system, [system, prefix], system_outputs, api_visibility="private", show_progress="hidden")

    def live_points(*values: str | None) -> str:
        total, parts = tirads_points(dict(zip(POINTS, values, strict=True)))
        return f"<span class='points'>{total} points</span><br><small>{esc(parts)}</small>"

    for component in ti.values():
        component.change(live_points, list(ti.values()), ti_points, api_visibility="private", show_progress="hidden")

    form_keys = ["prefix", "T", "N", "M", *extras, *(f"ti_{k}" for k in ti), "ti_size", "lr_type", "lr_status", "lr_mean",
                 "lr_solid", "pi_zone", "pi_T2W_score", "pi_DWI_score", "pi_DCE", "li_risk", "li_size", "li_aphe",
                 "li_washout", "li_capsule", "li_growth", "bi_modality", "bi_category"]
    form_inputs = [prefix, t_cat, n_cat, m_cat, *extra_list, *ti.values(), ti_size, lr_type, lr_status, lr_mean, lr_solid,
                   pi_zone, pi_t2, pi_dwi, pi_dce, li_risk, li_size, li_aphe, li_washout, li_capsule, li_growth,
                   bi_modality, bi_category]

    def from_form(name: str, request: gr.Request, *values: Any) -> str:
        language = request_language(request.headers if request is not None else None)
        try:
            tnm, findings = stage_request(name, dict(zip(form_keys, values, strict=True)))
            output = run_stage(runtime.settings, StageRequest(system=name, tnm=tnm, findings=findings))
        except RagError as exc:
            return f"<p class='error'>⚠ {esc(exc.user_message())}</p>"
        return render_stage(output, runtime, language=language)

    def from_report(name: str, request: gr.Request, text: str) -> str:
        language = request_language(request.headers if request is not None else None)
        try:
            output = run_stage(runtime.settings, StageRequest(system=name, text=text or ""))
        except RagError as exc:
            return f"<p class='error'>⚠ {esc(exc.user_message())}</p>"
        return render_stage(output, runtime, report=text, language=language)

    calc.click(from_form, [system, *form_inputs], result, api_name="stage_form")
    stage_report.click(from_report, [system, report], result, api_name="stage_report")
