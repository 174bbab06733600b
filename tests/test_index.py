"""Indexing a folder into a store: incremental, resumable, pipelined, and exact offsets on Unicode text."""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from qa import index as indexing
from qa.documents import ocr
from qa.documents.chunking import Chunker, tokenizer_counter
from qa.documents.loading import MAY_HOLD_SCANS, READ_BY, document_id, load_document
from qa.index import Indexer, stale_formats
from qa.models import Document, Passage
from qa.store.protocol import DocumentWrite, StoredDocument, StoreError, open_store
from qa.store.rules import keyword_tokens
from qa.testing.store import stored_state
from qa.testing.tesseract import FakeTesseract
from qa.validation import FolderError

ALPHA = "Alpha is a small village in the mountains. It has a bakery and a church. The river runs past it."
BETA = "Beta Corporation builds bridges. Its headquarters are in Oslo. It was founded in 1950."
GAMMA = "Gamma rays are energetic photons. They come from radioactive decay — Zoë’s café measures them."


@pytest.fixture
def folder(tmp_path):
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "alpha.txt").write_text(ALPHA, encoding="utf-8")
    (documents / "beta.txt").write_text(BETA, encoding="utf-8")
    return documents


@pytest.fixture
def indexer(tmp_path, embedder):
    store = open_store("local", str(tmp_path / "index"))
    yield Indexer(store, embedder, 200, 1)
    store.close()


def test_a_folder_is_indexed_with_exact_offsets(indexer, folder, embedder):
    (folder / "gamma.md").write_text(GAMMA, encoding="utf-8")
    report = indexer.sync_folder(folder, 10**6, progress=False)
    assert sorted(report.added) == sorted(document_id(t) for t in (ALPHA, BETA, GAMMA))
    assert report.embedded_passages == indexer.store.manifest().passage_count >= 3
    for stored in indexer.store.documents():
        document = indexer.store.get_documents([stored.id])[stored.id]
        passages = indexer.store.get_passages([f"{stored.id}:{i}" for i in range(stored.passage_count)])
        assert len(passages) == stored.passage_count
        for passage in passages.values():
            assert document.text[passage.start : passage.end] == passage.text
    found = indexer.store.dense_search(embedder.embed(["Where is the bridge company based?"])[0], 1)
    assert found[0][0].startswith(document_id(BETA))


def test_unchanged_files_are_not_read_again(indexer, folder, monkeypatch):
    indexer.sync_folder(folder, 10**6, progress=False)
    read = []
    monkeypatch.setattr(indexing, "load_document", lambda path, *a: read.append(path))
    report = indexer.sync_folder(folder, 10**6, progress=False)
    assert read == [] and sorted(report.reused) == sorted(document_id(t) for t in (ALPHA, BETA))
    assert not report.changed and report.embedded_passages == 0


def test_changed_renamed_and_removed_files(indexer, folder):
    indexer.sync_folder(folder, 10**6, progress=False)
    (folder / "alpha.txt").write_text(ALPHA + " A new sentence about the ferry.", encoding="utf-8")
    (folder / "beta.txt").rename(folder / "beta-renamed.txt")
    report = indexer.sync_folder(folder, 10**6, progress=False)
    assert report.added == [document_id(ALPHA + " A new sentence about the ferry.")]
    assert report.removed == [document_id(ALPHA)]
    assert report.reused == [document_id(BETA)] and report.embedded_passages == 1
    sources = {d.id: d.source for d in indexer.store.documents()}
    assert sources == {document_id(BETA): str(folder / "beta-renamed.txt"), report.added[0]: str(folder / "alpha.txt")}
    (folder / "alpha.txt").unlink()
    report = indexer.sync_folder(folder, 10**6, progress=False)
    assert report.removed == [document_id(ALPHA + " A new sentence about the ferry.")]
    assert [d.id for d in indexer.store.documents()] == [document_id(BETA)]


def test_a_duplicate_file_is_skipped_with_its_twin_named(indexer, folder):
    (folder / "copy.txt").write_text(BETA, encoding="utf-8")
    report = indexer.sync_folder(folder, 10**6, progress=False)
    assert [(f.source, f.reason) for f in report.failures] == [(str(folder / "copy.txt"), "same text as beta.txt")]


def test_changed_settings_rebuild_everything(tmp_path, folder, embedder, indexer):
    indexer.sync_folder(folder, 10**6, progress=False)
    report = Indexer(indexer.store, embedder, 100, 1).sync_folder(folder, 10**6, progress=False)
    assert report.rebuilt and len(report.added) == 2 and not report.reused
    assert indexer.store.manifest().settings.chunk_tokens == 100


def test_an_interrupted_run_keeps_what_it_committed(indexer, folder, monkeypatch):
    for number in range(6):
        (folder / f"extra-{number}.txt").write_text(
            f"Extra document number {number} tells about topic {number}.", encoding="utf-8"
        )
    monkeypatch.setattr(indexing, "COMMIT_PASSAGES", 2)
    writes = []
    original = indexer.store.write

    def write_then_crash(items):
        original(items)
        writes.append(items)
        if len(writes) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(indexer.store, "write", write_then_crash)
    with pytest.raises(KeyboardInterrupt):
        indexer.sync_folder(folder, 10**6, progress=False)
    kept = {d.id for d in indexer.store.documents()}
    assert len(kept) == 4 and kept == {item.document.id for batch in writes for item in batch}
    monkeypatch.setattr(indexer.store, "write", original)
    report = indexer.sync_folder(folder, 10**6, progress=False)
    assert len(report.added) == 4 and sorted(report.reused) == sorted(kept)
    assert indexer.store.manifest().document_count == 8


def test_passages_fit_what_the_model_reads(indexer, embedder):
    long_text = " ".join(f"Paragraph sentence {i} describes item {i} in some detail." for i in range(200))
    indexer.sync_documents(
        [Document(id=document_id(long_text), title="long", source="long", text=long_text)], progress=False
    )
    passages = indexer.store.get_passages([f"{document_id(long_text)}:{i}" for i in range(100)])
    counts = [len(embedder.tokenizer(p.text)["input_ids"]) for p in passages.values()]
    assert len(counts) > 5 and max(counts) <= embedder.model.max_seq_length


def test_a_stored_document_is_stale_once_its_file_changes_or_goes(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("hello", encoding="utf-8")
    stat = path.stat()
    stored = StoredDocument(
        id="x", title="a", source=str(path), content_hash="x", size=stat.st_size, mtime=stat.st_mtime, passage_count=1
    )
    assert not indexing.stored_changed(stored)
    os.utime(path, (stat.st_atime, stat.st_mtime + 5))
    assert indexing.stored_changed(stored)
    path.unlink()
    assert indexing.stored_changed(stored)


def test_a_missing_folder_is_an_error_not_an_empty_folder(indexer, folder):
    import shutil

    indexer.sync_folder(folder, 10**6, progress=False)
    shutil.rmtree(folder)  # an unplugged drive, a typo: the index must not be emptied
    with pytest.raises(FolderError) as raised:
        indexer.sync_folder(folder, 10**6, progress=False)
    assert str(raised.value) == f"{folder} is missing but its collection holds 2 documents; pass --prune to remove them"
    assert indexer.store.manifest().document_count == 2
    assert len(indexer.sync_folder(folder, 10**6, progress=False, prune=True).removed) == 2
    assert indexer.store.manifest().document_count == 0
    with pytest.raises(FileNotFoundError, match="documents folder not found"):
        indexer.sync_folder(folder, 10**6, progress=False)


def test_an_interrupted_long_document_goes_on_where_it_stopped(indexer, folder, embedder, monkeypatch, tmp_path):
    long_text = " ".join(f"Sentence {i} says that the crate numbered {i} holds {i * 3} apples." for i in range(200))
    (folder / "long.txt").write_text(long_text, encoding="utf-8")
    monkeypatch.setattr(indexing, "COMMIT_PASSAGES", 2)
    indexer.checkpoints = tmp_path / "checkpoints"
    embedded: list[int] = []

    class Interrupted:
        """The real embedder, stopped by Ctrl-C at its third call."""

        dimension, max_tokens, tokenizer, model_name, runtime = (
            embedder.dimension,
            embedder.max_tokens,
            embedder.tokenizer,
            embedder.model_name,
            embedder.runtime,
        )

        def embed(self, texts, **options):
            if len(embedded) == 2:
                raise KeyboardInterrupt
            embedded.append(len(texts))
            return embedder.embed(texts, **options)

    indexer.prepare()
    indexer.embedder = Interrupted()
    with pytest.raises(KeyboardInterrupt):
        indexer.write([indexing.Pending(load_document(folder / "long.txt"))], indexing.UpdateReport(), False)
    [checkpoint] = (tmp_path / "checkpoints").glob(f"{document_id(long_text)}.*.f32")
    assert checkpoint.stat().st_size == 4 * embedder.dimension * 4  # two slices of two passages kept
    with open(checkpoint, "ab") as handle:
        handle.write(b"\x00" * 100)  # half a row, as a crash mid-write leaves it
    indexer.embedder = embedder
    calls = []
    monkeypatch.setattr(
        embedder, "embed", lambda texts, **o: calls.append(len(texts)) or type(embedder).embed(embedder, texts, **o)
    )
    report = indexer.sync_folder(folder, 10**6, progress=False)
    total = next(d.passage_count for d in indexer.store.documents() if d.id == document_id(long_text))
    assert sum(calls) == total - 4 + 2  # the long document's other passages, and the two short files
    assert not checkpoint.exists() and report.embedded_passages == total + 2
    passages = indexer.store.get_passages([f"{document_id(long_text)}:{i}" for i in range(total)])
    fresh = type(embedder).embed(embedder, [passages[f"{document_id(long_text)}:{i}"].text for i in range(total)])
    for i in range(total):
        found = indexer.store.dense_search(fresh[i], 1)[0]
        assert found[0] == f"{document_id(long_text)}:{i}" and found[1] > 0.999


def write_reports(folder: Path, count: int) -> list[Path]:
    """``count`` files of one to four sentences each (one to four passages of 32 tokens)."""
    paths = []
    for n in range(count):
        text = " ".join(
            f"Report {n} line {k} says that pier {n} of the harbour counted {n * 7 + k} crates of pears on day {k}."
            for k in range(1 + n % 4)
        )
        paths.append(folder / f"report-{n:02d}.txt")
        paths[-1].write_text(text, encoding="utf-8")
    return paths


class Watched:
    """A store that calls ``before(n)`` ahead of its n-th write (raising there fails that write) and records the
    documents of each write it committed."""

    def __init__(self, store, before: Callable[[int], None]):
        self.inner = store
        self._before = before
        self.committed: list[list[str]] = []

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def write(self, items: list[DocumentWrite]) -> None:
        self._before(len(self.committed) + 1)
        self.inner.write(items)
        self.committed.append([item.document.id for item in items])


def contents(store) -> tuple[dict, dict, dict[str, np.ndarray]]:
    """Every stored document (id: source, size, mtime, passage count), passage (id: document, offsets, text) and
    vector, read back from a local store."""
    documents = {d.id: (d.source, d.size, d.mtime, d.passage_count) for d in store.documents()}
    ids = [f"{doc_id}:{i}" for doc_id, (*_, count) in documents.items() for i in range(count)]
    passages = {i: (p.document_id, p.start, p.end, p.text) for i, p in store.get_passages(ids).items()}
    db = sqlite3.connect(f"file:{store.path}?mode=ro", uri=True)
    try:
        vectors = {i: np.frombuffer(blob, np.float32) for i, blob in db.execute("SELECT id, vector FROM passages")}
    finally:
        db.close()
    return documents, passages, vectors


def assert_same_vectors(found: dict[str, np.ndarray], expected: dict[str, np.ndarray]) -> None:
    assert sorted(found) == sorted(expected)
    for passage_id, vector in expected.items():
        assert np.allclose(found[passage_id], vector, atol=1e-4), passage_id


def no_pipeline_threads() -> bool:
    return not [t for t in threading.enumerate() if t.name.startswith("qa-index")]


def test_the_pipeline_stores_each_document_as_chunked_and_embedded_alone(tmp_path, folder, embedder, monkeypatch):
    """Many batches in flight at once (two passages each, long documents alone and checkpointed), and every document
    holds the passages and vectors it has when chunked and embedded by itself."""
    paths = write_reports(folder, 24)
    monkeypatch.setattr(indexing, "COMMIT_PASSAGES", 2)
    store = open_store("local", str(tmp_path / "index"))
    indexer = Indexer(store, embedder, 32, 1, checkpoints=tmp_path / "checkpoints")
    report = indexer.sync_folder(folder, 10**6, progress=False)
    chunker = Chunker(tokenizer_counter(embedder.tokenizer), 32, 1)
    documents, passages, vectors = {}, {}, {}
    for path in sorted([*paths, folder / "alpha.txt", folder / "beta.txt"]):
        document = load_document(path, 10**6)
        chunks = chunker.chunk(document)
        stat = path.stat()
        documents[document.id] = (str(path), stat.st_size, stat.st_mtime, len(chunks))
        passages |= {p.id: (p.document_id, p.start, p.end, p.text) for p in chunks}
        vectors |= dict(zip([p.id for p in chunks], embedder.embed([p.text for p in chunks]), strict=True))
    assert max(count for *_, count in documents.values()) > 2  # some documents are batches alone
    found_documents, found_passages, found_vectors = contents(store)
    assert found_documents == documents and found_passages == passages
    assert_same_vectors(found_vectors, vectors)
    assert sorted(report.added) == sorted(documents) and report.embedded_passages == len(passages)
    assert not list((tmp_path / "checkpoints").glob("*")) and no_pipeline_threads()
    store.close()


def test_a_store_error_while_committing_stops_indexing_and_keeps_the_batches_before(
    tmp_path, folder, embedder, monkeypatch
):
    write_reports(folder, 12)
    monkeypatch.setattr(indexing, "COMMIT_PASSAGES", 2)

    def fail_third(number: int) -> None:
        if number == 3:
            raise StoreError("the disk is full")

    store = Watched(open_store("local", str(tmp_path / "index")), fail_third)
    with pytest.raises(StoreError, match="^the disk is full$"):
        Indexer(store, embedder, 32, 1).sync_folder(folder, 10**6, progress=False)
    assert len(store.committed) == 2 and no_pipeline_threads()
    assert sorted(d.id for d in store.documents()) == sorted(i for batch in store.committed for i in batch)
    assert store.verify() == []
    store.close()


def test_an_embedding_error_stops_indexing_and_keeps_the_batches_before(tmp_path, folder, embedder, monkeypatch):
    write_reports(folder, 12)
    monkeypatch.setattr(indexing, "COMMIT_PASSAGES", 2)

    class Failing:
        """The real embedder, failing at its fourth call."""

        def __init__(self):
            self.calls = 0

        def __getattr__(self, name):
            return getattr(embedder, name)

        def embed(self, texts, **options):
            self.calls += 1
            if self.calls == 4:
                raise RuntimeError("out of memory")
            return embedder.embed(texts, **options)

    store = Watched(open_store("local", str(tmp_path / "index")), lambda number: None)
    with pytest.raises(RuntimeError, match="^out of memory$"):
        Indexer(store, Failing(), 32, 1).sync_folder(folder, 10**6, progress=False)
    assert len(store.committed) == 3 and no_pipeline_threads()
    assert sorted(d.id for d in store.documents()) == sorted(i for batch in store.committed for i in batch)
    store.close()


def test_an_interrupted_run_then_another_equals_one_run(tmp_path, folder, embedder, monkeypatch):
    write_reports(folder, 16)
    monkeypatch.setattr(indexing, "COMMIT_PASSAGES", 2)
    whole = open_store("local", str(tmp_path / "whole"))
    Indexer(whole, embedder, 32, 1).sync_folder(folder, 10**6, progress=False)

    def interrupt_fourth(number: int) -> None:
        if number == 4:
            raise KeyboardInterrupt

    store = Watched(open_store("local", str(tmp_path / "index")), interrupt_fourth)
    with pytest.raises(KeyboardInterrupt):
        Indexer(store, embedder, 32, 1).sync_folder(folder, 10**6, progress=False)
    committed = sorted(i for batch in store.committed for i in batch)
    assert len(store.committed) == 3 and sorted(d.id for d in store.documents()) == committed
    report = Indexer(store.inner, embedder, 32, 1).sync_folder(folder, 10**6, progress=False)
    assert sorted(report.reused) == committed and len(report.added) == 18 - len(committed)
    *found, found_vectors = contents(store)
    *expected, expected_vectors = contents(whole)
    assert found == expected
    assert_same_vectors(found_vectors, expected_vectors)
    whole.close()
    store.close()


def test_files_are_read_while_earlier_ones_are_committed(tmp_path, folder, embedder, monkeypatch):
    """Loading runs a few batches ahead of committing, not through the whole folder first: a file removed when the
    first batch is committed is reported as gone, not indexed."""
    paths = write_reports(folder, 30)
    monkeypatch.setattr(indexing, "COMMIT_PASSAGES", 2)

    def remove_last(number: int) -> None:
        if number == 1:
            paths[-1].unlink()

    store = Watched(open_store("local", str(tmp_path / "index")), remove_last)
    report = Indexer(store, embedder, 32, 1).sync_folder(folder, 10**6, progress=False)
    assert [(f.source, f.reason) for f in report.failures] == [
        (str(paths[-1]), "cannot read it (No such file or directory)")
    ]
    assert store.manifest().document_count == 31 == len(report.added)
    store.close()


class WordEmbedder:
    """No model: a word is a token and a passage's vector comes from its hash; texts are embedded ``batch_size`` at a
    time like ``Embedder.embed``, ``before(call, texts)`` runs ahead of each batch, and their sizes are recorded."""

    model_name, dimension, max_tokens = "words", 8, 510

    def __init__(self, before: Callable[[int, list[str]], None] = lambda call, texts: None):
        self._before = before
        self.calls: list[int] = []

    @staticmethod
    def tokenizer(texts: list[str], **options) -> dict[str, list[list[str]]]:
        return {"input_ids": [text.split() for text in texts]}

    def embed(self, texts: list[str], progress=False, batch_size=None, between_batches=None) -> np.ndarray:
        size = batch_size or len(texts) or 1
        parts = [np.zeros((0, self.dimension), dtype=np.float32)]
        for start in range(0, len(texts), size):
            if between_batches is not None:
                between_batches()
            chunk = texts[start : start + size]
            self._before(len(self.calls) + 1, chunk)
            self.calls.append(len(chunk))
            vectors = np.array([np.random.default_rng(abs(hash(t))).normal(size=self.dimension) for t in chunk])
            parts.append((vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32))
        return np.vstack(parts)


def test_ctrl_c_stops_the_embedding_under_way_after_one_forward_pass(tmp_path):
    """Interrupted when the first batch is committed, while the second one is being embedded: the second one's
    embedding stops after the forward pass under way, not at the end of its batch, and no thread is left."""
    folder = tmp_path / "logs"
    folder.mkdir()
    for n in range(64):  # 8 passages each: 32 files to a batch
        (folder / f"log-{n:02d}.txt").write_text(
            " ".join(f"Entry {k} of log {n} tells what the crew of boat {n} did on day {k}." for k in range(8)),
            encoding="utf-8",
        )
    embedding, interrupted = threading.Event(), threading.Event()

    def held_at_the_second_batch(call: int, texts: list[str]) -> None:
        if call == indexing.COMMIT_PASSAGES // indexing.EMBED_BATCH + 1:
            embedding.set()
            assert interrupted.wait(30)
            time.sleep(0.1)  # for the interruption to reach the pipeline

    def interrupt(number: int) -> None:
        assert embedding.wait(30)
        interrupted.set()
        raise KeyboardInterrupt

    embedder = WordEmbedder(held_at_the_second_batch)
    store = Watched(open_store("local", str(tmp_path / "index")), interrupt)
    with pytest.raises(KeyboardInterrupt):
        Indexer(store, embedder, 20, 0).sync_folder(folder, 10**6, progress=False)
    first = indexing.COMMIT_PASSAGES // indexing.EMBED_BATCH
    assert embedder.calls == [indexing.EMBED_BATCH] * (first + 1) and no_pipeline_threads()
    assert store.manifest().document_count == 0
    store.close()


def test_the_progress_bar_counts_passages_per_second(indexer, folder, capsys):
    report = indexer.sync_folder(folder, 10**6, progress=True)
    shown = capsys.readouterr().err.splitlines()[-1]
    assert f"indexing: {report.embedded_passages} passages [" in shown and " passages/s, documents=2]" in shown


def written_before(backend: str, location: str, column: str) -> None:
    """Make a store look as one written before documents recorded ``column`` (page_starts, sections): without it
    (and, in the local store, with the schema version of then)."""
    if backend == "local":
        import sqlite3

        from qa.store.local.store import ADDED_COLUMNS, DATABASE_FILE, PREVIOUS_SCHEMAS

        with sqlite3.connect(Path(location) / DATABASE_FILE) as db:
            db.execute(f"ALTER TABLE documents DROP COLUMN {column}")
            version = PREVIOUS_SCHEMAS[ADDED_COLUMNS.index(column)]
            db.execute("UPDATE meta SET value = ? WHERE key = 'schema'", (version,))
        db.close()
    else:
        import psycopg

        with psycopg.connect(location, autocommit=True) as db:
            db.execute(f"ALTER TABLE documents DROP COLUMN {column}")


@pytest.mark.parametrize("backend", ["local", "postgres"])
def test_a_store_written_before_pages_gets_them_in_place_on_the_next_sync(
    backend, tmp_path, folder, embedder, write_pdf, request, monkeypatch
):
    location = str(tmp_path / "index") if backend == "local" else request.getfixturevalue("postgres_database")
    pdf = write_pdf(folder / "report.pdf", [["Page one of the report."], [], ["Page three tells of the ferry."]])
    store = open_store(backend, location)
    Indexer(store, embedder, 200, 1).sync_folder(folder, 10**6, progress=False)
    passages = store.manifest().passage_count
    store.close()
    written_before(backend, location, "page_starts")

    reader = open_store(backend, location, read_only=True)  # an older store reads as it is, without pages
    assert {d.source: d.page_starts for d in reader.documents()}[str(pdf)] is None
    reader.close()
    store = open_store(backend, location)  # migrated in place: nothing set aside, every passage kept
    assert store.manifest().passage_count == passages
    read = []

    def load(path, *args):
        read.append(path.name)
        return load_document(path, *args)

    monkeypatch.setattr(indexing, "load_document", load)
    report = Indexer(store, embedder, 200, 1).sync_folder(folder, 10**6, progress=False)
    assert read == ["report.pdf"]  # only the PDF is read again, and not embedded
    assert report.embedded_passages == 0 and not report.changed and len(report.reused) == 3
    pages = load_document(pdf).page_starts
    assert pages == [0, 25, 25]
    assert {d.source: d.page_starts for d in store.documents()}[str(pdf)] == pages
    assert store.get_documents([document_id(load_document(pdf).text)]).popitem()[1].page_starts == pages
    assert store.manifest().passage_count == passages and store.verify() == []
    Indexer(store, embedder, 200, 1).sync_folder(folder, 10**6, progress=False)
    assert read == ["report.pdf"]  # once
    store.close()


@pytest.mark.parametrize("backend", ["local", "postgres"])
def test_files_with_headings_indexed_before_sections_are_read_again_for_them_once(
    backend, tmp_path, folder, embedder, request, monkeypatch
):
    location = str(tmp_path / "index") if backend == "local" else request.getfixturevalue("postgres_database")
    (folder / "notes.md").write_text("# Ferry notes\n\nThe ferry leaves at noon.\n\n## Winter\n\nIt stops.\n")
    (folder / "plain.html").write_text("<p>No heading here, only a line about the ferry.</p>", encoding="utf-8")
    store = open_store(backend, location)
    Indexer(store, embedder, 200, 1).sync_folder(folder, 10**6, progress=False)
    passages = store.manifest().passage_count
    store.close()
    written_before(backend, location, "sections")

    reader = open_store(backend, location, read_only=True)  # an older store reads as it is, without sections
    assert [d.sections for d in reader.documents()] == [None] * 4
    reader.close()
    store = open_store(backend, location)
    read = []

    def load(path, *args):
        read.append(path.name)
        return load_document(path, *args)

    monkeypatch.setattr(indexing, "load_document", load)
    for _ in range(2):
        report = Indexer(store, embedder, 200, 1).sync_folder(folder, 10**6, progress=False)
        assert sorted(read) == ["alpha.txt", "beta.txt", "notes.md", "plain.html"]  # each once (text has headings)
        assert report.embedded_passages == 0 and not report.changed and len(report.reused) == 4
    sections = {Path(d.source).name: d.sections for d in store.documents()}
    notes = indexing.with_sections_looked_for(load_document(folder / "notes.md")).sections
    assert sections == {"alpha.txt": [], "beta.txt": [], "notes.md": notes, "plain.html": []}
    assert store.manifest().passage_count == passages and store.verify() == []
    store.close()


def test_a_document_over_the_passage_cap_is_skipped_and_the_files_after_it_indexed(tmp_path, folder, embedder):
    long_text = " ".join(f"Sentence {i} says that the crate numbered {i} holds {i * 3} apples." for i in range(200))
    (folder / "alpha.txt").write_text(long_text, encoding="utf-8")  # read before beta.txt
    store = open_store("local", str(tmp_path / "index"))
    capped = Indexer(store, embedder, 32, 0, max_document_passages=50)
    count = len(Chunker(tokenizer_counter(embedder.tokenizer), 32, 0).chunk(load_document(folder / "alpha.txt")))
    report = capped.sync_folder(folder, 10**6, progress=False)
    assert count > 50 and report.added == [document_id(BETA)]
    reason = f"too many passages ({count:,}; the limit is 50, QA_MAX_DOCUMENT_PASSAGES)"
    assert [(f.source, f.reason) for f in report.failures] == [(str(folder / "alpha.txt"), reason)]
    assert [d.id for d in store.documents()] == [document_id(BETA)]
    short = Document(id=document_id(ALPHA), title="alpha", source="alpha", text=ALPHA)
    long = Document(id=document_id(long_text), title="long", source="long", text=long_text)
    report = capped.sync_documents([long, short], progress=False)
    assert report.added == [short.id] and [(f.source, f.reason) for f in report.failures] == [("long", reason)]
    store.close()


def test_a_changed_file_over_the_passage_cap_leaves_the_index_without_it(tmp_path, folder, embedder):
    store = open_store("local", str(tmp_path / "index"))
    capped = Indexer(store, embedder, 32, 0, max_document_passages=50)
    capped.sync_folder(folder, 10**6, progress=False)
    long_text = " ".join(f"Sentence {i} says that the crate numbered {i} holds {i * 3} apples." for i in range(200))
    (folder / "alpha.txt").write_text(long_text, encoding="utf-8")
    report = capped.sync_folder(folder, 10**6, progress=False)
    assert report.removed == [document_id(ALPHA)] and not report.added
    assert [d.id for d in store.documents()] == [document_id(BETA)]  # as for a file that cannot be read any more
    store.close()


def test_a_long_document_resumed_with_another_chunk_size_is_embedded_anew(
    indexer, folder, embedder, monkeypatch, tmp_path
):
    long_text = " ".join(f"Sentence {i} says that the crate numbered {i} holds {i * 3} apples." for i in range(200))
    (folder / "long.txt").write_text(long_text, encoding="utf-8")
    monkeypatch.setattr(indexing, "COMMIT_PASSAGES", 2)
    indexer.checkpoints = tmp_path / "checkpoints"
    calls: list[int] = []

    def stopped_at_the_third_call(texts, **options):
        if len(calls) == 2:
            raise KeyboardInterrupt
        calls.append(len(texts))
        return type(embedder).embed(embedder, texts, **options)

    monkeypatch.setattr(embedder, "embed", stopped_at_the_third_call)
    indexer.prepare()
    with pytest.raises(KeyboardInterrupt):
        indexer.write([indexing.Pending(load_document(folder / "long.txt"))], indexing.UpdateReport(), False)
    assert len(list(indexer.checkpoints.glob("*.f32"))) == 1  # two slices kept, made with 200-token passages
    calls.append(0)  # no more Ctrl-C
    indexer.chunk_tokens = 100
    report = indexer.sync_folder(folder, 10**6, progress=False)
    long_id = document_id(long_text)
    total = next(d.passage_count for d in indexer.store.documents() if d.id == long_id)
    ids = [f"{long_id}:{n}" for n in range(total)]
    passages, stored = indexer.store.get_passages(ids), indexer.store.get_vectors(ids)
    fresh = type(embedder).embed(embedder, [passages[i].text for i in ids])
    # the store held no document yet, so it took the new settings (qa.store.rules): nothing to rebuild
    assert not report.rebuilt and report.embedded_passages == total + 2
    assert [i for i, vector in zip(ids, fresh, strict=True) if float(vector @ stored[i]) < 0.999] == []
    assert list(indexer.checkpoints.glob("*.f32")) == []


def test_a_checkpoint_is_named_by_everything_that_shapes_its_vectors(tmp_path):
    class Shape:
        """What an Indexer reads of its embedder to name a checkpoint."""

        def __init__(self, model_name: str = "", runtime: tuple[str, str] = ("torch", "fp32")):
            self.model_name, self.runtime, self.dimension, self.max_tokens = model_name, runtime, 384, 254

    def name(embedder=None, chunk_tokens=200, texts=("Alpha is small.", "It has a bakery."), text=ALPHA) -> str:
        document = Document(id=document_id(text), title="t", source="t.txt", text=text)
        return Indexer(None, embedder or Shape(), chunk_tokens, 1)._checkpoint(tmp_path, document, list(texts)).name

    names = [
        name(),
        name(Shape(model_name="another-model")),
        name(Shape(runtime=("onnx", "int8"))),
        name(chunk_tokens=100),
        name(texts=("Alpha is small. It has a bakery.",)),
        name(text=BETA),
    ]
    assert len(set(names)) == len(names) and name() == names[0]
    assert names[0].startswith(f"{document_id(ALPHA)}.") and names[0].endswith(".f32")


def test_the_verify_sample_is_spread_over_all_the_passages():
    def stored(name: str, passages: int) -> StoredDocument:
        return StoredDocument(
            id=name, title=name, source=name, content_hash=name, size=1, mtime=0, passage_count=passages
        )

    spread = ["b:5", "c:9", "c:23", "c:37", "c:51", "c:65", "c:79", "c:93"]  # every 111/8 passages
    assert indexing.sampled_passages([stored("a", 1), stored("b", 10), stored("c", 100)], 8) == spread
    assert indexing.sampled_passages([stored("a", 2), stored("b", 1)], 32) == ["a:0", "a:1", "b:0"]
    long = indexing.sampled_passages([stored("long", 2356)], 32)  # its first slice: a checkpoint's reused rows
    assert len(long) == 32 and [i for i in long if int(i.split(":")[1]) < 256] == ["long:36", "long:110", "long:184"]
    assert indexing.sampled_passages([], 32) == []


def test_verify_finds_vectors_that_are_not_the_models_and_repair_re_embeds_them(tmp_path, folder, embedder):
    from qa.pipeline import QA

    sentences = [  # each a passage of its own at 32 tokens
        "Beta Corporation builds steel suspension bridges across the wide northern fjords of western Norway.",
        "Its headquarters stand in an old brick warehouse beside the harbour of Oslo, near the ferry terminal.",
        "It was founded in 1950 by three engineers who had worked together on the mountain railway tunnels.",
        "Gamma rays are the most energetic photons, far beyond the ultraviolet light that reaches the ground.",
        "They come from radioactive decay in rocks, and Zoë’s café in Kraków keeps a counter to measure them.",
    ]
    (folder / "beta.txt").write_text(" ".join(sentences[:3]), encoding="utf-8")
    (folder / "gamma.md").write_text(" ".join(sentences[3:]), encoding="utf-8")
    engine = QA(
        documents_dir=folder,
        index_dir=tmp_path / "index",
        embedder=embedder,
        index_embedder=embedder,
        chunk_tokens=32,
        chunk_overlap_sentences=0,
    )
    engine.refresh_index(progress=False)
    assert engine.verify() == []
    store = engine.store
    beta, gamma = store.documents([document_id(" ".join(sentences[:3])), document_id(" ".join(sentences[3:]))])

    def rewritten(document: StoredDocument, vectors: Callable[[np.ndarray], np.ndarray]) -> DocumentWrite:
        ids = [f"{document.id}:{n}" for n in range(document.passage_count)]
        passages, stored = store.get_passages(ids), store.get_vectors(ids)
        text = store.get_documents([document.id])[document.id]
        return DocumentWrite(text, [passages[i] for i in ids], vectors(np.stack([stored[i] for i in ids])))

    def another_model(vectors: np.ndarray) -> np.ndarray:
        other = np.random.default_rng(0).normal(size=vectors.shape).astype(np.float32)
        return other / np.linalg.norm(other, axis=1, keepdims=True)

    store.write([rewritten(beta, lambda v: np.roll(v, 1, axis=0)), rewritten(gamma, another_model)])
    assert (beta.passage_count, gamma.passage_count) == (3, 2)
    assert engine.verify() == [
        f"document {beta.id} ({folder / 'beta.txt'}): 3 of 3 sampled vectors do not match the embedding model; "
        "'qa index --repair' re-embeds it",
        f"document {gamma.id} ({folder / 'gamma.md'}): 2 of 2 sampled vectors do not match the embedding model; "
        "'qa index --repair' re-embeds it",
    ]
    assert engine.repair()[-1] == (
        "dropped 2 documents whose vectors do not match the embedding model; indexing the folder embeds them again"
    )
    assert sorted(engine.refresh_index(progress=False).added) == sorted([beta.id, gamma.id])
    assert engine.verify() == []


def test_files_of_a_format_read_better_now_are_read_again_at_the_next_sync(indexer, folder, monkeypatch):
    indexer.sync_folder(folder, 10**6, progress=False)
    assert indexer.store.manifest().settings.read_by == dict(READ_BY)  # a whole sync records what read the files
    older = indexer.store_settings().model_copy(update={"read_by": {**READ_BY, ".txt": 0}})
    assert indexer.store.bind(older)  # as if an older loader of .txt files had read them
    read: list[str] = []

    def better_loader(path, *args):  # the loader of now reads beta.txt better, alpha.txt as before
        document = load_document(path, *args)
        read.append(Path(path).name)
        if Path(path).name != "beta.txt":
            return document
        text = document.text + " Zoë"
        return document.model_copy(update={"text": text, "id": document_id(text)})

    monkeypatch.setattr(indexing, "load_document", better_loader)
    report = indexer.sync_folder(folder, 10**6, progress=False)
    assert sorted(read) == ["alpha.txt", "beta.txt"]
    assert report.reused == [document_id(ALPHA)] and report.removed == [document_id(BETA)]
    assert indexer.store.manifest().settings.read_by == dict(READ_BY)
    read.clear()
    assert not indexer.sync_folder(folder, 10**6, progress=False).changed and read == []  # recorded: not read again


def test_a_new_title_of_a_file_whose_text_is_the_same_is_recorded_without_embedding(indexer, folder):
    page = folder / "travel.html"
    page.write_text("<title>Travel</title><p>Book through Wayfarer, Zoë.</p>", encoding="utf-8")
    indexer.sync_folder(folder, 10**6, progress=False)
    page.write_text("<title>Travel policy, 2025</title><p>Book through Wayfarer, Zoë.</p>", encoding="utf-8")
    os.utime(page, (time.time() + 5, time.time() + 5))
    report = indexer.sync_folder(folder, 10**6, progress=False)
    assert not report.changed and report.embedded_passages == 0
    (stored,) = [d for d in indexer.store.documents() if d.source.endswith("travel.html")]
    assert stored.title == "Travel policy, 2025"


def test_a_file_edited_while_its_folder_is_named_another_way_is_replaced_not_reported_deleted(
    indexer, folder, monkeypatch
):
    monkeypatch.chdir(folder.parent)
    indexer.sync_folder(Path(folder.name), 10**6, progress=False)  # "documents", relative
    (folder / "beta.txt").write_text(BETA + " Zoë added this.", encoding="utf-8")
    report = indexer.sync_folder(folder.resolve(), 10**6, progress=False)  # the same folder, absolute
    assert report.removed == [document_id(BETA)] and report.removed_sources == [] and len(report.added) == 1
    assert sorted(d.source for d in indexer.store.documents()) == [
        str(folder.resolve() / "alpha.txt"),
        str(folder.resolve() / "beta.txt"),
    ]  # recorded as named now


def test_the_formats_read_again_are_those_whose_loader_is_newer_than_the_one_recorded(indexer):
    settings = indexer.store_settings()
    assert stale_formats(None) == stale_formats(settings) == {s for s, version in READ_BY.items() if version > 1}
    assert {".html", ".txt"} <= stale_formats(settings)  # an index from before their loaders' last change
    assert stale_formats(settings.model_copy(update={"read_by": dict(READ_BY)})) == set()
    assert stale_formats(settings.model_copy(update={"read_by": {**READ_BY, ".pdf": 1}})) == {".pdf"}


def test_the_formats_that_may_hold_scans_are_read_again_when_ocr_reads_them_otherwise_than_recorded(indexer):
    read = indexer.store_settings().model_copy(update={"read_by": dict(READ_BY)})
    assert stale_formats(read, "") == set()  # no Tesseract, none recorded
    assert stale_formats(read, "eng") == set(MAY_HOLD_SCANS) >= {".pdf", ".tif", ".zip", ".eml"}  # none recorded
    english = read.model_copy(update={"ocr": "eng"})
    assert stale_formats(english, "eng") == set() and stale_formats(english, "deu+eng") == set(MAY_HOLD_SCANS)
    assert stale_formats(english, "") == set()  # Tesseract gone: what it read is kept, not read again without it
    assert stale_formats(read.model_copy(update={"ocr": ""}), "eng") == set(MAY_HOLD_SCANS)  # Tesseract came


def page_with_a_scan(path: Path, text: str, scan) -> None:
    """A PDF of a page of text and a page that is a scan's picture, as a scanner adds to a typed letter."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    pages = canvas.Canvas(str(path))
    pages.drawString(72, 720, text)
    pages.showPage()
    pages.drawImage(ImageReader(scan), 0, 0, width=595, height=842)
    pages.save()


def test_a_pdf_indexed_without_tesseract_is_read_again_once_it_reads_its_scanned_page(
    tmp_path, folder, embedder, monkeypatch
):
    from test_ocr import INVOICE, scanned_page

    page_with_a_scan(folder / "letter.pdf", "The valve was replaced on 12 February.", scanned_page(INVOICE))
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))  # no Tesseract
    store = open_store("local", str(tmp_path / "index"))
    Indexer(store, embedder, 200, 1).sync_folder(folder, 10**6, progress=False)
    typed = next(d for d in store.documents() if d.source.endswith("letter.pdf"))
    assert store.get_documents([typed.id])[typed.id].text == "The valve was replaced on 12 February."
    tesseract = FakeTesseract(tmp_path / "bin", "Invoice KH-2291, parts and labour $227.60.", ["eng", "deu", "osd"])
    monkeypatch.setenv("PATH", str(tesseract.folder))
    kept = tmp_path / "kept"
    report = Indexer(store, embedder, 200, 1, scans=ocr.Reading(kept_in=kept)).sync_folder(
        folder, 10**6, progress=False
    )
    assert report.removed == [typed.id] and len(report.added) == 1 and tesseract.pages_read() == 1
    (read,) = store.get_documents(report.added).values()
    assert read.text == "The valve was replaced on 12 February.\n\nInvoice KH-2291, parts and labour $227.60."
    assert read.page_starts == [0, 40]
    assert store.manifest().settings.ocr == "eng"
    again = Indexer(store, embedder, 200, 1, scans=ocr.Reading(kept_in=kept)).sync_folder(folder, 10**6, progress=False)
    assert not again.changed and tesseract.pages_read() == 1  # read with these languages: not read again
    german = ocr.Reading("deu+eng", kept_in=kept)
    report = Indexer(store, embedder, 200, 1, scans=german).sync_folder(folder, 10**6, progress=False)
    assert tesseract.pages_read("deu+eng") == 1 and store.manifest().settings.ocr == "deu+eng"
    assert not report.changed and report.embedded_passages == 0  # read again, the same text: nothing embedded
    store.close()


def test_a_first_sync_reads_no_format_again(indexer, folder, caplog):
    with caplog.at_level(logging.INFO, logger="qa.index"):
        indexer.sync_folder(folder, 10**6, progress=False)
    assert not [r for r in caplog.records if "again" in r.getMessage()]  # nothing was read before: no "read better"
    assert indexer.store.manifest().settings.read_by == dict(READ_BY)


def test_reread_reads_every_file_again_and_embeds_only_those_whose_text_changed(indexer, folder, monkeypatch):
    indexer.sync_folder(folder, 10**6, progress=False)
    read: list[str] = []

    def better_loader(path, *args):  # a newer loader reads beta.txt better, alpha.txt as before
        document = load_document(path, *args)
        read.append(Path(path).name)
        if Path(path).name != "beta.txt":
            return document
        text = document.text.replace("  ", " ") + " Zoë"
        return document.model_copy(update={"text": text, "id": document_id(text)})

    monkeypatch.setattr(indexing, "load_document", better_loader)
    assert not indexer.sync_folder(folder, 10**6, progress=False).changed and read == []  # unchanged: not read
    report = indexer.sync_folder(folder, 10**6, progress=False, reread=True)
    assert sorted(read) == ["alpha.txt", "beta.txt"]
    assert report.reused == [document_id(ALPHA)] and report.removed == [document_id(BETA)]
    (added,) = report.added
    stored = indexer.store.get_documents([added])[added]
    assert stored.text.endswith(" Zoë") and stored.source.endswith("beta.txt")
    assert sorted(d.id for d in indexer.store.documents()) == sorted([document_id(ALPHA), added])


def words_alone(items: list[DocumentWrite]) -> list[list[str]]:
    """Keyword tokens as stores made them before files' names counted: the passages' words alone."""
    return keyword_tokens([p.text for item in items for p in item.passages])


@pytest.mark.parametrize("backend", ["local", "postgres"])
def test_an_index_whose_keywords_lack_the_files_names_is_written_again_once_without_embedding(
    backend, tmp_path, folder, embedder, request, monkeypatch
):
    location = str(tmp_path / "index") if backend == "local" else request.getfixturevalue("postgres_database")
    (folder / "ferry_timetable.txt").write_text("Boats leave at noon and at six, Zoë.", encoding="utf-8")
    store = open_store(backend, location)
    indexer = Indexer(store, embedder, 200, 1)
    with monkeypatch.context() as before:
        before.setattr(f"qa.store.{backend}.store.written_tokens", words_alone)
        indexer.sync_folder(folder, 10**6, progress=False)
    assert store.bind(store.manifest().settings.model_copy(update={"keywords": 1}))  # as a store of then
    assert store.keyword_search("timetable", 5) == []
    state = stored_state(store)
    report = indexer.sync_folder(folder, 10**6, progress=False)
    assert report.embedded_passages == 0 and not report.changed and len(report.reused) == 3
    timetable = document_id("Boats leave at noon and at six, Zoë.")
    assert [pid for pid, _ in store.keyword_search("the ferry timetable", 5)][:1] == [f"{timetable}:0"]
    recorded = {"read_by": dict(READ_BY), "ocr": ocr.read_with(ocr.LANGUAGES)}
    assert store.manifest().settings == indexer.store_settings().model_copy(update=recorded)
    assert stored_state(store) == state and store.verify() == []  # the same documents, passages and vectors
    generation = store.manifest().generation
    indexer.sync_folder(folder, 10**6, progress=False)
    assert store.manifest().generation == generation  # once
    store.close()


def test_a_file_renamed_is_found_by_the_words_of_its_new_name_without_embedding(indexer, folder):
    (folder / "ferry_timetable.txt").write_text("Boats leave at noon and at six, Zoë.", encoding="utf-8")
    indexer.sync_folder(folder, 10**6, progress=False)
    (folder / "ferry_timetable.txt").rename(folder / "boat_schedule.txt")
    report = indexer.sync_folder(folder, 10**6, progress=False)
    assert report.embedded_passages == 0 and not report.changed
    timetable = f"{document_id('Boats leave at noon and at six, Zoë.')}:0"
    assert [pid for pid, _ in indexer.store.keyword_search("schedule", 5)] == [timetable]
    assert indexer.store.keyword_search("timetable", 5) == []
    assert indexer.store.documents([timetable.split(":")[0]])[0].source == str(folder / "boat_schedule.txt")


def test_a_document_is_written_again_as_stored_only_when_all_its_passages_and_vectors_are_there():
    text = "Boats leave at noon. They return at six, Zoë."
    document = Document(id=document_id(text), title="Ferries", source="/docs/ferry_timetable.txt", text=text)
    chunks = [
        Passage(id=f"{document.id}:{n}", document_id=document.id, start=start, end=end, text=text[start:end])
        for n, (start, end) in enumerate([(0, 20), (21, len(text))])
    ]
    stored = StoredDocument(
        id=document.id,
        title="Ferries",
        source=document.source,
        content_hash=document.id,
        size=46,
        mtime=7.5,
        passage_count=len(chunks),
    )
    passages = {p.id: p for p in chunks}
    vectors = {p.id: np.full(4, n, dtype=np.float32) for n, p in enumerate(chunks)}
    write = indexing.as_stored(stored, document, passages, vectors)
    assert write is not None and write.passages == chunks and (write.size, write.mtime) == (46, 7.5)
    assert write.vectors.tolist() == [[n] * 4 for n in range(len(chunks))] and len(chunks) == 2
    del vectors[chunks[1].id]  # a damaged store: the document stays as it is
    assert indexing.as_stored(stored, document, passages, vectors) is None
