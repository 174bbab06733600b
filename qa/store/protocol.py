"""The store seam: documents, passages, vectors and keyword search behind one protocol, keyed by ids, never rows."""

from __future__ import annotations

import importlib
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Protocol, runtime_checkable

import numpy as np
from pydantic import BaseModel

from qa.errors import (  # noqa: F401 - defined in qa.errors, importable from here as before
    StoreBusy,
    StoreDamaged,
    StoreError,
    StoreReadOnly,
    StoreUnavailable,
)
from qa.models import Document, Passage, Section


class StoreSettings(BaseModel):
    """What the stored passages and vectors were made with; a store holds vectors of one kind only. Beside them, how
    their keyword tokens were made (``qa.store.rules.KEYWORDS``; 1 where a stamp records none) and what read the stored
    documents' files: each format's loader version (``qa.documents.loading.READ_BY``, by suffix), and the languages
    OCR read scanned pages in ('': Tesseract was not installed), as the last whole sync of a folder recorded them
    (None: none did)."""

    embedding_model: str
    dimension: int
    chunk_tokens: int
    chunk_overlap_sentences: int
    keywords: int = 1
    read_by: dict[str, int] | None = None
    ocr: str | None = None

    def same_vectors(self, other: StoreSettings) -> bool:
        """Whether passages cut and embedded with ``other`` are cut and embedded as with these."""
        beside = {"read_by", "ocr", "keywords"}
        return self.model_dump(exclude=beside) == other.model_dump(exclude=beside)


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


@dataclass(frozen=True)
class Relocation:
    """A stored document that now comes from another file (renamed or touched, same text): that file, its size and
    modification time, where its pages begin (PDFs), its headings, and its title (None: the stored one stays; a
    page's ``<title>`` or a Word or PDF file's title can change while its text does not)."""

    document_id: str
    source: str
    size: int
    mtime: float
    page_starts: list[int] | None = None
    sections: list[Section] | None = None
    title: str | None = None


@runtime_checkable
class DocumentStore(Protocol):
    """Documents, passages, vectors and keyword search; every backend passes ``qa.testing.store``.

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

    def set_source(self, moved: Relocation) -> None:
        """Record that a stored document now comes from another file (``Relocation``); an unknown id changes
        nothing."""
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


# Every backend: its name and its package, which exposes ``Store`` (a DocumentStore class opened as
# ``Store(location, read_only=...)``), ``Catalog`` (its collections, opened the same way) and ``LOCATION``: the setting
# that says where a store is, "index_dir" (a folder, or a name made from it) or "store_url" (a database URL).
BACKENDS = {"local": "qa.store.local", "memory": "qa.store.memory", "postgres": "qa.store.postgres"}


def backend_package(backend: str) -> ModuleType:
    """The package of the backend named ``backend``; StoreUnavailable, listing the names, for an unknown one."""
    if backend not in BACKENDS:
        raise StoreUnavailable(f"unknown store {backend!r}; choose from {', '.join(BACKENDS)}")
    return importlib.import_module(BACKENDS[backend])


def location_setting(backend: str) -> str:
    """The setting that says where a store of ``backend`` is: "index_dir" or "store_url"."""
    return backend_package(backend).LOCATION


def open_store(backend: str, location: str, read_only: bool = False) -> DocumentStore:
    """The store named by ``backend`` at ``location`` (what its ``LOCATION`` setting holds: an index folder, a URL)."""
    return backend_package(backend).Store(location, read_only=read_only)
