"""qa.documents.opendocument: OpenDocument texts as lines of paragraphs, headings, lists, tables and notes."""

from __future__ import annotations

import io
import zipfile

import pytest

from qa.documents.loading import load_document
from qa.documents.opendocument import odt_to_text
from qa.errors import DocumentError

NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"'
)


def odt(body: str, title: str | None = None, kind: str = "text") -> bytes:
    """An OpenDocument package of ``body`` (the XML inside ``office:<kind>``), titled ``title`` in its metadata, as
    LibreOffice writes one (the mimetype first, stored)."""
    content = f"<office:document-content {NAMESPACES}><office:body><office:{kind}>{body}</office:{kind}></office:body></office:document-content>"
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as package:
        package.writestr("mimetype", f"application/vnd.oasis.opendocument.{kind}", compress_type=zipfile.ZIP_STORED)
        package.writestr("content.xml", content)
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
