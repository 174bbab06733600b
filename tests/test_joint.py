"""Reading across documents: supporting citations, corroborating chains, completing sentences, chains that lead."""

from __future__ import annotations

import pytest

from qa.models import Answer, Passage, RetrievedPassage
from qa.reading.answers import citation_at
from qa.reading.bridges import bridge_question
from qa.reading.joint import chain_leads, completions, corroborated, supported
from qa.reading.reader import ReaderSpan
from qa.retrieval import Retrieval
from qa.testing.reader import ScriptedReader


def test_overlapping_bridges_give_one_supporting_citation():
    from qa.reading.hops import hop_from

    first_text, second_text = "Their rival was The Broncos of Denver.", "The Broncos were coached by Gary Kubiak."
    first = Passage(id="a:0", document_id="a", start=0, end=len(first_text), text=first_text)
    second = Passage(id="b:0", document_id="b", start=0, end=len(second_text), text=second_text)
    found = [
        RetrievedPassage(passage=p, title=p.document_id, source=f"{p.document_id}.txt", score=1.0)
        for p in (first, second)
    ]
    start = second_text.index("Gary Kubiak")
    answer = Answer(text="Gary Kubiak", score=5.0, citations=[citation_at(found[1], start, start + 11)])
    hops = [hop_from(first, second, bridge) for bridge in ("The Broncos", "Broncos")]
    read = [ReaderSpan(document_id="b", passage_id="b:0", start=start, end=start + 11, text="Gary Kubiak", score=5.0)]
    supported([answer], [(hop, read) for hop in hops if hop is not None], found)
    assert [c.quote for c in answer.supporting] == ["The Broncos"]
    alone = answer.model_copy(update={"score": 6.0, "supporting": []})  # read better alone than through the hops
    supported([alone], [(hop, read) for hop in hops if hop is not None], found)
    assert alone.supporting == []


def test_a_chain_that_reaches_the_direct_best_answer_corroborates_it():
    def answer(text: str, confidence: float) -> Answer:
        return Answer(text=text, score=1.0, confidence=confidence, citations=[])

    direct = [answer("AQ-3", 0.2), answer("BG-118", 0.1)]
    assert corroborated(0.1, answer("AQ-3.", 0.5), direct) == pytest.approx(1 - 0.9 * 0.8)
    assert corroborated(0.1, answer("BG-118", 0.5), direct) == 0.1  # not the direct reading's best
    assert corroborated(0.1, answer("AQ-3", 0.5), []) == 0.1


def test_a_completing_sentence_is_read_with_its_answers_sentence_only():
    people = "Irena Sokol is our second-year doctoral researcher."
    sites = "Irena Sokol samples water at Kettle Fen. Ada Lund samples water at Brindle Marsh."
    found = [
        RetrievedPassage(
            passage=Passage(id=f"{d}:0", document_id=d, start=0, end=len(t), text=t), title=d, source=d, score=1.0
        )
        for d, t in (("sites", sites), ("people", people))
    ]
    start = sites.index("Kettle Fen")
    answer = Answer(text="Kettle Fen", score=1.0, confidence=0.3, citations=[citation_at(found[0], start, start + 10)])

    question = "Where does the second-year doctoral researcher sample water?"
    ((hop, spans),) = completions(
        question, [answer], Retrieval(passages=found), ScriptedReader(("Brindle Marsh", 9.0), ("Kettle Fen", 8.0))
    )
    assert (hop.first.text, hop.bridge) == (people, "Irena Sokol")
    assert [(s.text, s.passage_id, sites[s.start : s.end]) for s in spans] == [("Kettle Fen", "sites:0", "Kettle Fen")]


def test_a_chain_leads_when_surer_or_when_the_direct_answers_passage_lacks_what_is_asked():
    def read(document: str, text: str, quote: str, confidence: float) -> tuple[Answer, Retrieval]:
        found = RetrievedPassage(
            passage=Passage(id=f"{document}:0", document_id=document, start=0, end=len(text), text=text),
            title=document,
            source=document,
            score=1.0,
        )
        start = text.index(quote)
        cited = citation_at(found, start, start + len(quote))
        return Answer(text=quote, score=1.0, confidence=confidence, citations=[cited]), Retrieval(passages=[found])

    cut = bridge_question("Who was the controller of the championship that Marek Nowak won?")
    assert cut is not None
    direct, where = read("july", "The championship was won by Marek Nowak, ahead of Lucy Fenwick.", "Lucy Fenwick", 0.4)
    chained, found = read("march", "Alan Briggs will be the controller of the championship.", "Alan Briggs", 0.3)
    bridge, _ = read("july", "The championship was won by Marek Nowak.", "The championship", 0.9)
    assert chain_leads(cut, chained, found, [direct], where, bridge)  # less sure, but read where "controller" is
    elsewhere, there = read("may", "Alan Briggs was elected to the committee.", "Alan Briggs", 0.3)
    named_apart, _ = read("june", "The championship was won by Marek Nowak.", "The championship", 0.9)
    assert not chain_leads(cut, elsewhere, there, [direct], where, named_apart)
    assert chain_leads(
        cut, elsewhere, there, [direct], where, bridge
    )  # the direct answer was read where the championship is named, the chain's where its name is told of
    surer = elsewhere.model_copy(update={"confidence": 0.5})
    assert chain_leads(cut, surer, there, [direct], where, named_apart)
    assert chain_leads(cut, elsewhere, there, [], where, named_apart)
    unsure = elsewhere.model_copy(update={"confidence": 0.45})
    assert not chain_leads(cut, unsure, there, [direct], where, named_apart, early=True)  # after one passage
    assert chain_leads(cut, surer, there, [direct], where, named_apart, early=True)  # sure enough itself
    assert chain_leads(cut, chained, found, [direct], where, bridge, early=True)
    agreeing, again = read("july", "Alan Briggs won it; Lucy Fenwick was second.", "Lucy Fenwick", 0.3)
    assert chain_leads(cut, agreeing, again, [direct], where, named_apart, early=True)  # two readings agree
    assert not chain_leads(cut, agreeing, again, [direct], where, bridge, early=True)  # one passage read twice
    contact = bridge_question("What email address do I use to get a broken laptop replaced?")
    assert contact is not None
    team, said = read("equipment", "Laptops are replaced by the IT helpdesk.", "IT helpdesk", 0.46)
    address, given = read("people", "The helpdesk is at helpdesk@kestrel.example.", "helpdesk@kestrel.example", 0.44)
    assert chain_leads(contact, address, given, [team], said, team)  # less sure, but an address
    person, named = read("people", "Priya Nair runs the IT helpdesk.", "Priya Nair", 0.44)
    assert not chain_leads(contact, person, named, [team], said, team)  # no address either


def test_a_chain_through_a_named_thing_leads_when_the_direct_answer_was_read_of_something_else():
    cut = bridge_question("Where was the founder of Lindholm born?")
    assert cut is not None and cut.named
    text = "Lindholm was founded by Tomas Brenner. The poet Ada Berg was born in Ostvik."
    passage = Passage(id="t:0", document_id="t", start=0, end=len(text), text=text)
    found = RetrievedPassage(passage=passage, title="Lindholm", source="lindholm.txt", score=1.0)

    def read(quote: str, confidence: float) -> Answer:
        start = text.index(quote)
        return Answer(
            text=quote, score=1.0, confidence=confidence, citations=[citation_at(found, start, start + len(quote))]
        )

    direct, founder = read("Ostvik", 0.8), read("Tomas Brenner", 0.7)
    chained = Answer(text="Sandvik", score=1.0, confidence=0.5, citations=[])
    where = Retrieval(passages=[found])
    assert chain_leads(cut, chained, where, [direct], where, founder)  # read where Ada Berg's birth is told
    unsure = founder.model_copy(update={"confidence": 0.3})
    assert not chain_leads(cut, chained, where, [direct], where, unsure)
    assert not chain_leads(cut, chained, where, [read("Lindholm", 0.8)], where, founder)  # where he is named
