"""A stand-in for the ``tesseract`` program, to test what qa does around OCR (keeping pages' text, languages,
reading other PDFs meanwhile) on a machine with or without Tesseract: put its folder first on the PATH."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

SCRIPT = """#!{python}
import pathlib, sys, time
arguments = sys.argv[1:]
with open({calls!r}, "a", encoding="utf-8") as calls:
    calls.write(" ".join(arguments) + "\\n")
if "--list-langs" in arguments:
    print('List of available languages in "/fake/tessdata/" ({count}):')
    print({languages!r})
elif "--version" in arguments:
    print("tesseract 5.3.0 (a stand-in)")
else:
    sys.stdin.buffer.read()
    go, waited = {go!r}, 0.0
    while go and not pathlib.Path(go).exists() and waited < {wait_s}:
        time.sleep(0.05)
        waited += 0.05
    print({text!r})
"""


class FakeTesseract:
    """A ``tesseract`` in ``folder`` that reads ``text`` on every page, has trained data for ``languages``, notes each
    call, and, given ``go``, reads a page only once that file exists (``wait_s`` seconds at most)."""

    def __init__(
        self,
        folder: Path,
        text: str,
        languages: Sequence[str] = ("eng", "osd"),
        go: Path | None = None,
        wait_s: float = 30.0,
    ) -> None:
        self.folder = folder
        self.calls = folder / "calls.txt"
        folder.mkdir(parents=True, exist_ok=True)
        self.calls.write_text("", encoding="utf-8")
        program = folder / "tesseract"
        program.write_text(
            SCRIPT.format(
                python=sys.executable,
                calls=str(self.calls),
                count=len(languages),
                languages="\n".join(languages),
                go=str(go) if go else "",
                wait_s=wait_s,
                text=text,
            ),
            encoding="utf-8",
        )
        program.chmod(0o755)

    def pages_read(self, languages: str | None = None) -> int:
        """How many pages it was given to read (in ``languages`` only, when given)."""
        lines = self.calls.read_text(encoding="utf-8").splitlines()
        read = [line.split() for line in lines if line.startswith("stdin ")]
        return sum(languages is None or words[words.index("-l") + 1] == languages for words in read)
