import io

import pytest

from qa.documents.word import docx_to_text


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
        "| --- | --- |",
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
    from qa.documents.word import number_text

    assert [number_text(n, "lowerLetter") for n in (1, 26, 27, 28)] == ["a", "z", "aa", "bb"]
    assert [number_text(n, "upperRoman") for n in (4, 9, 14, 1994)] == ["IV", "IX", "XIV", "MCMXCIV"]
    assert (number_text(3, "lowerRoman"), number_text(7, "decimalZero"), number_text(12, "decimal")) == (
        "iii",
        "07",
        "12",
    )
    assert number_text(2, "upperLetter") == "B"
    assert [number_text(n, "upperRoman") for n in (3999, 10**12, 0)] == ["MMMCMXCIX", str(10**12), "0"]  # no flood


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


def add_notes(word, kind: str, notes: dict[str, str], given: bytes | None = None) -> None:
    """Give a Word document a footnotes or endnotes part holding ``notes`` (id -> text) and its separators (or the
    bytes ``given``)."""
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    written = "".join(
        f"<w:{kind} w:id='{i}'><w:p><w:r><w:{kind}Ref/></w:r><w:r><w:t xml:space='preserve'> {t}</w:t></w:r></w:p></w:{kind}>"
        for i, t in notes.items()
    )
    separator = f"<w:{kind} w:type='separator' w:id='-1'><w:p><w:r><w:separator/><w:t>----</w:t></w:r></w:p></w:{kind}>"
    written_xml = f"<w:{kind}s {W}>{separator}{written}</w:{kind}s>".encode()
    content_type = f"application/vnd.openxmlformats-officedocument.wordprocessingml.{kind}s+xml"
    part = Part(PackURI(f"/word/{kind}s.xml"), content_type, given or written_xml, word.part.package)
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


def test_a_word_document_with_a_broken_part_is_a_broken_word_document(tmp_path):
    from docx import Document as WordDocument

    from qa.documents.loading import DocumentError, load_document

    word = WordDocument()
    word.add_paragraph("Zoë's text.")
    add_notes(word, "footnote", {}, given=b"<w:footnotes broken")
    (tmp_path / "notes.docx").write_bytes(word_bytes(word))
    with pytest.raises(DocumentError, match=r"^broken Word document \("):
        load_document(tmp_path / "notes.docx")


def risk_table(word, style: str | None = None):
    table = word.add_table(rows=2, cols=3)
    if style:
        table.style = word.styles[style]
    for cell, value in zip(
        table.rows[0].cells + table.rows[1].cells, ["ID", "Risk", "Owner", "R-07", "Late", "Zoë"], strict=True
    ):
        cell.text = value
    return table


@pytest.mark.parametrize("marked", ["bold", "repeated", "styled"])
def test_a_word_header_row_is_followed_by_a_rule_line(marked):
    from docx import Document as WordDocument
    from docx.oxml import parse_xml

    word = WordDocument()
    table = risk_table(word, "Light Grid Accent 1" if marked == "styled" else None)
    if marked == "bold":
        for cell in table.rows[0].cells:
            cell.paragraphs[0].runs[0].bold = True
    elif marked == "repeated":
        table.rows[0]._tr.get_or_add_trPr().append(parse_xml(f"<w:tblHeader {W}/>"))
    assert docx_to_text(word_bytes(word))[0].split("\n") == [
        "| ID | Risk | Owner |",
        "| --- | --- | --- |",
        "| R-07 | Late | Zoë |",
    ]


def test_a_word_table_without_a_header_row_gets_no_rule_line():
    from docx import Document as WordDocument
    from docx.oxml.ns import qn

    word = WordDocument()
    risk_table(word)  # no style, no bold
    half = risk_table(word)
    half.rows[0].cells[0].paragraphs[0].runs[0].bold = True  # one cell of the row in bold
    off = risk_table(word, "Light Grid Accent 1")  # the style's header row turned off
    off._tbl.tblPr.find(qn("w:tblLook")).set(qn("w:firstRow"), "0")
    assert docx_to_text(word_bytes(word))[0].split("\n") == ["| ID | Risk | Owner |", "| R-07 | Late | Zoë |"] * 3


def test_a_plain_word_tables_first_row_naming_columns_over_rows_of_figures_is_ruled_off_as_its_header():
    from docx import Document as WordDocument

    word = WordDocument()
    for rows in (
        [("Instalment", "Due date", "Amount"), ("1", "20 September 2024", "£1,955.00"), ("2", "13 Jan", "£2,070.00")],
        [("Zoë", "Room", "Notes"), ("Anja", "Attic", "en-suite"), ("Tom", "Front", "none")],  # no figures below
        [("Item", "Due 2025", "Amount"), ("Rent", "May", "£1"), ("Deposit", "June", "£2")],  # a figure in a name
    ):
        table = word.add_table(rows=3, cols=3)
        table.style = word.styles["Table Grid"]
        for cells, values in zip(table.rows, rows, strict=True):
            for cell, value in zip(cells.cells, values, strict=True):
                cell.text = value
    lines = docx_to_text(word_bytes(word))[0].split("\n")
    assert lines[:2] == ["| Instalment | Due date | Amount |", "| --- | --- | --- |"]
    assert "| --- | --- | --- |" not in lines[2:]
