"""The web page in a real browser (Playwright driving Debian's chromium, no browser download).

Every request the page makes to anything but 127.0.0.1 is blocked and counted; each test ends by
checking the count is 0 (no CDN, no web fonts, no analytics). Screenshots at 1280×800 and 390×844
go to tests/screenshots/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright import sync_api as playwright_api
from web_fixtures import ADMIN, CHROMIUM, WebApp

pytestmark = pytest.mark.slow

SHOTS = Path(__file__).resolve().parent / "screenshots"
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}
TIMEOUT_MS = 120_000

_DONE = r"/(Answered by|回答方式|⚠|Please wait)/g"  # the last line of every finished reply


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed: apt-get install -y chromium fonts-noto-cjk (scripts/test.sh does)")
    with playwright_api.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield instance
        instance.close()


class Page:
    """A page with every non-loopback request blocked and recorded."""

    def __init__(self, browser: Any, app: WebApp, *, locale: str = "en-US", size: str = "desktop") -> None:
        width, height = SIZES[size]
        self.blocked: list[str] = []
        self.context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.page.goto(app.url + "/")
        self.page.wait_for_selector("#question textarea")

    def _route(self, route: Any) -> None:
        url = route.request.url
        if re.match(r"^(https?|wss?)://127\.0\.0\.1(:\d+)?/", url) or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def ask(self, question: str) -> Any:
        count = f"(document.querySelector('#chat').innerText.match({_DONE}) || []).length"
        before = self.page.evaluate(f"() => {count}")
        self.page.fill("#question textarea", question)
        self.page.click("#ask-button")
        self.page.wait_for_function(f"n => {count} > n", arg=before)
        return self.page

    def shot(self, name: str) -> None:
        SHOTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)

    def close(self) -> None:
        self.context.close()
        assert self.blocked == [], f"the page tried to reach outside 127.0.0.1: {self.blocked}"


def _open_tab(page: Any, name: str) -> None:
    """Click a tab, through the overflow menu Gradio folds tabs into on a narrow screen."""
    tab = page.get_by_role("tab", name=name)
    if tab.count() and tab.first.is_visible():
        tab.first.click()
        return
    page.locator(".overflow-menu button").first.click()
    page.locator(".overflow-dropdown button", has_text=name).first.click()


def _filter_options(page: Any, elem_id: str) -> list[str]:
    """The options a filter dropdown offers now (the Filters accordion is opened if closed)."""
    if not page.locator(f"#{elem_id}").is_visible():
        page.get_by_text("Filters", exact=True).click()
    page.wait_for_timeout(500)  # the menus refresh when the Ask tab is opened
    page.click(f"#{elem_id} input")
    options = [o.inner_text().strip() for o in page.get_by_role("option").all()]
    page.keyboard.press("Escape")
    return options


def _choose(page: Any, elem_id: str, option: str) -> None:
    """Pick an option of a Gradio dropdown by its visible text."""
    page.click(f"#{elem_id} input")
    page.get_by_role("option", name=option, exact=True).click()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_ask_in_english_then_click_the_citation(browser: Any, web_app: WebApp, size: str) -> None:
    view = Page(browser, web_app, size=size)
    page = view.ask("What does visceral pleural invasion change in the lung cancer T category?")
    marker = page.locator("#chat a.cite").first
    assert re.fullmatch(r"\[\d+\]", marker.inner_text())
    marker.click()
    card = page.locator("section.ev:not([hidden])")
    card.wait_for()
    assert card.count() == 1
    assert card.locator("mark").first.is_visible()
    assert "AJCC" in card.inner_text() and re.search(r"current|superseded|retired", card.inner_text())
    assert page.url.endswith("/")  # the hash was reset, so the same marker works again
    view.shot(f"ask-{size}")
    view.close()


def test_chinese_question_gets_chinese_ui_and_answer(browser: Any, web_app: WebApp) -> None:
    view = Page(browser, web_app, locale="zh-CN")
    page = view.page
    assert page.get_by_role("tab", name="提问").is_visible()
    view.ask("肺癌T2a的肿瘤大小标准是什么？")
    reply = page.locator("#chat").inner_text()
    assert re.search(r"[\u4e00-\u9fff]", reply.split("肺癌T2a的肿瘤大小标准是什么？", 1)[-1])
    assert "回答方式" in reply
    view.shot("ask-zh-desktop")
    view.close()


def test_follow_up_is_read_with_the_previous_question(browser: Any, web_app: WebApp) -> None:
    view = Page(browser, web_app)
    view.ask("Stage a 3.5 cm lung tumour with N1 nodes")
    page = view.ask("and if the nodes were N2?")
    text = page.locator("#chat").inner_text()
    assert re.search(r"Read as: “[^”]*3\.5 cm[^”]*N2", text), text[-600:]
    view.close()


def test_stage_form_offers_only_the_table_labels(browser: Any, web_app: WebApp) -> None:
    view = Page(browser, web_app)
    page = view.page
    page.get_by_role("tab", name="Stage & RADS").click()
    page.click("#stage-t input")
    options = [o.inner_text().strip() for o in page.get_by_role("option").all()]
    assert "T2a" in options and "T9" not in options and len(options) > 8
    page.get_by_role("option", name="T2a", exact=True).click()
    _choose(page, "stage-n", "N1")
    _choose(page, "stage-m", "M0")
    page.click("#stage-button")
    page.wait_for_function("() => document.querySelector('#stage-result').innerText.includes('IIB')")
    page.locator("#stage-result a.cite").first.click()
    assert page.locator("section.ev:not([hidden])").first.is_visible()
    view.shot("stage-form-desktop")
    _choose(page, "stage-system", "ACR-TI-RADS")  # no feature is preselected: unrecorded features score nothing
    page.locator("#ti-composition").wait_for()
    assert page.input_value("#ti-composition input") == ""
    _choose(page, "ti-composition", "solid (2 pts)")
    _choose(page, "ti-echogenic_foci", "punctate (3 pts)")
    page.wait_for_function("() => document.querySelector('#ti-points').innerText.startsWith('5 points')")
    view.close()


def test_pasted_report_is_highlighted(browser: Any, web_app: WebApp) -> None:
    view = Page(browser, web_app, size="phone")
    page = view.page
    page.get_by_role("tab", name="Stage & RADS").click()
    page.fill("#stage-report textarea", "Right upper lobe adenocarcinoma, 3.5 cm, visceral pleural invasion present, "
                                        "1/12 hilar nodes positive, no distant metastasis.")
    page.click("#stage-report-button")
    page.wait_for_selector("#stage-result .report mark")
    marks = [m.inner_text() for m in page.locator("#stage-result .report mark").all()]
    assert any("3.5 cm" in m for m in marks), marks
    assert "IIB" in page.locator("#stage-result").inner_text()
    page.locator("#stage-result .report").scroll_into_view_if_needed()
    view.shot("stage-report-phone")
    view.close()


def test_librarian_uploads_a_pdf_it_is_cited_with_its_page_then_retired(browser: Any, web_app: WebApp, tmp_path: Path) -> None:
    from conftest import make_pdf

    pdf = make_pdf(tmp_path / "heron.pdf", [
        [("heading", "Heron scheme"), ("text", "This document describes the heron lesion scheme used by the browser test.")],
        [("heading", "Heron categories"), ("text", "A heron lesion larger than 40 mm is heron category H5 and is removed. "
                                                   "A heron lesion of 40 mm or less is heron category H2.")],
    ])
    view = Page(browser, web_app)
    page = view.page
    page.get_by_role("tab", name="Library").click()
    page.fill("#lib-user textarea", ADMIN[0])
    page.fill("#lib-password input", ADMIN[1])
    page.click("#lib-login")
    page.wait_for_function("() => (document.querySelector('#lib-who')?.innerText || '').includes('Logged in as')")
    assert ADMIN[0] in page.locator("#lib-who").inner_text()
    assert not page.locator("#lib-login-row").is_visible() and page.locator("#lib-logout").is_visible()
    page.set_input_files("#lib-file input[type=file]", str(pdf))
    page.fill("#lib-system input, #lib-system textarea", "Heron")
    page.fill("#lib-edition input, #lib-edition textarea", "Heron 2025")
    page.fill("#lib-date input, #lib-date textarea", "2025-03-01")
    page.fill("#lib-title input, #lib-title textarea", "Heron lesion scheme")
    page.click("#lib-upload")
    try:
        page.wait_for_function("() => /^\\s*[✓⚠]/.test(document.querySelector('#lib-message').innerText)", timeout=300_000)
    except playwright_api.TimeoutError:
        log = (web_app.directory / "app.log").read_text(errors="replace")[-3000:]
        pytest.fail(f"no upload result; the page says {page.locator('#lib-message').inner_text()!r}; app log:\n{log}")
    message = page.locator("#lib-message").inner_text()
    assert re.search(r"✓ added heron", message), message
    assert "heron" in page.locator("#lib-documents").inner_text()
    view.shot("library-desktop")

    page.get_by_role("tab", name="Ask").click()
    assert "Heron" in _filter_options(page, "f-system")  # the menus list the catalogue, uploads included
    assert "Heron 2025" in _filter_options(page, "f-edition")
    view.ask("What heron category is a heron lesion larger than 40 mm?")
    page.locator("#chat a.cite").first.click()
    image = page.locator("section.ev:not([hidden]) img.ev-page")
    image.wait_for()
    page.wait_for_function("img => img.complete && img.naturalWidth > 100", arg=image.element_handle())
    assert "2" in page.locator("section.ev:not([hidden]) .ev-meta").inner_text()
    view.shot("ask-pdf-desktop")

    page.get_by_role("tab", name="Library").click()
    page.fill("#lib-docid input, #lib-docid textarea", "heron")
    page.fill("#lib-reason input, #lib-reason textarea", "browser test")
    page.click("#lib-retire")
    page.wait_for_function("() => document.querySelector('#lib-message').innerText.includes('retired')")
    page.get_by_role("tab", name="Ask").click()
    page.wait_for_function("() => true")
    assert "Heron" not in _filter_options(page, "f-system")  # a retired document is no longer offered
    page.get_by_role("tab", name="Library").click()
    page.click("#lib-logout")
    page.locator("#lib-login-row").wait_for(state="visible")
    assert not page.locator("#lib-logout").is_visible()
    view.close()
    with web_app.client() as client:
        answer = client.post("/api/ask", json={"question": "What heron category is a heron lesion larger than 40 mm?"}).json()
    assert "heron" not in {c["doc_id"] for c in answer["citations"]}


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_stage_result_in_chinese(browser: Any, web_app: WebApp, size: str) -> None:
    view = Page(browser, web_app, locale="zh-CN", size=size)
    page = view.page
    _open_tab(page, "分期与RADS")
    page.fill("#stage-report textarea", "Right upper lobe adenocarcinoma, 3.5 cm, visceral pleural invasion present, "
                                        "no distant metastasis.")  # no node status: the result asks for it
    page.click("#stage-report-button")
    page.wait_for_selector("#stage-result .report mark")
    text = page.locator("#stage-result").inner_text()
    assert "尚需提供" in text and "请提供：区域淋巴结（N）状态？" in text, text
    assert "未能确定分期组" in text and "Still needed" not in text and "Stage group not assigned" not in text
    assert "报告中的依据" in text and "所用规则" in text
    page.locator("#stage-result").scroll_into_view_if_needed()
    view.shot(f"stage-report-zh-{size}")
    view.close()


def test_evaluation_page_shows_the_newest_run(browser: Any, web_app: WebApp) -> None:
    import json

    from web_fixtures import eval_root, run_calculators_eval

    view = Page(browser, web_app)
    page = view.page
    _open_tab(page, "Evaluation")
    if not eval_root(web_app).exists():  # this test ran first: the page says how to make a run
        page.wait_for_function("() => document.querySelector('#eval-page').innerText.includes('No evaluation run yet')")
        assert "rag eval calculators" in page.locator("#eval-page").inner_text()
        view.shot("eval-empty-desktop")
    folder = run_calculators_eval(web_app)
    results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    page.click("#eval-refresh")
    page.wait_for_function("name => document.querySelector('#eval-page').innerText.includes(name)", arg=folder.name)
    table = page.locator("#eval-page table").first
    rows = [r.inner_text().split("\t") for r in table.locator("tr").all()]
    assert ["cases", str(results["cases"])] in [[c.strip() for c in r] for r in rows], rows
    view.shot("eval-desktop")
    image = page.locator(f"#eval-page img[src*='{results['plots'][0]}']").first
    image.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 300", arg=image.element_handle())
    view.shot("eval-plot-desktop")
    view.close()
    phone = Page(browser, web_app, size="phone")
    _open_tab(phone.page, "Evaluation")
    phone.page.wait_for_function("name => document.querySelector('#eval-page').innerText.includes(name)", arg=folder.name)
    phone.shot("eval-phone")
    phone.close()


def test_pdf_sentence_across_a_page_break_shows_both_pages(browser: Any, web_app: WebApp, tmp_path: Path) -> None:
    from pdf_page_break import QUESTION, make_page_break_pdf

    pdf = make_page_break_pdf(tmp_path / "harrier.pdf")
    token = web_app.login()
    with web_app.client(headers={"Authorization": f"Bearer {token}"}) as client:
        response = client.post("/api/admin/upload", files={"file": ("harrier.pdf", pdf.read_bytes(), "application/pdf")},
                               data={"system": "Harrier", "edition": "Harrier 2025", "effective_date": "2025-04-01"})
    assert response.status_code == 200, response.text
    view = Page(browser, web_app)
    page = view.ask(QUESTION)
    # The card of the harrier citation whose sentence the page break cuts: two page images.
    card_id = page.evaluate("""() => { const s = [...document.querySelectorAll('section.ev')]
        .find(s => s.querySelectorAll('img.ev-page').length === 2); return s ? s.id : null; }""")
    assert card_id, page.locator("#chat").inner_text()[-800:]
    page.click(f"#chat a.cite[href$='#ev-{card_id[4:]}']")
    card = page.locator(f"#{card_id}")
    card.wait_for()
    images = card.locator("img.ev-page")
    assert [images.nth(i).get_attribute("alt") for i in range(2)] == ["page 1", "page 2"]
    for i in range(2):
        images.nth(i).scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 300", arg=images.nth(i).element_handle())
    assert card.locator(".ev-cont mark").is_visible()
    view.shot("ask-pdf-two-pages-desktop")
    images.nth(1).scroll_into_view_if_needed()
    view.shot("ask-pdf-two-pages-page2-desktop")
    view.close()
    phone = Page(browser, web_app, size="phone")
    phone.ask(QUESTION)
    phone.page.click(f"#chat a.cite[href$='#ev-{card_id[4:]}']")
    phone.page.locator(f"#{card_id} img.ev-page").nth(1).scroll_into_view_if_needed()
    phone.shot("ask-pdf-two-pages-phone")
    phone.close()
