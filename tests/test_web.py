"""The web app's REST API and Gradio API against the real app (``python app.py``) on a free port."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from web_fixtures import ROOT, WebApp

pytestmark = pytest.mark.slow  # one app start plus a first-run index build (~1 min on a busy machine)

KESTREL_MD = """---
doc_id: kestrel-guide
title: "Kestrel nodule scoring (test guideline)"
system: Kestrel-score
edition: "Kestrel 1st edition"
effective_date: 2025-01-01
source: "written for the web tests"
license: CC-BY-4.0
language: en
---
# Kestrel nodule scoring

## Categories
A kestrel nodule measuring 12 mm or more is kestrel category K4 and needs a biopsy.
A kestrel nodule below 12 mm is kestrel category K2 and needs follow-up in a year.
"""


def test_health_reports_the_first_run_build_then_ok(web_app: WebApp) -> None:
    assert web_app.health_during_build, "the index was ready before the first poll: the build was not observed"
    status, body = web_app.health_during_build[0]
    assert status == 503 and body["status"] == "building"
    with web_app.client() as client:
        body = client.get("/api/health").json()
    assert body["status"] == "ok" and body["documents"] >= 4 and body["chunks"] > 20


def test_search_returns_the_contract_object(web_app: WebApp) -> None:
    with web_app.client() as client:
        response = client.post("/api/search", json={"query": "visceral pleural invasion", "k": 3,
                                                     "filters": {"system": ["AJCC8-lung"]}})
    assert response.status_code == 200
    body = response.json()
    assert body["query"] == "visceral pleural invasion" and body["mode"] == "hybrid"
    assert 1 <= len(body["results"]) <= 3
    for hit in body["results"]:
        assert {"rank", "chunk_id", "doc_id", "title", "edition", "section", "page", "source", "score", "text"} <= set(hit)
        assert hit["doc_id"] == "ajcc8-lung"


def test_ask_cites_every_marker_and_refuses_out_of_scope(web_app: WebApp) -> None:
    with web_app.client() as client:
        answer = client.post("/api/ask", json={"question": "What does visceral pleural invasion change in lung cancer T category?"}).json()
        refusal = client.post("/api/ask", json={"question": "best pizza in Naples"}).json()
    assert not answer["refused"] and answer["backend"] == "extractive"
    numbers = {int(n) for n in re.findall(r"\[(\d+)\]", answer["answer"])}
    assert numbers and numbers <= {c["n"] for c in answer["citations"]}
    assert refusal["refused"] and refusal["citations"] == []


def test_follow_up_in_a_session_is_rewritten(web_app: WebApp) -> None:
    with web_app.client() as client:
        client.post("/api/ask", json={"question": "Stage a 3.5 cm lung tumour with N1 nodes", "session": "s-1"})
        follow = client.post("/api/ask", json={"question": "and if the nodes were N2?", "session": "s-1"}).json()
        alone = client.post("/api/ask", json={"question": "and if the nodes were N2?", "session": "s-2"}).json()
    assert "3.5 cm" in follow.get("rewritten_question", "") and "N2" in follow["rewritten_question"]
    assert "rewritten_question" not in alone


def test_stage_and_bad_input_errors(web_app: WebApp) -> None:
    with web_app.client() as client:
        ok = client.post("/api/stage", json={"system": "AJCC8-lung", "tnm": "T2a N1 M0"})
        unknown = client.post("/api/stage", json={"system": "nope", "tnm": "T2a N1 M0"})
        invalid_label = client.post("/api/stage", json={"system": "AJCC8-lung", "tnm": "T9 N1 M0"})
        not_json = client.post("/api/stage", content=b"{not json", headers={"content-type": "application/json"})
        empty = client.post("/api/stage", json={"system": "AJCC8-lung"})
        extra = client.post("/api/ask", json={"question": "x", "unknown": 1})
    body = ok.json()
    assert ok.status_code == 200 and body["result"]["stage"] == "IIB" and body["edition"] == "AJCC 8th edition"
    assert {"system", "edition", "result", "missing", "citations"} <= set(body)
    for response in (unknown, invalid_label, not_json, empty, extra):
        assert response.status_code == 400, response.text
        assert set(response.json()) == {"error", "hint"} and response.json()["error"]


def test_documents_and_openapi(web_app: WebApp) -> None:
    with web_app.client() as client:
        documents = client.get("/api/documents").json()["documents"]
        schema = client.get("/openapi.json").json()
        monitoring = client.get("/monitoring")
    assert {d["doc_id"] for d in documents} >= {"ajcc8-lung", "ajcc8-general", "lung-rads-v2022"}
    assert {"doc_id", "title", "system", "edition", "effective_date", "status"} <= set(documents[0])
    assert {"/api/health", "/api/search", "/api/ask", "/api/stage", "/api/documents"} <= set(schema["paths"])
    assert monitoring.status_code in (403, 404)  # the monitoring dashboard is off


def test_admin_routes_need_a_librarian(web_app: WebApp) -> None:
    with web_app.client() as client:
        calls = [client.post("/api/admin/retire", json={"doc_id": "ajcc8-lung"}),
                 client.post("/api/admin/restore", json={"doc_id": "ajcc8-lung"}),
                 client.post("/api/admin/upload", files={"file": ("a.md", b"# x")},
                             data={"system": "x", "edition": "x", "effective_date": "2024-01-01"}),
                 client.post("/api/admin/replace", files={"file": ("a.md", b"# x")}, data={"doc_id": "ajcc8-lung"}),
                 client.post("/api/admin/retire", json={"doc_id": "ajcc8-lung"}, headers={"Authorization": "Bearer forged"}),
                 client.post("/api/admin/login", json={"user": "librarian", "password": "wrong"})]
        documents = client.get("/api/documents").json()["documents"]
    assert [c.status_code for c in calls] == [401] * 6
    assert all(set(c.json()) >= {"error", "hint"} for c in calls)
    assert next(d for d in documents if d["doc_id"] == "ajcc8-lung")["status"] == "active"


def test_foreign_hosts_and_cross_site_posts_are_refused(web_app: WebApp) -> None:
    """DNS rebinding (a foreign Host) and a web page on another site (a foreign Origin) get 403, not an answer."""
    with web_app.client() as client:
        rebound = client.post("/api/search", json={"query": "T2a"}, headers={"Host": "evil.example"})
        cross_site = client.post("/api/search", json={"query": "T2a"}, headers={"Origin": "http://evil.example"})
        own_site = client.post("/api/search", json={"query": "T2a", "k": 1}, headers={"Origin": web_app.url})
        forwarded_without_token = client.post("/_rag/search", json={"query": "T2a"})
    assert [rebound.status_code, cross_site.status_code, own_site.status_code] == [403, 403, 200]
    assert set(rebound.json()) >= {"error", "hint"} and set(cross_site.json()) >= {"error", "hint"}
    assert forwarded_without_token.status_code == 401


def test_librarian_upload_is_cited_then_retired_and_restored(web_app: WebApp) -> None:
    token = web_app.login()
    auth = {"Authorization": f"Bearer {token}"}
    question = {"question": "What kestrel category is a kestrel nodule of 12 mm or more?"}
    with web_app.client() as client:
        uploaded = client.post("/api/admin/upload", headers=auth, files={"file": ("kestrel.md", KESTREL_MD.encode())},
                               data={"system": "Kestrel-score", "edition": "Kestrel 1st edition",
                                     "effective_date": "2025-01-01", "language": "en"})
        assert uploaded.status_code == 200, uploaded.text
        assert uploaded.json()["status"] == "added"
        cited = client.post("/api/ask", json=question).json()
        retired = client.post("/api/admin/retire", headers=auth, json={"doc_id": "kestrel-guide", "reason": "test"})
        after = client.post("/api/ask", json=question).json()
        listed = {d["doc_id"]: d["status"] for d in client.get("/api/documents").json()["documents"]}
        restored = client.post("/api/admin/restore", headers=auth, json={"doc_id": "kestrel-guide"})
        again = client.post("/api/ask", json=question).json()
        audit = client.get("/api/admin/audit", headers=auth).json()["audit"]
    assert "kestrel-guide" in {c["doc_id"] for c in cited["citations"]}
    assert retired.status_code == 200 and listed["kestrel-guide"] == "retired"
    assert "kestrel-guide" not in {c["doc_id"] for c in after["citations"]}
    assert restored.status_code == 200 and "kestrel-guide" in {c["doc_id"] for c in again["citations"]}
    assert {"retired", "restored"} <= {e["action"] for e in audit if e["doc_id"] == "kestrel-guide"}


def _highlight(png: bytes) -> tuple[int, int]:
    """(yellow highlight pixels, dark text pixels inside the highlighted rows) of a rendered page."""
    import numpy as np
    from PIL import Image

    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    yellow = (r > 240) & (g > 200) & (g < 250) & (b < 190)  # the translucent box over white
    rows = yellow.any(axis=1)
    dark = (rgb.sum(axis=2) < 200) & rows[:, None]
    return int(yellow.sum()), int(dark.sum())


def test_uploaded_pdf_is_cited_with_its_page_rendered_and_highlighted(web_app: WebApp, tmp_path: Path) -> None:
    from conftest import make_pdf

    pdf = make_pdf(tmp_path / "osprey.pdf", [
        [("heading", "Introduction"), ("text", "This page introduces the osprey lesion scheme for the web tests.")],
        [("heading", "Osprey categories"),
         ("text", "An osprey lesion larger than 30 mm is osprey category O5 and is resected. "
                  "An osprey lesion of 30 mm or less is osprey category O3.")],
    ])
    token = web_app.login()
    with web_app.client() as client:
        uploaded = client.post("/api/admin/upload", headers={"Authorization": f"Bearer {token}"},
                               files={"file": ("osprey.pdf", pdf.read_bytes(), "application/pdf")},
                               data={"system": "Osprey", "edition": "Osprey 2025", "effective_date": "2025-02-01",
                                     "title": "Osprey lesion scheme"})
        assert uploaded.status_code == 200, uploaded.text
        answer = client.post("/api/ask", json={"question": "What osprey category is an osprey lesion larger than 30 mm?"}).json()
        citation = next(c for c in answer["citations"] if c["doc_id"] == uploaded.json()["doc_id"])
        assert citation["page"] == 2
        page = client.get("/api/evidence/page.png", params={"chunk_id": citation["chunk_id"], "page": 2,
                                                            "quote": citation["quote"]})
        unrelated = client.get("/api/evidence/page.png", params={"chunk_id": citation["chunk_id"], "page": 1,
                                                                 "quote": citation["quote"]})
        outside = client.get("/api/evidence/page.png", params={"chunk_id": citation["chunk_id"], "page": 9, "quote": ""})
    assert page.status_code == 200 and page.headers["content-type"] == "image/png"
    yellow, text = _highlight(page.content)
    assert yellow > 500 and text > 100  # the quote is boxed and its words still show through
    assert _highlight(unrelated.content) == (0, 0)
    assert outside.status_code == 400


def test_gradio_api_exposes_no_librarian_operation(web_app: WebApp) -> None:
    from gradio_client import Client

    client = Client(web_app.url, verbose=False)
    api = client.view_api(return_format="dict", print_info=False)
    names = set(api["named_endpoints"]) | {str(k) for k in api["unnamed_endpoints"]}
    assert {"/stage_form", "/stage_report"} <= names
    assert not any(word in name for name in names for word in ("login", "upload", "retire", "restore", "replace", "admin"))
    html = client.predict("AJCC8-lung", "Adenocarcinoma 5.5 cm, 0/10 nodes examined. pT2a pN0", api_name="/stage_report")
    assert "<mark" in html and "T3" in html  # the size implies T3: the discrepancy is shown with the evidence
    client.close()


def test_cli_forwards_to_the_app_holding_the_index(web_app: WebApp) -> None:
    result = subprocess.run([sys.executable, "-m", "rag", "search", "visceral pleural invasion", "--k", "2", "--json"],
                            env=web_app.env, capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert '"results"' in result.stdout


def test_uvicorn_log_holds_no_question(web_app: WebApp) -> None:
    secret = "zebra-unicorn-question-4711"
    with httpx.Client(base_url=web_app.url, timeout=120) as client:
        client.post("/api/ask", json={"question": f"what is {secret}?"})
        client.post("/api/stage", json={"system": "AJCC8-lung", "text": f"{secret} 3 cm tumour"})
    assert secret not in (web_app.directory / "app.log").read_text(errors="replace")


def test_evaluation_routes_serve_the_newest_run_and_nothing_else(web_app: WebApp) -> None:
    import json

    from web_fixtures import eval_root, run_calculators_eval

    with web_app.client() as client:
        if not eval_root(web_app).exists():  # no run yet (this test ran before the browser's): the empty answer
            assert client.get("/api/eval").json()["runs"] == {}
        folder = run_calculators_eval(web_app)
        listing = client.get("/api/eval").json()
        run = listing["runs"]["calculators"]
        assert run["name"] == folder.name and listing["root"] == str(eval_root(web_app))
        on_disk = json.loads((folder / "results.json").read_text(encoding="utf-8"))
        assert run["results"]["cases"] == on_disk["cases"] and run["plots"] == on_disk["plots"] and run["plots"]
        image = client.get(f"/api/eval/runs/{folder.name}/{run['plots'][0]}")
        assert image.status_code == 200 and image.headers["content-type"] == "image/png"
        assert image.content == (folder / run["plots"][0]).read_bytes()
        assert client.get(f"/api/eval/runs/{folder.name}/results.json").json()["kind"] == "calculators"

        secret = web_app.directory / "app.log"  # a file beside the index the route must never hand out
        (folder / "escape.png").symlink_to(secret)
        for path in [f"/api/eval/runs/{folder.name}/escape.png", f"/api/eval/runs/{folder.name}/..%2F..%2F..%2Fapp.log",
                     "/api/eval/runs/..%2F..%2F/app.log", f"/api/eval/runs/{folder.name}/%2e%2e/report.md",
                     f"/api/eval/runs/{folder.name}/nope.png", f"/api/eval/runs/{folder.name}/report.txt"]:
            response = client.get(path)
            assert response.status_code == 404, (path, response.status_code)
            assert b"uvicorn" not in response.content and b"gradio" not in response.content.lower()[:200]
