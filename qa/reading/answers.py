"""Answers made of the reader's spans: cited, rated, widened to a clause in long documents, given or not."""

from __future__ import annotations

import itertools
import math
import re

from qa.documents.loading import page_at
from qa.models import Answer, Citation, RetrievedPassage
from qa.reading.bridges import ASKS_WHO
from qa.reading.calibration import gives_answer
from qa.reading.hops import overlaps, sentence_bounds
from qa.reading.reader import Reader
from qa.retrieval import section_name
from qa.validation import AskOptions


def answered(answer: Answer, reader: Reader, options: AskOptions) -> bool:
    """Whether ``answer`` is given (``gives_answer``: its confidence, or its score for a reader without calibration,
    against the question's options; the reader's own threshold when the options name none)."""
    threshold = reader.threshold if options.threshold is None else options.threshold
    return gives_answer(answer.score, answer.confidence, threshold, options.min_confidence)


def best_given(answers: list[Answer], reader: Reader, options: AskOptions) -> Answer | None:
    """The best of ``answers`` when it is given (``answered``); None when there is none or it is not."""
    return answers[0] if answers and answered(answers[0], reader, options) else None


def citation_at(retrieved: RetrievedPassage, start: int, end: int) -> Citation:
    """The citation of the characters ``start:end`` of a retrieved passage's document (within the passage)."""
    passage = retrieved.passage
    return Citation(
        document_id=passage.document_id,
        title=retrieved.title,
        source=retrieved.source,
        passage_id=passage.id,
        start=start,
        end=end,
        quote=passage.text[start - passage.start : end - passage.start],
        passage_text=passage.text,
        passage_start=passage.start,
        passage_end=passage.end,
        page=page_at(retrieved.page_starts, start),
        section=section_name(retrieved.sections, start),
    )


def rated(answers: list[Answer], reader: Reader) -> list[Answer]:
    """The answers, each with the reader's confidence that it is right (judged against the others), best first."""
    candidates = [(a.text, a.score) for a in answers]
    for number, answer in enumerate(answers):
        answer.confidence = reader.confidence([candidates[number], *candidates[:number], *candidates[number + 1 :]])
    return answers


LONG_DOCUMENT_PASSAGES = 20  # a document of this many passages or more is long (a paper, a report: see widened)


def widened(answers: list[Answer], passages: list[RetrievedPassage], slack: float) -> list[Answer]:
    """The answers, the best read as the longest candidate that holds it in the same place and scores at most
    ``slack`` below it, when its document is long (LONG_DOCUMENT_PASSAGES): answers in papers and reports run to a
    clause ("the method of delivery of the G gene" where the reader's best is "the G gene"). The wider answer keeps
    the best one's score and confidence; the best one as read is then dropped (the answer holds it)."""
    if not answers or slack <= 0 or not answers[0].citations:
        return answers
    best, place = answers[0], answers[0].citations[0]
    lengths = {p.passage.document_id: p.document_passages or 0 for p in passages}
    if lengths.get(place.document_id, 0) < LONG_DOCUMENT_PASSAGES:
        return answers
    wider = [
        (citation, answer)
        for answer in answers[1:]
        if answer.score >= best.score - slack
        for citation in answer.citations
        if holds(citation, place)
    ]
    if not wider:
        return answers
    citation, chosen = max(wider, key=lambda found: found[0].end - found[0].start)
    answer = best.model_copy(update={"text": chosen.text, "citations": [citation]})
    return [answer, *(a for a in answers[1:] if a is not chosen)]


GIVEN_NAME = re.compile(r"[A-ZÀ-ÖØ-Þ][^\W\d_A-ZÀ-ÖØ-Þ]+")  # a name alone, as one signs off or is spoken of: "Jeff"
SURNAMES = re.compile(r"(?: [A-ZÀ-ÖØ-Þ][\w'’-]+){1,2}")  # what names them in full after it: "Barnett", "Le Sueur"
FULL_NAME_CHOICES = 3  # the answers after the best one where its name in full is looked for


def named_in_full(question: str, answers: list[Answer]) -> list[Answer]:
    """``answers`` led by the best one's person named in full when ``question`` asks who, the best answer is a name
    alone (``GIVEN_NAME``: "Jeff", read where an e-mail is signed "Jeff (plot 14)") and one of the next few answers
    (``FULL_NAME_CHOICES``) is that name and a surname ("Jeff Barnett", read in "Jeff Barnett = plot 14"): the same
    person, named as a person asking wants. It takes the best one's place at the higher of their confidences."""
    if len(answers) < 2 or not ASKS_WHO.search(question) or not GIVEN_NAME.fullmatch(answers[0].text):
        return answers
    best = answers[0]
    for fuller in answers[1 : 1 + FULL_NAME_CHOICES]:
        if fuller.text.startswith(best.text) and SURNAMES.fullmatch(fuller.text, len(best.text)):
            confidence = max(best.confidence or 0.0, fuller.confidence or 0.0)
            named = fuller.model_copy(update={"confidence": confidence, "score": max(best.score, fuller.score)})
            return [named, *(a for a in answers[1:] if a is not fuller)]
    return answers


# A question asking what holds now, after a change: "what's donna charging per clean now", "how much is the guest room
# a night at the moment", "what dose is he on these days".
ASKS_NOW = re.compile(r"\b(?:now|currently|at the moment|at present|these days|nowadays|any ?more)\b", re.IGNORECASE)
# What tells, in a sentence, that something changed: "moved to", "goes up to", "from 1 Aug", "(was £45)", "->".
MONTH_OR_DAY = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun)[a-z]*"
CHANGE = re.compile(
    r"\b(?:now|new|newly|moved?|moving|changed?|changing|rearranged|re-arranged|rescheduled|postponed|instead|"
    r"updated?|revised|increas\w*|decreas\w*|rais\w*|reduc\w*|(?:going|goes|gone|went|put|brought|pushed)"
    rf" (?:up|down|back|forward)|replac\w*|(?:taken|took|takes) over|no longer|from (?:\d|{MONTH_OR_DAY}\b))\b|"
    r"\((?:was|previously|formerly)\b|->|→",
    re.IGNORECASE,
)
# What an old value follows: "(was £45)", "from Wed 12 Mar 11am to ...", "previously 1.25mg".
OLD_VALUE = re.compile(r"\b(?:was|were|previously|formerly|originally|from|old)\W{0,3}$", re.IGNORECASE)
LATEST_CHOICES = 3  # the answers after the best one where one read where a change is told is looked for


def latest_first(question: str, answers: list[Answer]) -> list[Answer]:
    """``answers`` led by one read in a sentence that tells of a change (``CHANGE``: "£50/clean from 1 Aug (was
    £45)") when ``question`` asks what holds now (``ASKS_NOW``) and the best was read in one that does not (a rota's
    "£45.00", written before the change): among the next few (``LATEST_CHOICES``), the first that is of the same kind
    (both with a figure, or neither), not within the best or holding it, and not the value the change left ("(was
    £45)": ``OLD_VALUE``). It takes the best one's place at the higher of their confidences."""
    if len(answers) < 2 or not ASKS_NOW.search(question) or tells_a_change(answers[0]):
        return answers
    best = answers[0]
    figure = any(c.isdigit() for c in best.text)
    for later in answers[1 : 1 + LATEST_CHOICES]:
        if any(c.isdigit() for c in later.text) != figure or overlaps(best.text, later.text):
            continue
        if tells_a_change(later) and not left_by_the_change(later):
            confidence = max(best.confidence or 0.0, later.confidence or 0.0)
            latest = later.model_copy(update={"confidence": confidence, "score": max(best.score, later.score)})
            return [latest, *(a for a in answers if a is not later)]
    return answers


def tells_a_change(answer: Answer) -> bool:
    """Whether the sentence (or table cell, or line) ``answer`` was first read in tells of a change (``CHANGE``)."""
    if not answer.citations:
        return False
    cited = answer.citations[0]
    start, end = sentence_bounds(cited.passage_text, cited.start - cited.passage_start)
    return CHANGE.search(cited.passage_text[start:end]) is not None


def left_by_the_change(answer: Answer) -> bool:
    """Whether ``answer`` was read right after what marks an old value (``OLD_VALUE``: "was", "from")."""
    cited = answer.citations[0]
    return OLD_VALUE.search(cited.passage_text[: cited.start - cited.passage_start]) is not None


def holds(outer: Citation, inner: Citation) -> bool:
    """Whether ``outer`` quotes the place ``inner`` does and more around it (same document)."""
    return outer.document_id == inner.document_id and outer.start <= inner.start and inner.end <= outer.end


def overlapped(one: Citation, other: Citation) -> bool:
    """Whether two citations share characters of one document ("The Broncos" and "Broncos" there)."""
    return one.document_id == other.document_id and one.start < other.end and other.start < one.end


def distinct_answers(answers: list[Answer]) -> bool:
    """Whether no answer's text holds another's (two parts answered by one span are one answer)."""
    folded = [a.text.casefold() for a in answers]
    return all(a not in b for i, a in enumerate(folded) for j, b in enumerate(folded) if i != j)


PART_CHOICES = 3  # the best answers of each part of a question among which its parts' answers are told apart


def told_apart(found: list[list[Answer]], reader: Reader, options: AskOptions) -> list[Answer] | None:
    """One answer to each part of a question (``found``: each part's answers, best first), no two of them the same
    (``distinct_answers``), each given (``answered``), most likely right together (the product of their
    confidences), from each part's PART_CHOICES best; None when there are none such, or a reader without calibration
    gives no confidence. "What's the labour rate on the price list and what are we putting it up to?" reads "£72 per
    hour" best for both parts (at 49% and 57%); the second part's next, "£78 per hour" (31%), goes with the first's
    best."""
    choices = [[a for a in answers[:PART_CHOICES] if answered(a, reader, options)] for answers in found]
    best: tuple[float, list[Answer]] | None = None
    for chosen in itertools.product(*choices):
        confidences = [answer.confidence for answer in chosen]
        if any(c is None for c in confidences) or not distinct_answers(list(chosen)):
            continue
        together = math.prod(c for c in confidences if c is not None)
        if best is None or together > best[0]:
            best = (together, list(chosen))
    return None if best is None else best[1]


def best_passage(answers: list[Answer], passages: list[RetrievedPassage]) -> str:
    """The text of the passage the best answer was read in (the best passage when there is no answer; "" when none)."""
    cited = answers[0].citations[0].passage_id if answers else None
    return next(
        (p.passage.text for p in passages if p.passage.id == cited), passages[0].passage.text if passages else ""
    )
