"""Finding answers: a question searched and read through the finder's collaborators (a search, a reader double)."""

from __future__ import annotations

import math

import pytest

from qa.config import RetrievalMode, Settings
from qa.models import Answer, Passage, RetrievedPassage
from qa.reading.answers import citation_at
from qa.reading.finder import AnswerFinder, hop_sources, names_its_subject, naming_first, remembered
from qa.reading.stopping import StopModel
from qa.retrieval import Retrieval
from qa.testing.reader import ScriptedReader, as_reader
from qa.validation import ask_options


def test_remembered_reads_each_query_once():
    calls = []
    read_once = remembered(lambda *asked: calls.append(asked) or (Retrieval(passages=[]), []))
    assert read_once("a") is read_once("a", "", "")
    read_once("b")
    read_once("b", "Zoë Ltd")  # read as about a name: another reading
    read_once("b", "Zoë Ltd", "d1:0")  # and as named in a passage: another
    assert calls == [("a", "", ""), ("b", "", ""), ("b", "Zoë Ltd", ""), ("b", "Zoë Ltd", "d1:0")]


@pytest.mark.parametrize(
    ("opening", "name", "expected"),
    [
        (
            "TENANCY AGREEMENT\n\nPROPERTY:     Flat 4, 12 Kestrel Lane\nTENANT:   Zoë Nowak",
            "Flat 4, 12 Kestrel Lane",
            True,
        ),
        ("INVOICE\nCopperkettle Roasting Co. Ltd\nUnit 3, Millbeck", "copperkettle roasting co. ltd", True),
        (
            "| Company | Phone | For |\n|---|---|---|\n| Pulsewave UK Ltd | 0118 496 0552 | service |",
            "Pulsewave UK Ltd",
            False,
        ),
        (
            "Company            What for       Phone\n-----------------  -------------  ------------\n"
            "Medequip Ltd       Couches        0161 496 0734\nPulsewave UK Ltd   Shockwave      0118 496 0552\n",
            "Pulsewave UK Ltd",
            False,  # a row of a plain-text table
        ),
        ("Suppliers\n- Pulsewave UK Ltd: shockwave\n2.1 Zoë Ltd cleans", "Pulsewave UK Ltd", False),  # list items
        ("Suppliers\n- Pulsewave UK Ltd: shockwave\n2.1 Zoë Ltd cleans", "Zoë Ltd", False),  # a numbered clause
        ("Suppliers\n- Pulsewave UK Ltd\n\nAgreed with Pulsewave UK Ltd on 3 May.", "Pulsewave UK Ltd", True),
        ("Suppliers", "Zoë Ltd", False),
    ],
)
def test_a_document_names_its_subject_in_its_opening_outside_tables_and_lists(opening, name, expected):
    assert names_its_subject(opening, name) is expected


def found_in(*texts: str, document_passages: int = 1) -> list[RetrievedPassage]:
    """One passage of each text, each in a document of its own (at offset 10 of it), as a search finds them."""
    return [
        RetrievedPassage(
            passage=Passage(id=f"d{n}:0", document_id=f"d{n}", start=10, end=10 + len(text), text=text),
            title=f"d{n}",
            source=f"d{n}.txt",
            score=1 / (61 + n),
            document_passages=document_passages,
        )
        for n, text in enumerate(texts)
    ]


def test_a_question_is_searched_by_its_query_and_a_confident_first_passage_is_all_it_reads():
    passages = found_in("The ferry to Zoë's island leaves at noon.", "The ferry was built in 1911.", "Tides turn.")
    searched: list[tuple[str, int, str]] = []

    def search(query: str, k: int, mode: RetrievalMode) -> Retrieval:
        searched.append((query, k, mode))
        return Retrieval(passages=[p.model_copy(deep=True) for p in passages])

    reader = ScriptedReader(("noon", 8.0), ("1911", 5.0), confidence=0.9)
    timings: dict[str, float] = {}
    options = ask_options(Settings(), top_k=3, mode="hybrid")
    finder = AnswerFinder(search, lambda: len(passages), answer_slack=2.0)
    retrieval, answers = finder.find(
        "When does it leave?", "When does the ferry leave?", options, as_reader(reader), timings
    )
    assert searched == [("When does the ferry leave?", 3, "hybrid")]
    assert reader.reads == [["d0:0"]]  # sure of the first passage: the other two are not read
    assert answers[0].text == "noon" and answers[0].confidence == 0.9
    (citation,) = answers[0].citations
    text = "0123456789" + passages[0].passage.text  # the document: the passage at offset 10
    assert text[citation.start : citation.end] == citation.quote == "noon" and citation.source == "d0.txt"
    assert retrieval.passages[0].passage.id == "d0:0" and set(timings) == {"retrieve", "read"}


CHAINED = "Who founded the company that built the ferry?"


@pytest.mark.parametrize(
    ("question", "mode", "ahead"),
    [
        (CHAINED, "hybrid", [[CHAINED, "What is the name of the company that built the ferry?"]]),
        (CHAINED, "bm25", []),  # nothing to embed
        ("When does the ferry leave?", "hybrid", []),  # no chain to ask
    ],
)
def test_a_chains_first_question_is_embedded_with_the_question_in_one_pass(question, mode, ahead):
    passages = found_in("The ferry to Zoë's island leaves at noon.")
    embedded: list[list[str]] = []
    finder = AnswerFinder(lambda query, k, m: Retrieval(passages=passages), lambda: 1, 0.0, embedded.append)
    reader = ScriptedReader(("noon", 8.0), confidence=0.9)
    finder.find(question, question, ask_options(Settings(), mode=mode), as_reader(reader), {})
    assert embedded == ahead


@pytest.mark.parametrize(("slack", "answer"), [(2.0, "the method of delivery of the G gene"), (0.0, "the G gene")])
def test_an_answer_in_a_long_document_widens_within_the_finders_slack(slack, answer):
    passages = found_in("Vaccines differ in the method of delivery of the G gene.", document_passages=25)
    reader = ScriptedReader(("the G gene", 8.0), ("the method of delivery of the G gene", 6.5), confidence=0.9)
    finder = AnswerFinder(lambda query, k, mode: Retrieval(passages=passages), lambda: 25, answer_slack=slack)
    options = ask_options(Settings(), mode="hybrid")
    _, answers = finder.find("What differs?", "What differs?", options, as_reader(reader), {})
    assert answers[0].text == answer and answers[0].confidence == 0.9


def test_a_question_asked_of_a_name_reads_first_where_the_name_is():
    found = Retrieval(
        passages=found_in(
            "Gareth will start the job on Monday.",
            "The job starts after the steel beam.",
            "Deposit paid.",
            "| 9 | Plastering & skim | Callum Hartley | 10 Jun 2024 |",
            "The kitchen job starts on 17 June.",
        )
    )
    found.passages[2].passage.about = "Callum"  # in a document about him
    kept = naming_first(found, "callum", count=3)
    assert [p.passage.id for p in kept.passages] == ["d2:0", "d3:0", "d0:0"]  # then the best of the others
    assert [p.passage.id for p in naming_first(found, "Zoë", count=2).passages] == ["d2:0", "d0:0"]
    second = naming_first(found, "callum", count=3, named_in="d2:0")  # where a chain found the name: read second
    assert [p.passage.id for p in second.passages] == ["d3:0", "d2:0", "d0:0"]
    assert naming_first(found, "callum", count=3, named_in="d3:0") == kept  # not first: where it was


def test_second_hops_start_from_the_best_answers_passage_and_the_best_passage():
    passages = found_in(
        "Post it to our fulfilment partner, ParcelNest.", "Ask the online team.", "ParcelNest, Kelsford KF3 9LT"
    )
    weak = Answer(text="online team", score=-2.0, citations=[citation_at(passages[1], 18, 29)])
    assert [p.id for p in hop_sources([weak], passages)] == ["d1:0", "d0:0"]
    first = weak.model_copy(update={"citations": [citation_at(passages[0], 10, 19)]})
    assert [p.id for p in hop_sources([first], passages)] == ["d0:0"]  # the best answer read in the best passage
    assert [p.id for p in hop_sources([], passages)] == ["d0:0"]
    assert hop_sources([weak], []) == []


def chain_finder(passages: list[RetrievedPassage]) -> AnswerFinder:
    """A finder whose search gives ``passages``, and all but the first for a question asking a described thing's name
    (the passage naming it)."""

    def search(query: str, k: int, mode: RetrievalMode) -> Retrieval:
        found = passages[1:] if query.startswith("What is the name of") else passages
        return Retrieval(passages=[p.model_copy(deep=True) for p in found])

    return AnswerFinder(search, lambda: len(passages), answer_slack=0.0)


def test_a_chain_through_what_the_best_passage_lacks_leads_before_any_second_hop():
    question = "Where does the third-year PhD student collect her peat samples?"
    samples = "Laila Haddad collects her peat samples at Marsh End Moss."
    finder = chain_finder(found_in(samples, "Our third-year PhD student is Laila Haddad."))
    reader = ScriptedReader(("Marsh End Moss", 5.0), ("Laila Haddad", 3.0), confidence=0.4)
    _, answers = finder.find(question, question, ask_options(Settings(), mode="hybrid"), as_reader(reader), {})
    assert answers[0].text == "Marsh End Moss" and answers[0].confidence == pytest.approx(1 - (1 - 0.4**2) * 0.6)
    assert [c.passage_id for c in answers[0].supporting] == ["d1:0"]  # where the student is named
    assert all("hop" not in read for read in reader.reads)  # the chain led: no pair of passages was read


def test_a_chain_asks_of_the_name_first_where_it_was_not_found():
    question = "Who is the custodian of the instrument the SOILCLOCK project uses?"
    project = "SOILCLOCK measures respiration with the GasTrace 900. Kenji Mori leads SOILCLOCK."
    passages = found_in(project, "Owen Price is the custodian of the GasTrace 900.")
    reader = ScriptedReader(("GasTrace 900", 6.0), ("Owen Price", 5.0), ("Kenji Mori", 4.0), confidence=0.9)
    finder = AnswerFinder(lambda query, k, mode: Retrieval(passages=passages), lambda: 2, answer_slack=0.0)
    _, answers = finder.find(question, question, ask_options(Settings(), mode="hybrid"), as_reader(reader), {})
    assert answers[0].text == "Owen Price"
    # the direct question, the name of the instrument (both in the project's passage), then the instrument's custodian
    assert reader.reads[:3] == [["d0:0"], ["d0:0"], ["d1:0"]]


def test_a_chains_questions_stop_sooner_than_the_question_asked_alone():
    question = "Who is the custodian of the instrument the SOILCLOCK project uses?"
    project = "SOILCLOCK measures respiration with the GasTrace 900. Kenji Mori leads SOILCLOCK."
    others = ("The freezer is in B216.", "Cabinets hold soil cores.", "Samples are scanned weekly.")
    passages = found_in(project, "Owen Price is the custodian of the GasTrace 900.", *others)
    reader = ScriptedReader(("GasTrace 900", 6.0), ("Owen Price", 5.0), ("Kenji Mori", 4.0), confidence=0.9)
    reader.stop_model = StopModel(weights=[0.0] * 6, bias=math.log(0.8 / 0.2))  # 0.8 that reading on adds nothing
    finder = AnswerFinder(lambda query, k, mode: Retrieval(passages=passages), lambda: 5, answer_slack=0.0)
    options = ask_options(Settings(), mode="hybrid")
    assert finder.find(question, question, options, as_reader(reader), {})[1][0].text == "Owen Price"
    # each of the chain's questions stops at its first passage (0.8 reaches a chain's 0.75, not a question's 0.9)
    assert reader.reads[:3] == [["d0:0"], ["d0:0"], ["d1:0"]]
    reader.reads.clear()
    finder.find("Who leads SOILCLOCK?", "Who leads SOILCLOCK?", options, as_reader(reader), {})
    assert reader.reads[:2] == [["d0:0"], ["d1:0", "d2:0"]]  # a question asked alone reads on


def test_a_chain_answers_with_its_best_span_that_is_not_the_name_it_asked_of():
    question = "Which room does the teacher who leads the Year 8 trip run their club in?"
    finder = chain_finder(found_in("Eco Club – Mr Okafor – room G4 – Wednesdays", "Mr Okafor leads the Year 8 trip."))
    reader = ScriptedReader(("Mr Okafor", 6.0), ("G4", 4.0), confidence=0.6)
    _, answers = finder.find(question, question, ask_options(Settings(), mode="hybrid"), as_reader(reader), {})
    assert answers[0].text == "G4"  # read for "Which room does Mr Okafor run their club in?", below the name itself
    assert [c.passage_id for c in answers[0].supporting] == ["d1:0"]  # where the teacher is named
