"""qa.documents.scans: scanned pages saved as a TIFF image, read page by page by OCR where Tesseract is installed."""

from __future__ import annotations

import io
import shutil

import pytest
from test_ocr import INVOICE, TERMS, needs_tesseract, scanned_page

from qa.documents import ocr
from qa.documents.loading import load_document, page_at
from qa.errors import DocumentError
from qa.testing.tesseract import FakeTesseract


def scanned_tiff(*pages: list[str]) -> bytes:
    """A TIFF image of scanned pages, one frame each, as a scanner or a fax saves them."""
    first, *others = [scanned_page(lines) for lines in pages]
    data = io.BytesIO()
    first.save(data, "TIFF", compression="tiff_deflate", save_all=True, append_images=others, dpi=(300, 300))
    return data.getvalue()


@needs_tesseract
def test_each_page_of_a_scanned_tiff_is_read_by_ocr_with_its_page(tmp_path):
    (tmp_path / "invoice.tiff").write_bytes(scanned_tiff(INVOICE, TERMS))
    document = load_document(tmp_path / "invoice.tiff")
    assert document.title.startswith("KEYSTONE HEATING LTD")  # its first line
    cost = document.text.index("Replacing the diverter valve in your boiler cost $227.60, parts and labour.")
    returns = document.text.index("Our engineer returns on Thursday 15 February to check the pressure.")
    assert (page_at(document.page_starts, cost), page_at(document.page_starts, returns)) == (1, 2)


def test_a_tiff_is_refused_in_one_line_without_tesseract_or_when_it_is_no_image(tmp_path, monkeypatch):
    (tmp_path / "fax.tif").write_bytes(scanned_tiff(TERMS))
    (tmp_path / "notes.tif").write_text("Not an image.", encoding="utf-8")
    if shutil.which("tesseract"):  # only where OCR could read it is it opened
        with pytest.raises(DocumentError, match=r"^not a readable TIFF image \("):
            load_document(tmp_path / "notes.tif")
    monkeypatch.setenv("PATH", str(tmp_path))  # no tesseract on it
    with pytest.raises(DocumentError, match=r"^a scanned image, which only OCR reads: install Tesseract OCR"):
        load_document(tmp_path / "fax.tif")


def test_a_page_whose_text_cannot_be_kept_is_read_all_the_same(tmp_path, monkeypatch):
    tesseract = FakeTesseract(tmp_path / "bin", "Thursday 15 February.")
    monkeypatch.setenv("PATH", str(tesseract.folder))
    (tmp_path / "not-a-folder").write_text("a file where the folder would be", encoding="utf-8")
    (tmp_path / "scan.tiff").write_bytes(scanned_tiff(INVOICE, TERMS))
    for _ in range(2):
        document = load_document(tmp_path / "scan.tiff", scans=ocr.Reading(kept_in=tmp_path / "not-a-folder" / "ocr"))
        assert document.text == "Thursday 15 February.\n\nThursday 15 February." and document.page_starts == [0, 23]
    assert tesseract.pages_read() == 4
