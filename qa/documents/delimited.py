"""CSV and TSV files as a Markdown table: the first row of names names the columns, each other row a line of cells."""

from __future__ import annotations

import csv
import io

from qa.documents.markup import sheet_text
from qa.errors import DocumentError

SAMPLE_CHARS = 20_000  # how much of a file the delimiter is guessed from
DELIMITERS = ",;\t|"  # what separates the cells of a spreadsheet's export, by the locale or the tool


def delimited_to_text(text: str, tab_separated: bool) -> str:
    """The table of a CSV (or, ``tab_separated``, a TSV) file's ``text`` as a Markdown table (``sheet_text``: a
    title above it a line of its own): its first row of names the header, then a line per row ("| R-07 | Energy
    saving | SCADA engineer |"). Raises DocumentError when the file is no table of cells."""
    try:
        return sheet_text(list(csv.reader(io.StringIO(text), dialect_of(text, tab_separated))))
    except csv.Error as error:
        raise DocumentError(f"not a table of cells ({error})") from error


def dialect_of(text: str, tab_separated: bool) -> type[csv.Dialect] | csv.Dialect:
    """How the file's cells are separated and quoted: tabs for a TSV file; for a CSV file, as its start shows (a
    comma, or the semicolon of a locale whose decimal mark is a comma), a comma when it cannot tell."""
    if tab_separated:
        return csv.excel_tab
    try:
        return csv.Sniffer().sniff(text[:SAMPLE_CHARS], delimiters=DELIMITERS)
    except csv.Error:
        return csv.excel
