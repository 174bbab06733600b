"""Pages that hold no text (a scanned PDF's) read by Tesseract OCR where it is installed (apt install tesseract-ocr)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from typing import Any

DPI = 300  # what a page is rendered at to be read: Tesseract reads print best at 300 dots an inch
LANGUAGES = "eng"  # the languages read (Tesseract's trained data; tesseract-ocr-eng comes with tesseract-ocr)
TIMEOUT_S = 120  # the most a page may take
PARAGRAPH_BREAK = re.compile(r"\n[ \t\f]*\n")
INSTALL = "install Tesseract OCR to read it: apt install tesseract-ocr, brew install tesseract"


def installed() -> bool:
    """Whether the ``tesseract`` program is on the PATH."""
    return shutil.which("tesseract") is not None


def page_paragraphs(image: Any) -> list[list[str]]:
    """The paragraphs Tesseract reads in a page's picture (a PIL image), in its reading order, each as its lines; none
    when Tesseract is not installed, fails or takes longer than TIMEOUT_S."""
    picture = io.BytesIO()
    image.save(picture, "PNG")
    command = ["tesseract", "stdin", "stdout", "-l", LANGUAGES, "--psm", "3"]
    try:
        done = subprocess.run(command, input=picture.getvalue(), capture_output=True, timeout=TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return []
    return paragraphs(done.stdout.decode("utf-8", errors="replace")) if done.returncode == 0 else []


def paragraphs(text: str) -> list[list[str]]:
    """Tesseract's text as paragraphs (blank lines between them), each as its lines (white space collapsed, empty
    ones left out)."""
    found = []
    for block in PARAGRAPH_BREAK.split(text.replace("\r\n", "\n")):
        lines = [" ".join(line.split()) for line in block.split("\n") if line.strip()]
        if lines:
            found.append(lines)
    return found
