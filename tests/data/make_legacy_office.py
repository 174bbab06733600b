"""Writes the Word 97-2003 document and the Excel 97-2003 workbook in tests/data that tests/test_word97.py and
tests/test_workbook.py read: an OpenDocument text and an .xlsx workbook written here, saved as .doc and .xls by
LibreOffice (`python tests/data/make_legacy_office.py`; needs `soffice` on the PATH)."""

from __future__ import annotations

import datetime
import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import openpyxl

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


def convert(source: Path, to: str, out: Path) -> None:
    """``source`` saved by LibreOffice in the format ``to`` (a suffix and LibreOffice's filter) into ``out``."""
    command = ["soffice", "--headless", "--convert-to", to, "--outdir", str(out), str(source)]
    subprocess.run(command, check=True, capture_output=True)


if __name__ == "__main__":
    main()
