"""Extractive readers: a span model read with start/end logits, and a sentence-similarity baseline."""

from __future__ import annotations

import functools
import json
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from qa.batching import SharedBatches
from qa.caching import locked_cached_property
from qa.config import TRAINED_READER_DIR, Precision, Runtime
from qa.documents.chunking import sentence_spans
from qa.documents.tables import ROW_LINE
from qa.embedding import Embedder
from qa.errors import MissingError
from qa.models import Passage
from qa.questions.conversation import HISTORY_SEPARATOR
from qa.questions.parts import two_part_questions
from qa.reading.calibration import Calibration, confidence_features
from qa.reading.stopping import StopModel
from qa.reading.views import BULLET, keyword_stems, reading_view
from qa.runtime import (
    Session,
    choose_runtime,
    cpu_flags,
    exported,
    onnx_available,
    onnx_session,
    reader_exportable,
    torch_session,
)
from qa.validation import OptionError, loading_model, local_model

if TYPE_CHECKING:
    from qa.reading.answerability import AnswerabilityModel


@dataclass(frozen=True)
class ReaderSpan:
    """A candidate answer: ``document text[start:end] == text``, read from one passage."""

    document_id: str
    passage_id: str
    start: int
    end: int
    text: str
    score: float


class Reader(Protocol):
    """Reads passages for a question and returns candidate spans, best first."""

    threshold: float
    windows_read: int  # windows of question and passage read since it was made (what reading cost, for evaluations)

    def warm_up(self) -> None: ...

    def close(self) -> None:
        """End the threads it runs (they start again if it reads again)."""
        ...

    def read(self, question: str, passages: list[Passage], top_n: int = 5) -> list[ReaderSpan]: ...

    def confidence(self, candidates: Sequence[tuple[str, float]]) -> float | None:
        """P(the first of ``candidates`` ((text, score), best first) is right); None for a reader not calibrated."""
        ...

    @property
    def stop_model(self) -> StopModel | None:
        """When reading may stop at the first passage (see ``qa.reading.stopping``); None: by confidence alone."""
        ...

    @property
    def answerability(self) -> AnswerabilityModel | None:
        """Whether to answer in open mode, from the reader and retrieval (see ``qa.reading.answerability``); None: by the
        reader's confidence alone."""
        ...

    @property
    def history_turns(self) -> int:
        """The earlier turns it was trained to read a follow-up with (``qa.questions.conversation.with_history``); 0: none."""
        ...


def truncate_question(tokenizer, question: str, max_tokens: int) -> str:
    """The question cut to ``max_tokens`` word pieces; training and reading both use it so windows match."""
    tokens = tokenizer.tokenize(question)
    return question if len(tokens) <= max_tokens else tokenizer.convert_tokens_to_string(tokens[:max_tokens])


def best_spans(
    start_logits: np.ndarray,
    end_logits: np.ndarray,
    context_mask: np.ndarray,
    max_answer_tokens: int,
    top_n: int,
) -> list[tuple[int, int, float]]:
    """Top (start token, end token, score) spans inside the context, end >= start, at most ``max_answer_tokens`` long.

    The score is start + end logit minus the window's no-answer score (the logits at position 0), so it is
    comparable across windows and passages: above 0 the model prefers the span to "no answer".
    """
    positions = np.flatnonzero(context_mask)
    if not len(positions):
        return []
    null_score = float(start_logits[0] + end_logits[0])
    starts, ends = start_logits[positions], end_logits[positions]
    scores = starts[:, None] + ends[None, :]
    offsets = positions[None, :] - positions[:, None]
    scores = np.where((offsets >= 0) & (offsets < max_answer_tokens), scores, -np.inf)
    flat = np.argsort(scores, axis=None)[::-1][:top_n]
    found = []
    for index in flat:
        i, j = np.unravel_index(index, scores.shape)
        if np.isfinite(scores[i, j]):
            found.append((int(positions[i]), int(positions[j]), float(scores[i, j]) - null_score))
    return found


STARS = re.compile(r"\*{2,}")  # Markdown's strong emphasis marks ("**", "***")
STRONG = re.compile(r"(?<!\*)\*\*(?!\*)")  # a bold run's mark
OPENERS = "([{“‘\"'"  # what may stand before a mark that opens a run ("(**note**)")
QUOTE_PAIRS = {"“": "”", "‘": "’", "«": "»", '"': '"', "'": "'"}  # opening mark: closing mark
MARKUP_MARKS = frozenset("*`|·")  # Markdown emphasis, code and table marks, a dot between details: never an edge
LINE_MARKS = frozenset("#>" + BULLET.strip("[]"))  # what opens a line of Markdown: a heading, a quotation, a list item
# what opens a list item ("- ", "2. ") or a numbered clause ("3.2 ", "(b) ", "(iv) ", as a contract or a form numbers
# them) on a line of its own
ITEM_MARK = rf"{BULLET}|\d{{1,2}}[.)]|\d{{1,2}}(?:\.\d{{1,2}})+\.?|\((?:[a-z]|[ivx]{{1,4}})\)"
ONLY_ITEM_MARK = re.compile(rf"[ \t]*(?:{ITEM_MARK})")
ITEM_LINE = re.compile(rf"[ \t]*(?:{ITEM_MARK})[ \t]")  # a line that opens a list item or a numbered clause


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
OPENS_WHO = re.compile(r"\W*(?:who|whom)(?:['’]s)?\b", re.IGNORECASE)  # a question that opens "Who", "Whom", "Who's"
# Digits and no small letter: a register's number ("R-10", "A-17"), a phone or account number, a year; a person's name
# never. Of the 8,232 answered questions of SQuAD v1.1 train that open "Who", 3 have such an answer ("UTF-8", "U2").
CODE = re.compile(r"[^a-z]*\d[^a-z]*")
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
# another row, or the line after the table), the dot between a letterhead's details ("Tel 01632 960233 · grants@…")
ITEM_BOUNDARY = re.compile(rf"\n[ \t]*(?:{ITEM_MARK})(?:[ \t]|$)|\n[ \t]*\||[ \t][|·][ \t\n]|{FIELD_OPENING}")


def across_items(text: str) -> bool:
    """Whether ``text`` runs from one item of a list into the next ("Edmund Carrow, founder of the town\n- Maren
    Holt"), from one field of a form into the next ("8:15am to 9:00am\n    Afternoon:  2:45pm"), or from one cell or
    row of a table into the next ("E3 | The water tank is empty"): each says its own thing, as each paragraph does."""
    return ITEM_BOUNDARY.search(text) is not None


# A question that asks for a year, a date, a share or a count, and what such an answer holds: a digit or a number's
# word. Of SQuAD v1.1 train's answered questions asking what date or what percentage, 4 of 1,260 have none.
ASKS_A_NUMBER = re.compile(
    r"\b(?:what|which)\s+(?:year|date|percentage|percent)\b|\bhow\s+(?:many|much|old)\b", re.IGNORECASE
)
NUMBERED = re.compile(
    r"\d|\b(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|(?:thir|four|fif|six|seven|eigh|nine)"
    r"teen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundreds?|thousands?|millions?|billions?|trillions?|"
    r"dozens?|half|quarter|third|single|double|triple|\w+fold|several|few|many|no|none|nothing|once|twice|first|"
    r"second|fourth|fifth|sixth|seventh|eighth|ninth|tenth)\b",
    re.IGNORECASE,
)


def lacks_its_number(question: str, answer: str) -> bool:
    """Whether ``question`` asks for a year or a count ("In what year ...?", "How many ...?") and ``answer`` gives
    none ("Tallwater Records"): an answer of another kind."""
    return bool(ASKS_A_NUMBER.search(question)) and not NUMBERED.search(answer)


# A question that asks for a thing's number or code ("What's the VAT number ...?", "What order code ...?"; not "the
# number of", nor "What number ...?"), and what is never such a number: an amount of money, a date ("07/02", "7.2.2024";
# not "6.3", a clause's or a version's number). Of the answered questions of SQuAD v1.1, QED and TyDi QA train that
# ask for one, none has such an answer.
ASKS_AN_IDENTIFIER = re.compile(
    r"^\W*(?:what|which)(?:['’]s|\s+(?:is|was|are|were|do|does|did))?\s+(?:(?:the|our|my|your|their|its|his|her)\s+)?"
    r"(?:[^\W\d_][\w-]*\s+){1,3}?(?:number\b|code\b|no\.)(?!\s+of\b)",
    re.IGNORECASE,
)
# A question that asks for a record's number (a grant's reference, an account, a policy, an order: "What's the
# reference number of the grant ...?"), and a phone number, which is never one ("01632 960233", "+44 161 496 0519"):
# nine digits or more in groups, opening with a trunk "0" or a country's "+". None of the 98,359 answers of SQuAD
# v1.1, QED and TyDi QA train has that form.
ASKS_A_RECORD_NUMBER = re.compile(
    r"\b(?:reference|ref|account|policy|order|invoice|vat|registration|reg|charity|company|customer|membership|case|"
    r"serial|tracking|booking|grant|licen[cs]e|permit|part|claim|patient|passport)\.?\s+(?:number|no\b|code)",
    re.IGNORECASE,
)
PHONE_NUMBER = re.compile(r"(?:\+\d{1,3}[ -]?(?:\(0\))?|0)\d{2,4}[ -]?\d{3,4}[ -]?\d{3,4}")
MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
AMOUNT = re.compile(
    r"[£$€¥][ \t]?\d[\d,]*(?:\.\d+)?|\d[\d,]*(?:\.\d+)?[ \t]?(?:[£$€¥]|pounds?|dollars?|euros?|pence|p)", re.IGNORECASE
)  # an amount of money: "£142.60", "45 pounds"
DATE = re.compile(
    rf"\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?|\d{{1,2}}(?P<stop>[.-])\d{{1,2}}(?P=stop)\d{{2,4}}|\d{{1,2}}(?:st|nd|rd|th)?[ \t]+{MONTH}(?:[ \t]+\d{{4}})?"
    rf"|{MONTH}[ \t]+\d{{1,2}}(?:st|nd|rd|th)?(?:,?[ \t]+\d{{4}})?",
    re.IGNORECASE,
)  # a day's date: "07/02", "12.03.2024", "12 March 2024", "March 3rd"
AMOUNT_OR_DATE = re.compile(f"{AMOUNT.pattern}|{DATE.pattern}", re.IGNORECASE)
# A question that asks when, and one that asks who or where: an amount of money answers neither, a day's date not
# the second ("£3.60" for "When has it got to be paid by?"). Of the answered questions of SQuAD v1.1, QED and TyDi QA
# train that open so (8,474 asking when, 15,797 who or where), none has an amount for its answer, one opens with a
# sum of money ("When Malloy became president ... what was the size of the endowment?": "$350 million"; the rule
# keeps out "£1,059.60, for twelve bags of coffee" for "When ... paid?"), and 4 of those asking who or where a date
# ("Where was she born?": "28 October 1706").
ASKS_WHEN = re.compile(
    r"^\W*(?:(?:by|until|till|since)\s+)?when\b|^\W*(?:on\s+)?what\s+(?:time|date|day)\b", re.IGNORECASE
)
ASKS_WHO_OR_WHERE = re.compile(r"^\W*(?:who|whom|whose|where)\b", re.IGNORECASE)
MONEY_OPENING = re.compile(r"[£$€¥][ \t]?\d")  # a span that opens with a sum of money
EDGE_MARKS = " \t\n:;,.!?"  # what may stand around an answer's value without changing its kind
ASKS_HOW_MUCH = re.compile(r"\bhow\s+(?:much|many)\b", re.IGNORECASE)
DATE_REACH = 24  # characters a day's date may run before or after a piece of it ("Wednesday 14 September 2024")


def of_a_date(question: str, text: str, begin: int, end: int) -> bool:
    """Whether ``question`` asks how much or how many (each of its parts: ``asks``) and the span ``begin:end`` of
    ``text`` lies inside a day's date ("14" of "14 January 2024"): a piece of a date, no amount."""
    if not all(ASKS_HOW_MUCH.search(ask) for ask in asks(question)):
        return False
    near = DATE.finditer(text, max(0, begin - DATE_REACH), min(len(text), end + DATE_REACH))
    return any(found.start() <= begin and end <= found.end() for found in near)


# Times on the clock. A question that asks what date or day is never answered with one alone: of the 520 training
# questions (SQuAD v1.1, QED, TyDi QA) asking so, none ("09:40" of "13/03/2024   09:40"). A question about a part of
# the day takes none of the other half of the clock ("8:15am" for "in the afternoons"): the afternoon or evening is
# never before noon, the morning never after it ("the night" may be either); of the training questions that name a
# morning, afternoon or evening, none is answered with times of the other half.
AM_PM = r"[ \t]?[ap]\.?m\b\.?"
CLOCK = re.compile(rf"\d{{1,2}}(?:[:.]\d{{2}}(?:{AM_PM})?|{AM_PM})", re.IGNORECASE)  # "09:40", "2.45 p.m.", "9am"
CLOCK_TIME = re.compile(r"\b\d{1,2}(?:[:.]\d{2})?[ \t]?(?P<half>[ap])\.?m\b\.?", re.IGNORECASE)  # with its half
ASKS_A_DATE = re.compile(r"\b(?:what|which)\s+(?:date|day)\b", re.IGNORECASE)
PART_OF_DAY = re.compile(r"\b(?:(?P<pm>afternoon|evening)|(?P<am>morning))s?\b", re.IGNORECASE)


def other_half_of_day(question: str, answer: str) -> bool:
    """Whether ``question`` names a part of the day ("in the afternoons") and every time ``answer`` gives is in the
    other half of the clock ("8:15am to 9:00am")."""
    part = PART_OF_DAY.search(question)
    halves = {found.group("half").casefold() for found in CLOCK_TIME.finditer(answer)}
    return part is not None and halves == {"a" if part.group("pm") else "p"}


# A question that names the pressure, temperature or weight it asks for, and the units an answer may give them in:
# "500 ml of water" is no pump's pressure. Of the 91 training answers (SQuAD v1.1, QED, TyDi QA) with a unit to such
# questions, none gives one of another of these kinds.
UNIT_KINDS = {
    "pressure": r"bar|mbar|psi|[kmh]?pa|atm|mmhg|pascals?",
    "temperature": r"°[cf]?|℃|℉|degrees?|kelvin|celsius|fahrenheit",
    "weight": r"mg|g|kg|grams?|kilograms?|kilos?|lbs?|pounds?|oz|ounces?|tonnes?|tons?",
    "volume": r"ml|cl|l|litres?|liters?|millilitres?|milliliters?|gallons?|pints?",
    "length": r"mm|cm|m|km|metres?|meters?|kilometres?|kilometers?|miles?|feet|ft|inch(?:es)?",
}
ASKED_KIND = re.compile(r"\b(pressure|temperature|weight)\b", re.IGNORECASE)
UNIT_GIVEN = re.compile(rf"\d[ \t]?({'|'.join(UNIT_KINDS.values())})(?![^\W\d_])", re.IGNORECASE)


def other_unit(question: str, answer: str) -> bool:
    """Whether ``question`` names one kind of measure it asks for (``ASKED_KIND``) and every unit ``answer`` gives a
    number in is of another kind (``UNIT_KINDS``: "500 ml" for "what is the pump pressure?")."""
    asked = {found.casefold() for found in ASKED_KIND.findall(question)}
    given = {
        kind
        for unit in UNIT_GIVEN.findall(answer)
        for kind, units in UNIT_KINDS.items()
        if re.fullmatch(units, unit, re.IGNORECASE)
    }
    return len(asked) == 1 and bool(given) and not asked & given


def of_another_kind(question: str, answer: str) -> bool:
    """Whether ``answer`` is of another kind than ``question`` asks for (``of_another_kind_than_one``); a question
    asking two things at once takes either's kind ("When is the trip and how much is it?": a date or an amount)."""
    return all(of_another_kind_than_one(ask, answer) for ask in asks(question))


@functools.lru_cache(maxsize=256)
def asks(question: str) -> tuple[str, ...]:
    """The things ``question`` asks: its two parts (``two_part_questions``), or itself."""
    return tuple(two_part_questions(question)) or (question,)


def of_another_kind_than_one(question: str, answer: str) -> bool:
    """Whether ``answer`` is of another kind than a question asking one thing asks for: no number for a year, a date,
    a share or a count (``lacks_its_number``: "How much was the gas bill?" answered "quarterly"), an amount of money
    or a date for a thing's number or code ("£142.60" for "what's our account number with Northgate?"), a phone
    number for a record's, an amount of money for when, who or where, a date for who or where, a time on the clock
    for what date or day, times of the morning for the afternoon and of the afternoon for the morning
    (``other_half_of_day``), a measure in another kind of unit than the one asked (``other_unit``)."""
    text = answer.strip(EDGE_MARKS)  # ": £1,059.60," is an amount
    if ASKS_AN_IDENTIFIER.search(question) and AMOUNT_OR_DATE.fullmatch(text):
        return True
    if ASKS_A_RECORD_NUMBER.search(question) and PHONE_NUMBER.fullmatch(text):
        return True
    if (ASKS_WHEN.search(question) or ASKS_WHO_OR_WHERE.search(question)) and (
        AMOUNT.fullmatch(text) or MONEY_OPENING.match(text)
    ):
        return True
    if (ASKS_WHO_OR_WHERE.search(question) or ASKS_HOW_MUCH.search(question)) and DATE.fullmatch(text):
        return True
    if ASKS_A_DATE.search(question) and CLOCK.fullmatch(text):
        return True
    return lacks_its_number(question, answer) or other_half_of_day(question, text) or other_unit(question, text)


def can_answer(text: str, question: str) -> bool:
    """Whether a span's ``text`` (trimmed) can answer ``question``: it is more than a quote mark, stays within one
    paragraph, list item and table cell, is a whole phrase (``balanced``, ``marks_paired``), does not repeat the
    question's words and, when the question asks who, is no code or number (``CODE``), and is of the kind the
    question asks for (``of_another_kind``)."""
    within = bool(text) and "\n\n" not in text and not across_items(text)
    fits = not (OPENS_WHO.match(question) and CODE.fullmatch(text)) and not of_another_kind(question, text)
    whole = balanced(text) and marks_paired(text)
    return within and fits and whole and not repeats_question(text, question)


def only_a_mark(text: str, begin: int, end: int) -> bool:
    """Whether ``text[begin:end]`` is only the mark that opens a list item or a numbered clause on its line ("1.3",
    "2.", "(b)"), or its number without the stop after it (the "3" of "3. DEPOSIT"): the item's number, never what
    the item says."""
    line = text.rfind("\n", 0, begin) + 1
    whole = ONLY_ITEM_MARK.fullmatch(text, begin, end) or ONLY_ITEM_MARK.fullmatch(text, begin, min(end + 1, len(text)))
    return not text[line:begin].strip() and whole is not None


# A number and the unit it counts ("45 minute", "60 minutes", "3 nights", "2.5 kg"): a measure a question may name its
# row by. Units are words of two letters or more, compared without a plural "s".
NO_UNITS = frozenset("per and or of to in on at for by from with the an as is was are were".split())  # "45 per hour"
MEASURE = re.compile(r"(?<![\w.,])(\d+(?:[.,]\d+)?)[ \t]?-?[ \t]?([^\W\d_]{2,})\b")


def measures(text: str) -> dict[str, set[str]]:
    """The numbers ``text`` gives of each unit ("45 minute" and "1 hour": {"minute": {"45"}, "hour": {"1"}})."""
    found: dict[str, set[str]] = {}
    for number, unit in MEASURE.findall(text):
        if unit.casefold() not in NO_UNITS:
            found.setdefault(unit.casefold().removesuffix("s"), set()).add(number.replace(",", ""))
    return found


# A rate: per a span of time ("per week", "a month", "each night", "/day", "weekly"); a question's "for a whole week"
# asks for one too.
TIME_UNIT = r"(hour|day|week|fortnight|month|year|annum|night)s?"
ASKS_A_RATE = re.compile(
    rf"\b(?:per|a|an|each|every|whole)\s+{TIME_UNIT}\b|\b(hour|dai|week|month|year|night)ly\b", re.I
)
GIVES_A_RATE = re.compile(
    rf"^[^\n]{{0,3}}?(?:\s*(?:per|a|an|each|every)\s+|\s*/\s*){TIME_UNIT}\b|^\s*(hour|dai|week|month|year|night)ly\b",
    re.I,
)
RATE_UNITS = {"dai": "day", "annum": "year"}


def rate_units(found: list[tuple[str, ...]]) -> set[str]:
    """The spans of time of a rate's matches (``ASKS_A_RATE``, ``GIVES_A_RATE``): "day" for "per day" and "daily"."""
    return {RATE_UNITS.get(unit.casefold(), unit.casefold()) for units in found for unit in units if unit}


def other_rate(question: str, text: str, begin: int, end: int) -> bool:
    """Whether the span ``text[begin:end]`` is an amount of a rate over another span of time than the question asks
    for ("£20 per day" for "How much is a loan car for a whole week?"): it ends with one ("per day"), or the passage
    goes on with one right after it ("£20" of "£20 per day")."""
    asked = rate_units(ASKS_A_RATE.findall(question))
    if not asked or not any(char.isdigit() for char in text[begin:end]):
        return False
    last = max((at + 1 for at in range(begin, end) if text[at].isdigit()), default=begin)
    given = rate_units([m.groups() for m in [GIVES_A_RATE.match(text[last : end + 16])] if m])
    return bool(given) and not given & asked


def other_measure(question: str, text: str, at: int) -> bool:
    """Whether the character ``at`` of ``text`` lies in a table row that gives another number of a unit the question
    names and not the question's ("| 60 minutes | £62 |" for "a 45 minute massage"): a row of another thing."""
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    line = text[start : len(text) if end < 0 else end]
    if not ROW_LINE.fullmatch(line):
        return False
    given = measures(line)
    return any(unit in given and not numbers & given[unit] for unit, numbers in measures(question).items())


# A question asking for a contact detail, which has a form of its own: "what's the phone number of ...", "which
# email address ...", "fax number for the contractor?", "what's the direct line for ..." (a phone number; not "How
# many digits has a phone number?" nor "What digit are phone numbers prefixed with?": the question asks what the
# detail is, or which, or asks without a question word).
ASKS_CONTACT = re.compile(
    r"^\W*(?:what(?:['’]?s|\s+(?:is|are|was|were))\b|(?:what|which)(?=\s+(?:phone|telephone|mobile|fax|e-?mail))"
    r"|(?!(?:how|when|where|why|who|whose|whom|what|which|is|are|do|does|did|can|could|would|should|if)\b))"
    r".*?\b(?:(?P<kind>phone|telephone|mobile|fax|e-?mail)[ -]?(?:numbers?|no\b|address(?:es)?)"
    r"|direct[ -](?:line|dial)|land[ -]?line|contact[ -](?:number|no\b))",
    re.IGNORECASE,
)
PHONE_DIGITS = 7  # a phone or fax number has this many digits or more; a reference ("CF-22817") or an extension fewer


def not_the_contact_asked(question: str, text: str, passage: str) -> bool:
    """Whether a span's ``text`` cannot be the contact detail ``question`` asks for (``ASKS_CONTACT``): a phone or
    fax number of fewer than PHONE_DIGITS digits, a fax number from a ``passage`` that never says "fax" (its phone
    number is no answer), an email address without an "@"."""
    asked = ASKS_CONTACT.search(question)
    if asked is None:
        return False
    kind = (asked.group("kind") or "phone").casefold().replace("-", "")
    if kind == "email":
        return "@" not in text
    digits = sum(char.isdigit() for char in text)
    return digits < PHONE_DIGITS or (kind == "fax" and "fax" not in passage.casefold())


# A question that asks who holds a role, an office or a spouse's ("Who is the CEO of ...?", "Who captains the first
# team?", "the name of the club's treasurer", "Who was Maren Holt's husband?"), and the words a passage names that role
# by: a person a passage gives without ever naming the role holds another ("Our Chief Information Security Officer is
# Tomasz Rybak" for the CEO). Only roles a text names by one word or its short form; "leader", "head", "director" and
# "owner" are said in many other ways, a teacher and a parent too ("Chopin's initial piano teacher", "the father of
# calculus"). Of the 314 answered training questions (SQuAD v1.1, QED, TyDi QA) asking so, 9 have a paragraph that
# never names the role ("Who was the first president of the People's Republic of China?": "Mao Zedong", its Chairman).
ROLES = {
    "presiden": "president",
    "minist": "minister",
    "mayor": "mayor",
    "govern": "governor governs governed",
    "secretar": "secretary",
    "treasur": "treasurer",
    "chair": "chair chairman chairwoman chairperson chairs chaired",
    r"\bceo\b|chief executive": "ceo",
    r"\bcfo\b|chief financial|finance director": "cfo",
    r"\bcto\b|chief technolog": "cto",
    r"\bcoo\b|chief operating": "coo",
    r"\bcio\b|chief information": "cio",
    r"\bciso\b|chief information security": "ciso",
    "captain|skipper": "captain captains captained",
    "coach": "coach coaches coached",
    "principal|head": "principal",
    "head": "headteacher headmaster headmistress",
    "manag": "manager manages",
    "edit": "editor edits edited",
    "landlord|landlady": "landlord landlady",
    "husband|wife|spouse|married|marry|marriage|widow|wed": "husband wife spouse",
    "dean|commission|registr|bursar|trustee|vicar|chaplain": "dean commissioner registrar bursar trustee vicar chaplain",
}  # what names a role in a passage (in any case, inside a longer word too: "Headteacher"): the words asking for it
NAMED_BY = {word: named for named, words in ROLES.items() for word in words.split()}
ROLE_TITLE = (
    r"(?:the|a|an|their|its|his|her|our|my|your|this|that|(?:[\w-]+\s+){0,3}?[\w-]+['’]s)\s+"
    r"(?:[\w'’-]+\s+){0,3}?([\w-]+)"
    r"(?=\s*(?:\?|$)|\s+(?:of|for|at|in|on|to)\b)"
)  # "the CEO of", "the club's first team captain?", "the Kingfisher class teacher?"
ASKS_THE_HOLDER = re.compile(
    rf"^\W*(?:who|whom)(?:['’]s|\s+(?:is|was|are|were|will\s+be|has\s+been))\s+{ROLE_TITLE}"
    rf"|\bname\s+of\s+{ROLE_TITLE}|^\W*who\s+([\w-]+)",
    re.IGNORECASE,
)


def role_named_by(question: str) -> str | None:
    """What names the role whose holder ``question`` asks for (a key of ROLES: "ceo|chief executive" for "Who is the
    CEO of ...?", "captain|skipper" for "Who captains ...?"); None when it asks no such thing."""
    found = ASKS_THE_HOLDER.search(question)
    word = next((group for group in found.groups() if group), "") if found else ""
    return NAMED_BY.get(word.casefold())


def not_the_role_asked(question: str, passage: str) -> bool:
    """Whether ``passage`` never names the role whose holder ``question`` asks for (``role_named_by``; each of a
    two-part question's parts: ``asks``): whoever it gives holds another."""
    named = [role_named_by(ask) for ask in asks(question)]
    return all(words is not None and re.search(words, passage, re.IGNORECASE) is None for words in named)


def with_titles(passage: Passage) -> str:
    """A passage's text after the titles of its sections and its table's head row (what names what it gives)."""
    return "\n".join([*(title for _, title in passage.headings), passage.table_head, passage.text])


def worth_reading(question: str, passages: list[Passage]) -> list[Passage]:
    """The passages ``question`` is read in: those with text, less those that never name the role whose holder it
    asks for (``not_the_role_asked``: whoever they give holds another, the CISO for "Who is the CEO?")."""
    return [p for p in passages if p.text.strip() and not not_the_role_asked(question, with_titles(p))]


# A question asking what a value has become ("What is the new adult membership fee?", "what has the steel beam gone
# up to?"), and a span that gives the change ("[from] £45 to £55 per year"): its new value is the answer. Not when the
# question asks of the change or a range ("by how much", "from", "between", "range").
ASKS_NEW_VALUE = re.compile(
    r"\b(?:new|now|current(?:ly)?)\b|\b(?:gone|go|goes|going|went|put|raised?|risen|rises?|increased?|reduced?|cut|"
    r"dropped|fallen|falls?|changed?|moved?)\s+(?:up\s+|down\s+)?to\b",
    re.IGNORECASE,
)
ASKS_OF_THE_CHANGE = re.compile(r"\b(?:by\s+how|from|between|range|change)\b", re.IGNORECASE)
CHANGE_TO = re.compile(r"[^\s\d]*\d[^\s]*(?:[ \t]+\S+)??[ \t]+to[ \t]+(?=[^\s\d]*\d)")  # "£45 to " of "£45 to £55"


def new_value(question: str, text: str, begin: int, end: int) -> tuple[int, int]:
    """``begin, end`` cut to the new value when the span gives a change ("from £45 to £55 per year": "£55 per year")
    and the question asks what the value has become (``ASKS_NEW_VALUE``); else as they are."""
    if not text[:begin].rstrip(" \t").endswith("from") or not ASKS_NEW_VALUE.search(question):
        return begin, end
    if ASKS_OF_THE_CHANGE.search(question):
        return begin, end
    change = CHANGE_TO.match(text, begin, end)
    return (change.end(), end) if change else (begin, end)


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
    for number in SPACED_NUMBER.finditer(text):
        cuts = number.start() < begin < number.end() or number.start() < end < number.end()
        if cuts and begin < number.end() and end > number.start() and not DAY_AND_YEAR.search(number.group()):
            return min(begin, number.start()), max(end, number.end())
    return begin, end


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


def candidates_by_text(spans: list[ReaderSpan]) -> list[tuple[str, float]]:
    """(text, best score) of each distinct answer text among ``spans`` (best first), best first: the candidates a
    confidence is judged on, as ``QA.ask`` groups them."""
    best: dict[str, float] = {}
    for span in spans:
        best.setdefault(span.text, span.score)
    return list(best.items())


def merge_spans(spans: list[ReaderSpan]) -> list[ReaderSpan]:
    """One span per document position (overlapping passages and windows read the same text), best score kept, best first."""
    best: dict[tuple[str, int, int], ReaderSpan] = {}
    for span in spans:
        key = (span.document_id, span.start, span.end)
        if key not in best or span.score > best[key].score:
            best[key] = span
    return sorted(best.values(), key=lambda s: -s.score)


Rows = dict[str, list[list[int]]]  # token ids, token types and attention masks, one list per window
Window = dict[str, list[int]]  # the token ids, token types and attention mask of one window
WindowLogits = tuple[np.ndarray, np.ndarray]  # its start and end logits


class SpanReader:
    """Any AutoModelForQuestionAnswering read over strided windows of question + passage, in the runtime and
    precision chosen for this CPU (``runtime``: the (runtime, precision) pair, see ``qa.runtime.choose_runtime``)."""

    def __init__(
        self,
        model: str = "",
        max_length: int = 256,
        stride: int = 128,
        max_question_tokens: int = 64,
        max_answer_tokens: int = 30,
        threshold: float = 0.0,
        batch_size: int = 16,
        runtime: Runtime = "torch",
        precision: Precision = "fp32",
        workers: int = 0,
    ):
        self.model_name = model
        self.workers = workers  # threads running forward passes (see ``SharedBatches``); 0: two for ONNX, one for torch
        self.runtime = choose_runtime(cpu_flags(), runtime, precision, onnx_available=onnx_available(), int8=False)
        self.max_length = max_length
        self.stride = stride
        self.max_question_tokens = max_question_tokens
        self.max_answer_tokens = max_answer_tokens
        self.threshold = threshold
        self.batch_size = batch_size
        self.windows_read = 0
        self._lock = threading.Lock()

    @locked_cached_property
    def path(self) -> str:
        if self.model_name:
            return self.model_name
        if not (TRAINED_READER_DIR / "config.json").exists():
            raise MissingError(
                f"the trained reader is missing from {TRAINED_READER_DIR}; "
                "train one with 'qa train-reader' or pick the sentence reader"
            )
        return str(TRAINED_READER_DIR)

    @locked_cached_property
    def tokenizer(self):
        from transformers import AutoTokenizer

        with loading_model("reader_model", self.model_name):
            return AutoTokenizer.from_pretrained(local_model(self.path), local_files_only=True)

    @locked_cached_property
    def model(self):
        """The PyTorch model, in bf16 when the reader runs so, else fp32 (the ONNX export starts from it)."""
        import torch
        from transformers import AutoModelForQuestionAnswering

        dtype = torch.bfloat16 if self.runtime == ("torch", "bf16") else torch.float32
        with loading_model("reader_model", self.model_name):
            model = AutoModelForQuestionAnswering.from_pretrained(
                local_model(self.path), dtype=dtype, local_files_only=True
            )
        return model.eval()

    @locked_cached_property
    def run_batch(self) -> Session:
        """One forward pass over a padded batch of windows, in the chosen runtime and precision: (start logits, end
        logits)."""
        runtime, precision = self.runtime
        if runtime == "torch":
            return torch_session(reader_exportable(self.model).module)
        folder = Path(self.path)
        if not folder.is_dir():
            raise OptionError(f"The onnx runtime needs the reader as a local folder, not {self.model_name!r}.")
        run = onnx_session(exported("reader", lambda: reader_exportable(self.model), folder, precision), per_token=True)
        self.__dict__.pop("model", None)  # the session holds its own copy of the weights
        return run

    def warm_up(self) -> None:
        with self._lock:
            self.tokenizer  # noqa: B018 - loads once
            self.run_batch  # noqa: B018
            self.calibration  # noqa: B018
            self.stop_model  # noqa: B018
            self.answerability  # noqa: B018
            self.batcher  # noqa: B018

    @locked_cached_property
    def calibration(self) -> Calibration | None:
        """The confidence model kept beside the weights (``calibration.json``); None when there is none."""
        folder = Path(self.path)
        return Calibration.load(folder) if folder.is_dir() else None

    @locked_cached_property
    def stop_model(self) -> StopModel | None:
        """The stop model kept beside the weights (``stop.json``); None when there is none."""
        folder = Path(self.path)
        return StopModel.load(folder) if folder.is_dir() else None

    @locked_cached_property
    def answerability(self) -> AnswerabilityModel | None:
        """The answerability model kept beside the weights (``answerability.json``); None when there is none."""
        from qa.reading.answerability import AnswerabilityModel

        folder = Path(self.path)
        return AnswerabilityModel.load(folder) if folder.is_dir() else None

    @locked_cached_property
    def history_turns(self) -> int:
        """What its ``training.json`` says (``qa.training.fine_tune.history_turns``); 0 without one."""
        path = Path(self.path) / "training.json"
        if not path.is_file():
            return 0
        try:
            return int(json.loads(path.read_text(encoding="utf-8")).get("history_turns", 0))
        except (ValueError, OSError, AttributeError):
            return 0

    def confidence(self, candidates: Sequence[tuple[str, float]]) -> float | None:
        if self.calibration is None or not candidates:
            return None
        return self.calibration.probability(confidence_features(candidates))

    @locked_cached_property
    def batcher(self) -> SharedBatches[Window, WindowLogits]:
        """Reads the windows of questions asked at the same time in shared passes (see ``SharedBatches``)."""
        workers = self.workers or (2 if self.runtime[0] == "onnx" else 1)
        return SharedBatches(self.forward_windows, workers=workers, name="qa-reader-batches")

    def close(self) -> None:
        """End the threads of its shared passes (they start again if it reads again)."""
        batcher = self.__dict__.pop("batcher", None)
        if batcher is not None:
            batcher.close()

    def logits(self, encoded) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Start and end logits of every window, in input order, read together with the windows of any question
        asked at the same time."""
        names = [n for n in ("input_ids", "token_type_ids", "attention_mask") if n in encoded]
        windows = [{name: list(encoded[name][w]) for name in names} for w in range(len(encoded["input_ids"]))]
        read = self.batcher.run(windows)
        with self._lock:  # a count for evaluations: none lost when two questions are read at once
            self.windows_read += len(windows)
        return [start for start, _ in read], [end for _, end in read]

    def forward_windows(self, windows: list[Window]) -> list[WindowLogits]:
        """``forward`` over windows given one by one: their (start, end) logits."""
        starts, ends = self.forward({name: [w[name] for w in windows] for name in windows[0]})
        return list(zip(starts, ends, strict=True))

    def forward(self, rows: Rows) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Start and end logits of every window (``rows``: token ids, types and masks per window), in input order,
        each as long as its window.
        Windows are batched by length: each batch is padded to its longest window, so one long window does not
        make short ones pay for its padding."""
        count = len(rows["input_ids"])
        order = sorted(range(count), key=lambda i: len(rows["input_ids"][i]))
        starts: list[np.ndarray] = [np.empty(0)] * count
        ends: list[np.ndarray] = [np.empty(0)] * count
        for begin in range(0, count, self.batch_size):
            chosen = order[begin : begin + self.batch_size]
            width = max(len(rows["input_ids"][i]) for i in chosen)
            batch = {}
            for name, values in rows.items():
                pad = self.tokenizer.pad_token_id if name == "input_ids" else 0
                batch[name] = np.array([values[i] + [pad] * (width - len(values[i])) for i in chosen], dtype=np.int64)
            start_logits, end_logits = self.run_batch(batch)
            for row, window in enumerate(chosen):
                length = len(rows["input_ids"][window])
                starts[window], ends[window] = start_logits[row][:length], end_logits[row][:length]
        return starts, ends

    def read(self, question: str, passages: list[Passage], top_n: int = 5) -> list[ReaderSpan]:
        """Candidate spans from the passages worth reading (``worth_reading``), merged and best first (scores: see
        ``best_spans``)."""
        own_question = question.split(HISTORY_SEPARATOR)[0]  # of a question read with its history, the question
        readable = worth_reading(own_question, passages)
        if not readable or not question.strip():
            return []
        self.warm_up()
        words = keyword_stems([question.split(HISTORY_SEPARATOR)[0]])[0]  # (a follow-up's own words)
        views = [reading_view(p.text, p.headings, p.table_head, words, p.about) for p in readable]
        with self._lock:  # a fast tokenizer must not be called from two threads at once
            asked = truncate_question(self.tokenizer, question, self.max_question_tokens)
            encoded = self.tokenizer(
                [asked] * len(readable),
                [view.text for view in views],
                truncation="only_second",
                max_length=self.max_length,
                stride=self.stride,
                return_overflowing_tokens=True,
                return_offsets_mapping=True,
            )
        starts, ends = self.logits(encoded)
        spans = []
        for window, passage_number in enumerate(encoded["overflow_to_sample_mapping"]):
            passage = readable[passage_number]
            offsets = encoded["offset_mapping"][window]
            length = len(offsets)
            context_mask = np.array([s == 1 for s in encoded.sequence_ids(window)])
            for first, last, score in best_spans(
                starts[window][:length], ends[window][:length], context_mask, self.max_answer_tokens, top_n
            ):
                found = views[passage_number].original(offsets[first][0], offsets[last][1])
                begin, end = whole_run(passage.text, *trim_span(passage.text, *found)) if found else (0, 0)
                begin, end = new_value(own_question, passage.text, *whole_number(passage.text, begin, end))
                text = passage.text[begin:end]
                if not can_answer(text, own_question) or only_a_mark(passage.text, begin, end):
                    continue
                if of_a_date(own_question, passage.text, begin, end):
                    continue  # "14" of "14 January 2024" for "how much"
                if other_measure(own_question, passage.text, begin) or other_rate(
                    own_question, passage.text, begin, end
                ):
                    continue  # a row of another size, length or amount than the question's, a price per another time
                if not_the_contact_asked(own_question, text, f"{passage.table_head}\n{passage.text}"):
                    continue  # a reference for a phone number, a phone number for a fax number
                if not whole_words(passage.text, begin, end) or across_rows(passage.text, begin, end):
                    continue  # a piece of a word, or of two lines laid out in columns
                if across_cells(passage.text, begin, end):
                    continue  # two cells of a line laid out in columns
                spans.append(
                    ReaderSpan(
                        document_id=passage.document_id,
                        passage_id=passage.id,
                        start=passage.start + begin,
                        end=passage.start + end,
                        text=text,
                        score=score,
                    )
                )
        return merge_spans(spans)[:top_n]


class SentenceReader:
    """Baseline: the sentences of the passages most similar to the question (cosine of sentence embeddings)."""

    def __init__(self, embedder: Embedder, threshold: float = 0.35):
        self.embedder = embedder
        self.threshold = threshold

    def warm_up(self) -> None:
        self.embedder.warm_up()

    def close(self) -> None:
        """Nothing to end: it runs no thread (its embedder is the engine's)."""

    def confidence(self, candidates: Sequence[tuple[str, float]]) -> float | None:
        return None  # similarities are not probabilities, and no calibration was fitted for them

    windows_read = 0  # it reads sentences, embedded, not windows
    stop_model = None  # it never stops early: it has no confidence
    answerability = None  # nor a model of when to answer
    history_turns = 0  # it reads a question alone

    def read(self, question: str, passages: list[Passage], top_n: int = 5) -> list[ReaderSpan]:
        sentences = [(p, span) for p in passages for span in sentence_spans(p.text)]
        if not sentences or not question.strip():
            return []
        vectors = self.embedder.embed([question] + [p.text[s.start : s.end] for p, s in sentences])
        similarities = vectors[1:] @ vectors[0]
        spans = [
            ReaderSpan(
                document_id=p.document_id,
                passage_id=p.id,
                start=p.start + s.start,
                end=p.start + s.end,
                text=p.text[s.start : s.end],
                score=float(similarity),
            )
            for (p, s), similarity in zip(sentences, similarities, strict=True)
        ]
        return merge_spans(spans)[:top_n]
