"""Excel workbooks (.xlsx) as text: each sheet a heading and a Markdown table of its cells' values, as shown."""

from __future__ import annotations

import datetime
import io
import zipfile
from collections.abc import Iterable
from typing import Any
from xml.etree.ElementTree import ParseError

from qa.documents.markup import table_text
from qa.errors import DocumentError
from qa.models import Section


def workbook_to_text(data: bytes) -> tuple[str, list[Section]]:
    """The text of an .xlsx workbook and its sections (``sheets_text``): formulas as the values Excel last saved for
    them. Raises DocumentError when ``data`` is no workbook or one whose parts cannot be read (broken XML)."""
    from lxml.etree import XMLSyntaxError
    from openpyxl import load_workbook  # imported when a workbook is read: it takes a while

    unreadable = (zipfile.BadZipFile, KeyError, OSError, ValueError, XMLSyntaxError, ParseError)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except unreadable as error:
        raise DocumentError(f"not an Excel workbook ({error or type(error).__name__})") from error
    try:
        return sheets_text(
            (sheet.title, [[shown(value) for value in row] for row in sheet.iter_rows(values_only=True)])
            for sheet in book.worksheets
        )
    except unreadable as error:  # a sheet's part, read as its rows are asked for
        raise DocumentError(f"broken Excel workbook ({error or type(error).__name__})") from error
    finally:
        book.close()


def sheets_text(sheets: Iterable[tuple[str, list[list[str]]]]) -> tuple[str, list[Section]]:
    """The text of a workbook's sheets, each given as its name and its rows of cells as shown, and its sections: each
    sheet with a word in it, in order, as its name (a heading, "## Budget") and its cells as a Markdown table
    (``table_text``: the first row with a word names the columns)."""
    text, sections = "", []
    for name, rows in sheets:
        table = table_text(rows)
        if table:
            text += "\n" if text else ""
            sections.append(Section(start=len(text) + len("## "), title=name, level=2))
            text += f"## {name}\n\n{table}"
    return text, sections


def shown(value: Any) -> str:
    """A cell's value as Excel shows it by default: a whole number without ".0", a date as "14 April 2026" (with its
    time when it has one), TRUE or FALSE; an empty cell as ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        day = f"{value.day} {value:%B %Y}"
        return f"{day} {value:%H:%M}" if value.time() != datetime.time() else day
    if isinstance(value, datetime.date):
        return f"{value.day} {value:%B %Y}"
    return str(value)
