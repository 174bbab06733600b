"""Span decoding with a tiny randomly initialised QA model built here: windows, edges, merging, Unicode, empty input."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from qa.models import Passage
from qa.reading.reader import (
    ReaderSpan,
    SpanReader,
    across_cells,
    across_items,
    across_rows,
    balanced,
    best_spans,
    can_answer,
    lacks_its_number,
    marks_paired,
    measures,
    merge_spans,
    new_value,
    not_the_contact_asked,
    not_the_role_asked,
    of_a_date,
    of_another_kind,
    only_a_mark,
    other_measure,
    other_rate,
    repeats_question,
    role_named_by,
    trim_span,
    whole_number,
    word_runs,
)

FILLER = "apple"


class SteeredReader(SpanReader):
    """The tiny model's windows and offsets, with logits that point at chosen words (0 at [CLS] = no answer)."""

    start_word, end_word = "zebra", "zebra"

    def logits(self, encoded):
        start_id, end_id = self.tokenizer.convert_tokens_to_ids([self.start_word, self.end_word])
        starts, ends = [], []
        for ids in encoded["input_ids"]:
            ids = np.array(ids)
            start, end = np.where(ids == start_id, 10.0, -10.0), np.where(ids == end_id, 10.0, -10.0)
            start[0] = end[0] = 0.0
            starts.append(start)
            ends.append(end)
        return starts, ends


def passage_of(text: str, start: int = 0, document_text: str | None = None) -> Passage:
    return Passage(id="d:0", document_id="d", start=start, end=start + len(text), text=text)


def test_random_model_spans_are_exact_slices(tiny_model_dir):
    reader = SpanReader(tiny_model_dir, max_length=64, stride=16, max_answer_tokens=5)
    text = "Zoë’s café in Zürich 🙂 serves crème brûlée to naïve tourists every day. " * 6
    spans = reader.read("What does the café serve?", [passage_of(text)], top_n=5)
    assert 1 <= len(spans) <= 5
    for span in spans:
        assert text[span.start : span.end] == span.text and np.isfinite(span.score)
        assert len(reader.tokenizer.tokenize(span.text)) <= 5
    assert [s.score for s in spans] == sorted((s.score for s in spans), reverse=True)


def test_answer_at_the_window_edge_is_found_once(tiny_model_dir):
    reader = SteeredReader(tiny_model_dir, max_length=64, stride=16)
    question = "where?"
    capacity = 64 - len(reader.tokenizer.tokenize(question)) - 3
    words = [FILLER] * 150
    words[capacity - 1] = "zebra"  # the last context token of the first window, also inside the second
    text = " ".join(words)
    encoded = reader.tokenizer(
        question, text, truncation="only_second", max_length=64, stride=16, return_overflowing_tokens=True
    )
    assert len(encoded["input_ids"]) >= 3
    spans = reader.read(question, [passage_of(text)])
    assert spans[0].text == "zebra" and spans[0].score == pytest.approx(20.0)
    assert text[spans[0].start : spans[0].end] == "zebra"
    assert sum(s.text == "zebra" for s in spans) == 1


def test_the_reader_counts_the_windows_it_reads(tiny_model_dir):
    reader = SpanReader(tiny_model_dir, max_length=64, stride=16)
    question, text = "What does the café serve?", " ".join([FILLER] * 150)
    encoded = reader.tokenizer(
        question, text, truncation="only_second", max_length=64, stride=16, return_overflowing_tokens=True
    )
    assert reader.windows_read == 0
    reader.read(question, [passage_of(text), passage_of("A short one.")])
    assert reader.windows_read == len(encoded["input_ids"]) + 1


def test_questions_read_at_once_from_threads_all_count(tiny_model_dir):
    reader = SpanReader(tiny_model_dir, max_length=64, stride=16)
    passages = [passage_of("Zoë’s café serves crêpes."), passage_of("Kraków has a market.")]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda n: reader.read(f"What does café {n} serve?", passages), range(12)))
    assert reader.windows_read == 12 * len(passages)


def test_a_value_read_in_a_field_item_is_cited_at_its_own_place(tiny_model_dir):
    reader = SteeredReader(tiny_model_dir, max_length=64, stride=16)
    document = "## Café Zoë\n\n- **Pump pressure:** zebra\n- Weight: 7.2 kg"  # read as "- Pump pressure is zebra."
    spans = reader.read("What is the pump pressure?", [passage_of(document[5:], start=5)])
    assert spans and spans[0].text == "zebra"
    assert document[spans[0].start : spans[0].end] == "zebra"


def test_overlapping_passages_merge_into_one_span(tiny_model_dir):
    reader = SteeredReader(tiny_model_dir, max_length=64, stride=16)
    document = "Intro words here. The zebra runs fast. Closing words."
    first = Passage(id="d:0", document_id="d", start=0, end=38, text=document[:38])
    second = Passage(id="d:1", document_id="d", start=18, end=len(document), text=document[18:])
    spans = reader.read("who runs?", [first, second])
    zebras = [s for s in spans if s.text == "zebra"]
    assert len(zebras) == 1 and document[zebras[0].start : zebras[0].end] == "zebra"


def test_unicode_offsets_map_to_the_document(tiny_model_dir):
    reader = SteeredReader(tiny_model_dir, max_length=64, stride=16)
    reader.end_word = "horse"
    document = "Préface — 東京 🙂. Zoë’s naïve café: the zebra and the horse ate crème brûlée."
    start = document.index("Zoë")
    spans = reader.read("which animals?", [passage_of(document[start:], start=start)])
    assert document[spans[0].start : spans[0].end] == spans[0].text == "zebra and the horse"


def test_answers_longer_than_the_limit_are_not_taken(tiny_model_dir):
    reader = SteeredReader(tiny_model_dir, max_length=64, stride=16, max_answer_tokens=3)
    reader.end_word = "horse"
    spans = reader.read("which?", [passage_of("the zebra apple apple apple the horse")])
    assert all(s.text != "zebra apple apple apple the horse" for s in spans)
    assert all(len(reader.tokenizer.tokenize(s.text)) <= 3 for s in spans)


def test_empty_passages_and_questions_give_nothing(tiny_model_dir):
    reader = SpanReader(tiny_model_dir, max_length=64, stride=16)
    assert reader.read("anything?", [passage_of(""), passage_of("   \n")]) == []
    assert reader.read("   ", [passage_of("Some text.")]) == []
    assert reader.read("anything?", []) == []


def test_long_questions_are_cut_to_fit(tiny_model_dir):
    reader = SteeredReader(tiny_model_dir, max_length=64, stride=16, max_question_tokens=10)
    spans = reader.read("why " * 100, [passage_of("the zebra sleeps")])
    assert spans[0].text == "zebra"


def test_best_spans_scores_against_no_answer():
    start = np.array([5.0, 0.0, 1.0, 3.0, 0.0, 0.0])
    end = np.array([5.0, 0.0, 0.0, 0.0, 4.0, 1.0])
    context = np.array([False, False, True, True, True, True])
    spans = best_spans(start, end, context, max_answer_tokens=2, top_n=3)
    assert spans[0] == (3, 4, pytest.approx(-3.0))
    assert all(0 <= j - i < 2 and i >= 2 for i, j, _ in spans)
    assert best_spans(start, end, np.zeros(6, dtype=bool), 2, 3) == []


def test_merge_keeps_the_best_score_per_position():
    spans = [
        ReaderSpan("d", "d:0", 3, 8, "zebra", 1.0),
        ReaderSpan("d", "d:1", 3, 8, "zebra", 2.5),
        ReaderSpan("d", "d:1", 10, 15, "horse", 2.0),
    ]
    merged = merge_spans(spans)
    assert [(s.text, s.score, s.passage_id) for s in merged] == [("zebra", 2.5, "d:1"), ("horse", 2.0, "d:1")]


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


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Agnes Tull", True),
        ("", False),
        ("Tull.\n\nThey had four children", False),
        ("Tull\n- Maren Holt", False),
        ("Tull | miller's daughter", False),
        ("Tull (a miller's daughter", False),
        ("the wife of Edmund Carrow was", False),
    ],
)
def test_can_answer_keeps_a_whole_phrase_of_one_paragraph_and_one_item(text, expected):
    assert can_answer(text, "Who was the wife of Edmund Carrow?") is expected


@pytest.mark.parametrize(
    "text, question, expected",
    [
        ("R-10", "Who is the project manager?", False),  # a register's number beside the role
        ("604218", "Who's the engineer?", False),
        ("Zoë Ødegård", "Who owns R-10?", True),
        ("Louis XIV", "whom did she marry?", True),
        ("the 101st Airborne", "Who landed first?", True),
        ("R-10", "Which risk does the project manager own?", True),  # asks no who
        ("1162", "What year was Temüjin, who became Genghis Khan, born?", True),  # "who" not its question word
    ],
)
def test_a_question_that_asks_who_is_not_answered_by_a_code_or_a_number(text, question, expected):
    assert can_answer(text, question) is expected


@pytest.mark.parametrize(
    ("question", "answer", "lacks"),
    [
        ("In what year was the label founded?", "Tallwater Records", True),
        ("In what year was the label founded?", "1978", False),
        ("How many people work there?", "about two thousand", False),
        ("How much was awarded?", "£412,000", False),
        ("how much was the last gas bill?", "quarterly", True),
        ("How many touchdowns did Manning throw?", "zero", False),  # numbers' words, SQuAD's gold answers
        ("How many teams have won 15 games?", "seventh", False),
        ("How many members sit on the court?", "thirteen", False),
        ("How many school children died?", "thousands", False),
        ("Who founded the label?", "Tallwater Records", False),  # asks for no number
        ("What percentage of the vote did she win?", "a majority", True),
        ("On what date did the ship sail?", "the following spring", True),
        ("On what date did the ship sail?", "4 May", False),
    ],
)
def test_an_answer_without_the_number_its_question_asks_for_is_of_another_kind(question, answer, lacks):
    assert lacks_its_number(question, answer) is lacks
    assert can_answer(answer, question) is not lacks


@pytest.mark.parametrize(
    ("question", "answer", "other"),
    [
        ("what's our account number with Northgate Auto Parts?", "£142.60", True),
        ("what's the account number for the bill Maya looks after?", "07/02", True),
        ("What is the policy no. on the van?", "12 March 2024", True),
        ("What is the policy no. on the van?", "12.03.2024", True),
        ("What's the firmware version number?", "4.18", False),  # a version, a clause's number: no dates
        ("What is the clause number?", "6.3", False),
        ("What order code do I use for the filter?", "March 3rd", True),
        ("What's the VAT reg number?", "318 4471 62", False),
        # a phone number is no record's number
        ("What's the reference number of the grant for the chiller?", "01632 960233", True),
        ("what's our account number with Northgate?", "+44 1604 338190", True),
        ("what's our account number with Northgate?", "43917265", False),
        ("What's the helpline number?", "0161 496 0519", False),  # a helpline's number is its phone number
        ("what's our account number with Northgate Auto Parts?", "NAP-30418", False),
        ("What number did he wear?", "£5", False),  # "what number" asks for any number
        ("What is the number of visitors?", "12/03", False),  # a count of something, no thing's number
        ("When did she say she was no longer a member?", "4 May 2010", False),  # "no" is no number
        # an amount answers no when, who or where; a date no who or where
        ("When has it got to be paid by?", "£3.60", True),  # the invoice's postage, not its due date
        ("When has it got to be paid by?", "5 June 2025", False),
        ("by when is the deposit returned?", "£1,350", True),
        ("What day is the rent due?", "£1,695", True),
        ("On what date did the ship sail?", "4 May", False),
        ("Where do we post returns?", "£4.95", True),
        ("Where was it posted?", ": £1,059.60,", True),  # marks around an amount leave it one
        ("When was it paid?", "£1,059.60, for twelve bags of coffee", True),  # nor a span opening with one
        ("How much was the January electricity bill?", "14 January 2024", True),  # a day's date is no amount
        ("How many days' notice do we need?", "28 days", False),
        ("What date was her car collected?", "09:40", True),  # a time on the clock is no date
        ("What date was her car collected?", "13/03/2024", False),
        ("What time was her car collected?", "09:40", False),
        ("what is the pump pressure?", "500 ml of water", True),  # a volume is no pressure
        ("what is the pump pressure?", "15 bar", False),
        ("What temperature should the chiller be kept at?", "at or below 5°C", False),
        ("What temperature should the chiller be kept at?", "5 kg", True),
        ("What is the weight and temperature limit?", "5 kg", False),  # two kinds asked
        ("Where is the office?", "16 Portland Place", False),  # no sum of money
        ("Where was the treaty signed?", "12 March 1921", True),
        ("Whose signature is on the lease?", "18/09/2023", True),
        ("Who won the blitz?", "14 March", True),
        ("Who won the blitz?", "Lucy Fenwick", False),
        ("How much did the blitz raise?", "£180", False),  # asks how much: an amount is its kind
        # a question asking two things takes an answer of either's kind
        ("When is the trip and how much is it?", "£18.50", False),
        ("When is the trip and where does it go?", "£18.50", True),
        ("What did she pay on 4 May?", "£180", False),  # asks what: any kind
        ("Where was the 4 May meeting held?", "Room 4", False),
        # the afternoon's times are after noon, the morning's before it
        ("What time is the road closed in the afternoons?", "8:15am to 9:00am", True),
        ("What time is the road closed in the afternoons?", "2:45pm to 3:30pm", False),
        ("When does the evening surgery open?", "6.30 a.m.", True),
        ("When does the morning session start?", "9.30am", False),
        ("When does the morning session start?", "1:15 PM", True),
        ("When is the road closed in the mornings?", "8:15am to 9:00am, and 2:45pm to 3:30pm", False),  # both halves
        ("At what time in the night was he summoned?", "2 am", False),  # the night: either half
        ("When does the evening class start?", "after work", False),  # no time on the clock
    ],
)
def test_an_amount_or_a_date_is_no_answer_where_another_kind_is_asked(question, answer, other):
    assert of_another_kind(question, answer) is other
    assert can_answer(answer, question) is not other


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


@pytest.mark.parametrize(
    ("question", "piece", "other"),
    [
        ("how much is a loan car for a whole week?", "£20 per day", True),  # a price per another span of time
        ("how much is a loan car for a whole week?", "£20", True),  # the passage says "per day" right after it
        ("How much is a loan car per day?", "£20 per day", False),
        ("How much is a loan car?", "£20", False),  # asks for no rate
        ("What is the fee per week?", "£40 a month", True),
        ("What is the monthly fee?", "£40", False),
        ("What do they charge weekly?", "£90", False),  # no rate after it
    ],
)
def test_an_amount_per_another_span_of_time_than_the_question_s_is_no_answer(question, piece, other):
    text = "Courtesy cars are £20 per day, fuel extra. The fee is £40 a month. Pay weekly: £90."
    begin = text.index(piece)
    assert other_rate(question, text, begin, begin + len(piece)) is other


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


PRICES = "| Appointment | Price |\n|---|---|\n| 30 minutes | £38 |\n| 60 minutes | £62 |\n| Pre-event massage | £25 |"


def test_measures_are_numbers_of_the_units_they_count():
    found = measures("a 45 minute massage for 2 adults, £45 per hour in 2024 at 3pm, 2.5 kg and 1,200 nights")
    assert found == {"minute": {"45"}, "adult": {"2"}, "pm": {"3"}, "kg": {"2.5"}, "night": {"1200"}}


@pytest.mark.parametrize(
    "question, cell, expected",
    [
        ("how much do we charge for a 45 minute sports massage?", "£62", True),  # the 60 minutes' row
        ("how much do we charge for a 45 minute sports massage?", "£38", True),
        ("how much do we charge for a 60 minute sports massage?", "£62", False),  # its own row
        ("how much do we charge for a 45 minute sports massage?", "£25", False),  # a row that gives no minutes
        ("How much is a massage?", "£62", False),  # the question names no measure
    ],
)
def test_a_table_row_of_another_measure_than_the_questions_is_another_things(question, cell, expected):
    assert other_measure(question, PRICES, PRICES.index(cell)) is expected
    prose = PRICES.replace("|", "")  # not a table: a sentence may say both
    assert not other_measure(question, prose, prose.index(cell))


@pytest.mark.parametrize(
    "question, text, passage, expected",
    [
        ("What's the phone number of Kowalczyk & Finch?", "KF-40917", "", True),  # a reference: five digits
        ("What's the phone number of Kowalczyk & Finch?", "01632 480 915", "", False),
        ("Tell me the telephone no. of Zoë’s surgery", "+48 12 345 67 89", "", False),
        ("what is the fax number for the contractor?", "01632 960 120", "Telephone: 01632 960 120", True),
        ("what is the fax number for the contractor?", "01632 960 121", "Fax: 01632 960 121", False),
        ("Which email address should I write to?", "Jas Sandhu", "", True),
        ("Which email address should I write to?", "zoë@café.example", "", False),
        ("What digit are Saint Helena phone numbers prefixed with?", "2", "", False),  # it asks a digit
        ("How many digits have phone numbers?", "5", "", False),
        ("Who has the phone number 0800 123 456?", "Zoë", "", False),
        ("What is the address of the café?", "22 Bridge Street", "", False),  # no contact detail's form asked
        ("what's the direct line for the property manager?", "Nadia Kowal", "", True),  # a direct line: a phone's
        ("what's the direct line for the property manager?", "0117 496 0832", "", False),
        ("Their landline?", "ext. 214", "", True),
        ("What is the contact number for bookings?", "0161 496 0519", "", False),
    ],
)
def test_a_span_without_the_form_of_the_contact_detail_asked_is_no_answer(question, text, passage, expected):
    assert not_the_contact_asked(question, text, passage) is expected


@pytest.mark.parametrize(
    "question, named_by",
    [
        ("Who is the CEO of Harrowgate Logistics?", r"\bceo\b|chief executive"),
        ("Who captains the club's first team?", "captain|skipper"),
        ("What's the name of the club's treasurer?", "treasur"),
        ("Who was Chopin's first piano teacher?", None),  # "studied with", "lessons from"
        ("Who's the account manager at the company whose pump failed?", "manag"),
        ("who was the club's treasurer in 2023", "treasur"),
        ("Who chaired the AGM?", "chair"),
        ("Who leads the Security Office?", None),  # a leader is named in many ways
        ("Who is the director of the lab?", None),
        ("Who managed to control Arakan?", None),  # no office's verb
        ("Who is responsible for backups?", None),
        ("What is the CEO's salary?", None),  # asks of the office, not who holds it
        ("Who was Maren Holt's husband?", "husband|wife|spouse|married|marry|marriage|widow|wed"),
        ("Who is Harrowgate's CFO?", r"\bcfo\b|chief financial|finance director"),
        ("Who is the father of calculus?", None),  # a parent is named in many ways
    ],
)
def test_the_role_a_question_asks_the_holder_of_is_named_by_its_words(question, named_by):
    assert role_named_by(question) == named_by


@pytest.mark.parametrize(
    "question, passage, expected",
    [
        ("Who is the CEO?", "Our Chief Information Security Officer is Tomasz Rybak.", True),
        ("Who is the CEO?", "Our Chief Executive, Ann Lee, signed it.", False),
        ("Who is the CEO?", "Ann Lee (CEO) signed it.", False),
        ("Who captains the first team?", "Alan Briggs will be the controller.", True),
        ("Who captains the first team?", "The first team's captain is Alan Briggs.", False),
        ("Who is the headmistress?", "Headteacher: Mrs Dunmore", False),
        ("Who leads security and who is the CFO?", "Daniel Okafor leads the Security Office.", False),  # a part
        ("Who is the CFO and who is the CEO?", "Daniel Okafor leads the Security Office.", True),
        ("When was the company founded?", "It was founded in 1994.", False),
        ("Who was Maren Holt's husband?", "The Carrow Bridge was designed by Maren Holt.", True),
        ("Who was Maren Holt's wife?", "Maren Holt married the engineer Ada Voss in 1840.", False),
    ],
)
def test_a_passage_that_never_names_the_role_asked_gives_no_holder(question, passage, expected):
    assert not_the_role_asked(question, passage) is expected


def test_a_passage_that_never_names_the_role_asked_is_not_read_for_its_holder(tiny_model_dir):
    reader = SteeredReader(tiny_model_dir, max_length=64, stride=16)
    other = Passage(id="d:0", document_id="d", start=0, end=34, text="Our security officer is zebra Day.")
    titled = Passage(id="e:0", document_id="e", start=0, end=15, text="It is zebra Ng.", headings=((-1, "Treasurer"),))
    assert reader.read("Who is the treasurer?", [other]) == [] and reader.windows_read == 0  # not even read
    spans = reader.read("Who is the treasurer?", [other, titled])
    assert spans[0].text == "zebra" and {s.document_id for s in spans} == {"e"}
    assert reader.read("Who is the security officer?", [other])[0].text == "zebra"


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


def test_windows_batched_by_length_give_each_window_its_own_logits(tiny_model_dir):
    texts = ["short passage.", " ".join(["a much longer passage about nothing"] * 12), "mid sized passage here."] * 3
    batched, alone = SpanReader(tiny_model_dir, batch_size=3), SpanReader(tiny_model_dir, batch_size=1)
    encoded = batched.tokenizer(["what?"] * len(texts), texts, truncation="only_second", max_length=64)
    lengths = [len(ids) for ids in encoded["input_ids"]]
    assert len(set(lengths)) == 3  # three windows of each of three lengths, interleaved: one batch each
    for (start_a, end_a), (start_b, end_b), length in zip(
        zip(*batched.logits(encoded), strict=True), zip(*alone.logits(encoded), strict=True), lengths, strict=True
    ):
        assert len(start_a) == length  # batched with the windows of its own length: no padding
        assert np.allclose(start_a[:length], start_b[:length], atol=1e-4)
        assert np.allclose(end_a[:length], end_b[:length], atol=1e-4)


def test_questions_asked_together_share_forward_passes_and_get_their_own_logits(tiny_model_dir):
    import threading
    import time

    from qa.batching import SharedBatches

    reader = SpanReader(tiny_model_dir, batch_size=8)
    reader.warm_up()

    def slow_forward(windows):  # a pass as slow as a real model's: the questions arriving meanwhile queue up
        time.sleep(0.05)
        return reader.forward_windows(windows)

    reader.__dict__["batcher"] = SharedBatches(slow_forward)
    questions = [f"question number {n}?" for n in range(12)]
    texts = ["a passage about apples and pears. " * (1 + n % 4) for n in range(12)]
    encoded = [
        reader.tokenizer([q], [t], truncation="only_second", max_length=64)
        for q, t in zip(questions, texts, strict=True)
    ]
    alone = [
        reader.forward({n: list(e[n]) for n in ("input_ids", "token_type_ids", "attention_mask")}) for e in encoded
    ]
    release, together = threading.Barrier(len(encoded)), [None] * len(encoded)

    def ask(number: int) -> None:
        release.wait()
        together[number] = reader.logits(encoded[number])

    calls_before = reader.batcher.calls
    threads = [threading.Thread(target=ask, args=(n,)) for n in range(len(encoded))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert reader.batcher.calls - calls_before <= 3  # twelve questions, read together in a few passes
    for (starts, ends), (starts_alone, ends_alone) in zip(together, alone, strict=True):
        assert len(starts) == len(starts_alone) == 1
        length = len(starts_alone[0])
        assert np.allclose(starts[0][:length], starts_alone[0], atol=1e-4)
        assert np.allclose(ends[0][:length], ends_alone[0], atol=1e-4)


def test_candidates_by_text_keep_each_texts_best_score_best_first():
    from qa.reading.reader import candidates_by_text

    def span(text, score):
        return ReaderSpan(document_id="d", passage_id="d:0", start=0, end=len(text), text=text, score=score)

    spans = [span("Lavrov", 10.0), span("NATO", 8.0), span("Lavrov", 5.0), span("Rogozin", 2.0)]
    assert candidates_by_text(spans) == [("Lavrov", 10.0), ("NATO", 8.0), ("Rogozin", 2.0)]


@pytest.mark.parametrize(
    ("piece", "whole"),
    [("Ingrid Vos", True), ("Vos.", True), ("The", True), ("s.", False), ("Ingri", False), ("ngrid Vos", False)],
)
def test_a_span_that_starts_or_ends_inside_a_word_is_no_answer(piece, whole):
    from qa.reading.reader import whole_words

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
    from qa.reading.reader import whole_run

    text = (
        "Write to soc@acme.example about 13.3 million requests, said Ødegård.The rooms are shut, said the rooms are"
        " shut. Paid on 07/02/2024 and/or later: £12,985.80 in 1990,1991."
    )
    assert widened_in(whole_run, text, piece) == widened


def test_a_hub_name_in_the_cache_loads_from_it_without_the_network(tiny_model_dir, tmp_path, monkeypatch, no_network):
    import shutil

    import huggingface_hub.constants

    repo = tmp_path / "hub" / "models--someone--tiny-reader"
    shutil.copytree(tiny_model_dir, repo / "snapshots" / "abc123")
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("abc123", encoding="utf-8")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    cached, local = SpanReader("someone/tiny-reader"), SpanReader(tiny_model_dir)
    assert cached.model.config.name_or_path == str(repo / "snapshots" / "abc123")
    assert all(
        (mine == theirs).all() for mine, theirs in zip(cached.model.parameters(), local.model.parameters(), strict=True)
    )
    assert cached.tokenizer("a question?")["input_ids"] == local.tokenizer("a question?")["input_ids"]
    assert no_network == []


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


@pytest.mark.parametrize(
    ("question", "text", "span", "answer"),
    [
        ("What is the new adult membership fee?", "raise the fee from £45 to £55 per year.", "£45 to £55 per year", "£55 per year"),
        ("what has the steel beam gone up to?", "The beam goes from £3,400 to £3,650 + VAT.", "£3,400 to £3,650 + VAT", "£3,650 + VAT"),
        ("What is the café's opening time now?", "Opening moves from 9 am to 10 am.", "9 am to 10 am", "10 am"),
        ("By how much did the new fee rise?", "raise the fee from £45 to £55 per year.", "£45 to £55 per year", None),
        ("What is the new fee?", "fees of £45 to £55 per year.", "£45 to £55 per year", None),  # a range, no change
        ("What was the fee?", "raise the fee from £45 to £55 per year.", "£45 to £55 per year", None),  # asks no new one
    ],
)  # fmt: skip
def test_a_span_giving_a_change_answers_what_a_value_has_become_with_the_new_one(question, text, span, answer):
    begin = text.index(span)
    new_begin, new_end = new_value(question, text, begin, begin + len(span))
    assert text[new_begin:new_end] == (answer or span)


@pytest.mark.parametrize(
    ("question", "span", "of_date"),
    [
        ("How much was the January electricity bill?", "14", True),  # "14" of "14 January 2024"
        ("How much was the January electricity bill?", "2024", True),
        ("How much was the January electricity bill?", "£312.44", False),
        ("When was the bill sent?", "14", False),  # asks no amount
        ("How much was the bill and when was it sent?", "14 January 2024", False),  # a part asks when
    ],
)
def test_a_piece_of_a_date_is_no_amount(question, span, of_date):
    text = "Bill date: 14 January 2024\nTotal to pay: £312.44"
    begin = text.index(span)
    assert of_a_date(question, text, begin, begin + len(span)) is of_date


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
