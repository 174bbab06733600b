import io

import pytest

from qa.documents.markup import docx_to_text, html_to_text, row_line
from qa.reading.views import reading_view


def page(body: str) -> str:
    return f"<html><head><title>Lab</title><style>p {{color: red}}</style></head><body>{body}</body></html>"


def test_inline_elements_stay_in_their_line_and_white_space_is_one_space():
    text, title, _ = html_to_text(
        page(
            "<p>Repairs are done by\n   <a href='/k'>Kettleby <b>Repairs</b></a>, our partner.</p><p>Zoë&nbsp;left.</p>"
        )
    )
    assert title == "Lab"
    assert text == "Repairs are done by Kettleby Repairs, our partner.\nZoë left."


def test_line_breaks_and_preformatted_lines_are_kept():
    text, _, _ = html_to_text(page("<p>Harbour Road 4<br>Ærøskøbing</p><pre>make build\nmake test</pre>"))
    assert text == "Harbour Road 4\nÆrøskøbing\nmake build\nmake test"


def test_list_items_open_with_their_mark_or_number():
    text, _, _ = html_to_text(
        page(
            "<ul><li><strong>Award:</strong> £412,000</li><li>Period <ul><li>nested</li></ul></li></ul>"
            "<ol start='3'><li>Unplug it.</li><li>Wait.</li></ol><ol><li>First</li></ol>"
        )
    )
    assert text.split("\n") == ["- Award: £412,000", "- Period", "- nested", "3. Unplug it.", "4. Wait.", "1. First"]


def test_an_item_that_opens_with_a_paragraph_keeps_its_mark_on_its_line():
    text, _, _ = html_to_text(
        page("<ul><li><p>Zoë leads it.</p><p>Second paragraph.</p></li></ul><ol><li> <b>Unplug</b> it</li></ol>")
    )
    assert text.split("\n") == ["- Zoë leads it.", "Second paragraph.", "1. Unplug it"]


def test_a_definition_list_gives_field_items():
    text, _, _ = html_to_text(
        page(
            "<dl><dt>Award</dt><dd>£412,000</dd><dt>Période</dt><dd><p>2023–2026</p></dd><dd>or 2027</dd><dt>Note</dt></dl>"
        )
    )
    assert text.split("\n") == ["- Award: £412,000", "- Période: 2023–2026", "- Période: or 2027", "Note"]


def test_table_rows_are_lines_of_cells_and_blocks_in_a_cell_stay_in_it():
    text, _, _ = html_to_text(
        page(
            "<p>Codes:</p><table><thead><tr><th>Code</th><th>Meaning</th></tr></thead><tbody>"
            "<tr><td>E7</td><td><p>Pressure sensor</p><p>fault.</p></td></tr><tr><td>E9</td><td></td></tr></tbody>"
            "</table><p>After.</p>"
        )
    )
    assert text.split("\n") == [
        "Codes:",
        "| Code | Meaning |",
        "| E7 | Pressure sensor fault. |",
        "| E9 |  |",
        "After.",
    ]
    assert row_line(["a", "b"]) == "| a | b |"


def test_headings_are_found_at_their_lines_and_scripts_are_not_text():
    text, _, sections = html_to_text(
        page("<h1>Halden <em>Mills</em></h1><script>var x = '<h2>no</h2>';</script><p>Founded 1802.</p><h2>Ærø</h2>")
    )
    assert text == "Halden Mills\nFounded 1802.\nÆrø"
    assert [(s.title, s.level, text[s.start : s.start + len(s.title)]) for s in sections] == [
        ("Halden Mills", 1, "Halden Mills"),
        ("Ærø", 2, "Ærø"),
    ]


def test_a_field_item_of_a_page_is_read_as_a_sentence_about_its_heading():
    text, _, sections = html_to_text(
        page("<h2>Halcyon LSM-7 confocal microscope</h2><ul><li><b>Location:</b> room B220</li></ul>")
    )
    view = reading_view(text, [(s.start, s.title) for s in sections])
    assert "Location of the Halcyon LSM-7 confocal microscope is room B220." in view.text


SITE_CHROME = (
    "<a href='#c'>Skip to main content</a><div role='dialog'>We use cookies. <button>Accept</button></div>"
    "<header><a href='/'>Kettleby intranet</a><nav><ul><li><a href='/t'>Travel policy</a></li></ul></nav>"
    "<form role='search'><input name='q'><button>Search</button></form></header>"
    "<nav aria-label='Breadcrumb'><ol><li>Home</li><li>Travel policy</li></ol></nav>"
    "{main}"
    "<aside><h2>Related pages</h2><ul><li>Expenses policy</li></ul></aside>"
    "<footer><p>Call the web team on extension 4100.</p><p>© 2024 Kettleby</p></footer>"
)
ARTICLE = (
    "<article><header><h1>Travel policy</h1><p>Owner: Zoë Ærø</p></header><h2>Booking</h2>"
    "<p>Book through Wayfarer.</p><aside><p>Tip: book early.</p></aside><footer><p>Reviewed May 2025.</p></footer>"
    "</article>"
)
ARTICLE_LINES = [
    "Travel policy",
    "Owner: Zoë Ærø",
    "Booking",
    "Book through Wayfarer.",
    "Tip: book early.",
    "Reviewed May 2025.",
]


@pytest.mark.parametrize("main", ["<main id='c'>{}</main>", "<div role='main'>{}</div>", "{}"])
def test_a_sites_menus_notices_header_footer_and_sidebar_are_not_the_pages_text(main):
    html = SITE_CHROME.format(main=main.format(ARTICLE))
    text, title, sections = html_to_text(
        f"<html><head><title>Travel policy | Kettleby intranet</title></head><body>{html}</body></html>"
    )
    lines = text.split("\n")
    assert lines == ARTICLE_LINES if main != "{}" else lines == ["Skip to main content", *ARTICLE_LINES]
    assert title == "Travel policy"  # the site's name is left out of the page's title
    assert [s.title for s in sections] == ["Travel policy", "Booking"]


def test_landmarks_given_by_role_are_chrome_and_a_page_of_chrome_only_is_read_whole():
    text, _, _ = html_to_text(
        page("<div role='navigation'>Home</div><div role='banner'>Kettleby</div><p>Book through Wayfarer.</p>")
    )
    assert text == "Book through Wayfarer."
    text, _, _ = html_to_text(
        page("<nav><a href='/'>Home</a> <a href='/t'>Travel</a></nav><footer>© Kettleby</footer>")
    )
    assert text == "Home Travel\n© Kettleby"


def test_a_title_keeps_its_separators_when_no_part_is_the_pages_heading():
    assert html_to_text("<title>Q&amp;A - travel | 2025</title><h1>Trips</h1>")[1] == "Q&A - travel | 2025"
    assert html_to_text("<title>Lab – Ærø</title><h1>Ærø</h1>")[:2] == ("Ærø", "Ærø")  # a title is no text


def word_bytes(word) -> bytes:
    data = io.BytesIO()
    word.save(data)
    return data.getvalue()


def test_word_lists_and_tables_in_their_order_with_headings_at_their_offsets():
    from docx import Document as WordDocument

    word = WordDocument()
    word.add_paragraph("Before the list.")
    word.add_paragraph("Location: room B220", style="List Bullet")
    word.add_paragraph("Unplug it", style="List Number")
    word.add_paragraph("Wait", style="List Number")
    table = word.add_table(rows=2, cols=3)
    for cell, value in zip(table.rows[0].cells, ["Code", "Meaning", "Do"], strict=True):
        cell.text = value
    row = table.rows[1].cells
    row[0].text = "E7"
    row[1].merge(row[2]).text = "Sensor fault, call Brevano"
    word.add_heading("Zoë's notes", 2)
    word.add_paragraph("After the table.")
    text, title, sections = docx_to_text(word_bytes(word))
    assert text.split("\n") == [
        "Before the list.",
        "- Location: room B220",
        "1. Unplug it",
        "2. Wait",
        "| Code | Meaning | Do |",
        "| E7 | Sensor fault, call Brevano |",
        "Zoë's notes",
        "After the table.",
    ]
    assert [(s.title, text[s.start : s.start + len(s.title)]) for s in sections] == [("Zoë's notes", "Zoë's notes")]
    assert title == ""


def test_a_paragraph_numbered_by_its_own_properties_is_a_list_item():
    from docx import Document as WordDocument
    from docx.oxml import parse_xml

    word = WordDocument()
    bullets = (
        word.styles["List Bullet"]
        .element.find(".//{*}numPr/{*}numId")
        .get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}val")
    )
    paragraph = word.add_paragraph("Custodian: Owen Price", style="List Paragraph")
    paragraph._p.get_or_add_pPr().append(
        parse_xml(
            '<w:numPr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f'<w:ilvl w:val="0"/><w:numId w:val="{bullets}"/></w:numPr>'
        )
    )
    word.add_paragraph("Not in a list.", style="List Paragraph")
    text, _, _ = docx_to_text(word_bytes(word))
    assert text == "- Custodian: Owen Price\nNot in a list."


OLD_SITE = (
    "<div id='header'><a href='/'>Kettleby intranet</a></div>"
    "<table width='100%'><tr><td class='menu'><a href='/t'>Travel policy</a><br><a href='/e'>Expenses</a></td>"
    "<td><h1>Travel policy</h1><p>Book through Wayfarer.</p><ul><li>Rail: standard class</li></ul>"
    "<p class='table-footer'>Source: Zoë Ærø</p></td></tr></table>"
    "<div class='site-footer'>Call the web team on extension 4100.</div>"
)


def test_a_layout_table_is_read_as_blocks_and_chrome_named_by_id_or_class_is_not_text():
    text, _, sections = html_to_text(page(OLD_SITE))
    assert text.split("\n") == ["Travel policy", "Book through Wayfarer.", "- Rail: standard class", "Source: Zoë Ærø"]
    assert [(s.title, s.start) for s in sections] == [("Travel policy", 0)]


@pytest.mark.parametrize(
    "html",
    [
        "<div class='header'><h1>Travel policy</h1></div><p>Book early.</p>",  # the page's h1: its own text
        "<div id='content'><div class='menu'>Travel policy</div><p>Book early.</p></div>",  # within its content
        "<article><ul class='nav-tabs'><li>Travel policy</li></ul><p>Book early.</p></article>",
        "<div class='menu'><p>Travel policy: lentil soup</p></div><p>Book early.</p>",  # a menu of food, no links
        "<div class='card-header'>Travel policy</div><p>Book early.</p>",  # a word within a name: no chrome
    ],
)
def test_a_container_named_as_chrome_that_holds_or_lies_within_the_pages_text_is_read(html):
    text, _, _ = html_to_text(page(html))
    assert "Travel policy" in text and "Book early." in text


def test_a_cell_that_spans_rows_is_read_in_every_row_it_spans_at_its_column():
    rows = (
        "<tr><th>Code</th><th>Meaning</th><th>Do</th></tr>"
        "<tr><td>E7</td><td>Pump fault</td><td rowspan='2'>Call Zoë</td></tr><tr><td>E8</td><td>Sensor</td></tr>"
        "<tr><td colspan='2' rowspan='3'>Ærø</td><td>x</td></tr><tr><td>y</td></tr>"
        "<tr><td rowspan='x'>z</td></tr>"
    )
    assert html_to_text(page(f"<table>{rows}</table>"))[0].split("\n") == [
        "| Code | Meaning | Do |",
        "| E7 | Pump fault | Call Zoë |",
        "| E8 | Sensor | Call Zoë |",
        "| Ærø | x |",
        "| Ærø | y |",
        "| Ærø | z |",
    ]


def test_a_table_of_data_keeps_its_rows_and_a_line_break_in_a_cell_is_a_space():
    rows = "<tr><td>E7</td><td>Pump fault<br>Call us</td></tr><tr><td>E3</td><td><p>No water</p></td></tr>"
    assert html_to_text(page(f"<table>{rows}</table>"))[0] == "| E7 | Pump fault Call us |\n| E3 | No water |"
    boxed = "<table><tr><td><h2>Note</h2><p>Ærø first.</p></td></tr><tr><td>Then Kettleby.</td></tr></table>"
    assert html_to_text(page(boxed))[0] == "Note\nÆrø first.\nThen Kettleby."  # one column: a box
    marked = "<table role='presentation'><tr><td>Zoë</td><td>Ærø</td></tr></table>"
    assert html_to_text(page(marked))[0] == "Zoë\nÆrø"
    headed = "<table><tr><th>Code</th><th>Meaning</th></tr><tr><td><p>E7</p><p>E8</p></td><td>Fault</td></tr></table>"
    assert html_to_text(page(headed))[0] == "| Code | Meaning |\n| E7 E8 | Fault |"


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
MC = 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'


def add_body_xml(word, xml: str) -> None:
    """Append an element written as XML (w: and mc: prefixes) to a Word document's body, before its section
    settings."""
    from docx.oxml import parse_xml

    body = word.element.body
    body.insert(len(body) - 1, parse_xml(xml.replace(">", f" {W} {MC}>", 1)))


def test_word_text_boxes_content_controls_and_tracked_changes_are_read_where_they_stand():
    from docx import Document as WordDocument

    word = WordDocument()
    word.add_paragraph("Before.")
    box = "<w:txbxContent><w:p><w:r><w:t>Custodian: Zoë Ærø</w:t></w:r></w:p></w:txbxContent>"
    add_body_xml(
        word,
        "<w:p><w:r><w:t>Anchor.</w:t></w:r><w:r><mc:AlternateContent>"
        f"<mc:Choice Requires='wps'><w:drawing>{box}</w:drawing></mc:Choice>"
        f"<mc:Fallback><w:pict>{box}</w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>",
    )
    add_body_xml(word, "<w:sdt><w:sdtContent><w:p><w:r><w:t>Cover page text.</w:t></w:r></w:p></w:sdtContent></w:sdt>")
    add_body_xml(
        word,
        "<w:p><w:r><w:t xml:space='preserve'>Project: </w:t></w:r><w:sdt><w:sdtContent><w:r><w:t>Kettleby</w:t></w:r>"
        "</w:sdtContent></w:sdt><w:del><w:r><w:delText>Old name</w:delText></w:r></w:del>"
        "<w:ins><w:r><w:t xml:space='preserve'> Fen</w:t></w:r></w:ins><w:moveFrom><w:r><w:t>Moved</w:t></w:r>"
        "</w:moveFrom><w:hyperlink><w:r><w:t>, site</w:t></w:r>"
        "</w:hyperlink><w:r><w:tab/><w:t>B2</w:t></w:r></w:p>",
    )
    text, _, _ = docx_to_text(word_bytes(word))
    assert text.split("\n") == [
        "Before.",
        "Anchor.",
        "Custodian: Zoë Ærø",
        "Cover page text.",
        "Project: Kettleby Fen, site B2",
    ]


def test_a_word_layout_table_is_read_as_blocks_and_a_table_of_data_as_rows():
    from docx import Document as WordDocument
    from docx.oxml import parse_xml

    word = WordDocument()
    box = word.add_table(rows=2, cols=1)
    box.rows[0].cells[0].text = "Box 1: Zoë's rule"
    box.rows[1].cells[0].text = "Book early."
    columns = word.add_table(rows=1, cols=2)
    left, right = columns.rows[0].cells
    left.text = "Contacts"
    right.paragraphs[0].style = word.styles["Heading 2"]
    right.paragraphs[0].text = "Ærø office"
    right.add_paragraph("Call extension 2200.")
    data = word.add_table(rows=2, cols=2)
    for cell, value in zip(data.rows[0].cells + data.rows[1].cells, ["Code", "Meaning", "E7", "Fault"], strict=True):
        cell.text = value
    data.rows[0]._tr.get_or_add_trPr().append(parse_xml(f"<w:tblHeader {W}/>"))
    data.rows[1].cells[0].add_paragraph("E8")
    text, _, sections = docx_to_text(word_bytes(word))
    lines = text.split("\n")
    assert lines == [
        "Box 1: Zoë's rule",
        "Book early.",
        "Contacts",
        "Ærø office",
        "Call extension 2200.",
        "| Code | Meaning |",
        "| E7 E8 | Fault |",
    ]
    assert [(s.title, s.level, text[s.start : s.start + len(s.title)]) for s in sections] == [
        ("Ærø office", 2, "Ærø office")
    ]


def numbered_list(word, levels: str) -> str:
    """Give a Word document a list whose levels are ``levels`` (w:lvl elements written as XML); its numbering id."""
    from docx.oxml import parse_xml

    numbering = word.part.numbering_part.element
    numbering.insert(0, parse_xml(f"<w:abstractNum {W} w:abstractNumId='90'>{levels}</w:abstractNum>"))
    numbering.append(parse_xml(f"<w:num {W} w:numId='90'><w:abstractNumId w:val='90'/></w:num>"))
    return "90"


def numbered(word, text: str, level: int, style: str | None = None) -> None:
    from docx.oxml import parse_xml

    paragraph = word.add_paragraph(text, style=style)
    paragraph._p.get_or_add_pPr().append(
        parse_xml(f"<w:numPr {W}><w:ilvl w:val='{level}'/><w:numId w:val='90'/></w:numPr>")
    )


def test_word_lists_are_numbered_as_their_levels_write_it_deeper_levels_started_again():
    from docx import Document as WordDocument

    word = WordDocument()
    level = "<w:lvl w:ilvl='{}'><w:start w:val='{}'/><w:numFmt w:val='{}'/><w:lvlText w:val='{}'/></w:lvl>"
    numbered_list(
        word,
        level.format(0, 1, "decimal", "%1.")
        + level.format(1, 1, "lowerLetter", "%2)")
        + level.format(2, 4, "upperRoman", "%1.%3"),
    )
    for text, depth in [("Unplug it", 0), ("Zoë's cable", 1), ("Ærø plug", 1), ("Wait", 0), ("Fuse", 1), ("Deep", 2)]:
        numbered(word, text, depth)
    numbered(word, "Methods", 0, style="Heading 1")
    text, _, sections = docx_to_text(word_bytes(word))
    assert text.split("\n") == [
        "1. Unplug it",
        "a) Zoë's cable",
        "b) Ærø plug",
        "2. Wait",
        "a) Fuse",
        "2.IV Deep",
        "3. Methods",
    ]
    assert [(s.title, text[s.start : s.start + len(s.title)]) for s in sections] == [("3. Methods", "3. Methods")]


def test_list_numbers_in_words_formats():
    from qa.documents.markup import number_text

    assert [number_text(n, "lowerLetter") for n in (1, 26, 27, 28)] == ["a", "z", "aa", "bb"]
    assert [number_text(n, "upperRoman") for n in (4, 9, 14, 1994)] == ["IV", "IX", "XIV", "MCMXCIV"]
    assert (number_text(3, "lowerRoman"), number_text(7, "decimalZero"), number_text(12, "decimal")) == (
        "iii",
        "07",
        "12",
    )
    assert number_text(2, "upperLetter") == "B"


def test_word_headings_by_outline_level_and_styles_based_on_headings():
    from docx import Document as WordDocument
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml import parse_xml

    word = WordDocument()
    chapter = word.styles.add_style("Chapter", WD_STYLE_TYPE.PARAGRAPH)
    chapter.base_style = word.styles["Heading 1"]
    translated = word.styles.add_style("Überschrift Zwei", WD_STYLE_TYPE.PARAGRAPH)
    translated.element.get_or_add_pPr().append(parse_xml(f"<w:outlineLvl {W} w:val='1'/>"))
    word.add_paragraph("Zoë's chapter", style="Chapter")
    word.add_paragraph("Ærø section", style="Überschrift Zwei")
    own = word.add_paragraph("Own level")
    own._p.get_or_add_pPr().append(parse_xml(f"<w:outlineLvl {W} w:val='2'/>"))
    body = word.add_paragraph("Body text in a heading style", style="Heading 2")
    body._p.get_or_add_pPr().append(parse_xml(f"<w:outlineLvl {W} w:val='9'/>"))
    word.add_paragraph("Plain text.")
    text, _, sections = docx_to_text(word_bytes(word))
    assert [(s.title, s.level, text[s.start : s.start + len(s.title)] == s.title) for s in sections] == [
        ("Zoë's chapter", 1, True),
        ("Ærø section", 2, True),
        ("Own level", 3, True),
    ]


def test_aria_headings_are_headings_and_lines_of_their_own():
    text, _, sections = html_to_text(
        page(
            "<p>Intro</p><div role='heading' aria-level='3'>Zoë <b>Ærø</b></div><p>Text <span role='heading'>Aside</span> on</p>"
        )
    )
    assert text.split("\n") == ["Intro", "Zoë Ærø", "Text", "Aside", "on"]
    assert [(s.title, s.level) for s in sections] == [("Zoë Ærø", 3), ("Aside", 2)]


def add_notes(word, kind: str, notes: dict[str, str]) -> None:
    """Give a Word document a footnotes or endnotes part holding ``notes`` (id -> text) and its separators."""
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    written = "".join(
        f"<w:{kind} w:id='{i}'><w:p><w:r><w:{kind}Ref/></w:r><w:r><w:t xml:space='preserve'> {t}</w:t></w:r></w:p></w:{kind}>"
        for i, t in notes.items()
    )
    separator = f"<w:{kind} w:type='separator' w:id='-1'><w:p><w:r><w:separator/><w:t>----</w:t></w:r></w:p></w:{kind}>"
    xml = f"<w:{kind}s {W}>{separator}{written}</w:{kind}s>".encode()
    content_type = f"application/vnd.openxmlformats-officedocument.wordprocessingml.{kind}s+xml"
    part = Part(PackURI(f"/word/{kind}s.xml"), content_type, xml, word.part.package)
    word.part.relate_to(part, f"http://schemas.openxmlformats.org/officeDocument/2006/relationships/{kind}s")


def test_word_footnotes_and_endnotes_follow_the_paragraph_that_refers_to_them():
    from docx import Document as WordDocument

    word = WordDocument()
    add_notes(word, "footnote", {"1": "Excluding VAT.", "2": "Set by Zoë in 2024."})
    add_notes(word, "endnote", {"1": "See the travel policy."})
    add_body_xml(
        word,
        "<w:p><w:r><w:t>The limit is £165.</w:t></w:r><w:r><w:footnoteReference w:id='2'/></w:r>"
        "<w:r><w:t xml:space='preserve'> Book early.</w:t></w:r><w:r><w:footnoteReference w:id='1'/></w:r></w:p>",
    )
    add_body_xml(word, "<w:p><w:r><w:t>Trips abroad.</w:t></w:r><w:r><w:endnoteReference w:id='1'/></w:r></w:p>")
    add_body_xml(word, "<w:p><w:r><w:t>No note.</w:t></w:r><w:r><w:footnoteReference w:id='9'/></w:r></w:p>")
    text, _, _ = docx_to_text(word_bytes(word))
    assert text.split("\n") == [
        "The limit is £165. Book early.",
        "[1] Set by Zoë in 2024.",
        "[2] Excluding VAT.",
        "Trips abroad.",
        "[1] See the travel policy.",
        "No note.",
    ]


def test_an_item_without_words_leaves_no_mark_and_a_cell_keeps_its_words_apart():
    text, _, _ = html_to_text(page("<ul><li></li></ul><p>Text</p><table><tr><td><p>a</p>b</td><td>c</td></tr></table>"))
    assert text == "Text\n| a b | c |"


def test_a_page_nested_deeper_than_python_recurses_is_read():
    text, _, _ = html_to_text(page("<div>" * 3000 + "Zoë, deep down" + "</div>" * 3000))
    assert text == "Zoë, deep down"


@pytest.mark.parametrize("html", ["", "<html></html>", "<p>   </p>"])
def test_a_page_without_text_is_empty(html):
    assert html_to_text(html)[0] == ""
