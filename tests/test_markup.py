from qa.documents.html import html_to_text
from qa.documents.markup import (
    BLOCK_BREAK,
    CELL_BREAK,
    collapsed,
    headed_text,
    line_of_cells,
    names_columns,
    row_line,
    sheet_text,
    without_empty_end,
)


def test_a_row_is_a_line_of_cells_between_bars():
    assert row_line(["E7", "Pump fault, Zoë"]) == "| E7 | Pump fault, Zoë |"
    assert row_line([""]) == "|  |"


def test_a_cells_own_bar_does_not_split_it_in_any_format():
    assert row_line(["CO | flue", "42 ppm"]) == "| CO ¦ flue | 42 ppm |"
    page = "<table><tr><th>Reading</th><th>Value</th></tr><tr><td>CO | flue</td><td>42 ppm</td></tr></table>"
    assert "| CO ¦ flue | 42 ppm |" in html_to_text(page)[0]  # a format that wrote the cells as they were


def test_lines_with_heading_levels_are_one_text_with_a_section_at_each_heading():
    text, sections = headed_text([("Findings", 1), ("The valve failed.", None), ("Readings", 2), ("| CO | 42 |", None)])
    assert text == "Findings\nThe valve failed.\nReadings\n| CO | 42 |"
    assert [(s.start, s.title, s.level) for s in sections] == [(0, "Findings", 1), (27, "Readings", 2)]


def test_white_space_is_one_space_but_block_and_cell_breaks_stay():
    assert collapsed("  Ærø \n\t har\u00a0bour  ") == "Ærø har bour"
    assert collapsed(f"a {BLOCK_BREAK} b{CELL_BREAK}c") == f"a {BLOCK_BREAK} b{CELL_BREAK}c"


def test_a_rows_empty_cells_at_its_end_are_left_out_and_the_others_kept():
    assert without_empty_end(["Item", "", "£142.60", "", ""]) == ["Item", "", "£142.60"]
    assert without_empty_end(["", ""]) == [] and without_empty_end([]) == []


def test_a_sheets_title_and_notes_above_and_below_its_table_are_lines_and_the_first_full_row_names_the_columns():
    rows = [
        ["Dalebrook Dairy - trade prices", "", "", ""],
        ["Customer: The Copper Kettle", "", "Account no: DB-20417", ""],
        [],
        ["Code", "Product", "Pack", "Price"],
        ["DB120", "Oat drink", "1 litre", "1.95"],
        ["Zoë's own", "", "", ""],  # one cell filled, above a row of more: a row of the table
        ["DB121", "Whole milk", "2 litres", "1.60"],
        ["Notes", "", "", ""],  # one cell filled, under the last row of more: lines under the table
        ["", "Orders by 2pm for next delivery day.", "", ""],
    ]
    assert sheet_text(rows) == (
        "Dalebrook Dairy - trade prices\n\nCustomer: The Copper Kettle; Account no: DB-20417\n\n"
        "| Code | Product | Pack | Price |\n| --- | --- | --- | --- |\n| DB120 | Oat drink | 1 litre | 1.95 |\n"
        "| Zoë's own |  |  |  |\n| DB121 | Whole milk | 2 litres | 1.60 |\n"
        "\nNotes\n\nOrders by 2pm for next delivery day.\n"
    )


def test_a_sheet_of_one_or_two_columns_is_a_table_from_its_first_row():
    assert sheet_text([["Name"], ["Ada"]]) == "| Name |\n| --- |\n| Ada |\n"
    assert sheet_text([["Guests", "Count"], ["Adults", "96"]]).startswith("| Guests | Count |\n")
    assert sheet_text([["Name", "Room"], ["Anja", "B2", "B3"]]).startswith("| Name | Room |  |\n")  # columns unnamed
    assert sheet_text([[""], []]) == ""


def test_a_rows_cells_as_a_line_put_a_labels_value_after_it():
    assert line_of_cells(["Account no:", "", "DB-20417", "Due", "30 days"]) == "Account no: DB-20417; Due; 30 days"
    assert sheet_text([["Customer:", "Kettle", "", "", ""], ["A", "B", "C", "D", "E"]]).startswith(
        "Customer: Kettle\n\n|"
    )


def test_a_first_row_of_a_few_words_without_figures_over_rows_with_figures_names_the_columns():
    assert names_columns([["Tenant", "Room", "Weekly rent"], ["Zoë", "Room 2", "£115.00"], ["Tom", "Room 4", "£115"]])
    assert not names_columns([["Tenant", "Room", "Rent"], ["Zoë", "Room 2", "£115.00"]])  # one row under it
    assert not names_columns([["Tenant", "Rent"], ["Zoë", "£115.00"], ["Tom", "£115"]])  # two columns: fields
    assert not names_columns([["Tenant", "Room", "Rent"], ["Zoë", "Attic", "weekly"], ["Tom", "Front", "monthly"]])
    assert not names_columns([["Tenant", "Room", ""], ["Zoë", "Room 2", "£115.00"], ["Tom", "Room 4", "£115"]])
    assert not names_columns([["Rent 2025", "Room", "Due"], ["£115.00", "Room 2", "May"], ["£115", "Room 4", "May"]])
    assert not names_columns(
        [["The tenant named in the schedule", "Room", "Rent"], ["Zoë", "2", "£1"], ["Tom", "4", "£1"]]
    )
