"""Answers of the kind a question asks for: a number for how many, a date for when, a phone number for a phone."""

from __future__ import annotations

import functools
import re

from qa.documents.tables import ROW_LINE
from qa.models import Passage
from qa.questions.parts import two_part_questions
from qa.reading.spans import across_items, balanced, marks_paired, repeats_question

OPENS_WHO = re.compile(r"\W*(?:who|whom)(?:['’]s)?\b", re.IGNORECASE)  # a question that opens "Who", "Whom", "Who's"
# Digits and no small letter: a register's number ("R-10", "A-17"), a phone or account number, a year; a person's name
# never. Of the 8,232 answered questions of SQuAD v1.1 train that open "Who", 3 have such an answer ("UTF-8", "U2").
CODE = re.compile(r"[^a-z]*\d[^a-z]*")

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


# A question asking what thing of a kind ("What day does she come in?"), and an answer that is only that kind's word
# ("day"): of the 49,459 answered questions of SQuAD v1.1, QED and TyDi QA (train and dev) that open "What <word>" or
# "Which <word>", 2 have such an answer.
ASKED_NOUN = re.compile(r"^\W*(?:what|which)\s+(?P<noun>[^\W\d_]+)\b", re.IGNORECASE)


def echoes_the_noun_asked(question: str, answer: str) -> bool:
    """Whether ``answer`` is no more than the word for the kind of thing ``question`` asks which one of."""
    asked = ASKED_NOUN.match(question)
    return asked is not None and answer.strip(EDGE_MARKS).casefold() == asked.group("noun").casefold()


def lacks_its_number(question: str, answer: str) -> bool:
    """Whether ``question`` asks for a year or a count ("In what year ...?", "How many ...?") and ``answer`` gives
    none ("Tallwater Records"), or asks how much or how many and gives no number but a year a preposition dates
    something by (``DATED_YEAR``: "the break clause / rent review in 2026") or a date with its month named
    (``NAMED_DATE``: "your claim for Attendance Allowance dated 3 March 2025"): an answer of another kind."""
    if ASKS_HOW_MUCH.search(question):
        answer = DATED_YEAR.sub(" ", NAMED_DATE.sub(" ", answer))
    return bool(ASKS_A_NUMBER.search(question)) and not NUMBERED.search(answer)


# A question that asks for a thing's number or code ("What's the VAT number ...?", typed "whats" too, "What order code
# ...?"; not "the number of", nor "What number ...?"), and what is never such a number: an amount of money, a date
# ("07/02", "7.2.2024"; not "6.3", a clause's or a version's number). Of the answered questions of SQuAD v1.1, QED and
# TyDi QA train that ask for one, none has such an answer.
ASKS_AN_IDENTIFIER = re.compile(
    r"^\W*(?:what|which)(?:['’]?s|\s+(?:is|was|are|were|do|does|did))?\s+(?:(?:the|our|my|your|their|its|his|her)\s+)?"
    r"(?:[^\W\d_][\w-]*\s+){1,3}?(?:number\b|code\b|no\.|ref(?:erence)?\b(?!\s+to\b))(?!\s+of\b)",
    re.IGNORECASE,
)
# A question that asks for a record's number (a grant's reference, an account, a policy, an order: "What's the
# reference number of the grant ...?"), and a phone number, which is never one ("01632 960233", "+44 161 496 0519"):
# nine digits or more in groups, opening with a trunk "0" or a country's "+". None of the 98,359 answers of SQuAD
# v1.1, QED and TyDi QA train has that form.
ASKS_A_RECORD_NUMBER = re.compile(
    r"\b(?:reference|ref|account|policy|order|invoice|vat|registration|reg|charity|company|customer|membership|case|"
    r"serial|tracking|booking|grant|licen[cs]e|permit|part|claim|patient|passport|certificate|ticket|confirmation|"
    r"reservation|receipt|contract|tax|employee|staff|student|vehicle|pension|insurance|flight|seat|gate|platform|room)"
    r"\.?\s+(?:number|no\b|code|ref(?:erence)?\b)",
    re.IGNORECASE,
)
PHONE_NUMBER = re.compile(r"(?:\+\d{1,3}[ -]?(?:\(0\))?|0)\d{2,4}[ -]?\d{3,4}[ -]?\d{3,4}")
# A month's name, in full or as its usual abbreviation ("Sept."): not a word it opens ("12 marks", "3 novels").
MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?:\.|(?![^\W\d_]))"
)
AMOUNT = re.compile(
    r"[£$€¥][ \t]?\d[\d,]*(?:\.\d+)?|\d[\d,]*(?:\.\d+)?[ \t]?(?:[£$€¥]|pounds?|dollars?|euros?|pence|p)", re.IGNORECASE
)  # an amount of money: "£142.60", "45 pounds"
DATE = re.compile(
    rf"\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?|\d{{1,2}}(?P<stop>[.-])\d{{1,2}}(?P=stop)\d{{2,4}}|\d{{1,2}}(?:st|nd|rd|th)?[ \t]+{MONTH}(?:[ \t]+\d{{4}})?"
    rf"|{MONTH}[ \t]+\d{{1,2}}(?:st|nd|rd|th)?(?:,?[ \t]+\d{{4}})?",
    re.IGNORECASE,
)  # a day's date: "07/02", "12.03.2024", "12 March 2024", "March 3rd"
AMOUNT_OR_DATE = re.compile(f"{AMOUNT.pattern}|{DATE.pattern}", re.IGNORECASE)
# A year a preposition dates something by ("in 2026", "since 2019", "by March 2025"; "by", "from", "after" and
# "before" only with a month: "grew by 2000", "from 1800 to 2000" are counts): no count or amount, whatever its
# digits. Of the 7,663 answered questions of SQuAD v1.1, QED and TyDi QA (train and dev) that ask how much or how
# many, none is answered with no other number than such a year (a bare "2000" or "1500" may be a count, and is one
# there); 11 answers lie within one, each where the data set's offset points into a year ("3" of "in August 2003"
# for "How many times was the release put off?") or gives it as the count ("How many states was Germany reduced to
# in 1952?": "1952", the text says nine).
DATED_YEAR = re.compile(
    rf"(?:\b(?:in|since|until|till|during)[ \t]+(?:{MONTH}[ \t]+)?|\b(?:by|from|after|before)[ \t]+{MONTH}[ \t]+)"
    r"(?P<year>(?:1[5-9]|20)\d\d)\b(?![\d,])",
    re.IGNORECASE,
)
# A day's date with its month named in full or as its usual abbreviation ("3 March 2025", "Sept. 9th"): of the 7,663
# answered questions of SQuAD v1.1, QED and TyDi QA (train and dev) that ask how much or how many, none is answered
# with no other number than such a date or a year a preposition dates something by (``DATED_YEAR``); 2 are fractions
# ``DATE`` takes for days ("1/3 to 1/2").
NAMED_DATE = re.compile(
    rf"\b\d{{1,2}}(?:st|nd|rd|th)?[ \t]+{MONTH}(?:[ \t]+\d{{4}})?|\b{MONTH}[ \t]+\d{{1,2}}(?:st|nd|rd|th)?\b"
    r"(?:,?[ \t]+\d{4})?",
    re.IGNORECASE,
)
# A question that asks when, and one that asks who or where: an amount of money answers neither, a day's date not
# the second ("£3.60" for "When has it got to be paid by?"), nor a time on the clock (``AT_CLOCK``). Of the answered
# questions of SQuAD v1.1, QED and TyDi QA train that open so (8,474 asking when, 15,797 who or where), none has an
# amount for its answer, one opens with a sum of money ("When Malloy became president ... what was the size of the
# endowment?": "$350 million"; the rule keeps out "£1,059.60, for twelve bags of coffee" for "When ... paid?"), and
# 4 of those asking who or where a date ("Where was she born?": "28 October 1706").
ASKS_WHEN = re.compile(
    r"^\W*(?:(?:by|until|till|since)\s+)?when\b|^\W*(?:on\s+)?what\s+(?:time|date|day)\b", re.IGNORECASE
)
ASKS_WHO_OR_WHERE = re.compile(r"^\W*(?:who|whom|whose|where)\b", re.IGNORECASE)
MONEY_OPENING = re.compile(r"[£$€¥][ \t]?\d")  # a span that opens with a sum of money
EDGE_MARKS = " \t\n:;,.!?"  # what may stand around an answer's value without changing its kind
ASKS_HOW_MUCH = re.compile(r"\bhow\s+(?:much|many)\b", re.IGNORECASE)
# A number, whose digits, when they open with a nought and another digit, are a reference's, an account's or a phone's
# ("0039127"), never a count's or an amount's: of the 6,785 answers to "how much/many" in SQuAD v1.1, QED and TyDi QA
# train, none has such a first number.
FIRST_NUMBER = re.compile(r"(?<![\d.,])\d+")
# An email or web address, and a question that may be answered by one: it asks how to write to or reach someone,
# where, or for an address, a site or a link. Of the 98,359 answers of SQuAD v1.1, QED and TyDi QA train, one is such
# an address ("www.usps.com", for "what is the website for the united states postal service"), though 45 of their
# paragraphs hold one; a grant's sender's "grants@halfordcf.example.org" names no grant.
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
WEB_ADDRESS = re.compile(rf"{EMAIL.pattern}|\bhttps?://|\bwww\.[\w-]+\.", re.IGNORECASE)
ASKS_AN_ADDRESS = re.compile(
    r"e-?mail|web|site|url|link|address|contact|reach|write|online|domain|page|inbox|portal|log\s*in|sign\s*up"
    r"|download|^\W*where\b",
    re.IGNORECASE,
)
# A question that asks for an e-mail address ("whats the email address for the tyre supplier", "what email do I send
# newsletter pieces to?") is answered with one ("newsletter address" is none). No training question asks so.
ASKS_AN_EMAIL = re.compile(
    r"\be-?mail\s+address(?:es)?\b|\b(?:what|which)(?:['’]s|\s+is|\s+was)?\s+(?:(?:the|their|our|my|his|her|its|your)\s+)?"
    r"e-?mail\s+(?:do|does|did|should|can|could|is|was|will|would|shall|must|for|of|to)\b",
    re.IGNORECASE,
)
DATE_REACH = 24  # characters a day's date may run before or after a piece of it ("Wednesday 14 September 2024")


def of_a_date(question: str, text: str, begin: int, end: int) -> bool:
    """Whether ``question`` asks how much or how many (each of its parts: ``asks``) and the span ``begin:end`` of
    ``text`` lies inside a day's date ("14" of "14 January 2024") or a year a preposition dates something by
    ("2026" of "rent review in 2026": ``DATED_YEAR``): a piece of a date, no amount."""
    if not all(ASKS_HOW_MUCH.search(ask) for ask in asks(question)):
        return False
    window = (max(0, begin - DATE_REACH), min(len(text), end + DATE_REACH))
    if any(found.start() <= begin and end <= found.end() for found in DATE.finditer(text, *window)):
        return True
    return any(found.start("year") <= begin and end <= found.end() for found in DATED_YEAR.finditer(text, *window))


# Times on the clock. A question that asks what date or day is never answered with one alone: of the 520 training
# questions (SQuAD v1.1, QED, TyDi QA) asking so, none ("09:40" of "13/03/2024   09:40"). A question about a part of
# the day takes none of the other half of the clock ("8:15am" for "in the afternoons"): the afternoon or evening is
# never before noon, the morning never after it ("the night" may be either); of the training questions that name a
# morning, afternoon or evening, none is answered with times of the other half.
AM_PM = r"[ \t]?[ap]\.?m\b\.?"
CLOCK = re.compile(rf"\d{{1,2}}(?:[:.]\d{{2}}(?:{AM_PM})?|{AM_PM})", re.IGNORECASE)  # "09:40", "2.45 p.m.", "9am"
# A time on the clock, perhaps after its preposition and a verb ("starting at 10:30am"): none of the 17,875 training
# answers to who or where (SQuAD v1.1, QED, TyDi QA, train and dev) is one.
AT_CLOCK = re.compile(
    rf"(?:[^\W\d_]+ing[ \t]+)?(?:(?:at|from|by|until|till|before|after|around|about)[ \t]+)?(?:{CLOCK.pattern})",
    re.IGNORECASE,
)
CLOCK_TIME = re.compile(r"\b\d{1,2}(?:[:.]\d{2})?[ \t]?(?P<half>[ap])\.?m\b\.?", re.IGNORECASE)  # with its half
ASKS_A_DATE = re.compile(r"\b(?:what|which)\s+(?:date|day)\b", re.IGNORECASE)
# A question that asks at what time of the day something is or will be ("What time will the gates open?") is never
# answered with a day's date or a weekday without a time on the clock ("Thursday 4 September 2025", the day the
# change starts): of the 19 training questions (SQuAD v1.1, QED, TyDi QA) that ask so, none. Asked of the past
# ("At what time did Bardeen and Brattain experiment...?": "November 17, 1947 to December 23, 1947"), or of a time of
# year or a period, the time may be a date.
ASKS_A_TIME = re.compile(
    r"\bwhat\s+time\s+(?:do|does|will|is|are|should|can|could|must|would|shall|need|has|have)\b", re.IGNORECASE
)
WEEKDAY = re.compile(r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)days?\b", re.IGNORECASE)
# A day's date, perhaps after its weekday ("Saturday 14 June"): none of the 25,493 training answers (SQuAD v1.1, QED,
# TyDi QA, train and dev) to who, where or how much is one with its weekday, 4 are one without.
DAY_DATE = re.compile(rf"(?:{WEEKDAY.pattern},?[ \t]+(?:the[ \t]+)?)?(?:{DATE.pattern})", re.IGNORECASE)
PART_OF_DAY = re.compile(r"\b(?:(?P<pm>afternoon|evening)|(?P<am>morning))s?\b", re.IGNORECASE)


# A question that asks when something is in a year it names at its end ("when does the autumn term start in September
# 2025?", "When is the AGM in 2025?"), the year not in a clause of its own ("When did the recession that began in
# December 2007 end?", "... lower than it had been in 1986?"), is not answered with a date of another year ("Wednesday
# 4 September 2024", last year's letter): of the 7 training questions (SQuAD v1.1, QED, TyDi QA) that ask so, none;
# with the year in a clause, 6 of 30 are.
YEAR_ASKED = re.compile(
    rf"\bin[ \t]+(?:(?:early|late|mid)[ \t-]+)?(?:{MONTH}[ \t]+)?((?:19|20)\d\d)[ \t]*\??[ \t]*$", re.I
)
CLAUSE_WORD = re.compile(
    r"\b(?:that|which|who|whose|following|after|before|since|than|until|till|when|while|where|because|if)\b", re.I
)
YEAR_GIVEN = re.compile(r"(?<!\d)(?:1[5-9]|20)\d\d(?![\d/])")  # "2024" of "30/06/2024", not of "2024/25"


def other_year(question: str, answer: str) -> bool:
    """Whether ``question`` asks when (``ASKS_WHEN``, ``ASKS_A_DATE``) something is in the year it names at its end,
    outside a clause (``YEAR_ASKED``, ``CLAUSE_WORD``), and ``answer`` names years, none of them that one."""
    question = question.strip()
    asked = YEAR_ASKED.search(question)
    if not asked or not (ASKS_WHEN.search(question) or ASKS_A_DATE.search(question)):
        return False
    opening = ASKS_WHEN.match(question)  # its "when" is no clause's
    if CLAUSE_WORD.search(question, opening.end() if opening else 0, asked.start()):
        return False
    given = YEAR_GIVEN.findall(answer)
    return bool(given) and asked.group(1) not in given


YEAR_AFTER = re.compile(r",?[ \t]+(?:19|20)\d\d\b")  # the year after a day's date ("17 October 2024")


def date_of_another_year(question: str, text: str, begin: int, end: int) -> bool:
    """Whether the span ``begin:end`` of ``text``, read with the year that follows it ("Thursday 17 October" of
    "Thursday 17 October 2024"), is a date of another year than the one ``question`` asks in (``other_year``)."""
    after = YEAR_AFTER.match(text, end)
    return other_year(question, text[begin:end] + (after.group() if after else ""))


# A message's header line giving when it was sent ("Date: Fri, 21 Mar 2025 08:15:02 +0000", Outlook's "Sent:"), beside
# the header's other lines; and a question about a message (when it was sent, written, replied to).
SENT_LINE = re.compile(r"(?:Date|Sent):[ \t]", re.IGNORECASE)
HEADER_LINE = re.compile(r"(?:From|To|Cc|Subject):[ \t]", re.IGNORECASE)
ASKS_OF_A_MESSAGE = re.compile(
    r"\b(?:e-?mail|message|mail|post|sent|send|wrote|written|write|repl(?:y|ied|ies)|received|forwarded)", re.IGNORECASE
)


def when_sent(question: str, text: str, begin: int, end: int) -> bool:
    """Whether ``question`` asks what time something is (``ASKS_A_TIME``), not of a message, and the span
    ``begin:end`` of ``text`` lies in a message's header line saying when it was sent (``SENT_LINE`` beside a
    ``HEADER_LINE``): the time the message went, not the time of what it is about ("21 Mar 2025 08:15" for "what
    time does the AGM start?", the e-mail's "Date:" over "the AGM is at 2pm")."""
    if not ASKS_A_TIME.search(question) or ASKS_OF_A_MESSAGE.search(question):
        return False
    start = text.rfind("\n", 0, begin) + 1
    if not SENT_LINE.match(text, start) or "\n" in text[begin:end]:
        return False
    lines = [text.rfind("\n", 0, start - 1) + 1] if start else []  # the line before, and the line after
    lines += [text.find("\n", end) + 1] if "\n" in text[end:] else []
    return any(HEADER_LINE.match(text, at) for at in lines)


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


# A question that asks for a sum of money ("How much did the tickets cost?", "What's the parking fee?", "how much per
# kilo are we paying?"; not "how much notice do they give so they don't get charged?"), and the units of a measure that
# is none (a time, a length, a weight...): "3 months" is no ticket's price, "30 days from invoice" no price a kilo. Of
# the 335 answered questions of SQuAD v1.1, QED and TyDi QA (train and dev) that ask so (counted on 2026-12-07), none
# is answered with such a measure without an amount.
ASKS_MONEY = re.compile(
    r"\bhow\s+much\s+(?:money\s+)?(?:(?:per|a|an|each|every)\s+[^\W\d_]+\s+)?"  # "how much per week did they charge"
    r"(?:do|does|did|is|was|are|were|will|would|should|can|could|has|have|had)\b[^?]*?"
    r"\b(?:cost(?:s|ed|ing)?|pa(?:y|ys|id|ying)|price[sd]?|charg(?:e[sd]?|ing)|fees?|spend(?:ing)?|spent|sell(?:ing)?|sold)\b"
    r"|\b(?:what|which)(?:['’]s|\s+(?:is|was|are|were|will))?\s+(?:(?:the|our|my|your|their|its)\s+)?"
    r"(?:[^\W\d_][\w-]*\s+){0,3}?(?:cost|price|fee|charge|rent|fare)s?\b(?!\s+(?:of|in)\s+(?:lives|life|time))",
    re.IGNORECASE,
)
NOT_MONEY_UNITS = {
    **UNIT_KINDS,
    "time": r"hours?|hrs?|days?|weeks?|fortnights?|months?|years?|minutes?|mins?|nights?",
    "power": r"[km]?w|watts?|kilowatts?|megawatts?|hp|horsepower",
}
MEASURE_QUALIFIER = r"(?:working|business|calendar|clear|full|whole)[ \t]+"  # "3–5 working days", "10 clear days"
MEASURE_GIVEN = re.compile(
    rf"\d[ \t]?(?:{MEASURE_QUALIFIER})?(?:{'|'.join(NOT_MONEY_UNITS.values())})(?![^\W\d_])", re.IGNORECASE
)
UNIT_AFTER = re.compile(r"[ \t]?[^\W\d_]+")  # the word after a number: its unit, if it has one ("3 months")
# A question that asks how many things and names no money, which a sum of money never answers ("£21,630" for "How many
# food parcels did we hand out?"): of the 6,260 answered questions of SQuAD v1.1, QED and TyDi QA (train and dev) that
# ask so, none is answered with a span opening with one ("In 2012, how many investment banking fees were paid out?":
# "$40 billion" names its fees).
ASKS_HOW_MANY = re.compile(r"\bhow\s+many\b", re.IGNORECASE)
MONEY_NAMED = re.compile(
    r"\b(?:fees?|costs?|prices?|paid|pay|money|dollars?|pounds?|euros?|yen|francs?|spen[dt]|worth|budget|funds?|"
    r"funding|income|revenue|charges?|sales?|profits?|earn\w*|salar\w*|wages?)\b",
    re.IGNORECASE,
)


def a_measure_for_money(question: str, answer: str) -> bool:
    """Whether ``question`` asks for a sum of money (``ASKS_MONEY``) and ``answer`` gives a measure in a unit of
    something else ("3 months", "2 km") and no amount."""
    return bool(ASKS_MONEY.search(question) and MEASURE_GIVEN.search(answer)) and not AMOUNT.search(answer)


def money_for_how_many(question: str, answer: str) -> bool:
    """Whether ``question`` asks how many things, naming no money (``MONEY_NAMED``), and ``answer`` opens with a sum of
    money."""
    return bool(ASKS_HOW_MANY.search(question) and MONEY_OPENING.match(answer)) and not MONEY_NAMED.search(question)


def measure_for_money(question: str, text: str, begin: int, end: int) -> bool:
    """Whether the span ``begin:end`` of ``text``, read with the unit after the number it ends with ("3" of "3
    months"), is a measure of something else for a question that asks for a sum of money (``a_measure_for_money``)."""
    span = text[begin:end]
    unit = UNIT_AFTER.match(text, end) if span[-1:].isdigit() else None
    return a_measure_for_money(question, span + (unit.group() if unit else ""))


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
    number for a record's, words for a record's number (``not_a_records_number``), the word for the kind of thing
    asked for which one (``echoes_the_noun_asked``: "day" for "What day ...?"), an amount of money for when, who or
    where, a date (perhaps after its weekday: ``DAY_DATE``) for who or where, a time on the clock for who or where
    (``AT_CLOCK``) or for what date or day, a day without one for what time of
    the day (``ASKS_A_TIME``), times of the morning for the afternoon and of the afternoon for the morning
    (``other_half_of_day``), a measure in another kind of unit than the one asked (``other_unit``), a date of
    another year than the one asked (``other_year``), a measure of time, length or weight for a sum of money
    (``a_measure_for_money``), a sum of money for how many things (``money_for_how_many``), an email or web address
    for what asks for none (``ASKS_AN_ADDRESS``), no e-mail address for one (``ASKS_AN_EMAIL``), a number opening
    with a nought for how much or many."""
    text = answer.strip(EDGE_MARKS)  # ": £1,059.60," is an amount
    if ASKS_AN_IDENTIFIER.search(question) and AMOUNT_OR_DATE.fullmatch(text):
        return True
    if ASKS_A_RECORD_NUMBER.search(question) and PHONE_NUMBER.fullmatch(text):
        return True
    if not_a_records_number(question, text) or echoes_the_noun_asked(question, text):
        return True
    if (ASKS_WHEN.search(question) or ASKS_WHO_OR_WHERE.search(question)) and (
        AMOUNT.fullmatch(text) or MONEY_OPENING.match(text)
    ):
        return True
    if (ASKS_WHO_OR_WHERE.search(question) or ASKS_HOW_MUCH.search(question)) and DAY_DATE.fullmatch(text):
        return True
    if (ASKS_A_DATE.search(question) and CLOCK.fullmatch(text)) or (
        ASKS_WHO_OR_WHERE.search(question) and AT_CLOCK.fullmatch(text)
    ):
        return True
    if ASKS_A_TIME.search(question) and (DATE.search(text) or WEEKDAY.search(text)) and not CLOCK.search(text):
        return True
    if WEB_ADDRESS.search(text) and not ASKS_AN_ADDRESS.search(question):
        return True
    if ASKS_AN_EMAIL.search(question) and not EMAIL.search(text):
        return True
    if ASKS_HOW_MUCH.search(question) and a_code(text):
        return True
    if a_measure_for_money(question, text) or money_for_how_many(question, text):
        return True
    return (
        lacks_its_number(question, answer)
        or other_half_of_day(question, text)
        or other_unit(question, text)
        or other_year(question, text)
    )


def records_number_asked(question: str) -> str | None:
    """What ``question`` asks a record by, when it asks what a record's number is ("whats the garage VAT reg number",
    "What is the policy number?": "number"; "the booking reference": "reference"); None when it asks none (not "What
    is the number one ...?", nor a code, which may be letters)."""
    record = ASKS_A_RECORD_NUMBER.search(question)
    if record is None or not ASKS_AN_IDENTIFIER.search(question):
        return None
    asked = record.group().split()[-1].casefold()
    return None if asked == "code" else asked


def not_a_records_number(question: str, text: str) -> bool:
    """Whether ``text`` cannot be the record's number ``question`` asks for (``records_number_asked``): it is not
    mostly numbers, or for a reference, which may be letters ("a booking reference": "KXPQRT"), not a code either
    ("Casa das Amendoeiras" is the flat booked, no booking's reference)."""
    asked = records_number_asked(question)
    if asked is None:
        return False
    return not mostly_numbers(text) and not (asked in {"ref", "reference"} and in_capitals(text))


def in_capitals(text: str) -> bool:
    """Whether every word of ``text`` is in capitals or holds a digit: a code ("KXPQRT", "HCF/2024/0392")."""
    words = [word for word in text.split() if any(c.isalnum() for c in word)]
    return bool(words) and all(word.upper() == word or any(c.isdigit() for c in word) for word in words)


def mostly_numbers(text: str) -> bool:
    """Whether at least half the words of ``text`` hold a digit: a record's number ("No. 318 4471 62", "BWE-0047 3318
    92"), not a title that gives a year ("Brackley Road Garage – price list 2024")."""
    words = [word for word in text.split() if any(c.isalnum() for c in word)]
    return 2 * sum(any(c.isdigit() for c in word) for word in words) >= len(words) > 0


def a_code(text: str) -> bool:
    """Whether the first number of ``text`` opens with a nought and another digit ("0039127"; not "0.5", "0")."""
    number = FIRST_NUMBER.search(text)
    return number is not None and re.match(r"0\d", number.group()) is not None


def can_answer(text: str, question: str) -> bool:
    """Whether a span's ``text`` (trimmed) can answer ``question``: it is more than a quote mark, stays within one
    paragraph, list item and table cell, is a whole phrase (``balanced``, ``marks_paired``), does not repeat the
    question's words and, when the question asks who, is no code or number (``CODE``), and is of the kind the
    question asks for (``of_another_kind``)."""
    within = bool(text) and "\n\n" not in text and not across_items(text)
    fits = not (OPENS_WHO.match(question) and CODE.fullmatch(text)) and not of_another_kind(question, text)
    whole = balanced(text) and marks_paired(text)
    return within and fits and whole and not repeats_question(text, question)


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
# How a number that no mobile has opens, in the English-speaking countries whose numbers open with a trunk "0": a
# geographic "01" (the UK's "01632 960241", Ireland's Dublin, South Africa's, India's Delhi) or the UK's and
# Australia's "03", and the UK's code with "1", "2" or "3" ("+44 (0)20 7946 0000"). Not "02" (New Zealand's mobiles)
# nor "04" (Australia's), "07" (the UK's mobiles, Queensland's landlines) or "08" (Ireland's mobiles). (Germany's
# mobiles open "015" to "017": a German number in an English document is read as a landline.)
LANDLINE = re.compile(r"\+44[ \t]?(?:\(0\)[ \t]?)?[123]|0[13]")


def not_the_contact_asked(question: str, text: str, passage: str) -> bool:
    """Whether a span's ``text`` cannot be the contact detail ``question`` asks for (``ASKS_CONTACT``): a phone or
    fax number of fewer than PHONE_DIGITS digits, a fax number from a ``passage`` that never says "fax" (its phone
    number is no answer), a landline's number for a mobile's (``LANDLINE``), an email address without an "@"."""
    asked = ASKS_CONTACT.search(question)
    if asked is None:
        return False
    kind = (asked.group("kind") or "phone").casefold().replace("-", "")
    if kind == "email":
        return "@" not in text
    digits = sum(char.isdigit() for char in text)
    number = re.search(r"\+?\d", text)  # where the number opens ("him on 01632 960241": at its "0")
    landline = kind == "mobile" and number is not None and LANDLINE.match(text, number.start()) is not None
    return digits < PHONE_DIGITS or landline or (kind == "fax" and "fax" not in passage.casefold())


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


# A label before a number ("No. 318 4471 62", "Ref: 40917", "Tel. 01632 960241", "#12"): no part of a thing's number
# or code. Of the answers of SQuAD v1.1, QED and TyDi QA train, 10 open so, each a rank ("No. 10", "#2") for a question
# that asks no number or code (``ASKS_AN_IDENTIFIER``).
NUMBER_LABEL = re.compile(r"(?:(?:no|nr|ref|reg|tel)\.?:?[ \t]*|#[ \t]*)+(?=\d)", re.IGNORECASE)


def value_asked(question: str, text: str, begin: int, end: int) -> tuple[int, int]:
    """``begin, end`` cut to the value ``question`` asks for: the new value of a change (``new_value``), a number
    without the label before it (``NUMBER_LABEL``) when the question asks for a thing's number or code."""
    begin, end = new_value(question, text, begin, end)
    label = NUMBER_LABEL.match(text, begin, end)
    return (label.end(), end) if label and ASKS_AN_IDENTIFIER.search(question) else (begin, end)


def new_value(question: str, text: str, begin: int, end: int) -> tuple[int, int]:
    """``begin, end`` cut to the new value when the span gives a change ("from £45 to £55 per year": "£55 per year")
    and the question asks what the value has become (``ASKS_NEW_VALUE``); else as they are."""
    if not text[:begin].rstrip(" \t").endswith("from") or not ASKS_NEW_VALUE.search(question):
        return begin, end
    if ASKS_OF_THE_CHANGE.search(question):
        return begin, end
    change = CHANGE_TO.match(text, begin, end)
    return (change.end(), end) if change else (begin, end)
