"""Loading documents: every supported format, titles, stable ids, and clear reasons for files that cannot be read."""

from __future__ import annotations

import pytest

from qa.documents import DocumentError, document_id, folder_files, load_document


def test_text_and_markdown_titles(tmp_path):
    (tmp_path / "notes.txt").write_text("\n\nFirst line is the title\nbody text.", encoding="utf-8")
    (tmp_path / "readme.md").write_text("intro\n# The Heading\nMore.", encoding="utf-8")
    assert load_document(tmp_path / "notes.txt").title == "First line is the title"
    assert load_document(tmp_path / "readme.md").title == "The Heading"


def test_id_is_content_hash_and_stable(tmp_path):
    (tmp_path / "a.txt").write_text("Same text.", encoding="utf-8")
    first = load_document(tmp_path / "a.txt")
    assert first.id == document_id("Same text.") == load_document(tmp_path / "a.txt").id
    (tmp_path / "a.txt").write_text("Other text.", encoding="utf-8")
    assert load_document(tmp_path / "a.txt").id != first.id


def test_html_keeps_visible_text_only(tmp_path):
    (tmp_path / "page.html").write_text(
        "<html><head><title>Page Title</title><style>p{color:red}</style></head>"
        "<body><h1>Heading</h1><script>var hidden = 1;</script><p>Visible &amp; kept.</p></body></html>",
        encoding="utf-8",
    )
    document = load_document(tmp_path / "page.html")
    assert document.title == "Page Title"
    assert "Visible & kept." in document.text and "Heading" in document.text
    assert "hidden" not in document.text and "color" not in document.text


def test_pdf_text(tmp_path):
    from reportlab.pdfgen import canvas

    path = tmp_path / "report.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.setTitle("Quarterly Report")
    pdf.drawString(72, 720, "The bridge opened in 1987.")
    pdf.showPage()
    pdf.drawString(72, 720, "Second page text.")
    pdf.save()
    document = load_document(path)
    assert document.title == "Quarterly Report"
    assert "The bridge opened in 1987." in document.text and "Second page text." in document.text


def test_encodings(tmp_path):
    (tmp_path / "bom.txt").write_bytes("\ufeffÜber café".encode("utf-8"))
    (tmp_path / "latin.txt").write_bytes("Café crème in Zürich".encode("cp1252"))
    (tmp_path / "wide.txt").write_bytes("Wide text".encode("utf-16"))
    assert load_document(tmp_path / "bom.txt").text == "Über café"
    assert load_document(tmp_path / "latin.txt").text == "Café crème in Zürich"
    assert load_document(tmp_path / "wide.txt").text == "Wide text"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"   \n\t ", "no text"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
        ("undecodable.txt", b"caf\xe9 \x81\x8d\x90", "not UTF-8"),
        ("broken.pdf", b"%PDF-1.4 this is not really a pdf", "broken PDF"),
        ("fake.pdf", b"hello", "not a PDF"),
    ],
)
def test_unreadable_files_are_reported_and_skipped(tmp_path, name, content, reason):
    (tmp_path / "good.txt").write_text("A good document.", encoding="utf-8")
    (tmp_path / name).write_bytes(content)
    with pytest.raises(DocumentError, match=reason):
        load_document(tmp_path / name)
    assert load_document(tmp_path / "good.txt").text == "A good document."


def test_folder_files_are_recursive_ordered_and_supported_only(tmp_path):
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / "b.txt").write_text("Bee.", encoding="utf-8")
    (tmp_path / "sub" / "deeper" / "a.md").write_text("# A\nAy.", encoding="utf-8")
    (tmp_path / "sub" / "copy.txt").write_text("Bee.", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("Hidden.", encoding="utf-8")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    assert folder_files(tmp_path) == [tmp_path / "b.txt", tmp_path / "sub" / "copy.txt",
                                      tmp_path / "sub" / "deeper" / "a.md"]


def test_too_large_and_missing_folder(tmp_path):
    (tmp_path / "big.txt").write_text("x" * 2000, encoding="utf-8")
    with pytest.raises(DocumentError, match="too large"):
        load_document(tmp_path / "big.txt", max_bytes=1000)
    with pytest.raises(FileNotFoundError, match="documents folder not found"):
        folder_files(tmp_path / "nope")
