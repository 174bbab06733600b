"""HTML pages as lines of text: one per block, list items marked, table rows with their cells, a site's chrome left out."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from typing import TYPE_CHECKING, Any, cast

from qa.documents.markup import BLOCK_BREAK, CELL_BREAK, collapsed, row_line, rule_line
from qa.errors import DocumentError
from qa.models import Section

if TYPE_CHECKING:
    from bs4 import BeautifulSoup, Tag

# What a browser does not show as text; a drop-down list shows one of its options (a saved form lists them all).
INVISIBLE_HTML_TAGS = ("script", "style", "noscript", "template", "head", "title", "svg", "select", "datalist")
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


def html_to_text(html: str) -> tuple[str, str | None, list[Section]]:
    """Visible text of an HTML page, one block per line (``html_lines``), its title (``page_title``), and its headings
    (h1 to h6). A site's chrome (``page_content``) is not the page's text, unless the page holds nothing else."""
    soup = parsed(html)
    title = page_title(soup)
    content = page_content(visible(soup)) or [visible(parsed(html))]
    levels = ((heading_level(tag), tag) for root in content for tag in root.find_all(True))
    headings = [(level, collapsed(tag.get_text())) for level, tag in levels if level]
    text = html_lines(content)
    return text, title, located_sections(text, headings)


def parsed(html: str) -> BeautifulSoup:
    """A page parsed by Python's HTML parser, or by lxml's when Python's rejects its markup ("<![k" opening a section
    it does not know); DocumentError when both do. An XHTML page is parsed as HTML, without a warning."""
    import warnings

    from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning
    from bs4.exceptions import ParserRejectedMarkup

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        try:
            return BeautifulSoup(html, "html.parser")
        except ParserRejectedMarkup:
            try:
                return BeautifulSoup(html, "lxml")
            except ParserRejectedMarkup as error:
                raise DocumentError(f"unreadable HTML ({str(error).splitlines()[0]})") from None


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
    table row is "| cell | cell |" (blocks within a cell stay in it), a header row (``header_row``) is followed by a
    rule line as in Markdown ("| --- | --- |"). One walk through the ``roots``, in order."""
    return "\n".join(line for line in (block_line(b) for b in "".join(page_pieces(roots)).split(BLOCK_BREAK)) if line)


def page_pieces(roots: list[Tag]) -> Iterator[str]:
    """The page's text in order with BLOCK_BREAK where a block begins or ends and CELL_BREAK where a cell begins;
    a list item's mark goes before its first words. Walked with a stack, so that deep nesting costs no recursion."""
    from bs4 import CData, NavigableString

    marks: dict[int, str] = {}  # list items and definitions (by id) -> the mark that opens them
    hidden: set[int] = set()  # terms read into their definitions' marks
    laid_out: set[int] = set()  # the cells of layout tables, read as blocks
    rules: dict[int, str] = {}  # header rows (by id) -> the rule line under them
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
            yield boundary(name, cells) + rules.get(id(node), "")
            continue
        if name == "br":
            yield " " if cells else BLOCK_BREAK
            continue
        if name in ("ol", "ul", "dl", "table"):
            marks_of(node, marks, hidden, laid_out, rules)
        yield CELL_BREAK if name in CELL_TAGS else boundary(name, cells)
        cells += name in CELL_TAGS
        pre += name == "pre"
        pending = marks.get(id(node), pending)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node.contents))


def marks_of(node: Tag, marks: dict[int, str], hidden: set[int], laid_out: set[int], rules: dict[int, str]) -> None:
    """What a list, a definition list or a table sets for the walk of ``page_pieces``: the marks that open its items
    (by id), the terms read into their definitions' marks, the cells of a layout table (read as blocks), the rule
    line under a table of data's header row (by the row's id)."""
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
            return
        spread_row_spans(rows, cells)
        header = header_row(node, rows)
        if header is not None:
            rules[id(header)] = rule_line(len(children(header, CELL_TAGS)))


def own_rows(table: Tag) -> list[Tag]:
    """A table's own rows (not those of the tables within its cells), in order."""
    rows = children(table, {"tr"})
    for group in children(table, {"thead", "tbody", "tfoot"}):
        rows.extend(children(group, {"tr"}))
    return rows


def header_row(table: Tag, rows: list[Tag]) -> Tag | None:
    """The row that names a table's columns: the last row of its head (``<thead>``), else its first row when every
    cell of it with words is a header cell (``<th>``) or set in bold (as older pages head a table) and rows follow
    it; None when the table has no such row."""
    head = [row for group in children(table, {"thead"}) for row in children(group, {"tr"})]
    if head:
        return head[-1]
    named = [cell for cell in children(rows[0], CELL_TAGS) if collapsed(cell.get_text())] if len(rows) > 1 else []
    return rows[0] if named and all(cell.name == "th" or in_bold(cell) for cell in named) else None


def in_bold(cell: Tag) -> bool:
    """Whether all the words of a table cell (there are some) are set in bold (``<b>``, ``<strong>``)."""
    words = collapsed(cell.get_text())
    bold = collapsed(
        " ".join(b.get_text() for b in cell.find_all(["b", "strong"]) if not b.find_parent(["b", "strong"]))
    )
    return bool(words) and bold == words


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
