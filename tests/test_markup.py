from qa.documents.markup import BLOCK_BREAK, CELL_BREAK, collapsed, row_line


def test_a_row_is_a_line_of_cells_between_bars():
    assert row_line(["E7", "Pump fault, Zoë"]) == "| E7 | Pump fault, Zoë |"
    assert row_line([""]) == "|  |"


def test_white_space_is_one_space_but_block_and_cell_breaks_stay():
    assert collapsed("  Ærø \n\t har\u00a0bour  ") == "Ærø har bour"
    assert collapsed(f"a {BLOCK_BREAK} b{CELL_BREAK}c") == f"a {BLOCK_BREAK} b{CELL_BREAK}c"
