"""HTML pages and Word documents as lines of text: one per block, list items marked, table rows with their cells."""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Collection, Iterator
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from qa.errors import DocumentError
from qa.models import Section

if TYPE_CHECKING:
    from bs4 import BeautifulSoup, Tag

INVISIBLE_HTML_TAGS = ("script", "style", "noscript", "template", "head", "title", "svg")
HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# Elements that make a line of their own; inline ones ("<a>", "<b>", "<span>") stay within the line of their text.
BLOCK_TAGS = frozenset(
    {
        *HEADING_TAGS,
        *("address", "article", "aside", "blockquote", "body", "caption", "dd", "details", "div", "dl", "dt"),
        *("fieldset", "figcaption", "figure", "footer", "form", "header", "hr", "li", "main", "nav", "ol", "p"),
        *("pre", "section", "summary", "table", "tbody", "tfoot", "thead", "tr", "ul"),
    }
)  # a set: every element of a page is looked up in it
CELL_TAGS = frozenset({"td", "th"})
LINED_TAGS = BLOCK_TAGS | CELL_TAGS  # elements already set apart from the text around them
MAX_SPAN = 1000  # the most rows or columns a table cell is taken to span
DATA_TABLE_PARTS = frozenset({"caption", "thead", "tfoot", "colgroup"})  # what only a table of data has
CELL_BLOCKS = frozenset({"p", "ul", "ol", "dl", "div", "blockquote", "pre"})  # what a layout table's cells hold
LAYOUT_SIGNS = frozenset({"table", *HEADING_TAGS})  # what a cell of a table of data does not hold
# A site's chrome around a page's own text, by HTML5's and ARIA's landmarks: menus, search boxes, notices, and the
# page-level header, footer and sidebar (within an article, main or section, those are the text's own).
CHROME_TAGS = frozenset({"nav", "dialog"})
CHROME_ROLES = frozenset({"navigation", "search", "banner", "contentinfo", "dialog", "alertdialog"})
PAGE_LEVEL_CHROME = frozenset({"header", "footer", "aside"})
SECTIONING_TAGS = frozenset({"article", "main", "section"})
NAMED_CHROME_TAGS = frozenset({"div", "table", "td", "th", "ul", "ol"})
# The ids and classes by which older pages name their chrome: a whole name ("header", "site-footer", "nav-bar",
# "cookie-notice"), not a word within one ("card-header", "menu-item"); a menu's names (LINK_NAMES) only for links.
CHROME_NAME = re.compile(
    r"(?:(?:site|page|global|top|bottom)[-_]?)?"
    r"(header|footer|masthead|banner|navbar|nav|navigation|menu|sidebar|breadcrumbs?)"
    r"(?:[-_]?(?:wrapper|container|area|bar|links))?|cookies?[-_]?(?:banner|notice|consent|bar)?",
    re.IGNORECASE,
)
LINK_NAMES = frozenset({"navbar", "nav", "navigation", "menu", "sidebar", "breadcrumb", "breadcrumbs"})
LINK_SHARE = 0.5  # the least share of a menu's words that are links
CONTENT_NAME = re.compile(r"(?:^|[-_])(?:content|main|article|body|post|entry)(?:$|[-_])", re.IGNORECASE)
SECTIONING_ROLES = frozenset({"article", "main", "region"})
TITLE_PARTS = re.compile(r"\s+(?:[|·•:]{1,2}|[-–—])\s+")  # "Travel policy | Harrowgate intranet"
BLOCK_BREAK = "\x1e"  # where a block begins or ends, in the page's text before it is cut into lines
CELL_BREAK = "\x1f"  # where a table cell begins
SPACES = re.compile(r"[^\S\x1e\x1f]+")  # HTML's white space (its line breaks too), which reads as one space
WORD_HEADING_STYLE = re.compile(r"heading\s*([1-9])", re.IGNORECASE)
WORD_NAMESPACE = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TEXT_BOX = f"{WORD_NAMESPACE}txbxContent"
FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"  # an older program's copy
NOT_IN_PARAGRAPH = frozenset({TEXT_BOX, FALLBACK, f"{WORD_NAMESPACE}moveFrom"})  # read elsewhere, or not at all
RUN_SPACES = frozenset({f"{WORD_NAMESPACE}{tag}" for tag in ("tab", "br", "cr", "ptab")})
NOTE_KINDS = ("footnote", "endnote")
BODY_TEXT_LEVEL = 9  # Word's outline level of body text (0 to 8 are headings 1 to 9)
LEVEL_NUMBER = re.compile(r"%([1-9])")  # a list level's number in its text ("%1.%2.")
MAX_LIST_DEPTH = 9  # Word's list levels
ROMAN_NUMERALS = tuple(
    zip((1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1), "M CM D CD C XC L XL X IX V IV I".split(), strict=True)
)
MAX_STYLE_BASES = 10  # how many styles a style's base is looked for through (a loop of bases ends there)


def row_line(cells: list[str]) -> str:
    """A table row as a line, its cells between bars as in Markdown: "| E7 | Pump fault |"."""
    return "| " + " | ".join(cells) + " |"


def collapsed(text: str) -> str:
    """``text`` with each run of white space one space, without spaces at its ends."""
    return SPACES.sub(" ", text).strip()


def html_to_text(html: str) -> tuple[str, str | None, list[Section]]:
    """Visible text of an HTML page, one block per line (``html_lines``), its title (``page_title``), and its headings
    (h1 to h6). A site's chrome (``page_content``) is not the page's text, unless the page holds nothing else."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    title = page_title(soup)
    content = page_content(visible(soup)) or [visible(BeautifulSoup(html, "html.parser"))]
    found = (tag for root in content for tag in root.find_all(lambda tag: heading_level(tag) is not None))
    headings = [(heading_level(tag) or 2, collapsed(tag.get_text())) for tag in found]
    text = html_lines(content)
    return text, title, located_sections(text, headings)


def heading_level(tag: Tag) -> int | None:
    """The level of a page's heading: an h1 to h6's, or an element's that ARIA marks a heading (``role="heading"``,
    its ``aria-level``, else 2); None for an element that is no heading."""
    if tag.name in HEADING_TAGS:
        return int(tag.name[1])
    if role_of(tag) != "heading":
        return None
    level = str(tag.get("aria-level") or "2").strip()
    return min(int(level), 9) if level.isdigit() and int(level) > 0 else 2


def visible(soup: BeautifulSoup) -> BeautifulSoup:
    """The page without the elements a browser does not show as text (scripts, styles, the head, ...)."""
    for tag in soup(INVISIBLE_HTML_TAGS):
        tag.decompose()
    return soup


def page_title(soup: BeautifulSoup) -> str | None:
    """A page's title: its ``<title>``, or its first h1 or h2 when it has none; of a title that names the site too
    ("Travel policy | Harrowgate intranet"), the part the page's h1 gives."""
    title_tag = soup.find("title") or soup.find(["h1", "h2"])
    title = collapsed(title_tag.get_text(" ")) if title_tag else ""
    h1 = soup.find("h1")
    named = collapsed(h1.get_text(" ")).casefold() if h1 else ""
    return next((part for part in TITLE_PARTS.split(title) if part.casefold() == named), title) or None


def page_content(soup: BeautifulSoup) -> list[Tag]:
    """What a page says of its own: its ``<main>`` (or ``role="main"``) elements, else the whole page, without the
    site's chrome (``is_chrome``: menus, search, notices, the page's header, footer and sidebar); [] when that leaves
    no text."""
    elements = soup.find_all(True)
    for tag in outermost([tag for tag in elements if is_chrome(tag)]):
        tag.extract()
    mains = [tag for tag in elements if tag.name == "main" or role_of(tag) == "main"]
    roots = outermost([main for main in mains if any(p is soup for p in main.parents)]) or [soup]
    return roots if any(next(root.stripped_strings, None) for root in roots) else []


def is_chrome(tag: Tag) -> bool:
    """Whether an element is a site's chrome rather than the page's text, by HTML5's and ARIA's landmarks: a menu
    (``<nav>``), a search box, a notice (a dialog), or a header, footer or sidebar that stands at the page's level
    rather than within an article, main or section; or, as older pages mark them, a container named so by its id or
    class ("footer", "menu", ``named_chrome``) at the page's level."""
    role = role_of(tag)
    if tag.name in CHROME_TAGS or role in CHROME_ROLES:
        return True
    if tag.name in PAGE_LEVEL_CHROME or role == "complementary":
        return not any(p.name in SECTIONING_TAGS or role_of(p) in SECTIONING_ROLES for p in tag.parents)
    return named_chrome(tag)


def named_chrome(tag: Tag) -> bool:
    """Whether a container (a div, a table or its cell, a list) is named as a site's chrome by its id or a class
    ("header", "site-footer", "cookie-notice", CHROME_NAME; a "menu" or "sidebar" only when its words are mostly
    links) and is not the page's text: it holds no h1, main or article, and neither it nor a container around it is
    named as content ("content", "main", "article": CONTENT_NAME) or is an article, main or section."""
    if tag.name not in NAMED_CHROME_TAGS:
        return False
    named = next((found for found in map(CHROME_NAME.fullmatch, names_of(tag)) if found), None)
    if named is None or ((named.group(1) or "").lower() in LINK_NAMES and link_share(tag) < LINK_SHARE):
        return False
    if any(CONTENT_NAME.search(name) for name in names_of(tag)) or tag.find(["h1", "main", "article"]):
        return False
    return not any(
        p.name in SECTIONING_TAGS or role_of(p) in SECTIONING_ROLES or any(CONTENT_NAME.search(n) for n in names_of(p))
        for p in tag.parents
    )


def link_share(tag: Tag) -> float:
    """The share of an element's words that are the words of its links."""
    words = len(tag.get_text(" ").split())
    return sum(len(link.get_text(" ").split()) for link in tag.find_all("a")) / words if words else 0.0


def names_of(tag: Tag) -> list[str]:
    """An element's id and classes."""
    classes: Any = tag.get("class") or []
    return [str(tag.get("id") or ""), *([classes] if isinstance(classes, str) else map(str, classes))]


def role_of(tag: Tag) -> str:
    """An element's ARIA role, as written first in its ``role`` attribute, in lower case ("" when it has none)."""
    role = tag.get("role")
    words = (role if isinstance(role, str) else " ".join(role or [])).split()
    return words[0].lower() if words else ""


def outermost(tags: list[Tag]) -> list[Tag]:
    """Those of ``tags`` (in document order) that lie within none of the others."""
    found: set[int] = set()
    kept = []
    for tag in tags:
        if not any(id(parent) in found for parent in tag.parents):
            kept.append(tag)
        found.add(id(tag))
    return kept


def located_sections(text: str, headings: list[tuple[int, str]]) -> list[Section]:
    """Sections for headings (level, words) found in order in ``text``, each on lines of its own (its words may be
    split over lines there); those not found are left out."""
    sections: list[Section] = []
    cursor = 0
    for level, title in headings:
        words = title.split()
        found = re.compile(r"(?m)^" + r"\s+".join(map(re.escape, words)) + "$").search(text, cursor) if words else None
        if found:
            sections.append(Section(start=found.start(), title=" ".join(words), level=level))
            cursor = found.end()
    return sections


def html_lines(roots: list[Tag]) -> str:
    """The page's text as a browser lays it out in lines: each block (paragraph, heading, list item, table row) a
    line, inline elements within their line, white space as one space (a ``<pre>``'s line breaks kept); a list item
    opens with "- " (or its number, "2. ", in an ordered list), a definition with its term ("- Award: £412,000"), a
    table row is "| cell | cell |" (blocks within a cell stay in it). One walk through the ``roots``, in order."""
    return "\n".join(line for line in (block_line(b) for b in "".join(page_pieces(roots)).split(BLOCK_BREAK)) if line)


def page_pieces(roots: list[Tag]) -> Iterator[str]:
    """The page's text in order with BLOCK_BREAK where a block begins or ends and CELL_BREAK where a cell begins;
    a list item's mark goes before its first words. Walked with a stack, so that deep nesting costs no recursion."""
    from bs4 import CData, NavigableString

    marks: dict[int, str] = {}  # list items and definitions (by id) -> the mark that opens them
    hidden: set[int] = set()  # terms read into their definitions' marks
    laid_out: set[int] = set()  # the cells of layout tables, read as blocks
    stack: list[tuple[Any, bool]] = [(root, False) for root in reversed(roots)]
    cells = pre = 0  # how deep in table cells and in <pre> the walk is
    pending = ""  # a mark waiting for the next words
    while stack:
        node, leaving = stack.pop()
        if type(node) in (NavigableString, CData):
            text = str(node).replace("\n", BLOCK_BREAK) if pre else str(node)
            if pending and text.strip():
                text, pending = pending + text.lstrip(), ""
            yield text
            continue
        if not hasattr(node, "contents") or id(node) in hidden:
            continue
        name = "div" if id(node) in laid_out or (node.name not in LINED_TAGS and heading_level(node)) else node.name
        if leaving:
            cells -= name in CELL_TAGS
            pre -= name == "pre"
            pending = "" if id(node) in marks else pending  # an item without words
            yield boundary(name, cells)
            continue
        if name == "br":
            yield " " if cells else BLOCK_BREAK
            continue
        if name in ("ol", "ul", "dl", "table"):
            marks_of(node, marks, hidden, laid_out)
        yield CELL_BREAK if name in CELL_TAGS else boundary(name, cells)
        cells += name in CELL_TAGS
        pre += name == "pre"
        pending = marks.get(id(node), pending)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node.contents))


def marks_of(node: Tag, marks: dict[int, str], hidden: set[int], laid_out: set[int]) -> None:
    """What a list, a definition list or a table sets for the walk of ``page_pieces``: the marks that open its items
    (by id), the terms read into their definitions' marks, the cells of a layout table (read as blocks)."""
    if node.name in ("ol", "ul"):
        marks.update(item_marks(node))
    elif node.name == "dl":
        found, terms = definition_marks(node)
        marks.update(found)
        hidden.update(terms)
    else:
        rows = own_rows(node)
        cells = [children(row, CELL_TAGS) for row in rows]
        if is_layout_table(node, cells):
            laid_out.update(id(cell) for row in cells for cell in row)
        else:
            spread_row_spans(rows, cells)


def own_rows(table: Tag) -> list[Tag]:
    """A table's own rows (not those of the tables within its cells), in order."""
    rows = children(table, {"tr"})
    for group in children(table, {"thead", "tbody", "tfoot"}):
        rows.extend(children(group, {"tr"}))
    return rows


def spread_row_spans(rows: list[Tag], cells: list[list[Tag]]) -> None:
    """Copy each cell of a table of data that spans rows (``rowspan``) into the rows it spans, at its column, so that
    every row reads whole ("| E7 | Pump fault | Call us |"), as a Word table's merged cells are read."""
    import copy

    spanning: dict[int, tuple[Tag, int]] = {}  # column -> the cell spanning down into it, and the rows it has left
    for row, row_cells in zip(rows, cells, strict=True):
        column = 0
        for cell in [*row_cells, None]:
            while column in spanning:
                spanned, left = spanning.pop(column)
                copied = copy.copy(spanned)
                del copied["rowspan"]
                if cell is not None:
                    cell.insert_before(copied)
                else:
                    row.append(copied)
                if left > 1:
                    spanning[column] = (spanned, left - 1)
                column += span_of(spanned, "colspan")
            if cell is not None:
                if span_of(cell, "rowspan") > 1:
                    spanning[column] = (cell, span_of(cell, "rowspan") - 1)
                column += span_of(cell, "colspan")


def span_of(cell: Tag, attribute: str) -> int:
    """How many rows or columns (``attribute``: "rowspan" or "colspan") a cell spans: 1 unless it says more."""
    value = str(cell.get(attribute) or "1").strip()
    return min(int(value), MAX_SPAN) if value.isdigit() and int(value) > 0 else 1


def children(tag: Tag, names: Collection[str]) -> list[Tag]:
    """An element's child elements named one of ``names``, in order."""
    return [cast("Tag", child) for child in tag.children if getattr(child, "name", None) in names]


def holds(tag: Tag, names: frozenset[str], count: int = 1) -> bool:
    """Whether an element holds ``count`` elements (or more) named one of ``names``."""
    found = 0
    for inner in tag.descendants:
        found += getattr(inner, "name", None) in names
        if found >= count:
            return True
    return False


def is_layout_table(table: Tag, rows: list[list[Tag]]) -> bool:
    """Whether a table lays a page out rather than holding data, as reader modes tell them apart: marked so (role
    "presentation" or "none"); or, with nothing of a data table (header cells, a caption, a head or foot, column
    groups), one column only, or a table within a cell, or a cell holding a heading, or one row with a cell of
    several blocks (paragraphs, lists)."""
    if role_of(table) in ("presentation", "none"):
        return True
    cells = [cell for row in rows for cell in row]
    if any(cell.name == "th" for cell in cells) or children(table, DATA_TABLE_PARTS):
        return False
    if all(len(row) <= 1 for row in rows) or any(holds(cell, LAYOUT_SIGNS) for cell in cells):
        return True
    return len(rows) == 1 and any(holds(cell, CELL_BLOCKS, 2) for cell in cells)


def boundary(name: str, cells: int) -> str:
    """What the start or the end of an element makes in the text: a block's BLOCK_BREAK (a space within a table
    cell, ``cells`` deep, except a row's), nothing for an inline element."""
    if name not in BLOCK_TAGS:
        return ""
    return " " if cells and name != "tr" else BLOCK_BREAK


def item_marks(items: Tag) -> dict[int, str]:
    """What opens each item (by id) of a list: "- ", or in an ordered list its number ("3. ", counted from the list's
    start)."""
    start = str(items.get("start") or "1")
    first = int(start) if start.isdigit() else 1
    listed = [child for child in items.contents if getattr(child, "name", None) == "li"]
    return {id(item): "- " if items.name == "ul" else f"{first + n}. " for n, item in enumerate(listed)}


def definition_marks(definitions: Tag) -> tuple[dict[int, str], set[int]]:
    """A definition list read as field items: each definition (``<dd>``) opens with its term ("- Award: "), and the
    terms that have definitions (their ids, second) are not read again; a term without one stays a line of its own."""
    marks: dict[int, str] = {}
    terms: set[int] = set()
    term = None
    for child in definitions.contents:
        if getattr(child, "name", None) == "dt":
            term = child
        elif getattr(child, "name", None) == "dd" and term is not None:
            marks[id(child)] = f"- {collapsed(term.get_text())}: "
            terms.add(id(term))
    return marks, terms


def block_line(block: str) -> str:
    """One block's text as a line: a table row's cells between bars (``row_line``), other text collapsed."""
    if CELL_BREAK not in block:
        return collapsed(block)
    before, *cells = block.split(CELL_BREAK)
    return " ".join(filter(None, [collapsed(before), row_line([collapsed(cell) for cell in cells])]))


def docx_to_text(data: bytes) -> tuple[str, str | None, list[Section]]:
    """The blocks of a Word document in their order, one line each (``WordLines``: a list paragraph opens with "- "
    or its number, a table row is "| cell | cell |", a text box's lines and the notes a paragraph refers to follow
    it), its core-properties title (as written), and its headings (paragraphs in the Title and Heading 1..9 styles).
    Running headers and footers are not read, as a PDF's running heads are not."""
    import zipfile

    from docx import Document as WordDocument
    from docx.opc.exceptions import PackageNotFoundError

    try:
        word = WordDocument(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise DocumentError(f"broken Word document ({error})") from None
    lines: list[str] = []
    sections: list[Section] = []
    offset = 0
    for line, level in WordLines(word).of(word.element.body):
        if level:
            sections.append(Section(start=offset, title=line, level=level))
        lines.append(line)
        offset += len(line) + 1
    return "\n".join(lines), word.core_properties.title, sections


class WordLines:
    """The lines of a Word document's blocks, each with its heading level (None for a line that is no heading)."""

    def __init__(self, word: Any) -> None:
        self.word = word
        self.styles = paragraph_styles(word)
        self.levels = style_levels(self.styles)
        self.lists = ListCounter(list_levels(word))
        self.notes = {kind: word_notes(word, kind) for kind in NOTE_KINDS}
        self.referred: Counter[str] = Counter()  # notes of each kind read so far

    def of(self, container: Any) -> Iterator[tuple[str, int | None]]:
        """The lines of the blocks in a body, a content control, a text box or a table cell, in order."""
        for child in container.iterchildren():
            if child.tag == f"{WORD_NAMESPACE}p":
                yield from self.paragraph(child)
            elif child.tag == f"{WORD_NAMESPACE}tbl":
                yield from self.table(child)
            elif child.tag == f"{WORD_NAMESPACE}sdt":
                yield from self.of_all(child.findall(f"{WORD_NAMESPACE}sdtContent"))

    def of_all(self, containers: list[Any]) -> Iterator[tuple[str, int | None]]:
        for container in containers:
            yield from self.of(container)

    def paragraph(self, element: Any) -> Iterator[tuple[str, int | None]]:
        """A paragraph's line (its list mark first), then its text boxes' lines and the notes it refers to."""
        text = collapsed(run_text(element))
        if text:
            style = self.styles.get(style_id(element)) or self.styles.get(None)
            yield list_mark(element, style, self.lists) + text, self.heading_level(element)
        yield from self.of_all(text_boxes(element))
        for kind, note in note_references(element):
            written = self.notes[kind].get(note)
            if written:
                self.referred[kind] += 1
                yield f"[{self.referred[kind]}] {written}", None

    def table(self, element: Any) -> Iterator[tuple[str, int | None]]:
        """A table's rows as lines, "| cell | cell |": a cell's lines joined by spaces, a merged cell once. A layout
        table's cells (``laid_out``) are read as blocks instead, one after another, their headings sections."""
        from docx.table import Table

        rows = [unique_cells(row) for row in Table(element, self.word).rows]
        if self.laid_out(element, rows):
            for cells in rows:
                for cell in cells:
                    yield from self.of(cell._tc)
            return
        for cells in rows:
            texts = [" ".join(line for line, _ in self.of(cell._tc)) for cell in cells]
            if any(texts):
                yield row_line(texts), None

    def laid_out(self, element: Any, rows: list[list[Any]]) -> bool:
        """Whether a table lays text out rather than holding data (as ``is_layout_table`` tells an HTML page's):
        without a header row, one column only (a box), or a table within a cell, or a cell holding a heading, or
        one row with a cell of several paragraphs."""
        if element.find(f"{WORD_NAMESPACE}tr/{WORD_NAMESPACE}trPr/{WORD_NAMESPACE}tblHeader") is not None:
            return False
        cells = [cell._tc for row in rows for cell in row]
        if all(len(row) <= 1 for row in rows) or any(tc.find(f".//{WORD_NAMESPACE}tbl") is not None for tc in cells):
            return True
        paragraphs = [[p for p in tc.iter(f"{WORD_NAMESPACE}p") if run_text(p).strip()] for tc in cells]
        if any(self.heading_level(p) for cell in paragraphs for p in cell):
            return True
        return len(rows) == 1 and any(len(cell) > 1 for cell in paragraphs)

    def heading_level(self, element: Any) -> int | None:
        """The heading level of a paragraph (None when it is no heading): its own outline level, else its style's
        (``style_levels``)."""
        own = outline_level(element)
        if own is not None:
            return own or None
        return self.levels.get(style_id(element), self.levels.get(None))


def unique_cells(row: Any) -> list[Any]:
    """A Word table row's cells, a cell merged across columns once."""
    cells: list[Any] = []
    for cell in row.cells:
        if not cells or cell._tc is not cells[-1]._tc:
            cells.append(cell)
    return cells


def run_text(element: Any) -> str:
    """The words of a paragraph's runs, within links, fields, insertions and inline content controls too (not what
    tracked changes deleted, not its text boxes, not a drawing's fallback copy); a tab or a line break a space."""
    parts: list[str] = []
    for node in within_paragraph(element):
        if node.tag == f"{WORD_NAMESPACE}t":
            parts.append(node.text or "")
        elif node.tag in RUN_SPACES:
            parts.append(" ")
        elif node.tag == f"{WORD_NAMESPACE}noBreakHyphen":
            parts.append("-")
    return "".join(parts)


def within_paragraph(element: Any) -> Iterator[Any]:
    """The elements within a paragraph in order, but for the insides of its text boxes, of drawings' fallback copies
    and of what tracked changes moved away (``NOT_IN_PARAGRAPH``)."""
    stack = list(reversed(element))
    while stack:
        node = stack.pop()
        yield node
        if node.tag not in NOT_IN_PARAGRAPH:
            stack.extend(reversed(node))


def text_boxes(element: Any) -> list[Any]:
    """The text boxes anchored in a paragraph, in order (their contents)."""
    return [node for node in within_paragraph(element) if node.tag == TEXT_BOX]


def note_references(element: Any) -> Iterator[tuple[str, str]]:
    """The footnotes and endnotes a paragraph refers to, in order: their kind and id."""
    for node in within_paragraph(element):
        for kind in NOTE_KINDS:
            if node.tag == f"{WORD_NAMESPACE}{kind}Reference":
                yield kind, node.get(f"{WORD_NAMESPACE}id")


def word_notes(word: Any, kind: str) -> dict[str, str]:
    """A Word document's footnotes or endnotes (``kind``) by id, each as one line of text (separators left out)."""
    from lxml import etree

    part = next((rel.target_part for rel in word.part.rels.values() if rel.reltype.endswith(f"/{kind}s")), None)
    if part is None:
        return {}
    root = etree.fromstring(part.blob)
    return {
        note.get(f"{WORD_NAMESPACE}id"): collapsed(" ".join(run_text(p) for p in note.iter(f"{WORD_NAMESPACE}p")))
        for note in root.iter(f"{WORD_NAMESPACE}{kind}")
        if note.get(f"{WORD_NAMESPACE}type") in (None, "normal")
    }


def style_id(element: Any) -> str | None:
    """The id of a paragraph's style, None when it has none (the default style)."""
    found = element.find(f"{WORD_NAMESPACE}pPr/{WORD_NAMESPACE}pStyle")
    return found.get(f"{WORD_NAMESPACE}val") if found is not None else None


def word_heading_level(style: str) -> int | None:
    """The level of a Word paragraph style's heading: "Title" 1, "Heading 2" 2; None for other styles."""
    if style.strip().casefold() == "title":
        return 1
    heading = WORD_HEADING_STYLE.fullmatch(style.strip())
    return int(heading.group(1)) if heading else None


class ListLevel(NamedTuple):
    """How a level of a Word list numbers its items: its format ("decimal", "lowerLetter", "bullet", ...), its text
    with the levels' numbers as %1 to %9 ("%1.%2."), and the number it starts at."""

    fmt: str
    text: str = "%1."
    start: int = 1


def list_levels(word: Any) -> dict[tuple[str, str], ListLevel]:
    """How each list (numbering id) of a Word document numbers each of its levels."""
    try:
        numbering = word.part.numbering_part.element
    except (KeyError, NotImplementedError, AttributeError):
        return {}
    abstract = {
        node.get(f"{WORD_NAMESPACE}abstractNumId"): {
            level.get(f"{WORD_NAMESPACE}ilvl"): list_level(level) for level in node.iter(f"{WORD_NAMESPACE}lvl")
        }
        for node in numbering.iter(f"{WORD_NAMESPACE}abstractNum")
    }
    levels: dict[tuple[str, str], ListLevel] = {}
    for num in numbering.iter(f"{WORD_NAMESPACE}num"):
        for ref in num.iter(f"{WORD_NAMESPACE}abstractNumId"):
            for level, numbered in abstract.get(ref.get(f"{WORD_NAMESPACE}val"), {}).items():
                levels[(num.get(f"{WORD_NAMESPACE}numId"), level)] = numbered
    return levels


def list_level(element: Any) -> ListLevel:
    """A ``w:lvl`` element's numbering: its format, its text and its start (decimal, "%1.", 1 where it gives none)."""
    values = {
        name: found.get(f"{WORD_NAMESPACE}val")
        for name in ("numFmt", "lvlText", "start")
        if (found := element.find(f"{WORD_NAMESPACE}{name}")) is not None
    }
    start = values.get("start") or "1"
    return ListLevel(
        values.get("numFmt") or "decimal", values.get("lvlText") or "", int(start) if start.isdigit() else 1
    )


class ListCounter:
    """The numbers of a Word document's lists so far: each list's items counted per level, a deeper level started
    again under each new item of the level above it."""

    def __init__(self, levels: dict[tuple[str, str], ListLevel]) -> None:
        self.levels = levels
        self.counts: dict[str, list[int]] = {}

    def mark(self, numbering: tuple[str, str], fallback: ListLevel) -> str:
        """What opens the line of an item of list ``numbering`` (its id and level): "- " for a bullet, else its
        number as its level's text writes it ("3. ", "2.1 ", "b) "); ``fallback`` for a level the document does not
        describe."""
        num, level = numbering
        depth = min(int(level), MAX_LIST_DEPTH - 1) if level.isdigit() else 0
        numbered = self.levels.get(numbering, fallback)
        if numbered.fmt in ("bullet", "none"):
            return "- "
        counts = self.counts.setdefault(num, [0] * MAX_LIST_DEPTH)
        counts[depth] = counts[depth] + 1 if counts[depth] else numbered.start
        counts[depth + 1 :] = [0] * (MAX_LIST_DEPTH - depth - 1)

        def number(found: re.Match[str]) -> str:
            at = int(found.group(1)) - 1
            of = self.levels.get((num, str(at)), numbered)
            return number_text(counts[at] or of.start, of.fmt)

        written = LEVEL_NUMBER.sub(number, numbered.text or "%1.").strip()
        return f"{written} " if written else "- "


def number_text(number: int, fmt: str) -> str:
    """A list item's number as Word writes it in format ``fmt``: "3", "03", "c", "C", "iii", "III"."""
    if fmt in ("lowerLetter", "upperLetter"):
        letters = chr(ord("a") + (number - 1) % 26) * ((number - 1) // 26 + 1)
        return letters if fmt == "lowerLetter" else letters.upper()
    if fmt in ("lowerRoman", "upperRoman"):
        numeral = roman(number)
        return numeral.lower() if fmt == "lowerRoman" else numeral
    return f"{number:02d}" if fmt == "decimalZero" else str(number)


def roman(number: int) -> str:
    """A number (1 or more) in Roman numerals: "XIV"."""
    numeral = ""
    for value, letters in ROMAN_NUMERALS:
        count, number = divmod(number, value)
        numeral += letters * count
    return numeral


def style_levels(styles: dict[str | None, Any]) -> dict[str | None, int | None]:
    """The heading level of each paragraph style (by id): a Title or Heading N style's, else the outline level it
    sets or the style it is based on sets (a custom or a translated heading style), else None."""
    levels: dict[str | None, int | None] = {}
    for key, style in styles.items():
        level, seen = None, 0
        while style is not None and seen < MAX_STYLE_BASES:
            level = word_heading_level(style.name or "")
            outline = outline_level(style.element) if level is None else None
            if level is not None or outline is not None:
                level = level or outline or None
                break
            style, seen = style.base_style, seen + 1
        levels[key] = level
    return levels


def outline_level(element: Any) -> int | None:
    """The outline level a paragraph or a paragraph style sets, as a heading level (its level 0 is heading 1); 0 for
    body text (level 9), None when it sets none."""
    found = element.find(f"{WORD_NAMESPACE}pPr/{WORD_NAMESPACE}outlineLvl")
    value = found.get(f"{WORD_NAMESPACE}val") if found is not None else None
    if value is None or not value.isdigit():
        return None
    return int(value) + 1 if int(value) < BODY_TEXT_LEVEL else 0


def paragraph_styles(word: Any) -> dict[str | None, Any]:
    """A Word document's paragraph styles by id, its default one under None too (looked up once: python-docx looks a
    paragraph's style up among all the styles each time it is asked)."""
    from docx.enum.style import WD_STYLE_TYPE

    styles: dict[str | None, Any] = {s.style_id: s for s in word.styles if s.type == WD_STYLE_TYPE.PARAGRAPH}
    styles[None] = word.styles.default(WD_STYLE_TYPE.PARAGRAPH)
    return styles


def list_mark(element: Any, style: Any, counter: ListCounter) -> str:
    """What opens the line of a Word list paragraph (its element): "- " for a bullet, its number for a numbered list
    ("2. ", "3.1 ", counted by ``counter``); "" for a paragraph outside lists. Its list is in the paragraph's numbering
    or its ``style``'s; a list the document does not describe is numbered when its style's name says so."""
    numbering = numbering_of(element) or (numbering_of(style.element) if style is not None else None)
    if numbering is None:
        return ""
    name = (style.name or "") if style is not None else ""
    return counter.mark(numbering, ListLevel("decimal" if "number" in name.lower() else "bullet"))


def numbering_of(element: Any) -> tuple[str, str] | None:
    """The list (numbering id) and level a Word paragraph or style element sets; None when it sets none."""
    found = element.find(f"{WORD_NAMESPACE}pPr/{WORD_NAMESPACE}numPr")
    if found is None:
        return None
    num = found.find(f"{WORD_NAMESPACE}numId")
    level = found.find(f"{WORD_NAMESPACE}ilvl")
    if num is None or num.get(f"{WORD_NAMESPACE}val") in (None, "0"):
        return None
    return num.get(f"{WORD_NAMESPACE}val"), level.get(f"{WORD_NAMESPACE}val") if level is not None else "0"
