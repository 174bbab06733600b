"""Follow-up questions: pronouns and ellipsis are resolved with the last turn; standalone questions are left alone."""

from __future__ import annotations

from qa.models import Turn
from qa.questions.conversation import antecedents, asks_for_person, refers_back, resolutions, resolve, with_history

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


def test_a_whole_question_after_and_stands_alone():
    assert not refers_back("And what did the space agency chief say worries Russia?")
    assert not refers_back("But which country did the secretary call a key adversary?")
    assert resolutions("And what prevented the Apollo 13 landing?", ROSCOSMOS, history_turns=2) == [
        resolve("And what prevented the Apollo 13 landing?", ROSCOSMOS)
    ]
    for leaning in ("And how many ships?", "And what about the moon?", "And what else was said?", "And in 2019?"):
        assert refers_back(leaning), leaning
    assert refers_back("And what did he say on YouTube?")  # a pronoun leans back whatever the opening


ROSCOSMOS = [
    Turn(question="Who called Russia a key adversary?", answer="Lloyd Austin"),
    Turn(question="Who is the chief of Roscosmos?", answer="Dmitry Rogozin"),
]


def test_antecedents_are_the_people_and_answers_of_earlier_turns_newest_first():
    assert antecedents(ROSCOSMOS) == ["Dmitry Rogozin", "Roscosmos", "Lloyd Austin"]
    assert antecedents(ROSCOSMOS, limit=1) == ["Dmitry Rogozin"]


def test_a_follow_up_has_several_readings_the_rules_choice_first():
    readings = resolutions("What did he say on YouTube?", ROSCOSMOS, history_turns=2)
    assert readings[0] == resolve("What did he say on YouTube?", ROSCOSMOS)
    questions = [r.question for r in readings]
    assert questions == [
        "What did Dmitry Rogozin say on YouTube?",
        "What did he say on YouTube? | Who is the chief of Roscosmos? Dmitry Rogozin | "
        "Who called Russia a key adversary? Lloyd Austin",  # read with the last turns, as the reader was trained
        "What did Roscosmos say on YouTube?",
        "What did Lloyd Austin say on YouTube?",  # a return to an earlier turn's person
    ]
    assert [r.with_history for r in readings] == [False, True, False, False]
    without = [r.question for r in resolutions("What did he say on YouTube?", ROSCOSMOS)]
    assert without == [questions[0], *questions[2:]]  # a reader not trained on history is not given it


def test_that_is_a_thing_and_only_a_things_answer_replaces_it():
    history = [*ROSCOSMOS, Turn(question="Which newspaper carried the report?", answer="Wall Street Journal")]
    readings = resolutions("What did it say is driving the changes?", history)
    assert [r.question for r in readings[1:]] == ["What did Wall Street Journal say is driving the changes?"]


def test_an_ellipsis_is_read_into_each_of_the_last_two_questions_and_beside_the_last_turn():
    readings = resolutions("And on Twitter?", ROSCOSMOS, limit=10, history_turns=2)
    assert [r.question for r in readings] == [
        "Who is the chief of Roscosmos on Twitter?",
        with_history("And on Twitter?", ROSCOSMOS),
        "Who called Russia a key adversary on Twitter?",
        "And on Twitter? Who is the chief of Roscosmos? Dmitry Rogozin",
    ]


def test_a_self_contained_question_has_one_reading():
    assert resolutions("Who is the chief of NASA?", ROSCOSMOS) == [resolve("Who is the chief of NASA?", ROSCOSMOS)]
    assert len(resolutions("What did he say?", [])) == 1


def test_a_bare_question_word_is_asked_of_the_last_question_and_its_answer():
    history = [Turn(question="What did the US acknowledge destroying?", answer="a Soviet-era satellite")]
    for follow_up in ("How?", "And how?"):
        assert resolutions(follow_up, history)[0].question == (
            "How did the US acknowledge destroying a Soviet-era satellite?"
        )
    assert resolutions("And when exactly?", history)[0].question.startswith("When exactly did the US")


def test_a_short_question_is_never_read_alone():
    history = [Turn(question="Where was the plague first introduced to Europe?", answer="Genoese traders")]
    readings = [r.question for r in resolutions("In what year?", history, history_turns=1)]
    assert readings[:2] == [
        "In what year? | Where was the plague first introduced to Europe? Genoese traders",
        "In what year was the plague first introduced to Europe Genoese traders?",
    ]
    assert "In what year?" not in readings  # alone, it finds some year in whatever passage comes first
    assert len(resolutions("What is his title?", history)) > 1  # a verb follows: not only the asking part
    assert resolutions("In what year?", [])[0].question == "In what year?"  # nothing to lean on
