"""Finding a question's answers: its passages retrieved and read, across documents when none alone answers."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import replace

from qa.config import RetrievalMode
from qa.documents.tables import table_rows, text_table_rows
from qa.models import Answer, Passage, RetrievedPassage, passage_id
from qa.questions.conversation import HISTORY_SEPARATOR
from qa.reading.answers import answered, best_passage, citation_at, latest_first, named_in_full, rated, widened
from qa.reading.bridges import (
    BridgeQuestion,
    bridge_question,
    can_name,
    described_elsewhere,
    names_the_person,
    person_role,
)
from qa.reading.hops import MAX_BRIDGES, Hop, bridges, gives, hop_from, overlaps, read_hop, trimmed
from qa.reading.joint import (
    HOP_BELOW,
    HOP_CANDIDATES,
    brought_in,
    chain_leads,
    completed,
    completions,
    corroborated,
    further_citations,
    looks_further,
    supported,
)
from qa.reading.reader import Reader, ReaderSpan, merge_spans
from qa.reading.stages import headed, read_in_stages, stop_rule
from qa.reading.views import ITEM_LINE
from qa.retrieval import Retrieval
from qa.validation import AskOptions

Found = tuple[Retrieval, list[Answer]]  # the passages retrieved for a question and its answers, best first


# (query, a name its passages may be about, the id of the passage that named it) -> what was found
ReadOnce = Callable[[str, str, str], Found]


def remembered(read: ReadOnce) -> ReadOnce:
    """``read`` that reads each query once (the chain of one question may be asked twice, before and after hops, and
    first after the first passage: ``AnswerFinder._read_passages``)."""
    found: dict[tuple[str, str, str], Found] = {}

    def read_once(query: str, about: str = "", named_in: str = "") -> Found:
        if (query, about, named_in) not in found:
            found[query, about, named_in] = read(query, about, named_in)
        return found[query, about, named_in]

    return read_once


def names_its_subject(opening: str, name: str) -> bool:
    """Whether a document's ``opening`` (its first passage) gives ``name`` outside a table and a list ("PROPERTY:
    Flat 2, 37 Aldergate Road", an invoice's "Copperkettle Roasting Co. Ltd"): what the document is about, not one
    of the things it lists ("Pulsewave UK Ltd    Manufacturer service agreement    0118 496 0552")."""
    rows = [*table_rows(opening), *text_table_rows(opening)]
    folded, text = name.casefold(), opening.casefold()
    for found in re.finditer(re.escape(folded), text):
        line = text[text.rfind("\n", 0, found.start()) + 1 : found.start()]
        listed = ITEM_LINE.match(line) is not None or line.lstrip().startswith("|")
        if not listed and not any(row.start <= found.start() < row.end for row in rows):
            return True
    return False


NAMING_CANDIDATES = 15  # passages retrieved for a question asked of a name, among which those giving it come first


BEST_PASSAGE_BRIDGES = 1  # names followed from the best passage when the best answer was read in another


def hop_sources(answers: list[Answer], passages: list[RetrievedPassage]) -> list[Passage]:
    """The passages second hops start from: the best answer's, then the best retrieved one when it is another (the
    best answer may be read elsewhere than where what leads on is named: a warranty's opening names the "Descale"
    light that leads to the manual's descaling programme; the weak answer "ten working days" was read further on)."""
    if not passages:
        return []
    found_in = {p.passage.id: p.passage for p in passages}
    best = found_in.get(answers[0].citations[0].passage_id) if answers else None
    return list({p.id: p for p in (best, passages[0].passage) if p is not None}.values())


def naming_first(retrieval: Retrieval, name: str, count: int, named_in: str = "") -> Retrieval:
    """``retrieval`` cut to ``count`` passages: those that give ``name`` (in any case) or are read as being about it
    (``AnswerFinder._about``) first, in their order, then the best of the others. "When is Callum due to start his part
    of the job?" (Callum named as Gareth's nephew) is answered by a schedule's row that gives "Callum Hartley" but
    ranks sixth, below passages that share more of the question's other words. The passage ``named_in`` (by id: where
    a chain found the name for what the question describes) comes second when it would come first: what is asked of
    the name is mostly said elsewhere ("Who is the custodian of the GasTrace 900 analyser?", named in a project's
    description, is answered by the instruments page)."""
    folded = name.casefold()
    naming = [p for p in retrieval.passages if folded in p.passage.text.casefold() or p.passage.about]
    giving = {p.passage.id for p in naming}
    others = [p for p in retrieval.passages[:count] if p.passage.id not in giving]
    ordered = (naming + others)[:count]
    if len(ordered) > 1 and ordered[0].passage.id == named_in:
        ordered[0], ordered[1] = ordered[1], ordered[0]
    return replace(retrieval, passages=ordered)


class AnswerFinder:
    """Finds the answers to a question in a collection, with what it retrieved: reads its passages in stages and,
    when none alone answers, across documents (a chain through what the question describes, second hops, completing
    sentences, a role's holder), then rates, widens and completes the answers. ``search`` retrieves passages (a
    retriever's ``search``), ``collection_passages`` tells the collection's size (for an answerability model),
    ``answer_slack`` how far an answer in a long document may widen (``widened``); ``embed_ahead`` (when given)
    embeds questions together, to be searched for next (``qa.retrieval.EmbeddedAhead.embed``)."""

    def __init__(
        self,
        search: Callable[[str, int, RetrievalMode], Retrieval],
        collection_passages: Callable[[], int],
        answer_slack: float,
        embed_ahead: Callable[[list[str]], object] | None = None,
    ) -> None:
        self.search = search
        self.collection_passages = collection_passages
        self.answer_slack = answer_slack
        self.embed_ahead = embed_ahead

    def find(self, question: str, query: str, options: AskOptions, reader: Reader, timings: dict[str, float]) -> Found:
        """Retrieve passages for ``query`` and read ``question`` in them (``_read_passages``): the candidate answers,
        best first, each with its confidence (the stages' times are added to ``timings``)."""
        tick = time.perf_counter()
        asked = question.split(HISTORY_SEPARATOR)[0]  # a follow-up read with its history: the question's own words
        clause = bridge_question(asked) if options.joint_reading else None
        if clause is not None and self.embed_ahead is not None and options.mode != "bm25":
            self.embed_ahead([query, clause.described])  # in one pass: a chain's first question is often asked next
        retrieval = self.search(query, options.top_k, options.mode)
        timings["retrieve"] = timings.get("retrieve", 0.0) + (time.perf_counter() - tick) * 1000
        tick = time.perf_counter()
        answers = self._read_passages(question, retrieval, reader, options, clause)
        answers = self._person_named(question, answers, retrieval, reader, options)
        if options.answerability and reader.answerability is not None:  # open mode: retrieval's evidence weighs in
            size = self.collection_passages()
            answers = reader.answerability.rated(question, answers, retrieval.passages, size)
        answers = named_in_full(question, widened(answers, retrieval.passages, self.answer_slack))
        answers = latest_first(question.split(HISTORY_SEPARATOR)[0], answers)
        completed(question, answers[:1], retrieval.passages)
        timings["read"] = timings.get("read", 0.0) + (time.perf_counter() - tick) * 1000
        return retrieval, answers

    def _read_passages(
        self, question: str, retrieval: Retrieval, reader: Reader, options: AskOptions, clause: BridgeQuestion | None
    ) -> list[Answer]:
        """``question`` read in ``retrieval``'s passages: the first alone; then, when the question describes what it
        asks about by a clause (``clause``, cut by ``bridge_question``) and that passage's answers would send the
        reader on, the chain through the described thing's name (``_chained``, ``early``: it leads only for what its
        passages hold, not for being surer than answers read in one passage, which the others might make sure); when
        that does not lead, the other passages in stages and, when none alone answers, across documents
        (``_read_jointly``). Each question of a chain is read once."""
        rule = stop_rule(options, reader)
        read_once = remembered(lambda query, about, named_in: self._read_once(query, options, reader, about, named_in))
        first = None if rule.never_stops else read_in_stages(reader, question, retrieval.passages[:1], rule)
        asked = question.split(HISTORY_SEPARATOR)[0]  # a follow-up read with its history: the question's own words
        if first and clause is not None:
            answers = self._answers(retrieval, first, reader)
            if looks_further(asked, answers, retrieval.passages[:1], reader, options):
                led = self._chained(question, answers, retrieval, reader, options, read_once, clause, early=True)
                if led is not None:
                    return led
        spans = read_in_stages(reader, question, retrieval.passages, rule, first)
        return self._read_jointly(question, spans, retrieval, reader, options, read_once, clause)

    def _read_jointly(
        self,
        question: str,
        spans: list[ReaderSpan],
        retrieval: Retrieval,
        reader: Reader,
        options: AskOptions,
        read_once: ReadOnce,
        clause: BridgeQuestion | None,
    ) -> list[Answer]:
        """The answers of ``spans`` read in ``retrieval``'s passages, and when none alone answers (``looks_further``),
        of the passages read across documents: the chain through the name of what the question describes (by a
        clause, or in words the best passage lacks), first; when it does not lead, second hops, completing sentences
        and the chain again (of what the question describes in words the best passage after them lacks)."""
        answers = self._answers(retrieval, spans, reader)
        asked = question.split(HISTORY_SEPARATOR)[0]  # a follow-up read with its history: the question's own words
        if not options.joint_reading or not looks_further(asked, answers, retrieval.passages, reader, options):
            return answers
        cut = clause or described_elsewhere(asked, best_passage(answers, retrieval.passages))
        led = self._chained(question, answers, retrieval, reader, options, read_once, cut)
        if led is not None:
            return led  # a chain that leads reads two questions; hops would read pairs of passages for each name
        # the best passage may name what leads to the answer in another document, or leave out what another says
        hops = self._hops(question, answers, retrieval, reader, options) + completions(
            question, answers, retrieval, reader
        )
        spans = merge_spans(spans + [span for _, found in hops for span in found])
        answers = self._answers(retrieval, spans, reader)
        supported(answers, hops, retrieval.passages)
        # the question may ask about something it describes (by a relative clause or in words its passage lacks)
        cut = clause or described_elsewhere(asked, best_passage(answers, retrieval.passages))
        return self._chained(question, answers, retrieval, reader, options, read_once, cut) or answers

    def _hops(
        self, question: str, answers: list[Answer], retrieval: Retrieval, reader: Reader, options: AskOptions
    ) -> list[tuple[Hop, list[ReaderSpan]]]:
        """Second hops from the best answer's passage, then from the best passage (``hop_sources``): for each name one
        gives that the question does not (the best answers first; from the best passage, its first name only), the
        best passage of another document naming it (retrieved with the question and the name, added to
        ``retrieval``), read together with the first (``read_hop``)."""
        hops = []
        for number, first in enumerate(hop_sources(answers, retrieval.passages)):
            limit = MAX_BRIDGES if number == 0 else BEST_PASSAGE_BRIDGES
            for bridge in bridges(question, [a.text for a in answers[:MAX_BRIDGES]], first.text, limit):
                hop = self._hop(question, first, bridge, retrieval, options)
                if hop is not None:
                    hops.append((hop, read_hop(reader, question, hop)))
        return hops

    def _hop(self, question: str, first: Passage, bridge: str, retrieval: Retrieval, options: AskOptions) -> Hop | None:
        """The hop from ``first`` through ``bridge`` to the best passage of another document naming it, retrieved
        with the question and the name (and added to ``retrieval``); None when no such passage is found."""
        found = self.search(f"{question} {bridge}", max(options.top_k, HOP_CANDIDATES), options.mode).passages
        second = next(
            (p for p in found if p.passage.document_id != first.document_id and bridge in p.passage.text), None
        )
        if second is None:
            return None
        hop = hop_from(first, second.passage, bridge)
        if hop is not None and all(p.passage.id != second.passage.id for p in retrieval.passages):
            retrieval.passages.append(second)
        return hop

    def _person_named(
        self, question: str, answers: list[Answer], retrieval: Retrieval, reader: Reader, options: AskOptions
    ) -> list[Answer]:
        """``answers`` led by the person whom another passage names for the role the best answer gives to a question
        that asks who ("Who chairs the board?" answered "Finance Director", then "Who is the Finance Director?" read
        where a passage gives a name beside that role: "Owen Brady (Finance Director)"), at the role's confidence and
        citing the role's passage too; ``answers`` as they are when there is no such name. A name found beside its
        role is the role's holder (every one found over the collection sets was), so the person is as sure as the
        role; the reader's own doubt of it ("Anil Desai" at 0.21 for "Who is the Treasurer?" over "- **Treasurer:**
        Anil Desai", its sure share split with "Desai" and "Anil") is no doubt that the role has that holder."""
        asked = question.split(HISTORY_SEPARATOR)[0]
        role = person_role(asked, answers[0].text) if answers and options.joint_reading else None
        if role is None:
            return answers
        found, named = self._read_beside(f"Who is the {role}?", role, options, reader)
        person = next((a for a in named if names_the_person(a.text, role, best_passage([a], found.passages))), None)
        if person is None or trimmed(person.text) in {trimmed(a.text) for a in answers[:1]}:
            return answers
        best = person.model_copy(deep=True)
        best.confidence = answers[0].confidence
        if not answered(best, reader, options):
            return answers
        best.supporting = further_citations(best, answers[0].citations[:1])
        brought_in(retrieval, found.passages, {c.passage_id for c in best.citations})
        return [best, *(a for a in answers if a.text != best.text)]

    def _read_beside(self, query: str, words: str, options: AskOptions, reader: Reader) -> Found:
        """Retrieve passages for ``query`` and read it in every one of them that holds ``words`` (in any case): a
        role's holder is named beside it in one, but the role's own passage, read first, would give the role."""
        retrieval = self.search(query, options.top_k, options.mode)
        holding = [p for p in retrieval.passages if words.casefold() in p.passage.text.casefold()]
        retrieval = replace(retrieval, passages=holding)
        return retrieval, self._answers(
            retrieval, reader.read(query, [headed(p, query) for p in holding], top_n=10), reader
        )

    def _answers(self, retrieval: Retrieval, spans: list[ReaderSpan], reader: Reader) -> list[Answer]:
        """The spans read in ``retrieval``'s passages as answers (``group_answers``), each rated, best first."""
        return rated(self.group_answers(retrieval.passages, spans), reader)

    def _read_once(self, query: str, options: AskOptions, reader: Reader, about: str = "", named_in: str = "") -> Found:
        """Retrieve passages for ``query`` (a question of a chain) and read it in them, in stages (stopping sooner than
        a question asked alone: ``StopRule.in_a_chain``): the candidate answers, best first. A query asked of a name
        ``about`` is read first where the name is, other than the passage ``named_in`` (``naming_first``)."""
        if not about:
            retrieval = self.search(query, options.top_k, options.mode)
        else:
            found = self.search(query, max(options.top_k, NAMING_CANDIDATES), options.mode)
            retrieval = naming_first(self._about(found, about, options), about, options.top_k, named_in)
        spans = read_in_stages(reader, query, retrieval.passages, stop_rule(options, reader).in_a_chain())
        return retrieval, self._answers(retrieval, spans, reader)

    def _about(self, retrieval: Retrieval, name: str, options: AskOptions) -> Retrieval:
        """``retrieval`` with its passages that do not give ``name`` marked as being about it (``Passage.about``)
        when their document opens by naming it as its subject (``names_its_subject``; its first passage found by
        the keyword index): an agreement for a flat, an invoice from a supplier. "3.1 The Tenants have paid a deposit
        of £1,350.", in the agreement for "Flat 2, 37 Aldergate Road", is read for "How much deposit did we pay on
        Flat 2, 37 Aldergate Road?"."""
        folded = name.casefold()
        naming = self.search(name, max(options.top_k, HOP_CANDIDATES), "bm25").passages
        opening = [p.passage for p in naming if p.passage.id == passage_id(p.passage.document_id, 0)]
        documents = {p.document_id for p in opening if names_its_subject(p.text, name)}
        about = [
            p.model_copy(update={"passage": p.passage.model_copy(update={"about": name})})
            if p.passage.document_id in documents and folded not in p.passage.text.casefold()
            else p
            for p in retrieval.passages
        ]
        return replace(retrieval, passages=about)

    def _chained(
        self,
        question: str,
        answers: list[Answer],
        retrieval: Retrieval,
        reader: Reader,
        options: AskOptions,
        read_once: ReadOnce,
        cut: BridgeQuestion | None,
        early: bool = False,
    ) -> list[Answer] | None:
        """``answers`` led by the answer of a chain when the question describes what it asks about (``cut``: by a
        relative clause, ``bridge_question``, or in words the best passage lacks, ``described_elsewhere``): the
        described thing is named by one reading ("What is the name of the man who founded Varrowdale?", read by
        ``read_once``), the question asked of that name by another ("Who was the wife of Edmund Carrow?"). The
        chain's answer, the best of the second reading's that is not the name itself ("Which room does Mr Okafor run
        his club in?" may be answered "Mr Okafor" first), at the product of both confidences (``corroborated`` when
        the direct best is the same), leads when it is given and the best answer is the name (what the question
        describes, not what it asks) or ``chain_leads``; None when it does not lead."""
        if cut is None:
            return None
        naming, named = read_once(cut.described, "", "")
        if not named:
            return None
        bridge = named[0]
        if cut.named and (not can_name(cut, bridge.text) or trimmed(bridge.text).casefold() in question.casefold()):
            return None  # what a name's founder or wife is named is another name, not one the question gives
        found, read = read_once(cut.about(bridge.text), trimmed(bridge.text), bridge.citations[0].passage_id)
        chained = [a for a in read if not overlaps(a.text, bridge.text)]  # the name asked of is no answer of it
        # the best answer gives what the question describes (surely named), not what it asks
        names_it = bool(answers) and answered(bridge, reader, options) and gives(answers[0].text, bridge.text)
        if not chained:
            return None
        best = chained[0].model_copy(deep=True)  # a reading remembered may be judged again, after hops
        best.confidence = corroborated((best.confidence or 0.0) * (bridge.confidence or 0.0), best, answers)
        # a thing named by what it is to a name is often what the question asks itself: its chain must be surer
        names_it = names_it and (not cut.named or (best.confidence or 0.0) >= HOP_BELOW)
        others = answers if cut.named else [a for a in answers if not overlaps(a.text, bridge.text)]
        leads = names_it or chain_leads(cut, best, found, others, retrieval, bridge, early)
        if not answered(best, reader, options) or not leads:
            return None
        best.supporting = further_citations(best, bridge.citations[:1])
        named_in = {c.passage_id for c in [*best.citations, *best.supporting]}
        brought_in(retrieval, naming.passages + found.passages, named_in)  # where the name and the answer were read
        return [best, *(a for a in answers if a.text != best.text)]

    @staticmethod
    def group_answers(passages: list[RetrievedPassage], spans: list[ReaderSpan]) -> list[Answer]:
        """Spans with the same text become one answer citing every place (each quote equals it); answers best first."""
        found = {p.passage.id: p for p in passages}
        grouped: dict[str, Answer] = {}
        for span in spans:
            citation = citation_at(found[span.passage_id], span.start, span.end)
            if span.text in grouped:
                grouped[span.text].citations.append(citation)
            else:
                grouped[span.text] = Answer(text=span.text, score=span.score, citations=[citation])
        return sorted(grouped.values(), key=lambda a: -a.score)
