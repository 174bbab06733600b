"""What the reader reads of a passage: field items and table rows read as sentences, mapped back exactly."""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from qa.documents.tables import TABLE_RULE, Row, table_rows, text_table_rows

# "- Pump pressure: 15 bar", "* **Grant number:** CT-2023-118": a list item that names a field (a few words) and gives
# its value. Read as "- Pump pressure of the Duo 300 is 15 bar." (the heading above it is what it describes), the way
# the reader's prose says it.
BULLET = "[-*+•]"  # what opens an item of a Markdown list ("- ", "* ", "+ ", "• ")
# A clause's number of two levels or more ("2.1  Annual charge: £780 + VAT") on a line of its own, and the space
# after it: read, the reader takes it for a candidate answer and the clause for less of a sentence ("What is the
# annual charge?": best span's score -1.6 with "2.1", 8.9 without; SQuAD v1.1 dev paragraphs laid out as numbered
# clauses, python -m eval.layouts: F1 1.3 below the same lines unnumbered). The view leaves it out. A list
# item's "3. " costs nothing and stays; "2.5 hours" (a number before a word in small letters) opens no clause.
CLAUSE_NUMBER = re.compile(r"^[ \t]*\d{1,2}(?:\.\d{1,2})+\.?[ \t]+(?=[^\W\d_a-z])", re.MULTILINE)
FIELD_ITEM = re.compile(
    rf"^(?P<bullet>[ \t]*{BULLET}[ \t]+)(?:\*\*)?(?P<name>[^\W\d_][^:*|\n]{{0,40}}?)(?::\*\*|\*\*:|:)[ \t]+(?P<value>\S[^\n]*)$",
    re.MULTILINE,
)
# "| Pump pressure | 15 bar |": a table row of two cells, a field's name and its value (a Word or HTML table of
# details, as the loaders write its rows), read as a field item is.
FIELD_ROW = re.compile(
    r"^\|[ \t]*(?P<name>[^\W\d_][^|*:\n]{0,40}?)[ \t]*\|[ \t]*(?P<value>[^|\s][^|\n]*?)[ \t]*\|[ \t]*$", re.MULTILINE
)
FIELD_NAME_WORDS = 5  # a field's name is this many words or fewer ("Water tank capacity"); more is a sentence
FIELD_VALUE_WORDS = 8  # a value read as "X is Y" is a name, a number or an amount, not a list of things or a sentence
ASIDE = re.compile(r"\([^()]*\)")  # a bracketed aside ("(Monday to Friday)"): no part of a value's length
SENTENCE_END = ".!?"
# Words of a question that no passage need hold (keyword_tokens keeps them: they are not English stop words).
QUESTION_WORDS = frozenset(
    "what which who whom whose when where why how my mine should would could can must may might do does did get got "
    "use out call i me we us you he him she her it they them".split()
)
# The tail of a table row a passage opens with, cut from its row where the passage began (in a cell, after a
# sentence's end: "Chest sizes 28"–36" | £34.00 |"): its cells without the row's thing, which the passage before
# holds whole. Read, "£34.00" is anything's price ("how much is a school tie?").
ROW_TAIL = re.compile(r"[^|\n]*\|[^\n]*\|[ \t]*(?=\n|$)")
HEADING = re.compile(r"^#{1,6}[ \t]+(?P<title>[^\n]*?)[ \t#]*$", re.MULTILINE)  # a Markdown heading line
HEADING_WORDS = 8  # a heading of more words is no name of a thing ("Our results in the second year of the study")
# the number of a heading's section ("4. ", "3.2 "): no part of the thing it names ("Project manager of the 4.
# Governance is Rhys Caldwell.": the reader's best span scores 10.0; "of the Governance": 12.1)
SECTION_NUMBER = re.compile(r"^\d{1,2}(?:\.\d{1,2})*\.?[ \t]+(?=\S)")
# what opens a list item ("- ", "2. ") or a numbered clause ("3.2 ", "(b) ", "(iv) ", as a contract or a form numbers
# them) on a line of its own
ITEM_MARK = rf"{BULLET}|\d{{1,2}}[.)]|\d{{1,2}}(?:\.\d{{1,2}})+\.?|\((?:[a-z]|[ivx]{{1,4}})\)"
ITEM_LINE = re.compile(rf"[ \t]*(?:{ITEM_MARK})[ \t]")  # a line that opens a list item or a numbered clause
# An item that ends without a sentence's mark ("- 4,312 food parcels handed out") is read with a full stop: run on
# into the next item, the reader took the next item's number for the first's ("How many food parcels did we hand
# out?": "1,106" 6.7, "4,312" 5.6; with each item ended, "4,312" 9.3 alone). An item ending in ":" or "," goes on.
ITEM_GOES_ON = frozenset(SENTENCE_END + ";:,")
LINE = re.compile(r"^.*$", re.MULTILINE)  # each line of a text, the empty ones too, without its line break
# A heading's section number ("10. Notice", "3.2 Fees"; not the "3" of "3 bedrooms"), left out of the view as a clause's
# number is: read, it costs the answers under it (a contract's clauses under "8. Sickness absence", "10. Notice", ...:
# "What's the notice period once I've passed my probation?": "one month" 0.5 with the numbers, 2.0 without).
HEADING_NUMBER = re.compile(r"\d{1,2}\.(?:\d{1,2}\.?)*[ \t]+(?=[^\W\d_a-z])")
WRAPPED_NUMBER = re.compile(r"[ \t]*\d{1,2}(?:\.\d{1,2})+[ \t]+[a-z]")  # "2.5 hours, or": prose wrapped, no clause


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
    """The title of the last of ``headings`` ((start, title), in order) before ``offset``, less its section's number
    ("4. Governance": "Governance"), when it is short enough to name a thing; "" otherwise."""
    title = next((title for start, title in reversed(headings) if start < offset), "")
    title = SECTION_NUMBER.sub("", title)
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


def field_pieces(field: Field, titles: list[tuple[int, str]]) -> list[tuple[str, int | None]]:
    """A field read as a sentence: "<name> of the <thing its heading names> is <value>." (the name and value the
    passage's own characters)."""
    thing = thing_named(titles, field.kept)
    pieces = [(field.name, field.name_start), (f" of the {thing} is " if thing else " is ", None)]
    return ended([*pieces, (field.value, field.value_start)], field.value)


def ended(pieces: list[tuple[str, int | None]], last: str) -> list[tuple[str, int | None]]:
    """``pieces`` of a sentence with a full stop added when ``last``, the text that ends it, has none of its own."""
    return [*pieces, (".", None)] if last and last[-1] not in SENTENCE_END else pieces


def row_keys(rows: list[Row], asked: frozenset[str]) -> list[int]:
    """Which cell of each row names its thing for a question whose stemmed words are ``asked``: of its cells of a
    field's name's length or shorter, the one that holds the most of the question's words that single the row out
    (in no other row's cells, and naming no column: "services" asks which column "Serviced by" is), so that "the
    thermal camera" names the row "| A-080 | Thermal camera | 12 May |" by its second cell and "R-07" the row it
    opens; else the cell of the first column that names the rows' things (``naming_column``: "Front brake pads
    (set)", not the "1" of its quantity)."""
    first = naming_column(rows)
    if not asked:
        return [first] * len(rows)
    columns = keyword_stems([" ".join(name for name, _, _ in row.cells) for row in rows])
    short = [[n for n, (_, value, _) in enumerate(row.cells) if short_cell(value)] for row in rows]
    stems = iter(keyword_stems([row.cells[n][1] for row, cells in zip(rows, short, strict=True) for n in cells]))
    cell_words = [{n: next(stems) for n in cells} for cells in short]
    rows_with = Counter(word for words in cell_words for word in set().union(*words.values()))
    keys = []
    for words, named in zip(cell_words, columns, strict=True):
        singling = {word for word in asked - named if rows_with[word] == 1}
        shared = {n: len(singling & cell) for n, cell in words.items()}
        best = max(shared, key=lambda n: (shared[n], -n), default=0)
        keys.append(best if shared.get(best, 0) else first)
    return keys


def rows_asked(rows: list[Row], asked: frozenset[str]) -> list[bool]:
    """Which of ``rows`` are read as sentences for a question whose stemmed words are ``asked`` (the others as they
    stand, their cells between bars): in each table (rows under the same columns' names), when a row's short cells (a
    field's name's length: what names a thing, not a note) hold more of the question's words that name no column than
    some other row's cells hold at all, only the rows whose cells hold as many ("Which supplier sent the front brake
    pads?" reads the row of "Front brake pads (set)" as a sentence, not those of "Front brake discs (pair)" and "Brake
    cleaner", whose suppliers the reader would give as readily; left out, they would no longer show the reader which
    column is which: "How many people does the Turing room hold?" read in the Turing row alone gives its floor, "3");
    every row when the question names none of them."""
    if not asked or not rows:
        return [True] * len(rows)
    tables: dict[tuple[str, ...], list[int]] = {}
    for number, row in enumerate(rows):
        tables.setdefault(tuple(name for name, _, _ in row.cells), []).append(number)
    naming = keyword_stems([" ".join(value for _, value, _ in row.cells if short_cell(value)) for row in rows])
    holding = keyword_stems([" ".join(value for _, value, _ in row.cells) for row in rows])
    kept = [True] * len(rows)
    for names, members in tables.items():
        wanted = asked - keyword_stems([" ".join(names)])[0]
        most = max(len(naming[n] & wanted) for n in members)
        for n in members:
            kept[n] = len(holding[n] & wanted) >= most
    return kept


def of_another_row(text: str, table_head: str, asked: frozenset[str], at: int) -> bool:
    """Whether the character ``at`` of a passage's ``text`` lies in a table row (``table_rows``, ``text_table_rows``)
    when the question (its stemmed words ``asked``) names other rows of that table by their things and not this one:
    a row's thing is named when every word of its naming cell (``naming_column``) is the question's. "£38.00", the
    price in the row of "Blazer (larger sizes)", answers no "How much is a school tie?" where a row of "Tie" stands
    (its price "–"), nor, for "How much is a blazer?", the larger one's price beside the row of "Blazer"."""
    rows = passage_rows(text, table_head)
    row = next((r for r in rows if r.start <= at < r.end), None)
    if row is None or not asked:
        return False
    table = [r for r in rows if [name for name, _, _ in r.cells] == [name for name, _, _ in row.cells]]
    first = naming_column(table)
    named = [r for r in table if (words := stems_of(r.cells[first][1])) and words <= asked]
    return bool(named) and row not in named


@functools.lru_cache(maxsize=256)
def passage_rows(text: str, table_head: str) -> tuple[Row, ...]:
    """The rows of the tables of a passage (``table_rows``, ``text_table_rows``), found once for its candidates."""
    return (*table_rows(text, table_head), *text_table_rows(text, table_head))


def asks_column(asked: frozenset[str]) -> Callable[[list[str]], bool]:
    """Whether a question whose stemmed words are ``asked`` asks what the second of a two-column table's ``names``
    names: its rows are then read as a table's ("Office Carrow Wharf: Carrow Wharf's Team days in the office is
    Tuesday and Thursday."), not as fields ("Carrow Wharf is Tuesday and Thursday.", the column's name lost: "which
    days do I have to be in at the office?" read so gives the header's "Team days in the office" 7.3, read as a
    table's row "Tuesday and Thursday" 9.9). A table of fields ("| Item | Details |", "| Role | Who |") is seldom asked
    so: a question's own words ("who", ``QUESTION_WORDS``) name no column."""

    def asks(names: list[str]) -> bool:
        return bool(stems_of(names[1]) & asked - stems_of(" ".join(sorted(QUESTION_WORDS))))

    return asks


def short_cell(value: str) -> bool:
    """Whether a table's cell is as short as a field's name: a thing's name, a value, not a note or a description."""
    return 0 < len(value.split()) <= FIELD_NAME_WORDS


QUANTITY = re.compile(r"[£$€]?\d[\d,]*(?:\.\d+)?")  # a count or an amount: "1", "1,200", "£38.40"; no date, no time


def naming_column(rows: list[Row]) -> int:
    """The first column of ``rows`` that names their things: not one of quantities that repeat ("1", "1", "2"), as a
    plot's or an invoice's numbers ("14", "15") and a day's dates do not; the first when each is."""
    columns = len(rows[0].cells) if rows else 0
    return next((n for n in range(columns) if not counts(row.cells[n][1] for row in rows)), 0)


def counts(cells: Iterable[str]) -> bool:
    """Whether ``cells`` (a column's) are quantities (``QUANTITY``) of which some repeat: no names of things."""
    values = list(cells)
    return all(QUANTITY.fullmatch(value) for value in values) and len(set(values)) < len(values)


def keyword_stems(texts: list[str]) -> list[frozenset[str]]:
    """The stemmed words of each of ``texts``, as the keyword index has them (stop words left out)."""
    return [stems_of(text) for text in texts]


@functools.lru_cache(maxsize=1024)
def stems_of(text: str) -> frozenset[str]:
    """``keyword_stems`` of one text, made once: a question's and its passages' are asked for at every stage of
    reading them."""
    from qa.store.rules import keyword_tokens

    return frozenset(keyword_tokens([text])[0])


def row_pieces(row: Row, key: int = 0) -> list[tuple[str, int | None]]:
    """A row read as a sentence of what each cell is of the thing its ``key`` cell (the first, unless a question names
    the row by another: ``row_key``) names: "<key column's name> <key cell>: <key cell>'s <name> is <cell>; ... ."
    ("Team Payroll: Payroll's Extension is 3120; ...", as the reader's prose says what a thing has). A key cell of
    more words than a field's name is not repeated ("<name> is <cell>"); empty cells are left out; the cells' own
    characters (the key cell's wherever it stands), the words between them added. A row whose key cell is empty
    ("| | Subtotal | £630.00 |", under an item's row) is read of its first cell that is not."""
    if not row.cells[key][1]:
        key = next((n for n, (_, value, _) in enumerate(row.cells) if value), key)
    key_name, named, named_start = row.cells[key]
    others = [cell for n, cell in enumerate(row.cells) if n != key]
    pieces: list[tuple[str, int | None]] = [(f"{key_name} " if key_name else "", None), (named, named_start)]
    repeated = bool(named) and len(named.split()) <= FIELD_NAME_WORDS
    given = [(name, value, start) for name, value, start in others if value]
    for number, (name, value, start) in enumerate(given):
        joint = ": " if not number else " " if given[number - 1][1][-1] in SENTENCE_END else "; "
        pieces += [(joint, None), *cell_named(name, named if repeated else "", named_start), (value, start)]
    return ended(pieces, given[-1][1]) if given else pieces


# A weekday's or a month's short name in a column's name ("Wed 2", "Sept"), spelt out where a row is read as a sentence
# ("Sami Whitehead's Wednesday 2 is 11:00-17:00"): a question says "wednesday", and a reader trained on prose reads
# the whole word as the day. Only the words the view adds are spelt out; the table's own characters stay.
SHORT_NAME = re.compile(
    r"\b(?P<short>mon|tues?|wed|thu(?:rs?)?|fri|sat|sun|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\b\.?",
    re.IGNORECASE,
)
WHOLE_NAMES = (
    "monday tuesday wednesday thursday friday saturday sunday january february march april june july august "
    "september october november december"
).split()
FULL_NAMES = {whole[:letters]: whole for whole in WHOLE_NAMES for letters in (3, 4, 5)}  # "wed", "tues", "thurs"


def spelt_out(name: str) -> str:
    """A column's ``name`` with the short names of weekdays and months in it written whole, as it was written
    ("Wed 2" → "Wednesday 2", "SEP" → "SEPTEMBER")."""

    def whole(short: re.Match[str]) -> str:
        word = short.group("short")
        full = FULL_NAMES[word.casefold()]
        return full.upper() if word.isupper() and len(word) > 1 else full.capitalize() if word[0].isupper() else full

    return SHORT_NAME.sub(whole, name)


def cell_named(name: str, named: str, named_start: int) -> list[tuple[str, int | None]]:
    """What opens a cell's value in a row read as a sentence: "<the row's key cell>'s <name> is " (nothing for a
    column without a name; "<name> is " without a key cell to repeat). The repeated key cell copies the cell's own
    characters, so that a span the reader finds there is the key cell's."""
    if not name:
        return []
    if not named:
        return [(f"{spelt_out(name)} is ", None)]
    return [(named, named_start), (f"'s {spelt_out(name)} is ", None)]


def item_ends(text: str, heading_starts: Iterable[int] = ()) -> list[int]:
    """Where the items of ``text``'s lists (``ITEM_LINE``) that end without a sentence's mark end: the end of an
    item's line, or of the lines that carry it on (indented, or opening in small letters: "- The keys are kept\n  in
    the office safe"). A heading's line (at one of ``heading_starts``, or a Markdown heading) is no item and carries
    none on."""
    lines = [(line.start(), line.group()) for line in LINE.finditer(text)]
    starts = {*heading_starts, *(h.start() for h in HEADING.finditer(text))}
    ends = []
    for number, (start, line) in enumerate(lines):
        if start in starts or not ITEM_LINE.match(line) or WRAPPED_NUMBER.match(line):
            continue
        last = number
        while last + 1 < len(lines) and carries_on(*lines[last + 1], starts):
            last += 1
        closing, words = lines[last][0] + len(lines[last][1].rstrip()), lines[last][1].strip()
        if words and words[-1] not in ITEM_GOES_ON and not ITEM_LINE.fullmatch(lines[last][1]):
            ends.append(closing)
    return ends  # in order: each item ends once, below the one before


def carries_on(start: int, line: str, headings: set[int]) -> bool:
    """Whether ``line`` (at ``start``) carries on the list item above it: it is no item, heading, table row or blank
    line, and is indented or opens in small letters."""
    if not line.strip() or start in headings or ITEM_LINE.match(line) or line.lstrip().startswith("|"):
        return False
    return line[0] in " \t" or line.lstrip()[0].islower()


def rewritten(offset: int, read: list[tuple[int, int, list[tuple[str, int | None]]]]) -> bool:
    """Whether a character at ``offset``, or the end of a line there, lies in a stretch the view reads otherwise."""
    return any(begin <= offset <= end for begin, end, said in read if said)


def clause_numbers(text: str) -> list[tuple[int, int]]:
    """Where ``text``'s lines open with a clause's number (``CLAUSE_NUMBER``): the number and the space after it."""
    return [(number.start(), number.end()) for number in CLAUSE_NUMBER.finditer(text)]


def heading_numbers(text: str, headings: Iterable[tuple[int, str]]) -> list[tuple[int, int]]:
    """Where the headings of ``text`` open with their section's number (``HEADING_NUMBER``: "10. Notice", "## 3.2
    Fees"): the number and the space after it. ``headings``: (offset, title) as the document's format gives them."""
    starts = [at for at, title in headings if at >= 0 and text.startswith(title, at)]
    starts += [h.start("title") for h in HEADING.finditer(text)]
    return [(at, found.end()) for at in sorted(set(starts)) if (found := HEADING_NUMBER.match(text, at))]


def reading_view(
    text: str,
    headings: Sequence[tuple[int, str]] = (),
    table_head: str = "",
    asked: frozenset[str] = frozenset(),
    about: str = "",
) -> ReadingView:
    """The passage ``text`` with each list item that gives a field's short value read as a sentence, of the thing
    the heading above it names ("## Halcyon LSM-7 microscope" then "- Location: room B220" is read as "- Location of
    the Halcyon LSM-7 microscope is room B220."): a reader trained on prose finds the value by its name and its
    thing. ``headings`` are the titles of the passage's sections with their offsets in ``text`` (-1: the section
    it starts in, for the items before its first heading), as the document's format gives them; its Markdown
    headings are found in ``text`` too. Each row of a Markdown table of three or more columns, and of a plain-text
    table laid out in columns (``text_table_rows``), is read as what it says of its first cell (``row_pieces``) or of
    the cell the question names it by, and as it stands when the question names other rows of its table more
    (``rows_asked``);
    ``table_head`` names the columns of the rows ``text`` opens with, when it begins within a table whose head an
    earlier passage holds; ``asked``, the stemmed words of the question read in it, which cell names each row's thing
    (``row_keys``). A list item that ends without a sentence's mark is read with a full stop (``item_ends``). A
    clause's number at a line's start ("2.1  ") is left out (``CLAUSE_NUMBER``), and so is the
    tail of a table row the passage opens with (``ROW_TAIL``). ``about``, a name the passage's document gives
    elsewhere, is read above it, as its heading would be. Every other character is the passage's own."""
    marked = [(h.start(), h.group("title").replace("*", "").strip()) for h in HEADING.finditer(text)]
    titles = sorted([*headings, *marked])
    pieces: list[tuple[str, int | None]] = [(f"{about}\n\n", None)] if about else []  # (text, its start; None: added)
    copied = 0
    rows = [*table_rows(text, table_head, asks_column(asked)), *text_table_rows(text, table_head)]
    alone = [f for f in fields(text) if not any(r.start <= f.kept < r.end for r in rows)]  # not a table's row
    read = [(f.kept, f.resumed, field_pieces(f, titles)) for f in alone]
    keys, kept = row_keys(rows, asked), rows_asked(rows, asked)
    read += [(r.start, r.end, row_pieces(r, key)) for r, key, keep in zip(rows, keys, kept, strict=True) if keep]
    numbers = [*clause_numbers(text), *heading_numbers(text, headings)]
    read += [(begin, end, []) for begin, end in numbers if not any(b <= begin < e for b, e, _ in read)]
    read += [(end, end, [(".", None)]) for end in item_ends(text, (at for at, _ in titles)) if not rewritten(end, read)]
    tail = ROW_TAIL.match(text)
    if tail and text.strip()[:1] != "|" and not any(b < tail.end() for b, _, _ in read):
        read.append((0, tail.end(), []))
    for begin, end, said in sorted(read, key=lambda rewritten: rewritten[0]):
        pieces += [(text[copied:begin], copied), *said]
        copied = end
    pieces.append((text[copied:], copied))
    origin: list[int | None] = []
    for piece, start in pieces:
        origin += [None] * len(piece) if start is None else range(start, start + len(piece))
    return ReadingView("".join(piece for piece, _ in pieces), tuple(origin))
