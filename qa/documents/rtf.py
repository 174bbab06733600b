"""Rich Text Format files (.rtf: TextEdit's, WordPad's and Word's) as lines: paragraphs, headings, lists and tables."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import MappingProxyType

from qa.documents.markup import collapsed, headed_text, row_line, rule_line
from qa.errors import DocumentError
from qa.models import Section

# A token: a control word with its number (the one space after it is part of it), a byte in hex (\'e9), a control
# symbol (\~, \-, \{, an escaped line break: a paragraph's end), a brace, or a run of text.
TOKEN = re.compile(
    r"\\([a-zA-Z]{1,32})(-?\d{1,10})? ?|\\'([0-9a-fA-F]{2})|\\(\r\n|[^a-zA-Z'])|([{}])|([^\\{}\r\n]+)|[\r\n]+"
)
# Groups read for what they say of the text, not as its words: fonts (their code pages), styles (their heading
# levels), the title, and a list item's number or bullet.
READ_FOR = MappingProxyType(
    {"fonttbl": "fonts", "stylesheet": "styles", "info": "info", "title": "title", "listtext": "item", "pntext": "item"}
)
# Groups whose words are not read: colours, lists' definitions, metadata but the title, pictures, objects, running
# headers and footers, notes, comments, a field's code (its result is read), bookmarks. A group opened with "\*" whose
# word is none of READ_FOR's is not read either (an optional destination a reader may skip).
NOT_READ = frozenset(
    (
        "colortbl listtable listoverridetable author operator company category keywords comment doccomm subject "
        "pict object header headerl headerr headerf footer footerl footerr footerf footnote annotation atnid "
        "atnauthor fldinst themedata colorschememapping datastore latentstyles xmlnstbl rsidtbl generator "
        "pgdsctbl revtbl protusertbl nonshppict bkmkstart bkmkend filetbl docvar userprops private"
    ).split()
)
SYMBOLS = MappingProxyType(  # control words and symbols that stand for characters ("\n": a paragraph's end)
    {
        "par": "\n", "\n": "\n", "\r\n": "\n", "\r": "\n", "sect": "\n", "page": "\n", "line": " ", "tab": " ",
        "emdash": "—", "endash": "–", "bullet": "•", "lquote": "‘", "rquote": "’", "ldblquote": "“",
        "rdblquote": "”", "emspace": " ", "enspace": " ", "qmspace": " ", "~": " ", "_": "-", "-": "",
        "\\": "\\", "{": "{", "}": "}",
    }
)  # fmt: skip
# Windows code pages of the character sets fonts name (\fcharset): the bytes of text in such a font are in it.
CHARSET_CODE_PAGES = MappingProxyType(
    {0: "cp1252", 128: "cp932", 129: "cp949", 134: "gbk", 136: "big5", 161: "cp1253", 162: "cp1254",
     163: "cp1258", 177: "cp1255", 178: "cp1256", 186: "cp1257", 204: "cp1251", 222: "cp874", 238: "cp1250"}
)  # fmt: skip
HEADING_STYLE = re.compile(r"(?:heading|titre|überschrift|encabezado|titolo|kop)\s*([1-9])\b", re.IGNORECASE)
MAX_LEVEL = 9


@dataclass
class Group:
    """What a group sets for the text within it: what it is read for (None: its words are the document's; "" not
    read; else a key of READ_FOR's values), its font (whose code page its bytes are in), how many characters stand in
    for a Unicode character after \\u (\\uc), whether its text is hidden (\\v); the text it holds when read for what it
    says, and the style it defines in the style sheet (its number and outline level)."""

    read_for: str | None = None
    font: int = 0
    fallback: int = 1
    hidden: bool = False
    held: list[str] = field(default_factory=list)
    style: int = 0
    level: int | None = None

    def within(self) -> Group:
        """The state of a group opened within this one: the same, but holding no text yet."""
        return Group(self.read_for, self.font, self.fallback, self.hidden, [], self.style, self.level)


@dataclass
class Paragraph:
    """The paragraph being read: its style, its outline level, whether it is a table's (\\intbl), its list item's
    number or bullet, and its words so far."""

    style: int = 0
    outline: int | None = None
    in_table: bool = False
    item: str = ""
    words: list[str] = field(default_factory=list)


def rtf_to_text(data: bytes) -> tuple[str, str | None, list[Section]]:
    """The lines of a Rich Text Format file (``RtfLines``), its title (its \\info's, as written) and its headings (a
    paragraph's outline level, or its style's). Raises DocumentError when ``data`` is no RTF file."""
    if not data.lstrip().startswith(b"{\\rtf"):
        raise DocumentError("not a Rich Text Format file (it does not begin with {\\rtf)")
    reader = RtfLines()
    text, sections = headed_text(reader.of(data.decode("latin-1")))
    return text, reader.title or None, sections


class RtfLines:
    """An RTF file's paragraphs as lines, in order: a list item opened with its number ("2.") or, for a bullet, "- "; a
    heading's level its paragraph's outline level or its style's (a style named "heading N" too); a table's rows as
    "| cell | cell |", the rule under the header row (\\trhdr) that opens a table. Fonts' code pages, styles and the
    title are read as they are met."""

    def __init__(self) -> None:
        self.code_page = "cp1252"
        self.fonts: dict[int, str] = {}  # a font's number -> the code page of its bytes
        self.headings: dict[int, int] = {}  # a style's number -> its heading level
        self.title = ""
        self.groups = [Group()]
        self.paragraph = Paragraph()
        self.cells: list[str] = []
        self.rows = 0  # rows of the table being read
        self.header = False  # whether the row being read is marked as a header row
        self.pending = bytearray()  # bytes in hex (\'e9) not yet decoded: a character may take two
        self.skip = 0  # fallback characters still to skip after a \u

    def of(self, rtf: str) -> Iterator[tuple[str, int | None]]:
        """The lines of ``rtf`` (the file's bytes as Latin-1 characters) with their heading levels; binary data
        (``\\binN``) skipped."""
        opened = False  # just after "{": a "\*" or a destination's word may follow
        at = 0
        while (token := TOKEN.search(rtf, at)) is not None:
            word, number, byte, symbol, brace, text = token.groups()
            at = token.end()
            if word == "bin" and number:  # binary data (a picture's) of that many bytes: no tokens in it
                at += max(int(number), 0)
                continue
            if byte is None and self.pending:
                self.take(self.decoded())
            if byte is not None:
                self.byte(int(byte, 16))
            elif brace == "{":
                self.open_group()
            elif brace == "}":
                self.close_group()
            elif word is not None:
                yield from self.control(word, int(number) if number else None, opened)
            elif symbol == "*" and opened:
                self.groups[-1].read_for = ""
            elif symbol is not None:
                yield from self.character(SYMBOLS.get(symbol, ""))
            elif text is not None:
                yield from self.character(text)
            opened = brace == "{"
        yield from self.end_paragraph()
        yield from self.end_table()

    def open_group(self) -> None:
        """A group opened: as the one around it, but a style sheet's group is a style's entry."""
        group = self.groups[-1].within()
        group.read_for = "style" if group.read_for == "styles" else group.read_for
        self.groups.append(group)

    def close_group(self) -> None:
        """The end of a group: what it was read for taken (a style's heading level, the title, a list item's number);
        its text to the group around it when that is read for the same."""
        if len(self.groups) == 1:
            return
        group = self.groups.pop()
        outer = self.groups[-1]
        said = "".join(group.held)
        if group.read_for == "style" and outer.read_for == "styles":
            self.define_style(group, said)
        elif group.read_for == outer.read_for:
            outer.held.append(said)
        elif group.read_for == "title":
            self.title = collapsed(said)
        elif group.read_for == "item":
            self.paragraph.item = collapsed(said)

    def define_style(self, group: Group, name: str) -> None:
        """A style sheet's entry: its heading level, its outline level's or the one its name says ("heading 2", "Title":
        1)."""
        named = HEADING_STYLE.search(name)
        level = (
            group.level or (int(named[1]) if named else None) or (1 if name.strip(" ;").lower() == "title" else None)
        )
        if level:
            self.headings[group.style] = level

    def control(self, word: str, number: int | None, opened: bool) -> Iterator[tuple[str, int | None]]:
        """A control word: a group read for what it says or not read, a code page, a font, a Unicode character."""
        group = self.groups[-1]
        if opened and (word in READ_FOR or word in NOT_READ):
            if group.read_for != "":  # within a group not read, nothing is read
                group.read_for = READ_FOR.get(word, "")
        elif word == "ansicpg" and number:
            self.code_page = f"cp{number}"
        elif word == "f" and number is not None:
            group.font = number
        elif word == "fcharset" and number is not None and group.read_for == "fonts":
            self.fonts[group.font] = CHARSET_CODE_PAGES.get(number, self.code_page)
        elif word == "u" and number is not None:
            yield from self.character(chr(number % 65536))
            self.skip = group.fallback
        elif word == "uc" and number is not None:
            group.fallback = number
        elif word == "v":
            group.hidden = number != 0
        else:
            yield from self.layout(word, number)

    def layout(self, word: str, number: int | None) -> Iterator[tuple[str, int | None]]:
        """A control word that sets a paragraph's style or level (or a style's, in the style sheet), ends a paragraph,
        a cell or a row, or stands for a character; within a group read for what it says, only a character."""
        group, paragraph = self.groups[-1], self.paragraph
        if group.read_for == "style" and word in ("s", "outlinelevel") and number is not None:
            group.style, group.level = (
                (number, group.level) if word == "s" else (group.style, min(number + 1, MAX_LEVEL))
            )
        elif group.read_for is not None:
            yield from self.character(SYMBOLS.get(word, ""))
        elif word == "pard":
            paragraph.style, paragraph.outline, paragraph.in_table = 0, None, False
        elif word == "s" and number is not None:
            paragraph.style = number
        elif word == "outlinelevel" and number is not None:
            paragraph.outline = min(number + 1, MAX_LEVEL)
        elif word == "intbl":
            paragraph.in_table = True
        elif word == "trhdr":
            self.header = True
        elif word in ("cell", "nestcell"):
            self.end_cell()
        elif word in ("row", "nestrow"):
            yield from self.end_row()
        elif word in SYMBOLS:
            yield from self.character(SYMBOLS[word])

    def character(self, text: str) -> Iterator[tuple[str, int | None]]:
        """Text met: a \\u's fallback skipped, a paragraph's end, or words."""
        if self.skip:
            dropped = min(self.skip, len(text))
            self.skip -= dropped
            text = text[dropped:]
        if text == "\n" and self.groups[-1].read_for is None:
            yield from self.end_paragraph()
        elif text:
            self.take(text)

    def byte(self, value: int) -> None:
        """A byte in hex: a \\u's fallback skipped, else kept to decode with the bytes that follow it."""
        if self.skip:
            self.skip -= 1
        else:
            self.pending.append(value)

    def decoded(self) -> str:
        """The pending bytes decoded in the code page of the current font (the file's when it names none)."""
        code_page = self.fonts.get(self.groups[-1].font, self.code_page)
        try:
            text = codecs.decode(bytes(self.pending), code_page, "replace")
        except LookupError:  # a code page Python does not know
            text = codecs.decode(bytes(self.pending), "cp1252", "replace")
        self.pending.clear()
        return text

    def take(self, text: str) -> None:
        """Text into the paragraph, or into the group read for what it says."""
        group = self.groups[-1]
        if group.read_for:
            group.held.append(text)
        elif group.read_for is None and not group.hidden:
            self.paragraph.words.append(text)

    def end_paragraph(self) -> Iterator[tuple[str, int | None]]:
        """A paragraph's line (a table's paragraph stays in its cell), after the rows of a table it ends."""
        paragraph = self.paragraph
        if paragraph.in_table:
            paragraph.words.append(" ")
            return
        yield from self.end_table()
        text = joined(paragraph.words)
        if text and paragraph.item:  # a list item: its number, or "-" for a bullet
            yield f"{paragraph.item if any(c.isalnum() for c in paragraph.item) else '-'} {text}", None
        elif text:
            yield text, paragraph.outline or self.headings.get(paragraph.style)
        paragraph.words, paragraph.item = [], ""

    def end_cell(self) -> None:
        """A table cell's text, its paragraphs joined by spaces."""
        self.cells.append(joined(self.paragraph.words))
        self.paragraph.words, self.paragraph.item = [], ""

    def end_row(self) -> Iterator[tuple[str, int | None]]:
        """A table row's line, and the rule under it when it is a header row that opens its table."""
        if any(self.cells):
            yield row_line(self.cells), None
            self.rows += 1
            if self.header and self.rows == 1:
                yield rule_line(len(self.cells)), None
        self.cells, self.header = [], False

    def end_table(self) -> Iterator[tuple[str, int | None]]:
        """The end of the table being read (a paragraph outside it, or the file's end): its last cells' row."""
        if self.cells:
            yield from self.end_row()
        self.rows = 0


def joined(words: list[str]) -> str:
    """Words read as one line, white space collapsed; a character beyond the Basic Multilingual Plane that \\u gave
    as two halves (a surrogate pair: an emoji) made whole."""
    return collapsed("".join(words).encode("utf-16", "surrogatepass").decode("utf-16", "replace"))
