"""Second-hop reading: follow a name the best passage gives (a bridge) into another document and read the two."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from qa.models import Answer, Citation, Passage
from qa.reading.reader import Reader, ReaderSpan
from qa.reading.views import QUESTION_WORDS, keyword_stems

# A name: capitalised words (joined by "&", "de", "van", "von"), a word with an inner capital or digit (TripDesk, AQ-3)
# and the capitalised words after it ("ParcelNest Fulfilment") or the words in capitals one space after it
# ("BRACKLEY ROAD GARAGE LTD", a letterhead's), an acronym.
NAME = re.compile(
    r"\b(?:[A-Za-z][\w'’-]*[A-Z0-9][\w'’-]*(?:\s+[A-Z][a-z][\w'’-]*|[ ][A-Z]{2,}[\w'’-]*)*|[A-Z][a-z][\w'’-]*(?:\s+(?:&\s+|de\s+|van\s+|von\s+)?[A-Z][\w'’-]*)*"
    r"|[A-Z]{2,}[\w-]*)"
)
# Capitalised words that open sentences or name nothing in particular.
COMMON = frozenset(
    "The A An This That These Those It Its If In On At For From To Of And Or But When Where Who What Which How Why "
    "All Any Each Every No Not Our Your We You They He She His Her Their There Here Please Note After Before "
    "During Within Without Also Only Some Most Many Monday Tuesday Wednesday Thursday Friday Saturday Sunday "
    "January February March April May June July August September October November December".split()
)
SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+|\n+|\s*\|\s*")  # between sentences, lines and table cells
SENTENCE_OR_ROW_END = re.compile(r"(?<=[.!?;:])\s+(?!\|)|\n+")  # a table row says its cells of one thing
HOW = re.compile(r"\bhow\s+(long|much|many|often|far|old|big|large|soon)\b", re.IGNORECASE)  # words that ask
JOINED = "\n\n"  # between the two passages read together: no answer runs across it (see SpanReader.read)
MAX_BRIDGES = 2


def words(text: str) -> set[str]:
    return {w.casefold() for w in re.findall(r"\w+", text)}


def bridge_names(question: str, text: str, limit: int = MAX_BRIDGES) -> list[str]:
    """The names ``text`` gives that ``question`` does not (the entity a bridge question leads through), those in
    the sentences sharing most words with the question first (each name ranked by the first sentence that gives it);
    at most ``limit``."""
    asked, initials = words(question), acronyms(question)
    ranked: dict[str, tuple[int, int]] = {}
    for order, sentence in enumerate(SENTENCE_END.split(text)):
        shared = len(words(sentence) & asked)
        for found in NAME.finditer(sentence):
            name = found.group().strip(" -’'")
            opening = not sentence[: found.start()].strip(" #*|-")  # a lone capitalised word opening a sentence or cell
            if (opening and " " not in name and name.istitle()) or name in COMMON or name.casefold() in initials:
                continue
            # a name opening a sentence may start with a capitalised verb ("Contact Brevano Customer Care"): its rest too
            for candidate in [name, name.split(" ", 1)[1]] if opening and " " in name else [name]:
                if (words(candidate) - asked) and len(candidate) >= 2 and candidate not in COMMON:
                    ranked.setdefault(candidate, (-shared, order))
    return sorted(ranked, key=lambda name: ranked[name])[:limit]


def acronyms(question: str) -> set[str]:
    """The acronyms a question spells out ("multi-factor authentication": "mfa", "ma"): no bridge to elsewhere."""
    initials = [w[0].casefold() for w in re.findall(r"[^\W_]+", question)]
    return {"".join(initials[i:j]) for i in range(len(initials)) for j in range(i + 2, min(i + 6, len(initials)) + 1)}


def looks_like_name(text: str) -> bool:
    """Whether an answer is a name (capitalised, a code or a number with letters) that can lead elsewhere."""
    name = trimmed(text)
    return bool(NAME.fullmatch(name)) and name not in COMMON


def bridges(question: str, answers: list[str], text: str, limit: int = MAX_BRIDGES) -> list[str]:
    """The names to follow from a passage: the best answers read in it that are names, then the names it gives that
    the question does not (``bridge_names``); at most ``limit``."""
    named = [name for name in map(trimmed, answers) if looks_like_name(name) and name in text]
    return list(dict.fromkeys(named + bridge_names(question, text, limit)))[:limit]


def content_words(question: str) -> set[str]:
    """The question's content words: its stemmed keyword tokens but question words and the like ("how long")."""
    return stems(question) - stems(" ".join(QUESTION_WORDS)) - stems(" ".join(HOW.findall(question)))


def stems(text: str) -> set[str]:
    """The stemmed keyword tokens of ``text``."""
    return set(keyword_stems([text])[0])


@lru_cache(maxsize=4096)
def word_stems(word: str) -> frozenset[str]:
    """The stemmed keyword tokens of one word (remembered: questions repeat their words)."""
    return frozenset(stems(word))


def uncovered(question: str, passage: str) -> set[str]:
    """The question's content words (``content_words``) that ``passage`` lacks."""
    return content_words(question) - stems(passage)


def sentence_at(text: str, at: int) -> str:
    """The sentence (or table cell, or line) of ``text`` that holds the character at ``at``."""
    start, end = sentence_bounds(text, at)
    return text[start:end]


def sentence_bounds(text: str, at: int) -> tuple[int, int]:
    """Where the sentence (or table cell, or line) of ``text`` that holds the character at ``at`` starts and ends."""
    starts = [0, *(m.end() for m in SENTENCE_END.finditer(text, 0, at))]
    end = SENTENCE_END.search(text, at)
    return starts[-1], end.start() if end else len(text)


def completing(question: str, answer: Citation, others: list[Passage]) -> tuple[Passage, str] | None:
    """The sentence of another document's passage that says what the passage of ``answer`` leaves out of the question,
    linked to it by a name that the answer's sentence (or the heading of its section) gives and the question does not
    ("[Harrowgate Connect] sessions are cut after 10 hours" / "remote staff must use [Harrowgate Connect] for internal
    systems"), with that name: the sentence must give the name and hold two or more of the question's content words
    that the answer's passage lacks (what it says is about that name). The sentence comes as a Passage of its own
    place in its document. The answer is no link to itself. None when there is none."""
    missing = uncovered(question, answer.passage_text)
    if len(missing) < 2:
        return None
    sentence = sentence_at(answer.passage_text, answer.start - answer.passage_start)
    said_of = f"{sentence}\n{answer.section}" if answer.section else sentence  # what it sits under is what it is about
    linking = [name for name in bridge_names(question, said_of, len(said_of)) if not overlaps(name, answer.quote)]
    best: tuple[int, Passage, str] | None = None
    for other in (p for p in others if p.document_id != answer.document_id):
        for at, said in sentences(other.text):
            name = next((n for n in linking if n in said), None)
            covered = len(missing & stems(said)) if name else 0
            if covered >= 2 and (best is None or covered > best[0]) and name:
                cut = other.model_copy(update={"start": other.start + at, "end": other.start + at + len(said)})
                best = (covered, cut.model_copy(update={"text": said}), name)
    return None if best is None else (best[1], best[2])


def sentences(text: str) -> list[tuple[int, str]]:
    """The sentences (lines, whole table rows) of ``text``, each with its offset in it; empty ones left out."""
    ends = list(SENTENCE_OR_ROW_END.finditer(text))
    bounds = zip([0, *(m.end() for m in ends)], [*(m.start() for m in ends), len(text)], strict=True)
    return [(start, text[start:end]) for start, end in bounds if end > start]


def names_in_sentence(answer: Answer, name: str) -> bool:
    """Whether the sentence ``answer`` was first read in gives ``name`` or a word of it ("Halas" of "Teodor Halas")."""
    if not answer.citations:
        return False
    cited = answer.citations[0]
    start, end = sentence_bounds(cited.passage_text, cited.start - cited.passage_start)
    return bool(name_words(name) & name_words(cited.passage_text[start:end]))


def name_words(text: str) -> set[str]:
    """The capitalised words of ``text`` that are not common ones ("The", "In", month names)."""
    return {w for w in re.findall(r"\w+", text) if w[:1].isupper() and w not in COMMON}


def overlaps(text: str, other: str) -> bool:
    """Whether either text holds the other (case aside): "Dev Malhotra" and "The Treasurer, Dev Malhotra"."""
    a, b = trimmed(text).casefold(), trimmed(other).casefold()
    return a in b or b in a


def gives(answer: str, name: str) -> bool:
    """Whether ``answer`` gives ``name`` (case aside): "Dev Malhotra (Treasurer)" gives "Dev Malhotra", "San Jose" does
    not give "San Jose State"."""
    return trimmed(name).casefold() in answer.casefold()


def trimmed(text: str) -> str:
    """``text`` without the spaces and punctuation a span may carry at its ends ("Priya Raman," is "Priya Raman")."""
    return text.strip(" .,;:")


@dataclass
class Hop:
    """A second passage reached through a bridge name, and the place of that name in the first passage."""

    first: Passage
    second: Passage
    bridge: str
    bridge_start: int  # offset of the bridge name in the first passage's document


def hop_from(first: Passage, second: Passage, bridge: str) -> Hop | None:
    """The hop from ``first`` to ``second`` through ``bridge`` (None when either passage does not name it)."""
    at = first.text.find(bridge)
    if at < 0 or second.text.find(bridge) < 0:
        return None
    return Hop(first, second, bridge, first.start + at)


def read_hop(reader: Reader, question: str, hop: Hop, led: bool = False) -> list[ReaderSpan]:
    """The answers the reader finds when it reads the two passages of ``hop`` as one text, each at its place in the
    second passage (where the chain ends); an answer found only in the first was read there already. With ``led``,
    none when the best of them is found only in the first: reading both, the reader answers from the first."""
    joined = hop.first.text + JOINED + hop.second.text
    together = Passage(id="hop", document_id="hop", start=0, end=len(joined), text=joined)
    begins = len(hop.first.text) + len(JOINED)
    spans = []
    for rank, span in enumerate(reader.read(question, [together], top_n=10)):
        at = span.start - begins if span.start >= begins else hop.second.text.find(span.text)
        if at < 0 and led and not rank:
            return []
        if at < 0:
            continue
        start = hop.second.start + at
        spans.append(
            ReaderSpan(
                document_id=hop.second.document_id,
                passage_id=hop.second.id,
                start=start,
                end=start + len(span.text),
                text=span.text,
                score=span.score,
            )
        )
    return spans
