"""What the reader reads of a passage: field items and table rows read as sentences, mapped back exactly."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

# "- Pump pressure: 15 bar", "* **Grant number:** CT-2023-118": a list item that names a field (a few words) and gives
# its value. Read as "- Pump pressure of the Duo 300 is 15 bar." (the heading above it is what it describes), the way
# the reader's prose says it.
BULLET = "[-*+•]"  # what opens an item of a Markdown list ("- ", "* ", "+ ", "• ")
FIELD_ITEM = re.compile(
    rf"^(?P<bullet>[ \t]*{BULLET}[ \t]+)(?:\*\*)?(?P<name>[^\W\d_][^:*|\n]{{0,40}}?)(?::\*\*|\*\*:|:)[ \t]+(?P<value>\S[^\n]*)$",
    re.MULTILINE,
)
# "| Pump pressure | 15 bar |": a table row of two cells, a field's name and its value (a Word or HTML table of
# details, as the loaders write its rows), read as a field item is.
FIELD_ROW = re.compile(
    r"^\|[ \t]*(?P<name>[^\W\d_][^|*:\n]{0,40}?)[ \t]*\|[ \t]*(?P<value>[^|\s][^|\n]*?)[ \t]*\|[ \t]*$", re.MULTILINE
)
TABLE_RULE = re.compile(r"[ \t]*\|?[ \t]*:?-{3,}")  # the line under a Markdown table's header
ROW_LINE = re.compile(r"[ \t]*\|[^\n]*\|[ \t]*")  # a line of a Markdown table: a row, its header or the rule under it
COLUMN_GAP = re.compile(r"\S[ \t]{2,}\S")  # words set apart in columns, as a plain-text table's rows are
# A Markdown table of three or more columns: its header row, the rule under it, and its rows. Each row is read as
# what it says of the thing its first cell names: "| R-07 | Energy saving not achieved | SCADA engineer |" under
# "| ID | Risk | Owner |" is read as "ID R-07: R-07's Risk is Energy saving not achieved; R-07's Owner is SCADA
# engineer."
TABLE = re.compile(
    r"^(?P<header>\|[^\n]*\|)[ \t]*\n[ \t]*\|?[ \t]*:?-{3,}[^\n]*(?P<rows>(?:\n\|[^\n]*\|[ \t]*)+)", re.MULTILINE
)
MIN_TABLE_COLUMNS = 3  # a table of two columns is a list of fields (FIELD_ROW)
# A plain-text table laid out in columns of spaces: its header line, then a rule of dashes under each column
# ("-----------   -------   ------"), then its rows, to a blank line. Its cells are the runs of words (single spaces
# within them) each under one column's dashes.
TEXT_RULE = re.compile(r"^[ \t]*-{3,}(?:[ \t]{2,}-{3,})+[ \t]*$", re.MULTILINE)
WORDS_RUN = re.compile(r"\S+(?: \S+)*")  # words apart by single spaces: a cell of a plain-text table
FIELD_NAME_WORDS = 5  # a field's name is this many words or fewer ("Water tank capacity"); more is a sentence
FIELD_VALUE_WORDS = 8  # a value read as "X is Y" is a name, a number or an amount, not a list of things or a sentence
ASIDE = re.compile(r"\([^()]*\)")  # a bracketed aside ("(Monday to Friday)"): no part of a value's length
SENTENCE_END = ".!?"
HEADING = re.compile(r"^#{1,6}[ \t]+(?P<title>[^\n]*?)[ \t#]*$", re.MULTILINE)  # a Markdown heading line
HEADING_WORDS = 8  # a heading of more words is no name of a thing ("Our results in the second year of the study")


@dataclass(frozen=True)
class ReadingView:
    """``text`` as the reader reads it; ``origin[i]`` is the passage character that ``text[i]`` copies (None: added)."""

    text: str
    origin: tuple[int | None, ...]

    def original(self, begin: int, end: int) -> tuple[int, int] | None:
        """The passage's characters behind ``text[begin:end]``, less what the view added at its edges; None when it
        holds only added characters."""
        while begin < end and self.origin[begin] is None:
            begin += 1
        while end > begin and self.origin[end - 1] is None:
            end -= 1
        if begin >= end:
            return None
        first, last = self.origin[begin], self.origin[end - 1]
        return (first, last + 1) if first is not None and last is not None else None


def short_field(name: str, value: str) -> bool:
    """Whether a field item is read as a sentence: its name and its value (bracketed asides not counted) are short."""
    return len(name.split()) <= FIELD_NAME_WORDS and len(ASIDE.sub(" ", value).split()) <= FIELD_VALUE_WORDS


def thing_named(headings: list[tuple[int, str]], offset: int) -> str:
    """The title of the last of ``headings`` ((start, title), in order) before ``offset``, when it is short enough to
    name a thing; "" otherwise."""
    title = next((title for start, title in reversed(headings) if start < offset), "")
    return title if len(title.split()) <= HEADING_WORDS else ""


@dataclass(frozen=True)
class Field:
    """A field and its short value in a passage, read as a sentence: the passage is copied up to ``kept`` (a list
    item's mark stays, a table row's bar goes), then the name, the words added, the value, and again from
    ``resumed``."""

    kept: int
    name: str
    name_start: int
    value: str
    value_start: int
    resumed: int


def fields(text: str) -> list[Field]:
    """The short fields of ``text`` in order: list items "- Name: value" and rows of two cells "| Name | value |"
    (not a table's header, above its "|---|" line)."""
    found = []
    for item in FIELD_ITEM.finditer(text):
        name, value = item.group("name").strip(), item.group("value").rstrip()
        if short_field(name, value):
            end = item.start("value") + len(value)
            found.append(Field(item.end("bullet"), name, item.start("name"), value, item.start("value"), end))
    for row in FIELD_ROW.finditer(text):
        name, value = row.group("name").strip(), row.group("value").rstrip()
        if short_field(name, value) and not TABLE_RULE.match(text, row.end() + 1):
            found.append(Field(row.start(), name, row.start("name"), value, row.start("value"), row.end()))
    return sorted(found, key=lambda field: field.kept)


@dataclass(frozen=True)
class Row:
    """A row of a table of three or more columns: where it starts and ends in the passage, and its cells (the column's
    name, the cell's text, where the text starts), read as a sentence."""

    start: int
    end: int
    cells: tuple[tuple[str, str, int], ...]


def row_cells(text: str, start: int, end: int) -> list[tuple[str, int]]:
    """The cells between the bars of the table row ``text[start:end]`` ("| a | | b |"): each one's text, trimmed
    ("" when empty), and where it starts in ``text``."""
    bars = [at for at in range(start, end) if text[at] == "|"]
    found = []
    for left, right in pairwise(bars):
        value = text[left + 1 : right]
        found.append((value.strip(), left + 1 + len(value) - len(value.lstrip())))
    return found


def field_pieces(field: Field, titles: list[tuple[int, str]]) -> list[tuple[str, int | None]]:
    """A field read as a sentence: "<name> of the <thing its heading names> is <value>." (the name and value the
    passage's own characters)."""
    thing = thing_named(titles, field.kept)
    pieces = [(field.name, field.name_start), (f" of the {thing} is " if thing else " is ", None)]
    return ended([*pieces, (field.value, field.value_start)], field.value)


def ended(pieces: list[tuple[str, int | None]], last: str) -> list[tuple[str, int | None]]:
    """``pieces`` of a sentence with a full stop added when ``last``, the text that ends it, has none of its own."""
    return [*pieces, (".", None)] if last and last[-1] not in SENTENCE_END else pieces


def table_rows(text: str, head: str = "") -> list[Row]:
    """The rows of the Markdown tables of ``text`` that have three or more columns and as many cells as their header,
    each with its columns' names; with ``head`` (a Markdown table's header row and rule, ``table_head``), also the
    rows that ``text`` opens with (``opening_rows``), of that table, whose head an earlier passage holds."""
    rows = []
    names = column_names(head, 0, max(head.find("\n"), 0)) if ROW_LINE.match(head) else []
    if len(names) >= MIN_TABLE_COLUMNS and (opening := opening_rows(text)) is not None:
        rows += named_rows(text, opening[0], opening[1], names)
    for table in TABLE.finditer(text):
        names = column_names(text, table.start("header"), table.end("header"))
        if len(names) >= MIN_TABLE_COLUMNS:
            rows += named_rows(text, table.start("rows") + 1, table.end("rows"), names)
    return rows


def column_names(text: str, start: int, end: int) -> list[str]:
    """The names of a Markdown table's columns: the cells of its header row ``text[start:end]``, bold marks left out."""
    return [name.replace("*", "").strip() for name, _ in row_cells(text, start, end)]


def named_rows(text: str, start: int, end: int, names: list[str]) -> list[Row]:
    """The rows on the lines of ``text[start:end]`` that have a cell for each of ``names``, each cell named."""
    rows = []
    at = start
    for line in text[start:end].split("\n"):
        found = row_cells(text, at, at + len(line))
        if len(found) == len(names):
            named = tuple((name, value, begins) for name, (value, begins) in zip(names, found, strict=True))
            rows.append(Row(at, at + len(line.rstrip()), named))
        at += len(line) + 1
    return rows


def opening_rows(text: str) -> tuple[int, int] | None:
    """Where the table rows that ``text`` opens with begin and end: its lines from the first whole one (after the
    tail of a row the passage begins within, "… | Open |") that are rows, up to a line that is none, a table's rule
    or the header of another table; None when there are none."""
    first = text.find("\n") + 1 if not text.lstrip(" \t").startswith("|") else 0
    if first and not text[: first - 1].rstrip().endswith("|"):
        return None
    at = first
    while at < len(text) and not TABLE.match(text, at):
        end = text.find("\n", at)
        end = len(text) if end < 0 else end
        if not ROW_LINE.fullmatch(text, at, end) or TABLE_RULE.match(text, at):
            break
        at = end + 1
    return (first, min(at, len(text))) if at > first else None


def may_open_within_table(text: str) -> bool:
    """Whether ``text`` (a passage) may begin within a table whose head is in an earlier passage: it opens with
    Markdown table rows (``opening_rows``) or its first line has words set apart in columns, as a plain-text table's
    rows have (``COLUMN_GAP``)."""
    return opening_rows(text) is not None or COLUMN_GAP.search(text.split("\n", 1)[0]) is not None


def table_head(before: str) -> str | None:
    """The head of the table that ``before`` (a document's text up to where a passage begins) ends within, when it
    has three or more columns: a Markdown table's header row and the rule under it, when every line after them is a
    row; a plain-text table's header line and its rule of dashes, when every line after them is a row in its columns
    and the passage begins a line. "" when ``before`` holds only such rows (the head is earlier still); None when it
    does not end within a table."""
    lines = before.split("\n")[:-1]  # the last is the start of the line the passage begins within
    markdown = bool(lines) and ROW_LINE.fullmatch(lines[-1]) is not None
    if not markdown and (not before.endswith("\n") or not lines):
        return None if lines else ""
    for number in range(len(lines) - 1, 0, -1):
        line, above = lines[number], lines[number - 1]
        if markdown and TABLE_RULE.match(line):
            named = ROW_LINE.fullmatch(above) and len(column_names(above, 0, len(above))) >= MIN_TABLE_COLUMNS
            return f"{above}\n{line}" if named else None
        if not markdown and TEXT_RULE.fullmatch(line):
            layout = text_table_layout(above, line)
            rows = lines[number + 1 :]
            fits = layout is not None and len(rows_under("\n".join(rows), 0, *layout)) == len(rows)
            return f"{above}\n{line}" if fits else None
        if (markdown and not ROW_LINE.fullmatch(line)) or not line.strip():
            return None
    return ""


def text_table_rows(text: str, head: str = "") -> list[Row]:
    """The rows of the plain-text tables of ``text`` (``TEXT_RULE``) that have three or more columns, each with its
    columns' names: a table's rows run to a blank line or a line whose words do not fall into its columns. With
    ``head`` (a plain-text table's header line and rule, ``table_head``), also the rows that ``text`` opens with, of
    that table, whose head an earlier passage holds."""
    rows = []
    header, _, rule = head.partition("\n")
    if rule and not ROW_LINE.match(header) and (layout := text_table_layout(header, rule)) is not None:
        rows += rows_under(text, 0, *layout)
    for found in TEXT_RULE.finditer(text):
        header_end = found.start() - 1  # the line break before the rule
        line = text[text.rfind("\n", 0, header_end) + 1 : header_end] if header_end > 0 else ""
        if (layout := text_table_layout(line, found.group())) is not None:
            rows += rows_under(text, found.end() + 1, *layout)
    return rows


def text_table_layout(header: str, rule: str) -> tuple[list[tuple[int, int]], list[str]] | None:
    """Where the columns of a plain-text table lie in its lines (each one's dashes in ``rule``) and their names (the
    words of ``header`` above each); None when it has fewer than three columns or its header's words do not fall
    into them, its first column unnamed."""
    columns = [(m.start(), m.end()) for m in WORDS_RUN.finditer(rule)]
    cells = aligned_cells(header, columns) if len(columns) >= MIN_TABLE_COLUMNS else None
    return (columns, [name for name, _ in cells]) if cells is not None and cells[0][0] else None


def rows_under(text: str, at: int, columns: list[tuple[int, int]], names: list[str]) -> list[Row]:
    """The rows of a plain-text table from ``at`` (the line after its rule) in ``text``, each cell under its column's
    name, to the first line whose words do not fall into the columns or whose first cell is empty."""
    rows = []
    while at < len(text):
        end = text.find("\n", at)
        end = len(text) if end < 0 else end
        cells = aligned_cells(text[at:end], columns)
        if cells is None or not cells[0][0]:
            break
        found = tuple((name, value, at + start) for name, (value, start) in zip(names, cells, strict=True))
        rows.append(Row(at, at + len(text[at:end].rstrip()), found))
        at = end + 1
    return rows


def aligned_cells(line: str, columns: list[tuple[int, int]]) -> list[tuple[str, int]] | None:
    """The cells of a line of a plain-text table whose columns' dashes span ``columns`` (start, end in the line): each
    run of words (``WORDS_RUN``) in the column it overlaps most, with where it starts ("", -1 for an empty cell);
    None when a run overlaps no column or two fall in one (the line is no row of the table)."""
    cells: list[tuple[str, int]] = [("", -1)] * len(columns)
    for run in WORDS_RUN.finditer(line):
        overlaps = [min(run.end(), end) - max(run.start(), start) for start, end in columns]
        column = max(range(len(columns)), key=overlaps.__getitem__)
        if overlaps[column] <= 0 or cells[column][0]:
            return None
        cells[column] = (run.group(), run.start())
    return cells


def row_pieces(row: Row) -> list[tuple[str, int | None]]:
    """A row read as a sentence of what each cell is of the thing its first cell names: "<first column's name>
    <first cell>: <first cell>'s <name> is <cell>; ... ." ("Team Payroll: Payroll's Extension is 3120; ...", as
    the reader's prose says what a thing has). A first cell of more words than a field's name is not repeated
    ("<name> is <cell>"); empty cells are left out; the cells' own characters (the first cell's wherever it stands),
    the words between them added."""
    (first_name, first, first_start), *others = row.cells
    pieces: list[tuple[str, int | None]] = [(f"{first_name} " if first_name else "", None), (first, first_start)]
    repeated = bool(first) and len(first.split()) <= FIELD_NAME_WORDS
    given = [(name, value, start) for name, value, start in others if value]
    for number, (name, value, start) in enumerate(given):
        joint = ": " if not number else " " if given[number - 1][1][-1] in SENTENCE_END else "; "
        pieces += [(joint, None), *cell_named(name, first if repeated else "", first_start), (value, start)]
    return ended(pieces, given[-1][1]) if given else pieces


def cell_named(name: str, first: str, first_start: int) -> list[tuple[str, int | None]]:
    """What opens a cell's value in a row read as a sentence: "<first cell>'s <name> is " (nothing for a column
    without a name; "<name> is " without a first cell to repeat). The repeated first cell copies the cell's own
    characters, so that a span the reader finds there is the first cell's."""
    if not name:
        return []
    if not first:
        return [(f"{name} is ", None)]
    return [(first, first_start), (f"'s {name} is ", None)]


def reading_view(text: str, headings: Sequence[tuple[int, str]] = (), table_head: str = "") -> ReadingView:
    """The passage ``text`` with each list item that gives a field's short value read as a sentence, of the thing
    the heading above it names ("## Halcyon LSM-7 microscope" then "- Location: room B220" is read as "- Location of
    the Halcyon LSM-7 microscope is room B220."): a reader trained on prose finds the value by its name and its
    thing. ``headings`` are the titles of the passage's sections with their offsets in ``text`` (-1: the section
    it starts in, for the items before its first heading), as the document's format gives them; its Markdown
    headings are found in ``text`` too. Each row of a Markdown table of three or more columns, and of a plain-text
    table laid out in columns (``text_table_rows``), is read as what it says of its first cell (``row_pieces``);
    ``table_head`` names the columns of the rows ``text`` opens with, when it begins within a table whose head an
    earlier passage holds. Every other character is the passage's own."""
    marked = [(h.start(), h.group("title").replace("*", "").strip()) for h in HEADING.finditer(text)]
    titles = sorted([*headings, *marked])
    pieces: list[tuple[str, int | None]] = []  # (text, where it starts in the passage; None: added)
    copied = 0
    read = [(f.kept, f.resumed, field_pieces(f, titles)) for f in fields(text)]
    rows = [*table_rows(text, table_head), *text_table_rows(text, table_head)]
    read += [(r.start, r.end, row_pieces(r)) for r in rows]
    for begin, end, said in sorted(read, key=lambda rewritten: rewritten[0]):
        pieces += [(text[copied:begin], copied), *said]
        copied = end
    pieces.append((text[copied:], copied))
    origin: list[int | None] = []
    for piece, start in pieces:
        origin += [None] * len(piece) if start is None else range(start, start + len(piece))
    return ReadingView("".join(piece for piece, _ in pieces), tuple(origin))
