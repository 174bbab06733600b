"""E-books (.epub) as text: their chapters in reading order, each read as a web page is, with its headings."""

from __future__ import annotations

import io
import posixpath
import zipfile
from typing import Any
from urllib.parse import unquote

from qa.documents.html import html_to_text
from qa.documents.markup import joined_texts
from qa.errors import DocumentError
from qa.models import Section

CONTAINER = "{urn:oasis:names:tc:opendocument:xmlns:container}"
PACKAGE = "{http://www.idpf.org/2007/opf}"
DUBLIN_CORE_TITLE = "{http://purl.org/dc/elements/1.1/}title"
ENCRYPTION = "{http://www.w3.org/2001/04/xmlenc#}"
PAGES = frozenset({"application/xhtml+xml", "text/html"})  # a manifest's media types of chapters


def epub_to_text(data: bytes) -> tuple[str, str | None, list[Section]]:
    """The text of an EPUB e-book, its title (its metadata's) and its headings: the chapters its spine lists, in
    order (those it marks as outside the reading order, a cover's, left out), each read as a web page
    (``html_to_text``), a blank line between them. Raises DocumentError when ``data`` is no e-book, or one locked by
    DRM (its chapters encrypted)."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            container = etree.fromstring(book.read("META-INF/container.xml"), parser)
            found = container.find(f".//{CONTAINER}rootfile")
            opf_path = found.get("full-path", "") if found is not None else ""
            package = etree.fromstring(book.read(opf_path), parser)
            chapters = spine_paths(package, posixpath.dirname(opf_path))
            locked_out(book, chapters)
            held = set(book.namelist())
            pages = [book.read(path) for path in chapters if path in held]
    except DocumentError:
        raise
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, ValueError) as error:
        raise DocumentError(f"broken e-book ({error})") from None
    text, sections = "", list[Section]()
    for page in pages:
        read, _, headings = html_to_text(page.decode("utf-8-sig", errors="replace"))
        if read.strip():
            text, sections = joined_texts(text, sections, read, headings)
    title = package.findtext(f".//{DUBLIN_CORE_TITLE}")
    return text, title, sections


def spine_paths(package: Any, folder: str) -> list[str]:
    """The paths in the book of the chapters an OPF package's spine lists, in order, but for those it marks as not
    linear (a cover, a pop-up note) and those that are no page (a picture)."""
    manifest = {item.get("id"): item for item in package.iter(f"{PACKAGE}item") if item.get("media-type") in PAGES}
    paths = []
    for reference in package.iter(f"{PACKAGE}itemref"):
        item = manifest.get(reference.get("idref"))
        if item is not None and reference.get("linear", "yes") != "no":
            paths.append(posixpath.normpath(posixpath.join(folder, unquote(item.get("href", "")))))
    return paths


def locked_out(book: zipfile.ZipFile, chapters: list[str]) -> None:
    """Raises DocumentError when the book's encryption list names a chapter (DRM: only a licensed reader can open
    it); fonts obfuscated as the EPUB standard allows are no lock."""
    from lxml import etree

    if "META-INF/encryption.xml" not in book.namelist():
        return
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    listed = etree.fromstring(book.read("META-INF/encryption.xml"), parser)
    encrypted = {unquote(ref.get("URI", "")) for ref in listed.iter(f"{ENCRYPTION}CipherReference")}
    if encrypted & set(chapters):
        raise DocumentError("an e-book locked by DRM (its chapters are encrypted; only a licensed reader opens them)")
