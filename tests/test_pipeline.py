"""End to end: ask() over the sample and over folders that change, with exact citations and clear errors."""

from __future__ import annotations

import logging
import math
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from qa import pipeline
from qa.config import TRAINED_READER_DIR, Settings
from qa.documents.loading import document_id as content_id
from qa.documents.loading import section_label
from qa.embedding import Embedder
from qa.models import Answer, AskResult, Citation, Document, Passage, RetrievedPassage, Section, passage_id
from qa.pipeline import QA, answer_in_parts, given_beside, given_by_whole, most_confident_reading, parts_given
from qa.reading.answerability import ANSWERABILITY_FILE, AnswerabilityModel
from qa.reading.answers import citation_at
from qa.reading.kinds import AMOUNT_OR_DATE
from qa.retrieval import Retrieval
from qa.testing.reader import ScriptedReader, as_reader
from qa.testing.tesseract import FakeTesseract
from qa.validation import (
    ClosedError,
    CollectionError,
    FolderError,
    OptionError,
    QAError,
    QuestionError,
    ask_options,
)

LAVROV_SENTENCE = "The plans of the US, as well as NATO to place weapons in outer space are taking shape"


def assert_citations_exact(engine: QA, result: AskResult) -> None:
    """Every citation of the answer and its alternatives, supporting ones too, quotes its document exactly."""
    answers = [result, *result.alternatives]
    citations = [c for a in answers for c in a.citations] + [c for a in answers for c in a.supporting]
    for citation in citations:
        document = engine.store.get_documents([citation.document_id])[citation.document_id]
        assert document.text[citation.start : citation.end] == citation.quote
        assert document.text[citation.passage_start : citation.passage_end] == citation.passage_text
        assert citation.passage_start <= citation.start < citation.end <= citation.passage_end
        assert citation.title == document.title and citation.source == document.source


@pytest.mark.slow
def test_lavrov_question_on_the_sample(sample_engine):
    result = sample_engine.ask("What did Lavrov warn about?")
    assert result.answer and result.citations
    assert result.answer in LAVROV_SENTENCE or LAVROV_SENTENCE in result.answer
    assert result.citations[0].title.startswith("Russian space agency Roscosmos")
    assert_citations_exact(sample_engine, result)
    assert set(result.timings_ms) == {"resolve", "retrieve", "read", "total"}
    assert (
        len(result.passages) == sample_engine.settings.top_k
        or len(result.passages) == sample_engine.store.manifest().passage_count
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Who heads Roscosmos?", "Rogozin"),
        ("What did Lloyd Austin call Russia?", "adversary"),
        ("Which newspaper carried the report about the Pentagon?", "Wall Street Journal"),
    ],
)
def test_trained_reader_answers_short_spans(sample_engine, question, expected):
    result = sample_engine.ask(question, reader="trained")
    assert result.answer is not None and expected in result.answer and len(result.answer) < 60
    assert_citations_exact(sample_engine, result)


@pytest.mark.slow
@pytest.mark.parametrize("question", ["What is the population of Moscow?", "When was NASA founded?"])
def test_questions_the_documents_cannot_answer_are_declined(sample_engine, question):
    result = sample_engine.ask(question, reader="trained")
    assert result.answer is None and result.citations == []
    assert "do not say" in result.no_answer_reason
    assert result.passages, "the closest passages are still returned"


@pytest.mark.slow
def test_follow_up_uses_the_conversation(sample_engine):
    first = sample_engine.ask("Who heads Roscosmos?", reader="trained")
    follow_up = sample_engine.ask("What did he say on YouTube?", history=[("Who heads Roscosmos?", first.answer)])
    assert "Rogozin" in follow_up.resolved_question
    standalone = sample_engine.ask(
        "What did Lloyd Austin call Russia?", history=[("Who heads Roscosmos?", first.answer)]
    )
    assert standalone.resolved_question == "What did Lloyd Austin call Russia?"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "message"), [("", "empty"), ("  \n ", "empty"), ("?!?", "no words"), ("why " * 400, "too long")]
)
def test_bad_questions_get_a_clear_error(sample_engine, question, message):
    with pytest.raises(QuestionError, match=message):
        sample_engine.ask(question)


@pytest.mark.slow
def test_documents_can_be_added_and_removed(tmp_path, embedder):
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "unicode.txt").write_text(
        "Café Zoë’s guide 🙂\n\nThe Zorblat bridge in Zürich was opened in 1987 by mayor Elna Kvist. "
        "It spans the Limmat river — 東京 has nothing like it.",
        encoding="utf-8",
    )
    (documents / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    engine = QA(documents_dir=documents, index_dir=tmp_path / "index", embedder=embedder, index_embedder=embedder)
    result = engine.ask("Who opened the Zorblat bridge?")
    assert [f.source for f in engine.failures] == [str(documents / "broken.pdf")]
    assert result.citations and "Elna Kvist" in result.citations[0].passage_text
    assert_citations_exact(engine, result)

    upload = tmp_path / "upload.md"
    upload.write_text("# Harbour notes\nThe harbour of Veltrup handles 12,000 ships a year.", encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01\x02")
    report, failures = engine.add_documents([upload, bad])
    assert len(report.added) == 1 and len(report.reused) == 1 and report.embedded_passages >= 1
    assert [f.source for f in failures] == ["bad.txt"] and "binary" in failures[0].reason
    assert (documents / "upload.md").exists() and not (documents / "bad.txt").exists()
    result = engine.ask("How many ships does Veltrup handle?")
    assert result.citations[0].title == "Harbour notes"
    assert_citations_exact(engine, result)

    harbour = next(d for d in engine.documents() if d.title == "Harbour notes")
    engine.remove_document(harbour.id)  # forgotten, its file kept
    assert (documents / "upload.md").exists()
    assert harbour.id not in {d.id for d in engine.documents()}
    reloaded = QA(documents_dir=documents, index_dir=tmp_path / "index", embedder=embedder, index_embedder=embedder)
    assert reloaded.documents() == engine.documents()  # still forgotten after a restart
    assert (str(documents / "upload.md"), "removed from the index by you (qa add FILE to index it again)") in [
        (f.source, f.reason) for f in reloaded.failures
    ]
    reloaded.add_documents([upload])
    harbour = next(d for d in reloaded.documents() if d.title == "Harbour notes")
    reloaded.remove_document(harbour.id, delete_file=True)
    assert not (documents / "upload.md").exists() and harbour.id not in {d.id for d in reloaded.documents()}


HARBOUR_REPORT = (
    "Vellmark harbour report\n\n1 Introduction\nThe harbour was dredged in the spring.\n\n2 Staff\n"
    "2.1 The lighthouse\nThe Vellmark lighthouse keeper is Ragna Thorsen. She has kept the light since 2011.\n\n"
    "References\nThorsen, R. Keeping the Vellmark light. Harbour Press, 2015."
)
HARBOUR_SECTIONS = [
    Section(start=HARBOUR_REPORT.index(heading), title=heading, level=heading.count(".") + 1)
    for heading in ("1 Introduction", "2 Staff", "2.1 The lighthouse", "References")
]


def test_a_citation_names_the_section_and_page_its_quote_starts_in():
    passage = Passage(id="d:0", document_id="d", start=0, end=len(HARBOUR_REPORT), text=HARBOUR_REPORT)
    pages = [0, HARBOUR_REPORT.index("2 Staff")]
    found = RetrievedPassage(
        passage=passage, title="t", source="r.pdf", score=1.0, page_starts=pages, sections=HARBOUR_SECTIONS
    )
    cited = {
        quote: citation_at(found, HARBOUR_REPORT.index(quote), HARBOUR_REPORT.index(quote) + len(quote))
        for quote in ("Vellmark harbour", "dredged", "Ragna Thorsen", "Harbour Press")
    }
    assert {quote: (c.section, c.page) for quote, c in cited.items()} == {
        "Vellmark harbour": (None, 1),  # before the first heading
        "dredged": (section_label(HARBOUR_SECTIONS[0]), 1),
        "Ragna Thorsen": (section_label(HARBOUR_SECTIONS[2]), 2),
        "Harbour Press": (section_label(HARBOUR_SECTIONS[3]), 2),
    }
    assert all(HARBOUR_REPORT[c.start : c.end] == c.quote == quote for quote, c in cited.items())
    plain = citation_at(found.model_copy(update={"sections": None, "page_starts": None}), 0, 8)
    assert (plain.section, plain.page) == (None, None)


@pytest.mark.slow
def test_an_answer_is_cited_with_its_section_and_page(tmp_path, embedder):
    document = Document(
        id=content_id(HARBOUR_REPORT),
        title="Vellmark harbour report",
        source=str(tmp_path / "report.pdf"),
        text=HARBOUR_REPORT,
        page_starts=[0, HARBOUR_REPORT.index("2 Staff")],
        sections=HARBOUR_SECTIONS,
    )
    engine = QA(index_dir=tmp_path / "index", embedder=embedder, index_embedder=embedder)
    engine.index_documents([document], progress=False)
    result = engine.ask("Who is the Vellmark lighthouse keeper?")
    citation = result.citations[0]
    label = section_label(HARBOUR_SECTIONS[2])  # "2.1 The lighthouse"
    assert result.answer == "Ragna Thorsen" and (citation.section, citation.page) == (label, 2)
    assert_citations_exact(engine, result)
    shown = result.model_dump(mode="json")
    assert shown["citations"][0]["section"] == label and "sections" not in shown["passages"][0]


@pytest.mark.slow
def test_ask_works_with_no_setup(tmp_path, monkeypatch, embedder):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(pipeline, "_default_engine", None)
    engine = pipeline.default_engine()
    engine.embedder = embedder
    result = pipeline.ask("What did Lavrov warn about?")
    assert engine.documents_dir == pipeline.SAMPLE_DOCUMENTS_DIR
    assert result.answer and list((tmp_path / "index").rglob("store.sqlite"))
    assert_citations_exact(engine, result)


def ask_until(engine: QA, question: str, predicate, seconds: float = 60.0) -> AskResult:
    """Ask again until ``predicate(result)`` holds (the index catches up in the background), or fail."""
    deadline = time.monotonic() + seconds
    while True:
        result = engine.ask(question)
        if predicate(result) or time.monotonic() > deadline:
            return result
        time.sleep(0.2)


@pytest.mark.slow
def test_files_changed_under_a_running_engine_are_never_cited_stale(tmp_path, embedder):
    documents = tmp_path / "documents"
    documents.mkdir()
    bridge = documents / "bridge.txt"
    bridge.write_text("Bridge notes\n\nThe Zorblat bridge was opened in 1987 by mayor Elna Kvist.", encoding="utf-8")
    (documents / "harbour.txt").write_text("The harbour of Veltrup handles 12,000 ships a year.", encoding="utf-8")
    engine = QA(documents_dir=documents, index_dir=tmp_path / "index", embedder=embedder, index_embedder=embedder)
    assert "Elna Kvist" in engine.ask("Who opened the Zorblat bridge?").answer

    bridge.write_text(
        "Bridge notes\n\nThe Zorblat bridge was opened in 1991 by the engineer Tomas Brekke-Lund.", encoding="utf-8"
    )
    stale = engine.ask("Who opened the Zorblat bridge?")
    cited = [c for a in [stale, *stale.alternatives] for c in a.citations]
    assert all("Elna Kvist" not in c.passage_text for c in cited)
    assert all("Elna Kvist" not in p.passage.text for p in stale.passages)
    assert stale.notice and stale.notice.startswith("Catching up: bridge.txt changed")
    fresh = ask_until(engine, "Who opened the Zorblat bridge?", lambda r: r.answer and "Tomas" in r.answer)
    assert "Tomas Brekke-Lund" in fresh.answer and fresh.notice is None
    assert_citations_exact(engine, fresh)
    assert bridge.read_text(encoding="utf-8")[fresh.citations[0].start : fresh.citations[0].end] == fresh.answer

    bridge.unlink()
    gone = engine.ask("Who opened the Zorblat bridge?")
    assert all(p.source != str(bridge) for p in gone.passages)
    ask_until(engine, "Who opened the Zorblat bridge?", lambda r: r.notice is None)
    assert [d.source for d in engine.documents()] == [str(documents / "harbour.txt")]


def test_only_files_of_the_engines_own_folder_are_checked_for_changes(tmp_path, monkeypatch):
    from qa.store.protocol import StoredDocument

    monkeypatch.chdir(tmp_path)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.txt").write_text("hello", encoding="utf-8")
    engine = QA(documents_dir="docs", index_dir="idx")
    stat = (tmp_path / "docs" / "a.txt").stat()

    def stored(source: str, size: int) -> StoredDocument:
        return StoredDocument(
            id="x", title="a", source=source, content_hash="x", size=size, mtime=stat.st_mtime, passage_count=1
        )

    assert not engine.file_changed(stored("docs/a.txt", stat.st_size))
    assert engine.file_changed(stored("docs/a.txt", stat.st_size + 1))
    assert engine.file_changed(stored(str(tmp_path / "docs" / "gone.txt"), 5))
    assert not engine.file_changed(stored("/elsewhere/another-machine/a.txt", 5))


@pytest.mark.slow
def test_an_unchanged_folder_never_loads_the_indexing_copy_of_the_model(tmp_path, embedder):
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "a.txt").write_text("The Zorblat bridge was opened in 1987 by mayor Elna Kvist.", encoding="utf-8")
    QA(documents_dir=documents, index_dir=tmp_path / "index", embedder=embedder).refresh_index(progress=False)
    engine = QA(documents_dir=documents, index_dir=tmp_path / "index", embedder=embedder)
    assert "Elna Kvist" in engine.ask("Who opened the Zorblat bridge?").answer
    assert "model" not in engine.index_embedder.__dict__ and engine.index_embedder is not embedder


@pytest.mark.slow
def test_the_engine_answers_from_postgres_and_two_engines_share_it(tmp_path, embedder, postgres_database):
    documents = tmp_path / "documents"
    shutil.copytree(pipeline.SAMPLE_DOCUMENTS_DIR, documents)
    engine = QA(
        documents_dir=documents,
        store="postgres",
        store_url=postgres_database,
        embedder=embedder,
        index_embedder=embedder,
    )
    result = engine.ask("What did Lavrov warn about?")
    assert result.answer and (result.answer in LAVROV_SENTENCE or LAVROV_SENTENCE in result.answer)
    assert_citations_exact(engine, result)
    assert engine.store.manifest().backend == "postgres" and not (tmp_path / "index").exists()

    (documents / "zorblat.txt").write_text(
        "The Zorblat bridge was opened in 1987 by mayor Elna Kvist.", encoding="utf-8"
    )
    other = QA(
        documents_dir=documents,
        store="postgres",
        store_url=postgres_database,
        embedder=embedder,
        index_embedder=embedder,
    )
    report = other.refresh_index(progress=False)
    assert len(report.added) == 1 and report.embedded_passages == 1 and len(report.reused) == 1
    answer = engine.ask("Who opened the Zorblat bridge?")  # the first engine sees the other's commit at once
    assert "Elna Kvist" in answer.answer
    assert_citations_exact(engine, answer)


@pytest.mark.slow
def test_the_engine_answers_from_the_memory_store_and_two_engines_share_it(tmp_path, embedder):
    documents = tmp_path / "documents"
    shutil.copytree(pipeline.SAMPLE_DOCUMENTS_DIR, documents)
    options = {"documents_dir": documents, "index_dir": tmp_path / "index", "store": "memory"}
    engine = QA(**options, embedder=embedder, index_embedder=embedder)
    result = engine.ask("What did Lavrov warn about?")
    assert result.answer and (result.answer in LAVROV_SENTENCE or LAVROV_SENTENCE in result.answer)
    assert_citations_exact(engine, result)
    assert engine.store.manifest().backend == "memory" and not (tmp_path / "index").exists()
    report = QA(**options, embedder=embedder, index_embedder=embedder).refresh_index(progress=False)
    assert not report.added and report.embedded_passages == 0  # another engine of this process finds it indexed
    assert report.reused == [d.id for d in engine.store.documents()]


def assert_read_through(result: AskResult, answers: set[str], cited: str, supporting: tuple[str, str]) -> None:
    """``result`` gives one of ``answers``, cited from the document titled ``cited`` only, and is supported by the
    quote of another document that leads to it (``supporting``: its title and the quote)."""
    assert result.answer in answers and {c.title for c in result.citations} == {cited}
    assert supporting in {(c.title, c.quote) for c in result.supporting}


def offered(result: AskResult) -> set[str]:
    """The texts of the answer and of every alternative shown with it."""
    return {text for text in [result.answer, *(a.text for a in result.alternatives)] if text is not None}


class RecordingEmbedder:
    """An embedder that keeps the texts of each of its calls to embed together (questions), then embeds them."""

    def __init__(self, embedder) -> None:
        self.embedder = embedder
        self.together: list[list[str]] = []

    def __getattr__(self, name: str):
        return getattr(self.embedder, name)

    def embed_together(self, texts: list[str]):
        self.together.append(list(texts))
        return self.embedder.embed_together(texts)


def engine_over(folder, embedder, texts: dict[str, str], questions_embedder=None, **settings) -> QA:
    """An engine over ``texts`` (file name: text) written into ``folder``/documents, with ``settings`` changed
    (``questions_embedder``: another embedder for its questions)."""
    documents = folder / "documents"
    documents.mkdir(exist_ok=True)
    for name, text in texts.items():
        (documents / name).write_text(text, encoding="utf-8")
    engine = QA(
        documents_dir=documents,
        index_dir=folder / "index",
        embedder=questions_embedder or embedder,
        index_embedder=embedder,
    )
    engine.settings = engine.settings.model_copy(update=settings)
    return engine


def test_a_two_part_question_gets_both_answers_each_cited_from_its_own_document(tmp_path, embedder):
    policies = {
        "remote-work.txt": "Remote work policy\n\nEmployees who work from home receive a monthly internet stipend of "
        "40 euros. Laptops are replaced every three years.",
        "travel.txt": "Travel policy\n\nWithin the EU, the meal allowance is 35 euros per day. Trains are preferred "
        "to flights for trips under 500 kilometres.",
    }
    engine = engine_over(tmp_path, embedder, policies)
    result = engine.ask("What is the monthly internet stipend and the EU meal allowance?")
    assert [part.text for part in result.parts] == ["40 euros", "35 euros per day"]
    assert result.answer == "40 euros; 35 euros per day"
    assert {c.title for c in result.citations} == {"Remote work policy", "Travel policy"}
    assert result.confidence == min(part.confidence for part in result.parts)
    assert_citations_exact(engine, result)
    single = engine.ask("What is the monthly internet stipend?")
    assert single.parts == [] and single.answer == "40 euros"


def test_a_person_of_another_role_is_no_answer_to_who_holds_a_role(tmp_path, embedder):
    policies = {
        "security.txt": "Security policy\n\nThe Security Office is led by Daniel Okafor. He decides on every "
        "exception to this policy. Passwords must be at least 14 characters long.",
        "travel.txt": "Travel policy\n\nTrips are approved by your line manager. Trains are preferred under 500 km.",
    }
    engine = engine_over(tmp_path, embedder, policies)
    assert engine.ask("Who leads the Security Office?").answer == "Daniel Okafor"
    unsaid = engine.ask("Who is the CEO of the company?")
    assert unsaid.answer is None and all(a.text != "Daniel Okafor" for a in unsaid.alternatives)


def test_evidence_spread_over_two_documents_is_read_together_and_both_are_cited(tmp_path, embedder):
    policies = {
        "travel.txt": "Travel policy\n\nAll business trips are booked through Navan, our travel booking system. "
        "Economy class is required for flights under six hours. Hotel stays are capped at 150 euros per night in the EU.",
        "security.txt": "Security policy\n\nMulti-factor authentication (MFA) is required for Navan, Workday and "
        "e-mail. Passwords must be at least 14 characters long and are never shared. Zoë’s team handles lost laptops.",
    }
    engine = engine_over(tmp_path, embedder, policies)
    result = engine.ask("Which travel booking system requires MFA?")
    assert result.answer == "Navan", result.alternatives[:3]
    assert {c.title for c in result.citations} == {"Travel policy", "Security policy"}
    assert_citations_exact(engine, result)
    alone = engine.ask("Which travel booking system requires MFA?", min_confidence=1.0)  # declined: read in a hop
    both = {c.title for c in alone.alternatives[0].citations}
    assert alone.answer is None and both == {"Travel policy", "Security policy"}
    apart = engine_over(tmp_path, embedder, {}, joint_reading=False).ask("Which travel booking system requires MFA?")
    assert apart.answer is None  # no passage alone says it
    declined = engine.ask("Who is the chief executive?")
    assert declined.answer is None and "do not say" in declined.no_answer_reason


def test_an_answerability_model_beside_the_reader_weighs_the_collection_in_open_mode(tmp_path, embedder):
    weights = tmp_path / "reader"
    weights.mkdir()
    for path in TRAINED_READER_DIR.iterdir():
        if path.name != ANSWERABILITY_FILE:
            (weights / path.name).symlink_to(path)
    AnswerabilityModel(weights=[0.0] * 8 + [1.0], bias=-1.0).save(weights)  # only the collection's size counts
    texts = {"space.txt": "Dmitry Rogozin heads Roscosmos, the Russian space agency. Its budget shrank in 2021."}
    engine = engine_over(tmp_path, embedder, texts, reader_model=str(weights), min_confidence=0.0)
    rated = engine.ask("Who heads Roscosmos?")
    size = math.log10(1 + engine.store.manifest().passage_count)  # indexed by the first question
    assert rated.answer == "Dmitry Rogozin" and rated.confidence == pytest.approx(1 / (1 + math.exp(1.0 - size)))
    engine.settings = engine.settings.model_copy(update={"answerability": False})
    assert engine.ask("Who heads Roscosmos?").confidence != pytest.approx(rated.confidence)  # the reader's own
    engine.close()


def found_with(text: str | None, confidence: float | None, score: float = 1.0):
    answers = [] if text is None else [Answer(text=text, score=score, confidence=confidence, citations=[])]
    return Retrieval(passages=[]), answers


@pytest.mark.parametrize(
    ("found", "chosen"),
    [
        ({"a": ("x", 0.3), "b": ("y", 0.8), "c": ("z", 0.5)}, "b"),  # the reader is surest of the second reading
        ({"a": ("x", 0.6), "b": ("y", 0.6), "c": (None, None)}, "a"),  # a tie keeps the rules' first choice
        ({"a": (None, None), "b": (None, None), "c": (None, None)}, "a"),  # nothing found: the first reading
    ],
)
def test_the_reading_the_reader_is_most_confident_in_is_kept(found, chosen):
    from qa.questions.conversation import ResolvedQuestion

    readings = [ResolvedQuestion(question=name, retrieval_query=name, rewritten=True) for name in "abc"]
    asked = []

    def read(reading):
        asked.append(reading.question)
        return found_with(*found[reading.question])

    reading, (_, answers) = most_confident_reading(readings, read)
    assert reading.question == chosen and asked == ["a", "b", "c"]
    assert [a.text for a in answers] == ([found[chosen][0]] if found[chosen][0] else [])


@pytest.mark.parametrize(
    ("part", "whole", "confidence"),
    [
        (("Rosa Kim", 0.17), ("Rosa Kim", 0.4), 1 - 0.83 * 0.6),  # the whole question's answer: either may be right
        (("Rosa Kim", 0.17), ("Helen Okafor", 0.4), None),  # the other part's answer
        (("Rosa Kim", 0.17), ("Rosa Kim", 0.1), None),  # the whole question's answer was not given either
        (("Rosa Kim", 0.05), ("Rosa Kim.", 0.4), 1 - 0.95 * 0.6),  # the same answer but for its full stop
        (("Rosa Kim", None), ("Rosa Kim", None), None),  # a reader without calibration: by score alone
    ],
)
def test_a_part_under_the_bar_is_given_when_the_whole_question_gave_its_answer(part, whole, confidence):
    options = ask_options(Settings(), min_confidence=0.2)
    reader = as_reader(ScriptedReader(confidence=None))
    answers, read_whole = found_with(*part, score=-1.0)[1], found_with(*whole, score=-1.0)[1]
    given = given_by_whole(answers, read_whole, reader, options)
    assert (given and given.confidence) == (confidence and pytest.approx(confidence))
    assert given is None or given.text == "Rosa Kim"


PARTS_READ = [("Helen Okafor", 0.38), ("Rosa Kim", 0.17), ("Rosa Kim", 0.4)]  # chair, secretary, the whole question


def test_a_part_is_not_given_the_answer_another_part_has():
    options = ask_options(Settings(), min_confidence=0.2)
    reader = as_reader(ScriptedReader(confidence=None))
    chair, secretary, whole = (found_with(text, confidence)[1] for text, confidence in PARTS_READ)
    assert [a and a.text for a in parts_given([chair, secretary], whole, reader, options)] == [
        "Helen Okafor",
        "Rosa Kim",
    ]
    cfo = found_with("Helen Okafor", 0.1)[1]  # "... and who is the CFO?": the documents do not say
    assert [a and a.text for a in parts_given([chair, cfo], chair, reader, options)] == ["Helen Okafor", None]


def cited_in(document: str, text: str, confidence: float | None) -> Answer:
    passage = f"{text} is in {document}."
    citation = Citation(
        document_id=document, title=document, source=document, passage_id=f"{document}:0", start=0, end=len(text),
        quote=text, passage_text=passage, passage_start=0, passage_end=len(passage),
    )  # fmt: skip
    return Answer(text=text, score=-1.0, confidence=confidence, citations=[citation])


@pytest.mark.parametrize(
    ("part", "other", "given"),
    [
        (("contract", "28 February 2026", 0.14), ("contract", "£780 + VAT", 0.6), True),  # one document: one thing
        (("contract", "28 February 2026", 0.14), ("quote", "£780 + VAT", 0.6), False),  # another document
        (("contract", "28 February 2026", 0.09), ("contract", "£780 + VAT", 0.6), False),  # under half the bar
        (("contract", "28 February 2026", 0.14), None, False),  # the other part is not answered either
        (("contract", "28 February 2026", None), ("contract", "£780 + VAT", None), False),  # no calibration
    ],
)
def test_a_part_under_the_bar_is_given_beside_another_part_s_answer_from_its_document(part, other, given):
    options = ask_options(Settings(), min_confidence=0.2)
    answer = cited_in(*part)
    beside = given_beside([answer], [None if other is None else cited_in(*other), None], options)
    assert beside == (answer if given else None)


def test_parts_that_read_one_answer_best_are_given_their_own_answers():
    options = ask_options(Settings(), min_confidence=0.2)
    reader = as_reader(ScriptedReader(confidence=None))
    rate = [cited_in("price list", "£72 per hour", 0.49), cited_in("minutes", "£78 per hour", 0.24)]
    put_up_to = [cited_in("price list", "£72 per hour", 0.57), cited_in("minutes", "£78 per hour", 0.31)]
    given = parts_given([rate, put_up_to], rate, reader, options)
    assert [a and a.text for a in given] == ["£72 per hour", "£78 per hour"]
    result = AskResult(question="q", resolved_question="q", answer="£72 per hour", score=-1.0)
    answer_in_parts(result, ["What's the labour rate?", "What are we putting it up to?"], given)
    assert result.answer == "£72 per hour; £78 per hour" and not result.unanswered_parts


@pytest.mark.parametrize(("by_two_words", "answer"), [(True, "13/03/2024"), (False, "8 April")])
def test_a_part_answered_alone_is_given_over_the_whole_question_s_answer_when_two_question_words_ask(
    by_two_words, answer
):
    whole = cited_in("minutes", "8 April", 0.37)
    result = AskResult(question="q", resolved_question="q", answer="8 April", score=-1.0, alternatives=[whole])
    parts = ["How much goodwill did Sue give?", "What date was her car collected?"]
    answer_in_parts(result, parts, [None, cited_in("job card", "13/03/2024", 0.8)], by_two_words)
    assert result.answer == answer  # a split of two things asked by one question word may misfire: the whole stays
    assert result.unanswered_parts == (parts[:1] if by_two_words else [])


def test_without_calibration_readings_are_compared_by_score():
    from qa.questions.conversation import ResolvedQuestion

    readings = [ResolvedQuestion(question=name, retrieval_query=name, rewritten=True) for name in "ab"]
    scores = {"a": 2.0, "b": 7.5}
    reading, _ = most_confident_reading(readings, lambda r: found_with("t", None, scores[r.question]))
    assert reading.question == "b"


def test_the_question_embedder_does_not_spin_and_the_indexing_one_does(tmp_path):
    engine = QA(documents_dir=tmp_path / "documents", index_dir=tmp_path / "index")
    assert not engine.embedder.spinning and engine.index_embedder.spinning


def test_follow_ups_have_a_reader_of_their_own_that_reads_history(tmp_path):
    engine = QA(documents_dir=tmp_path / "documents", index_dir=tmp_path / "index")
    main, follow_up = engine.reader(), engine.follow_up_reader()
    assert follow_up is not main and follow_up is engine.follow_up_reader()
    assert follow_up.history_turns == 2 and main.history_turns == 0  # what each was trained on (training.json)
    assert engine.follow_up_reader("sentence") is engine.reader("sentence")
    alone = QA(documents_dir=tmp_path / "documents", index_dir=tmp_path / "index", follow_up_reader_model="none")
    assert alone.follow_up_reader() is alone.reader()


# ------------------------------------------------------------------------ collections: nothing removed unless meant

BRIDGE = "Bridge notes\n\nThe Zorblat bridge was opened in 1987 by mayor Elna Kvist."
HARBOUR = "The harbour of Veltrup handles 12,000 ships a year."


def folder_of(folder, texts: dict[str, str]):
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["local", "postgres"])
def test_asking_with_another_folder_or_none_leaves_every_collection_whole(
    tmp_path, embedder, backend, request, monkeypatch
):
    monkeypatch.chdir(tmp_path)  # no ./documents here
    place = {"index_dir": tmp_path / "index"}
    if backend == "postgres":
        place = {"store": "postgres", "store_url": request.getfixturevalue("postgres_database")}
    papers = folder_of(tmp_path / "papers", {"bridge.txt": BRIDGE, "harbour.txt": HARBOUR})
    QA(documents_dir=papers, embedder=embedder, index_embedder=embedder, **place).refresh_index(progress=False)
    other = folder_of(tmp_path / "other", {"note.txt": "The Quorn lighthouse is painted green."})
    elsewhere = QA(documents_dir=other, embedder=embedder, index_embedder=embedder, **place)
    assert elsewhere.ask("What colour is the Quorn lighthouse?").answer == "green"
    assert [d.source for d in elsewhere.documents()] == [str(other / "note.txt")]
    for engine in (QA(embedder=embedder, collection=str(papers), **place), QA(embedder=embedder, **place)):
        if engine.settings.collection:
            assert "Elna Kvist" in engine.ask("Who opened the Zorblat bridge?").answer
            assert engine.documents_dir == papers  # the collection's own folder, for catching up
        else:
            with pytest.raises(CollectionError, match="holds 2 collections"):
                engine.ask("Who opened the Zorblat bridge?")
    names = {c.name: c.folder for c in elsewhere.collections()}
    assert names == {str(papers): str(papers), str(other): str(other)}
    papers_engine = QA(documents_dir=papers, embedder=embedder, index_embedder=embedder, **place)
    assert sorted(d.source for d in papers_engine.documents()) == [
        str(papers / "bridge.txt"),
        str(papers / "harbour.txt"),
    ]


@pytest.mark.slow
@pytest.mark.parametrize("how", ["missing", "empty"])
def test_a_missing_or_emptied_folder_removes_nothing_without_prune(tmp_path, embedder, how):
    papers = folder_of(tmp_path / "papers", {"bridge.txt": BRIDGE, "harbour.txt": HARBOUR})
    engine = QA(documents_dir=papers, index_dir=tmp_path / "index", embedder=embedder, index_embedder=embedder)
    engine.refresh_index(progress=False)
    aside = shutil.move(papers, tmp_path / "aside")
    if how == "empty":
        papers.mkdir()
    with pytest.raises(FolderError) as raised:
        engine.refresh_index(progress=False)
    assert str(raised.value) == f"{papers} is {how} but its collection holds 2 documents; pass --prune to remove them"
    assert engine.store.manifest().document_count == 2
    report = engine.refresh_index(progress=False, prune=True)
    assert sorted(report.removed_sources) == [str(papers / "bridge.txt"), str(papers / "harbour.txt")]
    assert engine.store.manifest().document_count == 0
    shutil.rmtree(papers, ignore_errors=True)
    shutil.move(aside, papers)
    assert engine.refresh_index(progress=False).embedded_passages == 0 or engine.store.manifest().document_count == 2
    assert engine.store.manifest().document_count == 2


@pytest.mark.slow
@pytest.mark.parametrize("how", ["deleted", "emptied"])
def test_a_file_gone_for_a_moment_comes_back_in_a_running_engine(tmp_path, embedder, how):
    papers = folder_of(tmp_path / "papers", {"bridge.txt": BRIDGE, "harbour.txt": HARBOUR})
    engine = QA(documents_dir=papers, index_dir=tmp_path / "index", embedder=embedder, index_embedder=embedder)
    assert "Elna Kvist" in engine.ask("Who opened the Zorblat bridge?").answer
    bridge = papers / "bridge.txt"
    if how == "deleted":
        bridge.unlink()
    else:
        bridge.write_text("", encoding="utf-8")
    ask_until(engine, "Who opened the Zorblat bridge?", lambda r: len(engine.store.documents()) == 1)
    bridge.write_text(BRIDGE, encoding="utf-8")
    back = ask_until(engine, "Who opened the Zorblat bridge?", lambda r: r.answer and "Elna Kvist" in r.answer)
    assert "Elna Kvist" in back.answer and back.citations[0].source == str(bridge)
    assert_citations_exact(engine, back)


@pytest.mark.slow
@pytest.mark.parametrize("how", ["missing", "empty"])
def test_a_running_engine_whose_folder_goes_answers_from_what_it_indexed_and_says_so(tmp_path, embedder, capfd, how):
    papers = folder_of(tmp_path / "papers", {"bridge.txt": BRIDGE, "harbour.txt": HARBOUR})
    engine = QA(documents_dir=papers, index_dir=tmp_path / "index", embedder=embedder, index_embedder=embedder)
    assert "Elna Kvist" in engine.ask("Who opened the Zorblat bridge?").answer
    aside = tmp_path / "aside"
    if how == "missing":
        shutil.move(papers, aside)  # unmounted, moved
    else:
        aside.mkdir()
        for file in list(papers.iterdir()):  # a sync tool emptying it
            shutil.move(file, aside / file.name)
    notice = f"The folder papers is {how}; its documents are kept, and answers come from them as indexed."
    kept = ask_until(engine, "Who opened the Zorblat bridge?", lambda r: r.notice == notice, 20.0)
    assert kept.notice == notice and "Elna Kvist" in kept.answer
    assert_citations_exact(engine, kept)
    for _ in range(3):  # asked again while it is gone: the same, and nothing removed
        assert engine.ask("Who opened the Zorblat bridge?").notice == notice
    assert engine._background is not None
    engine._background.join(10.0)
    assert engine.store.manifest().document_count == 2
    if how == "missing":
        shutil.move(aside, papers)
    else:
        for file in list(aside.iterdir()):
            shutil.move(file, papers / file.name)
    back = ask_until(engine, "Who opened the Zorblat bridge?", lambda r: r.notice is None, 20.0)
    assert back.notice is None and "Elna Kvist" in back.answer
    assert "Traceback" not in capfd.readouterr().err  # the background syncs that found it gone failed quietly


@pytest.mark.slow
def test_a_file_dropped_into_a_running_engines_folder_is_indexed_by_itself(tmp_path, embedder):
    papers = folder_of(tmp_path / "papers", {"harbour.txt": HARBOUR})
    index = papers / "index"  # kept inside the folder: writing it is no change of the folder's files
    engine = QA(documents_dir=papers, index_dir=index, embedder=embedder, index_embedder=embedder)
    assert engine.ask("Who opened the Zorblat bridge?").answer is None
    engine.ask("How many ships does the harbour of Veltrup handle?")
    if (settling := engine._background) is not None:  # (the index's folder made during the first sync)
        settling.join(10.0)
    for _ in range(3):
        engine.ask("How many ships does the harbour of Veltrup handle?")
    assert engine._background is settling  # no sync started since
    folder_of(papers / "notes", {"bridge.txt": BRIDGE})  # dropped in, in a new subfolder
    asked_at_once = engine.ask("Who opened the Zorblat bridge?")  # answered from the index as it is, and says so
    assert (
        asked_at_once.notice
        == "Catching up: files were added, removed or renamed in the folder papers; they are being read."
    )
    found = ask_until(engine, "Who opened the Zorblat bridge?", lambda r: r.answer and "Elna Kvist" in r.answer, 20.0)
    assert found.answer and "Elna Kvist" in found.answer and found.notice is None
    assert found.citations[0].source == str(papers / "notes" / "bridge.txt")
    assert_citations_exact(engine, found)
    (caught_up := engine._background) is not None and caught_up.join(10.0)
    for _ in range(3):
        engine.ask("How many ships does the harbour of Veltrup handle?")
    assert engine._background is caught_up  # the index it wrote in its folder is no change either


class EditingEmbedder(Embedder):
    """The packaged embedder, which makes ``edit`` once, when it next embeds (a file changed while a sync runs)."""

    def __init__(self) -> None:
        super().__init__()
        self.edit: Callable[[], object] | None = None

    def embed(self, texts: list[str], *args, **kwargs) -> np.ndarray:
        edit, self.edit = self.edit, None
        if edit is not None:
            edit()
        return super().embed(texts, *args, **kwargs)


@pytest.mark.slow
def test_a_file_back_while_the_sync_that_dropped_it_runs_is_read_again(tmp_path, embedder):
    papers = folder_of(tmp_path / "papers", {"bridge.txt": BRIDGE, "harbour.txt": HARBOUR})
    editing = EditingEmbedder()
    engine = QA(documents_dir=papers, index_dir=tmp_path / "index", embedder=embedder, index_embedder=editing)
    assert "Elna Kvist" in engine.ask("Who opened the Zorblat bridge?").answer  # (its first ask syncs the folder)
    bridge = papers / "bridge.txt"
    bridge.write_text("", encoding="utf-8")  # an editor saving: empty for a moment
    (papers / "harbour.txt").write_text(HARBOUR + " It opened in 1901.", encoding="utf-8")
    editing.edit = lambda: bridge.write_text(BRIDGE, encoding="utf-8")  # back, once the empty file was read
    report = engine.refresh_index(progress=False)
    assert report.removed_sources == [str(bridge)] and bridge.read_text(encoding="utf-8") == BRIDGE
    back = ask_until(engine, "Who opened the Zorblat bridge?", lambda r: r.answer and "Elna Kvist" in r.answer, 20.0)
    assert back.answer and "Elna Kvist" in back.answer and back.citations[0].source == str(bridge)
    assert_citations_exact(engine, back)


def test_the_packaged_sample_is_never_written(tmp_path):
    engine = QA(documents_dir=pipeline.SAMPLE_DOCUMENTS_DIR, index_dir=tmp_path / "index")
    note = tmp_path / "note.txt"
    note.write_text("The Quorn lighthouse is painted green.", encoding="utf-8")
    before = sorted(p.name for p in pipeline.SAMPLE_DOCUMENTS_DIR.iterdir())
    with pytest.raises(FolderError, match="^Cannot add documents: the sample article is part of the installed"):
        engine.add_documents([note])
    assert sorted(p.name for p in pipeline.SAMPLE_DOCUMENTS_DIR.iterdir()) == before


@pytest.mark.slow
def test_a_read_only_index_answers_an_edited_document_from_its_indexed_version_and_says_so(tmp_path, embedder):
    papers = folder_of(tmp_path / "papers", {"bridge.txt": BRIDGE, "harbour.txt": HARBOUR})
    QA(documents_dir=papers, index_dir=tmp_path / "index", embedder=embedder).refresh_index(progress=False)
    (papers / "bridge.txt").write_text(BRIDGE.replace("1987", "1988"), encoding="utf-8")
    engine = QA(documents_dir=papers, index_dir=tmp_path / "index", embedder=embedder, store_read_only=True)
    result = engine.ask("Who opened the Zorblat bridge?")
    assert "Elna Kvist" in result.answer
    assert result.notice == (
        "bridge.txt changed since it was indexed; this index is read-only, so answers come from the indexed version."
    )
    assert engine._background is None  # nothing pretends to read it again
    assert_citations_exact(engine, result)


@pytest.mark.slow
def test_a_read_only_index_of_another_embedding_model_says_so_in_one_line(tmp_path, embedder, tiny_model_dir):
    from qa.embedding import Embedder
    from qa.store.protocol import StoreError

    papers = folder_of(tmp_path / "papers", {"bridge.txt": BRIDGE})
    QA(documents_dir=papers, index_dir=tmp_path / "index", embedder=embedder).refresh_index(progress=False)
    other = QA(
        documents_dir=papers, index_dir=tmp_path / "index", embedder=Embedder(tiny_model_dir), store_read_only=True
    )
    with pytest.raises(StoreError) as raised:
        other.ask("Who opened the Zorblat bridge?")
    assert str(raised.value).startswith(f"the index in {tmp_path / 'index'}") and "\n" not in str(raised.value)
    assert f"not {tiny_model_dir!r}" in str(raised.value)


@pytest.mark.slow
def test_several_collections_are_asked_together_and_each_catches_up_with_its_folder(tmp_path, embedder):
    papers = folder_of(tmp_path / "papers", {"bridge.txt": BRIDGE})
    notes = folder_of(tmp_path / "notes", {"note.txt": "The Quorn lighthouse is painted green."})
    for folder in (papers, notes):
        QA(documents_dir=folder, index_dir=tmp_path / "index", embedder=embedder).refresh_index(progress=False)
    both = QA(index_dir=tmp_path / "index", collection=[str(papers), str(notes)], embedder=embedder)
    assert "Elna Kvist" in both.ask("Who opened the Zorblat bridge?").answer
    assert both.ask("What colour is the Quorn lighthouse?").answer == "green"
    (notes / "harbour.txt").write_text(HARBOUR, encoding="utf-8")
    both.refresh_index(progress=False)
    assert "12,000" in both.ask("How many ships does the harbour of Veltrup handle?").answer
    assert {d.source for d in both.documents()} == {str(papers / "bridge.txt"), *(str(p) for p in notes.iterdir())}
    with pytest.raises(CollectionError, match="^Cannot add documents: the collections .* are asked together"):
        both.add_documents([papers / "bridge.txt"])
    with pytest.raises(CollectionError, match="^No collection is named 'nowhere'; there are: "):
        QA(index_dir=tmp_path / "index", collection=[str(papers), "nowhere"], embedder=embedder).store  # noqa: B018


@pytest.mark.slow
def test_a_removed_file_of_the_folder_is_added_again_in_place(tmp_path, embedder):
    documents = tmp_path / "docs"
    (documents / "sub").mkdir(parents=True)
    bridge, tower = documents / "bridge.txt", documents / "sub" / "tower.txt"
    bridge.write_text("The Zorblat bridge was opened in 1987 by mayor Elna Kvist.", encoding="utf-8")
    tower.write_text("The Quillon tower was built in 1902 by Bram Osk.", encoding="utf-8")
    engine = QA(documents_dir=documents, index_dir=tmp_path / "index", embedder=embedder, index_embedder=embedder)
    ids = {d.source: d.id for d in engine.documents()}
    for document_id in ids.values():
        engine.remove_document(document_id)  # their files stay
    assert engine.documents() == []
    report, failures = engine.add_documents([bridge, tower])  # (not copied onto themselves, nor beside)
    assert (sorted(report.added), failures) == (sorted(ids.values()), [])
    assert (
        {d.source: d.id for d in engine.documents()}
        == ids
        == {str(bridge): ids[str(bridge)], str(tower): ids[str(tower)]}
    )
    assert sorted(p.relative_to(documents).as_posix() for p in documents.rglob("*")) == [
        "bridge.txt",
        "sub",
        "sub/tower.txt",
    ]
    assert engine.refresh_index(progress=False).failures == []


@pytest.mark.slow
def test_asking_an_empty_collection_says_nothing_is_indexed(tmp_path, embedder):
    documents = tmp_path / "docs"
    documents.mkdir()
    engine = QA(documents_dir=documents, index_dir=tmp_path / "index", embedder=embedder, reader="sentence")
    result = engine.ask("Who opened the Zorblat bridge?")
    assert result.answer is None and result.no_answer_reason.startswith("Nothing is indexed yet (")
    (documents / "bridge.txt").write_text(
        "The Zorblat bridge was opened in 1987 by mayor Elna Kvist.", encoding="utf-8"
    )
    engine.refresh_index(progress=False)
    result = engine.ask("Which colour is the Quorn lighthouse?", top_k=1, min_confidence=1.0)
    assert result.no_answer_reason and not result.no_answer_reason.startswith("Nothing is indexed")


@pytest.mark.slow
def test_loading_the_models_shows_no_progress_bar(tmp_path, capfd, monkeypatch):
    from transformers.utils import logging as transformers_logging

    monkeypatch.delenv("HF_HUB_DISABLE_PROGRESS_BARS", raising=False)
    was_on = transformers_logging.is_progress_bar_enabled()
    transformers_logging.enable_progress_bar()  # as in a program of its own (qa's CLI turns them off)
    try:
        documents = tmp_path / "docs"
        documents.mkdir()
        (documents / "bridge.txt").write_text("The Zorblat bridge was opened in 1987.", encoding="utf-8")
        capfd.readouterr()
        QA(documents_dir=documents, index_dir=tmp_path / "index").warm_up()
        assert "Loading weights" not in capfd.readouterr().err
        assert transformers_logging.is_progress_bar_enabled()  # as they were: only while loading
    finally:
        if not was_on:
            transformers_logging.disable_progress_bar()


@pytest.mark.slow
def test_a_two_part_question_with_one_part_unanswered_says_which(tmp_path, embedder):
    texts = {
        "who.txt": "Who's who\n\nIngrid Vos heads the Security Office. Tomás Reyes leads People and Culture.",
        "travel.txt": "Travel policy\n\nWithin the EU, the meal allowance is 35 euros per day.",
    }
    engine = engine_over(tmp_path, embedder, texts)
    result = engine.ask("Who heads the Security Office and who is the chief financial officer?")
    assert result.answer == "Ingrid Vos" and [p.text for p in result.parts] == ["Ingrid Vos"]
    assert result.unanswered_parts == ["Who is the chief financial officer?"]
    assert result.notice == "The documents do not say: Who is the chief financial officer?"
    assert_citations_exact(engine, result)
    both = engine.ask("Who leads People and Culture, and what is the meal allowance in the EU?")
    assert both.answer == "Tomás Reyes; 35 euros per day" and not both.unanswered_parts
    assert {c.title for c in both.citations} == {"Who's who", "Travel policy"}


@pytest.mark.slow
def test_an_unanswered_part_that_points_back_is_named_with_what_it_points_to(tmp_path, embedder):
    texts = {"who.txt": "Who's who\n\nIngrid Vos heads the Security Office. Tomás Reyes leads People and Culture."}
    engine = engine_over(tmp_path, embedder, texts)
    result = engine.ask("Who heads the Security Office, and when was it founded?")
    assert [p.text for p in result.parts] == ["Ingrid Vos"]
    assert result.unanswered_parts == ["When was the Security Office founded?"]  # not "When was it founded?"
    assert result.notice == "The documents do not say: When was the Security Office founded?"


@pytest.mark.slow
def test_a_bridge_question_follows_the_name_into_another_document_and_cites_both(tmp_path, embedder):
    texts = {
        "bridge.txt": "The Vell bridge\n\nThe Vell bridge was built in 1911 by Kvist & Sons. It is 140 metres long and "
        "crosses the Vell river at Zorblat.",
        "company.txt": "Kvist & Sons\n\nKvist & Sons is a construction firm. It was founded in 1874 by Elna Kvist, an "
        "engineer from Zorblat.",
        "travel.txt": "Travel policy\n\nAll business trips are booked through TripDesk, our booking portal. Trains are "
        "preferred under 500 km.",
        "security.txt": "Security policy\n\nMulti-factor authentication is required for TripDesk, company e-mail and the "
        "HR portal. Passwords need 14 characters.",
        "town.txt": "Zorblat\n\nZorblat is a river town with 12,000 inhabitants. Its mayor is Tomas Brekke.",
    }
    engine = engine_over(tmp_path, embedder, texts)
    founder = engine.ask("Who founded the company that built the Vell bridge?")
    assert_read_through(founder, {"Elna Kvist"}, "Kvist & Sons", ("The Vell bridge", "Kvist & Sons"))
    assert_citations_exact(engine, founder)
    portal = engine.ask("Which booking portal requires multi-factor authentication?")
    assert portal.answer == "TripDesk"
    assert {c.title for c in [*portal.citations, *portal.supporting]} == {"Travel policy", "Security policy"}
    plain = engine.ask("When was the Vell bridge built?")
    assert plain.answer == "1911" and not plain.supporting


@pytest.mark.slow
def test_a_question_about_a_described_thing_names_it_first_then_asks_of_it(tmp_path, embedder):
    texts = {
        "march.txt": "Rowing club minutes, March\n\nThe secretary, Tomas Brenner, reported that the boathouse roof "
        "had been repaired before the spring regatta. Eight new members joined.",
        "agm.txt": "Annual general meeting, May\n\nLena Voss took over from Tomas Brenner as secretary. Ola Berg was "
        "re-elected as captain for a second year.",
        "regatta.txt": "Spring regatta\n\nThe regatta was held on 20 April. The club's eight finished second behind "
        "Lindholm.",
    }
    engine = engine_over(tmp_path, embedder, texts)
    chained = engine.ask("Who took over from the secretary who reported that the boathouse roof had been repaired?")
    assert_read_through(
        chained, {"Lena Voss"}, "Annual general meeting, May", ("Rowing club minutes, March", "Tomas Brenner")
    )
    assert {c.passage_id for c in [*chained.citations, *chained.supporting]} <= {p.passage.id for p in chained.passages}
    assert_citations_exact(engine, chained)
    itself = engine.ask("Who was the secretary who reported that the boathouse roof had been repaired?")
    assert itself.answer == "Tomas Brenner" and not itself.supporting


@pytest.mark.slow
def test_a_thing_described_by_what_it_is_to_a_name_is_named_first_then_asked_of(tmp_path, embedder):
    texts = {
        "lindholm.txt": "Lindholm\n\nLindholm is a fishing town on the east coast. It was founded in 1702 by the "
        "shipowner Tomas Brenner, who built its first harbour wall.",
        "brenner.txt": "Tomas Brenner\n\nTomas Brenner (1660-1731) was a Danish shipowner. In 1689 he married Elna "
        "Kvist, the daughter of a ferryman from Ostvik. They had three sons.",
    }
    engine = engine_over(tmp_path, embedder, texts)
    questions = (
        "Who did the founder of Lindholm marry?",
        "Who did Lindholm's founder marry?",
        "Lindholm was founded by a shipowner who married whom?",  # the question word within the clause
    )
    for question in questions:
        chained = engine.ask(question)
        assert_read_through(chained, {"Elna Kvist"}, "Tomas Brenner", ("Lindholm", "Tomas Brenner"))
        assert_citations_exact(engine, chained)
    itself = engine.ask("Who was the founder of Lindholm?")
    assert itself.answer == "Tomas Brenner" and not itself.supporting


@pytest.mark.slow
def test_a_role_given_for_who_is_named_by_the_document_that_names_its_holder(tmp_path, embedder):
    texts = {
        "charter.txt": "Project charter\n\nThe project manager reports monthly to the Capital Programme Board, which "
        "is chaired by the Finance Director. Weekly status reports go to the sponsor.",
        "minutes.txt": "Meeting notes, 29 May\n\nPresent: Helen Okafor (Director of Operations), Owen Brady (Finance "
        "Director), Gwen Parry (Senior Site Engineer).\n\nThe board approved the revised budget.",
    }
    engine = engine_over(tmp_path, embedder, texts)
    named = engine.ask("Who chairs the Capital Programme Board?")
    assert_read_through(named, {"Owen Brady"}, "Meeting notes, 29 May", ("Project charter", "the Finance Director"))
    assert_citations_exact(engine, named)
    assert named.confidence is not None and named.confidence <= max(a.confidence or 0 for a in named.alternatives)
    itself = engine.ask("Which board is chaired by the Finance Director?")  # asks no "who": the role is not followed
    assert not itself.supporting


@pytest.mark.slow
def test_a_company_described_for_which_company_is_named_by_the_document_that_names_it(tmp_path, embedder):
    texts = {
        "servicing.md": "# Looking after your boiler\n\nHave the boiler serviced once a year. Our installation "
        "partner can do the annual service for you if you ask; book at least two weeks ahead.",
        "warranty.md": "# Warranty\n\nThe boiler carries a five-year warranty. Warranty repairs are carried out by our "
        "approved installation partner, Hartwell Heating. Call them on 0161 496 0777 to book a visit.",
    }
    engine = engine_over(tmp_path, embedder, texts)
    named = engine.ask("Which company can do the annual service for me?")
    assert_read_through(
        named, {"Hartwell Heating"}, "Warranty", ("Looking after your boiler", "Our installation partner")
    )
    assert_citations_exact(engine, named)


@pytest.mark.slow
def test_a_role_given_for_who_is_named_by_its_holder_as_surely_as_the_role(tmp_path, embedder):
    texts = {  # the role named first in a report's heading, its holder further on: read for it, "Ruth Okonedo" at 0.25
        "welcome.md": "# Welcome pack\n\n## Joining the choir\n\nRehearsals are on Tuesdays at 7.30pm in St Anne's "
        "hall. New singers fill in the joining form and give it, with the first term's fee, to the Membership "
        "Secretary at any rehearsal. Music is lent free of charge.",
        "agm.md": "# Annual general meeting, 14 January\n\nPresent: 38 members. Apologies from Priya Shah and Owen "
        "Lloyd.\n\n## 4. Membership Secretary's report\n\nThe choir has 61 singers, nine more than last year. Owen "
        "Lloyd had sent a written report on the tenor section.\n\n## 5. Election of officers\n\nThe following were "
        "elected unopposed:\n\n- **Chair:** Malcolm Reyes\n- **Membership Secretary:** Ruth Okonedo\n"
        "- **Librarian:** Tomasz Bielski\n\n## 6. Any other business\n\nThe summer concert will be on 21 June.",
    }
    engine = engine_over(tmp_path, embedder, texts)
    named = engine.ask("I've filled in the joining form - who do I hand it to?")
    assert_read_through(
        named, {"Ruth Okonedo"}, "Annual general meeting, 14 January", ("Welcome pack", "the Membership Secretary")
    )
    assert_citations_exact(engine, named)


@pytest.mark.slow
def test_a_role_given_in_a_table_is_named_by_the_document_beside_it_not_read_back_from_the_table(tmp_path, embedder):
    texts = {  # "Who is the Northern District Operations Manager?" read in the table gives "Client representative"
        "charter.md": "# Project charter\n\n## Governance\n\n| Role | Holder |\n|---|---|\n"
        "| Project manager | Rhys Caldwell |\n| Client representative | Northern District Operations Manager |\n\n"
        "The project manager reports monthly to the board.",
        "minutes.md": "# Meeting notes, 29 May\n\nPresent:\n\n- Helen Okafor (Director of Operations)\n"
        "- Tom Ashworth (Northern District Operations Manager)\n- Gwen Parry (Senior Site Engineer)\n\n"
        "The outage dates for September were agreed.",
    }
    engine = engine_over(tmp_path, embedder, texts)
    named = engine.ask("Who is the client representative?")
    assert_read_through(
        named, {"Tom Ashworth"}, "Meeting notes, 29 May", ("Project charter", "Northern District Operations Manager")
    )
    assert_citations_exact(engine, named)


CONTACT_FOLDERS = {
    "boiler": {
        "faults.md": "# Boiler fault codes\n\n| Code | Meaning | What to do |\n|---|---|---|\n"
        "| F22 | Low water pressure. | Top up the pressure to 1.2 bar with the filling loop. |\n"
        "| F28 | Ignition failure. | Switch the boiler off and contact Harwood Heating Support. |\n",
        "support.md": "# Help and support\n\n## Harwood Heating Support\n\nOur engineers answer questions about "
        "faults, servicing and spare parts.\n\n- Phone: 0345 600 1212 (weekdays, 8:00 to 20:00)\n"
        "- Email: help@harwood.example\n\nPlease have the serial number ready when you call.",
    },
    "laptop": {
        "equipment.md": "# Equipment\n\nEvery employee gets a laptop and a headset. Laptops are replaced every three "
        "years, or sooner when they break; the IT helpdesk arranges the replacement.",
        "people.txt": "Who's who\n\nPriya Nair runs the IT helpdesk, which lends equipment and resets accounts. The "
        "helpdesk is open from 8:00 to 18:00 on working days at helpdesk@kestrel.example.\n\nSanne Jacobs books "
        "meeting rooms.",
    },
}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("folder", "question", "answer", "cited", "supporting"),
    [
        (  # before: "serial" ("Please have the serial number ready")
            "boiler",
            "What number should I call if my boiler shows fault F28?",
            "0345 600 1212",
            "Help and support",
            ("Boiler fault codes", "Harwood Heating Support"),
        ),
        (  # the whole address, not "help@harwood"
            "boiler",
            "Which email address should I use if my boiler shows fault F28?",
            "help@harwood.example",
            "Help and support",
            ("Boiler fault codes", "Harwood Heating Support"),
        ),
        (  # not "IT helpdesk", the name of whoever has the address
            "laptop",
            "What email address do I use to get a broken laptop replaced?",
            "helpdesk@kestrel.example",
            "Who's who",
            ("Equipment", "IT helpdesk"),
        ),
    ],
)
def test_a_contact_detail_is_read_where_whoever_handles_the_matter_is_named(
    tmp_path, embedder, folder, question, answer, cited, supporting
):
    engine = engine_over(tmp_path, embedder, CONTACT_FOLDERS[folder])
    result = engine.ask(question)
    assert_read_through(result, {answer}, cited, supporting)
    assert_citations_exact(engine, result)


@pytest.mark.slow
def test_chat_wording_is_read_as_the_plain_question_it_asks(tmp_path, embedder):
    texts = {
        "travel.txt": "Travel policy\n\nEvery trip must be approved by your line manager. Trips abroad also need a "
        "second approval from the Head of Operations, Priya Lindqvist, before anything is booked.",
        "expenses.txt": "Expenses policy\n\nClaims above 500 pounds are also approved by the Finance Controller, "
        "Mehmet Arslan. Approved claims are paid on the 25th of each month.",
    }
    engine = engine_over(tmp_path, embedder, texts)
    plain = engine.ask("Who must give a second approval for trips abroad?")
    assert plain.answer == "Priya Lindqvist"
    for asked in (
        "What is the name of the person who must give a second approval for trips abroad?",
        "Can you tell me who must give a second approval for trips abroad?",
    ):
        worded = engine.ask(asked)
        assert worded.question == asked and worded.resolved_question == plain.question
        assert worded.answer == plain.answer and worded.confidence == pytest.approx(plain.confidence)
        assert_citations_exact(engine, worded)
    typed = engine.ask("payment day for approved claims?")
    assert typed.resolved_question == "What is the payment day for approved claims?"
    assert "25th" in (typed.answer or "")
    assert_citations_exact(engine, typed)
    history = [{"question": "Who must give a second approval for trips abroad?", "answer": "Priya Lindqvist"}]
    follow_up = engine.ask("payment day for approved claims?", history=history)  # a follow-up is resolved, not reworded
    assert not follow_up.resolved_question.startswith("What is")
    both = engine.ask("Could you tell me who must give a second approval for trips abroad, and when are claims paid?")
    assert both.resolved_question.startswith("Who must") and len(both.parts) == 2  # split as the plain question is
    assert both.parts[0].text == "Priya Lindqvist" and "25th" in (both.parts[1].text or "")


RISKS = (
    "# Risk register: Café Zoë refit\n\nScores of 15 or more are reported to the sponsor.\n\n"
    "| ID | Risk | Score | Owner | Status |\n|---|---|---|---|---|\n"
    "| R-01 | Supply interruption during outages | 10 | Site lead | Open |\n"
    "| R-04 | Late delivery of the grinders | 16 | Project manager | Open |\n"
    "| R-07 | Energy saving not achieved | 6 | Ødegård Controls | Closed |\n"
)
ROOMS = (
    "# Meeting rooms\n\nRooms at the Leeds office are booked through the front desk.\n\n"
    "| Room | Floor | Capacity | Equipment |\n|---|---|---|---|\n| Lovelace | 2 | 12 | Projector and whiteboard |\n"
    "| Turing | 3 | 30 | Video conferencing |\n| Hopper | 1 | 6 | Whiteboard |\n"
)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("table", "question", "expected"),
    [
        (RISKS, "What score does the late-delivery risk have?", "16"),  # read raw: "ID", the header's first cell
        (ROOMS, "How many people does the Turing room hold?", "30"),  # read "Capacity is 30": the floor, "3"
    ],
)
def test_a_table_row_is_read_as_what_it_says_of_its_first_cell(tmp_path, embedder, table, question, expected):
    texts = {
        "table.md": table,
        "care.md": "# Customer care\n\nOur team answers questions about spare parts and warranty claims.",
    }
    engine = engine_over(tmp_path, embedder, texts)
    result = engine.ask(question, min_confidence=0.0)
    assert result.answer == expected, result.alternatives[:3]
    assert_citations_exact(engine, result)


LOANED = (
    "Laser level, Cordless drill, Thermal camera, Moisture meter, Cable detector, Torque wrench, Pipe camera, "
    "Label printer, Ladder (3 m), Heat gun, Sound level meter, Infrared thermometer, Multimeter"
).split(", ")
BORROWERS = ["Zoë Ødegård", "Rhys Caldwell", "Anja Weiss", "Tom Ashworth", "Helen Okafor", "Gwen Parry"]
LOANS = "# Equipment loans\n\n| Asset | Item | Borrower | Due back |\n|---|---|---|---|\n" + "".join(
    f"| A-{70 + n:03} | {item} | {BORROWERS[n % 6]} | {1 + n * 7 % 28} May 2025 |\n" for n, item in enumerate(LOANED)
)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "item", "expected"),
    [  # each row said of its asset number, the reader gave the heat gun and the sound level meter others' dates
        ("When is the thermal camera due back?", "Thermal camera", "15 May 2025"),
        ("When is the heat gun due back?", "Heat gun", "8 May 2025"),
        ("When is the sound level meter due back?", "Sound level meter", "15 May 2025"),
        ("Who borrowed the pipe camera?", "Pipe camera", "Zoë Ødegård"),
    ],
)
def test_a_row_the_question_names_by_a_cell_other_than_its_first_is_read_as_what_it_says_of_that_cell(
    tmp_path, embedder, question, item, expected
):
    engine = engine_over(tmp_path, embedder, {"loans.md": LOANS})
    result = engine.ask(question, min_confidence=0.0)
    assert result.answer == expected, result.alternatives[:3]
    cited = result.citations[0]
    row_start = LOANS.rindex("\n", 0, cited.start) + 1
    assert (
        LOANS[cited.start : cited.end] == expected and f"| {item} |" in LOANS[row_start : LOANS.index("\n", row_start)]
    )
    assert_citations_exact(engine, result)


@pytest.mark.slow
def test_a_price_is_not_read_from_the_row_of_another_length_than_the_question_asks(tmp_path, embedder):
    texts = {
        "prices.md": "# Price list\n\n## Sports massage (with Zoë)\n\n| Appointment | Price |\n|---|---|\n"
        "| 30 minutes | £38 |\n| 60 minutes | £62 |\n| Pre-event massage (per athlete) | £25 |\n\n"
        "## Physiotherapy\n\n| Appointment | Length | Price |\n|---|---|---|\n"
        "| Initial assessment | 45 minutes | £60 |\n| Follow-up | 30 minutes | £48 |\n",
    }
    engine = engine_over(tmp_path, embedder, texts)
    asked = engine.ask("how much do we charge for a 45 minute sports massage?", min_confidence=0.0)
    assert not {"£38", "£62"} & offered(asked), offered(asked)  # read from the 30 and 60 minutes' rows before
    own = engine.ask("how much do we charge for a 60 minute sports massage?", min_confidence=0.0)
    assert own.answer == "£62", own.alternatives[:3]
    assert_citations_exact(engine, own)


@pytest.mark.slow
def test_a_clauses_number_is_no_answer(tmp_path, embedder):
    texts = {
        "agreement.txt": "EQUIPMENT SERVICE AGREEMENT\n\nAgreement no.:      BTS-SA-1193\n\n1. EQUIPMENT COVERED\n"
        "1.1  Vittoria Duetto 2-group espresso machine, serial no. VD2-220871\n"
        "1.2  Two Fiorenza F64 on-demand grinders (house espresso and decaf)\n"
        "1.3  AquaGuard water filtration unit (scale inhibitor) and pressure regulator\n\n2. CHARGES\n"
        "2.1  Annual charge: £780 + VAT, payable by direct debit.",
    }
    engine = engine_over(tmp_path, embedder, texts)
    result = engine.ask("What are the serial numbers of our two grinders?", min_confidence=0.0)
    assert not {"1.1", "1.2", "1.3", "2.1"} & offered(result), offered(
        result
    )  # "1.3", the next clause's number, was a candidate
    assert_citations_exact(engine, result)


CLEANING = (
    "OFFICE CLEANING AGREEMENT\n\nClient:     Zoë Kowalski, Łódź Design Studio\n\n1. SERVICES\n"
    "1.1  Daily cleaning of the studio, Monday to Friday, after 18:00.\n"
    "1.2  Window cleaning, inside and out, every quarter.\n\n2. FEES\n"
    "2.1  Monthly fee: €1,240 + VAT, invoiced on the first working day of each month.\n"
    "2.2  The fee will be reviewed each January and will not rise by more than 3%.\n\n3. NOTICE\n"
    "3.1  Either party may end this agreement with 30 days’ written notice.\n"
)


@pytest.mark.slow
def test_a_numbered_clause_is_read_without_its_number(tmp_path, embedder):
    engine = engine_over(tmp_path, embedder, {"cleaning.txt": CLEANING})
    result = engine.ask("What is the monthly fee for the cleaning?")
    assert result.answer == "€1,240 + VAT", result.alternatives[:3]  # was "2.1  Monthly fee: €1,240 + VAT"
    assert_citations_exact(engine, result)


@pytest.mark.slow
def test_a_reference_is_no_phone_number_and_a_phone_number_no_fax_number(tmp_path, embedder):
    texts = {
        "record.txt": "BOILER SERVICE RECORD\n\nEngineer:        Tomasz Nowak (Gas Safe 556123)\n"
        "Booked by:       Kowalczyk & Finch Lettings (their ref KF-40917)\nDate of visit:   17 September 2025\n",
        "agents.md": "# Letting agent\n\nKowalczyk & Finch Lettings, 22 Market Row, Pellbury. Telephone: 01632 480 915. "
        "Email: lettings@kfinch.example\nOffice hours are 9am to 5:30pm, Monday to Saturday.\n",
    }
    engine = engine_over(tmp_path, embedder, texts)
    fax = engine.ask("What is the fax number of Kowalczyk & Finch Lettings?", min_confidence=0.0)
    assert fax.answer is None and not fax.alternatives, fax.alternatives[:3]  # was "40917" (78%), the reference
    phone = engine.ask("What's the phone number of the letting agents who booked the boiler service?")
    assert phone.answer == "01632 480 915", phone.alternatives[:3]
    assert not {"556123", "KF-40917"} & offered(phone)  # both were alternatives
    assert_citations_exact(engine, phone)


GAS_SAFETY = (
    "LANDLORD GAS SAFETY RECORD\n"
    "\n"
    "Engineer:          Zoë Wiśniewska (Gas Safe 618204)\n"
    "Property:          Flat 4, 12 Kestrel Lane, Ambridge\n"
    "Date of check:     3 March 2025\n"
    "Appliances:        Boiler (Vaillant ecoTEC), hob\n"
    "Result:            Pass. No defects found.\n"
)
TENANCY = (
    "ASSURED SHORTHOLD TENANCY AGREEMENT\n"
    "\n"
    "This agreement is made on 20 March 2024 between the Landlord and the Tenant named below.\n"
    "\n"
    "PROPERTY:     Flat 4, 12 Kestrel Lane, Ambridge\n"
    "LANDLORD:     Mrs Aleksandra Nowak\n"
    "TENANT:       Daniel Okafor\n"
    "\n"
    "1. TERM\n"
    "1.1 The tenancy starts on 1 April 2024 for a fixed term of twelve months and continues from month to month after that unless a new agreement is signed.\n"
    "1.2 The Tenant may end the tenancy after the fixed term by giving at least one month's written notice, ending on the last day of a rental period.\n"
    "\n"
    "2. RENT\n"
    "2.1 The rent is £950 per calendar month, payable in advance on the first day of each month by standing order to the Agent's client account.\n"
    "2.2 The rent may be reviewed once a year, on the anniversary of the start date, with at least one month's written notice of any increase.\n"
    "\n"
    "3. DEPOSIT\n"
    "3.1 The Tenant has paid a deposit of £1,100.\n"
    "3.2 The deposit is protected with a government-approved scheme. The prescribed information has been given to the Tenant separately.\n"
    "3.3 Deductions may be made at the end of the tenancy for unpaid rent, damage beyond fair wear and tear, and cleaning.\n"
    "\n"
    "4. TENANT'S OBLIGATIONS\n"
    "4.1 Keep the property clean and in good condition, and report any repairs needed promptly.\n"
    "4.2 Not keep pets at the property without the Landlord's written consent, which will not be unreasonably withheld.\n"
    "4.3 Allow the Landlord or the Agent access for inspections and repairs at reasonable times after 24 hours' notice.\n"
)


@pytest.mark.slow
def test_a_chain_reads_a_passage_as_about_the_name_its_document_gives_elsewhere(tmp_path, embedder):
    engine = engine_over(tmp_path, embedder, {"gas-safety-record.txt": GAS_SAFETY, "tenancy-agreement.txt": TENANCY})
    engine.refresh_index()
    ids = [passage_id(d.id, n) for d in engine.store.documents() for n in range(d.passage_count)]
    deposit = next(p for p in engine.store.get_passages(ids).values() if "£1,100" in p.text)
    assert "Kestrel Lane" not in deposit.text  # the agreement names the flat in another passage
    result = engine.ask("How much deposit did we pay on the flat where Zoë Wiśniewska did the gas safety check?")
    assert result.answer == "£1,100", result.alternatives[:3]  # was "618204", the engineer's Gas Safe number
    assert_citations_exact(engine, result)


@pytest.mark.slow
def test_an_answer_stops_before_the_number_of_a_contracts_next_clause(tmp_path, embedder):
    texts = {
        "tenancy.txt": "TENANCY AGREEMENT\n\nPROPERTY:     Flat 2, 37 Aldergate Road, Pellbury\n\n3. DEPOSIT\n"
        "3.1 The Tenants have paid a deposit of £1,350.\n3.2 The deposit is protected with the Safeguard Deposit "
        "Scheme under certificate number SDS-771-40392.\n3.3 Deductions may be made at the end of the tenancy.",
    }
    engine = engine_over(tmp_path, embedder, texts)
    result = engine.ask("How much deposit did we pay?", min_confidence=0.0)
    assert result.answer == "£1,350", result.alternatives[:3]  # read raw, the best span ran on into "3.2"
    assert not any("\n3.2" in a.text for a in result.alternatives)
    assert_citations_exact(engine, result)


@pytest.mark.slow
def test_a_chain_that_leads_is_read_before_any_second_hop(tmp_path, embedder, monkeypatch):
    texts = {
        "march.txt": "Rowing club minutes, March\n\nThe secretary, Tomas Brenner, reported that the boathouse roof "
        "had been repaired before the spring regatta. Eight new members joined.",
        "agm.txt": "Annual general meeting, May\n\nLena Voss took over from Tomas Brenner as secretary. Ola Berg was "
        "re-elected as captain for a second year.",
    }
    recording = RecordingEmbedder(embedder)
    engine = engine_over(tmp_path, embedder, texts, questions_embedder=recording)
    reader, read = engine.reader(), []
    reading = reader.read
    monkeypatch.setattr(
        reader, "read", lambda q, passages, top_n=5: read.append((q, passages)) or reading(q, passages, top_n)
    )
    question = "Who took over from the secretary who reported that the boathouse roof had been repaired?"
    result = engine.ask(question)
    assert result.answer == "Lena Voss"
    asked = [q for q, _ in read]
    described = "What is the name of the secretary who reported that the boathouse roof had been repaired?"
    assert described in asked
    assert "Who took over from Tomas Brenner?" in asked
    assert recording.together[0] == [question, described]  # embedded in one pass, and not again
    assert not any(described in texts for texts in recording.together[1:])
    assert all(p.id != "hop" for _, passages in read for p in passages)  # no two passages read joined
    pairs = [(q, p.id) for q, passages in read for p in passages]
    assert len(pairs) == len(set(pairs))  # no passage read twice for one question


@pytest.mark.slow
def test_an_answer_also_cites_the_document_that_says_what_its_own_passage_leaves_out(tmp_path, embedder):
    texts = {
        "security.txt": "Security policy\n\nHarrowgate Connect sessions are disconnected automatically after 10 hours. "
        "Passwords need 14 characters.",
        "remote.txt": "Remote work policy\n\nRemote staff must use Harrowgate Connect for every internal system. "
        "Laptops are provided by the company.",
    }
    engine = engine_over(tmp_path, embedder, texts)
    result = engine.ask("After how long is the connection that remote staff must use for internal systems cut off?")
    assert result.answer == "10 hours" and {c.title for c in result.citations} == {"Security policy"}
    assert [(c.title, c.quote) for c in result.supporting] == [("Remote work policy", "Harrowgate Connect")]
    assert_citations_exact(engine, result)
    plain = engine.ask("How many characters do passwords need?")
    assert plain.answer and "14" in plain.answer and not plain.supporting


# ---------------------------------------------------------------- answers as long as a long document's readers expect


CLOSED = r"^This engine is closed; make a new QA to go on\.$"


def test_closing_an_engine_lets_go_of_its_store_and_threads_and_then_refuses(tmp_path):
    from qa.embedding import Embedder

    (tmp_path / "docs").mkdir()
    given = Embedder()  # (none of these loads a model: a model's threads start before it loads)
    with QA(documents_dir=tmp_path / "docs", index_dir=tmp_path / "index", index_embedder=given) as engine:
        store, store_closes = engine.store, []
        close_store = store.close
        store.close = lambda: (store_closes.append(store), close_store())
        own = [*engine.embedder.shared._threads, *engine.reader().batcher._threads]
        theirs = given.shared._threads
    assert store_closes == [store] and not any(thread.is_alive() for thread in own)
    assert all(thread.is_alive() for thread in theirs)  # a model passed in is the caller's to close
    for action in (lambda: engine.ask("Who opened the bridge?"), engine.documents, engine.refresh_index):
        with pytest.raises(ClosedError, match=CLOSED):
            action()
    assert isinstance(ClosedError("x"), QAError) and not engine.refresh_in_background()
    engine.close()  # again: nothing more to do
    assert store_closes == [store]
    given.close()
    assert not any(thread.is_alive() for thread in theirs)


def test_an_engine_closed_before_opening_its_store_never_opens_one(tmp_path):
    engine = QA(documents_dir=tmp_path / "docs", index_dir=tmp_path / "index")
    engine.close()
    with pytest.raises(ClosedError, match=CLOSED):
        engine.store  # noqa: B018
    assert not (tmp_path / "index").exists()


@pytest.mark.slow
def test_closing_an_engine_of_several_collections_closes_each_and_leaves_the_shared_embedder(tmp_path, embedder):
    papers = folder_of(tmp_path / "papers", {"bridge.txt": BRIDGE})
    notes = folder_of(tmp_path / "notes", {"harbour.txt": HARBOUR})
    for folder in (papers, notes):
        with QA(documents_dir=folder, index_dir=tmp_path / "index", embedder=embedder) as engine:
            engine.refresh_index(progress=False)
    both = QA(index_dir=tmp_path / "index", collection=[str(papers), str(notes)], embedder=embedder, reader="sentence")
    with both:
        assert "Elna Kvist" in both.ask("Who opened the Zorblat bridge?").answer
        parts = list(both._parts)
    assert len(parts) == 2 and all(part._closed for part in parts)
    with pytest.raises(ClosedError, match=CLOSED):
        both.ask("Who opened the Zorblat bridge?")
    assert embedder.embed_together(["still embedding"]).shape == (1, embedder.dimension)
    with QA(documents_dir=papers, index_dir=tmp_path / "index", embedder=embedder, reader="sentence") as again:
        assert "Elna Kvist" in again.ask("Who opened the Zorblat bridge?").answer  # the index as it was left


LAB = {
    "people.txt": "Lab members\n\nIrena Sokol is our second-year doctoral researcher. Ada Lund is a visiting professor "
    "from Uppsala.",
    "sites.txt": "Field sites\n\nIrena Sokol takes her water samples at Kettle Fen, a marsh east of the campus. Ada "
    "Lund takes her water samples at Brindle Marsh.",
    "funding.txt": "Funding\n\nThe wetland project is funded until 2027 by the Rowan Trust.",
}
OFFICE = {
    "equipment.txt": "Equipment\n\nStaff get a laptop and a phone on their first day. Projectors and screens for "
    "client visits are lent by the Media Office, and must be returned the same day.",
    "contacts.txt": "Contacts\n\nThe porters keep the building open from 07:00 to 22:00. For anything that is not an "
    "emergency, such as loans, repairs or keys, call the Media Office on extension 4412.",
    "travel.txt": "Travel\n\nBook client visits through TripDesk at least five days ahead.",
}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("texts", "question", "answers", "cited", "supporting"),
    [
        (  # the thing is named first ("What is the name of the second-year ...?"), then asked of
            LAB,
            "Where does the second-year doctoral researcher take her water samples?",
            {"Kettle Fen"},
            "Field sites",
            ("Lab members", "Irena Sokol"),
        ),
        (  # the answer's passage is read with the sentence that says what it leaves out
            OFFICE,
            "Which phone extension do I call to borrow a projector for a client visit?",
            {"4412", "extension 4412"},
            "Contacts",
            ("Equipment", "Media Office"),
        ),
    ],
    ids=["described elsewhere", "completing reading"],
)
def test_an_answer_resting_on_a_description_in_another_document_cites_both(
    tmp_path, embedder, texts, question, answers, cited, supporting
):
    engine = engine_over(tmp_path, embedder, texts)
    result = engine.ask(question)
    assert_read_through(result, answers, cited, supporting)
    assert_citations_exact(engine, result)


@pytest.mark.slow
def test_a_chain_is_read_after_the_first_passage_when_it_leaves_the_reader_unsure(tmp_path, embedder, monkeypatch):
    minutes = Path(__file__).parent.parent / "eval" / "cross_documents" / "club-minutes"
    engine = engine_over(tmp_path, embedder, {p.name: p.read_text(encoding="utf-8") for p in minutes.glob("*.md")})
    reader = engine.reader()
    engine.ask("When is the annual general meeting?")  # loads the models and the index
    question = "Who was the controller of the championship that Marek Nowak won?"
    read: list[tuple[str, int]] = []
    reading = reader.read
    monkeypatch.setattr(
        reader, "read", lambda q, passages, top_n=5: read.append((q, len(passages))) or reading(q, passages, top_n)
    )
    result = engine.ask(question)
    assert result.answer == "Alan Briggs"
    assert sum(count for asked, count in read if asked == question) == 1  # the other four passages were not read
    assert_citations_exact(engine, result)


@pytest.mark.slow
def test_a_row_far_down_a_csv_file_is_answered_from_its_cell_under_the_columns_of_the_first_row(tmp_path, embedder):
    people = [("Zoë Ødegård", "Site lead"), ("Rhys Caldwell", "Project manager"), ("Anja Weiss", "SCADA engineer")]
    rows = [f"Staff member {n},Technician,0161 555 {n:04}" for n in range(1, 61)]
    rows[47:47] = [f"{name},{role},0161 496 {n:04}" for n, (name, role) in enumerate(people, start=7)]
    engine = engine_over(tmp_path, embedder, {"staff.csv": "Name,Role,Phone\n" + "\n".join(rows) + "\n"})
    result = engine.ask("What is Anja Weiss's phone number?")
    assert result.answer == "0161 496 0009" and result.citations[0].title == "staff"
    assert result.citations[0].passage_start > 0  # a passage after the first: the header is in another
    assert_citations_exact(engine, result)


def saved_email(suffix: str, subject: str, body: str, attachment: tuple[str, str]) -> bytes:
    """A message from Nadia with ``body`` and a text file attached (``attachment``: its name and text), saved as an
    e-mail program saves it (".eml") or as Outlook does (".msg")."""
    if suffix == ".msg":
        from aspose.email_foss import msg

        outlook = msg.MapiMessage.create(subject, body)
        outlook.set_property(msg.PropertyId.SENDER_NAME, "Nadia Kowal")
        outlook.add_attachment(attachment[0], attachment[1].encode(), mime_type="text/plain")
        return outlook.to_bytes()
    from email.message import EmailMessage

    mail = EmailMessage()
    mail["Subject"] = subject
    mail["From"] = "Nadia Kowal <nadia@example.com>"
    mail["Date"] = "Tue, 06 Feb 2024 09:14:00 +0000"
    mail.set_content(body)
    mail.add_attachment(attachment[1], filename=attachment[0])
    return bytes(mail)


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".eml", ".msg"])
def test_a_saved_email_is_answered_from_its_body_and_its_attachment_with_exact_citations(tmp_path, embedder, suffix):
    subject = "Boiler repair – quote from Keystone Heating"
    body = (
        "Hi both,\n\nZoë Brandt, the Keystone engineer, came this morning. She says the diverter valve has "
        "failed and she will come back on Thursday 8 February to fit a new one.\n\nNadia"
    )
    quote = "Keystone Heating – quote KH-2291\n\nReplacing the diverter valve costs £227.60, parts and labour. "
    engine = engine_over(tmp_path, embedder, {"tenancy.txt": FLAT_TENANCY})
    attached = ("keystone-quote.txt", quote + "This quote is valid for 30 days.")
    (tmp_path / "documents" / f"boiler{suffix}").write_bytes(saved_email(suffix, subject, body, attached))
    fitted = engine.ask("When is the engineer coming back to fit the new valve?")
    assert fitted.answer == "Thursday 8 February" and fitted.citations[0].title == subject
    priced = engine.ask("How much will replacing the diverter valve cost?")  # the attached quote says
    assert priced.answer.startswith("£227.60") and priced.citations[0].title == subject
    for result in (fitted, priced):
        assert_citations_exact(engine, result)


@pytest.mark.slow
def test_a_word_97_document_is_answered_from_its_table_and_its_text_with_exact_citations(tmp_path, embedder):
    from test_word97 import HEATING

    engine = engine_over(tmp_path, embedder, {"tenancy.txt": FLAT_TENANCY})
    (tmp_path / "documents" / "heating.doc").write_bytes(HEATING.read_bytes())
    priced = engine.ask("What is the price of the diverter valve?")
    assert priced.answer == "£142.60" and priced.citations[0].title == "Boiler service – Keystone Heating"
    back = engine.ask("When does Zoë come back?")
    assert back.answer == "15 February" and back.citations[0].section == "Next visit"
    for result in (priced, back):
        assert_citations_exact(engine, result)


@pytest.mark.slow
def test_a_price_is_answered_from_the_row_the_question_names_and_not_from_a_row_beside_it(tmp_path, embedder):
    from test_views import UNIFORM

    shop = "Items with the school crest are sold by Tailor & Crest, 14 Market Street."
    engine = engine_over(tmp_path, embedder, {"uniform.md": f"# School uniform\n\n{shop}\n\n{UNIFORM}"})
    assert engine.ask("How much is a jumper?").answer == "£16.50"
    assert engine.ask("How much is a blazer?").answer == "£34.00"
    for question in ("How much is the tie?", "How much is a school tie?"):  # its row gives none ("£16.50" before)
        assert engine.ask(question).answer is None, question


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("tesseract") is None, reason="Tesseract OCR is not installed")
def test_a_scanned_invoice_is_answered_from_the_text_ocr_reads_citing_its_page(tmp_path, embedder):
    from test_ocr import INVOICE, TERMS, scanned_pdf

    engine = engine_over(tmp_path, embedder, {"tenancy.txt": FLAT_TENANCY})
    (tmp_path / "documents" / "invoice.pdf").write_bytes(scanned_pdf(INVOICE, TERMS))
    cost = engine.ask("How much did replacing the diverter valve cost?")
    assert cost.answer == "$227.60" and cost.citations[0].page == 1
    back = engine.ask("When does the engineer return?")
    assert back.answer == "Thursday 15 February" and back.citations[0].page == 2
    for result in (cost, back):
        assert_citations_exact(engine, result)


def test_ocr_languages_tesseract_lacks_are_named_before_anything_is_indexed(tmp_path, embedder, monkeypatch):
    from test_ocr import INVOICE, scanned_pdf

    tesseract = FakeTesseract(tmp_path / "bin", "Invoice KH-2291, parts and labour $227.60.", ["eng", "osd"])
    monkeypatch.setenv("PATH", str(tesseract.folder))
    monkeypatch.setenv("QA_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "documents").mkdir()
    (tmp_path / "documents" / "invoice.pdf").write_bytes(scanned_pdf(INVOICE))
    with pytest.raises(OptionError, match=r"^ocr_languages must be text matching .+, not 'deu eng'\.$"):
        QA(documents_dir=tmp_path / "documents", ocr_languages="deu eng")
    engine = QA(
        documents_dir=tmp_path / "documents",
        index_dir=tmp_path / "index",
        embedder=embedder,
        index_embedder=embedder,
        ocr_languages="deu+eng",
    )
    message = r"^OCR language 'deu' is not installed \(Tesseract here reads eng, osd\): apt install tesseract-ocr-deu"
    with pytest.raises(OptionError, match=message):
        engine.refresh_index(progress=False)
    assert tesseract.pages_read() == 0 and engine.store.manifest().document_count == 0
    engine.settings = engine.settings.model_copy(update={"ocr_languages": "eng"})
    engine.refresh_index(progress=False)
    assert engine.store.manifest().document_count == 1 and tesseract.pages_read("eng") == 1
    assert len(list((tmp_path / "cache" / "ocr").rglob("*.txt"))) == 1  # the page's text kept in the cache folder
    engine.close()


def test_a_background_sync_after_an_ocr_language_is_uninstalled_warns_and_keeps_the_index(
    tmp_path, embedder, monkeypatch, caplog
):
    tesseract = FakeTesseract(tmp_path / "bin", "Die Prüfung ergab einen Überdruck.", ["deu", "eng", "osd"])
    monkeypatch.setenv("PATH", str(tesseract.folder))
    monkeypatch.setenv("QA_CACHE_DIR", str(tmp_path / "cache"))
    engine = engine_over(tmp_path, embedder, {"tenancy.txt": FLAT_TENANCY}, ocr_languages="deu+eng")
    assert engine.ask("What is the rent?").answer.startswith("£1,695")  # indexed, running
    FakeTesseract(tmp_path / "bin", "", ["eng", "osd"])  # German taken off
    (tmp_path / "documents" / "note.txt").write_text("The boiler was serviced in March.", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="qa.pipeline"):
        assert engine.refresh_in_background()
        engine._background.join(20.0)
    assert [r.getMessage() for r in caplog.records if "OCR language" in r.getMessage()] == [
        "could not bring the index up to date: OCR language 'deu' is not installed (Tesseract here reads eng, osd): "
        "apt install tesseract-ocr-deu, or set QA_OCR_LANGUAGES"
    ]
    assert engine.store.manifest().document_count == 1
    assert engine.ask("How much is the deposit?").answer == "£1,955"  # from the index as it was
    engine.close()


def agm_slides(suffix: str) -> bytes:
    """The AGM slides of tests/test_slides.py as a PowerPoint (.pptx) or an OpenDocument (.odp) presentation, or
    those of tests/data/agm.ppt, a PowerPoint 97-2003 one of the same facts."""
    from test_opendocument import SLIDES, WATER_CHART, odt
    from test_powerpoint97 import AGM
    from test_slides import agm_deck

    if suffix == ".ppt":
        return AGM.read_bytes()
    return agm_deck() if suffix == ".pptx" else odt(SLIDES, kind="presentation", objects=WATER_CHART)


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".pptx", ".odp", ".ppt"])
def test_slides_are_answered_from_their_text_and_tables_citing_the_slide(tmp_path, embedder, suffix):
    engine = engine_over(tmp_path, embedder, {"tenancy.txt": FLAT_TENANCY})
    (tmp_path / "documents" / f"agm{suffix}").write_bytes(agm_slides(suffix))
    waiting = engine.ask("How many households are on the waiting list?")
    assert waiting.answer == "19" and waiting.citations[0].section == "Slide 2: Membership"
    fee = engine.ask("What is the annual fee for a full plot?")
    assert fee.answer == "£68" and fee.citations[0].section == "Slide 3: Plot fees from April"
    for result in (waiting, fee):
        assert result.citations[0].title == "Riverside Allotments – AGM 2025"  # no title of its own: its first slide's
        assert_citations_exact(engine, result)


FLAT_TENANCY = (
    "ASSURED SHORTHOLD TENANCY AGREEMENT\n\nProperty: Flat 3, 41 Ashgrove Road, Bristol BS6 5LW\n\n"
    "3. RENT\n3.1 The rent is £1,695 per calendar month for the whole property.\n"
    "3.2 The rent is payable in advance on the 1st day of each month by standing order to the Agent.\n\n"
    "4. DEPOSIT\n4.1 The Tenants have paid a deposit of £1,955, protected with the Deposit Protection Service within "
    "30 days of receipt."
)
ELECTRICITY_BILL = (
    "NORTHMOOR ENERGY\nElectricity statement\n\nStatement date:   14 January 2024\nAccount number:   BWE-0047 3318 92\n"
    "Supply address:   Flat 3, 41 Ashgrove Road, Bristol BS6 5LW\n\nYour electricity, 12 Nov 2023 – 11 Jan 2024: "
    "£312.44\nTotal due:        £312.44\nWe will collect it by Direct Debit on or after 28 January 2024."
)


@pytest.mark.slow
def test_a_later_part_whose_it_points_back_is_read_of_what_the_first_part_asks_about(tmp_path, embedder):
    engine = engine_over(tmp_path, embedder, {"tenancy.txt": FLAT_TENANCY, "electricity.txt": ELECTRICITY_BILL})
    result = engine.ask("how much is the rent and what day is it due?")  # "What day is the rent due?"
    assert [part.text for part in result.parts] == ["£1,695 per calendar month for the whole property", "1st"]
    assert not result.unanswered_parts
    assert_citations_exact(engine, result)


GARAGE_AND_FLAT = {
    "price-list.md": "# Brackley Road Garage – price list 2024\n\nVAT Reg No. 318 4471 62 · Price list ref PL-2024/03\n\n"
    "Effective from **1 March 2024**. All prices include VAT at 20% unless marked “+VAT”.\n\n| Service | Price |\n"
    "|---|---|\n| Interim service | £189 |\n| Full service | £329 |\n| MOT test | £54.85 |\n\nCourtesy cars are available "
    "for longer jobs at £20 per day, fuel extra; please book them a day ahead.\n",
    "house-rules.md": "# House rules – Flat 3\n\n## Bills\n- Electricity: Northmoor Energy, paid by Maya, split three ways."
    "\n- Gas: Northmoor Gas, quarterly bill, paid by Josh.\n- Broadband: Fibrelink, £32.99 a month, paid by Ciarán.\n",
}


@pytest.mark.slow
def test_a_number_written_in_spaced_groups_is_offered_whole(tmp_path, embedder):
    engine = engine_over(tmp_path, embedder, GARAGE_AND_FLAT)
    result = engine.ask("whats the garage VAT reg number", min_confidence=0.0)
    assert result.answer is not None and result.answer.endswith("318 4471 62")
    assert all("318 4471 62" in text for text in offered(result) if "4471" in text)  # never "No. 318 4471"
    assert_citations_exact(engine, result)


@pytest.mark.slow
def test_how_much_is_never_answered_by_words_without_a_number(tmp_path, embedder):
    engine = engine_over(tmp_path, embedder, GARAGE_AND_FLAT)
    result = engine.ask("how much was the last gas bill?", min_confidence=0.0)
    assert offered(result) and all(any(c.isdigit() for c in text) for text in offered(result))  # not "quarterly bill"


SUPPLIERS_AND_JOB = {
    "parts_suppliers.csv": (
        "supplier,account_no,contact,contact_role,phone,email,deliveries,terms,notes\n"
        'Midshire Motor Factors,MMF-11207,Phil Barker,Trade counter manager,01536 520744,trade@midshiremf.co.uk,"Twice daily (10:30, 15:00)",30 days,"Brakes, filters, service parts. Main account. Branch: Unit 4, Telford Way, Kettering NN16 8UN"\n'
        'Northgate Auto Parts,NAP-30418,Leanne Shaw,Account manager,01604 338190,leanne.shaw@northgate-autoparts.co.uk,Daily 11:00,30 days,"Timing kits, discs, clutches, coolant. Returns within 28 days with invoice number"\n'
        'Pinnacle Tyre Distribution,PTD-8841,Gary Woolley,Area sales,01933 441027,orders@pinnacletyres.co.uk,Same day if ordered by 12:00,30 days,"Current tyre supplier; prices up since Jan 2024"\n'
    ),
    "job_card_4486.txt": (
        "BRACKLEY ROAD GARAGE LTD — WORKSHOP JOB CARD\n"
        "27 Brackley Road, Kettering NN16 8RT          Tel 01536 412908\n"
        "===============================================================\n"
        "\n"
        "Job No:            4486\n"
        "Date in:           19/03/2024   08:30\n"
        "Promised for:      20/03/2024   16:00\n"
        "Booked by:         Sue Hendry\n"
        "\n"
        "PARTS\n"
        "Qty  Description                      Part ref        Supplier                  Cost\n"
        "1    Timing belt kit with water pump  NAP-TK-40221    Northgate Auto Parts      £142.60\n"
        "1    Oil filter                       MMF-OF-1190     Midshire Motor Factors      £7.85\n"
        "1    Fuel filter                      MMF-FF-3307     Midshire Motor Factors     £21.40\n"
        "1    Pollen filter                    MMF-PF-0922     Midshire Motor Factors      £9.10\n"
        "5 L  Engine oil 5W-30 VW 507.00       FO-5W30-507     Fenland Oils (bulk)        £26.50\n"
        "1 L  Coolant G13                      NAP-CL-1300     Northgate Auto Parts        £8.95\n"
        "\n"
        "Parts:             £216.40\n"
        "Labour & MOT:      £556.42\n"
        "Total inc. VAT:    £772.82\n"
        "Payment:           On account — 30 days, statement April 2024\n"
        "\n"
    ),
}


@pytest.mark.slow
def test_a_things_number_is_never_answered_by_an_amount_or_a_date(tmp_path, embedder):
    engine = engine_over(tmp_path, embedder, SUPPLIERS_AND_JOB)
    result = engine.ask("what's our account number with Northgate Auto Parts?", min_confidence=0.0)
    assert result.answer == "NAP-30418"
    assert not any(AMOUNT_OR_DATE.fullmatch(text) for text in offered(result))  # not "£142.60", the job's part
    assert_citations_exact(engine, result)


@pytest.mark.slow
def test_a_price_per_another_span_of_time_is_no_answer(tmp_path, embedder):
    engine = engine_over(tmp_path, embedder, GARAGE_AND_FLAT)
    weekly = engine.ask("how much is a courtesy car for a whole week?", min_confidence=0.0)
    assert not any("£20" in text for text in offered(weekly))  # "£20 per day" is a day's price, not a week's
    daily = engine.ask("how much is a courtesy car per day?")
    assert daily.answer is not None and "£20" in daily.answer
    assert_citations_exact(engine, daily)


# A builder's schedule whose row for the plastering names "Callum Hartley", an e-mail that names Callum as the
# builder's nephew, and site notes and diaries that share more of the question's words than that row does.
RENOVATION = {
    "schedule_of_works.md": (
        "# Schedule of works - 14 Larkfield Road\n\n"
        "The start on site moved from 8 April to 22 April. Each part of the job starts when the part before it is done,"
        " and the job is due to finish on 12 July 2024.\n\n"
        "| # | Stage | Who | Start | Duration | Notes |\n|---|---|---|---|---|---|\n"
        "| 1 | Site set-up and strip-out of the old kitchen | Hartley & Sons | 22 Apr 2024 | 1 wk | First skip on Fri 19 Apr |\n"
        "| 2 | Excavation, foundations and drainage | Hartley & Sons | 29 Apr 2024 | 2 wks | Trenches inspected before concrete |\n"
        "| 3 | Blockwork and brick to damp course | Hartley & Sons | 13 May 2024 | 1.5 wks | Inspection triggers the stage 2 invoice |\n"
        "| 4 | Steel beam and knock-through | Hartley & Sons | 20 May 2024 | 3 days | Calculations by the structural engineer |\n"
        "| 5 | Flat roof and rooflight | Pennine Roofing | 28 May 2024 | 4 days | One fixed rooflight |\n"
        "| 6 | Windows and bi-fold doors | Clearpane Glazing | 3 Jun 2024 | 2 days | Grey frames; certificate to follow |\n"
        "| 7 | First fix electrics | Brightspark Electrical | 4 Jun 2024 | 3 days | Extra outside sockets |\n"
        "| 8 | First fix plumbing and heating | Hartley & Sons | 4 Jun 2024 | 2 days | Two radiators moved |\n"
        "| 9 | Plastering and skim | Callum Hartley | 10 Jun 2024 | 1 wk | Drying time before the kitchen fit |\n"
        "| 10 | Kitchen delivery | Oakline Kitchens | 14 Jun 2024 | - | Someone must be home |\n"
        "| 11 | Kitchen fit | Hartley & Sons | 17 Jun 2024 | 1.5 wks | Units only |\n"
        "| 12 | Worktop template and fit | Oakline Kitchens | 26 Jun 2024 | 1 day | After the base units |\n"
        "| 13 | Second fix electrics and plumbing | Brightspark / Hartley & Sons | 1 Jul 2024 | 3 days | Certificate from Brightspark |\n"
        "| 14 | Floor tiling | Hartley & Sons | 3 Jul 2024 | 3 days | We supply the tiles |\n"
        "| 15 | Snagging and completion | Hartley & Sons | 8 Jul 2024 | 1 wk | Completion certificate after this |\n"
    ),
    "email_gareth.txt": (
        "From: Gareth Hartley\nTo: Tom Ashworth\nSubject: Re: plastering\n\n"
        "Hi Tom,\n\nYes - my nephew Callum will do the plastering and skim, same as he did on your neighbour's loft. "
        "He is quick and tidy.\n\nGareth\n"
    ),
    "site_notes.txt": (
        "Site notes\n\nThe start of each part of the job is on the schedule. When a part of the job is due to start, "
        "Gareth rings the day before. The job started on 22 April. Nobody is due to start before 8am.\n\n"
        "Parking: the skip lorry is due at 7.30am on the first day of each part of the job.\n"
    ),
    **{
        f"site_diary_week_{week}.txt": (
            f"Site diary, week {week}\n\nWhen is each part of the job due to start? The {part} part of the job is due"
            f" to start when the {before} part is signed off. His part of the job started late this week because of"
            " rain.\n"
        )
        for week, part, before in [
            (1, "drainage", "excavation"),
            (2, "blockwork", "foundations"),
            (3, "roofing", "steel beam"),
            (4, "glazing", "roofing"),
            (5, "electrics", "glazing"),
        ]
    },
}


@pytest.mark.slow
def test_a_question_asked_of_a_name_is_read_where_the_name_is(tmp_path, embedder):
    engine = engine_over(tmp_path, embedder, RENOVATION)
    result = engine.ask("When is Gareth's nephew due to start his part of the job?")
    assert result.answer == "10 Jun 2024"  # Callum's row, not "22 April" of the site notes
    cited = {Path(c.source).name for c in [*result.citations, *result.supporting]}
    assert cited == {"schedule_of_works.md", "email_gareth.txt"}  # the row, and where Callum is the nephew
    assert_citations_exact(engine, result)


@pytest.mark.slow
def test_a_warmed_up_engine_runs_its_pytorch_passes_traced(tmp_path):
    documents = tmp_path / "documents"  # PyTorch asked for: a CPU whose models would all run in ONNX checks it too
    shutil.copytree(pipeline.SAMPLE_DOCUMENTS_DIR, documents)
    engine = QA(settings=Settings(runtime="torch"), documents_dir=documents, index_dir=tmp_path / "index")
    try:
        engine.warm_up()
        models = [engine.embedder, engine.reader(), engine.follow_up_reader()]
        assert [model.runtime[0] for model in models] == ["torch"] * 3
        assert all(model.torch_passes.is_traced for model in models)
        assert engine.ask("Who heads Roscosmos?").answer == "Dmitry Rogozin"
    finally:
        engine.close()


@pytest.mark.slow
def test_the_first_item_of_a_list_of_figures_is_read_as_its_own(tmp_path, embedder):
    texts = {  # run on into the next item, the list's first figure was given the next item's number ("57")
        "year.md": "# Millbrook Library Friends – Year Report 2024\n\n## From the chair\n\nThe library stayed open "
        "through the roof repairs thanks to you, and the new reading garden opened in May.\n\n## Our year at a "
        "glance\n\n- 9,115 books lent from the community shelf\n- 342 children at Saturday story time\n- 57 "
        "volunteers on the rota\n- £3,980 raised at the book sale\n\n## Thanks\n\nWe thank the council for its grant.",
    }
    engine = engine_over(tmp_path, embedder, texts)
    children = engine.ask("How many children came to story time?")
    assert children.answer == "342"
    assert_citations_exact(engine, children)
    assert engine.ask("How much did the book sale raise?").answer == "£3,980"


TANNERY = {
    "tannery-history.md": (
        "# The Old Tannery, River Lane: A Building History\n\n*Research paper by the Riverside Heritage Group, "
        "2024.*\n\n## Origins\n\nBy the 1860s the town's leather trade had outgrown the sheds by the ford, and "
        "the tanners' guild looked for a site with running water and room for pits. A company was formed in "
        "1868, raising £2,000 in £5 shares from local merchants, and it bought a meadow on the north bank from "
        "the Hallam estate. The guild's minutes record long arguments about the smell, and the vicar wrote "
        "twice to the county paper to object. The first pits were dug in the summer of 1869, before any "
        "building stood, and hides were soaked in the open while the company argued with the Hallam estate "
        "over the right to draw water from the mill race. A settlement in the spring of 1870 gave the company "
        "the water for a rent of ten shillings a year, and the shareholders agreed to build at once.\n\n## "
        "Design and construction\n\nThe plans were drawn by Samuel Pike, a surveyor from Leeds, who gave the "
        "building three storeys of brick over a stone ground floor, with drying lofts under a louvred roof. "
        "Work began in 1870 and the building was finished in 1872 at a cost of £3,150. Forty men worked on the "
        "site at its busiest, and two were hurt when a scaffold gave way in the winter of 1871.\n\n## Later "
        "use\n\nTanning stopped in 1931. The building became a furniture store, then a printing works, and "
        "since 1998 it has held flats and a small museum on the ground floor."
    ),
    "minutes-march.md": (
        "# Riverside Heritage Group – Minutes, 4 March 2025\n\n## 1. Apologies\n\nApologies were received from "
        "June Carter and Tom Hale.\n\n## 2. Old Tannery booklet\n\nNina Shah reported that the booklet on the "
        "Old Tannery is ready for the printer. The Group will contribute £250 towards the cost of printing, "
        "and the museum will sell it in its shop.\n\n## 3. Next meeting\n\nThe next meeting is on 1 April 2025 "
        "in the library."
    ),
}


@pytest.mark.slow
def test_a_later_passage_is_read_as_about_the_subject_its_document_opens_with(tmp_path, embedder):
    engine = engine_over(tmp_path, embedder, TANNERY)  # the history names the Old Tannery at its top only
    for question, answer in [
        ("What did the Old Tannery cost to build?", "£3,150"),
        ("When was the Old Tannery finished?", "1872"),
    ]:
        result = engine.ask(question)  # were "printing" (the minutes' cost of the booklet) and declined
        assert result.answer == answer
        assert [Path(c.source).name for c in result.citations] == ["tannery-history.md"]
        assert_citations_exact(engine, result)
