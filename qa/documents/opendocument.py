"""OpenDocument text (.odt: LibreOffice, Google Docs' export) as lines: paragraphs, headings, lists, tables, notes."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Any

from qa.documents.markup import BROKEN_BAR, collapsed, row_line, rule_line
from qa.errors import DocumentError
from qa.models import Section

TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
DRAW = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}"
DUBLIN_CORE_TITLE = "{http://purl.org/dc/elements/1.1/}title"
# Blocks read through (their blocks are the document's): sections and the body of an index (a table of contents).
CONTAINERS = frozenset({f"{TEXT}section", f"{TEXT}index-body"})
# Within a paragraph, no words of it: a note's citation mark (the note is read after it) and a comment (with its author
# and date), as Word's comments are not read.
NOT_WORDS = frozenset({f"{TEXT}note-citation", f"{OFFICE}annotation"})
MAX_REPEATED_CELLS = 64  # a cell repeated across more columns than this is an empty run to a sheet's edge, read once


def odt_to_text(data: bytes) -> tuple[str, str | None, list[Section]]:
    """The lines of an OpenDocument text (``OdtLines``), its title (its metadata's, as written) and its headings
    (``text:h``, at their outline levels). Raises DocumentError when ``data`` is no OpenDocument text."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            content = etree.fromstring(package.read("content.xml"), parser)
            names = package.namelist()
            meta = etree.fromstring(package.read("meta.xml"), parser) if "meta.xml" in names else None
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError) as error:
        raise DocumentError(f"broken OpenDocument text ({error})") from None
    body = content.find(f"{OFFICE}body/{OFFICE}text")
    if body is None:
        raise DocumentError("not an OpenDocument text (no text in its body: a spreadsheet or a presentation?)")
    lines: list[str] = []
    sections: list[Section] = []
    offset = 0
    for line, level in OdtLines().of(body):
        if level:
            sections.append(Section(start=offset, title=line, level=level))
        lines.append(line)
        offset += len(line) + 1
    title = meta.findtext(f".//{DUBLIN_CORE_TITLE}") if meta is not None else None
    return "\n".join(lines), title, sections


class OdtLines:
    """The lines of an OpenDocument text's blocks, each with its heading level (None for a line that is no heading);
    a note's text follows the paragraph that refers to it, numbered in order ("[1] ...")."""

    def __init__(self) -> None:
        self.notes = 0

    def of(self, container: Any) -> Iterator[tuple[str, int | None]]:
        """The lines of the blocks in a body, a section, a list item, a cell or a text box, in order."""
        for child in container:
            if child.tag in (f"{TEXT}p", f"{TEXT}h"):
                yield from self.paragraph(child)
            elif child.tag == f"{TEXT}list":
                yield from self.listed(child)
            elif child.tag == f"{TABLE}table":
                yield from self.table(child)
            elif child.tag in CONTAINERS:
                yield from self.of(child)

    def paragraph(self, element: Any) -> Iterator[tuple[str, int | None]]:
        """A paragraph's or a heading's line (a heading's level its outline level, 1 when it gives none), then the
        lines of its text boxes and of the notes it refers to."""
        parts: list[str] = []
        boxes: list[Any] = []
        notes: list[Any] = []
        inline_text(element, parts, boxes, notes)
        text = collapsed("".join(parts))
        if text:
            yield text, heading_level(element)
        for box in boxes:
            yield from self.of(box)
        for note in notes:
            body = note.find(f"{TEXT}note-body")
            written = collapsed(" ".join(line for line, _ in self.of(body))) if body is not None else ""
            if written:
                self.notes += 1
                yield f"[{self.notes}] {written}", None

    def listed(self, element: Any) -> Iterator[tuple[str, int | None]]:
        """A list's items, each line of an item opened with "- " (nested lists' too)."""
        for item in element:
            if item.tag not in (f"{TEXT}list-item", f"{TEXT}list-header"):
                continue
            for line, level in self.of(item):
                yield (line if line.startswith("- ") or level else f"- {line}"), level

    def table(self, element: Any) -> Iterator[tuple[str, int | None]]:
        """A table's rows as lines, "| cell | cell |": a cell's lines joined by spaces, a cell covered by a merged one
        left out, a repeated cell repeated; the rule under its header rows (``table:table-header-rows``)."""
        header = 0
        rows: list[list[str]] = []
        for row, in_header in table_rows(element):
            cells = [cell for cell in row_cells(row, self) if cell is not None]
            while cells and not cells[-1]:
                cells.pop()
            if any(cells):
                rows.append(cells)
                header += in_header
        width = max((len(cells) for cells in rows), default=0)
        for number, cells in enumerate(rows, start=1):
            yield row_line(cells + [""] * (width - len(cells))), None
            if number == header:
                yield rule_line(width), None


def heading_level(element: Any) -> int | None:
    """A heading's (``text:h``) outline level, 1 when it gives none; None for a paragraph."""
    if element.tag != f"{TEXT}h":
        return None
    level = element.get(f"{TEXT}outline-level", "1")
    return int(level) if level.isdigit() and int(level) > 0 else 1


def table_rows(table: Any) -> Iterator[tuple[Any, bool]]:
    """A table's rows in order, each with whether it is one of the header rows, through row groups."""
    for child in table:
        if child.tag == f"{TABLE}table-row":
            yield child, False
        elif child.tag == f"{TABLE}table-header-rows":
            yield from ((row, True) for row in child.iter(f"{TABLE}table-row"))
        elif child.tag in (f"{TABLE}table-rows", f"{TABLE}table-row-group"):
            yield from table_rows(child)


def row_cells(row: Any, lines: OdtLines) -> Iterator[str | None]:
    """The text of a row's cells on one line each ("|" in it written as BROKEN_BAR), a repeated cell as often as it
    is repeated (an empty run to the table's edge once); None for a cell a merged one covers."""
    for cell in row:
        if cell.tag == f"{TABLE}covered-table-cell":
            yield None
        elif cell.tag == f"{TABLE}table-cell":
            text = collapsed(" ".join(line for line, _ in lines.of(cell))).replace("|", BROKEN_BAR)
            repeated = cell.get(f"{TABLE}number-columns-repeated", "1")
            count = int(repeated) if repeated.isdigit() else 1
            yield from [text] * (count if count <= MAX_REPEATED_CELLS else 1)


def inline_text(element: Any, parts: list[str], boxes: list[Any], notes: list[Any]) -> None:
    """The words of a paragraph into ``parts``, in order: spans, links and fields too; ``text:s`` as its count of
    spaces, a tab or a line break as a space. Its text boxes go to ``boxes`` and its notes to ``notes`` (read after
    it); a note's citation mark and a comment are no words of it (``NOT_WORDS``)."""
    parts.append(element.text or "")
    for child in element:
        if child.tag == f"{TEXT}s":
            count = child.get(f"{TEXT}c", "1")
            parts.append(" " * (int(count) if count.isdigit() else 1))
        elif child.tag in (f"{TEXT}tab", f"{TEXT}line-break"):
            parts.append(" ")
        elif child.tag == f"{TEXT}note":
            notes.append(child)
        elif child.tag == f"{DRAW}frame":
            boxes += child.findall(f"{DRAW}text-box")
        elif child.tag not in NOT_WORDS:
            inline_text(child, parts, boxes, notes)
        parts.append(child.tail or "")
