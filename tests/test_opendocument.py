"""qa.documents.opendocument: OpenDocument texts as lines of paragraphs, headings, lists, tables and notes;
spreadsheets as a table per sheet; presentations as a section per slide."""

from __future__ import annotations

import io
import zipfile

import pytest

from qa.documents.loading import load_document
from qa.documents.opendocument import length_cm, odp_to_text, ods_to_text, odt_to_text
from qa.errors import DocumentError

NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    'xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0" '
    'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
    'xmlns:chart="urn:oasis:names:tc:opendocument:xmlns:chart:1.0" '
    'xmlns:xlink="http://www.w3.org/1999/xlink" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"'
)


def document_content(body: str, kind: str) -> str:
    """An OpenDocument's content.xml: ``body`` (the XML inside ``office:<kind>``) in its body."""
    return f"<office:document-content {NAMESPACES}><office:body><office:{kind}>{body}</office:{kind}></office:body></office:document-content>"


def odt(
    body: str,
    title: str | None = None,
    kind: str = "text",
    objects: dict[str, str] | None = None,
    styles: tuple[str, str] = ("", ""),
) -> bytes:
    """An OpenDocument package of ``body`` (the XML inside ``office:<kind>``), titled ``title`` in its metadata, with
    embedded ``objects`` (a folder's name -> its content.xml) and ``styles`` (content.xml's automatic styles and
    styles.xml's), as LibreOffice writes one (the mimetype first, stored)."""
    automatic, named = styles
    content = document_content(body, kind).replace(
        "<office:body>", f"<office:automatic-styles>{automatic}</office:automatic-styles><office:body>"
    )
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as package:
        package.writestr("mimetype", f"application/vnd.oasis.opendocument.{kind}", compress_type=zipfile.ZIP_STORED)
        package.writestr("content.xml", content)
        if named:
            package.writestr(
                "styles.xml",
                f"<office:document-styles {NAMESPACES}><office:styles>{named}</office:styles></office:document-styles>",
            )
        for name, content in (objects or {}).items():
            package.writestr(f"{name}/content.xml", content)
        if title is not None:
            meta = f"<office:document-meta {NAMESPACES}><office:meta><dc:title>{title}</dc:title></office:meta></office:document-meta>"
            package.writestr("meta.xml", meta)
    return data.getvalue()


MINUTES = (
    "<text:tracked-changes><text:changed-region><text:deletion><text:p>Old wording</text:p></text:deletion>"
    "</text:changed-region></text:tracked-changes>"
    '<text:sequence-decls><text:sequence-decl text:name="Table"/></text:sequence-decls>'
    '<text:h text:outline-level="1">Allotment committee – minutes</text:h>'
    '<text:p>Present: Zoë Ødegård (chair),<text:s text:c="3"/>Ravi Shah<text:tab/>and'
    "<office:annotation><dc:creator>Ravi</dc:creator><text:p>Check Bob came</text:p></office:annotation>"
    "<text:line-break/><text:span>Bob Tindall</text:span>.</text:p>"
    '<text:section text:name="Actions"><text:h text:outline-level="2">2. Actions</text:h>'
    '<text:list><text:list-item><text:p>Order the new trough<text:note text:note-class="footnote">'
    "<text:note-citation>1</text:note-citation><text:note-body><text:p>Quote from Harlow Supplies: £240."
    "</text:p></text:note-body></text:note></text:p></text:list-item>"
    "<text:list-item><text:p>Repair the shed roof</text:p><text:list><text:list-item><text:p>Ask Bob for felt</text:p>"
    "</text:list-item></text:list></text:list-item></text:list></text:section>"
    "<table:table><table:table-header-rows><table:table-row><table:table-cell><text:p>Plot</text:p></table:table-cell>"
    "<table:table-cell><text:p>Fee</text:p></table:table-cell></table:table-row></table:table-header-rows>"
    "<table:table-row><table:table-cell><text:p>Full | plot</text:p></table:table-cell><table:table-cell>"
    '<text:p>£68</text:p></table:table-cell><table:table-cell table:number-columns-repeated="1000"/>'
    '</table:table-row><table:table-row><table:table-cell table:number-columns-spanned="2"><text:p>Half plots: '
    "£38</text:p></table:table-cell><table:covered-table-cell/></table:table-row></table:table>"
    "<text:p><draw:frame><draw:text-box><text:p>Next meeting: 3 June</text:p></draw:text-box></draw:frame></text:p>"
)


def test_paragraphs_headings_lists_tables_and_notes_are_lines_in_their_order():
    text, title, sections = odt_to_text(odt(MINUTES, title="Minutes, May"))
    assert text == (
        "Allotment committee – minutes\n"
        "Present: Zoë Ødegård (chair), Ravi Shah and Bob Tindall.\n"  # spaces, tabs and breaks collapsed; no comment
        "2. Actions\n"
        "- Order the new trough\n"
        "- [1] Quote from Harlow Supplies: £240.\n"  # a note after the paragraph that refers to it
        "- Repair the shed roof\n"
        "- Ask Bob for felt\n"
        "| Plot | Fee |\n| --- | --- |\n"
        "| Full ¦ plot | £68 |\n"  # an empty run of cells to the sheet's edge left out
        "| Half plots: £38 |  |\n"  # a merged cell once
        "Next meeting: 3 June"  # a text box after its paragraph
    )
    assert title == "Minutes, May"
    assert [(s.title, s.level) for s in sections] == [("Allotment committee – minutes", 1), ("2. Actions", 2)]
    assert all(text[s.start : s.start + len(s.title)] == s.title for s in sections)


def test_an_odt_file_loads_titled_by_its_metadata_else_its_first_line(tmp_path):
    (tmp_path / "minutes.odt").write_bytes(odt(MINUTES, title="Untitled 1"))  # a placeholder: no title
    document = load_document(tmp_path / "minutes.odt")
    assert document.title == "Allotment committee – minutes"
    assert [s.title for s in document.sections or []] == ["Allotment committee – minutes", "2. Actions"]
    assert "| Full ¦ plot | £68 |" in document.text
    (tmp_path / "titled.odt").write_bytes(odt(MINUTES, title="Committee minutes"))
    assert load_document(tmp_path / "titled.odt").title == "Committee minutes"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"PK\x03\x04 not really a zip", "^broken OpenDocument text \\("),
        (odt("<table:table/>", kind="spreadsheet"), "^not an OpenDocument text \\(no text in its body"),
        (odt('<text:p><text:s text:c="4"/></text:p>'), "^no text in it"),
    ],
    ids=["not-a-zip", "a-spreadsheet", "empty"],
)
def test_what_is_no_odt_text_is_refused_in_one_line(tmp_path, data, reason):
    (tmp_path / "file.odt").write_bytes(data)
    with pytest.raises(DocumentError, match=reason) as refused:
        load_document(tmp_path / "file.odt")
    assert "\n" not in str(refused.value)


def chart_object(title: str, rows: list[list[str]]) -> str:
    """An embedded chart's content.xml as LibreOffice writes it: its title and its data's table, a header row naming
    the series over a row per category."""
    cells = ["".join(f"<table:table-cell><text:p>{cell}</text:p></table:table-cell>" for cell in row) for row in rows]
    data = (
        f"<table:table table:name='local-table'><table:table-header-rows><table:table-row>{cells[0]}</table:table-row>"
        "</table:table-header-rows><table:table-rows>"
        + "".join(f"<table:table-row>{row}</table:table-row>" for row in cells[1:])
        + "</table:table-rows></table:table>"
    )
    chart = f"<chart:chart><chart:title><text:p>{title}</text:p></chart:title><chart:plot-area/>{data}</chart:chart>"
    return document_content(chart, "chart")


def frame(x: str, y: str, inner: str, kind: str | None = None) -> str:
    """A slide's frame at (``x``, ``y``) holding ``inner``; a placeholder of ``kind`` ("title", "outline") if given."""
    placeholder = f' presentation:class="{kind}"' if kind else ""
    return f'<draw:frame svg:x="{x}" svg:y="{y}" svg:width="10cm" svg:height="2cm"{placeholder}>{inner}</draw:frame>'


def box(*paragraphs: str) -> str:
    return "<draw:text-box>" + "".join(f"<text:p>{p}</text:p>" for p in paragraphs) + "</draw:text-box>"


def page(title: str, *shapes: str) -> str:
    """A slide of a title placeholder holding ``title`` (an empty one for "") and ``shapes``."""
    return f"<draw:page>{frame('1.27cm', '0.76cm', box(title) if title else '<draw:text-box/>', 'title')}{''.join(shapes)}</draw:page>"


OUTLINE = (
    "<draw:text-box><text:list><text:list-item><text:p>62 plots let,<text:s text:c='2'/>4 vacant</text:p>"
    "</text:list-item><text:list-item><text:p>Waiting list: 19 households</text:p></text:list-item></text:list>"
    "</draw:text-box>"
)
FEES = (
    '<table:table table:use-first-row-styles="true"><table:table-column table:number-columns-repeated="3"/>'
    + "".join(
        "<table:table-row>"
        + "".join(f"<table:table-cell><text:p>{c}</text:p></table:table-cell>" for c in row)
        + "</table:table-row>"
        for row in [["Plot", "Size", "Annual fee"], ["Full plot", "250 m²", "£68"], ["Half | plot", "", "£38"]]
    )
    + "</table:table>"
)
NOTES = (
    '<presentation:notes><draw:page-thumbnail svg:x="3cm" svg:y="2cm" presentation:class="page"/>'
    + frame("1.9cm", "12cm", box("The waiting list closed in January."), "notes")
    + frame("10cm", "24cm", box("<text:page-number>&lt;number&gt;</text:page-number>"), "page-number")
    + "</presentation:notes>"
)
GROUP = (
    '<draw:g><draw:custom-shape svg:x="12.7cm" svg:y="2.6cm"><text:p>The shed roof is repaired.</text:p>'
    '</draw:custom-shape><draw:rect svg:x="12.7cm" svg:y="5cm"><text:p>Gate code: 4417</text:p></draw:rect></draw:g>'
)
SLIDES = (
    page(
        "Riverside Allotments – AGM 2025",
        frame("1.27cm", "5cm", box("Presented by Zoë Ødegård, chair", "14 March 2025"), "subtitle"),
        frame("20cm", "17cm", box("<text:page-number>1</text:page-number>"), "page-number"),
    )
    + page("Membership", frame("1.27cm", "4.4cm", OUTLINE, "outline"), NOTES)
    + page("Plot fees from April", frame("2.54cm", "5.08cm", FEES))
    + page(
        "Water use",
        frame(
            "2.54cm",
            "5cm",
            '<draw:object xlink:href="./Object 1"/><draw:image xlink:href="./ObjectReplacements/Object 1"/>',
        ),
        frame("2.54cm", "15cm", '<draw:object xlink:href="./Object 9"/>'),  # an object the package lacks: nothing
    )
    + page(
        "",
        frame("1.27cm", "4in", box("Next AGM: March 2026.")),  # 10.16 cm down: the last row
        GROUP,
        frame("36pt", "2.7cm", box("The new trough cost £240.")),  # 1.27 cm across, within 0.1 inch of the group's top
    )
    + page("")  # an empty slide: a heading alone
)
SLIDES_TEXT = (
    "Slide 1: Riverside Allotments – AGM 2025\nPresented by Zoë Ødegård, chair\n14 March 2025\n\n"
    "Slide 2: Membership\n- 62 plots let, 4 vacant\n- Waiting list: 19 households\nNotes:\n"
    "The waiting list closed in January.\n\n"
    "Slide 3: Plot fees from April\n| Plot | Size | Annual fee |\n| --- | --- | --- |\n| Full plot | 250 m² | £68 |\n"
    "| Half ¦ plot |  | £38 |\n\n"
    "Slide 4: Water use\nChart: Water per year\n|  | Litres | Cost |\n| --- | --- | --- |\n| 2023 | 410 | 61.5 |\n"
    "| 2024 | 388.5 | 58 |\n\n"
    "Slide 5\nThe new trough cost £240.\nThe shed roof is repaired.\nGate code: 4417\nNext AGM: March 2026.\n\n"
    "Slide 6"
)
WATER_CHART = {
    "Object 1": chart_object(
        "Water per year", [["", "Litres", "Cost"], ["2023", "410", "61.5"], ["2024", "388.5", "58"]]
    )
}


def test_each_slide_is_a_section_of_its_title_its_shapes_as_read_its_table_chart_and_notes():
    text, own_title, first_title, sections = odp_to_text(odt(SLIDES, kind="presentation", objects=WATER_CHART))
    assert text == SLIDES_TEXT  # as a PowerPoint deck of the same slides reads; slide numbers left out
    assert (own_title, first_title) == (None, "Riverside Allotments – AGM 2025")
    assert [s.title for s in sections][2:] == [
        "Slide 3: Plot fees from April",
        "Slide 4: Water use",
        "Slide 5",
        "Slide 6",
    ]
    assert all(text[s.start : s.start + len(s.title)] == s.title and s.level == 1 for s in sections)


def test_a_spreadsheet_is_a_table_per_sheet_its_cells_as_shown_merged_and_repeated_cells_in_line():
    covered = '<table:table-cell table:number-columns-spanned="2"><text:p>Approved</text:p></table:table-cell><table:covered-table-cell/>'
    budget = (
        '<table:table table:name="Budget 2026"><table:table-column table:number-columns-repeated="1024"/>'
        f"<table:table-header-rows><table:table-row><table:table-cell><text:p>Item</text:p></table:table-cell>{covered}"
        "<table:table-cell><text:p>Owner</text:p></table:table-cell></table:table-row></table:table-header-rows>"
        '<table:table-row table:number-rows-repeated="2"><table:table-cell office:value-type="float" office:value="5">'
        "<text:p>Pump | drive</text:p></table:table-cell><table:table-cell><text:p>£612,400</text:p></table:table-cell>"
        '<table:table-cell office:value-type="date" office:date-value="2026-03-28"><text:p>28/03/26</text:p>'
        "</table:table-cell><table:table-cell><office:annotation><text:p>ask Zoë</text:p></office:annotation>"
        '<text:p>Zoë Ødegård</text:p></table:table-cell><table:table-cell table:number-columns-repeated="1020"/>'
        '</table:table-row><table:table-row table:number-rows-repeated="1048572"><table:table-cell '
        'table:number-columns-repeated="1024"/></table:table-row></table:table>'
    )
    empty = '<table:table table:name="Empty"><table:table-row><table:table-cell/></table:table-row></table:table>'
    staff = (
        "<table:table><table:table-row><table:table-cell><text:p>Name</text:p></table:table-cell><table:table-cell>"
        "<text:p>Room</text:p></table:table-cell></table:table-row><table:table-row><table:table-cell><text:p>Anja "
        '<text:span>Weiss</text:span></text:p></table:table-cell><table:table-cell table:number-columns-repeated="3">'
        "<text:p>B2</text:p></table:table-cell></table:table-row></table:table>"
    )
    text, title, sections = ods_to_text(odt(budget + empty + staff, title="Budget", kind="spreadsheet"))
    assert text == (
        "## Budget 2026\n\n| Item | Approved |  | Owner |\n| --- | --- | --- | --- |\n"
        "| Pump ¦ drive | £612,400 | 28/03/26 | Zoë Ødegård |\n| Pump ¦ drive | £612,400 | 28/03/26 | Zoë Ødegård |\n"
        "\n## Sheet 3\n\n| Name | Room |  |  |\n| --- | --- | --- | --- |\n| Anja Weiss | B2 | B2 | B2 |\n"
    )
    assert title == "Budget"
    assert [(text[s.start : s.start + len(s.title)], s.level) for s in sections] == [("Budget 2026", 2), ("Sheet 3", 2)]


def test_a_chart_in_a_texts_paragraph_is_read_after_it():
    body = '<text:p>Water use fell.<draw:frame><draw:object xlink:href="./Object 1"/></draw:frame></text:p>'
    text, _, _ = odt_to_text(odt(body, objects=WATER_CHART))
    assert text.splitlines()[:3] == ["Water use fell.", "Chart: Water per year", "|  | Litres | Cost |"]


def test_spreadsheets_and_presentations_load_titled_as_workbooks_and_decks_are(tmp_path):
    (tmp_path / "fees.ods").write_bytes(odt(f"<table:table table:name='Fees'>{ROW}</table:table>", kind="spreadsheet"))
    (tmp_path / "agm.odp").write_bytes(odt(SLIDES, title="Untitled 1", kind="presentation", objects=WATER_CHART))
    sheet, deck = load_document(tmp_path / "fees.ods"), load_document(tmp_path / "agm.odp")
    assert (sheet.title, sheet.text) == ("fees", "## Fees\n\n| Plot | £68 |\n| --- | --- |\n")  # its file's name
    assert (deck.title, deck.text) == ("Riverside Allotments – AGM 2025", SLIDES_TEXT)  # its first slide's


ROW = "<table:table-row><table:table-cell><text:p>Plot</text:p></table:table-cell><table:table-cell><text:p>£68</text:p></table:table-cell></table:table-row>"


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        (
            "deck.odp",
            odt("<text:p>Minutes</text:p>"),
            "^not an OpenDocument presentation \\(no presentation in its body: a text or a spreadsheet\\?\\)$",
        ),
        ("sheet.ods", b"PK\x03\x04 not really a zip", "^broken OpenDocument spreadsheet \\("),
        ("sheet.ods", odt("<table:table table:name='Empty'/>", kind="spreadsheet"), "^no text in it"),
        (
            "deck.odp",
            odt(page(""), kind="presentation"),
            "^no text in it",
        ),
    ],
    ids=["a-text", "not-a-zip", "an-empty-sheet", "an-empty-slide"],
)
def test_what_is_no_spreadsheet_or_presentation_is_refused_in_one_line(tmp_path, name, data, reason):
    (tmp_path / name).write_bytes(data)
    with pytest.raises(DocumentError, match=reason) as refused:
        load_document(tmp_path / name)
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize(
    ("length", "cm"),
    [("2.54cm", 2.54), ("1in", 2.54), ("72pt", 2.54), ("25.4mm", 2.54), ("3", 3.0), (None, 0.0), ("x", 0.0)],
)
def test_an_odf_length_is_read_in_centimetres(length, cm):
    assert length_cm(length) == pytest.approx(cm)


def numbered(level: int, fmt: str, suffix: str = ".", shown: int = 1, start: int = 1) -> str:
    return (
        f'<text:list-level-style-number text:level="{level}" style:num-format="{fmt}" style:num-suffix="{suffix}" '
        f'text:display-levels="{shown}" text:start-value="{start}"/>'
    )


def items(*texts: str, inner: str = "") -> str:
    return "".join(
        f"<text:list-item><text:p>{text}</text:p>{inner if n == 0 else ''}</text:list-item>"
        for n, text in enumerate(texts)
    )


def test_numbered_lists_are_numbered_as_their_list_styles_write_them():
    steps = (  # styles.xml's named style: 1., 2., its second level "1.1." under each
        '<text:list-style style:name="Numbering_20_123">'
        + numbered(1, "1")
        + numbered(2, "1", shown=2)
        + '<text:list-level-style-bullet text:level="3" text:bullet-char="•"/></text:list-style>'
    )
    letters = '<text:list-style style:name="L2">' + numbered(1, "a", suffix=")", start=3) + "</text:list-style>"
    body = (
        '<text:list text:style-name="Numbering_20_123">'
        + items(
            "Turn off the boiler",
            inner="<text:list><text:list-item><text:p>Wait an hour</text:p>"
            "<text:list><text:list-item><text:p>or longer</text:p></text:list-item></text:list></text:list-item>"
            "<text:list-item><text:p>Check the gauge</text:p><text:p>It reads in bar.</text:p></text:list-item></text:list>",
        )
        + items("Open the valve")
        + "</text:list><text:p>Then:</text:p>"
        + '<text:list text:style-name="Numbering_20_123" text:continue-numbering="true">'
        + items("Close the valve")
        + '</text:list><text:list text:style-name="L2">'
        + items("Bleed the radiators", "Top up")
        + '<text:list-item text:start-value="9"><text:p>Restart</text:p></text:list-item></text:list>'
        + '<text:list text:style-name="Numbering_20_123">'
        + items("Book a service")
        + "</text:list>"
    )
    text = odt_to_text(odt(body, styles=(letters, steps)))[0]
    assert text.split("\n") == [
        "1. Turn off the boiler",
        "1.1. Wait an hour",  # the level above's number shown before its own
        "- or longer",  # a bullet level
        "1.2. Check the gauge",
        "It reads in bar.",  # an item's second paragraph: no number of its own
        "2. Open the valve",
        "Then:",
        "3. Close the valve",  # a list that continues the one before
        "c) Bleed the radiators",  # its style's format, suffix and start
        "d) Top up",
        "i) Restart",  # an item that sets its own number
        "1. Book a service",  # a new list of the same style starts again
    ]
