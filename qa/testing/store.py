"""The store conformance suite: mixins of tests that every backend named in BACKENDS passes (Haystack-style)."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from qa.documents.chunking import joined_passages
from qa.documents.loading import document_id
from qa.models import Document, Section
from qa.store.protocol import (
    DocumentStore,
    DocumentWrite,
    Relocation,
    StoreBusy,
    StoreError,
    StoreReadOnly,
    StoreSettings,
)

SETTINGS = StoreSettings(embedding_model="test-model", dimension=8, chunk_tokens=200, chunk_overlap_sentences=1)


TEXTS = {
    "eiffel": "The Eiffel Tower stands in Paris. It was completed in 1889.",
    "gasket": "The QZ-7 gasket seal must be replaced every 400 hours. Replacing it takes ten minutes.",
    "unicode": "Zoë’s café in Kraków opened in 2019 — naïve résumés welcome. 東京 is far away.",
    "everest": "Mount Everest is the highest mountain above sea level. Climbers reach it from Nepal.",
}


def unit(seed: int, dimension: int = SETTINGS.dimension) -> np.ndarray:
    vector = np.random.default_rng(seed).normal(size=dimension).astype(np.float32)
    return vector / np.linalg.norm(vector)


def make_write(name: str, seed: int, source: str | None = None, text: str | None = None) -> DocumentWrite:
    """A document split at its first sentence end into two passages, with seeded unit vectors."""
    text = text or TEXTS[name]
    doc_id = document_id(text)
    cut = text.index(". ") + 1
    passages = joined_passages(doc_id, [text[:cut], text[cut + 1 :]], " ")
    vectors = np.vstack([unit(seed * 10 + i) for i in range(len(passages))])
    document = Document(id=doc_id, title=name.title(), source=source or f"/docs/{name}.txt", text=text)
    return DocumentWrite(
        document=document, passages=passages, vectors=vectors, size=len(text.encode()), mtime=1_700_000_000.5 + seed
    )


def with_sections(write: DocumentWrite, *headings: str) -> DocumentWrite:
    """``write`` with a section at each of ``headings`` (words of its text; "" for a section at 0 titled "Start")."""
    text = write.document.text
    sections = [Section(start=text.index(h), title=h or "Start", level=1 + n % 2) for n, h in enumerate(headings)]
    write.document = write.document.model_copy(update={"sections": sections})
    return write


def stored_state(store: DocumentStore) -> tuple[list, dict, dict]:
    """Every document as listed, and every passage and vector, for comparing two states of a store."""
    documents = store.documents()
    ids = [f"{d.id}:{n}" for d in documents for n in range(d.passage_count)]
    vectors = {i: v.tolist() for i, v in store.get_vectors(ids).items()}
    return [d.model_dump() for d in documents], store.get_passages(ids), vectors


class StoreConformance:
    """What every DocumentStore does. A test module composes it (``class TestStore(StoreConformance): pass``) with a
    ``store_factory`` fixture: ``store_factory(read_only=False)`` opens a handle on one fresh location of one backend,
    and closes it after the test."""

    @pytest.fixture
    def store(self, store_factory) -> DocumentStore:
        store = store_factory()
        assert store.bind(SETTINGS)
        return store

    @pytest.fixture
    def filled(self, store) -> DocumentStore:
        store.write([make_write(name, seed) for seed, name in enumerate(TEXTS)])
        return store

    def test_it_is_a_document_store(self, store):
        assert isinstance(store, DocumentStore)

    def test_an_empty_store_holds_nothing(self, store):
        manifest = store.manifest()
        assert (manifest.document_count, manifest.passage_count) == (0, 0)
        assert manifest.settings == SETTINGS and manifest.backend == store.backend
        assert store.documents() == []
        assert store.dense_search(unit(1), 5) == []
        assert store.keyword_search("tower", 5) == []
        assert store.get_documents(["nope"]) == {} and store.get_passages(["nope:0"]) == {}

    def test_bind_refuses_other_settings_until_cleared(self, store_factory):
        store = store_factory()
        assert store.manifest().settings is None
        assert store.bind(SETTINGS) and store.bind(SETTINGS)
        store.write([make_write("eiffel", 1)])
        other = SETTINGS.model_copy(update={"chunk_tokens": 100})
        assert not store.bind(other)
        assert store.manifest().settings == SETTINGS
        store.clear()
        assert store.manifest().document_count == 0 and store.bind(other)
        assert store.manifest().settings == other

    def test_documents_and_passages_round_trip_with_exact_offsets(self, filled):
        listed = filled.documents()
        assert [d.source for d in listed] == sorted(f"/docs/{name}.txt" for name in TEXTS)
        write = make_write("unicode", 2)
        entry = next(d for d in listed if d.id == write.document.id)
        assert (entry.title, entry.content_hash, entry.size, entry.passage_count) == (
            "Unicode",
            write.document.id,
            write.size,
            2,
        )
        assert entry.mtime == pytest.approx(write.mtime)
        document = filled.get_documents([write.document.id])[write.document.id]
        assert document == write.document
        passages = filled.get_passages([p.id for p in write.passages] + ["missing:0"])
        assert set(passages) == {p.id for p in write.passages}
        for passage in passages.values():
            assert passage == next(p for p in write.passages if p.id == passage.id)
            assert document.text[passage.start : passage.end] == passage.text
        manifest = filled.manifest()
        assert (manifest.document_count, manifest.passage_count) == (4, 8)

    def test_dense_search_ranks_by_cosine(self, filled):
        write = make_write("gasket", 1)
        query = write.vectors[1] + 0.05 * unit(99)
        query /= np.linalg.norm(query)
        found = filled.dense_search(query, 3)
        assert found[0][0] == write.passages[1].id
        assert found[0][1] == pytest.approx(float(query @ write.vectors[1]), abs=1e-4)
        assert [s for _, s in found] == sorted((s for _, s in found), reverse=True)
        assert len(filled.dense_search(query, 100)) == 8

    def test_keyword_search_matches_stems_and_ignores_stopwords(self, filled):
        gasket = make_write("gasket", 1)
        found = filled.keyword_search("replacing gaskets", 3)
        assert found and found[0][0] in {p.id for p in gasket.passages}
        assert all(score > 0 for _, score in found)
        assert filled.keyword_search("the of and", 5) == []
        assert filled.keyword_search("", 5) == []
        unicode = make_write("unicode", 2)
        assert filled.keyword_search("Kraków café", 1)[0][0] == unicode.passages[0].id

    def test_keyword_search_finds_every_passage_of_a_file_by_the_words_of_its_name(self, store):
        text = "Covered for five years from fitting. Call Zoë on 0161 496 0519 to claim."
        warranty = make_write("x", 1, source="/docs/boiler_warranty-2024.txt", text=text)
        store.write([warranty, make_write("gasket", 2)])
        found = store.keyword_search("How long is the boiler warranty?", 5)
        assert [pid for pid, _ in found] == [p.id for p in warranty.passages]  # neither passage says "warranty"
        assert store.keyword_search("txt docs", 5) == []  # its folder and its suffix are no words of its name

    def test_keyword_scores_prefer_rarer_and_repeated_words(self, store):
        texts = ["apple banana. cherry date.", "apple apple apple banana. fig grape.", "kiwi lemon. mango apple."]
        store.write([make_write("x", i, source=f"/docs/{i}.txt", text=t) for i, t in enumerate(texts)])
        found = [pid for pid, _ in store.keyword_search("apple", 5)]
        assert found[0] == f"{document_id(texts[1])}:0"
        assert store.keyword_search("lemon", 5)[0][0] == f"{document_id(texts[2])}:0"

    def test_writing_a_document_again_replaces_it(self, filled):
        first = make_write("everest", 3)
        again = make_write("everest", 7, source="/docs/moved/everest.txt")
        filled.write([again])
        assert filled.manifest().passage_count == 8
        assert filled.dense_search(again.vectors[0], 1)[0][0] == again.passages[0].id
        assert filled.dense_search(again.vectors[0], 1)[0][1] == pytest.approx(1.0, abs=1e-4)
        assert filled.dense_search(first.vectors[0], 1)[0][1] < 0.99
        assert filled.get_documents([again.document.id])[again.document.id].source == "/docs/moved/everest.txt"

    def test_delete_removes_everywhere(self, filled):
        gasket = make_write("gasket", 1)
        assert filled.delete([gasket.document.id, "unknown"]) == 1
        assert filled.delete([gasket.document.id]) == 0
        assert gasket.document.id not in {d.id for d in filled.documents()}
        assert filled.get_passages([p.id for p in gasket.passages]) == {}
        assert filled.get_documents([gasket.document.id]) == {}
        assert all(pid not in {p.id for p in gasket.passages} for pid, _ in filled.dense_search(gasket.vectors[0], 10))
        assert filled.keyword_search("gasket", 5) == []
        assert filled.manifest().passage_count == 6

    def test_set_source_keeps_passages(self, filled):
        eiffel = make_write("eiffel", 0)
        filled.set_source(Relocation(eiffel.document.id, "/docs/renamed.txt", 123, 42.0))
        entry = next(d for d in filled.documents() if d.id == eiffel.document.id)
        assert (entry.source, entry.size, entry.mtime, entry.passage_count) == ("/docs/renamed.txt", 123, 42.0, 2)
        assert filled.dense_search(eiffel.vectors[0], 1)[0][0] == eiffel.passages[0].id
        assert entry.title == eiffel.document.title  # no title given: the stored one stays
        filled.set_source(Relocation(eiffel.document.id, "/docs/renamed.txt", 123, 42.0, title="La tour Eiffel, Zoë"))
        assert next(d for d in filled.documents() if d.id == eiffel.document.id).title == "La tour Eiffel, Zoë"
        assert filled.get_documents([eiffel.document.id])[eiffel.document.id].title == "La tour Eiffel, Zoë"

    def test_page_starts_round_trip(self, store):
        report = make_write("everest", 3, source="/docs/everest.pdf")
        report.document = report.document.model_copy(update={"page_starts": [0, 0, 56]})
        eiffel = make_write("eiffel", 0)
        store.write([report, eiffel])
        listed = {d.id: d.page_starts for d in store.documents()}
        assert listed == {report.document.id: [0, 0, 56], eiffel.document.id: None}
        assert store.documents([report.document.id])[0].page_starts == [0, 0, 56]
        found = store.get_documents([report.document.id, eiffel.document.id])
        assert found[report.document.id] == report.document and found[eiffel.document.id].page_starts is None
        store.set_source(Relocation(report.document.id, "/docs/moved.pdf", 10, 20.0, [0, 56]))
        assert store.get_documents([report.document.id])[report.document.id].page_starts == [0, 56]
        store.set_source(Relocation(report.document.id, "/docs/moved.txt", 10, 20.0))
        assert store.documents([report.document.id])[0].page_starts is None

    def test_verify_finds_page_starts_that_cannot_be(self, store):
        report = make_write("everest", 3, source="/docs/everest.pdf")
        report.document = report.document.model_copy(update={"page_starts": [0, 20]})
        store.write([report])
        assert store.verify() == []
        doc_id, length = report.document.id, len(report.document.text)
        for pages, problem in [
            ([0, 30, 20], "its page starts go backwards or past its text"),
            ([0, length + 1], "its page starts go backwards or past its text"),
            ([5, 20], "its page starts do not begin at 0"),
        ]:
            store.set_source(Relocation(doc_id, "/docs/everest.pdf", 10, 20.0, pages))
            assert store.verify() == [f"document {doc_id}: {problem}"]

    def test_sections_round_trip(self, store):
        everest = with_sections(make_write("everest", 3, source="/docs/everest.md"), "", "Climbers")
        eiffel = make_write("eiffel", 0)
        gasket = with_sections(make_write("gasket", 1, source="/docs/gasket.html"))  # looked for, none found: []
        store.write([everest, eiffel, gasket])
        ids = (everest.document.id, eiffel.document.id, gasket.document.id)
        listed = {d.id: d.sections for d in store.documents()}
        assert listed == dict(zip(ids, (everest.document.sections, None, []), strict=True))
        found = store.get_documents(list(ids))
        assert [found[i] for i in ids] == [everest.document, eiffel.document, gasket.document]
        moved = [Section(start=30, title="3.2 Méthodes — Zoë’s “notes”", level=3)]
        store.set_source(Relocation(everest.document.id, "/docs/moved.md", 10, 20.0, None, moved))
        assert store.get_documents([everest.document.id])[everest.document.id].sections == moved
        assert store.documents([everest.document.id])[0].sections == moved
        # sections not given: none recorded
        store.set_source(Relocation(everest.document.id, "/docs/moved.pdf", 10, 20.0, [0, 30]))
        assert store.documents([everest.document.id])[0].sections is None
        assert store.documents([everest.document.id])[0].page_starts == [0, 30] and store.verify() == []

    def test_verify_finds_sections_that_cannot_be(self, store):
        everest = with_sections(make_write("everest", 3, source="/docs/everest.md"), "", "Climbers")
        store.write([everest])
        doc_id, length = everest.document.id, len(everest.document.text)
        for starts in ([30, 20], [0, length + 1], [-1]):
            sections = [Section(start=start, title=f"Heading {n}") for n, start in enumerate(starts)]
            store.set_source(Relocation(doc_id, "/docs/everest.md", 10, 20.0, None, sections))
            assert store.verify() == [f"document {doc_id}: its sections go backwards or past its text"]
        store.set_source(Relocation(doc_id, "/docs/everest.md", 10, 20.0, None, [Section(start=length, title="End")]))
        assert store.verify() == []

    def test_generation_grows_with_every_write(self, store):
        generations = [store.manifest().generation]
        store.write([make_write("eiffel", 0)])
        generations.append(store.manifest().generation)
        store.delete([make_write("eiffel", 0).document.id])
        generations.append(store.manifest().generation)
        assert generations[0] < generations[1] < generations[2]

    def test_a_failed_write_leaves_nothing_behind(self, filled):
        broken = make_write("x", 5, text="Broken vectors here. They have the wrong size.")
        broken.vectors = np.ones((2, SETTINGS.dimension + 1), dtype=np.float32)
        good = make_write("y", 6, text="A good document. It comes first in the batch.")
        with pytest.raises(StoreError):
            filled.write([good, broken])
        assert filled.manifest().document_count == 4
        assert filled.get_documents([good.document.id]) == {}
        assert filled.keyword_search("batch", 3) == []

    def test_a_second_handle_sees_committed_writes(self, filled, store_factory):
        other = store_factory()
        gasket = make_write("gasket", 1)
        assert other.dense_search(gasket.vectors[0], 1)[0][0] == gasket.passages[0].id
        fresh = make_write("fresh", 11, text="Newly written passage about zebras. Zebras have stripes.")
        filled.write([fresh])
        assert other.dense_search(fresh.vectors[1], 1)[0][0] == fresh.passages[1].id
        assert other.keyword_search("zebras", 1)[0][0] in {p.id for p in fresh.passages}
        other.delete([fresh.document.id])
        assert filled.dense_search(fresh.vectors[1], 1)[0][0] != fresh.passages[1].id
        assert filled.keyword_search("zebras", 1) == []

    def test_one_writer_at_a_time(self, store, store_factory):
        other = store_factory()
        entered = threading.Event()
        release = threading.Event()

        def hold():
            with store.writer(timeout=5):
                entered.set()
                release.wait(10)

        holder = threading.Thread(target=hold)
        holder.start()
        try:
            assert entered.wait(5)
            began = time.monotonic()
            with pytest.raises(StoreBusy, match="busy"):
                with other.writer(timeout=0.5):
                    pass
            assert time.monotonic() - began >= 0.4
        finally:
            release.set()
            holder.join()
        with other.writer(timeout=2):
            other.write([make_write("eiffel", 0)])
        assert store.manifest().document_count == 1

    def test_a_read_only_store_answers_but_refuses_writes(self, filled, store_factory):
        reader = store_factory(read_only=True)
        gasket = make_write("gasket", 1)
        assert reader.dense_search(gasket.vectors[0], 1)[0][0] == gasket.passages[0].id
        with pytest.raises(StoreReadOnly, match="read-only"):
            reader.write([make_write("fresh", 11, text="Another text. With two sentences.")])
        with pytest.raises(StoreReadOnly):
            reader.delete([gasket.document.id])
        assert filled.manifest().document_count == 4

    def test_verify_finds_nothing_wrong_in_a_healthy_store(self, filled):
        assert filled.verify() == []

    def test_a_new_version_replaces_the_old_in_one_write(self, filled):
        old = make_write("gasket", 1)
        new = make_write("gasket", 21, text="The QZ-8 gasket seal lasts 800 hours. Nobody replaces it early.")
        new.replaces = [old.document.id]
        filled.write([new])
        assert old.document.id not in {d.id for d in filled.documents()}
        assert filled.get_passages([old.passages[0].id]) == {}
        assert filled.keyword_search("QZ-8", 1)[0][0] == new.passages[0].id

    def test_documents_can_be_listed_by_id(self, filled):
        wanted = [make_write("unicode", 2).document.id, make_write("eiffel", 0).document.id, "unknown"]
        assert [d.title for d in filled.documents(wanted)] == ["Eiffel", "Unicode"]

    def test_ignored_sources_are_kept_across_handles_and_clearing(self, filled, store_factory):
        assert filled.ignored() == set()
        filled.ignore(["/docs/eiffel.txt", "/docs/Zoë’s notes.md"])
        filled.ignore(["/docs/eiffel.txt"])
        other = store_factory()
        assert other.ignored() == {"/docs/eiffel.txt", "/docs/Zoë’s notes.md"}
        other.ignore(["/docs/eiffel.txt"], ignored=False)
        filled.clear()  # rebuilding with other settings keeps what the user removed
        assert filled.ignored() == {"/docs/Zoë’s notes.md"}

    def test_stored_vectors_come_back_by_passage_id(self, filled):
        gasket, unicode = make_write("gasket", 1), make_write("unicode", 2)
        wanted = [p.id for p in gasket.passages] + [unicode.passages[1].id, "missing:0"]
        found = filled.get_vectors(wanted)
        assert sorted(found) == sorted(wanted[:3])
        for passage_id, expected in [*zip(wanted[:2], gasket.vectors, strict=True), (wanted[2], unicode.vectors[1])]:
            assert found[passage_id].dtype == np.float32 and np.array_equal(found[passage_id], expected)
        assert filled.get_vectors([]) == {}

    def test_a_backup_restores_what_was_stored_when_it_was_taken(self, filled, tmp_path):
        before = stored_state(filled)
        backup = tmp_path / "backup"
        filled.backup(backup)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["backup"] + (
            ["index"] if filled.backend == "local" else []
        )
        with pytest.raises(StoreError, match=f"^{backup} exists already: remove it or choose another backup file$"):
            filled.backup(backup)
        fresh = make_write("fresh", 11, text="Newly written passage about zebras. Zebras have stripes.")
        filled.write([fresh])
        filled.delete([make_write("gasket", 1).document.id])
        generation = filled.manifest().generation
        filled.restore(backup)
        assert stored_state(filled) == before
        assert filled.manifest().generation > generation and filled.verify() == []
        assert filled.keyword_search("zebras", 3) == [] and filled.keyword_search("gasket", 1)
        eiffel = make_write("eiffel", 0)
        assert filled.dense_search(eiffel.vectors[1], 1)[0][0] == eiffel.passages[1].id
        with pytest.raises(StoreError, match=f"^no backup file {tmp_path / 'missing'}$"):
            filled.restore(tmp_path / "missing")

    def test_a_backup_taken_while_another_handle_writes_holds_whole_documents(self, store, store_factory, tmp_path):
        writer, written, count = store_factory(), threading.Event(), 40
        writes = [
            make_write("x", n, source=f"/docs/{n:02d}.txt", text=f"Report {n} opens. Report {n} ends.")
            for n in range(count)
        ]

        def write_all() -> None:
            for n, item in enumerate(writes):
                writer.write([item])
                if n == 4:
                    written.set()

        thread = threading.Thread(target=write_all)
        thread.start()
        try:
            assert written.wait(30)
            store.backup(tmp_path / "backup")
        finally:
            thread.join()
        store.restore(tmp_path / "backup")
        manifest = store.manifest()
        assert 5 <= manifest.document_count <= count and manifest.passage_count == 2 * manifest.document_count
        assert [d.source for d in store.documents()] == [f"/docs/{n:02d}.txt" for n in range(manifest.document_count)]
        assert store.verify() == []
