"""Reading in stages: the first passage alone, the next ones only when the stop rule says so."""

from __future__ import annotations

import pytest

from qa.models import Passage, RetrievedPassage, Section
from qa.reading.stages import headed, read_in_stages, stage_ends
from qa.reading.stopping import StopModel, StopRule
from qa.testing.reader import ScriptedReader


def test_a_passage_is_read_with_the_titles_of_its_sections():
    document = "Café Zoë\nEspresso machine\n- Location: room B220\n- Pump pressure: 15 bar\nGrinder\n- Burrs: 64 mm\n"
    titles = ["Café Zoë", "Espresso machine", "Grinder"]
    sections = [Section(start=document.index(t), title=t, level=2) for t in titles]
    start = document.index("- Pump")
    passage = Passage(id="d:1", document_id="d", start=start, end=len(document), text=document[start:])
    found = RetrievedPassage(passage=passage, title="t", source="cafe.html", score=1.0, sections=sections)
    read = headed(found)
    assert read.headings == ((-1, "Espresso machine"), (passage.text.index("Grinder"), "Grinder"))
    assert read.text == passage.text and passage.headings == ()
    assert "headings" not in read.model_dump()  # the reader's, never stored or sent
    assert headed(found.model_copy(update={"sections": None})).headings == ()
    at_heading = passage.model_copy(update={"start": sections[1].start, "text": document[sections[1].start :]})
    assert headed(found.model_copy(update={"passage": at_heading})).headings[0] == (0, "Espresso machine")


HISTORY = (
    "# The Old Tannery: A History\n\n## Origins\n\nA company was formed in 1868.\n\n## Building\n\n"
    "The building was finished in 1872 at a cost of £3,150.\n"
)


def history_passage(start_at: str, sections: list[Section] | None = None) -> RetrievedPassage:
    start = HISTORY.index(start_at)
    passage = Passage(id="h:1", document_id="h", start=start, end=len(HISTORY), text=HISTORY[start:])
    titles = [("The Old Tannery: A History", 1), ("Origins", 2), ("Building", 2)]
    found = sections or [Section(start=HISTORY.index(t), title=t, level=level) for t, level in titles]
    return RetrievedPassage(passage=passage, title="h", source="history.md", score=1.0, sections=found)


def test_a_passage_is_read_as_about_its_documents_subject_when_the_question_names_it():
    later = history_passage("The building")
    assert headed(later, "What did the Old Tannery cost to build?").about == "The Old Tannery: A History"
    assert headed(later, "What did the building cost?").about == ""  # the question names no subject
    assert headed(later, "What did the Corn Exchange cost?").about == ""  # nor this one
    assert headed(history_passage("# The Old"), "When was the Old Tannery finished?").about == ""  # it gives it
    two_tops = [
        Section(start=0, title="The Old Tannery: A History", level=1),
        Section(start=40, title="Building", level=1),
    ]
    assert headed(history_passage("The building", two_tops), "What did the Old Tannery cost?").about == ""
    chained = later.model_copy(update={"passage": later.passage.model_copy(update={"about": "Flat 2"})})
    assert headed(chained, "What did the Old Tannery cost to build?").about == "Flat 2"  # a chain's name stands
    assert "about" not in headed(later, "What did the Old Tannery cost?").model_dump()


TEXTS = ("the first answer", "nothing here", "a better answer", "the last answer")


def staged_passages() -> list[RetrievedPassage]:
    return [
        RetrievedPassage(
            passage=Passage(id=f"p{n}", document_id="d", start=100 * n, end=100 * n + len(text), text=text),
            title="d",
            source="d.txt",
            score=1 / (61 + n),
        )
        for n, text in enumerate(TEXTS)
    ]


ANSWERS = (("first", 6.0), ("better", 9.0))  # in p0 and p2


@pytest.mark.parametrize(
    ("confidence", "stop", "reads", "best"),
    [
        (0.95, 0.9, [["p0"]], "first"),  # confident in the first passage: the others are not read
        (0.5, 0.9, [["p0"], ["p1", "p2"], ["p3"]], "better"),  # unsure: the next two, then the rest, may win
        (None, 0.9, [["p0"], ["p1", "p2"], ["p3"]], "better"),  # an uncalibrated reader never stops early
        (0.95, 1.0, [["p0", "p1", "p2", "p3"]], "better"),  # 1: every passage in one pass
    ],
)
def test_passages_are_read_in_stages_and_stop_when_the_first_is_confident(confidence, stop, reads, best):
    passages = staged_passages()
    reader = ScriptedReader(*ANSWERS, confidence=confidence)
    found = read_in_stages(reader, "q?", passages, StopRule(confidence=stop))
    assert reader.reads == reads
    assert found[0].text == best


def test_the_first_passage_without_an_answer_sends_the_reader_on():
    passages = staged_passages()
    reader = ScriptedReader(("last", 2.0), confidence=0.99)
    assert [s.text for s in read_in_stages(reader, "q?", passages, StopRule(confidence=0.9))] == ["last"]
    assert reader.reads == [["p0"], ["p1", "p2"], ["p3"]]


def test_a_stop_model_decides_instead_of_the_confidence_when_there_is_one():
    passages = staged_passages()
    passages[0].dense_rank, passages[0].bm25_rank = 1, 1
    both_first = StopModel(weights=[0, 0, 0, 0, 0, 10], bias=-5)  # stops when both retrievers put it first
    reader = ScriptedReader(*ANSWERS, confidence=0.1)  # too unsure for the confidence rule alone
    assert read_in_stages(reader, "q?", passages, StopRule(confidence=0.6, model=both_first))[0].text == "first"
    assert reader.reads == [["p0"]]
    passages[0].bm25_rank = 2
    reader = ScriptedReader(*ANSWERS, confidence=0.99)
    assert read_in_stages(reader, "q?", passages, StopRule(confidence=0.6, model=both_first))[0].text == "better"
    assert reader.reads == [["p0"], ["p1", "p2"], ["p3"]]
    reader = ScriptedReader(*ANSWERS, confidence=0.99)
    read_in_stages(reader, "q?", passages, StopRule(probability=1.0, model=both_first))
    assert reader.reads == [["p0", "p1", "p2", "p3"]]  # a probability of 1 reads them all at once


class CountingRule(StopRule):
    """A rule that never stops early and counts how often it is asked."""

    asked: int = 0

    def stops(self, confidence, score, passages) -> bool:
        self.asked += 1
        return False


def test_the_stop_rule_is_asked_between_stages_only():
    passages = staged_passages()
    rule = CountingRule(confidence=0.9)
    read_in_stages(ScriptedReader(*ANSWERS, confidence=0.5), "q?", passages, rule)
    assert rule.asked == 2  # after [p0] and after [p1, p2]; after [p3] nothing is left to read


@pytest.mark.parametrize(
    ("count", "ends"), [(0, [0]), (1, [1]), (2, [1, 2]), (3, [1, 3]), (5, [1, 3, 5]), (10, [1, 3, 7, 10])]
)
def test_each_stage_reads_twice_as_many_passages_as_the_one_before(count, ends):
    assert list(stage_ends(count)) == ends


def test_the_middle_stage_stops_when_the_passage_of_its_best_answer_is_enough():
    passages = staged_passages()
    passages[2].dense_rank, passages[2].bm25_rank = 1, 1  # "better" lies in p2, which both retrievers put first
    both_first = StopModel(weights=[0, 0, 0, 0, 0, 10], bias=-5)
    reader = ScriptedReader(*ANSWERS, confidence=0.99)
    assert read_in_stages(reader, "q?", passages, StopRule(confidence=0.6, model=both_first))[0].text == "better"
    assert reader.reads == [["p0"], ["p1", "p2"]]  # judged with p2's ranks, not p0's: the last passage is not read
