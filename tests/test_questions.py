"""Two-part questions: split where a person asks two things, never where one phrase holds an "and"."""

from __future__ import annotations

import pytest

from qa.questions.parts import asks_by_two_words, pointing_back, subject_of, two_part_questions


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        (
            "What is the monthly internet stipend and the EU meal allowance?",
            ["What is the monthly internet stipend?", "What is the EU meal allowance?"],
        ),
        (
            "what are the launch date and the landing site",
            ["what are the launch date?", "what are the landing site?"],
        ),
        (
            "Who was the first director of NASA, and the first head of Roscosmos?",
            ["Who was the first director of NASA?", "Who was the first head of Roscosmos?"],
        ),
        (
            "How much is the daily allowance and the hotel cap?",
            ["How much is the daily allowance?", "How much is the hotel cap?"],
        ),
        (
            "Who leads the Security Office and who is the CFO?",
            ["Who leads the Security Office?", "Who is the CFO?"],
        ),
        ("What is TripDesk, and what is Navan?", ["What is TripDesk?", "What is Navan?"]),
        (  # contracted, and a second question word after its preposition
            "What's the standard excess on the policy, and when does it renew?",
            ["What's the standard excess on the policy?", "When does it renew?"],
        ),
        (
            "When was the boiler last serviced and by when is the next check due?",
            ["When was the boiler last serviced?", "By when is the next check due?"],
        ),
        ("How much is the rent, and what's the council tax?", ["How much is the rent?", "What's the council tax?"]),
        ("When and where was the club founded?", ["When was the club founded?", "Where was the club founded?"]),
        (
            "Who discovered this and where did they come from?",
            ["Who discovered this?", "Where did they come from?"],
        ),
        ("where and when did the plague begin", ["Where did the plague begin?", "When did the plague begin?"]),
        (
            "When was Halden Mills founded, and by whom?",
            ["When was Halden Mills founded?", "By whom was Halden Mills founded?"],
        ),
        ("Where was the treaty signed and when?", ["Where was the treaty signed?", "When was the treaty signed?"]),
        (
            "Which team won the cup, and who scored the winning goal?",
            ["Which team won the cup?", "Who scored the winning goal?"],
        ),
        (  # a phrase both share opens each
            "From September, what time will the gates open and what time is registration?",
            ["From September, what time will the gates open?", "From September, what time is registration?"],
        ),
        (
            "In 1998, when and where was the club founded?",
            ["In 1998, when was the club founded?", "In 1998, where was the club founded?"],
        ),
    ],
)
def test_two_things_asked_become_two_questions(question, parts):
    assert two_part_questions(question) == parts


@pytest.mark.parametrize(
    "question",
    [
        "Which Russian space agency raised concerns about US and NATO space launches?",
        "How did Rogozin label the militarisation of the space, moon, and lunar research?",
        "What capabilities are Moscow and Beijing using to challenge American space interests?",
        "Which countries did the report label as a potential threat in space?",
        "how do chinese and russian military doctrines view space",
        "What is the difference between the Senate and the House?",  # 'between' keeps both in one phrase
        "What did Lavrov warn about?",
        "What is water and mineral extraction?",
        "What's the regional nickname for Newcastle and its surrounding area?",
        "When did the second and the third wave of the plague strike?",
        "What were the first and the second wave called?",
        "Who were the people who lived and who died there?",
        "What do the rich and the poor call the river?",
        "Who founded it and when?",  # no auxiliary to ask "when" with: left whole
        "What is a major importance of Southern California in relation to California and the United States?",
        "According to Austin, what do China and Russia see counter-space capabilities as?",  # an opener, one thing
    ],
)
def test_one_thing_asked_stays_one_question(question):
    assert two_part_questions(question) == []


@pytest.mark.parametrize(
    ("question", "by_two_words"),
    [
        ("how much goodwill did Sue give, and what date was her car collected?", True),
        ("When and where was the club founded?", True),
        ("When was the club founded, and by whom?", True),
        ("From September, what time do the gates open and what time is registration?", True),
        ("What is the deposit and the rent?", False),  # one question word asks of two things
        ("Who were the people who lived and who died?", False),  # the second opens a relative clause
        ("Who founded the club?", False),
    ],
)
def test_a_question_asking_by_two_question_words_is_told_apart(question, by_two_words):
    assert asks_by_two_words(question) is by_two_words


@pytest.mark.parametrize(
    ("question", "subject"),
    [
        ("How much is the rent?", "the rent"),
        ("What's the labour rate on the price list?", "the labour rate"),
        ("When does the espresso machine service agreement run out?", "the espresso machine service agreement"),
        ("Where does the River Lisse rise?", "the River Lisse"),
        ("When was the Corn Exchange completed?", "the Corn Exchange"),
        ("How long is the old town walk?", "the old town walk"),
        ("What is the total cost?", "the total cost"),  # "cost" is no participle
        ("When does the group hold its weekly meeting?", "the group"),  # the verb's object opens with "its"
        ("How much did the foundation give us?", "the foundation"),
        ("What was Varrowdale's population at the 2021 census?", "Varrowdale"),
        ("What's billing-service's availability SLO?", "billing-service"),
        ("Who won?", None),
        # with the code or record it is of
        ("What's the total due on INV-2207?", "the total due on INV-2207"),
        ("Which parts were fitted to the van on job 4471?", "the van on job 4471"),
        ("What was the rent in May 2025?", "the rent in May 2025"),
        ("What was the population in 2010?", "the population"),  # a year is no code
        ("What was the rent in the 1990s?", "the rent"),
    ],
)
def test_what_a_question_asks_about(question, subject):
    assert subject_of(question) == subject


@pytest.mark.parametrize(
    ("first", "second", "put_in"),
    [
        ("How much is the rent?", "What day is it due?", "What day is the rent due?"),
        ("Who won the summer blitz?", "How much money did it raise?", "How much money did the summer blitz raise?"),
        (
            "What was Varrowdale's population?",
            "Who has been its mayor since 2022?",
            "Who has been Varrowdale's mayor since 2022?",
        ),
        (
            "What's the total due on INV-2207?",
            "When has it got to be paid by?",
            "When has the total due on INV-2207 got to be paid by?",
        ),
        ("How much is the rent?", "Who is the landlord?", None),  # points back to nothing
        ("Who won?", "When was it?", None),  # the first names nothing
    ],
)
def test_a_later_part_s_it_is_put_as_what_the_first_asks_about(first, second, put_in):
    assert pointing_back(first, second) == put_in
