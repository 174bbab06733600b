"""What a reader's span may be: a whole phrase of whole words and paired marks, within one item, row and cell."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from qa.reading.views import BULLET, HEADING, ITEM_MARK

STARS = re.compile(r"\*{2,}")  # Markdown's strong emphasis marks ("**", "***")
STRONG = re.compile(r"(?<!\*)\*\*(?!\*)")  # a bold run's mark
OPENERS = "([{“‘\"'"  # what may stand before a mark that opens a run ("(**note**)")
QUOTE_PAIRS = {"“": "”", "‘": "’", "«": "»", '"': '"', "'": "'"}  # opening mark: closing mark
MARKUP_MARKS = frozenset("*`|·")  # Markdown emphasis, code and table marks, a dot between details: never an edge
LINE_MARKS = frozenset("#>" + BULLET.strip("[]"))  # what opens a line of Markdown: a heading, a quotation, a list item
ONLY_ITEM_MARK = re.compile(rf"[ \t]*(?:{ITEM_MARK})")


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """``start, end`` shrunk past white space, Markdown marks and quote marks whose partner is outside the span:
    "“moving slowly" → "moving slowly", "**Prof. Adaeze Okonkwo**" → "Prof. Adaeze Okonkwo", "CT-2023-118\n- " →
    "CT-2023-118", "£1,350.\n3.2" → "£1,350." (the next clause's number)."""
    while start < end:
        if text[start].isspace() or text[start] in MARKUP_MARKS or opening_mark(text, start, end):
            start += 1
        elif text[end - 1].isspace() or text[end - 1] in MARKUP_MARKS or closing_mark(text, start, end):
            end -= 1
        elif (line := clause_mark_line(text, start, end)) is not None:
            end = line
        elif (run := bold_run(text, start, end)) is not None:
            start, end = run
        else:
            break
    return start, end


def bold_run(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The span ``start, end`` cut to the bold run it opens or closes when it runs on out of it ("£78 per hour
    +VAT** from **1 June 2024" of "up to **£78 per hour +VAT** from **1 June 2024**" → "£78 per hour +VAT"), or to
    what follows a bold label it opens ("Phone:** 0161 496 0519" → "0161 496 0519"); else None."""
    inside = [mark.start() for mark in STRONG.finditer(text, start, end)]
    if inside and opens_run(text, start - 2) and not opens_run(text, inside[0]):
        colon = text.startswith(":", inside[0] + 2)  # "**Phone**: 0161 …"
        label = colon or text[inside[0] - 1] == ":"
        return (inside[0] + 2 + colon, end) if label else (start, inside[0])
    if inside and STRONG.match(text, end) and not opens_run(text, end) and opens_run(text, inside[-1]):
        return inside[-1] + 2, end
    return None


def opens_run(text: str, at: int) -> bool:
    """Whether the two stars at ``at`` in ``text`` open a bold run (``mark_sides``)."""
    return at >= 0 and text.startswith("**", at) and mark_sides(text, at, at + 2) == (True, False)


def mark_sides(text: str, start: int, end: int) -> tuple[bool, bool]:
    """Whether the emphasis mark ``text[start:end]`` may open a run (a word follows it and none comes before it) and
    whether it may close one (the other way round); stars between words ("a**b") may do both, between spaces
    neither."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    opens = not after.isspace() and (before.isspace() or before in OPENERS)
    closes = not before.isspace() and (after.isspace() or not after.isalnum())
    return opens, closes


def opening_mark(text: str, start: int, end: int) -> bool:
    """Whether the span ``start, end`` of ``text`` opens with a quote mark it does not close, or with a line's mark
    ("# ", "## ", "- "; not the sign of "-5" or "+44", nor the dashes of "--verbose")."""
    first = text[start]
    if first in QUOTE_PAIRS:
        return QUOTE_PAIRS[first] not in text[start + 1 : end]
    after = text[start + 1] if start + 1 < end else ""
    return first in LINE_MARKS and (after.isspace() or after == first == "#")


def closing_mark(text: str, start: int, end: int) -> bool:
    """Whether the span ``start, end`` of ``text`` closes with a quote mark it did not open, or with the mark that
    opens its last line ("…118\n-", the next list item's)."""
    last, before = text[end - 1], text[start : end - 1]
    if last in QUOTE_PAIRS.values() and not any(o in before for o, c in QUOTE_PAIRS.items() if c == last):
        return True
    return last in LINE_MARKS and before.rstrip(" \t").endswith("\n")


def clause_mark_line(text: str, start: int, end: int) -> int | None:
    """Where the span's last line begins when it holds only the number that opens the next clause or item
    ("£1,350.\n3.2", "…\n(b)"): the span ends before it; else None."""
    line = text.rfind("\n", start, end)
    return line if line >= 0 and ONLY_ITEM_MARK.fullmatch(text, line + 1, end) else None


REPEATED_WORDS = 3  # see repeats_question
BRACKET_PAIRS = {")": "(", "]": "[", "}": "{", "”": "“", "»": "«"}  # closing mark: opening mark


def balanced(text: str) -> bool:
    """Whether every bracket and curly quote that ``text`` opens it also closes, in order: "Dmitry Rogozin (pictured)"
    is, "SPACECOM) as the “newest combatant command" is not. People quote whole phrases: of SQuAD v1.1 train's
    answers, 0.09% are unbalanced."""
    opened: list[str] = []
    for char in text:
        if char in BRACKET_PAIRS.values():
            opened.append(char)
        elif char in BRACKET_PAIRS:
            if not opened or opened.pop() != BRACKET_PAIRS[char]:
                return False
    return not opened


def marks_paired(text: str) -> bool:
    """Whether the Markdown strong emphasis and code marks inside ``text`` pair up, as ``balanced`` asks of brackets:
    "£78 per hour +VAT** from **1 June 2024" closes a bold run it did not open, "The v1 `/invoices/export" opens code
    it does not close (a run of stars opens or closes as ``mark_sides`` says; one that may do both, neither)."""
    if text.count("`") % 2:
        return False
    opened = 0
    for mark in STARS.finditer(text):
        opens, closes = mark_sides(text, mark.start(), mark.end())
        if closes and not opens:
            if not opened:
                return False
            opened -= 1
        elif opens and not closes:
            opened += 1
    return not opened


# a line break opening a field of a form, a letter or a record ("\n    Afternoon:  2:45pm", "\nDate of issue: 10 March"):
# a name of a few words, the first capitalised (a wrapped line of prose mostly opens in lower case), then a colon and a
# space
FIELD_OPENING = r"\n[ \t]*[^\W\d_a-z][^\s:]*(?:[ \t][^\s:]+){0,4}:(?:[ \t]|$)"
# a line break opening a list item or a numbered clause (``ITEM_MARK``: "\n- ", "\n2. ", "\n3.2 ", "\n(b) "), a field
# (``FIELD_OPENING``) or a table row ("\n| "), a table's cell boundary (" | ") or a row's end (" |\n": what follows is
# another row, or the line after the table), the dot between a letterhead's details ("Tel 01632 960233 · grants@…"),
# a field's name and its value set apart in a column ("Signed on behalf of Clearview Glazing Ltd:  R. Mensah": a
# colon, then two spaces or more, or a tab; no answer of SQuAD v1.1, QED, TyDi QA or COVID-QA holds one)
FIELD_COLUMN = r":(?:[ \t]*\t|[ \t]{2,})(?=\S)"
ITEM_BOUNDARY = re.compile(
    rf"\n[ \t]*(?:{ITEM_MARK})(?:[ \t]|$)|\n[ \t]*\||[ \t][|·][ \t\n]|{FIELD_OPENING}|{FIELD_COLUMN}"
)


def across_items(text: str) -> bool:
    """Whether ``text`` runs from one item of a list into the next ("Edmund Carrow, founder of the town\n- Maren
    Holt"), from one field of a form into the next ("8:15am to 9:00am\n    Afternoon:  2:45pm") or from its name
    into its value set apart ("Ltd:  R. Mensah"), or from one cell or row of a table into the next ("E3 | The water
    tank is empty"): each says its own thing, as each paragraph does."""
    return ITEM_BOUNDARY.search(text) is not None


def across_heading(text: str, headings: Sequence[tuple[int, str]], begin: int, end: int) -> bool:
    """Whether ``text[begin:end]`` runs from a heading's line into the line next to it ("Findings\nThe engineer, Zoë
    Brandt", "valve.\n2. Readings"): a heading names a section, it says nothing with the text beside it. ``headings``:
    the passage's, each at its offset in ``text`` (-1: the section it starts in); its Markdown headings are found in
    it too."""
    starts = [at for at, _ in headings if at >= 0] + [heading.start() for heading in HEADING.finditer(text)]
    for at in starts:
        line_end = text.find("\n", at)
        line_end = len(text) if line_end < 0 else line_end
        if begin < line_end and end > at and (begin < at or end > line_end):
            return True
    return False


def only_a_mark(text: str, begin: int, end: int) -> bool:
    """Whether ``text[begin:end]`` is only the mark that opens a list item or a numbered clause on its line ("1.3",
    "2.", "(b)"), or its number without the stop after it (the "3" of "3. DEPOSIT"): the item's number, never what
    the item says."""
    line = text.rfind("\n", 0, begin) + 1
    whole = ONLY_ITEM_MARK.fullmatch(text, begin, end) or ONLY_ITEM_MARK.fullmatch(text, begin, min(end + 1, len(text)))
    return not text[line:begin].strip() and whole is not None


def whole_run(text: str, begin: int, end: int) -> tuple[int, int]:
    """``begin, end`` widened to the whole address or number the span cuts (``joins_one``): "soc@acme" and "acme."
    of "soc@acme.example" become the address, "13" of "13.3 million" "13.3"."""
    while joins_one(text, begin - 1) or (begin < end and joins_one(text, begin)):
        begin -= 1 if joins_one(text, begin - 1) else 0
        while begin > 0 and text[begin - 1].isalnum():
            begin -= 1
    while joins_one(text, end) or (begin < end and joins_one(text, end - 1)):
        end += 1 if joins_one(text, end) else 0
        while end < len(text) and text[end].isalnum():
            end += 1
    return begin, end


# A number written in groups of digits a space apart: a phone, account or VAT number ("01604 338190", "318 4471 62",
# "FLH-552 918 04"), "25 000"; not a decimal's or a thousands' part ("6.7 1994", "1917 14,503"), a code's ("E3 2006")
# nor a day before a year ("14 2024").
SPACED_NUMBER = re.compile(r"(?<![^\W_]|[.,:/–—])\d+(?: \d+)+(?![^\W_]|[.,]\d)")
DAY_AND_YEAR = re.compile(r"\d{1,2} (?:1[5-9]|20)\d\d")


def whole_number(text: str, begin: int, end: int) -> tuple[int, int]:
    """``begin, end`` widened to the whole number written in spaced groups that the span cuts ("318" of "VAT Reg No.
    318 4471 62")."""
    for first, last in spaced_numbers(text):
        cuts = first < begin < last or first < end < last
        if cuts and begin < last and end > first:
            return min(begin, first), max(end, last)
    return begin, end


@functools.lru_cache(maxsize=256)
def spaced_numbers(text: str) -> tuple[tuple[int, int], ...]:
    """(start, end) of each number written in spaced groups in ``text`` (``SPACED_NUMBER``, not a day and a year),
    found once for the several spans read in one passage."""
    found = SPACED_NUMBER.finditer(text)
    return tuple(number.span() for number in found if not DAY_AND_YEAR.search(number.group()))


def joins_one(text: str, at: int) -> bool:
    """Whether ``text[at]`` joins the parts of one address or number: an "@" between letters or digits, a "."
    before a small letter or a digit ("acme.example", "13.3", "e.g."), not a full stop before a sentence
    ("Lahaulis.The", as scraped text has it), a "/" between digits ("07/02/2024": 1 of 98,339 gold answers of
    SQuAD v1.1, QED and TyDi QA train cuts one), or a "," between a digit and a group of three ("£12,985.80": 12
    gold answers cut one, "700" of "1,700")."""
    if at < 1 or at + 1 >= len(text) or not text[at - 1].isalnum():
        return False
    after = text[at + 1]
    dotted = text[at] == "." and (after.islower() or after.isdigit())
    digits = text[at - 1].isdigit() and after.isdigit()
    return (
        (text[at] == "@" and after.isalnum())
        or dotted
        or (text[at] == "/" and digits)
        or (text[at] == "," and digits and THOUSANDS.match(text, at + 1) is not None)
    )


THOUSANDS = re.compile(r"\d{3}(?!\d)")  # the group of three digits after a thousands' comma


def whole_words(text: str, begin: int, end: int) -> bool:
    """Whether ``text[begin:end]`` neither starts nor ends inside a word ("s" of "Vos", "Ingri" of "Ingrid" do): a
    word piece alone is no answer (0.7% of SQuAD v1.1 train answers cut a word, mostly "six" of "sixth")."""
    starts_inside = begin > 0 and text[begin - 1].isalnum() and text[begin].isalnum()
    ends_inside = end < len(text) and text[end - 1].isalnum() and text[end].isalnum()
    return not (starts_inside or ends_inside)


# Words set apart by three spaces or more: a line laid out in columns, as an invoice's, a job card's or a form's
# ("This invoice                    £12,985.80"); prose puts one or two between sentences.
WIDE_GAP = re.compile(r"\S[ \t]{3,}\S")


def across_rows(text: str, begin: int, end: int) -> bool:
    """Whether ``text[begin:end]`` runs from one line into the next where either is laid out in columns
    (``WIDE_GAP``): "£12,985.80\n  Remaining after this" of "This invoice      £12,985.80\n  Remaining after this
    invoice      £32,983.08" joins two records."""
    brk = text.find("\n", begin, end)
    if brk < 0:
        return False
    first = text.rfind("\n", 0, begin) + 1
    last = text.find("\n", brk + 1)
    return bool(WIDE_GAP.search(text, first, brk) or WIDE_GAP.search(text, brk + 1, len(text) if last < 0 else last))


SHORT_LINE = 0.8  # a line ends short when it, a space and the next line's first word fit in this share of the longest


def across_lines(text: str, begin: int, end: int) -> bool:
    """Whether ``text[begin:end]`` runs from a line that ends short into the next: the line had room left for the
    next one's first word and a fifth of the longest line of ``text`` (ragged wrapping leaves less). A wrapped line is
    full; one that ends short ends what it says (a sign-off, "Cheers\nJeff (plot 14)", a name, a field, a Word or PDF
    paragraph, which is a line of its own)."""
    brk = text.find("\n", begin, end)
    if brk < 0:
        return False  # most spans stay on one line: the passage's lines are not measured for them
    width = SHORT_LINE * max(len(line) for line in text.split("\n"))
    while brk >= 0:
        line = text[text.rfind("\n", 0, brk) + 1 : brk].rstrip()
        word = text[brk + 1 : end].split("\n", 1)[0].split(maxsplit=1)[:1]  # the next line's first word in the span
        if len(line) + 1 + len("".join(word)) <= width:
            return True
        brk = text.find("\n", brk + 1, end)
    return False


def across_cells(text: str, begin: int, end: int) -> bool:
    """Whether ``text[begin:end]`` holds a gap laid out between columns (``WIDE_GAP``): "13/03/2024   09:40" of
    "Collected:         13/03/2024   09:40" is a date and a time, "date:            14 January 2024" a label and its
    value."""
    return WIDE_GAP.search(text, begin, end) is not None


def word_runs(text: str, length: int) -> set[tuple[str, ...]]:
    """Every run of ``length`` consecutive words of ``text``, lower-cased."""
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + length]) for i in range(len(words) - length + 1)}


def repeats_question(answer: str, question: str, length: int = REPEATED_WORDS) -> bool:
    """Whether ``answer`` repeats ``length`` consecutive words of ``question``: a span that takes in what the question
    already says ("What else besides reducing US military effectiveness?" → "reducing US military effectiveness and
    for winning future wars") is rarely the answer (0.8% of SQuAD v1.1 train answers repeat three words of their
    question)."""
    return bool(word_runs(answer, length) & word_runs(question, length))
