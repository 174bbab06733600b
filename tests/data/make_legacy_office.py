"""Writes the Word, Excel and PowerPoint 97-2003 files in tests/data that tests/test_word97.py, tests/test_workbook.py
and tests/test_powerpoint97.py read: an OpenDocument text, an .xlsx workbook and a .pptx deck written here, saved as
.doc, .xls and .ppt by LibreOffice (`python tests/data/make_legacy_office.py`; needs `soffice` on the PATH). The
.ppt keeps only the streams a presentation's text is in (its summary holds a 600 KB thumbnail)."""

from __future__ import annotations

import datetime
import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import olefile
import openpyxl
import pptx
from pptx.util import Inches

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from test_opendocument import odt

HEATING = (
    '<text:h text:outline-level="1">Keystone Heating – service report</text:h>'
    "<text:p>Zoë Brandt serviced the boiler on Thursday 8 February 2024. The diverter valve has failed"
    '<text:note text:note-class="footnote"><text:note-citation>1</text:note-citation><text:note-body>'
    "<text:p>Part number DV-2291, in stock at Harlow Supplies.</text:p></text:note-body></text:note>.</text:p>"
    '<table:table table:name="Prices"><table:table-column table:number-columns-repeated="2"/>'
    "<table:table-header-rows><table:table-row><table:table-cell><text:p>Part</text:p></table:table-cell>"
    "<table:table-cell><text:p>Price</text:p></table:table-cell></table:table-row></table:table-header-rows>"
    "<table:table-row><table:table-cell><text:p>Diverter valve</text:p></table:table-cell>"
    "<table:table-cell><text:p>£142.60</text:p></table:table-cell></table:table-row>"
    "<table:table-row><table:table-cell><text:p>Labour</text:p><text:p>(1.5 hours)</text:p></table:table-cell>"
    "<table:table-cell><text:p>£85.00</text:p></table:table-cell></table:table-row></table:table>"
    "<text:list><text:list-item><text:p>Flue checked</text:p></text:list-item>"
    "<text:list-item><text:p>Pressure topped up to 1.5 bar</text:p></text:list-item></text:list>"
    '<text:h text:outline-level="2">Next visit</text:h>'
    '<text:p>She comes back on 15 February. Book online at <text:a xlink:type="simple" '
    'xlink:href="https://keystone.example/book">keystone.example/book</text:a> or ring 0161 496 0519.</text:p>'
    "<text:p>Гарантия: два года. 保証は二年間です。</text:p>"
)
DOCUMENTS = {"heating.doc": (HEATING, "Boiler service – Keystone Heating")}
COSTS = {  # costs.xls: sheets of rows; a formula's value LibreOffice works out and saves
    "Quotes": [
        ["Item", "Supplier", "Price", "Ordered", "Paid"],
        ["Diverter valve", "Harlow Supplies", 142.6, datetime.date(2024, 2, 8), True],
        ["Labour (hours)", "Keystone Heating", 1.5, datetime.datetime(2024, 2, 15, 9, 30), False],
        ["Total", None, "=C2+C3*85", None, "=1/0"],
    ],
    "Контакты": [["Name", "Phone"], ["Zoë Brandt", "0161 496 0519"]],
    "Empty": [],
}


MANIFEST = (
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/></manifest:manifest>'
)


def with_manifest(package: bytes) -> bytes:
    """An OpenDocument package with the manifest LibreOffice needs to open it (tests' packages have none)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as given, zipfile.ZipFile(out, "w") as written:
        for entry in given.infolist():
            written.writestr(entry, given.read(entry.filename))
        written.writestr("META-INF/manifest.xml", MANIFEST)
    return out.getvalue()


def main() -> None:
    out = Path(__file__).parent
    with tempfile.TemporaryDirectory() as work:
        for name, (body, title) in DOCUMENTS.items():
            source = Path(work) / Path(name).with_suffix(".odt")
            source.write_bytes(with_manifest(odt(body, title)))
            convert(source, "doc:MS Word 97", out)
        book = openpyxl.Workbook()
        book.remove(book.active)
        for title, rows in COSTS.items():
            sheet = book.create_sheet(title)
            for row in rows:
                sheet.append(row)
        book.save(Path(work) / "costs.xlsx")
        convert(Path(work) / "costs.xlsx", "xls:MS Excel 97", out)
        agm_deck().save(Path(work) / "agm.pptx")
        convert(Path(work) / "agm.pptx", "ppt:MS PowerPoint 97", Path(work))
        (out / "agm.ppt").write_bytes(streams_only(Path(work) / "agm.ppt", ["Current User", "PowerPoint Document"]))


def agm_deck() -> Any:
    """A deck of three slides: a title slide, one with a list, a text box and notes, one with a table."""
    deck = pptx.Presentation()
    first = deck.slides.add_slide(deck.slide_layouts[0])
    first.shapes.title.text = "Riverside Allotments – AGM 2025"
    first.placeholders[1].text = "Zoë Brandt, chair"
    second = deck.slides.add_slide(deck.slide_layouts[1])
    second.shapes.title.text = "Membership"
    body = second.placeholders[1].text_frame
    body.text = "142 plot holders"
    body.add_paragraph().text = "19 households on the waiting list"
    box = second.shapes.add_textbox(Inches(1), Inches(6), Inches(4), Inches(1))
    box.text_frame.text = "Figures as of 1 March"
    second.notes_slide.notes_text_frame.text = "Mention the new water troughs."
    third = deck.slides.add_slide(deck.slide_layouts[5])
    third.shapes.title.text = "Plot fees from April"
    table = third.shapes.add_table(3, 2, Inches(1), Inches(2), Inches(6), Inches(2)).table
    for row, cells in enumerate([("Plot", "Fee"), ("Full plot", "£68"), ("Half plot", "£36")]):
        for column, text in enumerate(cells):
            table.cell(row, column).text = text
    return deck


def streams_only(path: Path, names: list[str]) -> bytes:
    """A compound file of only the streams ``names`` of the one at ``path`` (written by aspose-email-foss)."""
    from aspose.email_foss.cfb import CFBDocument, CFBStorage, CFBStream, CFBWriter

    root = CFBStorage("Root Entry")
    with olefile.OleFileIO(str(path)) as ole:
        for name in names:
            root.add_stream(CFBStream(name, ole.openstream(name).read()))
    return CFBWriter.to_bytes(CFBDocument(root))


def convert(source: Path, to: str, out: Path) -> None:
    """``source`` saved by LibreOffice in the format ``to`` (a suffix and LibreOffice's filter) into ``out``."""
    command = ["soffice", "--headless", "--convert-to", to, "--outdir", str(out), str(source)]
    subprocess.run(command, check=True, capture_output=True)


if __name__ == "__main__":
    main()
