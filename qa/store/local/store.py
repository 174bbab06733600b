"""The local store: SQLite (documents, passages, vectors, keyword tokens) with in-memory FAISS and BM25 kept in step."""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
import threading
import uuid
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic_core import to_json

from qa.models import Document, Passage, Section
from qa.store.local.keywords import KeywordIndex
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
    batched,
    bind_verdict,
    busy,
    damaged,
    document_problem,
    keyword_tokens,
    layout_problems,
    new_backup_file,
    no_settings,
    passage_problem,
    problem_document,
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
    import filelock

log = logging.getLogger(__name__)

DATABASE_FILE = "store.sqlite"
LOCK_FILE = "writer.lock"
DENSE_CACHE_FILE = "vectors.faiss"
KEYWORD_CACHE_FILE = "keywords.npz"
DENSE_CACHE_INFO = "vectors.json"  # describes both cache files
CACHE_FILES = (DENSE_CACHE_FILE, KEYWORD_CACHE_FILE, DENSE_CACHE_INFO)
SCHEMA_VERSION = 5
# Formats migrated in place (3 lacks the documents' page_starts and sections, 4 their sections); older ones are set
# aside. ADDED_COLUMNS: the documents' columns added since format 3 (JSON text), in order.
PREVIOUS_SCHEMAS = ("3", "4")
ADDED_COLUMNS = ("page_starts", "sections")
# Past this many passages the dense index is an inverted-file (IVF) index searched approximately; flat below it.
ANN_MIN_PASSAGES = 200_000
ANN_CALIBRATION_RECALL = 0.99
IVF_LISTS_PER_ROOT = 2  # an IVF index of n vectors has 2·√n lists, trained on 64 sample vectors per list
# The dense cache file is rewritten when this share of the passages changed since it was written.
CACHE_REWRITE_SHARE = 0.1
READ_BATCH = 20_000
# Times a compaction copies the dense index again when a change was committed between its copy and its snapshot.
COMPACTION_TRIES = 3
# Milliseconds the journal checkpoint at the end of a write waits for readers before copying what they allow.
CHECKPOINT_WAIT_MS = 500
PASSAGE_ROWS = "SELECT rowid, text, vector, crc, tokens FROM passages"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, source TEXT NOT NULL, size INTEGER NOT NULL, mtime REAL NOT NULL,
    passage_count INTEGER NOT NULL, text TEXT NOT NULL, page_starts TEXT, sections TEXT);
CREATE INDEX IF NOT EXISTS documents_source ON documents(source);
CREATE TABLE IF NOT EXISTS passages (
    rowid INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    start INTEGER NOT NULL, end INTEGER NOT NULL, text TEXT NOT NULL, vector BLOB NOT NULL, crc INTEGER NOT NULL,
    tokens TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS passages_document ON passages(document_id);
CREATE TABLE IF NOT EXISTS changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, passage INTEGER NOT NULL,
    added INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS ignored (source TEXT PRIMARY KEY);
"""


def passage_crc(text: str, vector: bytes, tokens: str = "") -> int:
    """Checksum of a stored passage: its text, its vector's bytes and its keyword tokens."""
    crc = zlib.crc32(vector, zlib.crc32(text.encode("utf-8")))
    return zlib.crc32(tokens.encode("utf-8"), crc) if tokens else crc


def file_crc(path: Path) -> int:
    crc = 0
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            crc = zlib.crc32(block, crc)
    return crc


@contextmanager
def faiss_alone() -> Iterator[None]:
    """FAISS runs on this thread alone meanwhile: one question's search gains nothing from threads, and the OpenMP
    team it would leave on each asking thread slowed every PyTorch pass as a second PyTorch team does (see
    ``qa.runtime.torch_lane``)."""
    import faiss

    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)  # this thread's setting only
    try:
        yield
    finally:
        faiss.omp_set_num_threads(threads)


class DenseIndex:
    """FAISS over the stored vectors, ids = passage rowids: exact (flat) when small, IVF past ANN_MIN_PASSAGES."""

    def __init__(self, dimension: int, index=None, nprobe: int = 0, recall: float | None = None):
        import faiss

        self.dimension = dimension
        self.index: Any = index if index is not None else faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))
        self.nprobe = nprobe
        self.recall = recall

    @property
    def approximate(self) -> bool:
        return self.nprobe > 0

    @classmethod
    def create(cls, dimension: int, count: int, sample: np.ndarray) -> DenseIndex:
        """An empty index for about ``count`` vectors: flat below ANN_MIN_PASSAGES, else IVF trained on ``sample``."""
        import faiss

        if count < ANN_MIN_PASSAGES:
            return cls(dimension)
        lists = int(IVF_LISTS_PER_ROOT * np.sqrt(count))
        ivf = faiss.IndexIVFFlat(faiss.IndexFlatIP(dimension), dimension, lists, faiss.METRIC_INNER_PRODUCT)
        ivf.train(sample)
        return cls(dimension, ivf, nprobe=1)

    def calibrate(self, queries: np.ndarray, truth: np.ndarray) -> None:
        """Raise an IVF index's nprobe until its recall@10 against ``truth`` (exact top-10 ids) reaches
        ANN_CALIBRATION_RECALL, then double it: questions sit farther from passages than these queries (midpoints
        of two stored vectors), so they need more lists. On SQuAD train at 400,000 passages, midpoints reached
        0.99 at nprobe 16, where real questions reached 0.95; at 32, 0.97."""
        if not self.approximate:
            return
        nprobe, lists = 1, self.index.nlist
        while True:
            self.index.nprobe = nprobe
            _, found = self.index.search(queries, 10)
            self.recall = float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, truth, strict=True)]))
            if self.recall >= ANN_CALIBRATION_RECALL or nprobe >= lists:
                break
            nprobe = min(2 * nprobe, lists)
        self.nprobe = min(2 * nprobe, lists)

    def reserve(self, batches: Iterable[np.ndarray]) -> None:
        """Give each inverted list room for exactly the vectors of ``batches`` that the quantizer sends to it."""
        import faiss

        counts = np.zeros(self.index.nlist, np.int64)
        for vectors in batches:
            _, lists = self.index.quantizer.search(vectors, 1)
            counts += np.bincount(lists[:, 0], minlength=self.index.nlist)
        inverted = faiss.downcast_InvertedLists(self.index.invlists)
        for number, size in enumerate(counts.tolist()):
            inverted.resize(number, size)  # a vector's capacity stays when it shrinks again
            inverted.resize(number, 0)

    def outgrown(self, count: int) -> bool:
        """Whether an index of ``count`` vectors should be built anew: of the other kind, or twice its trained size."""
        if not self.approximate:
            return count >= ANN_MIN_PASSAGES
        return count < ANN_MIN_PASSAGES // 2 or count > 2 * (self.index.nlist / IVF_LISTS_PER_ROOT) ** 2

    def copy(self) -> DenseIndex:
        """An independent copy (to save while this one goes on answering and taking changes)."""
        import faiss

        return DenseIndex(self.dimension, faiss.clone_index(self.index), self.nprobe, self.recall)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids):
            self.index.add_with_ids(vectors, ids)

    def remove(self, ids: np.ndarray) -> None:
        if len(ids):
            self.index.remove_ids(np.asarray(ids, dtype=np.int64))

    def search(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        if not self.index.ntotal or k <= 0:
            return []
        if self.approximate:
            self.index.nprobe = self.nprobe
        with faiss_alone():
            scores, ids = self.index.search(vector.reshape(1, -1).astype(np.float32), min(k, self.index.ntotal))
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    def save(self, folder: Path, seq: int, store: str | None, keywords: KeywordIndex) -> None:
        """Write the index, the keyword index and their info (the database they were made from, the change they
        cover, their checksums) atomically beside the database. Only the writer saves: temporary files a killed
        save left are removed."""
        import faiss

        for name in (DENSE_CACHE_FILE, KEYWORD_CACHE_FILE, DENSE_CACHE_INFO):
            for leftover in folder.glob(f".{name}.*.tmp"):
                leftover.unlink(missing_ok=True)
        temporary = folder / f".{DENSE_CACHE_FILE}.{os.getpid()}.tmp"
        faiss.write_index(self.index, str(temporary))
        with open(temporary, "rb") as handle:
            os.fsync(handle.fileno())
        keyword_temporary = folder / f".{KEYWORD_CACHE_FILE}.{os.getpid()}.tmp"
        keywords.save(keyword_temporary)
        info = {
            "store": store,
            "seq": seq,
            "crc": file_crc(temporary),
            "keywords_crc": file_crc(keyword_temporary),
            "count": int(self.index.ntotal),
            "nprobe": self.nprobe,
            "recall": self.recall,
            "dimension": self.dimension,
        }
        info_temporary = folder / f".{DENSE_CACHE_INFO}.{os.getpid()}.tmp"
        info_temporary.write_text(json.dumps(info), encoding="utf-8")
        temporary.replace(folder / DENSE_CACHE_FILE)
        keyword_temporary.replace(folder / KEYWORD_CACHE_FILE)
        info_temporary.replace(folder / DENSE_CACHE_INFO)

    @staticmethod
    def info(folder: Path, store: str | None, last_seq: int) -> dict:
        """The cache file's info; raises StoreDamaged when it is unreadable or was made from another database, or
        from a later state of this one (its journal was lost): its passage ids would name other passages."""
        try:
            info = json.loads((folder / DENSE_CACHE_INFO).read_text(encoding="utf-8"))
            matches = info.get("store") == store and int(info["seq"]) <= last_seq
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            raise StoreDamaged(f"dense cache in {folder} unreadable ({error})") from None
        if not matches:
            raise StoreDamaged(
                f"dense cache in {folder} does not match this database (made from another one, "
                f"or from a later state of it)"
            )
        return info

    @classmethod
    def load(
        cls, folder: Path, dimension: int, store: str | None, last_seq: int
    ) -> tuple[DenseIndex, KeywordIndex, int]:
        """The cached dense and keyword indexes and the change sequence they cover; raises StoreDamaged when one
        fails its checksum or they do not belong to the database (see ``info``)."""
        import faiss

        info = cls.info(folder, store, last_seq)
        path, keyword_path = folder / DENSE_CACHE_FILE, folder / KEYWORD_CACHE_FILE
        for file, crc in ((path, info.get("crc")), (keyword_path, info.get("keywords_crc"))):
            try:
                whole = file_crc(file) == crc
            except OSError as error:
                raise StoreDamaged(f"dense cache in {folder} unreadable ({error})") from None
            if not whole:
                raise StoreDamaged(f"{file} fails its checksum")
        try:
            index = faiss.read_index(str(path))
            keywords = KeywordIndex.load(keyword_path)
        except (OSError, KeyError, ValueError, RuntimeError) as error:
            raise StoreDamaged(f"dense cache in {folder} unreadable ({error})") from None
        if index.d != dimension or index.ntotal != info["count"] or keywords.count != info["count"]:
            raise StoreDamaged(f"dense cache in {folder} does not match the store")
        return cls(dimension, index, info["nprobe"], info["recall"]), keywords, int(info["seq"])


class LocalStore:
    """An index folder: ``store.sqlite`` holds everything, ``vectors.faiss`` caches the dense index.

    Every write is one SQLite transaction (WAL journal, full sync), so readers in any process see the last
    committed state and a crash loses nothing committed. One writer at a time across processes (a file lock).
    Each handle keeps its FAISS index in step by replaying the ``changes`` log of other handles' writes.
    """

    backend = "local"
    write_timeout = WRITE_TIMEOUT  # seconds a change waits for another handle's writer lock (see qa.store.rules)

    def __init__(self, location: str | Path, read_only: bool = False):
        self.folder = Path(location).expanduser()
        self.path = self.folder / DATABASE_FILE
        if not read_only:
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise StoreUnavailable(f"cannot create the index folder {self.folder}: {error.strerror}") from None
            read_only = not os.access(self.folder, os.W_OK) or (
                self.path.exists() and not os.access(self.path, os.W_OK)
            )
        elif not self.path.exists():
            raise StoreUnavailable(f"no index in {self.folder} ({DATABASE_FILE} missing)")
        self.read_only = read_only
        self._connections = threading.local()
        self._all_connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._dense: DenseIndex | None = None
        self._keywords = KeywordIndex()
        self._dense_seq = 0
        self._dense_generation = -1
        self._dense_store: str | None = None  # the database id the dense index was built from (a restore changes it)
        self._dense_lock = threading.RLock()
        self._writer_lock: filelock.BaseFileLock | None = None
        # The columns, or NULL where an index of a previous format opened read-only lacks them.
        self._page_starts, self._sections = ADDED_COLUMNS
        if not read_only:
            try:
                self._create()
                self._remove_first_format()
                schema = self._meta("schema")
                if schema in PREVIOUS_SCHEMAS:
                    self._migrate()
                elif schema != str(SCHEMA_VERSION):
                    log.warning("the index in %s has an older format: %s", self.folder, self._start_afresh("old"))
            except StoreReadOnly:  # writable by its permissions, refused all the same (a journal of another user)
                self.close()
                self.read_only = True
            except StoreDamaged:  # opened all the same: verify() reports it, repair() mends it, the rest raise it
                pass
        if self.read_only and self._meta("schema") in PREVIOUS_SCHEMAS:  # (fails now, not at the first question)
            present = self._document_columns(self._db())  # read as it is, without what it lacks, until migrated
            self._page_starts, self._sections = (c if c in present else "NULL" for c in ADDED_COLUMNS)

    def _create(self) -> None:
        """The tables, the schema version, the generation and an id that ties the dense cache file to this database."""
        with self._transaction() as db:
            for statement in filter(str.strip, SCHEMA.split(";")):
                db.execute(statement)
            db.execute(
                "INSERT OR IGNORE INTO meta VALUES ('schema', ?), ('generation', '0'), ('store', ?)",
                (str(SCHEMA_VERSION), uuid.uuid4().hex),
            )

    def _migrate(self) -> None:
        """Bring an index of a previous format up to this one in place: documents gain the columns it lacks, their
        page starts and sections (none yet: the next sync reads those files again and, their text unchanged, records
        them without embedding)."""
        with self._transaction() as db:
            schema = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
            if schema is None or schema[0] not in PREVIOUS_SCHEMAS:
                return  # another process migrated it meanwhile
            present = self._document_columns(db)
            for column in ADDED_COLUMNS:
                if column not in present:
                    db.execute(f"ALTER TABLE documents ADD COLUMN {column} TEXT")
            db.execute("UPDATE meta SET value = ? WHERE key = 'schema'", (str(SCHEMA_VERSION),))

    @staticmethod
    def _document_columns(db: sqlite3.Connection) -> set[str]:
        """The names of the documents table's columns."""
        return {row[1] for row in db.execute("PRAGMA table_info(documents)")}

    def _remove_first_format(self) -> None:
        """Delete an index of the first format (``CURRENT`` naming a ``v-*`` folder) left in this folder."""
        versions = list(self.folder.glob("v-*"))
        if (self.folder / "CURRENT").exists() or versions:
            log.warning("removing the index of an older format from %s; its documents are indexed again", self.folder)
            for version in versions:
                shutil.rmtree(version, ignore_errors=True)
            (self.folder / "CURRENT").unlink(missing_ok=True)

    # ------------------------------------------------------------------ connections and transactions

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._connections, "db", None)
        if db is None:
            try:
                if self.read_only:
                    db = sqlite3.connect(
                        f"file:{self.path}?mode=ro", uri=True, timeout=30, isolation_level=None, check_same_thread=False
                    )
                    try:
                        db.execute("SELECT 1 FROM meta LIMIT 1").fetchall()
                    except sqlite3.OperationalError:  # a WAL database in a folder we cannot write: read it as is
                        db.close()
                        db = sqlite3.connect(
                            f"file:{self.path}?mode=ro&immutable=1",
                            uri=True,
                            isolation_level=None,
                            check_same_thread=False,
                        )
                else:
                    db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
                    db.execute("PRAGMA journal_mode=WAL")
                    db.execute("PRAGMA synchronous=FULL")
                db.execute("PRAGMA foreign_keys=ON")
            except sqlite3.DatabaseError as error:
                if db is not None:
                    db.close()
                raise self._error(error) from None
            db.text_factory = _decode  # damaged text reads back as other text, which its checksum then refuses
            self._connections.db = db
            with self._connections_lock:
                self._all_connections.append(db)
        return db

    def _error(self, error: sqlite3.Error) -> StoreError:
        message = str(error)
        if "readonly" in message or "read-only" in message:
            return self._read_only()
        if "malformed" in message or "not a database" in message or "no such table" in message:
            return self._damaged(message)
        if "locked" in message or "busy" in message:
            return StoreBusy(f"the index in {self.folder} is busy: another process is writing ({message})")
        if "unable to open" in message:
            return StoreUnavailable(f"cannot open the index in {self.folder} ({message})")
        return StoreError(f"index in {self.folder}: {message}")

    def _read_only(self) -> StoreReadOnly:
        return StoreReadOnly(f"the index in {self.folder} is read-only: it answers but cannot be updated")

    @property
    def _shown(self) -> str:
        """The store as messages name it."""
        return f"the index in {self.folder}"

    def _damaged(self, what: str) -> StoreDamaged:
        return damaged(self._shown, what)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (BEGIN IMMEDIATE) that bumps the generation; rolled back on any error."""
        if self.read_only:
            raise self._read_only()
        db = self._db()
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            raise self._error(error) from None
        try:
            yield db
            db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")
            db.execute("COMMIT")
        except BaseException as error:
            db.execute("ROLLBACK")
            if isinstance(error, sqlite3.Error):
                raise self._error(error) from None
            raise

    def _query(self, sql: str, parameters=()) -> list[tuple]:
        try:
            return self._db().execute(sql, parameters).fetchall()
        except sqlite3.Error as error:
            raise self._error(error) from None

    def _meta(self, key: str) -> str | None:
        rows = self._query("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    # ------------------------------------------------------------------ the protocol

    def bind(self, settings: StoreSettings) -> bool:
        """Stamp a store holding no documents with ``settings`` (see ``bind_verdict``); False when it holds
        documents made with other settings. Stamping waits for the writer lock and decides again under it."""
        verdict = bind_verdict(self._settings(), settings, self._holds_documents())
        if verdict is not None:
            return verdict
        with self.writer(timeout=self.write_timeout), self._transaction() as db:
            verdict = bind_verdict(self._settings(), settings, self._holds_documents())
            if verdict is None:
                db.execute("INSERT OR REPLACE INTO meta VALUES ('settings', ?)", (settings.model_dump_json(),))
                if not self._holds_documents():  # else the same vectors, their record of what read the files anew
                    self._drop_cache_files()  # made with the previous stamp, if any: rebuilt (empty) from the database
        return verdict is None or verdict

    def _holds_documents(self) -> bool:
        return bool(self._query("SELECT EXISTS (SELECT 1 FROM documents)")[0][0])

    def _settings(self) -> StoreSettings | None:
        stamp = self._meta("settings")
        return StoreSettings.model_validate_json(stamp) if stamp else None

    @under_writer_lock
    def clear(self) -> None:
        with self._transaction() as db:
            db.execute("INSERT INTO changes (passage, added) SELECT rowid, 0 FROM passages")
            db.execute("DELETE FROM passages")
            db.execute("DELETE FROM documents")
            db.execute("DELETE FROM meta WHERE key = 'settings'")

    @contextmanager
    def writer(self, timeout: float = WRITE_TIMEOUT) -> Iterator[None]:
        import filelock

        if self.read_only:
            raise self._read_only()
        if self._writer_lock is None:
            self._writer_lock = filelock.FileLock(self.folder / LOCK_FILE)
        try:
            self._writer_lock.acquire(timeout=timeout)
        except filelock.Timeout:
            raise busy(self._shown, timeout) from None
        except OSError as error:  # (after Timeout, one of them) the lock is a directory, or cannot be opened
            lock = self.folder / LOCK_FILE
            raise StoreError(self._lock_problem() or f"cannot open {lock} ({error.strerror}); remove it") from None
        try:
            yield
            if self._writer_lock.lock_counter == 1:  # not after a failure: its error is the one to report
                self._save_dense_cache_if_stale()
                self._checkpoint_journal()
        finally:
            self._writer_lock.release()

    @under_writer_lock
    def write(self, items: list[DocumentWrite]) -> None:
        settings = self._settings()
        if settings is None:
            raise no_settings(self._shown)
        rows = []
        for item in items:
            problem = write_problem(len(item.passages), item.vectors, settings.dimension)
            if problem:
                raise write_error(item.document.id, problem)
            vectors = np.ascontiguousarray(item.vectors, dtype=np.float32).reshape(-1, settings.dimension)
            rows.append((item, vectors))
        with self._transaction() as db:
            for item, vectors in rows:
                self._delete(db, [item.document.id, *item.replaces])
                d = item.document
                row = (d.id, d.title, d.source, item.size, item.mtime, len(item.passages), d.text)
                db.execute(
                    "INSERT INTO documents (id, title, source, size, mtime, passage_count, text, page_starts, "
                    "sections) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*row, _json(d.page_starts), _json(d.sections)),
                )
                tokens = written_tokens([item])
                for passage, vector, words in zip(item.passages, vectors, tokens, strict=True):
                    blob = vector.tobytes()
                    rowid = db.execute(
                        "INSERT INTO passages (id, document_id, start, end, text, vector, crc, tokens) "
                        "VALUES (?,?,?,?,?,?,?,?)",
                        (
                            passage.id,
                            d.id,
                            passage.start,
                            passage.end,
                            passage.text,
                            blob,
                            passage_crc(passage.text, blob, " ".join(words)),
                            " ".join(words),
                        ),
                    ).lastrowid
                    db.execute("INSERT INTO changes (passage, added) VALUES (?, 1)", (rowid,))

    @staticmethod
    def _delete(db: sqlite3.Connection, document_ids: list[str]) -> int:
        removed = 0
        for doc_id in document_ids:
            rowids = [r for (r,) in db.execute("SELECT rowid FROM passages WHERE document_id = ?", (doc_id,))]
            db.executemany("INSERT INTO changes (passage, added) VALUES (?, 0)", [(r,) for r in rowids])
            db.execute("DELETE FROM passages WHERE document_id = ?", (doc_id,))
            removed += db.execute("DELETE FROM documents WHERE id = ?", (doc_id,)).rowcount
        return removed

    @under_writer_lock
    def delete(self, document_ids: list[str]) -> int:
        with self._transaction() as db:
            return self._delete(db, document_ids)

    @under_writer_lock
    def set_source(self, moved: Relocation) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE documents SET source = ?, size = ?, mtime = ?, page_starts = ?, sections = ?, "
                "title = COALESCE(?, title) WHERE id = ?",
                (
                    moved.source,
                    moved.size,
                    moved.mtime,
                    _json(moved.page_starts),
                    _json(moved.sections),
                    moved.title,
                    moved.document_id,
                ),
            )

    @under_writer_lock
    def ignore(self, sources: list[str], ignored: bool = True) -> None:
        with self._transaction() as db:
            db.executemany(
                "INSERT OR IGNORE INTO ignored VALUES (?)" if ignored else "DELETE FROM ignored WHERE source = ?",
                [(source,) for source in sources],
            )

    def ignored(self) -> set[str]:
        return {source for (source,) in self._query("SELECT source FROM ignored")}

    def documents(self, ids: list[str] | None = None) -> list[StoredDocument]:
        columns = f"id, title, source, size, mtime, passage_count, {self._page_starts}, {self._sections}"
        if ids is None:
            rows = self._query(f"SELECT {columns} FROM documents ORDER BY source")
        else:
            rows = []
            for chunk in batched(list(dict.fromkeys(ids))):
                rows += self._query(f"SELECT {columns} FROM documents WHERE id IN ({_marks(chunk)})", chunk)
            rows.sort(key=lambda row: row[2])
        return [
            StoredDocument(
                id=i,
                title=t,
                source=s,
                content_hash=i,
                size=z,
                mtime=m,
                passage_count=n,
                page_starts=_unjson(p),
                sections=self._read_sections(i, h),
            )
            for i, t, s, z, m, n, p, h in rows
        ]

    def get_documents(self, ids: list[str]) -> dict[str, Document]:
        found = {}
        for chunk in batched(list(dict.fromkeys(ids))):
            for i, t, s, text, pages, headings in self._query(
                f"SELECT id, title, source, text, {self._page_starts}, {self._sections} FROM documents "
                f"WHERE id IN ({_marks(chunk)})",
                chunk,
            ):
                problem = document_problem(i, text)
                if problem:
                    raise self._damaged(problem_line(problem, i))
                sections = self._read_sections(i, headings)
                found[i] = Document(id=i, title=t, source=s, text=text, page_starts=_unjson(pages), sections=sections)
        return found

    def _read_sections(self, doc_id: str, stored: str | None) -> list[Section] | None:
        """A document's stored sections; StoreDamaged when they cannot be read."""
        return read_sections(self._shown, doc_id, stored)

    def get_passages(self, ids: list[str]) -> dict[str, Passage]:
        found = {}
        for chunk in batched(list(dict.fromkeys(ids))):
            for i, d, s, e, text, blob, crc, tokens, length in self._query(
                "SELECT p.id, p.document_id, p.start, p.end, p.text, p.vector, p.crc, p.tokens, d.length "
                f"FROM passages p JOIN (SELECT id, length(text) AS length FROM documents WHERE id IN "
                f"(SELECT document_id FROM passages WHERE id IN ({_marks(chunk)}))) d ON d.id = p.document_id "
                f"WHERE p.id IN ({_marks(chunk)})",
                chunk + chunk,
            ):
                self._check_passage(i, d, text, blob, crc, tokens)
                problem = passage_problem(s, e, text, length)
                if problem:
                    raise self._damaged(problem_line(problem, d, i))
                found[i] = Passage(id=i, document_id=d, start=s, end=e, text=text)
        return found

    def get_vectors(self, ids: list[str]) -> dict[str, np.ndarray]:
        found = {}
        dimension = self._dimension()
        for chunk in batched(list(dict.fromkeys(ids))):
            for i, d, text, blob, crc, tokens in self._query(
                f"SELECT id, document_id, text, vector, crc, tokens FROM passages WHERE id IN ({_marks(chunk)})", chunk
            ):
                self._check_passage(i, d, text, blob, crc, tokens)
                vector = np.frombuffer(blob, np.float32).copy() if len(blob) % 4 == 0 else np.zeros(0, np.float32)
                problem = vector_problem(vector, dimension)
                if problem:
                    raise self._damaged(problem_line(problem, d, i))
                found[i] = vector
        return found

    def _check_passage(self, pid: str, doc_id: str, text: str, blob: bytes, crc: int, tokens: str) -> None:
        """Raise StoreDamaged when a passage row fails its checksum (the local store's own check on read)."""
        if passage_crc(text, blob, tokens) != crc:
            raise self._damaged(problem_line("fails its checksum", doc_id, pid))

    def dense_search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        with self._dense_lock:
            dense = self._catch_up()
            found = dense.search(np.asarray(vector, dtype=np.float32), k)
        return self._passage_ids(found)

    def keyword_search(self, text: str, k: int) -> list[tuple[str, float]]:
        words = keyword_tokens([text])[0] if text else []
        if not words or k <= 0:
            return []
        with self._dense_lock:
            self._catch_up()
            found = self._keywords.search(words, k)
        return self._passage_ids(found)

    def manifest(self) -> StoreManifest:
        documents, passages = self._query("SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM passages)")[0]
        return StoreManifest(
            backend=self.backend,
            location=str(self.folder),
            settings=self._settings(),
            document_count=documents,
            passage_count=passages,
            generation=int(self._meta("generation") or 0),
        )

    def close(self) -> None:
        with self._connections_lock:
            for db in self._all_connections:
                db.close()
            self._all_connections.clear()
        self._connections = threading.local()

    # ------------------------------------------------------------------ the dense index, kept in step

    def _passage_ids(self, found: list[tuple[int, float]]) -> list[tuple[str, float]]:
        if not found:
            return []
        rowids = [r for r, _ in found]
        ids = dict(self._query(f"SELECT rowid, id FROM passages WHERE rowid IN ({_marks(rowids)})", rowids))
        return [(ids[r], s) for r, s in found if r in ids]

    def _catch_up(self) -> DenseIndex:
        """The dense index with every committed change applied (cheap when nothing changed: one query), read in one
        snapshot: a compaction committed meanwhile must not drop changes between two of its queries."""
        with self._snapshot():
            generation = int(self._meta("generation") or 0)
            if self._dense is not None and generation == self._dense_generation:
                return self._dense
            store = self._meta("store")  # another id: the database was restored from a backup
            stale = self._dense is None or self._dense.dimension != self._dimension() or store != self._dense_store
            if stale or self._compacted() > self._dense_seq:  # a new kind of vector, or the changes it needs are gone
                self._dense, self._keywords, self._dense_seq = self._open_indexes()
                self._dense_store = store
            changes = self._query(
                "SELECT seq, passage, added FROM changes WHERE seq > ? ORDER BY seq", (self._dense_seq,)
            )
            if changes:
                with faiss_alone():  # (on the asking thread)
                    self._apply(changes)
                self._dense_seq = changes[-1][0]
            self._dense_generation = generation
            assert self._dense is not None  # opened above
            return self._dense

    @contextmanager
    def _snapshot(self) -> Iterator[None]:
        """A read transaction: every query inside sees the same committed state."""
        db = self._db()
        try:
            db.execute("BEGIN")
        except sqlite3.Error as error:
            raise self._error(error) from None
        try:
            yield
        finally:
            if db.in_transaction:  # it wrote nothing: ending it is all (an error may have ended it already)
                db.execute("ROLLBACK")

    def _apply(self, changes: list[tuple[int, int, int]]) -> None:
        """Replay changes in order: runs of additions are added in one go, removals removed."""
        assert self._dense is not None and self._keywords is not None  # opened before changes are replayed
        run: list[int] = []
        for _, rowid, added in [*changes, (0, 0, -1)]:
            if added == 1:
                run.append(rowid)
                continue
            if run:
                for rows in (self._query(f"{PASSAGE_ROWS} WHERE rowid IN ({_marks(c)})", c) for c in batched(run)):
                    ids, vectors, tokens = self._checked(rows)
                    self._dense.add(ids, vectors)
                    for passage, words in zip(ids.tolist(), tokens, strict=True):
                        self._keywords.add(passage, words)
                run = []
            if added == 0:
                self._dense.remove(np.array([rowid], dtype=np.int64))
                self._keywords.remove(rowid)

    def _checked(self, rows: list[tuple]) -> tuple[np.ndarray, np.ndarray, list[list[str]]]:
        """Rowids, vectors and keyword tokens of PASSAGE_ROWS rows, each checked against its checksum and, as every
        read of a vector is, its dimension and finiteness (``vector_problem``)."""
        dimension = self._dimension()
        for rowid, text, blob, crc, tokens in rows:
            if passage_crc(text, blob, tokens) != crc:
                raise self._row_damaged(rowid, "fails its checksum")
            if len(blob) != 4 * dimension:
                raise self._row_damaged(rowid, vector_problem(np.zeros(len(blob) // 4, np.float32), dimension))
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        vectors = np.frombuffer(b"".join(r[2] for r in rows), dtype=np.float32).reshape(-1, dimension)
        finite = np.isfinite(vectors).all(axis=1)
        if not finite.all():
            raise self._row_damaged(int(ids[np.argmin(finite)]), "its vector is not finite")
        return ids, vectors, [r[4].split() for r in rows]

    def _row_damaged(self, rowid: int, problem: str | None) -> StoreDamaged:
        """The StoreDamaged of the passage in row ``rowid``, named by its id and its document's."""
        named = self._query("SELECT id, document_id FROM passages WHERE rowid = ?", (rowid,))
        pid, doc_id = named[0] if named else (f"in row {rowid}", "unknown")
        return self._damaged(problem_line(problem or "is damaged", doc_id, pid))

    def _all_rows(self, select: str = PASSAGE_ROWS) -> Iterator[list[tuple]]:
        """Every passage's row (``select``, rowid first) in rowid order, READ_BATCH at a time."""
        last = 0
        while rows := self._query(f"{select} WHERE rowid > ? ORDER BY rowid LIMIT {READ_BATCH}", (last,)):
            yield rows
            last = rows[-1][0]

    def _vector_rows(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Rowids and vectors of every passage, unchecked (for sizing; the checked pass follows)."""
        dimension = self._dimension()
        for rows in self._all_rows("SELECT rowid, vector FROM passages"):
            yield (
                np.fromiter((r[0] for r in rows), np.int64, len(rows)),
                np.frombuffer(b"".join(r[1] for r in rows), np.float32).reshape(-1, dimension),
            )

    def _build_indexes(self) -> tuple[DenseIndex, KeywordIndex]:
        """Dense and keyword indexes of every stored passage, read in one pass of READ_BATCH rows (an IVF index is
        trained on a random sample first, then its nprobe set by recall against exact search on that pass)."""
        dimension = self._dimension()
        count = self._query("SELECT count(*) FROM passages")[0][0]
        sample = np.zeros((0, dimension), np.float32)
        if count >= ANN_MIN_PASSAGES:
            size = 64 * int(IVF_LISTS_PER_ROOT * np.sqrt(count))
            rows = self._query(
                f"{PASSAGE_ROWS} WHERE rowid IN (SELECT rowid FROM passages ORDER BY random() LIMIT {size})"
            )
            sample = self._checked(rows)[1]
        dense = DenseIndex.create(dimension, count, sample)
        if dense.approximate:  # size each list before filling it: grown by doubling, lists take 40% more memory
            dense.reserve(vectors for _, vectors in self._vector_rows())
        queries = sample[:200] + sample[200:400]  # midpoints: between topics, as questions are
        queries = (queries / np.maximum(np.linalg.norm(queries, axis=1, keepdims=True), 1e-9)).astype(np.float32)
        best_ids = np.zeros((len(queries), 0), np.int64)
        best_scores = np.zeros((len(queries), 0), np.float32)

        def chunks() -> Iterator[tuple[np.ndarray, list[list[str]]]]:
            nonlocal best_ids, best_scores
            for rows in self._all_rows():
                ids, vectors, tokens = self._checked(rows)
                dense.add(ids, vectors)
                if len(queries):  # the exact top 10 of the calibration queries, kept as the pass goes
                    best_scores = np.hstack([best_scores, queries @ vectors.T])
                    best_ids = np.hstack([best_ids, np.broadcast_to(ids, (len(queries), len(ids)))])
                    top = np.argsort(-best_scores, axis=1)[:, :10]
                    best_scores = np.take_along_axis(best_scores, top, 1)
                    best_ids = np.take_along_axis(best_ids, top, 1)
                yield ids, tokens

        keywords = KeywordIndex.build(chunks())
        dense.calibrate(queries, best_ids)
        return dense, keywords

    def _dimension(self) -> int:
        settings = self._settings()
        return settings.dimension if settings else 1

    def _open_indexes(self) -> tuple[DenseIndex, KeywordIndex, int]:
        """The cached dense and keyword indexes when whole, else ones built from the stored passages."""
        dimension = self._dimension()
        store, last_seq = self._cache_stamp()
        if (self.folder / DENSE_CACHE_INFO).exists():
            try:
                dense, keywords, seq = DenseIndex.load(self.folder, dimension, store, last_seq)
                if seq >= self._compacted():
                    return dense, keywords, seq
            except StoreDamaged as error:
                log.warning("%s; rebuilding it from the stored vectors", error)
        return *self._build_indexes(), last_seq

    def _cache_stamp(self) -> tuple[str | None, int]:
        """What a dense cache file must have been made from: this database (its id), at most its last change."""
        store, last_seq = self._query(
            "SELECT (SELECT value FROM meta WHERE key = 'store'), "
            "(SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'changes')"
        )[0]
        return store, last_seq

    def _cached_seq(self) -> int | None:
        """The last change the dense cache file holds; None when it is missing, unreadable or not this database's."""
        if not (self.folder / DENSE_CACHE_FILE).exists():
            return None
        try:
            return int(DenseIndex.info(self.folder, *self._cache_stamp())["seq"])
        except StoreDamaged:
            return None

    def _save_dense_cache_if_stale(self) -> None:
        """Rewrite the dense cache when much changed since it was written (or it is missing, unreadable or not this
        database's), and drop the changes it covers."""
        cached_seq = self._cached_seq()
        pending = self._query("SELECT count(*) FROM changes WHERE seq > ?", (cached_seq or 0,))[0][0]
        passages = self.manifest().passage_count
        stale = passages > 0 if cached_seq is None else pending >= max(1, CACHE_REWRITE_SHARE * passages)
        if not stale:
            return
        for _ in range(COMPACTION_TRIES):
            with self._dense_lock:  # held to catch up and copy only: questions go on while the copy is saved
                live = self._catch_up()
                seq = self._dense_seq
                copy = None if live.outgrown(passages) else live.copy()  # outgrown: built anew from the database
            built = self._build_compaction(copy, seq)
            if built is not None:
                break
        else:  # changes kept coming between the copy and the snapshot (writers that ignore the lock): next time
            log.info("the dense cache of %s was not rewritten this time: the index kept changing", self.folder)
            return
        dense, keywords, seq, store = built
        with self._transaction() as db:
            db.execute("DELETE FROM changes WHERE seq <= ?", (seq,))
            db.execute("INSERT OR REPLACE INTO meta VALUES ('compacted', ?)", (str(seq),))
        with self._dense_lock:  # swapped in; changes committed since ``seq`` are applied again at the next catch-up
            self._dense, self._keywords, self._dense_seq, self._dense_store = dense, keywords, seq, store
            self._dense_generation = -1

    def _build_compaction(
        self, copy: DenseIndex | None, seq: int
    ) -> tuple[DenseIndex, KeywordIndex, int, str | None] | None:
        """Outside the dense-index lock, from one read snapshot: the dense index (``copy``, a copy of the live one at
        change ``seq``; None: built anew) with a keyword index built from the stored tokens (the additions folded in,
        the removed passages' postings dropped), saved as the cache files; returns them with the change they cover
        and the database's id, or None when a change was committed after ``seq`` (the copy is out of date)."""
        with self._snapshot():
            store, last_seq = self._cache_stamp()
            if copy is not None and last_seq != seq:
                return None
            if copy is None:  # exact grown past ANN_MIN_PASSAGES, or IVF past twice its trained size
                dense, keywords = self._build_indexes()
            else:
                dense, keywords = copy, KeywordIndex.build(self._token_chunks())
        dense.save(self.folder, last_seq, store, keywords)
        return dense, keywords, last_seq, store

    def _token_chunks(self) -> Iterator[tuple[np.ndarray, list[list[str]]]]:
        for rows in self._all_rows():
            ids, _, tokens = self._checked(rows)
            yield ids, tokens

    def _compacted(self) -> int:
        """The last change dropped from the log because the dense cache file holds it."""
        return int(self._meta("compacted") or 0)

    def _drop_cache_files(self) -> None:
        """Delete the dense and keyword cache files (they are rebuilt from the database)."""
        for name in CACHE_FILES:
            (self.folder / name).unlink(missing_ok=True)

    # ------------------------------------------------------------------ the journal, backups

    def _checkpoint_journal(self) -> None:
        """Copy the journal's committed pages into store.sqlite and empty the journal, so that a copy of that file
        alone (a backup tool's) holds every document. A reader in the middle of a read keeps the journal from being
        emptied: after CHECKPOINT_WAIT_MS this copies what the readers allow (PASSIVE); never an error."""
        db = self._db()
        try:
            waits = int(db.execute("PRAGMA busy_timeout").fetchone()[0])
            db.execute(f"PRAGMA busy_timeout = {CHECKPOINT_WAIT_MS}")
            try:
                if db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]:
                    db.execute("PRAGMA wal_checkpoint(PASSIVE)")
            finally:
                db.execute(f"PRAGMA busy_timeout = {waits}")
        except sqlite3.Error as error:
            log.info("the journal of %s was not checkpointed this time (%s)", self.path, error)

    def backup(self, path: str | Path) -> None:
        """Copy the database into the new file ``path`` with SQLite's online backup in one read snapshot (writers go
        on meanwhile; the copy holds what was committed when it began), as one file without a journal."""
        with new_backup_file(path) as temporary:
            copy = sqlite3.connect(temporary, isolation_level=None)
            try:
                self._db().backup(copy)
                copy.execute("PRAGMA journal_mode=DELETE")
            except sqlite3.Error as error:
                raise StoreError(f"backing up the index in {self.folder} to {path} failed: {error}") from None
            finally:
                copy.close()

    def restore(self, path: str | Path) -> None:
        """Replace the database's contents with a backup's (SQLite's backup API, into the live database, under the
        writer lock) and drop the dense and keyword caches, rebuilt from it; with a new database id and a higher
        generation, so that other handles rebuild theirs too. A backup of the previous format is migrated."""
        backup = self._open_backup(backup_file(path))
        try:
            with self.writer(timeout=self.write_timeout):
                generation = int(self._meta("generation") or 0)
                try:
                    backup.backup(self._db())
                except sqlite3.Error as error:
                    raise self._error(error) from None
                with self._dense_lock:
                    self._drop_cache_files()
                    self._dense, self._dense_seq, self._dense_generation = None, 0, -1
                if self._meta("schema") in PREVIOUS_SCHEMAS:
                    self._migrate()
                with self._transaction() as db:
                    db.execute("INSERT OR REPLACE INTO meta VALUES ('store', ?)", (uuid.uuid4().hex,))
                    db.execute(
                        "UPDATE meta SET value = max(CAST(value AS INTEGER), ?) WHERE key = 'generation'", (generation,)
                    )
        finally:
            backup.close()

    @staticmethod
    def _open_backup(source: Path) -> sqlite3.Connection:
        """A read-only connection to ``source``, a whole backup of a local index of this format or a previous one
        (PREVIOUS_SCHEMAS); StoreError when it is not one."""
        backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True, isolation_level=None, check_same_thread=False)
        try:
            schema = backup.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
            check = backup.execute("PRAGMA quick_check").fetchall()
        except sqlite3.Error as error:
            backup.close()
            raise StoreError(f"{source} is not a backup of a qa index ({error})") from None
        if schema not in [(version,) for version in (str(SCHEMA_VERSION), *PREVIOUS_SCHEMAS)] or check != [("ok",)]:
            backup.close()
            why = f"damaged ({check[0][0]})" if check != [("ok",)] else "of an index of another format"
            raise StoreError(f"{source} is {why}: it cannot be restored")
        return backup

    # ------------------------------------------------------------------ checks

    def verify(self) -> list[str]:
        """One line per problem: the writer lock's, then the database's and its rows'."""
        lock = self._lock_problem()
        return ([lock] if lock else []) + self._verify_rows()

    def _lock_problem(self) -> str | None:
        """Why ``writer.lock`` cannot serve as the writer lock (a directory, or not a file); None when it can."""
        path = self.folder / LOCK_FILE
        kind = "a directory" if path.is_dir() else "not a regular file" if path.exists() and not path.is_file() else ""
        return f"{path} is not a lock file ({kind}); remove it" if kind else None

    def _verify_rows(self) -> list[str]:
        problems = self._database_problems()
        if problems:
            return problems
        try:
            settings = self._settings()
            dimension = settings.dimension if settings else None
            stored = dict(self._query("SELECT document_id, count(*) FROM passages GROUP BY document_id"))
            damaged: set[str] = set()
            for doc_id, text, count, pages, headings in self._query(
                f"SELECT id, text, passage_count, {self._page_starts}, {self._sections} FROM documents"
            ):
                found = [document_problem(doc_id, text), *layout_problems(_unjson(pages), headings, len(text))]
                if stored.get(doc_id, 0) != count:
                    found.append(f"{stored.get(doc_id, 0)} passages stored, {count} expected")
                problems += [problem_line(problem, doc_id) for problem in found if problem]
            for pid, doc_id, text, blob, crc, tokens in self._query(
                "SELECT id, document_id, text, vector, crc, tokens FROM passages"
            ):
                if passage_crc(text, blob, tokens) != crc or (dimension and len(blob) != 4 * dimension):
                    problems.append(problem_line("fails its checksum", doc_id, pid))
                    damaged.add(pid)
                elif len(blob) % 4 == 0 and not np.isfinite(np.frombuffer(blob, np.float32)).all():
                    problems.append(problem_line("its vector is not finite", doc_id, pid))
                    damaged.add(pid)
            for pid, doc_id in self._query(  # SQLite counts characters as Python does: the offsets are checked
                "SELECT p.id, p.document_id FROM passages p JOIN documents d ON d.id = p.document_id "
                "WHERE substr(d.text, p.start + 1, p.end - p.start) != p.text OR p.start < 0 OR p.end < p.start "
                "OR p.end > length(d.text)"
            ):
                if pid not in damaged:
                    problems.append(problem_line("its offsets do not hold its text", doc_id, pid))
        except StoreError as error:
            return [str(error)]
        if (self.folder / DENSE_CACHE_INFO).exists():
            try:
                DenseIndex.load(self.folder, dimension or 1, *self._cache_stamp())
            except StoreDamaged as error:
                problems.append(str(error))
        return problems

    def _database_problems(self) -> list[str]:
        """What SQLite finds wrong with the database file itself, which may not even open."""
        try:
            result = self._query("PRAGMA quick_check")
        except StoreDamaged as error:
            return [str(error)]
        return [] if result == [("ok",)] else [f"database: {row[0]}" for row in result[:5]]

    def repair(self) -> list[str]:
        """Set a damaged database aside for an empty one, or drop the documents whose rows are damaged and rebuild the
        keyword and dense indexes; either way the next sync reads the files of what was lost again."""
        done = []
        with self.writer(timeout=self.write_timeout):
            if self._database_problems():
                return [self._start_afresh()]
            damaged = {problem_document(line) for line in self.verify()} - {None}
            if damaged:
                with self._transaction() as db:
                    self._delete(db, sorted(str(doc_id) for doc_id in damaged))
                done.append(
                    f"dropped {counted(len(damaged), 'damaged document')}; indexing the folder embeds them again"
                )
            self._drop_cache_files()
            with self._dense_lock:
                self._dense, self._keywords, self._dense_seq = self._open_indexes()
                self._dense_generation = -1
                self._dense.save(self.folder, self._dense_seq, self._meta("store"), self._keywords)
            done.append(f"rebuilt the dense and keyword indexes ({self._dense.index.ntotal} passages)")
        return done

    def _start_afresh(self, why: str = "damaged") -> str:
        """Move the database with its journal aside (``store.sqlite.<why>``) and create an empty one."""
        self.close()
        aside = self.folder / f"{DATABASE_FILE}.{why}"
        for suffix in ("", "-wal", "-shm"):
            damaged, kept = Path(f"{self.path}{suffix}"), Path(f"{aside}{suffix}")
            kept.unlink(missing_ok=True)
            if damaged.exists():
                damaged.replace(kept)
        self._drop_cache_files()
        self._create()
        self._dense, self._dense_seq, self._dense_generation = None, 0, -1
        return f"set the {why} database aside as {aside.name}; indexing the folder embeds every document again"


def _decode(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def _json(value: list[int] | list[Section] | None) -> str | None:
    """Page starts or sections as stored: JSON text (a section an object), or NULL."""
    return None if value is None else to_json(value).decode("utf-8")


def _unjson(stored: str | None) -> list[int] | None:
    return None if stored is None else json.loads(stored)


def _marks(items: list) -> str:
    return ",".join("?" * len(items))
