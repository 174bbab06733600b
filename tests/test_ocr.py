"""qa.documents.ocr: a scanned PDF's pages read by Tesseract OCR where it is installed, named as unread where not."""

from __future__ import annotations

import io
import shutil
import sys
import threading
import time

import pytest
from PIL import Image, ImageDraw, ImageFont

from qa.documents import ocr
from qa.documents.loading import load_document, page_at
from qa.documents.pdf import scanned_paragraphs
from qa.errors import DocumentError, OptionError
from qa.testing.tesseract import FakeTesseract

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


@pytest.fixture
def text_pdf(tmp_path):
    """A PDF of one page of text, which no OCR reads."""
    from reportlab.pdfgen import canvas

    path = tmp_path / "letter.pdf"
    page = canvas.Canvas(str(path))
    page.drawString(72, 720, "The boiler was serviced on 3 March by Keystone Heating.")
    page.save()
    return path


def test_a_scans_pages_are_read_once_and_then_from_where_their_text_is_kept(tmp_path, monkeypatch):
    tesseract = FakeTesseract(tmp_path / "bin", "Invoice KH-2291: the diverter valve cost $227.60.")
    monkeypatch.setenv("PATH", str(tesseract.folder))
    (tmp_path / "invoice.pdf").write_bytes(scanned_pdf(INVOICE, TERMS))
    kept = ocr.Reading(kept_in=tmp_path / "kept")
    first = load_document(tmp_path / "invoice.pdf", scans=kept)
    assert "Invoice KH-2291: the diverter valve cost $227.60." in first.text and tesseract.pages_read() == 2
    assert load_document(tmp_path / "invoice.pdf", scans=kept) == first and tesseract.pages_read() == 2
    assert len(list((tmp_path / "kept").rglob("*.txt"))) == 2 and not list((tmp_path / "kept").rglob("*.part"))
    assert load_document(tmp_path / "invoice.pdf") == first and tesseract.pages_read() == 4  # kept nowhere
    german = ocr.Reading("deu", kept_in=tmp_path / "kept")
    assert load_document(tmp_path / "invoice.pdf", scans=german) == first  # other languages: read again, in them
    assert tesseract.pages_read("deu") == 2 and tesseract.pages_read() == 6


def test_other_pdfs_are_read_while_ocr_reads_a_scan(tmp_path, monkeypatch, text_pdf):
    tesseract = FakeTesseract(tmp_path / "bin", "Scanned words.", go=tmp_path / "go")  # waits for go to read
    monkeypatch.setenv("PATH", str(tesseract.folder))
    (tmp_path / "invoice.pdf").write_bytes(scanned_pdf(INVOICE))
    read: dict[str, str] = {}
    scanning = threading.Thread(target=lambda: read.update(scan=load_document(tmp_path / "invoice.pdf").text))
    scanning.start()
    for _ in range(400):  # until OCR has begun
        if tesseract.pages_read():
            break
        time.sleep(0.05)
    reading = threading.Thread(target=lambda: read.update(letter=load_document(text_pdf).text))
    reading.start()
    reading.join(timeout=20)
    done_while_scanning = not reading.is_alive() and scanning.is_alive()
    (tmp_path / "go").touch()
    scanning.join(timeout=20)
    reading.join(timeout=20)
    assert done_while_scanning
    assert read == {"scan": "Scanned words.", "letter": "The boiler was serviced on 3 March by Keystone Heating."}


def test_ocr_languages_must_be_installed_where_tesseract_is(tmp_path, monkeypatch):
    tesseract = FakeTesseract(tmp_path / "bin", "", languages=["eng", "osd", "chi_sim"])
    monkeypatch.setenv("PATH", str(tesseract.folder))
    assert ocr.installed_languages() == {"eng", "osd", "chi_sim"}
    assert ocr.tesseract_version() == "tesseract 5.3.0 (a stand-in)"  # the one on the PATH now
    ocr.check_languages("eng")
    ocr.check_languages("chi_sim+eng")
    message = (
        r"^OCR language 'deu' is not installed \(Tesseract here reads chi_sim, eng, osd\): "
        r"apt install tesseract-ocr-deu, or set QA_OCR_LANGUAGES$"
    )
    with pytest.raises(OptionError, match=message):
        ocr.check_languages("eng+deu")
    assert ocr.read_with("deu+eng") == "deu+eng"
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    ocr.check_languages("deu")  # no Tesseract: scans are named as unread, whatever the languages
    assert ocr.read_with("deu+eng") == "" and ocr.tesseract_version() == ""


@needs_tesseract
def test_tesseract_lists_the_languages_it_reads():
    assert "eng" in ocr.installed_languages() and ocr.tesseract_version().startswith("tesseract ")
    ocr.check_languages("eng")
    with pytest.raises(OptionError, match=r"^OCR language 'xyz' is not installed"):
        ocr.check_languages("eng+xyz")


GERMAN_INVOICE = [
    "Rechnung der Heizungsfirma Müller, Köln",
    "",
    "Die Prüfung ergab einen Überdruck im Kessel.",
    "Das Ausdehnungsgefäß ist zu klein für die Größe der Anlage.",
    "Bitte zahlen Sie 318,40 € bis zum 15. März.",
]


@pytest.mark.skipif(
    shutil.which("tesseract") is None or "deu" not in ocr.installed_languages(),
    reason="Tesseract OCR with German (tesseract-ocr-deu) is not installed",
)
def test_a_scan_in_german_is_read_letter_for_letter_in_the_languages_asked_for(tmp_path):
    from test_pdf import dejavu

    page = Image.new("L", (2480, 3508), 255)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(dejavu()[0], 44)  # a font with every letter drawn
    for number, line in enumerate(GERMAN_INVOICE):
        draw.text((220, 250 + 66 * number), line, font=font, fill=0)
    data = io.BytesIO()
    page.save(data, "PDF", resolution=300)
    (tmp_path / "rechnung.pdf").write_bytes(data.getvalue())
    german = load_document(tmp_path / "rechnung.pdf", scans=ocr.Reading("deu+eng"))
    assert german.text == GERMAN_INVOICE[0] + "\n\n" + " ".join(GERMAN_INVOICE[2:])  # one paragraph, as set
    assert "Größe" not in load_document(tmp_path / "rechnung.pdf").text  # read as English: "Gr6é&e"


class Terminal(io.StringIO):
    """Standard error as a terminal has it (where progress bars are shown)."""

    def isatty(self) -> bool:
        return True


def test_a_documents_pages_show_their_progress_in_a_terminal_unless_the_reading_says_not(monkeypatch):
    monkeypatch.setattr(sys, "stderr", Terminal())
    with ocr.pages_progress(3, "PDF pages") as bar:
        assert not bar.disable and bar.delay == ocr.PROGRESS_DELAY_S and bar.total == 3
    with ocr.reading(ocr.Reading(progress=False)), ocr.pages_progress(3, "PDF pages") as bar:
        assert bar.disable  # the index catching up in the background
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    with ocr.pages_progress(3, "PDF pages") as bar:
        assert bar.disable  # no terminal: a log file, a server's output
