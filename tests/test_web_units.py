"""The web app's pure parts: librarian credentials, escaping and highlighting, quote location in a
page's text, filter parsing, and the stage form's requests (no server, no browser)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from rag.errors import InvalidInput
from rag.web.auth import Credential, Librarians
from rag.web.evidence import answer_markdown, highlight, link_markers, status_of
from rag.web.pdfpage import find_spans
from rag.web.rest import doc_filter


def test_credential_keeps_only_a_salted_hash_and_checks_both_fields() -> None:
    credential = Credential.create("lib", "s3cret pass")
    assert b"s3cret" not in credential.digest and len(credential.salt) == 16
    assert credential.verify("lib", "s3cret pass")
    assert not credential.verify("lib", "s3cret pasS") and not credential.verify("Lib", "s3cret pass")
    assert Credential.create("lib", "s3cret pass").digest != credential.digest  # a fresh salt each time


def test_librarian_tokens_expire_and_log_out(monkeypatch: pytest.MonkeyPatch) -> None:
    librarians = Librarians("lib", "pw")
    assert librarians.login("lib", "nope") is None
    token = librarians.login("lib", "pw")
    assert token and librarians.user_for(token) == "lib" and librarians.user_for("forged") is None
    later = time.time() + 9 * 3600
    monkeypatch.setattr(time, "time", lambda: later)
    assert librarians.user_for(token) is None
    monkeypatch.undo()
    second = librarians.login("lib", "pw")
    librarians.logout(second)
    assert librarians.user_for(second) is None
    assert not Librarians(None, "pw").enabled and Librarians(None, "pw").login("", "pw") is None


def test_markers_become_links_and_text_is_escaped() -> None:
    html = link_markers("Stage <b>IIIA</b> [1]. Also [2][3].", "4", {1: 'quote "one" <x>', 2: "two"})
    assert '<a href="#ev-4-1" class="cite" title="quote &quot;one&quot; &lt;x&gt;">[1]</a>' in html
    assert '<a href="#ev-4-3" class="cite" title="">[3]</a>' in html
    assert "&lt;b&gt;IIIA&lt;/b&gt;" in html and "<b>" not in html


def test_highlight_marks_the_quote_across_line_breaks_and_escapes() -> None:
    text = "Intro <tag>.\nT2a: tumour >3 cm\n and ≤4 cm. Other."
    html = highlight(text, "T2a: tumour >3 cm and ≤4 cm.")
    assert html.startswith("Intro &lt;tag&gt;.")
    assert "<mark>T2a: tumour &gt;3 cm\n and ≤4 cm.</mark>" in html
    assert "<mark>" not in highlight(text, "not in the text at all")


def test_find_spans_falls_back_to_sentences() -> None:
    page = "Heading\nA heron lesion larger than 40 mm is H5. Unrelated words here. A heron lesion of 40 mm or less is H2."
    whole = find_spans(page, "A heron lesion larger than 40 mm is H5.")
    assert [page[s:s + n] for s, n in whole] == ["A heron lesion larger than 40 mm is H5."]
    parts = find_spans(page, "A heron lesion larger than 40 mm is H5. Something the page lacks entirely.")
    assert [page[s:s + n] for s, n in parts] == ["A heron lesion larger than 40 mm is H5."]
    assert find_spans(page, "nothing like this appears") == []


def test_status_of_names_superseded_and_retired() -> None:
    from rag.types import Document

    old = Document("ajcc8-lung", "t", "s", "p", "h")
    new = Document("tnm9-lung", "t", "s", "p", "h", supersedes="ajcc8-lung")
    gone = Document("x", "t", "s", "p", "h", status="retired")
    assert status_of(old, [old]) == "current"
    assert status_of(old, [old, new]) == "superseded"
    assert status_of(gone, [gone]) == "retired"


def test_answer_markdown_lists_the_references() -> None:
    md = answer_markdown({"answer": "T2a is >3 cm [1].", "citations": [
        {"n": 1, "title": "Lung", "edition": "AJCC 8th edition", "section": "T > T2a", "page": 3, "quote": "T2a:\n >3 cm"}]})
    assert md == "T2a is >3 cm [1].\n\n[1] Lung (AJCC 8th edition) — T > T2a, p. 3. “T2a: >3 cm”\n"


def test_doc_filter_accepts_singular_and_plural_keys() -> None:
    flt = doc_filter({"system": "AJCC8-lung", "languages": ["en", "zh"]})
    assert flt is not None and flt.systems == ("AJCC8-lung",) and flt.languages == ("en", "zh")
    assert doc_filter({}) is None
    with pytest.raises(InvalidInput, match="unknown filter 'colour'"):
        doc_filter({"colour": "red"})


def test_stage_form_requests_and_choices() -> None:
    from rag.web.stage_view import extra_choices, missing_question, stage_request, tirads_points, tnm_spec

    spec = tnm_spec("AJCC8-prostate")
    assert spec is not None and set(spec.extra_keys) == {"psa", "grade_group"}
    assert tnm_spec("ACR-TI-RADS") is None
    tnm, findings = stage_request("AJCC8-prostate", {"prefix": "c", "T": "T2a", "N": "N0", "M": "M0", "psa": 6.5,
                                                     "grade_group": "1"})
    assert tnm == "T2a N0 M0" and findings == {"prefix": "c", "psa": 6.5, "grade_group": 1}
    assert sorted(extra_choices(tnm_spec("AJCC8-esophagus"), "histology")) == ["adenocarcinoma", "squamous"]
    assert tirads_points({"composition": "solid", "echogenicity": "hypoechoic", "shape": None, "margin": "smooth",
                          "echogenic_foci": "punctate"})[0] == 2 + 2 + 0 + 3
    _, ti = stage_request("ACR-TI-RADS", {"ti_composition": "solid", "ti_size": 1.6})
    assert ti == {"composition": "solid", "max_diameter_cm": 1.6}
    _, lung = stage_request("Lung-RADS-v2022", {"lr_type": "solid", "lr_status": "new", "lr_mean": 9})
    assert lung == {"exam": "follow-up screening LDCT", "nodules": [{"type": "solid", "status": "new", "mean_diameter_mm": 9.0}]}
    assert missing_question("N: regional lymph node status") == "What is the regional lymph node status?"
    assert missing_question("PSA (ng/mL)") == "What is the PSA (ng/mL)?"


def test_stage_forms_compute_through_the_calculators() -> None:
    from rag.calculators.service import StageRequest, calculate
    from rag.web.stage_view import stage_request

    cases = {
        "ACR-TI-RADS": ({"ti_composition": "solid", "ti_echogenicity": "hypoechoic", "ti_shape": "wider-than-tall",
                         "ti_margin": "smooth", "ti_echogenic_foci": "none", "ti_size": 1.6}, "level", "TR4"),
        "Lung-RADS-v2022": ({"lr_type": "solid", "lr_status": "baseline", "lr_mean": 7}, "category", "3"),
        "PI-RADS-v2.1": ({"pi_zone": "PZ", "pi_T2W_score": "3", "pi_DWI_score": "4", "pi_DCE": "positive"}, "category", "4"),
        "LI-RADS-v2018": ({"li_risk": True, "li_size": 25, "li_aphe": "nonrim", "li_washout": True, "li_capsule": True},
                          "category", "LR-5"),
        "BI-RADS": ({"bi_modality": "diagnostic mammogram", "bi_category": "4B"}, "category", "4B"),
    }
    for system, (fields, key, want) in cases.items():
        tnm, findings = stage_request(system, fields)
        assert calculate(StageRequest(system=system, tnm=tnm, findings=findings)).result[key] == want, system


def test_eval_runs_default_location_newest_per_kind_and_safe_files(tmp_path: Path) -> None:
    import json

    from rag.config import Settings
    from rag.eval.location import eval_root, latest_runs, new_run_dir, run_file, stamp_results

    settings = Settings(index_dir=tmp_path / "index")
    assert eval_root(settings) == tmp_path / "index" / "eval"
    assert eval_root(Settings(index_dir=tmp_path / "index", eval_dir=tmp_path / "elsewhere")) == tmp_path / "elsewhere"
    root = eval_root(settings)
    assert latest_runs(root) == {}

    def run(kind: str, finished: str, name: str | None = None) -> Path:
        folder = root / name if name else new_run_dir(settings, kind)
        folder.mkdir(parents=True)
        (folder / "results.json").write_text(json.dumps({"cases": 1, "plots": ["a.png", "../x.png"]}), encoding="utf-8")
        (folder / "a.png").write_bytes(b"\x89PNG fake")
        stamp_results(folder, kind)
        record = json.loads((folder / "results.json").read_text(encoding="utf-8"))
        record["finished"] = finished
        (folder / "results.json").write_text(json.dumps(record), encoding="utf-8")
        return folder

    old = run("calculators", "2026-01-01T00:00:00Z")
    new = run("calculators", "2026-02-01T00:00:00Z")
    assert new != old and new.name.startswith("calculators-")
    named = run("speed", "2026-01-05T00:00:00Z", name="my-speed-run")  # any folder name: kind comes from results.json
    (root / "broken").mkdir()
    (root / "broken" / "results.json").write_text("{not json", encoding="utf-8")
    runs = latest_runs(root)
    assert list(runs) == ["calculators", "speed"]
    assert runs["calculators"].folder == new and runs["speed"].folder == named
    assert runs["calculators"].plots() == ["a.png"]  # the listed '../x.png' is not a plain name

    assert run_file(root, new.name, "a.png") == (new / "a.png").resolve()
    assert run_file(root, new.name, "results.json") is not None
    (tmp_path / "secret.png").write_bytes(b"\x89PNG secret")
    (new / "link.png").symlink_to(tmp_path / "secret.png")
    for bad_run, bad_name in [(new.name, "link.png"), ("..", "secret.png"), (new.name, "../a.png"), (new.name, "a.txt"),
                              (".", "a.png"), (new.name, "missing.png"), ("x/../" + new.name, "a.png")]:
        assert run_file(root, bad_run, bad_name) is None, (bad_run, bad_name)


def test_stage_result_follows_the_ui_language() -> None:
    from rag.web.stage_text import missing_question, note_text, request_language

    assert request_language({"accept-language": "zh-CN,zh;q=0.9,en;q=0.8"}) == "zh"
    assert request_language({"accept-language": "en-US,zh;q=0.5"}) == "en" and request_language(None) == "en"
    assert missing_question("N: regional lymph node status (involved stations and side)", "zh") == "请提供：区域淋巴结（N）状态？"
    assert missing_question("N: regional lymph node status", "en") == "What is the regional lymph node status?"
    assert missing_question("echogenic foci", "zh") == "请提供：强回声灶？"
    assert note_text("Stage group not assigned: it could be IB, IIB, IIIA.", "zh") == "未能确定分期组：可能为 IB、IIB、IIIA。"
    assert note_text("No AJCC 8th edition stage group for T4 N3 M0.", "zh") == "AJCC 8th edition 中没有与 T4 N3 M0 对应的分期组。"
    assert note_text("A note no template knows.", "zh") == "（英文原文）A note no template knows."
    assert note_text("Stage group not assigned: it could be IB.", "en") == "Stage group not assigned: it could be IB."
