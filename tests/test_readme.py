"""The README's examples run as written, in a copy of the repository's samples, and give the answers they promise.

Its ```python blocks run in this process and its ```bash lines in a shell, in README order, each kind in a fresh
temporary folder holding copies of ``documents/`` and ``handbook/`` (the root of a clone, as the README says) with
``HOME`` set to a folder beside it whose ``papers`` is a copy of ``handbook/`` and ``notes`` one of ``documents/``:
nothing is written into the repository. A comment that begins with a quoted answer promises it: after a Python
statement so commented, the last question asked got exactly that answer; a shell line so commented prints it as
its answer. ``FACTS`` checks more of what the README says around its examples. Shell lines that install software,
start a server or PostgreSQL, evaluate on SQuAD or train are not run (``NOT_RUN``).

The handbook's files are checked too: each loads, the PDF and the Word file are what ``eval/make_handbook.py``
makes of its text.
"""

from __future__ import annotations

import ast
import io
import os
import re
import shutil
import subprocess
import sys
import tokenize
from collections.abc import Iterator
from pathlib import Path

import pytest

from qa import pipeline
from qa.documents.loading import load_document
from qa.models import AskResult
from qa.pipeline import QA

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
HANDBOOK = REPO / "handbook"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
PROMISE = re.compile(r'^#\s*"([^"]+)"')  # a comment that begins with a quoted answer
SHELL_PROMISE = re.compile(r'\s#\s*"([^"]+)"')
# Shell lines not run, by how they begin; a block holding one of BLOCK_NOT_RUN is not run at all (its other lines
# need what that line sets up).
NOT_RUN = {
    "pip install": "installs the package",
    "apt-get": "installs system packages",
    "sudo ": "administers a PostgreSQL server",
    "export QA_STORE": "points qa at PostgreSQL",
    "qa postgres": "starts PostgreSQL (the store on it: tests/test_store.py)",
    "qa serve": "starts the chat (tests/test_web.py, tests/test_browser.py)",
    "curl ": "asks a running chat's JSON API (tests/test_web.py)",
    "qa eval": "an evaluation, minutes long (tests/test_evaluation.py)",
    "qa train-reader": "trains for 100 minutes",
}
BLOCK_NOT_RUN = ("apt-get", "sudo ", "export QA_STORE", "qa postgres")
HANDBOOK_TITLES = {
    "welcome.txt": "Welcome to Kestrel Maps",
    "remote-work.md": "Remote work policy",
    "holidays-and-leave.html": "Holidays and leave",
    "travel-policy.pdf": "Travel and expenses policy",
    "security-policy.docx": "Information security policy",
}
TRAVEL, SECURITY, REMOTE = "Travel and expenses policy", "Information security policy", "Remote work policy"


def blocks(language: str) -> list[tuple[int, str]]:
    """The README's fenced blocks of ``language``: the line number of each one's first line, and its code."""
    text = README.read_text(encoding="utf-8")
    return [
        (text.count("\n", 0, found.start(2)) + 1, found.group(2))
        for found in FENCE.finditer(text)
        if found.group(1) == language
    ]


def promises(code: str) -> dict[int, str]:
    """The answers promised by the comments of a Python block, by line (1-based in the block)."""
    comments = (t for t in tokenize.generate_tokens(io.StringIO(code).readline) if t.type == tokenize.COMMENT)
    return {c.start[0]: found.group(1) for c in comments if (found := PROMISE.match(c.string))}


def shell_lines() -> list[tuple[int, str, str | None]]:
    """Each line of the README's bash blocks: its line number, the line, and why it is not run (None: it is)."""
    lines = []
    for first, code in blocks("bash"):
        held = [line for line in code.splitlines() if line.strip()]
        setup = any(line.startswith(BLOCK_NOT_RUN) for line in held)
        for number, line in enumerate(code.splitlines()):
            if line.strip():
                reason = next((why for start, why in NOT_RUN.items() if line.startswith(start)), None)
                lines.append((first + number, line, reason or ("needs its block's set-up" if setup else None)))
    return lines


def samples_state() -> list[tuple[str, int, int]]:
    """Every file of the repository's sample folders, with its size and modification time."""
    return [
        (str(path), path.stat().st_size, path.stat().st_mtime_ns)
        for name in ("documents", "handbook")
        for path in sorted((REPO / name).rglob("*"))
    ]


@pytest.fixture
def clone(tmp_path) -> Iterator[Path]:
    """A folder like the root of a fresh clone (documents/ and handbook/), with HOME beside it holding papers/ (a
    copy of the handbook) and notes/ (a copy of documents/); the repository's own samples stay as they were."""
    before = samples_state()
    root = tmp_path / "clone"
    for name in ("documents", "handbook"):
        shutil.copytree(REPO / name, root / name)
    home = tmp_path / "home"
    shutil.copytree(REPO / "handbook", home / "papers")
    shutil.copytree(REPO / "documents", home / "notes")
    yield root
    assert samples_state() == before


def assert_citations_exact(engine: QA, result: AskResult) -> None:
    for citation in result.citations + [c for part in result.parts for c in part.citations]:
        document = engine.store.get_documents([citation.document_id])[citation.document_id]
        assert document.text[citation.start : citation.end] == citation.quote
        assert document.text[citation.passage_start : citation.passage_end] == citation.passage_text


def check_lavrov(result: AskResult) -> None:
    assert result.answer and "place weapons in outer space" in result.citations[0].passage_text


def check_follow_up(result: AskResult) -> None:
    assert "Rogozin" in result.resolved_question or result.history_turns_read, result.resolved_question
    assert result.answer and "YouTube" in result.citations[0].passage_text


def check_two_parts(result: AskResult) -> None:
    assert [part.text for part in result.parts] == ["40 euros", "35 euros per day"]
    assert [[c.title for c in part.citations] for part in result.parts] == [[REMOTE], [TRAVEL]]
    assert result.parts[1].citations[0].page == 2  # the PDF's second page


def check_joint(result: AskResult) -> None:
    assert {c.title for c in result.citations} == {TRAVEL, SECURITY}


def check_declined(result: AskResult) -> None:
    assert result.answer is None and "do not say" in (result.no_answer_reason or "")  # ~/papers is the handbook


FACTS = {
    "What did Lavrov warn about?": check_lavrov,
    "What did he say on YouTube?": check_follow_up,
    "What is the monthly internet stipend and the EU meal allowance?": check_two_parts,
    "Which travel booking system requires MFA?": check_joint,
    "Which dataset did the authors use?": check_declined,
}


@pytest.mark.slow
def test_python_examples_run_and_give_the_promised_answers(clone, monkeypatch, write_pdf):
    monkeypatch.chdir(clone)
    monkeypatch.setenv("HOME", str(clone.parent / "home"))
    monkeypatch.setattr(pipeline, "_default_engine", None)  # ask() makes its own, here
    write_pdf(clone / "new-report.pdf", [["Quarterly report", "Sales grew by 12 percent in the third quarter."]])
    asked: list[tuple[QA, AskResult]] = []
    original_ask = QA.ask

    def recording_ask(self, question, *args, **kwargs):
        result = original_ask(self, question, *args, **kwargs)
        asked.append((self, result))
        return result

    monkeypatch.setattr(QA, "ask", recording_ask)
    checked_promises = 0
    for first, code in blocks("python"):
        promised, namespace = promises(code), {"__name__": "readme"}
        for statement in ast.parse(code).body:
            where = f"README.md line {first + statement.lineno - 1}"
            exec(compile(ast.Module([statement], type_ignores=[]), where, "exec"), namespace)
            for line in range(statement.lineno, (statement.end_lineno or statement.lineno) + 1):
                if line in promised:
                    assert asked, f"{where} promises {promised[line]!r} before any question"
                    assert asked[-1][1].answer == promised[line], (where, asked[-1][1].alternatives[:3])
                    checked_promises += 1
    assert checked_promises >= 2
    questions = {result.question for _, result in asked}
    assert set(FACTS) <= questions, f"the README no longer asks {set(FACTS) - questions}"
    for engine, result in asked:
        assert_citations_exact(engine, result)
        FACTS[result.question](result)
    assert (clone.parent / "home" / "papers" / "new-report.pdf").exists()  # add_documents copied it


@pytest.mark.slow
def test_shell_examples_run_and_give_the_promised_answers(clone, tmp_path, write_pdf):
    """Every bash line of the README not in NOT_RUN, in README order, in a shell whose ``qa`` is this checkout's."""
    write_pdf(clone / "new-report.pdf", [["Quarterly report", "Sales grew by 12 percent in the third quarter."]])
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "qa").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m qa.app.cli "$@"\n')
    (bin_dir / "qa").chmod(0o755)
    home = Path.home()
    env = {
        **os.environ,
        "HOME": str(clone.parent / "home"),
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(REPO),
        "HF_HUB_OFFLINE": "1",
        "HF_HOME": os.environ.get("HF_HOME", str(home / ".cache" / "huggingface")),  # the real home's caches
        "QA_CACHE_DIR": os.environ.get("QA_CACHE_DIR", str(home / ".cache" / "qa")),
    }
    ran = []
    for number, line, reason in shell_lines():
        if reason:
            print(f"README.md line {number} not run ({reason}): {line}")
            continue
        done = subprocess.run(
            ["bash", "-c", line], cwd=clone, env=env, capture_output=True, text=True, timeout=600, check=False
        )
        output = done.stdout + done.stderr
        assert done.returncode == 0, f"README.md line {number} exited {done.returncode}: {line}\n{output[-3000:]}"
        promised = SHELL_PROMISE.search(line)
        if promised:
            assert f"Answer: {promised.group(1)} " in done.stdout, f"README.md line {number}: {line}\n{done.stdout}"
        ran.append(line)
    assert "qa index handbook" in ran and any(line.startswith("qa ask") and "handbook" in line for line in ran)


def test_each_handbook_file_loads_with_its_title():
    files = sorted(HANDBOOK.iterdir())
    assert {path.name for path in files} == set(HANDBOOK_TITLES)
    assert {path.suffix for path in files} == {".txt", ".md", ".html", ".pdf", ".docx"}
    for path in files:
        document = load_document(path)
        assert document.title == HANDBOOK_TITLES[path.name]
        assert 800 < len(document.text) < 6000, (path.name, len(document.text))  # a page or two
    pdf = load_document(HANDBOOK / "travel-policy.pdf")
    assert pdf.page_starts and len(pdf.page_starts) >= 2
    assert "meal allowance is 35 euros per day" in pdf.text[pdf.page_starts[1] :].replace("\n", " ")


def test_the_handbook_pdf_and_word_file_are_what_the_script_makes(tmp_path):
    from docx import Document as WordDocument
    from pypdf import PdfReader

    from eval.make_handbook import make_handbook

    for path in make_handbook(tmp_path):
        committed = HANDBOOK / path.name
        assert load_document(path).text == load_document(committed).text, f"run python -m eval.make_handbook: {path}"
    reader = PdfReader(HANDBOOK / "travel-policy.pdf")
    assert reader.metadata and reader.metadata.title == "Travel and expenses policy" and len(reader.pages) >= 2
    word = WordDocument(str(HANDBOOK / "security-policy.docx"))
    headings = [p.text for p in word.paragraphs if p.style is not None and p.style.name.startswith("Heading")]
    assert "Multi-factor authentication" in headings and len(headings) >= 5
    assert word.core_properties.title == "Information security policy"


def test_readme_promises_and_skipped_lines_are_found():
    """The parsing the slow tests rely on: the README's promises are seen, and only the lines meant are skipped."""
    found = [answer for _, code in blocks("python") for answer in promises(code).values()]
    assert "40 euros; 35 euros per day" in found and "Navan" in found
    lines = shell_lines()
    run = [line for _, line, reason in lines if reason is None]
    assert "qa index handbook" in run
    assert not any(line.startswith(("qa serve", "pip ", "apt-get", "qa postgres", "qa eval")) for line in run)
    assert not any("QA_STORE" in line or line.startswith("qa index ~/papers &&") for line in run)


def test_the_settings_page_lists_every_setting_as_the_code_has_it():
    from eval.settings_page import REPO, page

    assert (REPO / "docs" / "settings.md").read_text(encoding="utf-8") == page(), "run: python -m eval.settings_page"
