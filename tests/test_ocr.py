"""qa.documents.ocr: a scanned PDF's pages read by Tesseract OCR where it is installed, named as unread where not."""

from __future__ import annotations

import io
import shutil

import pytest
from PIL import Image, ImageDraw, ImageFont

from qa.documents import ocr
from qa.documents.loading import load_document, page_at
from qa.documents.pdf import scanned_paragraphs
from qa.errors import DocumentError

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="Tesseract OCR is not installed")
INVOICE = [
    "KEYSTONE HEATING LTD",
    "",
    "",
    "Invoice KH-2291, 12 February 2024",
    "",
    "Replacing the diverter valve in your boiler cost",
    "$227.60, parts and labour. Please pay within 30 days.",
]
TERMS = ["Terms", "", "Our engineer returns on Thursday 15 February to check", "the pressure. Call 0161 496 0519."]


def scanned_page(lines: list[str]) -> Image.Image:
    """A page of A4 at 300 dots an inch, as a scanner makes one: a picture of ``lines``, no text in it."""
    page = Image.new("L", (2480, 3508), 255)
    draw = ImageDraw.Draw(page)
    font = ImageFont.load_default(size=44)
    for number, line in enumerate(lines):
        draw.text((220, 250 + 66 * number), line, font=font, fill=0)
    return page


def scanned_pdf(*pages: list[str]) -> bytes:
    """A PDF of scanned pages: pictures only, as a scanner or a phone's scanning app saves them."""
    first, *others = [scanned_page(lines) for lines in pages]
    data = io.BytesIO()
    first.save(data, "PDF", resolution=300, save_all=True, append_images=others)
    return data.getvalue()


def test_tesseracts_text_is_cut_into_paragraphs_of_lines():
    text = "KEYSTONE  HEATING\n\nReplacing the valve cost $227.60, parts and la-\nbour.\n\n \n\f"
    assert ocr.paragraphs(text) == [["KEYSTONE HEATING"], ["Replacing the valve cost $227.60, parts and la-", "bour."]]
    assert ocr.paragraphs("\f") == []


def test_a_scanned_pages_lines_are_joined_as_a_pdfs_are_and_a_paragraph_cut_mid_sentence_rejoined():
    read = [
        ["Replacing the valve cost $227.60, parts and la-", "bour; a well-", "known fitter who is going"],
        ["to come back."],  # OCR's paragraph break inside a sentence
        ["Sort code 20-", "45-77."],
        ["invoice KH-2291"],  # after a sentence's end: another paragraph
    ]
    assert scanned_paragraphs(read) == [
        "Replacing the valve cost $227.60, parts and labour; a well-known fitter who is going to come back.",
        "Sort code 20-45-77.",
        "invoice KH-2291",
    ]


@needs_tesseract
def test_a_scanned_pdf_reads_as_the_text_ocr_finds_on_each_page_with_its_page(tmp_path):
    (tmp_path / "invoice.pdf").write_bytes(scanned_pdf(INVOICE, TERMS))
    document = load_document(tmp_path / "invoice.pdf")
    assert "Invoice KH-2291, 12 February 2024" in document.text
    assert "Replacing the diverter valve in your boiler cost $227.60, parts and labour." in document.text
    returns = document.text.index("Our engineer returns on Thursday 15 February to check the pressure.")
    assert page_at(document.page_starts, returns) == 2 and page_at(document.page_starts, 0) == 1


def test_without_tesseract_a_scanned_pdf_is_named_with_how_to_read_it(tmp_path, monkeypatch):
    (tmp_path / "invoice.pdf").write_bytes(scanned_pdf(INVOICE))
    monkeypatch.setenv("PATH", str(tmp_path))  # no tesseract on it
    assert not ocr.installed() and ocr.page_paragraphs(scanned_page(INVOICE)) == []
    with pytest.raises(DocumentError, match=r"^no text in it \(empty, or a scanned PDF without a text layer: install"):
        load_document(tmp_path / "invoice.pdf")
