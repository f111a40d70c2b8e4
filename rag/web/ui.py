"""The Gradio page: theme (system fonts only), CSS, the evidence panel's script, zh-CN strings, tabs.

No web fonts and no CDN: the theme names system font stacks only, so the page makes no request
beyond 127.0.0.1 (the browser tests count them).
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from rag.web.auth import Librarians
from rag.web.runtime import Runtime

SYSTEM_FONTS = ["system-ui", "-apple-system", "Segoe UI", "Noto Sans", "Noto Sans CJK SC", "sans-serif"]
MONO_FONTS = ["ui-monospace", "DejaVu Sans Mono", "monospace"]

CSS = """
.ev { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 10px 12px; margin: 6px 0; }
.ev.ev-active { box-shadow: 0 0 0 2px #e6a700; }
.ev-title { font-weight: 600; margin-bottom: 4px; }
.ev-meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 10px; margin: 0 0 6px 0; font-size: 0.9em; }
.ev-meta dt { color: var(--body-text-color-subdued); } .ev-meta dd { margin: 0; }
.ev-text { white-space: pre-wrap; font-size: 0.92em; max-height: 22em; overflow: auto; }
.ev-text mark, .report mark { background: #ffe066; color: inherit; padding: 0 1px; border-radius: 2px; }
.ev-cont { margin-top: 6px; border-top: 1px dashed var(--border-color-primary); padding-top: 4px; }
.ev-page { max-width: 100%; border: 1px solid var(--border-color-primary); margin-top: 6px; }
.st-retired, .st-superseded { color: #b42318; font-weight: 600; } .st-current { color: #067647; font-weight: 600; }
.report { white-space: pre-wrap; border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px; }
.stage-result table { border-collapse: collapse; }
.stage-result td, .stage-result th { border: 1px solid var(--border-color-primary); padding: 2px 8px; }
.points { font-size: 1.1em; font-weight: 600; }
#ev-panel .ev-hint, #stage-result > div > .stage-result { margin-top: 22px; }
#ev-panel .ev-hint { color: var(--body-text-color-subdued); }
a.cite { text-decoration: none; font-weight: 600; }
.lib-table { border-collapse: collapse; width: 100%; font-size: 0.9em; margin-top: 22px; }
.lib-table th, .lib-table td { border-bottom: 1px solid var(--border-color-primary); padding: 3px 6px; text-align: left; }
"""

# The evidence panel listens for clicks on [n] links anywhere on the page (the chat strips onclick)
# and for hash changes, shows the matching card, then resets the hash so the same marker works twice.
EVIDENCE_JS = """
if (!window.__ragEvidence) {
  window.__ragEvidence = true;
  const show = (key) => {
    const target = document.getElementById('evd-' + key);
    if (!target) return false;
    document.querySelectorAll('section.ev').forEach((s) => { s.hidden = true; s.classList.remove('ev-active'); });
    target.hidden = false; target.classList.add('ev-active');
    target.scrollIntoView({block: 'nearest', behavior: 'smooth'});
    return true;
  };
  document.addEventListener('click', (event) => {
    const a = event.target.closest && event.target.closest('a[href*="#ev-"]');
    if (!a) return;
    event.preventDefault(); event.stopPropagation();
    show(a.getAttribute('href').split('#ev-')[1]);
  }, true);
  window.addEventListener('hashchange', () => {
    if (location.hash.startsWith('#ev-') && show(location.hash.slice(4))) {
      history.replaceState(null, '', location.pathname + location.search);
    }
  });
}
"""

HEAD = '<meta name="referrer" content="no-referrer">'

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Oncology guideline assistant", "tab_ask": "Ask", "tab_stage": "Stage & RADS", "tab_library": "Library", "tab_eval": "Evaluation",
        "question": "Question", "question_ph": "e.g. What is stage IIIA lung cancer in the 8th edition?",
        "ask": "Ask", "clear": "New conversation", "evidence": "Evidence", "filters": "Filters",
        "f_system": "System", "f_edition": "Edition", "f_language": "Language", "backend": "Answer backend",
        "copy": "Answer with references (Markdown, copy button at the right)", "chat": "Conversation",
        "building": "Building the index from the bundled corpora (first run)…",
        "system": "System", "prefix": "Prefix", "stage": "Calculate", "paste": "Or paste a report",
        "report_ph": "Paste a pathology or radiology report excerpt", "stage_report": "Stage the report",
        "image": "Image (kept in this browser session only)", "result": "Result",
        "psa": "PSA (ng/mL)", "grade_group": "Grade Group", "histology": "Histology", "grade": "Grade",
        "location": "Location", "age": "Age (years)", "mitotic_rate": "Mitotic rate", "primary_site": "Primary site",
        "login": "Log in", "logout": "Log out", "user": "User", "password": "Password", "upload": "Upload and ingest",
        "file": "File (PDF, Markdown, text)", "effective_date": "Effective date (YYYY-MM-DD)", "doc_title": "Title (optional)",
        "doc_id": "Document id", "reason": "Reason", "retire": "Retire", "restore": "Restore", "replace": "Replace with file",
        "documents": "Documents", "audit": "Audit log", "refresh": "Refresh", "any": "any",
    },
    "zh-CN": {
        "title": "肿瘤指南助手", "tab_ask": "提问", "tab_stage": "分期与RADS", "tab_library": "文献库", "tab_eval": "评估",
        "question": "问题", "question_ph": "例如：第8版肺癌IIIA期是什么？", "ask": "提问", "clear": "新对话",
        "evidence": "依据", "filters": "筛选", "f_system": "体系", "f_edition": "版本", "f_language": "语言",
        "backend": "回答方式", "copy": "带参考文献的回答（Markdown，右侧可复制）", "chat": "对话",
        "building": "正在根据内置语料建立索引（首次运行）…",
        "system": "体系", "prefix": "前缀", "stage": "计算", "paste": "或粘贴报告", "report_ph": "粘贴病理或影像报告片段",
        "stage_report": "分析报告", "image": "图像（仅保存在本浏览器会话中）", "result": "结果",
        "psa": "PSA (ng/mL)", "grade_group": "分级分组", "histology": "组织学类型", "grade": "分级", "location": "部位",
        "age": "年龄（岁）", "mitotic_rate": "核分裂率", "primary_site": "原发部位",
        "login": "登录", "logout": "退出", "user": "用户名", "password": "密码", "upload": "上传并入库",
        "file": "文件（PDF、Markdown、文本）", "effective_date": "生效日期（YYYY-MM-DD）", "doc_title": "标题（可选）",
        "doc_id": "文档编号", "reason": "原因", "retire": "停用", "restore": "恢复", "replace": "用文件替换",
        "documents": "文档", "audit": "审计日志", "refresh": "刷新", "any": "任意",
    },
}

_I18N: gr.I18n | None = None


def i18n() -> gr.I18n:
    """The static UI's translations (the browser's language picks zh-CN)."""
    global _I18N
    if _I18N is None:
        # Our keys get a prefix: Gradio's own translations use names like "file" and "login" for groups.
        prefixed = {lang: {f"rag_{k}": v for k, v in table.items()} for lang, table in STRINGS.items()}
        _I18N = gr.I18n(**prefixed)  # type: ignore[arg-type]
    return _I18N


def tr(key: str) -> Any:
    """A translatable label."""
    return i18n()(f"rag_{key}")


def theme() -> gr.themes.Base:
    """A theme with system fonts only (the default themes load web fonts)."""
    return gr.themes.Base(font=SYSTEM_FONTS, font_mono=MONO_FONTS, primary_hue="blue")


def build_ui(runtime: Runtime, librarians: Librarians) -> gr.Blocks:
    """The four views as tabs over one runtime.

    The Ask view's filter menus list what the catalogue holds, so they are refreshed whenever it may
    have changed: page load, the first-run build finishing, the Ask tab being opened, and after each
    librarian operation.
    """
    from rag.web.ask_view import ask_tab, filter_updates
    from rag.web.eval_view import eval_tab
    from rag.web.library_view import library_tab
    from rag.web.stage_view import stage_tab

    # delete_cache: files uploaded through the page (a librarian's documents) leave Gradio's temp folder within the hour.
    with gr.Blocks(title="Oncology guideline assistant", analytics_enabled=False, delete_cache=(1800, 3600)) as blocks:
        status = gr.Markdown(elem_id="build-status")
        with gr.Tabs():
            with gr.Tab(tr("tab_ask"), id="ask") as ask_view:
                menus = ask_tab(runtime)
            with gr.Tab(tr("tab_stage"), id="stage"):
                stage_tab(runtime)
            with gr.Tab(tr("tab_library"), id="library"):
                changes = library_tab(runtime, librarians)
            eval_tab(runtime)
        timer = gr.Timer(1.0)

        def refresh_menus(systems: list[str] | None, editions: list[str] | None, language: str | None) -> tuple[Any, ...]:
            return filter_updates(runtime, systems, editions, language)

        quiet: dict[str, Any] = {"api_visibility": "private", "show_progress": "hidden"}
        ask_view.select(refresh_menus, menus.components, menus.components, **quiet)
        for change in changes:
            change.then(refresh_menus, menus.components, menus.components, **quiet)

        def build_status() -> tuple[Any, Any]:
            build = runtime.build
            if build.status == "ok":
                return gr.update(value="", visible=False), gr.Timer(active=False)
            if build.status == "error":
                return gr.update(value=f"**The index could not be built:** {build.error}", visible=True), gr.Timer(active=False)
            done = f" ({build.files_done}/{build.files_total} files read)" if build.files_total else ""
            return (gr.update(value=f"**Building the index** from the bundled corpora (first run): {build.phase}{done}, "
                                    f"{build.as_dict()['seconds']:.0f} s. Staging works already; questions wait for the index.",
                              visible=True), gr.Timer(active=True))

        status_events = [timer.tick(build_status, outputs=[status, timer], **quiet),
                         blocks.load(build_status, outputs=[status, timer], **quiet)]
        for event in status_events:  # once the build is done the menus come from the catalogue
            event.then(refresh_menus, menus.components, menus.components, **quiet)
    return blocks
