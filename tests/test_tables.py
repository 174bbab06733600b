"""qa.documents.tables: where a table's rows and head are in a document's text, when a passage begins within it."""

from __future__ import annotations

import pytest

from qa.documents.tables import may_open_within_table, opening_rows, table_head, table_rows, text_table_rows

REGISTER = (  # a register longer than a passage: the chunker cuts it between rows
    "# Risk register\n\n| ID | Risk | Owner |\n|---|---|---|\n"
    "| R-01 | Supply cut during outages | Site lead |\n"
    "| R-02 | Asbestos in the pump hall | Zoë Ødegård |\n"
    "| R-03 | Energy saving not achieved | SCADA engineer |\n\nNotes on the risks follow."
)


LOG = (  # a plain-text table in columns, then words across them, then a rule under two columns (no table)
    "SERVICE LOG\n\n"
    "Date          Mileage   Garage              Cost\n"
    "-----------   -------   -----------------   -------\n"
    "22 May 2019   9,880     Zoë's Garage (Kraków)   £169.00\n"
    "03 Sep 2024   56,920    Ødegård Motors       £178.00\n"
    "Notes: the next service is due in May 2026.\n\n"
    "TOTALS                               £347.00\n"
    "                                     -------   -------\n"
)


HEAD = "| ID | Risk | Owner |\n|---|---|---|"
LOG_HEAD = "Date          Mileage   Garage              Cost\n-----------   -------   -----------------   -------"


@pytest.mark.parametrize(
    ("text", "begins_at", "head"),
    [
        (REGISTER, "| R-02", HEAD),  # within the table, at a row
        (REGISTER, "Asbestos", HEAD),  # within a row (its first line is a row's tail)
        (REGISTER, "| R-01", HEAD),  # right under the rule
        (REGISTER, "Notes on", None),  # after the table
        (REGISTER, "| ID |", None),  # at the header: the passage holds it
        (LOG, "03 Sep 2024", LOG_HEAD),  # a plain-text table, at a row
        (LOG, "9,880", None),  # within a plain-text row: its columns would not line up
        (LOG, "TOTALS", None),  # after a blank line: the table has ended
    ],
)
def test_the_head_of_a_table_a_passage_begins_within_is_found_in_the_text_before_it(text, begins_at, head):
    assert table_head(text[: text.index(begins_at)]) == head


def test_text_of_rows_alone_leaves_the_head_to_text_further_back():
    assert table_head("| R-02 | Asbestos | Zoë |\n| R-03 | Energy | SCADA engineer |\n") == ""
    assert table_head("03 Sep 2024   56,920    Ødegård Motors       £178.00\n") == ""
    two_columns = "| Item | Owner |\n|---|---|\n| Burrs | Zoë |\n"
    assert table_head(two_columns) is None  # a list of fields: read without its header
    assert table_head("Some prose.\n\n03 Sep 2024   56,920    Ødegård Motors   £178.00\n") is None


def test_a_passage_may_begin_within_a_table_when_it_opens_with_rows_or_words_in_columns():
    assert may_open_within_table("| R-02 | Asbestos | Zoë |\nMore.")
    assert may_open_within_table("03 Sep 2024   56,920    Ødegård Motors\nMore.")
    assert not may_open_within_table("The garage, Ødegård Motors, fitted two tyres.\n| a | b | c |")


def test_the_rows_a_passage_opens_with_run_to_the_first_line_that_is_no_row():
    rest = REGISTER[REGISTER.index("| R-02") :]
    begin, end = opening_rows(rest) or (0, 0)
    assert rest[begin:end].rstrip("\n").split("\n") == [
        "| R-02 | Asbestos in the pump hall | Zoë Ødegård |",
        "| R-03 | Energy saving not achieved | SCADA engineer |",
    ]
    tail = REGISTER[REGISTER.index("Asbestos") :]
    assert tail[slice(*(opening_rows(tail) or (0, 0)))].startswith("| R-03 |")
    assert opening_rows("Notes on the risks follow.") is None
    assert opening_rows(REGISTER[REGISTER.index("| ID |") :]) is None  # a table's header: read with its own rows


def test_rows_are_those_of_tables_of_three_or_more_columns_each_cell_under_its_columns_name():
    rows = table_rows(REGISTER)
    assert [[(name, value) for name, value, _ in row.cells] for row in rows][1] == [
        ("ID", "R-02"),
        ("Risk", "Asbestos in the pump hall"),
        ("Owner", "Zoë Ødegård"),
    ]
    assert all(REGISTER[start : start + len(value)] == value for row in rows for _, value, start in row.cells)
    assert table_rows("| Item | Owner |\n|---|---|\n| Burrs | Zoë |") == []  # two columns: fields, not rows
    dated = table_rows(
        "| Year | Use (kWh) |\n|---|---|\n| 2023 | 16,950 |\n| Forecast 2025 | 11,000 |\n| 2024 | 12,300 |"
    )
    assert [row.cells[0][1] for row in dated] == ["2023", "Forecast 2025", "2024"]  # most named by values: rows
    assert table_rows("| Year | Use (kWh) |\n|---|---|\n| 2023 | 16,950 |\n| Forecast | 11,000 |") == []  # half
    logged = text_table_rows(LOG)
    assert [row.cells[2][1] for row in logged] == ["Zoë's Garage (Kraków)", "Ødegård Motors"]  # to the notes line


PARTS = (  # a job card's parts, in columns without a rule under their names, then a form's fields in columns
    "PARTS\n"
    "Qty  Description                 Part ref        Supplier                   Cost\n"
    "1    Front brake pads (set)      MMF-BP-2231     Ødegård Motor Factors      £38.40\n"
    "2    Brake cleaner 500 ml        WS-118          Workshop stock             £3.20\n"
    "\n"
    "Date in:           12/03/2024   08:10\n"
    "Promised for:      12/03/2024   17:00\n"
)
CONTACTS = (  # who to ask, in columns: the first line is a row, not a header (no column counts under its names)
    "Chair                  Zoë Ødegård       chair@club.example\n"
    "Treasurer              Priya Raman       treasurer@club.example\n"
    "Site Warden            Bob Tindall       warden@club.example\n"
)


def test_a_table_without_a_rule_is_known_by_a_column_that_counts_under_names_without_digits():
    rows = text_table_rows(PARTS)
    assert [(name, value) for name, value, _ in rows[0].cells] == [
        ("Qty", "1"),
        ("Description", "Front brake pads (set)"),
        ("Part ref", "MMF-BP-2231"),
        ("Supplier", "Ødegård Motor Factors"),
        ("Cost", "£38.40"),
    ]
    assert len(rows) == 2  # to the blank line: the fields after it are no rows ("Date in:" names a field)
    assert all(PARTS[start : start + len(value)] == value for row in rows for _, value, start in row.cells)
    assert text_table_rows(CONTACTS) == []
    assert text_table_rows(PARTS.split("2    Brake")[0]) == []  # one row is too few to tell a table
