"""What a reader's span may be: trimmed to its marks, whole words and numbers, within one item, row and cell."""

from __future__ import annotations

import pytest

from qa.reading.kinds import can_answer
from qa.reading.spans import (
    across_cells,
    across_heading,
    across_items,
    across_lines,
    across_rows,
    balanced,
    marks_paired,
    only_a_mark,
    repeats_question,
    spaced_numbers,
    trim_span,
    whole_number,
    whole_run,
    whole_words,
    word_runs,
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("“moving slowly but surely", "moving slowly but surely"),
        ("No one has any illusions about this.”", "No one has any illusions about this."),
        ("“totally unacceptable.”", "“totally unacceptable.”"),
        ('"quoted" word', '"quoted" word'),
        ("  Rogozin ’", "Rogozin"),
        ("«", ""),
        ("**Prof. Adaeze Okonkwo**", "Prof. Adaeze Okonkwo"),
        ("Prof. Adaeze Okonkwo**", "Prof. Adaeze Okonkwo"),
        ("01632 960233  ·", "01632 960233"),
        ("** CT-2023-118\n- *", "CT-2023-118"),
        ("## Méthodes", "Méthodes"),
        ("> `pip install qa`", "pip install qa"),
        ("| 500 ml |", "500 ml"),
        ("-5 °C", "-5 °C"),
        ("+44 20 7946 0958", "+44 20 7946 0958"),
        ("C#", "C#"),
        ("well-known", "well-known"),
        ("step 1 -", "step 1 -"),
        ("`__init__`", "__init__"),
        ("~5 minutes", "~5 minutes"),
        ("--verbose", "--verbose"),
        ("C++", "C++"),
        ("a deposit of £1,350.\n3.2", "a deposit of £1,350."),  # the next clause's number
        ("for the Property;\n  (b)", "for the Property;"),
        ("Zoë Ødegård\n2.", "Zoë Ødegård"),
        ("paid in\n1998", "paid in\n1998"),  # a year on a wrapped line is no clause's number
        ("costs rose by\n3.5%", "costs rose by\n3.5%"),
    ],
)
def test_trim_span_drops_unpaired_quotes_and_markup_and_keeps_offsets(text, expected):
    document = "Он сказал: " + text + " — конец"
    start = document.index(text)
    begin, end = trim_span(document, start, start + len(text))
    assert document[begin:end] == expected
    assert start <= begin <= end <= start + len(text)


@pytest.mark.parametrize(
    "document, span, expected",
    [
        (
            "goes up to **£78 per hour +VAT** from **1 June 2024**.",
            "£78 per hour +VAT** from **1 June 2024",
            "£78 per hour +VAT",
        ),
        ("**Zoë Ødegård** (chair) said", "Zoë Ødegård** (chair", "Zoë Ødegård"),
        ("goes up to **£78 per hour**", "up to **£78 per hour", "£78 per hour"),
        ("- **Phone:** 0161 496 0519\n", "Phone:** 0161 496 0519", "0161 496 0519"),  # a bold label: its value
        ("- **Phone**: 0161 496 0519\n", "Phone**: 0161 496 0519", "0161 496 0519"),
        ("the **new** rate", "the **new** rate", "the **new** rate"),  # a whole bold run inside
        ("a**b** c", "b** c", "b** c"),  # no run opens before the span
    ],
)
def test_trim_span_keeps_a_span_to_the_bold_run_it_runs_out_of(document, span, expected):
    start = document.index(span)
    begin, end = trim_span(document, start, start + len(span))
    assert document[begin:end] == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Dmitry Rogozin (pictured)", True),
        ("the “newest combatant command” (SPACECOM)", True),
        ("f(x[1]) = {2}", True),
        ("Moscow’s plan", True),  # an apostrophe is no quote
        ("«мир» и «война»", True),
        ("", True),
        ("SPACECOM) as the “newest combatant command", False),
        ("Fort Le Boeuf (present-day Waterford", False),
        ("1913)", False),
        ("([mixed)]", False),
        ("“unclosed", False),
    ],
)
def test_balanced_spans_close_what_they_open(text, expected):
    assert balanced(text) is expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Edmund Carrow, founder of the town\n- Maren Holt", True),
        ("£96,500\n  * **Period:** 2023", True),
        ("descale the boiler\n2. Rinse", True),
        ("Zoë Ødegård\n• Kraków", True),
        ("E3 | The water tank is empty", True),
        ("01632 960233  ·  grants@halford.example", True),  # a letterhead's details, a dot between them
        ("Zoë·Ødegård", False),
        ("Fill the tank. |\n| E5", True),
        ("£1.84 million |\nThe contingency of £160,000", True),  # out of a table's last row into the line after it
        ("a deposit of £1,350.\n3.2", True),  # into a contract's next numbered clause
        ("for the Property;\n(b) to keep", True),
        ("the Tenants\n(iv) the Landlord", True),
        ("8:15am to 9:00am\n    Afternoon:  2:45pm", True),  # into the next field of a letter or a form
        ("Cobbold & Finch Lettings\nLandlord:            Mr G. Teale", True),
        ("Flat 2\nDate of issue: 10 March 2025", True),
        ("Kraków\nÓrgano rector: Senado", True),
        ("Clearview Glazing Ltd:  R. Mensah", True),  # a field's name into its value set apart in a column
        ("Issued:\t18 June 2024", True),
        ("Star Wars: Episode IV", False),  # a colon and one space: a title, a sentence's
        ("as the report puts\nit plainly: costs rose", False),  # a wrapped line of prose, in lower case
        ("the meeting at\n10:30 we agreed", False),
        ("the website\nhttps://example.org", False),
        ("in the spring of\n2024 we moved", False),  # a line wrapped before a number
        ("costs rose by\n3.5% in May", False),
        ("a || b", False),
        ("a line wrapped\nin the middle of a sentence", False),
        ("the year\n1998. It rained", False),
        ("well-known\n-5 °C", False),
    ],
)
def test_across_items_finds_a_span_running_into_the_next_list_item_or_table_cell(text, expected):
    assert across_items(text) is expected


def widened_in(widen, text: str, piece: str) -> str:
    """What ``widen`` (``whole_number``, ``whole_run``) makes of the span ``piece`` of ``text``."""
    begin = text.index(piece)
    start, end = widen(text, begin, begin + len(piece))
    return text[start:end]


@pytest.mark.parametrize(
    ("piece", "widened"),
    [
        ("No. 318", "No. 318 4471 62"),  # a VAT number in groups a space apart
        ("4471", "318 4471 62"),
        ("01604", "01604 338190"),
        ("552", "552 918 04"),  # "FLH-552 918 04": the code's letters are whole_run's to join
        ("25", "25 000"),
        ("2006", "2006"),  # a code's number ("E3 2006")
        ("1917", "1917"),  # beside a thousands' number ("1917 14,503")
        ("1994", "1994"),  # beside a decimal ("6.7 1994")
        ("2024", "2024"),  # a day before a year ("14 2024")
        ("£38.40", "£38.40"),
    ],
)
def test_a_span_that_cuts_a_number_written_in_spaced_groups_is_widened_to_it(piece, widened):
    text = (
        "VAT Reg No. 318 4471 62 · call 01604 338190 · account FLH-552 918 04 · 25 000 visitors · at E3 2006 · from 1525 "
        "to 1917 14,503 titles · magnitude 6.7 1994 quake · on June 14 2024 · pads £38.40"
    )
    assert widened_in(whole_number, text, piece) == widened


def test_spaced_numbers_are_the_numbers_in_spaced_groups_a_day_before_a_year_not_one():
    text = "Reg No. 318 4471 62 · on June 14 2024 · 25 000 visitors · 6.7 1994 · FLH-552 918 04"
    assert [text[a:b] for a, b in spaced_numbers(text)] == ["318 4471 62", "25 000", "552 918 04"]


CLAUSES = (
    "1. EQUIPMENT\n1.2  Two Fiorenza grinders (Zoë's café)\n  (b) a loan grinder\nSee 1.2 and (b) above.\n2. Charges"
)


@pytest.mark.parametrize(
    "mark, at, expected",
    [
        ("1.2", 13, True),  # a numbered clause's number at its line's start
        ("(b)", 55, True),  # an indented item's mark
        ("1.", 0, True),  # the text's first line
        ("1", 0, True),  # its number without the stop after it
        ("1.2", 78, False),  # "See 1.2": a reference to the clause, said in a sentence
        ("(b)", 86, False),
        ("2.", 97, True),
    ],
)
def test_a_span_that_is_only_the_mark_opening_an_item_on_its_line_is_no_answer(mark, at, expected):
    assert CLAUSES[at : at + len(mark)] == mark
    assert only_a_mark(CLAUSES, at, at + len(mark)) is expected
    assert not only_a_mark(CLAUSES, at, at + len(mark) + 2)  # the mark with what the item says


def test_word_runs_are_lower_cased_runs_of_words():
    assert word_runs("Zoë’s Café, zoë’s", 2) == {("zoë", "s"), ("s", "café"), ("café", "zoë")}
    assert word_runs("one two", 3) == set()


@pytest.mark.parametrize(
    "answer, question, expected",
    [
        (
            "reducing US military effectiveness and for winning future wars",
            "What else besides reducing US military effectiveness?",
            True,
        ),
        ("for winning future wars", "What else besides reducing US military effectiveness?", False),
        ("Lloyd Austin", "Who is Lloyd Austin?", False),  # two words of the question are a name, not a repeat
        ("the Super Bowl 50 Host Committee", "Which committee hosted super bowl 50?", True),
        ("Дмитрий Рогозин сказал", "Что Дмитрий Рогозин сказал?", True),
    ],
)
def test_an_answer_repeating_three_words_of_its_question_is_told(answer, question, expected):
    assert repeats_question(answer, question) is expected


@pytest.mark.parametrize(
    ("piece", "whole"),
    [("Ingrid Vos", True), ("Vos.", True), ("The", True), ("s.", False), ("Ingri", False), ("ngrid Vos", False)],
)
def test_a_span_that_starts_or_ends_inside_a_word_is_no_answer(piece, whole):
    text = "The Security Office is led by Ingrid Vos. Her team"
    begin = text.index(piece)
    assert whole_words(text, begin, begin + len(piece)) is whole


@pytest.mark.parametrize(
    ("piece", "widened"),
    [
        ("soc@acme", "soc@acme.example"),  # a piece of an email address
        ("soc@acme.", "soc@acme.example"),
        ("acme.example", "soc@acme.example"),
        ("@acme", "soc@acme.example"),
        ("13", "13.3"),  # of a number
        ("3 million", "13.3 million"),
        ("07", "07/02/2024"),  # of a date
        ("02/2024", "07/02/2024"),
        ("and/or", "and/or"),  # a slash between words joins nothing
        ("985.80", "12,985.80"),  # of an amount in thousands
        ("£12", "£12,985.80"),
        ("1991", "1991"),  # a comma between years joins nothing
        ("soc@acme.example", "soc@acme.example"),
        ("Ødegård", "Ødegård"),  # a full stop run into the next sentence, as scraped text has it, joins nothing
        ("Ødegård.", "Ødegård."),
        ("the rooms are shut", "the rooms are shut"),
    ],
)
def test_a_span_that_cuts_an_address_or_a_number_is_widened_to_the_whole(piece, widened):
    text = (
        "Write to soc@acme.example about 13.3 million requests, said Ødegård.The rooms are shut, said the rooms are"
        " shut. Paid on 07/02/2024 and/or later: £12,985.80 in 1990,1991."
    )
    assert widened_in(whole_run, text, piece) == widened


@pytest.mark.parametrize(
    ("text", "span", "expected"),
    [
        (
            "This invoice      £12,985.80\n  Remaining after this invoice      £32,983.08",
            "£12,985.80\n  Remaining",
            True,
        ),
        ("Date in:     12/03/2024\nPromised for:     Zoë Ødegård", "12/03/2024\nPromised", True),
        ("9 Tennyson Close\nBarton Seagrave", "9 Tennyson Close\nBarton Seagrave", False),  # an address's lines
        ("costs rose by\n3.5% in 2024.  Then they fell.", "costs rose by\n3.5%", False),  # prose wrapped
        ("This invoice      £12,985.80", "£12,985.80", False),  # one line
    ],
)
def test_across_rows_finds_a_span_joining_two_lines_laid_out_in_columns(text, span, expected):
    begin = text.index(span)
    assert across_rows(text, begin, begin + len(span)) is expected


SIGNED = (
    "Sue, the water trough by plot 9 is leaking again and I've left the tap off for now, sorry.\n"
    "Cheers\n"
    "Jeff (plot 14, not Geoff the chairman!)\n"
    "Dr Zoë Ødegård\n"
    "The trough was fixed by the Society's volunteers on Saturday, who also cleared the\n"
    "path by the gate."
)


@pytest.mark.parametrize(
    ("span", "expected"),
    [
        ("Cheers\nJeff", True),  # a sign-off above a name
        ("plot 14, not Geoff the chairman!)\nDr Zoë Ødegård", True),  # a line that ends short, then a name
        ("volunteers on Saturday, who also cleared the\npath", False),  # prose wrapped at the line's width
        ("Jeff (plot 14", False),  # one line
    ],
)
def test_across_lines_finds_a_span_run_from_a_line_that_ends_short_into_the_next(span, expected):
    begin = SIGNED.index(span)
    assert across_lines(SIGNED, begin, begin + len(span)) is expected


@pytest.mark.parametrize(
    ("span", "expected"),
    [
        ("13/03/2024   09:40", True),  # a date and a time in their columns
        ("date:         13/03/2024", True),  # a label and its value
        ("13/03/2024", False),
        ("Ms Zoë Ødegård", False),
    ],
)
def test_a_span_holding_a_gap_between_columns_crosses_cells(span, expected):
    text = "Collected by Ms Zoë Ødegård\nCollected on date:         13/03/2024   09:40\n"
    begin = text.index(span)
    assert across_cells(text, begin, begin + len(span)) is expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("the **new** rate", True),
        ("run `qa ask` here", True),
        ("(**note**) below", True),
        ("5 * 3 = 15", True),  # stars between spaces mark nothing
        ("a**b", True),
        ("5* hotel", True),  # one star: a rating or a footnote, no strong emphasis
        ("£78 per hour +VAT** from **1 June 2024", False),  # out of one bold run and into another
        ("Phone:** 0161 496 0519", False),  # a bold label's closing marks
        ("the **new rate", False),
        ("The v1 `/invoices/export", False),
    ],
)
def test_marks_paired_spans_close_the_bold_and_code_runs_they_open(text, expected):
    assert marks_paired(text) is expected
    assert can_answer(text, "What is it?") is expected


REPORT = "Boiler service\n1. Findings\nThe engineer, Zoë Brandt, serviced it.\n## Readings\nCO: 42 ppm"


@pytest.mark.parametrize(
    ("piece", "expected"),
    [
        ("Findings\nThe engineer, Zoë Brandt", True),  # a heading's line into the next
        ("serviced it.\n## Readings", True),  # into a Markdown heading's line
        ("Boiler service\n1. Findings", True),  # a section it starts in (-1) is no line of it; "1. Findings" is
        ("Zoë Brandt", False),
        ("Findings", False),  # a heading alone is told apart elsewhere
        ("Readings\nCO: 42 ppm", True),
        ("CO: 42 ppm", False),
    ],
)
def test_a_span_running_from_a_headings_line_into_the_text_beside_it_is_told(piece, expected):
    headings = ((-1, "Boiler service"), (REPORT.index("1. Findings"), "1. Findings"))
    begin = REPORT.index(piece)
    assert across_heading(REPORT, headings, begin, begin + len(piece)) is expected
