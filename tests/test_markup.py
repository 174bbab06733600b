from qa.documents.html import html_to_text
from qa.documents.markup import BLOCK_BREAK, CELL_BREAK, collapsed, headed_text, row_line, without_empty_end


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
