"""qa.documents.delimited: CSV and TSV files as Markdown tables, read by the reader as every other table."""

from __future__ import annotations

import pytest

from qa.documents.delimited import delimited_to_text
from qa.documents.loading import load_document
from qa.errors import DocumentError
from qa.reading.views import reading_view


def test_a_csv_file_is_a_markdown_table_under_its_first_row():
    text = 'Name,Role,Phone\nZoë Ødegård,"Site lead, north",0800 414 2299\nRhys Caldwell,Project manager,\n'
    assert delimited_to_text(text, tab_separated=False) == (
        "| Name | Role | Phone |\n| --- | --- | --- |\n"
        "| Zoë Ødegård | Site lead, north | 0800 414 2299 |\n| Rhys Caldwell | Project manager |  |\n"
    )


@pytest.mark.parametrize(
    ("text", "tab_separated", "rows"),
    [
        ("Item;Price;Stock\nBurrs;12,50;4\n", False, ["| Burrs | 12,50 | 4 |"]),  # a locale's semicolons
        ("Item\tPrice\tStock\nBurrs\t12.50\t4\n", True, ["| Burrs | 12.50 | 4 |"]),
        (
            'Item,Note,Stock\nBurrs,"fits the\r\nCafé 300 | 400",4\r\n',
            False,
            ["| Burrs | fits the Café 300 ¦ 400 | 4 |"],
        ),
        ("Item,Price,Stock\n\n,,\nBurrs,12.50\n", False, ["| Burrs | 12.50 |  |"]),  # empty rows left out, short padded
    ],
)
def test_cells_are_separated_as_the_file_says_and_kept_on_one_line(text, tab_separated, rows):
    assert delimited_to_text(text, tab_separated).split("\n")[2:-1] == rows


def test_a_csv_files_title_rows_are_lines_above_its_table():
    text = "Trade Price List,,,\nPrices from 3 March 2025,,,\ncode,product,pack,price\nDB120,Oat drink,1 litre,1.95\n"
    assert delimited_to_text(text, tab_separated=False) == (
        "Trade Price List\n\nPrices from 3 March 2025\n\n| code | product | pack | price |\n| --- | --- | --- | --- |\n"
        "| DB120 | Oat drink | 1 litre | 1.95 |\n"
    )


def test_an_empty_file_is_no_table_and_a_broken_one_is_refused_in_one_line():
    assert delimited_to_text("\n , \n", tab_separated=False) == ""
    with pytest.raises(DocumentError, match="^not a table of cells"):
        delimited_to_text('a,b\n"' + "x" * 200_000 + '",1\n', tab_separated=False)  # a cell of 200,000 characters


def test_a_csv_file_loads_as_a_document_whose_rows_the_reader_reads_under_their_columns(tmp_path):
    path = tmp_path / "risk register.csv"
    path.write_bytes("ID,Risk,Owner\r\nR-01,Supply cut,Site lead\r\nR-02,Asbestos,Zoë Ødegård\r\n".encode("utf-8-sig"))
    document = load_document(path)
    assert document.title == "risk register" and document.sections == []
    assert document.text.split("\n")[3] == "| R-02 | Asbestos | Zoë Ødegård |"
    view = reading_view(document.text)
    assert "R-02's Owner is Zoë Ødegård." in view.text
    found = view.original(view.text.index("Zoë"), view.text.index("Zoë") + len("Zoë Ødegård"))
    assert found is not None and document.text[found[0] : found[1]] == "Zoë Ødegård"
    with pytest.raises(DocumentError, match="no text in it"):
        (tmp_path / "empty.tsv").write_text("\t\n", encoding="utf-8")
        load_document(tmp_path / "empty.tsv")
