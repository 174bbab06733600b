"""eval.chat_wording: each chat rewording of a question is one that plain_question and phrase_asked put back as it was
asked."""

from __future__ import annotations

import pytest

from eval.chat_wording import WORDINGS
from qa.questions.wording import phrase_asked, plain_question

QUESTIONS = [
    "Who founded the Lisse Valley Railway?",
    "Who designed the bridge at Ostby?",
    "What is the deposit for the flat?",
    "When does the ROOTNET grant end?",
    "How many members joined in March?",
    "Which company built the Vell bridge?",
]


@pytest.mark.parametrize("wording", list(WORDINGS))
def test_a_reworded_question_is_put_back_as_it_was_asked(wording):
    asks, reworded = WORDINGS[wording]
    chosen = [q for q in QUESTIONS if asks(q)]
    assert chosen, "each wording applies to some questions"
    for question in chosen:
        assert reworded(question) != question
        assert phrase_asked(plain_question(reworded(question))) == question


def test_the_name_of_the_person_who_is_asked_only_of_who_does_questions():
    asks, _ = WORDINGS["What is the name of the person who …?"]
    assert asks("Who founded the Lisse Valley Railway?")
    assert not asks("Who was the first mayor?") and not asks("What is the deposit?")
