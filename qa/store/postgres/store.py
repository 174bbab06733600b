"""The PostgreSQL store: documents, passages, pgvector HNSW vectors and BM25 keyword postings in one database."""

from __future__ import annotations

import itertools
import logging
import math
import os
import re
import select
import subprocess
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from tqdm import tqdm

from qa.models import Document, Passage, Section
from qa.store.protocol import (
    DocumentWrite,
    Relocation,
    StoreBusy,
    StoreDamaged,
    StoredDocument,
    StoreError,
    StoreManifest,
    StoreReadOnly,
    StoreSettings,
    StoreUnavailable,
)
from qa.store.rules import (
    WRITE_TIMEOUT,
    backup_file,
    bind_verdict,
    busy,
    damaged,
    document_problem,
    keyword_tokens,
    layout_problems,
    new_backup_file,
    no_settings,
    passage_problem,
    passage_tokens,
    problem_line,
    read_sections,
    under_writer_lock,
    vector_problem,
    write_error,
    write_problem,
    written_tokens,
)
from qa.validation import counted

if TYPE_CHECKING:
    import psycopg
    from psycopg.errors import Diagnostic

log = logging.getLogger(__name__)

# BM25 as in bm25s (Lucene idf); the scores of one question are comparable with each other only.
K1 = 1.2
B = 0.75
# The HNSW index: m = 32 neighbours a passage (pgvector's default, 16, left near-copies of a passage in islands: at a
# million passages of the scale benchmark its recall@10 stopped at 0.945; with m = 32 it reached 0.94-0.97 at
# ef_search 400 and 0.998 at 1,000).
HNSW_INDEX = "CREATE INDEX passages_embedding ON passages USING hnsw (embedding vector_cosine_ops) WITH (m = 32)"
# HNSW candidates per search: at least k and one per EF_SEARCH_PASSAGES stored passages, at most pgvector's limit
# (beyond it iterative scans fetch the rest).
EF_SEARCH = 100
EF_SEARCH_PASSAGES = 1_000
EF_SEARCH_MAX = 1000
# Advisory lock keys; PostgreSQL scopes them to the database, so one server can hold many stores.
SCHEMA_LOCK = 0x7161_0001
WRITER_LOCK = 0x7161_0002
COLLECTION_WRITER_LOCKS = 0x7161 << 48  # a collection's writer lock: this plus the CRC32 of its schema's name
UNIT_NORM_TOLERANCE = 1e-3
REPLICA = "it is a replica (a hot standby) of another server; index into its primary"
SHOWN_PROBLEMS = 20
# Bulk loading (bulk_write, and a write of at least BULK_PASSAGES passages): into a store holding at most BULK_KEEP
# passages, the keys and indexes of passages and passage_terms are dropped, everything is copied in BULK_CHUNK
# documents at a time, and they are built afterwards, all in one transaction.
BULK_PASSAGES = 20_000
BULK_KEEP = 10_000
BULK_CHUNK = 1_000
# pgvector builds an HNSW index much faster while its graph fits in maintenance_work_mem: per passage its vector (4
# bytes a dimension) and about this much more (2·m neighbours of 16 bytes, element header; pgvector 0.8).
HNSW_BYTES_PER_PASSAGE = 1_300
MAINTENANCE_MEMORY_MIN = 64 * 2**20

# Every table carries the document id and leads its key with it, so that Citus can shard all of them by document
# (create_distributed_table(..., 'id' / 'document_id')) and keep a document's rows together; term_stats and
# store_meta would be reference tables. The embedding column gets its dimension (and HNSW index) from bind().
SCHEMA = """
CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public;
CREATE TABLE IF NOT EXISTS store_meta (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    settings jsonb,
    generation bigint NOT NULL DEFAULT 0,
    passage_count bigint NOT NULL DEFAULT 0,
    token_count bigint NOT NULL DEFAULT 0
);
INSERT INTO store_meta DEFAULT VALUES ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS documents (
    id text PRIMARY KEY,
    title text NOT NULL,
    source text NOT NULL,
    content_hash text NOT NULL,
    size bigint NOT NULL,
    mtime double precision NOT NULL,
    passage_count integer NOT NULL,
    text text NOT NULL,
    page_starts integer[],
    sections jsonb
);
CREATE INDEX IF NOT EXISTS documents_source ON documents (source);
CREATE TABLE IF NOT EXISTS passages (
    document_id text NOT NULL REFERENCES documents ON DELETE CASCADE,
    id text NOT NULL,
    start_char integer NOT NULL,
    end_char integer NOT NULL,
    text text NOT NULL,
    token_count integer NOT NULL,
    embedding vector NOT NULL,
    PRIMARY KEY (document_id, id)
);
CREATE INDEX IF NOT EXISTS passages_id ON passages (id);
CREATE TABLE IF NOT EXISTS passage_terms (
    document_id text NOT NULL,
    passage_id text NOT NULL,
    term text NOT NULL,
    tf integer NOT NULL,
    passage_tokens integer NOT NULL,
    PRIMARY KEY (document_id, passage_id, term),
    FOREIGN KEY (document_id, passage_id) REFERENCES passages ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS passage_terms_term ON passage_terms (term) INCLUDE (document_id, passage_id, tf, passage_tokens);
CREATE TABLE IF NOT EXISTS term_stats (
    term text PRIMARY KEY,
    df bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS ignored_sources (
    source text PRIMARY KEY
);
"""
# A store made before documents recorded their pages or sections gains the columns (empty: the next sync reads those
# files again and, their text unchanged, records their pages and sections without embedding them again).
ADDED_COLUMNS = ("page_starts", "sections")
ADD_COLUMNS = (
    "ALTER TABLE documents ADD COLUMN IF NOT EXISTS page_starts integer[], ADD COLUMN IF NOT EXISTS sections jsonb"
)
# Whether the tables exist, and each of ADDED_COLUMNS.
SCHEMA_STATE = "SELECT to_regclass(format('%I.term_stats', current_schema())) IS NOT NULL, " + ", ".join(
    "EXISTS (SELECT FROM pg_attribute WHERE attrelid = to_regclass(format('%I.documents', current_schema())) "
    f"AND attname = '{column}' AND NOT attisdropped)"
    for column in ADDED_COLUMNS
)
TABLES = ("documents", "passages", "passage_terms", "term_stats")
STORE_TABLES = ("store_meta", *TABLES, "ignored_sources")  # everything a backup holds
# A table in ``pg_restore --list``: "<id>; <catalog> <oid> TABLE <schema> <name> <owner>".
LISTED_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE (?!DATA )(\S+) (\S+) ", re.MULTILINE)
COPY_COLUMNS = {
    "documents": (
        ("id", "text"),
        ("title", "text"),
        ("source", "text"),
        ("content_hash", "text"),
        ("size", "int8"),
        ("mtime", "float8"),
        ("passage_count", "int4"),
        ("text", "text"),
        ("page_starts", "int4[]"),
        ("sections", "jsonb"),
    ),
    "passages": (
        ("document_id", "text"),
        ("id", "text"),
        ("start_char", "int4"),
        ("end_char", "int4"),
        ("text", "text"),
        ("token_count", "int4"),
        ("embedding", "vector"),
    ),
    "passage_terms": (
        ("document_id", "text"),
        ("passage_id", "text"),
        ("term", "text"),
        ("tf", "int4"),
        ("passage_tokens", "int4"),
    ),
    "term_stats": (("term", "text"), ("df", "int8")),
}

BINDING = "SELECT settings, EXISTS (SELECT FROM documents) FROM store_meta"
# Passages with the length of their documents (each document's text measured once) and vectors with the settings'
# dimension, for the checks on read (qa.store.rules).
PASSAGES_QUERY = """
SELECT p.id, p.document_id, p.start_char, p.end_char, p.text, d.length
FROM passages p JOIN (
    SELECT id, length(text) AS length FROM documents
    WHERE id IN (SELECT document_id FROM passages WHERE id = ANY(%(ids)s))
) d ON d.id = p.document_id
WHERE p.id = ANY(%(ids)s)
"""
VECTORS_QUERY = (
    "SELECT id, document_id, embedding::real[], (SELECT (settings->>'dimension')::int FROM store_meta) "
    "FROM passages WHERE id = ANY(%s)"
)
# The nearest passages by cosine distance, answered by the HNSW index passages_embedding.
DENSE_QUERY = "SELECT id, 1 - (embedding <=> %(vector)s) FROM passages ORDER BY embedding <=> %(vector)s LIMIT %(k)s"
# BM25 as in bm25s: the question's terms with their document frequencies, the passage count and mean length; then
# each term's weight (its idf, times how often the question asks it) is computed here.
TERM_FREQUENCIES = """
SELECT m.passage_count, greatest(m.token_count, 1)::float8 / greatest(m.passage_count, 1), s.term, s.df
FROM store_meta m LEFT JOIN term_stats s ON s.term = ANY(%(terms)s)
"""
BM25 = f"w.weight * t.tf * {K1 + 1} / (t.tf + {K1} * (1 - {B} + {B} * t.passage_tokens::float8 / %(mean_length)s))"
# Every passage holding a term, scored (an index-only scan of passage_terms_term per term).
KEYWORD_QUERY = f"""
SELECT t.passage_id, sum({BM25}) AS score
FROM unnest(%(terms)s::text[], %(weights)s::float8[]) AS w (term, weight) JOIN passage_terms t USING (term)
GROUP BY t.passage_id
ORDER BY score DESC, t.passage_id
LIMIT %(k)s
"""
# When the terms' postings are more than KEYWORD_BUDGET, scoring them all takes too long (at a million passages, a
# question's terms have about 350,000): the passages holding the rarer terms (those whose postings fit in the budget)
# are ranked by those terms alone, and the best KEYWORD_CANDIDATES of them scored on all the terms (an index probe of
# passage_terms_pkey each). A passage holding only the commoner terms is not found.
KEYWORD_BUDGET = 40_000
KEYWORD_CANDIDATES = 800
KEYWORD_CANDIDATES_QUERY = f"""
SELECT t.document_id, t.passage_id, sum({BM25}) AS score
FROM unnest(%(terms)s::text[], %(weights)s::float8[]) AS w (term, weight) JOIN passage_terms t USING (term)
GROUP BY t.document_id, t.passage_id
ORDER BY score DESC, t.passage_id
LIMIT %(k)s
"""
# The candidates' scores with the commoner terms added (those each holds, found by a probe of passage_terms_pkey).
KEYWORD_RESCORED = f"""
SELECT c.passage_id, c.score + coalesce(sum({BM25}), 0) AS score
FROM unnest(%(documents)s::text[], %(passages)s::text[], %(scores)s::float8[]) AS c (document_id, passage_id, score)
LEFT JOIN LATERAL (
    SELECT p.term, p.tf, p.passage_tokens FROM passage_terms p
    WHERE p.document_id = c.document_id AND p.passage_id = c.passage_id AND p.term = ANY(%(terms)s)
    OFFSET 0
) t ON true
LEFT JOIN unnest(%(terms)s::text[], %(weights)s::float8[]) AS w (term, weight) USING (term)
GROUP BY c.passage_id, c.score
ORDER BY score DESC, c.passage_id
LIMIT %(k)s
"""
ADD_TERM_STATS = """
INSERT INTO term_stats (term, df)
SELECT term, count(*) FROM passage_terms WHERE document_id = ANY(%(ids)s) GROUP BY term
ON CONFLICT (term) DO UPDATE SET df = term_stats.df + excluded.df
"""
SUBTRACT_TERM_STATS = """
WITH gone AS (SELECT term, count(*) AS df FROM passage_terms WHERE document_id = ANY(%(ids)s) GROUP BY term),
dropped AS (DELETE FROM term_stats s USING gone WHERE s.term = gone.term AND s.df <= gone.df)
UPDATE term_stats s SET df = s.df - gone.df FROM gone WHERE s.term = gone.term AND s.df > gone.df
"""
# The postings of the documents a bulk load put back, added to the term statistics it copied.
RESTORED_TERM_STATS = """
INSERT INTO term_stats (term, df)
SELECT term, count(*) FROM kept_passage_terms WHERE document_id = ANY(%(ids)s) GROUP BY term
ON CONFLICT (term) DO UPDATE SET df = term_stats.df + excluded.df
"""
COUNT_PASSAGES = """
UPDATE store_meta
SET passage_count = passage_count + %(sign)s * c.passages, token_count = token_count + %(sign)s * c.tokens
FROM (SELECT count(*) AS passages, coalesce(sum(token_count), 0) AS tokens
      FROM passages WHERE document_id = ANY(%(ids)s)) c
"""
DAMAGED_DOCUMENTS = """
SELECT d.id, d.source, d.passage_count, count(p.id),
       count(*) FILTER (WHERE vector_dims(p.embedding) <> %(dimension)s),
       count(*) FILTER (WHERE abs(vector_norm(p.embedding) - 1) > %(tolerance)s),
       count(*) FILTER (WHERE p.start_char < 0 OR p.end_char < p.start_char OR p.end_char > length(d.text)),
       count(*) FILTER (WHERE substr(d.text, p.start_char + 1, p.end_char - p.start_char) <> p.text)
FROM documents d LEFT JOIN passages p ON p.document_id = d.id
GROUP BY d.id
HAVING count(p.id) <> d.passage_count
    OR count(*) FILTER (WHERE vector_dims(p.embedding) <> %(dimension)s
                           OR abs(vector_norm(p.embedding) - 1) > %(tolerance)s
                           OR p.start_char < 0 OR p.end_char < p.start_char OR p.end_char > length(d.text)
                           OR substr(d.text, p.start_char + 1, p.end_char - p.start_char) <> p.text) > 0
ORDER BY d.source, d.id
"""
STATISTICS = """
SELECT m.passage_count, m.token_count,
       (SELECT count(*) FROM passages), (SELECT coalesce(sum(token_count), 0) FROM passages),
       (SELECT coalesce(sum(tf), 0) FROM passage_terms), (SELECT count(*) FROM passage_terms),
       (SELECT coalesce(sum(df), 0) FROM term_stats)
FROM store_meta m
"""
INVALID_INDEXES = """
SELECT indexrelid::regclass::text FROM pg_index
WHERE indrelid = ANY(ARRAY['documents', 'passages', 'passage_terms', 'term_stats']::regclass[]) AND NOT indisvalid
ORDER BY 1
"""
# The keys (primary and foreign) and indexes of the tables a bulk load empties and builds again; a key's index goes with
# it. Keys are built first (a foreign key needs the key it references), foreign keys last.
BULK_TABLES = "ARRAY['passages', 'passage_terms']::regclass[]"
BULK_KEYS = f"""
SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype = 'f'
FROM pg_constraint WHERE conrelid = ANY({BULK_TABLES}) AND contype IN ('p', 'u', 'f')
ORDER BY contype = 'f', conrelid::regclass::text, conname
"""
BULK_INDEXES = f"""
SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i
WHERE indrelid = ANY({BULK_TABLES})
  AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)
ORDER BY 1
"""
EMBEDDING_TYPE = (
    "SELECT format_type(atttypid, atttypmod), to_regclass('passages_embedding') IS NOT NULL "
    "FROM pg_attribute WHERE attrelid = 'passages'::regclass AND attname = 'embedding'"
)


def masked_location(location: str) -> str:
    """``location`` with any password (URI user info, ``password=`` keyword or query parameter) shown as ***."""
    masked = re.sub(r"(://[^/@:?#]*:)[^/@?#]+@", r"\1***@", location)
    return re.sub(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&]+)", r"\1***", masked, flags=re.IGNORECASE)


def _alive(connection: psycopg.Connection) -> bool:
    """Whether an idle connection can still be used, without a round trip: a server that stops or restarts ends its
    sessions (a last message, then the socket closes), which leaves the socket readable; an idle session's is not."""
    if connection.closed or connection.broken:
        return False
    try:
        if not hasattr(select, "poll"):  # Windows (poll has no limit on descriptor numbers, select has)
            return not select.select([connection.fileno()], [], [], 0)[0]
        poller = select.poll()
        poller.register(connection.fileno(), select.POLLIN)
        return not poller.poll(0)
    except (OSError, ValueError):
        return False


class _Connections:
    """A few open connections shared by threads: each use borrows one; a broken one, or one the server ended while it
    was idle (a restart), is closed, not reused."""

    def __init__(
        self, open_connection: Callable[[], psycopg.Connection], first: psycopg.Connection, location: str, keep: int = 4
    ) -> None:
        self._open = open_connection
        self._location = location
        self._keep = keep
        self._idle = [first]
        self._lock = threading.Lock()
        self._closed = False

    @contextmanager
    def borrow(self) -> Iterator[psycopg.Connection]:
        """An idle connection the server has not ended, or a new one; it goes back to the idle ones afterwards when
        still healthy."""
        connection = self._idle_connection() or self._open()
        try:
            yield connection
        finally:
            self._give_back(connection)

    def _idle_connection(self) -> psycopg.Connection | None:
        """The last idle connection still alive (those a stopped or restarted server ended are closed), or None."""
        while True:
            with self._lock:
                if self._closed:
                    raise StoreError(f"the store at {self._location} is closed")
                if not self._idle:
                    return None
                connection = self._idle.pop()
            if _alive(connection):
                return connection
            connection.close()

    def _give_back(self, connection: psycopg.Connection) -> None:
        from psycopg.pq import TransactionStatus

        healthy = not connection.broken and connection.info.transaction_status == TransactionStatus.IDLE
        with self._lock:
            if healthy and not self._closed and len(self._idle) < self._keep:
                self._idle.append(connection)
                return
        connection.close()

    def close(self) -> None:
        """Close the idle connections; borrowed ones are closed when they come back."""
        with self._lock:
            self._closed, idle, self._idle = True, self._idle, []
        for connection in idle:
            connection.close()


class PostgresStore:
    """A store in one PostgreSQL database with pgvector, for many threads and processes at once.

    ``location`` is a libpq URI or conninfo string (a Unix socket host works too). Dense search uses an HNSW
    index with cosine distance; keyword search is BM25 over postings kept in the same transactions as the passages.
    """

    backend = "postgres"
    write_timeout = WRITE_TIMEOUT  # seconds a change waits for another handle's writer lock (see qa.store.rules)

    def __init__(self, location: str, read_only: bool = False, schema: str | None = None) -> None:
        self.location = location
        self.read_only = read_only
        self.schema = schema  # a collection's schema (its tables there, pgvector's in public); None: public
        self._writer_key = WRITER_LOCK if schema is None else COLLECTION_WRITER_LOCKS | zlib.crc32(schema.encode())
        self.shown = masked_location(location)
        self._params = self._conninfo()
        self._password: str | None = self._params.get("password")
        self._writer_guard = threading.RLock()
        self._writer_connection: psycopg.Connection | None = None
        self._writer_depth = 0
        # The columns, or NULL where a store of a previous format opened read-only lacks them.
        self._page_starts, self._sections = ADDED_COLUMNS
        self._connections = _Connections(self._opened, self._opened(self._ensure_schema), self.shown)

    # -- the protocol -------------------------------------------------------------------------------------------

    def bind(self, settings: StoreSettings) -> bool:
        """Stamp a store holding no documents with ``settings`` (giving the embedding column its dimension; see
        ``bind_verdict``); False when it holds documents made with other settings. Stamping waits for the writer
        lock and decides again under it."""
        with self._connection("reading the settings") as connection:
            verdict = self._bind_verdict(connection, settings)
        if verdict is not None:
            return verdict
        self._require_writable("bind it to new settings")
        with self.writer(timeout=self.write_timeout), self._write("binding the store") as (cursor, _):
            verdict = self._bind_verdict(cursor, settings)  # again, now that the locks are held
            if verdict is None:
                from psycopg.types.json import Jsonb

                if not _row(cursor.execute(BINDING))[1]:  # else the same vectors, their record of what read the files
                    self._set_dimension(cursor, settings.dimension)
                cursor.execute("UPDATE store_meta SET settings = %s", (Jsonb(settings.model_dump()),))
        return True if verdict is None else verdict

    @under_writer_lock
    def clear(self) -> None:
        """Remove every document and the settings stamp."""
        self._require_writable("clear it")
        with self._write("clearing the store") as (cursor, _):
            cursor.execute(f"TRUNCATE {', '.join(TABLES)}")
            cursor.execute("UPDATE store_meta SET settings = NULL, passage_count = 0, token_count = 0")
            self._set_dimension(cursor, None)

    @contextmanager
    def writer(self, timeout: float = WRITE_TIMEOUT) -> Iterator[None]:
        """Hold the single-writer lock (a session advisory lock on a connection of its own, re-entrant within this
        handle); raises StoreBusy after ``timeout`` seconds."""
        self._require_writable("change it")
        deadline = time.monotonic() + timeout
        if not self._writer_guard.acquire(timeout=max(timeout, 0)):
            raise self._busy(timeout)
        try:
            if self._writer_depth == 0:
                self._writer_connection = self._lock_writer(deadline, timeout)
            self._writer_depth += 1
            try:
                yield
            finally:
                self._writer_depth -= 1
                if self._writer_depth == 0:
                    connection, self._writer_connection = self._writer_connection, None
                    if connection is not None:
                        connection.close()  # ending the session releases its advisory lock
        finally:
            self._writer_guard.release()

    @under_writer_lock
    def write(self, items: list[DocumentWrite]) -> None:
        """Store documents with their passages and vectors in one transaction, replacing any with the same id
        and removing the documents each one ``replaces``. A write of at least BULK_PASSAGES passages goes through
        ``bulk_write`` (the bulk path when the store holds at most BULK_KEEP passages)."""
        self._require_writable("write")
        batch = list({item.document.id: item for item in items}.values())
        if not batch:
            return
        if sum(len(item.passages) for item in batch) >= BULK_PASSAGES:
            self.bulk_write(batch)
            return
        tokens = written_tokens(batch)
        with self._write("writing documents") as (cursor, settings):
            self._write_batch(cursor, settings, batch, tokens)

    def _write_batch(
        self,
        cursor: psycopg.Cursor,
        settings: StoreSettings | None,
        batch: list[DocumentWrite],
        tokens: list[list[str]],
    ) -> None:
        """The normal path: remove the documents ``batch`` replaces, copy it in (its indexes kept up to date row by
        row) and add it to the term statistics and counters."""
        ids = [item.document.id for item in batch]
        replaced = list(dict.fromkeys(ids + [old for item in batch for old in item.replaces]))
        self._check_batch(settings, batch)
        self._remove(cursor, replaced)
        _copy_batch(cursor, batch, tokens)
        _account(cursor, ids, +1)

    def _check_batch(self, settings: StoreSettings | None, batch: list[DocumentWrite]) -> StoreSettings:
        """The store's settings, when it has some and each document of ``batch`` has vectors of its dimension."""
        if settings is None:
            raise no_settings(self._shown)
        for item in batch:
            problem = write_problem(len(item.passages), item.vectors, settings.dimension)
            if problem:
                raise write_error(item.document.id, problem)
        return settings

    @under_writer_lock
    def bulk_write(self, items: Iterable[DocumentWrite], progress: bool = False) -> int:
        """Store a stream of documents (read as it goes, each one once) in one transaction, replacing stored ones with
        the same id and removing those each one ``replaces``; returns how many passages it wrote. Into a store
        holding at most BULK_KEEP passages it takes the bulk path (``_bulk_load``: readers of this collection wait
        until it commits), into a fuller one the normal path, BULK_CHUNK documents at a time."""
        self._require_writable("write")
        with self._write("bulk writing documents") as (cursor, stamp):
            settings = self._check_batch(stamp, [])
            if _row(cursor.execute("SELECT passage_count FROM store_meta"))[0] > BULK_KEEP:
                return self._write_chunks(cursor, settings, items, progress)
            return self._bulk_load(cursor, settings, items, progress)

    def _write_chunks(
        self, cursor: psycopg.Cursor, settings: StoreSettings, items: Iterable[DocumentWrite], progress: bool
    ) -> int:
        """Write ``items`` BULK_CHUNK documents at a time the normal way; returns how many passages."""
        written = 0
        with tqdm(desc="writing", unit=" passages", disable=not progress) as bar:
            for chunk in _chunks(items, BULK_CHUNK):
                batch = list({item.document.id: item for item in chunk}.values())
                texts = [passage.text for item in batch for passage in item.passages]
                self._write_batch(cursor, settings, batch, written_tokens(batch))
                written += len(texts)
                bar.update(len(texts))
        return written

    def _bulk_load(
        self, cursor: psycopg.Cursor, settings: StoreSettings, items: Iterable[DocumentWrite], progress: bool
    ) -> int:
        """The bulk path: set the stored documents aside, empty the tables, drop the keys and indexes of passages and
        passage_terms, COPY FREEZE ``items`` in, put back the stored documents none of them supersedes, build the
        keys and indexes (``_build_keys``), then the term statistics and counters; returns how many passages."""
        kept = _set_aside(cursor)
        cursor.execute(f"TRUNCATE {', '.join(TABLES)}")
        statements = _drop_keys(cursor)
        passages_per_term: Counter[str] = Counter()
        seen: set[str] = set()
        superseded: set[str] = set()
        passages = tokens = 0
        with tqdm(desc="bulk loading", unit=" passages", disable=not progress) as bar:
            for chunk in _chunks(items, BULK_CHUNK):
                self._check_batch(settings, chunk)
                for item in chunk:
                    if item.document.id in seen or seen.intersection(item.replaces):
                        raise StoreError(f"document {item.document.id} or one it replaces comes twice in a bulk write")
                    seen.add(item.document.id)
                    superseded.update(kept.intersection([item.document.id, *item.replaces]))
                texts = [passage.text for item in chunk for passage in item.passages]
                tokens += _copy_batch(cursor, chunk, written_tokens(chunk), passages_per_term)
                passages += len(texts)
                bar.update(len(texts))
        restored, restored_tokens = _restore(cursor, sorted(kept - superseded))
        _build_keys(cursor, statements, passages + restored, settings.dimension, progress)
        _copy(cursor, "term_stats", passages_per_term.items(), freeze=True)
        if restored:
            cursor.execute(RESTORED_TERM_STATS, {"ids": sorted(kept - superseded)})
        cursor.execute(
            "UPDATE store_meta SET passage_count = %s, token_count = %s",
            (passages + restored, tokens + restored_tokens),
        )
        cursor.execute(f"ANALYZE {', '.join(TABLES)}")
        return passages

    @under_writer_lock
    def delete(self, document_ids: list[str]) -> int:
        """Remove documents with their passages, vectors and postings; returns how many existed."""
        self._require_writable("delete")
        if not document_ids:
            return 0
        with self._write("deleting documents") as (cursor, _):
            return self._remove(cursor, list(dict.fromkeys(document_ids)))

    @under_writer_lock
    def set_source(self, moved: Relocation) -> None:
        """Record that a stored document now comes from another file (``Relocation``); an unknown id changes
        nothing."""
        self._require_writable("record a new source")
        with self._write("recording a new source") as (cursor, _):
            cursor.execute(
                "UPDATE documents SET source = %s, size = %s, mtime = %s, page_starts = %s::integer[], sections = %s, "
                "title = COALESCE(%s, title) WHERE id = %s",
                (
                    moved.source,
                    moved.size,
                    moved.mtime,
                    moved.page_starts,
                    _sections_jsonb(moved.sections),
                    moved.title,
                    moved.document_id,
                ),
            )

    @under_writer_lock
    def ignore(self, sources: list[str], ignored: bool = True) -> None:
        """Mark files (by source path) as removed by the user, so that syncing a folder skips them; or unmark."""
        self._require_writable("mark files as removed")
        with self._write("marking files as removed") as (cursor, _):
            if ignored:
                cursor.executemany(
                    "INSERT INTO ignored_sources VALUES (%s) ON CONFLICT DO NOTHING", [(source,) for source in sources]
                )
            else:
                cursor.execute("DELETE FROM ignored_sources WHERE source = ANY(%s)", (list(sources),))

    def ignored(self) -> set[str]:
        """The source paths marked by ``ignore``."""
        return {source for (source,) in self._fetch("reading removed files", "SELECT source FROM ignored_sources")}

    def documents(self, ids: list[str] | None = None) -> list[StoredDocument]:
        """Stored documents without their texts (every one, or those of ``ids``), ordered by source."""
        rows = self._fetch(
            "listing documents",
            f"SELECT id, title, source, content_hash, size, mtime, passage_count, {self._page_starts}, "
            f"{self._sections} FROM documents WHERE %(all)s OR id = ANY(%(ids)s) ORDER BY source, id",
            {"all": ids is None, "ids": list(ids or [])},
        )
        return [
            StoredDocument(
                id=row[0],
                title=row[1],
                source=row[2],
                content_hash=row[3],
                size=row[4],
                mtime=row[5],
                passage_count=row[6],
                page_starts=row[7],
                sections=self._read_sections(row[0], row[8]),
            )
            for row in rows
        ]

    def get_documents(self, ids: list[str]) -> dict[str, Document]:
        """Documents with their full text, by id; unknown ids are left out."""
        rows = self._fetch(
            "reading documents",
            f"SELECT id, title, source, text, {self._page_starts}, {self._sections} FROM documents WHERE id = ANY(%s)",
            (list(ids),),
        )
        for row in rows:
            problem = document_problem(row[0], row[3])
            if problem:
                raise damaged(self._shown, problem_line(problem, row[0]))
        return {
            row[0]: Document(
                id=row[0],
                title=row[1],
                source=row[2],
                text=row[3],
                page_starts=row[4],
                sections=self._read_sections(row[0], row[5]),
            )
            for row in rows
        }

    def _read_sections(self, document_id: str, stored: Any) -> list[Section] | None:
        """A document's stored sections (jsonb, read as lists and dicts); StoreDamaged when they cannot be read."""
        return read_sections(self._shown, document_id, stored)

    def get_passages(self, ids: list[str]) -> dict[str, Passage]:
        """Passages with their text, by id; unknown ids are left out. Their offsets are checked against their
        documents' lengths (``passage_problem``)."""
        rows = self._fetch("reading passages", PASSAGES_QUERY, {"ids": list(ids)})
        found = {}
        for passage_id, doc_id, start, end, text, length in rows:
            problem = passage_problem(start, end, text, length)
            if problem:
                raise damaged(self._shown, problem_line(problem, doc_id, passage_id))
            found[passage_id] = Passage(id=passage_id, document_id=doc_id, start=start, end=end, text=text)
        return found

    def get_vectors(self, ids: list[str]) -> dict[str, np.ndarray]:
        """Stored unit vectors (float32) of passages, by id; unknown ids are left out. Each is checked against the
        settings' dimension and for finiteness (``vector_problem``)."""
        rows = self._fetch("reading vectors", VECTORS_QUERY, (list(ids),))
        found = {}
        for passage_id, doc_id, vector, dimension in rows:
            found[passage_id] = np.asarray(vector, dtype=np.float32)
            problem = vector_problem(found[passage_id], dimension)
            if problem:
                raise damaged(self._shown, problem_line(problem, doc_id, passage_id))
        return found

    def dense_search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """(passage id, cosine similarity) of the ``k`` nearest passages by the HNSW index, best first."""
        if k <= 0:
            return []
        query = np.asarray(vector, dtype=np.float32).ravel()
        with self._connection("searching by vector") as connection, connection.transaction():
            connection.execute(
                "SELECT set_config('hnsw.ef_search', least(greatest(%(k)s, %(least)s, passage_count / %(per)s), "
                "%(most)s)::text, true) FROM store_meta",
                {"k": k, "least": EF_SEARCH, "per": EF_SEARCH_PASSAGES, "most": EF_SEARCH_MAX},
            )
            if k > EF_SEARCH_MAX:
                connection.execute("SELECT set_config('hnsw.iterative_scan', 'strict_order', true)")
            rows = connection.execute(DENSE_QUERY, {"vector": query, "k": k}).fetchall()
        return [(passage_id, float(score)) for passage_id, score in rows]

    def keyword_search(self, text: str, k: int) -> list[tuple[str, float]]:
        """(passage id, BM25 score) of the best ``k`` passages sharing a word with ``text``, best first: exact while
        the terms' postings fit in KEYWORD_BUDGET, else among candidates found by the rarer terms."""
        repeats = Counter(keyword_tokens([text])[0])
        if not repeats or k <= 0:
            return []
        with self._connection("searching by keyword") as connection:
            frequencies = connection.execute(TERM_FREQUENCIES, {"terms": list(repeats)}).fetchall()
            terms = _weighted_terms(frequencies, repeats)
            if not terms:
                return []
            query = {"mean_length": frequencies[0][1], "k": k}
            rare = list(itertools.takewhile(lambda term: term[2] <= KEYWORD_BUDGET, terms))
            if len(rare) in (0, len(terms)):  # all the postings fit, or not even the rarest term's: exact
                rows = connection.execute(KEYWORD_QUERY, {**query, **_term_arrays(terms)}).fetchall()
            else:
                found = {**query, **_term_arrays(rare), "k": max(k, KEYWORD_CANDIDATES)}
                candidates = connection.execute(KEYWORD_CANDIDATES_QUERY, found).fetchall()
                scored = {
                    "documents": [row[0] for row in candidates],
                    "passages": [row[1] for row in candidates],
                    "scores": [row[2] for row in candidates],
                }
                common = _term_arrays(terms[len(rare) :])
                rows = connection.execute(KEYWORD_RESCORED, {**query, **common, **scored}).fetchall()
        return [(passage_id, float(score)) for passage_id, score in rows]

    def manifest(self) -> StoreManifest:
        """Backend, location (password masked), settings, counts and the generation."""
        stamp, generation, passages, documents = self._fetch(
            "reading the manifest",
            "SELECT settings, generation, passage_count, (SELECT count(*) FROM documents) FROM store_meta",
        )[0]
        return StoreManifest(
            backend=self.backend,
            location=self.shown,
            settings=self._settings(stamp),
            document_count=documents,
            passage_count=passages,
            generation=generation,
        )

    def verify(self) -> list[str]:
        """Problems found in the stored data, one line each; empty when all is well."""
        with self._connection("verifying the store") as connection, connection.cursor() as cursor:
            stamp, holds_documents = _row(cursor.execute(BINDING))
            settings = self._settings(stamp)
            problems = [] if settings or not holds_documents else ["documents are stored but no settings stamp"]
            problems += self._schema_problems(cursor, settings)
            problems += [f"index {name} is invalid" for (name,) in cursor.execute(INVALID_INDEXES).fetchall()]
            damaged = _damaged_documents(cursor, settings)
            problems += [_damage(row) for row in damaged[:SHOWN_PROBLEMS]]
            if len(damaged) > SHOWN_PROBLEMS:
                problems.append(f"{len(damaged) - SHOWN_PROBLEMS} more damaged documents")
            problems += _statistics_problems(_row(cursor.execute(STATISTICS)))
            laid_out = (
                f"SELECT id, {self._page_starts}, {self._sections}, length(text) FROM documents "
                f"WHERE {self._page_starts} IS NOT NULL OR {self._sections} IS NOT NULL"
            )
            for doc_id, pages, sections, length in cursor.execute(laid_out).fetchall():
                problems += [problem_line(problem, doc_id) for problem in layout_problems(pages, sections, length)]
        return problems

    @under_writer_lock
    def repair(self) -> list[str]:
        """Remove documents whose passages or vectors are damaged (the next indexing stores them again), restore the
        embedding column and recompute everything derived: postings, term statistics, counts and all indexes."""
        self._require_writable("repair it")
        done = []
        with self._write("repairing the store") as (cursor, settings):
            damaged = [row[0] for row in _damaged_documents(cursor, settings)]
            if damaged:
                cursor.execute("DELETE FROM documents WHERE id = ANY(%s)", (damaged,))
                done.append(
                    f"removed {counted(len(damaged), 'damaged document')}, to be indexed again: {', '.join(damaged[:5])}"
                    + (", ..." if len(damaged) > 5 else "")
                )
            if settings is None:
                cursor.execute("SELECT count(*) FROM documents")
                if _row(cursor)[0]:
                    done.append("cannot restore the missing settings stamp: clear the store and index it again")
            elif self._schema_problems(cursor, settings):
                self._set_dimension(cursor, settings.dimension)
                done.append(f"restored the embedding column as vector({settings.dimension}) with its HNSW index")
            passages = self._rebuild_postings(cursor)
            done.append(f"recomputed the keyword postings, term statistics and counts of {passages} passages")
            for table in TABLES:
                cursor.execute(f"REINDEX TABLE {table}")
            done.append(f"rebuilt every index (HNSW and B-tree) of {', '.join(TABLES)}")
        return done

    def backup(self, path: str | Path) -> None:
        """Dump the store's tables with ``pg_dump`` (custom format, one consistent snapshot) into the new file
        ``path``."""
        with new_backup_file(path) as temporary:
            tables = [f"--table={self._namespace}.{table}" for table in STORE_TABLES]
            self._run_client("pg_dump", ["--format=custom", f"--file={temporary}", *tables])

    def restore(self, path: str | Path) -> None:
        """Replace the store's tables with a backup's (``pg_restore --clean``, in one transaction, under the writer
        lock); the generation goes on from the higher of the two. A backup restores into the schema it was taken
        from (the same collection) only."""
        source = backup_file(path)
        listed = set(LISTED_TABLE.findall(self._run_client("pg_restore", ["--list", str(source)], database=False)))
        if listed != {(self._namespace, table) for table in STORE_TABLES}:
            schemas = ", ".join(sorted({schema for schema, _ in listed})) or "none"
            raise StoreError(
                f"{source} is not a backup of the store's tables in the schema {self._namespace} (its schemas: "
                f"{schemas}); a backup restores into the collection it was taken from"
            )
        with self.writer(timeout=self.write_timeout):
            generation = self.manifest().generation
            options = ["--clean", "--if-exists", "--single-transaction", "--no-owner", "--no-privileges"]
            self._run_client("pg_restore", [*options, str(source)])
            with self._connection("restoring the store") as connection:
                self._ensure_schema(connection)  # a backup of the previous format gains what it lacks
            with self._write("restoring the store") as (cursor, _):
                cursor.execute("UPDATE store_meta SET generation = greatest(generation, %s)", (generation + 1,))

    def close(self) -> None:
        """Close the connections; the handle cannot be used afterwards."""
        self._connections.close()

    @property
    def _namespace(self) -> str:
        """The schema of the store's tables."""
        return self.schema or "public"

    def _run_client(self, program: str, arguments: list[str], database: bool = True) -> str:
        """The output of the PostgreSQL client ``program`` (``pg_dump``, ``pg_restore``) run on this database (the
        password passed in PGPASSWORD, never on its command line); StoreError with its first complaint when it fails."""
        from psycopg.conninfo import make_conninfo

        from qa.store.postgres.server import client_program

        conninfo = make_conninfo(**{key: value for key, value in self._params.items() if key != "password"})
        command = [client_program(program), "--no-password", *arguments]
        command += [f"--dbname={conninfo}"] if database else []
        environment = {**os.environ, **({"PGPASSWORD": self._password} if self._password else {})}
        try:
            done = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)
        except OSError as error:
            raise StoreError(f"{program} could not run: {error.strerror or error}") from None
        if done.returncode:
            complaint = next((line.strip() for line in done.stderr.splitlines() if line.strip()), "")
            shown = masked_location(complaint.removeprefix(f"{program}: error: ") or f"exit status {done.returncode}")
            raise StoreError(f"{program} failed on the store at {self.shown}: {shown}")
        return done.stdout

    # -- connections and errors ---------------------------------------------------------------------------------

    def _conninfo(self) -> dict[str, Any]:
        import psycopg

        try:
            return psycopg.conninfo.conninfo_to_dict(self.location)
        except psycopg.Error as error:
            raise StoreUnavailable(f"cannot open the store at {self.shown}: {_one_line(error, None)}") from None

    def _open(self) -> psycopg.Connection:
        """A new autocommit connection, read-only on the server side for a read-only store."""
        import psycopg

        params = self._params
        options = " ".join(
            filter(
                None,
                [
                    params.get("options"),
                    "-c default_transaction_read_only=on" if self.read_only else None,
                    f"-c search_path={self.schema},public" if self.schema else None,
                ],
            )
        )
        try:
            return psycopg.connect(
                self.location,
                autocommit=True,
                prepare_threshold=None,
                options=options or None,
                connect_timeout=params.get("connect_timeout", 10),
                application_name=params.get("application_name", "qa"),
            )
        except psycopg.Error as error:
            raise StoreUnavailable(
                f"cannot open the store at {self.shown}: {_one_line(error, self._password)}"
                f"{unreachable_hint(error, self.location)}"
            ) from None

    def _opened(self, prepare: Callable[[psycopg.Connection], None] | None = None) -> psycopg.Connection:
        """A new connection, ``prepare``d (the schema made sure of, for the first) and with pgvector's types
        registered; closed again, and the error the store's (``_errors``), when that fails: a server restarting
        may accept a connection and end it at once."""
        connection = self._open()
        try:
            with self._errors("opening the store"):
                if prepare is not None:
                    prepare(connection)
                self._register(connection)
        except BaseException:
            connection.close()
            raise
        return connection

    @staticmethod
    def _register(connection: psycopg.Connection) -> None:
        from pgvector.psycopg import register_vector

        register_vector(connection)

    def _ensure_schema(self, connection: psycopg.Connection) -> None:
        """Create the extension and tables, or add what a store of a previous format lacks (ADD_COLUMNS), in one
        transaction serialised across processes by an advisory lock (a collection's schema first)."""
        if self.schema is not None:
            self._ensure_namespace(connection)
        created, *present = _row(connection.execute(SCHEMA_STATE))
        if created and all(present):
            return
        if self.read_only:
            if not created:
                raise StoreUnavailable(
                    f"there is no store at {self.shown} yet, and a read-only handle cannot create one"
                )
            # read as it is, without what it lacks, until a writer opens it
            self._page_starts, self._sections = (
                c if has else "NULL" for c, has in zip(ADDED_COLUMNS, present, strict=True)
            )
            return
        with connection.transaction():
            connection.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
            created, *present = _row(connection.execute(SCHEMA_STATE))
            if created and all(present):  # made meanwhile by the process that held the lock: no DDL, whose locks
                return  # would deadlock with that process binding the store (it reads documents, alters passages)
            connection.execute(SCHEMA)
            connection.execute(ADD_COLUMNS)

    def _ensure_namespace(self, connection: psycopg.Connection) -> None:
        """The collection's schema, created when missing (a read-only handle cannot: StoreUnavailable)."""
        if _row(connection.execute("SELECT to_regnamespace(%s) IS NOT NULL", (self.schema,)))[0]:
            return
        if self.read_only:
            raise StoreUnavailable(f"there is no store at {self.shown} yet, and a read-only handle cannot create one")
        with connection.transaction():
            connection.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
            connection.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')

    @contextmanager
    def _errors(self, action: str) -> Iterator[None]:
        """Turn psycopg errors into the store's: read-only, unavailable (connection lost) or a plain StoreError."""
        import psycopg
        from psycopg import errors

        try:
            yield
        except psycopg.Error as error:
            reason = _one_line(error, self._password)
            if isinstance(error, (errors.ReadOnlySqlTransaction, errors.InsufficientPrivilege)):
                raise StoreReadOnly(f"the store at {self.shown} is read-only: {reason}") from None
            if isinstance(error, psycopg.OperationalError) and (error.sqlstate or "08").startswith(("08", "57P")):
                raise StoreUnavailable(f"lost the store at {self.shown} while {action}: {reason}") from None
            raise StoreError(f"{action} failed at {self.shown}: {reason}") from None

    @contextmanager
    def _connection(self, action: str) -> Iterator[psycopg.Connection]:
        with self._connections.borrow() as connection, self._errors(action):
            yield connection

    def _fetch(self, action: str, query: str, params: Sequence[Any] | dict[str, Any] | None = None) -> list[tuple]:
        with self._connection(action) as connection:
            return connection.execute(query, params).fetchall()

    @contextmanager
    def _write(self, action: str) -> Iterator[tuple[psycopg.Cursor, StoreSettings | None]]:
        """A transaction that first bumps the generation: the row lock on store_meta orders all writers, so the
        counters and term statistics they update stay exact. Yields the cursor and the current settings."""
        with self._connection(action) as connection, connection.transaction(), connection.cursor() as cursor:
            stamp = _row(cursor.execute("UPDATE store_meta SET generation = generation + 1 RETURNING settings"))
            yield cursor, self._settings(stamp[0])

    def _require_writable(self, action: str) -> None:
        if self.read_only:
            raise StoreReadOnly(f"the store at {self.shown} is read-only: cannot {action}")

    def _busy(self, timeout: float) -> StoreBusy:
        return busy(self._shown, timeout)

    @property
    def _shown(self) -> str:
        """The store as messages name it."""
        return f"the store at {self.shown}"

    def _lock_writer(self, deadline: float, timeout: float) -> psycopg.Connection:
        """A connection holding the writer advisory lock, tried until ``deadline``; StoreReadOnly on a replica."""
        connection = self._open()
        try:
            with self._errors("taking the writer lock"):
                if _row(connection.execute("SELECT pg_is_in_recovery()"))[0]:
                    raise StoreReadOnly(f"the store at {self.shown} is read-only: {REPLICA}")
                while not _row(connection.execute("SELECT pg_try_advisory_lock(%s)", (self._writer_key,)))[0]:
                    if time.monotonic() >= deadline:
                        raise self._busy(timeout)
                    time.sleep(min(0.05, max(deadline - time.monotonic(), 0.0)))
        except BaseException:
            connection.close()
            raise
        return connection

    # -- schema and derived data --------------------------------------------------------------------------------

    def _settings(self, stamp: dict | None) -> StoreSettings | None:
        from pydantic import ValidationError

        try:
            return None if stamp is None else StoreSettings.model_validate(stamp)
        except ValidationError:
            raise damaged(self._shown, problem_line("its settings stamp is unreadable")) from None

    def _bind_verdict(self, executor: psycopg.Connection | psycopg.Cursor, settings: StoreSettings) -> bool | None:
        """``bind_verdict`` of this store: True, bound to ``settings`` already; False, it holds documents made with
        other settings; None: free to stamp."""
        stamp, holds_documents = _row(executor.execute(BINDING))
        return bind_verdict(self._settings(stamp), settings, holds_documents)

    @staticmethod
    def _set_dimension(cursor: psycopg.Cursor, dimension: int | None) -> None:
        """Type the (empty or uniform) embedding column as vector(dimension) with its HNSW index, or untype it."""
        cursor.execute("DROP INDEX IF EXISTS passages_embedding")
        column_type = f"vector({int(dimension)})" if dimension else "vector"
        cursor.execute(f"ALTER TABLE passages ALTER COLUMN embedding TYPE {column_type}")
        if dimension:
            cursor.execute(HNSW_INDEX)

    @staticmethod
    def _schema_problems(cursor: psycopg.Cursor, settings: StoreSettings | None) -> list[str]:
        if settings is None:
            return []
        column_type, has_index = _row(cursor.execute(EMBEDDING_TYPE))
        problems = [] if has_index else ["the HNSW index passages_embedding is missing"]
        if column_type != f"vector({settings.dimension})":
            problems.append(f"the embedding column is {column_type}, the settings say vector({settings.dimension})")
        return problems

    @staticmethod
    def _remove(cursor: psycopg.Cursor, ids: list[str]) -> int:
        """Delete documents (their passages and postings cascade) after taking them out of the statistics."""
        _account(cursor, ids, -1)
        cursor.execute("DELETE FROM documents WHERE id = ANY(%s)", (ids,))
        return cursor.rowcount

    @staticmethod
    def _rebuild_postings(cursor: psycopg.Cursor) -> int:
        """Recompute postings, token counts, term statistics and counters from the passage texts (and their files'
        names, ``passage_tokens``)."""
        cursor.execute("TRUNCATE passage_terms, term_stats")
        cursor.execute("UPDATE store_meta SET passage_count = 0, token_count = 0")
        rows = cursor.execute(
            "SELECT p.document_id, p.id, p.text, d.source FROM passages p JOIN documents d ON d.id = p.document_id "
            "ORDER BY p.document_id, p.id"
        ).fetchall()
        tokens = passage_tokens([(source, text) for _, _, text, source in rows])
        cursor.execute(
            "UPDATE passages p SET token_count = t.tokens "
            "FROM unnest(%s::text[], %s::text[], %s::int[]) AS t (document_id, id, tokens) "
            "WHERE p.document_id = t.document_id AND p.id = t.id AND p.token_count <> t.tokens",
            ([row[0] for row in rows], [row[1] for row in rows], [len(t) for t in tokens]),
        )
        _copy(
            cursor,
            "passage_terms",
            (
                posting
                for (document_id, passage_id, _, _), words in zip(rows, tokens, strict=True)
                for posting in _postings(document_id, passage_id, words)
            ),
        )
        _account(cursor, sorted({row[0] for row in rows}), +1)
        return len(rows)


def _row(cursor: Any) -> tuple[Any, ...]:
    """The one row a statement that always returns one (an aggregate, a RETURNING) returned."""
    row = cursor.fetchone()
    if row is None:
        raise StoreDamaged("the database returned no row where it must return one")
    return row


def _one_line(error: Exception, password: str | None) -> str:
    """The first line of an error's message, never showing a password."""
    diagnostic = getattr(error, "diag", None)
    message = ((diagnostic.message_primary if diagnostic is not None else None) or str(error)).strip()
    line = masked_location(message.splitlines()[0]) if message else type(error).__name__
    return line.replace(password, "***") if password else line


NOT_LISTENING = ("Connection refused", "No such file or directory", "Is the server running")


def unreachable_hint(error: Exception, location: str) -> str:
    """What to add to the message of a connection that failed because no server listens: "; is the server
    running?", naming ``qa postgres start`` when the URL's host is the socket folder of an embedded server (its data
    folder); "" for other failures (a wrong password, an unknown database...)."""
    import psycopg

    if not isinstance(error, psycopg.OperationalError) or not any(text in str(error) for text in NOT_LISTENING):
        return ""
    from qa.store.postgres.server import DEFAULT_DATA_DIR, is_embedded_data

    try:
        hosts = str(psycopg.conninfo.conninfo_to_dict(location).get("host") or "").split(",")
    except psycopg.Error:
        hosts = []
    for host in hosts:
        if host.startswith("/") and is_embedded_data(host):
            data = "" if Path(host).resolve() == DEFAULT_DATA_DIR.resolve() else f" --data {host}"
            return f"; is the server running? (qa postgres start{data})"
    return "; is the server running?"


def _sections_jsonb(sections: list[Section] | None) -> Any:
    """Sections as the jsonb column takes them (a list of objects), or None (SQL NULL, not JSON null)."""
    from psycopg.types.json import Jsonb

    return None if sections is None else Jsonb([section.model_dump() for section in sections])


def _copy_batch(
    cursor: psycopg.Cursor, batch: list[DocumentWrite], tokens: list[list[str]], bulk: Counter[str] | None = None
) -> int:
    """COPY the documents of ``batch`` with their passages (``tokens``: each passage's keyword tokens) and postings;
    returns the number of tokens. ``bulk``: into tables emptied in this transaction (COPY FREEZE), counting each
    term's passages there."""
    freeze = bulk is not None
    _copy(
        cursor,
        "documents",
        (
            (
                item.document.id,
                item.document.title,
                item.document.source,
                item.document.id,
                item.size,
                item.mtime,
                len(item.passages),
                item.document.text,
                item.document.page_starts,
                _sections_jsonb(item.document.sections),
            )
            for item in batch
        ),
        freeze,
    )
    placed = [
        (item.document.id, passage, vector)
        for item in batch
        for passage, vector in zip(item.passages, np.asarray(item.vectors, np.float32), strict=True)
    ]
    rows = list(zip(placed, tokens, strict=True))
    _copy(
        cursor,
        "passages",
        (
            (doc_id, passage.id, passage.start, passage.end, passage.text, len(passage_tokens), vector)
            for (doc_id, passage, vector), passage_tokens in rows
        ),
        freeze,
    )
    _copy(
        cursor,
        "passage_terms",
        (
            posting
            for (doc_id, passage, _), passage_tokens in rows
            for posting in _postings(doc_id, passage.id, passage_tokens, bulk)
        ),
        freeze,
    )
    return sum(len(passage_tokens) for passage_tokens in tokens)


def _postings(
    document_id: str, passage_id: str, tokens: list[str], passages_per_term: Counter[str] | None = None
) -> Iterator[tuple[str, str, str, int, int]]:
    """passage_terms rows of one passage: each distinct term with its frequency and the passage length (each term
    counted once in ``passages_per_term``, when given)."""
    frequencies = Counter(tokens)
    if passages_per_term is not None:
        passages_per_term.update(frequencies.keys())
    for term, frequency in frequencies.items():
        yield document_id, passage_id, term, frequency, len(tokens)


def _copy(cursor: psycopg.Cursor, table: str, rows: Iterable[tuple], freeze: bool = False) -> None:
    """Binary COPY of ``rows`` into ``table`` (columns as in COPY_COLUMNS); ``freeze``: rows written frozen and
    their pages all-visible (the table must have been emptied in this transaction), so that neither readers nor
    VACUUM have to visit them again."""
    names, types = zip(*COPY_COLUMNS[table], strict=True)
    options = "FORMAT BINARY, FREEZE" if freeze else "FORMAT BINARY"
    with cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN ({options})") as copy:
        copy.set_types(list(types))
        for row in rows:
            copy.write_row(row)


def _weighted_terms(frequencies: list[tuple], repeats: Counter[str]) -> list[tuple[str, float, int]]:
    """(term, weight, postings so far) of the stored terms among ``repeats``, rarest first: a term's weight is its
    idf (as in bm25s, Lucene's) times how often it is asked; the postings count its own and all rarer terms'."""
    passages = frequencies[0][0]
    stored = sorted((df, term) for _, _, term, df in frequencies if term is not None)
    postings = list(itertools.accumulate(df for df, _ in stored))
    return [
        (term, repeats[term] * math.log(1 + (passages - df + 0.5) / (df + 0.5)), total)
        for (df, term), total in zip(stored, postings, strict=True)
    ]


def _term_arrays(terms: list[tuple[str, float, int]]) -> dict[str, list]:
    """The terms and weights of ``_weighted_terms`` as the keyword queries take them."""
    return {"terms": [term for term, _, _ in terms], "weights": [weight for _, weight, _ in terms]}


def _chunks(items: Iterable[DocumentWrite], size: int) -> Iterator[list[DocumentWrite]]:
    """Lists of ``size`` consecutive items (the last one shorter), read as they are needed."""
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _set_aside(cursor: psycopg.Cursor) -> set[str]:
    """The ids of the stored documents, whose rows (and their passages' and postings') are copied into temporary
    tables that go with the transaction, to be put back by ``_restore``."""
    kept = {document_id for (document_id,) in cursor.execute("SELECT id FROM documents").fetchall()}
    if kept:
        for table in ("documents", "passages", "passage_terms"):
            cursor.execute(f"CREATE TEMPORARY TABLE kept_{table} ON COMMIT DROP AS TABLE {table}")
    return kept


def _restore(cursor: psycopg.Cursor, ids: list[str]) -> tuple[int, int]:
    """Put back the set-aside documents ``ids`` with their passages and postings; returns their passages and tokens."""
    if not ids:
        return 0, 0
    cursor.execute("INSERT INTO documents SELECT * FROM kept_documents WHERE id = ANY(%s)", (ids,))
    for table in ("passages", "passage_terms"):
        cursor.execute(f"INSERT INTO {table} SELECT * FROM kept_{table} WHERE document_id = ANY(%s)", (ids,))
    cursor.execute(
        "SELECT count(*), coalesce(sum(token_count), 0) FROM kept_passages WHERE document_id = ANY(%s)", (ids,)
    )
    passages, tokens = _row(cursor)
    return int(passages), int(tokens)


def _drop_keys(cursor: psycopg.Cursor) -> list[tuple[str, str]]:
    """Drop the keys and indexes of passages and passage_terms (BULK_KEYS, BULK_INDEXES); returns (name, statement)
    pairs that build them again, in order (the HNSW index as HNSW_INDEX, whatever its parameters were)."""
    from psycopg import sql

    keys = cursor.execute(BULK_KEYS).fetchall()
    indexes = [
        (name, HNSW_INDEX if name == "passages_embedding" else definition)
        for name, definition in cursor.execute(BULK_INDEXES).fetchall()
    ]
    for table, name, _, _ in sorted(keys, key=lambda key: not key[3]):  # foreign keys first
        cursor.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(sql.SQL(table), sql.Identifier(name)))
    for name, _ in indexes:
        cursor.execute(sql.SQL("DROP INDEX {}").format(sql.SQL(name)))
    build = [
        (
            name,
            sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}")
            .format(sql.SQL(table), sql.Identifier(name), sql.SQL(definition))
            .as_string(cursor),
        )
        for table, name, definition, _ in keys
    ]
    primary = [pair for pair, (_, _, _, foreign) in zip(build, keys, strict=True) if not foreign]
    return primary + indexes + [pair for pair in build if pair not in primary]


def _build_keys(
    cursor: psycopg.Cursor, statements: list[tuple[str, str]], passages: int, dimension: int, progress: bool
) -> None:
    """Run ``statements`` (from ``_drop_keys``) with maintenance_work_mem sized for the HNSW graph of ``passages``
    vectors (``_maintenance_memory``) and a parallel worker for each core but one."""
    workers = max(1, min(7, (os.cpu_count() or 2) - 1))
    cursor.execute(
        "SELECT set_config('maintenance_work_mem', %s, true), set_config('max_parallel_maintenance_workers', %s, true)",
        (f"{_maintenance_memory(cursor, passages, dimension) // 1024}kB", str(workers)),
    )
    cursor.connection.add_notice_handler(_warn)  # pgvector says when the HNSW graph outgrows maintenance_work_mem
    try:
        with tqdm(statements, desc="building indexes", unit=" indexes", disable=not progress) as bar:
            for name, statement in bar:
                bar.set_postfix_str(name)
                cursor.execute(statement)
    finally:
        cursor.connection.remove_notice_handler(_warn)


def _warn(notice: Diagnostic) -> None:
    """Log a notice of the server (while building indexes) as a warning."""
    log.warning("PostgreSQL: %s %s", notice.message_primary, notice.message_hint or "")


def _maintenance_memory(cursor: psycopg.Cursor, passages: int, dimension: int) -> int:
    """Bytes of maintenance_work_mem for building the indexes of ``passages`` vectors: enough for pgvector's HNSW
    graph (HNSW_BYTES_PER_PASSAGE), at most half the memory this machine has available (the server is assumed
    to run on one like it), never less than the server's own setting."""
    current = _row(cursor.execute("SELECT setting::bigint * 1024 FROM pg_settings WHERE name = 'maintenance_work_mem'"))
    graph = passages * (4 * dimension + HNSW_BYTES_PER_PASSAGE) * 5 // 4
    return max(min(max(graph, MAINTENANCE_MEMORY_MIN), _available_memory() // 2), int(current[0]))


def _available_memory() -> int:
    """Bytes of memory this machine has available (MemAvailable on Linux, else its free pages; 2 GiB if unknown)."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES")
    except (AttributeError, OSError, ValueError):
        return 2 * 2**30


def _account(cursor: psycopg.Cursor, ids: list[str], sign: int) -> None:
    """Add (+1) or subtract (-1) the stored passages of documents ``ids`` to the term statistics and counters."""
    cursor.execute(ADD_TERM_STATS if sign > 0 else SUBTRACT_TERM_STATS, {"ids": ids})
    cursor.execute(COUNT_PASSAGES, {"ids": ids, "sign": sign})


def _damaged_documents(cursor: psycopg.Cursor, settings: StoreSettings | None) -> list[tuple]:
    dimension = settings.dimension if settings else None
    return cursor.execute(DAMAGED_DOCUMENTS, {"dimension": dimension, "tolerance": UNIT_NORM_TOLERANCE}).fetchall()


def _damage(row: tuple) -> str:
    """One line for a damaged document from a DAMAGED_DOCUMENTS row."""
    document_id, source, recorded, stored, wrong_dimension, not_unit, out_of_range, text_differs = row
    reasons = [f"records {recorded} passages but {stored} are stored"] if recorded != stored else []
    counted = [
        (wrong_dimension, "vectors of another dimension"),
        (not_unit, "vectors not of unit length"),
        (out_of_range, "passages with offsets outside the text"),
        (text_differs, "passages whose text differs from the document at their offsets"),
    ]
    reasons += [f"{count} {what}" for count, what in counted if count]
    return problem_line("; ".join(reasons), document_id, source=source)


def _statistics_problems(row: tuple) -> list[str]:
    recorded_passages, recorded_tokens, passages, tokens, posted_tokens, postings, df_total = row
    problems = []
    if (recorded_passages, recorded_tokens) != (passages, tokens):
        problems.append(
            f"the counters say {recorded_passages} passages of {recorded_tokens} tokens, the passages "
            f"table holds {passages} of {tokens}"
        )
    if posted_tokens != tokens:
        problems.append(f"the keyword postings hold {posted_tokens} tokens, the passages {tokens}")
    if df_total != postings:
        problems.append(f"the term statistics count {df_total} postings, passage_terms holds {postings}")
    return problems
