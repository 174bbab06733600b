"""Second-hop reading: which names lead elsewhere, and where the answers read through them are cited."""

from __future__ import annotations

import pytest

from qa.models import Passage
from qa.reading.hops import Hop, bridge_names, bridges, hop_from, read_hop, uncovered
from qa.reading.reader import ReaderSpan

SECURITY = "Multi-factor authentication (MFA) is required for TripDesk, company e-mail and the HR portal."
BRIDGE = "The Vell bridge was built in 1911 by Kvist & Sons of Zorblat. It is 140 metres long."
TABLE = "| Code | Meaning | What to do |\n| E7 | Internal pressure sensor fault. | Contact Brevano Customer Care. |"


@pytest.mark.parametrize(
    ("question", "text", "names"),
    [
        ("Which booking portal requires multi-factor authentication?", SECURITY, ["TripDesk", "HR"]),
        ("Who founded the company that built the Vell bridge?", BRIDGE, ["Kvist & Sons", "Zorblat"]),
        (
            "What number should I call if my machine shows error E7?",
            TABLE,
            ["Contact Brevano Customer Care", "Brevano Customer Care"],
        ),
        ("Who is Kvist & Sons?", "Kvist & Sons was founded in 1874.", []),
    ],
)
def test_a_bridge_is_a_name_the_passage_gives_and_the_question_does_not(question, text, names):
    assert bridge_names(question, text) == names


def test_the_best_answers_that_are_names_are_followed_first():
    question = "Who founded the company that built the Vell bridge?"
    assert bridges(question, ["Kvist & Sons.", "140 metres"], BRIDGE, limit=2) == ["Kvist & Sons", "Zorblat"]
    assert bridges(question, ["Zorblat"], BRIDGE, limit=1) == ["Zorblat"]


def test_uncovered_words_are_the_questions_content_words_the_passage_lacks():
    assert uncovered("Who founded the company that built the Vell bridge?", BRIDGE) == {"found", "compani"}
    assert uncovered("When was the Vell bridge built?", BRIDGE) == set()


class ScriptedReader:
    """A reader double: answers the given texts wherever they stand in the one passage it is handed."""

    def __init__(self, *answers: tuple[str, float]):
        self.answers = answers

    def read(self, question, passages, top_n=10):
        (passage,) = passages
        return [
            ReaderSpan(
                document_id=passage.document_id,
                passage_id=passage.id,
                start=passage.text.index(text),
                end=passage.text.index(text) + len(text),
                text=text,
                score=score,
            )
            for text, score in self.answers
            if text in passage.text
        ]


def passage(document: str, text: str, start: int) -> Passage:
    return Passage(id=f"{document}:0", document_id=document, start=start, end=start + len(text), text=text)


def test_answers_read_through_a_hop_are_cited_where_the_chain_ends():
    first = passage("bridge", BRIDGE, 40)
    second = passage("company", "Kvist & Sons is a builder. It was founded in 1874 by Elna Kvist.", 100)
    hop = hop_from(first, second, "Kvist & Sons")
    assert hop == Hop(first, second, "Kvist & Sons", 40 + BRIDGE.index("Kvist & Sons"))
    spans = read_hop(ScriptedReader(("Elna Kvist", 6.0), ("1911", 4.0), ("Kvist & Sons", 3.0)), "Who?", hop)
    assert [(s.text, s.passage_id) for s in spans] == [("Elna Kvist", "company:0"), ("Kvist & Sons", "company:0")]
    for span in spans:  # offsets in the second document; "1911", only in the first, was read there already
        assert second.text[span.start - second.start : span.end - second.start] == span.text


def test_no_hop_when_a_passage_does_not_name_the_bridge():
    first = passage("bridge", BRIDGE, 0)
    assert hop_from(first, passage("town", "Zorblat is a town.", 0), "Kvist & Sons") is None
