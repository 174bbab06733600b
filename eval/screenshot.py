"""Make the README's screenshot of the chat: ``python -m eval.screenshot`` writes ``docs/chat.png``.

It serves the chat (``python app.py``) over a temporary copy of ``documents/`` with a temporary index, opens it in
headless Chromium (playwright, driving the system's ``/usr/bin/chromium``), asks "What did Lavrov warn about?",
waits for the answer and its highlighted source, saves the picture and stops the server. Elements are found by
their ids (``#qa-question``, ``#qa-chat``), so a change of the page's layout does not break it.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from pathlib import Path

from eval.served import CHROMIUM, CHROMIUM_ARGS, REPO, start_chat, stop_chat

QUESTION = "What did Lavrov warn about?"
REPLY = "#qa-chat .qa-answer, #qa-chat .qa-error"


def start_chat_over_the_sample(folder: Path, timeout_s: float) -> tuple[subprocess.Popen, str]:
    """The chat over a copy of documents/ in ``folder``, named "documents" (not by the temporary folder's path)."""
    documents = folder / "documents"
    shutil.copytree(REPO / "documents", documents)
    flags = ("--collection", "documents")
    return start_chat(documents, folder / "index", folder / "server.log", *flags, timeout_s=timeout_s)


def take_screenshot(url: str, output: Path, question: str, width: int, height: int, timeout_s: float) -> str:
    """Ask ``question`` in the chat at ``url`` and save the page once the answer's source is shown; the answer."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(url, wait_until="domcontentloaded")
            box = page.locator("#qa-question textarea")
            box.wait_for(timeout=timeout_s * 1000)
            box.fill(question)
            box.press("Enter")
            page.wait_for_selector(REPLY, timeout=timeout_s * 1000)
            reply = page.locator(REPLY).last
            if "qa-error" in (reply.get_attribute("class") or ""):
                raise RuntimeError(f"the chat answered with an error: {reply.inner_text()}")
            mark = page.locator("#qa-chat mark").first  # the answer highlighted in its source
            if not mark.is_visible():  # the Sources message collapsed: open it
                page.locator("#qa-chat").get_by_text("Sources", exact=False).last.click()
            mark.wait_for(state="visible", timeout=10_000)
            box.blur()
            page.mouse.move(0, 0)
            page.wait_for_timeout(800)  # the Sources message's opening animation
            output.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(output), full_page=False)
            return reply.inner_text()
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=REPO / "docs" / "chat.png")
    parser.add_argument("--question", default=QUESTION)
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=1100)
    parser.add_argument("--timeout", type=float, default=300, help="seconds to wait for the server and the answer")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="qa-screenshot-") as folder:
        process, url = start_chat_over_the_sample(Path(folder), args.timeout)
        try:
            answer = take_screenshot(url, args.output, args.question, args.width, args.height, args.timeout)
        finally:
            stop_chat(process)
    print(f"wrote {args.output}: {args.question!r} answered {' '.join(answer.split())!r}")


if __name__ == "__main__":
    main()
