"""Word documents as lines of text: paragraphs, lists, tables, text boxes and notes in their order, with headings."""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any, NamedTuple

from qa.documents.markup import collapsed, headed_text, names_columns, row_line, rule_line
from qa.errors import DocumentError
from qa.models import Section

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
MAX_WORDED_NUMBER = 3999  # the largest list number written in letters or Roman numerals (MMMCMXCIX), else in digits
MAX_STYLE_BASES = 10  # how many styles a style's base is looked for through (a loop of bases ends there)


def docx_to_text(data: bytes) -> tuple[str, str | None, list[Section]]:
    """The blocks of a Word document in their order, one line each (``WordLines``: a list paragraph opens with "- "
    or its number, a table row is "| cell | cell |", a text box's lines and the notes a paragraph refers to follow
    it), its core-properties title (as written), and its headings (``WordLines.heading_level``: the Title and Heading
    1..9 styles, and outline levels). Running headers and footers are not read, as a PDF's running heads are not."""
    import zipfile

    from docx import Document as WordDocument
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import XMLSyntaxError

    try:
        word = WordDocument(io.BytesIO(data))
        text, sections = headed_text(WordLines(word).of(word.element.body))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, XMLSyntaxError) as error:
        raise DocumentError(f"broken Word document ({error})") from None
    return text, word.core_properties.title, sections


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
        """The lines of the blocks in each of ``containers``, one after another."""
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
        """A table's rows as lines, "| cell | cell |": a cell's lines joined by spaces, a merged cell once; a rule line
        under a header row (``heads_columns``; where nothing marks one, a first row that names the columns by its
        words, ``names_columns``), as in Markdown. A layout table's cells (``laid_out``) are read as blocks instead,
        one after another, their headings sections."""
        from docx.table import Table

        rows = [[list(self.of(cell._tc)) for cell in unique_cells(row)] for row in Table(element, self.word).rows]
        if laid_out(element, rows):
            for cells in rows:
                for lines in cells:
                    yield from lines
            return
        texts_of = [[" ".join(line for line, _ in lines) for lines in cells] for cells in rows]
        header = len(rows) > 1 and (heads_columns(element, self.word) or names_columns(texts_of))
        for number, texts in enumerate(texts_of):
            if any(texts):
                yield row_line(texts), None
            if header and not number:
                yield rule_line(len(texts)), None

    def heading_level(self, element: Any) -> int | None:
        """The heading level of a paragraph (None when it is no heading): its own outline level, else its style's
        (``style_levels``)."""
        own = outline_level(element)
        if own is not None:
            return own or None
        return self.levels.get(style_id(element), self.levels.get(None))


def laid_out(element: Any, rows: list[list[list[tuple[str, int | None]]]]) -> bool:
    """Whether a Word table (its element, and the lines of each row's cells) lays text out rather than holding data,
    as ``qa.documents.html.is_layout_table`` tells an HTML page's: without a header row, one column only (a box), or
    a table within a cell, or a cell holding a heading, or one row with a cell of several lines."""
    if element.find(f"{WORD_NAMESPACE}tr/{WORD_NAMESPACE}trPr/{WORD_NAMESPACE}tblHeader") is not None:
        return False
    if (
        all(len(cells) <= 1 for cells in rows)
        or element.find(f"{WORD_NAMESPACE}tr/{WORD_NAMESPACE}tc//{WORD_NAMESPACE}tbl") is not None
    ):
        return True
    if any(level for cells in rows for lines in cells for _, level in lines):
        return True
    return len(rows) == 1 and any(len(lines) > 1 for lines in rows[0])


def heads_columns(element: Any, word: Any) -> bool:
    """Whether a Word table's first row names its columns: marked to repeat as a header row, or set in bold (every run
    of its text, or by the table's style, which formats a header row the table has turned on)."""
    first = element.find(f"{WORD_NAMESPACE}tr")
    if first is None:
        return False
    if first.find(f"{WORD_NAMESPACE}trPr/{WORD_NAMESPACE}tblHeader") is not None:
        return True
    runs = [run for run in first.iter(f"{WORD_NAMESPACE}r") if run_text(run).strip()]
    if runs and all(is_on(run.find(f"{WORD_NAMESPACE}rPr/{WORD_NAMESPACE}b")) for run in runs):
        return True
    return header_row_styled(element, word)


def is_on(flag: Any) -> bool:
    """Whether a Word on/off property (``<w:b/>``, ``<w:b w:val="0"/>``; None when absent) is on."""
    return flag is not None and flag.get(f"{WORD_NAMESPACE}val", "true") not in ("0", "false", "off")


def header_row_styled(element: Any, word: Any) -> bool:
    """Whether a Word table's style sets its header row in bold (``tblStylePr`` of type "firstRow") and the table
    turns its header row on (``header_row_on``)."""
    look = element.find(f"{WORD_NAMESPACE}tblPr/{WORD_NAMESPACE}tblLook")
    styled = element.find(f"{WORD_NAMESPACE}tblPr/{WORD_NAMESPACE}tblStyle")
    if look is None or styled is None or not header_row_on(look):
        return False
    style = word.styles.element.get_by_id(styled.get(f"{WORD_NAMESPACE}val"))
    return style is not None and any(
        part.get(f"{WORD_NAMESPACE}type") == "firstRow" and is_on(part.find(f"{WORD_NAMESPACE}rPr/{WORD_NAMESPACE}b"))
        for part in style.iter(f"{WORD_NAMESPACE}tblStylePr")
    )


def header_row_on(look: Any) -> bool:
    """Whether a table's look (``<w:tblLook>``) turns its style's header row on: its firstRow attribute, or (as
    older documents write it) bit 0x0020 of its value."""
    flag = look.get(f"{WORD_NAMESPACE}firstRow")
    if flag is not None:
        return flag in ("1", "true", "on")
    try:
        return bool(int(look.get(f"{WORD_NAMESPACE}val") or "0", 16) & 0x20)
    except ValueError:
        return False


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
    """A Word document's footnotes or endnotes (``kind``) by id, each as one line of text (separators left out);
    parsed as python-docx parses a document's parts (no entities resolved)."""
    from docx.oxml import parse_xml

    part = next((rel.target_part for rel in word.part.rels.values() if rel.reltype.endswith(f"/{kind}s")), None)
    if part is None:
        return {}
    root = parse_xml(part.blob)
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
    """A list item's number as Word writes it in format ``fmt``: "3", "03", "c", "C", "iii", "III"; one beyond
    MAX_WORDED_NUMBER (or below 1) in digits: a start a file sets at a billion would make a million "M"s."""
    if number < 1 or number > MAX_WORDED_NUMBER:
        return str(number)
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
