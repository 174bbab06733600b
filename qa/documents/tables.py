"""Tables in a document's text: Markdown and plain-text tables of three or more columns (or two, named by values),
their rows and heads."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise

TABLE_RULE = re.compile(r"[ \t]*\|?[ \t]*:?-{3,}")  # the line under a Markdown table's header
ROW_LINE = re.compile(r"[ \t]*\|[^\n]*\|[ \t]*")  # a line of a Markdown table: a row, its header or the rule under it
COLUMN_GAP = re.compile(r"\S[ \t]{2,}\S")  # words set apart in columns, as a plain-text table's rows are
# A Markdown table of three or more columns: its header row, the rule under it, and its rows ("| R-07 | Energy saving
# not achieved | SCADA engineer |" under "| ID | Risk | Owner |"; the reader reads each row as a sentence, see
# ``qa.reading.views``).
TABLE = re.compile(
    r"^(?P<header>\|[^\n]*\|)[ \t]*\n[ \t]*\|?[ \t]*:?-{3,}[^\n]*(?P<rows>(?:\n\|[^\n]*\|[ \t]*)+)", re.MULTILINE
)
MIN_TABLE_COLUMNS = 3  # a table of two columns is a list of fields, each row a name and its value, unless
# most of its rows open with a digit: they are named by values ("| 10 March | New boiler fitted |" under "| Date |
# Milestone |", "| 2023 | 16,950 |" under "| Year | Electricity (kWh) |"), which no field's name is, or a question asks
# what its second column names (``qa.reading.views.asks_column``)
# A plain-text table laid out in columns of spaces: its header line, then a rule of dashes under each column
# ("-----------   -------   ------"), then its rows, to a blank line. Its cells are the runs of words (single spaces
# within them) each under one column's dashes.
TEXT_RULE = re.compile(r"^[ \t]*-{3,}(?:[ \t]{2,}-{3,})+[ \t]*$", re.MULTILINE)
WORDS_RUN = re.compile(r"\S+(?: \S+)*")  # words apart by single spaces: a cell of a plain-text table
MIN_UNRULED_ROWS = 2  # a plain-text table without a rule under its header has this many rows or more
UNRULED_LAST_WIDTH = 40  # how far past its name a table's last column without a rule reaches
LETTER = re.compile(r"[^\W\d_]")
DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class Row:
    """A row of a table of three or more columns: where it starts and ends in the passage, and its cells (the column's
    name, the cell's text, where the text starts)."""

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


def table_rows(text: str, head: str = "", asks: Callable[[list[str]], bool] | None = None) -> list[Row]:
    """The rows of the Markdown tables of ``text`` that have three or more columns and as many cells as their header,
    each with its columns' names (of two columns: when named by values, or when ``asks`` says a question asks what
    their names name); with ``head`` (a Markdown table's header row and rule, ``table_head``), also the rows that
    ``text`` opens with (``opening_rows``), of that table, whose head an earlier passage holds."""
    rows = []
    names = column_names(head, 0, max(head.find("\n"), 0)) if ROW_LINE.match(head) else []
    if len(names) >= MIN_TABLE_COLUMNS and (opening := opening_rows(text)) is not None:
        rows += named_rows(text, opening[0], opening[1], names)
    for table in TABLE.finditer(text):
        names = column_names(text, table.start("header"), table.end("header"))
        found = named_rows(text, table.start("rows") + 1, table.end("rows"), names)
        two_read = len(names) == 2 and (named_by_values(found) or (asks is not None and asks(names)))
        if len(names) >= MIN_TABLE_COLUMNS or two_read:
            rows += found
    return rows


def named_by_values(rows: list[Row]) -> bool:
    """Whether most of ``rows`` (a table's) open with a digit (a date, a year, a time, an amount): rows of things named
    by values, not fields named by words."""
    return 2 * sum(row.cells[0][1][:1].isdigit() for row in rows) > len(rows)


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
    return rows + unruled_rows(text)


def unruled_rows(text: str) -> list[Row]:
    """The rows of the plain-text tables of ``text`` laid out in columns without a rule under their header line
    (``header_rule``): two rows or more under it, in its columns, and a column whose every row holds a digit where
    its name holds none (a quantity, a price, a seat: "Qty  Description  Supplier  Cost" over "1  Front brake pads
    (set)  Midshire Motor Factors  £38.40"), which tells a header from a first row ("Treasurer  Priya Raman")."""
    rows: list[Row] = []
    at = 0
    while at < len(text):
        end = text.find("\n", at)
        end = len(text) if end < 0 else end
        rule = header_rule(text[at:end])
        layout = text_table_layout(text[at:end], rule) if rule else None
        found = rows_under(text, end + 1, *layout) if layout and not TEXT_RULE.match(text, end + 1) else []
        if layout and len(found) >= MIN_UNRULED_ROWS and counts_under_names(layout[1], found):
            rows += found
            end = found[-1].end
        at = end + 1
    return rows


def header_rule(header: str) -> str | None:
    """The rule of dashes a plain-text table's header line draws by its column names alone: three or more runs of
    words (``WORDS_RUN``) set apart in columns, each with a letter, none a field's name (a colon at its end) nor an
    address ("@"), each column from its name's start to two spaces before the next one's; None for another line."""
    runs = list(WORDS_RUN.finditer(header))
    names = [run.group() for run in runs]
    if len(runs) < MIN_TABLE_COLUMNS or not all(LETTER.search(n) and n[-1] != ":" and "@" not in n for n in names):
        return None
    starts = [run.start() for run in runs] + [runs[-1].end() + UNRULED_LAST_WIDTH]
    rule = [" "] * starts[-1]
    for start, following in pairwise(starts):
        rule[start : following - 2] = "-" * (following - 2 - start)
    return "".join(rule)


def counts_under_names(names: list[str], rows: list[Row]) -> bool:
    """Whether a column's every cell in ``rows`` holds a digit where its name in ``names`` holds none."""
    return any(
        not DIGIT.search(name) and all(DIGIT.search(row.cells[n][1]) for row in rows) for n, name in enumerate(names)
    )


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
