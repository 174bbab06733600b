"""qa.documents.slides: PowerPoint presentations as a heading per slide, its text in reading order, tables, charts."""

from __future__ import annotations

import io

import pytest
from pptx import Presentation
from pptx.chart.data import CategoryChartData, XyChartData
from pptx.enum.chart import XL_CHART_TYPE
from pptx.util import Inches

from qa.documents.loading import load_document
from qa.documents.slides import pptx_to_text, reading_order
from qa.errors import DocumentError

TITLE_ONLY, BLANK = 5, 6  # python-pptx's default template's layouts


def saved(deck) -> bytes:
    data = io.BytesIO()
    deck.save(data)
    return data.getvalue()


def agm_deck(title: str = "") -> bytes:
    """A club's AGM slides: a title slide, bullets with speaker notes, a table, a chart and two boxes side by side."""
    deck = Presentation()
    deck.core_properties.title = title
    opening = deck.slides.add_slide(deck.slide_layouts[0])
    opening.shapes.title.text = "Riverside Allotments – AGM 2025"
    opening.placeholders[1].text = "Presented by Zoë Ødegård, chair\n14 March 2025"
    members = deck.slides.add_slide(deck.slide_layouts[1])
    members.shapes.title.text = "Membership"
    members.placeholders[1].text_frame.text = "62 plots let,   4 vacant\vWaiting list: 19 households"
    members.notes_slide.notes_text_frame.text = "The waiting list closed in January."
    fees = deck.slides.add_slide(deck.slide_layouts[TITLE_ONLY])
    fees.shapes.title.text = "Plot fees from April"
    table = fees.shapes.add_table(3, 3, Inches(1), Inches(2), Inches(6), Inches(1.5)).table
    for r, row in enumerate(
        [["Plot", "Size", "Annual fee"], ["Full plot", "250 m²", "£68"], ["Half | plot", "", "£38"]]
    ):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    water = deck.slides.add_slide(deck.slide_layouts[TITLE_ONLY])
    water.shapes.title.text = "Water use"
    data = CategoryChartData()
    data.categories = ["2023", "2024"]
    data.add_series("Litres", (410.0, 388.5))
    data.add_series("Cost", (61.5, 58.0))
    chart = water.shapes.add_chart(
        XL_CHART_TYPE.COLUMN_CLUSTERED, Inches(1), Inches(2), Inches(5), Inches(4), data
    ).chart
    chart.has_title = True
    chart.chart_title.text_frame.text = "Water per year"
    sides = deck.slides.add_slide(deck.slide_layouts[BLANK])
    below = sides.shapes.add_textbox(Inches(0.5), Inches(4), Inches(4), Inches(1))
    below.text_frame.text = "Next AGM: March 2026."
    right = sides.shapes.add_textbox(Inches(5), Inches(1), Inches(4), Inches(2))
    right.text_frame.text = "The shed roof is repaired."
    left = sides.shapes.add_textbox(Inches(0.5), Inches(1.05), Inches(4), Inches(2))  # a little lower: the same row
    left.text_frame.text = "The new trough cost £240."
    return saved(deck)


AGM_TEXT = (
    "Slide 1: Riverside Allotments – AGM 2025\nPresented by Zoë Ødegård, chair\n14 March 2025\n\n"
    "Slide 2: Membership\n62 plots let, 4 vacant\nWaiting list: 19 households\nNotes:\nThe waiting list closed in January."
    "\n\nSlide 3: Plot fees from April\n| Plot | Size | Annual fee |\n| --- | --- | --- |\n| Full plot | 250 m² | £68 |\n"
    "| Half ¦ plot |  | £38 |\n\n"
    "Slide 4: Water use\nChart: Water per year\n|  | Litres | Cost |\n| --- | --- | --- |\n| 2023 | 410 | 61.5 |\n"
    "| 2024 | 388.5 | 58 |\n\n"
    "Slide 5\nThe new trough cost £240.\nThe shed roof is repaired.\nNext AGM: March 2026."
)


def test_each_slide_is_a_section_of_its_title_its_text_as_read_its_table_chart_and_notes():
    text, own_title, first_title, sections = pptx_to_text(agm_deck())
    assert text == AGM_TEXT
    assert (own_title, first_title) == ("", "Riverside Allotments – AGM 2025")
    headings = ["Slide 1: Riverside Allotments – AGM 2025", "Slide 2: Membership", "Slide 3: Plot fees from April"]
    assert [s.title for s in sections] == [*headings, "Slide 4: Water use", "Slide 5"]
    assert all(text[s.start : s.start + len(s.title)] == s.title and s.level == 1 for s in sections)


def test_a_table_without_a_header_row_and_a_merged_cell_are_read_as_rows_once():
    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[BLANK])
    shape = slide.shapes.add_table(2, 3, 0, 0, Inches(6), Inches(1))
    shape.table.first_row = False
    shape.table.cell(0, 0).merge(shape.table.cell(0, 1))
    shape.table.cell(0, 0).text = "Opening hours"
    shape.table.cell(0, 2).text = "8am – 8pm"
    for c, value in enumerate(["Gate code", "", "4417"]):
        shape.table.cell(1, c).text = value
    assert pptx_to_text(saved(deck))[0] == "Slide 1\n| Opening hours | 8am – 8pm |\n| Gate code |  | 4417 |"


def test_a_groups_shapes_are_read_together_and_a_scatter_chart_is_named_only():
    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[BLANK])
    group = slide.shapes.add_group_shape()
    lower = group.shapes.add_textbox(Inches(1), Inches(3), Inches(3), Inches(1))
    lower.text_frame.text = "Step 2: water the beds."
    upper = group.shapes.add_textbox(Inches(1), Inches(1), Inches(3), Inches(1))
    upper.text_frame.text = "Step 1: dig the beds."
    points = XyChartData()
    points.add_series("Yield").add_data_point(1.0, 2.0)
    slide.shapes.add_chart(XL_CHART_TYPE.XY_SCATTER, Inches(5), Inches(5), Inches(3), Inches(2), points)
    assert pptx_to_text(saved(deck))[0] == "Slide 1\nStep 1: dig the beds.\nStep 2: water the beds.\nChart"


def test_shapes_side_by_side_are_read_left_to_right_and_rows_top_to_bottom():
    class Shape:
        def __init__(self, name: str, top: int | None, left: int | None) -> None:
            self.name, self.top, self.left = name, top, left

    shapes = [Shape("low", 3_000_000, 0), Shape("right", 1_000_000, 5_000_000), Shape("left", 1_050_000, 0)]
    shapes.append(Shape("unplaced", None, None))
    assert [s.name for s in reading_order(shapes)] == ["unplaced", "left", "right", "low"]


def test_a_presentation_loads_titled_by_its_properties_else_its_first_slide(tmp_path):
    (tmp_path / "agm.pptx").write_bytes(agm_deck(title="PowerPoint Presentation"))  # PowerPoint's placeholder
    document = load_document(tmp_path / "agm.pptx")
    assert document.title == "Riverside Allotments – AGM 2025" and document.text == AGM_TEXT
    (tmp_path / "named.pptx").write_bytes(agm_deck(title="Allotments AGM"))
    assert load_document(tmp_path / "named.pptx").title == "Allotments AGM"


def test_a_presentation_without_text_or_that_is_no_presentation_is_refused_in_one_line(tmp_path):
    deck = Presentation()
    deck.slides.add_slide(deck.slide_layouts[BLANK])
    (tmp_path / "blank.pptx").write_bytes(saved(deck))
    (tmp_path / "fake.pptx").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(DocumentError, match="^broken PowerPoint presentation \\(") as refused:
        load_document(tmp_path / "fake.pptx")
    assert "\n" not in str(refused.value)
    with pytest.raises(DocumentError, match="^no text in it"):
        load_document(tmp_path / "blank.pptx")
