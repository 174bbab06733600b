"""qa.training.follow_ups: chat follow-ups made of consecutive SQuAD questions, read with their history."""

from __future__ import annotations

import random

from qa.evaluation.squad import SquadArticle, SquadParagraph, SquadQuestion
from qa.models import Turn
from qa.questions.conversation import with_history
from qa.training.follow_ups import elliptical, follow_ups, mentions, synthesise, with_pronoun


def question(text: str, answer: str, number: int) -> SquadQuestion:
    return SquadQuestion(id=f"q{number}", question=text, answers=[answer], answer_starts=[number])


def test_a_question_is_read_with_the_last_turns_newest_first():
    history = [Turn(question="Who won?", answer="Denver"), Turn(question="Who was MVP?", answer="Von Miller")]
    assert with_history("How many sacks? ", history) == "How many sacks? | Who was MVP? Von Miller | Who won? Denver"
    assert with_history("Why?", history, turns=1) == "Why? | Who was MVP? Von Miller"
    assert with_history("Why?", [Turn(question="Who won?", answer=None)]) == "Why? | Who won?"


def test_what_a_question_repeats_of_a_turn_is_its_answer_or_a_whole_name_of_its_question():
    turn = Turn(question="Who was named Super Bowl 50 MVP?", answer="Von Miller")
    assert mentions("How many tackles did Von Miller record?", turn) == []  # a verb follows: may be a modifier
    assert mentions("How much does Von Miller weigh?", turn) == []
    assert mentions("Which team drafted Von Miller?", turn) == [("Von Miller", True)]
    assert mentions("What is Von Miller's position?", turn) == [("Von Miller", True)]
    assert mentions("When was Super Bowl 51 played?", turn) == []  # part of a longer name
    assert mentions("Who hosted the Super Bowl in 2016?", turn) == [("Super Bowl", False)]
    assert mentions("Who was in charge?", Turn(question="In what year?", answer="1990")) == []  # "In" opens it


def test_a_mention_becomes_the_pronoun_a_person_would_use():
    rng = random.Random(0)
    assert with_pronoun("Which team drafted Von Miller?", "Von Miller", True, rng) in (
        "Which team drafted him?",
        "Which team drafted her?",
    )
    assert with_pronoun("What is Von Miller's position?", "Von Miller", True, rng) in (
        "What is his position?",
        "What is her position?",
    )
    assert with_pronoun("Who hosted the Super Bowl in 2016?", "Super Bowl", False, rng) == "Who hosted it in 2016?"
    assert with_pronoun("Who coached the Panthers?", "Panthers", False, rng) == "Who coached them?"


def test_an_ellipsis_is_the_words_that_differ_from_the_last_question():
    last = "How many solo tackles did Von Miller record?"
    assert elliptical(last, "How many sacks did Von Miller record?") == "And sacks?"
    assert elliptical(last, "Who was named MVP?") is None  # nothing shared
    assert elliptical("What is the Pawnee name for it?", "What is the Cherokee name for it?") == "And Cherokee?"
    assert elliptical("How many people lived there in 1990?", "How many people lived there by 2000?") == "And by 2000?"
    assert elliptical("Who was the king of France?", "Who was the king that was crowned of France?") is None


def test_follow_ups_are_made_of_consecutive_questions_of_a_paragraph():
    questions = [
        question("Who was named Super Bowl 50 MVP?", "Von Miller", 0),
        question("Which team drafted Von Miller?", "Denver", 1),
        question("How many solo tackles did the MVP record?", "five", 2),
        question("How many sacks did the MVP record?", "2½", 3),
    ]
    made = follow_ups(questions, random.Random(0))
    assert [m.kind for m in made] == ["pronoun", "self_contained", "ellipsis"]
    assert made[0].question in ("Which team drafted him?", "Which team drafted her?")
    assert [t.question for t in made[2].history] == [questions[1].question, questions[2].question]
    assert made[2].question == "And sacks?" and made[2].source is questions[3]
    article = SquadArticle(title="t", paragraphs=[SquadParagraph(context="x" * 10, questions=questions)])
    data, kinds = synthesise([article], self_contained=0.0)
    written = [qa for p in data["data"][0]["paragraphs"] for qa in p["qas"]]
    assert kinds == {"pronoun": 1, "ellipsis": 1}
    assert written[1]["question"] == with_history("And sacks?", made[2].history)
    assert written[1]["answers"] == [{"text": "2½", "answer_start": 3}]
