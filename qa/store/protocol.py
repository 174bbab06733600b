"""The store seam: documents, passages, vectors and keyword search behind one protocol, keyed by ids, never rows."""

from __future__ import annotations

import importlib
import itertools
import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
from pydantic import BaseModel, TypeAdapter

from qa.errors import (  # noqa: F401 - defined in qa.errors, importable from here as before
    StoreBusy,
    StoreDamaged,
    StoreError,
    StoreReadOnly,
    StoreUnavailable,
)
from qa.models import Document, Passage, Section


class StoreSettings(BaseModel):
    """What the stored passages and vectors were made with; a store holds vectors of one kind only."""

    embedding_model: str
    dimension: int
    chunk_tokens: int
    chunk_overlap_sentences: int


class StoredDocument(BaseModel):
    """One stored document as listed (no text): enough to sync a folder against the store."""

    id: str
    title: str
    source: str
    content_hash: str
    size: int
    mtime: float
    passage_count: int
    page_starts: list[int] | None = None  # PDFs: where each page begins in the text (see Document.page_starts)
    sections: list[Section] | None = None  # its headings (see Document.sections); [] when none were found


class StoreManifest(BaseModel):
    """What a store holds and where: its backend, location, settings and counts."""

    backend: str
    location: str
    settings: StoreSettings | None
    document_count: int
    passage_count: int
    generation: int


@dataclass
class DocumentWrite:
    """A document with its passages and one unit vector per passage, written as one unit."""

    document: Document
    passages: list[Passage]
    vectors: np.ndarray
    size: int = 0
    mtime: float = 0.0
    replaces: list[str] = field(default_factory=list)  # ids of documents this one supersedes, removed with it


@runtime_checkable
class DocumentStore(Protocol):
    """Documents, passages, vectors and keyword search; every backend passes ``tests/test_store.py``.

    Writes are transactional: a reader sees a document with all its passages and vectors, or not at all.
    """

    backend: str

    def bind(self, settings: StoreSettings) -> bool:
        """Stamp an empty store with ``settings``; False when it holds vectors made with other settings."""
        ...

    def clear(self) -> None:
        """Remove every document and the settings stamp."""
        ...

    def writer(self, timeout: float = ...) -> AbstractContextManager[None]:
        """Hold the single-writer lock (across processes); raises StoreBusy after ``timeout`` seconds."""
        ...

    def write(self, items: list[DocumentWrite]) -> None:
        """Store documents with their passages and vectors in one transaction, replacing any with the same id
        and removing the documents each one ``replaces``."""
        ...

    def delete(self, document_ids: list[str]) -> int:
        """Remove documents with their passages and vectors; returns how many existed."""
        ...

    def set_source(
        self,
        document_id: str,
        source: str,
        size: int,
        mtime: float,
        page_starts: list[int] | None = None,
        sections: list[Section] | None = None,
    ) -> None:
        """Record that a stored document now comes from another file (renamed or touched, same text), with where
        that file's pages begin (PDFs) and its headings."""
        ...

    def ignore(self, sources: list[str], ignored: bool = True) -> None:
        """Mark files (by source path) as removed by the user, so that syncing a folder skips them; or unmark."""
        ...

    def ignored(self) -> set[str]:
        """The source paths marked by ``ignore``."""
        ...

    def documents(self, ids: list[str] | None = None) -> list[StoredDocument]:
        """Stored documents without their texts (every one, or those of ``ids``), ordered by source."""
        ...

    def get_documents(self, ids: list[str]) -> dict[str, Document]:
        """Documents with their full text, by id; unknown ids are left out."""
        ...

    def get_passages(self, ids: list[str]) -> dict[str, Passage]:
        """Passages with their text, by id; unknown ids are left out."""
        ...

    def get_vectors(self, ids: list[str]) -> dict[str, np.ndarray]:
        """Stored unit vectors (float32) of passages, by id; unknown ids are left out."""
        ...

    def dense_search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """(passage id, cosine similarity) of the ``k`` nearest passages, best first."""
        ...

    def keyword_search(self, text: str, k: int) -> list[tuple[str, float]]:
        """(passage id, keyword score) of the best ``k`` passages sharing a word with ``text``, best first."""
        ...

    def manifest(self) -> StoreManifest:
        """Backend, location, settings, counts and a generation that grows with every committed write."""
        ...

    def verify(self) -> list[str]:
        """Problems found in the stored data, one line each; empty when all is well."""
        ...

    def repair(self) -> list[str]:
        """Rebuild what ``verify`` finds damaged from what is intact; the lines say what was done."""
        ...

    def backup(self, path: str | Path) -> None:
        """Write a consistent copy of everything stored (taken while writers go on) to the new file ``path``."""
        ...

    def restore(self, path: str | Path) -> None:
        """Replace everything stored with the contents of a ``backup`` file, under the writer lock."""
        ...

    def close(self) -> None: ...


BACKENDS = {"local": "qa.store.local.store:LocalStore", "postgres": "qa.store.postgres.store:PostgresStore"}


def open_store(backend: str, location: str, read_only: bool = False) -> DocumentStore:
    """The store named by ``backend`` ('local': an index folder; 'postgres': a libpq URI) at ``location``."""
    if backend not in BACKENDS:
        raise StoreUnavailable(f"unknown store {backend!r}; choose from {', '.join(BACKENDS)}")
    module_name, class_name = BACKENDS[backend].split(":")
    store_class = getattr(importlib.import_module(module_name), class_name)
    return store_class(location, read_only=read_only)


@contextmanager
def new_backup_file(path: str | Path) -> Iterator[Path]:
    """A temporary file beside ``path`` to write a backup into; once written it is synced and renamed to ``path``
    (the folder synced too), and removed when writing fails. An existing ``path`` is refused, never overwritten."""
    target = Path(path).expanduser()
    if target.exists():
        raise StoreError(f"{target} exists already: remove it or choose another backup file")
    if not target.parent.is_dir():
        raise StoreError(f"cannot write the backup {target}: its folder does not exist")
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        yield temporary
        with open(temporary, "rb") as handle:
            os.fsync(handle.fileno())
        temporary.replace(target)
        folder = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    except OSError as error:
        raise StoreError(f"cannot write the backup {target}: {error.strerror or error}") from None
    finally:
        temporary.unlink(missing_ok=True)


def backup_file(path: str | Path) -> Path:
    """The existing backup file ``path`` (to restore from); StoreError when there is none."""
    source = Path(path).expanduser()
    if not source.is_file():
        raise StoreError(f"no backup file {source}")
    return source


def keyword_tokens(texts: list[str]) -> list[list[str]]:
    """Lower-cased, stop-word-free, Snowball-stemmed word tokens, the same for passages and questions."""
    import bm25s

    return bm25s.tokenize(texts, stopwords="en", stemmer=_stemmer(), return_ids=False, show_progress=False)


_stemmers = threading.local()


def _stemmer():
    """This thread's Snowball stemmer: PyStemmer's must not be called from two threads at once."""
    stemmer = getattr(_stemmers, "english", None)
    if stemmer is None:
        import Stemmer

        stemmer = _stemmers.english = Stemmer.Stemmer("english")
    return stemmer


def starts_problem(starts: list[int], text_length: int, what: str) -> str | None:
    """What is wrong with offsets into a document's text (``what`` names them): they must never decrease and stay
    within its text; or None."""
    if any(b < a for a, b in itertools.pairwise(starts)) or (starts and (starts[0] < 0 or starts[-1] > text_length)):
        return f"its {what} go backwards or past its text"
    return None


def page_starts_problem(page_starts: list[int] | None, text_length: int) -> str | None:
    """What is wrong with a document's page starts (they must begin at 0, never decrease and stay within its
    text), or None."""
    if page_starts is None:
        return None
    if not page_starts or page_starts[0] != 0:
        return "its page starts do not begin at 0"
    return starts_problem(page_starts, text_length, "page starts")


def sections_problem(sections: list[Section] | None, text_length: int) -> str | None:
    """What is wrong with a document's headings (their starts must never decrease and stay within its text), or
    None."""
    return None if sections is None else starts_problem([s.start for s in sections], text_length, "sections")


SECTION_LIST = TypeAdapter(list[Section])


def stored_sections(stored: object) -> list[Section] | None:
    """Sections as a store keeps them: JSON text, or the lists and dicts a jsonb column reads as (None: not
    recorded); ValueError when they are not sections."""
    if stored is None:
        return None
    if isinstance(stored, str | bytes):
        return SECTION_LIST.validate_json(stored)
    return SECTION_LIST.validate_python(stored)


def layout_problems(page_starts: list[int] | None, sections: object, text_length: int) -> list[str]:
    """What is wrong with a stored document's page starts and its sections (as stored, see ``stored_sections``),
    one line each."""
    problems = [page_starts_problem(page_starts, text_length)]
    try:
        problems.append(sections_problem(stored_sections(sections), text_length))
    except ValueError:
        problems.append("its sections are unreadable")
    return [problem for problem in problems if problem is not None]


def batched(items: list, size: int = 900) -> Iterator[list]:
    """Consecutive slices of at most ``size`` items (900 keeps SQL parameter lists under the limits)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
