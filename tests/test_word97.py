"""qa.documents.word97: Word 97-2003 documents (.doc), as LibreOffice saves them (tests/data/make_legacy_office.py)."""

from __future__ import annotations

import struct
from pathlib import Path

import olefile
import pytest

from qa.documents.loading import load_document
from qa.documents.word97 import DocLines, doc_to_text, grouped_properties, piece_text, pieces, stored_properties
from qa.errors import DocumentError

HEATING = Path(__file__).parent / "data" / "heating.doc"


def test_a_document_reads_as_its_paragraphs_headings_table_rows_list_items_and_footnotes():
    text, title, sections = doc_to_text(HEATING.read_bytes())
    assert text.split("\n") == [
        "Keystone Heating – service report",
        "Zoë Brandt serviced the boiler on Thursday 8 February 2024. The diverter valve has failed.",
        "| Part | Price |",
        "| --- | --- |",  # under the header row
        "| Diverter valve | £142.60 |",
        "| Labour (1.5 hours) | £85.00 |",  # a cell of two paragraphs
        "- Flue checked",  # a list's items
        "- Pressure topped up to 1.5 bar",
        "Next visit",
        "She comes back on 15 February. Book online at keystone.example/book or ring 0161 496 0519.",  # a link's text
        "Гарантия: два года. 保証は二年間です。",
        "",
        "Part number DV-2291, in stock at Harlow Supplies.",  # the footnote, after the text
    ]
    assert title == "Boiler service – Keystone Heating"
    assert [(s.start, s.title, s.level) for s in sections] == [
        (0, "Keystone Heating – service report", 1),
        (text.index("Next visit"), "Next visit", 2),
    ]
    document = load_document(HEATING)
    assert (document.text, document.title) == (text, title)


def test_a_tables_rows_are_found_without_their_properties_and_no_cell_is_lost():
    with olefile.OleFileIO(str(HEATING)) as ole:
        lines = DocLines(ole)
    lines.runs = []  # no paragraph's properties found: a row ends at the empty mark after a cell's end
    read = [line for line, _ in lines.story_lines(0, lines.characters.index("Flue"))]
    assert read[2:] == ["| Part | Price |", "| Diverter valve | £142.60 |", "Labour", "| (1.5 hours) | £85.00 |"]
    cell_end = lines.characters.index("£142.60") + len("£142.60") + 1  # the story ends before the row's end mark
    cut = [line for line, _ in lines.story_lines(0, cell_end)]
    assert cut[-1] == "| Diverter valve | £142.60 |"  # the cells left at the story's end: a row


def patched(tmp_path: Path, at: int, change, stream_name: str = "WordDocument", size: str = "<H") -> Path:
    """A copy of the heating report with the number (of ``size``) at ``at`` of its stream ``stream_name`` changed by
    ``change``."""
    copy = tmp_path / "patched.doc"
    copy.write_bytes(HEATING.read_bytes())
    with olefile.OleFileIO(str(copy), write_mode=True) as ole:
        stream = bytearray(ole.openstream(stream_name).read())
        struct.pack_into(size, stream, at, change(struct.unpack_from(size, stream, at)[0]))
        ole.write_stream(stream_name, bytes(stream))
    return copy


@pytest.mark.parametrize(
    ("at", "change", "reason"),
    [
        (2, lambda number: 0x68, r"^a Word 6 or Word 95 document, which is not read \(save it as \.docx\)$"),
        (0x0A, lambda flags: flags | 0x0100, "^a Word document protected by a password$"),
        (0, lambda mark: 0x1234, r"^not a Word document \(its WordDocument stream does not begin as one\)$"),
    ],
    ids=["word-95", "password", "not-word"],
)
def test_what_cannot_be_read_is_refused_in_one_line(tmp_path, at, change, reason):
    assert load_document(patched(tmp_path, at, lambda same: same)).text.startswith("Keystone Heating")
    with pytest.raises(DocumentError, match=reason):
        load_document(patched(tmp_path, at, change))


def test_a_damaged_summary_loses_the_title_and_nothing_else(tmp_path):
    summary = olefile.OleFileIO(str(HEATING)).openstream("\x05SummaryInformation").read()
    count_at = struct.unpack_from("<I", summary, 44)[0] + 4  # the count of properties (olefile's reading never ends)
    document = load_document(patched(tmp_path, count_at, lambda count: 0x7FFFFFFF, "\x05SummaryInformation", "<I"))
    assert document.title == "Keystone Heating – service report"  # its first line's
    assert document.text == doc_to_text(HEATING.read_bytes())[0]


def test_a_file_that_is_no_word_document_is_refused_in_one_line(tmp_path):
    (tmp_path / "notes.doc").write_text("A note saved with the wrong name.", encoding="utf-8")
    with pytest.raises(DocumentError, match=r"^not a Word 97-2003 document \(not an OLE2 compound file\)$"):
        load_document(tmp_path / "notes.doc")
    from aspose.email_foss import msg

    (tmp_path / "mail.doc").write_bytes(msg.MapiMessage.create("Hello", "An Outlook message.").to_bytes())
    with pytest.raises(DocumentError, match=r"^not a Word document \(no WordDocument stream in it\)$"):
        load_document(tmp_path / "mail.doc")
    whole = HEATING.read_bytes()
    (tmp_path / "cut.doc").write_bytes(whole[: len(whole) * 2 // 3])
    with pytest.raises(DocumentError, match="^not a readable Word 97-2003 document") as raised:
        load_document(tmp_path / "cut.doc")
    assert "\n" not in str(raised.value)


def test_the_piece_table_places_each_run_of_characters_in_bytes_or_utf16():
    table = struct.pack("<3I", 0, 5, 9) + struct.pack("<HIH", 0, 0x40000000 | 2048 * 2, 0)
    table += struct.pack("<HIH", 0, 4096, 0)
    clx = b"\x01" + struct.pack("<H", 3) + b"abc" + b"\x02" + struct.pack("<I", len(table)) + table
    first, second = pieces(clx)
    assert (first.start, first.end, first.at, first.compressed) == (0, 5, 2048, True)
    assert (second.start, second.end, second.at, second.compressed) == (5, 9, 4096, False)
    assert (first.byte_at(3), second.byte_at(7)) == (2051, 4100)  # a byte a character, two
    word = bytearray(4200)
    word[2048:2053] = "Café ".encode("cp1252")
    word[4096:4104] = "“ok”".encode("utf-16-le")
    assert piece_text(bytes(word), first) + piece_text(bytes(word), second) == "Café “ok”"
    with pytest.raises(DocumentError, match="no piece table"):
        pieces(b"\x01" + struct.pack("<H", 0))


def test_paragraph_properties_are_read_by_their_codes_operand_sizes():
    # style 2; in a table (1 byte), outline level 0 (1 byte), a 4-byte property, one of varying size (3 bytes given)
    stored = struct.pack("<H", 2) + struct.pack("<HB", 0x2416, 1) + struct.pack("<HB", 0x2640, 0)
    stored += struct.pack("<HI", 0x6645, 0xDEADBEEF) + struct.pack("<HB", 0xC63E, 3) + b"xyz"
    assert grouped_properties(stored) == (
        2,
        {0x2416: 1, 0x2640: 0, 0x6645: 0xDEADBEEF, 0xC63E: int.from_bytes(b"\x03xyz", "little")},
    )
    assert grouped_properties(b"") == (0, {})
    page = bytearray(512)
    page[100:106] = bytes([0, 2]) + b"abcd"  # a count of 0, then the count of words: 2 words (4 bytes)
    page[200:204] = bytes([2]) + b"xyz"  # 2 words less a byte
    assert (stored_properties(bytes(page), 100), stored_properties(bytes(page), 200)) == (b"abcd", b"xyz")
    assert stored_properties(bytes(page), 0) == b""
