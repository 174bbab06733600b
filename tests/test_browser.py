"""The chat page in a real headless Chromium (Playwright driving /usr/bin/chromium; never `playwright install`).

Screenshots and the latency report go to tests/artifacts/. Skipped only when /usr/bin/chromium is missing.
The reader is the server's default unless QA_READER is set (see tests/test_web.py).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import time
from pathlib import Path

import pytest
from conftest import start_server, stop_server

from eval.served import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
ANSWER_TIMEOUT_MS = 120_000
LAVROV = "“The plans of the US, as well as NATO to place weapons in outer space are taking shape,” Lavrov warned."
SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=1">'
INJECTION_TEXT = f"""Quorvex log {IMG}

The Quorvex tower maintenance log contains {SCRIPT} and {IMG} as plain text.
Its keeper also wrote **not bold** and [a link](javascript:window.__pwned=1) there.
"""
LATENCY_QUESTIONS = [
    "What did Lavrov warn about?",
    "Who heads Roscosmos?",
    "What did Lloyd Austin call Russia?",
    "Which organisation did Lavrov criticise?",
    "What did Rogozin say on Twitter?",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``python app.py`` over the sample article plus a document full of markup."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium chromium-driver")
    base = tmp_path_factory.mktemp("browser")
    documents = base / "documents"
    shutil.copytree(ROOT / "documents", documents)
    (documents / "quorvex-log.txt").write_text(INJECTION_TEXT)
    began = time.monotonic()
    process, url = start_server(documents, base / "index", base / "server.log")
    print(f"server ready in {time.monotonic() - began:.1f} s")
    yield url
    stop_server(process)


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server):
    page = browser.new_page(viewport={"width": 1400, "height": 1250})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(server, wait_until="domcontentloaded")
    page.wait_for_selector("#qa-question textarea", timeout=60_000)
    yield page
    page.close()
    assert not errors, errors


def ask(page, question: str) -> float:
    """Type ``question``, press Enter, wait for its answer (or message); seconds from Enter to the answer shown."""
    replies = page.locator("#qa-chat .qa-answer, #qa-chat .qa-error")
    before = replies.count()
    box = page.locator("#qa-question textarea")
    box.fill(question)
    began = time.perf_counter()
    box.press("Enter")
    page.wait_for_function(
        "n => document.querySelectorAll('#qa-chat .qa-answer, #qa-chat .qa-error').length > n",
        arg=before,
        timeout=ANSWER_TIMEOUT_MS,
    )
    seconds = time.perf_counter() - began
    page.wait_for_timeout(100)  # let the Sources message render in the same update
    return seconds


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_question_answer_and_sources_in_browser(page):
    ask(page, "What did Lavrov warn about?")
    answer = page.locator("#qa-chat .qa-answer").last
    answer_text = flat(answer.locator(".qa-text").inner_text())
    assert answer_text and "confidence" in answer.inner_text()
    sources = page.locator("#qa-chat .thought").last
    assert "Sources" in sources.inner_text()
    passage = flat(sources.locator(".qa-passage").first.inner_text())
    assert "place weapons in outer space" in passage
    marked = flat(sources.locator(".qa-passage mark").first.inner_text())
    assert marked and (marked in LAVROV or "place weapons in outer space" in marked), marked
    assert answer_text in passage  # the answer is a span of the passage shown as its source
    assert "characters" in sources.inner_text() and "russia-space-militarisation.txt" in sources.inner_text()
    page.wait_for_function(
        "() => [...document.querySelectorAll('#qa-chat .thought')].pop().getBoundingClientRect().height > 120",
        timeout=10_000,
    )  # the Sources panel opened
    page.wait_for_timeout(500)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "browser-answer.png"), full_page=False)


def test_follow_up_uses_this_conversation_only(page):
    ask(page, "What did Lloyd Austin call Russia?")
    ask(page, "What about Lavrov?")
    meta = page.locator("#qa-chat .qa-answer").last.locator(".qa-meta").inner_text()
    assert ("read as" in meta and "Lavrov" in meta) or "read with the last turn" in meta, meta  # history used
    page.get_by_role("button", name="New conversation").click()
    page.wait_for_function("() => !document.querySelector('#qa-chat .qa-answer')", timeout=10_000)
    ask(page, "What about Lavrov?")
    meta = page.locator("#qa-chat .qa-answer, #qa-chat .qa-error").last.inner_text()
    assert "read as" not in meta and "read with" not in meta, meta  # a new conversation has no history


def test_markup_in_documents_and_questions_is_shown_as_text(page):
    ask(page, "What does the Quorvex tower maintenance log contain?")
    ask(page, f"{IMG} {SCRIPT} What did the Quorvex keeper write?")
    page.wait_for_timeout(500)  # an onerror handler would have fired by now
    assert page.evaluate("typeof window.__pwned") == "undefined"
    chat = page.locator("#qa-chat")
    chat.locator(".thought").last.scroll_into_view_if_needed()
    shown = chat.inner_text()
    assert SCRIPT in shown and IMG in shown  # markup visible as text, in the question and in the sources
    assert "**not bold**" in shown or "[a link](javascript:window.__pwned=1)" in shown
    assert chat.locator("img[src='x'], script, a[href^='javascript']").count() == 0
    table = page.locator("#qa-documents")
    assert "Quorvex log" in table.inner_text()
    assert page.locator("#qa-documents img").count() == 0
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "browser-injection.png"), full_page=False)


def test_upload_in_the_page_then_ask(page, tmp_path):
    path = tmp_path / "zorblat-notes.txt"
    path.write_text("Zorblat town notes\n\nThe Zorblat bridge was opened in 1987 by mayor Elna Kvist.\n")
    page.locator("#qa-upload input[type=file]").set_input_files(str(path))
    page.wait_for_function(
        "() => (document.querySelector('#qa-upload-status')?.innerText || '').includes('zorblat-notes.txt: indexed')",
        timeout=ANSWER_TIMEOUT_MS,
    )
    page.wait_for_function(
        "() => document.querySelector('#qa-documents').innerText.includes('zorblat-notes.txt')",
        timeout=ANSWER_TIMEOUT_MS,
    )
    ask(page, "Who opened the Zorblat bridge?")
    sources = page.locator("#qa-chat .thought").last
    assert "zorblat-notes.txt" in sources.inner_text()
    assert "Elna Kvist" in flat(sources.locator(".qa-passage").first.inner_text())


def test_twenty_questions_latency(page):
    """Median seconds from pressing Enter to the answer on screen, over 20 questions in one conversation."""
    seconds = [ask(page, LATENCY_QUESTIONS[i % len(LATENCY_QUESTIONS)]) for i in range(20)]
    answered = page.locator("#qa-chat .qa-answer").count()
    assert answered == 20
    report = {
        "questions": 20,
        "median_s": round(statistics.median(seconds), 3),
        "p90_s": round(sorted(seconds)[17], 3),
        "max_s": round(max(seconds), 3),
        "seconds": [round(s, 3) for s in seconds],
        "reader": os.environ.get("QA_READER") or "default",
    }
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "browser-latency.json").write_text(json.dumps(report, indent=2))
    print(f"median Enter-to-answer over 20 questions: {report['median_s']:.2f} s (p90 {report['p90_s']:.2f} s)")
    assert report["median_s"] < 30


def test_chat_messages_are_labelled_with_plain_text(page):
    """Screen readers read each message's aria-label: its text, never the HTML it is rendered from."""
    question = "What did Lloyd Austin's <b>team</b> call Russia?"
    ask(page, question)
    page.wait_for_timeout(500)
    labels = page.evaluate(
        "() => [...document.querySelectorAll('#qa-chat [aria-label]')].map(e => e.getAttribute('aria-label'))"
    )
    messages = [label for label in labels if "'s message: " in label]
    assert len(messages) >= 3, labels  # the question, the answer and its sources
    assert f"user's message: {question}" in messages  # markup a person typed stays as they typed it
    for label in messages[1:]:
        assert not re.search(r"<(div|span|br|b|mark|ul|li)\b|&#?\w+;|class=", label), label
    assert any("confidence" in label or "do not say" in label for label in messages), messages


def test_the_settings_are_under_a_closed_advanced_accordion_below_the_documents(page):
    slider = page.get_by_label("Passages to read (top-k)", exact=False).first
    assert not slider.is_visible()  # closed: a newcomer sees the documents first
    advanced = page.locator("#qa-advanced")
    assert advanced.bounding_box()["y"] > page.locator("#qa-documents").bounding_box()["y"]
    advanced.get_by_text("Advanced").first.click()
    page.get_by_label("Passages to read (top-k)", exact=False).first.wait_for(state="visible", timeout=10_000)
    assert page.get_by_text("Retrieval", exact=True).first.is_visible()
