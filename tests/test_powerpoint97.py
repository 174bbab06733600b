"""qa.documents.powerpoint97: PowerPoint 97-2003 presentations (.ppt), as LibreOffice saves them
(tests/data/make_legacy_office.py) and as PowerPoint lays them out (streams built here, record by record)."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from qa.documents.loading import load_document
from qa.documents.powerpoint97 import Deck, ppt_to_text
from qa.errors import DocumentError

AGM = Path(__file__).parent / "data" / "agm.ppt"


def test_a_presentation_reads_as_the_same_deck_saved_as_pptx_does():
    text, own_title, first_title, sections = ppt_to_text(AGM.read_bytes())
    assert text.split("\n") == [
        "Slide 1: Riverside Allotments – AGM 2025",
        "Zoë Brandt, chair",
        "",
        "Slide 2: Membership",
        "142 plot holders",
        "19 households on the waiting list",
        "Figures as of 1 March",  # a text box
        "Notes:",
        "Mention the new water troughs.",  # the notes page's slide number ("*") left out
        "",
        "Slide 3: Plot fees from April",
        "| Plot | Fee |",  # a table: a group of cells in rows
        "| --- | --- |",
        "| Full plot | £68 |",
        "| Half plot | £36 |",
    ]
    assert (own_title, first_title) == (None, "Riverside Allotments – AGM 2025")  # no summary kept in the file
    assert [(s.start, s.title) for s in sections] == [
        (0, "Slide 1: Riverside Allotments – AGM 2025"),
        (text.index("Slide 2"), "Slide 2: Membership"),
        (text.index("Slide 3"), "Slide 3: Plot fees from April"),
    ]
    assert load_document(AGM).title == "Riverside Allotments – AGM 2025"


def record(kind: int, body: bytes = b"", instance: int = 0, container: bool = False) -> bytes:
    """A record of the PowerPoint Document stream: its header (version, instance, type, length), then ``body``."""
    return struct.pack("<HHI", (instance << 4) | (0xF if container else 0), kind, len(body)) + body


def shape(*inside: bytes) -> bytes:
    return record(0xF004, b"".join(inside), container=True)


def text_box(*inside: bytes) -> bytes:
    return record(0xF00D, b"".join(inside), container=True)


def powerpoint_stream() -> tuple[bytes, bytes]:
    """A PowerPoint Document stream as PowerPoint writes one, and its Current User stream: the slide's title and
    body kept in the document's slide list (the body in one byte a character) and referred to from its shapes; a
    text box of its own; a slide saved twice, the second edit moving it (the first copy says "Draft")."""
    outline = (
        record(0x03F3, struct.pack("<IIiII", 2, 0, 2, 256, 0))
        + record(0x0F9F, struct.pack("<I", 0))
        + record(0x0FA0, "Budget 2026".encode("utf-16-le"))
        + record(0x0F9F, struct.pack("<I", 1))
        + record(0x0FA8, "Pumps and drives: £612,400\rContingency: £160,000".encode("latin-1"))
    )
    document = record(0x03E8, record(0x0FF0, outline, instance=0, container=True), container=True)
    patriarch = shape(record(0xF009, bytes(16)), record(0xF00A, bytes(8), instance=0))

    def slide(title_note: str) -> bytes:
        body = shape(
            record(0xF010, struct.pack("<hhhh", 900, 100, 500, 1200)), text_box(record(0x0F9E, struct.pack("<I", 1)))
        )
        title = shape(
            record(0xF010, struct.pack("<hhhh", 100, 100, 500, 300)), text_box(record(0x0F9E, struct.pack("<I", 0)))
        )
        note = shape(text_box(record(0x0F9F, struct.pack("<I", 4)), record(0x0FA0, title_note.encode("utf-16-le"))))
        group = record(0xF003, patriarch + body + title + note, container=True)
        drawing = record(0x040C, record(0xF002, group, container=True), container=True)
        return record(0x03EE, record(0x03EF, bytes(24)) + drawing, container=True)

    draft, final = slide("Draft"), slide("Approved on 28 March")
    stream = bytearray(document)
    draft_at = len(stream)
    stream += draft
    first_directory = len(stream)
    stream += record(0x1772, struct.pack("<III", 1 | (2 << 20), 0, draft_at))
    first_edit = len(stream)
    stream += record(0x0FF5, struct.pack("<IHBBIIIII", 256, 0, 0, 3, 0, first_directory, 1, 3, 0))
    final_at = len(stream)
    stream += final
    second_directory = len(stream)
    stream += record(0x1772, struct.pack("<II", 2 | (1 << 20), final_at))
    second_edit = len(stream)
    stream += record(0x0FF5, struct.pack("<IHBBIIIII", 256, 0, 0, 3, first_edit, second_directory, 1, 3, 0))
    current_user = struct.pack("<HHI", 0, 0x0FF6, 20) + struct.pack("<IIIHHH", 20, 0xE391C05F, second_edit, 0, 0, 0)
    return bytes(stream), current_user


def test_a_slide_as_powerpoint_lays_it_out_reads_its_outline_where_its_shapes_refer_to_it_from_its_last_edit():
    stream, current_user = powerpoint_stream()
    assert list(Deck(stream, current_user).slides()) == [
        ("Budget 2026", ["Pumps and drives: £612,400", "Contingency: £160,000", "Approved on 28 March"])
    ]


def test_what_is_no_presentation_is_refused_in_one_line(tmp_path):
    (tmp_path / "notes.ppt").write_text("Slides to follow.", encoding="utf-8")
    with pytest.raises(DocumentError, match=r"^not a PowerPoint 97-2003 presentation \(not an OLE2 compound file\)$"):
        load_document(tmp_path / "notes.ppt")
    (tmp_path / "report.ppt").write_bytes((Path(__file__).parent / "data" / "heating.doc").read_bytes())
    with pytest.raises(DocumentError, match=r"^not a PowerPoint presentation \(no PowerPoint Document stream in it\)$"):
        load_document(tmp_path / "report.ppt")
    stream, _ = powerpoint_stream()
    with pytest.raises(DocumentError, match=r"current edit is not where it says"):
        Deck(stream, struct.pack("<HHI", 0, 0x0FF6, 20) + struct.pack("<IIIHHH", 20, 0, 7, 0, 0, 0))
