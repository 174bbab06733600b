"""The in-memory reference store: every DocumentStore rule over plain dicts, shared by the handles of one process."""

from __future__ import annotations

import io
import json
import math
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from qa.models import Document, Passage
from qa.store.protocol import (
    DocumentWrite,
    Relocation,
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
    problem_document,
    problem_line,
    vector_problem,
    write_error,
    write_problem,
    written_tokens,
)
from qa.validation import counted

K1 = 1.2  # BM25 as the local store scores it (Lucene's idf)
B = 0.75
BACKUP_FORMAT = "qa-memory-store/1"


@dataclass
class Entry:
    """A stored document with the file facts it was written with and the ids of its passages, in order."""

    document: Document
    size: int
    mtime: float
    passage_ids: list[str]


@dataclass
class Contents:
    """Everything one store holds. Never changed once published: a change makes a copy and publishes it whole, so a
    reader sees a committed state or the one before (the matrix and term statistics are cached per state)."""

    settings: StoreSettings | None = None
    documents: dict[str, Entry] = field(default_factory=dict)
    passages: dict[str, Passage] = field(default_factory=dict)
    vectors: dict[str, np.ndarray] = field(default_factory=dict)
    tokens: dict[str, list[str]] = field(default_factory=dict)
    ignored: set[str] = field(default_factory=set)
    generation: int = 0
    cache: dict[str, Any] = field(default_factory=dict, compare=False)

    def copied(self) -> Contents:
        """A copy to change, one generation on."""
        return Contents(
            self.settings,
            dict(self.documents),
            dict(self.passages),
            dict(self.vectors),
            dict(self.tokens),
            set(self.ignored),
            self.generation + 1,
        )

    def remove(self, document_ids: list[str]) -> int:
        """Remove documents with their passages, vectors and tokens; how many there were."""
        removed = 0
        for doc_id in document_ids:
            entry = self.documents.pop(doc_id, None)
            for pid in entry.passage_ids if entry else []:
                del self.passages[pid], self.vectors[pid], self.tokens[pid]
            removed += entry is not None
        return removed

    def matrix(self) -> tuple[list[str], np.ndarray]:
        """Every passage id and its unit vector as one row of a matrix."""
        if "matrix" not in self.cache:
            width = self.settings.dimension if self.settings else 0
            ids = [i for i, vector in self.vectors.items() if vector.shape == (width,)]  # (a damaged one left out)
            rows = np.vstack([self.vectors[i] for i in ids]) if ids else np.zeros((0, width), dtype=np.float32)
            self.cache["matrix"] = (ids, rows)
        return self.cache["matrix"]

    def term_statistics(self) -> tuple[Counter[str], float]:
        """In how many passages each term occurs, and the average passage length in terms."""
        if "terms" not in self.cache:
            frequencies: Counter[str] = Counter()
            for words in self.tokens.values():
                frequencies.update(set(words))
            average = sum(map(len, self.tokens.values())) / max(len(self.tokens), 1)
            self.cache["terms"] = (frequencies, average)
        return self.cache["terms"]


class Place:
    """One location's contents, the lock that publishes changes to them, and the single writer's turn."""

    def __init__(self) -> None:
        self.contents = Contents()
        self.lock = threading.RLock()
        self.turn = threading.Condition()
        self.holder: tuple[object, int] | None = None  # (handle token, thread) holding the writer lock
        self.depth = 0


_places: dict[str, Place] = {}
_places_lock = threading.Lock()


def place(location: str, create: bool) -> Place | None:
    """The shared place of ``location`` in this process (made when ``create``; else None when there is none)."""
    with _places_lock:
        if create and location not in _places:
            _places[location] = Place()
        return _places.get(location)


def forget(location: str) -> None:
    """Remove the store at ``location`` (its handles left open see it empty)."""
    with _places_lock:
        found = _places.pop(location, None)
    if found is not None:
        with found.lock:
            found.contents = Contents(generation=found.contents.generation + 1)


class MemoryStore:
    """A DocumentStore held in this process's memory, named by ``location``: handles opened on the same location
    share it; a read-only handle needs one already made. Nothing is written to disk but backups."""

    backend = "memory"
    write_timeout = WRITE_TIMEOUT  # seconds a change waits for another handle's writer lock (see qa.store.rules)

    def __init__(self, location: str | Path, read_only: bool = False):
        self.location = str(location)
        found = place(self.location, create=not read_only)
        if found is None:
            raise StoreUnavailable(f"no memory store {self.location!r} in this process")
        self._place = found
        self.read_only = read_only
        self._token = object()
        self.shown = f"the memory store {self.location!r}"

    # ------------------------------------------------------------------ changes

    def _read_only(self) -> StoreReadOnly:
        return StoreReadOnly(f"{self.shown} is read-only: it answers but cannot be updated")

    @contextmanager
    def _change(self) -> Iterator[Contents]:
        """A copy of the contents to change, under the writer lock, published when the block ends without an error."""
        if self.read_only:
            raise self._read_only()
        with self.writer(timeout=self.write_timeout), self._place.lock:
            changed = self._place.contents.copied()
            yield changed
            self._place.contents = changed

    @property
    def _contents(self) -> Contents:
        return self._place.contents

    @contextmanager
    def writer(self, timeout: float = WRITE_TIMEOUT) -> Iterator[None]:
        if self.read_only:
            raise self._read_only()
        me, turn = (self._token, threading.get_ident()), self._place.turn
        with turn:
            if not turn.wait_for(lambda: self._place.holder in (None, me), timeout=max(timeout, 0)):
                raise busy(self.shown, timeout)
            self._place.holder = me
            self._place.depth += 1
        try:
            yield
        finally:
            with turn:
                self._place.depth -= 1
                if self._place.depth == 0:
                    self._place.holder = None
                    turn.notify_all()

    # ------------------------------------------------------------------ the protocol

    def bind(self, settings: StoreSettings) -> bool:
        verdict = bind_verdict(self._contents.settings, settings, bool(self._contents.documents))
        if verdict is not None:
            return verdict
        with self._change() as changed:  # decided again under the writer lock
            verdict = bind_verdict(changed.settings, settings, bool(changed.documents))
            if verdict is None:
                changed.settings = settings
        return verdict is not False

    def clear(self) -> None:
        with self._change() as changed:
            changed.remove(list(changed.documents))
            changed.settings = None

    def write(self, items: list[DocumentWrite]) -> None:
        tokens = [written_tokens([item]) for item in items]
        with self._change() as changed:  # checked under the writer lock: nothing is published when one fails
            if changed.settings is None:
                raise no_settings(self.shown)
            rows = [(item, checked_vectors(item, changed.settings.dimension)) for item in items]
            for (item, vectors), words in zip(rows, tokens, strict=True):
                changed.remove([item.document.id, *item.replaces])
                document = item.document.model_copy(deep=True)
                ids = [p.id for p in item.passages]
                changed.documents[document.id] = Entry(document, item.size, item.mtime, ids)
                for passage, vector, passage_words in zip(item.passages, vectors, words, strict=True):
                    changed.passages[passage.id] = passage.model_copy()
                    changed.vectors[passage.id] = vector
                    changed.tokens[passage.id] = list(passage_words)

    def delete(self, document_ids: list[str]) -> int:
        with self._change() as changed:
            return changed.remove(document_ids)

    def set_source(self, moved: Relocation) -> None:
        with self._change() as changed:
            entry = changed.documents.get(moved.document_id)
            if entry is not None:
                update: dict[str, object] = {"source": moved.source, "page_starts": moved.page_starts}
                update["sections"] = moved.sections
                if moved.title is not None:
                    update["title"] = moved.title
                document = entry.document.model_copy(update=update, deep=True)
                changed.documents[moved.document_id] = Entry(document, moved.size, moved.mtime, entry.passage_ids)

    def ignore(self, sources: list[str], ignored: bool = True) -> None:
        with self._change() as changed:
            if ignored:
                changed.ignored.update(sources)
            else:
                changed.ignored.difference_update(sources)

    def ignored(self) -> set[str]:
        return set(self._contents.ignored)

    def documents(self, ids: list[str] | None = None) -> list[StoredDocument]:
        held = self._contents.documents
        entries = held.values() if ids is None else [held[i] for i in dict.fromkeys(ids) if i in held]
        listed = [
            StoredDocument(
                id=e.document.id,
                title=e.document.title,
                source=e.document.source,
                content_hash=e.document.id,
                size=e.size,
                mtime=e.mtime,
                passage_count=len(e.passage_ids),
                page_starts=e.document.page_starts,
                sections=e.document.sections,
            )
            for e in entries
        ]
        return sorted((d.model_copy(deep=True) for d in listed), key=lambda d: d.source)

    def get_documents(self, ids: list[str]) -> dict[str, Document]:
        held = self._contents.documents
        found = {i: held[i].document.model_copy(deep=True) for i in ids if i in held}
        for doc_id, document in found.items():
            if problem := document_problem(doc_id, document.text):
                raise damaged(self.shown, problem_line(problem, doc_id))
        return found

    def get_passages(self, ids: list[str]) -> dict[str, Passage]:
        contents = self._contents
        found = {i: contents.passages[i].model_copy() for i in ids if i in contents.passages}
        for pid, passage in found.items():
            entry = contents.documents.get(passage.document_id)
            if problem := offsets_problem(passage, entry.document.text if entry else ""):
                raise damaged(self.shown, problem_line(problem, passage.document_id, pid))
        return found

    def get_vectors(self, ids: list[str]) -> dict[str, np.ndarray]:
        contents = self._contents
        dimension = contents.settings.dimension if contents.settings else None
        found = {i: contents.vectors[i].copy() for i in ids if i in contents.vectors}
        for pid, vector in found.items():
            if problem := vector_problem(vector, dimension):
                raise damaged(self.shown, problem_line(problem, contents.passages[pid].document_id, pid))
        return found

    def dense_search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        ids, rows = self._contents.matrix()
        if not ids or k <= 0:
            return []
        query = np.asarray(vector, dtype=np.float32).reshape(-1)
        norms = np.linalg.norm(rows, axis=1) * max(float(np.linalg.norm(query)), 1e-12)
        scores = (rows @ query) / np.maximum(norms, 1e-12)
        best = np.argsort(-scores, kind="stable")[:k]
        return [(ids[n], float(scores[n])) for n in best]

    def keyword_search(self, text: str, k: int) -> list[tuple[str, float]]:
        words = Counter(keyword_tokens([text])[0] if text else [])
        contents = self._contents
        if not words or k <= 0 or not contents.tokens:
            return []
        frequencies, average = contents.term_statistics()
        count = len(contents.tokens)
        weights = {w: math.log(1 + (count - frequencies[w] + 0.5) / (frequencies[w] + 0.5)) for w in words}
        scores: dict[str, float] = {}
        for pid, tokens in contents.tokens.items():
            found = Counter(t for t in tokens if t in words)
            norm = K1 * (1 - B + B * len(tokens) / max(average, 1e-9))
            score = sum(n * weights[w] * f * (K1 + 1) / (f + norm) for w, n in words.items() if (f := found[w]))
            if score > 0:
                scores[pid] = score
        return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))[:k]

    def manifest(self) -> StoreManifest:
        contents = self._contents
        return StoreManifest(
            backend=self.backend,
            location=self.location,
            settings=contents.settings,
            document_count=len(contents.documents),
            passage_count=len(contents.passages),
            generation=contents.generation,
        )

    # ------------------------------------------------------------------ checks

    def verify(self) -> list[str]:
        contents = self._contents
        problems = []
        for doc_id, entry in contents.documents.items():
            text = entry.document.text
            found = [document_problem(doc_id, text)]
            found += layout_problems(entry.document.page_starts, entry.document.sections, len(text))
            stored = [pid for pid in entry.passage_ids if pid in contents.passages and pid in contents.vectors]
            if len(stored) != len(entry.passage_ids):
                found.append(f"{len(stored)} passages stored, {len(entry.passage_ids)} expected")
            problems += [problem_line(problem, doc_id) for problem in found if problem]
            problems += [line for pid in stored if (line := passage_line(contents, pid, text))]
        return problems

    def repair(self) -> list[str]:
        """Drop the documents ``verify`` finds damaged: the next sync reads their files again."""
        with self._change() as changed:
            found = {problem_document(line) for line in self.verify()}
            broken = sorted(doc_id for doc_id in found if doc_id in changed.documents)
            changed.remove(broken)
        if not broken:
            return []
        return [f"dropped {counted(len(broken), 'damaged document')}; indexing the folder embeds them again"]

    # ------------------------------------------------------------------ backups

    def backup(self, path: str | Path) -> None:
        """Write the committed contents (one state, whatever writers do meanwhile) as JSON and a matrix of vectors."""
        contents = self._contents
        meta, vectors = backup_parts(contents)
        with new_backup_file(path) as temporary, open(temporary, "wb") as handle:
            np.savez(handle, meta=np.array(json.dumps(meta)), vectors=vectors)

    def restore(self, path: str | Path) -> None:
        source = backup_file(path)
        try:
            with np.load(io.BytesIO(source.read_bytes()), allow_pickle=False) as saved:
                restored = restored_contents(json.loads(str(saved["meta"])), saved["vectors"])
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise StoreError(f"{source} is not a backup of a qa memory store ({error})") from None
        with self._change() as changed:  # keeps the generation growing
            for name in ("settings", "documents", "passages", "vectors", "tokens", "ignored"):
                setattr(changed, name, getattr(restored, name))

    def close(self) -> None:
        """Nothing to release: the contents stay in this process for the next handle."""


def checked_vectors(item: DocumentWrite, dimension: int) -> np.ndarray:
    """The vectors of a document to write, as float32; StoreError (before anything is written) when they cannot be."""
    vectors = np.array(item.vectors, dtype=np.float32)
    if problem := write_problem(len(item.passages), vectors, dimension):
        raise write_error(item.document.id, problem)
    return vectors


def offsets_problem(passage: Passage, text: str) -> str | None:
    """What is wrong with a passage's offsets into its document's ``text``: outside it, or not spanning its text."""
    problem = passage_problem(passage.start, passage.end, passage.text, len(text))
    if problem is None and text[passage.start : passage.end] != passage.text:
        return "its offsets do not hold its text"
    return problem


def passage_line(contents: Contents, pid: str, text: str) -> str | None:
    """The line of ``verify`` about a stored passage (its offsets into ``text``, its vector), or None."""
    passage = contents.passages[pid]
    dimension = contents.settings.dimension if contents.settings else None
    problem = offsets_problem(passage, text) or vector_problem(contents.vectors[pid], dimension)
    return problem_line(problem, passage.document_id, pid) if problem else None


def backup_parts(contents: Contents) -> tuple[dict[str, Any], np.ndarray]:
    """The contents as JSON-ready data, and their vectors as one matrix in the order the data lists the passages."""
    documents = [
        {
            "document": e.document.model_dump(mode="json"),
            "size": e.size,
            "mtime": e.mtime,
            "passages": [contents.passages[pid].model_dump(mode="json") for pid in e.passage_ids],
        }
        for e in contents.documents.values()
    ]
    ids = [pid for e in contents.documents.values() for pid in e.passage_ids]
    width = contents.settings.dimension if contents.settings else 0
    vectors = np.vstack([contents.vectors[i] for i in ids]) if ids else np.zeros((0, width), dtype=np.float32)
    settings = contents.settings.model_dump() if contents.settings else None
    meta = {"format": BACKUP_FORMAT, "settings": settings, "documents": documents, "ignored": sorted(contents.ignored)}
    return meta, vectors


def restored_contents(meta: dict[str, Any], vectors: np.ndarray) -> Contents:
    """The contents a backup's data and vectors describe; ValueError when they are not a memory store's."""
    if meta.get("format") != BACKUP_FORMAT:
        raise ValueError(f"its format is {meta.get('format')!r}, not {BACKUP_FORMAT}")
    settings = StoreSettings.model_validate(meta["settings"]) if meta["settings"] else None
    contents = Contents(settings=settings, ignored=set(meta["ignored"]))
    passages = [Passage.model_validate(p) for saved in meta["documents"] for p in saved["passages"]]
    if len(passages) != len(vectors):
        raise ValueError(f"{len(passages)} passages but {len(vectors)} vectors")
    for saved in meta["documents"]:
        document = Document.model_validate(saved["document"])
        ids = [p["id"] for p in saved["passages"]]
        contents.documents[document.id] = Entry(document, int(saved["size"]), float(saved["mtime"]), ids)
    sources = {p["id"]: saved["document"]["source"] for saved in meta["documents"] for p in saved["passages"]}
    words = passage_tokens([(sources[p.id], p.text) for p in passages])
    for passage, vector, passage_words in zip(passages, vectors.astype(np.float32), words, strict=True):
        contents.passages[passage.id] = passage
        contents.vectors[passage.id] = vector
        contents.tokens[passage.id] = list(passage_words)
    return contents
