"""The local store past its exact-search size: an IVF index chosen, calibrated, cached and kept in step."""

from __future__ import annotations

import shutil
import sqlite3
import threading
import time

import numpy as np
import pytest

import qa.store.local.store as local
from qa.documents.chunking import joined_passages
from qa.documents.loading import document_id
from qa.models import Document, Section
from qa.store.protocol import DocumentWrite, Relocation, StoreError, StoreSettings

DIMENSION = 16
SETTINGS = StoreSettings(embedding_model="t", dimension=DIMENSION, chunk_tokens=200, chunk_overlap_sentences=0)


def clustered_corpus(documents: int, per_document: int, seed: int = 0) -> list[DocumentWrite]:
    """Documents whose passage vectors lie around 40 centres, like real embeddings do (random ones have no
    structure for an approximate index to use)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(40, DIMENSION))
    writes = []
    for number in range(documents):
        doc_id = f"doc{seed}-{number}"
        texts = [
            f"passage {i} of document {number} about topic{(number * per_document + i) % 40}"
            for i in range(per_document)
        ]
        text = "\n".join(texts)
        passages = joined_passages(doc_id, texts, "\n")
        vectors = centres[[(number * per_document + i) % 40 for i in range(per_document)]]
        vectors = vectors + rng.normal(scale=0.3, size=vectors.shape)
        vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
        writes.append(
            DocumentWrite(Document(id=doc_id, title=doc_id, source=f"{doc_id}.txt", text=text), passages, vectors)
        )
    return writes


@pytest.fixture
def small_ann(monkeypatch):
    monkeypatch.setattr(local, "ANN_MIN_PASSAGES", 1_000)


def test_past_the_threshold_search_is_approximate_and_keeps_its_recall(small_ann, tmp_path):
    writes = clustered_corpus(300, 10)
    store = local.LocalStore(tmp_path / "index")
    store.bind(StoreSettings(embedding_model="t", dimension=DIMENSION, chunk_tokens=200, chunk_overlap_sentences=0))
    with store.writer():
        for batch in range(0, len(writes), 50):
            store.write(writes[batch : batch + 50])
    vectors = np.vstack([w.vectors for w in writes])
    ids = [p.id for w in writes for p in w.passages]
    queries = vectors[::97] + np.random.default_rng(1).normal(scale=0.1, size=vectors[::97].shape).astype(np.float32)
    found = [store.dense_search(q, 10) for q in queries]
    assert store._dense.approximate and store._dense.recall >= local.ANN_CALIBRATION_RECALL
    truth = [{ids[i] for i in np.argsort(-(vectors @ q))[:10]} for q in queries]
    recall = np.mean([len({pid for pid, _ in f} & t) / 10 for f, t in zip(found, truth, strict=True)])
    assert recall >= 0.95

    gone = writes[0]
    store.delete([gone.document.id])
    assert all(pid.split(":")[0] != gone.document.id for pid, _ in store.dense_search(gone.vectors[0], 20))
    reopened = local.LocalStore(tmp_path / "index")
    assert reopened.dense_search(writes[1].vectors[0], 1)[0][0] == writes[1].passages[0].id
    assert reopened._dense.approximate
    assert reopened.keyword_search("topic7 document", 3)


def test_an_exact_index_that_grows_past_the_threshold_becomes_approximate(small_ann, tmp_path):
    store = local.LocalStore(tmp_path / "index")
    store.bind(StoreSettings(embedding_model="t", dimension=DIMENSION, chunk_tokens=200, chunk_overlap_sentences=0))
    writes = clustered_corpus(150, 10)
    store.write(writes[:50])
    assert not store._dense or not store._dense.approximate
    store.dense_search(writes[0].vectors[0], 1)
    assert not store._dense.approximate
    with store.writer():
        store.write(writes[50:])
    assert store._dense.approximate  # the writer rebuilt it when it saved the cache
    assert store.dense_search(writes[120].vectors[3], 1)[0][0] == writes[120].passages[3].id


def test_verify_checks_offsets_against_the_document_text_on_unicode(tmp_path):
    import sqlite3

    pieces = ["Zoë’s café 東京 opened in 2019.", "It serves naïve résumés 🙂 and tea."]
    text = "\n".join(pieces)
    doc_id = document_id(text)
    passages = joined_passages(doc_id, pieces, "\n")
    store = local.LocalStore(tmp_path / "index")
    store.bind(StoreSettings(embedding_model="t", dimension=DIMENSION, chunk_tokens=200, chunk_overlap_sentences=0))
    vectors = np.eye(DIMENSION, dtype=np.float32)[:2]
    store.write([DocumentWrite(Document(id=doc_id, title="u", source="u.txt", text=text), passages, vectors)])
    assert store.verify() == []
    store.close()
    with sqlite3.connect(tmp_path / "index" / local.DATABASE_FILE) as db:  # offsets shifted by one, text kept
        db.execute("UPDATE passages SET start = start + 1, end = end + 1 WHERE id = ?", (passages[1].id,))
    assert local.LocalStore(tmp_path / "index").verify() == [
        f"passage {passages[1].id} (document {doc_id}): its offsets do not hold its text"
    ]


def test_after_indexing_a_copy_of_the_database_file_alone_holds_every_document(tmp_path):
    writes = clustered_corpus(30, 4)
    store = local.LocalStore(tmp_path / "index")
    store.bind(SETTINGS)
    with store.writer():  # one indexing run, committing as it goes
        for start in range(0, 30, 10):
            store.write(writes[start : start + 10])
    copy = tmp_path / "copy"
    copy.mkdir()
    shutil.copy(tmp_path / "index" / local.DATABASE_FILE, copy)  # what a backup tool copies while the store is open
    copied = local.LocalStore(copy)
    assert copied.manifest().document_count == 30 and copied.documents() == store.documents()
    assert copied.dense_search(writes[7].vectors[2], 1)[0][0] == writes[7].passages[2].id


def test_a_reader_in_the_middle_of_a_read_does_not_hold_up_a_write(tmp_path):
    writes = clustered_corpus(4, 2)
    store = local.LocalStore(tmp_path / "index")
    store.bind(SETTINGS)
    store.write(writes[:2])
    journal = tmp_path / "index" / f"{local.DATABASE_FILE}-wal"
    reader = sqlite3.connect(tmp_path / "index" / local.DATABASE_FILE, isolation_level=None)
    reader.execute("BEGIN")
    assert reader.execute("SELECT count(*) FROM documents").fetchone() == (2,)
    began = time.monotonic()
    store.write(writes[2:3])  # the journal cannot be emptied while the reader reads: as much as it allows is copied
    assert time.monotonic() - began < 5 and journal.stat().st_size > 0
    reader.execute("ROLLBACK")
    reader.close()
    store.write(writes[3:])
    assert journal.stat().st_size == 0 and store.manifest().document_count == 4


def test_a_restore_reaches_every_handle_of_the_index(tmp_path):
    old, new = clustered_corpus(20, 3, seed=1), clustered_corpus(20, 3, seed=2)
    source = local.LocalStore(tmp_path / "source")
    source.bind(SETTINGS)
    source.write(new)
    source.backup(tmp_path / "backup")
    store = local.LocalStore(tmp_path / "index")
    store.bind(SETTINGS)
    store.write(old)
    other = local.LocalStore(tmp_path / "index")  # another process's handle, its dense index built
    assert other.dense_search(old[3].vectors[1], 1)[0][0] == old[3].passages[1].id
    store.restore(tmp_path / "backup")
    for handle in (store, other):
        found = handle.dense_search(new[5].vectors[2], 1)
        assert found[0][0] == new[5].passages[2].id and found[0][1] == pytest.approx(1.0, abs=1e-5)
        assert all(pid.startswith("doc2-") for pid, _ in handle.keyword_search("topic7 document", 5))
    assert store.manifest().document_count == 20 and (tmp_path / "index" / local.DENSE_CACHE_FILE).exists()
    (tmp_path / "junk").write_text("not a database", encoding="utf-8")
    with pytest.raises(
        StoreError, match=f"^{tmp_path / 'junk'} is not a backup of a qa index \\(file is not a database\\)$"
    ):
        store.restore(tmp_path / "junk")
    assert store.manifest().document_count == 20


@pytest.mark.parametrize("version", local.PREVIOUS_SCHEMAS)
def test_a_backup_of_a_previous_format_is_restored_and_migrated(tmp_path, version):
    texts = ["The ferry leaves at noon.", "It stops in winter."]
    text, doc_id = " ".join(texts), document_id(" ".join(texts))
    vectors = np.eye(DIMENSION, dtype=np.float32)[:2]
    document = Document(id=doc_id, title="f", source="f.md", text=text)
    source = local.LocalStore(tmp_path / "source")
    source.bind(SETTINGS)
    source.write([DocumentWrite(document, joined_passages(doc_id, texts, " "), vectors)])
    source.backup(tmp_path / "backup")
    source.close()
    lacking = local.ADDED_COLUMNS[local.PREVIOUS_SCHEMAS.index(version) :]  # 3: both columns, 4: sections
    with sqlite3.connect(tmp_path / "backup") as db:
        for column in lacking:
            db.execute(f"ALTER TABLE documents DROP COLUMN {column}")
        db.execute("UPDATE meta SET value = ? WHERE key = 'schema'", (version,))
    db.close()
    store = local.LocalStore(tmp_path / "index")
    store.restore(tmp_path / "backup")
    assert store._meta("schema") == str(local.SCHEMA_VERSION) and store.verify() == []
    assert store.get_documents([doc_id]) == {doc_id: document}  # no pages nor sections yet
    sections = [Section(start=0, title="Ferry")]
    store.set_source(Relocation(doc_id, "f.md", 1, 2.0, None, sections))
    assert store.get_documents([doc_id])[doc_id].sections == store.documents()[0].sections == sections


class SlowCompaction(local.LocalStore):
    """A local store whose compaction, once ``release`` is cleared, waits for it (10 s at most) while it builds."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.building, self.release = threading.Event(), threading.Event()
        self.release.set()

    def _build_compaction(self, copy, seq):
        self.building.set()
        self.release.wait(10)
        return super()._build_compaction(copy, seq)


def test_questions_are_answered_while_a_compaction_is_built(tmp_path):
    writes = clustered_corpus(20, 3)
    store = SlowCompaction(tmp_path / "index")
    store.bind(SETTINGS)
    store.write(writes[:10])
    assert store.dense_search(writes[2].vectors[1], 1)[0][0] == writes[2].passages[1].id
    store.release.clear()
    store.building.clear()
    writer = threading.Thread(target=store.write, args=(writes[10:],), daemon=True)
    writer.start()  # half the passages new: the writer compacts the change log as it lets go of the lock
    try:
        assert store.building.wait(10)
        answers: dict[str, list] = {}
        asking = threading.Thread(
            target=lambda: answers.update(
                dense=store.dense_search(writes[15].vectors[2], 1), keyword=store.keyword_search("topic7 document", 3)
            ),
            daemon=True,
        )
        began = time.monotonic()
        asking.start()
        asking.join(5)
        assert not asking.is_alive() and time.monotonic() - began < 5  # not held up by the compaction being built
        assert answers["dense"][0][0] == writes[15].passages[2].id and answers["keyword"]
        assert writer.is_alive() and not store.release.is_set()  # the compaction was still being built meanwhile
    finally:
        store.release.set()
        writer.join(20)
    assert not writer.is_alive()
    assert store._compacted() > 0 and store._query("SELECT count(*) FROM changes") == [(0,)]
    assert store.dense_search(writes[17].vectors[0], 1)[0][0] == writes[17].passages[0].id
    reopened = local.LocalStore(tmp_path / "index")  # from the cache file the compaction wrote
    assert reopened.dense_search(writes[15].vectors[2], 1)[0][0] == writes[15].passages[2].id
    assert (tmp_path / "index" / local.DENSE_CACHE_FILE).exists()


def test_a_compaction_copies_again_when_a_change_lands_between_its_copy_and_its_snapshot(tmp_path):
    writes = clustered_corpus(12, 3)
    store = local.LocalStore(tmp_path / "index")
    store.bind(SETTINGS)
    store.write(writes[:6])
    store.dense_search(writes[0].vectors[0], 1)
    with store._dense_lock:
        copy, seq = store._dense.copy(), store._dense_seq
    other = local.LocalStore(tmp_path / "index")
    other.write(writes[6:])  # lands after the copy was taken
    assert store._build_compaction(copy, seq) is None  # out of date: not saved
    assert store._build_compaction(None, seq) is not None  # built from the snapshot instead
    store.write(writes[:1])  # writing again folds everything in, nothing lost
    for write in (writes[3], writes[9]):
        assert store.dense_search(write.vectors[1], 1)[0][0] == write.passages[1].id


class SearchThreadsNoted:
    """A FAISS index that notes how many threads FAISS may use on each search."""

    def __init__(self, index):
        self.index = index
        self.threads: list[int] = []

    @property
    def ntotal(self) -> int:
        return self.index.ntotal

    def search(self, vectors, k):
        import faiss

        self.threads.append(faiss.omp_get_max_threads())
        return self.index.search(vectors, k)


def test_a_question_s_search_runs_faiss_on_its_own_thread_and_sets_its_threads_back():
    import faiss

    dense = local.DenseIndex(4)
    dense.add(np.array([7, 8]), np.eye(4, dtype=np.float32)[:2])
    noted = SearchThreadsNoted(dense.index)
    dense.index = noted
    seen: dict[str, object] = {}

    def search() -> None:  # on a thread of its own: a thread's FAISS setting is its own
        faiss.omp_set_num_threads(3)
        seen["found"] = dense.search(np.eye(4, dtype=np.float32)[1], 1)
        seen["after"] = faiss.omp_get_max_threads()

    thread = threading.Thread(target=search)
    thread.start()
    thread.join()
    assert seen == {"found": [(8, 1.0)], "after": 3} and noted.threads == [1]
