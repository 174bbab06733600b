"""Indexing a folder into a store: incremental, resumable, and exact offsets on Unicode text."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from qa import index as indexing
from qa.documents import document_id, load_document
from qa.index import Indexer
from qa.models import Document
from qa.store import StoredDocument, open_store

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
    assert [(f.source, f.reason) for f in report.failures] == [
        (str(folder / "copy.txt"), "same text as beta.txt; skipped")
    ]


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
    with pytest.raises(FileNotFoundError, match="documents folder not found"):
        indexer.sync_folder(folder, 10**6, progress=False)
    assert indexer.store.manifest().document_count == 2


def test_an_interrupted_long_document_goes_on_where_it_stopped(indexer, folder, embedder, monkeypatch, tmp_path):
    long_text = " ".join(f"Sentence {i} says that the crate numbered {i} holds {i * 3} apples." for i in range(200))
    (folder / "long.txt").write_text(long_text, encoding="utf-8")
    monkeypatch.setattr(indexing, "COMMIT_PASSAGES", 2)
    indexer.checkpoints = tmp_path / "checkpoints"
    embedded: list[int] = []

    class Interrupted:
        """The real embedder, stopped by Ctrl-C at its third call."""

        dimension, max_tokens, tokenizer, model_name = (
            embedder.dimension,
            embedder.max_tokens,
            embedder.tokenizer,
            embedder.model_name,
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
    checkpoint = tmp_path / "checkpoints" / f"{document_id(long_text)}.f32"
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


def written_before_pages(backend: str, location: str) -> None:
    """Make a store look as one written before documents recorded their pages: no page_starts column (and, in the
    local store, the schema version of then)."""
    if backend == "local":
        import sqlite3

        from qa.store_local import DATABASE_FILE, PREVIOUS_SCHEMA

        with sqlite3.connect(Path(location) / DATABASE_FILE) as db:
            db.execute("ALTER TABLE documents DROP COLUMN page_starts")
            db.execute("UPDATE meta SET value = ? WHERE key = 'schema'", (PREVIOUS_SCHEMA,))
        db.close()
    else:
        import psycopg

        with psycopg.connect(location, autocommit=True) as db:
            db.execute("ALTER TABLE documents DROP COLUMN page_starts")


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
    written_before_pages(backend, location)

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
