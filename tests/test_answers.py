"""Answers made of spans: widened to the longest candidate holding the best in a long document."""

from __future__ import annotations

from qa.models import Answer, Passage, RetrievedPassage
from qa.reading.answers import citation_at, widened

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
