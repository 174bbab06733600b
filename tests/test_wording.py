"""Chat wording put plainly: a polite opening dropped, "the name of the person who" asked as "who", a bare noun phrase
asked as "What is"; nothing else."""

from __future__ import annotations

import pytest

from qa.questions.parts import two_part_questions
from qa.questions.wording import phrase_asked, plain_question


@pytest.mark.parametrize(
    ("question", "plain"),
    [
        ("Can you tell me who heads Roscosmos?", "Who heads Roscosmos?"),
        ("could you please tell me, when does the grant end?", "When does the grant end?"),
        ("Do you know where the spare keys are kept?", "Where the spare keys are kept?"),
        ("I'd like to know how much the deposit was.", "How much the deposit was."),
        ("Hi, quick question: what is the deposit?", "What is the deposit?"),
        ("hey can u tell me whose bike this is?", "Whose bike this is?"),
        (
            "Can you tell me the name of the person acting as client representative?",
            "What is the name of the person acting as client representative?",
        ),
        (
            "What is the name of the person who, besides my line manager, must approve a trip abroad?",
            "Who, besides my line manager, must approve a trip abroad?",
        ),
        ("What was the name of the man who founded Varrowdale?", "Who founded Varrowdale?"),
        ("what's the name of the woman that chairs the board", "Who chairs the board"),
        ("Tell me the names of the people who sit on the board?", "Who sit on the board?"),
        ("Could someone tell me where the fire assembly point is?", "Where the fire assembly point is?"),
        ("I was wondering when the AGM is", "When the AGM is"),
        ("I'm trying to remember who chaired the March meeting.", "Who chaired the March meeting."),
        (
            "Who leads the Security Office and who is the CFO? Thanks!",
            "Who leads the Security Office and who is the CFO?",
        ),
        ("can you tell me when the grant ends? thanks in advance :)", "When the grant ends?"),
        ("What is the deposit? Cheers", "What is the deposit?"),
        ("Quick one - who chairs the board?", "Who chairs the board?"),
        ("quick one – when is the AGM?", "When is the AGM?"),
        ("One more thing: where is the spare key?", "Where is the spare key?"),
        ("Last question, how much is the deposit?", "How much is the deposit?"),
        ("Question: who approves trips to Ærø?", "Who approves trips to Ærø?"),
        # a contraction typed without its apostrophe
        ("whats the garage VAT reg number", "what's the garage VAT reg number"),
        ("Whos the landlord and wheres the stopcock?", "Who's the landlord and where's the stopcock?"),
        ("who doesnt pay rent?", "who doesn't pay rent?"),
    ],
)
def test_chat_wording_is_put_plainly(question, plain):
    assert plain_question(question) == plain


@pytest.mark.parametrize(
    "question",
    [
        "Who heads Roscosmos?",
        " What modern formations do geologists study?",  # a space before it is no opening
        "What is the name of the stadium where Super Bowl 50 was played?",  # a thing's name, not a person's
        "What's the name of the Kingfisher class teacher?",
        "Do you know if the office is open on Fridays?",  # a yes/no question keeps its words
        "Can you tell me about the warranty?",
        "Tell me about Rogozin",
        "What is the deposit? For the flat on Elm Street.",  # a tail that says what is asked about stays
        "Thanks, who is the CFO?",
        "I want to hand over my cheque at a meeting - who should I give it to?",
        "The names of whom?",
        "Questions about the board?",
        "One more thing to check",
        "Why can't the cant rail be moved, and what is the whats-it called?",  # words of their own, a word's piece
        "",
    ],
)
def test_other_questions_come_back_as_they_are(question):
    assert plain_question(question) == question


def test_a_two_part_question_with_thanks_after_it_is_still_split():
    assert two_part_questions(plain_question("Who leads the Security Office and who is the CFO? Thanks!")) == [
        "Who leads the Security Office?",
        "Who is the CFO?",
    ]


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        (
            "council tax band for the flat we rent from Graham Teale?",
            "What is the council tax band for the flat we rent from Graham Teale?",
        ),
        ("Graham Teale's phone number?", "What is Graham Teale's phone number?"),
        ("The atomic number of oxygen?", "What is the atomic number of oxygen?"),
        ("our deposit for the flat", "What is our deposit for the flat?"),
        ("opening hours of the Ærø office ?", "What is the opening hours of the Ærø office?"),
    ],
)
def test_a_bare_noun_phrase_is_asked_as_what_it_is(question, asked):
    assert phrase_asked(question) == asked


@pytest.mark.parametrize(
    "question",
    [
        "Who is the CFO?",
        "In which year was it founded?",
        "The name of the NFL championship game is?",  # a sentence to complete
        "Is the office open on Fridays?",
        "Name the largest city",
        "and the CFO?",  # joined to what came before
        "in 2019?",
        "2 differences between X.25 and ARPANET",
        "This causes the rock unit to become longer.",  # a sentence
        "This network influenced later models of",  # left open
        "Deposit?",  # one word
        "Enthusiastic teachers make students more ____ about learning?",
        "the office isn't open?",
        "",
    ],
)
def test_other_questions_are_not_asked_as_what_they_are(question):
    assert phrase_asked(question) == question
