"""The web pages in a real browser (headless Chromium via Selenium): type, wait for KaTeX, read the DOM."""
from __future__ import annotations

import urllib.parse

import pytest

pytest.importorskip("selenium")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

WAIT = 90


def wait_for(browser, css):
    return WebDriverWait(browser, WAIT).until(EC.presence_of_element_located((By.CSS_SELECTOR, css)))


def typed(browser, element_id, text):
    el = browser.find_element(By.ID, element_id)
    el.clear()
    el.send_keys(text)
    return el


def test_derive_page_typeset_result_and_shareable_url(server, browser, shot):
    browser.get(server + "/derive")
    typed(browser, "expr", "A.T @ A")
    typed(browser, "wrt", "A")
    typed(browser, "shapes", "A=3x2")
    Select(browser.find_element(By.ID, "convention")).select_by_value("notes")
    browser.find_element(By.ID, "derive-submit").click()
    wait_for(browser, "#result .katex")
    # the rendered Jacobian (NOTES, the lecture notes' matrix): first row 2A11, 0, 2A21, 0, 2A31, 0
    latex = browser.find_element(By.ID, "latex-source").get_attribute("value")
    assert r"2 A_{11} & 0 & 2 A_{21} & 0 & 2 A_{31} & 0 \\" in latex
    assert "verified" in browser.find_element(By.ID, "verification").text
    assert "4×6" in browser.find_element(By.ID, "result").text
    closed = browser.find_element(By.ID, "closed-form")
    assert closed.find_elements(By.CSS_SELECTOR, ".katex")
    steps = browser.find_elements(By.CSS_SELECTOR, "#steps .step h3")
    assert [s.text.split(". ", 1)[1].split(" verified")[0] for s in steps][:2] == ["Problem", "Component functions"]
    numpy_code = browser.find_element(By.ID, "numpy-source").text
    assert numpy_code.startswith("import numpy") and "def jacobian(A):" in numpy_code
    # the URL encodes the inputs: opening it again gives the same page
    query = urllib.parse.parse_qs(urllib.parse.urlparse(browser.current_url).query)
    assert query == {"expr": ["A.T @ A"], "wrt": ["A"], "shapes": ["A=3x2"], "convention": ["notes"], "mode": ["both"]}
    shot("derive")
    browser.get(browser.find_element(By.ID, "share-link").get_attribute("href"))
    wait_for(browser, "#result .katex")
    assert browser.find_element(By.ID, "latex-source").get_attribute("value") == latex


def test_derive_size_free_shapes_give_the_closed_form_only(server, browser):
    browser.get(server + "/derive?" + urllib.parse.urlencode(
        {"expr": "A @ x", "wrt": "x", "shapes": "A=mxn, x=n", "convention": "vec", "mode": "both"}))
    wait_for(browser, "#closed-form .katex")
    assert not browser.find_elements(By.ID, "latex-source")
    assert browser.find_element(By.ID, "closed-source").get_attribute("value") == "A"


def test_derive_bad_input_is_an_error_page_without_traceback(server, browser, shot):
    browser.get(server + "/derive?" + urllib.parse.urlencode(
        {"expr": "A @ B", "wrt": "A", "shapes": "A=3x2, B=3x2", "convention": "vec"}))
    msg = wait_for(browser, "#error-message").text
    assert msg == "function: cannot multiply 3x2 by 3x2 (at column 1): inner sizes 2 and 3 differ in 'A @ B'"
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "Traceback" not in body and "That input could not be used" in body
    browser.get(server + "/derive?" + urllib.parse.urlencode(
        {"expr": "__import__('os').system('true')", "wrt": "A", "shapes": "A=3x2"}))
    assert wait_for(browser, "#error-message").text
    assert "Traceback" not in browser.find_element(By.TAG_NAME, "body").text
    shot("derive-error")


def test_check_page_live_preview_and_verdicts(server, browser, shot):
    browser.get(server + "/check")
    Select(browser.find_element(By.ID, "problem")).select_by_value("linear_map_A")
    answer = typed(browser, "answer", r"I_2 \otimes x^\top")
    wait_for(browser, "#preview .katex")       # live preview of how the answer is read
    answer.submit()
    verdict = wait_for(browser, "#verdict").text
    message = browser.find_element(By.ID, "message").text
    assert verdict in ("correct", "incorrect")
    # the spec's convention decides: the Kronecker order that is right under it is correct, the other transposed
    other = r"x^\top \otimes I_2" if verdict == "correct" else r"I_2 \otimes x^\top"
    assert browser.find_elements(By.CSS_SELECTOR, ".parsed .katex")
    browser.get(server + "/check")
    Select(browser.find_element(By.ID, "problem")).select_by_value("linear_map_A")
    typed(browser, "answer", other).submit()
    second = wait_for(browser, "#verdict").text
    assert {verdict, second} == {"correct", "incorrect"}, (message, browser.find_element(By.ID, "message").text)
    if second == "incorrect":
        assert browser.find_element(By.ID, "diagnosis").text.startswith("Diagnosis:")
    shot("check")


def test_check_pasted_spec_wrong_entries_table(server, browser):
    spec = 'title = "Ax by x"\nfunction = "A @ x"\nwrt = "x"\n[shapes]\nA = [2, 2]\nx = [2]\n'
    browser.get(server + "/check")
    browser.find_element(By.CSS_SELECTOR, "details summary").click()
    typed(browser, "spec", spec)
    typed(browser, "answer", r"\begin{bmatrix} A_{11} & A_{12} \\ A_{21} & 0 \end{bmatrix}").submit()
    assert wait_for(browser, "#verdict").text == "incorrect"
    assert "1 of 4" in browser.find_element(By.ID, "message").text
    rows = browser.find_elements(By.CSS_SELECTOR, "#wrong-entries tbody tr")
    assert len(rows) == 1 and rows[0].find_element(By.TAG_NAME, "td").text == "(2, 2)"
    assert rows[0].find_elements(By.CSS_SELECTOR, ".katex")


def test_check_unreadable_answer_is_invalid(server, browser):
    browser.get(server + "/check?problem=gram")
    typed(browser, "answer", r"\begin{bmatrix} A_{11} & \end{").submit()
    assert wait_for(browser, "#verdict").text == "invalid"
    assert "Traceback" not in browser.find_element(By.TAG_NAME, "body").text


def test_catalogue_lists_and_renders_every_page_link(server, browser, shot):
    from pathlib import Path

    names = sorted(p.stem for p in (Path(__file__).resolve().parents[2] / "derivations").glob("*.toml"))
    browser.get(server + "/catalogue")
    links = browser.find_elements(By.CSS_SELECTOR, "#catalogue-list a")
    assert sorted(a.get_attribute("href").rsplit("/", 1)[1] for a in links) == names
    shot("catalogue")
    browser.get(server + "/catalogue/gram")
    wait_for(browser, ".step .katex")
    assert browser.find_element(By.ID, "entry-title").text.startswith("Gradient of K")
    assert len(browser.find_elements(By.CSS_SELECTOR, ".step")) >= 4
    shot("catalogue-gram")


def test_oversized_request_gets_413_page(server, browser):
    """A form over the size limit: the browser shows the 413 page (posted by the page's own form)."""
    browser.get(server + "/check?problem=gram")
    browser.execute_script("document.getElementById('answer').value = 'A'.repeat(200000);")
    browser.find_element(By.ID, "check-submit").click()
    heading = wait_for(browser, ".error-page h1").text
    assert heading == "Request too large"
    assert "64 KiB" in browser.find_element(By.ID, "error-message").text
