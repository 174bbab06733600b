"""Pages that hold no text (a scanned PDF's) read by Tesseract OCR where it is installed (apt install tesseract-ocr)."""

from __future__ import annotations

import functools
import hashlib
import io
import logging
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from qa.errors import OptionError

log = logging.getLogger(__name__)

DPI = 300  # what a page is rendered at to be read: Tesseract reads print best at 300 dots an inch
LANGUAGES = "eng"  # the languages read (Tesseract's trained data; tesseract-ocr-eng comes with tesseract-ocr)
TIMEOUT_S = 120  # the most a page may take
PARAGRAPH_BREAK = re.compile(r"\n[ \t\f]*\n")
INSTALL = "install Tesseract OCR to read it: apt install tesseract-ocr, brew install tesseract"
KEPT_TEXT_VERSION = 1  # part of every kept page's key: a new way of running Tesseract reads every page again
PROGRESS_DELAY_S = 2.0  # a document's pages read in less time show no progress bar


@dataclass(frozen=True)
class Reading:
    """How scanned pages are read: Tesseract's languages ("eng", "deu+eng"), the folder that keeps the text read
    on each page (None: kept nowhere), so that a scan read again (a file re-read, an interrupted run resumed, a file
    checked then indexed) is not OCR'd again, and whether a long document's pages show their progress in a terminal
    (not while the index catches up in the background)."""

    languages: str = LANGUAGES
    kept_in: Path | None = None
    progress: bool = True


_reading: ContextVar[Reading | None] = ContextVar("ocr_reading", default=None)  # None: Reading()


@contextmanager
def reading(how: Reading) -> Iterator[None]:
    """Scanned pages met within (in this thread) are read as ``how`` says."""
    token = _reading.set(how)
    try:
        yield
    finally:
        _reading.reset(token)


def installed() -> bool:
    """Whether the ``tesseract`` program is on the PATH."""
    return shutil.which("tesseract") is not None


def read_with(languages: str) -> str:
    """What scanned pages are read with here: ``languages`` where Tesseract is installed, '' where it is not (what an
    index records, to read its scans again once they can be read better)."""
    return languages if installed() else ""


def check_languages(languages: str) -> None:
    """Raise OptionError when Tesseract is installed but lacks one of ``languages`` ("deu+eng": each must be)."""
    if not installed():
        return
    have = installed_languages()
    missing = [name for name in languages.split("+") if name not in have]
    if missing:
        raise OptionError(
            f"OCR language '{missing[0]}' is not installed (Tesseract here reads {', '.join(sorted(have)) or 'none'}):"
            f" apt install tesseract-ocr-{missing[0].replace('_', '-').lower()}, or set QA_OCR_LANGUAGES"
        )


def installed_languages() -> set[str]:
    """The languages Tesseract has trained data for (``tesseract --list-langs``); none when it cannot say."""
    try:
        done = subprocess.run(["tesseract", "--list-langs"], capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return set()
    lines = done.stdout.decode("utf-8", errors="replace").splitlines()
    return {line.strip() for line in lines[1:] if line.strip()} if done.returncode == 0 else set()


def tesseract_version() -> str:
    """The version line of the ``tesseract`` on the PATH ("tesseract 5.3.0"); '' when there is none or it cannot
    say."""
    program = shutil.which("tesseract")
    return program_version(program) if program else ""


@functools.cache
def program_version(program: str) -> str:
    """The first line ``program --version`` writes (asked once a process: a program installed later is asked then)."""
    try:
        done = subprocess.run([program, "--version"], capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return (done.stdout or done.stderr).decode("utf-8", errors="replace").partition("\n")[0].strip()


def page_paragraphs(image: Any) -> list[list[str]]:
    """The paragraphs Tesseract reads in a page's picture (a PIL image), in its reading order, each as its lines, read
    as the ``reading`` in force says; none when Tesseract is not installed, fails or takes longer than TIMEOUT_S."""
    how = _reading.get() or Reading()
    key = page_key(image, how.languages)
    text = kept_text(how.kept_in, key)
    if text is None:
        text = tesseract_text(image, how.languages)
        if text is not None:
            keep_text(how.kept_in, key, text)
    return paragraphs(text or "")


def tesseract_text(image: Any, languages: str) -> str | None:
    """What Tesseract reads in ``image``; None when it is not installed, fails or takes longer than TIMEOUT_S."""
    picture = io.BytesIO()
    image.save(picture, "PNG")
    command = ["tesseract", "stdin", "stdout", "-l", languages, "--psm", "3"]
    try:
        done = subprocess.run(command, input=picture.getvalue(), capture_output=True, timeout=TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.decode("utf-8", errors="replace") if done.returncode == 0 else None


def page_key(image: Any, languages: str) -> str:
    """What names a page's text where it is kept: a hash of its pixels, the languages and Tesseract's version."""
    digest = hashlib.sha256(f"{KEPT_TEXT_VERSION}|{tesseract_version()}|{languages}|{image.mode}|{image.size}".encode())
    digest.update(image.tobytes())
    return digest.hexdigest()


def kept_text(folder: Path | None, key: str) -> str | None:
    """The text kept for the page ``key`` in ``folder``; None when none is (or it cannot be read)."""
    if folder is None:
        return None
    try:
        return (folder / key[:2] / f"{key}.txt").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def keep_text(folder: Path | None, key: str, text: str) -> None:
    """Keep a page's text in ``folder`` (written whole or not at all); a folder that cannot be written keeps none."""
    if folder is None:
        return
    place = folder / key[:2]
    try:
        place.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=place, suffix=".part", delete=False) as file:
            file.write(text)
        os.replace(file.name, place / f"{key}.txt")
    except OSError as error:
        log.debug("the text OCR read was not kept in %s: %s", folder, error)


def pages_progress(pages: int, what: str) -> tqdm:
    """A progress bar over a document's ``pages``, shown in a terminal only, once they take PROGRESS_DELAY_S, and
    where the ``reading`` in force shows progress."""
    shown = (_reading.get() or Reading()).progress
    return tqdm(
        total=pages, desc=what, unit="page", delay=PROGRESS_DELAY_S, leave=False, disable=None if shown else True
    )


def paragraphs(text: str) -> list[list[str]]:
    """Tesseract's text as paragraphs (blank lines between them), each as its lines (white space collapsed, empty
    ones left out)."""
    found = []
    for block in PARAGRAPH_BREAK.split(text.replace("\r\n", "\n")):
        lines = [" ".join(line.split()) for line in block.split("\n") if line.strip()]
        if lines:
            found.append(lines)
    return found
