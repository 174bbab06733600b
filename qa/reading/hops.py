"""Second-hop reading: follow a name the best passage gives (a bridge) into another document and read the two."""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.models import Passage
from qa.reading.reader import Reader, ReaderSpan

# A name: capitalised words (joined by "&", "de", "van", "von"), a word with an inner capital or digit (TripDesk, AQ-3),
# an acronym.
NAME = re.compile(
    r"\b(?:[A-Za-z][\w'’-]*[A-Z0-9][\w'’-]*|[A-Z][a-z][\w'’-]*(?:\s+(?:&\s+|de\s+|van\s+|von\s+)?[A-Z][\w'’-]*)*"
    r"|[A-Z]{2,}[\w-]*)"
)
# Capitalised words that open sentences or name nothing in particular.
COMMON = frozenset(
    "The A An This That These Those It Its If In On At For From To Of And Or But When Where Who What Which How Why "
    "All Any Each Every No Not Our Your We You They He She His Her Their There Here Please Note After Before "
    "During Within Without Also Only Some Most Many Monday Tuesday Wednesday Thursday Friday Saturday Sunday "
    "January February March April May June July August September October November December".split()
)
# Words of a question that no passage need hold (keyword_tokens keeps them: they are not English stop words).
QUESTION_WORDS = frozenset(
    "what which who whom whose when where why how my mine should would could can must may might do does did get got "
    "use out call".split()
)
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
    for order, sentence in enumerate(re.split(r"(?<=[.!?;:])\s+|\n+|\s*\|\s*", text)):  # sentences, table cells
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
    return bool(NAME.fullmatch(text.strip(" .,;:"))) and text.strip(" .,;:") not in COMMON


def bridges(question: str, answers: list[str], text: str, limit: int = MAX_BRIDGES) -> list[str]:
    """The names to follow from a passage: the best answers read in it that are names, then the names it gives that
    the question does not (``bridge_names``); at most ``limit``."""
    named = [a.strip(" .,;:") for a in answers if looks_like_name(a) and a.strip(" .,;:") in text]
    return list(dict.fromkeys(named + bridge_names(question, text, limit)))[:limit]


def content_words(question: str) -> set[str]:
    """The question's content words: its stemmed keyword tokens but question words and the like."""
    from qa.store.rules import keyword_tokens

    return set(keyword_tokens([question])[0]) - QUESTION_WORDS


def uncovered(question: str, passage: str) -> set[str]:
    """The question's content words (``content_words``) that ``passage`` lacks."""
    from qa.store.rules import keyword_tokens

    return content_words(question) - set(keyword_tokens([passage])[0])


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


def read_hop(reader: Reader, question: str, hop: Hop) -> list[ReaderSpan]:
    """The answers the reader finds when it reads the two passages of ``hop`` as one text, each at its place in the
    second passage (where the chain ends); an answer found only in the first was read there already."""
    joined = hop.first.text + JOINED + hop.second.text
    together = Passage(id="hop", document_id="hop", start=0, end=len(joined), text=joined)
    begins = len(hop.first.text) + len(JOINED)
    spans = []
    for span in reader.read(question, [together], top_n=10):
        at = span.start - begins if span.start >= begins else hop.second.text.find(span.text)
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
