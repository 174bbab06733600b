"""qa.documents.workbook: Excel workbooks as a heading and a Markdown table per sheet, their values as shown."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from qa.documents.loading import load_document
from qa.documents.workbook import shown, workbook_to_text
from qa.errors import DocumentError
from qa.reading.views import reading_view


def workbook_bytes(path) -> bytes:
    """A workbook of three sheets (a budget, an empty one, a staff list), saved at ``path``."""
    book = Workbook()
    budget = book.active
    budget.title = "Budget 2026"
    budget.append(["Item", "Amount", "Approved", "Owner"])
    budget.append(["Pumps | drives", 612400.0, datetime.date(2026, 3, 28), "Zoë Ødegård"])
    budget.append([None, None, None, None])
    budget.append(["Contingency", 160000.5, True, None])
    budget.append(["Total", "=SUM(B2:B4)", None, None])
    book.create_sheet("Empty")
    staff = book.create_sheet("Staff")
    staff.append([None, None, None])  # a blank first row: the first row with a word names the columns
    staff.append(["Name", "Role", "Start"])
    staff.append(["Anja Weiss", "SCADA engineer\nnights", datetime.datetime(2025, 7, 1, 9, 30)])
    book.save(path)
    return path.read_bytes()


def test_each_sheet_is_a_heading_and_a_table_of_its_values_as_shown(tmp_path):
    text, sections = workbook_to_text(workbook_bytes(tmp_path / "budget.xlsx"))
    assert text == (
        "## Budget 2026\n\n| Item | Amount | Approved | Owner |\n| --- | --- | --- | --- |\n"
        "| Pumps ¦ drives | 612400 | 28 March 2026 | Zoë Ødegård |\n| Contingency | 160000.5 | TRUE |  |\n"
        "\nTotal\n"  # a formula Excel never calculated has no saved value: one cell, under the table's rows
        "\n## Staff\n\n| Name | Role | Start |\n| --- | --- | --- |\n| Anja Weiss | SCADA engineer nights | 1 July 2025 09:30 |\n"
    )
    assert [(text[s.start : s.start + len(s.title)], s.level) for s in sections] == [("Budget 2026", 2), ("Staff", 2)]


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, ""), (3.0, "3"), (2.5, "2.5"), (False, "FALSE"), (datetime.date(2026, 1, 5), "5 January 2026"), ("x", "x")],
)
def test_a_cells_value_is_shown_as_excel_shows_it(value, text):
    assert shown(value) == text


def test_a_workbook_loads_as_a_document_whose_rows_the_reader_reads_under_their_columns(tmp_path):
    workbook_bytes(tmp_path / "project budget.xlsx")
    document = load_document(tmp_path / "project budget.xlsx")
    assert document.title == "project budget" and [s.title for s in document.sections or []] == ["Budget 2026", "Staff"]
    view = reading_view(document.text)
    assert "Pumps ¦ drives's Owner is Zoë Ødegård." in view.text
    owner = view.text.index("Zoë Ødegård")
    found = view.original(owner, owner + len("Zoë Ødegård"))
    assert found is not None and document.text[found[0] : found[1]] == "Zoë Ødegård"


def test_a_file_that_is_no_workbook_is_refused_in_one_line(tmp_path):
    (tmp_path / "fake.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(DocumentError, match="^not an Excel workbook \\(") as refused:
        load_document(tmp_path / "fake.xlsx")
    assert "\n" not in str(refused.value)


COSTS = Path(__file__).parent / "data" / "costs.xls"  # saved by LibreOffice (tests/data/make_legacy_office.py)


def test_an_excel_97_workbook_reads_as_an_xlsx_one_with_its_dates_truths_errors_and_formulas_values():
    document = load_document(COSTS)
    assert document.text == (
        "## Quotes\n\n| Item | Supplier | Price | Ordered | Paid |\n| --- | --- | --- | --- | --- |\n"
        "| Diverter valve | Harlow Supplies | 142.6 | 8 February 2024 | TRUE |\n"
        "| Labour (hours) | Keystone Heating | 1.5 | 15 February 2024 09:30 | FALSE |\n"
        "| Total |  | 270.1 |  | #DIV/0! |\n"  # formulas' saved values
        "\n## Контакты\n\n| Name | Phone |\n| --- | --- |\n| Zoë Brandt | 0161 496 0519 |\n"
    )
    assert document.title == "costs" and [s.title for s in document.sections or []] == ["Quotes", "Контакты"]


def test_a_file_that_is_no_excel_97_workbook_is_refused_in_one_line(tmp_path):
    (tmp_path / "notes.xls").write_text("Item,Price\nValve,142.60\n", encoding="utf-8")
    with pytest.raises(DocumentError, match=r"^not an Excel 97-2003 workbook \(not an OLE2 compound file\)$"):
        load_document(tmp_path / "notes.xls")
    (tmp_path / "heating.xls").write_bytes((Path(__file__).parent / "data" / "heating.doc").read_bytes())
    with pytest.raises(DocumentError, match=r"^not an Excel workbook \(no Workbook stream in it\)$"):
        load_document(tmp_path / "heating.xls")
    (tmp_path / "cut.xls").write_bytes(COSTS.read_bytes()[:3000])
    with pytest.raises(DocumentError, match=r"^not a readable Excel 97-2003 workbook \(") as refused:
        load_document(tmp_path / "cut.xls")
    assert "\n" not in str(refused.value)


def test_a_sheets_title_above_its_table_is_read_as_a_line_and_the_rows_under_the_columns_below_it(tmp_path):
    book = Workbook()
    rota = book.active
    rota.title = "Rota"
    rota.append(["The Copper Kettle - staff rota, week commencing Monday 31 March 2025"])
    rota.append(["OPEN = opening shift"])
    rota.append(["Name", "Role", "Mon 31", "Wed 2"])
    rota.append(["Sami Whitehead", "Barista", "11:00-17:30", "11:00-17:00"])
    book.save(tmp_path / "rota.xlsx")
    document = load_document(tmp_path / "rota.xlsx")
    assert document.text.startswith(
        "## Rota\n\nThe Copper Kettle - staff rota, week commencing Monday 31 March 2025\n\nOPEN = opening shift\n\n"
        "| Name | Role | Mon 31 | Wed 2 |\n| --- |"
    )
    view = reading_view(document.text)
    assert "Sami Whitehead's Wednesday 2 is 11:00-17:00." in view.text  # the column's short day spelt out
    hours = view.text.index("11:00-17:00.")
    found = view.original(hours, hours + len("11:00-17:00"))
    assert found is not None and document.text[found[0] : found[1]] == "11:00-17:00"
