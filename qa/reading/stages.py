"""Reading retrieved passages in stages: the most promising alone, the next ones only when the answer is not enough."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import pairwise

from qa.documents.loading import section_at
from qa.models import Passage, RetrievedPassage, Section
from qa.reading.answerability import question_names
from qa.reading.reader import Reader, ReaderSpan, candidates_by_text, merge_spans
from qa.reading.stopping import StopRule
from qa.validation import AskOptions

TITLE_WORDS = re.compile(r"[\w'’-]+")  # the words of a title, as a question's names are cut


def stop_rule(options: AskOptions, reader: Reader) -> StopRule:
    """When ``read_in_stages`` stops for a question with these options: by the reader's stop model with hybrid
    retrieval (its features need both retrievers' ranks), else by the answer's confidence."""
    model = reader.stop_model if options.mode == "hybrid" else None
    return StopRule(options.stop_confidence, options.stop_probability, model)


def first_answer(reader: Reader, spans: list[ReaderSpan]) -> tuple[str, float | None, float] | None:
    """The best answer among ``spans``: its text, the reader's confidence in it and its raw score (None: no spans)."""
    candidates = candidates_by_text(spans)
    if not candidates:
        return None
    return candidates[0][0], reader.confidence(candidates), candidates[0][1]


def read_in_stages(
    reader: Reader,
    question: str,
    passages: list[RetrievedPassage],
    rule: StopRule,
    first: list[ReaderSpan] | None = None,
) -> list[ReaderSpan]:
    """The reader's candidate spans (best first, at most 10) in ``passages``, ordered by promise: the first passage
    is read alone, and the next ones (``stage_ends``) only when ``rule`` says the best answer so far is not enough,
    judged with the passages from the one that holds it on (a rule that never stops reads them all at once). Most
    questions are answered by the first passage, so most read one window. ``first``: the first passage's spans,
    when it was read already."""
    texts = [headed(p, question) for p in passages]
    if rule.never_stops:
        return reader.read(question, texts, top_n=10)
    spans: list[ReaderSpan] = []
    for start, end in pairwise((0, *stage_ends(len(texts)))):
        spans = read_more(reader, question, spans, texts[start:end]) if start or first is None else first
        if end == len(texts):
            break  # nothing is left to read: no need to ask whether to stop
        best = first_answer(reader, spans)
        if best is not None and rule.stops(best[1], best[2], from_passage(passages, spans[0].passage_id)):
            break
    return spans


def headed(retrieved: RetrievedPassage, question: str = "") -> Passage:
    """The passage with the titles of its sections, for the reader (what the field items under each describe:
    ``qa.reading.views``): of the section it starts in (at -1), and of those that begin within it (at their offsets
    in its text), as the document's headings give them in any format (Markdown, HTML, Word, PDF). When ``question``
    names its document's subject (``subject_asked``) and the passage does not give it, it is read as about it
    (``Passage.about``): "What did the Old Tannery cost to build?" over "... finished in 1872 at a cost of £3,150",
    a later passage of "# The Old Tannery, River Lane: A Building History"."""
    passage = retrieved.passage
    opening = section_at(retrieved.sections, passage.start)
    headings = [(-1, opening.title)] if opening and opening.start < passage.start else []
    headings += [
        (s.start - passage.start, s.title) for s in retrieved.sections or [] if passage.start <= s.start < passage.end
    ]
    update: dict[str, object] = {"headings": tuple(headings)} if headings else {}
    subject = subject_asked(question, retrieved.sections or [], passage)
    if subject and not passage.about:
        update["about"] = subject
    return passage.model_copy(update=update) if update else passage


def subject_asked(question: str, sections: list[Section], passage: Passage) -> str | None:
    """The title that names what ``passage``'s whole document is about (its only top-level heading, its first),
    when it comes before the passage, the passage does not give it, and ``question`` names a word of it (its
    capitalised words but the first, its numbers: ``question_names``)."""
    highest = min((s.level for s in sections), default=0)
    top = [s for s in sections if s.level == highest]
    if len(top) != 1 or top[0] is not sections[0] or top[0].start >= passage.start:
        return None
    title = top[0].title
    words = set(TITLE_WORDS.findall(title.casefold()))
    named = any(name.casefold() in words for name in question_names(question))
    return title if named and title.casefold() not in passage.text.casefold() else None


def stage_ends(count: int) -> Iterator[int]:
    """How many of ``count`` passages are read by the end of each stage: 1, then 3, 7, 15 (each stage reads twice as
    many as the one before), then all."""
    end = 1
    while end < count:
        yield end
        end = 2 * end + 1
    yield count


def read_more(reader: Reader, question: str, spans: list[ReaderSpan], passages: list[Passage]) -> list[ReaderSpan]:
    """``spans`` with the reader's spans in ``passages``: the best 10, one per document position."""
    return merge_spans(spans + reader.read(question, passages, top_n=10))[:10]


def from_passage(passages: list[RetrievedPassage], passage_id: str) -> list[RetrievedPassage]:
    """``passages`` from the one with ``passage_id`` on (all of them when none has it)."""
    at = next((n for n, p in enumerate(passages) if p.passage.id == passage_id), 0)
    return passages[at:]
