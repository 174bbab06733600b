"""Answers made of spans: widened to the longest candidate holding the best in a long document, told apart by part."""

from __future__ import annotations

import pytest

from qa.config import Settings
from qa.models import Answer, Passage, RetrievedPassage
from qa.reading.answers import citation_at, latest_first, named_in_full, told_apart, widened
from qa.testing.reader import ScriptedReader, as_reader
from qa.validation import ask_options

WIDE_TEXT = "Spread is set by the method of delivery of the G gene (Figure 1A). Other text follows."


def long_passage(passages: int) -> RetrievedPassage:
    """The first sentence of WIDE_TEXT as a passage of a document of ``passages`` passages."""
    passage = Passage(id="w:0", document_id="w", start=0, end=66, text=WIDE_TEXT[:66])
    return RetrievedPassage(passage=passage, title="Paper", source="paper.txt", score=1.0, document_passages=passages)


def answer_at(retrieved: RetrievedPassage, phrase: str, score: float, confidence: float = 0.8) -> Answer:
    start = WIDE_TEXT.index(phrase)
    citation = citation_at(retrieved, start, start + len(phrase))
    return Answer(text=phrase, score=score, confidence=confidence, citations=[citation])


def test_widened_takes_the_longest_candidate_holding_the_best_in_a_long_document():
    found = long_passage(40)
    best = answer_at(found, "the G gene", 9.0)
    wider = answer_at(found, "the method of delivery of the G gene", 7.5, confidence=0.3)
    too_low = answer_at(found, "Spread is set by the method of delivery of the G gene", 6.0)
    elsewhere = answer_at(found, "Other text", 8.5)
    answers = widened([best, elsewhere, wider, too_low], [found], slack=2.0)
    assert [a.text for a in answers] == ["the method of delivery of the G gene", "Other text", too_low.text]
    top = answers[0]
    assert (top.score, top.confidence) == (9.0, 0.8)  # the best one's, not the wider candidate's
    citation = top.citations[0]
    assert WIDE_TEXT[citation.start : citation.end] == citation.quote == top.text


def test_widened_keeps_the_span_as_read_in_a_short_document_or_without_slack():
    for found, slack in ((long_passage(3), 2.0), (long_passage(40), 0.0)):
        best = answer_at(found, "the G gene", 9.0)
        wider = answer_at(found, "the method of delivery of the G gene", 8.9)
        assert widened([best, wider], [found], slack) == [best, wider]


def rates(*read: tuple[str, float | None]) -> list[Answer]:
    """A part's answers, best first, each at its confidence."""
    return [Answer(text=text, score=-1.0, confidence=confidence, citations=[]) for text, confidence in read]


@pytest.mark.parametrize(
    ("found", "chosen"),
    [
        # both parts read "£72" best: the pair most likely right together is "£72" and the second part's "£78"
        (
            [[("£72 per hour", 0.49), ("£78 per hour", 0.24)], [("£72 per hour", 0.57), ("£78 per hour", 0.31)]],
            ["£72 per hour", "£78 per hour"],
        ),
        # the first part's next is surer than the second's: it gives way
        (
            [[("£72 per hour", 0.49), ("£78 per hour", 0.45)], [("£72 per hour", 0.57), ("£78 per hour", 0.21)]],
            ["£78 per hour", "£72 per hour"],
        ),
        # "8 August" is within "8 August 2025": one answer; the next under the bar (0.2) is no choice
        ([[("8 August", 0.38), ("31 March", 0.1)], [("8 August 2025", 0.64)]], None),
        ([[("Rosa Kim", None), ("Helen Okafor", None)], [("Rosa Kim", None)]], None),  # without calibration
        # only the three best of a part are chosen from
        ([[("A", 0.9), ("A.", 0.8), ("the A", 0.7), ("B", 0.6)], [("A", 0.9)]], None),
    ],
)
def test_parts_that_read_one_answer_best_are_told_apart_by_their_next_answers(found, chosen):
    options = ask_options(Settings(), min_confidence=0.2)
    reader = as_reader(ScriptedReader(confidence=None))
    told = told_apart([rates(*answers) for answers in found], reader, options)
    assert (told and [answer.text for answer in told]) == chosen


@pytest.mark.parametrize(
    ("question", "read", "shown"),
    [
        # a name alone, the same name with a surname among the next answers: the person named in full, surer of two
        (
            "who has plot 14",
            [("Jeff", 0.4), ("Cheers", 0.29), ("Jeff Barnett", 0.24)],
            [("Jeff Barnett", 0.4), ("Cheers", 0.29)],
        ),
        ("Who chairs it?", [("Zoë", 0.3), ("Zoë Le Sueur", 0.5)], [("Zoë Le Sueur", 0.5)]),
        # no question of who; no name alone; no surname; too far down; a longer answer that is no name in full
        ("What has plot 14?", [("Jeff", 0.4), ("Jeff Barnett", 0.24)], [("Jeff", 0.4), ("Jeff Barnett", 0.24)]),
        ("who has plot 14", [("Jeff B", 0.4), ("Jeff Barnett", 0.2)], [("Jeff B", 0.4), ("Jeff Barnett", 0.2)]),
        ("who has plot 14", [("Jeff", 0.4), ("Jeff and Sue", 0.2)], [("Jeff", 0.4), ("Jeff and Sue", 0.2)]),
        ("who has it", [("Jo", 0.4), ("A", 0.1), ("B", 0.1), ("C", 0.1), ("Jo Bell", 0.1)], None),
        ("who has it", [("Jo", 0.4), ("Jones", 0.3)], None),
    ],
)
def test_a_name_alone_gives_way_to_the_same_name_in_full_among_the_next_answers(question, read, shown):
    answers = [
        Answer(text=text, score=float(n), confidence=confidence, citations=[])
        for n, (text, confidence) in enumerate(read)
    ]
    named = named_in_full(question, answers)
    assert [(a.text, a.confidence) for a in named] == (read if shown is None else shown)


NOTES = (
    "| 30/08 | Donna Sellers | £45.00 |\n"
    "- Donna -> £50/clean from 1 Aug (was £45). Zoë's cleaner on 06/09.\n"
    "- Gwen's week moved from Wed 12 Mar to Thu 13 Mar.\n"
)
NOTED = RetrievedPassage(
    passage=Passage(id="n:0", document_id="n", start=0, end=len(NOTES), text=NOTES),
    title="Notes",
    source="notes.md",
    score=1.0,
)


def noted(text: str, confidence: float) -> Answer:
    """An answer read where ``text`` stands in NOTES ("text#2": its second place there), at ``confidence``."""
    text, _, nth = text.partition("#")
    start = -1
    for _ in range(int(nth or 1)):
        start = NOTES.index(text, start + 1)
    citation = citation_at(NOTED, start, start + len(text))
    return Answer(text=text, score=confidence, confidence=confidence, citations=[citation])


@pytest.mark.parametrize(
    ("question", "read", "shown"),
    [
        # asked what holds now, read first in a rota's cell: the answer read where the change is told leads
        ("what's donna charging per clean now", [("£45.00", 0.32), ("£50/clean", 0.3)], ["£50/clean", "£45.00"]),
        ("when is gwen's week now", [("30/08", 0.32), ("Thu 13 Mar", 0.3)], ["Thu 13 Mar", "30/08"]),
        # too far down; not asked of now; the best tells of a change itself; within the best; the value the change
        # left; of another kind (no figure)
        ("at the moment?", [("£45.00", 0.3), ("Zoë", 0.2), ("Donna", 0.2), ("06/09", 0.2), ("£50/clean", 0.1)], None),
        ("what's donna charging per clean", [("£45.00", 0.32), ("£50/clean", 0.3)], None),
        ("what's donna charging now", [("£50/clean", 0.32), ("£45.00", 0.3)], None),
        ("what's donna charging now", [("£45.00", 0.32), ("£45#2", 0.3)], None),
        ("when is gwen's week now", [("30/08", 0.32), ("Wed 12 Mar", 0.3)], None),
        ("what's donna charging now", [("£45.00", 0.32), ("Donna#2", 0.3)], None),
    ],
)
def test_asked_what_holds_now_an_answer_read_where_a_change_is_told_leads(question, read, shown):
    answers = [noted(text, confidence) for text, confidence in read]
    led = latest_first(question, answers)
    assert [a.text for a in led] == (shown or [a.text for a in answers])
    assert led[0].confidence == answers[0].confidence  # the higher of the two
