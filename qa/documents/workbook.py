"""Excel workbooks (.xlsx, and Excel 97-2003's .xls) as text: each sheet a heading and a Markdown table of its cells'
values, as shown."""

from __future__ import annotations

import datetime
import io
import struct
import zipfile
from collections.abc import Iterable
from typing import Any
from xml.etree.ElementTree import ParseError

from qa.documents.compound import opened
from qa.documents.markup import sheet_text, without_empty_end
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


def xls_to_text(data: bytes) -> tuple[str, list[Section]]:
    """The text of an Excel 97-2003 workbook (.xls; an Excel 5 or 95 one too) and its sections, as an .xlsx
    workbook's (``sheets_text``): formulas as the values last saved for them. Raises DocumentError when ``data`` is no
    such workbook, or one that cannot be read (a password set, a damaged file)."""
    import xlrd  # imported when a workbook is read

    failures = (xlrd.XLRDError, xlrd.formula.FormulaError, AssertionError, LookupError, TypeError, ValueError)
    try:
        with opened(data, "Excel 97-2003 workbook") as ole:
            name = next((name for name in ("Workbook", "Book") if ole.exists(name)), None)
            if name is None:
                raise DocumentError("not an Excel workbook (no Workbook stream in it)")
            stream = ole.openstream(name).read()
        # the workbook's own stream given to xlrd, whose reading of a damaged compound file can run without end
        book = xlrd.open_workbook(file_contents=stream, logfile=io.StringIO(), on_demand=True)
        sheets = [(sheet.name, xls_rows(sheet, book.datemode)) for sheet in book.sheets()]
    except DocumentError:
        raise
    except (*failures, ArithmeticError, OSError, struct.error) as error:
        raise DocumentError(f"not a readable Excel 97-2003 workbook ({error or type(error).__name__})") from None
    return sheets_text(sheets)


def xls_rows(sheet: Any, date_mode: int) -> list[list[str]]:
    """An .xls sheet's rows of cells as shown (``shown``): a date cell as a date, a true/false cell as TRUE or FALSE,
    an error as Excel writes it ("#DIV/0!"); empty cells to a row's end left out."""
    import xlrd

    rows = []
    for number in range(sheet.nrows):
        cells = []
        for cell in sheet.row(number):
            if cell.ctype == xlrd.XL_CELL_DATE:
                moment = xlrd.xldate_as_datetime(cell.value, date_mode)
                value: Any = moment.replace(microsecond=0) + datetime.timedelta(seconds=moment.microsecond >= 500_000)
            elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                value = bool(cell.value)
            elif cell.ctype == xlrd.XL_CELL_ERROR:
                value = xlrd.error_text_from_code.get(cell.value, "#ERROR")
            else:
                value = cell.value
            cells.append(shown(value))
        rows.append(without_empty_end(cells))
    return rows


def sheets_text(sheets: Iterable[tuple[str, list[list[str]]]]) -> tuple[str, list[Section]]:
    """The text of a workbook's sheets, each given as its name and its rows of cells as shown, and its sections: each
    sheet with a word in it, in order, as its name (a heading, "## Budget") and its cells as a Markdown table
    (``sheet_text``: a title above the table a line of its own, the first row of names naming the columns)."""
    text, sections = "", []
    for name, rows in sheets:
        table = sheet_text(rows)
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
