"""The Library view (librarian role): login, upload with metadata, the document table, replace /
retire / restore, and the audit log.

Every event here is ``api_visibility="private"`` (not callable through the Gradio API) and checks
the librarian token kept in this browser session's state, so a clinician's page or a Gradio
client cannot change the corpus. The operations are ``rag.web.library``'s, as for REST.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from rag.errors import RagError
from rag.web import library
from rag.web.auth import ENABLE_HINT, Librarians
from rag.web.evidence import esc
from rag.web.runtime import IndexBuilding, Runtime
from rag.web.ui import tr

DOC_COLUMNS = ["doc_id", "title", "system", "edition", "effective_date", "language", "status"]
AUDIT_COLUMNS = ["when", "action", "doc_id", "detail"]


def _html_table(columns: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{esc(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{esc(v)}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table class='lib-table'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _tables(runtime: Runtime) -> tuple[str, str]:
    """The document table and the audit log as HTML (a plain table loads faster than Gradio's Dataframe)."""
    if not runtime.ready:
        return "", ""
    with runtime.lock:
        docs = library.documents(runtime.workspace)
        log = library.audit(runtime.workspace, 200)
    rows = [[d[c] for c in DOC_COLUMNS] for d in docs]
    audit = [[time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(float(e["ts"]))), e["action"], e["doc_id"],
              " ".join(str(e.get(k) or "") for k in ("actor", "reason", "detail")).strip()] for e in log]
    return _html_table(DOC_COLUMNS, rows), _html_table(AUDIT_COLUMNS, audit)


def library_tab(runtime: Runtime, librarians: Librarians) -> list[Any]:
    """Build the Library view inside the current Blocks context.

    Returns the events that change the catalogue (upload, retire, restore, replace), so the page can
    chain a refresh of the Ask view's filter menus after them.
    """
    token = gr.State("")
    if not librarians.enabled:
        gr.Markdown(f"The librarian role is not enabled. To enable it, {ENABLE_HINT}. Clinicians need no login.",
                    elem_id="library-disabled")
    with gr.Row(visible=librarians.enabled, elem_id="lib-login-row") as login_row:
        user = gr.Textbox(label=tr("user"), elem_id="lib-user", max_length=200)
        password = gr.Textbox(label=tr("password"), type="password", elem_id="lib-password", max_length=500)
        login = gr.Button(tr("login"), variant="primary", elem_id="lib-login")
    message = gr.Markdown(elem_id="lib-message")
    with gr.Column(visible=False) as desk:
        with gr.Row(equal_height=True):
            who_line = gr.Markdown("", elem_id="lib-who")
            logout = gr.Button(tr("logout"), size="sm", elem_id="lib-logout", scale=0, min_width=90)
        with gr.Accordion(tr("upload"), open=True):
            with gr.Row():
                upload_file = gr.File(label=tr("file"), file_types=[".pdf", ".md", ".markdown", ".txt"], type="filepath",
                                      elem_id="lib-file")
                with gr.Column():
                    system = gr.Textbox(label=tr("system"), placeholder="AJCC8-lung", elem_id="lib-system")
                    edition = gr.Textbox(label=tr("f_edition"), placeholder="AJCC 8th edition", elem_id="lib-edition")
                    effective = gr.Textbox(label=tr("effective_date"), placeholder="2024-01-01", elem_id="lib-date")
                    language = gr.Radio(["en", "zh"], value="en", label=tr("f_language"))
                    title = gr.Textbox(label=tr("doc_title"), elem_id="lib-title")
            upload = gr.Button(tr("upload"), variant="primary", elem_id="lib-upload")
        with gr.Row():
            doc_id = gr.Textbox(label=tr("doc_id"), elem_id="lib-docid")
            reason = gr.Textbox(label=tr("reason"), elem_id="lib-reason")
            retire = gr.Button(tr("retire"), variant="stop", elem_id="lib-retire")
            restore = gr.Button(tr("restore"), elem_id="lib-restore")
        with gr.Row():
            replace_file = gr.File(label=tr("replace"), file_types=[".pdf", ".md", ".markdown", ".txt"], type="filepath")
            replace = gr.Button(tr("replace"), elem_id="lib-replace")
        refresh = gr.Button(tr("refresh"), size="sm")
        documents = gr.HTML(label=tr("documents"), show_label=True, container=True, elem_id="lib-documents", max_height=420)
        audit = gr.HTML(label=tr("audit"), show_label=True, container=True, elem_id="lib-audit", max_height=320)

    def who(session_token: str) -> str:
        name = librarians.user_for(session_token)
        if name is None:
            raise RagError("your librarian session has ended", hint="log in again")
        return name

    def do_login(name: str, secret: str) -> tuple[Any, ...]:
        # The login row is hidden once logged in; the desk's first line says who is, beside Log out.
        session_token = librarians.login(name, secret)
        if session_token is None:
            return ("", "⚠ wrong user name or password", gr.update(visible=False), gr.update(), gr.update(),
                    gr.update(), gr.update(visible=True), gr.update())
        rows, log = _tables(runtime)
        shown = librarians.user_for(session_token) or name
        return (session_token, "", gr.update(visible=True), rows, log, gr.update(value=""), gr.update(visible=False),
                f"Logged in as **{esc(shown)}** (librarian)")

    def do_logout(session_token: str) -> tuple[Any, ...]:
        librarians.logout(session_token)
        return "", "Logged out.", gr.update(visible=False), gr.update(visible=True), ""

    def refreshed(session_token: str) -> tuple[Any, Any]:
        who(session_token)
        return _tables(runtime)

    def operation(session_token: str, run: Any) -> tuple[str, Any, Any]:
        try:
            name = who(session_token)
            outcome = runtime.run(lambda ws: run(ws, name))
            rows, log = _tables(runtime)
            return f"✓ {outcome}", rows, log
        except IndexBuilding as exc:
            return f"Please wait: {exc.user_message()}", gr.update(), gr.update()
        except RagError as exc:
            return f"⚠ {exc.user_message()}", gr.update(), gr.update()

    def do_upload(session_token: str, path: str | None, sys_: str, ed: str, date: str, lang: str,
                  doc_title: str) -> Iterator[tuple[Any, ...]]:
        if not path:
            yield "⚠ choose a file first", gr.update(), gr.update()
            return
        name = Path(path).name
        yield f"Ingesting {name}: reading, chunking and embedding…", gr.update(), gr.update()
        data = Path(path).read_bytes()
        meta = library.UploadMeta(sys_ or "", ed or "", date or "", lang or "en", doc_title or "")

        def run(ws: Any, who_name: str) -> str:
            entry = library.upload(ws, name, data, meta, who_name)
            return f"{entry['status']} {entry.get('doc_id')} ({entry.get('chunks', 0)} chunks)"

        yield operation(session_token, run)

    def do_retire(session_token: str, target: str, why: str) -> tuple[str, Any, Any]:
        return operation(session_token, lambda ws, n: str(library.retire(ws, target.strip(), why or "", n)))

    def do_restore(session_token: str, target: str) -> tuple[str, Any, Any]:
        return operation(session_token, lambda ws, n: str(library.restore(ws, target.strip(), n)))

    def do_replace(session_token: str, target: str, path: str | None) -> tuple[str, Any, Any]:
        if not path:
            return "⚠ choose the new file first", gr.update(), gr.update()
        data = Path(path).read_bytes()
        return operation(session_token, lambda ws, n: str(library.replace(ws, target.strip(), Path(path).name, data, n)))

    private: dict[str, Any] = {"api_visibility": "private"}
    login_outputs = [token, message, desk, documents, audit, password, login_row, who_line]
    login.click(do_login, [user, password], login_outputs, **private)
    password.submit(do_login, [user, password], login_outputs, **private)
    logout.click(do_logout, [token], [token, message, desk, login_row, who_line], **private)
    refresh.click(refreshed, [token], [documents, audit], **private)
    changes = []
    changes.append(upload.click(do_upload, [token, upload_file, system, edition, effective, language, title], [message, documents, audit],
                 **private))
    changes.append(retire.click(do_retire, [token, doc_id, reason], [message, documents, audit], **private))
    changes.append(restore.click(do_restore, [token, doc_id], [message, documents, audit], **private))
    changes.append(replace.click(do_replace, [token, doc_id, replace_file], [message, documents, audit], **private))
    return changes
