"""OpenDocument files (LibreOffice, Google Docs' export) as text: texts (.odt), spreadsheets (.ods), presentations
(.odp)."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from qa.documents.markup import collapsed, headed_text, row_line, rule_line, without_empty_end
from qa.documents.slides import CHART, NOTES, reading_order, slides_lines
from qa.documents.word import MAX_LIST_DEPTH, number_text
from qa.documents.workbook import sheets_text
from qa.errors import DocumentError
from qa.models import Section

TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
DRAW = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}"
PRESENTATION = "{urn:oasis:names:tc:opendocument:xmlns:presentation:1.0}"
SVG = "{urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0}"
CHART_NS = "{urn:oasis:names:tc:opendocument:xmlns:chart:1.0}"
XLINK = "{http://www.w3.org/1999/xlink}"
STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
DUBLIN_CORE_TITLE = "{http://purl.org/dc/elements/1.1/}title"
KINDS = MappingProxyType(  # what an OpenDocument's body holds -> what the file is called
    {
        "text": "OpenDocument text",
        "spreadsheet": "OpenDocument spreadsheet",
        "presentation": "OpenDocument presentation",
    }
)
# Blocks read through (their blocks are the document's): sections and the body of an index (a table of contents).
CONTAINERS = frozenset({f"{TEXT}section", f"{TEXT}index-body"})
# Within a paragraph, no words of it: a note's citation mark (the note is read after it) and a comment (with its author
# and date), as Word's comments are not read.
NOT_WORDS = frozenset({f"{TEXT}note-citation", f"{OFFICE}annotation"})
# A slide's placeholders that hold what every slide shows (its number, a footer, the date), or a thumbnail of it.
FURNITURE = frozenset({"page-number", "header", "footer", "date-time", "page"})
MAX_COUNT_DIGITS = 9  # an attribute's count or number of more digits is none (Python reads at most 4,300)
MAX_REPEATED_CELLS = 64  # a cell or row repeated more often than this is an empty run to a sheet's edge, read once
SAME_ROW_CM = 0.254  # a slide's shapes whose tops differ by less (0.1 inch) stand side by side: read left to right
LENGTH = re.compile(r"\s*(-?\d+(?:\.\d*)?|-?\.\d+)\s*([a-z]*)")  # a length as ODF writes one: "2.54cm", "72pt"
CM_PER_UNIT = MappingProxyType({"cm": 1.0, "mm": 0.1, "in": 2.54, "pt": 2.54 / 72, "pc": 2.54 / 6, "px": 2.54 / 96})
# A list level's number format (style:num-format) by the name Word gives it (``qa.documents.word.number_text``).
LEVEL_ATTRIBUTES = ("level", "start-value", "display-levels")  # a numbered list level's, read as counts
NUMBER_FORMATS = MappingProxyType(
    {"1": "decimal", "a": "lowerLetter", "A": "upperLetter", "i": "lowerRoman", "I": "upperRoman"}
)


@dataclass(frozen=True)
class ListLevel:
    """How a level of an OpenDocument list style numbers its items: its format (``NUMBER_FORMATS``' values), the text
    before and after the number ("(", ")"), the number it starts at, and how many levels' numbers it shows ("1.2")."""

    fmt: str
    prefix: str = ""
    suffix: str = ""
    start: int = 1
    shown: int = 1


ListStyles = Mapping[str, Mapping[int, ListLevel]]  # a list style's name -> its numbered levels (1 and on)


@dataclass(frozen=True)
class Package:
    """What an OpenDocument package holds that is read: its body (``office:text``, ``office:spreadsheet`` or
    ``office:presentation``), its metadata's title, its embedded objects' content (a chart's) by folder name, and its
    list styles' numbered levels."""

    body: Any
    title: str | None
    objects: Mapping[str, bytes]
    list_styles: ListStyles


def read_package(data: bytes, kind: str) -> Package:
    """The body of the ``kind`` (a key of KINDS) an OpenDocument package holds, its title and its embedded objects.
    Raises DocumentError when ``data`` is no such package (a broken one, or one of another kind)."""
    from lxml import etree

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            content = etree.fromstring(package.read("content.xml"), safe_parser())
            names = package.namelist()
            meta = etree.fromstring(package.read("meta.xml"), safe_parser()) if "meta.xml" in names else None
            styles = etree.fromstring(package.read("styles.xml"), safe_parser()) if "styles.xml" in names else None
            objects = {
                name.removesuffix("/content.xml"): package.read(name)
                for name in names
                if name.endswith("/content.xml") and name.count("/") == 1
            }
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError) as error:
        raise DocumentError(f"broken {KINDS[kind]} ({error})") from None
    body = content.find(f"{OFFICE}body/{OFFICE}{kind}")
    if body is None:
        others = " or ".join(f"a {other}" for other in KINDS if other != kind)
        raise DocumentError(f"not an {KINDS[kind]} (no {kind} in its body: {others}?)")
    title = meta.findtext(f".//{DUBLIN_CORE_TITLE}") if meta is not None else None
    numbered = list_styles([content, *([styles] if styles is not None else [])])
    return Package(body, title, MappingProxyType(objects), numbered)


def list_styles(roots: list[Any]) -> ListStyles:
    """The numbered levels of the list styles the documents ``roots`` define (content.xml's automatic styles,
    styles.xml's named ones); a bullet's level is none of them."""
    styles: dict[str, Mapping[int, ListLevel]] = {}
    for root in roots:
        for style in root.iter(f"{TEXT}list-style"):
            levels = {}
            for level in style.iter(f"{TEXT}list-level-style-number"):
                fmt = NUMBER_FORMATS.get(level.get(f"{STYLE}num-format", ""))
                depth, start, shown = (count_of(level.get(f"{TEXT}{name}")) for name in LEVEL_ATTRIBUTES)
                if fmt:
                    prefix, suffix = level.get(f"{STYLE}num-prefix", ""), level.get(f"{STYLE}num-suffix", "")
                    levels[depth] = ListLevel(fmt, prefix, suffix, start, shown)
            styles[style.get(f"{STYLE}name", "")] = MappingProxyType(levels)
    return MappingProxyType(styles)


def count_of(value: str | None, default: int = 1) -> int:
    """A count or a number an attribute gives ("3"): ``default`` for none, one that is no whole number, or one of
    more than MAX_COUNT_DIGITS digits (a hostile file's billion-digit count)."""
    return int(value) if value and value.isdigit() and len(value) <= MAX_COUNT_DIGITS else default


def safe_parser() -> Any:
    """An XML parser that reads no entity and nothing from the network (one per document: lxml's parsers are not to
    be shared across threads)."""
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True)


def odt_to_text(data: bytes) -> tuple[str, str | None, list[Section]]:
    """The lines of an OpenDocument text (``OdtLines``), its title (its metadata's, as written) and its headings
    (``text:h``, at their outline levels). Raises DocumentError when ``data`` is no OpenDocument text."""
    package = read_package(data, "text")
    text, sections = headed_text(OdtLines(package).of(package.body))
    return text, package.title, sections


def ods_to_text(data: bytes) -> tuple[str, str | None, list[Section]]:
    """The text of an OpenDocument spreadsheet, its title (its metadata's) and its sections, as an Excel workbook's
    (``sheets_text``): each sheet's cells as LibreOffice shows them (their text, formulas' last results). Raises
    DocumentError when ``data`` is no OpenDocument spreadsheet."""
    package = read_package(data, "spreadsheet")
    reader = OdtLines(package)
    sheets = package.body.findall(f"{TABLE}table")
    text, sections = sheets_text(
        (sheet.get(f"{TABLE}name") or f"Sheet {number}", sheet_rows(sheet, reader))
        for number, sheet in enumerate(sheets, start=1)
    )
    return text, package.title, sections


def sheet_rows(sheet: Any, reader: OdtLines) -> list[list[str]]:
    """A sheet's rows of cells, a cell a merged one covers as an empty one (columns stay in line), a repeated row as
    often as it is repeated; empty cells to a row's end left out."""
    rows: list[list[str]] = []
    for row, _ in table_rows(sheet):
        cells = without_empty_end(["" if cell is None else cell for cell in row_cells(row, reader)])
        if cells:
            rows += [cells] * repeated(row, f"{TABLE}number-rows-repeated")
    return rows


def odp_to_text(data: bytes) -> tuple[str, str | None, str | None, list[Section]]:
    """The text of an OpenDocument presentation, its title (its metadata's), its first slide's title and its
    headings, as a PowerPoint presentation's (``slides_lines``): each slide a heading naming it, then its shapes'
    text in reading order (``page_lines``), then its speaker notes. Raises DocumentError when ``data`` is no
    OpenDocument presentation."""
    package = read_package(data, "presentation")
    reader = OdtLines(package)
    pages = package.body.findall(f"{DRAW}page")
    lines, sections, first_title = slides_lines((page_title(page, reader), page_lines(page, reader)) for page in pages)
    return "\n".join(lines), package.title, first_title, sections


def is_read(shape: Any) -> bool:
    """Whether a slide's element is a shape whose text is read: a drawing's, but for a placeholder of what every
    slide shows (``FURNITURE``)."""
    return bool(shape.tag.startswith(DRAW) and shape.get(f"{PRESENTATION}class") not in FURNITURE)


def is_title(shape: Any) -> bool:
    """Whether a slide's shape is its title placeholder."""
    return bool(shape.tag == f"{DRAW}frame" and shape.get(f"{PRESENTATION}class") == "title")


def page_title(page: Any, reader: OdtLines) -> str | None:
    """The text of a slide's title placeholder on one line; None when it has none or it is empty."""
    title = next((shape for shape in page if is_title(shape)), None)
    return collapsed(" ".join(shape_lines(title, reader))) or None if title is not None else None


def page_lines(page: Any, reader: OdtLines) -> list[str]:
    """A slide's lines but for its title: its shapes' (``shape_lines``) in reading order, then "Notes:" and its
    speaker notes."""
    shapes = [shape for shape in page if is_read(shape) and not is_title(shape)]
    lines = [line for shape in reading_order(shapes, position, SAME_ROW_CM) for line in shape_lines(shape, reader)]
    notes = page.find(f"{PRESENTATION}notes")
    noted = (
        [line for shape in filter(is_read, notes) for line in shape_lines(shape, reader)] if notes is not None else []
    )
    return [*lines, NOTES, *noted] if noted else lines


def shape_lines(shape: Any, reader: OdtLines) -> Iterator[str]:
    """The lines of a slide's shape: a group's shapes in reading order, a frame's text box, table or chart, another
    shape's (a rectangle's, an arrow's) paragraphs."""
    if shape.tag == f"{DRAW}g":
        for child in reading_order(filter(is_read, shape), position, SAME_ROW_CM):
            yield from shape_lines(child, reader)
    else:
        blocks = reader.frame(shape) if shape.tag == f"{DRAW}frame" else reader.of(shape)
        yield from (line for line, _ in blocks)


def position(shape: Any) -> tuple[float, float]:
    """A slide's shape's top and left in centimetres (a group's, its highest shape's); 0 where it gives none."""
    top = shape.get(f"{SVG}y")
    if top is None and shape.tag == f"{DRAW}g":
        return min((position(child) for child in shape if child.tag.startswith(DRAW)), default=(0.0, 0.0))
    return length_cm(top), length_cm(shape.get(f"{SVG}x"))


def length_cm(length: str | None) -> float:
    """An ODF length ("2.54cm", "1in", "72pt") in centimetres; 0 for none or one that cannot be read."""
    match = LENGTH.match(length or "")
    if match is None:
        return 0.0
    return float(match[1]) * CM_PER_UNIT.get(match[2] or "cm", 1.0)


class OdtLines:
    """The lines of an OpenDocument's blocks, each with its heading level (None for a line that is no heading); a
    note's text follows the paragraph that refers to it, numbered in order ("[1] ..."); an embedded chart is read from
    ``objects`` (an embedded object's folder -> its content.xml)."""

    def __init__(self, package: Package) -> None:
        self.notes = 0
        self.objects = package.objects
        self.list_styles = package.list_styles
        self.counts: dict[str, list[int]] = {}  # a list style's items counted so far, per level

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
        lines of its frames (text boxes, charts) and of the notes it refers to."""
        parts: list[str] = []
        frames: list[Any] = []
        notes: list[Any] = []
        inline_text(element, parts, frames, notes)
        text = collapsed("".join(parts))
        if text:
            yield text, heading_level(element)
        for frame in frames:
            yield from self.frame(frame)
        for note in notes:
            body = note.find(f"{TEXT}note-body")
            written = collapsed(" ".join(line for line, _ in self.of(body))) if body is not None else ""
            if written:
                self.notes += 1
                yield f"[{self.notes}] {written}", None

    def frame(self, frame: Any) -> Iterator[tuple[str, int | None]]:
        """The lines of a frame's text box, table or embedded chart; nothing for a picture."""
        for child in frame:
            if child.tag == f"{DRAW}text-box":
                yield from self.of(child)
            elif child.tag == f"{TABLE}table":
                yield from self.table(child)
            elif child.tag == f"{DRAW}object":
                yield from self.chart(child.get(f"{XLINK}href", ""))

    def chart(self, reference: str) -> Iterator[tuple[str, int | None]]:
        """An embedded chart (``reference`` its folder, "./Object 1") as a line naming it (``CHART``) and its data's
        table (a row per category, a column per series); nothing for another object or one that cannot be read."""
        from lxml import etree

        written = self.objects.get(reference.removeprefix("./").rstrip("/"))
        try:
            root = etree.fromstring(written, safe_parser()) if written is not None else None
        except etree.XMLSyntaxError:
            return
        chart = root.find(f"{OFFICE}body/{OFFICE}chart/{CHART_NS}chart") if root is not None else None
        if chart is None:
            return
        title = chart.find(f"{CHART_NS}title")
        named = collapsed(" ".join(line for line, _ in self.of(title))) if title is not None else ""
        yield (CHART.format(title=named) if named else "Chart"), None
        data = chart.find(f"{TABLE}table")
        if data is not None:
            yield from self.table(data)

    def listed(self, element: Any, depth: int = 0, style: str = "") -> Iterator[tuple[str, int | None]]:
        """A list's items: an item's first line opened with its number as its list style writes it ("3.", "b)",
        "1.2."), each line of a bulleted item with "- "; a list within an item numbered at the next level, a list
        that continues the one before (``text:continue-numbering``) counted on from it."""
        style = element.get(f"{TEXT}style-name") or style
        counts = self.counts.setdefault(style, [0] * MAX_LIST_DEPTH)
        if not depth and element.get(f"{TEXT}continue-numbering") != "true" and not element.get(f"{TEXT}continue-list"):
            counts[:] = [0] * MAX_LIST_DEPTH
        for item in element:
            if item.tag not in (f"{TEXT}list-item", f"{TEXT}list-header"):
                continue
            mark = self.item_mark(item, style, min(depth, MAX_LIST_DEPTH - 1), counts)
            first = True
            for child in item:
                if child.tag == f"{TEXT}list":
                    yield from self.listed(child, depth + 1, style)
                    continue
                for line, level in self.of([child]):
                    yield (f"{mark}{line}" if not level and (first or mark == "- ") else line), level
                    first = False

    def item_mark(self, item: Any, style: str, depth: int, counts: list[int]) -> str:
        """What opens an item's first line: its number at ``depth`` as its list style writes it, with the numbers of
        the levels above it that the style shows ("1.2. "); "- " for a bullet (or a list header, which has none)."""
        levels = self.list_styles.get(style, {})
        numbered = levels.get(depth + 1)
        if numbered is None or item.tag != f"{TEXT}list-item":
            return "- "
        start = item.get(f"{TEXT}start-value", "")
        counts[depth] = count_of(start, 0) or (counts[depth] + 1 if counts[depth] else numbered.start)
        counts[depth + 1 :] = [0] * (MAX_LIST_DEPTH - depth - 1)
        shown = range(max(0, depth + 1 - numbered.shown), depth + 1)
        numbers = [number_text(counts[d] or 1, levels.get(d + 1, numbered).fmt) for d in shown]
        return f"{numbered.prefix}{'.'.join(numbers)}{numbered.suffix} "

    def table(self, element: Any) -> Iterator[tuple[str, int | None]]:
        """A table's rows as lines, "| cell | cell |": a cell's lines joined by spaces, a cell covered by a merged one
        left out, a repeated cell repeated; the rule under its header rows (``table:table-header-rows``), or under
        its first row when its style sets that row apart (``table:use-first-row-styles``, a slide's table)."""
        header = 0
        rows: list[list[str]] = []
        for row, in_header in table_rows(element):
            cells = without_empty_end([cell for cell in row_cells(row, self) if cell is not None])
            if any(cells):
                rows.append(cells)
                header += in_header
        if not header and element.get(f"{TABLE}use-first-row-styles") == "true":
            header = 1
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
    return count_of(level) or 1


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
    """The text of a row's cells on one line each, a repeated cell as often as it
    is repeated (an empty run to the table's edge once); None for a cell a merged one covers."""
    for cell in row:
        if cell.tag == f"{TABLE}covered-table-cell":
            yield None
        elif cell.tag == f"{TABLE}table-cell":
            text = collapsed(" ".join(line for line, _ in lines.of(cell)))
            yield from [text] * repeated(cell, f"{TABLE}number-columns-repeated")


def repeated(element: Any, attribute: str) -> int:
    """How often a cell or row stands repeated (its ``attribute``): once when it says more than MAX_REPEATED_CELLS
    (an empty run to a sheet's edge) or nothing readable."""
    count = element.get(attribute, "1")
    return repeats if (repeats := count_of(count)) <= MAX_REPEATED_CELLS else 1


def inline_text(element: Any, parts: list[str], frames: list[Any], notes: list[Any]) -> None:
    """The words of a paragraph into ``parts``, in order: spans, links and fields too; ``text:s`` (spaces), a tab
    or a line break as a space. Its frames (text boxes, charts) go to ``frames`` and its notes to
    ``notes`` (read after it); a note's citation mark and a comment are no words of it (``NOT_WORDS``)."""
    parts.append(element.text or "")
    for child in element:
        if child.tag in (f"{TEXT}s", f"{TEXT}tab", f"{TEXT}line-break"):
            parts.append(" ")  # spaces (any count: the line's white space is collapsed), a tab, a line break
        elif child.tag == f"{TEXT}note":
            notes.append(child)
        elif child.tag == f"{DRAW}frame":
            frames.append(child)
        elif child.tag not in NOT_WORDS:
            inline_text(child, parts, frames, notes)
        parts.append(child.tail or "")
