"""Reading across documents: when to look past one passage, whether a chain leads, what completes an answer."""

from __future__ import annotations

import re

from qa.models import Answer, Citation, RetrievedPassage
from qa.reading.answers import answered, best_passage, citation_at, overlapped
from qa.reading.bridges import PARTICIPLE_PHRASE, REDUCED_RELATIVE, BridgeQuestion, has_form, named_thing
from qa.reading.hops import (
    Hop,
    completing,
    hop_from,
    names_in_sentence,
    read_hop,
    sentence_bounds,
    trimmed,
    uncovered,
)
from qa.reading.kinds import lacks_its_number
from qa.reading.reader import Reader, ReaderSpan
from qa.retrieval import Retrieval
from qa.validation import AskOptions

HOP_CANDIDATES = 5  # passages retrieved for a second hop, among which the first of another document naming the bridge


# A relative pronoun after a word: not the question word itself
RELATIVE_CLAUSE = re.compile(r"\w\s+(?:that|which|who|whose|whom|where)\s+\w", re.IGNORECASE)


MAX_COMPLETED = 5  # best answers whose passages are read with the sentence of another document that completes them


HOP_BELOW = 0.5  # an answer less likely right than this is checked against the other documents (hops, chain)


def looks_further(
    question: str, answers: list[Answer], passages: list[RetrievedPassage], reader: Reader, options: AskOptions
) -> bool:
    """Whether to read past the single passages: no answer is given, or the best is less likely right than HOP_BELOW
    or lacks the number the question asks for (``lacks_its_number``), or the question describes something by a
    relative clause ("the company that built the bridge", "the dam built by Telford") or by what it is to a name
    ("the founder of Varrowdale", ``named_thing``) whose words its passage lacks (described in another document,
    perhaps)."""
    if not answers or not answered(answers[0], reader, options):
        return True
    best = answers[0]
    if (best.confidence is not None and best.confidence < HOP_BELOW) or lacks_its_number(question, best.text):
        return True
    clauses = (RELATIVE_CLAUSE, REDUCED_RELATIVE, PARTICIPLE_PHRASE)
    if not any(pattern.search(question) for pattern in clauses) and named_thing(question) is None:
        return False
    return bool(uncovered(question, best_passage(answers, passages)))


def corroborated(confidence: float, answer: Answer, answers: list[Answer]) -> float:
    """The confidence of ``answer``, read through a chain at ``confidence``, when the best of ``answers`` (read
    directly) is the same: either reading may be right, as if independent (1 - (1 - p) (1 - q))."""
    same = answers[0] if answers and trimmed(answers[0].text) == trimmed(answer.text) else None
    return confidence if same is None else 1 - (1 - confidence) * (1 - (same.confidence or 0.0))


def brought_in(retrieval: Retrieval, read: list[RetrievedPassage], cited: set[str]) -> None:
    """Add to ``retrieval``'s passages those of ``read`` that an answer cites (by id in ``cited``) and it lacks."""
    known = {p.passage.id for p in retrieval.passages}
    for passage in read:
        if passage.passage.id in cited - known:
            retrieval.passages.append(passage)
            known.add(passage.passage.id)


def chain_leads(
    cut: BridgeQuestion,
    chained: Answer,
    found: Retrieval,
    answers: list[Answer],
    retrieval: Retrieval,
    bridge: Answer,
    early: bool = False,
) -> bool:
    """Whether a chain's answer leads the direct ``answers``: there are none, or it is surer than the best (when the
    chain is read ``early``, after the first passage, only when it is at least HOP_BELOW itself: the others may make
    the direct answer sure; or when it is the best, reached through a name read in another passage: two readings
    agree, which the others would only confirm, ``agrees``), or the best lacks what an answer to the question has and
    the chain's has it (``has_form``: "helpdesk" for an email address), or the best one's passage lacks more of what
    the question asks of the described thing ("Who was the controller of ...?") than the chain's does, or is the
    passage that named the thing (``read_where_named``); for a thing named by what it is to a name (the ``bridge``,
    surely named), when the best was read in a sentence that does not name it ("Port Ellery" for "Isolde Marrow's
    husband was born in which city?", read where Isolde Marrow's birth is told)."""
    if not answers:
        return True
    confidence = chained.confidence or 0.0
    surer = (answers[0].confidence or 0.0) < confidence and (not early or confidence >= HOP_BELOW)
    surer_or_agreeing = surer or (early and agrees(chained, answers[0], bridge))
    if surer_or_agreeing or (not has_form(cut, answers[0].text) and has_form(cut, chained.text)):
        return True
    if cut.named:  # "the founder of X": the words asked of it may lie in any passage about X
        return (bridge.confidence or 0.0) >= HOP_BELOW and not names_in_sentence(answers[0], bridge.text)
    asked = f"{cut.asked_of} {cut.after}"
    direct_lacks = len(uncovered(asked, best_passage(answers, retrieval.passages)))
    chain_lacks = len(uncovered(asked, best_passage([chained], found.passages)))
    # or the direct answer was read where the described thing is named, not where it is told of
    return direct_lacks > chain_lacks or read_where_named(answers[0], bridge, chained)


def agrees(chained: Answer, direct: Answer, bridge: Answer) -> bool:
    """Whether a chain's answer is the ``direct`` one, reached through a name (the ``bridge``) read in another passage
    than the chain's answer ("AQ-3", asked of the "AquaClear cartridge" that the troubleshooting page names, is the
    order code read directly): two readings, not one passage read twice ("three years", asked of the "proof of
    purchase" that the warranty's own passage names)."""
    elsewhere = bridge.citations[0].passage_id != chained.citations[0].passage_id
    return elsewhere and trimmed(chained.text) == trimmed(direct.text)


def further_citations(answer: Answer, citations: list[Citation]) -> list[Citation]:
    """Of ``citations``, the first of each passage ``answer`` does not cite: what else its answer rests on."""
    seen = {c.passage_id for c in answer.citations}
    further = []
    for citation in citations:
        if citation.passage_id not in seen:
            further.append(citation)
            seen.add(citation.passage_id)
    return further


def read_where_named(direct: Answer, bridge: Answer, chained: Answer) -> bool:
    """Whether the ``direct`` answer was read in the passage that names the described thing (the ``bridge``: "Job
    booked by: Cobbold & Finch Lettings", read for "the letting agents who booked our boiler service") and the chain's
    answer in another (what the question asks of that thing lies where it is named as itself)."""
    named_in = bridge.citations[0].passage_id
    return direct.citations[0].passage_id == named_in and chained.citations[0].passage_id != named_in


def completions(
    question: str, answers: list[Answer], retrieval: Retrieval, reader: Reader
) -> list[tuple[Hop, list[ReaderSpan]]]:
    """Hops into the best answers' sentences (of the best MAX_COMPLETED answers) from the sentence of another document
    that says what each leaves out of the question (``completing``: "Monitors are requested from the IT Service Desk"
    for "2200", read where "the IT Service Desk on extension 2200" is given, when the question asks which extension
    to call for a monitor), each read together with the answer's passage (``read_hop``, none when the reader, reading
    both, answers from the sentence); what is read there outside the answer's sentence is left out, for the link
    speaks of that sentence only."""
    passages = {p.passage.id: p.passage for p in retrieval.passages}
    hops: dict[tuple[str, int, str, int], tuple[Hop, tuple[int, int]]] = {}
    for answer in answers[:MAX_COMPLETED]:
        cited = answer.citations[0]
        link = completing(question, cited, list(passages.values()))
        hop = hop_from(link[0], passages[cited.passage_id], link[1]) if link is not None else None
        if hop is not None:
            start, end = sentence_bounds(cited.passage_text, cited.start - cited.passage_start)
            said = (cited.passage_start + start, cited.passage_start + end)
            hops.setdefault((hop.first.id, hop.first.start, hop.second.id, said[0]), (hop, said))
    read = [(hop, read_hop(reader, question, hop, led=True), said) for hop, said in hops.values()]
    return [(hop, [s for s in spans if said[0] <= s.start and s.end <= said[1]]) for hop, spans, said in read]


def supported(
    answers: list[Answer], hops: list[tuple[Hop, list[ReaderSpan]]], passages: list[RetrievedPassage]
) -> None:
    """Give each answer whose best reading came through a hop (the spans read in it) the place where its first
    passage names the bridge (the other document the answer rests on) as a supporting citation."""
    found = {p.passage.id: p for p in passages}
    for answer in answers:
        cited = {c.passage_id for c in answer.citations}
        for hop, read in hops:
            through = any(s.text == answer.text and s.score >= answer.score for s in read)
            if through and hop.second.id in cited and hop.first.id in found and hop.first.id not in cited:
                mention = citation_at(found[hop.first.id], hop.bridge_start, hop.bridge_start + len(hop.bridge))
                if not any(overlapped(mention, other) for other in answer.supporting):
                    answer.supporting.append(mention)


def completed(question: str, answers: list[Answer], passages: list[RetrievedPassage]) -> None:
    """Give each answer without a supporting citation the passage of another document that says what its own
    passage leaves out of the question (``completing``): the place where that passage gives the name linking the
    two. "10 hours", read where "Harrowgate Connect sessions are cut after 10 hours", rests too on "remote staff
    must use Harrowgate Connect" when the question asks about the connection remote staff must use."""
    found = {p.passage.id: p for p in passages}
    for answer in answers:
        link = (
            completing(question, answer.citations[0], [p.passage for p in passages]) if not answer.supporting else None
        )
        if link is not None:
            other, name = link
            start = other.start + other.text.index(name)
            answer.supporting.append(citation_at(found[other.id], start, start + len(name)))
