"""CSV and TSV files as a Markdown table: the first row names the columns, each other row a line of cells."""

from __future__ import annotations

import csv
import io

from qa.errors import DocumentError

SAMPLE_CHARS = 20_000  # how much of a file the delimiter is guessed from
DELIMITERS = ",;\t|"  # what separates the cells of a spreadsheet's export, by the locale or the tool
BAR = "¦"  # a cell's own "|", which would split it in two in a Markdown row


def delimited_to_text(text: str, tab_separated: bool) -> str:
    """The table of a CSV (or, ``tab_separated``, a TSV) file's ``text`` as a Markdown table: its first row the header,
    the rule under it, then a line per row ("| R-07 | Energy saving | SCADA engineer |"), every row as wide as the
    widest (short ones padded with empty cells); empty rows left out, a cell's line breaks and spaces run together
    into one space, a cell's "|" written "¦". Raises DocumentError when the file is no table of cells."""
    try:
        read = csv.reader(io.StringIO(text), dialect_of(text, tab_separated))
        rows = [[cell_text(cell) for cell in row] for row in read]
    except csv.Error as error:
        raise DocumentError(f"not a table of cells ({error})") from error
    rows = [row for row in rows if any(row)]
    if not rows:
        return ""
    width = max(len(row) for row in rows)
    lines = [markdown_row(row + [""] * (width - len(row))) for row in rows]
    return "\n".join([lines[0], markdown_row(["---"] * width), *lines[1:]]) + "\n"


def dialect_of(text: str, tab_separated: bool) -> type[csv.Dialect] | csv.Dialect:
    """How the file's cells are separated and quoted: tabs for a TSV file; for a CSV file, as its start shows (a
    comma, or the semicolon of a locale whose decimal mark is a comma), a comma when it cannot tell."""
    if tab_separated:
        return csv.excel_tab
    try:
        return csv.Sniffer().sniff(text[:SAMPLE_CHARS], delimiters=DELIMITERS)
    except csv.Error:
        return csv.excel


def cell_text(cell: str) -> str:
    """A cell as one line of a Markdown row: its white space run together, its bars written as ``BAR``."""
    return " ".join(cell.split()).replace("|", BAR)


def markdown_row(cells: list[str]) -> str:
    """``cells`` as a Markdown table row."""
    return "| " + " | ".join(cells) + " |"
