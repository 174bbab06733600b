"""Typed objects passed between pipeline stages: documents, passages, spans, citations and answers."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Section(BaseModel):
    """A heading of a document: where it begins in the text, its words and its depth (1: top level)."""

    start: int = Field(description="Offset in the document's text at which the heading begins.")
    title: str = Field(description="The heading as written, numbering included ('3.2 Methods').")
    level: int = Field(1, ge=1, description="Depth: 1 for a top-level heading, 2 for one below it, and so on.")


class Document(BaseModel):
    """A loaded document: its full text is what every offset points into."""

    id: str = Field(description="Content hash of the text, stable across runs.")
    title: str
    source: str = Field(description="Path of the file it was read from.")
    text: str
    page_starts: list[int] | None = Field(
        None, description="PDFs: the offset in the text at which page i + 1 begins (an empty page where the next does)."
    )
    sections: list[Section] | None = Field(
        None,
        description="Its headings in text order (PDF outline or font size, Markdown, HTML, Word styles); [] or None "
        "when none were found (indexed, a file that can have headings records [], and None means not looked for yet).",
    )


class LoadFailure(BaseModel):
    """A file that could not be read, and why."""

    source: str
    reason: str


def passage_id(document_id: str, number: int) -> str:
    """The id of a document's passage ``number`` (counted from 0 in reading order)."""
    return f"{document_id}:{number}"


class Passage(BaseModel):
    """A slice of a document: ``document.text[start:end] == text``; its id is ``passage_id(document_id, number)``."""

    id: str
    document_id: str
    start: int
    end: int
    text: str
    headings: tuple[tuple[int, str], ...] = Field(
        (),
        exclude=True,
        description="The titles of the sections it is in, each at its offset in ``text`` (-1: the section it starts "
        "in), when read (qa.reading.views); not sent.",
    )
    table_head: str = Field(
        "",
        exclude=True,
        description="The head of the table it begins within (the header row and the rule under it), when an "
        "earlier passage holds it (qa.documents.tables.table_head), for the reader; not sent.",
    )
    about: str = Field(
        "",
        exclude=True,
        description="A name its document gives elsewhere, which it is read as being about (read above it by the "
        "reader: qa.reading.views), when a chain's question asks of that name or the question names the subject "
        "its document opens with (qa.reading.stages.subject_asked); not sent.",
    )


class RetrievedPassage(BaseModel):
    """A passage found for a question, with the ranks it got from each retriever."""

    passage: Passage
    title: str
    source: str
    score: float
    dense_rank: int | None = None
    bm25_rank: int | None = None
    dense_score: float | None = Field(None, description="Its cosine similarity to the question (dense retrieval).")
    page_starts: list[int] | None = Field(
        None, exclude=True, description="Where the pages of its document begin (PDFs), for citations; not sent."
    )
    sections: list[Section] | None = Field(
        None, exclude=True, description="Its document's headings (see Document.sections), for citations; not sent."
    )
    document_passages: int | None = Field(
        None, exclude=True, description="How many passages its document has (a long paper or report: many); not sent."
    )


class Span(BaseModel):
    """Character offsets into a document, end exclusive."""

    start: int
    end: int


class Citation(BaseModel):
    """Where an answer was copied from: ``document text[start:end] == quote``."""

    document_id: str
    title: str
    source: str
    passage_id: str
    start: int
    end: int
    quote: str
    passage_text: str
    passage_start: int
    passage_end: int
    page: int | None = Field(None, description="PDFs: the 1-based page on which the quote starts.")
    section: str | None = Field(None, description="The heading of the section the quote is in ('3.2 Methods').")


class Answer(BaseModel):
    """One answer text with its score and every place it was read."""

    text: str
    score: float
    confidence: float | None = Field(
        None, description="Estimated probability that this answer is right (None: the reader is not calibrated)."
    )
    citations: list[Citation]
    supporting: list[Citation] = Field(
        [],
        description="Other places the answer rests on: where another document names what led to it (a second-hop "
        "reading); their quotes are that name, not the answer.",
    )


class AskResult(BaseModel):
    """What ``ask()`` returns: the answer (or why there is none), its citations, alternatives and timings."""

    question: str
    resolved_question: str = Field(description="The question as it was read: a follow-up rewritten by the rules.")
    history_turns_read: int = Field(
        0, description="Earlier turns the follow-up reader read together with the question (0: none)."
    )
    answer: str | None
    score: float | None
    confidence: float | None = Field(
        None, description="Estimated probability that the answer is right (None: the reader is not calibrated)."
    )
    no_answer_reason: str | None = None
    notice: str | None = Field(None, description="Something the user should know, e.g. the index is catching up.")
    citations: list[Citation] = []
    supporting: list[Citation] = Field(
        [], description="The answer's supporting citations (see Answer.supporting): the other documents it rests on."
    )
    parts: list[Answer] = Field(
        [],
        description="A two-part question's answers, one per part with its citations ('answer' joins them with '; ').",
    )
    unanswered_parts: list[str] = Field(
        [], description="The parts of a two-part question the documents do not answer (the others are in 'parts')."
    )
    alternatives: list[Answer] = []
    passages: list[RetrievedPassage] = []
    timings_ms: dict[str, float] = {}


class Turn(BaseModel):
    """An earlier exchange of a conversation."""

    question: str
    answer: str | None = None
