"""What HTML pages, Word documents, PDFs and spreadsheets share as lines of text: a table row between bars, white space
collapsed; and old formats' text in Windows code pages."""

from __future__ import annotations

import re
from collections.abc import Iterable

from qa.models import Section

BLOCK_BREAK = "\x1e"  # where a block begins or ends, in the page's text before it is cut into lines
CELL_BREAK = "\x1f"  # where a table cell begins
BROKEN_BAR = "¦"  # a cell's own "|" in a table row, which would split the cell in two
SPACES = re.compile(r"[^\S\x1e\x1f]+")  # HTML's white space (its line breaks too), which reads as one space
DIGIT = re.compile(r"\d")


def row_line(cells: list[str]) -> str:
    """A table row as a line, its cells between bars as in Markdown: "| E7 | Pump fault |"; a cell's own "|" written
    as BROKEN_BAR, which would split it."""
    return "| " + " | ".join(cell.replace("|", BROKEN_BAR) for cell in cells) + " |"


def rule_line(columns: int) -> str:
    """The line under a table's header row, as in Markdown ("| --- | --- |"): what tells a reader the row above it
    names the columns."""
    return "| " + " | ".join(["---"] * columns) + " |"


def without_empty_end(cells: list[str]) -> list[str]:
    """A row's cells without the empty ones at its end (a sheet's columns past its last value)."""
    end = len(cells)
    while end and not cells[end - 1]:
        end -= 1
    return cells[:end]


def collapsed(text: str) -> str:
    """``text`` with each run of white space one space, without spaces at its ends."""
    return SPACES.sub(" ", text).strip()


def table_text(rows: list[list[str]]) -> str:
    """A table's rows, the first naming its columns, as the lines of a Markdown table (``row_line``): each cell
    collapsed to one line, every row as wide as the widest (short ones padded with empty cells), the rule under the
    first; rows without a word left out. "" when none is left."""
    cells = [[collapsed(cell) for cell in row] for row in rows]
    cells = [row for row in cells if any(row)]
    if not cells:
        return ""
    width = max(len(row) for row in cells)
    lines = [row_line(row + [""] * (width - len(row))) for row in cells]
    return "\n".join([lines[0], rule_line(width), *lines[1:]]) + "\n"


HEADER_CELL_WORDS = 5  # a column's name is this many words or fewer ("Amount per tenant")


def names_columns(rows: list[list[str]]) -> bool:
    """Whether the first of a table's rows (each its cells' texts) names its columns though nothing marks it so (a
    Word table in the plain "Table Grid" style): three columns or more, every cell of the first row a few words without
    a digit ("Instalment | Due date | Weeks covered | Amount per tenant"), and figures in the two or more rows below
    ("1 | 20 September 2024 | 17 | £1,955.00"), as a table of data has them and its column names do not."""
    if len(rows) < 3 or len(rows[0]) < 3:
        return False
    first = rows[0]
    if not all(cell and len(cell.split()) <= HEADER_CELL_WORDS and not DIGIT.search(cell) for cell in first):
        return False
    return any(DIGIT.search(cell) for row in rows[1:] for cell in row)


def sheet_text(rows: list[list[str]]) -> str:
    """A spreadsheet's rows as text: the rows above its table that are no row of names (one cell, a title or a note;
    labels with their values, "Customer: The Copper Kettle | Account no: DB-20417": ``labelled``) as lines of their
    own (``line_of_cells``), then the table (``table_text``), its first other row naming the columns, then the rows
    under its last row of two cells or more that fill one cell only (notes under a table: "- Octopus: estimated bill
    was £398.00 but actual … is £486.40.") as lines of their own. A sheet of such rows only is a table of them."""
    cells = [[collapsed(cell) for cell in row] for row in rows]
    cells = [row for row in cells if any(row)]
    first = next((number for number, row in enumerate(cells) if sum(map(bool, row)) > 1 and not labelled(row)), 0)
    last = max((number for number, row in enumerate(cells) if sum(map(bool, row)) > 1), default=len(cells) - 1)
    last = max(last, first + 1)  # a table keeps its header and a row
    below = "".join(f"\n{line_of_cells(row)}\n" for row in cells[last + 1 :])
    return "".join(f"{line_of_cells(row)}\n\n" for row in cells[:first]) + table_text(cells[first : last + 1]) + below


def labelled(row: list[str]) -> bool:
    """Whether a row's cells are labels and their values ("Customer: Kettle", or "Account no:" then "DB-20417")."""
    filled = [cell for cell in row if cell]
    return any(cell.endswith(":") for cell in filled) or all(": " in cell for cell in filled)


def line_of_cells(row: list[str]) -> str:
    """A row's cells that hold words as one line: after a label ("Account no:") its value, else after "; "."""
    line = ""
    for cell in filter(None, row):
        line += (" " if line.endswith(":") else "; ") * bool(line) + cell
    return line


def headed_text(lines: Iterable[tuple[str, int | None]]) -> tuple[str, list[Section]]:
    """Lines, each with its heading level (None for a line that is no heading), as one text and its sections, each
    at its heading's line."""
    text: list[str] = []
    sections: list[Section] = []
    offset = 0
    for line, level in lines:
        if level:
            sections.append(Section(start=offset, title=line, level=level))
        text.append(line)
        offset += len(line) + 1
    return "\n".join(text), sections


def joined_texts(
    text: str, sections: list[Section], more: str, more_sections: list[Section]
) -> tuple[str, list[Section]]:
    """``text`` followed by ``more`` after a blank line, with the headings of both at their places in the whole."""
    if not text:
        return more, [*sections, *more_sections]
    start = len(text) + 2
    return f"{text}\n\n{more}", [*sections, *shifted(more_sections, start)]


def shifted(sections: list[Section], by: int) -> list[Section]:
    """``sections`` moved ``by`` characters further into the text."""
    return [section.model_copy(update={"start": section.start + by}) for section in sections]


def decoded(data: bytes, code_page: int | None) -> str:
    """Bytes in a Windows code page (1252 when none is named or it is unknown; one written as a signed 16-bit number,
    65001 as -535, read as the number it stands for), decoded."""
    code_page = (code_page or 1252) & 0xFFFF
    name = {65001: "utf-8", 20127: "ascii", 28591: "latin-1"}.get(code_page, f"cp{code_page}")
    try:
        return data.decode(name, errors="replace")
    except LookupError:
        return data.decode("cp1252", errors="replace")
