"""What HTML pages, Word documents and PDFs share as lines of text: a table row between bars, white space collapsed."""

from __future__ import annotations

import re

BLOCK_BREAK = "\x1e"  # where a block begins or ends, in the page's text before it is cut into lines
CELL_BREAK = "\x1f"  # where a table cell begins
SPACES = re.compile(r"[^\S\x1e\x1f]+")  # HTML's white space (its line breaks too), which reads as one space


def row_line(cells: list[str]) -> str:
    """A table row as a line, its cells between bars as in Markdown: "| E7 | Pump fault |"."""
    return "| " + " | ".join(cells) + " |"


def rule_line(columns: int) -> str:
    """The line under a table's header row, as in Markdown ("| --- | --- |"): what tells a reader the row above it
    names the columns."""
    return "| " + " | ".join(["---"] * columns) + " |"


def collapsed(text: str) -> str:
    """``text`` with each run of white space one space, without spaces at its ends."""
    return SPACES.sub(" ", text).strip()
