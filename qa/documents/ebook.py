"""E-books (.epub) as text: their chapters in reading order, each read as a web page is, with its headings."""

from __future__ import annotations

import io
import posixpath
import zipfile
from typing import Any
from urllib.parse import unquote

from qa.documents.html import html_to_text
from qa.documents.markup import collapsed, joined_texts
from qa.errors import DocumentError
from qa.models import Section

CONTAINER = "{urn:oasis:names:tc:opendocument:xmlns:container}"
PACKAGE = "{http://www.idpf.org/2007/opf}"
DUBLIN_CORE_TITLE = "{http://purl.org/dc/elements/1.1/}title"
ENCRYPTION = "{http://www.w3.org/2001/04/xmlenc#}"
XHTML = "{http://www.w3.org/1999/xhtml}"
OPS = "{http://www.idpf.org/2007/ops}"
NCX = "{http://www.daisy.org/z3986/2005/ncx/}"
PAGES = frozenset({"application/xhtml+xml", "text/html"})  # a manifest's media types of chapters
MAX_DEPTH = 6  # a table of contents' entry deeper than this is a section at this level


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
            folder = posixpath.dirname(opf_path)
            chapters = spine_paths(package, folder)
            locked_out(book, chapters)
            held = set(book.namelist())
            pages = [(path, book.read(path)) for path in chapters if path in held]
            contents = table_of_contents(book, package, folder, held)
    except DocumentError:
        raise
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, ValueError) as error:
        raise DocumentError(f"broken e-book ({error})") from None
    text, sections = "", list[Section]()
    for path, page in pages:
        read, _, headings = html_to_text(page.decode("utf-8-sig", errors="replace"))
        if path in contents and not (headings and headings[0].start == 0):  # a chapter its headings do not open
            title, level = contents[path]
            headings = [Section(start=0, title=title, level=level), *headings]
        if read.strip():
            text, sections = joined_texts(text, sections, read, headings)
    title = package.findtext(f".//{DUBLIN_CORE_TITLE}")
    return text, title, sections


def table_of_contents(book: zipfile.ZipFile, package: Any, folder: str, held: set[str]) -> dict[str, tuple[str, int]]:
    """The title and depth (1: a top-level entry) the book's table of contents gives each chapter it points to (its
    first entry for that chapter's file): from its navigation page (EPUB 3), else its NCX file (EPUB 2); none when it
    has neither."""
    from lxml import etree

    items = list(package.iter(f"{PACKAGE}item"))
    nav = next((item for item in items if "nav" in (item.get("properties") or "").split()), None)
    ncx = next((item for item in items if item.get("media-type") == "application/x-dtbncx+xml"), None)
    chosen = nav if nav is not None else ncx
    if chosen is None:
        return {}
    path = posixpath.normpath(posixpath.join(folder, unquote(chosen.get("href", ""))))
    if path not in held:
        return {}
    root = etree.fromstring(book.read(path), etree.XMLParser(resolve_entities=False, no_network=True, recover=True))
    if root is None:
        return {}
    entries = nav_entries(root) if chosen is nav else ncx_entries(root)
    contents: dict[str, tuple[str, int]] = {}
    for href, title, depth in entries:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(path), unquote(href.split("#")[0])))
        if title and target not in contents:
            contents[target] = (title, min(depth, MAX_DEPTH))
    return contents


def nav_entries(root: Any) -> list[tuple[str, str, int]]:
    """An EPUB 3 navigation page's table of contents (its ``nav`` of type toc, else its first): each link's target,
    text and depth (how many lists it lies in)."""
    navs = list(root.iter(f"{XHTML}nav"))
    toc = next((nav for nav in navs if nav.get(f"{OPS}type") == "toc"), navs[0] if navs else None)
    if toc is None:
        return []
    return [
        (link.get("href", ""), collapsed("".join(link.itertext())), sum(1 for a in link.iterancestors(f"{XHTML}ol")))
        for link in toc.iter(f"{XHTML}a")
    ]


def ncx_entries(root: Any) -> list[tuple[str, str, int]]:
    """An EPUB 2 NCX file's navigation points, in order: each one's target, label and depth."""
    entries = []
    for point in root.iter(f"{NCX}navPoint"):
        content = point.find(f"{NCX}content")
        label = collapsed(point.findtext(f"{NCX}navLabel/{NCX}text") or "")
        depth = sum(1 for _ in point.iterancestors(f"{NCX}navPoint")) + 1
        entries.append((content.get("src", "") if content is not None else "", label, depth))
    return entries


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
