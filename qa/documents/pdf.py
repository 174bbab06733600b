"""Read a PDF as a person reads it: columns in order, paragraphs joined, running heads and page numbers left out."""

from __future__ import annotations

import bisect
import ctypes
import math
import re
import statistics
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import Any, NamedTuple

from qa.documents import ocr
from qa.documents.loading import PAGE_SEPARATOR, is_reference_section
from qa.documents.markup import row_line, rule_line
from qa.models import Section

LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"})
# A line ending in one of these after a letter may end with a word cut in two ("infor-" + "mation"); PDFium reads
# a hyphen it takes for a soft one as U+0002.
HYPHENS = "-\u00ad\u2010\x02"
LINE_END_HYPHEN = re.compile(rf"(\w)[{HYPHENS}]$")
# Words whose line-end hyphen is one of a compound ("well-known") unless what follows is a suffix ("self-ish").
COMPOUND_HEADS = frozenset({"well", "self", "ill", "half", "cross"})
SUFFIXES = frozenset({"ish", "ness", "er", "ers", "est", "ly", "ed", "ing", "ment", "less", "ful"})
SENTENCE_END = re.compile(r"[.!?…:;][\"'”’)\]]*$")
# A line that begins a paragraph of its own: a bullet, or a reference list entry such as "[12]".
BULLETS = "•◦▪‣●■–"  # the marks that open a list item in a PDF
ITEM_START = re.compile(rf"[{BULLETS}]\s|\[\d{{1,3}}\]\s")
# A line that opens with a field's name, a few words and a colon ("New rent: £1,210.00 per calendar month",
# "Probationary period: six months"): under another such line, as a letter lists its details, it is a field of its
# own, not the same paragraph's words ("… per annum Proposed start date: Monday 4 March 2024 Probationary period: …").
FIELD_START = re.compile(r"[^\W\d_][^\s:]*(?: [^\s:]+){0,4}: \S")
HEADING_NUMBER = re.compile(r"(?:(\d{1,2}(?:\.\d{1,2}){0,4})\.?|[A-Z]\.|[IVX]{1,5}\.)\s+(?=[A-ZÀ-ÖØ-Þ])")
FOOTNOTE_MARK = re.compile(r"[\d*†‡§¶¹²³⁴⁵⁶⁷⁸⁹⁰]")
ROMAN_NUMBER = r"(?=[ivxlcdm])m{0,3}(?:cm|cd|d?c{0,3})(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})"
PAGE_NUMBER = re.compile(
    rf"\W*(?:page|p\.|seite|pág\.?)?\s*(?:\d{{1,4}}|{ROMAN_NUMBER})(?:\s*(?:/|of|von|de)\s*\d{{1,4}})?\W*",
    re.IGNORECASE,
)
BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi|medi|cmbx|\.b\b", re.IGNORECASE)
FORCE_BOLD = 1 << 18
# A line is set in bold when this share of its characters is: bold labels run in with their values ("Report author:
# Yusuf Demir  Reviewed at: 19 June 2025") make no heading, nor a paragraph of their own.
BOLD_LINE = 0.8
EDGE_ROWS = 2  # rows at the top and at the bottom of a page looked at for running heads and page numbers
EDGE_SHARE = 0.25  # ... when they lie within this share of the page's height from its top or bottom
PARAGRAPH_SEPARATOR = "\n\n"
# A table: rows of two or more cells (pieces CELL_GAP ems apart or more; the words of a cell are closer), their
# columns apart by CHANNEL ems of white space down every row, the rows at most TABLE_LEADING ems apart.
CELL_GAP = 1.0
CHANNEL = 0.8
TABLE_LEADING = 2.5
COLUMN_WIDTH = 8.0  # ems: a column of text is wider; a narrower column beside a gutter is a table's (its figures)
LIST_NUMBER = re.compile(r"\(?(\d{1,2})[.)]\s")  # a numbered list item's number: "2. ", "(3) "
LIST_MARK = re.compile(rf"[{BULLETS}*-]|\(?(?:\d{{1,2}}|[a-z]|[ivx]{{1,4}})[.)]")  # "•", "2.", "b)", "(iv)"
_pdfium_lock = threading.Lock()  # PDFium is not thread-safe


class PdfText(NamedTuple):
    """A PDF's text in reading order, where each page begins in it, its titles and its headings."""

    text: str
    page_starts: list[int]
    title: str | None  # in its metadata
    layout_title: str | None  # its largest first line, else its first line
    sections: list[Section]


@dataclass(slots=True, eq=False)
class Piece:
    """Characters on one baseline without a wide gap between them: a line of text, or a part of one."""

    chars: list[str]
    x0: float
    x1: float
    base: float
    size: float
    bold: int = 0  # characters in a bold font
    count: int = 0  # characters
    word_end: float | None = None  # where its first word ends

    @property
    def text(self) -> str:
        return "".join(self.chars).strip()

    def add(self, char: str, right: float, size: float, base: float, bold: bool) -> None:
        """Appends a character that ends at x ``right``."""
        if char == " " and self.word_end is None:
            self.word_end = self.x1
        self.chars.append(char)
        self.x1 = max(self.x1, right)
        self.count += 1
        self.bold += bold
        if size > self.size:
            self.size, self.base = size, base


@dataclass(slots=True, eq=False)
class Line:
    """A line of text: the pieces on one baseline within one column, left to right."""

    text: str
    x0: float
    x1: float
    base: float
    size: float
    bold: bool
    word_end: float  # where its first word ends
    row: bool = False  # a table's row, its cells between bars ("| E7 | Sensor fault |"), or a table under its header
    # row (its rows one below the other, ``headed_table``): a paragraph of its own
    item: bool = False  # a list item whose mark ("•", "2.") is set apart from its text: it opens a paragraph


@dataclass(slots=True, eq=False)
class Region:
    """Lines read one after the other: a column of a band of columns, or a band that spans the page."""

    lines: list[Line]
    x0: float = 0.0
    x1: float = 0.0

    def __post_init__(self) -> None:
        self.x0 = min(line.x0 for line in self.lines)
        self.x1 = max(line.x1 for line in self.lines)


@dataclass(slots=True, eq=False)
class Para:
    """A paragraph (or a heading) of one page, with where it begins in the document's text once laid out."""

    lines: list[Line]
    text: str
    page: int
    footnote: bool = False
    start: int = 0
    size: float = field(init=False)
    bold: bool = field(init=False)

    def __post_init__(self) -> None:
        self.size = max(line.size for line in self.lines)
        self.bold = sum(line.bold for line in self.lines) * 2 > len(self.lines)


class Vocabulary(NamedTuple):
    """The words of a document, and those of its words with a hyphen inside ("covid-19", "well-known")."""

    words: set[str]
    compounds: set[str]


def text_object_function() -> Any:
    """PDFium's FPDFText_GetTextObject returning the object's address (an int, None for none): cheap to compare."""
    import pypdfium2.raw as pdfium_c

    prototype = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int)
    return ctypes.cast(pdfium_c.FPDFText_GetTextObject, prototype)


class CharReader:
    """The characters of one PDFium text page with their boxes, baselines, font sizes and weights."""

    def __init__(self, textpage: Any, get_object: Any, fonts: dict[int, bool]) -> None:
        import pypdfium2.raw as pdfium_c

        self.raw = pdfium_c
        self.handle = textpage.raw
        self.get_object = get_object
        self.fonts = fonts  # font address -> bold, shared by the pages of a document
        self.box = pdfium_c.FS_RECTF()
        self.matrix = pdfium_c.FS_MATRIX()
        self.x, self.y = ctypes.c_double(), ctypes.c_double()

    def style(self, index: int, text_object: int) -> tuple[float, bool, bool]:
        """Font size (scaled by the text's matrix), bold, and upright of the text object of character ``index``."""
        raw = self.raw
        raw.FPDFText_GetMatrix(self.handle, index, self.matrix)
        m = self.matrix
        size = raw.FPDFText_GetFontSize(self.handle, index) * math.hypot(m.c, m.d)
        upright = m.a > 0 and m.d > 0 and abs(m.b) <= 0.05 * m.a and abs(m.c) <= 0.05 * m.d
        font = raw.FPDFTextObj_GetFont(ctypes.cast(text_object, raw.FPDF_PAGEOBJECT))
        address = ctypes.cast(font, ctypes.c_void_p).value or 0
        if address not in self.fonts:
            name = ctypes.create_string_buffer(256)
            raw.FPDFFont_GetBaseFontName(font, name, 256)
            weight, flags = raw.FPDFFont_GetWeight(font), raw.FPDFFont_GetFlags(font)
            bold = weight >= 600 or (flags > 0 and flags & FORCE_BOLD) or BOLD_FONT.search(name.value.decode("latin-1"))
            self.fonts[address] = bool(bold)
        return size, self.fonts[address], upright

    def chars(self) -> Iterator[tuple[str, float, float, float, float, bool] | None]:
        """Each drawn character as (text, left, right, baseline, font size, bold); None for a space PDFium put
        between words. Line breaks PDFium adds, control characters and text not drawn upright are left out."""
        raw, handle, box = self.raw, self.handle, self.box
        get_unicode, loose_box, origin = (
            raw.FPDFText_GetUnicode,
            raw.FPDFText_GetLooseCharBox,
            raw.FPDFText_GetCharOrigin,
        )
        x, y = ctypes.byref(self.x), ctypes.byref(self.y)
        current, style = None, (0.0, False, False)
        for index in range(raw.FPDFText_CountChars(handle)):
            code = get_unicode(handle, index)
            text_object = self.get_object(handle, index)
            if not text_object:  # made up by PDFium
                if code == 32:
                    yield None
                continue
            if text_object != current:
                current, style = text_object, self.style(index, text_object)
            if not style[2] or (code < 32 and code != 2) or code in (0xFFFE, 0xFFFF):
                continue
            loose_box(handle, index, box)
            origin(handle, index, x, y)
            yield chr(code), box.left, box.right, self.y.value, style[0], style[1]


def page_pieces(reader: CharReader) -> list[Piece]:
    """The page's characters grouped into pieces: a piece ends where the baseline changes, where the text goes
    back to the left, or at a gap wider than half an em (a word space is narrower, a column gutter wider)."""
    pieces: list[Piece] = []
    current: Piece | None = None
    spaced = False
    for char in reader.chars():
        if char is None or (char[0] == " " and (current is None or current.chars[-1] == " ")):
            spaced = True
            continue
        text, x0, x1, base, size, bold = char
        em = max(size, current.size if current else 0.0, 1.0)
        if (
            current is None
            or abs(base - current.base) > 0.5 * em
            or x0 < current.x1 - 0.5 * em
            or x0 - current.x1 > 0.5 * em
        ):
            current = Piece([], x0, x1, base, size)
            pieces.append(current)
        elif text != " " and (spaced or x0 - current.x1 > 0.15 * em):
            current.add(" ", current.x1, size, base, False)
        current.add(text, x1, size, base, bold)
        spaced = False
    return [piece for piece in pieces if piece.text]


def rows_of(pieces: list[Piece]) -> list[list[Piece]]:
    """The pieces grouped by baseline, top to bottom, each row left to right."""
    rows: list[list[Piece]] = []
    for piece in sorted(pieces, key=lambda p: (-p.base, p.x0)):
        if rows and abs(rows[-1][0].base - piece.base) <= 0.4 * max(piece.size, rows[-1][0].size):
            rows[-1].append(piece)
        else:
            rows.append([piece])
    return [sorted(row, key=lambda p: p.x0) for row in rows]


def row_key(row: list[Piece]) -> str:
    """What a running head has in common across pages: its words, lower case, with numbers as '#', and its font
    size (a title may have the running head's words)."""
    words = re.sub(r"\d+", "#", " ".join(" ".join(p.text for p in row).casefold().split()))
    return f"{words} {max(p.size for p in row):.0f}"


def edge_rows(rows: list[list[Piece]], height: float, bottom: float) -> list[tuple[list[Piece], bool]]:
    """The rows at the top and at the bottom of a page that may be running heads, footers or page numbers: the
    EDGE_ROWS outermost on each side within EDGE_SHARE of the page's height, each with whether it stands apart,
    further from the next row inwards than lines of text are."""
    if len(rows) < 2:
        return []
    top = [(n, rows[n + 1]) for n in range(min(EDGE_ROWS, len(rows) - 1))]
    low = [(n, rows[n - 1]) for n in range(len(rows) - 1, max(len(rows) - 1 - EDGE_ROWS, 0), -1)]
    found: dict[int, tuple[list[Piece], bool]] = {}
    for (number, inner), up in [*((t, True) for t in top), *((b, False) for b in low)]:
        row = rows[number]
        if (row[0].base >= bottom + (1 - EDGE_SHARE) * height) if up else (row[0].base <= bottom + EDGE_SHARE * height):
            apart = abs(row[0].base - inner[0].base) > 1.6 * max(p.size for p in row + inner)
            found.setdefault(number, (row, apart))
    return list(found.values())


def drop_running_heads(pages: list[list[Piece]], boxes: list[tuple[float, float]]) -> list[list[Piece]]:
    """The pages without their running heads and footers (an edge row whose words, numbers aside, recur at the
    edge of other pages) and without their page numbers (an edge row standing apart that reads as one). A page
    that would be left without text is kept whole."""
    edges = [edge_rows(rows_of(pieces), height, bottom) for pieces, (bottom, height) in zip(pages, boxes, strict=True)]
    counts = Counter(key for page in edges for key in {row_key(row) for row, _ in page})
    kept = []
    for pieces, page_edges in zip(pages, edges, strict=True):
        dropped = {
            id(piece)
            for row, apart in page_edges
            if counts[row_key(row)] >= 2 or (apart and PAGE_NUMBER.fullmatch(" ".join(p.text for p in row)))
            for piece in row
        }
        left = [piece for piece in pieces if id(piece) not in dropped]
        kept.append(left or pieces)
    return kept


def find_gutter(pieces: list[Piece], em: float) -> float | None:
    """The x of the gap between two columns: the widest stretch of the middle half of the text's width crossed by
    fewest pieces, when it is 0.4 em wide or more but narrow beside the text (a gutter, not the space between the
    cells of a table), has two rows of text on each side, fewer pieces cross it than lie beside it, and the lines
    of one side at least are full, as a column of text's are. None for text in one column."""
    if len(pieces) < 4:
        return None
    left, right = min(p.x0 for p in pieces), max(p.x1 for p in pieces)
    low, high = left + 0.25 * (right - left), left + 0.75 * (right - left)
    events = sorted([(p.x0, 1) for p in pieces] + [(p.x1, -1) for p in pieces])
    best: tuple[int, float, float] | None = None  # (pieces crossing, -width, middle)
    depth, previous = 0, left
    for x, step in events:
        start, end = max(previous, low), min(x, high)
        if end > start and (best is None or (depth, start - end) < best[:2]):
            best = (depth, start - end, (start + end) / 2)
        depth, previous = depth + step, x
    if best is None or not 0.4 * em <= -best[1] <= 0.12 * (right - left):
        return None
    gutter = best[2]
    beside = [len({round(p.base) for p in pieces if side(p, gutter) == s}) for s in (-1, 1)]
    crossing = sum(1 for p in pieces if side(p, gutter) == 0)
    columns = min(beside) >= 2 and crossing < sum(beside)
    return gutter if columns and min(ragged(pieces, gutter, s, em) for s in (-1, 1)) <= 0.15 else None


def side(piece: Piece, gutter: float) -> int:
    """-1: the piece is left of the gutter, 1: right of it, 0: across it."""
    return -1 if piece.x1 <= gutter else 1 if piece.x0 >= gutter else 0


def ragged(pieces: list[Piece], gutter: float, which: int, em: float) -> float:
    """How much of one side of a gutter its lines typically leave empty, at their ends or between their words, as
    a share of its width: little for a column of text, whose lines run from its left edge to (near) its right one;
    much for the cells of a table, set left or right in their columns ("£169.50" under "Until 6 April 2025"). All
    of it for a side narrower than a column of text is (``COLUMN_WIDTH``): a table's column of prices, say."""
    on_side = [piece for piece in pieces if side(piece, gutter) == which]
    start, edge = min(piece.x0 for piece in on_side), max(piece.x1 for piece in on_side)
    filled: defaultdict[int, float] = defaultdict(float)
    for piece in on_side:
        filled[round(piece.base)] += piece.x1 - piece.x0
    width = max(1.0, edge - start)
    if width < COLUMN_WIDTH * em:
        return 1.0
    return statistics.median(max(0.0, width - used) for used in filled.values()) / width


def line_of(row: list[Piece]) -> Line:
    """The pieces of a row (left to right) as one line, a space where they are apart."""
    text = row[0].text
    for before, piece in pairwise(row):
        text += (" " if piece.x0 - before.x1 > 0.1 * piece.size else "") + piece.text
    return Line(
        text=text.translate(LIGATURES),
        x0=row[0].x0,
        x1=max(p.x1 for p in row),
        base=max(row, key=lambda p: p.count).base,
        size=max(p.size for p in row),
        bold=bold_row(row),
        word_end=row[0].word_end or row[0].x1,
        item=len(row) >= 2 and LIST_MARK.fullmatch(row[0].text) is not None,
    )


def tabled(rows: list[list[Piece]], em: float) -> list[Line]:
    """The rows as lines, those of a table (``table_run``) as its rows of cells (``table_lines``)."""
    lines: list[Line] = []
    at = 0
    while at < len(rows):
        run = table_run(rows, at, em)
        lines += table_lines(rows[at : at + run], em) if run else [line_of(rows[at])]
        at += run or 1
    return lines


def cell_row(row: list[Piece], em: float) -> bool:
    """Whether a row holds two or more cells: pieces at least CELL_GAP ems apart, the first not a list item's mark
    set apart from its text ("•", "2.", "b)", as a word processor lays out a list)."""
    if len(row) < 2 or LIST_MARK.fullmatch(row[0].text):
        return False
    return all(after.x0 - before.x1 >= CELL_GAP * em for before, after in pairwise(row))


def channels(rows: list[list[Piece]], em: float) -> list[tuple[float, float]]:
    """The stretches of x, CHANNEL ems wide or more, that no piece of ``rows`` crosses, between their first and
    last piece: the white space between a table's columns."""
    spans = sorted((piece.x0, piece.x1) for row in rows for piece in row)
    found = []
    reach = spans[0][1]
    for x0, x1 in spans[1:]:
        if x0 - reach >= CHANNEL * em:
            found.append((reach, x0))
        reach = max(reach, x1)
    return found


def table_run(rows: list[list[Piece]], start: int, em: float) -> int:
    """How many rows from ``start`` make a table: rows of cells (``cell_row``) and the lines their wrapped cells go
    on in, in one font size, close together, all with the same channels between columns (``channels``); 0 when
    fewer than two rows of cells do (a line with a wide gap is no table). The first row may leave the first column
    empty (a header over the columns of figures). A line that is no row of cells, set further below the line above
    it than any row of the table is, is the paragraph after it."""
    if not cell_row(rows[start], em):
        return 0
    columns, size = len(channels(rows[start : start + 1], em)), max(p.size for p in rows[start])
    end, cells, widest = start + 1, 1, 0.0
    while end < len(rows):
        row, gap = rows[end], rows[end - 1][0].base - rows[end][0].base
        if gap > TABLE_LEADING * em or abs(max(p.size for p in row) - size) > 0.15 * size:
            break
        if end == start + 1 and row[0].x0 < rows[start][0].x0 - CELL_GAP * em:
            columns = len(channels(rows[start : end + 1], em))  # a header row whose first cell is empty
        if len(channels(rows[start : end + 1], em)) != columns:
            break
        if not cell_row(row, em) and cells >= 2 and gap > widest + 0.25 * em:
            break
        cells += cell_row(row, em)
        widest = max(widest, gap)
        end += 1
    return end - start if cells >= 2 else 0


def table_lines(rows: list[list[Piece]], em: float) -> list[Line]:
    """A table's rows as lines "| cell | cell |", each cell's words top to bottom. A row of the table may take
    several lines (wrapped cells): rows are told apart by the wider space between them, or, where the space is even,
    by a line that opens one (``opens_row``)."""
    cuts = [(left + right) / 2 for left, right in channels(rows, em)]
    gaps = [above[0].base - below[0].base for above, below in pairwise(rows)]
    body = body_gaps(rows, gaps)
    even = not body or max(body) - min(body) <= 0.25 * em
    groups: list[list[list[Piece]]] = [[rows[0]]]
    for row, gap in zip(rows[1:], gaps, strict=True):
        opens = opens_row(row, groups[-1], cuts) if even else gap > min(gaps) + 0.25 * em
        if opens:
            groups.append([row])
        else:
            groups[-1].append(row)
    return headed_table([table_line(group, cuts) for group in groups], len(cuts) + 1)


def body_gaps(rows: list[list[Piece]], gaps: list[float]) -> list[float]:
    """The spaces between a table's lines (``gaps``, one under each of ``rows`` but the last) less the one under a
    bold first row and the one above a bold last row: a header and a total set further apart than the rows between
    them ("TOTALS" 22 points below rows 16 apart) leave those rows evenly spaced."""
    start = 1 if len(rows) > 2 and bold_row(rows[0]) else 0
    end = len(gaps) - 1 if len(rows) > 2 and bold_row(rows[-1]) else len(gaps)
    return gaps[start:end]


def bold_row(row: list[Piece]) -> bool:
    """Whether the characters of a row's pieces (or a table row's, over its lines) are mostly bold (``BOLD_LINE``)."""
    return sum(p.bold for p in row) >= BOLD_LINE * sum(p.count for p in row)


def opens_row(line: list[Piece], row: list[list[Piece]], cuts: list[float]) -> bool:
    """Whether a line of a table whose lines are evenly spaced opens a row of its own rather than going on with
    ``row``'s wrapped cells: it does when it opens in the first column, or when it has two cells or more, one in the
    last column, which ``row`` has filled already (a "Subtotal" row under an item's row, its first cell empty)."""
    if line[0].x0 < cuts[0]:
        return True
    last = len(cuts)
    return (
        len(line) >= 2
        and bisect.bisect(cuts, line[-1].x0) == last
        and any(bisect.bisect(cuts, above[-1].x0) == last for above in row)
    )


def headed_table(rows: list[Line], columns: int) -> list[Line]:
    """A table whose first row alone is bold (its header, as reports set it), or that and its last (a total under
    the rows), as one line of its rows, one below the other, the header ruled off as in Markdown ("| --- | --- |"):
    read as a table, each row with the names of its columns (``qa.reading.views``). The rows of another table as they
    are, each a paragraph of its own."""
    if len(rows) < 2 or not rows[0].bold or any(row.bold for row in rows[1:-1]) or (len(rows) == 2 and rows[1].bold):
        return rows
    text = "\n".join([rows[0].text, rule_line(columns), *(row.text for row in rows[1:])])
    x1, base = max(row.x1 for row in rows), rows[-1].base
    return [replace(rows[0], text=text, x1=x1, base=base, bold=False)]


def table_line(group: list[list[Piece]], cuts: list[float]) -> Line:
    """The lines of one table row as one line of its cells between bars, each piece in the column it lies in."""
    cells: list[list[str]] = [[] for _ in range(len(cuts) + 1)]
    pieces = [piece for row in group for piece in row]
    for piece in pieces:
        cells[bisect.bisect(cuts, piece.x0)].append(piece.text)
    return Line(
        text=row_line([" ".join(cell) for cell in cells]).translate(LIGATURES),
        x0=min(p.x0 for p in pieces),
        x1=max(p.x1 for p in pieces),
        base=group[-1][0].base,
        size=max(p.size for p in pieces),
        bold=bold_row(pieces),
        word_end=pieces[0].word_end or pieces[0].x1,
        row=True,
    )


def regions_of(pieces: list[Piece], em: float, depth: int = 0) -> list[Region]:
    """The lines of a page (or of a column of it) in reading order, as regions: where there are columns, each band
    of rows between rows that span them is read column by column, left first, each column split again when it
    holds columns itself (up to four); a spanning row is read in place."""
    gutter = find_gutter(pieces, em) if depth < 3 else None
    if gutter is None:
        return [Region(tabled(rows_of(pieces), em))] if pieces else []
    regions: list[Region] = []
    band: list[Piece] = []
    spanning: list[Line] = []
    for row in [*rows_of(pieces), []]:  # an empty row closes the last band
        if row and not any(side(p, gutter) == 0 for p in row):
            if spanning:
                regions.append(Region(spanning))
                spanning = []
            band += row
            continue
        for which in (-1, 1):
            regions += regions_of([p for p in band if side(p, gutter) == which], em, depth + 1)
        band = []
        spanning += [line_of(row)] if row else []
    return regions + ([Region(spanning)] if spanning else [])


def split_footnotes(regions: list[Region], body: float, bottom: float, height: float) -> list[Line]:
    """Takes from the end of each region in the lower part of the page its footnotes (a run of lines in a smaller
    font than the body's, the first beginning with a mark, below a line of body text), and returns them."""
    notes: list[Line] = []
    for region in regions:
        lines = region.lines
        cut = len(lines)
        while cut > 1 and lines[cut - 1].size < 0.9 * body:
            cut -= 1
        while cut < len(lines) and not FOOTNOTE_MARK.match(lines[cut].text):
            cut += 1
        run = lines[cut:]
        if (
            run
            and run[0].base < bottom + 0.4 * height
            and lines[cut - 1].size >= 0.9 * body
            and len(run) <= len(lines) // 2
        ):
            notes += run
            del lines[cut:]
    return notes


def line_pitches(regions: list[Region]) -> dict[int, float]:
    """The usual distance between the baselines of two lines of a paragraph on the page, for each font size (in
    whole points) whose lines follow one another there: a heading set in large type over two lines is spaced as its
    size is, not as the body is."""
    gaps: dict[int, list[float]] = {}
    for region in regions:
        for above, below in pairwise(region.lines):
            if abs(above.size - below.size) < 0.5 and 0 < above.base - below.base <= 1.6 * above.size:
                gaps.setdefault(round(above.size), []).append(above.base - below.base)
    return {size: statistics.median(found) for size, found in gaps.items()}


def starts_paragraph(tail: list[Line], line: Line, regions: tuple[Region, Region], pitches: dict[int, float]) -> bool:
    """Whether ``line`` begins a new paragraph rather than going on with ``tail`` (the paragraph's lines in the
    region of the line before; ``regions``: that region and the region of ``line``). It does at a table's row and
    after one, after another font size or weight, at a bullet, a list item's mark set apart ("2.    Unplug it"), a
    reference entry or a field's name under a paragraph that opened with one (``FIELD_START``), at the next number
    of a numbered list (``next_item``), after a wider gap than between lines, when the line before had room left for
    its first word (it was not full, as a wrapped one is: measured against the longest line of ``tail``, or against
    its region when ``line`` begins another) unless it opens in small letters (a letter's lines broken by hand, ragged:
    "… based on your" / "household income assessment, …"), or at an indent after a finished sentence."""
    before = tail[-1]
    if before.row or line.row:
        return True
    if abs(before.size - line.size) > 0.1 * max(before.size, line.size) or before.bold != line.bold:
        return True
    if line.item or ITEM_START.match(line.text):
        return True
    if (FIELD_START.match(line.text) and FIELD_START.match(tail[0].text)) or next_item(tail[0], line):
        return True
    em, same = line.size, regions[0] is regions[1]
    if same:
        gap = before.base - line.base
        if gap < 0.3 * em or gap > pitches.get(round(em), 1.2 * em) + max(2.0, 0.3 * em):
            return True
    right = max(line.x1, *(g.x1 for g in tail)) if same else regions[0].x1
    if before.x1 + 0.45 * em + (line.word_end - line.x0) < right and not line.text[:1].islower():  # a space, slack
        return True
    left = before.x0 if same else regions[1].x0
    return line.x0 > left + 0.8 * em and bool(SENTENCE_END.search(before.text))


def next_item(first: Line, line: Line) -> bool:
    """Whether ``line`` opens with the number after the one ``first`` (a paragraph's first line) opens with: the
    next item of a numbered list ("1. A booking deposit of £75.00 is payable …" / "2. The balance is due …"), even
    where the line before it is as full as the paragraph's others."""
    opened, opens = LIST_NUMBER.match(first.text), LIST_NUMBER.match(line.text)
    return opened is not None and opens is not None and int(opens[1]) == int(opened[1]) + 1


def joint(before: str, after: str, vocabulary: Vocabulary) -> tuple[int, str]:
    """How two lines of a paragraph join: how many characters to drop from the end of the first and what goes
    between. A word cut by a hyphen is joined when it goes on in lower case, unless the document writes it with a
    hyphen elsewhere and never without, or its first part is one that makes compounds ("well-" + "known"); a
    hyphen before a digit or a capital stays ("COVID-19")."""
    cut = LINE_END_HYPHEN.search(before)
    if not cut:
        return 0, " "
    if not after[:1].islower():
        return 1, "-"
    head = re.search(r"\w+$", before[:-1])
    tail = re.match(r"\w+", after)
    if head and tail:
        start, rest = head.group().casefold(), tail.group().casefold()
        if start + rest in vocabulary.words:
            return 1, ""
        if f"{start}-{rest}" in vocabulary.compounds or (start in COMPOUND_HEADS and rest not in SUFFIXES):
            return 1, "-"
    return 1, ""


def joined(texts: list[str], vocabulary: Vocabulary) -> str:
    """The lines of a paragraph as one line (see ``joint``)."""
    text = texts[0]
    for after in texts[1:]:
        drop, between = joint(text, after, vocabulary)
        text = text[: len(text) - drop] + between + after
    return re.sub(r" {2,}", " ", text.replace("\u00ad", "").replace("\x02", "-"))


def vocabulary_of(lines: Iterator[str]) -> Vocabulary:
    """The words of the lines, lower case, and the hyphenated ones among them."""
    words: set[str] = set()
    compounds: set[str] = set()
    for text in lines:
        for token in re.findall(r"\w+(?:-\w+)*", text.casefold()):
            (compounds if "-" in token else words).add(token)
    return Vocabulary(words, compounds)


def page_paragraphs(regions: list[Region], page: int, vocabulary: Vocabulary, footnote: bool = False) -> list[Para]:
    """The lines of the page's regions, in order, grouped into paragraphs (see ``starts_paragraph``)."""
    pitches = line_pitches(regions)
    paras: list[Para] = []
    group: list[Line] = []
    tail: list[Line] = []  # the lines of the group in the region of the last one
    previous = regions[0] if regions else None
    for region in regions:
        for line in region.lines:
            if group and previous and starts_paragraph(tail, line, (previous, region), pitches):
                paras.append(Para(group, joined([g.text for g in group], vocabulary), page, footnote))
                group = []
            if not group or region is not previous:
                tail = []
            group.append(line)
            tail.append(line)
            previous = region
    if group:
        paras.append(Para(group, joined([g.text for g in group], vocabulary), page, footnote))
    return paras


def page_joint(before: Para, after: Para, vocabulary: Vocabulary) -> tuple[int, str]:
    """How the last paragraph of a page and the first of the next join: as lines of one paragraph when the first
    stops mid-sentence and the next goes on in lower case in the same font; else as paragraphs of two pages."""
    same_font = abs(before.size - after.size) <= 0.1 * before.size and not before.bold and not after.bold
    goes_on = not SENTENCE_END.search(before.text) and after.text[:1].islower()
    if before.footnote or after.footnote or not same_font or not goes_on:
        return 0, PAGE_SEPARATOR
    return joint(before.text, after.text, vocabulary)


def assemble(pages: list[list[Para]], vocabulary: Vocabulary) -> tuple[str, list[int]]:
    """The pages' paragraphs as one text (a blank line between two; see ``page_joint`` between pages), the
    offset at which each page begins (an empty page where the next page with text does), and each paragraph's
    ``start`` set."""
    parts: list[str] = []
    starts: list[int] = []
    length, waiting = 0, 0
    last: Para | None = None
    for paras in pages:
        if not paras:
            waiting += 1
            continue
        if last is not None:
            drop, between = page_joint(last, paras[0], vocabulary)
            if drop:
                parts[-1], last.text = parts[-1][:-drop], last.text[:-drop]
                length -= drop
            parts.append(between)
            length += len(between)
        starts += [length] * (waiting + 1)
        waiting = 0
        for index, para in enumerate(paras):
            if index:
                parts.append(PARAGRAPH_SEPARATOR)
                length += len(PARAGRAPH_SEPARATOR)
            para.start = length
            parts.append(para.text)
            length += len(para.text)
        last = paras[-1]
    return "".join(parts), starts + [length] * waiting


def body_style(pages: list[list[Region]]) -> tuple[float, bool]:
    """The font size and weight of most of the document's text."""
    sizes: Counter[float] = Counter()
    bold = total = 0
    for regions in pages:
        for line in (line for region in regions for line in region.lines):
            sizes[round(line.size * 2) / 2] += len(line.text)
            bold += len(line.text) * line.bold
            total += len(line.text)
    return (sizes.most_common(1)[0][0] if sizes else 10.0), bold * 2 > total


def layout_title(pages: list[list[Para]], body: float) -> Para | None:
    """The paragraph that is the document's title: the largest text among the first paragraphs of its first page
    with text when it is larger than the body's, else None."""
    first = next((paras for paras in pages if paras), [])[:6]
    title = max(first, key=lambda p: p.size, default=None)
    return title if title and title.size >= 1.15 * body and len(title.text) <= 300 else None


def heading_depth(text: str) -> int | None:
    """How deep a heading's number puts it ("3.2 Methods": 2, "IV. Results": 1); None when it has no number."""
    number = HEADING_NUMBER.match(text)
    if not number:
        return None
    return number.group(1).count(".") + 1 if number.group(1) else 1


def is_heading(para: Para, body: float, body_bold: bool) -> bool:
    """A short paragraph (not a table's row) in a larger or bolder font than the body's, or a short numbered line
    ("3.2 Methods") or reference list heading in the body's font."""
    text = para.text
    if para.footnote or para.lines[0].row or len(para.lines) > 3 or len(text) > 150 or not re.search(r"[^\W\d_]", text):
        return False
    if para.size >= 1.12 * body or (para.bold and not body_bold):
        return True
    short = len(para.lines) == 1 and len(text.split()) <= 12 and not re.search(r"[.,;:]$", text)
    return short and (heading_depth(text) is not None or is_reference_section(text))


def font_sections(pages: list[list[Para]], body: float, body_bold: bool, title: Para | None) -> list[Section]:
    """Headings found by their font or number, each at its level: the depth of its number, else the rank of its
    font size among the headings' (the size of numbered headings of a level gives that level)."""
    headings = [p for paras in pages for p in paras if p is not title and is_heading(p, body, body_bold)]
    depths = [heading_depth(p.text) for p in headings]
    level_of_size: dict[float, int] = {}
    for para, depth in zip(headings, depths, strict=True):
        if depth:
            level_of_size[round(para.size)] = min(depth, level_of_size.get(round(para.size), depth))
    styles = sorted({(-round(p.size), not p.bold) for p in headings})
    return [
        Section(
            start=para.start,
            title=para.text,
            level=depth or level_of_size.get(round(para.size)) or styles.index((-round(para.size), not para.bold)) + 1,
        )
        for para, depth in zip(headings, depths, strict=True)
    ]


def outline_entries(pdf: Any) -> list[tuple[str, int, int, float | None]]:
    """The PDF's outline (bookmarks): title, level (1: top), 0-based page index and the y it points at, if any."""
    import pypdfium2.raw as pdfium_c

    entries = []
    has_x, has_y, has_zoom = ctypes.c_int(), ctypes.c_int(), ctypes.c_int()
    x, y, zoom = ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
    for bookmark in pdf.get_toc(max_depth=8):
        destination = pdfium_c.FPDFBookmark_GetDest(pdf.raw, bookmark.raw)
        action = pdfium_c.FPDFBookmark_GetAction(bookmark.raw)
        if not destination and action and pdfium_c.FPDFAction_GetType(action) == pdfium_c.PDFACTION_GOTO:
            destination = pdfium_c.FPDFAction_GetDest(pdf.raw, action)
        page = pdfium_c.FPDFDest_GetDestPageIndex(pdf.raw, destination) if destination else -1
        title = " ".join(bookmark.get_title().split())
        if page < 0 or page >= len(pdf) or not title:
            continue
        located = pdfium_c.FPDFDest_GetLocationInPage(destination, has_x, has_y, has_zoom, x, y, zoom)
        entries.append((title, bookmark.level + 1, page, y.value if located and has_y.value else None))
    return entries


def outline_section(entry: tuple[str, int, int, float | None], paras: list[Para], page_start: int) -> Section:
    """Where an outline entry's heading is in the text: the paragraph of its page that reads as its title, with or
    without its number, or that begins with it (nearest the point it links to); else the start of its page."""
    title, level, _, y = entry
    wanted = " ".join(title.casefold().split())

    def fit(para: Para) -> int:
        text = " ".join(para.text.casefold().split())
        if text == wanted or text.endswith(" " + wanted) or wanted.endswith(" " + text):
            return 2
        return 1 if text.startswith(wanted) else 0

    def score(para: Para) -> tuple[int, float]:
        return fit(para), -abs((y if y is not None else para.lines[0].base) - para.lines[0].base)

    best = max((p for p in paras if not p.footnote), key=score, default=None)
    if best is None or fit(best) == 0:
        return Section(start=page_start, title=title, level=level)
    if fit(best) == 2:
        return Section(start=best.start, title=best.text, level=level)
    prefix = best.text[: len(title)]
    return Section(start=best.start, title=prefix if prefix.casefold() == title.casefold() else title, level=level)


def pdf_sections(
    pdf: Any, pages: list[list[Para]], page_starts: list[int], style: tuple[float, bool], title: Para | None
) -> list[Section]:
    """The PDF's headings: its outline when it has one, else those found by font (see ``font_sections``)."""
    entries = outline_entries(pdf)
    if not entries:
        return font_sections(pages, *style, title)
    sections = [outline_section(entry, pages[entry[2]], page_starts[entry[2]]) for entry in entries]
    return sorted(sections, key=lambda s: s.start)


class UnreadablePdf(Exception):
    """PDFium cannot open the file; ``password`` when it is encrypted with a password."""

    def __init__(self, message: str, password: bool) -> None:
        super().__init__(message)
        self.password = password


class PageLines(NamedTuple):
    """A page read: its pieces of text, or its lines as PDFium reads them when none of its text is upright."""

    pieces: list[Piece]
    fallback: list[str]
    box: tuple[float, float]  # its bottom and height


def read_pages(pdf: Any, reader_state: tuple[Any, dict[int, bool]]) -> list[PageLines]:
    """Every page of ``pdf`` read (``read_page``), with a progress bar where they take a while (scans OCR reads)."""
    read = []
    with ocr.pages_progress(len(pdf), "PDF pages") as bar:
        for index in range(len(pdf)):
            read.append(read_page(pdf, index, reader_state))
            bar.update()
    return read


def read_page(pdf: Any, index: int, reader_state: tuple[Any, dict[int, bool]]) -> PageLines:
    """The pieces of text of page ``index`` (see ``page_pieces``) and its box; for a page that holds no text (a
    scan), the paragraphs OCR reads in its picture, where Tesseract is installed (``qa.documents.ocr``)."""
    page = pdf[index]
    textpage = page.get_textpage()
    try:
        pieces = page_pieces(CharReader(textpage, *reader_state))
        fallback = [] if pieces else [line.strip() for line in textpage.get_text_range().splitlines() if line.strip()]
        if not pieces and not fallback and ocr.installed():  # a scanned page: its picture read
            picture = page_picture(page)
            with released(_pdfium_lock):  # other PDFs are read while OCR reads this one
                fallback = scanned_paragraphs(ocr.page_paragraphs(picture))
        _, bottom, _, top = page.get_bbox()
        return PageLines(pieces, fallback, (bottom, top - bottom))
    finally:
        textpage.close()
        page.close()


def page_picture(page: Any) -> Any:
    """A page drawn in grey at OCR's DPI, as a PIL image of its own (PDFium's bitmap closed)."""
    bitmap = page.render(scale=ocr.DPI / 72, grayscale=True)
    try:
        return bitmap.to_pil().copy()
    finally:
        bitmap.close()


@contextmanager
def released(lock: threading.Lock) -> Iterator[None]:
    """``lock``, held by this thread, let go of within and taken again after."""
    lock.release()
    try:
        yield
    finally:
        lock.acquire()


def scanned_paragraphs(paragraphs: list[list[str]]) -> list[str]:
    """The paragraphs OCR read on a page, each as its lines, each joined into one line as a PDF's are (``joined``:
    a word cut by a hyphen joined again as the page's own words say); one that goes on in lower case after a line
    that ends no sentence is the same paragraph (OCR cuts paragraphs where lines' lengths change)."""
    vocabulary = vocabulary_of(line for lines in paragraphs for line in lines)
    merged: list[list[str]] = []
    for lines in paragraphs:
        if merged and lines[0][:1].islower() and not SENTENCE_END.search(merged[-1][-1]):
            merged[-1] = [*merged[-1], *lines]
        else:
            merged.append(lines)
    return [joined(lines, vocabulary) for lines in merged]


def fallback_paragraphs(lines: list[str], page: int) -> list[Para]:
    """A page of text not drawn upright (turned tables, say): each of its lines a paragraph."""
    return [
        Para([Line(text.translate(LIGATURES), 0.0, 0.0, 0.0, 0.0, False, 0.0)], text.translate(LIGATURES), page)
        for text in lines
    ]


def laid_out_pages(read: list[PageLines]) -> tuple[list[list[Para]], Vocabulary, tuple[float, bool]]:
    """The pages' paragraphs in reading order, footnotes at the end of their page; the words of the document,
    and its body text's font size and weight."""
    pages = drop_running_heads([page.pieces for page in read], [page.box for page in read])
    sizes = [piece.size for pieces in pages for piece in pieces]
    em = statistics.median(sizes) if sizes else 10.0
    regions = [regions_of(pieces, em) for pieces in pages]
    style = body_style(regions)
    notes = [split_footnotes(page, style[0], *lines.box) for page, lines in zip(regions, read, strict=True)]
    texts = (line.text for page in regions for region in page for line in region.lines)
    vocabulary = vocabulary_of(iter([*texts, *(line.text for page in notes for line in page)]))
    paras = []
    for number, (page, page_notes, lines) in enumerate(zip(regions, notes, read, strict=True)):
        found = page_paragraphs(page, number, vocabulary)
        found += page_paragraphs([Region(page_notes)], number, vocabulary, footnote=True) if page_notes else []
        paras.append(found or fallback_paragraphs(lines.fallback, number))
    return paras, vocabulary, style


def read_pdf(data: bytes) -> PdfText:
    """A PDF's text as a person reads it (see the module's doc), where each page begins, the title its layout
    gives (None: its text has no larger first line), and its headings. Raises UnreadablePdf when PDFium cannot
    open it."""
    import pypdfium2 as pdfium

    with _pdfium_lock:
        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as error:
            raise UnreadablePdf(str(error), "password" in str(error).lower()) from None
        try:
            state: tuple[Any, dict[int, bool]] = (text_object_function(), {})
            pages, vocabulary, style = laid_out_pages(read_pages(pdf, state))
            text, page_starts = assemble(pages, vocabulary)
            title = layout_title(pages, style[0])
            sections = pdf_sections(pdf, pages, page_starts, style, title)
            metadata_title = pdf.get_metadata_value("Title")
        except pdfium.PdfiumError as error:  # a page or an object PDFium cannot read
            raise UnreadablePdf(str(error), False) from None
        finally:
            pdf.close()
    first_line = next((paras[0].lines[0].text for paras in pages if paras), None)
    return PdfText(text, page_starts, metadata_title, title.text if title else first_line, sections)
