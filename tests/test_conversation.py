"""Follow-up questions: pronouns and ellipsis are resolved with the last turn; standalone questions are left alone."""

from __future__ import annotations

from qa.conversation import asks_for_person, refers_back, resolve
from qa.models import Turn

HISTORY = [Turn(question="Who heads Roscosmos?", answer="Dmitry Rogozin")]


def test_pronoun_is_replaced_by_the_last_answer():
    resolved = resolve("What did he say on YouTube?", HISTORY)
    assert resolved.rewritten and resolved.question == "What did Dmitry Rogozin say on YouTube?"
    assert "Roscosmos" in resolved.retrieval_query


def test_possessive_pronoun():
    assert resolve("What is his job?", HISTORY).question == "What is Dmitry Rogozin's job?"


def test_ellipsis_reuses_the_last_question():
    history = [Turn(question="What did Rogozin say on YouTube?", answer="militarisation of outer space")]
    resolved = resolve("And on Twitter?", history)
    assert resolved.rewritten and resolved.question == "What did Rogozin say on Twitter?"
    assert resolve("What about the moon?", history).question == "What did Rogozin say on YouTube the moon?"


def test_standalone_question_is_left_alone():
    for question in ("What did Lloyd Austin call Russia?", "Who is the US Secretary of Defense?"):
        resolved = resolve(question, HISTORY)
        assert not resolved.rewritten and resolved.question == question == resolved.retrieval_query


def test_no_history_means_no_rewrite():
    resolved = resolve("What did he say?", [])
    assert not resolved.rewritten and resolved.question == "What did he say?"


def test_long_answer_is_context_not_a_substitute():
    history = [
        Turn(
            question="What did the minister warn about?",
            answer="The plans of the US, as well as NATO to place weapons in outer space are taking shape",
        )
    ]
    resolved = resolve("Why did he say that?", history)
    assert resolved.question == "Why did he say that?"
    assert "minister" in resolved.retrieval_query


def test_pronoun_means_the_person_of_the_last_turn_not_a_thing_it_answered():
    show = [Turn(question="Which YouTube show did Rogozin appear on?", answer="Soloviev Live")]
    assert resolve("And where did he sound concerns?", show).question == "And where did Rogozin sound concerns?"
    warned = [Turn(question="What did Lavrov warn about?", answer="The plans of the US to place weapons in space")]
    assert resolve("Why did he say that?", warned).question == "Why did Lavrov say that?"
    president = [Turn(question="Which former US president announced US Space Command?", answer="Donald Trump")]
    assert resolve("What did he call it?", president).question == "What did Donald Trump call it?"


def test_asks_for_person():
    assert asks_for_person("Who heads Roscosmos?") and asks_for_person("Which former US president announced it?")
    assert not asks_for_person("What did the Secretary of State say?")
    assert not asks_for_person("Which YouTube show did Rogozin appear on?")


def test_refers_back_detection():
    assert refers_back("What did she announce?") and refers_back("And the moon?") and refers_back("Why?")
    assert not refers_back("When was the report published?")
