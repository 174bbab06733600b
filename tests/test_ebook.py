"""qa.documents.ebook: e-books as their chapters in reading order, each read as a web page, with its headings."""

from __future__ import annotations

import io
import zipfile

import pytest

from qa.documents.ebook import epub_to_text
from qa.documents.loading import load_document
from qa.errors import DocumentError

CONTAINER = (
    '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
    '<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles>'
    "</container>"
)
PACKAGE = (
    '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0"><metadata '
    'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>The Allotment Handbook</dc:title></metadata><manifest>'
    '<item id="cover" href="cover.xhtml" media-type="application/xhtml+xml"/>'
    '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>'
    '<item id="c1" href="text/chapter%201.xhtml" media-type="application/xhtml+xml"/>'
    '<item id="c2" href="text/chapter2.xhtml" media-type="application/xhtml+xml"/>'
    '<item id="art" href="images/plot.png" media-type="image/png"/></manifest>'
    '<spine><itemref idref="cover" linear="no"/><itemref idref="c1"/><itemref idref="art"/><itemref idref="c2"/>'
    "</spine></package>"
)


NAV = (
    '<nav xmlns:epub="http://www.idpf.org/2007/ops" epub:type="toc"><ol><li><a href="text/chapter%201.xhtml">Soil</a>'
    '</li><li><a href="text/chapter2.xhtml#water">Water</a></li></ol></nav>'
)


def page(title: str, body: str) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml"><head>'
        f"<title>{title}</title></head><body>{body}</body></html>"
    )


def epub(encrypted: str = "") -> bytes:
    """An EPUB 3 book as a publishing tool writes one: a cover out of the reading order, two chapters (one in a
    folder whose name has a space), a picture in the spine; ``encrypted``: a path its encryption list names."""
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as book:
        book.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        book.writestr("META-INF/container.xml", CONTAINER)
        book.writestr("OEBPS/content.opf", PACKAGE)
        book.writestr("OEBPS/cover.xhtml", page("Cover", "<p>Cover picture</p>"))
        book.writestr("OEBPS/nav.xhtml", page("Contents", NAV))  # its chapters open with headings: no more
        book.writestr(
            "OEBPS/text/chapter 1.xhtml",
            page("Handbook", "<h1>1. Soil</h1><p>Test the soil’s pH every spring; Zoë lends the kit.</p>"),
        )
        book.writestr(
            "OEBPS/text/chapter2.xhtml",
            page("Handbook", "<h1>2. Water</h1><h2>Hoses</h2><p>Hoses are banned from June to August.</p>"),
        )
        book.writestr("OEBPS/images/plot.png", b"\x89PNG\r\n\x1a\n")
        if encrypted:
            book.writestr(
                "META-INF/encryption.xml",
                '<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
                'xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData><enc:CipherData>'
                f'<enc:CipherReference URI="{encrypted}"/></enc:CipherData></enc:EncryptedData></encryption>',
            )
    return data.getvalue()


def test_an_ebooks_chapters_are_read_in_their_order_with_their_headings():
    text, title, sections = epub_to_text(epub())
    assert text == (
        "1. Soil\nTest the soil’s pH every spring; Zoë lends the kit.\n\n2. Water\nHoses\nHoses are banned from June to "
        "August."
    )
    assert title == "The Allotment Handbook"
    assert [(s.title, s.level) for s in sections] == [("1. Soil", 1), ("2. Water", 1), ("Hoses", 2)]
    assert all(text[s.start : s.start + len(s.title)] == s.title for s in sections)


def test_an_ebook_loads_titled_by_its_metadata_and_one_locked_by_drm_is_refused(tmp_path):
    (tmp_path / "handbook.epub").write_bytes(epub(encrypted="OEBPS/fonts/serif.otf"))  # an obfuscated font: no lock
    assert load_document(tmp_path / "handbook.epub").title == "The Allotment Handbook"
    (tmp_path / "locked.epub").write_bytes(epub(encrypted="OEBPS/text/chapter2.xhtml"))
    with pytest.raises(DocumentError, match="^an e-book locked by DRM"):
        load_document(tmp_path / "locked.epub")
    (tmp_path / "broken.epub").write_bytes(b"PK\x03\x04 not a zip")
    with pytest.raises(DocumentError, match="^broken e-book \\("):
        load_document(tmp_path / "broken.epub")


NCX = (
    '<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1"><navMap>'
    '<navPoint id="p1"><navLabel><text>Part One: Soil</text></navLabel><content src="part1.html"/>'
    '<navPoint id="p2"><navLabel><text>Testing the pH</text></navLabel><content src="ph.html#start"/></navPoint>'
    "</navPoint></navMap></ncx>"
)


def test_chapters_without_headings_are_sections_named_by_the_table_of_contents():
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as book:  # EPUB 2: an NCX file, chapters whose headings are styled paragraphs
        book.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        book.writestr("META-INF/container.xml", CONTAINER.replace("OEBPS/content.opf", "book.opf"))
        book.writestr(
            "book.opf",
            '<package xmlns="http://www.idpf.org/2007/opf" version="2.0"><manifest>'
            '<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>'
            '<item id="a" href="part1.html" media-type="application/xhtml+xml"/>'
            '<item id="b" href="ph.html" media-type="application/xhtml+xml"/></manifest>'
            '<spine toc="ncx"><itemref idref="a"/><itemref idref="b"/></spine></package>',
        )
        book.writestr("toc.ncx", NCX)
        book.writestr("part1.html", page("Book", '<p class="h">Part One</p><p>Good soil crumbles.</p>'))
        book.writestr("ph.html", page("Book", '<p class="h">Testing</p><p>Aim for a pH of 6.5.</p>'))
    text, title, sections = epub_to_text(data.getvalue())
    assert text == "Part One\nGood soil crumbles.\n\nTesting\nAim for a pH of 6.5."
    assert title is None
    assert [(s.title, s.level, s.start) for s in sections] == [
        ("Part One: Soil", 1, 0),
        ("Testing the pH", 2, text.index("Testing")),  # a nested point: one level down
    ]
