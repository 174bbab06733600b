"""Word 97-2003 documents (.doc) as lines: paragraphs, headings (by style or outline level), tables and notes."""

from __future__ import annotations

import bisect
import struct
from collections.abc import Iterator
from dataclasses import dataclass

import olefile

from qa.documents.compound import opened, summary_title
from qa.documents.markup import collapsed, headed_text, row_line, rule_line
from qa.documents.rtf import HEADING_STYLE, MAX_LEVEL
from qa.errors import DocumentError
from qa.models import Section

WORD_MARK, FIRST_WORD_97 = 0xA5EC, 0xC1  # a Word document's first bytes, and the file format number of Word 97
ENCRYPTED, OTHER_TABLE = 0x0100, 0x0200  # flags of the file: a password set; its tables are in "1Table"
# Where the file information block (MS-DOC 2.5.1) holds the stories' lengths in characters (the main text's, the
# footnotes', headers', macros', comments', endnotes' and text boxes', in that order), and the places and sizes of the
# style sheet, the paragraphs' properties and the piece table in the table stream.
STORY_LENGTHS, STYLES_AT, PARAGRAPHS_AT, PIECES_AT = 0x4C, 0xA2, 0x102, 0x1A2
READ_STORIES = (0, 1, 5, 6)  # the main text, footnotes, endnotes and text boxes (not headers, footers or comments)
PAGE = 512  # the size of a page of paragraph properties
COMPRESSED = 0x40000000  # a piece stored in bytes of code page 1252, not UTF-16
# Paragraph properties read (sprm codes): in a table, the end of a table row, a table's header row, outline level.
IN_TABLE, ROW_END, HEADER_ROW, OUTLINE, LIST = 0x2416, 0x2417, 0x3404, 0x2640, 0x460B
LIST_ITEM = "- "  # what opens a list item's line (a list's numbers are Word's to draw: they are not in the text)
OPERAND_SIZES = (1, 1, 2, 4, 2, 2, None, 3)  # an operand's size by a property's code's top three bits; None: varies
PARAGRAPH_END, CELL_END = "\r", "\x07"
FIELD_START, FIELD_RESULT, FIELD_END = "\x13", "\x14", "\x15"  # a field: its code, then the text it shows
# Characters that stand for others (line and page breaks, a non-breaking hyphen) and marks of things that are not
# text (a picture, a note's reference, a drawing, an optional hyphen), left out.
SHOWN_AS = str.maketrans({"\x0b": "\n", "\x0c": "\n", "\x0e": "\n", "\x1e": "-", "\x1f": None, "\xa0": " "})
LEFT_OUT = frozenset(map(chr, range(32))) - {"\t", "\n"} - {chr(code) for code in SHOWN_AS}


@dataclass(frozen=True)
class Piece:
    """A run of the document's characters: from character ``start`` to ``end``, stored at byte ``at`` of the
    WordDocument stream, in code page 1252 when ``compressed`` (else UTF-16)."""

    start: int
    end: int
    at: int
    compressed: bool

    def byte_at(self, character: int) -> int:
        """Where the ``character``-th of the document, which this piece holds, is stored."""
        return self.at + (character - self.start) * (1 if self.compressed else 2)


@dataclass(frozen=True)
class Paragraph:
    """A paragraph's text (its fields' codes left out) and properties: its style's index, and each property's
    operand as a number, by its code."""

    text: str
    mark: str
    style: int
    properties: dict[int, int]


def doc_to_text(data: bytes) -> tuple[str, str | None, list[Section]]:
    """The lines of a Word 97-2003 document (``DocLines``), its title (its summary's, as written) and its headings.
    Raises DocumentError when ``data`` is no such document, or one that cannot be read (a password set, Word 95)."""
    try:
        with opened(data, "Word 97-2003 document") as ole:
            if not ole.exists("WordDocument"):
                raise DocumentError("not a Word document (no WordDocument stream in it)")
            lines = DocLines(ole).lines()
            title = summary_title(ole)
    except DocumentError:
        raise
    except (OSError, ValueError, LookupError, ArithmeticError, struct.error) as error:  # a damaged file
        raise DocumentError(f"not a readable Word 97-2003 document ({error})") from None
    text, sections = headed_text(lines)
    return text, title, sections


class DocLines:
    """A Word 97-2003 document's paragraphs as lines, each with its heading level: the main text, then its
    footnotes, endnotes and text boxes; a list item opened with "- ", a table's rows as "| cell | cell |" (the rule
    under a header row)."""

    def __init__(self, ole: olefile.OleFileIO) -> None:
        self.word = ole.openstream("WordDocument").read()
        ident, number = struct.unpack_from("<HH", self.word, 0)
        flags = struct.unpack_from("<H", self.word, 0x0A)[0]
        if ident != WORD_MARK:
            raise DocumentError("not a Word document (its WordDocument stream does not begin as one)")
        if number < FIRST_WORD_97:
            raise DocumentError("a Word 6 or Word 95 document, which is not read (save it as .docx)")
        if flags & ENCRYPTED:
            raise DocumentError("a Word document protected by a password")
        self.table = ole.openstream("1Table" if flags & OTHER_TABLE else "0Table").read()
        self.pieces = pieces(self.block(PIECES_AT))
        self.starts = [piece.start for piece in self.pieces]
        self.characters = "".join(piece_text(self.word, piece) for piece in self.pieces)
        self.styles = styles(self.block(STYLES_AT))
        self.runs = paragraph_runs(self.word, self.block(PARAGRAPHS_AT))

    def block(self, at: int) -> bytes:
        """The bytes of the table stream that the file information block places at ``at`` (its offset and size)."""
        offset, size = struct.unpack_from("<II", self.word, at)
        return self.table[offset : offset + size]

    def lines(self) -> list[tuple[str, int | None]]:
        """The lines of every story read, a blank line between stories."""
        lengths = struct.unpack_from("<7i", self.word, STORY_LENGTHS)
        lines: list[tuple[str, int | None]] = []
        for story in READ_STORIES:
            start = sum(lengths[:story])
            read = list(self.story_lines(start, start + lengths[story]))
            lines += [("", None)] if lines and read else []
            lines += read
        return lines

    def story_lines(self, start: int, end: int) -> Iterator[tuple[str, int | None]]:
        """The lines of the story of characters ``start`` to ``end``: its paragraphs, its tables' rows (where a
        row's end has no properties to say so, the empty mark after a cell's end; cells left at the story's end are
        a row too: no text is lost)."""
        cells: list[str] = []
        cell: list[str] = []
        for paragraph in self.paragraphs(start, end):
            if paragraph.mark == CELL_END and ends_row(paragraph, cells):
                yield row_line(cells), None
                if paragraph.properties.get(HEADER_ROW):
                    yield rule_line(len(cells)), None
                cells = []
            elif paragraph.mark == CELL_END or paragraph.properties.get(IN_TABLE):
                cell.append(paragraph.text)
                if paragraph.mark == CELL_END:
                    cells, cell = [*cells, collapsed(" ".join(cell))], []
            elif line := paragraph.text.strip():
                level = self.heading_level(paragraph)
                yield (LIST_ITEM + line if paragraph.properties.get(LIST) and not level else line), level
        if cells or cell:
            yield row_line([*cells, *([collapsed(" ".join(cell))] if cell else [])]), None

    def heading_level(self, paragraph: Paragraph) -> int | None:
        """A paragraph's heading level: its outline level, else its style's (a built-in heading style, or one
        named as one); None for body text."""
        outline = paragraph.properties.get(OUTLINE)
        if outline is not None:
            return outline + 1 if outline < MAX_LEVEL else None
        identifier, name = self.styles.get(paragraph.style, (0, ""))
        if 1 <= identifier <= MAX_LEVEL:
            return identifier
        named = HEADING_STYLE.search(name)
        return int(named.group(1)) if named else None

    def paragraphs(self, start: int, end: int) -> Iterator[Paragraph]:
        """The paragraphs of characters ``start`` to ``end``, with their fields' results as text (their codes left
        out) and their properties."""
        text: list[str] = []
        fields: list[bool] = []  # for each field open, whether its result (not its code) is being read
        for position in range(start, min(end, len(self.characters))):
            character = self.characters[position]
            if character == FIELD_START:
                fields.append(False)
            elif character == FIELD_RESULT and fields:
                fields[-1] = True
            elif character == FIELD_END and fields:
                fields.pop()
            elif character in (PARAGRAPH_END, CELL_END):
                style, properties = self.properties_at(position)
                yield Paragraph("".join(text).translate(SHOWN_AS), character, style, properties)
                text = []
            elif all(fields) and character not in LEFT_OUT:
                text.append(character)

    def properties_at(self, character: int) -> tuple[int, dict[int, int]]:
        """The style and properties of the paragraph that the ``character``-th character ends."""
        piece = self.pieces[max(0, bisect.bisect_right(self.starts, character) - 1)]
        at = piece.byte_at(character)
        index = bisect.bisect_right(self.runs, (at, 2**32)) - 1
        if index < 0 or not self.runs[index][0] <= at < self.runs[index][1]:
            return 0, {}
        return grouped_properties(self.runs[index][2])


def pieces(clx: bytes) -> list[Piece]:
    """The piece table (MS-DOC 2.9.38: formatting entries, then the table of pieces) as pieces in order."""
    at = 0
    while at < len(clx) and clx[at] == 1:  # formatting the pieces refer to
        at += 3 + struct.unpack_from("<H", clx, at + 1)[0]
    if at >= len(clx) or clx[at] != 2:
        raise DocumentError("not a readable Word 97-2003 document (no piece table)")
    size = struct.unpack_from("<I", clx, at + 1)[0]
    table = clx[at + 5 : at + 5 + size]
    count = (len(table) - 4) // 12
    starts = struct.unpack_from(f"<{count + 1}I", table, 0)
    found = []
    for index in range(count):
        stored = struct.unpack_from("<I", table, 4 * (count + 1) + 8 * index + 2)[0]
        compressed = bool(stored & COMPRESSED)
        at_byte = (stored & ~COMPRESSED) // 2 if compressed else stored
        found.append(Piece(starts[index], starts[index + 1], at_byte, compressed))
    return found


def ends_row(mark: Paragraph, cells: list[str]) -> bool:
    """Whether a cell mark ends a table's row: its properties say so or, where it has none (properties not found),
    it closes an empty paragraph right after a cell's end."""
    if mark.properties:
        return bool(mark.properties.get(ROW_END))
    return not mark.text and bool(cells)


def piece_text(word: bytes, piece: Piece) -> str:
    """A piece's characters, read from the WordDocument stream ``word``."""
    length = piece.end - piece.start
    if piece.compressed:
        return word[piece.at : piece.at + length].decode("cp1252", errors="replace")
    return word[piece.at : piece.at + 2 * length].decode("utf-16-le", errors="replace")


def styles(stylesheet: bytes) -> dict[int, tuple[int, str]]:
    """The style sheet's styles by index: each one's built-in identifier (1-9 for "heading 1" to "heading 9") and
    name."""
    if len(stylesheet) < 6:
        return {}
    header = struct.unpack_from("<H", stylesheet, 0)[0]
    count, base = struct.unpack_from("<HH", stylesheet, 2)
    found, at = {}, 2 + header
    for index in range(count):
        if at + 2 > len(stylesheet):
            break
        size = struct.unpack_from("<H", stylesheet, at)[0]
        entry = stylesheet[at + 2 : at + 2 + size]
        at += 2 + size
        if size >= base + 2:
            length = struct.unpack_from("<H", entry, base)[0]
            name = entry[base + 2 : base + 2 + 2 * length].decode("utf-16-le", errors="replace")
            found[index] = (struct.unpack_from("<H", entry, 0)[0] & 0x0FFF, name)
    return found


def paragraph_runs(word: bytes, bins: bytes) -> list[tuple[int, int, bytes]]:
    """The runs of bytes of the WordDocument stream whose paragraphs share properties, in order: (from, to, their
    properties as stored: the style's index, then the properties), read from the pages the bin table points to."""
    count = (len(bins) - 4) // 8
    pages = struct.unpack_from(f"<{count}I", bins, 4 * (count + 1)) if count > 0 else ()
    runs = []
    for number in pages:
        page = word[(number & 0x3FFFFF) * PAGE : (number & 0x3FFFFF) * PAGE + PAGE]
        if len(page) < PAGE:
            continue
        found = page[PAGE - 1]
        bounds = struct.unpack_from(f"<{found + 1}I", page, 0)
        for index in range(found):
            offset = page[4 * (found + 1) + 13 * index] * 2
            runs.append((bounds[index], bounds[index + 1], stored_properties(page, offset)))
    return sorted(runs)


def stored_properties(page: bytes, offset: int) -> bytes:
    """The properties a page of paragraph properties stores at ``offset`` (a count of words, then that many words
    less a byte: MS-DOC 2.9.175); empty for none."""
    if offset == 0:
        return b""
    size = page[offset]
    if size == 0:
        return page[offset + 2 : offset + 2 + 2 * page[offset + 1]]
    return page[offset + 1 : offset + 1 + 2 * size - 1]


def grouped_properties(stored: bytes) -> tuple[int, dict[int, int]]:
    """A paragraph's style's index and its properties, each one's operand as a number by its code (one of varying
    size as its first byte)."""
    if len(stored) < 2:
        return 0, {}
    style, at, found = struct.unpack_from("<H", stored, 0)[0], 2, {}
    while at + 2 <= len(stored):
        code = struct.unpack_from("<H", stored, at)[0]
        size = OPERAND_SIZES[code >> 13]
        if size is None:  # a length before the operand (two bytes of it for a table's cell definitions)
            size = struct.unpack_from("<H", stored, at + 2)[0] + 1 if code == 0xD608 else stored[at + 2] + 1
            size = size if at + 2 + size <= len(stored) else len(stored) - at - 2
        operand = stored[at + 2 : at + 2 + size]
        found[code] = int.from_bytes(operand[:4], "little") if size <= 4 else 0
        at += 2 + size
    return style, found
